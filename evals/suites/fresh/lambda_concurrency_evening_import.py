"""Account-level Lambda concurrency alarm in the evening."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zn import (
    Actor,
    AlarmSpec,
    Ctx,
    Json,
    Metrics,
    aggregate,
    alnum,
    assume_role_by_service,
    count,
    diurnal,
    ec2id,
    evaluate_alarm,
    hexs,
    iso,
    jitter,
    mixed_grid,
    ms,
    pick_day,
    role_actor,
    routine_reads,
    scatter,
    sso_actor,
    steps,
    trail,
    uid,
)

NAME = "lambda-concurrency-evening-import"
TITLE = "Account Lambda concurrency alarm on a weekday evening"
SUMMARY = "Evening: account-wide Lambda concurrency crosses its alarm threshold for a while."

TZ = ZoneInfo("Europe/Berlin")
PEAKS = [(11.0, 3.0, 0.6), (20.5, 2.5, 0.9)]
LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200_000_000_000, 899_999_999_999))
    region = "eu-central-1"
    ctx = Ctx(rng, account, region)
    day = pick_day(rng)
    local_start = datetime(
        day.year, day.month, day.day, rng.randint(18, 20), rng.randint(0, 59), rng.randint(0, 59), tzinfo=TZ
    )
    import_start = local_start.astimezone(UTC)
    offset = local_start.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    import_minutes = rng.randint(44, 56)
    files = int(rng.uniform(50, 58) * import_minutes * 60)
    import_end = import_start + timedelta(minutes=import_minutes)
    start = (import_start - timedelta(hours=4)).replace(minute=0, second=0)
    fine_from = (import_start - timedelta(minutes=90)).replace(second=0)
    fine_from = fine_from.replace(minute=fine_from.minute - fine_from.minute % 5)
    now = import_end + timedelta(minutes=rng.randint(12, 20), seconds=rng.randint(0, 59))
    end = now + timedelta(minutes=1)
    studio = rng.choice(
        ["Atelier Nordlicht", "Hochzeitsfoto Weber", "Studio Kranich", "Lichtblick Fotografie"]
    )
    studio_id = "st_" + alnum(rng, 10, LOWER)
    job_id = "imp_" + alnum(rng, 12, LOWER)
    sns_arn = f"arn:aws:sns:{region}:{account}:lenslane-ops"
    fns = {
        "thumbnail-render": ("nodejs20.x", 2048, 60),
        "gallery-api": ("nodejs20.x", 1024, 29),
        "proofing-events": ("python3.12", 256, 30),
        "watermark-preview": ("nodejs20.x", 1536, 30),
        "order-webhooks": ("python3.12", 512, 30),
    }
    api_id = alnum(rng, 10, LOWER)

    def load(t: datetime) -> float:
        return diurnal(t, offset, PEAKS)

    def import_rate(t: datetime) -> float:
        """Photos per second landing in the originals bucket from the import."""
        if not import_start <= t < import_end:
            return 0.0
        x = (t - import_start).total_seconds() / 60
        ramp = min(1.0, x / 3) * min(1.0, (import_minutes - x) / 2 + 0.15)
        return files / (import_minutes * 60) * 1.05 * ramp

    # --- metrics -----------------------------------------------------------------------------------
    m = Metrics()
    grid = mixed_grid(start, fine_from, end)
    for t in grid:
        step = 5 if t < fine_from else 1
        lf = load(t)
        total_conc = 0
        total_inv = 0
        for fn, (_rt, _mem, _to) in fns.items():
            d = {"FunctionName": fn}
            if fn == "thumbnail-render":
                rate = import_rate(t) + 1.2 * lf  # normal uploads from the app
                dur = 12_500.0 if import_rate(t) else 6_800.0
                inv = count(rng, rate * 60 * step)
                conc = rate * dur / 1000 * rng.uniform(1.02, 1.12)
            else:
                base = {
                    "gallery-api": 38.0,
                    "proofing-events": 6.0,
                    "watermark-preview": 4.0,
                    "order-webhooks": 0.6,
                }[fn]
                extra = 1.0 + (0.25 if fn == "gallery-api" and import_rate(t) else 0.0)
                rate = base * lf * extra
                dur = {
                    "gallery-api": 85.0,
                    "proofing-events": 140.0,
                    "watermark-preview": 900.0,
                    "order-webhooks": 320.0,
                }[fn]
                inv = count(rng, rate * 60 * step)
                conc = rate * dur / 1000 * rng.uniform(1.3, 1.9)
            if inv == 0:
                continue
            cmax = max(1, round(conc))
            total_conc += cmax
            total_inv += inv
            m.put("AWS/Lambda", "Invocations", d, t, inv, "Count")
            m.put(
                "AWS/Lambda",
                "Errors",
                d,
                t,
                1 if rng.random() < 0.006 * step else 0,
                "Count",
                key=f"err:{fn}",
            )
            m.put("AWS/Lambda", "Throttles", d, t, 0, "Count")
            m.put_latency("AWS/Lambda", "Duration", d, t, rng, inv, dur * 0.9, dur * 2.6, "Milliseconds")
            m.put("AWS/Lambda", "ConcurrentExecutions", d, t, cmax, "Count")
        m.put("AWS/Lambda", "ConcurrentExecutions", {}, t, total_conc, "Count", key="acct:conc")
        m.put(
            "AWS/Lambda",
            "UnreservedConcurrentExecutions",
            {},
            t,
            max(0, total_conc - min(total_conc, 8)),
            "Count",
        )
        m.put("AWS/Lambda", "Invocations", {}, t, total_inv, "Count")
        m.put("AWS/Lambda", "Throttles", {}, t, 0, "Count", key="acct:thr")
        # the public HTTP API in front of gallery-api
        ad = {"ApiId": api_id, "Stage": "$default"}
        reqs = count(rng, 38 * lf * 60 * step * (1.25 if import_rate(t) else 1.0))
        m.put("AWS/ApiGateway", "Count", ad, t, reqs, "Count")
        m.put("AWS/ApiGateway", "5xx", ad, t, 1 if rng.random() < 0.01 * step else 0, "Count", key="api:5xx")
        m.put("AWS/ApiGateway", "4xx", ad, t, int(reqs * rng.uniform(0.01, 0.02)), "Count")
        m.put_latency(
            "AWS/ApiGateway", "Latency", ad, t, rng, max(1, reqs // 30), 105.0, 420.0, "Milliseconds"
        )
        # metadata writes
        td = {"TableName": "galleries-prod"}
        wcu = (9 * lf + import_rate(t) * 2) * 60 * step
        m.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, t, round(jitter(rng, wcu, 0.05), 1), "Count")
        m.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            td,
            t,
            round(jitter(rng, 60 * lf * 60 * step, 0.05), 1),
            "Count",
        )
        m.put_latency(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": "galleries-prod", "Operation": "PutItem"},
            t,
            rng,
            max(1, int(wcu / 20)),
            4.6,
            17.0,
            "Milliseconds",
        )

    # --- alarms ------------------------------------------------------------------------------------
    fine = lambda key: [p for p in m.series[key] if p[0] >= fine_from]  # noqa: E731
    specs = [
        AlarmSpec(
            "lambda-account-concurrency-high",
            "Account-wide Lambda concurrency above 60% of the 1000 quota",
            "AWS/Lambda",
            "ConcurrentExecutions",
            {},
            "Maximum",
            60,
            3,
            3,
            600.0,
            "GreaterThanThreshold",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "lambda-account-throttles",
            "Any Lambda throttling in the account",
            "AWS/Lambda",
            "Throttles",
            {},
            "Sum",
            60,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "gallery-api-5xx",
            "public API 5xx",
            "AWS/ApiGateway",
            "5xx",
            {"ApiId": api_id, "Stage": "$default"},
            "Sum",
            300,
            2,
            2,
            20.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "thumbnail-render-errors",
            "thumbnail renders failing",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "thumbnail-render"},
            "Sum",
            300,
            1,
            1,
            25.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
    ]
    series = {
        specs[0].name: aggregate(fine("acct:conc"), 60, "Maximum"),
        specs[1].name: aggregate(fine("acct:thr"), 60, "Sum"),
        specs[2].name: aggregate(fine("api:5xx"), 300, "Sum"),
        specs[3].name: aggregate(fine("err:thumbnail-render"), 300, "Sum"),
    }
    alarms: list[Json] = []
    history: list[Json] = []
    event: Json | None = None
    for spec in specs:
        a, h, ev = evaluate_alarm(ctx, spec, series[spec.name], fine_from, now, rng)
        alarms.append(a)
        history.extend(h)
        if spec is specs[0]:
            event = ev
    assert event is not None

    # --- resources ---------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 800))
    res: list[Json] = []
    for fn, (rt, mem, to) in fns.items():
        env: dict[str, str] = {"STAGE": "prod"}
        if fn == "thumbnail-render":
            env.update({"OUTPUT_BUCKET": "lenslane-renditions-prod", "SIZES": "320,800,1600,2400"})
        if fn == "gallery-api":
            env.update({"TABLE": "galleries-prod"})
        res.append(
            {
                "service": "lambda",
                "type": "FunctionConfiguration",
                "item": {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                    "Runtime": rt,
                    "Role": f"arn:aws:iam::{account}:role/{fn}-role",
                    "Handler": "index.handler" if rt.startswith("node") else "handler.main",
                    "CodeSize": rng.randint(300_000, 40_000_000),
                    "Description": "",
                    "Timeout": to,
                    "MemorySize": mem,
                    "LastModified": (start - timedelta(days=rng.randint(2, 60))).strftime(
                        "%Y-%m-%dT%H:%M:%S.000+0000"
                    ),
                    "CodeSha256": alnum(
                        rng, 43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    )
                    + "=",
                    "Version": "$LATEST",
                    "Environment": {"Variables": env},
                    "TracingConfig": {"Mode": "Active" if fn == "gallery-api" else "PassThrough"},
                    "RevisionId": uid(rng),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 2048 if fn == "thumbnail-render" else 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
                },
            }
        )
        res.append(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {
                    "logGroupName": f"/aws/lambda/{fn}",
                    "creationTime": ms(created),
                    "retentionInDays": 14,
                    "metricFilterCount": 0,
                    "arn": f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{fn}:*",
                    "storedBytes": rng.randint(10**8, 10**10),
                    "logGroupClass": "STANDARD",
                    "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{fn}",
                },
            }
        )
    res.append(
        {
            "service": "lambda",
            "type": "FunctionConcurrency",
            "item": {"FunctionName": "gallery-api", "ReservedConcurrentExecutions": 150},
        }
    )
    for b in ["lenslane-originals-prod", "lenslane-renditions-prod", "lenslane-exports-prod"]:
        res.append(
            {
                "service": "s3",
                "type": "Bucket",
                "item": {
                    "Name": b,
                    "CreationDate": iso(created + timedelta(days=rng.randint(0, 30))),
                    "BucketRegion": region,
                },
            }
        )
    res.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": "galleries-prod",
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(created),
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
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": iso(created),
                },
                "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/galleries-prod",
                "TableId": uid(rng),
                "ItemCount": rng.randint(40_000_000, 90_000_000),
                "TableSizeBytes": rng.randint(30_000_000_000, 60_000_000_000),
            },
        }
    )
    res.append(
        {
            "service": "apigatewayv2",
            "type": "Api",
            "item": {
                "ApiId": api_id,
                "Name": "lenslane-public-api",
                "ProtocolType": "HTTP",
                "RouteSelectionExpression": "$request.method $request.path",
                "ApiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
                "CreatedDate": iso(created),
                "DisableExecuteApiEndpoint": True,
                "Tags": {"app": "lenslane"},
            },
        }
    )
    res.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/lenslane-batch",
                "clusterName": "lenslane-batch",
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 0,
                "pendingTasksCount": 0,
                "activeServicesCount": 0,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "settings": [{"name": "containerInsights", "value": "enabled"}],
            },
        }
    )
    res.append(
        {
            "service": "sns",
            "type": "Topic",
            "item": {
                "TopicArn": sns_arn,
                "Attributes": {
                    "TopicArn": sns_arn,
                    "Owner": account,
                    "DisplayName": "",
                    "SubscriptionsConfirmed": "2",
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                },
            },
        }
    )
    res.append(
        {
            "service": "logs",
            "type": "LogGroup",
            "item": {
                "logGroupName": "/ecs/gallery-importer",
                "creationTime": ms(created),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{region}:{account}:log-group:/ecs/gallery-importer:*",
                "storedBytes": rng.randint(10**7, 10**9),
                "logGroupClass": "STANDARD",
                "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:/ecs/gallery-importer",
            },
        }
    )

    # --- CloudTrail --------------------------------------------------------------------------------
    office = f"91.{rng.randint(0, 60)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    people = ["jonas.brandt", "mira.okafor", "felix.hartmann", "ana.petrovic"]
    rng.shuffle(people)
    dom = "@lenslane.de"
    dev = sso_actor(
        ctx,
        "Developer",
        people[0] + dom,
        f"84.{rng.randint(128, 190)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        console=True,
    )
    ops = sso_actor(ctx, "AdministratorAccess", people[1] + dom, office, console=True)
    ro = sso_actor(ctx, "ReadOnly", people[2] + dom, office, console=True)
    orch = role_actor(
        ctx,
        "import-orchestrator-role",
        "import-orchestrator",
        f"3.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        "aws-sdk-js/3.577.0 ua/2.0 os/linux#5.10.219-229.866.amzn2.x86_64 lang/js md/nodejs#20.13.1 api/ecs#3.577.0 exec-env/AWS_Lambda_nodejs20.x",
        invoked_by=None,
    )
    ci = role_actor(
        ctx,
        "gha-deploy",
        "gha-" + str(rng.randint(10**9, 10**10)),
        f"4.{rng.randint(150, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        "aws-sdk-js/3.600.0 ua/2.0 os/linux#6.5.0-1022-azure lang/js md/nodejs#20.14.0 api/lambda#3.600.0",
    )
    menu: list[tuple[Actor, str, str, Callable[[], Json | None]]] = [
        (ro, "monitoring.amazonaws.com", "GetMetricData", lambda: None),
        (ro, "lambda.amazonaws.com", "ListFunctions20150331", lambda: None),
        (
            dev,
            "logs.amazonaws.com",
            "FilterLogEvents",
            lambda: {
                "logGroupName": f"/aws/lambda/{rng.choice(list(fns))}",
                "startTime": ms(now) - 3_600_000,
            },
        ),
        (
            ci,
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            lambda: {"functionName": rng.choice(list(fns))},
        ),
        (
            ops,
            "ce.amazonaws.com",
            "GetCostAndUsage",
            lambda: {"granularity": "DAILY", "metrics": ["UnblendedCost"]},
        ),
        (dev, "dynamodb.amazonaws.com", "DescribeTable", lambda: {"tableName": "galleries-prod"}),
    ]
    ct = routine_reads(ctx, start, now, 30, menu)
    for t in scatter(rng, start, now, 8):
        fn = rng.choice(list(fns))
        ct.append(
            assume_role_by_service(
                ctx, t, "lambda.amazonaws.com", f"arn:aws:iam::{account}:role/{fn}-role", fn
            )
        )
    td_rev = rng.randint(30, 70)
    task_id = hexs(rng, 32)
    ct.append(
        trail(
            ctx,
            import_start - timedelta(seconds=rng.randint(30, 80)),
            orch,
            "ecs.amazonaws.com",
            "RunTask",
            {
                "cluster": "lenslane-batch",
                "taskDefinition": f"gallery-importer:{td_rev}",
                "count": 1,
                "launchType": "FARGATE",
                "startedBy": f"import/{job_id}",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [ec2id(rng, "subnet"), ec2id(rng, "subnet")],
                        "securityGroups": [ec2id(rng, "sg")],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "overrides": {
                    "containerOverrides": [
                        {
                            "name": "gallery-importer",
                            "environment": [{"name": "IMPORT_JOB_ID", "value": job_id}],
                        }
                    ]
                },
            },
            {
                "tasks": [
                    {
                        "taskArn": f"arn:aws:ecs:{region}:{account}:task/lenslane-batch/{task_id}",
                        "lastStatus": "PROVISIONING",
                        "desiredStatus": "RUNNING",
                        "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/gallery-importer:{td_rev}",
                        "launchType": "FARGATE",
                        "cpu": "2048",
                        "memory": "4096",
                    }
                ],
                "failures": [],
            },
        )
    )
    ct.append(
        trail(
            ctx,
            import_start - timedelta(minutes=rng.randint(16, 27)),
            dev,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            {"functionName": "watermark-preview", "memorySize": 1536},
            {
                "functionName": "watermark-preview",
                "memorySize": 1536,
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
        )
    )
    ct.append(
        trail(
            ctx,
            import_start + timedelta(minutes=rng.randint(4, 12)),
            ops,
            "s3.amazonaws.com",
            "PutBucketLifecycle",
            {
                "bucketName": "lenslane-exports-prod",
                "Host": "lenslane-exports-prod.s3.eu-central-1.amazonaws.com",
                "lifecycle": "",
                "LifecycleConfiguration": {
                    "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                    "Rule": [
                        {
                            "ID": "expire-client-exports",
                            "Status": "Enabled",
                            "Filter": {"Prefix": "exports/"},
                            "Expiration": {"Days": 30},
                        },
                        {
                            "ID": "abort-mpu",
                            "Status": "Enabled",
                            "Filter": {"Prefix": ""},
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
                        },
                    ],
                },
            },
            None,
        )
    )
    ct.append(
        trail(
            ctx,
            start + timedelta(hours=1, minutes=rng.randint(0, 50)),
            ci,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": "order-webhooks",
                "s3Bucket": "lenslane-artifacts",
                "s3Key": f"order-webhooks/{hexs(rng, 40)}.zip",
                "publish": False,
            },
            {"functionName": "order-webhooks", "lastUpdateStatus": "InProgress", "state": "Active"},
        )
    )
    ct.sort(key=lambda r: r["eventTime"])

    # --- logs --------------------------------------------------------------------------------------
    logs: list[Json] = []
    istream = f"gallery-importer/gallery-importer/{task_id}"
    t = import_start + timedelta(seconds=rng.randint(20, 40))
    logs.append(
        {
            "log_group": "/ecs/gallery-importer",
            "log_stream": istream,
            "timestamp": ms(t),
            "message": json.dumps(
                {
                    "level": "info",
                    "ts": iso(t),
                    "msg": "import job started",
                    "job": job_id,
                    "studioId": studio_id,
                    "studio": studio,
                    "source": "smugmug",
                    "files": files,
                    "concurrency": 64,
                }
            ),
        }
    )
    done = 0
    for k in range(1, import_minutes):
        tt = import_start + timedelta(minutes=k, seconds=rng.randint(0, 5))
        done = min(files, int(files * k / import_minutes * rng.uniform(0.97, 1.0)))
        if k % 2 == 0:
            logs.append(
                {
                    "log_group": "/ecs/gallery-importer",
                    "log_stream": istream,
                    "timestamp": ms(tt),
                    "message": json.dumps(
                        {
                            "level": "info",
                            "ts": iso(tt),
                            "msg": "progress",
                            "job": job_id,
                            "copied": done,
                            "total": files,
                            "mbPerSec": round(rng.uniform(180, 240), 1),
                        }
                    ),
                }
            )
        if rng.random() < 0.12:
            logs.append(
                {
                    "log_group": "/ecs/gallery-importer",
                    "log_stream": istream,
                    "timestamp": ms(tt + timedelta(seconds=3)),
                    "message": json.dumps(
                        {
                            "level": "warn",
                            "ts": iso(tt),
                            "msg": "source rate limited, backing off",
                            "job": job_id,
                            "retryAfterMs": rng.choice([500, 1000, 2000]),
                        }
                    ),
                }
            )
    skipped = rng.randint(4, 30)
    tt = import_end + timedelta(seconds=rng.randint(5, 40))
    logs.append(
        {
            "log_group": "/ecs/gallery-importer",
            "log_stream": istream,
            "timestamp": ms(tt),
            "message": json.dumps(
                {
                    "level": "info",
                    "ts": iso(tt),
                    "msg": "import job finished",
                    "job": job_id,
                    "studioId": studio_id,
                    "copied": files - skipped,
                    "skipped": skipped,
                    "skippedReason": "unsupported format (.cr3/.nef)",
                    "durationSec": import_minutes * 60,
                }
            ),
        }
    )
    streams = {fn: [hexs(rng, 32) for _ in range(6)] for fn in fns}
    for t in steps(import_start - timedelta(hours=1), now, 1):
        lf = load(t)
        for fn, (_rt, mem, _to) in fns.items():
            n = 2 if fn in ("thumbnail-render", "gallery-api") else (1 if rng.random() < 0.5 else 0)
            for _ in range(n):
                ts = t + timedelta(seconds=rng.uniform(0, 50))
                rid = uid(rng)
                stream = f"{ts:%Y/%m/%dms}/[$LATEST]{rng.choice(streams[fn])}"
                if fn == "thumbnail-render":
                    imported = import_rate(t) > 0 and rng.random() < 0.9
                    dms = rng.uniform(9_500, 15_500) if imported else rng.uniform(4_500, 9_000)
                    key = (
                        f"{studio_id}/archive/{rng.randint(2012, 2023)}/{alnum(rng, 8, LOWER)}/IMG_{rng.randint(1000, 9999)}.jpg"
                        if imported
                        else f"st_{alnum(rng, 10, LOWER)}/galleries/{alnum(rng, 8, LOWER)}/DSC{rng.randint(10000, 99999)}.jpg"
                    )
                    body = f"{iso(ts + timedelta(milliseconds=dms))[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tINFO\trendered {key} sizes=320,800,1600,2400 srcBytes={rng.randint(9_000_000, 48_000_000)}"
                elif fn == "gallery-api":
                    dms = rng.uniform(30, 220)
                    body = f"{iso(ts)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tINFO\t" + json.dumps(
                        {
                            "route": rng.choice(
                                [
                                    "GET /galleries/{id}",
                                    "GET /galleries/{id}/photos",
                                    "POST /favorites",
                                    "GET /me",
                                ]
                            ),
                            "status": 200,
                            "ms": round(dms, 1),
                        }
                    )
                elif fn == "proofing-events":
                    dms = rng.uniform(60, 300)
                    body = f"[INFO]\t{iso(ts)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tproof selection saved gallery={alnum(rng, 8, LOWER)}"
                elif fn == "watermark-preview":
                    dms = rng.uniform(400, 1600)
                    body = (
                        f"{iso(ts)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tINFO\twatermark preview generated"
                    )
                    if rng.random() < 0.05:
                        body = f"{iso(ts)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tWARN\tfont fallback: custom watermark font not embedded, using default"
                else:
                    dms = rng.uniform(150, 700)
                    body = f"[INFO]\t{iso(ts)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\twebhook delivered to print lab status=200"
                te = ts + timedelta(milliseconds=dms)
                for stamp, line in [
                    (ts, f"START RequestId: {rid} Version: $LATEST"),
                    (te, body),
                    (te, f"END RequestId: {rid}"),
                    (
                        te,
                        f"REPORT RequestId: {rid}\tDuration: {dms:.2f} ms\tBilled Duration: {int(dms) + 1} ms\tMemory Size: {mem} MB\tMax Memory Used: {rng.randint(90, int(mem * 0.7))} MB\t",
                    ),
                ]:
                    logs.append(
                        {
                            "log_group": f"/aws/lambda/{fn}",
                            "log_stream": stream,
                            "timestamp": ms(stamp),
                            "message": line,
                        }
                    )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": res,
        },
    )
