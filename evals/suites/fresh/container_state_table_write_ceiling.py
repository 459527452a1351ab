"""Reefer container state lags: the device-state table's write auto scaling is pinned at its maximum."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzzzq import Ctx, iso

NAME = "container-state-table-write-ceiling"
TITLE = "Reefer temperatures minutes old in the customer portal on Monday morning; state-projector DLQ alarm"
SUMMARY = (
    "The morning reporting peak needs more write capacity than the device-state table's auto scaling "
    "maximum allows; UpdateItem calls are throttled, the stream consumer falls behind and failed batches go to its DLQ."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    tz_h = r.choice([1, 2, -5])
    # a Monday
    d = c.day()
    d = d - timedelta(days=d.weekday())
    local_peak_start = r.randint(6, 7)
    ramp_start = d.replace(hour=(local_peak_start - tz_h) % 24, minute=r.randint(0, 20))
    start = ramp_start - timedelta(hours=3, minutes=r.randint(0, 30))
    max_wcu = r.choice([1000, 1200, 1500, 2000])
    min_wcu = max_wcu // 5
    peak_need = max_wcu * r.uniform(1.35, 1.6)
    ramp_minutes = r.randint(80, 110)
    long_ago = start - timedelta(days=r.randint(300, 700))
    table = "device-state"
    table_arn = c.arn("dynamodb", f"table/{table}")
    proj = "state-projector"
    dlq = "state-projector-dlq"
    stream = "reefer-telemetry"
    stream_arn = c.arn("kinesis", f"stream/{stream}")
    topic = c.arn("sns", "reefer-oncall")
    shards = r.choice([8, 10, 12])

    def need(t: datetime) -> float:
        """WCU/s the projector would like to consume."""
        night = min_wcu * 0.55
        x = (t - ramp_start).total_seconds() / 60
        if x <= 0:
            return night * r.uniform(0.95, 1.05)
        f = min(1.0, x / ramp_minutes)
        return (night + (peak_need - night) * f) * r.uniform(0.97, 1.03)

    minutes = [start + timedelta(minutes=i) for i in range(int(6.5 * 60))]
    demand = {t: need(t) for t in minutes}
    prov: dict[datetime, float] = {}
    activities: list[tuple[datetime, int, int]] = []
    cur = float(min_wcu)
    last_change = start - timedelta(hours=2)
    for t in minutes:
        prov[t] = cur
        # target tracking at 70%: two minutes of >70% consumed triggers a scale-out, applied ~3 min later
        if t - last_change >= timedelta(minutes=6) and demand[t] > 0.7 * cur and cur < max_wcu:
            new = min(max_wcu, int(demand[t] / 0.7 / 10 + 1) * 10)
            activities.append((t, int(cur), new))
            cur = float(new)
            last_change = t
    onset = next(t for t in minutes if demand[t] > max_wcu * 1.02 and prov[t] >= max_wcu)
    now = onset + timedelta(minutes=r.randint(45, 65))
    now = now.replace(second=r.randint(0, 59))
    minutes = [t for t in minutes if t <= now]
    consumed = {t: min(demand[t], prov[t] * r.uniform(1.0, 1.04)) for t in minutes}
    throttled = {t: max(0.0, demand[t] - prov[t]) for t in minutes}

    # --- resources --------------------------------------------------------------------------------
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(long_ago),
            "AttributeDefinitions": [{"AttributeName": "container_id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "container_id", "KeyType": "HASH"}],
            "ProvisionedThroughput": {
                "LastIncreaseDateTime": iso(activities[-1][0] + timedelta(minutes=3)),
                "LastDecreaseDateTime": iso(d - timedelta(days=1, hours=-2)),
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 400,
                "WriteCapacityUnits": max_wcu,
            },
            "BillingModeSummary": {"BillingMode": "PROVISIONED"},
            "TableSizeBytes": r.randint(40_000_000, 90_000_000),
            "ItemCount": r.randint(60_000, 140_000),
            "TableArn": table_arn,
            "TableId": c.uid(),
            "StreamSpecification": {"StreamEnabled": False},
            "DeletionProtectionEnabled": True,
            "TableClassSummary": {"TableClass": "STANDARD"},
        },
    )
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "geofences",
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(long_ago),
            "AttributeDefinitions": [{"AttributeName": "site_id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "site_id", "KeyType": "HASH"}],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "TableSizeBytes": r.randint(200_000, 900_000),
            "ItemCount": r.randint(300, 900),
            "TableArn": c.arn("dynamodb", "table/geofences"),
            "TableId": c.uid(),
            "DeletionProtectionEnabled": True,
        },
    )
    role_arn = f"arn:aws:iam::{c.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    c.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "MinCapacity": min_wcu,
            "MaxCapacity": max_wcu,
            "RoleARN": role_arn,
            "CreationTime": iso(long_ago),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    c.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{table}",
            "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
            "MinCapacity": 100,
            "MaxCapacity": 2000,
            "RoleARN": role_arn,
            "CreationTime": iso(long_ago),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    pol_uuid = c.uid()
    high_alarm = f"TargetTracking-table/{table}-AlarmHigh-{pol_uuid}"
    low_alarm = f"TargetTracking-table/{table}-AlarmLow-{c.uid()}"
    c.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uid()}:resource/dynamodb/table/{table}:policyName/{table}-wcu-tt",
            "PolicyName": f"{table}-wcu-tt",
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
                "DisableScaleIn": False,
            },
            "Alarms": [
                {"AlarmName": high_alarm, "AlarmARN": c.arn("cloudwatch", f"alarm:{high_alarm}")},
                {"AlarmName": low_alarm, "AlarmARN": c.arn("cloudwatch", f"alarm:{low_alarm}")},
            ],
            "CreationTime": iso(long_ago),
        },
    )
    c.stream(stream, shards, long_ago, retention=48)
    c.function(
        proj,
        "state-projector-role",
        "projector.handler.lambda_handler",
        "python3.12",
        1024,
        120,
        d - timedelta(hours=r.randint(60, 64)),
        env={"STATE_TABLE": table, "POWERTOOLS_SERVICE_NAME": "state-projector", "LOG_LEVEL": "INFO"},
    )
    c.function(
        "geofence-evaluator",
        "geofence-evaluator-role",
        "index.handler",
        "nodejs20.x",
        512,
        30,
        start - timedelta(days=r.randint(10, 30)),
    )
    c.function(
        "reefer-alarm-notifier",
        "reefer-alarm-notifier-role",
        "index.handler",
        "nodejs20.x",
        256,
        30,
        start - timedelta(days=r.randint(30, 60)),
    )
    c.esm(
        proj,
        stream_arn,
        long_ago,
        batch=200,
        retries=2,
        dlq_arn=c.arn("sqs", dlq),
        window=1,
        parallel=r.choice([2, 3]),
    )
    c.esm("geofence-evaluator", stream_arn, long_ago, batch=100, retries=5)
    c.queue(dlq, long_ago, {}, {"team": "reefer-platform"})
    c.res(
        "iot",
        "TopicRule",
        {
            "ruleName": "reefer_telemetry",
            "sql": "SELECT *, topic(2) AS container_id FROM 'reefer/+/telemetry'",
            "createdAt": iso(long_ago),
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
            "actions": [
                {
                    "kinesis": {
                        "roleArn": f"arn:aws:iam::{c.account}:role/iot-reefer-ingest",
                        "streamName": stream,
                        "partitionKey": "${topic(2)}",
                    }
                }
            ],
        },
    )
    for g in (f"/aws/lambda/{proj}", "/aws/lambda/geofence-evaluator", "/aws/lambda/reefer-alarm-notifier"):
        c.log_group(g, long_ago, 30)

    # --- events: application auto scaling ------------------------------------------------------
    for t, _old, new in activities:
        c.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": c.uid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {new}.",
                    "Cause": f"monitor alarm {high_alarm} in state ALARM triggered policy {table}-wcu-tt",
                    "StartTime": iso(t + timedelta(seconds=r.randint(5, 40))),
                    "EndTime": iso(t + timedelta(minutes=3, seconds=r.randint(0, 40))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {new}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
    t = activities[-1][0] + timedelta(minutes=6)
    while t < now:
        c.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": c.uid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {max_wcu}.",
                    "Cause": f"monitor alarm {high_alarm} in state ALARM triggered policy {table}-wcu-tt",
                    "StartTime": iso(t),
                    "EndTime": iso(t),
                    "StatusCode": "Failed",
                    "StatusMessage": "Failed to set write capacity units. Reason: the desired capacity is already at the maximum capacity.",
                    "NotScaledReasons": [
                        {"Code": "AlreadyAtMaxCapacity", "MaxCapacity": max_wcu, "CurrentCapacity": max_wcu}
                    ],
                },
            }
        )
        t += timedelta(minutes=r.randint(12, 20))

    # --- cloudtrail -------------------------------------------------------------------------------
    aas = {"type": "AWSService", "invokedBy": "application-autoscaling.amazonaws.com"}
    for t, old, new in activities:
        c.ct(
            t + timedelta(seconds=r.randint(6, 40)),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "type": "AssumedRole",
                "principalId": "AROAEXAMPLEAAS:AutoScaling-UpdateTable",
                "arn": f"arn:aws:sts::{c.account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/AutoScaling-UpdateTable",
                "accountId": c.account,
                "invokedBy": "application-autoscaling.amazonaws.com",
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROAEXAMPLEAAS",
                        "arn": role_arn,
                        "accountId": c.account,
                        "userName": "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                    },
                    "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
                },
            },
            {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 400, "writeCapacityUnits": new},
            },
            {
                "tableDescription": {
                    "tableName": table,
                    "tableStatus": "UPDATING",
                    "tableArn": table_arn,
                    "provisionedThroughput": {
                        "readCapacityUnits": 400,
                        "writeCapacityUnits": old,
                        "numberOfDecreasesToday": 0,
                        "lastIncreaseDateTime": iso(t),
                    },
                }
            },
            read_only=False,
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )
    _ = aas
    dev = c.ident_role("gitlab-deployer", "gitlab-ci-deploy")
    sam = "aws-sam-cli/1.113.0 aws-sdk-py/1.34.69 (+https://github.com/aws/aws-sam-cli)"
    proj_deploy = d - timedelta(hours=r.randint(60, 64))
    # last Friday's projector release (outside the window of the metrics, visible in the trail)
    c.ct(
        proj_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        dev,
        {"functionName": proj, "publish": True},
        {
            "functionName": proj,
            "functionArn": c.arn("lambda", f"function:{proj}"),
            "version": "57",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent=sam,
        ip="34.90.11.7",
    )
    geo_change = ramp_start + timedelta(minutes=r.randint(-40, 10))
    ops = c.ident_role(
        "AWSReservedSSO_DataEngineer_a81c44e20b9d31f7", r.choice(["p.martin", "s.okafor", "l.moreau"])
    )
    c.ct(
        geo_change,
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        ops,
        {
            "tableName": "geofences",
            "timeToLiveSpecification": {"enabled": True, "attributeName": "expires_at"},
        },
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "expires_at"}},
        read_only=False,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    c.ct(
        onset - timedelta(minutes=r.randint(8, 25)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        dev,
        {"functionName": "reefer-alarm-notifier", "environment": {}},
        {
            "functionName": "reefer-alarm-notifier",
            "functionArn": c.arn("lambda", "function:reefer-alarm-notifier"),
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent=sam,
        ip="34.90.11.7",
    )
    c.tooling_noise(
        start,
        now,
        r.randint(40, 55),
        [
            ("monitoring.amazonaws.com", "GetMetricData", {}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("dynamodb.amazonaws.com", "ListTables", {}),
            ("kinesis.amazonaws.com", "ListStreams", {}),
            ("lambda.amazonaws.com", "ListEventSourceMappings", {}),
            (
                "application-autoscaling.amazonaws.com",
                "DescribeScalableTargets",
                {"serviceNamespace": "dynamodb"},
            ),
        ],
    )

    # --- metrics ----------------------------------------------------------------------------------
    end = now
    msgs = {t: demand[t] * 60 / 1.6 for t in minutes}  # roughly 1.6 WCU per state update
    c.series(
        "AWS/IoT",
        "PublishIn.Success",
        {"Protocol": "MQTT"},
        "Count",
        start,
        end,
        lambda t: round(msgs[t] * 1.05),
    )
    c.series(
        "AWS/Kinesis",
        "IncomingRecords",
        {"StreamName": stream},
        "Count",
        start,
        end,
        lambda t: round(msgs[t]),
    )
    c.series(
        "AWS/Kinesis",
        "WriteProvisionedThroughputExceeded",
        {"StreamName": stream},
        "Count",
        start,
        end,
        lambda t: 0.0,
    )

    lag = {}
    backlog = 0.0
    for t in minutes:
        backlog = max(0.0, backlog + throttled[t] * 60 / 1.6 * 0.8)
        lag[t] = (
            r.uniform(200, 1500)
            if backlog < 1
            else min(backlog / max(1.0, msgs[t]) * 60_000 * 1.3, 86_400_000)
        )
    c.series(
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": stream},
        "Milliseconds",
        start,
        end,
        lambda t: round(lag[t]),
    )
    c.series(
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": proj},
        "Milliseconds",
        start,
        end,
        lambda t: round(lag[t]),
    )
    c.series(
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": "geofence-evaluator"},
        "Milliseconds",
        start,
        end,
        lambda t: r.uniform(150, 1200),
    )
    c.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": proj},
        "Count",
        start,
        end,
        lambda t: float(shards * 2 * r.randint(20, 30)),
    )
    perr = {
        t: (
            round(shards * 2 * 25 * min(0.9, throttled[t] / max(1.0, demand[t]) * 3))
            if throttled[t] > 0.02 * demand[t]
            else 0.0
        )
        for t in minutes
    }
    c.series("AWS/Lambda", "Errors", {"FunctionName": proj}, "Count", start, end, lambda t: float(perr[t]))
    c.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": proj},
        "Milliseconds",
        start,
        end,
        lambda t: r.uniform(300, 700) if throttled[t] <= 0.02 * demand[t] else r.uniform(9000, 30000),
    )
    c.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": "geofence-evaluator"},
        "Count",
        start,
        end,
        lambda t: float(shards * r.randint(20, 30)),
    )
    c.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "geofence-evaluator"},
        "Count",
        start,
        end,
        lambda t: 1.0 if r.random() < 0.03 else 0.0,
    )
    c.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        "Count",
        start,
        end,
        lambda t: round(consumed[t] * 60),
    )
    c.series(
        "AWS/DynamoDB",
        "ProvisionedWriteCapacityUnits",
        {"TableName": table},
        "Count",
        start,
        end,
        lambda t: prov[t],
        step=300,
    )
    c.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": table},
        "Count",
        start,
        end,
        lambda t: round(r.uniform(30, 90) * 60),
    )
    c.series(
        "AWS/DynamoDB",
        "ProvisionedReadCapacityUnits",
        {"TableName": table},
        "Count",
        start,
        end,
        lambda t: 400.0,
        step=300,
    )
    c.series(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        {"TableName": table},
        "Count",
        start,
        end,
        lambda t: round(throttled[t] * 60 / 1.6 * 2.5) if throttled[t] > 0 else None,
    )
    c.series(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": table, "Operation": "UpdateItem"},
        "Count",
        start,
        end,
        lambda t: round(throttled[t] * 60 / 1.6 * 2.5) if throttled[t] > 0 else None,
    )
    c.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "UpdateItem"},
        "Milliseconds",
        start,
        end,
        lambda t: r.uniform(3.5, 6.5),
    )
    c.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": "geofences"},
        "Count",
        start,
        end,
        lambda t: round(r.uniform(50, 200)),
    )
    dlq_first = next(t for t in minutes if perr[t] > 0) + timedelta(minutes=r.randint(6, 10))
    sent = {t: (perr[t] * 0.4 if t >= dlq_first else 0.0) for t in minutes}
    vis: dict[datetime, float] = {}
    acc = 0.0
    for t in minutes:
        acc += sent[t]
        vis[t] = acc
    c.series(
        "AWS/SQS",
        "NumberOfMessagesSent",
        {"QueueName": dlq},
        "Count",
        dlq_first,
        end,
        lambda t: float(round(sum(sent.get(t + timedelta(minutes=k), 0.0) for k in range(5)))),
        step=300,
    )
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        "Count",
        dlq_first,
        end,
        lambda t: float(round(vis.get(t, acc))),
        step=300,
    )

    # --- alarms -----------------------------------------------------------------------------------
    five = [t for t in minutes if t >= dlq_first and (t - dlq_first).total_seconds() % 300 == 0]
    first = next(t for t in five if vis[t] >= 1)
    fire = first + timedelta(minutes=5, seconds=r.randint(10, 50))
    ts = "%Y-%m-%dT%H:%M:%S.000+0000"
    val = float(round(vis[first]))
    reason = f"Threshold Crossed: 1 out of the last 1 datapoints [{val} ({first:%d/%m/%y %H:%M:%S})] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)."
    rdata = {
        "version": "1.0",
        "queryDate": fire.strftime(ts),
        "startDate": first.strftime(ts),
        "statistic": "Maximum",
        "period": 300,
        "recentDatapoints": [val],
        "threshold": 1.0,
        "evaluatedDatapoints": [{"timestamp": first.strftime(ts), "sampleCount": 1.0, "value": val}],
    }
    dlq_alarm = c.alarm(
        f"{dlq}-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        "Maximum",
        1,
        "GreaterThanOrEqualToThreshold",
        period=300,
        evals=1,
        state="ALARM",
        updated=fire,
        config_updated=long_ago,
        topic=topic,
        treat_missing="notBreaching",
        description="state-projector gave up on a batch of reefer telemetry",
    )
    dlq_alarm["StateReason"] = reason
    dlq_alarm["StateReasonData"] = json.dumps(rdata, separators=(",", ":"))
    c.transition(dlq_alarm, fire, "OK", "ALARM", reason, rdata)
    age_alarm = c.alarm(
        f"{proj}-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": proj},
        "Maximum",
        300000,
        "GreaterThanThreshold",
        period=60,
        evals=5,
        updated=start - timedelta(days=4),
        config_updated=long_ago,
        topic=topic,
    )
    over = [t for t in minutes if lag[t] > 300000]
    if len(over) >= 5:
        t_age = over[4] + timedelta(minutes=1, seconds=r.randint(5, 50))
        age_alarm["StateValue"] = "ALARM"
        age_alarm["StateUpdatedTimestamp"] = age_alarm["StateTransitionedTimestamp"] = iso(t_age)
        age_alarm["StateReason"] = (
            "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (300000.0) (minimum 5 datapoints for OK -> ALARM transition)."
        )
        c.transition(age_alarm, t_age, "OK", "ALARM", age_alarm["StateReason"], {"version": "1.0"})
    # the target tracking pair; AlarmHigh has been in ALARM since the ramp
    hi = c.alarm(
        high_alarm,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        "Sum",
        round(max_wcu * 0.7 * 60),
        "GreaterThanThreshold",
        period=60,
        evals=2,
        state="ALARM",
        updated=activities[-1][0],
        config_updated=activities[-1][0] + timedelta(minutes=3),
        topic=c.arn("autoscaling", "scalingPolicy"),
        description="DO NOT EDIT OR DELETE. For TargetTrackingScaling policy",
    )
    hi["AlarmActions"] = hi["OKActions"] = []
    hi["AlarmActions"] = [
        f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{pol_uuid}:resource/dynamodb/table/{table}:policyName/{table}-wcu-tt"
    ]
    hi["StateReason"] = (
        f"Threshold Crossed: 2 datapoints were greater than the threshold ({round(max_wcu * 0.7 * 60)}.0)."
    )
    lo = c.alarm(
        low_alarm,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        "Sum",
        round(max_wcu * 0.7 * 60 * 0.8),
        "LessThanThreshold",
        period=60,
        evals=15,
        state="OK",
        updated=ramp_start,
        config_updated=activities[-1][0] + timedelta(minutes=3),
        topic=c.arn("autoscaling", "scalingPolicy"),
        description="DO NOT EDIT OR DELETE. For TargetTrackingScaling policy",
    )
    lo["AlarmActions"] = hi["AlarmActions"]
    lo["OKActions"] = []
    hi["OKActions"] = []
    c.alarm(
        "geofence-evaluator-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "geofence-evaluator"},
        "Sum",
        10,
        "GreaterThanThreshold",
        period=300,
        evals=1,
        updated=start - timedelta(days=2),
        config_updated=long_ago,
        topic=topic,
    )

    # --- logs -------------------------------------------------------------------------------------
    streams = [c.stream_name(proj_deploy + timedelta(days=2)) for _ in range(3)]
    t = start + timedelta(seconds=11)
    while t < now:
        key = min(minutes, key=lambda m: abs((m - t).total_seconds()))
        bad = perr[key] > 0
        n = r.randint(150, 200)
        s = r.choice(streams)
        if not bad:
            body = [
                json.dumps(
                    {
                        "level": "INFO",
                        "location": "handler:61",
                        "message": f"projected batch records={n} updates={n} failures=0",
                        "timestamp": "{ts}",
                        "service": "state-projector",
                        "xray_trace_id": None,
                        "function_request_id": "{rid}",
                    }
                )
                + "\n"
            ]
            c.lambda_invocation(
                f"/aws/lambda/{proj}", s, t, body, r.uniform(300, 700), 1024, r.randint(150, 170)
            )
        else:
            failed = r.randint(n // 4, n)
            body = []
            for _ in range(r.randint(1, 3)):
                body.append(
                    json.dumps(
                        {
                            "level": "WARNING",
                            "location": "writer:88",
                            "message": "UpdateItem throttled, retrying",
                            "timestamp": "{ts}",
                            "service": "state-projector",
                            "container_id": f"MSCU{r.randint(1000000, 9999999)}",
                            "function_request_id": "{rid}",
                        }
                    )
                    + "\n"
                )
            body.append(
                json.dumps(
                    {
                        "level": "ERROR",
                        "location": "writer:97",
                        "message": "state update failed",
                        "timestamp": "{ts}",
                        "service": "state-projector",
                        "function_request_id": "{rid}",
                        "exception": "botocore.errorfactory.ProvisionedThroughputExceededException: An error occurred (ProvisionedThroughputExceededException) when calling the UpdateItem operation (reached max retries: 9): The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
                        "exception_name": "ProvisionedThroughputExceededException",
                    }
                )
                + "\n"
            )
            body.append(
                json.dumps(
                    {
                        "level": "INFO",
                        "location": "handler:70",
                        "message": f"reporting batchItemFailures count={failed} of {n}",
                        "timestamp": "{ts}",
                        "service": "state-projector",
                        "function_request_id": "{rid}",
                    }
                )
                + "\n"
            )
            c.lambda_invocation(
                f"/aws/lambda/{proj}", s, t, body, r.uniform(9000, 30000), 1024, r.randint(160, 190)
            )
        t += timedelta(seconds=r.randint(25, 70))
    gstream = c.stream_name(start)
    t = start + timedelta(seconds=40)
    while t < now:
        body = [
            f"{{ts}}\t{{rid}}\tINFO\tevaluated {r.randint(80, 100)} positions, {r.randint(0, 3)} geofence transitions\n"
        ]
        if r.random() < 0.03:
            body.append(
                '{ts}\t{rid}\tERROR\tInvoke Error \t{"errorType":"TimeoutError","errorMessage":"socket hang up"}\n'
            )
        c.lambda_invocation(
            "/aws/lambda/geofence-evaluator", gstream, t, body, r.uniform(80, 300), 512, r.randint(90, 110)
        )
        t += timedelta(seconds=r.randint(90, 200))

    local = (onset - timedelta(minutes=r.randint(0, 5))).astimezone(timezone(timedelta(hours=tz_h)))
    q = (
        f"customer success says reefer temps in the portal are 10+ minutes stale since about {local:%H:%M}, a shipper is asking if "
        "their containers are ok. did the geofence change this morning break something? state-projector DLQ alarm also fired"
    )
    zone = f"+{tz_h:02d}:00" if tz_h >= 0 else f"-{-tz_h:02d}:00"
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
                "timezone": zone,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": table,
                    "category": "limit",
                    "failure_mode": "dynamodb-autoscaling-max-write-capacity",
                },
                "also_accept": [table_arn, f"table/{table}"],
                "actions": ["scale", "reconfigure"],
                "chain": [table, proj, stream, dlq],
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
            "events": c.events,
        },
    )
