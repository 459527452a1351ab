"""Recipe site: a Lambda p99 duration alarm fires for a few minutes on Thursday evening."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_za as k

NAME = "recipe-api-newsletter-cold-starts"
TITLE = "recipe-page-handler p99 duration alarm on Thursday evening"
SUMMARY = (
    "The weekly newsletter send drives a sharp traffic ramp; the Lambda scales out and cold starts push p99 "
    "duration over the alarm for a few minutes, the same as last week. No errors, nothing broken."
)

TZ = "America/Chicago"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    noise = random.Random(f"{NAME}:{seed}:noise")
    ids = k.Ids(rng)
    region = rng.choice(["us-east-2", "us-east-1", "us-west-2"])
    account = ids.account()
    zone = ZoneInfo(TZ)
    day = k.pick_day(rng, (3,))
    send_local = datetime(day.year, day.month, day.day, 17, 0, tzinfo=zone) + timedelta(
        minutes=rng.randrange(0, 4)
    )
    send = send_local.astimezone(k.UTC)
    last_send = (send_local - timedelta(days=7)).astimezone(k.UTC)
    start = k.floor_min(send - timedelta(days=8, hours=rng.randrange(0, 4)))
    now = k.floor_min(send + timedelta(minutes=rng.randrange(36, 48)))
    end = now
    utc_off = (send_local.utcoffset() or timedelta()).total_seconds() / 3600
    ramp = rng.uniform(3.2, 4.4)

    def windows() -> list[tuple[datetime, datetime]]:
        return [
            (last_send - timedelta(minutes=90), last_send + timedelta(minutes=90)),
            (send - timedelta(minutes=180), now),
        ]

    def times() -> list[datetime]:
        out: list[datetime] = []
        w = windows()
        t = start
        while t < now:
            inside = any(a <= t < b for a, b in w)
            out.append(t)
            if inside:
                t += timedelta(minutes=1)
            else:
                t += timedelta(hours=1)
                t = t.replace(minute=0)
                for a, _b in w:
                    if out[-1] < a < t:
                        t = a
        return out

    T = times()

    def step(t: datetime) -> int:
        return 60 if any(a <= t < b for a, b in windows()) else 3600

    def surge(t: datetime) -> float:
        for s in (send, last_send):
            mins = (t - s).total_seconds() / 60
            if 0 <= mins < 120:
                up = min(1.0, mins / 4)
                return 1 + (ramp - 1) * up * (0.985 ** max(0.0, mins - 6))
        return 1.0

    base_rps = rng.uniform(55, 80)

    def rps(t: datetime) -> float:
        return base_rps * k.diurnal(t, utc_off, low=0.15) * surge(t)

    def cold_share(t: datetime) -> float:
        for s in (send, last_send):
            mins = (t - s).total_seconds() / 60
            if 0 <= mins < 12:
                return 0.035 * (1 if mins < 7 else (12 - mins) / 5)
        return 0.001

    m = k.Metrics()
    fn = "recipe-page-handler"
    fd = {"FunctionName": fn}

    def inv(t: datetime) -> float:
        return k.noisy(noise, rps(t) * step(t), 0.03)

    m.add("AWS/Lambda", "Invocations", fd, "Count", T, inv, integer=True)

    def errs(t: datetime) -> float:
        return float(noise.random() < 0.12 * step(t) / 60 + 0.02)

    m.add("AWS/Lambda", "Errors", fd, "Count", T, errs, integer=True, key="err")
    m.add("AWS/Lambda", "Throttles", fd, "Count", T, lambda t: 0.0, integer=True)

    def dur(t: datetime) -> tuple[list[float], list[float]]:
        n = rps(t) * step(t)
        vals, counts = k.latency_dist(noise, 118, 340, n, digits=2)
        c = cold_share(t)
        if c > 0.005:
            cold_n = max(1.0, round(n * c))
            vals = [*vals, round(noise.uniform(1250, 1700), 2)]
            counts = [*counts, cold_n]
        return vals, counts

    m.add_dist("AWS/Lambda", "Duration", fd, "Milliseconds", T, dur, key="p99")
    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * 0.14 * (1 + 6 * cold_share(t)), 0.06),
        integer=True,
    )
    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        {},
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * 0.14 * (1 + 6 * cold_share(t)) + 14, 0.05),
        integer=True,
    )

    sfn = "recipe-search-handler"
    sd = {"FunctionName": sfn}
    m.add(
        "AWS/Lambda",
        "Invocations",
        sd,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * 0.3 * step(t), 0.04),
        integer=True,
    )
    m.add(
        "AWS/Lambda",
        "Errors",
        sd,
        "Count",
        T,
        lambda t: float(noise.random() < 0.05),
        integer=True,
        key="serr",
    )
    m.add("AWS/Lambda", "Duration", sd, "Milliseconds", T, k.const_noise(noise, 74, 0.1))
    img = "recipe-image-resizer"
    m.add(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": img},
        "Count",
        T,
        lambda t: k.noisy(noise, 0.4 * step(t) / 60, 0.5),
        integer=True,
    )
    m.add("AWS/Lambda", "Duration", {"FunctionName": img}, "Milliseconds", T, k.const_noise(noise, 2100, 0.2))

    api_id = ids.upper(10, "abcdefghijklmnopqrstuvwxyz0123456789")
    ad = {"ApiId": api_id, "Stage": "$default"}
    m.add(
        "AWS/ApiGateway",
        "Count",
        ad,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * 1.3 * step(t), 0.03),
        integer=True,
    )
    m.add(
        "AWS/ApiGateway",
        "4xx",
        ad,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * 0.011 * step(t), 0.1),
        integer=True,
    )
    m.add(
        "AWS/ApiGateway",
        "5xx",
        ad,
        "Count",
        T,
        lambda t: float(noise.random() < 0.1),
        integer=True,
        key="a5xx",
    )
    m.add(
        "AWS/ApiGateway",
        "Latency",
        ad,
        "Milliseconds",
        T,
        lambda t: k.noisy(noise, 140 + 1400 * cold_share(t), 0.06),
    )
    m.add(
        "AWS/ApiGateway",
        "IntegrationLatency",
        ad,
        "Milliseconds",
        T,
        lambda t: k.noisy(noise, 128 + 1400 * cold_share(t), 0.06),
    )

    table = "recipes"
    td = {"TableName": table}
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        td,
        "Count",
        T,
        lambda t: k.noisy(noise, rps(t) * 2.5 * step(t), 0.04),
        integer=True,
    )
    m.add(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "GetItem"},
        "Milliseconds",
        T,
        k.const_noise(noise, 3.2, 0.12),
    )
    m.add(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "Query"},
        "Milliseconds",
        T,
        k.const_noise(noise, 6.1, 0.12),
    )

    # ------------------------------------------------------------------ alarms
    topic = f"arn:aws:sns:{region}:{account}:web-platform-alerts"
    cfg = start - timedelta(days=rng.randrange(40, 200))
    near_pts = {key: [(t, v) for t, v in pts if step(t) == 60] for key, pts in m.points.items()}
    specs = [
        (
            f"{fn}-p99-duration",
            "recipe-page-handler p99 duration above 1 s",
            "AWS/Lambda",
            "Duration",
            fd,
            "p99",
            60,
            3,
            3,
            1000.0,
            "GreaterThanThreshold",
            "p99",
            "missing",
        ),
        (
            f"{fn}-errors",
            "recipe-page-handler errors",
            "AWS/Lambda",
            "Errors",
            fd,
            "Sum",
            300,
            1,
            1,
            10.0,
            "GreaterThanThreshold",
            "err",
            "notBreaching",
        ),
        (
            "recipes-api-5xx",
            "HTTP API 5xx",
            "AWS/ApiGateway",
            "5xx",
            ad,
            "Sum",
            300,
            2,
            2,
            20.0,
            "GreaterThanThreshold",
            "a5xx",
            "notBreaching",
        ),
        (
            f"{sfn}-errors",
            "recipe-search-handler errors",
            "AWS/Lambda",
            "Errors",
            sd,
            "Sum",
            300,
            1,
            1,
            10.0,
            "GreaterThanThreshold",
            "serr",
            "notBreaching",
        ),
    ]
    alarms: list[k.Json] = []
    history: list[k.Json] = []
    trig: k.Json | None = None
    for name, desc, ns, met, dims, stat, per, ev, dp, thr, cmp_, key, miss in specs:
        item = k.alarm_item(
            account=account,
            region=region,
            name=name,
            description=desc,
            namespace=ns,
            metric=met,
            dims=dims,
            statistic=stat,
            period=per,
            evaluation_periods=ev,
            datapoints=dp,
            threshold=thr,
            comparison=cmp_,
            treat_missing=miss,
            topic_arn=topic,
            configured=cfg,
        )
        final, hist, trans = k.evaluate_alarm(item, near_pts[key], start, now)
        alarms.append(final)
        history += hist
        if name == f"{fn}-p99-duration":
            firing = [x for x in trans if x["new"] == "ALARM" and x["time"] > send]
            if firing:
                prior = [h for h in hist if h["Timestamp"] < k.iso_ms(firing[0]["time"])]
                was = (
                    json.loads(prior[-1]["HistoryData"])["newState"]["stateReason"]
                    if prior
                    else final["StateReason"]
                )
                trig = k.alarm_event(item, firing[0], account, region, ids, was)

    # ------------------------------------------------------------------ resources
    fn_arn = {f: f"arn:aws:lambda:{region}:{account}:function:{f}" for f in (fn, sfn, img)}
    banner_at = send - timedelta(minutes=rng.randrange(18, 29), seconds=rng.randrange(60))
    search_deploy = send - timedelta(minutes=rng.randrange(6, 16), seconds=rng.randrange(60))

    def fcfg(name: str, mem: int, timeout: int, env: dict[str, str], modified: datetime, desc: str) -> k.Json:
        return {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": name,
                "FunctionArn": fn_arn[name],
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{account}:role/{name}-role",
                "Handler": "dist/index.handler",
                "CodeSize": rng.randrange(2_000_000, 9_000_000),
                "Description": desc,
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": ids.hex(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": env},
                "TracingConfig": {"Mode": "Active"},
                "RevisionId": ids.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            },
        }

    integ_id = ids.upper(7, "abcdefghijklmnopqrstuvwxyz0123456789")
    integ2 = ids.upper(7, "abcdefghijklmnopqrstuvwxyz0123456789")
    resources: list[k.Json] = [
        {
            "service": "apigatewayv2",
            "type": "Api",
            "item": {
                "ApiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
                "ApiId": api_id,
                "ApiKeySelectionExpression": "$request.header.x-api-key",
                "CreatedDate": k.iso(start - timedelta(days=420)),
                "DisableExecuteApiEndpoint": False,
                "Name": "recipes-api",
                "ProtocolType": "HTTP",
                "RouteSelectionExpression": "$request.method $request.path",
                "Tags": {"team": "web"},
            },
        },
        {
            "service": "apigatewayv2",
            "type": "ApiStage",
            "item": {
                "ApiId": api_id,
                "AutoDeploy": True,
                "CreatedDate": k.iso(start - timedelta(days=420)),
                "DefaultRouteSettings": {
                    "DetailedMetricsEnabled": False,
                    "ThrottlingBurstLimit": 5000,
                    "ThrottlingRateLimit": 10000.0,
                },
                "DeploymentId": ids.upper(6, "abcdefghijklmnopqrstuvwxyz0123456789"),
                "LastUpdatedDate": k.iso(start - timedelta(days=30)),
                "RouteSettings": {},
                "StageName": "$default",
                "StageVariables": {},
                "Tags": {},
            },
        },
        {
            "service": "apigatewayv2",
            "type": "ApiRoute",
            "item": {
                "ApiId": api_id,
                "ApiKeyRequired": False,
                "AuthorizationType": "NONE",
                "RouteId": ids.upper(7, "abcdefghijklmnopqrstuvwxyz0123456789"),
                "RouteKey": "GET /recipes/{slug}",
                "Target": f"integrations/{integ_id}",
            },
        },
        {
            "service": "apigatewayv2",
            "type": "ApiRoute",
            "item": {
                "ApiId": api_id,
                "ApiKeyRequired": False,
                "AuthorizationType": "NONE",
                "RouteId": ids.upper(7, "abcdefghijklmnopqrstuvwxyz0123456789"),
                "RouteKey": "GET /search",
                "Target": f"integrations/{integ2}",
            },
        },
        {
            "service": "apigatewayv2",
            "type": "ApiIntegration",
            "item": {
                "ApiId": api_id,
                "ConnectionType": "INTERNET",
                "IntegrationId": integ_id,
                "IntegrationMethod": "POST",
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": fn_arn[fn],
                "PayloadFormatVersion": "2.0",
                "TimeoutInMillis": 10000,
            },
        },
        {
            "service": "apigatewayv2",
            "type": "ApiIntegration",
            "item": {
                "ApiId": api_id,
                "ConnectionType": "INTERNET",
                "IntegrationId": integ2,
                "IntegrationMethod": "POST",
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": fn_arn[sfn],
                "PayloadFormatVersion": "2.0",
                "TimeoutInMillis": 10000,
            },
        },
        fcfg(
            fn,
            1024,
            10,
            {"TABLE_NAME": table, "FEATURE_SEASONAL_BANNER": "true", "NODE_OPTIONS": "--enable-source-maps"},
            banner_at,
            "Server-side data for recipe pages",
        ),
        fcfg(
            sfn,
            512,
            10,
            {"OPENSEARCH_ENDPOINT": f"https://search-recipes-{ids.hex(20)}.{region}.es.amazonaws.com"},
            search_deploy,
            "Recipe search",
        ),
        fcfg(
            img,
            2048,
            60,
            {"BUCKET": f"forkful-recipe-images-{account}"},
            start - timedelta(days=rng.randrange(20, 90)),
            "Generates recipe image variants",
        ),
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": table,
                "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
                "TableId": ids.uuid(),
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(start - timedelta(days=900)),
                "AttributeDefinitions": [{"AttributeName": "slug", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "slug", "KeyType": "HASH"}],
                "ItemCount": rng.randrange(18000, 40000),
                "TableSizeBytes": rng.randrange(200_000_000, 600_000_000),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(start - timedelta(days=900)),
                },
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "DeletionProtectionEnabled": True,
                "TableClassSummary": {"TableClass": "STANDARD"},
            },
        },
        k.log_group(
            account,
            region,
            f"/aws/lambda/{fn}",
            14,
            start - timedelta(days=420),
            rng.randrange(10**9, 10**10),
        ),
    ]

    # ------------------------------------------------------------------ CloudTrail
    ct: list[k.Json] = []
    people = rng.sample(["megan.ross", "luis.ortega", "brianna.kim", "tyler.nguyen", "hailey.wood"], 3)
    web = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_WebDeveloper_{ids.hex(16)}",
        f"{people[0]}@forkful.com",
        k.AGENT_CONSOLE,
    )
    ops = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_Operations_{ids.hex(16)}",
        f"{people[1]}@forkful.com",
        k.AGENT_CLI.format(cmd="lambda.get-function"),
    )
    ro = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_ReadOnly_{ids.hex(16)}",
        f"{people[2]}@forkful.com",
        k.AGENT_CONSOLE,
    )
    gha = k.principal(
        ids,
        account,
        region,
        "role",
        "gha-serverless-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        k.AGENT_JS.format(api="lambda"),
        ip=ids.public_ip(),
    )
    reads: list[tuple[str, str, k.Json | None]] = [
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
        ("apigateway.amazonaws.com", "GetApis", None),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("cloudwatch.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "recipe"}),
        ("logs.amazonaws.com", "DescribeLogStreams", {"logGroupName": f"/aws/lambda/{fn}"}),
    ]
    ct += k.routine_reads(rng, ids, [web, ops, ro], reads, start, now, 26, region, account)
    # weekly deploys
    for when in sorted(
        [start + timedelta(days=d, hours=rng.randrange(14, 22)) for d in (1, 3, 5)] + [search_deploy]
    ):
        target = sfn if when == search_deploy else rng.choice([fn, sfn, img])
        ct.append(
            k.ct_record(
                ids,
                gha,
                when,
                "lambda.amazonaws.com",
                "UpdateFunctionCode20150331v2",
                {
                    "functionName": target,
                    "s3Bucket": f"forkful-deploy-artifacts-{account}",
                    "s3Key": f"{target}/{ids.hex(40)}.zip",
                    "publish": False,
                    "dryRun": False,
                },
                {
                    "functionName": target,
                    "functionArn": fn_arn[target],
                    "runtime": "nodejs20.x",
                    "codeSha256": ids.hex(43) + "=",
                    "version": "$LATEST",
                    "state": "Active",
                    "lastUpdateStatus": "InProgress",
                },
                read_only=False,
                region=region,
                account=account,
            )
        )
    ct.append(
        k.ct_record(
            ids,
            web,
            banner_at,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            {"functionName": fn, "environment": {}},
            {
                "functionName": fn,
                "functionArn": fn_arn[fn],
                "memorySize": 1024,
                "timeout": 10,
                "environment": {},
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            ops,
            send + timedelta(minutes=rng.randrange(8, 20)),
            "cloudwatch.amazonaws.com",
            "PutDashboard",
            {"dashboardName": "recipes-web-overview"},
            {"dashboardValidationMessages": []},
            read_only=False,
            region=region,
            account=account,
        )
    )

    # ------------------------------------------------------------------ logs
    logs: list[k.Json] = []
    group = f"/aws/lambda/{fn}"
    paths = [
        "chicken-tikka-traybake",
        "15-minute-pesto-pasta",
        "sheet-pan-fajitas",
        "lemon-ricotta-pancakes",
        "miso-glazed-salmon",
        "one-pot-chili",
        "crispy-gnocchi-bake",
    ]
    for a, b in windows():
        t = a + timedelta(seconds=rng.randrange(5, 30))
        streams = [k.lambda_stream(ids, t) for _ in range(3)]
        while t < min(b, now):
            c = cold_share(t)
            is_cold = rng.random() < min(0.6, c * 12)
            if is_cold:
                streams.append(k.lambda_stream(ids, t))
                s = streams[-1]
            else:
                s = rng.choice(streams)
            d = rng.uniform(1150, 1650) if is_cold else rng.uniform(60, 260)
            slug = rng.choice(paths)
            body = [
                f"{k.iso_ms(t)}\t{{rid}}\tINFO\t"
                + json.dumps(
                    {
                        "msg": "rendered recipe data",
                        "slug": slug,
                        "cache": rng.choice(["hit", "hit", "miss"]),
                        "ddbMs": round(rng.uniform(2, 9), 1),
                    },
                    separators=(",", ":"),
                )
                + "\n"
            ]
            if rng.random() < 0.04:
                body.append(
                    f"{k.iso_ms(t)}\t{{rid}}\tWARN\t"
                    + json.dumps(
                        {"msg": "image variant missing, using original", "slug": slug, "variant": "w480"},
                        separators=(",", ":"),
                    )
                    + "\n"
                )
            logs += k.lambda_report(
                rng,
                ids,
                group,
                s,
                t,
                d,
                1024,
                rng.randrange(150, 190),
                body,
                init_ms=rng.uniform(780, 1180) if is_cold else None,
            )
            t += timedelta(seconds=rng.uniform(15, 45) if c < 0.01 else rng.uniform(3, 8))

    q = rng.choice(
        [
            "recipe-page-handler p99 duration alarm went off a bit after 5pm. Is something broken?",
            "Got paged for recipe-page-handler p99 duration just after 5. Do we need to do anything?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": q, "alarm_event": trig, "timezone": TZ},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": k.sort_ct(ct),
            "resources": resources,
        },
    )
