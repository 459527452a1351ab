"""clickstream-archiver iterator age alarm late morning (author x, incident 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_x import (
    BOTO_UA,
    DATADOG_UA,
    Kit,
    day_shape,
    floor_to,
    iso,
    jc,
    lambda_assume,
    lambda_deploy,
    lambda_item,
    log_group_item,
    minute_times,
    routine_reads,
)

NAME = "clickstream-replay-iterator-age"
TITLE = "clickstream-archiver IteratorAge alarm in the late morning"
SUMMARY = "The clickstream archiver's iterator age jumps to about a day and its alarm fires."

TZ = ZoneInfo("America/Los_Angeles")
SHARDS = 8


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="us-west-2")
    rng = kit.rng
    day = date(2024, rng.choice([3, 4, 5, 10]), rng.randint(4, 27))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    off = (
        datetime(day.year, day.month, day.day, 12, tzinfo=TZ).utcoffset() or timedelta()
    ).total_seconds() / 3600

    def local(h: int, m: int, d: date = day) -> datetime:
        return datetime(d.year, d.month, d.day, h, m, tzinfo=TZ).astimezone(UTC)

    replay_at = local(10, rng.randint(5, 50)) + timedelta(seconds=rng.randint(0, 59))
    replay_from = local(rng.choice([6, 7, 8]), 0, day - timedelta(days=1))
    backlog0 = (replay_at - replay_from).total_seconds()
    speed = rng.uniform(5.2, 6.8)  # replay reads this many seconds of the stream per second
    fix_deploy = replay_at - timedelta(minutes=rng.randint(35, 60), seconds=rng.randint(0, 59))
    start = floor_to(replay_at - timedelta(hours=7), 3600)
    fine_from = replay_at - timedelta(hours=2)

    stream = "clickstream-events"
    stream_arn = kit.arn("kinesis", f"stream/{stream}")
    archiver, aggregator = "clickstream-archiver", "session-aggregator"
    ops_topic = kit.arn("sns", "data-platform-alerts")
    bucket = f"lumen-clickstream-archive-{kit.account}"
    old_uuid, new_uuid, agg_uuid = kit.uuid(), kit.uuid(), kit.uuid()
    created = start - timedelta(days=rng.randint(200, 500))

    noise_cache: dict[datetime, float] = {}

    def noise(t: datetime) -> float:
        if t not in noise_cache:
            noise_cache[t] = rng.gauss(0, 1)
        return noise_cache[t]

    def traffic(t: datetime) -> float:
        return day_shape(t, off, "office")

    def replaying(t: datetime) -> bool:
        return t >= replay_at

    def lag_seconds(t: datetime) -> float:
        if not replaying(t):
            return 0.4 + 0.3 * abs(noise(t))
        el = (t - replay_at).total_seconds()
        return max(1.0, backlog0 - (speed - 1) * el)

    # the alarm fires on the first full minute of the replay
    # ---- metrics --------------------------------------------------------------------------------------
    ns_k = "AWS/Kinesis"
    sd = {"StreamName": stream}
    now_guess = replay_at + timedelta(minutes=60)
    times = minute_times(start, now_guess, fine_from)
    records_pm = lambda t: (9000 + 52000 * traffic(t)) * (1 + 0.04 * noise(t))  # noqa: E731
    kit.series(ns_k, "IncomingRecords", sd, "Count", records_pm, times)
    kit.series(ns_k, "IncomingBytes", sd, "Bytes", lambda t: records_pm(t) * 1480, times)
    kit.series(ns_k, "PutRecords.SuccessfulRecords", sd, "Count", records_pm, times)
    kit.series(ns_k, "PutRecords.FailedRecords", sd, "Count", lambda t: 0.0, times)
    kit.series(ns_k, "WriteProvisionedThroughputExceeded", sd, "Count", lambda t: 0.0, times)

    def replay_rec(t: datetime) -> float:
        return records_pm(t - timedelta(days=1)) * speed if replaying(t) else 0.0

    kit.series(ns_k, "GetRecords.Records", sd, "Count", lambda t: records_pm(t) * 2 + replay_rec(t), times)
    kit.series(
        ns_k, "GetRecords.Bytes", sd, "Bytes", lambda t: (records_pm(t) * 2 + replay_rec(t)) * 1480, times
    )
    kit.series(
        ns_k,
        "GetRecords.Success",
        sd,
        "Count",
        lambda t: SHARDS * 60 * (2 + (3 if replaying(t) else 0)),
        times,
    )
    kit.series(
        ns_k, "GetRecords.IteratorAgeMilliseconds", sd, "Milliseconds", lambda t: lag_seconds(t) * 1000, times
    )
    kit.series(
        ns_k,
        "ReadProvisionedThroughputExceeded",
        sd,
        "Count",
        lambda t: float(rng.choice([0, 0, 0, 1, 2])) if replaying(t) and noise(t) > 1.2 else 0.0,
        times,
    )

    ns_l = "AWS/Lambda"
    ad = {"FunctionName": archiver}
    gd = {"FunctionName": aggregator}

    def arch_inv(t: datetime) -> float:
        if replaying(t):
            return round(SHARDS * 4 * 60 / 1.9 * (1 + 0.05 * noise(t)))
        return round(SHARDS * (1 + 11 * traffic(t)) * (1 + 0.05 * noise(t)))

    kit.series(ns_l, "Invocations", ad, "Count", arch_inv, times)
    kit.series(ns_l, "Errors", ad, "Count", lambda t: 0.0, times)
    kit.series(ns_l, "Throttles", ad, "Count", lambda t: 0.0, times)
    kit.series(
        ns_l,
        "Duration",
        ad,
        "Milliseconds",
        lambda t: (1850 if replaying(t) else 420 + 600 * traffic(t)) + 80 * noise(t),
        times,
    )
    kit.series(
        ns_l,
        "ConcurrentExecutions",
        ad,
        "Count",
        lambda t: float(SHARDS * 4 if replaying(t) else SHARDS),
        times,
    )
    kit.series(
        ns_l, "IteratorAge", ad, "Milliseconds", lambda t: lag_seconds(t) * 1000 + 200 * abs(noise(t)), times
    )
    kit.series(
        ns_l,
        "Invocations",
        gd,
        "Count",
        lambda t: round(SHARDS * (20 + 25 * traffic(t)) * (1 + 0.04 * noise(t))),
        times,
    )
    kit.series(ns_l, "Errors", gd, "Count", lambda t: 1.0 if noise(t) > 2.7 else 0.0, times)
    kit.series(ns_l, "Throttles", gd, "Count", lambda t: 0.0, times)
    kit.series(ns_l, "Duration", gd, "Milliseconds", lambda t: 95 + 40 * traffic(t) + 8 * noise(t), times)
    kit.series(
        ns_l,
        "IteratorAge",
        gd,
        "Milliseconds",
        lambda t: 350 + 250 * abs(noise(t + timedelta(seconds=3))),
        times,
    )

    # ---- alarms ---------------------------------------------------------------------------------------
    tr = kit.alarm(
        f"{archiver}-iterator-age",
        ns_l,
        "IteratorAge",
        ad,
        "Maximum",
        60,
        3,
        900000,
        "GreaterThanThreshold",
        "clickstream-archiver more than 15 minutes behind the stream",
        start,
        now_guess,
        ops_topic,
    )
    alarm_at = next(x for x in tr if x[2] == "ALARM")[0]
    now = alarm_at + timedelta(minutes=rng.randint(30, 42), seconds=rng.randint(0, 59))
    kit.alarm(
        f"{aggregator}-iterator-age",
        ns_l,
        "IteratorAge",
        gd,
        "Maximum",
        60,
        5,
        60000,
        "GreaterThanThreshold",
        "session-aggregator more than a minute behind: realtime dashboards stale",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{archiver}-errors",
        ns_l,
        "Errors",
        ad,
        "Sum",
        300,
        1,
        5,
        "GreaterThanOrEqualToThreshold",
        "clickstream-archiver errors",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{stream}-write-throttled",
        ns_k,
        "WriteProvisionedThroughputExceeded",
        sd,
        "Sum",
        300,
        2,
        100,
        "GreaterThanThreshold",
        "Producers throttled writing clickstream-events",
        start,
        now,
        ops_topic,
    )
    alarm_event = kit.alarm_event(f"{archiver}-iterator-age", next(x for x in tr if x[2] == "ALARM"))

    # ---- CloudTrail -----------------------------------------------------------------------------------
    deployer = kit.role("gha-deploy-data", "GitHubActions", BOTO_UA.format(n=rng.randint(80, 120)))
    datadog = kit.role(
        "DatadogIntegrationRole", "DatadogAWSIntegration", DATADOG_UA, ip=f"3.233.147.{rng.randint(2, 250)}"
    )
    people = rng.sample(["jonas.becker", "hannah.okafor", "marco.bianchi", "kate.oconnell", "priya.raman"], 3)
    engineer = kit.sso(f"{people[0]}@lumenreads.com", "DataEngineer")
    other = kit.sso(f"{people[1]}@lumenreads.com", "PowerUserAccess", console=True)
    oncall = kit.sso(f"{people[2]}@lumenreads.com", "ReadOnlyAccess", console=True)
    routine_reads(
        kit,
        start,
        now,
        22,
        [
            (datadog, "monitoring.amazonaws.com", "GetMetricData", None),
            (datadog, "kinesis.amazonaws.com", "ListStreams", None),
            (datadog, "lambda.amazonaws.com", "ListFunctions20150331", None),
            (datadog, "lambda.amazonaws.com", "ListEventSourceMappings", None),
            (datadog, "tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
        ],
    )
    for _k in range(4):
        lambda_assume(
            kit,
            start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds())),
            f"{aggregator}-exec",
            aggregator,
        )
    lambda_deploy(kit, fix_deploy, deployer, archiver)
    fn_arn = kit.arn("lambda", f"function:{archiver}")
    esm_common = {
        "eventSourceArn": stream_arn,
        "functionArn": fn_arn,
        "batchSize": 500,
        "maximumBatchingWindowInSeconds": 5,
        "bisectBatchOnFunctionError": True,
        "maximumRetryAttempts": 10,
        "functionResponseTypes": ["ReportBatchItemFailures"],
    }
    t0 = replay_at - timedelta(minutes=rng.randint(6, 12))
    kit.ct(
        t0 - timedelta(minutes=3),
        engineer,
        "kinesis.amazonaws.com",
        "DescribeStreamSummary",
        {"streamName": stream},
        None,
        read_only=True,
    )
    kit.ct(
        t0 - timedelta(minutes=2),
        engineer,
        "lambda.amazonaws.com",
        "ListEventSourceMappings",
        {"functionName": archiver},
        None,
        read_only=True,
    )
    kit.ct(
        t0 - timedelta(seconds=50),
        engineer,
        "lambda.amazonaws.com",
        "PutFunctionConcurrency20171031",
        {"functionName": archiver, "reservedConcurrentExecutions": 40},
        {"reservedConcurrentExecutions": 40},
    )
    kit.ct(
        t0,
        engineer,
        "lambda.amazonaws.com",
        "DeleteEventSourceMapping20150331",
        {"uUID": old_uuid},
        {
            "uUID": old_uuid,
            "state": "Deleting",
            "stateTransitionReason": "USER_INITIATED",
            **esm_common,
            "parallelizationFactor": 1,
        },
    )
    created_esm = replay_at - timedelta(seconds=rng.randint(40, 80))
    kit.ct(
        created_esm,
        engineer,
        "lambda.amazonaws.com",
        "CreateEventSourceMapping20150331",
        {
            **esm_common,
            "startingPosition": "AT_TIMESTAMP",
            "startingPositionTimestamp": replay_from.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            "parallelizationFactor": 4,
            "enabled": True,
        },
        {
            "uUID": new_uuid,
            "state": "Creating",
            "stateTransitionReason": "USER_INITIATED",
            "startingPosition": "AT_TIMESTAMP",
            "startingPositionTimestamp": replay_from.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            "parallelizationFactor": 4,
            "lastModified": created_esm.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            **esm_common,
        },
    )
    kit.ct(
        replay_at + timedelta(minutes=rng.randint(2, 5)),
        engineer,
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "clickstream-archiver-backfill"},
        {"dashboardValidationMessages": []},
    )
    kit.ct(
        replay_at - timedelta(minutes=rng.randint(15, 25)),
        other,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/recs-api/prod/feature/carousel_v3", "type": "String", "overwrite": True},
        {"version": rng.randint(3, 20), "tier": "Standard"},
    )
    kit.ct(
        replay_at + timedelta(minutes=rng.randint(6, 14)),
        other,
        "glue.amazonaws.com",
        "StartCrawler",
        {"name": "clickstream-archive-daily"},
        None,
    )
    for i, (src, name) in enumerate(
        [
            ("lambda.amazonaws.com", "ListEventSourceMappings"),
            ("kinesis.amazonaws.com", "DescribeStreamSummary"),
        ]
    ):
        kit.ct(
            alarm_at + timedelta(minutes=5 + 4 * i, seconds=rng.randint(0, 50)),
            oncall,
            src,
            name,
            {"functionName": archiver} if "lambda" in src else {"streamName": stream},
            None,
            read_only=True,
        )

    # ---- logs -----------------------------------------------------------------------------------------
    group = f"/aws/lambda/{archiver}"
    st_old = [kit.lambda_stream(start, "$LATEST") for _ in range(2)]
    st_new = [kit.lambda_stream(fix_deploy, "$LATEST") for _ in range(4)]
    t = start + timedelta(minutes=rng.randint(1, 10))
    while t < now:
        stream_name = rng.choice(st_new if t > fix_deploy else st_old)
        shard = f"shardId-{rng.randint(0, SHARDS - 1):012d}"
        arrival = t - timedelta(seconds=lag_seconds(t))
        recs = 500 if replaying(t) else rng.randint(40, 260)
        key = f"s3://{bucket}/events/dt={arrival.astimezone(UTC):%Y-%m-%d}/hr={arrival.astimezone(UTC):%H}/{shard}-{kit.hex(16)}.json.gz"
        body = [
            "{ts}\t{rid}\tINFO\t"
            + jc(
                {
                    "level": "info",
                    "msg": "archived batch",
                    "shardId": shard,
                    "records": recs,
                    "firstArrival": iso(arrival),
                    "key": key,
                }
            )
            + "\n"
        ]
        if t > fix_deploy and rng.random() < 0.3:
            body.insert(
                0,
                "{ts}\t{rid}\tINFO\t"
                + jc(
                    {
                        "level": "info",
                        "msg": "schema v2 events kept",
                        "count": rng.randint(2, recs // 4 + 3),
                        "shardId": shard,
                    }
                )
                + "\n",
            )
        if t <= fix_deploy and rng.random() < 0.5:
            body.insert(
                0,
                "{ts}\t{rid}\tWARN\t"
                + jc(
                    {
                        "level": "warn",
                        "msg": "dropping events that fail schema",
                        "count": rng.randint(3, 60),
                        "reason": "unknown property consent_v2",
                        "shardId": shard,
                    }
                )
                + "\n",
            )
        dur = 1850 + rng.uniform(-300, 400) if replaying(t) else rng.uniform(300, 1100)
        kit.lambda_invocation(group, stream_name, t, dur, 1024, rng.randint(300, 420), body)
        t += timedelta(
            minutes=rng.uniform(1.2, 2.4) if t >= fine_from else rng.uniform(15, 25),
            seconds=rng.randint(0, 20),
        )
    agg_group = f"/aws/lambda/{aggregator}"
    agg_stream = kit.lambda_stream(start, "$LATEST")
    t = start + timedelta(minutes=rng.randint(1, 10))
    while t < now:
        kit.lambda_invocation(
            agg_group,
            agg_stream,
            t,
            rng.uniform(60, 160),
            512,
            rng.randint(130, 160),
            [
                "{ts}\t{rid}\tINFO\t"
                + jc(
                    {
                        "level": "info",
                        "msg": "sessions updated",
                        "sessions": rng.randint(80, 900),
                        "lateEvents": rng.randint(0, 3),
                    }
                )
                + "\n"
            ],
        )
        t += timedelta(minutes=rng.uniform(4, 8) if t >= fine_from else rng.uniform(20, 40))

    # ---- resources ------------------------------------------------------------------------------------
    kit.res(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": stream,
            "StreamARN": stream_arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": 168,
            "StreamCreationTimestamp": iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": SHARDS,
            "ConsumerCount": 0,
        },
    )
    step = 2**128 // SHARDS
    for i in range(SHARDS):
        kit.res(
            "kinesis",
            "StreamShard",
            {
                "StreamName": stream,
                "ShardId": f"shardId-{i:012d}",
                "HashKeyRange": {
                    "StartingHashKey": str(i * step),
                    "EndingHashKey": str((i + 1) * step - 1 if i < SHARDS - 1 else 2**128 - 1),
                },
                "SequenceNumberRange": {
                    "StartingSequenceNumber": str(
                        49_600_000_000_000_000_000_000_000_000_000_000_000_000_000 + rng.randint(0, 10**40)
                    )
                },
            },
        )
    kit.res(
        "lambda",
        "FunctionConfiguration",
        lambda_item(
            kit,
            archiver,
            "nodejs20.x",
            "dist/archive.handler",
            f"{archiver}-exec",
            1024,
            120,
            fix_deploy,
            {"ARCHIVE_BUCKET": bucket},
            None,
            "Archives clickstream events to S3",
        ),
    )
    kit.res(
        "lambda",
        "FunctionConfiguration",
        lambda_item(
            kit,
            aggregator,
            "nodejs20.x",
            "dist/sessions.handler",
            f"{aggregator}-exec",
            512,
            60,
            created + timedelta(days=150),
            {"SESSIONS_TABLE": "live-sessions"},
            None,
            "Realtime session aggregates for the live dashboard",
        ),
    )
    kit.res("lambda", "FunctionConcurrency", {"FunctionName": archiver, "ReservedConcurrentExecutions": 40})
    kit.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": new_uuid,
            "StartingPosition": "AT_TIMESTAMP",
            "StartingPositionTimestamp": iso(replay_from),
            "BatchSize": 500,
            "MaximumBatchingWindowInSeconds": 5,
            "ParallelizationFactor": 4,
            "EventSourceArn": stream_arn,
            "FunctionArn": fn_arn,
            "LastModified": iso(replay_at),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 10,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{new_uuid}"),
        },
    )
    kit.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": agg_uuid,
            "StartingPosition": "LATEST",
            "BatchSize": 200,
            "MaximumBatchingWindowInSeconds": 0,
            "ParallelizationFactor": 1,
            "EventSourceArn": stream_arn,
            "FunctionArn": kit.arn("lambda", f"function:{aggregator}"),
            "LastModified": iso(created + timedelta(days=150)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": 3600,
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": 3,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": [],
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{agg_uuid}"),
        },
    )
    kit.res("s3", "Bucket", {"Name": bucket, "CreationDate": iso(created), "BucketRegion": kit.region})
    for g in (group, agg_group):
        kit.res("logs", "LogGroup", log_group_item(kit, g, created))

    # datapoints were generated to a provisional end; the bundle keeps only what exists at `now`
    manifest = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": None, "alarm_event": alarm_event},
        "truth": {"no_fault": True},
    }
    return kit.bundle(manifest)
