"""Loyalty points stop accruing: the loyalty subscription's SNS filter policy now keys on an attribute the
publisher never sets, so SNS filters every order event out. Nothing errors anywhere."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_u as k

NAME = "loyalty-points-stopped-accruing"
TITLE = "Loyalty points not credited for today's orders"
SUMMARY = (
    "An engineer edited the loyalty-accrual SNS subscription's filter policy (to add partial refunds) and "
    "renamed its key to event_type; the publisher sets eventType, so every order event is filtered out."
)

Json = dict[str, Any]
TZ = "Europe/London"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = ids.account()
    region = rng.choice(["eu-west-1", "eu-west-2"])
    zone = ZoneInfo(TZ)
    day = k.pick_day(rng, (1, 2, 3, 4))
    local_change = datetime(day.year, day.month, day.day, rng.randint(9, 11), rng.randint(5, 55), tzinfo=zone)
    change_t = local_change.astimezone(k.UTC).replace(second=rng.randint(3, 57))
    offset_h = local_change.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    cut = change_t + timedelta(seconds=rng.randint(70, 200))  # filter policy change propagates
    start = k.floor_minute(change_t - timedelta(hours=5, minutes=rng.randint(0, 40)))
    now = k.floor_minute(change_t + timedelta(minutes=rng.randint(78, 105)))
    fine_from = k.floor_minute(change_t - timedelta(hours=3))
    pts = k.steps(start, now, fine_from)

    brand = rng.choice(["fernhollow", "larchmont", "kittiwake", "brackenridge"])
    topic = "order-events"
    topic_arn = f"arn:aws:sns:{region}:{account}:{topic}"
    q_loyalty, q_dlq, q_fulfil, q_analytics, q_notify = (
        "loyalty-accrual",
        "loyalty-accrual-dlq",
        "fulfilment-intake",
        "order-analytics",
        "customer-notify",
    )
    fn_loyalty, fn_fulfil = "loyalty-accrual-worker", "fulfilment-intake-worker"
    table = "loyalty-ledger"
    cluster = f"{brand}-prod"
    sub_ids = {q: ids.uuid() for q in (q_loyalty, q_fulfil, q_analytics, q_notify)}
    sub_arn = {q: f"{topic_arn}:{sub_ids[q]}" for q in sub_ids}
    old_filter = {"eventType": ["OrderPaymentCaptured", "OrderRefunded"]}
    new_filter = {"event_type": ["OrderPaymentCaptured", "OrderRefunded", "OrderPartiallyRefunded"]}
    filters: dict[str, Json | None] = {
        q_loyalty: old_filter,
        q_fulfil: {"eventType": ["OrderPaymentCaptured", "OrderCancelled"]},
        q_analytics: None,
        q_notify: {
            "eventType": ["OrderPlaced", "OrderCancelled", "OrderRefunded"],
            "channel": ["web", "app"],
        },
    }
    version_before = rng.randint(38, 97)
    version_after = version_before + 1
    deploy_t = change_t - timedelta(minutes=rng.randint(14, 22), seconds=rng.randint(0, 59))

    # ---- the order stream, minute by minute -------------------------------------------------------
    noise = k.Noise(rng, 0.05, 0.08)
    per_min: dict[datetime, dict[str, int]] = {}
    t = start
    while t < now:
        load = k.diurnal(t, offset_h, 0.12, [(12.5, 1.5, 0.25), (20.5, 2.0, 0.35)])
        lam = 9.0 * load * noise()
        placed = max(0, round(rng.gauss(lam, lam**0.5)))
        captured = max(0, round(placed * rng.uniform(0.85, 1.0)))
        cancelled = 1 if rng.random() < 0.08 * load else 0
        refunded = 1 if rng.random() < 0.12 * load else 0
        web = round(placed * 0.55)
        per_min[t] = {
            "OrderPlaced": placed,
            "OrderPaymentCaptured": captured,
            "OrderCancelled": cancelled,
            "OrderRefunded": refunded,
            "web": web,
        }
        t += timedelta(minutes=1)

    def window(t0: datetime, step: int) -> list[dict[str, int]]:
        return [
            per_min[t0 + timedelta(minutes=i)] for i in range(step) if t0 + timedelta(minutes=i) in per_min
        ]

    def published(m: dict[str, int]) -> int:
        return m["OrderPlaced"] + m["OrderPaymentCaptured"] + m["OrderCancelled"] + m["OrderRefunded"]

    def loyalty_in(t0: datetime, m: dict[str, int]) -> int:
        return 0 if t0 >= k.floor_minute(cut) else m["OrderPaymentCaptured"] + m["OrderRefunded"]

    def fulfil_in(m: dict[str, int]) -> int:
        return m["OrderPaymentCaptured"] + m["OrderCancelled"]

    def notify_in(m: dict[str, int]) -> int:
        return m["OrderPlaced"] + m["OrderCancelled"] + m["OrderRefunded"]

    def agg(fn: Any) -> Any:
        def inner(t0: datetime, step: int) -> float | None:
            rows = window(t0, step)
            if not rows:
                return None
            return float(sum(fn(t0 + timedelta(minutes=i), r) for i, r in enumerate(rows)))

        return inner

    metrics: list[Json] = []
    tdim = {"TopicName": topic}
    metrics += k.series(
        "AWS/SNS", "NumberOfMessagesPublished", tdim, "Count", pts, agg(lambda _t, m: published(m))
    )

    def delivered(t0: datetime, m: dict[str, int]) -> int:
        return loyalty_in(t0, m) + fulfil_in(m) + published(m) + notify_in(m)

    def filtered(t0: datetime, m: dict[str, int]) -> int:
        return 4 * published(m) - delivered(t0, m)

    metrics += k.series("AWS/SNS", "NumberOfNotificationsDelivered", tdim, "Count", pts, agg(delivered))
    metrics += k.series("AWS/SNS", "NumberOfNotificationsFilteredOut", tdim, "Count", pts, agg(filtered))
    metrics += k.series(
        "AWS/SNS", "NumberOfNotificationsFilteredOut-MessageAttributes", tdim, "Count", pts, agg(filtered)
    )
    metrics += k.series(
        "AWS/SNS",
        "PublishSize",
        tdim,
        "Bytes",
        pts,
        lambda t0, s: rng.uniform(1480, 1720) if window(t0, s) else None,
        1,
    )

    def sqs_block(
        queue: str, inflow: Any, consumer_polls: bool = True, empty_base: float = 14.0
    ) -> list[Json]:
        qd = {"QueueName": queue}
        out: list[Json] = []
        out += k.series("AWS/SQS", "NumberOfMessagesSent", qd, "Count", pts, agg(inflow))
        out += k.series("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", pts, agg(inflow))
        out += k.series("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", pts, agg(inflow))

        def empties(t0: datetime, step: int) -> float:
            n = sum(inflow(t0, r) for r in window(t0, step))
            return (
                max(0.0, empty_base * step - 0.6 * n + rng.uniform(-2, 2) * step) if consumer_polls else 0.0
            )

        out += k.series("AWS/SQS", "NumberOfEmptyReceives", qd, "Count", pts, empties, 0)

        def visible(t0: datetime, step: int) -> float:
            n = sum(inflow(t0, r) for r in window(t0, step))
            return float(rng.choice([0, 0, 0, 1])) if n else 0.0

        out += k.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", pts, visible, 0)
        out += k.series("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, "Count", pts, visible, 0)
        out += k.series(
            "AWS/SQS", "ApproximateNumberOfMessagesDelayed", qd, "Count", pts, lambda t0, s: 0.0, 0
        )

        def age(t0: datetime, step: int) -> float:
            n = sum(inflow(t0, r) for r in window(t0, step))
            return float(rng.randint(0, 3)) if n else 0.0

        out += k.series("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", pts, age, 0)

        def size(t0: datetime, step: int) -> float | None:
            n = sum(inflow(t0, r) for r in window(t0, step))
            return rng.uniform(1150, 1420) if n else None

        out += k.series("AWS/SQS", "SentMessageSize", qd, "Bytes", pts, size, 1)
        return out

    metrics += sqs_block(q_loyalty, loyalty_in)
    metrics += sqs_block(q_fulfil, lambda _t, m: fulfil_in(m))
    metrics += sqs_block(q_analytics, lambda _t, m: published(m), empty_base=2.0)
    metrics += sqs_block(q_notify, lambda _t, m: notify_in(m), empty_base=3.0)
    zero = {"QueueName": q_dlq}
    for mname in (
        "ApproximateNumberOfMessagesVisible",
        "ApproximateNumberOfMessagesNotVisible",
        "NumberOfMessagesSent",
    ):
        metrics += k.series("AWS/SQS", mname, zero, "Count", pts, lambda t0, s: 0.0, 0)
    metrics += k.series(
        "AWS/SQS", "ApproximateAgeOfOldestMessage", zero, "Seconds", pts, lambda t0, s: 0.0, 0
    )

    # Lambda consumers: one invocation per small batch
    inv_log: dict[str, list[tuple[datetime, int, float]]] = {fn_loyalty: [], fn_fulfil: []}
    for t0, m in per_min.items():
        for fn, n in ((fn_loyalty, loyalty_in(t0, m)), (fn_fulfil, fulfil_in(m))):
            left = n
            while left > 0:
                batch = min(left, rng.choice([1, 1, 1, 2, 2, 3]))
                left -= batch
                base = 70.0 if fn == fn_loyalty else 55.0
                if fn == fn_loyalty and t0 >= deploy_t:
                    base = 64.0
                dur = max(9.0, rng.gauss(base + 18 * batch, 14))
                if rng.random() < 0.01:
                    dur += rng.uniform(300, 900)  # cold start or slow DynamoDB call
                inv_log[fn].append((t0 + timedelta(seconds=rng.uniform(0, 59.5)), batch, dur))

    for fn in (fn_loyalty, fn_fulfil):
        metrics += k.lambda_metrics(fn, [(w, d, False) for w, _, d in inv_log[fn]], pts, max_concurrency=5)

    # DynamoDB loyalty-ledger: writes from the worker, reads from the loyalty API (members checking balances)
    dd = {"TableName": table}

    def wcu(t0: datetime, step: int) -> float | None:
        n = sum(loyalty_in(t0 + timedelta(minutes=i), r) for i, r in enumerate(window(t0, step)))
        return float(n * 2) if n else None

    metrics += k.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", dd, "Count", pts, wcu, 1)
    read_noise = k.Noise(rng, 0.05, 0.12)
    metrics += k.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        dd,
        "Count",
        pts,
        lambda t0, s: 38 * s * k.diurnal(t0, offset_h, 0.1, [(20.5, 2.0, 0.3)]) * read_noise(),
        1,
    )

    def lat_update(t0: datetime, step: int) -> tuple[float, float, float, float] | None:
        n = sum(loyalty_in(t0 + timedelta(minutes=i), r) for i, r in enumerate(window(t0, step)))
        if not n:
            return None
        avg = rng.uniform(4.2, 6.4)
        return (n * 1.0, n * avg, avg * 0.55, avg * rng.uniform(1.8, 4.5))

    metrics += k.stat_series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {**dd, "Operation": "UpdateItem"},
        "Milliseconds",
        pts,
        lat_update,
    )

    def lat_get(t0: datetime, step: int) -> tuple[float, float, float, float]:
        n = max(1.0, 60 * step * k.diurnal(t0, offset_h, 0.1))
        avg = rng.uniform(2.6, 3.6)
        return (n, n * avg, 1.1, avg * rng.uniform(2.5, 6))

    metrics += k.stat_series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {**dd, "Operation": "GetItem"},
        "Milliseconds",
        pts,
        lat_get,
    )

    # ECS order-service
    ed = {"ClusterName": cluster, "ServiceName": "order-service"}
    cpu_noise = k.Noise(rng, 0.05, 0.1)
    metrics += k.series(
        "AWS/ECS",
        "CPUUtilization",
        ed,
        "Percent",
        pts,
        lambda t0, s: 9 + 30 * k.diurnal(t0, offset_h, 0.1, [(20.5, 2, 0.3)]) * cpu_noise(),
    )
    metrics += k.series("AWS/ECS", "MemoryUtilization", ed, "Percent", pts, lambda t0, s: rng.uniform(41, 44))

    # ---- alarms ------------------------------------------------------------------------------------
    ops_topic = f"arn:aws:sns:{region}:{account}:{brand}-ops-alerts"
    specs = [
        k.AlarmSpec(
            account,
            region,
            f"{fn_loyalty}-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_loyalty},
            "Sum",
            300,
            1,
            1,
            "GreaterThanOrEqualToThreshold",
            description="Loyalty accrual worker failing",
            actions=[ops_topic],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{fn_fulfil}-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_fulfil},
            "Sum",
            300,
            1,
            1,
            "GreaterThanOrEqualToThreshold",
            description="Fulfilment intake worker failing",
            actions=[ops_topic],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{q_dlq}-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": q_dlq},
            "Maximum",
            300,
            1,
            0,
            "GreaterThanThreshold",
            description="Messages in the loyalty accrual DLQ",
            actions=[ops_topic],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{q_loyalty}-oldest-message-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": q_loyalty},
            "Maximum",
            300,
            2,
            900,
            "GreaterThanThreshold",
            description="Loyalty accrual queue is not being drained",
            actions=[ops_topic],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{topic}-delivery-failures",
            "AWS/SNS",
            "NumberOfNotificationsFailed",
            {"TopicName": topic},
            "Sum",
            300,
            1,
            0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            description="SNS could not deliver order events to a subscriber",
            actions=[ops_topic],
        ),
    ]
    for spec in specs:
        spec.evaluate(metrics, start, now, rng)

    # ---- logs --------------------------------------------------------------------------------------
    logs: list[Json] = []
    tasks = [ids.task_id() for _ in range(3)]
    task_ips = [ids.private_ip("10.40") for _ in tasks]
    svc_group = "/ecs/order-service"
    for t0, m in per_min.items():
        for etype in ("OrderPlaced", "OrderPaymentCaptured", "OrderCancelled", "OrderRefunded"):
            for _ in range(m[etype]):
                i = rng.randrange(3)
                at = t0 + timedelta(seconds=rng.uniform(0, 59.9))
                order = f"{brand[:2].upper()}-{rng.randint(4_100_000, 4_899_999)}"
                channel = "web" if rng.random() < 0.55 else "app"
                msg = {
                    "level": 30,
                    "time": k.ms(at),
                    "pid": 1,
                    "hostname": f"ip-{task_ips[i].replace('.', '-')}.{region}.compute.internal",
                    "svc": "order-service",
                    "msg": "order event published",
                    "topic": topic,
                    "messageAttributes": {"eventType": etype, "channel": channel, "schemaVersion": "3"},
                    "orderId": order,
                    "snsMessageId": ids.uuid(),
                }
                logs.append(
                    k.log(
                        svc_group, f"ecs/order-service/{tasks[i]}", at, json.dumps(msg, separators=(",", ":"))
                    )
                )
        if rng.random() < 0.015:
            i = rng.randrange(3)
            at = t0 + timedelta(seconds=rng.uniform(0, 59))
            msg = {
                "level": 40,
                "time": k.ms(at),
                "pid": 1,
                "hostname": f"ip-{task_ips[i].replace('.', '-')}.{region}.compute.internal",
                "svc": "order-service",
                "msg": "payment provider slow, retrying capture",
                "attempt": 2,
                "latencyMs": rng.randint(2100, 4800),
            }
            logs.append(
                k.log(svc_group, f"ecs/order-service/{tasks[i]}", at, json.dumps(msg, separators=(",", ":")))
            )

    for fn, ver_of in (
        (fn_loyalty, lambda w: version_after if w >= deploy_t else version_before),
        (fn_fulfil, lambda w: 212),
    ):
        group = f"/aws/lambda/{fn}"
        streams: dict[int, list[str]] = {}
        for when, batch, dur in inv_log[fn]:
            ver = ver_of(when)
            pool = streams.setdefault(ver, [])
            if not pool or (len(pool) < 3 and rng.random() < 0.02):
                pool.append(k.lambda_stream(ids, when, f"{ver}"))
            stream = rng.choice(pool)
            body: list[tuple[float, str]] = []
            for j in range(batch):
                off = dur * (j + 1) / (batch + 1)
                order = f"{brand[:2].upper()}-{rng.randint(4_100_000, 4_899_999)}"
                if fn == fn_loyalty:
                    if rng.random() < 0.03:
                        body.append(
                            (
                                off,
                                f"WARN\tno loyalty member for customer cus_{ids.alnum(14)}; skipping order {order}",
                            )
                        )
                    else:
                        pts_ = rng.randint(4, 260)
                        body.append(
                            (
                                off,
                                "INFO\t"
                                + json.dumps(
                                    {
                                        "msg": "points accrued",
                                        "orderId": order,
                                        "memberId": f"M{rng.randint(1_000_000, 9_999_999)}",
                                        "points": pts_,
                                        "balance": pts_ + rng.randint(0, 9000),
                                    },
                                    separators=(",", ":"),
                                ),
                            )
                        )
                else:
                    body.append(
                        (
                            off,
                            f"INFO\tfulfilment request created for {order} (warehouse {rng.choice(['MAN1', 'DTF2'])})",
                        )
                    )
            logs += k.lambda_invocation(
                group,
                stream,
                ids,
                when,
                round(dur, 2),
                512 if fn == fn_loyalty else 256,
                rng.randint(88, 104),
                body,
                version=str(ver),
            )

    # ---- resources ---------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 700))
    resources: list[Json] = []
    resources.append(
        {
            "service": "sns",
            "type": "Topic",
            "item": {
                "TopicArn": topic_arn,
                "Attributes": {
                    "TopicArn": topic_arn,
                    "Owner": account,
                    "DisplayName": "",
                    "SubscriptionsConfirmed": "4",
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                    "KmsMasterKeyId": "alias/aws/sns",
                    "SignatureVersion": "1",
                    "Policy": k.dumps(
                        {
                            "Version": "2008-10-17",
                            "Id": "__default_policy_ID",
                            "Statement": [
                                {
                                    "Sid": "__default_statement_ID",
                                    "Effect": "Allow",
                                    "Principal": {"AWS": "*"},
                                    "Action": ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"],
                                    "Resource": topic_arn,
                                    "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                                }
                            ],
                        }
                    ),
                    "EffectiveDeliveryPolicy": k.dumps(
                        {
                            "http": {
                                "defaultHealthyRetryPolicy": {
                                    "minDelayTarget": 20,
                                    "maxDelayTarget": 20,
                                    "numRetries": 3,
                                    "numMaxDelayRetries": 0,
                                    "numNoDelayRetries": 0,
                                    "numMinDelayRetries": 0,
                                    "backoffFunction": "linear",
                                },
                                "disableSubscriptionOverrides": False,
                                "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
                            }
                        }
                    ),
                },
            },
        }
    )
    for q in (q_loyalty, q_fulfil, q_analytics, q_notify):
        attrs = {
            "SubscriptionArn": sub_arn[q],
            "TopicArn": topic_arn,
            "Owner": account,
            "Protocol": "sqs",
            "Endpoint": f"arn:aws:sqs:{region}:{account}:{q}",
            "RawMessageDelivery": "true",
            "PendingConfirmation": "false",
            "ConfirmationWasAuthenticated": "true",
            "SubscriptionRoleArn": "",
        }
        attrs.pop("SubscriptionRoleArn")
        pol = new_filter if q == q_loyalty else filters[q]
        if pol is not None:
            attrs["FilterPolicy"] = json.dumps(pol, indent=2) if q == q_loyalty else k.dumps(pol)
            attrs["FilterPolicyScope"] = "MessageAttributes"
        resources.append(
            {
                "service": "sns",
                "type": "Subscription",
                "item": {
                    "SubscriptionArn": sub_arn[q],
                    "TopicArn": topic_arn,
                    "Protocol": "sqs",
                    "Endpoint": f"arn:aws:sqs:{region}:{account}:{q}",
                    "Owner": account,
                    "Attributes": attrs,
                },
            }
        )
    tags = {"team": "loyalty", "service": "loyalty", "env": "prod"}
    analytics_modified = change_t + timedelta(minutes=rng.randint(8, 16), seconds=rng.randint(0, 59))
    for q, vis, red, tg, mod in (
        (q_loyalty, 60, q_dlq, tags, created + timedelta(days=40)),
        (q_dlq, 30, None, tags, created),
        (q_fulfil, 120, None, {"team": "fulfilment", "env": "prod"}, created + timedelta(days=90)),
        (q_analytics, 300, None, {"team": "data", "env": "prod"}, analytics_modified),
        (q_notify, 60, None, {"team": "crm", "env": "prod"}, created + timedelta(days=12)),
    ):
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "order-events-fanout",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": f"arn:aws:sqs:{region}:{account}:{q}",
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
        resources.append(
            {
                "service": "sqs",
                "type": "Queue",
                "item": k.sqs_queue(
                    account,
                    region,
                    q,
                    created,
                    mod,
                    visibility=vis,
                    retention=1209600 if q in (q_dlq, q_analytics) else 345600,
                    redrive_to=red,
                    max_receive=5,
                    policy=None if q == q_dlq else policy,
                    tags=tg,
                ),
            }
        )
    fn_loyalty_item = k.lambda_function(
        ids,
        account,
        region,
        fn_loyalty,
        runtime="nodejs20.x",
        handler="dist/handler.accrue",
        memory=512,
        timeout=30,
        role="loyalty-accrual-worker-role",
        modified=deploy_t + timedelta(seconds=4),
        env={"LEDGER_TABLE": table, "POINTS_RULESET": "2024-standard", "LOG_LEVEL": "info"},
        description="Credits and reverses loyalty points from order events",
    )
    fn_fulfil_item = k.lambda_function(
        ids,
        account,
        region,
        fn_fulfil,
        runtime="nodejs20.x",
        handler="dist/index.handler",
        memory=256,
        timeout=60,
        role="fulfilment-intake-worker-role",
        modified=created + timedelta(days=200),
        env={"WMS_ENDPOINT": "https://wms-gateway.internal." + brand + ".co.uk"},
        description="Creates fulfilment requests in the WMS",
    )
    resources += [
        {"service": "lambda", "type": "FunctionConfiguration", "item": fn_loyalty_item},
        {"service": "lambda", "type": "FunctionConfiguration", "item": fn_fulfil_item},
    ]
    for fn, q, alias in ((fn_loyalty, q_loyalty, "live"), (fn_fulfil, q_fulfil, "live")):
        resources.append(
            {
                "service": "lambda",
                "type": "EventSourceMappingConfiguration",
                "item": {
                    "UUID": ids.uuid(),
                    "BatchSize": 10,
                    "MaximumBatchingWindowInSeconds": 0,
                    "EventSourceArn": f"arn:aws:sqs:{region}:{account}:{q}",
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}:{alias}",
                    "LastModified": k.iso(created + timedelta(days=41)),
                    "State": "Enabled",
                    "StateTransitionReason": "USER_INITIATED",
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "ScalingConfig": {"MaximumConcurrency": 5},
                },
            }
        )
    resources.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": k.ddb_table(
                ids,
                account,
                region,
                table,
                created,
                [("memberId", "HASH", "S"), ("entryId", "RANGE", "S")],
                items=rng.randint(9_000_000, 14_000_000),
                size=rng.randint(2_400_000_000, 3_900_000_000),
            ),
        }
    )
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/order-service"
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": "order-service",
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "status": "ACTIVE",
                "desiredCount": 3,
                "runningCount": 3,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/order-service:{rng.randint(150, 400)}",
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "createdAt": k.iso(created),
            },
        }
    )
    resources[-1]["item"]["events"] = [
        {
            "id": ids.uuid(),
            "createdAt": k.iso(start + timedelta(hours=h, minutes=rng.randint(0, 5))),
            "message": "(service order-service) has reached a steady state.",
        }
        for h in (4, 0)
        if start + timedelta(hours=h) < now
    ]

    # ---- CloudTrail ------------------------------------------------------------------------------------
    engineer = rng.choice(["priya.raman", "tom.whitfield", "aoife.byrne", "marek.nowak"])
    dev = k.sso_user(account, ids, f"{engineer}@{brand}.co.uk", "LoyaltyDeveloper")
    dev.agent = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36"
    )
    other = k.sso_user(
        account, ids, f"{rng.choice(['sam.okafor', 'hannah.lee', 'dev.patel'])}@{brand}.co.uk", "DataEngineer"
    )
    ci = k.ci_role(
        account,
        ids,
        "github-actions-deploy-loyalty",
        "GitHubActions",
        k.GHA_AGENT.format(cmd="lambda.update-function-code"),
    )
    tf = k.ci_role(
        account,
        ids,
        "terraform-apply-data",
        f"terraform-{ids.hex(8)}",
        k.TERRAFORM_AGENT.format(api="sqs", ver="1.31.4"),
    )
    graf = k.workload_role(
        account,
        ids,
        "grafana-cloudwatch-read",
        "grafana",
        ids.public_ip(),
        "aws-sdk-go/1.51.6 (go1.22.1; linux; amd64)",
    )
    ct: list[Json] = []
    src = "sns.amazonaws.com"
    lam_src = "lambda.amazonaws.com"

    def add(*args: Any, **kw: Any) -> Json:
        rec = k.cloudtrail(ids, account, region, *args, **kw)
        ct.append(rec)
        return rec

    # routine: grafana polling, role assumption by services
    for when in k.spread(rng, start, now, 14):
        add(
            when,
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            graf,
            {"maxRecords": 100},
            None,
            read_only=True,
        )
    for when in k.spread(rng, start, now, 8):
        fn = rng.choice([fn_loyalty, fn_fulfil])
        ct.append(k.assume_role_by_service(ids, account, region, when, lam_src, f"{fn}-role", fn))
    for when in k.spread(rng, start, now, 5):
        ct.append(
            k.assume_role_by_service(
                ids, account, region, when, "ecs-tasks.amazonaws.com", "order-service-task", rng.choice(tasks)
            )
        )
    # the deploy of the loyalty worker (innocent)
    zip_key = f"loyalty-accrual-worker/{ids.hex(40)}.zip"
    add(
        deploy_t,
        lam_src,
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": fn_loyalty,
            "s3Bucket": f"{brand}-lambda-artifacts",
            "s3Key": zip_key,
            "publish": False,
        },
        {
            "functionName": fn_loyalty,
            "functionArn": fn_loyalty_item["FunctionArn"],
            "runtime": "nodejs20.x",
            "codeSize": fn_loyalty_item["CodeSize"],
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
        },
    )
    add(
        deploy_t + timedelta(seconds=9),
        lam_src,
        "PublishVersion20150331",
        ci,
        {"functionName": fn_loyalty},
        {
            "functionName": fn_loyalty,
            "version": str(version_after),
            "functionArn": fn_loyalty_item["FunctionArn"] + f":{version_after}",
        },
    )
    add(
        deploy_t + timedelta(seconds=12),
        lam_src,
        "UpdateAlias20150331",
        ci,
        {"functionName": fn_loyalty, "name": "live", "functionVersion": str(version_after)},
        {
            "aliasArn": fn_loyalty_item["FunctionArn"] + ":live",
            "name": "live",
            "functionVersion": str(version_after),
            "revisionId": ids.uuid(),
        },
    )
    # the engineer looks at the subscription, then edits its filter policy
    look = change_t - timedelta(minutes=rng.randint(3, 6))
    add(look, src, "ListSubscriptionsByTopic", dev, {"topicArn": topic_arn}, None, read_only=True)
    add(
        look + timedelta(seconds=21),
        src,
        "GetSubscriptionAttributes",
        dev,
        {"subscriptionArn": sub_arn[q_loyalty]},
        None,
        read_only=True,
    )
    add(
        look + timedelta(seconds=40),
        src,
        "GetSubscriptionAttributes",
        dev,
        {"subscriptionArn": sub_arn[q_fulfil]},
        None,
        read_only=True,
    )
    culprit = add(
        change_t,
        src,
        "SetSubscriptionAttributes",
        dev,
        {
            "subscriptionArn": sub_arn[q_loyalty],
            "attributeName": "FilterPolicy",
            "attributeValue": json.dumps(new_filter, indent=2),
        },
        None,
    )
    add(
        change_t + timedelta(seconds=6),
        src,
        "GetSubscriptionAttributes",
        dev,
        {"subscriptionArn": sub_arn[q_loyalty]},
        None,
        read_only=True,
    )
    # later: the engineer checks the worker; terraform changes the analytics queue retention (innocent)
    add(
        change_t + timedelta(minutes=4, seconds=12),
        lam_src,
        "GetFunction20150331v2",
        dev,
        {"functionName": fn_loyalty},
        None,
        read_only=True,
    )
    add(
        analytics_modified - timedelta(seconds=5),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        tf,
        {
            "queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{q_analytics}",
            "attributeNames": ["All"],
        },
        None,
        read_only=True,
    )
    add(
        analytics_modified,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        tf,
        {
            "queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{q_analytics}",
            "attributes": {"MessageRetentionPeriod": "1209600", "VisibilityTimeout": "300"},
        },
        None,
    )
    add(
        analytics_modified + timedelta(seconds=3),
        "sqs.amazonaws.com",
        "ListQueueTags",
        tf,
        {"queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{q_analytics}"},
        None,
        read_only=True,
    )
    # other reads and small writes across the morning
    for when in k.spread(rng, start, change_t - timedelta(minutes=40), 4):
        add(
            when, "dynamodb.amazonaws.com", "DescribeTable", other, {"tableName": table}, None, read_only=True
        )
    for when in k.spread(rng, start, now, 3):
        add(
            when, "sqs.amazonaws.com", "ListQueues", other, {"queueNamePrefix": "order"}, None, read_only=True
        )
    add(
        start + timedelta(minutes=rng.randint(20, 90)),
        "ecs.amazonaws.com",
        "DescribeServices",
        other,
        {"cluster": cluster, "services": ["order-service"]},
        None,
        read_only=True,
    )
    add(
        start + timedelta(minutes=rng.randint(100, 150)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        other,
        {"logGroupName": "/aws/lambda/" + fn_fulfil, "retentionInDays": 30},
        None,
    )
    add(
        now - timedelta(minutes=rng.randint(3, 9)),
        src,
        "GetTopicAttributes",
        other,
        {"topicArn": topic_arn},
        None,
        read_only=True,
    )
    ct = k.sort_records(ct)

    drop_local = cut.astimezone(zone)
    asked = drop_local - timedelta(minutes=drop_local.minute % 5)
    clock = asked.strftime("%-I:%M%p").lower()
    question = (
        f"Customer service says loyalty points haven't been credited for any orders since about {clock} today. "
        "Orders are going through fine, the loyalty worker isn't throwing errors and its DLQ is empty. "
        "What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": sub_arn[q_loyalty],
                    "category": "change",
                    "failure_mode": "sns-filter-policy-matches-nothing",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [sub_ids[q_loyalty], f"{topic}/{q_loyalty} subscription"],
                "actions": ["rollback"],
                "chain": [
                    f"SetSubscriptionAttributes on the {q_loyalty} subscription of {topic} renamed the filter key "
                    "eventType to event_type",
                    f"SNS filters out every order event for {q_loyalty} (publisher sets the eventType attribute)",
                    f"{q_loyalty} queue receives nothing; {fn_loyalty} is never invoked",
                    f"no writes to {table}: loyalty points stop being credited",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [s.item() for s in specs],
            "alarm_history": [h for s in specs for h in s.history()],
            "logs": k.sort_logs(logs),
            "cloudtrail": ct,
            "resources": resources,
        },
    )
