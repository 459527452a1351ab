"""Bank-feed categoriser: the SQS event source mapping's batch size was raised in the morning."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zy as k

NAME = "bankfeed-categorise-dlq-evening"
TITLE = "Bank-feed transactions dead-lettering at the evening peak; categoriser errors alarm too"
SUMMARY = (
    "A morning UpdateEventSourceMapping raised the bankfeed queue's batch size to 100 with a 5 s window; "
    "at the evening peak batches fill, outlast the 30 s function timeout, retry whole and reach the DLQ."
)


def build(seed: int) -> Bundle:
    ctx = k.Ctx(NAME, seed, "eu-west-2")
    rng = ctx.rng
    day = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 70))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    off = 1.0  # BST
    start = day + timedelta(hours=5, minutes=30)
    change_at = day + timedelta(hours=9, minutes=rng.randint(2, 40), seconds=rng.randint(0, 59))
    fine_from = day + timedelta(hours=12, minutes=rng.randint(0, 20))
    pts = k.grid(start, fine_from, day + timedelta(hours=21))

    fn = "tallyroom-txn-categorise"
    puller = "tallyroom-feed-puller"
    q = "tallyroom-bankfeed-txns"
    dlq = "tallyroom-bankfeed-txns-dlq"
    rules = "tallyroom-categorisation-rules"
    ledger = "tallyroom-ledger-entries"
    ops_topic = k.topic(ctx, "tallyroom-oncall")
    peak = rng.uniform(44, 55)  # messages/s at the evening peak
    per_msg = rng.uniform(0.29, 0.33)  # seconds per record
    timeout = 30.0

    def rate(t: datetime) -> float:
        return peak * k.diurnal(t, off, 0.12) * (1 + rng.gauss(0, 0.04))

    # per-minute model ---------------------------------------------------------------------------
    backlog = 0.0
    dlq_depth = 0.0
    retry_pool: list[tuple[datetime, float, int]] = []
    model: dict[datetime, dict[str, float]] = {}
    for t, p in pts:
        arrivals = rate(t) * p
        big = t >= change_at
        batch = 10.0 if not big else min(100.0, max(4.0, rate(t) * 5.0 / 2.2))
        dur = batch * per_msg + rng.uniform(0.15, 0.5)
        due = [r for r in retry_pool if r[0] <= t]
        retry_pool = [r for r in retry_pool if r[0] > t]
        redelivered = sum(r[1] for r in due)
        work = arrivals + backlog + redelivered
        timed_out_frac = 0.0
        if big and dur > timeout - 1.5:
            timed_out_frac = min(0.97, (dur - (timeout - 1.5)) / 4.0 + 0.35)
        invocations = work / batch
        handled = work * rng.uniform(0.97, 0.995)
        failed = handled * timed_out_frac
        deleted = handled - failed
        backlog = max(0.0, work - handled)
        # failed messages come back after the 180 s visibility timeout; the third failure goes to the DLQ
        if failed > 0:
            for attempt_share, n in ((0.55, 1), (0.3, 2), (0.15, 3)):
                if n < 3:
                    retry_pool.append((t + timedelta(seconds=180 * n), failed * attempt_share * 0.9, n))
                else:
                    dlq_depth += failed * attempt_share * 0.35
        inflight = (handled / p) * min(dur, timeout) + sum(r[1] for r in retry_pool)
        model[t] = {
            "sent": arrivals,
            "received": handled,
            "deleted": deleted,
            "visible": backlog,
            "inflight": inflight,
            "age": min(dur, timeout)
            + rng.uniform(2, 9)
            + (180.0 * max((r[2] for r in retry_pool), default=0) + 40 if failed else 0),
            "dlq": dlq_depth,
            "inv": max(1.0, invocations),
            "errors": invocations * timed_out_frac,
            "dur": min(dur * 1000 * (1 - timed_out_frac) + timeout * 1000 * timed_out_frac, 30003.0),
            "dmax": min(30004.0, (dur + rng.uniform(0.5, 2.5)) * 1000) if batch >= 9 else dur * 1000 + 800,
            "conc": min(5 + (12 if timed_out_frac else 0), max(1.0, invocations / p * min(dur, timeout)) + 1),
            "dup": failed * rng.uniform(0.4, 0.6),
        }

    onset = next(t for t in model if model[t]["errors"] >= 1)
    now = onset + timedelta(minutes=rng.randint(38, 52))
    pts = [(t, p) for t, p in pts if t <= now]

    def ser(key: str) -> k.Series:
        return [(t, p, model[t][key]) for t, p in pts]

    qd = {"QueueName": q}
    k.emit(ctx, "AWS/SQS", "NumberOfMessagesSent", qd, "Count", ser("sent"), digits=0)
    k.emit(ctx, "AWS/SQS", "NumberOfMessagesReceived", qd, "Count", ser("received"), digits=0)
    k.emit(ctx, "AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", ser("deleted"), digits=0)
    k.emit(ctx, "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", ser("visible"), digits=0)
    k.emit(ctx, "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, "Count", ser("inflight"), digits=0)
    age = k.emit(ctx, "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", ser("age"), digits=0)
    dd = {"QueueName": dlq}
    dlq_series = k.emit(
        ctx, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, "Count", ser("dlq"), digits=0
    )
    k.emit(
        ctx,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dd,
        "Seconds",
        [(t, p, 0.0) for t, p in pts],
        digits=0,
    )
    k.emit(ctx, "AWS/SQS", "NumberOfMessagesSent", dd, "Count", [(t, p, 0.0) for t, p in pts], digits=0)
    fd = {"FunctionName": fn}
    inv = k.emit(ctx, "AWS/Lambda", "Invocations", fd, "Count", ser("inv"), digits=0)
    errs = k.emit(ctx, "AWS/Lambda", "Errors", fd, "Count", ser("errors"), digits=0)
    k.emit(ctx, "AWS/Lambda", "Duration", fd, "Milliseconds", ser("dur"))
    k.emit(ctx, "AWS/Lambda", "ConcurrentExecutions", fd, "Count", ser("conc"), digits=0)
    _ = inv
    # the feed puller: a scheduled Lambda every minute
    pd = {"FunctionName": puller}
    k.emit(ctx, "AWS/Lambda", "Invocations", pd, "Count", k.make(pts, lambda t, p: p / 60), digits=0)
    k.emit(ctx, "AWS/Lambda", "Errors", pd, "Count", k.make(pts, lambda t, p: 0.0), digits=0)
    k.emit(
        ctx,
        "AWS/Lambda",
        "Duration",
        pd,
        "Milliseconds",
        k.make(pts, lambda t, p: 4200 + 2600 * k.diurnal(t, off) + rng.gauss(0, 300)),
    )
    k.emit(ctx, "AWS/Lambda", "ConcurrentExecutions", pd, "Count", k.make(pts, lambda t, p: 1.0), digits=0)
    # DynamoDB
    rd = {"TableName": rules}
    k.emit(
        ctx,
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        rd,
        "Count",
        [(t, p, model[t]["received"] * 0.5 * (1 + rng.gauss(0, 0.03))) for t, p in pts],
        digits=1,
    )
    k.emit(
        ctx,
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": rules, "Operation": "Query"},
        "Milliseconds",
        k.make(pts, lambda t, p: 3.1 + rng.gauss(0, 0.35)),
    )
    ld = {"TableName": ledger}
    k.emit(
        ctx,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        ld,
        "Count",
        [(t, p, (model[t]["deleted"] + model[t]["dup"]) * 1.0 * (1 + rng.gauss(0, 0.03))) for t, p in pts],
        digits=1,
    )
    k.emit(
        ctx,
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": ledger, "Operation": "PutItem"},
        "Milliseconds",
        k.make(pts, lambda t, p: 5.4 + rng.gauss(0, 0.5)),
    )
    k.emit(
        ctx,
        "AWS/DynamoDB",
        "ConditionalCheckFailedRequests",
        ld,
        "Count",
        [(t, p, model[t]["dup"] + (rng.random() < 0.05)) for t, p in pts],
        skip_zero=True,
        digits=0,
    )

    # alarms --------------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(90, 300))
    dlq_alarm = k.alarm(
        ctx,
        name=f"{dlq}-not-empty",
        description="Messages in the bank-feed DLQ. Runbook: https://wiki.tallyroom.io/runbooks/bankfeed-dlq",
        ns="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims=dd,
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0.0,
        op="GreaterThanThreshold",
        series=dlq_series,
        eval_from=fine_from,
        now=now,
        created=created,
        topic_arn=ops_topic,
    )
    k.alarm(
        ctx,
        name=f"{fn}-errors",
        description="Categoriser Lambda errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims=fd,
        stat="Sum",
        period=300,
        evals=2,
        threshold=10.0,
        op="GreaterThanThreshold",
        series=errs,
        eval_from=fine_from,
        now=now,
        created=created + timedelta(days=3),
        topic_arn=ops_topic,
    )
    k.alarm(
        ctx,
        name=f"{q}-oldest-message-age",
        description="Bank-feed transactions waiting over 30 minutes",
        ns="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims=qd,
        stat="Maximum",
        period=300,
        evals=3,
        threshold=1800.0,
        op="GreaterThanThreshold",
        series=age,
        eval_from=fine_from,
        now=now,
        created=created,
        topic_arn=ops_topic,
    )
    k.alarm(
        ctx,
        name=f"{puller}-errors",
        description="Open-banking feed puller failing",
        ns="AWS/Lambda",
        metric="Errors",
        dims=pd,
        stat="Sum",
        period=300,
        evals=3,
        threshold=2.0,
        op="GreaterThanOrEqualToThreshold",
        series=k.make(pts, lambda t, p: 0.0),
        eval_from=fine_from,
        now=now,
        created=created,
        topic_arn=ops_topic,
    )
    k.alarm(
        ctx,
        name=f"{ledger}-write-throttles",
        description="Ledger table write throttling",
        ns="AWS/DynamoDB",
        metric="WriteThrottleEvents",
        dims=ld,
        stat="Sum",
        period=60,
        evals=5,
        threshold=20.0,
        op="GreaterThanThreshold",
        series=[],
        eval_from=now,
        now=now,
        created=created,
        topic_arn=ops_topic,
        missing="notBreaching",
    )

    # resources -----------------------------------------------------------------------------------
    fn_arn = ctx.arn("lambda", f"function:{fn}")
    puller_arn = ctx.arn("lambda", f"function:{puller}")
    role_name = "tallyroom-txn-categorise-exec"
    esm_uuid = ctx.uuid()
    q_arn = ctx.arn("sqs", q)
    dlq_arn = ctx.arn("sqs", dlq)
    tracing_at = onset - timedelta(minutes=rng.randint(12, 19), seconds=rng.randint(0, 59))
    subnets = [f"subnet-0{ctx.hex(16)}" for _ in range(2)]
    sg = f"sg-0{ctx.hex(16)}"
    vpc = f"vpc-0{ctx.hex(16)}"

    def fconf(
        name: str,
        arn: str,
        role_n: str,
        timeout_s: int,
        mem: int,
        modified: datetime,
        tracing: str,
        env: dict[str, str],
    ) -> dict[str, object]:
        return {
            "FunctionName": name,
            "FunctionArn": arn,
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{ctx.account}:role/{role_n}",
            "Handler": "dist/handler.handler",
            "CodeSize": rng.randint(900_000, 3_400_000),
            "Description": "",
            "Timeout": timeout_s,
            "MemorySize": mem,
            "LastModified": k.iso_ms(modified),
            "CodeSha256": ctx.hex(43) + "=",
            "Version": "$LATEST",
            "VpcConfig": {
                "SubnetIds": subnets,
                "SecurityGroupIds": [sg],
                "VpcId": vpc,
                "Ipv6AllowedForDualStack": False,
            },
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": tracing},
            "RevisionId": ctx.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }

    env = {
        "RULES_TABLE": rules,
        "LEDGER_TABLE": ledger,
        "LOG_LEVEL": "info",
        "NODE_OPTIONS": "--enable-source-maps",
        "POWERTOOLS_SERVICE_NAME": "txn-categorise",
    }
    ctx.res(
        "lambda", "FunctionConfiguration", fconf(fn, fn_arn, role_name, 30, 1024, tracing_at, "Active", env)
    )
    ctx.res(
        "lambda",
        "FunctionConfiguration",
        fconf(
            puller,
            puller_arn,
            "tallyroom-feed-puller-exec",
            60,
            512,
            onset - timedelta(minutes=27, seconds=rng.randint(0, 50)),
            "PassThrough",
            {
                "QUEUE_URL": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{q}",
                "PROVIDER": "truelayer",
                "LOG_LEVEL": "info",
            },
        ),
    )
    esm = {
        "UUID": esm_uuid,
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 5,
        "EventSourceArn": q_arn,
        "FunctionArn": fn_arn,
        "LastModified": k.iso(change_at + timedelta(seconds=4)),
        "State": "Enabled",
        "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": [],
        "EventSourceMappingArn": ctx.arn("lambda", f"event-source-mapping:{esm_uuid}"),
    }
    ctx.res("lambda", "EventSourceMappingConfiguration", esm)
    qcreated = created - timedelta(days=200)
    k.sqs_queue(
        ctx,
        q,
        qcreated,
        {
            "VisibilityTimeout": "180",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}),
            "ApproximateNumberOfMessages": str(int(model[pts[-1][0]]["visible"])),
            "ApproximateNumberOfMessagesNotVisible": str(int(model[pts[-1][0]]["inflight"])),
        },
        {"service": "bankfeed", "team": "ledger-platform", "env": "prod"},
    )
    k.sqs_queue(
        ctx,
        dlq,
        qcreated,
        {
            "MessageRetentionPeriod": "1209600",
            "ApproximateNumberOfMessages": str(int(dlq_depth)),
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
        },
        {"service": "bankfeed", "team": "ledger-platform", "env": "prod"},
    )
    k.sqs_queue(
        ctx,
        "tallyroom-receipt-ocr",
        qcreated + timedelta(days=40),
        {"VisibilityTimeout": "900"},
        {"service": "receipts", "team": "docs", "env": "prod"},
    )
    k.sns_topic(ctx, "tallyroom-oncall", 2)

    def table(name: str, keys: list[tuple[str, str]], items: int) -> None:
        ctx.res(
            "dynamodb",
            "TableDescription",
            {
                "TableName": name,
                "TableArn": ctx.arn("dynamodb", f"table/{name}"),
                "TableId": ctx.uuid(),
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(qcreated),
                "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a, _ in keys],
                "KeySchema": [{"AttributeName": a, "KeyType": kt} for a, kt in keys],
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(qcreated),
                },
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "ItemCount": items,
                "TableSizeBytes": items * rng.randint(300, 700),
                "DeletionProtectionEnabled": True,
            },
        )

    table(rules, [("tenantId", "HASH"), ("ruleId", "RANGE")], rng.randint(200_000, 400_000))
    table(ledger, [("accountId", "HASH"), ("txnId", "RANGE")], rng.randint(40_000_000, 90_000_000))
    ctx.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": role_name,
            "RoleId": ctx.upper_id("AROA", 17),
            "Arn": f"arn:aws:iam::{ctx.account}:role/{role_name}",
            "CreateDate": k.iso(qcreated),
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
            "MaxSessionDuration": 3600,
        },
    )
    for g in (fn, puller):
        ctx.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{g}",
                "creationTime": k.ms(qcreated),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": ctx.arn("logs", f"log-group:/aws/lambda/{g}:*"),
                "storedBytes": rng.randint(10**9, 9 * 10**9),
                "logGroupClass": "STANDARD",
                "logGroupArn": ctx.arn("logs", f"log-group:/aws/lambda/{g}"),
            },
        )

    # CloudTrail ----------------------------------------------------------------------------------
    eng = k.sso(
        ctx,
        "PlatformEngineer",
        rng.choice(["priya.nair", "tom.okafor", "ines.barros"]) + "@tallyroom.io",
        f"81.{rng.randint(100, 200)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
    )
    eng2 = k.sso(
        ctx,
        "Developer",
        rng.choice(["sam.whitley", "keiko.mori", "dan.reyes"]) + "@tallyroom.io",
        f"86.{rng.randint(1, 99)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
    )
    ci = k.role(
        ctx,
        "github-actions-deploy",
        "GitHubActions",
        f"20.{rng.randint(26, 120)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        k.TF_AGENT.replace("{svc}", "lambda"),
    )
    dd_role = k.role(
        ctx,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        f"3.{rng.randint(200, 240)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)",
    )
    esm_resp = {
        "uUID": esm_uuid,
        "batchSize": 100,
        "maximumBatchingWindowInSeconds": 5,
        "eventSourceArn": q_arn,
        "functionArn": fn_arn,
        "lastModified": change_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
        "state": "Updating",
        "stateTransitionReason": "USER_INITIATED",
        "functionResponseTypes": [],
        "eventSourceMappingArn": esm["EventSourceMappingArn"],
    }
    k.ct(
        ctx,
        change_at - timedelta(minutes=3),
        eng,
        "lambda.amazonaws.com",
        "ListEventSourceMappings20150331",
        {"functionName": fn},
        None,
        read_only=True,
    )
    k.ct(
        ctx,
        change_at - timedelta(minutes=2, seconds=10),
        eng,
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": fn},
        None,
        read_only=True,
    )
    k.ct(
        ctx,
        change_at,
        eng,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        {"uUID": esm_uuid, "batchSize": 100, "maximumBatchingWindowInSeconds": 5},
        esm_resp,
    )
    k.ct(
        ctx,
        change_at + timedelta(minutes=1, seconds=5),
        eng,
        "lambda.amazonaws.com",
        "GetEventSourceMapping20150331",
        {"uUID": esm_uuid},
        None,
        read_only=True,
    )
    # innocent changes near the onset
    k.ct(
        ctx,
        onset - timedelta(minutes=27),
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": puller, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": puller,
            "functionArn": puller_arn,
            "runtime": "nodejs20.x",
            "codeSize": rng.randint(900_000, 2_000_000),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    k.ct(
        ctx,
        tracing_at,
        eng2,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn, "tracingConfig": {"mode": "Active"}},
        {
            "functionName": fn,
            "functionArn": fn_arn,
            "runtime": "nodejs20.x",
            "timeout": 30,
            "memorySize": 1024,
            "tracingConfig": {"mode": "Active"},
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=k.CONSOLE_AGENT,
    )
    k.ct(
        ctx,
        onset - timedelta(minutes=rng.randint(3, 9)),
        eng2,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/tallyroom-receipt-ocr",
            "attributes": {"VisibilityTimeout": "900"},
        },
        None,
        agent=k.CONSOLE_AGENT,
    )
    reads: list[tuple[str, str, dict[str, object] | None]] = [
        ("lambda.amazonaws.com", "ListFunctions20150331", {}),
        ("sqs.amazonaws.com", "ListQueues", {}),
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {
                "queueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{q}",
                "attributeNames": ["All"],
            },
        ),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": ledger}),
        ("dynamodb.amazonaws.com", "ListTables", None),
        ("cloudwatch.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("lambda.amazonaws.com", "ListTags20170331", {"resource": fn_arn}),
        ("tag.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
    ]
    k.routine_reads(ctx, [dd_role, dd_role, eng, eng2, ci], start, now, reads, 38)
    for i in range(3):
        t = start + timedelta(hours=2 + 3 * i, minutes=rng.randint(0, 50))
        k.ct(ctx, t, ci, "sts.amazonaws.com", "GetCallerIdentity", None, None, read_only=True)
    k.ct(
        ctx,
        start + timedelta(hours=6, minutes=rng.randint(0, 40)),
        eng2,
        "cloudwatch.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "bankfeed-overview"},
        None,
        agent=k.CONSOLE_AGENT,
    )

    # logs ----------------------------------------------------------------------------------------
    grp = f"/aws/lambda/{fn}"
    stream = k.lambda_stream(ctx, start)
    stream_t = start
    tenants = [f"ten_{ctx.hex(10)}" for _ in range(12)]
    t = start + timedelta(minutes=2)
    while t < now:
        if (t - stream_t) > timedelta(minutes=50):
            stream, stream_t = k.lambda_stream(ctx, t), t
        rid = ctx.uuid()
        big = t >= change_at
        size = 10 if not big else int(min(100, max(4, rate(t) * 5.0 / 2.2)))
        dur_s = size * per_msg + rng.uniform(0.15, 0.5)
        timed_out = big and dur_s > timeout - 1.5 and rng.random() < 0.85
        k.log(ctx, grp, stream, t, f"START RequestId: {rid} Version: $LATEST")
        k.log(
            ctx,
            grp,
            stream,
            t + timedelta(milliseconds=12),
            json.dumps(
                {
                    "level": "INFO",
                    "timestamp": k.iso_ms(t),
                    "service": "txn-categorise",
                    "message": "received batch",
                    "records": size,
                    "xray_trace_id": f"1-{int(t.timestamp()):08x}-{ctx.hex(24)}",
                    "function_request_id": rid,
                }
            ),
        )
        if rng.random() < 0.06:
            k.log(
                ctx,
                grp,
                stream,
                t + timedelta(milliseconds=400),
                json.dumps(
                    {
                        "level": "WARN",
                        "timestamp": k.iso_ms(t),
                        "service": "txn-categorise",
                        "message": "no rule matched, falling back to merchant category code",
                        "tenant": rng.choice(tenants),
                        "mcc": rng.choice(["5411", "5812", "4121", "7399"]),
                        "function_request_id": rid,
                    }
                ),
            )
        if timed_out:
            done = int((timeout - 0.4) / per_msg)
            if rng.random() < 0.5:
                k.log(
                    ctx,
                    grp,
                    stream,
                    t + timedelta(seconds=6),
                    json.dumps(
                        {
                            "level": "INFO",
                            "timestamp": k.iso_ms(t + timedelta(seconds=6)),
                            "service": "txn-categorise",
                            "message": "ledger entry already present, skipping",
                            "tenant": rng.choice(tenants),
                            "function_request_id": rid,
                        }
                    ),
                )
            k.log(
                ctx,
                grp,
                stream,
                t + timedelta(seconds=30.03),
                f"{k.iso_ms(t + timedelta(seconds=30.03)).replace('+0000', 'Z')} {rid} Task timed out after 30.03 seconds",
            )
            k.log(ctx, grp, stream, t + timedelta(seconds=30.04), f"END RequestId: {rid}")
            k.log(
                ctx,
                grp,
                stream,
                t + timedelta(seconds=30.04),
                k.report_line(rid, 30030.0 + rng.uniform(0, 9), 1024, rng.randint(190, 240))
                + "Status: timeout",
            )
            _ = done
        else:
            end = t + timedelta(seconds=dur_s)
            k.log(
                ctx,
                grp,
                stream,
                end - timedelta(milliseconds=20),
                json.dumps(
                    {
                        "level": "INFO",
                        "timestamp": k.iso_ms(end),
                        "service": "txn-categorise",
                        "message": "batch complete",
                        "records": size,
                        "categorised": size,
                        "durationMs": int(dur_s * 1000),
                        "function_request_id": rid,
                    }
                ),
            )
            k.log(ctx, grp, stream, end, f"END RequestId: {rid}")
            k.log(ctx, grp, stream, end, k.report_line(rid, dur_s * 1000, 1024, rng.randint(150, 200)))
        t += timedelta(
            minutes=rng.randint(4, 8) if t < onset - timedelta(minutes=40) else rng.randint(1, 2),
            seconds=rng.randint(0, 59),
        )

    pgrp = f"/aws/lambda/{puller}"
    t = start + timedelta(minutes=1)
    pstream = k.lambda_stream(ctx, t)
    while t < now:
        rid = ctx.uuid()
        n = int(rate(t) * 60)
        k.log(ctx, pgrp, pstream, t, f"START RequestId: {rid} Version: $LATEST")
        k.log(
            ctx,
            pgrp,
            pstream,
            t + timedelta(seconds=1),
            json.dumps(
                {
                    "level": "info",
                    "msg": "poll complete",
                    "connections": rng.randint(2800, 3100),
                    "transactions_enqueued": n,
                    "function_request_id": rid,
                }
            ),
        )
        if rng.random() < 0.08:
            k.log(
                ctx,
                pgrp,
                pstream,
                t + timedelta(seconds=2),
                json.dumps(
                    {
                        "level": "warn",
                        "msg": "provider consent expired, skipping connection",
                        "connection": f"conn_{ctx.hex(12)}",
                        "function_request_id": rid,
                    }
                ),
            )
        d = 4200 + 2600 * k.diurnal(t, off) + rng.gauss(0, 300)
        k.log(ctx, pgrp, pstream, t + timedelta(milliseconds=d), f"END RequestId: {rid}")
        k.log(
            ctx,
            pgrp,
            pstream,
            t + timedelta(milliseconds=d),
            k.report_line(rid, d, 512, rng.randint(120, 160)),
        )
        t += timedelta(minutes=rng.randint(9, 15))

    ctx.logs.sort(key=lambda r: (r["log_group"], r["timestamp"]))

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": "bankfeed DLQ alarm just went off and the categoriser is erroring. Transactions from the evening "
                "sync are landing in the DLQ. What's going on?",
                "alarm_event": k.alarm_event(ctx, dlq_alarm) if dlq_alarm["StateValue"] == "ALARM" else None,
                "timezone": "Europe/London",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": esm_uuid,
                    "category": "change",
                    "failure_mode": "sqs-batch-size-exceeds-timeout",
                    "event_id": next(
                        r["eventID"]
                        for r in ctx.cloudtrail
                        if r["eventName"] == "UpdateEventSourceMapping20150331"
                    ),
                },
                "also_accept": [esm["EventSourceMappingArn"], fn, fn_arn],
                "actions": ["rollback"],
                "chain": [
                    f"Event source mapping {esm_uuid} ({q} -> {fn}) batch size raised from 10 to 100 with a 5 s window",
                    f"At the evening peak batches fill to 100 records and take longer than {fn}'s 30 s timeout",
                    "Timed-out batches return to the queue whole after the visibility timeout and fail again",
                    f"After three receives the messages are moved to {dlq}; the DLQ and Errors alarms fire",
                ],
            },
        }
    )
    return k_bundle(manifest, ctx)


def k_bundle(manifest: Manifest, ctx: k.Ctx) -> Bundle:
    return Bundle(manifest, ctx.records())
