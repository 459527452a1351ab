"""Nightly partner-statement run floods the notification queue; the queue-age alarm pages as it does most nights."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzze import (
    Account,
    Ctx,
    access_log,
    api_metrics,
    diurnal,
    dynamo_metrics,
    iso,
    lambda_metrics,
    ms,
    waf_metrics,
)

NAME = "partner-statement-run-queue-age"
TITLE = "Paged in the night for partner-notifications queue age; are partner emails stuck?"
SUMMARY = (
    "The nightly statement batch enqueues tens of thousands of partner statement emails at once; the sender, "
    "capped at its event-source concurrency, drains them in under an hour and the age alarm fires and clears "
    "every night. Nothing is broken."
)

PREFIXES = ["nordfreight", "bluecart", "parcelly", "shipwise", "cargolane", "tradepost"]


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    a = Account(c, r.choice(PREFIXES))
    zone = r.choice(["Europe/London", "Europe/Dublin", "Europe/Lisbon"])
    run_hour = r.choice([1, 2])
    day = c.onset.replace(hour=0, minute=0)
    onset = day + timedelta(hours=run_hour, seconds=r.randint(2, 40))
    c.onset = onset
    c.start = onset - timedelta(hours=3, minutes=r.randint(15, 45))
    c.start = c.start.replace(second=0)
    c.now = onset + timedelta(minutes=r.randint(40, 48))
    c.end = c.now
    a.standing()

    total = r.randint(28000, 52000)  # statement emails queued tonight
    enqueue_min = r.randint(6, 10)
    conc = 20
    drain_rate = r.uniform(900, 1200)  # messages a minute, SES send rate bound at 20 concurrent
    # simulate the queue minute by minute
    backlog: dict[datetime, float] = {}
    sent_min: dict[datetime, float] = {}
    done_min: dict[datetime, float] = {}
    q = 0.0
    for t in c.minutes(1):
        regular = diurnal(t, 6, r, amp=0.5)
        inflow = regular + (total / enqueue_min if onset <= t < onset + timedelta(minutes=enqueue_min) else 0)
        out = min(q + inflow, drain_rate * r.uniform(0.95, 1.05))
        q = q + inflow - out
        backlog[t] = q
        sent_min[t] = inflow
        done_min[t] = out

    def age(t: datetime) -> float:
        if backlog.get(t, 0) < 100 or t < onset:
            return r.uniform(0, 20)
        # the oldest message is the first one enqueued that is still waiting
        drained = sum(v for k, v in done_min.items() if onset <= k <= t)
        start_at = onset + timedelta(minutes=min(enqueue_min, drained / (total / enqueue_min)))
        return (t - start_at).total_seconds() + r.uniform(0, 30)

    dims = {"QueueName": a.queue}
    for t in c.minutes(5):
        window = [t + timedelta(minutes=i) for i in range(5)]
        c.metric(
            "AWS/SQS",
            "NumberOfMessagesSent",
            dims,
            t,
            "Count",
            round(sum(sent_min.get(w, 0) for w in window)),
        )
        c.metric(
            "AWS/SQS",
            "NumberOfMessagesReceived",
            dims,
            t,
            "Count",
            round(sum(done_min.get(w, 0) for w in window)),
        )
        c.metric(
            "AWS/SQS",
            "NumberOfMessagesDeleted",
            dims,
            t,
            "Count",
            round(sum(done_min.get(w, 0) for w in window)),
        )
        c.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, t, "Count", round(backlog.get(t, 0)))
        c.metric(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            dims,
            t,
            "Count",
            round(min(conc * 10, backlog.get(t, 0)) if backlog.get(t, 0) > 50 else r.randint(0, 4)),
        )
        c.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", dims, t, "Seconds", round(age(t)))
    # SES sends what the sender sends
    for t in c.minutes(5):
        n = sum(done_min.get(t + timedelta(minutes=i), 0) for i in range(5))
        c.metric("AWS/SES", "Send", {}, t, "Count", round(n))
        c.metric("AWS/SES", "Delivery", {}, t, "Count", round(n * r.uniform(0.985, 0.995)))
        b = round(n * r.uniform(0.002, 0.006))
        if b:
            c.metric("AWS/SES", "Bounce", {}, t, "Count", b)
        c.metric("AWS/SES", "Reputation.BounceRate", {}, t, "None", round(r.uniform(0.0041, 0.0049), 4))
        c.metric("AWS/SES", "Reputation.ComplaintRate", {}, t, "None", round(r.uniform(0.00002, 0.00005), 6))

    def notify_inv(t: datetime) -> float:
        return done_min.get(t, 0) / 9.6

    lambda_metrics(
        a,
        a.fn_notify,
        notify_inv,
        lambda t: 0,
        lambda t: r.uniform(900, 1250) if backlog.get(t, 0) > 50 else r.uniform(180, 300),
        conc=lambda t: conc if backlog.get(t, 0) > 50 else r.randint(1, 2),
    )
    lambda_metrics(
        a,
        a.fn_batch,
        lambda t: 1 if t == onset.replace(second=0) else 0,
        lambda t: 0,
        lambda t: enqueue_min * 60000 * r.uniform(0.9, 1.0),
        conc=lambda t: 1,
    )

    # the API at night: quiet, healthy
    api_base = r.uniform(20, 45)

    def count(t: datetime) -> float:
        return diurnal(t, api_base, r, amp=0.3)

    api_metrics(
        a,
        count,
        lambda t: count(t) * 0.012 * r.uniform(0.5, 1.5),
        lambda t: r.choice([0] * 40 + [1]),
        lambda t: r.uniform(90, 140),
        lambda t: r.uniform(70, 110),
    )
    waf_metrics(a, count, {"AWS-AWSManagedRulesAmazonIpReputationList": lambda t: r.choice([0, 0, 0, 0, 2])})
    lambda_metrics(a, a.fn_create, lambda t: count(t) * 0.35, lambda t: 0, lambda t: r.uniform(150, 240))
    lambda_metrics(a, a.fn_get, lambda t: count(t) * 0.5, lambda t: 0, lambda t: r.uniform(25, 50))
    lambda_metrics(a, a.fn_auth, lambda t: count(t) * 0.1, lambda t: 0, lambda t: r.uniform(9, 40))
    dynamo_metrics(
        a,
        a.table,
        lambda t: (
            count(t) * 0.5 / 60 * 2
            + (total / 3600 if onset <= t < onset + timedelta(minutes=enqueue_min) else 0)
        ),
        lambda t: count(t) * 0.35 / 60 * 3,
    )
    for t in c.minutes(5):
        c.metric("AWS/SQS", "NumberOfMessagesSent", {"QueueName": a.dlq}, t, "Count", 0)

    # --- CloudTrail: the quiet night ---------------------------------------------------------------
    a.readonly_noise(r.randint(34, 46))
    a.kms_decrypts(r.randint(6, 10))
    evening = c.start + timedelta(minutes=r.randint(15, 50))
    a.deploy(evening, a.fn_get)
    backup = {
        "type": "AssumedRole",
        "principalId": f"AROA{c.alnum(17, upper=True)}:AWSBackup-AWSBackupDefaultServiceRole",
        "arn": f"arn:aws:sts::{c.account}:assumed-role/AWSBackupDefaultServiceRole/AWSBackup-AWSBackupDefaultServiceRole",
        "accountId": c.account,
        "invokedBy": "backup.amazonaws.com",
    }
    mid = day
    if c.start < mid < onset:
        c.ct(
            mid + timedelta(minutes=r.randint(0, 20)),
            "dynamodb.amazonaws.com",
            "CreateBackup",
            backup,
            {"tableName": a.table, "backupName": f"AwsBackup_{c.uuid()}"},
            {
                "backupDetails": {
                    "backupArn": c.arn("dynamodb", f"table/{a.table}/backup/{ms(mid)}-{c.alnum(8)}"),
                    "backupName": f"AwsBackup_{c.uuid()}",
                    "backupStatus": "CREATING",
                    "backupType": "AWS_BACKUP",
                }
            },
            agent="backup.amazonaws.com",
            ip="backup.amazonaws.com",
        )
    oncall = c.sso(r.choice(["j.whitfield", "n.petrova", "o.adeyemi"]), "ReadOnlyAccess")
    for k in range(r.randint(4, 7)):
        t = onset + timedelta(minutes=r.randint(22, 38), seconds=k)
        calls: list[tuple[str, str, dict[str, Any]]] = [
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": a.queue_url(a.queue), "attributeNames": ["All"]},
            ),
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": a.fn_notify}),
            ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": a.fn_notify}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": [f"{a.queue}-age"]}),
        ]
        src, name, req = r.choice(calls)
        c.ct(t, src, name, oncall, req, None, read_only=True, agent="console.amazonaws.com")

    # --- logs ---------------------------------------------------------------------------------------
    stream = f"{onset:%Y/%m/%d}/[$LATEST]{c.hexid(32)}"
    g = f"/aws/lambda/{a.fn_batch}"
    rid = c.uuid()
    c.log(g, stream, onset, f"START RequestId: {rid} Version: $LATEST")
    c.log(
        g,
        stream,
        onset + timedelta(seconds=1),
        f"[INFO]\t{iso(onset)}\t{rid}\tstatement run {(onset - timedelta(days=1)):%Y-%m-%d}: "
        f"selecting partners with activity",
    )
    parts = r.randint(300, 900)
    c.log(
        g,
        stream,
        onset + timedelta(seconds=24),
        f"[INFO]\t{iso(onset)}\t{rid}\t{parts} partners, {total} statement recipients",
    )
    for i in range(1, 5):
        c.log(
            g,
            stream,
            onset + timedelta(seconds=enqueue_min * 60 * i / 5),
            f"[INFO]\t{iso(onset)}\t{rid}\tenqueued {total * i // 5}/{total} to {a.queue}",
        )
    end = onset + timedelta(seconds=enqueue_min * 60 - 5)
    c.log(g, stream, end, f"[INFO]\t{iso(end)}\t{rid}\tstatement run complete enqueued={total} failed=0")
    c.log(g, stream, end, f"END RequestId: {rid}")
    c.log(
        g,
        stream,
        end,
        f"REPORT RequestId: {rid}\tDuration: {enqueue_min * 60000 - 5000:.2f} ms\tBilled Duration: "
        f"{enqueue_min * 60000 - 5000} ms\tMemory Size: 1024 MB\tMax Memory Used: {r.randint(300, 480)} MB\t",
    )

    def notify_lines(at: datetime, rid_: str) -> list[str]:
        n = 10 if backlog.get(at.replace(second=0, microsecond=0), 0) > 50 else r.randint(1, 3)
        kind = "statement-ready" if n == 10 else "order-created"
        return [f"[INFO]\t{iso(at)}\t{rid_}\tsent {n} emails template=partner-{kind} failures=0"]

    a.lambda_logs(
        a.fn_notify,
        lambda t: 0.5,
        notify_lines,
        256,
        lambda t: (
            r.uniform(900, 1250)
            if backlog.get(t.replace(second=0, microsecond=0), 0) > 50
            else r.uniform(180, 300)
        ),
    )
    names = r.sample(["acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "vandelay"], 4)
    for t in c.minutes(3):
        access_log(
            a,
            t + timedelta(seconds=r.uniform(0, 170)),
            "GET",
            "/v1/orders/{orderId}",
            200,
            r.randint(20, 60),
            key=c.alnum(10) if r.random() < 0.1 else names[0],
            ua="okhttp/4.12.0",
        )

    # --- alarms: this one has fired on most nights ------------------------------------------------------
    thr = 900.0
    first = min((t for t in c.minutes(5) if age(t) > thr), default=onset + timedelta(minutes=20))
    fire = first + timedelta(minutes=5)
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{age(first):.1f} ({first:%d/%m/%y %H:%M:%S})] "
        f"was greater than the threshold ({thr}) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    al = c.alarm(
        f"{a.queue}-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dims,
        "Maximum",
        300,
        1,
        thr,
        "GreaterThanThreshold",
        "ALARM",
        fire,
        reason,
        "Partner notifications waiting more than 15 minutes",
        a.topic,
    )
    for back in range(1, 4):
        night = fire - timedelta(days=back, minutes=r.randint(-6, 6))
        c.transition(
            al,
            night,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (900.0).",
        )
        c.transition(
            al,
            night + timedelta(minutes=r.randint(25, 45)),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints was not greater than the threshold (900.0).",
        )
    c.transition(al, fire, "OK", "ALARM", reason)
    c.alarm(
        f"{a.queue}-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": a.dlq},
        "Maximum",
        300,
        1,
        0.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=11),
        "Threshold Crossed: no datapoints were breaching the threshold",
        "Notification DLQ has messages",
        a.topic,
        missing="notBreaching",
    )
    c.alarm(
        f"{a.fn_notify}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": a.fn_notify},
        "Sum",
        300,
        1,
        5.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=4),
        "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).",
        "notification errors",
        a.topic,
    )
    c.alarm(
        f"{a.api_name}-prod-5xx",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": a.api_name, "Stage": a.stage},
        "Sum",
        60,
        3,
        10.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=2),
        "Threshold Crossed: no datapoints were breaching the threshold",
        "Partner API 5xx",
        a.topic,
    )

    local = (fire + timedelta(minutes=r.randint(1, 4))).astimezone(ZoneInfo(zone))
    question = (
        f"got woken up at {local:%-I:%M}am by the {a.queue} age alarm. are partner emails stuck? "
        f"I don't think anything was deployed tonight"
    )
    trigger = {
        "question": question,
        "timezone": zone,
        "alarm_event": c.alarm_event(
            al,
            fire,
            reason,
            {
                "version": "1.0",
                "queryDate": iso(fire),
                "statistic": "Maximum",
                "period": 300,
                "threshold": thr,
            },
        ),
    }
    truth = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [a.fn_batch, a.queue, a.fn_notify],
    }
    return c.bundle(TITLE, trigger, truth)
