"""Ledger postings slow after Aurora failed over on its own to the small reporting reader."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzt import Kit, daily, iso, iso_ms, minutes

NAME = "ledger-postings-slow-afternoon"
TITLE = "Ledger postings slow and timing out since mid-afternoon, nothing deployed"
SUMMARY = (
    "The Aurora PostgreSQL writer's host failed and Aurora failed over to the only reader, a much smaller "
    "instance class kept for reporting; the new writer is CPU-bound and journal writes time out."
)

BRT = timedelta(hours=-3)


def build(seed: int) -> Bundle:
    k = Kit(seed, "sa-east-1")
    r = k.r
    day = k.day()
    onset = (day + timedelta(hours=15, minutes=r.randint(20, 55), seconds=r.randint(0, 59)) - BRT).replace(
        microsecond=0
    )
    start = onset - timedelta(hours=4, minutes=r.randint(0, 30))
    now = onset + timedelta(minutes=r.randint(42, 58))
    cl = r.choice(["ledger-aurora-pg", "ledger-prod-aurora", "fin-ledger-cluster"])
    big, small = f"{cl}-1", f"{cl}-2"
    big_class, small_class = r.choice(
        [("db.r6g.2xlarge", "db.r6g.large"), ("db.r7g.2xlarge", "db.r7g.large")]
    )
    svc, ecs_cluster, fn = "ledger-api", "payments-core", "ledger-statement-export"
    peak_utc = 15.0 - BRT.total_seconds() / 3600 - 0.5
    az_big, az_small = "sa-east-1a", "sa-east-1c"

    def load(t: datetime) -> float:
        return 0.55 + 0.45 * daily(t, peak_utc, 3.5)

    def failed(t: datetime) -> bool:
        return t >= onset

    blackout = onset + timedelta(seconds=r.randint(25, 40))
    restarted = onset + timedelta(minutes=r.randint(3, 5))

    times = minutes(start, now)

    def cpu_big(t: datetime) -> float | None:
        if not failed(t):
            return 34 + 26 * load(t) + k.noise(2)
        if t < restarted:
            return None
        return 6 + 4 * load(t) + k.noise(1)

    def cpu_small(t: datetime) -> float:
        if not failed(t):
            return 11 + 8 * load(t) + k.noise(1.5)
        return min(100.0, 96 + k.noise(2.5))

    k.series("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": big}, "Percent", times, cpu_big)
    k.series("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": small}, "Percent", times, cpu_small)
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBClusterIdentifier": cl, "Role": "WRITER"},
        "Percent",
        times,
        lambda t: cpu_small(t) if failed(t) else cpu_big(t),
    )
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBClusterIdentifier": cl, "Role": "READER"},
        "Percent",
        times,
        lambda t: cpu_big(t) if failed(t) else cpu_small(t),
    )

    def dbload_big(t: datetime) -> float | None:
        if not failed(t):
            return 3.2 + 2.4 * load(t) + abs(k.noise(0.4))
        return None if t < restarted else 0.3 + abs(k.noise(0.1))

    def dbload_small(t: datetime) -> float:
        if not failed(t):
            return 0.4 + 0.3 * load(t) + abs(k.noise(0.1))
        return 11 + 6 * load(t) + k.noise(1.2)

    k.series("AWS/RDS", "DBLoad", {"DBInstanceIdentifier": big}, "None", times, dbload_big)
    k.series("AWS/RDS", "DBLoad", {"DBInstanceIdentifier": small}, "None", times, dbload_small)
    k.series(
        "AWS/RDS",
        "DBLoadCPU",
        {"DBInstanceIdentifier": small},
        "None",
        times,
        lambda t: dbload_small(t) * (0.82 if failed(t) else 0.6),
    )
    k.series(
        "AWS/RDS",
        "CommitLatency",
        {"DBInstanceIdentifier": big},
        "Milliseconds",
        times,
        lambda t: None if failed(t) else 2.1 + abs(k.noise(0.4)),
    )
    k.series(
        "AWS/RDS",
        "CommitLatency",
        {"DBInstanceIdentifier": small},
        "Milliseconds",
        times,
        lambda t: (48 + k.noise(9)) if t >= blackout else None,
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": big},
        "Count",
        times,
        lambda t: (118 + k.noise(3)) if not failed(t) else (None if t < restarted else 22 + k.noise(2)),
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": small},
        "Count",
        times,
        lambda t: (24 + k.noise(2)) if not failed(t) else 122 + k.noise(3),
    )
    k.series(
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": small},
        "Milliseconds",
        times,
        lambda t: None if failed(t) else 14 + abs(k.noise(4)),
    )
    k.series(
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": big},
        "Milliseconds",
        times,
        lambda t: (19 + abs(k.noise(5))) if t >= restarted else None,
    )
    k.series(
        "AWS/RDS",
        "FreeableMemory",
        {"DBInstanceIdentifier": small},
        "Bytes",
        times,
        lambda t: (3.1e9 if failed(t) else 6.4e9) + k.noise(5e7),
    )
    k.series(
        "AWS/RDS",
        "FreeableMemory",
        {"DBInstanceIdentifier": big},
        "Bytes",
        times,
        lambda t: None if failed(t) and t < restarted else (29.5e9 if failed(t) else 21.8e9) + k.noise(8e7),
    )

    lb = f"app/{svc}/{k.hex(16)}"
    tg = f"targetgroup/{svc}/{k.hex(16)}"
    ld, ltd = {"LoadBalancer": lb}, {"LoadBalancer": lb, "TargetGroup": tg}

    def reqs(t: datetime) -> float:
        return 1800 * load(t) + k.noise(40)

    def bad(t: datetime) -> float:
        if not failed(t):
            return 0.0004
        if t < blackout + timedelta(seconds=30):
            return 0.5
        return 0.12 + 0.08 * r.random()

    k.series("AWS/ApplicationELB", "RequestCount", ld, "Count", times, reqs)
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        ld,
        "Seconds",
        times,
        lambda t: (2.9 + k.noise(0.3)) if failed(t) else 0.061 + abs(k.noise(0.01)),
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ltd,
        "Count",
        times,
        lambda t: round(reqs(t) * bad(t) * r.uniform(0.8, 1.2)),
    )
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": ecs_cluster, "ServiceName": svc},
        "Percent",
        times,
        lambda t: (9 if failed(t) else 22 * load(t)) + abs(k.noise(1.5)),
    )
    lam = {"FunctionName": fn}
    k.series(
        "AWS/Lambda", "Invocations", lam, "Count", minutes(start, now, 300), lambda t: float(r.randint(3, 9))
    )
    k.series(
        "AWS/Lambda", "Errors", lam, "Count", minutes(start, now, 300), lambda t: float(r.random() < 0.1)
    )
    k.series(
        "AWS/Lambda",
        "Duration",
        lam,
        "Milliseconds",
        minutes(start, now, 300),
        lambda t: 4200 + r.random() * 2500,
    )

    # ------------------------------------------------------------------ alarms
    created = day - timedelta(days=r.randint(150, 400))
    t_cpu = onset + timedelta(minutes=r.randint(5, 7), seconds=r.randint(0, 59))
    t_5xx = onset + timedelta(minutes=r.randint(2, 4), seconds=r.randint(0, 59))
    cpu_reason = (
        f"Threshold Crossed: 5 out of the last 5 datapoints [{96 + r.random() * 3:.4f} "
        f"({t_cpu:%d/%m/%y %H:%M}:00)] were greater than the threshold (80.0) "
        "(minimum 5 datapoints for OK -> ALARM transition)."
    )
    cpu_ok = "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (80.0)."
    cpu_alarm = k.alarm(
        f"{cl}-writer-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBClusterIdentifier": cl, "Role": "WRITER"},
        "Average",
        60,
        5,
        80,
        "GreaterThanThreshold",
        [(day - timedelta(days=12), "OK", cpu_ok), (t_cpu, "ALARM", cpu_reason)],
        created,
        description="Aurora ledger writer CPU > 80% for 5 minutes",
        topic="payments-core-pager",
    )
    k.alarm(
        f"{svc}-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ltd,
        "Sum",
        60,
        2,
        25,
        "GreaterThanThreshold",
        [
            (
                day - timedelta(days=4),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (25.0).",
            ),
            (
                t_5xx,
                "ALARM",
                f"Threshold Crossed: 2 out of the last 2 datapoints [{r.randint(150, 400)}.0] were greater than the threshold (25.0).",
            ),
        ],
        created,
        missing="notBreaching",
        topic="payments-core-pager",
    )
    lag_flap = start + timedelta(minutes=r.randint(30, 120))
    k.alarm(
        f"{small}-replica-lag",
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": small},
        "Maximum",
        60,
        3,
        1000,
        "GreaterThanThreshold",
        [
            (
                day - timedelta(days=1, hours=2),
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (1000.0).",
            ),
            (
                day - timedelta(days=1, hours=1, minutes=48),
                "OK",
                "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1000.0).",
            ),
            (
                onset + timedelta(minutes=4),
                "INSUFFICIENT_DATA",
                "Insufficient Data: 3 datapoints were unknown.",
            ),
        ],
        created,
        description="reporting reader lag",
    )
    k.alarm(
        f"{fn}-errors",
        "AWS/Lambda",
        "Errors",
        lam,
        "Sum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        [
            (
                lag_flap,
                "ALARM",
                "Threshold Crossed: 1 datapoint [1.0 ] was greater than the threshold (0.0).",
            ),
            (
                lag_flap + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
            ),
        ],
        created,
        missing="notBreaching",
    )

    # ------------------------------------------------------------------ events
    k.rds_event(
        onset,
        cl,
        "db-cluster",
        f"Started cross AZ failover to DB instance: {small}",
        ["failover"],
        "RDS-EVENT-0072",
    )
    k.rds_event(
        onset + timedelta(seconds=2),
        big,
        "db-instance",
        "The DB instance has failed due to a problem with the underlying host. Recovery is in progress.",
        ["failure"],
        "RDS-EVENT-0031",
    )
    k.rds_event(
        blackout,
        cl,
        "db-cluster",
        f"Completed failover to DB instance: {small}",
        ["failover"],
        "RDS-EVENT-0071",
    )
    k.rds_event(
        blackout + timedelta(seconds=6),
        big,
        "db-instance",
        "A new writer was promoted. Restarting database as a reader.",
        ["availability"],
        "RDS-EVENT-0169",
    )
    k.rds_event(restarted, big, "db-instance", "DB instance restarted", ["availability"], "RDS-EVENT-0006")
    k.rds_event(
        start + timedelta(minutes=r.randint(5, 60)),
        cl,
        "db-cluster",
        f"Manual cluster snapshot created: {cl}-pre-close-{day:%Y%m%d}",
        ["backup"],
        "RDS-EVENT-0075",
    )

    # ------------------------------------------------------------------ logs
    lg = f"/ecs/{svc}"
    tasks = [k.hex(32) for _ in range(6)]
    writer_host = f"{cl}.cluster-c{k.hex(11)}.sa-east-1.rds.amazonaws.com"
    t = start
    while t < now:
        t += timedelta(seconds=r.randint(10, 40))
        st = f"{svc}/{svc}/{r.choice(tasks)}"
        if onset <= t < blackout + timedelta(seconds=20):
            msg = r.choice(
                [
                    'level=error msg="post journal entry" err="FATAL: terminating connection due to administrator command (SQLSTATE 57P01)"',
                    f'level=error msg="post journal entry" err="failed to connect to `host={writer_host} user=ledger_app database=ledger`: dial error (dial tcp 10.30.{r.randint(1, 9)}.{r.randint(4, 250)}:5432: connect: connection refused)"',
                    'level=error msg="post journal entry" err="ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)"',
                ]
            )
        elif failed(t):
            if r.random() < 0.45:
                msg = f'level=error msg="post journal entry" account={r.randint(10**6, 10**7)} err="timeout: context deadline exceeded" elapsed={r.uniform(5.0, 5.02):.3f}s'
            else:
                msg = f'level=info msg="journal entry posted" entries={r.randint(2, 6)} elapsed_ms={r.randint(900, 4800)}'
        else:
            msg = f'level=info msg="journal entry posted" entries={r.randint(2, 6)} elapsed_ms={r.randint(12, 60)}'
        k.log(lg, st, t, f"time={iso_ms(t)} {msg}")
    flg = f"/aws/lambda/{fn}"
    for i, t in enumerate(minutes(start, now, 300)):
        rid = k.uid()
        st = f"{day:%Y/%m/%d}/[$LATEST]{k.hex(32)}"
        k.log(flg, st, t + timedelta(seconds=3), f"START RequestId: {rid} Version: $LATEST\n")
        k.log(
            flg,
            st,
            t + timedelta(seconds=8),
            f"{iso_ms(t)}\t{rid}\tINFO\texported statements batch={i} rows={r.randint(200, 900)}\n",
        )
        k.log(flg, st, t + timedelta(seconds=8), f"END RequestId: {rid}\n")

    # ------------------------------------------------------------------ CloudTrail
    dba = k.sso(r.choice(["joao.pereira", "mariana.costa", "lucas.almeida"]), "DatabaseAdmin")
    snap_t = start + timedelta(minutes=r.randint(5, 55))
    k.trail(
        snap_t,
        "rds.amazonaws.com",
        "CreateDBClusterSnapshot",
        dba,
        {"dBClusterSnapshotIdentifier": f"{cl}-pre-close-{day:%Y%m%d}", "dBClusterIdentifier": cl},
        {
            "dBClusterSnapshotIdentifier": f"{cl}-pre-close-{day:%Y%m%d}",
            "dBClusterIdentifier": cl,
            "status": "creating",
            "engine": "aurora-postgresql",
        },
        agent="console.amazonaws.com",
    )
    ci = k.role("github-actions-payments-core", f"GitHubActions-{r.randint(10**9, 10**10 - 1)}")
    dep_t = onset - timedelta(hours=1, minutes=r.randint(20, 90))
    rev = r.randint(300, 420)
    td = k.arn("ecs", f"task-definition/ledger-reconciler:{rev}")
    k.trail(
        dep_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {"cluster": ecs_cluster, "service": "ledger-reconciler", "taskDefinition": td},
        {"service": {"serviceName": "ledger-reconciler", "taskDefinition": td, "desiredCount": 2}},
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux lang/js md/nodejs#20.12.2 api/ecs#3.556.0",
    )
    k.trail(
        onset - timedelta(minutes=r.randint(12, 40)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        dba,
        {
            "alarmName": f"{fn}-duration",
            "namespace": "AWS/Lambda",
            "metricName": "Duration",
            "threshold": 12000.0,
        },
        None,
        agent="console.amazonaws.com",
    )
    oncall = k.sso(r.choice(["rafael.souza", "beatriz.lima"]), "OnCall")
    for i in range(6):
        k.trail(
            t_cpu + timedelta(minutes=3 + 4 * i, seconds=r.randint(0, 59)),
            "rds.amazonaws.com",
            ["DescribeDBClusters", "DescribeDBInstances", "DescribeEvents"][i % 3],
            oncall,
            {"dBClusterIdentifier": cl} if i % 3 == 0 else None,
            None,
            read_only=True,
            agent="console.amazonaws.com",
        )
    calls: list[tuple[str, str, dict[str, object] | None]] = [
        ("rds.amazonaws.com", "DescribeDBClusters", None),
        ("rds.amazonaws.com", "DescribeDBInstances", None),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": ecs_cluster, "services": [svc]}),
        ("pi.amazonaws.com", "GetResourceMetrics", None),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
    ]
    k.tooling(start, now, calls, 40)

    # ------------------------------------------------------------------ resources
    cl_created = day - timedelta(days=r.randint(400, 800))
    cl_arn = k.arn("rds", f"cluster:{cl}")
    k.res(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": cl,
            "DBClusterArn": cl_arn,
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.5",
            "EngineMode": "provisioned",
            "Status": "available",
            "Endpoint": writer_host,
            "ReaderEndpoint": writer_host.replace(".cluster-", ".cluster-ro-"),
            "Port": 5432,
            "MasterUsername": "ledger_admin",
            "DatabaseName": "ledger",
            "MultiAZ": True,
            "AvailabilityZones": ["sa-east-1a", "sa-east-1b", "sa-east-1c"],
            "DBClusterMembers": [
                {
                    "DBInstanceIdentifier": small,
                    "IsClusterWriter": True,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
                {
                    "DBInstanceIdentifier": big,
                    "IsClusterWriter": False,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
            ],
            "BackupRetentionPeriod": 14,
            "PreferredBackupWindow": "05:00-05:30",
            "PreferredMaintenanceWindow": "sun:06:00-sun:06:30",
            "StorageEncrypted": True,
            "DbClusterResourceId": "cluster-" + k.upper(26),
            "ClusterCreateTime": iso(cl_created),
        },
    )
    for inst, cls, az, made in (
        (big, big_class, az_big, cl_created),
        (small, small_class, az_small, cl_created + timedelta(days=r.randint(60, 200))),
    ):
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": inst,
                "DBInstanceClass": cls,
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.5",
                "DBInstanceStatus": "available",
                "DBClusterIdentifier": cl,
                "Endpoint": {
                    "Address": f"{inst}.c{k.hex(11)}.sa-east-1.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z2IEZ3MQ8KJ3E8",
                },
                "AvailabilityZone": az,
                "MultiAZ": False,
                "PromotionTier": 1,
                "InstanceCreateTime": iso(made),
                "PubliclyAccessible": False,
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + k.upper(26),
                "DBInstanceArn": k.arn("rds", f"db:{inst}"),
                "PerformanceInsightsEnabled": True,
                "PerformanceInsightsRetentionPeriod": 7,
                "TagList": [{"Key": "purpose", "Value": "writer" if inst == big else "reporting-reader"}],
            },
        )
    k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": k.arn("ecs", f"cluster/{ecs_cluster}"),
            "clusterName": ecs_cluster,
            "status": "ACTIVE",
            "runningTasksCount": 10,
            "activeServicesCount": 2,
        },
    )
    for name, n in ((svc, 6), ("ledger-reconciler", 2)):
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": k.arn("ecs", f"service/{ecs_cluster}/{name}"),
                "serviceName": name,
                "clusterArn": k.arn("ecs", f"cluster/{ecs_cluster}"),
                "status": "ACTIVE",
                "desiredCount": n,
                "runningCount": n,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "taskDefinition": td
                if name != svc
                else k.arn("ecs", f"task-definition/{svc}:{r.randint(90, 200)}"),
            },
        )
    k.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": k.arn("lambda", f"function:{fn}"),
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{k.account}:role/{fn}-role",
            "Handler": "index.handler",
            "Timeout": 60,
            "MemorySize": 1024,
            "Environment": {
                "Variables": {
                    "PGHOST": writer_host.replace(".cluster-", ".cluster-ro-"),
                    "PGDATABASE": "ledger",
                }
            },
            "LastModified": (day - timedelta(days=33)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "State": "Active",
        },
    )
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": k.arn("elasticloadbalancing", f"loadbalancer/{lb}"),
            "LoadBalancerName": svc,
            "Scheme": "internal",
            "Type": "application",
            "State": {"Code": "active"},
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": k.arn("elasticloadbalancing", tg),
            "TargetGroupName": svc,
            "Protocol": "HTTP",
            "Port": 8080,
            "TargetType": "ip",
        },
    )

    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": cl,
            "category": "system_change",
            "failure_mode": "aurora-failover-to-undersized-reader",
        },
        "also_accept": [cl_arn, big, small, k.arn("rds", f"db:{big}")],
        "actions": ["reconfigure", "scale"],
        "chain": [big, cl, small, svc],
    }
    local = t_5xx + BRT + timedelta(minutes=r.randint(1, 4))
    question = (
        f"ledger-api started timing out on journal postings around {local:%H:%M} and it hasn't recovered. "
        "Nobody deployed ledger-api today. Is the database OK? Month-end close is tonight."
    )
    event = k.alarm_event(cpu_alarm, t_cpu, cpu_reason, day - timedelta(days=12), cpu_ok)
    return k.bundle(TITLE, start, now, truth, question, "America/Sao_Paulo", event)
