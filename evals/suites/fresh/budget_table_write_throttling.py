"""Bidder no-bids climb after the budget table is moved to provisioned capacity."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzv import Ctx, Platform, iso

NAME = "bidder-nobid-spike-budget-ledger"
TITLE = "Bidder no-bid rate alarm: we're passing on most auctions since mid-afternoon"
SUMMARY = (
    "A cost clean-up switched the campaign budget table from on-demand to provisioned capacity with "
    "too few WCUs; budget decrements throttle and the bidder no-bids."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed)
    p = Platform(c)
    c.window(19.0 + c.rng.random() * 2, 195, 40 + c.rng.randint(0, 10))
    onset = c.onset
    wcu = c.rng.choice([400, 500, 600])
    rcu = c.rng.choice([200, 250])
    tr = p.traffic()

    def demand(t: datetime) -> float:
        return tr(t) * 0.02  # write units per second

    def consumed(t: datetime) -> float:
        return min(demand(t), wcu * 1.02) * 60 if t >= onset else demand(t) * 60

    def throttled(t: datetime) -> float:
        return max(0.0, demand(t) - wcu) * 60 * 0.9 if t >= onset else 0.0

    p.resources()
    p.table_item("PROVISIONED", rcu, wcu, last_decrease=onset)
    p.nlb_metrics()
    p.ec2_metrics()
    p.dynamo_metrics(write=consumed, throttles=throttled)
    d = {"TableName": p.table}
    c.series(
        "AWS/DynamoDB",
        "ProvisionedWriteCapacityUnits",
        d,
        "Count",
        lambda t: wcu,
        step=5,
        skip=lambda t: t < onset,
    )
    c.series(
        "AWS/DynamoDB",
        "ProvisionedReadCapacityUnits",
        d,
        "Count",
        lambda t: rcu,
        step=5,
        skip=lambda t: t < onset,
    )
    c.series(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": p.table, "Operation": "UpdateItem"},
        "Count",
        lambda t: throttled(t) / 1.3,
        integer=True,
        skip=lambda t: t < onset,
    )
    p.dax_metrics()
    p.redis_metrics()
    p.firehose_metrics()

    def nobid_pct(t: datetime) -> float:
        base = 4.0 + c.rng.uniform(-0.6, 0.6)
        if t < onset:
            return base
        return base + 100 * throttled(t) / max(1.0, demand(t) * 60)

    bd = {"Service": "bidder"}
    c.series("ADX/Bidder", "NoBidRate", bd, "Percent", nobid_pct)
    c.series("ADX/Bidder", "BidRequests", bd, "Count", lambda t: tr(t) * 60, integer=True)
    c.series(
        "ADX/Bidder",
        "BidLatencyP99",
        bd,
        "Milliseconds",
        lambda t: c.rng.uniform(38, 46) + (22 if t >= onset else 0),
    )

    al = c.alarm(
        "bidder-nobid-rate-high",
        "ADX/Bidder",
        "NoBidRate",
        bd,
        "Average",
        15.0,
        "GreaterThanThreshold",
        60,
        5,
        desc="No-bid rate above 15% for 5 minutes. Runbook: wiki/BID-112",
    )
    t_alarm = onset + timedelta(minutes=6)
    reason = (
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (15.0). "
        f"The most recent datapoints which crossed the threshold: [{nobid_pct(t_alarm):.1f} ({iso(t_alarm)[:-1]}+0000)]."
    )
    al.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=iso(t_alarm),
        StateTransitionedTimestamp=iso(t_alarm),
    )
    c.history(al["AlarmName"], t_alarm, "OK", "ALARM", reason)
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
        "bid-nlb-unhealthy-hosts",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        {"LoadBalancer": p.nlb_dim, "TargetGroup": p.tg_dim},
        "Maximum",
        0.0,
        "GreaterThanThreshold",
        60,
        3,
    )
    fl = c.alarm(
        "bid-events-firehose-freshness",
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        {"DeliveryStreamName": p.firehose},
        "Maximum",
        600.0,
        "GreaterThanThreshold",
        300,
        2,
    )
    f1 = onset - timedelta(minutes=88)
    c.history(
        fl["AlarmName"],
        f1,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (600.0).",
    )
    c.history(
        fl["AlarmName"],
        f1 + timedelta(minutes=10),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 2 datapoints [288.0] was not greater than the threshold (600.0).",
    )

    # CloudTrail: the culprit, innocent changes, tooling reads
    ops, deploy = p.roles["ops"], p.roles["deploy"]
    tdesc = {
        "tableName": p.table,
        "tableStatus": "UPDATING",
        "billingModeSummary": {"billingMode": "PROVISIONED"},
        "provisionedThroughput": {
            "readCapacityUnits": rcu,
            "writeCapacityUnits": wcu,
            "numberOfDecreasesToday": 0,
        },
        "tableArn": c.arn("dynamodb", f"table/{p.table}"),
    }
    culprit = c.ct(
        onset - timedelta(seconds=c.rng.randint(20, 80)),
        "dynamodb.amazonaws.com",
        "UpdateTable",
        ops,
        {
            "tableName": p.table,
            "billingMode": "PROVISIONED",
            "provisionedThroughput": {"readCapacityUnits": rcu, "writeCapacityUnits": wcu},
        },
        {"tableDescription": tdesc},
        agent="aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/dynamodb.update-table",
    )
    for tbl in ("creative-metadata", "pacing-snapshots"):
        c.ct(
            onset - timedelta(minutes=c.rng.randint(6, 14)),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            ops,
            {
                "tableName": tbl,
                "billingMode": "PROVISIONED",
                "provisionedThroughput": {"readCapacityUnits": 50, "writeCapacityUnits": 25},
            },
            {"tableDescription": {"tableName": tbl, "tableStatus": "UPDATING"}},
            agent="aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/dynamodb.update-table",
        )
    c.ct(
        onset - timedelta(minutes=c.rng.randint(25, 40)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        deploy,
        {"functionName": "bid-report-aggregator", "publish": True},
        {
            "functionName": "bid-report-aggregator",
            "runtime": "python3.12",
            "codeSize": 4821733,
            "version": str(c.rng.randint(80, 120)),
            "lastUpdateStatus": "InProgress",
        },
    )
    c.ct(
        onset - timedelta(minutes=c.rng.randint(45, 70)),
        "firehose.amazonaws.com",
        "UpdateDestination",
        ops,
        {
            "deliveryStreamName": p.firehose,
            "currentDeliveryStreamVersionId": "7",
            "destinationId": "destinationId-000000000001",
            "extendedS3DestinationUpdate": {"bufferingHints": {"sizeInMBs": 128, "intervalInSeconds": 300}},
        },
        None,
    )
    c.ct(
        onset + timedelta(minutes=9),
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        ops,
        {"alarmName": "bidder-nobid-rate-high", "maxRecords": 50},
        None,
        read_only=True,
    )
    for k in range(6):
        t = c.start + timedelta(minutes=30 * k + c.rng.randint(0, 20))
        c.ct(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
            {
                "roleArn": f"arn:aws:iam::{c.account}:role/bidder-instance-role",
                "roleSessionName": p.instances[k]["id"],
            },
            {
                "credentials": {
                    "accessKeyId": "ASIA" + c.hex(16).upper(),
                    "expiration": "Jan 1, 2027, 12:00:00 AM",
                }
            },
            read_only=True,
        )
    p.noise_trail(28)

    tables = ["cmp_" + c.hex(8) for _ in range(20)]

    def line(inst: dict, t: datetime) -> str | None:
        if t >= onset and c.rng.random() < 0.85:
            return (
                f"{iso(t)[:-1]}.{c.rng.randint(100, 999)}Z WARN  [pool-3-thread-{c.rng.randint(1, 32)}] "
                f"c.a.b.budget.BudgetLedger - budget decrement failed campaign={c.rng.choice(tables)} "
                "after 3 attempts, skipping bid: com.amazonaws.services.dynamodbv2.model."
                "ProvisionedThroughputExceededException: The level of configured provisioned throughput for "
                "the table was exceeded. Consider increasing your provisioning level with the UpdateTable API. "
                "(Service: AmazonDaxClient; Status Code: 400; Error Code: ProvisionedThroughputExceededException)"
            )
        return (
            f"{iso(t)[:-1]}.{c.rng.randint(100, 999)}Z INFO  [stats] c.a.b.BidStats - window=60s "
            f"requests={int(tr(t) / len(p.instances) * 60)} bids={int(tr(t) / len(p.instances) * 60 * 0.31)} "
            f"nobid={nobid_pct(t):.1f}% p99={c.rng.randint(36, 48)}ms"
        )

    p.app_logs(line, every=2)
    trig = {
        "question": None,
        "alarm_event": c.alarm_event(al, t_alarm, reason),
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": p.table,
            "category": "change",
            "failure_mode": "provisioned-capacity-too-low-after-billing-mode-switch",
            "event_id": culprit,
        },
        "also_accept": [c.arn("dynamodb", f"table/{p.table}")],
        "actions": ["rollback", "scale"],
        "chain": [p.table, p.dax, "bidder", p.asg],
    }
    return c.bundle(TITLE, trig, truth)
