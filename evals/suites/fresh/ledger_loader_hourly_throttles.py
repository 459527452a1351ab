"""A newly created Throttles alarm catches the designed-in hourly throttling of an S3-triggered loader."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zzh as k

NAME = "ledger-loader-hourly-throttles"
TITLE = "ledger-loader Throttles alarm paged at the top of the hour"
SUMMARY = (
    "An hourly Glue export drops a few hundred files at once; the S3-triggered loader, capped at 5 reserved "
    "concurrency to protect the database, throttles and drains its async queue within minutes as it does "
    "every hour. A Throttles alarm created that morning paged; nothing is lost."
)

CONC = 5


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}/{seed}")
    acct = k.account(rng)
    region, tz = rng.choice(
        [("us-east-1", "America/New_York"), ("eu-west-1", "Europe/Dublin"), ("ap-northeast-1", "Asia/Tokyo")]
    )
    day = k.day_start(rng)
    local_mid = day.replace(tzinfo=ZoneInfo(tz))
    t_burst = (local_mid + timedelta(hours=rng.randint(13, 16))).astimezone(
        k.UTC
    )  # the paging burst (top of hour)
    start = t_burst - timedelta(hours=3, minutes=rng.randint(35, 50))
    now = t_burst + timedelta(minutes=rng.randint(32, 45))
    end = now

    fn = "ledger-loader"
    fn_arn = f"arn:aws:lambda:{region}:{acct}:function:{fn}"
    bucket = f"northpay-ledger-exports-{acct}"
    job = "ledger-hourly-export"
    dlq = "ledger-loader-failed-events"
    dlq_arn = f"arn:aws:sqs:{region}:{acct}:{dlq}"
    topic = f"arn:aws:sns:{region}:{acct}:finance-data-oncall"
    db = "ledger-pg-1"

    # ---------- workload: hourly bursts + a trickle ----------
    arrivals: list[tuple[datetime, str]] = []
    hours = []
    h = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while h < now:
        hours.append(h)
        n = rng.randint(240, 380)
        t_w = h + timedelta(seconds=rng.randint(35, 60))
        span = rng.uniform(50, 95)
        for i in range(n):
            at = t_w + timedelta(seconds=span * i / n + rng.uniform(0, 0.4))
            arrivals.append(
                (
                    at,
                    f"ledger/export/dt={h:%Y-%m-%d}/hour={h:%H}/part-{i:05d}-{k.hexid(rng, 8)}-c000.snappy.parquet",
                )
            )
        h += timedelta(hours=1)
    t = start + timedelta(minutes=rng.randint(3, 20))
    while t < now:
        arrivals.append((t, f"ledger/manual-adjustments/{t:%Y%m%d}/adj-{k.hexid(rng, 12)}.parquet"))
        t += timedelta(minutes=rng.randint(12, 35), seconds=rng.randint(0, 59))
    arrivals.sort()

    # FIFO with CONC workers; the async queue retries throttled events
    free = [start] * CONC
    invs: list[tuple[datetime, datetime, float, str]] = []  # arrival, start, duration ms, key
    for at, key in arrivals:
        i = min(range(CONC), key=lambda j: free[j])
        st = max(at, free[i]) + timedelta(
            milliseconds=rng.randint(20, 300) if free[i] > at else rng.randint(15, 60)
        )
        dur = rng.uniform(3800, 6900) if "export" in key else rng.uniform(400, 900)
        free[i] = st + timedelta(milliseconds=dur)
        invs.append((at, st, dur, key))

    metrics: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    dims = {"FunctionName": fn}
    by_min: dict[datetime, list[tuple[datetime, datetime, float, str]]] = {}
    for rec in invs:
        if rec[1] < now:
            by_min.setdefault(rec[1].replace(second=0, microsecond=0), []).append(rec)
    recv_min: dict[datetime, int] = {}
    for at, _ in arrivals:
        m = at.replace(second=0, microsecond=0)
        recv_min[m] = recv_min.get(m, 0) + 1
    t = start.replace(second=0, microsecond=0)
    while t < now:
        rows = by_min.get(t, [])
        nxt = t + timedelta(minutes=1)
        queued = sum(1 for at, st, _, _ in invs if at < nxt and st >= nxt)
        ts = k.iso(t)
        if rows:
            n = len(rows)
            durs = [r[2] for r in rows]
            ages = [(r[1] - r[0]).total_seconds() * 1000 for r in rows]
            thr = int(queued * rng.uniform(0.7, 1.3)) if queued else 0
            for name, v in [
                ("Invocations", n),
                ("Errors", 0),
                ("Throttles", thr),
                ("ConcurrentExecutions", min(CONC, max(1, round(sum(durs) / 60000 + 0.5)))),
            ]:
                metrics.append(
                    {
                        "namespace": "AWS/Lambda",
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": ts,
                        "unit": "Count",
                        "value": float(v),
                    }
                )
            metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": float(n),
                        "Sum": round(sum(durs), 2),
                        "Minimum": round(min(durs), 2),
                        "Maximum": round(max(durs), 2),
                    },
                }
            )
            metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "AsyncEventAge",
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": float(n),
                        "Sum": round(sum(ages), 1),
                        "Minimum": round(min(ages), 1),
                        "Maximum": round(max(ages), 1),
                    },
                }
            )
        if recv_min.get(t):
            metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "AsyncEventsReceived",
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(recv_min[t]),
                }
            )
            metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "AsyncEventsDropped",
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": 0.0,
                }
            )
        # the database the cap protects
        busy = min(CONC, len(rows))
        metrics.append(
            {
                "namespace": "AWS/RDS",
                "metric": "DatabaseConnections",
                "dimensions": {"DBInstanceIdentifier": db},
                "timestamp": ts,
                "unit": "Count",
                "value": float(rng.randint(38, 46) + busy),
            }
        )
        metrics.append(
            {
                "namespace": "AWS/RDS",
                "metric": "CPUUtilization",
                "dimensions": {"DBInstanceIdentifier": db},
                "timestamp": ts,
                "unit": "Percent",
                "value": round(rng.uniform(18, 26) + busy * rng.uniform(4, 6), 2),
            }
        )
        if t.minute % 5 == 0:
            for name in (
                "ApproximateNumberOfMessagesVisible",
                "NumberOfMessagesSent",
                "ApproximateAgeOfOldestMessage",
            ):
                metrics.append(
                    {
                        "namespace": "AWS/SQS",
                        "metric": name,
                        "dimensions": {"QueueName": dlq},
                        "timestamp": ts,
                        "unit": "Seconds" if "Age" in name else "Count",
                        "value": 0.0,
                    }
                )
        t = nxt

    lg = f"/aws/lambda/{fn}"
    streams = [k.lambda_stream(start, "$LATEST", rng) for _ in range(CONC)]
    for n_i, (_at, st, dur, key) in enumerate(invs):
        if st >= now:
            continue
        rows_n = rng.randint(800, 5200) if "export" in key else rng.randint(1, 40)
        body = [
            f"[INFO]\t{k.iso_ms(st)}\t{{req}}\tloading s3://{bucket}/{key}\n",
            f"[INFO]\t{k.iso_ms(st + timedelta(milliseconds=dur - 30))}\t{{req}}\tupserted {rows_n} rows into ledger.entries ({rows_n - rng.randint(0, min(rows_n, 9))} new) in {dur / 1000 - 0.05:.2f}s\n",
        ]
        logs += k.lambda_report(rng, lg, streams[n_i % CONC], st, dur, 512, rng.randint(160, 230), body)

    # Glue job driver output, one run an hour
    for hh in hours:
        if hh >= now:
            continue
        jr = "jr_" + k.hexid(rng, 64)
        gl = "/aws-glue/jobs/output"
        tt = hh - timedelta(minutes=rng.randint(6, 9))
        n_files = sum(1 for at, key in arrivals if f"hour={hh:%H}/" in key and f"dt={hh:%Y-%m-%d}" in key)
        for i, line in enumerate(
            [
                f"{tt:%y/%m/%d %H:%M:%S} INFO GlueContext: GlueMetrics configured and enabled",
                f"{tt:%y/%m/%d %H:%M:%S} INFO ledger_export: reading ledger journal for window {hh - timedelta(hours=1):%Y-%m-%dT%H:00}Z .. {hh:%Y-%m-%dT%H:00}Z",
                f"{hh:%y/%m/%d %H:%M:%S} INFO ledger_export: writing {n_files} parquet parts to s3://{bucket}/ledger/export/dt={hh:%Y-%m-%d}/hour={hh:%H}/",
                f"{hh:%y/%m/%d %H:%M:%S} INFO ledger_export: job complete",
            ]
        ):
            logs.append(
                k.log(gl, jr, tt + timedelta(seconds=i) if i < 2 else hh + timedelta(seconds=100 + i), line)
            )

    # ---------- CloudTrail ----------
    ids = k.Ident(acct, rng)
    trail = k.Trail(rng, acct, region)
    eng = rng.choice(["hyamamoto", "cobrien", "mfischer", "atorres"])
    sso = ids.sso("AWSReservedSSO_DataPlatform_" + k.hexid(rng, 16), f"{eng}@northpay.example")
    tool = ids.role("observability-readonly", "cw-exporter")
    ip_eng = f"198.51.100.{rng.randint(2, 250)}"
    t_new = t_burst - timedelta(minutes=rng.randint(25, 50))
    alarm_name = "ledger-loader-throttles"
    trail.add(
        t_new,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        sso,
        {
            "alarmName": alarm_name,
            "alarmDescription": "ledger-loader is being throttled",
            "actionsEnabled": True,
            "alarmActions": [topic],
            "metricName": "Throttles",
            "namespace": "AWS/Lambda",
            "statistic": "Sum",
            "dimensions": [{"name": "FunctionName", "value": fn}],
            "period": 60,
            "evaluationPeriods": 1,
            "datapointsToAlarm": 1,
            "threshold": 0.0,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
        },
        None,
        agent="aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10.227",
        ip=ip_eng,
    )
    trail.add(
        t_new - timedelta(minutes=3),
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        sso,
        {"alarmNamePrefix": "ledger-loader"},
        None,
        read_only=True,
        agent="aws-internal/3 aws-sdk-java/1.12.772",
        ip=ip_eng,
    )
    # an unrelated change: glue job worker count bumped yesterday evening's follow-up, earlier today
    t_job = start + timedelta(minutes=rng.randint(20, 60))
    trail.add(
        t_job,
        "glue.amazonaws.com",
        "UpdateJob",
        sso,
        {
            "jobName": "ledger-daily-reconcile",
            "jobUpdate": {
                "role": f"arn:aws:iam::{acct}:role/glue-ledger",
                "command": {
                    "name": "glueetl",
                    "scriptLocation": f"s3://northpay-glue-scripts-{acct}/reconcile.py",
                    "pythonVersion": "3",
                },
                "workerType": "G.1X",
                "numberOfWorkers": 10,
                "glueVersion": "4.0",
            },
        },
        {"jobName": "ledger-daily-reconcile"},
        agent="aws-internal/3 aws-sdk-java/1.12.772",
        ip=ip_eng,
    )
    t = start + timedelta(minutes=rng.randint(0, 6))
    while t < now:
        r = rng.random()
        if r < 0.35:
            trail.add(
                t,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                tool,
                {"maxRecords": 100},
                None,
                read_only=True,
                agent="cloudwatch-exporter/0.16 aws-sdk-java/2.25",
                ip="10.8.2.30",
            )
        elif r < 0.55:
            trail.add(
                t,
                "lambda.amazonaws.com",
                "GetFunctionConfiguration20150331v2",
                tool,
                {"functionName": fn},
                None,
                read_only=True,
                agent="cloudwatch-exporter/0.16 aws-sdk-java/2.25",
                ip="10.8.2.30",
            )
        elif r < 0.75:
            trail.add(
                t,
                "glue.amazonaws.com",
                "GetJobRuns",
                tool,
                {"jobName": job, "maxResults": 10},
                None,
                read_only=True,
                agent="cloudwatch-exporter/0.16 aws-sdk-java/2.25",
                ip="10.8.2.30",
            )
        else:
            trail.add(
                t,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                tool,
                {"queueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{dlq}", "attributeNames": ["All"]},
                None,
                read_only=True,
                agent="cloudwatch-exporter/0.16 aws-sdk-java/2.25",
                ip="10.8.2.30",
            )
        t += timedelta(minutes=rng.randint(3, 9), seconds=rng.randint(0, 59))

    # ---------- alarms ----------
    thr_ts = {m["timestamp"]: m["value"] for m in metrics if m["metric"] == "Throttles"}
    first = min(ts for ts, v in thr_ts.items() if v > 0 and k.parse(ts) >= t_burst)
    t_alarm = k.parse(first) + timedelta(minutes=1, seconds=rng.randint(8, 40))
    r_al = k.reason_text([(thr_ts[first], k.parse(first))], 0)
    quiet = [ts for ts, v in thr_ts.items() if k.parse(ts) > k.parse(first) and v == 0]
    t_ok_dp = k.parse(min(quiet)) if quiet else None
    hist = [
        k.history(
            alarm_name,
            t_new + timedelta(seconds=1),
            "INSUFFICIENT_DATA",
            "OK",
            "Unchecked: Initial alarm creation",
        )
    ]
    hist[0]["HistorySummary"] = "Alarm updated from INSUFFICIENT_DATA to OK"
    hist.insert(
        0,
        {
            "AlarmName": alarm_name,
            "AlarmType": "MetricAlarm",
            "Timestamp": k.iso_ms(t_new),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{alarm_name}" created',
            "HistoryData": '{"version":"1.0","type":"Create"}',
        },
    )
    hist.append(k.history(alarm_name, t_alarm, "OK", "ALARM", r_al))
    state, st_time, st_reason = "ALARM", t_alarm, r_al
    if t_ok_dp is not None and t_ok_dp + timedelta(minutes=1, seconds=30) < now:
        st_time = t_ok_dp + timedelta(minutes=1, seconds=rng.randint(8, 40))
        st_reason = f"Threshold Crossed: 1 out of the last 1 datapoints [0.0 ({t_ok_dp:%d/%m/%y %H:%M:%S})] was not greater than the threshold (0.0) (minimum 1 datapoint for ALARM -> OK transition)."
        hist.append(k.history(alarm_name, st_time, "ALARM", "OK", st_reason))
        state = "OK"
    alarms = [
        k.alarm(
            acct,
            region,
            alarm_name,
            "AWS/Lambda",
            "Throttles",
            dims,
            stat="Sum",
            period=60,
            evals=1,
            threshold=0,
            op="GreaterThanThreshold",
            state=state,
            reason=st_reason,
            state_time=st_time,
            updated=t_new,
            actions=[topic],
            missing="notBreaching",
            description="ledger-loader is being throttled",
        ),
        k.alarm(
            acct,
            region,
            "ledger-loader-errors",
            "AWS/Lambda",
            "Errors",
            dims,
            stat="Sum",
            period=300,
            evals=1,
            threshold=5,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).",
            state_time=day - timedelta(days=11),
            updated=day - timedelta(days=190),
            actions=[topic],
            missing="notBreaching",
        ),
        k.alarm(
            acct,
            region,
            "ledger-loader-dlq-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": dlq},
            stat="Maximum",
            period=300,
            evals=1,
            threshold=0,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
            state_time=day - timedelta(days=11),
            updated=day - timedelta(days=190),
            actions=[topic],
            missing="notBreaching",
        ),
        k.alarm(
            acct,
            region,
            "ledger-pg-1-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db},
            stat="Average",
            period=300,
            evals=3,
            threshold=80,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
            state_time=day - timedelta(days=25),
            updated=day - timedelta(days=300),
            actions=[topic],
        ),
    ]
    event = k.alarm_event(
        alarms[0],
        acct,
        region,
        t_alarm,
        r_al,
        t_new + timedelta(seconds=1),
        "Unchecked: Initial alarm creation",
        rng,
    )

    # ---------- resources ----------
    created = day - timedelta(days=rng.randint(200, 600))
    res = [
        k.lambda_fn(
            acct,
            region,
            fn,
            "ledger-loader-role",
            memory=512,
            timeout=120,
            modified=day - timedelta(days=rng.randint(9, 30)),
            rng=rng,
            env={"DB_SECRET_ID": "ledger/loader", "TARGET_TABLE": "ledger.entries"},
            description="Upsert ledger export parts into Postgres",
        ),
        {
            "service": "lambda",
            "type": "FunctionConcurrency",
            "item": {"FunctionName": fn, "ReservedConcurrentExecutions": CONC},
        },
        {
            "service": "lambda",
            "type": "FunctionEventInvokeConfig",
            "item": {
                "LastModified": k.iso(created + timedelta(days=3)),
                "FunctionArn": fn_arn,
                "MaximumRetryAttempts": 2,
                "MaximumEventAgeInSeconds": 21600,
                "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": dlq_arn}},
            },
        },
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{dlq}",
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp())),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"team": "finance-data"},
            },
        },
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": bucket,
                "CreationDate": k.iso(created),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::{bucket}",
            },
        },
        {
            "service": "glue",
            "type": "Job",
            "item": {
                "Name": job,
                "Role": f"arn:aws:iam::{acct}:role/glue-ledger",
                "CreatedOn": k.iso(created),
                "LastModifiedOn": k.iso(day - timedelta(days=52)),
                "ExecutionProperty": {"MaxConcurrentRuns": 1},
                "Command": {
                    "Name": "glueetl",
                    "ScriptLocation": f"s3://northpay-glue-scripts-{acct}/ledger_export.py",
                    "PythonVersion": "3",
                },
                "DefaultArguments": {
                    "--job-language": "python",
                    "--enable-metrics": "true",
                    "--output_bucket": bucket,
                },
                "MaxRetries": 0,
                "Timeout": 50,
                "WorkerType": "G.1X",
                "NumberOfWorkers": 4,
                "GlueVersion": "4.0",
                "ExecutionClass": "STANDARD",
            },
        },
        k.iam_role(acct, "ledger-loader-role", "lambda.amazonaws.com", created, rng),
        k.log_group(acct, region, lg, created),
        k.log_group(acct, region, "/aws-glue/jobs/output", created, 14),
        k.sns_topic(acct, region, "finance-data-oncall"),
    ]

    local = t_alarm.astimezone(ZoneInfo(tz))
    q = (
        f"ledger-loader throttles alarm just paged me at {local.hour % 12 or 12}:{local.minute:02d}. "
        "Are we dropping ledger files? Should I bump its concurrency?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": q, "alarm_event": event, "timezone": tz},
            "truth": {"no_fault": True, "also_accept": [], "actions": [], "chain": []},
        }
    )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": k.by_ts(hist),
            "logs": logs,
            "cloudtrail": trail.sorted(),
            "resources": res,
        },
    )
