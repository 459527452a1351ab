"""No fault: the nightly incremental resync's write burst lifts inventory-levels' replication latency
to the west replica for twenty minutes, as it does most nights; the alarm pages and clears."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzq import Inc, Retail, iso, local

NAME = "nightly-resync-replication-lag-page"
TITLE = "Paged overnight for inventory-levels replication latency to the west replica"
SUMMARY = (
    "The replication-latency alarm on the global table fires during the scheduled nightly resync's write "
    "burst and clears when it finishes, as on earlier nights; replication and the pipeline are healthy."
)


def build(seed: int) -> Bundle:
    i = Inc(seed)
    r = i.r
    hour = r.choice([6, 7])
    i.onset = i.day + timedelta(hours=hour)
    i.start = i.onset - timedelta(hours=4)
    i.now = i.onset + timedelta(minutes=r.randint(48, 70))
    env = Retail(i)
    on = i.onset
    run = timedelta(minutes=r.randint(22, 31))
    peak = r.uniform(6500, 9800)
    burst = r.uniform(900, 1600)  # extra WCU/s while the resync writes

    def resync(t: datetime) -> float:
        """0..1: how hard the resync is writing at t."""
        if t < on + timedelta(minutes=1) or t > on + run:
            return 0.0
        x = (t - on).total_seconds() / run.total_seconds()
        return min(1.0, x * 6) * (1.0 if x < 0.85 else (1 - x) / 0.15)

    def extra(t: datetime) -> float:
        return resync(t) * burst * 60 * r.uniform(0.9, 1.05)

    def repl(t: datetime) -> float:
        k = resync(t)
        lag = resync(t - timedelta(minutes=3))
        return r.uniform(700, 1300) + max(k, lag) * peak * r.uniform(0.85, 1.1)

    env.pipeline(wcu_extra=extra, repl_ms=repl)
    sma = {"StateMachineArn": env.sm_arn}
    i.put("AWS/States", "ExecutionsStarted", sma, on, "Count", 1)
    end = on + run + timedelta(minutes=1)
    if end <= i.now:
        i.put("AWS/States", "ExecutionsSucceeded", sma, end.replace(second=0), "Count", 1)
        i.put(
            "AWS/States",
            "ExecutionTime",
            sma,
            end.replace(second=0),
            "Milliseconds",
            (end - on).total_seconds() * 1000,
        )
    fp = {"FunctionName": env.fn_page}
    for t in i.minutes():
        if on <= t <= on + run:
            i.put("AWS/Lambda", "Invocations", fp, t, "Count", r.randint(7, 12))
            i.put("AWS/Lambda", "Errors", fp, t, "Count", 0)
            i.put_stats(
                "AWS/Lambda",
                "Duration",
                fp,
                t,
                "Milliseconds",
                9,
                r.uniform(30000, 48000),
                15000,
                r.uniform(60000, 80000),
            )
            i.put("AWS/Lambda", "ConcurrentExecutions", fp, t, "Count", 8)

    env.build_resources()
    env.resync_executions(
        [
            (
                on - timedelta(days=d),
                on - timedelta(days=d) + timedelta(minutes=r.randint(21, 32)),
                "SUCCEEDED",
                None,
                None,
            )
            for d in (3, 2, 1)
        ]
        + [(on, end, "SUCCEEDED", None, None)]
    )
    env.unrelated_deploy(on - timedelta(hours=r.randint(2, 3), minutes=r.randint(0, 50)), env.fn_api)
    i.ct(
        on - timedelta(minutes=r.randint(70, 140)),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        env.person,
        {
            "queueUrl": f"https://sqs.{i.region}.amazonaws.com/{i.acct}/{env.notify}",
            "attributes": {"VisibilityTimeout": "120"},
        },
        None,
        agent="console.amazonaws.com",
        ip="81.2.69." + str(r.randint(2, 200)),
    )
    env.noise(r.randint(34, 44))

    # resync page writer logs
    t = on + timedelta(seconds=r.randint(2, 6))
    stream = i.lambda_stream(t)
    pages = r.randint(140, 260)
    i.lambda_invocation(
        env.fn_page,
        stream,
        t,
        [
            (
                "INFO",
                f"Incremental export manifest s3://inventory-wms-exports/incremental/{on:%Y-%m-%d}/manifest.json: {pages} pages",
            ),
            ("INFO", "mode=incremental"),
        ],
        r.uniform(2000, 3500),
        2048,
        300,
        init=r.uniform(700, 1000),
    )
    done = 0
    t += timedelta(seconds=8)
    while t < on + run and done < pages:
        done = min(pages, done + r.randint(6, 10))
        i.lambda_invocation(
            env.fn_page,
            stream,
            t,
            [("INFO", f"page {done}/{pages}: wrote 1000 items in 40 BatchWriteItem calls (0 unprocessed)")],
            r.uniform(30000, 48000),
            2048,
            r.randint(300, 420),
        )
        t += timedelta(seconds=r.randint(40, 80))
    t = i.start + timedelta(seconds=r.randint(5, 90))
    astream = i.lambda_stream(t)
    while t < i.now:
        i.lambda_invocation(
            env.fn_apply,
            astream,
            t,
            [
                (
                    "INFO",
                    f"Received batch of 10 records; message groups WH-{r.randint(100, 999):04d},WH-{r.randint(100, 999):04d}",
                ),
                ("INFO", f"Applied 10 deltas ({r.randint(0, 2)} conditional retries)"),
            ],
            r.uniform(700, 1800),
            1024,
            r.randint(150, 210),
        )
        t += timedelta(seconds=r.randint(100, 260))

    al = env.standard_alarms()
    env.flap(al["notify"], r.randint(1, 3))
    a = al["repl"]
    # the same alarm on earlier nights
    for d in (3, 2, 1):
        if r.random() < 0.8:
            ta = on - timedelta(days=d) + timedelta(minutes=r.randint(9, 14), seconds=r.randint(0, 59))
            i.transition(
                a,
                ta,
                "OK",
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (5000.0) (minimum 2 datapoints for OK -> ALARM transition).",
            )
            tb = ta + timedelta(minutes=r.randint(14, 22))
            i.transition(
                a,
                tb,
                "ALARM",
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (5000.0) (minimum 2 datapoints for ALARM -> OK transition).",
            )
    prev_t = datetime.fromisoformat(a["StateUpdatedTimestamp"].replace("Z", "+00:00"))
    ta = on + timedelta(minutes=r.randint(10, 13), seconds=r.randint(0, 59))
    v1, v2 = peak * 0.8, peak * 0.95
    i.transition(
        a,
        ta,
        "OK",
        "ALARM",
        f"Threshold Crossed: 2 out of the last 2 datapoints [{v2:.1f} ({ta - timedelta(minutes=5):%d/%m/%y %H:%M:%S}), {v1:.1f} ({ta - timedelta(minutes=10):%d/%m/%y %H:%M:%S})] were greater than the threshold (5000.0) (minimum 2 datapoints for OK -> ALARM transition).",
        {
            "version": "1.0",
            "queryDate": iso(ta).replace("Z", ".000+0000"),
            "startDate": iso(ta - timedelta(minutes=10)).replace("Z", ".000+0000"),
            "statistic": "Average",
            "period": 300,
            "recentDatapoints": [round(v1, 1), round(v2, 1)],
            "threshold": 5000.0,
            "evaluatedDatapoints": [
                {"timestamp": iso(ta - timedelta(minutes=5)), "sampleCount": 5.0, "value": round(v2, 1)},
                {"timestamp": iso(ta - timedelta(minutes=10)), "sampleCount": 5.0, "value": round(v1, 1)},
            ],
        },
    )
    event = i.alarm_event(
        a,
        "OK",
        prev_t,
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (5000.0) (minimum 2 datapoints for ALARM -> OK transition).",
    )
    tb = on + run + timedelta(minutes=r.randint(8, 12), seconds=r.randint(0, 59))
    if tb < i.now:
        i.transition(
            a,
            tb,
            "ALARM",
            "OK",
            "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (5000.0) (minimum 2 datapoints for ALARM -> OK transition).",
        )

    tz, off = r.choice([("America/New_York", -5), ("America/Chicago", -6)])
    q = (
        f"Got paged at {local(ta, off)} for inventory-levels replication latency to {i.other_region}. Is the west replica broken? "
        "Do we need to move the west partners over to the east endpoint?"
    )
    truth: dict[str, object] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    return i.bundle(TITLE, q, event, truth, tz)
