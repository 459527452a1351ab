"""Refill-status requests fail more and more through the afternoon: Lambda's automatic runtime update
moved the function (runtime management mode Auto) to a new Python runtime version whose bundled urllib3
is 2.x; the function's shared layer pins an old botocore that imports `DEFAULT_CIPHERS`, so every new
execution environment fails its init with Runtime.ImportModuleError while warm old ones keep serving.
Nothing in the account changed the function; a code deploy of a sibling function is innocent."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzm import (
    Ctx,
    Row,
    emit_api,
    emit_cloudfront,
    emit_lambda,
    emit_table_reads,
    local_clock,
    scheduled_job,
    tooling,
)

NAME = "refill-runtime-auto-update-import"
TITLE = "Refill status page failing for a growing share of patients since early afternoon"
SUMMARY = "An automatic Lambda runtime update breaks a function whose layer pins an old botocore; new environments fail init."


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME, onset_hour=(20, 22))
    r = ctx.r
    zone = "America/Los_Angeles"
    brand = r.choice(["larkspur", "willowrx", "pillpost", "medbay"])
    api_name = f"{brand}-refill-api"
    status_fn, submit_fn, sync_fn, notify_fn = (
        f"{brand}-refill-status",
        f"{brand}-refill-submit",
        f"{brand}-prescriber-sync",
        f"{brand}-refill-notify",
    )
    table = f"{brand}-refills"
    access_group = f"API-Gateway-Access-Logs_{api_name}/prod"
    fmt = (
        '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
        '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",'
        '"protocol":"$context.protocol","responseLength":"$context.responseLength",'
        '"responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",'
        '"errorMessage":"$context.error.message"}'
    )
    topic = ctx.topic(f"{brand}-api-alerts")
    api_id, _ = ctx.rest_api(api_name, "prod", access_group, fmt)
    ctx.role(f"{brand}-refill-lambda", "lambda.amazonaws.com")
    v_old = r.randint(38, 52)
    v_new = v_old + 1
    arn_old = f"arn:aws:lambda:{ctx.region}::runtime:{ctx.hexs(64)}"
    arn_new = f"arn:aws:lambda:{ctx.region}::runtime:{ctx.hexs(64)}"
    layer_v = r.randint(11, 19)
    layer = ctx.arn("lambda", f"layer:{brand}-shared-deps:{layer_v}")
    ctx.function(
        status_fn,
        f"{brand}-refill-lambda",
        runtime="python3.11",
        memory=512,
        timeout=8,
        modified=ctx.start - timedelta(days=r.randint(20, 70)),
        runtime_arn=arn_new,
        layers=[layer],
        env={"TABLE_NAME": table, "LOG_LEVEL": "INFO"},
        code_size=r.randint(40_000, 90_000),
    )
    submit_deploy_t = ctx.onset - timedelta(minutes=r.randint(30, 55))
    ctx.function(
        submit_fn,
        f"{brand}-refill-lambda",
        runtime="python3.11",
        memory=512,
        timeout=8,
        modified=submit_deploy_t,
        runtime_arn=arn_new,
        env={"TABLE_NAME": table},
        code_size=r.randint(9_000_000, 14_000_000),
    )
    ctx.function(
        sync_fn,
        f"{brand}-refill-lambda",
        runtime="python3.11",
        memory=1024,
        timeout=120,
        runtime_arn=arn_old,
        env={"TABLE_NAME": table},
        code_size=r.randint(9_000_000, 14_000_000),
    )
    ctx.function(
        notify_fn,
        f"{brand}-refill-lambda",
        runtime="nodejs20.x",
        handler="index.handler",
        memory=256,
        timeout=10,
        runtime_arn=f"arn:aws:lambda:{ctx.region}::runtime:{ctx.hexs(64)}",
    )
    ctx.table(
        table, [("patientId", "S", "HASH"), ("refillId", "S", "RANGE")], items=r.randint(1_000_000, 6_000_000)
    )
    pool = ctx.user_pool(f"{brand}-patients")
    ctx.log_group(access_group, 90)
    for fname in (status_fn, submit_fn, sync_fn, notify_fn):
        ctx.log_group(f"/aws/lambda/{fname}", 30)
    dist_id = "E" + ctx.alnum(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    onset_m = ctx.onset.replace(second=0)
    tau = r.uniform(16, 24)

    def broken(t: datetime) -> float:
        """Share of invocations landing on a new (failing) environment."""
        if t < onset_m:
            return 0.0
        m = (t - onset_m).total_seconds() / 60
        return min(0.9, 0.9 * (1 - math.exp(-m / tau)))

    base = r.uniform(260, 420)
    api_rows: dict[datetime, Row] = {}
    st_rows: dict[datetime, Row] = {}
    sub_rows: dict[datetime, Row] = {}
    cf_rows: dict[datetime, Row] = {}
    ddb: dict[datetime, Row] = {}
    for t in ctx.minutes():
        n = ctx.diurnal(t, base)
        subs = n * r.uniform(0.08, 0.12)
        f = broken(t)
        fails = n * f
        dur = (r.uniform(70, 110) * (1 - f)) + f * r.uniform(1300, 1700)
        st_rows[t] = {
            "inv": n,
            "err": fails + r.choice([0, 0, 0, 1]),
            "dur": dur,
            "conc": n / 60 * dur / 1000 * 2,
        }
        sub_rows[t] = {
            "inv": subs,
            "err": r.choice([0, 0, 0, 0, 1]),
            "dur": r.uniform(140, 210),
            "conc": max(1, subs / 60 * 0.4),
        }
        api_rows[t] = {
            "count": n + subs,
            "e4": (n + subs) * r.uniform(0.01, 0.02),
            "e5": fails + r.choice([0, 0, 1]),
            "lat": dur + 16,
            "integ": dur + 5,
        }
        cf_rows[t] = {
            "req": (n + subs) * 2.6,
            "r4": r.uniform(0.8, 1.5),
            "r5": fails / ((n + subs) * 2.6) * 100,
            "bytes": (n + subs) * 2.6 * r.uniform(9000, 12000),
        }
        ddb[t] = {"rcu": n * (1 - f) * 1.5, "n": n * (1 - f), "lat": r.uniform(2.8, 4.1)}
    emit_api(ctx, api_name, "prod", api_rows)
    emit_lambda(ctx, status_fn, st_rows)
    emit_lambda(ctx, submit_fn, sub_rows)
    emit_cloudfront(ctx, dist_id, cf_rows)
    emit_table_reads(ctx, table, ddb)
    scheduled_job(
        ctx,
        sync_fn,
        15,
        1024,
        8200,
        [
            "[INFO]\t{ts}\t{rid}\tprescriber sync: fetched 212 updates from partner feed\n",
            "[INFO]\t{ts}\t{rid}\tprescriber sync: wrote 212 items, 0 conflicts\n",
        ],
    )

    # --- logs of refill-status -------------------------------------------------------------------
    def init_line(v: int, a: str) -> str:
        return f"INIT_START Runtime Version: python:3.11.v{v}\tRuntime Version ARN: {a}\n"

    old_streams = []
    for _ in range(5):
        s0 = ctx.stream_name(ctx.start)
        old_streams.append(s0)
        ctx.lambda_invocation(
            status_fn,
            s0,
            ctx.start + timedelta(seconds=r.randint(1, 50)),
            r.uniform(300, 600),
            512,
            r.randint(82, 90),
            init=r.uniform(600, 900),
            runtime_line=init_line(v_old, arn_old),
            body=["[INFO]\t{ts}\t{rid}\tGET /refills status patient=*** items=3\n"],
        )
    for t in ctx.minutes(ctx.start + timedelta(minutes=1)):
        f = broken(t)
        alive = max(1, round(len(old_streams) * (1 - f / 0.9 * 0.85)))
        for _ in range(3):
            at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            if r.random() < f:
                s = ctx.stream_name(at)
                ctx.logs.append(
                    {
                        "log_group": f"/aws/lambda/{status_fn}",
                        "log_stream": s,
                        "timestamp": int(at.timestamp() * 1000) - 1500,
                        "message": init_line(v_new, arn_new),
                    }
                )
                ctx.logs.append(
                    {
                        "log_group": f"/aws/lambda/{status_fn}",
                        "log_stream": s,
                        "timestamp": int(at.timestamp() * 1000) - 900,
                        "message": "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': cannot import "
                        "name 'DEFAULT_CIPHERS' from 'urllib3.util.ssl_' (/var/runtime/urllib3/util/ssl_.py)\n"
                        "Traceback (most recent call last):\n",
                    }
                )
                ctx.logs.append(
                    {
                        "log_group": f"/aws/lambda/{status_fn}",
                        "log_stream": s,
                        "timestamp": int(at.timestamp() * 1000) - 880,
                        "message": f"INIT_REPORT Init Duration: {r.uniform(560, 760):.2f} ms\tPhase: init\t"
                        "Status: error\tError Type: Runtime.ImportModuleError\n",
                    }
                )
                ctx.lambda_invocation(
                    status_fn,
                    s,
                    at,
                    r.uniform(600, 800),
                    512,
                    r.randint(70, 78),
                    body=[
                        "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': cannot import "
                        "name 'DEFAULT_CIPHERS' from 'urllib3.util.ssl_' (/var/runtime/urllib3/util/ssl_.py)\n"
                        "Traceback (most recent call last):\n"
                    ],
                    status_error="Runtime.ImportModuleError",
                )
            else:
                s = r.choice(old_streams[:alive])
                ctx.lambda_invocation(
                    status_fn,
                    s,
                    at,
                    r.uniform(45, 160),
                    512,
                    r.randint(84, 96),
                    body=[
                        f"[INFO]\t{{ts}}\t{{rid}}\tGET /refills status patient=*** items={r.randint(0, 9)}\n"
                    ],
                )
        if t < onset_m and r.random() < 0.08:
            s = ctx.stream_name(t)
            old_streams.append(s)
            ctx.lambda_invocation(
                status_fn,
                s,
                t + timedelta(seconds=3),
                r.uniform(300, 600),
                512,
                r.randint(82, 90),
                init=r.uniform(600, 900),
                runtime_line=init_line(v_old, arn_old),
                body=["[INFO]\t{ts}\t{rid}\tGET /refills status patient=*** items=2\n"],
            )
    # refill-submit picked up the new runtime too, at its deploy, and is fine
    sub_stream = ctx.stream_name(submit_deploy_t)
    for i, t in enumerate(ctx.minutes(submit_deploy_t + timedelta(minutes=1))):
        ctx.lambda_invocation(
            submit_fn,
            sub_stream,
            t + timedelta(seconds=r.randint(0, 59)),
            r.uniform(120, 240),
            512,
            r.randint(118, 130),
            init=r.uniform(900, 1300) if i == 0 else None,
            runtime_line=init_line(v_new, arn_new) if i == 0 else None,
            body=[
                "[INFO]\t{ts}\t{rid}\tPOST /refills accepted refill=*** store="
                + str(r.randint(100, 999))
                + "\n"
            ],
        )
    for t in ctx.minutes():
        for _ in range(2):
            at = t + timedelta(seconds=r.randint(0, 59))
            if r.random() < broken(t):
                ctx.access_log(
                    access_group,
                    api_id,
                    "prod",
                    at,
                    "GET",
                    "/refills",
                    502,
                    r.randint(620, 820),
                    r.randint(600, 800),
                    36,
                    "Internal server error",
                )
            else:
                lat = r.randint(50, 170)
                ctx.access_log(
                    access_group,
                    api_id,
                    "prod",
                    at,
                    "GET",
                    "/refills",
                    200,
                    lat + 14,
                    lat,
                    r.randint(400, 3000),
                )

    # --- CloudTrail ------------------------------------------------------------------------------
    tooling(ctx, [status_fn, submit_fn, sync_fn, notify_fn], [table], api_id, n=36)
    ci = ctx.role_identity(f"{brand}-gha-deploy", "GitHubActions")
    sub_ver = str(r.randint(40, 90))
    ci_agent = (
        "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0"
    )
    ctx.trail(
        submit_deploy_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": submit_fn, "publish": True, "dryRun": False},
        {
            "functionName": submit_fn,
            "functionArn": ctx.arn("lambda", f"function:{submit_fn}:{sub_ver}"),
            "runtime": "python3.11",
            "version": sub_ver,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "runtimeVersionConfig": {"runtimeVersionArn": arn_new},
        },
        agent=ci_agent,
    )
    ctx.trail(
        submit_deploy_t + timedelta(seconds=20),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        {"functionName": submit_fn},
        None,
        read_only=True,
        agent=ci_agent,
    )
    ctx.trail(
        submit_deploy_t + timedelta(seconds=35),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ci,
        {"functionName": submit_fn, "name": "live", "functionVersion": sub_ver},
        {
            "aliasArn": ctx.arn("lambda", f"function:{submit_fn}:live"),
            "name": "live",
            "functionVersion": sub_ver,
            "revisionId": ctx.uid(),
        },
        agent=ci_agent,
    )
    dev = ctx.role_identity(
        f"AWSReservedSSO_Developer_{ctx.hexs(16)}",
        f"{r.choice(['aiko', 'ben', 'carla', 'dev'])}@{brand}.com",
        console=True,
    )
    for k in range(4):
        t = ctx.onset + timedelta(minutes=18 + 4 * k)
        ctx.trail(
            t,
            "lambda.amazonaws.com",
            r.choice(["GetFunction20150331v2", "ListFunctions20150331"]),
            dev,
            {"functionName": status_fn},
            None,
            read_only=True,
            agent="AWS Internal",
            console=True,
        )
    ctx.trail(
        ctx.onset + timedelta(minutes=29),
        "logs.amazonaws.com",
        "StartQuery",
        dev,
        {
            "logGroupNames": [f"/aws/lambda/{submit_fn}"],
            "queryString": "fields @timestamp, @message | filter @message like /ERROR/",
        },
        {"queryId": ctx.uid()},
        read_only=True,
        agent="AWS Internal",
        console=True,
    )
    for _ in range(3):
        t = ctx.start + timedelta(minutes=r.randint(5, 200))
        ctx.trail(
            t,
            "cognito-idp.amazonaws.com",
            "AdminDisableUser",
            dev,
            {"userPoolId": pool, "username": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            None,
            agent="AWS Internal",
            console=True,
        )

    # --- alarms ----------------------------------------------------------------------------------
    a, ta = ctx.auto_alarm(
        f"{status_fn}-errors",
        "refill-status function errors >= 15/min, 5 of 5",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": status_fn},
        threshold=15,
        evals=5,
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{sync_fn}-duration",
        "prescriber sync running long",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": sync_fn},
        stat="Maximum",
        period=900,
        evals=1,
        threshold=10_500,
        op="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{api_name}-prod-latency-p99",
        "refill API p99 latency",
        "AWS/ApiGateway",
        "Latency",
        {"ApiName": api_name, "Stage": "prod"},
        stat="p99",
        period=300,
        evals=3,
        threshold=7000,
        op="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{submit_fn}-errors",
        "refill-submit errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": submit_fn},
        threshold=10,
        evals=3,
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{api_name}-prod-5xx",
        "refill API 5XX",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": api_name, "Stage": "prod"},
        threshold=30,
        evals=3,
        actions=[topic],
    )
    event = ctx.event_for(a, ta)
    q = (
        f"Pharmacy support says the refill status screen shows 'something went wrong' for more and more patients, "
        f"first reports around {local_clock(ctx.onset + timedelta(minutes=8), zone)}. The submit service was deployed "
        "this afternoon, could that have broken it?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": status_fn,
            "category": "system_change",
            "failure_mode": "lambda-managed-runtime-update-breaks-init",
        },
        "also_accept": [ctx.arn("lambda", f"function:{status_fn}"), arn_new, layer],
        "actions": ["rollback", "upgrade"],
        "chain": [arn_new, status_fn, api_name],
    }
    return ctx.bundle(TITLE, q, zone, truth, event)
