"""The budget table's write alarm fires at the nightly budget reset, as it does every night."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzv import Ctx, Platform, iso

NAME = "campaign-budgets-write-alarm-overnight"
TITLE = "campaign-budgets write-capacity alarm paged overnight: are budgets being hammered?"
SUMMARY = (
    "The nightly budget-reset function rewrites every campaign's budget at 05:00 UTC; the on-demand "
    "table's consumed-WCU alarm trips for ten minutes without throttling, as on previous nights."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed)
    p = Platform(c)
    c.onset = c.day + timedelta(hours=5)
    c.start = c.onset - timedelta(hours=3, minutes=c.rng.choice([10, 20, 30]))
    c.now = c.onset + timedelta(minutes=c.rng.randint(34, 50))
    onset = c.onset
    tr = p.traffic()
    items = c.rng.randint(52000, 88000)
    run_s = c.rng.randint(420, 560)
    end = onset + timedelta(seconds=run_s + 2)
    p.resources()
    p.table_item("PAY_PER_REQUEST")
    fn = "budget-daily-reset"
    c.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": c.arn("lambda", f"function:{fn}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{c.account}:role/budget-daily-reset-role",
            "Handler": "reset.handler",
            "CodeSize": 18233,
            "Description": "Resets daily spend counters for all active campaigns",
            "Timeout": 900,
            "MemorySize": 512,
            "LastModified": (c.day - timedelta(days=c.rng.randint(20, 90))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "Environment": {"Variables": {"TABLE_NAME": p.table, "BATCH_SIZE": "25"}},
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
        },
    )

    def resetting(t: datetime) -> bool:
        return onset <= t < end

    def writes(t: datetime) -> float:
        base = tr(t) * 0.02 * 60
        if resetting(t):
            return base + items / (run_s / 60) * c.rng.uniform(0.9, 1.1)
        return base

    p.nlb_metrics()
    p.ec2_metrics()
    p.dynamo_metrics(write=writes)
    c.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": p.table, "Operation": "BatchWriteItem"},
        "Milliseconds",
        lambda t: c.rng.uniform(7, 12),
        skip=lambda t: not resetting(t),
    )
    p.dax_metrics()
    p.redis_metrics()
    p.firehose_metrics()
    lf = {"FunctionName": fn}
    c.series("AWS/Lambda", "Invocations", lf, "Count", lambda t: 1, skip=lambda t: t != onset)
    c.series(
        "AWS/Lambda",
        "Duration",
        lf,
        "Milliseconds",
        lambda t: run_s * 1000 + 412.7,
        skip=lambda t: t != onset,
    )
    c.series("AWS/Lambda", "Errors", lf, "Count", lambda t: 0, skip=lambda t: t != onset)
    bd = {"Service": "bidder"}
    c.series(
        "ADX/Bidder",
        "NoBidRate",
        bd,
        "Percent",
        lambda t: c.rng.uniform(3.3, 4.7) + (c.rng.uniform(0.2, 0.9) if resetting(t) else 0),
    )
    c.series(
        "ADX/Bidder",
        "BidLatencyP99",
        bd,
        "Milliseconds",
        lambda t: c.rng.uniform(36, 47) + (c.rng.uniform(1, 4) if resetting(t) else 0),
    )

    thr = float(int(tr(onset) * 0.02 * 60 * 1.8 / 1000) * 1000)
    al = c.alarm(
        "campaign-budgets-wcu-high",
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": p.table},
        "Sum",
        thr,
        "GreaterThanThreshold",
        60,
        2,
        desc="Write volume on campaign-budgets unusually high. Check for runaway writers.",
    )
    t_alarm = onset + timedelta(minutes=2)
    t_ok = end + timedelta(minutes=2)
    reason = (
        "Threshold Crossed: 2 out of the last 2 datapoints [{:.1f} ({}), {:.1f} ({})] were greater than the "
        "threshold ({:.1f}) (minimum 2 datapoints for OK -> ALARM transition).".format(
            writes(onset + timedelta(minutes=1)),
            iso(onset + timedelta(minutes=1))[:-1] + "+0000",
            writes(onset),
            iso(onset)[:-1] + "+0000",
            thr,
        )
    )
    ok_reason = "Threshold Crossed: 1 out of the last 2 datapoints [{:.1f} ({})] was not greater than the threshold ({:.1f}) (minimum 1 datapoint for ALARM -> OK transition).".format(
        tr(t_ok) * 1.2, iso(t_ok - timedelta(minutes=1))[:-1] + "+0000", thr
    )
    for back in (2, 1):
        d0 = onset - timedelta(days=back) + timedelta(seconds=c.rng.randint(110, 150))
        c.history(
            al["AlarmName"],
            d0,
            "OK",
            "ALARM",
            f"Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold ({thr:.1f}).",
        )
        c.history(
            al["AlarmName"],
            d0 + timedelta(minutes=c.rng.randint(8, 11)),
            "ALARM",
            "OK",
            f"Threshold Crossed: 1 out of the last 2 datapoints was not greater than the threshold ({thr:.1f}).",
        )
    c.history(al["AlarmName"], t_alarm, "OK", "ALARM", reason)
    c.history(al["AlarmName"], t_ok, "ALARM", "OK", ok_reason)
    al.update(
        StateValue="OK",
        StateReason=ok_reason,
        StateUpdatedTimestamp=iso(t_ok),
        StateTransitionedTimestamp=iso(t_ok),
    )
    c.alarm(
        "campaign-budgets-write-throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        {"TableName": p.table},
        "Sum",
        0.0,
        "GreaterThanThreshold",
        60,
        2,
        missing="notBreaching",
    )
    c.alarm(
        "bidder-nobid-rate-high",
        "ADX/Bidder",
        "NoBidRate",
        bd,
        "Average",
        15.0,
        "GreaterThanThreshold",
        60,
        5,
    )
    c.alarm(
        f"{fn}-errors",
        "AWS/Lambda",
        "Errors",
        lf,
        "Sum",
        0.0,
        "GreaterThanThreshold",
        300,
        1,
        missing="notBreaching",
    )
    rc = c.alarm(
        "freqcap-redis-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{p.redis}-001", "CacheNodeId": "0001"},
        "Average",
        30.0,
        "GreaterThanThreshold",
        60,
        3,
    )
    t = c.start + timedelta(minutes=c.rng.randint(20, 70))
    c.history(
        rc["AlarmName"],
        t,
        "OK",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (30.0).",
    )
    c.history(
        rc["AlarmName"],
        t + timedelta(minutes=5),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 3 datapoints [28.4] was not greater than the threshold (30.0).",
    )

    # Lambda's own log lines
    grp = f"/aws/lambda/{fn}"
    stream = f"{onset:%Y/%m/%d}/[$LATEST]{c.hex(32)}"
    rid = c.uid()
    t0 = onset + timedelta(milliseconds=c.rng.randint(300, 900))
    c.log(
        grp,
        stream,
        t0,
        "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: "
        f"arn:aws:lambda:{c.region}::runtime:{c.hex(64)}\n",
    )
    c.log(grp, stream, t0, f"START RequestId: {rid} Version: $LATEST\n")
    c.log(
        grp,
        stream,
        t0 + timedelta(seconds=1),
        f"[INFO]\t{iso(t0)[:-1]}.{c.rng.randint(100, 999)}Z\t{rid}\tresetting daily spend for "
        f"{(onset - timedelta(hours=5)):%Y-%m-%d}, table={p.table}\n",
    )
    done = 0
    while done < items:
        done = min(items, done + 10000)
        tp = t0 + timedelta(seconds=run_s * done / items)
        c.log(
            grp,
            stream,
            tp,
            f"[INFO]\t{iso(tp)[:-1]}.{c.rng.randint(100, 999)}Z\t{rid}\tprogress {done}/{items} campaigns, unprocessed_items_retried=0\n",
        )
    c.log(
        grp,
        stream,
        end - timedelta(seconds=1),
        f"[INFO]\t{iso(end)[:-1]}.{c.rng.randint(100, 999)}Z\t{rid}\treset complete: {items} campaigns in {run_s}s\n",
    )
    c.log(grp, stream, end, f"END RequestId: {rid}\n")
    c.log(
        grp,
        stream,
        end,
        f"REPORT RequestId: {rid}\tDuration: {run_s * 1000 + 412.7:.2f} ms\tBilled Duration: "
        f"{run_s * 1000 + 413} ms\tMemory Size: 512 MB\tMax Memory Used: {c.rng.randint(140, 190)} MB\t"
        f"Init Duration: {c.rng.uniform(380, 520):.2f} ms\t\n",
    )

    def line(inst: dict, t: datetime) -> str | None:
        return (
            f"{iso(t)[:-1]}.{c.rng.randint(100, 999)}Z INFO  [stats] c.a.b.BidStats - window=60s "
            f"requests={int(tr(t) / len(p.instances) * 60)} nobid={c.rng.uniform(3.3, 4.8):.1f}% "
            f"p99={c.rng.randint(36, 49)}ms"
        )

    p.app_logs(line, every=3)

    ops, deploy = p.roles["ops2"], p.roles["deploy"]
    c.ct(
        c.start + timedelta(minutes=c.rng.randint(10, 50)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        deploy,
        {"functionName": "bid-report-aggregator", "publish": True},
        {
            "functionName": "bid-report-aggregator",
            "runtime": "python3.12",
            "codeSize": 4823311,
            "version": str(c.rng.randint(80, 120)),
            "lastUpdateStatus": "InProgress",
        },
    )
    c.ct(
        onset - timedelta(minutes=c.rng.randint(20, 45)),
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        ops,
        {
            "autoScalingGroupName": p.asg,
            "scheduledActionName": "weekend-floor",
            "recurrence": "0 20 * * 5",
            "minSize": 6,
        },
        None,
    )
    c.ct(
        onset - timedelta(minutes=c.rng.randint(3, 8)),
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        ops,
        {
            "tableName": "creative-metadata",
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
        },
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLING"},
            }
        },
    )
    c.ct(
        onset + timedelta(minutes=18),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        ops,
        {"tableName": p.table},
        None,
        read_only=True,
    )
    c.ct(
        onset + timedelta(minutes=19),
        "lambda.amazonaws.com",
        "ListFunctions20150331",
        ops,
        {"maxItems": 50},
        None,
        read_only=True,
    )
    p.noise_trail(30)

    local = t_alarm.astimezone(ZoneInfo("Europe/London"))
    trig = {
        "question": (
            f"Got paged at {local.strftime('%-I:%M%p').lower()} for campaign-budgets-wcu-high. It went back "
            "to OK on its own a few minutes later. Are we getting throttled or is something writing "
            "way too much to the budgets table? Do I need to wake anyone up?"
        ),
        "alarm_event": c.alarm_event(al, t_alarm, reason),
        "timezone": "Europe/London",
    }
    return c.bundle(TITLE, trig, {"no_fault": True})
