"""No fault: the nightly archive job's bulk deletes make the orders stream consumer lag for a few minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzg as kit

NAME = "orders-stream-projector-iterator-age-page-overnight"
TITLE = "On-call asks whether order updates were dropped when the orders stream projector fell behind tonight"
SUMMARY = (
    "The scheduled orders-archiver run bulk-deletes old orders every night; the REMOVE records back up the "
    "stream consumer, iterator age crosses its alarm and drains. Nothing new or broken."
)


def build(seed: int) -> Bundle:
    ctx = kit.Ctx(seed, salt=NAME, start_hour=21)
    r = ctx.rng
    run = (ctx.start + timedelta(days=1)).replace(hour=1, minute=0, second=0)
    run_m = int(ctx.mi(run))
    ctx.onset = run
    ctx.now = run + timedelta(minutes=r.randint(45, 58))
    ctx.end = ctx.now
    ctx.minutes = int((ctx.end - ctx.start).total_seconds() // 60)
    kit.pipeline_resources(ctx)
    ctx.lambda_fn(
        "orders-archive-batch",
        timeout=300,
        memory=1024,
        env_keys=["ARCHIVE_BUCKET", "RETENTION_DAYS"],
        modified=ctx.start - timedelta(days=r.randint(60, 200)),
    )
    arch_sm = ctx.arn("states", "stateMachine:orders-archiver")
    ctx.state_machine(
        "orders-archiver",
        {
            "Comment": "Nightly: export orders older than the retention to S3, then delete them",
            "StartAt": "ArchiveBatches",
            "States": {
                "ArchiveBatches": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                        "StartAt": "ArchiveBatch",
                        "States": {
                            "ArchiveBatch": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::lambda:invoke",
                                "Parameters": {
                                    "FunctionName": ctx.fn_arn("orders-archive-batch"),
                                    "Payload.$": "$",
                                },
                                "End": True,
                            }
                        },
                    },
                    "ItemsPath": "$.segments",
                    "MaxConcurrency": 8,
                    "End": True,
                }
            },
        },
        "orders-archiver-sfn-role",
        ctx.start - timedelta(days=r.randint(200, 400)),
    )
    sched_created = ctx.start - timedelta(days=r.randint(150, 300))
    ctx.res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": ctx.arn("scheduler", "schedule/default/orders-archiver-nightly"),
            "GroupName": "default",
            "Name": "orders-archiver-nightly",
            "ScheduleExpression": "cron(0 1 * * ? *)",
            "ScheduleExpressionTimezone": "UTC",
            "State": "ENABLED",
            "CreationDate": kit.iso(sched_created),
            "LastModificationDate": kit.iso(sched_created),
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": arch_sm,
                "RoleArn": f"arn:aws:iam::{ctx.account}:role/orders-archiver-scheduler-role",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
            },
            "ActionAfterCompletion": "NONE",
        },
    )

    # the archiver's runs, tonight's and the nights before
    deleted = r.randint(90_000, 140_000)
    dur_s = r.randint(420, 560)
    for n in range(4, -1, -1):
        st = run - timedelta(days=n) + timedelta(seconds=r.uniform(0.3, 2.5))
        ctx.execution("orders-archiver", st, st + timedelta(seconds=dur_s + r.randint(-60, 60)), "SUCCEEDED")
        if n == 0:
            ident = ctx.role_identity("orders-archiver-scheduler-role", ctx.hexid(32), st)
            ident["invokedBy"] = "scheduler.amazonaws.com"
            ctx.trail(
                st,
                "states.amazonaws.com",
                "StartExecution",
                ident,
                req={
                    "stateMachineArn": arch_sm,
                    "name": ctx.uid(),
                    "input": "HIDDEN_DUE_TO_SECURITY_REASONS",
                },
                resp={
                    "executionArn": ctx.arn("states", f"execution:orders-archiver:{ctx.uid()}"),
                    "startDate": st.strftime("%b %d, %Y, %I:%M:%S %p"),
                },
                agent="scheduler.amazonaws.com",
                ip="scheduler.amazonaws.com",
            )

    kit.background_changes(ctx)
    ctx.tooling_noise(r.randint(34, 44))

    # deletes arrive at `rate` records/s for `dur_s`; the projector drains ~`cap` records/s
    rate = deleted / dur_s
    cap = rate * r.uniform(0.35, 0.45)
    backlog = 0.0
    age_s = 0.0
    ages: list[float] = []

    def hook(i: int, ts: datetime, m: kit.Minute) -> None:
        nonlocal backlog, age_s
        sec = (i - run_m) * 60
        arriving = rate * 60 if 0 <= sec < dur_s else 0.0
        if 0 <= sec < dur_s + 60 * 40:
            backlog = max(0.0, backlog + arriving - cap * 60)
            age_s = backlog / cap if backlog > 0 else r.uniform(0.2, 0.9)
            if arriving or backlog:
                m["stream_recs"] += min(arriving + backlog, cap * 60)
                m["proj_inv"] = round(min(arriving + backlog, cap * 60) / 100) + m["proj_inv"]
                m["proj_ms"] = r.uniform(1700, 2300)
                m["iter_age"] = age_s * 1000 + r.uniform(0, 900)
            if arriving:
                m["orders_wcu"] += arriving * 3
                m["orders_rcu"] += arriving * 0.5
        ages.append(m["iter_age"])

    minutes = kit.emit_pipeline(ctx, r.uniform(35, 60), hook)
    kit.baseline_logs(ctx)
    for i in range(run_m, run_m + dur_s // 60 + 1):
        ts = ctx.at(i)
        ctx.put(
            "AWS/Lambda",
            "Invocations",
            {"FunctionName": "orders-archive-batch"},
            ts,
            "Count",
            r.randint(6, 8),
        )
        ctx.put("AWS/Lambda", "Errors", {"FunctionName": "orders-archive-batch"}, ts, "Count", 0)
        ctx.put_stats(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": "orders-archive-batch"},
            ts,
            "Milliseconds",
            [r.uniform(45000, 60000) for _ in range(7)],
        )
    ctx.put("AWS/States", "ExecutionsStarted", {"StateMachineArn": arch_sm}, run, "Count", 1)
    ctx.put(
        "AWS/States",
        "ExecutionsSucceeded",
        {"StateMachineArn": arch_sm},
        run + timedelta(seconds=dur_s),
        "Count",
        1,
    )
    ctx.put(
        "AWS/States",
        "ExecutionTime",
        {"StateMachineArn": arch_sm},
        run + timedelta(seconds=dur_s),
        "Milliseconds",
        dur_s * 1000.0,
    )
    day = (run - timedelta(days=540)).strftime("%Y-%m-%d")
    per = deleted // 48
    for k in range(48):
        t = run + timedelta(seconds=5 + k * (dur_s - 20) / 48)
        ctx.invocation_log(
            "orders-archive-batch",
            t,
            [
                f"[INFO]\t{kit.lts(t)}\t{{rid}}\tsegment {k}/48: exported {per} orders created {day} to s3://orders-archive-{ctx.account}/dt={day}/part-{k:04d}.json.gz",
                f"[INFO]\t{kit.lts(t)}\t{{rid}}\tsegment {k}/48: deleted {per} items from orders (BatchWriteItem x{per // 25 + 1}, unprocessed=0)",
            ],
            duration=r.uniform(45000, 60000),
            memory=1024,
            used=r.randint(300, 420),
        )
    for i in range(run_m, len(minutes)):
        if minutes[i]["proj_ms"] > 1500 and i % 2 == 0:
            t = ctx.at(i + r.uniform(0, 0.9))
            ctx.invocation_log(
                "orders-stream-projector",
                t,
                [
                    f"[INFO]\t{kit.lts(t)}\t{{rid}}\tbatch records=100 inserted=0 modified={r.choice([0, 0, 1])} removed={r.choice([99, 100, 100])} sent={r.choice([0, 0, 1])} (REMOVE skipped)"
                ],
                duration=r.uniform(1700, 2300),
                memory=512,
                used=r.randint(110, 126),
            )

    alarms = kit.standard_alarms(ctx)
    ia = alarms["iter_age"]
    # the same page on the nights before (history kept by CloudWatch for 30 days)
    for n in (3, 2, 1):
        fire = run - timedelta(days=n) + timedelta(minutes=r.randint(9, 13), seconds=r.randint(0, 59))
        peak = r.uniform(400000, 700000)
        ctx.transition(ia, fire, "ALARM", [round(peak * f) for f in (1.0, 0.9, 0.8, 0.7, 0.62)])
        ctx.transition(ia, fire + timedelta(minutes=r.randint(9, 15)), "OK", [round(r.uniform(300, 900))])
    over = [i for i, a in enumerate(ages) if a >= 300000]
    first5 = next(i for i in over if all(j in over for j in range(i, i + 5)))
    fired = ctx.at(first5 + 5.4)
    ctx.transition(ia, fired, "ALARM", [round(ages[first5 + 4 - j]) for j in range(5)])
    back = next(i for i in range(first5 + 5, len(ages)) if ages[i] < 300000)
    ctx.transition(ia, ctx.at(back + 1.3), "OK", [round(ages[back])])
    ia["AlarmDescription"] = "Orders table stream falling behind"
    q = (
        f"got paged for orders-stream-projector-iterator-age at {kit.local(fired, ctx.tz)}. it went back to OK on its "
        "own before I could look. are we dropping order updates / shipping notifications? not sure what changed tonight"
    )
    return ctx.bundle(
        TITLE,
        {"question": q, "alarm_event": None, "timezone": ctx.tz},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
