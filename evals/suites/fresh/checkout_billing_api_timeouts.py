"""Trial sign-ups fail because the card processor's API stops answering the checkout function in time."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzj import Ctx, Platform, clock, ingest, iso

NAME = "checkout-billing-api-timeouts"
TITLE = "Trial sign-ups dropped to almost nothing since late morning; checkout errors alarm"
SUMMARY = (
    "The third-party card processor's API began timing out, so the subscription checkout function "
    "hit its read timeout and failed most sign-ups."
)

TZ = "America/Los_Angeles"
HOST = "api.stripe.com"


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, hours_before=4.0, minutes_after=36)
    r = c.rng
    onset = c.day + timedelta(hours=r.randint(17, 20), minutes=r.randint(0, 55), seconds=r.randint(0, 59))
    c.set_onset(onset)
    p = Platform(c)
    deploy_at = onset - timedelta(minutes=r.randint(70, 130))
    p.build({p.fn_checkout: {"modified": deploy_at}})
    c.table(p.t_subs, "accountId", 300, 150, r.randint(300_000, 900_000))
    c.table(p.t_sessions, "sessionId", 1500, 1200, r.randint(2_000_000, 6_000_000))
    p.noise(40)
    p.deploy_code(deploy_at, p.fn_checkout)
    p.deploy_code(onset - timedelta(minutes=r.randint(5, 25)), p.fn_catalog)
    p.invalidation(onset - timedelta(minutes=r.randint(30, 60)), ["/web/pricing/*"])
    ingest(
        p, lambda t: c.diurnal(t, 0.7, 0.4, 19.0), lambda s, src: ("COMPLETE", r.uniform(140, 800), "", "")
    )

    end = onset + timedelta(minutes=r.randint(120, 240))
    bad_share = r.uniform(0.75, 0.92)
    rpm = r.uniform(5, 9)
    counts: dict[datetime, tuple[int, int, float]] = {}
    stream = c.lambda_stream(c.start)
    t = c.start
    while t <= c.now:
        n = max(0, round(c.noisy(c.diurnal(t, rpm, 0.3, 19.0), 0.3)))
        errs, total_ms = 0, 0.0
        for _ in range(n):
            ts = t + timedelta(seconds=r.uniform(0, 59))
            if r.random() < 0.03:
                stream = c.lambda_stream(ts)
            acct = f"acct_{r.randint(10**6, 10**7)}"
            bad = onset <= ts < end and r.random() < bad_share
            stamp = f"{iso(ts)[:-1]}.{r.randint(100, 999)}Z"
            if bad:
                dur = r.uniform(8003, 8060) + r.uniform(0, 900)
                errs += 1
                lines = [
                    f"[INFO]\t{stamp}\t{{rid}}\tcheckout start account={acct} plan={r.choice(['basic-monthly', 'premium-monthly', 'premium-annual'])} trial=true",
                    f"[WARNING]\t{stamp}\t{{rid}}\tRetrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. (read timeout=4)\")': /v1/setup_intents",
                    f"[ERROR]\t{stamp}\t{{rid}}\tcheckout failed account={acct}: billing provider error: HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. (read timeout=4)",
                ]
            else:
                dur = r.uniform(420, 1100)
                lines = [
                    f"[INFO]\t{stamp}\t{{rid}}\tcheckout start account={acct} plan={r.choice(['basic-monthly', 'premium-monthly', 'premium-annual'])} trial=true",
                    f"[INFO]\t{stamp}\t{{rid}}\tsetup_intent seti_{c.hexid(24)} status=succeeded in {int(dur * 0.7)}ms; subscription written",
                ]
            total_ms += dur
            c.lambda_invocation(p.fn_checkout, stream, ts, lines, dur, 512, r.randint(118, 131))
        counts[t] = (n, errs, total_ms / n if n else 0.0)
        t += timedelta(minutes=1)
    fd = {"FunctionName": p.fn_checkout}
    for tt, (n, e, avg) in counts.items():
        if not n:
            continue
        for metric, unit, val in (
            ("Invocations", "Count", float(n)),
            ("Errors", "Count", float(e)),
            ("Duration", "Milliseconds", round(avg, 2)),
            ("ConcurrentExecutions", "Count", float(max(1, round(n * avg / 60000 * 1.5)))),
        ):
            c.records["metrics"].append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": metric,
                    "dimensions": fd,
                    "timestamp": iso(tt),
                    "unit": unit,
                    "value": val,
                }
            )
        c.records["metrics"].append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "SuccessfulRequestLatency",
                "dimensions": {"TableName": p.t_subs, "Operation": "PutItem"},
                "timestamp": iso(tt),
                "unit": "Milliseconds",
                "value": round(c.noisy(5.8, 0.2), 2),
            }
        )
    p.lambda_metrics(
        p.fn_catalog,
        lambda t: c.noisy(c.diurnal(t, 1100)),
        lambda t: float(r.random() < 0.15),
        lambda t: c.noisy(45, 0.2),
    )
    p.lambda_metrics(
        p.fn_playback, lambda t: c.noisy(c.diurnal(t, 900)), lambda t: 0.0, lambda t: c.noisy(23, 0.2)
    )
    p.cloudfront_metrics()
    nat = {"NatGatewayId": f"nat-{c.hexid(17)}"}
    c.series("AWS/NATGateway", "ErrorPortAllocation", nat, "Count", lambda t: 0.0, period=60)
    c.series(
        "AWS/NATGateway",
        "ActiveConnectionCount",
        nat,
        "Count",
        lambda t: c.noisy(c.diurnal(t, 900), 0.1),
        period=60,
    )
    c.series("AWS/NATGateway", "PacketsDropCount", nat, "Count", lambda t: 0.0, period=60)

    fire = onset.replace(second=0) + timedelta(minutes=r.randint(6, 10))
    reason = (
        f"Threshold Crossed: 2 out of the last 2 datapoints [{r.randint(20, 40)}.0 ({fire.strftime('%d/%m/%y %H:%M:%S')}), "
        f"{r.randint(12, 30)}.0 ({(fire - timedelta(minutes=5)).strftime('%d/%m/%y %H:%M:%S')})] were greater than the threshold (10.0) "
        "(minimum 2 datapoints for OK -> ALARM transition)."
    )
    a = c.alarm(
        f"{c.brand}-subscription-checkout-errors",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        300,
        2,
        10,
        "GreaterThanThreshold",
        "ALARM",
        reason,
        fire,
        p.ops_topic,
    )
    c.history(a["AlarmName"], fire, "OK", "ALARM", reason)
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
    c.alarm(
        f"{c.brand}-catalog-api-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": p.fn_catalog},
        "Sum",
        300,
        2,
        25,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (25.0).",
        c.start - timedelta(days=3),
        p.ops_topic,
    )
    q = (
        f"growth says trial sign-ups fell off a cliff since about {clock(onset + timedelta(minutes=r.randint(3, 10)), TZ)}. "
        "we shipped a checkout change this morning, did that break it?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": HOST,
            "category": "dependency_failure",
            "failure_mode": "third-party-api-timeouts",
        },
        "also_accept": ["stripe", "Stripe API"],
        "actions": [],
        "chain": [HOST, p.fn_checkout],
    }
    return c.bundle(TITLE, {"question": q, "alarm_event": c.alarm_event(a, fire, reason)}, truth, TZ)
