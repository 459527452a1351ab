"""Product pages fail at the evening drop: the pdp-cache Redis primary runs past its network bandwidth
allowance (every read goes to the primary; the replica idles), packets are shaped, client-side Redis
commands time out and the API falls back to DynamoDB, then answers 5xx. The engine itself is not busy."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_u as k

NAME = "pdp-redis-network-allowance"
TITLE = "Product pages erroring during the evening drop"
SUMMARY = (
    "At the 7pm product drop the pdp-cache primary node (cache.r6g.large) exhausts its network burst and is "
    "shaped at its baseline bandwidth; ioredis commands time out and pdp-api returns 5xx. Scaling issue, not a change."
)

Json = dict[str, Any]
TZ = "America/New_York"
BASELINE_GB_MIN = 0.75e9 / 8 * 60 / 1e9  # 0.75 Gbit/s as GB a minute (5.625)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = ids.account()
    region = rng.choice(["us-east-1", "us-east-2"])
    zone = ZoneInfo(TZ)
    day = k.pick_day(rng, (3, 4))
    drop_local = datetime(day.year, day.month, day.day, 19, 0, tzinfo=zone)
    drop = drop_local.astimezone(k.UTC)
    offset_h = drop_local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = drop - timedelta(hours=26, minutes=rng.randint(0, 50))
    fine_from = drop - timedelta(hours=3)
    brand = rng.choice(["loomwell", "threadline", "marlow-and-finch", "saltmarsh"])
    kb_per_req = rng.uniform(820, 960)  # 24 related-product documents per page, read from the primary
    base_rpm = rng.uniform(3400, 3900)
    drop_boost = rng.uniform(1.15, 1.45)
    credit_gb = rng.uniform(16, 26)  # burst allowance left above baseline when the drop starts

    # ---- demand and what the node can send, minute by minute ------------------------------------------
    noise = k.Noise(rng, 0.04, 0.05)
    minutes: list[datetime] = []
    t = start
    while t < drop + timedelta(hours=2):
        minutes.append(t)
        t += timedelta(minutes=1)
    demand_rpm: dict[datetime, float] = {}
    for t in minutes:
        load = k.diurnal(t, offset_h, 0.15, [(20.0, 1.6, 0.45)])
        boost = 0.0
        since = (t - drop).total_seconds() / 60
        if 0 <= since < 150:
            boost = drop_boost * (1 - 0.9 * min(1.0, since / 150)) * (1 - 0.6 ** (since + 1))
        demand_rpm[t] = base_rpm * load * (1 + boost) * noise()
    credits = credit_gb
    shaped: dict[datetime, float] = {}  # GB/min the node could not send
    onset: datetime | None = None
    for t in minutes:
        want = demand_rpm[t] * kb_per_req * 1000 / 1e9
        over = want - BASELINE_GB_MIN
        if over > 0 and t >= drop - timedelta(minutes=30):
            if credits >= over:
                credits -= over
                shaped[t] = 0.0
            else:
                shaped[t] = over - max(credits, 0.0)
                credits = 0.0
                if onset is None and shaped[t] > 0.25:
                    onset = t
        else:
            credits = min(credit_gb, credits + max(0.0, -over) * 0.05)
            shaped[t] = 0.0
    assert onset is not None
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(38, 55)))
    minutes = [m for m in minutes if m < now]
    pts = k.steps(start, now, fine_from)

    def frac_shaped(t: datetime) -> float:
        want = demand_rpm[t] * kb_per_req * 1000 / 1e9
        return shaped.get(t, 0.0) / want if want else 0.0

    # effect on requests
    err_rate: dict[datetime, float] = {}
    lat: dict[datetime, float] = {}
    for t in minutes:
        f = frac_shaped(t)
        err_rate[t] = min(0.35, 0.9 * f**1.3 + (rng.uniform(0, 0.01) if f > 0 else 0.0))
        lat[t] = rng.uniform(0.071, 0.092) + (3.2 * f**0.8 if f > 0 else 0.0)

    def window(t0: datetime, step: int) -> list[datetime]:
        return [t0 + timedelta(minutes=i) for i in range(step) if t0 + timedelta(minutes=i) in demand_rpm]

    # ---- names and ids ---------------------------------------------------------------------------
    cluster = f"{brand}-prod"
    lb_name = f"{brand}-pdp-public"
    lb_id = ids.hex(16)
    tg_id = ids.hex(16)
    lb_dim = f"app/{lb_name}/{lb_id}"
    tg_dim = f"targetgroup/pdp-api-tg/{tg_id}"
    rg = "pdp-cache"
    primary, replica = "pdp-cache-001", "pdp-cache-002"
    table = "pdp-products"
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    vpc = ids.vpc()
    subnets = [ids.subnet() for _ in azs]
    sg_alb, sg_api, sg_cache = ids.sg(), ids.sg(), ids.sg()
    before_count, after_count = rng.choice([(6, 10), (6, 9), (8, 12)])
    prescale_t = drop - timedelta(minutes=rng.randint(24, 34), seconds=rng.randint(0, 59))
    cart_deploy_t = onset - timedelta(minutes=rng.randint(6, 14), seconds=rng.randint(0, 59))

    def tasks_at(t: datetime) -> int:
        return after_count if t >= prescale_t + timedelta(minutes=2) else before_count

    metrics: list[Json] = []

    def rsum(fn: Any) -> Any:
        def inner(t0: datetime, step: int) -> float | None:
            ws = window(t0, step)
            return float(sum(fn(t) for t in ws)) if ws else None

        return inner

    # ---- ALB ------------------------------------------------------------------------------------------
    for dims in ({"LoadBalancer": lb_dim}, {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}):
        metrics += k.series(
            "AWS/ApplicationELB", "RequestCount", dims, "Count", pts, rsum(lambda t: round(demand_rpm[t])), 0
        )
        metrics += k.series(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            dims,
            "Count",
            pts,
            rsum(lambda t: round(demand_rpm[t] * (1 - err_rate[t]) * 0.985)),
            0,
        )
        metrics += k.series(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            dims,
            "Count",
            pts,
            rsum(lambda t: round(demand_rpm[t] * 0.015 * rng.uniform(0.7, 1.3))),
            0,
        )

        def t5xx(t0: datetime, step: int) -> float | None:
            n = sum(
                round(demand_rpm[t] * err_rate[t]) + (1 if rng.random() < 0.03 else 0)
                for t in window(t0, step)
            )
            return float(n) or None

        metrics += k.series("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, "Count", pts, t5xx, 0)

        def trt(t0: datetime, step: int) -> tuple[float, float, float, float] | None:
            ws = window(t0, step)
            if not ws:
                return None
            n = sum(demand_rpm[t] for t in ws)
            total = sum(demand_rpm[t] * lat[t] for t in ws)
            hi = max(min(3.0, lat[t] * rng.uniform(6, 12)) for t in ws)
            return (round(n), total, 0.004, hi)

        metrics += k.stat_series("AWS/ApplicationELB", "TargetResponseTime", dims, "Seconds", pts, trt, 4)
    elb5 = rsum(lambda t: 1 if rng.random() < 0.02 else 0)
    metrics += k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Count",
        pts,
        lambda t0, s: elb5(t0, s) or None,
        0,
    )
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    metrics += k.series(
        "AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", pts, lambda t0, s: float(tasks_at(t0)), 0
    )
    metrics += k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", pts, lambda t0, s: 0.0, 0)

    # ---- ECS ------------------------------------------------------------------------------------------
    ed = {"ClusterName": cluster, "ServiceName": "pdp-api"}
    metrics += k.series(
        "AWS/ECS",
        "CPUUtilization",
        ed,
        "Percent",
        pts,
        lambda t0, s: min(95.0, 6 + 0.0062 * demand_rpm[t0] / tasks_at(t0) * rng.uniform(0.9, 1.1)),
    )
    metrics += k.series(
        "AWS/ECS",
        "MemoryUtilization",
        ed,
        "Percent",
        pts,
        lambda t0, s: 38 + 6 * frac_shaped(t0) + rng.uniform(-0.6, 0.6),
    )
    cd = {"ClusterName": cluster, "ServiceName": "cart-api"}
    metrics += k.series(
        "AWS/ECS",
        "CPUUtilization",
        cd,
        "Percent",
        pts,
        lambda t0, s: 8 + 22 * k.diurnal(t0, offset_h, 0.15, [(20.0, 1.6, 0.45)]) * rng.uniform(0.9, 1.1),
    )
    metrics += k.series("AWS/ECS", "MemoryUtilization", cd, "Percent", pts, lambda t0, s: rng.uniform(51, 54))

    # ---- ElastiCache: primary and replica ------------------------------------------------------------
    def node_metrics(node: str, is_p: bool) -> list[Json]:
        nd = {"CacheClusterId": node, "CacheNodeId": "0001"}
        metrics: list[Json] = []

        def bytes_out(t0: datetime, step: int) -> float | None:
            ws = window(t0, step)
            if not ws:
                return None
            if not is_p:
                return sum(rng.uniform(1.6e7, 2.4e7) for _ in ws)
            total = 0.0
            for t in ws:
                want = demand_rpm[t] * kb_per_req * 1000
                if shaped.get(t, 0.0) > 0:
                    want = BASELINE_GB_MIN * 1e9 * rng.uniform(0.955, 1.0)
                total += want + rng.uniform(1.5e7, 2.5e7)
            return total

        def bytes_in(t0: datetime, step: int) -> float | None:
            ws = window(t0, step)
            if not ws:
                return None
            return sum((demand_rpm[t] * 2400 if is_p else 2.0e7) * rng.uniform(0.9, 1.1) for t in ws)

        def allowance(t0: datetime, step: int) -> float | None:
            ws = window(t0, step)
            if not ws:
                return None
            n = 0.0
            for t in ws:
                if not is_p:
                    continue
                n += shaped.get(t, 0.0) * 1e9 / 8900 * rng.uniform(0.8, 1.2)
                want = demand_rpm[t] * kb_per_req * 1000 / 1e9
                if shaped.get(t, 0.0) == 0 and want > BASELINE_GB_MIN * 0.8 and rng.random() < 0.3:
                    n += rng.randint(3, 180)  # micro-bursts above the allowance at the busiest minutes
            return float(round(n))

        metrics += k.series("AWS/ElastiCache", "NetworkBytesOut", nd, "Bytes", pts, bytes_out, 0)
        metrics += k.series("AWS/ElastiCache", "NetworkBytesIn", nd, "Bytes", pts, bytes_in, 0)
        metrics += k.series(
            "AWS/ElastiCache",
            "NetworkPacketsOut",
            nd,
            "Count",
            pts,
            lambda t0, s: (bytes_out(t0, s) or 0) / 7600,
            0,
        )
        metrics += k.series(
            "AWS/ElastiCache", "NetworkBandwidthOutAllowanceExceeded", nd, "Count", pts, allowance, 0
        )
        for zero_metric in (
            "NetworkBandwidthInAllowanceExceeded",
            "NetworkPacketsPerSecondAllowanceExceeded",
            "NetworkConntrackAllowanceExceeded",
        ):
            metrics += k.series("AWS/ElastiCache", zero_metric, nd, "Count", pts, lambda t0, s: 0.0, 0)

        def engine_cpu(t0: datetime, step: int) -> float:
            if not is_p:
                return rng.uniform(1.5, 3.0)
            return 4 + 0.0041 * demand_rpm[t0] * rng.uniform(0.93, 1.07)

        metrics += k.series("AWS/ElastiCache", "EngineCPUUtilization", nd, "Percent", pts, engine_cpu)
        metrics += k.series(
            "AWS/ElastiCache",
            "CPUUtilization",
            nd,
            "Percent",
            pts,
            lambda t0, s: engine_cpu(t0, s) / 2 + rng.uniform(1.5, 3),
        )

        def conns(t0: datetime, step: int) -> float:
            if not is_p:
                return float(rng.randint(7, 9))
            return float(tasks_at(t0) * 24 + int(420 * frac_shaped(t0)) + rng.randint(4, 12))

        metrics += k.series("AWS/ElastiCache", "CurrConnections", nd, "Count", pts, conns, 0)
        metrics += k.series(
            "AWS/ElastiCache",
            "NewConnections",
            nd,
            "Count",
            pts,
            lambda t0, s: float(
                (
                    rng.randint(0, 3)
                    + int(600 * frac_shaped(t0))
                    + (8 if is_p and abs((t0 - prescale_t).total_seconds()) < 200 else 0)
                )
                * s
                if is_p
                else rng.randint(0, 1)
            ),
            0,
        )
        hits_factor = 24 * 0.985 if is_p else 0.0
        metrics += k.series(
            "AWS/ElastiCache",
            "CacheHits",
            nd,
            "Count",
            pts,
            lambda t0, s: sum(demand_rpm[t] * hits_factor * (1 - frac_shaped(t)) for t in window(t0, s)),
            0,
        )
        metrics += k.series(
            "AWS/ElastiCache",
            "CacheMisses",
            nd,
            "Count",
            pts,
            lambda t0, s: sum(demand_rpm[t] * 24 * 0.015 for t in window(t0, s)) if is_p else 0.0,
            0,
        )
        metrics += k.series(
            "AWS/ElastiCache",
            "GetTypeCmdsLatency",
            nd,
            "Microseconds",
            pts,
            lambda t0, s: rng.uniform(11, 19) if is_p else rng.uniform(6, 9),
        )
        metrics += k.series(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            nd,
            "Percent",
            pts,
            lambda t0, s: 41.5 + 2.5 * k.diurnal(t0, offset_h, 0.2) + rng.uniform(-0.2, 0.2),
        )
        metrics += k.series(
            "AWS/ElastiCache",
            "FreeableMemory",
            nd,
            "Bytes",
            pts,
            lambda t0, s: 6.9e9 - 3.3e8 * k.diurnal(t0, offset_h, 0.2) + rng.uniform(-2e7, 2e7),
            0,
        )
        metrics += k.series("AWS/ElastiCache", "Evictions", nd, "Count", pts, lambda t0, s: 0.0, 0)
        metrics += k.series("AWS/ElastiCache", "SwapUsage", nd, "Bytes", pts, lambda t0, s: 0.0, 0)
        if not is_p:
            metrics += k.series(
                "AWS/ElastiCache",
                "ReplicationLag",
                nd,
                "Seconds",
                pts,
                lambda t0, s: rng.choice([0.0, 0.0, 0.001]),
                3,
            )
        return metrics

    for node in (primary, replica):
        metrics += node_metrics(node, node == primary)

    # ---- DynamoDB: fallback reads --------------------------------------------------------------------
    dd = {"TableName": table}
    metrics += k.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        dd,
        "Count",
        pts,
        lambda t0, s: sum(
            demand_rpm[t] * (0.015 * 24 * 2 + frac_shaped(t) * 24 * 2 * 0.6) + rng.uniform(400, 600)
            for t in window(t0, s)
        ),
        1,
    )
    metrics += k.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        dd,
        "Count",
        pts,
        lambda t0, s: sum(rng.uniform(40, 120) for _ in window(t0, s)),
        1,
    )

    def ddb_lat(t0: datetime, step: int) -> tuple[float, float, float, float] | None:
        ws = window(t0, step)
        if not ws:
            return None
        n = sum(demand_rpm[t] * (0.015 + frac_shaped(t) * 0.6) for t in ws)
        avg = rng.uniform(5.5, 8.0)
        return (max(1.0, round(n)), max(1.0, round(n)) * avg, 2.1, avg * rng.uniform(3, 7))

    metrics += k.stat_series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {**dd, "Operation": "BatchGetItem"},
        "Milliseconds",
        pts,
        ddb_lat,
    )

    # ---- alarms -----------------------------------------------------------------------------------------
    pager = f"arn:aws:sns:{region}:{account}:{brand}-pagerduty-critical"
    ticket = f"arn:aws:sns:{region}:{account}:{brand}-ops-notify"
    specs = [
        k.AlarmSpec(
            account,
            region,
            "pdp-api-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            3,
            60,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            description="pdp-api returning 5xx to the storefront (more than 60 a minute for 3 minutes)",
            actions=[pager],
        ),
        k.AlarmSpec(
            account,
            region,
            "pdp-api-latency-high",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "Average",
            60,
            5,
            0.75,
            "GreaterThanThreshold",
            datapoints_to_alarm=4,
            description="pdp-api average response time above 750 ms",
            actions=[ticket],
        ),
        k.AlarmSpec(
            account,
            region,
            "pdp-cache-engine-cpu",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            {"CacheClusterId": primary, "CacheNodeId": "0001"},
            "Average",
            300,
            3,
            80,
            "GreaterThanThreshold",
            description="Redis engine thread busy",
            actions=[ticket],
        ),
        k.AlarmSpec(
            account,
            region,
            "pdp-cache-memory",
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            {"CacheClusterId": primary, "CacheNodeId": "0001"},
            "Maximum",
            300,
            2,
            85,
            "GreaterThanThreshold",
            description="pdp-cache close to maxmemory",
            actions=[ticket],
        ),
        k.AlarmSpec(
            account,
            region,
            "pdp-api-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            ed,
            "Average",
            300,
            3,
            75,
            "GreaterThanThreshold",
            description="pdp-api tasks CPU bound",
            actions=[ticket],
        ),
        k.AlarmSpec(
            account,
            region,
            "pdp-alb-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            3,
            0,
            "GreaterThanThreshold",
            description="Unhealthy pdp-api targets",
            actions=[pager],
        ),
    ]
    for spec in specs:
        spec.evaluate(metrics, start, now, rng, fine_from)
    first_alarm = next(i for i, tr in enumerate(specs[0].transitions) if tr[2] == "ALARM")
    alarm_event = specs[0].event(first_alarm, rng)

    # ---- logs -------------------------------------------------------------------------------------------
    logs: list[Json] = []
    group = "/ecs/pdp-api"
    old_tasks = [ids.task_id() for _ in range(before_count)]
    new_tasks = [ids.task_id() for _ in range(after_count - before_count)]
    ips = {tid: ids.private_ip("10.60") for tid in old_tasks + new_tasks}
    node_host = f"{primary}.{ids.alnum(6).lower()}.0001.{region.replace('-', '')[:4]}.cache.amazonaws.com"
    primary_ep = f"master.{rg}.{node_host.split('.')[1]}.{region.replace('-', '')[:4]}.cache.amazonaws.com"
    reader_ep = primary_ep.replace("master.", "replica.")

    def live(t: datetime) -> list[str]:
        return old_tasks + (new_tasks if t >= prescale_t + timedelta(minutes=2) else [])

    def pino(tid: str, t: datetime, level: int, msg: str, **extra: Any) -> Json:
        body = {
            "level": level,
            "time": k.ms(t),
            "pid": 1,
            "hostname": f"ip-{ips[tid].replace('.', '-')}.ec2.internal",
            "msg": msg,
            **extra,
        }
        return k.log(group, f"pdp-api/pdp-api/{tid}", t, json.dumps(body, separators=(",", ":")))

    for tid in old_tasks:
        at = start + timedelta(seconds=rng.randint(1, 50))
        logs.append(pino(tid, at, 30, "cache connected", redis=primary_ep, port=6379, tls=True))
    for tid in new_tasks:
        at = prescale_t + timedelta(seconds=rng.randint(70, 110))
        logs.append(pino(tid, at, 30, "server listening", port=8080, version="4.18.2"))
        logs.append(
            pino(
                tid,
                at + timedelta(milliseconds=rng.randint(40, 300)),
                30,
                "cache connected",
                redis=primary_ep,
                port=6379,
                tls=True,
            )
        )
    t = start
    while t < now:
        for tid in live(t):
            at = t + timedelta(seconds=rng.uniform(0, 299))
            if at >= now:
                continue
            f = frac_shaped(k.floor_minute(at)) if k.floor_minute(at) in demand_rpm else 0.0
            logs.append(
                pino(
                    tid,
                    at,
                    30,
                    "cache stats",
                    window="5m",
                    hitRatio=round(0.985 - 0.7 * f + rng.uniform(-0.003, 0.003), 3),
                    getP99Ms=round(rng.uniform(2.0, 4.5) + 240 * f, 1),
                    pool=24,
                    timeouts=int(f * rng.uniform(2000, 4200)),
                )
            )
        if rng.random() < 0.05:
            tid = rng.choice(live(t))
            at = t + timedelta(seconds=rng.uniform(0, 299))
            if at < now:
                logs.append(
                    pino(
                        tid,
                        at,
                        40,
                        "product not found in catalogue",
                        productId=f"P{rng.randint(100000, 999999)}",
                        referer="https://www.google.com/",
                    )
                )
        t += timedelta(minutes=5)
    for m in minutes:
        f = frac_shaped(m)
        if f <= 0:
            continue
        n = int(min(45, 4 + 160 * f))
        for _ in range(n):
            tid = rng.choice(live(m))
            at = m + timedelta(seconds=rng.uniform(0, 59.9))
            pid = f"P{rng.randint(100000, 999999)}"
            if rng.random() < 0.6:
                logs.append(
                    pino(
                        tid,
                        at,
                        40,
                        "cache read failed, falling back to dynamodb",
                        key=f"pdp:related:{pid}",
                        err={
                            "type": "Error",
                            "message": "Command timed out",
                            "stack": "Error: Command timed out\n    at Timeout._onTimeout (/app/node_modules/ioredis/built/Redis.js:182:28)\n    at listOnTimeout (node:internal/timers:573:17)\n    at process.processTimers (node:internal/timers:514:7)",
                        },
                    )
                )
            else:
                logs.append(
                    pino(
                        tid,
                        at,
                        50,
                        "request failed",
                        req={"method": "GET", "url": f"/v2/products/{pid}", "id": ids.uuid()},
                        res={"statusCode": rng.choice([503, 503, 504])},
                        responseTime=rng.randint(2500, 3010),
                        err={
                            "type": "DeadlineExceededError",
                            "message": "page assembly exceeded 2500ms deadline",
                        },
                    )
                )

    # ---- resources ----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 500))
    engine_version = rng.choice(["7.1.0", "7.0.7"])
    resources: list[Json] = []
    resources.append(
        {
            "service": "elasticache",
            "type": "ReplicationGroup",
            "item": {
                "ReplicationGroupId": rg,
                "Description": "Product detail page cache (related products, availability)",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": [primary, replica],
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {"Address": primary_ep, "Port": 6379},
                        "ReaderEndpoint": {"Address": reader_ep, "Port": 6379},
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": primary,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {"Address": node_host, "Port": 6379},
                                "PreferredAvailabilityZone": azs[0],
                                "CurrentRole": "primary",
                            },
                            {
                                "CacheClusterId": replica,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {
                                    "Address": node_host.replace(primary, replica),
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": azs[1],
                                "CurrentRole": "replica",
                            },
                        ],
                    }
                ],
                "SnapshottingClusterId": replica,
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "07:00-08:00",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r6g.large",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rg}",
                "LogDeliveryConfigurations": [],
                "ReplicationGroupCreateTime": k.iso_ms(created),
                "DataTiering": "disabled",
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "TransitEncryptionMode": "required",
                "ClusterMode": "disabled",
                "Engine": "redis",
            },
        }
    )
    for node, az in ((primary, azs[0]), (replica, azs[1])):
        resources.append(
            {
                "service": "elasticache",
                "type": "CacheCluster",
                "item": {
                    "CacheClusterId": node,
                    "CacheNodeType": "cache.r6g.large",
                    "Engine": "redis",
                    "EngineVersion": engine_version,
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": az,
                    "CacheClusterCreateTime": k.iso_ms(created),
                    "PreferredMaintenanceWindow": "tue:09:00-tue:10:00",
                    "PendingModifiedValues": {},
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": "default.redis7",
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": f"{brand}-cache-private",
                    "AutoMinorVersionUpgrade": True,
                    "SecurityGroups": [{"SecurityGroupId": sg_cache, "Status": "active"}],
                    "CacheNodes": [
                        {
                            "CacheNodeId": "0001",
                            "CacheNodeStatus": "available",
                            "CacheNodeCreateTime": k.iso_ms(created),
                            "Endpoint": {"Address": node_host.replace(primary, node), "Port": 6379},
                            "ParameterGroupStatus": "in-sync",
                            "CustomerAvailabilityZone": az,
                        }
                    ],
                    "ReplicationGroupId": rg,
                    "SnapshotRetentionLimit": 1 if node == replica else 0,
                    "SnapshotWindow": "07:00-08:00",
                    "AuthTokenEnabled": False,
                    "TransitEncryptionEnabled": True,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{region}:{account}:cluster:{node}",
                    "ReplicationGroupLogDeliveryEnabled": False,
                    "NetworkType": "ipv4",
                    "IpDiscovery": "ipv4",
                    "TransitEncryptionMode": "required",
                },
            }
        )
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"{lb_name}-{rng.randint(100000000, 999999999)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
                "CreatedTime": k.iso_ms(created),
                "LoadBalancerName": lb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []}
                    for az, sn in zip(azs, subnets, strict=True)
                ],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "pdp-api-tg",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        }
    )
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    resources.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": after_count + 4,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "settings": [{"name": "containerInsights", "value": "disabled"}],
            },
        }
    )
    pdp_td = rng.randint(300, 700)
    cart_td = rng.randint(100, 300)
    for svc, desired, td, evs in (
        (
            "pdp-api",
            after_count,
            pdp_td,
            [
                (
                    prescale_t + timedelta(seconds=95),
                    f"(service pdp-api) has started {len(new_tasks)} tasks: (task "
                    + ") (task ".join(new_tasks)
                    + ").",
                ),
                (
                    prescale_t + timedelta(minutes=3, seconds=20),
                    f"(service pdp-api) registered {len(new_tasks)} targets in (target-group {tg_arn})",
                ),
                (prescale_t + timedelta(minutes=6), "(service pdp-api) has reached a steady state."),
            ],
        ),
        (
            "cart-api",
            4,
            cart_td + 1,
            [
                (cart_deploy_t + timedelta(minutes=5), "(service cart-api) has reached a steady state."),
                (
                    cart_deploy_t + timedelta(minutes=4, seconds=31),
                    f"(service cart-api) deployment ecs-svc/{rng.randint(10**18, 10**19 - 1)} completed.",
                ),
            ],
        ),
    ):
        item = {
            "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}",
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": desired,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td}",
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "createdAt": k.iso(created),
            "events": [
                {"id": ids.uuid(), "createdAt": k.iso(w), "message": m_}
                for w, m_ in sorted(evs, reverse=True)
                if w < now
            ],
        }
        if svc == "pdp-api":
            item["loadBalancers"] = [
                {"targetGroupArn": tg_arn, "containerName": "pdp-api", "containerPort": 8080}
            ]
            item["networkConfiguration"] = {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg_api],
                    "assignPublicIp": "DISABLED",
                }
            }
        resources.append({"service": "ecs", "type": "Service", "item": item})
    resources.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": k.ddb_table(
                ids,
                account,
                region,
                table,
                created,
                [("productId", "HASH", "S")],
                items=rng.randint(180_000, 260_000),
                size=rng.randint(2_000_000_000, 3_000_000_000),
            ),
        }
    )

    # target health: steady, with the new tasks joining at the pre-scale
    events: list[Json] = []
    for tid in old_tasks + new_tasks:
        joined = start if tid in old_tasks else prescale_t + timedelta(seconds=rng.randint(150, 200))
        tgt = {"Id": ips[tid], "Port": 8080, "AvailabilityZone": rng.choice(azs)}
        if tid in new_tasks:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "initial",
                            "Reason": "Elb.RegistrationInProgress",
                            "Description": "Target registration is in progress",
                        },
                        "timestamp": k.iso(joined),
                    },
                }
            )
            joined += timedelta(seconds=rng.randint(25, 40))
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(joined),
                },
            }
        )
    snap_day = drop - timedelta(hours=drop.hour) + timedelta(hours=7, minutes=rng.randint(2, 30))
    for d in (snap_day - timedelta(days=1), snap_day):
        if start < d < now:
            events.append(
                {
                    "source": "elasticache",
                    "item": {
                        "SourceIdentifier": replica,
                        "SourceType": "cache-cluster",
                        "Message": f"Snapshot succeeded for snapshot with ID 'automatic.{replica}-{d:%Y-%m-%d-%H-%M}' of replication group with ID '{rg}'",
                        "Date": k.iso_ms(d + timedelta(minutes=rng.randint(3, 9))),
                    },
                }
            )

    # ---- CloudTrail -----------------------------------------------------------------------------------
    ct: list[Json] = []
    eng = k.sso_user(
        account,
        ids,
        f"{rng.choice(['jordan.kim', 'alexis.moreno', 'ben.osei', 'mira.shah'])}@{brand}.com",
        "PlatformEngineer",
    )
    eng2 = k.sso_user(
        account, ids, f"{rng.choice(['chris.dunn', 'lena.park', 'owen.hart'])}@{brand}.com", "ReadOnlyAccess"
    )
    ci = k.ci_role(
        account, ids, "gha-deploy-cart-api", "GitHubActions", k.GHA_AGENT.format(cmd="ecs.update-service")
    )
    dd_role = k.workload_role(
        account,
        ids,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        ids.public_ip(),
        "Datadog/1.0 aws-sdk-go/1.50.38 (go1.21.8; linux; amd64)",
    )
    asl = k.linked_role(account, ids, "AWSServiceRoleForECS", "ECS", "ecs.amazonaws.com")

    def add(*args: Any, **kw: Any) -> Json:
        rec = k.cloudtrail(ids, account, region, *args, **kw)
        ct.append(rec)
        return rec

    for when in k.spread(rng, start, now, 10):
        add(
            when,
            "elasticache.amazonaws.com",
            "DescribeReplicationGroups",
            dd_role,
            {"maxRecords": 100},
            None,
            read_only=True,
        )
    for when in k.spread(rng, start, now, 6):
        add(
            when,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetGroups",
            dd_role,
            {"pageSize": 400},
            None,
            read_only=True,
        )
    for when in k.spread(rng, start, now, 6):
        ct.append(
            k.assume_role_by_service(
                ids, account, region, when, "ecs-tasks.amazonaws.com", "pdp-api-task", rng.choice(old_tasks)
            )
        )
    add(
        prescale_t - timedelta(seconds=48),
        "ecs.amazonaws.com",
        "DescribeServices",
        eng,
        {"cluster": cluster, "services": ["pdp-api"], "include": ["TAGS"]},
        None,
        read_only=True,
    )
    add(
        prescale_t,
        "ecs.amazonaws.com",
        "UpdateService",
        eng,
        {"cluster": cluster, "service": "pdp-api", "desiredCount": after_count},
        {
            "service": {
                "serviceName": "pdp-api",
                "desiredCount": after_count,
                "runningCount": before_count,
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/pdp-api:{pdp_td}",
            }
        },
    )
    for i in range(after_count - before_count):
        add(
            prescale_t + timedelta(seconds=70 + 3 * i),
            "ec2.amazonaws.com",
            "CreateNetworkInterface",
            asl,
            {
                "subnetId": rng.choice(subnets),
                "description": "arn:aws:ecs:" + region + ":" + account + ":attachment/" + ids.uuid(),
                "groupSet": {"items": [{"groupId": sg_api}]},
            },
            {"networkInterface": {"networkInterfaceId": ids.eni(), "status": "pending"}},
        )
    add(
        prescale_t + timedelta(minutes=3),
        "elasticache.amazonaws.com",
        "DescribeCacheClusters",
        eng,
        {"showCacheNodeInfo": True},
        None,
        read_only=True,
    )
    add(
        cart_deploy_t - timedelta(seconds=20),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "cart-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "cart-api",
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/cart-api:{ids.hex(12)}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                }
            ],
        },
        {"taskDefinition": {"family": "cart-api", "revision": cart_td + 1, "status": "ACTIVE"}},
    )
    add(
        cart_deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": cluster,
            "service": "cart-api",
            "taskDefinition": f"cart-api:{cart_td + 1}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "cart-api",
                "desiredCount": 4,
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/cart-api:{cart_td + 1}",
            }
        },
    )
    add(
        start + timedelta(hours=rng.randint(2, 9)),
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        eng,
        {"tableName": table, "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
        None,
    )
    for when in k.spread(rng, start, now, 4):
        add(
            when,
            "monitoring.amazonaws.com",
            "GetMetricData",
            eng2,
            {"startTime": k.iso(when - timedelta(hours=3)), "endTime": k.iso(when)},
            None,
            read_only=True,
        )
    add(
        onset + timedelta(minutes=9),
        "elasticache.amazonaws.com",
        "DescribeEvents",
        eng2,
        {"sourceType": "replication-group", "duration": 1440},
        None,
        read_only=True,
    )
    ci_crm = k.ci_role(
        account, ids, "gha-deploy-crm", "GitHubActions", k.GHA_AGENT.format(cmd="lambda.update-function-code")
    )
    notifier_t = drop + timedelta(minutes=rng.randint(2, 6), seconds=rng.randint(0, 59))
    add(
        notifier_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci_crm,
        {
            "functionName": "drop-waitlist-notifier",
            "s3Bucket": f"{brand}-lambda-artifacts",
            "s3Key": f"crm/{ids.hex(40)}.zip",
        },
        {
            "functionName": "drop-waitlist-notifier",
            "runtime": "python3.12",
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
        },
    )
    ct = k.sort_records(ct)

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": alarm_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": rg,
                    "category": "limit",
                    "failure_mode": "cache-node-network-bandwidth-allowance-exceeded",
                    "event_id": None,
                },
                "also_accept": [
                    primary,
                    primary_ep,
                    f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rg}",
                ],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"evening drop traffic pushes {primary} (cache.r6g.large, all reads on the primary) past its network baseline",
                    f"burst allowance exhausted: NetworkBandwidthOutAllowanceExceeded on {primary}, bytes out flat at the cap",
                    "ioredis commands time out in pdp-api, pages fall back to DynamoDB and miss their deadline",
                    f"pdp-api answers 503/504 through {lb_name}; pdp-api-target-5xx alarm",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [s.item() for s in specs],
            "alarm_history": [h for s in specs for h in s.history()],
            "logs": k.sort_logs(logs),
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
