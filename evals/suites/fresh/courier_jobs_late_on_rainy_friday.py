"""Couriers offered jobs late on a rainy Friday night: the dispatch consumer is pinned at its reserved concurrency."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzz import UTC, Kit, dinner_curve, iso, lambda_metrics, marketplace, read_calls

NAME = "courier-jobs-late-on-rainy-friday"
TITLE = "Couriers getting jobs 15+ minutes late on a wet Friday night; courier-dispatch queue age alarm"
SUMMARY = "Demand and slower dispatch rounds on a rainy Friday push courier-dispatch past its long-standing reserved concurrency; it throttles and its queue backs up."

ZONES = {
    "eu-west-1": ("Europe/Dublin", 0),
    "eu-west-2": ("Europe/London", 0),
    "eu-central-1": ("Europe/Berlin", 1),
}


def build(seed: int) -> Bundle:
    pick = random.Random(f"{NAME}/{seed}")
    friday = datetime(2026, 11, 6, tzinfo=UTC) + timedelta(weeks=pick.randint(0, 5))
    k = Kit(
        seed,
        NAME,
        friday + timedelta(hours=19, minutes=pick.randint(5, 30)),
        timedelta(hours=3, minutes=pick.randint(15, 45)),
        timedelta(minutes=pick.randint(40, 55)),
    )
    zone, off = ZONES[k.region]
    for attr in ("onset", "start", "now"):
        setattr(k, attr, getattr(k, attr) - timedelta(hours=off))
    onset = k.onset
    scale = pick.uniform(3.0, 4.0)
    surge = pick.uniform(1.3, 1.45)
    reserved = pick.choice([20, 24, 25])
    m = marketplace(k, fn_overrides={"courier-dispatch": {"memory": 1024, "timeout": 60}})

    def lh(t: datetime) -> float:
        return (t.hour + off) % 24 + t.minute / 60

    def orders(t: datetime) -> float:
        # the rain starts in the late afternoon: demand builds above a normal Friday
        wet = 1.0 + (surge - 1.0) * min(
            1.0, max(0.0, (t - (onset - timedelta(minutes=90))).total_seconds() / 5400)
        )
        return dinner_curve(lh(t)) * scale * wet

    def dispatch_s(t: datetime) -> float:
        # fewer couriers out in the rain: more offer rounds per job
        x = min(1.0, max(0.0, (t - (onset - timedelta(minutes=80))).total_seconds() / 4800))
        return 2.2 + x * pick.uniform(1.4, 1.9)

    # simulate the queue: arrivals vs what `reserved` concurrent executions can finish
    backlog = 0.0
    oldest = 0.0
    state: dict[datetime, tuple[float, float, float, float, float]] = {}
    for t in k.minutes():
        arrivals = orders(t - timedelta(minutes=6)) * 0.97
        cap = reserved * 60 / dispatch_s(t)
        done = min(arrivals + backlog, cap)
        backlog = max(0.0, backlog + arrivals - done)
        need = (arrivals + backlog) * dispatch_s(t) / 60
        throttles = (
            0.0 if need <= reserved * 0.97 else min(backlog, 40 + (need - reserved) * k.r.uniform(8, 14))
        )
        oldest = backlog / max(done, 1) * 60 if backlog > 5 else k.r.uniform(0, 3)
        state[t] = (arrivals, done, backlog, throttles, oldest)
    onset_real = next((t for t in k.minutes() if state[t][2] > 30), onset)

    # --- resources -------------------------------------------------------------------------------
    k.res(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": "courier-dispatch", "ReservedConcurrentExecutions": reserved},
    )
    k.res(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": "receipt-mailer", "ReservedConcurrentExecutions": 10},
    )
    esm_dispatch = k.uid()
    for fn, q, batch, uuid_ in [
        ("courier-dispatch", "courier-dispatch-queue", 1, esm_dispatch),
        ("restaurant-notify", "restaurant-notify-queue", 10, k.uid()),
        ("receipt-mailer", "receipts-queue", 10, k.uid()),
    ]:
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": uuid_,
                "BatchSize": batch,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": m["queues"][q.replace("-queue", "")],
                "FunctionArn": m["fn"][fn],
                "LastModified": iso(k.start - timedelta(days=160)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        )

    # --- CloudTrail ------------------------------------------------------------------------------
    ci = k.who_user("github-actions-deploy", "GitHubActions")
    ci_agent = (
        "aws-sdk-js/3.554.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.554.0"
    )
    d1 = onset - timedelta(minutes=pick.randint(30, 55))
    k.ct(
        d1,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        params={"functionName": "restaurant-notify", "publish": True, "dryRun": False},
        resp={
            "functionName": "restaurant-notify",
            "functionArn": m["fn"]["restaurant-notify"],
            "version": "88",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent=ci_agent,
        ip="20.42.11.8",
    )
    tf = k.who_user("terraform-apply", "atlantis")
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.45.0"
    )
    k.ct(
        onset - timedelta(minutes=pick.randint(70, 110)),
        "apigateway.amazonaws.com",
        "CreateDeployment",
        tf,
        params={
            "restApiId": m["api_id"],
            "createDeploymentInput": {"stageName": "prod", "description": "menu filters v2"},
            "template": False,
        },
        resp={"id": k.alnum(6), "createdDate": iso(onset - timedelta(minutes=70))},
        read_only=False,
        agent=tf_agent,
    )
    k.ct(
        onset - timedelta(minutes=pick.randint(12, 25)),
        "sns.amazonaws.com",
        "SetSubscriptionAttributes",
        tf,
        params={
            "subscriptionArn": f"{m['topic_arn']}:{k.uid()}",
            "attributeName": "RedrivePolicy",
            "attributeValue": '{"deadLetterTargetArn":"' + k.arn("sqs", "receipts-dlq") + '"}',
        },
        read_only=False,
        agent=tf_agent,
    )
    oncall = k.who_user("AWSReservedSSO_Developer_51c0aa2e9d7b3f10", "tomasz.w@marketplace", console=True)
    for dt in (8, 11, 19, 26):
        k.ct(
            onset_real + timedelta(minutes=dt),
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            oncall,
            params={
                "queueUrl": f"https://sqs.{k.region}.amazonaws.com/{k.account}/courier-dispatch-queue",
                "attributeNames": ["All"],
            },
            read_only=True,
            agent="AWS Internal",
        )
    k.ct(
        onset_real + timedelta(minutes=14),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        oncall,
        params={"functionName": "courier-dispatch"},
        read_only=True,
        agent="AWS Internal",
    )
    k.noise_reads(pick.randint(50, 70), read_calls(k))

    # --- metrics ---------------------------------------------------------------------------------
    dq = {"QueueName": "courier-dispatch-queue"}
    for t in k.minutes():
        arrivals, done, backlog, thr, oldest = state[t]
        k.put("AWS/SQS", "NumberOfMessagesSent", dq, t, round(arrivals), "Count")
        k.put("AWS/SQS", "NumberOfMessagesReceived", dq, t, round(done + thr * 0.6), "Count")
        k.put("AWS/SQS", "NumberOfMessagesDeleted", dq, t, round(done), "Count")
        k.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dq, t, round(backlog), "Count")
        k.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            dq,
            t,
            round(min(reserved, done * dispatch_s(t) / 60) + thr * 0.3),
            "Count",
        )
        k.put("AWS/SQS", "ApproximateAgeOfOldestMessage", dq, t, round(oldest), "Seconds")
        k.put(
            "AWS/SQS",
            "NumberOfEmptyReceives",
            dq,
            t,
            round(k.r.uniform(20, 60)) if backlog < 1 else 0,
            "Count",
        )
        p = orders(t)
        for q, f in [("restaurant-notify-queue", 1.05), ("receipts-queue", 1.0)]:
            s = round(k.jitter(p * f, 0.06))
            k.put("AWS/SQS", "NumberOfMessagesSent", {"QueueName": q}, t, s, "Count")
            k.put("AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": q}, t, s, "Count")
            k.put(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                {"QueueName": q},
                t,
                round(k.r.uniform(0, 4)),
                "Seconds",
            )
        k.put(
            "AWS/SNS",
            "NumberOfMessagesPublished",
            {"TopicName": "order-events"},
            t,
            round(k.jitter(p * 3.0, 0.05)),
            "Count",
        )
        k.put(
            "AWS/SNS",
            "NumberOfNotificationsDelivered",
            {"TopicName": "order-events"},
            t,
            round(k.jitter(p * 3.0, 0.05)),
            "Count",
        )
        k.put("AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "order-events"}, t, 0, "Count")
        k.put(
            "AWS/EventBridge/Pipes",
            "Invocations",
            {"PipeName": "orders-stream-to-bus"},
            t,
            round(k.jitter(p * 0.9, 0.05)),
            "Count",
        )
        k.stats(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "orders"},
            t,
            p * 3.1,
            1.9,
            1,
            6,
            "Count",
        )
        acct = 12 + p * 0.03 + min(reserved, done * dispatch_s(t) / 60)
        k.put("AWS/Lambda", "ConcurrentExecutions", {}, t, round(k.jitter(acct, 0.1)), "Count")
        k.put(
            "AWS/Lambda",
            "UnreservedConcurrentExecutions",
            {},
            t,
            round(k.jitter(acct - reserved * 0.8, 0.1)),
            "Count",
        )
        k.put(
            "AWS/ApiGateway",
            "Count",
            {"ApiName": "marketplace-api", "Stage": "prod"},
            t,
            round(k.jitter(p * 9.2, 0.05)),
            "Count",
        )
        k.put(
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": "marketplace-api", "Stage": "prod"},
            t,
            round(k.r.random() * 1.4),
            "Count",
        )
        k.put(
            "AWS/ApiGateway",
            "4XXError",
            {"ApiName": "marketplace-api", "Stage": "prod"},
            t,
            round(k.jitter(p * 0.11, 0.3)),
            "Count",
        )
    lambda_metrics(
        k,
        "courier-dispatch",
        lambda t: state[t][1],
        lambda t: state[t][1] * 0.003,
        lambda t: dispatch_s(t) * 1000,
        thr=lambda t: state[t][3],
        conc=lambda t: min(
            float(reserved), state[t][1] * dispatch_s(t) / 60 * 1.15 + (reserved if state[t][2] > 5 else 0)
        ),
        timeout_ms=60000,
    )
    lambda_metrics(k, "place-order", lambda t: orders(t) * 1.04, lambda t: orders(t) * 0.002, lambda t: 240.0)
    lambda_metrics(
        k, "restaurant-notify", lambda t: orders(t) / 3, lambda t: 0.0, lambda t: 150.0 if t < d1 else 165.0
    )
    lambda_metrics(k, "receipt-mailer", lambda t: orders(t) / 5, lambda t: 0.0, lambda t: 300.0)
    lambda_metrics(
        k, "delivery-quote", lambda t: orders(t) * 2.1, lambda t: orders(t) * 0.001, lambda t: 175.0
    )

    # --- logs ------------------------------------------------------------------------------------
    lg = "/aws/lambda/courier-dispatch"
    streams = [k.log_stream(k.start) for _ in range(4)]
    for t in k.minutes():
        for _ in range(2):
            ts = t + timedelta(seconds=k.r.uniform(0, 58))
            d = dispatch_s(t) * k.r.uniform(0.5, 1.8)
            st = k.r.choice(streams)
            rid = k.uid()
            rounds = 1 + int(d / 2.4)
            waited = state[t][4] * k.r.uniform(0.6, 1.0)
            k.logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": int(ts.timestamp() * 1000),
                    "message": f"START RequestId: {rid} Version: $LATEST\n",
                }
            )
            msg = f"[INFO]\t{iso(ts)}\t{rid}\tdispatch order={k.r.randint(10**7, 10**8)} zone={k.r.choice(['c1', 'c2', 'n4', 's2', 'e3'])} rounds={rounds} candidates={k.r.randint(1, 7)} assigned=courier-{k.r.randint(1000, 9999)} queued_for={waited:.0f}s\n"
            k.logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": int(ts.timestamp() * 1000) + int(d * 1000) - 5,
                    "message": msg,
                }
            )
            end = ts + timedelta(seconds=d)
            k.logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": int(end.timestamp() * 1000),
                    "message": f"END RequestId: {rid}\n",
                }
            )
            k.logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": int(end.timestamp() * 1000),
                    "message": f"REPORT RequestId: {rid}\tDuration: {d * 1000:.2f} ms\tBilled Duration: {int(d * 1000) + 1} ms\tMemory Size: 1024 MB\tMax Memory Used: {k.r.randint(140, 170)} MB\t\n",
                }
            )

    # --- alarms ----------------------------------------------------------------------------------
    ops = k.arn("sns", "oncall-pager")
    fired = next(
        (
            t
            for t in k.minutes()
            if t > onset_real
            and all(state.get(t - timedelta(minutes=i), (0, 0, 0, 0, 0))[4] > 300 for i in range(5))
        ),
        onset_real + timedelta(minutes=12),
    )
    age = k.alarm(
        "courier-dispatch-queue-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dq,
        stat="Maximum",
        period=60,
        evals=5,
        threshold=300.0,
        op="GreaterThanThreshold",
        desc="Courier jobs waiting more than 5 minutes to be dispatched",
        topic=ops,
        transitions=[
            (
                fired,
                "ALARM",
                "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (300.0). The most recent datapoints which crossed the threshold: [...]",
            )
        ],
    )
    k.alarm(
        "courier-dispatch-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "courier-dispatch"},
        stat="Sum",
        period=300,
        evals=2,
        threshold=25.0,
        op="GreaterThanThreshold",
        desc="courier-dispatch failing",
        topic=ops,
        transitions=[],
    )
    k.alarm(
        "courier-dispatch-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "courier-dispatch-dlq"},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0.0,
        op="GreaterThanThreshold",
        desc="Dispatch jobs dead-lettered",
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
    fl = onset - timedelta(minutes=pick.randint(100, 150))
    k.alarm(
        "menu-read-p99-latency",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "menu-read"},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=3000.0,
        op="GreaterThanThreshold",
        desc="menu-read slow",
        topic=k.arn("sns", "team-notify-slack"),
        transitions=[
            (fl, "ALARM", "Threshold Crossed: 1 datapoint [3412.6] was greater than the threshold (3000.0)."),
            (
                fl + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 1 datapoint [388.1] was not greater than the threshold (3000.0).",
            ),
        ],
    )
    lambda_metrics(k, "menu-read", lambda t: orders(t) * 6.0, lambda t: 0.0, lambda t: 45.0)
    local = (onset_real + timedelta(hours=off) + timedelta(minutes=pick.randint(3, 9))).strftime("%-I:%M")
    question = f"Restaurants are ringing support saying food is sitting on the pass for 15-20 minutes before a courier gets the job, since maybe {local}. It's lashing rain so it's busy, but this isn't normal. Is the courier app down?"
    return k.bundle(
        TITLE,
        {"question": question, "alarm_event": k.alarm_event(age), "timezone": zone},
        {
            "no_fault": False,
            "root_cause": {
                "resource": "courier-dispatch",
                "category": "limit",
                "failure_mode": "lambda-reserved-concurrency-exhausted",
            },
            "also_accept": [m["fn"]["courier-dispatch"], esm_dispatch],
            "actions": ["scale"],
            "chain": ["courier-dispatch", "courier-dispatch-queue", "courier-dispatch-queue-age"],
        },
    )
