"""One Kinesis shard stalls when a per-vehicle daily track item reaches DynamoDB's 400 KB item ceiling."""

from __future__ import annotations

from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzh import Kit, diurnal, iso, minutes

NAME = "truck-track-item-size-stall"
TITLE = "Some trucks frozen on the dispatch map; track-writer IteratorAge alarm"
SUMMARY = (
    "A long-haul truck's per-day track item in DynamoDB grew to the 400 KB item limit; every UpdateItem for "
    "it fails, the Lambda consumer retries the same batch forever and one shard of the stream stalls."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-west-1", "truck")
    rng = k.rng
    day = k.day()
    onset = day + timedelta(hours=rng.randint(8, 15), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=rng.randint(5, 50))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(40, 65))).replace(second=0)
    stream = "truck-positions"
    fn = "track-writer"
    table = "truck-daily-track"
    shards = rng.choice([4, 6, 8])
    stuck = rng.randrange(shards)
    truck = f"TRK-{rng.randint(10000, 99999)}"
    created = day - timedelta(days=rng.randint(300, 700))
    topic = k.topic("fleet-platform-alerts")

    s = k.kinesis_stream(stream, shards, created)
    k.role("track-writer-role", created)
    k.role("positions-archive-firehose-role", created, service="firehose.amazonaws.com")
    env_change = onset - timedelta(minutes=rng.randint(50, 95))
    k.function(
        fn,
        "track-writer-role",
        "nodejs20.x",
        "index.handler",
        1024,
        90,
        env_change,
        {
            "TABLE": table,
            "LOG_LEVEL": "info",
            "NODE_OPTIONS": "--enable-source-maps",
            "AWS_NODEJS_CONNECTION_REUSE_ENABLED": "1",
        },
    )
    k.function(
        "fleet-daily-report",
        "track-writer-role",
        "nodejs20.x",
        "report.handler",
        512,
        300,
        created + timedelta(days=80),
        {"TABLE": table, "REPORT_BUCKET": f"fleet-reports-{k.account}"},
    )
    k.esm(
        fn, s["StreamARN"], 200, created + timedelta(days=2), window=2, result="PROBLEM: Function call failed"
    )
    k.table(
        table, created, "vehicleId", "day", rng.randint(2_000_000, 6_000_000), rng.randint(10**10, 5 * 10**10)
    )
    k.log_group(f"/aws/lambda/{fn}", created, retention=14)
    k.log_group("/aws/lambda/fleet-daily-report", created, retention=14)
    k.log_group("/aws/kinesisfirehose/truck-positions-archive", created, retention=7)
    k.resource(
        "s3",
        "Bucket",
        {
            "Name": f"truck-positions-archive-{k.account}",
            "CreationDate": iso(created),
            "BucketRegion": k.region,
        },
    )

    # --- metrics ----------------------------------------------------------------------------------
    trucks = rng.randint(6000, 20000)
    big_item_kb = 300.0  # the truck's item grows through the day and each update costs its size in WCU
    for t in minutes(start, now):
        load = diurnal(t, 13, 1, 0.35, 1.0)
        recs = trucks * 2 * load * rng.uniform(0.97, 1.03)  # a position every 30 s
        k.metric("AWS/Kinesis", "IncomingRecords", {"StreamName": stream}, t, "Count", recs)
        k.metric(
            "AWS/Kinesis", "IncomingBytes", {"StreamName": stream}, t, "Bytes", recs * rng.uniform(180, 200)
        )
        k.metric(
            "AWS/Kinesis",
            "GetRecords.Success",
            {"StreamName": stream},
            t,
            "Count",
            (shards - (1 if t >= onset else 0)) * 60 + 30,
        )
        kage = rng.uniform(300, 1500)
        k.metric(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            {"StreamName": stream},
            t,
            "Milliseconds",
            stats=(shards * 60, shards * 60 * kage * 0.5, 0.0, kage),
        )
        behind = (t - onset).total_seconds() * 1000 if t >= onset else 0.0
        age = max(behind, rng.uniform(900, 2600))
        per_shard = 20
        inv = shards * per_shard if t < onset else (shards - 1) * per_shard + rng.randint(3, 6)
        errs = 0 if t < onset else inv - (shards - 1) * per_shard
        k.metric("AWS/Lambda", "Invocations", {"FunctionName": fn}, t, "Count", inv)
        k.metric("AWS/Lambda", "Errors", {"FunctionName": fn}, t, "Count", errs)
        dur = rng.uniform(240, 520)
        k.metric(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": fn},
            t,
            "Milliseconds",
            stats=(inv, inv * dur, 60.0, dur * 2.5),
        )
        k.metric(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": fn},
            t,
            "Milliseconds",
            stats=(inv, inv * 1100.0 + age, 120.0, age),
        )
        k.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            {"FunctionName": fn},
            t,
            "Count",
            stats=(1, shards, shards, shards),
        )
        if t < onset:
            big_item_kb = min(399.0, big_item_kb + 0.45)
        hot = big_item_kb * 2 if t < onset else 0.0  # two positions a minute for the big item
        share = (shards - 1) / shards if t >= onset else 1.0
        wcu = recs * share * 1.0 + hot
        k.metric(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": table},
            t,
            "Count",
            stats=(recs * share, wcu, 1.0, max(1.0, big_item_kb if t < onset else 3.0)),
        )
        lat = rng.uniform(4.0, 6.5)
        k.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "UpdateItem"},
            t,
            "Milliseconds",
            stats=(recs * share, recs * share * lat, 1.9, 40.0 + (big_item_kb / 8 if t < onset else 0)),
        )
        uerr = rng.choice([0.0, 0.0, 0.0, 1.0, 2.0]) + (errs if t >= onset else 0)
        if uerr:
            k.metric("AWS/DynamoDB", "UserErrors", {}, t, "Count", uerr)
        k.metric(
            "AWS/Firehose",
            "IncomingRecords",
            {"DeliveryStreamName": "truck-positions-archive"},
            t,
            "Count",
            recs,
        )
        k.metric(
            "AWS/Firehose",
            "IncomingBytes",
            {"DeliveryStreamName": "truck-positions-archive"},
            t,
            "Bytes",
            recs * 190,
        )
        if t.minute % 5 == 0:
            k.metric(
                "AWS/Firehose",
                "DeliveryToS3.Success",
                {"DeliveryStreamName": "truck-positions-archive"},
                t,
                "Count",
                stats=(5, 5, 1, 1),
            )
            k.metric(
                "AWS/Firehose",
                "DeliveryToS3.DataFreshness",
                {"DeliveryStreamName": "truck-positions-archive"},
                t,
                "Seconds",
                stats=(5, 5 * 170, 95, 298),
            )

    # --- alarms -----------------------------------------------------------------------------------
    fire = onset + timedelta(minutes=10, seconds=rng.randint(5, 55))
    age_alarm = k.alarm(
        f"{fn}-iterator-age-high",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": fn},
        "Maximum",
        60,
        3,
        600000.0,
        "GreaterThanOrEqualToThreshold",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than or equal to the threshold (600000.0).",
        fire,
        topic,
        desc="track-writer more than 10 min behind truck-positions",
    )
    k.transition(age_alarm, fire, "OK", "ALARM", age_alarm["StateReason"])
    err_alarm = k.alarm(
        f"{fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        "Sum",
        300,
        1,
        100.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 datapoint [24.0] was not greater than the threshold (100.0).",
        start - timedelta(days=9),
        topic,
    )
    _ = err_alarm
    k.alarm(
        "dynamodb-user-errors-eu-west-1",
        "AWS/DynamoDB",
        "UserErrors",
        {},
        "Sum",
        300,
        2,
        200.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (200.0).",
        start - timedelta(days=2),
        topic,
        missing="notBreaching",
    )
    fresh_alarm = k.alarm(
        "truck-positions-archive-freshness",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        {"DeliveryStreamName": "truck-positions-archive"},
        "Maximum",
        300,
        1,
        290.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 datapoint [288.0] was not greater than the threshold (290.0).",
        onset - timedelta(minutes=rng.randint(30, 80)),
        topic,
    )
    flap = onset - timedelta(minutes=rng.randint(90, 140))
    k.transition(
        fresh_alarm,
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [299.0] was greater than the threshold (290.0).",
    )
    k.transition(
        fresh_alarm,
        flap + timedelta(minutes=5),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [281.0] was not greater than the threshold (290.0).",
    )

    # --- logs -------------------------------------------------------------------------------------
    streams = [k.lambda_stream(env_change + timedelta(seconds=rng.randint(20, 300))) for _ in range(shards)]
    seq_base = 49650000000000000000000000000000000000000000000000000000
    stuck_seq = str(seq_base + stuck * 10**40 + rng.randint(10**20, 10**21))
    for t in minutes(start, now, 3):
        for i in range(shards):
            st = t + timedelta(seconds=rng.uniform(0, 170))
            shard = f"shardId-{i:012d}"
            if i == stuck and st >= onset:
                req = k.uid().replace("-", "").upper()[:26] + "AEMVJF66Q9ASUAAJG"
                body = [
                    f"{{ts}}\t{{rid}}\tINFO\tbatch shard={shard} records=200 firstSeq={stuck_seq}\n",
                    f"{{ts}}\t{{rid}}\tERROR\tupdate failed vehicleId={truck} day={onset:%Y-%m-%d} points=+2 ValidationException: Item size to update has exceeded the maximum allowed size\n",
                    f'{{ts}}\t{{rid}}\tERROR\tInvoke Error \t{{"errorType":"ValidationException","errorMessage":"Item size to update has exceeded the maximum allowed size","name":"ValidationException","$fault":"client","$metadata":{{"httpStatusCode":400,"requestId":"{req}","attempts":1,"totalRetryDelay":0}},"__type":"com.amazon.coral.validate#ValidationException","stack":["ValidationException: Item size to update has exceeded the maximum allowed size","    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:867:20)","    at /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:876:5","    at de_CommandError (/var/runtime/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js:2283:14)","    at async Promise.all (index 37)","    at async Runtime.handler (file:///var/task/index.mjs:58:5)"]}}\n',
                ]
                k.lambda_invocation(
                    fn, streams[i], st, body, rng.uniform(180, 320), 1024, rng.randint(140, 170)
                )
            else:
                n = rng.randint(120, 200)
                body = [
                    f"{{ts}}\t{{rid}}\tINFO\tbatch shard={shard} records={n} firstSeq={seq_base + i * 10**40 + rng.randint(10**20, 10**21)}\n",
                    f"{{ts}}\t{{rid}}\tINFO\tupdated {rng.randint(n // 3, n // 2)} vehicle-days\n",
                ]
                k.lambda_invocation(
                    fn, streams[i], st, body, rng.uniform(200, 520), 1024, rng.randint(140, 170)
                )
    rs = k.lambda_stream(start)
    for t in minutes(start, now, 60):
        st = t + timedelta(minutes=5, seconds=rng.randint(0, 20))
        body = [
            f"{{ts}}\t{{rid}}\tINFO\thourly utilisation report: {rng.randint(4000, 9000)} vehicles, written to s3://fleet-reports-{k.account}/hourly/{st:%Y/%m/%d/%H}.csv\n"
        ]
        k.lambda_invocation(
            "fleet-daily-report", rs, st, body, rng.uniform(30000, 70000), 512, rng.randint(200, 380)
        )
    fh = "/aws/kinesisfirehose/truck-positions-archive"
    t = flap - timedelta(minutes=3)
    k.log(
        fh,
        "DestinationDelivery",
        t,
        '{"deliveryStreamARN":"'
        + k.arn("firehose", "deliverystream/truck-positions-archive")
        + '","destination":"arn:aws:s3:::truck-positions-archive-'
        + k.account
        + '","deliveryStreamVersionId":3,"message":"Internal error. Will retry.","errorCode":"S3.InternalError"}',
    )

    # --- CloudTrail -------------------------------------------------------------------------------
    k.tooling_reads(start, now, rng.randint(35, 55))
    dev = k.who_role(
        f"AWSReservedSSO_Developer_{k.hexid(16)}",
        rng.choice(["m.dubois@haulix.example", "k.nowak@haulix.example"]),
        env_change,
    )
    console = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    k.trail_event(
        env_change,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        dev,
        {"functionName": fn, "environment": {}},
        {
            "functionName": fn,
            "functionArn": k.arn("lambda", f"function:{fn}"),
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{k.account}:role/track-writer-role",
            "handler": "index.handler",
            "timeout": 90,
            "memorySize": 1024,
            "lastModified": env_change.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "environment": {},
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
        },
        agent=console,
        ip="198.51.100.23",
    )
    for dt, name, params in [
        (-240, "GetFunction20150331v2", {"functionName": fn}),
        (-200, "GetFunctionConfiguration20150331v2", {"functionName": fn}),
        (60, "GetFunction20150331v2", {"functionName": fn}),
    ]:
        k.trail_event(
            env_change + timedelta(seconds=dt),
            "lambda.amazonaws.com",
            name,
            dev,
            params,
            None,
            read_only=True,
            agent=console,
            ip="198.51.100.23",
        )
    tf = k.who_role("terraform-apply", "terraform-apply-" + k.hexid(8), onset)
    t_tf = onset - timedelta(minutes=rng.randint(15, 40))
    k.trail_event(
        t_tf,
        "firehose.amazonaws.com",
        "TagDeliveryStream",
        tf,
        {
            "deliveryStreamName": "truck-positions-archive",
            "tags": [{"key": "cost-centre", "value": "fleet-data"}],
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.8 aws-sdk-go-v2/1.32.2",
    )
    k.trail_event(
        t_tf + timedelta(seconds=3),
        "kinesis.amazonaws.com",
        "AddTagsToStream",
        tf,
        {"streamName": stream, "tags": {"cost-centre": "fleet-data"}},
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.8 aws-sdk-go-v2/1.32.2",
    )
    for _ in range(rng.randint(4, 7)):
        t = start + timedelta(minutes=rng.randint(0, int((now - start).total_seconds() // 60)))
        k.trail_event(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            k.who_service("kinesis.amazonaws.com"),
            {
                "encryptionContext": {"aws:kinesis:arn": s["StreamARN"]},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            None,
            read_only=True,
            resources=[
                {"accountId": k.account, "type": "AWS::KMS::Key", "ARN": k.arn("kms", f"key/{k.uid()}")}
            ],
        )

    ask = onset + timedelta(minutes=rng.randint(28, 38))
    local = (ask + timedelta(hours=1)).strftime("%H:%M")
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {
            "question": f"dispatch says a bunch of trucks have been frozen on the map for a while now (it's {local} here), others are moving fine. did the track-writer change this morning break something?",
            "alarm_event": k.alarm_event(
                age_alarm, fire, "OK", start - timedelta(days=4), age_alarm["StateReason"]
            ),
            "timezone": "+01:00",
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": table,
                "category": "limit",
                "failure_mode": "dynamodb-item-size-limit",
            },
            "also_accept": [k.arn("dynamodb", f"table/{table}"), f"{table} item {truck}", truck],
            "actions": ["reconfigure", "exclude"],
            "chain": [table, fn, f"{stream} shardId-{stuck:012d}", "dispatch map"],
        },
    )
