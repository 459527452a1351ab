"""Shipment status projector stops keeping up after its Kinesis event source mapping is retuned."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from evals.bundle import Bundle

from ._kit_zzv import Ctx, clock, iso

NAME = "shipment-projector-batch-window"
TITLE = "Tracking page shows the same shipment status for every parcel"
SUMMARY = (
    "A Terraform apply raised a Kinesis event source mapping's batch size and batching window; full batches "
    "now outlast the consumer's timeout and the same batch retries forever."
)

TF_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/lambda#1.53.2"
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, "shipment-projector")
    r = c.rng
    onset = c.day + timedelta(hours=r.randint(13, 16), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(10, 40))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(46, 62))).replace(second=0)
    old = c.day - timedelta(days=r.randint(200, 600))
    shards = r.choice([4, 4, 6])
    per_shard = r.randint(1300, 1700)  # records a minute a shard at the afternoon level
    new_batch = r.choice([2000, 2500, 3000])
    new_window = r.choice([60, 90])
    timeout = 30
    fn = "shipment-status-projector"
    other = "shipment-webhook-notifier"
    stream_name = "shipment-events"

    topic = c.topic("pipeline-oncall")
    stream_arn = c.stream(stream_name, shards, old)
    c.table("shipment-status", old, "shipmentId")
    role_fn = c.role(f"{fn}-role", "lambda.amazonaws.com", old)
    role_other = c.role(f"{other}-role", "lambda.amazonaws.com", old)
    role_fh = c.role("KinesisFirehoseServiceRole-shipment-archive", "firehose.amazonaws.com", old)
    c.bucket(f"shipment-events-archive-{c.account}", old)
    c.firehose_s3(
        "shipment-events-archive",
        old,
        f"shipment-events-archive-{c.account}",
        role_fh,
        "raw/!{timestamp:yyyy/MM/dd}/",
        stream_arn,
    )
    c.function(
        fn,
        role_fn,
        "python3.12",
        "projector.handler",
        timeout=timeout,
        memory=512,
        modified=c.day - timedelta(days=r.randint(6, 20)),
        env={
            "TABLE_NAME": "shipment-status",
            "POWERTOOLS_SERVICE_NAME": "shipment-projector",
            "LOG_LEVEL": "INFO",
        },
        description="Projects shipment events onto the shipment-status table",
    )
    other_deploy = onset - timedelta(minutes=r.randint(25, 45))
    c.function(
        other,
        role_other,
        "nodejs20.x",
        "index.handler",
        timeout=15,
        memory=256,
        modified=other_deploy,
        env={"WEBHOOK_TIMEOUT_MS": "4000"},
        description="Sends carrier webhooks to merchants",
    )
    for g in (fn, other):
        c.log_group(f"/aws/lambda/{g}", old, 14)
    c.log_group("/aws/kinesisfirehose/shipment-events-archive", old, 7)
    uuid_esm = c.uid()
    change_t = onset - timedelta(seconds=r.randint(20, 90))
    esm = {
        "UUID": uuid_esm,
        "StartingPosition": "LATEST",
        "BatchSize": new_batch,
        "MaximumBatchingWindowInSeconds": new_window,
        "ParallelizationFactor": 1,
        "EventSourceArn": stream_arn,
        "FunctionArn": c.arn("lambda", f"function:{fn}"),
        "LastModified": iso(change_t),
        "LastProcessingResult": "PROBLEM: Function call failed",
        "State": "Enabled",
        "StateTransitionReason": "User action",
        "DestinationConfig": {"OnFailure": {}},
        "MaximumRecordAgeInSeconds": -1,
        "BisectBatchOnFunctionError": False,
        "MaximumRetryAttempts": -1,
        "TumblingWindowInSeconds": 0,
        "FunctionResponseTypes": [],
        "EventSourceMappingArn": c.arn("lambda", f"event-source-mapping:{uuid_esm}"),
    }
    c.res("lambda", "EventSourceMappingConfiguration", esm)

    # ---- CloudTrail -----------------------------------------------------------------------------
    ci = c.role_identity("github-actions-infra-deploy", "GitHubActions")
    dev = c.role_identity("AWSReservedSSO_PowerUser_8f21c3", "tomasz.wojcik@corp", sso=True)
    before = dict(esm)
    before.update({"BatchSize": 100, "MaximumBatchingWindowInSeconds": 0, "LastModified": iso(old)})
    c.ct(
        change_t - timedelta(seconds=4),
        "lambda.amazonaws.com",
        "GetEventSourceMapping",
        ci,
        {"uUID": uuid_esm},
        None,
        read_only=True,
        agent=TF_AGENT,
        ip="20.57.79.12",
    )
    resp = dict(esm)
    resp.update({"State": "Updating", "LastProcessingResult": "OK"})
    culprit = c.ct(
        change_t,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        ci,
        {
            "uUID": uuid_esm,
            "functionName": c.arn("lambda", f"function:{fn}"),
            "enabled": True,
            "batchSize": new_batch,
            "maximumBatchingWindowInSeconds": new_window,
            "parallelizationFactor": 1,
            "maximumRecordAgeInSeconds": -1,
            "bisectBatchOnFunctionError": False,
            "maximumRetryAttempts": -1,
            "tumblingWindowInSeconds": 0,
            "functionResponseTypes": [],
        },
        resp,
        agent=TF_AGENT,
        ip="20.57.79.12",
    )
    # same apply also retagged the stream and touched the archive bucket's lifecycle: innocent
    c.ct(
        change_t + timedelta(seconds=3),
        "kinesis.amazonaws.com",
        "AddTagsToStream",
        ci,
        {"streamName": stream_name, "tags": {"cost-centre": "logistics-data", "managed-by": "terraform"}},
        None,
        agent=TF_AGENT.replace("api/lambda#1.53.2", "api/kinesis#1.27.4"),
        ip="20.57.79.12",
    )
    c.ct(
        change_t + timedelta(seconds=6),
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        ci,
        {"bucketName": f"shipment-events-archive-{c.account}", "Host": "s3.amazonaws.com", "lifecycle": ""},
        None,
        agent=TF_AGENT.replace("api/lambda#1.53.2", "api/s3#1.53.1"),
        ip="20.57.79.12",
    )
    # the webhook notifier deploy half an hour earlier (innocent)
    c.ct(
        other_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": other,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"deploy-artifacts-{c.account}",
            "s3Key": f"{other}/{c.hexid(40)}.zip",
        },
        {
            "functionName": other,
            "functionArn": c.arn("lambda", f"function:{other}"),
            "runtime": "nodejs20.x",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "codeSha256": c.hexid(43) + "=",
        },
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22 command/lambda.update-function-code",
        ip="20.57.79.12",
    )
    c.ct(
        onset - timedelta(hours=2, minutes=r.randint(0, 50)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        dev,
        {"logGroupName": "/aws/kinesisfirehose/shipment-events-archive", "retentionInDays": 7},
        None,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    c.ct(
        onset + timedelta(minutes=r.randint(20, 30)),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        dev,
        {"tableName": "shipment-status"},
        None,
        read_only=True,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    c.readonly_noise(
        start,
        now,
        [
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream_name}),
            ("kinesis.amazonaws.com", "ListStreams", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("lambda.amazonaws.com", "ListEventSourceMappings", {"functionName": fn}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "shipment-status"}),
            (
                "firehose.amazonaws.com",
                "DescribeDeliveryStream",
                {"deliveryStreamName": "shipment-events-archive"},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("s3.amazonaws.com", "GetBucketLocation", {"bucketName": f"shipment-events-archive-{c.account}"}),
        ],
        r.randint(45, 70),
    )

    # ---- metrics ----------------------------------------------------------------------------------
    def traffic(t: datetime) -> float:
        hours = (t - start).total_seconds() / 3600
        return (
            per_shard
            * shards
            * (0.85 + 0.05 * hours / 4 + 0.04 * math.sin(t.minute / 9.0))
            * r.uniform(0.96, 1.04)
        )

    sdim = {"StreamName": stream_name}
    c.series("AWS/Kinesis", "IncomingRecords", sdim, "Count", start, now, traffic)
    c.series(
        "AWS/Kinesis", "IncomingBytes", sdim, "Bytes", start, now, lambda t: traffic(t) * r.uniform(610, 690)
    )
    c.series("AWS/Kinesis", "PutRecords.SuccessfulRecords", sdim, "Count", start, now, traffic)
    c.series("AWS/Kinesis", "PutRecords.ThrottledRecords", sdim, "Count", start, now, lambda t: 0.0)
    c.series("AWS/Kinesis", "WriteProvisionedThroughputExceeded", sdim, "Count", start, now, lambda t: 0.0)
    c.series(
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        sdim,
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(300, 1400) if t < onset else max(1000.0, (t - onset).total_seconds() * 1000),
    )
    c.series(
        "AWS/Kinesis",
        "GetRecords.Records",
        sdim,
        "Count",
        start,
        now,
        lambda t: traffic(t) * 2 if t < onset else traffic(t) + new_batch * shards * r.uniform(1.6, 2.1),
    )
    c.series(
        "AWS/Kinesis",
        "ReadProvisionedThroughputExceeded",
        sdim,
        "Count",
        start,
        now,
        lambda t: float(r.choice([0, 0, 0, 0, 1])),
    )

    fdim = {"FunctionName": fn}

    def invocations(t: datetime) -> float:
        if t < onset:
            return shards * r.uniform(34, 42)
        if t < onset + timedelta(minutes=2):
            return float(shards)
        return shards * r.uniform(1.8, 2.0)

    def errors(t: datetime) -> float | None:
        if t < onset:
            return float(r.choice([0] * 40 + [1]))
        if t < onset + timedelta(minutes=2):
            return 0.0
        return invocations(t)

    c.series("AWS/Lambda", "Invocations", fdim, "Count", start, now, invocations)
    c.series("AWS/Lambda", "Errors", fdim, "Count", start, now, errors)
    c.series("AWS/Lambda", "Throttles", fdim, "Count", start, now, lambda t: 0.0)
    c.series(
        "AWS/Lambda",
        "Duration",
        fdim,
        "Milliseconds",
        start,
        now,
        lambda t: (
            r.uniform(780, 1150)
            if t < onset
            else (r.uniform(24000, 29000) if t < onset + timedelta(minutes=2) else 30000.0)
        ),
        stat=True,
    )
    c.series(
        "AWS/Lambda",
        "IteratorAge",
        fdim,
        "Milliseconds",
        start,
        now,
        lambda t: (
            r.uniform(400, 1600) if t < onset else max(1200.0, (t - onset).total_seconds() * 1000 - 30000)
        ),
    )
    c.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fdim,
        "Count",
        start,
        now,
        lambda t: float(shards) if t >= onset else float(r.randint(max(1, shards - 2), shards)),
    )
    odim = {"FunctionName": other}
    c.series("AWS/Lambda", "Invocations", odim, "Count", start, now, lambda t: r.uniform(60, 140))
    c.series(
        "AWS/Lambda",
        "Errors",
        odim,
        "Count",
        start,
        now,
        lambda t: float(r.choice([0, 0, 0, 1, 2, 0, 0, 5])),
    )
    c.series(
        "AWS/Lambda", "Duration", odim, "Milliseconds", start, now, lambda t: r.uniform(300, 900), stat=True
    )
    tdim = {"TableName": "shipment-status"}

    def wcu(t: datetime) -> float:
        if t < onset:
            return traffic(t) * 1.0
        return new_batch * 0.75 * shards * r.uniform(1.5, 1.9)

    c.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdim, "Count", start, now, wcu)
    c.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        tdim,
        "Count",
        start,
        now,
        lambda t: r.uniform(2000, 3400),
    )
    c.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": "shipment-status", "Operation": "UpdateItem"},
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(4.1, 6.3),
        stat=True,
    )
    fh = {"DeliveryStreamName": "shipment-events-archive"}
    c.series("AWS/Firehose", "DataReadFromKinesisStream.Records", fh, "Count", start, now, traffic)
    c.series(
        "AWS/Firehose",
        "DeliveryToS3.Success",
        fh,
        "None",
        start,
        now,
        lambda t: 1.0 if t.minute % 5 == 0 else None,
        period=60,
    )
    c.series(
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        fh,
        "Seconds",
        start,
        now,
        lambda t: r.uniform(240, 330),
        period=300,
    )

    # ---- logs -------------------------------------------------------------------------------------
    streams = [
        f"{(start + timedelta(hours=h)).strftime('%Y/%m/%d')}/[$LATEST]{c.hexid(32)}" for h in range(shards)
    ]
    t = start + timedelta(seconds=r.randint(5, 50))
    while t < onset:
        shard = r.randrange(shards)
        n = r.randint(25, 60)
        d = n * r.uniform(17, 23)
        c.lambda_invocation_logs(
            fn,
            streams[shard],
            t,
            d,
            512,
            r.randint(88, 96),
            [
                f"[INFO]\t{iso(t)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tbatch shardId-{shard:012d} records={n}\n",
                f"[INFO]\t{iso(t)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tprojected {n} events, "
                f"{r.randint(0, 2)} stale skipped\n",
            ],
        )
        t += timedelta(seconds=r.randint(40, 150))
    t = onset + timedelta(seconds=5)
    shard = 0
    while t < now:
        for shard in range(shards):
            st = t + timedelta(seconds=shard * 2 + r.randint(0, 3))
            first = t < onset + timedelta(minutes=2)
            n = new_batch if not first else int(per_shard * new_window / 60)
            c.lambda_invocation_logs(
                fn,
                streams[shard],
                st,
                (timeout * 1000.0) if not first else n * r.uniform(17.5, 19.5),
                512,
                r.randint(140, 190),
                [
                    f"[INFO]\t{iso(st)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tbatch shardId-{shard:012d} records={n}\n"
                ]
                + (
                    []
                    if not first
                    else [
                        f"[INFO]\t{iso(st)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tprojected {n} events, 0 stale skipped\n"
                    ]
                ),
                timeout=not first,
            )
        t += (
            timedelta(seconds=timeout + r.randint(1, 3))
            if t >= onset + timedelta(minutes=2)
            else timedelta(seconds=new_window)
        )
    for _ in range(r.randint(8, 14)):
        lt = start + timedelta(minutes=r.randint(0, int((now - start).total_seconds() // 60) - 1))
        c.lambda_invocation_logs(
            other,
            f"{lt.strftime('%Y/%m/%d')}/[$LATEST]{c.hexid(32)}",
            lt,
            r.uniform(300, 4000),
            256,
            r.randint(70, 90),
            [
                f"{iso(lt)[:-1]}.{r.randint(100, 999)}Z\t{{rid}}\tWARN\twebhook to merchant m_{r.randint(1000, 9999)} "
                f"returned 50{r.choice([2, 3, 4])}, will retry\n"
            ],
        )

    # ---- alarms -----------------------------------------------------------------------------------
    age_alarm_t = onset + timedelta(minutes=6, seconds=r.randint(5, 50))
    ages = [round((age_alarm_t - onset).total_seconds() * 1000 - 30000 - k * 60000, 1) for k in range(5)][
        ::-1
    ]
    age = c.alarm(
        f"{fn}-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        fdim,
        "Maximum",
        60,
        5,
        60000.0,
        "GreaterThanThreshold",
        topic,
        description="Projector falling behind shipment-events. Runbook: wiki/LOG/Runbooks/projector",
        transitions=[
            (
                age_alarm_t,
                "ALARM",
                f"Threshold Crossed: 5 out of the last 5 datapoints [{ages[-1]} ({(age_alarm_t - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:00')}), ...] "
                "were greater than the threshold (60000.0) (minimum 5 datapoints for OK -> ALARM transition).",
                [max(v, 61000.0) for v in ages],
            )
        ],
        created=old,
    )
    err_t = onset + timedelta(minutes=r.randint(7, 9))
    c.alarm(
        f"{fn}-errors",
        "AWS/Lambda",
        "Errors",
        fdim,
        "Sum",
        300,
        1,
        20.0,
        "GreaterThanThreshold",
        topic,
        description="Projector error rate",
        missing="notBreaching",
        transitions=[
            (
                err_t,
                "ALARM",
                f"Threshold Crossed: 1 datapoint [{shards * 10}.0 ({(err_t - timedelta(minutes=5)).strftime('%d/%m/%y %H:%M:00')})] "
                "was greater than the threshold (20.0).",
                [float(shards * 10)],
            )
        ],
        created=old,
    )
    flaps: list[tuple[datetime, str, str, list[float]]] = []
    for _ in range(r.randint(2, 4)):
        ft = start + timedelta(minutes=r.randint(10, 200), seconds=r.randint(0, 59))
        flaps += [
            (
                ft,
                "ALARM",
                "Threshold Crossed: 1 datapoint [6.0] was greater than or equal to the threshold (5.0).",
                [6.0],
            ),
            (
                ft + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 1 datapoint [1.0] was not greater than or equal to the threshold (5.0).",
                [1.0],
            ),
        ]
    flaps.sort(key=lambda x: x[0])
    c.alarm(
        f"{other}-errors",
        "AWS/Lambda",
        "Errors",
        odim,
        "Sum",
        300,
        1,
        5.0,
        "GreaterThanOrEqualToThreshold",
        topic,
        description="Merchant webhook failures (merchant endpoints are flaky)",
        missing="notBreaching",
        transitions=flaps,
        created=old,
    )
    c.alarm(
        "shipment-events-write-throttled",
        "AWS/Kinesis",
        "WriteProvisionedThroughputExceeded",
        sdim,
        "Sum",
        300,
        3,
        100.0,
        "GreaterThanThreshold",
        topic,
        transitions=[],
        created=old,
    )
    c.alarms[-1]["StateReason"] = (
        "Threshold Crossed: 3 datapoints [0.0 , 0.0, 0.0] were not greater than the threshold (100.0)."
    )
    c.alarm(
        "shipment-archive-freshness",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        fh,
        "Maximum",
        300,
        3,
        900.0,
        "GreaterThanThreshold",
        topic,
        transitions=[],
        created=old,
    )

    event = c.alarm_event(age, age_alarm_t, old)
    local = ["America/Chicago", "America/New_York", "Europe/London"][r.randrange(3)]
    return c.bundle(
        TITLE,
        start,
        now,
        {
            "question": "Support says the tracking page has had the same status on every parcel since "
            f"about {clock(onset + timedelta(minutes=4), local)}. Is DynamoDB having problems? The projector "
            "alarm went off too.",
            "alarm_event": event,
            "timezone": local,
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": uuid_esm,
                "category": "change",
                "failure_mode": "esm-batch-exceeds-function-timeout",
                "event_id": culprit,
            },
            "also_accept": [esm["EventSourceMappingArn"], fn, c.arn("lambda", f"function:{fn}")],
            "actions": ["rollback", "reconfigure"],
            "chain": [uuid_esm, fn, "shipment-status", stream_name],
        },
    )
