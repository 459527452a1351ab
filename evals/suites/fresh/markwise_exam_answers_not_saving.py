"""Students' answers not saving when the 10:00 exam block starts (Markwise)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zi import (
    CONSOLE_UA,
    DD_UA,
    GHA_UA,
    TF_UA,
    AlarmSpec,
    Ctx,
    Json,
    Principal,
    account_id,
    aggregate,
    alarm_event,
    background_reads,
    evaluate_alarm,
    grid,
    iso,
    lognormal_ms,
    noisy,
    ok_alarm,
    poisson,
    role_session,
    service_principal,
    sso_user,
    trail,
)

NAME = "markwise-exam-answers-not-saving"
TITLE = "Students' exam answers not saving as the 10:00 exam block starts"
SUMMARY = (
    "At exam start, answer saves and attempt starts fail with 5xx from the student API; the exam-attempts table "
    "has headroom but one global secondary index sits at its auto-scaling maximum and throttles base-table writes"
)

TZ = ZoneInfo("Australia/Sydney")
TABLE = "exam-attempts"
GSI = "by-exam-class"
GSI2 = "by-student"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    day = datetime(2024, 5, 6, tzinfo=TZ) + timedelta(days=rng.randrange(0, 45))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    exam_local = day.replace(hour=10, minute=0)
    exam = exam_local.astimezone(UTC)
    start = exam - timedelta(hours=4, minutes=rng.randrange(0, 30))
    start = start.replace(second=0)
    now = exam + timedelta(minutes=rng.randrange(36, 48))
    ctx = Ctx(rng, account_id(rng), "ap-southeast-2", start, now)

    students = rng.randrange(5200, 7600)
    autosave_s = 20.0
    gsi_max = rng.choice([200, 250])
    table_min = rng.choice([400, 500])
    stage_at = exam - timedelta(minutes=rng.randrange(14, 22), seconds=rng.randrange(60))
    idx_arn = ctx.arn("dynamodb", f"table/{TABLE}/index/{GSI}")
    table_arn = ctx.arn("dynamodb", f"table/{TABLE}")

    # --- simulation ------------------------------------------------------------------------------
    points = grid(ctx, exam - timedelta(hours=1, minutes=40))
    gsi_prov = float(rng.randrange(60, 80))
    gsi_burst = gsi_prov * 300.0
    table_prov = float(table_min)
    read_prov = 300.0
    gsi_scaling: list[tuple[datetime, int]] = []
    read_scaling: list[tuple[datetime, int]] = []
    api_5xx: list[tuple[datetime, float]] = []
    gsi_consumed_pts: list[tuple[datetime, float]] = []
    last_scale = start
    high_run = 0
    onset: datetime | None = None
    fail_by_minute: dict[datetime, float] = {}
    api = "markwise-student-api"
    for t, period in points:
        local = t.astimezone(TZ)
        lh = local.hour + local.minute / 60
        classes = 6.0 if lh < 8.3 else 6.0 + 64.0 * min(1.0, (lh - 8.3) / 0.7)
        writes = noisy(rng, classes, 0.08)
        starts = 0.0
        if t >= exam:
            mins = (t - exam).total_seconds() / 60
            ramp = min(1.0, mins / 3.0)
            writes += noisy(rng, students / autosave_s * ramp, 0.05)
            if mins < 6:
                starts = students / 360.0 * rng.uniform(0.8, 1.2)
        wcu_per = 2.0
        demand = (writes + starts) * wcu_per
        # GSI capacity with burst; SDK retries add demand when throttled (3 attempts)
        cap = gsi_prov + min(gsi_burst / period, gsi_prov * 3)
        f = 0.0
        for _ in range(8):
            attempts = demand * (1 + f + f * f)
            f = max(0.0, 1 - cap / attempts) if attempts > 0 else 0.0
        attempts = demand * (1 + f + f * f)
        accepted = min(attempts, cap)
        gsi_burst = min(gsi_prov * 300, max(0.0, gsi_burst + (gsi_prov - accepted) * period))
        throttled_events = (attempts - accepted) / wcu_per * period
        logical_fail = f**3
        if f > 0.05 and onset is None:
            onset = t
        fail_by_minute[t] = logical_fail
        # auto scaling (target 70%) for the index, capped at its maximum
        util = accepted / gsi_prov
        high_run = high_run + 1 if util > 0.7 else 0
        if high_run >= 2 and (t - last_scale) > timedelta(minutes=6) and gsi_prov < gsi_max:
            new = min(gsi_max, int(accepted / 0.7) + 1)
            if new >= gsi_prov * 1.15 or (new == gsi_max and new > gsi_prov):
                gsi_prov = float(new)
                gsi_scaling.append((t + timedelta(minutes=2, seconds=rng.randrange(5, 50)), new))
                last_scale = t
        read_rate = (starts * 2 + noisy(rng, 4 + 0.4 * classes, 0.1)) * 0.5
        if read_rate / read_prov > 0.7 and not read_scaling:
            read_prov = float(int(read_rate / 0.7) + 50)
            read_scaling.append((t + timedelta(minutes=2, seconds=rng.randrange(5, 50)), int(read_prov)))
        d_t = {"TableName": TABLE}
        d_g = {"TableName": TABLE, "GlobalSecondaryIndexName": GSI}
        d_g2 = {"TableName": TABLE, "GlobalSecondaryIndexName": GSI2}
        ctx.datum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", d_t, t, round(accepted * period, 1), "Count")
        ctx.datum("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", d_t, t, table_prov, "Count")
        ctx.datum("AWS/DynamoDB", "ConsumedReadCapacityUnits", d_t, t, round(read_rate * period, 1), "Count")
        ctx.datum("AWS/DynamoDB", "ProvisionedReadCapacityUnits", d_t, t, read_prov, "Count")
        ctx.datum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", d_g, t, round(accepted * period, 1), "Count")
        ctx.datum("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", d_g, t, gsi_prov, "Count")
        ctx.datum(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            d_g2,
            t,
            round(starts * 1.0 * period * (1 - f), 1),
            "Count",
        )
        ctx.datum("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", d_g2, t, 100.0, "Count")
        ctx.datum(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            d_g,
            t,
            round(noisy(rng, 1.5 + (3 if t >= exam else 0), 0.2) * period, 1),
            "Count",
        )
        gsi_consumed_pts.append((t, accepted * period))
        if throttled_events >= 1:
            ctx.datum("AWS/DynamoDB", "WriteThrottleEvents", d_g, t, int(throttled_events), "Count")
            upd_thr = int(throttled_events * writes / max(writes + starts, 1e-9))
            put_thr = int(throttled_events) - upd_thr
            if upd_thr:
                ctx.datum(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    {"TableName": TABLE, "Operation": "UpdateItem"},
                    t,
                    upd_thr,
                    "Count",
                )
            if put_thr:
                ctx.datum(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    {"TableName": TABLE, "Operation": "PutItem"},
                    t,
                    put_thr,
                    "Count",
                )
        lat = 5.2 + 1.5 * (accepted / 400)
        ctx.datum(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": TABLE, "Operation": "UpdateItem"},
            t,
            round(noisy(rng, lat, 0.08), 2),
            "Milliseconds",
        )
        ctx.datum(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": TABLE, "Operation": "Query"},
            t,
            round(noisy(rng, 7.8, 0.1), 2),
            "Milliseconds",
        )
        # Lambda + API Gateway
        save_inv = writes * period
        start_inv = starts * period
        dash_inv = noisy(rng, 0.4 + (2.5 if t >= exam else 0.6 * min(1.0, max(0.0, lh - 8.3))), 0.15) * period
        retry_ms = 0.0 if f < 0.01 else (f * 90 + f * f * 200)
        for fn, inv, med in (
            ("save-answer", save_inv, 38.0),
            ("start-attempt", start_inv, 55.0),
            ("teacher-dashboard", dash_inv, 120.0),
        ):
            if inv < 0.5:
                continue
            d_f = {"FunctionName": fn}
            n = int(inv)
            extra = retry_ms if fn != "teacher-dashboard" else 0.0
            samples = [lognormal_ms(rng, med + extra, 0.35) for _ in range(min(n, 300))]
            ctx.datum("AWS/Lambda", "Invocations", d_f, t, n, "Count")
            ctx.datum("AWS/Lambda", "Errors", d_f, t, 0, "Count")
            ctx.datum("AWS/Lambda", "Throttles", d_f, t, 0, "Count")
            ctx.dist("AWS/Lambda", "Duration", d_f, t, samples)
            ctx.datum(
                "AWS/Lambda",
                "ConcurrentExecutions",
                d_f,
                t,
                max(1, int(inv / period * (med + extra) / 1000 * 1.6)),
                "Count",
            )
        total = save_inv + start_inv + dash_inv + noisy(rng, 3, 0.2) * period
        n5 = poisson(rng, (save_inv + start_inv) * logical_fail) + poisson(rng, total * 0.00002)
        n4 = poisson(rng, total * 0.004)
        d_api = {"ApiName": api, "Stage": "prod"}
        ctx.datum("AWS/ApiGateway", "Count", d_api, t, int(total), "Count")
        ctx.datum("AWS/ApiGateway", "5XXError", d_api, t, n5, "Count")
        ctx.datum("AWS/ApiGateway", "4XXError", d_api, t, n4, "Count")
        ctx.datum(
            "AWS/ApiGateway",
            "Latency",
            d_api,
            t,
            round(noisy(rng, 62 + retry_ms * 1.1, 0.06), 1),
            "Milliseconds",
        )
        ctx.datum(
            "AWS/ApiGateway",
            "IntegrationLatency",
            d_api,
            t,
            round(noisy(rng, 55 + retry_ms * 1.1, 0.06), 1),
            "Milliseconds",
        )
        api_5xx.append((t, float(n5)))
    assert onset is not None

    # --- resources -------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randrange(400, 700))
    gsi_added = start - timedelta(days=rng.randrange(150, 300))
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "examClass", "AttributeType": "S"},
                {"AttributeName": "studentId", "AttributeType": "S"},
                {"AttributeName": "updatedAt", "AttributeType": "S"},
            ],
            "TableName": TABLE,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "LastIncreaseDateTime": iso(start - timedelta(days=rng.randrange(3, 9))),
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": int(read_prov),
                "WriteCapacityUnits": int(table_prov),
            },
            "TableSizeBytes": rng.randrange(40_000_000_000, 60_000_000_000),
            "ItemCount": rng.randrange(18_000_000, 26_000_000),
            "TableArn": table_arn,
            "TableId": ctx.uuid(),
            "BillingModeSummary": {"BillingMode": "PROVISIONED"},
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": GSI,
                    "KeySchema": [
                        {"AttributeName": "examClass", "KeyType": "HASH"},
                        {"AttributeName": "updatedAt", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {
                        "LastIncreaseDateTime": iso(gsi_scaling[-1][0] if gsi_scaling else gsi_added),
                        "NumberOfDecreasesToday": rng.randrange(0, 3),
                        "ReadCapacityUnits": 50,
                        "WriteCapacityUnits": int(gsi_prov),
                    },
                    "IndexSizeBytes": rng.randrange(30_000_000_000, 45_000_000_000),
                    "ItemCount": rng.randrange(18_000_000, 26_000_000),
                    "IndexArn": idx_arn,
                },
                {
                    "IndexName": GSI2,
                    "KeySchema": [
                        {"AttributeName": "studentId", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 100,
                        "WriteCapacityUnits": 100,
                    },
                    "IndexSizeBytes": rng.randrange(1_000_000_000, 2_000_000_000),
                    "ItemCount": rng.randrange(18_000_000, 26_000_000),
                    "IndexArn": ctx.arn("dynamodb", f"table/{TABLE}/index/{GSI2}"),
                },
            ],
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": ctx.arn("kms", f"key/{ctx.uuid()}"),
            },
            "DeletionProtectionEnabled": True,
        },
    )
    aas_role = f"arn:aws:iam::{ctx.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    targets = [
        (
            f"table/{TABLE}",
            "dynamodb:table:WriteCapacityUnits",
            table_min,
            3000,
            start - timedelta(days=rng.randrange(4, 9)),
        ),
        (f"table/{TABLE}", "dynamodb:table:ReadCapacityUnits", 300, 3000, created),
        (f"table/{TABLE}/index/{GSI}", "dynamodb:index:WriteCapacityUnits", 25, gsi_max, gsi_added),
        (f"table/{TABLE}/index/{GSI}", "dynamodb:index:ReadCapacityUnits", 25, 200, gsi_added),
    ]
    alarm_ids: dict[tuple[str, str], str] = {}
    for rid, dim, mn, mx, when in targets:
        ctx.resource(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": dim,
                "MinCapacity": mn,
                "MaxCapacity": mx,
                "RoleARN": aas_role,
                "CreationTime": iso(when),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
                "ScalableTargetARN": ctx.arn("application-autoscaling", f"scalable-target/{ctx.hex(36)}"),
            },
        )
        kind = "Write" if "Write" in dim else "Read"
        pol_name = f"DynamoDB{kind}CapacityUtilization:{rid}"
        high = f"TargetTracking-{rid}-AlarmHigh-{ctx.uuid()}"
        low = f"TargetTracking-{rid}-AlarmLow-{ctx.uuid()}"
        alarm_ids[(rid, kind)] = high
        ctx.resource(
            "application-autoscaling",
            "ScalingPolicy",
            {
                "PolicyARN": f"arn:aws:autoscaling:{ctx.region}:{ctx.account}:scalingPolicy:{ctx.uuid()}:resource/dynamodb/{rid}:policyName/{pol_name}",
                "PolicyName": pol_name,
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
                    {"AlarmName": high, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{high}")},
                    {"AlarmName": low, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{low}")},
                ],
                "CreationTime": iso(when),
            },
        )
    for when, units in gsi_scaling:
        ctx.event(
            "application_autoscaling",
            {
                "ActivityId": ctx.uuid(),
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{TABLE}/index/{GSI}",
                "ScalableDimension": "dynamodb:index:WriteCapacityUnits",
                "Description": f"Setting write capacity units to {units}.",
                "Cause": f"monitor alarm {alarm_ids[(f'table/{TABLE}/index/{GSI}', 'Write')]} in state ALARM triggered policy DynamoDBWriteCapacityUtilization:table/{TABLE}/index/{GSI}",
                "StartTime": iso(when),
                "EndTime": iso(when + timedelta(seconds=rng.randrange(20, 80))),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set write capacity units to {units}. Change successfully fulfilled by dynamodb.",
            },
        )
    for when, units in read_scaling:
        ctx.event(
            "application_autoscaling",
            {
                "ActivityId": ctx.uuid(),
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{TABLE}",
                "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
                "Description": f"Setting read capacity units to {units}.",
                "Cause": f"monitor alarm {alarm_ids[(f'table/{TABLE}', 'Read')]} in state ALARM triggered policy DynamoDBReadCapacityUtilization:table/{TABLE}",
                "StartTime": iso(when),
                "EndTime": iso(when + timedelta(seconds=rng.randrange(20, 80))),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set read capacity units to {units}. Change successfully fulfilled by dynamodb.",
            },
        )
    api_id = ctx.hex(10)
    ctx.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api,
            "description": "student exam client API",
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": True,
        },
    )
    ctx.resource(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": ctx.hex(6),
            "stageName": "prod",
            "cacheClusterEnabled": False,
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": False,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 2000,
                    "throttlingRateLimit": 1500.0,
                    "cachingEnabled": False,
                }
            },
            "tracingEnabled": False,
            "createdDate": iso(created),
            "lastUpdatedDate": iso(stage_at),
        },
    )
    fn_cfg = {
        "save-answer": ("Upserts a student's answers on autosave", 256, 10),
        "start-attempt": ("Creates the attempt record when a student opens an exam", 256, 10),
        "teacher-dashboard": ("Class progress for teachers", 512, 15),
    }
    for fn, (desc, mem, timeout) in fn_cfg.items():
        ctx.resource(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": ctx.arn("lambda", f"function:{fn}"),
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{ctx.account}:role/markwise-{fn}",
                "Handler": "dist/handler.main",
                "CodeSize": rng.randrange(800_000, 2_400_000),
                "Description": desc,
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": (start - timedelta(days=rng.randrange(2, 40))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "CodeSha256": ctx.hex(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": {"TABLE_NAME": TABLE, "NODE_OPTIONS": "--enable-source-maps"}},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": ctx.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
            },
        )

    # --- alarms ----------------------------------------------------------------------------------
    topic = ctx.arn("sns", "markwise-oncall")
    spec = AlarmSpec(
        "student-api-5xx",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": api, "Stage": "prod"},
        "Sum",
        60,
        2,
        2,
        50.0,
        "GreaterThanThreshold",
        "notBreaching",
        "Student API returning 5xx (exam clients)",
        [topic],
    )
    fired = evaluate_alarm(ctx, spec, aggregate(api_5xx, 60, "Sum"), start + timedelta(minutes=30))
    tt_desc = "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:{r}:{a}:scalingPolicy:{u}:resource/dynamodb/{rid}:policyName/DynamoDBWriteCapacityUtilization:{rid}."
    gsi_high = AlarmSpec(
        alarm_ids[(f"table/{TABLE}/index/{GSI}", "Write")],
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": TABLE, "GlobalSecondaryIndexName": GSI},
        "Sum",
        60,
        2,
        2,
        round(0.7 * gsi_max * 60, 1),
        "GreaterThanThreshold",
        "missing",
        tt_desc.format(r=ctx.region, a=ctx.account, u=ctx.uuid(), rid=f"table/{TABLE}/index/{GSI}"),
        [
            ctx.arn(
                "autoscaling",
                f"scalingPolicy:{ctx.uuid()}:resource/dynamodb/table/{TABLE}/index/{GSI}:policyName/DynamoDBWriteCapacityUtilization:table/{TABLE}/index/{GSI}",
            )
        ],
    )
    evaluate_alarm(ctx, gsi_high, aggregate(gsi_consumed_pts, 60, "Sum"), exam - timedelta(minutes=30))
    ok_alarm(
        ctx,
        AlarmSpec(
            alarm_ids[(f"table/{TABLE}", "Write")],
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": TABLE},
            "Sum",
            60,
            2,
            2,
            round(0.7 * table_min * 60, 1),
            "GreaterThanThreshold",
            description=tt_desc.format(r=ctx.region, a=ctx.account, u=ctx.uuid(), rid=f"table/{TABLE}"),
        ),
        round(gsi_consumed_pts[-1][1], 1),
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "save-answer-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "save-answer"},
            "Sum",
            60,
            3,
            3,
            5.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        0.0,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "save-answer-throttles",
            "AWS/Lambda",
            "Throttles",
            {"FunctionName": "save-answer"},
            "Sum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        0.0,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "exam-attempts-read-throttles",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            {"TableName": TABLE},
            "Sum",
            60,
            3,
            3,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[topic],
        ),
        0.0,
    )

    # --- logs ------------------------------------------------------------------------------------
    gsi_msg = (
        "The level of configured provisioned throughput for one or more global secondary indexes of the table was "
        "exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes "
        "with the UpdateTable API"
    )
    for fn, op, every in (
        ("save-answer", "UpdateItem", 1.0),
        ("start-attempt", "PutItem", 1.0),
        ("teacher-dashboard", "Query", 1.0),
    ):
        lg = f"/aws/lambda/{fn}"
        streams = [f"{start.astimezone(UTC).strftime('%Y/%m/%d')}/[$LATEST]{ctx.hex(32)}" for _ in range(3)]
        t = start + timedelta(seconds=rng.randrange(5, 60))
        while t < now:
            busy = t >= exam - timedelta(minutes=20)
            t += timedelta(seconds=(rng.uniform(4, 9) if busy else rng.uniform(150, 420)) * every)
            if t >= now:
                break
            if fn == "start-attempt" and not (exam <= t < exam + timedelta(minutes=7)) and rng.random() < 0.8:
                continue
            stream = streams[rng.randrange(3)]
            rid = ctx.uuid()
            minute = t.replace(second=0, microsecond=0)
            fail = fn != "teacher-dashboard" and rng.random() < fail_by_minute.get(minute, 0.0)
            ctx.log(lg, stream, t, f"START RequestId: {rid} Version: $LATEST")
            attempt = "att_" + ctx.hex(12)
            if fail:
                dur = lognormal_ms(rng, 310, 0.3)
                when = t + timedelta(milliseconds=int(dur) - 4)
                body = {
                    "attemptId": attempt,
                    "op": op,
                    "errorName": "ProvisionedThroughputExceededException",
                    "message": gsi_msg,
                    "$fault": "client",
                    "$metadata": {
                        "httpStatusCode": 400,
                        "requestId": ctx.upper(52, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                        "attempts": 3,
                        "totalRetryDelay": rng.randrange(140, 420),
                    },
                }
                ctx.log(
                    lg,
                    stream,
                    when,
                    f"{when.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tERROR\tsave failed, returning 503 {json.dumps(body, separators=(',', ':'))}",
                )
            else:
                dur = lognormal_ms(
                    rng, {"save-answer": 38, "start-attempt": 55, "teacher-dashboard": 120}[fn], 0.35
                )
                if fn == "teacher-dashboard" and rng.random() < 0.15:
                    when = t + timedelta(milliseconds=int(dur) - 2)
                    ctx.log(
                        lg,
                        stream,
                        when,
                        f'{when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]}Z\t{rid}\tWARN\tclass roster cache miss, fetching from SIS {{"schoolId":"sch_{ctx.hex(6)}"}}',
                    )
            end = t + timedelta(milliseconds=int(dur))
            ctx.log(lg, stream, end, f"END RequestId: {rid}")
            ctx.log(
                lg,
                stream,
                end,
                f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: {fn_cfg[fn][1]} MB\tMax Memory Used: {rng.randrange(88, 131)} MB",
            )

    # --- CloudTrail ------------------------------------------------------------------------------
    ops = sso_user(
        ctx,
        "liam.tran@markwise.edu.au",
        "PlatformOps",
        "203.219.44." + str(rng.randrange(2, 250)),
        CONSOLE_UA,
    )
    dev = sso_user(
        ctx,
        "sophie.mcguire@markwise.edu.au",
        "Developer",
        "101.191.8." + str(rng.randrange(2, 250)),
        CONSOLE_UA,
    )
    gha = role_session(
        ctx,
        "markwise-gha-deploy",
        "GitHubActions",
        "20.211.99." + str(rng.randrange(2, 250)),
        GHA_UA,
        web_identity=True,
    )
    tf = role_session(
        ctx, "markwise-terraform-plan", "terraform", "13.54.200." + str(rng.randrange(2, 250)), TF_UA
    )
    dd = role_session(
        ctx,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        "3.233.146." + str(rng.randrange(2, 250)),
        DD_UA,
    )
    aas = service_principal(
        ctx,
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling-DynamoDB",
        "application-autoscaling.amazonaws.com",
    )
    reads: list[tuple[Principal, list[tuple[str, str, Json]]]] = [
        (
            dd,
            [
                ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": TABLE}),
                ("lambda.amazonaws.com", "ListFunctions20150331", {}),
                ("apigateway.amazonaws.com", "GetRestApis", {}),
                ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
            ],
        ),
        (
            tf,
            [
                ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": TABLE}),
                ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": TABLE}),
                (
                    "application-autoscaling.amazonaws.com",
                    "DescribeScalableTargets",
                    {"serviceNamespace": "dynamodb"},
                ),
                ("iam.amazonaws.com", "GetRole", {"roleName": "markwise-save-answer"}),
            ],
        ),
        (aas, [("dynamodb.amazonaws.com", "DescribeTable", {"tableName": TABLE})]),
        (
            dev,
            [
                ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "teacher-dashboard"}),
                (
                    "logs.amazonaws.com",
                    "DescribeLogStreams",
                    {"logGroupName": "/aws/lambda/teacher-dashboard"},
                ),
            ],
        ),
    ]
    background_reads(ctx, reads, rng.randrange(40, 56), start, now)
    for when, units in gsi_scaling:
        trail(
            ctx,
            when + timedelta(seconds=2),
            aas,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "tableName": TABLE,
                "globalSecondaryIndexUpdates": [
                    {
                        "update": {
                            "indexName": GSI,
                            "provisionedThroughput": {"readCapacityUnits": 50, "writeCapacityUnits": units},
                        }
                    }
                ],
            },
            {"tableDescription": {"tableName": TABLE, "tableStatus": "UPDATING", "tableArn": table_arn}},
            resources=[{"accountId": ctx.account, "type": "AWS::DynamoDB::Table", "ARN": table_arn}],
        )
    for when, units in read_scaling:
        trail(
            ctx,
            when + timedelta(seconds=2),
            aas,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "tableName": TABLE,
                "provisionedThroughput": {"readCapacityUnits": units, "writeCapacityUnits": table_min},
            },
            {"tableDescription": {"tableName": TABLE, "tableStatus": "UPDATING", "tableArn": table_arn}},
            resources=[{"accountId": ctx.account, "type": "AWS::DynamoDB::Table", "ARN": table_arn}],
        )
    trail(
        ctx,
        stage_at - timedelta(minutes=1),
        ops,
        "apigateway.amazonaws.com",
        "GetStage",
        {"restApiId": api_id, "stageName": "prod"},
        None,
        read_only=True,
    )
    trail(
        ctx,
        stage_at,
        ops,
        "apigateway.amazonaws.com",
        "UpdateStage",
        {
            "restApiId": api_id,
            "stageName": "prod",
            "patchOperations": [
                {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1500"},
                {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2000"},
            ],
        },
        {
            "stageName": "prod",
            "deploymentId": ctx.hex(6),
            "methodSettings": {"*/*": {"throttlingBurstLimit": 2000, "throttlingRateLimit": 1500.0}},
        },
    )
    dash_at = exam - timedelta(minutes=rng.randrange(6, 12), seconds=rng.randrange(60))
    trail(
        ctx,
        dash_at,
        gha,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": "teacher-dashboard", "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": "teacher-dashboard",
            "functionArn": ctx.arn("lambda", "function:teacher-dashboard"),
            "runtime": "nodejs20.x",
            "codeSha256": ctx.hex(43) + "=",
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    trail(
        ctx,
        start + timedelta(minutes=rng.randrange(20, 90)),
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/markwise/prod/exam/autosave-interval-seconds", "type": "String", "overwrite": True},
        {"version": rng.randrange(2, 6), "tier": "Standard"},
    )
    trail(
        ctx,
        onset + timedelta(minutes=rng.randrange(8, 14)),
        ops,
        "dynamodb.amazonaws.com",
        "DescribeTable",
        {"tableName": TABLE},
        None,
        read_only=True,
    )
    trail(
        ctx,
        onset + timedelta(minutes=rng.randrange(14, 20)),
        ops,
        "lambda.amazonaws.com",
        "GetFunctionConcurrency",
        {"functionName": "save-answer"},
        None,
        read_only=True,
    )

    question = (
        "The Year 10 exam block started at 10:00 and students across several schools are getting 'Couldn't save your "
        "answer' and some couldn't even open their exam. Teachers' dashboards load fine. The Lambdas show no errors "
        "and no throttles. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": alarm_event(ctx, spec, fired) if fired else None,
                "timezone": "Australia/Sydney",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": idx_arn,
                    "category": "limit",
                    "failure_mode": "dynamodb-gsi-write-capacity-at-autoscaling-max",
                    "event_id": None,
                },
                "also_accept": [GSI, f"table/{TABLE}/index/{GSI}", f"{TABLE}/{GSI}"],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"The {GSI} index of {TABLE} (projection ALL) is capped at {gsi_max} WCU by its auto-scaling maximum.",
                    "The exam-start autosave surge needs several times that; the index throttles and back-pressure rejects base-table writes.",
                    "save-answer (UpdateItem) and start-attempt (PutItem) get ProvisionedThroughputExceededException after SDK retries and return 503.",
                    f"{api} stage prod returns 5xx; student-api-5xx fires.",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.bundle_records())
