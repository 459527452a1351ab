"""Remittance API on ECS/Fargate: 5xx and slow responses at the afternoon peak."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_za as k

NAME = "remit-proxy-pool-cut"
TITLE = "remit-api 5xx alarm in the afternoon peak; transfers failing"
SUMMARY = (
    "Late morning a DBA lowered the RDS Proxy target group's MaxConnectionsPercent; at the afternoon peak "
    "the proxy cannot lend enough database connections and remit-api requests time out, the database idle."
)

TZ = "America/New_York"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    noise = random.Random(f"{NAME}:{seed}:noise")
    ids = k.Ids(rng)
    region = rng.choice(["us-east-1", "us-east-2"])
    account = ids.account()
    zone = ZoneInfo(TZ)
    day = k.pick_day(rng, (0, 1, 2, 3, 4))
    local_change = datetime(
        day.year, day.month, day.day, 11, rng.randrange(15, 55), rng.randrange(60), tzinfo=zone
    )
    change_at = local_change.astimezone(k.UTC)
    onset = k.floor_min(change_at + timedelta(hours=2, minutes=rng.randrange(20, 55)))
    start = k.floor_min(change_at - timedelta(hours=4, minutes=rng.randrange(0, 40)))
    utc_off = (local_change.utcoffset() or timedelta()).total_seconds() / 3600
    n = k.net(ids, region)

    cluster = "payments-prod"
    svc = "remit-api"
    proxy = "remit-pg-proxy"
    db_cluster = "remit-aurora-prod"
    writer, reader = f"{db_cluster}-1", f"{db_cluster}-2"
    alb_name = "remit-public"
    tg_name = "remit-api-tg"
    created = start - timedelta(days=rng.randrange(200, 800))

    # connection demand (connections borrowed at once) follows the request rate
    def load(t: datetime) -> float:
        return k.diurnal(t, utc_off, low=0.12)

    max_conn = 1700  # what max_connections allows on the writer class
    old_pct, new_pct = 90, 20
    new_cap = max_conn * new_pct // 100
    peak_rps = rng.uniform(700, 950)
    hold_ms = new_cap / (peak_rps * load(onset)) * 1000  # so that demand meets the new ceiling at onset

    def rps(t: datetime) -> float:
        return peak_rps * load(t)

    def demand(t: datetime) -> float:
        return rps(t) * hold_ms / 1000

    def cap(t: datetime) -> float:
        return max_conn * (old_pct if t < change_at else new_pct) / 100

    def fail_frac(t: datetime) -> float:
        over = demand(t) - cap(t)
        if over <= 0:
            return 0.0
        return min(0.55, 2.2 * over / demand(t))

    now = onset + timedelta(minutes=rng.randrange(34, 48))
    end = now
    near = onset - timedelta(minutes=100)

    def times() -> list[datetime]:
        return list(k.minutes(start, near, 300)) + list(k.minutes(near, now, 60))

    def step(t: datetime) -> int:
        return 300 if t < near else 60

    T = times()
    m = k.Metrics()

    lb_res, lb_arn, lb_dim = k.alb(ids, account, region, n, alb_name, created)
    tg_res, tg_arn, tg_dim = k.target_group(
        ids, account, region, n, tg_name, lb_arn, 8080, "/actuator/health"
    )
    albd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}

    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        albd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * step(t), 0.04),
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        tgd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * step(t), 0.04),
        integer=True,
    )

    def fivexx(t: datetime) -> float | None:
        f = fail_frac(t)
        base = rps(t) * step(t) * (f + 0.00004)
        v = round(k.noisy(noise, base, 0.15))
        return float(v) if v > 0 else None

    m.add(
        "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, "Count", T, fivexx, integer=True, key="t5xx"
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * step(t) * (0.93 - fail_frac(t)), 0.04),
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tgd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * step(t) * 0.07, 0.08),
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        albd,
        "Count",
        T,
        lambda t: 1.0 if noise.random() < 0.03 else None,
        integer=True,
    )

    def resp(t: datetime) -> tuple[list[float], list[float]]:
        f = fail_frac(t)
        if f > 0:
            return k.latency_dist(noise, 0.09 + 1.8 * f, 10.0, rps(t) * step(t), digits=3)
        return k.latency_dist(noise, 0.085, 0.42, rps(t) * step(t), digits=3)

    m.add_dist("AWS/ApplicationELB", "TargetResponseTime", tgd, "Seconds", T, resp, key="p99")

    # desired count: target tracking on requests per target (1 per 60 s)
    scale_at = onset + timedelta(minutes=rng.randrange(6, 10))
    base_tasks = 12

    def tasks(t: datetime) -> int:
        return base_tasks + (4 if t >= scale_at + timedelta(minutes=2) else 0)

    m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", T, lambda t: float(tasks(t)))
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", T, lambda t: 0.0)
    ecsd = {"ClusterName": cluster, "ServiceName": svc}
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        ecsd,
        "Percent",
        T,
        lambda t: k.noisy(noise, 18 + 46 * load(t) * (1 - 0.6 * fail_frac(t)) * base_tasks / tasks(t), 0.05),
    )
    m.add(
        "AWS/ECS", "MemoryUtilization", ecsd, "Percent", T, lambda t: k.noisy(noise, 58 + 6 * load(t), 0.02)
    )

    # RDS Proxy
    pd = {"ProxyName": proxy}
    m.add("AWS/RDS", "MaxDatabaseConnectionsAllowed", pd, "Count", T, lambda t: float(int(cap(t))))
    m.add(
        "AWS/RDS",
        "DatabaseConnectionsCurrentlyBorrowed",
        pd,
        "Count",
        T,
        lambda t: min(cap(t), k.noisy(noise, demand(t), 0.06)),
        integer=True,
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnections",
        pd,
        "Count",
        T,
        lambda t: min(cap(t), k.noisy(noise, demand(t) * 1.35 + 20, 0.04)),
        integer=True,
    )
    m.add(
        "AWS/RDS",
        "ClientConnections",
        pd,
        "Count",
        T,
        lambda t: k.noisy(noise, tasks(t) * 40, 0.01),
        integer=True,
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnectionRequests",
        pd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * 1.9 * step(t), 0.04),
        integer=True,
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnectionsBorrowLatency",
        pd,
        "Microseconds",
        T,
        lambda t: k.noisy(noise, 140 + 4_200_000 * fail_frac(t), 0.1),
    )
    m.add(
        "AWS/RDS", "QueryDatabaseResponseLatency", pd, "Microseconds", T, lambda t: k.noisy(noise, 2600, 0.1)
    )

    # Aurora: barely notices
    def db_cpu(s: float) -> Callable[[datetime], float]:
        return lambda t: k.noisy(noise, 9 + 34 * s * load(t) * (1 - 0.5 * fail_frac(t)), 0.06)

    def db_conns(s: float) -> Callable[[datetime], float]:
        return lambda t: k.noisy(noise, 14 + s * min(cap(t), demand(t) * 1.35 + 20), 0.03)

    for inst, share in ((writer, 0.8), (reader, 0.2)):
        dd = {"DBInstanceIdentifier": inst}
        m.add(
            "AWS/RDS",
            "CPUUtilization",
            dd,
            "Percent",
            T,
            db_cpu(share),
            key=f"cpu-{inst}",
        )
        m.add(
            "AWS/RDS",
            "DatabaseConnections",
            dd,
            "Count",
            T,
            db_conns(share),
            integer=True,
        )
        m.add("AWS/RDS", "FreeableMemory", dd, "Bytes", T, lambda t: k.noisy(noise, 5.1e9, 0.01), digits=0)
        m.add("AWS/RDS", "CommitLatency", dd, "Milliseconds", T, lambda t: k.noisy(noise, 1.6, 0.12))
    m.add(
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": reader},
        "Milliseconds",
        T,
        lambda t: k.noisy(noise, 18, 0.2),
    )

    # a second service in the cluster: fx-rates-sync
    fx = "fx-rates-sync"
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": fx},
        "Percent",
        T,
        lambda t: k.noisy(noise, 7, 0.2),
    )

    # ------------------------------------------------------------------ alarms
    topic = f"arn:aws:sns:{region}:{account}:payments-oncall"
    cfg = start - timedelta(days=rng.randrange(30, 300))
    specs = [
        (
            "remit-api-target-5xx",
            "remit-api targets returning 5xx (pages payments on-call)",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            3,
            3,
            40.0,
            "GreaterThanThreshold",
            "t5xx",
            "notBreaching",
        ),
        (
            "remit-api-p99-latency",
            "remit-api p99 response time above 2 s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "p99",
            60,
            5,
            5,
            2.0,
            "GreaterThanThreshold",
            "p99",
            "missing",
        ),
        (
            f"{writer}-cpu-high",
            "Aurora writer CPU above 80%",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": writer},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            f"cpu-{writer}",
            "missing",
        ),
    ]
    alarms: list[k.Json] = []
    history: list[k.Json] = []
    trig: k.Json | None = None
    for name, desc, ns, met, dims, stat, per, ev, dp, thr, cmp_, key, miss in specs:
        item = k.alarm_item(
            account=account,
            region=region,
            name=name,
            description=desc,
            namespace=ns,
            metric=met,
            dims=dims,
            statistic=stat,
            period=per,
            evaluation_periods=ev,
            datapoints=dp,
            threshold=thr,
            comparison=cmp_,
            treat_missing=miss,
            topic_arn=topic,
            configured=cfg,
        )
        final, hist, trans = k.evaluate_alarm(item, m.points[key], start, now)
        alarms.append(final)
        history += hist
        if name == "remit-api-target-5xx":
            firing = [x for x in trans if x["new"] == "ALARM"]
            if firing:
                prior = [h for h in hist if h["Timestamp"] < k.iso_ms(firing[0]["time"])]
                old_reason = (
                    json.loads(prior[-1]["HistoryData"])["newState"]["stateReason"]
                    if prior
                    else final["StateReason"]
                )
                trig = k.alarm_event(item, firing[0], account, region, ids, old_reason)

    # ------------------------------------------------------------------ resources
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}"
    td_rev = rng.randrange(140, 260)
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td_rev}"
    fx_rev = rng.randrange(20, 60)
    fx_td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{fx}:{fx_rev + 1}"
    ecr = f"{account}.dkr.ecr.{region}.amazonaws.com"
    proxy_arn = f"arn:aws:rds:{region}:{account}:db-proxy:prx-0{ids.hex(16)}"
    proxy_tg_arn = f"arn:aws:rds:{region}:{account}:target-group:prx-tg-0{ids.hex(16)}"
    proxy_endpoint = f"{proxy}.proxy-{ids.hex(12)}.{region}.rds.amazonaws.com"
    cluster_res_id = "cluster-" + ids.upper(26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    deployed = start - timedelta(days=rng.randrange(1, 6), hours=rng.randrange(0, 6))
    fx_deploy = onset - timedelta(minutes=rng.randrange(8, 20), seconds=rng.randrange(60))
    sng = "remit-db-private"
    pg_ver = "15.6"

    def db_instance(ident: str, az: str, writer_: bool) -> k.Json:
        return {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": ident,
                "DBInstanceClass": "db.r6g.large",
                "Engine": "aurora-postgresql",
                "DBInstanceStatus": "available",
                "Endpoint": {
                    "Address": f"{ident}.{ids.hex(12)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z2R2ITUGPM61AM",
                },
                "InstanceCreateTime": k.iso(created),
                "PreferredBackupWindow": "07:10-07:40",
                "BackupRetentionPeriod": 14,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": n.sg_db, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": "default.aurora-postgresql15", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": az,
                "DBSubnetGroup": {
                    "DBSubnetGroupName": sng,
                    "DBSubnetGroupDescription": "remit db",
                    "VpcId": n.vpc,
                    "SubnetGroupStatus": "Complete",
                    "Subnets": [
                        {
                            "SubnetIdentifier": s,
                            "SubnetAvailabilityZone": {"Name": a},
                            "SubnetStatus": "Active",
                        }
                        for s, a in zip(n.subnets, n.azs, strict=True)
                    ],
                },
                "PreferredMaintenanceWindow": "sun:08:30-sun:09:00",
                "PendingModifiedValues": {},
                "MultiAZ": False,
                "EngineVersion": pg_ver,
                "AutoMinorVersionUpgrade": True,
                "PubliclyAccessible": False,
                "StorageType": "aurora",
                "DbInstancePort": 0,
                "DBClusterIdentifier": db_cluster,
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + ids.upper(26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                "PromotionTier": 1,
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{ident}",
                "PerformanceInsightsEnabled": True,
                "EnabledCloudwatchLogsExports": ["postgresql"],
                "DeletionProtection": True,
                "TagList": [
                    {"Key": "service", "Value": "remit"},
                    {"Key": "role", "Value": "writer" if writer_ else "reader"},
                ],
            },
        }

    resources: list[k.Json] = [
        lb_res,
        tg_res,
        k.ecs_cluster(account, region, cluster, 4, 24),
        k.ecs_service(
            ids, account, region, n, cluster, svc, td_arn, tg_arn, 8080, tasks(now), created, deployed
        ),
        k.ecs_service(ids, account, region, n, cluster, fx, fx_td_arn, None, 8080, 1, created, fx_deploy),
        k.task_definition(
            account,
            region,
            svc,
            td_rev,
            f"{ecr}/{svc}:{ids.hex(7)}",
            1024,
            2048,
            8080,
            {
                "SPRING_PROFILES_ACTIVE": "prod",
                "DB_HOST": proxy_endpoint,
                "DB_NAME": "remit",
                "HIKARI_MAX_POOL_SIZE": "40",
                "JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=75",
            },
            deployed - timedelta(minutes=4),
            f"arn:aws:sts::{account}:assumed-role/gha-ecs-deploy/GitHubActions",
        ),
        k.task_definition(
            account,
            region,
            fx,
            fx_rev + 1,
            f"{ecr}/{fx}:{ids.hex(7)}",
            256,
            512,
            8080,
            {"RATES_PROVIDER": "ecb", "POLL_SECONDS": "30"},
            fx_deploy - timedelta(seconds=40),
            f"arn:aws:sts::{account}:assumed-role/gha-ecs-deploy/GitHubActions",
        ),
        {
            "service": "rds",
            "type": "DBProxy",
            "item": {
                "DBProxyName": proxy,
                "DBProxyArn": proxy_arn,
                "Status": "available",
                "EngineFamily": "POSTGRESQL",
                "VpcId": n.vpc,
                "VpcSecurityGroupIds": [n.sg_db],
                "VpcSubnetIds": n.subnets,
                "Auth": [
                    {
                        "AuthScheme": "SECRETS",
                        "SecretArn": f"arn:aws:secretsmanager:{region}:{account}:secret:remit/app-db-{ids.upper(6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}",
                        "IAMAuth": "DISABLED",
                        "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
                    }
                ],
                "RoleArn": f"arn:aws:iam::{account}:role/remit-pg-proxy-secrets",
                "Endpoint": proxy_endpoint,
                "RequireTLS": True,
                "IdleClientTimeout": 1800,
                "DebugLogging": False,
                "CreatedDate": k.iso(created + timedelta(days=3)),
                "UpdatedDate": k.iso(created + timedelta(days=3)),
            },
        },
        {
            "service": "rds",
            "type": "DBProxyTargetGroup",
            "item": {
                "DBProxyName": proxy,
                "TargetGroupName": "default",
                "TargetGroupArn": proxy_tg_arn,
                "IsDefault": True,
                "Status": "available",
                "ConnectionPoolConfig": {
                    "MaxConnectionsPercent": new_pct,
                    "MaxIdleConnectionsPercent": 10,
                    "ConnectionBorrowTimeout": 10,
                    "SessionPinningFilters": [],
                },
                "CreatedDate": k.iso(created + timedelta(days=3)),
                "UpdatedDate": k.iso(change_at),
            },
        },
        {
            "service": "rds",
            "type": "DBCluster",
            "item": {
                "DBClusterIdentifier": db_cluster,
                "DBClusterArn": f"arn:aws:rds:{region}:{account}:cluster:{db_cluster}",
                "Status": "available",
                "Engine": "aurora-postgresql",
                "EngineVersion": pg_ver,
                "EngineMode": "provisioned",
                "Endpoint": f"{db_cluster}.cluster-{ids.hex(12)}.{region}.rds.amazonaws.com",
                "ReaderEndpoint": f"{db_cluster}.cluster-ro-{ids.hex(12)}.{region}.rds.amazonaws.com",
                "Port": 5432,
                "MasterUsername": "remit_admin",
                "DBClusterParameterGroup": "default.aurora-postgresql15",
                "DBSubnetGroup": sng,
                "MultiAZ": True,
                "AvailabilityZones": n.azs,
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": writer,
                        "IsClusterWriter": True,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                    {
                        "DBInstanceIdentifier": reader,
                        "IsClusterWriter": False,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": n.sg_db, "Status": "active"}],
                "StorageEncrypted": True,
                "DbClusterResourceId": cluster_res_id,
                "ClusterCreateTime": k.iso(created),
                "BackupRetentionPeriod": 14,
                "DeletionProtection": True,
                "EnabledCloudwatchLogsExports": ["postgresql"],
            },
        },
        db_instance(writer, n.azs[0], True),
        db_instance(reader, n.azs[1], False),
        {
            "service": "application-autoscaling",
            "type": "ScalableTarget",
            "item": {
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{svc}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 12,
                "MaxCapacity": 40,
                "RoleARN": f"arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                "CreationTime": k.iso(created + timedelta(days=10)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        },
        {
            "service": "application-autoscaling",
            "type": "ScalingPolicy",
            "item": {
                "PolicyARN": f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{ids.uuid()}:resource/ecs/service/{cluster}/{svc}:policyName/remit-api-requests-per-task",
                "PolicyName": "remit-api-requests-per-task",
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{svc}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 3400.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ALBRequestCountPerTarget",
                        "ResourceLabel": f"{lb_dim}/{tg_dim}",
                    },
                    "ScaleOutCooldown": 120,
                    "ScaleInCooldown": 600,
                    "DisableScaleIn": False,
                },
                "Alarms": [],
                "CreationTime": k.iso(created + timedelta(days=10)),
            },
        },
        k.log_group(account, region, f"/ecs/{svc}", 30, created, rng.randrange(10**9, 10**10)),
    ]

    # ------------------------------------------------------------------ events
    events: list[k.Json] = []
    ips = k.task_ips(ids, base_tasks + 4)
    for i, ip in enumerate(ips[:base_tasks]):
        events.append(
            k.target_health(
                tg_arn, ip, 8080, n.azs[i % 3], deployed + timedelta(minutes=2, seconds=i * 7), "healthy"
            )
        )
    for i, ip in enumerate(ips[base_tasks:]):
        t0 = scale_at + timedelta(seconds=70 + i * 5)
        events.append(
            k.target_health(tg_arn, ip, 8080, n.azs[i % 3], t0, "initial", "Elb.RegistrationInProgress")
        )
        events.append(k.target_health(tg_arn, ip, 8080, n.azs[i % 3], t0 + timedelta(seconds=48), "healthy"))
    task_ids = [ids.hex(32) for _ in range(4)]
    events.append(
        k.ecs_event(
            svc_arn,
            ids,
            scale_at + timedelta(seconds=20),
            f"(service {svc}) has started 4 tasks: " + " ".join(f"(task {t})" for t in task_ids) + ".",
        )
    )
    events.append(
        k.ecs_event(
            svc_arn,
            ids,
            scale_at + timedelta(seconds=80),
            f"(service {svc}, taskSet ecs-svc/{rng.randrange(10**18, 10**19)}) registered 4 targets in (target-group {tg_arn})",
        )
    )
    events.append(
        k.ecs_event(
            svc_arn, ids, scale_at + timedelta(minutes=4), f"(service {svc}) has reached a steady state."
        )
    )
    for h in range(1, 5):
        t = start + timedelta(hours=h * 1.0, minutes=rng.randrange(0, 50))
        if t < scale_at:
            events.append(k.ecs_event(svc_arn, ids, t, f"(service {svc}) has reached a steady state."))
    events.append(
        {
            "source": "application_autoscaling",
            "item": {
                "ActivityId": ids.uuid(),
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{svc}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": "Setting desired count to 16.",
                "Cause": f"monitor alarm TargetTracking-service/{cluster}/{svc}-AlarmHigh-{ids.uuid()} in state ALARM triggered policy remit-api-requests-per-task",
                "StartTime": k.iso_ms(scale_at),
                "EndTime": k.iso_ms(scale_at + timedelta(seconds=rng.randrange(30, 90))),
                "StatusCode": "Successful",
                "StatusMessage": "Successfully set desired count to 16. Change successfully fulfilled by ecs.",
            },
        }
    )

    # ------------------------------------------------------------------ CloudTrail
    ct: list[k.Json] = []
    people = rng.sample(
        ["maria.gonzalez", "kevin.obrien", "aisha.patel", "jordan.lee", "sam.whitfield", "ravi.shah"], 3
    )
    dba = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_DatabaseAdmin_{ids.hex(16)}",
        f"{people[0]}@sendwell.com",
        k.AGENT_CONSOLE,
    )
    eng = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_PaymentsEngineer_{ids.hex(16)}",
        f"{people[1]}@sendwell.com",
        k.AGENT_CLI.format(cmd="ecs.describe-services"),
    )
    ro = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_ReadOnly_{ids.hex(16)}",
        f"{people[2]}@sendwell.com",
        k.AGENT_CONSOLE,
    )
    gha = k.principal(
        ids,
        account,
        region,
        "role",
        "gha-ecs-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        k.AGENT_JS.format(api="ecs"),
        ip=ids.public_ip(),
    )
    aas = k.principal(
        ids,
        account,
        region,
        "role",
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling-ECS",
        "ecs.application-autoscaling.amazonaws.com",
        invoked_by="ecs.application-autoscaling.amazonaws.com",
    )
    reads = [
        ("rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": db_cluster}),
        ("rds.amazonaws.com", "DescribeDBProxies", {"dBProxyName": proxy}),
        ("rds.amazonaws.com", "DescribeDBInstances", None),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": svc}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("cloudwatch.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "remit"}),
        ("secretsmanager.amazonaws.com", "ListSecrets", None),
    ]
    ct += k.routine_reads(rng, ids, [dba, eng, ro], reads, start, now, 22, region, account)
    # the proxy secret is read by the proxy's role on new connections (AWS service calls)
    proxy_svc = k.principal(
        ids,
        account,
        region,
        "role",
        "remit-pg-proxy-secrets",
        f"{rng.randrange(10**12, 10**13)}",
        "rds.amazonaws.com",
        invoked_by="rds.amazonaws.com",
    )
    for t in k.spread_times(rng, start, now, 7):
        ct.append(
            k.ct_record(
                ids,
                proxy_svc,
                t,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                {"secretId": f"arn:aws:secretsmanager:{region}:{account}:secret:remit/app-db"},
                None,
                read_only=True,
                region=region,
                account=account,
            )
        )
    # the change: DBA console session, reads first
    for i, (src, name, req) in enumerate(
        [
            ("rds.amazonaws.com", "DescribeDBProxies", None),
            ("rds.amazonaws.com", "DescribeDBProxyTargetGroups", {"dBProxyName": proxy}),
            ("rds.amazonaws.com", "DescribeDBProxyTargets", {"dBProxyName": proxy}),
        ]
    ):
        ct.append(
            k.ct_record(
                ids,
                dba,
                change_at - timedelta(minutes=3, seconds=-i * 25),
                src,
                name,
                req,
                None,
                read_only=True,
                region=region,
                account=account,
            )
        )
    culprit = k.ct_record(
        ids,
        dba,
        change_at,
        "rds.amazonaws.com",
        "ModifyDBProxyTargetGroup",
        {
            "targetGroupName": "default",
            "dBProxyName": proxy,
            "connectionPoolConfig": {"maxConnectionsPercent": new_pct, "maxIdleConnectionsPercent": 10},
        },
        {
            "dBProxyTargetGroup": {
                "dBProxyName": proxy,
                "targetGroupName": "default",
                "targetGroupArn": proxy_tg_arn,
                "isDefault": True,
                "status": "available",
                "connectionPoolConfig": {
                    "maxConnectionsPercent": new_pct,
                    "maxIdleConnectionsPercent": 10,
                    "connectionBorrowTimeout": 10,
                    "sessionPinningFilters": [],
                },
                "createdDate": (created + timedelta(days=3)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                "updatedDate": change_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        read_only=False,
        region=region,
        account=account,
    )
    ct.append(culprit)
    # the same DBA then creates a CloudWatch dashboard entry (read) and leaves
    ct.append(
        k.ct_record(
            ids,
            dba,
            change_at + timedelta(minutes=2),
            "rds.amazonaws.com",
            "DescribeDBProxyTargetGroups",
            {"dBProxyName": proxy},
            None,
            read_only=True,
            region=region,
            account=account,
        )
    )
    # fx-rates-sync deploy by CI shortly before the onset
    ct.append(
        k.ct_record(
            ids,
            gha,
            fx_deploy - timedelta(seconds=40),
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": fx,
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "256",
                "memory": "512",
                "containerDefinitions": [
                    {"name": fx, "image": f"{ecr}/{fx}:{ids.hex(7)}", "essential": True}
                ],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": fx_td_arn,
                    "family": fx,
                    "revision": fx_rev + 1,
                    "status": "ACTIVE",
                }
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            gha,
            fx_deploy,
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": cluster, "service": fx, "taskDefinition": fx_td_arn, "forceNewDeployment": False},
            {
                "service": {
                    "serviceName": fx,
                    "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/{fx}",
                    "taskDefinition": fx_td_arn,
                    "desiredCount": 1,
                    "status": "ACTIVE",
                }
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    # an engineer bumps an SSM feature flag for the quote page
    flag_at = onset - timedelta(minutes=rng.randrange(3, 25))
    ct.append(
        k.ct_record(
            ids,
            eng,
            flag_at,
            "ssm.amazonaws.com",
            "PutParameter",
            {"name": "/remit/prod/features/quote-v2-rollout-percent", "type": "String", "overwrite": True},
            {"version": rng.randrange(5, 30), "tier": "Standard"},
            read_only=False,
            region=region,
            account=account,
        )
    )
    # application auto scaling raises the desired count
    ct.append(
        k.ct_record(
            ids,
            aas,
            scale_at + timedelta(seconds=2),
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": cluster, "service": svc, "desiredCount": 16},
            {"service": {"serviceName": svc, "serviceArn": svc_arn, "desiredCount": 16, "status": "ACTIVE"}},
            read_only=False,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            aas,
            scale_at,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [svc]},
            None,
            read_only=True,
            region=region,
            account=account,
        )
    )

    # ------------------------------------------------------------------ logs
    logs: list[k.Json] = []
    group = f"/ecs/{svc}"
    streams = [f"app/{svc}/{ids.hex(32)}" for _ in range(4)]
    threads = [f"http-nio-8080-exec-{i}" for i in range(1, 60)]
    routes = [
        ("POST", "/v1/transfers", "TransferController"),
        ("GET", "/v1/quotes", "QuoteController"),
        ("GET", "/v1/transfers/{id}", "TransferController"),
        ("POST", "/v1/recipients", "RecipientController"),
    ]
    t = start + timedelta(seconds=rng.randrange(5, 40))
    while t < now:
        s = rng.choice(streams)
        ts = k.iso_ms(t)[:-1]
        f = fail_frac(t)
        th = rng.choice(threads)
        if f > 0 and rng.random() < min(0.85, 0.3 + f):
            trace = ids.hex(32)
            msg = (
                f"{ts.replace('T', ' ')} ERROR 1 --- [{th}] o.h.engine.jdbc.spi.SqlExceptionHelper   : "
                f"Timed-out waiting to acquire database connection\n"
            )
            logs.append(k.log(group, s, t, msg))
            logs.append(
                k.log(
                    group,
                    s,
                    t + timedelta(milliseconds=3),
                    (
                        f"{ts.replace('T', ' ')} ERROR 1 --- [{th}] c.s.remit.web.ApiExceptionHandler      : "
                        f"request failed traceId={trace} route={rng.choice(routes)[1]} status=500\n"
                        "org.springframework.dao.DataAccessResourceFailureException: could not execute statement; "
                        "SQL [n/a]; nested exception is org.hibernate.exception.JDBCConnectionException: could not execute statement\n"
                        "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:276)\n"
                        "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible(HibernateJpaDialect.java:233)\n"
                        "\tat com.sendwell.remit.transfer.TransferService.create(TransferService.java:118)\n"
                        "\tat com.sendwell.remit.web.TransferController.create(TransferController.java:61)\n"
                        "Caused by: org.postgresql.util.PSQLException: FATAL: Timed-out waiting to acquire database connection\n"
                        "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)\n"
                        "\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2401)\n"
                        "\tat org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:517)\n"
                        "\t... 87 common frames omitted\n"
                    ),
                )
            )
            t += timedelta(seconds=rng.uniform(2, 9))
            continue
        r = rng.random()
        if r < 0.82:
            meth, path, _ctl = rng.choice(routes)
            ms_ = int(k.noisy(rng, 60, 0.5)) + 8
            msg = (
                f"{ts.replace('T', ' ')}  INFO 1 --- [{th}] c.s.remit.web.RequestLogFilter         : "
                f"{meth} {path} status={rng.choice([200, 200, 200, 201, 200, 404])} duration_ms={ms_}\n"
            )
        elif r < 0.95:
            msg = (
                f"{ts.replace('T', ' ')}  WARN 1 --- [{th}] c.s.remit.fx.RateCache                  : "
                f"rate for {rng.choice(['USD/MXN', 'USD/PHP', 'USD/INR', 'USD/NGN'])} is {rng.randrange(31, 58)}s old, refreshing\n"
            )
        else:
            msg = (
                f"{ts.replace('T', ' ')}  WARN 1 --- [{th}] c.s.remit.kyc.KycClient                 : "
                f"KYC provider slow: 1{rng.randrange(100, 900)}ms for screening call, retrying once\n"
            )
        logs.append(k.log(group, s, t, msg))
        t += timedelta(seconds=rng.uniform(15, 45))

    alarm_ev = trig
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {
                "question": rng.choice(
                    [
                        "remit-api-target-5xx just paged. Customers are reporting failed transfers. What's causing it?",
                        None,
                    ]
                ),
                "alarm_event": alarm_ev,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": proxy,
                    "category": "change",
                    "failure_mode": "proxy-max-connections-percent-cut",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [proxy_arn, proxy_tg_arn, f"{proxy}/default"],
                "actions": ["rollback"],
                "chain": [
                    f"{proxy} default target group MaxConnectionsPercent was lowered from {old_pct} to {new_pct} in the late morning",
                    f"At the afternoon peak remit-api needs more borrowed database connections than the proxy may open "
                    f"(MaxDatabaseConnectionsAllowed {new_cap})",
                    "Queries wait for a connection and fail after the 10 s ConnectionBorrowTimeout",
                    f"{svc} returns 500s and slow responses through {alb_name}; {db_cluster} itself is idle",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": k.sort_ct(ct),
            "resources": resources,
            "events": events,
        },
    )
