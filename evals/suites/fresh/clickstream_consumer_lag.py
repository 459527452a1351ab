"""Realtime dashboards fall behind: a producer config change triples record size on a Kinesis stream."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_e as k

NAME = "clickstream-consumer-lag"
TITLE = "Realtime session dashboard running behind"
SUMMARY = (
    "An UpdateFunctionConfiguration on the collector Lambda switches its payload mode to full; Kinesis records "
    "grow ~3x, the stream-consuming Lambda's batches take ~3x longer and its iterator age climbs."
)


def build(seed: int) -> Bundle:
    ctx = k.Ctx(NAME, seed)
    rng = ctx.rng
    tzname, off = k.REGION_TZ[ctx.region]
    day = k.pick_day(ctx, (1, 2, 3))
    onset = k.local_time(ctx, day, rng.choice([13, 14]), rng.randint(0, 59)) + timedelta(
        seconds=rng.randint(0, 59)
    )
    start = k.floor_minute(onset - timedelta(hours=rng.randint(4, 6), minutes=rng.randint(0, 59)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(45, 60))) + timedelta(
        seconds=rng.randint(3, 55)
    )

    co = rng.choice(["beacon", "trailhead", "lumen", "cartwheel"])
    stream = rng.choice(["clickstream-events", "web-events", "site-activity"])
    producer = rng.choice(["edge-collector", "event-collector", "track-ingest"])
    consumer = rng.choice(["sessionizer", "session-aggregator", "live-sessions"])
    other_fn = rng.choice(["daily-report-builder", "export-scheduler"])
    shards = rng.choice([4, 4, 6])
    rate = rng.uniform(170, 230) * shards  # records/s at the afternoon peak
    size_before = rng.uniform(1000, 1250)
    size_after = size_before * rng.uniform(2.9, 3.4)
    batch = 500
    per_kb_ms = rng.uniform(2.3, 2.7)  # consumer ms per KB of batch
    stream_arn = ctx.arn("kinesis", f"stream/{stream}")
    prod_arn = ctx.arn("lambda", f"function:{producer}")
    cons_arn = ctx.arn("lambda", f"function:{consumer}")
    other_arn = ctx.arn("lambda", f"function:{other_fn}")
    topic = ctx.arn("sns", f"{co}-data-alerts")
    api_id = ctx.upper(10).lower()

    def rec_rate(t: datetime) -> float:  # records per second
        return rate * k.diurnal(t, off, peak_hour=14.0, floor=0.15)

    # --- simulate per shard-average: arrival vs consumer throughput -------------------------------------
    sim: dict[datetime, dict[str, float]] = {}
    lag_records = 0.0  # behind, per shard
    for m in k.minutes(start - timedelta(minutes=5), now):
        r = rec_rate(m) * k.noisy(rng, 1, 0.03)
        size = size_after if m >= onset else size_before
        size *= k.noisy(rng, 1, 0.02)
        per_shard = r / shards * 60  # records per minute per shard
        dur = 45 + batch * size / 1024 * per_kb_ms  # ms for a full batch
        cap = 60_000 / dur * batch  # records per minute one shard's poller can push through
        avail = per_shard + lag_records
        done = min(cap, avail)
        lag_records = avail - done
        full = lag_records > batch
        batch_now = batch if full else max(1.0, min(batch, per_shard / max(1.0, 60_000 / (dur + 1000))))
        dur_now = 45 + batch_now * size / 1024 * per_kb_ms
        age_ms = lag_records / max(1.0, per_shard) * 60_000 + rng.uniform(200, 900)
        inv = done / batch_now * shards
        sim[m] = {
            "rec": r * 60,
            "bytes": r * 60 * size,
            "size": size,
            "age": age_ms,
            "inv": inv,
            "dur": dur_now * k.noisy(rng, 1, 0.04),
            "got": done * shards,
            "gotb": done * shards * size,
            "prod_inv": r * 60 / rng.uniform(22, 26),
        }

    def at(key: str, f: float = 1.0) -> Any:
        return lambda m: sim[m][key] * f if m in sim else None

    sd = {"StreamName": stream}
    k.series(ctx, "AWS/Kinesis", "IncomingRecords", sd, "Count", start, now, at("rec"), digits=0)
    k.series(ctx, "AWS/Kinesis", "IncomingBytes", sd, "Bytes", start, now, at("bytes"), digits=0)
    k.series(ctx, "AWS/Kinesis", "PutRecords.TotalRecords", sd, "Count", start, now, at("rec"), digits=0)
    k.series(ctx, "AWS/Kinesis", "PutRecords.SuccessfulRecords", sd, "Count", start, now, at("rec"), digits=0)
    k.series(ctx, "AWS/Kinesis", "PutRecords.Bytes", sd, "Bytes", start, now, at("bytes"), digits=0)
    k.series(
        ctx,
        "AWS/Kinesis",
        "PutRecords.Latency",
        sd,
        "Milliseconds",
        start,
        now,
        lambda m: k.noisy(rng, 14 + sim[m]["size"] / 1024 * 0.9, 0.12) if m in sim else None,
    )
    k.series(ctx, "AWS/Kinesis", "WriteProvisionedThroughputExceeded", sd, "Count", start, now, lambda m: 0.0)
    k.series(ctx, "AWS/Kinesis", "ReadProvisionedThroughputExceeded", sd, "Count", start, now, lambda m: 0.0)
    k_age = k.series(
        ctx,
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        sd,
        "Milliseconds",
        start,
        now,
        at("age"),
        digits=0,
    )
    k.series(ctx, "AWS/Kinesis", "GetRecords.Records", sd, "Count", start, now, at("got"), digits=0)
    k.series(ctx, "AWS/Kinesis", "GetRecords.Bytes", sd, "Bytes", start, now, at("gotb"), digits=0)
    k.series(
        ctx,
        "AWS/Kinesis",
        "GetRecords.Latency",
        sd,
        "Milliseconds",
        start,
        now,
        lambda m: k.noisy(rng, 9 + sim[m]["size"] / 1024 * 1.2, 0.15) if m in sim else None,
    )
    k.series(ctx, "AWS/Kinesis", "GetRecords.Success", sd, "Count", start, now, lambda m: float(shards * 60))
    cd = {"FunctionName": consumer}
    k.series(ctx, "AWS/Lambda", "Invocations", cd, "Count", start, now, at("inv"), digits=0)
    k.series(ctx, "AWS/Lambda", "Duration", cd, "Milliseconds", start, now, at("dur"))
    c_err = k.series(ctx, "AWS/Lambda", "Errors", cd, "Count", start, now, lambda m: 0.0)
    k.series(ctx, "AWS/Lambda", "Throttles", cd, "Count", start, now, lambda m: 0.0)
    l_age = k.series(
        ctx,
        "AWS/Lambda",
        "IteratorAge",
        cd,
        "Milliseconds",
        start,
        now,
        lambda m: sim[m]["age"] + rng.uniform(50, 400) if m in sim else None,
        digits=0,
    )
    k.series(
        ctx,
        "AWS/Lambda",
        "ConcurrentExecutions",
        cd,
        "Count",
        start,
        now,
        lambda m: (
            float(shards if sim[m]["age"] > 5000 else rng.randint(max(1, shards - 2), shards))
            if m in sim
            else None
        ),
    )
    pd = {"FunctionName": producer}
    k.series(ctx, "AWS/Lambda", "Invocations", pd, "Count", start, now, at("prod_inv"), digits=0)
    k.series(
        ctx,
        "AWS/Lambda",
        "Duration",
        pd,
        "Milliseconds",
        start,
        now,
        lambda m: k.noisy(rng, 22 + sim[m]["size"] / 1024 * 2.5, 0.1) if m in sim else None,
    )
    p_err = k.series(
        ctx, "AWS/Lambda", "Errors", pd, "Count", start, now, lambda m: float(rng.random() < 0.03)
    )
    k.series(
        ctx,
        "AWS/Lambda",
        "ConcurrentExecutions",
        pd,
        "Count",
        start,
        now,
        lambda m: max(1.0, round(sim[m]["prod_inv"] / 60 * 0.05 + rng.uniform(1, 4))) if m in sim else None,
    )
    od = {"FunctionName": other_fn}
    k.series(
        ctx,
        "AWS/Lambda",
        "Invocations",
        od,
        "Count",
        start,
        now,
        lambda m: 1.0 if m.minute % 15 == 0 else None,
    )
    k.series(
        ctx,
        "AWS/Lambda",
        "Duration",
        od,
        "Milliseconds",
        start,
        now,
        lambda m: k.noisy(rng, 8400, 0.2) if m.minute % 15 == 0 else None,
    )
    ad = {"ApiName": f"{co}-collect", "Stage": "prod"}
    k.series(ctx, "AWS/ApiGateway", "Count", ad, "Count", start, now, at("prod_inv"), digits=0)
    k.series(
        ctx,
        "AWS/ApiGateway",
        "Latency",
        ad,
        "Milliseconds",
        start,
        now,
        lambda m: k.noisy(rng, 38 + sim[m]["size"] / 1024 * 2.5, 0.1) if m in sim else None,
    )
    k.series(ctx, "AWS/ApiGateway", "5XXError", ad, "Count", start, now, lambda m: float(rng.random() < 0.02))
    k.series(ctx, "AWS/ApiGateway", "4XXError", ad, "Count", start, now, lambda m: float(rng.randint(0, 6)))

    age_alarm = k.AlarmSpec(
        f"{consumer}-iterator-age",
        f"{consumer} more than 5 minutes behind {stream}",
        l_age,
        "Maximum",
        60,
        5,
        5,
        300000.0,
        "GreaterThanThreshold",
        "missing",
        [topic],
        [topic],
    )
    k.alarm(ctx, age_alarm, start, now)
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{stream}-iterator-age-critical",
            "Stream readers more than 30 minutes behind",
            k_age,
            "Maximum",
            300,
            1,
            1,
            1_800_000.0,
            "GreaterThanThreshold",
            "missing",
            [topic],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{consumer}-errors",
            f"{consumer} errors",
            c_err,
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanThreshold",
            "notBreaching",
            [topic],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{producer}-errors",
            f"{producer} errors",
            p_err,
            "Sum",
            300,
            2,
            2,
            20.0,
            "GreaterThanThreshold",
            "notBreaching",
            [topic],
        ),
        start,
        now,
    )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 900))
    ret_change = onset - timedelta(minutes=rng.randint(12, 25), seconds=rng.randint(0, 59))
    ctx.resource(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": stream,
            "StreamARN": stream_arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": 72,
            "StreamCreationTimestamp": k.iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": shards,
            "ConsumerCount": 0,
        },
    )
    span = 2**128 // shards
    for i in range(shards):
        lo, hi = i * span, (2**128 - 1 if i == shards - 1 else (i + 1) * span - 1)
        ctx.resource(
            "kinesis",
            "StreamShard",
            {
                "StreamName": stream,
                "ShardId": f"shardId-{i:012d}",
                "HashKeyRange": {"StartingHashKey": str(lo), "EndingHashKey": str(hi)},
                "SequenceNumberRange": {"StartingSequenceNumber": str(rng.randint(10**55, 10**56 - 1))},
            },
        )
    esm = ctx.uuid()
    ctx.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm,
            "StartingPosition": "LATEST",
            "BatchSize": batch,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 1,
            "EventSourceArn": stream_arn,
            "FunctionArn": cons_arn,
            "LastModified": k.iso(created + timedelta(days=11)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 3,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "EventSourceMappingArn": ctx.arn("lambda", f"event-source-mapping:{esm}"),
        },
    )

    def fn(
        name: str,
        arn: str,
        runtime: str,
        handler: str,
        mem: int,
        timeout: int,
        modified: datetime,
        env: dict[str, str],
    ) -> dict[str, Any]:
        return {
            "FunctionName": name,
            "FunctionArn": arn,
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{ctx.account}:role/{name}-role",
            "Handler": handler,
            "CodeSize": rng.randint(40_000, 9_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{modified.microsecond // 1000:03d}+0000",
            "CodeSha256": ctx.b64(32),
            "Version": "$LATEST",
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": ctx.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }

    prod_env_before = {
        "STREAM_NAME": stream,
        "PAYLOAD_MODE": "compact",
        "ENRICH_GEO": "true",
        "LOG_LEVEL": "info",
    }
    prod_env_after = {**prod_env_before, "PAYLOAD_MODE": "full"}
    other_deploy = onset + timedelta(minutes=rng.choice([-17, -11, 8, 14]), seconds=rng.randint(0, 59))
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        fn(producer, prod_arn, "nodejs20.x", "index.handler", 512, 10, onset, prod_env_after),
    )
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        fn(
            consumer,
            cons_arn,
            "python3.12",
            "app.handler",
            1024,
            120,
            start - timedelta(days=rng.randint(3, 20)),
            {"SESSIONS_TABLE": f"{co}-live-sessions", "POWERTOOLS_SERVICE_NAME": consumer},
        ),
    )
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        fn(
            other_fn,
            other_arn,
            "python3.12",
            "app.handler",
            2048,
            900,
            other_deploy,
            {"REPORT_BUCKET": f"{co}-reports-{ctx.account}"},
        ),
    )
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "TableName": f"{co}-live-sessions",
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "TableArn": ctx.arn("dynamodb", f"table/{co}-live-sessions"),
            "TableId": ctx.uuid(),
            "AttributeDefinitions": [{"AttributeName": "session_id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "session_id", "KeyType": "HASH"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(10**8, 10**9),
            "ItemCount": rng.randint(10**5, 10**6),
        },
    )
    ctx.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": f"{co}-collect",
            "createdDate": k.iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
        },
    )
    k.log_group(ctx, f"/aws/lambda/{producer}", created, 14)
    k.log_group(ctx, f"/aws/lambda/{consumer}", created, 14)

    # --- logs ----------------------------------------------------------------------------------------
    gp = f"/aws/lambda/{producer}"
    gc = f"/aws/lambda/{consumer}"
    p_streams = [k.lambda_stream(ctx, start) for _ in range(3)]
    p_new = [k.lambda_stream(ctx, onset) for _ in range(3)]
    seen: set[str] = set()
    t = start + timedelta(seconds=rng.randint(1, 30))
    while t < now:
        after = t >= onset + timedelta(seconds=3)
        st = rng.choice(p_new if after else p_streams)
        m = k.floor_minute(t)
        n = rng.randint(12, 40)
        byt = int(n * sim[m]["size"])
        init = None
        lines: list[tuple[float, str, str]] = []
        if st not in seen:
            seen.add(st)
            init = rng.uniform(210, 330)
            cfg = prod_env_after if after else prod_env_before
            lines.append(
                (
                    0.5,
                    "INFO",
                    json.dumps(
                        {
                            "level": "info",
                            "msg": "collector config",
                            "stream": stream,
                            "payloadMode": cfg["PAYLOAD_MODE"],
                            "enrichGeo": True,
                        },
                        separators=(",", ":"),
                    ),
                )
            )
        d = k.noisy(rng, 22 + sim[m]["size"] / 1024 * 2.5, 0.2)
        lines.append(
            (
                d - 1,
                "INFO",
                json.dumps(
                    {"level": "info", "msg": "putRecords ok", "records": n, "bytes": byt, "failed": 0},
                    separators=(",", ":"),
                ),
            )
        )
        if rng.random() < 0.02:
            lines.insert(
                0,
                (
                    2.0,
                    "WARN",
                    json.dumps(
                        {
                            "level": "warn",
                            "msg": "dropping event without anonymousId",
                            "userAgent": "Mozilla/5.0 (compatible; Googlebot/2.1)",
                        },
                        separators=(",", ":"),
                    ),
                ),
            )
        k.lambda_invocation(ctx, gp, st, t, d, 512, rng.randint(88, 120), lines, init_ms=init)
        t += timedelta(seconds=rng.uniform(40, 110))
    c_streams = [k.lambda_stream(ctx, start - timedelta(hours=rng.randint(1, 9))) for _ in range(shards)]
    t = start + timedelta(seconds=rng.randint(1, 30))
    while t < now:
        m = k.floor_minute(t)
        shard = rng.randrange(shards)
        full = sim[m]["age"] > 20_000
        n = batch if full else rng.randint(150, 420)
        d = 45 + n * sim[m]["size"] / 1024 * per_kb_ms * k.noisy(rng, 1, 0.05)
        lines = [
            (
                d - 3,
                "INFO",
                f"batch done shard=shardId-{shard:012d} records={n} "
                f"bytes={int(n * sim[m]['size'])} sessions_updated={int(n * rng.uniform(0.3, 0.45))} "
                f"behind_ms={int(sim[m]['age'])}",
            )
        ]
        if rng.random() < 0.015:
            lines.insert(
                0, (d / 2, "WARNING", "ProvisionedThroughputExceeded on conditional put, retrying (1/3)")
            )
        k.lambda_invocation(
            ctx,
            gc,
            c_streams[shard],
            t,
            d,
            1024,
            rng.randint(180, 260) + (60 if full else 0),
            lines,
            python=True,
        )
        t += timedelta(seconds=rng.uniform(30, 80))

    # --- CloudTrail ----------------------------------------------------------------------------------
    dom = f"{co}.io"
    dev = k.sso_user(ctx, f"{rng.choice(['sofia', 'mateo', 'hannah', 'tariq'])}@{dom}", "DataEngineer")
    dev2 = k.sso_user(ctx, f"{rng.choice(['jon', 'amara', 'felix'])}@{dom}", "DataEngineer", console=True)
    ci = k.github_ci(ctx, f"{co}-gha-lambda-deploy")
    tf = k.assumed_role(
        ctx,
        "terraform-data-platform",
        f"tf-{rng.randint(1000, 9999)}",
        k.TERRAFORM.format(api="kinesis", n=27),
        ci.ip,
    )
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream}),
        ("kinesis.amazonaws.com", "ListShards", {"streamName": stream}),
        ("lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", {"functionName": consumer}),
        ("lambda.amazonaws.com", "ListEventSourceMappings", {"functionName": consumer}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        (
            "logs.amazonaws.com",
            "StartQuery",
            {
                "logGroupNames": [gc],
                "queryString": "fields @timestamp, @message | sort @timestamp desc | limit 50",
            },
        ),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": f"{co}-live-sessions"}),
    ]
    k.routine_reads(ctx, start, now, rng.randint(18, 24), [dev, dev2], reads)
    for when in k.spread(ctx, start, now, rng.randint(7, 10)):
        name = rng.choice([producer, consumer])
        k.assume_role_by_service(
            ctx, when, "lambda.amazonaws.com", f"arn:aws:iam::{ctx.account}:role/{name}-role", name
        )
    # the change: the producer's payload mode switched to full (by hand, from a laptop)
    k.record(
        ctx,
        onset - timedelta(seconds=rng.randint(30, 90)),
        dev,
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": producer},
        cmd="lambda.get-function-configuration",
    )
    culprit = k.record(
        ctx,
        onset,
        dev,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": producer, "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
        {
            "functionName": producer,
            "functionArn": prod_arn,
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{ctx.account}:role/{producer}-role",
            "handler": "index.handler",
            "codeSize": rng.randint(40_000, 900_000),
            "description": "",
            "timeout": 10,
            "memorySize": 512,
            "lastModified": onset.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": ctx.b64(32),
            "version": "$LATEST",
            "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            "tracingConfig": {"mode": "PassThrough"},
            "revisionId": ctx.uuid(),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
            "ephemeralStorage": {"size": 512},
        },
        cmd="lambda.update-function-configuration",
    )
    # innocent: retention raised on the stream by Terraform a little before
    k.record(
        ctx,
        ret_change - timedelta(seconds=5),
        tf,
        "kinesis.amazonaws.com",
        "DescribeStreamSummary",
        {"streamName": stream},
    )
    k.record(
        ctx,
        ret_change,
        tf,
        "kinesis.amazonaws.com",
        "IncreaseStreamRetentionPeriod",
        {"streamName": stream, "retentionPeriodHours": 72},
        None,
    )
    k.record(
        ctx,
        ret_change + timedelta(seconds=4),
        tf,
        "kinesis.amazonaws.com",
        "AddTagsToStream",
        {"streamName": stream, "tags": {"data-classification": "internal"}},
        None,
    )
    # innocent: a different function deployed inside the half hour
    k.record(
        ctx,
        other_deploy,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": other_fn,
            "s3Bucket": f"{co}-artifacts-{ctx.account}",
            "s3Key": f"{other_fn}/{ctx.hex(7)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": other_fn,
            "functionArn": other_arn,
            "runtime": "python3.12",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
            "codeSha256": ctx.b64(32),
            "revisionId": ctx.uuid(),
        },
        cmd="lambda.update-function-code",
    )

    local = onset + timedelta(hours=off) + timedelta(minutes=rng.randint(3, 9))
    q = local.strftime("%-I:%M%p").lower()
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
                "question": rng.choice(
                    [
                        f"the live sessions dashboard has been lagging further and further behind since about {q}. "
                        f"{consumer} isn't erroring. why is it falling behind?",
                        f"since roughly {q} the realtime numbers are stale and getting worse. what changed?",
                    ]
                ),
                "alarm_event": None,
                "timezone": tzname,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": producer,
                    "category": "change",
                    "failure_mode": "record-size-increase",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [prod_arn],
                "actions": ["rollback", "scale"],
                "chain": [
                    f"UpdateFunctionConfiguration on {producer} switches PAYLOAD_MODE to full",
                    f"records put to {stream} grow about threefold (IncomingBytes up, IncomingRecords flat)",
                    f"{consumer}'s batches take about three times longer; per-shard throughput drops below the arrival rate",
                    f"{consumer} IteratorAge / {stream} GetRecords.IteratorAgeMilliseconds climb steadily",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
