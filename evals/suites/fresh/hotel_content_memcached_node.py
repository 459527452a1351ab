"""Travel site: hotel pages slow and the content database CPU alarm fires mid-morning."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_za as k

NAME = "hotel-content-memcached-node"
TITLE = "Hotel pages slow and content-mysql-prod CPU alarm mid-morning"
SUMMARY = (
    "One node of the Memcached cluster in front of the hotel content database failed and was replaced "
    "empty; a third of the cache misses fall through to MySQL, whose CPU saturates, and hotel-content-api slows."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    noise = random.Random(f"{NAME}:{seed}:noise")
    ids = k.Ids(rng)
    region = rng.choice(["eu-central-1", "eu-west-1", "ap-southeast-2"])
    region_code = {"eu-central-1": "euc1", "eu-west-1": "euw1", "ap-southeast-2": "apse2"}[region]
    utc_off = {"eu-central-1": 2.0, "eu-west-1": 1.0, "ap-southeast-2": 10.0}[region]
    account = ids.account()
    day = k.pick_day(rng, (0, 1, 2, 3, 4))
    onset = datetime(day.year, day.month, day.day, 0, 0, tzinfo=k.UTC) + timedelta(
        hours=(10 - utc_off) % 24, minutes=rng.randrange(0, 50), seconds=rng.randrange(60)
    )
    start = k.floor_min(onset - timedelta(hours=4, minutes=rng.randrange(0, 40)))
    now = k.floor_min(onset + timedelta(minutes=rng.randrange(33, 41)))
    end = now
    near = k.floor_min(onset) - timedelta(minutes=90)
    recover_at = onset + timedelta(minutes=rng.randrange(15, 21), seconds=rng.randrange(60))
    n = k.net(ids, region)

    mc = "hotel-content-mc"
    db = "content-mysql-prod"
    replica = "content-mysql-replica-1"
    cluster = "content-prod"
    svc = "hotel-content-api"
    alb_name = "content-internal"
    bad_node = rng.choice(["0001", "0002", "0003"])
    nodes = ["0001", "0002", "0003"]
    mc_hash = ids.hex(6)
    created = start - timedelta(days=rng.randrange(300, 900))
    T = list(k.minutes(start, near, 300)) + list(k.minutes(near, now, 60))

    def step(t: datetime) -> int:
        return 300 if t < near else 60

    def load(t: datetime) -> float:
        return k.diurnal(t, utc_off, low=0.2)

    peak_rps = rng.uniform(1100, 1600)

    def rps(t: datetime) -> float:
        return peak_rps * load(t)

    def lost_share(t: datetime) -> float:
        """Share of cache lookups that miss because of the failed/cold node."""
        if t < onset:
            return 0.0
        if t < recover_at:
            return 1 / 3
        warm = (t - recover_at).total_seconds() / 60
        return (1 / 3) * max(0.35, 0.97**warm)

    def db_cpu(t: datetime) -> float:
        base = 14 + 30 * load(t)
        return min(99.0, base + 300 * lost_share(t) * load(t))

    def saturation(t: datetime) -> float:
        return max(0.0, (db_cpu(t) - 80) / 20)

    m = k.Metrics()
    # memcached nodes
    hit_ratio = 0.94

    def nz(f: Callable[[datetime], float], scale: float, rel: float) -> Callable[[datetime], float]:
        return lambda t: k.noisy(noise, f(t) * scale, rel)

    for node in nodes:
        d = {"CacheClusterId": mc, "CacheNodeId": node}

        def alive(t: datetime, node_: str = node) -> bool:
            return node_ != bad_node or not (onset <= t < recover_at + timedelta(minutes=1))

        def per_node(
            fn: Callable[[datetime], float], node_: str = node
        ) -> Callable[[datetime], float | None]:
            return lambda t: fn(t) if alive(t, node_) else None

        cold = node == bad_node

        def gets(t: datetime) -> float:
            return rps(t) * 4.2 / 3 * step(t)

        def hits(t: datetime, cold_: bool = cold) -> float:
            if cold_ and t >= onset:
                fill = 1 - 3 * lost_share(t)  # 0 just after recovery, climbing back
                return gets(t) * hit_ratio * max(0.0, fill)
            return gets(t) * hit_ratio

        def misses(t: datetime, cold_: bool = cold) -> float:
            return gets(t) - hits(t, cold_)

        def items(t: datetime, cold_: bool = cold) -> float:
            if cold_ and t >= onset:
                return 2_400_000 * max(0.0, 1 - 3 * lost_share(t))
            return 2_400_000 + 40_000 * load(t)

        m.add("AWS/ElastiCache", "GetHits", d, "Count", T, per_node(nz(hits, 1.0, 0.03)), integer=True)
        m.add("AWS/ElastiCache", "GetMisses", d, "Count", T, per_node(nz(misses, 1.0, 0.05)), integer=True)
        m.add("AWS/ElastiCache", "CmdSet", d, "Count", T, per_node(nz(misses, 0.97, 0.05)), integer=True)
        m.add("AWS/ElastiCache", "CurrItems", d, "Count", T, per_node(nz(items, 1.0, 0.005)), integer=True)
        m.add(
            "AWS/ElastiCache",
            "CurrConnections",
            d,
            "Count",
            T,
            per_node(lambda t: float(rng.randrange(0, 3) + 10 + 8 * 24)),
            integer=True,
        )
        m.add(
            "AWS/ElastiCache",
            "CPUUtilization",
            d,
            "Percent",
            T,
            per_node(lambda t: k.noisy(noise, 4 + 9 * load(t), 0.08)),
        )
        m.add("AWS/ElastiCache", "Evictions", d, "Count", T, per_node(lambda t: 0.0), integer=True)
        m.add(
            "AWS/ElastiCache",
            "BytesUsedForCacheItems",
            d,
            "Bytes",
            T,
            per_node(nz(items, 2150.0, 0.005)),
            digits=0,
        )

    # MySQL
    dbd = {"DBInstanceIdentifier": db}
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        T,
        lambda t: min(100.0, k.noisy(noise, db_cpu(t), 0.03)),
        key="dbcpu",
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Count",
        T,
        lambda t: k.noisy(noise, 96 + 150 * saturation(t) + 40 * lost_share(t), 0.03),
        integer=True,
    )
    m.add(
        "AWS/RDS",
        "ReadIOPS",
        dbd,
        "Count/Second",
        T,
        lambda t: k.noisy(noise, 220 + 2600 * lost_share(t) * load(t), 0.08),
    )
    m.add("AWS/RDS", "WriteIOPS", dbd, "Count/Second", T, lambda t: k.noisy(noise, 140 + 40 * load(t), 0.08))
    m.add(
        "AWS/RDS",
        "ReadLatency",
        dbd,
        "Seconds",
        T,
        lambda t: k.noisy(noise, 0.0006 + 0.002 * saturation(t), 0.1),
        digits=5,
    )
    m.add("AWS/RDS", "FreeableMemory", dbd, "Bytes", T, lambda t: k.noisy(noise, 9.8e9, 0.005), digits=0)
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": replica},
        "Percent",
        T,
        lambda t: k.noisy(noise, 11 + 8 * load(t), 0.06),
        key="replcpu",
    )
    m.add(
        "AWS/RDS",
        "ReplicaLag",
        {"DBInstanceIdentifier": replica},
        "Seconds",
        T,
        lambda t: float(noise.choice([0, 0, 0, 1])),
    )

    # API behind the ALB
    lb_res, lb_arn, lb_dim = k.alb(ids, account, region, n, alb_name, created)
    lb_res["item"]["Scheme"] = "internal"
    tg_res, tg_arn, tg_dim = k.target_group(
        ids, account, region, n, "hotel-content-api", lb_arn, 8000, "/healthz"
    )
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        tgd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * step(t), 0.03),
        integer=True,
    )

    def five(t: datetime) -> float | None:
        v = round(k.noisy(noise, rps(t) * step(t) * (0.00002 + 0.01 * saturation(t)), 0.2))
        return float(v) if v > 0 else None

    m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, "Count", T, five, integer=True, key="t5xx")
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * step(t) * 0.97, 0.03),
        integer=True,
    )
    m.add_dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        T,
        lambda t: k.latency_dist(
            noise,
            0.021 + 0.07 * lost_share(t) + 0.12 * saturation(t),
            0.16 + 2.2 * lost_share(t) + 1.5 * saturation(t),
            rps(t) * step(t),
            digits=3,
        ),
        key="p99",
    )
    m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", T, lambda t: 9.0)
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", T, lambda t: 0.0)
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": svc},
        "Percent",
        T,
        lambda t: k.noisy(noise, 12 + 35 * load(t) + 6 * lost_share(t), 0.05),
    )
    m.add(
        "AWS/ECS",
        "MemoryUtilization",
        {"ClusterName": cluster, "ServiceName": svc},
        "Percent",
        T,
        lambda t: k.noisy(noise, 41, 0.02),
    )

    # ------------------------------------------------------------------ alarms
    topic = f"arn:aws:sns:{region}:{account}:content-platform-alerts"
    cfg = start - timedelta(days=rng.randrange(30, 400))
    specs = [
        (
            f"{db}-cpu-high",
            "content-mysql-prod CPU above 80% for 5 minutes",
            "AWS/RDS",
            "CPUUtilization",
            dbd,
            "Average",
            60,
            5,
            5,
            80.0,
            "GreaterThanThreshold",
            "dbcpu",
            "missing",
        ),
        (
            "hotel-content-api-p99",
            "hotel-content-api p99 above 1.5 s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "p99",
            300,
            2,
            2,
            1.5,
            "GreaterThanThreshold",
            "p99",
            "missing",
        ),
        (
            f"{replica}-cpu-high",
            "content replica CPU above 80%",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": replica},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "replcpu",
            "missing",
        ),
        (
            "hotel-content-api-5xx",
            "hotel-content-api 5xx over 200 a minute",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            3,
            3,
            200.0,
            "GreaterThanThreshold",
            "t5xx",
            "notBreaching",
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
        if name == f"{db}-cpu-high":
            firing = [x for x in trans if x["new"] == "ALARM"]
            if firing:
                trig = k.alarm_event(
                    item, firing[0], account, region, ids, "Threshold Crossed: no datapoints were breaching."
                )

    # ------------------------------------------------------------------ resources
    mc_created = created + timedelta(days=4)

    def cache_node(nd: str, az: str) -> k.Json:
        return {
            "CacheNodeId": nd,
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": k.iso_ms(recover_at if nd == bad_node else mc_created),
            "Endpoint": {"Address": f"{mc}.{mc_hash}.{nd}.{region_code}.cache.amazonaws.com", "Port": 11211},
            "ParameterGroupStatus": "in-sync",
            "CustomerAvailabilityZone": az,
        }

    td_rev = rng.randrange(300, 520)
    ecr = f"{account}.dkr.ecr.{region}.amazonaws.com"
    deploy_at = onset - timedelta(minutes=rng.randrange(14, 26), seconds=rng.randrange(60))
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}"
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td_rev}"
    pg = "content-mysql80"

    resources: list[k.Json] = [
        {
            "service": "elasticache",
            "type": "CacheCluster",
            "item": {
                "CacheClusterId": mc,
                "ConfigurationEndpoint": {
                    "Address": f"{mc}.{mc_hash}.cfg.{region_code}.cache.amazonaws.com",
                    "Port": 11211,
                },
                "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
                "CacheNodeType": "cache.r6g.large",
                "Engine": "memcached",
                "EngineVersion": "1.6.22",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 3,
                "PreferredAvailabilityZone": "Multiple",
                "CacheClusterCreateTime": k.iso_ms(mc_created),
                "PreferredMaintenanceWindow": "sun:02:00-sun:03:00",
                "PendingModifiedValues": {},
                "CacheSecurityGroups": [],
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "default.memcached1.6",
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "content-cache-private",
                "CacheNodes": [cache_node(nd, az) for nd, az in zip(nodes, n.azs, strict=True)],
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": ids.res("sg"), "Status": "active"}],
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": False,
                "ARN": f"arn:aws:elasticache:{region}:{account}:cluster:{mc}",
                "ReplicationGroupLogDeliveryEnabled": False,
                "LogDeliveryConfigurations": [],
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
            },
        },
    ]

    def mysql(ident: str, cls: str, az: str, source: str | None) -> k.Json:
        item: k.Json = {
            "DBInstanceIdentifier": ident,
            "DBInstanceClass": cls,
            "Engine": "mysql",
            "DBInstanceStatus": "available",
            "MasterUsername": "content_admin",
            "Endpoint": {
                "Address": f"{ident}.{ids.hex(12)}.{region}.rds.amazonaws.com",
                "Port": 3306,
                "HostedZoneId": "Z1RLNUO7B9Q6NB",
            },
            "AllocatedStorage": 800,
            "InstanceCreateTime": k.iso(created),
            "PreferredBackupWindow": "01:00-01:30",
            "BackupRetentionPeriod": 7 if source is None else 0,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": n.sg_db, "Status": "active"}],
            "DBParameterGroups": [{"DBParameterGroupName": pg, "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": az,
            "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
            "PendingModifiedValues": {},
            "MultiAZ": source is None,
            "EngineVersion": "8.0.36",
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [replica] if source is None else [],
            "LicenseModel": "general-public-license",
            "Iops": 6000,
            "StorageThroughput": 250,
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "StorageEncrypted": True,
            "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{ident}",
            "PerformanceInsightsEnabled": True,
            "EnabledCloudwatchLogsExports": ["error", "slowquery"],
            "DeletionProtection": source is None,
        }
        if source:
            item["ReadReplicaSourceDBInstanceIdentifier"] = source
        return {"service": "rds", "type": "DBInstance", "item": item}

    resources += [
        mysql(db, "db.r6g.2xlarge", n.azs[0], None),
        mysql(replica, "db.r6g.xlarge", n.azs[1], db),
        lb_res,
        tg_res,
        k.ecs_cluster(account, region, cluster, 3, 14),
        k.ecs_service(ids, account, region, n, cluster, svc, td_arn, tg_arn, 8000, 9, created, deploy_at),
        k.task_definition(
            account,
            region,
            svc,
            td_rev,
            f"{ecr}/{svc}:{ids.hex(7)}",
            1024,
            2048,
            8000,
            {
                "MEMCACHED_SERVERS": ",".join(
                    f"{mc}.{mc_hash}.{nd}.{region_code}.cache.amazonaws.com:11211" for nd in nodes
                ),
                "DB_HOST": f"{db}.internal",
                "GUNICORN_WORKERS": "4",
                "CACHE_TTL_SECONDS": "21600",
            },
            deploy_at - timedelta(seconds=50),
            f"arn:aws:sts::{account}:assumed-role/gha-deploy/GitHubActions",
        ),
        k.log_group(account, region, f"/ecs/{svc}", 14, created, rng.randrange(10**9, 10**10)),
        k.log_group(
            account, region, f"/aws/rds/instance/{db}/slowquery", 7, created, rng.randrange(10**8, 10**9)
        ),
    ]

    # ------------------------------------------------------------------ events
    events: list[k.Json] = [
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": mc,
                "SourceType": "cache-cluster",
                "Message": f"Recovering cache nodes {bad_node}",
                "Date": k.iso_ms(onset + timedelta(minutes=rng.randrange(3, 7))),
            },
        },
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": mc,
                "SourceType": "cache-cluster",
                "Message": f"Finished recovery for cache nodes {bad_node}",
                "Date": k.iso_ms(recover_at),
            },
        },
    ]
    ips = k.task_ips(ids, 18, "10.60")
    for i, ip in enumerate(ips[:9]):
        events.append(k.target_health(tg_arn, ip, 8000, n.azs[i % 3], start - timedelta(days=1), "healthy"))
    for i, (old, new) in enumerate(zip(ips[:9], ips[9:], strict=True)):
        t0 = deploy_at + timedelta(seconds=40 + i * 20)
        events.append(
            k.target_health(tg_arn, new, 8000, n.azs[i % 3], t0, "initial", "Elb.RegistrationInProgress")
        )
        events.append(k.target_health(tg_arn, new, 8000, n.azs[i % 3], t0 + timedelta(seconds=45), "healthy"))
        events.append(
            k.target_health(
                tg_arn,
                old,
                8000,
                n.azs[i % 3],
                t0 + timedelta(seconds=60),
                "draining",
                "Target.DeregistrationInProgress",
            )
        )
    dep_id = f"ecs-svc/{rng.randrange(10**18, 10**19)}"
    events += [
        k.ecs_event(
            svc_arn,
            ids,
            deploy_at + timedelta(seconds=8),
            f"(service {svc}) has started 9 tasks: "
            + " ".join(f"(task {ids.hex(32)})" for _ in range(9))
            + ".",
        ),
        k.ecs_event(
            svc_arn,
            ids,
            deploy_at + timedelta(minutes=2),
            f"(service {svc}, taskSet {dep_id}) registered 9 targets in (target-group {tg_arn})",
        ),
        k.ecs_event(
            svc_arn,
            ids,
            deploy_at + timedelta(minutes=4),
            f"(service {svc}) has stopped 9 running tasks: "
            + " ".join(f"(task {ids.hex(32)})" for _ in range(9))
            + ".",
        ),
        k.ecs_event(
            svc_arn,
            ids,
            deploy_at + timedelta(minutes=6),
            f"(service {svc}) deployment {dep_id} deployment completed.",
        ),
        k.ecs_event(
            svc_arn, ids, deploy_at + timedelta(minutes=7), f"(service {svc}) has reached a steady state."
        ),
    ]

    # ------------------------------------------------------------------ CloudTrail
    ct: list[k.Json] = []
    people = rng.sample(
        ["lena.fischer", "jonas.weber", "chloe.martin", "oliver.smith", "nina.kowalski", "leo.rossi"], 3
    )
    dom = rng.choice(["staywise.travel", "roomscout.io", "hotelnest.com"])
    dba = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_DBA_{ids.hex(16)}",
        f"{people[0]}@{dom}",
        k.AGENT_CLI.format(cmd="rds.modify-db-parameter-group"),
    )
    dev = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_Developer_{ids.hex(16)}",
        f"{people[1]}@{dom}",
        k.AGENT_CONSOLE,
    )
    ro = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_ReadOnly_{ids.hex(16)}",
        f"{people[2]}@{dom}",
        k.AGENT_CONSOLE,
    )
    gha = k.principal(
        ids,
        account,
        region,
        "role",
        "gha-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        k.AGENT_JS.format(api="ecs"),
        ip=ids.public_ip(),
    )
    grafana = k.principal(
        ids,
        account,
        region,
        "role",
        "grafana-cloudwatch-reader",
        "grafana",
        "aws-sdk-go/1.51.8 (go1.22.1; linux; amd64) grafana/10.4.1",
        ip=ids.public_ip(),
    )
    reads: list[tuple[str, str, k.Json | None]] = [
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db}),
        ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("rds.amazonaws.com", "DescribeDBLogFiles", {"dBInstanceIdentifier": db}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", None),
        ("cloudwatch.amazonaws.com", "DescribeAlarms", None),
    ]
    ct += k.routine_reads(rng, ids, [dba, dev, ro], reads, start, now, 16, region, account)
    graf_reads: list[tuple[str, str, k.Json | None]] = [
        ("cloudwatch.amazonaws.com", "ListMetrics", {"namespace": "AWS/RDS"}),
        ("cloudwatch.amazonaws.com", "ListMetrics", {"namespace": "AWS/ElastiCache"}),
        ("ec2.amazonaws.com", "DescribeRegions", None),
    ]
    ct += k.routine_reads(rng, ids, [grafana], graf_reads, start, now, 10, region, account)
    # the deploy (innocent)
    ct.append(
        k.ct_record(
            ids,
            gha,
            deploy_at - timedelta(seconds=50),
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": svc,
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "containerDefinitions": [
                    {"name": svc, "image": f"{ecr}/{svc}:{ids.hex(7)}", "essential": True}
                ],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": td_arn,
                    "family": svc,
                    "revision": td_rev,
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
            deploy_at,
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": cluster, "service": svc, "taskDefinition": td_arn, "forceNewDeployment": False},
            {
                "service": {
                    "serviceName": svc,
                    "serviceArn": svc_arn,
                    "taskDefinition": td_arn,
                    "desiredCount": 9,
                    "status": "ACTIVE",
                }
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    # a DBA lowers long_query_time (dynamic) shortly before
    pg_at = onset - timedelta(minutes=rng.randrange(5, 28), seconds=rng.randrange(60))
    ct.append(
        k.ct_record(
            ids,
            dba,
            pg_at,
            "rds.amazonaws.com",
            "ModifyDBParameterGroup",
            {
                "dBParameterGroupName": pg,
                "parameters": [
                    {"parameterName": "long_query_time", "parameterValue": "1", "applyMethod": "immediate"}
                ],
            },
            {"dBParameterGroupName": pg},
            read_only=False,
            region=region,
            account=account,
        )
    )
    # an engineer tags the cache cluster the day's cost report flagged
    tag_at = onset + timedelta(minutes=rng.randrange(2, 12))
    ct.append(
        k.ct_record(
            ids,
            dev,
            tag_at,
            "elasticache.amazonaws.com",
            "AddTagsToResource",
            {
                "resourceName": f"arn:aws:elasticache:{region}:{account}:cluster:{mc}",
                "tags": [{"key": "cost-centre", "value": "content-platform"}],
            },
            {
                "tagList": [
                    {"key": "cost-centre", "value": "content-platform"},
                    {"key": "team", "value": "content"},
                ]
            },
            read_only=False,
            region=region,
            account=account,
        )
    )

    # ------------------------------------------------------------------ logs
    logs: list[k.Json] = []
    group = f"/ecs/{svc}"
    old_streams = [f"app/{svc}/{ids.hex(32)}" for _ in range(3)]
    new_streams = [f"app/{svc}/{ids.hex(32)}" for _ in range(3)]
    bad_ep = f"{mc}.{mc_hash}.{bad_node}.{region_code}.cache.amazonaws.com:11211"
    t = start + timedelta(seconds=rng.randrange(5, 40))
    while t < now:
        stream = rng.choice(old_streams if t < deploy_at + timedelta(minutes=3) else new_streams)
        ts = k.iso_ms(t)
        rec: dict[str, object]
        if onset <= t < recover_at and rng.random() < 0.5:
            rec = {
                "ts": ts,
                "level": "warning",
                "logger": "content.cache",
                "msg": "memcached get failed, treating as miss",
                "server": bad_ep,
                "error": rng.choice(["timed out", "[Errno 113] No route to host", "timed out"]),
            }
        elif t >= onset and rng.random() < 0.25 + 0.5 * saturation(t):
            rec = {
                "ts": ts,
                "level": "warning",
                "logger": "content.db",
                "msg": "slow query",
                "query": rng.choice(
                    ["property_content_by_id", "room_types_for_property", "amenities_for_property"]
                ),
                "duration_ms": int(k.noisy(rng, 300 + 1800 * saturation(t), 0.3)),
            }
            if saturation(t) > 0.5 and rng.random() < 0.3:
                rec = {
                    "ts": ts,
                    "level": "error",
                    "logger": "content.api",
                    "msg": "request failed",
                    "path": f"/v2/properties/{rng.randrange(10**5, 10**6)}/content",
                    "status": 503,
                    "error": "QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 3.00",
                }
        elif rng.random() < 0.9:
            rec = {
                "ts": ts,
                "level": "info",
                "logger": "gunicorn.access",
                "msg": f"GET /v2/properties/{rng.randrange(10**5, 10**6)}/content HTTP/1.1 200",
                "duration_ms": int(k.noisy(rng, 18, 0.4)) + 2,
            }
        else:
            rec = {
                "ts": ts,
                "level": "warning",
                "logger": "content.images",
                "msg": "image variant missing, falling back to original",
                "variant": "w640",
            }
        logs.append(k.log(group, stream, t, json.dumps(rec, separators=(",", ":")) + "\n"))
        t += timedelta(seconds=rng.uniform(12, 40) if t < onset else rng.uniform(5, 18))
    sq = f"/aws/rds/instance/{db}/slowquery"
    t = start + timedelta(minutes=rng.randrange(5, 30))
    while t < now:
        qt = k.noisy(rng, 1.2 + 2.5 * saturation(t), 0.3) + (1.0 if t >= pg_at else 2.0)
        msg = (
            f"# Time: {k.iso_ms(t)[:-1]}000Z\n# User@Host: content_app[content_app] @  [{ids.ip('10.60.16')}]  Id: {rng.randrange(10**6, 10**7)}\n"
            f"# Query_time: {qt:.6f}  Lock_time: 0.000004 Rows_sent: {rng.randrange(1, 60)}  Rows_examined: {rng.randrange(2000, 90000)}\n"
            f"SET timestamp={int(t.timestamp())};\nSELECT p.*, c.* FROM property p JOIN property_content c ON c.property_id = p.id "
            f"WHERE p.id = {rng.randrange(10**5, 10**6)} AND c.locale = '{rng.choice(['en-GB', 'de-DE', 'fr-FR', 'en-US'])}';\n"
        )
        logs.append(k.log(sq, db, t, msg))
        gap = 600 if t < onset else max(4.0, 60 * (1 - saturation(t)))
        t += timedelta(seconds=rng.uniform(gap * 0.5, gap * 1.5))

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
                        f"{db}-cpu-high is firing and hotel pages are slow. We shipped hotel-content-api this morning. Is that it?",
                        "The content DB CPU alarm went off and property pages are crawling. What's going on?",
                    ]
                ),
                "alarm_event": trig,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": mc,
                    "category": "component_failure",
                    "failure_mode": "cache-node-failure",
                },
                "also_accept": [
                    f"{mc} {bad_node}",
                    f"{mc}.{mc_hash}.{bad_node}.{region_code}.cache.amazonaws.com",
                    f"arn:aws:elasticache:{region}:{account}:cluster:{mc}",
                ],
                "actions": ["scale"],
                "chain": [
                    f"Cache node {bad_node} of {mc} failed and ElastiCache replaced it with an empty node",
                    "A third of hotel-content-api's cache lookups miss and go to the database",
                    f"{db} CPU saturates, queries slow and the app's connection pool times out",
                    f"{svc} latency and some 5xx through {alb_name}",
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
