"""recs-cache memory alarm and climbing evictions on a weekday morning."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_y import (
    UA_CLI,
    UA_CONSOLE,
    Json,
    Kit,
    diurnal,
    ecs_event,
    github_ip,
    iam_role,
    iso,
    iso_ms,
    load_balancer,
    log_group,
    office_ip,
    oidc_assume,
    private_ip,
    security_group,
    sg_rule_from_sg,
    target_group,
    target_health,
    ticks,
)

NAME = "recs-cache-memory-alarm"
TITLE = "recs-cache memory alarm and rising evictions on a weekday morning"
SUMMARY = (
    "No fault: the LRU recommendations Redis grew to its maxmemory as the seasonal catalogue's model output "
    "grew; evictions are by design, hit rate and recs-api latency unchanged, a deploy landed nearby."
)

TZ = ZoneInfo("America/Denver")


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "us-west-2")
    rng = kit.rng
    acct = kit.account
    day = datetime(2024, 9, 2, tzinfo=UTC) + timedelta(days=rng.randrange(0, 70))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    offset = TZ.utcoffset(day.replace(tzinfo=None)).total_seconds() / 3600  # type: ignore[union-attr]
    # memory crosses 90 % in the mid-morning, local time
    onset = day + timedelta(hours=9 - offset, minutes=rng.randint(10, 80), seconds=rng.randint(0, 59))
    now = onset + timedelta(minutes=rng.randint(40, 55))
    start = onset - timedelta(days=3, hours=2)
    fine_from = onset - timedelta(hours=3)
    tks = ticks(start, now, fine_from, coarse=900)
    created = day - timedelta(days=rng.randint(300, 800))

    rg = "recs-cache-prod"
    nodes = [f"{rg}-001", f"{rg}-002"]
    node_type = "cache.r6g.large"
    max_bytes = 13.07 * 1024**3 * 0.75  # reserved-memory-percent 25
    vpc = kit.rid("vpc")
    azs = [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"]
    cache_sg, app_sg, alb_sg = kit.rid("sg"), kit.rid("sg"), kit.rid("sg")
    pg = "recs-redis7-lru"

    # ---- resources ------------------------------------------------------------------------------
    host = f"{rg}.{kit.hex(6)}.ng.0001.usw2.cache.amazonaws.com"
    kit.resource(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg,
            "Description": "Product recommendation cache (LRU, rebuildable from recs-model-output)",
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": nodes,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {
                        "Address": host.replace(".ng.", ".").replace(f"{rg}.", f"master.{rg}."),
                        "Port": 6379,
                    },
                    "ReaderEndpoint": {
                        "Address": host.replace(".ng.", ".").replace(f"{rg}.", f"replica.{rg}."),
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": nodes[0],
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {"Address": f"{nodes[0]}.{host.split('.', 1)[1]}", "Port": 6379},
                            "PreferredAvailabilityZone": azs[0],
                            "CurrentRole": "primary",
                        },
                        {
                            "CacheClusterId": nodes[1],
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {"Address": f"{nodes[1]}.{host.split('.', 1)[1]}", "Port": 6379},
                            "PreferredAvailabilityZone": azs[1],
                            "CurrentRole": "replica",
                        },
                    ],
                }
            ],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "09:30-10:30",
            "ClusterEnabled": False,
            "CacheNodeType": node_type,
            "AuthTokenEnabled": False,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": kit.arn("elasticache", f"replicationgroup:{rg}"),
            "LogDeliveryConfigurations": [],
            "ReplicationGroupCreateTime": iso(created),
            "DataTiering": "disabled",
            "AutoMinorVersionUpgrade": True,
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
            "TransitEncryptionMode": "required",
            "ClusterMode": "disabled",
            "Engine": "redis",
        },
    )
    for i, n in enumerate(nodes):
        kit.resource(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": n,
                "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
                "CacheNodeType": node_type,
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": azs[i],
                "CacheClusterCreateTime": iso(created + timedelta(minutes=i)),
                "PreferredMaintenanceWindow": "sun:10:00-sun:11:00",
                "PendingModifiedValues": {},
                "CacheSecurityGroups": [],
                "CacheParameterGroup": {
                    "CacheParameterGroupName": pg,
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "recs-cache-private",
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": cache_sg, "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 1 if i == 1 else 0,
                "SnapshotWindow": "09:30-10:30",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": kit.arn("elasticache", f"cluster:{n}"),
                "ReplicationGroupLogDeliveryEnabled": False,
                "LogDeliveryConfigurations": [],
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "TransitEncryptionMode": "required",
            },
        )
    kit.resource(
        "elasticache",
        "CacheParameterGroup",
        {
            "CacheParameterGroupName": pg,
            "CacheParameterGroupFamily": "redis7",
            "Description": "recs cache: allkeys-lru",
            "IsGlobal": False,
            "ARN": kit.arn("elasticache", f"parametergroup:{pg}"),
        },
    )
    for name, value, desc, dtype, allowed in (
        (
            "maxmemory-policy",
            "allkeys-lru",
            "Max memory policy.",
            "string",
            "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
        ),
        (
            "reserved-memory-percent",
            "25",
            "The percent of memory on a node to reserve for non-cache memory usage.",
            "integer",
            "0-100",
        ),
        ("maxmemory-samples", "5", "Max memory samples.", "integer", "1-"),
    ):
        kit.resource(
            "elasticache",
            "CacheParameterGroupParameter",
            {
                "CacheParameterGroupName": pg,
                "ParameterName": name,
                "ParameterValue": value,
                "Description": desc,
                "Source": "user" if name == "maxmemory-policy" else "system",
                "DataType": dtype,
                "AllowedValues": allowed,
                "IsModifiable": True,
                "MinimumEngineVersion": "7.0.0",
                "ChangeType": "immediate",
            },
        )
    cluster = "trailhead-prod"
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    subnets = [(kit.rid("subnet"), az) for az in azs]
    alb_sfx, tg_sfx = kit.hex(16), kit.hex(16)
    lb = load_balancer(kit, "trailhead-internal", alb_sfx, vpc, subnets, [alb_sg], created)
    lb["Scheme"] = "internal"
    tg = target_group(kit, "recs-api", tg_sfx, vpc, 8000, "/ping", lb["LoadBalancerArn"])
    lb_dim, tg_dim = f"app/trailhead-internal/{alb_sfx}", f"targetgroup/recs-api/{tg_sfx}"
    svc_arn = kit.arn("ecs", f"service/{cluster}/recs-api")
    old_rev = rng.randint(60, 140)
    deploy_at = onset - timedelta(minutes=rng.randint(12, 22), seconds=rng.randint(0, 59))
    dep_id = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    n_tasks = 4
    task_ips_old = [private_ip(kit, f"10.12.{32 + 16 * (i % 3)}") for i in range(n_tasks)]
    task_ips_new = [private_ip(kit, f"10.12.{32 + 16 * (i % 3)}") for i in range(n_tasks)]
    tasks_old = [kit.hex(32) for _ in range(n_tasks)]
    tasks_new = [kit.hex(32) for _ in range(n_tasks)]
    kit.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "recs-api",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": tg["TargetGroupArn"], "containerName": "recs-api", "containerPort": 8000}
            ],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": n_tasks,
            "runningCount": n_tasks,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": kit.arn("ecs", f"task-definition/recs-api:{old_rev + 1}"),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep_id,
                    "status": "PRIMARY",
                    "taskDefinition": kit.arn("ecs", f"task-definition/recs-api:{old_rev + 1}"),
                    "desiredCount": n_tasks,
                    "pendingCount": 0,
                    "runningCount": n_tasks,
                    "failedTasks": 0,
                    "createdAt": iso_ms(deploy_at),
                    "updatedAt": iso_ms(deploy_at + timedelta(minutes=7)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": f"ECS deployment {dep_id} completed.",
                }
            ],
            "events": [],
            "createdAt": iso_ms(created),
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [s for s, _ in subnets],
                    "securityGroups": [app_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 20,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    tg_arn = tg["TargetGroupArn"]
    for i in range(n_tasks):
        target_health(kit, tg_arn, task_ips_old[i], 8000, azs[i % 3], "healthy", start - timedelta(hours=6))
        target_health(
            kit,
            tg_arn,
            task_ips_new[i],
            8000,
            azs[i % 3],
            "initial",
            deploy_at + timedelta(seconds=60 + 3 * i),
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        target_health(
            kit,
            tg_arn,
            task_ips_new[i],
            8000,
            azs[i % 3],
            "healthy",
            deploy_at + timedelta(seconds=95 + 3 * i),
        )
        target_health(
            kit,
            tg_arn,
            task_ips_old[i],
            8000,
            azs[i % 3],
            "draining",
            deploy_at + timedelta(seconds=130),
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )
        target_health(
            kit,
            tg_arn,
            task_ips_old[i],
            8000,
            azs[i % 3],
            "unused",
            deploy_at + timedelta(seconds=160),
            "Target.NotRegistered",
            "Target is not registered to the target group",
        )
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(seconds=8),
        "(service recs-api) has started 4 tasks: " + " ".join(f"(task {t})" for t in tasks_new) + ".",
    )
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(seconds=61),
        f"(service recs-api) registered 4 targets in (target-group {tg_arn})",
    )
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(seconds=131),
        f"(service recs-api) deregistered 4 targets in (target-group {tg_arn})",
    )
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(seconds=165),
        "(service recs-api) has stopped 4 running tasks: " + " ".join(f"(task {t})" for t in tasks_old) + ".",
    )
    ecs_event(
        kit, svc_arn, deploy_at + timedelta(minutes=7), f"(service recs-api) deployment {dep_id} completed."
    )
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(minutes=7, seconds=4),
        "(service recs-api) has reached a steady state.",
    )
    kit.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "customerId", "AttributeType": "S"},
                {"AttributeName": "modelVersion", "AttributeType": "S"},
            ],
            "TableName": "recs-model-output",
            "KeySchema": [
                {"AttributeName": "customerId", "KeyType": "HASH"},
                {"AttributeName": "modelVersion", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(30, 60) * 10**9,
            "ItemCount": rng.randint(40, 80) * 10**6,
            "TableArn": kit.arn("dynamodb", "table/recs-model-output"),
            "TableId": kit.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "TableClassSummary": {"TableClass": "STANDARD"},
            "DeletionProtectionEnabled": True,
        },
    )
    security_group(
        kit,
        cache_sg,
        "recs-cache",
        "recs Redis",
        vpc,
        [sg_rule_from_sg(6379, app_sg, "recs-api")],
        {"Name": "recs-cache"},
    )
    security_group(
        kit,
        app_sg,
        "recs-api",
        "recs-api tasks",
        vpc,
        [sg_rule_from_sg(8000, alb_sg, "internal alb")],
        {"Name": "recs-api"},
    )
    iam_role(kit, "recs-api-task", "ecs-tasks.amazonaws.com", created, now, "recs-api task role")
    log_group(kit, "/ecs/recs-api", created, 14, rng.randint(10**9, 10**10))

    # ---- model ----------------------------------------------------------------------------------
    def load(t: datetime) -> float:
        return diurnal(t, offset, low=0.1, peak_hour=13.0)

    # the key space grows day by day (seasonal catalogue): daily peak memory 80 -> 84 -> 89 -> now >90
    refresh_local_hour = 2.0

    def last_refresh(t: datetime) -> datetime:
        local = t + timedelta(hours=offset)
        r = local.replace(hour=int(refresh_local_hour), minute=0, second=0, microsecond=0)
        if r > local:
            r -= timedelta(days=1)
        return r - timedelta(hours=offset)

    today_refresh = last_refresh(onset)
    s_on = (onset - today_refresh).total_seconds() / 3600
    tops = {today_refresh - timedelta(days=d): top for d, top in ((3, 0.795), (2, 0.838), (1, 0.884))}

    def mem_frac(t: datetime) -> float:
        """used / maxmemory on the primary."""
        r = last_refresh(t)
        since = (t - r).total_seconds() / 3600
        if r >= today_refresh:
            if since <= s_on:
                return 0.6 + 0.3 * since / s_on
            return min(0.987, 0.9 + 0.087 * (since - s_on) / 0.42)
        top = tops.get(r, 0.78)
        rise = s_on + 2
        if since <= rise:
            return 0.6 + (top - 0.6) * since / rise
        if since <= 18:
            return top
        return top - (top - 0.6) * (since - 18) / 6

    peak_rpm = rng.uniform(16000, 24000)
    rows: list[tuple[datetime, int, float]] = []
    mem_pts: list[tuple[datetime, float]] = []
    for t, p in tks:
        k = p // 60
        f = mem_frac(t)
        used = f * max_bytes
        evict = 0.0
        if f >= 0.986:
            evict = kit.jitter(peak_rpm * load(t) * 0.045, 0.1)
        req = kit.jitter(peak_rpm * load(t), 0.05)
        since = (t - last_refresh(t)).total_seconds() / 3600
        cold = math.exp(-since / 1.1)
        hit = 0.935 - 0.55 * cold - (0.006 if evict else 0.0)
        hit = max(0.3, min(0.97, kit.jitter(hit, 0.004)))
        gets = req * 1.6 * k
        hits = gets * hit
        for node in nodes:
            prim = node == nodes[0]
            cd = {"CacheClusterId": node}
            dbm = round(used / max_bytes * 100 * (1 if prim else 0.999), 3)
            kit.metric(
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                cd,
                t,
                "Percent",
                stats=(k, dbm * k, dbm - 0.2, dbm),
            )
            kit.metric(
                "AWS/ElastiCache",
                "BytesUsedForCache",
                cd,
                t,
                "Bytes",
                stats=(k, used * k, used * 0.998, used),
            )
            kit.metric(
                "AWS/ElastiCache", "Evictions", cd, t, "Count", value=round(evict * k) if prim else 0.0
            )
            kit.metric(
                "AWS/ElastiCache",
                "CurrItems",
                cd,
                t,
                "Count",
                stats=(k, used / 1900 * k, used / 1900 * 0.99, used / 1900),
            )
            share = 0.72 if prim else 0.28
            kit.metric("AWS/ElastiCache", "CacheHits", cd, t, "Count", value=round(hits * share))
            kit.metric("AWS/ElastiCache", "CacheMisses", cd, t, "Count", value=round((gets - hits) * share))
            kit.metric(
                "AWS/ElastiCache",
                "CacheHitRate",
                cd,
                t,
                "Percent",
                stats=(k, hit * 100 * k, hit * 100 - 0.5, hit * 100 + 0.5),
            )
            ecpu = kit.jitter(4 + 26 * load(t) * share * 1.3 + (1.5 if evict and prim else 0), 0.06)
            kit.metric(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                cd,
                t,
                "Percent",
                stats=(k, ecpu * k, ecpu * 0.8, ecpu * 1.2),
            )
            conns = 4 * 32 + rng.randint(0, 6) if prim else 4 * 16 + rng.randint(0, 4)
            kit.metric(
                "AWS/ElastiCache",
                "CurrConnections",
                cd,
                t,
                "Count",
                stats=(k, conns * k, conns - 3, conns + 2),
            )
            lat = kit.jitter(1.6, 0.06)
            kit.metric(
                "AWS/ElastiCache",
                "GetTypeCmdsLatency",
                cd,
                t,
                "Microseconds",
                stats=(k, lat * k, lat * 0.8, lat * 1.4),
            )
            if not prim:
                lag = kit.jitter(0.012, 0.3)
                kit.metric(
                    "AWS/ElastiCache", "ReplicationLag", cd, t, "Seconds", stats=(k, lag * k, 0.0, lag * 3)
                )
        rows.append((t, p, req))
        miss_reads = (gets - hits) / 1.6
        kit.metric(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": "recs-model-output"},
            t,
            "Count",
            stats=(max(miss_reads, 1), miss_reads * 1.5, 0.5, 4.0),
        )
        kit.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": "recs-model-output", "Operation": "GetItem"},
            t,
            "Milliseconds",
            stats=(max(miss_reads, 1), max(miss_reads, 1) * kit.jitter(3.3, 0.05), 1.4, kit.jitter(21, 0.3)),
        )
        dims_tg = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        nreq = req * k
        kit.metric("AWS/ApplicationELB", "RequestCount", dims_tg, t, "Count", value=round(nreq))
        kit.metric(
            "AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims_tg, t, "Count", value=round(nreq * 0.9985)
        )
        kit.metric(
            "AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims_tg, t, "Count", value=round(nreq * 0.0015)
        )
        if rng.random() < 0.03 * k:
            kit.metric(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                dims_tg,
                t,
                "Count",
                value=float(rng.randint(1, 3)),
            )
        med = 0.009 + 0.02 * (1 - hit)
        kit.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            dims_tg,
            t,
            "Seconds",
            dist=(
                [med * 0.5, med, med * 2, med * 5, med * 9],
                [nreq * 0.3, nreq * 0.45, nreq * 0.2, nreq * 0.045, max(1.0, nreq * 0.005)],
            ),
        )
        healthy = (
            float(n_tasks * 2)
            if deploy_at + timedelta(seconds=95) <= t <= deploy_at + timedelta(seconds=160)
            else float(n_tasks)
        )
        kit.metric(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            dims_tg,
            t,
            "Count",
            stats=(k, healthy * k, healthy, healthy),
        )
        kit.metric("AWS/ApplicationELB", "UnHealthyHostCount", dims_tg, t, "Count", stats=(k, 0.0, 0.0, 0.0))
        ecs_d = {"ClusterName": cluster, "ServiceName": "recs-api"}
        c = kit.jitter(8 + 40 * load(t), 0.06)
        kit.metric("AWS/ECS", "CPUUtilization", ecs_d, t, "Percent", stats=(k, c * k, c * 0.8, c * 1.3))
        m_ = kit.jitter(44.0 if t < deploy_at else 38.0, 0.02)
        kit.metric(
            "AWS/ECS", "MemoryUtilization", ecs_d, t, "Percent", stats=(k, m_ * k, m_ * 0.98, m_ * 1.02)
        )
        if p <= 300:
            mem_pts.append((t, round(mem_frac(t) * 100, 3)))

    # alarm on 5-minute maxima of the primary's memory
    five: list[tuple[datetime, float]] = []
    for t, p in tks:
        if p == 60 and t.minute % 5 == 0:
            five.append((t, max(v for tt, v in mem_pts if t <= tt < t + timedelta(minutes=5))))
    topic = kit.arn("sns", "platform-oncall")
    mem_alarm = kit.alarm(
        "recs-cache-memory-high",
        "recs-cache primary memory over 90%",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        {"CacheClusterId": nodes[0]},
        "Maximum",
        300,
        3,
        3,
        90,
        "GreaterThanThreshold",
        five,
        now,
        [topic],
    )
    kit.alarm(
        "recs-cache-engine-cpu",
        "recs-cache engine CPU over 80%",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": nodes[0]},
        "Average",
        300,
        3,
        3,
        80,
        "GreaterThanThreshold",
        [(t, 20.0) for t, _ in five],
        now,
        [topic],
    )
    kit.alarm(
        "recs-api-target-5xx",
        "recs-api 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "Sum",
        60,
        3,
        3,
        20,
        "GreaterThanThreshold",
        [(t, 0.0) for t, _ in five],
        now,
        [topic],
        treat_missing="notBreaching",
    )
    kit.alarm(
        "recs-api-p99",
        "recs-api p99 over 250 ms",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "p99",
        300,
        3,
        3,
        0.25,
        "GreaterThanThreshold",
        [(t, 0.11) for t, _ in five],
        now,
        [topic],
    )
    kit.alarm(
        "recs-cache-replication-lag",
        "recs-cache replica lag",
        "AWS/ElastiCache",
        "ReplicationLag",
        {"CacheClusterId": nodes[1]},
        "Maximum",
        60,
        5,
        5,
        5,
        "GreaterThanThreshold",
        [(t, 0.02) for t, _ in five],
        now,
        [topic],
    )
    if mem_alarm["StateValue"] != "ALARM":
        raise AssertionError("memory alarm should be in ALARM")

    # ElastiCache events: the daily snapshot of the replica
    for d in (3, 2, 1):
        snap = (day - timedelta(days=d - 1)).replace(hour=9, minute=30) + timedelta(
            minutes=rng.randint(1, 20)
        )
        if start <= snap <= now:
            kit.event(
                "elasticache",
                {
                    "SourceIdentifier": nodes[1],
                    "SourceType": "cache-cluster",
                    "Message": f"Snapshot succeeded for snapshot with ID 'automatic.{nodes[1]}-{snap:%Y-%m-%d-%H-%M}' of replication group with ID '{rg}'",
                    "Date": iso_ms(snap + timedelta(minutes=4)),
                },
            )

    # ---- logs -----------------------------------------------------------------------------------
    grp = "/ecs/recs-api"

    def app_log(t: datetime, task: str, level: str, msg: str, **kw: object) -> None:
        body: Json = {"timestamp": iso_ms(t), "level": level, "logger": "recs_api.handlers", "message": msg}
        body.update(kw)
        kit.log(grp, f"recs-api/recs-api/{task}", t, json.dumps(body, separators=(",", ":")))

    for t, p, _req in rows:
        if t < fine_from and t.minute % 30:
            continue
        per = 2 if p == 60 else 1
        for _ in range(per):
            i = rng.randrange(n_tasks)
            at = t + timedelta(seconds=rng.uniform(0, min(p, 60)))
            task = tasks_old[i] if at < deploy_at + timedelta(seconds=130) else tasks_new[i]
            hit = rng.random() < 0.93
            app_log(
                at,
                task,
                "INFO",
                "GET /v2/recs/home 200",
                cache="hit" if hit else "miss",
                model="gbt-2024w" + str(rng.randint(35, 36)),
                items=24,
                ms=round(rng.uniform(3, 9) if hit else rng.uniform(12, 30), 1),
            )
        if rng.random() < 0.01 * p / 60:
            app_log(
                t + timedelta(seconds=5),
                tasks_new[0] if t > deploy_at else tasks_old[0],
                "WARNING",
                "personalisation fallback: no profile for anonymous session",
                reason="cookie-missing",
            )
    for i in range(n_tasks):
        at = deploy_at + timedelta(seconds=40 + 2 * i)
        for msg in (
            "Started server process [1]",
            "Waiting for application startup.",
            "redis pool ready (max_connections=32)",
            "Application startup complete.",
            "Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
        ):
            kit.log(
                grp,
                f"recs-api/recs-api/{tasks_new[i]}",
                at,
                f"INFO:     {msg}"
                if "redis" not in msg
                else json.dumps(
                    {"timestamp": iso_ms(at), "level": "INFO", "logger": "recs_api.cache", "message": msg}
                ),
            )
            at += timedelta(milliseconds=rng.randint(30, 400))
    # model refresh job each night (Glue/Batch writes a summary to its own log group)
    log_group(kit, "/aws/batch/recs-model-refresh", created, 30, rng.randint(10**7, 10**8))
    for d in range(3, -1, -1):
        run = (
            (onset - timedelta(days=d)).replace(minute=0, second=0)
            - timedelta(hours=(onset - timedelta(days=d)).hour)
            + timedelta(hours=refresh_local_hour - offset)
        )
        if not (start <= run <= now):
            continue
        n_out = 6_100_000 + (3 - d) * rng.randint(420_000, 560_000)
        kit.log(
            "/aws/batch/recs-model-refresh",
            f"recs-model-refresh/default/{kit.hex(32)}",
            run + timedelta(minutes=41),
            f"wrote {n_out} customer recommendation rows (catalogue items={rng.randint(61000, 68000) + (3 - d) * 2100}) to recs-model-output in 2371s",
        )

    # ---- CloudTrail -----------------------------------------------------------------------------
    oidc_assume(kit, deploy_at - timedelta(minutes=2), "gha-deploy", "trailhead/recs-api")
    dw = kit.role_identity("gha-deploy", "GitHubActions", created=deploy_at - timedelta(minutes=2))
    dip = github_ip(kit)
    kit.ct(
        deploy_at - timedelta(seconds=35),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        dw,
        {
            "family": "recs-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "recs-api",
                    "image": f"{acct}.dkr.ecr.{kit.region}.amazonaws.com/recs-api:{kit.hex(7)}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8000, "protocol": "tcp"}],
                }
            ],
        },
        {"taskDefinition": {"family": "recs-api", "revision": old_rev + 1, "status": "ACTIVE"}},
        False,
        dip,
        UA_CLI.format(cmd="ecs.register-task-definition"),
    )
    kit.ct(
        deploy_at,
        "ecs.amazonaws.com",
        "UpdateService",
        dw,
        {
            "cluster": cluster,
            "service": "recs-api",
            "taskDefinition": f"recs-api:{old_rev + 1}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "recs-api",
                "serviceArn": svc_arn,
                "desiredCount": n_tasks,
                "status": "ACTIVE",
            }
        },
        False,
        dip,
        UA_CLI.format(cmd="ecs.update-service"),
    )
    for s_ in range(4):
        kit.ct(
            deploy_at + timedelta(seconds=20 + 90 * s_),
            "ecs.amazonaws.com",
            "DescribeServices",
            dw,
            {"cluster": cluster, "services": ["recs-api"]},
            None,
            True,
            dip,
            UA_CLI.format(cmd="ecs.wait"),
        )
    fin = kit.sso_identity(
        "FinOpsAnalyst", kit.hex(16), "tessa.lund@trailhead.com", onset - timedelta(hours=1)
    )
    tag_at = onset + timedelta(minutes=rng.randint(2, 12))
    kit.ct(
        tag_at,
        "elasticache.amazonaws.com",
        "AddTagsToResource",
        fin,
        {
            "resourceName": kit.arn("elasticache", f"replicationgroup:{rg}"),
            "tags": [{"key": "cost-centre", "value": "ECOM-220"}],
        },
        {"tagList": [{"key": "cost-centre", "value": "ECOM-220"}, {"key": "team", "value": "recs"}]},
        False,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    net = kit.sso_identity(
        "PlatformEngineer", kit.hex(16), "omar.haddad@trailhead.com", onset - timedelta(hours=2)
    )
    zone = "Z0" + kit.upper(19)
    kit.ct(
        onset - timedelta(minutes=rng.randint(24, 29)),
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        net,
        {
            "hostedZoneId": zone,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "status.trailhead.com.",
                            "type": "CNAME",
                            "tTL": 300,
                            "resourceRecords": [{"value": "trailhead.statuspage.io"}],
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": "/change/C0" + kit.upper(19),
                "status": "PENDING",
                "submittedAt": (onset - timedelta(minutes=25)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        False,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    kit.cloudtrail[-1]["awsRegion"] = "us-east-1"
    ro = kit.sso_identity("ReadOnly", kit.hex(16), "kai.morgan@trailhead.com", start)
    t = start + timedelta(hours=rng.randint(1, 5))
    batch_role = kit.role_identity("recs-model-refresh-job", "aws-batch-job", created=start)
    while t < now:
        c = rng.random()
        if c < 0.3:
            kit.ct(
                t,
                "elasticache.amazonaws.com",
                "DescribeReplicationGroups",
                ro,
                {"replicationGroupId": rg},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.5:
            kit.ct(
                t,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                ro,
                {"alarmNamePrefix": "recs"},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.7:
            kit.ct(
                t,
                "dynamodb.amazonaws.com",
                "DescribeTable",
                batch_role,
                {"tableName": "recs-model-output"},
                None,
                True,
                private_ip(kit, "10.12.80"),
                "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.220-209.869.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84",
            )
        else:
            kit.ct(
                t,
                "ecs.amazonaws.com",
                "DescribeServices",
                ro,
                {"cluster": cluster, "services": ["recs-api"]},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        t += (
            timedelta(hours=rng.uniform(0.4, 2.6)) if t < fine_from else timedelta(minutes=rng.randint(8, 20))
        )

    manifest: Json = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": kit.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": "Paged for recs-cache memory over 90% and evictions are climbing. Do we need to scale the cache up right now, and is anything actually broken?",
            "alarm_event": kit.alarm_event(mem_alarm),
            "timezone": "America/Denver",
        },
        "truth": {"no_fault": True},
    }
    return kit.bundle(manifest, now)
