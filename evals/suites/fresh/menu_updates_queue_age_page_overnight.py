"""Overnight page for the menu-updates queue age; it cleared before anyone looked."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzz import (
    UTC,
    Kit,
    dinner_curve,
    iso,
    lambda_metrics,
    marketplace,
    ms,
    read_calls,
)

NAME = "menu-updates-queue-age-page-overnight"
TITLE = "Paged overnight for menu-updates queue age; cleared by itself, are menus broken?"
SUMMARY = "The nightly partner menu import enqueues tens of thousands of updates at once; the concurrency-capped indexer drains them in about forty minutes, as it does every night."

ZONES = {
    "eu-west-1": ("Europe/Dublin", 0),
    "eu-west-2": ("Europe/London", 0),
    "eu-central-1": ("Europe/Berlin", 1),
}


def build(seed: int) -> Bundle:
    pick = random.Random(f"{NAME}/{seed}")
    day = datetime(2026, 11, 4, tzinfo=UTC) + timedelta(days=pick.randint(0, 35))
    kick = day + timedelta(hours=3)  # cron(0 3 * * ? *) is UTC
    scale = pick.uniform(4.0, 7.0)
    updates = pick.randint(38, 62) * 1000
    maxconc = 10
    per_exec_s = pick.uniform(4.3, 5.3)  # a batch of 10 updates: render, then bulk-index
    drain_per_min = maxconc * 60 / per_exec_s * 10 * 0.97
    drain_min = updates / (drain_per_min - 180) + 2
    k = Kit(
        seed,
        NAME,
        kick,
        timedelta(hours=3, minutes=pick.randint(10, 40)),
        timedelta(minutes=int(drain_min) + pick.randint(12, 22)),
    )
    zone, off = ZONES[k.region]
    m = marketplace(k)
    k.function(
        "menu-import-kickoff",
        memory=1024,
        timeout=900,
        modified=k.start - timedelta(days=pick.randint(20, 90)),
        desc="Fetches partner menu feeds and enqueues item updates",
    )
    esm = k.uid()
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm,
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": k.arn("sqs", "menu-updates-queue"),
            "FunctionArn": m["fn"]["menu-indexer"],
            "LastModified": iso(k.start - timedelta(days=230)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "ScalingConfig": {"MaximumConcurrency": maxconc},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )

    def lh(t: datetime) -> float:
        return (t.hour + off) % 24 + t.minute / 60

    def orders(t: datetime) -> float:
        return dinner_curve(lh(t)) * scale

    # enqueue over ~6 minutes, drain at the capped rate
    enqueue_min = pick.randint(5, 8)
    state: dict[datetime, tuple[float, float, float, float]] = {}
    backlog = 0.0
    for t in k.minutes():
        sent = (
            k.jitter(180, 0.3)
            if not (kick <= t < kick + timedelta(minutes=enqueue_min))
            else updates / enqueue_min
        )
        done = (
            min(backlog + sent, drain_per_min * k.r.uniform(0.95, 1.03))
            if backlog + sent > 300
            else backlog + sent
        )
        backlog = max(0.0, backlog + sent - done)
        state[t] = (sent, done, backlog, k.r.uniform(1, 25))
    # oldest message age: everything enqueued at the kick, drained FIFO-ish at the capped rate
    drained = 0.0
    for t in k.minutes():
        sent, done, backlog, _ = state[t]
        if t >= kick and backlog > 300:
            drained += done
            enq_at = min(enqueue_min * 60.0, drained / updates * enqueue_min * 60)
            age = (t - kick).total_seconds() - enq_at + 30
            state[t] = (sent, done, backlog, max(5.0, age))
    clear = next(t for t in k.minutes() if t > kick + timedelta(minutes=10) and state[t][2] <= 300)

    # --- CloudTrail ------------------------------------------------------------------------------
    job = k.who_user("orders-nightly-export", "orders-export-task")
    export_arn = m["table_arn"] + f"/export/{int(day.timestamp() * 1000)}-{k.hexid(8)}"
    k.ct(
        day + timedelta(hours=2, minutes=pick.randint(0, 5)),
        "dynamodb.amazonaws.com",
        "ExportTableToPointInTime",
        job,
        params={
            "tableArn": m["table_arn"],
            "s3Bucket": f"marketplace-analytics-{k.account}",
            "s3Prefix": "exports/orders/",
            "exportFormat": "DYNAMODB_JSON",
        },
        resp={
            "exportDescription": {
                "exportArn": export_arn,
                "exportStatus": "IN_PROGRESS",
                "tableArn": m["table_arn"],
            }
        },
        read_only=False,
        agent="Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux",
    )
    for n in range(pick.randint(8, 14)):
        k.ct(
            day + timedelta(hours=2, minutes=10 + n * 5),
            "dynamodb.amazonaws.com",
            "DescribeExport",
            job,
            params={"exportArn": export_arn},
            read_only=True,
            agent="Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux",
        )
    kr = k.who_user("AWSServiceRoleForSecretsManagerRotation", "SecretsManagerRotation")
    k.ct(
        kick - timedelta(minutes=pick.randint(25, 50)),
        "kms.amazonaws.com",
        "GenerateDataKey",
        kr,
        params={"keyId": "alias/aws/secretsmanager", "keySpec": "AES_256"},
        read_only=True,
        agent="secretsmanager.amazonaws.com",
    )
    tf = k.who_user("terraform-apply", "atlantis")
    k.ct(
        kick - timedelta(hours=2, minutes=pick.randint(20, 50)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        tf,
        params={"functionName": "receipt-mailer", "environment": {}},
        resp={
            "functionName": "receipt-mailer",
            "functionArn": m["fn"]["receipt-mailer"],
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.45.0",
    )
    oncall = k.who_user("AWSReservedSSO_Developer_51c0aa2e9d7b3f10", "oncall@marketplace", console=True)
    for dt in (31, 36, 44, 50):
        k.ct(
            kick + timedelta(minutes=dt),
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            oncall,
            params={
                "queueUrl": f"https://sqs.{k.region}.amazonaws.com/{k.account}/menu-updates-queue",
                "attributeNames": ["All"],
            },
            read_only=True,
            agent="AWS Internal",
        )
    k.noise_reads(pick.randint(45, 65), read_calls(k))

    # --- metrics ---------------------------------------------------------------------------------
    q = {"QueueName": "menu-updates-queue"}
    for t in k.minutes():
        sent, done, backlog, age = state[t]
        k.put("AWS/SQS", "NumberOfMessagesSent", q, t, round(sent), "Count")
        k.put("AWS/SQS", "NumberOfMessagesReceived", q, t, round(done), "Count")
        k.put("AWS/SQS", "NumberOfMessagesDeleted", q, t, round(done * 0.999), "Count")
        k.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, t, round(backlog), "Count")
        k.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", q, t, round(min(100, done / 6)), "Count")
        k.put("AWS/SQS", "ApproximateAgeOfOldestMessage", q, t, round(age), "Seconds")
        o = orders(t)
        k.put(
            "AWS/ApiGateway",
            "Count",
            {"ApiName": "marketplace-api", "Stage": "prod"},
            t,
            round(k.jitter(o * 9.2, 0.08)),
            "Count",
        )
        k.put(
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": "marketplace-api", "Stage": "prod"},
            t,
            1 if k.r.random() < 0.04 else 0,
            "Count",
        )
        k.put(
            "AWS/ApiGateway",
            "4XXError",
            {"ApiName": "marketplace-api", "Stage": "prod"},
            t,
            round(k.jitter(o * 0.11, 0.4)),
            "Count",
        )
        k.put(
            "AWS/SNS",
            "NumberOfMessagesPublished",
            {"TopicName": "order-events"},
            t,
            round(k.jitter(o * 3.0, 0.1)),
            "Count",
        )
        k.put(
            "AWS/SNS",
            "NumberOfNotificationsDelivered",
            {"TopicName": "order-events"},
            t,
            round(k.jitter(o * 3.0, 0.1)),
            "Count",
        )
        k.put(
            "AWS/EventBridge/Pipes",
            "Invocations",
            {"PipeName": "orders-stream-to-bus"},
            t,
            round(k.jitter(o * 0.9, 0.1)),
            "Count",
        )
        for qn in ("courier-dispatch-queue", "restaurant-notify-queue", "receipts-queue"):
            s = round(k.jitter(o, 0.15))
            k.put("AWS/SQS", "NumberOfMessagesSent", {"QueueName": qn}, t, s, "Count")
            k.put(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                {"QueueName": qn},
                t,
                round(k.r.uniform(0, 5)),
                "Seconds",
            )
    lambda_metrics(
        k,
        "menu-indexer",
        lambda t: state[t][1] / 10,
        lambda t: 0.0 if k.r.random() > 0.02 else 1.0,
        lambda t: per_exec_s * 1000 if state[t][2] > 300 else 310.0,
        conc=lambda t: float(maxconc) if state[t][2] > 300 else max(1.0, state[t][1] / 10 * 0.31 / 60 * 1.6),
        timeout_ms=120000,
    )
    lambda_metrics(
        k,
        "menu-import-kickoff",
        lambda t: 1.0 if t == kick else 0.0,
        lambda t: 0.0,
        lambda t: enqueue_min * 60000 - 20000.0,
        timeout_ms=900000,
    )
    lambda_metrics(k, "place-order", lambda t: orders(t), lambda t: 0.0, lambda t: 236.0)
    lambda_metrics(k, "menu-read", lambda t: orders(t) * 6.0, lambda t: 0.0, lambda t: 43.0)
    lambda_metrics(k, "courier-dispatch", lambda t: orders(t) / 4, lambda t: 0.0, lambda t: 2300.0)

    # --- logs ------------------------------------------------------------------------------------
    lg = "/aws/lambda/menu-import-kickoff"
    st = k.log_stream(kick)
    rid = k.uid()
    feeds = pick.randint(300, 520)
    k.logs.append(
        {
            "log_group": lg,
            "log_stream": st,
            "timestamp": ms(kick) + 412,
            "message": f"INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:{k.region}::runtime:{k.hexid(64)}\n",
        }
    )
    k.logs.append(
        {
            "log_group": lg,
            "log_stream": st,
            "timestamp": ms(kick) + 1630,
            "message": f"START RequestId: {rid} Version: $LATEST\n",
        }
    )
    for i in range(0, feeds, 50):
        at = kick + timedelta(seconds=2 + i * enqueue_min * 60 / feeds)
        k.logs.append(
            {
                "log_group": lg,
                "log_stream": st,
                "timestamp": ms(at),
                "message": f"[INFO]\t{iso(at)}\t{rid}\tfeeds {i}-{min(feeds, i + 50)}/{feeds} fetched, enqueued so far: {int(updates * i / feeds)}\n",
            }
        )
    fin = kick + timedelta(minutes=enqueue_min, seconds=-20)
    k.logs.append(
        {
            "log_group": lg,
            "log_stream": st,
            "timestamp": ms(fin) - 10,
            "message": f"[INFO]\t{iso(fin)}\t{rid}\tmenu import done: {feeds} partner feeds, {updates} item updates enqueued to menu-updates-queue, 3 feeds unchanged since yesterday skipped\n",
        }
    )
    k.logs.append(
        {"log_group": lg, "log_stream": st, "timestamp": ms(fin), "message": f"END RequestId: {rid}\n"}
    )
    k.logs.append(
        {
            "log_group": lg,
            "log_stream": st,
            "timestamp": ms(fin),
            "message": f"REPORT RequestId: {rid}\tDuration: {(enqueue_min * 60 - 22) * 1000:.2f} ms\tBilled Duration: {(enqueue_min * 60 - 22) * 1000 + 1} ms\tMemory Size: 1024 MB\tMax Memory Used: {k.r.randint(300, 420)} MB\tInit Duration: 1214.33 ms\t\n",
        }
    )
    ig = "/aws/lambda/menu-indexer"
    streams = [k.log_stream(k.start) for _ in range(2)] + [k.log_stream(kick) for _ in range(maxconc)]
    for t in k.minutes():
        busy = state[t][2] > 300
        for _ in range(3 if busy else 1):
            if not busy and k.r.random() < 0.6:
                continue
            ts = t + timedelta(seconds=k.r.uniform(0, 58))
            sname = k.r.choice(streams[2:] if busy else streams[:2])
            rid = k.uid()
            d = per_exec_s * 1000 * k.r.uniform(0.8, 1.2) if busy else k.r.uniform(200, 420)
            k.logs.append(
                {
                    "log_group": ig,
                    "log_stream": sname,
                    "timestamp": ms(ts),
                    "message": f"START RequestId: {rid} Version: $LATEST\n",
                }
            )
            k.logs.append(
                {
                    "log_group": ig,
                    "log_stream": sname,
                    "timestamp": ms(ts) + int(d) - 4,
                    "message": f"[INFO]\t{iso(ts)}\t{rid}\tindexed {10 if busy else k.r.randint(1, 4)} menu items (restaurant={k.r.randint(1000, 9999)}) into menus-v7, bulk took {int(d * 0.8)} ms\n",
                }
            )
            end = ts + timedelta(milliseconds=d)
            k.logs.append(
                {
                    "log_group": ig,
                    "log_stream": sname,
                    "timestamp": ms(end),
                    "message": f"END RequestId: {rid}\n",
                }
            )
            k.logs.append(
                {
                    "log_group": ig,
                    "log_stream": sname,
                    "timestamp": ms(end),
                    "message": f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {k.r.randint(150, 172)} MB\t\n",
                }
            )

    # --- alarms ----------------------------------------------------------------------------------
    ops = k.arn("sns", "oncall-pager")
    thresh = 1200.0
    fire = next(
        t
        for t in k.minutes()
        if t > kick and all(state[t - timedelta(minutes=i)][3] > thresh for i in range(3))
    )
    trans: list[tuple[datetime, str, str]] = []
    for nb in range(7, 0, -1):
        prev = kick - timedelta(days=nb)
        dur = pick.randint(14, 24)
        f0 = prev + timedelta(minutes=pick.randint(22, 27))
        trans.append(
            (
                f0,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (1200.0).",
            )
        )
        trans.append(
            (
                f0 + timedelta(minutes=dur),
                "OK",
                "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1200.0).",
            )
        )
    trans.append(
        (
            fire,
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (1200.0). The most recent datapoints which crossed the threshold: [...]",
        )
    )
    trans.append(
        (
            clear + timedelta(minutes=1),
            "OK",
            "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1200.0).",
        )
    )
    age_alarm = k.alarm(
        "menu-updates-queue-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        stat="Maximum",
        period=60,
        evals=3,
        threshold=thresh,
        op="GreaterThanThreshold",
        desc="Menu updates waiting more than 20 minutes",
        topic=ops,
        transitions=trans,
    )
    k.alarm(
        "menu-indexer-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "menu-indexer"},
        stat="Sum",
        period=300,
        evals=2,
        threshold=20.0,
        op="GreaterThanThreshold",
        desc="menu-indexer failing",
        topic=ops,
        transitions=[],
    )
    k.alarm(
        "menu-updates-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "menu-updates-dlq"},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0.0,
        op="GreaterThanThreshold",
        desc="Menu updates dead-lettered",
        topic=ops,
        transitions=[],
        missing="notBreaching",
    )
    k.alarm(
        "marketplace-api-prod-5xx",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": "marketplace-api", "Stage": "prod"},
        stat="Sum",
        period=300,
        evals=2,
        threshold=100.0,
        op="GreaterThanThreshold",
        desc="Server errors on marketplace-api prod",
        topic=ops,
        transitions=[],
    )
    local = (fire + timedelta(hours=off)).strftime("%-I:%M")
    question = f"Got paged for menu-updates-queue-age at {local}am, by the time I opened the laptop it had cleared. Is something broken with menus? Don't want restaurants seeing stale prices in the morning."
    return k.bundle(
        TITLE,
        {
            "question": question,
            "alarm_event": k.alarm_event(
                {
                    **age_alarm,
                    "StateValue": "ALARM",
                    "StateReason": trans[-2][2],
                    "StateUpdatedTimestamp": iso(fire),
                    "_prev": "OK",
                }
            ),
            "timezone": zone,
        },
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
