"""player-events Firehose freshness alarm paging through the night (kit zu, incident 4)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zu import (
    CONSOLE_UA,
    Alarm,
    Ids,
    Rec,
    count,
    ct,
    datum,
    day_shape,
    iso,
    iso_ms,
    jitter,
    lambda_points,
    lambda_report,
    lambda_stream,
    log,
    log_group,
    per_period,
    res,
    role_principal,
    service_principal,
    sort_records,
    sso_principal,
    stat_datum,
    terraform_ua,
)

NAME = "player-events-freshness-night"
TITLE = "New player-events Firehose freshness alarm paging repeatedly overnight"
SUMMARY = (
    "A freshness alarm added that afternoon fires and clears all night: at night-time volume the 900 s buffer "
    "interval, not the 128 MB size, triggers delivery, as on every previous night. Delivery is healthy."
)

TZ = 1  # Europe/Dublin, summer (IST)
MB = 1024 * 1024


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    acct = ids.account()
    region = "eu-west-1"
    day = datetime(2024, 6, 4, tzinfo=UTC) + timedelta(days=rng.randint(0, 90))
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    # `day` is the evening the alarm is created; the pages come after local midnight.
    alarm_created = day + timedelta(hours=14, minutes=rng.randint(5, 50), seconds=rng.randint(0, 59))
    start = (day - timedelta(days=2)).replace(hour=12)
    stream = "player-events-to-s3"
    stream_arn = f"arn:aws:firehose:{region}:{acct}:deliverystream/{stream}"
    bucket = f"pinecrest-analytics-raw-{acct}"
    fn = "player-events-collector"
    api_id = ids.hexs(10)
    peak_mbps = rng.uniform(3.8, 5.0)
    rec_size = rng.randint(610, 690)
    buf_bytes = 128 * MB
    interval = 900

    def local_h(t: datetime) -> float:
        return ((t.hour + TZ) % 24) + t.minute / 60

    def mbps(t: datetime) -> float:
        return peak_mbps * day_shape(local_h(t), peak=20.5, night=0.012, sharp=3.0)

    # --- minute simulation of the buffer -----------------------------------------------------------
    end_sim = day + timedelta(hours=28)
    sim: dict[datetime, dict[str, float]] = {}
    buf = 0.0
    buf_recs = 0
    oldest: datetime | None = None
    t = start - timedelta(hours=1)
    while t <= end_sim:
        b = max(0.0, jitter(rng, mbps(t), 0.07)) * MB * 60
        recs = max(1, int(b / rec_size))
        puts = max(1, count(rng, recs / rng.uniform(18, 24)))
        delivered_recs = 0
        delivered_bytes = 0.0
        deliveries = 0
        fresh_max = 0.0
        # within the minute: fill in 6 slices of 10 s
        for k in range(6):
            now_k = t + timedelta(seconds=10 * k + 10)
            if oldest is None:
                oldest = t + timedelta(seconds=10 * k)
            buf += b / 6
            buf_recs += recs // 6
            age = (now_k - oldest).total_seconds()
            fresh_max = max(fresh_max, age)
            if buf >= buf_bytes or age >= interval:
                delivered_recs += buf_recs
                delivered_bytes += buf
                deliveries += 1
                buf = 0.0
                buf_recs = 0
                oldest = None
        sim[t] = {
            "bytes": b,
            "recs": recs,
            "puts": puts,
            "dr": delivered_recs,
            "db": delivered_bytes,
            "n": deliveries,
            "fresh": fresh_max + rng.uniform(3, 14),
        }
        t += timedelta(minutes=1)

    # --- the alarm: evaluate over the simulated freshness to find the pages -------------------------
    topic = f"arn:aws:sns:{region}:{acct}:data-platform-pager"
    fd = {"DeliveryStreamName": stream}
    five: dict[datetime, float] = {}
    for m, row in sim.items():
        k5 = m - timedelta(minutes=m.minute % 5)
        five[k5] = max(five.get(k5, 0.0), row["fresh"])
    fresh_alarm = Alarm(
        acct,
        region,
        "player-events-firehose-freshness",
        "Data in player-events-to-s3 older than 10 minutes before delivery to S3",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        fd,
        "Maximum",
        300,
        1,
        1,
        600,
        "GreaterThanThreshold",
        [topic],
        configured=alarm_created,
    )
    fresh_alarm.created(alarm_created)
    probe_now = day + timedelta(hours=28)
    fresh_alarm.evaluate(
        {k: v for k, v in five.items() if k >= alarm_created},
        alarm_created + timedelta(minutes=2),
        probe_now,
        rng,
        state="INSUFFICIENT_DATA",
    )
    pages = [tr for tr in fresh_alarm.transitions if tr[2] == "ALARM"]
    first_page = pages[0][0]
    # the on-call asks after the fourth page (or the last one before morning traffic)
    target = pages[min(3, len(pages) - 1)][0]
    now = target + timedelta(minutes=rng.randint(9, 16), seconds=rng.randint(0, 59))
    # re-run the alarm up to `now` only
    fresh_alarm = Alarm(
        acct,
        region,
        "player-events-firehose-freshness",
        "Data in player-events-to-s3 older than 10 minutes before delivery to S3",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        fd,
        "Maximum",
        300,
        1,
        1,
        600,
        "GreaterThanThreshold",
        [topic],
        configured=alarm_created,
    )
    arng = random.Random(f"{NAME}:{seed}:alarm")
    fresh_alarm.created(alarm_created)
    fresh_alarm.evaluate(
        {k: v for k, v in five.items() if k >= alarm_created},
        alarm_created + timedelta(minutes=2),
        now,
        arng,
        state="INSUFFICIENT_DATA",
    )
    fine_from = now - timedelta(hours=4)

    # --- metrics ---------------------------------------------------------------------------------
    metrics: list[Rec] = []
    ad = {"ApiId": api_id, "Stage": "$default"}
    t = start
    while t <= now:
        block = [t + timedelta(minutes=k) for k in range(5)] if t < fine_from else [t]
        rows = [sim[m] for m in block]

        def tot(key: str, rows: list[dict[str, float]] = rows) -> float:
            return sum(r[key] for r in rows)

        metrics.append(datum("AWS/Firehose", "IncomingBytes", fd, t, "Bytes", round(tot("bytes"))))
        metrics.append(datum("AWS/Firehose", "IncomingRecords", fd, t, "Count", round(tot("recs"))))
        metrics.append(datum("AWS/Firehose", "IncomingPutRequests", fd, t, "Count", round(tot("puts"))))
        metrics.append(
            datum(
                "AWS/Firehose",
                "DeliveryToS3.DataFreshness",
                fd,
                t,
                "Seconds",
                round(max(r["fresh"] for r in rows), 1),
            )
        )
        if tot("n"):
            metrics.append(datum("AWS/Firehose", "DeliveryToS3.Records", fd, t, "Count", round(tot("dr"))))
            metrics.append(
                datum("AWS/Firehose", "DeliveryToS3.Bytes", fd, t, "Bytes", round(tot("db") / 6.8))
            )
            metrics.append(datum("AWS/Firehose", "DeliveryToS3.Success", fd, t, "None", 1.0))
        metrics.append(datum("AWS/Firehose", "BytesPerSecondLimit", fd, t, "Bytes/Second", 5 * MB))
        calls = round(tot("puts"))
        metrics.append(datum("AWS/ApiGateway", "Count", ad, t, "Count", calls))
        metrics.append(datum("AWS/ApiGateway", "5xx", ad, t, "Count", count(rng, calls * 0.00002)))
        metrics.append(datum("AWS/ApiGateway", "4xx", ad, t, "Count", count(rng, calls * 0.003)))
        metrics.append(
            stat_datum(
                "AWS/ApiGateway",
                "Latency",
                ad,
                t,
                "Milliseconds",
                max(1, calls),
                max(1, calls) * jitter(rng, 46, 0.05),
                12,
                rng.uniform(240, 600),
            )
        )
        lambda_points(
            metrics,
            rng,
            fn,
            t,
            calls,
            jitter(rng, 31, 0.06),
            concurrency=max(1.0, round(calls / (60 * len(block)) * 0.031 * 1.5 + rng.random())),
        )
        t += timedelta(minutes=len(block))

    # --- other alarms ----------------------------------------------------------------------------
    a_err = Alarm(
        acct,
        region,
        "player-events-collector-errors",
        "player-events-collector Lambda errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        "Sum",
        300,
        2,
        2,
        20,
        "GreaterThanThreshold",
        [topic],
        missing="notBreaching",
        configured=start - timedelta(days=210),
    )
    a_err.evaluate(
        per_period(metrics, "AWS/Lambda", "Errors", {"FunctionName": fn}, 300, "Sum"), start, now, rng
    )
    a_api = Alarm(
        acct,
        region,
        "player-events-api-5xx",
        "collect API 5xx",
        "AWS/ApiGateway",
        "5xx",
        ad,
        "Sum",
        300,
        3,
        3,
        50,
        "GreaterThanThreshold",
        [topic],
        missing="notBreaching",
        configured=start - timedelta(days=210),
    )
    a_api.evaluate(per_period(metrics, "AWS/ApiGateway", "5xx", ad, 300, "Sum"), start, now, rng)
    a_thr = Alarm(
        acct,
        region,
        "player-events-firehose-throttled",
        "Firehose throttling PutRecordBatch from the collector",
        "AWS/Firehose",
        "ThrottledRecords",
        fd,
        "Sum",
        300,
        1,
        1,
        0,
        "GreaterThanThreshold",
        [topic],
        missing="notBreaching",
        configured=alarm_created,
    )
    a_thr.created(alarm_created)
    a_thr.evaluate({}, alarm_created, now, rng, state="INSUFFICIENT_DATA")
    if a_thr.state == "INSUFFICIENT_DATA":
        # notBreaching missing data: the first evaluation puts it in OK
        a_thr.history.append(
            {
                "AlarmName": a_thr.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(alarm_created + timedelta(minutes=1, seconds=rng.randint(5, 40))),
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
                            "stateReason": "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
                            "stateReasonData": {
                                "version": "1.0",
                                "queryDate": iso_ms(alarm_created + timedelta(minutes=1)).replace(
                                    "Z", "+0000"
                                ),
                                "statistic": "Sum",
                                "period": 300,
                                "recentDatapoints": [],
                                "threshold": 0.0,
                            },
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
        a_thr.state = "OK"
        a_thr.reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
        a_thr.reason_data = json.dumps(
            {
                "version": "1.0",
                "queryDate": iso_ms(alarm_created + timedelta(minutes=1)).replace("Z", "+0000"),
                "statistic": "Sum",
                "period": 300,
                "recentDatapoints": [],
                "threshold": 0.0,
            },
            separators=(",", ":"),
        )
        a_thr.updated = alarm_created + timedelta(minutes=1)
    alarms = [fresh_alarm, a_err, a_api, a_thr]

    # --- logs: the collector, sampled --------------------------------------------------------------
    logs: list[Rec] = []
    group = f"/aws/lambda/{fn}"
    lstreams = [lambda_stream(rng, ids, now - timedelta(hours=3), "44") for _ in range(3)]
    t = now - timedelta(hours=3)
    while t <= now:
        row = sim[t.replace(second=0, microsecond=0)]
        for _ in range(min(4, max(1, int(row["puts"] / 400)))):
            at = t + timedelta(seconds=rng.uniform(0, 59))
            if at > now:
                continue
            st = rng.choice(lstreams)
            rid = ids.uuid()
            dur = jitter(rng, 31, 0.25)
            logs.append(log(group, st, at, f"START RequestId: {rid} Version: 44"))
            if rng.random() < 0.04:
                logs.append(
                    log(
                        group,
                        st,
                        at + timedelta(milliseconds=dur - 4),
                        f"{iso_ms(at)}\t{rid}\tWARN\t"
                        + json.dumps(
                            {
                                "msg": "dropped malformed event",
                                "reason": "missing session_id",
                                "client": rng.choice(["ios/7.12.0", "android/7.11.3", "web/2024.21.1"]),
                            }
                        ),
                    )
                )
            logs.append(
                log(
                    group,
                    st,
                    at + timedelta(milliseconds=dur - 2),
                    f"{iso_ms(at)}\t{rid}\tINFO\t"
                    + json.dumps(
                        {
                            "msg": "forwarded",
                            "events": rng.randint(8, 40),
                            "failedPutCount": 0,
                            "deliveryStream": stream,
                        }
                    ),
                )
            )
            logs.append(log(group, st, at + timedelta(milliseconds=dur), f"END RequestId: {rid}"))
            logs.append(
                log(
                    group,
                    st,
                    at + timedelta(milliseconds=dur + 1),
                    lambda_report(rng, rid, dur, 256, rng.randint(74, 83)),
                )
            )
        t += timedelta(minutes=1)

    # --- CloudTrail ------------------------------------------------------------------------------
    ct_recs: list[Rec] = []
    ci = role_principal(
        ids,
        acct,
        "gha-data-platform-deploy",
        f"GitHubActions-{rng.randint(9300000000, 9399999999)}",
        ids.ip(),
        terraform_ua("cloudwatch#1.38.0"),
        alarm_created - timedelta(minutes=5),
    )
    _reads0: list[tuple[str, str, Rec]] = [
        ("firehose.amazonaws.com", "DescribeDeliveryStream", {"deliveryStreamName": stream}),
        (
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNames": ["player-events-firehose-freshness"]},
        ),
        (
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNames": ["player-events-firehose-throttled"]},
        ),
    ]
    for k, (src, name, prm) in enumerate(_reads0):
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                ci,
                alarm_created - timedelta(seconds=40 - 4 * k),
                src,
                name,
                prm,
                None,
                read_only=True,
            )
        )
    for a, at in [(fresh_alarm, alarm_created), (a_thr, alarm_created + timedelta(seconds=1))]:
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                ci,
                at,
                "monitoring.amazonaws.com",
                "PutMetricAlarm",
                {
                    "alarmName": a.name,
                    "alarmDescription": a.description,
                    "actionsEnabled": True,
                    "oKActions": [topic],
                    "alarmActions": [topic],
                    "insufficientDataActions": [],
                    "metricName": a.metric,
                    "namespace": a.ns,
                    "statistic": a.stat,
                    "dimensions": [{"name": "DeliveryStreamName", "value": stream}],
                    "period": 300,
                    "evaluationPeriods": 1,
                    "datapointsToAlarm": 1,
                    "threshold": a.threshold,
                    "comparisonOperator": "GreaterThanThreshold",
                    "treatMissingData": a.missing,
                },
                None,
            )
        )
    # nightly release train: Glue job update
    train = role_principal(
        ids,
        acct,
        "gha-data-platform-deploy",
        f"GitHubActions-{rng.randint(9400000000, 9499999999)}",
        ids.ip(),
        terraform_ua("glue#1.80.0"),
        first_page - timedelta(minutes=30),
    )
    tr_t = first_page - timedelta(minutes=rng.randint(14, 24), seconds=rng.randint(0, 59))
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            train,
            tr_t - timedelta(seconds=12),
            "glue.amazonaws.com",
            "GetJob",
            {"jobName": "sessionize-daily"},
            None,
            read_only=True,
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            train,
            tr_t,
            "glue.amazonaws.com",
            "UpdateJob",
            {
                "jobName": "sessionize-daily",
                "jobUpdate": {
                    "role": f"arn:aws:iam::{acct}:role/glue-sessionize",
                    "command": {
                        "name": "glueetl",
                        "scriptLocation": f"s3://pinecrest-glue-scripts-{acct}/sessionize_daily.py",
                        "pythonVersion": "3",
                    },
                    "defaultArguments": {
                        "--source_table": "raw.player_events",
                        "--target_table": "curated.sessions",
                        "--session_gap_minutes": "30",
                        "--enable-metrics": "true",
                    },
                    "maxRetries": 1,
                    "timeout": 180,
                    "workerType": "G.1X",
                    "numberOfWorkers": 10,
                    "glueVersion": "4.0",
                },
            },
            {"jobName": "sessionize-daily"},
        )
    )
    # a colleague in New York raising the collector's reserved concurrency
    ny = sso_principal(
        ids,
        acct,
        region,
        "PlatformEngineer",
        "marcus.reyes@pinecrest.media",
        ids.ip(),
        CONSOLE_UA,
        first_page - timedelta(hours=1),
    )
    ny.identity["sessionCredentialFromConsole"] = "true"
    pc_t = first_page + timedelta(minutes=rng.randint(6, 18), seconds=rng.randint(0, 59))
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            ny,
            pc_t - timedelta(minutes=1),
            "lambda.amazonaws.com",
            "GetFunctionConcurrency",
            {"functionName": fn},
            None,
            read_only=True,
            version="1.08",
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            ny,
            pc_t,
            "lambda.amazonaws.com",
            "PutFunctionConcurrency20171031",
            {"functionName": fn, "reservedConcurrentExecutions": 200},
            {"reservedConcurrentExecutions": 200},
            version="1.08",
        )
    )
    # secrets rotation for an unrelated reporting database
    sm = service_principal("secretsmanager.amazonaws.com")
    rot_t = first_page + timedelta(minutes=rng.randint(-25, -5))
    sec_arn = f"arn:aws:secretsmanager:{region}:{acct}:secret:reporting-pg/readonly-{ids.upper(6)}"
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            sm,
            rot_t,
            "secretsmanager.amazonaws.com",
            "RotationStarted",
            None,
            None,
            version="1.08",
        )
    )
    ct_recs[-1]["eventType"] = "AwsServiceEvent"
    ct_recs[-1]["additionalEventData"] = {"SecretId": sec_arn}
    ct_recs[-1].pop("requestID", None)
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            sm,
            rot_t + timedelta(seconds=rng.randint(20, 50)),
            "secretsmanager.amazonaws.com",
            "RotationSucceeded",
            None,
            None,
            version="1.08",
        )
    )
    ct_recs[-1]["eventType"] = "AwsServiceEvent"
    ct_recs[-1]["additionalEventData"] = {"SecretId": sec_arn}
    ct_recs[-1].pop("requestID", None)
    # Firehose assuming its delivery role, hourly
    fh = service_principal("firehose.amazonaws.com")
    fh_role = f"arn:aws:iam::{acct}:role/firehose-player-events"
    h = start
    while h <= now:
        at = h + timedelta(minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        if at <= now:
            sess = ids.hexs(8)
            ct_recs.append(
                ct(
                    ids,
                    acct,
                    region,
                    fh,
                    at,
                    "sts.amazonaws.com",
                    "AssumeRole",
                    {"roleArn": fh_role, "roleSessionName": sess, "durationSeconds": 3600},
                    {
                        "credentials": {
                            "accessKeyId": ids.access_key(),
                            "sessionToken": ids.b64(40),
                            "expiration": (at + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
                        },
                        "assumedRoleUser": {
                            "assumedRoleId": f"{ids.role_id()}:{sess}",
                            "arn": f"arn:aws:sts::{acct}:assumed-role/firehose-player-events/{sess}",
                        },
                    },
                    resources=[{"accountId": acct, "type": "AWS::IAM::Role", "ARN": fh_role}],
                    version="1.08",
                )
            )
        h += timedelta(hours=1)
    # daytime: analysts and the data team
    an = sso_principal(
        ids, acct, region, "DataAnalyst", "niamh.kelly@pinecrest.media", ids.ip(), CONSOLE_UA, start
    )
    an.identity["sessionCredentialFromConsole"] = "true"
    for k in range(14):
        at = start + timedelta(days=k // 7, hours=8 + (k % 7) * 1.3, minutes=rng.randint(0, 50))
        if at < now:
            ct_recs.append(
                ct(
                    ids,
                    acct,
                    region,
                    an,
                    at,
                    "athena.amazonaws.com",
                    "StartQueryExecution",
                    {
                        "queryString": "SELECT date_trunc('hour', event_time) h, count(*) FROM raw.player_events WHERE dt = current_date - interval '1' day GROUP BY 1 ORDER BY 1",
                        "clientRequestToken": ids.uuid(),
                        "queryExecutionContext": {"database": "raw"},
                        "workGroup": "analysts",
                    },
                    {"queryExecutionId": ids.uuid()},
                )
            )
    # on-call after the page
    oc = sso_principal(
        ids,
        acct,
        region,
        "PlatformEngineer",
        "ciara.doyle@pinecrest.media",
        ids.ip(),
        CONSOLE_UA,
        now - timedelta(minutes=8),
    )
    oc.identity["sessionCredentialFromConsole"] = "true"
    _reads1: list[tuple[str, str, Rec]] = [
        (
            "monitoring.amazonaws.com",
            "DescribeAlarmHistory",
            {"alarmName": "player-events-firehose-freshness", "historyItemType": "StateUpdate"},
        ),
        ("firehose.amazonaws.com", "DescribeDeliveryStream", {"deliveryStreamName": stream}),
    ]
    for k, (src, name, prm) in enumerate(_reads1):
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                oc,
                now - timedelta(minutes=6 - 2 * k, seconds=rng.randint(0, 50)),
                src,
                name,
                prm,
                None,
                read_only=True,
            )
        )

    # --- resources -------------------------------------------------------------------------------
    created = start - timedelta(days=480)
    resources: list[Rec] = []
    resources.append(
        res(
            "firehose",
            "DeliveryStreamDescription",
            {
                "DeliveryStreamName": stream,
                "DeliveryStreamARN": stream_arn,
                "DeliveryStreamStatus": "ACTIVE",
                "DeliveryStreamEncryptionConfiguration": {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"},
                "DeliveryStreamType": "DirectPut",
                "VersionId": "11",
                "CreateTimestamp": iso(created),
                "LastUpdateTimestamp": iso(start - timedelta(days=37, hours=3)),
                "Destinations": [
                    {
                        "DestinationId": "destinationId-000000000001",
                        "ExtendedS3DestinationDescription": {
                            "RoleARN": fh_role,
                            "BucketARN": f"arn:aws:s3:::{bucket}",
                            "Prefix": "player_events/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/",
                            "ErrorOutputPrefix": "errors/player_events/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/",
                            "BufferingHints": {"SizeInMBs": 128, "IntervalInSeconds": interval},
                            "CompressionFormat": "GZIP",
                            "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                            "CloudWatchLoggingOptions": {
                                "Enabled": True,
                                "LogGroupName": f"/aws/kinesisfirehose/{stream}",
                                "LogStreamName": "DestinationDelivery",
                            },
                            "ProcessingConfiguration": {"Enabled": False, "Processors": []},
                            "S3BackupMode": "Disabled",
                            "DataFormatConversionConfiguration": {"Enabled": False},
                        },
                    }
                ],
                "HasMoreDestinations": False,
            },
        )
    )
    resources.append(
        res(
            "s3",
            "Bucket",
            {"Name": bucket, "CreationDate": iso(created - timedelta(days=30)), "BucketRegion": region},
        )
    )
    resources.append(
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{fn}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{fn}",
                "Handler": "index.handler",
                "CodeSize": rng.randint(90000, 300000),
                "Description": "Validates player beacons from the collect API and forwards them to Firehose",
                "Timeout": 10,
                "MemorySize": 256,
                "LastModified": (start - timedelta(days=9, hours=5)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": ids.b64(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": {"DELIVERY_STREAM": stream}},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": ids.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": group},
            },
        )
    )
    resources.append(
        res("lambda", "FunctionConcurrency", {"FunctionName": fn, "ReservedConcurrentExecutions": 200})
    )
    resources.append(
        res(
            "apigatewayv2",
            "Api",
            {
                "ApiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
                "ApiId": api_id,
                "Name": "player-collect",
                "ProtocolType": "HTTP",
                "RouteSelectionExpression": "$request.method $request.path",
                "CreatedDate": iso(created),
                "DisableExecuteApiEndpoint": True,
                "Tags": {"service": "player-analytics"},
            },
        )
    )
    resources.append(
        res(
            "apigatewayv2",
            "ApiStage",
            {
                "ApiId": api_id,
                "StageName": "$default",
                "AutoDeploy": True,
                "CreatedDate": iso(created),
                "LastUpdatedDate": iso(start - timedelta(days=9, hours=5)),
                "DefaultRouteSettings": {
                    "DetailedMetricsEnabled": False,
                    "ThrottlingBurstLimit": 5000,
                    "ThrottlingRateLimit": 10000.0,
                },
            },
        )
    )
    resources.append(
        res(
            "apigatewayv2",
            "ApiRoute",
            {
                "ApiId": api_id,
                "RouteId": ids.hexs(7),
                "RouteKey": "POST /v1/beacons",
                "Target": f"integrations/{ids.hexs(7)}",
                "AuthorizationType": "NONE",
                "ApiKeyRequired": False,
            },
        )
    )
    resources.append(
        res(
            "glue",
            "Job",
            {
                "Name": "sessionize-daily",
                "Description": "Builds curated.sessions from yesterday's player events",
                "Role": f"arn:aws:iam::{acct}:role/glue-sessionize",
                "CreatedOn": iso(created + timedelta(days=40)),
                "LastModifiedOn": iso(tr_t),
                "ExecutionProperty": {"MaxConcurrentRuns": 1},
                "Command": {
                    "Name": "glueetl",
                    "ScriptLocation": f"s3://pinecrest-glue-scripts-{acct}/sessionize_daily.py",
                    "PythonVersion": "3",
                },
                "DefaultArguments": {
                    "--source_table": "raw.player_events",
                    "--target_table": "curated.sessions",
                    "--session_gap_minutes": "30",
                    "--enable-metrics": "true",
                },
                "MaxRetries": 1,
                "Timeout": 180,
                "WorkerType": "G.1X",
                "NumberOfWorkers": 10,
                "GlueVersion": "4.0",
            },
        )
    )
    resources.append(
        res(
            "glue",
            "Table",
            {
                "Name": "player_events",
                "DatabaseName": "raw",
                "CreateTime": iso(created + timedelta(hours=5)),
                "TableType": "EXTERNAL_TABLE",
                "StorageDescriptor": {
                    "Columns": [
                        {"Name": c, "Type": ty}
                        for c, ty in [
                            ("event_time", "timestamp"),
                            ("session_id", "string"),
                            ("user_id", "string"),
                            ("content_id", "string"),
                            ("event", "string"),
                            ("position_ms", "bigint"),
                            ("client", "string"),
                        ]
                    ],
                    "Location": f"s3://{bucket}/player_events/",
                    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
                },
                "PartitionKeys": [{"Name": "dt", "Type": "string"}, {"Name": "hr", "Type": "string"}],
                "Parameters": {
                    "EXTERNAL": "TRUE",
                    "projection.enabled": "true",
                    "projection.dt.type": "date",
                    "projection.dt.format": "yyyy-MM-dd",
                    "projection.dt.range": "2023-01-01,NOW",
                    "projection.hr.type": "integer",
                    "projection.hr.range": "0,23",
                    "projection.hr.digits": "2",
                    "storage.location.template": f"s3://{bucket}/player_events/dt=${{dt}}/hr=${{hr}}/",
                },
                "CatalogId": acct,
            },
        )
    )
    resources.append(
        res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": "firehose-player-events",
                "RoleId": ids.role_id(),
                "Arn": fh_role,
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "firehose.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
                "MaxSessionDuration": 3600,
            },
        )
    )
    resources.append(log_group(acct, region, group, created, 14, rng.randint(10**8, 10**9)))
    resources.append(log_group(acct, region, f"/aws/kinesisfirehose/{stream}", created, 30, 0))

    lo_s, hi_s = iso(start), iso(now)
    steady = start - timedelta(
        days=5, hours=rng.randint(1, 9), minutes=rng.randint(0, 59), seconds=rng.randint(1, 59)
    )
    records = sort_records(
        {
            "metrics": [m for m in metrics if lo_s <= m["timestamp"] <= hi_s],
            "alarms": [a.item(steady + timedelta(hours=17 * i)) for i, a in enumerate(alarms)],
            "alarm_history": [h for a in alarms for h in a.history if h["Timestamp"] <= iso_ms(now)],
            "logs": [lg for lg in logs if lg["timestamp"] <= int(now.timestamp() * 1000)],
            "cloudtrail": [r for r in ct_recs if lo_s <= r["eventTime"] <= hi_s],
            "resources": resources,
        }
    )
    n_pages = sum(1 for tr in fresh_alarm.transitions if tr[2] == "ALARM")
    last_page = max(i for i, tr in enumerate(fresh_alarm.transitions) if tr[2] == "ALARM")
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": (
                    f"I've been paged {n_pages} times since about {(first_page + timedelta(hours=TZ)).strftime('%-I:%M%p').lower()} by "
                    "player-events-firehose-freshness, and it keeps clearing itself. Is the player events pipeline stuck or "
                    "losing data? Do I need to wake the data team?"
                ),
                "alarm_event": fresh_alarm.event(ids, last_page),
                "timezone": "Europe/Dublin",
            },
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(manifest, records)
