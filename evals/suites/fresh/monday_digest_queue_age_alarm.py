"""The send queue's age alarm goes off during the Monday digest; someone asks whether emails are stuck."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzs import Ctx, background, clock, local_zone, routine_changes, steady_events

NAME = "monday-digest-queue-age-alarm"
TITLE = "campaign-send oldest-message alarm during the Monday digest; are subscribers' emails stuck?"
SUMMARY = (
    "The weekly digest enqueues tens of thousands of jobs at once; workers scale to their maximum and the "
    "queue's age alarm fires every Monday while it drains at full speed. Nothing is wrong."
)


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, salt=NAME, onset_hour=(8, 0), weekday=0)
    r = ctx.rng
    enq = ctx.onset.replace(minute=0, second=0)
    ctx.onset = enq
    ctx.start = enq - timedelta(hours=3, minutes=r.randint(30, 55))
    ctx.now = enq + timedelta(minutes=r.randint(50, 56))
    ctx.end = ctx.now
    digest = r.randint(64000, 76000)
    ctx.platform(worker_desired=48)
    steady_events(ctx, "feedback-processor")
    steady_events(ctx, "list-import")
    rid = f"service/{ctx.cluster}/send-worker"
    ctx.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 8,
            "MaxCapacity": 48,
            "RoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": "2025-02-11T10:02:13Z",
        },
    )
    steps = [
        (enq + timedelta(minutes=3), 24),
        (enq + timedelta(minutes=8), 40),
        (enq + timedelta(minutes=13), 48),
    ]
    prev = 8
    for at, count in steps:
        ctx.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": ctx.uid(),
                    "ServiceNamespace": "ecs",
                    "ResourceId": rid,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": f"Setting desired count to {count}.",
                    "Cause": "monitor alarm send-worker-queue-depth-high in state ALARM triggered policy send-worker-step-scale-out",
                    "StartTime": (at - timedelta(seconds=20)).isoformat(),
                    "EndTime": (at + timedelta(seconds=45)).isoformat(),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set desired count to {count}. Change successfully fulfilled by ecs.",
                },
            }
        )
        ctx.ecs_event(
            "send-worker",
            at + timedelta(seconds=30),
            f"(service send-worker) has started {count - prev} tasks: "
            + " ".join(f"(task {ctx.task_id()})" for _ in range(count - prev))
            + ".",
        )
        ctx.trail(
            at - timedelta(seconds=15),
            "ecs.amazonaws.com",
            "UpdateService",
            ctx.service_principal("ecs.application-autoscaling.amazonaws.com"),
            {"cluster": ctx.cluster, "service": "send-worker", "desiredCount": count},
            {"service": {"serviceName": "send-worker", "desiredCount": count, "status": "ACTIVE"}},
            ip="ecs.application-autoscaling.amazonaws.com",
        )
        prev = count
    ctx.ecs_event(
        "send-worker",
        steps[-1][0] + timedelta(minutes=3),
        "(service send-worker) has reached a steady state.",
    )

    def tasks(t: datetime) -> int:
        n = 8
        for at, count in steps:
            if t >= at:
                n = count
        return n

    rows: dict[datetime, dict[str, float]] = {}
    vis, oldest_enq = 0.0, 0.0
    enq_total = 0.0
    done_total = 0.0
    t = ctx.start
    while t <= ctx.now:
        inflow = 45 * ctx.diurnal(t) * ctx.noise(1, 0.15)
        if enq <= t < enq + timedelta(minutes=6):
            inflow += digest / 6
        enq_total += inflow
        work = min(vis + inflow, tasks(t) * 27.5 * ctx.noise(1, 0.03))
        vis = max(0.0, vis + inflow - work)
        done_total += work
        # age of the oldest visible job: the digest drains roughly in order
        if vis > 300 and t >= enq:
            frac = min(1.0, max(0.0, (done_total - (enq_total - digest - inflow)) / digest))
            oldest_enq = frac * 6
            age = (t - enq).total_seconds() - oldest_enq * 60
        else:
            age = ctx.noise(4, 0.3)
        rows[t] = {
            "sent": inflow,
            "recv": work,
            "del": work * 0.9995,
            "vis": vis,
            "nvis": work * 0.14,
            "age": age,
            "ses": work * 50 * ctx.noise(1, 0.02),
            "cpu": min(88.0, 9 + 60 * work / (tasks(t) * 27.5)) * ctx.noise(1, 0.05),
        }
        t += timedelta(minutes=1)
    q = {"QueueName": ctx.queue}
    for metric, key, unit in (
        ("NumberOfMessagesSent", "sent", "Count"),
        ("NumberOfMessagesReceived", "recv", "Count"),
        ("NumberOfMessagesDeleted", "del", "Count"),
        ("ApproximateNumberOfMessagesVisible", "vis", "Count"),
        ("ApproximateNumberOfMessagesNotVisible", "nvis", "Count"),
        ("ApproximateAgeOfOldestMessage", "age", "Seconds"),
    ):
        ctx.series("AWS/SQS", metric, q, unit, lambda t, key=key: float(int(rows[t][key])))
    ctx.series("AWS/SES", "Send", {}, "Count", lambda t: float(int(rows[t]["ses"])))
    ctx.series("AWS/SES", "Delivery", {}, "Count", lambda t: float(int(rows[t]["ses"] * 0.986)))
    ctx.series("AWS/SES", "Bounce", {}, "Count", lambda t: float(int(rows[t]["ses"] * 0.0075)))
    ctx.series("AWS/SES", "Reputation.BounceRate", {}, "None", lambda t: ctx.noise(0.011, 0.05), period=300)
    svc = {"ClusterName": ctx.cluster, "ServiceName": "send-worker"}
    ctx.series("AWS/ECS", "CPUUtilization", svc, "Percent", lambda t: rows[t]["cpu"])
    ctx.series("AWS/ECS", "MemoryUtilization", svc, "Percent", lambda t: ctx.noise(40, 0.05))
    background(ctx, load=lambda t: ctx.diurnal(t) * (1.8 if t >= enq else 1.0))

    # --- alarms: the age alarm fires every Monday morning -------------------------------------------
    reason_ok = "Threshold Crossed: 3 out of the last 3 datapoints [2.0 , 3.0 , 4.0] were not greater than the threshold (1800.0) (minimum 3 datapoints for ALARM -> OK transition)."
    history: list[tuple[datetime, str, str]] = []
    for weeks in (3, 2, 1):
        a = enq - timedelta(weeks=weeks) + timedelta(minutes=r.randint(40, 47), seconds=r.randint(0, 59))
        history.append(
            (
                a,
                "ALARM",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{r.uniform(2300, 2700):.1f}, {r.uniform(2000, 2300):.1f}, {r.uniform(1810, 2000):.1f}] were greater than the threshold (1800.0) (minimum 3 datapoints for OK -> ALARM transition).",
            )
        )
        history.append((a + timedelta(minutes=r.randint(14, 22)), "OK", reason_ok))
    crossed = [t for t in sorted(rows) if rows[t]["age"] > 1800]
    fire = (
        (crossed[0] + timedelta(minutes=15, seconds=r.randint(10, 50)))
        if crossed
        else ctx.now - timedelta(minutes=2)
    )
    fire = min(fire, ctx.now - timedelta(minutes=1))
    last = fire.replace(second=0) - timedelta(minutes=1)
    history.append(
        (
            fire,
            "ALARM",
            f"Threshold Crossed: 3 out of the last 3 datapoints [{rows[last]['age']:.1f} ({fire - timedelta(minutes=5):%d/%m/%y %H:%M:%S}), {rows[last - timedelta(minutes=5)]['age']:.1f} ({fire - timedelta(minutes=10):%d/%m/%y %H:%M:%S}), {rows[last - timedelta(minutes=10)]['age']:.1f} ({fire - timedelta(minutes=15):%d/%m/%y %H:%M:%S})] were greater than the threshold (1800.0) (minimum 3 datapoints for OK -> ALARM transition).",
        )
    )
    age_alarm = ctx.alarm(
        "campaign-send-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        stat="Maximum",
        threshold=1800.0,
        period=300,
        evals=3,
        desc="Oldest campaign send job older than 30 minutes: campaigns are going out late.",
        transitions=history,
    )
    scale_hist: list[tuple[datetime, str, str]] = []
    for weeks in (1, 0):
        a = enq - timedelta(weeks=weeks) + timedelta(minutes=2, seconds=r.randint(0, 40))
        scale_hist.append(
            (
                a,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints [31204.0, 11890.0] were greater than the threshold (2000.0) (minimum 2 datapoints for OK -> ALARM transition).",
            )
        )
        if weeks:
            scale_hist.append(
                (
                    a + timedelta(minutes=58),
                    "OK",
                    "Threshold Crossed: 2 out of the last 2 datapoints [4.0, 0.0] were not greater than the threshold (2000.0) (minimum 2 datapoints for ALARM -> OK transition).",
                )
            )
    ctx.alarm(
        "send-worker-queue-depth-high",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        q,
        stat="Maximum",
        threshold=2000.0,
        period=60,
        evals=2,
        desc="Step scaling for send-worker. Do not page.",
        transitions=scale_hist,
    ).update(
        {
            "OKActions": [],
            "AlarmActions": [
                ctx.arn(
                    "autoscaling",
                    f"scalingPolicy:{ctx.uid()}:resource/ecs/{rid}:policyName/send-worker-step-scale-out",
                )
            ],
        }
    )
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
    flap = ctx.start + timedelta(minutes=r.randint(20, 90))
    ctx.alarm(
        "list-import-rows-rejected",
        "Mailer/Import",
        "RowsRejected",
        {"Service": "list-import"},
        stat="Sum",
        threshold=500.0,
        period=300,
        evals=1,
        missing="notBreaching",
        transitions=[
            (
                flap,
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints [812.0] was greater than the threshold (500.0) (minimum 1 datapoint for OK -> ALARM transition).",
            ),
            (
                flap + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
            ),
        ],
    )
    ctx.series(
        "Mailer/Import",
        "RowsRejected",
        {"Service": "list-import"},
        "Count",
        lambda t: 812.0 if flap - timedelta(minutes=5) <= t < flap else None,
        period=300,
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    ctx.noise_trail(n=40)
    routine_changes(
        ctx, [enq - timedelta(minutes=r.randint(15, 35)), ctx.start + timedelta(minutes=r.randint(20, 60))]
    )
    ctx.trail(
        enq,
        "ecs.amazonaws.com",
        "RunTask",
        ctx.service_principal("events.amazonaws.com"),
        {
            "cluster": ctx.arn("ecs", f"cluster/{ctx.cluster}"),
            "taskDefinition": ctx.arn("ecs", "task-definition/digest-enqueuer:23"),
            "count": 1,
            "launchType": "FARGATE",
            "startedBy": "events-rule/weekly-digest-monday",
        },
        {
            "tasks": [
                {
                    "taskArn": ctx.arn("ecs", f"task/{ctx.cluster}/{ctx.task_id()}"),
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                }
            ],
            "failures": [],
        },
        ip="events.amazonaws.com",
    )

    # --- logs ----------------------------------------------------------------------------------------
    en = f"ecs/digest-enqueuer/{ctx.task_id()}"
    t0 = enq + timedelta(seconds=r.randint(35, 55))
    ctx.log(
        "/ecs/digest-enqueuer",
        en,
        t0,
        f'{{"level":"info","msg":"weekly digest build started","edition":"{enq:%Y-%W}","segments":14}}',
    )
    for k in range(1, 7):
        ctx.log(
            "/ecs/digest-enqueuer",
            en,
            t0 + timedelta(minutes=k),
            f'{{"level":"info","msg":"enqueued","edition":"{enq:%Y-%W}","jobs":{int(digest * k / 6)},"recipients":{int(digest * k / 6) * 50}}}',
        )
    ctx.log(
        "/ecs/digest-enqueuer",
        en,
        t0 + timedelta(minutes=6, seconds=12),
        f'{{"level":"info","msg":"weekly digest enqueue complete","edition":"{enq:%Y-%W}","jobs":{digest},"recipients":{digest * 50},"duration_s":{372 + r.randint(0, 20)}}}',
    )
    streams = [f"ecs/send-worker/{ctx.task_id()}" for _ in range(3)]
    t = ctx.start
    while t <= ctx.now:
        for s in streams:
            for _ in range(3 if t >= enq else 1):
                if r.random() < 0.5:
                    continue
                ts = t + timedelta(seconds=r.uniform(0, 59))
                stamp = f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d}"
                c = (
                    f"digest-{enq:%Y-%W}"
                    if t >= enq and r.random() < 0.9
                    else f"triggered-{r.choice(['welcome', 'winback', 'abandoned-cart'])}"
                )
                ctx.log(
                    "/ecs/send-worker",
                    s,
                    ts,
                    f"{stamp} INFO sender.job campaign={c} job={ctx.hex(8)} recipients=50 accepted={50 if r.random() < 0.97 else 49} took={ctx.noise(8.3, 0.2):.2f}s",
                )
                if r.random() < 0.004:
                    ctx.log(
                        "/ecs/send-worker",
                        s,
                        ts + timedelta(seconds=1),
                        f"{stamp} WARNING sender.ses recipient rejected: MessageRejected: Email address is not verified. The following identities failed the check in region {ctx.region.upper()}: bounce-test@{ctx.prefix}.example",
                    )
        t += timedelta(minutes=1)

    zone, _ = local_zone(ctx.region)
    question = (
        f"I just saw a 'campaign-send-oldest-message-age' alarm in the alerts channel at {clock(ctx, fire)}. "
        f"Is the Monday digest stuck? A couple of people in the office say they haven't received it yet."
    )
    return ctx.bundle(
        title=TITLE,
        question=question,
        timezone=zone,
        alarm_event=ctx.alarm_event(age_alarm, fire, age_alarm["StateReason"]),
        truth={"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
