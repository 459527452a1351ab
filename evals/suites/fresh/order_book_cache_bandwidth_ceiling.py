"""Trading screens and positions slow after the next-day intraday products open; Redis primary shaped."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzzzd as k

NAME = "order-book-cache-bandwidth-ceiling"
TITLE = "Trading screens freezing and positions lagging after the afternoon product opening"
SUMMARY = (
    "Order-book snapshot reads, all sent to the Redis primary, grow when a new delivery day's quarter-hour "
    "products open; the cache.r6g.large node spends its burst and its network egress is shaped, so clients time out."
)


def build(seed: int) -> Bundle:
    w = k.make_world(seed, onset_hour_range=(12, 15))
    rng = w.rng
    onset = w.onset
    lb = w.alb_arn.split("loadbalancer/")[1]
    primary = f"{w.cache_group}-001"
    replica = f"{w.cache_group}-002"
    opening = onset - timedelta(minutes=rng.randint(22, 34))
    open_m = (opening - onset).total_seconds() / 60

    cloudtrail: list[k.Rec] = []
    cloudtrail += k.tooling_noise(w, 35)
    cloudtrail += k.kms_decrypt_noise(w, 5)
    cloudtrail += k.ecs_deploy(
        w, w.start + timedelta(minutes=rng.randint(15, 45)), "price-ingest", "4.3." + str(rng.randint(0, 9))
    )
    cloudtrail += k.ecs_deploy(
        w,
        onset - timedelta(minutes=rng.randint(45, 70)),
        "settlement-worker",
        "2.0." + str(rng.randint(0, 9)),
    )
    cloudtrail.append(
        k.ct(
            w,
            onset + timedelta(minutes=rng.randint(14, 22)),
            "elasticache.amazonaws.com",
            "DescribeCacheClusters",
            k.human(w, "r.jansen"),
            {"cacheClusterId": primary, "showCacheNodeInfo": True},
            None,
            read_only=True,
            agent="aws-internal/3 aws-sdk-java/1.12.771 Linux/5.10 console",
        )
    )
    cloudtrail.append(
        k.ct(
            w,
            onset + timedelta(minutes=rng.randint(5, 12)),
            "ecs.amazonaws.com",
            "UpdateService",
            k.human(w, "r.jansen"),
            {"cluster": w.cluster, "service": "position-service", "desiredCount": 5},
            {
                "service": {
                    "serviceName": "position-service",
                    "serviceArn": w.arn("ecs", f"service/{w.cluster}/position-service"),
                    "taskDefinition": w.arn(
                        "ecs", f"task-definition/position-service:{w.revisions['position-service']}"
                    ),
                    "status": "ACTIVE",
                }
            },
            agent="aws-internal/3 aws-sdk-java/1.12.771 Linux/5.10 console",
        )
    )
    cloudtrail.sort(key=lambda r: r["eventTime"])

    # ---------------- metrics
    metrics = k.base_metrics(w, skip={"cache", "alb"})
    metrics += k.mq_broker_metrics(w)
    base_gb = rng.uniform(1.6, 2.4)  # GB a minute out of the primary before the opening
    cap_gb = 5.62  # ~0.75 Gbit/s baseline of the node type, a minute
    peak_gb = rng.uniform(8.5, 10.5)

    def out_primary(t: datetime, m: float) -> float:
        if m < open_m:
            return k.diurnal(t, base_gb, 0.2) * 1e9 * rng.uniform(0.95, 1.05)
        if m < 0:
            return peak_gb * 1e9 * rng.uniform(0.96, 1.03)
        return cap_gb * 1e9 * rng.uniform(0.985, 1.0)

    def exceeded(t: datetime, m: float) -> float:
        return 0.0 if m < 0 else float(rng.randint(4000, 19000))

    def conns(t: datetime, m: float) -> float:
        return float(190 + rng.randint(-5, 5) if m < 0 else 260 + rng.randint(0, 180))

    def cpu(t: datetime, m: float) -> float:
        if m < open_m:
            return 9 + rng.gauss(0, 1)
        return 17 + rng.gauss(0, 2)

    def lat(t: datetime, m: float) -> float:
        return 4.1 + rng.gauss(0, 0.3) if m < open_m else 5.3 + rng.gauss(0, 0.4)

    pd = {"CacheClusterId": primary, "CacheNodeId": "0001"}
    rd = {"CacheClusterId": replica, "CacheNodeId": "0001"}
    metrics += k.series(w, "AWS/ElastiCache", "NetworkBytesOut", pd, "Bytes", out_primary, digits=0)
    metrics += k.series(
        w, "AWS/ElastiCache", "NetworkBytesOut", rd, "Bytes", lambda t, m: rng.uniform(2.1e7, 2.6e7), digits=0
    )
    metrics += k.series(
        w,
        "AWS/ElastiCache",
        "NetworkBytesIn",
        pd,
        "Bytes",
        lambda t, m: rng.uniform(1.4e8, 1.9e8) * (1.3 if m >= open_m else 1.0),
        digits=0,
    )
    metrics += k.series(
        w, "AWS/ElastiCache", "NetworkBandwidthOutAllowanceExceeded", pd, "Count", exceeded, digits=0
    )
    metrics += k.series(
        w, "AWS/ElastiCache", "NetworkBandwidthOutAllowanceExceeded", rd, "Count", lambda t, m: 0.0, digits=0
    )
    metrics += k.series(
        w, "AWS/ElastiCache", "NetworkBandwidthInAllowanceExceeded", pd, "Count", lambda t, m: 0.0, digits=0
    )
    metrics += k.series(w, "AWS/ElastiCache", "EngineCPUUtilization", pd, "Percent", cpu)
    metrics += k.series(
        w, "AWS/ElastiCache", "EngineCPUUtilization", rd, "Percent", lambda t, m: 2.5 + rng.gauss(0, 0.4)
    )
    metrics += k.series(w, "AWS/ElastiCache", "CPUUtilization", pd, "Percent", lambda t, m: cpu(t, m) / 2 + 3)
    metrics += k.series(w, "AWS/ElastiCache", "CurrConnections", pd, "Count", conns, digits=0)
    metrics += k.series(
        w, "AWS/ElastiCache", "CurrConnections", rd, "Count", lambda t, m: 12 + rng.randint(-1, 1), digits=0
    )
    metrics += k.series(
        w,
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        pd,
        "Percent",
        lambda t, m: 38 + (4.5 if m >= open_m else 0) + rng.gauss(0, 0.2),
    )
    metrics += k.series(w, "AWS/ElastiCache", "StringBasedCmdsLatency", pd, "Microseconds", lat)
    metrics += k.series(
        w,
        "AWS/ElastiCache",
        "ReplicationLag",
        rd,
        "Seconds",
        lambda t, m: rng.choice([0.0, 0.0, 1.0]) if m >= 0 else 0.0,
        digits=0,
    )

    metrics += k.series(
        w,
        "AWS/ApplicationELB",
        "RequestCount",
        {"LoadBalancer": lb},
        "Count",
        lambda t, m: k.diurnal(t, 2400, 500) * (1.25 if m >= open_m else 1) + rng.randint(-80, 80),
        digits=0,
    )
    metrics += k.series(
        w,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb},
        "Seconds",
        lambda t, m: 0.045 + rng.gauss(0, 0.004) if m < 0 else rng.uniform(1.1, 2.4),
        digits=4,
    )
    metrics += k.series(
        w,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb},
        "Count",
        lambda t, m: float(rng.choice([0, 0, 1, 2]) if m < 0 else rng.randint(5, 22)),
        digits=0,
    )

    # ---------------- alarms
    lat_alarm = k.metric_alarm(
        w,
        "trading-api-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb},
        "Average",
        1.0,
        evals=3,
        description="trading-api average response time above 1s",
    )
    fire_t = (onset + timedelta(minutes=3)).replace(second=rng.randint(5, 55))
    vals = [round(rng.uniform(1.1, 2.4), 3) for _ in range(3)]
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{vals[0]} ({(fire_t - timedelta(minutes=1)):%d/%m/%y %H:%M:%S}), "
        f"{vals[1]} ({(fire_t - timedelta(minutes=2)):%d/%m/%y %H:%M:%S}), {vals[2]} ({(fire_t - timedelta(minutes=3)):%d/%m/%y %H:%M:%S})] "
        "were greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    lat_alarm.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=k.iso(fire_t),
        StateTransitionedTimestamp=k.iso(fire_t),
    )
    cache_cpu = k.metric_alarm(
        w,
        "trading-cache-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        pd,
        "Average",
        75,
        period=300,
        evals=2,
    )
    cache_mem = k.metric_alarm(
        w,
        "trading-cache-memory",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        pd,
        "Maximum",
        85,
        period=300,
        evals=2,
    )
    cpu_alarm, cpu_hist = k.flapping_cpu_alarm(w, w.instances[3])
    alarms = [lat_alarm, cache_cpu, cache_mem, cpu_alarm]
    hist = [*cpu_hist, k.history(w, lat_alarm, fire_t, "OK", "ALARM", reason)]

    # ---------------- logs
    logs: list[k.Rec] = []
    pos_streams = [k.task_stream("position-service", rng) for _ in range(3)]
    gw_streams = [k.task_stream("trade-gateway", rng) for _ in range(3)]
    ingest = k.task_stream("price-ingest", rng)
    redis_host = f"master.{w.cache_group}.{k.hexid(rng, 6)}.{w.region[:2]}{w.region.split('-')[1][0]}1.cache.amazonaws.com"
    delivery_day = (onset + timedelta(days=1)).date()
    logs.append(
        {
            "log_group": "/ecs/price-ingest",
            "log_stream": ingest,
            "timestamp": k.ms(opening),
            "message": f"{opening:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO ingest.products: delivery day {delivery_day} opened: 96 quarter-hour + 24 hourly products x 4 areas; subscribing order books",
        }
    )
    t = w.start
    while t < w.now:
        m = (t - onset).total_seconds() / 60
        books = 180 if m < open_m else 660
        logs.append(
            {
                "log_group": "/ecs/price-ingest",
                "log_stream": ingest,
                "timestamp": k.ms(t),
                "message": f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO ingest.snapshots: wrote {books} order-book snapshots avg_size_kb={rng.randint(210, 260)} redis_set_p99_ms={rng.randint(2, 6) if m < 0 else rng.randint(40, 900)}",
            }
        )
        t += timedelta(minutes=5)
    t = onset + timedelta(seconds=rng.randint(5, 40))
    while t < w.now:
        s = rng.choice(pos_streams)
        logs.append(
            {
                "log_group": "/ecs/position-service",
                "log_stream": s,
                "timestamp": k.ms(t),
                "message": f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} ERROR positions.pricing: mark-to-market refresh failed for {rng.choice(['DE', 'NO2', 'SE3', 'FR'])}-QH-{rng.randint(1, 96):02d}: redis.exceptions.TimeoutError: Timeout reading from {redis_host}:6379",
            }
        )
        t += timedelta(seconds=rng.uniform(3, 9))
    t = onset + timedelta(seconds=rng.randint(5, 40))
    while t < w.now:
        s = rng.choice(gw_streams)
        logs.append(
            {
                "log_group": "/ecs/trade-gateway",
                "log_stream": s,
                "timestamp": k.ms(t),
                "message": f"{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(100, 999)}Z  WARN 1 --- [ioEventLoop-6-{rng.randint(1, 8)}] c.e.t.gateway.BookSnapshotCache          : snapshot read failed, serving stale book: io.lettuce.core.RedisCommandTimeoutException: Command timed out after 2 second(s)",
            }
        )
        t += timedelta(seconds=rng.uniform(4, 12))
    t = w.start + timedelta(seconds=rng.randint(1, 30))
    while t < w.now:
        s = rng.choice(pos_streams)
        logs.append(
            {
                "log_group": "/ecs/position-service",
                "log_stream": s,
                "timestamp": k.ms(t),
                "message": f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO positions.pricing: mtm cycle done products={rng.randint(170, 200) if t < opening else rng.randint(600, 670)} elapsed_ms={rng.randint(300, 900) if t < onset else rng.randint(9000, 30000)}",
            }
        )
        t += timedelta(minutes=2)
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---------------- resources
    resources = k.base_resources(w)
    resources.append(
        {
            "service": "mq",
            "type": "DescribeBrokerResponse",
            "item": k.mq_broker(w, config_revision=rng.randint(3, 9)),
        }
    )
    for s2 in k.SERVICES:
        resources.append(
            k.ecs_service(w, s2, 5 if s2 == "position-service" else 3, 5 if s2 == "position-service" else 3)
        )
    resources.append(
        k.task_definition(
            w,
            "position-service",
            {
                "REDIS_URL": f"rediss://{redis_host}:6379/0",
                "REDIS_SOCKET_TIMEOUT": "2",
                "MTM_INTERVAL_S": "120",
            },
        )
    )
    resources.append(
        k.task_definition(
            w,
            "trade-gateway",
            {
                "SPRING_DATA_REDIS_URL": f"rediss://{redis_host}:6379",
                "BOOK_READ_FROM": "MASTER",
                "SPRING_DATA_REDIS_TIMEOUT": "2s",
            },
        )
    )
    for n, role in ((primary, "primary"), (replica, "replica")):
        resources.append(
            {
                "service": "elasticache",
                "type": "CacheCluster",
                "item": {
                    "CacheClusterId": n,
                    "ReplicationGroupId": w.cache_group,
                    "CacheNodeType": "cache.r6g.large",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": k.azs(w)[0 if role == "primary" else 1],
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": "default.redis7",
                        "ParameterApplyStatus": "in-sync",
                    },
                    "TransitEncryptionEnabled": True,
                },
            }
        )
    for i, iid in enumerate(w.instances):
        resources.append(k.instance_status(w, iid, k.azs(w)[i % 3]))

    local = onset.astimezone(ZoneInfo("Europe/Amsterdam"))
    question = (
        f"Trading screens keep freezing and showing stale books since roughly {local:%H:%M}, and the positions "
        "page is minutes behind. Is the exchange feed slow again or is it us?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": w.account,
            "region": w.region,
            "start": k.iso(w.start),
            "end": k.iso(w.now),
            "now": k.iso(w.now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/Amsterdam"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": primary,
                    "category": "limit",
                    "failure_mode": "cache-node-network-bandwidth-allowance-exceeded",
                },
                "also_accept": [w.cache_group, f"{primary}-0001", "cache.r6g.large"],
                "actions": ["scale", "reconfigure"],
                "chain": [primary, "trade-gateway", "position-service", w.alb_name],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": cloudtrail,
            "resources": resources,
        },
    )
