"""Air-quality readings stop flowing: the enricher's device-registry vendor times out and the batches stall."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzg import Account, diurnal, iso

NAME = "air-quality-readings-gap-after-lunch"
TITLE = "aq-reading-enricher errors alarm; facility managers stopped getting CO2 alerts"
SUMMARY = (
    "The vendor registry the enrichment Lambda calls for device metadata starts timing out; as the "
    "per-container cache expires every batch hits the 30 s timeout, the shard consumers stall and "
    "readings and threshold alerts stop."
)

ZONES = ["America/Chicago", "America/New_York", "America/Denver"]
VENDOR = "registry.sensorlink.io"


def build(seed: int) -> Bundle:
    a = Account(seed, NAME, hours_before=3.5 + (seed % 4) * 0.25, minutes_after=38 + seed % 10)
    r = a.rng
    a.region = r.choice(["us-east-1", "us-east-2", "us-west-2"])
    tz = r.choice(ZONES)
    onset_local = 12.5 + r.uniform(0, 1.5)
    off = ZoneInfo(tz).utcoffset(a.day)
    tz_h = off.total_seconds() / 3600 if off else 0.0
    onset = a.day + timedelta(hours=onset_local - tz_h)
    a.set_onset(onset)
    onset = a.onset

    sensors = r.randint(4000, 8000)
    stream_name = "aq-telemetry"
    rule = "aq_sensor_readings"
    enricher = "aq-reading-enricher"
    dispatcher = "aq-alert-dispatcher"
    db, ts_table = "building_telemetry", "air_quality"
    old = a.start - timedelta(days=r.randint(150, 600))
    shards = 2
    timeout_s = 30

    stream_arn = a.stream(stream_name, shards, old)
    oncall = a.topic("iot-platform-alarms", "IoT platform alarms")
    alerts = a.topic("aq-threshold-alerts", "Air quality alerts")
    a.res(
        "iot",
        "TopicRule",
        {
            "ruleName": rule,
            "sql": "SELECT *, topic(3) AS device_id FROM 'buildings/+/aq/+/reading'",
            "description": "Sensor readings to the aq-telemetry stream",
            "createdAt": iso(old),
            "actions": [
                {
                    "kinesis": {
                        "roleArn": a.role_arn("iot-aq-ingest"),
                        "streamName": stream_name,
                        "partitionKey": "${topic(4)}",
                    }
                }
            ],
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
        },
    )
    a.role("iot-aq-ingest", "iot.amazonaws.com", old)
    a.role(f"{enricher}-role", "lambda.amazonaws.com", old)
    a.attached(f"{enricher}-role", "AWSLambdaKinesisExecutionRole")
    a.inline(
        f"{enricher}-role",
        "timestream-sns",
        [
            {
                "Effect": "Allow",
                "Action": ["timestream:WriteRecords"],
                "Resource": a.arn("timestream", f"database/{db}/table/{ts_table}"),
            },
            {"Effect": "Allow", "Action": ["timestream:DescribeEndpoints"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": alerts},
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": a.arn("secretsmanager", "secret:sensorlink/api-key-AbC12x"),
            },
        ],
    )
    a.function(
        enricher,
        "python3.11",
        "enricher.handler",
        512,
        timeout_s,
        f"{enricher}-role",
        old + timedelta(days=r.randint(60, 140)),
        {
            "REGISTRY_URL": f"https://{VENDOR}/v3",
            "REGISTRY_SECRET_ID": "sensorlink/api-key",
            "REGISTRY_TIMEOUT_S": "5",
            "REGISTRY_RETRIES": "3",
            "METADATA_CACHE_TTL_S": "900",
            "TS_DATABASE": db,
            "TS_TABLE": ts_table,
            "ALERT_TOPIC_ARN": alerts,
            "POWERTOOLS_SERVICE_NAME": enricher,
            "POWERTOOLS_METRICS_NAMESPACE": "AirQuality/Ingest",
        },
    )
    esm_change = onset - timedelta(minutes=r.randint(40, 70))
    a.mapping(enricher, stream_arn, 100, esm_change, {"MaximumBatchingWindowInSeconds": 5})
    disp_change = onset - timedelta(minutes=r.randint(12, 25))
    a.function(
        dispatcher,
        "python3.11",
        "dispatch.handler",
        512,
        15,
        f"{dispatcher}-role",
        disp_change,
        {"TEMPLATE_BUCKET": "aq-notification-templates"},
    )
    a.res(
        "timestream-write",
        "Database",
        {
            "Arn": a.arn("timestream", f"database/{db}"),
            "DatabaseName": db,
            "TableCount": 2,
            "KmsKeyId": a.arn("kms", f"key/{a.uid()}"),
            "CreationTime": iso(old),
            "LastUpdatedTime": iso(old),
        },
    )
    a.res(
        "timestream-write",
        "Table",
        {
            "Arn": a.arn("timestream", f"database/{db}/table/{ts_table}"),
            "TableName": ts_table,
            "DatabaseName": db,
            "TableStatus": "ACTIVE",
            "RetentionProperties": {
                "MemoryStoreRetentionPeriodInHours": 72,
                "MagneticStoreRetentionPeriodInDays": 730,
            },
            "CreationTime": iso(old),
            "LastUpdatedTime": iso(old),
        },
    )
    a.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": a.arn("secretsmanager", "secret:sensorlink/api-key-AbC12x"),
            "Name": "sensorlink/api-key",
            "Description": "SensorLink registry API key (vendor portal: ops@)",
            "LastChangedDate": iso(old + timedelta(days=90)),
            "LastAccessedDate": iso(a.day),
            "CreatedDate": iso(old),
            "SecretVersionsToStages": {a.uid(): ["AWSCURRENT"]},
        },
    )
    for g in (f"/aws/lambda/{enricher}", f"/aws/lambda/{dispatcher}"):
        a.log_group(g, 30)

    # --- how bad it gets ------------------------------------------------------------------------------
    def failing(t: datetime) -> float:
        """Share of batches that hit a cold registry entry: the 15-minute cache drains after the onset."""
        if t < onset:
            return 0.0
        return min(0.97, (t - onset).total_seconds() / 900 * 1.1)

    # --- metrics ------------------------------------------------------------------------------------
    sdims = {"StreamName": stream_name}
    fdims = {"FunctionName": enricher}
    age = 0.0
    for t in a.minutes():
        per_min = sensors * a.jitter(diurnal(t, tz_h, 13, 0.97, 1.0), 0.01)
        a.point("AWS/IoT", "PublishIn.Success", {"Protocol": "MQTT"}, t, per_min + r.randint(5, 30), "Count")
        a.point("AWS/IoT", "Success", {"RuleName": rule, "ActionType": "Kinesis"}, t, per_min, "Count")
        a.point("AWS/Kinesis", "IncomingRecords", sdims, t, per_min, "Count")
        a.point("AWS/Kinesis", "IncomingBytes", sdims, t, per_min * a.jitter(260, 0.02), "Bytes")
        f = failing(t)
        needed = per_min / 100
        if f < 0.02:
            inv = needed * a.jitter(1, 0.03)
            errs = 0.0
            avg = a.jitter(340, 0.1)
            hi = a.jitter(1900, 0.3)
            age = a.jitter(1500, 0.4)
        else:
            # Two shard pollers; a failing batch holds one for the whole timeout, then is retried.
            slow = f * timeout_s * 1000 + (1 - f) * 4000
            inv = min(needed, shards * 60000 / slow) * a.jitter(1, 0.05)
            errs = inv * f
            avg = slow
            hi = timeout_s * 1000 + a.jitter(30, 0.5)
            age += 60000 * max(0.0, 1 - inv / needed)
        a.point("AWS/Lambda", "Invocations", fdims, t, inv, "Count")
        a.point("AWS/Lambda", "Errors", fdims, t, round(errs), "Count")
        a.stats("AWS/Lambda", "Duration", fdims, t, "Milliseconds", inv, inv * avg, 120, hi)
        a.point("AWS/Lambda", "IteratorAge", fdims, t, age, "Milliseconds")
        a.point("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", sdims, t, age, "Milliseconds")
        a.point(
            "AWS/Lambda", "ConcurrentExecutions", fdims, t, 2 if f > 0.02 else r.choice([1, 1, 2]), "Count"
        )
        done = inv * 100 * (1 - f)
        wr = max(1.0, done / 100)
        a.stats(
            "AWS/Timestream",
            "SuccessfulRequestLatency",
            {"Operation": "WriteRecords", "DatabaseName": db, "TableName": ts_table},
            t,
            "Milliseconds",
            wr,
            wr * a.jitter(28, 0.1),
            9,
            a.jitter(140, 0.3),
        )
        emf = {"service": enricher}
        lookups = inv * (a.jitter(2.5, 0.3) if f < 0.02 else 1 + f * 5)
        a.stats(
            "AirQuality/Ingest",
            "RegistryLookupLatency",
            emf,
            t,
            "Milliseconds",
            lookups,
            lookups * (a.jitter(85, 0.2) if f < 0.02 else 5000),
            31,
            5000 if f >= 0.02 else a.jitter(640, 0.3),
        )
        a.point(
            "AirQuality/Ingest",
            "RegistryLookupFailed",
            emf,
            t,
            lookups * f if f >= 0.02 else (1 if r.random() < 0.01 else 0),
            "Count",
        )
        a.point("AirQuality/Ingest", "ReadingsWritten", emf, t, done, "Count")
        if t.minute % 5 == 0:
            n = r.randint(1, 6) if f < 0.3 else 0
            if n:
                a.point(
                    "AWS/SNS",
                    "NumberOfMessagesPublished",
                    {"TopicName": "aq-threshold-alerts"},
                    t,
                    n,
                    "Count",
                )
                a.point(
                    "AWS/SNS",
                    "NumberOfNotificationsDelivered",
                    {"TopicName": "aq-threshold-alerts"},
                    t,
                    n * 3,
                    "Count",
                )
                a.point("AWS/Lambda", "Invocations", {"FunctionName": dispatcher}, t, n, "Count")
                a.point("AWS/Lambda", "Errors", {"FunctionName": dispatcher}, t, 0, "Count")

    # --- alarms -------------------------------------------------------------------------------------
    err_fire = onset + timedelta(minutes=r.randint(7, 10), seconds=r.randint(0, 59))
    err_reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{r.randint(12, 30)}.0 "
        f"({err_fire - timedelta(minutes=5):%d/%m/%y %H:%M:00})] was greater than or equal to the threshold (10.0) "
        "(minimum 1 datapoint for OK -> ALARM transition)."
    )
    err = a.alarm(
        f"{enricher}-errors",
        "AWS/Lambda",
        "Errors",
        fdims,
        "Sum",
        300,
        1,
        10,
        "GreaterThanOrEqualToThreshold",
        oncall,
        "ALARM",
        err_fire,
        err_reason,
        "Enricher failing batches. Readings and alerts will be delayed.",
        missing="notBreaching",
    )
    a.transition(err["AlarmName"], err_fire, "OK", "ALARM", err_reason)
    age_fire = onset + timedelta(minutes=r.randint(17, 22), seconds=r.randint(0, 59))
    age_reason = (
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (300000.0)."
    )
    a.alarm(
        "aq-telemetry-iterator-age",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        sdims,
        "Maximum",
        60,
        3,
        300000,
        "GreaterThanThreshold",
        oncall,
        "ALARM",
        age_fire,
        age_reason,
    )
    a.transition("aq-telemetry-iterator-age", age_fire, "OK", "ALARM", age_reason)
    a.alarm(
        "aq-telemetry-incoming-low",
        "AWS/Kinesis",
        "IncomingRecords",
        sdims,
        "Sum",
        300,
        2,
        sensors * 5 * 0.6,
        "LessThanThreshold",
        oncall,
        "OK",
        a.start - timedelta(days=r.randint(3, 20)),
        "Threshold Crossed: 2 datapoints were not less than the threshold.",
        missing="breaching",
    )
    flap = a.start + timedelta(minutes=r.randint(20, 90))
    d_alarm = a.alarm(
        f"{dispatcher}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": dispatcher},
        "Sum",
        300,
        1,
        1,
        "GreaterThanOrEqualToThreshold",
        oncall,
        "OK",
        flap + timedelta(minutes=5),
        "Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (1.0).",
        missing="notBreaching",
    )
    a.transition(
        d_alarm["AlarmName"],
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [1.0] was greater than or equal to the threshold (1.0).",
    )
    a.transition(d_alarm["AlarmName"], flap + timedelta(minutes=5), "ALARM", "OK", d_alarm["StateReason"])

    # --- logs ---------------------------------------------------------------------------------------
    group = f"/aws/lambda/{enricher}"
    streams = [a.lambda_stream(a.start), a.lambda_stream(a.start)]
    t = a.start + timedelta(seconds=r.randint(2, 30))
    while t < a.now:
        f = failing(t)
        s = r.choice(streams)
        rid = a.uid()
        a.log(group, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        dev = f"aq-{a.hexid(6).upper()}"
        if r.random() < f:
            for attempt in (1, 2, 3):
                at = t + timedelta(seconds=5.1 * attempt)
                if at > t + timedelta(seconds=timeout_s) or r.random() < 0.3:
                    msg = (
                        f"[WARNING]\t{at.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tregistry lookup failed for {dev} "
                        f"(attempt {attempt}/3): 503 Server Error: Service Unavailable for url: https://{VENDOR}/v3/devices/{dev}\n"
                    )
                else:
                    msg = (
                        f"[WARNING]\t{at.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tregistry lookup failed for {dev} "
                        f"(attempt {attempt}/3): HTTPSConnectionPool(host='{VENDOR}', port=443): Read timed out. (read timeout=5)\n"
                    )
                a.log(group, s, at, msg)
            dev2 = f"aq-{a.hexid(6).upper()}"
            a.log(
                group,
                s,
                t + timedelta(seconds=16.5),
                f"[WARNING]\t{(t + timedelta(seconds=16.5)).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tregistry lookup failed for {dev2} (attempt 1/3): HTTPSConnectionPool(host='{VENDOR}', port=443): Read timed out. (read timeout=5)\n",
            )
            end = t + timedelta(seconds=timeout_s, milliseconds=r.randint(10, 60))
            a.log(
                group,
                s,
                end,
                f"{end.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {rid} Task timed out after {timeout_s}.0{r.randint(1, 6)} seconds\n\n",
            )
            a.log(group, s, end, f"END RequestId: {rid}\n")
            a.log(
                group,
                s,
                end,
                f"REPORT RequestId: {rid}\tDuration: {timeout_s * 1000}.00 ms\tBilled Duration: {timeout_s * 1000} ms\tMemory Size: 512 MB\tMax Memory Used: {r.randint(140, 170)} MB\tStatus: timeout\n",
            )
            t = end + timedelta(seconds=r.randint(1, 20))
            continue
        dur = r.uniform(180, 900)
        hits = r.randint(93, 100)
        a.log(
            group,
            s,
            t + timedelta(milliseconds=3),
            f"[INFO]\t{iso(t)}\t{rid}\tbatch size=100 cache_hits={hits} registry_calls={100 - hits}\n",
        )
        a.log(
            group,
            s,
            t + timedelta(milliseconds=dur - 4),
            json.dumps(
                {
                    "_aws": {
                        "Timestamp": int(t.timestamp() * 1000),
                        "CloudWatchMetrics": [
                            {
                                "Namespace": "AirQuality/Ingest",
                                "Dimensions": [["service"]],
                                "Metrics": [
                                    {"Name": "ReadingsWritten", "Unit": "Count"},
                                    {"Name": "RegistryLookupLatency", "Unit": "Milliseconds"},
                                ],
                            }
                        ],
                    },
                    "service": enricher,
                    "ReadingsWritten": [100.0],
                    "RegistryLookupLatency": [round(r.uniform(40, 160), 1) for _ in range(100 - hits)]
                    or [0.0],
                }
            )
            + "\n",
        )
        end = t + timedelta(milliseconds=dur)
        a.log(group, s, end, f"END RequestId: {rid}\n")
        a.log(
            group,
            s,
            end,
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {r.randint(130, 160)} MB\t\n",
        )
        t += timedelta(seconds=r.randint(150, 300))

    # --- cloudtrail ---------------------------------------------------------------------------------
    eng = a.who_sso(r.choice(["priya.nair", "tom.becker", "l.ortiz"]), esm_change)
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
    a.call(
        esm_change,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        eng,
        {
            "uUID": a.resources[[x["type"] for x in a.resources].index("EventSourceMappingConfiguration")][
                "item"
            ]["UUID"],
            "maximumBatchingWindowInSeconds": 5,
        },
        {
            "uUID": a.resources[[x["type"] for x in a.resources].index("EventSourceMappingConfiguration")][
                "item"
            ]["UUID"],
            "batchSize": 100,
            "maximumBatchingWindowInSeconds": 5,
            "eventSourceArn": stream_arn,
            "functionArn": a.arn("lambda", f"function:{enricher}"),
            "state": "Updating",
        },
        agent=console,
    )
    ci = a.who_role("gitlab-deployer", f"gitlab-{r.randint(10**6, 10**7)}", disp_change)
    a.call(
        disp_change,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        ci,
        {"functionName": dispatcher, "memorySize": 512},
        {
            "functionName": dispatcher,
            "functionArn": a.arn("lambda", f"function:{dispatcher}"),
            "runtime": "python3.11",
            "memorySize": 512,
            "timeout": 15,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent="Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.8 cfg/retry-mode#legacy Botocore/1.34.51",
    )
    t = a.start + timedelta(minutes=r.randint(1, 10))
    lam = a.who_role(f"{enricher}-role", enricher, t)
    while t < a.now:
        # Each new execution environment fetches the vendor key once.
        a.call(
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            a.who_role(f"{enricher}-role", enricher, t) if r.random() < 0.5 else lam,
            {"secretId": "sensorlink/api-key"},
            None,
            read_only=True,
            agent="Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.216 md/arch#x86_64 lang/python#3.11.9 exec-env/AWS_Lambda_python3.11",
        )
        t += timedelta(minutes=r.randint(25, 70))
    a.tooling_noise(
        r.randint(35, 50),
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream_name}),
            ("timestream.amazonaws.com", "DescribeEndpoints", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("iot.amazonaws.com", "ListTopicRules", None),
            ("sns.amazonaws.com", "ListSubscriptionsByTopic", {"topicArn": alerts}),
        ],
    )
    local = (onset + timedelta(hours=tz_h, minutes=r.randint(10, 25))).strftime("%-I:%M pm")
    question = (
        f"Facilities says nobody has gotten a CO2 alert since around {local} and the air quality graphs in the "
        "portal are flat-lining for all buildings. Did the sensors drop off or is it our side?"
    )
    event = a.alarm_event(
        err,
        err_fire,
        "OK",
        "Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (10.0).",
    )
    return a.bundle(
        TITLE,
        question,
        tz,
        event,
        {
            "no_fault": False,
            "root_cause": {
                "resource": VENDOR,
                "category": "dependency_failure",
                "failure_mode": "third-party-registry-api-timeouts",
            },
            "also_accept": [f"https://{VENDOR}/v3", "sensorlink", "SensorLink registry"],
            "actions": ["reconfigure"],
            "chain": [VENDOR, enricher, stream_name, ts_table, "aq-threshold-alerts"],
        },
    )
