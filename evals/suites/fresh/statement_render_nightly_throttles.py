"""No fault: the nightly statement fan-out throttles statement-render for a few minutes; async retries cope."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_m as k

NAME = "statement-render-nightly-throttles"
TITLE = "statement-render Throttles alarm fires every night around 2am"
SUMMARY = (
    "No fault: the 2am statement fan-out queues a few hundred async batches onto statement-render "
    "(reserved concurrency 40); Lambda throttles for a few minutes each night, the async queue "
    "retries and every batch is rendered and mailed with no errors, drops or failed-event messages."
)

Json = dict[str, Any]
TZ = ZoneInfo("America/Chicago")

RENDER = "statement-render"
FANOUT = "statement-fanout"
MAILER = "statement-mailer"
EMAIL_Q = "statement-email"
FAILED_Q = "statement-render-failed"
API = "member-statements"
RESERVED = 40
RENDER_MEM = 2048


def _b64(rng: random.Random) -> str:
    pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(rng.choice(pool) for _ in range(43)) + "="


def _lm(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


@dataclass(eq=False)
class _Event:
    """One async event in Lambda's internal queue: when it was queued, when it is next tried."""

    queued: datetime
    ready: datetime
    backoff: float


def _simulate_night(
    rng: random.Random, t0: datetime, batches: int
) -> tuple[list[tuple[datetime, datetime, float]], dict[datetime, int], dict[datetime, int]]:
    """Async queue against a concurrency ceiling, second by second.

    Returns the invocations (queued at, started at, duration ms), throttles per minute, and events
    received per minute."""
    spread = rng.uniform(55, 95)
    queued = sorted(t0 + timedelta(seconds=rng.uniform(4, 4 + spread)) for _ in range(batches))
    received: dict[datetime, int] = {}
    for q in queued:
        received[k.floor_minute(q)] = received.get(k.floor_minute(q), 0) + 1
    pending = [_Event(q, q, 1.0) for q in queued]
    running: list[datetime] = []  # end times
    done: list[tuple[datetime, datetime, float]] = []
    throttles: dict[datetime, int] = {}
    tick = queued[0].replace(microsecond=0)
    while pending:
        running = [e for e in running if e > tick]
        ready = [p for p in pending if p.ready <= tick]
        free = RESERVED - len(running)
        for p in ready[: max(0, free)]:
            dur = k.lognormal_ms(rng, 24_500, 0.22)
            start = tick + timedelta(milliseconds=rng.randint(0, 900))
            running.append(start + timedelta(milliseconds=dur))
            done.append((p.queued, start, dur))
            pending.remove(p)
        for p in ready[max(0, free) :]:
            m = k.floor_minute(tick)
            throttles[m] = throttles.get(m, 0) + 1
            p.ready = tick + timedelta(seconds=p.backoff * rng.uniform(0.8, 1.3))
            p.backoff = min(p.backoff * 2, 300.0)
        tick += timedelta(seconds=1)
    return done, throttles, received


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = "".join(rng.choice("0123456789") for _ in range(12))
    if account[0] == "0":
        account = "5" + account[1:]
    region = rng.choice(["us-east-1", "us-east-2", "us-west-2"])
    org = rng.choice(["prairiefcu", "lakeshorecu", "heartlandbank", "riverbendfin"])
    last_day = k.random_date(rng, 2024, [4, 5, 6, 7, 8, 9])  # CDT: 2am local is 07:00 UTC
    nights = [last_day - timedelta(days=d) for d in (3, 2, 1, 0)]
    runs = [
        n + timedelta(hours=7, seconds=rng.randint(0, 2), milliseconds=rng.randint(0, 999)) for n in nights
    ]
    start = nights[0] + timedelta(hours=5)
    now = last_day + timedelta(hours=14, minutes=rng.randint(2, 40), seconds=rng.randint(0, 59))
    fine_from = last_day + timedelta(hours=6, minutes=30)
    render_arn = f"arn:aws:lambda:{region}:{account}:function:{RENDER}"
    fanout_arn = f"arn:aws:lambda:{region}:{account}:function:{FANOUT}"
    mailer_arn = f"arn:aws:lambda:{region}:{account}:function:{MAILER}"
    email_arn = f"arn:aws:sqs:{region}:{account}:{EMAIL_Q}"
    failed_arn = f"arn:aws:sqs:{region}:{account}:{FAILED_Q}"
    bucket = f"{org}-member-statements-{region}"
    topic = f"arn:aws:sns:{region}:{account}:statements-alerts"
    py_rt = f"python:3.12.v{rng.randint(28, 40)}"
    rt_arn = f"arn:aws:lambda:{region}::runtime:{k.hexid(rng, 64)}"
    ns_l = "AWS/Lambda"

    metrics: list[Json] = []
    logs: list[Json] = []

    # ---- the nightly runs --------------------------------------------------------------------------
    email_sent: dict[datetime, int] = {}
    email_recv: dict[datetime, int] = {}
    run_summ: list[tuple[datetime, int, int]] = []
    for night, t0 in zip(nights, runs, strict=True):
        cycle_day = night.day
        accounts = rng.randint(41_000, 63_000)
        batches = math.ceil(accounts / 100)
        done, throttles, received = _simulate_night(rng, t0, batches)
        run_summ.append((t0, batches, sum(throttles.values())))
        # fan-out function: one invocation
        fg = f"/aws/lambda/{FANOUT}"
        fs = k.lambda_stream(rng, t0, "$LATEST")
        req = k.uuid(rng)
        fdur = (max(d[0] for d in done) - t0).total_seconds() * 1000 + rng.uniform(300, 900)
        init = k.lognormal_ms(rng, 640, 0.1)
        logs.append(
            k.log(
                fg,
                fs,
                t0 - timedelta(milliseconds=init),
                f"INIT_START Runtime Version: {py_rt}\tRuntime Version ARN: {rt_arn}",
            )
        )
        logs.append(k.log(fg, fs, t0, f"START RequestId: {req} Version: $LATEST"))
        logs.append(
            k.log(
                fg,
                fs,
                t0 + timedelta(milliseconds=420),
                f"[INFO]\t{k.iso_ms(t0 + timedelta(milliseconds=420))}\t{req}\tstatement cycle {cycle_day:02d}: {accounts} accounts due",
            )
        )
        logs.append(
            k.log(
                fg,
                fs,
                t0 + timedelta(milliseconds=3100),
                f"[INFO]\t{k.iso_ms(t0 + timedelta(milliseconds=3100))}\t{req}\tpaged member-accounts cycle-index: {accounts} items in {math.ceil(accounts / 1000)} pages",
            )
        )
        if rng.random() < 0.6:
            skipped = rng.randint(3, 19)
            logs.append(
                k.log(
                    fg,
                    fs,
                    t0 + timedelta(milliseconds=3300),
                    f"[WARNING]\t{k.iso_ms(t0 + timedelta(milliseconds=3300))}\t{req}\t{skipped} accounts flagged closed since last cycle; skipped",
                )
            )
        end_t = t0 + timedelta(milliseconds=fdur)
        logs.append(
            k.log(
                fg,
                fs,
                end_t - timedelta(milliseconds=5),
                f"[INFO]\t{k.iso_ms(end_t)}\t{req}\tqueued {batches} render batches (InvocationType=Event) in {fdur / 1000:.1f}s",
            )
        )
        logs.append(k.log(fg, fs, end_t, f"END RequestId: {req}"))
        logs.append(
            k.log(
                fg,
                fs,
                end_t + timedelta(milliseconds=1),
                k.lambda_report(req, fdur, 512, rng.randint(140, 170), init=init),
            )
        )
        fm = k.floor_minute(t0)
        fd = {"FunctionName": FANOUT}
        metrics.append(k.stat_set(ns_l, "Invocations", fd, fm, "Count", 1, 1, 1, 1))
        metrics.append(k.stat_set(ns_l, "Errors", fd, fm, "Count", 1, 0, 0, 0))
        metrics.append(k.stat_set(ns_l, "Throttles", fd, fm, "Count", 1, 0, 0, 0))
        metrics.append(k.stat_set(ns_l, "Duration", fd, fm, "Milliseconds", 1, fdur, fdur, fdur))
        metrics.append(k.datum(ns_l, "ConcurrentExecutions", fd, fm, "Count", 1))
        # render: environments, logs, metrics
        rg = f"/aws/lambda/{RENDER}"
        envs: list[tuple[str, datetime]] = []  # stream, free at
        per_min: dict[datetime, list[tuple[float, float]]] = {}  # minute -> (duration, async age)
        conc: dict[datetime, int] = {}
        for queued_at, started, dur in sorted(done, key=lambda d: d[1]):
            free = [i for i, (_, f) in enumerate(envs) if f <= started]
            cold = not free
            if cold:
                envs.append((k.lambda_stream(rng, started, "$LATEST"), started))
                idx = len(envs) - 1
            else:
                idx = free[0]
            stream = envs[idx][0]
            init_ms = k.lognormal_ms(rng, 1450, 0.12) if cold else None
            req = k.uuid(rng)
            if cold:
                logs.append(
                    k.log(
                        rg,
                        stream,
                        started - timedelta(milliseconds=init_ms or 0),
                        f"INIT_START Runtime Version: {py_rt}\tRuntime Version ARN: {rt_arn}",
                    )
                )
            logs.append(k.log(rg, stream, started, f"START RequestId: {req} Version: $LATEST"))
            first = rng.randint(0, accounts - 100)
            line: Json = {
                "level": "INFO",
                "location": "render_batch:77",
                "message": "batch rendered",
                "timestamp": (started + timedelta(milliseconds=dur * 0.97)).strftime("%Y-%m-%d %H:%M:%S,")
                + f"{rng.randint(0, 999):03d}+0000",
                "service": "statement-render",
                "cold_start": cold,
                "function_request_id": req,
                "cycle": f"{night:%Y-%m}-{cycle_day:02d}",
                "batch_offset": first - first % 100,
                "statements": 100,
                "pdf_bytes": rng.randint(9_000_000, 14_000_000),
            }
            if rng.random() < 0.03:
                warn = dict(line)
                warn.update(
                    {
                        "level": "WARNING",
                        "location": "render_statement:141",
                        "message": "mailing address failed USPS validation; statement rendered, print copy suppressed",
                        "statements": 1,
                    }
                )
                warn.pop("pdf_bytes")
                logs.append(
                    k.log(
                        rg,
                        stream,
                        started + timedelta(milliseconds=dur * 0.5),
                        json.dumps(warn, separators=(",", ":")),
                    )
                )
            logs.append(
                k.log(
                    rg,
                    stream,
                    started + timedelta(milliseconds=dur * 0.97),
                    json.dumps(line, separators=(",", ":")),
                )
            )
            logs.append(k.log(rg, stream, started + timedelta(milliseconds=dur), f"END RequestId: {req}"))
            logs.append(
                k.log(
                    rg,
                    stream,
                    started + timedelta(milliseconds=dur + 1),
                    k.lambda_report(req, dur, RENDER_MEM, rng.randint(610, 790), init=init_ms),
                )
            )
            end = started + timedelta(milliseconds=dur + (init_ms or 0))
            envs[idx] = (stream, end)
            m = k.floor_minute(started)
            age = (started - queued_at).total_seconds() * 1000
            per_min.setdefault(m, []).append((dur, age))
            for mm in k.minutes(m, k.floor_minute(end) + timedelta(minutes=1)):
                conc[mm] = conc.get(mm, 0) + 1
            em = k.floor_minute(end)
            email_sent[em] = email_sent.get(em, 0) + 1
        rd = {"FunctionName": RENDER}
        for m, items in sorted(per_min.items()):
            n = len(items)
            metrics.append(k.stat_set(ns_l, "Invocations", rd, m, "Count", n, n, 1, 1))
            metrics.append(k.stat_set(ns_l, "Errors", rd, m, "Count", n, 0, 0, 0))
            metrics.append(k.stats(ns_l, "Duration", rd, m, "Milliseconds", [d for d, _ in items]) or {})
            metrics.append(k.stats(ns_l, "AsyncEventAge", rd, m, "Milliseconds", [a for _, a in items]) or {})
        for m in sorted(set(per_min) | set(throttles)):
            if m in throttles:
                n = throttles[m] + len(per_min.get(m, []))
                metrics.append(k.stat_set(ns_l, "Throttles", rd, m, "Count", n, throttles[m], 0, 1))
            elif m in per_min:
                n = len(per_min[m])
                metrics.append(k.stat_set(ns_l, "Throttles", rd, m, "Count", n, 0, 0, 0))
        for m, c in sorted(conc.items()):
            metrics.append(k.datum(ns_l, "ConcurrentExecutions", rd, m, "Count", min(c, RESERVED)))
        for m, c in sorted(received.items()):
            metrics.append(k.stat_set(ns_l, "AsyncEventsReceived", rd, m, "Count", c, c, 1, 1))

    # ---- mailer: drains statement-email (one message per rendered batch) -----------------------------
    mg = f"/aws/lambda/{MAILER}"
    backlog = 0
    visible_at: dict[datetime, int] = {}
    age_at: dict[datetime, float] = {}
    mail_stream = ""
    mail_stream_day = None
    mdims = {"FunctionName": MAILER}
    for m in k.minutes(start, now.replace(second=0)):
        arrived = email_sent.get(m, 0)
        backlog += arrived
        take = min(backlog, rng.randint(20, 34)) if backlog else 0
        if take:
            if mail_stream_day != m.date():
                mail_stream = k.lambda_stream(rng, m, "$LATEST")
                mail_stream_day = m.date()
            durs = []
            left = take
            while left > 0:
                n = min(10, left)
                left -= n
                req = k.uuid(rng)
                t = m + timedelta(seconds=rng.uniform(1, 55))
                dur = k.lognormal_ms(rng, 950 + 120 * n, 0.2)
                logs.append(k.log(mg, mail_stream, t, f"START RequestId: {req} Version: $LATEST"))
                logs.append(
                    k.log(
                        mg,
                        mail_stream,
                        t + timedelta(milliseconds=dur * 0.95),
                        f"[INFO]\t{k.iso_ms(t)}\t{req}\tSendBulkTemplatedEmail: {n * 100} destinations in {n} batch(es), template=monthly-statement-ready, status=Success",
                    )
                )
                logs.append(k.log(mg, mail_stream, t + timedelta(milliseconds=dur), f"END RequestId: {req}"))
                logs.append(
                    k.log(
                        mg,
                        mail_stream,
                        t + timedelta(milliseconds=dur + 1),
                        k.lambda_report(req, dur, 512, rng.randint(101, 118)),
                    )
                )
                durs.append(dur)
            backlog -= take
            metrics.append(k.stat_set(ns_l, "Invocations", mdims, m, "Count", len(durs), len(durs), 1, 1))
            metrics.append(k.stat_set(ns_l, "Errors", mdims, m, "Count", len(durs), 0, 0, 0))
            metrics.append(k.stats(ns_l, "Duration", mdims, m, "Milliseconds", durs) or {})
            metrics.append(k.datum(ns_l, "ConcurrentExecutions", mdims, m, "Count", min(5, len(durs))))
        email_recv[m] = take
        visible_at[m] = backlog
        age_at[m] = rng.uniform(20, 70) if backlog else (rng.uniform(1, 9) if take else 0.0)

    # ---- continuous series: SQS, API Gateway ----------------------------------------------------------
    api_dims = {"ApiName": API, "Stage": "prod"}
    t = start
    while t < now.replace(second=0):
        step = 1 if t >= fine_from else 5
        span = k.minutes(t, t + timedelta(minutes=step))
        if span[-1] >= now.replace(second=0):
            break
        qd = {"QueueName": EMAIL_Q}
        sent = sum(email_sent.get(m, 0) for m in span)
        recv = sum(email_recv.get(m, 0) for m in span)
        metrics.append(
            k.stat_set(
                "AWS/SQS",
                "NumberOfMessagesSent",
                qd,
                t,
                "Count",
                step,
                sent,
                min(email_sent.get(m, 0) for m in span),
                max(email_sent.get(m, 0) for m in span),
            )
        )
        metrics.append(
            k.stat_set(
                "AWS/SQS",
                "NumberOfMessagesReceived",
                qd,
                t,
                "Count",
                step,
                recv,
                min(email_recv.get(m, 0) for m in span),
                max(email_recv.get(m, 0) for m in span),
            )
        )
        metrics.append(
            k.stat_set(
                "AWS/SQS",
                "NumberOfMessagesDeleted",
                qd,
                t,
                "Count",
                step,
                recv,
                min(email_recv.get(m, 0) for m in span),
                max(email_recv.get(m, 0) for m in span),
            )
        )
        vis = [visible_at.get(m, 0) for m in span]
        metrics.append(
            k.stat_set(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                qd,
                t,
                "Count",
                step,
                sum(vis),
                min(vis),
                max(vis),
            )
        )
        ages = [round(age_at.get(m, 0.0)) for m in span]
        metrics.append(
            k.stat_set(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                qd,
                t,
                "Seconds",
                step,
                sum(ages),
                min(ages),
                max(ages),
            )
        )
        metrics.append(
            k.stat_set(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": FAILED_Q},
                t,
                "Count",
                step,
                0,
                0,
                0,
            )
        )
        # members reading statements online: daytime-shaped, tiny overnight
        rate = 70 * k.diurnal(t, 18.5, 0.92) * step
        n = max(1, k.poisson(rng, rate))
        n5 = 1 if rng.random() < 0.004 * step else 0
        lat = [k.lognormal_ms(rng, 85, 0.4) for _ in range(min(n, 40))]
        scale = n / len(lat)
        metrics.append(k.stat_set("AWS/ApiGateway", "Count", api_dims, t, "Count", n, n, 1, 1))
        metrics.append(
            k.stat_set("AWS/ApiGateway", "5XXError", api_dims, t, "Count", n, n5, 0, 1 if n5 else 0)
        )
        metrics.append(
            k.stat_set(
                "AWS/ApiGateway",
                "Latency",
                api_dims,
                t,
                "Milliseconds",
                n,
                sum(lat) * scale,
                min(lat),
                max(lat),
            )
        )
        t += timedelta(minutes=step)

    metrics = [p for p in metrics if p]
    metrics.sort(
        key=lambda p: (
            p["namespace"],
            p["metric"],
            json.dumps(p["dimensions"], sort_keys=True),
            p["timestamp"],
        )
    )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---- alarms ------------------------------------------------------------------------------------
    initial = start - timedelta(
        days=rng.randint(20, 60), minutes=rng.randint(0, 900), seconds=rng.randint(0, 59)
    )
    specs = [
        k.AlarmSpec(
            f"{RENDER}-throttles",
            "statement-render is being throttled",
            ns_l,
            "Throttles",
            {"FunctionName": RENDER},
            "Sum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{RENDER}-errors",
            "statement-render function errors",
            ns_l,
            "Errors",
            {"FunctionName": RENDER},
            "Sum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{FANOUT}-errors",
            "nightly fan-out failed",
            ns_l,
            "Errors",
            {"FunctionName": FANOUT},
            "Sum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{FAILED_Q}-not-empty",
            "render batches that exhausted async retries",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": FAILED_Q},
            "Maximum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{EMAIL_Q}-oldest-message",
            "statement emails waiting more than 30 minutes",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": EMAIL_Q},
            "Maximum",
            300,
            3,
            3,
            1800.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{MAILER}-errors",
            "statement mailer errors",
            ns_l,
            "Errors",
            {"FunctionName": MAILER},
            "Sum",
            300,
            2,
            2,
            5.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{API}-prod-5xx",
            "member statements API 5xx",
            "AWS/ApiGateway",
            "5XXError",
            api_dims,
            "Sum",
            300,
            3,
            3,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
    ]
    alarms: list[Json] = []
    history: list[Json] = []
    last_alarm_local = last_ok_local = ""
    for spec in specs:
        s = k.series_from(metrics, spec.metric, spec.dims, spec.statistic, spec.period // 60)
        res = k.evaluate_alarm(rng, spec, account, region, s, start, now, initial)
        alarms.append(res.alarm)
        history.extend(res.history)
        if spec.name == f"{RENDER}-throttles":
            assert len(res.transitions) == 8, res.transitions
            a_at = res.transitions[-2][0].astimezone(TZ)
            o_at = res.transitions[-1][0].astimezone(TZ)
            last_alarm_local = a_at.strftime("%-I:%M%p").lower()
            last_ok_local = o_at.strftime("%-I:%M").lower()
    history.sort(key=lambda h: h["Timestamp"])

    # ---- CloudTrail --------------------------------------------------------------------------------
    office_ip = (
        f"{rng.choice([64, 66, 72, 208])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
    )
    gh_ip = f"{rng.choice([20, 4, 40])}.{rng.randint(16, 250)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
    grafana = k.role_principal(
        rng,
        account,
        "grafana-cloudwatch-datasource",
        f"grafana-{k.hexid(rng, 8)}",
        "34.120.177.193",
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.2",
    )
    ci = k.role_principal(rng, account, "gha-statements-deploy", "GitHubActions", gh_ip, "")
    dev = k.sso_user(
        rng,
        account,
        "PowerUserAccess",
        f"{rng.choice(['jordan.meyers', 'ana.gutierrez', 'kwame.asante'])}@{org}.org",
        office_ip,
    )
    remote = k.sso_user(
        rng,
        account,
        "PowerUserAccess",
        f"{rng.choice(['rahul.iyer', 'sneha.kulkarni', 'arjun.menon'])}@{org}.org",
        f"{rng.choice([49, 103, 117])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}",
    )
    backup = k.role_principal(
        rng,
        account,
        "AWSBackupDefaultServiceRole",
        "AWSBackup-AWSBackupDefaultServiceRole",
        "backup.amazonaws.com",
        "backup.amazonaws.com",
    )
    lam = k.service_principal(account, "lambda.amazonaws.com")
    sched = k.service_principal(account, "scheduler.amazonaws.com")
    trail: list[Json] = []

    def rec(
        who: k.Principal,
        at: datetime,
        source: str,
        name: str,
        req: Json | None,
        resp: Json | None = None,
        **kw: Any,
    ) -> Json:
        r = k.ct(rng, who, at, source, name, region, req, resp, **kw)
        if who is backup:
            r["userIdentity"]["invokedBy"] = "backup.amazonaws.com"
            r.pop("tlsDetails", None)
        trail.append(r)
        return r

    t = start + timedelta(minutes=rng.randint(5, 30))
    while t < now:
        if 12 <= t.hour <= 23 or rng.random() < 0.25:
            rec(
                grafana,
                t,
                "monitoring.amazonaws.com",
                "GetMetricData",
                {
                    "metricDataQueries": [
                        {
                            "id": "a",
                            "metricStat": {
                                "metric": {
                                    "namespace": "AWS/ApiGateway",
                                    "metricName": "Count",
                                    "dimensions": [{"name": "ApiName", "value": API}],
                                },
                                "period": 300,
                                "stat": "Sum",
                            },
                            "returnData": True,
                        }
                    ],
                    "startTime": k.iso(t - timedelta(hours=6)),
                    "endTime": k.iso(t),
                },
                read_only=True,
            )
        t += timedelta(minutes=rng.randint(70, 130), seconds=rng.randint(0, 59))
    for night, t0 in zip(nights, runs, strict=True):
        # the scheduler assumes its role to invoke the fan-out; Lambda assumes the functions' roles
        rec(
            sched,
            t0 - timedelta(milliseconds=rng.randint(200, 700)),
            "sts.amazonaws.com",
            "AssumeRole",
            {
                "roleArn": f"arn:aws:iam::{account}:role/statement-scheduler-invoke",
                "roleSessionName": k.hexid(rng, 32),
            },
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.alnum(rng, 16),
                    "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                    "expiration": (t0 + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
                }
            },
            read_only=True,
            version="1.08",
        )
        for fn in (FANOUT, RENDER):
            at = t0 + timedelta(seconds=rng.randint(1, 30))
            rec(
                lam,
                at,
                "sts.amazonaws.com",
                "AssumeRole",
                {"roleArn": f"arn:aws:iam::{account}:role/{fn}-role", "roleSessionName": fn},
                {
                    "credentials": {
                        "accessKeyId": "ASIA" + k.alnum(rng, 16),
                        "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                        "expiration": (at + timedelta(hours=12)).strftime("%b %d, %Y, %I:%M:%S %p"),
                    }
                },
                read_only=True,
                version="1.08",
            )
        # nightly DynamoDB backups by AWS Backup
        b_at = night + timedelta(hours=6, minutes=rng.randint(31, 44), seconds=rng.randint(0, 59))
        if start <= b_at < now:
            for table in ("member-accounts", "statement-runs"):
                rec(
                    backup,
                    b_at + timedelta(seconds=rng.randint(0, 20)),
                    "dynamodb.amazonaws.com",
                    "CreateBackup",
                    {"tableName": table, "backupName": f"AWSBackup_{k.uuid(rng).upper()}"},
                    {
                        "backupDetails": {
                            "backupArn": f"arn:aws:dynamodb:{region}:{account}:table/{table}/backup/{int(b_at.timestamp() * 1000)}-{k.hexid(rng, 8)}",
                            "backupName": "AWSBackup",
                            "backupSizeBytes": rng.randint(10**8, 10**9),
                            "backupStatus": "CREATING",
                            "backupType": "AWS_BACKUP",
                            "backupCreationDateTime": k.iso(b_at),
                        }
                    },
                    read_only=False,
                    version="1.08",
                )
    # daytime work: a deploy of the renderer two days before, people looking at the function
    d_at = nights[1] + timedelta(hours=rng.randint(15, 20), minutes=rng.randint(0, 59))
    ci.created = d_at
    code_sha = _b64(rng)
    rec(
        ci,
        d_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": RENDER, "publish": False, "dryRun": False},
        {
            "functionName": RENDER,
            "functionArn": render_arn,
            "runtime": "python3.12",
            "handler": "render.handler",
            "codeSize": 31_884_120,
            "codeSha256": code_sha,
            "version": "$LATEST",
            "memorySize": RENDER_MEM,
            "timeout": 300,
            "lastModified": _lm(d_at),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["x86_64"],
            "revisionId": k.uuid(rng),
        },
        read_only=False,
        agent=f"aws-cli/2.15.{rng.randint(30, 58)} Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/lambda.update-function-code",
        version="1.08",
    )
    rec(
        ci,
        d_at + timedelta(seconds=7),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": RENDER},
        read_only=True,
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/lambda.wait.function-updated-v2",
        version="1.08",
    )
    for day in nights[:3]:
        at = day + timedelta(hours=rng.randint(14, 21), minutes=rng.randint(0, 59))
        dev.created = at - timedelta(minutes=4)
        rec(
            dev,
            at,
            "monitoring.amazonaws.com",
            "DescribeAlarmHistory",
            {"alarmName": f"{RENDER}-throttles", "historyItemType": "StateUpdate"},
            read_only=True,
            console=True,
        )
        rec(
            dev,
            at + timedelta(seconds=30),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": RENDER},
            read_only=True,
            console=True,
            version="1.08",
        )
        rec(
            dev,
            at + timedelta(seconds=34),
            "lambda.amazonaws.com",
            "GetFunctionConcurrency20190930",
            {"functionName": RENDER},
            read_only=True,
            console=True,
            version="1.08",
        )
        rec(
            dev,
            at + timedelta(seconds=35),
            "lambda.amazonaws.com",
            "GetFunctionEventInvokeConfig20190925",
            {"functionName": RENDER, "qualifier": "$LATEST"},
            read_only=True,
            console=True,
            version="1.08",
        )
        rec(
            dev,
            at + timedelta(minutes=2),
            "logs.amazonaws.com",
            "StartQuery",
            {
                "logGroupNames": [f"/aws/lambda/{RENDER}"],
                "startTime": int((day - timedelta(hours=1)).timestamp()),
                "endTime": int((day + timedelta(hours=9)).timestamp()),
                "queryString": 'fields @timestamp, @message | filter @type = "REPORT" | stats count() by bin(5m)',
            },
            {"queryId": k.uuid(rng)},
            read_only=True,
            console=True,
        )
    # changes in the half hour before last night's run
    t_last = runs[-1]
    c1 = t_last - timedelta(minutes=rng.randint(8, 14), seconds=rng.randint(0, 59))
    remote.created = c1 - timedelta(minutes=6)
    esm_uuid = k.uuid(rng)
    rec(
        remote,
        c1 - timedelta(seconds=50),
        "lambda.amazonaws.com",
        "GetEventSourceMapping",
        {"uUID": esm_uuid},
        read_only=True,
        console=True,
        version="1.08",
    )
    rec(
        remote,
        c1,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        {
            "uUID": esm_uuid,
            "batchSize": 10,
            "maximumBatchingWindowInSeconds": 5,
            "functionResponseTypes": ["ReportBatchItemFailures"],
        },
        {
            "uUID": esm_uuid,
            "batchSize": 10,
            "maximumBatchingWindowInSeconds": 5,
            "eventSourceArn": email_arn,
            "functionArn": mailer_arn,
            "lastModified": k.iso(c1),
            "state": "Updating",
            "stateTransitionReason": "USER_INITIATED",
            "functionResponseTypes": ["ReportBatchItemFailures"],
        },
        read_only=False,
        console=True,
        version="1.08",
    )
    c2 = t_last - timedelta(minutes=rng.randint(18, 24), seconds=rng.randint(0, 59))
    lc = rec(
        remote,
        c2,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", "lifecycle": ""},
        None,
        read_only=False,
        console=True,
        version="1.09",
    )
    lc["additionalEventData"] = {
        "SignatureVersion": "SigV4",
        "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "bytesTransferredIn": 612,
        "AuthenticationMethod": "AuthHeader",
        "x-amz-id-2": k.alnum(rng, 76, upper=False),
        "bytesTransferredOut": 0,
    }
    lc["resources"] = [{"accountId": account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
    c3 = t_last + timedelta(minutes=rng.randint(6, 12), seconds=rng.randint(0, 59))
    rec(
        remote,
        c3,
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "statements-nightly", "dashboardBody": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {"dashboardValidationMessages": []},
        read_only=False,
        console=True,
    )
    # the morning after: the on-call engineer
    dev.created = now - timedelta(minutes=16)
    rec(
        dev,
        now - timedelta(minutes=12),
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        {"alarmNames": [f"{RENDER}-throttles"]},
        read_only=True,
        console=True,
    )
    rec(
        dev,
        now - timedelta(minutes=11),
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        {"alarmName": f"{RENDER}-throttles"},
        read_only=True,
        console=True,
    )
    trail.sort(key=lambda r: r["eventTime"])

    # ---- resources ---------------------------------------------------------------------------------
    created = last_day - timedelta(days=rng.randint(300, 700))
    vpc_id = "vpc-0" + k.hexid(rng, 16)
    subnets = ["subnet-0" + k.hexid(rng, 16) for _ in range(3)]
    sg = "sg-0" + k.hexid(rng, 16)

    def conf(
        name: str,
        handler: str,
        mem: int,
        timeout: int,
        size: int,
        sha: str,
        modified: datetime,
        env: dict[str, str],
    ) -> Json:
        return {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{account}:role/{name}-role",
            "Handler": handler,
            "CodeSize": size,
            "Description": "",
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": _lm(modified),
            "CodeSha256": sha,
            "Version": "$LATEST",
            "VpcConfig": {
                "SubnetIds": subnets,
                "SecurityGroupIds": [sg],
                "VpcId": vpc_id,
                "Ipv6AllowedForDualStack": False,
            },
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": k.uuid(rng),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 1024 if name == RENDER else 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "RuntimeVersionConfig": {"RuntimeVersionArn": rt_arn},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }

    api_id = k.alnum(rng, 10, upper=False)
    resources: list[Json] = [
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": conf(
                RENDER,
                "render.handler",
                RENDER_MEM,
                300,
                31_884_120,
                code_sha,
                d_at,
                {
                    "STATEMENT_BUCKET": bucket,
                    "EMAIL_QUEUE_URL": f"https://sqs.{region}.amazonaws.com/{account}/{EMAIL_Q}",
                    "RUNS_TABLE": "statement-runs",
                    "POWERTOOLS_SERVICE_NAME": "statement-render",
                },
            ),
        },
        {
            "service": "lambda",
            "type": "FunctionConcurrency",
            "item": {"FunctionName": RENDER, "ReservedConcurrentExecutions": RESERVED},
        },
        {
            "service": "lambda",
            "type": "FunctionEventInvokeConfig",
            "item": {
                "LastModified": k.iso(created + timedelta(days=40)),
                "FunctionArn": f"{render_arn}:$LATEST",
                "MaximumRetryAttempts": 2,
                "MaximumEventAgeInSeconds": 21600,
                "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": failed_arn}},
            },
        },
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": conf(
                FANOUT,
                "fanout.handler",
                512,
                900,
                1_204_332,
                _b64(rng),
                created + timedelta(days=90),
                {"ACCOUNTS_TABLE": "member-accounts", "RENDER_FUNCTION": RENDER, "BATCH_SIZE": "100"},
            ),
        },
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": conf(
                MAILER,
                "mailer.handler",
                512,
                120,
                884_019,
                _b64(rng),
                created + timedelta(days=120),
                {"SES_CONFIGURATION_SET": "member-notices", "TEMPLATE": "monthly-statement-ready"},
            ),
        },
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": esm_uuid,
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 5,
                "EventSourceArn": email_arn,
                "FunctionArn": mailer_arn,
                "LastModified": k.iso(c1),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 5},
            },
        },
        {
            "service": "scheduler",
            "type": "GetScheduleOutput",
            "item": {
                "Arn": f"arn:aws:scheduler:{region}:{account}:schedule/default/statement-fanout-nightly",
                "GroupName": "default",
                "Name": "statement-fanout-nightly",
                "ScheduleExpression": "cron(0 2 * * ? *)",
                "ScheduleExpressionTimezone": "America/Chicago",
                "Description": "Nightly statement cycle fan-out",
                "State": "ENABLED",
                "CreationDate": k.iso(created + timedelta(days=90)),
                "LastModificationDate": k.iso(created + timedelta(days=90)),
                "Target": {
                    "Arn": fanout_arn,
                    "RoleArn": f"arn:aws:iam::{account}:role/statement-scheduler-invoke",
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2},
                    "Input": '{"source":"scheduler"}',
                },
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "ActionAfterCompletion": "NONE",
            },
        },
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{EMAIL_Q}",
                "Attributes": {
                    "QueueArn": email_arn,
                    "VisibilityTimeout": "720",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "MaximumMessageSize": "262144",
                    "SqsManagedSseEnabled": "true",
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp())),
                },
                "Tags": {"app": "statements"},
            },
        },
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{FAILED_Q}",
                "Attributes": {
                    "QueueArn": failed_arn,
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "MaximumMessageSize": "262144",
                    "SqsManagedSseEnabled": "true",
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp())),
                },
                "Tags": {"app": "statements"},
            },
        },
        {"service": "s3", "type": "Bucket", "item": {"Name": bucket, "CreationDate": k.iso(created)}},
        {
            "service": "apigateway",
            "type": "RestApi",
            "item": {
                "id": api_id,
                "name": API,
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": k.alnum(rng, 10, upper=False),
            },
        },
        {
            "service": "apigateway",
            "type": "RestApiStage",
            "item": {
                "restApiId": api_id,
                "deploymentId": k.alnum(rng, 6, upper=False),
                "stageName": "prod",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {},
                "tracingEnabled": False,
                "createdDate": k.iso(created),
                "lastUpdatedDate": k.iso(created + timedelta(days=200)),
            },
        },
    ]
    for table, keys in (("member-accounts", ["memberId"]), ("statement-runs", ["cycle", "batchOffset"])):
        resources.append(
            {
                "service": "dynamodb",
                "type": "TableDescription",
                "item": {
                    "TableName": table,
                    "TableStatus": "ACTIVE",
                    "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in keys],
                    "KeySchema": [
                        {"AttributeName": a, "KeyType": "HASH" if i == 0 else "RANGE"}
                        for i, a in enumerate(keys)
                    ],
                    "CreationDateTime": k.iso(created),
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "TableSizeBytes": rng.randint(10**8, 10**10),
                    "ItemCount": rng.randint(200_000, 2_000_000),
                    "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
                    "TableId": k.uuid(rng),
                    "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                    "DeletionProtectionEnabled": True,
                },
            }
        )
    for fn in (RENDER, FANOUT, MAILER):
        g = f"/aws/lambda/{fn}"
        resources.append(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {
                    "logGroupName": g,
                    "creationTime": k.epoch_ms(created),
                    "retentionInDays": 30,
                    "metricFilterCount": 0,
                    "arn": f"arn:aws:logs:{region}:{account}:log-group:{g}:*",
                    "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{g}",
                    "storedBytes": rng.randint(10**7, 10**9),
                    "logGroupClass": "STANDARD",
                },
            }
        )

    question = (
        f"The {RENDER} throttles alarm went off again at {last_alarm_local} and cleared by itself around "
        f"{last_ok_local}, same as the last few nights. Is something wrong with the nightly statement run?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "America/Chicago"},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
        },
    )


__all__ = ["NAME", "SUMMARY", "TITLE", "build"]
