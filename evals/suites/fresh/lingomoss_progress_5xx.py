"""lingomoss: API 5xx on progress saves in the evening study peak (kit zl, incident 2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zl import Kit, Rec, daily, iso, iso_ms, minutes, reason_text

NAME = "lingomoss-progress-5xx"
TITLE = "lingomoss-api 5xx alarm in the evening study peak"
SUMMARY = "Language-learning API starts failing lesson-progress saves at the evening peak with no deploy to that path."

VENDOR_ACCT = "700283441945"
HOST = "intake.eu1.tracelane.io"


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed, "000000000000", "eu-west-1")
    rng = k.rng
    k.account = "4" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    account = k.account
    day = datetime(2025, 1, 13, tzinfo=UTC) + timedelta(days=7 * rng.randint(0, 5) + rng.choice([0, 1, 2, 3]))
    onset = day.replace(hour=19) + timedelta(minutes=rng.randint(2, 24), seconds=rng.randint(0, 59))
    start = onset - timedelta(hours=3, minutes=rng.randint(30, 50))
    now = onset + timedelta(minutes=rng.randint(36, 46))
    ramp = timedelta(minutes=rng.randint(2, 4))
    stall_ms = rng.uniform(2350, 2500)  # the extension's flush gives up at ~2.5 s
    layer_base = f"arn:aws:lambda:eu-west-1:{VENDOR_ACCT}:layer:Tracelane-Extension-ARM"
    reserved = 80

    def stall(t: datetime) -> float:
        """Extra post-invocation time the extension spends flushing at time t (ms)."""
        if t < onset:
            return 0.0
        f = min(1.0, (t - onset) / ramp)
        return stall_ms * f * rng.uniform(0.93, 1.0)

    peaks = [(7.5, 1.2, 0.35), (12.8, 1.2, 0.3), (20.0, 1.6, 1.0)]
    fns: dict[str, Rec] = {
        "lessons-api": {
            "rt": "nodejs20.x",
            "mem": 1024,
            "to": 10,
            "run": 70.0,
            "rps": rng.uniform(55, 68),
            "api": True,
        },
        "progress-api": {
            "rt": "nodejs20.x",
            "mem": 1024,
            "to": 10,
            "run": 105.0,
            "rps": rng.uniform(44, 52),
            "api": True,
        },
        "auth-refresh": {
            "rt": "nodejs20.x",
            "mem": 512,
            "to": 6,
            "run": 40.0,
            "rps": rng.uniform(6, 9),
            "api": True,
        },
        "streaks-worker": {
            "rt": "python3.12",
            "mem": 512,
            "to": 30,
            "run": 180.0,
            "rps": rng.uniform(5, 7),
            "api": False,
        },
        "leaderboard-updater": {
            "rt": "python3.12",
            "mem": 512,
            "to": 60,
            "run": 260.0,
            "rps": rng.uniform(1.5, 2.5),
            "api": False,
        },
    }

    # ---- metrics --------------------------------------------------------------------------------
    api_dims = {"ApiName": "lingomoss-api", "Stage": "prod"}
    fivexx: dict[datetime, int] = {}
    throttled_by_min: dict[datetime, int] = {}
    for t in minutes(start, now - timedelta(minutes=1)):
        shape = daily(t, 0.0, peaks, 0.15)
        total_api = 0
        total_5xx = 0
        account_conc = 0.0
        lat_centre = 0.0
        for f, c in fns.items():
            n = round(k.noise(c["rps"] * 60 * shape, 0.05))
            post = stall(t + timedelta(seconds=30))
            post_base = rng.uniform(6, 22)
            dur = c["run"] + post_base + post
            conc = n / 60 * dur / 1000 * rng.uniform(1.05, 1.25)
            throttles = 0
            if f == "progress-api" and conc > reserved:
                throttles = round(n * (1 - reserved / conc))
                conc = reserved - rng.uniform(0, 1.5)
            d = {"FunctionName": f}
            done = n - throttles
            k.put("AWS/Lambda", "Invocations", d, t, "Count", done)
            k.put("AWS/Lambda", "Errors", d, t, "Count", 0)
            k.put("AWS/Lambda", "Throttles", d, t, "Count", throttles)
            k.put_dist(
                "AWS/Lambda", "Duration", d, t, "Milliseconds", dur, done, spread=0.2, tail=dur + c["run"] * 4
            )
            k.put_dist(
                "AWS/Lambda",
                "PostRuntimeExtensionsDuration",
                d,
                t,
                "Milliseconds",
                post_base + post,
                done,
                spread=0.15,
            )
            k.put("AWS/Lambda", "ConcurrentExecutions", d, t, "Count", round(max(1.0, conc)))
            account_conc += max(1.0, conc)
            if c["api"]:
                total_api += n
                total_5xx += throttles
                lat_centre += c["run"] * n
            if throttles:
                throttled_by_min[t] = throttles
        k.put("AWS/Lambda", "ConcurrentExecutions", {}, t, "Count", round(account_conc + rng.uniform(3, 9)))
        cold = 1.0 + (0.9 if onset <= t < onset + timedelta(minutes=12) else 0.0)
        k.put("AWS/ApiGateway", "Count", api_dims, t, "Count", total_api)
        k.put(
            "AWS/ApiGateway", "5XXError", api_dims, t, "Count", total_5xx + (1 if rng.random() < 0.05 else 0)
        )
        k.put("AWS/ApiGateway", "4XXError", api_dims, t, "Count", round(total_api * rng.uniform(0.012, 0.02)))
        centre = lat_centre / max(1, total_api) + 28
        k.put_dist(
            "AWS/ApiGateway",
            "Latency",
            api_dims,
            t,
            "Milliseconds",
            centre,
            total_api,
            tail=centre * 6 * cold,
        )
        k.put_dist(
            "AWS/ApiGateway",
            "IntegrationLatency",
            api_dims,
            t,
            "Milliseconds",
            centre - 22,
            total_api,
            tail=centre * 5.5 * cold,
        )
        fivexx[t] = total_5xx
        q = {"QueueName": "streak-events"}
        sent = round(fns["streaks-worker"]["rps"] * 60 * shape * rng.uniform(0.95, 1.05))
        k.put("AWS/SQS", "NumberOfMessagesSent", q, t, "Count", sent)
        k.put("AWS/SQS", "NumberOfMessagesReceived", q, t, "Count", sent)
        k.put("AWS/SQS", "NumberOfMessagesDeleted", q, t, "Count", sent)
        k.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, t, "Count", rng.randint(0, 6))
        k.put("AWS/SQS", "ApproximateAgeOfOldestMessage", q, t, "Seconds", rng.randint(0, 4))
        pt = {"TableName": "lingomoss-progress"}
        k.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            pt,
            t,
            "Count",
            round(
                (fns["progress-api"]["rps"] * 60 * shape)
                * 2.1
                * (1 - (throttled_by_min.get(t, 0) / max(1, fns["progress-api"]["rps"] * 60 * shape)))
            ),
        )
        k.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            pt,
            t,
            "Count",
            round(fns["lessons-api"]["rps"] * 60 * shape * 1.5),
        )
        k.put(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": "leaderboard-updater"},
            t,
            "Milliseconds",
            rng.uniform(180, 900) + stall(t) * 0.6,
        )

    # ---- logs -----------------------------------------------------------------------------------
    streams: dict[str, str] = {}
    for f, c in fns.items():
        group = f"/aws/lambda/{f}"
        for t in minutes(start, now - timedelta(minutes=1), 2):
            busy = t >= onset
            n_sample = 3 if busy else 1
            if f in ("auth-refresh", "leaderboard-updater") and rng.random() < 0.5:
                continue
            for _ in range(n_sample):
                at = t + timedelta(seconds=rng.uniform(0, 119))
                cold = f not in streams or rng.random() < (0.25 if busy and f != "progress-api" else 0.02)
                init_ms = None
                if cold:
                    streams[f] = k.lambda_stream(at)
                    rtv = "nodejs:20.v33" if c["rt"].startswith("node") else "python:3.12.v41"
                    k.log(
                        group,
                        streams[f],
                        at - timedelta(milliseconds=900),
                        f"INIT_START Runtime Version: {rtv}\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:{k.hex(64)}",
                    )
                    k.log(
                        group,
                        streams[f],
                        at - timedelta(milliseconds=620),
                        "EXTENSION\tName: tracelane-extension\tState: Ready\tEvents: [INVOKE, SHUTDOWN]",
                    )
                    init_ms = rng.uniform(480, 820)
                stamp = iso_ms(at + timedelta(milliseconds=5))
                if c["rt"].startswith("node"):
                    payload = {
                        "lessons-api": {
                            "level": "info",
                            "msg": "request",
                            "route": "GET /v1/lessons/{courseId}",
                            "status": 200,
                            "lang": rng.choice(["es", "fr", "de", "it", "ja", "pt"]),
                            "ms": rng.randint(30, 110),
                        },
                        "progress-api": {
                            "level": "info",
                            "msg": "progress saved",
                            "route": "POST /v1/progress",
                            "status": 200,
                            "lessonId": f"ls_{k.alnum(8)}",
                            "xp": rng.choice([10, 15, 20, 30]),
                            "ms": rng.randint(60, 160),
                        },
                        "auth-refresh": {
                            "level": "info",
                            "msg": "token refreshed",
                            "status": 200,
                            "ms": rng.randint(20, 60),
                        },
                    }[f]
                    lines = [f"{stamp}\t{{rid}}\tINFO\t" + json.dumps(payload, separators=(",", ":"))]
                    if f == "lessons-api" and rng.random() < 0.03:
                        lines.append(
                            f"{stamp}\t{{rid}}\tWARN\t"
                            + '{"level":"warn","msg":"audio asset missing, falling back to TTS","lessonId":"ls_'
                            + k.alnum(8)
                            + '"}'
                        )
                elif f == "streaks-worker":
                    lines = [
                        f"[INFO]\t{stamp}\t{{rid}}\tprocessed batch size={rng.randint(1, 10)} streak_updates={rng.randint(1, 10)}"
                    ]
                else:
                    lines = [
                        f"[INFO]\t{stamp}\t{{rid}}\tleaderboard shard={rng.randint(0, 15)} records={rng.randint(20, 100)} updated"
                    ]
                post = stall(at)
                if post > 0:
                    buf = rng.randint(60, 900)
                    lines.append(
                        f'TRACELANE | WARN | flush failed after {post:.0f}ms: Post "https://{HOST}/api/v2/batch": context deadline exceeded '
                        f"(Client.Timeout exceeded while awaiting headers); {buf} events kept in buffer"
                    )
                    if rng.random() < 0.15:
                        lines.append("TRACELANE | ERROR | buffer full (4096 events), dropping oldest 1024")
                elif rng.random() < 0.02:
                    lines.append(f"TRACELANE | WARN | slow flush: {rng.randint(700, 1300)}ms to {HOST}")
                dur = c["run"] * rng.uniform(0.7, 1.4) + rng.uniform(6, 20) + post
                k.lambda_invocation(
                    f, streams[f], at, dur, c["mem"], rng.randint(110, 190), lines, init_ms=init_ms
                )
    # API Gateway execution logs (ERROR level) for throttled invocations, sampled
    api_id = k.alnum(10)
    exec_group = f"API-Gateway-Execution-Logs_{api_id}/prod"
    for t, n in sorted(throttled_by_min.items()):
        for _ in range(min(6, max(1, n // 60))):
            at = t + timedelta(seconds=rng.uniform(0, 59))
            rid = k.uuid()
            stream = k.hex(32)
            k.log(
                exec_group,
                stream,
                at,
                f"({rid}) Lambda invocation failed with status: 429. Lambda request id: {k.uuid()}",
            )
            k.log(
                exec_group,
                stream,
                at + timedelta(milliseconds=1),
                f"({rid}) Execution failed due to configuration error: Rate Exceeded.",
            )
            k.log(
                exec_group,
                stream,
                at + timedelta(milliseconds=2),
                f"({rid}) Method completed with status: 500",
            )
    # access log sample
    acc_group = "/aws/apigateway/lingomoss-prod-access"
    acc_stream = k.hex(32)
    for t in minutes(start, now - timedelta(minutes=1)):
        for _ in range(2):
            at = t + timedelta(seconds=rng.uniform(0, 59))
            path, meth = rng.choice(
                [
                    ("/v1/lessons/{courseId}", "GET"),
                    ("/v1/progress", "POST"),
                    ("/v1/progress", "POST"),
                    ("/v1/auth/refresh", "POST"),
                ]
            )
            thr = throttled_by_min.get(t, 0)
            failing = meth == "POST" and path == "/v1/progress" and thr and rng.random() < 0.35
            rec = {
                "requestId": k.uuid(),
                "ip": k.ip(),
                "requestTime": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "httpMethod": meth,
                "resourcePath": path,
                "status": "500" if failing else "200",
                "protocol": "HTTP/1.1",
                "responseLength": "36" if failing else str(rng.randint(120, 4800)),
                "integrationLatency": "-" if failing else str(rng.randint(35, 180)),
                "integrationStatus": "429" if failing else "200",
            }
            k.log(acc_group, acc_stream, at, json.dumps(rec, separators=(",", ":")))
    k.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(250, 700))
    layer_old = f"{layer_base}:46"
    layer_new = f"{layer_base}:47"
    layer_bump = onset - timedelta(hours=2, minutes=rng.randint(0, 30))
    for f, c in fns.items():
        handler = "dist/handler.handler" if c["rt"].startswith("node") else "app.handler"
        env = {
            "TRACELANE_SITE": "eu1.tracelane.io",
            "TRACELANE_SERVICE": f,
            "TRACELANE_FLUSH": "end",
            "STAGE": "prod",
        }
        mod = day - timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 8))
        if f == "auth-refresh":
            mod = layer_bump + timedelta(seconds=12)
        if f == "lessons-api":
            mod = onset - timedelta(minutes=17)
        layers = [layer_new if f == "auth-refresh" else layer_old]
        k.function(f, c["rt"], handler, f"lingomoss-{f}-role", c["mem"], c["to"], mod, env=env, layers=layers)
        k.role(f"lingomoss-{f}-role", "lambda.amazonaws.com", created, now - timedelta(minutes=1))
        k.log_group(f"/aws/lambda/{f}", created, 14)
    k.res(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": "progress-api", "ReservedConcurrentExecutions": reserved},
    )
    k.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": "lingomoss-api",
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": True,
            "rootResourceId": k.alnum(10),
        },
    )
    k.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "stageName": "prod",
            "deploymentId": k.alnum(6),
            "tracingEnabled": False,
            "accessLogSettings": {
                "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationLatency":"$context.integration.latency","integrationStatus":"$context.integration.status"}',
                "destinationArn": k.arn("logs", f"log-group:{acc_group}"),
            },
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": False,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 5000,
                    "throttlingRateLimit": 10000.0,
                }
            },
            "createdDate": iso(created),
            "lastUpdatedDate": iso(day - timedelta(days=rng.randint(5, 20))),
        },
    )
    sq_created = str(int(created.timestamp()))
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.eu-west-1.amazonaws.com/{account}/streak-events",
            "Attributes": {
                "QueueArn": k.arn("sqs", "streak-events"),
                "VisibilityTimeout": "180",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "MaximumMessageSize": "262144",
                "ApproximateNumberOfMessages": "3",
                "ApproximateNumberOfMessagesNotVisible": "11",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": sq_created,
                "LastModifiedTimestamp": sq_created,
                "SqsManagedSseEnabled": "true",
                "RedrivePolicy": '{"deadLetterTargetArn":"'
                + k.arn("sqs", "streak-events-dlq")
                + '","maxReceiveCount":4}',
            },
            "Tags": {"app": "lingomoss"},
        },
    )
    stream_label = (created + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.000")
    table_arn = k.arn("dynamodb", "table/lingomoss-progress")
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "lingomoss-progress",
            "TableStatus": "ACTIVE",
            "TableArn": table_arn,
            "TableId": k.uuid(),
            "CreationDateTime": iso(created),
            "ItemCount": rng.randint(40_000_000, 90_000_000),
            "TableSizeBytes": rng.randint(9_000_000_000, 20_000_000_000),
            "AttributeDefinitions": [
                {"AttributeName": "userId", "AttributeType": "S"},
                {"AttributeName": "lessonKey", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "userId", "KeyType": "HASH"},
                {"AttributeName": "lessonKey", "KeyType": "RANGE"},
            ],
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            "LatestStreamLabel": stream_label,
            "LatestStreamArn": f"{table_arn}/stream/{stream_label}",
        },
    )
    batch_change = onset - timedelta(minutes=rng.randint(5, 9))
    esm_sqs = k.uuid()
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_sqs,
            "BatchSize": 25,
            "MaximumBatchingWindowInSeconds": 1,
            "EventSourceArn": k.arn("sqs", "streak-events"),
            "FunctionArn": k.arn("lambda", "function:streaks-worker"),
            "LastModified": iso(batch_change),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uuid(),
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 0,
            "ParallelizationFactor": 1,
            "EventSourceArn": f"{table_arn}/stream/{stream_label}",
            "StartingPosition": "LATEST",
            "FunctionArn": k.arn("lambda", "function:leaderboard-updater"),
            "LastModified": iso(created + timedelta(days=3)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 5,
        },
    )
    k.log_group(exec_group, created, 7)
    k.log_group(acc_group, created, 30)

    # ---- CloudTrail -----------------------------------------------------------------------------
    ci = k.role_principal("lingomoss-github-deploy", "GitHubActions")
    tf = k.role_principal("lingomoss-terraform-plan", "tf-plan")
    dev = k.sso(rng.choice(["nora.haddad@lingomoss.com", "tom.keane@lingomoss.com"]), "LingomossDeveloper")
    plat = k.sso(rng.choice(["priya.s@lingomoss.com", "leo.marchetti@lingomoss.com"]), "PlatformAdmin")
    lam = "lambda.amazonaws.com"
    span = (now - start).total_seconds()
    for t in sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(18)):
        opts: list[tuple[Rec, str, str, Rec]] = [
            (tf, lam, "GetFunction20150331v2", {"functionName": rng.choice(list(fns))}),
            (tf, lam, "GetFunctionConcurrency", {"functionName": "progress-api"}),
            (tf, "apigateway.amazonaws.com", "GetStage", {"restApiId": api_id, "stageName": "prod"}),
            (tf, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": "lingomoss-progress"}),
            (tf, "iam.amazonaws.com", "GetRole", {"roleName": f"lingomoss-{rng.choice(list(fns))}-role"}),
            (
                dev,
                "logs.amazonaws.com",
                "FilterLogEvents",
                {"logGroupName": f"/aws/lambda/{rng.choice(list(fns))}", "limit": 100},
            ),
            (dev, lam, "ListFunctions20150331", {"maxItems": 50}),
        ]
        who, src, name, req = rng.choice(opts)
        k.ct(t, who, src, name, req, None, read_only=True)
    for t in sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(8)):
        k.service_ct(
            t,
            "lambda.amazonaws.com",
            "AWSServiceRoleForLambda",
            "kms.amazonaws.com",
            "Decrypt",
            {
                "encryptionContext": {
                    "aws:lambda:FunctionArn": k.arn("lambda", f"function:{rng.choice(list(fns))}")
                },
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            True,
        )
    # auth-refresh moved to the new extension layer version earlier in the afternoon
    k.ct(
        layer_bump,
        ci,
        lam,
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "auth-refresh", "layers": [layer_new]},
        {
            "functionName": "auth-refresh",
            "functionArn": k.arn("lambda", "function:auth-refresh"),
            "layers": [{"arn": layer_new, "codeSize": 11_403_112}],
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    # innocent change: lessons-api deploy
    dep = onset - timedelta(minutes=17)
    k.ct(
        dep - timedelta(seconds=40),
        ci,
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        {
            "roleArn": f"arn:aws:iam::{account}:role/lingomoss-github-deploy",
            "roleSessionName": "GitHubActions",
            "durationSeconds": 3600,
        },
        None,
        read_only=True,
    )
    k.ct(
        dep,
        ci,
        lam,
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "lessons-api",
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"lingomoss-builds-{account}",
            "s3Key": f"lessons-api/{k.hex(40)}.zip",
        },
        {
            "functionName": "lessons-api",
            "functionArn": k.arn("lambda", "function:lessons-api"),
            "codeSha256": k.b64(44),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
    )
    # innocent change: streaks-worker batch size
    k.ct(
        batch_change,
        plat,
        lam,
        "UpdateEventSourceMapping20150331",
        {"uUID": esm_sqs, "batchSize": 25, "maximumBatchingWindowInSeconds": 1},
        {
            "uUID": esm_sqs,
            "batchSize": 25,
            "maximumBatchingWindowInSeconds": 1,
            "eventSourceArn": k.arn("sqs", "streak-events"),
            "functionArn": k.arn("lambda", "function:streaks-worker"),
            "state": "Updating",
        },
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(9, 14)),
        plat,
        lam,
        "GetFunctionConcurrency",
        {"functionName": "progress-api"},
        None,
        read_only=True,
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(15, 25)),
        plat,
        "monitoring.amazonaws.com",
        "GetMetricData",
        {"startTime": iso(onset - timedelta(hours=1)), "endTime": iso(onset + timedelta(minutes=20))},
        None,
        read_only=True,
    )
    k.trail.sort(key=lambda r: r["eventTime"])

    # ---- alarms ---------------------------------------------------------------------------------
    topic = k.arn("sns", "lingomoss-pager")
    al_created = created + timedelta(days=20)
    limit_5xx = 100.0
    over = [m for m in sorted(fivexx) if fivexx[m] > limit_5xx]
    fire_t = None
    for i in range(len(over) - 2):
        if over[i + 2] - over[i] == timedelta(minutes=2):
            fire_t = over[i + 2]
            break
    assert fire_t is not None
    fire_at = fire_t + timedelta(seconds=60 + rng.randint(20, 50))
    vals = [float(fivexx[fire_t - timedelta(minutes=i)]) for i in range(3)]
    why, _ok = reason_text(limit_5xx, "GreaterThanThreshold", vals, fire_t, 60, 3)
    alarm = k.alarm(
        "lingomoss-api-5xx",
        "AWS/ApiGateway",
        "5XXError",
        api_dims,
        "Sum",
        60,
        3,
        limit_5xx,
        "GreaterThanThreshold",
        "lingomoss public API 5xx > 100/min for 3 minutes",
        topic,
        al_created,
        [(fire_at, "OK", "ALARM", why)],
    )
    # throttles alarm on progress-api, 5-minute period
    t5 = [m for m in sorted(throttled_by_min) if throttled_by_min[m] > 0]
    thr_at = None
    if t5:
        first = t5[0]
        bucket = first.replace(minute=first.minute - first.minute % 5) + timedelta(minutes=5)
        thr_at = bucket + timedelta(seconds=rng.randint(70, 110))
        s = sum(throttled_by_min.get(bucket - timedelta(minutes=i + 1), 0) for i in range(5))
        why2, _ = reason_text(50, "GreaterThanThreshold", [float(s)], bucket - timedelta(minutes=5), 300, 1)
        k.alarm(
            "progress-api-throttles",
            "AWS/Lambda",
            "Throttles",
            {"FunctionName": "progress-api"},
            "Sum",
            300,
            1,
            50,
            "GreaterThanThreshold",
            "progress-api throttled",
            topic,
            al_created,
            [(thr_at, "OK", "ALARM", why2)],
        )
    for nm, ns, met, dims, stat, per, ev_n, th in [
        ("lessons-api-errors", "AWS/Lambda", "Errors", {"FunctionName": "lessons-api"}, "Sum", 300, 1, 20.0),
        (
            "progress-api-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "progress-api"},
            "Sum",
            300,
            1,
            20.0,
        ),
        (
            "streak-events-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "streak-events"},
            "Maximum",
            300,
            2,
            300.0,
        ),
        (
            "leaderboard-updater-iterator-age",
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": "leaderboard-updater"},
            "Maximum",
            300,
            3,
            60000.0,
        ),
        ("lingomoss-api-p99-latency", "AWS/ApiGateway", "Latency", api_dims, "p99", 300, 3, 3000.0),
    ]:
        a = k.alarm(
            nm,
            ns,
            met,
            dims,
            stat,
            per,
            ev_n,
            th,
            "GreaterThanThreshold",
            f"{met} on {next(iter(dims.values()))}",
            topic,
            al_created,
            [],
            extended=stat.startswith("p"),
        )
        a["StateReason"] = f"Threshold Crossed: 1 datapoint was not greater than the threshold ({th:g})."
        a["StateUpdatedTimestamp"] = iso_ms(now - timedelta(minutes=rng.randint(1, 4)))
        a["StateTransitionedTimestamp"] = iso_ms(start - timedelta(days=rng.randint(3, 30)))

    event = k.alarm_event(
        alarm,
        fire_at,
        start - timedelta(days=9),
        "Threshold Crossed: no datapoints were greater than the threshold (100.0).",
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": "eu-west-1",
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": HOST,
                    "category": "dependency_failure",
                    "failure_mode": "telemetry-extension-flush-blocking",
                    "event_id": None,
                },
                "also_accept": ["tracelane-extension", "tracelane", layer_base, layer_old, layer_new],
                "actions": ["reconfigure"],
                "chain": [
                    f"the observability vendor's intake {HOST} stops answering in time",
                    "the tracelane extension in every function blocks ~2.5 s after each invocation flushing (PostRuntimeExtensionsDuration)",
                    "each invocation holds its execution environment ~20x longer, so concurrency balloons",
                    f"progress-api hits its reserved concurrency ({reserved}) and is throttled",
                    "API Gateway answers 500 for throttled POST /v1/progress: lingomoss-api-5xx",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.metrics,
            "alarms": k.alarms,
            "alarm_history": k.history,
            "logs": k.logs,
            "cloudtrail": k.trail,
            "resources": k.resources,
        },
    )
