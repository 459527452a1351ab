"""Partner claims API starts answering 502 on every /claims call a few minutes after a routine deploy."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_m as k

NAME = "claims-intake-api-502s"
TITLE = "claims-intake API returning 502 to partners on /claims"
SUMMARY = (
    "CI moved the claims-intake-handler 'live' alias to a freshly published version whose package "
    "cannot import its handler (Runtime.ImportModuleError at init); every /claims call through API "
    "Gateway fails with 502 while /documents (another function) is fine."
)

Json = dict[str, Any]

FN = "claims-intake-handler"
DOCS_FN = "claims-docs-presign"
WORKER_FN = "claims-triage-worker"
API = "claims-intake"
QUEUE = "claims-intake-events"
DLQ = "claims-intake-events-dlq"
TABLE = "claims"
MEM = 512
IMPORT_ERR = "Unable to import module 'claims_intake.app': No module named 'pydantic_core._pydantic_core'"


def _b64(rng: random.Random) -> str:
    pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(rng.choice(pool) for _ in range(43)) + "="


def _lm(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = "".join(rng.choice("0123456789") for _ in range(12))
    if account[0] == "0":
        account = "4" + account[1:]
    region = rng.choice(["eu-west-1", "us-east-2", "eu-central-1", "us-west-2"])
    company = rng.choice(["harbourline", "northmere", "cobaltmutual", "fairhaven"])
    day = k.random_date(rng, 2024, [3, 4, 5, 6, 9, 10])
    onset = day + timedelta(hours=rng.randint(13, 16), minutes=rng.randint(2, 55), seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=4, minutes=10)).replace(second=0)
    start = start.replace(minute=start.minute - start.minute % 5)
    now = k.floor_minute(onset) + timedelta(minutes=rng.randint(38, 52), seconds=rng.randint(5, 50))
    bad_v = rng.randint(31, 88)
    prev_v, base_v = bad_v - 1, bad_v - 2
    prev_deploy = onset - timedelta(minutes=rng.randint(150, 200), seconds=rng.randint(0, 59))
    api_id = k.alnum(rng, 10, upper=False)
    stage_deploy = k.alnum(rng, 6, upper=False)
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:{FN}"
    docs_arn = f"arn:aws:lambda:{region}:{account}:function:{DOCS_FN}"
    worker_arn = f"arn:aws:lambda:{region}:{account}:function:{WORKER_FN}"
    queue_arn = f"arn:aws:sqs:{region}:{account}:{QUEUE}"
    dlq_arn = f"arn:aws:sqs:{region}:{account}:{DLQ}"
    table_arn = f"arn:aws:dynamodb:{region}:{account}:table/{TABLE}"
    topic = f"arn:aws:sns:{region}:{account}:claims-oncall-pager"
    runtime_arn = f"arn:aws:lambda:{region}::runtime:{k.hexid(rng, 64)}"
    node_runtime_arn = f"arn:aws:lambda:{region}::runtime:{k.hexid(rng, 64)}"
    py_rt = f"python:3.12.v{rng.randint(28, 40)}"
    sha = {base_v: _b64(rng), prev_v: _b64(rng), bad_v: _b64(rng)}
    size = {base_v: rng.randint(9_400_000, 9_900_000)}
    size[prev_v] = size[base_v] + rng.randint(-4000, 9000)
    size[bad_v] = size[prev_v] + rng.randint(4_200_000, 5_100_000)
    a1 = onset - timedelta(minutes=rng.randint(20, 26), seconds=rng.randint(0, 59))
    a2 = onset - timedelta(minutes=rng.randint(12, 16), seconds=rng.randint(0, 59))
    a3 = onset - timedelta(minutes=rng.randint(6, 9), seconds=rng.randint(0, 59))
    partners = [f"P-{rng.randint(1000, 1999)}" for _ in range(7)]
    partner_ips = {
        p: f"{rng.choice([52, 54, 18, 3, 35])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
        for p in partners
    }

    metrics: list[Json] = []
    logs: list[Json] = []
    ns_l, ns_a = "AWS/Lambda", "AWS/ApiGateway"

    # ---- Lambda environments (log streams) ---------------------------------------------------------
    class Env:
        def __init__(self, version: int, born: datetime) -> None:
            self.version = version
            self.stream = k.lambda_stream(rng, born, str(version))
            self.born = born
            self.dies = born + timedelta(minutes=rng.randint(35, 140))
            self.warm = False

    envs: dict[int, list[Env]] = {base_v: [], prev_v: [], bad_v: []}
    group = f"/aws/lambda/{FN}"

    def env_for(version: int, t: datetime) -> Env:
        live = [e for e in envs[version] if e.born <= t < e.dies]
        want = 1 if rng.random() < 0.8 else 2
        if len(live) < want:
            e = Env(version, t)
            envs[version].append(e)
            return e
        return rng.choice(live)

    def version_at(t: datetime) -> int:
        if t >= onset:
            return bad_v
        if t >= prev_deploy:
            return prev_v
        return base_v

    # ---- API traffic, minute by minute -------------------------------------------------------------
    api_group = f"/aws/apigateway/{API}-prod-access"
    exec_group = f"API-Gateway-Execution-Logs_{api_id}/prod"
    api_streams = [k.hexid(rng, 32) for _ in range(3)]
    exec_streams = [k.hexid(rng, 32) for _ in range(2)]
    docs_group = f"/aws/lambda/{DOCS_FN}"
    docs_stream = k.lambda_stream(rng, start, "$LATEST")
    docs_stream2 = k.lambda_stream(rng, a1, "$LATEST")
    worker_group = f"/aws/lambda/{WORKER_FN}"
    worker_stream = k.lambda_stream(rng, start, "$LATEST")
    backlog = 0
    oldest_age = 0.0
    api_dims_s = {"ApiName": API, "Stage": "prod"}
    api_dims = {"ApiName": API}

    for m in k.minutes(start, now.replace(second=0)):
        shape = k.diurnal(m, 15.5, 0.55)
        n_claims = k.poisson(rng, 9.0 * shape)
        n_docs = k.poisson(rng, 3.6 * shape)
        api_lat: list[float] = []
        api_int: list[float] = []
        n4 = n5 = 0
        fn_dur: dict[int, list[float]] = {}
        fn_err: dict[int, int] = {}
        sent = 0
        ddb_w = ddb_r = 0.0
        put_lat: list[float] = []
        get_lat: list[float] = []
        conc = 0
        for _ in range(n_claims):
            t = m + timedelta(milliseconds=rng.randint(0, 59_999))
            if t > now:
                continue
            partner = rng.choice(partners)
            post = rng.random() < 0.58
            method, path = ("POST", "/claims") if post else ("GET", "/claims/{claimId}")
            v = version_at(t)
            env = env_for(v, t)
            req = k.uuid(rng)
            apireq = k.uuid(rng)
            fn_dur.setdefault(v, [])
            fn_err.setdefault(v, 0)
            if v == bad_v:
                if not env.warm:
                    init_t = t - timedelta(milliseconds=rng.randint(40, 400))
                    logs.append(
                        k.log(
                            group,
                            env.stream,
                            init_t,
                            f"INIT_START Runtime Version: {py_rt}\tRuntime Version ARN: {runtime_arn}",
                        )
                    )
                    logs.append(
                        k.log(
                            group,
                            env.stream,
                            init_t + timedelta(milliseconds=880),
                            f"[ERROR] Runtime.ImportModuleError: {IMPORT_ERR}\nTraceback (most recent call last):",
                        )
                    )
                    logs.append(
                        k.log(
                            group,
                            env.stream,
                            init_t + timedelta(milliseconds=900),
                            f"INIT_REPORT Init Duration: {k.lognormal_ms(rng, 905, 0.08):.2f} ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError",
                        )
                    )
                    env.warm = True
                init = k.lognormal_ms(rng, 1040, 0.1)
                dur = init + rng.uniform(8, 25)
                logs.append(
                    k.log(
                        group,
                        env.stream,
                        t + timedelta(milliseconds=init - 20),
                        f"[ERROR] Runtime.ImportModuleError: {IMPORT_ERR}\nTraceback (most recent call last):",
                    )
                )
                logs.append(
                    k.log(
                        group,
                        env.stream,
                        t + timedelta(milliseconds=init),
                        f"INIT_REPORT Init Duration: {init:.2f} ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ImportModuleError",
                    )
                )
                logs.append(
                    k.log(
                        group,
                        env.stream,
                        t + timedelta(milliseconds=init + 1),
                        f"START RequestId: {req} Version: {v}",
                    )
                )
                logs.append(
                    k.log(group, env.stream, t + timedelta(milliseconds=dur), f"END RequestId: {req}")
                )
                logs.append(
                    k.log(
                        group,
                        env.stream,
                        t + timedelta(milliseconds=dur + 1),
                        k.lambda_report(
                            req, dur, MEM, rng.randint(61, 66), status="Runtime.ImportModuleError"
                        ),
                    )
                )
                fn_err[v] += 1
                status, integ = 502, 200
                lat_i = dur + rng.uniform(15, 40)
                lat = lat_i + rng.uniform(4, 12)
                n5 += 1
                logs.append(
                    k.log(
                        exec_group,
                        rng.choice(exec_streams),
                        t + timedelta(milliseconds=lat_i),
                        f"({apireq}) Lambda execution failed with status 200 due to customer function error: {IMPORT_ERR}. Lambda request id: {req}",
                    )
                )
                resp_len = 36
            else:
                cold = not env.warm
                init_ms = k.lognormal_ms(rng, 1180, 0.1) if cold else None
                if cold:
                    logs.append(
                        k.log(
                            group,
                            env.stream,
                            t - timedelta(milliseconds=(init_ms or 0) + 5),
                            f"INIT_START Runtime Version: {py_rt}\tRuntime Version ARN: {runtime_arn}",
                        )
                    )
                    env.warm = True
                dur = k.lognormal_ms(rng, 118 if post else 41, 0.35)
                logs.append(k.log(group, env.stream, t, f"START RequestId: {req} Version: {v}"))
                claim = f"CLM-{m.year}-{rng.randint(100000, 999999)}"
                status = 201 if post else 200
                msg = "claim accepted" if post else "claim fetched"
                loc = "create_claim:141" if post else "get_claim:97"
                r = rng.random()
                if not post and r < 0.04:
                    status, msg, loc = 404, "claim not found", "get_claim:103"
                elif post and r < 0.025:
                    status, msg, loc = 400, "payload rejected: validation failed", "create_claim:118"
                body: Json = {
                    "level": "INFO" if status < 400 else "WARNING",
                    "location": loc,
                    "message": msg,
                    "timestamp": t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}+0000",
                    "service": "claims-intake",
                    "cold_start": cold,
                    "function_name": FN,
                    "function_memory_size": str(MEM),
                    "function_arn": f"{fn_arn}:live",
                    "function_request_id": req,
                    "partner_id": partner,
                    "claim_id": claim,
                    "http_status": status,
                }
                if status == 400:
                    body["errors"] = [
                        rng.choice(
                            [
                                "policyNumber: String should match pattern '^[A-Z]{3}-\\d{8}$'",
                                "lossDate: Input should be a valid date",
                                "claimant.postcode: Field required",
                            ]
                        )
                    ]
                elif post and rng.random() < 0.03:
                    body["level"] = "WARNING"
                    body["message"] = (
                        "partner payload uses deprecated field 'dateOfLoss'; mapped to 'lossDate'"
                    )
                logs.append(
                    k.log(
                        group,
                        env.stream,
                        t + timedelta(milliseconds=dur * 0.8),
                        json.dumps(body, separators=(",", ":")),
                    )
                )
                logs.append(
                    k.log(group, env.stream, t + timedelta(milliseconds=dur), f"END RequestId: {req}")
                )
                logs.append(
                    k.log(
                        group,
                        env.stream,
                        t + timedelta(milliseconds=dur + 1),
                        k.lambda_report(req, dur, MEM, rng.randint(118, 131), init=init_ms),
                    )
                )
                lat_i = dur + (init_ms or 0) + rng.uniform(12, 30)
                lat = lat_i + rng.uniform(4, 12)
                integ = 200
                resp_len = rng.randint(240, 410) if status < 400 else rng.randint(60, 140)
                if status >= 400:
                    n4 += 1
                if post and status == 201:
                    sent += 1
                    ddb_w += 2.0
                    put_lat.append(k.lognormal_ms(rng, 6.2, 0.25))
                elif not post:
                    ddb_r += 0.5
                    get_lat.append(k.lognormal_ms(rng, 3.1, 0.25))
            fn_dur[v].append(dur)
            conc = max(conc, 1 + (1 if dur > 800 and rng.random() < 0.3 else 0))
            api_lat.append(lat)
            api_int.append(lat_i)
            logs.append(
                k.log(
                    api_group,
                    rng.choice(api_streams),
                    t + timedelta(milliseconds=lat),
                    json.dumps(
                        {
                            "requestId": apireq,
                            "ip": partner_ips[partner],
                            "requestTime": t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                            "httpMethod": method,
                            "resourcePath": path,
                            "status": str(status),
                            "protocol": "HTTP/1.1",
                            "responseLength": str(resp_len),
                            "integrationStatus": str(integ),
                            "integrationLatency": str(round(lat_i)),
                            "responseLatency": str(round(lat)),
                            "partner": partner,
                            "errorMessage": "Internal server error" if status == 502 else "-",
                        },
                        separators=(",", ":"),
                    ),
                )
            )
        docs_dur: list[float] = []
        for _ in range(n_docs):
            t = m + timedelta(milliseconds=rng.randint(0, 59_999))
            if t > now:
                continue
            partner = rng.choice(partners)
            req = k.uuid(rng)
            dur = k.lognormal_ms(rng, 64, 0.3)
            stream = docs_stream if t < a1 else docs_stream2
            logs.append(k.log(docs_group, stream, t, f"START RequestId: {req} Version: $LATEST"))
            line = {
                "level": "info",
                "msg": "presigned upload issued",
                "partner": partner,
                "contentType": rng.choice(["application/pdf", "image/jpeg", "image/png"]),
                "expiresIn": 900,
            }
            if rng.random() < 0.02:
                line = {
                    "level": "warn",
                    "msg": "upload size hint above 20MB, issuing multipart",
                    "partner": partner,
                    "contentType": "application/pdf",
                    "expiresIn": 900,
                }
            logs.append(
                k.log(
                    docs_group,
                    stream,
                    t + timedelta(milliseconds=dur * 0.7),
                    f"{k.iso_ms(t)}\t{req}\t{'INFO' if line['level'] == 'info' else 'WARN'}\t{json.dumps(line, separators=(',', ':'))}",
                )
            )
            logs.append(k.log(docs_group, stream, t + timedelta(milliseconds=dur), f"END RequestId: {req}"))
            logs.append(
                k.log(
                    docs_group,
                    stream,
                    t + timedelta(milliseconds=dur + 1),
                    k.lambda_report(req, dur, 256 if t < a1 else 512, rng.randint(88, 97)),
                )
            )
            docs_dur.append(dur)
            lat_i = dur + rng.uniform(10, 25)
            api_lat.append(lat_i + rng.uniform(3, 9))
            api_int.append(lat_i)
            logs.append(
                k.log(
                    api_group,
                    rng.choice(api_streams),
                    t + timedelta(milliseconds=lat_i + 5),
                    json.dumps(
                        {
                            "requestId": k.uuid(rng),
                            "ip": partner_ips[partner],
                            "requestTime": t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                            "httpMethod": "POST",
                            "resourcePath": "/documents/presign",
                            "status": "200",
                            "protocol": "HTTP/1.1",
                            "responseLength": str(rng.randint(900, 1100)),
                            "integrationStatus": "200",
                            "integrationLatency": str(round(lat_i)),
                            "responseLatency": str(round(lat_i + 6)),
                            "partner": partner,
                            "errorMessage": "-",
                        },
                        separators=(",", ":"),
                    ),
                )
            )

        # API Gateway
        total = len(api_lat)
        for dims in (api_dims_s, api_dims):
            if total:
                metrics.append(k.stat_set(ns_a, "Count", dims, m, "Count", total, total, 1, 1))
                metrics.append(k.stat_set(ns_a, "4XXError", dims, m, "Count", total, n4, 0, 1 if n4 else 0))
                metrics.append(k.stat_set(ns_a, "5XXError", dims, m, "Count", total, n5, 0, 1 if n5 else 0))
                metrics.append(k.stats(ns_a, "Latency", dims, m, "Milliseconds", api_lat) or {})
                metrics.append(k.stats(ns_a, "IntegrationLatency", dims, m, "Milliseconds", api_int) or {})
        # Lambda: the handler, by function, by alias, by executed version
        all_d = [d for ds in fn_dur.values() for d in ds]
        errs = sum(fn_err.values())
        if all_d:
            for dims in ({"FunctionName": FN}, {"FunctionName": FN, "Resource": f"{FN}:live"}):
                metrics.append(
                    k.stat_set(ns_l, "Invocations", dims, m, "Count", len(all_d), len(all_d), 1, 1)
                )
                metrics.append(
                    k.stat_set(ns_l, "Errors", dims, m, "Count", len(all_d), errs, 0, 1 if errs else 0)
                )
                metrics.append(k.stats(ns_l, "Duration", dims, m, "Milliseconds", all_d) or {})
            metrics.append(
                k.stat_set(ns_l, "Throttles", {"FunctionName": FN}, m, "Count", len(all_d), 0, 0, 0)
            )
            metrics.append(k.datum(ns_l, "ConcurrentExecutions", {"FunctionName": FN}, m, "Count", conc))
            for v, ds in sorted(fn_dur.items()):
                if not ds:
                    continue
                dims = {"FunctionName": FN, "Resource": f"{FN}:live", "ExecutedVersion": str(v)}
                e = fn_err.get(v, 0)
                metrics.append(k.stat_set(ns_l, "Invocations", dims, m, "Count", len(ds), len(ds), 1, 1))
                metrics.append(k.stat_set(ns_l, "Errors", dims, m, "Count", len(ds), e, 0, 1 if e else 0))
                metrics.append(k.stats(ns_l, "Duration", dims, m, "Milliseconds", ds) or {})
        if docs_dur:
            dd = {"FunctionName": DOCS_FN}
            metrics.append(
                k.stat_set(ns_l, "Invocations", dd, m, "Count", len(docs_dur), len(docs_dur), 1, 1)
            )
            metrics.append(k.stat_set(ns_l, "Errors", dd, m, "Count", len(docs_dur), 0, 0, 0))
            metrics.append(k.stat_set(ns_l, "Throttles", dd, m, "Count", len(docs_dur), 0, 0, 0))
            metrics.append(k.stats(ns_l, "Duration", dd, m, "Milliseconds", docs_dur) or {})
            metrics.append(k.datum(ns_l, "ConcurrentExecutions", dd, m, "Count", 1))
        # SQS + worker: the handler publishes one event per accepted claim
        received = 0
        worker_d: list[float] = []
        if backlog + sent > 0:
            batches = max(1, (backlog + sent + 4) // 5)
            for _ in range(batches):
                n = min(5, backlog + sent - received)
                if n <= 0:
                    break
                t = m + timedelta(seconds=rng.randint(1, 58))
                req = k.uuid(rng)
                dur = k.lognormal_ms(rng, 180 + 40 * n, 0.25)
                logs.append(k.log(worker_group, worker_stream, t, f"START RequestId: {req} Version: $LATEST"))
                logs.append(
                    k.log(
                        worker_group,
                        worker_stream,
                        t + timedelta(milliseconds=dur * 0.9),
                        f"[INFO]\t{k.iso_ms(t)}\t{req}\ttriaged {n} claim(s); routed={rng.choice(['motor', 'property', 'motor', 'travel'])}",
                    )
                )
                logs.append(
                    k.log(
                        worker_group, worker_stream, t + timedelta(milliseconds=dur), f"END RequestId: {req}"
                    )
                )
                logs.append(
                    k.log(
                        worker_group,
                        worker_stream,
                        t + timedelta(milliseconds=dur + 1),
                        k.lambda_report(req, dur, 256, rng.randint(91, 99)),
                    )
                )
                worker_d.append(dur)
                received += n
                ddb_w += n
                put_lat.append(k.lognormal_ms(rng, 6.0, 0.25))
            backlog = backlog + sent - received
            oldest_age = rng.uniform(1, 14) if received else oldest_age + 60
        else:
            oldest_age = 0.0
        qd = {"QueueName": QUEUE}
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesSent", qd, m, "Count", sent))
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesReceived", qd, m, "Count", received))
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesDeleted", qd, m, "Count", received))
        metrics.append(k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, m, "Count", backlog))
        metrics.append(
            k.datum(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                qd,
                m,
                "Seconds",
                round(oldest_age) if received else 0,
            )
        )
        metrics.append(
            k.datum(
                "AWS/SQS", "NumberOfEmptyReceives", qd, m, "Count", rng.randint(11, 15) - min(received, 4)
            )
        )
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": DLQ}, m, "Count", 0)
        )
        if worker_d:
            wd = {"FunctionName": WORKER_FN}
            metrics.append(
                k.stat_set(ns_l, "Invocations", wd, m, "Count", len(worker_d), len(worker_d), 1, 1)
            )
            metrics.append(k.stat_set(ns_l, "Errors", wd, m, "Count", len(worker_d), 0, 0, 0))
            metrics.append(k.stats(ns_l, "Duration", wd, m, "Milliseconds", worker_d) or {})
            metrics.append(k.datum(ns_l, "ConcurrentExecutions", wd, m, "Count", 1))
        # DynamoDB (published only when the table saw requests)
        td = {"TableName": TABLE}
        if ddb_w:
            metrics.append(
                k.stat_set(
                    "AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, m, "Count", ddb_w / 2 + 1, ddb_w, 1, 2
                )
            )
        if ddb_r:
            metrics.append(
                k.stat_set(
                    "AWS/DynamoDB", "ConsumedReadCapacityUnits", td, m, "Count", ddb_r * 2, ddb_r, 0.5, 0.5
                )
            )
        if put_lat:
            metrics.append(
                k.stats(
                    "AWS/DynamoDB",
                    "SuccessfulRequestLatency",
                    {"TableName": TABLE, "Operation": "PutItem"},
                    m,
                    "Milliseconds",
                    put_lat,
                )
                or {}
            )
        if get_lat:
            metrics.append(
                k.stats(
                    "AWS/DynamoDB",
                    "SuccessfulRequestLatency",
                    {"TableName": TABLE, "Operation": "GetItem"},
                    m,
                    "Milliseconds",
                    get_lat,
                )
                or {}
            )

    metrics = [p for p in metrics if p]
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---- CloudTrail --------------------------------------------------------------------------------
    gh_ip = (
        f"{rng.choice([20, 4, 40, 172])}.{rng.randint(16, 250)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
    )
    office_ip = (
        f"{rng.choice([81, 86, 94, 212])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
    )
    home_ip = (
        f"{rng.choice([73, 98, 24, 109])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
    )
    cli = "aws-cli/2.15.{0} Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/{1}"
    cli_v = rng.randint(30, 58)
    ci = k.role_principal(rng, account, "gha-claims-deploy", "GitHubActions", gh_ip, "")
    grafana = k.role_principal(
        rng,
        account,
        "grafana-cloudwatch-datasource",
        f"grafana-{k.hexid(rng, 8)}",
        "34.120.177.193",
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.2",
    )
    first = rng.choice(["priya.raman", "tomas.lindqvist", "aisha.bello"])
    second = rng.choice(["dan.okafor", "mei.chen", "lucas.ferreira"])
    admin = k.sso_user(rng, account, "PlatformEngineer", f"{first}@{company}.com", office_ip)
    oncall = k.sso_user(rng, account, "ReadOnlyAccess", f"{second}@{company}.com", home_ip)
    lam = k.service_principal(account, "lambda.amazonaws.com")
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
        trail.append(r)
        return r

    # routine dashboards reading CloudWatch
    t = start + timedelta(minutes=rng.randint(2, 9))
    while t < now:
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
                            "period": 60,
                            "stat": "Sum",
                        },
                        "returnData": True,
                    }
                ],
                "startTime": k.iso(t - timedelta(hours=3)),
                "endTime": k.iso(t),
            },
            read_only=True,
        )
        if rng.random() < 0.5:
            rec(
                grafana,
                t + timedelta(seconds=2),
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                {"alarmNamePrefix": "claims-", "stateValue": "ALARM"},
                read_only=True,
            )
        t += timedelta(minutes=rng.randint(17, 26), seconds=rng.randint(0, 59))

    def web_identity(at: datetime) -> None:
        r = {
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "WebIdentityUser",
                "principalId": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:{company}/claims-intake:ref:refs/heads/main",
                "userName": f"repo:{company}/claims-intake:ref:refs/heads/main",
                "identityProvider": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com",
            },
            "eventTime": k.iso(at),
            "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRoleWithWebIdentity",
            "awsRegion": region,
            "sourceIPAddress": gh_ip,
            "userAgent": "aws-sdk-js/2.1580.0 promise",
            "requestParameters": {
                "roleArn": f"arn:aws:iam::{account}:role/gha-claims-deploy",
                "roleSessionName": "GitHubActions",
                "durationSeconds": 3600,
            },
            "responseElements": {
                "credentials": {
                    "accessKeyId": ci.access_key,
                    "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                    "expiration": (at + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
                },
                "subjectFromWebIdentityToken": f"repo:{company}/claims-intake:ref:refs/heads/main",
                "assumedRoleUser": {
                    "assumedRoleId": f"{ci.role_id}:GitHubActions",
                    "arn": f"arn:aws:sts::{account}:assumed-role/gha-claims-deploy/GitHubActions",
                },
                "provider": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com",
                "audience": "sts.amazonaws.com",
            },
            "requestID": k.uuid(rng),
            "eventID": k.uuid(rng),
            "readOnly": True,
            "resources": [
                {
                    "accountId": account,
                    "type": "AWS::IAM::Role",
                    "ARN": f"arn:aws:iam::{account}:role/gha-claims-deploy",
                }
            ],
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": account,
            "eventCategory": "Management",
        }
        trail.append(r)

    def deploy(at: datetime, version: int, prior: int) -> Json:
        ci.created = at
        web_identity(at)
        t0 = at + timedelta(seconds=rng.randint(20, 40))
        code_t = t0
        rec(
            ci,
            t0,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {"functionName": FN, "publish": False, "dryRun": False},
            {
                "functionName": FN,
                "functionArn": fn_arn,
                "runtime": "python3.12",
                "role": f"arn:aws:iam::{account}:role/{FN}-role",
                "handler": "claims_intake.app.handler",
                "codeSize": size[version],
                "description": "",
                "timeout": 15,
                "memorySize": MEM,
                "lastModified": _lm(code_t),
                "codeSha256": sha[version],
                "version": "$LATEST",
                "tracingConfig": {"mode": "PassThrough"},
                "revisionId": k.uuid(rng),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "lastUpdateStatusReason": "The function is being created.",
                "lastUpdateStatusReasonCode": "Creating",
                "packageType": "Zip",
                "architectures": ["x86_64"],
                "ephemeralStorage": {"size": 512},
                "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
                "runtimeVersionConfig": {"runtimeVersionArn": runtime_arn},
                "loggingConfig": {"logFormat": "Text", "logGroup": group},
            },
            read_only=False,
            agent=cli.format(cli_v, "lambda.update-function-code"),
            version="1.08",
        )
        for i in range(2):
            rec(
                ci,
                t0 + timedelta(seconds=6 + 5 * i),
                "lambda.amazonaws.com",
                "GetFunctionConfiguration20150331v2",
                {"functionName": FN},
                read_only=True,
                agent=cli.format(cli_v, "lambda.wait.function-updated-v2"),
                version="1.08",
            )
        t1 = t0 + timedelta(seconds=rng.randint(40, 75))
        rec(
            ci,
            t1,
            "lambda.amazonaws.com",
            "PublishVersion20150331",
            {
                "functionName": FN,
                "codeSha256": sha[version],
                "description": f"{company}/claims-intake@{k.hexid(rng, 7)}",
            },
            {
                "functionName": FN,
                "functionArn": f"{fn_arn}:{version}",
                "runtime": "python3.12",
                "handler": "claims_intake.app.handler",
                "codeSize": size[version],
                "codeSha256": sha[version],
                "version": str(version),
                "memorySize": MEM,
                "timeout": 15,
                "state": "Pending",
                "stateReason": "The function is being created.",
                "stateReasonCode": "Creating",
                "lastModified": _lm(code_t),
                "packageType": "Zip",
                "architectures": ["x86_64"],
                "revisionId": k.uuid(rng),
            },
            read_only=False,
            agent=cli.format(cli_v, "lambda.publish-version"),
            version="1.08",
        )
        rec(
            ci,
            t1 + timedelta(seconds=4),
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            {"functionName": FN, "qualifier": str(version)},
            read_only=True,
            agent=cli.format(cli_v, "lambda.wait.published-version-active"),
            version="1.08",
        )
        t2 = onset if version == bad_v else prev_deploy
        return rec(
            ci,
            t2,
            "lambda.amazonaws.com",
            "UpdateAlias20150331",
            {"functionName": FN, "name": "live", "functionVersion": str(version)},
            {
                "aliasArn": f"{fn_arn}:live",
                "name": "live",
                "functionVersion": str(version),
                "description": "production traffic",
                "revisionId": k.uuid(rng),
            },
            read_only=False,
            agent=cli.format(cli_v, "lambda.update-alias"),
            version="1.08",
        )

    deploy(prev_deploy - timedelta(minutes=2, seconds=10), prev_v, base_v)
    culprit = deploy(onset - timedelta(minutes=2, seconds=rng.randint(15, 50)), bad_v, prev_v)

    # a look around during the morning
    t = start + timedelta(minutes=rng.randint(40, 70))
    admin.created = t - timedelta(minutes=3)
    rec(
        admin,
        t,
        "lambda.amazonaws.com",
        "ListFunctions20150331",
        None,
        read_only=True,
        console=True,
        version="1.08",
    )
    rec(
        admin,
        t + timedelta(seconds=9),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": DOCS_FN},
        read_only=True,
        console=True,
        version="1.08",
    )
    rec(
        admin,
        t + timedelta(seconds=14),
        "lambda.amazonaws.com",
        "GetFunctionConcurrency20190930",
        {"functionName": DOCS_FN},
        read_only=True,
        console=True,
        version="1.08",
    )
    rec(
        admin,
        t + timedelta(minutes=3),
        "logs.amazonaws.com",
        "DescribeLogGroups",
        {"logGroupNamePrefix": "/aws/lambda/claims"},
        read_only=True,
        console=True,
    )
    rec(
        admin,
        t + timedelta(minutes=4),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        {"tableName": TABLE},
        read_only=True,
        console=True,
        version="1.08",
    )
    for _ in range(rng.randint(3, 5)):
        at = start + timedelta(minutes=rng.randint(5, 240))
        if at < now:
            rec(
                lam,
                at,
                "sts.amazonaws.com",
                "AssumeRole",
                {
                    "roleArn": f"arn:aws:iam::{account}:role/{rng.choice([FN, DOCS_FN, WORKER_FN])}-role",
                    "roleSessionName": rng.choice([FN, DOCS_FN, WORKER_FN]),
                },
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
    # innocent changes shortly before the onset
    admin.created = a1 - timedelta(minutes=9)
    rec(
        admin,
        a1 - timedelta(seconds=40),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": DOCS_FN},
        read_only=True,
        console=True,
        version="1.08",
    )
    rec(
        admin,
        a1,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": DOCS_FN, "memorySize": 512},
        {
            "functionName": DOCS_FN,
            "functionArn": docs_arn,
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{account}:role/{DOCS_FN}-role",
            "handler": "index.handler",
            "codeSize": 418_233,
            "description": "",
            "timeout": 10,
            "memorySize": 512,
            "lastModified": _lm(a1),
            "codeSha256": _b64(rng),
            "version": "$LATEST",
            "tracingConfig": {"mode": "PassThrough"},
            "revisionId": k.uuid(rng),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being updated.",
            "lastUpdateStatusReasonCode": "Updating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        console=True,
        version="1.08",
    )
    rec(
        admin,
        a2,
        "apigateway.amazonaws.com",
        "UpdateStage",
        {
            "restApiId": api_id,
            "stageName": "prod",
            "patchOperations": [
                {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "300"},
                {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "600"},
            ],
        },
        {
            "deploymentId": stage_deploy,
            "stageName": "prod",
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 600,
                    "throttlingRateLimit": 300.0,
                    "cachingEnabled": False,
                    "cacheTtlInSeconds": 300,
                    "cacheDataEncrypted": False,
                    "requireAuthorizationForCacheControl": True,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                }
            },
            "tracingEnabled": False,
        },
        read_only=False,
        console=True,
        version="1.08",
    )
    dur_alarm_cfg = a3
    rec(
        admin,
        a3,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": f"{DOCS_FN}-duration-high",
            "alarmDescription": "presign p-max latency above 8s",
            "actionsEnabled": True,
            "alarmActions": [topic],
            "metricName": "Duration",
            "namespace": "AWS/Lambda",
            "statistic": "Maximum",
            "dimensions": [{"name": "FunctionName", "value": DOCS_FN}],
            "period": 300,
            "evaluationPeriods": 2,
            "datapointsToAlarm": 2,
            "threshold": 8000.0,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
        },
        read_only=False,
        console=True,
    )
    # on-call looks after the page
    oncall.created = onset + timedelta(minutes=9)
    looks: list[tuple[str, str, Json]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
        (
            "monitoring.amazonaws.com",
            "GetMetricData",
            {
                "metricDataQueries": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/ApiGateway",
                                "metricName": "5XXError",
                                "dimensions": [
                                    {"name": "ApiName", "value": API},
                                    {"name": "Stage", "value": "prod"},
                                ],
                            },
                            "period": 60,
                            "stat": "Sum",
                        },
                    }
                ],
                "startTime": k.iso(onset - timedelta(hours=3)),
                "endTime": k.iso(onset + timedelta(minutes=10)),
            },
        ),
        ("apigateway.amazonaws.com", "GetRestApis", {"limit": 500}),
    ]
    for i, (src, name, params) in enumerate(looks):
        at = onset + timedelta(minutes=10 + i, seconds=rng.randint(0, 50))
        if at < now:
            rec(oncall, at, src, name, params, read_only=True, console=True)
    trail.sort(key=lambda r: r["eventTime"])

    # ---- alarms ------------------------------------------------------------------------------------
    initial = start - timedelta(
        days=rng.randint(6, 30), minutes=rng.randint(0, 900), seconds=rng.randint(0, 59)
    )
    specs = [
        k.AlarmSpec(
            f"{API}-prod-5xx-rate",
            "Share of claims-intake prod requests answered 5xx above 5%",
            ns_a,
            "5XXError",
            api_dims_s,
            "Average",
            60,
            5,
            3,
            0.05,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
            [topic],
        ),
        k.AlarmSpec(
            f"{FN}-errors",
            "claims-intake-handler function errors",
            ns_l,
            "Errors",
            {"FunctionName": FN},
            "Sum",
            60,
            3,
            2,
            3.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{API}-prod-latency",
            "claims-intake average latency above 2.5s",
            ns_a,
            "Latency",
            api_dims_s,
            "Average",
            300,
            3,
            3,
            2500.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{DOCS_FN}-errors",
            "presign function errors",
            ns_l,
            "Errors",
            {"FunctionName": DOCS_FN},
            "Sum",
            300,
            1,
            1,
            3.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{DLQ}-not-empty",
            "claim events landing in the DLQ",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": DLQ},
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
            f"{WORKER_FN}-errors",
            "triage worker errors",
            ns_l,
            "Errors",
            {"FunctionName": WORKER_FN},
            "Sum",
            300,
            2,
            2,
            2.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
        ),
        k.AlarmSpec(
            f"{DOCS_FN}-duration-high",
            "presign p-max latency above 8s",
            ns_l,
            "Duration",
            {"FunctionName": DOCS_FN},
            "Maximum",
            300,
            2,
            2,
            8000.0,
            "GreaterThanThreshold",
            "notBreaching",
            None,
            [topic],
            configured=dur_alarm_cfg,
        ),
    ]
    alarms: list[Json] = []
    history: list[Json] = []
    trigger_event: Json | None = None
    for spec in specs:
        s = k.series_from(metrics, spec.metric, spec.dims, spec.statistic, spec.period // 60)
        eval_start = spec.configured.replace(second=0) if spec.configured else start
        res = k.evaluate_alarm(rng, spec, account, region, s, eval_start, now, initial)
        alarms.append(res.alarm)
        history.extend(res.history)
        if spec.name == f"{API}-prod-5xx-rate":
            assert res.transitions, spec.name
            assert res.transitions[-1][2] == "ALARM", res.transitions
            trigger_event = k.alarm_event(rng, spec, res, account, region, initial)
    history.sort(key=lambda h: h["Timestamp"])

    # ---- resources ---------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(200, 500))
    api_created = k.iso(created)
    res_ids = {
        p: k.alnum(rng, 6, upper=False)
        for p in ["/", "/claims", "/claims/{claimId}", "/documents", "/documents/presign"]
    }
    lam_uri = "arn:aws:apigateway:{r}:lambda:path/2015-03-31/functions/{f}/invocations"
    vpc_id = "vpc-0" + k.hexid(rng, 16)
    subnets = ["subnet-0" + k.hexid(rng, 16) for _ in range(2)]
    sg = "sg-0" + k.hexid(rng, 16)

    def fn_conf(
        name: str,
        version: str,
        runtime: str,
        handler: str,
        mem: int,
        timeout: int,
        code_size: int,
        code_sha: str,
        modified: datetime,
        arch: str,
        env: dict[str, str],
        rt_arn: str,
        vpc: bool = False,
    ) -> Json:
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}" + (
            "" if version == "$LATEST" else f":{version}"
        )
        c: Json = {
            "FunctionName": name,
            "FunctionArn": arn,
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{account}:role/{name}-role",
            "Handler": handler,
            "CodeSize": code_size,
            "Description": "",
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": _lm(modified),
            "CodeSha256": code_sha,
            "Version": version,
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": k.uuid(rng),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": [arch],
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "RuntimeVersionConfig": {"RuntimeVersionArn": rt_arn},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        if vpc:
            c["VpcConfig"] = {
                "SubnetIds": subnets,
                "SecurityGroupIds": [sg],
                "VpcId": vpc_id,
                "Ipv6AllowedForDualStack": False,
            }
        return c

    handler_env = {
        "POWERTOOLS_SERVICE_NAME": "claims-intake",
        "LOG_LEVEL": "INFO",
        "CLAIMS_TABLE": TABLE,
        "EVENTS_QUEUE_URL": f"https://sqs.{region}.amazonaws.com/{account}/{QUEUE}",
    }
    code_mod = {prev_v: prev_deploy - timedelta(minutes=1, seconds=30), bad_v: onset - timedelta(minutes=2)}
    resources: list[Json] = [
        {
            "service": "apigateway",
            "type": "RestApi",
            "item": {
                "id": api_id,
                "name": API,
                "description": "Partner claims intake API",
                "createdDate": api_created,
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": res_ids["/"],
                "tags": {"team": "claims-platform", "env": "prod"},
            },
        },
        {
            "service": "apigateway",
            "type": "RestApiStage",
            "item": {
                "restApiId": api_id,
                "deploymentId": stage_deploy,
                "stageName": "prod",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": False,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 600,
                        "throttlingRateLimit": 300.0,
                        "cachingEnabled": False,
                        "cacheTtlInSeconds": 300,
                        "cacheDataEncrypted": False,
                        "requireAuthorizationForCacheControl": True,
                        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                    }
                },
                "accessLogSettings": {
                    "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationStatus":"$context.integration.status","integrationLatency":"$context.integration.latency","responseLatency":"$context.responseLatency","partner":"$context.authorizer.partnerId","errorMessage":"$context.error.message"}',
                    "destinationArn": f"arn:aws:logs:{region}:{account}:log-group:{api_group}",
                },
                "tracingEnabled": False,
                "createdDate": api_created,
                "lastUpdatedDate": k.iso(a2),
            },
        },
        {
            "service": "apigateway",
            "type": "RestApiResource",
            "item": {"restApiId": api_id, "id": res_ids["/"], "path": "/"},
        },
        {
            "service": "apigateway",
            "type": "RestApiResource",
            "item": {
                "restApiId": api_id,
                "id": res_ids["/claims"],
                "parentId": res_ids["/"],
                "pathPart": "claims",
                "path": "/claims",
                "resourceMethods": {"POST": {}},
            },
        },
        {
            "service": "apigateway",
            "type": "RestApiResource",
            "item": {
                "restApiId": api_id,
                "id": res_ids["/claims/{claimId}"],
                "parentId": res_ids["/claims"],
                "pathPart": "{claimId}",
                "path": "/claims/{claimId}",
                "resourceMethods": {"GET": {}},
            },
        },
        {
            "service": "apigateway",
            "type": "RestApiResource",
            "item": {
                "restApiId": api_id,
                "id": res_ids["/documents"],
                "parentId": res_ids["/"],
                "pathPart": "documents",
                "path": "/documents",
            },
        },
        {
            "service": "apigateway",
            "type": "RestApiResource",
            "item": {
                "restApiId": api_id,
                "id": res_ids["/documents/presign"],
                "parentId": res_ids["/documents"],
                "pathPart": "presign",
                "path": "/documents/presign",
                "resourceMethods": {"POST": {}},
            },
        },
    ]
    for path, verb, target in [
        ("/claims", "POST", f"{fn_arn}:live"),
        ("/claims/{claimId}", "GET", f"{fn_arn}:live"),
        ("/documents/presign", "POST", docs_arn),
    ]:
        resources.append(
            {
                "service": "apigateway",
                "type": "MethodIntegration",
                "item": {
                    "restApiId": api_id,
                    "resourceId": res_ids[path],
                    "httpMethod": verb,
                    "type": "AWS_PROXY",
                    "uri": lam_uri.format(r=region, f=target),
                    "passthroughBehavior": "WHEN_NO_MATCH",
                    "contentHandling": "CONVERT_TO_TEXT",
                    "timeoutInMillis": 29000,
                    "cacheNamespace": res_ids[path],
                    "cacheKeyParameters": [],
                },
            }
        )
    resources += [
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": fn_conf(
                FN,
                "$LATEST",
                "python3.12",
                "claims_intake.app.handler",
                MEM,
                15,
                size[bad_v],
                sha[bad_v],
                code_mod[bad_v],
                "x86_64",
                handler_env,
                runtime_arn,
                vpc=True,
            ),
        },
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": fn_conf(
                FN,
                str(prev_v),
                "python3.12",
                "claims_intake.app.handler",
                MEM,
                15,
                size[prev_v],
                sha[prev_v],
                code_mod[prev_v],
                "x86_64",
                handler_env,
                runtime_arn,
                vpc=True,
            ),
        },
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": fn_conf(
                FN,
                str(bad_v),
                "python3.12",
                "claims_intake.app.handler",
                MEM,
                15,
                size[bad_v],
                sha[bad_v],
                code_mod[bad_v],
                "x86_64",
                handler_env,
                runtime_arn,
                vpc=True,
            ),
        },
        {
            "service": "lambda",
            "type": "AliasConfiguration",
            "item": {
                "AliasArn": f"{fn_arn}:live",
                "Name": "live",
                "FunctionVersion": str(bad_v),
                "Description": "production traffic",
                "RevisionId": k.uuid(rng),
            },
        },
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": fn_conf(
                DOCS_FN,
                "$LATEST",
                "nodejs20.x",
                "index.handler",
                512,
                10,
                418_233,
                _b64(rng),
                a1,
                "arm64",
                {
                    "UPLOAD_BUCKET": f"{company}-claim-documents-{region}",
                    "NODE_OPTIONS": "--enable-source-maps",
                },
                node_runtime_arn,
            ),
        },
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": fn_conf(
                WORKER_FN,
                "$LATEST",
                "python3.12",
                "triage.handler",
                256,
                60,
                2_184_557,
                _b64(rng),
                created + timedelta(days=150),
                "x86_64",
                {"CLAIMS_TABLE": TABLE},
                runtime_arn,
                vpc=True,
            ),
        },
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": k.uuid(rng),
                "BatchSize": 5,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": queue_arn,
                "FunctionArn": worker_arn,
                "LastModified": k.iso(created + timedelta(days=150)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        },
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{QUEUE}",
                "Attributes": {
                    "QueueArn": queue_arn,
                    "VisibilityTimeout": "360",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "MaximumMessageSize": "262144",
                    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
                    "SqsManagedSseEnabled": "true",
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp()) + 86400 * 30),
                },
                "Tags": {"team": "claims-platform"},
            },
        },
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{DLQ}",
                "Attributes": {
                    "QueueArn": dlq_arn,
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
                "Tags": {"team": "claims-platform"},
            },
        },
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": TABLE,
                "TableStatus": "ACTIVE",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "CreationDateTime": k.iso(created),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": rng.randint(2_000_000_000, 4_000_000_000),
                "ItemCount": rng.randint(3_000_000, 6_000_000),
                "TableArn": table_arn,
                "TableId": k.uuid(rng),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "DeletionProtectionEnabled": True,
            },
        },
        {
            "service": "iam",
            "type": "Role",
            "item": {
                "Path": "/",
                "RoleName": f"{FN}-role",
                "RoleId": "AROA" + k.alnum(rng, 17),
                "Arn": f"arn:aws:iam::{account}:role/{FN}-role",
                "CreateDate": api_created,
                "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
                "MaxSessionDuration": 3600,
            },
        },
        {
            "service": "iam",
            "type": "Role",
            "item": {
                "Path": "/",
                "RoleName": "gha-claims-deploy",
                "RoleId": ci.role_id,
                "Arn": f"arn:aws:iam::{account}:role/gha-claims-deploy",
                "CreateDate": api_created,
                "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22arn%3Aaws%3Aiam%3A%3A"
                + account
                + "%3Aoidc-provider%2Ftoken.actions.githubusercontent.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%7D%5D%7D",
                "MaxSessionDuration": 3600,
            },
        },
        {
            "service": "s3",
            "type": "Bucket",
            "item": {"Name": f"{company}-claim-documents-{region}", "CreationDate": api_created},
        },
    ]
    for g, ret in [
        (group, 30),
        (f"/aws/lambda/{DOCS_FN}", 30),
        (f"/aws/lambda/{WORKER_FN}", 30),
        (api_group, 90),
        (exec_group, 14),
    ]:
        resources.append(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {
                    "logGroupName": g,
                    "creationTime": k.epoch_ms(created),
                    "retentionInDays": ret,
                    "metricFilterCount": 0,
                    "arn": f"arn:aws:logs:{region}:{account}:log-group:{g}:*",
                    "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{g}",
                    "storedBytes": rng.randint(10**8, 10**10),
                    "logGroupClass": "STANDARD",
                },
            }
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
            "trigger": {"question": None, "alarm_event": trigger_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": f"{fn_arn}:live",
                    "category": "change",
                    "failure_mode": "lambda-alias-to-version-failing-init",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [FN, fn_arn, f"{FN}:live", f"{fn_arn}:{bad_v}", f"{FN}:{bad_v}", "live"],
                "actions": ["rollback"],
                "chain": [
                    f"CI (gha-claims-deploy) published {FN} version {bad_v} and moved alias 'live' from {prev_v} to it.",
                    f"Version {bad_v}'s package fails to import its handler (Runtime.ImportModuleError), so every invocation through 'live' errors at init.",
                    f"API Gateway {API} prod answers the Lambda-proxy /claims routes with 502 (5XXError rate alarm); /documents/presign on {DOCS_FN} is unaffected.",
                    f"No new claims reach {QUEUE}, {WORKER_FN} or the {TABLE} table.",
                ],
            },
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
