"""Pantrybox's session Redis pages for CPU in the middle of the night."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zr import (
    AlarmSpec,
    Ids,
    Logs,
    Metrics,
    Principal,
    Trail,
    alarm_event,
    alb_items,
    diurnal,
    evaluate,
    iso,
    iso_ms,
    minutes,
    perm_from_cidr,
    perm_from_sg,
    pick_date,
    res,
    role_session,
    sg_item,
    sso_user,
    subnet_item,
    tg_item,
    vpc_item,
)

NAME = "pantrybox-sessions-redis-cpu-night"
TITLE = "pantrybox-sessions Redis CPU alarm paged at 3am"
SUMMARY = "A night-time CPU page on one node of the Pantrybox session Redis replication group."

TZ = ZoneInfo("America/Los_Angeles")


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    account = str(rng.randrange(2 * 10**11, 9 * 10**11))
    region = "us-west-2"
    azs = [("us-west-2a", "usw2-az1"), ("us-west-2b", "usw2-az2"), ("us-west-2c", "usw2-az3")]
    day = pick_date(rng, weekday=False)
    local_day = datetime(day.year, day.month, day.day, tzinfo=TZ)

    def at_local(h: float, d: int = 0) -> datetime:
        return (local_day + timedelta(days=d, hours=h)).astimezone(UTC).replace(second=0, microsecond=0)

    rg = "pantrybox-sessions"
    primary, replica = f"{rg}-001", f"{rg}-002"
    win_start_local = 3  # 03:00 local, written in UTC in the group's SnapshotWindow
    snap_w0 = at_local(win_start_local)
    snap_window = f"{snap_w0:%H}:00-{(snap_w0 + timedelta(hours=1)):%H}:00"
    # the backup starts a few minutes into the window each night and takes a little longer as data grows
    snaps: list[tuple[datetime, datetime]] = []
    for d in (-2, -1, 0):
        s0 = at_local(win_start_local + rng.randrange(2, 9) / 60, d=d) + timedelta(seconds=rng.randrange(60))
        dur = timedelta(minutes=9 + (d + 2) * 1.5 + rng.random() * 1.5)
        snaps.append((s0, s0 + dur))
    onset = snaps[-1][0]
    start = at_local(0, d=-2) + timedelta(hours=-6)
    now = onset + timedelta(minutes=rng.randrange(28, 38))
    end = now + timedelta(minutes=5)
    fine_from = onset - timedelta(hours=3)
    alarm_created = at_local(14 + rng.randrange(0, 150) / 60, d=-1) + timedelta(seconds=rng.randrange(60))

    cache: dict[tuple[str, datetime], float] = {}

    def nz(k: str, t: datetime, s: float) -> float:
        if (k, t) not in cache:
            cache[(k, t)] = rng.gauss(0, s)
        return cache[(k, t)]

    def load(t: datetime) -> float:
        lt = t.astimezone(TZ)
        h = lt.hour + lt.minute / 60
        return diurnal(h, [(12.0, 2.2, 0.55), (18.3, 2.0, 1.0), (8.0, 1.4, 0.25)], 0.05)

    def saving(t: datetime) -> float:
        for s0, s1 in snaps:
            if s0 <= t < s1:
                return 1.0
        return 0.0

    def snap_cow(t: datetime) -> float:
        for s0, s1 in snaps:
            if s0 <= t < s1:
                return (t - s0).total_seconds() / max(1.0, (s1 - s0).total_seconds())
        return 0.0

    # web tier (ECS behind an ALB)
    def tasks(t: datetime) -> int:
        lt = t.astimezone(TZ)
        return 3 if (lt.hour >= 3 and lt.hour < 6) else 6

    def rpm(t: datetime) -> float:
        return 90 + load(t) * 5200 * (1 + nz("rpm", t, 0.04))

    # --- metrics ------------------------------------------------------------------------------------
    m = Metrics(start, now, fine_from)
    node_dims = {n: {"CacheClusterId": n, "CacheNodeId": "0001"} for n in (primary, replica)}
    series: dict[str, dict[datetime, float]] = {}
    mem_pct_base = 38 + rng.random() * 6
    for node, nd in node_dims.items():
        is_rep = node == replica

        def cpu(t: datetime, is_rep: bool = is_rep) -> float:
            base = 3.5 + load(t) * (9 if not is_rep else 4) + abs(nz("cpu" + str(is_rep), t, 0.6))
            if is_rep and saving(t):
                base += 46 + 6 * snap_cow(t) + nz("bg", t, 2.5)
            return base

        def ecpu(t: datetime, is_rep: bool = is_rep) -> float:
            return 1.2 + load(t) * (15 if not is_rep else 6) + abs(nz("ecpu" + str(is_rep), t, 0.5))

        series[node] = m.add("AWS/ElastiCache", "CPUUtilization", nd, "Percent", cpu, digits=2)
        m.add("AWS/ElastiCache", "EngineCPUUtilization", nd, "Percent", ecpu, digits=2)
        m.add(
            "AWS/ElastiCache",
            "SaveInProgress",
            nd,
            "Count",
            (lambda t: saving(t)) if is_rep else (lambda t: 0.0),
        )
        m.add(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            nd,
            "Percent",
            lambda t: (
                mem_pct_base + load(t) * 9 + (t - start).total_seconds() / 86400 * 0.4 + nz("mem", t, 0.05)
            ),
            digits=3,
        )
        m.add(
            "AWS/ElastiCache",
            "CurrConnections",
            nd,
            "Count",
            (lambda t: 14 + nz("rc", t, 0.4)) if is_rep else (lambda t: 40 + tasks(t) * 24 + nz("pc", t, 2)),
            integer=True,
        )
    m.add(
        "AWS/ElastiCache",
        "CacheHits",
        node_dims[primary],
        "Count",
        lambda t: load(t) * 52000 + 900 + nz("hits", t, 300),
        integer=True,
    )
    m.add(
        "AWS/ElastiCache",
        "CacheMisses",
        node_dims[primary],
        "Count",
        lambda t: load(t) * 2100 + 60 + abs(nz("miss", t, 30)),
        integer=True,
    )
    m.add(
        "AWS/ElastiCache",
        "ReplicationLag",
        node_dims[replica],
        "Seconds",
        lambda t: 0.0 if rng.random() < 0.97 else 1.0,
    )
    m.add(
        "AWS/ElastiCache",
        "NetworkBytesOut",
        node_dims[replica],
        "Bytes",
        lambda t: 2.1e5 + load(t) * 3e5 + saving(t) * 1.9e8 * (1 + nz("nbo", t, 0.05)),
        digits=0,
    )

    vpc = ids.res("vpc")
    priv = [(ids.res("subnet"), az, azid) for az, azid in azs]
    pub = [(ids.res("subnet"), az, azid) for az, azid in azs]
    sg_alb, sg_web, sg_redis = (ids.res("sg") for _ in range(3))
    alb, alb_arn, alb_dim = alb_items(
        ids,
        account,
        region,
        "pantrybox-web",
        vpc,
        [(s, a) for s, a, _ in pub],
        sg_alb,
        day - timedelta(days=520),
    )
    tg, tg_arn, tg_dim = tg_item(
        ids, account, region, "pantrybox-storefront", vpc, 8000, alb_arn, "/healthz", target_type="ip"
    )
    lbd = {"LoadBalancer": alb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": alb_dim}
    m.add("AWS/ApplicationELB", "RequestCount", lbd, "Count", rpm, integer=True)
    t5 = m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Count",
        lambda t: 1.0 if rng.random() < 0.04 + load(t) * 0.1 else 0.0,
        omit_zero=True,
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        lambda t: 0.048 + load(t) * 0.03 + abs(nz("trt", t, 0.006)),
        digits=4,
    )
    m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t: float(tasks(t)))
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": "pantrybox-prod", "ServiceName": "storefront"},
        "Percent",
        lambda t: 6 + load(t) * 38 * 6 / tasks(t) / 2 + nz("ecs", t, 1),
        digits=2,
    )

    # --- alarms -------------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:pantrybox-oncall"
    new_desc = "Redis on 2 vCPU node: alert at 90/vCPUs = 45% CPUUtilization (AWS guidance)"
    a_rep = AlarmSpec(
        f"{replica}-cpu",
        new_desc,
        "AWS/ElastiCache",
        "CPUUtilization",
        node_dims[replica],
        "Average",
        60,
        5,
        5,
        45.0,
        "GreaterThanThreshold",
        "missing",
        actions=[topic],
        created=alarm_created,
    )
    a_pri = AlarmSpec(
        f"{primary}-cpu",
        new_desc,
        "AWS/ElastiCache",
        "CPUUtilization",
        node_dims[primary],
        "Average",
        60,
        5,
        5,
        45.0,
        "GreaterThanThreshold",
        "missing",
        actions=[topic],
        created=alarm_created + timedelta(seconds=rng.randrange(20, 90)),
    )
    r_rep = evaluate(a_rep, series[replica], account, region, start, now, rng)
    r_pri = evaluate(a_pri, series[primary], account, region, start, now, rng)
    old = [
        (
            AlarmSpec(
                "pantrybox-sessions-memory-high",
                "Session cache memory above 80%",
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                node_dims[primary],
                "Maximum",
                300,
                2,
                2,
                80.0,
                "GreaterThanThreshold",
                "missing",
                actions=[topic],
            ),
            {t: mem_pct_base + load(t) * 9 for t in minutes(start, now)},
        ),
        (
            AlarmSpec(
                "pantrybox-web-target-5xx",
                "Storefront 5xx above 25/min for 3 minutes",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                lbd,
                "Sum",
                60,
                3,
                3,
                25.0,
                "GreaterThanThreshold",
                "notBreaching",
                actions=[topic],
            ),
            t5,
        ),
    ]
    alarms = [r_rep.item, r_pri.item]
    history = r_rep.history + r_pri.history
    for spec, s in old:
        r = evaluate(spec, s, account, region, start, now, rng)
        alarms.append(r.item)
        history.extend(r.history)
    history.sort(key=lambda h: str(h["Timestamp"]))
    fired = [i for i, tr in enumerate(r_rep.transitions) if tr[2] == "ALARM"]
    if not fired:
        raise RuntimeError("replica CPU alarm never fired")
    event = alarm_event(ids, a_rep, r_rep, account, region, fired[-1])
    page_at = r_rep.transitions[fired[-1]][0]

    # --- events: ElastiCache and application auto scaling -------------------------------------------
    events: list[dict[str, Any]] = []
    for s0, s1 in snaps:
        if s1 + timedelta(seconds=40) > now:
            continue
        events.append(
            {
                "source": "elasticache",
                "item": {
                    "SourceIdentifier": replica,
                    "SourceType": "cache-cluster",
                    "Message": f"Snapshot succeeded for snapshot with ID 'automatic.{rg}-{s0:%Y-%m-%d-%H-%M}' of cache cluster with ID '{replica}'",
                    "Date": iso_ms(s1 + timedelta(seconds=rng.randrange(10, 40))),
                },
            }
        )
    resource_id = "service/pantrybox-prod/storefront"
    for d in (-2, -1, 0):
        for hour, cap, name in ((3, 3, "night-scale-in"), (6, 6, "morning-scale-out")):
            ts = at_local(hour, d=d) + timedelta(seconds=rng.randrange(5, 40))
            if ts < start or ts > now:
                continue
            events.append(
                {
                    "source": "application_autoscaling",
                    "item": {
                        "ActivityId": ids.uuid(),
                        "ServiceNamespace": "ecs",
                        "ResourceId": resource_id,
                        "ScalableDimension": "ecs:service:DesiredCount",
                        "Description": f"Setting desired count to {cap}.",
                        "Cause": f"scheduled action name {name} was triggered",
                        "StartTime": iso_ms(ts),
                        "EndTime": iso_ms(ts + timedelta(seconds=rng.randrange(20, 70))),
                        "StatusCode": "Successful",
                        "StatusMessage": f"Successfully set desired count to {cap}. Change successfully fulfilled by ecs.",
                    },
                }
            )

    # --- logs ---------------------------------------------------------------------------------------
    logs = Logs()
    eng_group = f"/elasticache/{rg}/engine-log"
    rtime = lambda t: t.strftime("%d %b %Y %H:%M:%S.") + f"{rng.randrange(1000):03d} UTC"  # noqa: E731
    for s0, s1 in snaps:
        if s0 > now:
            continue
        pid = rng.randrange(20000, 60000)
        lines = [
            (s0, "NOTICE", f"Background saving started by pid {pid}"),
            (s1 - timedelta(seconds=2), "NOTICE", "DB saved on disk"),
            (
                s1 - timedelta(seconds=1),
                "NOTICE",
                f"Fork CoW for RDB: current {rng.randrange(20, 60)} MB, peak {rng.randrange(60, 120)} MB, average {rng.randrange(15, 40)} MB",
            ),
            (s1, "NOTICE", "Background saving terminated with success"),
        ]
        for ts, lvl, msg in lines:
            if ts > now:
                continue
            logs.add(
                eng_group,
                f"{replica}-0001",
                ts,
                json.dumps(
                    {
                        "CacheClusterId": replica,
                        "CacheNodeId": "0001",
                        "Log Level": lvl,
                        "Role": "S",
                        "Time": rtime(ts),
                        "Message": msg,
                    }
                ),
            )
    app_group = "/ecs/pantrybox/storefront"
    task_ids = [ids.hexs(32) for _ in range(6)]
    t = fine_from
    while t < now:
        n = max(1, int(rpm(t) / 400))
        for _ in range(n):
            ts = t + timedelta(seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
            path = rng.choice(
                [
                    "/menu/this-week",
                    "/account/deliveries",
                    "/api/cart",
                    f"/recipes/{rng.randrange(1000, 9999)}",
                    "/healthz",
                ]
            )
            status = 200 if rng.random() > 0.01 else rng.choice([301, 404])
            logs.add(
                app_group,
                f"storefront/storefront/{task_ids[rng.randrange(tasks(ts))]}",
                ts,
                f'10.12.{rng.randrange(0, 3) * 16 + 4}.{rng.randrange(4, 250)} - - [{ts:%d/%b/%Y:%H:%M:%S} +0000] "GET {path} HTTP/1.1" {status} {rng.randrange(300, 40000)} "-" "Mozilla/5.0" {rng.uniform(0.01, 0.12):.3f}',
            )
        t += timedelta(minutes=1)

    # --- CloudTrail ---------------------------------------------------------------------------------
    trail = Trail(ids, account, region)
    console_ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36"
    sre = sso_user(
        ids, account, region, "SRE", "dana.whitlock@pantrybox.com", "24.17.88.140", console_ua, console=True
    )
    eu_dev = sso_user(
        ids,
        account,
        region,
        "Developer",
        "jonas.berg@pantrybox.com",
        "85.230.14.66",
        "aws-cli/2.17.30 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-40-generic md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#lambda.update-function-configuration",
    )
    ci = role_session(
        ids,
        account,
        "gha-deploy-prod",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        "20.171.42.9",
        "aws-sdk-js/3.614.0 ua/2.0 os/linux#6.5.0-1024-azure lang/js md/nodejs#20.15.1 api/ecs#3.614.0",
    )
    grafana = role_session(
        ids,
        account,
        "grafana-cloudwatch-read",
        f"grafana-{ids.hexs(6)}",
        "34.120.177.193",
        "aws-sdk-go/1.50.8 (go1.22.3; linux; amd64)",
    )
    events_role = role_session(
        ids, account, "ecsEventsRole", ids.hexs(32), "events.amazonaws.com", "events.amazonaws.com"
    )
    events_role.identity["invokedBy"] = "events.amazonaws.com"
    events_role.kind = "service-role"
    appas = role_session(
        ids,
        account,
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "ApplicationAutoScaling",
        "application-autoscaling.amazonaws.com",
        "application-autoscaling.amazonaws.com",
        path="/aws-service-role/ecs.application-autoscaling.amazonaws.com/",
    )
    appas.identity["invokedBy"] = "application-autoscaling.amazonaws.com"
    appas.kind = "service-role"

    reads: list[tuple[Principal, str, str, dict[str, Any] | None]] = [
        (grafana, "monitoring.amazonaws.com", "GetMetricData", None),
        (grafana, "monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/ElastiCache"}),
        (grafana, "tag.amazonaws.com", "GetResources", {"resourceTypeFilters": ["elasticache:cluster"]}),
        (sre, "elasticache.amazonaws.com", "DescribeReplicationGroups", {"replicationGroupId": rg}),
        (sre, "elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
        (sre, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": rg}),
        (
            ci,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": "pantrybox-prod", "services": ["storefront"]},
        ),
    ]
    for _ in range(30):
        who, src, name, params = rng.choice(reads)
        ts = start + timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        trail.add(ts, who, src, name, params, None, read_only=True)
    # yesterday afternoon: the new CPU alarms
    for spec in (a_rep, a_pri):
        assert spec.created is not None
        trail.add(
            spec.created,
            sre,
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            {
                "alarmName": spec.name,
                "alarmDescription": spec.description,
                "actionsEnabled": True,
                "oKActions": [topic],
                "alarmActions": [topic],
                "metricName": "CPUUtilization",
                "namespace": "AWS/ElastiCache",
                "statistic": "Average",
                "dimensions": [{"name": k, "value": v} for k, v in spec.dims.items()],
                "period": 60,
                "evaluationPeriods": 5,
                "datapointsToAlarm": 5,
                "threshold": 45.0,
                "comparisonOperator": "GreaterThanThreshold",
                "treatMissingData": "missing",
            },
            None,
        )
    # nightly automation and a colleague in Europe, near the page
    for d in (-1, 0):
        ts = at_local(2.75, d=d) + timedelta(seconds=rng.randrange(60))
        if start < ts < now:
            trail.add(
                ts,
                events_role,
                "ecs.amazonaws.com",
                "RunTask",
                {
                    "cluster": "pantrybox-prod",
                    "taskDefinition": "menu-export-nightly",
                    "count": 1,
                    "launchType": "FARGATE",
                    "startedBy": "events-rule/pantrybox-menu-export",
                },
                {
                    "tasks": [
                        {
                            "taskArn": f"arn:aws:ecs:{region}:{account}:task/pantrybox-prod/{ids.hexs(32)}",
                            "lastStatus": "PROVISIONING",
                            "desiredStatus": "RUNNING",
                        }
                    ],
                    "failures": [],
                },
            )
    for d in (-2, -1, 0):
        ts = at_local(3, d=d) + timedelta(seconds=rng.randrange(2, 10))
        if start < ts < now:
            trail.add(
                ts,
                appas,
                "ecs.amazonaws.com",
                "UpdateService",
                {"cluster": "pantrybox-prod", "service": "storefront", "desiredCount": 3},
                {"service": {"serviceName": "storefront", "desiredCount": 3, "status": "ACTIVE"}},
            )
        ts6 = at_local(6, d=d) + timedelta(seconds=rng.randrange(2, 10))
        if start < ts6 < now:
            trail.add(
                ts6,
                appas,
                "ecs.amazonaws.com",
                "UpdateService",
                {"cluster": "pantrybox-prod", "service": "storefront", "desiredCount": 6},
                {"service": {"serviceName": "storefront", "desiredCount": 6, "status": "ACTIVE"}},
            )
    lam_at = onset - timedelta(minutes=rng.randrange(8, 20), seconds=rng.randrange(60))
    trail.add(
        lam_at,
        eu_dev,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "pantrybox-email-digest", "environment": {}, "timeout": 60},
        {
            "functionName": "pantrybox-email-digest",
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:pantrybox-email-digest",
            "runtime": "python3.12",
            "timeout": 60,
            "memorySize": 256,
            "lastModified": iso(lam_at).replace("Z", ".000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    trail.add(
        now - timedelta(minutes=rng.randrange(2, 8)),
        sre,
        "elasticache.amazonaws.com",
        "DescribeEvents",
        {"sourceType": "replication-group", "duration": 60},
        None,
        read_only=True,
    )
    trail.records = [r for r in trail.records if r["eventTime"] <= iso(now)]

    # --- resources ----------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = [
        res("ec2", "Vpc", vpc_item(vpc, "10.12.0.0/16", "pantrybox-prod", account, ids))
    ]
    for i, (sid, az, azid) in enumerate(priv):
        resources.append(
            res(
                "ec2",
                "Subnet",
                subnet_item(
                    sid,
                    vpc,
                    az,
                    azid,
                    f"10.12.{i * 16}.0/20",
                    4050 + rng.randrange(30),
                    f"pantrybox-private-{az[-1]}",
                    account,
                    region,
                ),
            )
        )
    for i, (sid, az, azid) in enumerate(pub):
        resources.append(
            res(
                "ec2",
                "Subnet",
                subnet_item(
                    sid,
                    vpc,
                    az,
                    azid,
                    f"10.12.{200 + i}.0/24",
                    247,
                    f"pantrybox-public-{az[-1]}",
                    account,
                    region,
                ),
            )
        )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_alb,
                "pantrybox-web-alb",
                "public ALB",
                vpc,
                account,
                [perm_from_cidr(443, "0.0.0.0/0", "https")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_web,
                "pantrybox-storefront",
                "storefront tasks",
                vpc,
                account,
                [perm_from_sg(8000, sg_alb, account, "alb")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_redis,
                "pantrybox-sessions-redis",
                "redis from storefront",
                vpc,
                account,
                [perm_from_sg(6379, sg_web, account, "storefront")],
            ),
        )
    )
    resources.append(res("elbv2", "LoadBalancer", alb))
    resources.append(res("elbv2", "TargetGroup", tg))
    ep = ids.alnum(6, upper=False)
    created_rg = day - timedelta(days=480)
    resources.append(
        res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": rg,
                "Description": "storefront sessions and carts",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": [primary, replica],
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {
                            "Address": f"master.{rg}.{ep}.usw2.cache.amazonaws.com",
                            "Port": 6379,
                        },
                        "ReaderEndpoint": {
                            "Address": f"replica.{rg}.{ep}.usw2.cache.amazonaws.com",
                            "Port": 6379,
                        },
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": primary,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {
                                    "Address": f"{primary}.{rg}.{ep}.usw2.cache.amazonaws.com",
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": azs[0][0],
                                "CurrentRole": "primary",
                            },
                            {
                                "CacheClusterId": replica,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {
                                    "Address": f"{replica}.{rg}.{ep}.usw2.cache.amazonaws.com",
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": azs[1][0],
                                "CurrentRole": "replica",
                            },
                        ],
                    }
                ],
                "SnapshottingClusterId": replica,
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 7,
                "SnapshotWindow": snap_window,
                "ClusterEnabled": False,
                "CacheNodeType": "cache.m6g.large",
                "AuthTokenEnabled": True,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rg}",
                "LogDeliveryConfigurations": [
                    {
                        "LogType": "engine-log",
                        "DestinationType": "cloudwatch-logs",
                        "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": eng_group}},
                        "LogFormat": "json",
                        "Status": "active",
                    }
                ],
                "ReplicationGroupCreateTime": iso(created_rg),
                "DataTiering": "disabled",
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "TransitEncryptionMode": "required",
                "ClusterMode": "disabled",
                "Engine": "redis",
            },
        )
    )
    for node, az in ((primary, azs[0][0]), (replica, azs[1][0])):
        resources.append(
            res(
                "elasticache",
                "CacheCluster",
                {
                    "CacheClusterId": node,
                    "CacheNodeType": "cache.m6g.large",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": az,
                    "CacheClusterCreateTime": iso(created_rg),
                    "PreferredMaintenanceWindow": "tue:11:00-tue:12:00",
                    "PendingModifiedValues": {},
                    "CacheSecurityGroups": [],
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": "default.redis7",
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": "pantrybox-cache-private",
                    "CacheNodes": [
                        {
                            "CacheNodeId": "0001",
                            "CacheNodeStatus": "available",
                            "CacheNodeCreateTime": iso(created_rg),
                            "Endpoint": {
                                "Address": f"{node}.{rg}.{ep}.usw2.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "ParameterGroupStatus": "in-sync",
                            "CustomerAvailabilityZone": az,
                        }
                    ],
                    "AutoMinorVersionUpgrade": True,
                    "SecurityGroups": [{"SecurityGroupId": sg_redis, "Status": "active"}],
                    "ReplicationGroupId": rg,
                    "SnapshotRetentionLimit": 7 if node == replica else 0,
                    "SnapshotWindow": snap_window,
                    "AuthTokenEnabled": True,
                    "TransitEncryptionEnabled": True,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{region}:{account}:cluster:{node}",
                    "ReplicationGroupLogDeliveryEnabled": True,
                    "NetworkType": "ipv4",
                    "IpDiscovery": "ipv4",
                    "TransitEncryptionMode": "required",
                },
            )
        )
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/pantrybox-prod"
    resources.append(
        res(
            "ecs",
            "Service",
            {
                "serviceArn": f"arn:aws:ecs:{region}:{account}:service/pantrybox-prod/storefront",
                "serviceName": "storefront",
                "clusterArn": cluster_arn,
                "loadBalancers": [
                    {"targetGroupArn": tg_arn, "containerName": "storefront", "containerPort": 8000}
                ],
                "status": "ACTIVE",
                "desiredCount": tasks(now),
                "runningCount": tasks(now),
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/storefront:{rng.randrange(300, 500)}",
                "createdAt": iso_ms(day - timedelta(days=500)),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [s for s, _a, _z in priv],
                        "securityGroups": [sg_web],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
            },
        )
    )
    resources.append(
        res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "ecs",
                "ResourceId": resource_id,
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 3,
                "MaxCapacity": 12,
                "RoleARN": f"arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                "CreationTime": iso(day - timedelta(days=400)),
                "ScalableTargetARN": f"arn:aws:application-autoscaling:{region}:{account}:scalable-target/0e{ids.hexs(30)}",
            },
        )
    )
    for name, cron, cap in (
        ("night-scale-in", "cron(0 3 * * ? *)", 3),
        ("morning-scale-out", "cron(0 6 * * ? *)", 6),
    ):
        resources.append(
            res(
                "application-autoscaling",
                "ScheduledAction",
                {
                    "ScheduledActionName": name,
                    "ScheduledActionARN": f"arn:aws:autoscaling:{region}:{account}:scheduledAction:{ids.uuid()}:resource/ecs/{resource_id}:scheduledActionName/{name}",
                    "ServiceNamespace": "ecs",
                    "Schedule": cron,
                    "Timezone": "America/Los_Angeles",
                    "ResourceId": resource_id,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "ScalableTargetAction": {"MinCapacity": cap, "MaxCapacity": 12},
                    "CreationTime": iso(day - timedelta(days=300)),
                },
            )
        )

    local_page = page_at.astimezone(TZ)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": f"Got paged at {local_page:%-I:%M}am for {replica} CPU. Site loads fine from my phone. Do I need to do anything?",
                "alarm_event": event,
                "timezone": "America/Los_Angeles",
            },
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.sorted_rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
