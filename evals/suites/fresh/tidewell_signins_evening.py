"""Tidewell (leisure-centre bookings): sign-ins start failing in the evening peak."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zx as k

NAME = "tidewell-signins-evening"
TITLE = "tidewell-accounts-api target 5xx alarm in the evening; members can't sign in"
SUMMARY = (
    "A Redis parameter-group edit made in the afternoon stops evictions; hours later the session "
    "cache fills and session writes fail with OOM, so sign-ins return 500."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = "".join(rng.choice("0123456789") for _ in range(12)).replace("0", "4", 1)
    region = rng.choice(["eu-west-2", "eu-west-1", "eu-central-1"])
    net = k.Net(rng, account, region, rng.choice([20, 32, 48]))
    day = k.pick_day(rng)
    onset = day + timedelta(hours=18, minutes=rng.randrange(20, 50))
    change_at = onset - timedelta(hours=4, minutes=rng.randrange(5, 50))
    start = onset - timedelta(days=1, hours=3)
    now = onset + timedelta(minutes=rng.randrange(36, 52))
    fine = onset - timedelta(hours=3, minutes=10)
    pts = k.times(start, now, fine)
    scale = rng.uniform(0.8, 1.3)

    rg = "tidewell-sessions"
    pg = "tidewell-sessions-redis7"
    nodes = [f"{rg}-001", f"{rg}-002"]
    cluster = "tidewell-prod"
    api = "tidewell-accounts-api"
    web = "tidewell-web"
    aurora = "tidewell-core"
    db_insts = [f"{aurora}-instance-1", f"{aurora}-instance-2"]
    topic = f"arn:aws:sns:{region}:{account}:tidewell-oncall"

    sg_alb, sg_api, sg_redis, sg_db = ("sg-" + k.hexid(rng, 17) for _ in range(4))
    res: list[dict[str, Any]] = []
    alb_res, _lb_arn, tg_arn, lb_dim, tg_dim = k.alb_resources(
        net, rng, "tidewell-public", "tidewell-accounts-api", sg_alb, day - timedelta(days=400), 8080
    )
    res += alb_res
    res.append(k.security_group(net, sg_alb, "tidewell-public-alb", "public ALB", 443, None))
    res.append(k.security_group(net, sg_api, "tidewell-accounts-api", "accounts api tasks", 8080, sg_alb))
    res.append(k.security_group(net, sg_redis, "tidewell-sessions-redis", "session cache", 6379, sg_api))
    res.append(k.security_group(net, sg_db, "tidewell-core-aurora", "core db", 5432, sg_api))

    # --- timeline of changes ---
    deploy_at = onset - timedelta(minutes=rng.randrange(17, 26))
    old_rev = rng.randrange(140, 230)
    old_tasks = [k.task_id(rng) for _ in range(3)]
    new_tasks = [k.task_id(rng) for _ in range(3)]
    task_ips = {t: net.ip(rng, i % 3) for i, t in enumerate(old_tasks + new_tasks)}
    swap_at = deploy_at + timedelta(minutes=3)

    def tasks_at(t: datetime) -> list[str]:
        return new_tasks if t >= swap_at else old_tasks

    svc_events = [
        (
            deploy_at + timedelta(seconds=40),
            f"(service {api}) has started 3 tasks: " + " ".join(f"(task {t})." for t in new_tasks),
        ),
        (
            deploy_at + timedelta(minutes=2, seconds=50),
            f"(service {api}) registered 3 targets in (target-group {tg_arn})",
        ),
        (
            deploy_at + timedelta(minutes=4, seconds=10),
            f"(service {api}) has begun draining connections on 3 tasks.",
        ),
        (
            deploy_at + timedelta(minutes=4, seconds=12),
            f"(service {api}) deregistered 3 targets in (target-group {tg_arn})",
        ),
        (
            deploy_at + timedelta(minutes=5, seconds=30),
            f"(service {api}) has stopped 3 running tasks: " + " ".join(f"(task {t})." for t in old_tasks),
        ),
        (
            deploy_at + timedelta(minutes=6, seconds=40),
            f"(service {api}) deployment ecs-svc/{rng.randrange(10**18, 10**19)} completed.",
        ),
        (deploy_at + timedelta(minutes=6, seconds=41), f"(service {api}) has reached a steady state."),
    ]
    for h in range(6, 48, 6):
        t = deploy_at - timedelta(hours=h)
        if t > start:
            svc_events.append((t, f"(service {api}) has reached a steady state."))
    res += k.ecs_service(
        net,
        cluster,
        api,
        api,
        old_rev + 1,
        3,
        tg_arn,
        8080,
        sg_api,
        day - timedelta(days=380),
        deploy_at,
        rng,
        svc_events,
    )
    web_events = [
        (onset - timedelta(hours=h), f"(service {web}) has reached a steady state.") for h in (2, 8, 14, 20)
    ]
    res += k.ecs_service(
        net,
        cluster,
        web,
        web,
        rng.randrange(300, 420),
        2,
        None,
        3000,
        sg_api,
        day - timedelta(days=380),
        day - timedelta(days=3, hours=4),
        rng,
        web_events,
    )
    res.append(k.ecs_cluster(net, cluster, 4, 9))

    # --- ElastiCache ---
    rg_arn = f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rg}"
    prim_ep = f"master.{rg}.{k.alnum(rng, 6, False)}.{region[:2]}{region.split('-')[1][0]}{region[-1]}.cache.amazonaws.com"
    suffix = prim_ep.split(".")[2]
    res.append(
        {
            "service": "elasticache",
            "type": "ReplicationGroup",
            "item": {
                "ReplicationGroupId": rg,
                "Description": "member sessions and auth rate limits",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": nodes,
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {"Address": prim_ep, "Port": 6379},
                        "ReaderEndpoint": {"Address": prim_ep.replace("master.", "replica."), "Port": 6379},
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": n,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {
                                    "Address": f"{n}.{suffix}.{'.'.join(prim_ep.split('.')[3:])}",
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": net.azs[i],
                                "CurrentRole": "primary" if i == 0 else "replica",
                            }
                            for i, n in enumerate(nodes)
                        ],
                    }
                ],
                "SnapshottingClusterId": nodes[1],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 3,
                "SnapshotWindow": "02:30-03:30",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r6g.large",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": rg_arn,
                "ReplicationGroupCreateTime": k.iso_ms(day - timedelta(days=510)),
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "TransitEncryptionMode": "required",
                "ClusterMode": "disabled",
                "Engine": "redis",
            },
        }
    )
    for i, n in enumerate(nodes):
        res.append(
            {
                "service": "elasticache",
                "type": "CacheCluster",
                "item": {
                    "CacheClusterId": n,
                    "CacheNodeType": "cache.r6g.large",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": net.azs[i],
                    "CacheClusterCreateTime": k.iso_ms(day - timedelta(days=510)),
                    "PreferredMaintenanceWindow": "sun:04:00-sun:05:00",
                    "PendingModifiedValues": {},
                    "CacheSecurityGroups": [],
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": pg,
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": "tidewell-private-cache",
                    "AutoMinorVersionUpgrade": True,
                    "SecurityGroups": [{"SecurityGroupId": sg_redis, "Status": "active"}],
                    "ReplicationGroupId": rg,
                    "SnapshotRetentionLimit": 3 if i == 1 else 0,
                    "SnapshotWindow": "02:30-03:30",
                    "AuthTokenEnabled": False,
                    "TransitEncryptionEnabled": True,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{region}:{account}:cluster:{n}",
                    "ReplicationGroupLogDeliveryEnabled": False,
                    "NetworkType": "ipv4",
                    "IpDiscovery": "ipv4",
                    "TransitEncryptionMode": "required",
                },
            }
        )
    res.append(
        {
            "service": "elasticache",
            "type": "CacheParameterGroup",
            "item": {
                "CacheParameterGroupName": pg,
                "CacheParameterGroupFamily": "redis7",
                "Description": "tidewell sessions",
                "IsGlobal": False,
                "ARN": f"arn:aws:elasticache:{region}:{account}:parametergroup:{pg}",
            },
        }
    )
    params = [
        (
            "maxmemory-policy",
            "noeviction",
            "string",
            "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
            "Max memory policy.",
        ),
        (
            "reserved-memory-percent",
            "25",
            "integer",
            "0-100",
            "The percent of memory to reserve for non-cache memory usage. You may want to increase this parameter for nodes with read replicas, AOF enabled, etc, to reduce swap usage.",
        ),
        (
            "timeout",
            "300",
            "integer",
            "0,20-",
            "Close connection if client is idle for a given number of seconds, or never if 0.",
        ),
        (
            "notify-keyspace-events",
            "",
            "string",
            None,
            "The keyspace events for Redis to notify Pub/Sub clients about. By default all notifications are disabled",
        ),
        ("maxmemory-samples", "3", "integer", "1-", "Max memory samples."),
    ]
    for pname, val, dt, allowed, desc in params:
        item: dict[str, Any] = {
            "CacheParameterGroupName": pg,
            "ParameterName": pname,
            "ParameterValue": val,
            "Description": desc,
            "Source": "user" if pname in ("maxmemory-policy", "timeout") else "system",
            "DataType": dt,
            "IsModifiable": True,
            "MinimumEngineVersion": "7.0.0",
            "ChangeType": "immediate",
        }
        if allowed:
            item["AllowedValues"] = allowed
        res.append({"service": "elasticache", "type": "CacheParameterGroupParameter", "item": item})

    # --- Aurora ---
    res.append(
        {
            "service": "rds",
            "type": "DBCluster",
            "item": {
                "DBClusterIdentifier": aurora,
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.5",
                "Status": "available",
                "MultiAZ": True,
                "Endpoint": f"{aurora}.cluster-{k.alnum(rng, 12, False)}.{region}.rds.amazonaws.com",
                "Port": 5432,
                "MasterUsername": "tidewell_admin",
                "DatabaseName": "tidewell",
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": dbi,
                        "IsClusterWriter": i == 0,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    }
                    for i, dbi in enumerate(db_insts)
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBClusterArn": f"arn:aws:rds:{region}:{account}:cluster:{aurora}",
                "StorageEncrypted": True,
                "ClusterCreateTime": k.iso_ms(day - timedelta(days=700)),
                "BackupRetentionPeriod": 7,
                "PreferredBackupWindow": "01:10-01:40",
                "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
                "DBClusterParameterGroup": "tidewell-aurora-pg15",
                "DBSubnetGroup": "tidewell-private-db",
            },
        }
    )
    for i, dbi in enumerate(db_insts):
        res.append(
            {
                "service": "rds",
                "type": "DBInstance",
                "item": {
                    "DBInstanceIdentifier": dbi,
                    "DBInstanceClass": "db.r6g.xlarge",
                    "Engine": "aurora-postgresql",
                    "EngineVersion": "15.5",
                    "DBInstanceStatus": "available",
                    "DBClusterIdentifier": aurora,
                    "AvailabilityZone": net.azs[i],
                    "MultiAZ": False,
                    "PubliclyAccessible": False,
                    "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{dbi}",
                    "StorageEncrypted": True,
                    "InstanceCreateTime": k.iso_ms(day - timedelta(days=700)),
                    "PromotionTier": 1,
                    "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                    "PerformanceInsightsEnabled": True,
                },
            }
        )

    # --- traffic model ---
    def traffic(t: datetime) -> float:  # requests/minute at the ALB for the accounts api
        return 2400 * scale * k.diurnal(t, 18.5, 0.08)

    def raw_mem(t: datetime) -> float:
        d = k.diurnal(t - timedelta(minutes=50), 18.5, 0.0)
        day_bump = 1.0 + (0.04 if t < day else 0.0)
        return 58 + 46 * d * day_bump

    # calibrate: today's curve crosses 100 at the onset
    shift = 100 - raw_mem(onset)

    def mem_raw(t: datetime) -> float:
        return raw_mem(t) + shift

    nz = random.Random(f"{NAME}:{seed}:noise")

    def mem_pct(t: datetime) -> float:
        r = mem_raw(t)
        return min(r, 99.2 + nz.random() * 0.75) if r >= 99.2 else r + nz.gauss(0, 0.15)

    def evictions(t: datetime, period: int) -> float:
        if t >= change_at:
            return 0.0
        r = mem_raw(t)
        if r < 99.0:
            return 0.0
        return round((r - 99.0) * 38 * scale * (period / 60) * nz.uniform(0.7, 1.3))

    def full(t: datetime) -> bool:
        return t >= onset and mem_raw(t) >= 99.2

    def err_frac(t: datetime) -> float:
        if not full(t):
            return 0.0
        return min(0.16, 0.05 + 0.01 * (t - onset).total_seconds() / 60) * nz.uniform(0.85, 1.15)

    m: list[dict[str, Any]] = []
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    req_cache: dict[datetime, float] = {}

    def req(t: datetime, p: int) -> float:
        if t not in req_cache:
            req_cache[t] = round(traffic(t) * p / 60 * nz.uniform(0.92, 1.08))
        return req_cache[t]

    five: list[tuple[datetime, float]] = []

    def t5xx(t: datetime, p: int) -> float | None:
        base = 1.0 if nz.random() < 0.04 * p / 60 else 0.0
        v = round(req(t, p) * err_frac(t)) + base
        if p == 60:
            five.append((t, v))
        return v if v > 0 else None

    m += k.series("AWS/ApplicationELB", "RequestCount", tgd, "Count", pts, req, "sum")
    m += k.series("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, "Count", pts, t5xx, "sum")
    m += k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        pts,
        lambda t, p: round(req(t, p) * (0.93 - err_frac(t))),
        "sum",
    )
    m += k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tgd,
        "Count",
        pts,
        lambda t, p: round(req(t, p) * 0.06),
        "sum",
    )
    m += k.series("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", pts, lambda t, p: 3.0)
    m += k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", pts, lambda t, p: 0.0)
    m += k.latency_dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        pts,
        lambda t, p: (0.038 * (1 + 0.3 * k.diurnal(t, 18.5, 0)), 1.0, req(t, p)),
        nz,
    )
    for svc, cpu in ((api, 22.0), (web, 14.0)):
        d = {"ClusterName": cluster, "ServiceName": svc}
        m += k.series(
            "AWS/ECS",
            "CPUUtilization",
            d,
            "Percent",
            pts,
            lambda t, p, c=cpu: c * (0.4 + 0.9 * k.diurnal(t, 18.5, 0.1)) + nz.gauss(0, 1.5),
            "stat",
        )
        m += k.series(
            "AWS/ECS",
            "MemoryUtilization",
            d,
            "Percent",
            pts,
            lambda t, p, c=cpu: 31 + c * 0.2 + nz.gauss(0, 0.6),
            "stat",
        )
    for i, n in enumerate(nodes):
        d = {"CacheClusterId": n, "CacheNodeId": "0001"}
        m += k.series(
            "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", d, "Percent", pts, lambda t, p: mem_pct(t)
        )
        m += k.series(
            "AWS/ElastiCache",
            "Evictions",
            d,
            "Count",
            pts,
            lambda t, p, i=i: evictions(t, p) if i == 0 else 0.0,
            "sum",
        )
        m += k.series(
            "AWS/ElastiCache",
            "CurrItems",
            d,
            "Count",
            pts,
            lambda t, p: round(mem_raw(t) if mem_raw(t) < 99.2 else 99.2 + nz.random() * 0.5) * 2150 * scale,
        )
        m += k.series(
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            d,
            "Percent",
            pts,
            lambda t, p, i=i: (9 if i == 0 else 3) * (0.3 + k.diurnal(t, 18.5, 0.1)) + nz.gauss(0, 0.4),
            "stat",
        )
        m += k.series(
            "AWS/ElastiCache",
            "CPUUtilization",
            d,
            "Percent",
            pts,
            lambda t, p: 4 + 3 * k.diurnal(t, 18.5, 0.1) + nz.gauss(0, 0.3),
            "stat",
        )
        m += k.series(
            "AWS/ElastiCache",
            "CurrConnections",
            d,
            "Count",
            pts,
            lambda t, p, i=i: float((96 if i == 0 else 12) + nz.randrange(-3, 4)),
        )
        if i == 1:
            m += k.series(
                "AWS/ElastiCache",
                "ReplicationLag",
                d,
                "Seconds",
                pts,
                lambda t, p: round(abs(nz.gauss(0.01, 0.01)), 3),
            )
    for i, dbi in enumerate(db_insts):
        dd = {"DBInstanceIdentifier": dbi}
        m += k.series(
            "AWS/RDS",
            "CPUUtilization",
            dd,
            "Percent",
            pts,
            lambda t, p, i=i: (24 if i == 0 else 15) * (0.35 + k.diurnal(t, 18.5, 0.1)) + nz.gauss(0, 1.2),
            "stat",
        )
        m += k.series(
            "AWS/RDS",
            "DatabaseConnections",
            dd,
            "Count",
            pts,
            lambda t, p, i=i: float((58 if i == 0 else 34) + nz.randrange(-4, 5)),
            "stat",
        )

    # --- alarm ---
    alarm_name = "tidewell-accounts-api-target-5xx"
    idx = k.first_run(five, 25, 3)
    assert idx is not None
    stamps = [five[j][0] for j in range(idx - 2, idx + 1)]
    vals = [five[j][1] for j in range(idx - 2, idx + 1)]
    fire_at = stamps[-1] + timedelta(seconds=60 + rng.randrange(15, 40))
    reason, rdata = k.threshold_reason(vals, stamps, 25, "greater than", 60, "Sum")
    alarm = k.metric_alarm(
        account,
        region,
        alarm_name,
        "Accounts API 5xx from targets. Runbook: wiki/TW/oncall/accounts-api",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        3,
        25,
        "GreaterThanThreshold",
        "ALARM",
        fire_at,
        reason,
        rdata,
        topic,
        treat_missing="notBreaching",
    )
    alarms = [alarm]
    oks = [
        (
            "tidewell-core-writer-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_insts[0]},
            "Average",
            300,
            3,
            80.0,
        ),
        (
            "tidewell-sessions-engine-cpu",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            {"CacheClusterId": nodes[0], "CacheNodeId": "0001"},
            "Average",
            300,
            3,
            70.0,
        ),
        ("tidewell-public-elb-5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lbd, "Sum", 60, 5, 50.0),
        (
            "tidewell-accounts-api-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            3,
            0.0,
        ),
    ]
    for nm, ns, met, dims, st, per, ev, th in oks:
        alarms.append(
            k.ok_alarm(
                account,
                region,
                nm,
                "",
                ns,
                met,
                dims,
                st,
                per,
                ev,
                th,
                "GreaterThanThreshold",
                start - timedelta(days=rng.randrange(3, 40)),
                topic,
            )
        )
    hist = [
        k.state_update(alarm, fire_at, "OK", "ALARM", reason, rdata),
        k.action_item(alarm, fire_at, topic),
    ]
    trig_event = k.alarm_event(alarm, account, region, fire_at, reason, rdata, rng)

    # --- logs ---
    logs: list[dict[str, Any]] = []
    log_from = onset - timedelta(hours=5)
    t = log_from
    paths = [
        ("GET", "/v1/me", 200),
        ("GET", "/v1/bookings", 200),
        ("POST", "/v1/sessions", 201),
        ("POST", "/v1/sessions/refresh", 200),
        ("GET", "/v1/centres/{id}/timetable", 200),
        ("POST", "/v1/bookings", 201),
        ("DELETE", "/v1/sessions", 204),
    ]
    while t < now:
        for tk in tasks_at(t):
            stream = f"ecs/{api}/{tk}"
            for _ in range(2):
                ts = t + timedelta(milliseconds=nz.randrange(0, 59000))
                meth, path, code = nz.choice(paths)
                line: dict[str, Any] = {
                    "level": 30,
                    "time": k.ms(ts),
                    "pid": 1,
                    "hostname": f"ip-{task_ips[tk].replace('.', '-')}.{region}.compute.internal",
                    "reqId": f"req-{nz.randrange(1, 99999):x}",
                    "req": {"method": meth, "url": path},
                    "res": {"statusCode": code},
                    "responseTime": round(nz.uniform(8, 90), 1),
                    "msg": "request completed",
                }
                if full(ts) and path.startswith("/v1/sessions") and meth == "POST":
                    line = {
                        "level": 50,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": line["hostname"],
                        "reqId": line["reqId"],
                        "err": {
                            "type": "ReplyError",
                            "message": "OOM command not allowed when used memory > 'maxmemory'.",
                            "stack": "ReplyError: OOM command not allowed when used memory > 'maxmemory'.\n    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)",
                            "command": {
                                "name": "set",
                                "args": ["sess:<redacted>", "<redacted>", "EX", "43200"],
                            },
                        },
                        "msg": "session store write failed",
                    }
                    logs.append(
                        {
                            "log_group": f"/ecs/{api}",
                            "log_stream": stream,
                            "timestamp": k.ms(ts),
                            "message": json.dumps(line),
                        }
                    )
                    line = {
                        "level": 50,
                        "time": k.ms(ts) + 2,
                        "pid": 1,
                        "hostname": line["hostname"],
                        "reqId": line["reqId"],
                        "req": {"method": meth, "url": path},
                        "res": {"statusCode": 500},
                        "responseTime": round(nz.uniform(3, 9), 1),
                        "msg": "request errored",
                    }
                elif full(ts) and nz.random() < 0.35:
                    line = {
                        "level": 40,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": line["hostname"],
                        "msg": "rate limiter unavailable, allowing request",
                        "err": {
                            "type": "ReplyError",
                            "message": "OOM command not allowed when used memory > 'maxmemory'.",
                        },
                    }
                logs.append(
                    {
                        "log_group": f"/ecs/{api}",
                        "log_stream": stream,
                        "timestamp": int(line["time"]),
                        "message": json.dumps(line),
                    }
                )
            if nz.random() < 0.02:
                ts = t + timedelta(seconds=nz.randrange(60))
                logs.append(
                    {
                        "log_group": f"/ecs/{api}",
                        "log_stream": stream,
                        "timestamp": k.ms(ts),
                        "message": json.dumps(
                            {
                                "level": 40,
                                "time": k.ms(ts),
                                "pid": 1,
                                "msg": "slow query",
                                "durationMs": nz.randrange(420, 900),
                                "query": "select * from bookings where member_id = $1 and starts_at > now() order by starts_at",
                            }
                        ),
                    }
                )
        if nz.random() < 0.03:
            ts = t + timedelta(seconds=nz.randrange(60))
            logs.append(
                {
                    "log_group": f"/ecs/{web}",
                    "log_stream": f"ecs/{web}/{k.hexid(nz, 32)}",
                    "timestamp": k.ms(ts),
                    "message": f"[next] warn  - Fetch to https://cms.tidewell.co.uk/api/pages took {nz.randrange(2100, 4200)}ms",
                }
            )
        t += timedelta(minutes=1)
    for tk in new_tasks:
        ts = swap_at - timedelta(minutes=2, seconds=nz.randrange(10, 40))
        logs.append(
            {
                "log_group": f"/ecs/{api}",
                "log_stream": f"ecs/{api}/{tk}",
                "timestamp": k.ms(ts),
                "message": json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(ts),
                        "pid": 1,
                        "msg": "redis connected",
                        "host": prim_ep,
                        "tls": True,
                    }
                ),
            }
        )
        logs.append(
            {
                "log_group": f"/ecs/{api}",
                "log_stream": f"ecs/{api}/{tk}",
                "timestamp": k.ms(ts) + 900,
                "message": json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(ts) + 900,
                        "pid": 1,
                        "msg": f"accounts-api v{old_rev // 10}.{old_rev % 10}.{nz.randrange(0, 9)} listening on :8080",
                    }
                ),
            }
        )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # --- target health ---
    events: list[dict[str, Any]] = []
    for tk in new_tasks:
        tgt = {"Id": task_ips[tk], "Port": 8080, "AvailabilityZone": net.azs[new_tasks.index(tk)]}
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
                    "timestamp": k.iso(deploy_at + timedelta(minutes=2, seconds=50)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(swap_at + timedelta(seconds=20)),
                },
            }
        )

    # --- CloudTrail ---
    tr = k.Trail(rng, account, region)
    ci = tr.role("github-actions-deploy", f"GitHubActions-{rng.randrange(10**9, 10**10)}")
    owen = tr.sso(rng.choice(["owen.bright", "kemi.adeyemi", "luca.ferri"]), "PlatformEngineer")
    mira = tr.sso(rng.choice(["mira.shah", "tom.aldous", "zofia.nowak"]), "ReadOnly")
    dana = tr.sso(rng.choice(["dana.cole", "sam.whitlow"]), "AWSAdministratorAccess")
    ip1, ip2, ip3 = k.public_ip(rng), k.public_ip(rng), k.public_ip(rng)
    ecs_src = "ecs.amazonaws.com"
    # the edit
    tr.add(
        change_at - timedelta(minutes=3),
        owen,
        "elasticache.amazonaws.com",
        "DescribeCacheParameters",
        {"cacheParameterGroupName": pg, "source": "user"},
        None,
        read_only=True,
        ip=ip1,
        agent=k.CONSOLE_UA,
    )
    culprit = tr.add(
        change_at,
        owen,
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        {
            "cacheParameterGroupName": pg,
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "noeviction"}],
        },
        {"cacheParameterGroupName": pg},
        ip=ip1,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        change_at + timedelta(minutes=1),
        owen,
        "elasticache.amazonaws.com",
        "DescribeReplicationGroups",
        {"replicationGroupId": rg},
        None,
        read_only=True,
        ip=ip1,
        agent=k.CONSOLE_UA,
    )
    # innocent: deploy of the api
    tr.add(
        deploy_at - timedelta(seconds=20),
        ci,
        ecs_src,
        "RegisterTaskDefinition",
        {
            "family": api,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": api,
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{api}:{k.hexid(rng, 7)}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                }
            ],
        },
        {
            "taskDefinition": {
                "family": api,
                "revision": old_rev + 1,
                "status": "ACTIVE",
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{api}:{old_rev + 1}",
            }
        },
        ip=f"20.{rng.randrange(20, 250)}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}",
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.11.1 api/ecs#3.540.0",
    )
    tr.add(
        deploy_at,
        ci,
        ecs_src,
        "UpdateService",
        {
            "cluster": cluster,
            "service": api,
            "taskDefinition": f"{api}:{old_rev + 1}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": api,
                "desiredCount": 3,
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{api}:{old_rev + 1}",
            }
        },
        ip=f"20.{rng.randrange(20, 250)}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}",
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.11.1 api/ecs#3.540.0",
    )
    # innocent: log retention and a web scheduled-scaling tweak
    tr.add(
        onset - timedelta(minutes=rng.randrange(4, 12)),
        dana,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": f"/ecs/{web}", "retentionInDays": 30},
        None,
        ip=ip3,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        onset + timedelta(minutes=rng.randrange(2, 9)),
        dana,
        "application-autoscaling.amazonaws.com",
        "PutScheduledAction",
        {
            "serviceNamespace": "ecs",
            "scheduledActionName": "weekday-morning-web",
            "resourceId": f"service/{cluster}/{web}",
            "scalableDimension": "ecs:service:DesiredCount",
            "schedule": "cron(30 5 ? * MON-FRI *)",
            "scalableTargetAction": {"minCapacity": 3, "maxCapacity": 8},
        },
        None,
        ip=ip3,
        agent=k.CONSOLE_UA,
    )
    # routine reads and service activity
    reads = [
        (mira, "ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [api, web]}),
        (mira, "rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": aurora}),
        (mira, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        (dana, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        (owen, "logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/ecs/"}),
        (ci, "ecr.amazonaws.com", "DescribeImages", {"repositoryName": api}),
        (ci, ecs_src, "DescribeServices", {"cluster": cluster, "services": [api]}),
    ]
    for i in range(26):
        who, src, nm, prm = reads[i % len(reads)]
        at = k.between(rng, start, now)
        tr.add(
            at,
            who,
            src,
            nm,
            prm,
            None,
            read_only=True,
            ip=ip2 if who is mira else ip3 if who is dana else ip1,
            agent=k.CONSOLE_UA
            if who is not ci
            else "aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1",
        )
    for _ in range(8):
        at = k.between(rng, start, now)
        tr.add(
            at,
            tr.service("ecs-tasks.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{account}:role/{api}-task", "roleSessionName": k.task_id(rng)},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.alnum(rng, 16),
                    "expiration": "",
                    "sessionToken": "<redacted>",
                }
            },
            read_only=True,
        )
        tr.records[-1]["responseElements"]["credentials"]["expiration"] = k.iso(at + timedelta(hours=6))
    ct = tr.sorted()

    question = None
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": trig_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pg,
                    "category": "change",
                    "failure_mode": "cache-eviction-policy-noeviction",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [f"arn:aws:elasticache:{region}:{account}:parametergroup:{pg}", rg, nodes[0]],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"{pg} maxmemory-policy changed to noeviction, so {rg} stops evicting",
                    f"{rg} memory reaches maxmemory at the evening peak and rejects writes with OOM",
                    f"{api} session writes fail and sign-ins return 500",
                    f"target 5xx on {tg_dim.split('/')[1]} behind tidewell-public trips {alarm_name}",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": ct,
            "resources": res,
            "events": events,
        },
    )
