"""Night page for the Aurora reader's CPU on a Monday: the weekly progress export, as every week."""

from __future__ import annotations

from datetime import timedelta

from evals.bundle import Bundle

from ._kit_zzzf import (
    REGION,
    Ctx,
    alb_minute,
    background_trail,
    cloudfront_minute,
    crossing_reason,
    diurnal,
    ecs_minute,
    finish,
    iso,
    lb_totals,
    local_clock,
    minutes,
    platform,
    rds_minute,
    reason_data,
    task_id,
)

NAME = "aurora-reader-cpu-page-monday"
TITLE = "Paged in the night for Aurora reader CPU; is anything hammering the database?"
SUMMARY = "The weekly learner-progress export, an EventBridge-scheduled Fargate task that scans the reader every Monday at 06:00 UTC, drives the reader's CPU over its alarm threshold for about half an hour; nothing is wrong and the alarm clears when the task exits."


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME)
    r = ctx.rng
    a = ctx.account
    zone = "America/New_York"
    monday = ctx.day + timedelta(days=(7 - ctx.day.weekday()) % 7)
    run = monday + timedelta(hours=6, seconds=r.randint(1, 20))
    dur = timedelta(minutes=r.randint(24, 33), seconds=r.randint(0, 59))
    onset = run + timedelta(minutes=r.randint(3, 5))
    start = (run - timedelta(hours=3, minutes=r.randint(15, 35))).replace(second=0)
    now = (run + dur + timedelta(minutes=r.randint(9, 18))).replace(second=0)
    revs = {
        "bp-learn-api": r.randint(140, 190),
        "bp-web": r.randint(300, 420),
        "bp-progress-api": r.randint(60, 99),
    }
    deployed = {k: ctx.day - timedelta(days=r.randint(1, 4)) for k in revs}
    platform(ctx, {"bp-learn-api": 3, "bp-web": 2, "bp-progress-api": 2}, revs, deployed)
    fam = "bp-progress-export"
    td = f"arn:aws:ecs:{REGION}:{a}:task-definition/{fam}:{r.randint(9, 30)}"
    rule = "bp-weekly-progress-export"
    started_by = f"events-rule/{rule}"[:36]
    tid = task_id(ctx)
    task_arn = f"arn:aws:ecs:{REGION}:{a}:task/{ctx.cluster}/{tid}"
    ctx.res(
        "ecs",
        "Task",
        {
            "taskArn": task_arn,
            "clusterArn": ctx.cluster_arn,
            "taskDefinitionArn": td,
            "availabilityZone": ctx.azs[1],
            "group": f"family:{fam}",
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "cpu": "2048",
            "memory": "4096",
            "lastStatus": "STOPPED",
            "desiredStatus": "STOPPED",
            "startedBy": started_by,
            "createdAt": iso(run),
            "pullStartedAt": iso(run + timedelta(seconds=14)),
            "pullStoppedAt": iso(run + timedelta(seconds=31)),
            "startedAt": iso(run + timedelta(seconds=38)),
            "stoppingAt": iso(run + dur),
            "executionStoppedAt": iso(run + dur + timedelta(seconds=2)),
            "stoppedAt": iso(run + dur + timedelta(seconds=25)),
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "Essential container in task exited",
            "containers": [
                {
                    "containerArn": f"arn:aws:ecs:{REGION}:{a}:container/{ctx.cluster}/{tid}/{ctx.uuid()}",
                    "taskArn": task_arn,
                    "name": "export",
                    "image": f"{a}.dkr.ecr.{REGION}.amazonaws.com/brightpath/progress-export:{ctx.hex(7)}",
                    "lastStatus": "STOPPED",
                    "exitCode": 0,
                    "cpu": "0",
                }
            ],
            "version": 5,
        },
    )
    ctx.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": td,
            "family": fam,
            "revision": int(td.rsplit(":", 1)[1]),
            "status": "ACTIVE",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "2048",
            "memory": "4096",
            "executionRoleArn": f"arn:aws:iam::{a}:role/bp-ecs-task-execution",
            "taskRoleArn": f"arn:aws:iam::{a}:role/bp-progress-export-task",
            "containerDefinitions": [
                {
                    "name": "export",
                    "image": f"{a}.dkr.ecr.{REGION}.amazonaws.com/brightpath/progress-export:{ctx.hex(7)}",
                    "essential": True,
                    "command": ["python", "-m", "export.weekly"],
                    "environment": [
                        {"name": "DB_ENDPOINT", "value": "reader"},
                        {"name": "EXPORT_BUCKET", "value": f"brightpath-exports-{a[-6:]}"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{fam}",
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        },
    )

    # --- CloudTrail ------------------------------------------------------------------------------------------
    background_trail(ctx, start, now, 32)
    events_role = ctx.role("bp-ecs-events-role", ctx.hex(32), "events.amazonaws.com")
    cleanup_td = f"arn:aws:ecs:{REGION}:{a}:task-definition/bp-media-cleanup:{r.randint(3, 12)}"
    t_cleanup = monday + timedelta(hours=5, seconds=r.randint(1, 20))
    netcfg = {
        "awsvpcConfiguration": {
            "subnets": list(ctx.subnets),
            "securityGroups": [ctx.app_sg],
            "assignPublicIp": "DISABLED",
        }
    }
    for t, tdef, sb, tk in (
        (t_cleanup, cleanup_td, "events-rule/bp-nightly-media-cleanup"[:36], task_id(ctx)),
        (run, td, started_by, tid),
        (
            monday + timedelta(days=-1, hours=5, seconds=7),
            cleanup_td,
            "events-rule/bp-nightly-media-cleanup"[:36],
            task_id(ctx),
        ),
    ):
        if t < start:
            continue
        ctx.ct(
            t,
            "ecs.amazonaws.com",
            "RunTask",
            events_role,
            {
                "cluster": ctx.cluster_arn,
                "taskDefinition": tdef,
                "count": 1,
                "startedBy": sb,
                "launchType": "FARGATE",
                "networkConfiguration": netcfg,
                "enableECSManagedTags": False,
                "enableExecuteCommand": False,
            },
            {
                "tasks": [
                    {
                        "taskArn": f"arn:aws:ecs:{REGION}:{a}:task/{ctx.cluster}/{tk}",
                        "clusterArn": ctx.cluster_arn,
                        "taskDefinitionArn": tdef,
                        "lastStatus": "PROVISIONING",
                        "desiredStatus": "RUNNING",
                        "startedBy": sb,
                        "launchType": "FARGATE",
                        "createdAt": iso(t),
                    }
                ],
                "failures": [],
            },
        )
    exec_role = ctx.role("bp-ecs-task-execution", tid, "ecs-tasks.amazonaws.com")
    ctx.ct(
        run + timedelta(seconds=20),
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        exec_role,
        None,
        None,
        read_only=True,
    )
    ctx.ct(
        run + timedelta(seconds=36),
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        exec_role,
        {"secretId": f"arn:aws:secretsmanager:{REGION}:{a}:secret:bp/prod/progress-export/db-Qw3rT9"},
        None,
        read_only=True,
    )
    # backup and housekeeping the night before
    ctx.ct(
        start + timedelta(minutes=r.randint(10, 60)),
        "rds.amazonaws.com",
        "CreateDBClusterSnapshot",
        ctx.role(
            "AWSBackupDefaultServiceRole", "AWSBackup-AWSBackupDefaultServiceRole", "backup.amazonaws.com"
        ),
        {"dBClusterIdentifier": ctx.db_cluster, "dBClusterSnapshotIdentifier": f"awsbackup:job-{ctx.uuid()}"},
        {"dBClusterIdentifier": ctx.db_cluster, "status": "creating", "engine": "aurora-postgresql"},
    )
    oncall = ctx.sso("priya.raman@brightpath.io", "ReadOnly")
    ctx.ct(
        onset + timedelta(minutes=r.randint(6, 9)),
        "rds.amazonaws.com",
        "DescribeDBInstances",
        oncall,
        {"dBInstanceIdentifier": ctx.db_reader},
        None,
        read_only=True,
        console=True,
    )
    ctx.ct(
        onset + timedelta(minutes=r.randint(10, 14)),
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        oncall,
        {"alarmNames": ["bp-aurora-reader-cpu-high"]},
        None,
        read_only=True,
        console=True,
    )

    # --- metrics -------------------------------------------------------------------------------------------------
    for m in minutes(start, now):
        d = diurnal(m, 0.5)
        busy = run + timedelta(seconds=40) <= m < run + dur
        lreq = int(900 * d * r.uniform(0.9, 1.1))
        alb_minute(
            ctx,
            m,
            "bp-learn-api-tg",
            lreq,
            target_5xx=1 if r.random() < 0.08 else 0,
            healthy=3,
            median=0.1 if busy else 0.08,
        )
        wreq = int(650 * d * r.uniform(0.9, 1.1))
        alb_minute(
            ctx, m, "bp-web-tg", wreq, target_5xx=1 if r.random() < 0.05 else 0, healthy=2, median=0.13
        )
        preq = int(240 * d * r.uniform(0.9, 1.1))
        alb_minute(ctx, m, "bp-progress-api-tg", preq, healthy=2, median=0.04)
        lb_totals(ctx, m, lreq + wreq + preq, int((lreq + wreq + preq) * 0.4))
        ecs_minute(ctx, m, "bp-learn-api", 18 * d * r.uniform(0.9, 1.1), 50 + r.uniform(-2, 2))
        ecs_minute(ctx, m, "bp-web", 14 * d * r.uniform(0.9, 1.1), 58 + r.uniform(-2, 2))
        ecs_minute(ctx, m, "bp-progress-api", 8 * d * r.uniform(0.9, 1.1), 39 + r.uniform(-2, 2))
        rds_minute(
            ctx, m, ctx.db_writer, 11 * d * r.uniform(0.9, 1.1), 62 * r.uniform(0.95, 1.05), read_iops=120
        )
        rcpu = (
            r.uniform(84, 95) if busy and m >= run + timedelta(minutes=2) else 9 * d * r.uniform(0.85, 1.15)
        )
        rds_minute(
            ctx,
            m,
            ctx.db_reader,
            rcpu,
            (40 + (9 if busy else 0)) * r.uniform(0.95, 1.05),
            read_iops=4200 if busy else 110,
            lag=r.uniform(15, 35) + (r.uniform(10, 60) if busy else 0),
        )
        cloudfront_minute(ctx, m, int((lreq + wreq) * 4.8), r.uniform(0.0, 0.05), r.uniform(0.5, 1.1))

    # --- logs ------------------------------------------------------------------------------------------------------
    g = f"/ecs/{fam}"
    s = f"ecs/export/{tid}"
    week = (run - timedelta(days=7)).isocalendar()
    wk = f"{week[0]}-W{week[1]:02d}"
    t0 = run + timedelta(seconds=41)

    def pl(t: object, level: str, logger: str, msg: str) -> str:
        return f"{t} {level} [{logger}] {msg}"

    def stamp(t: object) -> str:
        return str(t).replace("+00:00", "")[:23].replace(" ", "T") + "Z"

    rows_total = r.randint(900_000, 1_600_000)
    ctx.log(g, s, t0, pl(stamp(t0), "INFO", "export.weekly", f"starting weekly progress export for {wk}"))
    ctx.log(
        g,
        s,
        t0 + timedelta(seconds=1),
        pl(
            stamp(t0 + timedelta(seconds=1)),
            "INFO",
            "export.db",
            "connected to reader endpoint (default_transaction_read_only=on)",
        ),
    )
    courses = r.randint(180, 260)
    step = (dur - timedelta(minutes=2)) / 10
    for i in range(10):
        t = t0 + timedelta(seconds=5) + step * i
        ctx.log(
            g,
            s,
            t,
            pl(
                stamp(t),
                "INFO",
                "export.weekly",
                f"batch {i + 1}/10: courses {i * courses // 10 + 1}-{(i + 1) * courses // 10}, {rows_total // 10 + r.randint(-5000, 5000)} rows",
            ),
        )
    te = run + dur - timedelta(seconds=20)
    ctx.log(
        g,
        s,
        te,
        pl(
            stamp(te),
            "INFO",
            "export.s3",
            f"uploaded s3://brightpath-exports-{a[-6:]}/weekly/{wk}/learner_progress.csv.gz ({r.randint(180, 320)} MiB)",
        ),
    )
    ctx.log(
        g,
        s,
        te + timedelta(seconds=2),
        pl(
            stamp(te + timedelta(seconds=2)),
            "INFO",
            "export.weekly",
            f"export {wk} finished: {rows_total} rows in {int(dur.total_seconds() // 60)}m{int(dur.total_seconds() % 60)}s",
        ),
    )
    lg = "/ecs/bp-learn-api"
    for i in range(3):
        ls = f"ecs/learn-api/{task_id(ctx)}"
        t = start
        while t < now:
            p = r.choice(
                ["/v1/courses/{c}/lessons/{l}", "/v1/me/enrolments", "/v1/lessons/{l}/progress"]
            ).format(c=r.randint(100, 999), l=r.randint(1000, 9999))
            ctx.log(
                lg,
                ls,
                t,
                f'INFO:     10.20.{r.choice([16, 32, 48])}.{r.randint(5, 250)}:{r.randint(20000, 60000)} - "GET {p} HTTP/1.1" 200 OK',
            )
            t += timedelta(seconds=r.uniform(10, 40))
        ctx.log(
            lg,
            ls,
            start + timedelta(seconds=i),
            f'INFO:     10.20.16.{10 + i}:44{i}10 - "GET /health HTTP/1.1" 200 OK',
        )

    # --- alarms -----------------------------------------------------------------------------------------------------
    al = ctx.alarm(
        "bp-aurora-reader-cpu-high",
        "Aurora reader CPU above 80% for 3 minutes",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_reader},
        "Average",
        80.0,
        "GreaterThanThreshold",
        evals=3,
    )
    fire = onset.replace(second=r.randint(5, 55))
    recent = [round(r.uniform(84, 95), 2) for _ in range(3)]
    reason = crossing_reason(al, recent, fire)
    data = reason_data(al, fire, recent)
    ok_t = (run + dur + timedelta(minutes=1)).replace(second=r.randint(5, 55))
    okrec = [round(r.uniform(6, 12), 2) for _ in range(1)]
    okreason = crossing_reason(al, okrec, ok_t, alarming=False)
    # the same pair of transitions on the previous Mondays
    last_ok = fire
    for weeks in (3, 2, 1):
        past = fire - timedelta(days=7 * weeks, seconds=r.randint(-40, 60))
        prec = [round(r.uniform(83, 94), 2) for _ in range(3)]
        ctx.transition(al, past, "OK", "ALARM", crossing_reason(al, prec, past), reason_data(al, past, prec))
        pok = past + timedelta(minutes=r.randint(22, 32))
        prok = [round(r.uniform(6, 12), 2)]
        ctx.transition(
            al, pok, "ALARM", "OK", crossing_reason(al, prok, pok, alarming=False), reason_data(al, pok, prok)
        )
        last_ok = pok
    ctx.transition(al, fire, "OK", "ALARM", reason, data)
    ctx.transition(al, ok_t, "ALARM", "OK", okreason, reason_data(al, ok_t, okrec))
    al.update(StateReason=okreason, StateUpdatedTimestamp=iso(ok_t), StateTransitionedTimestamp=iso(ok_t))
    ctx.alarm(
        "bp-aurora-writer-cpu-high",
        "Aurora writer CPU",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_writer},
        "Average",
        80.0,
        "GreaterThanThreshold",
        period=300,
        evals=3,
    )
    ctx.alarm(
        "bp-aurora-replica-lag",
        "Aurora reader lag",
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": ctx.db_reader},
        "Maximum",
        2000.0,
        "GreaterThanThreshold",
        evals=5,
    )
    ctx.alarm(
        "bp-prod-alb-elb-5xx",
        "ALB-generated 5xx on bp-prod-alb",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": ctx.alb_dim},
        "Sum",
        50.0,
        "GreaterThanThreshold",
        evals=3,
    )
    ctx.alarm(
        "bp-learn-api-target-5xx",
        "learn-api returning 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": ctx.tg_dim("bp-learn-api-tg"), "LoadBalancer": ctx.alb_dim},
        "Sum",
        100.0,
        "GreaterThanThreshold",
        evals=3,
    )

    question = (
        f"Got paged at {local_clock(fire, zone)} for bp-aurora-reader-cpu-high. Is something hammering the database? "
        "Are students affected, and do I need to do anything right now?"
    )
    event = ctx.alarm_event(al, fire, reason, data, last_ok)
    return finish(
        ctx,
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": a,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": zone},
            "truth": {
                "no_fault": True,
                "root_cause": None,
                "also_accept": [],
                "actions": [],
                "chain": [ctx.db_reader, fam],
            },
        },
    )
