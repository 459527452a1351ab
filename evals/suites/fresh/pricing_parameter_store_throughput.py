"""promo-price errors at the evening peak; new checkout-api tasks fail to start."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_z import (
    BOTO_UA,
    CONSOLE_UA,
    AlarmSpec,
    Json,
    Kit,
    alarm_event,
    diurnal,
    evaluate_alarm,
    iso,
    lambda_invocation,
    lambda_stream,
    office_ip,
    spread,
)

NAME = "pricing-parameter-store-throughput"
TITLE = "promo-price Lambda errors alarm at the evening peak"
SUMMARY = (
    "promo-price reads its settings from Parameter Store on every invocation; at the evening peak the "
    "account's standard GetParameters throughput is exceeded, throttling it and checkout-api task starts."
)

REGION = "ap-southeast-2"
LIMIT_PER_S = 40.0


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = f"{rng.randint(2, 8)}{rng.randint(10**10, 10**11 - 1)}"
    day = datetime(2024, 6, 10, tzinfo=UTC) + timedelta(days=rng.randint(0, 75))
    peak = rng.uniform(9.1, 9.6)  # UTC hour of the evening peak (19:00-19:40 AEST)
    scale = rng.uniform(1.5, 1.7)  # tonight's peak above a normal evening (a sale)
    start = day + timedelta(hours=2, minutes=rng.randint(0, 30))
    kit = Kit(NAME, seed, REGION, account, start, start, start)
    kit.rng = rng

    def rps(t: datetime) -> float:
        base = diurnal(t, 10, 3.0, 36.0, peak_hour=(peak + 10) % 24)
        return base * (1 + (scale - 1) * max(0.0, 1 - abs((t.hour + t.minute / 60) - peak) / 3))

    # onset: the first minute the GetParameters calls exceed the ceiling
    t = start
    onset = start
    while t < day + timedelta(hours=12):
        if rps(t) * 1.0 + 1.2 > LIMIT_PER_S:
            onset = t
            break
        t += timedelta(minutes=1)
    now = onset + timedelta(minutes=rng.randint(40, 55))
    kit.now = now
    kit.end = now + timedelta(minutes=1)

    fn = "promo-price"
    fn_arn = kit.arn("lambda", f"function:{fn}")
    api_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    cluster = "shop-prod"
    svc = "checkout-api"
    svc_arn = kit.arn("ecs", f"service/{cluster}/{svc}")
    sns_arn = kit.arn("sns", "shop-oncall")
    setting_id = "/ssm/parameter-store/high-throughput-enabled"
    setting_arn = kit.arn("ssm", f"servicesetting{setting_id}")
    params = [
        "/pricing/prod/promo-rules-version",
        "/pricing/prod/currency-rounding",
        "/pricing/prod/feature-flags",
    ]
    exec_role_arn = f"arn:aws:iam::{account}:role/shop-ecs-task-execution"

    sam = kit.sso("sam.oconnor", "Developer")
    grace = kit.sso("grace.liu", "MarketingOps")
    ci = kit.role("gha-deploy-storefront", "GitHubActions")
    dd = kit.role("DatadogIntegrationRole", "datadog-aws-integration")
    ip_s, ip_g = office_ip(rng), office_ip(rng)

    # --- metrics -------------------------------------------------------------------------------------
    fine_from = onset - timedelta(minutes=90)
    dfn = {"FunctionName": fn}
    dapi = {"ApiName": "storefront-pricing", "Stage": "prod"}
    usage = {"Type": "API", "Resource": "GetParameters", "Service": "SSM", "Class": "None"}
    tasks_desired = 4
    failed_frac_by_minute: dict[datetime, float] = {}
    for t, step in kit.times(fine_from):
        r = kit.noise(rps(t), 0.04)
        other = kit.noise(1.2, 0.3)  # other callers: task starts, batch jobs
        demand = r + other
        # retries add calls; what exceeds the ceiling is refused and retried up to 3 attempts
        over = max(0.0, demand - LIMIT_PER_S)
        fail_frac = min(0.9, (over / demand) ** 1.0 * 1.6) if over > 0 else 0.0
        failed_frac_by_minute[t] = fail_frac
        attempts = demand * (1 + fail_frac * 1.8)
        kit.put("AWS/Usage", "CallCount", usage, t, round(min(attempts, LIMIT_PER_S * 1.15) * step), "None")
        inv = round(r * step)
        errs = round(inv * fail_frac * 0.55)
        kit.put("AWS/Lambda", "Invocations", dfn, t, inv)
        kit.put("AWS/Lambda", "Errors", dfn, t, errs)
        kit.put("AWS/Lambda", "Throttles", dfn, t, 0)
        kit.put(
            "AWS/Lambda", "ConcurrentExecutions", dfn, t, max(1, round(r * (0.09 + fail_frac * 0.5))), "Count"
        )
        durs = [
            max(15.0, rng.lognormvariate(4.0, 0.3)) + (rng.choice([0, 0, 110, 340, 780]) if fail_frac else 0)
            for _ in range(12)
        ]
        kit.put_dist("AWS/Lambda", "Duration", dfn, t, durs, "Milliseconds")
        kit.put("AWS/ApiGateway", "Count", dapi, t, inv)
        kit.put("AWS/ApiGateway", "5XXError", dapi, t, errs)
        kit.put("AWS/ApiGateway", "4XXError", dapi, t, kit.poisson(inv * 0.004))
        kit.put_dist(
            "AWS/ApiGateway", "Latency", dapi, t, [d + rng.uniform(8, 20) for d in durs], "Milliseconds"
        )
        # checkout-api scales on CPU; new tasks need their SSM secrets at start
        dsvc = {"ClusterName": cluster, "ServiceName": svc}
        cpu = 18 + r * 1.35
        kit.put("AWS/ECS", "CPUUtilization", dsvc, t, kit.noise(cpu, 0.04), "Percent")
        kit.put("AWS/ECS", "MemoryUtilization", dsvc, t, kit.noise(47, 0.02), "Percent")
        kit.put("ECS/ContainerInsights", "RunningTaskCount", dsvc, t, tasks_desired, "Count")
        kit.put(
            "ECS/ContainerInsights",
            "DesiredTaskCount",
            dsvc,
            t,
            tasks_desired + (2 if t >= onset + timedelta(minutes=4) else 0),
            "Count",
        )

    # --- logs ----------------------------------------------------------------------------------------
    group = f"/aws/lambda/{fn}"
    streams = [lambda_stream(kit, start) for _ in range(3)]
    t = start
    while t < now:
        t += timedelta(seconds=rng.expovariate(1 / 16))
        if t >= now:
            break
        m = t.replace(second=0, microsecond=0)
        frac = failed_frac_by_minute.get(
            m, failed_frac_by_minute.get(m - timedelta(minutes=m.minute % 5), 0.0)
        )
        stream = rng.choice(streams)
        stamp = f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"
        if frac and rng.random() < frac * 0.55:
            err = {
                "errorType": "ThrottlingException",
                "errorMessage": "Rate exceeded",
                "name": "ThrottlingException",
                "$fault": "client",
                "$metadata": {
                    "httpStatusCode": 400,
                    "requestId": kit.uuid(),
                    "attempts": 3,
                    "totalRetryDelay": rng.randint(180, 900),
                },
                "__type": "ThrottlingException",
                "message": "Rate exceeded",
                "stack": [
                    "ThrottlingException: Rate exceeded",
                    "    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/"
                    "smithy-client/dist-cjs/index.js:838:20)",
                    "    at de_GetParametersCommandError (/var/runtime/node_modules/@aws-sdk/client-ssm/"
                    "dist-cjs/index.js:7652:14)",
                    "    at async loadSettings (/var/task/settings.js:21:20)",
                    "    at async Runtime.handler (/var/task/index.js:14:20)",
                ],
            }
            lambda_invocation(
                kit,
                group,
                stream,
                t,
                rng.uniform(350, 1100),
                512,
                rng.randint(101, 108),
                [f"{stamp}\t{{rid}}\tERROR\tInvoke Error \t{json.dumps(err, separators=(',', ':'))}"],
            )
        elif rng.random() < 0.25:
            lambda_invocation(
                kit,
                group,
                stream,
                t,
                rng.lognormvariate(4.0, 0.3),
                512,
                rng.randint(98, 108),
                [
                    f"{stamp}\t{{rid}}\tINFO\tpriced basket items={rng.randint(1, 9)} promos="
                    f"{rng.randint(0, 3)} rulesVersion=2024.{rng.randint(20, 40)}"
                ],
            )
        else:
            lambda_invocation(kit, group, stream, t, rng.lognormvariate(4.0, 0.3), 512, rng.randint(98, 108))
    for s in streams[:1]:
        tt = start + timedelta(minutes=rng.randint(10, 60))
        kit.log(
            group,
            s,
            tt,
            f"{tt:%Y-%m-%dT%H:%M:%S}.123Z\tundefined\tWARN\t(node:8) NOTE: The AWS SDK for "
            "JavaScript (v2) is in maintenance mode. SDK releases are limited to address critical bug fixes.",
        )

    # ECS: the target tracking scale-out and its failed tasks
    scale_t = onset + timedelta(minutes=4, seconds=rng.randint(0, 40))
    kit.event(
        "application_autoscaling",
        {
            "ActivityId": kit.uuid(),
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/{svc}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": f"Setting desired count to {tasks_desired + 2}.",
            "Cause": f"monitor alarm TargetTracking-service/{cluster}/{svc}-AlarmHigh-{kit.uuid()} in state ALARM "
            f"triggered policy {svc}-cpu-target",
            "StartTime": iso(scale_t),
            "EndTime": iso(scale_t + timedelta(seconds=rng.randint(30, 60))),
            "StatusCode": "Successful",
            "StatusMessage": f"Successfully set desired count to {tasks_desired + 2}. Change successfully fulfilled by ecs.",
        },
    )
    stopped_tasks: list[Json] = []
    tt = scale_t + timedelta(seconds=20)
    while tt < now:
        ids = [kit.hex(32) for _ in range(2)]
        kit.event(
            "ecs",
            {
                "service_arn": svc_arn,
                "event": {
                    "id": kit.uuid(),
                    "createdAt": iso(tt),
                    "message": f"(service {svc}) has started 2 tasks: "
                    + " ".join(f"(task {i})" for i in ids)
                    + ".",
                },
            },
        )
        for i in ids:
            stopped_tasks.append(
                {
                    "taskArn": kit.arn("ecs", f"task/{cluster}/{i}"),
                    "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
                    "taskDefinitionArn": kit.arn("ecs", f"task-definition/{svc}:{rng.randint(300, 340)}"),
                    "group": f"service:{svc}",
                    "lastStatus": "STOPPED",
                    "desiredStatus": "STOPPED",
                    "launchType": "FARGATE",
                    "cpu": "1024",
                    "memory": "2048",
                    "createdAt": iso(tt),
                    "stoppingAt": iso(tt + timedelta(seconds=14)),
                    "stoppedAt": iso(tt + timedelta(seconds=31)),
                    "stopCode": "TaskFailedToStart",
                    "stoppedReason": "ResourceInitializationError: unable to pull secrets or registry auth: execution "
                    "resource retrieval failed: unable to retrieve secrets from ssm: service call has "
                    "been retried 5 time(s): ThrottlingException: Rate exceeded status code: 400, "
                    f"request id: {kit.uuid()}",
                    "availabilityZone": f"{REGION}{rng.choice('abc')}",
                    "platformVersion": "1.4.0",
                }
            )
        tt += timedelta(minutes=rng.randint(3, 6))
    del stopped_tasks[:-6]
    for task in stopped_tasks:
        kit.res("ecs", "Task", task)

    # --- CloudTrail (the trail logs write management events only) ------------------------------------
    t_cfg = onset - timedelta(minutes=rng.randint(20, 28))
    kit.ct(
        t_cfg,
        grace,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn, "environment": {}},
        {"functionName": fn, "functionArn": fn_arn, "lastUpdateStatus": "InProgress", "memorySize": 512},
        ip=ip_g,
        agent=CONSOLE_UA,
        version="1.08",
    )
    t_rule = onset + timedelta(minutes=rng.randint(5, 12))
    kit.ct(
        t_rule,
        sam,
        "events.amazonaws.com",
        "PutRule",
        {
            "name": "nightly-abandoned-cart-digest",
            "scheduleExpression": "cron(30 11 * * ? *)",
            "state": "ENABLED",
        },
        {"ruleArn": kit.arn("events", "rule/nightly-abandoned-cart-digest")},
        ip=ip_s,
        agent=CONSOLE_UA,
    )
    t_dep = onset - timedelta(minutes=rng.randint(50, 70))
    kit.ct(
        t_dep,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "storefront-web",
            "taskDefinition": f"storefront-web:{rng.randint(500, 560)}",
        },
        {"service": {"serviceName": "storefront-web", "status": "ACTIVE"}},
        ip="13.54.0.10",
        agent=BOTO_UA,
    )
    kit.ct(
        t_dep - timedelta(seconds=9),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {"family": "storefront-web", "executionRoleArn": exec_role_arn, "networkMode": "awsvpc"},
        {"taskDefinition": {"family": "storefront-web", "status": "ACTIVE"}},
        ip="13.54.0.10",
        agent=BOTO_UA,
    )
    for t in spread(kit, start, now, 10):
        kit.service_assume(t, "lambda.amazonaws.com", f"arn:aws:iam::{account}:role/{fn}-role", fn)
    for t in spread(kit, start, now, 8):
        kit.service_assume(t, "ecs-tasks.amazonaws.com", exec_role_arn, kit.hex(32))
    for t in spread(kit, start, now, 6):
        kit.ct(
            t,
            dd,
            "tag.amazonaws.com",
            "GetResources",
            {"resourceTypeFilters": ["lambda"]},
            None,
            read_only=True,
            ip="13.211.0.9",
            agent="Datadog-AWS-Integration/1.0",
        )
    kit.ct(
        start + timedelta(minutes=rng.randint(20, 80)),
        sam,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/pricing/staging/feature-flags",
            "type": "String",
            "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "overwrite": True,
        },
        {"version": rng.randint(10, 30), "tier": "Standard"},
        ip=ip_s,
        agent=CONSOLE_UA,
    )
    for t in spread(kit, start, onset, 3):
        kit.ct(
            t,
            sam,
            "logs.amazonaws.com",
            "CreateLogStream",
            {"logGroupName": "/aws/lambda/cart-digest", "logStreamName": lambda_stream(kit, t)},
            None,
            ip="lambda.amazonaws.com",
            agent="awslambda-worker",
        )

    # --- alarms --------------------------------------------------------------------------------------
    main = evaluate_alarm(
        kit,
        AlarmSpec(
            "promo-price-errors",
            "AWS/Lambda",
            "Errors",
            dfn,
            "Sum",
            60,
            3,
            3,
            20,
            "GreaterThanThreshold",
            "promo-price invocation errors",
            actions=[sns_arn],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "promo-price-throttles",
            "AWS/Lambda",
            "Throttles",
            dfn,
            "Sum",
            60,
            3,
            3,
            5,
            "GreaterThanThreshold",
            "promo-price is being throttled by Lambda",
            actions=[sns_arn],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "checkout-api-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Average",
            300,
            2,
            2,
            85,
            "GreaterThanThreshold",
            "checkout-api CPU",
            actions=[sns_arn],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "storefront-pricing-latency",
            "AWS/ApiGateway",
            "Latency",
            dapi,
            "",
            300,
            2,
            2,
            2500,
            "GreaterThanThreshold",
            "pricing API p95 latency",
            extended="p95",
            actions=[sns_arn],
        ),
    )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 600))
    kit.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": fn_arn,
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{account}:role/{fn}-role",
            "Handler": "index.handler",
            "CodeSize": 1_843_211,
            "Timeout": 6,
            "MemorySize": 512,
            "LastModified": t_cfg.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "Version": "$LATEST",
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "CodeSha256": kit.hex(43) + "=",
            "Environment": {
                "Variables": {"SETTINGS_PATH": "/pricing/prod/", "PROMO_CAMPAIGN": "winter-sale"}
            },
        },
    )
    kit.res("lambda", "FunctionConcurrency", {"FunctionName": fn, "ReservedConcurrentExecutions": 200})
    kit.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": f"{fn}-role",
            "PolicyName": "read-settings",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["ssm:GetParameters", "ssm:GetParameter"],
                        "Resource": kit.arn("ssm", "parameter/pricing/prod/*"),
                    }
                ],
            },
        },
    )
    kit.res(
        "ssm",
        "ServiceSetting",
        {
            "SettingId": setting_id,
            "SettingValue": "false",
            "ARN": setting_arn,
            "LastModifiedDate": iso(created),
            "Status": "Default",
            "LastModifiedUser": "System",
        },
    )
    for p in params:
        kit.res(
            "ssm",
            "ParameterMetadata",
            {
                "Name": p,
                "ARN": kit.arn("ssm", f"parameter{p}"),
                "Type": "String",
                "LastModifiedDate": iso(start - timedelta(days=rng.randint(3, 40))),
                "LastModifiedUser": sam["arn"],
                "Version": rng.randint(2, 30),
                "Tier": "Standard",
                "Policies": [],
                "DataType": "text",
            },
        )
    kit.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": "storefront-pricing",
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
        },
    )
    kit.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc,
            "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
            "status": "ACTIVE",
            "desiredCount": tasks_desired + 2,
            "runningCount": tasks_desired,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "taskDefinition": kit.arn("ecs", f"task-definition/{svc}:{rng.randint(300, 340)}"),
            "createdAt": iso(created),
            "schedulingStrategy": "REPLICA",
        },
    )
    kit.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/{svc}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 4,
            "MaxCapacity": 16,
            "RoleARN": f"arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": iso(created),
        },
    )
    kit.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": kit.arn("ecs", f"task-definition/{svc}:331"),
            "family": svc,
            "revision": 331,
            "status": "ACTIVE",
            "executionRoleArn": exec_role_arn,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": svc,
                    "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/{svc}:{kit.hex(7)}",
                    "essential": True,
                    "secrets": [
                        {"name": n.upper(), "valueFrom": kit.arn("ssm", f"parameter/checkout/prod/{n}")}
                        for n in ("stripe_account", "tax_region", "feature_flags", "db_url")
                    ],
                }
            ],
        },
    )

    ev = alarm_event(kit, main, first_alarm=True)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": iso(start),
            "end": iso(kit.end),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": ev},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": setting_id,
                    "category": "limit",
                    "failure_mode": "parameter-store-throughput-exceeded",
                    "event_id": None,
                },
                "also_accept": [setting_arn, "Parameter Store", "ssm:GetParameters"],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    "promo-price calls ssm:GetParameters on every invocation",
                    "at the evening peak the account's GetParameters calls exceed Parameter Store's standard throughput",
                    "promo-price gets ThrottlingException: Rate exceeded after SDK retries and fails",
                    "storefront-pricing API returns 5xx; new checkout-api tasks fail to fetch their SSM secrets",
                    "promo-price-errors alarm",
                ],
            },
        }
    )
    return Bundle(manifest, kit.finish())
