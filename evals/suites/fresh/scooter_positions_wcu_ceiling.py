"""Scooter positions go stale at the evening peak: the positions table's write auto scaling is at its maximum."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzg import Account, iso

NAME = "scooter-positions-stale-evening-peak"
TITLE = "scooter-telemetry IteratorAge alarm at the evening commute; riders see scooters in the wrong place"
SUMMARY = (
    "Fleet growth pushed evening position writes past the DynamoDB table's auto-scaling maximum; writes "
    "throttle, the stream processor's batches fail and retry, and the Kinesis iterator age climbs."
)

ZONES = ["Europe/Lisbon", "Europe/Madrid", "Europe/Warsaw", "Europe/Paris"]


def build(seed: int) -> Bundle:
    a = Account(seed, NAME, hours_before=4, minutes_after=40 + seed % 12)
    r = a.rng
    a.region = r.choice(["eu-west-1", "eu-central-1", "eu-west-3"])
    tz = r.choice(ZONES)
    day = a.day
    zone = ZoneInfo(tz)
    off = zone.utcoffset(day)
    tz_h = off.total_seconds() / 3600 if off else 0.0

    cap = r.choice([2500, 3000, 3500])
    lo = cap * r.uniform(0.52, 0.6)
    hi = cap * r.uniform(1.18, 1.3)
    peak_local = 18.5
    # Demand climbs through the afternoon to the commute peak.
    start = (day + timedelta(hours=peak_local - tz_h - 5.5)).replace(minute=0)
    peak = day + timedelta(hours=peak_local - tz_h)

    def demand(t: datetime) -> float:
        x = max(0.0, min(1.0, (t - start).total_seconds() / (peak - start).total_seconds()))
        return lo + (hi - lo) * x**1.6

    t = start
    while demand(t) < cap:
        t += timedelta(minutes=1)
    onset = t
    a.hours_before = (onset - start).total_seconds() / 3600
    a.set_onset(onset)
    a.start = start

    stream_name = "scooter-telemetry"
    rule = "scooter_telemetry_ingest"
    writer = "scooter-position-writer"
    table = "scooter-positions"
    map_api = "scooter-map-api"
    billing = "ride-billing-aggregator"
    old = a.start - timedelta(days=r.randint(300, 700))
    shards = 8

    stream_arn = a.stream(stream_name, shards, old)
    oncall = a.topic("fleet-platform-oncall", "Fleet platform")
    a.res(
        "iot",
        "TopicRule",
        {
            "ruleName": rule,
            "sql": "SELECT * FROM 'fleet/+/scooter/+/state'",
            "description": "Scooter state (GPS, battery, lock) to Kinesis",
            "createdAt": iso(old),
            "actions": [
                {
                    "kinesis": {
                        "roleArn": a.role_arn("iot-scooter-ingest"),
                        "streamName": stream_name,
                        "partitionKey": "${topic(4)}",
                    }
                }
            ],
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
        },
    )
    a.role("iot-scooter-ingest", "iot.amazonaws.com", old)
    a.role(f"{writer}-role", "lambda.amazonaws.com", old)
    a.inline(
        f"{writer}-role",
        "positions-table",
        [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                "Resource": a.arn("dynamodb", f"table/{table}"),
            }
        ],
    )
    a.function(
        writer,
        "python3.12",
        "app.handler",
        1024,
        120,
        f"{writer}-role",
        old + timedelta(days=r.randint(30, 200)),
        {"TABLE_NAME": table, "POWERTOOLS_SERVICE_NAME": writer, "LOG_LEVEL": "INFO"},
    )
    a.mapping(writer, stream_arn, 1000, old + timedelta(days=5), {"ParallelizationFactor": 2})
    billing_deploy = onset - timedelta(minutes=r.randint(18, 45))
    a.function(billing, "python3.12", "app.handler", 512, 300, f"{billing}-role", billing_deploy)
    a.function(
        map_api,
        "nodejs20.x",
        "dist/index.handler",
        512,
        10,
        f"{map_api}-role",
        old + timedelta(days=r.randint(200, 280)),
    )
    a.table(table, "scooter_id", "bucket", old, rcu=cap // 2, wcu=cap, items=r.randint(40_000, 90_000))
    a.table("ride-events", "ride_id", "ts", old, items=r.randint(50_000_000, 90_000_000))
    for g in (f"/aws/lambda/{writer}", f"/aws/lambda/{billing}", f"/aws/lambda/{map_api}"):
        a.log_group(g, 30)
    res_id = f"table/{table}"
    a.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": res_id,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "MinCapacity": cap // 5,
            "MaxCapacity": cap,
            "RoleARN": a.role_arn(
                "aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
            ),
            "CreationTime": iso(old),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    high_name = f"TargetTracking-{res_id}-AlarmHigh-{a.uid()}"
    low_name = f"TargetTracking-{res_id}-AlarmLow-{a.uid()}"
    policy = f"DynamoDBWriteCapacityUtilization:{res_id}"
    a.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": a.arn(
                "autoscaling",
                f"scalingPolicy:{a.uid()}:resource/dynamodb/{res_id}:policyName/{policy}",
            ),
            "PolicyName": policy,
            "ServiceNamespace": "dynamodb",
            "ResourceId": res_id,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
            },
            "Alarms": [
                {"AlarmName": high_name, "AlarmARN": a.arn("cloudwatch", f"alarm:{high_name}")},
                {"AlarmName": low_name, "AlarmARN": a.arn("cloudwatch", f"alarm:{low_name}")},
            ],
            "CreationTime": iso(old),
        },
    )

    # --- provisioned capacity over time, auto scaling steps -------------------------------------------
    prov = float(math.ceil(demand(a.start) / 0.7 / 50) * 50)
    prov = min(prov, float(cap))
    steps: list[tuple[datetime, float, float]] = []
    capped_at: datetime | None = None
    last_change = a.start
    prov_at: dict[str, float] = {}
    for t in a.minutes():
        if t - last_change >= timedelta(minutes=6) and demand(t) / prov > 0.72 and prov < cap:
            new = min(float(cap), math.ceil(demand(t) / 0.7 / 50) * 50.0)
            steps.append((t, prov, new))
            prov = new
            last_change = t
            if new >= cap and capped_at is None:
                capped_at = t
        prov_at[iso(t)] = prov
    if capped_at is None:
        capped_at = a.start + timedelta(minutes=20)

    # --- metrics ------------------------------------------------------------------------------------
    sdims = {"StreamName": stream_name}
    tdims = {"TableName": table}
    wdims = {"FunctionName": writer}
    for t in a.minutes():
        d = a.jitter(demand(t), 0.02)
        p = prov_at[iso(t)]
        per_min = d * 60
        a.point("AWS/IoT", "PublishIn.Success", {"Protocol": "MQTT"}, t, per_min * 1.04, "Count")
        a.point("AWS/IoT", "Success", {"RuleName": rule, "ActionType": "Kinesis"}, t, per_min, "Count")
        a.point("AWS/Kinesis", "IncomingRecords", sdims, t, per_min, "Count")
        a.point("AWS/Kinesis", "IncomingBytes", sdims, t, per_min * a.jitter(330, 0.02), "Bytes")
        a.point("AWS/Kinesis", "PutRecord.Success", sdims, t, per_min, "Count")
        a.point("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", tdims, t, p, "Count")
        a.point("AWS/DynamoDB", "ProvisionedReadCapacityUnits", tdims, t, cap // 2, "Count")
        a.point(
            "AWS/DynamoDB", "ConsumedReadCapacityUnits", tdims, t, a.jitter(cap * 0.12 * 60, 0.1), "Count"
        )
        over = max(0.0, d - p * 1.0)
        consumed = min(d, p * a.jitter(1.01, 0.01))
        a.point("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdims, t, consumed * 60, "Count")
        mins = (t - onset).total_seconds() / 60
        frac = over / d
        if over > 0:
            a.point("AWS/DynamoDB", "WriteThrottleEvents", tdims, t, over * 60 * a.jitter(1.0, 0.1), "Count")
            a.point(
                "AWS/DynamoDB",
                "ThrottledRequests",
                {"TableName": table, "Operation": "BatchWriteItem"},
                t,
                over * 60 / 25 * a.jitter(1.0, 0.1),
                "Count",
            )
        a.stats(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "BatchWriteItem"},
            t,
            "Milliseconds",
            consumed * 60 / 25,
            consumed * 60 / 25 * a.jitter(7.5, 0.05),
            3.1,
            a.jitter(38, 0.3),
        )
        inv = shards * 2 * a.jitter(28, 0.05)
        fail = inv * min(0.95, frac * 4.5) if over > 0 else (1.0 if r.random() < 0.005 else 0.0)
        a.point("AWS/Lambda", "Invocations", wdims, t, inv, "Count")
        a.point("AWS/Lambda", "Errors", wdims, t, round(fail), "Count")
        avg = 210 if over <= 0 else 210 + min(1, frac * 5) * 9000
        a.stats(
            "AWS/Lambda",
            "Duration",
            wdims,
            t,
            "Milliseconds",
            inv,
            inv * avg,
            45,
            avg * 2.4 if over > 0 else a.jitter(620, 0.2),
        )
        a.point(
            "AWS/Lambda",
            "ConcurrentExecutions",
            wdims,
            t,
            shards * 2 if over > 0 else r.randint(9, 14),
            "Count",
        )
        age = 800.0 if mins < 1 else 800 + mins * 60000 * min(0.9, frac * 4.5) * a.jitter(1, 0.08)
        a.point("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", sdims, t, age, "Milliseconds")
        a.point("AWS/Lambda", "IteratorAge", wdims, t, age * 1.02, "Milliseconds")
        mdims = {"FunctionName": map_api}
        a.point("AWS/Lambda", "Invocations", mdims, t, a.jitter(d * 0.9, 0.05), "Count")
        a.point("AWS/Lambda", "Errors", mdims, t, 1 if r.random() < 0.02 else 0, "Count")
        if t.minute % 15 == 0:
            a.point("AWS/Lambda", "Invocations", {"FunctionName": billing}, t, 1, "Count")
            a.point("AWS/Lambda", "Errors", {"FunctionName": billing}, t, 0, "Count")

    # --- auto scaling history -----------------------------------------------------------------------
    for t, before, new in steps:
        eid = a.uid()
        a.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": eid,
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": res_id,
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {int(new)}.",
                    "Cause": f"monitor alarm {high_name} in state ALARM triggered policy {policy}",
                    "StartTime": iso(t),
                    "EndTime": iso(t + timedelta(seconds=r.randint(40, 120))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {int(new)}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
        slr = a.who_role("AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "ApplicationAutoScaling", t)
        slr["sessionContext"]["sessionIssuer"]["arn"] = a.role_arn(
            "aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
        )
        a.call(
            t + timedelta(seconds=2),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            slr,
            {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": cap // 2, "writeCapacityUnits": int(new)},
            },
            {
                "tableDescription": {
                    "tableName": table,
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "readCapacityUnits": cap // 2,
                        "writeCapacityUnits": int(before),
                        "numberOfDecreasesToday": 0,
                    },
                }
            },
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )

    # --- alarms -------------------------------------------------------------------------------------
    age_thr = 60000.0
    age_at = onset
    for t in a.minutes():
        mins = (t - onset).total_seconds() / 60
        if mins > 0 and 800 + mins * 60000 * min(0.9, (demand(t) - cap) / demand(t) * 4.5) > age_thr:
            age_at = t
            break
    age_fire = age_at + timedelta(minutes=4, seconds=r.randint(5, 50))
    age_reason = (
        f"Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold ({age_thr:.1f}). "
        f"The most recent datapoints which crossed the threshold: [{age_thr * 2.6:.1f} ({age_fire - timedelta(minutes=1):%d/%m/%y %H:%M:00})]."
    )
    age_alarm = a.alarm(
        "scooter-telemetry-iterator-age-high",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        sdims,
        "Maximum",
        60,
        5,
        age_thr,
        "GreaterThanThreshold",
        oncall,
        "ALARM",
        age_fire,
        age_reason,
        "Consumers of scooter-telemetry more than a minute behind. Map positions will be stale.",
    )
    a.transition(age_alarm["AlarmName"], age_fire, "OK", "ALARM", age_reason)
    err_fire = onset + timedelta(minutes=r.randint(5, 9), seconds=r.randint(0, 59))
    err_reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{r.randint(180, 600)}.0 "
        f"({err_fire - timedelta(minutes=5):%d/%m/%y %H:%M:00})] was greater than or equal to the threshold (50.0)."
    )
    err = a.alarm(
        f"{writer}-errors",
        "AWS/Lambda",
        "Errors",
        wdims,
        "Sum",
        300,
        1,
        50,
        "GreaterThanOrEqualToThreshold",
        oncall,
        "ALARM",
        err_fire,
        err_reason,
        missing="notBreaching",
    )
    a.transition(err["AlarmName"], err_fire, "OK", "ALARM", err_reason)
    high_thr = cap * 60 * 0.7
    high_reason = (
        f"Threshold Crossed: 2 datapoints [{cap * 60 * 0.86:.1f} ({capped_at + timedelta(minutes=9):%d/%m/%y %H:%M:00}), "
        f"{cap * 60 * 0.85:.1f} ({capped_at + timedelta(minutes=8):%d/%m/%y %H:%M:00})] were greater than the threshold ({high_thr:.1f})."
    )
    high_since = capped_at + timedelta(minutes=10)
    a.alarm(
        high_name,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdims,
        "Sum",
        60,
        2,
        high_thr,
        "GreaterThanThreshold",
        a.arn("autoscaling", f"scalingPolicy:{a.uid()}:resource/dynamodb/{res_id}:policyName/{policy}"),
        "ALARM",
        high_since,
        high_reason,
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy}.",
    )
    a.alarms[-1]["OKActions"] = []
    for t, _, _ in steps:
        a.transition(
            high_name,
            t - timedelta(minutes=2),
            "OK",
            "ALARM",
            "Threshold Crossed: 2 datapoints were greater than the threshold.",
        )
        if t != capped_at:
            a.transition(
                high_name,
                t + timedelta(minutes=4),
                "ALARM",
                "OK",
                "Threshold Crossed: 2 datapoints were not greater than the threshold.",
            )
    a.transition(high_name, high_since, "OK", "ALARM", high_reason)
    a.alarm(
        low_name,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdims,
        "Sum",
        60,
        15,
        cap * 60 * 0.2,
        "LessThanThreshold",
        a.arn("autoscaling", f"scalingPolicy:{a.uid()}:resource/dynamodb/{res_id}:policyName/{policy}"),
        "OK",
        a.start + timedelta(minutes=3),
        "Threshold Crossed: 15 datapoints were not less than the threshold.",
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy}.",
    )
    a.alarms[-1]["OKActions"] = []
    flap = a.start + timedelta(minutes=r.randint(40, 120))
    api = a.alarm(
        f"{map_api}-duration-p99",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": map_api},
        "Maximum",
        300,
        2,
        2500,
        "GreaterThanThreshold",
        oncall,
        "OK",
        flap + timedelta(minutes=10),
        "Threshold Crossed: 2 datapoints were not greater than the threshold (2500.0).",
    )
    a.transition(
        api["AlarmName"],
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 datapoints were greater than the threshold (2500.0).",
    )
    a.transition(api["AlarmName"], flap + timedelta(minutes=10), "ALARM", "OK", api["StateReason"])

    # --- logs ---------------------------------------------------------------------------------------
    streams = [a.lambda_stream(a.start) for _ in range(3)]
    t = a.start + timedelta(seconds=r.randint(3, 40))
    while t < a.now:
        over = demand(t) > cap
        s = r.choice(streams)
        n = r.randint(700, 1000)
        shard = f"shardId-{r.randint(0, shards - 1):012d}"
        if over and r.random() < 0.8:
            dur = r.uniform(6000, 14000)
            exc = (
                "An error occurred (ProvisionedThroughputExceededException) when calling the BatchWriteItem operation "
                "(reached max retries: 9): The level of configured provisioned throughput for the table was exceeded. "
                "Consider increasing your provisioning level with the UpdateTable API."
            )
            body = [
                (
                    1.0,
                    json.dumps(
                        {
                            "level": "INFO",
                            "location": "handler:41",
                            "message": f"processing {n} records from {shard}",
                            "timestamp": iso(t),
                            "service": writer,
                            "cold_start": False,
                            "function_name": writer,
                            "function_memory_size": "1024",
                            "function_request_id": "{rid}",
                        }
                    )
                    + "\n",
                ),
                (
                    dur - 20,
                    json.dumps(
                        {
                            "level": "ERROR",
                            "location": "write_positions:88",
                            "message": f"batch write failed, {r.randint(20, 400)} items unprocessed after retries",
                            "timestamp": iso(t + timedelta(milliseconds=dur)),
                            "service": writer,
                            "cold_start": False,
                            "function_name": writer,
                            "function_memory_size": "1024",
                            "function_request_id": "{rid}",
                            "exception": f"botocore.errorfactory.ProvisionedThroughputExceededException: {exc}",
                            "exception_name": "ProvisionedThroughputExceededException",
                        }
                    )
                    + "\n",
                ),
                (
                    dur - 5,
                    f'[ERROR] ProvisionedThroughputExceededException: {exc}\nTraceback (most recent call last):\n  File "/var/task/aws_lambda_powertools/logging/logger.py", line 449, in decorate\n    return lambda_handler(event, context, *args, **kwargs)\n  File "/var/task/app.py", line 52, in handler\n    write_positions(rows)\n  File "/var/task/app.py", line 88, in write_positions\n    batch.put_item(Item=row)\n',
                ),
            ]
        else:
            dur = r.uniform(150, 420)
            body = [
                (
                    1.0,
                    json.dumps(
                        {
                            "level": "INFO",
                            "location": "handler:41",
                            "message": f"processing {n} records from {shard}",
                            "timestamp": iso(t),
                            "service": writer,
                            "cold_start": False,
                            "function_name": writer,
                            "function_memory_size": "1024",
                            "function_request_id": "{rid}",
                        }
                    )
                    + "\n",
                ),
                (
                    dur - 3,
                    json.dumps(
                        {
                            "level": "INFO",
                            "location": "handler:57",
                            "message": f"wrote {n} positions",
                            "timestamp": iso(t + timedelta(milliseconds=dur)),
                            "service": writer,
                            "cold_start": False,
                            "function_name": writer,
                            "function_memory_size": "1024",
                            "function_request_id": "{rid}",
                        }
                    )
                    + "\n",
                ),
            ]
        a.invocation(writer, s, t, dur, 1024, r.randint(180, 230), body)
        t += timedelta(seconds=r.randint(90, 200) if not over else r.randint(30, 80))
    bs = a.lambda_stream(a.start)
    t = a.start.replace(minute=0) + timedelta(minutes=15)
    while t < a.now:
        a.invocation(
            billing,
            bs,
            t,
            r.uniform(4000, 9000),
            512,
            r.randint(200, 260),
            [
                (
                    5.0,
                    f"[INFO]\t{iso(t)}\t{{rid}}\taggregated {r.randint(800, 3000)} completed rides into billing window\n",
                )
            ],
        )
        t += timedelta(minutes=15)

    # --- cloudtrail ---------------------------------------------------------------------------------
    gh = a.who_role("github-actions-deploy", f"GitHubActions-{r.randint(10**9, 10**10 - 1)}", billing_deploy)
    a.call(
        billing_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gh,
        {"functionName": billing, "publish": True, "dryRun": False},
        {
            "functionName": billing,
            "functionArn": a.arn("lambda", f"function:{billing}"),
            "runtime": "python3.12",
            "version": str(r.randint(40, 90)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 command/lambda.update-function-code",
    )
    a.call(
        billing_deploy + timedelta(seconds=30),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        gh,
        {"functionName": billing, "name": "live", "functionVersion": str(r.randint(40, 90))},
        None,
    )
    eng = a.who_sso(r.choice(["m.kowalski", "ana.ferreira", "j.dubois"]), onset)
    a.call(
        onset - timedelta(minutes=r.randint(60, 120)),
        "iot.amazonaws.com",
        "UpdateThingGroup",
        eng,
        {
            "thingGroupName": f"fleet-{r.choice(['lyon', 'porto', 'krakow'])}",
            "thingGroupProperties": {"thingGroupDescription": "launch wave 2"},
        },
        {"version": r.randint(3, 9)},
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    )
    a.tooling_noise(
        r.randint(45, 65),
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/DynamoDB"}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("dynamodb.amazonaws.com", "ListTables", None),
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream_name}),
            ("lambda.amazonaws.com", "ListEventSourceMappings20150331", None),
            (
                "application-autoscaling.amazonaws.com",
                "DescribeScalableTargets",
                {"serviceNamespace": "dynamodb"},
            ),
        ],
    )

    local = (onset + timedelta(hours=tz_h, minutes=r.randint(8, 20))).strftime("%H:%M")
    question = (
        f"support is getting tickets since about {local} that scooters show up blocks away from where they "
        "actually are and unlock sometimes fails. is the GPS ingest down?"
    )
    event = a.alarm_event(
        age_alarm,
        age_fire,
        "OK",
        "Threshold Crossed: 5 datapoints were not greater than the threshold (60000.0).",
    )
    return a.bundle(
        TITLE,
        question,
        tz,
        event,
        {
            "no_fault": False,
            "root_cause": {
                "resource": table,
                "category": "limit",
                "failure_mode": "dynamodb-write-autoscaling-at-max-capacity",
            },
            "also_accept": [a.arn("dynamodb", f"table/{table}"), res_id],
            "actions": ["scale"],
            "chain": [table, writer, stream_name, map_api],
        },
    )
