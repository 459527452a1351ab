"""No fault: a freshly created low-traffic alarm meets the fleet's evening parking drop for the first time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzzzq import Ctx, iso

NAME = "van-telemetry-evening-parked"
TITLE = "van-telemetry incoming-low alarm at the end of the delivery day; are vans dropping off the network?"
SUMMARY = (
    "A static low-traffic alarm created that morning fires as delivery vans park and their trackers drop to "
    "heartbeat mode, exactly as the evening before; ingest, rules and writers are healthy."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    tz_h = r.choice([0, 1, 2])
    day = c.day()
    vans = r.randint(900, 2400)
    moving_rate = 30.0  # per 5 minutes while driving (every 10 s)
    parked_rate = 1.0  # heartbeat every 5 minutes
    stream = "van-telemetry"
    rule = "van_telemetry_ingest"
    writer = "van-position-writer"
    topic = c.arn("sns", "logistics-oncall")
    long_ago = day - timedelta(days=r.randint(300, 800))
    end_shift = r.uniform(17.5, 18.5)

    def moving_frac(t: datetime) -> float:
        h = (t.hour + t.minute / 60 + tz_h) % 24
        if h < 6:
            return 0.02
        if h < 7.5:
            return 0.02 + 0.8 * (h - 6) / 1.5
        if h < end_shift:
            return 0.82 + 0.04 * ((int(t.timestamp()) // 3600) % 3 - 1)
        if h < end_shift + 2:
            return 0.82 - 0.78 * (h - end_shift) / 2
        return 0.04 if h < 22 else 0.02

    def count(t: datetime) -> float:
        f = moving_frac(t)
        return vans * (f * moving_rate + (1 - f) * parked_rate) * r.uniform(0.97, 1.03)

    threshold = round(vans * r.uniform(9.0, 12.0), -2)
    # the alarm fires today in the evening as traffic falls under its threshold
    today = day.replace(hour=0, minute=0, second=0)
    steps = [today + timedelta(minutes=5 * i) for i in range(24 * 12)]
    probe = {t: count(t) for t in steps}
    lows = [t for t in steps if (t.hour + tz_h) % 24 >= 16 and probe[t] < threshold]
    first_low = lows[0]
    fire = first_low + timedelta(minutes=15, seconds=r.randint(15, 55))
    now = (fire + timedelta(minutes=r.randint(30, 50))).replace(second=r.randint(0, 59))
    start = (now - timedelta(hours=r.randint(29, 33))).replace(minute=0, second=0)
    created = today.replace(
        hour=(r.randint(9, 11) - tz_h) % 24, minute=r.randint(0, 59), second=r.randint(0, 59)
    )

    # --- resources --------------------------------------------------------------------------------
    role_arn = f"arn:aws:iam::{c.account}:role/iot-van-ingest"
    c.res(
        "iot",
        "TopicRule",
        {
            "ruleName": rule,
            "sql": "SELECT *, topic(2) AS van_id FROM 'vans/+/telemetry'",
            "createdAt": iso(long_ago),
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
            "actions": [
                {"kinesis": {"roleArn": role_arn, "streamName": stream, "partitionKey": "${topic(2)}"}}
            ],
            "errorAction": {
                "sqs": {
                    "roleArn": role_arn,
                    "queueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/van-rule-errors",
                    "useBase64": False,
                }
            },
        },
    )
    c.stream(stream, r.choice([4, 6]), long_ago)
    c.function(
        writer,
        "van-position-writer-role",
        "bootstrap",
        "provided.al2023",
        256,
        60,
        start - timedelta(days=r.randint(8, 20)),
        env={"POSITIONS_TABLE": "van-positions", "TS_DATABASE": "logistics", "TS_TABLE": "van_tracks"},
    )
    c.function(
        "eta-recalculator",
        "eta-recalculator-role",
        "app.handler",
        "python3.12",
        512,
        30,
        today + timedelta(hours=r.randint(12, 14) - tz_h),
    )
    c.esm(
        writer,
        c.arn("kinesis", f"stream/{stream}"),
        long_ago,
        batch=500,
        retries=5,
        dlq_arn=c.arn("sqs", "van-position-writer-dlq"),
    )
    c.queue("van-rule-errors", long_ago, {}, {"team": "logistics-platform"})
    c.queue("van-position-writer-dlq", long_ago, {}, {"team": "logistics-platform"})
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "van-positions",
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(long_ago),
            "AttributeDefinitions": [{"AttributeName": "van_id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "van_id", "KeyType": "HASH"}],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "TableSizeBytes": vans * 310,
            "ItemCount": vans,
            "TableArn": c.arn("dynamodb", "table/van-positions"),
            "TableId": c.uid(),
            "DeletionProtectionEnabled": True,
        },
    )
    c.res(
        "timestream-write",
        "Table",
        {
            "Arn": f"arn:aws:timestream:{c.region}:{c.account}:database/logistics/table/van_tracks",
            "TableName": "van_tracks",
            "DatabaseName": "logistics",
            "TableStatus": "ACTIVE",
            "RetentionProperties": {
                "MemoryStoreRetentionPeriodInHours": 24,
                "MagneticStoreRetentionPeriodInDays": 365,
            },
            "CreationTime": iso(long_ago),
            "LastUpdatedTime": iso(long_ago),
        },
    )
    c.role("iot-van-ingest", long_ago, "iot.amazonaws.com")
    for g in (f"/aws/lambda/{writer}", "/aws/lambda/eta-recalculator", "AWSIotLogsV2"):
        c.log_group(g, long_ago, 14)

    # --- cloudtrail -------------------------------------------------------------------------------
    eng = c.ident_role(
        "AWSReservedSSO_PlatformEngineer_0b7c2d9e4f1a3c58", r.choice(["h.jansen", "e.rossi", "d.kowalczyk"])
    )
    c.ct(
        created,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        eng,
        {
            "alarmName": f"{stream}-incoming-low",
            "alarmDescription": "Telemetry ingest dropped - trackers offline?",
            "actionsEnabled": True,
            "oKActions": [topic],
            "alarmActions": [topic],
            "metricName": "IncomingRecords",
            "namespace": "AWS/Kinesis",
            "statistic": "Sum",
            "dimensions": [{"name": "StreamName", "value": stream}],
            "period": 300,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 3,
            "threshold": threshold,
            "comparisonOperator": "LessThanThreshold",
            "treatMissingData": "breaching",
        },
        None,
        read_only=False,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    dep = c.ident_role("github-actions-deploy", "GitHubActions")
    eta_deploy = today + timedelta(hours=r.randint(12, 14) - tz_h, minutes=r.randint(0, 59))
    c.ct(
        eta_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        dep,
        {"functionName": "eta-recalculator", "publish": True},
        {
            "functionName": "eta-recalculator",
            "functionArn": c.arn("lambda", "function:eta-recalculator"),
            "version": str(r.randint(40, 90)),
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
        ip="20.57.99.12",
    )
    c.ct(
        fire - timedelta(minutes=r.randint(30, 70)),
        "iot.amazonaws.com",
        "UpdateThingGroup",
        eng,
        {
            "thingGroupName": "vans-depot-" + r.choice(["north", "east", "south"]),
            "thingGroupProperties": {"thingGroupDescription": "depot vans"},
        },
        {"version": r.randint(3, 9)},
        read_only=False,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    c.tooling_noise(
        start,
        now,
        r.randint(45, 60),
        [
            ("monitoring.amazonaws.com", "GetMetricData", {}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {}),
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream}),
            ("iot.amazonaws.com", "ListTopicRules", {}),
            ("iot.amazonaws.com", "ListThings", {}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {}),
        ],
    )

    # --- metrics (5-minute) -----------------------------------------------------------------------
    grid = [start + timedelta(minutes=5 * i) for i in range(int((now - start).total_seconds() // 300) + 1)]
    vals = {t: count(t) for t in grid}
    c.series(
        "AWS/IoT",
        "PublishIn.Success",
        {"Protocol": "MQTT"},
        "Count",
        start,
        now,
        lambda t: round(vals[t] * 1.01),
        step=300,
    )
    c.series(
        "AWS/IoT", "TopicMatch", {"RuleName": rule}, "Count", start, now, lambda t: round(vals[t]), step=300
    )
    c.series(
        "AWS/IoT",
        "Success",
        {"RuleName": rule, "ActionType": "Kinesis"},
        "Count",
        start,
        now,
        lambda t: round(vals[t]),
        step=300,
    )
    c.series(
        "AWS/IoT",
        "Connect.Success",
        {"Protocol": "MQTT"},
        "Count",
        start,
        now,
        lambda t: float(
            round(vans * 0.02 * r.uniform(0.5, 1.5) * (3 if 5 <= (t.hour + tz_h) % 24 <= 8 else 1))
        ),
        step=300,
    )
    c.series(
        "AWS/Kinesis",
        "IncomingRecords",
        {"StreamName": stream},
        "Count",
        start,
        now,
        lambda t: round(vals[t]),
        step=300,
    )
    c.series(
        "AWS/Kinesis",
        "IncomingBytes",
        {"StreamName": stream},
        "Bytes",
        start,
        now,
        lambda t: round(vals[t] * r.uniform(420, 470)),
        step=300,
    )
    c.series(
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": stream},
        "Milliseconds",
        start,
        now,
        lambda t: float(r.randint(0, 1200)),
        step=300,
    )
    c.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": writer},
        "Count",
        start,
        now,
        lambda t: float(round(max(20.0, vals[t] / 120))),
        step=300,
    )
    c.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": writer},
        "Count",
        start,
        now,
        lambda t: 1.0 if r.random() < 0.02 else 0.0,
        step=300,
    )
    c.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": "eta-recalculator"},
        "Count",
        start,
        now,
        lambda t: float(r.randint(5, 40)),
        step=300,
    )
    c.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "eta-recalculator"},
        "Count",
        start,
        now,
        lambda t: 0.0,
        step=300,
    )
    c.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "van-positions"},
        "Count",
        start,
        now,
        lambda t: round(vals[t] * 0.9),
        step=300,
    )

    # --- alarms -----------------------------------------------------------------------------------
    ts = "%Y-%m-%dT%H:%M:%S.000+0000"
    pts = [first_low + timedelta(minutes=5 * k) for k in range(3)]
    recent = [float(round(vals.get(p, probe[p]))) for p in pts]
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{recent[2]} ({pts[2]:%d/%m/%y %H:%M:%S}), {recent[1]} ({pts[1]:%d/%m/%y %H:%M:%S}), "
        f"{recent[0]} ({pts[0]:%d/%m/%y %H:%M:%S})] were less than the threshold ({float(threshold)}) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    rdata = {
        "version": "1.0",
        "queryDate": fire.strftime(ts),
        "startDate": pts[0].strftime(ts),
        "statistic": "Sum",
        "period": 300,
        "recentDatapoints": recent,
        "threshold": float(threshold),
        "evaluatedDatapoints": [
            {"timestamp": p.strftime(ts), "sampleCount": 5.0, "value": v}
            for p, v in zip(reversed(pts), reversed(recent), strict=True)
        ],
    }
    low = c.alarm(
        f"{stream}-incoming-low",
        "AWS/Kinesis",
        "IncomingRecords",
        {"StreamName": stream},
        "Sum",
        threshold,
        "LessThanThreshold",
        period=300,
        evals=3,
        state="ALARM",
        updated=fire,
        config_updated=created,
        topic=topic,
        treat_missing="breaching",
        description="Telemetry ingest dropped - trackers offline?",
    )
    low["StateReason"] = reason
    low["StateReasonData"] = json.dumps(rdata, separators=(",", ":"))
    first_ok = created + timedelta(seconds=r.randint(40, 70))
    c.history.append(
        {
            "AlarmName": low["AlarmName"],
            "AlarmType": "MetricAlarm",
            "Timestamp": iso(created),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{low["AlarmName"]}" created',
            "HistoryData": json.dumps(
                {
                    "type": "Create",
                    "version": "1.0",
                    "createdAlarm": {"alarmName": low["AlarmName"], "threshold": float(threshold)},
                },
                separators=(",", ":"),
            ),
        }
    )
    c.history.append(
        {
            "AlarmName": low["AlarmName"],
            "AlarmType": "MetricAlarm",
            "Timestamp": iso(first_ok),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": "Alarm updated from INSUFFICIENT_DATA to OK",
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "oldState": {
                        "stateValue": "INSUFFICIENT_DATA",
                        "stateReason": "Unchecked: Initial alarm creation",
                    },
                    "newState": {
                        "stateValue": "OK",
                        "stateReason": "Threshold Crossed: 3 datapoints were not less than the threshold.",
                    },
                },
                separators=(",", ":"),
            ),
        }
    )
    c.transition(low, fire, "OK", "ALARM", reason, rdata)
    c.alarm(
        f"{writer}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": writer},
        "Sum",
        10,
        "GreaterThanThreshold",
        period=300,
        evals=2,
        updated=start - timedelta(days=9),
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
        updated=start - timedelta(days=3),
        config_updated=long_ago,
        topic=topic,
    )
    c.alarm(
        "van-rule-errors-visible",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "van-rule-errors"},
        "Maximum",
        0,
        "GreaterThanThreshold",
        period=300,
        evals=1,
        updated=start - timedelta(days=20),
        config_updated=long_ago,
        topic=topic,
        treat_missing="notBreaching",
    )

    # --- logs -------------------------------------------------------------------------------------
    log_start = now - timedelta(hours=r.randint(26, 28))
    ws = c.stream_name(log_start)
    t = log_start
    while t < now:
        key = min(grid, key=lambda g: abs((g - t).total_seconds()))
        f = moving_frac(t)
        n = r.randint(380, 500)
        moving = round(n * f * moving_rate / (f * moving_rate + (1 - f) * parked_rate))
        body = [
            f"{{ts}} INF batch processed records={n} moving={moving} heartbeat={n - moving} positions_updated={min(n, r.randint(n // 3, n))} ts_rejected=0\n"
        ]
        if r.random() < 0.01:
            body.append('{ts} WRN dynamodb UpdateItem retry attempt=1 err="RequestLimitExceeded"\n')
        c.lambda_invocation(f"/aws/lambda/{writer}", ws, t, body, r.uniform(60, 180), 256, r.randint(40, 52))
        _ = key
        t += timedelta(seconds=max(20, min(900, int(300 / max(1.0, vals[key] / 500)))))

    local = fire.astimezone(timezone(timedelta(hours=tz_h)))
    q = (
        f"got paged at {local:%H:%M} for {stream}-incoming-low. are the vans losing connectivity? dispatch hasn't complained yet "
        "but I want to know before the night routes go out"
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
                "alarm_event": c.alarm_event(low, fire, reason, rdata),
                "timezone": f"+{tz_h:02d}:00",
            },
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
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
