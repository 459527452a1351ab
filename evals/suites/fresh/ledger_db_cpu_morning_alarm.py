"""No fault: the ledger database's CPU alarm fires at the ordinary weekday morning peak, as it does every weekday."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_e as k

NAME = "ledger-db-cpu-morning-alarm"
TITLE = "Ledger database CPU alarm in the morning"
SUMMARY = (
    "No fault: an Aurora writer CPU alarm (70%) sits below the normal weekday late-morning peak (~75%); it "
    "fires at the peak every weekday and clears by midday; nothing else is wrong."
)


def build(seed: int) -> Bundle:
    ctx = k.Ctx(NAME, seed)
    rng = ctx.rng
    tzname, off = k.REGION_TZ[ctx.region]
    today = k.pick_day(ctx, (1, 2, 3))
    start = today - timedelta(days=6) + timedelta(hours=rng.randint(0, 5))
    peak_hour = rng.uniform(10.2, 10.9)  # local
    daily_peak = {d: rng.uniform(73.5, 79.0) for d in range(8)}

    co = rng.choice(["meridian", "ashgrove", "polder", "kinetic"])
    cluster = f"{co}-ledger"
    writer = f"{cluster}-instance-1"
    reader = f"{cluster}-instance-2"
    svc = "ledger-api"
    ecs_cluster = f"{co}-core-prod"
    alb_name = f"{co}-core-int"
    alb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{alb_name}/{ctx.hex(16)}")
    tg_arn = ctx.arn("elasticloadbalancing", f"targetgroup/{svc}-tg/{ctx.hex(16)}")
    lb_dim = alb_arn.split(":loadbalancer/")[1]
    tg_dim = tg_arn.split(":")[-1]
    topic = ctx.arn("sns", f"{co}-dba-alerts")

    def load(t: datetime) -> float:
        """0..1 business load, sharper than the generic shape: a late-morning peak on weekdays."""
        local = t + timedelta(hours=off)
        h = local.hour + local.minute / 60
        wk = local.weekday() >= 5
        morning = pow(2.718, -((h - peak_hour) ** 2) / (2 * 1.5**2))
        afternoon = 0.72 * pow(2.718, -((h - 14.8) ** 2) / (2 * 1.8**2))
        base = max(morning, afternoon)
        return base * (0.35 if wk else 1.0)

    def day_index(t: datetime) -> int:
        return ((t + timedelta(hours=off)).date() - (start + timedelta(hours=off)).date()).days

    # first find today's crossing so that `now` can be placed after it
    def cpu(t: datetime) -> float:
        pk = daily_peak[day_index(t)]
        return 19 + (pk - 19) * load(t)

    # fine data for the last hours, coarse 5-minute data before
    probe = today + timedelta(hours=peak_hour - off - 3)
    onset = probe
    while cpu(onset) < 70.5:
        onset += k.MINUTE
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(28, 40))) + timedelta(
        seconds=rng.randint(3, 55)
    )
    fine_from = k.floor_minute(now - timedelta(hours=6))

    noise: dict[datetime, float] = {}

    def cpu_n(t: datetime) -> float:
        if t not in noise:
            noise[t] = min(99.0, cpu(t) * k.noisy(rng, 1, 0.025) + rng.uniform(-0.8, 0.8))
        return noise[t]

    wd = {"DBInstanceIdentifier": writer}
    cpu_s = k.series(ctx, "AWS/RDS", "CPUUtilization", wd, "Percent", start, now, cpu_n, fine_from=fine_from)
    k.series(
        ctx,
        "AWS/RDS",
        "DatabaseConnections",
        wd,
        "Count",
        start,
        now,
        lambda t: 60 + 140 * load(t) + rng.randint(-6, 6),
        fine_from=fine_from,
        digits=0,
    )
    k.series(
        ctx,
        "AWS/RDS",
        "FreeableMemory",
        wd,
        "Bytes",
        start,
        now,
        lambda t: 9.1e9 - 1.2e9 * load(t) + rng.uniform(-5e7, 5e7),
        fine_from=fine_from,
        digits=0,
    )
    k.series(
        ctx,
        "AWS/RDS",
        "CommitLatency",
        wd,
        "Milliseconds",
        start,
        now,
        lambda t: k.noisy(rng, 1.4 + 0.9 * load(t), 0.1),
        fine_from=fine_from,
        digits=3,
    )
    k.series(
        ctx,
        "AWS/RDS",
        "DMLLatency",
        wd,
        "Milliseconds",
        start,
        now,
        lambda t: k.noisy(rng, 0.9 + 0.6 * load(t), 0.1),
        fine_from=fine_from,
        digits=3,
    )
    k.series(ctx, "AWS/RDS", "Deadlocks", wd, "Count/Second", start, now, lambda t: 0.0, fine_from=fine_from)
    rd = {"DBInstanceIdentifier": reader}
    rcpu = k.series(
        ctx,
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Percent",
        start,
        now,
        lambda t: k.noisy(rng, 11 + 31 * load(t), 0.04),
        fine_from=fine_from,
    )
    k.series(
        ctx,
        "AWS/RDS",
        "AuroraReplicaLag",
        rd,
        "Milliseconds",
        start,
        now,
        lambda t: k.noisy(rng, 14 + 8 * load(t), 0.2),
        fine_from=fine_from,
    )
    lbd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "RequestCount",
        lbd,
        "Count",
        start,
        now,
        lambda t: k.count(rng, 300 + 5200 * load(t)),
        fine_from=fine_from,
        digits=0,
    )
    rt = k.series(
        ctx,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbd,
        "Seconds",
        start,
        now,
        lambda t: k.noisy(rng, 0.041 + 0.012 * load(t), 0.1),
        fine_from=fine_from,
        digits=4,
    )
    t5 = k.series(
        ctx,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Count",
        start,
        now,
        lambda t: 1.0 if rng.random() < 0.03 else None,
        fine_from=fine_from,
    )
    ed = {"ClusterName": ecs_cluster, "ServiceName": svc}
    k.series(
        ctx,
        "AWS/ECS",
        "CPUUtilization",
        ed,
        "Percent",
        start,
        now,
        lambda t: k.noisy(rng, 12 + 30 * load(t), 0.05),
        fine_from=fine_from,
    )
    k.series(
        ctx,
        "AWS/ECS",
        "MemoryUtilization",
        ed,
        "Percent",
        start,
        now,
        lambda t: k.noisy(rng, 52, 0.02),
        fine_from=fine_from,
    )

    cpu_alarm = k.AlarmSpec(
        f"{writer}-cpu-high",
        "Ledger writer CPU above 70%",
        cpu_s,
        "Average",
        300,
        3,
        3,
        70.0,
        "GreaterThanThreshold",
        "missing",
        [topic],
        [topic],
        configured=start - timedelta(days=rng.randint(9, 20), hours=rng.randint(0, 12)),
    )
    trans = k.alarm(ctx, cpu_alarm, start, now)
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{reader}-cpu-high",
            "Ledger reader CPU above 80%",
            rcpu,
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
            [topic],
            [topic],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{svc}-latency",
            "ledger-api average latency above 300 ms",
            rt,
            "Average",
            300,
            3,
            3,
            0.3,
            "GreaterThanThreshold",
            "missing",
            [topic],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{svc}-5xx",
            "ledger-api 5xx",
            t5,
            "Sum",
            300,
            2,
            2,
            25.0,
            "GreaterThanThreshold",
            "notBreaching",
            [topic],
        ),
        start,
        now,
    )
    fire = [tr for tr in trans if tr.new == "ALARM"][-1]
    prev = [tr for tr in trans if tr.time < fire.time]
    # the alarm's own configuration history from when it was created (outside the window) is not shown

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 900))
    cl_arn = ctx.arn("rds", f"cluster:{cluster}")
    res_id = "cluster-" + ctx.upper(26)
    ctx.resource(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": cluster,
            "DBClusterArn": cl_arn,
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.6",
            "EngineMode": "provisioned",
            "Status": "available",
            "MultiAZ": True,
            "Endpoint": f"{cluster}.cluster-{ctx.hex(12)}.{ctx.region}.rds.amazonaws.com",
            "ReaderEndpoint": f"{cluster}.cluster-ro-{ctx.hex(12)}.{ctx.region}.rds.amazonaws.com",
            "Port": 5432,
            "MasterUsername": "ledger_admin",
            "DbClusterResourceId": res_id,
            "ClusterCreateTime": k.iso_ms(created),
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
            "DBClusterParameterGroup": f"{cluster}-pg15",
            "BackupRetentionPeriod": 14,
            "PreferredBackupWindow": "03:10-03:40",
            "PreferredMaintenanceWindow": "sun:05:00-sun:05:30",
            "StorageEncrypted": True,
            "AvailabilityZones": [f"{ctx.region}{x}" for x in "abc"],
        },
    )
    for inst, az, wr in ((writer, "a", True), (reader, "b", False)):
        ctx.resource(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": inst,
                "DBInstanceClass": "db.r6g.2xlarge",
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.6",
                "DBInstanceStatus": "available",
                "DBClusterIdentifier": cluster,
                "Endpoint": {"Address": f"{inst}.{ctx.hex(12)}.{ctx.region}.rds.amazonaws.com", "Port": 5432},
                "InstanceCreateTime": k.iso_ms(created),
                "AvailabilityZone": f"{ctx.region}{az}",
                "MultiAZ": False,
                "DBInstanceArn": ctx.arn("rds", f"db:{inst}"),
                "PubliclyAccessible": False,
                "PerformanceInsightsEnabled": True,
                "PromotionTier": 1,
                "StorageType": "aurora",
                "AutoMinorVersionUpgrade": not wr,
            },
        )
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": ctx.arn("ecs", f"service/{ecs_cluster}/{svc}"),
            "serviceName": svc,
            "clusterArn": ctx.arn("ecs", f"cluster/{ecs_cluster}"),
            "status": "ACTIVE",
            "desiredCount": 6,
            "runningCount": 6,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "api", "containerPort": 8080}],
            "taskDefinition": ctx.arn("ecs", f"task-definition/{svc}:{rng.randint(100, 300)}"),
            "createdAt": k.iso_ms(created),
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
        },
    )
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "LoadBalancerName": alb_name,
            "Scheme": "internal",
            "Type": "application",
            "State": {"Code": "active"},
            "VpcId": ctx.ec2_id("vpc"),
            "CreatedTime": k.iso_ms(created),
            "DNSName": f"internal-{alb_name}-{rng.randint(10**8, 10**9)}.{ctx.region}.elb.amazonaws.com",
        },
    )
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": f"{svc}-tg",
            "Protocol": "HTTP",
            "Port": 8080,
            "TargetType": "ip",
            "HealthCheckPath": "/health",
            "LoadBalancerArns": [alb_arn],
        },
    )
    ctx.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {"TopicArn": topic, "Owner": ctx.account, "SubscriptionsConfirmed": "3"},
        },
    )
    pg_log_name = f"/aws/rds/cluster/{cluster}/postgresql"
    k.log_group(ctx, pg_log_name, created, 7)

    # --- logs: PostgreSQL log exported to CloudWatch (slow-statement and checkpoint lines) -------------
    t = fine_from + timedelta(seconds=rng.randint(1, 60))
    pid = rng.randint(10000, 30000)
    while t < now:
        ts = t.strftime("%Y-%m-%d %H:%M:%S UTC")
        roll = rng.random()
        if roll < 0.5:
            msg = (
                f"{ts}:10.{rng.randint(40, 43)}.{rng.randint(0, 63)}.{rng.randint(4, 250)}({rng.randint(30000, 60000)}):"
                f"ledger_app@ledger:[{pid + rng.randint(0, 900)}]:LOG:  duration: {rng.uniform(1000, 2600):.3f} ms  "
                f"statement: SELECT account_id, sum(amount) FROM postings WHERE booked_at >= $1 GROUP BY account_id"
            )
        elif roll < 0.8:
            msg = (
                f"{ts}::@:[{rng.randint(500, 700)}]:LOG:  checkpoint complete: wrote {rng.randint(2000, 9000)} buffers "
                f"({rng.uniform(0.5, 3):.1f}%); 0 WAL file(s) added, 0 removed, {rng.randint(1, 9)} recycled; "
                f"write={rng.uniform(20, 120):.3f} s, sync=0.00{rng.randint(1, 9)} s, total={rng.uniform(20, 121):.3f} s"
            )
        else:
            msg = (
                f"{ts}:10.{rng.randint(40, 43)}.{rng.randint(0, 63)}.{rng.randint(4, 250)}({rng.randint(30000, 60000)}):"
                f"reporting@ledger:[{pid + rng.randint(0, 900)}]:LOG:  could not receive data from client: "
                "Connection reset by peer"
            )
        ctx.log(pg_log_name, writer, t, msg)
        t += timedelta(seconds=rng.uniform(30, 140))

    # --- CloudTrail across the week ------------------------------------------------------------------
    dom = f"{co}.finance"
    dba = k.sso_user(ctx, f"{rng.choice(['ruth', 'imran', 'bianca', 'kofi'])}@{dom}", "DatabaseAdmin")
    dev = k.sso_user(ctx, f"{rng.choice(['tom', 'aiko', 'pablo'])}@{dom}", "Developer", console=True)
    ci = k.github_ci(ctx, f"{co}-core-deploy")
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": cluster}),
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": writer}),
        (
            "pi.amazonaws.com",
            "GetResourceMetrics",
            {"serviceType": "RDS", "identifier": f"db-{ctx.upper(26)}"},
        ),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": [cpu_alarm.name]}),
        ("monitoring.amazonaws.com", "DescribeAlarmHistory", {"alarmName": cpu_alarm.name}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": ecs_cluster, "services": [svc]}),
    ]
    k.routine_reads(ctx, start, now, rng.randint(26, 34), [dba, dev], reads)
    # earlier in the week: a deploy or two of the API, a parameter group look
    for d in range(1, 5):
        when = today - timedelta(days=d) + timedelta(hours=rng.uniform(14, 20) - off)
        if when < start or (when + timedelta(hours=off)).weekday() >= 5:
            continue
        td = ctx.arn("ecs", f"task-definition/{svc}:{rng.randint(301, 400)}")
        k.record(
            ctx,
            when,
            ci,
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": ecs_cluster, "service": svc, "taskDefinition": td},
            {"service": {"serviceName": svc, "taskDefinition": td, "desiredCount": 6}},
            cmd="ecs.update-service",
        )
    # inside the half hour: a manual cluster snapshot and an API deploy
    snap = onset - timedelta(minutes=rng.randint(6, 22), seconds=rng.randint(0, 59))
    snap_id = f"{cluster}-pre-migration-{(snap + timedelta(hours=off)):%Y%m%d}"
    k.record(
        ctx,
        snap,
        dba,
        "rds.amazonaws.com",
        "CreateDBClusterSnapshot",
        {"dBClusterSnapshotIdentifier": snap_id, "dBClusterIdentifier": cluster},
        {
            "dBClusterSnapshotIdentifier": snap_id,
            "dBClusterIdentifier": cluster,
            "engine": "aurora-postgresql",
            "status": "creating",
            "snapshotType": "manual",
            "percentProgress": 0,
            "dBClusterSnapshotArn": ctx.arn("rds", f"cluster-snapshot:{snap_id}"),
        },
        cmd="rds.create-db-cluster-snapshot",
    )
    ctx.event(
        "rds",
        {
            "SourceIdentifier": snap_id,
            "SourceType": "db-cluster-snapshot",
            "Message": "Creating manual cluster snapshot",
            "EventCategories": ["backup"],
            "Date": k.iso_ms(snap + timedelta(seconds=3)),
            "SourceArn": ctx.arn("rds", f"cluster-snapshot:{snap_id}"),
        },
    )
    done = snap + timedelta(minutes=rng.randint(4, 9))
    if done < now:
        ctx.event(
            "rds",
            {
                "SourceIdentifier": snap_id,
                "SourceType": "db-cluster-snapshot",
                "Message": "Manual cluster snapshot created",
                "EventCategories": ["backup"],
                "Date": k.iso_ms(done),
                "SourceArn": ctx.arn("rds", f"cluster-snapshot:{snap_id}"),
            },
        )
    dep = onset + timedelta(minutes=rng.choice([-12, -7, 4, 9]), seconds=rng.randint(0, 59))
    td = ctx.arn("ecs", f"task-definition/{svc}:{rng.randint(401, 450)}")
    k.record(
        ctx,
        dep,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": ecs_cluster, "service": svc, "taskDefinition": td},
        {"service": {"serviceName": svc, "taskDefinition": td, "desiredCount": 6}},
        cmd="ecs.update-service",
    )
    for when in k.spread(ctx, now - timedelta(hours=8), now, rng.randint(5, 8)):
        k.assume_role_by_service(
            ctx,
            when,
            "rds.amazonaws.com",
            f"arn:aws:iam::{ctx.account}:role/rds-monitoring-role",
            "rds-enhanced-monitoring",
        )
    for d in range(0, 7):
        when = today - timedelta(days=d) + timedelta(hours=3, minutes=rng.randint(10, 38))
        if start <= when < now:
            ctx.event(
                "rds",
                {
                    "SourceIdentifier": cluster,
                    "SourceType": "db-cluster",
                    "Message": "Automated backup of cluster completed",
                    "EventCategories": ["backup"],
                    "Date": k.iso_ms(when),
                    "SourceArn": cl_arn,
                },
            )

    local_fire = (fire.time + timedelta(hours=off)).strftime("%-I:%M")
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": rng.choice(
                    [
                        f"{cpu_alarm.name} paged me at {local_fire}. is something wrong with the ledger database?",
                        f"got the ledger writer CPU alarm around {local_fire} — do we need to do anything?",
                    ]
                ),
                "alarm_event": k.alarm_event(ctx, cpu_alarm, fire, prev[-1] if prev else None),
                "timezone": tzname,
            },
            "truth": {"no_fault": True},
        }
    )
    return Bundle(manifest, ctx.records())
