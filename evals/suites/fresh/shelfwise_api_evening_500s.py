"""shelfwise (e-book lending): the public REST API answers 500 on every route as the evening reading
peak builds; the backends look healthy."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_ze as k

NAME = "shelfwise-api-evening-500s"
TITLE = "Readers getting 'Something went wrong' across the shelfwise app this evening"
SUMMARY = (
    "A Terraform apply set the REST API Lambda authorizer's result TTL to 0; every request now invokes the "
    "authorizer, which hits its reserved concurrency at the evening peak and API Gateway answers 500."
)

OFFSET_H = -4.0  # America/New_York in summer (EDT)


def _dur(
    per_min: dict[datetime, float], share: float, median: float
) -> Callable[[datetime], tuple[float, float] | None]:
    return lambda t: (per_min[t] * share, median)


def _scaled(
    per_min: dict[datetime, float], share: float, factor: float, rng: random.Random, spread: float
) -> Callable[[datetime], float]:
    return lambda t: per_min[t] * share * factor * (1 + spread * (2 * rng.random() - 1))


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    region = "us-east-1"
    acct = k.account(rng)
    d0 = k.day(rng, rng.choice([0, 1, 3]), datetime(2024, 4, 15, tzinfo=UTC), 24)
    api_id = k.alnum(rng, 10, upper=False)
    auth_id = k.alnum(rng, 6, upper=False)
    api = "shelfwise-public-api"
    auth_fn = "shelfwise-token-authorizer"
    loans_fn, cat_fn = "shelfwise-loans-handler", "shelfwise-catalog-handler"
    reserved = rng.choice([40, 50])
    dur_ms = 42.0 + rng.random() * 6

    # ---- load model: requests per minute, evening peak -------------------------------------------
    peak_rpm = (reserved / (dur_ms / 1000)) * 60 * rng.uniform(1.3, 1.45)
    noise = k.Noise(rng, 0.015, 0.02)
    evening_c = 20.3 + rng.random() * 0.4
    full = k.minutes(d0 + timedelta(hours=6), d0 + timedelta(hours=30))
    rpm: dict[datetime, float] = {}
    for t in full:
        s = k.weekday_shape(t, OFFSET_H, [(8.0, 1.5, 0.35), (12.5, 1.5, 0.3), (evening_c, 1.6, 0.82)], 0.1)
        rpm[t] = peak_rpm * s * noise()
    cap_rpm = reserved / (dur_ms / 1000) * 60  # authorizer calls a minute at full reserved concurrency
    onset = next(t for t in full if k.local_hour(t, OFFSET_H) > 15 and rpm[t] > cap_rpm)
    apply_at = onset - timedelta(minutes=rng.randrange(12, 32), seconds=rng.randrange(60))
    start = apply_at.replace(second=0) - timedelta(hours=6, minutes=rng.randrange(0, 40))
    now = onset + timedelta(minutes=rng.randrange(35, 50))
    grid = k.Grid(start, now, onset - timedelta(minutes=90))
    mins = grid.mins

    def cached(t: datetime) -> bool:
        return t < apply_at + timedelta(seconds=40)

    # authorizer calls: with the cache ~6% of requests (token/context misses), without it all of them
    auth_calls = {t: rpm[t] * (0.06 if cached(t) else 1.0) for t in mins}
    throttled = {t: max(0.0, auth_calls[t] - cap_rpm * rng.uniform(0.96, 0.99)) for t in mins}
    ok_rpm = {t: rpm[t] - throttled[t] for t in mins}

    m = k.Metrics(grid)
    gw = {"ApiName": api, "Stage": "prod"}
    m.add("AWS/ApiGateway", "Count", gw, "Count", lambda t: rpm[t], integer=True)
    m.add(
        "AWS/ApiGateway",
        "5XXError",
        gw,
        "Count",
        lambda t: throttled[t] + (rng.random() < 0.2) * 1.0,
        integer=True,
    )
    m.add(
        "AWS/ApiGateway",
        "4XXError",
        gw,
        "Count",
        lambda t: rpm[t] * 0.012 * rng.uniform(0.7, 1.3),
        integer=True,
    )
    integ_med = 0.061
    m.dist(
        "AWS/ApiGateway",
        "Latency",
        gw,
        "Milliseconds",
        lambda t: (ok_rpm[t], 1000 * integ_med + (9 if cached(t) else 9 + dur_ms) + rng.gauss(0, 2)),
        rng,
        extra=lambda t: (throttled[t], 11.0 + rng.random() * 3) if throttled[t] >= 1 else None,
    )
    m.dist(
        "AWS/ApiGateway",
        "IntegrationLatency",
        gw,
        "Milliseconds",
        lambda t: (ok_rpm[t], 1000 * integ_med + rng.gauss(0, 2)),
        rng,
    )
    af = {"FunctionName": auth_fn}
    m.add("AWS/Lambda", "Invocations", af, "Count", lambda t: auth_calls[t] - throttled[t], integer=True)
    m.add("AWS/Lambda", "Errors", af, "Count", lambda t: 0.0)
    m.add("AWS/Lambda", "Throttles", af, "Count", lambda t: throttled[t], integer=True, omit_zero=True)
    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        af,
        "Count",
        lambda t: min(float(reserved), (auth_calls[t] / 60) * dur_ms / 1000 * rng.uniform(1.1, 1.6)),
        integer=True,
    )
    m.dist(
        "AWS/Lambda",
        "Duration",
        af,
        "Milliseconds",
        lambda t: (auth_calls[t] - throttled[t], dur_ms * 0.8 * rng.uniform(0.95, 1.05)),
        rng,
    )
    share = {loans_fn: 0.34, cat_fn: 0.62}
    for fn_name, sh in share.items():
        fd = {"FunctionName": fn_name}
        m.add("AWS/Lambda", "Invocations", fd, "Count", _scaled(ok_rpm, sh, 1.0, rng, 0.0), integer=True)
        m.add(
            "AWS/Lambda",
            "Errors",
            fd,
            "Count",
            _scaled(ok_rpm, sh, 0.00003, rng, 1.0),
            integer=True,
        )
        m.add(
            "AWS/Lambda",
            "ConcurrentExecutions",
            fd,
            "Count",
            _scaled(ok_rpm, sh, integ_med / 60 * 1.25, rng, 0.15),
            integer=True,
        )
        m.dist(
            "AWS/Lambda",
            "Duration",
            fd,
            "Milliseconds",
            _dur(ok_rpm, sh, 1000 * integ_med * 0.7),
            rng,
        )
    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        {},
        "Count",
        lambda t: (
            14
            + (ok_rpm[t] / 60) * integ_med * 1.3
            + min(float(reserved), (auth_calls[t] / 60) * dur_ms / 1000 * 1.3)
        ),
        integer=True,
    )
    m.add("AWS/Lambda", "Throttles", {}, "Count", lambda t: throttled[t], integer=True, omit_zero=True)
    sess = {"TableName": "shelfwise-sessions"}
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        sess,
        "Count",
        lambda t: (auth_calls[t] - throttled[t]) * 0.5,
        digits=1,
    )
    m.add(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": "shelfwise-sessions", "Operation": "GetItem"},
        "Milliseconds",
        lambda t: 3.1 + rng.gauss(0, 0.25),
    )
    loans_t = {"TableName": "shelfwise-loans"}
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        loans_t,
        "Count",
        lambda t: ok_rpm[t] * share[loans_fn] * 1.5,
        digits=1,
    )
    m.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        loans_t,
        "Count",
        lambda t: ok_rpm[t] * share[loans_fn] * 0.18,
        digits=1,
    )
    cat_t = {"TableName": "shelfwise-catalog"}
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        cat_t,
        "Count",
        lambda t: ok_rpm[t] * share[cat_fn] * 2.0,
        digits=1,
    )

    # ---- alarms -----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{acct}:shelfwise-alerts"
    alarms, history = [], []
    five = m.series[("AWS/ApiGateway", "5XXError", json.dumps(gw, sort_keys=True))]
    long_ago = start - timedelta(days=200)
    specs = [
        (
            k.AlarmSpec(
                "shelfwise-api-5xx",
                "AWS/ApiGateway",
                "5XXError",
                gw,
                "Sum",
                300,
                1,
                1,
                500.0,
                "GreaterThanThreshold",
                description="public API 5xx (Slack #shelfwise-alerts)",
                treat_missing="notBreaching",
                actions=[topic],
                created=long_ago,
            ),
            k.aggregate(five, 5, "Sum"),
        ),
        (
            k.AlarmSpec(
                "shelfwise-loans-handler-errors",
                "AWS/Lambda",
                "Errors",
                {"FunctionName": loans_fn},
                "Sum",
                300,
                2,
                2,
                25.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=long_ago,
            ),
            k.aggregate(
                m.series[("AWS/Lambda", "Errors", json.dumps({"FunctionName": loans_fn}, sort_keys=True))],
                5,
                "Sum",
            ),
        ),
        (
            k.AlarmSpec(
                "shelfwise-catalog-handler-errors",
                "AWS/Lambda",
                "Errors",
                {"FunctionName": cat_fn},
                "Sum",
                300,
                2,
                2,
                25.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=long_ago,
            ),
            k.aggregate(
                m.series[("AWS/Lambda", "Errors", json.dumps({"FunctionName": cat_fn}, sort_keys=True))],
                5,
                "Sum",
            ),
        ),
        (
            k.AlarmSpec(
                "shelfwise-authorizer-errors",
                "AWS/Lambda",
                "Errors",
                af,
                "Sum",
                300,
                1,
                1,
                10.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=long_ago,
            ),
            k.aggregate(m.series[("AWS/Lambda", "Errors", json.dumps(af, sort_keys=True))], 5, "Sum"),
        ),
        (
            k.AlarmSpec(
                "shelfwise-loans-read-throttles",
                "AWS/DynamoDB",
                "ReadThrottleEvents",
                loans_t,
                "Sum",
                300,
                1,
                1,
                0.0,
                "GreaterThanThreshold",
                treat_missing="notBreaching",
                actions=[topic],
                created=long_ago,
            ),
            {},
        ),
    ]
    for spec, pts in specs:
        al, ah, _ = k.evaluate(spec, pts, region, acct, now, rng)
        alarms.append(al)
        history += ah

    # ---- CloudTrail -------------------------------------------------------------------------------
    tf = k.role_session(
        rng,
        acct,
        "atlantis-shelfwise-apply",
        f"atlantis-{rng.randrange(10**9, 10**10)}",
        k.tf_agent("apigateway#1.23.6"),
    )
    ci = k.role_session(
        rng,
        acct,
        "gha-shelfwise-lambda-deploy",
        "GitHubActions",
        "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.12.0 api/lambda#3.540.0",
    )
    dev = k.sso_user(
        rng,
        acct,
        region,
        "ShelfwiseDeveloper",
        k.pick(rng, ["maria.gonzalez", "devin.cho", "sarah.kim"]) + "@shelfwise.io",
    )
    dba = k.sso_user(
        rng, acct, region, "PlatformAdmin", k.pick(rng, ["omar.haddad", "linda.park"]) + "@shelfwise.io"
    )
    ro = k.sso_user(rng, acct, region, "ReadOnly", k.pick(rng, ["jess.tran", "will.baker"]) + "@shelfwise.io")
    dd = k.role_session(
        rng,
        acct,
        "DatadogIntegrationRole",
        k.hexs(rng, 16),
        "Datadog/1.0 aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
    )
    reads: list[tuple[str, str, k.Json | None]] = [
        ("apigateway.amazonaws.com", "GetRestApis", {"limit": 500}),
        ("apigateway.amazonaws.com", "GetStages", {"restApiId": api_id}),
        ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": loans_fn}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "shelfwise-loans"}),
        ("dynamodb.amazonaws.com", "ListTables", None),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "shelfwise-"}),
        ("logs.amazonaws.com", "DescribeLogGroups", None),
    ]
    trail = k.routine_reads(rng, [ro, dev, dd, dd, dba], reads, region, start, now, 24)
    # Terraform plan/refresh reads, then the apply
    refresh = apply_at - timedelta(seconds=rng.randrange(60, 120))
    tf_reads: list[tuple[str, str, k.Json | None]] = [
        ("apigateway.amazonaws.com", "GetRestApi", {"restApiId": api_id}),
        ("apigateway.amazonaws.com", "GetAuthorizer", {"restApiId": api_id, "authorizerId": auth_id}),
        ("apigateway.amazonaws.com", "GetStage", {"restApiId": api_id, "stageName": "prod"}),
        ("apigateway.amazonaws.com", "GetResources", {"restApiId": api_id, "limit": 500}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": auth_fn}),
        ("lambda.amazonaws.com", "GetFunctionConcurrency20190930", {"functionName": auth_fn}),
    ]
    for i, (src, name, params) in enumerate(tf_reads):
        trail.append(
            k.ct(
                rng,
                tf,
                refresh + timedelta(seconds=i * 2 + rng.random()),
                src,
                name,
                region,
                params,
                None,
                read_only=True,
            )
        )
    culprit = k.ct(
        rng,
        tf,
        apply_at,
        "apigateway.amazonaws.com",
        "UpdateAuthorizer",
        region,
        {
            "restApiId": api_id,
            "authorizerId": auth_id,
            "patchOperations": [{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"}],
        },
        {
            "id": auth_id,
            "name": "shelfwise-jwt",
            "type": "REQUEST",
            "authType": "custom",
            "authorizerUri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{region}:{acct}:function:{auth_fn}/invocations",
            "identitySource": "method.request.header.Authorization",
            "authorizerResultTtlInSeconds": 0,
        },
    )
    trail.append(culprit)
    dep_id = k.alnum(rng, 6, upper=False)
    trail.append(
        k.ct(
            rng,
            tf,
            apply_at + timedelta(seconds=3),
            "apigateway.amazonaws.com",
            "CreateDeployment",
            region,
            {"restApiId": api_id, "createDeploymentInput": {"stageName": "prod", "description": ""}},
            {"id": dep_id, "createdDate": apply_at.strftime("%b %-d, %Y %-I:%M:%S %p")},
        )
    )
    # the loans handler release, by CI, shortly before the onset
    rel = onset - timedelta(minutes=rng.randrange(8, 16), seconds=rng.randrange(60))
    ver = rng.randrange(60, 120)
    sha = k.alnum(rng, 43, upper=False)
    trail.append(
        k.ct(
            rng,
            ci,
            rel,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            region,
            {"functionName": loans_fn, "publish": False, "dryRun": False},
            {
                "functionName": loans_fn,
                "codeSha256": sha + "=",
                "codeSize": 2214532,
                "runtime": "nodejs20.x",
                "lastUpdateStatus": "InProgress",
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            ci,
            rel + timedelta(seconds=19),
            "lambda.amazonaws.com",
            "PublishVersion20150331",
            region,
            {"functionName": loans_fn, "codeSha256": sha + "="},
            {
                "functionName": loans_fn,
                "version": str(ver),
                "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{loans_fn}:{ver}",
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            ci,
            rel + timedelta(seconds=22),
            "lambda.amazonaws.com",
            "UpdateAlias20150331",
            region,
            {"functionName": loans_fn, "name": "live", "functionVersion": str(ver)},
            {
                "aliasArn": f"arn:aws:lambda:{region}:{acct}:function:{loans_fn}:live",
                "name": "live",
                "functionVersion": str(ver),
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            dba,
            onset + timedelta(minutes=rng.randrange(-6, 4), seconds=rng.randrange(60)),
            "dynamodb.amazonaws.com",
            "UpdateContinuousBackups",
            region,
            {
                "tableName": "shelfwise-reading-progress",
                "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
            },
            {
                "continuousBackupsDescription": {
                    "continuousBackupsStatus": "ENABLED",
                    "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
                }
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            dev,
            start + timedelta(hours=2, minutes=rng.randrange(60)),
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            region,
            {"functionName": "shelfwise-recommendations-batch", "memorySize": 2048},
            {
                "functionName": "shelfwise-recommendations-batch",
                "memorySize": 2048,
                "lastUpdateStatus": "InProgress",
            },
        )
    )
    trail = k.sort_trail(trail)

    # ---- logs -------------------------------------------------------------------------------------
    logs: list[k.Json] = []
    access = f"/aws/apigateway/{api}-prod"
    execg = f"API-Gateway-Execution-Logs_{api_id}/prod"
    routes = [
        ("GET", "/catalog/{titleId}", cat_fn),
        ("GET", "/catalog/search", cat_fn),
        ("GET", "/loans", loans_fn),
        ("POST", "/loans", loans_fn),
        ("POST", "/loans/{loanId}/return", loans_fn),
        ("GET", "/holds", loans_fn),
    ]
    for t in mins:
        frac_bad = throttled[t] / rpm[t] if rpm[t] else 0
        for _ in range(2):
            ts = t + timedelta(seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
            method, path, _fn = k.pick(rng, routes)
            req = k.uuid(rng)
            bad = rng.random() < frac_bad
            entry = {
                "requestId": req,
                "ip": f"{rng.randrange(24, 220)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                "requestTime": (ts + timedelta(hours=0)).strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "httpMethod": method,
                "resourcePath": path,
                "status": "500" if bad else k.pick(rng, ["200", "200", "200", "200", "304", "404"]),
                "protocol": "HTTP/1.1",
                "responseLength": "36" if bad else str(rng.randrange(300, 9000)),
                "integrationLatency": "-" if bad else str(int(1000 * integ_med * rng.uniform(0.6, 1.8))),
                "authorizerLatency": str(rng.randrange(8, 16))
                if bad
                else ("-" if cached(t) and rng.random() < 0.94 else str(int(dur_ms + rng.randrange(8)))),
                "errorType": "AUTHORIZER_CONFIGURATION_ERROR" if bad else "-",
            }
            logs.append(k.log(access, f"{k.hexs(rng, 32)}", ts, json.dumps(entry)))
            if bad:
                logs.append(
                    k.log(
                        execg,
                        k.hexs(rng, 32),
                        ts,
                        f"({req}) Lambda invocation failed with status: 429. Lambda request id: {k.uuid(rng)}",
                    )
                )
                logs.append(
                    k.log(
                        execg,
                        k.hexs(rng, 32),
                        ts + timedelta(milliseconds=1),
                        f"({req}) Execution failed due to configuration error: Authorizer error",
                    )
                )
                logs.append(
                    k.log(
                        execg,
                        k.hexs(rng, 32),
                        ts + timedelta(milliseconds=2),
                        f"({req}) Gateway response type: AUTHORIZER_CONFIGURATION_ERROR with status code: 500",
                    )
                )
    # authorizer logs (no lines for throttled calls: they never ran)
    ag = f"/aws/lambda/{auth_fn}"
    streams = [k.lambda_stream(rng, start) for _ in range(3)]
    for t in mins:
        if rng.random() > 0.35:
            continue
        ts = t + timedelta(seconds=rng.randrange(59), milliseconds=rng.randrange(1000))
        st = k.pick(rng, streams)
        req = k.uuid(rng)
        d = dur_ms * rng.uniform(0.7, 1.3)
        s_, e_, rep = k.lambda_report(rng, req, d, 256, rng.randrange(78, 90))
        logs += [
            k.log(ag, st, ts, s_),
            k.log(
                ag,
                st,
                ts + timedelta(milliseconds=d * 0.9),
                f"{k.iso_ms(ts)[:23]}Z\t{req}\tINFO\t"
                + json.dumps(
                    {
                        "msg": "authorized",
                        "sub": f"usr_{k.alnum(rng, 12, upper=False)}",
                        "library": k.pick(rng, ["nypl", "lapl", "spl", "bpl"]),
                        "effect": "Allow",
                    }
                ),
            ),
            k.log(ag, st, ts + timedelta(milliseconds=d + 1), e_),
            k.log(ag, st, ts + timedelta(milliseconds=d + 2), rep),
        ]
    lg = f"/aws/lambda/{loans_fn}"
    old_stream, new_stream = k.lambda_stream(rng, start, str(ver - 1)), k.lambda_stream(rng, rel, str(ver))
    for t in mins:
        if rng.random() > 0.3:
            continue
        ts = t + timedelta(seconds=rng.randrange(59))
        newv = t > rel + timedelta(seconds=30)
        st = new_stream if newv else old_stream
        req = k.uuid(rng)
        d = 1000 * integ_med * rng.uniform(0.5, 1.6)
        s_, e_, rep = k.lambda_report(rng, req, d, 512, rng.randrange(110, 140))
        s_ = s_.replace("$LATEST", str(ver if newv else ver - 1))
        logs.append(k.log(lg, st, ts, s_))
        if rng.random() < 0.03:
            logs.append(
                k.log(
                    lg,
                    st,
                    ts + timedelta(milliseconds=5),
                    f"{k.iso_ms(ts)[:23]}Z\t{req}\tWARN\t"
                    + json.dumps(
                        {
                            "msg": "hold queue position stale, recomputing",
                            "titleId": f"ttl_{rng.randrange(10**6)}",
                        }
                    ),
                )
            )
        logs.append(
            k.log(
                lg,
                st,
                ts + timedelta(milliseconds=d * 0.8),
                f"{k.iso_ms(ts)[:23]}Z\t{req}\tINFO\t"
                + json.dumps(
                    {
                        "msg": "request complete",
                        "route": k.pick(rng, ["GET /loans", "POST /loans", "GET /holds"]),
                        "status": 200,
                        "ms": int(d),
                    }
                ),
            )
        )
        logs.append(k.log(lg, st, ts + timedelta(milliseconds=d + 1), e_))
        logs.append(k.log(lg, st, ts + timedelta(milliseconds=d + 2), rep))
    logs = k.sort_logs(logs)

    # ---- resources --------------------------------------------------------------------------------
    created = start - timedelta(days=520)
    fn_arn = lambda n: f"arn:aws:lambda:{region}:{acct}:function:{n}"  # noqa: E731
    root_id = k.alnum(rng, 10, upper=False)
    res_ids = {
        p: k.alnum(rng, 6, upper=False)
        for p in [
            "/catalog",
            "/catalog/{titleId}",
            "/catalog/search",
            "/loans",
            "/loans/{loanId}",
            "/loans/{loanId}/return",
            "/holds",
        ]
    }
    resources: list[k.Json] = [
        k.res(
            "apigateway",
            "RestApi",
            {
                "id": api_id,
                "name": api,
                "description": "Public API for the shelfwise reader apps",
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": root_id,
                "tags": {"team": "platform"},
            },
        ),
        k.res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": api_id,
                "deploymentId": dep_id,
                "stageName": "prod",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": False,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 5000,
                        "throttlingRateLimit": 10000.0,
                        "cachingEnabled": False,
                    }
                },
                "accessLogSettings": {
                    "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency","authorizerLatency":"$context.authorizer.latency","errorType":"$context.error.responseType"}',
                    "destinationArn": f"arn:aws:logs:{region}:{acct}:log-group:{access}",
                },
                "tracingEnabled": False,
                "createdDate": k.iso(created),
                "lastUpdatedDate": k.iso(apply_at + timedelta(seconds=3)),
            },
        ),
        k.res(
            "apigateway",
            "Authorizer",
            {
                "id": auth_id,
                "name": "shelfwise-jwt",
                "type": "REQUEST",
                "authType": "custom",
                "authorizerUri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn_arn(auth_fn)}/invocations",
                "identitySource": "method.request.header.Authorization",
                "authorizerResultTtlInSeconds": 0,
            },
        ),
    ]
    for p, rid in res_ids.items():
        parent = p.rsplit("/", 1)[0] or "/"
        methods: dict[str, k.Json] = {}
        if p in ("/catalog/{titleId}", "/catalog/search", "/holds"):
            methods = {"GET": {}}
        elif p == "/loans":
            methods = {"GET": {}, "POST": {}}
        elif p == "/loans/{loanId}/return":
            methods = {"POST": {}}
        item: k.Json = {
            "restApiId": api_id,
            "id": rid,
            "parentId": res_ids.get(parent, root_id),
            "pathPart": p.rsplit("/", 1)[1],
            "path": p,
        }
        if methods:
            item["resourceMethods"] = methods
        resources.append(k.res("apigateway", "RestApiResource", item))
        for verb in methods:
            target = cat_fn if p.startswith("/catalog") else loans_fn
            resources.append(
                k.res(
                    "apigateway",
                    "MethodIntegration",
                    {
                        "restApiId": api_id,
                        "resourceId": rid,
                        "httpMethod": verb,
                        "type": "AWS_PROXY",
                        "uri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn_arn(target)}:live/invocations",
                        "passthroughBehavior": "WHEN_NO_MATCH",
                        "timeoutInMillis": 29000,
                        "cacheNamespace": rid,
                        "cacheKeyParameters": [],
                    },
                )
            )
    for name, mem, timeout, mod in [
        (auth_fn, 256, 5, start - timedelta(days=44)),
        (loans_fn, 512, 10, rel),
        (cat_fn, 512, 10, start - timedelta(days=3)),
    ]:
        resources.append(
            k.res(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": name,
                    "FunctionArn": fn_arn(name),
                    "Runtime": "nodejs20.x",
                    "Role": f"arn:aws:iam::{acct}:role/{name}-role",
                    "Handler": "index.handler",
                    "CodeSize": rng.randrange(400000, 2500000),
                    "Timeout": timeout,
                    "MemorySize": mem,
                    "LastModified": mod.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "Version": "$LATEST",
                    "TracingConfig": {"Mode": "PassThrough"},
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
                },
            )
        )
    resources.append(
        k.res(
            "lambda",
            "FunctionConcurrency",
            {"FunctionName": auth_fn, "ReservedConcurrentExecutions": reserved},
        )
    )
    for tname, pk, sk, mode in [
        ("shelfwise-sessions", "sessionId", None, "PAY_PER_REQUEST"),
        ("shelfwise-loans", "memberId", "loanId", "PAY_PER_REQUEST"),
        ("shelfwise-catalog", "titleId", None, "PAY_PER_REQUEST"),
    ]:
        keys = [{"AttributeName": pk, "KeyType": "HASH"}] + (
            [{"AttributeName": sk, "KeyType": "RANGE"}] if sk else []
        )
        resources.append(
            k.res(
                "dynamodb",
                "TableDescription",
                {
                    "TableName": tname,
                    "TableArn": f"arn:aws:dynamodb:{region}:{acct}:table/{tname}",
                    "TableId": k.uuid(rng),
                    "TableStatus": "ACTIVE",
                    "KeySchema": keys,
                    "AttributeDefinitions": [
                        {"AttributeName": a["AttributeName"], "AttributeType": "S"} for a in keys
                    ],
                    "CreationDateTime": k.iso(created),
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "BillingModeSummary": {
                        "BillingMode": mode,
                        "LastUpdateToPayPerRequestDateTime": k.iso(created),
                    },
                    "TableSizeBytes": rng.randrange(10**8, 10**10),
                    "ItemCount": rng.randrange(10**5, 10**7),
                    "DeletionProtectionEnabled": True,
                },
            )
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
            "trigger": {
                "question": (
                    f"Since about {(onset + timedelta(hours=OFFSET_H)).strftime('%-I:%M%p').lower()} readers are getting "
                    "'Something went wrong' all over the app — browsing, borrowing, returns. The handlers' dashboards "
                    "look fine. What's going on?"
                ),
                "alarm_event": None,
                "timezone": "America/New_York",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": auth_id,
                    "category": "change",
                    "failure_mode": "authorizer-cache-ttl-disabled",
                    "event_id": culprit["eventID"],
                },
                "also_accept": ["shelfwise-jwt", f"{api_id}/authorizers/{auth_id}", api_id, api],
                "actions": ["rollback"],
                "chain": [
                    f"UpdateAuthorizer set authorizerResultTtlInSeconds to 0 on authorizer {auth_id} of {api} (deployed to prod)",
                    f"every request now invokes {auth_fn} instead of a cached policy",
                    f"at the evening peak {auth_fn} reaches its reserved concurrency ({reserved}) and is throttled",
                    f"API Gateway answers 500 (AUTHORIZER_CONFIGURATION_ERROR) on every route of {api}",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
        },
    )
