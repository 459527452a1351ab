"""Evening bid-event volume passes the delivery stream's bytes-per-second quota."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzv import Ctx, Platform, iso

NAME = "bid-logs-short-in-s3-evening"
TITLE = "Tonight's bid logs in S3 look short: is Firehose dropping records?"
SUMMARY = (
    "Evening bid-event volume grew past the direct-put delivery stream's 5 MiB/s ingestion quota; "
    "PutRecordBatch calls are partly throttled and the bidders' event buffers overflow and drop events."
)

LIMIT = 5 * 1024 * 1024


def build(seed: int) -> Bundle:
    c = Ctx(seed)
    p = Platform(c)
    c.window(0.3 + c.rng.random() * 1.2, 190, 45 + c.rng.randint(0, 15))
    onset, start = c.onset, c.start
    tr = p.traffic()
    rec_size = c.rng.randint(540, 680)
    over = c.rng.uniform(0.12, 0.24)

    def demand(t: datetime) -> float:  # bytes/s the bidders try to send
        if t < onset:
            x = (t - start).total_seconds() / (onset - start).total_seconds()
            base = LIMIT * (0.74 + 0.25 * x)
        else:
            x = min(1.0, (t - onset).total_seconds() / 1800)
            base = LIMIT * (1.0 + over * x)
        return base * c.rng.uniform(0.985, 1.015)

    def accepted(t: datetime) -> float:
        return min(demand(t), LIMIT * c.rng.uniform(0.985, 0.999))

    def throttled(t: datetime) -> float:
        return max(0.0, demand(t) - accepted(t)) * 60 / rec_size * 1.6  # retries are throttled again

    for k, inst in enumerate(p.instances[-2:]):
        inst["launched"] = onset - timedelta(minutes=c.rng.randint(40, 110) - k * 20)

    p.resources(asg_desired=len(p.instances))
    p.table_item("PAY_PER_REQUEST")
    p.nlb_metrics()
    p.ec2_metrics()
    p.dynamo_metrics()
    p.dax_metrics()
    p.redis_metrics()
    p.firehose_metrics(
        incoming_bytes=lambda t: accepted(t) * 60, throttled=lambda t: throttled(t) if t >= onset else 0.0
    )
    d = {"DeliveryStreamName": p.firehose}
    c.series("AWS/Firehose", "BytesPerSecondLimit", d, "Bytes/Second", lambda t: LIMIT, step=5)
    c.series("AWS/Firehose", "RecordsPerSecondLimit", d, "Count/Second", lambda t: 500000, step=5)
    c.series("AWS/Firehose", "PutRequestsPerSecondLimit", d, "Count/Second", lambda t: 2000, step=5)
    c.series("AWS/Firehose", "PutRecordBatch.Latency", d, "Milliseconds", lambda t: c.rng.uniform(18, 34))
    bd = {"Service": "bidder"}

    def dropped(t: datetime) -> float:
        if t < onset + timedelta(minutes=6):
            return 0.0
        return max(0.0, demand(t) - LIMIT) * 60 / rec_size * c.rng.uniform(0.8, 1.0)

    c.series(
        "ADX/Bidder",
        "EventsDropped",
        bd,
        "Count",
        dropped,
        integer=True,
        skip=lambda t: t < onset + timedelta(minutes=6),
    )
    c.series("ADX/Bidder", "BidRequests", bd, "Count", lambda t: tr(t) * 60, integer=True)
    c.series("ADX/Bidder", "NoBidRate", bd, "Percent", lambda t: c.rng.uniform(3.2, 4.8))

    al = c.alarm(
        "bidder-event-buffer-drops",
        "ADX/Bidder",
        "EventsDropped",
        bd,
        "Sum",
        1000.0,
        "GreaterThanThreshold",
        300,
        1,
        missing="notBreaching",
        desc="Bidders dropping impression/bid events before shipping. Billing reconciliation depends on these.",
    )
    t_alarm = onset + timedelta(minutes=12)
    reason = (
        "Threshold Crossed: 1 out of the last 1 datapoints [{:.1f} ({})] was greater than the threshold (1000.0) "
        "(minimum 1 datapoint for OK -> ALARM transition).".format(
            dropped(t_alarm) * 5, iso(t_alarm)[:-1] + "+0000"
        )
    )
    al.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=iso(t_alarm),
        StateTransitionedTimestamp=iso(t_alarm),
    )
    c.history(al["AlarmName"], t_alarm, "OK", "ALARM", reason)
    fr = c.alarm(
        "bid-events-firehose-freshness",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        d,
        "Maximum",
        600.0,
        "GreaterThanThreshold",
        300,
        2,
    )
    c.alarm(
        "bidder-p99-latency",
        "ADX/Bidder",
        "BidLatencyP99",
        bd,
        "Average",
        80.0,
        "GreaterThanThreshold",
        60,
        5,
    )
    c.alarm(
        "campaign-budgets-read-throttles",
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        {"TableName": p.table},
        "Sum",
        0.0,
        "GreaterThanThreshold",
        60,
        2,
        missing="notBreaching",
    )
    t0 = start + timedelta(minutes=c.rng.randint(20, 60))
    c.history(
        fr["AlarmName"],
        t0,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (600.0).",
    )
    c.history(
        fr["AlarmName"],
        t0 + timedelta(minutes=10),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 2 datapoints [271.0] was not greater than the threshold (600.0).",
    )

    # scale-outs with the evening peak (innocent), and some human changes
    asv = {"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"}
    for k, inst in enumerate(p.instances[-2:]):
        t = inst["launched"] - timedelta(seconds=50)
        c.event(
            "autoscaling",
            {
                "ActivityId": c.uid(),
                "AutoScalingGroupName": p.asg,
                "Description": f"Launching a new EC2 instance: {inst['id']}",
                "Cause": f"At {iso(t)} a monitor alarm TargetTracking-{p.asg}-AlarmHigh-{c.uid()} in state ALARM "
                "triggered policy bidder-cpu-50 changing the desired capacity from "
                f"{len(p.instances) - 2 + k} to {len(p.instances) - 1 + k}.  At {iso(t)} an instance was started "
                f"in response to a difference between desired and actual capacity, increasing the capacity "
                f"from {len(p.instances) - 2 + k} to {len(p.instances) - 1 + k}.",
                "StartTime": iso(t),
                "EndTime": iso(inst["launched"] + timedelta(minutes=2)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": f'{{"Subnet ID":"{c.subnets[inst["az"]]}","Availability Zone":"{inst["az"]}"}}',
            },
        )
        c.ct(
            t,
            "ec2.amazonaws.com",
            "RunInstances",
            asv,
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "instanceMarketOptions": {"marketType": "spot"},
                "launchTemplate": {"launchTemplateId": p.lt_id, "version": p.lt_version},
            },
            {"instancesSet": {"items": [{"instanceId": inst["id"], "instanceType": inst["type"]}]}},
        )
    ops, deploy = p.roles["ops"], p.roles["deploy"]
    c.ct(
        onset - timedelta(minutes=c.rng.randint(70, 100)),
        "firehose.amazonaws.com",
        "TagDeliveryStream",
        ops,
        {"deliveryStreamName": p.firehose, "tags": [{"key": "cost-center", "value": "adx-data"}]},
        None,
    )
    c.ct(
        onset - timedelta(minutes=c.rng.randint(15, 35)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        deploy,
        {"functionName": "bid-report-aggregator", "publish": True},
        {
            "functionName": "bid-report-aggregator",
            "runtime": "python3.12",
            "codeSize": 4822102,
            "version": str(c.rng.randint(80, 120)),
            "lastUpdateStatus": "InProgress",
        },
    )
    c.ct(
        onset - timedelta(minutes=c.rng.randint(5, 12)),
        "glue.amazonaws.com",
        "StartCrawler",
        c.role("glue-crawler-scheduler", "GlueJobRunnerSession"),
        {"name": "bid-events-hourly"},
        None,
    )
    c.ct(
        onset + timedelta(minutes=20),
        "firehose.amazonaws.com",
        "DescribeDeliveryStream",
        ops,
        {"deliveryStreamName": p.firehose},
        None,
        read_only=True,
    )
    c.ct(
        onset + timedelta(minutes=22),
        "monitoring.amazonaws.com",
        "GetMetricData",
        ops,
        {"startTime": iso(onset - timedelta(hours=3)), "endTime": iso(onset + timedelta(minutes=22))},
        None,
        read_only=True,
    )
    p.noise_trail(30)

    def line(inst: dict, t: datetime) -> str | None:
        if t < inst["launched"]:
            return None
        stamp = f"{iso(t)[:-1]}.{c.rng.randint(100, 999)}Z"
        if t >= onset and c.rng.random() < 0.9:
            if t >= onset + timedelta(minutes=6) and c.rng.random() < 0.5:
                return (
                    f"{stamp} WARN  [event-shipper] c.a.b.events.EventBuffer - buffer full (capacity=250000), "
                    f"dropped {c.rng.randint(1800, 6000)} events in last 60s"
                )
            return (
                f"{stamp} WARN  [event-shipper] c.a.b.events.FirehoseSink - PutRecordBatch partial failure "
                f"stream={p.firehose} failedPutCount={c.rng.randint(40, 260)}/500 "
                "errorCode=ServiceUnavailableException errorMessage=Slow down. retrying in "
                f"{c.rng.choice([200, 400, 800, 1600])}ms"
            )
        return (
            f"{stamp} INFO  [stats] c.a.b.BidStats - window=60s requests={int(tr(t) * 60 / len(p.instances))} "
            f"nobid={c.rng.uniform(3.2, 4.8):.1f}% p99={c.rng.randint(36, 48)}ms events_shipped_ok=true"
        )

    p.app_logs(line, every=3)
    local = (onset + timedelta(minutes=10)).astimezone(ZoneInfo("America/Chicago"))
    trig = {
        "question": (
            f"Since about {local.strftime('%-I')}pm the hourly bids/ partitions in {p.bucket} are roughly "
            f"{int(over * 100)}% smaller than the same hours last week and the revenue recon job is flagging "
            "it. Is Firehose losing data? Traffic looks normal on the dashboards."
        ),
        "alarm_event": None,
        "timezone": "America/Chicago",
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": p.firehose,
            "category": "limit",
            "failure_mode": "firehose-direct-put-bytes-per-second-quota",
        },
        "also_accept": [c.arn("firehose", f"deliverystream/{p.firehose}")],
        "actions": ["scale", "reconfigure"],
        "chain": [p.firehose, "bidder", p.bucket],
    }
    return c.bundle(TITLE, trig, truth)
