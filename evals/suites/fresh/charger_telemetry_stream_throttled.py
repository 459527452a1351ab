"""Evening charging peak outgrows a provisioned Kinesis stream; telemetry uploads fail with throttling."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzl as k

NAME = "charger-telemetry-ingest-errors-evening-peak"
TITLE = "charger-telemetry-ingest Lambda errors alarm as the evening charging peak builds"
SUMMARY = (
    "Telemetry volume at the evening peak passes the write capacity of a provisioned Kinesis stream's "
    "shards; PutRecords is throttled and the ingest Lambda fails uploads after its retries."
)

REGION = "us-east-2"
TZ = "America/Chicago"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = k.Ids(rng)
    account = ids.account()
    day = k.start_of_day(rng)
    # evening peak in Chicago: 16:30-18:30 local is 21:30-23:30 UTC in winter, 22:30 in summer
    local_onset = datetime(
        day.year, day.month, day.day, 17, rng.randint(5, 40), rng.randint(0, 59), tzinfo=ZoneInfo(TZ)
    )
    onset = local_onset.astimezone(k.UTC)
    onset_min = onset.replace(second=0)
    start = (onset - timedelta(hours=3, minutes=rng.randint(10, 40))).replace(second=0)
    start = start - timedelta(minutes=start.minute % 5)
    now = (onset + timedelta(minutes=rng.randint(38, 55))).replace(second=0)

    stream = "charger-telemetry"
    shards = rng.choice([2, 3, 4])
    stream_arn = f"arn:aws:kinesis:{REGION}:{account}:stream/{stream}"
    ingest = "charger-telemetry-ingest"
    aggregator = "charging-session-aggregator"
    webhook = "payments-webhook-handler"
    table = "charging-sessions"
    api_name = "charger-telemetry-api"
    api_id = ids.hex(10)

    # ---- traffic --------------------------------------------------------------------------------
    times = k.minutes(start, now)
    cap_bytes = shards * 60_000_000.0
    rec_size = rng.uniform(1050, 1250)
    u_on = rng.uniform(0.80, 0.84)  # per-second bursts and hash skew throttle before 100% of the average

    def util(t: datetime) -> float:
        x = (t - onset).total_seconds() / 60
        if x < 0:
            return u_on + x * (u_on - 0.42) / ((onset - start).total_seconds() / 60) * (
                1.0 - 0.25 * math.sin(x / 30)
            )
        return u_on + x * rng.uniform(0.0018, 0.0034)

    u = {t: max(0.2, util(t) * rng.uniform(0.97, 1.03)) for t in times}
    attempted = {t: u[t] * cap_bytes / rec_size for t in times}
    throttled_frac = {
        t: (0.0 if u[t] < u_on else min(0.3, 0.9 * (u[t] - u_on + 0.01) ** 1.2 + rng.uniform(0.002, 0.01)))
        for t in times
    }
    throttled_frac = {t: (v if t >= onset_min else 0.0) for t, v in throttled_frac.items()}
    m = k.Metrics()
    sd = {"StreamName": stream}
    ok_rec = {t: float(round(attempted[t] * (1 - throttled_frac[t]))) for t in times}
    thr = {t: float(round(attempted[t] * throttled_frac[t])) for t in times}
    m.put("AWS/Kinesis", "IncomingRecords", sd, "Count", ok_rec)
    m.put(
        "AWS/Kinesis",
        "IncomingBytes",
        sd,
        "Bytes",
        {t: v * rec_size * rng.uniform(0.98, 1.02) for t, v in ok_rec.items()},
    )
    m.put("AWS/Kinesis", "WriteProvisionedThroughputExceeded", sd, "Count", thr)
    m.put("AWS/Kinesis", "PutRecords.TotalRecords", sd, "Count", {t: ok_rec[t] + thr[t] for t in times})
    m.put("AWS/Kinesis", "PutRecords.SuccessfulRecords", sd, "Count", ok_rec)
    m.put("AWS/Kinesis", "PutRecords.ThrottledRecords", sd, "Count", thr)
    m.put("AWS/Kinesis", "PutRecords.FailedRecords", sd, "Count", {t: 0.0 for t in times})
    m.put(
        "AWS/Kinesis",
        "PutRecords.Latency",
        sd,
        "Milliseconds",
        {t: rng.uniform(14, 24) + 25 * throttled_frac[t] for t in times},
    )
    m.put(
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        sd,
        "Milliseconds",
        {t: rng.uniform(200, 900) + (rng.uniform(0, 1800) if t > onset_min else 0) for t in times},
    )
    m.put("AWS/Kinesis", "GetRecords.Records", sd, "Count", ok_rec)
    m.put("AWS/Kinesis", "ReadProvisionedThroughputExceeded", sd, "Count", {t: 0.0 for t in times})

    uploads = {t: attempted[t] / rng.uniform(38, 44) for t in times}  # one upload carries ~40 readings
    fail_frac = {t: (0.0 if t < onset_min else min(0.6, throttled_frac[t] ** 0.8 * 1.2)) for t in times}
    errs = {t: float(round(uploads[t] * fail_frac[t] * rng.uniform(0.8, 1.2))) for t in times}
    odd = {t for t in times if rng.random() < 0.04}
    errs = {t: v + (1.0 if t in odd else 0.0) for t, v in errs.items()}
    inv = {t: float(round(uploads[t])) for t in times}
    ld = {"FunctionName": ingest}
    m.put("AWS/Lambda", "Invocations", ld, "Count", inv)
    m.put("AWS/Lambda", "Errors", ld, "Count", errs)
    m.put("AWS/Lambda", "Throttles", ld, "Count", {t: 0.0 for t in times})
    m.put(
        "AWS/Lambda",
        "Duration",
        ld,
        "Milliseconds",
        {t: rng.uniform(38, 55) + 900 * throttled_frac[t] for t in times},
    )
    m.put(
        "AWS/Lambda",
        "ConcurrentExecutions",
        ld,
        "Count",
        {t: float(round(inv[t] / 60 * (0.05 + 0.9 * throttled_frac[t]) + rng.uniform(1, 4))) for t in times},
    )
    ad = {"FunctionName": aggregator}
    agg_inv = {t: float(shards * rng.randint(55, 60)) for t in times}
    m.put("AWS/Lambda", "Invocations", ad, "Count", agg_inv)
    m.put("AWS/Lambda", "Errors", ad, "Count", {t: 0.0 for t in times})
    m.put("AWS/Lambda", "Throttles", ad, "Count", {t: 0.0 for t in times})
    m.put(
        "AWS/Lambda",
        "Duration",
        ad,
        "Milliseconds",
        {t: rng.uniform(180, 320) * (1 + 0.3 * u[t]) for t in times},
    )
    m.put(
        "AWS/Lambda",
        "IteratorAge",
        ad,
        "Milliseconds",
        {t: rng.uniform(300, 1100) + (rng.uniform(0, 1500) if t > onset_min else 0) for t in times},
    )
    wd = {"FunctionName": webhook}
    w_inv = {t: float(rng.randint(2, 14)) for t in times if rng.random() < 0.8}
    blip = start + timedelta(minutes=rng.randint(40, 120))
    w_err = {t: (float(rng.randint(2, 5)) if blip <= t < blip + timedelta(minutes=4) else 0.0) for t in w_inv}
    m.put("AWS/Lambda", "Invocations", wd, "Count", w_inv)
    m.put("AWS/Lambda", "Errors", wd, "Count", w_err)
    m.put("AWS/Lambda", "Duration", wd, "Milliseconds", {t: rng.uniform(300, 900) for t in w_inv})
    api = {"ApiName": api_name, "Stage": "prod"}
    m.put("AWS/ApiGateway", "Count", api, "Count", inv)
    m.put("AWS/ApiGateway", "5XXError", api, "Count", errs)
    m.put("AWS/ApiGateway", "4XXError", api, "Count", {t: float(rng.randint(0, 6)) for t in times})
    m.put(
        "AWS/ApiGateway",
        "Latency",
        api,
        "Milliseconds",
        {t: rng.uniform(60, 80) + 950 * throttled_frac[t] for t in times},
    )
    td = {"TableName": table}
    m.put(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        {t: agg_inv[t] * rng.uniform(18, 24) for t in times},
    )
    m.put(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "UpdateItem"},
        "Milliseconds",
        {t: rng.uniform(3.5, 6.0) for t in times},
    )

    # ---- alarms ---------------------------------------------------------------------------------
    ops = f"arn:aws:sns:{REGION}:{account}:platform-oncall"
    al = k.Alarms(account, REGION)

    def five(pts: dict[datetime, float], how: str = "sum") -> dict[datetime, float]:
        out: dict[datetime, list[float]] = {}
        for t, v in pts.items():
            b = t - timedelta(minutes=t.minute % 5)
            out.setdefault(b, []).append(v)
        return {b: (sum(v) if how == "sum" else max(v)) for b, v in out.items()}

    err_threshold = float(rng.choice([25, 40, 50]))
    al.add(
        k.AlarmSpec(
            f"{ingest}-errors",
            "Telemetry ingest Lambda failing uploads",
            "AWS/Lambda",
            "Errors",
            ld,
            "Sum",
            60,
            3,
            3,
            err_threshold,
            "GreaterThanThreshold",
            "notBreaching",
            [ops],
        ),
        errs,
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            f"{aggregator}-iterator-age",
            "Session aggregator falling behind the stream",
            "AWS/Lambda",
            "IteratorAge",
            ad,
            "Maximum",
            60,
            5,
            5,
            60000.0,
            "GreaterThanThreshold",
            "missing",
            [ops],
        ),
        m.get("AWS/Lambda", "IteratorAge", ad),
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            f"{webhook}-errors",
            "Payment provider webhooks failing",
            "AWS/Lambda",
            "Errors",
            wd,
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            [ops],
        ),
        five(w_err),
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            f"{api_name}-latency",
            "Telemetry API average latency",
            "AWS/ApiGateway",
            "Latency",
            api,
            "Average",
            300,
            3,
            3,
            1500.0,
            "GreaterThanThreshold",
            "missing",
            [],
        ),
        five(m.get("AWS/ApiGateway", "Latency", api), "max"),
        start,
        now,
    )
    if rng.random() < 2:
        al.add(
            k.AlarmSpec(
                f"{table}-write-throttles",
                "Sessions table throttled writes",
                "AWS/DynamoDB",
                "WriteThrottleEvents",
                td,
                "Sum",
                300,
                1,
                1,
                0.0,
                "GreaterThanThreshold",
                "notBreaching",
                [ops],
            ),
            {},
            start,
            now,
        )

    # ---- CloudTrail -----------------------------------------------------------------------------
    trail = k.Trail(ids, account, REGION)
    dd = trail.person(
        "role",
        "DatadogAWSIntegration",
        "DatadogIntegrationRole",
        k.ip(rng, "3.233", 1, 250),
        "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/kinesis#1.29.3",
    )
    ci = trail.person(
        "role",
        "GitHubActions",
        "voltgrid-ci-deploy",
        k.ip(rng, "140.82", 1, 250),
        "aws-cli/2.17.18 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
    )
    eng_name = rng.choice(["marcus.bell", "priya.raman", "tom.okafor"])
    eng = trail.person(
        "sso",
        eng_name,
        "AWSReservedSSO_Developer_" + ids.hex(16),
        k.ip(rng, "73", 1, 250),
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36",
    )
    t = start + timedelta(minutes=rng.randint(0, 4), seconds=rng.randint(0, 59))
    while t < now:
        trail.add(dd, t, "kinesis.amazonaws.com", "ListStreams", {"limit": 100}, None, True)
        trail.add(
            dd,
            t + timedelta(seconds=1),
            "kinesis.amazonaws.com",
            "DescribeStreamSummary",
            {"streamName": stream},
            None,
            True,
        )
        if rng.random() < 0.5:
            trail.add(
                dd,
                t + timedelta(seconds=2),
                "kinesis.amazonaws.com",
                "ListTagsForStream",
                {"streamName": stream},
                None,
                True,
            )
        t += timedelta(minutes=10, seconds=rng.randint(-20, 20))
    deploy_at = onset - timedelta(minutes=rng.randint(55, 95), seconds=rng.randint(0, 59))
    for when, fn in ((deploy_at, ingest), (start + timedelta(minutes=rng.randint(10, 30)), webhook)):
        trail.add(
            ci,
            when,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": fn,
                "zipFile": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "publish": True,
                "dryRun": False,
            },
            {
                "functionName": fn,
                "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:{fn}",
                "runtime": "nodejs20.x",
                "handler": "index.handler",
                "codeSize": rng.randint(300_000, 2_000_000),
                "timeout": 15,
                "memorySize": 256,
                "lastModified": k.lambda_ts(when),
                "codeSha256": ids.hex(43) + "=",
                "version": str(rng.randint(40, 120)),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "packageType": "Zip",
                "architectures": ["arm64"],
            },
        )
        trail.add(
            ci,
            when + timedelta(seconds=4),
            "lambda.amazonaws.com",
            "UpdateAlias20150331",
            {"functionName": fn, "name": "live", "functionVersion": str(rng.randint(40, 120))},
            None,
        )
    esm_uuid = ids.uuid()
    esm_change = onset - timedelta(minutes=rng.randint(18, 35))
    trail.add(
        eng,
        esm_change - timedelta(minutes=2),
        "lambda.amazonaws.com",
        "GetEventSourceMapping",
        {"uUID": esm_uuid},
        None,
        True,
    )
    trail.add(
        eng,
        esm_change,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        {"uUID": esm_uuid, "batchSize": 500, "maximumBatchingWindowInSeconds": 2},
        {
            "uUID": esm_uuid,
            "batchSize": 500,
            "maximumBatchingWindowInSeconds": 2,
            "parallelizationFactor": 1,
            "eventSourceArn": stream_arn,
            "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:{aggregator}",
            "lastModified": k.iso(esm_change),
            "state": "Updating",
            "stateTransitionReason": "USER_INITIATED",
        },
    )
    for _ in range(6):
        when = start + timedelta(
            minutes=rng.randint(2, int((now - start).total_seconds() // 60) - 1), seconds=rng.randint(0, 59)
        )
        trail.add(dd, when, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}, None, True)
        trail.add(
            dd,
            when + timedelta(seconds=3),
            "dynamodb.amazonaws.com",
            "DescribeTable",
            {"tableName": table},
            None,
            True,
        )
    look = now - timedelta(minutes=rng.randint(3, 8))
    trail.add(
        eng, look, "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": ingest}, None, True
    )
    trail.add(
        eng,
        look + timedelta(seconds=30),
        "lambda.amazonaws.com",
        "ListVersionsByFunction20150331",
        {"functionName": ingest},
        None,
        True,
    )

    # ---- logs -----------------------------------------------------------------------------------
    logs = k.Logs()
    grp = f"/aws/lambda/{ingest}"
    version = "live"
    streams = [k.lambda_stream(ids, start, "$LATEST") for _ in range(3)]
    streams += [k.lambda_stream(ids, deploy_at, "$LATEST") for _ in range(4)]
    shard_ids = [f"shardId-{i:012d}" for i in range(shards)]
    del version
    for t in times:
        n = 1 if t < onset_min else 3
        if t in odd:
            at = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            rid = ids.uuid()
            ts = k.iso_ms(at)[:-5] + "Z"
            err = {
                "errorType": "TypeError",
                "errorMessage": "Cannot read properties of undefined (reading 'meterValues')",
                "stack": [
                    "TypeError: Cannot read properties of undefined (reading 'meterValues')",
                    "    at toRecords (/var/task/index.js:112:31)",
                    "    at Runtime.handler (/var/task/index.js:36:19)",
                ],
            }
            lines = [f"{ts}\t{rid}\tERROR\tInvoke Error \t" + json.dumps(err)]
            s0 = rng.choice(streams[3:] if t >= deploy_at else streams[:3])
            logs.lambda_invocation(grp, s0, at, rid, rng.uniform(5, 12), 256, rng.randint(88, 100), lines)
        for _ in range(n):
            s = rng.choice(streams[3:] if t >= deploy_at else streams[:3])
            at = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            rid = ids.uuid()
            ts = k.iso_ms(at)[:-5] + "Z"
            charger = f"CP-{rng.randint(10000, 99999)}"
            readings = rng.randint(20, 60)
            if t >= onset_min and rng.random() < fail_frac[t] * 1.5 + 0.15:
                failed = rng.randint(1, readings // 2)
                shard = rng.choice(shard_ids[-2:])
                lines = [f"{ts}\t{rid}\tINFO\tupload charger={charger} readings={readings}"]
                for attempt in (1, 2, 3):
                    lines.append(
                        f"{ts}\t{rid}\tWARN\tPutRecords attempt {attempt}: {failed} of {readings} records failed (ProvisionedThroughputExceededException) retrying in {50 * 2**attempt}ms"
                    )
                    failed = max(1, failed - rng.randint(0, failed // 2))
                final_fail = rng.random() < 0.55
                if final_fail:
                    lines.append(
                        f"{ts}\t{rid}\tERROR\tInvoke Error \t"
                        + json.dumps(
                            {
                                "errorType": "ProvisionedThroughputExceededException",
                                "errorMessage": f"Rate exceeded for shard {shard} in stream {stream} under account {account}.",
                                "name": "ProvisionedThroughputExceededException",
                                "$fault": "client",
                                "$metadata": {
                                    "httpStatusCode": 400,
                                    "requestId": ids.uuid(),
                                    "attempts": 1,
                                    "totalRetryDelay": 0,
                                },
                                "stack": [
                                    "ProvisionedThroughputExceededException: Rate exceeded for shard "
                                    + shard
                                    + " in stream "
                                    + stream
                                    + " under account "
                                    + account
                                    + ".",
                                    "    at putWithRetry (/var/task/index.js:88:15)",
                                    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                                    "    at async Runtime.handler (/var/task/index.js:41:5)",
                                ],
                            }
                        )
                    )
                else:
                    lines.append(
                        f"{ts}\t{rid}\tINFO\tstored charger={charger} readings={readings} after retries"
                    )
                logs.lambda_invocation(
                    grp, s, at, rid, rng.uniform(600, 1400), 256, rng.randint(92, 110), lines
                )
            else:
                lines = [
                    f"{ts}\t{rid}\tINFO\tupload charger={charger} readings={readings}",
                    f"{ts}\t{rid}\tINFO\tstored charger={charger} readings={readings}",
                ]
                logs.lambda_invocation(grp, s, at, rid, rng.uniform(30, 60), 256, rng.randint(88, 100), lines)
    agrp = f"/aws/lambda/{aggregator}"
    astream = k.lambda_stream(ids, start)
    for t in times:
        if rng.random() < 0.3:
            rid = ids.uuid()
            ts = k.iso_ms(t)[:-5] + "Z"
            lines = [
                f"{ts}\t{rid}\tINFO\tbatch shard={rng.choice(shard_ids)} records={rng.randint(80, 500)} sessions_updated={rng.randint(20, 120)}"
            ]
            logs.lambda_invocation(
                agrp,
                astream,
                t + timedelta(seconds=rng.randint(0, 59)),
                rid,
                rng.uniform(150, 400),
                512,
                rng.randint(120, 160),
                lines,
            )

    # ---- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 700))
    resources: list[k.Rec] = [
        k.res(
            "kinesis",
            "StreamDescriptionSummary",
            {
                "StreamName": stream,
                "StreamARN": stream_arn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "RetentionPeriodHours": 48,
                "StreamCreationTimestamp": k.iso(created),
                "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
                "EncryptionType": "KMS",
                "KeyId": "alias/aws/kinesis",
                "OpenShardCount": shards,
                "ConsumerCount": 0,
            },
        )
    ]
    step = (2**128) // shards
    for i in range(shards):
        lo = i * step
        hi = (2**128 - 1) if i == shards - 1 else (i + 1) * step - 1
        resources.append(
            k.res(
                "kinesis",
                "StreamShard",
                {
                    "StreamName": stream,
                    "ShardId": shard_ids[i],
                    "HashKeyRange": {"StartingHashKey": str(lo), "EndingHashKey": str(hi)},
                    "SequenceNumberRange": {"StartingSequenceNumber": str(rng.randint(10**55, 10**56))},
                },
            )
        )
    for fn, mem, to, rt, mod in (
        (ingest, 256, 15, "nodejs20.x", deploy_at),
        (aggregator, 512, 60, "nodejs20.x", created + timedelta(days=100)),
        (webhook, 256, 30, "nodejs20.x", start),
    ):
        r = f"{fn}-role"
        cfg = k.lambda_config(
            ids,
            account,
            REGION,
            fn,
            rt,
            "index.handler",
            r,
            mem,
            to,
            mod,
            {"NODE_OPTIONS": "--enable-source-maps", "STREAM_NAME": stream}
            if fn == ingest
            else {"NODE_OPTIONS": "--enable-source-maps"},
        )
        resources.append(k.res("lambda", "FunctionConfiguration", cfg))
        resources.append(
            k.res("logs", "LogGroup", k.log_group(account, REGION, f"/aws/lambda/{fn}", created, 14))
        )
        resources.append(k.res("iam", "Role", k.role(ids, account, r, "lambda.amazonaws.com", created)))
    resources.append(
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": esm_uuid,
                "StartingPosition": "LATEST",
                "BatchSize": 500,
                "MaximumBatchingWindowInSeconds": 2,
                "ParallelizationFactor": 1,
                "EventSourceArn": stream_arn,
                "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{aggregator}",
                "LastModified": k.iso(esm_change),
                "LastProcessingResult": "OK",
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "DestinationConfig": {"OnFailure": {}},
                "MaximumRecordAgeInSeconds": -1,
                "BisectBatchOnFunctionError": False,
                "MaximumRetryAttempts": -1,
                "TumblingWindowInSeconds": 0,
                "FunctionResponseTypes": [],
                "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:{account}:event-source-mapping:{esm_uuid}",
            },
        )
    )
    resources.append(
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "TableName": table,
                "TableStatus": "ACTIVE",
                "TableArn": f"arn:aws:dynamodb:{REGION}:{account}:table/{table}",
                "TableId": ids.uuid(),
                "CreationDateTime": k.iso(created),
                "KeySchema": [{"AttributeName": "sessionId", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "sessionId", "AttributeType": "S"}],
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "ItemCount": rng.randint(2_000_000, 9_000_000),
                "TableSizeBytes": rng.randint(2_000_000_000, 9_000_000_000),
                "DeletionProtectionEnabled": True,
            },
        )
    )
    resources.append(
        k.res(
            "apigateway",
            "RestApi",
            {
                "id": api_id,
                "name": api_name,
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
            },
        )
    )
    resources.append(
        k.res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": api_id,
                "stageName": "prod",
                "deploymentId": ids.hex(6),
                "createdDate": k.iso(created),
                "lastUpdatedDate": k.iso(created + timedelta(days=30)),
                "tracingEnabled": False,
                "methodSettings": {},
            },
        )
    )

    spec_name = f"{ingest}-errors"
    if not al.transitions[spec_name]:
        raise RuntimeError("alarm never fired")
    first_alarm = next(i for i, tr in enumerate(al.transitions[spec_name]) if tr[2] == "ALARM")
    event = al.event(spec_name, ids, first_alarm)
    local_now = now.astimezone(ZoneInfo(TZ))
    question = rng.choice(
        [
            None,
            f"Got paged for {ingest} errors. Field ops say a bunch of chargers show 'telemetry sync delayed' since a bit after {local_onset.strftime('%-I:%M')}. We shipped an ingest change this afternoon, is that it?",
            f"ingest errors page at {local_now.strftime('%-I:%M')}pm - chargers reporting upload failures. what's going on?",
        ]
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": stream,
            "category": "limit",
            "failure_mode": "kinesis-shard-write-throughput-exceeded",
        },
        "also_accept": [stream_arn, *shard_ids],
        "actions": ["scale"],
        "chain": [stream, ingest, api_name],
    }
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
