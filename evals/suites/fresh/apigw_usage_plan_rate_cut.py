"""A usage-plan edit meant for the trial tier lowers the top partner tier's rate limit; that partner gets 429s."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_b import (
    AGENT_CONSOLE,
    AGENT_TF,
    Kit,
    RestApi,
    access_line,
    cli,
    iso,
    lambda_fn,
    lambda_invocation,
    lambda_metrics,
    lambda_proxy,
    lambda_stream,
    log_group,
    lower_id,
    standard_menu,
)

NAME = "apigw-usage-plan-rate-cut"
TITLE = "Largest partner getting 429 Too Many Requests from the partner API"
SUMMARY = (
    "UpdateUsagePlan intended for the trial plan lowers the gold plan's rate limit from 500 to 50 req/s; the "
    "gold partner's traffic above 50 req/s is throttled with 429s"
)

PARTNERS = [
    ("Harbor Retail", "harbor-retail"),
    ("Northgate Foods", "northgate"),
    ("Kestrel Outdoor", "kestrel"),
]
PEOPLE = ["carlos.mendez", "hannah.lee", "yusuf.demir", "grace.obi", "arjun.nair"]


def _scaled(fn: Callable[[datetime], float], k: float, plus: float = 0.0) -> Callable[[datetime], float]:
    return lambda t: fn(t) * k + plus


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="us-west-2")
    rng = kit.rng
    partner, _slug = rng.choice(PARTNERS)
    onset = kit.clock(onset_hour=(17, 21), hours_before=4, minutes_after=rng.randint(32, 45))
    co = rng.choice(["supplyhive", "stockpath", "orderly"])
    people = rng.sample(PEOPLE, 4)
    dom = f"{co}.com"
    integ_eng = kit.sso(f"{people[0]}@{dom}", "PartnerIntegrations")
    dev = kit.sso(f"{people[1]}@{dom}", "Developer")
    sre = kit.sso(f"{people[2]}@{dom}", "SRE")
    ci = kit.role_session(f"{co}-ci-deployer", "GitHubActions")
    monitor = kit.role_session("grafana-cloudwatch", "grafana")

    created = kit.start - timedelta(days=rng.randint(300, 900))
    access_group = "/aws/apigateway/partner-api-v1-access"
    api = RestApi(
        kit,
        "partner-api",
        "Partner order and inventory API",
        created=created,
        stage="v1",
        access_group=access_group,
    )
    other = RestApi(
        kit,
        "ops-admin-api",
        "Internal operations API",
        created=created + timedelta(days=40),
        stage="prod",
        access_group="/aws/apigateway/ops-admin-api-access",
    )
    role = f"{co}-partner-api-lambda"
    fns = {}
    for fname, handler, mem in (
        ("partner-orders-handler", "dist/orders.handler", 1024),
        ("partner-inventory-handler", "dist/inventory.handler", 512),
    ):
        fns[fname] = lambda_fn(
            kit,
            fname,
            runtime="nodejs20.x",
            handler=handler,
            role=role,
            memory=mem,
            timeout=15,
            modified=kit.start - timedelta(days=rng.randint(2, 20)),
            env={"TABLE_NAME": "partner-orders", "NODE_OPTIONS": "--enable-source-maps"},
            tracing="Active",
        )
        log_group(kit, f"/aws/lambda/{fname}", retention=30)
    log_group(kit, access_group, retention=90)
    orders_rid = api.resource(
        "/orders",
        api.root,
        {
            "POST": lambda_proxy(kit, fns["partner-orders-handler"]["FunctionArn"]),
            "GET": lambda_proxy(kit, fns["partner-orders-handler"]["FunctionArn"]),
        },
    )
    api.resource(
        "/orders/{orderId}",
        orders_rid,
        {"GET": lambda_proxy(kit, fns["partner-orders-handler"]["FunctionArn"])},
    )
    api.resource(
        "/inventory", api.root, {"GET": lambda_proxy(kit, fns["partner-inventory-handler"]["FunctionArn"])}
    )
    kit.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "partner-orders",
            "TableStatus": "ACTIVE",
            "TableArn": kit.arn("dynamodb", "table/partner-orders"),
            "TableId": kit.uuid(),
            "CreationDateTime": iso(created),
            "ItemCount": rng.randint(10**7, 9 * 10**7),
            "TableSizeBytes": rng.randint(10**10, 9 * 10**10),
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "DeletionProtectionEnabled": True,
        },
    )

    # usage plans and keys
    plans = {}
    for tier, rate, burst, quota in (
        ("gold", 500, 1000, None),
        ("standard", 100, 200, None),
        ("trial", 20, 40, 20000),
    ):
        pid = lower_id(kit, 6)
        plans[tier] = pid
        item = {
            "id": pid,
            "name": f"partner-{tier}",
            "description": f"{tier.title()} partner tier",
            "apiStages": [{"apiId": api.id, "stage": "v1"}],
            "throttle": {
                "burstLimit": burst if tier != "gold" else 100,
                "rateLimit": float(rate if tier != "gold" else 50),
            },
            "tags": {"tier": tier},
        }
        if tier == "trial":
            item["throttle"] = {"burstLimit": burst, "rateLimit": float(rate)}
        if quota:
            item["quota"] = {"limit": quota, "offset": 0, "period": "DAY"}
        kit.res("apigateway", "UsagePlan", item)
    gold_key = lower_id(kit)
    std_keys = [lower_id(kit) for _ in range(4)]
    trial_keys = [lower_id(kit) for _ in range(3)]
    new_key = lower_id(kit)

    # --- traffic -------------------------------------------------------------------------------------
    gold_base = rng.uniform(9000, 12500)  # requests per minute at peak
    std_base = rng.uniform(1400, 2200)

    def gold_demand(t: datetime) -> float:
        d = gold_base * kit.diurnal(t, utc_peak=20, floor=0.25)
        return d * (1.18 if t >= onset else 1.0)  # clients retry throttled calls

    def gold_ok(t: datetime) -> float:
        return min(gold_demand(t), 50 * 60 * 0.985) if t >= onset else gold_demand(t)

    def throttled(t: datetime) -> float:
        return gold_demand(t) - gold_ok(t)

    def std(t: datetime) -> float:
        return std_base * kit.diurnal(t, utc_peak=19, floor=0.3) + 45

    def total(t: datetime) -> float:
        return gold_demand(t) + std(t)

    ns = "AWS/ApiGateway"
    kit.series(ns, "Count", api.dims, "Count", lambda t: kit.jitter(total(t), 0.03), count=True)
    kit.series(ns, "4XXError", api.dims, "Count", lambda t: total(t) * 0.004 + throttled(t), count=True)
    kit.series(ns, "5XXError", api.dims, "Count", lambda t: total(t) * 0.0002, count=True)

    def lat(t: datetime) -> tuple[float, float]:
        share = throttled(t) / total(t)
        return (68 * (1 - share) + 4 * share, 0.55 + share)

    kit.dist(ns, "Latency", api.dims, "Milliseconds", lat, samples=lambda t: 300)
    kit.dist(ns, "IntegrationLatency", api.dims, "Milliseconds", lambda t: (55.0, 0.5), samples=lambda t: 300)

    def client_errors(t: datetime) -> float:
        return total(t) * 0.004 + throttled(t)

    def served_rate(t: datetime) -> float:
        return gold_ok(t) + std(t)

    for path, method, share in (
        ("/orders", "POST", 0.42),
        ("/orders/{orderId}", "GET", 0.23),
        ("/inventory", "GET", 0.35),
    ):
        d = {"ApiName": "partner-api", "Method": method, "Resource": path, "Stage": "v1"}
        kit.series(ns, "Count", d, "Count", _scaled(total, share), count=True)
        kit.series(ns, "4XXError", d, "Count", _scaled(client_errors, share), count=True)
    kit.series(ns, "Count", other.dims, "Count", lambda t: 30 * kit.diurnal(t, utc_peak=18), count=True)
    kit.series(ns, "4XXError", other.dims, "Count", lambda t: 0.2, count=True)
    kit.series(ns, "5XXError", other.dims, "Count", lambda t: 0.0, count=True)

    served = {"partner-orders-handler": 0.65, "partner-inventory-handler": 0.35}
    for fname, share in served.items():
        lambda_metrics(
            kit,
            fname,
            invocations=_scaled(served_rate, share),
            errors=_scaled(served_rate, share * 0.0002),
            duration=lambda t: (48.0, 0.45),
            concurrency=_scaled(served_rate, share / 60 * 0.06, 1.0),
        )
    tdims = {"TableName": "partner-orders"}
    kit.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        tdims,
        "Count",
        lambda t: (gold_ok(t) + std(t)) * 0.58 * 1.5,
        digits=1,
    )
    kit.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdims,
        "Count",
        lambda t: (gold_ok(t) + std(t)) * 0.42 * 2.0,
        digits=1,
    )

    # --- logs ------------------------------------------------------------------------------------------
    stream = kit.hex(32)
    t = kit.start
    partner_ips = [kit.public_ip() for _ in range(3)]
    routes = [("POST", "/orders", 201), ("GET", "/orders/{orderId}", 200), ("GET", "/inventory", 200)]
    while t < kit.now:
        t += timedelta(seconds=rng.expovariate(1 / 3.0))
        method, path, code = rng.choice(routes)
        if rng.random() < gold_demand(t) / total(t):
            key, ip = gold_key, rng.choice(partner_ips)
            if rng.random() < throttled(t) / gold_demand(t):
                kit.log(
                    access_group,
                    stream,
                    t,
                    access_line(
                        kit,
                        t,
                        method=method,
                        path=path,
                        status=429,
                        key=key,
                        latency=rng.randint(1, 6),
                        length=29,
                        error="THROTTLED",
                        message="Too Many Requests",
                        ip=ip,
                    ),
                )
                continue
        else:
            key, ip = rng.choice(std_keys + trial_keys[:1]), kit.public_ip()
        if rng.random() < 0.004:
            kit.log(
                access_group,
                stream,
                t,
                access_line(
                    kit,
                    t,
                    method=method,
                    path=path,
                    status=400,
                    key=key,
                    latency=rng.randint(30, 70),
                    integ=rng.randint(25, 60),
                    integ_status=200,
                    length=88,
                    ip=ip,
                ),
            )
            continue
        il = round(rng.lognormvariate(3.9, 0.45))
        kit.log(
            access_group,
            stream,
            t,
            access_line(
                kit,
                t,
                method=method,
                path=path,
                status=code,
                key=key,
                latency=il + rng.randint(6, 18),
                integ=il,
                integ_status=200,
                length=rng.randint(180, 2400),
                ip=ip,
            ),
        )
    for fname in served:
        group = f"/aws/lambda/{fname}"
        for _k in range(3):
            st = lambda_stream(kit, kit.start)
            t = kit.start + timedelta(seconds=rng.randint(0, 60))
            first = True
            while t < kit.now:
                t += timedelta(seconds=rng.expovariate(1 / 40))
                lines = []
                if rng.random() < 0.01:
                    lines.append(
                        "WARN\t"
                        + json.dumps(
                            {"msg": "payload contained deprecated field, ignoring", "field": "shipTo.line3"}
                        )
                    )
                lambda_invocation(
                    kit,
                    group,
                    st,
                    t,
                    rng.lognormvariate(3.8, 0.4),
                    1024 if "orders" in fname else 512,
                    rng.randint(120, 190),
                    lines,
                    init_ms=rng.uniform(380, 620) if first else None,
                )
                first = False

    # --- alarms ----------------------------------------------------------------------------------------
    topic = kit.arn("sns", "partner-api-alerts")
    kit.alarm(
        "partner-api-v1-4xx-high",
        ns=ns,
        metric="4XXError",
        dims=api.dims,
        stat="Sum",
        period=60,
        evals=3,
        threshold=400,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
        description="Partner API v1 client errors above normal",
    )
    kit.alarm(
        "partner-api-v1-5xx",
        ns=ns,
        metric="5XXError",
        dims=api.dims,
        stat="Sum",
        period=60,
        evals=3,
        to_alarm=2,
        threshold=20,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )
    kit.alarm(
        "partner-api-v1-latency-p99",
        ns=ns,
        metric="Latency",
        dims=api.dims,
        stat="p99",
        period=300,
        evals=2,
        threshold=2500,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "partner-orders-handler-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": "partner-orders-handler"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=25,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )

    # --- CloudTrail ------------------------------------------------------------------------------------
    menu = standard_menu(
        kit,
        humans=[dev, sre, integ_eng],
        ci=ci,
        monitor=monitor,
        instance_ids=[],
        alarms=[a["AlarmName"] for a in kit.records["alarms"]],
        lb_arns=[],
        tg_arns=[],
        functions=list(served),
        log_groups=[access_group] + [f"/aws/lambda/{f}" for f in served],
    )
    kit.routine(menu, 30)
    ip_eng = kit.public_ip()
    t_c = onset - timedelta(seconds=rng.randint(10, 40))

    def apigw(
        t: datetime,
        name: str,
        params: dict[str, object],
        resp: dict[str, object] | None = None,
        ro: bool = False,
    ) -> dict[str, object]:
        return kit.trail(
            integ_eng,
            t,
            "apigateway.amazonaws.com",
            name,
            params,
            resp,
            read_only=ro,
            agent=AGENT_CONSOLE,
            ip=ip_eng,
            console=True,
        )

    apigw(t_c - timedelta(minutes=11), "GetUsagePlans", {"limit": 500}, ro=True)
    apigw(
        t_c - timedelta(minutes=9, seconds=20),
        "CreateApiKey",
        {
            "createApiKeyInput": {
                "name": "bluefin-logistics-trial",
                "enabled": True,
                "generateDistinctId": True,
            }
        },
        {
            "id": new_key,
            "name": "bluefin-logistics-trial",
            "enabled": True,
            "createdDate": iso(t_c - timedelta(minutes=9, seconds=20)),
            "stageKeys": [],
        },
    )
    apigw(
        t_c - timedelta(minutes=8, seconds=40),
        "CreateUsagePlanKey",
        {"usageplanId": plans["trial"], "createUsagePlanKeyInput": {"keyId": new_key, "keyType": "API_KEY"}},
        {"id": new_key, "type": "API_KEY", "name": "bluefin-logistics-trial"},
    )
    apigw(t_c - timedelta(minutes=2, seconds=5), "GetUsagePlan", {"usageplanId": plans["gold"]}, ro=True)
    culprit = apigw(
        t_c,
        "UpdateUsagePlan",
        {
            "usageplanId": plans["gold"],
            "patch": {
                "patchOperations": [
                    {"op": "replace", "path": "/throttle/rateLimit", "value": "50"},
                    {"op": "replace", "path": "/throttle/burstLimit", "value": "100"},
                ]
            },
        },
        {
            "id": plans["gold"],
            "name": "partner-gold",
            "description": "Gold partner tier",
            "apiStages": [{"apiId": api.id, "stage": "v1"}],
            "throttle": {"burstLimit": 100, "rateLimit": 50.0},
        },
    )
    apigw(t_c + timedelta(seconds=50), "GetUsagePlans", {"limit": 500}, ro=True)
    # innocent: CI deploys the inventory handler; someone turns on tracing on the admin API
    t_dep = onset - timedelta(minutes=rng.randint(18, 27))
    ci_ip = kit.public_ip()
    sha = kit.hex(40)
    kit.trail(
        ci,
        t_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "partner-inventory-handler",
            "s3Bucket": f"{co}-lambda-artifacts",
            "s3Key": f"partner-inventory-handler/{sha}.zip",
            "publish": True,
        },
        {
            "functionName": "partner-inventory-handler",
            "functionArn": fns["partner-inventory-handler"]["FunctionArn"],
            "runtime": "nodejs20.x",
            "codeSize": fns["partner-inventory-handler"]["CodeSize"],
            "version": "58",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=AGENT_TF.format(api="lambda#1.54.6"),
        ip=ci_ip,
    )
    kit.trail(
        ci,
        t_dep + timedelta(seconds=14),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": "partner-inventory-handler", "name": "live", "functionVersion": "58"},
        {
            "aliasArn": fns["partner-inventory-handler"]["FunctionArn"] + ":live",
            "name": "live",
            "functionVersion": "58",
            "revisionId": kit.uuid(),
        },
        agent=AGENT_TF.format(api="lambda#1.54.6"),
        ip=ci_ip,
    )
    t_st = onset - timedelta(minutes=rng.randint(3, 7))
    kit.trail(
        dev,
        t_st,
        "apigateway.amazonaws.com",
        "UpdateStage",
        {
            "restApiId": other.id,
            "stageName": "prod",
            "patch": {"patchOperations": [{"op": "replace", "path": "/tracingEnabled", "value": "true"}]},
        },
        {"stageName": "prod", "deploymentId": other.deployment, "tracingEnabled": True},
        agent=cli("apigateway.update-stage"),
        ip=kit.public_ip(),
    )
    for dt in (7, 10, 16):
        kit.trail(
            sre,
            onset + timedelta(minutes=dt, seconds=rng.randint(0, 40)),
            "apigateway.amazonaws.com",
            rng.choice(["GetStage", "GetRestApis"]),
            {"restApiId": api.id, "stageName": "v1"},
            read_only=True,
            agent=AGENT_CONSOLE,
            ip=kit.public_ip(),
            console=True,
        )

    tz = "America/Los_Angeles"
    local = onset.astimezone(ZoneInfo(tz)) + timedelta(minutes=rng.randint(1, 6))
    clock = (
        f"{local.hour % 12 or 12}:{local.minute - local.minute % 5:02d}{'am' if local.hour < 12 else 'pm'}"
    )
    question = (
        f"{partner}'s integration team says a lot of their order calls are being rejected with 429 Too Many "
        f"Requests since about {clock}. Their volume looks normal to them. What changed?"
    )
    return kit.bundle(
        title=TITLE,
        trigger={
            "question": question,
            "timezone": tz,
            "alarm_event": kit.alarm_event("partner-api-v1-4xx-high"),
        },
        truth={
            "root_cause": {
                "resource": plans["gold"],
                "category": "change",
                "failure_mode": "usage-plan-throttle-lowered",
                "event_id": culprit["eventID"],
            },
            "also_accept": ["partner-gold"],
            "actions": ["rollback"],
            "chain": [
                f"UpdateUsagePlan set usage plan partner-gold ({plans['gold']}) to 50 req/s, burst 100",
                f"{partner}'s API key on partner-gold exceeds 50 req/s on partner-api stage v1",
                "API Gateway answers the excess with 429 Too Many Requests (4XXError up, Lambda invocations down)",
                "partner-api-v1-4xx-high alarms",
            ],
        },
    )
