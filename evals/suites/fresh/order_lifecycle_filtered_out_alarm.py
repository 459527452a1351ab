"""An alarm on SNS filtered-out notifications fires during a campaign peak; filtering is working as designed."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzl as k

NAME = "order-lifecycle-dropped-notifications-alarm"
TITLE = "'order-lifecycle notifications dropped' alarm during the lunchtime campaign; are order emails going missing?"
SUMMARY = (
    "An alarm someone put on the topic's NumberOfNotificationsFilteredOut fires when a marketing campaign "
    "raises order volume and a new narrowly filtered subscription adds to the count; every subscriber gets "
    "what its filter policy asks for and nothing fails."
)

REGION = "eu-west-1"
TZ = "Europe/London"

EVENT_MIX = {
    "OrderPlaced": 0.34,
    "PaymentCaptured": 0.30,
    "OrderShipped": 0.18,
    "OrderDelivered": 0.13,
    "OrderRefunded": 0.05,
}


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = k.Ids(rng)
    account = ids.account()
    day = k.start_of_day(rng)
    send_local = datetime(
        day.year, day.month, day.day, 12, rng.choice([0, 0, 15, 30]), 0, tzinfo=ZoneInfo(TZ)
    )
    send = send_local.astimezone(k.UTC)
    start = (send - timedelta(hours=3, minutes=rng.randint(15, 45))).replace(second=0)
    now = (send + timedelta(minutes=rng.randint(42, 65))).replace(second=0)

    topic = "order-lifecycle"
    topic_arn = f"arn:aws:sns:{REGION}:{account}:{topic}"
    qbase = f"https://sqs.{REGION}.amazonaws.com/{account}"

    Policy = dict[str, list[object]] | None
    subs: list[tuple[str, str, Policy]] = [
        ("sqs", "email-confirmations", {"eventType": ["OrderPlaced", "OrderShipped", "OrderRefunded"]}),
        ("sqs", "warehouse-picking", {"eventType": ["OrderPlaced"], "fulfilment": ["warehouse"]}),
        (
            "sqs",
            "store-pickup",
            {"eventType": ["OrderPlaced", "OrderDelivered"], "fulfilment": ["click-and-collect"]},
        ),
        ("lambda", "fraud-screen", {"eventType": ["OrderPlaced"], "orderTotal": [{"numeric": [">=", 250]}]}),
        ("sqs", "order-analytics", None),
    ]
    new_sub: tuple[str, str, Policy] = (
        "sqs",
        "loyalty-events",
        {"eventType": ["OrderDelivered"], "loyaltyMember": ["true"]},
    )
    fulfil_mix = {"warehouse": 0.78, "click-and-collect": 0.22}
    big_order = rng.uniform(0.06, 0.1)
    member = rng.uniform(0.35, 0.5)

    def match_rate(policy: Policy) -> float:
        if policy is None:
            return 1.0
        p = sum(EVENT_MIX[e] for e in policy["eventType"] if isinstance(e, str))
        if "fulfilment" in policy:
            p *= sum(fulfil_mix[f] for f in policy["fulfilment"] if isinstance(f, str))
        if "orderTotal" in policy:
            p *= big_order
        if "loyaltyMember" in policy:
            p *= member
        return p

    sub_at = send - timedelta(minutes=rng.randint(50, 95), seconds=rng.randint(0, 59))
    sub_min = sub_at.replace(second=0) + timedelta(minutes=1)
    times = k.minutes(start, now)
    base = rng.uniform(60, 95)
    lift = rng.uniform(2.2, 3.0)

    def published(t: datetime) -> float:
        h = t.astimezone(ZoneInfo(TZ)).hour + t.minute / 60
        diurnal = 0.7 + 0.3 * math.sin((h - 8) / 24 * 2 * math.pi)
        x = (t - send).total_seconds() / 60
        camp = (
            0.0
            if x < 3
            else (lift - 1) * math.exp(-(((x - 22) / 22) ** 2)) + (lift - 1) * 0.35 * (1 - math.exp(-x / 10))
        )
        return base * diurnal * (1 + camp) * rng.uniform(0.92, 1.08)

    pub = {t: float(round(published(t))) for t in times}
    legacy = {
        t: float(rng.randint(2, 6)) for t in times
    }  # refund adjustments published without attributes by the old payments job
    m = k.Metrics()
    sd = {"TopicName": topic}
    delivered: dict[datetime, float] = {}
    filtered: dict[datetime, float] = {}
    per_sub: dict[str, dict[datetime, float]] = {}
    for t in times:
        active = subs + ([new_sub] if t >= sub_min else [])
        d = 0.0
        for _proto, name, pol in active:
            n = float(round(pub[t] * match_rate(pol) * rng.uniform(0.9, 1.1)))
            per_sub.setdefault(name, {})[t] = n
            d += n
        d += legacy[t]  # the unfiltered analytics subscription takes those too
        delivered[t] = d
        filtered[t] = float(len(active) * (pub[t] + legacy[t]) - d - legacy[t] * (len(active) - 1))
    m.put("AWS/SNS", "NumberOfMessagesPublished", sd, "Count", {t: pub[t] + legacy[t] for t in times})
    m.put("AWS/SNS", "NumberOfNotificationsDelivered", sd, "Count", delivered)
    m.put("AWS/SNS", "NumberOfNotificationsFilteredOut", sd, "Count", filtered)
    m.put(
        "AWS/SNS",
        "NumberOfNotificationsFilteredOut-NoMessageAttributes",
        sd,
        "Count",
        {t: legacy[t] * (len(subs) - 1 + (1 if t >= sub_min else 0)) for t in times},
    )
    m.put("AWS/SNS", "PublishSize", sd, "Bytes", {t: rng.uniform(1100, 1300) for t in times})

    for proto, name, _ in [*subs, new_sub]:
        series = per_sub[name]
        if proto != "sqs":
            continue
        qd = {"QueueName": name}
        busy = {t: v for t, v in series.items()}
        m.put("AWS/SQS", "NumberOfMessagesSent", qd, "Count", busy)
        m.put("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", dict(busy))
        m.put("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", dict(busy))
        m.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            qd,
            "Count",
            {t: float(round(v * rng.uniform(0, 0.15))) for t, v in busy.items()},
        )
        m.put(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Seconds",
            {
                t: float(rng.randint(1, 5) + (rng.randint(5, 40) if v > 3 * base * 0.3 else 0))
                for t, v in busy.items()
            },
        )
        m.put("AWS/SQS", "NumberOfEmptyReceives", qd, "Count", {t: float(rng.randint(20, 60)) for t in busy})
    for fn, src, dur in (
        ("email-confirmation-sender", "email-confirmations", 420.0),
        ("fraud-screen", "fraud-screen", 650.0),
        ("picking-list-builder", "warehouse-picking", 210.0),
    ):
        fd = {"FunctionName": fn}
        inv = {
            t: float(math.ceil(v / (1 if fn == "fraud-screen" else 5))) for t, v in per_sub[src].items() if v
        }
        m.put("AWS/Lambda", "Invocations", fd, "Count", inv)
        m.put("AWS/Lambda", "Errors", fd, "Count", {t: (1.0 if rng.random() < 0.015 else 0.0) for t in inv})
        m.put("AWS/Lambda", "Throttles", fd, "Count", {t: 0.0 for t in inv})
        m.put("AWS/Lambda", "Duration", fd, "Milliseconds", {t: dur * rng.uniform(0.8, 1.25) for t in inv})
        m.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            fd,
            "Count",
            {t: float(max(1, round(v * dur / 60000 * 2))) for t, v in inv.items()},
        )
    # SES sends of the confirmation emails follow the orders
    m.put(
        "AWS/SES",
        "Send",
        {},
        "Count",
        {t: per_sub["email-confirmations"][t] + (rng.randint(0, 3) if t < send else 0) for t in times},
    )
    m.put(
        "AWS/SES",
        "Delivery",
        {},
        "Count",
        {t: per_sub["email-confirmations"][t] * rng.uniform(0.97, 0.995) for t in times},
    )
    m.put("AWS/SES", "Bounce", {}, "Count", {t: float(rng.randint(0, 2)) for t in times})

    # ---- alarms ---------------------------------------------------------------------------------
    page = f"arn:aws:sns:{REGION}:{account}:brightcart-platform-alerts"
    al = k.Alarms(account, REGION)

    def five(pts: dict[datetime, float], how: str = "sum") -> dict[datetime, float]:
        out: dict[datetime, list[float]] = {}
        for t, v in pts.items():
            b = t - timedelta(minutes=t.minute % 5)
            out.setdefault(b, []).append(v)
        return {b: (sum(v) if how == "sum" else max(v)) for b, v in out.items()}

    f5 = five(filtered)
    before = [v for b, v in f5.items() if b < sub_min - timedelta(minutes=5)]
    threshold = float(round(max(before) * rng.uniform(1.6, 1.9), -2))
    name = "order-lifecycle-notifications-dropped"
    al.add(
        k.AlarmSpec(
            name,
            "SNS notifications on order-lifecycle not being delivered (dropped)",
            "AWS/SNS",
            "NumberOfNotificationsFilteredOut",
            sd,
            "Sum",
            300,
            2,
            2,
            threshold,
            "GreaterThanThreshold",
            "notBreaching",
            [page],
            created=day - timedelta(days=rng.randint(3, 9)),
        ),
        f5,
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "order-lifecycle-delivery-failures",
            "SNS deliveries failing on order-lifecycle",
            "AWS/SNS",
            "NumberOfNotificationsFailed",
            sd,
            "Sum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            [page],
        ),
        {},
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "email-confirmations-age",
            "Order confirmation emails delayed",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "email-confirmations"},
            "Maximum",
            60,
            5,
            5,
            300.0,
            "GreaterThanThreshold",
            "missing",
            [page],
        ),
        m.get("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "email-confirmations"}),
        start,
        now,
    )
    fraud_err = m.get("AWS/Lambda", "Errors", {"FunctionName": "fraud-screen"})
    blip = min(fraud_err) + timedelta(minutes=rng.randint(30, 100))
    for i in range(2):
        if blip + timedelta(minutes=i) in fraud_err:
            fraud_err[blip + timedelta(minutes=i)] = float(rng.randint(2, 3))
    al.add(
        k.AlarmSpec(
            "fraud-screen-errors",
            "fraud-screen Lambda errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "fraud-screen"},
            "Sum",
            300,
            1,
            1,
            3.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            [page],
        ),
        five(fraud_err),
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "ses-bounce-rate",
            "SES account bounce rate",
            "AWS/SES",
            "Reputation.BounceRate",
            {},
            "Average",
            3600,
            1,
            1,
            0.05,
            "GreaterThanThreshold",
            "missing",
            [page],
        ),
        {},
        start,
        now,
    )
    if not any(tr[2] == "ALARM" for tr in al.transitions[name]):
        raise RuntimeError("the filtered-out alarm never fired")

    # ---- CloudTrail -----------------------------------------------------------------------------
    trail = k.Trail(ids, account, REGION)
    tf = trail.person(
        "role",
        "terraform-" + ids.hex(6),
        "brightcart-terraform",
        k.ip(rng, "10.8.4", 10, 200),
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1 aws-sdk-go-v2/1.32.2",
    )
    ci = trail.person(
        "role",
        "gitlab-runner",
        "brightcart-gitlab-deploy",
        k.ip(rng, "35.205", 1, 250),
        "aws-cli/2.18.2 md/awscrt#0.22.0 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#docker",
    )
    mon = trail.person(
        "role",
        "grafana",
        "grafana-cloudwatch-datasource",
        k.ip(rng, "34.240", 1, 250),
        "aws-sdk-go/1.55.5 (go1.23.2; linux; amd64)",
    )
    mkt = trail.person(
        "role",
        "campaign-scheduler",
        "marketing-campaign-scheduler",
        k.ip(rng, "10.8.9", 10, 200),
        "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.36",
    )
    t = start + timedelta(minutes=rng.randint(0, 5))
    while t < now:
        trail.add(mon, t, "monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}, None, True)
        trail.add(mon, t + timedelta(seconds=2), "sns.amazonaws.com", "ListTopics", {}, None, True)
        t += timedelta(minutes=12, seconds=rng.randint(-40, 40))
    # new subscription for the loyalty team
    lq_arn = f"arn:aws:sqs:{REGION}:{account}:loyalty-events"
    trail.add(
        tf,
        sub_at - timedelta(seconds=40),
        "sqs.amazonaws.com",
        "CreateQueue",
        {
            "queueName": "loyalty-events",
            "attributes": {
                "MessageRetentionPeriod": "345600",
                "VisibilityTimeout": "60",
                "SqsManagedSseEnabled": "true",
            },
            "tags": {"team": "loyalty"},
        },
        {"queueUrl": f"{qbase}/loyalty-events"},
    )
    trail.add(
        tf,
        sub_at - timedelta(seconds=25),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"{qbase}/loyalty-events",
            "attributes": {
                "Policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "sns.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": lq_arn,
                                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                            }
                        ],
                    }
                )
            },
        },
        None,
    )
    new_sub_arn = f"{topic_arn}:{ids.uuid()}"
    trail.add(
        tf,
        sub_at,
        "sns.amazonaws.com",
        "Subscribe",
        {
            "topicArn": topic_arn,
            "protocol": "sqs",
            "endpoint": lq_arn,
            "attributes": {"FilterPolicy": json.dumps(new_sub[2]), "RawMessageDelivery": "true"},
            "returnSubscriptionArn": True,
        },
        {"subscriptionArn": new_sub_arn},
    )
    trail.add(
        tf,
        sub_at + timedelta(seconds=3),
        "sns.amazonaws.com",
        "GetSubscriptionAttributes",
        {"subscriptionArn": new_sub_arn},
        None,
        True,
    )
    dep = send - timedelta(minutes=rng.randint(15, 35))
    trail.add(
        ci,
        dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "email-confirmation-sender",
            "s3Bucket": f"brightcart-builds-{account}",
            "s3Key": f"email-confirmation-sender/{ids.hex(12)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "email-confirmation-sender",
            "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:email-confirmation-sender",
            "runtime": "python3.12",
            "handler": "app.handler",
            "lastModified": k.lambda_ts(dep),
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
        },
    )
    trail.add(
        mkt,
        send - timedelta(seconds=rng.randint(20, 90)),
        "ses.amazonaws.com",
        "SendBulkEmail",
        {
            "fromEmailAddress": "offers@news.brightcart.co.uk",
            "defaultContent": {"template": {"templateName": "lunch-flash-sale"}},
            "bulkEmailEntries": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "configurationSetName": "marketing",
        },
        None,
    )
    look = now - timedelta(minutes=rng.randint(3, 8))
    trail.add(
        tf,
        look - timedelta(minutes=30),
        "sns.amazonaws.com",
        "ListSubscriptionsByTopic",
        {"topicArn": topic_arn},
        None,
        True,
    )
    oncall = trail.person(
        "sso",
        rng.choice(["hannah.price", "olu.adeyemi", "sam.fletcher"]),
        "AWSReservedSSO_SRE_" + ids.hex(16),
        k.ip(rng, "86", 1, 250),
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
    )
    trail.add(oncall, look, "sns.amazonaws.com", "GetTopicAttributes", {"topicArn": topic_arn}, None, True)
    trail.add(
        oncall,
        look + timedelta(seconds=40),
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        {"alarmName": name},
        None,
        True,
    )

    # ---- logs -----------------------------------------------------------------------------------
    logs = k.Logs()
    grp = "/aws/lambda/email-confirmation-sender"
    s1 = k.lambda_stream(ids, start)
    s2 = k.lambda_stream(ids, dep)
    for t in times:
        if rng.random() < 0.5:
            continue
        at = t + timedelta(seconds=rng.randint(0, 55), milliseconds=rng.randint(0, 999))
        rid = ids.uuid()
        ts = k.iso_ms(at)[:-5] + "Z"
        n = rng.randint(1, 5)
        lines = [f"[INFO]\t{ts}\t{rid}\tbatch of {n} order events"]
        for _ in range(min(n, 2)):
            lines.append(
                f"[INFO]\t{ts}\t{rid}\tsent {rng.choice(['order_confirmation', 'order_confirmation', 'shipping_update', 'refund_notice'])} order=BC-{rng.randint(1000000, 9999999)} ses_message_id=0102{ids.hex(12)}-{ids.uuid()}-000000"
            )
        logs.lambda_invocation(
            grp, s2 if at >= dep else s1, at, rid, rng.uniform(250, 600), 256, rng.randint(80, 95), lines
        )
    fgrp = "/aws/lambda/fraud-screen"
    fs = k.lambda_stream(ids, start)
    for t, v in fraud_err.items():
        if v >= 2 or rng.random() < 0.2:
            at = t + timedelta(seconds=rng.randint(0, 55))
            rid = ids.uuid()
            ts = k.iso_ms(at)[:-5] + "Z"
            if v >= 2:
                line = f"[ERROR]\t{ts}\t{rid}\tscore request failed: ConnectTimeout to risk-model endpoint, falling back to manual review queue"
            else:
                line = f"[INFO]\t{ts}\t{rid}\tscored order=BC-{rng.randint(1000000, 9999999)} score={rng.uniform(0, 0.4):.3f} decision=accept"
            logs.lambda_invocation(fgrp, fs, at, rid, rng.uniform(400, 900), 512, 140, [line])

    # ---- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 800))
    resources: list[k.Rec] = []
    n_subs = len(subs) + 1
    resources.append(
        k.res(
            "sns",
            "Topic",
            {
                "TopicArn": topic_arn,
                "Attributes": {
                    "TopicArn": topic_arn,
                    "Owner": account,
                    "DisplayName": "",
                    "SubscriptionsConfirmed": str(n_subs),
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
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
                                    "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                                }
                            ],
                        }
                    ),
                },
            },
        )
    )
    for proto, nm, pol in [*subs, new_sub]:
        endpoint = (
            f"arn:aws:sqs:{REGION}:{account}:{nm}"
            if proto == "sqs"
            else f"arn:aws:lambda:{REGION}:{account}:function:{nm}"
        )
        arn = new_sub_arn if nm == "loyalty-events" else f"{topic_arn}:{ids.uuid()}"
        attrs = {
            "SubscriptionArn": arn,
            "TopicArn": topic_arn,
            "Protocol": proto,
            "Endpoint": endpoint,
            "Owner": account,
            "ConfirmationWasAuthenticated": "true",
            "PendingConfirmation": "false",
            "RawMessageDelivery": "true" if nm == "loyalty-events" else "false",
            "SubscriptionPrincipal": f"arn:aws:iam::{account}:role/brightcart-terraform",
        }
        if pol is not None:
            attrs["FilterPolicy"] = json.dumps(pol)
            attrs["FilterPolicyScope"] = "MessageAttributes"
        resources.append(
            k.res(
                "sns",
                "Subscription",
                {
                    "SubscriptionArn": arn,
                    "TopicArn": topic_arn,
                    "Protocol": proto,
                    "Endpoint": endpoint,
                    "Owner": account,
                    "Attributes": attrs,
                },
            )
        )
        if proto == "sqs":
            qattrs = {
                "QueueArn": endpoint,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": str(rng.randint(0, 4)),
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int((sub_at if nm == "loyalty-events" else created).timestamp())),
                "LastModifiedTimestamp": str(
                    int((sub_at if nm == "loyalty-events" else created).timestamp())
                ),
                "VisibilityTimeout": "60",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "SqsManagedSseEnabled": "true",
                "Policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "sns.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": endpoint,
                                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                            }
                        ],
                    }
                ),
            }
            resources.append(
                k.res(
                    "sqs",
                    "Queue",
                    {"QueueUrl": f"{qbase}/{nm}", "Attributes": qattrs, "Tags": {"managed-by": "terraform"}},
                )
            )
    for fn, mem, mod in (
        ("email-confirmation-sender", 256, dep),
        ("fraud-screen", 512, created),
        ("picking-list-builder", 256, created),
    ):
        r = f"{fn}-role"
        resources.append(
            k.res(
                "lambda",
                "FunctionConfiguration",
                k.lambda_config(
                    ids,
                    account,
                    REGION,
                    fn,
                    "python3.12",
                    "app.handler",
                    r,
                    mem,
                    30,
                    mod,
                    {"LOG_LEVEL": "INFO"},
                ),
            )
        )
        resources.append(
            k.res("logs", "LogGroup", k.log_group(account, REGION, f"/aws/lambda/{fn}", created, 30))
        )

    first = next(i for i, tr in enumerate(al.transitions[name]) if tr[2] == "ALARM")
    event = al.event(name, ids, first)
    question = rng.choice(
        [
            f"We're getting an alarm saying notifications on order-lifecycle are being dropped, thousands of them since the {send_local.strftime('%H:%M')} campaign went out. Are customers missing their order confirmation emails?",
            "order-lifecycle 'notifications dropped' alarm just paged. Is SNS losing order events? The loyalty team hooked a new queue up to that topic this morning.",
        ]
    )
    truth: k.Rec = {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []}
    return k.bundle(
        title=TITLE,
        account=account,
        region=REGION,
        start=start,
        now=now,
        question=question,
        timezone=TZ,
        alarm_event=event,
        truth=truth,
        metrics=m,
        alarms=al,
        logs=logs,
        trail=trail,
        resources=resources,
    )
