"""Private helpers for author g's fresh incidents (builds on author d's `_kit_d`).

Serverless pieces: REST APIs and their stages, SQS queues and their metrics, DynamoDB tables, Lambda
event source mappings, account-level Lambda metrics, CI principals and Node/Python log lines."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from evals.suites.fresh._kit_d import (
    Ctx,
    Principal,
    iso,
    role_session,
)

J = dict[str, Any]


def lambda_ms_ts(t: datetime) -> str:
    """Lambda's LastModified format: 2024-05-01T14:03:00.123+0000."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def camel(item: J) -> J:
    """A Lambda FunctionConfiguration as CloudTrail writes it in responseElements (lowerCamelCase)."""

    def low(k: str) -> str:
        return k[0].lower() + k[1:]

    def conv(v: Any) -> Any:
        if isinstance(v, dict):
            return {low(k): conv(x) for k, x in v.items() if k != "Variables"} | (
                {"variables": "***"} if "Variables" in v else {}
            )
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    out: J = conv(item)
    if "environment" in out:
        out["environment"] = {}
    return out


def github_ci(ctx: Ctx, role: str, repo: str) -> Principal:
    """A GitHub Actions workflow assuming an OIDC role (runner IPs are Azure ranges)."""
    run = ctx.rng.randrange(10**9, 10**10)
    return role_session(
        ctx,
        role,
        f"GitHubActions-{run}",
        ua=(
            "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 "
            "lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
            "md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code"
        ),
        ip=f"{ctx.rng.choice([20, 52, 172])}.{ctx.rng.randrange(10, 250)}.{ctx.rng.randrange(1, 250)}.{ctx.rng.randrange(2, 250)}",
    )


def sam_ci(ctx: Ctx, role: str) -> Principal:
    """CloudFormation deploying on behalf of a pipeline (CodePipeline + SAM)."""
    p = role_session(
        ctx,
        role,
        f"AWSCloudFormation{ctx.rng.randrange(10**8, 10**9)}",
        ua="cloudformation.amazonaws.com",
        ip="cloudformation.amazonaws.com",
    )
    p.tls = False
    return p


# --- resources ----------------------------------------------------------------------------------


def sqs_queue(
    ctx: Ctx,
    name: str,
    created: datetime,
    *,
    visibility: int = 30,
    retention: int = 345600,
    dlq_arn: str | None = None,
    max_receive: int = 5,
    tags: dict[str, str] | None = None,
    visible: int = 0,
    in_flight: int = 0,
) -> J:
    arn = ctx.arn("sqs", name)
    attrs: dict[str, str] = {
        "QueueArn": arn,
        "ApproximateNumberOfMessages": str(visible),
        "ApproximateNumberOfMessagesNotVisible": str(in_flight),
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": str(int(created.timestamp())),
        "LastModifiedTimestamp": str(int(created.timestamp()) + ctx.rng.randrange(0, 86400 * 40)),
        "VisibilityTimeout": str(visibility),
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": str(retention),
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
    }
    if dlq_arn:
        attrs["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive}, separators=(",", ":")
        )
    item: J = {
        "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}",
        "Attributes": attrs,
        "Tags": dict(tags or {}),
    }
    return ctx.res("sqs", "Queue", item)


def event_source_mapping(
    ctx: Ctx,
    function_arn: str,
    queue_arn: str,
    modified: datetime,
    *,
    batch_size: int = 10,
    window: int = 0,
    max_concurrency: int | None = None,
) -> J:
    uid = ctx.uuid()
    item: J = {
        "UUID": uid,
        "BatchSize": batch_size,
        "MaximumBatchingWindowInSeconds": window,
        "EventSourceArn": queue_arn,
        "FunctionArn": function_arn,
        "LastModified": iso(modified),
        "State": "Enabled",
        "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "EventSourceMappingArn": ctx.arn("lambda", f"event-source-mapping:{uid}"),
    }
    if max_concurrency:
        item["ScalingConfig"] = {"MaximumConcurrency": max_concurrency}
    return ctx.res("lambda", "EventSourceMappingConfiguration", item)


def dynamodb_table(
    ctx: Ctx,
    name: str,
    created: datetime,
    *,
    pk: str,
    sk: str | None = None,
    items: int,
    size: int,
    gsis: Sequence[str] = (),
    stream: bool = False,
) -> J:
    attrs = [{"AttributeName": pk, "AttributeType": "S"}]
    keys = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk:
        attrs.append({"AttributeName": sk, "AttributeType": "S"})
        keys.append({"AttributeName": sk, "KeyType": "RANGE"})
    arn = ctx.arn("dynamodb", f"table/{name}")
    item: J = {
        "AttributeDefinitions": attrs,
        "TableName": name,
        "KeySchema": keys,
        "TableStatus": "ACTIVE",
        "CreationDateTime": iso(created),
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0,
            "WriteCapacityUnits": 0,
        },
        "TableSizeBytes": size,
        "ItemCount": items,
        "TableArn": arn,
        "TableId": ctx.uuid(),
        "BillingModeSummary": {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": iso(created),
        },
        "DeletionProtectionEnabled": True,
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS"},
        "TableClassSummary": {"TableClass": "STANDARD"},
    }
    if gsis:
        for g in gsis:
            attrs.append({"AttributeName": g, "AttributeType": "S"})
        item["GlobalSecondaryIndexes"] = [
            {
                "IndexName": f"{g}-index",
                "KeySchema": [{"AttributeName": g, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "IndexSizeBytes": size // 3,
                "ItemCount": items,
                "IndexArn": f"{arn}/index/{g}-index",
            }
            for g in gsis
        ]
    if stream:
        label = created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ctx.rng.randrange(1000):03d}"
        item["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        item["LatestStreamLabel"] = label
        item["LatestStreamArn"] = f"{arn}/stream/{label}"
    return ctx.res("dynamodb", "TableDescription", item)


def rest_api(ctx: Ctx, name: str, created: datetime, description: str) -> J:
    return ctx.res(
        "apigateway",
        "RestApi",
        {
            "id": ctx.alnum(10),
            "name": name,
            "description": description,
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": ctx.alnum(10),
            "tags": {"service": name},
        },
    )


def rest_stage(
    ctx: Ctx, api: J, stage: str, created: datetime, updated: datetime, access_log_group: str
) -> J:
    return ctx.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api["id"],
            "deploymentId": ctx.alnum(6),
            "stageName": stage,
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 5000,
                    "throttlingRateLimit": 10000.0,
                    "cachingEnabled": False,
                    "cacheTtlInSeconds": 300,
                    "cacheDataEncrypted": False,
                    "requireAuthorizationForCacheControl": True,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                }
            },
            "accessLogSettings": {
                "format": (
                    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                    '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
                    '"resourcePath":"$context.resourcePath","status":"$context.status",'
                    '"responseLength":"$context.responseLength",'
                    '"integrationLatency":"$context.integration.latency",'
                    '"integrationStatus":"$context.integration.status",'
                    '"integrationError":"$context.integrationErrorMessage"}'
                ),
                "destinationArn": ctx.arn("logs", f"log-group:{access_log_group}"),
            },
            "tracingEnabled": False,
            "createdDate": iso(created),
            "lastUpdatedDate": iso(updated),
        },
    )


# --- metrics ------------------------------------------------------------------------------------


def apigw_metrics(
    ctx: Ctx,
    api_name: str,
    stage: str,
    points: Sequence[tuple[datetime, int]],
    rate: Callable[[datetime], float],
    *,
    err5: Callable[[datetime, int], int],
    latency: Callable[[datetime], float],
    err4_share: float = 0.015,
) -> dict[datetime, tuple[int, int]]:
    """AWS/ApiGateway per-stage metrics (ApiName, Stage). 4XXError/5XXError are 0/1 per request."""
    dims = {"ApiName": api_name, "Stage": stage}
    out: dict[datetime, tuple[int, int]] = {}
    for t, step in points:
        n = ctx.count(rate(t) * step / 60)
        if n == 0:
            continue
        e5 = min(n, err5(t, n))
        e4 = ctx.count(n * err4_share)
        out[t] = (n, e5)
        ctx.put("AWS/ApiGateway", "Count", dims, t, "Count", stats=(n, n, 1, 1))
        ctx.put("AWS/ApiGateway", "5XXError", dims, t, "Count", stats=(n, e5, 0, 1 if e5 else 0))
        ctx.put("AWS/ApiGateway", "4XXError", dims, t, "Count", stats=(n, e4, 0, 1 if e4 else 0))
        lat = latency(t)
        ok = n - e5
        ilat = lat * 0.92
        ctx.put(
            "AWS/ApiGateway",
            "Latency",
            dims,
            t,
            "Milliseconds",
            stats=(n, lat * n, max(4.0, lat * ctx.rng.uniform(0.15, 0.4)), lat * ctx.rng.uniform(3, 9)),
        )
        if ok:
            ctx.put(
                "AWS/ApiGateway",
                "IntegrationLatency",
                dims,
                t,
                "Milliseconds",
                stats=(
                    ok,
                    ilat * ok,
                    max(2.0, ilat * ctx.rng.uniform(0.1, 0.35)),
                    ilat * ctx.rng.uniform(3, 9),
                ),
            )
    return out


def sqs_metrics(
    ctx: Ctx,
    name: str,
    points: Sequence[tuple[datetime, int]],
    *,
    sent: Callable[[datetime, int], int],
    capacity: Callable[[datetime, int], int],
    size: float,
    initial_backlog: int = 0,
    age_floor: float = 0.0,
) -> dict[datetime, tuple[int, int]]:
    """AWS/SQS metrics for a queue drained by a consumer that can take `capacity(t, step)` messages.

    Returns {t: (received, backlog)}. ApproximateAgeOfOldestMessage follows the backlog: when the
    consumer keeps up it is a few seconds; when it falls behind it grows with the wait."""
    dims = {"QueueName": name}
    backlog = initial_backlog
    oldest: datetime | None = None
    out: dict[datetime, tuple[int, int]] = {}
    pending: list[tuple[datetime, int]] = []  # (sent at, count) not yet received, oldest first
    if initial_backlog:
        pending.append((points[0][0], initial_backlog))
    for t, step in points:
        s = sent(t, step)
        if s:
            pending.append((t, s))
        cap = capacity(t, step)
        take = min(cap, sum(c for _, c in pending))
        left = take
        while left and pending:
            at, c = pending[0]
            if c <= left:
                left -= c
                pending.pop(0)
            else:
                pending[0] = (at, c - left)
                left = 0
        backlog = sum(c for _, c in pending)
        oldest = pending[0][0] if pending else None
        out[t] = (take, backlog)
        if s:
            ctx.put("AWS/SQS", "NumberOfMessagesSent", dims, t, "Count", s)
            ctx.put(
                "AWS/SQS",
                "SentMessageSize",
                dims,
                t,
                "Bytes",
                stats=(s, size * s, size * 0.6, size * 1.7),
            )
        else:
            ctx.put("AWS/SQS", "NumberOfMessagesSent", dims, t, "Count", 0)
        ctx.put("AWS/SQS", "NumberOfMessagesReceived", dims, t, "Count", take)
        ctx.put(
            "AWS/SQS", "NumberOfMessagesDeleted", dims, t, "Count", max(0, take - ctx.count(take * 0.001))
        )
        empties = ctx.count((step / 20) * 5) if backlog == 0 else ctx.count(1)
        ctx.put("AWS/SQS", "NumberOfEmptyReceives", dims, t, "Count", empties)
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, t, "Count", backlog)
        ctx.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            dims,
            t,
            "Count",
            min(take, max(0, round(take * ctx.rng.uniform(0.02, 0.08)))),
        )
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesDelayed", dims, t, "Count", 0)
        if oldest is not None and backlog > 0:
            age = max(age_floor, (t - oldest).total_seconds() + step)
        else:
            age = age_floor + ctx.rng.uniform(0, 3) if take else 0.0
        ctx.put("AWS/SQS", "ApproximateAgeOfOldestMessage", dims, t, "Seconds", round(age))
    return out


def dynamodb_metrics(
    ctx: Ctx,
    table: str,
    points: Sequence[tuple[datetime, int]],
    *,
    reads: Callable[[datetime], float],
    writes: Callable[[datetime], float],
    get_latency: float = 3.2,
    put_latency: float = 5.8,
) -> None:
    """AWS/DynamoDB consumed capacity (Sum per period) and request latency per operation."""
    dims = {"TableName": table}
    for t, step in points:
        r = ctx.jitter(reads(t) * step / 60, 0.06)
        w = ctx.jitter(writes(t) * step / 60, 0.06)
        if r > 0:
            ctx.put(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                dims,
                t,
                "Count",
                stats=(step / 60 * 40, r, 0.5, 4.0),
            )
            n = max(1, round(r / 1.2))
            lat = ctx.jitter(get_latency, 0.08)
            ctx.put(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {**dims, "Operation": "Query"},
                t,
                "Milliseconds",
                stats=(n, lat * n, lat * 0.4, lat * ctx.rng.uniform(4, 9)),
            )
        if w > 0:
            ctx.put(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                dims,
                t,
                "Count",
                stats=(step / 60 * 30, w, 1.0, 3.0),
            )
            n = max(1, round(w / 1.5))
            lat = ctx.jitter(put_latency, 0.08)
            ctx.put(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {**dims, "Operation": "PutItem"},
                t,
                "Milliseconds",
                stats=(n, lat * n, lat * 0.45, lat * ctx.rng.uniform(3, 7)),
            )


def account_lambda_metrics(
    ctx: Ctx,
    t: datetime,
    step: int,
    *,
    unreserved: tuple[float, float],
    reserved_used: tuple[float, float],
    reserved_total: int,
    invocations: int,
    errors: int,
    throttles: int,
) -> None:
    """AWS/Lambda account-wide metrics (no dimensions) for one period.

    `unreserved` and `reserved_used` are (average, maximum) concurrency of functions without and with
    reserved concurrency; ClaimedAccountConcurrency counts each reservation in full."""
    mins = step // 60
    ua, um = unreserved
    ra, rm = reserved_used
    um, rm = math.ceil(um), math.ceil(rm)
    ua, ra = min(ua, um), min(ra, rm)
    ctx.put(
        "AWS/Lambda",
        "ConcurrentExecutions",
        {},
        t,
        "Count",
        stats=(mins, (ua + ra) * mins, max(0, round((ua + ra) * 0.7)), um + rm),
    )
    ctx.put(
        "AWS/Lambda",
        "UnreservedConcurrentExecutions",
        {},
        t,
        "Count",
        stats=(mins, ua * mins, max(0, round(ua * 0.7)), um),
    )
    ctx.put(
        "AWS/Lambda",
        "ClaimedAccountConcurrency",
        {},
        t,
        "Count",
        stats=(mins, (ua + reserved_total) * mins, round(ua * 0.7) + reserved_total, um + reserved_total),
    )
    ctx.put("AWS/Lambda", "Invocations", {}, t, "Count", invocations)
    ctx.put("AWS/Lambda", "Errors", {}, t, "Count", errors)
    ctx.put("AWS/Lambda", "Throttles", {}, t, "Count", throttles)


# --- logs ---------------------------------------------------------------------------------------


def node_json(t: datetime, level: str, msg: str, **fields: Any) -> str:
    """A pino-style JSON line as a Node service prints it."""
    lv = {"debug": 20, "info": 30, "warn": 40, "error": 50}[level]
    body: J = {"level": lv, "time": int(t.timestamp() * 1000), "pid": 8, "hostname": "169.254.70.225"}
    body.update(fields)
    body["msg"] = msg
    return json.dumps(body, separators=(",", ":"))


def lambda_node_line(t: datetime, rid: str, level: str, text: str) -> str:
    """A console.log line from the Node.js Lambda runtime (Text log format)."""
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return f"{stamp}\t{rid}\t{level.upper()}\t{text}\n"


def lambda_py_line(t: datetime, rid: str, level: str, text: str) -> str:
    """A logging line from the Python Lambda runtime's default handler."""
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return f"[{level.upper()}]\t{stamp}\t{rid}\t{text}\n"


def minutes(start: datetime, end: datetime) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=1)
    return out


def function_metrics(
    ctx: Ctx,
    name: str,
    t: datetime,
    step: int,
    *,
    inv: int,
    err: int,
    thr: int,
    duration: float,
    conc: tuple[float, float],
) -> None:
    """AWS/Lambda per-function metrics for one period (nothing when the function was not called)."""
    if inv == 0 and thr == 0:
        return
    dims = {"FunctionName": name}
    mins = step // 60
    ctx.put("AWS/Lambda", "Invocations", dims, t, "Count", inv)
    ctx.put("AWS/Lambda", "Errors", dims, t, "Count", err)
    ctx.put("AWS/Lambda", "Throttles", dims, t, "Count", thr)
    if inv:
        lo = duration * ctx.rng.uniform(0.3, 0.6)
        hi = duration * ctx.rng.uniform(1.8, 3.5)
        ctx.put("AWS/Lambda", "Duration", dims, t, "Milliseconds", stats=(inv, duration * inv, lo, hi))
        avg, mx = conc
        mx = max(1, math.ceil(mx))
        avg = min(max(avg, 0.5), mx)
        ctx.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            dims,
            t,
            "Count",
            stats=(mins, avg * mins, max(0, min(mx, round(avg * 0.6))), mx),
        )


def ok_reason(threshold: float, n_eval: int, values: Sequence[tuple[datetime, float]], opname: str) -> str:
    """The StateReason CloudWatch wrote when an alarm last went to OK (values newest first)."""
    listing = ", ".join(f"{v:.1f} ({b:%d/%m/%y %H:%M:%S})" for b, v in values)
    if n_eval == 1:
        return f"Threshold Crossed: 1 datapoint [{listing}] was not {opname} the threshold ({threshold})."
    return (
        f"Threshold Crossed: {len(values)} out of the last {n_eval} datapoints [{listing}] were not {opname} "
        f"the threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
    )


def fix_previous_reason(event: J, reason: str) -> J:
    """Set the alarm event's previousState.reason (the OK reason of the previous state)."""
    event["detail"]["previousState"]["reason"] = reason
    return event


def ecs_service(
    ctx: Ctx,
    cluster: str,
    name: str,
    *,
    taskdef_arn: str,
    desired: int,
    created: datetime,
    deployed: datetime,
    tg_arn: str | None,
    container: str,
    port: int,
    subnets: Sequence[str],
    sg: str,
    deployment_id: str,
    completed: datetime | None = None,
) -> J:
    """An ECS Fargate service as DescribeServices returns it (one PRIMARY deployment)."""
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    net = {
        "awsvpcConfiguration": {
            "subnets": list(subnets),
            "securityGroups": [sg],
            "assignPublicIp": "DISABLED",
        }
    }
    item: J = {
        "serviceArn": ctx.arn("ecs", f"service/{cluster}/{name}"),
        "serviceName": name,
        "clusterArn": cluster_arn,
        "loadBalancers": (
            [{"targetGroupArn": tg_arn, "containerName": container, "containerPort": port}] if tg_arn else []
        ),
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": desired,
        "runningCount": desired,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": taskdef_arn,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [
            {
                "id": deployment_id,
                "status": "PRIMARY",
                "taskDefinition": taskdef_arn,
                "desiredCount": desired,
                "pendingCount": 0,
                "runningCount": desired,
                "failedTasks": 0,
                "createdAt": iso(deployed),
                "updatedAt": iso(completed or deployed + timedelta(minutes=4)),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "networkConfiguration": net,
                "rolloutState": "COMPLETED",
                "rolloutStateReason": f"ECS deployment {deployment_id} completed.",
            }
        ],
        "roleArn": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [],
        "createdAt": iso(created),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": net,
        "healthCheckGracePeriodSeconds": 30 if tg_arn else 0,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": f"arn:aws:iam::{ctx.account}:role/terraform-apply",
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }
    return ctx.res("ecs", "Service", item)


def spring_line(t: datetime, level: str, app: str, thread: str, logger: str, text: str) -> str:
    """A Spring Boot 3 console line."""
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} 1 --- [{app}] [{thread:>15}] {logger:<40} : {text}"
