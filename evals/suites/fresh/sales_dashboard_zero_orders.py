"""Hourly sales dashboard at zero while checkout keeps taking orders (kit zu, incident 1)."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zu import (
    BOTO_UA,
    CONSOLE_UA,
    Alarm,
    Ids,
    Principal,
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
    linked_role_principal,
    log,
    log_group,
    per_period,
    res,
    role_principal,
    service_principal,
    sort_records,
    spread,
    sso_principal,
    stat_datum,
    steps,
    terraform_ua,
)

NAME = "sales-dashboard-zero-orders"
TITLE = "Hourly sales dashboard showing zero orders since mid-morning; checkout still taking orders"
SUMMARY = (
    "An IaC apply moved the orders Firehose stream to a new S3 partition layout while the Glue table the "
    "rollup queries still projects the old one; Athena returns nothing for new hours."
)

TZ = -6  # America/Denver, summer


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    acct = ids.account()
    region = "us-west-2"
    day = datetime(2024, 5, 7, tzinfo=UTC) + timedelta(days=rng.randint(0, 110))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    change_at = day + timedelta(hours=15, minutes=rng.randint(36, 52), seconds=rng.randint(0, 59))
    now = day + timedelta(hours=17, minutes=rng.randint(38, 52), seconds=rng.randint(0, 59))
    start = (now - timedelta(hours=28)).replace(minute=0, second=0)
    fine_from = now - timedelta(hours=6)
    effective = change_at + timedelta(seconds=rng.randint(70, 160))  # the update takes effect

    bucket = f"larkspur-datalake-raw-{acct}"
    stream = "orders-events-s3"
    stream_arn = f"arn:aws:firehose:{region}:{acct}:deliverystream/{stream}"
    old_prefix = "orders/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/"
    new_prefix = (
        "orders/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
    )
    err_prefix = "errors/orders/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
    fh_role = f"arn:aws:iam::{acct}:role/firehose-orders-events-s3"
    fwd_fn, rollup_fn = "orders-stream-to-firehose", "sales-rollup"
    wg = "reporting"
    orders_table, hourly_table = "orders", "sales_hourly"
    peak_per_min = rng.uniform(6.5, 9.5)
    rec_bytes = rng.randint(820, 980)

    def local_h(t: datetime) -> float:
        return ((t.hour + TZ) % 24) + t.minute / 60

    def orders_per_min(t: datetime) -> float:
        return peak_per_min * day_shape(local_h(t), peak=12.5, night=0.1)

    metrics: list[Rec] = []
    logs: list[Rec] = []
    sim_start = start - timedelta(hours=16)
    stamps = steps(sim_start, now, fine_from)

    # --- orders table, stream forwarder, Firehose --------------------------------------------------
    per_min_orders: dict[datetime, int] = {}
    deliveries: list[tuple[datetime, int, int, str, datetime]] = []  # time, records, bytes, prefix, oldest
    buffer_recs = 0
    buffer_bytes = 0
    buffer_open = sim_start
    fwd_invocations: dict[datetime, int] = {}
    for t, sec in stamps:
        mins = sec // 60
        n = count(rng, orders_per_min(t) * mins)
        per_min_orders[t] = n
        stream_recs = n + count(rng, n * 1.3)  # INSERT plus status MODIFYs
        d = {"TableName": orders_table}
        metrics.append(
            datum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", d, t, "Count", stream_recs * 3 + n * 2)
        )
        metrics.append(
            datum(
                "AWS/DynamoDB", "ConsumedReadCapacityUnits", d, t, "Count", count(rng, n * 14 + 40 * mins) / 2
            )
        )
        if n:
            metrics.append(
                stat_datum(
                    "AWS/DynamoDB",
                    "SuccessfulRequestLatency",
                    {"TableName": orders_table, "Operation": "PutItem"},
                    t,
                    "Milliseconds",
                    n,
                    n * jitter(rng, 5.2, 0.08),
                    rng.uniform(2.4, 3.1),
                    rng.uniform(9, 22),
                )
            )
        inv = max(1, math.ceil(stream_recs / rng.uniform(1.2, 1.8))) if stream_recs else 0
        fwd_invocations[t] = inv
        lambda_points(
            metrics,
            rng,
            fwd_fn,
            t,
            inv,
            jitter(rng, 48, 0.1),
            concurrency=float(max(1, min(4, round(inv / (8 * mins) + rng.random())))) if inv else None,
            iterator_age_ms=rng.uniform(180, 950) if inv else None,
        )
        fd = {"DeliveryStreamName": stream}
        if stream_recs:
            b = stream_recs * rec_bytes + rng.randint(0, 400)
            metrics.append(datum("AWS/Firehose", "IncomingRecords", fd, t, "Count", stream_recs))
            metrics.append(datum("AWS/Firehose", "IncomingBytes", fd, t, "Bytes", b))
            metrics.append(datum("AWS/Firehose", "IncomingPutRequests", fd, t, "Count", inv))
            buffer_recs += stream_recs
            buffer_bytes += b
        age = (t - buffer_open).total_seconds() + sec
        metrics.append(
            datum(
                "AWS/Firehose",
                "DeliveryToS3.DataFreshness",
                fd,
                t,
                "Seconds",
                min(age, 300) + rng.uniform(2, 9),
            )
        )
        if age >= 300:
            deliveries.append(
                (t, buffer_recs, buffer_bytes, new_prefix if t >= effective else old_prefix, buffer_open)
            )
            metrics.append(datum("AWS/Firehose", "DeliveryToS3.Records", fd, t, "Count", buffer_recs))
            metrics.append(
                datum("AWS/Firehose", "DeliveryToS3.Bytes", fd, t, "Bytes", int(buffer_bytes / 7.4))
            )
            metrics.append(datum("AWS/Firehose", "DeliveryToS3.Success", fd, t, "None", 1.0))
            buffer_recs = buffer_bytes = 0
            buffer_open = t + timedelta(seconds=sec)

    def visible_at(when: datetime) -> dict[tuple[str, int], tuple[int, int]]:
        """Records and bytes per (dt, hr) under the layout the Glue table projects, delivered by `when`."""
        seen: dict[tuple[str, int], tuple[int, int]] = {}
        for t, recs, byts, prefix, oldest in deliveries:
            if prefix != old_prefix or t > when:
                continue
            key = (oldest.strftime("%Y-%m-%d"), oldest.hour)
            r0, b0 = seen.get(key, (0, 0))
            seen[key] = (r0 + recs, b0 + byts)
        return seen

    # --- the rollup: every 15 minutes, Athena over today's partitions ------------------------------
    rollup_group = f"/aws/lambda/{rollup_fn}"
    rollup_role = role_principal(
        ids, acct, "sales-rollup-lambda", rollup_fn, ids.ip(), BOTO_UA, start - timedelta(minutes=20)
    )
    ct_recs: list[Rec] = []
    runs: list[datetime] = []
    t = start - timedelta(hours=2)
    while t <= now:
        runs.append(t + timedelta(seconds=rng.randint(1, 4)))
        t += timedelta(minutes=15)
    orders_last_hour: dict[datetime, float] = {}
    stream_name = lambda_stream(rng, ids, start)
    for i, r in enumerate(runs):
        if i % 16 == 0:
            stream_name = lambda_stream(rng, ids, r)
        dt = r.strftime("%Y-%m-%d")
        visible = visible_at(r - timedelta(seconds=30))
        today = [(h, visible.get((dt, h), (0, 0))) for h in range(24) if (dt, h) in visible]
        total_bytes = sum(b for _, (_, b) in today)
        scanned = int(total_bytes / 7.4) + rng.randint(0, 2000)
        last_complete = (r - timedelta(hours=1)).replace(minute=0, second=0)
        last_hour_orders = visible.get((last_complete.strftime("%Y-%m-%d"), last_complete.hour), (0, 0))[0]
        # The rollup counts distinct orders; the stream carries each order's INSERT and updates.
        last_hour_orders = round(last_hour_orders / 2.3)
        cur = visible.get((dt, r.hour), (0, 0))[0]
        exec_ms = int(jitter(rng, 1900, 0.18) + scanned / 90000)
        queue_ms = rng.randint(90, 420)
        qid = ids.uuid()
        wgd = {"QueryState": "SUCCEEDED", "QueryType": "DML", "WorkGroup": wg}
        stamp = r.replace(second=0)
        metrics.append(datum("AWS/Athena", "ProcessedBytes", wgd, stamp, "Bytes", scanned))
        metrics.append(
            datum("AWS/Athena", "TotalExecutionTime", wgd, stamp, "Milliseconds", exec_ms + queue_ms)
        )
        metrics.append(datum("AWS/Athena", "EngineExecutionTime", wgd, stamp, "Milliseconds", exec_ms - 300))
        metrics.append(datum("AWS/Athena", "QueryQueueTime", wgd, stamp, "Milliseconds", queue_ms))
        metrics.append(
            datum(
                "Larkspur/Sales", "OrdersLastHour", {"Environment": "prod"}, stamp, "Count", last_hour_orders
            )
        )
        orders_last_hour[stamp] = last_hour_orders
        dur = (exec_ms + queue_ms) + rng.uniform(600, 1100)
        lambda_points(metrics, rng, rollup_fn, stamp, 1, dur, concurrency=1.0)
        rid = ids.uuid()
        logs.append(log(rollup_group, stream_name, r, f"START RequestId: {rid} Version: $LATEST"))
        hours_with_rows = len(today)
        msg = {
            "level": "INFO",
            "location": "handler:112",
            "message": "rollup complete",
            "timestamp": (r + timedelta(milliseconds=dur - 40)).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
            + "+0000",
            "service": rollup_fn,
            "cold_start": i % 16 == 0,
            "function_request_id": rid,
            "dt": dt,
            "hours_with_rows": hours_with_rows,
            "orders_today": round(sum(v for _, (v, _) in today) / 2.3),
            "current_hour": f"{r.hour:02d}",
            "current_hour_orders": round(cur / 2.3),
            "last_complete_hour_orders": last_hour_orders,
            "athena_query_execution_id": qid,
            "data_scanned_bytes": scanned,
            "athena_ms": exec_ms + queue_ms,
            "xray_trace_id": f"1-{int(r.timestamp()):08x}-{ids.hexs(24)}",
        }
        logs.append(log(rollup_group, stream_name, r + timedelta(milliseconds=dur - 40), json.dumps(msg)))
        if rng.random() < 0.05:
            logs.append(
                log(
                    rollup_group,
                    stream_name,
                    r + timedelta(milliseconds=dur - 30),
                    json.dumps(
                        {
                            "level": "WARNING",
                            "location": "write_rows:64",
                            "message": "UpdateItem retried after ConditionalCheckFailed; row version advanced",
                            "service": rollup_fn,
                            "table": hourly_table,
                            "hour": f"{r.hour:02d}",
                        }
                    ),
                )
            )
        logs.append(log(rollup_group, stream_name, r + timedelta(milliseconds=dur), f"END RequestId: {rid}"))
        init = rng.uniform(480, 620) if i % 16 == 0 else 0.0
        logs.append(
            log(
                rollup_group,
                stream_name,
                r + timedelta(milliseconds=dur + 1),
                lambda_report(rng, rid, dur, 512, rng.randint(94, 108), init),
            )
        )
        sql = (
            "SELECT hr, count(DISTINCT order_id) AS orders, sum(order_total) AS revenue FROM raw.order_events "
            f"WHERE dt = '{dt}' AND event_type = 'ORDER_PLACED' GROUP BY hr ORDER BY hr"
        )
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                rollup_role,
                r + timedelta(milliseconds=220),
                "athena.amazonaws.com",
                "StartQueryExecution",
                {
                    "queryString": sql,
                    "clientRequestToken": ids.uuid(),
                    "queryExecutionContext": {"database": "raw", "catalog": "AwsDataCatalog"},
                    "workGroup": wg,
                },
                {"queryExecutionId": qid},
            )
        )
        glue_by_athena = Principal(
            dict(rollup_role.identity, invokedBy="athena.amazonaws.com"),
            "athena.amazonaws.com",
            "athena.amazonaws.com",
            tls=False,
        )
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                glue_by_athena,
                r + timedelta(milliseconds=queue_ms + 400),
                "glue.amazonaws.com",
                "GetTable",
                {"databaseName": "raw", "name": "order_events"},
                None,
                read_only=True,
            )
        )
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                rollup_role,
                r + timedelta(milliseconds=exec_ms + queue_ms + 150),
                "athena.amazonaws.com",
                "GetQueryExecution",
                {"queryExecutionId": qid},
                None,
                read_only=True,
            )
        )

    # --- forwarder logs, last two hours ------------------------------------------------------------
    fwd_group = f"/aws/lambda/{fwd_fn}"
    fstream = lambda_stream(rng, ids, now - timedelta(hours=2), "12")
    for t, inv in sorted(fwd_invocations.items()):
        if t < now - timedelta(hours=2):
            continue
        for _k in range(inv):
            at = t + timedelta(seconds=rng.uniform(0, 59.5))
            if at > now:
                continue
            rid = ids.uuid()
            dur_ms = jitter(rng, 48, 0.25)
            n = rng.randint(1, 3)
            logs.append(log(fwd_group, fstream, at, f"START RequestId: {rid} Version: 12"))
            logs.append(
                log(
                    fwd_group,
                    fstream,
                    at + timedelta(milliseconds=dur_ms - 3),
                    f"{iso_ms(at + timedelta(milliseconds=dur_ms - 3))}\t{rid}\tINFO\t"
                    + json.dumps({"msg": "forwarded", "records": n, "failed": 0, "stream": stream}),
                )
            )
            logs.append(log(fwd_group, fstream, at + timedelta(milliseconds=dur_ms), f"END RequestId: {rid}"))
            logs.append(
                log(
                    fwd_group,
                    fstream,
                    at + timedelta(milliseconds=dur_ms + 1),
                    lambda_report(rng, rid, dur_ms, 256, 88),
                )
            )
            if rng.random() < 0.004:
                logs.append(
                    log(
                        fwd_group,
                        fstream,
                        at + timedelta(milliseconds=dur_ms - 10),
                        f"{iso_ms(at)}\t{rid}\tWARN\tPutRecordBatch took {rng.randint(900, 1400)}ms (socket reuse off?)",
                    )
                )

    # --- other Athena workgroup noise (analysts) ---------------------------------------------------
    for at in spread(rng, start, now, 26):
        if 2 <= (at.hour + TZ) % 24 <= 6:
            continue
        wgd = {"QueryState": "SUCCEEDED", "QueryType": "DML", "WorkGroup": "analysts"}
        stamp = at.replace(second=0, microsecond=0)
        metrics.append(
            datum("AWS/Athena", "ProcessedBytes", wgd, stamp, "Bytes", rng.randint(2, 900) * 10**7)
        )
        metrics.append(
            datum("AWS/Athena", "TotalExecutionTime", wgd, stamp, "Milliseconds", rng.randint(2500, 48000))
        )

    # --- alarms ----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{region}:{acct}:data-platform-alerts"
    page = f"arn:aws:sns:{region}:{acct}:oncall-pager"
    low = Alarm(
        acct,
        region,
        "sales-rollup-orders-last-hour-low",
        "Orders counted by the sales rollup for the last complete hour dropped below 15. Dashboard: sales-live.",
        "Larkspur/Sales",
        "OrdersLastHour",
        {"Environment": "prod"},
        "Minimum",
        900,
        2,
        2,
        15,
        "LessThanThreshold",
        [sns],
        configured=start - timedelta(days=61),
    )
    low.evaluate(
        {k.replace(minute=k.minute - k.minute % 15): v for k, v in orders_last_hour.items()}, start, now, rng
    )
    fresh = Alarm(
        acct,
        region,
        "orders-events-s3-freshness",
        "Firehose orders-events-s3 delivery to S3 lagging",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        {"DeliveryStreamName": stream},
        "Maximum",
        300,
        3,
        3,
        900,
        "GreaterThanThreshold",
        [sns],
        configured=start - timedelta(days=140),
    )
    fresh.evaluate(
        per_period(
            metrics,
            "AWS/Firehose",
            "DeliveryToS3.DataFreshness",
            {"DeliveryStreamName": stream},
            300,
            "Maximum",
        ),
        start,
        now,
        rng,
    )
    errs = Alarm(
        acct,
        region,
        "sales-rollup-errors",
        "sales-rollup Lambda errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": rollup_fn},
        "Sum",
        900,
        1,
        1,
        0,
        "GreaterThanThreshold",
        [sns],
        missing="notBreaching",
        configured=start - timedelta(days=61),
    )
    errs.evaluate(
        per_period(metrics, "AWS/Lambda", "Errors", {"FunctionName": rollup_fn}, 900, "Sum"), start, now, rng
    )
    itage = Alarm(
        acct,
        region,
        "orders-stream-to-firehose-iterator-age",
        "orders stream consumer falling behind",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": fwd_fn},
        "Maximum",
        60,
        5,
        5,
        60000,
        "GreaterThanThreshold",
        [page],
        configured=start - timedelta(days=200),
    )
    itage.evaluate(
        per_period(metrics, "AWS/Lambda", "IteratorAge", {"FunctionName": fwd_fn}, 60, "Maximum"),
        fine_from,
        now,
        rng,
    )
    alarms = [low, fresh, errs, itage]
    steady = start - timedelta(
        days=3,
        hours=rng.randint(1, 20),
        minutes=rng.randint(0, 59),
        seconds=rng.randint(0, 59),
        milliseconds=rng.randint(0, 999),
    )

    # --- CloudTrail: the IaC apply, innocent changes, routine reads --------------------------------
    ci = role_principal(
        ids,
        acct,
        "gha-data-platform-deploy",
        f"GitHubActions-{rng.randint(8800000000, 8899999999)}",
        ids.ip(),
        terraform_ua("firehose#1.28.5"),
        change_at - timedelta(minutes=4),
    )
    plan_t = change_at - timedelta(minutes=3, seconds=rng.randint(0, 40))
    for k, (src, name, params) in enumerate(
        [
            ("sts.amazonaws.com", "GetCallerIdentity", None),
            ("firehose.amazonaws.com", "DescribeDeliveryStream", {"deliveryStreamName": stream}),
            ("firehose.amazonaws.com", "ListTagsForDeliveryStream", {"deliveryStreamName": stream}),
            ("glue.amazonaws.com", "GetTable", {"databaseName": "raw", "name": "order_events"}),
            ("glue.amazonaws.com", "GetDatabase", {"name": "raw"}),
            ("iam.amazonaws.com", "GetRole", {"roleName": "firehose-orders-events-s3"}),
            (
                "s3.amazonaws.com",
                "GetBucketLifecycle",
                {"bucketName": bucket, "Host": f"{bucket}.s3.us-west-2.amazonaws.com", "lifecycle": ""},
            ),
        ]
    ):
        rec = ct(
            ids,
            acct,
            "us-east-1" if src == "iam.amazonaws.com" else region,
            ci,
            plan_t + timedelta(seconds=k * 2 + rng.random()),
            src,
            name,
            params,
            None,
            read_only=True,
        )
        if src == "s3.amazonaws.com":
            rec["errorCode"] = "NoSuchLifecycleConfiguration"
            rec["errorMessage"] = "The lifecycle configuration does not exist"
        ct_recs.append(rec)
    v2_cols = [
        {"Name": "order_id", "Type": "string"},
        {"Name": "customer_id", "Type": "string"},
        {"Name": "event_type", "Type": "string"},
        {"Name": "order_total", "Type": "decimal(12,2)"},
        {"Name": "currency", "Type": "string"},
        {"Name": "item_count", "Type": "int"},
        {"Name": "channel", "Type": "string"},
        {"Name": "created_at", "Type": "timestamp"},
    ]
    v2_params = {
        "EXTERNAL": "TRUE",
        "classification": "json",
        "compressionType": "gzip",
        "projection.enabled": "true",
        "projection.year.type": "integer",
        "projection.year.range": "2024,2030",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "projection.hour.type": "integer",
        "projection.hour.range": "0,23",
        "projection.hour.digits": "2",
        "storage.location.template": f"s3://{bucket}/orders/year=${{year}}/month=${{month}}/day=${{day}}/hour=${{hour}}/",
    }
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            ci,
            change_at - timedelta(seconds=rng.randint(20, 40)),
            "glue.amazonaws.com",
            "CreateTable",
            {
                "databaseName": "raw",
                "tableInput": {
                    "name": "order_events_v2",
                    "tableType": "EXTERNAL_TABLE",
                    "storageDescriptor": {
                        "columns": [{"name": c["Name"], "type": c["Type"]} for c in v2_cols],
                        "location": f"s3://{bucket}/orders/",
                        "inputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                        "outputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                        "serdeInfo": {"serializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
                    },
                    "partitionKeys": [
                        {"name": p, "type": "string"} for p in ("year", "month", "day", "hour")
                    ],
                    "parameters": v2_params,
                },
            },
            None,
        )
    )
    ext = {
        "roleARN": fh_role,
        "bucketARN": f"arn:aws:s3:::{bucket}",
        "prefix": new_prefix,
        "errorOutputPrefix": err_prefix,
        "bufferingHints": {"sizeInMBs": 64, "intervalInSeconds": 300},
        "compressionFormat": "GZIP",
        "encryptionConfiguration": {"noEncryptionConfig": "NoEncryption"},
        "cloudWatchLoggingOptions": {
            "enabled": True,
            "logGroupName": f"/aws/kinesisfirehose/{stream}",
            "logStreamName": "DestinationDelivery",
        },
        "processingConfiguration": {"enabled": False, "processors": []},
        "s3BackupMode": "Disabled",
        "dataFormatConversionConfiguration": {"enabled": False},
    }
    culprit = ct(
        ids,
        acct,
        region,
        ci,
        change_at,
        "firehose.amazonaws.com",
        "UpdateDestination",
        {
            "deliveryStreamName": stream,
            "currentDeliveryStreamVersionId": "6",
            "destinationId": "destinationId-000000000001",
            "extendedS3DestinationUpdate": ext,
        },
        None,
    )
    ct_recs.append(culprit)
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            ci,
            change_at + timedelta(seconds=3),
            "firehose.amazonaws.com",
            "DescribeDeliveryStream",
            {"deliveryStreamName": stream},
            None,
            read_only=True,
        )
    )

    # innocent: workgroup cutoff raised by a data engineer (console)
    eng = sso_principal(
        ids,
        acct,
        region,
        "DataEngineer",
        "priya.raman@larkspurhome.com",
        ids.ip(),
        CONSOLE_UA,
        change_at - timedelta(minutes=55),
    )
    eng.identity["sessionContext"]["attributes"]["mfaAuthenticated"] = "false"
    eng.identity["sessionCredentialFromConsole"] = "true"
    wg_t = change_at - timedelta(minutes=rng.randint(14, 24))
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            eng,
            wg_t - timedelta(minutes=2),
            "athena.amazonaws.com",
            "GetWorkGroup",
            {"workGroup": wg},
            None,
            read_only=True,
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            eng,
            wg_t,
            "athena.amazonaws.com",
            "UpdateWorkGroup",
            {
                "workGroup": wg,
                "description": "Scheduled reporting jobs (sales rollup, finance extracts)",
                "configurationUpdates": {
                    "bytesScannedCutoffPerQuery": 21474836480,
                    "publishCloudWatchMetricsEnabled": True,
                    "enforceWorkGroupConfiguration": True,
                },
                "state": "ENABLED",
            },
            None,
        )
    )
    # innocent: lifecycle rule on the raw bucket (platform engineer, CLI)
    plat = sso_principal(
        ids,
        acct,
        region,
        "PlatformAdmin",
        "tom.okafor@larkspurhome.com",
        ids.ip(),
        "",
        change_at - timedelta(minutes=30),
    )
    plat.agent = "[aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#s3api.put-bucket-lifecycle-configuration]"
    lc_t = change_at + timedelta(minutes=rng.randint(9, 21))
    lc = ct(
        ids,
        acct,
        region,
        plat,
        lc_t,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        {
            "bucketName": bucket,
            "Host": f"{bucket}.s3.us-west-2.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": [
                    {
                        "ID": "raw-to-glacier-ir-90d",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "orders/"},
                        "Transition": {"Days": 90, "StorageClass": "GLACIER_IR"},
                    },
                    {
                        "ID": "errors-expire-30d",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "errors/"},
                        "Expiration": {"Days": 30},
                    },
                    {
                        "ID": "abort-mpu-7d",
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    },
                ],
            },
        },
        None,
        host=f"{bucket}.s3.us-west-2.amazonaws.com",
    )
    lc["additionalEventData"] = {
        "SignatureVersion": "SigV4",
        "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "bytesTransferredIn": 612,
        "AuthenticationMethod": "AuthHeader",
        "x-amz-id-2": ids.b64(76),
        "bytesTransferredOut": 0,
    }
    lc["resources"] = [{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
    ct_recs.append(lc)
    # innocent: forwarder memory bump by the orders team's pipeline
    ordci = role_principal(
        ids,
        acct,
        "gha-orders-deploy",
        f"GitHubActions-{rng.randint(8800000000, 8899999999)}",
        ids.ip(),
        terraform_ua("lambda#1.54.0"),
        change_at - timedelta(minutes=40),
    )
    fwd_arn = f"arn:aws:lambda:{region}:{acct}:function:{fwd_fn}"
    mem_t = change_at - timedelta(minutes=rng.randint(26, 29))
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            ordci,
            mem_t,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            {"functionName": fwd_fn, "memorySize": 256, "timeout": 30},
            {
                "functionName": fwd_fn,
                "functionArn": fwd_arn,
                "memorySize": 256,
                "timeout": 30,
                "runtime": "nodejs20.x",
                "lastUpdateStatus": "InProgress",
                "state": "Active",
                "version": "$LATEST",
            },
            version="1.08",
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            ordci,
            mem_t + timedelta(seconds=5),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": fwd_fn},
            None,
            read_only=True,
            version="1.08",
        )
    )
    # Firehose assuming its role, hourly
    fh = service_principal("firehose.amazonaws.com")
    h = start
    while h <= now:
        at = h + timedelta(minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        if at <= now:
            ct_recs.append(
                ct(
                    ids,
                    acct,
                    region,
                    fh,
                    at,
                    "sts.amazonaws.com",
                    "AssumeRole",
                    {
                        "roleArn": fh_role,
                        "roleSessionName": f"{ids.hexs(8)}-{ids.hexs(4)}-{ids.hexs(4)}",
                        "durationSeconds": 3600,
                    },
                    {
                        "credentials": {
                            "accessKeyId": ids.access_key(),
                            "sessionToken": ids.b64(40),
                            "expiration": (at + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
                        },
                        "assumedRoleUser": {
                            "assumedRoleId": f"{ids.role_id()}:{ids.hexs(8)}",
                            "arn": f"arn:aws:sts::{acct}:assumed-role/firehose-orders-events-s3/{ids.hexs(8)}",
                        },
                    },
                    resources=[{"accountId": acct, "type": "AWS::IAM::Role", "ARN": fh_role}],
                    version="1.08",
                )
            )
        h += timedelta(hours=1)
    # DynamoDB autoscaling-free; backups by AWS Backup at night
    bk = linked_role_principal(
        ids,
        acct,
        "AWSServiceRoleForBackup",
        "AWSBackup-AWSServiceRoleForBackup",
        "backup.amazonaws.com",
        start,
    )
    nightly = start.replace(hour=9, minute=rng.randint(2, 20)) + (
        timedelta(days=1) if start.hour >= 9 else timedelta()
    )
    if nightly < now:
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                bk,
                nightly,
                "dynamodb.amazonaws.com",
                "CreateBackup",
                {"tableName": orders_table, "backupName": f"awsbackup_{ids.hexs(8)}"},
                {
                    "backupDetails": {
                        "backupArn": f"arn:aws:dynamodb:{region}:{acct}:table/{orders_table}/backup/0{int(nightly.timestamp()) * 1000}-{ids.hexs(8)}",
                        "backupName": f"awsbackup_{ids.hexs(8)}",
                        "backupStatus": "CREATING",
                        "backupType": "AWS_BACKUP",
                        "backupCreationDateTime": iso(nightly),
                    }
                },
            )
        )
    # on-call looking around just before asking
    sre = sso_principal(
        ids,
        acct,
        region,
        "SRE",
        "dan.whitfield@larkspurhome.com",
        ids.ip(),
        CONSOLE_UA,
        now - timedelta(minutes=25),
    )
    sre.identity["sessionCredentialFromConsole"] = "true"
    sre_reads: list[tuple[str, str, Rec]] = [
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": rollup_fn}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": hourly_table}),
        (
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNames": ["sales-rollup-orders-last-hour-low"]},
        ),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {"logGroupName": rollup_group, "startTime": ms_of(now - timedelta(hours=3))},
        ),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": orders_table}),
    ]
    for k, (src, name, prm) in enumerate(sre_reads):
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                sre,
                now - timedelta(minutes=14 - k * 2, seconds=rng.randint(0, 50)),
                src,
                name,
                prm,
                None,
                read_only=True,
                version="1.08" if src.startswith("lambda") else "1.09",
            )
        )
    # analysts' queries and reads during the day
    an = sso_principal(
        ids,
        acct,
        region,
        "Analyst",
        "mei.chen@larkspurhome.com",
        ids.ip(),
        CONSOLE_UA,
        start + timedelta(hours=2),
    )
    an.identity["sessionCredentialFromConsole"] = "true"
    for at in spread(rng, start + timedelta(hours=1), now - timedelta(minutes=30), 10):
        if 2 <= (at.hour + TZ) % 24 <= 7:
            continue
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                an,
                at,
                "athena.amazonaws.com",
                "ListQueryExecutions",
                {"workGroup": "analysts", "maxResults": 50},
                None,
                read_only=True,
            )
        )

    # --- resources -------------------------------------------------------------------------------
    created = start - timedelta(days=412)
    resources: list[Rec] = []
    resources.append(
        res(
            "firehose",
            "DeliveryStreamDescription",
            {
                "DeliveryStreamName": stream,
                "DeliveryStreamARN": stream_arn,
                "DeliveryStreamStatus": "ACTIVE",
                "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
                "DeliveryStreamType": "DirectPut",
                "VersionId": "7",
                "CreateTimestamp": iso(created),
                "LastUpdateTimestamp": iso(change_at + timedelta(seconds=1)),
                "Destinations": [
                    {
                        "DestinationId": "destinationId-000000000001",
                        "ExtendedS3DestinationDescription": {
                            "RoleARN": fh_role,
                            "BucketARN": f"arn:aws:s3:::{bucket}",
                            "Prefix": new_prefix,
                            "ErrorOutputPrefix": err_prefix,
                            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 300},
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
    cols = [{"Name": c["Name"], "Type": c["Type"]} for c in v2_cols]
    resources.append(
        res(
            "glue",
            "Table",
            {
                "Name": "order_events",
                "DatabaseName": "raw",
                "Owner": "hadoop",
                "CreateTime": iso(created + timedelta(hours=3)),
                "UpdateTime": iso(created + timedelta(days=190)),
                "Retention": 0,
                "StorageDescriptor": {
                    "Columns": cols,
                    "Location": f"s3://{bucket}/orders/",
                    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "Compressed": True,
                    "NumberOfBuckets": -1,
                    "SerdeInfo": {
                        "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
                        "Parameters": {"ignore.malformed.json": "true"},
                    },
                    "BucketColumns": [],
                    "SortColumns": [],
                    "Parameters": {},
                    "StoredAsSubDirectories": False,
                },
                "PartitionKeys": [{"Name": "dt", "Type": "string"}, {"Name": "hr", "Type": "string"}],
                "TableType": "EXTERNAL_TABLE",
                "Parameters": {
                    "EXTERNAL": "TRUE",
                    "classification": "json",
                    "compressionType": "gzip",
                    "projection.enabled": "true",
                    "projection.dt.type": "date",
                    "projection.dt.format": "yyyy-MM-dd",
                    "projection.dt.range": "2023-01-01,NOW",
                    "projection.hr.type": "integer",
                    "projection.hr.range": "0,23",
                    "projection.hr.digits": "2",
                    "storage.location.template": f"s3://{bucket}/orders/dt=${{dt}}/hr=${{hr}}/",
                },
                "CreatedBy": f"arn:aws:sts::{acct}:assumed-role/gha-data-platform-deploy/GitHubActions-{rng.randint(8000000000, 8799999999)}",
                "IsRegisteredWithLakeFormation": False,
                "CatalogId": acct,
                "VersionId": "4",
            },
        )
    )
    resources.append(
        res(
            "glue",
            "Table",
            {
                "Name": "order_events_v2",
                "DatabaseName": "raw",
                "CreateTime": iso(change_at - timedelta(seconds=30)),
                "UpdateTime": iso(change_at - timedelta(seconds=30)),
                "Retention": 0,
                "StorageDescriptor": {
                    "Columns": cols,
                    "Location": f"s3://{bucket}/orders/",
                    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "Compressed": False,
                    "NumberOfBuckets": 0,
                    "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
                    "StoredAsSubDirectories": False,
                },
                "PartitionKeys": [{"Name": p, "Type": "string"} for p in ("year", "month", "day", "hour")],
                "TableType": "EXTERNAL_TABLE",
                "Parameters": v2_params,
                "CreatedBy": ci.identity["arn"],
                "IsRegisteredWithLakeFormation": False,
                "CatalogId": acct,
                "VersionId": "0",
            },
        )
    )
    resources.append(
        res(
            "athena",
            "WorkGroup",
            {
                "Name": wg,
                "State": "ENABLED",
                "Description": "Scheduled reporting jobs (sales rollup, finance extracts)",
                "CreationTime": iso(created + timedelta(days=30)),
                "Configuration": {
                    "ResultConfiguration": {
                        "OutputLocation": f"s3://larkspur-athena-results-{acct}/reporting/"
                    },
                    "EnforceWorkGroupConfiguration": True,
                    "PublishCloudWatchMetricsEnabled": True,
                    "BytesScannedCutoffPerQuery": 21474836480,
                    "RequesterPaysEnabled": False,
                    "EngineVersion": {
                        "SelectedEngineVersion": "AUTO",
                        "EffectiveEngineVersion": "Athena engine version 3",
                    },
                },
            },
        )
    )
    resources.append(
        res(
            "s3",
            "Bucket",
            {
                "Name": bucket,
                "CreationDate": iso(created - timedelta(days=20)),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::{bucket}",
            },
        )
    )
    resources.append(
        res(
            "s3",
            "Bucket",
            {
                "Name": f"larkspur-athena-results-{acct}",
                "CreationDate": iso(created + timedelta(days=30)),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::larkspur-athena-results-{acct}",
            },
        )
    )
    for fn, role, mem, to, rt, handler, desc, env in [
        (
            fwd_fn,
            "orders-stream-to-firehose-lambda",
            256,
            30,
            "nodejs20.x",
            "index.handler",
            "Forwards orders table stream records to Firehose",
            {"DELIVERY_STREAM": stream, "LOG_LEVEL": "info"},
        ),
        (
            rollup_fn,
            "sales-rollup-lambda",
            512,
            120,
            "python3.12",
            "app.handler",
            "15-minute sales rollup from Athena into sales_hourly",
            {
                "ATHENA_WORKGROUP": wg,
                "SOURCE_TABLE": "raw.order_events",
                "TARGET_TABLE": hourly_table,
                "POWERTOOLS_SERVICE_NAME": rollup_fn,
                "METRICS_NAMESPACE": "Larkspur/Sales",
            },
        ),
    ]:
        modified = mem_t + timedelta(seconds=1) if fn == fwd_fn else start - timedelta(days=12, hours=3)
        resources.append(
            res(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{fn}",
                    "Runtime": rt,
                    "Role": f"arn:aws:iam::{acct}:role/{role}",
                    "Handler": handler,
                    "CodeSize": rng.randint(40000, 3900000),
                    "Description": desc,
                    "Timeout": to,
                    "MemorySize": mem,
                    "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "CodeSha256": ids.b64(43) + "=",
                    "Version": "$LATEST",
                    "Environment": {"Variables": env},
                    "TracingConfig": {"Mode": "Active" if fn == rollup_fn else "PassThrough"},
                    "RevisionId": ids.uuid(),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
                },
            )
        )
    stream_label = (start - timedelta(days=300)).strftime("%Y-%m-%dT%H:%M:%S.000")
    orders_stream_arn = f"arn:aws:dynamodb:{region}:{acct}:table/{orders_table}/stream/{stream_label}"
    resources.append(
        res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": ids.uuid(),
                "StartingPosition": "LATEST",
                "BatchSize": 100,
                "MaximumBatchingWindowInSeconds": 0,
                "ParallelizationFactor": 1,
                "EventSourceArn": orders_stream_arn,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{fwd_fn}",
                "LastModified": iso(start - timedelta(days=300)),
                "LastProcessingResult": "OK",
                "State": "Enabled",
                "StateTransitionReason": "User action",
                "MaximumRecordAgeInSeconds": -1,
                "BisectBatchOnFunctionError": True,
                "MaximumRetryAttempts": 10,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        )
    )
    for tname, keys, items, size in [
        (orders_table, [("order_id", "S")], rng.randint(2_100_000, 2_900_000), rng.randint(3, 5) * 10**9),
        (hourly_table, [("dt", "S"), ("hr", "S")], rng.randint(9000, 11000), rng.randint(2, 4) * 10**6),
    ]:
        item: Rec = {
            "AttributeDefinitions": [{"AttributeName": k, "AttributeType": ty} for k, ty in keys],
            "TableName": tname,
            "KeySchema": [
                {"AttributeName": k, "KeyType": "HASH" if i == 0 else "RANGE"}
                for i, (k, _) in enumerate(keys)
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created - timedelta(days=100 if tname == orders_table else -10)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": size,
            "ItemCount": items,
            "TableArn": f"arn:aws:dynamodb:{region}:{acct}:table/{tname}",
            "TableId": ids.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "DeletionProtectionEnabled": True,
        }
        if tname == orders_table:
            item["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            item["LatestStreamLabel"] = stream_label
            item["LatestStreamArn"] = orders_stream_arn
        resources.append(res("dynamodb", "TableDescription", item))
    resources.append(
        res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": "firehose-orders-events-s3",
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
                                "Condition": {"StringEquals": {"sts:ExternalId": acct}},
                            }
                        ],
                    }
                ),
                "MaxSessionDuration": 3600,
            },
        )
    )
    resources.append(
        res(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": "firehose-orders-events-s3",
                "PolicyName": "s3-delivery",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "s3:AbortMultipartUpload",
                                "s3:GetBucketLocation",
                                "s3:GetObject",
                                "s3:ListBucket",
                                "s3:ListBucketMultipartUploads",
                                "s3:PutObject",
                            ],
                            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["logs:PutLogEvents"],
                            "Resource": f"arn:aws:logs:{region}:{acct}:log-group:/aws/kinesisfirehose/{stream}:*",
                        },
                    ],
                },
            },
        )
    )
    resources.append(
        res(
            "glue",
            "Job",
            {
                "Name": "orders-nightly-compact",
                "Description": "Compacts yesterday's raw order events to Parquet (curated.orders)",
                "Role": f"arn:aws:iam::{acct}:role/glue-orders-compact",
                "CreatedOn": iso(created + timedelta(days=60)),
                "LastModifiedOn": iso(start - timedelta(days=33)),
                "ExecutionProperty": {"MaxConcurrentRuns": 1},
                "Command": {
                    "Name": "glueetl",
                    "ScriptLocation": f"s3://larkspur-glue-scripts-{acct}/orders_nightly_compact.py",
                    "PythonVersion": "3",
                },
                "DefaultArguments": {
                    "--source_table": "raw.order_events",
                    "--target_table": "curated.orders",
                    "--job-bookmark-option": "job-bookmark-disable",
                    "--enable-metrics": "true",
                },
                "MaxRetries": 1,
                "Timeout": 120,
                "WorkerType": "G.1X",
                "NumberOfWorkers": 6,
                "GlueVersion": "4.0",
                "ExecutionClass": "STANDARD",
            },
        )
    )
    resources.append(log_group(acct, region, rollup_group, created, 30, rng.randint(10**7, 10**8)))
    resources.append(log_group(acct, region, fwd_group, created, 14, rng.randint(10**8, 10**9)))
    resources.append(log_group(acct, region, f"/aws/kinesisfirehose/{stream}", created, 30, 0))

    lo_ct, hi_ct = iso(start), iso(now)
    ct_recs = [r for r in ct_recs if lo_ct <= r["eventTime"] <= hi_ct]
    records = sort_records(
        {
            "metrics": [m for m in metrics if lo_ct <= m["timestamp"] <= hi_ct],
            "alarms": [a.item(steady - timedelta(hours=29 * i, minutes=7 * i)) for i, a in enumerate(alarms)],
            "alarm_history": [h for a in alarms for h in a.history],
            "logs": [lg for lg in logs if ms_of(start) <= lg["timestamp"] <= ms_of(now)],
            "cloudtrail": ct_recs,
            "resources": resources,
        }
    )
    local_now = now + timedelta(hours=TZ)
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
                    f"It's {local_now.strftime('%-I:%M')} here. The live sales dashboard has shown zero orders for every hour "
                    "since about 10am, but checkout is clearly working: order confirmation emails are going out and "
                    "customer service sees today's orders. Nothing in the rollup is erroring. What broke?"
                ),
                "alarm_event": None,
                "timezone": "America/Denver",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": stream,
                    "category": "change",
                    "failure_mode": "s3-prefix-layout-changed-under-partition-projection",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [stream_arn],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"The gha-data-platform-deploy apply changed Firehose {stream}'s S3 prefix to year=/month=/day=/hour=.",
                    "New order events land under a layout the Glue table raw.order_events (projection dt/hr) does not project.",
                    f"The {rollup_fn} Athena query succeeds but finds no objects for the new hours.",
                    "The sales_hourly rows and the live sales dashboard show zero orders from about 10:00 local.",
                ],
            },
        }
    )
    return Bundle(manifest, records)


def ms_of(t: datetime) -> int:
    return int(t.timestamp() * 1000)
