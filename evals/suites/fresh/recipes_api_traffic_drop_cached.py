"""No fault: the recipes API's request count halves mid-morning and a low-traffic alarm fires, because a
planned CloudFront change started caching the browse endpoints (a new cache policy on /v1/recipes*).
Viewer requests at CloudFront, error rates and latency are unchanged; only origin traffic fell."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzm import (
    Ctx,
    Rec,
    Row,
    emit_api,
    emit_cloudfront,
    emit_lambda,
    emit_table_reads,
    local_clock,
    scheduled_job,
    tooling,
)

NAME = "recipes-api-traffic-drop-cached"
TITLE = "Recipes API request count fell by half mid-morning; low-traffic alarm"
SUMMARY = (
    "A planned CloudFront cache policy on the browse paths cut origin traffic; viewers are served normally."
)

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME, onset_hour=(14, 16))
    r = ctx.r
    zone = "America/New_York"
    brand = r.choice(["saltbox", "panfry", "mealmint", "sprigly"])
    api_name = f"{brand}-recipes-api"
    browse_fn, search_fn, fav_fn, feed_fn = (
        f"{brand}-recipes-browse",
        f"{brand}-recipes-search",
        f"{brand}-favorites",
        f"{brand}-feed-rebuild",
    )
    table, favs = f"{brand}-recipes", f"{brand}-favorites"
    access_group = f"/aws/apigateway/{api_name}-prod"
    fmt = (
        '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
        '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",'
        '"protocol":"$context.protocol","responseLength":"$context.responseLength",'
        '"responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",'
        '"errorMessage":"$context.error.message"}'
    )
    topic = ctx.topic(f"{brand}-oncall-pager")
    api_id, _ = ctx.rest_api(api_name, "prod", access_group, fmt)
    ctx.role(f"{brand}-recipes-lambda", "lambda.amazonaws.com")
    ctx.function(
        browse_fn,
        f"{brand}-recipes-lambda",
        runtime="nodejs20.x",
        handler="index.handler",
        memory=1024,
        timeout=10,
        env={"TABLE": table},
    )
    ctx.function(
        search_fn,
        f"{brand}-recipes-lambda",
        runtime="nodejs20.x",
        handler="index.handler",
        memory=1536,
        timeout=10,
        env={"TABLE": table},
    )
    fav_deploy = ctx.onset - timedelta(minutes=r.randint(95, 150))
    ctx.function(
        fav_fn,
        f"{brand}-recipes-lambda",
        runtime="nodejs20.x",
        handler="index.handler",
        memory=512,
        timeout=10,
        env={"TABLE": favs},
        modified=fav_deploy,
    )
    ctx.function(
        feed_fn,
        f"{brand}-recipes-lambda",
        runtime="nodejs20.x",
        handler="index.handler",
        memory=2048,
        timeout=300,
        env={"TABLE": table},
    )
    ctx.table(table, [("recipeId", "S", "HASH")], items=r.randint(80_000, 400_000))
    ctx.table(
        favs, [("userId", "S", "HASH"), ("recipeId", "S", "RANGE")], items=r.randint(2_000_000, 9_000_000)
    )
    pool = ctx.user_pool(f"{brand}-members")
    ctx.log_group(access_group, 30)
    for f in (browse_fn, search_fn, fav_fn, feed_fn):
        ctx.log_group(f"/aws/lambda/{f}", 14)
    dist_id = "E" + ctx.alnum(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    dist_domain = f"d{ctx.lower_id(13)}.cloudfront.net"

    change_t = ctx.onset - timedelta(seconds=r.randint(200, 320))  # distribution deploys take a few minutes
    onset_m = ctx.onset.replace(second=0)
    hit = r.uniform(0.72, 0.84)

    def cached(t: datetime) -> float:
        if t < onset_m:
            return 0.0
        m = (t - onset_m).total_seconds() / 60
        return hit * min(1.0, 0.35 + m / 6)

    base = r.uniform(1500, 2200)  # viewer requests a minute to the API paths
    api_rows: dict[datetime, Row] = {}
    br_rows: dict[datetime, Row] = {}
    se_rows: dict[datetime, Row] = {}
    fv_rows: dict[datetime, Row] = {}
    cf_rows: dict[datetime, Row] = {}
    ddb: dict[datetime, Row] = {}
    for t in ctx.minutes():
        viewers = ctx.diurnal(t, base, 0.3)
        browse = viewers * 0.68
        search = viewers * 0.2
        fav = viewers * 0.12
        c = cached(t)
        b_origin = browse * (1 - c)
        origin = b_origin + search + fav
        bdur = r.uniform(55, 85)
        br_rows[t] = {
            "inv": b_origin,
            "err": r.choice([0, 0, 0, 0, 1]),
            "dur": bdur,
            "conc": max(1, b_origin / 60 * bdur / 1000 * 2),
        }
        se_rows[t] = {
            "inv": search,
            "err": r.choice([0, 0, 0, 1]),
            "dur": r.uniform(140, 230),
            "conc": max(1, search / 60 * 0.4),
        }
        fv_rows[t] = {"inv": fav, "err": 0, "dur": r.uniform(30, 50), "conc": max(1, fav / 60 * 0.1)}
        api_rows[t] = {
            "count": origin,
            "e4": origin * r.uniform(0.015, 0.025) + fav * 0.02,
            "e5": r.choice([0, 0, 0, 1, 1, 2]),
            "lat": r.uniform(70, 110),
            "integ": r.uniform(60, 95),
        }
        cf_rows[t] = {
            "req": viewers * r.uniform(1.0, 1.02),
            "r4": r.uniform(1.4, 2.2),
            "r5": r.uniform(0.0, 0.08),
            "bytes": viewers * r.uniform(14_000, 17_000),
        }
        ddb[t] = {"rcu": b_origin * 1.5 + search * 6, "n": b_origin, "lat": r.uniform(2.4, 3.6)}
    emit_api(ctx, api_name, "prod", api_rows)
    emit_lambda(ctx, browse_fn, br_rows)
    emit_lambda(ctx, search_fn, se_rows)
    emit_lambda(ctx, fav_fn, fv_rows)
    emit_cloudfront(ctx, dist_id, cf_rows)
    emit_table_reads(ctx, table, ddb, op="GetItem")
    scheduled_job(
        ctx,
        feed_fn,
        30,
        2048,
        21000,
        [
            "{ts}\t{rid}\tINFO\tfeed rebuild: 1840 recipes ranked, 12 new\n",
            "{ts}\t{rid}\tINFO\tfeed rebuild: wrote 40 feed pages\n",
        ],
    )

    # --- logs: browse function and access-log samples --------------------------------------------
    streams = [ctx.stream_name(ctx.start) for _ in range(5)]
    for t in ctx.minutes():
        k = 4 if t < onset_m else 1 + (1 if r.random() < 0.5 else 0)
        for _ in range(k):
            at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            rid_slug = r.choice(
                ["sheet-pan-gnocchi", "miso-salmon", "lemon-orzo", "black-bean-tacos", "shakshuka"]
            )
            ctx.lambda_invocation(
                browse_fn,
                r.choice(streams),
                at,
                r.uniform(40, 110),
                1024,
                r.randint(118, 140),
                body=[f"{{ts}}\t{{rid}}\tINFO\tGET /v1/recipes/{rid_slug} 200\n"],
            )
        for _ in range(3):
            at = t + timedelta(seconds=r.randint(0, 59))
            path, fn_status = r.choice(
                [
                    ("/v1/recipes/{slug}", 200),
                    ("/v1/recipes", 200),
                    ("/v1/search", 200),
                    ("/v1/me/favorites", 200),
                    ("/v1/me/favorites", 401),
                ]
            )
            if path.startswith("/v1/recipes") and r.random() < cached(t):
                path, fn_status = "/v1/search", 200
            lat = r.randint(40, 180)
            ctx.access_log(
                access_group,
                api_id,
                "prod",
                at,
                "GET",
                path,
                fn_status,
                lat + 12,
                lat if fn_status == 200 else "-",
                r.randint(800, 9000) if fn_status == 200 else 26,
                "-" if fn_status == 200 else "Unauthorized",
            )

    # --- CloudTrail ------------------------------------------------------------------------------
    tooling(ctx, [browse_fn, search_fn, fav_fn, feed_fn], [table, favs], api_id, n=34)
    eng = r.choice(["rachel.ng", "tom.becker", "ines.varga", "kofi.mensah"])
    dev = ctx.role_identity(f"AWSReservedSSO_WebPlatform_{ctx.hexs(16)}", f"{eng}@{brand}.com", console=True)
    policy_id = ctx.uid()
    etag_old, etag_new = "E" + ctx.alnum(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), "E" + ctx.alnum(13)
    cp_t = change_t - timedelta(minutes=r.randint(6, 12))
    ctx.trail(
        cp_t - timedelta(minutes=2),
        "cloudfront.amazonaws.com",
        "GetDistributionConfig2020_05_31",
        dev,
        {"id": dist_id},
        None,
        read_only=True,
        agent="AWS Internal",
        console=True,
    )
    ctx.trail(
        cp_t,
        "cloudfront.amazonaws.com",
        "CreateCachePolicy2020_05_31",
        dev,
        {
            "cachePolicyConfig": {
                "name": f"{brand}-recipes-browse-60s",
                "comment": "browse endpoints, 60s at edge",
                "defaultTTL": 60,
                "maxTTL": 300,
                "minTTL": 1,
                "parametersInCacheKeyAndForwardedToOrigin": {
                    "enableAcceptEncodingGzip": True,
                    "enableAcceptEncodingBrotli": True,
                    "headersConfig": {"headerBehavior": "none"},
                    "cookiesConfig": {"cookieBehavior": "none"},
                    "queryStringsConfig": {
                        "queryStringBehavior": "whitelist",
                        "queryStrings": {"quantity": 3, "items": ["page", "tag", "lang"]},
                    },
                },
            }
        },
        {
            "cachePolicy": {"id": policy_id, "lastModifiedTime": cp_t.strftime("%b %d, %Y, %I:%M:%S %p")},
            "location": f"https://cloudfront.amazonaws.com/2020-05-31/cache-policy/{policy_id}",
            "eTag": "E" + ctx.alnum(13),
        },
        agent="AWS Internal",
        console=True,
    )
    ctx.trail(
        change_t,
        "cloudfront.amazonaws.com",
        "UpdateDistribution2020_05_31",
        dev,
        {
            "id": dist_id,
            "ifMatch": etag_old,
            "distributionConfig": {
                "callerReference": ctx.uid(),
                "comment": f"{brand} web + api",
                "aliases": {"quantity": 1, "items": [f"api.{brand}.com"]},
                "defaultCacheBehavior": {
                    "targetOriginId": f"{api_id}.execute-api",
                    "viewerProtocolPolicy": "https-only",
                    "cachePolicyId": CACHING_DISABLED,
                    "originRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
                    "compress": True,
                },
                "cacheBehaviors": {
                    "quantity": 1,
                    "items": [
                        {
                            "pathPattern": "/v1/recipes*",
                            "targetOriginId": f"{api_id}.execute-api",
                            "viewerProtocolPolicy": "https-only",
                            "cachePolicyId": policy_id,
                            "originRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
                            "compress": True,
                            "allowedMethods": {"quantity": 2, "items": ["HEAD", "GET"]},
                        }
                    ],
                },
                "enabled": True,
                "priceClass": "PriceClass_100",
                "httpVersion": "http2and3",
            },
        },
        {
            "distribution": {
                "id": dist_id,
                "aRN": f"arn:aws:cloudfront::{ctx.account}:distribution/{dist_id}",
                "status": "InProgress",
                "domainName": dist_domain,
                "lastModifiedTime": change_t.strftime("%b %d, %Y, %I:%M:%S %p"),
            },
            "eTag": etag_new,
        },
        agent="AWS Internal",
        console=True,
    )
    ctx.trail(
        change_t + timedelta(minutes=r.randint(6, 9)),
        "cloudfront.amazonaws.com",
        "GetDistribution2020_05_31",
        dev,
        {"id": dist_id},
        None,
        read_only=True,
        agent="AWS Internal",
        console=True,
    )
    # an innocent favorites deploy earlier
    ci = ctx.role_identity(f"{brand}-ci-deployer", "GitHubActions")
    ci_agent = (
        "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0"
    )
    ctx.trail(
        fav_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": fav_fn, "publish": False, "dryRun": False},
        {
            "functionName": fav_fn,
            "functionArn": ctx.arn("lambda", f"function:{fav_fn}"),
            "runtime": "nodejs20.x",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=ci_agent,
    )
    ctx.trail(
        fav_deploy + timedelta(seconds=25),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        {"functionName": fav_fn},
        None,
        read_only=True,
        agent=ci_agent,
    )
    for _ in range(3):
        t = ctx.start + timedelta(minutes=r.randint(5, 200))
        ctx.trail(
            t,
            "cognito-idp.amazonaws.com",
            "ListUsers",
            dev,
            {"userPoolId": pool, "limit": 60},
            None,
            read_only=True,
            agent="AWS Internal",
            console=True,
        )

    # --- alarms ----------------------------------------------------------------------------------
    post = [api_rows[t]["count"] for t in ctx.minutes() if t >= onset_m + timedelta(minutes=5)]
    thr = float(round(sum(post) / len(post) * 1.12, -1))
    a, ta = ctx.auto_alarm(
        f"{api_name}-prod-low-traffic",
        "Request count well below normal: possible outage upstream of the API (DNS, CDN, app release)",
        "AWS/ApiGateway",
        "Count",
        {"ApiName": api_name, "Stage": "prod"},
        threshold=thr,
        evals=5,
        op="LessThanThreshold",
        missing="breaching",
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{api_name}-prod-5xx",
        "recipes API 5XX",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": api_name, "Stage": "prod"},
        threshold=30,
        evals=3,
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{search_fn}-p99",
        "search p99 duration",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": search_fn},
        stat="p99",
        period=300,
        evals=1,
        threshold=900,
        op="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{feed_fn}-duration",
        "feed rebuild running long",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": feed_fn},
        stat="Maximum",
        period=1800,
        evals=1,
        threshold=27_000,
        op="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{brand}-cdn-5xx",
        "CloudFront 5xx > 2%",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": dist_id, "Region": "Global"},
        stat="Average",
        period=300,
        evals=2,
        threshold=2,
        op="GreaterThanThreshold",
        actions=[topic],
    )
    event = ctx.event_for(a, ta)
    q = (
        f"Got paged by the low-traffic alarm on the recipes API. Requests dropped by about half at around "
        f"{local_clock(ctx.onset, zone)} and stayed there. Are users unable to reach us? DNS? The app?"
    )
    truth: Rec = {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []}
    return ctx.bundle(TITLE, q, zone, truth, event)
