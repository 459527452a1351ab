"""hearthly: thermostat app shows stale temperatures on a cold morning (kit zl, incident 3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zl import Kit, Rec, daily, iso, iso_ms, minutes, reason_text

NAME = "hearthly-stale-temperatures"
TITLE = "Thermostat app showing stale temperatures on a cold morning"
SUMMARY = "Smart-thermostat app shows readings from long ago and the telemetry consumer falls behind early one morning."

REGION = "us-east-2"
TABLE = "device-state"
GSI = "by-home-updated"
STREAM = "thermostat-telemetry"
CHICAGO = ZoneInfo("America/Chicago")


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed, "000000000000", REGION)
    rng = k.rng
    k.account = "7" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    account = k.account
    day = datetime(2025, 1, 7, tzinfo=UTC) + timedelta(days=rng.randint(0, 30))
    onset = day.replace(hour=12) + timedelta(minutes=rng.randint(22, 44))  # ~06:30 CST
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 25))
    now = onset + timedelta(minutes=rng.randint(40, 52))
    gsi_max = rng.choice([1200, 1500])
    table_max = 6000
    night_ws = rng.uniform(260, 320)  # table writes per second overnight
    surge = rng.uniform(2.55, 2.9)  # morning multiplier at its height

    def demand(t: datetime) -> float:
        """Table writes per second wanted by the consumer."""
        h = (t - onset).total_seconds() / 60
        base = night_ws * daily(t, -6.0, [(7.0, 1.4, 0.5)], 1.0)
        ramp = 1.0 + (surge - 1.0) / (1.0 + pow(2.718, -(h + 8) / 9))
        return base * ramp

    # ---- simulate capacity and autoscaling --------------------------------------------------------
    gsi_prov = float(rng.choice([700, 800]))
    tbl_prov = 900.0
    backlog = 0.0  # seconds of records behind
    scale_events: list[tuple[datetime, str, float, float]] = []
    throttled: dict[datetime, int] = {}
    rows: list[tuple[datetime, float, float, float, float, float, float, int]] = []
    hi_g = 0
    hi_t = 0
    for t in minutes(start, now - timedelta(minutes=1)):
        want = demand(t) * rng.uniform(0.97, 1.03)
        gsi_cap = gsi_prov * 1.0
        accepted = min(want + backlog / 60 * want * 0.2 if backlog else want, gsi_cap / 2.0, tbl_prov)
        thr = max(0.0, (want - accepted)) * 60
        if thr > 5:
            throttled[t] = round(thr * rng.uniform(0.5, 0.7))
            backlog += 60 * (1 - accepted / want)
        else:
            backlog = max(0.0, backlog - 60 * (accepted / want - 1) if accepted > want else backlog)
        rows.append((t, want, accepted, gsi_prov, tbl_prov, accepted * 2, backlog, throttled.get(t, 0)))
        # target tracking at 70%: two consecutive minutes above -> scale (AlarmHigh)
        hi_g = hi_g + 1 if accepted * 2 > 0.7 * gsi_prov else 0
        hi_t = hi_t + 1 if accepted > 0.7 * tbl_prov else 0
        if hi_g >= 2 and gsi_prov < gsi_max:
            new = min(float(gsi_max), round(accepted * 2 / 0.7 / 50) * 50 + 50)
            scale_events.append((t + timedelta(seconds=rng.randint(40, 100)), "gsi", gsi_prov, new))
            gsi_prov = new
            hi_g = -3
        if hi_t >= 2 and tbl_prov < table_max:
            new = min(float(table_max), round(accepted / 0.7 / 50) * 50 + 50)
            scale_events.append((t + timedelta(seconds=rng.randint(40, 100)), "table", tbl_prov, new))
            tbl_prov = new
            hi_t = -3

    # ---- metrics --------------------------------------------------------------------------------
    td = {"TableName": TABLE}
    gd = {"TableName": TABLE, "GlobalSecondaryIndexName": GSI}
    fn = "device-state-writer"
    fd = {"FunctionName": fn}
    shards = 8
    age_by_min: dict[datetime, float] = {}
    for t, want, acc, gp, tp, gcons, back, thr_n in rows:
        k.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            td,
            t,
            "Count",
            round(acc * 60 * rng.uniform(0.98, 1.02)),
        )
        k.put("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", td, t, "Count", tp)
        k.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            gd,
            t,
            "Count",
            round(gcons * 60 * rng.uniform(0.98, 1.01)),
        )
        k.put("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", gd, t, "Count", gp)
        k.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", td, t, "Count", round(k.noise(want * 60 * 0.35)))
        k.put("AWS/DynamoDB", "ProvisionedReadCapacityUnits", td, t, "Count", 1500)
        k.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", gd, t, "Count", round(k.noise(want * 60 * 0.08)))
        k.put("AWS/DynamoDB", "ProvisionedReadCapacityUnits", gd, t, "Count", 600)
        if thr_n:
            k.put("AWS/DynamoDB", "WriteThrottleEvents", gd, t, "Count", thr_n)
            k.put(
                "AWS/DynamoDB",
                "ThrottledRequests",
                {"TableName": TABLE, "Operation": "UpdateItem"},
                t,
                "Count",
                thr_n,
            )
        k.put_dist(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": TABLE, "Operation": "UpdateItem"},
            t,
            "Milliseconds",
            rng.uniform(4.2, 5.5),
            max(1, round(acc * 60 / 200)),
        )
        k.put_dist(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": TABLE, "Operation": "Query"},
            t,
            "Milliseconds",
            rng.uniform(3.2, 4.4),
            max(1, round(want * 60 * 0.08 / 40)),
        )
        recs = round(want * 60 * rng.uniform(0.99, 1.01))
        sd = {"StreamName": STREAM}
        k.put("AWS/Kinesis", "IncomingRecords", sd, t, "Count", recs)
        k.put("AWS/Kinesis", "IncomingBytes", sd, t, "Bytes", recs * rng.randint(410, 460))
        k.put("AWS/Kinesis", "PutRecords.Success", sd, t, "Count", round(recs / 180))
        got = round(acc * 60 * rng.uniform(0.99, 1.01))
        k.put("AWS/Kinesis", "GetRecords.Records", sd, t, "Count", got + round(thr_n * 0.4))
        age = (back * 1000 + rng.uniform(300, 1500)) if back else rng.uniform(250, 1400)
        age_by_min[t] = age
        k.put("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", sd, t, "Milliseconds", round(age))
        k.put("AWS/Kinesis", "ReadProvisionedThroughputExceeded", sd, t, "Count", 0)
        k.put("AWS/Kinesis", "WriteProvisionedThroughputExceeded", sd, t, "Count", 0)
        inv = round(shards * 2 * 60 / (2.2 if not thr_n else 7.5) * rng.uniform(0.9, 1.1))
        errs = round(inv * min(0.9, thr_n / max(1, want * 60) * 4)) if thr_n else 0
        k.put("AWS/Lambda", "Invocations", fd, t, "Count", inv)
        k.put("AWS/Lambda", "Errors", fd, t, "Count", errs)
        k.put("AWS/Lambda", "Throttles", fd, t, "Count", 0)
        k.put_dist(
            "AWS/Lambda", "Duration", fd, t, "Milliseconds", 1900 if not thr_n else 6400, inv, spread=0.3
        )
        k.put("AWS/Lambda", "ConcurrentExecutions", fd, t, "Count", shards * 2)
        k.put("AWS/Lambda", "IteratorAge", fd, t, "Milliseconds", round(age * rng.uniform(0.97, 1.0)))
        # the app's read API and the schedule pusher, unaffected
        api = round(k.noise(want * 60 * 0.045, 0.06))
        ad = {"ApiName": "hearthly-app-api", "Stage": "v1"}
        k.put("AWS/ApiGateway", "Count", ad, t, "Count", api)
        k.put("AWS/ApiGateway", "5XXError", ad, t, "Count", 1 if rng.random() < 0.05 else 0)
        k.put("AWS/ApiGateway", "4XXError", ad, t, "Count", round(api * rng.uniform(0.01, 0.02)))
        k.put_dist("AWS/ApiGateway", "Latency", ad, t, "Milliseconds", rng.uniform(70, 90), api, tail=420)
        for f2, per, dur in (("home-api", api, 45.0), ("schedule-sync", round(k.noise(90)), 210.0)):
            k.put("AWS/Lambda", "Invocations", {"FunctionName": f2}, t, "Count", per)
            k.put("AWS/Lambda", "Errors", {"FunctionName": f2}, t, "Count", 0)
            k.put("AWS/Lambda", "Throttles", {"FunctionName": f2}, t, "Count", 0)
            k.put_dist("AWS/Lambda", "Duration", {"FunctionName": f2}, t, "Milliseconds", dur, per)
            k.put(
                "AWS/Lambda",
                "ConcurrentExecutions",
                {"FunctionName": f2},
                t,
                "Count",
                max(1, round(per * dur / 60000 * 1.5)),
            )
        qd = {"QueueName": "schedule-commands"}
        sent = round(k.noise(90))
        k.put("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", sent)
        k.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", sent)
        k.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", rng.randint(0, 3))

    # ---- events: application auto scaling -------------------------------------------------------
    gsi_res = f"table/{TABLE}/index/{GSI}"
    for at, which, _old, new in scale_events:
        rid = gsi_res if which == "gsi" else f"table/{TABLE}"
        dim = "dynamodb:index:WriteCapacityUnits" if which == "gsi" else "dynamodb:table:WriteCapacityUnits"
        kind = "index" if which == "gsi" else "table"
        k.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": k.uuid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "Description": f"Setting write capacity units to {new:.0f}.",
                    "Cause": f"monitor alarm TargetTracking-{rid}-AlarmHigh-{k.uuid()} in state ALARM triggered policy DynamoDBWriteCapacityUtilization:{rid}",
                    "StartTime": iso(at),
                    "EndTime": iso(at + timedelta(seconds=rng.randint(20, 60))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {new:.0f}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
        k.service_ct(
            at + timedelta(seconds=2),
            "application-autoscaling.amazonaws.com",
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "tableName": TABLE,
                "globalSecondaryIndexUpdates": [
                    {
                        "update": {
                            "indexName": GSI,
                            "provisionedThroughput": {
                                "readCapacityUnits": 600,
                                "writeCapacityUnits": int(new),
                            },
                        }
                    }
                ],
            }
            if kind == "index"
            else {
                "tableName": TABLE,
                "provisionedThroughput": {"readCapacityUnits": 1500, "writeCapacityUnits": int(new)},
            },
            False,
        )
    k.events.sort(key=lambda e: e["item"]["StartTime"])
    final_gsi = max([new for _, w, _, new in scale_events if w == "gsi"], default=gsi_prov)
    final_tbl = max([new for _, w, _, new in scale_events if w == "table"], default=tbl_prov)

    # ---- logs -----------------------------------------------------------------------------------
    sstreams = [k.lambda_stream(start) for _ in range(4)]
    for t, _want, _acc, _gp, _tp, _gc, _back, thr_n in rows[::2]:
        at = t + timedelta(seconds=rng.uniform(0, 100))
        shard = f"shardId-{rng.randint(0, shards - 1):012d}"
        st = rng.choice(sstreams)
        stamp = iso_ms(at + timedelta(milliseconds=3))
        if thr_n and rng.random() < 0.85:
            lines = [
                f"[ERROR]\t{stamp}\t{{rid}}\tbatch failed shard={shard} records=500 written={rng.randint(40, 330)}",
                "[ERROR] ProvisionedThroughputExceededException: An error occurred (ProvisionedThroughputExceededException) when calling the UpdateItem "
                "operation (reached max retries: 9): The level of configured provisioned throughput for one or more global secondary indexes of the "
                "table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API\n"
                "Traceback (most recent call last):\n"
                '  File "/var/task/writer/handler.py", line 58, in handler\n    _write_batch(records)\n'
                '  File "/var/task/writer/handler.py", line 91, in _write_batch\n    table.update_item(**_update_args(state))\n'
                '  File "/var/lang/lib/python3.12/site-packages/boto3/resources/factory.py", line 581, in do_action\n    response = action(self, *args, **kwargs)\n'
                '  File "/var/runtime/botocore/client.py", line 1021, in _make_api_call\n    raise error_class(parsed_response, operation_name)',
            ]
            k.lambda_invocation(fn, st, at, rng.uniform(5200, 8800), 1024, rng.randint(210, 260), lines)
        else:
            n = 500
            lines = [
                f"[INFO]\t{stamp}\t{{rid}}\twrote {n} device states shard={shard} ms={rng.randint(1500, 2300)} stale_skipped={rng.randint(0, 9)}"
            ]
            if rng.random() < 0.03:
                lines.append(
                    f"[WARNING]\t{stamp}\t{{rid}}\tdevice hv-{k.hex(10)} reported firmware 4.2.1 (unsupported), state stored without humidity"
                )
            k.lambda_invocation(fn, st, at, rng.uniform(1400, 2500), 1024, rng.randint(190, 230), lines)
    hstream = k.lambda_stream(start)
    for t in minutes(start, now - timedelta(minutes=1), 4):
        at = t + timedelta(seconds=rng.uniform(0, 200))
        age_s = age_by_min.get(minute(at), 0) / 1000
        line = json.dumps(
            {
                "level": "info",
                "route": "GET /v1/homes/{homeId}/devices",
                "status": 200,
                "devices": rng.randint(1, 4),
                "oldestReadingAgeSec": round(age_s + rng.uniform(20, 120)),
                "ms": rng.randint(30, 90),
            },
            separators=(",", ":"),
        )
        k.lambda_invocation(
            "home-api",
            hstream,
            at,
            rng.uniform(25, 95),
            512,
            rng.randint(120, 150),
            [f"{iso_ms(at)}\t{{rid}}\tINFO\t{line}"],
        )
    k.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(500, 900))
    stream_arn = k.arn("kinesis", f"stream/{STREAM}")
    k.res(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": STREAM,
            "StreamARN": stream_arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": shards,
            "ConsumerCount": 0,
        },
    )
    table_arn = k.arn("dynamodb", f"table/{TABLE}")
    gsi_arn = f"{table_arn}/index/{GSI}"
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": TABLE,
            "TableArn": table_arn,
            "TableId": k.uuid(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "AttributeDefinitions": [
                {"AttributeName": "deviceId", "AttributeType": "S"},
                {"AttributeName": "homeId", "AttributeType": "S"},
                {"AttributeName": "updatedAt", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "deviceId", "KeyType": "HASH"}],
            "BillingModeSummary": {"BillingMode": "PROVISIONED"},
            "ProvisionedThroughput": {
                "ReadCapacityUnits": 1500,
                "WriteCapacityUnits": int(final_tbl),
                "NumberOfDecreasesToday": 1,
                "LastIncreaseDateTime": iso(
                    max([a for a, w, _, _ in scale_events if w == "table"], default=start)
                ),
            },
            "ItemCount": rng.randint(1_800_000, 2_600_000),
            "TableSizeBytes": rng.randint(700_000_000, 1_100_000_000),
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": GSI,
                    "IndexArn": gsi_arn,
                    "IndexStatus": "ACTIVE",
                    "KeySchema": [
                        {"AttributeName": "homeId", "KeyType": "HASH"},
                        {"AttributeName": "updatedAt", "KeyType": "RANGE"},
                    ],
                    "Projection": {
                        "ProjectionType": "INCLUDE",
                        "NonKeyAttributes": ["currentTempC", "setpointC", "mode", "online"],
                    },
                    "ProvisionedThroughput": {
                        "ReadCapacityUnits": 600,
                        "WriteCapacityUnits": int(final_gsi),
                        "NumberOfDecreasesToday": 1,
                        "LastIncreaseDateTime": iso(
                            max([a for a, w, _, _ in scale_events if w == "gsi"], default=start)
                        ),
                    },
                    "IndexSizeBytes": rng.randint(300_000_000, 500_000_000),
                    "ItemCount": rng.randint(1_800_000, 2_600_000),
                }
            ],
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": k.arn("kms", f"key/{k.uuid()}"),
            },
            "DeletionProtectionEnabled": True,
        },
    )
    as_role = f"arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    for rid, dim, lo, hi in (
        (f"table/{TABLE}", "dynamodb:table:WriteCapacityUnits", 400, table_max),
        (gsi_res, "dynamodb:index:WriteCapacityUnits", 100, gsi_max),
        (f"table/{TABLE}", "dynamodb:table:ReadCapacityUnits", 1500, 4000),
        (gsi_res, "dynamodb:index:ReadCapacityUnits", 600, 2000),
    ):
        k.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": dim,
                "MinCapacity": lo,
                "MaxCapacity": hi,
                "RoleARN": as_role,
                "CreationTime": iso(created + timedelta(days=1)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )
        if "Write" in dim:
            k.res(
                "application-autoscaling",
                "ScalingPolicy",
                {
                    "PolicyARN": k.arn(
                        "autoscaling",
                        f"scalingPolicy:{k.uuid()}:resource/dynamodb/{rid}:policyName/DynamoDBWriteCapacityUtilization:{rid}",
                    ),
                    "PolicyName": f"DynamoDBWriteCapacityUtilization:{rid}",
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": 70.0,
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "DynamoDBWriteCapacityUtilization"
                        },
                    },
                    "Alarms": [],
                    "CreationTime": iso(created + timedelta(days=1)),
                },
            )
    esm = k.uuid()
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm,
            "BatchSize": 500,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 2,
            "StartingPosition": "LATEST",
            "EventSourceArn": stream_arn,
            "FunctionArn": k.arn("lambda", f"function:{fn}"),
            "LastModified": iso(created + timedelta(days=200)),
            "LastProcessingResult": "PROBLEM: Function call failed",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": -1,
            "FunctionResponseTypes": [],
        },
    )
    alerts_dep = onset - timedelta(minutes=rng.randint(18, 26))
    for f2, rt, mem, to, mod in (
        (fn, "python3.12", 1024, 60, day - timedelta(days=12)),
        ("home-api", "nodejs20.x", 512, 10, day - timedelta(days=4)),
        ("schedule-sync", "python3.12", 512, 30, day - timedelta(days=33)),
        ("alerts-evaluator", "python3.12", 512, 60, alerts_dep + timedelta(seconds=9)),
    ):
        k.function(
            f2,
            rt,
            "handler.handler" if rt.startswith("py") else "index.handler",
            f"hearthly-{f2}",
            mem,
            to,
            mod,
            env={"TABLE_NAME": TABLE, "LOG_LEVEL": "INFO"},
            arch="arm64",
        )
        k.role(f"hearthly-{f2}", "lambda.amazonaws.com", created, now - timedelta(minutes=1))
    q_created = str(int(created.timestamp()))
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/schedule-commands",
            "Attributes": {
                "QueueArn": k.arn("sqs", "schedule-commands"),
                "VisibilityTimeout": "60",
                "MessageRetentionPeriod": "86400",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "MaximumMessageSize": "262144",
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "2",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": q_created,
                "LastModifiedTimestamp": q_created,
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "device-platform"},
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "schedules",
            "TableArn": k.arn("dynamodb", "table/schedules"),
            "TableId": k.uuid(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "AttributeDefinitions": [{"AttributeName": "homeId", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "homeId", "KeyType": "HASH"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
                "NumberOfDecreasesToday": 0,
            },
            "ItemCount": rng.randint(600_000, 900_000),
            "TableSizeBytes": rng.randint(200_000_000, 400_000_000),
        },
    )

    # ---- CloudTrail -----------------------------------------------------------------------------
    ci = k.role_principal("hearthly-ci-deploy", "buildkite")
    tf = k.role_principal("hearthly-terraform-plan", "atlantis-plan")
    eng = k.sso(rng.choice(["m.alvarez@hearthly.com", "j.nguyen@hearthly.com"]), "DevicePlatformEngineer")
    oncall = k.sso("oncall@hearthly.com", "ReadOnly")
    span = (now - start).total_seconds()
    for t in sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(24)):
        opts: list[tuple[Rec, str, str, Rec]] = [
            (tf, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": rng.choice([TABLE, "schedules"])}),
            (tf, "dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": TABLE}),
            (
                tf,
                "application-autoscaling.amazonaws.com",
                "DescribeScalableTargets",
                {"serviceNamespace": "dynamodb"},
            ),
            (tf, "kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": STREAM}),
            (tf, "lambda.amazonaws.com", "GetEventSourceMapping", {"uUID": esm}),
            (
                tf,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                {"functionName": rng.choice([fn, "home-api", "schedule-sync"])},
            ),
            (eng, "logs.amazonaws.com", "FilterLogEvents", {"logGroupName": "/aws/lambda/schedule-sync"}),
        ]
        who, src, name, req = rng.choice(opts)
        k.ct(
            t,
            who,
            src,
            name,
            req,
            None,
            read_only=True,
            agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.ubuntu.22" if who is tf else None,
        )
    k.ct(
        alerts_dep,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "alerts-evaluator",
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"hearthly-artifacts-{account}",
            "s3Key": f"alerts-evaluator/{k.hex(12)}.zip",
        },
        {
            "functionName": "alerts-evaluator",
            "functionArn": k.arn("lambda", "function:alerts-evaluator"),
            "codeSha256": k.b64(44),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    k.ct(
        alerts_dep + timedelta(seconds=9),
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "alerts-evaluator", "timeout": 60},
        {"functionName": "alerts-evaluator", "timeout": 60, "lastUpdateStatus": "InProgress"},
    )
    pitr = onset - timedelta(minutes=rng.randint(8, 13))
    k.ct(
        pitr,
        eng,
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        {"tableName": "schedules", "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
            }
        },
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(3, 7)),
        eng,
        "kinesis.amazonaws.com",
        "UpdateShardCount",
        None,
        None,
        error=(
            "AccessDeniedException",
            f"User: arn:aws:sts::{account}:assumed-role/AWSReservedSSO_DevicePlatformEngineer/eng is not authorized to perform: kinesis:UpdateShardCount",
        ),
        read_only=False,
    )
    k.trail[-1]["requestParameters"] = {
        "streamName": STREAM,
        "targetShardCount": 16,
        "scalingType": "UNIFORM_SCALING",
    }
    k.trail[-1]["errorMessage"] = k.trail[-1]["errorMessage"].replace(
        "AWSReservedSSO_DevicePlatformEngineer/eng",
        k.trail[-1]["userIdentity"]["arn"].split("assumed-role/")[1],
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(10, 20)),
        oncall,
        "dynamodb.amazonaws.com",
        "DescribeTable",
        {"tableName": TABLE},
        None,
        read_only=True,
    )
    k.trail.sort(key=lambda r: r["eventTime"])

    # ---- alarms ---------------------------------------------------------------------------------
    topic = k.arn("sns", "hearthly-oncall")
    al_created = created + timedelta(days=60)
    thr_ms = 300000.0
    breach = [t for t, a in sorted(age_by_min.items()) if a > thr_ms]
    fire_t = breach[2] if len(breach) > 2 else breach[-1]
    fire_at = fire_t + timedelta(seconds=60 + rng.randint(10, 40))
    why, _ = reason_text(
        thr_ms,
        "GreaterThanThreshold",
        [round(age_by_min[fire_t - timedelta(minutes=i)]) for i in range(3)],
        fire_t,
        60,
        3,
    )
    alarm = k.alarm(
        "device-state-writer-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        fd,
        "Maximum",
        60,
        3,
        thr_ms,
        "GreaterThanThreshold",
        "Telemetry consumer more than 5 minutes behind",
        topic,
        al_created,
        [(fire_at, "OK", "ALARM", why)],
    )
    # the target-tracking alarm on the index stays in ALARM once it is pinned at its maximum
    gsi_hi = [a for a, w, _, _ in scale_events if w == "gsi"]
    hi_at = gsi_hi[-1] - timedelta(seconds=50) if gsi_hi else onset
    tt = k.alarm(
        f"TargetTracking-{gsi_res}-AlarmHigh-{k.uuid()}",
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        gd,
        "Sum",
        60,
        2,
        final_gsi * 60 * 0.7,
        "GreaterThanThreshold",
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:...:resource/dynamodb/{gsi_res}:policyName/DynamoDBWriteCapacityUtilization:{gsi_res}.",
        k.arn(
            "autoscaling",
            f"scalingPolicy:{k.uuid()}:resource/dynamodb/{gsi_res}:policyName/DynamoDBWriteCapacityUtilization:{gsi_res}",
        ),
        al_created,
        [],
    )
    tt["StateValue"] = "ALARM"
    tt["StateReason"] = (
        f"Threshold Crossed: 2 datapoints were greater than the threshold ({final_gsi * 60 * 0.7})."
    )
    tt["StateUpdatedTimestamp"] = iso_ms(hi_at)
    tt["StateTransitionedTimestamp"] = iso_ms(hi_at)
    tt["OKActions"] = []
    for nm, ns, met, dims, stat, per, ev_n, th in [
        (
            "home-api-5xx",
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": "hearthly-app-api", "Stage": "v1"},
            "Sum",
            300,
            1,
            25.0,
        ),
        (
            "schedule-commands-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "schedule-commands"},
            "Maximum",
            300,
            1,
            120.0,
        ),
        (
            "schedule-sync-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "schedule-sync"},
            "Sum",
            300,
            1,
            10.0,
        ),
        (
            "thermostat-telemetry-write-throttles",
            "AWS/Kinesis",
            "WriteProvisionedThroughputExceeded",
            {"StreamName": STREAM},
            "Sum",
            300,
            1,
            100.0,
        ),
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
        )
        a["StateReason"] = f"Threshold Crossed: 1 datapoint was not greater than the threshold ({th})."
        a["StateUpdatedTimestamp"] = iso_ms(now - timedelta(minutes=rng.randint(1, 4)))
        a["StateTransitionedTimestamp"] = iso_ms(start - timedelta(days=rng.randint(3, 30)))

    ask = minute(onset.astimezone(CHICAGO)) + timedelta(minutes=rng.randint(-6, -2))
    question = (
        f"Support says customers' Hearthly apps are showing temperatures that are way out of date and schedule changes "
        f"look like they aren't sticking, since roughly {ask.strftime('%I').lstrip('0')}:{ask:%M}am. We also got paged for the "
        f"telemetry consumer. Cold morning here, but nothing was deployed to that pipeline. What's wrong?"
    )
    event = k.alarm_event(
        alarm,
        fire_at,
        start - timedelta(days=6),
        "Threshold Crossed: no datapoints were greater than the threshold (300000.0).",
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "America/Chicago"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": gsi_arn,
                    "category": "limit",
                    "failure_mode": "gsi-write-capacity-at-autoscaling-max",
                    "event_id": None,
                },
                "also_accept": [GSI, gsi_res, TABLE, table_arn],
                "actions": ["scale"],
                "chain": [
                    f"morning surge of thermostat updates needs more than {gsi_max} WCU on {GSI} (each update moves the item in the index: two index writes)",
                    f"{GSI} write capacity is pinned at its auto-scaling maximum ({gsi_max})",
                    f"GSI back-pressure throttles UpdateItem on {TABLE} although the table itself has spare capacity",
                    f"{fn} batches fail and are retried; the {STREAM} iterator age climbs",
                    "the app reads stale device state",
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
            "events": k.events,
        },
    )


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)
