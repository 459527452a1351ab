"""A nightly partner batch drop throttles the concurrency-capped ingest function; every upload is still transcoded."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzj import Ctx, Platform, clock, ingest, per_minute

NAME = "partner-batch-ingest-throttles"
TITLE = "Paged overnight for ingest-submit Lambda throttles; are partner uploads being dropped?"
SUMMARY = (
    "A content partner's nightly batch delivery queued up behind the ingest function's deliberate "
    "concurrency cap; the throttled asynchronous events were retried and every job completed."
)

TZ = "America/New_York"


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, hours_before=4.0, minutes_after=45)
    r = c.rng
    onset = c.day + timedelta(hours=r.choice([5, 6]), minutes=r.randint(0, 12), seconds=r.randint(0, 59))
    c.set_onset(onset)
    p = Platform(c)
    p.build()
    c.res("lambda", "FunctionConcurrency", {"FunctionName": p.fn_submit, "ReservedConcurrentExecutions": 1})
    p.noise(35)
    p.deploy_code(c.start + timedelta(minutes=r.randint(10, 50)), p.fn_catalog)
    p.invalidation(c.start + timedelta(minutes=r.randint(60, 100)), ["/web/*"])

    size = r.randint(140, 260)
    window = r.randint(6, 10)

    def rate(t: datetime) -> float:
        base = c.diurnal(t, 0.35, 0.5, 19.0)
        if onset <= t < onset + timedelta(minutes=window):
            return base + size / window
        return base

    free_at = [c.start]
    svc = r.uniform(3.2, 4.2)

    def delay(up: datetime) -> float:
        begin = max(up, free_at[0])
        free_at[0] = begin + timedelta(seconds=svc)
        return (begin - up).total_seconds()

    def outcome(sub: datetime, src: str) -> tuple[str, float, str, str]:
        return ("COMPLETE", r.uniform(140, 700), "", "")

    seen = ingest(p, rate, outcome, delay, submit_ms=(svc * 900, svc * 1050))
    ups = per_minute(seen["upload"])
    subs = per_minute(seen["submit"])
    backlog: dict[datetime, float] = {}
    q = 0.0
    t = c.start
    while t <= c.now:
        q = max(0.0, q + ups(t) - subs(t))
        backlog[t] = q
        t += timedelta(minutes=1)

    def throttles(t: datetime) -> float:
        b = backlog.get(t.replace(second=0, microsecond=0), 0.0)
        return round(b * r.uniform(0.8, 1.3)) if b > 1 else 0.0

    p.lambda_metrics(p.fn_submit, subs, lambda t: 0.0, lambda t: c.noisy(svc * 1000, 0.08), throttles)
    fd = {"FunctionName": p.fn_submit}
    c.series("AWS/Lambda", "AsyncEventsReceived", fd, "Count", lambda t: ups(t) or None)
    c.series(
        "AWS/Lambda",
        "AsyncEventAge",
        fd,
        "Milliseconds",
        lambda t: (backlog.get(t, 0) * svc * 1000 + c.noisy(900, 0.3)) if subs(t) else None,
    )
    c.series("AWS/Lambda", "AsyncEventsDropped", fd, "Count", lambda t: 0.0)
    done = per_minute(seen["complete"])
    p.lambda_metrics(p.fn_status, done, lambda t: 0.0, lambda t: c.noisy(95, 0.3))
    qd = {"Queue": p.mc_queue}
    c.series("AWS/MediaConvert", "JobsCompletedCount", qd, "Count", lambda t: done(t) or None)
    c.series(
        "AWS/MediaConvert",
        "TranscodingTime",
        qd,
        "Milliseconds",
        lambda t: c.noisy(300_000, 0.4) if done(t) else None,
    )
    p.lambda_metrics(
        p.fn_catalog,
        lambda t: c.noisy(c.diurnal(t, 500)),
        lambda t: float(r.random() < 0.1),
        lambda t: c.noisy(46, 0.2),
    )
    p.lambda_metrics(
        p.fn_playback, lambda t: c.noisy(c.diurnal(t, 800)), lambda t: 0.0, lambda t: c.noisy(22, 0.2)
    )
    p.cloudfront_metrics()
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": f"{c.brand}-transcode-status-dlq"},
        "Count",
        lambda t: 0.0,
        period=300,
    )

    # --- alarms ----------------------------------------------------------------------------------
    name = f"{c.brand}-ingest-submit-throttles"
    fire = onset.replace(second=0) + timedelta(minutes=5)
    peak = max(1.0, max(backlog.values()))
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{round(peak * 3.1, 1)} ({(fire - timedelta(minutes=5)).strftime('%d/%m/%y %H:%M:%S')})] "
        "was greater than the threshold (10.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    drained = max((k for k, v in backlog.items() if v > 1), default=onset) + timedelta(minutes=6)
    ok_reason = (
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (10.0)."
    )
    state_at = drained if drained < c.now else fire
    a = c.alarm(
        name,
        "AWS/Lambda",
        "Throttles",
        fd,
        "Sum",
        300,
        1,
        10,
        "GreaterThanThreshold",
        "OK" if drained < c.now else "ALARM",
        ok_reason if drained < c.now else reason,
        state_at,
        p.ops_topic,
        missing="notBreaching",
    )
    for days in (1, 2, 4):
        tf = fire - timedelta(days=days, minutes=r.randint(-15, 15))
        c.history(name, tf, "OK", "ALARM", reason.split(" (")[0] + " was greater than the threshold (10.0).")
        c.history(name, tf + timedelta(minutes=r.randint(10, 25)), "ALARM", "OK", ok_reason)
    c.history(name, fire, "OK", "ALARM", reason)
    if drained < c.now:
        c.history(name, drained, "ALARM", "OK", ok_reason)
    c.alarm(
        f"{c.brand}-transcode-job-errors",
        "AWS/MediaConvert",
        "JobsErroredCount",
        qd,
        "Sum",
        300,
        1,
        3,
        "GreaterThanOrEqualToThreshold",
        "OK",
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        c.start - timedelta(days=5),
        p.ops_topic,
        missing="notBreaching",
    )
    c.alarm(
        f"{c.brand}-transcode-status-dlq-visible",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": f"{c.brand}-transcode-status-dlq"},
        "Maximum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (0.0).",
        c.start - timedelta(days=9),
        p.ops_topic,
    )
    c.alarm(
        f"{c.brand}-cf-5xx-rate",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": p.dist_id, "Region": "Global"},
        "Average",
        300,
        3,
        1,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 datapoints were not greater than the threshold (1.0).",
        c.start - timedelta(days=6),
        p.ops_topic,
    )
    question = (
        f"got paged at {clock(fire, TZ)} for ingest-submit throttles. are partner uploads being dropped? "
        "should I bump the concurrency on it?"
    )
    truth: dict[str, object] = {"no_fault": True}
    return c.bundle(TITLE, {"question": question, "alarm_event": c.alarm_event(a, fire, reason)}, truth, TZ)
