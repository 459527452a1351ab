"""Restaurant kitchen tablets stop receiving orders at lunchtime while checkout keeps working."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zq import (
    Ctx,
    Sample,
    aws_service,
    ct,
    dist,
    evaluate_alarm,
    iam_role,
    iso,
    iso_ms,
    lambda_config,
    lambda_invocation_logs,
    log_group,
    metric_alarm,
    noisy,
    poisson,
    role_session,
    series,
    sqs_queue,
    sso_user,
    stamp_ms,
    timeline,
)

NAME = "kitchen-tablets-no-orders"
TITLE = "Restaurant kitchen tablets stopped getting new orders around lunchtime; checkout is fine"
SUMMARY = (
    "An SNS fan-out subscriber queue was moved to a new customer-managed KMS key whose policy does not allow "
    "SNS; deliveries to that queue fail and the kitchen dispatcher goes idle."
)

ZONE = ZoneInfo("Europe/Dublin")


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "418295730164", "eu-west-1")
    rng = ctx.rng
    day = datetime(2024, 9, 2, tzinfo=ZONE) + timedelta(
        days=rng.choice([0, 1, 2, 3, 7, 8, 9, 14, 15, 16, 22, 23])
    )
    onset_local = day.replace(hour=12, minute=rng.randrange(2, 38), second=rng.randrange(60))
    onset = onset_local.astimezone(UTC)
    start = (onset - timedelta(hours=6)).replace(minute=0, second=0)
    now = onset + timedelta(minutes=rng.randrange(52, 75))
    fine_from = onset - timedelta(hours=2, minutes=30)
    times = timeline(start, now - timedelta(minutes=1), fine_from)
    fail_from = (onset + timedelta(minutes=1)).replace(second=0)

    scale = rng.uniform(0.7, 1.4)

    def orders(t: datetime) -> float:
        loc = t.astimezone(ZONE)
        h = loc.hour + loc.minute / 60
        lunch = math.exp(-(((h - 12.9) / 1.0) ** 2))
        dinner = math.exp(-(((h - 18.9) / 1.3) ** 2))
        return scale * (2.0 + 38 * lunch + 55 * dinner + 4 * max(0.0, math.sin((h - 7) / 16 * math.pi)))

    counts: dict[datetime, int] = {}

    def o(t: datetime) -> int:
        key = t.replace(second=0, microsecond=0)
        if key not in counts:
            counts[key] = poisson(rng, orders(key))
        return counts[key]

    def failing(t: datetime) -> bool:
        return t >= fail_from

    # --- names --------------------------------------------------------------------------------
    topic = "order-placed"
    topic_arn = ctx.arn("sns", topic)
    kq, kdlq = "kitchen-ticket-dispatch", "kitchen-ticket-dispatch-dlq"
    lq, ldlq = "loyalty-accrual", "loyalty-accrual-dlq"
    aq = "order-analytics-ingest"
    key_id = ctx.uuid()
    key_arn = ctx.arn("kms", f"key/{key_id}")
    alias = rng.choice(["alias/plateful-orders-sqs", "alias/plateful-queue-cmk", "alias/orders-pii-sqs"])
    created = start - timedelta(days=rng.randrange(200, 600))

    roles = {
        "checkout-confirm": iam_role(ctx, "checkout-confirm-role", "lambda.amazonaws.com", created),
        "kitchen-ticket-dispatcher": iam_role(
            ctx, "kitchen-ticket-dispatcher-role", "lambda.amazonaws.com", created
        ),
        "loyalty-accrual-worker": iam_role(
            ctx, "loyalty-accrual-worker-role", "lambda.amazonaws.com", created
        ),
        "order-analytics-loader": iam_role(
            ctx, "order-analytics-loader-role", "lambda.amazonaws.com", created
        ),
        "menu-sync": iam_role(ctx, "menu-sync-role", "lambda.amazonaws.com", created),
    }

    platform = sso_user(
        ctx,
        "PlatformAdmin",
        rng.choice(["niamh.kavanagh@plateful.ie", "cian.doherty@plateful.ie"]),
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
        f"86.{rng.randrange(40, 47)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    dev = sso_user(
        ctx,
        "Developer",
        rng.choice(["aoife.byrne@plateful.ie", "tomas.walsh@plateful.ie"]),
        "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#lambda.update-function-configuration",
        f"109.{rng.randrange(76, 79)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    ci = role_session(
        ctx,
        "gha-deploy-plateful",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
        f"20.{rng.randrange(100, 230)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    grafana = role_session(
        ctx,
        "grafana-cloudwatch-read",
        "grafana",
        "aws-sdk-go/1.55.5 (go1.22.6; linux; amd64)",
        f"34.{rng.randrange(240, 255)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )

    # --- resources ----------------------------------------------------------------------------
    sub_ids = {q: ctx.uuid() for q in (kq, lq, aq)}
    ctx.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "Owner": ctx.account,
                "DisplayName": "",
                "SubscriptionsConfirmed": "3",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": json.dumps(
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
                    },
                    separators=(",", ":"),
                ),
                "Policy": json.dumps(
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
                                "Condition": {"StringEquals": {"AWS:SourceOwner": ctx.account}},
                            }
                        ],
                    },
                    separators=(",", ":"),
                ),
            },
        },
    )
    for q in (kq, lq, aq):
        ctx.resource(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": f"{topic_arn}:{sub_ids[q]}",
                "TopicArn": topic_arn,
                "Protocol": "sqs",
                "Endpoint": ctx.arn("sqs", q),
                "Owner": ctx.account,
                "Attributes": {
                    "RawMessageDelivery": "true",
                    "PendingConfirmation": "false",
                    "ConfirmationWasAuthenticated": "true",
                    "SubscriptionRoleArn": "",
                    **(
                        {
                            "FilterPolicy": '{"channel":["app","web","kiosk"]}',
                            "FilterPolicyScope": "MessageAttributes",
                        }
                        if q == lq
                        else {}
                    ),
                },
            },
        )

    def queue_policy(q: str) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AllowOrderPlacedTopic",
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": ctx.arn("sqs", q),
                        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                    }
                ],
            },
            separators=(",", ":"),
        )

    kdlq_arn = sqs_queue(
        ctx, kdlq, created, {"MessageRetentionPeriod": "1209600"}, {"team": "restaurant-ops"}
    )
    sqs_queue(
        ctx,
        kq,
        created,
        {
            "VisibilityTimeout": "60",
            "Policy": queue_policy(kq),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": kdlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
            ),
            "SqsManagedSseEnabled": "false",
            "KmsMasterKeyId": alias,
            "KmsDataKeyReusePeriodSeconds": "300",
            "LastModifiedTimestamp": str(int(onset.timestamp())),
        },
        {"team": "restaurant-ops", "service": "kitchen-tickets"},
    )
    ldlq_arn = sqs_queue(
        ctx,
        ldlq,
        created,
        {
            "MessageRetentionPeriod": "1209600",
            "ApproximateNumberOfMessages": "3",
            "LastModifiedTimestamp": str(int((onset + timedelta(minutes=4)).timestamp())),
        },
        {"team": "growth"},
    )
    sqs_queue(
        ctx,
        lq,
        created,
        {
            "VisibilityTimeout": "180",
            "Policy": queue_policy(lq),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": ldlq_arn, "maxReceiveCount": 4}, separators=(",", ":")
            ),
        },
        {"team": "growth"},
    )
    sqs_queue(ctx, aq, created, {"VisibilityTimeout": "300", "Policy": queue_policy(aq)}, {"team": "data"})

    ctx.resource(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": ctx.account,
            "KeyId": key_id,
            "Arn": key_arn,
            "CreationDate": iso(onset - timedelta(minutes=41)),
            "Enabled": True,
            "Description": "CMK for order queues (restaurant PII)",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )
    admin_role = platform.identity["sessionContext"]["sessionIssuer"]["arn"]
    key_policy = {
        "Version": "2012-10-17",
        "Id": "key-consolepolicy-3",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ctx.account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Allow access for Key Administrators",
                "Effect": "Allow",
                "Principal": {"AWS": admin_role},
                "Action": [
                    "kms:Create*",
                    "kms:Describe*",
                    "kms:Enable*",
                    "kms:List*",
                    "kms:Put*",
                    "kms:Update*",
                    "kms:Revoke*",
                    "kms:Disable*",
                    "kms:Get*",
                    "kms:Delete*",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion",
                    "kms:RotateKeyOnDemand",
                ],
                "Resource": "*",
            },
            {
                "Sid": "Allow use of the key",
                "Effect": "Allow",
                "Principal": {"AWS": roles["kitchen-ticket-dispatcher"]},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
            },
            {
                "Sid": "Allow attachment of persistent resources",
                "Effect": "Allow",
                "Principal": {"AWS": roles["kitchen-ticket-dispatcher"]},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ],
    }
    ctx.resource("kms", "KeyPolicy", {"KeyId": key_id, "PolicyName": "default", "Policy": key_policy})

    mod = start - timedelta(days=rng.randrange(3, 20))
    fns = {
        "checkout-confirm": lambda_config(
            ctx,
            "checkout-confirm",
            "nodejs20.x",
            "dist/handler.confirm",
            roles["checkout-confirm"],
            1024,
            10,
            mod,
            {
                "ORDER_TOPIC_ARN": topic_arn,
                "NODE_OPTIONS": "--enable-source-maps",
                "POWERTOOLS_SERVICE_NAME": "checkout",
            },
        ),
        "kitchen-ticket-dispatcher": lambda_config(
            ctx,
            "kitchen-ticket-dispatcher",
            "python3.12",
            "dispatcher.app.handler",
            roles["kitchen-ticket-dispatcher"],
            512,
            45,
            mod - timedelta(days=9),
            {"TABLET_PUSH_ENDPOINT": "https://push.internal.plateful.ie/v2/tickets", "LOG_LEVEL": "INFO"},
        ),
        "loyalty-accrual-worker": lambda_config(
            ctx,
            "loyalty-accrual-worker",
            "python3.12",
            "loyalty.worker.handler",
            roles["loyalty-accrual-worker"],
            512,
            60,
            onset + timedelta(minutes=6),
            {"POINTS_TABLE": "loyalty-points", "LOG_LEVEL": "INFO"},
        ),
        "order-analytics-loader": lambda_config(
            ctx,
            "order-analytics-loader",
            "python3.12",
            "loader.handler",
            roles["order-analytics-loader"],
            256,
            120,
            mod - timedelta(days=30),
            {"DELIVERY_STREAM": "orders-to-s3"},
        ),
        "menu-sync": lambda_config(
            ctx,
            "menu-sync",
            "nodejs20.x",
            "dist/index.handler",
            roles["menu-sync"],
            512,
            300,
            onset - timedelta(minutes=12),
            {"MENU_BUCKET": "plateful-menus-prod"},
        ),
    }
    for fn, q, batch, window in (
        ("kitchen-ticket-dispatcher", kq, 10, 0),
        ("loyalty-accrual-worker", lq, 10, 5),
        ("order-analytics-loader", aq, 100, 60),
    ):
        ctx.resource(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": ctx.uuid(),
                "BatchSize": batch,
                "MaximumBatchingWindowInSeconds": window,
                "EventSourceArn": ctx.arn("sqs", q),
                "FunctionArn": fns[fn]["FunctionArn"],
                "LastModified": iso(created + timedelta(days=2)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 20} if fn == "kitchen-ticket-dispatcher" else {},
            },
        )
    for fn in fns:
        log_group(ctx, f"/aws/lambda/{fn}", created)

    # --- metrics ------------------------------------------------------------------------------
    def sns(metric: str) -> None:
        def f(t: datetime) -> Sample:
            n = o(t)
            if metric == "NumberOfMessagesPublished":
                return float(n) if n else None
            if metric == "NumberOfNotificationsDelivered":
                d = n * (2 if failing(t) else 3)
                return float(d) if d else None
            if metric == "NumberOfNotificationsFailed":
                return float(n) if failing(t) and n else None
            if metric == "PublishSize":
                return dist(rng, n, 1840, 0.2)
            return None

        unit = "Bytes" if metric == "PublishSize" else "Count"
        series(ctx, times, "AWS/SNS", metric, {"TopicName": topic}, unit, f)

    for m in (
        "NumberOfMessagesPublished",
        "NumberOfNotificationsDelivered",
        "NumberOfNotificationsFailed",
        "PublishSize",
    ):
        sns(m)

    def queue_metrics(q: str, share: float, gets: bool, poll_empty: float, age: float) -> None:
        dims = {"QueueName": q}

        def sent(t: datetime) -> float:
            if q == kq and failing(t):
                return 0.0
            return float(round(o(t) * share))

        series(ctx, times, "AWS/SQS", "NumberOfMessagesSent", dims, "Count", sent)
        series(
            ctx,
            times,
            "AWS/SQS",
            "NumberOfMessagesReceived",
            dims,
            "Count",
            lambda t: sent(t) if gets else 0.0,
        )
        series(
            ctx,
            times,
            "AWS/SQS",
            "NumberOfMessagesDeleted",
            dims,
            "Count",
            lambda t: sent(t) if gets else 0.0,
        )
        series(
            ctx,
            times,
            "AWS/SQS",
            "NumberOfEmptyReceives",
            dims,
            "Count",
            lambda t: float(max(0, round(noisy(rng, poll_empty / (1 + sent(t) / 8), 0.2)))),
        )
        series(
            ctx,
            times,
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dims,
            "Count",
            lambda t: float(poisson(rng, sent(t) * 0.03 * age)),
        )
        series(
            ctx,
            times,
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            dims,
            "Count",
            lambda t: float(poisson(rng, sent(t) * 0.05 * age)),
        )
        series(
            ctx,
            times,
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            dims,
            "Seconds",
            lambda t: float(round(noisy(rng, age, 0.5))) if sent(t) else 0.0,
        )
        series(
            ctx,
            times,
            "AWS/SQS",
            "SentMessageSize",
            dims,
            "Bytes",
            lambda t: dist(rng, int(sent(t)), 1610, 0.2),
        )

    queue_metrics(kq, 1.0, True, 75, 1.0)
    queue_metrics(lq, 0.93, True, 70, 6.0)
    queue_metrics(aq, 1.0, True, 12, 55.0)

    def const(v: float) -> Callable[[datetime], Sample]:
        return lambda t: v

    for dq, vis in ((kdlq, 0.0), (ldlq, 3.0)):
        series(
            ctx,
            times,
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": dq},
            "Count",
            const(vis),
        )
        series(ctx, times, "AWS/SQS", "NumberOfMessagesSent", {"QueueName": dq}, "Count", lambda t: 0.0)

    def lam(fn: str, inv: Callable[[datetime], int], mean_ms: float, err_p: float = 0.0) -> None:
        dims = {"FunctionName": fn}
        cache: dict[datetime, int] = {}

        def n(t: datetime) -> int:
            if t not in cache:
                cache[t] = inv(t)
            return cache[t]

        series(
            ctx, times, "AWS/Lambda", "Invocations", dims, "Count", lambda t: float(n(t)) if n(t) else None
        )
        series(
            ctx,
            times,
            "AWS/Lambda",
            "Errors",
            dims,
            "Count",
            lambda t: float(poisson(rng, n(t) * err_p)) if n(t) else None,
        )
        series(
            ctx,
            times,
            "AWS/Lambda",
            "Duration",
            dims,
            "Milliseconds",
            lambda t: dist(rng, n(t), mean_ms, 0.3),
        )
        series(
            ctx,
            times,
            "AWS/Lambda",
            "ConcurrentExecutions",
            dims,
            "Count",
            lambda t: float(max(1, math.ceil(n(t) * mean_ms / 60000 * 1.6))) if n(t) else None,
        )

    lam("checkout-confirm", lambda t: o(t), 210, 0.002)
    lam("kitchen-ticket-dispatcher", lambda t: 0 if failing(t) else max(0, round(o(t) * 0.85)), 330)
    lam("loyalty-accrual-worker", lambda t: max(0, round(o(t) * 0.93 / 3.2)), 140, 0.004)
    lam("order-analytics-loader", lambda t: 1, 820)
    lam("menu-sync", lambda t: 1 if t.minute % 15 == 0 else 0, 4200)

    # --- logs ---------------------------------------------------------------------------------
    restaurants = [f"rst_{ctx.hex(8)}" for _ in range(40)]
    tablets = {r: f"tbl-{ctx.hex(6)}" for r in restaurants}
    offline = restaurants[rng.randrange(40)]
    for t, period in times:
        for k in range(period):
            minute = t + timedelta(minutes=k)
            if minute < start + timedelta(hours=3) or rng.random() > 0.45:
                continue
            n = o(minute)
            if not n:
                continue
            at = stamp_ms(rng, minute)
            oid = f"ord_{ctx.hex(12)}"
            r = rng.choice(restaurants)
            body = [
                (
                    12.0,
                    f"{iso_ms(at)}\t{{rid}}\tINFO\t"
                    + json.dumps(
                        {
                            "level": "INFO",
                            "msg": "order confirmed",
                            "orderId": oid,
                            "restaurantId": r,
                            "channel": rng.choice(["app", "app", "web", "kiosk"]),
                            "items": rng.randrange(1, 7),
                            "totalCents": rng.randrange(950, 6800),
                        }
                    ),
                ),
                (
                    150.0,
                    f"{iso_ms(at)}\t{{rid}}\tINFO\t"
                    + json.dumps(
                        {
                            "level": "INFO",
                            "msg": "published order-placed",
                            "orderId": oid,
                            "messageId": ctx.uuid(),
                        }
                    ),
                ),
            ]
            lambda_invocation_logs(
                ctx,
                "checkout-confirm",
                at,
                noisy(rng, 205, 0.2),
                1024,
                rng.randrange(118, 140),
                body,
                stream=f"{minute:%Y/%m/%d}/[$LATEST]a{ctx.hex(31)}",
            )
            if not failing(minute):
                kat = at + timedelta(milliseconds=rng.randrange(300, 1500))
                if r == offline and rng.random() < 0.5:
                    line = f"[WARNING]\t{iso_ms(kat)}\t{{rid}}\tTablet {tablets[r]} for {r} did not acknowledge ticket {oid}; push will be retried by device sync\n"
                else:
                    line = f"[INFO]\t{iso_ms(kat)}\t{{rid}}\tPushed ticket {oid} to {r} (tablet {tablets[r]}) in {rng.randrange(60, 260)} ms\n"
                lambda_invocation_logs(
                    ctx,
                    "kitchen-ticket-dispatcher",
                    kat,
                    noisy(rng, 320, 0.25),
                    512,
                    rng.randrange(88, 97),
                    [(40.0, line)],
                    stream=f"{minute:%Y/%m/%d}/[$LATEST]b{ctx.hex(31)}",
                )
            if rng.random() < 0.3:
                lat = at + timedelta(milliseconds=rng.randrange(2000, 6000))
                lines = [
                    (
                        30.0,
                        f"[INFO]\t{iso_ms(lat)}\t{{rid}}\tAccrued {rng.randrange(5, 80)} points for member mbr_{ctx.hex(10)} (order {oid})\n",
                    )
                ]
                if rng.random() < 0.08:
                    lines.append(
                        (
                            60.0,
                            f"[WARNING]\t{iso_ms(lat)}\t{{rid}}\tMember lookup for guest checkout returned no account; skipping accrual\n",
                        )
                    )
                lambda_invocation_logs(
                    ctx,
                    "loyalty-accrual-worker",
                    lat,
                    noisy(rng, 140, 0.2),
                    512,
                    rng.randrange(70, 80),
                    lines,
                    stream=f"{minute:%Y/%m/%d}/[$LATEST]c{ctx.hex(31)}",
                )
    # menu-sync deploy: a cold start after the new code
    for t, _ in times:
        if t.minute % 15 or t < onset - timedelta(minutes=60):
            continue
        cold = onset - timedelta(minutes=12) < t <= onset + timedelta(minutes=3)
        body = [
            (
                900.0,
                f"{iso_ms(t)}\t{{rid}}\tINFO\tmenu sync: {rng.randrange(380, 420)} restaurants checked, {rng.randrange(0, 9)} menus updated",
            )
        ]
        if rng.random() < 0.25:
            body.append(
                (
                    1500.0,
                    f"{iso_ms(t)}\t{{rid}}\tWARN\tPOS feed for rst_{ctx.hex(8)} returned 304 with stale ETag; keeping cached menu",
                )
            )
        lambda_invocation_logs(
            ctx,
            "menu-sync",
            t + timedelta(seconds=1),
            noisy(rng, 4200, 0.2),
            512,
            rng.randrange(140, 170),
            body,
            init_ms=612.4 if cold else None,
            stream=f"{t:%Y/%m/%d}/[$LATEST]d{ctx.hex(31)}",
        )

    # --- CloudTrail -----------------------------------------------------------------------------
    culprit = None
    kq_url = f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{kq}"
    ct(
        ctx,
        onset - timedelta(minutes=48),
        platform,
        "sqs.amazonaws.com",
        "ListQueues",
        {"maxResults": 1000},
        None,
        True,
    )
    for q in (kq, lq, aq):
        ct(
            ctx,
            onset - timedelta(minutes=47, seconds=rng.randrange(50)),
            platform,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {
                "queueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{q}",
                "attributeNames": ["All"],
            },
            None,
            True,
        )
    ct(
        ctx,
        onset - timedelta(minutes=41),
        platform,
        "kms.amazonaws.com",
        "CreateKey",
        {
            "description": "CMK for order queues (restaurant PII)",
            "keyUsage": "ENCRYPT_DECRYPT",
            "keySpec": "SYMMETRIC_DEFAULT",
            "origin": "AWS_KMS",
            "multiRegion": False,
            "bypassPolicyLockoutSafetyCheck": False,
            "policy": json.dumps(key_policy),
        },
        {
            "keyMetadata": {
                "aWSAccountId": ctx.account,
                "keyId": key_id,
                "arn": key_arn,
                "creationDate": (onset - timedelta(minutes=41)).strftime("%b %d, %Y, %I:%M:%S %p"),
                "enabled": True,
                "description": "CMK for order queues (restaurant PII)",
                "keyUsage": "ENCRYPT_DECRYPT",
                "keyState": "Enabled",
                "origin": "AWS_KMS",
                "keyManager": "CUSTOMER",
                "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "keySpec": "SYMMETRIC_DEFAULT",
                "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "multiRegion": False,
            }
        },
        resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    ct(
        ctx,
        onset - timedelta(minutes=40),
        platform,
        "kms.amazonaws.com",
        "CreateAlias",
        {"aliasName": alias, "targetKeyId": key_id},
        None,
        resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    ct(
        ctx,
        onset - timedelta(minutes=39),
        platform,
        "kms.amazonaws.com",
        "EnableKeyRotation",
        {"keyId": key_id, "rotationPeriodInDays": 365},
        None,
        resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    ct(
        ctx,
        onset - timedelta(minutes=12),
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "menu-sync",
            "publish": False,
            "dryRun": False,
            "s3Bucket": "plateful-artifacts-eu-west-1",
            "s3Key": f"menu-sync/{ctx.hex(40)}.zip",
        },
        {
            "functionName": "menu-sync",
            "functionArn": fns["menu-sync"]["FunctionArn"],
            "runtime": "nodejs20.x",
            "role": roles["menu-sync"],
            "handler": "dist/index.handler",
            "codeSize": fns["menu-sync"]["CodeSize"],
            "timeout": 300,
            "memorySize": 512,
            "lastModified": fns["menu-sync"]["LastModified"],
            "codeSha256": fns["menu-sync"]["CodeSha256"],
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
    )
    ct(
        ctx,
        onset - timedelta(minutes=11),
        ci,
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": "menu-sync"},
        None,
        True,
    )
    ct(
        ctx,
        onset - timedelta(minutes=2),
        platform,
        "kms.amazonaws.com",
        "ListAliases",
        {"limit": 100},
        None,
        True,
    )
    culprit = ct(
        ctx,
        onset,
        platform,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": kq_url,
            "attributes": {
                "KmsMasterKeyId": alias,
                "KmsDataKeyReusePeriodSeconds": "300",
                "SqsManagedSseEnabled": "false",
            },
        },
        None,
    )
    ct(
        ctx,
        onset + timedelta(seconds=20),
        platform,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {"queueUrl": kq_url, "attributeNames": ["All"]},
        None,
        True,
    )
    ct(
        ctx,
        onset + timedelta(minutes=4),
        platform,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{ldlq}",
            "attributes": {"MessageRetentionPeriod": "1209600"},
        },
        None,
    )
    ct(
        ctx,
        onset + timedelta(minutes=6),
        dev,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "loyalty-accrual-worker", "timeout": 60},
        {
            "functionName": "loyalty-accrual-worker",
            "functionArn": fns["loyalty-accrual-worker"]["FunctionArn"],
            "runtime": "python3.12",
            "timeout": 60,
            "memorySize": 512,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    # routine activity
    lam_roles = [
        ("checkout-confirm", "checkout-confirm-role"),
        ("loyalty-accrual-worker", "loyalty-accrual-worker-role"),
        ("menu-sync", "menu-sync-role"),
    ]
    for i in range(14):
        t = start + timedelta(minutes=rng.randrange(0, int((now - start).total_seconds() // 60)))
        fn, role = lam_roles[i % 3]
        who = role_session(
            ctx,
            role,
            fn,
            "aws-internal/3 aws-sdk-java/1.12.700",
            "lambda.amazonaws.com",
            "lambda.amazonaws.com",
        )
        ct(
            ctx,
            t,
            who,
            "kms.amazonaws.com",
            "Decrypt",
            {"encryptionContext": {"LambdaFunctionName": fn}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            None,
            True,
            resources=[
                {
                    "accountId": ctx.account,
                    "type": "AWS::KMS::Key",
                    "ARN": ctx.arn("kms", "key/" + ctx.uuid()),
                }
            ],
        )
    for i in range(10):
        t = start + timedelta(minutes=rng.randrange(0, int((now - start).total_seconds() // 60)))
        ct(
            ctx,
            t,
            grafana,
            "monitoring.amazonaws.com",
            rng.choice(["DescribeAlarms", "ListMetrics"]),
            {"maxRecords": 100}
            if i % 2 == 0
            else {"namespace": rng.choice(["AWS/SQS", "AWS/Lambda", "AWS/SNS"])},
            None,
            True,
        )
    for _ in range(4):
        t = onset - timedelta(hours=rng.randrange(1, 5), minutes=rng.randrange(60))
        ct(ctx, t, ci, "sts.amazonaws.com", "GetCallerIdentity", {}, None, True)
        ct(
            ctx,
            t + timedelta(seconds=4),
            ci,
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": rng.choice(list(fns))},
            None,
            True,
        )
    ct(
        ctx,
        onset - timedelta(hours=3, minutes=5),
        dev,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": ["/aws/lambda/loyalty-accrual-worker"],
            "queryString": "fields @timestamp, @message | filter @message like /WARNING/ | limit 50",
            "startTime": int((onset - timedelta(hours=6)).timestamp()),
            "endTime": int((onset - timedelta(hours=3)).timestamp()),
        },
        {"queryId": ctx.uuid()},
        True,
    )
    ct(
        ctx,
        onset - timedelta(hours=2, minutes=40),
        aws_service("autoscaling.amazonaws.com"),
        "sts.amazonaws.com",
        "AssumeRole",
        None,
        None,
        True,
    )
    for t in (onset - timedelta(hours=4, minutes=13), onset + timedelta(minutes=21)):
        ct(ctx, t, dev, "sns.amazonaws.com", "GetTopicAttributes", {"topicArn": topic_arn}, None, True)
    ct(
        ctx,
        onset + timedelta(minutes=24),
        dev,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {
            "queueUrl": kq_url,
            "attributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        },
        None,
        True,
    )

    # --- alarms -------------------------------------------------------------------------------
    page = ctx.arn("sns", "plateful-oncall-page")
    warn = ctx.arn("sns", "plateful-alerts-slack")
    al = [
        metric_alarm(
            ctx,
            "kitchen-ticket-dispatch-oldest-message",
            "Kitchen tickets waiting > 5 minutes",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": kq},
            "Maximum",
            300,
            1,
            300.0,
            "GreaterThanThreshold",
            created,
            [page],
        ),
        metric_alarm(
            ctx,
            "kitchen-ticket-dispatch-dlq-visible",
            "Kitchen tickets dead-lettered",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": kdlq},
            "Maximum",
            300,
            1,
            0.0,
            "GreaterThanThreshold",
            created,
            [page],
        ),
        metric_alarm(
            ctx,
            "checkout-confirm-errors",
            "Checkout confirmation errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "checkout-confirm"},
            "Sum",
            300,
            2,
            10.0,
            "GreaterThanOrEqualToThreshold",
            created,
            [page],
            treat_missing="notBreaching",
        ),
        metric_alarm(
            ctx,
            "loyalty-accrual-dlq-visible",
            "Loyalty accrual dead letters (ticket GROW-212)",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": ldlq},
            "Maximum",
            300,
            1,
            10.0,
            "GreaterThanThreshold",
            created,
            [warn],
        ),
        metric_alarm(
            ctx,
            "kitchen-ticket-dispatcher-errors",
            "Dispatcher failing to push tickets",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "kitchen-ticket-dispatcher"},
            "Sum",
            300,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            created,
            [page],
            treat_missing="notBreaching",
        ),
    ]
    for a in al:
        a["StateReason"] = "Threshold Crossed: no datapoints were breaching the threshold."
        evaluate_alarm(ctx, a, start, now)
        ctx.alarms.append(a)

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": (
                    f"Restaurants keep phoning support: no new orders have shown up on their kitchen tablets since "
                    f"about {onset_local:%-I:%M}. Customers are still checking out and getting confirmation emails. "
                    "Nothing is alarming. What's broken?"
                ),
                "alarm_event": None,
                "timezone": "Europe/Dublin",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": kq,
                    "category": "change",
                    "failure_mode": "sqs-cmk-key-policy-blocks-sns-delivery",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [kq_url, ctx.arn("sqs", kq), key_id, key_arn, alias],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"SetQueueAttributes moved {kq} to the new customer-managed key {alias}, whose key policy does not allow sns.amazonaws.com",
                    f"SNS deliveries from {topic} to {kq} fail (NumberOfNotificationsFailed), other subscribers unaffected",
                    f"{kq} receives nothing, so kitchen-ticket-dispatcher is never invoked",
                    "restaurant kitchen tablets get no new tickets while checkout-confirm keeps succeeding",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.bundle_records())
