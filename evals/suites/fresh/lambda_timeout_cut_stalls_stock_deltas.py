"""Partner stock goes stale: a timeout 'right-sizing' sweep cut inv-delta-apply's timeout below its
largest batches, so FIFO message groups retry, block and dead-letter."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzq import Inc, Retail, camel, local

NAME = "lambda-timeout-cut-stalls-stock-deltas"
TITLE = "Partners report stale stock counts; inventory-deltas oldest-message alarm paging"
SUMMARY = (
    "An engineer lowering Lambda timeouts across the inventory functions set the FIFO consumer's timeout "
    "to 15 s; bulk-adjustment batches now time out, their message groups block and dead-letter."
)


def build(seed: int) -> Bundle:
    i = Inc(seed)
    r = i.r
    i.window((15, 19), before_h=4.0, after_min=(45, 65))
    env = Retail(i)
    on = i.onset
    new_timeout = r.choice([10, 15, 15, 20])
    t_report = on - timedelta(minutes=r.randint(16, 24))
    t_notify = on - timedelta(minutes=r.randint(8, 13))
    t_apply = on - timedelta(seconds=r.randint(40, 150))

    def sweep(t: datetime, fn: str, old: int, new: int) -> str:
        cfg = env.fn_config(fn, timeout=new, modified=t)
        keep = (
            "FunctionName",
            "FunctionArn",
            "Runtime",
            "Role",
            "Handler",
            "CodeSize",
            "Description",
            "Timeout",
            "MemorySize",
            "LastModified",
            "CodeSha256",
            "Version",
            "TracingConfig",
            "RevisionId",
            "State",
            "PackageType",
            "Architectures",
            "EphemeralStorage",
            "LoggingConfig",
        )
        resp = camel({k: cfg[k] for k in keep})
        resp["lastUpdateStatus"] = "InProgress"
        resp["lastUpdateStatusReason"] = "The function is being created."
        resp["lastUpdateStatusReasonCode"] = "Creating"
        return i.ct(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            env.person,
            {"functionName": fn, "timeout": new},
            resp,
            agent="console.amazonaws.com",
            ip="81.2.69." + str(r.randint(2, 200)),
        )

    # a look around first, then the sweep
    for fn in (env.fn_report, env.fn_notify, env.fn_apply):
        i.ct(
            t_report - timedelta(minutes=r.randint(3, 9)),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            env.person,
            {"functionName": fn},
            None,
            read_only=True,
            agent="console.amazonaws.com",
            ip="81.2.69.7",
        )
    sweep(t_report, env.fn_report, 600, 300)
    sweep(t_notify, env.fn_notify, 30, 20)
    culprit = sweep(t_apply, env.fn_apply, 120, new_timeout)
    env.unrelated_deploy(on - timedelta(minutes=r.randint(30, 45)), env.fn_api)
    env.noise(r.randint(34, 44))
    env.resync_executions(
        [
            (
                i.start - timedelta(hours=h),
                i.start - timedelta(hours=h) + timedelta(minutes=r.randint(38, 55)),
                "SUCCEEDED",
                None,
                None,
            )
            for h in (r.randint(8, 12), 24 + r.randint(8, 12))
        ]
    )

    overrides = {
        env.fn_apply: env.fn_config(env.fn_apply, timeout=new_timeout, modified=t_apply),
        env.fn_notify: env.fn_config(env.fn_notify, timeout=20, modified=t_notify),
        env.fn_report: env.fn_config(env.fn_report, timeout=300, modified=t_report),
        env.fn_api: env.fn_config(env.fn_api, modified=on - timedelta(minutes=35)),
    }
    env.build_resources(overrides)

    lim = new_timeout * 1000.0

    def mins(t: datetime) -> float:
        return (t - on).total_seconds() / 60

    def ok(t: datetime) -> float:
        return 1.0 if t < on else max(0.55, 0.8 - mins(t) * 0.004) + r.uniform(-0.05, 0.05)

    def dur(t: datetime) -> tuple[float, float]:
        if t < on:
            return r.uniform(900, 1600), r.uniform(4000, 21000 if r.random() < 0.3 else 12000)
        return r.uniform(4200, 6800), lim + r.uniform(5, 40)

    def backlog(t: datetime) -> float:
        return r.uniform(0, 25) if t < on else 40 + mins(t) * env.base_rate * 0.09 * r.uniform(0.9, 1.1)

    def age(t: datetime) -> float:
        return (
            r.uniform(1, 9)
            if t < on + timedelta(minutes=1)
            else min(mins(t) * 60, 14400) * r.uniform(0.97, 1.0)
        )

    dlq0 = r.randint(0, 4)
    wave = 720 * 5 / 60  # five receives, twelve minutes apart

    def dlq(t: datetime) -> float:
        return dlq0 if mins(t) < wave else dlq0 + (mins(t) - wave) * r.uniform(3, 6)

    env.pipeline(apply_ok=ok, apply_ms=dur, backlog=backlog, age=age, dlq_visible=dlq)

    # logs: consumer, sampled invocations
    t = i.start + timedelta(seconds=r.randint(5, 90))
    stream = i.lambda_stream(t)
    cold = True
    groups = [f"WH-{r.randint(100, 999):04d}" for _ in range(14)]
    partners = ["P-" + i.upper(5) for _ in range(5)]
    while t < i.now:
        after = t >= t_apply + timedelta(seconds=5)
        if after and cold:
            stream = i.lambda_stream(t)
        g = r.sample(groups, 2)
        bulk = r.random() < (0.08 if not after else 0.45)
        lines = [("INFO", f"Received batch of 10 records; message groups {g[0]},{g[1]}")]
        if bulk:
            n = r.randint(300, 900)
            p = r.choice(partners)
            lines.append(
                ("INFO", f"Bulk adjustment {i.hexs(12)} from partner {p}: {n} lines, writing in chunks of 25")
            )
            d = n * r.uniform(22, 30)
            if after and d > lim:
                i.lambda_invocation(
                    env.fn_apply,
                    stream,
                    t,
                    lines,
                    lim + r.uniform(3, 40),
                    1024,
                    r.randint(160, 230),
                    init=r.uniform(620, 900) if cold else None,
                    timeout=float(new_timeout),
                )
                cold = False
                t += timedelta(seconds=r.randint(40, 110))
                continue
            lines.append(("INFO", f"Applied {n} stock lines for {p} ({r.randint(0, 4)} conditional retries)"))
        else:
            d = r.uniform(700, 1900)
            lines.append(("INFO", f"Applied 10 deltas ({r.randint(0, 2)} conditional retries)"))
        i.lambda_invocation(
            env.fn_apply,
            stream,
            t,
            lines,
            d,
            1024,
            r.randint(150, 220),
            init=r.uniform(620, 900) if (after and cold) else None,
        )
        if after:
            cold = False
        t += timedelta(seconds=r.randint(60, 170))

    # webhook notifier logs, with one partner's endpoint sometimes failing
    t = i.start + timedelta(seconds=r.randint(5, 90))
    nstream = i.lambda_stream(t)
    host = r.choice(["hooks.shopwave.io", "api.marketnest.com", "edge.bazaarly.net"])
    while t < i.now:
        if r.random() < 0.15:
            i.lambda_invocation(
                env.fn_notify,
                nstream,
                t,
                [
                    (
                        "ERROR",
                        f"Webhook POST https://{host}/inventory/v2/notify failed: 503 Service Unavailable (attempt 3/3)",
                    ),
                    ("ERROR", "Batch item failures: 1 of 4; returning to queue"),
                ],
                r.uniform(3000, 9000),
                256,
                r.randint(70, 90),
            )
        else:
            i.lambda_invocation(
                env.fn_notify,
                nstream,
                t,
                [("INFO", f"Delivered {r.randint(1, 10)} stock notifications")],
                r.uniform(200, 800),
                256,
                r.randint(70, 90),
            )
        t += timedelta(seconds=r.randint(120, 400))

    al = env.standard_alarms()
    env.flap(al["notify"], r.randint(2, 4))
    a = al["age"]
    t_age = on + timedelta(minutes=r.randint(11, 14), seconds=r.randint(0, 59))
    v1, v2 = (t_age - on).total_seconds() - 310, (t_age - on).total_seconds() - 10
    prev_t = i.start - timedelta(days=r.randint(3, 20))
    reason = (
        f"Threshold Crossed: 2 out of the last 2 datapoints [{v2:.1f} ({t_age - timedelta(minutes=5):%d/%m/%y %H:%M:%S}), "
        f"{v1:.1f} ({t_age - timedelta(minutes=10):%d/%m/%y %H:%M:%S})] were greater than the threshold (600.0) "
        "(minimum 2 datapoints for OK -> ALARM transition)."
    )
    a["StateUpdatedTimestamp"] = iso_(prev_t)
    i.transition(
        a,
        t_age,
        "OK",
        "ALARM",
        reason,
        {
            "version": "1.0",
            "queryDate": iso_(t_age).replace("Z", ".000+0000"),
            "statistic": "Maximum",
            "period": 300,
            "recentDatapoints": [round(v1, 1), round(v2, 1)],
            "threshold": 600.0,
            "evaluatedDatapoints": [
                {"timestamp": iso_(t_age - timedelta(minutes=5)), "sampleCount": 5.0, "value": round(v2, 1)}
            ],
        },
    )
    event = i.alarm_event(
        a,
        "OK",
        prev_t,
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (600.0).",
    )
    dl = al["dlq"]
    t_dlq = on + timedelta(minutes=wave + 25 / 4.5 + 5)
    if t_dlq < i.now:
        i.transition(
            dl,
            t_dlq,
            "OK",
            "ALARM",
            f"Threshold Crossed: 1 datapoint [{dlq0 + 26:.1f} ({t_dlq - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was greater than the threshold (25.0).",
        )

    tz, off = r.choice([("America/Chicago", -6), ("America/New_York", -5)])
    q = (
        f"Marketplace partners are telling us stock counts on their side haven't moved since about {local(on + timedelta(minutes=8), off)}. "
        "Is the partner API down? Pager also went off for the deltas queue."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": env.fn_apply,
            "category": "change",
            "failure_mode": "lambda-timeout-below-batch-duration",
            "event_id": culprit,
        },
        "also_accept": [i.arn("lambda", f"function:{env.fn_apply}")],
        "actions": ["rollback"],
        "chain": [env.fn_apply, env.deltas, env.table, "partner-inventory-api"],
    }
    return i.bundle(TITLE, q, event, truth, tz)


def iso_(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
