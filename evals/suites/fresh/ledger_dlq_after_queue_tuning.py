"""Payment events pile into the ledger DLQ after a queue setting is tuned during the afternoon."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzu import (
    MIN,
    Account,
    iso,
    lambda_function,
    lambda_report,
    local_clock,
    log_stream,
    minutes,
    nat_metrics,
    network,
    queue,
    tooling_reads,
)

NAME = "ledger-dlq-after-queue-tuning"
TITLE = "Ledger DLQ alarm paged mid-afternoon; are payment postings being lost?"
SUMMARY = (
    "An engineer lowered the ledger queue's visibility timeout below the poster's batch time; "
    "messages are redelivered while still in flight, posted twice and moved to the DLQ."
)

ZONE = "Europe/London"


def build(seed: int) -> Bundle:
    a = Account(seed)
    rng = a.rng
    day = a.day(datetime(2026, 2, 2, tzinfo=UTC), 280)
    onset = day + timedelta(hours=rng.randint(13, 15), minutes=rng.randint(0, 59))
    start = onset - timedelta(hours=3, minutes=rng.randint(40, 55))
    now = onset + timedelta(minutes=rng.randint(38, 52))
    old = day - timedelta(days=rng.randint(120, 400))
    times = minutes(start, now)

    net = network(a, old)
    topic = "payment-events"
    topic_arn = a.arn("sns", topic)
    ledger_q, notify_q, risk_q, dlq = (
        "payment-events-ledger",
        "payment-events-notify",
        "payment-events-risk",
        "payment-events-ledger-dlq",
    )
    change = onset - timedelta(seconds=rng.randint(40, 100))
    notify_change = change - timedelta(minutes=rng.randint(3, 6), seconds=rng.randint(0, 59))
    risk_deploy = onset - timedelta(minutes=rng.randint(35, 70))
    blip = start.replace(second=0) + timedelta(minutes=rng.randint(50, 110))
    blip_age = {
        blip - 2 * MIN: 140.0,
        blip - MIN: 160.0,
        blip: 180.0,
        blip + MIN: 151.0,
        blip + 2 * MIN: 75.0,
    }

    # --- resources ---------------------------------------------------------------------------------
    dlq_arn = a.arn("sqs", dlq)
    rate = rng.uniform(110, 190)  # payment events a minute at the afternoon level
    dlq_share = rng.uniform(0.28, 0.4)
    lived = (now - onset).total_seconds() / 60
    dlq_now = int(rate * dlq_share * lived * 0.93)
    queue(
        a,
        ledger_q,
        old,
        {
            "VisibilityTimeout": "30",
            "LastModifiedTimestamp": str(int(change.timestamp())),
            "ApproximateNumberOfMessages": str(int(rate * rng.uniform(2.5, 3.5))),
            "ApproximateNumberOfMessagesNotVisible": str(int(rate * 1.6)),
            "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":3}}',
            "Policy": _sns_policy(a.arn("sqs", ledger_q), topic_arn),
        },
    )
    queue(
        a,
        notify_q,
        old,
        {
            "VisibilityTimeout": "30",
            "LastModifiedTimestamp": str(int(notify_change.timestamp())),
            "Policy": _sns_policy(a.arn("sqs", notify_q), topic_arn),
        },
    )
    queue(
        a, risk_q, old, {"VisibilityTimeout": "180", "Policy": _sns_policy(a.arn("sqs", risk_q), topic_arn)}
    )
    queue(
        a,
        dlq,
        old,
        {
            "MessageRetentionPeriod": "1209600",
            "ApproximateNumberOfMessages": str(dlq_now),
            "RedriveAllowPolicy": '{"redrivePermission":"allowAll"}',
        },
    )
    a.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "Owner": a.account,
                "DisplayName": "",
                "SubscriptionsConfirmed": "3",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "KmsMasterKeyId": "alias/aws/sns",
                "Policy": "{}",
                "EffectiveDeliveryPolicy": '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false}}',
            },
        },
    )
    for q in (ledger_q, notify_q, risk_q):
        sub = f"{topic_arn}:{a.uuid()}"
        a.resource(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": sub,
                "TopicArn": topic_arn,
                "Protocol": "sqs",
                "Endpoint": a.arn("sqs", q),
                "Owner": a.account,
                "Attributes": {
                    "RawMessageDelivery": "true",
                    "PendingConfirmation": "false",
                    "ConfirmationWasAuthenticated": "true",
                    "SubscriptionRoleArn": "",
                },
            },
        )
    fns = {
        "ledger-poster": (120, 512, ledger_q, "posts settled payment events to the core ledger"),
        "notify-merchant": (15, 256, notify_q, "merchant payment notifications"),
        "risk-scorer": (60, 1024, risk_q, "post-authorisation risk features"),
    }
    for fn, (timeout, mem, q, desc) in fns.items():
        lambda_function(
            a,
            fn,
            runtime="python3.12",
            handler="app.handler",
            timeout=timeout,
            memory=mem,
            modified=risk_deploy if fn == "risk-scorer" else old + timedelta(days=rng.randint(20, 90)),
            role=f"{fn}-role",
            env={"LEDGER_API_BASE": "https://api.ledgerhub.io/v2", "POWERTOOLS_SERVICE_NAME": fn}
            if fn == "ledger-poster"
            else {"POWERTOOLS_SERVICE_NAME": fn},
            subnets=net["private"],
            sg=net["sg"],
            vpc=net["vpc"],
            description=desc,
        )
        a.resource(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": a.uuid(),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 5 if fn == "ledger-poster" else 0,
                "EventSourceArn": a.arn("sqs", q),
                "FunctionArn": a.arn("lambda", f"function:{fn}"),
                "LastModified": iso(old + timedelta(days=3)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": [],
            },
        )
    secret_arn = a.arn("secretsmanager", f"secret:ledgerhub/api-token-{a.alnum(6)}")
    a.resource(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": "ledgerhub/api-token",
            "Description": "ledger-poster client token for api.ledgerhub.io",
            "RotationEnabled": False,
            "LastChangedDate": iso(old + timedelta(days=40)),
            "LastAccessedDate": iso(day),
            "CreatedDate": iso(old),
            "Tags": [{"Key": "team", "Value": "payments"}],
        },
    )

    # --- traffic and metrics -----------------------------------------------------------------------
    def load(t: datetime) -> float:
        hours = (t - start).total_seconds() / 3600
        return rate * (0.85 + 0.12 * math.sin(hours / 1.7)) * rng.uniform(0.92, 1.08)

    after = [t for t in times if t >= onset]
    lam = {t: load(t) for t in times}
    sqs = "AWS/SQS"
    dlq_visible = 0.0
    dlq_series: dict[datetime, float] = {}
    for t in times:
        sent = lam[t]
        broken = t >= onset
        ramp = min(1.0, (t - onset).total_seconds() / 240) if broken else 0.0
        a.metric("AWS/SNS", "NumberOfMessagesPublished", {"TopicName": topic}, t, round(sent))
        a.metric("AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": topic}, t, round(sent) * 3)
        a.metric("AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": topic}, t, 0)
        for q in (notify_q, risk_q):
            d = {"QueueName": q}
            a.metric(sqs, "NumberOfMessagesSent", d, t, round(sent))
            a.metric(sqs, "NumberOfMessagesReceived", d, t, round(sent * rng.uniform(1.0, 1.01)))
            a.metric(sqs, "NumberOfMessagesDeleted", d, t, round(sent * rng.uniform(0.99, 1.0)))
            a.metric(sqs, "ApproximateNumberOfMessagesVisible", d, t, rng.randint(0, 6))
            a.metric(sqs, "ApproximateNumberOfMessagesNotVisible", d, t, round(sent * rng.uniform(0.05, 0.2)))
            age = blip_age.get(t, rng.randint(1, 9)) if q == notify_q else rng.randint(1, 9)
            a.metric(sqs, "ApproximateAgeOfOldestMessage", d, t, age, "Seconds")
            a.metric(sqs, "NumberOfEmptyReceives", d, t, rng.randint(40, 90))
        d = {"QueueName": ledger_q}
        received = sent * (1.0 + rng.uniform(0, 0.01) + 1.65 * ramp)
        a.metric(sqs, "NumberOfMessagesSent", d, t, round(sent))
        a.metric(sqs, "NumberOfMessagesReceived", d, t, round(received))
        a.metric(
            sqs, "NumberOfMessagesDeleted", d, t, round(received * (1 - 0.12 * ramp) * rng.uniform(0.98, 1.0))
        )
        a.metric(
            sqs,
            "ApproximateNumberOfMessagesVisible",
            d,
            t,
            rng.randint(0, 15) + ramp * sent * rng.uniform(2.4, 3.6),
        )
        a.metric(
            sqs,
            "ApproximateNumberOfMessagesNotVisible",
            d,
            t,
            sent * (0.7 + 0.9 * ramp) * rng.uniform(0.9, 1.1),
        )
        a.metric(
            sqs,
            "ApproximateAgeOfOldestMessage",
            d,
            t,
            rng.randint(35, 70) + ramp * rng.uniform(150, 260),
            "Seconds",
        )
        a.metric(sqs, "NumberOfEmptyReceives", d, t, max(0, rng.randint(20, 60) - int(60 * ramp)))
        if broken and t >= onset + 2 * MIN:
            dlq_visible += sent * dlq_share * ramp * rng.uniform(0.85, 1.1)
            dd = {"QueueName": dlq}
            a.metric(sqs, "ApproximateNumberOfMessagesVisible", dd, t, round(dlq_visible))
            a.metric(sqs, "ApproximateNumberOfMessagesNotVisible", dd, t, 0)
            a.metric(sqs, "NumberOfMessagesSent", dd, t, 0)
            a.metric(sqs, "ApproximateAgeOfOldestMessage", dd, t, (t - onset).total_seconds() - 60, "Seconds")
            dlq_series[t] = round(dlq_visible)
        # Lambda
        for fn, dur in (("notify-merchant", 850.0), ("risk-scorer", 2300.0)):
            ld = {"FunctionName": fn}
            inv = sent / rng.uniform(1.6, 2.4)
            a.metric("AWS/Lambda", "Invocations", ld, t, round(inv))
            a.metric("AWS/Lambda", "Errors", ld, t, 1 if rng.random() < 0.04 else 0)
            a.metric("AWS/Lambda", "Throttles", ld, t, 0)
            a.stats(
                "AWS/Lambda",
                "Duration",
                ld,
                t,
                [dur * rng.uniform(0.6, 1.6) for _ in range(8)],
                "Milliseconds",
            )
            a.metric("AWS/Lambda", "ConcurrentExecutions", ld, t, rng.randint(1, 4))
        ld = {"FunctionName": "ledger-poster"}
        inv = received / rng.uniform(6.5, 8.5)
        a.metric("AWS/Lambda", "Invocations", ld, t, round(inv))
        a.metric("AWS/Lambda", "Errors", ld, t, 1 if rng.random() < 0.02 else 0)
        a.metric("AWS/Lambda", "Throttles", ld, t, 0)
        a.stats(
            "AWS/Lambda",
            "Duration",
            ld,
            t,
            [rng.uniform(21000, 52000) for _ in range(6)],
            "Milliseconds",
        )
        a.metric("AWS/Lambda", "ConcurrentExecutions", ld, t, round(inv * 0.62 * rng.uniform(0.9, 1.1)))

    nat_metrics(
        a,
        net["nat"],
        times,
        lambda t: lam[t] * (1.0 + 1.6 * min(1.0, max(0.0, (t - onset).total_seconds() / 240))) + 35,
    )

    # --- logs ----------------------------------------------------------------------------------------
    stream = log_stream(a, start)
    for i, t in enumerate(times):
        if i % 3:
            continue
        at = t + timedelta(seconds=rng.randint(0, 50))
        if at > now:
            break
        if (at - start) > timedelta(minutes=90) and i % 45 == 0:
            stream = log_stream(a, at)
        req = a.uuid()
        g = "/aws/lambda/ledger-poster"
        a.log(g, stream, at, f"START RequestId: {req} Version: $LATEST")
        n = rng.randint(6, 10)
        dups = 0
        took = rng.uniform(24000, 50000)
        for _ in range(n):
            pay = "pay_" + a.alnum(24)
            rc = 1
            if at >= onset + MIN and rng.random() < 0.7:
                rc = rng.choice([2, 2, 3])
            if rc > 1:
                dups += 1
                a.log(
                    g,
                    stream,
                    at + timedelta(seconds=rng.uniform(1, took / 1000)),
                    f"[WARNING]\t{iso(at)}\t{req}\tledgerhub returned 409 already_posted for {pay} "
                    f"(ApproximateReceiveCount={rc}); skipping",
                )
        posted = n - dups
        end = at + timedelta(milliseconds=took)
        a.log(
            g,
            stream,
            end,
            f"[INFO]\t{iso(end)}\t{req}\tbatch done queue={ledger_q} records={n} posted={posted} "
            f"duplicates={dups} elapsed_ms={int(took)}",
        )
        lambda_report(a, "ledger-poster", stream, end, req, took, 512, rng.randint(118, 140))
    nstream = log_stream(a, start)
    for t in times[:: rng.randint(7, 9)]:
        req = a.uuid()
        g = "/aws/lambda/notify-merchant"
        a.log(g, nstream, t, f"START RequestId: {req} Version: $LATEST")
        if rng.random() < 0.1:
            a.log(
                g,
                nstream,
                t + timedelta(milliseconds=600),
                f"[WARNING]\t{iso(t)}\t{req}\tmerchant webhook https://hooks.{rng.choice(['shopline', 'tillfy', 'basketly'])}.com/pay returned 502; retry scheduled",
            )
        lambda_report(a, "notify-merchant", nstream, t + MIN / 60, req, rng.uniform(300, 1900), 256, 91)
    rstream = log_stream(a, risk_deploy + MIN)
    for t in times[:: rng.randint(9, 12)]:
        if t < risk_deploy:
            continue
        req = a.uuid()
        g = "/aws/lambda/risk-scorer"
        a.log(g, rstream, t, f"START RequestId: {req} Version: $LATEST")
        a.log(
            g,
            rstream,
            t + MIN / 30,
            f"[INFO]\t{iso(t)}\t{req}\tscored 10 events model=gbm-2026.{rng.randint(3, 9)} p95_ms={rng.randint(140, 260)}",
        )
        lambda_report(
            a, "risk-scorer", rstream, t + MIN / 20, req, rng.uniform(1800, 3100), 1024, rng.randint(390, 420)
        )

    # --- CloudTrail ----------------------------------------------------------------------------------
    engineer = rng.choice(["priya.nair", "tomas.kowalski", "grace.obi", "liam.walsh"])
    sso = a.role_identity(
        f"AWSReservedSSO_PaymentsEngineer_{a.hex(16)}",
        f"{engineer}@finch-pay.com",
        change - timedelta(minutes=40),
    )
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    ip = f"81.{rng.randint(100, 200)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    for q, t in ((notify_q, notify_change - MIN), (ledger_q, change - MIN)):
        url = f"https://sqs.{a.region}.amazonaws.com/{a.account}/{q}"
        a.call(
            t,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            sso,
            {"queueUrl": url, "attributeNames": ["All"]},
            None,
            read_only=True,
            agent=console,
            ip=ip,
        )
    a.call(
        notify_change,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        sso,
        {
            "queueUrl": f"https://sqs.{a.region}.amazonaws.com/{a.account}/{notify_q}",
            "attributes": {"VisibilityTimeout": "30"},
        },
        None,
        agent=console,
        ip=ip,
    )
    culprit = a.call(
        change,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        sso,
        {
            "queueUrl": f"https://sqs.{a.region}.amazonaws.com/{a.account}/{ledger_q}",
            "attributes": {"VisibilityTimeout": "30"},
        },
        None,
        agent=console,
        ip=ip,
    )
    ci = a.role_identity("github-actions-deploy", "GitHubActions", risk_deploy - MIN * 4)
    ci_agent = (
        "aws-sdk-js/3.583.0 ua/2.0 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.13.1 api/lambda#3.583.0"
    )
    fn_arn = a.arn("lambda", "function:risk-scorer")
    a.call(
        risk_deploy - MIN,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        {"functionName": "risk-scorer"},
        None,
        read_only=True,
        agent=ci_agent,
    )
    a.call(
        risk_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": "risk-scorer", "publish": True, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": "risk-scorer",
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "codeSize": rng.randint(4000000, 6000000),
            "timeout": 60,
            "memorySize": 1024,
            "version": str(rng.randint(40, 80)),
            "state": "Pending",
            "lastUpdateStatus": "InProgress",
        },
        agent=ci_agent,
    )
    a.call(
        risk_deploy + MIN / 2,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ci,
        {"functionName": "risk-scorer", "name": "live", "functionVersion": str(rng.randint(40, 80))},
        None,
        agent=ci_agent,
    )
    tf = a.role_identity("terraform-apply", "atlantis", start + timedelta(minutes=30))
    t_tf = start + timedelta(minutes=rng.randint(30, 80))
    a.call(
        t_tf,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        tf,
        {
            "alarmName": "risk-scorer-errors",
            "namespace": "AWS/Lambda",
            "metricName": "Errors",
            "statistic": "Sum",
            "period": 300,
            "evaluationPeriods": 3,
            "threshold": 10.0,
            "comparisonOperator": "GreaterThanThreshold",
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1",
    )
    a.call(
        t_tf + MIN,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        tf,
        {"logGroupName": "/aws/lambda/risk-scorer", "retentionInDays": 30},
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1",
    )
    poster = a.role_identity("ledger-poster-role", "ledger-poster", start)
    t = start + timedelta(minutes=rng.randint(2, 10))
    while t < now:
        a.call(
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            poster,
            {"secretId": "ledgerhub/api-token"},
            None,
            read_only=True,
            agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227 lang/python#3.12.7 exec-env/AWS_Lambda_python3.12",
        )
        t += timedelta(minutes=rng.randint(14, 22))
    tooling_reads(
        a,
        start,
        now,
        {
            "functions": list(fns),
            "queues": [ledger_q, notify_q, risk_q, dlq],
            "secrets": ["ledgerhub/api-token"],
        },
        rng.randint(34, 44),
    )

    # --- alarms --------------------------------------------------------------------------------------
    created = old + timedelta(days=5)
    dlq_alarm = a.alarm(
        "payment-events-ledger-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0,
        missing="notBreaching",
        description="Messages in the ledger DLQ: postings that failed 3 times. Runbook: wiki/payments/ledger-dlq",
        updated=created,
    )
    five = [t for t in minutes(start, now, 5)]
    dlq_five = {}
    for t5 in five:
        vals = [v for t, v in dlq_series.items() if t5 <= t < t5 + 5 * MIN]
        if vals:
            dlq_five[t5] = max(vals)
    fired = a.evaluate(dlq_alarm, dlq_five, five, now)
    event = fired[0][1]
    a.alarm(
        "ledger-poster-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "ledger-poster"},
        stat="Sum",
        period=300,
        evals=2,
        threshold=5,
        missing="notBreaching",
        updated=created,
    )
    notify_age = a.alarm(
        "payment-events-notify-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": notify_q},
        stat="Maximum",
        period=60,
        evals=3,
        threshold=120,
        updated=created,
    )
    pts = [(blip - MIN * k, blip_age[blip - MIN * k]) for k in range(3)]
    a.transition(notify_age, blip + MIN + timedelta(seconds=38), "ALARM", pts)
    a.transition(
        notify_age,
        blip + 3 * MIN + timedelta(seconds=41),
        "OK",
        [(blip + 2 * MIN, 75.0), (blip + MIN, 151.0), (blip, 180.0)],
    )
    a.alarm(
        "risk-scorer-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "risk-scorer"},
        stat="Sum",
        period=300,
        evals=3,
        threshold=10,
        missing="notBreaching",
        updated=t_tf,
    )
    a.alarm(
        "payments-nat-port-allocation",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        {"NatGatewayId": net["nat"]},
        stat="Sum",
        period=60,
        evals=1,
        threshold=0,
        updated=created,
    )
    del after
    fired_at = fired[0][0]
    question = (
        f"Got paged for the ledger DLQ at {local_clock(fired_at, ZONE)}. Are we losing ledger postings? "
        "Nobody has deployed ledger-poster today as far as I know."
    )
    truth: dict[str, Any] = {
        "no_fault": False,
        "root_cause": {
            "resource": ledger_q,
            "category": "change",
            "failure_mode": "sqs-visibility-timeout-below-consumer-duration",
            "event_id": culprit,
        },
        "also_accept": [
            a.arn("sqs", ledger_q),
            f"https://sqs.{a.region}.amazonaws.com/{a.account}/{ledger_q}",
        ],
        "actions": ["rollback"],
        "chain": [ledger_q, "ledger-poster", dlq],
    }
    return a.bundle(
        title=TITLE,
        start=start,
        now=now,
        question=question,
        timezone=ZONE,
        alarm_event=event,
        truth=truth,
    )


def _sns_policy(queue_arn: str, topic_arn: str) -> str:
    return (
        '{"Version":"2012-10-17","Statement":[{"Sid":"sns","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},'
        f'"Action":"sqs:SendMessage","Resource":"{queue_arn}","Condition":{{"ArnEquals":{{"aws:SourceArn":"{topic_arn}"}}}}}}]}}'
    )
