"""Roamwell host app: hosts see 'not authorised' on most screens after the first one."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zs as k

NAME = "roamwell-host-app-not-authorised"
TITLE = "Hosts bounced with 'not authorised' in the Roamwell host app since mid-afternoon"
SUMMARY = (
    "Result caching switched on for a REST API's token authorizer whose policies allow only the exact method "
    "ARN; after the next stage deployment most follow-up requests in a session get 403."
)

REGION = "eu-central-1"
UTC_OFFSET = 2  # CEST

ROUTES = [
    # (method, resource path, function, weight)
    ("GET", "/listings", "roamwell-host-listings", 20),
    ("PUT", "/listings/{listingId}", "roamwell-host-listings", 5),
    ("GET", "/bookings", "roamwell-host-bookings", 20),
    ("GET", "/bookings/{bookingId}", "roamwell-host-bookings", 18),
    ("POST", "/bookings/{bookingId}/confirm", "roamwell-host-bookings", 4),
    ("GET", "/payouts", "roamwell-host-payouts", 10),
    ("GET", "/messages", "roamwell-host-messages", 15),
    ("POST", "/messages/{threadId}", "roamwell-host-messages", 8),
]


def _concrete(rng: random.Random, path: str) -> str:
    return (
        path.replace("{listingId}", f"lst_{k.alnum(rng, 10)}")
        .replace("{bookingId}", f"bk_{k.alnum(rng, 10)}")
        .replace("{threadId}", f"th_{k.alnum(rng, 10)}")
    )


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account_id(rng)
    day = k.pick_day(rng, 2024, (5, 6, 7, 8, 9), (0, 1, 2, 3))
    onset = day + timedelta(hours=13, minutes=rng.randint(2, 40), seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=5)).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(48, 58))).replace(second=0)
    fine_from = start
    points = k.grid(start, now, fine_from)

    api_id = k.alnum(rng, 10)
    auth_id = k.alnum(rng, 6)
    new_dep = k.alnum(rng, 6)
    api_name = "roamwell-host-api"
    stage = "prod"
    ttl_change = onset - timedelta(minutes=rng.randint(14, 33), seconds=rng.randint(0, 59))
    payouts_deploy = onset - timedelta(minutes=2, seconds=rng.randint(5, 50))
    engineer = rng.choice(["jana.okafor", "lukas.brenner", "mira.santos", "tobias.heller"])
    engineer2 = rng.choice(["femke.devries", "ole.lindqvist", "anna.ricci"])

    # --- simulate host sessions ------------------------------------------------------------------
    reqs: list[dict[str, Any]] = []
    t = start
    weights = [r[3] for r in ROUTES]
    while t < now:
        local = k.diurnal(t, UTC_OFFSET, 16.5, 0.15)
        n_sessions = sum(1 for _ in range(6) if rng.random() < 0.27 * local * 0.85)
        for _ in range(n_sessions):
            s_t = t + timedelta(seconds=rng.uniform(0, 60))
            host = f"host_{rng.randint(1000, 9999)}"
            token_id = k.hexs(rng, 12)
            n_req = rng.randint(3, 9)
            first = rng.choice([0, 2, 2, 6])
            for i in range(n_req):
                if s_t >= now:
                    break
                ri = first if i == 0 else rng.choices(range(len(ROUTES)), weights)[0]
                reqs.append({"t": s_t, "route": ri, "host": host, "token": token_id, "ip": _ip(rng), "n": i})
                s_t += timedelta(seconds=rng.uniform(4, 48))
        t += timedelta(minutes=1)
    reqs.sort(key=lambda r: (r["t"], r["token"]))

    cache: dict[str, tuple[str, datetime]] = {}
    access: list[dict[str, Any]] = []
    auth_calls: list[tuple[datetime, str, float, bool, bool]] = []
    backend_calls: list[tuple[datetime, str, float, int, str]] = []
    warm_auth: dict[str, datetime] = {}
    for r in reqs:
        rt: datetime = r["t"]
        method, path, fn, _ = ROUTES[r["route"]]
        concrete = _concrete(rng, path)
        marn = f"arn:aws:execute-api:{REGION}:{acct}:{api_id}/{stage}/{method}{concrete}"
        token = str(r["token"])
        status = 200 if method == "GET" else 201 if method == "POST" else 200
        auth_lat: float | None = None
        integ_lat: float | None = None
        err_msg = "-"
        err_type = "-"
        auth_status = "-"
        cached_ttl = rt >= onset
        entry = cache.get(token)
        if cached_ttl and entry and entry[1] > rt:
            if entry[0] != marn:
                status, err_msg, err_type = (
                    403,
                    "User is not authorized to access this resource",
                    "ACCESS_DENIED",
                )
        else:
            expired_token = rng.random() < 0.012
            cold = rng.random() < 0.05 or (rt - warm_auth.get("x", start)).total_seconds() > 600
            warm_auth["x"] = rt
            auth_lat = rng.uniform(28, 95) + (rng.uniform(320, 520) if cold else 0)
            auth_calls.append((rt, str(r["host"]), auth_lat, cold, expired_token))
            auth_status = "200"
            if expired_token:
                status, err_msg, err_type, auth_status = 401, "Unauthorized", "UNAUTHORIZED", "401"
            elif cached_ttl:
                cache[token] = (marn, rt + timedelta(seconds=300))
        if status in (200, 201):
            base = {
                "roamwell-host-listings": 60,
                "roamwell-host-bookings": 85,
                "roamwell-host-payouts": 140,
                "roamwell-host-messages": 45,
            }[fn]
            integ_lat = max(8.0, rng.gauss(base, base * 0.35))
            if rng.random() < 0.01 and method == "GET" and "{" in path:
                status = 404
            if rng.random() < 0.0015:
                status = 502
            backend_calls.append((rt, fn, integ_lat, status, f"{method} {path}"))
        total = (auth_lat or rng.uniform(2, 7)) + (integ_lat or 0) + rng.uniform(3, 12)
        access.append(
            {
                "t": rt,
                "requestId": k.uid(rng),
                "ip": r["ip"],
                "method": method,
                "path": path,
                "status": status,
                "len": {
                    200: rng.randint(400, 9000),
                    201: rng.randint(80, 400),
                    401: 26,
                    403: 60,
                    404: 31,
                    502: 36,
                }[status],
                "integ": integ_lat,
                "auth": auth_lat,
                "auth_status": auth_status,
                "principal": "-" if status == 401 else r["host"],
                "err": err_msg,
                "err_type": err_type,
                "latency": total,
                "route": r["route"],
            }
        )

    # --- metrics ---------------------------------------------------------------------------------
    M = k.Metrics()

    by_min: dict[datetime, list[dict[str, Any]]] = {}
    for a in access:
        a_t: datetime = a["t"]
        by_min.setdefault(a_t.replace(second=0, microsecond=0), []).append(a)
    api_dims = {"ApiName": api_name, "Stage": stage}
    for tt, _ in points:
        rows = by_min.get(tt, [])
        if not rows:
            continue
        n = float(len(rows))
        four = float(sum(1 for a in rows if 400 <= int(a["status"]) < 500))
        five = float(sum(1 for a in rows if int(a["status"]) >= 500))
        ts = k.iso(tt)
        M.rows.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "Count",
                "dimensions": api_dims,
                "timestamp": ts,
                "unit": "Count",
                "value": n,
            }
        )
        M.rows.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "4XXError",
                "dimensions": api_dims,
                "timestamp": ts,
                "unit": "Count",
                "value": four,
            }
        )
        M.rows.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "5XXError",
                "dimensions": api_dims,
                "timestamp": ts,
                "unit": "Count",
                "value": five,
            }
        )
        lats = [float(a["latency"]) for a in rows]
        M.rows.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "Latency",
                "dimensions": api_dims,
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": n,
                    "Sum": round(sum(lats), 2),
                    "Minimum": round(min(lats), 2),
                    "Maximum": round(max(lats), 2),
                },
            }
        )
        il = [float(a["integ"]) for a in rows if a["integ"] is not None]
        if il:
            M.rows.append(
                {
                    "namespace": "AWS/ApiGateway",
                    "metric": "IntegrationLatency",
                    "dimensions": api_dims,
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": float(len(il)),
                        "Sum": round(sum(il), 2),
                        "Minimum": round(min(il), 2),
                        "Maximum": round(max(il), 2),
                    },
                }
            )
        for ri, (method, path, _fn, _w) in enumerate(ROUTES):
            rr = [a for a in rows if a["route"] == ri]
            if not rr:
                continue
            d = {"ApiName": api_name, "Method": method, "Resource": path, "Stage": stage}
            M.rows.append(
                {
                    "namespace": "AWS/ApiGateway",
                    "metric": "Count",
                    "dimensions": d,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(len(rr)),
                }
            )
            M.rows.append(
                {
                    "namespace": "AWS/ApiGateway",
                    "metric": "4XXError",
                    "dimensions": d,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(sum(1 for a in rr if 400 <= int(a["status"]) < 500)),
                }
            )

    fns = [
        "roamwell-host-authorizer",
        "roamwell-host-listings",
        "roamwell-host-bookings",
        "roamwell-host-payouts",
        "roamwell-host-messages",
    ]
    calls: dict[str, dict[datetime, list[tuple[float, bool]]]] = {f: {} for f in fns}
    for at, _h, lat, _cold, bad in auth_calls:
        calls["roamwell-host-authorizer"].setdefault(at.replace(second=0, microsecond=0), []).append(
            (lat - 8, bad)
        )
    for bt, fn, lat, st, _ in backend_calls:
        calls[fn].setdefault(bt.replace(second=0, microsecond=0), []).append((lat - 6, st == 502))
    for fn in fns:
        d = {"FunctionName": fn}
        for tt, _ in points:
            cs = calls[fn].get(tt)
            if not cs:
                continue
            ts = k.iso(tt)
            durs = [max(1.5, c[0]) for c in cs]
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Invocations",
                    "dimensions": d,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(len(cs)),
                }
            )
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Errors",
                    "dimensions": d,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(sum(1 for c in cs if c[1])),
                }
            )
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": d,
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": float(len(durs)),
                        "Sum": round(sum(durs), 2),
                        "Minimum": round(min(durs), 2),
                        "Maximum": round(max(durs), 2),
                    },
                }
            )
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "ConcurrentExecutions",
                    "dimensions": d,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(max(1, min(len(cs), 1 + len(cs) // 6))),
                }
            )
    # the search indexer (another team's function, changed in the window) and the DynamoDB tables
    idx_change = onset - timedelta(minutes=rng.randint(6, 24), seconds=rng.randint(0, 59))
    M.count(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": "roamwell-search-indexer"},
        points,
        lambda tt: k.noisy(rng, 22 * k.diurnal(tt, UTC_OFFSET, 15, 0.3)),
    )
    M.count(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "roamwell-search-indexer"},
        points,
        lambda tt: 0.0,
        sparse=False,
    )
    M.stats(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "roamwell-search-indexer"},
        points,
        lambda tt, st: (
            22 * k.diurnal(tt, UTC_OFFSET, 15, 0.3) * st / 60,
            k.noisy(rng, 410 if tt < idx_change else 265, 0.1),
            120.0,
            k.noisy(rng, 1500, 0.2),
        ),
    )
    for table, rcu, wcu in (
        ("roamwell-listings", 6.0, 0.9),
        ("roamwell-bookings", 9.0, 1.2),
        ("roamwell-host-messages", 4.0, 0.8),
    ):

        def reads(tt: datetime, base: float = rcu) -> float:
            mn = tt.replace(second=0, microsecond=0)
            served = sum(1 for c in by_min.get(mn, []) if int(c["status"]) in (200, 201))
            return k.noisy(rng, base * (0.4 + served / 4), 0.15)

        M.count("AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": table}, points, reads)
        M.count(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": table},
            points,
            lambda tt, w=wcu: k.noisy(  # type: ignore[misc]
                rng, w * (1 + 2 * k.diurnal(tt, UTC_OFFSET, 16, 0.2)), 0.3
            ),
        )
        M.stats(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "Query"},
            points,
            lambda tt, st: (
                max(1.0, 3 * st / 60 * k.diurnal(tt, UTC_OFFSET, 16, 0.3)),
                k.noisy(rng, 4.2, 0.12),
                1.9,
                k.noisy(rng, 18, 0.3),
            ),
        )

    # --- logs ------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    acc_group = f"/aws/apigateway/{api_name}/{stage}-access"
    acc_streams = [k.hexs(rng, 32) for _ in range(3)]
    for a in access:
        acc_t: datetime = a["t"]
        msg = {
            "requestId": a["requestId"],
            "ip": a["ip"],
            "requestTime": acc_t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "httpMethod": a["method"],
            "resourcePath": a["path"],
            "status": str(a["status"]),
            "protocol": "HTTP/1.1",
            "responseLength": str(a["len"]),
            "responseLatency": str(int(float(a["latency"]))),
            "integrationLatency": "-" if a["integ"] is None else str(int(float(a["integ"]))),
            "authorizerLatency": "-" if a["auth"] is None else str(int(float(a["auth"]))),
            "authorizerStatus": a["auth_status"],
            "principalId": a["principal"],
            "errorMessage": a["err"],
            "errorResponseType": a["err_type"],
        }
        logs.append(
            {
                "log_group": acc_group,
                "log_stream": rng.choice(acc_streams),
                "timestamp": k.ms(acc_t) + 40,
                "message": json.dumps(msg, separators=(",", ":")),
            }
        )

    mem = {
        "roamwell-host-authorizer": 256,
        "roamwell-host-listings": 512,
        "roamwell-host-bookings": 512,
        "roamwell-host-payouts": 512,
        "roamwell-host-messages": 384,
    }
    streams: dict[str, list[str]] = {f: [k.lambda_stream(rng, day) for _ in range(3)] for f in fns}
    payouts_new_stream = k.lambda_stream(rng, day)
    for at, host, lat, cold, bad in auth_calls:
        req = k.uid(rng)
        ls_name = rng.choice(streams["roamwell-host-authorizer"])
        t0 = k.ms(at)
        logs.append(
            {
                "log_group": "/aws/lambda/roamwell-host-authorizer",
                "log_stream": ls_name,
                "timestamp": t0,
                "message": f"START RequestId: {req} Version: $LATEST",
            }
        )
        logs.append(
            {
                "log_group": "/aws/lambda/roamwell-host-authorizer",
                "log_stream": ls_name,
                "timestamp": t0 + int(lat * 0.7),
                "message": f"{k.iso_ms(at + timedelta(milliseconds=lat * 0.7))}\t{req}\tINFO\t"
                + (
                    json.dumps(
                        {
                            "level": "INFO",
                            "msg": "token verified",
                            "sub": host,
                            "iss": "https://auth.roamwell.com/",
                            "kid": "rw-2024-03",
                        },
                        separators=(",", ":"),
                    )
                    if not bad
                    else json.dumps(
                        {
                            "level": "WARN",
                            "msg": "token rejected",
                            "reason": "TokenExpiredError: jwt expired",
                        },
                        separators=(",", ":"),
                    )
                ),
            }
        )
        if bad:
            logs.append(
                {
                    "log_group": "/aws/lambda/roamwell-host-authorizer",
                    "log_stream": ls_name,
                    "timestamp": t0 + int(lat * 0.8),
                    "message": f'{k.iso_ms(at + timedelta(milliseconds=lat * 0.8))}\t{req}\tERROR\tInvoke Error \t{{"errorType":"Error","errorMessage":"Unauthorized","stack":["Error: Unauthorized","    at Runtime.handler (/var/task/dist/index.js:1:2817)"]}}',
                }
            )
        logs.append(
            {
                "log_group": "/aws/lambda/roamwell-host-authorizer",
                "log_stream": ls_name,
                "timestamp": t0 + int(lat),
                "message": f"END RequestId: {req}",
            }
        )
        logs.append(
            {
                "log_group": "/aws/lambda/roamwell-host-authorizer",
                "log_stream": ls_name,
                "timestamp": t0 + int(lat),
                "message": k.report_line(
                    req, lat - 8, 256, rng.randint(88, 96), rng.uniform(280, 360) if cold else None
                ),
            }
        )
    for bt, fn, lat, status, route in backend_calls:
        req = k.uid(rng)
        ls_name = (
            payouts_new_stream
            if (fn == "roamwell-host-payouts" and bt > payouts_deploy)
            else rng.choice(streams[fn])
        )
        t0 = k.ms(bt) + int(rng.uniform(20, 90))
        grp = f"/aws/lambda/{fn}"
        logs.append(
            {
                "log_group": grp,
                "log_stream": ls_name,
                "timestamp": t0,
                "message": f"START RequestId: {req} Version: $LATEST",
            }
        )
        if status == 502:
            logs.append(
                {
                    "log_group": grp,
                    "log_stream": ls_name,
                    "timestamp": t0 + int(lat * 0.9),
                    "message": f'{k.iso_ms(bt)}\t{req}\tERROR\tInvoke Error \t{{"errorType":"TimeoutError","errorMessage":"Connection timed out after 1000 ms","stack":["TimeoutError: Connection timed out after 1000 ms","    at Timeout._onTimeout (/var/runtime/node_modules/@smithy/node-http-handler/dist-cjs/index.js:86:19)"]}}',
                }
            )
        elif rng.random() < 0.03:
            logs.append(
                {
                    "log_group": grp,
                    "log_stream": ls_name,
                    "timestamp": t0 + int(lat * 0.5),
                    "message": f"{k.iso_ms(bt)}\t{req}\tWARN\t"
                    + json.dumps(
                        {
                            "level": "WARN",
                            "msg": "slow query",
                            "route": route,
                            "table": "roamwell-bookings" if "booking" in fn else "roamwell-listings",
                            "ms": int(lat * 0.8),
                        },
                        separators=(",", ":"),
                    ),
                }
            )
        logs.append(
            {
                "log_group": grp,
                "log_stream": ls_name,
                "timestamp": t0 + int(lat),
                "message": f"END RequestId: {req}",
            }
        )
        logs.append(
            {
                "log_group": grp,
                "log_stream": ls_name,
                "timestamp": t0 + int(lat),
                "message": k.report_line(req, lat, mem[fn], rng.randint(110, 160)),
            }
        )
    logs.sort(key=lambda e: (str(e["log_group"]), str(e["log_stream"]), int(e["timestamp"])))

    # --- CloudTrail ------------------------------------------------------------------------------
    tr = k.Trail(rng, acct, REGION)
    eng = tr.role("AWSReservedSSO_PlatformEngineer_" + k.hexs(rng, 16), f"{engineer}@roamwell.com", sso=True)
    eng2 = tr.role(
        "AWSReservedSSO_PlatformEngineer_" + k.hexs(random.Random(acct + "pe"), 16),
        f"{engineer2}@roamwell.com",
        sso=True,
    )
    ro = tr.role("AWSReservedSSO_ReadOnly_" + k.hexs(rng, 16), "support.oncall@roamwell.com", sso=True)
    ci = tr.role("gha-deploy-host-api", "GitHubActions")
    ci2 = tr.role("gha-deploy-search", "GitHubActions")
    eng_ip = f"91.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    eng2_ip = f"84.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    ci_ip = f"20.{rng.randint(30, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    auth_arn = f"arn:aws:lambda:{REGION}:{acct}:function:roamwell-host-authorizer"
    auth_uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{auth_arn}/invocations"
    host_ag = f"apigateway.{REGION}.amazonaws.com"
    # routine reads through the morning
    for i in range(14):
        tt = start + timedelta(minutes=rng.randint(5, int((now - start).total_seconds() // 60) - 5))
        who, ip, ua = rng.choice(
            [
                (eng, eng_ip, k.CONSOLE_UA),
                (ro, f"62.{rng.randint(1, 200)}.4.{rng.randint(2, 250)}", k.CONSOLE_UA),
                (eng2, eng2_ip, k.CONSOLE_UA),
            ]
        )
        kind = i % 5
        if kind == 0:
            tr.add(
                tt,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                who,
                {"functionName": rng.choice(fns)},
                None,
                read_only=True,
                ip=ip,
                agent=ua,
            )
        elif kind == 1:
            tr.add(
                tt,
                "apigateway.amazonaws.com",
                "GetRestApis",
                who,
                {"limit": 500, "template": False},
                None,
                read_only=True,
                ip=ip,
                agent=ua,
                host=host_ag,
            )
        elif kind == 2:
            tr.add(
                tt,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                who,
                {"maxRecords": 100},
                None,
                read_only=True,
                ip=ip,
                agent=ua,
                host=f"monitoring.{REGION}.amazonaws.com",
            )
        elif kind == 3:
            tr.add(
                tt,
                "logs.amazonaws.com",
                "StartQuery",
                who,
                {
                    "logGroupNames": [f"/aws/lambda/{rng.choice(fns)}"],
                    "startTime": int(tt.timestamp()) - 3600,
                    "endTime": int(tt.timestamp()),
                    "queryString": "fields @timestamp, @message | sort @timestamp desc | limit 200",
                },
                {"queryId": k.uid(rng)},
                read_only=True,
                ip=ip,
                agent=ua,
                host=f"logs.{REGION}.amazonaws.com",
            )
        else:
            tr.add(
                tt,
                "dynamodb.amazonaws.com",
                "DescribeTable",
                who,
                {"tableName": rng.choice(["roamwell-bookings", "roamwell-listings"])},
                None,
                read_only=True,
                ip=ip,
                agent=ua,
                host=f"dynamodb.{REGION}.amazonaws.com",
            )
    # Lambda's service role assumptions for new execution environments
    for _ in range(10):
        tt = start + timedelta(minutes=rng.randint(1, int((now - start).total_seconds() // 60) - 1))
        fn = rng.choice(fns)
        role = f"{fn}-role"
        tr.add(
            tt,
            "sts.amazonaws.com",
            "AssumeRole",
            k.Trail.service("lambda.amazonaws.com"),
            {"roleArn": f"arn:aws:iam::{acct}:role/{role}", "roleSessionName": fn},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.alnum(rng, 16, upper=True),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + k.alnum(rng, 40),
                    "expiration": (tt + timedelta(hours=12)).strftime("%b %d, %Y, %-I:%M:%S %p"),
                }
            },
            read_only=True,
            resources=[
                {"accountId": acct, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{acct}:role/{role}"}
            ],
            host=None,
        )
    # yesterday's-style CI deploy of the search indexer in the morning, and an alarm tweak
    tr.add(
        start + timedelta(minutes=rng.randint(20, 60)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci2,
        {
            "functionName": "roamwell-search-indexer",
            "s3Bucket": f"roamwell-artifacts-{acct}",
            "s3Key": f"search-indexer/{k.hexs(rng, 40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "roamwell-search-indexer",
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:roamwell-search-indexer",
            "runtime": "nodejs20.x",
            "codeSize": 2211876,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
        read_only=False,
        ip=ci_ip,
        agent=k.SDK_JS_UA.replace("exec-env/AWS_Lambda_nodejs20.x", "").format(api="lambda").strip(),
    )
    # the authorizer change, via the console
    auth_item = {
        "id": auth_id,
        "name": "host-jwt",
        "type": "TOKEN",
        "authType": "custom",
        "authorizerUri": auth_uri,
        "identitySource": "method.request.header.Authorization",
        "authorizerResultTtlInSeconds": 300,
    }
    tr.add(
        ttl_change - timedelta(minutes=3),
        "apigateway.amazonaws.com",
        "GetAuthorizers",
        eng,
        {"restApiId": api_id, "limit": 500, "template": False},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
        host=host_ag,
    )
    tr.add(
        ttl_change - timedelta(minutes=2),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        eng,
        {"functionName": "roamwell-host-authorizer"},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )
    culprit = tr.add(
        ttl_change,
        "apigateway.amazonaws.com",
        "UpdateAuthorizer",
        eng,
        {
            "restApiId": api_id,
            "authorizerId": auth_id,
            "template": False,
            "patch": {
                "patchOperations": [
                    {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "300"}
                ]
            },
        },
        auth_item,
        read_only=False,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
        host=host_ag,
    )
    tr.add(
        ttl_change + timedelta(seconds=40),
        "apigateway.amazonaws.com",
        "GetAuthorizer",
        eng,
        {"restApiId": api_id, "authorizerId": auth_id, "template": False},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
        host=host_ag,
    )
    # innocent: the other team's indexer memory change
    tr.add(
        idx_change,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        eng2,
        {"functionName": "roamwell-search-indexer", "memorySize": 1024},
        {
            "functionName": "roamwell-search-indexer",
            "memorySize": 1024,
            "timeout": 60,
            "runtime": "nodejs20.x",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
        read_only=False,
        ip=eng2_ip,
        agent=k.CONSOLE_UA,
    )
    # CI: payouts code, then the API deployment
    tr.add(
        payouts_deploy - timedelta(seconds=30),
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        {
            "type": "WebIdentityUser",
            "principalId": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:roamwell/host-api:ref:refs/heads/main",
            "userName": "repo:roamwell/host-api:ref:refs/heads/main",
            "identityProvider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
        },
        {
            "roleArn": f"arn:aws:iam::{acct}:role/gha-deploy-host-api",
            "roleSessionName": "GitHubActions",
            "durationSeconds": 3600,
        },
        {
            "assumedRoleUser": {
                "assumedRoleId": "AROA" + k.alnum(rng, 17, upper=True) + ":GitHubActions",
                "arn": f"arn:aws:sts::{acct}:assumed-role/gha-deploy-host-api/GitHubActions",
            },
            "provider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
            "audience": "sts.amazonaws.com",
        },
        read_only=True,
        ip=ci_ip,
        agent="aws-sdk-js/3.554.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.1 api/sts#3.554.0",
        host="sts.amazonaws.com",
    )
    code_sha = k._b64(rng)
    tr.add(
        payouts_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "roamwell-host-payouts",
            "s3Bucket": f"roamwell-artifacts-{acct}",
            "s3Key": f"host-api/payouts/{k.hexs(rng, 40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "roamwell-host-payouts",
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:roamwell-host-payouts",
            "runtime": "nodejs20.x",
            "codeSha256": code_sha,
            "codeSize": 1840233,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
        read_only=False,
        ip=ci_ip,
        agent="aws-sdk-js/3.554.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.1 api/lambda#3.554.0",
        host=f"lambda.{REGION}.amazonaws.com",
    )
    tr.add(
        payouts_deploy + timedelta(seconds=14),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        ci,
        {"functionName": "roamwell-host-payouts"},
        None,
        read_only=True,
        ip=ci_ip,
        agent="aws-sdk-js/3.554.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.1 api/lambda#3.554.0",
    )
    deploy_desc = f"host-api {day:%Y.%m.%d}-{rng.randint(2, 6)} ({k.hexs(rng, 7)})"
    tr.add(
        onset,
        "apigateway.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "restApiId": api_id,
            "template": False,
            "createDeploymentInput": {"stageName": stage, "description": deploy_desc},
        },
        {"id": new_dep, "description": deploy_desc, "createdDate": k.iso(onset)},
        read_only=False,
        ip=ci_ip,
        agent="aws-sdk-js/3.554.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.1 api/api-gateway#3.554.0",
        host=host_ag,
    )
    # after the onset: people looking
    look = onset + timedelta(minutes=rng.randint(22, 34))
    looks: list[tuple[str, dict[str, Any]]] = [
        ("GetStage", {"restApiId": api_id, "stageName": stage, "template": False}),
        ("GetDeployments", {"restApiId": api_id, "limit": 25, "template": False}),
        ("GetFunction20150331v2", {"functionName": "roamwell-host-payouts"}),
    ]
    for j, (ev, params) in enumerate(looks):
        src = "lambda.amazonaws.com" if ev.startswith("GetFunction") else "apigateway.amazonaws.com"
        tr.add(
            look + timedelta(seconds=50 * j),
            src,
            ev,
            ro,
            params,
            None,
            read_only=True,
            ip="62.12.4.77",
            agent=k.CONSOLE_UA,
            host=host_ag if src.startswith("apigateway") else None,
        )
    # a few more innocuous writes during the day
    tr.add(
        start + timedelta(minutes=rng.randint(70, 110)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        eng2,
        {"logGroupName": "/aws/lambda/roamwell-search-indexer", "retentionInDays": 14},
        None,
        read_only=False,
        ip=eng2_ip,
        agent=k.CONSOLE_UA,
        host=f"logs.{REGION}.amazonaws.com",
    )
    tr.add(
        start + timedelta(minutes=rng.randint(30, 60)),
        "ssm.amazonaws.com",
        "PutParameter",
        eng2,
        {"name": "/roamwell/search/indexer/batch-size", "type": "String", "overwrite": True},
        {"version": rng.randint(4, 9), "tier": "Standard"},
        read_only=False,
        ip=eng2_ip,
        agent=k.CLI_UA.format(cmd="ssm.put-parameter"),
        host=f"ssm.{REGION}.amazonaws.com",
    )

    # --- resources -------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 600))
    res: list[dict[str, Any]] = []

    def add(service: str, type_: str, item: dict[str, Any]) -> None:
        res.append({"service": service, "type": type_, "item": item})

    add(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "description": "Host app backend (listings, bookings, payouts, messages)",
            "createdDate": k.iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": k.alnum(rng, 10),
            "tags": {"team": "host-experience", "service": "host-api"},
        },
    )
    add(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": new_dep,
            "stageName": stage,
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 500,
                    "throttlingRateLimit": 250.0,
                    "cachingEnabled": False,
                    "cacheTtlInSeconds": 300,
                    "cacheDataEncrypted": False,
                    "requireAuthorizationForCacheControl": True,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                }
            },
            "accessLogSettings": {
                "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","integrationLatency":"$context.integration.latency","authorizerLatency":"$context.authorizer.latency","authorizerStatus":"$context.authorizer.status","principalId":"$context.authorizer.principalId","errorMessage":"$context.error.message","errorResponseType":"$context.error.responseType"}',
                "destinationArn": f"arn:aws:logs:{REGION}:{acct}:log-group:{acc_group}",
            },
            "tracingEnabled": False,
            "createdDate": k.iso(created + timedelta(days=1)),
            "lastUpdatedDate": k.iso(onset + timedelta(seconds=2)),
            "tags": {"team": "host-experience"},
        },
    )
    add(
        "apigateway",
        "Authorizer",
        {
            "id": auth_id,
            "name": "host-jwt",
            "type": "TOKEN",
            "authType": "custom",
            "authorizerUri": auth_uri,
            "identitySource": "method.request.header.Authorization",
            "authorizerResultTtlInSeconds": 300,
        },
    )
    paths_seen: list[str] = []
    for method, path, fn, _ in ROUTES:
        rid = k.alnum(random.Random(f"{api_id}{path}"), 6)
        methods = sorted({m for m, p, _f, _w in ROUTES if p == path})
        if path not in paths_seen:
            paths_seen.append(path)
            parent = "/" + path.strip("/").rsplit("/", 1)[0] if path.count("/") > 1 else "/"
            add(
                "apigateway",
                "RestApiResource",
                {
                    "restApiId": api_id,
                    "id": rid,
                    "parentId": k.alnum(random.Random(f"{api_id}{parent}"), 6)
                    if parent != "/"
                    else "root" + k.alnum(random.Random(api_id), 6),
                    "pathPart": path.rsplit("/", 1)[1],
                    "path": path,
                    "resourceMethods": {m: {} for m in methods},
                },
            )
        add(
            "apigateway",
            "MethodIntegration",
            {
                "restApiId": api_id,
                "resourceId": rid,
                "httpMethod": method,
                "type": "AWS_PROXY",
                "uri": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:{REGION}:{acct}:function:{fn}/invocations",
                "passthroughBehavior": "WHEN_NO_MATCH",
                "contentHandling": "CONVERT_TO_TEXT",
                "timeoutInMillis": 29000,
                "cacheNamespace": rid,
                "cacheKeyParameters": [],
            },
        )
    for fn in [*fns, "roamwell-search-indexer"]:
        env = {"NODE_OPTIONS": "--enable-source-maps", "POWERTOOLS_SERVICE_NAME": fn.replace("roamwell-", "")}
        if fn == "roamwell-host-authorizer":
            env.update(
                {
                    "JWKS_URI": "https://auth.roamwell.com/.well-known/jwks.json",
                    "ISSUER": "https://auth.roamwell.com/",
                    "AUDIENCE": "host-app",
                }
            )
        elif fn != "roamwell-search-indexer":
            env["TABLE_PREFIX"] = "roamwell-"
        lm = {
            "roamwell-host-payouts": payouts_deploy + timedelta(seconds=3),
            "roamwell-search-indexer": idx_change + timedelta(seconds=2),
        }.get(fn, day - timedelta(days=rng.randint(3, 40)))
        add(
            "lambda",
            "FunctionConfiguration",
            k.function_config(
                acct,
                REGION,
                fn,
                runtime="nodejs20.x",
                handler="dist/index.handler",
                role=f"{fn}-role",
                memory=1024 if fn == "roamwell-search-indexer" else mem.get(fn, 512),
                timeout=60
                if fn == "roamwell-search-indexer"
                else (6 if fn == "roamwell-host-authorizer" else 15),
                last_modified=lm,
                rng=rng,
                env=env,
            ),
        )
        add("iam", "Role", k.role_item(acct, f"{fn}-role", "lambda.amazonaws.com", created, rng))
        add("logs", "LogGroup", k.log_group(acct, REGION, f"/aws/lambda/{fn}", created))
    add("logs", "LogGroup", k.log_group(acct, REGION, acc_group, created, 90))
    for table, pk in (
        ("roamwell-listings", "listingId"),
        ("roamwell-bookings", "bookingId"),
        ("roamwell-host-messages", "threadId"),
    ):
        add(
            "dynamodb",
            "TableDescription",
            {
                "TableName": table,
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "AttributeDefinitions": [
                    {"AttributeName": pk, "AttributeType": "S"},
                    {"AttributeName": "hostId", "AttributeType": "S"},
                ],
                "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "byHost",
                        "KeySchema": [{"AttributeName": "hostId", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                        "IndexStatus": "ACTIVE",
                        "ProvisionedThroughput": {
                            "NumberOfDecreasesToday": 0,
                            "ReadCapacityUnits": 0,
                            "WriteCapacityUnits": 0,
                        },
                        "IndexSizeBytes": rng.randint(10**6, 10**8),
                        "ItemCount": rng.randint(10**4, 10**6),
                        "IndexArn": f"arn:aws:dynamodb:{REGION}:{acct}:table/{table}/index/byHost",
                    }
                ],
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "TableSizeBytes": rng.randint(10**7, 10**9),
                "ItemCount": rng.randint(10**4, 10**6),
                "TableArn": f"arn:aws:dynamodb:{REGION}:{acct}:table/{table}",
                "TableId": k.uid(rng),
                "DeletionProtectionEnabled": True,
            },
        )

    # --- alarms ----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{REGION}:{acct}:host-experience-alerts"
    cfg = created + timedelta(
        days=rng.randint(5, 90), minutes=rng.randint(500, 1000), seconds=rng.randint(0, 59)
    )
    alarms = [
        k.Alarm(
            acct,
            REGION,
            "roamwell-host-api-5xx",
            namespace="AWS/ApiGateway",
            metric="5XXError",
            dims=api_dims,
            statistic="Sum",
            period=300,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=10,
            comparison="GreaterThanOrEqualToThreshold",
            treat_missing="notBreaching",
            description="Host API server errors",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "roamwell-host-api-latency",
            namespace="AWS/ApiGateway",
            metric="Latency",
            dims=api_dims,
            statistic="Average",
            period=300,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            threshold=1500,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Host API average latency above 1.5s",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "roamwell-host-authorizer-errors",
            namespace="AWS/Lambda",
            metric="Errors",
            dims={"FunctionName": "roamwell-host-authorizer"},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=5,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Authorizer function errors",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "roamwell-host-payouts-errors",
            namespace="AWS/Lambda",
            metric="Errors",
            dims={"FunctionName": "roamwell-host-payouts"},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=3,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Payouts function errors",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "roamwell-search-indexer-errors",
            namespace="AWS/Lambda",
            metric="Errors",
            dims={"FunctionName": "roamwell-search-indexer"},
            statistic="Sum",
            period=300,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=5,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Search indexer errors",
            actions=[f"arn:aws:sns:{REGION}:{acct}:search-alerts"],
            configured=cfg,
        ),
    ]
    for alarm in alarms:
        alarm.evaluate(M.rows, start, now, rng)

    question = (
        f"Support says hosts keep getting 'You're not authorised' in the host app since about "
        f"{(onset + timedelta(hours=UTC_OFFSET, minutes=rng.randint(6, 12))).strftime('%-I:%M%p').lower()}. The first screen "
        "usually loads, then opening a booking, payouts or messages fails, and a few minutes later it sometimes works "
        "again. Nothing is paging. What's going on?"
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
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/Berlin"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": auth_id,
                    "category": "change",
                    "failure_mode": "authorizer-cache-with-method-scoped-policy",
                    "event_id": culprit,
                },
                "also_accept": [
                    "host-jwt",
                    f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/authorizers/{auth_id}",
                ],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"Authorizer host-jwt ({auth_id}) on {api_name} had its result TTL raised from 0 to 300 seconds",
                    f"The next deployment of stage {stage} ({new_dep}) made the cached policies live",
                    "roamwell-host-authorizer returns a policy that allows only the method ARN it was called for",
                    "Later requests with the same token within five minutes hit the cached policy and get 403 ACCESS_DENIED",
                    "Hosts see 'not authorised' on most screens after the first; 4XXError on the API jumps while 5XX stays flat",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": M.rows,
            "alarms": [al.item() for al in alarms],
            "alarm_history": [h for al in alarms for h in al.history],
            "logs": logs,
            "cloudtrail": tr.sorted_rows(),
            "resources": res,
        },
    )


def _ip(rng: random.Random) -> str:
    first = rng.choice([31, 46, 77, 78, 79, 80, 84, 85, 87, 88, 91, 93, 95, 176, 178, 185, 188, 212, 217])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
