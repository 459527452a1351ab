"""Overnight send-worker job failures after the Aurora writer crashed and the cluster failed over."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzs import (
    Ctx,
    background,
    clock,
    local_zone,
    ms,
    routine_changes,
    steady_events,
)

NAME = "send-worker-read-only-errors-overnight"
TITLE = "send-worker job failures paging overnight; scheduled sends not going out"
SUMMARY = (
    "The Aurora writer instance crashed and the cluster failed over; send workers whose pools had "
    "reconnected to the old writer (back as a reader) kept failing their writes as read-only."
)


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, salt=NAME, onset_hour=(2, 20))
    r = ctx.rng
    onset = ctx.onset
    old, new = ctx.db_instances
    workers = 8
    stuck = r.randint(4, 6)
    ctx.platform(worker_desired=workers)
    for m in ctx.db_cluster_item["DBClusterMembers"]:
        m["IsClusterWriter"] = m["DBInstanceIdentifier"] == new
    steady_events(ctx, "send-worker")
    steady_events(ctx, "list-import")
    crash_end = onset + timedelta(seconds=r.randint(50, 80))
    back = onset + timedelta(minutes=r.randint(3, 5))

    # --- RDS events ----------------------------------------------------------------------------------
    def rds_event(t: datetime, src: str, kind: str, msg: str, cats: list[str]) -> None:
        arn = ctx.arn("rds", f"cluster:{src}") if kind == "db-cluster" else ctx.arn("rds", f"db:{src}")
        ctx.events.append(
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": src,
                    "SourceType": kind,
                    "Message": msg,
                    "EventCategories": cats,
                    "Date": t.isoformat(),
                    "SourceArn": arn,
                },
            }
        )

    rds_event(
        onset + timedelta(seconds=9),
        ctx.db_cluster,
        "db-cluster",
        f"Started cross AZ failover to DB instance: {new}",
        ["failover"],
    )
    rds_event(
        onset + timedelta(seconds=12),
        old,
        "db-instance",
        "Recovery of the DB instance has started. Recovery time will vary with the amount of data to be recovered.",
        ["recovery"],
    )
    rds_event(
        crash_end, ctx.db_cluster, "db-cluster", f"Completed failover to DB instance: {new}", ["failover"]
    )
    rds_event(back, old, "db-instance", "DB instance restarted", ["availability"])
    rds_event(
        back + timedelta(seconds=20),
        old,
        "db-instance",
        "Recovery of the DB instance is complete.",
        ["recovery"],
    )
    snap = ctx.start + timedelta(minutes=r.randint(20, 60))
    ctx.events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": f"{ctx.cache}-002",
                "SourceType": "cache-cluster",
                "Message": f"Snapshot succeeded for snapshot with ID 'automatic.{ctx.cache}-002-{snap:%Y-%m-%d-%H-%M}' of replication group with ID '{ctx.cache}'",
                "Date": snap.isoformat(),
            },
        }
    )

    # --- metrics -------------------------------------------------------------------------------------
    def load(t: datetime) -> float:
        return 0.55 * ctx.diurnal(t)

    background(ctx, load=load, skip={"rds"})
    rows: dict[datetime, dict[str, float]] = {}
    vis, dlq = 0.0, 0.0
    p = stuck / workers
    t = ctx.start
    while t <= ctx.now:
        inflow = 70 * load(t) / 0.55 * ctx.noise(1, 0.15)
        if t.minute in (0, 30):
            inflow += r.randint(300, 900)  # scheduled sends released on the half hour
        after = t >= back
        during = onset <= t < back
        work = min(vis + inflow, workers * 28 * ctx.noise(1, 0.04))
        if during:
            done, failed, dead = work * 0.1, work * 0.9, 0.0
        elif after:
            # a job fails on a stuck worker, comes back after the 300 s visibility timeout, and is
            # dead-lettered after its third failed receive
            failed = work * (p + p * p + p**3)
            dead = work * p**3 if t >= back + timedelta(minutes=10) else 0.0
            done = work - dead
        else:
            done, failed, dead = work, 0.0, 0.0
        vis = max(0.0, vis + inflow - done - dead)
        dlq += dead
        rows[t] = {
            "sent": inflow,
            "recv": work + failed,
            "del": done,
            "vis": vis + (failed * 0.3 if after else 0.0),
            "failed": failed,
            "dlq": dlq,
            "age": ctx.noise(610 if t >= back + timedelta(minutes=5) else 305, 0.02)
            if after
            else ctx.noise(4, 0.3),
        }
        t += timedelta(minutes=1)
    first_dlq = back + timedelta(minutes=10)
    ctx.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": ctx.dlq},
        "Count",
        lambda t: float(int(rows[t]["dlq"])) if t >= first_dlq else None,
    )
    q = {"QueueName": ctx.queue}
    for metric, key, unit in (
        ("NumberOfMessagesSent", "sent", "Count"),
        ("NumberOfMessagesReceived", "recv", "Count"),
        ("NumberOfMessagesDeleted", "del", "Count"),
        ("ApproximateNumberOfMessagesVisible", "vis", "Count"),
        ("ApproximateAgeOfOldestMessage", "age", "Seconds"),
    ):
        ctx.series("AWS/SQS", metric, q, unit, lambda t, key=key: float(int(rows[t][key])))
    ctx.series(
        "Mailer/SendWorker",
        "JobsFailed",
        {"Service": "send-worker"},
        "Count",
        lambda t: (
            float(int(rows[t]["failed"])) if rows[t]["failed"] >= 1 else (1.0 if r.random() < 0.05 else 0.0)
        ),
    )
    ctx.series(
        "Mailer/SendWorker",
        "JobsSucceeded",
        {"Service": "send-worker"},
        "Count",
        lambda t: float(int(rows[t]["del"])),
    )
    ctx.series("AWS/SES", "Send", {}, "Count", lambda t: float(int(rows[t]["del"] * 50 * ctx.noise(1, 0.03))))
    ctx.series("AWS/SES", "Delivery", {}, "Count", lambda t: float(int(rows[t]["del"] * 49.2)))
    svc = {"ClusterName": ctx.cluster, "ServiceName": "send-worker"}
    ctx.series(
        "AWS/ECS", "CPUUtilization", svc, "Percent", lambda t: ctx.noise(9 + 30 * rows[t]["recv"] / 224, 0.08)
    )

    def role_of(inst: str, t: datetime) -> str:
        if onset <= t < (crash_end if inst == new else back):
            return "down" if inst == old else "promoting"
        if t >= crash_end and inst == new:
            return "writer"
        if t >= back and inst == old:
            return "reader"
        return "writer" if inst == old else "reader"

    for inst in (old, new):
        d = {"DBInstanceIdentifier": inst}

        def cpu(t: datetime, inst: str = inst) -> float | None:
            role = role_of(inst, t)
            if role == "down":
                return None
            return ctx.noise({"writer": 28, "reader": 7, "promoting": 12}[role] * (0.5 + load(t)), 0.1)

        def conns(t: datetime, inst: str = inst) -> float | None:
            role = role_of(inst, t)
            if role == "down":
                return None
            if inst == old and role == "reader":
                return float(int(ctx.noise(stuck * 5 + 6, 0.05)))
            if inst == new and role == "writer":
                return float(int(ctx.noise((workers - stuck) * 5 + 22, 0.05)))
            return float(int(ctx.noise(46 if role == "writer" else 6, 0.05)))

        ctx.series("AWS/RDS", "CPUUtilization", d, "Percent", cpu)
        ctx.series("AWS/RDS", "DatabaseConnections", d, "Count", conns)
        ctx.series(
            "AWS/RDS",
            "FreeableMemory",
            d,
            "Bytes",
            lambda t, inst=inst: (
                None
                if role_of(inst, t) == "down"
                else ctx.noise(1.9e10 if not (inst == old and t >= back) else 2.6e10, 0.01)
            ),
        )
        ctx.series(
            "AWS/RDS",
            "DMLThroughput",
            d,
            "Count/Second",
            lambda t, inst=inst: (
                None
                if role_of(inst, t) == "down"
                else (
                    ctx.noise(38 * load(t) / 0.55, 0.1) * ((1 - stuck / workers) if t >= back else 1.0)
                    if role_of(inst, t) == "writer"
                    else 0.0
                )
            ),
        )
        ctx.series(
            "AWS/RDS",
            "EngineUptime",
            d,
            "Seconds",
            lambda t, inst=inst: (
                None
                if role_of(inst, t) == "down"
                else (
                    (t - back).total_seconds()
                    if inst == old and t >= back
                    else (t - ctx.start).total_seconds() + 3.1e6
                )
            ),
        )
    ctx.series(
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": new},
        "Milliseconds",
        lambda t: None if role_of(new, t) != "reader" else ctx.noise(18, 0.3),
    )
    ctx.series(
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": old},
        "Milliseconds",
        lambda t: ctx.noise(21, 0.3) if role_of(old, t) == "reader" else None,
    )

    # --- alarms --------------------------------------------------------------------------------------
    page = back + timedelta(minutes=r.randint(3, 5))
    failures = ctx.alarm(
        "send-worker-job-failures",
        "Mailer/SendWorker",
        "JobsFailed",
        {"Service": "send-worker"},
        stat="Sum",
        threshold=10.0,
        period=60,
        evals=3,
        missing="notBreaching",
        desc="send-worker jobs failing. Check /ecs/send-worker.",
        transitions=[
            (
                page,
                "ALARM",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{int(rows[page.replace(second=0) - timedelta(minutes=1)]['failed'])}.0 ({page - timedelta(minutes=1):%d/%m/%y %H:%M:%S}), {int(rows[page.replace(second=0) - timedelta(minutes=2)]['failed'])}.0 ({page - timedelta(minutes=2):%d/%m/%y %H:%M:%S}), {int(rows[page.replace(second=0) - timedelta(minutes=3)]['failed'])}.0 ({page - timedelta(minutes=3):%d/%m/%y %H:%M:%S})] were greater than the threshold (10.0) (minimum 3 datapoints for OK -> ALARM transition).",
            )
        ],
    )
    ctx.alarm(
        "aurora-writer-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": old},
        stat="Average",
        threshold=75.0,
        period=300,
        evals=2,
        missing="missing",
        transitions=[
            (
                onset + timedelta(minutes=2, seconds=30),
                "INSUFFICIENT_DATA",
                "Insufficient Data: 1 datapoint was unknown.",
            ),
            (
                back + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints [6.8 , 7.1] were not greater than the threshold (75.0) (minimum 2 datapoints for ALARM -> OK transition).",
            ),
        ],
    )
    ctx.alarm(
        "campaign-send-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        stat="Maximum",
        threshold=1800.0,
        period=300,
        evals=3,
    )
    dlq_at = first_dlq + timedelta(minutes=r.randint(2, 5))
    ctx.alarm(
        "campaign-send-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": ctx.dlq},
        stat="Maximum",
        threshold=0.0,
        period=300,
        evals=1,
        missing="notBreaching",
        transitions=[
            (
                dlq_at,
                "ALARM",
                f"Threshold Crossed: 1 out of the last 1 datapoints [{max(1, int(rows[first_dlq]['dlq']))}.0 ({dlq_at - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
            )
        ],
    )
    flap = ctx.start + timedelta(minutes=r.randint(15, 60))
    ctx.alarm(
        "redis-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{ctx.cache}-001", "CacheNodeId": "0001"},
        stat="Maximum",
        threshold=60.0,
        period=60,
        evals=2,
        transitions=[
            (
                flap,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints [64.2, 61.7] were greater than the threshold (60.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                flap + timedelta(minutes=4),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints [12.0, 9.4] were not greater than the threshold (60.0) (minimum 2 datapoints for ALARM -> OK transition).",
            ),
        ],
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    ctx.noise_trail(n=42)
    routine_changes(
        ctx, [ctx.start + timedelta(minutes=r.randint(10, 40)), onset - timedelta(minutes=r.randint(50, 80))]
    )
    oncall = ctx.sso(ctx.people[0])
    for k, name in enumerate(
        ["DescribeDBClusters", "DescribeDBInstances", "DescribeEvents", "DescribeDBInstances"]
    ):
        ctx.trail(
            page + timedelta(minutes=9 + k * 2),
            "rds.amazonaws.com",
            name,
            oncall,
            {"dBClusterIdentifier": ctx.db_cluster} if name == "DescribeDBClusters" else None,
            None,
            read_only=True,
            agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        )

    # --- logs ----------------------------------------------------------------------------------------
    streams = [f"ecs/send-worker/{ctx.task_id()}" for _ in range(workers)]
    bad = set(r.sample(range(workers), stuck))
    t = ctx.start
    while t <= ctx.now:
        for i, s in enumerate(streams):
            ts = t + timedelta(seconds=r.uniform(0, 59))
            stamp = f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d}"
            if onset <= t < back:
                ctx.log(
                    "/ecs/send-worker",
                    s,
                    ts,
                    f"{stamp} ERROR sender.job job={ctx.hex(8)} failed\nsqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (2013, 'Lost connection to MySQL server during query')\n[SQL: INSERT INTO send_log (job_id, campaign_id, chunk, recipients, status, sent_at) VALUES (%(job_id)s, %(campaign_id)s, %(chunk)s, %(recipients)s, %(status)s, %(sent_at)s)]\n(Background on this error at: https://sqlalche.me/e/20/e3q8)",
                )
            elif t >= back and i in bad:
                ctx.log(
                    "/ecs/send-worker",
                    s,
                    ts,
                    f"{stamp} ERROR sender.job job={ctx.hex(8)} failed, message left for retry\nsqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1290, 'The MySQL server is running with the --read-only option so it cannot execute this statement')\n[SQL: UPDATE send_jobs SET status=%(status)s, claimed_by=%(claimed_by)s, updated_at=now() WHERE send_jobs.id = %(id_1)s]\n(Background on this error at: https://sqlalche.me/e/20/e3q8)",
                )
            elif r.random() < 0.35:
                ctx.log(
                    "/ecs/send-worker",
                    s,
                    ts,
                    f"{stamp} INFO sender.job campaign=scheduled-{r.choice(['digest', 'winback', 'birthday', 'reengage'])} job={ctx.hex(8)} recipients=50 accepted=50 took={ctx.noise(8.2, 0.2):.2f}s",
                )
        t += timedelta(minutes=1)
    log_text = "\n".join(
        [
            f"{(back - timedelta(seconds=40)):%Y-%m-%dT%H:%M:%S}.{r.randint(100000, 999999)}Z 0 [System] [MY-010116] [Server] /rdsdbbin/oscar/bin/mysqld (mysqld 8.0.32) starting as process {r.randint(300, 900)}",
            f"{(back - timedelta(seconds=31)):%Y-%m-%dT%H:%M:%S}.{r.randint(100000, 999999)}Z 0 [Warning] [MY-010068] [Server] CA certificate /rdsdbdata/rds-metadata/ca-cert.pem is self signed.",
            f"{(back - timedelta(seconds=28)):%Y-%m-%dT%H:%M:%S}.{r.randint(100000, 999999)}Z 0 [System] [MY-010931] [Server] /rdsdbbin/oscar/bin/mysqld: ready for connections. Version: '8.0.32'  socket: '/tmp/mysql.sock'  port: 3306  Source distribution.",
        ]
    )
    ctx.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": old,
            "LogFileName": "error/mysql-error-running.log",
            "LastWritten": ms(back - timedelta(seconds=28)),
            "Size": len(log_text),
            "Data": log_text,
        },
    )

    zone, _ = local_zone(ctx.region)
    question = (
        f"Got paged for send-worker job failures at {clock(ctx, page)}. Scheduled sends are going out late "
        f"and the DLQ alarm went off too. RDS console says both Aurora instances are available and nobody is "
        f"deploying at this hour. What's going on?"
    )
    return ctx.bundle(
        title=TITLE,
        question=question,
        timezone=zone,
        alarm_event=ctx.alarm_event(failures, page, failures["StateReason"]),
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": old,
                "category": "component_failure",
                "failure_mode": "aurora-writer-crash-stale-pool-connections",
            },
            "also_accept": [ctx.arn("rds", f"db:{old}")],
            "actions": ["restart"],
            "chain": [old, ctx.db_cluster, "send-worker", ctx.queue],
        },
    )
