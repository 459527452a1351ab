"""No fault: the perf team's announced load test against the catalog-search API. Requests rise about
3.5x, Lambda scales out with some cold starts, error rates and latency stay in their normal bands, and
the request-count alarm fires as designed."""

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_b as kb
from evals.suites.fresh import _kit_h as kh

NAME = "catalog-search-load-test"
TITLE = "catalog-search request-count alarm during the planned load test"
SUMMARY = (
    "Planned, announced load test on the catalog-search API (API Gateway + Lambda + DynamoDB): traffic up "
    "~3.5x, errors and latency normal, the request-surge alarm fires; nothing is broken."
)

J = kb.J


def build(seed: int) -> Bundle:
    kit = kb.Kit(NAME, seed, region="us-east-1")
    rng = kit.rng
    tz = zoneinfo.ZoneInfo("America/New_York")
    kit.clock(onset_hour=(15, 19), hours_before=6, minutes_after=40)
    # the test starts on the hour (local), as scheduled
    local = kit.onset.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    onset = local.astimezone(kit.onset.tzinfo)
    kit.onset = onset
    kit.start = onset - timedelta(hours=rng.randint(6, 8))
    kit.fine_from = onset - timedelta(hours=3)
    kit.now = onset + timedelta(minutes=rng.randint(34, 44), seconds=rng.randint(5, 50))
    test_len = timedelta(minutes=rng.choice([60, 75, 90]))
    company = rng.choice(["fernhill", "oakline", "rivermint"])

    # --- resources ----------------------------------------------------------------------------------------
    fn = "catalog-search-handler"
    role = "catalog-search-lambda"
    born = kit.start - timedelta(days=rng.randint(200, 700))
    kh.iam_role(
        kit,
        role,
        service="lambda.amazonaws.com",
        created=born,
        desc="catalog-search Lambda execution role",
        inline={
            "catalog-read": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
                        "Resource": [
                            kit.arn("dynamodb", "table/catalog-products"),
                            kit.arn("dynamodb", "table/catalog-products/index/*"),
                        ],
                    }
                ],
            }
        },
        managed=[
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        ],
    )
    fn_item = kb.lambda_fn(
        kit,
        fn,
        runtime="python3.12",
        handler="app.handler",
        role=role,
        memory=1024,
        timeout=10,
        modified=kit.start - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 12)),
        env={
            "PRODUCTS_TABLE": "catalog-products",
            "POWERTOOLS_SERVICE_NAME": "catalog-search",
            "LOG_LEVEL": "INFO",
        },
        desc="catalog search and product lookup",
        tracing="Active",
    )
    kit.res("lambda", "FunctionConcurrency", {"FunctionName": fn, "ReservedConcurrentExecutions": 400})
    kh.ddb_table(
        kit,
        "catalog-products",
        pk="sku",
        sk=None,
        attrs={"sku": "S", "category": "S", "popularity": "N"},
        gsis=[("category-popularity-idx", "category", "popularity")],
        created=born - timedelta(days=30),
        items=rng.randint(400_000, 1_900_000),
        avg_item_bytes=rng.randint(1800, 3200),
    )
    access_group = "/aws/apigateway/catalog-search-prod-access"
    api = kb.RestApi(
        kit,
        "catalog-search",
        "Public catalog search API",
        created=born,
        stage="prod",
        access_group=access_group,
        throttle=(5000, 2500),
        tracing=True,
    )
    integ = kb.lambda_proxy(kit, fn_item["FunctionArn"], timeout_ms=10000)
    v1 = api.resource("/v1", api.root, {})
    api.resource("/v1/search", v1, {"GET": integ})
    api.resource("/v1/products/{sku}", v1, {"GET": integ})
    std_key, perf_key = kb.lower_id(kit, 10), kb.lower_id(kit, 10)
    for pid, pname, desc, thr, quota in (
        (kb.lower_id(kit, 6), "storefront-web", "storefront and apps", (2000, 1000), None),
        (kb.lower_id(kit, 6), "perf-loadtest", "perf team k6 runs", (1500, 800), None),
        (kb.lower_id(kit, 6), "partner-feeds", "partner catalog consumers", (100, 200), (200000, "DAY")),
    ):
        plan: J = {
            "id": pid,
            "name": pname,
            "description": desc,
            "apiStages": [{"apiId": api.id, "stage": "prod"}],
            "throttle": {"burstLimit": thr[1], "rateLimit": float(thr[0])},
            "tags": {"service": "catalog-search"},
        }
        if quota:
            plan["quota"] = {"limit": quota[0], "offset": 0, "period": quota[1]}
        kit.res("apigateway", "UsagePlan", plan)
    for g in (access_group, f"/aws/lambda/{fn}"):
        kb.log_group(kit, g, retention=30)

    # --- traffic --------------------------------------------------------------------------------------
    base = rng.uniform(3000, 6000)  # requests a minute, organic
    mult = rng.uniform(2.6, 3.2)  # extra load from the test at full ramp, as a multiple of organic peak
    peak = rng.uniform(17.5, 20.0)
    ramp = timedelta(minutes=10)

    def organic(t: datetime) -> float:
        return base * kit.diurnal(t, utc_peak=peak, floor=0.2)

    def test_load(t: datetime) -> float:
        if t < onset or t >= onset + test_len:
            return 0.0
        x = min(1.0, (t - onset) / ramp)
        return base * mult * x

    def total(t: datetime) -> float:
        return organic(t) + test_load(t)

    def conc(t: datetime) -> float:
        return total(t) / 60 * 0.085 * (1.06 if test_load(t) else 1.0)

    dims = api.dims
    ns = "AWS/ApiGateway"
    kit.series(ns, "Count", dims, "Count", lambda t: kit.jitter(total(t), 0.03), count=True)
    kit.series(ns, "4XXError", dims, "Count", lambda t: total(t) * 0.011, count=True)
    kit.series(ns, "5XXError", dims, "Count", lambda t: total(t) * 0.0004, count=True)
    kit.dist(
        ns,
        "Latency",
        dims,
        "Milliseconds",
        lambda t: (96.0 * (1.05 if test_load(t) else 1.0), 0.45),
        samples=lambda t: min(total(t), 500.0),
        digits=1,
    )
    kit.dist(
        ns,
        "IntegrationLatency",
        dims,
        "Milliseconds",
        lambda t: (84.0 * (1.05 if test_load(t) else 1.0), 0.45),
        samples=lambda t: min(total(t), 500.0),
        digits=1,
    )

    def cold_share(t: datetime) -> float:
        if onset <= t < onset + ramp + timedelta(minutes=2):
            return 0.012
        return 0.0008

    kb.lambda_metrics(
        kit,
        fn,
        invocations=lambda t: total(t) * 0.989,
        errors=lambda t: total(t) * 0.0003,
        duration=lambda t: (71.0 * (1.04 if test_load(t) else 1.0), 0.45),
        concurrency=conc,
        throttles=lambda t: 0.0,
    )
    kit.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        {},
        "Count",
        lambda t: round(kit.jitter(conc(t) + 38, 0.05)),
        digits=0,
    )
    kit.series(
        "AWS/Lambda",
        "UnreservedConcurrentExecutions",
        {},
        "Count",
        lambda t: round(kit.jitter(38, 0.08)),
        digits=0,
    )
    tbl = "catalog-products"
    kh.ddb_op_metrics(kit, tbl, "GetItem", lambda t: total(t) * 0.42, lambda t: (3.0, 0.35), returned=1.0)
    kh.ddb_op_metrics(kit, tbl, "Query", lambda t: total(t) * 0.58, lambda t: (6.8, 0.4), returned=24.0)
    kit.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": tbl},
        "Count",
        lambda t: total(t) * 0.42 * 0.5,
        count=True,
    )
    kit.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": tbl, "GlobalSecondaryIndexName": "category-popularity-idx"},
        "Count",
        lambda t: total(t) * 0.58 * 8.5,
        count=True,
    )
    kit.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": tbl},
        "Count",
        lambda t: 14.0,
        count=True,
    )

    # --- logs ------------------------------------------------------------------------------------------
    k6_ips = [kit.public_ip() for _ in range(4)]
    access_streams = [kit.hex(32) for _ in range(2)]
    queries = [
        "trail running shoes",
        "rain jacket",
        "merino socks",
        "camp stove",
        "headlamp",
        "tent 2p",
        "down vest",
        "water filter",
        "trekking poles",
        "daypack 20l",
        "sleeping pad",
        "kids hiking boots",
    ]
    skus = [f"{rng.choice('ABCDEFGH')}{rng.randint(100000, 999999)}" for _ in range(80)]
    streams: list[str] = [kb.lambda_stream(kit, kit.fine_from) for _ in range(3)]
    t = kit.fine_from
    while t < kit.now:
        n = kit.poisson(3.0 * (total(t) / max(1.0, organic(t))) ** 0.6)
        for _ in range(n):
            at = t + timedelta(milliseconds=rng.randint(0, 59_999))
            from_test = rng.random() < (test_load(at) / total(at))
            search = rng.random() < 0.58
            path = "/v1/search" if search else "/v1/products/{sku}"
            lat = max(12, round(rng.lognormvariate(4.55, 0.42)))
            status = 200
            if not search and rng.random() < 0.02:
                status = 404
            kit.log(
                access_group,
                rng.choice(access_streams),
                at,
                kb.access_line(
                    kit,
                    at,
                    method="GET",
                    path=path,
                    status=status,
                    key=perf_key if from_test else std_key,
                    latency=lat,
                    integ=lat - rng.randint(6, 14),
                    integ_status=status,
                    length=rng.randint(900, 14000) if status == 200 else 48,
                    ip=rng.choice(k6_ips) if from_test else "",
                ),
            )
            # the function's own log for a subset of requests
            if rng.random() < 0.4:
                cold = rng.random() < cold_share(at) * 10
                if cold:
                    streams.append(kb.lambda_stream(kit, at))
                stream = streams[-1] if cold else rng.choice(streams)
                dur = lat - rng.uniform(8, 16)
                q = rng.choice(queries) if search else ""
                body = {
                    "level": "INFO",
                    "location": "search:112" if search else "product:57",
                    "message": "search served" if search else "product served",
                    "timestamp": kb.iso_ms(at).replace("+0000", "Z"),
                    "service": "catalog-search",
                    "cold_start": cold,
                    "function_name": fn,
                    "function_memory_size": "1024",
                    "function_arn": fn_item["FunctionArn"],
                    "function_request_id": kit.uuid(),
                    "xray_trace_id": kit.trace_id(at),
                }
                if search:
                    body.update({"query": q, "results": rng.randint(0, 48), "page": 1})
                else:
                    body.update({"sku": rng.choice(skus), "found": status == 200})
                kb.lambda_invocation(
                    kit,
                    f"/aws/lambda/{fn}",
                    stream,
                    at,
                    max(4.0, dur),
                    1024,
                    rng.randint(142, 171),
                    [json.dumps(body, separators=(",", ":"))],
                    init_ms=rng.uniform(820, 1310) if cold else None,
                )
        if rng.random() < 0.02:
            at = t + timedelta(seconds=rng.randint(0, 59))
            body = {
                "level": "WARNING",
                "location": "search:140",
                "message": "query too short, returning empty result",
                "timestamp": kb.iso_ms(at).replace("+0000", "Z"),
                "service": "catalog-search",
                "cold_start": False,
                "function_name": fn,
                "query_length": 1,
            }
            kb.lambda_invocation(
                kit,
                f"/aws/lambda/{fn}",
                rng.choice(streams),
                at,
                rng.uniform(3, 9),
                1024,
                150,
                [json.dumps(body, separators=(",", ":"))],
            )
        t += timedelta(minutes=1)

    # --- alarms ----------------------------------------------------------------------------------------
    topic = kit.arn("sns", "catalog-alerts")
    thresh = round(base * 1.6 * 5, -2)
    kit.alarm(
        "catalog-search-request-surge",
        ns=ns,
        metric="Count",
        dims=dims,
        stat="Sum",
        period=300,
        evals=2,
        threshold=thresh,
        op="GreaterThanThreshold",
        description="Request volume well above normal peak for catalog-search (possible abuse or scraping).",
        topic=topic,
    )
    kit.alarm(
        "catalog-search-5xx-rate",
        ns=ns,
        metric="5XXError",
        dims=dims,
        stat="Sum",
        period=60,
        evals=5,
        to_alarm=3,
        threshold=25,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )
    kit.alarm(
        "catalog-search-p99-latency",
        ns=ns,
        metric="Latency",
        dims=dims,
        stat="p99",
        period=300,
        evals=2,
        threshold=1500,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "catalog-search-handler-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn},
        stat="Sum",
        period=300,
        evals=1,
        threshold=50,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )
    kit.alarm(
        "catalog-search-handler-throttles",
        ns="AWS/Lambda",
        metric="Throttles",
        dims={"FunctionName": fn},
        stat="Sum",
        period=60,
        evals=3,
        threshold=0,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )

    # --- CloudTrail ------------------------------------------------------------------------------------
    emails = [f"{n}@{company}.com" for n in rng.sample(["arjun.d", "beth.c", "noor.h", "wes.t", "yuki.s"], 3)]
    perf = kit.sso(emails[0], "PerfEngineering")
    dev = kit.sso(emails[1], "CatalogDeveloper")
    ro = kit.sso(emails[2], "ReadOnly")
    ci = kit.role_session("gha-catalog-deploy", "GitHubActions")
    monitor = kit.role_session("grafana-cloudwatch-read", "grafana")
    menu = kb.standard_menu(
        kit,
        humans=[perf, dev, ro],
        ci=ci,
        monitor=monitor,
        instance_ids=[],
        alarms=["catalog-search-request-surge", "catalog-search-5xx-rate", "catalog-search-p99-latency"],
        lb_arns=[],
        tg_arns=[],
        functions=[fn, "catalog-indexer"],
        log_groups=[access_group, f"/aws/lambda/{fn}"],
    )
    kit.routine(menu, rng.randint(30, 36))
    office = kit.public_ip()
    # the perf engineer checks the setup ahead of the test
    prep = onset - timedelta(minutes=rng.randint(24, 29))
    kit.trail(
        perf,
        prep,
        "apigateway.amazonaws.com",
        "GetUsagePlans",
        {"limit": 25},
        read_only=True,
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )
    kit.trail(
        perf,
        prep + timedelta(seconds=rng.randint(60, 120)),
        "lambda.amazonaws.com",
        "GetFunctionConcurrency",
        {"functionName": fn},
        read_only=True,
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )
    # innocent change 1: keeps the access logs long enough for the test report
    kit.trail(
        perf,
        onset - timedelta(minutes=rng.randint(14, 19)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": access_group, "retentionInDays": 30},
        None,
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )
    # innocent change 2: an unrelated function's config
    cfg_t = onset - timedelta(minutes=rng.randint(5, 11), seconds=rng.randint(0, 59))
    kit.trail(
        ci,
        cfg_t,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "catalog-indexer", "environment": {}, "timeout": 300},
        {
            "functionName": "catalog-indexer",
            "functionArn": kit.arn("lambda", "function:catalog-indexer"),
            "runtime": "python3.12",
            "timeout": 300,
            "memorySize": 2048,
            "lastModified": cfg_t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "environment": {},
        },
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.4 terraform-provider-aws/5.52.0 aws-sdk-go-v2/1.27.0 api/lambda#1.54.6",
        ip=kit.public_ip(),
    )
    # innocent change 3: a dashboard for the test
    kit.trail(
        perf,
        onset - timedelta(minutes=rng.randint(2, 4)),
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "catalog-search-loadtest", "dashboardBody": '{"widgets":[...]}'},
        {"dashboardValidationMessages": []},
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )
    kit.trail(
        dev,
        onset + timedelta(minutes=rng.randint(12, 18)),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": fn},
        read_only=True,
        agent=kb.AGENT_CONSOLE,
        ip=kit.public_ip(),
        console=True,
    )

    # --- trigger -------------------------------------------------------------------------------------------
    start_local = onset.astimezone(tz)
    end_local = (onset + test_len).astimezone(tz)
    event = kit.alarm_event("catalog-search-request-surge")
    question = (
        (
            f"catalog-search-request-surge just paged me. The perf team announced their catalog-search load test "
            f"for {start_local:%-I:%M}-{end_local:%-I:%M%p} ET today (k6, perf-loadtest API key). "
            "Is this just the test, or is something actually wrong that I need to act on?"
        )
        .replace("AM", "am")
        .replace("PM", "pm")
    )
    return kit.bundle(
        title="catalog-search-request-surge in ALARM",
        trigger={"question": question, "alarm_event": event, "timezone": "America/New_York"},
        truth={"no_fault": True},
    )
