"""Shared helpers for one game backend account: EC2 game servers in an ASG behind an NLB, DynamoDB,
ElastiCache for Redis and Global Accelerator, with the ordinary noise of a live account."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest

GAMES = ["skyforge", "ironvale", "starhollow", "embercrest", "duskrift"]
REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"]
AZ_SUFFIX = ["a", "b", "c"]
LOCAL_TZ = {
    "eu-west-1": "Europe/London",
    "eu-central-1": "Europe/Berlin",
    "us-east-1": "America/New_York",
    "us-west-2": "America/Los_Angeles",
}


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Env:
    """One account's telemetry being written for one incident."""

    def __init__(self, seed: int, *, hours_before: float = 3.6, minutes_after: int = 45) -> None:
        self.rng = random.Random(seed)
        r = self.rng
        self.game = r.choice(GAMES)
        self.account = "".join(r.choice("0123456789") for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "3" + self.account[1:]
        self.region = r.choice(REGIONS)
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.local = LOCAL_TZ[self.region]
        self.tz = ZoneInfo(self.local)
        self.onset = (
            datetime(day.year, day.month, day.day, r.randint(18, 21), r.randint(0, 59), tzinfo=self.tz)
        ).astimezone(UTC)
        self.start = (self.onset - timedelta(hours=hours_before)).replace(second=0, minute=0)
        self.now = self.onset + timedelta(minutes=minutes_after + r.randint(0, 8))
        self.end = self.now + timedelta(minutes=10)
        self.azs = [self.region + s for s in AZ_SUFFIX]
        self.ct: list[dict[str, Any]] = []
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        g = self.game
        self.asg = f"{g}-gs-prod"
        self.nlb = f"{g}-gs-nlb"
        self.tg = f"{g}-gs-udp7777"
        self.nlb_arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:loadbalancer/net/{self.nlb}/{self.hex(16)}"
        self.tg_arn = (
            f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:targetgroup/{self.tg}/{self.hex(16)}"
        )
        self.nlb_dim = self.nlb_arn.split(":loadbalancer/")[1]
        self.tg_dim = "targetgroup/" + self.tg_arn.split(":targetgroup/")[1]
        self.table = f"{g}-player-state"
        self.table2 = f"{g}-match-history"
        self.redis = f"{g}-sessions"
        self.redis_nodes = [f"{self.redis}-001", f"{self.redis}-002"]
        self.vpc = "vpc-" + self.hex(17)
        self.subnets = ["subnet-" + self.hex(17) for _ in self.azs]
        self.sg_gs = "sg-" + self.hex(17)
        self.sg_redis = "sg-" + self.hex(17)
        self.lt_id = "lt-" + self.hex(17)
        self.ami = "ami-" + self.hex(17)
        self.role = f"{g}-gameserver-role"
        self.build = f"{r.randint(1, 3)}.{r.randint(10, 40)}.{r.randint(0, 9)}"
        self.lt_version = r.randint(40, 90)
        self.instances: list[dict[str, Any]] = []
        self.people = [
            (
                "AWSReservedSSO_PlatformAdmin_" + self.hex(16),
                r.choice(["maria.okafor", "j.lindqvist", "tomasz.b"]),
            ),
            (
                "AWSReservedSSO_Developer_" + self.hex(16),
                r.choice(["priya.n", "kenji.watanabe", "lucas.ferreira"]),
            ),
            (
                "AWSReservedSSO_FinOps_" + self.hex(16),
                r.choice(["hannah.cole", "rafael.souza", "aylin.demir"]),
            ),
        ]

    # --- ids ---------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:]}"

    def reqid(self) -> str:
        return self.uuid()

    def minutes(self, step: int = 1) -> list[datetime]:
        out, t = [], self.start
        while t <= self.end:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    def load(self, t: datetime) -> float:
        """Players online as a fraction of the evening peak (local evening is the peak)."""
        lt = t.astimezone(self.tz)
        h = lt.hour + lt.minute / 60.0
        return max(0.18, 0.6 + 0.4 * math.sin((h - 14.0) / 24.0 * 2 * math.pi))

    # --- identities ---------------------------------------------------------------------------------
    def sso(self, which: int) -> dict[str, Any]:
        role, user = self.people[which]
        pid = "AROA" + self.hex(17).upper()
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}@{self.game}games.com",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}@{self.game}games.com",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hex(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(self.start + timedelta(minutes=5)),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def role_ident(self, role: str, session: str) -> dict[str, Any]:
        pid = "AROA" + self.hex(17).upper()
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hex(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def service_ident(self, svc: str) -> dict[str, Any]:
        return {"type": "AWSService", "invokedBy": svc}

    # --- records -----------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        req: dict[str, Any] | None,
        resp: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[dict[str, Any]] | None = None,
    ) -> str:
        eid = self.uuid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if ident.get("type") != "AWSService" else "1.05",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or (
                ident.get("invokedBy")
                if ident.get("type") == "AWSService"
                else f"203.0.113.{self.rng.randint(2, 250)}"
            ),
            "userAgent": ident.get("invokedBy") if ident.get("type") == "AWSService" else agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.reqid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall" if ident.get("type") != "AWSService" else "AwsServiceEvent"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if ident.get("type") == "AssumedRole" and not ip:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.ct.append(rec)
        return eid

    def metric(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str = "None"
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": value,
            }
        )

    def stat(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        n: float,
        s: float,
        lo: float,
        hi: float,
        unit: str,
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": n,
                    "Sum": s,
                    "Minimum": min(lo, hi),
                    "Maximum": max(lo, hi),
                },
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    # --- alarms ------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        op: str,
        threshold: float,
        periods: int,
        *,
        period: int = 60,
        description: str = "",
        missing: str = "missing",
        topic: str = "pager",
        transitions: list[tuple[datetime, str, str]] | None = None,
        unit: str | None = None,
    ) -> dict[str, Any]:
        """transitions: (time, new state, reason). State at now is the last one at or before now."""
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        sns = f"arn:aws:sns:{self.region}:{self.account}:{self.game}-{topic}"
        trans = sorted(transitions or [], key=lambda x: x[0])
        state, reason, when = (
            "OK",
            "Threshold Crossed: no datapoints were breaching",
            self.start - timedelta(days=2),
        )
        for t, s, rsn in trans:
            if t <= self.now:
                state, reason, when = s, rsn, t
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [sns],
            "AlarmActions": [sns],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(when),
            "StateTransitionedTimestamp": iso(when),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": periods,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        prev = "OK"
        for t, s, rsn in trans:
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {prev} to {s}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": prev},
                            "newState": {"stateValue": s, "stateReason": rsn},
                        }
                    ),
                }
            )
            prev = s
        return item

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, prev_time: datetime
    ) -> dict[str, Any]:
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold",
                    "timestamp": prev_time.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.hex(8) + "-" + self.hex(4),
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
                                },
                                "period": alarm["Period"],
                                "stat": alarm["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- the standing estate -----------------------------------------------------------------------
    def make_instances(self, n: int, *, launched_before: timedelta = timedelta(hours=20)) -> None:
        for i in range(n):
            az = self.azs[i % 3]
            sub = self.subnets[i % 3]
            ip = f"10.40.{16 * (i % 3) + self.rng.randint(1, 14)}.{self.rng.randint(5, 250)}"
            launch = self.start - launched_before - timedelta(minutes=self.rng.randint(0, 600))
            self.instances.append(
                {
                    "id": "i-" + self.hex(17),
                    "az": az,
                    "subnet": sub,
                    "ip": ip,
                    "eni": "eni-" + self.hex(17),
                    "vol": "vol-" + self.hex(17),
                    "launch": launch,
                    "type": "c6i.2xlarge",
                    "state": "running",
                }
            )

    def instance_item(self, ins: dict[str, Any]) -> dict[str, Any]:
        running = ins["state"] == "running"
        item: dict[str, Any] = {
            "InstanceId": ins["id"],
            "ImageId": self.ami,
            "InstanceType": ins["type"],
            "LaunchTime": iso(ins["launch"]),
            "Placement": {"AvailabilityZone": ins["az"], "Tenancy": "default", "GroupName": ""},
            "PrivateIpAddress": ins["ip"],
            "PrivateDnsName": f"ip-{ins['ip'].replace('.', '-')}.{self.region}.compute.internal",
            "SubnetId": ins["subnet"],
            "VpcId": self.vpc,
            "State": {"Code": 16 if running else 48, "Name": ins["state"]},
            "Monitoring": {"State": "enabled"},
            "Architecture": "x86_64",
            "RootDeviceType": "ebs",
            "RootDeviceName": "/dev/xvda",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(ins["launch"] + timedelta(seconds=2)),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": ins["vol"],
                    },
                }
            ],
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{self.account}:instance-profile/{self.role}",
                "Id": "AIPA" + self.hex(17).upper(),
            },
            "SecurityGroups": [{"GroupId": self.sg_gs, "GroupName": f"{self.game}-gameserver"}],
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": ins["eni"],
                    "SubnetId": ins["subnet"],
                    "VpcId": self.vpc,
                    "PrivateIpAddress": ins["ip"],
                    "Status": "in-use",
                    "Groups": [{"GroupId": self.sg_gs, "GroupName": f"{self.game}-gameserver"}],
                }
            ],
            "Tags": [
                {"Key": "aws:autoscaling:groupName", "Value": self.asg},
                {"Key": "Name", "Value": f"{self.game}-gameserver"},
                {"Key": "aws:ec2launchtemplate:id", "Value": self.lt_id},
                {"Key": "aws:ec2launchtemplate:version", "Value": str(ins.get("ltv", self.lt_version))},
                {"Key": "build", "Value": ins.get("build", self.build)},
            ],
        }
        if not running:
            item["StateReason"] = {
                "Code": "Client.UserInitiatedShutdown",
                "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
            }
            item["StateTransitionReason"] = f"User initiated ({iso(ins['stopped'])})"
            del item["NetworkInterfaces"]
        return item

    def add_estate(
        self,
        *,
        desired: int,
        min_size: int,
        max_size: int,
        health_check_type: str = "EC2",
        eviction_policy: str = "volatile-lru",
        node_type: str = "cache.r6g.large",
        table_billing: dict[str, Any] | None = None,
        extra_asg: dict[str, Any] | None = None,
    ) -> None:
        """Resources every incident in this account shares."""
        a = self
        running = [i for i in a.instances if i["state"] == "running"]
        for ins in a.instances:
            a.res("ec2", "Instance", a.instance_item(ins))
        for ins in running:
            a.res(
                "ec2",
                "InstanceStatus",
                {
                    "AvailabilityZone": ins["az"],
                    "InstanceId": ins["id"],
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                },
            )
        asg: dict[str, Any] = {
            "AutoScalingGroupName": a.asg,
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{a.region}:{a.account}:autoScalingGroup:{a.uuid()}:autoScalingGroupName/{a.asg}",
            "LaunchTemplate": {
                "LaunchTemplateId": a.lt_id,
                "LaunchTemplateName": f"{a.game}-gameserver",
                "Version": "$Latest",
            },
            "MinSize": min_size,
            "MaxSize": max_size,
            "DesiredCapacity": desired,
            "DefaultCooldown": 300,
            "AvailabilityZones": a.azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": [a.tg_arn],
            "HealthCheckType": health_check_type,
            "HealthCheckGracePeriod": 300,
            "Instances": [
                {
                    "InstanceId": i["id"],
                    "InstanceType": i["type"],
                    "AvailabilityZone": i["az"],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": a.lt_id,
                        "LaunchTemplateName": f"{a.game}-gameserver",
                        "Version": str(i.get("ltv", a.lt_version)),
                    },
                    "ProtectedFromScaleIn": False,
                }
                for i in running
            ],
            "CreatedTime": "2024-03-11T10:22:41Z",
            "VPCZoneIdentifier": ",".join(a.subnets),
            "EnabledMetrics": [{"Metric": "GroupInServiceInstances", "Granularity": "1Minute"}],
            "Tags": [
                {
                    "ResourceId": a.asg,
                    "ResourceType": "auto-scaling-group",
                    "Key": "team",
                    "Value": "game-platform",
                    "PropagateAtLaunch": True,
                }
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{a.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
        }
        if extra_asg:
            asg.update(extra_asg)
        a.res("autoscaling", "AutoScalingGroup", asg)
        a.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": a.nlb_arn,
                "DNSName": f"{a.nlb}-{a.hex(16)}.elb.{a.region}.amazonaws.com",
                "CanonicalHostedZoneId": "Z2IFOLAFXWLO4F",
                "CreatedTime": "2024-03-11T10:05:12Z",
                "LoadBalancerName": a.nlb,
                "Scheme": "internet-facing",
                "VpcId": a.vpc,
                "State": {"Code": "active"},
                "Type": "network",
                "AvailabilityZones": [
                    {"ZoneName": z, "SubnetId": s} for z, s in zip(a.azs, a.subnets, strict=True)
                ],
                "IpAddressType": "ipv4",
            },
        )
        a.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": a.tg_arn,
                "TargetGroupName": a.tg,
                "Protocol": "UDP",
                "Port": 7777,
                "VpcId": a.vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "8080",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 6,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200-399"},
                "LoadBalancerArns": [a.nlb_arn],
                "TargetType": "instance",
                "IpAddressType": "ipv4",
            },
        )
        acc_arn = f"arn:aws:globalaccelerator::{a.account}:accelerator/{a.uuid()}"
        a.res(
            "globalaccelerator",
            "Accelerator",
            {
                "AcceleratorArn": acc_arn,
                "Name": f"{a.game}-play",
                "IpAddressType": "IPV4",
                "Enabled": True,
                "IpSets": [
                    {
                        "IpFamily": "IPv4",
                        "IpAddresses": [
                            f"75.2.{a.rng.randint(1, 254)}.{a.rng.randint(1, 254)}",
                            f"99.83.{a.rng.randint(1, 254)}.{a.rng.randint(1, 254)}",
                        ],
                        "IpAddressFamily": "IPv4",
                    }
                ],
                "DnsName": f"a{a.hex(16)}.awsglobalaccelerator.com",
                "Status": "DEPLOYED",
                "CreatedTime": "2024-03-12T09:14:02Z",
                "LastModifiedTime": "2025-11-02T16:40:55Z",
            },
        )
        a.res(
            "globalaccelerator",
            "EndpointGroup",
            {
                "EndpointGroupArn": f"{acc_arn}/listener/{a.hex(8)}/endpoint-group/{a.hex(12)}",
                "EndpointGroupRegion": a.region,
                "EndpointDescriptions": [
                    {
                        "EndpointId": a.nlb_arn,
                        "Weight": 128,
                        "HealthState": "HEALTHY",
                        "ClientIPPreservationEnabled": False,
                    }
                ],
                "TrafficDialPercentage": 100.0,
                "HealthCheckPort": 8080,
                "HealthCheckProtocol": "TCP",
                "HealthCheckIntervalSeconds": 30,
                "ThresholdCount": 3,
            },
        )
        billing = table_billing or {
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": "2024-03-11T10:00:00Z",
            }
        }
        for tname, size in ((a.table, 48_000_000_000), (a.table2, 310_000_000_000)):
            item: dict[str, Any] = {
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "TableName": tname,
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": "2024-03-11T09:58:00Z",
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": size + a.rng.randint(0, 10**9),
                "ItemCount": size // 900,
                "TableArn": f"arn:aws:dynamodb:{a.region}:{a.account}:table/{tname}",
                "TableId": a.uuid(),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": "2024-03-11T10:00:00Z",
                },
                "DeletionProtectionEnabled": True,
            }
            if tname == a.table:
                item.update(billing)
            a.res("dynamodb", "TableDescription", item)
        a.add_redis(eviction_policy=eviction_policy, node_type=node_type)
        a.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": a.role,
                "RoleId": "AROA" + a.hex(17).upper(),
                "Arn": f"arn:aws:iam::{a.account}:role/{a.role}",
                "CreateDate": "2024-03-11T09:50:00Z",
                "AssumeRolePolicyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
                "MaxSessionDuration": 3600,
            },
        )
        a.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/{a.game}/gameserver",
                "creationTime": 1710150000000,
                "retentionInDays": 14,
                "arn": f"arn:aws:logs:{a.region}:{a.account}:log-group:/{a.game}/gameserver:*",
                "storedBytes": 91_000_000_000,
            },
        )

    def add_redis(self, *, eviction_policy: str, node_type: str) -> None:
        a = self
        pg = f"{a.game}-redis7-sessions"
        a.res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": a.redis,
                "Description": "player sessions, lobbies, matchmaking tickets",
                "Status": "available",
                "MemberClusters": a.redis_nodes,
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {
                            "Address": f"master.{a.redis}.{a.hex(6)}.{a.region[:2]}{a.region[3:4]}1.cache.amazonaws.com",
                            "Port": 6379,
                        },
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": a.redis_nodes[0],
                                "CacheNodeId": "0001",
                                "PreferredAvailabilityZone": a.azs[0],
                                "CurrentRole": "primary",
                            },
                            {
                                "CacheClusterId": a.redis_nodes[1],
                                "CacheNodeId": "0001",
                                "PreferredAvailabilityZone": a.azs[1],
                                "CurrentRole": "replica",
                            },
                        ],
                    }
                ],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "ClusterEnabled": False,
                "CacheNodeType": node_type,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{a.region}:{a.account}:replicationgroup:{a.redis}",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "05:00-06:00",
                "Engine": "redis",
            },
        )
        for i, node in enumerate(a.redis_nodes):
            a.res(
                "elasticache",
                "CacheCluster",
                {
                    "CacheClusterId": node,
                    "CacheNodeType": node_type,
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": a.azs[i],
                    "CacheClusterCreateTime": "2024-03-11T10:12:00Z",
                    "PreferredMaintenanceWindow": "tue:04:00-tue:05:00",
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": pg,
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": f"{a.game}-cache-private",
                    "SecurityGroups": [{"SecurityGroupId": a.sg_redis, "Status": "active"}],
                    "ReplicationGroupId": a.redis,
                    "ARN": f"arn:aws:elasticache:{a.region}:{a.account}:cluster:{node}",
                    "TransitEncryptionEnabled": True,
                    "AtRestEncryptionEnabled": True,
                },
            )
        a.res(
            "elasticache",
            "CacheParameterGroup",
            {
                "CacheParameterGroupName": pg,
                "CacheParameterGroupFamily": "redis7",
                "Description": "sessions cluster",
                "IsGlobal": False,
                "ARN": f"arn:aws:elasticache:{a.region}:{a.account}:parametergroup:{pg}",
            },
        )
        a.res(
            "elasticache",
            "CacheParameterGroupParameter",
            {
                "CacheParameterGroupName": pg,
                "ParameterName": "maxmemory-policy",
                "ParameterValue": eviction_policy,
                "Description": "Max memory policy.",
                "Source": "user",
                "DataType": "string",
                "AllowedValues": "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
                "IsModifiable": True,
                "MinimumEngineVersion": "7.0.0",
                "ChangeType": "immediate",
            },
        )

    # --- background telemetry ----------------------------------------------------------------------
    def background_trail(self, n: int = 34) -> None:
        """Read-only tooling, scheduled jobs and a dashboard user: the ordinary hum of CloudTrail."""
        a = self
        mon = a.role_ident("DatadogIntegrationRole", "DatadogAWSIntegration")
        tf = a.role_ident(f"{a.game}-ci-terraform-plan", "gha-" + a.hex(8))
        span = (a.now - a.start).total_seconds()
        calls: list[tuple[dict[str, Any], str, str, dict[str, Any] | None]] = [
            (mon, "ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            (mon, "autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
            (mon, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": a.tg_arn}),
            (mon, "elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            (mon, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": a.table}),
            (mon, "dynamodb.amazonaws.com", "ListTables", None),
            (mon, "monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/NetworkELB"}),
            (tf, "dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": a.table2}),
            (
                tf,
                "ec2.amazonaws.com",
                "DescribeSecurityGroups",
                {"groupIdSet": {"items": [{"groupId": a.sg_gs}]}},
            ),
            (tf, "elasticache.amazonaws.com", "DescribeReplicationGroups", {"replicationGroupId": a.redis}),
            (
                tf,
                "ec2.amazonaws.com",
                "DescribeLaunchTemplateVersions",
                {
                    "DescribeLaunchTemplateVersionsRequest": {
                        "LaunchTemplateId": a.lt_id,
                        "LaunchTemplateVersion": {"content": "$Latest", "tag": 1},
                    }
                },
            ),
        ]
        for _ in range(n):
            ident, src, name, req = a.rng.choice(calls)
            t = a.start + timedelta(seconds=a.rng.uniform(0, span))
            a.trail(
                t,
                src,
                name,
                ident,
                req,
                None,
                read_only=True,
                agent="Datadog Botocore/1.34.0"
                if ident is mon
                else "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 aws-sdk-go-v2/1.26.1",
            )
        # the daily DynamoDB backup job
        tb = a.start + timedelta(minutes=a.rng.randint(20, 80))
        a.trail(
            tb,
            "dynamodb.amazonaws.com",
            "CreateBackup",
            a.role_ident("AWSBackupDefaultServiceRole", "AWSBackup-" + a.hex(8)),
            {"tableName": a.table2, "backupName": f"{a.table2}-daily"},
            {
                "backupDetails": {
                    "backupArn": f"arn:aws:dynamodb:{a.region}:{a.account}:table/{a.table2}/backup/0{ms(tb)}-{a.hex(8)}",
                    "backupName": f"{a.table2}-daily",
                    "backupStatus": "CREATING",
                    "backupType": "USER",
                    "backupCreationDateTime": iso(tb),
                }
            },
            agent="backup.amazonaws.com",
        )
        a.ct.sort(key=lambda r: r["eventTime"])

    def deploy(self, t: datetime, new_version: int, build: str, desc: str) -> None:
        """CI rolls a new game server build: new launch template version, then an instance refresh."""
        a = self
        ci = a.role_ident(f"{a.game}-ci-deploy", "gha-" + a.hex(8))
        agent = "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0"
        a.trail(
            t,
            "ec2.amazonaws.com",
            "CreateLaunchTemplateVersion",
            ci,
            {
                "CreateLaunchTemplateVersionRequest": {
                    "LaunchTemplateId": a.lt_id,
                    "SourceVersion": str(new_version - 1),
                    "VersionDescription": desc,
                    "LaunchTemplateData": {"ImageId": a.ami},
                }
            },
            {
                "CreateLaunchTemplateVersionResponse": {
                    "launchTemplateVersion": {
                        "launchTemplateId": a.lt_id,
                        "launchTemplateName": f"{a.game}-gameserver",
                        "versionNumber": new_version,
                        "versionDescription": desc,
                        "createTime": iso(t),
                    }
                }
            },
            agent=agent,
        )
        a.trail(
            t + timedelta(seconds=4),
            "ec2.amazonaws.com",
            "ModifyLaunchTemplate",
            ci,
            {
                "ModifyLaunchTemplateRequest": {
                    "LaunchTemplateId": a.lt_id,
                    "SetDefaultVersion": str(new_version),
                }
            },
            {
                "ModifyLaunchTemplateResponse": {
                    "launchTemplate": {
                        "launchTemplateId": a.lt_id,
                        "launchTemplateName": f"{a.game}-gameserver",
                        "defaultVersionNumber": new_version,
                        "latestVersionNumber": new_version,
                    }
                }
            },
            agent=agent,
        )

    def gs_log_hum(self, every_min: int = 6, skip: set[str] | None = None) -> None:
        """Normal game server log lines: matches starting and ending, the odd client timeout."""
        a = self
        grp = f"/{a.game}/gameserver"
        maps = ["harbor", "foundry", "glacier", "canyon", "ruins"]
        for ins in a.instances:
            if skip and ins["id"] in skip:
                continue
            t = a.start + timedelta(seconds=a.rng.randint(0, 300))
            while t < a.end and ins["state"] == "running":
                mid = "m-" + a.hex(10)
                players = a.rng.randint(8, 12)
                a.log(
                    grp,
                    f"{ins['id']}/gameserver.log",
                    t,
                    f"{iso(t)[:-1]}.{a.rng.randint(100, 999)}Z INFO  match {mid} started map={a.rng.choice(maps)} players={players} build={ins.get('build', a.build)}",
                )
                if a.rng.random() < 0.15:
                    a.log(
                        grp,
                        f"{ins['id']}/gameserver.log",
                        t + timedelta(seconds=95),
                        f"{iso(t + timedelta(seconds=95))[:-1]}.{a.rng.randint(100, 999)}Z WARN  match {mid} client {a.hex(8)} timed out (no packets for 10s), slot released",
                    )
                te = t + timedelta(minutes=a.rng.randint(9, 14))
                if te < a.end:
                    a.log(
                        grp,
                        f"{ins['id']}/gameserver.log",
                        te,
                        f"{iso(te)[:-1]}.{a.rng.randint(100, 999)}Z INFO  match {mid} ended duration={int((te - t).total_seconds())}s results_saved=true",
                    )
                t += timedelta(minutes=every_min + a.rng.randint(0, 4), seconds=a.rng.randint(0, 59))

    def bundle(self, title: str, trigger: dict[str, Any], truth: dict[str, Any]) -> Bundle:
        self.ct.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
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
                "cloudtrail": self.ct,
                "resources": self.resources,
                "events": self.events,
            },
        )


def _keep(value: float) -> float:
    return value


class Mods:
    """Per-incident adjustments to the standard series: fn(key, t, value) -> value, or None to publish nothing."""

    def __init__(self, fn: Any = None) -> None:
        self.fn = fn

    def __call__(self, key: str, t: datetime, value: float) -> float | None:
        if self.fn is None:
            return value
        out: float | None = self.fn(key, t, value)
        return out


def standard_metrics(env: Env, peak_players: int, mods: Mods | None = None, hosts: int | None = None) -> None:
    """NLB, EC2, DynamoDB, ElastiCache and the game's own player gauge, one point a minute."""
    a = env
    m = mods or Mods()
    r = a.rng
    running = [i for i in a.instances if i["state"] == "running"]
    n_hosts = hosts if hosts is not None else len(running)
    lb = {"LoadBalancer": a.nlb_dim, "TargetGroup": a.tg_dim}
    for t in a.minutes():
        players = peak_players * a.load(t) * r.uniform(0.97, 1.03)
        for key, ns, name, dims, val, unit in (
            (
                "players",
                f"{a.game.capitalize()}/GameServer",
                "ConnectedPlayers",
                {"AutoScalingGroupName": a.asg},
                players,
                "Count",
            ),
            (
                "flows",
                "AWS/NetworkELB",
                "ActiveFlowCount_UDP",
                {"LoadBalancer": a.nlb_dim},
                players * 1.02,
                "Count",
            ),
            (
                "newflows",
                "AWS/NetworkELB",
                "NewFlowCount_UDP",
                {"LoadBalancer": a.nlb_dim},
                players * r.uniform(0.05, 0.09),
                "Count",
            ),
            (
                "bytes",
                "AWS/NetworkELB",
                "ProcessedBytes",
                {"LoadBalancer": a.nlb_dim},
                players * 60 * 14_500 * r.uniform(0.95, 1.05),
                "Bytes",
            ),
            ("healthy", "AWS/NetworkELB", "HealthyHostCount", lb, float(n_hosts), "Count"),
            ("unhealthy", "AWS/NetworkELB", "UnHealthyHostCount", lb, 0.0, "Count"),
        ):
            v = m(key, t, round(val, 1) if key != "bytes" else float(int(val)))
            if v is not None:
                if key in ("healthy", "unhealthy"):
                    a.stat(ns, name, dims, t, 6, v * 6, v, v, unit)
                else:
                    a.metric(ns, name, dims, t, v, unit)
        for ins in running:
            cpu = m("cpu:" + ins["id"], t, round(18 + 52 * a.load(t) * r.uniform(0.9, 1.1), 2))
            if cpu is not None:
                a.metric("AWS/EC2", "CPUUtilization", {"InstanceId": ins["id"]}, t, cpu, "Percent")
        wcu = m("ddb.write", t, round(players * 0.42 * 60 * r.uniform(0.9, 1.1)))
        if wcu is not None:
            a.stat(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                {"TableName": a.table},
                t,
                max(1, wcu // 2),
                wcu,
                1,
                6,
                "Count",
            )
        rcu = m("ddb.read", t, round(players * 0.9 * 60 * r.uniform(0.9, 1.1)))
        if rcu is not None:
            a.stat(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                {"TableName": a.table},
                t,
                max(1, rcu // 1.5),
                rcu,
                0.5,
                4,
                "Count",
            )
        mw = round(players * 0.02 * 60 * r.uniform(0.8, 1.2))
        a.stat(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": a.table2},
            t,
            max(1, mw // 3),
            mw,
            1,
            9,
            "Count",
        )
        for op, base in (("PutItem", 5.8), ("GetItem", 3.1), ("UpdateItem", 6.4)):
            lat = m(f"ddb.lat.{op}", t, base * r.uniform(0.9, 1.12))
            if lat is not None:
                n = max(1.0, float(int(players * (0.3 if op != "GetItem" else 0.8) * 60)))
                a.stat(
                    "AWS/DynamoDB",
                    "SuccessfulRequestLatency",
                    {"TableName": a.table, "Operation": op},
                    t,
                    n,
                    round(lat * n, 1),
                    round(base * 0.35, 2),
                    round(lat * 9.5, 2),
                    "Milliseconds",
                )
        for idx, node in enumerate(a.redis_nodes):
            d = {"CacheClusterId": node, "CacheNodeId": "0001"}
            prim = idx == 0
            for key, name, val, unit in (
                (
                    "redis.cpu",
                    "EngineCPUUtilization",
                    (6 + 30 * a.load(t)) * (1 if prim else 0.35) * r.uniform(0.9, 1.1),
                    "Percent",
                ),
                ("redis.hostcpu", "CPUUtilization", (4 + 10 * a.load(t)) * r.uniform(0.9, 1.1), "Percent"),
                (
                    "redis.mem",
                    "DatabaseMemoryUsagePercentage",
                    38 + 14 * a.load(t) + r.uniform(-0.3, 0.3),
                    "Percent",
                ),
                (
                    "redis.conns",
                    "CurrConnections",
                    (len(running) * 24 + 12 if prim else 14) + r.randint(-2, 2),
                    "Count",
                ),
                ("redis.evictions", "Evictions", 0.0, "Count"),
                (
                    "redis.hits",
                    "CacheHits",
                    players * 55 * r.uniform(0.9, 1.1) if prim else players * 3,
                    "Count",
                ),
                ("redis.misses", "CacheMisses", players * 1.2 * r.uniform(0.8, 1.2) if prim else 4, "Count"),
                ("redis.repl", "ReplicationLag", 0.0 if prim else r.uniform(0.001, 0.02), "Seconds"),
            ):
                if key == "redis.repl" and prim:
                    continue
                v = m(f"{key}:{idx}", t, round(val, 2))
                if v is not None:
                    a.metric("AWS/ElastiCache", name, d, t, v, unit)
