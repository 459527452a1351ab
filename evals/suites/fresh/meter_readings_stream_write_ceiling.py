"""Smart-meter uploads fail at the evening peak: the provisioned Kinesis stream is at its write ceiling."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from evals.bundle import Bundle

from ._kit_zzv import Ctx, clock, iso

NAME = "meter-readings-stream-write-ceiling"
TITLE = "Meter reading uploads failing with 503s during the evening peak"
SUMMARY = (
    "Evening meter traffic outgrew a provisioned Kinesis stream's per-shard write limit; the ingest Lambda's "
    "PutRecords retries run out and the API returns 503s."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, "meter-readings")
    r = c.rng
    onset = c.day + timedelta(hours=r.randint(17, 19), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(15, 45))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(40, 55))).replace(second=0)
    old = c.day - timedelta(days=r.randint(300, 700))
    shards = r.choice([2, 3, 4])
    cap = shards * 60000.0  # records a minute the stream accepts
    peak = r.uniform(1.12, 1.25)
    stream = "meter-readings"
    api_name = "meter-ingest-api"
    fn = "meter-ingest"
    det = "meter-anomaly-detector"
    lake = f"meter-readings-lake-{c.account}"

    topic = c.topic("metering-platform-alerts")
    stream_arn = c.stream(stream, shards, old)
    role_fn = c.role(f"{fn}-role", "lambda.amazonaws.com", old)
    role_det = c.role(f"{det}-role", "lambda.amazonaws.com", old)
    role_fh = c.role("KinesisFirehoseServiceRole-meter-readings-lake", "firehose.amazonaws.com", old)
    c.bucket(lake, old)
    c.firehose_s3(
        "meter-readings-lake", old, lake, role_fh, "readings/dt=!{timestamp:yyyy-MM-dd}/", stream_arn
    )
    c.function(
        fn,
        role_fn,
        "python3.12",
        "app.handler",
        timeout=10,
        memory=1024,
        modified=c.day - timedelta(days=r.randint(10, 40)),
        env={"STREAM_NAME": stream, "PUT_MAX_RETRIES": "3", "POWERTOOLS_SERVICE_NAME": "meter-ingest"},
        description="POST /readings -> Kinesis",
    )
    det_deploy = onset - timedelta(minutes=r.randint(18, 35))
    c.function(
        det,
        role_det,
        "python3.12",
        "detector.handler",
        timeout=60,
        memory=2048,
        modified=det_deploy,
        env={"THRESHOLDS_TABLE": "meter-thresholds"},
        description="Flags abnormal consumption",
    )
    for g in (fn, det):
        c.log_group(f"/aws/lambda/{g}", old, 30)
    api_id = c.hexid(10)
    c.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "createdDate": iso(old),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": c.hexid(10),
        },
    )
    c.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": c.hexid(6),
            "stageName": "prod",
            "cacheClusterEnabled": False,
            "tracingEnabled": False,
            "methodSettings": {},
            "createdDate": iso(old),
            "lastUpdatedDate": iso(c.day - timedelta(days=r.randint(10, 40))),
        },
    )
    uuid_esm = c.uid()
    c.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": uuid_esm,
            "StartingPosition": "LATEST",
            "BatchSize": 500,
            "MaximumBatchingWindowInSeconds": 5,
            "ParallelizationFactor": 2,
            "EventSourceArn": stream_arn,
            "FunctionArn": c.arn("lambda", f"function:{det}"),
            "LastModified": iso(old),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "MaximumRecordAgeInSeconds": 3600,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 2,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )

    # ---- traffic ----------------------------------------------------------------------------------
    def demand(t: datetime) -> float:
        # evening ramp: a smooth rise to the peak, with a little minute-to-minute jitter
        x = (t - onset).total_seconds() / 3600
        level = 0.62 + (peak - 0.62) / (1 + math.exp(-2.4 * (x + 0.35)))
        return cap * level * (1 + 0.035 * math.sin(t.minute * 0.7)) * r.uniform(0.97, 1.03)

    accepted: dict[str, float] = {}
    throttled: dict[str, float] = {}
    offered: dict[str, float] = {}
    t = start
    while t < now:
        d = demand(t)
        offered[iso(t)] = d
        ceiling = cap * r.uniform(0.975, 0.995)
        over = max(0.0, d - ceiling)
        # producers retry throttled records up to three times, which adds to the offered load
        retried = over * 2.2
        acc = min(d + retried, ceiling)
        accepted[iso(t)] = acc
        throttled[iso(t)] = max(0.0, d + retried - acc) if d > ceiling * 0.985 else 0.0
        t += timedelta(minutes=1)

    sdim = {"StreamName": stream}
    c.series("AWS/Kinesis", "IncomingRecords", sdim, "Count", start, now, lambda t: accepted[iso(t)])
    c.series(
        "AWS/Kinesis",
        "IncomingBytes",
        sdim,
        "Bytes",
        start,
        now,
        lambda t: accepted[iso(t)] * r.uniform(380, 420),
    )
    c.series(
        "AWS/Kinesis",
        "PutRecords.TotalRecords",
        sdim,
        "Count",
        start,
        now,
        lambda t: accepted[iso(t)] + throttled[iso(t)],
    )
    c.series(
        "AWS/Kinesis", "PutRecords.SuccessfulRecords", sdim, "Count", start, now, lambda t: accepted[iso(t)]
    )
    c.series(
        "AWS/Kinesis", "PutRecords.ThrottledRecords", sdim, "Count", start, now, lambda t: throttled[iso(t)]
    )
    c.series("AWS/Kinesis", "PutRecords.FailedRecords", sdim, "Count", start, now, lambda t: 0.0)
    c.series(
        "AWS/Kinesis",
        "WriteProvisionedThroughputExceeded",
        sdim,
        "Count",
        start,
        now,
        lambda t: throttled[iso(t)],
    )
    c.series(
        "AWS/Kinesis",
        "PutRecords.Latency",
        sdim,
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(18, 31),
        stat=True,
    )
    c.series(
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        sdim,
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(200, 2600),
    )
    c.series("AWS/Kinesis", "ReadProvisionedThroughputExceeded", sdim, "Count", start, now, lambda t: 0.0)

    api = {"ApiName": api_name, "Stage": "prod"}
    batch = r.randint(40, 60)  # readings a request

    def requests(t: datetime) -> float:
        return offered[iso(t)] / batch

    five: dict[str, float] = {}
    for key, d in offered.items():
        if throttled[key] <= 0:
            five[key] = float(r.choice([0] * 12 + [1]))
        else:
            share = min(0.6, (throttled[key] / max(d, 1.0)) * 0.55)
            five[key] = float(round(d / batch * share))

    def fivexx(t: datetime) -> float:
        return five[iso(t)]

    c.series("AWS/ApiGateway", "Count", api, "Count", start, now, requests)
    c.series("AWS/ApiGateway", "5XXError", api, "Count", start, now, fivexx)
    c.series(
        "AWS/ApiGateway",
        "4XXError",
        api,
        "Count",
        start,
        now,
        lambda t: requests(t) * r.uniform(0.002, 0.006),
    )
    c.series(
        "AWS/ApiGateway",
        "Latency",
        api,
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(70, 110) + (900 if throttled[iso(t)] > 0 else 0) * r.uniform(0.7, 1.2),
        stat=True,
    )
    fdim = {"FunctionName": fn}
    c.series("AWS/Lambda", "Invocations", fdim, "Count", start, now, requests)
    c.series("AWS/Lambda", "Errors", fdim, "Count", start, now, lambda t: float(r.choice([0] * 30 + [1])))
    c.series("AWS/Lambda", "Throttles", fdim, "Count", start, now, lambda t: 0.0)
    c.series(
        "AWS/Lambda",
        "Duration",
        fdim,
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(45, 80) + (850 if throttled[iso(t)] > 0 else 0) * r.uniform(0.7, 1.2),
        stat=True,
    )
    c.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fdim,
        "Count",
        start,
        now,
        lambda t: requests(t) / 60 * (0.07 if throttled[iso(t)] <= 0 else 0.95),
    )
    ddim = {"FunctionName": det}
    c.series("AWS/Lambda", "Invocations", ddim, "Count", start, now, lambda t: shards * 2 * r.uniform(9, 12))
    c.series("AWS/Lambda", "Errors", ddim, "Count", start, now, lambda t: 0.0)
    c.series("AWS/Lambda", "IteratorAge", ddim, "Milliseconds", start, now, lambda t: r.uniform(900, 5200))
    c.series(
        "AWS/Lambda", "Duration", ddim, "Milliseconds", start, now, lambda t: r.uniform(1800, 3600), stat=True
    )
    fh = {"DeliveryStreamName": "meter-readings-lake"}
    c.series(
        "AWS/Firehose",
        "DataReadFromKinesisStream.Records",
        fh,
        "Count",
        start,
        now,
        lambda t: accepted[iso(t)],
    )
    c.series(
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        fh,
        "Seconds",
        start,
        now,
        lambda t: r.uniform(250, 320),
        period=300,
    )

    # ---- logs -------------------------------------------------------------------------------------
    streams = [f"{start.strftime('%Y/%m/%d')}/[$LATEST]{c.hexid(32)}" for _ in range(6)]
    t = start + timedelta(seconds=r.randint(0, 40))
    while t < now:
        s = r.choice(streams)
        if throttled[iso(t.replace(second=0))] > 0:
            n = r.randint(60, 500)
            f1 = r.randint(n // 5, n // 2)
            f2 = r.randint(f1 // 4, f1 // 2)
            f3 = r.randint(f2 // 3, f2)
            body = [
                f"[WARNING]\t{iso(t)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tPutRecords partial failure: {f1}/{n} "
                "records failed (ProvisionedThroughputExceededException), retry 1/3 in 100ms\n",
                f"[WARNING]\t{iso(t)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tPutRecords partial failure: {f2}/{f1} "
                "records failed (ProvisionedThroughputExceededException), retry 2/3 in 200ms\n",
            ]
            if r.random() < 0.6:
                body.append(
                    f"[WARNING]\t{iso(t)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tPutRecords partial failure: {f3}/{f2} "
                    "records failed (ProvisionedThroughputExceededException), retry 3/3 in 400ms\n"
                )
                body.append(
                    f"[ERROR]\t{iso(t)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\t{f3} readings not accepted after 3 "
                    "retries, responding 503 to gateway " + f"gw-{r.randint(10000, 99999)}\n"
                )
            c.lambda_invocation_logs(fn, s, t, r.uniform(700, 1500), 1024, r.randint(120, 140), body)
            t += timedelta(seconds=r.randint(4, 15))
        else:
            n = r.randint(20, 500)
            c.lambda_invocation_logs(
                fn,
                s,
                t,
                r.uniform(40, 90),
                1024,
                r.randint(110, 130),
                [
                    f"[INFO]\t{iso(t)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\taccepted {n} readings from gw-{r.randint(10000, 99999)}\n"
                ],
            )
            t += timedelta(seconds=r.randint(45, 180))
    for _ in range(r.randint(10, 16)):
        lt = start + timedelta(seconds=r.randint(0, int((now - start).total_seconds()) - 60))
        c.lambda_invocation_logs(
            det,
            f"{lt.strftime('%Y/%m/%d')}/[$LATEST]{c.hexid(32)}",
            lt,
            r.uniform(1800, 3600),
            2048,
            r.randint(300, 420),
            [
                f"[INFO]\t{iso(lt)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tscored 500 readings, {r.randint(0, 3)} flagged\n"
            ],
        )

    # ---- CloudTrail -------------------------------------------------------------------------------
    ci = c.role_identity("gitlab-runner-deploy", "gitlab-ci-pipeline-" + str(r.randint(100000, 999999)))
    dev = c.role_identity("AWSReservedSSO_DataEngineer_3d0b8e", "amelie.durand@corp", sso=True)
    bi = c.role_identity("tableau-athena-reader", "tableau-server")
    c.ct(
        det_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": det,
            "publish": True,
            "dryRun": False,
            "s3Bucket": f"ci-artifacts-{c.account}",
            "s3Key": f"{det}/{c.hexid(12)}.zip",
        },
        {
            "functionName": det,
            "functionArn": c.arn("lambda", f"function:{det}"),
            "runtime": "python3.12",
            "version": str(r.randint(20, 60)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.12.2 "
        "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
        ip="34.74.90.64",
    )
    c.ct(
        det_deploy + timedelta(seconds=40),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ci,
        {"functionName": det, "name": "live", "functionVersion": str(r.randint(20, 60))},
        None,
        agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0 Botocore/1.34.69",
        ip="34.74.90.64",
    )
    c.ct(
        start + timedelta(minutes=r.randint(20, 80)),
        "glue.amazonaws.com",
        "UpdateCrawler",
        dev,
        {"name": "meter_readings_lake_crawler", "schedule": "cron(15 */6 * * ? *)"},
        None,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    c.ct(
        start + timedelta(minutes=r.randint(90, 140)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        dev,
        {
            "alarmName": f"{det}-iterator-age",
            "namespace": "AWS/Lambda",
            "metricName": "IteratorAge",
            "statistic": "Maximum",
            "period": 60,
            "evaluationPeriods": 10,
            "threshold": 120000.0,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [topic],
        },
        None,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    for _ in range(r.randint(8, 14)):
        qt = start + timedelta(seconds=r.randint(0, int((now - start).total_seconds())))
        qid = c.uid()
        c.ct(
            qt,
            "athena.amazonaws.com",
            "StartQueryExecution",
            bi,
            {
                "queryString": "SELECT meter_id, sum(kwh) FROM metering.readings WHERE dt = ... ***OMITTED***",
                "workGroup": "bi-dashboards",
                "queryExecutionContext": {"database": "metering"},
            },
            {"queryExecutionId": qid},
            agent="Tableau/2024.1 AthenaJDBC/3.2.0",
            ip="52.18.201.33",
        )
        c.ct(
            qt + timedelta(seconds=r.randint(2, 9)),
            "athena.amazonaws.com",
            "GetQueryExecution",
            bi,
            {"queryExecutionId": qid},
            None,
            read_only=True,
            agent="Tableau/2024.1 AthenaJDBC/3.2.0",
            ip="52.18.201.33",
        )
    c.readonly_noise(
        start,
        now,
        [
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream}),
            ("kinesis.amazonaws.com", "ListShards", {"streamName": stream}),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("apigateway.amazonaws.com", "GetRestApis", None),
            (
                "firehose.amazonaws.com",
                "DescribeDeliveryStream",
                {"deliveryStreamName": "meter-readings-lake"},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("glue.amazonaws.com", "GetCrawler", {"name": "meter_readings_lake_crawler"}),
        ],
        r.randint(30, 50),
    )

    # ---- alarms -----------------------------------------------------------------------------------
    first_bad = start
    while first_bad < now - timedelta(minutes=30):
        if all(five[iso(first_bad + timedelta(minutes=k))] > 50 for k in range(3)):
            break
        first_bad += timedelta(minutes=1)
    alarm_t = first_bad + timedelta(minutes=3, seconds=r.randint(10, 50))
    pts = [five[iso(first_bad + timedelta(minutes=k))] for k in range(3)]
    api_alarm = c.alarm(
        "meter-ingest-api-5xx",
        "AWS/ApiGateway",
        "5XXError",
        api,
        "Sum",
        60,
        3,
        50.0,
        "GreaterThanThreshold",
        topic,
        description="Meter gateways are getting 5xx from POST /readings",
        missing="notBreaching",
        transitions=[
            (
                alarm_t,
                "ALARM",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{pts[-1]} ({(alarm_t - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:00')}), "
                f"{pts[-2]} ({(alarm_t - timedelta(minutes=2)).strftime('%d/%m/%y %H:%M:00')})] were greater than the "
                "threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition).",
                pts,
            )
        ],
        created=old,
    )
    lat_t = alarm_t + timedelta(minutes=r.randint(1, 3))

    def five_min(t: datetime, back: int) -> str:
        b = t - timedelta(minutes=back)
        return b.replace(minute=b.minute - b.minute % 5).strftime("%d/%m/%y %H:%M:00")

    c.alarm(
        f"{fn}-duration",
        "AWS/Lambda",
        "Duration",
        fdim,
        "Average",
        300,
        2,
        500.0,
        "GreaterThanThreshold",
        topic,
        transitions=[
            (
                lat_t,
                "ALARM",
                f"Threshold Crossed: 2 out of the last 2 datapoints [871.4 ({five_min(lat_t, 5)}), 640.2 "
                f"({five_min(lat_t, 10)})] were greater than the threshold (500.0) (minimum 2 datapoints for "
                "OK -> ALARM transition).",
                [640.2, 871.4],
            )
        ],
        created=old,
    )
    c.alarm(
        f"{det}-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        ddim,
        "Maximum",
        60,
        10,
        120000.0,
        "GreaterThanThreshold",
        topic,
        created=start + timedelta(minutes=100),
    )
    c.alarms[-1]["StateReason"] = (
        "Threshold Crossed: 10 datapoints were not greater than the threshold (120000.0)."
    )
    flap_t = start + timedelta(minutes=r.randint(30, 120))
    c.alarm(
        "meter-readings-lake-freshness",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        fh,
        "Maximum",
        300,
        1,
        330.0,
        "GreaterThanThreshold",
        topic,
        transitions=[
            (
                flap_t,
                "ALARM",
                "Threshold Crossed: 1 datapoint [336.0] was greater than the threshold (330.0).",
                [336.0],
            ),
            (
                flap_t + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 1 datapoint [281.0] was not greater than the threshold (330.0).",
                [281.0],
            ),
        ],
        created=old,
    )
    local = ["Europe/London", "Europe/Berlin", "Europe/Amsterdam"][r.randrange(3)]
    return c.bundle(
        TITLE,
        start,
        now,
        {
            "question": f"Field ops say meters have been failing to upload readings since about "
            f"{clock(first_bad, local)}. The anomaly detector was deployed just before that "
            "- did it break ingestion?",
            "alarm_event": c.alarm_event(api_alarm, alarm_t, old),
            "timezone": local,
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": stream,
                "category": "limit",
                "failure_mode": "kinesis-shard-write-throughput-exceeded",
            },
            "also_accept": [stream_arn],
            "actions": ["scale"],
            "chain": [stream, fn, api_name],
        },
    )
