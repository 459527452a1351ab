"""Live fleet map freezes: the telemetry topic rule can no longer put records on the Kinesis stream."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzzzq import Ctx, iso, ms, wave

NAME = "fleet-ingest-rule-kinesis-denied"
TITLE = "Live truck map frozen since early afternoon; iot-rule-errors DLQ alarm paged"
SUMMARY = (
    "An infrastructure apply rewrote the topic rule role's inline policy without kinesis:PutRecord; "
    "every telemetry message fails the Kinesis action and lands in the error-action queue."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    tz_h = r.choice([1, 2])
    onset = c.day().replace(hour=r.randint(11, 14), minute=r.randint(0, 59), second=r.randint(0, 59))
    start = onset - timedelta(hours=4, minutes=r.randint(0, 40))
    start = start.replace(second=0)
    now = onset + timedelta(minutes=r.randint(40, 60))
    long_ago = start - timedelta(days=r.randint(200, 500))
    customer = r.choice(["nordhaul", "transbalt", "eurocargo", "vistula"])
    rule = "fleet_telemetry_ingest"
    alerts_rule = "fleet_alerts"
    stream = "fleet-telemetry"
    stream_arn = c.arn("kinesis", f"stream/{stream}")
    iot_role = "iot-rule-fleet-ingest"
    writer = "telemetry-writer"
    alerts_fn = "alert-dispatcher"
    err_q = "iot-rule-errors"
    writer_dlq = "telemetry-writer-dlq"
    ddb_table = "device-last-seen"
    topic = c.arn("sns", "platform-oncall")
    devices = [f"TRK-{r.randint(1000, 9999)}" for _ in range(40)]
    shards = r.choice([4, 6, 8])
    peak = r.uniform(1800, 3200)  # messages per minute across the fleet

    def load(t: datetime) -> float:
        return wave(t, tz_h, peak * 0.35, peak) * r.uniform(0.96, 1.04)

    # --- resources --------------------------------------------------------------------------------
    ingest_sql = "SELECT *, topic(3) AS device_id, timestamp() AS ingest_ts FROM 'fleet/+/+/telemetry'"
    c.res(
        "iot",
        "TopicRule",
        {
            "ruleName": rule,
            "sql": ingest_sql,
            "description": "Vehicle telemetry to the fleet-telemetry stream",
            "createdAt": iso(long_ago),
            "actions": [
                {
                    "kinesis": {
                        "roleArn": f"arn:aws:iam::{c.account}:role/{iot_role}",
                        "streamName": stream,
                        "partitionKey": "${topic(3)}",
                    }
                }
            ],
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
            "errorAction": {
                "sqs": {
                    "roleArn": f"arn:aws:iam::{c.account}:role/{iot_role}",
                    "queueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{err_q}",
                    "useBase64": False,
                }
            },
        },
    )
    alerts_sql = "SELECT topic(3) AS device_id, battery_v, coolant_c, ts FROM 'fleet/+/+/telemetry' WHERE battery_v < 11.6 OR coolant_c > 104"
    c.res(
        "iot",
        "TopicRule",
        {
            "ruleName": alerts_rule,
            "sql": alerts_sql,
            "description": "Low battery and overheating alerts",
            "createdAt": iso(long_ago + timedelta(days=40)),
            "actions": [{"lambda": {"functionArn": c.arn("lambda", f"function:{alerts_fn}")}}],
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
        },
    )
    c.stream(stream, shards, long_ago)
    c.function(
        writer,
        "telemetry-writer-role",
        "dist/handler.handler",
        "nodejs20.x",
        512,
        60,
        start - timedelta(days=9),
        env={"TS_DATABASE": "fleet", "TS_TABLE": "vehicle_telemetry", "LAST_SEEN_TABLE": ddb_table},
    )
    c.function(
        alerts_fn,
        "alert-dispatcher-role",
        "app.handler",
        "python3.12",
        256,
        15,
        onset - timedelta(minutes=r.randint(18, 35)),
        env={"PAGERDUTY_ROUTING": "fleet-ops", "COOLDOWN_MINUTES": "30"},
    )
    c.esm(
        writer,
        stream_arn,
        long_ago + timedelta(days=3),
        batch=500,
        dlq_arn=c.arn("sqs", writer_dlq),
        window=2,
        parallel=2,
    )
    c.queue(err_q, long_ago, {"MessageRetentionPeriod": "345600"}, {"team": "fleet-platform"})
    c.queue(writer_dlq, long_ago, {}, {"team": "fleet-platform"})
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": ddb_table,
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(long_ago),
            "AttributeDefinitions": [{"AttributeName": "device_id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "device_id", "KeyType": "HASH"}],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(long_ago),
            },
            "TableSizeBytes": r.randint(2_000_000, 9_000_000),
            "ItemCount": r.randint(4000, 12000),
            "TableArn": c.arn("dynamodb", f"table/{ddb_table}"),
            "TableId": c.uid(),
            "DeletionProtectionEnabled": True,
        },
    )
    c.res(
        "timestream-write",
        "Database",
        {
            "Arn": f"arn:aws:timestream:{c.region}:{c.account}:database/fleet",
            "DatabaseName": "fleet",
            "TableCount": 2,
            "KmsKeyId": c.arn("kms", f"key/{c.uid()}"),
            "CreationTime": iso(long_ago),
            "LastUpdatedTime": iso(long_ago),
        },
    )
    c.res(
        "timestream-write",
        "Table",
        {
            "Arn": f"arn:aws:timestream:{c.region}:{c.account}:database/fleet/table/vehicle_telemetry",
            "TableName": "vehicle_telemetry",
            "DatabaseName": "fleet",
            "TableStatus": "ACTIVE",
            "RetentionProperties": {
                "MemoryStoreRetentionPeriodInHours": 24,
                "MagneticStoreRetentionPeriodInDays": 730,
            },
            "CreationTime": iso(long_ago),
            "LastUpdatedTime": iso(long_ago),
        },
    )
    c.role(iot_role, long_ago, "iot.amazonaws.com", "Used by IoT topic rules of the fleet ingest path")
    c.role("telemetry-writer-role", long_ago, "lambda.amazonaws.com")
    c.role("alert-dispatcher-role", long_ago, "lambda.amazonaws.com")
    new_kinesis_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "StreamWrite",
                "Effect": "Allow",
                "Action": ["kinesis:PutRecords", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                "Resource": stream_arn,
            },
        ],
    }
    sqs_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ErrorQueue",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": c.arn("sqs", err_q),
            }
        ],
    }
    writer_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Timestream",
                "Effect": "Allow",
                "Action": ["timestream:WriteRecords"],
                "Resource": f"arn:aws:timestream:{c.region}:{c.account}:database/fleet/table/vehicle_telemetry",
            },
            {
                "Sid": "Endpoints",
                "Effect": "Allow",
                "Action": ["timestream:DescribeEndpoints"],
                "Resource": "*",
            },
            {
                "Sid": "LastSeen",
                "Effect": "Allow",
                "Action": ["dynamodb:UpdateItem"],
                "Resource": c.arn("dynamodb", f"table/{ddb_table}"),
            },
            {
                "Sid": "Stream",
                "Effect": "Allow",
                "Action": [
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:ListShards",
                ],
                "Resource": stream_arn,
            },
            {
                "Sid": "Dlq",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": c.arn("sqs", writer_dlq),
            },
        ],
    }
    c.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": iot_role, "PolicyName": "kinesis-write", "PolicyDocument": new_kinesis_doc},
    )
    c.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": iot_role, "PolicyName": "error-queue", "PolicyDocument": sqs_doc},
    )
    c.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": "telemetry-writer-role", "PolicyName": "writer", "PolicyDocument": writer_doc},
    )
    c.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": "telemetry-writer-role",
            "PolicyName": "AWSLambdaBasicExecutionRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        },
    )
    for g in (f"/aws/lambda/{writer}", f"/aws/lambda/{alerts_fn}", "AWSIotLogsV2"):
        c.log_group(g, long_ago, 14 if g == "AWSIotLogsV2" else 30)

    # --- cloudtrail -------------------------------------------------------------------------------
    tf = c.ident_role("github-actions-infra", "GitHubActions")
    tf_agent = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/iam#1.31.3"
    apply = onset - timedelta(seconds=r.randint(20, 90))
    for i in range(6):
        c.ct(
            apply - timedelta(seconds=40 - i * 3),
            "iam.amazonaws.com",
            r.choice(["GetRole", "GetRolePolicy", "ListRolePolicies", "ListAttachedRolePolicies"]),
            tf,
            {"roleName": r.choice([iot_role, "telemetry-writer-role", "alert-dispatcher-role"])},
            None,
            read_only=True,
            agent=tf_agent,
            region="us-east-1",
            ip="20.57.123.4",
        )
    c.ct(
        apply - timedelta(seconds=6),
        "iam.amazonaws.com",
        "PutRolePolicy",
        tf,
        {
            "roleName": "telemetry-writer-role",
            "policyName": "writer",
            "policyDocument": json.dumps(writer_doc),
        },
        None,
        read_only=False,
        agent=tf_agent,
        region="us-east-1",
        ip="20.57.123.4",
    )
    culprit = c.ct(
        apply,
        "iam.amazonaws.com",
        "PutRolePolicy",
        tf,
        {"roleName": iot_role, "policyName": "kinesis-write", "policyDocument": json.dumps(new_kinesis_doc)},
        None,
        read_only=False,
        agent=tf_agent,
        region="us-east-1",
        ip="20.57.123.4",
    )
    c.ct(
        apply + timedelta(seconds=2),
        "iam.amazonaws.com",
        "TagRole",
        tf,
        {
            "roleName": iot_role,
            "tags": [
                {"key": "cost-center", "value": "fleet-platform"},
                {"key": "managed-by", "value": "terraform"},
            ],
        },
        None,
        read_only=False,
        agent=tf_agent,
        region="us-east-1",
        ip="20.57.123.4",
    )
    c.ct(
        apply + timedelta(seconds=4),
        "iam.amazonaws.com",
        "TagRole",
        tf,
        {
            "roleName": "alert-dispatcher-role",
            "tags": [
                {"key": "cost-center", "value": "fleet-platform"},
                {"key": "managed-by", "value": "terraform"},
            ],
        },
        None,
        read_only=False,
        agent=tf_agent,
        region="us-east-1",
        ip="20.57.123.4",
    )
    # an innocent deploy of the alert dispatcher a little earlier
    dev = c.ident_role("github-actions-deploy", "GitHubActions")
    deploy_at = onset - timedelta(minutes=r.randint(18, 35))
    c.ct(
        deploy_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        dev,
        {"functionName": alerts_fn, "publish": False, "dryRun": False},
        {
            "functionName": alerts_fn,
            "functionArn": c.arn("lambda", f"function:{alerts_fn}"),
            "runtime": "python3.12",
            "handler": "app.handler",
            "codeSize": r.randint(40000, 90000),
            "timeout": 15,
            "memorySize": 256,
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0 lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
        ip="20.57.99.12",
    )
    c.ct(
        deploy_at + timedelta(seconds=12),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        dev,
        {"functionName": alerts_fn, "environment": {}},
        {
            "functionName": alerts_fn,
            "functionArn": c.arn("lambda", f"function:{alerts_fn}"),
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0 lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
        ip="20.57.99.12",
    )
    # a topic rule edit two hours earlier (alert thresholds), innocent
    ops = c.ident_role(
        "AWSReservedSSO_PlatformEngineer_5c1e8a3b0d2f4e67",
        f"{r.choice(['a.nowak', 'j.berg', 'k.lind'])}@{customer}-fleet.io",
    )
    c.ct(
        onset - timedelta(minutes=r.randint(100, 150)),
        "iot.amazonaws.com",
        "ReplaceTopicRule",
        ops,
        {
            "ruleName": alerts_rule,
            "topicRulePayload": {
                "sql": alerts_sql,
                "actions": [{"lambda": {"functionArn": c.arn("lambda", f"function:{alerts_fn}")}}],
                "ruleDisabled": False,
                "awsIotSqlVersion": "2016-03-23",
            },
        },
        None,
        read_only=False,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    iot_calls: list[tuple[str, str, dict[str, Any]]] = [
        ("monitoring.amazonaws.com", "GetMetricData", {"startTime": "", "endTime": ""}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
        ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream}),
        ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        ("iot.amazonaws.com", "ListTopicRules", {}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": ddb_table}),
        ("sqs.amazonaws.com", "ListQueues", {}),
    ]
    c.tooling_noise(start, now, r.randint(40, 60), iot_calls)
    for rec in c.trail:
        if rec["eventName"] == "GetMetricData":
            t = rec["eventTime"]
            rec["requestParameters"] = {"startTime": t, "endTime": t}

    # --- metrics ----------------------------------------------------------------------------------
    end = now
    base = {
        t: load(t)
        for t in [start + timedelta(minutes=i) for i in range(int((end - start).total_seconds() // 60) + 1)]
    }

    c.series(
        "AWS/IoT", "PublishIn.Success", {"Protocol": "MQTT"}, "Count", start, end, lambda t: round(base[t])
    )
    c.series("AWS/IoT", "TopicMatch", {"RuleName": rule}, "Count", start, end, lambda t: round(base[t]))
    c.series(
        "AWS/IoT",
        "Success",
        {"RuleName": rule, "ActionType": "Kinesis"},
        "Count",
        start,
        end,
        lambda t: round(base[t]) if t < onset else None,
    )
    c.series(
        "AWS/IoT",
        "Failure",
        {"RuleName": rule, "ActionType": "Kinesis"},
        "Count",
        start,
        end,
        lambda t: round(base[t]) if t >= onset else (1.0 if r.random() < 0.02 else None),
    )
    c.series(
        "AWS/IoT",
        "ErrorActionSuccess",
        {"RuleName": rule, "ActionType": "SQS"},
        "Count",
        start,
        end,
        lambda t: round(base[t]) if t >= onset else None,
    )
    c.series(
        "AWS/IoT",
        "TopicMatch",
        {"RuleName": alerts_rule},
        "Count",
        start,
        end,
        lambda t: float(r.randint(0, 4)) or None,
    )
    c.series(
        "AWS/Kinesis",
        "IncomingRecords",
        {"StreamName": stream},
        "Count",
        start,
        end,
        lambda t: round(base[t]) if t < onset else None,
    )
    c.series(
        "AWS/Kinesis",
        "IncomingBytes",
        {"StreamName": stream},
        "Bytes",
        start,
        end,
        lambda t: round(base[t] * r.uniform(610, 680)) if t < onset else None,
    )
    c.series(
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": stream},
        "Milliseconds",
        start,
        end,
        lambda t: float(r.randint(0, 900)) if t < onset else 0.0,
    )
    c.series(
        "AWS/Kinesis",
        "GetRecords.Records",
        {"StreamName": stream},
        "Count",
        start,
        end,
        lambda t: round(base[t]) if t < onset else 0.0,
    )
    c.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": writer},
        "Count",
        start,
        end,
        lambda t: float(round(shards * 2 * 60 / 2.3)) if t < onset else None,
    )
    c.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": writer},
        "Count",
        start,
        end,
        lambda t: 0.0 if t < onset else None,
    )
    c.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": writer},
        "Milliseconds",
        start,
        end,
        lambda t: r.uniform(140, 260) if t < onset else None,
    )
    c.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": alerts_fn},
        "Count",
        start,
        end,
        lambda t: float(r.randint(0, 4)) or None,
    )
    c.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": alerts_fn},
        "Count",
        start,
        end,
        lambda t: (0.0 if r.random() < 0.9 else 1.0) if t.minute % 3 == 0 else None,
    )
    c.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": ddb_table},
        "Count",
        start,
        end,
        lambda t: round(base[t] * 0.9) if t < onset else None,
    )
    c.series(
        "AWS/Timestream",
        "SuccessfulRequestLatency",
        {"Operation": "WriteRecords", "DatabaseName": "fleet", "TableName": "vehicle_telemetry"},
        "Milliseconds",
        start,
        end,
        lambda t: r.uniform(18, 45) if t < onset else None,
    )
    stale = r.randint(2, 4)
    visible = {
        t: float(stale + max(0, int((t - onset).total_seconds() // 60) * round(base[t])))
        if t >= onset
        else float(stale)
        for t in base
    }
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": err_q},
        "Count",
        start,
        end,
        lambda t: visible[t],
        step=300,
    )
    c.series(
        "AWS/SQS",
        "NumberOfMessagesSent",
        {"QueueName": err_q},
        "Count",
        start,
        end,
        lambda t: float(
            sum(
                round(base[t + timedelta(minutes=k)])
                for k in range(5)
                if t + timedelta(minutes=k) >= onset and t + timedelta(minutes=k) in base
            )
        ),
        step=300,
    )
    c.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": err_q},
        "Seconds",
        start,
        end,
        lambda t: float(int((t - start).total_seconds()) + 86400 * 5),
        step=300,
    )

    # --- alarms -----------------------------------------------------------------------------------
    first_five = min(t for t in base if t >= onset and t.minute % 5 == 0)
    fire = first_five + timedelta(minutes=5, seconds=r.randint(20, 50))
    dlq_alarm = c.alarm(
        f"{err_q}-visible",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": err_q},
        "Maximum",
        20,
        "GreaterThanThreshold",
        period=300,
        evals=1,
        state="ALARM",
        updated=fire,
        config_updated=long_ago,
        topic=topic,
        reason="",
        description="Messages the IoT rule error action could not deliver",
    )
    val = visible[first_five]
    reason = f"Threshold Crossed: 1 out of the last 1 datapoints [{val} ({first_five:%d/%m/%y %H:%M:%S})] was greater than the threshold (20.0) (minimum 1 datapoint for OK -> ALARM transition)."
    rdata = {
        "version": "1.0",
        "queryDate": fire.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "startDate": first_five.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "statistic": "Maximum",
        "period": 300,
        "recentDatapoints": [val],
        "threshold": 20.0,
        "evaluatedDatapoints": [
            {"timestamp": first_five.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), "sampleCount": 5.0, "value": val}
        ],
    }
    dlq_alarm["StateReason"] = reason
    dlq_alarm["StateReasonData"] = json.dumps(rdata, separators=(",", ":"))
    c.transition(dlq_alarm, fire, "OK", "ALARM", reason, rdata)
    c.alarm(
        f"{writer}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": writer},
        "Sum",
        5,
        "GreaterThanThreshold",
        period=300,
        evals=2,
        updated=start - timedelta(days=3),
        config_updated=long_ago,
        topic=topic,
    )
    c.alarm(
        f"{stream}-iterator-age",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": stream},
        "Maximum",
        60000,
        "GreaterThanThreshold",
        period=60,
        evals=5,
        updated=start - timedelta(days=6),
        config_updated=long_ago,
        topic=topic,
    )
    flap = c.alarm(
        f"{alerts_fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": alerts_fn},
        "Sum",
        0,
        "GreaterThanThreshold",
        period=60,
        evals=1,
        updated=start + timedelta(minutes=75),
        config_updated=long_ago,
        topic=topic,
    )
    for k in range(3):
        t1 = start + timedelta(minutes=30 + 40 * k, seconds=r.randint(5, 50))
        c.transition(
            flap,
            t1,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0).",
            {"version": "1.0"},
        )
        c.transition(
            flap,
            t1 + timedelta(minutes=2),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (0.0).",
            {"version": "1.0"},
        )

    # --- logs -------------------------------------------------------------------------------------
    wstream = c.stream_name(start)
    t = start + timedelta(seconds=7)
    while t < onset:
        n = r.randint(180, 500)
        c.lambda_invocation(
            f"/aws/lambda/{writer}",
            wstream,
            t,
            [
                f"{{ts}}\t{{rid}}\tINFO\tbatch processed records={n} timestream_written={n} last_seen_updates={min(n, r.randint(30, 40))} failures=0\n"
            ],
            r.uniform(150, 260),
            512,
            r.randint(118, 140),
        )
        t += timedelta(seconds=r.randint(50, 110))
    astream = c.stream_name(start)
    t = start + timedelta(minutes=3)
    while t < now:
        dev_id = r.choice(devices)
        body = [
            f"[INFO]\t{{ts}}\t{{rid}}\talert device={dev_id} kind={r.choice(['battery_low', 'coolant_high'])} routed=fleet-ops\n"
        ]
        if r.random() < 0.1:
            body.append(
                f"[WARNING]\t{{ts}}\t{{rid}}\tsuppressed duplicate alert for {dev_id} (cooldown 30m)\n"
            )
        c.lambda_invocation(
            f"/aws/lambda/{alerts_fn}",
            astream if t < deploy_at else c.stream_name(deploy_at),
            t,
            body,
            r.uniform(40, 120),
            256,
            r.randint(61, 70),
        )
        t += timedelta(seconds=r.randint(120, 420))
    # IoT Core logs at ERROR level
    t = start + timedelta(minutes=r.randint(5, 20))
    revoked = r.choice(devices)
    while t < now:
        c.logs.append(
            {
                "log_group": "AWSIotLogsV2",
                "log_stream": f"{c.hexid(8)}-{c.hexid(4)}-{c.hexid(4)}",
                "timestamp": ms(t),
                "message": json.dumps(
                    {
                        "timestamp": t.strftime("%Y-%m-%d %H:%M:%S.") + f"{r.randint(0, 999):03d}",
                        "logLevel": "ERROR",
                        "traceId": c.uid(),
                        "accountId": c.account,
                        "status": "Failure",
                        "eventType": "Connect",
                        "protocol": "MQTT",
                        "clientId": revoked,
                        "principalId": c.hexid(64),
                        "sourceIp": f"100.{r.randint(64, 127)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                        "sourcePort": r.randint(30000, 60000),
                        "reason": "AUTHORIZATION_FAILURE",
                        "details": "Authorization Failure",
                    },
                    separators=(",", ":"),
                ),
            }
        )
        t += timedelta(minutes=r.randint(8, 25))
    t = onset
    while t < now:
        dev_id = r.choice(devices)
        c.logs.append(
            {
                "log_group": "AWSIotLogsV2",
                "log_stream": f"{c.hexid(8)}-{c.hexid(4)}-{c.hexid(4)}",
                "timestamp": ms(t),
                "message": json.dumps(
                    {
                        "timestamp": t.strftime("%Y-%m-%d %H:%M:%S.") + f"{r.randint(0, 999):03d}",
                        "logLevel": "ERROR",
                        "traceId": c.uid(),
                        "accountId": c.account,
                        "status": "Failure",
                        "eventType": "RuleExecution",
                        "clientId": dev_id,
                        "topicName": f"fleet/{customer}/{dev_id}/telemetry",
                        "ruleName": rule,
                        "ruleAction": "KinesisAction",
                        "resources": {"StreamName": stream, "PartitionKey": dev_id},
                        "principalId": c.hexid(64),
                        "details": f"User: arn:aws:sts::{c.account}:assumed-role/{iot_role}/{c.hexid(32)} is not authorized to perform: kinesis:PutRecord on resource: {stream_arn} because no identity-based policy allows the kinesis:PutRecord action (Service: AmazonKinesis; Status Code: 400; Error Code: AccessDeniedException; Request ID: {c.uid()}; Proxy: null)",
                    },
                    separators=(",", ":"),
                ),
            }
        )
        t += timedelta(seconds=r.randint(2, 9))

    # --- manifest ---------------------------------------------------------------------------------
    local = onset.astimezone(timezone(timedelta(hours=tz_h)))
    q = (
        f"dispatch says the live map stopped moving around {local:%H:%M} - every truck shows its last position from then. "
        "is the MQTT broker down or is it the SIM provider again? the errors DLQ alarm went off too"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": c.account,
            "region": c.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": q,
                "alarm_event": c.alarm_event(dlq_alarm, fire, reason, rdata),
                "timezone": f"+{tz_h:02d}:00",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": iot_role,
                    "category": "change",
                    "failure_mode": "iam-policy-action-removed",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [f"arn:aws:iam::{c.account}:role/{iot_role}", "kinesis-write"],
                "actions": ["rollback"],
                "chain": [iot_role, rule, stream, writer, "vehicle_telemetry"],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": c.metrics,
            "alarms": c.alarms,
            "alarm_history": c.history,
            "logs": c.logs,
            "cloudtrail": c.trail,
            "resources": c.resources,
        },
    )
