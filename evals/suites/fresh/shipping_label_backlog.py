"""Shipping-label queue backs up: the consumer Lambda got a new build that is ~12x slower per message."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_e as k

NAME = "shipping-label-backlog"
TITLE = "Shipping-label requests queue backing up in the afternoon"
SUMMARY = (
    "A CI deploy of the SQS-triggered shipping-label Lambda adds a synchronous address check per message; "
    "duration jumps, the function sits at its reserved concurrency and the queue's oldest message ages."
)


def build(seed: int) -> Bundle:
    ctx = k.Ctx(NAME, seed)
    rng = ctx.rng
    tzname, off = k.REGION_TZ[ctx.region]
    day = k.pick_day(ctx, (0, 1, 2, 3))
    onset = k.local_time(ctx, day, rng.randint(13, 15), rng.randint(0, 59)) + timedelta(
        seconds=rng.randint(0, 59)
    )
    start = k.floor_minute(onset - timedelta(hours=rng.randint(5, 7), minutes=rng.randint(0, 50)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(48, 64))) + timedelta(
        seconds=rng.randint(5, 50)
    )
    end = now
    fine_from = start

    team = rng.choice(["fulfilment", "logistics", "warehouse"])
    fn = rng.choice(["shipping-label-generator", "label-print-worker", "carrier-label-worker"])
    queue = rng.choice(["shipping-label-requests", "label-requests", "carrier-label-jobs"])
    dlq = f"{queue}-dlq"
    api_fn = rng.choice(["orders-api", "order-intake-api", "checkout-orders"])
    table = rng.choice(["shipments", "shipment-records", "parcels"])
    bucket = f"{ctx.account}-{team}-lambda-artifacts"
    reserved = rng.choice([8, 8, 10])
    memory = rng.choice([512, 1024])
    per_msg_before = rng.uniform(0.085, 0.13)  # seconds per message
    per_msg_after = rng.uniform(1.6, 2.1)
    peak = rng.uniform(420, 560)  # messages per minute at the afternoon peak
    vis_timeout = rng.choice([180, 300])
    fn_timeout = 30
    q_url = f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{queue}"
    dlq_url = f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{dlq}"
    q_arn = ctx.arn("sqs", queue)
    dlq_arn = ctx.arn("sqs", dlq)
    fn_arn = ctx.arn("lambda", f"function:{fn}")
    api_arn = ctx.arn("lambda", f"function:{api_fn}")
    role_fn = f"{fn}-exec"
    role_api = f"{api_fn}-exec"
    topic_arn = ctx.arn("sns", f"{team}-oncall")
    old_sha = ctx.b64(32)
    new_sha = ctx.b64(32)
    old_commit, new_commit = ctx.hex(7), ctx.hex(7)
    api_commit_a, api_commit_b = ctx.hex(7), ctx.hex(7)
    version_before = rng.randint(41, 118)

    # --- simulate the queue minute by minute -----------------------------------------------------
    def send_rate(t: datetime) -> float:
        return peak * k.diurnal(t, off, peak_hour=14.5, floor=0.12)

    backlog: list[list[float]] = []  # [enqueue minute epoch, count]
    sim: dict[datetime, dict[str, float]] = {}
    t = start - timedelta(minutes=30)
    while t <= now:
        sent = k.count(rng, send_rate(t))
        backlog.append([t.timestamp(), sent])
        slow = t >= onset
        per_msg = per_msg_after if slow else per_msg_before
        waiting = sum(c for _, c in backlog)
        batch = min(10.0, max(1.0, 1.0 + waiting / 40.0)) if not slow else 10.0
        dur_batch = 0.045 + batch * per_msg * k.noisy(rng, 1.0, 0.05)
        capacity = reserved * 60.0 / dur_batch * batch
        done = 0.0
        budget = min(capacity, waiting)
        while budget > 0 and backlog:
            take = min(budget, backlog[0][1])
            backlog[0][1] -= take
            budget -= take
            done += take
            if backlog[0][1] <= 0.5:
                backlog.pop(0)
        rest = sum(c for _, c in backlog)
        oldest = backlog[0][0] if backlog and rest > 1 else None
        age = (t.timestamp() + rng.uniform(5, 60) - oldest) if oldest is not None else rng.uniform(0.5, 6.0)
        invocations = done / batch if done else 0.0
        conc_needed = invocations * dur_batch / 60.0
        sim[t] = {
            "sent": float(sent),
            "done": round(done),
            "visible": max(0.0, rest + rng.uniform(0, 12)),
            "inflight": min(reserved * batch, done * dur_batch / 60.0 + rng.uniform(0, 4)),
            "age": age if slow else rng.uniform(0.6, 4.5) + min(age, 2.0),
            "invocations": round(invocations),
            "duration": dur_batch * 1000.0,
            "conc": float(reserved)
            if slow
            else max(1.0, min(reserved, round(conc_needed + rng.uniform(0.2, 1.8)))),
            "throttles": float(round(rng.uniform(6, 30))) if slow else 0.0,
            "empty": (rng.uniform(180, 260) if not slow else rng.uniform(0, 3)),
        }
        t += k.MINUTE

    def at(key: str) -> Any:
        return lambda m: sim[m][key] if m in sim else None

    qd = {"QueueName": queue}
    k.series(ctx, "AWS/SQS", "NumberOfMessagesSent", qd, "Count", start, now, at("sent"), fine_from=fine_from)
    k.series(
        ctx,
        "AWS/SQS",
        "SentMessageSize",
        qd,
        "Bytes",
        start,
        now,
        lambda m: k.noisy(rng, 1740, 0.03) if m in sim and sim[m]["sent"] > 0 else None,
        fine_from=fine_from,
    )
    k.series(
        ctx, "AWS/SQS", "NumberOfMessagesReceived", qd, "Count", start, now, at("done"), fine_from=fine_from
    )
    k.series(
        ctx,
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        start,
        now,
        lambda m: max(0.0, sim[m]["done"] - rng.choice([0, 0, 0, 1])) if m in sim else None,
        fine_from=fine_from,
    )
    k.series(
        ctx,
        "AWS/SQS",
        "NumberOfEmptyReceives",
        qd,
        "Count",
        start,
        now,
        at("empty"),
        fine_from=fine_from,
        digits=0,
    )
    vis = k.series(
        ctx,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        start,
        now,
        at("visible"),
        fine_from=fine_from,
        digits=0,
    )
    k.series(
        ctx,
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        start,
        now,
        at("inflight"),
        fine_from=fine_from,
        digits=0,
    )
    k.series(
        ctx,
        "AWS/SQS",
        "ApproximateNumberOfMessagesDelayed",
        qd,
        "Count",
        start,
        now,
        lambda m: 0.0,
        fine_from=fine_from,
    )
    age_s = k.series(
        ctx,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        start,
        now,
        at("age"),
        fine_from=fine_from,
        digits=0,
    )
    dd = {"QueueName": dlq}
    dlq_depth = k.series(
        ctx,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd,
        "Count",
        start,
        now,
        lambda m: 3.0,
        fine_from=fine_from,
    )
    k.series(
        ctx,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dd,
        "Seconds",
        start,
        now,
        lambda m: 86400 * 4 + (m - start).total_seconds() + 31_000,
        fine_from=fine_from,
        digits=0,
    )

    fd = {"FunctionName": fn}
    k.series(
        ctx, "AWS/Lambda", "Invocations", fd, "Count", start, now, at("invocations"), fine_from=fine_from
    )
    errs = k.series(
        ctx,
        "AWS/Lambda",
        "Errors",
        fd,
        "Count",
        start,
        now,
        lambda m: (1.0 if rng.random() < 0.004 else 0.0) if m in sim else None,
        fine_from=fine_from,
    )
    k.series(ctx, "AWS/Lambda", "Throttles", fd, "Count", start, now, at("throttles"), fine_from=fine_from)
    dur = k.series(
        ctx, "AWS/Lambda", "Duration", fd, "Milliseconds", start, now, at("duration"), fine_from=fine_from
    )
    k.series(
        ctx, "AWS/Lambda", "ConcurrentExecutions", fd, "Count", start, now, at("conc"), fine_from=fine_from
    )
    del dur

    # the producer: an API Lambda that enqueues label requests as orders are confirmed
    ad = {"FunctionName": api_fn}
    k.series(
        ctx,
        "AWS/Lambda",
        "Invocations",
        ad,
        "Count",
        start,
        now,
        lambda m: round(sim[m]["sent"] * 3.1 + rng.uniform(0, 20)) if m in sim else None,
        fine_from=fine_from,
    )
    api_err = k.series(
        ctx,
        "AWS/Lambda",
        "Errors",
        ad,
        "Count",
        start,
        now,
        lambda m: float(rng.random() < 0.05) if m in sim else None,
        fine_from=fine_from,
    )
    k.series(
        ctx,
        "AWS/Lambda",
        "Duration",
        ad,
        "Milliseconds",
        start,
        now,
        lambda m: k.noisy(rng, 61, 0.12),
        fine_from=fine_from,
    )
    k.series(
        ctx,
        "AWS/Lambda",
        "ConcurrentExecutions",
        ad,
        "Count",
        start,
        now,
        lambda m: (
            max(1.0, round(sim[m]["sent"] * 3.1 * 0.061 / 60 + rng.uniform(0.5, 2.5))) if m in sim else None
        ),
        fine_from=fine_from,
    )
    k.series(ctx, "AWS/Lambda", "Throttles", ad, "Count", start, now, lambda m: 0.0, fine_from=fine_from)

    td = {"TableName": table}
    k.series(
        ctx,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        start,
        now,
        lambda m: sim[m]["done"] * 2.0 + sim[m]["sent"] * 1.0 if m in sim else None,
        fine_from=fine_from,
    )
    k.series(
        ctx,
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        td,
        "Count",
        start,
        now,
        lambda m: sim[m]["done"] * 1.5 + k.noisy(rng, 40, 0.3) if m in sim else None,
        fine_from=fine_from,
    )
    ddb_lat = k.series(
        ctx,
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {**td, "Operation": "PutItem"},
        "Milliseconds",
        start,
        now,
        lambda m: k.noisy(rng, 5.8, 0.1),
        fine_from=fine_from,
    )
    del ddb_lat

    # --- alarms --------------------------------------------------------------------------------------
    age_spec = k.AlarmSpec(
        f"{queue}-oldest-message-age",
        f"Label requests waiting longer than 10 minutes. Runbook: wiki/{team}/labels",
        age_s,
        "Maximum",
        60,
        5,
        5,
        600.0,
        "GreaterThanThreshold",
        "missing",
        [topic_arn],
        [topic_arn],
    )
    trans = k.alarm(ctx, age_spec, start, now)
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{dlq}-not-empty",
            "Messages in the label DLQ",
            dlq_depth,
            "Maximum",
            300,
            1,
            1,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            [topic_arn],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{fn}-errors",
            f"{fn} errors",
            errs,
            "Sum",
            300,
            1,
            1,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            [topic_arn],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{api_fn}-errors",
            f"{api_fn} errors",
            api_err,
            "Sum",
            300,
            2,
            2,
            25.0,
            "GreaterThanThreshold",
            "notBreaching",
            [topic_arn],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{queue}-depth",
            "Label queue depth (warning)",
            vis,
            "Maximum",
            300,
            3,
            3,
            25000.0,
            "GreaterThanThreshold",
            "missing",
            [topic_arn],
        ),
        start,
        now,
    )
    fire = next(tr for tr in trans if tr.new == "ALARM")

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 700))
    vpc = ctx.ec2_id("vpc")
    subnets = [ctx.ec2_id("subnet") for _ in range(3)]
    sg = ctx.ec2_id("sg")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":"))
    ctx.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": q_arn,
                "ApproximateNumberOfMessages": str(int(sim[k.floor_minute(now) - k.MINUTE]["visible"])),
                "ApproximateNumberOfMessagesNotVisible": str(
                    int(sim[k.floor_minute(now) - k.MINUTE]["inflight"])
                ),
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int((created + timedelta(days=40)).timestamp())),
                "VisibilityTimeout": str(vis_timeout),
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": redrive,
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": team, "service": fn, "env": "prod"},
        },
    )
    dlq_modified = onset - timedelta(minutes=rng.randint(9, 22), seconds=rng.randint(0, 59))
    ctx.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": dlq_url,
            "Attributes": {
                "QueueArn": dlq_arn,
                "ApproximateNumberOfMessages": "3",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int(dlq_modified.timestamp())),
                "VisibilityTimeout": "30",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "RedriveAllowPolicy": json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [q_arn]}, separators=(",", ":")
                ),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": team, "env": "prod"},
        },
    )
    new_version = version_before + 1
    api_deploy = onset + timedelta(minutes=rng.randint(14, 26), seconds=rng.randint(0, 59))
    fn_env = {
        "TABLE_NAME": table,
        "CARRIER_API_BASE": "https://api.carrierhub.io/v3",
        "LOG_LEVEL": "info",
        "NODE_OPTIONS": "--enable-source-maps",
        "POWERTOOLS_SERVICE_NAME": fn,
    }

    def fn_config(
        name: str,
        arn: str,
        role: str,
        handler: str,
        mem: int,
        timeout: int,
        sha: str,
        modified: datetime,
        env: dict[str, str],
        size: int,
    ) -> dict[str, Any]:
        return {
            "FunctionName": name,
            "FunctionArn": arn,
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{ctx.account}:role/{role}",
            "Handler": handler,
            "CodeSize": size,
            "Description": "",
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{modified.microsecond // 1000:03d}+0000",
            "CodeSha256": sha,
            "Version": "$LATEST",
            "VpcConfig": {
                "SubnetIds": subnets,
                "SecurityGroupIds": [sg],
                "VpcId": vpc,
                "Ipv6AllowedForDualStack": False,
            },
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": ctx.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }

    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        fn_config(
            fn,
            fn_arn,
            role_fn,
            "dist/handler.handler",
            memory,
            fn_timeout,
            new_sha,
            onset,
            fn_env,
            rng.randint(1_400_000, 2_600_000),
        ),
    )
    ctx.resource(
        "lambda", "FunctionConcurrency", {"FunctionName": fn, "ReservedConcurrentExecutions": reserved}
    )
    api_sha = ctx.b64(32)
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        fn_config(
            api_fn,
            api_arn,
            role_api,
            "dist/api.handler",
            1024,
            15,
            api_sha,
            api_deploy,
            {"QUEUE_URL": q_url, "TABLE_NAME": table, "LOG_LEVEL": "info"},
            rng.randint(2_000_000, 4_000_000),
        ),
    )
    esm_uuid = ctx.uuid()
    ctx.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": q_arn,
            "FunctionArn": fn_arn,
            "LastModified": k.iso(created + timedelta(days=3)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": [],
            "EventSourceMappingArn": ctx.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableStatus": "ACTIVE",
            "TableArn": ctx.arn("dynamodb", f"table/{table}"),
            "TableId": ctx.uuid(),
            "CreationDateTime": k.iso(created),
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": k.iso(created),
            },
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(10**9, 10**10),
            "ItemCount": rng.randint(4_000_000, 30_000_000),
            "DeletionProtectionEnabled": True,
        },
    )
    for role, desc in ((role_fn, f"Execution role for {fn}"), (role_api, f"Execution role for {api_fn}")):
        ctx.resource(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": role,
                "RoleId": "AROA" + ctx.upper(17),
                "Arn": f"arn:aws:iam::{ctx.account}:role/{role}",
                "CreateDate": k.iso(created),
                "Description": desc,
                "AssumeRolePolicyDocument": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
                "MaxSessionDuration": 3600,
            },
        )
    ctx.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "DisplayName": f"{team} on-call",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "Owner": ctx.account,
            },
        },
    )
    k.log_group(ctx, f"/aws/lambda/{fn}", created, 30)
    k.log_group(ctx, f"/aws/lambda/{api_fn}", created, 30)

    # --- logs ----------------------------------------------------------------------------------------
    carriers = ["UPS", "FEDEX", "DHL", "USPS"] if off < 0 else ["DPD", "DHL", "GLS", "ROYALMAIL", "UPS"]
    g = f"/aws/lambda/{fn}"
    streams_before = [k.lambda_stream(ctx, start) for _ in range(3)]
    streams_after = [k.lambda_stream(ctx, onset) for _ in range(reserved)]
    cold: set[str] = set()
    t = start + timedelta(seconds=rng.randint(1, 40))
    while t < now:
        slow = t >= onset + timedelta(seconds=20)
        stream = rng.choice(streams_after if slow else streams_before)
        batch = 10 if slow else rng.randint(1, 6)
        per = per_msg_after if slow else per_msg_before
        lines: list[tuple[float, str, str]] = []
        off_ms = 3.0
        for _ in range(batch):
            order = f"{rng.choice(['A', 'B', 'C'])}{rng.randint(10_000_000, 99_999_999)}"
            took = per * 1000 * k.noisy(rng, 1.0, 0.15)
            if slow:
                av = took * rng.uniform(0.86, 0.93)
                lines.append(
                    (
                        off_ms + av,
                        "INFO",
                        json.dumps(
                            {
                                "level": "info",
                                "service": fn,
                                "msg": "address verified",
                                "orderId": order,
                                "provider": "addrcheck",
                                "result": rng.choice(["VERIFIED", "VERIFIED", "VERIFIED", "CORRECTED"]),
                                "ms": round(av),
                            },
                            separators=(",", ":"),
                        ),
                    )
                )
            off_ms += took
            lines.append(
                (
                    off_ms,
                    "INFO",
                    json.dumps(
                        {
                            "level": "info",
                            "service": fn,
                            "msg": "label created",
                            "orderId": order,
                            "carrier": rng.choice(carriers),
                            "ms": round(took),
                        },
                        separators=(",", ":"),
                    ),
                )
            )
        if rng.random() < 0.03:
            lines.append(
                (
                    off_ms * 0.5,
                    "WARN",
                    json.dumps(
                        {
                            "level": "warn",
                            "service": fn,
                            "msg": "carrier API retry",
                            "attempt": 1,
                            "status": rng.choice([502, 503, 429]),
                        },
                        separators=(",", ":"),
                    ),
                )
            )
            lines.sort()
        init = None
        if stream not in cold:
            cold.add(stream)
            init = rng.uniform(380, 620)
        used = rng.randint(118, 170)
        k.lambda_invocation(ctx, g, stream, t, off_ms + rng.uniform(2, 9), memory, used, lines, init_ms=init)
        if slow:
            t += timedelta(seconds=rng.uniform(20, 50))
        else:
            t += timedelta(seconds=rng.uniform(50, 140))

    ga = f"/aws/lambda/{api_fn}"
    api_streams = [k.lambda_stream(ctx, start) for _ in range(2)]
    api_streams_new = [k.lambda_stream(ctx, api_deploy) for _ in range(2)]
    t = start + timedelta(seconds=rng.randint(1, 60))
    while t < now:
        stream = rng.choice(api_streams_new if t > api_deploy else api_streams)
        path = rng.choice(["POST /orders", "GET /orders/{id}", "POST /orders/{id}/confirm", "GET /orders"])
        status = 200 if rng.random() > 0.02 else rng.choice([400, 404, 409])
        d = k.noisy(rng, 55, 0.3)
        lines = [
            (
                d - 2,
                "INFO",
                json.dumps(
                    {
                        "level": "info",
                        "msg": "request completed",
                        "route": path,
                        "status": status,
                        "ms": round(d),
                    },
                    separators=(",", ":"),
                ),
            )
        ]
        if path.endswith("confirm") and status == 200:
            lines.insert(
                0,
                (
                    d * 0.7,
                    "INFO",
                    json.dumps(
                        {"level": "info", "msg": "label request enqueued", "queue": queue},
                        separators=(",", ":"),
                    ),
                ),
            )
        k.lambda_invocation(ctx, ga, stream, t, d, 1024, rng.randint(160, 210), lines)
        t += timedelta(seconds=rng.uniform(60, 170))

    # --- CloudTrail ----------------------------------------------------------------------------------
    first = rng.choice(["priya", "tomas", "aisha", "ken", "marta"])
    second = rng.choice(["li", "sam", "noor", "diego", "eva"])
    dom = rng.choice(["parcelly.com", "shipwright.io", "boxfleet.com"])
    human1 = k.sso_user(
        ctx, f"{first}.{rng.choice(['patel', 'novak', 'khan', 'mori'])}@{dom}", "PlatformEngineer"
    )
    human2 = k.sso_user(
        ctx, f"{second}.{rng.choice(['wong', 'reyes', 'lund', 'haddad'])}@{dom}", "Developer", console=True
    )
    ci = k.github_ci(ctx, f"gha-deploy-{team}")
    ddog = k.assumed_role(
        ctx,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        "Datadog/1.0 aws-sdk-go/1.50.0 (go1.21.6; linux; amd64)",
        "3.233.144.7",
    )
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("lambda.amazonaws.com", "GetFunction", {"functionName": fn}),
        ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        ("lambda.amazonaws.com", "ListEventSourceMappings", {"functionName": fn}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": queue}),
        (
            "logs.amazonaws.com",
            "DescribeLogStreams",
            {"logGroupName": g, "orderBy": "LastEventTime", "descending": True, "limit": 50},
        ),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
    ]
    k.routine_reads(ctx, start, now, rng.randint(16, 22), [human1, human2], reads)
    k.routine_reads(
        ctx,
        start,
        now,
        rng.randint(10, 14),
        [ddog],
        [
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/SQS"}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
            ("tag.amazonaws.com", "GetResources", {"resourceTypeFilters": ["lambda:function"]}),
        ],
    )
    for when in k.spread(ctx, start, now, rng.randint(6, 9)):
        fn_pick = rng.choice([(fn, role_fn), (api_fn, role_api)])
        k.assume_role_by_service(
            ctx, when, "lambda.amazonaws.com", f"arn:aws:iam::{ctx.account}:role/{fn_pick[1]}", fn_pick[0]
        )

    def deploy(
        when: datetime,
        name: str,
        arn: str,
        key: str,
        sha: str,
        version: int,
        mem: int,
        timeout: int,
        env: dict[str, str],
        role: str,
        handler: str,
    ) -> dict[str, Any]:
        k.record(
            ctx,
            when - timedelta(seconds=rng.randint(20, 50)),
            ci,
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            {"functionName": name},
            cmd="lambda.get-function-configuration",
        )
        rec = k.record(
            ctx,
            when,
            ci,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": name,
                "s3Bucket": bucket,
                "s3Key": key,
                "publish": True,
                "dryRun": False,
            },
            {
                "functionName": name,
                "functionArn": f"{arn}:{version}",
                "runtime": "nodejs20.x",
                "role": f"arn:aws:iam::{ctx.account}:role/{role}",
                "handler": handler,
                "codeSize": rng.randint(1_400_000, 3_900_000),
                "description": "",
                "timeout": timeout,
                "memorySize": mem,
                "lastModified": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "codeSha256": sha,
                "version": str(version),
                "environment": {"variables": env},
                "tracingConfig": {"mode": "PassThrough"},
                "revisionId": ctx.uuid(),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "lastUpdateStatusReason": "The function is being created.",
                "lastUpdateStatusReasonCode": "Creating",
                "packageType": "Zip",
                "architectures": ["arm64"],
                "ephemeralStorage": {"size": 512},
                "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
                "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{name}"},
            },
            cmd="lambda.update-function-code",
        )
        for j in range(rng.randint(2, 3)):
            k.record(
                ctx,
                when + timedelta(seconds=5 * (j + 1) + rng.randint(0, 3)),
                ci,
                "lambda.amazonaws.com",
                "GetFunctionConfiguration20150331v2",
                {"functionName": name},
                cmd="lambda.wait",
            )
        return rec

    deploy(
        start + timedelta(minutes=rng.randint(20, 90)),
        api_fn,
        api_arn,
        f"{api_fn}/{api_commit_a}.zip",
        ctx.b64(32),
        rng.randint(200, 400),
        1024,
        15,
        {"QUEUE_URL": q_url, "TABLE_NAME": table, "LOG_LEVEL": "info"},
        role_api,
        "dist/api.handler",
    )
    culprit = deploy(
        onset,
        fn,
        fn_arn,
        f"{fn}/{new_commit}.zip",
        new_sha,
        new_version,
        memory,
        fn_timeout,
        fn_env,
        role_fn,
        "dist/handler.handler",
    )
    deploy(
        api_deploy,
        api_fn,
        api_arn,
        f"{api_fn}/{api_commit_b}.zip",
        api_sha,
        rng.randint(401, 500),
        1024,
        15,
        {"QUEUE_URL": q_url, "TABLE_NAME": table, "LOG_LEVEL": "info"},
        role_api,
        "dist/api.handler",
    )
    del old_sha, old_commit
    # innocent: DLQ retention raised to 14 days by a human a little before the deploy
    k.record(
        ctx,
        dlq_modified,
        human1,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": dlq_url, "attributes": {"MessageRetentionPeriod": "1209600"}},
        None,
        cmd="sqs.set-queue-attributes",
    )
    # innocent: point-in-time recovery switched on for the table by Terraform, inside the half hour
    tf = k.assumed_role(
        ctx,
        "terraform-apply",
        f"terraform-{rng.randint(1000, 9999)}",
        k.TERRAFORM.format(api="dynamodb", n=30),
        ci.ip,
    )
    pitr_at = onset + timedelta(minutes=rng.randint(3, 12), seconds=rng.randint(0, 59))
    k.record(
        ctx,
        pitr_at - timedelta(seconds=4),
        tf,
        "dynamodb.amazonaws.com",
        "DescribeContinuousBackups",
        {"tableName": table},
    )
    k.record(
        ctx,
        pitr_at,
        tf,
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        {"tableName": table, "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {
                    "pointInTimeRecoveryStatus": "ENABLED",
                    "earliestRestorableDateTime": pitr_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    "latestRestorableDateTime": pitr_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    "recoveryPeriodInDays": 35,
                },
            }
        },
    )
    k.record(
        ctx,
        pitr_at + timedelta(seconds=6),
        tf,
        "dynamodb.amazonaws.com",
        "TagResource",
        {"resourceArn": ctx.arn("dynamodb", f"table/{table}"), "tags": [{"key": "backup", "value": "pitr"}]},
        None,
    )
    # people looking at it after the page
    look = fire.time + timedelta(minutes=rng.randint(2, 6))
    after_page: list[tuple[str, str, dict[str, Any] | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": [age_spec.name]}),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
        ("lambda.amazonaws.com", "ListEventSourceMappings", {"eventSourceArn": q_arn}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
    ]
    for j, (src, name, req) in enumerate(after_page):
        if look + timedelta(seconds=40 * j) < now:
            k.record(ctx, look + timedelta(seconds=40 * j), human2, src, name, req)

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {
                "question": None,
                "alarm_event": k.alarm_event(ctx, age_spec, fire, None),
                "timezone": tzname,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": fn,
                    "category": "change",
                    "failure_mode": "slow-consumer-deploy",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [fn_arn, f"{fn_arn}:{new_version}"],
                "actions": ["rollback"],
                "chain": [
                    f"UpdateFunctionCode on {fn} (version {new_version}) adds a synchronous address check per message",
                    f"{fn} duration per batch rises about tenfold and it runs pinned at its reserved concurrency ({reserved})",
                    f"{queue} is consumed slower than orders are enqueued; its backlog and oldest-message age climb",
                    f"{age_spec.name} fires",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
