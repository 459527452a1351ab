"""A sessions table 'losing' millions of items and a stream-consumer lag page (kit zzd)."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzd as k

NAME = "sessions-table-ttl-sweep"
TITLE = "session-sync IteratorAge page, and device-sessions lost millions of items overnight"
SUMMARY = (
    "DynamoDB's TTL sweeper worked through a backlog of expired device sessions; the REMOVE stream records "
    "briefly backed up the stream consumer. Nothing deleted data and users were unaffected."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"zzd-ttl-{seed}")
    acct = k.account(rng)
    region = rng.choice(["us-east-1", "us-west-2", "us-east-2"])
    tz = ZoneInfo(rng.choice(["America/New_York", "America/Chicago"]))
    day = k.day_start(rng)
    brand = rng.choice(["hearthcam", "doorwise", "nestlight"])
    table = "device-sessions"
    fn_sync = "session-sync"
    fn_auth = "auth-api"
    sweep_start = day + timedelta(hours=rng.randint(9, 12), minutes=rng.randint(0, 59))
    sweep_len = timedelta(minutes=rng.randint(100, 150))
    start = (sweep_start - timedelta(hours=3, minutes=rng.randint(10, 50))).replace(second=0)
    cap = (
        60 * 12 * 100 / rng.uniform(1.35, 1.5)
    )  # records/min the consumer can process (12 shards, ~1.1 s a batch)
    created = day - timedelta(days=rng.randint(500, 900))
    sweep_peak = cap * rng.uniform(1.15, 1.32)  # TTL deletions a minute at the height of the sweep
    shards = 12

    def ttl_rate(t):
        if sweep_start <= t < sweep_start + sweep_len:
            x = (t - sweep_start) / sweep_len
            shape = min(1.0, x * 6) * (1 - max(0.0, x - 0.7) / 0.3 * 0.9)
            return sweep_peak * shape * rng.uniform(0.9, 1.1)
        return rng.uniform(300, 900)

    def traffic(t):  # app writes/min (logins refresh sessions)
        return k.diurnal(t, 22, 9000, 26000)

    end_guess = sweep_start + sweep_len + timedelta(hours=5)
    a_thr = 600_000.0  # 10 minutes
    for _attempt in range(12):
        srng = random.Random(f"zzd-ttl-sim-{seed}-{_attempt}")
        backlog = 0.0
        sim: dict = {}
        ttl_c: dict = {}
        t = start
        while t < end_guess:
            tr_ = ttl_rate(t) if not _attempt else ttl_rate(t) * (1 + 0.05 * _attempt)
            ttl_c[k.iso(t)] = tr_
            arriving = tr_ + traffic(t) * 0.55
            done = min(cap * srng.uniform(0.97, 1.0), backlog + arriving)
            backlog = max(0.0, backlog + arriving - done)
            age_ms = (backlog / cap) * 60_000 + srng.uniform(200, 900)
            sim[k.iso(t)] = (done, age_ms, backlog)
            t += timedelta(minutes=1)
        alarm_at = None
        ok_at = None
        tt = start + timedelta(minutes=2)
        while tt < end_guess:
            if alarm_at is None and all(sim[k.iso(tt - timedelta(minutes=i))][1] > a_thr for i in range(3)):
                alarm_at = tt
            if alarm_at and ok_at is None and tt > alarm_at and sim[k.iso(tt)][1] <= a_thr:
                ok_at = tt
            tt += timedelta(minutes=1)
        if alarm_at is not None:
            break
    else:
        raise RuntimeError("sweep did not page; adjust parameters")
    now = (ok_at or alarm_at + timedelta(minutes=45)) + timedelta(
        minutes=rng.randint(12, 25), seconds=rng.randint(0, 59)
    )
    if now - alarm_at < timedelta(minutes=35):
        now = alarm_at + timedelta(minutes=rng.randint(36, 44), seconds=rng.randint(0, 59))

    stream_label = k.iso(created + timedelta(days=30, seconds=rng.randint(0, 86399))).replace(
        "Z", f".{rng.randint(100, 999)}"
    )
    m = k.Metrics()
    td = {"TableName": table}
    m.series(
        "AWS/DynamoDB",
        "TimeToLiveDeletedItemCount",
        td,
        "Count",
        start,
        now,
        lambda t: round(ttl_c[k.iso(t)]),
    )
    m.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        start,
        now,
        lambda t: round(traffic(t) * 1.6 * rng.uniform(0.95, 1.05), 1),
    )
    m.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        td,
        "Count",
        start,
        now,
        lambda t: round(traffic(t) * 2.1 * rng.uniform(0.95, 1.05), 1),
    )
    m.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "GetItem"},
        "Milliseconds",
        start,
        now,
        lambda t: (rng.uniform(2.6, 3.4), rng.uniform(18, 45), rng.uniform(1.2, 1.6)),
        stats=True,
        samples=1000,
    )
    m.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "PutItem"},
        "Milliseconds",
        start,
        now,
        lambda t: (rng.uniform(4.2, 5.6), rng.uniform(25, 60), rng.uniform(2.2, 2.9)),
        stats=True,
        samples=600,
    )
    m.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "GetRecords", "StreamLabel": stream_label},
        "Milliseconds",
        start,
        now,
        lambda t: (rng.uniform(9, 14), rng.uniform(40, 110), rng.uniform(3, 5)),
        stats=True,
        samples=shards * 50,
    )
    m.series(
        "AWS/DynamoDB",
        "ReturnedRecordsCount",
        {"TableName": table, "Operation": "GetRecords", "StreamLabel": stream_label},
        "Count",
        start,
        now,
        lambda t: round(sim[k.iso(t)][0] * 1.02),
    )
    m.series(
        "AWS/DynamoDB",
        "ConditionalCheckFailedRequests",
        td,
        "Count",
        start,
        now,
        lambda t: float(rng.randint(2, 30)),
    )
    m.series(
        "AWS/DynamoDB", "UserErrors", {}, "Count", start, now, lambda t: rng.choice([None, None, 1.0, 2.0])
    )

    def batches(t):
        return sim[k.iso(t)][0] / 70

    m.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": fn_sync},
        "Count",
        start,
        now,
        lambda t: round(batches(t)),
    )
    m.series("AWS/Lambda", "Errors", {"FunctionName": fn_sync}, "Count", start, now, lambda t: 0.0)
    m.series(
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": fn_sync},
        "Milliseconds",
        start,
        now,
        lambda t: (
            sim[k.iso(t)][1] * 0.8,
            sim[k.iso(t)][1],
            min(sim[k.iso(t)][1] * 0.5, rng.uniform(150, 400)),
        ),
        stats=True,
        samples=12,
    )
    m.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": fn_sync},
        "Milliseconds",
        start,
        now,
        lambda t: (
            rng.uniform(650, 900) if sim[k.iso(t)][2] < 100 else rng.uniform(1050, 1250),
            rng.uniform(1600, 2300),
            rng.uniform(180, 260),
        ),
        stats=True,
        samples=60,
    )
    m.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        {"FunctionName": fn_sync},
        "Count",
        start,
        now,
        lambda t: float(shards if sim[k.iso(t)][2] > 100 else rng.randint(6, 11)),
    )
    m.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": fn_auth},
        "Count",
        start,
        now,
        lambda t: round(traffic(t) * 0.8),
    )
    m.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn_auth},
        "Count",
        start,
        now,
        lambda t: float(rng.choice([0, 0, 0, 1, 2])),
    )
    m.series("AWS/Lambda", "Throttles", {"FunctionName": fn_auth}, "Count", start, now, lambda t: 0.0)
    m.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": fn_auth},
        "Milliseconds",
        start,
        now,
        lambda t: (rng.uniform(38, 52), rng.uniform(300, 900), rng.uniform(9, 14)),
        stats=True,
        samples=300,
    )
    api_name = f"{brand}-auth"
    apid = {"ApiName": api_name, "Stage": "prod"}
    m.series("AWS/ApiGateway", "Count", apid, "Count", start, now, lambda t: round(traffic(t) * 0.8))
    m.series(
        "AWS/ApiGateway", "5XXError", apid, "Count", start, now, lambda t: float(rng.choice([0, 0, 0, 0, 1]))
    )
    m.series(
        "AWS/ApiGateway",
        "4XXError",
        apid,
        "Count",
        start,
        now,
        lambda t: round(traffic(t) * 0.8 * rng.uniform(0.01, 0.02)),
    )
    m.series(
        "AWS/ApiGateway",
        "Latency",
        apid,
        "Milliseconds",
        start,
        now,
        lambda t: (rng.uniform(60, 80), rng.uniform(400, 1100), rng.uniform(18, 25)),
        stats=True,
        samples=300,
    )
    fh = f"{brand}-session-events"
    m.series(
        "AWS/Firehose",
        "IncomingRecords",
        {"DeliveryStreamName": fh},
        "Count",
        start,
        now,
        lambda t: round(sim[k.iso(t)][0]),
        period=60,
    )
    m.series(
        "AWS/Firehose",
        "DeliveryToS3.Success",
        {"DeliveryStreamName": fh},
        "Count",
        start,
        now,
        lambda t: 1.0,
        period=300,
    )

    # ---------------- resources ----------------
    table_arn = f"arn:aws:dynamodb:{region}:{acct}:table/{table}"
    stream_arn = f"{table_arn}/stream/{stream_label}"
    items_now = rng.randint(28, 36) * 10**6
    tbl = {
        "AttributeDefinitions": [
            {"AttributeName": "sessionId", "AttributeType": "S"},
            {"AttributeName": "deviceId", "AttributeType": "S"},
        ],
        "TableName": table,
        "KeySchema": [{"AttributeName": "sessionId", "KeyType": "HASH"}],
        "TableStatus": "ACTIVE",
        "CreationDateTime": k.iso(created),
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0,
            "WriteCapacityUnits": 0,
        },
        "TableSizeBytes": items_now * rng.randint(380, 460),
        "ItemCount": items_now,
        "TableArn": table_arn,
        "TableId": k.uid(rng),
        "BillingModeSummary": {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": k.iso(created + timedelta(days=40)),
        },
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "deviceId-index",
                "KeySchema": [{"AttributeName": "deviceId", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "IndexSizeBytes": items_now * 70,
                "ItemCount": items_now,
                "IndexArn": f"{table_arn}/index/deviceId-index",
            }
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "LatestStreamLabel": stream_label,
        "LatestStreamArn": stream_arn,
        "SSEDescription": {
            "Status": "ENABLED",
            "SSEType": "KMS",
            "KMSMasterKeyArn": f"arn:aws:kms:{region}:{acct}:key/{k.uid(rng)}",
        },
        "TableClassSummary": {"TableClass": "STANDARD"},
        "DeletionProtectionEnabled": True,
    }

    def lam(name, handler, mem, timeout, env, modified, desc, runtime="nodejs20.x"):
        return {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{name}",
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{acct}:role/{name}-role",
            "Handler": handler,
            "CodeSize": rng.randint(200000, 900000),
            "Description": desc,
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": k.iso(modified).replace("Z", ".000+0000"),
            "CodeSha256": k.hexid(rng, 43),
            "Version": "$LATEST",
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": k.uid(rng),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        }

    auth_deploy = sweep_start + timedelta(minutes=rng.randint(-80, -30))
    lambdas = [
        lam(
            fn_sync,
            "index.handler",
            512,
            60,
            {"DELIVERY_STREAM": fh},
            day - timedelta(days=rng.randint(20, 90)),
            "streams device-sessions changes to the analytics firehose",
        ),
        lam(
            fn_auth,
            "dist/handler.main",
            1024,
            10,
            {"SESSIONS_TABLE": table, "SESSION_TTL_DAYS": "30"},
            auth_deploy,
            "device login and session refresh",
        ),
    ]
    esm_uuid = k.uid(rng)
    esm = {
        "UUID": esm_uuid,
        "StartingPosition": "LATEST",
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 0,
        "ParallelizationFactor": 1,
        "EventSourceArn": stream_arn,
        "FunctionArn": lambdas[0]["FunctionArn"],
        "LastModified": k.iso(created + timedelta(days=31)),
        "LastProcessingResult": "OK",
        "State": "Enabled",
        "StateTransitionReason": "User action",
        "DestinationConfig": {"OnFailure": {}},
        "MaximumRecordAgeInSeconds": -1,
        "BisectBatchOnFunctionError": False,
        "MaximumRetryAttempts": -1,
        "TumblingWindowInSeconds": 0,
        "FunctionResponseTypes": [],
        "EventSourceMappingArn": f"arn:aws:lambda:{region}:{acct}:event-source-mapping:{esm_uuid}",
    }
    topic = k.sns_topic(acct, region, f"{brand}-platform-alerts")
    resources = [
        {"service": "dynamodb", "type": "TableDescription", "item": tbl},
        *({"service": "lambda", "type": "FunctionConfiguration", "item": f} for f in lambdas),
        {"service": "lambda", "type": "EventSourceMappingConfiguration", "item": esm},
        *(
            {
                "service": "iam",
                "type": "Role",
                "item": k.iam_role(rng, acct, f"{f['FunctionName']}-role", "lambda.amazonaws.com", created),
            }
            for f in lambdas
        ),
        *(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": k.log_group(acct, region, f"/aws/lambda/{f['FunctionName']}", created, 30),
            }
            for f in lambdas
        ),
        {"service": "sns", "type": "Topic", "item": topic},
        {
            "service": "apigateway",
            "type": "RestApi",
            "item": {
                "id": k.hexid(rng, 10),
                "name": api_name,
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": k.hexid(rng, 10),
            },
        },
        {
            "service": "firehose",
            "type": "DeliveryStreamDescription",
            "item": {
                "DeliveryStreamName": fh,
                "DeliveryStreamARN": f"arn:aws:firehose:{region}:{acct}:deliverystream/{fh}",
                "DeliveryStreamStatus": "ACTIVE",
                "DeliveryStreamType": "DirectPut",
                "VersionId": "3",
                "CreateTimestamp": k.iso(created),
                "Destinations": [],
                "HasMoreDestinations": False,
            },
        },
    ]

    # ---------------- alarms ----------------
    alarms, hist = [], []
    a_name = f"{fn_sync}-iterator-age"

    def age(t):
        return sim[k.iso(t)][1]

    trans = k.simulate(age, start, now - timedelta(seconds=45), a_thr, 3)
    state, reason, st_t = "OK", "", start
    alarm_tr: tuple[Any, str, dict] | None = None
    for at, old, new, vals, newest in trans:
        rtxt = k.reason_text(new, [round(v, 1) for v in vals], newest, "GreaterThanThreshold", a_thr, 3)
        data = k.reason_data("Maximum", 60, a_thr, newest, vals)
        hist.append(k.history(a_name, at, old, new, rtxt, data))
        state, reason, st_t = new, rtxt, at
        if new == "ALARM" and alarm_tr is None:
            alarm_tr = (at, rtxt, data)
    aa = k.alarm(
        acct,
        region,
        a_name,
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": fn_sync},
        "Maximum",
        60,
        3,
        a_thr,
        "GreaterThanThreshold",
        state,
        reason,
        st_t,
        created + timedelta(days=45),
        topic["TopicArn"],
        "session-sync falling behind the device-sessions stream",
        missing="missing",
    )
    alarms.append(aa)
    # other alarms of the account
    auth5 = f"{api_name}-5xx"
    alarms.append(
        k.alarm(
            acct,
            region,
            auth5,
            "AWS/ApiGateway",
            "5XXError",
            apid,
            "Sum",
            300,
            2,
            50,
            "GreaterThanThreshold",
            "OK",
            k.reason_text(
                "OK", [1.0], day - timedelta(days=4, hours=3), "GreaterThanThreshold", 50, 2, period=300
            ),
            day - timedelta(days=4, hours=3),
            created + timedelta(days=45),
            topic["TopicArn"],
            missing="notBreaching",
        )
    )
    lat = f"{api_name}-latency-p99"
    spike = start + timedelta(minutes=rng.randint(30, 90))
    alarms.append(
        k.alarm(
            acct,
            region,
            lat,
            "AWS/ApiGateway",
            "Latency",
            apid,
            "",
            300,
            1,
            1500,
            "GreaterThanThreshold",
            "OK",
            k.reason_text(
                "OK", [842.3], spike + timedelta(minutes=5), "GreaterThanThreshold", 1500, 1, period=300
            ),
            spike + timedelta(minutes=10, seconds=20),
            created + timedelta(days=45),
            topic["TopicArn"],
            missing="notBreaching",
            extended="p99",
        )
    )
    hist.append(
        k.history(
            lat,
            spike + timedelta(minutes=5, seconds=20),
            "OK",
            "ALARM",
            k.reason_text("ALARM", [1731.6], spike, "GreaterThanThreshold", 1500, 1, period=300),
        )
    )
    hist.append(
        k.history(lat, spike + timedelta(minutes=10, seconds=20), "ALARM", "OK", alarms[-1]["StateReason"])
    )

    # ---------------- logs ----------------
    logs = []
    lg = f"/aws/lambda/{fn_sync}"
    streams = [f"{day:%Y/%m/%d}/[$LATEST]{k.hexid(rng, 32)}" for _ in range(shards)]
    t = start
    while t < now:
        for _ in range(3):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            rid = k.uid(rng)
            st = rng.choice(streams)
            in_sweep = sim[k.iso(t)][2] > 100 or sweep_start <= t < sweep_start + sweep_len
            n = 100 if in_sweep else rng.randint(30, 100)
            ttl_share = ttl_c[k.iso(t)] / (ttl_c[k.iso(t)] + traffic(t) * 0.55)
            removes = round(n * ttl_share * rng.uniform(0.9, 1.05)) if in_sweep else rng.randint(0, 3)
            removes = min(n, removes)
            modify = round((n - removes) * 0.8)
            insert = n - removes - modify
            oldest_exp = (
                t - timedelta(hours=rng.randint(20, 60), minutes=rng.randint(0, 59)) if removes else None
            )
            dur = rng.uniform(1050, 1250) if in_sweep else rng.uniform(600, 900)
            age_s = round(sim[k.iso(t)][1] / 1000)
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(ts),
                    "message": f"START RequestId: {rid} Version: $LATEST\n",
                }
            )
            body = {
                "level": "info",
                "msg": "batch processed",
                "records": n,
                "INSERT": insert,
                "MODIFY": modify,
                "REMOVE": removes,
                "removeByService": removes,
                "approxAgeSec": age_s,
            }
            if oldest_exp:
                body["oldestExpiresAt"] = k.iso(oldest_exp)
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(ts) + int(dur) - 5,
                    "message": f"{k.iso(ts + timedelta(milliseconds=dur - 5)).replace('Z', '.' + str(rng.randint(100, 999)) + 'Z')}\t{rid}\tINFO\t{json.dumps(body, separators=(',', ':'))}\n",
                }
            )
            if removes and rng.random() < 0.15:
                sample = {
                    "eventName": "REMOVE",
                    "eventSource": "aws:dynamodb",
                    "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
                    "dynamodb": {
                        "ApproximateCreationDateTime": int(ts.timestamp()) - age_s,
                        "SizeBytes": rng.randint(300, 480),
                        "StreamViewType": "NEW_AND_OLD_IMAGES",
                    },
                }
                logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": k.ms(ts) + int(dur) - 4,
                        "message": f"{k.iso(ts).replace('Z', '.000Z')}\t{rid}\tDEBUG\tsample record {json.dumps(sample, separators=(',', ':'))}\n",
                    }
                )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(ts) + int(dur),
                    "message": f"END RequestId: {rid}\n",
                }
            )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(ts) + int(dur),
                    "message": f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(120, 160)} MB\t\n",
                }
            )
        if rng.random() < 0.4:
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            rid = k.uid(rng)
            st = f"{day:%Y/%m/%d}/[$LATEST]{k.hexid(random.Random(seed + 7), 32)}"
            logs.append(
                {
                    "log_group": f"/aws/lambda/{fn_auth}",
                    "log_stream": st,
                    "timestamp": k.ms(ts),
                    "message": f"{k.iso(ts).replace('Z', '.' + str(rng.randint(100, 999)) + 'Z')}\t{rid}\tINFO\t"
                    + json.dumps(
                        {
                            "msg": rng.choice(
                                [
                                    "session refreshed",
                                    "device login",
                                    "session refreshed",
                                    "session refreshed",
                                ]
                            ),
                            "deviceModel": rng.choice(["HC-200", "HC-310", "HC-Doorbell"]),
                            "ms": rng.randint(12, 80),
                        },
                        separators=(",", ":"),
                    )
                    + "\n",
                }
            )
        t += timedelta(minutes=1)
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # ---------------- CloudTrail ----------------
    trl = k.Trail(rng, acct, region)
    ci = trl.ident(
        "cdk-hnb659fds-cfn-exec-role-" + acct + "-" + region,
        "AWSCloudFormation",
        invoked_by="cloudformation.amazonaws.com",
    )
    trl.add(
        auth_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": lambdas[1]["FunctionArn"],
            "s3Bucket": f"cdk-hnb659fds-assets-{acct}-{region}",
            "s3Key": k.hexid(rng, 64) + ".zip",
        },
        {
            "functionName": fn_auth,
            "functionArn": lambdas[1]["FunctionArn"],
            "runtime": "nodejs20.x",
            "codeSize": lambdas[1]["CodeSize"],
            "lastModified": k.iso(auth_deploy).replace("Z", ".000+0000"),
            "codeSha256": lambdas[1]["CodeSha256"],
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    trl.add(
        auth_deploy - timedelta(seconds=50),
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        trl.ident("cdk-hnb659fds-deploy-role-" + acct + "-" + region, "github-actions"),
        {"changeSetName": "cdk-deploy-change-set", "stackName": "AuthApiStack"},
        None,
    )
    who = rng.choice(["marcus.lee", "jen.ortiz", "sam.patel"])
    eng = trl.ident("AWSReservedSSO_AdministratorAccess_9b0d3c2e5f7a1164", f"{who}@{brand}.com")
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"
    look = (alarm_tr[0] if alarm_tr else sweep_start) + timedelta(minutes=rng.randint(3, 8))
    for i, (src, name, req) in enumerate(
        [
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": fn_sync}),
            ("dynamodb.amazonaws.com", "DescribeTimeToLive", {"tableName": table}),
            ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": table}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ]
    ):
        trl.add(
            look + timedelta(minutes=3 * i, seconds=rng.randint(0, 50)),
            src,
            name,
            eng,
            req,
            None,
            read_only=True,
            agent=console,
        )
    bkp = trl.ident(
        "AWSBackupDefaultServiceRole",
        "AWSBackup-AWSBackupDefaultServiceRole",
        invoked_by="backup.amazonaws.com",
    )
    bt = start + timedelta(minutes=rng.randint(10, 40))
    trl.add(
        bt,
        "dynamodb.amazonaws.com",
        "CreateBackup",
        bkp,
        {"tableName": table, "backupName": f"awsbackup-{k.uid(rng)}"},
        {
            "backupDetails": {
                "backupArn": f"{table_arn}/backup/{int(bt.timestamp() * 1000)}-{k.hexid(rng, 8)}",
                "backupName": "awsbackup",
                "backupStatus": "CREATING",
                "backupType": "AWS_BACKUP",
                "backupCreationDateTime": k.iso(bt),
            }
        },
    )
    trl.readonly_noise(
        start,
        now,
        [
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("dynamodb.amazonaws.com", "ListTables", None),
            ("lambda.amazonaws.com", "GetFunction", {"functionName": fn_sync}),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": "AuthApiStack"}),
            ("firehose.amazonaws.com", "DescribeDeliveryStream", {"deliveryStreamName": fh}),
        ],
        every_min=(4, 9),
    )

    # ---------------- trigger ----------------
    assert alarm_tr is not None
    at, rtxt, data = alarm_tr
    aa_ev = dict(aa)
    aa_ev["StateValue"], aa_ev["StateReason"] = "ALARM", rtxt
    prev = day - timedelta(days=rng.randint(3, 12), hours=rng.randint(1, 10))
    ev = k.alarm_event(
        acct,
        region,
        aa_ev,
        at,
        "OK",
        k.reason_text("OK", [812.0], prev, "GreaterThanThreshold", a_thr, 3),
        prev,
        data,
    )
    before = (
        items_now + round(sum(v for kk, v in ttl_c.items() if kk <= k.iso(now))) + rng.randint(2, 4) * 10**6
    )
    local_page = at.astimezone(tz)
    q = (
        f"Got paged for {a_name} at {local_page.hour % 12 or 12}:{local_page.minute:02d}{'am' if local_page.hour < 12 else 'pm'}. {'It has cleared now' if state == 'OK' else 'Still firing'}, but while checking I saw "
        f"the console says {table} has about {items_now // 10**6}M items, yesterday it was over {before // 10**6}M. Are we losing sessions? "
        f"Nobody ran a delete that I know of."
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": q, "alarm_event": ev, "timezone": str(tz)},
            "truth": {
                "no_fault": True,
                "root_cause": None,
                "also_accept": [],
                "actions": [],
                "chain": [table, fn_sync],
            },
        }
    )
    alarm_history = sorted(hist, key=lambda h: h["Timestamp"])
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": alarm_history,
            "logs": logs,
            "cloudtrail": trl.sorted(),
            "resources": resources,
        },
    )
