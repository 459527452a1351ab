"""Author F's private helpers, on top of author C's kit (`_kit_c`): incident clock, principals,
routine CloudTrail traffic, Aurora and ElastiCache items, Node/pino log lines, ECS metrics.

Everything random comes from the `Kit`'s own `random.Random`, seeded by the incident's name and seed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.suites.fresh._kit_c import (
    REGIONS,
    UA_BOTO,
    UA_CLI,
    UA_JAVA,
    UA_NODE,
    UA_TF,
    Kit,
    Net,
    Principal,
    iso,
    pick_day,
    tags,
)

Json = dict[str, Any]


@dataclass
class Clock:
    """The incident's times: telemetry from `start`, fault at `onset`, investigation at `now`."""

    start: datetime
    onset: datetime
    now: datetime
    utc_offset: float
    zone: str


def clock(
    kit: Kit,
    *,
    local_hours: tuple[int, int],
    before: timedelta,
    after_min: tuple[int, int],
    region: tuple[str, float, str] | None = None,
) -> Clock:
    """Pick a region, a weekday and an onset whose local hour lies in `local_hours` (inclusive)."""
    reg = region or kit.rng.choice(REGIONS)
    kit.region = reg[0]
    day = pick_day(kit)
    local_hour = kit.rng.randint(*local_hours)
    utc_hour = local_hour - reg[1]
    onset = (
        day
        + timedelta(hours=utc_hour, minutes=kit.rng.randint(0, 59), seconds=kit.rng.randint(0, 59))
        + timedelta(milliseconds=kit.rng.randint(0, 999))
    )
    onset = onset.replace(microsecond=(onset.microsecond // 1000) * 1000)
    start = (onset - before).replace(minute=0, second=0, microsecond=0)
    now = (onset + timedelta(minutes=kit.rng.randint(*after_min))).replace(microsecond=0)
    return Clock(start, onset, now, reg[1], reg[2])


def local(c: Clock, t: datetime) -> datetime:
    """`t` on the wall clock of the asker's zone (daylight saving included)."""
    return t.astimezone(ZoneInfo(c.zone))


def clock_words(t: datetime) -> str:
    """'2:40pm' style clock time (t already in local time)."""
    h = t.hour % 12 or 12
    return f"{h}:{t.minute:02d}{'am' if t.hour < 12 else 'pm'}"


# --- people ---------------------------------------------------------------------------------------


@dataclass
class People:
    admin: Principal  # platform engineer, console
    dev: Principal  # developer, CLI
    oncall: Principal  # on-call engineer, console
    ci: Principal  # GitHub Actions deploy role
    tf: Principal  # Terraform runner
    grafana: Principal  # a monitoring tool reading CloudWatch
    backup: Principal  # AWS Backup on our behalf


FIRST = ["maria", "dev", "tomasz", "aisha", "li", "jonas", "priya", "kofi", "elena", "sam", "noor", "ravi"]
LAST = ["okafor", "lindqvist", "chen", "moreau", "patel", "schmidt", "garcia", "novak", "ito", "brennan"]


def people(kit: Kit, c: Clock, domain: str) -> People:
    names = kit.rng.sample(FIRST, 3)
    lasts = kit.rng.sample(LAST, 3)
    emails = [f"{f}.{ln}@{domain}" for f, ln in zip(names, lasts, strict=True)]
    sess = c.start - timedelta(minutes=kit.rng.randint(10, 90))
    admin = kit.sso_user(emails[0], "PlatformAdmin", console=True, creation=sess)
    dev = kit.sso_user(emails[1], "Developer", console=False, creation=sess + timedelta(hours=1))
    dev.agent = dev.agent.replace("{cmd}", "rds.describe-db-instances")
    oncall = kit.sso_user(emails[2], "OnCallOperator", console=True, creation=c.onset)
    run = kit.rng.randint(7_000_000_000, 9_999_999_999)
    ci = kit.role_session(
        "github-actions-deploy",
        f"GitHubActions-{run}",
        UA_NODE.replace("{api}", "ecs"),
        kit.public_ip(),
        creation=sess,
    )
    tf = kit.role_session(
        "terraform-apply",
        f"atlantis-{kit.hex(8)}",
        UA_TF.replace("{api}", "rds"),
        kit.public_ip(),
        creation=sess,
    )
    grafana = kit.role_session(
        "grafana-cloudwatch-read", "grafana", UA_BOTO, kit.public_ip(), creation=c.start - timedelta(hours=1)
    )
    grafana.agent = "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) GrafanaCloudWatchDatasource"
    backup = kit.service_role(
        "AWSServiceRoleForBackup", "AWSBackup-AWSServiceRoleForBackup", "backup.amazonaws.com", creation=sess
    )
    return People(admin, dev, oncall, ci, tf, grafana, backup)


def cli(p: Principal, command: str) -> str:
    """The principal's CLI user agent for one command (`rds.describe-events`)."""
    base = UA_CLI.format(p=31, cmd=command)
    return p.agent if "aws-cli" not in p.agent else base


def routine_reads(
    kit: Kit, c: Clock, who: People, extra: Sequence[tuple[Principal, str, str, Json | None]], n: int
) -> None:
    """`n` read-only calls over start..now: dashboards polling CloudWatch, humans looking around."""
    base: list[tuple[Principal, str, str, Json | None]] = [
        (who.grafana, "monitoring.amazonaws.com", "GetMetricData", None),
        (who.grafana, "monitoring.amazonaws.com", "ListMetrics", None),
        (who.grafana, "monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
        (who.dev, "logs.amazonaws.com", "DescribeLogGroups", None),
        (who.dev, "ecs.amazonaws.com", "ListClusters", None),
        (who.admin, "ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        (who.admin, "ce.amazonaws.com", "GetCostAndUsage", None),
        (who.ci, "ecr.amazonaws.com", "GetAuthorizationToken", None),
        (who.ci, "sts.amazonaws.com", "GetCallerIdentity", None),
    ]
    options = base + list(extra)
    span = (c.now - c.start).total_seconds()
    for _ in range(n):
        t = c.start + timedelta(seconds=kit.rng.uniform(0, span), milliseconds=kit.rng.randint(0, 999))
        p, src, name, params = kit.rng.choice(options)
        rec = kit.ct(t.replace(microsecond=0), p, src, name, params, None, read_only=True)
        if p is who.dev and "aws-cli" in p.agent:
            rec["userAgent"] = UA_CLI.format(p=31, cmd=f"{src.split('.')[0]}.{_kebab(name)}")
        if src == "ce.amazonaws.com":
            rec["awsRegion"] = "us-east-1"


def _kebab(name: str) -> str:
    out = ""
    for ch in name:
        out += ("-" + ch.lower()) if ch.isupper() and out else ch.lower()
    return out


def assume_roles(kit: Kit, c: Clock, role_arn: str, session: str, service: str, every_min: int) -> None:
    """sts AssumeRole by an AWS service (ECS tasks refreshing their task-role credentials)."""
    t = c.start + timedelta(minutes=kit.rng.randint(1, every_min))
    ident: Json = {"type": "AWSService", "invokedBy": service}
    while t < c.now:
        rec: Json = {
            "eventVersion": "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole",
            "awsRegion": kit.region,
            "sourceIPAddress": service,
            "userAgent": service,
            "requestParameters": {"roleArn": role_arn, "roleSessionName": session},
            "responseElements": {
                "credentials": {
                    "accessKeyId": "ASIA" + kit.upper(16),
                    "sessionToken": kit.upper(40),
                    "expiration": (t + timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                },
                "assumedRoleUser": {
                    "assumedRoleId": "AROA" + kit.upper(17) + ":" + session,
                    "arn": role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")
                    + "/"
                    + session,
                },
            },
            "requestID": kit.uuid(),
            "eventID": kit.uuid(),
            "readOnly": True,
            "resources": [{"accountId": kit.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": kit.account,
            "sharedEventID": kit.uuid(),
            "eventCategory": "Management",
        }
        kit.trail.append(rec)
        t += timedelta(minutes=every_min, seconds=kit.rng.randint(-90, 90))


# --- logs -----------------------------------------------------------------------------------------


def pino(t: datetime, level: int, host: str, msg: str, **fields: Any) -> str:
    """A pino JSON log line as a Node service prints it."""
    body: Json = {"level": level, "time": int(t.timestamp() * 1000), "pid": 1, "hostname": host}
    body.update(fields)
    body["msg"] = msg
    return json.dumps(body, separators=(",", ":"))


def task_id(kit: Kit) -> str:
    return kit.hex(32)


# --- metrics --------------------------------------------------------------------------------------


def ecs_util(kit: Kit, cluster: str, service: str, t: datetime, cpu: float, mem: float, tasks: int) -> None:
    """AWS/ECS service utilisation, published per minute as a statistic set over the tasks."""
    d = {"ClusterName": cluster, "ServiceName": service}
    for metric, v in (("CPUUtilization", cpu), ("MemoryUtilization", mem)):
        v = min(100.0, kit.noise(v, 0.06))
        kit.put("AWS/ECS", metric, d, t, v, "Percent", samples=tasks, spread=(v * 0.8, min(100.0, v * 1.2)))


def wave(t: datetime, offset_h: float, low: float = 0.35) -> float:
    hour = (t.hour + t.minute / 60 + offset_h) % 24
    x = (1 - math.cos(2 * math.pi * (hour - 4) / 24)) / 2
    return low + (1 - low) * x


# --- resources ------------------------------------------------------------------------------------


def sns_topic(kit: Kit, name: str) -> str:
    arn = kit.arn("sns", name)
    kit.res(
        "sns",
        "Topic",
        {
            "TopicArn": arn,
            "Attributes": {
                "TopicArn": arn,
                "Owner": kit.account,
                "DisplayName": "",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": json.dumps(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                                "numMaxDelayRetries": 0,
                                "numNoDelayRetries": 0,
                                "numMinDelayRetries": 0,
                                "backoffFunction": "linear",
                            },
                            "disableSubscriptionOverrides": False,
                        }
                    },
                    separators=(",", ":"),
                ),
            },
        },
    )
    return arn


def aurora_cluster(
    kit: Kit,
    ident: str,
    *,
    engine: str,
    version: str,
    members: Sequence[tuple[str, bool, int]],
    net: Net,
    sg: str,
    created: datetime,
    now: datetime,
    param_group: str,
    database: str,
) -> Json:
    """An Aurora DBCluster as DescribeDBClusters returns it. members: (instance id, is writer, tier)."""
    port = 5432 if "postgres" in engine else 3306
    h = kit.hex(12)
    item: Json = {
        "AllocatedStorage": 1,
        "AvailabilityZones": [z for _, z in net.subnets],
        "BackupRetentionPeriod": 7,
        "DatabaseName": database,
        "DBClusterIdentifier": ident,
        "DBClusterParameterGroup": param_group,
        "DBSubnetGroup": f"{ident}-subnets",
        "Status": "available",
        "EarliestRestorableTime": iso(now - timedelta(days=7, minutes=kit.rng.randint(0, 200))),
        "Endpoint": f"{ident}.cluster-{h}.{kit.region}.rds.amazonaws.com",
        "ReaderEndpoint": f"{ident}.cluster-ro-{h}.{kit.region}.rds.amazonaws.com",
        "CustomEndpoints": [],
        "MultiAZ": True,
        "Engine": engine,
        "EngineVersion": version,
        "LatestRestorableTime": iso(now - timedelta(minutes=kit.rng.randint(1, 4))),
        "Port": port,
        "MasterUsername": "admin" if "mysql" in engine else "postgres",
        "DBClusterOptionGroupMemberships": [],
        "PreferredBackupWindow": "02:10-02:40",
        "PreferredMaintenanceWindow": "sun:06:20-sun:06:50",
        "ReadReplicaIdentifiers": [],
        "DBClusterMembers": [
            {
                "DBInstanceIdentifier": i,
                "IsClusterWriter": w,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": tier,
            }
            for i, w, tier in members
        ],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": sg, "Status": "active"}],
        "HostedZoneId": "Z" + kit.upper(13),
        "StorageEncrypted": True,
        "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}"),
        "DbClusterResourceId": "cluster-" + kit.upper(26),
        "DBClusterArn": kit.arn("rds", f"cluster:{ident}"),
        "AssociatedRoles": [],
        "IAMDatabaseAuthenticationEnabled": False,
        "ClusterCreateTime": iso(created),
        "EnabledCloudwatchLogsExports": ["error", "slowquery"] if "mysql" in engine else ["postgresql"],
        "EngineMode": "provisioned",
        "DeletionProtection": True,
        "HttpEndpointEnabled": False,
        "CopyTagsToSnapshot": True,
        "CrossAccountClone": False,
        "DomainMemberships": [],
        "TagList": tags({"service": ident.split("-")[0], "env": "prod", "owner": "platform"}),
        "AutoMinorVersionUpgrade": True,
        "NetworkType": "IPV4",
        "StorageType": "aurora",
        "EngineLifecycleSupport": "open-source-rds-extended-support",
    }
    return kit.res("rds", "DBCluster", item)


def aurora_instance(
    kit: Kit,
    ident: str,
    cluster: str,
    *,
    engine: str,
    version: str,
    klass: str,
    az: str,
    net: Net,
    sg: str,
    created: datetime,
    tier: int,
    param_group: str,
    cluster_hex: str,
) -> Json:
    port = 5432 if "postgres" in engine else 3306
    item: Json = {
        "DBInstanceIdentifier": ident,
        "DBInstanceClass": klass,
        "Engine": engine,
        "DBInstanceStatus": "available",
        "MasterUsername": "admin" if "mysql" in engine else "postgres",
        "Endpoint": {
            "Address": f"{ident}.{cluster_hex}.{kit.region}.rds.amazonaws.com",
            "Port": port,
            "HostedZoneId": "Z" + kit.upper(13),
        },
        "AllocatedStorage": 1,
        "InstanceCreateTime": iso(created),
        "PreferredBackupWindow": "02:10-02:40",
        "BackupRetentionPeriod": 7,
        "DBSecurityGroups": [],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": sg, "Status": "active"}],
        "DBParameterGroups": [{"DBParameterGroupName": param_group, "ParameterApplyStatus": "in-sync"}],
        "AvailabilityZone": az,
        "DBSubnetGroup": {
            "DBSubnetGroupName": f"{cluster}-subnets",
            "DBSubnetGroupDescription": f"{cluster} private data subnets",
            "VpcId": net.vpc,
            "SubnetGroupStatus": "Complete",
            "Subnets": [
                {"SubnetIdentifier": s, "SubnetAvailabilityZone": {"Name": z}, "SubnetStatus": "Active"}
                for s, z in net.subnets
            ],
        },
        "PreferredMaintenanceWindow": "sun:06:20-sun:06:50",
        "PendingModifiedValues": {},
        "MultiAZ": False,
        "EngineVersion": version,
        "AutoMinorVersionUpgrade": True,
        "ReadReplicaDBInstanceIdentifiers": [],
        "LicenseModel": "general-public-license" if "mysql" in engine else "postgresql-license",
        "OptionGroupMemberships": [
            {
                "OptionGroupName": "default:aurora-mysql-8-0"
                if "mysql" in engine
                else "default:aurora-postgresql-15",
                "Status": "in-sync",
            }
        ],
        "PubliclyAccessible": False,
        "StorageType": "aurora",
        "DbInstancePort": 0,
        "DBClusterIdentifier": cluster,
        "StorageEncrypted": True,
        "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}"),
        "DbiResourceId": "db-" + kit.upper(26),
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "DomainMemberships": [],
        "CopyTagsToSnapshot": False,
        "MonitoringInterval": 60,
        "EnhancedMonitoringResourceArn": kit.arn(
            "logs", f"log-group:RDSOSMetrics:log-stream:db-{kit.upper(26)}"
        ),
        "MonitoringRoleArn": f"arn:aws:iam::{kit.account}:role/rds-monitoring-role",
        "PromotionTier": tier,
        "DBInstanceArn": kit.arn("rds", f"db:{ident}"),
        "IAMDatabaseAuthenticationEnabled": False,
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "DeletionProtection": False,
        "AssociatedRoles": [],
        "TagList": tags({"service": cluster.split("-")[0], "env": "prod"}),
        "CustomerOwnedIpEnabled": False,
        "NetworkType": "IPV4",
        "BackupTarget": "region",
        "CertificateDetails": {"CAIdentifier": "rds-ca-rsa2048-g1", "ValidTill": "2025-11-02T18:41:07Z"},
        "DedicatedLogVolume": False,
        "IsStorageConfigUpgradeAvailable": False,
        "EngineLifecycleSupport": "open-source-rds-extended-support",
    }
    return kit.res("rds", "DBInstance", item)


__all__ = [
    "UA_JAVA",
    "Clock",
    "People",
    "assume_roles",
    "aurora_cluster",
    "aurora_instance",
    "cli",
    "clock",
    "clock_words",
    "ecs_util",
    "local",
    "people",
    "pino",
    "routine_reads",
    "sns_topic",
    "task_id",
    "wave",
]
