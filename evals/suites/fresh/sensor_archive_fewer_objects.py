"""No fault: the sensor archive bucket gets far fewer objects after an intended Firehose buffering change."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzh import Kit, Rec, diurnal, iso, minutes

NAME = "sensor-archive-fewer-objects"
TITLE = "Sensor archive bucket receiving far fewer files since this morning: is Firehose losing data?"
SUMMARY = (
    "A planned Firehose buffering change (60 s to 300 s) makes the archive write one larger object every five "
    "minutes instead of one a minute; records in equal records out, nothing is lost."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-central-1", "sensor")
    rng = k.rng
    day = k.day()
    change = day + timedelta(hours=rng.randint(6, 8), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = (change - timedelta(hours=1, minutes=rng.randint(5, 40))).replace(second=0)
    now = (change + timedelta(hours=3, minutes=rng.randint(35, 70))).replace(second=0)
    stream = "plant-sensor-stream"
    fh = "plant-sensor-archive"
    bucket = f"plant-sensor-archive-{k.account}"
    created = day - timedelta(days=rng.randint(200, 900))
    topic = k.topic("plant-data-alerts")
    shards = rng.choice([2, 3, 4])
    s = k.kinesis_stream(stream, shards, created, retention=24)
    frole = k.role("plant-sensor-archive-firehose", created, service="firehose.amazonaws.com")
    k.role("archive-compactor-role", created)
    k.role("sensor-alerting-role", created)
    fh_arn = k.arn("firehose", f"deliverystream/{fh}")
    k.resource(
        "firehose",
        "DeliveryStreamDescription",
        {
            "DeliveryStreamName": fh,
            "DeliveryStreamARN": fh_arn,
            "DeliveryStreamStatus": "ACTIVE",
            "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
            "DeliveryStreamType": "KinesisStreamAsSource",
            "VersionId": "7",
            "CreateTimestamp": iso(created),
            "LastUpdateTimestamp": iso(change),
            "Source": {
                "KinesisStreamSourceDescription": {
                    "KinesisStreamARN": s["StreamARN"],
                    "RoleARN": frole["Arn"],
                    "DeliveryStartTimestamp": iso(created + timedelta(minutes=2)),
                }
            },
            "Destinations": [
                {
                    "DestinationId": "destinationId-000000000001",
                    "ExtendedS3DestinationDescription": {
                        "RoleARN": frole["Arn"],
                        "BucketARN": f"arn:aws:s3:::{bucket}",
                        "Prefix": "raw/!{timestamp:yyyy/MM/dd/HH}/",
                        "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
                        "BufferingHints": {"SizeInMBs": 128, "IntervalInSeconds": 300},
                        "CompressionFormat": "GZIP",
                        "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                        "CloudWatchLoggingOptions": {
                            "Enabled": True,
                            "LogGroupName": f"/aws/kinesisfirehose/{fh}",
                            "LogStreamName": "DestinationDelivery",
                        },
                        "S3BackupMode": "Disabled",
                    },
                }
            ],
            "HasMoreDestinations": False,
        },
    )
    k.resource("s3", "Bucket", {"Name": bucket, "CreationDate": iso(created), "BucketRegion": k.region})
    k.function(
        "archive-compactor",
        "archive-compactor-role",
        "python3.12",
        "compact.handler",
        2048,
        900,
        created + timedelta(days=rng.randint(30, 150)),
        {"BUCKET": bucket, "EXPECTED_OBJECTS_PER_HOUR": "50"},
    )
    k.function(
        "sensor-alerting",
        "sensor-alerting-role",
        "python3.12",
        "alerts.handler",
        256,
        30,
        day - timedelta(days=rng.randint(3, 20)),
        {"ALERT_TOPIC": topic},
    )
    k.esm(
        "sensor-alerting",
        s["StreamARN"],
        100,
        created + timedelta(days=7),
        window=1,
        bisect=True,
        retries=5,
        report_failures=True,
    )
    k.log_group(f"/aws/kinesisfirehose/{fh}", created, retention=14)
    k.log_group("/aws/lambda/archive-compactor", created)
    k.log_group("/aws/lambda/sensor-alerting", created)

    # --- metrics ----------------------------------------------------------------------------------
    sensors = rng.randint(3000, 9000)
    rec_bytes = rng.uniform(420, 520)
    pending_recs = 0.0
    pending_bytes = 0.0
    last_flush = start
    for t in minutes(start, now):
        load = diurnal(t, 11, 1, 0.8, 1.0)
        recs = sensors * 6 * load * rng.uniform(0.98, 1.02)  # a reading every 10 s
        b = recs * rec_bytes
        k.metric("AWS/Kinesis", "IncomingRecords", {"StreamName": stream}, t, "Count", recs)
        k.metric("AWS/Kinesis", "IncomingBytes", {"StreamName": stream}, t, "Bytes", b)
        kage = rng.uniform(200, 900)
        k.metric(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            {"StreamName": stream},
            t,
            "Milliseconds",
            stats=(shards * 120, shards * 120 * kage * 0.4, 0.0, kage),
        )
        k.metric(
            "AWS/Firehose", "DataReadFromKinesisStream.Records", {"DeliveryStreamName": fh}, t, "Count", recs
        )
        k.metric("AWS/Firehose", "DataReadFromKinesisStream.Bytes", {"DeliveryStreamName": fh}, t, "Bytes", b)
        k.metric(
            "AWS/Firehose",
            "KinesisMillisBehindLatest",
            {"DeliveryStreamName": fh},
            t,
            "Milliseconds",
            stats=(shards * 12, shards * 12 * 400.0, 0.0, rng.uniform(500, 1600)),
        )
        k.metric("AWS/Firehose", "IncomingRecords", {"DeliveryStreamName": fh}, t, "Count", recs)
        k.metric("AWS/Firehose", "IncomingBytes", {"DeliveryStreamName": fh}, t, "Bytes", b)
        pending_recs += recs
        pending_bytes += b
        interval = 60 if t < change else 300
        if (t - last_flush).total_seconds() >= interval - 1:
            objs = 1
            fresh = rng.uniform(58, 75) if t < change else rng.uniform(295, 335)
            k.metric(
                "AWS/Firehose",
                "DeliveryToS3.Records",
                {"DeliveryStreamName": fh},
                t,
                "Count",
                round(pending_recs),
            )
            k.metric(
                "AWS/Firehose", "DeliveryToS3.Bytes", {"DeliveryStreamName": fh}, t, "Bytes", pending_bytes
            )
            k.metric(
                "AWS/Firehose",
                "DeliveryToS3.Success",
                {"DeliveryStreamName": fh},
                t,
                "Count",
                stats=(objs, objs, 1.0, 1.0),
            )
            k.metric(
                "AWS/Firehose",
                "DeliveryToS3.DataFreshness",
                {"DeliveryStreamName": fh},
                t,
                "Seconds",
                stats=(objs, objs * fresh * 0.8, fresh * 0.5, fresh),
            )
            pending_recs = 0.0
            pending_bytes = 0.0
            last_flush = t
        ainv = shards * 60
        k.metric("AWS/Lambda", "Invocations", {"FunctionName": "sensor-alerting"}, t, "Count", ainv)
        k.metric(
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "sensor-alerting"},
            t,
            "Count",
            float(rng.choice([0, 0, 0, 0, 0, 0, 1])),
        )
        k.metric(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": "sensor-alerting"},
            t,
            "Milliseconds",
            stats=(ainv, ainv * 700.0, 80.0, rng.uniform(900, 2400)),
        )
        k.metric(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": "sensor-alerting"},
            t,
            "Milliseconds",
            stats=(ainv, ainv * 45.0, 8.0, rng.uniform(120, 400)),
        )

    # --- alarms -----------------------------------------------------------------------------------
    freshness = k.alarm(
        f"{fh}-data-freshness",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        {"DeliveryStreamName": fh},
        "Maximum",
        300,
        3,
        900.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (900.0).",
        start - timedelta(days=21),
        topic,
        desc="archive delivery more than 15 minutes behind",
    )
    _ = freshness
    k.alarm(
        f"{fh}-delivery-success",
        "AWS/Firehose",
        "DeliveryToS3.Success",
        {"DeliveryStreamName": fh},
        "Average",
        300,
        2,
        1.0,
        "LessThanThreshold",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints [1.0, 1.0] were not less than the threshold (1.0).",
        start - timedelta(days=21),
        topic,
        missing="notBreaching",
    )
    alerting = k.alarm(
        "sensor-alerting-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "sensor-alerting"},
        "Sum",
        60,
        1,
        0.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
        now - timedelta(minutes=rng.randint(5, 20)),
        topic,
    )
    for _i in range(rng.randint(3, 5)):
        t = start + timedelta(minutes=rng.randint(10, int((now - start).total_seconds() // 60) - 30))
        k.transition(
            alerting,
            t,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 datapoint [1.0] was greater than the threshold (0.0).",
        )
        k.transition(
            alerting,
            t + timedelta(minutes=1),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
        )
    k.alarm(
        f"{stream}-iterator-age",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": stream},
        "Maximum",
        60,
        5,
        120000.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (120000.0).",
        start - timedelta(days=30),
        topic,
    )

    # --- logs -------------------------------------------------------------------------------------
    cs = k.lambda_stream(start)
    hour = start.replace(minute=0) + timedelta(hours=1)
    while hour < now:
        prev = hour - timedelta(hours=1)
        share = min(1.0, max(0.0, (change - prev).total_seconds() / 3600))
        objs = round(60 * share + 12 * (1 - share))
        total = int(sensors * 6 * 60 * rng.uniform(0.9, 0.98))
        st = hour + timedelta(minutes=7, seconds=rng.randint(0, 30))
        body = [f"[INFO]\t{{ts}}\t{{rid}}\tcompacting s3://{bucket}/raw/{prev:%Y/%m/%d/%H}/\n"]
        if objs < 50:
            body.append(
                f"[WARNING]\t{{ts}}\t{{rid}}\tonly {objs} objects under raw/{prev:%Y/%m/%d/%H}/ (expected >= 50)\n"
            )
        body.append(
            f"[INFO]\t{{ts}}\t{{rid}}\tread {objs} objects, {total} records, wrote parquet/{prev:%Y/%m/%d/%H}/part-0000.snappy.parquet\n"
        )
        k.lambda_invocation(
            "archive-compactor", cs, st, body, rng.uniform(40000, 90000), 2048, rng.randint(600, 1100)
        )
        hour += timedelta(hours=1)
    streams = [k.lambda_stream(start - timedelta(minutes=rng.randint(1, 60))) for _ in range(shards)]
    for t in minutes(start, now, 4):
        for i in range(shards):
            st = t + timedelta(seconds=rng.uniform(0, 200))
            body = [
                f"[INFO]\t{{ts}}\t{{rid}}\tevaluated {rng.randint(60, 100)} readings, 0 threshold breaches\n"
            ]
            if rng.random() < 0.04:
                body.append(
                    f"[WARNING]\t{{ts}}\t{{rid}}\tsensor PLT-{rng.randint(100, 999)}-{rng.randint(10, 99)} reported value out of range, reporting item failure\n"
                )
            k.lambda_invocation(
                "sensor-alerting", streams[i], st, body, rng.uniform(20, 90), 256, rng.randint(70, 90)
            )

    # --- CloudTrail -------------------------------------------------------------------------------
    k.tooling_reads(start, now, rng.randint(40, 55))
    eng = k.who_role(
        f"AWSReservedSSO_DataPlatform_{k.hexid(16)}",
        rng.choice(["lena.hoffmann@plantworks.example", "yusuf.demir@plantworks.example"]),
        change,
    )
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
    k.trail_event(
        change - timedelta(minutes=2),
        "firehose.amazonaws.com",
        "DescribeDeliveryStream",
        eng,
        {"deliveryStreamName": fh},
        None,
        read_only=True,
        agent=console,
        ip="192.0.2.77",
    )
    upd: Rec = {
        "deliveryStreamName": fh,
        "currentDeliveryStreamVersionId": "6",
        "destinationId": "destinationId-000000000001",
        "extendedS3DestinationUpdate": {"bufferingHints": {"sizeInMBs": 128, "intervalInSeconds": 300}},
    }
    k.trail_event(
        change - timedelta(seconds=20),
        "firehose.amazonaws.com",
        "UpdateDestination",
        eng,
        upd,
        None,
        agent=console,
        ip="192.0.2.77",
    )
    k.trail_event(
        change + timedelta(minutes=1),
        "firehose.amazonaws.com",
        "DescribeDeliveryStream",
        eng,
        {"deliveryStreamName": fh},
        None,
        read_only=True,
        agent=console,
        ip="192.0.2.77",
    )
    ci = k.who_role("gitlab-deployer", f"gitlab-{rng.randint(10**6, 10**7)}", change)
    dep = change + timedelta(minutes=rng.randint(40, 110))
    k.trail_event(
        dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "sensor-alerting",
            "publish": True,
            "dryRun": False,
            "s3Bucket": f"plant-artifacts-{k.account}",
            "s3Key": f"sensor-alerting/{k.hexid(12)}.zip",
        },
        {
            "functionName": "sensor-alerting",
            "functionArn": k.arn("lambda", "function:sensor-alerting"),
            "runtime": "python3.12",
            "version": str(rng.randint(20, 60)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="Boto3/1.34.120 md/Botocore#1.34.120 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.120",
        ip="35.231.145.151",
    )
    for _i in range(6):
        t = start + timedelta(minutes=rng.randint(0, int((now - start).total_seconds() // 60)))
        k.trail_event(
            t,
            "kinesis.amazonaws.com",
            rng.choice(["ListShards", "DescribeStream"]),
            k.who_role("plant-sensor-archive-firehose", f"{k.hexid(10)}", t),
            {"streamName": stream},
            None,
            read_only=True,
            agent="firehose.amazonaws.com",
            ip="firehose.amazonaws.com",
        )
    k.trail_event(
        start + timedelta(minutes=rng.randint(5, 40)),
        "s3.amazonaws.com",
        "PutBucketTagging",
        k.who_role("terraform-apply", "terraform-apply-" + k.hexid(8), start),
        {"bucketName": bucket, "Host": f"{bucket}.s3.{k.region}.amazonaws.com", "tagging": ""},
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.8 aws-sdk-go-v2/1.32.2",
    )

    local = change.astimezone(ZoneInfo("Europe/Berlin"))
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {
            "question": (
                f"the compaction job keeps warning that the {bucket} raw/ prefix has only a handful of files per hour since "
                f"this morning (normally ~60). started sometime after {local:%-I}am our time. "
                "is firehose dropping data? we need the full dataset for the QA report"
            ),
            "alarm_event": None,
            "timezone": "Europe/Berlin",
        },
        {
            "no_fault": True,
            "root_cause": None,
            "also_accept": [],
            "actions": [],
            "chain": [],
        },
    )
