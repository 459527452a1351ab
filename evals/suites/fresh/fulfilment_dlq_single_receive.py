"""Fulfilment orders queue: maxReceiveCount lowered to 1, so every transient WMS failure dead-letters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_s import (
    TERRAFORM_UA,
    Alarm,
    Ctx,
    aws_service,
    ci_role,
    ct,
    diurnal,
    iso,
    lambda_fn,
    log_group,
    report_line,
    routine_reads,
    sso_user,
)

NAME = "fulfilment-dlq-single-receive"
TITLE = "Orders piling up in the fulfilment dead-letter queue"
SUMMARY = (
    "A Terraform apply set the fulfilment-orders queue's RedrivePolicy maxReceiveCount from 5 to 1; the "
    "worker's usual transient WMS 503s now dead-letter orders instead of being retried."
)

REGION = "eu-west-1"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, REGION)
    rng = ctx.rng
    acct = ctx.account
    day = datetime(2026, 9, 7, tzinfo=UTC) + timedelta(days=rng.randint(0, 60))
    apply_t = day + timedelta(
        hours=rng.randint(9, 14), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
    )
    onset = apply_t + timedelta(seconds=rng.randint(20, 50))
    start = apply_t.replace(minute=0, second=0) - timedelta(hours=4)
    base_created = start - timedelta(days=rng.randint(300, 700))

    q = "fulfilment-orders"
    dlq = "fulfilment-orders-dlq"
    rq = "fulfilment-returns"
    rdlq = "fulfilment-returns-dlq"
    worker = "fulfilment-worker"
    mailer = "order-confirmation-mailer"
    topic = "orders-placed"
    qurl = lambda n: f"https://sqs.{REGION}.amazonaws.com/{acct}/{n}"  # noqa: E731
    qarn = lambda n: ctx.arn("sqs", n)  # noqa: E731
    ci = ci_role(
        ctx,
        "terraform-apply-fulfilment",
        "atlantis-" + ctx.hex(8),
        TERRAFORM_UA.format(api="sqs", ver="1.34.3"),
    )
    ci_app = ci_role(
        ctx,
        "gha-deploy-notifications",
        "GitHubActions",
        "aws-sdk-js/3.654.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.654.0",
    )
    human = sso_user(ctx, rng.choice(["ewan.murphy", "aoife.byrne", "jonas.berg"]) + "@parcelnest.io")
    human2 = sso_user(ctx, rng.choice(["kate.nolan", "dev.patel"]) + "@parcelnest.io", "ReadOnlyAccess")
    lam_svc = aws_service(ctx, "lambda.amazonaws.com")
    detector_ended = onset + timedelta(minutes=rng.randint(24, 34))
    now = detector_ended + timedelta(minutes=rng.randint(8, 14))

    # --- traffic and failure model -------------------------------------------------------------------
    off = 1.0 if day < datetime(2026, 10, 25, 1, tzinfo=UTC) else 0.0
    scale = rng.uniform(30, 55)
    fail_p = rng.uniform(0.025, 0.045)
    orders: dict[datetime, int] = {}
    fails: dict[datetime, int] = {}
    t = start
    while t < now:
        n = max(1, round(ctx.noise(scale, 0.12) * diurnal(t, off, 13.0, 0.45)))
        orders[t] = n
        # the WMS has short 503 bursts now and then on top of a steady trickle
        p = fail_p * (rng.uniform(2.5, 4.0) if rng.random() < 0.06 else 1.0)
        fails[t] = sum(1 for _ in range(n) if rng.random() < p)
        t += timedelta(minutes=1)
    broken = lambda t: t >= onset.replace(second=0) + timedelta(minutes=1)  # noqa: E731

    # messages that failed on first delivery are retried one visibility timeout (60s) later
    dlq_depth: dict[datetime, float] = {}
    depth = 0
    for t in sorted(orders):
        prev = t - timedelta(minutes=1)
        if prev in fails and broken(t):
            depth += fails[prev]
        dlq_depth[t] = float(depth)

    qd = {"QueueName": q}
    dd = {"QueueName": dlq}
    sqs = "AWS/SQS"
    ctx.series(sqs, "NumberOfMessagesSent", qd, "Count", start, now, lambda t: float(orders[t]))
    ctx.series(
        sqs,
        "NumberOfMessagesReceived",
        qd,
        "Count",
        start,
        now,
        lambda t: float(orders[t] + fails.get(t - timedelta(minutes=1), 0)),
    )
    ctx.series(
        sqs,
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        start,
        now,
        lambda t: float(orders[t] - fails[t] + (0 if broken(t) else fails.get(t - timedelta(minutes=1), 0))),
    )
    ctx.series(
        sqs,
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        start,
        now,
        lambda t: float(rng.choice([0, 0, 0, 1, 2])),
    )
    ctx.series(
        sqs,
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        start,
        now,
        lambda t: float(fails[t] + rng.randint(0, 6)),
    )
    ctx.series(
        sqs,
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        start,
        now,
        lambda t: float(
            rng.randint(60, 75)
            if fails.get(t - timedelta(minutes=1)) and not broken(t)
            else rng.randint(0, 4)
        ),
    )
    ctx.series(sqs, "NumberOfEmptyReceives", qd, "Count", start, now, lambda t: float(rng.randint(280, 330)))
    ctx.series(sqs, "NumberOfMessagesSent", dd, "Count", start, now, lambda t: 0.0)
    ctx.series(sqs, "NumberOfMessagesReceived", dd, "Count", start, now, lambda t: 0.0)
    ctx.series(sqs, "NumberOfMessagesDeleted", dd, "Count", start, now, lambda t: 0.0)
    dlq_vis = ctx.series(
        sqs, "ApproximateNumberOfMessagesVisible", dd, "Count", start, now, lambda t: dlq_depth[t]
    )
    ctx.series(sqs, "ApproximateNumberOfMessagesNotVisible", dd, "Count", start, now, lambda t: 0.0)
    ctx.series(
        sqs,
        "ApproximateAgeOfOldestMessage",
        dd,
        "Seconds",
        start,
        now,
        lambda t: float((t - onset).total_seconds() + 20) if dlq_depth[t] > 0 else 0.0,
    )
    # the returns queue: light, steady
    rd = {"QueueName": rq}
    ctx.series(sqs, "NumberOfMessagesSent", rd, "Count", start, now, lambda t: float(rng.randint(0, 4)))
    ctx.series(sqs, "ApproximateNumberOfMessagesVisible", rd, "Count", start, now, lambda t: 0.0)
    ctx.series(
        sqs, "ApproximateNumberOfMessagesVisible", {"QueueName": rdlq}, "Count", start, now, lambda t: 2.0
    )
    ctx.series(
        sqs, "ApproximateAgeOfOldestMessage", rd, "Seconds", start, now, lambda t: float(rng.randint(0, 3))
    )
    # worker
    wd = {"FunctionName": worker}
    batches = {t: max(1, (orders[t] + 4) // 5) for t in orders}
    ctx.series("AWS/Lambda", "Invocations", wd, "Count", start, now, lambda t: float(batches[t]))
    ctx.series("AWS/Lambda", "Errors", wd, "Count", start, now, lambda t: 0.0)
    ctx.series("AWS/Lambda", "Throttles", wd, "Count", start, now, lambda t: 0.0)
    ctx.series("AWS/Lambda", "Duration", wd, "Milliseconds", start, now, lambda t: ctx.noise(820.0, 0.15))
    ctx.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        wd,
        "Count",
        start,
        now,
        lambda t: float(max(1, min(10, batches[t] // 6 + rng.randint(0, 2)))),
    )
    md = {"FunctionName": mailer}
    ctx.series("AWS/Lambda", "Invocations", md, "Count", start, now, lambda t: float(orders[t]))
    ctx.series("AWS/Lambda", "Errors", md, "Count", start, now, lambda t: 0.0)
    ctx.series("AWS/Lambda", "Duration", md, "Milliseconds", start, now, lambda t: ctx.noise(240.0, 0.2))
    td = {"TopicName": topic}
    ctx.series("AWS/SNS", "NumberOfMessagesPublished", td, "Count", start, now, lambda t: float(orders[t]))
    ctx.series(
        "AWS/SNS", "NumberOfNotificationsDelivered", td, "Count", start, now, lambda t: float(orders[t] * 2)
    )
    ctx.series("AWS/SNS", "NumberOfNotificationsFailed", td, "Count", start, now, lambda t: 0.0)

    # --- alarms --------------------------------------------------------------------------------------
    oncall = ctx.arn("sns", "fulfilment-pager")
    a_dlq = Alarm(
        ctx,
        "fulfilment-orders-dlq-not-empty",
        "Messages in fulfilment-orders-dlq - orders not sent to WMS",
        sqs,
        "ApproximateNumberOfMessagesVisible",
        dd,
        "Maximum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        actions=[oncall],
        created=base_created + timedelta(days=20),
    )
    a_dlq.evaluate(dlq_vis, start, now)
    a_dlq.publish()
    age_vals = {
        datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")): m["value"]
        for m in ctx.metrics
        if m["metric"] == "ApproximateAgeOfOldestMessage" and m["dimensions"] == qd
    }
    a_age = Alarm(
        ctx,
        "fulfilment-orders-age",
        "Oldest message in fulfilment-orders over 15 minutes",
        sqs,
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        2,
        900,
        "GreaterThanThreshold",
        actions=[oncall],
        created=base_created + timedelta(days=20),
    )
    a_age.evaluate(age_vals, start, now)
    a_age.publish()
    err_vals = {
        datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")): m["value"]
        for m in ctx.metrics
        if m["metric"] == "Errors" and m["dimensions"] == wd
    }
    a_err = Alarm(
        ctx,
        "fulfilment-worker-errors",
        "fulfilment-worker invocation errors",
        "AWS/Lambda",
        "Errors",
        wd,
        "Sum",
        300,
        1,
        5,
        "GreaterThanOrEqualToThreshold",
        missing="notBreaching",
        actions=[oncall],
        created=base_created + timedelta(days=21),
    )
    a_err.evaluate(err_vals, start, now)
    a_err.publish()
    rdlq_vals = {
        datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")): m["value"]
        for m in ctx.metrics
        if m["metric"] == "ApproximateNumberOfMessagesVisible" and m["dimensions"] == {"QueueName": rdlq}
    }
    a_r = Alarm(
        ctx,
        "fulfilment-returns-dlq-not-empty",
        "Messages in fulfilment-returns-dlq",
        sqs,
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": rdlq},
        "Maximum",
        300,
        1,
        5,
        "GreaterThanThreshold",
        actions=[oncall],
        created=base_created + timedelta(days=60),
    )
    a_r.evaluate(rdlq_vals, start, now)
    a_r.publish()

    # --- resources -----------------------------------------------------------------------------------
    def queue(name: str, vis: int, redrive: str | None, created: datetime, modified: datetime) -> None:
        attrs = {
            "QueueArn": qarn(name),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(modified.timestamp())),
            "VisibilityTimeout": str(vis),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600" if redrive else "1209600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20" if redrive else "0",
            "SqsManagedSseEnabled": "true",
        }
        if redrive:
            attrs["RedrivePolicy"] = redrive
        if name == q:
            attrs["Policy"] = json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "orders-placed",
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": qarn(name),
                            "Condition": {"ArnEquals": {"aws:SourceArn": ctx.arn("sns", topic)}},
                        }
                    ],
                },
                separators=(",", ":"),
            )
        if name == dlq:
            attrs["ApproximateNumberOfMessages"] = str(int(dlq_depth[max(dlq_depth)]))
            attrs["RedriveAllowPolicy"] = '{"redrivePermission":"allowAll"}'
        if name == rdlq:
            attrs["ApproximateNumberOfMessages"] = "2"
        ctx.resource(
            "sqs",
            "Queue",
            {
                "QueueUrl": qurl(name),
                "Attributes": attrs,
                "Tags": {
                    "service": "fulfilment",
                    "owner": "warehouse-integrations",
                    "managed-by": "terraform",
                },
            },
        )

    queue(
        q,
        60,
        json.dumps({"deadLetterTargetArn": qarn(dlq), "maxReceiveCount": 1}, separators=(",", ":")),
        base_created,
        apply_t,
    )
    queue(dlq, 30, None, base_created, base_created + timedelta(days=3))
    queue(
        rq,
        120,
        json.dumps({"deadLetterTargetArn": qarn(rdlq), "maxReceiveCount": 5}, separators=(",", ":")),
        base_created + timedelta(days=40),
        apply_t + timedelta(seconds=2),
    )
    queue(rdlq, 30, None, base_created + timedelta(days=40), base_created + timedelta(days=40))
    vpc = f"vpc-0{ctx.hex(16)}"
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        lambda_fn(
            ctx,
            worker,
            runtime="python3.12",
            handler="fulfilment.worker.handler",
            role="fulfilment-worker-exec",
            modified=start - timedelta(days=rng.randint(2, 9)),
            memory=512,
            timeout=30,
            env={
                "WMS_BASE_URL": "https://api.wms.parcelnest.io/v2",
                "POWERTOOLS_SERVICE_NAME": "fulfilment-worker",
                "LOG_LEVEL": "INFO",
                "WMS_TIMEOUT_SECONDS": "8",
            },
            vpc=([f"subnet-0{ctx.hex(16)}", f"subnet-0{ctx.hex(16)}"], [f"sg-0{ctx.hex(16)}"], vpc),
            description="Forwards placed orders to the warehouse management system",
        ),
    )
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        lambda_fn(
            ctx,
            mailer,
            runtime="nodejs20.x",
            handler="index.handler",
            role="order-confirmation-mailer-exec",
            modified=onset + timedelta(minutes=rng.randint(9, 16)),
            memory=256,
            timeout=20,
            env={"SES_CONFIGURATION_SET": "transactional", "FROM_ADDRESS": "orders@parcelnest.io"},
            description="Sends order confirmation emails",
        ),
    )
    esm_uuid = ctx.uuid()
    ctx.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 1,
            "EventSourceArn": qarn(q),
            "FunctionArn": ctx.arn("lambda", f"function:{worker}"),
            "LastModified": iso(base_created + timedelta(days=100)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 10},
            "EventSourceMappingArn": ctx.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    ctx.resource(
        "sns",
        "Topic",
        {
            "TopicArn": ctx.arn("sns", topic),
            "Attributes": {
                "TopicArn": ctx.arn("sns", topic),
                "DisplayName": "",
                "Owner": acct,
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,'
                '"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":'
                '"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; '
                'charset=UTF-8"}}}',
            },
        },
    )
    for proto, endpoint in (("sqs", qarn(q)), ("lambda", ctx.arn("lambda", f"function:{mailer}"))):
        sub = ctx.arn("sns", f"{topic}:{ctx.uuid()}")
        ctx.resource(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": sub,
                "TopicArn": ctx.arn("sns", topic),
                "Protocol": proto,
                "Endpoint": endpoint,
                "Owner": acct,
                "Attributes": {
                    "RawMessageDelivery": "true" if proto == "sqs" else "false",
                    "PendingConfirmation": "false",
                    "ConfirmationWasAuthenticated": "true",
                },
            },
        )
    for g in (worker, mailer):
        ctx.resource("logs", "LogGroup", log_group(ctx, f"/aws/lambda/{g}", base_created, 14))

    # --- logs ----------------------------------------------------------------------------------------
    grp = f"/aws/lambda/{worker}"
    streams = [f"{start:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}" for _ in range(3)]
    retry_queue: list[tuple[str, str, str]] = []
    t = start
    while t < now:
        n_fail = fails[t]
        # one or two sampled batches a minute in the log, plus every failure and its retry
        for b in range(rng.randint(1, 2)):
            ts = t + timedelta(seconds=rng.randint(0, 50), milliseconds=rng.randint(0, 999))
            if ts >= now:
                continue
            s = rng.choice(streams)
            rid = ctx.uuid()
            size = rng.randint(3, 10)
            failed = []
            if b == 0:
                failed = [(ctx.uuid(), f"PN-{rng.randint(1000000, 9999999)}") for _ in range(n_fail)]
            ctx.log(grp, s, ts, f"START RequestId: {rid} Version: $LATEST\n")
            stamp = lambda x: x.strftime("%Y-%m-%d %H:%M:%S,") + f"{x.microsecond // 1000:03d}+0000"  # noqa: E731
            retried = []
            if b == 0 and not broken(t):
                retried, retry_queue = retry_queue, []
            for mid, oid, _code in retried:
                ctx.log(
                    grp,
                    s,
                    ts + timedelta(milliseconds=300),
                    json.dumps(
                        {
                            "level": "INFO",
                            "location": "submit_order:88",
                            "message": "order accepted by WMS",
                            "timestamp": stamp(ts),
                            "service": "fulfilment-worker",
                            "order_id": oid,
                            "message_id": mid,
                            "approximate_receive_count": "2",
                            "wms_status": 201,
                            "function_request_id": rid,
                        }
                    )
                    + "\n",
                )
            if b == 0 and broken(t):
                retry_queue = []
            for mid, oid in failed:
                status = rng.choice([503, 503, 503, 502, 429])
                ctx.log(
                    grp,
                    s,
                    ts + timedelta(milliseconds=rng.randint(400, 8000)),
                    json.dumps(
                        {
                            "level": "WARNING",
                            "location": "submit_order:97",
                            "message": f"WMS returned {status}; reporting item failure for retry",
                            "timestamp": stamp(ts),
                            "service": "fulfilment-worker",
                            "order_id": oid,
                            "message_id": mid,
                            "approximate_receive_count": "1",
                            "function_request_id": rid,
                        }
                    )
                    + "\n",
                )
                retry_queue.append((mid, oid, str(status)))
            ctx.log(
                grp,
                s,
                ts + timedelta(milliseconds=900),
                json.dumps(
                    {
                        "level": "INFO",
                        "location": "handler:41",
                        "message": "batch processed",
                        "timestamp": stamp(ts),
                        "service": "fulfilment-worker",
                        "records": size,
                        "batch_item_failures": len(failed),
                        "function_request_id": rid,
                    }
                )
                + "\n",
            )
            if rng.random() < 0.015:
                ctx.log(
                    grp,
                    s,
                    ts + timedelta(milliseconds=950),
                    json.dumps(
                        {
                            "level": "WARNING",
                            "location": "address.normalise:203",
                            "message": "postcode failed validation, sent as provided",
                            "timestamp": stamp(ts),
                            "service": "fulfilment-worker",
                            "function_request_id": rid,
                        }
                    )
                    + "\n",
                )
            dur = rng.uniform(500, 1400) + 1000 * len(failed)
            ctx.log(grp, s, ts + timedelta(milliseconds=dur), f"END RequestId: {rid}\n")
            ctx.log(
                grp,
                s,
                ts + timedelta(milliseconds=dur),
                report_line(rid, dur, 512, rng.randint(96, 118)) + "\n",
            )
        t += timedelta(minutes=1)
    mg = f"/aws/lambda/{mailer}"
    ms_ = f"{start:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}"
    t = start
    while t < now:
        if rng.random() < 0.25:
            rid = ctx.uuid()
            ctx.log(mg, ms_, t, f"START RequestId: {rid} Version: $LATEST\n")
            ctx.log(
                mg,
                ms_,
                t + timedelta(milliseconds=180),
                f"{iso(t)[:-1]}.{rng.randint(100, 999)}Z\t{rid}\tINFO\tconfirmation sent "
                f"order=PN-{rng.randint(1000000, 9999999)} ses_message_id={ctx.hex(16)}-{ctx.uuid()}-000000\n",
            )
            ctx.log(mg, ms_, t + timedelta(milliseconds=230), f"END RequestId: {rid}\n")
            ctx.log(
                mg,
                ms_,
                t + timedelta(milliseconds=230),
                report_line(rid, rng.uniform(150, 320), 256, 88) + "\n",
            )
        t += timedelta(minutes=1)

    # --- CloudTrail --------------------------------------------------------------------------------
    reads = [
        (human2, "sqs.amazonaws.com", "ListQueues", {"queueNamePrefix": "fulfilment"}),
        (human2, "lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": worker}),
        (human, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "fulfilment"}),
        (human, "logs.amazonaws.com", "FilterLogEvents", {"logGroupName": f"/aws/lambda/{worker}"}),
        (ci_app, "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": mailer}),
        (human2, "sns.amazonaws.com", "ListSubscriptionsByTopic", {"topicArn": ctx.arn("sns", topic)}),
    ]
    routine_reads(ctx, start, now, reads, rng.randint(22, 28))
    # Terraform plan/apply: refreshes, then changes two queues and tags the DLQ
    for i, name in enumerate((q, dlq, rq, rdlq)):
        ct(
            ctx,
            apply_t - timedelta(seconds=rng.randint(60, 90) - i),
            ci,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": qurl(name), "attributeNames": ["All"]},
            None,
            read_only=True,
        )
        ct(
            ctx,
            apply_t - timedelta(seconds=rng.randint(50, 58) - i),
            ci,
            "sqs.amazonaws.com",
            "ListQueueTags",
            {"queueUrl": qurl(name)},
            None,
            read_only=True,
        )
    culprit = ct(
        ctx,
        apply_t,
        ci,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": qurl(q),
            "attributes": {
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": qarn(dlq), "maxReceiveCount": 1}, separators=(",", ":")
                )
            },
        },
        None,
    )
    ct(
        ctx,
        apply_t + timedelta(seconds=2),
        ci,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": qurl(rq), "attributes": {"VisibilityTimeout": "120"}},
        None,
    )
    ct(
        ctx,
        apply_t + timedelta(seconds=3),
        ci,
        "sqs.amazonaws.com",
        "TagQueue",
        {"queueUrl": qurl(dlq), "tags": {"managed-by": "terraform"}},
        None,
    )
    for name in (q, rq):
        ct(
            ctx,
            apply_t + timedelta(seconds=5),
            ci,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": qurl(name), "attributeNames": ["All"]},
            None,
            read_only=True,
        )
    t_m = onset + timedelta(minutes=rng.randint(9, 16))
    ct(
        ctx,
        t_m,
        ci_app,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": mailer, "publish": True, "dryRun": False},
        {
            "functionName": mailer,
            "functionArn": ctx.arn("lambda", f"function:{mailer}"),
            "runtime": "nodejs20.x",
            "handler": "index.handler",
            "codeSize": rng.randint(200000, 900000),
            "version": str(rng.randint(30, 80)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": ctx.uuid(),
        },
    )
    ct(
        ctx,
        apply_t - timedelta(minutes=rng.randint(14, 22)),
        human,
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "fulfilment-overview"},
        {"dashboardValidationMessages": []},
    )
    for _ in range(rng.randint(4, 7)):
        t = start + timedelta(seconds=rng.randint(0, int((now - start).total_seconds())))
        ct(
            ctx,
            t,
            lam_svc,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{acct}:role/fulfilment-worker-exec", "roleSessionName": worker},
            None,
            read_only=True,
            extra={"sharedEventID": ctx.uuid()},
        )

    event = a_dlq.event()
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": "The fulfilment DLQ alarm just paged. The worker Lambda shows no errors and the WMS status "
                "page is green - why are orders ending up in the DLQ?",
                "alarm_event": event,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": qurl(q),
                    "category": "change",
                    "failure_mode": "redrive-max-receive-count-1",
                    "event_id": culprit,
                },
                "also_accept": [q, qarn(q)],
                "actions": ["rollback"],
                "chain": [
                    f"SetQueueAttributes set {q}'s RedrivePolicy maxReceiveCount to 1",
                    f"messages {worker} reports as item failures after a transient WMS 503 are no longer retried",
                    f"on their second receive SQS moves them to {dlq}",
                    f"{dlq} depth grows and fulfilment-orders-dlq-not-empty alarms; those orders never reach the WMS",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
