"""Cinema-booking customers logged out mid-checkout on a winter evening."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zo as k

NAME = "reelhouse-logged-out-midbooking"
TITLE = "Reelhouse customers logged out mid-booking and held seats lost; 5xx alarm fired and cleared"
SUMMARY = (
    "The primary of one shard of a cluster-mode Redis session store with no replicas fails; its slots time out "
    "for ~10 minutes and the replacement node comes back empty, so a third of sessions and seat holds vanish."
)

REGION = "ap-southeast-2"
TZ = ZoneInfo("Australia/Sydney")
AZS = [("ap-southeast-2a", "apse2-az3"), ("ap-southeast-2b", "apse2-az1"), ("ap-southeast-2c", "apse2-az2")]
RG = "reelhouse-sessions"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = "7" + "".join(rng.choice("0123456789") for _ in range(11))
    day = k.pick_day(rng, datetime(2024, 6, 3, tzinfo=k.UTC), 70, [3, 4, 5])
    local_onset = datetime(
        day.year, day.month, day.day, 19, 4 + rng.randrange(30), rng.randrange(60), tzinfo=TZ
    )
    onset = local_onset.astimezone(k.UTC)
    bad_shard = rng.choice([1, 2, 3])
    recovering_at = onset + timedelta(seconds=70 + rng.randrange(50))
    back_at = onset + timedelta(minutes=9 + rng.randrange(4), seconds=rng.randrange(60))
    now = back_at + timedelta(minutes=28 + rng.randrange(14))
    start = k.floor_min(onset) - timedelta(hours=4, minutes=rng.randrange(30))
    fine_from = k.floor_min(onset) - timedelta(minutes=100)
    deploy_at = onset - timedelta(minutes=13 + rng.randrange(6), seconds=rng.randrange(60))

    # ----- ids
    vpc_id = k.res_id(rng, "vpc")
    subnets = [k.res_id(rng, "subnet") for _ in range(3)]
    sg_redis, sg_web, sg_alb, sg_db = (k.res_id(rng, "sg") for _ in range(4))
    cluster = "reelhouse-prod"
    svc = "reelhouse-web"
    alb_name = "reelhouse-public"
    alb_dim = f"app/{alb_name}/{k.hexs(rng, 16)}"
    tg_dim = f"targetgroup/reelhouse-web/{k.hexs(rng, 16)}"
    alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/{alb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:{tg_dim}"
    host_sfx = k.alnum(rng, 6, upper=False)
    cfg_endpoint = f"clustercfg.{RG}.{host_sfx}.apse2.cache.amazonaws.com"
    node_ids = [f"{RG}-000{n}-001" for n in (1, 2, 3)]
    bad_node = node_ids[bad_shard - 1]
    node_azs = [AZS[n % 3][0] for n in range(3)]
    node_ips = [f"10.62.{40 + n}.{rng.randrange(10, 250)}" for n in range(3)]
    slots = ["0-5461", "5462-10922", "10923-16383"]
    db_id = "reelhouse-bookings"
    pager = f"arn:aws:sns:{REGION}:{account}:reelhouse-oncall"
    td_old_rev = 300 + rng.randrange(80)
    td_new_rev = td_old_rev + 1
    td_old = f"arn:aws:ecs:{REGION}:{account}:task-definition/{svc}:{td_old_rev}"
    td_new = f"arn:aws:ecs:{REGION}:{account}:task-definition/{svc}:{td_new_rev}"
    svc_arn = f"arn:aws:ecs:{REGION}:{account}:service/{cluster}/{svc}"
    old_tasks = [k.hexs(rng, 32) for _ in range(6)]
    new_tasks = [k.hexs(rng, 32) for _ in range(6)]
    old_ips = [f"10.62.{10 + n % 3}.{rng.randrange(10, 250)}" for n in range(6)]
    new_ips = [f"10.62.{10 + n % 3}.{rng.randrange(10, 250)}" for n in range(6)]

    def lh(t: datetime) -> float:
        lt = t.astimezone(TZ)
        return lt.hour + lt.minute / 60

    def traffic(t: datetime) -> float:
        return 0.25 * k.diurnal(lh(t), 13.0, 0.05, 3.0) + 0.85 * k.diurnal(lh(t), 19.3, 0.02, 1.6) + 0.05

    def gap(t: datetime) -> bool:
        return onset <= t + k.MINUTE and t < back_at

    def frac_gap(t: datetime) -> float:
        lo, hi = max(t, onset), min(t + k.MINUTE, back_at)
        return max(0.0, (hi - lo).total_seconds() / 60)

    def relog(t: datetime) -> float:
        """Logged-out users coming back through the login page after the node returns empty."""
        if t < back_at:
            return 0.0
        m = (t - back_at).total_seconds() / 60
        return 0.9 * pow(2.718, -m / 14)

    n_total = int((now - start).total_seconds() // 60) + 2
    nz = k.smooth_noise(rng, n_total, 1.0)
    nz2 = k.smooth_noise(rng, n_total, 1.0, keep=0.5)
    ms_ = k.MetricSet(start, now, fine_from)

    # ALB
    albtg = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
    albd = {"LoadBalancer": alb_dim}
    reqs: dict[datetime, float] = {}

    def rc(t: datetime, i: int) -> float:
        v = 5200 * traffic(t) * (1 + 0.05 * nz[i]) * (1 + 0.35 * relog(t))
        reqs[t] = v
        return float(round(v))

    ms_.add("AWS/ApplicationELB", "RequestCount", albtg, "Count", rc)
    ms_.add("AWS/ApplicationELB", "RequestCount", albd, "Count", lambda t, i: float(round(reqs[t] * 1.004)))

    def t5(t: datetime, i: int) -> float | None:
        f = frac_gap(t)
        if f > 0:
            return float(round(reqs[t] * 0.31 * f * (1 + 0.06 * nz2[i])))
        return float(1 + rng.randrange(3)) if rng.random() < 0.08 else None

    t5_vals = ms_.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", albtg, "Count", t5)
    ms_.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_3XX_Count",
        albtg,
        "Count",
        lambda t, i: float(round(reqs[t] * (0.045 + 0.2 * relog(t)))),
    )
    ms_.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        albtg,
        "Count",
        lambda t, i: float(round(reqs[t] * (0.012 + 0.05 * relog(t)) * (1 + 0.1 * nz2[i]))),
    )
    ms_.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        albd,
        "Count",
        lambda t, i: 1.0 if rng.random() < 0.01 else None,
    )
    ms_.add_latency(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        albtg,
        lambda t, i: (0.061 + 0.012 * traffic(t) + 0.004 * nz2[i] + 0.36 * frac_gap(t), reqs[t]),
    )

    def healthy(t: datetime, i: int) -> float:
        if deploy_at + timedelta(minutes=1) <= t < deploy_at + timedelta(minutes=4):
            return 9.0 + (1 if t >= deploy_at + timedelta(minutes=2) else 0) * 3
        return 6.0

    ms_.add("AWS/ApplicationELB", "HealthyHostCount", albtg, "Count", healthy)
    ms_.add("AWS/ApplicationELB", "UnHealthyHostCount", albtg, "Count", lambda t, i: 0.0)

    ecsd = {"ClusterName": cluster, "ServiceName": svc}
    ms_.add(
        "AWS/ECS",
        "CPUUtilization",
        ecsd,
        "Percent",
        lambda t, i: max(3.0, 9 + 41 * traffic(t) + 2 * nz2[i] + 6 * relog(t)),
    )
    ms_.add("AWS/ECS", "MemoryUtilization", ecsd, "Percent", lambda t, i: 38 + 4 * traffic(t) + 0.5 * nz[i])

    # Redis nodes
    items0 = [int(rng.uniform(410_000, 470_000)) for _ in range(3)]
    for n, node in enumerate(node_ids):
        dims = {"CacheClusterId": node, "CacheNodeId": "0001"}
        bad = node == bad_node

        def alive(t: datetime, bad: bool = bad) -> bool:
            return not (bad and onset - timedelta(seconds=20) <= t + k.MINUTE and t < back_at)

        def items(t: datetime, n: int = n, bad: bool = bad) -> float:
            base = items0[n] * (0.8 + 0.35 * traffic(t))
            if bad and t >= back_at:
                m = (t - back_at).total_seconds() / 60
                return min(base, base * (1 - pow(2.718, -m / 55)) * 0.55 + 120)
            return base

        def mk(fn: Any, bad: bool = bad) -> Any:
            return lambda t, i: fn(t, i) if alive(t) else None

        ms_.add(
            "AWS/ElastiCache",
            "CurrItems",
            dims,
            "Count",
            mk(lambda t, i, items=items: float(round(items(t)))),
        )
        ms_.add(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            dims,
            "Percent",
            mk(lambda t, i, items=items: 2.1 + items(t) * 1.9e-5),
        )
        ms_.add(
            "AWS/ElastiCache",
            "BytesUsedForCache",
            dims,
            "Bytes",
            mk(lambda t, i, items=items: 7.6e6 + items(t) * 1710.0),
        )
        ms_.add(
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            dims,
            "Percent",
            mk(lambda t, i: max(0.5, 2.5 + 17 * traffic(t) * (1 + 0.4 * relog(t)) + 0.8 * nz2[i])),
        )
        ms_.add(
            "AWS/ElastiCache",
            "CPUUtilization",
            dims,
            "Percent",
            mk(lambda t, i: max(0.5, 1.6 + 5.5 * traffic(t) + 0.5 * nz2[i])),
        )
        ms_.add(
            "AWS/ElastiCache",
            "CurrConnections",
            dims,
            "Count",
            mk(
                lambda t, i: float(
                    60
                    + 6 * (6 if not (deploy_at <= t < deploy_at + timedelta(minutes=4)) else 12)
                    + rng.randrange(3)
                )
            ),
        )
        ms_.add(
            "AWS/ElastiCache",
            "NewConnections",
            dims,
            "Count",
            mk(
                lambda t, i, bad=bad: float(
                    (72 if deploy_at <= t < deploy_at + k.MINUTE * 3 else 0)
                    + (120 if bad and back_at <= t < back_at + 2 * k.MINUTE else 0)
                    + rng.randrange(3)
                )
            ),
        )
        ms_.add(
            "AWS/ElastiCache",
            "GetTypeCmds",
            dims,
            "Count",
            mk(lambda t, i: float(round(reqs[t] * 2.2 / 3 * (1 + 0.03 * nz2[i])))),
        )
        ms_.add(
            "AWS/ElastiCache",
            "SetTypeCmds",
            dims,
            "Count",
            mk(lambda t, i: float(round(reqs[t] * 0.65 / 3 * (1 + 0.4 * relog(t))))),
        )
        ms_.add("AWS/ElastiCache", "Evictions", dims, "Count", mk(lambda t, i: 0.0))
        ms_.add(
            "AWS/ElastiCache",
            "NetworkBytesOut",
            dims,
            "Bytes",
            mk(lambda t, i: reqs[t] * 2.2 / 3 * 1800 * (1 + 0.05 * nz2[i])),
        )

    # bookings database (MySQL): quieter while users can't check out, then a burst of retries
    dbd = {"DBInstanceIdentifier": db_id}
    ms_.add(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        lambda t, i: max(4.0, 12 + 31 * traffic(t) * (1 - 0.3 * frac_gap(t)) + 2 * nz[i]),
    )
    ms_.add(
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Count",
        lambda t, i: float(
            96 + (96 if deploy_at <= t < deploy_at + timedelta(minutes=4) else 0) + rng.randrange(4)
        ),
    )
    ms_.add("AWS/RDS", "WriteLatency", dbd, "Seconds", lambda t, i: max(0.0004, 0.0011 + 0.0002 * nz2[i]))

    metrics = ms_.records()

    # ----- alarms
    dbcpu = ms_.series[("AWS/RDS", "CPUUtilization", (("DBInstanceIdentifier", db_id),))][1]
    lat = ms_.series[("AWS/ApplicationELB", "TargetResponseTime", tuple(sorted(albtg.items())))][1]
    a5 = k.Alarm(
        "reelhouse-web-5xx",
        "reelhouse-web is answering 5xx (over 100 a minute, 2 minutes)",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        albtg,
        "Sum",
        60,
        2,
        2,
        100.0,
        "GreaterThanThreshold",
        "notBreaching",
        actions=[pager],
        ok_actions=[pager],
    )
    others = [
        (
            k.Alarm(
                "reelhouse-web-latency",
                "reelhouse-web average response time over 1.5s for 5 minutes",
                "AWS/ApplicationELB",
                "TargetResponseTime",
                albtg,
                "Average",
                60,
                5,
                5,
                1.5,
                "GreaterThanThreshold",
                "notBreaching",
                actions=[pager],
            ),
            lat,
        ),
        (
            k.Alarm(
                "reelhouse-bookings-cpu",
                "bookings DB CPU > 85%",
                "AWS/RDS",
                "CPUUtilization",
                dbd,
                "Average",
                300,
                3,
                3,
                85.0,
                "GreaterThanThreshold",
                "missing",
                actions=[pager],
            ),
            dbcpu,
        ),
    ]
    alarms, history = [], []
    r5 = k.evaluate_alarm(a5, account, REGION, t5_vals, start, now, rng)
    alarms.append(r5.item)
    history += r5.history
    for node in node_ids:
        mem = ms_.series[
            (
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                (("CacheClusterId", node), ("CacheNodeId", "0001")),
            )
        ][1]
        res = k.evaluate_alarm(
            k.Alarm(
                f"{node}-memory",
                f"{node} memory usage over 80%",
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                {"CacheClusterId": node, "CacheNodeId": "0001"},
                "Average",
                300,
                2,
                2,
                80.0,
                "GreaterThanThreshold",
                "missing",
                actions=[pager],
            ),
            account,
            REGION,
            mem,
            start,
            now,
            rng,
        )
        alarms.append(res.item)
        history += res.history
    for al, vals in others:
        res = k.evaluate_alarm(al, account, REGION, vals, start, now, rng)
        alarms.append(res.item)
        history += res.history
    alarm_ev = k.alarm_event(rng, r5, a5, account, REGION, index=0)

    # ----- logs
    logs: list[dict[str, Any]] = []
    lg = f"/ecs/{svc}"
    paths = [
        ("GET", "/api/sessions/current"),
        ("GET", "/api/films/now-showing"),
        ("GET", "/api/showtimes"),
        ("POST", "/api/holds"),
        ("GET", "/api/seatmap"),
        ("POST", "/api/checkout"),
        ("GET", "/api/me"),
    ]

    def task_for(t: datetime) -> tuple[str, str]:
        j = rng.randrange(6)
        if t < deploy_at + timedelta(minutes=2, seconds=30):
            return old_tasks[j], old_ips[j]
        return new_tasks[j], new_ips[j]

    def jl(t: datetime, task: str, ip: str, obj: dict[str, Any]) -> None:
        base = {
            "level": obj.pop("level", 30),
            "time": k.ms(t),
            "pid": 1,
            "hostname": f"ip-{ip.replace('.', '-')}.{REGION}.compute.internal",
        }
        base.update(obj)
        logs.append(
            {
                "log_group": lg,
                "log_stream": f"web/{svc}/{task}",
                "timestamp": k.ms(t),
                "message": json.dumps(base, separators=(",", ":")),
            }
        )

    t = start + timedelta(seconds=rng.randrange(90))
    while t < now:
        task, ip = task_for(t)
        m, p = rng.choice(paths)
        rid = k.alnum(rng, 10, False)
        if gap(t) and t >= onset and rng.random() < 0.34:
            err = rng.choice(
                [
                    {
                        "type": "Error",
                        "message": "Command timed out",
                        "stack": "Error: Command timed out\n    at "
                        "Timeout._onTimeout (/app/node_modules/ioredis/built/Command.js:192:33)\n    at listOnTimeout "
                        "(node:internal/timers:573:17)",
                    },
                    {
                        "type": "Error",
                        "message": "connect ETIMEDOUT",
                        "code": "ETIMEDOUT",
                        "errno": -110,
                        "syscall": "connect",
                        "address": node_ips[bad_shard - 1],
                        "port": 6379,
                    },
                ]
            )
            jl(
                t,
                task,
                ip,
                {
                    "level": 50,
                    "reqId": rid,
                    "req": {"method": m, "url": p},
                    "msg": "session store error",
                    "err": err,
                },
            )
            jl(
                t + timedelta(milliseconds=2),
                task,
                ip,
                {
                    "level": 50,
                    "reqId": rid,
                    "res": {"statusCode": 500},
                    "responseTime": 1000 + rng.randrange(40),
                    "msg": "request errored",
                },
            )
            if rng.random() < 0.3:
                logs.append(
                    {
                        "log_group": lg,
                        "log_stream": f"web/{svc}/{task}",
                        "timestamp": k.ms(t) + 5,
                        "message": "[ioredis] Unhandled error event: Error: connect ETIMEDOUT\n    at "
                        "Socket.<anonymous> (/app/node_modules/ioredis/built/Redis.js:170:41)",
                    }
                )
            t += timedelta(seconds=4 + rng.randrange(8))
            continue
        if t >= back_at and rng.random() < 0.9 * relog(t) + 0.01:
            if p in ("/api/holds", "/api/checkout") and rng.random() < 0.5:
                jl(
                    t,
                    task,
                    ip,
                    {
                        "level": 40,
                        "reqId": rid,
                        "req": {"method": m, "url": p},
                        "msg": "seat hold not found for basket",
                        "basketId": "bk_" + k.alnum(rng, 12, False),
                    },
                )
                jl(
                    t,
                    task,
                    ip,
                    {
                        "reqId": rid,
                        "res": {"statusCode": 409},
                        "responseTime": rng.randrange(8, 30),
                        "msg": "request completed",
                    },
                )
            else:
                jl(
                    t,
                    task,
                    ip,
                    {
                        "reqId": rid,
                        "req": {"method": m, "url": p},
                        "msg": "no session for sid cookie, redirecting to /login",
                    },
                )
                jl(
                    t,
                    task,
                    ip,
                    {
                        "reqId": rid,
                        "res": {"statusCode": 302},
                        "responseTime": rng.randrange(3, 12),
                        "msg": "request completed",
                    },
                )
            t += timedelta(seconds=3 + rng.randrange(10))
            continue
        r = rng.random()
        if r < 0.02:
            jl(
                t,
                task,
                ip,
                {
                    "level": 40,
                    "reqId": rid,
                    "msg": "payment gateway slow",
                    "gateway": "eway",
                    "ms": 2200 + rng.randrange(1500),
                },
            )
        elif r < 0.03:
            jl(
                t,
                task,
                ip,
                {
                    "level": 40,
                    "reqId": rid,
                    "msg": "promo code rejected",
                    "code": "SAVE" + str(rng.randrange(10, 50)),
                },
            )
        else:
            jl(
                t,
                task,
                ip,
                {
                    "reqId": rid,
                    "req": {"method": m, "url": p},
                    "res": {"statusCode": 200},
                    "responseTime": round(20 + rng.random() * 80),
                    "msg": "request completed",
                },
            )
        t += timedelta(seconds=20 + rng.randrange(60) * (1.2 - traffic(t)))
    # startup lines of new tasks
    for n, task in enumerate(new_tasks):
        st = deploy_at + timedelta(seconds=45 + rng.randrange(30))
        ip = new_ips[n]
        jl(
            st,
            task,
            ip,
            {
                "msg": "reelhouse-web starting",
                "version": f"2024.{day.month:02d}.{day.day:02d}-{k.hexs(rng, 7)}",
                "node": "v20.14.0",
            },
        )
        jl(
            st + timedelta(milliseconds=840),
            task,
            ip,
            {"msg": "redis cluster ready", "startupNodes": [cfg_endpoint], "nodes": 3},
        )
        jl(st + timedelta(milliseconds=910), task, ip, {"msg": "listening", "port": 8080})
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # ----- resources
    created = start - timedelta(days=500 + rng.randrange(200))
    resources: list[dict[str, Any]] = [k.vpc_item(vpc_id, "10.62.0.0/16", account, "reelhouse-prod")]
    for n, (az, azid) in enumerate(AZS):
        resources.append(
            k.subnet_item(
                subnets[n],
                vpc_id,
                f"10.62.{10 + n}.0/24",
                az,
                azid,
                account,
                REGION,
                f"reelhouse-app-{az[-1]}",
                200 + rng.randrange(40),
            )
        )
    resources += [
        k.sg_item(
            sg_redis, vpc_id, account, "reelhouse-sessions", "sessions redis", [(6379, 6379, sg_web, "web")]
        ),
        k.sg_item(sg_web, vpc_id, account, "reelhouse-web", "web tasks", [(8080, 8080, sg_alb, "alb")]),
        k.sg_item(
            sg_alb,
            vpc_id,
            account,
            "reelhouse-public-alb",
            "public alb",
            [(443, 443, "0.0.0.0/0", "https"), (80, 80, "0.0.0.0/0", "redirect")],
        ),
        k.sg_item(
            sg_db, vpc_id, account, "reelhouse-bookings-db", "bookings mysql", [(3306, 3306, sg_web, "web")]
        ),
    ]
    pg_name = "reelhouse-redis7-cluster"
    members = []
    for n, node in enumerate(node_ids):
        created_node = created if node != bad_node else back_at - timedelta(minutes=2)
        members.append(
            {
                "CacheClusterId": node,
                "CacheNodeId": "0001",
                "PreferredAvailabilityZone": node_azs[n],
                "CurrentRole": "primary",
                "ReadEndpoint": {
                    "Address": f"{node}.{RG}.{host_sfx}.apse2.cache.amazonaws.com",
                    "Port": 6379,
                },
            }
        )
        resources.append(
            {
                "service": "elasticache",
                "type": "CacheCluster",
                "item": {
                    "CacheClusterId": node,
                    "CacheNodeType": "cache.r6g.large",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": node_azs[n],
                    "CacheClusterCreateTime": k.iso(created),
                    "PreferredMaintenanceWindow": "mon:16:00-mon:17:00",
                    "PendingModifiedValues": {},
                    "CacheSecurityGroups": [],
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": pg_name,
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": "reelhouse-cache",
                    "AutoMinorVersionUpgrade": True,
                    "CacheNodes": [
                        {
                            "CacheNodeId": "0001",
                            "CacheNodeStatus": "available",
                            "CacheNodeCreateTime": k.iso(created_node),
                            "Endpoint": {
                                "Address": f"{node}.{RG}.{host_sfx}.apse2.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "ParameterGroupStatus": "in-sync",
                            "CustomerAvailabilityZone": node_azs[n],
                        }
                    ],
                    "SecurityGroups": [{"SecurityGroupId": sg_redis, "Status": "active"}],
                    "ReplicationGroupId": RG,
                    "SnapshotRetentionLimit": 0,
                    "AuthTokenEnabled": False,
                    "TransitEncryptionEnabled": False,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{REGION}:{account}:cluster:{node}",
                    "ReplicationGroupLogDeliveryEnabled": False,
                    "LogDeliveryConfigurations": [],
                    "NetworkType": "ipv4",
                    "IpDiscovery": "ipv4",
                },
            }
        )
        resources.append(
            {
                "service": "ec2",
                "type": "NetworkInterface",
                "item": {
                    "AvailabilityZone": node_azs[n],
                    "Description": f"ElastiCache {node}",
                    "Groups": [{"GroupName": "reelhouse-sessions", "GroupId": sg_redis}],
                    "InterfaceType": "interface",
                    "MacAddress": ":".join(k.hexs(rng, 2) for _ in range(6)),
                    "NetworkInterfaceId": k.res_id(rng, "eni"),
                    "OwnerId": account,
                    "PrivateIpAddress": node_ips[n],
                    "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": node_ips[n]}],
                    "RequesterId": "amazon-elasticache",
                    "RequesterManaged": True,
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": subnets[n % 3],
                    "VpcId": vpc_id,
                    "TagSet": [],
                },
            }
        )
    resources.append(
        {
            "service": "elasticache",
            "type": "ReplicationGroup",
            "item": {
                "ReplicationGroupId": RG,
                "Description": "reelhouse web sessions and seat holds",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": node_ids,
                "NodeGroups": [
                    {
                        "NodeGroupId": f"000{n + 1}",
                        "Status": "available",
                        "Slots": slots[n],
                        "NodeGroupMembers": [members[n]],
                    }
                    for n in range(3)
                ],
                "AutomaticFailover": "enabled",
                "MultiAZ": "disabled",
                "ConfigurationEndpoint": {"Address": cfg_endpoint, "Port": 6379},
                "SnapshotRetentionLimit": 0,
                "SnapshotWindow": "15:00-16:00",
                "ClusterEnabled": True,
                "CacheNodeType": "cache.r6g.large",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{REGION}:{account}:replicationgroup:{RG}",
                "LogDeliveryConfigurations": [],
                "ReplicationGroupCreateTime": k.iso(created),
                "DataTiering": "disabled",
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "ClusterMode": "enabled",
                "Engine": "redis",
            },
        }
    )
    resources.append(
        {
            "service": "elasticache",
            "type": "CacheParameterGroup",
            "item": {
                "CacheParameterGroupName": pg_name,
                "CacheParameterGroupFamily": "redis7",
                "Description": "reelhouse cluster-mode sessions",
                "IsGlobal": False,
                "ARN": f"arn:aws:elasticache:{REGION}:{account}:parametergroup:{pg_name}",
            },
        }
    )
    for pname, val, desc in [
        ("cluster-enabled", "yes", "Enable cluster mode"),
        (
            "cluster-require-full-coverage",
            "no",
            "Whether cluster becomes unavailable if one or more slots are not covered",
        ),
        ("maxmemory-policy", "volatile-lru", "Max memory policy."),
        (
            "timeout",
            "300",
            "Close connection if client is idle for a given number of seconds, or never if 0.",
        ),
    ]:
        resources.append(
            {
                "service": "elasticache",
                "type": "CacheParameterGroupParameter",
                "item": {
                    "CacheParameterGroupName": pg_name,
                    "ParameterName": pname,
                    "ParameterValue": val,
                    "Description": desc,
                    "Source": "user",
                    "DataType": "string",
                    "AllowedValues": "",
                    "IsModifiable": pname != "cluster-enabled",
                    "MinimumEngineVersion": "7.0.0",
                    "ChangeType": "immediate",
                },
            }
        )
    resources.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": f"arn:aws:ecs:{REGION}:{account}:cluster/{cluster}",
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 10,
                "pendingTasksCount": 0,
                "activeServicesCount": 3,
                "capacityProviders": ["FARGATE"],
            },
        }
    )
    dep_id = "ecs-svc/" + "".join(rng.choice("0123456789") for _ in range(19))
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": f"arn:aws:ecs:{REGION}:{account}:cluster/{cluster}",
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "web", "containerPort": 8080}],
                "status": "ACTIVE",
                "desiredCount": 6,
                "runningCount": 6,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": td_new,
                "deploymentConfiguration": {
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                },
                "deployments": [
                    {
                        "id": dep_id,
                        "status": "PRIMARY",
                        "taskDefinition": td_new,
                        "desiredCount": 6,
                        "pendingCount": 0,
                        "runningCount": 6,
                        "failedTasks": 0,
                        "createdAt": k.iso(deploy_at),
                        "updatedAt": k.iso(deploy_at + timedelta(minutes=5, seconds=12)),
                        "launchType": "FARGATE",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": f"ECS deployment {dep_id} completed.",
                    }
                ],
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_web],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 20,
                "schedulingStrategy": "REPLICA",
                "createdAt": k.iso(created),
                "events": [],
            },
        }
    )

    def taskdef(arn: str, rev: int, tag: str, reg: datetime) -> dict[str, Any]:
        return {
            "service": "ecs",
            "type": "TaskDefinition",
            "item": {
                "taskDefinitionArn": arn,
                "family": svc,
                "revision": rev,
                "status": "ACTIVE",
                "taskRoleArn": f"arn:aws:iam::{account}:role/reelhouse-web-task",
                "executionRoleArn": f"arn:aws:iam::{account}:role/reelhouse-ecs-exec",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "registeredAt": k.iso(reg),
                "containerDefinitions": [
                    {
                        "name": "web",
                        "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/reelhouse-web:{tag}",
                        "essential": True,
                        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                        "environment": [
                            {"name": "REDIS_CLUSTER_NODES", "value": f"{cfg_endpoint}:6379"},
                            {"name": "REDIS_COMMAND_TIMEOUT_MS", "value": "1000"},
                            {"name": "SESSION_TTL_SECONDS", "value": "7200"},
                            {"name": "SEAT_HOLD_TTL_SECONDS", "value": "600"},
                            {"name": "NODE_ENV", "value": "production"},
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": lg,
                                "awslogs-region": REGION,
                                "awslogs-stream-prefix": "web",
                            },
                        },
                    }
                ],
            },
        }

    resources.append(
        taskdef(
            td_old,
            td_old_rev,
            f"2024.{day.month:02d}.{max(1, day.day - 2):02d}-{k.hexs(rng, 7)}",
            deploy_at - timedelta(days=2, hours=5),
        )
    )
    resources.append(
        taskdef(
            td_new,
            td_new_rev,
            f"2024.{day.month:02d}.{day.day:02d}-{k.hexs(rng, 7)}",
            deploy_at - timedelta(seconds=9),
        )
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": alb_arn,
                "DNSName": f"{alb_name}-{rng.randrange(10**9, 10**10)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z1GM3OXH4ZPM65",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": alb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc_id,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [{"ZoneName": AZS[n][0], "SubnetId": subnets[n]} for n in range(3)],
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
                "TargetGroupName": "reelhouse-web",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc_id,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        }
    )
    resources.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.large",
                "Engine": "mysql",
                "DBInstanceStatus": "available",
                "MasterUsername": "admin",
                "DBName": "bookings",
                "Endpoint": {
                    "Address": f"{db_id}.c{k.alnum(rng, 11, False)}.{REGION}.rds.amazonaws.com",
                    "Port": 3306,
                    "HostedZoneId": "Z32T0VRHXEXS0V",
                },
                "AllocatedStorage": 200,
                "InstanceCreateTime": k.iso(created),
                "PreferredBackupWindow": "15:30-16:00",
                "BackupRetentionPeriod": 7,
                "DBSecurityGroups": [],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": "reelhouse-mysql80", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": AZS[0][0],
                "PreferredMaintenanceWindow": "tue:16:30-tue:17:00",
                "PendingModifiedValues": {},
                "MultiAZ": True,
                "EngineVersion": "8.0.36",
                "AutoMinorVersionUpgrade": True,
                "ReadReplicaDBInstanceIdentifiers": [],
                "LicenseModel": "general-public-license",
                "StorageType": "gp3",
                "PubliclyAccessible": False,
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + k.alnum(rng, 26),
                "DBInstanceArn": f"arn:aws:rds:{REGION}:{account}:db:{db_id}",
                "DeletionProtection": True,
                "SecondaryAvailabilityZone": AZS[1][0],
                "TagList": k.tags({"service": "reelhouse", "env": "prod"}),
            },
        }
    )
    resources.append(
        k.log_group(account, REGION, lg, created + timedelta(days=3), 30, rng.randrange(10**9, 10**10))
    )
    resources.append(
        k.iam_role(
            account, "reelhouse-web-task", created, "ecs-tasks.amazonaws.com", "AROA" + k.alnum(rng, 17)
        )
    )

    # ----- events
    events: list[dict[str, Any]] = []
    events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": bad_node,
                "SourceType": "cache-cluster",
                "Message": "Recovering cache nodes 0001",
                "Date": k.iso(recovering_at),
            },
        }
    )
    events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": bad_node,
                "SourceType": "cache-cluster",
                "Message": "Finished recovery for cache nodes 0001",
                "Date": k.iso(back_at - timedelta(seconds=20)),
            },
        }
    )
    ecs_msgs = [
        (
            deploy_at + timedelta(seconds=20),
            f"(service {svc}) has started 6 tasks: " + " ".join(f"(task {x})" for x in new_tasks) + ".",
        ),
        (
            deploy_at + timedelta(minutes=1, seconds=40),
            f"(service {svc}) registered 6 targets in (target-group {tg_arn})",
        ),
        (
            deploy_at + timedelta(minutes=2, seconds=20),
            f"(service {svc}) has begun draining connections on 6 tasks.",
        ),
        (
            deploy_at + timedelta(minutes=2, seconds=21),
            f"(service {svc}) deregistered 6 targets in (target-group {tg_arn})",
        ),
        (
            deploy_at + timedelta(minutes=4, seconds=30),
            f"(service {svc}) has stopped 6 running tasks: "
            + " ".join(f"(task {x})" for x in old_tasks)
            + ".",
        ),
        (
            deploy_at + timedelta(minutes=5, seconds=12),
            f"(service {svc}, taskSet {dep_id}) has reached a steady state.",
        ),
        (deploy_at + timedelta(minutes=5, seconds=12), f"(deployment {dep_id}) deployment completed."),
        (now - timedelta(minutes=rng.randrange(2, 20)), f"(service {svc}) has reached a steady state."),
        (start + timedelta(minutes=rng.randrange(30, 90)), f"(service {svc}) has reached a steady state."),
    ]
    for when, msg in ecs_msgs:
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {"id": k.uid(rng), "createdAt": k.iso(when), "message": msg},
                },
            }
        )
    # target health: old targets healthy, replaced by new ones during the deploy
    for n in range(6):
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": old_ips[n], "Port": 8080, "AvailabilityZone": AZS[n % 3][0]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(start - timedelta(days=2)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": new_ips[n], "Port": 8080, "AvailabilityZone": AZS[n % 3][0]},
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": k.iso(deploy_at + timedelta(minutes=1, seconds=40)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": new_ips[n], "Port": 8080, "AvailabilityZone": AZS[n % 3][0]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(deploy_at + timedelta(minutes=2, seconds=5)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": old_ips[n], "Port": 8080, "AvailabilityZone": AZS[n % 3][0]},
                    "health": {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                    "timestamp": k.iso(deploy_at + timedelta(minutes=2, seconds=21)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": old_ips[n], "Port": 8080, "AvailabilityZone": AZS[n % 3][0]},
                    "health": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                    "timestamp": k.iso(deploy_at + timedelta(minutes=4, seconds=21)),
                },
            }
        )

    # ----- CloudTrail
    trail: list[dict[str, Any]] = []
    gha = k.role_session(
        rng,
        account,
        "gha-reelhouse-deploy",
        "GitHubActions",
        f"4.{rng.randrange(140, 250)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "aws-sdk-js/3.592.0 ua/2.1 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.14.0 api/ecs#3.592.0",
    )
    sam = k.sso_human(
        rng,
        account,
        REGION,
        "ReelhouseAdmin",
        "sam.keating@reelhouse.com.au",
        f"49.{rng.randrange(176, 199)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    jo = k.sso_human(
        rng,
        account,
        REGION,
        "ReelhouseDeveloper",
        "jo.nguyen@reelhouse.com.au",
        f"120.{rng.randrange(16, 31)}.{rng.randrange(256)}.{rng.randrange(256)}",
        console=False,
        ua="aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 "
        "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off "
        "md/command#ssm.put-parameter",
    )
    nr = k.role_session(
        rng,
        account,
        "NewRelicInfrastructure-Integrations",
        "NewRelicInfrastructure",
        "34.2.181.18",
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
    )
    ecs_service = k.aws_service(account, "ecs.amazonaws.com")
    ECS = "ecs.amazonaws.com"
    trail.append(
        k.ct(
            rng,
            gha,
            deploy_at - timedelta(seconds=9),
            ECS,
            "RegisterTaskDefinition",
            REGION,
            {
                "family": svc,
                "taskRoleArn": f"arn:aws:iam::{account}:role/reelhouse-web-task",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "containerDefinitions": [{"name": "web", "essential": True}],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": td_new,
                    "family": svc,
                    "revision": td_new_rev,
                    "status": "ACTIVE",
                }
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            gha,
            deploy_at,
            ECS,
            "UpdateService",
            REGION,
            {"cluster": cluster, "service": svc, "taskDefinition": td_new, "forceNewDeployment": False},
            {
                "service": {
                    "serviceArn": svc_arn,
                    "serviceName": svc,
                    "taskDefinition": td_new,
                    "desiredCount": 6,
                    "status": "ACTIVE",
                    "deployments": [{"id": dep_id, "status": "PRIMARY", "rolloutState": "IN_PROGRESS"}],
                }
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            gha,
            deploy_at + timedelta(seconds=20),
            ECS,
            "DescribeServices",
            REGION,
            {"cluster": cluster, "services": [svc]},
            None,
            read_only=True,
        )
    )
    for sec in (70, 130, 250, 320):
        trail.append(
            k.ct(
                rng,
                gha,
                deploy_at + timedelta(seconds=sec),
                ECS,
                "DescribeServices",
                REGION,
                {"cluster": cluster, "services": [svc]},
                None,
                read_only=True,
            )
        )
    for n in range(6):
        trail.append(
            k.ct(
                rng,
                ecs_service,
                deploy_at + timedelta(seconds=95 + n),
                "elasticloadbalancing.amazonaws.com",
                "RegisterTargets",
                REGION,
                {"targetGroupArn": tg_arn, "targets": [{"id": new_ips[n], "port": 8080}]},
                None,
            )
        )
    param_at = onset - timedelta(minutes=20 + rng.randrange(8))
    trail.append(
        k.ct(
            rng,
            jo,
            param_at,
            "ssm.amazonaws.com",
            "PutParameter",
            REGION,
            {
                "name": "/reelhouse/web/flags/candy-bar-upsell",
                "type": "String",
                "overwrite": True,
                "tier": "Standard",
            },
            {"version": 7 + rng.randrange(5), "tier": "Standard"},
        )
    )
    sg_at = onset + timedelta(minutes=3 + rng.randrange(10))
    trail.append(
        k.ct(
            rng,
            sam,
            sg_at,
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            REGION,
            {
                "groupId": sg_db,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 3306,
                            "toPort": 3306,
                            "ipRanges": {"items": [{"cidrIp": "10.62.90.0/24", "description": "bi-vpn"}]},
                        }
                    ]
                },
            },
            {
                "requestId": k.uid(rng),
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": account,
                            "groupId": sg_db,
                            "securityGroupRuleId": k.res_id(rng, "sgr"),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 3306,
                            "toPort": 3306,
                            "cidrIpv4": "10.62.90.0/24",
                            "description": "bi-vpn",
                        }
                    ]
                },
            },
        )
    )
    look = onset + timedelta(minutes=6, seconds=rng.randrange(120))
    trail.append(
        k.ct(
            rng,
            sam,
            look,
            "elasticache.amazonaws.com",
            "DescribeReplicationGroups",
            REGION,
            {"replicationGroupId": RG},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            rng,
            sam,
            look + timedelta(seconds=40),
            "elasticache.amazonaws.com",
            "DescribeEvents",
            REGION,
            {"duration": 60},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            rng,
            sam,
            look + timedelta(minutes=3),
            ECS,
            "DescribeServices",
            REGION,
            {"cluster": cluster, "services": [svc]},
            None,
            read_only=True,
        )
    )
    t = start + timedelta(minutes=rng.randrange(20))
    while t < now:
        r = rng.random()
        if r < 0.4:
            trail.append(
                k.ct(
                    rng,
                    nr,
                    t,
                    "monitoring.amazonaws.com",
                    "GetMetricData",
                    REGION,
                    {"startTime": k.iso(t - timedelta(minutes=5)), "endTime": k.iso(t)},
                    None,
                    read_only=True,
                )
            )
        elif r < 0.55:
            trail.append(
                k.ct(
                    rng,
                    nr,
                    t,
                    "elasticache.amazonaws.com",
                    "DescribeCacheClusters",
                    REGION,
                    {"showCacheNodeInfo": True, "maxRecords": 100},
                    None,
                    read_only=True,
                )
            )
        elif r < 0.75:
            trail.append(
                k.assume_role_by_service(
                    rng,
                    account,
                    REGION,
                    t,
                    "ecs-tasks.amazonaws.com",
                    f"arn:aws:iam::{account}:role/reelhouse-web-task",
                    rng.choice(old_tasks if t < deploy_at else new_tasks),
                )
            )
        elif r < 0.9:
            trail.append(
                k.ct(
                    rng,
                    nr,
                    t,
                    "rds.amazonaws.com",
                    "DescribeDBInstances",
                    REGION,
                    {"maxRecords": 100},
                    None,
                    read_only=True,
                )
            )
        else:
            trail.append(
                k.ct(
                    rng,
                    ecs_service,
                    t,
                    "ec2.amazonaws.com",
                    "DescribeNetworkInterfaces",
                    REGION,
                    {
                        "networkInterfaceIdSet": {},
                        "filterSet": {
                            "items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc_id}]}}]
                        },
                    },
                    None,
                    read_only=True,
                )
            )
        t += timedelta(minutes=8 + rng.randrange(14))
    trail = k.ct_sort([r for r in trail if r["eventTime"] <= k.iso(now)])

    local_q = (onset + timedelta(minutes=rng.randrange(3, 9))).astimezone(TZ)
    hh = local_q.hour - 12 if local_q.hour > 12 else local_q.hour
    question = (
        f"Box office says lots of customers got kicked back to the login page around {hh}:"
        f"{local_q.minute // 5 * 5:02d}pm, right in the middle of booking, and their held seats were gone. "
        "The 5xx alarm went off and then cleared on its own. What happened, and is it still going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": alarm_ev, "timezone": "Australia/Sydney"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad_node,
                    "category": "component_failure",
                    "failure_mode": "cache-node-failure-no-replica",
                    "event_id": None,
                },
                "also_accept": [
                    f"arn:aws:elasticache:{REGION}:{account}:cluster:{bad_node}",
                    f"{bad_node}.{RG}.{host_sfx}.apse2.cache.amazonaws.com",
                    node_ips[bad_shard - 1],
                ],
                "actions": ["reconfigure"],
                "chain": [
                    f"{bad_node}, the only node of shard 000{bad_shard} of {RG} (no replicas), fails and is replaced",
                    f"requests whose session or seat-hold keys hash to slots {slots[bad_shard - 1]} time out for ~10 "
                    f"minutes; {svc} answers 500",
                    "the replacement node comes back empty: those sessions and seat holds are gone",
                    f"about a third of logged-in customers are redirected to /login and lose held seats on {alb_name}",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )
