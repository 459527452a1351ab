"""Web events stop reaching an analytics vendor: the vendor's Firehose intake endpoint answers 503."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle

from ._kit_zzv import Ctx, clock, iso, ms

NAME = "web-events-vendor-intake-503"
TITLE = "No new web events in the product analytics dashboards since mid-morning"
SUMMARY = (
    "The analytics vendor's HTTP intake behind a Firehose HTTP-endpoint destination started answering 503 and "
    "timing out; Firehose retries, then writes everything to the S3 backup bucket."
)

HOST = "firehose-intake.eu.segmetrics.io"


def build(seed: int) -> Bundle:
    c = Ctx(seed, "web-events-vendor")
    r = c.rng
    onset = c.day + timedelta(hours=r.randint(7, 9), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(12, 50))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(45, 70))).replace(second=0)
    old = c.day - timedelta(days=r.randint(150, 500))
    rotate_t = onset - timedelta(hours=2, minutes=r.randint(0, 40))
    fh_name = "web-events-to-segmetrics"
    arch_name = "web-events-archive"
    backup = f"web-events-firehose-backup-{c.account}"
    lake = f"web-events-lake-{c.account}"
    coll = "web-events-collector"
    url = f"https://{HOST}/v1/aws/firehose"
    rate = r.uniform(9000, 16000)  # events a minute at mid-morning

    topic = c.topic("growth-data-alerts")
    role_fh = c.role("KinesisFirehoseServiceRole-web-events", "firehose.amazonaws.com", old)
    role_coll = c.role(f"{coll}-role", "lambda.amazonaws.com", old)
    c.bucket(backup, old)
    c.bucket(lake, old)
    c.firehose_s3(arch_name, old, lake, role_fh, "events/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/")
    fh_arn = c.arn("firehose", f"deliverystream/{fh_name}")
    version = r.randint(5, 12)
    c.res(
        "firehose",
        "DeliveryStreamDescription",
        {
            "DeliveryStreamName": fh_name,
            "DeliveryStreamARN": fh_arn,
            "DeliveryStreamStatus": "ACTIVE",
            "DeliveryStreamType": "DirectPut",
            "VersionId": str(version),
            "CreateTimestamp": iso(old),
            "LastUpdateTimestamp": iso(rotate_t),
            "Destinations": [
                {
                    "DestinationId": "destinationId-000000000001",
                    "HttpEndpointDestinationDescription": {
                        "EndpointConfiguration": {"Url": url, "Name": "Segmetrics"},
                        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
                        "CloudWatchLoggingOptions": {
                            "Enabled": True,
                            "LogGroupName": f"/aws/kinesisfirehose/{fh_name}",
                            "LogStreamName": "DestinationDelivery",
                        },
                        "RequestConfiguration": {
                            "ContentEncoding": "GZIP",
                            "CommonAttributes": [
                                {"AttributeName": "source", "AttributeValue": "aws-firehose-web"}
                            ],
                        },
                        "RoleARN": role_fh,
                        "RetryOptions": {"DurationInSeconds": 300},
                        "S3BackupMode": "FailedDataOnly",
                        "S3DestinationDescription": {
                            "RoleARN": role_fh,
                            "BucketARN": f"arn:aws:s3:::{backup}",
                            "Prefix": "segmetrics-failed/",
                            "ErrorOutputPrefix": "segmetrics-errors/",
                            "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
                            "CompressionFormat": "GZIP",
                            "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                            "CloudWatchLoggingOptions": {
                                "Enabled": True,
                                "LogGroupName": f"/aws/kinesisfirehose/{fh_name}",
                                "LogStreamName": "BackupDelivery",
                            },
                        },
                    },
                }
            ],
            "HasMoreDestinations": False,
        },
    )
    c.function(
        coll,
        role_coll,
        "nodejs20.x",
        "index.handler",
        timeout=10,
        memory=512,
        modified=c.day - timedelta(days=r.randint(5, 30)),
        env={"ANALYTICS_STREAM": fh_name, "ARCHIVE_STREAM": arch_name},
        description="Function URL receiving browser beacons",
    )
    c.log_group(f"/aws/lambda/{coll}", old, 14)
    c.log_group(f"/aws/kinesisfirehose/{fh_name}", old, 30)
    c.log_group(f"/aws/kinesisfirehose/{arch_name}", old, 30)

    # ---- metrics ----------------------------------------------------------------------------------
    minutes: list[datetime] = []
    t = start
    while t < now:
        minutes.append(t)
        t += timedelta(minutes=1)
    level = {
        iso(m): rate * (0.55 + 0.45 * min(1.0, (m - start).total_seconds() / 12000)) * r.uniform(0.93, 1.07)
        for m in minutes
    }
    recover = {iso(m): r.random() < 0.04 for m in minutes}  # the odd request still gets through

    def incoming(t: datetime) -> float:
        return level[iso(t)]

    def http_ok(t: datetime) -> float:
        if t < onset:
            return 1.0
        return 0.25 if recover[iso(t)] else 0.0

    d = {"DeliveryStreamName": fh_name}
    a = {"DeliveryStreamName": arch_name}
    for dims in (d, a):
        c.series("AWS/Firehose", "IncomingRecords", dims, "Count", start, now, incoming)
        c.series(
            "AWS/Firehose",
            "IncomingBytes",
            dims,
            "Bytes",
            start,
            now,
            lambda t: incoming(t) * r.uniform(820, 900),
        )
        c.series(
            "AWS/Firehose",
            "IncomingPutRequests",
            dims,
            "Count",
            start,
            now,
            lambda t: incoming(t) / r.uniform(90, 110),
        )
        c.series("AWS/Firehose", "ThrottledRecords", dims, "Count", start, now, lambda t: 0.0)
    c.series("AWS/Firehose", "DeliveryToHttpEndpoint.Success", d, "None", start, now, http_ok, stat=False)
    c.series(
        "AWS/Firehose",
        "DeliveryToHttpEndpoint.Records",
        d,
        "Count",
        start,
        now,
        lambda t: incoming(t) * (1.0 if t < onset else (0.2 if recover[iso(t)] else 0.0)),
    )
    c.series(
        "AWS/Firehose",
        "DeliveryToHttpEndpoint.Bytes",
        d,
        "Bytes",
        start,
        now,
        lambda t: incoming(t) * 860 * (1.0 if t < onset else (0.2 if recover[iso(t)] else 0.0)),
    )
    c.series(
        "AWS/Firehose",
        "DeliveryToHttpEndpoint.ProcessedRecords",
        d,
        "Count",
        start,
        now,
        lambda t: incoming(t) * (1.0 if t < onset else (0.2 if recover[iso(t)] else 0.0)),
    )

    def freshness(t: datetime) -> float:
        if t < onset:
            return r.uniform(55, 75)
        age = (t - onset).total_seconds() + 60
        return min(age, 300 + r.uniform(60, 140))

    c.series("AWS/Firehose", "DeliveryToHttpEndpoint.DataFreshness", d, "Seconds", start, now, freshness)

    def backup_ok(t: datetime) -> float | None:
        if t < onset + timedelta(minutes=6):
            return None
        return 1.0 if t.minute % 5 == 0 else None

    c.series("AWS/Firehose", "DeliveryToS3.Success", d, "None", start, now, backup_ok)
    c.series(
        "AWS/Firehose",
        "DeliveryToS3.Records",
        d,
        "Count",
        start,
        now,
        lambda t: None if backup_ok(t) is None else incoming(t) * 5 * r.uniform(0.95, 1.05),
    )
    c.series(
        "AWS/Firehose",
        "DeliveryToS3.Success",
        a,
        "None",
        start,
        now,
        lambda t: 1.0 if t.minute % 5 == 2 else None,
    )
    c.series(
        "AWS/Firehose", "DeliveryToS3.DataFreshness", a, "Seconds", start, now, lambda t: r.uniform(240, 320)
    )
    ldim = {"FunctionName": coll}
    c.series("AWS/Lambda", "Invocations", ldim, "Count", start, now, lambda t: incoming(t) / r.uniform(9, 11))
    c.series("AWS/Lambda", "Errors", ldim, "Count", start, now, lambda t: float(r.choice([0] * 25 + [1, 2])))
    c.series(
        "AWS/Lambda", "Duration", ldim, "Milliseconds", start, now, lambda t: r.uniform(18, 34), stat=True
    )
    c.series(
        "AWS/Lambda", "ConcurrentExecutions", ldim, "Count", start, now, lambda t: float(r.randint(2, 7))
    )

    # ---- logs -------------------------------------------------------------------------------------
    group = f"/aws/kinesisfirehose/{fh_name}"
    t = onset + timedelta(seconds=r.randint(20, 70))
    while t < now:
        kind = r.random()
        if kind < 0.7:
            code = "HttpEndpoint.InvalidResponseFromDestination"
            msg = (
                "The response received from the endpoint is invalid. See Troubleshooting HTTP Endpoints in the "
                "Firehose documentation for more information. Reason: . Response for request "
                f"'{c.uid()}' is not recognized as valid JSON or has unexpected fields. Raw response "
                "received: 503 Service Unavailable"
            )
        elif kind < 0.92:
            code = "HttpEndpoint.RequestTimeout"
            msg = (
                "The delivery timed out before a response was received and will be retried. If this error "
                "persists, contact the AWS Firehose service team."
            )
        else:
            code = "HttpEndpoint.DestinationException"
            msg = (
                "The following response was received from the endpoint destination. 502: "
                '{"error":"upstream connect error or disconnect/reset before headers"}'
            )
        c.logs.append(
            {
                "log_group": group,
                "log_stream": "DestinationDelivery",
                "timestamp": ms(t),
                "message": json.dumps(
                    {
                        "deliveryStreamARN": fh_arn,
                        "destination": HOST,
                        "deliveryStreamVersionId": version,
                        "message": msg,
                        "errorCode": code,
                    },
                    separators=(",", ":"),
                ),
            }
        )
        t += timedelta(seconds=r.randint(8, 40))
    # before the onset: the odd transient failure a healthy vendor gives too
    for _ in range(r.randint(2, 4)):
        bt = start + timedelta(seconds=r.randint(0, int((onset - start).total_seconds()) - 600))
        c.logs.append(
            {
                "log_group": group,
                "log_stream": "DestinationDelivery",
                "timestamp": ms(bt),
                "message": json.dumps(
                    {
                        "deliveryStreamARN": fh_arn,
                        "destination": HOST,
                        "deliveryStreamVersionId": version,
                        "message": "The delivery timed out before a response was received and will be retried. "
                        "If this error persists, contact the AWS Firehose service team.",
                        "errorCode": "HttpEndpoint.RequestTimeout",
                    },
                    separators=(",", ":"),
                ),
            }
        )
    for _ in range(r.randint(10, 16)):
        lt = start + timedelta(seconds=r.randint(0, int((now - start).total_seconds()) - 30))
        c.lambda_invocation_logs(
            coll,
            f"{lt.strftime('%Y/%m/%d')}/[$LATEST]{c.hexid(32)}",
            lt,
            r.uniform(15, 40),
            512,
            r.randint(80, 96),
            [f"{iso(lt)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tINFO\tforwarded {r.randint(1, 40)} beacons\n"],
        )

    # ---- CloudTrail -------------------------------------------------------------------------------
    dev = c.role_identity("AWSReservedSSO_DataPlatformAdmin_91aa0c", "jonas.berg@corp", sso=True)
    ci = c.role_identity("github-actions-web-deploy", "GitHubActions")
    c.ct(
        rotate_t,
        "firehose.amazonaws.com",
        "UpdateDestination",
        dev,
        {
            "deliveryStreamName": fh_name,
            "currentDeliveryStreamVersionId": str(version - 1),
            "destinationId": "destinationId-000000000001",
            "httpEndpointDestinationUpdate": {
                "endpointConfiguration": {
                    "url": url,
                    "name": "Segmetrics",
                    "accessKey": "HIDDEN_DUE_TO_SECURITY_REASONS",
                }
            },
        },
        None,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    c.ct(
        rotate_t - timedelta(minutes=3),
        "firehose.amazonaws.com",
        "DescribeDeliveryStream",
        dev,
        {"deliveryStreamName": fh_name},
        None,
        read_only=True,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    deploy_t = onset - timedelta(minutes=r.randint(12, 30))
    c.ct(
        deploy_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": coll,
            "publish": False,
            "dryRun": False,
            "zipFile": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {
            "functionName": coll,
            "functionArn": c.arn("lambda", f"function:{coll}"),
            "runtime": "nodejs20.x",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
        ip="4.227.10.88",
    )
    c.ct(
        start + timedelta(minutes=r.randint(5, 60)),
        "glue.amazonaws.com",
        "StartCrawler",
        c.role_identity("airflow-scheduler", "airflow"),
        {"name": "web_events_lake_crawler"},
        None,
        agent="Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.210 lang/python#3.11.8 Botocore/1.34.11",
        ip="10.20.4.17",
    )
    for _ in range(r.randint(6, 10)):
        qt = start + timedelta(seconds=r.randint(0, int((now - start).total_seconds())))
        qid = c.uid()
        who = c.role_identity("airflow-scheduler", "airflow")
        c.ct(
            qt,
            "athena.amazonaws.com",
            "StartQueryExecution",
            who,
            {"queryString": "INSERT INTO web.daily_sessions SELECT ... ***OMITTED***", "workGroup": "etl"},
            {"queryExecutionId": qid},
            agent="Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 Botocore/1.34.11",
            ip="10.20.4.17",
        )
    c.readonly_noise(
        start,
        now,
        [
            ("firehose.amazonaws.com", "DescribeDeliveryStream", {"deliveryStreamName": fh_name}),
            ("firehose.amazonaws.com", "DescribeDeliveryStream", {"deliveryStreamName": arch_name}),
            ("firehose.amazonaws.com", "ListDeliveryStreams", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("s3.amazonaws.com", "GetBucketLocation", {"bucketName": backup}),
            ("glue.amazonaws.com", "GetCrawler", {"name": "web_events_lake_crawler"}),
        ],
        r.randint(35, 55),
    )

    # ---- alarms -----------------------------------------------------------------------------------
    al_t = onset + timedelta(minutes=r.randint(7, 9), seconds=r.randint(5, 55))
    pts = [min(300.0, (al_t - onset).total_seconds() - 60 * k) for k in (3, 2, 1)]
    fresh_alarm = c.alarm(
        "segmetrics-delivery-freshness",
        "AWS/Firehose",
        "DeliveryToHttpEndpoint.DataFreshness",
        d,
        "Maximum",
        60,
        3,
        240.0,
        "GreaterThanThreshold",
        topic,
        description="Events older than 4 minutes waiting for Segmetrics",
        transitions=[
            (
                al_t,
                "ALARM",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{pts[-1]} "
                f"({(al_t - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:00')}), {pts[-2]} "
                f"({(al_t - timedelta(minutes=2)).strftime('%d/%m/%y %H:%M:00')})] were greater than the threshold "
                "(240.0) (minimum 3 datapoints for OK -> ALARM transition).",
                [round(p, 1) for p in pts],
            )
        ],
        created=old,
    )
    c.alarm(
        "web-events-archive-freshness",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        a,
        "Maximum",
        300,
        2,
        900.0,
        "GreaterThanThreshold",
        topic,
        created=old,
    )
    flaps: list[tuple[datetime, str, str, list[float]]] = []
    for _ in range(r.randint(1, 3)):
        ft = start + timedelta(minutes=r.randint(5, 200), seconds=r.randint(0, 59))
        flaps += [
            (
                ft,
                "ALARM",
                "Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (2.0).",
                [3.0],
            ),
            (
                ft + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (2.0).",
                [0.0],
            ),
        ]
    flaps.sort(key=lambda x: x[0])
    c.alarm(
        f"{coll}-errors",
        "AWS/Lambda",
        "Errors",
        ldim,
        "Sum",
        300,
        1,
        2.0,
        "GreaterThanThreshold",
        topic,
        missing="notBreaching",
        transitions=flaps,
        created=old,
    )
    local = ["Europe/Stockholm", "Europe/Berlin", "Europe/Paris"][r.randrange(3)]
    return c.bundle(
        TITLE,
        start,
        now,
        {
            "question": "Product analytics in Segmetrics shows no web events since about "
            f"{clock(onset, local)}. Did the Firehose key change this morning break it?",
            "alarm_event": c.alarm_event(fresh_alarm, al_t, old),
            "timezone": local,
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": HOST,
                "category": "dependency_failure",
                "failure_mode": "http-endpoint-destination-unavailable",
            },
            "also_accept": [url, "Segmetrics", f"https://{HOST}"],
            "actions": [],
            "chain": [HOST, fh_name],
        },
    )
