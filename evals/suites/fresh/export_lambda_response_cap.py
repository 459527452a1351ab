"""Month-start visit-report downloads fail for the bigger clinics; smaller clinics are fine."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zg as k

NAME = "export-lambda-response-cap"
TITLE = "Bigger clinics can't download the monthly visits report; small clinics fine"
SUMMARY = (
    "On the first of the month full-month visit-report exports from the largest clinics produce CSV "
    "responses over Lambda's 6 MB synchronous payload cap; the runtime's post fails with 413 and API "
    "Gateway answers 502 on that one route."
)

Json = dict[str, Any]

API = "vetdesk-public"
EXPORT_FN = "vetdesk-reports-export"
EXPORT_PATH = "/v1/clinics/{clinicId}/reports/visits"


def _first_of_month(rng: random.Random) -> datetime:
    while True:
        y = rng.choice([2024, 2025])
        m = rng.randint(1, 12)
        d = datetime(y, m, 1, tzinfo=UTC)
        if d.weekday() <= 3:
            return d


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account(rng)
    region = "ap-southeast-2"
    first = _first_of_month(rng)
    off = 11.0 if first.month >= 10 or first.month <= 4 else 10.0  # Australia/Sydney (DST Oct-Apr, roughly)
    local_midnight = first - timedelta(hours=off)
    onset = local_midnight + timedelta(hours=8, minutes=rng.randint(14, 40))
    onset = onset.replace(second=0)
    now = onset + timedelta(minutes=rng.randint(70, 95))
    start = local_midnight - timedelta(days=2)
    fine_from = onset - timedelta(hours=3)
    grid = k.mixed_grid(start, fine_from, now)
    burst_from = onset - timedelta(minutes=rng.randint(25, 40))
    prev_month = (first - timedelta(days=1)).strftime("%Y-%m")
    prev_range = f"{prev_month}-01/{(first - timedelta(days=1)).strftime('%Y-%m-%d')}"

    api_id = k.alnum(rng, 10, upper=False)
    res_ids = {
        p: k.alnum(rng, 6, upper=False)
        for p in ("root", "v1", "clinics", "cid", "reports", "visits", "appointments", "patients", "pid")
    }
    fn_arn = f"arn:aws:lambda:{region}:{acct}:function:{EXPORT_FN}"
    appt_fn = "vetdesk-appointments-api"
    pat_fn = "vetdesk-patients-api"
    remind_fn = "vetdesk-reminder-sender"

    big = [f"cln_{k.alnum(rng, 10, upper=False)}" for _ in range(rng.randint(5, 8))]
    small = [f"cln_{k.alnum(rng, 10, upper=False)}" for _ in range(60)]

    # ---- invocation model
    api_dims = {"ApiName": API, "Stage": "prod"}
    exp_dims = {"ApiName": API, "Method": "GET", "Resource": EXPORT_PATH, "Stage": "prod"}
    metrics: list[Json] = []
    exports: list[tuple[datetime, str, bool, int, float]] = []  # time, clinic, failed, rows, duration ms
    for t, period in grid:
        scale = period / 60
        tr = k.daily(t, off, peak_h=12.5, floor=0.02)
        local_hour = (t.hour + t.minute / 60 + off) % 24
        if local_hour < 7 or local_hour > 20:
            tr *= 0.25
        rpm = rng.uniform(700, 820) * tr
        # exports
        month_start = t >= burst_from
        rate = 0.35 * tr
        if month_start and local_hour >= 7.5:
            mins_in = (t - local_midnight).total_seconds() / 60 - 7.5 * 60
            rate += max(0.0, 6.5 - mins_in / 45) * rng.uniform(0.8, 1.2)
        n_exp = sum(1 for _ in range(int(rate * scale * 3)) if rng.random() < 1 / 3)
        forced = t == onset
        if forced:
            n_exp += 1
        fails = 0
        durations: list[float] = []
        for i in range(n_exp):
            ts = t + timedelta(seconds=rng.uniform(0, period - 1))
            full_month = month_start and (rng.random() < 0.85 or (forced and i == 0))
            is_big = rng.random() < (0.2 if full_month else 0.1) or (forced and i == 0)
            clinic = rng.choice(big) if is_big else rng.choice(small)
            if full_month:
                rows = rng.randint(26000, 52000) if is_big else rng.randint(900, 9000)
            else:
                rows = rng.randint(600, 2400) if is_big else rng.randint(20, 500)
            if forced and i == 0:
                rows = rng.randint(33000, 40000)
            failed = full_month and is_big and rows > 29500 and ts >= onset
            if ts < onset and full_month and is_big:
                rows = min(rows, 28000)
            dur = 180 + rows * rng.uniform(0.21, 0.26) + (rng.uniform(150, 400) if failed else 0)
            if failed:
                fails += 1
            durations.append(dur)
            exports.append((ts, clinic, failed, rows, dur))
        if n_exp:
            fdims = {"FunctionName": EXPORT_FN}
            metrics += [
                k.metric("AWS/Lambda", "Invocations", fdims, t, "Count", n_exp),
                k.metric("AWS/Lambda", "Errors", fdims, t, "Count", fails),
                k.metric("AWS/Lambda", "Throttles", fdims, t, "Count", 0),
                k.stat_metric("AWS/Lambda", "Duration", fdims, t, "Milliseconds", durations),
                k.metric(
                    "AWS/Lambda",
                    "ConcurrentExecutions",
                    fdims,
                    t,
                    "Count",
                    min(n_exp, max(1, round(sum(durations) / (period * 1000) + rng.random()))),
                ),
                k.metric("AWS/ApiGateway", "Count", exp_dims, t, "Count", n_exp),
                k.metric("AWS/ApiGateway", "5XXError", exp_dims, t, "Count", fails),
                k.metric("AWS/ApiGateway", "4XXError", exp_dims, t, "Count", 0),
                k.stat_metric(
                    "AWS/ApiGateway",
                    "Latency",
                    exp_dims,
                    t,
                    "Milliseconds",
                    [d + rng.uniform(20, 60) for d in durations],
                ),
            ]
        # whole API
        total = rpm * scale * rng.uniform(0.95, 1.05) + n_exp
        e4 = total * rng.uniform(0.004, 0.009)
        e5_other = 1 if rng.random() < 0.02 * scale else 0
        lat_avg = rng.uniform(85, 105)
        n = max(1, round(total))
        metrics += [
            k.metric("AWS/ApiGateway", "Count", api_dims, t, "Count", round(total)),
            k.metric("AWS/ApiGateway", "4XXError", api_dims, t, "Count", round(e4)),
            k.metric("AWS/ApiGateway", "5XXError", api_dims, t, "Count", fails + e5_other),
            k.stat_metric("AWS/ApiGateway", "Latency", api_dims, t, "Milliseconds", [1.0])
            | {
                "statistic_values": {
                    "SampleCount": float(n),
                    "Sum": round(lat_avg * n + sum(durations), 1),
                    "Minimum": float(rng.randint(8, 14)),
                    "Maximum": round(max([rng.uniform(900, 2500), *durations]), 1),
                }
            },
            k.stat_metric("AWS/ApiGateway", "IntegrationLatency", api_dims, t, "Milliseconds", [1.0])
            | {
                "statistic_values": {
                    "SampleCount": float(n),
                    "Sum": round((lat_avg - 12) * n + sum(durations), 1),
                    "Minimum": float(rng.randint(4, 9)),
                    "Maximum": round(max([rng.uniform(850, 2400), *durations]), 1),
                }
            },
        ]
        if total > 3:
            for fn, share, dur in ((appt_fn, 0.52, 48.0), (pat_fn, 0.3, 35.0)):
                inv = round(total * share * rng.uniform(0.95, 1.05))
                if inv <= 0:
                    continue
                fd = {"FunctionName": fn}
                metrics += [
                    k.metric("AWS/Lambda", "Invocations", fd, t, "Count", inv),
                    k.metric("AWS/Lambda", "Errors", fd, t, "Count", e5_other if fn == appt_fn else 0),
                    k.stat_metric("AWS/Lambda", "Duration", fd, t, "Milliseconds", [1.0])
                    | {
                        "statistic_values": {
                            "SampleCount": float(inv),
                            "Sum": round(dur * inv * rng.uniform(0.9, 1.1), 1),
                            "Minimum": round(rng.uniform(3, 6), 2),
                            "Maximum": round(rng.uniform(400, 1400), 2),
                        }
                    },
                ]
        rcu = total * 0.9 * rng.uniform(0.9, 1.1)
        metrics.append(
            k.stat_metric(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                {"TableName": "vetdesk-visits"},
                t,
                "Count",
                [1.0],
            )
            | {
                "statistic_values": {
                    "SampleCount": float(max(1, round(rcu / 4))),
                    "Sum": round(rcu * 1.5 + sum(e[3] for e in exports[len(exports) - n_exp :]) / 8, 1),
                    "Minimum": 0.5,
                    "Maximum": 128.0,
                }
            }
        )

    # ---- alarms (none fire: the failures are a small share of all API traffic)
    topic = f"arn:aws:sns:{region}:{acct}:vetdesk-platform-alerts"
    alarms: list[Json] = []
    ok = [
        (
            "vetdesk-public-5xx-rate",
            "AWS/ApiGateway",
            "5XXError",
            api_dims,
            "Average",
            300,
            3,
            0.05,
            "Share of vetdesk-public requests answered 5xx",
        ),
        (
            "vetdesk-public-latency-high",
            "AWS/ApiGateway",
            "Latency",
            api_dims,
            "Average",
            300,
            3,
            1500.0,
            "Average latency of vetdesk-public",
        ),
        (
            "vetdesk-appointments-api-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": appt_fn},
            "Sum",
            300,
            2,
            10.0,
            "appointments API function errors",
        ),
        (
            "vetdesk-patients-api-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": pat_fn},
            "Sum",
            300,
            2,
            10.0,
            "patients API function errors",
        ),
        (
            "vetdesk-visits-read-throttles",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            {"TableName": "vetdesk-visits"},
            "Sum",
            300,
            1,
            0.0,
            "Throttled reads on vetdesk-visits",
        ),
    ]
    for name, ns, mname, dims, stat, period, ev, th, desc in ok:
        alarms.append(
            k.ok_alarm(
                acct,
                region,
                name,
                desc,
                ns,
                mname,
                dims,
                stat,
                period,
                ev,
                th,
                "GreaterThanThreshold",
                start - timedelta(days=rng.randint(2, 30)),
                start - timedelta(days=rng.randint(90, 500)),
                [topic],
                "notBreaching",
            )
        )

    # ---- resources
    created = start - timedelta(days=rng.randint(400, 800))
    export_cfg_change = start + timedelta(days=1, hours=rng.randint(10, 15), minutes=rng.randint(0, 59))

    def fn_cfg(
        name: str, mem: int, timeout: int, handler: str, modified: datetime, env: dict[str, str], desc: str
    ) -> Json:
        return {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": name,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{name}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{name}",
                "Handler": handler,
                "CodeSize": rng.randint(900_000, 4_000_000),
                "Description": desc,
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": k.iso_ms(modified).replace("Z", "+0000"),
                "CodeSha256": k.alnum(rng, 43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": env},
                "TracingConfig": {"Mode": "Active"},
                "RevisionId": k.uid(rng),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
                "RuntimeVersionConfig": {
                    "RuntimeVersionArn": f"arn:aws:lambda:{region}::runtime:" + k.hexs(rng, 64)
                },
                "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            },
        }

    appt_deploy = onset - timedelta(minutes=rng.randint(11, 19), seconds=rng.randint(0, 59))
    api_deploy = onset - timedelta(minutes=rng.randint(21, 28), seconds=rng.randint(0, 59))
    deployment_id = k.alnum(rng, 6, upper=False)
    resources: list[Json] = [
        fn_cfg(
            EXPORT_FN,
            1536,
            28,
            "dist/handler.visitsReport",
            export_cfg_change,
            {
                "VISITS_TABLE": "vetdesk-visits",
                "CLINICS_TABLE": "vetdesk-clinics",
                "NODE_OPTIONS": "--enable-source-maps",
                "POWERTOOLS_SERVICE_NAME": "reports-export",
            },
            "Builds clinic visit reports (CSV/JSON) for the dashboard",
        ),
        fn_cfg(
            appt_fn,
            512,
            10,
            "dist/handler.main",
            appt_deploy,
            {"APPOINTMENTS_TABLE": "vetdesk-appointments", "POWERTOOLS_SERVICE_NAME": "appointments-api"},
            "Appointments API",
        ),
        fn_cfg(
            pat_fn,
            512,
            10,
            "dist/handler.main",
            start - timedelta(days=rng.randint(3, 20)),
            {"PATIENTS_TABLE": "vetdesk-patients", "POWERTOOLS_SERVICE_NAME": "patients-api"},
            "Patients API",
        ),
        fn_cfg(
            remind_fn,
            256,
            120,
            "dist/reminders.handler",
            start - timedelta(days=rng.randint(10, 60)),
            {"SMS_SENDER_ID": "VetDesk", "POWERTOOLS_SERVICE_NAME": "reminder-sender"},
            "Sends appointment reminders every 15 minutes",
        ),
        {
            "service": "apigateway",
            "type": "RestApi",
            "item": {
                "id": api_id,
                "name": API,
                "description": "VetDesk public API (dashboard and mobile)",
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": res_ids["root"],
                "tags": {"team": "platform"},
            },
        },
        {
            "service": "apigateway",
            "type": "RestApiStage",
            "item": {
                "restApiId": api_id,
                "deploymentId": deployment_id,
                "stageName": "prod",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 2000,
                        "throttlingRateLimit": 1000.0,
                        "cachingEnabled": False,
                        "cacheTtlInSeconds": 300,
                        "cacheDataEncrypted": False,
                        "requireAuthorizationForCacheControl": True,
                        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                    }
                },
                "accessLogSettings": {
                    "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                    '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
                    '"resourcePath":"$context.resourcePath","status":"$context.status",'
                    '"protocol":"$context.protocol","responseLength":"$context.responseLength",'
                    '"integrationStatus":"$context.integration.status",'
                    '"integrationLatency":"$context.integration.latency"}',
                    "destinationArn": f"arn:aws:logs:{region}:{acct}:log-group:/aws/apigateway/{API}/prod-access",
                },
                "tracingEnabled": True,
                "createdDate": k.iso(created),
                "lastUpdatedDate": k.iso(api_deploy),
            },
        },
    ]
    tree: list[tuple[str, str | None, str, str, Json | None]] = [
        ("root", None, "", "/", None),
        ("v1", "root", "v1", "/v1", None),
        ("clinics", "v1", "clinics", "/v1/clinics", None),
        ("cid", "clinics", "{clinicId}", "/v1/clinics/{clinicId}", {"GET": {}}),
        ("reports", "cid", "reports", "/v1/clinics/{clinicId}/reports", None),
        ("visits", "reports", "visits", EXPORT_PATH, {"GET": {}}),
        ("appointments", "v1", "appointments", "/v1/appointments", {"GET": {}, "POST": {}}),
        ("patients", "v1", "patients", "/v1/patients", {"GET": {}}),
        ("pid", "patients", "{patientId}", "/v1/patients/{patientId}", {"GET": {}, "PUT": {}}),
    ]
    for key, parent, part, path, methods in tree:
        item: Json = {"restApiId": api_id, "id": res_ids[key], "path": path}
        if parent:
            item["parentId"] = res_ids[parent]
            item["pathPart"] = part
        if methods:
            item["resourceMethods"] = methods
        resources.append({"service": "apigateway", "type": "RestApiResource", "item": item})
    for key, verb, fn in (
        ("visits", "GET", EXPORT_FN),
        ("appointments", "GET", appt_fn),
        ("appointments", "POST", appt_fn),
        ("pid", "GET", pat_fn),
        ("cid", "GET", pat_fn),
    ):
        resources.append(
            {
                "service": "apigateway",
                "type": "MethodIntegration",
                "item": {
                    "restApiId": api_id,
                    "resourceId": res_ids[key],
                    "httpMethod": verb,
                    "type": "AWS_PROXY",
                    "uri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                    f"arn:aws:lambda:{region}:{acct}:function:{fn}/invocations",
                    "passthroughBehavior": "WHEN_NO_MATCH",
                    "contentHandling": "CONVERT_TO_TEXT",
                    "timeoutInMillis": 29000,
                    "cacheNamespace": res_ids[key],
                    "cacheKeyParameters": [],
                },
            }
        )
    for tname, size in (("vetdesk-visits", rng.randint(40, 90)), ("vetdesk-clinics", 1)):
        resources.append(
            {
                "service": "dynamodb",
                "type": "TableDescription",
                "item": {
                    "TableName": tname,
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
                    "TableSizeBytes": size * 10**9,
                    "ItemCount": size * rng.randint(2, 4) * 10**6,
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "TableArn": f"arn:aws:dynamodb:{region}:{acct}:table/{tname}",
                    "TableId": k.uid(rng),
                    "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                    "DeletionProtectionEnabled": True,
                },
            }
        )
    for lg in (f"/aws/lambda/{EXPORT_FN}", f"/aws/lambda/{appt_fn}", f"/aws/apigateway/{API}/prod-access"):
        resources.append(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {
                    "logGroupName": lg,
                    "creationTime": k.ms(created),
                    "retentionInDays": 90,
                    "metricFilterCount": 0,
                    "arn": f"arn:aws:logs:{region}:{acct}:log-group:{lg}:*",
                    "storedBytes": rng.randint(10**8, 10**10),
                    "logGroupClass": "STANDARD",
                    "logGroupArn": f"arn:aws:logs:{region}:{acct}:log-group:{lg}",
                },
            }
        )
    resources.append(
        {
            "service": "iam",
            "type": "Role",
            "item": {
                "Path": "/",
                "RoleName": EXPORT_FN,
                "RoleId": "AROA" + k.alnum(rng, 17),
                "Arn": f"arn:aws:iam::{acct}:role/{EXPORT_FN}",
                "CreateDate": k.iso(created),
                "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22"
                "%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com"
                "%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
                "MaxSessionDuration": 3600,
            },
        }
    )
    resources.append(
        {
            "service": "lambda",
            "type": "FunctionConcurrency",
            "item": {"FunctionName": EXPORT_FN, "ReservedConcurrentExecutions": 50},
        }
    )

    # ---- logs
    logs: list[Json] = []
    lg_fn = f"/aws/lambda/{EXPORT_FN}"
    lg_acc = f"/aws/apigateway/{API}/prod-access"
    env_streams: list[tuple[str, datetime]] = []
    acc_streams: dict[str, str] = {}

    def acc_stream(t: datetime) -> str:
        day = t.strftime("%Y%m%d")
        if day not in acc_streams:
            acc_streams[day] = k.hexs(rng, 32)
        return acc_streams[day]

    def stream_for(t: datetime) -> tuple[str, bool]:
        live = [s for s in env_streams if t - s[1] < timedelta(minutes=40)]
        if live and rng.random() < 0.85:
            return rng.choice(live)[0], False
        name = f"{t:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
        env_streams.append((name, t))
        return name, True

    for ts, clinic, failed, rows, dur in sorted(exports):
        if ts > now:
            continue
        rid = k.uid(rng)
        stream, cold = stream_for(ts)
        tid = f"1-{int(ts.timestamp()):08x}-{k.hexs(rng, 24)}"
        base = k.ms(ts)
        full = rows > 3000 or rng.random() < 0.3
        rng_txt = (
            prev_range if (ts >= local_midnight and full) else (ts - timedelta(days=1)).strftime("%Y-%m-%d")
        )
        out = [
            (0, f"START RequestId: {rid} Version: $LATEST"),
            (
                int(dur * 0.35),
                f"{k.iso_ms(ts + timedelta(milliseconds=dur * 0.35))}\t{rid}\tINFO\t"
                + json.dumps(
                    {
                        "level": "INFO",
                        "message": "visits query complete",
                        "service": "reports-export",
                        "timestamp": k.iso_ms(ts + timedelta(milliseconds=dur * 0.35)),
                        "xray_trace_id": tid,
                        "clinicId": clinic,
                        "range": rng_txt,
                        "rows": rows,
                        "pages": rows // 1000 + 1,
                    },
                    separators=(",", ":"),
                ),
            ),
            (
                int(dur * 0.9),
                f"{k.iso_ms(ts + timedelta(milliseconds=dur * 0.9))}\t{rid}\tINFO\t"
                + json.dumps(
                    {
                        "level": "INFO",
                        "message": "report rendered",
                        "service": "reports-export",
                        "timestamp": k.iso_ms(ts + timedelta(milliseconds=dur * 0.9)),
                        "xray_trace_id": tid,
                        "clinicId": clinic,
                        "format": "csv",
                    },
                    separators=(",", ":"),
                ),
            ),
        ]
        if failed:
            at = int(dur) - 3
            out.append(
                (
                    at,
                    f"[ERROR] [{base + at}] LAMBDA_RUNTIME Failed to post handler success response. "
                    "Http response code: 413.",
                )
            )
        maxmem = int(min(1536, 180 + rows * (0.021 if failed else 0.019)))
        report = (
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
            f"Memory Size: 1536 MB\tMax Memory Used: {maxmem} MB\t"
        )
        if cold:
            report += f"Init Duration: {rng.uniform(380, 520):.2f} ms\t"
        report += f"\nXRAY TraceId: {tid}\tSegmentId: {k.hexs(rng, 16)}\tSampled: true\t"
        out += [(int(dur) + 1, f"END RequestId: {rid}"), (int(dur) + 1, report)]
        for d, msg in out:
            logs.append({"log_group": lg_fn, "log_stream": stream, "timestamp": base + d, "message": msg})
        api_rid = k.uid(rng)
        resp_bytes = rows * rng.uniform(182, 196) if not failed else 36.0
        logs.append(
            {
                "log_group": lg_acc,
                "log_stream": acc_stream(ts),
                "timestamp": base + int(dur) + 40,
                "message": json.dumps(
                    {
                        "requestId": api_rid,
                        "ip": f"{rng.choice([1, 49, 101, 110, 120, 203])}.{rng.randint(1, 254)}"
                        f".{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                        "requestTime": ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                        "httpMethod": "GET",
                        "resourcePath": EXPORT_PATH,
                        "status": "502" if failed else "200",
                        "protocol": "HTTP/1.1",
                        "responseLength": str(int(resp_bytes)),
                        "integrationStatus": "200",
                        "integrationLatency": str(int(dur) + 12),
                    },
                    separators=(",", ":"),
                ),
            }
        )
    # a sample of the rest of the API traffic
    other = [
        ("GET", "/v1/appointments", 200),
        ("POST", "/v1/appointments", 201),
        ("GET", "/v1/patients/{patientId}", 200),
        ("PUT", "/v1/patients/{patientId}", 200),
        ("GET", "/v1/clinics/{clinicId}", 200),
    ]
    for ts in k.every(rng, start, now, 140):
        tr = k.daily(ts, off, peak_h=12.5, floor=0.02)
        if rng.random() > tr:
            continue
        verb, path, st = rng.choice(other)
        if rng.random() < 0.01:
            st = rng.choice([400, 404, 409])
        logs.append(
            {
                "log_group": lg_acc,
                "log_stream": acc_stream(ts),
                "timestamp": k.ms(ts),
                "message": json.dumps(
                    {
                        "requestId": k.uid(rng),
                        "ip": f"{rng.choice([1, 49, 101, 110, 120, 203])}.{rng.randint(1, 254)}"
                        f".{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                        "requestTime": ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                        "httpMethod": verb,
                        "resourcePath": path,
                        "status": str(st),
                        "protocol": "HTTP/1.1",
                        "responseLength": str(rng.randint(120, 9000)),
                        "integrationStatus": str(st),
                        "integrationLatency": str(rng.randint(15, 140)),
                    },
                    separators=(",", ":"),
                ),
            }
        )
    # appointments-api: a few warnings, and its cold starts after the deploy
    lg_appt = f"/aws/lambda/{appt_fn}"
    for ts in k.every(rng, start, now, 3000):
        rid = k.uid(rng)
        logs.append(
            {
                "log_group": lg_appt,
                "log_stream": f"{ts:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}",
                "timestamp": k.ms(ts),
                "message": f"{k.iso_ms(ts)}\t{rid}\tWARN\t"
                + json.dumps(
                    {
                        "level": "WARN",
                        "message": "slot conflict on create, retrying with next slot",
                        "service": "appointments-api",
                        "clinicId": rng.choice(small),
                    },
                    separators=(",", ":"),
                ),
            }
        )
    logs = [x for x in logs if x["timestamp"] <= k.ms(now)]
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    # ---- CloudTrail
    sso_dev = k.Principal(
        rng,
        acct,
        "sso",
        f"AWSReservedSSO_Engineering_{k.hexs(rng, 16)}",
        rng.choice(["mia.tran", "josh.kelly", "ravi.menon"]) + "@vetdesk.com.au",
        k.public_ip(rng),
        k.CONSOLE_UA,
    )
    sso_ops = k.Principal(
        rng,
        acct,
        "sso",
        f"AWSReservedSSO_PlatformAdmin_{k.hexs(rng, 16)}",
        rng.choice(["erin.walsh", "dan.nguyen"]) + "@vetdesk.com.au",
        k.public_ip(rng),
        k.CLI_UA.format(cmd="lambda.update-function-configuration"),
    )
    ci = k.Principal(
        rng,
        acct,
        "role",
        "vetdesk-github-deploy",
        "GitHubActions",
        k.gha_ip(rng),
        k.GHA_UA.format(api="lambda"),
    )
    backup = k.Principal(
        rng,
        acct,
        "role",
        "AWSBackupDefaultServiceRole",
        "AWSBackup-AWSBackupDefaultServiceRole",
        "backup.amazonaws.com",
        "backup.amazonaws.com",
    )
    ct: list[Json] = []
    reads: list[tuple[str, str, Json | None]] = [
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": EXPORT_FN}),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("apigateway.amazonaws.com", "GetStage", {"restApiId": api_id, "stageName": "prod"}),
        ("apigateway.amazonaws.com", "GetResources", {"restApiId": api_id, "limit": 500}),
        ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/aws/lambda/vetdesk"}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "vetdesk"}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "vetdesk-visits"}),
    ]
    ct += k.readonly_noise(
        rng, [sso_dev, sso_ops], k.every(rng, start + timedelta(hours=6), now, 5000), region, reads
    )

    def lambda_deploy(fn: str, t: datetime) -> list[Json]:
        return [
            k.trail(
                rng,
                ci,
                t,
                region,
                "lambda.amazonaws.com",
                "UpdateFunctionCode20150331v2",
                {
                    "functionName": fn,
                    "publish": False,
                    "dryRun": False,
                    "s3Bucket": f"vetdesk-artifacts-{acct}",
                    "s3Key": f"{fn}/{k.hexs(rng, 40)}.zip",
                },
                {
                    "functionName": fn,
                    "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{fn}",
                    "runtime": "nodejs20.x",
                    "codeSize": rng.randint(900_000, 3_000_000),
                    "version": "$LATEST",
                    "lastModified": k.iso_ms(t).replace("Z", "+0000"),
                    "state": "Active",
                    "lastUpdateStatus": "InProgress",
                    "revisionId": k.uid(rng),
                },
            ),
            k.trail(
                rng,
                ci,
                t + timedelta(seconds=6),
                region,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                {"functionName": fn},
                None,
                True,
            ),
        ]

    ct += lambda_deploy(pat_fn, start + timedelta(hours=rng.randint(34, 38), minutes=rng.randint(0, 59)))
    ct += lambda_deploy(appt_fn, start + timedelta(hours=rng.randint(12, 15), minutes=rng.randint(0, 59)))
    ct += lambda_deploy(appt_fn, appt_deploy)
    ct.append(
        k.trail(
            rng,
            ci,
            api_deploy,
            region,
            "apigateway.amazonaws.com",
            "CreateDeployment",
            {
                "restApiId": api_id,
                "createDeploymentInput": {
                    "stageName": "prod",
                    "description": "pipeline run " + str(rng.randint(2000, 4000)),
                },
                "template": False,
            },
            {
                "id": deployment_id,
                "createdDate": k.iso(api_deploy),
                "self": {"restApiId": api_id, "deploymentId": deployment_id},
            },
        )
    )
    ct.append(
        k.trail(
            rng,
            sso_ops,
            export_cfg_change,
            region,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            {"functionName": EXPORT_FN, "memorySize": 1536},
            {
                "functionName": EXPORT_FN,
                "functionArn": fn_arn,
                "runtime": "nodejs20.x",
                "memorySize": 1536,
                "timeout": 28,
                "version": "$LATEST",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "revisionId": k.uid(rng),
            },
        )
    )
    ct.append(
        k.trail(
            rng,
            sso_dev,
            onset - timedelta(minutes=rng.randint(3, 9)),
            region,
            "events.amazonaws.com",
            "PutRule",
            {
                "name": "vetdesk-reminder-sender-schedule",
                "scheduleExpression": "rate(10 minutes)",
                "state": "ENABLED",
            },
            {"ruleArn": f"arn:aws:events:{region}:{acct}:rule/vetdesk-reminder-sender-schedule"},
        )
    )
    for d in range(3):
        t = start + timedelta(days=d, hours=15, minutes=rng.randint(0, 30))
        ct.append(
            k.trail(
                rng,
                backup,
                t,
                region,
                "dynamodb.amazonaws.com",
                "CreateBackup",
                {"tableName": "vetdesk-visits", "backupName": f"vetdesk-visits_{k.hexs(rng, 8)}"},
                {
                    "backupDetails": {
                        "backupName": "vetdesk-visits",
                        "backupStatus": "CREATING",
                        "backupType": "AWS_BACKUP",
                    }
                },
            )
        )
    ct = [r for r in ct if r["eventTime"] <= k.iso(now)]
    ct.sort(key=lambda r: r["eventTime"])

    local = onset + timedelta(hours=off)
    approx = local - timedelta(minutes=local.minute % 15)
    hour12 = approx.hour % 12 or 12
    question = (
        f"Support have had calls since about {hour12}:{approx.minute:02d} this morning: a few of our bigger "
        "clinics say downloading last month's visits report from the dashboard just fails with 'Internal "
        "server error'. Small clinics seem fine and the rest of the app works. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Australia/Sydney"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": EXPORT_FN,
                    "category": "limit",
                    "failure_mode": "lambda-sync-response-payload-limit",
                    "event_id": None,
                },
                "also_accept": [fn_arn],
                "actions": ["reconfigure"],
                "chain": [
                    "full-month visit reports for the largest clinics exceed 6 MB (6,291,556 bytes)",
                    f"{EXPORT_FN} response rejected by the Lambda runtime API (413); invocation counted as an error",
                    f"{API} prod answers 502 on GET {EXPORT_PATH}",
                    "bigger clinics cannot download last month's visits report",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {"metrics": metrics, "alarms": alarms, "logs": logs, "cloudtrail": ct, "resources": resources},
    )
