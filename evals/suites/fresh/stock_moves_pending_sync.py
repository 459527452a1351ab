"""Warehouse stock movements stuck as 'pending sync' while the ledger table looks under capacity."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zn import (
    Actor,
    AlarmSpec,
    Ctx,
    Json,
    Metrics,
    aggregate,
    alnum,
    assume_role_by_service,
    diurnal,
    evaluate_alarm,
    hexs,
    iso,
    jitter,
    mixed_grid,
    ms,
    pick_day,
    role_actor,
    routine_reads,
    scatter,
    sso_actor,
    steps,
    trail,
    uid,
)

NAME = "stock-moves-pending-sync"
TITLE = "Handheld stock moves stuck 'pending sync'; stock-movements queue age alarm late morning"
SUMMARY = (
    "Late morning: stock movement messages age in their queue and writes to the inventory ledger are refused."
)

TZ = ZoneInfo("America/Chicago")
PEAKS = [(8.0, 2.0, 0.55), (11.5, 2.2, 0.95), (15.0, 2.2, 0.7)]
LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200_000_000_000, 899_999_999_999))
    region = "us-east-2"
    ctx = Ctx(rng, account, region)
    day = pick_day(rng)
    # demand on the index crosses its ceiling at `onset`
    local_onset = datetime(
        day.year, day.month, day.day, 10, rng.randint(35, 59), rng.randint(0, 59), tzinfo=TZ
    )
    onset = local_onset.astimezone(UTC)
    offset = local_onset.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = (onset - timedelta(hours=5)).replace(minute=0, second=0)
    fine_from = (onset - timedelta(minutes=120)).replace(second=0)
    fine_from = fine_from.replace(minute=fine_from.minute - fine_from.minute % 5)
    now = onset + timedelta(minutes=rng.randint(42, 58), seconds=rng.randint(0, 59))
    end = now + timedelta(minutes=1)

    table = "inventory-ledger"
    gsi = "sku-location-index"
    gsi2 = "movement-date-index"
    table_arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    gsi_arn = f"{table_arn}/index/{gsi}"
    gsi_max = rng.choice([400, 450, 500])
    table_max = 4000
    fn = "stock-movements-consumer"
    q = "stock-movements-prod"
    qarn = f"arn:aws:sqs:{region}:{account}:{q}"
    sns_arn = f"arn:aws:sns:{region}:{account}:wms-prod-pager"
    cluster = "wms-prod"
    sites = ["DC-01", "DC-02", "DC-03", "DC-04"]

    # --- demand model -----------------------------------------------------------------------------
    def load(t: datetime) -> float:
        return diurnal(t, offset, PEAKS)

    # scale so that GSI demand reaches gsi_max exactly at onset
    ratio = rng.uniform(0.78, 0.86)  # GSI write units per table write unit
    k = gsi_max / (ratio * load(onset))
    m = Metrics()
    grid = mixed_grid(start, fine_from, end)
    table_prov = 900.0
    gsi_prov = gsi_max * 0.75
    gsi2_prov = 300.0
    aas: list[Json] = []
    backlog = 0.0
    age = 2.0
    last_scale = {"table": start, "gsi": start}

    def activity(kind: str, t: datetime, frm: float, to: float, res_id: str, dim: str) -> None:
        pol = f"DynamoDBWriteCapacityUtilization:{res_id}"
        alarm = f"TargetTracking-{res_id}-AlarmHigh-{uid(rng)}"
        aas.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": uid(rng),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": res_id,
                    "ScalableDimension": dim,
                    "Description": f"Setting write capacity units to {int(to)}.",
                    "Cause": f"monitor alarm {alarm} in state ALARM triggered policy {pol}",
                    "StartTime": iso(t),
                    "EndTime": iso(t + timedelta(seconds=rng.randint(25, 70))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {int(to)}. Change successfully fulfilled by dynamodb.",
                },
            }
        )

    for t in grid:
        step = 5 if t < fine_from else 1
        lf = load(t)
        demand_table = jitter(rng, k * lf, 0.03)  # WCU per second wanted
        demand_gsi = demand_table * ratio
        # auto scaling (target tracking, 70%) every ~5-10 minutes while rising
        if (
            t - last_scale["gsi"] >= timedelta(minutes=8)
            and demand_gsi / gsi_prov > 0.78
            and gsi_prov < gsi_max
        ):
            new = min(gsi_max, round(demand_gsi / 0.7))
            activity(
                "gsi",
                t + timedelta(seconds=rng.randint(60, 110)),
                gsi_prov,
                new,
                f"table/{table}/index/{gsi}",
                "dynamodb:index:WriteCapacityUnits",
            )
            gsi_prov = new
            last_scale["gsi"] = t
        if (
            t - last_scale["table"] >= timedelta(minutes=8)
            and demand_table / table_prov > 0.78
            and table_prov < table_max
        ):
            new = min(table_max, round(demand_table / 0.7))
            activity(
                "table",
                t + timedelta(seconds=rng.randint(60, 110)),
                table_prov,
                new,
                f"table/{table}",
                "dynamodb:table:WriteCapacityUnits",
            )
            table_prov = new
            last_scale["table"] = t
        cap = min(gsi_prov, gsi_max)
        throttled_share = max(0.0, (demand_gsi - cap) / demand_gsi) if demand_gsi > cap * 1.01 else 0.0
        ok_table = demand_table * (1 - throttled_share)
        ok_gsi = min(demand_gsi, cap * rng.uniform(0.985, 1.0)) if throttled_share else demand_gsi
        writes_per_min = demand_table * 60 / 2.0  # 2 WCU per write
        thr_events = int(writes_per_min * throttled_share * 2.4 * step)  # SDK retries add attempts
        dims_t = {"TableName": table}
        dims_g = {"TableName": table, "GlobalSecondaryIndexName": gsi}
        dims_g2 = {"TableName": table, "GlobalSecondaryIndexName": gsi2}
        m.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            dims_t,
            t,
            round(ok_table * 60 * step, 1),
            "Count",
            key="t:cwcu",
        )
        m.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            dims_g,
            t,
            round(ok_gsi * 60 * step, 1),
            "Count",
            key="g:cwcu",
        )
        m.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            dims_g2,
            t,
            round(ok_table * 0.5 * 60 * step, 1),
            "Count",
        )
        m.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            dims_t,
            t,
            round(jitter(rng, 180 * lf + 20, 0.05) * 60 * step, 1),
            "Count",
        )
        m.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            dims_g,
            t,
            round(jitter(rng, 95 * lf + 10, 0.06) * 60 * step, 1),
            "Count",
        )
        if t.minute % 5 == 0:
            m.put("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims_t, t, table_prov, "Count")
            m.put("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims_g, t, gsi_prov, "Count", key="g:pwcu")
            m.put("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims_g2, t, gsi2_prov, "Count")
            m.put("AWS/DynamoDB", "ProvisionedReadCapacityUnits", dims_t, t, 400, "Count")
            m.put("AWS/DynamoDB", "ProvisionedReadCapacityUnits", dims_g, t, 200, "Count")
        m.put("AWS/DynamoDB", "WriteThrottleEvents", dims_g, t, thr_events, "Count", sparse=True, key="g:thr")
        m.put("AWS/DynamoDB", "WriteThrottleEvents", dims_t, t, thr_events, "Count", sparse=True)
        m.put(
            "AWS/DynamoDB",
            "ThrottledRequests",
            {"TableName": table, "Operation": "UpdateItem"},
            t,
            thr_events,
            "Count",
            sparse=True,
        )
        m.put_latency(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "UpdateItem"},
            t,
            rng,
            max(1, int(writes_per_min * step / 20)),
            5.2,
            21.0,
            "Milliseconds",
        )
        m.put_latency(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "Query"},
            t,
            rng,
            max(1, int(90 * lf * step)),
            3.9,
            14.0,
            "Milliseconds",
        )
        # the queue and its consumer
        arrivals = writes_per_min * step
        processed = arrivals * (1 - throttled_share) + (
            min(backlog, arrivals * 0.05) if not throttled_share else 0
        )
        backlog = max(0.0, backlog + arrivals - processed)
        if throttled_share:
            age = age + 60 * step * rng.uniform(0.9, 1.0) if backlog > arrivals * 0.5 else age
        else:
            age = rng.uniform(1, 4)
        qd = {"QueueName": q}
        m.put("AWS/SQS", "NumberOfMessagesSent", qd, t, int(arrivals), "Count")
        m.put(
            "AWS/SQS", "NumberOfMessagesReceived", qd, t, int(arrivals * (1 + throttled_share * 1.5)), "Count"
        )
        m.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, int(processed), "Count")
        m.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            qd,
            t,
            int(backlog * 0.7 + rng.randint(0, 8)),
            "Count",
        )
        m.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            qd,
            t,
            int(min(100, 10 + backlog * 0.3) + rng.randint(0, 5)),
            "Count",
        )
        m.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, int(age), "Seconds", key="q:age")
        m.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": f"{q}-dlq"}, t, 0, "Count")
        inv = max(1, int(arrivals / 10 * (1 + throttled_share)))
        d = {"FunctionName": fn}
        m.put("AWS/Lambda", "Invocations", d, t, inv, "Count")
        m.put(
            "AWS/Lambda",
            "Errors",
            d,
            t,
            rng.choice([0, 0, 0, 0, 1]) if rng.random() < 0.02 else 0,
            "Count",
            key="fn:err",
        )
        m.put("AWS/Lambda", "Throttles", d, t, 0, "Count")
        med = 160.0 if not throttled_share else 160.0 + 1400 * min(1.0, throttled_share * 4)
        m.put_latency(
            "AWS/Lambda",
            "Duration",
            d,
            t,
            rng,
            inv,
            med,
            med * 2.5 if not throttled_share else 4100.0,
            "Milliseconds",
        )
        m.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            t,
            min(20, max(1, round(inv / step * med / 60000 * 1.6 + 1))),
            "Count",
        )
        # the read side: wms-api on ECS behind an ALB is unaffected
        rd = {"ClusterName": cluster, "ServiceName": "wms-api"}
        m.put("AWS/ECS", "CPUUtilization", rd, t, round(jitter(rng, 28 * lf + 4, 0.06), 2), "Percent")
        m.put("AWS/ECS", "MemoryUtilization", rd, t, round(jitter(rng, 46, 0.02), 2), "Percent")

    # --- alarms ------------------------------------------------------------------------------------
    fine = lambda key: [p for p in m.series[key] if p[0] >= fine_from]  # noqa: E731
    tt_high = f"TargetTracking-table/{table}/index/{gsi}-AlarmHigh-{uid(rng)}"
    specs = [
        AlarmSpec(
            f"{q}-oldest-message-age",
            "Stock movements waiting too long to be applied to the ledger",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": q},
            "Maximum",
            60,
            5,
            5,
            300.0,
            "GreaterThanThreshold",
            actions=[sns_arn],
        ),
        AlarmSpec(
            f"{fn}-errors",
            "stock movement consumer errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn},
            "Sum",
            300,
            1,
            1,
            10.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
        AlarmSpec(
            f"{q}-dlq-not-empty",
            "Stock movements dead-lettered",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": f"{q}-dlq"},
            "Maximum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            actions=[sns_arn],
        ),
        AlarmSpec(
            tt_high,
            "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy "
            f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{uid(rng)}:resource/dynamodb/table/{table}/index/{gsi}:policyName/DynamoDBWriteCapacityUtilization:table/{table}/index/{gsi}.",
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": table, "GlobalSecondaryIndexName": gsi},
            "Sum",
            60,
            2,
            2,
            round(gsi_prov * 0.7 * 60, 1),
            "GreaterThanThreshold",
        ),
    ]
    series = {
        specs[0].name: aggregate(fine("q:age"), 60, "Maximum"),
        specs[1].name: aggregate(fine("fn:err"), 300, "Sum"),
        specs[2].name: [(t, 0.0) for t, _ in aggregate(fine("q:age"), 300, "Maximum")],
        specs[3].name: aggregate(fine("g:cwcu"), 60, "Sum"),
    }
    alarms: list[Json] = []
    history: list[Json] = []
    event: Json | None = None
    for spec in specs:
        a, h, ev = evaluate_alarm(ctx, spec, series[spec.name], fine_from, now, rng)
        alarms.append(a)
        if spec is specs[0]:
            event = ev
        if spec is not specs[3]:
            history.extend(h)
        else:
            history.extend(h[-2:])
    assert event is not None

    # --- resources ---------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(400, 900))
    res: list[Json] = []
    items = rng.randint(38_000_000, 52_000_000)
    res.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                    {"AttributeName": "skuLocation", "AttributeType": "S"},
                    {"AttributeName": "movementDate", "AttributeType": "S"},
                ],
                "TableName": table,
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(created),
                "ProvisionedThroughput": {
                    "LastIncreaseDateTime": iso(onset - timedelta(minutes=rng.randint(20, 50))),
                    "LastDecreaseDateTime": iso(start - timedelta(hours=9)),
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 400,
                    "WriteCapacityUnits": int(table_prov),
                },
                "TableSizeBytes": items * 640,
                "ItemCount": items,
                "TableArn": table_arn,
                "TableId": uid(rng),
                "BillingModeSummary": {
                    "BillingMode": "PROVISIONED",
                    "LastUpdateToPayPerRequestDateTime": iso(created),
                },
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": gsi,
                        "KeySchema": [
                            {"AttributeName": "skuLocation", "KeyType": "HASH"},
                            {"AttributeName": "sk", "KeyType": "RANGE"},
                        ],
                        "Projection": {
                            "ProjectionType": "INCLUDE",
                            "NonKeyAttributes": ["qtyOnHand", "qtyAllocated", "lastMovementId", "updatedAt"],
                        },
                        "IndexStatus": "ACTIVE",
                        "ProvisionedThroughput": {
                            "LastIncreaseDateTime": iso(onset - timedelta(minutes=rng.randint(12, 30))),
                            "LastDecreaseDateTime": iso(start - timedelta(hours=8)),
                            "NumberOfDecreasesToday": 0,
                            "ReadCapacityUnits": 200,
                            "WriteCapacityUnits": int(gsi_prov),
                        },
                        "IndexSizeBytes": items * 210,
                        "ItemCount": items,
                        "IndexArn": gsi_arn,
                    },
                    {
                        "IndexName": gsi2,
                        "KeySchema": [
                            {"AttributeName": "movementDate", "KeyType": "HASH"},
                            {"AttributeName": "sk", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "KEYS_ONLY"},
                        "IndexStatus": "ACTIVE",
                        "ProvisionedThroughput": {
                            "NumberOfDecreasesToday": 0,
                            "ReadCapacityUnits": 50,
                            "WriteCapacityUnits": int(gsi2_prov),
                        },
                        "IndexSizeBytes": items * 90,
                        "ItemCount": items,
                        "IndexArn": f"{table_arn}/index/{gsi2}",
                    },
                ],
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                "LatestStreamLabel": (created + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.000"),
                "LatestStreamArn": f"{table_arn}/stream/{(created + timedelta(days=3)).strftime('%Y-%m-%dT%H:%M:%S.000')}",
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{region}:{account}:key/{uid(rng)}",
                },
                "TableClassSummary": {"TableClass": "STANDARD"},
                "DeletionProtectionEnabled": True,
            },
        }
    )
    role = f"arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    for rid, dim, lo, hi in [
        (f"table/{table}", "dynamodb:table:WriteCapacityUnits", 200, table_max),
        (f"table/{table}", "dynamodb:table:ReadCapacityUnits", 100, 2000),
        (f"table/{table}/index/{gsi}", "dynamodb:index:WriteCapacityUnits", 50, gsi_max),
        (f"table/{table}/index/{gsi}", "dynamodb:index:ReadCapacityUnits", 50, 1000),
        (f"table/{table}/index/{gsi2}", "dynamodb:index:WriteCapacityUnits", 50, 1500),
    ]:
        res.append(
            {
                "service": "application-autoscaling",
                "type": "ScalableTarget",
                "item": {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "MinCapacity": lo,
                    "MaxCapacity": hi,
                    "RoleARN": role,
                    "CreationTime": iso(created + timedelta(days=1 if "sku" not in rid else 2)),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": False,
                        "DynamicScalingOutSuspended": False,
                        "ScheduledScalingSuspended": False,
                    },
                    "ScalableTargetARN": f"arn:aws:application-autoscaling:{region}:{account}:scalable-target/{alnum(rng, 30, LOWER)}",
                },
            }
        )
        kind = "Write" if "Write" in dim else "Read"
        res.append(
            {
                "service": "application-autoscaling",
                "type": "ScalingPolicy",
                "item": {
                    "PolicyARN": f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{uid(rng)}:resource/dynamodb/{rid}:policyName/DynamoDB{kind}CapacityUtilization:{rid}",
                    "PolicyName": f"DynamoDB{kind}CapacityUtilization:{rid}",
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": 70.0,
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": f"DynamoDB{kind}CapacityUtilization"
                        },
                    },
                    "Alarms": [
                        {
                            "AlarmName": tt_high
                            if (gsi in rid and kind == "Write")
                            else f"TargetTracking-{rid}-AlarmHigh-{uid(rng)}",
                            "AlarmARN": f"arn:aws:cloudwatch:{region}:{account}:alarm:TargetTracking-{rid}-AlarmHigh",
                        }
                    ],
                    "CreationTime": iso(created + timedelta(days=2)),
                },
            }
        )
    res.append(
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": fn,
                "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{account}:role/{fn}",
                "Handler": "dist/handler.main",
                "CodeSize": rng.randint(600_000, 2_000_000),
                "Description": "Applies handheld stock movements to the inventory ledger",
                "Timeout": 60,
                "MemorySize": 512,
                "LastModified": (start - timedelta(days=rng.randint(3, 20))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "CodeSha256": alnum(
                    rng, 43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                )
                + "=",
                "Version": "$LATEST",
                "Environment": {
                    "Variables": {"LEDGER_TABLE": table, "AWS_NODEJS_CONNECTION_REUSE_ENABLED": "1"}
                },
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": uid(rng),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {
                    "LogFormat": "JSON",
                    "ApplicationLogLevel": "INFO",
                    "SystemLogLevel": "INFO",
                    "LogGroup": f"/aws/lambda/{fn}",
                },
            },
        }
    )
    res.append(
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": uid(rng),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 1,
                "EventSourceArn": qarn,
                "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                "LastModified": iso(created + timedelta(days=40)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 20},
            },
        }
    )
    for name in (q, f"{q}-dlq"):
        attrs = {
            "QueueArn": f"arn:aws:sqs:{region}:{account}:{name}",
            "VisibilityTimeout": "360" if name == q else "30",
            "MessageRetentionPeriod": "1209600",
            "DelaySeconds": "0",
            "MaximumMessageSize": "262144",
            "ReceiveMessageWaitTimeSeconds": "20",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(created.timestamp()) + 86400 * 60),
            "SqsManagedSseEnabled": "true",
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
        }
        if name == q:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": f"arn:aws:sqs:{region}:{account}:{q}-dlq", "maxReceiveCount": 25}
            )
        res.append(
            {
                "service": "sqs",
                "type": "Queue",
                "item": {
                    "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{name}",
                    "Attributes": attrs,
                    "Tags": {"app": "wms", "env": "prod"},
                },
            }
        )
    res.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/wms-api",
                "serviceName": "wms-api",
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "status": "ACTIVE",
                "desiredCount": 4,
                "runningCount": 4,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/wms-api:{rng.randint(60, 140)}",
                "createdAt": iso(created),
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "events": [],
            },
        }
    )
    res.append(
        {
            "service": "logs",
            "type": "LogGroup",
            "item": {
                "logGroupName": f"/aws/lambda/{fn}",
                "creationTime": ms(created),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{fn}:*",
                "storedBytes": rng.randint(10**9, 10**10),
                "logGroupClass": "STANDARD",
                "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{fn}",
            },
        }
    )
    res.append(
        {
            "service": "sns",
            "type": "Topic",
            "item": {
                "TopicArn": sns_arn,
                "Attributes": {
                    "TopicArn": sns_arn,
                    "Owner": account,
                    "DisplayName": "WMS pager",
                    "SubscriptionsConfirmed": "3",
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                },
            },
        }
    )

    # --- CloudTrail --------------------------------------------------------------------------------
    office = f"66.{rng.randint(60, 120)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    people = ["kayla.brennan", "omar.haddad", "sofia.lindqvist", "trevor.nakamura", "amaka.eze"]
    rng.shuffle(people)
    dom = "@northbaysupply.com"
    dba = sso_actor(ctx, "DataPlatformAdmin", people[0] + dom, office, console=True)
    sre = sso_actor(ctx, "PowerUserAccess", people[1] + dom, office, console=True)
    dev = sso_actor(
        ctx,
        "DeveloperReadOnly",
        people[2] + dom,
        f"24.{rng.randint(1, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        console=True,
    )
    ci = role_actor(
        ctx,
        "github-oidc-deploy",
        "github-actions",
        f"20.{rng.randint(20, 200)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        "aws-sdk-js/3.600.0 ua/2.0 os/linux#6.5.0-1022-azure lang/js md/nodejs#20.14.0 api/ecs#3.600.0",
    )
    aas_actor = role_actor(
        ctx,
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling-UpdateTable",
        "application-autoscaling.amazonaws.com",
        "application-autoscaling.amazonaws.com",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    aas_actor.identity["sessionContext"]["sessionIssuer"]["arn"] = role
    menu: list[tuple[Actor, str, str, Callable[[], Json | None]]] = [
        (dev, "dynamodb.amazonaws.com", "DescribeTable", lambda: {"tableName": table}),
        (
            dev,
            "logs.amazonaws.com",
            "FilterLogEvents",
            lambda: {"logGroupName": f"/aws/lambda/{fn}", "startTime": ms(now) - 3_600_000},
        ),
        (sre, "monitoring.amazonaws.com", "DescribeAlarms", lambda: {"stateValue": "ALARM"}),
        (ci, "ecr.amazonaws.com", "GetAuthorizationToken", lambda: None),
        (ci, "ecs.amazonaws.com", "DescribeServices", lambda: {"cluster": cluster, "services": ["wms-api"]}),
        (
            dev,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            lambda: {
                "queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{q}",
                "attributeNames": ["All"],
            },
        ),
        (dba, "dynamodb.amazonaws.com", "DescribeContinuousBackups", lambda: {"tableName": table}),
    ]
    ct = routine_reads(ctx, start, now, 30, menu)
    for t in scatter(rng, start, now, 8):
        ct.append(
            assume_role_by_service(ctx, t, "lambda.amazonaws.com", f"arn:aws:iam::{account}:role/{fn}", fn)
        )
    for a in aas:
        it = a["item"]
        t = datetime.fromisoformat(it["StartTime"].replace("Z", "+00:00")) + timedelta(seconds=2)
        units = int(it["Description"].split()[-1].rstrip("."))
        if "index" in it["ResourceId"]:
            idx = it["ResourceId"].split("/")[-1]
            params: Json = {
                "tableName": table,
                "globalSecondaryIndexUpdates": [
                    {
                        "update": {
                            "indexName": idx,
                            "provisionedThroughput": {"readCapacityUnits": 200, "writeCapacityUnits": units},
                        }
                    }
                ],
            }
        else:
            params = {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 400, "writeCapacityUnits": units},
            }
        ct.append(
            trail(
                ctx,
                t,
                aas_actor,
                "dynamodb.amazonaws.com",
                "UpdateTable",
                params,
                {"tableDescription": {"tableName": table, "tableStatus": "UPDATING", "tableArn": table_arn}},
            )
        )
    # innocent changes near the onset: read-capacity policy tweak on the same table, and a wms-web deploy
    tweak_at = onset - timedelta(minutes=rng.randint(14, 26))
    ct.append(
        trail(
            ctx,
            tweak_at,
            dba,
            "autoscaling.amazonaws.com",
            "PutScalingPolicy",
            {
                "policyName": f"DynamoDBReadCapacityUtilization:table/{table}",
                "serviceNamespace": "dynamodb",
                "resourceId": f"table/{table}",
                "scalableDimension": "dynamodb:table:ReadCapacityUnits",
                "policyType": "TargetTrackingScaling",
                "targetTrackingScalingPolicyConfiguration": {
                    "targetValue": 60.0,
                    "predefinedMetricSpecification": {
                        "predefinedMetricType": "DynamoDBReadCapacityUtilization"
                    },
                },
            },
            {
                "policyARN": f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{uid(rng)}:resource/dynamodb/table/{table}:policyName/DynamoDBReadCapacityUtilization:table/{table}",
                "alarms": [{"alarmName": f"TargetTracking-table/{table}-AlarmHigh-{uid(rng)}"}],
            },
        )
    )
    dep_at = onset - timedelta(minutes=rng.randint(3, 11))
    rev = rng.randint(150, 220)
    ct.append(
        trail(
            ctx,
            dep_at - timedelta(seconds=40),
            ci,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": "wms-web",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
                "containerDefinitions": [
                    {
                        "name": "wms-web",
                        "image": f"{account}.dkr.ecr.{region}.amazonaws.com/wms-web:{hexs(rng, 7)}",
                        "essential": True,
                    }
                ],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/wms-web:{rev}",
                    "family": "wms-web",
                    "revision": rev,
                    "status": "ACTIVE",
                }
            },
        )
    )
    ct.append(
        trail(
            ctx,
            dep_at,
            ci,
            "ecs.amazonaws.com",
            "UpdateService",
            {
                "cluster": cluster,
                "service": "wms-web",
                "taskDefinition": f"wms-web:{rev}",
                "forceNewDeployment": False,
            },
            {"service": {"serviceName": "wms-web", "status": "ACTIVE", "desiredCount": 2}},
        )
    )
    ct.append(
        trail(
            ctx,
            start + timedelta(hours=1, minutes=rng.randint(0, 40)),
            dba,
            "dynamodb.amazonaws.com",
            "UpdateContinuousBackups",
            {
                "tableName": table,
                "pointInTimeRecoverySpecification": {
                    "pointInTimeRecoveryEnabled": True,
                    "recoveryPeriodInDays": 35,
                },
            },
            {
                "continuousBackupsDescription": {
                    "continuousBackupsStatus": "ENABLED",
                    "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
                }
            },
        )
    )
    ct.sort(key=lambda r: r["eventTime"])

    # --- logs --------------------------------------------------------------------------------------
    logs: list[Json] = []
    stream_ids = [hexs(rng, 32) for _ in range(8)]
    for t in steps(onset - timedelta(hours=2), now, 1):
        lf = load(t)
        thr = t >= onset + timedelta(minutes=1)
        for _ in range(max(1, int(lf * 2))):
            ts = t + timedelta(seconds=rng.uniform(0, 55))
            rid = uid(rng)
            stream = f"{ts:%Y/%m/%d}/[$LATEST]{rng.choice(stream_ids)}"
            dur = rng.uniform(90, 260) if not thr else rng.uniform(900, 4200)
            te = ts + timedelta(milliseconds=dur)
            out = [
                (
                    ts,
                    json.dumps(
                        {
                            "time": iso(ts),
                            "type": "platform.start",
                            "record": {"requestId": rid, "version": "$LATEST"},
                        }
                    ),
                )
            ]
            n_fail = 0
            if thr:
                n_fail = rng.randint(1, 6)
                for _ in range(n_fail):
                    sku = f"SKU-{rng.randint(100000, 999999)}"
                    out.append(
                        (
                            te,
                            json.dumps(
                                {
                                    "timestamp": iso(te)[:-1] + f".{rng.randint(0, 999):03d}Z",
                                    "level": "WARN",
                                    "requestId": rid,
                                    "message": "movement not applied, returning to queue",
                                    "movementId": f"mv_{alnum(rng, 16, LOWER)}",
                                    "site": rng.choice(sites),
                                    "sku": sku,
                                    "error": {
                                        "name": "ProvisionedThroughputExceededException",
                                        "$fault": "client",
                                        "message": "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API",
                                        "$metadata": {
                                            "httpStatusCode": 400,
                                            "attempts": 3,
                                            "totalRetryDelay": rng.randint(180, 900),
                                        },
                                    },
                                }
                            ),
                        )
                    )
            out.append(
                (
                    te,
                    json.dumps(
                        {
                            "timestamp": iso(te)[:-1] + f".{rng.randint(0, 999):03d}Z",
                            "level": "INFO",
                            "requestId": rid,
                            "message": "batch processed",
                            "received": 10,
                            "applied": 10 - n_fail,
                            "batchItemFailures": n_fail,
                        }
                    ),
                )
            )
            if rng.random() < 0.015:
                out.append(
                    (
                        te,
                        json.dumps(
                            {
                                "timestamp": iso(te)[:-1] + f".{rng.randint(0, 999):03d}Z",
                                "level": "WARN",
                                "requestId": rid,
                                "message": "negative on-hand after movement, flagged for cycle count",
                                "site": rng.choice(sites),
                                "sku": f"SKU-{rng.randint(100000, 999999)}",
                            }
                        ),
                    )
                )
            out.append(
                (
                    te,
                    json.dumps(
                        {
                            "time": iso(te),
                            "type": "platform.report",
                            "record": {
                                "requestId": rid,
                                "metrics": {
                                    "durationMs": round(dur, 2),
                                    "billedDurationMs": int(dur) + 1,
                                    "memorySizeMB": 512,
                                    "maxMemoryUsedMB": rng.randint(110, 160),
                                },
                                "status": "success",
                            },
                        }
                    ),
                )
            )
            for stamp, msg in out:
                logs.append(
                    {
                        "log_group": f"/aws/lambda/{fn}",
                        "log_stream": stream,
                        "timestamp": ms(stamp),
                        "message": msg,
                    }
                )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    local_q = (onset + timedelta(minutes=rng.randint(3, 8))).astimezone(TZ)
    question = (
        f"Put-away and pick confirmations are showing 'pending sync' on the handhelds at all four DCs since about "
        f"{local_q:%-I:%M}".rstrip()
        + f"{'am' if local_q.hour < 12 else 'pm'} and the stock-movements queue age alarm "
        "went off. The ledger table's write capacity graph looks fine to me. What's holding it up?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "America/Chicago"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": gsi_arn,
                    "category": "limit",
                    "failure_mode": "gsi-write-capacity-at-autoscaling-max",
                },
                "also_accept": [gsi, table, table_arn, f"table/{table}/index/{gsi}"],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"{gsi} write demand grows past its auto-scaling maximum of {gsi_max} WCU at the late-morning peak",
                    f"{gsi} writes throttle, and DynamoDB rejects the {table} base-table writes that feed it",
                    f"{fn} gets ProvisionedThroughputExceededException and returns movements to the queue",
                    f"{q} backs up and its oldest message ages; handhelds show moves pending sync",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": res,
            "events": aas,
        },
    )
