"""Private helpers for kit zzzi: an internal tools estate (EC2 + SSM, EFS, RDS MySQL, internal ALB, Route 53)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

REGION = "us-east-1"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Collects the records of one bundle; every random choice goes through `rng`."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = str(r.randint(2, 9)) + "".join(str(r.randint(0, 9)) for _ in range(11))
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.start = day
        self.now = day

    # ---- ids ---------------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))

    def jitter(self, base: float, frac: float = 0.1) -> float:
        return base * (1 + self.rng.uniform(-frac, frac))

    # ---- records -----------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 4),
            }
        )

    def dist(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, vals: list[float]
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [round(v, 4) for v in vals],
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        period: int = 60,
        until: datetime | None = None,
    ) -> None:
        t = self.start
        end = until or self.now
        while t <= end:
            v = fn(t)
            if v is not None:
                self.metric(ns, name, dims, t, unit, max(0.0, v))
            t += timedelta(seconds=period)

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    # ---- CloudTrail --------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, service_cred: bool = False) -> dict[str, Any]:
        rid = "AROA" + self.upper(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": ("ASIA" + self.upper(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}"
                    if not role.startswith("AWSReservedSSO")
                    else f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        req: dict[str, Any] | None,
        resp: dict[str, Any] | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        region: str = REGION,
    ) -> str:
        eid = self.uid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "route53.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip or f"10.40.{self.rng.randint(1, 30)}.{self.rng.randint(5, 250)}",
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.trail.append(rec)
        return eid

    # ---- alarms ------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        period: int,
        evals: int,
        state: str,
        since: datetime,
        reason: str,
        topic: str,
        desc: str,
        missing: str = "missing",
        extended: bool = False,
    ) -> dict[str, Any]:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{self.account}:alarm:{name}",
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=self.rng.randint(40, 300))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if extended:
            a["ExtendedStatistic"] = stat
        else:
            a["Statistic"] = stat
        self.alarms.append(a)
        return a

    def hist(self, name: str, t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )

    def alarm_event(self, a: dict[str, Any], t: datetime, prev: str, prev_t: datetime) -> dict[str, Any]:
        metric_stat: dict[str, Any] = {
            "metric": {
                "namespace": a["Namespace"],
                "name": a["MetricName"],
                "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
            },
            "period": a["Period"],
            "stat": a.get("ExtendedStatistic") or a["Statistic"],
        }
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": REGION,
            "resources": [a["AlarmArn"]],
            "detail": {
                "alarmName": a["AlarmName"],
                "state": {"value": "ALARM", "reason": a["StateReason"], "timestamp": iso(t)},
                "previousState": {
                    "value": prev,
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold",
                    "timestamp": iso(prev_t),
                },
                "configuration": {
                    "description": a["AlarmDescription"],
                    "metrics": [{"id": "m1", "metricStat": metric_stat, "returnData": True}],
                },
            },
        }

    # ---- bundle ------------------------------------------------------------------------------------
    def bundle(
        self,
        title: str,
        question: str | None,
        tz: str | None,
        alarm_event: dict[str, Any] | None,
        truth: dict[str, Any],
    ) -> Bundle:
        cut = iso(self.now)
        self.trail.sort(key=lambda r: (r["eventTime"], r["eventID"]))
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": REGION,
                "start": iso(self.start),
                "end": cut,
                "now": cut,
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": tz},
                "truth": truth,
            }
        )
        return Bundle(
            manifest,
            {
                "metrics": self.metrics,
                "alarms": self.alarms,
                "alarm_history": self.history,
                "logs": self.logs,
                "cloudtrail": self.trail,
                "resources": self.resources,
                "events": self.events,
            },
        )


# ---- the estate ------------------------------------------------------------------------------------


class Estate:
    """VPC, subnets, a fleet of SSM-managed instances, an internal ALB, RDS MySQL, EFS and a private zone."""

    def __init__(self, c: Ctx) -> None:
        self.c = c
        r = c.rng
        self.vpc = "vpc-0" + c.hexid(16)
        self.azs = ["us-east-1a", "us-east-1b"]
        self.subnets = ["subnet-0" + c.hexid(16) for _ in self.azs]
        self.sg_alb = "sg-0" + c.hexid(16)
        self.sg_app = "sg-0" + c.hexid(16)
        self.sg_db = "sg-0" + c.hexid(16)
        self.sg_efs = "sg-0" + c.hexid(16)
        self.sg_ci = "sg-0" + c.hexid(16)
        self.topic = f"arn:aws:sns:{REGION}:{c.account}:tools-oncall"
        self.zone_id = "Z0" + c.upper(19)
        self.zone = "tools.internal"
        self.portal = ["i-0" + c.hexid(16) for _ in range(r.choice([2, 3]))]
        self.jenkins = "i-0" + c.hexid(16)
        self.agents = ["i-0" + c.hexid(16) for _ in range(2)]
        self.reports = "i-0" + c.hexid(16)
        self.ips = {i: f"10.40.{10 + n % 2 * 16}.{r.randint(10, 240)}" for n, i in enumerate(self.all())}
        self.lb_suffix = c.hexid(16)
        self.lb_name = "tools-internal"
        self.lb = f"app/{self.lb_name}/{self.lb_suffix}"
        self.lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{c.account}:loadbalancer/{self.lb}"
        self.tg_portal = f"targetgroup/tools-portal/{c.hexid(16)}"
        self.tg_jenkins = f"targetgroup/jenkins/{c.hexid(16)}"
        self.tg_arn = {
            tg: f"arn:aws:elasticloadbalancing:{REGION}:{c.account}:{tg}"
            for tg in (self.tg_portal, self.tg_jenkins)
        }
        self.db = "tools-mysql-prod"
        self.db_host_suffix = c.hexid(12)
        self.db_endpoint = f"{self.db}.{self.db_host_suffix}.{REGION}.rds.amazonaws.com"
        self.efs = "fs-0" + c.hexid(16)
        self.efs_gib = r.randint(160, 320)
        self.ci_role = "tools-ec2-ssm"
        self.names = {i: f"tools-portal-{n + 1}" for n, i in enumerate(self.portal)}
        self.names[self.jenkins] = "jenkins-controller"
        for n, i in enumerate(self.agents):
            self.names[i] = f"jenkins-agent-{n + 1}"
        self.names[self.reports] = "reports-etl"

    def all(self) -> list[str]:
        return [*self.portal, self.jenkins, *self.agents, self.reports]

    def az_of(self, i: str) -> str:
        return self.azs[self.all().index(i) % 2]

    def sub_of(self, i: str) -> str:
        return self.subnets[self.all().index(i) % 2]

    # ---- resources ---------------------------------------------------------------------------------
    def add_resources(
        self,
        instance_status: dict[str, str] | None = None,
        ping: dict[str, str] | None = None,
        efs_mode: str = "bursting",
        extra_sg_rules: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        c = self.c
        r = c.rng
        instance_status = instance_status or {}
        ping = ping or {}
        c.res(
            "ec2",
            "Vpc",
            {
                "VpcId": self.vpc,
                "CidrBlock": "10.40.0.0/16",
                "State": "available",
                "OwnerId": c.account,
                "IsDefault": False,
                "Tags": [{"Key": "Name", "Value": "tools-vpc"}],
            },
        )
        for az, sn, n in zip(self.azs, self.subnets, (10, 26), strict=True):
            c.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": sn,
                    "VpcId": self.vpc,
                    "AvailabilityZone": az,
                    "CidrBlock": f"10.40.{n - 10}.0/20" if n == 10 else "10.40.16.0/20",
                    "State": "available",
                    "AvailableIpAddressCount": r.randint(3900, 4050),
                    "MapPublicIpOnLaunch": False,
                    "Tags": [{"Key": "Name", "Value": f"tools-private-{az[-1]}"}],
                },
            )
        self._sgs(extra_sg_rules or {})
        profile_arn = f"arn:aws:iam::{c.account}:instance-profile/{self.ci_role}"
        for i in self.all():
            name = self.names[i]
            itype = {
                "jenkins-controller": "m6i.xlarge",
                "reports-etl": "t3.large",
            }.get(name, "m6i.large" if name.startswith("tools-portal") else "c6i.2xlarge")
            sg = self.sg_ci if "jenkins" in name else self.sg_app
            launched = c.day - timedelta(days=r.randint(3, 90), minutes=r.randint(0, 600))
            c.res(
                "ec2",
                "Instance",
                {
                    "InstanceId": i,
                    "ImageId": "ami-0" + c.hexid(16),
                    "InstanceType": itype,
                    "LaunchTime": iso(launched),
                    "Placement": {"AvailabilityZone": self.az_of(i), "Tenancy": "default"},
                    "PrivateDnsName": f"ip-{self.ips[i].replace('.', '-')}.ec2.internal",
                    "PrivateIpAddress": self.ips[i],
                    "State": {"Code": 16, "Name": "running"},
                    "SubnetId": self.sub_of(i),
                    "VpcId": self.vpc,
                    "Architecture": "x86_64",
                    "RootDeviceName": "/dev/xvda",
                    "RootDeviceType": "ebs",
                    "Monitoring": {"State": "disabled"},
                    "IamInstanceProfile": {"Arn": profile_arn, "Id": "AIPA" + c.upper(17)},
                    "SecurityGroups": [
                        {"GroupId": sg, "GroupName": "tools-ci" if sg == self.sg_ci else "tools-app"}
                    ],
                    "BlockDeviceMappings": [
                        {
                            "DeviceName": "/dev/xvda",
                            "Ebs": {
                                "VolumeId": "vol-0" + c.hexid(16),
                                "Status": "attached",
                                "AttachTime": iso(launched),
                                "DeleteOnTermination": True,
                            },
                        }
                    ],
                    "Tags": [
                        {"Key": "Name", "Value": name},
                        {"Key": "team", "Value": "internal-tools"},
                        {"Key": "PatchGroup", "Value": "tools-al2023"},
                    ],
                },
            )
            ist = instance_status.get(i, "ok")
            c.res(
                "ec2",
                "InstanceStatus",
                {
                    "InstanceId": i,
                    "AvailabilityZone": self.az_of(i),
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": ist,
                        "Details": [
                            {"Name": "reachability", "Status": "passed" if ist == "ok" else "failed"}
                        ],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                },
            )
            c.res(
                "ssm",
                "InstanceInformation",
                {
                    "InstanceId": i,
                    "PingStatus": ping.get(i, "Online"),
                    "LastPingDateTime": iso(c.now - timedelta(minutes=r.randint(1, 4)))
                    if ping.get(i, "Online") == "Online"
                    else iso(c.now - timedelta(minutes=40)),
                    "AgentVersion": "3.3.1142.0",
                    "IsLatestVersion": False,
                    "PlatformType": "Linux",
                    "PlatformName": "Amazon Linux",
                    "PlatformVersion": "2023",
                    "ResourceType": "EC2Instance",
                    "IPAddress": self.ips[i],
                    "ComputerName": f"ip-{self.ips[i].replace('.', '-')}.ec2.internal",
                    "AssociationStatus": "Success",
                },
            )
        c.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.lb_arn,
                "DNSName": f"internal-{self.lb_name}-{r.randint(100000000, 999999999)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
                "CreatedTime": iso(c.day - timedelta(days=600)),
                "LoadBalancerName": self.lb_name,
                "Scheme": "internal",
                "VpcId": self.vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": az, "SubnetId": sn} for az, sn in zip(self.azs, self.subnets, strict=True)
                ],
                "SecurityGroups": [self.sg_alb],
                "IpAddressType": "ipv4",
            },
        )
        for tg, port, path in ((self.tg_portal, 8080, "/status"), (self.tg_jenkins, 8080, "/login")):
            c.res(
                "elbv2",
                "TargetGroup",
                {
                    "TargetGroupArn": self.tg_arn[tg],
                    "TargetGroupName": tg.split("/")[1],
                    "Protocol": "HTTP",
                    "Port": port,
                    "VpcId": self.vpc,
                    "HealthCheckProtocol": "HTTP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckEnabled": True,
                    "HealthCheckIntervalSeconds": 30,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 5,
                    "UnhealthyThresholdCount": 2,
                    "HealthCheckPath": path,
                    "Matcher": {"HttpCode": "200"},
                    "LoadBalancerArns": [self.lb_arn],
                    "TargetType": "instance",
                    "ProtocolVersion": "HTTP1",
                    "IpAddressType": "ipv4",
                },
            )
        c.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": self.db,
                "DBInstanceClass": "db.m6g.large",
                "Engine": "mysql",
                "EngineVersion": "8.0.39",
                "DBInstanceStatus": "available",
                "MasterUsername": "admin",
                "DBName": "tools",
                "Endpoint": {"Address": self.db_endpoint, "Port": 3306, "HostedZoneId": "Z2R2ITUGPM61AM"},
                "AllocatedStorage": 200,
                "InstanceCreateTime": iso(c.day - timedelta(days=700)),
                "PreferredBackupWindow": "07:10-07:40",
                "PreferredMaintenanceWindow": "sun:08:00-sun:08:30",
                "BackupRetentionPeriod": 7,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_db, "Status": "active"}],
                "AvailabilityZone": self.azs[0],
                "MultiAZ": False,
                "StorageType": "gp3",
                "Iops": 3000,
                "DbiResourceId": "db-" + c.upper(26),
                "DBInstanceArn": f"arn:aws:rds:{REGION}:{c.account}:db:{self.db}",
                "PubliclyAccessible": False,
                "StorageEncrypted": True,
                "DBParameterGroups": [
                    {"DBParameterGroupName": "tools-mysql80", "ParameterApplyStatus": "in-sync"}
                ],
            },
        )
        size = self.efs_gib * 1024**3
        c.res(
            "efs",
            "FileSystemDescription",
            {
                "OwnerId": c.account,
                "CreationToken": "tools-shared",
                "FileSystemId": self.efs,
                "FileSystemArn": f"arn:aws:elasticfilesystem:{REGION}:{c.account}:file-system/{self.efs}",
                "CreationTime": iso(c.day - timedelta(days=820)),
                "LifeCycleState": "available",
                "Name": "tools-shared",
                "NumberOfMountTargets": 2,
                "SizeInBytes": {
                    "Value": size,
                    "Timestamp": iso(c.now - timedelta(minutes=14)),
                    "ValueInIA": 0,
                    "ValueInStandard": size,
                },
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "ThroughputMode": efs_mode,
                "Tags": [
                    {"Key": "Name", "Value": "tools-shared"},
                    {"Key": "team", "Value": "internal-tools"},
                ],
            },
        )
        c.res(
            "route53",
            "HostedZone",
            {
                "Id": f"/hostedzone/{self.zone_id}",
                "Name": f"{self.zone}.",
                "CallerReference": c.uid(),
                "Config": {"Comment": "internal tools private zone", "PrivateZone": True},
                "ResourceRecordSetCount": 9,
            },
        )

    def record(self, name: str, rtype: str, value: str, ttl: int = 300) -> None:
        self.c.res(
            "route53",
            "ZoneRecordSet",
            {
                "HostedZoneId": self.zone_id,
                "Name": f"{name}.{self.zone}.",
                "Type": rtype,
                "TTL": ttl,
                "ResourceRecords": [{"Value": value}],
            },
        )

    def standard_records(self, db_target: str | None = None) -> None:
        lbdns = next(x["item"]["DNSName"] for x in self.c.resources if x["type"] == "LoadBalancer")
        for n in ("wiki", "portal", "jenkins"):
            self.record(n, "CNAME", lbdns)
        self.record("mysql", "CNAME", db_target or self.db_endpoint, ttl=60)
        self.record("shared", "CNAME", f"{self.efs}.efs.{REGION}.amazonaws.com")

    def _sgs(self, extra: dict[str, list[dict[str, Any]]]) -> None:
        c = self.c

        def grp(gid: str, name: str, desc: str, perms: list[dict[str, Any]]) -> None:
            c.res(
                "ec2",
                "SecurityGroup",
                {
                    "GroupId": gid,
                    "GroupName": name,
                    "Description": desc,
                    "VpcId": self.vpc,
                    "OwnerId": c.account,
                    "IpPermissions": perms + extra.get(gid, []),
                    "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                    "Tags": [{"Key": "Name", "Value": name}],
                },
            )

        def frm(port: int, *groups: str) -> dict[str, Any]:
            return {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "UserIdGroupPairs": [{"GroupId": g, "UserId": c.account} for g in groups],
            }

        grp(
            self.sg_alb,
            "tools-alb",
            "internal ALB",
            [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
        )
        grp(self.sg_app, "tools-app", "portal and wiki hosts", [frm(8080, self.sg_alb)])
        grp(
            self.sg_ci,
            "tools-ci",
            "jenkins controller and agents",
            [frm(8080, self.sg_alb), frm(50000, self.sg_ci)],
        )
        grp(self.sg_db, "tools-mysql", "tools-mysql-prod", [frm(3306, self.sg_app, self.sg_ci)])
        grp(self.sg_efs, "tools-efs-mt", "EFS mount targets", [frm(2049, self.sg_app, self.sg_ci)])


# ---- background noise ------------------------------------------------------------------------------


def tooling_trail(c: Ctx, e: Estate, n: int, silent: dict[str, datetime] | None = None) -> None:
    """Read-only calls from monitoring, Terraform plans, the console, and SSM agent check-ins."""
    r = c.rng
    grafana = c.role_identity("grafana-cloudwatch-read", "grafana")
    tf = c.role_identity("terraform-plan", "atlantis-" + c.hexid(6))
    agents: list[tuple[str, str, dict[str, Any] | None]] = [
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        ("ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupSet": {}, "filterSet": {}}),
        (
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": e.tg_arn[e.tg_portal]},
        ),
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": e.db}),
        ("elasticfilesystem.amazonaws.com", "DescribeFileSystems", {"fileSystemId": e.efs}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("route53.amazonaws.com", "ListResourceRecordSets", {"hostedZoneId": e.zone_id}),
        ("ssm.amazonaws.com", "DescribeInstanceInformation", {"maxResults": 50}),
    ]
    span = int((c.now - c.start).total_seconds())
    for _ in range(n):
        t = c.start + timedelta(seconds=r.randint(0, span))
        src, name, req = r.choice(agents)
        ident = grafana if src == "monitoring.amazonaws.com" else tf
        c.ct(
            t,
            src,
            name,
            ident,
            req,
            None,
            read_only=True,
            agent="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5",
        )
    for i in e.all():
        ident = c.role_identity(e.ci_role, i)
        t = c.start + timedelta(minutes=r.randint(1, 50))
        stop = (silent or {}).get(i, c.now)
        while t < stop:
            c.ct(
                t,
                "ssm.amazonaws.com",
                "UpdateInstanceInformation",
                ident,
                {"instanceId": i, "agentVersion": "3.3.1142.0", "platformType": "Linux"},
                None,
                agent="aws-sdk-go/1.44.327 (go1.22.6; linux; amd64) amazon-ssm-agent/3.3.1142.0",
                ip=e.ips[i],
            )
            t += timedelta(minutes=r.randint(55, 75))


def patch_scan(c: Ctx, e: Estate, t: datetime) -> None:
    """The nightly/ daily State Manager patch scan: an association run, seen as SendCommand by SSM."""
    ident = {
        "type": "AWSService",
        "invokedBy": "ssm.amazonaws.com",
    }
    cid = c.uid()
    c.trail.append(
        {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": "ssm.amazonaws.com",
            "eventName": "SendCommand",
            "awsRegion": REGION,
            "sourceIPAddress": "ssm.amazonaws.com",
            "userAgent": "ssm.amazonaws.com",
            "requestParameters": {
                "documentName": "AWS-RunPatchBaseline",
                "targets": [{"key": "tag:PatchGroup", "values": ["tools-al2023"]}],
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "maxConcurrency": "50%",
                "maxErrors": "25%",
            },
            "responseElements": {
                "command": {"commandId": cid, "documentName": "AWS-RunPatchBaseline", "status": "Pending"}
            },
            "requestID": c.uid(),
            "eventID": c.uid(),
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": c.account,
            "eventCategory": "Management",
        }
    )
    for i in e.all():
        c.log(
            "/aws/ssm/AWS-RunPatchBaseline",
            f"{cid}/{i}/PatchLinux/stdout",
            t + timedelta(seconds=c.rng.randint(20, 90)),
            "Patch scan completed. Operation: Scan. Missing: "
            f"{c.rng.randint(0, 6)}, Installed: {c.rng.randint(480, 520)}, Failed: 0",
        )


def portal_access_log(
    c: Ctx,
    e: Estate,
    t: datetime,
    inst: str,
    status: int,
    path: str,
    dur_ms: int,
) -> None:
    c.log(
        "/tools/portal/access",
        f"{inst}/access.log",
        t,
        f"10.40.{c.rng.randint(0, 31)}.{c.rng.randint(2, 250)} - - [{t.strftime('%d/%b/%Y:%H:%M:%S +0000')}] "
        f'"GET {path} HTTP/1.1" {status} {c.rng.randint(800, 90000)} {dur_ms}',
    )


PORTAL_PATHS = [
    "/wiki/display/ENG/Runbooks",
    "/wiki/rest/api/content/search",
    "/portal/requests",
    "/wiki/download/attachments/81232/arch-overview.png",
    "/portal/api/tickets?status=open",
    "/wiki/display/OPS/On-call",
]


def office_load(t: datetime, tz_hours: int) -> float:
    """Relative request rate by local hour (0.05 at night, 1.0 mid-morning)."""
    h = (t.hour + tz_hours) % 24 + t.minute / 60
    if 8 <= h < 18:
        return 0.75 + 0.25 * (1 - abs(h - 11) / 7)
    if 7 <= h < 8 or 18 <= h < 20:
        return 0.35
    return 0.06


class Shape:
    """How the incident bends the estate's normal telemetry; each hook takes a minute and returns a value."""

    def __init__(self, c: Ctx, e: Estate, tz_hours: int) -> None:
        self.c = c
        self.e = e
        self.tz = tz_hours
        self.base_rpm = c.rng.randint(700, 1400)
        self.portal_p50 = c.rng.uniform(0.06, 0.11)
        self.elb_code = 504

    def load(self, t: datetime) -> float:
        return office_load(t, self.tz)

    def portal_latency_factor(self, t: datetime) -> float:
        return 1.0

    def portal_target_5xx(self, t: datetime) -> float:
        return 0.0015

    def portal_elb_5xx(self, t: datetime) -> int:
        return 0

    def portal_unhealthy(self, t: datetime) -> int:
        return 0

    def jenkins_unhealthy(self, t: datetime) -> int:
        return 0

    def jenkins_up(self, t: datetime) -> bool:
        return True

    def instance_check_failed(self, i: str, t: datetime) -> int:
        return 0

    def db_cpu(self, t: datetime) -> float:
        return 9 + 22 * self.load(t)

    def db_read_iops(self, t: datetime) -> float:
        return 40 + 600 * self.load(t)

    def db_connections(self, t: datetime) -> float:
        return 38 + 30 * self.load(t)

    def efs_read_mibs(self, t: datetime) -> float:
        return 2 + 14 * self.load(t)

    def efs_credit_start(self) -> float:
        return 2.1 * 1024**4 * 0.97

    def instance_cpu(self, i: str, t: datetime) -> float | None:
        name = self.e.names[i]
        if name.startswith("tools-portal"):
            return 6 + 30 * self.load(t) / len(self.e.portal)
        if name == "jenkins-controller":
            return 8 + 10 * self.load(t)
        if name == "reports-etl":
            return 2.5
        return 4 + 45 * self.load(t)


def telemetry(c: Ctx, s: Shape) -> None:
    """ALB, EC2, RDS and EFS metrics for every minute of the window, bent by `s`."""
    e = s.e
    r = c.rng
    lb = {"LoadBalancer": e.lb}
    tgp = {"TargetGroup": e.tg_portal, "LoadBalancer": e.lb}
    tgj = {"TargetGroup": e.tg_jenkins, "LoadBalancer": e.lb}
    alb = "AWS/ApplicationELB"
    credit = s.efs_credit_start()
    baseline = e.efs_gib * 50 * 1024  # bytes/s: 50 KiB/s per GiB stored
    burst = 100 * 1024**2
    for t in c.minutes():
        load = s.load(t)
        portal_req = max(1, int(s.base_rpm * load * r.uniform(0.85, 1.15)))
        jenkins_req = max(1, int(s.base_rpm * 0.2 * r.uniform(0.7, 1.3) * (0.4 + load)))
        f = s.portal_latency_factor(t)
        e5 = round(portal_req * s.portal_target_5xx(t) * r.uniform(0.3, 1.7))
        elb5 = s.portal_elb_5xx(t)
        jenk_ok = s.jenkins_up(t)
        c.metric(alb, "RequestCount", lb, t, "Count", portal_req + jenkins_req)
        c.metric(alb, "RequestCount", tgp, t, "Count", portal_req)
        c.metric(alb, "RequestCount", tgj, t, "Count", jenkins_req)
        n = min(portal_req, 25)
        c.dist(
            alb,
            "TargetResponseTime",
            tgp,
            t,
            "Seconds",
            [s.portal_p50 * f * r.lognormvariate(0, 0.55) for _ in range(n)],
        )
        if jenk_ok:
            c.dist(
                alb,
                "TargetResponseTime",
                tgj,
                t,
                "Seconds",
                [0.18 * r.lognormvariate(0, 0.7) for _ in range(min(jenkins_req, 15))],
            )
        if e5:
            c.metric(alb, "HTTPCode_Target_5XX_Count", tgp, t, "Count", e5)
        c.metric(alb, "HTTPCode_Target_2XX_Count", tgp, t, "Count", max(0, portal_req - e5 - elb5))
        if jenk_ok:
            c.metric(alb, "HTTPCode_Target_2XX_Count", tgj, t, "Count", jenkins_req)
            jelb = 0
        else:
            jelb = jenkins_req
        elb_total = elb5 + jelb
        if elb_total:
            c.metric(alb, "HTTPCode_ELB_5XX_Count", lb, t, "Count", elb_total)
            codes = {504: jelb}
            codes[s.elb_code] = codes.get(s.elb_code, 0) + elb5
            for code, n_code in sorted(codes.items()):
                if n_code:
                    c.metric(alb, f"HTTPCode_ELB_{code}_Count", lb, t, "Count", n_code)
        pu = s.portal_unhealthy(t)
        c.metric(alb, "HealthyHostCount", tgp, t, "Count", len(e.portal) - pu)
        c.metric(alb, "UnHealthyHostCount", tgp, t, "Count", pu)
        ju = s.jenkins_unhealthy(t)
        c.metric(alb, "HealthyHostCount", tgj, t, "Count", 1 - ju)
        c.metric(alb, "UnHealthyHostCount", tgj, t, "Count", ju)
        c.metric(alb, "ActiveConnectionCount", lb, t, "Count", int((portal_req + jenkins_req) * 0.3))
        # RDS (1-minute, published for every instance)
        rds = {"DBInstanceIdentifier": e.db}
        c.metric("AWS/RDS", "CPUUtilization", rds, t, "Percent", c.jitter(s.db_cpu(t), 0.08))
        c.metric(
            "AWS/RDS", "DatabaseConnections", rds, t, "Count", round(c.jitter(s.db_connections(t), 0.05))
        )
        c.metric("AWS/RDS", "ReadIOPS", rds, t, "Count/Second", c.jitter(s.db_read_iops(t), 0.15))
        c.metric("AWS/RDS", "WriteIOPS", rds, t, "Count/Second", c.jitter(30 + 120 * load, 0.2))
        c.metric("AWS/RDS", "FreeableMemory", rds, t, "Bytes", c.jitter(1.9 * 1024**3, 0.02))
        c.metric("AWS/RDS", "ReadLatency", rds, t, "Seconds", c.jitter(0.0009, 0.3))
        # EFS (1-minute): credits, permitted and metered throughput
        efs = {"FileSystemId": e.efs}
        demand = s.efs_read_mibs(t) * 1024**2 * r.uniform(0.85, 1.15)
        write = 0.2 * demand
        permitted = burst if credit > 0 else baseline
        used = min(demand + write, permitted)
        credit = max(0.0, credit + (baseline - used) * 60)
        credit = min(credit, 2.1 * 1024**4)
        c.metric("AWS/EFS", "BurstCreditBalance", efs, t, "Bytes", credit)
        c.metric("AWS/EFS", "PermittedThroughput", efs, t, "Bytes/Second", permitted)
        rd = used * demand / (demand + write)
        c.metric("AWS/EFS", "DataReadIOBytes", efs, t, "Bytes", rd * 60)
        c.metric("AWS/EFS", "DataWriteIOBytes", efs, t, "Bytes", (used - rd) * 60)
        c.metric("AWS/EFS", "MeteredIOBytes", efs, t, "Bytes", used * 60)
        c.metric("AWS/EFS", "TotalIOBytes", efs, t, "Bytes", used * 60 * 1.04)
        c.metric("AWS/EFS", "ClientConnections", efs, t, "Count", len(e.all()) - 1)
        c.metric("AWS/EFS", "PercentIOLimit", efs, t, "Percent", min(100.0, 4 + 18 * load))
        # EC2 status checks (1-minute) and basic-monitoring CPU (5-minute)
        for i in e.all():
            dims = {"InstanceId": i}
            bad = s.instance_check_failed(i, t)
            c.metric("AWS/EC2", "StatusCheckFailed", dims, t, "Count", bad)
            c.metric("AWS/EC2", "StatusCheckFailed_Instance", dims, t, "Count", bad)
            c.metric("AWS/EC2", "StatusCheckFailed_System", dims, t, "Count", 0)
            if t.minute % 5 == 0:
                v = s.instance_cpu(i, t)
                if v is not None:
                    c.metric("AWS/EC2", "CPUUtilization", dims, t, "Percent", c.jitter(v, 0.12))


def target_timeline(
    c: Ctx, tg_arn: str, inst: str, points: list[tuple[datetime, str, str | None, str | None]]
) -> None:
    """DescribeTargetHealth points for one target: (time, state, reason, description)."""
    for t, state, reason, desc in points:
        health: dict[str, Any] = {"State": state}
        if reason:
            health["Reason"] = reason
        if desc:
            health["Description"] = desc
        c.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": inst, "Port": 8080},
                    "health": health,
                    "timestamp": iso(t),
                },
            }
        )


def healthy_targets(c: Ctx, e: Estate, skip: tuple[str, ...] = ()) -> None:
    for i in e.portal:
        if i not in skip:
            target_timeline(c, e.tg_arn[e.tg_portal], i, [(c.start, "healthy", None, None)])
    if e.jenkins not in skip:
        target_timeline(c, e.tg_arn[e.tg_jenkins], e.jenkins, [(c.start, "healthy", None, None)])


def local_offset(tz: str, day: datetime) -> int:
    from zoneinfo import ZoneInfo

    off = ZoneInfo(tz).utcoffset(day)
    return int(off.total_seconds() // 3600) if off else 0
