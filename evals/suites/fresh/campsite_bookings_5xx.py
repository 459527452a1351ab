"""Campsite bookings API answering 502s in part since mid-morning (kit zp, incident 3)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

from . import _kit_zp as k

NAME = "campsite-bookings-5xx"
TITLE = "parkstay-bookings-api 5xx alarm mid-morning"
SUMMARY = (
    "A supplier's bulk price reload scaled the price-sync function to its SQS concurrency ceiling; it reads "
    "Parameter Store on every record and exhausted the account's shared GetParameter throughput, so the "
    "bookings functions' parameter refreshes were throttled."
)

REGION = "ap-southeast-2"


def sydney_offset(t: datetime) -> int:
    """Australia/Sydney: +11 from the first Sunday of October to the first Sunday of April, else +10."""
    y = t.year

    def first_sunday(year: int, month: int) -> datetime:
        d = datetime(year, month, 1, tzinfo=t.tzinfo)
        return d + timedelta(days=(6 - d.weekday()) % 7)

    return 10 if first_sunday(y, 4) <= t < first_sunday(y, 10) else 11


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = str(rng.randrange(2, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))
    day = k.pick_day(rng, (0, 1, 2, 3))
    off = sydney_offset(day)
    onset = day + timedelta(hours=10 - off, minutes=rng.randrange(0, 40), seconds=rng.randrange(60))
    onset_m = k.floor_min(onset)
    if onset_m < day:
        onset_m += timedelta(days=1)
        onset += timedelta(days=1)
        day += timedelta(days=1)
    now = onset_m + timedelta(minutes=rng.randrange(40, 58), seconds=rng.randrange(60))
    start = onset_m - timedelta(hours=4)
    fine_from = onset_m - timedelta(hours=2)
    log_from = onset_m - timedelta(minutes=35)
    pts = k.timeline(start, now, fine_from)
    bulk = rng.randrange(140_000, 260_000)
    max_conc = 100

    api_name = "parkstay-bookings-api"
    api_id = k.alnum(rng, 10, upper=False)
    fn_avail, fn_book, fn_sync = "parkstay-availability", "parkstay-booking-create", "parkstay-price-sync"
    arn_of = {f: f"arn:aws:lambda:{REGION}:{acct}:function:{f}" for f in (fn_avail, fn_book, fn_sync)}
    queue = "parkstay-price-updates"
    q_arn = f"arn:aws:sqs:{REGION}:{acct}:{queue}"
    table = "parkstay-bookings"
    topic = f"arn:aws:sns:{REGION}:{acct}:parkstay-alerts"

    # --- load model ---------------------------------------------------------------------------------
    def api_rate(t: datetime) -> float:
        return 16.0 * k.diurnal(t, off, peak_hour=12.5, floor=0.1)

    avail: dict[datetime, int] = {}
    book: dict[datetime, int] = {}
    avail_err: dict[datetime, int] = {}
    book_err: dict[datetime, int] = {}
    sent: dict[datetime, int] = {}
    visible: dict[datetime, float] = {}
    deleted: dict[datetime, int] = {}
    sync_inv: dict[datetime, int] = {}
    sync_err: dict[datetime, int] = {}
    sync_conc: dict[datetime, float] = {}
    ssm_calls: dict[datetime, int] = {}
    backlog = 0.0
    oldest = 0.0
    ages: dict[datetime, float] = {}
    t = start
    conc = 2.0
    while t <= now:
        mins_in = (t - onset_m).total_seconds() / 60
        a = k.poisson(rng, api_rate(t))
        b = k.poisson(rng, api_rate(t) * 0.12)
        trickle = k.poisson(rng, 25)
        s = trickle + (int(bulk / 6 * rng.uniform(0.8, 1.2)) if 0 <= mins_in < 6 else 0)
        backlog += s
        throttled = mins_in >= 1 and backlog > 2000
        if throttled:
            conc = min(max_conc, conc + 60)
            per_inv_s = rng.uniform(9, 13)
        else:
            conc = max(1.0, min(conc, 1 + backlog / 400)) if mins_in < 0 else max(2.0, conc * 0.5)
            per_inv_s = rng.uniform(1.6, 2.4)
        inv = int(conc * 60 / per_inv_s)
        err_frac = rng.uniform(0.55, 0.7) if throttled else 0.0
        done_msgs = min(backlog, inv * 10 * (1 - err_frac))
        backlog -= done_msgs
        if throttled:
            ramp = min(1.0, (mins_in - 1) / 6.0)
            p_fail_a = (0.08 + 0.55 * ramp) * rng.uniform(0.85, 1.1)
            p_fail_b = (0.1 + 0.6 * ramp) * rng.uniform(0.85, 1.1)
            calls = int(40 * 60 * rng.uniform(0.97, 1.0))
            oldest += 60
        else:
            p_fail_a = p_fail_b = 0.0
            calls = int(a * 0.05 + b * 0.1 + inv * 40 + rng.randrange(20, 60))
            oldest = rng.uniform(1, 6)
        avail[t], book[t] = a, b
        avail_err[t] = sum(1 for _ in range(a) if rng.random() < p_fail_a)
        book_err[t] = sum(1 for _ in range(b) if rng.random() < p_fail_b)
        sent[t], deleted[t] = s, int(done_msgs)
        visible[t] = backlog
        sync_inv[t], sync_err[t], sync_conc[t] = inv, int(inv * err_frac), conc
        ssm_calls[t] = calls
        ages[t] = oldest
        t += timedelta(minutes=1)

    def per(series: dict[datetime, int], nonzero: bool = False) -> Any:
        def fn(t: datetime, period: int) -> float | None:
            v = float(sum(series.get(t + timedelta(minutes=i), 0) for i in range(period // 60)))
            return None if (nonzero and v == 0) else v

        return fn

    def last(series: dict[datetime, float]) -> Any:
        def fn(t: datetime, period: int) -> float:
            return float(series[t + timedelta(minutes=period // 60 - 1)])

        return fn

    def conc_of(series: dict[datetime, int]) -> Any:
        def fn(t: datetime, p: int) -> float:
            return float(max(1, round(series[t] / 60 * 0.3 + rng.random() * 2)))

        return fn

    m = k.Metrics()
    gw = {"ApiName": api_name, "Stage": "live"}
    total = {t: avail[t] + book[t] for t in avail}
    fails = {t: avail_err[t] + book_err[t] for t in avail}
    m.add("AWS/ApiGateway", "Count", gw, "Count", pts, per(total))
    m.add("AWS/ApiGateway", "5XXError", gw, "Count", pts, per(fails))
    m.add(
        "AWS/ApiGateway",
        "4XXError",
        gw,
        "Count",
        pts,
        per({t: k.poisson(rng, total[t] * 0.02) for t in total}),
    )
    m.add(
        "AWS/ApiGateway",
        "Latency",
        gw,
        "Milliseconds",
        pts,
        lambda t, p: k.noisy(rng, 145 if t < onset_m else 230, 0.12),
        kind="avg",
    )
    for fn, inv_s, err_s, base_ms in ((fn_avail, avail, avail_err, 95.0), (fn_book, book, book_err, 240.0)):
        d = {"FunctionName": fn}
        m.add("AWS/Lambda", "Invocations", d, "Count", pts, per(inv_s))
        m.add("AWS/Lambda", "Errors", d, "Count", pts, per(err_s))
        m.add("AWS/Lambda", "Throttles", d, "Count", pts, lambda t, p: 0.0)
        m.add("AWS/Lambda", "Duration", d, "Milliseconds", pts, k.noise_fn(rng, base_ms, 0.15), kind="avg")
        m.add(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            pts,
            conc_of(inv_s),
            kind="avg",
        )
    d = {"FunctionName": fn_sync}
    m.add("AWS/Lambda", "Invocations", d, "Count", pts, per(sync_inv))
    m.add("AWS/Lambda", "Errors", d, "Count", pts, per(sync_err))
    m.add("AWS/Lambda", "Throttles", d, "Count", pts, lambda t, p: 0.0)
    m.add(
        "AWS/Lambda",
        "Duration",
        d,
        "Milliseconds",
        pts,
        lambda t, p: rng.uniform(9000, 13000) if sync_conc[t] >= max_conc else rng.uniform(1600, 2400),
        kind="avg",
    )
    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        d,
        "Count",
        pts,
        last({t: float(round(v)) for t, v in sync_conc.items()}),
        kind="avg",
    )
    qd = {"QueueName": queue}
    m.add("AWS/SQS", "NumberOfMessagesSent", qd, "Count", pts, per(sent))
    m.add("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", pts, per(deleted))
    m.add(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", pts, last(visible), kind="avg", digits=0
    )
    m.add("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", pts, last(ages), kind="avg", digits=0)
    for res_name, series in (("GetParameter", ssm_calls),):
        m.add(
            "AWS/Usage",
            "CallCount",
            {"Service": "SSM", "Type": "API", "Resource": res_name, "Class": "None"},
            "None",
            pts,
            per(series),
        )
    m.add(
        "AWS/Usage",
        "CallCount",
        {"Service": "SSM", "Type": "API", "Resource": "GetParametersByPath", "Class": "None"},
        "None",
        pts,
        lambda t, p: float(rng.randrange(0, 4) * (p // 60)),
    )
    td = {"TableName": table}
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        td,
        "Count",
        pts,
        lambda t, p: (per(avail)(t, p) or 0) * 2.5,
    )
    m.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        pts,
        lambda t, p: (per(book)(t, p) or 0) * 3 + (per(deleted)(t, p) or 0) * 0,
    )
    m.add(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "Query"},
        "Milliseconds",
        pts,
        k.noise_fn(rng, 4.2, 0.1),
        kind="avg",
    )
    m.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "parkstay-site-prices"},
        "Count",
        pts,
        lambda t, p: (per(deleted)(t, p) or 0) * 1.0,
    )

    # --- alarms -----------------------------------------------------------------------------------------
    specs = [
        k.AlarmSpec(
            "parkstay-bookings-api-5xx",
            "Bookings API server errors (availability search, booking create)",
            "AWS/ApiGateway",
            "5XXError",
            gw,
            "Sum",
            300,
            1,
            1,
            20.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "parkstay-price-updates-age",
            "Supplier price updates waiting more than 30 minutes",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Maximum",
            300,
            1,
            1,
            1800.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "parkstay-booking-create-errors",
            "Booking creation function errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_book},
            "Sum",
            300,
            2,
            2,
            10.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "parkstay-bookings-read-capacity",
            "Bookings table read consumption",
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            td,
            "Sum",
            300,
            3,
            3,
            60000.0,
            "GreaterThanThreshold",
        ),
    ]
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    trigger_event = None
    for spec in specs:
        al, h, lastt = k.evaluate_alarm(
            spec,
            m.series(spec.namespace, spec.metric, spec.dims),
            fine_from,
            now,
            acct,
            REGION,
            [topic],
            day - timedelta(days=rng.randrange(30, 300)),
            rng,
        )
        alarms.append(al)
        history += h
        if spec.name == "parkstay-bookings-api-5xx" and lastt:
            trigger_event = k.alarm_event(al, spec, lastt, acct, REGION, rng)

    # --- logs ----------------------------------------------------------------------------------------
    logs = k.Logs()
    trail = k.Trail(acct, REGION, rng)
    ua = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.216-225.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#standard Botocore/1.34.84"
    who = {
        f: k.role_session(
            rng,
            acct,
            f"{f}-role",
            f,
            f"3.{rng.randrange(24, 27)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}",
            ua,
        )
        for f in (fn_avail, fn_book, fn_sync)
    }
    throttle_msg = "Rate exceeded"

    def ssm_event(fn: str, at: datetime, name: str, ok: bool) -> None:
        trail.add(
            who[fn],
            at,
            "ssm.amazonaws.com",
            "GetParameter",
            {"name": name, "withDecryption": True},
            None,
            True,
            None if ok else ("ThrottlingException", throttle_msg),
            session_created=at - timedelta(minutes=rng.randrange(1, 40)),
        )

    params_of = {
        fn_avail: ["/parkstay/prod/availability/config", "/parkstay/prod/shared/feature-flags"],
        fn_book: [
            "/parkstay/prod/booking/config",
            "/parkstay/prod/booking/hold-minutes",
            "/parkstay/prod/shared/feature-flags",
        ],
        fn_sync: [
            "/parkstay/prod/pricing/gst-rate",
            "/parkstay/prod/pricing/rounding-rules",
            "/parkstay/prod/pricing/supplier-map",
            "/parkstay/prod/shared/feature-flags",
        ],
    }

    class Env:
        def __init__(self, fn: str, born: datetime) -> None:
            self.fn = fn
            self.stream = k.lambda_stream(rng, born)
            self.cold = True
            self.fetched: datetime | None = None

    envs = {
        fn_avail: [Env(fn_avail, log_from - timedelta(minutes=rng.randrange(10, 90))) for _ in range(4)],
        fn_book: [Env(fn_book, log_from - timedelta(minutes=rng.randrange(10, 90))) for _ in range(2)],
    }
    for lst in envs.values():
        for e in lst:
            e.cold = False
            e.fetched = log_from - timedelta(seconds=rng.randrange(0, 300))

    def handle(fn: str, at: datetime, fail: bool) -> None:
        pool = envs[fn]
        if rng.random() < 0.015:
            pool.append(Env(fn, at))
        env = rng.choice(pool)
        req = k.uid(rng)
        g = f"/aws/lambda/{fn}"
        init = None
        if env.cold:
            init = rng.uniform(650, 900)
            logs.add(
                g,
                env.stream,
                at - timedelta(milliseconds=int(init)),
                f"INIT_START Runtime Version: python:3.12.v28\tRuntime Version ARN: arn:aws:lambda:{REGION}::runtime:{k.hexs(rng, 64)}",
            )
        logs.add(g, env.stream, at, f"START RequestId: {req} Version: $LATEST")
        refresh = fail or env.cold or env.fetched is None or (at - env.fetched).total_seconds() > 300
        base = {
            "cold_start": env.cold,
            "function_name": fn,
            "function_memory_size": 512,
            "function_arn": arn_of[fn],
            "function_request_id": req,
            "service": fn.replace("parkstay-", ""),
            "xray_trace_id": f"1-{int(at.timestamp()):08x}-{k.hexs(rng, 24)}",
        }
        dur = rng.gauss(95 if fn == fn_avail else 240, 15)
        if refresh:
            names = params_of[fn]
            if fail:
                ssm_event(fn, at + timedelta(milliseconds=8), names[0], False)
                err = {
                    "level": "ERROR",
                    "location": "get_config:41",
                    "message": "Failed to load configuration from Parameter Store",
                    "timestamp": k.iso_ms(at + timedelta(milliseconds=640)).replace("Z", "+0000"),
                    **base,
                    "exception": "botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the GetParameter operation (reached max retries: 2): Rate exceeded",
                    "exception_name": "GetParameterError",
                }
                logs.add(g, env.stream, at + timedelta(milliseconds=640), json.dumps(err))
                trace = (
                    "[ERROR] GetParameterError: An error occurred (ThrottlingException) when calling the GetParameter operation (reached max retries: 2): Rate exceeded\n"
                    "Traceback (most recent call last):\n"
                    '  File "/opt/python/aws_lambda_powertools/logging/logger.py", line 449, in decorate\n    return lambda_handler(event, context, *args, **kwargs)\n'
                    '  File "/var/task/app/handler.py", line 27, in handler\n    cfg = get_config()\n'
                    '  File "/var/task/app/config.py", line 41, in get_config\n    raw = parameters.get_parameter(CONFIG_PARAM, max_age=300, decrypt=True)\n'
                    '  File "/opt/python/aws_lambda_powertools/utilities/parameters/ssm.py", line 820, in get_parameter\n    return DEFAULT_PROVIDERS["ssm"].get(\n'
                    '  File "/opt/python/aws_lambda_powertools/utilities/parameters/base.py", line 145, in get\n    raise GetParameterError(str(exc))'
                )
                logs.add(g, env.stream, at + timedelta(milliseconds=642), trace)
                dur = rng.uniform(600, 700)
            else:
                for nm in names:
                    ssm_event(fn, at + timedelta(milliseconds=8), nm, True)
                env.fetched = at
        if not fail:
            if fn == fn_avail:
                msg = {
                    "level": "INFO",
                    "location": "search:88",
                    "message": "availability search",
                    "timestamp": k.iso_ms(at + timedelta(milliseconds=int(dur * 0.8))).replace("Z", "+0000"),
                    **base,
                    "park_id": f"P{rng.randrange(100, 480)}",
                    "nights": rng.randrange(1, 6),
                    "results": rng.randrange(0, 60),
                }
            else:
                msg = {
                    "level": "INFO",
                    "location": "create:132",
                    "message": "booking held",
                    "timestamp": k.iso_ms(at + timedelta(milliseconds=int(dur * 0.8))).replace("Z", "+0000"),
                    **base,
                    "booking_ref": f"PS-{k.alnum(rng, 7)}",
                    "hold_minutes": 15,
                }
            if rng.random() < 0.01:
                msg = {
                    **msg,
                    "level": "WARNING",
                    "message": "payment session slow to create",
                    "elapsed_ms": rng.randrange(1500, 3000),
                }
            logs.add(g, env.stream, at + timedelta(milliseconds=int(dur * 0.8)), json.dumps(msg))
        end = at + timedelta(milliseconds=int(dur))
        logs.add(g, env.stream, end, f"END RequestId: {req}")
        logs.add(g, env.stream, end, k.lambda_report(req, dur, 512, rng.randrange(110, 140), init))
        env.cold = False

    t = log_from
    while t < now:
        for fn, series, errs in ((fn_avail, avail, avail_err), (fn_book, book, book_err)):
            n_err = errs[t]
            for i in range(series[t]):
                at = t + timedelta(milliseconds=rng.randrange(60000))
                if at < now:
                    handle(fn, at, i < n_err)
        t += timedelta(minutes=1)

    # price-sync: a handful of its environments (it runs up to 100 at once)
    g = f"/aws/lambda/{fn_sync}"
    for n_env in range(3):
        born = (
            log_from + timedelta(minutes=rng.randrange(0, 25))
            if n_env < 1
            else onset_m + timedelta(minutes=1, seconds=rng.randrange(0, 100))
        )
        stream = k.lambda_stream(rng, born)
        at = born
        cold = True
        while at < now:
            thr = at >= onset_m + timedelta(minutes=1)
            req = k.uid(rng)
            init = rng.uniform(700, 950) if cold else None
            if cold:
                logs.add(
                    g,
                    stream,
                    at - timedelta(milliseconds=int(init or 0)),
                    f"INIT_START Runtime Version: python:3.12.v28\tRuntime Version ARN: arn:aws:lambda:{REGION}::runtime:{k.hexs(rng, 64)}",
                )
            logs.add(g, stream, at, f"START RequestId: {req} Version: $LATEST")
            ctx = {
                "cold_start": cold,
                "function_name": fn_sync,
                "function_memory_size": 256,
                "function_arn": arn_of[fn_sync],
                "function_request_id": req,
                "service": "price-sync",
            }
            if thr and rng.random() < 0.62:
                dur = rng.uniform(9000, 14000)
                ssm_event(
                    fn_sync,
                    at + timedelta(milliseconds=rng.randrange(10, 900)),
                    rng.choice(params_of[fn_sync]),
                    False,
                )
                msg = {
                    "level": "ERROR",
                    "location": "apply_batch:63",
                    "message": "batch failed, returning all records for retry",
                    "timestamp": k.iso_ms(at + timedelta(milliseconds=int(dur) - 5)).replace("Z", "+0000"),
                    **ctx,
                    "records": 10,
                    "exception": "botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the GetParameter operation (reached max retries: 4): Rate exceeded",
                }
            else:
                dur = rng.uniform(8000, 12000) if thr else rng.uniform(1500, 2500)
                ssm_event(
                    fn_sync,
                    at + timedelta(milliseconds=rng.randrange(10, 400)),
                    rng.choice(params_of[fn_sync]),
                    True,
                )
                msg = {
                    "level": "INFO",
                    "location": "apply_batch:71",
                    "message": "applied supplier price updates",
                    "timestamp": k.iso_ms(at + timedelta(milliseconds=int(dur) - 5)).replace("Z", "+0000"),
                    **ctx,
                    "records": 10,
                    "supplier": rng.choice(["natparks-nsw", "bigsky-holiday", "coastal-parks"]),
                    "parameter_reads": 40,
                }
            logs.add(g, stream, at + timedelta(milliseconds=int(dur) - 5), json.dumps(msg))
            end = at + timedelta(milliseconds=int(dur))
            logs.add(g, stream, end, f"END RequestId: {req}")
            logs.add(g, stream, end, k.lambda_report(req, dur, 256, rng.randrange(88, 104), init))
            cold = False
            at = (
                end + timedelta(milliseconds=rng.randrange(20, 400))
                if thr
                else end + timedelta(seconds=rng.randrange(30, 240))
            )

    # --- CloudTrail: the rest --------------------------------------------------------------------------
    office = k.public_ip(rng)
    dev = k.sso_user(rng, acct, "Developer", "sam.kowalczyk@parkstay.com.au", office, "AWS Internal")
    ops = k.sso_user(rng, acct, "PlatformOperator", "aroha.ngata@parkstay.com.au", office, "AWS Internal")
    ci = k.role_session(
        rng,
        acct,
        "parkstay-deploy",
        f"codebuild-{k.uid(rng)}",
        f"13.{rng.randrange(54, 55)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}",
        "aws-sdk-js/3.556.0 ua/2.0 os/linux#5.10.215 lang/js md/nodejs#20.12.2 api/lambda#3.556.0 exec-env/AWS_CodeBuild",
    )
    dep = onset_m - timedelta(minutes=rng.randrange(14, 24), seconds=rng.randrange(60))
    sha = k.hexs(rng, 43) + "="
    trail.add(
        ci,
        dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": fn_avail, "publish": True, "dryRun": False},
        {
            "functionName": fn_avail,
            "functionArn": arn_of[fn_avail],
            "runtime": "python3.12",
            "codeSha256": sha,
            "version": "88",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    trail.add(
        ci,
        dep + timedelta(seconds=14),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": fn_avail, "name": "live", "functionVersion": "88"},
        {"aliasArn": f"{arn_of[fn_avail]}:live", "name": "live", "functionVersion": "88"},
    )
    trail.add(
        ci,
        dep - timedelta(seconds=30),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": fn_avail},
        None,
        True,
    )
    pp = onset_m + timedelta(minutes=rng.randrange(4, 12), seconds=rng.randrange(60))
    trail.add(
        dev,
        pp - timedelta(minutes=1),
        "ssm.amazonaws.com",
        "GetParameter",
        {"name": "/parkstay/prod/booking/hold-minutes", "withDecryption": False},
        None,
        True,
    )
    trail.add(
        dev,
        pp,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/parkstay/prod/booking/hold-minutes",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": rng.randrange(5, 12), "tier": "Standard"},
    )
    trail.add(
        dev,
        pp + timedelta(minutes=1),
        "ssm.amazonaws.com",
        "DescribeParameters",
        {"parameterFilters": [{"key": "Path", "option": "Recursive", "values": ["/parkstay/prod/booking"]}]},
        None,
        True,
    )
    looks: list[tuple[str, str, dict[str, Any]]] = [
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn_book}),
        ("apigateway.amazonaws.com", "GetStages", {"restApiId": api_id}),
        ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": fn_sync}),
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": f"https://sqs.{REGION}.amazonaws.com/{acct}/{queue}", "attributeNames": ["All"]},
        ),
        ("cloudwatch.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {"logGroupName": f"/aws/lambda/{fn_book}", "filterPattern": "ERROR"},
        ),
    ]
    ses = now - timedelta(minutes=rng.randrange(16, 24))
    for i, (src, nm, prm) in enumerate(looks):
        at = ses + timedelta(minutes=i * 2, seconds=rng.randrange(60))
        if at < now:
            trail.add(ops, at, src, nm, prm, None, True, session_created=ses)
    for _ in range(5):
        at = start + timedelta(minutes=rng.randrange(10, 200))
        trail.add(
            dev,
            at,
            "dynamodb.amazonaws.com",
            rng.choice(["DescribeTable", "DescribeTimeToLive"]),
            {"tableName": table},
            None,
            True,
        )

    # --- resources --------------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randrange(300, 800))
    res: list[dict[str, Any]] = []

    def r_(service: str, type_: str, item: dict[str, Any]) -> None:
        res.append({"service": service, "type": type_, "item": item})

    def fconf(fn: str, memory: int, timeout: int, modified: datetime, env: dict[str, str]) -> dict[str, Any]:
        return {
            "FunctionName": fn,
            "FunctionArn": arn_of[fn],
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{acct}:role/{fn}-role",
            "Handler": "app.handler.handler",
            "CodeSize": rng.randrange(200_000, 2_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": k.hexs(rng, 43) + "=",
            "Version": "$LATEST",
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "Active"},
            "RevisionId": k.uid(rng),
            "Layers": [
                {
                    "Arn": f"arn:aws:lambda:{REGION}:017000801446:layer:AWSLambdaPowertoolsPythonV2:69",
                    "CodeSize": 2958012,
                }
            ],
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        }

    r_(
        "lambda",
        "FunctionConfiguration",
        fconf(
            fn_avail,
            512,
            10,
            dep,
            {
                "CONFIG_PARAM": "/parkstay/prod/availability/config",
                "POWERTOOLS_SERVICE_NAME": "availability",
                "TABLE": table,
            },
        ),
    )
    r_(
        "lambda",
        "FunctionConfiguration",
        fconf(
            fn_book,
            512,
            15,
            day - timedelta(days=rng.randrange(3, 15)),
            {
                "CONFIG_PARAM": "/parkstay/prod/booking/config",
                "POWERTOOLS_SERVICE_NAME": "booking-create",
                "TABLE": table,
            },
        ),
    )
    r_(
        "lambda",
        "FunctionConfiguration",
        fconf(
            fn_sync,
            256,
            30,
            day - timedelta(days=rng.randrange(20, 90)),
            {
                "POWERTOOLS_SERVICE_NAME": "price-sync",
                "PRICES_TABLE": "parkstay-site-prices",
                "POWERTOOLS_PARAMETERS_MAX_AGE": "0",
            },
        ),
    )
    r_(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uid(rng),
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": q_arn,
            "FunctionArn": arn_of[fn_sync],
            "LastModified": k.iso(created + timedelta(days=40)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": [],
            "ScalingConfig": {"MaximumConcurrency": max_conc},
        },
    )
    r_(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{acct}/{queue}",
            "Attributes": {
                "QueueArn": q_arn,
                "VisibilityTimeout": "180",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": f"{q_arn}-dlq", "maxReceiveCount": 8}),
                "SqsManagedSseEnabled": "true",
                "ApproximateNumberOfMessages": str(int(visible[max(visible)])),
            },
            "Tags": {"app": "parkstay", "owner": "pricing"},
        },
    )
    r_(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "createdDate": k.iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": k.alnum(rng, 10, False),
        },
    )
    r_(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": k.alnum(rng, 6, False),
            "stageName": "live",
            "tracingEnabled": True,
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "OFF",
                    "throttlingBurstLimit": 1000,
                    "throttlingRateLimit": 500.0,
                }
            },
            "createdDate": k.iso(created),
            "lastUpdatedDate": k.iso(created + timedelta(days=100)),
        },
    )
    r_(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "ProvisionedThroughput": {
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
                "NumberOfDecreasesToday": 0,
            },
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "TableArn": f"arn:aws:dynamodb:{REGION}:{acct}:table/{table}",
            "TableId": k.uid(rng),
            "TableSizeBytes": rng.randrange(10**9, 10**10),
            "ItemCount": rng.randrange(10**6, 10**7),
        },
    )
    for nm, typ, ver in (
        ("/parkstay/prod/availability/config", "SecureString", 14),
        ("/parkstay/prod/booking/config", "SecureString", 21),
        ("/parkstay/prod/booking/hold-minutes", "String", 7),
        ("/parkstay/prod/pricing/gst-rate", "String", 2),
        ("/parkstay/prod/pricing/supplier-map", "String", 33),
        ("/parkstay/prod/shared/feature-flags", "String", 58),
    ):
        item: dict[str, Any] = {
            "Name": nm,
            "ARN": f"arn:aws:ssm:{REGION}:{acct}:parameter{nm}",
            "Type": typ,
            "LastModifiedDate": k.iso(
                pp if nm.endswith("hold-minutes") else created + timedelta(days=rng.randrange(30, 280))
            ),
            "LastModifiedUser": f"arn:aws:sts::{acct}:assumed-role/{dev.identity['sessionContext']['sessionIssuer']['userName']}/sam.kowalczyk@parkstay.com.au",
            "Version": ver,
            "Tier": "Standard",
            "Policies": [],
            "DataType": "text",
        }
        if typ == "SecureString":
            item["KeyId"] = "alias/aws/ssm"
        r_("ssm", "ParameterMetadata", item)
    r_(
        "ssm",
        "ServiceSetting",
        {
            "SettingId": "/ssm/parameter-store/high-throughput-enabled",
            "SettingValue": "false",
            "LastModifiedDate": k.iso(created),
            "LastModifiedUser": "System",
            "ARN": f"arn:aws:ssm:{REGION}:{acct}:servicesetting/ssm/parameter-store/high-throughput-enabled",
            "Status": "Default",
        },
    )
    for fn in (fn_avail, fn_book, fn_sync):
        r_(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": f"{fn}-role",
                "PolicyName": "parameters",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                            "Resource": [f"arn:aws:ssm:{REGION}:{acct}:parameter/parkstay/prod/*"],
                        }
                    ],
                },
            },
        )
    r_(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/lambda/{fn_sync}",
            "creationTime": k.ms(created),
            "retentionInDays": 14,
            "metricFilterCount": 0,
            "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:/aws/lambda/{fn_sync}:*",
            "storedBytes": rng.randrange(10**8, 10**9),
        },
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": trigger_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": fn_sync,
                    "category": "limit",
                    "failure_mode": "ssm-parameter-store-throughput-exceeded",
                },
                "also_accept": [
                    arn_of[fn_sync],
                    "Parameter Store",
                    "ssm GetParameter throughput",
                    f"arn:aws:ssm:{REGION}:{acct}:servicesetting/ssm/parameter-store/high-throughput-enabled",
                ],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"a supplier bulk price reload floods {queue}; {fn_sync} scales to its SQS maximum concurrency ({max_conc})",
                    f"{fn_sync} calls ssm GetParameter for every record (no caching); the account's standard Parameter Store throughput (40 TPS) is exhausted",
                    f"{fn_avail} and {fn_book} parameter refreshes and cold starts get ThrottlingException: Rate exceeded and fail",
                    f"{api_name} 5XXError; parkstay-bookings-api-5xx alarm",
                ],
            },
        }
    )
    hist = sorted(history, key=lambda item: str(item["Timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": res,
        },
    )
