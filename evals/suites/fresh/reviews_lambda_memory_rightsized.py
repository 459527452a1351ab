"""Product reviews fail to load for many shoppers: the reviews read function's memory was cut from
1024 MB to 256 MB in a cost-rightsizing pass; its working set no longer fits (out-of-memory kills) and
its CPU share fell to a quarter (slow, some timeouts). An earlier code deploy of the same function and a
second rightsizing edit on a nightly job are innocent."""

from __future__ import annotations

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

NAME = "reviews-lambda-memory-rightsized"
TITLE = "Product pages show 'reviews unavailable' for lots of shoppers since late morning"
SUMMARY = "A cost-rightsizing edit cut the reviews read Lambda's memory to 256 MB; OOM kills and timeouts give 502s."


def _fn_cfg_response(ctx: Ctx, cfg: dict, memory: int, when: datetime) -> dict:
    return {
        "functionName": cfg["FunctionName"],
        "functionArn": cfg["FunctionArn"],
        "runtime": cfg["Runtime"],
        "role": cfg["Role"],
        "handler": cfg["Handler"],
        "codeSize": cfg["CodeSize"],
        "description": "",
        "timeout": cfg["Timeout"],
        "memorySize": memory,
        "lastModified": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "codeSha256": cfg["CodeSha256"],
        "version": "$LATEST",
        "tracingConfig": {"mode": "PassThrough"},
        "revisionId": ctx.uid(),
        "state": "Active",
        "lastUpdateStatus": "InProgress",
        "lastUpdateStatusReason": "The function is being created.",
        "lastUpdateStatusReasonCode": "Creating",
        "packageType": "Zip",
        "architectures": ["arm64"],
        "ephemeralStorage": {"size": 512},
        "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
        "runtimeVersionConfig": {"runtimeVersionArn": cfg["RuntimeVersionConfig"]["RuntimeVersionArn"]},
        "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{cfg['FunctionName']}"},
    }


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME, onset_hour=(15, 17))
    r = ctx.r
    brand = r.choice(["thimbleway", "copperleaf", "marlowe", "bramblecart"])
    api_name = f"{brand}-reviews-api"
    get_fn, post_fn, mod_fn, digest_fn = (
        f"{brand}-reviews-get",
        f"{brand}-reviews-post",
        f"{brand}-reviews-moderation",
        f"{brand}-reviews-digest-nightly",
    )
    table, votes = f"{brand}-reviews", f"{brand}-review-votes"
    access_group = f"/aws/apigateway/{api_name}-prod-access"
    fmt = (
        '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
        '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",'
        '"protocol":"$context.protocol","responseLength":"$context.responseLength",'
        '"responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",'
        '"errorMessage":"$context.error.message"}'
    )
    topic = ctx.topic(f"{brand}-oncall")
    api_id, _ = ctx.rest_api(api_name, "prod", access_group, fmt)
    ctx.role(f"{brand}-reviews-lambda", "lambda.amazonaws.com")
    rt_ver = r.randint(30, 48)
    rt_arn = f"arn:aws:lambda:{ctx.region}::runtime:{ctx.hexs(64)}"
    change_t = ctx.onset - timedelta(seconds=r.randint(20, 50))
    deploy_t = ctx.onset - timedelta(minutes=r.randint(85, 130))
    old_mem, new_mem = 1024, 256
    get_cfg = ctx.function(
        get_fn,
        f"{brand}-reviews-lambda",
        memory=new_mem,
        timeout=10,
        modified=change_t,
        env={
            "TABLE_NAME": table,
            "VOTES_TABLE": votes,
            "LOG_LEVEL": "INFO",
            "POWERTOOLS_SERVICE_NAME": "reviews",
        },
        runtime_arn=rt_arn,
        code_size=r.randint(14_000_000, 21_000_000),
    )
    ctx.function(
        post_fn,
        f"{brand}-reviews-lambda",
        memory=512,
        timeout=10,
        env={"TABLE_NAME": table},
        runtime_arn=rt_arn,
    )
    ctx.function(
        mod_fn,
        f"{brand}-reviews-lambda",
        memory=512,
        timeout=60,
        env={"TABLE_NAME": table},
        runtime_arn=rt_arn,
    )
    digest_change_t = change_t - timedelta(minutes=r.randint(2, 5))
    ctx.function(
        digest_fn,
        f"{brand}-reviews-lambda",
        memory=512,
        timeout=300,
        modified=digest_change_t,
        runtime_arn=rt_arn,
    )
    ctx.table(
        table,
        [("productId", "S", "HASH"), ("reviewId", "S", "RANGE")],
        items=r.randint(2_000_000, 9_000_000),
        stream=True,
    )
    ctx.table(votes, [("reviewId", "S", "HASH")], items=r.randint(5_000_000, 20_000_000))
    pool = ctx.user_pool(f"{brand}-customers")
    for g in (access_group, *(f"/aws/lambda/{f}" for f in (get_fn, post_fn, mod_fn, digest_fn))):
        ctx.log_group(g)
    dist_id = "E" + ctx.alnum(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    # --- traffic ---------------------------------------------------------------------------------
    base = r.uniform(520, 780)
    api_rows: dict[datetime, Row] = {}
    get_rows: dict[datetime, Row] = {}
    post_rows: dict[datetime, Row] = {}
    cf_rows: dict[datetime, Row] = {}
    ddb_rows: dict[datetime, Row] = {}
    fail_share = r.uniform(0.32, 0.45)
    for t in ctx.minutes():
        after = t >= ctx.onset.replace(second=0)
        gets = ctx.diurnal(t, base)
        posts = gets * r.uniform(0.015, 0.03)
        if after:
            oom = gets * fail_share * r.uniform(0.85, 1.1)
            tmo = gets * r.uniform(0.01, 0.03)
            dur = r.uniform(950, 1400)
        else:
            oom, tmo = 0.0, 0.0
            dur = r.uniform(150, 210)
        e5_base = r.choice([0, 0, 0, 1])
        get_err = oom + tmo + (r.choice([0, 0, 0, 0, 1]))
        get_rows[t] = {"inv": gets, "err": get_err, "dur": dur, "conc": gets / 60 * dur / 1000 * 2.2}
        post_rows[t] = {"inv": posts, "err": 0, "dur": r.uniform(60, 95), "conc": max(1, posts / 60 * 0.2)}
        api_rows[t] = {
            "count": gets + posts,
            "e4": (gets + posts) * r.uniform(0.006, 0.012),
            "e5": get_err + e5_base,
            "lat": dur + r.uniform(12, 20),
            "integ": dur + r.uniform(4, 9),
        }
        page_views = gets * r.uniform(3.6, 4.1)
        r5 = (get_err + e5_base) / page_views * 100
        cf_rows[t] = {
            "req": page_views,
            "r4": r.uniform(0.6, 1.1),
            "r5": r5,
            "bytes": page_views * r.uniform(38_000, 44_000),
        }
        ddb_rows[t] = {"rcu": gets * r.uniform(2.4, 2.9), "n": gets, "lat": r.uniform(3.1, 4.6)}
    emit_api(ctx, api_name, "prod", api_rows)
    emit_lambda(ctx, get_fn, get_rows, cap_ms=10_000)
    emit_lambda(ctx, post_fn, post_rows)
    emit_cloudfront(ctx, dist_id, cf_rows)
    emit_table_reads(ctx, table, ddb_rows)
    scheduled_job(
        ctx,
        mod_fn,
        5,
        512,
        2400,
        ["[INFO]\t{ts}\t{rid}\tmoderation sweep: scanned 37 pending reviews, approved 31, flagged 6\n"],
    )

    # --- logs of the reviews read function (a sample of invocations) ------------------------------
    old_streams = [ctx.stream_name(ctx.start) for _ in range(4)]
    new_streams: list[str] = []
    runtime_line = f"INIT_START Runtime Version: python:3.12.v{rt_ver}\tRuntime Version ARN: {rt_arn}\n"
    for t in ctx.minutes():
        after = t >= ctx.onset.replace(second=0)
        for _ in range(3):
            at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            pid = f"B0{ctx.alnum(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}"
            n = r.choice([3, 8, 14, 40, 112, 260, 640, 1480])
            if not after:
                s = r.choice(old_streams)
                d = r.uniform(60, 260) + n * 0.08
                ctx.lambda_invocation(
                    get_fn,
                    s,
                    at,
                    d,
                    old_mem,
                    r.randint(290, 350),
                    body=[
                        f"[INFO]\t{{ts}}\t{{rid}}\tGET /products/{pid}/reviews page=1 reviews={n} summary=cached\n"
                    ],
                )
                continue
            if not new_streams or r.random() < 0.18:
                new_streams.append(ctx.stream_name(at))
                cold = True
            else:
                cold = False
            s = r.choice(new_streams[-6:])
            init = r.uniform(3100, 4200) if cold else None
            line = runtime_line if cold else None
            if n >= 260 or r.random() < fail_share * 0.3:
                ctx.lambda_invocation(
                    get_fn,
                    s,
                    at,
                    r.uniform(1800, 4600),
                    new_mem,
                    new_mem,
                    body=[
                        f"[INFO]\t{{ts}}\t{{rid}}\tGET /products/{pid}/reviews page=1 reviews={n}\n",
                        "RequestId: {rid} Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n",
                    ],
                    init=init,
                    runtime_line=line,
                    status_error="Runtime.OutOfMemory",
                )
            elif r.random() < 0.06:
                ctx.lambda_invocation(
                    get_fn,
                    s,
                    at,
                    10_000.0 + r.uniform(1, 12),
                    new_mem,
                    r.randint(238, 252),
                    body=[f"[INFO]\t{{ts}}\t{{rid}}\tGET /products/{pid}/reviews page=1 reviews={n}\n"],
                    init=init,
                    runtime_line=line,
                    timeout_s=10.0 + r.randint(1, 2) / 100,
                )
            else:
                d = r.uniform(600, 1900) + n * 0.6
                ctx.lambda_invocation(
                    get_fn,
                    s,
                    at,
                    d,
                    new_mem,
                    r.randint(205, 249),
                    body=[
                        f"[INFO]\t{{ts}}\t{{rid}}\tGET /products/{pid}/reviews page=1 reviews={n} summary=cached\n"
                    ],
                    init=init,
                    runtime_line=line,
                )
    # access-log sample
    for t in ctx.minutes():
        after = t >= ctx.onset.replace(second=0)
        for _ in range(2):
            at = t + timedelta(seconds=r.randint(0, 59))
            pid = f"B0{ctx.alnum(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}"
            if after and r.random() < fail_share:
                lat = r.randint(1900, 4800)
                ctx.access_log(
                    access_group,
                    api_id,
                    "prod",
                    at,
                    "GET",
                    "/products/{productId}/reviews",
                    502,
                    lat + 14,
                    lat,
                    36,
                    "Internal server error",
                )
            else:
                lat = r.randint(700, 2000) if after else r.randint(90, 280)
                ctx.access_log(
                    access_group,
                    api_id,
                    "prod",
                    at,
                    "GET",
                    "/products/{productId}/reviews",
                    200,
                    lat + 15,
                    lat,
                    r.randint(2_000, 48_000),
                )
        if r.random() < 0.05:
            ctx.access_log(
                access_group,
                api_id,
                "prod",
                t + timedelta(seconds=7),
                "POST",
                "/products/{productId}/reviews",
                r.choice([401, 403]),
                6,
                "-",
                48,
                "Unauthorized",
            )

    # --- CloudTrail ------------------------------------------------------------------------------
    tooling(ctx, [get_fn, post_fn, mod_fn, digest_fn], [table, votes], api_id)
    ci = ctx.role_identity(f"{brand}-github-deploy", "GitHubActions")
    ci_agent = (
        "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0"
    )
    for fn in (get_fn, post_fn):
        t = deploy_t + timedelta(seconds=r.randint(0, 40))
        ctx.trail(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            ci,
            {"functionName": fn, "publish": False, "dryRun": False, "architectures": ["arm64"]},
            {
                "functionName": fn,
                "functionArn": ctx.arn("lambda", f"function:{fn}"),
                "runtime": "python3.12",
                "codeSha256": ctx.alnum(
                    43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                )
                + "=",
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
            agent=ci_agent,
        )
        ctx.trail(
            t + timedelta(seconds=14),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            ci,
            {"functionName": fn},
            None,
            read_only=True,
            agent=ci_agent,
        )
    finops_user = r.choice(["priya.raman", "d.okafor", "m.lindqvist", "j.hartley"])
    finops = ctx.role_identity(
        f"AWSReservedSSO_FinOpsAnalyst_{ctx.hexs(16)}", f"{finops_user}@{brand}.com", console=True
    )
    console = "AWS Internal"
    for k in range(3):
        ctx.trail(
            digest_change_t - timedelta(minutes=9 - 2 * k),
            "compute-optimizer.amazonaws.com",
            "GetLambdaFunctionRecommendations",
            finops,
            {"maxResults": 50},
            None,
            read_only=True,
            agent=console,
            console=True,
        )
    for fn in (digest_fn, get_fn):
        ctx.trail(
            (digest_change_t if fn == digest_fn else change_t) - timedelta(seconds=40),
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            finops,
            {"functionName": fn},
            None,
            read_only=True,
            agent=console,
            console=True,
        )
    digest_cfg = next(x["item"] for x in ctx.resources if x["item"].get("FunctionName") == digest_fn)
    ctx.trail(
        digest_change_t,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        finops,
        {"functionName": digest_fn, "memorySize": 512},
        _fn_cfg_response(ctx, digest_cfg, 512, digest_change_t),
        agent=console,
        console=True,
    )
    culprit = ctx.trail(
        change_t,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        finops,
        {"functionName": get_fn, "memorySize": new_mem},
        _fn_cfg_response(ctx, get_cfg, new_mem, change_t),
        agent=console,
        console=True,
    )
    ctx.trail(
        change_t + timedelta(minutes=r.randint(3, 6)),
        "lambda.amazonaws.com",
        "ListFunctions20150331",
        finops,
        {"maxItems": 50},
        None,
        read_only=True,
        agent=console,
        console=True,
    )
    # Cognito: ordinary admin activity by support
    support = ctx.role_identity(
        f"AWSReservedSSO_SupportAgent_{ctx.hexs(16)}", f"support.{r.randint(2, 9)}@{brand}.com", console=True
    )
    for _ in range(4):
        t = ctx.start + timedelta(minutes=r.randint(10, 200))
        ctx.trail(
            t,
            "cognito-idp.amazonaws.com",
            "AdminGetUser",
            support,
            {"userPoolId": pool, "username": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            None,
            read_only=True,
            agent=console,
            console=True,
        )
    t = ctx.start + timedelta(minutes=r.randint(60, 150))
    ctx.trail(
        t,
        "cognito-idp.amazonaws.com",
        "AdminResetUserPassword",
        support,
        {"userPoolId": pool, "username": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        None,
        agent=console,
        console=True,
    )

    # --- alarms ----------------------------------------------------------------------------------
    a5, t5 = ctx.auto_alarm(
        f"{api_name}-prod-5xx",
        f"{api_name} prod 5XX >= 25/min for 3 minutes. Runbook: wiki/reviews/oncall",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": api_name, "Stage": "prod"},
        threshold=25,
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{get_fn}-errors",
        "reviews-get function errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": get_fn},
        threshold=50,
        evals=5,
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{mod_fn}-duration-p95",
        "moderation sweep slow",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": mod_fn},
        stat="p95",
        period=300,
        evals=1,
        threshold=3345,
        op="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{table}-read-throttles",
        "reviews table read throttling",
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        {"TableName": table},
        threshold=1,
        evals=1,
        period=300,
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{brand}-cdn-5xx-rate",
        "CloudFront 5xx error rate > 5%",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": dist_id, "Region": "Global"},
        stat="Average",
        period=300,
        evals=2,
        threshold=5,
        op="GreaterThanThreshold",
        actions=[topic],
    )
    event = ctx.event_for(a5, t5)
    q = (
        f"Customer support says product pages show 'reviews unavailable' for a lot of people since about "
        f"{local_clock(ctx.onset, 'America/Chicago')}. Is DynamoDB having problems again? Nothing was released on our side today as far as I know."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": get_fn,
            "category": "change",
            "failure_mode": "lambda-memory-reduced",
            "event_id": culprit["eventID"],
        },
        "also_accept": [get_cfg["FunctionArn"]],
        "actions": ["rollback", "reconfigure"],
        "chain": [get_fn, api_name, dist_id],
    }
    return ctx.bundle(TITLE, q, "America/Chicago", truth, event)
