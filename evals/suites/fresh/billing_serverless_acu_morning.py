"""Aurora Serverless v2 capacity alarm at nine every weekday: the scheduled invoice roll-up, as designed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzt import Kit, daily, iso, iso_ms, minutes

NAME = "billing-aurora-acu-alarm-morning"
TITLE = "billing-aurora capacity alarm at 9am; is something running away on the billing DB?"
SUMMARY = (
    "The Serverless v2 ACU alarm fires every weekday when the scheduled invoice roll-up task runs; capacity "
    "scales up within its max and back down, the API stays healthy, nothing is wrong."
)

JST = timedelta(hours=9)


def build(seed: int) -> Bundle:
    k = Kit(seed, "ap-northeast-1")
    r = k.r
    day = k.day()
    while day.weekday() == 0:  # yesterday must be a weekday too
        day += timedelta(days=1)
    sched_min = r.choice([0, 0, 5])
    run_today = day + timedelta(minutes=sched_min)  # 09:00 JST == 00:00 UTC
    run_yday = run_today - timedelta(days=1)
    dur_today = timedelta(minutes=r.randint(37, 46), seconds=r.randint(0, 59))
    dur_yday = timedelta(minutes=r.randint(34, 44), seconds=r.randint(0, 59))
    start = run_yday - timedelta(hours=2, minutes=r.randint(0, 40))
    now = run_today + timedelta(minutes=r.randint(52, 62))
    cl = r.choice(["billing-aurora", "billing-aurora-prod", "billing-sv2"])
    writer, reader = f"{cl}-instance-1", f"{cl}-instance-2"
    max_acu = r.choice([16.0, 16.0, 24.0])
    peak_acu = max_acu * r.uniform(0.82, 0.92)
    job, fn, ecs_cluster = "invoice-rollup", "invoice-api", "billing-batch"

    def job_on(t: datetime) -> float:
        for s, d in ((run_yday, dur_yday), (run_today, dur_today)):
            if s + timedelta(minutes=1) <= t < s + d:
                up = min(1.0, (t - s).total_seconds() / 240)
                return up
            if s + d <= t < s + d + timedelta(minutes=6):
                return max(0.0, 1 - (t - s - d).total_seconds() / 360) * 0.6
        return 0.0

    def traffic(t: datetime) -> float:
        # JST business hours: 00:00-09:00 UTC
        return 0.15 + 0.85 * daily(t, 4.5, 3.5)

    def acu(t: datetime) -> float:
        base = 1.0 + 1.6 * traffic(t)
        return round(min(max_acu, base + (peak_acu - base) * job_on(t) + k.noise(0.15)) * 2) / 2

    times = minutes(start, now)
    wd, rd = {"DBInstanceIdentifier": writer}, {"DBInstanceIdentifier": reader}
    cache: dict[datetime, float] = {}
    for t in times:
        cache[t] = max(0.5, acu(t))
    k.series("AWS/RDS", "ServerlessDatabaseCapacity", wd, "Count", times, lambda t: cache[t])
    k.series("AWS/RDS", "ServerlessDatabaseCapacity", rd, "Count", times, lambda t: cache[t])
    k.series(
        "AWS/RDS",
        "ServerlessDatabaseCapacity",
        {"DBClusterIdentifier": cl},
        "Count",
        times,
        lambda t: cache[t],
    )
    k.series("AWS/RDS", "ACUUtilization", wd, "Percent", times, lambda t: 100 * cache[t] / max_acu)
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        wd,
        "Percent",
        times,
        lambda t: 18 + 12 * traffic(t) + 48 * job_on(t) + k.noise(2),
    )
    k.series("AWS/RDS", "CPUUtilization", rd, "Percent", times, lambda t: 4 + 6 * traffic(t) + k.noise(1))
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        wd,
        "Count",
        times,
        lambda t: 12 + 20 * traffic(t) + 16 * (job_on(t) > 0) + k.noise(1.5),
    )
    k.series(
        "AWS/RDS",
        "CommitLatency",
        wd,
        "Milliseconds",
        times,
        lambda t: 1.6 + 0.7 * job_on(t) + abs(k.noise(0.3)),
    )
    k.series(
        "AWS/RDS",
        "SelectLatency",
        wd,
        "Milliseconds",
        times,
        lambda t: 0.9 + 0.5 * job_on(t) + abs(k.noise(0.15)),
    )
    k.series(
        "AWS/RDS",
        "FreeableMemory",
        wd,
        "Bytes",
        times,
        lambda t: cache[t] * 2 * 2**30 * 0.42 + k.noise(3e7),
    )
    k.series(
        "AWS/RDS",
        "AuroraReplicaLag",
        rd,
        "Milliseconds",
        times,
        lambda t: 18 + 9 * job_on(t) + abs(k.noise(4)),
    )

    fd = {"FunctionName": fn}

    def inv(t: datetime) -> float:
        return round(30 + 420 * traffic(t) + k.noise(8))

    k.series("AWS/Lambda", "Invocations", fd, "Count", times, inv)
    k.series("AWS/Lambda", "Errors", fd, "Count", times, lambda t: float(r.random() < 0.03))
    k.series(
        "AWS/Lambda",
        "Duration",
        fd,
        "Milliseconds",
        times,
        lambda t: 62 + 9 * job_on(t) + abs(k.noise(6)),
    )
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": ecs_cluster, "ServiceName": "invoice-pdf-renderer"},
        "Percent",
        times,
        lambda t: 12 + 15 * traffic(t) + k.noise(2),
    )

    # ------------------------------------------------------------------ alarms
    created = day - timedelta(days=r.randint(40, 120))
    thr = round(max_acu * 0.75)
    hist: list[tuple[datetime, str, str]] = []
    for back in range(5, -1, -1):
        s = run_today - timedelta(days=back)
        if s.weekday() >= 5 or s < created:
            continue
        d = dur_today if back == 0 else (dur_yday if back == 1 else timedelta(minutes=r.randint(33, 45)))
        hist.append(
            (
                s + timedelta(minutes=4, seconds=r.randint(5, 50)),
                "ALARM",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{peak_acu:.1f} ({s + timedelta(minutes=4):%d/%m/%y %H:%M}:00)] "
                f"were greater than the threshold ({thr:.1f}) (minimum 3 datapoints for OK -> ALARM transition).",
            )
        )
        ok_t = s + d + timedelta(minutes=3, seconds=r.randint(5, 50))
        if ok_t <= now:
            hist.append(
                (
                    ok_t,
                    "OK",
                    f"Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold ({thr:.1f}) "
                    "(minimum 3 datapoints for ALARM -> OK transition).",
                )
            )
    acu_alarm = k.alarm(
        f"{cl}-acu-high",
        "AWS/RDS",
        "ServerlessDatabaseCapacity",
        wd,
        "Maximum",
        60,
        3,
        thr,
        "GreaterThanThreshold",
        hist,
        created,
        description=f"Writer ACUs above {thr} (max {max_acu:.0f}). Check for runaway queries / cost.",
        topic="billing-team-alerts",
    )
    k.alarm(
        f"{fn}-errors",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        300,
        2,
        20,
        "GreaterThanThreshold",
        [
            (
                created + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (20.0).",
            )
        ],
        created,
        missing="notBreaching",
        topic="billing-team-alerts",
    )
    k.alarm(
        f"{fn}-p99-duration",
        "AWS/Lambda",
        "Duration",
        fd,
        "Maximum",
        300,
        3,
        3000,
        "GreaterThanThreshold",
        [
            (
                created + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (3000.0).",
            )
        ],
        created,
        topic="billing-team-alerts",
    )
    k.alarm(
        f"{cl}-replica-lag",
        "AWS/RDS",
        "AuroraReplicaLag",
        rd,
        "Maximum",
        300,
        2,
        2000,
        "GreaterThanThreshold",
        [
            (
                created + timedelta(minutes=8),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (2000.0).",
            )
        ],
        created,
    )

    # ------------------------------------------------------------------ logs
    jg = f"/ecs/{job}"
    for s, d in ((run_yday, dur_yday), (run_today, dur_today)):
        task = k.hex(32)
        st = f"{job}/{job}/{task}"
        tenants = r.randint(2600, 3400)
        period = (s + JST - timedelta(days=1)).strftime("%Y-%m-%d")
        k.log(
            jg,
            st,
            s + timedelta(seconds=48),
            f"{iso_ms(s + timedelta(seconds=48))} INFO  rollup: starting daily usage roll-up for {period}, tenants={tenants}, workers=8",
        )
        done = 0
        t = s + timedelta(minutes=2)
        while t < min(s + d, now):
            done = min(tenants, done + tenants // max(1, int(d.total_seconds() // 120)))
            k.log(
                jg,
                st,
                t,
                f"{iso_ms(t)} INFO  rollup: progress {done}/{tenants} tenants, invoices_upserted={done * r.randint(3, 5)}",
            )
            t += timedelta(minutes=2)
        if s + d <= now:
            k.log(
                jg,
                st,
                s + d,
                f"{iso_ms(s + d)} INFO  rollup: done tenants={tenants} elapsed={int(d.total_seconds() // 60)}m{int(d.total_seconds() % 60)}s errors=0",
            )
    lg = f"/aws/lambda/{fn}"
    for t in minutes(start, now, 420):
        rid = k.uid()
        st = f"{t:%Y/%m/%d}/[{r.randint(40, 48)}]{k.hex(32)}"
        dur_ms = 55 + r.random() * 30
        k.log(lg, st, t, f"START RequestId: {rid} Version: {r.randint(40, 48)}\n")
        k.log(lg, st, t, f"END RequestId: {rid}\n")
        k.log(
            lg,
            st,
            t,
            f"REPORT RequestId: {rid}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {int(dur_ms) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {r.randint(70, 90)} MB\t\n",
        )

    # ------------------------------------------------------------------ CloudTrail
    sched = k.role(f"{job}-scheduler", k.hex(32), invoked_by="scheduler.amazonaws.com")
    td = k.arn("ecs", f"task-definition/{job}:{r.randint(20, 40)}")
    for s in (run_yday, run_today):
        k.trail(
            s + timedelta(seconds=r.randint(1, 9)),
            "ecs.amazonaws.com",
            "RunTask",
            sched,
            {
                "cluster": k.arn("ecs", f"cluster/{ecs_cluster}"),
                "taskDefinition": td,
                "count": 1,
                "launchType": "FARGATE",
                "group": f"scheduler/{job}-weekday-0900",
            },
            {
                "tasks": [
                    {
                        "taskArn": k.arn("ecs", f"task/{ecs_cluster}/{k.hex(32)}"),
                        "lastStatus": "PROVISIONING",
                        "group": f"scheduler/{job}-weekday-0900",
                    }
                ],
                "failures": [],
            },
        )
    dev = k.sso(r.choice(["haruto.sato", "yui.tanaka", "ren.kobayashi"]), "Developer")
    k.trail(
        run_yday + timedelta(hours=r.randint(4, 7)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        dev,
        {"functionName": fn, "environment": {}},
        {
            "functionName": fn,
            "functionArn": k.arn("lambda", f"function:{fn}"),
            "lastUpdateStatus": "InProgress",
        },
        agent="console.amazonaws.com",
    )
    k.trail(
        run_today - timedelta(minutes=r.randint(15, 50)),
        "ssm.amazonaws.com",
        "PutParameter",
        dev,
        {"name": "/billing/invoice-api/feature_flags", "type": "String", "overwrite": True},
        {"version": r.randint(10, 30), "tier": "Standard"},
        agent="console.amazonaws.com",
    )
    ops = k.sso(r.choice(["kenji.mori", "aoi.nakamura"]), "OnCall")
    for i in range(5):
        k.trail(
            run_today + timedelta(minutes=8 + 5 * i, seconds=r.randint(0, 59)),
            "rds.amazonaws.com",
            ["DescribeDBClusters", "DescribeDBInstances"][i % 2],
            ops,
            {"dBClusterIdentifier": cl} if i % 2 == 0 else None,
            None,
            read_only=True,
            agent="console.amazonaws.com",
        )
    calls: list[tuple[str, str, dict[str, object] | None]] = [
        ("rds.amazonaws.com", "DescribeDBClusters", None),
        ("rds.amazonaws.com", "DescribeDBInstances", None),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": ecs_cluster}),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("ce.amazonaws.com", "GetCostAndUsage", None),
    ]
    k.tooling(start, now, calls, 50)

    # ------------------------------------------------------------------ resources
    cl_created = day - timedelta(days=r.randint(200, 500))
    host = f"{cl}.cluster-c{k.hex(11)}.ap-northeast-1.rds.amazonaws.com"
    k.res(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": cl,
            "DBClusterArn": k.arn("rds", f"cluster:{cl}"),
            "Engine": "aurora-mysql",
            "EngineVersion": "8.0.mysql_aurora.3.05.2",
            "EngineMode": "provisioned",
            "Status": "available",
            "Endpoint": host,
            "ReaderEndpoint": host.replace(".cluster-", ".cluster-ro-"),
            "Port": 3306,
            "MasterUsername": "admin",
            "DatabaseName": "billing",
            "MultiAZ": True,
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
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 1.0, "MaxCapacity": max_acu},
            "BackupRetentionPeriod": 7,
            "StorageEncrypted": True,
            "DbClusterResourceId": "cluster-" + k.upper(26),
            "ClusterCreateTime": iso(cl_created),
        },
    )
    for inst, az in ((writer, "ap-northeast-1a"), (reader, "ap-northeast-1c")):
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": inst,
                "DBInstanceClass": "db.serverless",
                "Engine": "aurora-mysql",
                "EngineVersion": "8.0.mysql_aurora.3.05.2",
                "DBInstanceStatus": "available",
                "DBClusterIdentifier": cl,
                "AvailabilityZone": az,
                "PromotionTier": 1,
                "MultiAZ": False,
                "InstanceCreateTime": iso(cl_created),
                "DbiResourceId": "db-" + k.upper(26),
                "DBInstanceArn": k.arn("rds", f"db:{inst}"),
                "PerformanceInsightsEnabled": True,
                "PerformanceInsightsRetentionPeriod": 7,
            },
        )
    k.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": td,
            "family": job,
            "status": "ACTIVE",
            "cpu": "2048",
            "memory": "4096",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": job,
                    "image": f"{k.account}.dkr.ecr.ap-northeast-1.amazonaws.com/{job}:{k.hex(7)}",
                    "environment": [
                        {"name": "DB_HOST", "value": host},
                        {"name": "ROLLUP_WORKERS", "value": "8"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": jg,
                            "awslogs-region": "ap-northeast-1",
                            "awslogs-stream-prefix": job,
                        },
                    },
                }
            ],
        },
    )
    k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": k.arn("ecs", f"cluster/{ecs_cluster}"),
            "clusterName": ecs_cluster,
            "status": "ACTIVE",
            "runningTasksCount": 3,
            "activeServicesCount": 1,
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
            "Handler": "dist/index.handler",
            "Timeout": 15,
            "MemorySize": 256,
            "Environment": {"Variables": {"DB_HOST": host, "DB_NAME": "billing"}},
            "LastModified": iso(run_yday + timedelta(hours=5)).replace("Z", ".000+0000"),
            "State": "Active",
        },
    )
    k.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": jg,
            "creationTime": int(cl_created.timestamp() * 1000),
            "retentionInDays": 30,
            "arn": k.arn("logs", f"log-group:{jg}:*"),
        },
    )
    k.res(
        "sns",
        "Topic",
        {
            "TopicArn": k.arn("sns", "billing-team-alerts"),
            "Attributes": {"DisplayName": "billing alerts", "SubscriptionsConfirmed": "3"},
        },
    )

    truth: dict[str, Any] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    paged = hist[-2][0] if hist[-1][1] == "OK" else hist[-1][0]
    local = paged + JST
    question = (
        f"Got paged by {cl}-acu-high at {local:%-H:%M} this morning. Capacity jumped to ~{peak_acu:.0f} ACUs, "
        f"close to our max of {max_acu:.0f}. Is something running away on the billing DB? Finance keeps asking "
        "about the Aurora bill and I don't want to just raise the max."
    )
    _ = acu_alarm
    return k.bundle(TITLE, start, now, truth, question, "Asia/Tokyo", None)
