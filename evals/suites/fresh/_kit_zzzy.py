"""Private helpers for one author's hotel-booking incidents (a chain's booking platform linked to on-prem PMS)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """One incident being written: ids, clock and the records collected so far."""

    def __init__(self, seed: int, salt: str, onset_hour: tuple[int, int]) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "3" + self.account[1:]
        self.region = r.choice(["us-east-1", "us-west-2", "us-east-2"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.onset = day.replace(hour=onset_hour[0], minute=onset_hour[1]) + timedelta(
            minutes=r.randint(0, 25), seconds=r.randint(0, 59)
        )
        self.start = (self.onset - timedelta(hours=4, minutes=r.randint(0, 30))).replace(second=0)
        self.now = (self.onset + timedelta(minutes=r.randint(38, 55))).replace(second=0)
        self.end = self.now
        self.rec: dict[str, list[Rec]] = {
            k: []
            for k in (
                "metrics",
                "alarms",
                "alarm_history",
                "logs",
                "cloudtrail",
                "resources",
                "events",
            )
        }
        self.vpc = "vpc-" + self.hex(17)
        self.subnets = ["subnet-" + self.hex(17) for _ in range(2)]
        self.azs = [self.region + "a", self.region + "b"]
        self.alb_name = "booking-prod-alb"
        self.alb_suffix = self.hex(16)
        self.alb_dim = f"app/{self.alb_name}/{self.alb_suffix}"
        self.tg_suffix = self.hex(16)
        self.tg_dim = f"targetgroup/booking-api-tg/{self.tg_suffix}"
        self.cluster = "reservations-prod"
        self.db_cluster = "booking-aurora-prod"
        self.tgw = "tgw-" + self.hex(17)
        self.tgw_vpc_att = "tgw-attach-" + self.hex(17)
        self.tgw_vpn_att = "tgw-attach-" + self.hex(17)
        self.vpn = "vpn-" + self.hex(17)
        self.cgw = "cgw-" + self.hex(17)
        self.cgw_ip = f"203.0.113.{r.randint(10, 250)}"
        self.tunnel_ips = [
            f"3.{r.randint(20, 230)}.{r.randint(1, 250)}.{r.randint(1, 250)}" for _ in range(2)
        ]
        self.out_ep = "rslvr-out-" + self.hex(17)
        self.rule = "rslvr-rr-" + self.hex(17)
        self.onprem_dns = [f"10.60.0.{r.randint(10, 20)}", f"10.60.1.{r.randint(10, 20)}"]
        self.pms_ip = f"10.60.4.{r.randint(20, 60)}"
        self.sg_app = "sg-" + self.hex(17)
        self.sg_alb = "sg-" + self.hex(17)
        self.sg_db = "sg-" + self.hex(17)
        self.sg_rslvr = "sg-" + self.hex(17)
        self.topic = f"arn:aws:sns:{self.region}:{self.account}:booking-oncall"
        self.tz_offset = r.choice([-5, -6, -7])
        self.desired = r.randint(6, 10)
        self.deploy_at = self.onset - timedelta(hours=r.randint(20, 60), minutes=r.randint(0, 59))
        self.db_suffix = "c" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(11))
        self.pool = 10
        self.db_class = "db.r6g.large"
        self.tunnel_changed: list[datetime | None] = [None, None]
        self.rule_modified: datetime | None = None
        self.rule_targets = list(self.onprem_dns)
        self.tg_arn = ""
        self.svc_arn = ""
        self.td_rev = 0
        self.td_arn = ""
        self.image_tag = ""

    def reclock(self, onset: datetime) -> None:
        """Move the incident to another onset, keeping the baseline and the time after it."""
        self.start = (onset - (self.onset - self.start)).replace(second=0, microsecond=0)
        self.now = onset + (self.now - self.onset)
        self.end = self.now
        self.deploy_at = onset - (self.onset - self.deploy_at)
        self.onset = onset

    # --- ids ---------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def minutes(self) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.end:
            out.append(t)
            t += timedelta(minutes=1)
        return out

    # --- records -----------------------------------------------------------------------------------
    def metric(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str = "Count"
    ) -> None:
        self.rec["metrics"].append(
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
        self, ns: str, name: str, dims: dict[str, str], t: datetime, values: list[float], unit: str
    ) -> None:
        self.rec["metrics"].append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [round(v, 4) for v in values],
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.rec["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def resource(self, service: str, type_: str, item: Rec) -> None:
        self.rec["resources"].append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: Rec) -> None:
        self.rec["events"].append({"source": source, "item": item})

    def role_identity(self, role: str, session: str, t: datetime) -> Rec:
        pid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=self.rng.randint(2, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def sso(self, perm_set: str, user: str, t: datetime) -> Rec:
        role = f"AWSReservedSSO_{perm_set}_{self.hex(16)}"
        ident = self.role_identity(role, user, t)
        ident["sessionContext"]["sessionIssuer"]["arn"] = (
            f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}"
        )
        return ident

    def service_identity(self, service: str) -> Rec:
        return {"type": "AWSService", "invokedBy": service}

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: Rec,
        req: Rec | None,
        resp: Rec | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.9",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        eid = self.uuid()
        rec: Rec = {
            "eventVersion": "1.10" if identity.get("type") != "AWSService" else "1.08",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip or (source if identity.get("type") == "AWSService" else self._ip()),
            "userAgent": agent if identity.get("type") != "AWSService" else source,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uuid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if identity.get("type") != "AWSService":
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.rec["cloudtrail"].append(rec)
        return eid

    def _ip(self) -> str:
        return f"{self.rng.choice([52, 54, 18, 34])}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}"

    # --- alarms ------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        desc: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        state: str,
        state_at: datetime,
        reason: str,
        *,
        missing: str = "missing",
        actions: list[str] | None = None,
    ) -> Rec:
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": actions if actions is not None else [self.topic],
            "AlarmActions": actions if actions is not None else [self.topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(state_at),
            "StateTransitionedTimestamp": iso(state_at),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        self.rec["alarms"].append(a)
        return a

    def history(self, name: str, t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.rec["alarm_history"].append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )

    def alarm_event(self, alarm: Rec, t: datetime, prev: str, reason: str) -> Rec:
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
                    "value": prev,
                    "reason": "Threshold Crossed: no datapoints were breaching.",
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.uuid(),
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

    def bundle(
        self, title: str, question: str | None, alarm_event: Rec | None, tz: str, truth: Rec
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": tz},
                "truth": truth,
            }
        )
        self.rec["cloudtrail"].sort(key=lambda r: str(r["eventTime"]))
        self.rec["logs"].sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        return Bundle(manifest, {k: v for k, v in self.rec.items() if v})


def local_clock(t: datetime, offset_hours: int) -> str:
    """A clock time as a person in a zone `offset_hours` from UTC would say it ("4:40pm")."""
    lt = t + timedelta(hours=offset_hours)
    h = lt.hour % 12 or 12
    return f"{h}:{lt.minute:02d}{'am' if lt.hour < 12 else 'pm'}"


class Shape:
    """How the platform behaves minute by minute; incidents replace the parts that go wrong."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.base_rps = ctx.rng.randint(55, 95)

    def load(self, t: datetime) -> float:
        """Requests a second at the ALB: a smooth daily curve keyed on the property's local hour."""
        local = (t.hour + t.minute / 60 + self.ctx.tz_offset) % 24
        curve = 0.25 + 0.75 * max(0.0, 1 - abs(local - 14.5) / 10.5)
        return self.base_rps * curve

    def target_5xx(self, t: datetime) -> int:
        r = self.ctx.rng.random()
        return 0 if r < 0.7 else self.ctx.rng.randint(1, 3)

    def latency_ms(self, t: datetime) -> float:
        return 85.0

    def tasks(self, t: datetime) -> int:
        return self.ctx.desired

    def db_connections(self, t: datetime) -> float:
        return self.tasks(t) * 10 + 24 + self.ctx.rng.uniform(-3, 3)

    def db_cpu(self, t: datetime) -> float:
        return 14 + self.load(t) / self.base_rps * 22 + self.ctx.rng.uniform(-2, 2)

    def tunnel_up(self, t: datetime, i: int) -> bool:
        return True

    def pms_bytes(self, t: datetime) -> float:
        return (self.load(t) * 60 * 2600) * self.ctx.rng.uniform(0.85, 1.15)

    def backlog_since(self, t: datetime) -> datetime | None:
        """When pms-outbound stopped draining, if it has."""
        return None


def build_base(ctx: Ctx, sh: Shape) -> None:
    """Resources, steady telemetry and everyday CloudTrail noise of the booking platform's account."""
    r = ctx.rng
    c = ctx
    lb_arn = c.arn("elasticloadbalancing", f"loadbalancer/{c.alb_dim}")
    tg_arn = c.arn("elasticloadbalancing", f"targetgroup/booking-api-tg/{c.tg_suffix}")
    c.tg_arn = tg_arn
    cluster_arn = c.arn("ecs", f"cluster/{c.cluster}")
    created = c.start - timedelta(days=r.randint(300, 700))
    c.resource(
        "ec2",
        "Vpc",
        {
            "VpcId": c.vpc,
            "CidrBlock": "10.20.0.0/16",
            "State": "available",
            "OwnerId": c.account,
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": "booking-prod"}],
        },
    )
    for i, s in enumerate(c.subnets):
        c.resource(
            "ec2",
            "Subnet",
            {
                "SubnetId": s,
                "VpcId": c.vpc,
                "AvailabilityZone": c.azs[i],
                "CidrBlock": f"10.20.{10 + i * 16}.0/20",
                "State": "available",
                "AvailableIpAddressCount": r.randint(3900, 4050),
                "Tags": [{"Key": "Name", "Value": f"booking-prod-private-{c.azs[i][-1]}"}],
            },
        )
    c.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{c.alb_name}-{r.randint(100000000, 999999999)}.{c.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(created),
            "LoadBalancerName": c.alb_name,
            "Scheme": "internet-facing",
            "VpcId": c.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": c.azs[i], "SubnetId": c.subnets[i]} for i in range(2)],
            "SecurityGroups": [c.sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    c.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "booking-api-tg",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": c.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/actuator/health/liveness",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    c.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": c.cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": sh.tasks(c.now) + 3,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    c.td_rev = r.randint(120, 260)
    c.td_arn = c.arn("ecs", f"task-definition/booking-api:{c.td_rev}")
    c.image_tag = f"2026.{r.randint(1, 12)}.{r.randint(1, 28)}-{c.hex(7)}"
    c.resource(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": c.td_arn,
            "family": "booking-api",
            "revision": c.td_rev,
            "status": "ACTIVE",
            "taskRoleArn": f"arn:aws:iam::{c.account}:role/booking-api-task",
            "executionRoleArn": f"arn:aws:iam::{c.account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "compatibilities": ["EC2", "FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "registeredAt": iso(c.deploy_at - timedelta(minutes=6)),
            "registeredBy": f"arn:aws:sts::{c.account}:assumed-role/github-actions-deploy/GitHubActions",
            "containerDefinitions": [
                {
                    "name": "booking-api",
                    "image": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/booking-api:{c.image_tag}",
                    "cpu": 0,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                    "environment": [
                        {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                        {"name": "PMS_BASE_URL", "value": "https://pms-gw.props.larkspur.local:8443/ohip"},
                        {
                            "name": "DB_HOST",
                            "value": f"{c.db_cluster}.cluster-{c.db_suffix}.{c.region}.rds.amazonaws.com",
                        },
                        {"name": "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "value": str(c.pool)},
                    ],
                    "secrets": [
                        {
                            "name": "DB_PASSWORD",
                            "valueFrom": c.arn("secretsmanager", f"secret:prod/booking-api/db-{c.hex(6)}"),
                        }
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/booking-api",
                            "awslogs-region": c.region,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        },
    )
    svc_arn = c.arn("ecs", f"service/{c.cluster}/booking-api")
    c.svc_arn = svc_arn
    c.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "booking-api",
            "clusterArn": cluster_arn,
            "status": "ACTIVE",
            "desiredCount": sh.tasks(c.now),
            "runningCount": sh.tasks(c.now),
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": c.td_arn,
            "loadBalancers": [
                {"targetGroupArn": tg_arn, "containerName": "booking-api", "containerPort": 8080}
            ],
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": f"ecs-svc/{r.randint(10**18, 10**19 - 1)}",
                    "status": "PRIMARY",
                    "taskDefinition": c.td_arn,
                    "desiredCount": sh.tasks(c.now),
                    "pendingCount": 0,
                    "runningCount": sh.tasks(c.now),
                    "failedTasks": 0,
                    "createdAt": iso(c.deploy_at),
                    "updatedAt": iso(c.deploy_at + timedelta(minutes=7)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": iso(created),
            "healthCheckGracePeriodSeconds": 90,
            "schedulingStrategy": "REPLICA",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": c.subnets,
                    "securityGroups": [c.sg_app],
                    "assignPublicIp": "DISABLED",
                }
            },
            "deploymentController": {"type": "ECS"},
            "enableExecuteCommand": False,
        },
    )
    c.resource(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": c.db_cluster,
            "DBClusterArn": c.arn("rds", f"cluster:{c.db_cluster}"),
            "Engine": "aurora-mysql",
            "EngineVersion": "8.0.mysql_aurora.3.05.2",
            "Status": "available",
            "Endpoint": f"{c.db_cluster}.cluster-{c.db_suffix}.{c.region}.rds.amazonaws.com",
            "ReaderEndpoint": f"{c.db_cluster}.cluster-ro-{c.db_suffix}.{c.region}.rds.amazonaws.com",
            "Port": 3306,
            "MultiAZ": True,
            "AvailabilityZones": c.azs,
            "DBClusterParameterGroup": "booking-aurora-mysql80",
            "DBSubnetGroup": "booking-prod-db",
            "DatabaseName": "booking",
            "MasterUsername": "admin",
            "PreferredBackupWindow": "07:00-07:30",
            "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
            "BackupRetentionPeriod": 14,
            "StorageEncrypted": True,
            "DeletionProtection": True,
            "DBClusterMembers": [
                {
                    "DBInstanceIdentifier": f"{c.db_cluster}-1",
                    "IsClusterWriter": True,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
                {
                    "DBInstanceIdentifier": f"{c.db_cluster}-2",
                    "IsClusterWriter": False,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
            ],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": c.sg_db, "Status": "active"}],
            "ClusterCreateTime": iso(created),
            "EnabledCloudwatchLogsExports": ["error", "slowquery"],
        },
    )
    for i in (1, 2):
        c.resource(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": f"{c.db_cluster}-{i}",
                "DBInstanceClass": c.db_class,
                "Engine": "aurora-mysql",
                "DBInstanceStatus": "available",
                "EngineVersion": "8.0.mysql_aurora.3.05.2",
                "DBClusterIdentifier": c.db_cluster,
                "AvailabilityZone": c.azs[i - 1],
                "PromotionTier": 1,
                "DBParameterGroups": [
                    {"DBParameterGroupName": "default.aurora-mysql8.0", "ParameterApplyStatus": "in-sync"}
                ],
                "Endpoint": {
                    "Address": f"{c.db_cluster}-{i}.{c.db_suffix}.{c.region}.rds.amazonaws.com",
                    "Port": 3306,
                },
                "InstanceCreateTime": iso(created),
                "PubliclyAccessible": False,
                "MonitoringInterval": 0,
                "PerformanceInsightsEnabled": False,
                "DBInstanceArn": c.arn("rds", f"db:{c.db_cluster}-{i}"),
            },
        )
    c.resource(
        "ec2",
        "TransitGateway",
        {
            "TransitGatewayId": c.tgw,
            "TransitGatewayArn": c.arn("ec2", f"transit-gateway/{c.tgw}"),
            "State": "available",
            "OwnerId": c.account,
            "Description": "hub: booking VPCs + DC1",
            "CreationTime": iso(created),
            "Options": {"AmazonSideAsn": 64512},
        },
    )
    c.resource(
        "ec2",
        "TransitGatewayAttachment",
        {
            "TransitGatewayAttachmentId": c.tgw_vpc_att,
            "TransitGatewayId": c.tgw,
            "TransitGatewayOwnerId": c.account,
            "ResourceOwnerId": c.account,
            "ResourceType": "vpc",
            "ResourceId": c.vpc,
            "State": "available",
            "Association": {"TransitGatewayRouteTableId": "tgw-rtb-" + c.hex(17), "State": "associated"},
            "CreationTime": iso(created),
            "Tags": [{"Key": "Name", "Value": "booking-prod-vpc"}],
        },
    )
    c.resource(
        "ec2",
        "TransitGatewayAttachment",
        {
            "TransitGatewayAttachmentId": c.tgw_vpn_att,
            "TransitGatewayId": c.tgw,
            "TransitGatewayOwnerId": c.account,
            "ResourceOwnerId": c.account,
            "ResourceType": "vpn",
            "ResourceId": c.vpn,
            "State": "available",
            "Association": {"TransitGatewayRouteTableId": "tgw-rtb-" + c.hex(17), "State": "associated"},
            "CreationTime": iso(created),
            "Tags": [{"Key": "Name", "Value": "dc1-vpn"}],
        },
    )
    c.resource(
        "ec2",
        "CustomerGateway",
        {
            "CustomerGatewayId": c.cgw,
            "State": "available",
            "Type": "ipsec.1",
            "IpAddress": c.cgw_ip,
            "BgpAsn": "65010",
            "DeviceName": "dc1-edge-fw01",
            "Tags": [{"Key": "Name", "Value": "dc1-edge-fw01"}],
        },
    )
    tel = []
    for i, ip in enumerate(c.tunnel_ips):
        up = sh.tunnel_up(c.now, i)
        changed = c.tunnel_changed[i]
        last = (
            changed
            if changed is not None
            else c.start - timedelta(days=r.randint(3, 40), minutes=r.randint(0, 900))
        )
        tel.append(
            {
                "OutsideIpAddress": ip,
                "Status": "UP" if up else "DOWN",
                "StatusMessage": f"{r.randint(12, 40)} BGP ROUTES" if up else "",
                "AcceptedRouteCount": r.randint(12, 40) if up else 0,
                "LastStatusChange": iso(last),
            }
        )
    c.resource(
        "ec2",
        "VpnConnection",
        {
            "VpnConnectionId": c.vpn,
            "State": "available",
            "Type": "ipsec.1",
            "CustomerGatewayId": c.cgw,
            "TransitGatewayId": c.tgw,
            "Category": "VPN",
            "GatewayAssociationState": "associated",
            "Options": {
                "StaticRoutesOnly": False,
                "EnableAcceleration": False,
                "TunnelInsideIpVersion": "ipv4",
                "LocalIpv4NetworkCidr": "0.0.0.0/0",
                "RemoteIpv4NetworkCidr": "0.0.0.0/0",
                "OutsideIpAddressType": "PublicIpv4",
                "TunnelOptions": [
                    {
                        "OutsideIpAddress": ip,
                        "DpdTimeoutSeconds": 30,
                        "DpdTimeoutAction": "clear",
                        "LogOptions": {
                            "CloudWatchLogOptions": {
                                "LogEnabled": True,
                                "LogGroupArn": c.arn("logs", "log-group:/aws/vpn/dc1:*"),
                                "LogOutputFormat": "json",
                            }
                        },
                    }
                    for ip in c.tunnel_ips
                ],
            },
            "VgwTelemetry": tel,
            "Tags": [{"Key": "Name", "Value": "dc1-vpn"}],
        },
    )
    c.resource(
        "route53resolver",
        "ResolverEndpoint",
        {
            "Id": c.out_ep,
            "Arn": c.arn("route53resolver", f"resolver-endpoint/{c.out_ep}"),
            "Name": "booking-prod-outbound",
            "SecurityGroupIds": [c.sg_rslvr],
            "Direction": "OUTBOUND",
            "IpAddressCount": 2,
            "HostVPCId": c.vpc,
            "Status": "OPERATIONAL",
            "StatusMessage": "This Resolver Endpoint is operational.",
            "CreationTime": created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "ModificationTime": created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "ResolverEndpointType": "IPV4",
            "Protocols": ["Do53"],
        },
    )
    rule_mod = c.rule_modified or created
    c.resource(
        "route53resolver",
        "ResolverRule",
        {
            "Id": c.rule,
            "CreatorRequestId": "tf-" + c.hex(20),
            "Arn": c.arn("route53resolver", f"resolver-rule/{c.rule}"),
            "DomainName": "props.larkspur.local.",
            "Status": "COMPLETE",
            "StatusMessage": "[Trace id: 1-"
            + c.hex(8)
            + "-"
            + c.hex(24)
            + "] Successfully updated Resolver Rule.",
            "RuleType": "FORWARD",
            "Name": "dc1-properties",
            "TargetIps": [{"Ip": ip, "Port": 53, "Protocol": "Do53"} for ip in c.rule_targets],
            "ResolverEndpointId": c.out_ep,
            "OwnerId": c.account,
            "ShareStatus": "NOT_SHARED",
            "CreationTime": created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "ModificationTime": rule_mod.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        },
    )
    for g in (
        "/ecs/booking-api",
        "/ecs/pms-bridge",
        "/aws/vpn/dc1",
        f"/aws/rds/cluster/{c.db_cluster}/error",
    ):
        c.resource(
            "logs",
            "LogGroup",
            {
                "logGroupName": g,
                "arn": c.arn("logs", f"log-group:{g}:*"),
                "creationTime": ms(created),
                "retentionInDays": 30,
                "storedBytes": r.randint(10**8, 10**10),
            },
        )
    c.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/pms-outbound",
            "Attributes": {
                "QueueArn": c.arn("sqs", "pms-outbound"),
                "VisibilityTimeout": "120",
                "MessageRetentionPeriod": "345600",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": c.arn("sqs", "pms-outbound-dlq"), "maxReceiveCount": 8}
                ),
            },
            "Tags": {"app": "booking"},
        },
    )
    for name, gid, desc in (
        (c.sg_app, "booking-api-tasks", "booking-api Fargate tasks"),
        (c.sg_db, "booking-aurora", "Aurora MySQL from app"),
        (c.sg_alb, "booking-alb", "public ALB"),
        (c.sg_rslvr, "resolver-outbound", "Route 53 Resolver outbound"),
    ):
        c.resource(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": name,
                "GroupName": gid,
                "Description": desc,
                "VpcId": c.vpc,
                "OwnerId": c.account,
                "IpPermissions": [],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
    _steady_metrics(c, sh)
    _noise_trail(c)


def _steady_metrics(c: Ctx, sh: Shape) -> None:
    r = c.rng
    lb = {"LoadBalancer": c.alb_dim}
    tg = {"TargetGroup": c.tg_dim, "LoadBalancer": c.alb_dim}
    svc = {"ClusterName": c.cluster, "ServiceName": "booking-api"}
    for t in c.minutes():
        rpm = sh.load(t) * 60 * r.uniform(0.93, 1.07)
        c.metric("AWS/ApplicationELB", "RequestCount", lb, t, int(rpm))
        c.metric("AWS/ApplicationELB", "RequestCount", tg, t, int(rpm))
        e = sh.target_5xx(t)
        if e:
            c.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, t, e)
            c.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, t, e)
        c.metric("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tg, t, max(0, int(rpm * 0.95) - e))
        c.metric("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tg, t, int(rpm * r.uniform(0.03, 0.05)))
        lat = sh.latency_ms(t) / 1000
        c.dist(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lb,
            t,
            [
                lat * r.uniform(0.4, 0.8),
                lat * r.uniform(0.8, 1.1),
                lat * r.uniform(1.2, 1.6),
                lat * r.uniform(2.5, 4),
            ],
            "Seconds",
        )
        c.metric("AWS/ApplicationELB", "HealthyHostCount", tg, t, sh.tasks(t))
        c.metric("AWS/ApplicationELB", "UnHealthyHostCount", tg, t, 0)
        n = max(1, sh.tasks(t))
        c.metric(
            "AWS/ECS",
            "CPUUtilization",
            svc,
            t,
            min(99, 18 + sh.load(t) * 60 / n / 90 * r.uniform(0.9, 1.1)),
            "Percent",
        )
        c.metric("AWS/ECS", "MemoryUtilization", svc, t, 61 + r.uniform(-2, 2), "Percent")
        for i in (1, 2):
            dbi = {"DBInstanceIdentifier": f"{c.db_cluster}-{i}"}
            conns = sh.db_connections(t) if i == 1 else 30 + r.uniform(-4, 4)
            c.metric("AWS/RDS", "DatabaseConnections", dbi, t, int(conns))
            c.metric(
                "AWS/RDS",
                "CPUUtilization",
                dbi,
                t,
                sh.db_cpu(t) if i == 1 else 9 + r.uniform(-2, 2),
                "Percent",
            )
        b = sh.pms_bytes(t)
        c.metric(
            "AWS/TransitGateway",
            "BytesOut",
            {"TransitGateway": c.tgw, "TransitGatewayAttachment": c.tgw_vpn_att},
            t,
            b,
            "Bytes",
        )
        c.metric(
            "AWS/TransitGateway",
            "BytesIn",
            {"TransitGateway": c.tgw, "TransitGatewayAttachment": c.tgw_vpn_att},
            t,
            b * 1.6,
            "Bytes",
        )
        if t.minute % 5 == 0:
            total = 0
            for i, ip in enumerate(c.tunnel_ips):
                up = sh.tunnel_up(t, i)
                total += 1 if up else 0
                c.metric(
                    "AWS/VPN",
                    "TunnelState",
                    {"VpnId": c.vpn, "TunnelIpAddress": ip},
                    t,
                    1 if up else 0,
                    "None",
                )
                share = (0.5 if all(sh.tunnel_up(t, j) for j in (0, 1)) else 1.0) if up else 0.0
                c.metric(
                    "AWS/VPN",
                    "TunnelDataOut",
                    {"VpnId": c.vpn, "TunnelIpAddress": ip},
                    t,
                    b * 5 * share,
                    "Bytes",
                )
                c.metric(
                    "AWS/VPN",
                    "TunnelDataIn",
                    {"VpnId": c.vpn, "TunnelIpAddress": ip},
                    t,
                    b * 8 * share,
                    "Bytes",
                )
            c.metric("AWS/VPN", "TunnelState", {"VpnId": c.vpn}, t, total / 2, "None")
            q = {"QueueName": "pms-outbound"}
            since = sh.backlog_since(t)
            if since is None:
                age, depth = 4 + r.uniform(0, 8), r.randint(0, 6)
            else:
                age = (t - since).total_seconds() + r.uniform(0, 20)
                depth = int((t - since).total_seconds() / 60 * sh.load(t) * 0.9)
            c.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", q, t, int(age), "Seconds")
            c.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, t, depth)
            c.metric("AWS/SQS", "NumberOfMessagesSent", q, t, int(sh.load(t) * 300 * 0.28))
            c.metric(
                "AWS/Route53Resolver",
                "OutboundQueryVolume",
                {"EndpointId": c.out_ep},
                t,
                int(sh.load(t) * 300 * 0.9 * r.uniform(0.9, 1.1)),
            )


_READERS: list[tuple[str, str, Rec | None]] = [
    ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeVpnConnections", {"vpnConnectionSet": {}, "filterSet": {}}),
    (
        "ec2.amazonaws.com",
        "DescribeTransitGatewayAttachments",
        {"DescribeTransitGatewayAttachmentsRequest": {}},
    ),
    ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", None),
    ("ecs.amazonaws.com", "DescribeServices", None),
    ("rds.amazonaws.com", "DescribeDBClusters", None),
    ("monitoring.amazonaws.com", "GetMetricData", None),
    ("route53resolver.amazonaws.com", "ListResolverRules", {"maxResults": 100}),
]


def _noise_trail(c: Ctx) -> None:
    """Everyday CloudTrail: monitoring pollers, task credentials, secrets, scheduled jobs, people."""
    r = c.rng
    t = c.start + timedelta(minutes=r.randint(0, 6))
    dd = "datadog-integration"
    while t < c.now:
        src, name, fixed = r.choice(_READERS)
        polls: dict[str, Rec] = {
            "ecs.amazonaws.com": {"cluster": c.cluster, "services": ["booking-api", "pms-bridge"]},
            "elasticloadbalancing.amazonaws.com": {"targetGroupArn": c.tg_arn},
            "rds.amazonaws.com": {"dBClusterIdentifier": c.db_cluster},
            "monitoring.amazonaws.com": {"startTime": iso(t - timedelta(minutes=10)), "endTime": iso(t)},
        }
        req: Rec = fixed if fixed is not None else polls[src]
        c.ct(
            t,
            src,
            name,
            c.role_identity(dd, f"datadog-{c.hex(8)}", t),
            req,
            None,
            read_only=True,
            agent="Datadog/1.0 aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
        )
        t += timedelta(minutes=r.randint(6, 14), seconds=r.randint(0, 59))
    t = c.start + timedelta(minutes=r.randint(0, 20))
    while t < c.now:
        c.ct(
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            c.role_identity("ecsTaskExecutionRole", c.hex(32), t),
            {"secretId": c.arn("secretsmanager", f"secret:prod/booking-api/db-{c.hex(6)}")},
            None,
            read_only=True,
            agent="ecs.amazonaws.com",
            ip="ecs.amazonaws.com",
        )
        t += timedelta(minutes=r.randint(25, 55))
    t = c.start + timedelta(minutes=r.randint(0, 15))
    while t < c.now:
        c.ct(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            c.service_identity("secretsmanager.amazonaws.com"),
            {
                "encryptionContext": {"SecretARN": c.arn("secretsmanager", "secret:prod/booking-api/db")},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            None,
            read_only=True,
        )
        c.ct(
            t + timedelta(seconds=r.randint(1, 4)),
            "sts.amazonaws.com",
            "AssumeRole",
            c.service_identity("ecs-tasks.amazonaws.com"),
            {"roleArn": f"arn:aws:iam::{c.account}:role/booking-api-task", "roleSessionName": c.hex(32)},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + c.hex(16).upper(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE...",
                    "expiration": (t + timedelta(hours=6)).strftime("%b %d, %Y, %I:%M:%S %p"),
                }
            },
            read_only=True,
        )
        t += timedelta(minutes=r.randint(15, 35))
    # hourly rate/availability sync pulled from the PMS by a scheduled Fargate task
    t = c.start.replace(minute=0) + timedelta(hours=1)
    while t < c.now:
        c.ct(
            t + timedelta(seconds=r.randint(1, 9)),
            "ecs.amazonaws.com",
            "RunTask",
            c.role_identity("eventbridge-scheduler-ecs", c.hex(32), t),
            {
                "cluster": c.cluster,
                "taskDefinition": "availability-sync",
                "count": 1,
                "launchType": "FARGATE",
                "startedBy": "chronos-" + c.hex(10),
            },
            {
                "tasks": [
                    {"taskArn": c.arn("ecs", f"task/{c.cluster}/{c.hex(32)}"), "lastStatus": "PROVISIONING"}
                ],
                "failures": [],
            },
            agent="scheduler.amazonaws.com",
        )
        t += timedelta(hours=1)
    # people: a console look around, an unrelated SG edit, a tag edit, alarm tweaks
    ops = c.sso(
        "PlatformEngineer",
        r.choice(["maria.okafor@larkspurhotels.com", "dev.sharma@larkspurhotels.com"]),
        c.start,
    )
    when = c.start + timedelta(minutes=r.randint(20, 80))
    c.ct(
        when,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        ops,
        {
            "groupId": "sg-" + c.hex(17),
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {"items": [{"cidrIp": "10.60.8.0/24", "description": "dc1 jump hosts"}]},
                    }
                ]
            },
        },
        {
            "requestId": c.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": c.account,
                        "groupId": "sg-" + c.hex(17),
                        "securityGroupRuleId": "sgr-" + c.hex(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": "10.60.8.0/24",
                    }
                ]
            },
        },
        agent="AWS Internal",
    )
    c.ct(
        when + timedelta(minutes=r.randint(2, 30)),
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        ops,
        {"stateValue": "ALARM"},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    c.ct(
        c.start + timedelta(minutes=r.randint(90, 150)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        c.role_identity("terraform-apply", "terraform", c.start),
        {
            "alarmName": "guest-profile-api-p99-latency",
            "metricName": "TargetResponseTime",
            "namespace": "AWS/ApplicationELB",
            "statistic": None,
            "extendedStatistic": "p99",
            "period": 300,
            "evaluationPeriods": 3,
            "threshold": 1.5,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.41.0",
    )


PROPS = ["LKS-DEN-02", "LKS-SLC-01", "LKS-BOI-03", "LKS-PHX-04", "LKS-ABQ-01", "LKS-TUS-02"]


def spring(t: datetime, level: str, thread: str, logger: str, msg: str, app: str = "booking-api") -> str:
    stamp = t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} 1 --- [{app}] [{thread:>15}] {logger:<40} : {msg}"


def task_ids(c: Ctx, n: int) -> list[str]:
    return [c.hex(32) for _ in range(n)]


def booking_logs(c: Ctx, tasks: list[str], extra: Any = None) -> None:
    """Ordinary request logging of booking-api; `extra(t, task)` adds an incident's lines for that minute."""
    r = c.rng
    for t in c.minutes():
        for _ in range(2):
            task = r.choice(tasks)
            at = t + timedelta(seconds=r.randint(0, 59), microseconds=r.randint(0, 999) * 1000)
            kind = r.random()
            if kind < 0.55:
                msg = (
                    f"GET /v2/availability property={r.choice(PROPS)} nights={r.randint(1, 5)} "
                    f"status=200 took={r.randint(18, 90)}ms"
                )
                logger = "c.l.b.api.AvailabilityController"
            elif kind < 0.85:
                msg = (
                    f"POST /v2/reservations property={r.choice(PROPS)} status=201 confirmation=LK{r.randint(10**7, 10**8 - 1)} "
                    f"took={r.randint(180, 520)}ms"
                )
                logger = "c.l.b.api.ReservationController"
            elif kind < 0.95:
                msg = f"GET /v2/reservations/LK{r.randint(10**7, 10**8 - 1)} status=200 took={r.randint(9, 40)}ms"
                logger = "c.l.b.api.ReservationController"
            else:
                msg = f"POST /v2/reservations property={r.choice(PROPS)} status=409 reason=RATE_EXPIRED took={r.randint(20, 60)}ms"
                logger = "c.l.b.api.ReservationController"
            c.log(
                "/ecs/booking-api",
                f"ecs/booking-api/{task}",
                at,
                spring(at, "INFO", f"nio-8080-exec-{r.randint(1, 40)}", logger, msg),
            )
        if extra is not None:
            for task in tasks:
                for at, line in extra(t, task):
                    c.log("/ecs/booking-api", f"ecs/booking-api/{task}", at, line)


def pms_bridge_logs(c: Ctx, extra: Any = None) -> None:
    """pms-bridge: drains pms-outbound and pushes reservations to the on-prem PMS over the VPN."""
    r = c.rng
    tasks = task_ids(c, 2)
    for t in c.minutes():
        lines = extra(t) if extra is not None else None
        if lines is None:
            for _ in range(r.randint(2, 4)):
                at = t + timedelta(seconds=r.randint(0, 59), microseconds=r.randint(0, 999) * 1000)
                c.log(
                    "/ecs/pms-bridge",
                    f"ecs/pms-bridge/{r.choice(tasks)}",
                    at,
                    spring(
                        at,
                        "INFO",
                        "pool-2-thread-" + str(r.randint(1, 8)),
                        "c.l.pms.ohip.ReservationPusher",
                        f"pushed confirmation=LK{r.randint(10**7, 10**8 - 1)} property={r.choice(PROPS)} "
                        f"pmsResv={r.randint(100000, 999999)} http=200 took={r.randint(120, 480)}ms",
                        "pms-bridge",
                    ),
                )
        else:
            for at, line in lines:
                c.log("/ecs/pms-bridge", f"ecs/pms-bridge/{r.choice(tasks)}", at, line)


def deploy_noise(c: Ctx, at: datetime, service: str, rev: int, who: str = "github-actions-deploy") -> str:
    ident = c.role_identity(who, "GitHubActions", at)
    td = c.arn("ecs", f"task-definition/{service}:{rev}")
    c.ct(
        at - timedelta(minutes=2),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ident,
        {
            "family": service,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {"taskDefinition": {"taskDefinitionArn": td, "family": service, "revision": rev, "status": "ACTIVE"}},
        agent="aws-sdk-js/3.600.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.15.1 api/ecs#3.600.0",
    )
    return c.ct(
        at,
        "ecs.amazonaws.com",
        "UpdateService",
        ident,
        {"cluster": c.cluster, "service": service, "taskDefinition": td, "forceNewDeployment": False},
        {
            "service": {
                "serviceName": service,
                "clusterArn": c.arn("ecs", f"cluster/{c.cluster}"),
                "serviceArn": c.arn("ecs", f"service/{c.cluster}/{service}"),
                "taskDefinition": td,
                "status": "ACTIVE",
            }
        },
        agent="aws-sdk-js/3.600.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.15.1 api/ecs#3.600.0",
    )
