"""ElastiCache replaced driver-geo's primary; dispatch-api kept writing to the old node, now a replica."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzo as kit

NAME = "driver-geo-failover-readonly-writes"
TITLE = "Riders see drivers in the wrong place on the map; dispatch-api 5xx alarm"
SUMMARY = (
    "A node failure failed driver-geo over; dispatch-api's pooled connections kept hitting the demoted node."
)


def build(seed: int) -> Bundle:
    c = kit.Ctx(seed, NAME, 10, 20)
    r = c.rng
    fo = c.onset
    recovered = fo + timedelta(minutes=r.randint(7, 12))
    old, new = f"{c.redis}-001", f"{c.redis}-002"

    def after(t: datetime) -> bool:
        return t >= fo

    writes = r.uniform(0.28, 0.4)
    hooks: dict[str, kit.Hook] = {
        "redis0_master": lambda t, v: None if fo <= t < recovered else (0.0 if after(t) else v),
        "redis1_master": lambda t, v: 1.0 if after(t) else v,
        "redis0_cpu": lambda t, v: None if fo <= t < recovered else (v * 0.7 if after(t) else v),
        "redis1_cpu": lambda t, v: 4.0 + r.uniform(0, 1.5) if after(t) else v,
        "redis0_conn": lambda t, v: None if fo <= t < recovered else v,
        "redis1_conn": lambda t, v: v + (6 if after(t) else 0),
        "redis0_geo": lambda t, v: None if fo <= t < recovered else (v * (1 - writes) if after(t) else v),
        "redis1_geo": lambda t, v: v + r.uniform(0, 30) if after(t) else v,
        "redis0_mem": lambda t, v: None if fo <= t < recovered else v,
        "alb_5xx": lambda t, v: (
            v
            + (0 if t < recovered else r.randint(900, 1600))
            + (r.randint(40, 200) if fo <= t < recovered else 0)
        ),
        "alb_latency": lambda t, v: v * 3 if fo <= t < recovered else v,
    }
    kit.base(c, hooks)
    # ReplicationLag belongs to the replica: once demoted the old node reports it, the new primary stops
    mets = c.records["metrics"]
    c.records["metrics"] = [
        m
        for m in mets
        if not (
            m["metric"] == "ReplicationLag"
            and m["dimensions"]["CacheClusterId"] == new
            and m["timestamp"] >= kit.iso(fo)
        )
    ]
    t = recovered
    while t <= c.now:
        c.metric(
            "AWS/ElastiCache",
            "ReplicationLag",
            {"CacheClusterId": old, "CacheNodeId": "0001"},
            t,
            r.uniform(0, 0.03),
            "Seconds",
        )
        t += timedelta(minutes=1)
    for rec in c.records["resources"]:
        if rec["type"] == "ReplicationGroup":
            for m in rec["item"]["NodeGroups"][0]["NodeGroupMembers"]:
                m["CurrentRole"] = "replica" if m["CacheClusterId"] == old else "primary"
    for when, src, typ, msg in (
        (
            fo + timedelta(seconds=r.randint(20, 60)),
            c.redis,
            "replication-group",
            f"Failover to replica node {new} completed",
        ),
        (
            fo + timedelta(seconds=r.randint(61, 90)),
            c.redis,
            "replication-group",
            f"Failover from primary node {old} to replica node {new} completed",
        ),
        (fo + timedelta(minutes=2), old, "cache-cluster", "Recovering cache nodes 0001"),
        (recovered, old, "cache-cluster", "Finished recovery for cache nodes 0001"),
        (
            c.start + timedelta(minutes=r.randint(10, 40)),
            c.redis,
            "replication-group",
            "Automatic snapshot completed",
        ),
    ):
        c.event(
            "elasticache", {"SourceIdentifier": src, "SourceType": typ, "Message": msg, "Date": kit.iso(when)}
        )

    tasks = [kit.task_id(c) for _ in range(12)]
    for tk in tasks:
        kit.api_request_logs(c, tk, c.start, c.now, 140)
    host = f"master.{c.redis}.{c.redis_suffix}.cache.amazonaws.com"
    old_ip = f"10.40.{r.randint(1, 40)}.{r.randint(10, 250)}"
    for tk in tasks:
        t = fo + timedelta(seconds=r.randint(1, 8))
        s = f"ecs/dispatch-api/{tk}"
        c.log(
            "/ecs/dispatch-api",
            s,
            t,
            f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{r.randint(0, 999):03d}Z  INFO 1 --- "
            f"[xecutorLoop-1-3] i.l.core.protocol.ConnectionWatchdog     : Reconnecting, last destination was "
            f"{host}/{old_ip}:6379",
        )
        t += timedelta(seconds=r.randint(10, 20))
        while t < recovered:
            c.log(
                "/ecs/dispatch-api",
                s,
                t,
                f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{r.randint(0, 999):03d}Z  WARN 1 "
                "--- [ioEventLoop-4-1] i.l.core.protocol.ConnectionWatchdog     : Cannot reconnect to "
                f"[{host}/<unresolved>:6379]: connection timed out: {host}/{old_ip}:6379",
            )
            t += timedelta(seconds=r.randint(30, 60))
        t2 = recovered + timedelta(seconds=r.randint(5, 25))
        c.log(
            "/ecs/dispatch-api",
            s,
            t2,
            f"{t2.strftime('%Y-%m-%dT%H:%M:%S')}.{r.randint(0, 999):03d}Z  INFO 1 "
            "--- [ioEventLoop-4-2] i.l.core.protocol.ReconnectionHandler   : Reconnected to "
            f"{host}/<unresolved>:6379",
        )
        t = recovered + timedelta(seconds=r.randint(0, 30))
        while t < c.now:
            c.log(
                "/ecs/dispatch-api",
                s,
                t,
                f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{r.randint(0, 999):03d}Z ERROR 1 --- [http-nio-8080-exec-"
                f"{r.randint(1, 64)}] c.r.dispatch.geo.DriverLocationController : location update failed "
                f"driver={c.hex(10)}\n"
                "org.springframework.data.redis.RedisSystemException: Error in execution\n"
                "\tat org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter.convert("
                "LettuceExceptionConverter.java:52)\n"
                "Caused by: io.lettuce.core.RedisReadOnlyException: READONLY You can't write against a read "
                "only replica.\n\tat io.lettuce.core.internal.ExceptionFactory.createExecutionException("
                "ExceptionFactory.java:144)",
            )
            t += timedelta(seconds=r.randint(6, 25))
    t = c.onset - timedelta(minutes=r.randint(60, 120))
    who = c.user(r.choice(c.people))
    c.ct(
        t,
        "rds.amazonaws.com",
        "ModifyDBCluster",
        who,
        {"dBClusterIdentifier": c.db, "backupRetentionPeriod": 14, "applyImmediately": True},
        {"dBClusterIdentifier": c.db, "status": "available", "backupRetentionPeriod": 14},
        False,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    )
    # someone looking at it after the page
    for k in range(3):
        c.ct(
            c.now - timedelta(minutes=12 - 4 * k),
            "elasticache.amazonaws.com",
            "DescribeReplicationGroups",
            who,
            {"replicationGroupId": c.redis},
            None,
            True,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
        )

    lb = {"LoadBalancer": c.lb_suffix}
    first = recovered + timedelta(minutes=r.randint(2, 4))
    a = c.alarm(
        "dispatch-alb-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb,
        "Sum",
        60,
        3,
        100.0,
        "GreaterThanThreshold",
        "ALARM",
        first,
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (100.0).",
        "5xx returned by dispatch-api targets",
        "notBreaching",
    )
    c.history(
        a,
        fo + timedelta(minutes=3),
        "OK",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (100.0).",
    )
    c.history(
        a,
        fo + timedelta(minutes=6),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (100.0).",
    )
    c.history(a, first, "OK", "ALARM", a["StateReason"])
    g = c.alarm(
        "driver-geo-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": old, "CacheNodeId": "0001"},
        "Average",
        300,
        3,
        70.0,
        "GreaterThanThreshold",
        "INSUFFICIENT_DATA",
        fo + timedelta(minutes=5),
        "Insufficient Data: 1 datapoint was unknown.",
        "geo index CPU",
    )
    c.history(g, fo + timedelta(minutes=5), "OK", "INSUFFICIENT_DATA", g["StateReason"])
    c.alarm(
        "rides-aurora-writer-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": f"{c.db}-1"},
        "Average",
        300,
        2,
        45.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=1),
        "Threshold Crossed: 2 datapoints were not greater than the threshold (45.0).",
        "writer CPU",
    )
    q = (
        f"riders are reporting drivers showing up blocks away from where they really are and offers going to "
        f"drivers who already left, since around {kit.local_clock(c, recovered)}. we didn't ship anything today"
    )
    return c.bundle(
        TITLE,
        {
            "question": q,
            "timezone": kit.ZONES[c.region],
            "alarm_event": c.alarm_event(a, first, a["StateReason"]),
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": c.redis,
                "category": "system_change",
                "failure_mode": "cache-primary-failover-stale-client-connections",
            },
            "also_accept": [old, f"arn:aws:elasticache:{c.region}:{c.account}:replicationgroup:{c.redis}"],
            "actions": ["restart", "reconfigure"],
            "chain": [old, c.redis, "dispatch-api", "dispatch-alb"],
        },
    )
