"""No fault: the catalog-products read-consumption alarm fires every day while the feed builder scans it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_s import (
    TERRAFORM_UA,
    Alarm,
    Ctx,
    Principal,
    Rec,
    ci_role,
    ct,
    diurnal,
    iso,
    lambda_fn,
    log_group,
    report_line,
    routine_reads,
    service_role,
    sso_user,
)

NAME = "catalog-feed-daily-scan-alarm"
TITLE = "catalog-products read consumption alarm"
SUMMARY = (
    "No fault: the scheduled catalog-feed-builder ECS task does a parallel Scan of the on-demand catalog-products "
    "table for ~20 minutes every day at 13:00 UTC, tripping the ConsumedReadCapacityUnits alarm; no throttling, "
    "API unaffected."
)

REGION = "eu-west-2"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, REGION)
    rng = ctx.rng
    acct = ctx.account
    day = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 120))
    cron_h = 13
    today = day.replace(hour=cron_h)
    days = 5
    runs: list[tuple[datetime, datetime]] = []
    for d in range(days, -1, -1):
        s = today - timedelta(days=d) + timedelta(seconds=rng.randint(35, 80))
        runs.append((s, s + timedelta(minutes=rng.uniform(17.5, 23.0))))
    onset = runs[-1][0]
    now = onset + timedelta(minutes=rng.randint(32, 42))
    start = (today - timedelta(days=days)).replace(hour=0)
    fine_from = now - timedelta(hours=6)
    created = start - timedelta(days=rng.randint(400, 900))
    table = "catalog-products"
    other_table = "catalog-price-history"
    fn = "catalog-api"
    cluster = "catalog-batch"
    job = "catalog-feed-builder"
    api_name = "catalog-public"
    api_id = ctx.alnum(10, upper=False)

    def in_run(t: datetime) -> tuple[datetime, datetime] | None:
        for r in runs:
            if r[0].replace(second=0) <= t < r[1]:
                return r
        return None

    # --- metrics -----------------------------------------------------------------------------------
    scale = rng.uniform(90, 150)  # API read RCU per second at peak
    scan_rcu = rng.uniform(1500, 2300)  # per second while scanning
    load: dict[datetime, float] = {}

    def api(t: datetime) -> float:
        if t not in load:
            load[t] = ctx.noise(scale, 0.07) * diurnal(t, 1.0, 19.0, 0.25)
        return load[t]

    def rcu(t: datetime) -> float:
        v = api(t) * 60
        if in_run(t):
            v += ctx.noise(scan_rcu, 0.05) * 60
        return v

    td = {"TableName": table}
    ns = "AWS/DynamoDB"
    rcu_vals = ctx.series(ns, "ConsumedReadCapacityUnits", td, "Count", start, now, rcu, fine_from=fine_from)
    ctx.series(
        ns,
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        start,
        now,
        lambda t: ctx.noise(9.0, 0.3) * 60 * diurnal(t, 1.0, 11.0, 0.2),
        fine_from=fine_from,
    )
    ctx.series(
        ns,
        "SuccessfulRequestLatency",
        {**td, "Operation": "GetItem"},
        "Milliseconds",
        start,
        now,
        lambda t: ctx.noise(3.1, 0.08),
        fine_from=fine_from,
    )
    ctx.series(
        ns,
        "SuccessfulRequestLatency",
        {**td, "Operation": "Query"},
        "Milliseconds",
        start,
        now,
        lambda t: ctx.noise(5.6, 0.08),
        fine_from=fine_from,
    )
    ctx.series(
        ns,
        "SuccessfulRequestLatency",
        {**td, "Operation": "Scan"},
        "Milliseconds",
        start,
        now,
        lambda t: ctx.noise(118.0, 0.1) if in_run(t) else None,
        fine_from=fine_from,
    )
    ctx.series(
        ns,
        "ReturnedItemCount",
        {**td, "Operation": "Scan"},
        "Count",
        start,
        now,
        lambda t: ctx.noise(scan_rcu * 60 / 2.2, 0.05) if in_run(t) else None,
        fine_from=fine_from,
        integer=True,
    )
    ctx.series(
        ns,
        "ConsumedReadCapacityUnits",
        {"TableName": other_table},
        "Count",
        start,
        now,
        lambda t: ctx.noise(14.0, 0.2) * 60 * diurnal(t, 1.0, 19.0, 0.3),
        fine_from=fine_from,
    )
    ctx.series(
        ns,
        "ConsumedWriteCapacityUnits",
        {"TableName": other_table},
        "Count",
        start,
        now,
        lambda t: ctx.noise(3.0, 0.3) * 60,
        fine_from=fine_from,
    )
    fd = {"FunctionName": fn}
    inv = {t: api(t) * 60 / 2.6 for t in load}
    ctx.series(
        "AWS/Lambda",
        "Invocations",
        fd,
        "Count",
        start,
        now,
        lambda t: inv[t],
        fine_from=fine_from,
        integer=True,
    )
    ctx.series(
        "AWS/Lambda",
        "Errors",
        fd,
        "Count",
        start,
        now,
        lambda t: 1.0 if rng.random() < 0.01 else 0.0,
        fine_from=fine_from,
    )
    ctx.series(
        "AWS/Lambda",
        "Duration",
        fd,
        "Milliseconds",
        start,
        now,
        lambda t: ctx.noise(24.0, 0.1),
        fine_from=fine_from,
    )
    ctx.series("AWS/Lambda", "Throttles", fd, "Count", start, now, lambda t: 0.0, fine_from=fine_from)
    ad = {"ApiName": api_name, "Stage": "live"}
    ctx.series(
        "AWS/ApiGateway",
        "Count",
        ad,
        "Count",
        start,
        now,
        lambda t: inv[t],
        fine_from=fine_from,
        integer=True,
    )
    ctx.series(
        "AWS/ApiGateway",
        "5XXError",
        ad,
        "Count",
        start,
        now,
        lambda t: 1.0 if rng.random() < 0.008 else 0.0,
        fine_from=fine_from,
    )
    ctx.series(
        "AWS/ApiGateway",
        "Latency",
        ad,
        "Milliseconds",
        start,
        now,
        lambda t: ctx.noise(41.0, 0.08),
        fine_from=fine_from,
    )
    ecs_d = {"ClusterName": cluster}
    ctx.series(
        "AWS/ECS",
        "CPUUtilization",
        ecs_d,
        "Percent",
        start,
        now,
        lambda t: ctx.noise(61.0, 0.1) if in_run(t) else None,
        fine_from=fine_from,
    )

    # --- alarms ----------------------------------------------------------------------------------------
    topic = ctx.arn("sns", "catalog-platform-alerts")
    a = Alarm(
        ctx,
        "catalog-products-read-consumption-high",
        "On-demand cost guard: catalog-products consumed reads above 150k RCU per 5 minutes",
        ns,
        "ConsumedReadCapacityUnits",
        td,
        "Sum",
        300,
        1,
        150000,
        "GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=200),
    )
    a.evaluate(rcu_vals, start, now)
    a.publish()
    alarm_idx = max(i for i, tr in enumerate(a.transitions) if tr[2] == "ALARM")
    zero = {t: 0.0 for t in rcu_vals}
    for name, desc, nsp, met, dims, stat, th in (
        (
            "catalog-products-read-throttles",
            "Any read throttling on catalog-products",
            ns,
            "ReadThrottleEvents",
            td,
            "Sum",
            0,
        ),
        (
            "catalog-api-5xx",
            "catalog-public 5xx above 20 in 5 minutes",
            "AWS/ApiGateway",
            "5XXError",
            ad,
            "Sum",
            20,
        ),
        ("catalog-api-errors", "catalog-api Lambda errors", "AWS/Lambda", "Errors", fd, "Sum", 10),
    ):
        al = Alarm(
            ctx,
            name,
            desc,
            nsp,
            met,
            dims,
            stat,
            300,
            1,
            th,
            "GreaterThanThreshold",
            missing="notBreaching",
            actions=[topic],
            created=created + timedelta(days=30),
        )
        al.evaluate({} if met == "ReadThrottleEvents" else zero, start, now)
        al.publish()

    # --- resources ---------------------------------------------------------------------------------
    def table_item(name: str, items: int, size: int, keys: list[tuple[str, str]], gsis: list[Rec]) -> Rec:
        return {
            "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k, _ in keys]
            + [{"AttributeName": "brand_id", "AttributeType": "S"}] * (1 if gsis else 0),
            "TableName": name,
            "KeySchema": [{"AttributeName": k, "KeyType": kt} for k, kt in keys],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": size,
            "ItemCount": items,
            "TableArn": ctx.arn("dynamodb", f"table/{name}"),
            "TableId": ctx.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created + timedelta(days=3)),
            },
            "GlobalSecondaryIndexes": gsis,
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": ctx.arn("kms", f"key/{ctx.uuid()}"),
            },
            "TableClassSummary": {"TableClass": "STANDARD"},
            "DeletionProtectionEnabled": True,
            "WarmThroughput": {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"},
        }

    n_items = rng.randint(2_600_000, 4_200_000)
    gsi = {
        "IndexName": "brand_id-index",
        "KeySchema": [{"AttributeName": "brand_id", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
        "IndexStatus": "ACTIVE",
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0,
            "WriteCapacityUnits": 0,
        },
        "IndexSizeBytes": n_items * 60,
        "ItemCount": n_items,
        "IndexArn": ctx.arn("dynamodb", f"table/{table}/index/brand_id-index"),
    }
    ctx.resource(
        "dynamodb",
        "TableDescription",
        table_item(table, n_items, n_items * rng.randint(3800, 4600), [("sku", "HASH")], [gsi]),
    )
    ctx.resource(
        "dynamodb",
        "TableDescription",
        table_item(
            other_table, n_items * 9, n_items * 9 * 140, [("sku", "HASH"), ("effective_at", "RANGE")], []
        ),
    )
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        lambda_fn(
            ctx,
            fn,
            runtime="nodejs20.x",
            handler="dist/index.handler",
            role="catalog-api-exec",
            modified=onset - timedelta(minutes=rng.randint(14, 24)),
            memory=768,
            timeout=10,
            env={
                "PRODUCTS_TABLE": table,
                "PRICES_TABLE": other_table,
                "NODE_OPTIONS": "--enable-source-maps",
            },
            description="Catalog read API",
        ),
    )
    ctx.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
        },
    )
    ctx.resource(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": ctx.alnum(6, False),
            "stageName": "live",
            "tracingEnabled": False,
            "createdDate": iso(created),
            "lastUpdatedDate": iso(start - timedelta(days=12)),
        },
    )
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 0,
            "pendingTasksCount": 0,
            "activeServicesCount": 0,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )
    rule_arn = ctx.arn("events", f"rule/{job}-daily")
    ctx.resource(
        "events",
        "Rule",
        {
            "Name": f"{job}-daily",
            "Arn": rule_arn,
            "State": "ENABLED",
            "Description": "Build partner product feeds from catalog-products",
            "ScheduleExpression": f"cron(0 {cron_h} * * ? *)",
            "EventBusName": "default",
        },
    )
    td_arn = ctx.arn("ecs", f"task-definition/{job}:{rng.randint(20, 60)}")
    last_task = ctx.arn("ecs", f"task/{cluster}/{ctx.hex(32)}")
    r0, r1 = runs[-1]
    ctx.resource(
        "ecs",
        "Task",
        {
            "taskArn": last_task,
            "clusterArn": cluster_arn,
            "taskDefinitionArn": td_arn,
            "availabilityZone": f"{REGION}{rng.choice('abc')}",
            "lastStatus": "STOPPED",
            "desiredStatus": "STOPPED",
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "cpu": "2048",
            "memory": "4096",
            "group": f"family:{job}",
            "startedBy": f"events-rule/{job}-daily",
            "createdAt": iso(r0 - timedelta(seconds=30)),
            "pullStartedAt": iso(r0 - timedelta(seconds=22)),
            "pullStoppedAt": iso(r0 - timedelta(seconds=6)),
            "startedAt": iso(r0),
            "stoppingAt": iso(r1 + timedelta(seconds=2)),
            "stoppedAt": iso(r1 + timedelta(seconds=20)),
            "executionStoppedAt": iso(r1 + timedelta(seconds=1)),
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "Essential container in task exited",
            "connectivity": "CONNECTED",
            "connectivityAt": iso(r0 - timedelta(seconds=25)),
            "version": 4,
            "healthStatus": "UNKNOWN",
            "containers": [
                {
                    "containerArn": ctx.arn("ecs", f"container/{cluster}/{ctx.hex(32)}/{ctx.uuid()}"),
                    "taskArn": last_task,
                    "name": job,
                    "lastStatus": "STOPPED",
                    "exitCode": 0,
                    "healthStatus": "UNKNOWN",
                    "cpu": "0",
                    "image": f"{acct}.dkr.ecr.{REGION}.amazonaws.com/{job}:2026.{rng.randint(10, 30)}.1",
                }
            ],
            "ephemeralStorage": {"sizeInGiB": 20},
        },
    )
    for g in (f"/aws/lambda/{fn}", f"/ecs/{job}"):
        ctx.resource("logs", "LogGroup", log_group(ctx, g, created, 30))

    # --- logs ----------------------------------------------------------------------------------------
    jg = f"/ecs/{job}"
    segs = 8
    for r0, r1 in runs:
        if r0 >= now:
            continue
        task = ctx.hex(32)
        stream = f"{job}/{job}/{task}"

        def jl(t: datetime, level: str, msg: str, stream: str = stream, **kw: Any) -> None:
            if t < now:
                ctx.log(jg, stream, t, json.dumps({"time": iso(t), "level": level, "msg": msg, **kw}))

        jl(
            r0 + timedelta(seconds=1),
            "info",
            "feed build starting",
            table=table,
            segments=segs,
            feeds=["google-merchant", "meta-catalog", "pricerunner"],
        )
        span = (r1 - r0).total_seconds()
        scanned = 0
        for k in range(1, 11):
            t = r0 + timedelta(seconds=span * k / 10.5)
            scanned = int(n_items * k / 10)
            jl(t, "info", "scan progress", scanned=scanned, pct=k * 10, consumed_rcu=int(scanned * 2.2 / 2))
        if rng.random() < 0.5:
            jl(
                r0 + timedelta(seconds=span * 0.4),
                "warn",
                "skipping item with no price",
                sku=f"SKU-{rng.randint(10**6, 10**7)}",
            )
        jl(r1 - timedelta(seconds=20), "info", "scan complete", items=n_items, seconds=int(span - 25))
        for feed in ("google-merchant", "meta-catalog", "pricerunner"):
            jl(
                r1 - timedelta(seconds=rng.randint(3, 15)),
                "info",
                "feed written",
                feed=feed,
                key=f"s3://northwind-feeds-{acct}/{feed}/{r0:%Y-%m-%d}.xml.gz",
            )
        jl(r1, "info", "feed build finished", exit=0)
    lg = f"/aws/lambda/{fn}"
    t = fine_from
    stream = f"{fine_from:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}"
    while t < now:
        for _ in range(rng.randint(1, 3)):
            ts = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            if ts >= now:
                continue
            rid = ctx.uuid()
            dur = rng.uniform(9, 60)
            ctx.log(lg, stream, ts, f"START RequestId: {rid} Version: $LATEST\n")
            path = rng.choice(["/products/{sku}", "/brands/{id}/products", "/products/{sku}/prices"])
            ctx.log(
                lg,
                stream,
                ts + timedelta(milliseconds=dur * 0.9),
                f"{iso(ts)[:-1]}.{ts.microsecond // 1000:03d}Z\t{rid}\tINFO\t"
                + json.dumps({"msg": "request", "path": path, "status": 200, "ms": round(dur, 1)})
                + "\n",
            )
            ctx.log(lg, stream, ts + timedelta(milliseconds=dur), f"END RequestId: {rid}\n")
            ctx.log(
                lg,
                stream,
                ts + timedelta(milliseconds=dur),
                report_line(rid, dur, 768, rng.randint(90, 110)) + "\n",
            )
        if rng.random() < 0.01:
            ctx.log(
                lg,
                stream,
                t + timedelta(seconds=30),
                f"{iso(t)[:-1]}.000Z\t{ctx.uuid()}\tWARN\t"
                + json.dumps(
                    {"msg": "product not found", "sku": f"SKU-{rng.randint(10**6, 10**7)}", "status": 404}
                )
                + "\n",
            )
        t += timedelta(minutes=1)

    # --- CloudTrail --------------------------------------------------------------------------------
    dev = sso_user(ctx, rng.choice(["amelia.hughes", "rhys.evans", "priti.shah"]) + "@northwind-retail.co.uk")
    ro = sso_user(ctx, rng.choice(["ben.clarke", "ola.nowak"]) + "@northwind-retail.co.uk", "ReadOnlyAccess")
    ci = ci_role(ctx, "gha-catalog-deploy", "GitHubActions", TERRAFORM_UA.format(api="lambda", ver="1.54.3"))
    ev = service_role(ctx, "catalog-feed-builder-events", "", "events.amazonaws.com")
    ev.session = ctx.hex(32)
    ecs_svc = service_role(ctx, "AWSServiceRoleForECS", "ecs-service-scheduler", "ecs.amazonaws.com")
    reads: list[tuple[Principal, str, str, Mapping[str, Any] | None]] = [
        (ro, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        (ro, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "catalog-"}),
        (dev, "ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "desiredStatus": "STOPPED"}),
        (ci, "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
        (ci, "dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": table}),
        (ecs_svc, "ec2.amazonaws.com", "DescribeNetworkInterfaces", None),
        (dev, "logs.amazonaws.com", "DescribeLogStreams", {"logGroupName": f"/ecs/{job}"}),
    ]
    routine_reads(ctx, start, now, reads, rng.randint(30, 38))
    for r0, _r1 in runs:
        if r0 >= now:
            continue
        t = r0 - timedelta(seconds=rng.randint(28, 34))
        ct(
            ctx,
            t,
            ev,
            "ecs.amazonaws.com",
            "RunTask",
            {
                "cluster": cluster_arn,
                "count": 1,
                "enableECSManagedTags": False,
                "enableExecuteCommand": False,
                "launchType": "FARGATE",
                "taskDefinition": td_arn,
                "startedBy": f"events-rule/{job}-daily",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "assignPublicIp": "DISABLED",
                        "subnets": [f"subnet-0{ctx.hex(16)}"],
                    }
                },
            },
            {
                "tasks": [
                    {
                        "taskArn": last_task
                        if r0 == runs[-1][0]
                        else ctx.arn("ecs", f"task/{cluster}/{ctx.hex(32)}"),
                        "lastStatus": "PROVISIONING",
                        "desiredStatus": "RUNNING",
                    }
                ],
                "failures": [],
            },
        )
    t_dep = onset - timedelta(minutes=rng.randint(14, 24))
    ct(
        ctx,
        t_dep,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": fn, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": fn,
            "functionArn": ctx.arn("lambda", f"function:{fn}"),
            "runtime": "nodejs20.x",
            "handler": "dist/index.handler",
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": ctx.uuid(),
        },
    )
    ct(
        ctx,
        onset + timedelta(minutes=rng.randint(5, 12)),
        dev,
        "dynamodb.amazonaws.com",
        "TagResource",
        {
            "resourceArn": ctx.arn("dynamodb", f"table/{other_table}"),
            "tags": [{"key": "data-class", "value": "internal"}],
        },
        None,
    )
    ct(
        ctx,
        onset - timedelta(minutes=rng.randint(4, 9)),
        dev,
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        {"tableName": other_table, "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {
                    "pointInTimeRecoveryStatus": "ENABLED",
                    "recoveryPeriodInDays": 35,
                },
            }
        },
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": a.event(alarm_idx)},
            "truth": {
                "no_fault": True,
                "root_cause": None,
                "also_accept": [],
                "actions": [],
                "chain": [
                    f"the daily {job} ECS task (rule {job}-daily, cron 13:00 UTC) scans {table}",
                    "consumed reads exceed the cost-guard threshold for ~20 minutes, as on previous days",
                    "no throttling; catalog-api latency and errors unchanged",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
