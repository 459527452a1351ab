"""The shipment-events table is autoscaled, but its `by-status-date` GSI was left at a fixed 400 WCU.
On a heavy afternoon the GSI's write capacity and burst run out; DynamoDB throttles the base-table
UpdateItem calls (GSI back-pressure), the Kinesis-fed writer Lambda fails batches and falls behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_i import Kit, diurnal, iso, minutes

NAME = "dynamodb-gsi-write-capacity-scans"
TITLE = "Carrier scan events delayed, tracking statuses stale"
SUMMARY = (
    "A provisioned GSI with a fixed 400 WCU (no autoscaling, unlike its table) runs out of write capacity "
    "at the afternoon peak; base-table writes are throttled and the stream consumer falls behind."
)

GSI_MSG = (
    "The level of configured provisioned throughput for one or more global secondary indexes of the table was "
    "exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes "
    "with the UpdateTable API"
)


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region=["us-east-1", "us-west-2", "ca-central-1"][seed % 3])
    rng = kit.rng
    brand = rng.choice(["parcelpath", "trackwell", "routehaven"])
    table = "shipment-events"
    gsi_hot, gsi_ok = "by-status-date", "by-order"
    fn = "scan-events-writer"
    stream = "carrier-scan-events"
    shards = 4
    gsi_wcu = rng.choice([300, 400, 500])
    tz_off = -5 if kit.region != "us-west-2" else -8

    day = datetime(2024, 11, 4, tzinfo=UTC) + timedelta(days=rng.randint(0, 3) + 7 * rng.randint(0, 5))
    mins_all = minutes(day + timedelta(hours=9), day + timedelta(hours=23, minutes=59))

    # --- load model: records/minute into the stream; GSI write units per record ------------------
    peak = (
        gsi_wcu * 60 / 1.45 * rng.uniform(1.18, 1.3)
    )  # the afternoon peak needs ~20-30% more than the GSI has
    per_rec_gsi = 1.45
    rate = {
        t: kit.noise(peak * (0.55 + 0.45 * diurnal(t - timedelta(hours=1), tz_off, 0.0)), 0.04)
        for t in mins_all
    }
    burst = gsi_wcu * 300.0
    backlog = 0.0
    onset: datetime | None = None
    rows: dict[datetime, dict[str, float]] = {}
    table_prov = 350.0
    prov_changes: list[tuple[datetime, float, float]] = []
    for t in mins_all:
        incoming = rate[t]
        want = incoming + backlog
        need = want * per_rec_gsi
        cap = gsi_wcu * 60.0
        if need <= cap:
            burst = min(gsi_wcu * 300.0, burst + (cap - need))
            done = want
            thr = 0.0
        else:
            extra = min(burst, need - cap)
            burst -= extra
            allowed = cap + extra
            done = allowed / per_rec_gsi
            # the writer retries throttled writes: several attempts per record that did not get through
            thr = max(0.0, min(want, peak * 1.5) - done) * rng.uniform(1.6, 2.0)
            if onset is None and thr > 20:
                onset = t
        backlog = max(0.0, want - done)
        base_used = done
        if base_used / 60 > table_prov * 0.7 * 1.0 and (
            not prov_changes or t - prov_changes[-1][0] > timedelta(minutes=6)
        ):
            new = min(4000.0, round(base_used / 60 / 0.7 / 50 + 1) * 50)
            prov_changes.append((t, table_prov, new))
            table_prov = new
        rows[t] = {
            "in": incoming,
            "done": done,
            "backlog": backlog,
            "thr": thr,
            "base": base_used,
            "gsi": done * per_rec_gsi,
            "prov": table_prov,
        }
    assert onset is not None
    now = (onset + timedelta(minutes=rng.randint(38, 52))).replace(second=0)
    start = onset - timedelta(hours=3, minutes=rng.randint(5, 40))
    mins = [t for t in mins_all if start <= t <= now]

    # --- resources ---------------------------------------------------------------------------------
    table_arn = kit.arn("dynamodb", f"table/{table}")
    created = start - timedelta(days=700)
    kit.res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": n, "AttributeType": "S"}
                for n in ("shipmentId", "eventTs", "statusKey", "statusDate", "orderId")
            ],
            "TableName": table,
            "KeySchema": [
                {"AttributeName": "shipmentId", "KeyType": "HASH"},
                {"AttributeName": "eventTs", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "LastIncreaseDateTime": iso(prov_changes[-1][0] + timedelta(seconds=50))
                if prov_changes
                else iso(start - timedelta(hours=20)),
                "LastDecreaseDateTime": iso(start - timedelta(hours=9)),
                "NumberOfDecreasesToday": 2,
                "ReadCapacityUnits": 600,
                "WriteCapacityUnits": int(rows[mins[-1]]["prov"]),
            },
            "TableSizeBytes": rng.randint(80, 140) * 10**9,
            "ItemCount": rng.randint(300, 500) * 10**6,
            "TableArn": table_arn,
            "TableId": kit.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PROVISIONED",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": gsi_hot,
                    "KeySchema": [
                        {"AttributeName": "statusKey", "KeyType": "HASH"},
                        {"AttributeName": "statusDate", "KeyType": "RANGE"},
                    ],
                    "Projection": {
                        "ProjectionType": "INCLUDE",
                        "NonKeyAttributes": ["shipmentId", "carrier", "orderId", "lastScanLocation"],
                    },
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {
                        "LastIncreaseDateTime": iso(start - timedelta(days=233)),
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 200,
                        "WriteCapacityUnits": gsi_wcu,
                    },
                    "IndexSizeBytes": rng.randint(20, 40) * 10**9,
                    "ItemCount": rng.randint(200, 300) * 10**6,
                    "IndexArn": f"{table_arn}/index/{gsi_hot}",
                },
                {
                    "IndexName": gsi_ok,
                    "KeySchema": [
                        {"AttributeName": "orderId", "KeyType": "HASH"},
                        {"AttributeName": "eventTs", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {
                        "LastIncreaseDateTime": iso(prov_changes[-1][0] + timedelta(seconds=52))
                        if prov_changes
                        else iso(start - timedelta(hours=20)),
                        "NumberOfDecreasesToday": 2,
                        "ReadCapacityUnits": 400,
                        "WriteCapacityUnits": int(rows[mins[-1]]["prov"]),
                    },
                    "IndexSizeBytes": rng.randint(10, 20) * 10**9,
                    "ItemCount": rng.randint(300, 500) * 10**6,
                    "IndexArn": f"{table_arn}/index/{gsi_ok}",
                },
            ],
            "StreamSpecification": {"StreamEnabled": False},
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": kit.arn("kms", f"key/{kit.uuid()}"),
            },
            "TableClassSummary": {"TableClass": "STANDARD"},
            "DeletionProtectionEnabled": True,
        },
    )
    aas_role = (
        f"arn:aws:iam::{kit.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    )
    for rid, dim, lo, hi in (
        (f"table/{table}", "dynamodb:table:WriteCapacityUnits", 400, 4000),
        (f"table/{table}", "dynamodb:table:ReadCapacityUnits", 200, 2000),
        (f"table/{table}/index/{gsi_ok}", "dynamodb:index:WriteCapacityUnits", 400, 4000),
    ):
        kit.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": dim,
                "MinCapacity": lo,
                "MaxCapacity": hi,
                "RoleARN": aas_role,
                "CreationTime": iso(start - timedelta(days=233)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )
        kit.res(
            "application-autoscaling",
            "ScalingPolicy",
            {
                "PolicyARN": f"arn:aws:autoscaling:{kit.region}:{kit.account}:scalingPolicy:{kit.uuid()}:resource/dynamodb/"
                f"{rid}:policyName/{dim.split(':')[-1]}-tt",
                "PolicyName": f"{dim.split(':')[-1]}-tt",
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": dim,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 70.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "DynamoDBWriteCapacityUtilization"
                        if "Write" in dim
                        else "DynamoDBReadCapacityUtilization"
                    },
                },
                "Alarms": [],
                "CreationTime": iso(start - timedelta(days=233)),
            },
        )
    stream_arn = kit.arn("kinesis", f"stream/{stream}")
    kit.res(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": stream,
            "StreamARN": stream_arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": iso(start - timedelta(days=690)),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": shards,
            "ConsumerCount": 0,
        },
    )
    fn_arn = kit.arn("lambda", f"function:{fn}")
    kit.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": fn_arn,
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{kit.account}:role/{fn}",
            "Handler": "index.handler",
            "CodeSize": 2311876,
            "Description": "writes carrier scan events to shipment-events",
            "Timeout": 120,
            "MemorySize": 512,
            "LastModified": (start - timedelta(days=12)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": kit.upper(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": kit.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
        },
    )
    kit.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": kit.uuid(),
            "StartingPosition": "LATEST",
            "BatchSize": 2000,
            "MaximumBatchingWindowInSeconds": 10,
            "ParallelizationFactor": 1,
            "EventSourceArn": stream_arn,
            "FunctionArn": fn_arn,
            "LastModified": iso(start - timedelta(days=300)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": -1,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": [],
        },
    )
    api_fn = "tracking-api"
    kit.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": api_fn,
            "FunctionArn": kit.arn("lambda", f"function:{api_fn}"),
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{kit.account}:role/{api_fn}",
            "Handler": "index.handler",
            "CodeSize": 1822310,
            "Description": "public tracking lookups",
            "Timeout": 10,
            "MemorySize": 1024,
            "LastModified": (start - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": kit.upper(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            + "=",
            "Version": "$LATEST",
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
        },
    )
    for g in (f"/aws/lambda/{fn}", f"/aws/lambda/{api_fn}"):
        kit.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": g,
                "creationTime": int(created.timestamp() * 1000),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": kit.arn("logs", f"log-group:{g}:*"),
                "storedBytes": rng.randint(10**9, 10**10),
            },
        )

    # --- metrics -----------------------------------------------------------------------------------
    tdim = {"TableName": table}
    hot = {"TableName": table, "GlobalSecondaryIndexName": gsi_hot}
    okd = {"TableName": table, "GlobalSecondaryIndexName": gsi_ok}
    ns = "AWS/DynamoDB"
    kit.emit(ns, "ConsumedWriteCapacityUnits", tdim, "Count", {t: rows[t]["base"] for t in mins})
    kit.emit(
        ns, "ProvisionedWriteCapacityUnits", tdim, "Count", {t: rows[t]["prov"] for t in mins}, how="avg"
    )
    kit.emit(ns, "ConsumedWriteCapacityUnits", hot, "Count", {t: rows[t]["gsi"] for t in mins})
    kit.emit(ns, "ProvisionedWriteCapacityUnits", hot, "Count", {t: float(gsi_wcu) for t in mins}, how="avg")
    kit.emit(ns, "WriteThrottleEvents", hot, "Count", {t: round(rows[t]["thr"]) for t in mins}, sparse=True)
    kit.emit(ns, "ConsumedWriteCapacityUnits", okd, "Count", {t: rows[t]["base"] for t in mins})
    kit.emit(ns, "ProvisionedWriteCapacityUnits", okd, "Count", {t: rows[t]["prov"] for t in mins}, how="avg")
    kit.emit(
        ns,
        "ThrottledRequests",
        {"TableName": table, "Operation": "UpdateItem"},
        "Count",
        {t: round(rows[t]["thr"]) for t in mins},
        sparse=True,
    )
    kit.emit(
        ns,
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "UpdateItem"},
        "Milliseconds",
        {t: kit.noise(5.2, 0.08) for t in mins},
        how="avg",
    )
    reads = {t: kit.noise(9000 * diurnal(t, tz_off, 0.3), 0.06) for t in mins}
    kit.emit(ns, "ConsumedReadCapacityUnits", tdim, "Count", reads)
    kit.emit(
        ns,
        "ConsumedReadCapacityUnits",
        hot,
        "Count",
        {t: kit.noise(2400 * diurnal(t, tz_off, 0.3), 0.08) for t in mins},
    )
    kit.emit(ns, "ProvisionedReadCapacityUnits", tdim, "Count", {t: 600.0 for t in mins}, how="avg")
    kit.emit(
        ns,
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "Query"},
        "Milliseconds",
        {t: kit.noise(7.4, 0.1) for t in mins},
        how="avg",
    )
    kit.emit(
        ns,
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "GetItem"},
        "Milliseconds",
        {t: kit.noise(3.1, 0.1) for t in mins},
        how="avg",
    )
    sd = {"StreamName": stream}
    kit.emit("AWS/Kinesis", "IncomingRecords", sd, "Count", {t: round(rows[t]["in"]) for t in mins})
    kit.emit(
        "AWS/Kinesis",
        "IncomingBytes",
        sd,
        "Bytes",
        {t: round(rows[t]["in"] * rng.uniform(610, 690)) for t in mins},
    )
    kit.emit(
        "AWS/Kinesis",
        "GetRecords.Records",
        sd,
        "Count",
        {t: round(rows[t]["done"] + rows[t]["thr"] * 0.2) for t in mins},
    )
    age: dict[datetime, float | None] = {}
    for t in mins:
        lag_s = rows[t]["backlog"] / max(1.0, rows[t]["in"]) * 60
        age[t] = round(rng.uniform(300, 1400) + lag_s * 1000)
    kit.emit("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", sd, "Milliseconds", age, how="avg")
    fd = {"FunctionName": fn}
    inv: dict[datetime, float | None] = {}
    err: dict[datetime, float | None] = {}
    dur: dict[datetime, float | None] = {}
    for t in mins:
        r = rows[t]
        batches = max(shards, round((r["done"] + r["backlog"] * 0.05) / rng.uniform(1500, 1900)))
        failed = 0
        if r["thr"] > 0:
            failed = min(batches, round(batches * min(0.9, r["thr"] / max(1.0, r["done"] + r["thr"]) * 2.2)))
        inv[t] = float(batches)
        err[t] = float(failed)
        dur[t] = kit.noise(650, 0.1) if not failed else kit.noise(4200, 0.2)
    kit.emit("AWS/Lambda", "Invocations", fd, "Count", inv)
    kit.emit("AWS/Lambda", "Errors", fd, "Count", err)
    kit.emit("AWS/Lambda", "Throttles", fd, "Count", {t: 0.0 for t in mins})
    kit.emit("AWS/Lambda", "Duration", fd, "Milliseconds", dur, how="avg")
    kit.emit("AWS/Lambda", "IteratorAge", fd, "Milliseconds", age, how="avg")
    kit.emit("AWS/Lambda", "ConcurrentExecutions", fd, "Count", {t: float(shards) for t in mins}, how="avg")
    ad = {"FunctionName": api_fn}
    kit.emit(
        "AWS/Lambda",
        "Invocations",
        ad,
        "Count",
        {t: round(kit.noise(5200 * diurnal(t, tz_off, 0.3), 0.06)) for t in mins},
    )
    kit.emit("AWS/Lambda", "Errors", ad, "Count", {t: float(rng.randint(0, 3)) for t in mins})
    kit.emit("AWS/Lambda", "Duration", ad, "Milliseconds", {t: kit.noise(38, 0.1) for t in mins}, how="avg")

    # --- logs --------------------------------------------------------------------------------------
    lg = f"/aws/lambda/{fn}"
    streams = [f"{day:%Y/%m/%d}/[$LATEST]{kit.hex(32)}" for _ in range(shards)]
    for t in mins:
        n = int(inv[t] or 0)
        bad = int(err[t] or 0)
        for i in range(n):
            s = t + timedelta(seconds=rng.uniform(0, 58))
            st = streams[i % shards]
            rid = kit.uuid()
            kit.log(lg, st, s, f"START RequestId: {rid} Version: $LATEST\n")
            size = rng.randint(900, 2000)
            if i < bad:
                d = rng.uniform(2500, 6500)
                e = s + timedelta(milliseconds=d)
                kit.log(
                    lg,
                    st,
                    e - timedelta(milliseconds=3),
                    f"{iso(e)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tWARN\t"
                    f'{{"msg":"batch write aborted, shard will retry","records":{size},"written":{rng.randint(0, size // 2)},'
                    f'"shardId":"shardId-00000000000{i % shards}"}}\n',
                )
                kit.log(
                    lg,
                    st,
                    e - timedelta(milliseconds=2),
                    f"{iso(e)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tERROR\t"
                    f"ProvisionedThroughputExceededException: {GSI_MSG}\n    at throwDefaultError "
                    "(/var/task/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)\n    at "
                    "/var/task/node_modules/@smithy/smithy-client/dist-cjs/index.js:847:5\n    at "
                    "de_CommandError (/var/task/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js:2255:14)\n"
                    "    at async /var/task/node_modules/@smithy/middleware-serde/dist-cjs/index.js:35:20\n    at async "
                    "/var/task/dist/writer.js:118:9 {\n  '$fault': 'client',\n  '$metadata': {\n    httpStatusCode: 400,\n"
                    f"    requestId: '{kit.upper(52, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}',\n    attempts: 3,\n"
                    f"    totalRetryDelay: {rng.randint(180, 900)}\n  }},\n  __type: "
                    "'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException'\n}\n",
                )
            else:
                d = rng.uniform(350, 1100)
                e = s + timedelta(milliseconds=d)
                kit.log(
                    lg,
                    st,
                    e - timedelta(milliseconds=2),
                    f"{iso(e)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tINFO\t"
                    f'{{"msg":"batch written","records":{size},"updated":{size - rng.randint(0, 6)},'
                    f'"skippedOutOfOrder":{rng.randint(0, 6)}}}\n',
                )
            kit.log(lg, st, e, f"END RequestId: {rid}\n")
            kit.log(
                lg,
                st,
                e,
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\t"
                f"Memory Size: 512 MB\tMax Memory Used: {rng.randint(140, 190)} MB\t\n",
            )
        if rng.random() < 0.015:
            s = t + timedelta(seconds=rng.uniform(0, 50))
            kit.log(
                lg,
                streams[0],
                s,
                f"{iso(s)[:-1]}.000Z\t{kit.uuid()}\tWARN\t"
                f'{{"msg":"unknown carrier event code, stored raw","carrier":"{rng.choice(["UPSN", "FDEG", "DHLX"])}",'
                f'"code":"{rng.choice(["XD", "OX", "RS9"])}"}}\n',
            )

    # --- events: table autoscaling -----------------------------------------------------------------
    for t, _old, new in prov_changes:
        if t > now:
            continue
        for rid, dim in (
            (f"table/{table}", "dynamodb:table:WriteCapacityUnits"),
            (f"table/{table}/index/{gsi_ok}", "dynamodb:index:WriteCapacityUnits"),
        ):
            kit.event(
                "application_autoscaling",
                {
                    "ActivityId": kit.uuid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "Description": f"Setting write capacity units to {int(new)}.",
                    "Cause": f"monitor alarm TargetTracking-{rid}-AlarmHigh-{kit.uuid()} in state ALARM triggered policy "
                    "WriteCapacityUnits-tt",
                    "StartTime": iso(t + timedelta(seconds=20)),
                    "EndTime": iso(t + timedelta(seconds=80)),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {int(new)}. "
                    "Change successfully fulfilled by dynamodb.",
                },
            )

    # --- CloudTrail --------------------------------------------------------------------------------
    people = [
        kit.sso(f"{u}@{brand}.com", ps, start + timedelta(minutes=rng.randint(0, 60)))
        for u, ps in (("priya.natarajan", "SRE"), ("ben.holloway", "Developer"), ("gus.ferreira", "DataEng"))
    ]
    kit.routine_trail(start, now, 34, people)
    aas = kit.service_role(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "dynamodb.application-autoscaling.amazonaws.com",
        start,
    )
    for t, old, new in prov_changes:
        kit.ct(
            t + timedelta(seconds=22),
            aas,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 600, "writeCapacityUnits": int(new)},
            },
            {
                "tableDescription": {
                    "tableName": table,
                    "tableStatus": "UPDATING",
                    "tableArn": table_arn,
                    "provisionedThroughput": {
                        "readCapacityUnits": 600,
                        "writeCapacityUnits": int(old),
                        "numberOfDecreasesToday": 2,
                    },
                }
            },
        )
        kit.ct(
            t + timedelta(seconds=25),
            aas,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "tableName": table,
                "globalSecondaryIndexUpdates": [
                    {
                        "update": {
                            "indexName": gsi_ok,
                            "provisionedThroughput": {
                                "readCapacityUnits": 400,
                                "writeCapacityUnits": int(new),
                            },
                        }
                    }
                ],
            },
            {"tableDescription": {"tableName": table, "tableStatus": "UPDATING", "tableArn": table_arn}},
        )
        kit.ct(
            t + timedelta(seconds=19),
            aas,
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNames": [f"TargetTracking-table/{table}-AlarmHigh-{kit.uuid()}"]},
            read_only=True,
        )
    ci = kit.role(
        "gha-deploy-tracking",
        "GitHubActions",
        onset - timedelta(minutes=30),
        web_identity="token.actions.githubusercontent.com",
    )
    t_dep = onset - timedelta(minutes=rng.randint(8, 22), seconds=rng.randint(0, 59))
    kit.ct(
        t_dep,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": api_fn, "publish": True, "dryRun": False},
        {
            "functionName": api_fn,
            "functionArn": kit.arn("lambda", f"function:{api_fn}:{rng.randint(200, 260)}"),
            "runtime": "nodejs20.x",
            "timeout": 10,
            "memorySize": 1024,
            "lastUpdateStatus": "InProgress",
            "revisionId": kit.uuid(),
        },
        agent="aws-sdk-js/3.590.0 ua/2.1 os/linux#6.5.0-1022-azure lang/js md/nodejs#20.14.0 api/lambda#3.590.0",
    )
    kit.ct(
        onset + timedelta(minutes=rng.randint(3, 15)),
        people[2],
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "carrier-ops-weekly"},
        {"dashboardValidationMessages": []},
        console=True,
    )
    kit.ct(
        onset + timedelta(minutes=rng.randint(16, 30)),
        people[0],
        "dynamodb.amazonaws.com",
        "DescribeTable",
        {"tableName": table},
        None,
        read_only=True,
        console=True,
    )
    kit.ct(
        onset - timedelta(minutes=rng.randint(2, 26)),
        people[1],
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        {
            "tableName": "label-print-jobs",
            "timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"},
        },
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}},
        console=True,
    )

    # --- alarms ------------------------------------------------------------------------------------
    topic = kit.arn("sns", "tracking-oncall")
    trs = kit.alarm(
        f"{fn}-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        fd,
        "Maximum",
        60,
        5,
        5,
        120000.0,
        "GreaterThanThreshold",
        age,
        start=start,
        now=now,
        actions=[topic],
        description="scan events more than 2 minutes behind the stream",
    )
    kit.alarm(
        f"{table}-write-throttles",
        ns,
        "WriteThrottleEvents",
        tdim,
        "Sum",
        300,
        1,
        1,
        50.0,
        "GreaterThanThreshold",
        {t: 0.0 for t in mins},
        start=start,
        now=now,
        actions=[topic],
        description=f"{table} writes throttled",
    )
    kit.alarm(
        f"{table}-read-throttles",
        ns,
        "ReadThrottleEvents",
        tdim,
        "Sum",
        300,
        1,
        1,
        50.0,
        "GreaterThanThreshold",
        {t: 0.0 for t in mins},
        start=start,
        now=now,
        actions=[topic],
        description=f"{table} reads throttled",
    )
    kit.alarm(
        f"{api_fn}-errors",
        "AWS/Lambda",
        "Errors",
        ad,
        "Sum",
        300,
        2,
        2,
        50.0,
        "GreaterThanThreshold",
        {t: 1.0 for t in mins},
        start=start,
        now=now,
        actions=[topic],
        description="tracking API errors",
    )
    fired = next(tr for tr in trs if tr["new"] == "ALARM")
    trigger: dict[str, Any] = {
        "alarm_event": kit.alarm_event(f"{fn}-iterator-age", fired),
        "question": "customer support says tracking pages are showing statuses from ages ago. "
        "the scan writer iterator age alarm is firing. what's going on?",
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": f"{table_arn}/index/{gsi_hot}",
            "category": "limit",
            "failure_mode": "gsi-write-capacity-exhausted",
            "event_id": None,
        },
        "also_accept": [gsi_hot, f"{table}/{gsi_hot}", f"table/{table}/index/{gsi_hot}"],
        "actions": ["scale", "reconfigure"],
        "chain": [
            f"GSI {gsi_hot} on {table} is provisioned at a fixed {gsi_wcu} WCU without autoscaling",
            f"at the afternoon peak its consumed writes reach {gsi_wcu} WCU and its burst capacity runs out",
            f"DynamoDB throttles UpdateItem on {table} (GSI back-pressure: WriteThrottleEvents on {gsi_hot})",
            f"{fn} batches fail and are retried, so it falls behind on {stream}",
            f"IteratorAge of {fn} climbs and alarm {fn}-iterator-age fires",
        ],
    }
    return kit.bundle(TITLE, start, now, trigger, truth)
