"""Tenant API 5xx alarm: report exports time out after a Lambda right-sizing pass cut one function's timeout."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzzn import World, access_line, iso, std_ct_noise

NAME = "report-export-502s-after-rightsizing"
TITLE = "tenant-api prod 5XX rate alarm in the afternoon; exports failing for some customers"
SUMMARY = (
    "A right-sizing pass lowered the report-export function's timeout below its normal run time; "
    "long exports time out and API Gateway returns 502."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    start = w.day + timedelta(hours=r.randint(9, 11), minutes=r.choice([0, 5, 10, 15, 20]))
    onset = start + timedelta(hours=3, minutes=r.randint(15, 40))
    now = onset + timedelta(minutes=r.randint(38, 55))
    api_id = w.alnum(10)
    stage = "prod"
    api_name = "tenant-api"
    access_group = f"API-Gateway-Access-Logs_{api_id}/{stage}"
    waf_arn = f"arn:aws:wafv2:{w.region}:{w.account}:regional/webacl/tenant-api-acl/{w.uid()}"
    pool_id = f"{w.region}_{w.alnum(9).upper()}"
    new_timeout = r.choice([5, 6])
    reports, profile, hooks, auth = (
        "tenant-reports-api",
        "tenant-profile-api",
        "webhooks-dispatcher",
        "tenant-api-authorizer",
    )
    change_at = onset - timedelta(minutes=r.randint(1, 3))
    hooks_deploy = onset - timedelta(minutes=r.randint(30, 50))

    # --- resources -------------------------------------------------------------------------
    w.rest_api(api_id, api_name, stage, w.alnum(6), access_group, waf_arn)
    w.res(
        "logs",
        "LogGroup",
        {"logGroupName": access_group, "creationTime": 1600000000000, "retentionInDays": 14},
    )
    w.usage_plan(w.alnum(6), "standard", api_id, stage, 50.0, 100, 2_000_000)
    w.usage_plan(w.alnum(6), "enterprise", api_id, stage, 500.0, 1000, 50_000_000)
    w.user_pool(pool_id, "tenant-users")
    w.lambda_fn(
        reports, "nodejs20.x", 512, new_timeout, change_at, {"EXPORT_BUCKET": "tenant-report-exports"}
    )
    w.lambda_fn(profile, "nodejs20.x", 512, 10, change_at + timedelta(seconds=40), {"TABLE": "tenants"})
    w.lambda_fn(hooks, "python3.12", 256, 10, hooks_deploy, {"QUEUE": "webhook-deliveries"}, "app.handler")
    w.lambda_fn(auth, "nodejs20.x", 256, 5, w.day - timedelta(days=41), {"USER_POOL_ID": pool_id})
    w.table("tenants", "tenantId", r.randint(900, 3000))
    w.table("report-jobs", "tenantId", r.randint(2_000_000, 6_000_000))

    # --- CloudTrail ------------------------------------------------------------------------
    std_ct_noise(w, start, now, ["tenants", "report-jobs"], 44)
    user = r.choice(["dana.kowalski", "m.okafor", "priya.raman", "j.lindqvist"])
    sso = w.sso_identity(user)
    console = "console.amazonaws.com"
    for fn in (reports, profile, hooks):
        w.ct(
            change_at - timedelta(minutes=6, seconds=r.randint(0, 50)),
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            sso,
            {"functionName": fn},
            None,
            read_only=True,
            agent=console,
        )

    def cfg_response(fn: str, mem: int, to: int, t: datetime, rt: str = "nodejs20.x") -> dict[str, Any]:
        return {
            "functionName": fn,
            "functionArn": w.arn("lambda", f"function:{fn}"),
            "runtime": rt,
            "role": f"arn:aws:iam::{w.account}:role/{fn}-role",
            "handler": "index.handler",
            "codeSize": r.randint(500_000, 4_000_000),
            "description": "",
            "timeout": to,
            "memorySize": mem,
            "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": w.alnum(43) + "=",
            "version": "$LATEST",
            "tracingConfig": {"mode": "PassThrough"},
            "revisionId": w.uid(),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        }

    culprit = w.ct(
        change_at,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        sso,
        {"functionName": reports, "memorySize": 512, "timeout": new_timeout},
        cfg_response(reports, 512, new_timeout, change_at),
        agent=console,
    )
    w.ct(
        change_at + timedelta(seconds=40),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        sso,
        {"functionName": profile, "memorySize": 512, "timeout": 10},
        cfg_response(profile, 512, 10, change_at + timedelta(seconds=40)),
        agent=console,
    )
    w.ct(
        change_at + timedelta(seconds=95),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        sso,
        {"functionName": hooks, "memorySize": 256},
        cfg_response(hooks, 256, 10, change_at + timedelta(seconds=95), "python3.12"),
        agent=console,
    )
    ci = w.role_identity("github-actions-deploy", "GitHubActions")
    w.ct(
        hooks_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": hooks,
            "publish": False,
            "s3Bucket": "saas-artifacts-" + w.account,
            "s3Key": f"webhooks-dispatcher/{w.hexid(40)}.zip",
        },
        {
            "functionName": hooks,
            "codeSha256": w.alnum(43) + "=",
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
        },
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22",
    )
    ipset_t = onset - timedelta(minutes=r.randint(14, 26))
    sec = w.role_identity("security-automation", "ipset-sync")
    w.ct(
        ipset_t,
        "wafv2.amazonaws.com",
        "UpdateIPSet",
        sec,
        {
            "name": "blocked-scanners",
            "scope": "REGIONAL",
            "id": w.uid(),
            "addresses": [f"{w.ip()}/32" for _ in range(4)],
            "lockToken": w.uid(),
        },
        {"nextLockToken": w.uid()},
    )
    w.ct(
        start + timedelta(minutes=r.randint(20, 80)),
        "cognito-idp.amazonaws.com",
        "UpdateUserPoolClient",
        w.sso_identity("s.mbeki"),
        {
            "userPoolId": pool_id,
            "clientId": w.alnum(26),
            "clientName": "partner-portal",
            "refreshTokenValidity": 30,
            "accessTokenValidity": 60,
        },
        None,
        agent=console,
    )
    for k in range(4):
        w.ct(
            start + timedelta(minutes=45 * k + r.randint(0, 30)),
            "apigateway.amazonaws.com",
            "GetUsage",
            w.role_identity("billing-usage-exporter-role", "billing-usage-exporter"),
            {
                "usagePlanId": w.alnum(6),
                "startDate": (w.day - timedelta(days=w.day.day - 1)).strftime("%Y-%m-%d"),
                "endDate": w.day.strftime("%Y-%m-%d"),
            },
            None,
            read_only=True,
        )

    # --- metrics ---------------------------------------------------------------------------
    times = w.minutes(start, now)
    dims_api = {"ApiName": api_name, "Stage": stage}
    base = r.randint(900, 1400)
    jitter = {t: r.random() for t in times}

    def load(t: datetime) -> int:
        h = (t - start).total_seconds() / 3600
        return int(base * (1 + 0.15 * math.sin(h / 2)) * (0.92 + 0.16 * jitter[t]))

    exports_share = r.uniform(0.05, 0.08)
    # fraction of exports that run longer than the new timeout
    over = r.uniform(0.35, 0.5)

    def export_n(t: datetime) -> int:
        return int(load(t) * exports_share)

    def export_fail(t: datetime) -> int:
        if t < change_at + timedelta(seconds=30):
            return 1 if jitter[t] > 0.97 else 0
        return int(export_n(t) * over * (0.85 + 0.3 * jitter[t]))

    w.count_series("AWS/ApiGateway", "Count", dims_api, times, lambda t: float(load(t)))
    w.rate_series(
        "AWS/ApiGateway",
        "5XXError",
        dims_api,
        times,
        lambda t: (load(t), export_fail(t) + (1 if jitter[t] > 0.9 else 0)),
    )
    w.rate_series(
        "AWS/ApiGateway",
        "4XXError",
        dims_api,
        times,
        lambda t: (load(t), int(load(t) * (0.018 + 0.01 * jitter[t]))),
    )
    w.latency_series(
        "AWS/ApiGateway",
        "Latency",
        dims_api,
        times,
        lambda t: (load(t), 85 + 20 * jitter[t], 6200.0 if t < change_at else new_timeout * 1000 + 60.0),
    )
    w.latency_series(
        "AWS/ApiGateway",
        "IntegrationLatency",
        dims_api,
        times,
        lambda t: (load(t), 70 + 20 * jitter[t], 6100.0 if t < change_at else new_timeout * 1000 + 20.0),
    )
    for fn, share, med, tail in (
        (reports, exports_share, 2600.0, 11500.0),
        (profile, 0.45, 42.0, 310.0),
        (auth, 0.2, 18.0, 120.0),
    ):
        d = {"FunctionName": fn}

        def invocations(t: datetime, s: float = share) -> float:
            return float(int(load(t) * s))

        def duration(t: datetime, m: float = med, tl: float = tail) -> tuple[int, float, float]:
            return (int(load(t) * 0.3), m, tl)

        w.count_series("AWS/Lambda", "Invocations", d, times, invocations)
        if fn == reports:
            w.count_series("AWS/Lambda", "Errors", d, times, lambda t: float(export_fail(t)))
            w.latency_series(
                "AWS/Lambda",
                "Duration",
                d,
                times,
                lambda t: (export_n(t), 2600.0, 11500.0 if t < change_at else new_timeout * 1000.0),
            )
        else:
            w.count_series("AWS/Lambda", "Errors", d, times, lambda t: 1.0 if jitter[t] > 0.985 else 0.0)
            w.latency_series(
                "AWS/Lambda",
                "Duration",
                d,
                times,
                duration,
            )
        w.count_series("AWS/Lambda", "Throttles", d, times, lambda t: 0.0)
    hd = {"FunctionName": hooks}
    w.count_series("AWS/Lambda", "Invocations", hd, times, lambda t: float(40 + int(30 * jitter[t])))
    w.count_series("AWS/Lambda", "Errors", hd, times, lambda t: float(int(jitter[t] * 3)))
    w.latency_series("AWS/Lambda", "Duration", hd, times, lambda t: (40, 380.0, 2900.0))
    for tbl in ("tenants", "report-jobs"):
        td = {"TableName": tbl}
        w.count_series("AWS/DynamoDB", "ConsumedReadCapacityUnits", td, times, lambda t: float(load(t) * 0.8))
        w.count_series(
            "AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, times, lambda t: float(int(load(t) * 0.05))
        )

    # --- logs ------------------------------------------------------------------------------
    rstreams = [w.lambda_stream(start) for _ in range(3)]
    rstreams_new = [w.lambda_stream(change_at) for _ in range(4)]
    for i, t in enumerate(times[::3]):
        after = t > change_at + timedelta(seconds=30)
        stream = (rstreams_new if after else rstreams)[i % (4 if after else 3)]
        tenant = f"tn_{r.choice(['8f21', '03ac', '5d9e', 'b771', 'c402', '19fe'])}"
        dur = r.choice([900.0, 1800.0, 2600.0, 3400.0, 5200.0, 7800.0, 9900.0]) + r.random() * 300
        lines = [f"INFO\texport started tenant={tenant} format=csv rows_estimate={r.randint(2_000, 400_000)}"]
        if after and dur > new_timeout * 1000:
            w.lambda_invocation(
                f"/aws/lambda/{reports}",
                stream,
                t,
                new_timeout * 1000.0 + r.random() * 20,
                512,
                r.randint(300, 505),
                lines,
                float(new_timeout),
            )
        else:
            w.lambda_invocation(
                f"/aws/lambda/{reports}",
                stream,
                t,
                dur,
                1024 if not after else 512,
                r.randint(260, 480),
                [*lines, f"INFO\texport complete tenant={tenant} key=exports/{tenant}/{w.hexid(12)}.csv.gz"],
            )
    hstream = w.lambda_stream(hooks_deploy)
    for t in times[::7]:
        msg = ["[INFO]\tdelivered webhook endpoint_id=" + w.hexid(8) + " status=200"]
        if r.random() < 0.2:
            msg = ["[WARNING]\tdelivery failed endpoint_id=" + w.hexid(8) + " status=503, will retry"]
        w.lambda_invocation(f"/aws/lambda/{hooks}", hstream, t, 300 + r.random() * 400, 256, 88, msg)
    astream = w.hexid(32)
    for t in times[::2]:
        export = r.random() < 0.3
        after = t > change_at + timedelta(seconds=30)
        status = "200"
        err = "-"
        lat = str(r.randint(20, 200))
        path = "/v1/tenants/{tenantId}/profile"
        if export:
            path = "/v1/reports/{reportId}/export"
            if after and r.random() < over:
                status, err, lat = "502", "Internal server error", str(new_timeout * 1000 + r.randint(5, 40))
            else:
                lat = str(r.randint(800, 5000))
        elif r.random() < 0.03:
            status, err = "401", "Unauthorized"
        w.log(
            access_group,
            astream,
            t,
            access_line(
                w.uid(),
                w.ip(),
                t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "POST" if export else "GET",
                path,
                status,
                r.randint(30, 4000),
                w.alnum(10),
                f"tn_{w.hexid(4)}",
                lat,
                err,
            ),
        )

    # --- alarms ----------------------------------------------------------------------------
    topic = w.arn("sns", "platform-oncall")
    first_bad = change_at + timedelta(minutes=4)
    fire = first_bad.replace(second=0) + timedelta(minutes=3)
    a5 = w.alarm(
        "tenant-api-prod-5xx-rate",
        "AWS/ApiGateway",
        "5XXError",
        dims_api,
        "Average",
        0.01,
        evals=3,
        state="ALARM",
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (0.01).",
        updated=fire,
        topic=topic,
        desc="tenant-api prod 5xx above 1% for 3 minutes",
    )
    w.transition(a5, fire, "OK", "ALARM", a5["StateReason"])
    w.alarm(
        "tenant-api-prod-latency-p99",
        "AWS/ApiGateway",
        "Latency",
        dims_api,
        "Maximum",
        10000,
        evals=5,
        state="OK",
        updated=start - timedelta(days=2),
        topic=topic,
    )
    flap = w.alarm(
        "webhooks-dispatcher-errors",
        "AWS/Lambda",
        "Errors",
        hd,
        "Sum",
        2,
        evals=1,
        state="OK",
        updated=now - timedelta(minutes=r.randint(20, 60)),
        topic=topic,
    )
    for k in range(3):
        t = start + timedelta(minutes=40 + 55 * k + r.randint(0, 20))
        w.transition(
            flap,
            t,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [3.0] was greater than the threshold (2.0).",
        )
        w.transition(
            flap,
            t + timedelta(minutes=r.randint(2, 6)),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (2.0).",
        )
    w.alarm(
        "tenants-table-read-throttles",
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        {"TableName": "tenants"},
        "Sum",
        0,
        evals=2,
        updated=start - timedelta(days=9),
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": w.account,
            "region": w.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": None,
                "alarm_event": w.alarm_event(a5, fire, a5["StateReason"], start - timedelta(days=3)),
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": reports,
                    "category": "change",
                    "failure_mode": "lambda-timeout-lowered-below-runtime",
                    "event_id": culprit,
                },
                "also_accept": [w.arn("lambda", f"function:{reports}")],
                "actions": ["rollback", "reconfigure"],
                "chain": [reports, f"{api_name}/{stage}"],
            },
        }
    )
    return Bundle(manifest, w.records())
