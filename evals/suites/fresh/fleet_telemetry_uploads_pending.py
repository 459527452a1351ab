"""Morning fleet traffic outgrows a provisioned Kinesis stream's write capacity."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zzh as k

NAME = "fleet-telemetry-uploads-pending"
TITLE = "Trucks stuck on 'upload pending' during the morning dispatch rush"
SUMMARY = (
    "The morning ramp pushed writes past a 4-shard provisioned Kinesis stream's 1 MB/s-per-shard ceiling; "
    "PutRecords throttled, the ingest API returned 503s and devices queued uploads."
)

MB = 1024 * 1024


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}/{seed}")
    acct = k.account(rng)
    region, tz = rng.choice(
        [("us-east-1", "America/Chicago"), ("us-east-2", "America/Chicago"), ("us-west-2", "America/Denver")]
    )
    day = k.day_start(rng)
    local_mid = day.replace(tzinfo=ZoneInfo(tz))
    t0 = (local_mid + timedelta(hours=7, minutes=rng.randint(5, 50), seconds=rng.randint(0, 59))).astimezone(
        k.UTC
    )
    start = (t0 - timedelta(hours=3, minutes=25)).replace(minute=0, second=0)
    now = t0 + timedelta(minutes=rng.randint(45, 60))
    end = now

    shards = 4
    cap = shards * MB * 60  # bytes per minute
    stream = "fleet-telemetry"
    stream_arn = f"arn:aws:kinesis:{region}:{acct}:stream/{stream}"
    api_fn = "telemetry-ingest-api"
    alerts_fn = "telemetry-geofence-alerts"
    fh = "fleet-telemetry-archive"
    api_id = k.hexid(rng, 10)
    api_name = "fleet-telemetry"
    topic = f"arn:aws:sns:{region}:{acct}:fleet-platform-pager"
    rec_size = rng.uniform(1050, 1180)

    def demand(t: Any) -> float:
        x = (t - t0).total_seconds() / 60.0
        ramp = 0.42 + (0.94 - 0.42) * max(0.0, 1 + x / 205.0) ** 1.6
        frac = ramp if x < 0 else min(1.2, 0.94 + 0.006 * x)
        return frac * cap * rng.uniform(0.985, 1.015)

    metrics: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    kd = {"StreamName": stream}
    api_dims = {"ApiName": api_name, "Stage": "prod"}
    fdims = {"FunctionName": api_fn}
    adims = {"FunctionName": alerts_fn}
    hdims = {"DeliveryStreamName": fh}
    lg = f"/aws/lambda/{api_fn}"
    lstreams = [k.lambda_stream(start, "31", rng) for _ in range(3)]
    t_dep = t0 - timedelta(minutes=rng.randint(28, 45))
    lstreams_new = [k.lambda_stream(t_dep, "32", rng) for _ in range(4)]
    first_throttle = None
    t = start
    while t < now:
        want = demand(t)
        ceiling = cap * rng.uniform(0.955, 0.985)
        accepted = min(want, ceiling)
        throttled_b = max(0.0, want - ceiling)
        # below the ceiling, short per-second bursts already trip a few shards
        if want > 0.9 * cap and throttled_b == 0:
            throttled_b = want * rng.uniform(0.0, 0.004)
            accepted = want - throttled_b
        acc_r = int(accepted / rec_size)
        thr_r = int(throttled_b / rec_size)
        if thr_r and first_throttle is None and throttled_b > 0.02 * want:
            first_throttle = t
        calls = int((acc_r + thr_r) / rng.uniform(180, 220))
        ts = k.iso(t)
        for name, v, unit in [
            ("IncomingBytes", accepted, "Bytes"),
            ("IncomingRecords", acc_r, "Count"),
            ("PutRecords.Bytes", accepted, "Bytes"),
            ("PutRecords.TotalRecords", acc_r + thr_r, "Count"),
            ("PutRecords.SuccessfulRecords", acc_r, "Count"),
            ("PutRecords.ThrottledRecords", thr_r, "Count"),
            ("PutRecords.FailedRecords", 0, "Count"),
            ("WriteProvisionedThroughputExceeded", thr_r, "Count"),
            ("ReadProvisionedThroughputExceeded", 0, "Count"),
            ("GetRecords.Bytes", accepted * 2, "Bytes"),
            ("GetRecords.Records", acc_r * 2, "Count"),
            ("OutgoingBytes", accepted * 2, "Bytes"),
        ]:
            metrics.append(
                {
                    "namespace": "AWS/Kinesis",
                    "metric": name,
                    "dimensions": kd,
                    "timestamp": ts,
                    "unit": unit,
                    "value": float(round(v)),
                }
            )
        lat = rng.uniform(14, 22) + (thr_r / max(1, acc_r)) * 60
        metrics.append(
            {
                "namespace": "AWS/Kinesis",
                "metric": "PutRecords.Latency",
                "dimensions": kd,
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": float(calls),
                    "Sum": round(lat * calls, 1),
                    "Minimum": round(rng.uniform(6, 9), 1),
                    "Maximum": round(lat * rng.uniform(4, 9), 1),
                },
            }
        )
        succ_calls = calls - (int(calls * min(0.9, 3 * thr_r / max(1, acc_r + thr_r))) if thr_r else 0)
        metrics.append(
            {
                "namespace": "AWS/Kinesis",
                "metric": "PutRecords.Success",
                "dimensions": kd,
                "timestamp": ts,
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": float(calls),
                    "Sum": float(succ_calls),
                    "Minimum": 0.0 if succ_calls < calls else 1.0,
                    "Maximum": 1.0,
                },
            }
        )
        metrics.append(
            {
                "namespace": "AWS/Kinesis",
                "metric": "GetRecords.IteratorAgeMilliseconds",
                "dimensions": kd,
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": 480.0,
                    "Sum": 480.0 * rng.uniform(200, 700),
                    "Minimum": 0.0,
                    "Maximum": float(rng.randint(900, 2400)),
                },
            }
        )

        # API Gateway + ingest Lambda: one request per device batch
        frac_thr = thr_r / max(1, acc_r + thr_r)
        reqs = calls
        fail = int(reqs * max(0.0, frac_thr * 2.4 - 0.02)) if frac_thr > 0.01 else 0
        base_d = rng.uniform(55, 80)
        dur = base_d + (frac_thr * 9000 if frac_thr > 0.01 else 0)
        for name, v in [
            ("Count", reqs),
            ("5XXError", fail),
            ("4XXError", int(reqs * rng.uniform(0.001, 0.003))),
        ]:
            metrics.append(
                {
                    "namespace": "AWS/ApiGateway",
                    "metric": name,
                    "dimensions": api_dims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(v),
                }
            )
        metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "Latency",
                "dimensions": api_dims,
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": float(reqs),
                    "Sum": round((dur + 12) * reqs, 1),
                    "Minimum": 19.0,
                    "Maximum": round(min(29000.0, dur * 6 + 40), 1),
                },
            }
        )
        for name, v in [
            ("Invocations", reqs),
            ("Errors", 0),
            ("Throttles", 0),
            ("ConcurrentExecutions", max(1, int(reqs / 60 * dur / 1000) + rng.randint(1, 3))),
        ]:
            metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": name,
                    "dimensions": fdims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(v),
                }
            )
        metrics.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "Duration",
                "dimensions": fdims,
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": float(reqs),
                    "Sum": round(dur * reqs, 1),
                    "Minimum": round(base_d * 0.4, 1),
                    "Maximum": round(min(10000.0, dur * 4), 1),
                },
            }
        )
        # geofence consumer (event source mapping, 4 shards)
        inv = shards * rng.randint(55, 60)
        ad = rng.uniform(110, 175) * (accepted / (0.7 * cap))
        for name, v, unit in [
            ("Invocations", inv, "Count"),
            ("Errors", 0, "Count"),
            ("Throttles", 0, "Count"),
            ("IteratorAge", rng.uniform(400, 1500), "Milliseconds"),
        ]:
            metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": name,
                    "dimensions": adims,
                    "timestamp": ts,
                    "unit": unit,
                    "value": round(float(v), 1),
                }
            )
        metrics.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "Duration",
                "dimensions": adims,
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": float(inv),
                    "Sum": round(ad * inv, 1),
                    "Minimum": round(ad * 0.3, 1),
                    "Maximum": round(ad * 2.8, 1),
                },
            }
        )
        # firehose archive reading from the stream
        for name, v, unit in [
            ("DataReadFromKinesisStream.Bytes", accepted, "Bytes"),
            ("DataReadFromKinesisStream.Records", acc_r, "Count"),
            ("KinesisMillisBehindLatest", rng.uniform(300, 1200), "Milliseconds"),
        ]:
            metrics.append(
                {
                    "namespace": "AWS/Firehose",
                    "metric": name,
                    "dimensions": hdims,
                    "timestamp": ts,
                    "unit": unit,
                    "value": round(float(v), 1),
                }
            )

        # ingest Lambda logs (a sample: one line a minute normally, the retry noise once throttling starts)
        ls = (lstreams if t < t_dep else lstreams_new)[t.minute % 3]
        at = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
        req = k.uuid(rng)
        if frac_thr > 0.01:
            n_fail = rng.randint(20, 140)
            sid = rng.randint(0, shards - 1)
            logs.append(
                k.log(
                    lg,
                    ls,
                    at,
                    f"{k.iso_ms(at)}\t{req}\tWARN\tPutRecords partial failure: {n_fail}/500 records failed, first error ProvisionedThroughputExceededException: Rate exceeded for shard shardId-00000000000{sid} in stream {stream} under account {acct}. (retry 1/3 in 200ms)\n",
                )
            )
            if rng.random() < min(0.95, frac_thr * 6):
                left = rng.randint(3, n_fail // 2)
                logs.append(
                    k.log(
                        lg,
                        ls,
                        at + timedelta(milliseconds=rng.randint(1500, 2600)),
                        f"{k.iso_ms(at)}\t{req}\tERROR\tgiving up after 3 attempts: {left} records still throttled by Kinesis; responding 503 to device {rng.choice('ABCDEFHJKLMN')}{rng.randint(10000, 99999)} (batch will be retried by device)\n",
                    )
                )
        elif t.minute % 7 == 0:
            logs.append(
                k.log(
                    lg,
                    ls,
                    at,
                    f"{k.iso_ms(at)}\t{req}\tINFO\taccepted batch device={rng.choice('ABCDEFHJKLMN')}{rng.randint(10000, 99999)} records={rng.randint(40, 500)} bytes={rng.randint(50000, 560000)}\n",
                )
            )
        t += timedelta(minutes=1)
    assert first_throttle is not None

    # ---------- CloudTrail ----------
    ids = k.Ident(acct, rng)
    trail = k.Trail(rng, acct, region)
    ci = ids.role("github-deploy-fleet", f"GitHubActions-{rng.randint(10**9, 10**10 - 1)}")
    grafana = ids.role("grafana-readonly", "grafana-datasource")
    eng = rng.choice(["dpatel", "kmorales", "tnguyen", "bwhite"])
    sso = ids.sso("AWSReservedSSO_PlatformEngineer_" + k.hexid(rng, 16), f"{eng}@fleetline.com")
    gh_ip = f"20.{rng.randint(30, 60)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    fn_arn = f"arn:aws:lambda:{region}:{acct}:function:{api_fn}"
    sam = "aws-sam-cli/1.125.0 Botocore/1.35.20"
    trail.add(
        t_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": api_fn,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"fleet-deploy-artifacts-{acct}",
            "s3Key": f"{api_fn}/{k.hexid(rng, 32)}",
        },
        {
            "functionName": api_fn,
            "functionArn": fn_arn,
            "runtime": "nodejs20.x",
            "handler": "index.handler",
            "codeSize": 2711230,
            "timeout": 15,
            "memorySize": 1024,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent=sam,
        ip=gh_ip,
    )
    trail.add(
        t_dep + timedelta(seconds=14),
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        ci,
        {"functionName": api_fn, "description": "release 2.41.0: add odometer field, bump aws-sdk"},
        {
            "functionName": api_fn,
            "functionArn": fn_arn + ":32",
            "version": "32",
            "runtime": "nodejs20.x",
            "state": "Active",
        },
        agent=sam,
        ip=gh_ip,
    )
    trail.add(
        t_dep + timedelta(seconds=17),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ci,
        {"functionName": api_fn, "name": "live", "functionVersion": "32"},
        {"aliasArn": fn_arn + ":live", "name": "live", "functionVersion": "32", "revisionId": k.uuid(rng)},
        agent=sam,
        ip=gh_ip,
    )
    t_esm = t0 - timedelta(minutes=rng.randint(70, 110))
    esm_uuid = k.uuid(rng)
    trail.add(
        t_esm,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        sso,
        {"uUID": esm_uuid, "batchSize": 200, "maximumBatchingWindowInSeconds": 1},
        {
            "uUID": esm_uuid,
            "batchSize": 200,
            "maximumBatchingWindowInSeconds": 1,
            "eventSourceArn": stream_arn,
            "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{alerts_fn}",
            "state": "Updating",
        },
        agent="aws-cli/2.18.1 md/command#lambda.update-event-source-mapping",
        ip=f"73.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    )
    t_fh = t0 + timedelta(minutes=rng.randint(8, 20))
    trail.add(
        t_fh,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        sso,
        {
            "alarmName": "fleet-telemetry-archive-freshness",
            "namespace": "AWS/Firehose",
            "metricName": "DeliveryToS3.DataFreshness",
            "statistic": "Maximum",
            "period": 300,
            "evaluationPeriods": 3,
            "threshold": 1200.0,
            "comparisonOperator": "GreaterThanThreshold",
            "dimensions": [{"name": "DeliveryStreamName", "value": fh}],
        },
        None,
        agent="aws-internal/3 aws-sdk-java/1.12.772",
        ip=f"73.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    )
    t = start + timedelta(minutes=rng.randint(1, 6))
    while t < now:
        r = rng.random()
        if r < 0.4:
            trail.add(
                t,
                "kinesis.amazonaws.com",
                "DescribeStreamSummary",
                grafana,
                {"streamName": stream},
                None,
                read_only=True,
                agent="Grafana/11.2.2 aws-sdk-go/1.55.5",
                ip="10.40.3.21",
            )
        elif r < 0.6:
            trail.add(
                t,
                "kinesis.amazonaws.com",
                "ListShards",
                ids.role("firehose-fleet-archive", "AWSFirehoseToS3"),
                {"streamName": stream, "maxResults": 1000},
                None,
                read_only=True,
                agent="firehose.amazonaws.com",
                ip="firehose.amazonaws.com",
            )
        elif r < 0.8:
            trail.add(
                t,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                grafana,
                {"functionName": api_fn},
                None,
                read_only=True,
                agent="Grafana/11.2.2 aws-sdk-go/1.55.5",
                ip="10.40.3.21",
            )
        else:
            trail.add(
                t,
                "apigateway.amazonaws.com",
                "GetStages",
                grafana,
                {"restApiId": api_id},
                None,
                read_only=True,
                agent="Grafana/11.2.2 aws-sdk-go/1.55.5",
                ip="10.40.3.21",
            )
        t += timedelta(minutes=rng.randint(4, 11), seconds=rng.randint(0, 59))
    t = t0 + timedelta(minutes=rng.randint(22, 30))
    for name, params in [
        ("DescribeStreamSummary", {"streamName": stream}),
        ("ListShards", {"streamName": stream}),
        ("DescribeStreamConsumer", {"streamARN": stream_arn, "consumerName": "geofence"}),
    ]:
        err = (
            ("ResourceNotFoundException", f"Consumer geofence under stream {stream} not found.")
            if name == "DescribeStreamConsumer"
            else None
        )
        trail.add(
            t,
            "kinesis.amazonaws.com",
            name,
            sso,
            params,
            None,
            read_only=True,
            agent="aws-internal/3 aws-sdk-java/1.12.772",
            ip="73.12.44.201",
            error=err,
        )
        t += timedelta(seconds=rng.randint(20, 70))

    # ---------- alarms ----------
    a5 = "fleet-telemetry-api-5xx"
    fails = {m["timestamp"]: m["value"] for m in metrics if m["metric"] == "5XXError"}
    grid = sorted(fails)
    t_alarm = None
    r5 = ""
    for i in range(2, len(grid)):
        last3 = [fails[grid[j]] for j in (i - 2, i - 1, i)]
        if all(v > 50 for v in last3):
            t_alarm = k.parse(grid[i]) + timedelta(minutes=1, seconds=rng.randint(5, 40))
            r5 = k.reason_text([(fails[grid[j]], k.parse(grid[j])) for j in (i - 2, i - 1, i)], 50)
            break
    assert t_alarm is not None
    assert t_alarm < now
    alarms = [
        k.alarm(
            acct,
            region,
            a5,
            "AWS/ApiGateway",
            "5XXError",
            api_dims,
            stat="Sum",
            period=60,
            evals=3,
            threshold=50,
            op="GreaterThanThreshold",
            state="ALARM",
            reason=r5,
            state_time=t_alarm,
            updated=day - timedelta(days=88),
            actions=[topic],
            missing="notBreaching",
            description="Device uploads failing server-side",
        ),
        k.alarm(
            acct,
            region,
            "fleet-telemetry-api-latency-p99",
            "AWS/ApiGateway",
            "Latency",
            api_dims,
            stat="Average",
            period=300,
            evals=2,
            threshold=1500,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 2 out of the last 2 datapoints [412.3 , 388.0] were not greater than the threshold (1500.0) (minimum 2 datapoints for ALARM -> OK transition).",
            state_time=day - timedelta(days=2, hours=4),
            updated=day - timedelta(days=88),
            actions=[topic],
        ),
        k.alarm(
            acct,
            region,
            "telemetry-geofence-alerts-iterator-age",
            "AWS/Lambda",
            "IteratorAge",
            adims,
            stat="Maximum",
            period=60,
            evals=5,
            threshold=60000,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (60000.0).",
            state_time=day - timedelta(days=6),
            updated=day - timedelta(days=120),
            actions=[topic],
        ),
        k.alarm(
            acct,
            region,
            "telemetry-geofence-alerts-duration",
            "AWS/Lambda",
            "Duration",
            adims,
            stat="Average",
            period=300,
            evals=1,
            threshold=300,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 1 out of the last 1 datapoints [204.7] was not greater than the threshold (300.0) (minimum 1 datapoint for ALARM -> OK transition).",
            state_time=day - timedelta(days=3, hours=rng.randint(1, 9)),
            updated=day - timedelta(days=30),
            actions=[],
        ),
    ]
    hist = [k.history(a5, t_alarm, "OK", "ALARM", r5)]
    event = k.alarm_event(
        alarms[0],
        acct,
        region,
        t_alarm,
        r5,
        day - timedelta(days=1, hours=15),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (50.0).",
        rng,
    )

    # ---------- resources ----------
    created = day - timedelta(days=rng.randint(400, 800))
    step = 2**128 // shards
    res: list[dict[str, Any]] = [
        {
            "service": "kinesis",
            "type": "StreamDescriptionSummary",
            "item": {
                "StreamName": stream,
                "StreamARN": stream_arn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "RetentionPeriodHours": 24,
                "StreamCreationTimestamp": k.iso(created),
                "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
                "EncryptionType": "KMS",
                "KeyId": "alias/aws/kinesis",
                "OpenShardCount": shards,
                "ConsumerCount": 0,
            },
        },
    ]
    for i in range(shards):
        res.append(
            {
                "service": "kinesis",
                "type": "StreamShard",
                "item": {
                    "StreamName": stream,
                    "ShardId": f"shardId-00000000000{i}",
                    "HashKeyRange": {
                        "StartingHashKey": str(i * step),
                        "EndingHashKey": str((i + 1) * step - 1 if i < shards - 1 else 2**128 - 1),
                    },
                    "SequenceNumberRange": {
                        "StartingSequenceNumber": "4959" + str(rng.randint(10**51, 10**52 - 1))
                    },
                },
            }
        )
    res += [
        k.lambda_fn(
            acct,
            region,
            api_fn,
            "telemetry-ingest-api-role",
            runtime="nodejs20.x",
            handler="index.handler",
            memory=1024,
            timeout=15,
            modified=t_dep + timedelta(seconds=3),
            rng=rng,
            env={"STREAM_NAME": stream, "PUT_RETRIES": "3", "NODE_OPTIONS": "--enable-source-maps"},
        ),
        k.lambda_fn(
            acct,
            region,
            alerts_fn,
            "telemetry-geofence-role",
            memory=512,
            timeout=60,
            modified=day - timedelta(days=12),
            rng=rng,
        ),
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": esm_uuid,
                "StartingPosition": "LATEST",
                "BatchSize": 200,
                "MaximumBatchingWindowInSeconds": 1,
                "ParallelizationFactor": 1,
                "EventSourceArn": stream_arn,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{alerts_fn}",
                "LastModified": k.iso(t_esm),
                "LastProcessingResult": "OK",
                "State": "Enabled",
                "StateTransitionReason": "User action",
                "DestinationConfig": {"OnFailure": {}},
                "MaximumRecordAgeInSeconds": -1,
                "BisectBatchOnFunctionError": False,
                "MaximumRetryAttempts": -1,
                "FunctionResponseTypes": [],
            },
        },
        {
            "service": "firehose",
            "type": "DeliveryStreamDescription",
            "item": {
                "DeliveryStreamName": fh,
                "DeliveryStreamARN": f"arn:aws:firehose:{region}:{acct}:deliverystream/{fh}",
                "DeliveryStreamStatus": "ACTIVE",
                "DeliveryStreamType": "KinesisStreamAsSource",
                "VersionId": "3",
                "CreateTimestamp": k.iso(created + timedelta(days=5)),
                "Source": {
                    "KinesisStreamSourceDescription": {
                        "KinesisStreamARN": stream_arn,
                        "RoleARN": f"arn:aws:iam::{acct}:role/firehose-fleet-archive",
                        "DeliveryStartTimestamp": k.iso(created + timedelta(days=5)),
                    }
                },
                "Destinations": [
                    {
                        "DestinationId": "destinationId-000000000001",
                        "ExtendedS3DestinationDescription": {
                            "RoleARN": f"arn:aws:iam::{acct}:role/firehose-fleet-archive",
                            "BucketARN": f"arn:aws:s3:::fleetline-telemetry-archive-{acct}",
                            "Prefix": "raw/",
                            "BufferingHints": {"SizeInMBs": 128, "IntervalInSeconds": 300},
                            "CompressionFormat": "GZIP",
                            "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                        },
                    }
                ],
                "HasMoreDestinations": False,
            },
        },
        {
            "service": "apigateway",
            "type": "RestApi",
            "item": {
                "id": api_id,
                "name": api_name,
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": True,
                "rootResourceId": k.hexid(rng, 10),
            },
        },
        {
            "service": "apigateway",
            "type": "RestApiStage",
            "item": {
                "restApiId": api_id,
                "deploymentId": k.hexid(rng, 6),
                "stageName": "prod",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "throttlingBurstLimit": 5000,
                        "throttlingRateLimit": 10000.0,
                    }
                },
                "tracingEnabled": False,
                "createdDate": k.iso(created),
                "lastUpdatedDate": k.iso(day - timedelta(days=41)),
            },
        },
        k.log_group(acct, region, lg, created),
        k.sns_topic(acct, region, "fleet-platform-pager"),
    ]

    local = t0.astimezone(ZoneInfo(tz))
    q = (
        f"Dispatch says a lot of trucks are showing 'upload pending' since about {local.hour % 12 or 12}:{(local.minute // 10) * 10:02d} "
        f"and the API 5xx alarm went off. We shipped ingest-api 2.41 this morning, did that break it?"
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
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": stream,
                    "category": "limit",
                    "failure_mode": "kinesis-shard-write-throughput-exceeded",
                },
                "also_accept": [stream_arn],
                "actions": ["scale"],
                "chain": [stream, api_fn, api_name],
            },
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
