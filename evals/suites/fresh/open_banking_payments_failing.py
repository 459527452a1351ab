"""Rent payments by bank transfer failing for a growing share of tenants (kit zp, incident 1)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any, cast

from evals.bundle import Bundle, Manifest

from . import _kit_zp as k

NAME = "open-banking-payments-failing"
TITLE = "Bank-transfer rent payments failing for more and more tenants since lunchtime"
SUMMARY = (
    "A KMS key policy rewrite left the payment-initiation function's role out; its cached secret kept old "
    "Lambda environments working, so 503s grew only as new environments started."
)

REGION = "eu-west-2"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = str(rng.randrange(2, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))
    day = k.pick_day(rng, (0, 1, 2, 3, 4))
    change = day + timedelta(hours=11, minutes=rng.randrange(5, 95), seconds=rng.randrange(60))
    first_fail = k.floor_min(change) + timedelta(minutes=rng.randrange(6, 13))
    now = first_fail + timedelta(minutes=rng.randrange(68, 84), seconds=rng.randrange(60))
    start = k.floor_min(change) - timedelta(hours=6)
    fine_from = k.floor_min(change) - timedelta(hours=2)
    off = k.uk_offset(day)
    pts = k.timeline(start, now, fine_from)
    tau = rng.uniform(26, 40)
    peak = rng.uniform(4.5, 6.5)  # POST /payments a minute at the lunchtime peak

    # --- names and ids -------------------------------------------------------------------------
    api_id = k.alnum(rng, 10, upper=False)
    api_name = "rentwise-payments-api"
    key_id = k.uid(rng)
    key_arn = f"arn:aws:kms:{REGION}:{acct}:key/{key_id}"
    data_key_id = k.uid(rng)
    data_key_arn = f"arn:aws:kms:{REGION}:{acct}:key/{data_key_id}"
    sfx = k.alnum(rng, 6, upper=False)
    secret_client = f"arn:aws:secretsmanager:{REGION}:{acct}:secret:prod/rentwise/ob-provider-client-{sfx[:3]}{k.alnum(rng, 3)}"
    secret_hook = f"arn:aws:secretsmanager:{REGION}:{acct}:secret:prod/rentwise/ob-webhook-signing-{k.alnum(rng, 6, False)}"
    secret_smtp = f"arn:aws:secretsmanager:{REGION}:{acct}:secret:prod/rentwise/statements-smtp-{k.alnum(rng, 6, False)}"
    fn_init, fn_cb, fn_ledger, fn_stmt = (
        "rentwise-ob-initiate",
        "rentwise-ob-callback",
        "rentwise-ledger-writer",
        "rentwise-statements-render",
    )
    role = {f: f"{f}-role" for f in (fn_init, fn_cb, fn_ledger, fn_stmt)}
    ci_role = "rentwise-gha-deploy"
    topic = f"arn:aws:sns:{REGION}:{acct}:rentwise-oncall-pager"
    queue = "rentwise-ledger-events"
    table = "rentwise-payments"
    sec_engineer = "priya.natarajan@rentwise.co.uk"
    dev = "tom.okafor@rentwise.co.uk"
    sre = "hannah.birch@rentwise.co.uk"

    office_ip = k.public_ip(rng)
    home_ip = k.public_ip(rng)
    console = "AWS Internal"
    cli = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/kms.put-key-policy"
    sec_p = k.sso_user(rng, acct, "PlatformSecurityAdmin", sec_engineer, office_ip, cli)
    sec_role_name = sec_p.identity["sessionContext"]["sessionIssuer"]["userName"]
    dev_p = k.sso_user(rng, acct, "DeveloperPowerUser", dev, home_ip, console)
    sre_p = k.sso_user(rng, acct, "PlatformOperator", sre, office_ip, console)
    gha_ip = f"20.{rng.randrange(20, 250)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    ci_p = k.role_session(
        rng,
        acct,
        ci_role,
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        gha_ip,
        "aws-sdk-js/3.552.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.1 api/lambda#3.552.0",
    )
    fn_p = {
        f: k.role_session(
            rng,
            acct,
            role[f],
            f,
            "",
            "aws-sdk-js/3.515.0 ua/2.0 os/linux#5.10.214 lang/js md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x",
        )
        for f in (fn_init, fn_cb, fn_stmt)
    }
    for pr in fn_p.values():
        pr.ip = f"3.{rng.randrange(8, 11)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"

    # --- traffic model ---------------------------------------------------------------------------
    def frac_new(t: datetime) -> float:
        if t < first_fail:
            return 0.0
        m = (t - first_fail).total_seconds() / 60.0
        return min(0.93, 0.12 + (1 - 0.12) * (1 - pow(2.718281828, -m / tau)))

    post_per_min: dict[datetime, int] = {}
    get_per_min: dict[datetime, int] = {}
    fail_per_min: dict[datetime, int] = {}
    t = start
    while t < now:
        lam = peak * k.diurnal(t, off, peak_hour=13.2, floor=0.08)
        n = k.poisson(rng, lam)
        post_per_min[t] = n
        get_per_min[t] = k.poisson(rng, lam * 1.7)
        f = frac_new(t)
        fail_per_min[t] = sum(1 for _ in range(n) if rng.random() < f)
        t += timedelta(minutes=1)
    ok_per_min = {t: post_per_min[t] - fail_per_min[t] for t in post_per_min}
    cb_per_min: dict[datetime, int] = {}
    for t in post_per_min:
        src = [ok_per_min.get(t - timedelta(minutes=d), 0) for d in (1, 2, 3)]
        cb_per_min[t] = k.poisson(rng, 0.9 * (0.2 * src[0] + 0.5 * src[1] + 0.3 * src[2]))

    def per(series: dict[datetime, int]) -> Any:
        def fn(t: datetime, period: int) -> float:
            return float(sum(series.get(t + timedelta(minutes=i), 0) for i in range(period // 60)))

        return fn

    def conc(inv: dict[datetime, int]) -> Any:
        def fn(t: datetime, p: int) -> float | None:
            n = per(inv)(t, p)
            return float(max(1, round(n / (p / 60) * 0.45 + rng.random()))) if n else None

        return fn

    def zero_if(inv: dict[datetime, int]) -> Any:
        def fn(t: datetime, p: int) -> float | None:
            return 0.0 if per(inv)(t, p) else None

        return fn

    def const_noise(base: float) -> Any:
        def fn(t: datetime, p: int) -> float:
            return k.noisy(rng, base, 0.12)

        return fn

    m = k.Metrics()
    gw = {"ApiName": api_name, "Stage": "prod"}
    count = {t: post_per_min[t] + get_per_min[t] + cb_per_min[t] for t in post_per_min}
    four = {t: k.poisson(rng, 0.015 * count[t]) for t in count}
    m.add("AWS/ApiGateway", "Count", gw, "Count", pts, per(count))
    m.add("AWS/ApiGateway", "5XXError", gw, "Count", pts, per(fail_per_min))
    m.add("AWS/ApiGateway", "4XXError", gw, "Count", pts, per(four))

    def latency(t: datetime, period: int, integ: bool = False) -> float | None:
        mins = [t + timedelta(minutes=i) for i in range(period // 60)]
        tot = sum(count[x] for x in mins)
        if not tot:
            return None
        s = 0.0
        for x in mins:
            s += ok_per_min[x] * rng.gauss(610, 60) + fail_per_min[x] * rng.gauss(140, 20)
            s += get_per_min[x] * rng.gauss(48, 6) + cb_per_min[x] * rng.gauss(95, 12)
        return s / tot - (14 if integ else 0)

    m.add("AWS/ApiGateway", "Latency", gw, "Milliseconds", pts, lambda t, p: latency(t, p), kind="avg")
    m.add(
        "AWS/ApiGateway",
        "IntegrationLatency",
        gw,
        "Milliseconds",
        pts,
        lambda t, p: latency(t, p, True),
        kind="avg",
    )

    init_inv = {t: post_per_min[t] + get_per_min[t] for t in post_per_min}
    for fn, inv in ((fn_init, init_inv), (fn_cb, cb_per_min)):
        d = {"FunctionName": fn}
        m.add("AWS/Lambda", "Invocations", d, "Count", pts, per(inv))
        m.add("AWS/Lambda", "Errors", d, "Count", pts, zero_if(inv))
        m.add("AWS/Lambda", "Throttles", d, "Count", pts, zero_if(inv))
        base = 520.0 if fn == fn_init else 85.0

        def dur(t: datetime, p: int, inv: dict[datetime, int] = inv, base: float = base) -> float | None:
            mins = [t + timedelta(minutes=i) for i in range(p // 60)]
            tot = sum(inv[x] for x in mins)
            if not tot:
                return None
            if inv is init_inv:
                s = sum(
                    ok_per_min[x] * rng.gauss(base, 50) + fail_per_min[x] * 95 + get_per_min[x] * 31
                    for x in mins
                )
                return s / tot
            return k.noisy(rng, base, 0.1)

        m.add("AWS/Lambda", "Duration", d, "Milliseconds", pts, dur, kind="avg")
        m.add(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            pts,
            conc(inv),
            kind="avg",
        )
    led = {t: k.poisson(rng, cb_per_min[t] * 0.95) for t in cb_per_min}
    d = {"FunctionName": fn_ledger}
    m.add("AWS/Lambda", "Invocations", d, "Count", pts, lambda t, p: per(led)(t, p) or None)
    m.add("AWS/Lambda", "Errors", d, "Count", pts, lambda t, p: 0.0 if per(led)(t, p) else None)
    m.add(
        "AWS/Lambda",
        "Duration",
        d,
        "Milliseconds",
        pts,
        lambda t, p: k.noisy(rng, 64, 0.12) if per(led)(t, p) else None,
        kind="avg",
    )
    stm = {t: (1 if t.minute == 0 else 0) for t in post_per_min}
    d = {"FunctionName": fn_stmt}
    m.add("AWS/Lambda", "Invocations", d, "Count", pts, lambda t, p: per(stm)(t, p) or None)
    m.add("AWS/Lambda", "Errors", d, "Count", pts, lambda t, p: 0.0 if per(stm)(t, p) else None)
    m.add(
        "AWS/Lambda",
        "Duration",
        d,
        "Milliseconds",
        pts,
        lambda t, p: k.noisy(rng, 2400, 0.15) if per(stm)(t, p) else None,
        kind="avg",
    )

    qd = {"QueueName": queue}
    m.add("AWS/SQS", "NumberOfMessagesSent", qd, "Count", pts, per(cb_per_min))
    m.add("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", pts, per(led))
    m.add(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        pts,
        lambda t, p: float(rng.choice([0, 0, 0, 1])),
        kind="avg",
    )
    m.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        pts,
        lambda t, p: float(rng.randrange(0, 3)),
        kind="avg",
    )
    td = {"TableName": table}
    m.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        pts,
        lambda t, p: per(ok_per_min)(t, p) * 2 + per(cb_per_min)(t, p) + per(led)(t, p),
    )
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        td,
        "Count",
        pts,
        lambda t, p: per(get_per_min)(t, p) * 0.5 + per(cb_per_min)(t, p) * 0.5,
    )
    for op, base in (("GetItem", 3.1), ("PutItem", 5.4), ("UpdateItem", 5.9)):
        m.add(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": op},
            "Milliseconds",
            pts,
            const_noise(base),
            kind="avg",
        )

    # --- alarms ----------------------------------------------------------------------------------
    specs = [
        k.AlarmSpec(
            "rentwise-payments-api-5xx",
            "Payments API 5xx responses. Runbook: https://wiki.rentwise.co.uk/runbooks/payments-api",
            "AWS/ApiGateway",
            "5XXError",
            gw,
            "Sum",
            300,
            2,
            2,
            5.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "rentwise-ob-initiate-errors",
            "Unhandled errors in the open banking initiation function",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_init},
            "Sum",
            300,
            1,
            1,
            3.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "rentwise-payments-api-latency",
            "Payments API average latency above 2s",
            "AWS/ApiGateway",
            "Latency",
            gw,
            "Average",
            300,
            3,
            3,
            2000.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "rentwise-ledger-events-age",
            "Ledger events waiting longer than 10 minutes",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Maximum",
            300,
            2,
            2,
            600.0,
            "GreaterThanThreshold",
        ),
    ]
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    trigger_event = None
    for spec in specs:
        a, h, last = k.evaluate_alarm(
            spec,
            m.series(spec.namespace, spec.metric, spec.dims),
            fine_from,
            now,
            acct,
            REGION,
            [topic],
            day - timedelta(days=rng.randrange(40, 300)),
            rng,
        )
        alarms.append(a)
        history += h
        if spec.name == "rentwise-payments-api-5xx" and last:
            trigger_event = k.alarm_event(a, spec, last, acct, REGION, rng)

    # --- logs and CloudTrail ---------------------------------------------------------------------
    logs = k.Logs()
    trail = k.Trail(acct, REGION, rng)
    log_from = k.floor_min(change) - timedelta(minutes=50)

    class Env:
        def __init__(self, fn: str, born: datetime, post: bool) -> None:
            self.fn = fn
            self.stream = k.lambda_stream(rng, born)
            self.born = born
            self.post = post
            self.cold = True
            self.has_secret = False

    def secret_read(fn: str, t: datetime, secret: str, ok: bool) -> None:
        p = fn_p[fn]
        err = None if ok else ("AccessDenied", "Access to KMS is not allowed")
        trail.add(
            p,
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": secret.split(":secret:")[1].rsplit("-", 1)[0]},
            None,
            True,
            err,
            session_created=t - timedelta(seconds=rng.randrange(1, 3)),
        )
        kerr = None
        if not ok:
            kerr = (
                "AccessDenied",
                f"User: {p.identity['arn']} is not authorized to perform: kms:Decrypt on resource: {key_arn} "
                "because no resource-based policy allows the kms:Decrypt action",
            )
        trail.add(
            p,
            t + timedelta(milliseconds=30),
            "kms.amazonaws.com",
            "Decrypt",
            {
                "encryptionContext": {"SecretARN": secret, "SecretVersionId": ver_of[secret]},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            None,
            True,
            kerr,
            [{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
            invoked_by="secretsmanager.amazonaws.com",
            session_created=t - timedelta(seconds=2),
        )

    ver_of = {s: k.uid(rng) for s in (secret_client, secret_hook, secret_smtp)}
    old_init = [Env(fn_init, log_from - timedelta(minutes=rng.randrange(20, 200)), False) for _ in range(4)]
    old_cb = [Env(fn_cb, log_from - timedelta(minutes=rng.randrange(20, 200)), False) for _ in range(2)]
    for e in old_init + old_cb:
        e.cold = False
        e.has_secret = True
        # the environment fetched its secret when it started (within the window only if it started after start)
        if e.born > start:
            secret_read(
                e.fn,
                e.born + timedelta(milliseconds=rng.randrange(300, 900)),
                secret_client if e.fn == fn_init else secret_hook,
                True,
            )
    new_init: list[Env] = []
    new_cb: list[Env] = []
    mem = {fn_init: 512, fn_cb: 256}
    arn_of = {f: f"arn:aws:lambda:{REGION}:{acct}:function:{f}" for f in (fn_init, fn_cb, fn_ledger, fn_stmt)}

    def invoke(env: Env, t: datetime, kind: str) -> None:
        req = k.uid(rng)
        trace = f"1-{int(t.timestamp()):08x}-{k.hexs(rng, 24)}"
        g = f"/aws/lambda/{env.fn}"
        init_ms = None
        if env.cold:
            init_ms = rng.uniform(380, 560)
            logs.add(
                g,
                env.stream,
                t - timedelta(milliseconds=int(init_ms) + 5),
                "INIT_START Runtime Version: nodejs:20.v32\tRuntime Version ARN: arn:aws:lambda:eu-west-2::runtime:"
                + k.hexs(rng, 64),
            )
        logs.add(g, env.stream, t, f"START RequestId: {req} Version: $LATEST")
        base = {
            "timestamp": k.iso_ms(t + timedelta(milliseconds=rng.randrange(5, 40))),
            "service": "ob-initiate" if env.fn == fn_init else "ob-callback",
            "cold_start": env.cold,
            "function_arn": arn_of[env.fn],
            "function_memory_size": str(mem[env.fn]),
            "function_name": env.fn,
            "function_request_id": req,
            "xray_trace_id": trace,
            "sampling_rate": 0,
        }
        dur = 0.0
        secret = secret_client if env.fn == fn_init else secret_hook
        if kind in ("post", "cb") and not env.has_secret:
            ok = not (env.post and env.fn == fn_init)
            secret_read(env.fn, t + timedelta(milliseconds=12), secret, ok)
            env.has_secret = ok
            if not ok:
                err = {
                    "level": "ERROR",
                    "message": "could not load payment provider credentials",
                    **base,
                    "secret_id": "prod/rentwise/ob-provider-client",
                    "timestamp": k.iso_ms(t + timedelta(milliseconds=70)),
                    "error": {
                        "name": "AccessDeniedException",
                        "location": "file:///var/task/index.mjs:2:48817",
                        "message": "Access to KMS is not allowed",
                        "stack": "AccessDeniedException: Access to KMS is not allowed\n"
                        "    at de_AccessDeniedExceptionRes (file:///var/task/index.mjs:2:48817)\n"
                        "    at de_CommandError (file:///var/task/index.mjs:2:46102)\n"
                        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
                        "    at async file:///var/task/index.mjs:1:102977\n"
                        "    at async getProviderClient (file:///var/task/index.mjs:14:3310)",
                    },
                }
                logs.add(
                    g,
                    env.stream,
                    t + timedelta(milliseconds=70),
                    f"{k.iso_ms(t + timedelta(milliseconds=70))}\t{req}\tERROR\t{json.dumps(err)}",
                )
                warn = {
                    "level": "WARN",
                    "message": "responding 503 provider_unavailable",
                    **base,
                    "path": "/payments",
                    "status": 503,
                    "timestamp": k.iso_ms(t + timedelta(milliseconds=80)),
                }
                logs.add(
                    g,
                    env.stream,
                    t + timedelta(milliseconds=80),
                    f"{k.iso_ms(t + timedelta(milliseconds=80))}\t{req}\tWARN\t{json.dumps(warn)}",
                )
                dur = rng.uniform(80, 120)
        if not dur:
            if kind == "post":
                dur = rng.gauss(540, 60)
                r = rng.random()
                if r < 0.012:
                    msg = {
                        "level": "WARN",
                        "message": "provider returned 429, retrying in 250ms",
                        **base,
                        "attempt": 1,
                    }
                    lvl = "WARN"
                else:
                    msg = {
                        "level": "INFO",
                        "message": "payment initiated",
                        **base,
                        "payment_id": f"pay_{k.alnum(rng, 20, False)}",
                        "tenancy_ref": f"TN-{rng.randrange(100000, 999999)}",
                        "amount_minor": rng.randrange(45000, 260000),
                        "currency": "GBP",
                        "provider_status": "AUTHORISATION_REQUIRED",
                    }
                    lvl = "INFO"
            elif kind == "get":
                dur = rng.gauss(31, 5)
                msg = {}
                lvl = "INFO"
            else:
                dur = rng.gauss(85, 12)
                if rng.random() < 0.01:
                    msg = {
                        "level": "WARN",
                        "message": "duplicate webhook delivery ignored",
                        **base,
                        "event": "payment.executed",
                    }
                    lvl = "WARN"
                else:
                    msg = {
                        "level": "INFO",
                        "message": "webhook accepted",
                        **base,
                        "event": rng.choice(["payment.executed", "payment.executed", "payment.settled"]),
                        "queued": queue,
                    }
                    lvl = "INFO"
            if msg:
                msg["timestamp"] = k.iso_ms(t + timedelta(milliseconds=int(dur * 0.7)))
                logs.add(
                    g,
                    env.stream,
                    t + timedelta(milliseconds=int(dur * 0.7)),
                    f"{msg['timestamp']}\t{req}\t{lvl}\t{json.dumps(msg)}",
                )
        end = t + timedelta(milliseconds=int(dur) + 1)
        logs.add(g, env.stream, end, f"END RequestId: {req}")
        logs.add(
            g,
            env.stream,
            end,
            k.lambda_report(req, max(dur, 3.0), mem[env.fn], rng.randrange(92, 118), init_ms),
        )
        env.cold = False

    t = log_from
    while t < now:
        frac = frac_new(t)
        jobs = [("post", i) for i in range(post_per_min[t])] + [("get", i) for i in range(get_per_min[t])]
        fails = fail_per_min[t]
        for kind, _ in jobs:
            at = t + timedelta(milliseconds=rng.randrange(0, 59000))
            if at >= now:
                continue
            if kind == "post" and fails > 0:
                fails -= 1
                pool = [e for e in new_init]
                if not pool or (len(new_init) < 6 and rng.random() < 0.12):
                    new_init.append(Env(fn_init, at, True))
                    pool = new_init
                invoke(rng.choice(pool), at, kind)
            elif kind == "get" and rng.random() < frac and new_init:
                invoke(rng.choice(new_init), at, kind)
            else:
                invoke(rng.choice(old_init), at, kind)
        for _ in range(cb_per_min[t]):
            at = t + timedelta(milliseconds=rng.randrange(0, 59000))
            if at >= now:
                continue
            if t >= change and (not new_cb or (len(new_cb) < 2 and rng.random() < 0.03)):
                new_cb.append(Env(fn_cb, at, True))
            pool = new_cb if (new_cb and rng.random() < frac) else old_cb
            invoke(rng.choice(pool), at, "cb")
        t += timedelta(minutes=1)

    # statements-render: hourly batch logs (Python runtime), unrelated warning included
    stmt_stream = k.lambda_stream(rng, log_from)
    t = k.floor_min(log_from).replace(minute=0) + timedelta(hours=1)
    while t < now:
        req = k.uid(rng)
        g = f"/aws/lambda/{fn_stmt}"
        logs.add(g, stmt_stream, t, f"START RequestId: {req} Version: $LATEST")
        logs.add(
            g,
            stmt_stream,
            t + timedelta(milliseconds=40),
            f"[INFO]\t{k.iso_ms(t + timedelta(milliseconds=40))}\t{req}\tRendering {rng.randrange(30, 90)} statements for batch {t:%Y%m%d%H}",
        )
        logs.add(
            g,
            stmt_stream,
            t + timedelta(milliseconds=900),
            f"[WARNING]\t{k.iso_ms(t + timedelta(milliseconds=900))}\t{req}\tFont 'Inter-Medium' not found, falling back to DejaVuSans",
        )
        d_ms = rng.uniform(2100, 3100)
        logs.add(g, stmt_stream, t + timedelta(milliseconds=int(d_ms)), f"END RequestId: {req}")
        logs.add(
            g,
            stmt_stream,
            t + timedelta(milliseconds=int(d_ms)),
            k.lambda_report(req, d_ms, 1024, rng.randrange(380, 520)),
        )
        t += timedelta(hours=1)

    # --- CloudTrail: routine activity, the changes ---------------------------------------------
    def key_policy(principals: list[str]) -> dict[str, Any]:
        return {
            "Version": "2012-10-17",
            "Id": "rentwise-app-secrets",
            "Statement": [
                {
                    "Sid": "KeyAdministration",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": f"arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/{REGION}/{sec_role_name}"
                    },
                    "Action": [
                        "kms:Create*",
                        "kms:Describe*",
                        "kms:Enable*",
                        "kms:List*",
                        "kms:Put*",
                        "kms:Update*",
                        "kms:Revoke*",
                        "kms:Disable*",
                        "kms:Get*",
                        "kms:Delete*",
                        "kms:TagResource",
                        "kms:UntagResource",
                        "kms:ScheduleKeyDeletion",
                        "kms:CancelKeyDeletion",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "SecretsManagerUse",
                    "Effect": "Allow",
                    "Principal": {"AWS": principals},
                    "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
                            "kms:CallerAccount": acct,
                        }
                    },
                },
            ],
        }

    users_after = [
        f"arn:aws:iam::{acct}:role/{role[fn_cb]}",
        f"arn:aws:iam::{acct}:role/{role[fn_stmt]}",
        f"arn:aws:iam::{acct}:role/{ci_role}",
    ]
    new_policy = key_policy(users_after)
    data_policy = {
        "Version": "2012-10-17",
        "Id": "rentwise-data-at-rest",
        "Statement": [
            new_policy["Statement"][0],
            {
                "Sid": "DynamoDBAndSQSUse",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [f"arn:aws:iam::{acct}:role/{role[f]}" for f in (fn_init, fn_cb, fn_ledger)]
                },
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {
                    "StringLike": {
                        "kms:ViaService": [f"dynamodb.{REGION}.amazonaws.com", f"sqs.{REGION}.amazonaws.com"]
                    }
                },
            },
        ],
    }

    def ev(
        who: k.Principal,
        t: datetime,
        src: str,
        name: str,
        params: dict[str, Any] | None,
        resp: Any = None,
        ro: bool = False,
        **kw: Any,
    ) -> dict[str, Any]:
        return trail.add(who, t, src, name, params, resp, ro, **kw)

    ses = change - timedelta(minutes=38)
    sec_p.agent = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/kms.get-key-policy"
    ev(
        sec_p,
        change - timedelta(minutes=34, seconds=12),
        "kms.amazonaws.com",
        "ListAliases",
        {"limit": 100},
        ro=True,
        session_created=ses,
    )
    ev(
        sec_p,
        change - timedelta(minutes=33, seconds=40),
        "kms.amazonaws.com",
        "GetKeyPolicy",
        {"keyId": data_key_id, "policyName": "default"},
        ro=True,
        session_created=ses,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": data_key_arn}],
    )
    sec_p.agent = cli
    ev(
        sec_p,
        change - timedelta(minutes=27, seconds=3),
        "kms.amazonaws.com",
        "PutKeyPolicy",
        {
            "keyId": data_key_id,
            "policyName": "default",
            "policy": json.dumps(data_policy, indent=4),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        session_created=ses,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": data_key_arn}],
    )
    sec_p.agent = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/kms.get-key-policy"
    ev(
        sec_p,
        change - timedelta(minutes=4, seconds=50),
        "kms.amazonaws.com",
        "GetKeyPolicy",
        {"keyId": key_id, "policyName": "default"},
        ro=True,
        session_created=ses,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    sec_p.agent = cli
    culprit = ev(
        sec_p,
        change,
        "kms.amazonaws.com",
        "PutKeyPolicy",
        {
            "keyId": key_id,
            "policyName": "default",
            "policy": json.dumps(new_policy, indent=4),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        session_created=ses,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    sec_p.agent = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/kms.describe-key"
    ev(
        sec_p,
        change + timedelta(seconds=41),
        "kms.amazonaws.com",
        "DescribeKey",
        {"keyId": key_id},
        ro=True,
        session_created=ses,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )

    # a harmless IAM change to the initiation role, just before the first failures
    init_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadProviderSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_client,
            },
            {"Sid": "DecryptSecret", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
            {
                "Sid": "Payments",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                "Resource": f"arn:aws:dynamodb:{REGION}:{acct}:table/{table}",
            },
            {
                "Sid": "PaymentEvents",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": f"arn:aws:sqs:{REGION}:{acct}:rentwise-payment-audit",
            },
        ],
    }
    iam_ch = first_fail - timedelta(minutes=rng.randrange(3, 6), seconds=rng.randrange(60))
    dev_p.agent = "AWS Internal"
    ev(
        dev_p,
        iam_ch - timedelta(minutes=2),
        "iam.amazonaws.com",
        "GetRolePolicy",
        {"roleName": role[fn_init], "policyName": "runtime"},
        ro=True,
    )
    ev(
        dev_p,
        iam_ch,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {
            "roleName": role[fn_init],
            "policyName": "runtime",
            "policyDocument": json.dumps(init_policy, indent=4),
        },
    )
    ev(
        dev_p,
        iam_ch + timedelta(seconds=50),
        "iam.amazonaws.com",
        "GetRolePolicy",
        {"roleName": role[fn_init], "policyName": "runtime"},
        ro=True,
    )
    # CI: statements renderer memory bump after the first failures; ledger writer deploy in the morning
    stmt_ch = first_fail + timedelta(minutes=rng.randrange(5, 12), seconds=rng.randrange(60))
    stmt_rev = k.uid(rng)
    ev(
        ci_p,
        stmt_ch,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn_stmt, "memorySize": 1536, "timeout": 120},
        {
            "functionName": fn_stmt,
            "functionArn": arn_of[fn_stmt],
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{acct}:role/{role[fn_stmt]}",
            "handler": "render.handler",
            "codeSize": 18733912,
            "timeout": 120,
            "memorySize": 1536,
            "lastModified": stmt_ch.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "revisionId": stmt_rev,
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
    )
    dep = change - timedelta(hours=rng.randrange(2, 4), minutes=rng.randrange(60))
    led_sha = k.hexs(rng, 44)
    ev(
        ci_p,
        dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": fn_ledger, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": fn_ledger,
            "functionArn": arn_of[fn_ledger],
            "codeSha256": led_sha,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
    )
    ev(
        ci_p,
        dep + timedelta(seconds=9),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": fn_ledger},
        ro=True,
    )
    ev(
        ci_p,
        dep + timedelta(seconds=20),
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": fn_ledger, "codeSha256": led_sha},
        {"functionName": fn_ledger, "version": "57", "codeSha256": led_sha},
    )
    ev(
        ci_p,
        dep + timedelta(seconds=24),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": fn_ledger, "name": "live", "functionVersion": "57"},
        {"aliasArn": f"{arn_of[fn_ledger]}:live", "name": "live", "functionVersion": "57"},
    )
    # parameter store change, unrelated feature flag, near the onset
    pp = first_fail + timedelta(minutes=rng.randrange(14, 22))
    ev(
        dev_p,
        pp,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/rentwise/prod/features/statement-v2-template",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": 4, "tier": "Standard"},
    )
    # console browsing by the on-call SRE and the developer; read-only
    sre_ses = now - timedelta(minutes=rng.randrange(25, 40))
    for i, (src_, name_, params_) in enumerate(
        [
            ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn_init}),
            ("lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", {"functionName": fn_init}),
            ("apigateway.amazonaws.com", "GetRestApis", {"limit": 500}),
            ("apigateway.amazonaws.com", "GetStages", {"restApiId": api_id}),
            ("secretsmanager.amazonaws.com", "ListSecrets", {"maxResults": 100}),
            ("secretsmanager.amazonaws.com", "DescribeSecret", {"secretId": secret_client}),
            ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/aws/lambda/rentwise"}),
        ]
    ):
        at = sre_ses + timedelta(minutes=i * 2, seconds=rng.randrange(60))
        if at < now:
            ev(sre_p, at, src_, name_, cast(dict[str, Any], params_), ro=True, session_created=sre_ses)
    for _ in range(6):
        at = start + timedelta(minutes=rng.randrange(30, int((now - start).total_seconds() // 60) - 30))
        src_, name_, params_ = rng.choice(
            [
                (
                    "lambda.amazonaws.com",
                    "GetFunction20150331v2",
                    {"functionName": rng.choice([fn_ledger, fn_stmt, fn_cb])},
                ),
                ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
                (
                    "sqs.amazonaws.com",
                    "GetQueueAttributes",
                    {
                        "queueUrl": f"https://sqs.{REGION}.amazonaws.com/{acct}/{queue}",
                        "attributeNames": ["All"],
                    },
                ),
                ("cloudwatch.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "rentwise-"}),
            ]
        )
        ev(dev_p, at, src_, name_, cast(dict[str, Any], params_), ro=True)
    # statements renderer reads its SMTP secret at each cold start (still allowed by the key policy)
    for hr in range(3):
        at = start + timedelta(hours=1 + hr * 2, minutes=rng.randrange(0, 3), seconds=rng.randrange(60))
        secret_read(fn_stmt, at, secret_smtp, True)
    # --- resources -------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randrange(200, 500))
    res: list[dict[str, Any]] = []

    def r(service: str, type_: str, item: dict[str, Any]) -> None:
        res.append({"service": service, "type": type_, "item": item})

    r(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": key_id,
            "Arn": key_arn,
            "CreationDate": k.iso(created),
            "Enabled": True,
            "Description": "Rentwise application secrets (Secrets Manager)",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )
    r(
        "kms",
        "KeyPolicy",
        {"KeyId": key_id, "PolicyName": "default", "Policy": json.dumps(new_policy, indent=4)},
    )
    r(
        "kms",
        "AliasListEntry",
        {
            "AliasName": "alias/rentwise-app-secrets",
            "AliasArn": f"arn:aws:kms:{REGION}:{acct}:alias/rentwise-app-secrets",
            "TargetKeyId": key_id,
            "CreationDate": k.iso(created),
            "LastUpdatedDate": k.iso(created),
        },
    )
    r(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": data_key_id,
            "Arn": data_key_arn,
            "CreationDate": k.iso(created + timedelta(days=3)),
            "Enabled": True,
            "Description": "Rentwise data at rest (DynamoDB, SQS)",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )
    r(
        "kms",
        "KeyPolicy",
        {"KeyId": data_key_id, "PolicyName": "default", "Policy": json.dumps(data_policy, indent=4)},
    )
    r(
        "kms",
        "AliasListEntry",
        {
            "AliasName": "alias/rentwise-data-at-rest",
            "AliasArn": f"arn:aws:kms:{REGION}:{acct}:alias/rentwise-data-at-rest",
            "TargetKeyId": data_key_id,
            "CreationDate": k.iso(created),
            "LastUpdatedDate": k.iso(created),
        },
    )
    for arn, name, desc, rotated in (
        (
            secret_client,
            "prod/rentwise/ob-provider-client",
            "Open banking provider OAuth client credentials",
            False,
        ),
        (secret_hook, "prod/rentwise/ob-webhook-signing", "Open banking webhook signing secret", False),
        (secret_smtp, "prod/rentwise/statements-smtp", "SMTP credentials for tenant statements", False),
    ):
        item: dict[str, Any] = {
            "ARN": arn,
            "Name": name,
            "Description": desc,
            "KmsKeyId": key_arn,
            "RotationEnabled": rotated,
            "LastChangedDate": k.iso(created + timedelta(days=rng.randrange(30, 150))),
            "LastAccessedDate": k.iso(day),
            "CreatedDate": k.iso(created + timedelta(days=1)),
            "Tags": k.tags({"app": "rentwise", "env": "prod"}),
            "SecretVersionsToStages": {ver_of[arn]: ["AWSCURRENT"]},
        }
        if rotated:
            item["RotationLambdaARN"] = (
                f"arn:aws:lambda:{REGION}:{acct}:function:rentwise-webhook-secret-rotator"
            )
            item["RotationRules"] = {"AutomaticallyAfterDays": 30}
        r("secretsmanager", "SecretListEntry", item)

    def fconf(
        fn: str,
        runtime: str,
        handler: str,
        memory: int,
        timeout: int,
        modified: datetime,
        env: dict[str, str],
    ) -> dict[str, Any]:
        return {
            "FunctionName": fn,
            "FunctionArn": arn_of[fn],
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{acct}:role/{role[fn]}",
            "Handler": handler,
            "CodeSize": rng.randrange(900_000, 4_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": k.hexs(rng, 43) + "=",
            "Version": "$LATEST",
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "Active"},
            "RevisionId": k.uid(rng),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        }

    r(
        "lambda",
        "FunctionConfiguration",
        fconf(
            fn_init,
            "nodejs20.x",
            "index.handler",
            512,
            15,
            day - timedelta(days=rng.randrange(6, 20), hours=3),
            {
                "PROVIDER_SECRET_ID": "prod/rentwise/ob-provider-client",
                "PAYMENTS_TABLE": table,
                "POWERTOOLS_SERVICE_NAME": "ob-initiate",
                "PROVIDER_BASE_URL": "https://api.paylink-ob.co.uk/v3",
            },
        ),
    )
    r(
        "lambda",
        "FunctionConfiguration",
        fconf(
            fn_cb,
            "nodejs20.x",
            "index.handler",
            256,
            10,
            day - timedelta(days=rng.randrange(6, 20), hours=5),
            {
                "WEBHOOK_SECRET_ID": "prod/rentwise/ob-webhook-signing",
                "LEDGER_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/{acct}/{queue}",
                "POWERTOOLS_SERVICE_NAME": "ob-callback",
            },
        ),
    )
    r(
        "lambda",
        "FunctionConfiguration",
        fconf(
            fn_ledger,
            "nodejs20.x",
            "index.handler",
            256,
            30,
            dep,
            {"PAYMENTS_TABLE": table, "POWERTOOLS_SERVICE_NAME": "ledger-writer"},
        ),
    )
    cfg = fconf(
        fn_stmt,
        "python3.12",
        "render.handler",
        1536,
        120,
        stmt_ch,
        {"SMTP_SECRET_ID": "prod/rentwise/statements-smtp"},
    )
    cfg["RevisionId"] = stmt_rev
    r("lambda", "FunctionConfiguration", cfg)
    lambda_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    for fn in (fn_init, fn_cb, fn_ledger, fn_stmt):
        r(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": role[fn],
                "RoleId": "AROA" + k.alnum(rng, 17),
                "Arn": f"arn:aws:iam::{acct}:role/{role[fn]}",
                "CreateDate": k.iso(created + timedelta(days=2)),
                "AssumeRolePolicyDocument": json.dumps(lambda_trust),
                "MaxSessionDuration": 3600,
                "RoleLastUsed": {
                    "LastUsedDate": k.iso(now - timedelta(minutes=rng.randrange(1, 5))),
                    "Region": REGION,
                },
            },
        )
    r(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": role[fn_init], "PolicyName": "runtime", "PolicyDocument": init_policy},
    )
    r(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": role[fn_cb],
            "PolicyName": "runtime",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_hook},
                    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": [key_arn, data_key_arn]},
                    {
                        "Effect": "Allow",
                        "Action": ["sqs:SendMessage"],
                        "Resource": f"arn:aws:sqs:{REGION}:{acct}:{queue}",
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:UpdateItem"],
                        "Resource": f"arn:aws:dynamodb:{REGION}:{acct}:table/{table}",
                    },
                ],
            },
        },
    )
    for fn in (fn_init, fn_cb, fn_ledger, fn_stmt):
        r(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": role[fn],
                "PolicyName": "AWSLambdaBasicExecutionRole",
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            },
        )
    r(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "description": "Tenant payments (open banking)",
            "createdDate": k.iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": True,
            "rootResourceId": k.alnum(rng, 10, False),
            "tags": {"app": "rentwise"},
        },
    )
    r(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": k.alnum(rng, 6, False),
            "stageName": "prod",
            "tracingEnabled": True,
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 500,
                    "throttlingRateLimit": 200.0,
                }
            },
            "createdDate": k.iso(created),
            "lastUpdatedDate": k.iso(day - timedelta(days=rng.randrange(6, 30))),
        },
    )
    r(
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
            "TableSizeBytes": rng.randrange(10**8, 10**9),
            "ItemCount": rng.randrange(10**5, 10**6),
            "TableArn": f"arn:aws:dynamodb:{REGION}:{acct}:table/{table}",
            "TableId": k.uid(rng),
            "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": data_key_arn},
            "DeletionProtectionEnabled": True,
        },
    )
    r(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{acct}/{queue}",
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{REGION}:{acct}:{queue}",
                "VisibilityTimeout": "180",
                "KmsMasterKeyId": "alias/rentwise-data-at-rest",
                "KmsDataKeyReusePeriodSeconds": "300",
                "MessageRetentionPeriod": "1209600",
                "ApproximateNumberOfMessages": "0",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{acct}:{queue}-dlq", "maxReceiveCount": 5}
                ),
            },
            "Tags": {"app": "rentwise"},
        },
    )
    for fn in (fn_init, fn_cb, fn_ledger, fn_stmt):
        r(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{fn}",
                "creationTime": k.ms(created),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:/aws/lambda/{fn}:*",
                "storedBytes": rng.randrange(10**7, 10**9),
                "logGroupClass": "STANDARD",
            },
        )
    r(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {
                "TopicArn": topic,
                "DisplayName": "Rentwise on-call",
                "SubscriptionsConfirmed": "2",
            },
        },
    )

    local = first_fail + timedelta(hours=off)
    hh = local.hour % 12 or 12
    mm = (local.minute // 5) * 5
    ampm = "pm" if local.hour >= 12 else "am"
    when = f"{hh}{ampm}" if mm == 0 else f"{hh}:{mm:02d}{ampm}"
    question = (
        f"Tenants paying rent by bank transfer are getting 'payment provider unavailable' and it's been getting worse "
        f"since about {when}. The provider's status page is green and nobody has deployed the payment functions today. "
        f"What's going on?"
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
            "trigger": {"question": question, "alarm_event": trigger_event, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": key_arn,
                    "category": "change",
                    "failure_mode": "kms-key-policy-omits-caller",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [key_id, "alias/rentwise-app-secrets", "rentwise-app-secrets"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"PutKeyPolicy on KMS key alias/rentwise-app-secrets ({key_id}) replaced the policy and left {role[fn_init]} out",
                    f"Secrets Manager GetSecretValue for prod/rentwise/ob-provider-client by {role[fn_init]} fails: Access to KMS is not allowed",
                    f"new {fn_init} environments cannot load the provider credentials (old ones still have them cached) and answer 503",
                    f"{api_name} 5XXError grows as environments are replaced; rentwise-payments-api-5xx alarm",
                ],
            },
        }
    )
    history_sorted = sorted(history, key=lambda item: str(item["Timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history_sorted,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": res,
        },
    )
