"""Entry scans stop landing as doors open: the table auto-scales, its fixed-capacity GSI does not."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzo import (
    Ctx,
    fn_config,
    iam_role,
    iso,
    lambda_report,
    lambda_stream,
    log_group,
    onset_day,
)

NAME = "attendance-dashboard-frozen-doors-open"
TITLE = "Venue attendance dashboards frozen as doors open for the evening events; turnstiles scan fine"
SUMMARY = (
    "Doors-open scan volume exceeds the fixed write capacity of the entry-scans table's gate GSI (the table "
    "itself auto-scales); GSI back-pressure throttles base-table PutItems and the Kinesis consumer falls behind."
)

_TZ = ZoneInfo("Europe/Berlin")
_GSI_MSG = (
    "The level of configured provisioned throughput for one or more global secondary indexes of the table was "
    "exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes "
    "with the UpdateTable API"
)


def build(seed: int) -> Bundle:
    day = onset_day(seed, 16, 17)
    ramp = day.replace(minute=0) + timedelta(minutes=ctx_min(seed))
    ctx = Ctx(seed, "eu-central-1", ramp - timedelta(hours=3, minutes=40), ramp + timedelta(minutes=95))
    rng = ctx.rng
    office_ip = f"{rng.choice([81, 86, 110, 124, 203])}.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    table, gsi = "entry-scans", "gate-minute-index"
    fn, stream = "entry-scan-writer", "turnstile-scans"
    role = "entry-scan-writer-role"
    gsi_wcu = rng.choice([150, 200, 250])
    base = gsi_wcu * rng.uniform(0.45, 0.6)
    peak = gsi_wcu * rng.uniform(1.35, 1.6)
    shards = 4
    table_arn = ctx.arn("dynamodb", f"table/{table}")

    # ---------------- the traffic model (items per second, per minute) ----------------
    mins = ctx.minutes()
    demand: list[float] = []
    for t in mins:
        x = (t - ramp).total_seconds() / 60
        level = base if x < 0 else base + (peak - base) * min(1.0, x / 40)
        demand.append(max(10.0, rng.gauss(level, level * 0.05)))
    table_wcu: list[float] = []
    wcu = float(max(200, round(base * 1.6 / 10) * 10))
    burst = gsi_wcu * 300.0
    backlog = 0.0
    age_ms = 0.0
    written: list[float] = []
    throttled: list[float] = []
    activities: list[tuple[int, float, float]] = []
    high_breach = 0
    for i, d in enumerate(demand):
        want = d + backlog / 60
        cap = gsi_wcu + burst / 60
        done = want if want <= cap else cap * rng.uniform(0.965, 1.0)
        burst = max(0.0, min(gsi_wcu * 300.0, burst + (gsi_wcu - done) * 60))
        thr = (
            0.0 if done >= want else min((want - done) * 60 * rng.uniform(0.55, 0.8), rng.uniform(3400, 5200))
        )
        backlog = max(0.0, backlog + (d - done) * 60)
        age_ms = 0.0 if backlog < d * 5 else backlog / max(done, 1) * 1000
        written.append(done)
        throttled.append(thr)
        table_wcu.append(wcu)
        # table target tracking at 70%: two breaching minutes scale it out
        high_breach = high_breach + 1 if done > wcu * 0.7 else 0
        if high_breach >= 2 and wcu < 4000:
            new = float(min(4000, round(done / 0.7 / 10) * 10 + 10))
            activities.append((i, wcu, new))
            wcu = new
            high_breach = 0
        ctx_age = age_ms + rng.uniform(200, 1500)
        t = mins[i]
        dims = {"TableName": table}
        gdims = {"TableName": table, "GlobalSecondaryIndexName": gsi}
        ctx.metric(
            "AWS/DynamoDB", "ConsumedWriteCapacityUnits", dims, t, round(done * 60 * rng.uniform(1.0, 1.04))
        )
        ctx.metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", gdims, t, round(done * 60))
        ctx.metric("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims, t, table_wcu[-1])
        ctx.metric("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", gdims, t, gsi_wcu)
        ctx.metric(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            dims,
            t,
            round(rng.gauss(900, 80) * (1.2 if i > 200 else 1)),
        )
        ctx.metric("AWS/DynamoDB", "ProvisionedReadCapacityUnits", dims, t, 100)
        if thr:
            ctx.metric("AWS/DynamoDB", "WriteThrottleEvents", gdims, t, round(thr))
            ctx.metric(
                "AWS/DynamoDB",
                "ThrottledRequests",
                {"TableName": table, "Operation": "PutItem"},
                t,
                round(thr),
            )
        lat = [rng.uniform(3.5, 9.0) for _ in range(20)]
        ctx.stats(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "PutItem"},
            t,
            lat,
            "Milliseconds",
        )
        ctx.metric("AWS/Kinesis", "IncomingRecords", {"StreamName": stream}, t, round(d * 60))
        ctx.metric(
            "AWS/Kinesis",
            "IncomingBytes",
            {"StreamName": stream},
            t,
            round(d * 60 * rng.uniform(610, 680)),
            "Bytes",
        )
        ctx.metric(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            {"StreamName": stream},
            t,
            round(ctx_age),
            "Milliseconds",
        )
        inv = max(8, round(rng.gauss(shards * 2 * 60 / (4 if not thr else 9), 4)))
        errs = 0 if not thr else round(inv * min(0.9, rng.uniform(0.6, 0.95) * thr / 3000))
        lam = {"FunctionName": fn}
        ctx.metric("AWS/Lambda", "Invocations", lam, t, inv)
        ctx.metric("AWS/Lambda", "Errors", lam, t, errs)
        ctx.metric("AWS/Lambda", "Throttles", lam, t, 0)
        ctx.metric("AWS/Lambda", "IteratorAge", lam, t, round(ctx_age), "Milliseconds")
        ctx.metric(
            "AWS/Lambda", "ConcurrentExecutions", lam, t, shards * 2 if thr else rng.choice([5, 6, 7, 8])
        )
        durs = [rng.uniform(2500, 8800) if thr else rng.uniform(180, 900) for _ in range(max(1, inv))]
        ctx.stats("AWS/Lambda", "Duration", lam, t, durs, "Milliseconds")
        tl = {"FunctionName": "attendance-api"}
        ctx.metric("AWS/Lambda", "Invocations", tl, t, round(rng.gauss(1900, 150) * (1.3 if i > 180 else 1)))
        ctx.metric("AWS/Lambda", "Errors", tl, t, 1 if rng.random() < 0.1 else 0)

        # logs: a sample
        if rng.random() < 0.3:
            s = lambda_stream(ctx, t)
            req = ctx.uid()
            at = ctx.jitter(t, 50)
            g = f"/aws/lambda/{fn}"
            ctx.log(g, s, at, f"START RequestId: {req} Version: $LATEST")
            shard = f"shardId-{rng.randint(0, shards - 1):012d}"
            if thr and rng.random() < errs / max(inv, 1) + 0.1:
                ok = rng.randint(3, 60)
                ctx.log(
                    g,
                    s,
                    at + timedelta(milliseconds=40),
                    f"{iso(at)[:-1]}.041Z\t{req}\tINFO\tbatch size=100 shard={shard}",
                )
                ctx.log(
                    g,
                    s,
                    at + timedelta(seconds=6),
                    f"{iso(at + timedelta(seconds=6))[:-1]}.512Z\t{req}\tWARN\tputItem retries exhausted after {ok} items, failing batch",
                )
                err = {
                    "errorType": "ProvisionedThroughputExceededException",
                    "errorMessage": _GSI_MSG,
                    "name": "ProvisionedThroughputExceededException",
                    "$fault": "client",
                    "$metadata": {
                        "httpStatusCode": 400,
                        "requestId": ctx.upper(52, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                        "attempts": 3,
                        "totalRetryDelay": rng.randint(180, 900),
                    },
                    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "stack": [
                        f"ProvisionedThroughputExceededException: {_GSI_MSG}",
                        "    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:867:20)",
                        "    at /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:876:5",
                        "    at de_CommandError (/var/runtime/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js:2302:14)",
                        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                        "    at async writeEvent (/var/task/dist/writer.js:48:9)",
                        "    at async Runtime.handler (/var/task/dist/index.js:22:13)",
                    ],
                }
                ctx.log(
                    g,
                    s,
                    at + timedelta(seconds=6, milliseconds=3),
                    f"{iso(at + timedelta(seconds=6))[:-1]}.515Z\t{req}\tERROR\tInvoke Error \t{json.dumps(err, separators=(',', ':'))}",
                )
                lambda_report(ctx, g, s, at, req, rng.uniform(5200, 8800), 256, rng.randint(88, 104))
            else:
                ctx.log(
                    g,
                    s,
                    at + timedelta(milliseconds=40),
                    f"{iso(at)[:-1]}.041Z\t{req}\tINFO\tbatch size=100 shard={shard}",
                )
                ctx.log(
                    g,
                    s,
                    at + timedelta(milliseconds=420),
                    f"{iso(at)[:-1]}.463Z\t{req}\tINFO\twrote 100 events, last seq {rng.randint(10**55, 10**56 - 1)}",
                )
                lambda_report(ctx, g, s, at, req, rng.uniform(180, 900), 256, rng.randint(86, 99))

    # ---------------- resources ----------------
    tdesc = {
        "TableName": table,
        "TableArn": table_arn,
        "TableId": ctx.uid(),
        "TableStatus": "ACTIVE",
        "CreationDateTime": iso(ctx.start - timedelta(days=rng.randint(500, 900))),
        "AttributeDefinitions": [
            {"AttributeName": "ticketId", "AttributeType": "S"},
            {"AttributeName": "eventTs", "AttributeType": "S"},
            {"AttributeName": "venueGateMinute", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "ticketId", "KeyType": "HASH"},
            {"AttributeName": "eventTs", "KeyType": "RANGE"},
        ],
        "BillingModeSummary": {"BillingMode": "PROVISIONED"},
        "ProvisionedThroughput": {
            "LastIncreaseDateTime": iso(mins[activities[-1][0]])
            if activities
            else iso(ctx.start - timedelta(hours=20)),
            "LastDecreaseDateTime": iso(ctx.start - timedelta(hours=rng.randint(6, 14))),
            "NumberOfDecreasesToday": rng.randint(1, 3),
            "ReadCapacityUnits": 100,
            "WriteCapacityUnits": int(table_wcu[-1]),
        },
        "GlobalSecondaryIndexes": [
            {
                "IndexName": gsi,
                "KeySchema": [
                    {"AttributeName": "venueGateMinute", "KeyType": "HASH"},
                    {"AttributeName": "eventTs", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["ticketId", "status"]},
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": {
                    "LastIncreaseDateTime": iso(ctx.start - timedelta(days=rng.randint(150, 400))),
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 50,
                    "WriteCapacityUnits": gsi_wcu,
                },
                "IndexSizeBytes": rng.randint(10**10, 4 * 10**10),
                "ItemCount": rng.randint(10**8, 3 * 10**8),
                "IndexArn": f"{table_arn}/index/{gsi}",
            }
        ],
        "StreamSpecification": {"StreamEnabled": False},
        "TableSizeBytes": rng.randint(5 * 10**10, 9 * 10**10),
        "ItemCount": rng.randint(10**8, 3 * 10**8),
        "SSEDescription": {
            "Status": "ENABLED",
            "SSEType": "KMS",
            "KMSMasterKeyArn": ctx.arn("kms", f"key/{ctx.uid()}"),
        },
        "TableClassSummary": {"TableClass": "STANDARD"},
        "DeletionProtectionEnabled": True,
    }
    ctx.res("dynamodb", "TableDescription", tdesc)
    aas_role = (
        f"arn:aws:iam::{ctx.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    )
    for dim, lo, top in (
        ("dynamodb:table:WriteCapacityUnits", 200, 4000),
        ("dynamodb:table:ReadCapacityUnits", 50, 1000),
    ):
        ctx.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{table}",
                "ScalableDimension": dim,
                "MinCapacity": lo,
                "MaxCapacity": top,
                "RoleARN": aas_role,
                "CreationTime": iso(ctx.start - timedelta(days=rng.randint(300, 480))),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )
    pol_name = f"DynamoDBWriteCapacityUtilization:table/{table}"
    high_name = f"TargetTracking-table/{table}-AlarmHigh-{ctx.uid()}"
    low_name = f"TargetTracking-table/{table}-AlarmLow-{ctx.uid()}"
    ctx.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": f"arn:aws:autoscaling:{ctx.region}:{ctx.account}:scalingPolicy:{ctx.uid()}:resource/dynamodb/table/{table}:policyName/{pol_name}",
            "PolicyName": pol_name,
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
            },
            "Alarms": [
                {"AlarmName": high_name, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{high_name}")},
                {"AlarmName": low_name, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{low_name}")},
            ],
            "CreationTime": iso(ctx.start - timedelta(days=rng.randint(300, 480))),
        },
    )
    for i, old, new in activities:
        at = mins[i] + timedelta(seconds=rng.randint(20, 50))
        ctx.records["events"].append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": ctx.uid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {int(new)}.",
                    "Cause": f"monitor alarm {high_name} in state ALARM triggered policy {pol_name}",
                    "StartTime": iso(at),
                    "EndTime": iso(at + timedelta(seconds=rng.randint(40, 120))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {int(new)}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
        ctx.trail(
            at + timedelta(seconds=1),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "type": "AssumedRole",
                "principalId": "AROA" + ctx.upper(17) + ":AutoScaling-UpdateTable",
                "arn": f"arn:aws:sts::{ctx.account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/AutoScaling-UpdateTable",
                "accountId": ctx.account,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROA" + ctx.upper(17),
                        "arn": aas_role,
                        "accountId": ctx.account,
                        "userName": "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                    },
                    "attributes": {"creationDate": iso(at), "mfaAuthenticated": "false"},
                },
                "invokedBy": "application-autoscaling.amazonaws.com",
            },
            read_only=False,
            request={
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 100, "writeCapacityUnits": int(new)},
            },
            response={
                "tableDescription": {
                    "tableName": table,
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "readCapacityUnits": 100,
                        "writeCapacityUnits": int(old),
                        "numberOfDecreasesToday": 1,
                    },
                    "tableArn": table_arn,
                }
            },
        )
    ctx.res(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": stream,
            "StreamARN": ctx.arn("kinesis", f"stream/{stream}"),
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": iso(ctx.start - timedelta(days=640)),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": shards,
            "ConsumerCount": 0,
        },
    )
    deploy = ramp - timedelta(hours=2, minutes=rng.randint(0, 40))
    fn_config(
        ctx,
        fn,
        role,
        "nodejs20.x",
        "dist/index.handler",
        256,
        60,
        deploy,
        {"TABLE_NAME": table, "NODE_OPTIONS": "--enable-source-maps"},
    )
    fn_config(
        ctx,
        "attendance-api",
        "attendance-api-role",
        "nodejs20.x",
        "dist/attendance.handler",
        512,
        10,
        ctx.start - timedelta(days=rng.randint(3, 20)),
        {"TABLE_NAME": table},
    )
    esm = ctx.uid()
    ctx.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm,
            "StartingPosition": "LATEST",
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 2,
            "EventSourceArn": ctx.arn("kinesis", f"stream/{stream}"),
            "FunctionArn": ctx.arn("lambda", f"function:{fn}"),
            "LastModified": iso(ctx.start - timedelta(days=200)),
            "LastProcessingResult": "PROBLEM: Function call failed",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": -1,
            "MaximumRecordAgeInSeconds": -1,
            "EventSourceMappingArn": ctx.arn("lambda", f"event-source-mapping:{esm}"),
        },
    )
    iam_role(
        ctx,
        role,
        "lambda.amazonaws.com",
        "entry-scan-writer",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:PutItem", "dynamodb:BatchWriteItem"],
                    "Resource": table_arn,
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "kinesis:GetRecords",
                        "kinesis:GetShardIterator",
                        "kinesis:DescribeStream",
                        "kinesis:DescribeStreamSummary",
                        "kinesis:ListShards",
                    ],
                    "Resource": ctx.arn("kinesis", f"stream/{stream}"),
                },
            ],
        },
    )
    log_group(ctx, f"/aws/lambda/{fn}", 14)
    log_group(ctx, "/aws/lambda/attendance-api", 14)

    # ---------------- alarms ----------------
    topic = ctx.arn("sns", "gatewise-oncall")
    ages = [
        r["value"]
        for r in ctx.records["metrics"]
        if r["metric"] == "IteratorAge" and r["dimensions"] == {"FunctionName": fn}
    ]
    first = next(i for i in range(2, len(ages)) if all(a > 300000 for a in ages[i - 2 : i + 1]))
    fire = mins[first] + timedelta(minutes=1, seconds=rng.randint(5, 40))
    age_alarm = ctx.alarm(
        "entry-scan-writer-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": fn},
        stat="Maximum",
        period=60,
        threshold=300000,
        evals=3,
        state="ALARM",
        reason="",
        state_at=fire,
        description="entry-scan-writer is more than 5 minutes behind turnstile-scans",
        actions=[topic],
        treat_missing="missing",
        unit="Milliseconds",
    )
    vals = [float(round(a)) for a in ages[first - 2 : first + 1]]
    stamp = mins[first - 2]
    reason = (
        "Threshold Crossed: 3 out of the last 3 datapoints ["
        + ", ".join(
            f"{v} ({(stamp + timedelta(minutes=k)):%d/%m/%y %H:%M:%S})"
            for k, v in reversed(list(enumerate(vals)))
        )
        + "] were greater than the threshold (300000.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    age_alarm["StateReason"] = reason
    data = ctx.reason_data(age_alarm, fire, vals)
    age_alarm["StateReasonData"] = json.dumps(data, separators=(",", ":"))
    ctx.history(age_alarm, fire, "OK", "ALARM", reason, data)
    # target-tracking alarms the table's auto scaling owns
    hi = ctx.alarm(
        high_name,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        stat="Sum",
        period=60,
        threshold=round(table_wcu[-1] * 0.7 * 60, 1),
        evals=2,
        state="OK",
        reason="Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold "
        f"({round(table_wcu[-1] * 0.7 * 60, 1)}) (minimum 1 datapoint for ALARM -> OK transition).",
        state_at=mins[activities[-1][0]] + timedelta(minutes=3) if activities else ctx.start,
        description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_name}.",
        actions=[],
        treat_missing="missing",
    )
    hi["AlarmActions"] = [
        f"arn:aws:autoscaling:{ctx.region}:{ctx.account}:scalingPolicy:{ctx.uid()}:resource/dynamodb/table/{table}:policyName/{pol_name}"
    ]
    for i, _old, _new in activities:
        ctx.history(
            hi,
            mins[i] + timedelta(seconds=rng.randint(5, 20)),
            "OK",
            "ALARM",
            "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (minimum 2 datapoints for OK -> ALARM transition).",
        )
        ctx.history(
            hi, mins[i] + timedelta(minutes=3, seconds=rng.randint(5, 20)), "ALARM", "OK", hi["StateReason"]
        )
    low = ctx.alarm(
        low_name,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        stat="Sum",
        period=60,
        threshold=round(table_wcu[-1] * 0.2 * 60, 1),
        op="LessThanThreshold",
        evals=15,
        state="OK",
        reason="Threshold Crossed: 1 out of the last 15 datapoints was not less than the threshold (minimum 1 datapoint for ALARM -> OK transition).",
        state_at=ctx.start + timedelta(minutes=rng.randint(20, 60)),
        description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_name}.",
        treat_missing="missing",
    )
    ctx.history(low, ctx.start + timedelta(minutes=rng.randint(5, 15)), "ALARM", "OK", low["StateReason"])
    api = ctx.alarm(
        "attendance-api-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "attendance-api"},
        stat="Sum",
        period=300,
        threshold=20,
        state="OK",
        reason="Threshold Crossed: 1 out of the last 1 datapoints [1.0] was not greater than the threshold (20.0) (minimum 1 datapoint for ALARM -> OK transition).",
        state_at=ctx.start - timedelta(days=rng.randint(1, 6)),
        actions=[topic],
    )
    del api

    # ---------------- cloudtrail ----------------
    gha = ctx.role_identity("gha-deploy-gatewise", "GitHubActions", deploy)
    ctx.trail(
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        read_only=False,
        request={"functionName": fn, "publish": True, "dryRun": False},
        response={
            "functionName": fn,
            "functionArn": ctx.arn("lambda", f"function:{fn}"),
            "runtime": "nodejs20.x",
            "handler": "dist/index.handler",
            "version": str(rng.randint(60, 140)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent="aws-sdk-js/3.637.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
    )
    pitr_t = ramp - timedelta(minutes=rng.randint(50, 80))
    admin = ctx.sso(
        rng.choice(["jonas.weber", "lea.hoffmann", "emre.yildiz"]) + "@gatewise.de",
        "DataPlatformAdmin",
        pitr_t,
    )
    ctx.trail(
        pitr_t,
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        admin,
        read_only=False,
        request={
            "tableName": table,
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
        },
        response={
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
            }
        },
        agent="[aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412]",
        ip=office_ip,
    )
    ctx.trail(
        pitr_t - timedelta(minutes=2),
        "dynamodb.amazonaws.com",
        "DescribeContinuousBackups",
        admin,
        read_only=True,
        request={"tableName": table},
        ip=office_ip,
    )
    reads = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("dynamodb.amazonaws.com", "ListTables", None),
        ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream}),
        ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": fn}),
        (
            "application-autoscaling.amazonaws.com",
            "DescribeScalableTargets",
            {"serviceNamespace": "dynamodb"},
        ),
    ]
    ctx.tooling_reads(rng.randint(32, 44), reads, "datadog-integration", "DatadogAWSIntegration")
    for _ in range(rng.randint(4, 7)):
        t = ctx.start + timedelta(minutes=rng.randint(0, int((ctx.now - ctx.start).total_seconds() // 60)))
        ctx.lambda_assume(t, role, fn)

    local = (ramp + timedelta(minutes=rng.randint(25, 45))).astimezone(_TZ)
    local = local - timedelta(minutes=local.minute % 15)
    ask = (
        f"The venue ops desk says the live attendance dashboards for tonight's events stopped climbing around "
        f"{local:%H:%M}, but the stands are filling up and the turnstiles are scanning tickets fine. "
        "Is the dashboard broken?"
    )
    event = ctx.alarm_event(
        age_alarm,
        fire,
        reason,
        data,
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (300000.0) "
        "(minimum 1 datapoint for ALARM -> OK transition).",
        ctx.start - timedelta(days=rng.randint(2, 12)),
    )
    return ctx.bundle(
        TITLE,
        {"question": ask, "alarm_event": event, "timezone": "Europe/Berlin"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": table,
                "category": "limit",
                "failure_mode": "gsi-write-capacity-exhausted",
            },
            "also_accept": [gsi, f"{table}/index/{gsi}", table_arn, f"{table_arn}/index/{gsi}"],
            "actions": ["scale", "reconfigure"],
            "chain": [f"{table}/index/{gsi}", table, fn, stream, "attendance-api"],
        },
    )


def ctx_min(seed: int) -> int:
    return (seed * 37) % 50
