"""reprice-tasks oldest-message age page on a Monday morning (Fernhill Outdoor)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zi import (
    BOTO_UA,
    CLI_UA,
    CONSOLE_UA,
    DD_UA,
    GHA_UA,
    TF_UA,
    AlarmSpec,
    Ctx,
    Json,
    Principal,
    account_id,
    aggregate,
    background_reads,
    evaluate_alarm,
    grid,
    iso,
    lognormal_ms,
    noisy,
    ok_alarm,
    poisson,
    role_session,
    sso_user,
    trail,
)

NAME = "fernhill-reprice-queue-age-page"
TITLE = "reprice-tasks oldest-message age alarm paged on Monday morning"
SUMMARY = "The weekly repricing batch fills reprice-tasks every Monday and the age alarm fires; the workers drain it at their usual rate"

TZ = ZoneInfo("Europe/Dublin")
QUEUE = "reprice-tasks"
DLQ = "reprice-tasks-dlq"
WORKER = "reprice-worker"
ENQUEUER = "reprice-enqueue"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    monday = datetime(2024, 4, 1, tzinfo=UTC) + timedelta(weeks=rng.randrange(0, 26))
    prev = monday - timedelta(days=7)
    start = prev.replace(hour=4)
    run_at = monday.replace(hour=6)
    # this week's and last week's batch sizes; the workers' steady drain rate (messages/second)
    size = rng.randrange(1_420_000, 1_640_000)
    prev_size = int(size * rng.uniform(0.9, 0.95))
    rate = rng.uniform(238, 262)
    enqueue_s = rng.uniform(260, 330)
    drain_min = size / rate / 60
    now = run_at + timedelta(minutes=rng.randrange(int(drain_min * 0.6), int(drain_min * 0.78)))
    now = now.replace(second=0)
    ctx = Ctx(rng, account_id(rng), "us-east-1", start, now)

    # --- the queue over time ----------------------------------------------------------------------
    points = grid(ctx, monday.replace(hour=4))
    runs = [(prev.replace(hour=6), prev_size), (run_at, size)]
    age_pts: list[tuple[datetime, float]] = []
    backlog = 0.0
    oldest_sent: datetime | None = None
    day_offset = 1.0 if 3 < monday.month < 11 else 0.0
    for t, period in points:
        local_h = (t.hour + t.minute / 60 + day_offset) % 24
        business = 1.0 if 8 <= local_h < 18 and t.weekday() < 5 else 0.004
        sent = float(
            poisson(rng, 0.35 * business * period)
        )  # price changes from merchandisers during the day
        for r_at, r_size in runs:
            r_end = r_at + timedelta(seconds=enqueue_s)
            lo, hi = max(t, r_at), min(t + timedelta(seconds=period), r_end)
            if hi > lo:
                sent += r_size * (hi - lo).total_seconds() / enqueue_s
                if oldest_sent is None or backlog <= 1:
                    oldest_sent = r_at
        in_q = backlog + sent
        capacity = noisy(rng, rate, 0.03) * period if in_q > 500 else in_q
        deleted = min(in_q, capacity)
        backlog = in_q - deleted
        if backlog <= 1:
            oldest_age = rng.uniform(0, 4) if sent else 0.0
            oldest_sent = None
        else:
            oldest_age = (t + timedelta(seconds=period) - oldest_sent).total_seconds() if oldest_sent else 5.0
            oldest_age = max(0.0, oldest_age * rng.uniform(0.985, 1.0))
        age_pts.append((t, oldest_age))
        q_d = {"QueueName": QUEUE}
        inflight = min(400, 40 * 10) if backlog > 500 else (rng.randrange(0, 3) if sent else 0)
        ctx.datum("AWS/SQS", "NumberOfMessagesSent", q_d, t, int(sent), "Count")
        ctx.datum("AWS/SQS", "NumberOfMessagesDeleted", q_d, t, int(deleted), "Count")
        ctx.datum(
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", q_d, t, int(max(0, backlog - inflight)), "Count"
        )
        ctx.datum("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", q_d, t, inflight, "Count")
        ctx.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", q_d, t, int(oldest_age), "Seconds")
        ctx.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": DLQ}, t, 0, "Count")
        # worker Lambda: only published when it runs
        batches = deleted / 10 if deleted > 50 else float(int(deleted))
        if batches >= 1:
            f_d = {"FunctionName": WORKER}
            big = deleted > 500
            med = 1380.0 if big else 240.0
            samples = [lognormal_ms(rng, med, 0.22) for _ in range(min(int(batches), 200))]
            ctx.datum("AWS/Lambda", "Invocations", f_d, t, int(batches), "Count")
            ctx.datum("AWS/Lambda", "Errors", f_d, t, 0, "Count")
            ctx.datum("AWS/Lambda", "Throttles", f_d, t, 0, "Count")
            ctx.dist("AWS/Lambda", "Duration", f_d, t, samples)
            ctx.datum(
                "AWS/Lambda",
                "ConcurrentExecutions",
                f_d,
                t,
                rng.randrange(38, 41) if big else rng.randrange(1, 3),
                "Count",
            )
            ctx.datum(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                {"TableName": "price-book"},
                t,
                int(deleted * 0.34),
                "Count",
            )
            ctx.datum(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                {"TableName": "price-book"},
                t,
                int(deleted * 1.5),
                "Count",
            )
        for r_at, _size in runs:
            if r_at <= t < r_at + timedelta(seconds=enqueue_s + 60):
                e_d = {"FunctionName": ENQUEUER}
                if t < r_at + timedelta(seconds=period):
                    ctx.datum("AWS/Lambda", "Invocations", e_d, t, 1, "Count")
                    ctx.datum("AWS/Lambda", "Errors", e_d, t, 0, "Count")
                    ctx.datum("AWS/Lambda", "ConcurrentExecutions", e_d, t, 1, "Count")
                if r_at + timedelta(seconds=enqueue_s) < t + timedelta(seconds=period) or period == 300:
                    ctx.dist("AWS/Lambda", "Duration", e_d, t, [enqueue_s * 1000 + rng.uniform(100, 900)])

    # --- resources -------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randrange(200, 500))
    q_arn = ctx.arn("sqs", QUEUE)
    dlq_arn = ctx.arn("sqs", DLQ)
    for name, arn, attrs in (
        (
            QUEUE,
            q_arn,
            {
                "VisibilityTimeout": "180",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
            },
        ),
        (
            DLQ,
            dlq_arn,
            {
                "VisibilityTimeout": "30",
                "RedriveAllowPolicy": json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [q_arn]}
                ),
            },
        ),
    ):
        ctx.resource(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{ctx.account}/{name}",
                "Attributes": {
                    "QueueArn": arn,
                    "ApproximateNumberOfMessages": "0",
                    "MessageRetentionPeriod": "1209600" if name == DLQ else "345600",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "MaximumMessageSize": "262144",
                    "DelaySeconds": "0",
                    "SqsManagedSseEnabled": "true",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int((created + timedelta(days=30)).timestamp())),
                    **attrs,
                },
                "Tags": {"team": "pricing", "service": "repricing"},
            },
        )
    worker_arn = ctx.arn("lambda", f"function:{WORKER}")
    for fn, handler, timeout, mem, env in (
        (
            WORKER,
            "reprice.worker.handler",
            60,
            1024,
            {"PRICE_TABLE": "price-book", "COMPETITOR_FEED_BUCKET": "fernhill-competitor-feeds"},
        ),
        (
            ENQUEUER,
            "reprice.enqueue.handler",
            900,
            2048,
            {
                "QUEUE_URL": f"https://sqs.us-east-1.amazonaws.com/{ctx.account}/{QUEUE}",
                "CATALOG_EXPORT_BUCKET": "fernhill-catalog-exports",
            },
        ),
    ):
        ctx.resource(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": ctx.arn("lambda", f"function:{fn}"),
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{ctx.account}:role/{fn}",
                "Handler": handler,
                "CodeSize": rng.randrange(4_000_000, 9_000_000),
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": (start - timedelta(days=rng.randrange(9, 60))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "CodeSha256": ctx.hex(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": env},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": ctx.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
            },
        )
    ctx.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": ctx.uuid(),
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": q_arn,
            "FunctionArn": worker_arn,
            "LastModified": iso(created + timedelta(days=40)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 40},
        },
    )
    ctx.resource(
        "events",
        "DescribeRuleResponse",
        {
            "Name": "weekly-reprice",
            "Arn": ctx.arn("events", "rule/weekly-reprice"),
            "ScheduleExpression": "cron(0 6 ? * MON *)",
            "State": "ENABLED",
            "Description": "Full catalogue repricing against competitor feeds, Mondays 06:00 UTC",
            "EventBusName": "default",
            "CreatedBy": ctx.account,
        },
    )
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "price-book",
            "TableStatus": "ACTIVE",
            "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "sku", "AttributeType": "S"}],
            "CreationDateTime": iso(created - timedelta(days=100)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "TableArn": ctx.arn("dynamodb", "table/price-book"),
            "TableId": ctx.uuid(),
            "ItemCount": size + rng.randrange(1000, 20000),
            "TableSizeBytes": rng.randrange(600_000_000, 900_000_000),
        },
    )
    cluster = "fernhill-web"
    sf_rev = rng.randrange(300, 600)
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": ctx.arn("ecs", f"service/{cluster}/storefront-web"),
            "serviceName": "storefront-web",
            "clusterArn": ctx.arn("ecs", f"cluster/{cluster}"),
            "status": "ACTIVE",
            "desiredCount": 6,
            "runningCount": 6,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "taskDefinition": ctx.arn("ecs", f"task-definition/storefront-web:{sf_rev + 1}"),
            "createdAt": iso(created),
            "schedulingStrategy": "REPLICA",
        },
    )
    for lg in (f"/aws/lambda/{WORKER}", f"/aws/lambda/{ENQUEUER}"):
        ctx.resource(
            "logs",
            "LogGroup",
            {
                "logGroupName": lg,
                "creationTime": int(created.timestamp() * 1000),
                "metricFilterCount": 0,
                "arn": ctx.arn("logs", f"log-group:{lg}:*"),
                "storedBytes": rng.randrange(10**8, 10**9),
                **({"retentionInDays": 14} if lg.endswith(WORKER) else {}),
            },
        )

    # --- alarms ----------------------------------------------------------------------------------
    topic = ctx.arn("sns", "pricing-oncall")
    spec = AlarmSpec(
        "reprice-tasks-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": QUEUE},
        "Maximum",
        300,
        3,
        3,
        3600.0,
        "GreaterThanThreshold",
        "notBreaching",
        "Oldest message in reprice-tasks older than 1h",
        [topic],
    )
    evaluate_alarm(ctx, spec, aggregate(age_pts, 300, "Maximum"), start)
    ok_alarm(
        ctx,
        AlarmSpec(
            "reprice-tasks-dlq-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": DLQ},
            "Maximum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        0.0,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "reprice-worker-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": WORKER},
            "Sum",
            300,
            2,
            2,
            20.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[topic],
        ),
        0.0,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "reprice-enqueue-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": ENQUEUER},
            "Sum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[topic],
        ),
        0.0,
    )

    # --- logs ------------------------------------------------------------------------------------
    for r_at, r_size in runs:
        lg = f"/aws/lambda/{ENQUEUER}"
        stream = f"{r_at.strftime('%Y/%m/%d')}/[$LATEST]{ctx.hex(32)}"
        rid = ctx.uuid()
        ctx.log(
            lg,
            stream,
            r_at + timedelta(milliseconds=rng.randrange(300, 900)),
            f"START RequestId: {rid} Version: $LATEST",
        )
        t = r_at + timedelta(seconds=2)
        ctx.log(
            lg,
            stream,
            t,
            f"[INFO]\t{t.strftime('%Y-%m-%dT%H:%M:%S')}.{rng.randrange(1000):03d}Z\t{rid}\tcatalog export s3://fernhill-catalog-exports/weekly/{r_at.strftime('%Y-%m-%d')}/skus.parquet: {r_size} active SKUs",
        )
        for k in range(1, 5):
            tt = r_at + timedelta(seconds=enqueue_s * k / 5)
            ctx.log(
                lg,
                stream,
                tt,
                f"[INFO]\t{tt.strftime('%Y-%m-%dT%H:%M:%S')}.{rng.randrange(1000):03d}Z\t{rid}\tenqueued {int(r_size * k / 5)}/{r_size}",
            )
        end = r_at + timedelta(seconds=enqueue_s)
        ctx.log(
            lg,
            stream,
            end,
            f"[INFO]\t{end.strftime('%Y-%m-%dT%H:%M:%S')}.{rng.randrange(1000):03d}Z\t{rid}\tenqueued {r_size} SKUs in {-(-r_size // 10)} SendMessageBatch calls",
        )
        ctx.log(lg, stream, end, f"END RequestId: {rid}")
        ctx.log(
            lg,
            stream,
            end,
            f"REPORT RequestId: {rid}\tDuration: {enqueue_s * 1000 + 512:.2f} ms\tBilled Duration: {int(enqueue_s * 1000) + 513} ms\tMemory Size: 2048 MB\tMax Memory Used: {rng.randrange(900, 1300)} MB",
        )
    lg = f"/aws/lambda/{WORKER}"
    streams = [f"{monday.strftime('%Y/%m/%d')}/[$LATEST]{ctx.hex(32)}" for _ in range(6)]
    prev_streams = [f"{prev.strftime('%Y/%m/%d')}/[$LATEST]{ctx.hex(32)}" for _ in range(4)]
    for r_at, r_size in runs:
        end_at = r_at + timedelta(seconds=r_size / rate + enqueue_s * 0.2)
        t = r_at + timedelta(seconds=rng.uniform(1, 4))
        pool = streams if r_at == run_at else prev_streams
        while t < min(end_at, now):
            t += timedelta(seconds=rng.uniform(15, 40))
            rid = ctx.uuid()
            stream = pool[rng.randrange(len(pool))]
            dur = lognormal_ms(rng, 1380, 0.22)
            ctx.log(lg, stream, t, f"START RequestId: {rid} Version: $LATEST")
            m = t + timedelta(milliseconds=int(dur) - 3)
            changed = rng.randrange(0, 6)
            ctx.log(
                lg,
                stream,
                m,
                f"[INFO]\t{m.strftime('%Y-%m-%dT%H:%M:%S')}.{rng.randrange(1000):03d}Z\t{rid}\trepriced 10 SKUs: {changed} changed, {10 - changed} unchanged",
            )
            if rng.random() < 0.04:
                ctx.log(
                    lg,
                    stream,
                    m,
                    f"[WARNING]\t{m.strftime('%Y-%m-%dT%H:%M:%S')}.{rng.randrange(1000):03d}Z\t{rid}\tcompetitor feed for SKU FH-{rng.randrange(10000, 99999)}-{rng.choice(['BLK', 'NVY', 'OLV', 'RED'])} older than 7 days, keeping current price",
                )
            ctx.log(lg, stream, t + timedelta(milliseconds=int(dur)), f"END RequestId: {rid}")
            ctx.log(
                lg,
                stream,
                t + timedelta(milliseconds=int(dur)),
                f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 1024 MB\tMax Memory Used: {rng.randrange(160, 210)} MB",
            )

    # --- CloudTrail ------------------------------------------------------------------------------
    pricing = sso_user(
        ctx,
        "aoife.gallagher@fernhilloutdoor.com",
        "PricingEngineer",
        "89.101.33." + str(rng.randrange(2, 250)),
        CONSOLE_UA,
    )
    sre = sso_user(
        ctx,
        "marcus.bell@fernhilloutdoor.com",
        "PlatformEngineer",
        "86.44.210." + str(rng.randrange(2, 250)),
        CLI_UA,
    )
    gha = role_session(
        ctx,
        "fernhill-gha-deploy",
        "GitHubActions",
        "20.42.16." + str(rng.randrange(2, 250)),
        GHA_UA,
        web_identity=True,
    )
    tf = role_session(ctx, "fernhill-terraform", "atlantis", "52.23.190." + str(rng.randrange(2, 250)), TF_UA)
    dd = role_session(
        ctx,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        "3.233.146." + str(rng.randrange(2, 250)),
        DD_UA,
    )
    enq = role_session(ctx, ENQUEUER, ENQUEUER, "44.197.12." + str(rng.randrange(2, 250)), BOTO_UA)
    reads: list[tuple[Principal, list[tuple[str, str, Json]]]] = [
        (
            dd,
            [
                ("sqs.amazonaws.com", "ListQueues", {}),
                ("lambda.amazonaws.com", "ListFunctions20150331", {}),
                ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "price-book"}),
                ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
            ],
        ),
        (
            tf,
            [
                (
                    "sqs.amazonaws.com",
                    "GetQueueAttributes",
                    {
                        "queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ctx.account}/{QUEUE}",
                        "attributeNames": ["All"],
                    },
                ),
                ("events.amazonaws.com", "DescribeRule", {"name": "weekly-reprice"}),
                ("lambda.amazonaws.com", "GetEventSourceMapping", {"uUID": ctx.uuid()}),
            ],
        ),
        (
            pricing,
            [
                ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "price-book"}),
                (
                    "s3.amazonaws.com",
                    "ListObjects",
                    {"bucketName": "fernhill-competitor-feeds", "prefix": "daily/"},
                ),
            ],
        ),
    ]
    background_reads(ctx, reads, rng.randrange(40, 55), start, now)
    for r_at, _r_size in runs:
        trail(
            ctx,
            r_at + timedelta(seconds=1),
            enq,
            "s3.amazonaws.com",
            "ListBuckets",
            {"Host": "s3.amazonaws.com"},
            None,
            read_only=True,
        )
    # routine writes across the week
    for d in range(1, 6):
        tt = prev + timedelta(days=d, hours=rng.uniform(8, 16))
        trail(
            ctx,
            tt,
            gha,
            "ecs.amazonaws.com",
            "UpdateService",
            {
                "cluster": cluster,
                "service": "storefront-web",
                "taskDefinition": f"storefront-web:{sf_rev - 6 + d}",
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceName": "storefront-web",
                    "desiredCount": 6,
                    "taskDefinition": ctx.arn("ecs", f"task-definition/storefront-web:{sf_rev - 6 + d}"),
                }
            },
        )
    trail(
        ctx,
        prev + timedelta(days=2, hours=rng.uniform(9, 15)),
        pricing,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": WORKER, "environment": {}},
        {
            "functionName": WORKER,
            "functionArn": worker_arn,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    trail(
        ctx,
        prev + timedelta(days=3, hours=rng.uniform(9, 15)),
        sre,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ctx.account}/{DLQ}",
            "attributes": {"MessageRetentionPeriod": "1209600"},
        },
        None,
    )
    alarm_at = next(
        (
            json.loads(h["HistoryData"])
            for h in reversed(ctx.alarm_history)
            if "to ALARM" in h["HistorySummary"]
        ),
        None,
    )
    onset = (
        datetime.fromisoformat(
            alarm_at["newState"]["stateReasonData"]["queryDate"].replace("+0000", "+00:00")
        )
        if alarm_at
        else run_at + timedelta(minutes=70)
    )
    deploy_at = onset - timedelta(minutes=rng.randrange(14, 26), seconds=rng.randrange(60))
    trail(
        ctx,
        deploy_at - timedelta(seconds=30),
        gha,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "storefront-web",
            "cpu": "1024",
            "memory": "2048",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": ctx.arn("ecs", f"task-definition/storefront-web:{sf_rev + 1}"),
                "family": "storefront-web",
                "revision": sf_rev + 1,
                "status": "ACTIVE",
            }
        },
    )
    trail(
        ctx,
        deploy_at,
        gha,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "storefront-web",
            "taskDefinition": f"storefront-web:{sf_rev + 1}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "storefront-web",
                "desiredCount": 6,
                "taskDefinition": ctx.arn("ecs", f"task-definition/storefront-web:{sf_rev + 1}"),
            }
        },
    )
    ret_at = onset - timedelta(minutes=rng.randrange(4, 11), seconds=rng.randrange(60))
    trail(
        ctx,
        ret_at,
        sre,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": f"/aws/lambda/{WORKER}", "retentionInDays": 14},
        None,
    )
    trail(
        ctx,
        onset + timedelta(minutes=rng.randrange(3, 9)),
        sre,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {"queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ctx.account}/{QUEUE}", "attributeNames": ["All"]},
        None,
        read_only=True,
    )

    page_local = onset.astimezone(TZ)
    visible = next(
        (
            m["value"]
            for m in reversed(ctx.metrics)
            if m["metric"] == "ApproximateNumberOfMessagesVisible" and m["dimensions"]["QueueName"] == QUEUE
        ),
        0,
    )
    question = (
        f"Got paged at {page_local.strftime('%H:%M')} for reprice-tasks-oldest-message-age. There are still about "
        f"{int(round(visible, -4)):,} messages in reprice-tasks. Is repricing stuck, and should I bump the worker's concurrency?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/Dublin"},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(manifest, ctx.bundle_records())
