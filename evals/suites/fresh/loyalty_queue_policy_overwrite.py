"""Loyalty points stop accruing: an S3 notification was wired to the loyalty queue by replacing its policy."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzl as k

NAME = "loyalty-points-not-accruing-after-lunch"
TITLE = "Customers say loyalty points stopped showing up for new orders; orders themselves go through"
SUMMARY = (
    "A queue policy was replaced to let an S3 bucket send notifications, dropping the SNS topic's "
    "permission; order events to the loyalty queue are refused and points stop accruing."
)

REGION = "eu-central-1"
TZ = "Europe/Berlin"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = k.Ids(rng)
    account = ids.account()
    day = k.start_of_day(rng)
    start = day + timedelta(hours=rng.randint(6, 8), minutes=rng.choice([0, 15, 30, 45]))
    onset = start + timedelta(hours=3, minutes=rng.randint(12, 40), seconds=rng.randint(3, 55))
    now = (onset + timedelta(minutes=rng.randint(48, 70))).replace(second=0)
    onset_min = onset.replace(second=0)

    topic = "order-events"
    topic_arn = f"arn:aws:sns:{REGION}:{account}:{topic}"
    qbase = f"https://sqs.{REGION}.amazonaws.com/{account}"
    queues = [
        "loyalty-accrual",
        "loyalty-accrual-dlq",
        "courier-dispatch",
        "courier-dispatch-dlq",
        "order-analytics-ingest",
    ]
    qarn = {q: f"arn:aws:sqs:{REGION}:{account}:{q}" for q in queues}
    bucket = rng.choice(["fernlane-partner-points-drop", "fernlane-loyalty-partner-files"])
    worker = "loyalty-accrual-worker"
    dispatcher = "courier-dispatcher"
    audit = "order-events-audit"

    trail = k.Trail(ids, account, REGION)
    ci = trail.person(
        "role",
        "gha-" + ids.hex(8),
        "github-actions-deploy",
        k.ip(rng, "20.51", 1, 250),
        "aws-sdk-js/3.637.0 ua/2.0 os/linux lang/js md/nodejs#20.17.0 api/lambda#3.637.0 GitHub-Actions",
    )
    tf = trail.person(
        "role",
        "terraform-" + ids.hex(6),
        "terraform-apply",
        k.ip(rng, "10.40.12", 10, 200),
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0 aws-sdk-go-v2/1.30.5",
    )
    graf = trail.person(
        "role",
        "grafana-cloudwatch",
        "grafana-cloudwatch-read",
        k.ip(rng, "34.89", 1, 250),
        "aws-sdk-go/1.55.5 (go1.22.6; linux; amd64)",
    )
    eng_name = rng.choice(["jonas.kraemer", "lea.hoffmann", "mehmet.aydin", "sofia.brandt"])
    eng = trail.person(
        "sso",
        f"{eng_name}@fernlane.de",
        "AWSReservedSSO_PlatformEngineer_" + ids.hex(16),
        k.ip(rng, "91.64", 1, 250),
        "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source command/sqs.set-queue-attributes",
    )
    eng_s3 = k.Person(
        eng.kind,
        eng.name,
        eng.role,
        eng.ip,
        eng.agent.replace("sqs.set-queue-attributes", "s3api.put-bucket-notification-configuration"),
        eng.principal,
        eng.key,
    )
    eng_ro = k.Person(
        eng.kind,
        eng.name,
        eng.role,
        eng.ip,
        eng.agent.replace("sqs.set-queue-attributes", "sqs.get-queue-attributes"),
        eng.principal,
        eng.key,
    )
    oncall_name = rng.choice(["nina.vogel", "paul.richter", "ana.silva"])
    oncall = trail.person(
        "sso",
        f"{oncall_name}@fernlane.de",
        "AWSReservedSSO_ReadOnly_" + ids.hex(16),
        k.ip(rng, "88.130", 1, 250),
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
    )

    # ---- policies -------------------------------------------------------------------------------
    def sns_policy(q: str) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Id": f"{q}-policy",
                "Statement": [
                    {
                        "Sid": "AllowOrderEventsTopic",
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": qarn[q],
                        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                    }
                ],
            },
            separators=(",", ":"),
        )

    new_policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Id": "loyalty-accrual-s3",
            "Statement": [
                {
                    "Sid": "AllowPartnerDropNotifications",
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": qarn["loyalty-accrual"],
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"},
                        "StringEquals": {"aws:SourceAccount": account},
                    },
                }
            ],
        },
        separators=(",", ":"),
    )

    # ---- CloudTrail -----------------------------------------------------------------------------
    t = start + timedelta(minutes=rng.randint(1, 6))
    while t < now:
        trail.add(graf, t, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}, None, True)
        if rng.random() < 0.5:
            trail.add(
                graf,
                t + timedelta(seconds=2),
                "sqs.amazonaws.com",
                "ListQueues",
                {"maxResults": 1000},
                None,
                True,
            )
        t += timedelta(minutes=rng.randint(9, 16), seconds=rng.randint(0, 59))

    deploy_at = onset - timedelta(minutes=rng.randint(38, 62), seconds=rng.randint(0, 59))
    sha = ids.hex(40)
    for fn, when in ((worker, deploy_at), (audit, start + timedelta(minutes=rng.randint(30, 70)))):
        trail.add(
            ci,
            when,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": fn,
                "s3Bucket": f"fernlane-lambda-artifacts-{account}",
                "s3Key": f"{fn}/{sha}.zip",
                "publish": False,
                "dryRun": False,
            },
            {
                "functionName": fn,
                "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:{fn}",
                "runtime": "python3.12",
                "handler": "app.handler",
                "codeSize": rng.randint(2_000_000, 6_000_000),
                "timeout": 60,
                "memorySize": 512,
                "lastModified": k.lambda_ts(when + timedelta(seconds=1)),
                "codeSha256": ids.hex(43) + "=",
                "version": "$LATEST",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "lastUpdateStatusReason": "The function is being created.",
                "lastUpdateStatusReasonCode": "Creating",
                "packageType": "Zip",
                "architectures": ["arm64"],
            },
        )
        trail.add(
            ci,
            when + timedelta(seconds=9),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": fn},
            None,
            True,
        )
    retention_at = start + timedelta(minutes=rng.randint(80, 120))
    trail.add(
        tf,
        retention_at - timedelta(seconds=20),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {"queueUrl": f"{qbase}/order-analytics-ingest", "attributeNames": ["All"]},
        None,
        True,
    )
    trail.add(
        tf,
        retention_at,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": f"{qbase}/order-analytics-ingest", "attributes": {"MessageRetentionPeriod": "345600"}},
        None,
    )
    trail.add(
        tf,
        retention_at + timedelta(seconds=14),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": "order-analytics-ingest-age",
            "namespace": "AWS/SQS",
            "metricName": "ApproximateAgeOfOldestMessage",
            "statistic": "Maximum",
            "period": 300,
            "evaluationPeriods": 3,
            "threshold": 1800.0,
            "comparisonOperator": "GreaterThanThreshold",
            "dimensions": [{"name": "QueueName", "value": "order-analytics-ingest"}],
        },
        None,
    )

    # the engineer's session: look, replace the policy, wire the bucket
    look = onset - timedelta(minutes=rng.randint(4, 9))
    trail.add(eng_ro, look, "sqs.amazonaws.com", "GetQueueUrl", {"queueName": "loyalty-accrual"}, None, True)
    trail.add(
        eng_ro,
        look + timedelta(seconds=40),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {"queueUrl": f"{qbase}/loyalty-accrual", "attributeNames": ["QueueArn"]},
        None,
        True,
    )
    culprit = trail.add(
        eng,
        onset,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": f"{qbase}/loyalty-accrual", "attributes": {"Policy": new_policy}},
        None,
    )
    notif_at = onset + timedelta(seconds=rng.randint(70, 150))
    trail.add(
        eng_s3,
        notif_at,
        "s3.amazonaws.com",
        "PutBucketNotification",
        {
            "bucketName": bucket,
            "Host": f"{bucket}.s3.{REGION}.amazonaws.com",
            "notification": "",
            "NotificationConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "QueueConfiguration": {
                    "Id": "partner-drop-to-loyalty",
                    "Queue": qarn["loyalty-accrual"],
                    "Event": "s3:ObjectCreated:*",
                    "Filter": {"S3Key": {"FilterRule": {"Name": "Prefix", "Value": "incoming/"}}},
                },
            },
        },
        None,
    )
    later = now - timedelta(minutes=rng.randint(3, 9))
    trail.add(
        oncall,
        later,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {"queueUrl": f"{qbase}/loyalty-accrual", "attributeNames": ["All"]},
        None,
        True,
    )
    trail.add(
        oncall,
        later + timedelta(seconds=25),
        "lambda.amazonaws.com",
        "ListEventSourceMappings20150331",
        {"functionName": worker},
        None,
        True,
    )
    trail.add(
        oncall,
        later + timedelta(seconds=50),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": worker},
        None,
        True,
    )
    trail.add(
        oncall,
        later + timedelta(seconds=95),
        "sns.amazonaws.com",
        "ListSubscriptionsByTopic",
        {"topicArn": topic_arn},
        None,
        True,
    )
    env_at = onset + timedelta(minutes=rng.randint(14, 25))
    trail.add(
        ci,
        env_at,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": dispatcher, "environment": {}},
        {
            "functionName": dispatcher,
            "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:{dispatcher}",
            "lastUpdateStatus": "InProgress",
            "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        },
    )
    # a few other everyday calls
    for _ in range(8):
        when = start + timedelta(
            minutes=rng.randint(5, int((now - start).total_seconds() // 60) - 2), seconds=rng.randint(0, 59)
        )
        trail.add(graf, when, "sns.amazonaws.com", "GetTopicAttributes", {"topicArn": topic_arn}, None, True)

    # ---- metrics --------------------------------------------------------------------------------
    times = k.minutes(start, now)
    phase = rng.uniform(0, 6.28)
    base = rng.uniform(45, 80)

    def orders(t: datetime) -> float:
        hour = (t - day).total_seconds() / 3600
        lunch = 0.55 * math.exp(-(((hour - 11.8) / 1.2) ** 2))
        return base * (0.8 + 0.12 * math.sin(hour + phase) + lunch) * rng.uniform(0.85, 1.15)

    published = {t: float(round(orders(t))) for t in times}
    m = k.Metrics()
    sns = {"TopicName": topic}
    m.put("AWS/SNS", "NumberOfMessagesPublished", sns, "Count", published)
    subs_ok = {t: v * (4 if t < onset_min else 3) for t, v in published.items()}
    m.put("AWS/SNS", "NumberOfNotificationsDelivered", sns, "Count", subs_ok)
    m.put(
        "AWS/SNS",
        "NumberOfNotificationsFailed",
        sns,
        "Count",
        {t: v for t, v in published.items() if t > onset_min},
    )
    m.put("AWS/SNS", "PublishSize", sns, "Bytes", {t: rng.uniform(1400, 1650) for t in times})

    def sqs(q: str, sent: dict[datetime, float], size: float, polled: bool = True) -> None:
        d = {"QueueName": q}
        m.put("AWS/SQS", "NumberOfMessagesSent", d, "Count", sent)
        m.put("AWS/SQS", "NumberOfMessagesReceived", d, "Count", {t: v for t, v in sent.items()})
        m.put("AWS/SQS", "NumberOfMessagesDeleted", d, "Count", {t: v for t, v in sent.items()})
        m.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            d,
            "Count",
            {t: float(rng.randint(0, 3)) if v else 0.0 for t, v in sent.items()},
        )
        m.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            d,
            "Count",
            {t: float(rng.randint(0, 6)) if v else 0.0 for t, v in sent.items()},
        )
        m.put(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            d,
            "Seconds",
            {t: float(rng.randint(1, 4)) if v else 0.0 for t, v in sent.items()},
        )
        if polled:
            m.put(
                "AWS/SQS",
                "NumberOfEmptyReceives",
                d,
                "Count",
                {t: float(rng.randint(40, 70) if v > 5 else rng.randint(110, 130)) for t, v in sent.items()},
            )
        m.put(
            "AWS/SQS",
            "SentMessageSize",
            d,
            "Bytes",
            {t: size * rng.uniform(0.95, 1.05) for t, v in sent.items() if v},
        )

    test_event_at = (notif_at + timedelta(seconds=2)).replace(second=0)
    loyal = {t: (v if t < onset_min else (1.0 if t == test_event_at else 0.0)) for t, v in published.items()}
    sqs("loyalty-accrual", loyal, 1820)
    sqs("courier-dispatch", dict(published), 1790)
    sqs("order-analytics-ingest", dict(published), 1790, polled=False)
    # the dead-letter queues: published only while their source queues are polled; nothing visible
    dlq_in = test_event_at + timedelta(minutes=5)
    m.put(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "loyalty-accrual-dlq"},
        "Count",
        {t: (1.0 if t >= dlq_in else 0.0) for t in times},
    )
    m.put(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "loyalty-accrual-dlq"},
        "Seconds",
        {t: (float((t - test_event_at).total_seconds()) if t >= dlq_in else 0.0) for t in times},
    )
    m.put(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "courier-dispatch-dlq"},
        "Count",
        {t: 0.0 for t in times},
    )

    def lam(
        fn: str, inv: dict[datetime, float], dur: float, errs: dict[datetime, float] | None = None
    ) -> None:
        d = {"FunctionName": fn}
        m.put("AWS/Lambda", "Invocations", d, "Count", inv)
        m.put("AWS/Lambda", "Errors", d, "Count", {t: (errs or {}).get(t, 0.0) for t in inv})
        m.put("AWS/Lambda", "Throttles", d, "Count", {t: 0.0 for t in inv})
        m.put("AWS/Lambda", "Duration", d, "Milliseconds", {t: dur * rng.uniform(0.8, 1.3) for t in inv})
        m.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            {t: float(max(1, round(v * dur / 60000 * 3))) for t, v in inv.items()},
        )

    w_inv = {t: float(math.ceil(v / rng.choice([3, 4, 5]))) for t, v in loyal.items() if v > 0}
    w_inv.update({test_event_at + timedelta(minutes=i): 1.0 for i in range(0, 5)})
    lam(worker, w_inv, 240.0, {test_event_at + timedelta(minutes=i): 1.0 for i in range(0, 5)})
    burst = start + timedelta(minutes=rng.randint(50, 150))
    d_errs = {t: 1.0 for t in times if rng.random() < 0.02}
    d_errs.update({burst + timedelta(minutes=i): float(rng.randint(2, 4)) for i in range(3)})
    lam(dispatcher, {t: float(math.ceil(v / 4)) for t, v in published.items()}, 380.0, d_errs)
    lam(audit, dict(published), 35.0)
    points = {t: float(round(v * rng.uniform(9, 14))) for t, v in loyal.items() if v > 1}
    m.put("Fernlane/Loyalty", "PointsAccrued", {"Service": worker}, "Count", points)

    # ---- alarms ---------------------------------------------------------------------------------
    ops = f"arn:aws:sns:{REGION}:{account}:ops-pager"
    al = k.Alarms(account, REGION)

    def five(pts: dict[datetime, float], how: str = "sum") -> dict[datetime, float]:
        out: dict[datetime, list[float]] = {}
        for t, v in pts.items():
            b = t - timedelta(minutes=t.minute % 5)
            out.setdefault(b, []).append(v)
        return {b: (sum(v) if how == "sum" else max(v)) for b, v in out.items()}

    al.add(
        k.AlarmSpec(
            "loyalty-accrual-dlq-not-empty",
            "Messages in the loyalty-accrual dead-letter queue",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "loyalty-accrual-dlq"},
            "Maximum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            [ops],
        ),
        five(
            m.get("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "loyalty-accrual-dlq"}),
            "max",
        ),
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "loyalty-points-accrued-low",
            "Loyalty points accrual stalled (no PointsAccrued for 15 minutes)",
            "Fernlane/Loyalty",
            "PointsAccrued",
            {"Service": worker},
            "Sum",
            300,
            3,
            3,
            1.0,
            "LessThanThreshold",
            "breaching",
            [ops],
        ),
        five(points),
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "courier-dispatcher-errors",
            "courier-dispatcher Lambda errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": dispatcher},
            "Sum",
            300,
            1,
            1,
            2.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            [ops],
        ),
        five(m.get("AWS/Lambda", "Errors", {"FunctionName": dispatcher})),
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "order-analytics-ingest-age",
            "Analytics ingest falling behind",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "order-analytics-ingest"},
            "Maximum",
            300,
            3,
            3,
            1800.0,
            "GreaterThanThreshold",
            "missing",
            [],
            created=retention_at + timedelta(seconds=14),
        ),
        five(
            m.get("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "order-analytics-ingest"}), "max"
        ),
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "courier-dispatch-age",
            "Courier dispatch queue backing up",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "courier-dispatch"},
            "Maximum",
            60,
            5,
            5,
            300.0,
            "GreaterThanThreshold",
            "missing",
            [ops],
        ),
        m.get("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "courier-dispatch"}),
        start,
        now,
    )

    # ---- logs -----------------------------------------------------------------------------------
    logs = k.Logs()
    grp = f"/aws/lambda/{worker}"
    stream = k.lambda_stream(ids, start)
    stream2 = k.lambda_stream(ids, deploy_at)
    for t in times:
        if t >= onset_min or rng.random() < 0.6:
            continue
        st = stream if t < deploy_at else stream2
        rid = ids.uuid()
        n = rng.randint(2, 6)
        lines = [
            f"[INFO]\t{k.iso_ms(t)[:-5]}Z\t{rid}\tbatch size={n} source=order-events",
        ]
        for _ in range(min(n, 3)):
            lines.append(
                f"[INFO]\t{k.iso_ms(t)[:-5]}Z\t{rid}\taccrued points={rng.randint(5, 60)} order=o-{ids.hex(10)} tier={rng.choice(['basic', 'basic', 'silver', 'gold'])}"
            )
        logs.lambda_invocation(
            grp,
            st,
            t + timedelta(seconds=rng.randint(0, 50), milliseconds=rng.randint(0, 999)),
            rid,
            rng.uniform(120, 420),
            512,
            rng.randint(88, 104),
            lines,
        )
    for i in range(5):
        t = test_event_at + timedelta(minutes=i, seconds=rng.randint(5, 40))
        rid = ids.uuid()
        mid = "s3-test-" + ids.hex(6)
        lines = [
            f"[INFO]\t{k.iso_ms(t)[:-5]}Z\t{rid}\tbatch size=1 source=order-events",
            f"[ERROR]\t{k.iso_ms(t)[:-5]}Z\t{rid}\tcannot parse message {mid[:8]}: KeyError: 'Message' (keys: ['Service', 'Event', 'Time', 'Bucket', 'RequestId', 'HostId'])",
            f"[WARNING]\t{k.iso_ms(t)[:-5]}Z\t{rid}\treporting 1 batch item failure(s)",
        ]
        logs.lambda_invocation(grp, stream2, t, rid, rng.uniform(20, 40), 512, 96, lines)
    dgrp = f"/aws/lambda/{dispatcher}"
    dstream = k.lambda_stream(ids, start)
    for t in times:
        if rng.random() < 0.35 or d_errs.get(t, 0) > 1:
            rid = ids.uuid()
            lines = [
                f"[INFO]\t{k.iso_ms(t)[:-5]}Z\t{rid}\tassigned order=o-{ids.hex(10)} courier=c-{rng.randint(1000, 9999)} eta_min={rng.randint(12, 45)}"
            ]
            if rng.random() < 0.05 or d_errs.get(t, 0) > 1:
                lines.append(
                    f"[ERROR]\t{k.iso_ms(t)[:-5]}Z\t{rid}\tgeo lookup failed for zone {rng.randint(10, 99)}: ReadTimeout(HTTPSConnectionPool(host='routing.internal.fernlane.de', port=443): Read timed out. (read timeout=3))"
                )
            logs.lambda_invocation(
                dgrp,
                dstream,
                t + timedelta(seconds=rng.randint(0, 55)),
                rid,
                rng.uniform(250, 600),
                256,
                rng.randint(70, 90),
                lines,
            )

    # ---- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(200, 500))
    resources: list[k.Rec] = []
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
                    "SubscriptionsConfirmed": "4",
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
                        }
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
                                    "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                                }
                            ],
                        }
                    ),
                },
            },
        )
    )
    for endpoint, proto in (
        (qarn["loyalty-accrual"], "sqs"),
        (qarn["courier-dispatch"], "sqs"),
        (qarn["order-analytics-ingest"], "sqs"),
        (f"arn:aws:lambda:{REGION}:{account}:function:{audit}", "lambda"),
    ):
        sub = f"{topic_arn}:{ids.uuid()}"
        attrs = {
            "SubscriptionArn": sub,
            "TopicArn": topic_arn,
            "Protocol": proto,
            "Endpoint": endpoint,
            "Owner": account,
            "ConfirmationWasAuthenticated": "true",
            "PendingConfirmation": "false",
            "RawMessageDelivery": "false",
            "SubscriptionPrincipal": f"arn:aws:iam::{account}:role/terraform-apply",
        }
        resources.append(
            k.res(
                "sns",
                "Subscription",
                {
                    "SubscriptionArn": sub,
                    "TopicArn": topic_arn,
                    "Protocol": proto,
                    "Endpoint": endpoint,
                    "Owner": account,
                    "Attributes": attrs,
                },
            )
        )

    def queue(q: str, vis: int, policy: str | None, redrive_to: str | None, retention: int = 345600) -> None:
        attrs = {
            "QueueArn": qarn[q],
            "ApproximateNumberOfMessages": "1" if q == "loyalty-accrual-dlq" else "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(
                int(
                    (
                        onset
                        if q == "loyalty-accrual"
                        else retention_at
                        if q == "order-analytics-ingest"
                        else created
                    ).timestamp()
                )
            ),
            "VisibilityTimeout": str(vis),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": str(retention),
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if policy:
            attrs["Policy"] = policy
        if redrive_to:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": qarn[redrive_to], "maxReceiveCount": 5}
            )
        resources.append(
            k.res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": f"{qbase}/{q}",
                    "Attributes": attrs,
                    "Tags": {
                        "team": "loyalty" if q.startswith("loyalty") else "logistics",
                        "managed-by": "terraform",
                    },
                },
            )
        )

    queue("loyalty-accrual", 60, new_policy, "loyalty-accrual-dlq")
    queue("loyalty-accrual-dlq", 30, None, None, 1209600)
    queue("courier-dispatch", 90, sns_policy("courier-dispatch"), "courier-dispatch-dlq")
    queue("courier-dispatch-dlq", 30, None, None, 1209600)
    queue("order-analytics-ingest", 300, sns_policy("order-analytics-ingest"), None)

    fns = [
        (worker, 512, 60, deploy_at, "loyalty-accrual-worker-role"),
        (dispatcher, 256, 30, env_at, "courier-dispatcher-role"),
        (audit, 128, 10, start + timedelta(minutes=40), "order-events-audit-role"),
    ]
    for fn, mem, to, mod, r in fns:
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
                    to,
                    mod,
                    {"LOG_LEVEL": "INFO", "POWERTOOLS_SERVICE_NAME": fn},
                ),
            )
        )
        resources.append(
            k.res("logs", "LogGroup", k.log_group(account, REGION, f"/aws/lambda/{fn}", created))
        )
        resources.append(k.res("iam", "Role", k.role(ids, account, r, "lambda.amazonaws.com", created)))
    for fn, q, bs in ((worker, "loyalty-accrual", 10), (dispatcher, "courier-dispatch", 5)):
        resources.append(
            k.res(
                "lambda",
                "EventSourceMappingConfiguration",
                {
                    "UUID": ids.uuid(),
                    "BatchSize": bs,
                    "MaximumBatchingWindowInSeconds": 0,
                    "EventSourceArn": qarn[q],
                    "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{fn}",
                    "LastModified": k.iso(created),
                    "State": "Enabled",
                    "StateTransitionReason": "USER_INITIATED",
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:{account}:event-source-mapping:{ids.uuid()}",
                },
            )
        )
    resources.append(
        k.res(
            "s3",
            "Bucket",
            {
                "Name": bucket,
                "CreationDate": k.iso(day - timedelta(days=rng.randint(2, 9))),
                "BucketRegion": REGION,
            },
        )
    )

    local = onset.astimezone(ZoneInfo(TZ))
    around = local - timedelta(minutes=local.minute % 15) + timedelta(minutes=rng.choice([0, 15]))
    clock = around.strftime("%H:%M").lstrip("0")
    question = rng.choice(
        [
            f"support has a pile of tickets from customers saying their loyalty points aren't showing up for orders placed since about {clock}. orders and deliveries look fine. is the loyalty service down?",
            f"Loyalty points not being added for new orders since roughly {clock} (our time). Checkout works, couriers are getting jobs. Can you check what's going on with loyalty?",
        ]
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": "loyalty-accrual",
            "category": "change",
            "failure_mode": "queue-policy-replaced-denies-sns",
            "event_id": culprit,
        },
        "also_accept": [f"{qbase}/loyalty-accrual", qarn["loyalty-accrual"]],
        "actions": ["rollback"],
        "chain": ["loyalty-accrual", topic, worker],
    }
    return k.bundle(
        title=TITLE,
        account=account,
        region=REGION,
        start=start,
        now=now,
        question=question,
        timezone=TZ,
        alarm_event=None,
        truth=truth,
        metrics=m,
        alarms=al,
        logs=logs,
        trail=trail,
        resources=resources,
    )
