"""Shared world for kit zzzzd: an energy trading platform (ECS on EC2, Amazon MQ RabbitMQ, Aurora
PostgreSQL, ElastiCache Redis, NAT gateways to market APIs) in one account."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


SERVICES = ["trade-gateway", "order-router", "position-service", "price-ingest", "settlement-worker"]


@dataclass
class World:
    rng: random.Random
    onset: datetime
    start: datetime
    now: datetime
    account: str = ""
    region: str = "eu-central-1"
    vpc: str = ""
    subnets: list[str] = field(default_factory=list)
    public_subnets: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    instance_ips: list[str] = field(default_factory=list)
    nats: list[str] = field(default_factory=list)
    nat_ips: list[str] = field(default_factory=list)
    broker_id: str = ""
    broker_name: str = "trading-mq"
    mq_config_id: str = ""
    cluster: str = "trading-prod"
    db_cluster: str = "trading-aurora"
    cache_group: str = "trading-cache"
    alb_name: str = "trading-api"
    alb_arn: str = ""
    tg_arn: str = ""
    sg_app: str = ""
    sg_mq: str = ""
    sg_db: str = ""
    sg_cache: str = ""
    revisions: dict[str, int] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def minutes(self, step: int = 60) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(seconds=step)
        return out


def make_world(seed: int, *, onset_hour_range: tuple[int, int] = (8, 15)) -> World:
    rng = random.Random(seed)
    day = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
    onset = day + timedelta(
        hours=rng.randint(*onset_hour_range), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
    )
    start = (onset - timedelta(hours=3, minutes=rng.randint(5, 25))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(38, 50))).replace(second=0)
    w = World(rng=rng, onset=onset, start=start, now=now)
    w.account = str(rng.randint(2 * 10**11, 9 * 10**11 - 1))
    w.region = rng.choice(["eu-central-1", "eu-west-1", "eu-north-1"])
    w.vpc = "vpc-0" + hexid(rng, 16)
    w.subnets = ["subnet-0" + hexid(rng, 16) for _ in range(3)]
    w.public_subnets = ["subnet-0" + hexid(rng, 16) for _ in range(3)]
    w.instances = ["i-0" + hexid(rng, 16) for _ in range(4)]
    w.instance_ips = [f"10.40.{10 + i * 16 + rng.randint(0, 9)}.{rng.randint(5, 250)}" for i in range(4)]
    w.nats = ["nat-0" + hexid(rng, 16) for _ in range(2)]
    w.nat_ips = [f"3.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}" for _ in range(2)]
    w.broker_id = "b-" + uid(rng)
    w.mq_config_id = "c-" + uid(rng)
    w.alb_arn = w.arn("elasticloadbalancing", f"loadbalancer/app/{w.alb_name}/{hexid(rng, 16)}")
    w.tg_arn = w.arn("elasticloadbalancing", f"targetgroup/trade-gateway-tg/{hexid(rng, 16)}")
    w.sg_app, w.sg_mq, w.sg_db, w.sg_cache = ("sg-0" + hexid(rng, 16) for _ in range(4))
    for s in SERVICES:
        w.revisions[s] = rng.randint(14, 96)
        w.images[s] = (
            f"{w.account}.dkr.ecr.{w.region}.amazonaws.com/{s}:{rng.randint(1, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
        )
    return w


def azs(w: World) -> list[str]:
    return [f"{w.region}a", f"{w.region}b", f"{w.region}c"]


# ---------------------------------------------------------------- identities


def role_identity(w: World, role: str, session: str, *, via: str | None = None) -> Rec:
    rid = "AROA" + "".join(w.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
    ident: Rec = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{session}",
        "arn": f"arn:aws:sts::{w.account}:assumed-role/{role}/{session}",
        "accountId": w.account,
        "accessKeyId": "ASIA" + "".join(w.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{w.account}:role/{role}",
                "accountId": w.account,
                "userName": role,
            },
            "attributes": {"creationDate": iso(w.start - timedelta(minutes=20)), "mfaAuthenticated": "false"},
        },
    }
    if via:
        ident["invokedBy"] = via
    return ident


def human(w: World, user: str) -> Rec:
    return role_identity(w, "AWSReservedSSO_PlatformEngineer_5c1e2a7b9d3f4e61", user)


def ct(
    w: World,
    t: datetime,
    source: str,
    name: str,
    ident: Rec,
    req: Rec | None,
    resp: Rec | None = None,
    *,
    read_only: bool = False,
    ip: str = "10.40.1.20",
    agent: str = "aws-cli/2.17.40 Python/3.11.9 Linux/5.10.226-214.880.amzn2.x86_64 exe/x86_64.amzn.2",
    error: tuple[str, str] | None = None,
    event_id: str | None = None,
    resources: list[Rec] | None = None,
) -> Rec:
    r: Rec = {
        "eventVersion": "1.09" if source != "mq.amazonaws.com" else "1.08",
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": w.region,
        "sourceIPAddress": ident.get("invokedBy", ip),
        "userAgent": ident.get("invokedBy", agent),
    }
    if error:
        r["errorCode"], r["errorMessage"] = error
    r["requestParameters"] = req
    r["responseElements"] = resp
    r["requestID"] = uid(w.rng)
    r["eventID"] = event_id or uid(w.rng)
    r["readOnly"] = read_only
    if resources:
        r["resources"] = resources
    r["eventType"] = "AwsApiCall"
    r["managementEvent"] = True
    r["recipientAccountId"] = w.account
    r["eventCategory"] = "Management"
    if ident.get("type") == "AssumedRole" and "invokedBy" not in ident:
        r["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{w.region}.amazonaws.com",
        }
    return r


def tooling_noise(w: World, count: int = 34) -> list[Rec]:
    """Read-only calls from the monitoring role and the CI role, spread over the window."""
    rng = w.rng
    graf = role_identity(w, "grafana-cloudwatch-read", "grafana")
    ci = role_identity(w, "github-actions-deploy", "GitHubActions")
    calls: list[tuple[str, str, Callable[[], Rec]]] = [
        ("ecs.amazonaws.com", "DescribeServices", lambda: {"cluster": w.cluster, "services": SERVICES[:3]}),
        (
            "ecs.amazonaws.com",
            "ListTasks",
            lambda: {"cluster": w.cluster, "serviceName": rng.choice(SERVICES)},
        ),
        ("rds.amazonaws.com", "DescribeDBClusters", lambda: {"dBClusterIdentifier": w.db_cluster}),
        ("rds.amazonaws.com", "DescribeDBInstances", lambda: {"maxRecords": 100}),
        (
            "elasticache.amazonaws.com",
            "DescribeReplicationGroups",
            lambda: {"replicationGroupId": w.cache_group},
        ),
        ("mq.amazonaws.com", "DescribeBroker", lambda: {"brokerId": w.broker_id}),
        ("ec2.amazonaws.com", "DescribeNatGateways", lambda: {"natGatewayIdSet": {}, "filterSet": {}}),
        ("ec2.amazonaws.com", "DescribeInstances", lambda: {"instancesSet": {}, "filterSet": {}}),
        (
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            lambda: {"targetGroupArn": w.tg_arn},
        ),
    ]
    out = []
    span = (w.now - w.start).total_seconds()
    for _ in range(count):
        t = w.start + timedelta(seconds=rng.uniform(0, span))
        src, name, req = rng.choice(calls)
        who = graf if rng.random() < 0.75 else ci
        agent = (
            "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"
            if who is graf
            else "aws-cli/2.17.40 Python/3.11.9 Linux/6.5.0-1025-azure exe/x86_64.ubuntu.22"
        )
        ip = (
            "10.40.2.77"
            if who is graf
            else f"20.{rng.randint(30, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        )
        out.append(ct(w, t, src, name, who, req(), None, read_only=True, agent=agent, ip=ip))
    # The ECS agent on each container instance polls and the scheduler assumes task roles: omitted as data.
    return out


def kms_decrypt_noise(w: World, count: int = 6) -> list[Rec]:
    out = []
    for _ in range(count):
        t = w.start + timedelta(seconds=w.rng.uniform(0, (w.now - w.start).total_seconds()))
        ident = {"type": "AWSService", "invokedBy": "secretsmanager.amazonaws.com"}
        out.append(
            ct(
                w,
                t,
                "kms.amazonaws.com",
                "Decrypt",
                ident,
                {
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    "encryptionContext": {
                        "SecretARN": w.arn("secretsmanager", "secret:prod/trading-aurora/app-AbC1x9")
                    },
                },
                None,
                read_only=True,
            )
        )
    return out


def ecs_deploy(w: World, t: datetime, svc: str, user: str, *, event_id: str | None = None) -> list[Rec]:
    """RegisterTaskDefinition + UpdateService from CI for an innocent (or not) deploy."""
    w.revisions[svc] += 1
    rev = w.revisions[svc]
    ci = role_identity(w, "github-actions-deploy", "GitHubActions")
    td_arn = w.arn("ecs", f"task-definition/{svc}:{rev}")
    agent = "aws-cli/2.17.40 Python/3.11.9 Linux/6.5.0-1025-azure exe/x86_64.ubuntu.22"
    ip = f"20.{w.rng.randint(30, 200)}.{w.rng.randint(0, 255)}.{w.rng.randint(1, 254)}"
    reg = ct(
        w,
        t,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": svc,
            "taskRoleArn": f"arn:aws:iam::{w.account}:role/{svc}-task",
            "executionRoleArn": f"arn:aws:iam::{w.account}:role/ecsTaskExecutionRole",
            "networkMode": "bridge",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [
                {
                    "name": svc,
                    "image": w.images[svc].rsplit(":", 1)[0] + f":{user}",
                    "memoryReservation": 1024,
                    "essential": True,
                }
            ],
        },
        {"taskDefinition": {"taskDefinitionArn": td_arn, "family": svc, "revision": rev, "status": "ACTIVE"}},
        agent=agent,
        ip=ip,
    )
    upd = ct(
        w,
        t + timedelta(seconds=w.rng.randint(4, 15)),
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {"cluster": w.cluster, "service": svc, "taskDefinition": f"{svc}:{rev}", "forceNewDeployment": False},
        {
            "service": {
                "serviceName": svc,
                "serviceArn": w.arn("ecs", f"service/{w.cluster}/{svc}"),
                "taskDefinition": td_arn,
                "status": "ACTIVE",
            }
        },
        agent=agent,
        ip=ip,
        event_id=event_id,
    )
    return [reg, upd]


# ---------------------------------------------------------------- metrics


def series(
    w: World,
    ns: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    fn: Callable[[datetime, float], float | None],
    *,
    step: int = 60,
    digits: int = 2,
) -> list[Rec]:
    """fn(t, minutes since onset) -> value or None (nothing published)."""
    out = []
    for t in w.minutes(step):
        v = fn(t, (t - w.onset).total_seconds() / 60)
        if v is None:
            continue
        out.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(max(v, 0.0), digits),
            }
        )
    return out


def around(rng: random.Random, c: float, sd: float, amp: float = 0.0) -> Callable[[datetime, float], float]:
    """A gaussian-noisy level, with an optional daily swing of `amp`."""

    def f(t: datetime, m: float) -> float:
        return (diurnal(t, c, amp) if amp else c) + rng.gauss(0, sd)

    return f


def upto(rng: random.Random, b: int) -> Callable[[datetime, float], float]:
    """A count between b and 2b."""

    def f(t: datetime, m: float) -> float:
        return float(b + rng.randint(0, b))

    return f


def diurnal(t: datetime, base: float, amp: float) -> float:
    h = t.hour + t.minute / 60
    return base + amp * math.sin((h - 7) / 24 * 2 * math.pi)


def base_metrics(w: World, *, skip: set[str] | None = None) -> list[Rec]:
    """Healthy background telemetry for the whole platform."""
    rng = w.rng
    skip = skip or set()
    out: list[Rec] = []
    for _i, s in enumerate(SERVICES):
        if s in skip:
            continue
        cpu = rng.uniform(12, 38)
        mem = rng.uniform(35, 62)
        out += series(
            w,
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": w.cluster, "ServiceName": s},
            "Percent",
            around(rng, cpu, 2, 4),
        )
        out += series(
            w,
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": w.cluster, "ServiceName": s},
            "Percent",
            around(rng, mem, 0.8),
        )
    out += series(
        w,
        "AWS/ECS",
        "CPUReservation",
        {"ClusterName": w.cluster},
        "Percent",
        lambda t, m: 61.5,
        step=60,
    )
    for iid in w.instances:
        c = rng.uniform(18, 35)
        out += series(
            w,
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            around(rng, c, 3),
            step=300,
        )
        out += series(
            w, "AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda t, m: 0.0, step=60
        )
    if "aurora" not in skip:
        writer = f"{w.db_cluster}-instance-1"
        reader = f"{w.db_cluster}-instance-2"
        out += series(
            w,
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": writer},
            "Percent",
            lambda t, m: diurnal(t, 24, 6) + rng.gauss(0, 2),
        )
        out += series(
            w,
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": reader},
            "Percent",
            lambda t, m: diurnal(t, 11, 3) + rng.gauss(0, 1.5),
        )
        out += series(
            w,
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": writer},
            "Count",
            lambda t, m: 142 + rng.randint(-4, 4),
            digits=0,
        )
        out += series(
            w,
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": reader},
            "Count",
            lambda t, m: 61 + rng.randint(-3, 3),
            digits=0,
        )
        out += series(
            w,
            "AWS/RDS",
            "CommitLatency",
            {"DBInstanceIdentifier": writer},
            "Milliseconds",
            lambda t, m: 1.9 + rng.gauss(0, 0.2),
        )
        out += series(
            w,
            "AWS/RDS",
            "AuroraReplicaLag",
            {"DBInstanceIdentifier": reader},
            "Milliseconds",
            lambda t, m: 14 + rng.gauss(0, 3),
        )
    if "cache" not in skip:
        for n in ("001", "002"):
            cid = f"{w.cache_group}-{n}"
            d = {"CacheClusterId": cid, "CacheNodeId": "0001"}
            out += series(
                w,
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                d,
                "Percent",
                lambda t, m: diurnal(t, 9, 2) + rng.gauss(0, 1),
            )
            out += series(
                w,
                "AWS/ElastiCache",
                "CurrConnections",
                d,
                "Count",
                lambda t, m: 188 + rng.randint(-6, 6),
                digits=0,
            )
            out += series(
                w,
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                d,
                "Percent",
                lambda t, m: 41.3 + rng.gauss(0, 0.2),
            )
    if "nat" not in skip:
        for nat in w.nats:
            out += series(
                w,
                "AWS/NATGateway",
                "BytesOutToDestination",
                {"NatGatewayId": nat},
                "Bytes",
                lambda t, m: diurnal(t, 3.1e7, 6e6) * rng.uniform(0.85, 1.15),
                digits=0,
            )
            out += series(
                w,
                "AWS/NATGateway",
                "BytesInFromDestination",
                {"NatGatewayId": nat},
                "Bytes",
                lambda t, m: diurnal(t, 2.2e8, 4e7) * rng.uniform(0.85, 1.15),
                digits=0,
            )
            out += series(
                w,
                "AWS/NATGateway",
                "ActiveConnectionCount",
                {"NatGatewayId": nat},
                "Count",
                lambda t, m: 410 + rng.randint(-25, 25),
                digits=0,
            )
            out += series(
                w,
                "AWS/NATGateway",
                "ConnectionAttemptCount",
                {"NatGatewayId": nat},
                "Count",
                lambda t, m: 820 + rng.randint(-60, 60),
                digits=0,
            )
            out += series(
                w,
                "AWS/NATGateway",
                "ConnectionEstablishedCount",
                {"NatGatewayId": nat},
                "Count",
                lambda t, m: 818 + rng.randint(-60, 58),
                digits=0,
            )
            out += series(
                w,
                "AWS/NATGateway",
                "ErrorPortAllocation",
                {"NatGatewayId": nat},
                "Count",
                lambda t, m: 0.0,
                digits=0,
            )
    if "alb" not in skip:
        lb = w.alb_arn.split("loadbalancer/")[1]
        out += series(
            w,
            "AWS/ApplicationELB",
            "RequestCount",
            {"LoadBalancer": lb},
            "Count",
            lambda t, m: diurnal(t, 2400, 500) + rng.randint(-80, 80),
            digits=0,
        )
        out += series(
            w,
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb},
            "Seconds",
            lambda t, m: 0.041 + rng.gauss(0, 0.004),
            digits=4,
        )
        out += series(
            w,
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": lb},
            "Count",
            lambda t, m: float(rng.choice([0, 0, 0, 0, 1, 2])),
            digits=0,
        )
    return out


def mq_broker_metrics(
    w: World,
    fn_msgs: Callable[[datetime, float], float] | None = None,
    *,
    down: tuple[float, float] | None = None,
) -> list[Rec]:
    """Broker-level metrics; `down` is a (from, to) window in minutes from onset of a restart."""
    rng = w.rng
    b = {"Broker": w.broker_name}
    out: list[Rec] = []

    def conn(base: float, jitter: int) -> Callable[[datetime, float], float]:
        def f(t: datetime, m: float) -> float:
            if down and down[0] <= m < down[1]:
                return base * 0.1
            return base + rng.randint(-jitter, jitter)

        return f

    out += series(w, "AWS/AmazonMQ", "SystemCpuUtilization", b, "Percent", lambda t, m: 14 + rng.gauss(0, 2))
    out += series(w, "AWS/AmazonMQ", "ConnectionCount", b, "Count", conn(46, 1), digits=0)
    out += series(w, "AWS/AmazonMQ", "ChannelCount", b, "Count", conn(93, 2), digits=0)
    out += series(w, "AWS/AmazonMQ", "QueueCount", b, "Count", lambda t, m: 22, digits=0)
    out += series(
        w, "AWS/AmazonMQ", "RabbitMQMemUsed", b, "Bytes", lambda t, m: 6.1e8 + rng.gauss(0, 1e7), digits=0
    )
    out += series(w, "AWS/AmazonMQ", "RabbitMQMemLimit", b, "Bytes", lambda t, m: 3.28e9, digits=0)
    out += series(
        w, "AWS/AmazonMQ", "RabbitMQDiskFree", b, "Bytes", lambda t, m: 1.87e11 + rng.gauss(0, 1e8), digits=0
    )
    if fn_msgs is not None:
        out += series(w, "AWS/AmazonMQ", "MessageCount", b, "Count", fn_msgs, digits=0)
    return out


# ---------------------------------------------------------------- alarms


def metric_alarm(
    w: World,
    name: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    threshold: float,
    *,
    period: int = 60,
    evals: int = 5,
    datapoints: int | None = None,
    op: str = "GreaterThanThreshold",
    state: str = "OK",
    state_time: datetime | None = None,
    reason: str = "",
    missing: str = "missing",
    description: str = "",
    actions: bool = True,
) -> Rec:
    topic = w.arn("sns", "trading-oncall")
    a: Rec = {
        "AlarmName": name,
        "AlarmArn": w.arn("cloudwatch", f"alarm:{name}"),
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso(w.start - timedelta(days=w.rng.randint(20, 200))),
        "ActionsEnabled": True,
        "OKActions": [topic] if actions else [],
        "AlarmActions": [topic] if actions else [],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason
        or f"Threshold Crossed: no datapoints were breaching the threshold ({threshold}).",
        "StateUpdatedTimestamp": iso(state_time or (w.start - timedelta(hours=w.rng.randint(5, 60)))),
        "StateTransitionedTimestamp": iso(state_time or (w.start - timedelta(hours=w.rng.randint(5, 60)))),
        "MetricName": metric,
        "Namespace": ns,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": datapoints or evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": missing,
    }
    return a


def history(w: World, alarm: Rec, t: datetime, old: str, new: str, reason: str) -> Rec:
    return {
        "AlarmName": alarm["AlarmName"],
        "AlarmType": "MetricAlarm",
        "Timestamp": iso(t),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": (
            '{"version":"1.0","oldState":{"stateValue":"'
            + old
            + '"},"newState":{"stateValue":"'
            + new
            + '","stateReason":"'
            + reason.replace('"', "'")
            + '"}}'
        ),
    }


def alarm_event(w: World, alarm: Rec, t: datetime, reason: str, prev_time: datetime) -> Rec:
    return {
        "version": "0",
        "id": uid(w.rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": w.account,
        "time": iso(t),
        "region": w.region,
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
                "reason": f"Threshold Crossed: no datapoints were breaching the threshold ({alarm['Threshold']}).",
                "timestamp": prev_time.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            },
            "configuration": {
                "description": alarm.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": "m1",
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


def flapping_cpu_alarm(w: World, iid: str) -> tuple[Rec, list[Rec]]:
    """An instance CPU alarm that flaps a couple of times during the window (a nightly-ish compaction)."""
    a = metric_alarm(
        w,
        f"ec2-cpu-high-{iid}",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": iid},
        "Average",
        80,
        period=300,
        evals=1,
        actions=False,
    )
    hist = []
    t = w.start + timedelta(minutes=w.rng.randint(20, 60))
    hist.append(
        history(
            w,
            a,
            t,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 datapoint [84.1] was greater than the threshold (80.0).",
        )
    )
    hist.append(
        history(
            w,
            a,
            t + timedelta(minutes=10),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 datapoint [31.7] was not greater than the threshold (80.0).",
        )
    )
    return a, hist


# ---------------------------------------------------------------- resources


def base_resources(w: World) -> list[Rec]:
    rng = w.rng
    out: list[Rec] = []
    az = azs(w)
    out.append(
        {
            "service": "ec2",
            "type": "Vpc",
            "item": {
                "VpcId": w.vpc,
                "CidrBlock": "10.40.0.0/16",
                "State": "available",
                "OwnerId": w.account,
                "IsDefault": False,
            },
        }
    )
    for i, s in enumerate(w.subnets):
        out.append(
            {
                "service": "ec2",
                "type": "Subnet",
                "item": {
                    "SubnetId": s,
                    "VpcId": w.vpc,
                    "AvailabilityZone": az[i],
                    "CidrBlock": f"10.40.{i * 16}.0/20",
                    "State": "available",
                    "MapPublicIpOnLaunch": False,
                    "Tags": [{"Key": "Name", "Value": f"trading-private-{az[i][-1]}"}],
                },
            }
        )
    for i, n in enumerate(w.nats):
        out.append(
            {
                "service": "ec2",
                "type": "NatGateway",
                "item": {
                    "NatGatewayId": n,
                    "VpcId": w.vpc,
                    "SubnetId": w.public_subnets[i],
                    "State": "available",
                    "ConnectivityType": "public",
                    "CreateTime": iso(w.start - timedelta(days=400 + i)),
                    "NatGatewayAddresses": [
                        {
                            "AllocationId": "eipalloc-0" + hexid(rng, 16),
                            "NetworkInterfaceId": "eni-0" + hexid(rng, 16),
                            "PrivateIp": f"10.40.{200 + i}.{rng.randint(5, 250)}",
                            "PublicIp": w.nat_ips[i],
                            "IsPrimary": True,
                            "Status": "succeeded",
                        }
                    ],
                    "Tags": [{"Key": "Name", "Value": f"trading-nat-{az[i][-1]}"}],
                },
            }
        )
    for i, iid in enumerate(w.instances):
        launched = w.start - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 23))
        out.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": {
                    "InstanceId": iid,
                    "ImageId": "ami-0" + hexid(rng, 16),
                    "InstanceType": "m6i.2xlarge",
                    "LaunchTime": iso(launched),
                    "Placement": {"AvailabilityZone": az[i % 3], "Tenancy": "default"},
                    "PrivateIpAddress": w.instance_ips[i],
                    "SubnetId": w.subnets[i % 3],
                    "VpcId": w.vpc,
                    "State": {"Code": 16, "Name": "running"},
                    "IamInstanceProfile": {
                        "Arn": f"arn:aws:iam::{w.account}:instance-profile/ecsInstanceRole",
                        "Id": "AIPA" + hexid(rng, 17).upper(),
                    },
                    "SecurityGroups": [{"GroupId": w.sg_app, "GroupName": "trading-ecs-hosts"}],
                    "Tags": [
                        {"Key": "aws:autoscaling:groupName", "Value": "trading-prod-ecs-asg"},
                        {"Key": "Name", "Value": "trading-prod-ecs"},
                    ],
                },
            }
        )
    out.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": w.arn("ecs", f"cluster/{w.cluster}"),
                "clusterName": w.cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": len(w.instances),
                "runningTasksCount": 17,
                "pendingTasksCount": 0,
                "activeServicesCount": len(SERVICES),
                "capacityProviders": ["trading-prod-ecs-asg-cp"],
            },
        }
    )
    out.append(
        {
            "service": "rds",
            "type": "DBCluster",
            "item": {
                "DBClusterIdentifier": w.db_cluster,
                "DBClusterArn": w.arn("rds", f"cluster:{w.db_cluster}"),
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.6",
                "Status": "available",
                "MultiAZ": True,
                "Endpoint": f"{w.db_cluster}.cluster-c{hexid(rng, 11)}.{w.region}.rds.amazonaws.com",
                "Port": 5432,
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": f"{w.db_cluster}-instance-1",
                        "IsClusterWriter": True,
                        "PromotionTier": 1,
                    },
                    {
                        "DBInstanceIdentifier": f"{w.db_cluster}-instance-2",
                        "IsClusterWriter": False,
                        "PromotionTier": 1,
                    },
                ],
                "DBClusterParameterGroup": "trading-aurora-pg15",
            },
        }
    )
    for idx in (1, 2):
        out.append(
            {
                "service": "rds",
                "type": "DBInstance",
                "item": {
                    "DBInstanceIdentifier": f"{w.db_cluster}-instance-{idx}",
                    "DBInstanceClass": "db.r6g.xlarge",
                    "Engine": "aurora-postgresql",
                    "DBInstanceStatus": "available",
                    "DBClusterIdentifier": w.db_cluster,
                    "AvailabilityZone": az[idx - 1],
                    "PerformanceInsightsEnabled": True,
                },
            }
        )
    out.append(
        {
            "service": "elasticache",
            "type": "ReplicationGroup",
            "item": {
                "ReplicationGroupId": w.cache_group,
                "Description": "prices, positions snapshot cache",
                "Status": "available",
                "MemberClusters": [f"{w.cache_group}-001", f"{w.cache_group}-002"],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "CacheNodeType": "cache.r6g.large",
                "ClusterEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
            },
        }
    )
    out.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": w.alb_arn,
                "DNSName": f"internal-{w.alb_name}-{rng.randint(10**8, 10**9)}.{w.region}.elb.amazonaws.com",
                "LoadBalancerName": w.alb_name,
                "Scheme": "internal",
                "VpcId": w.vpc,
                "State": {"Code": "active"},
                "Type": "application",
            },
        }
    )
    return out


def mq_broker(w: World, *, config_revision: int, pending: bool = False) -> Rec:
    cfg = {"Id": w.mq_config_id, "Revision": config_revision}
    item: Rec = {
        "BrokerArn": w.arn("mq", f"broker:{w.broker_name}:{w.broker_id}"),
        "BrokerId": w.broker_id,
        "BrokerName": w.broker_name,
        "BrokerState": "RUNNING",
        "DeploymentMode": "CLUSTER_MULTI_AZ",
        "EngineType": "RabbitMQ",
        "EngineVersion": "3.13",
        "HostInstanceType": "mq.m5.large",
        "AutoMinorVersionUpgrade": True,
        "PubliclyAccessible": False,
        "SecurityGroups": [w.sg_mq],
        "SubnetIds": w.subnets,
        "Created": iso(w.start - timedelta(days=511)),
        "Configurations": {
            "Current": cfg,
            "History": [{"Id": w.mq_config_id, "Revision": max(1, config_revision - 1)}],
        },
        "Logs": {"General": True, "GeneralLogGroup": f"/aws/amazonmq/broker/{w.broker_id}/general"},
        "MaintenanceWindowStartTime": {"DayOfWeek": "SUNDAY", "TimeOfDay": "02:00", "TimeZone": "UTC"},
        "BrokerInstances": [
            {
                "ConsoleURL": f"https://{w.broker_id}.mq.{w.region}.amazonaws.com",
                "Endpoints": [f"amqps://{w.broker_id}.mq.{w.region}.amazonaws.com:5671"],
            }
        ],
        "Users": [{"Username": "trading-app"}],
    }
    if pending:
        item["Configurations"]["Pending"] = cfg
    return item


def ecs_service(w: World, svc: str, desired: int, running: int, *, events: list[Rec] | None = None) -> Rec:
    rev = w.revisions[svc]
    return {
        "service": "ecs",
        "type": "Service",
        "item": {
            "serviceArn": w.arn("ecs", f"service/{w.cluster}/{svc}"),
            "serviceName": svc,
            "clusterArn": w.arn("ecs", f"cluster/{w.cluster}"),
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": running,
            "pendingCount": 0,
            "launchType": "EC2",
            "taskDefinition": w.arn("ecs", f"task-definition/{svc}:{rev}"),
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdAt": iso(w.start - timedelta(days=300)),
            "events": events or [],
        },
    }


def task_definition(w: World, svc: str, env: dict[str, str], *, memory: int = 2048) -> Rec:
    rev = w.revisions[svc]
    return {
        "service": "ecs",
        "type": "TaskDefinition",
        "item": {
            "taskDefinitionArn": w.arn("ecs", f"task-definition/{svc}:{rev}"),
            "family": svc,
            "revision": rev,
            "status": "ACTIVE",
            "networkMode": "bridge",
            "requiresCompatibilities": ["EC2"],
            "taskRoleArn": f"arn:aws:iam::{w.account}:role/{svc}-task",
            "containerDefinitions": [
                {
                    "name": svc,
                    "image": w.images[svc],
                    "memory": memory,
                    "essential": True,
                    "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{svc}",
                            "awslogs-region": w.region,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        },
    }


def instance_status(w: World, iid: str, az: str, *, impaired_since: datetime | None = None) -> Rec:
    ok = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    inst = ok
    if impaired_since is not None:
        inst = {
            "Status": "impaired",
            "Details": [{"Name": "reachability", "Status": "failed", "ImpairedSince": iso(impaired_since)}],
        }
    return {
        "service": "ec2",
        "type": "InstanceStatus",
        "item": {
            "InstanceId": iid,
            "AvailabilityZone": az,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": inst,
            "SystemStatus": ok,
        },
    }


def task_stream(svc: str, rng: random.Random) -> str:
    return f"ecs/{svc}/{hexid(rng, 32)}"
