"""Application and platform logs with the ordinary background noise every production system has."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.scenarios.account import Instance, Service
from evals.scenarios.baseline import Traffic, poisson
from evals.scenarios.incident import Incident

ROUTES = [
    "GET /api/items",
    "GET /api/items/{id}",
    "POST /api/cart",
    "GET /api/cart",
    "POST /api/orders",
    "GET /api/account",
    "GET /health",
    "PUT /api/profile",
    "GET /api/search",
]
BACKGROUND_ERRORS = [
    ("WARN", "Slow request: {route} took {ms}ms"),
    ("ERROR", "Request validation failed: field 'email' is not a valid address"),
    ("WARN", "JWT expired for session {sid}; client must re-authenticate"),
    ("ERROR", "Upstream call to {third} timed out after 3000ms (attempt 1 of 3), retrying"),
    ("WARN", "Deprecated API version v1 used by client {sid}"),
    ("ERROR", "Payment provider returned 402 card_declined for order {oid}"),
    ("WARN", "Cache miss storm on key prefix 'catalog:' ({n} misses in 10s)"),
    ("ERROR", "Unhandled exception in GET /api/items/{oid}: ValueError: invalid literal for int()"),
    ("WARN", "HikariPool-1 - Connection is not available, request timed out after 1000ms (retry ok)"),
]
THIRD_PARTIES = ["api.stripe.com", "hooks.slack.com", "api.sendgrid.com", "maps.googleapis.com"]


def style(inc: Incident, svc: Service) -> str:
    if svc.name not in inc.log_style:
        inc.log_style[svc.name] = inc.rng.choice(["json", "text"])
    return inc.log_style[svc.name]


def app_line(
    inc: Incident, svc: Service, inst: Instance, when: datetime, level: str, message: str, **fields: object
) -> None:
    """One application log line, in the format this service logs in (JSON or plain text)."""
    if style(inc, svc) == "json":
        body = {
            "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": level,
            "logger": f"{svc.name}.app",
            "message": message,
            **fields,
        }
        text = json.dumps(body, separators=(",", ":"))
    else:
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        text = f"{when:%Y-%m-%d %H:%M:%S},{when.microsecond // 1000:03d} {level:<5} [{svc.name}] {message}"
        text += f" {extra}" if extra else ""
    inc.log(svc.log_group, inst.id, when, text)


def app_logs(inc: Incident, traffic: Traffic) -> None:
    """Request samples, startup lines and background warnings/errors for every web tier's instances."""
    rng, w = inc.rng, inc.window
    for svc in inc.account.services:
        peak = max(traffic.rpm[svc.name]) or 1.0
        err_rate = rng.uniform(0.05, 0.25)  # background errors per instance-minute at peak
        for inst in svc.instances:
            if inst.launched >= w.start:
                app_line(
                    inc,
                    svc,
                    inst,
                    inst.launched + timedelta(seconds=rng.randrange(40, 90)),
                    "INFO",
                    f"Started {svc.name} in {rng.uniform(8, 25):.1f}s (pid {rng.randrange(900, 4000)})",
                )
            for i, when in w.grid():
                if not inst.alive(when):
                    continue
                load = traffic.rpm[svc.name][i] / peak
                for _ in range(poisson(rng, 1.2 * load)):
                    t = when + timedelta(milliseconds=rng.randrange(60000))
                    route = rng.choice(ROUTES)
                    ms = max(2, int(rng.lognormvariate(3.4, 0.6)))
                    app_line(
                        inc, svc, inst, t, "INFO", f"{route} 200 {ms}ms", request_id=inc.account.ids.uuid()
                    )
                for _ in range(poisson(rng, err_rate * load)):
                    t = when + timedelta(milliseconds=rng.randrange(60000))
                    level, template = rng.choice(BACKGROUND_ERRORS)
                    msg = template.format(
                        route=rng.choice(ROUTES),
                        ms=rng.randrange(1200, 4000),
                        sid=inc.account.ids.hex(8),
                        third=rng.choice(THIRD_PARTIES),
                        oid=rng.randrange(10**6, 10**7),
                        n=rng.randrange(200, 900),
                    )
                    app_line(inc, svc, inst, t, level, msg)


def rds_error_log_line(when: datetime, thread: int, level: str, code: str, message: str) -> str:
    """A line of Aurora MySQL 3's error log (MySQL 8 format)."""
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond:06d}Z {thread} [{level}] [{code}] [Server] {message}"


def aborted_connection(inc: Incident, when: datetime, host: str, reason: str | None = None) -> str:
    """MySQL's note when a client vanishes without closing its connection."""
    schema = inc.account.product.replace("-", "_")
    why = reason or "Got an error reading communication packets"
    thread = inc.rng.randrange(1000, 900000)
    message = f"Aborted connection {thread} to db: '{schema}' user: 'app' host: '{host}' ({why})."
    return rds_error_log_line(when, thread, "Note", "MY-010914", message)


def rds_logs(inc: Incident) -> None:
    """The Aurora error log's ordinary chatter, and a few slow queries when that log is exported."""
    rng, w, acct = inc.rng, inc.window, inc.account
    db = acct.database
    hosts = [i.private_ip for i in acct.instances()]
    for member in db.members:
        group = f"/aws/rds/cluster/{db.cluster_id}/error"
        t = w.start + timedelta(seconds=rng.randrange(60, 1200))
        while t < w.now:
            kind = rng.random()
            if kind < 0.6:
                line = aborted_connection(inc, t, rng.choice(hosts))
            elif kind < 0.8:
                line = rds_error_log_line(
                    t,
                    0,
                    "Warning",
                    "MY-010055",
                    f"IP address '{rng.choice(hosts)}' could not be resolved: Name or service not known",
                )
            else:
                line = rds_error_log_line(
                    t,
                    rng.randrange(1000, 90000),
                    "Note",
                    "MY-010926",
                    "Access denied for user 'readonly'@'10.%' (using password: YES)",
                )
            inc.log(group, member, t, line)
            t += timedelta(seconds=rng.randrange(300, 2400))
        if "slowquery" in acct.db_log_exports:
            group = f"/aws/rds/cluster/{db.cluster_id}/slowquery"
            for _ in range(rng.randrange(3, 12)):
                t = w.between(rng, w.start, w.now)
                qt = rng.uniform(1.0, 6.0)
                inc.log(
                    group,
                    member,
                    t,
                    (
                        f"# Time: {t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z\n"
                        f"# User@Host: app[app] @  [{rng.choice(hosts)}]  Id: {rng.randrange(1000, 90000)}\n"
                        f"# Query_time: {qt:.6f}  Lock_time: 0.000{rng.randrange(10, 99)} "
                        f"Rows_sent: {rng.randrange(1, 500)}  Rows_examined: {rng.randrange(10**4, 10**6)}\n"
                        f"SET timestamp={int(t.timestamp())};\n"
                        "SELECT o.* FROM orders o JOIN order_items i ON i.order_id = o.id "
                        f"WHERE o.created_at > '{(t - timedelta(days=30)):%Y-%m-%d}' ORDER BY o.created_at DESC;"
                    ),
                )


def lambda_stream(inc: Incident, when: datetime) -> str:
    return f"{when:%Y/%m/%d}/[$LATEST]{inc.account.ids.hex(32)}"


def lambda_logs(inc: Incident) -> None:
    """START/END/REPORT for a sample of invocations, plus the odd handled error, per function."""
    rng, w = inc.rng, inc.window
    for fn in inc.account.functions:
        stream = lambda_stream(inc, w.start)
        inv = inc.get("AWS/Lambda", "Invocations", FunctionName=fn.name).values
        dur = inc.get("AWS/Lambda", "Duration", FunctionName=fn.name).values
        for i, when in w.grid():
            if i % 3 or not inv[i]:
                continue
            if rng.random() < 0.05:
                stream = lambda_stream(inc, when)  # a new execution environment
            rid = inc.account.ids.uuid()
            t = when + timedelta(milliseconds=rng.randrange(50000))
            ms = dur[i] or 100.0
            inc.log(fn.log_group, stream, t, f"START RequestId: {rid} Version: $LATEST")
            if rng.random() < 0.03:
                inc.log(
                    fn.log_group,
                    stream,
                    t + timedelta(milliseconds=ms / 2),
                    f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z\t{rid}\tWARN\tRetrying downstream "
                    "call after ECONNRESET",
                )
            end = t + timedelta(milliseconds=ms)
            inc.log(fn.log_group, stream, end, f"END RequestId: {rid}")
            inc.log(
                fn.log_group,
                stream,
                end,
                f"REPORT RequestId: {rid}\tDuration: {ms:.2f} ms\tBilled Duration: {int(ms) + 1} ms\t"
                f"Memory Size: {fn.memory} MB\tMax Memory Used: {rng.randrange(60, max(61, fn.memory // 2))} MB",
            )
