"""Customers get the same campaign email two or three times; the send queue's dead-letter alarm pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzs import Ctx, background, clock, local_zone, routine_changes, steady_events

NAME = "campaign-send-duplicate-emails"
TITLE = "SES sends running well above the sale campaign's audience since mid-morning; campaign-send DLQ alarm"
SUMMARY = (
    "The send queue's visibility timeout was cut below the workers' per-batch processing time, so "
    "messages reappeared mid-processing and were sent again, and slow ones were dead-lettered."
)


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, salt=NAME, onset_hour=(10, 5))
    r = ctx.rng
    onset = ctx.onset
    change_at = onset - timedelta(minutes=r.randint(2, 4), seconds=r.randint(0, 59))
    workers = 8
    job_secs = r.uniform(7.5, 9.5)  # one message = one 50-recipient chunk
    new_vt = r.choice([30, 20])
    ctx.platform(worker_desired=workers, queue_vt=str(new_vt))
    for res in ctx.resources:
        if res["type"] == "Queue" and res["item"]["QueueUrl"] == ctx.queue_url(ctx.queue):
            res["item"]["Attributes"]["LastModifiedTimestamp"] = str(int(change_at.timestamp()))
    steady_events(ctx, "send-worker")
    steady_events(ctx, "feedback-processor")

    # --- the queue, minute by minute ---------------------------------------------------------------
    cap = workers * 4 * 60 / job_secs  # messages a minute the fleet can finish
    dup_frac = 0.0
    state = {"vis": 0.0, "dlq": 0.0, "age": 5.0}
    rows: dict[datetime, dict[str, float]] = {}
    t = ctx.start
    campaign_from = ctx.start + timedelta(minutes=r.randint(60, 90))
    while t <= ctx.now:
        inflow = 95 * ctx.diurnal(t) * (1.9 if t >= campaign_from else 1.0) * ctx.noise(1, 0.1)
        broken = t >= change_at + timedelta(seconds=new_vt)
        dup_frac = min(0.55, dup_frac + 0.06) if broken else 0.0
        work = min(cap, state["vis"] + inflow)
        work *= ctx.noise(1, 0.04)
        received = work
        useful = work * (1 - dup_frac)
        redelivered = work * dup_frac
        dlq_in = redelivered * 0.035 if broken else 0.0
        state["vis"] = max(0.0, state["vis"] + inflow - useful - dlq_in)
        state["dlq"] += dlq_in
        backlog_min = state["vis"] / max(useful, 1)
        state["age"] = 3 + 60 * backlog_min + (new_vt * 3 if broken else 0)
        rows[t] = {
            "sent": inflow,
            "recv": received,
            "del": useful,
            "vis": state["vis"],
            "notvis": work * job_secs / 60 * (1.8 if broken else 1.0),
            "age": state["age"],
            "dlq": state["dlq"],
            "ses": (useful + redelivered) * 50 * ctx.noise(1, 0.03),
            "cpu": 100 * min(0.95, work / cap * 0.62) * ctx.noise(1, 0.05),
        }
        t += timedelta(minutes=1)

    def col(name: str) -> Callable[[datetime], float]:
        return lambda t: rows[t][name]

    q = {"QueueName": ctx.queue}
    ctx.series("AWS/SQS", "NumberOfMessagesSent", q, "Count", col("sent"))
    ctx.series("AWS/SQS", "NumberOfMessagesReceived", q, "Count", col("recv"))
    ctx.series("AWS/SQS", "NumberOfMessagesDeleted", q, "Count", col("del"))
    ctx.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, "Count", col("vis"))
    ctx.series("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", q, "Count", col("notvis"))
    ctx.series("AWS/SQS", "ApproximateAgeOfOldestMessage", q, "Seconds", col("age"))
    dq = {"QueueName": ctx.dlq}
    first_dlq = change_at + timedelta(minutes=r.randint(9, 14))
    ctx.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dq,
        "Count",
        lambda t: float(int(rows[t]["dlq"])) if t >= first_dlq else None,
    )
    ctx.series("AWS/SQS", "NumberOfMessagesSent", dq, "Count", lambda t: 0.0 if t >= first_dlq else None)
    ctx.series("AWS/SES", "Send", {}, "Count", lambda t: float(int(rows[t]["ses"])))
    ctx.series("AWS/SES", "Delivery", {}, "Count", lambda t: float(int(rows[t]["ses"] * 0.985)))
    ctx.series("AWS/SES", "Bounce", {}, "Count", lambda t: float(int(rows[t]["ses"] * 0.009)))
    ctx.series(
        "AWS/SES",
        "Complaint",
        {},
        "Count",
        lambda t: float(int(rows[t]["ses"] * (0.0004 if t < onset + timedelta(minutes=20) else 0.0011))),
    )
    svc = {"ClusterName": ctx.cluster, "ServiceName": "send-worker"}
    ctx.series("AWS/ECS", "CPUUtilization", svc, "Percent", col("cpu"))
    ctx.series("AWS/ECS", "MemoryUtilization", svc, "Percent", lambda t: ctx.noise(41, 0.04))
    background(ctx, load=lambda t: ctx.diurnal(t) * (1.4 if t >= campaign_from else 1.0))

    # --- alarms ------------------------------------------------------------------------------------
    alarm_at = first_dlq + timedelta(minutes=r.randint(1, 4))
    dlq_alarm = ctx.alarm(
        "campaign-send-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dq,
        stat="Maximum",
        threshold=0.0,
        period=300,
        evals=1,
        missing="notBreaching",
        desc="Messages in the campaign send dead-letter queue. Runbook: wiki/messaging/dlq",
        transitions=[
            (
                alarm_at,
                "ALARM",
                f"Threshold Crossed: 1 out of the last 1 datapoints [{int(rows[first_dlq.replace(second=0)]['dlq']) + 1}.0 ({alarm_at - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
            )
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
    flap = ctx.start + timedelta(minutes=r.randint(30, 70))
    ctx.alarm(
        "aurora-writer-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_instances[0]},
        stat="Average",
        threshold=70.0,
        period=300,
        evals=2,
        transitions=[
            (
                flap,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints [78.4, 73.9] were greater than the threshold (70.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                flap + timedelta(minutes=15),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints [31.2, 29.5] were not greater than the threshold (70.0) (minimum 2 datapoints for ALARM -> OK transition).",
            ),
        ],
    )
    ctx.alarm(
        "ses-bounce-rate",
        "AWS/SES",
        "Reputation.BounceRate",
        {},
        stat="Average",
        threshold=0.04,
        period=3600,
        evals=1,
    )
    ctx.alarm(
        "send-worker-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        svc,
        stat="Average",
        threshold=85.0,
        period=300,
        evals=3,
    )

    # --- CloudTrail --------------------------------------------------------------------------------
    ctx.noise_trail(n=44)
    routine_changes(
        ctx,
        [
            onset - timedelta(minutes=r.randint(18, 30)),
            ctx.start + timedelta(minutes=r.randint(40, 90)),
            onset + timedelta(minutes=r.randint(8, 20)),
        ],
    )
    person = ctx.people[0]
    ctx.trail(
        change_at - timedelta(seconds=35),
        "sqs.amazonaws.com",
        "GetQueueUrl",
        ctx.sso(person),
        {"queueName": ctx.queue},
        {"queueUrl": ctx.queue_url(ctx.queue)},
        read_only=True,
    )
    culprit = ctx.trail(
        change_at,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        ctx.sso(person),
        {"queueUrl": ctx.queue_url(ctx.queue), "attributes": {"VisibilityTimeout": str(new_vt)}},
        None,
    )

    # --- logs --------------------------------------------------------------------------------------
    season = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}.get(
        onset.month, "summer" if onset.month < 9 else "autumn"
    )
    campaign = f"{season}-sale-{onset:%Y%m%d}"
    streams = [f"ecs/send-worker/{ctx.task_id()}" for _ in range(3)]
    t = ctx.start + timedelta(seconds=r.randint(0, 50))
    while t <= ctx.now:
        for s in streams:
            if r.random() < 0.5:
                continue
            job = ctx.hex(8)
            ts = t + timedelta(seconds=r.uniform(0, 50))
            rc = 1
            if t >= change_at + timedelta(seconds=new_vt) and r.random() < 0.45:
                rc = r.choice([2, 2, 2, 3])
            took = job_secs * ctx.noise(1, 0.2)
            lvl = "INFO"
            ctx.log(
                "/ecs/send-worker",
                s,
                ts,
                f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d} {lvl} sender.job campaign={campaign} job={job} chunk={r.randint(1, 60)}/{r.randint(60, 90)} recipients=50 accepted=50 receive_count={rc} took={took:.2f}s",
            )
            if rc > 1 and r.random() < 0.5:
                tw = ts + timedelta(seconds=r.uniform(1, 9))
                ctx.log(
                    "/ecs/send-worker",
                    s,
                    tw,
                    f"{tw:%Y-%m-%d %H:%M:%S},{tw.microsecond // 1000:03d} WARNING sender.batch receive batch of 10 finished in {job_secs * 10 / 4 * ctx.noise(1.4, 0.2):.1f}s",
                )
        if r.random() < 0.08:
            ctx.log(
                "/ecs/send-worker",
                streams[0],
                t + timedelta(seconds=12),
                f"{t:%Y-%m-%d %H:%M:%S},{r.randint(100, 999)} WARNING sender.ses SendEmail throttled (Maximum sending rate exceeded.), retrying in 0.4s",
            )
        t += timedelta(minutes=1)
    fb = f"ecs/feedback-processor/{ctx.task_id()}"
    t = ctx.start + timedelta(minutes=3)
    while t <= ctx.now:
        kind = (
            "Complaint"
            if t > onset + timedelta(minutes=15) and r.random() < 0.4
            else r.choice(["Bounce", "Bounce", "Complaint"])
        )
        ctx.log(
            "/ecs/feedback-processor",
            fb,
            t,
            f'{{"level":"info","msg":"feedback recorded","type":"{kind}","suppressed":true,"configuration_set":"{ctx.config_set}"}}',
        )
        t += timedelta(minutes=r.randint(2, 9))

    zone, _ = local_zone(ctx.region)
    question = (
        f"SES usage for the {season} sale looks way off: we're sending noticeably more emails than the "
        f"campaign's audience since about {clock(ctx, onset + timedelta(minutes=r.randint(5, 15)))}, the send is "
        f"also behind schedule, and now the campaign-send DLQ alarm went off. Did someone trigger the campaign "
        f"twice? Nobody deployed send-worker today as far as I know."
    )
    event = ctx.alarm_event(dlq_alarm, alarm_at, dlq_alarm["StateReason"])
    return ctx.bundle(
        title=TITLE,
        question=question,
        timezone=zone,
        alarm_event=event,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": ctx.queue_url(ctx.queue),
                "category": "change",
                "failure_mode": "visibility-timeout-below-processing-time",
                "event_id": culprit["eventID"],
            },
            "also_accept": [ctx.queue, ctx.arn("sqs", ctx.queue)],
            "actions": ["rollback", "reconfigure"],
            "chain": [ctx.queue, "send-worker", ctx.config_set, ctx.dlq],
        },
    )
