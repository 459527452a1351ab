"""The acquirer's evening settlement burst meets the webhook API stage's throttle."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzu import (
    MIN,
    Account,
    iso,
    lambda_function,
    lambda_report,
    local_clock,
    log_stream,
    minutes,
    queue,
    tooling_reads,
)

NAME = "settlement-webhooks-rejected-evening"
TITLE = "Today's settlement reports from the acquirer are incomplete; is our webhook receiver down?"
SUMMARY = (
    "The acquirer's end-of-day settlement run sends notifications faster than the webhook API stage's "
    "rate limit; API Gateway answers 429 to the excess while the Lambda behind it is idle and healthy."
)

ZONE = "Europe/London"
TF = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1"


def build(seed: int) -> Bundle:
    a = Account(seed)
    rng = a.rng
    day = a.day(datetime(2026, 1, 5, tzinfo=UTC), 310)
    onset = day + timedelta(hours=rng.randint(17, 19), minutes=rng.randint(0, 59))
    start = onset - timedelta(hours=3, minutes=rng.randint(35, 55))
    now = onset + timedelta(minutes=rng.randint(42, 58))
    old = day - timedelta(days=rng.randint(150, 420))
    deploy = onset - timedelta(hours=1, minutes=rng.randint(20, 80))
    times = minutes(start, now)
    rate_limit = rng.choice([50.0, 50.0, 40.0, 60.0])
    burst = int(rate_limit * 2)

    api_id = a.alnum(10)
    api = "acquirer-webhooks"
    stage = "live"
    root_id = a.alnum(10)
    notif_id, disputes_id = a.alnum(6), a.alnum(6)
    fn = "webhook-ingest"
    fn_arn = a.arn("lambda", f"function:{fn}")
    access_group = f"/aws/apigateway/{api}/{stage}/access"
    topic = "acquirer-notifications"
    topic_arn = a.arn("sns", topic)

    # --- resources ---------------------------------------------------------------------------------
    a.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api,
            "description": "Inbound notifications from KestrelPay (settlement, chargebacks, payouts)",
            "createdDate": iso(old),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": root_id,
            "tags": {"team": "payments"},
        },
    )
    a.resource(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": a.alnum(6),
            "stageName": stage,
            "description": "production",
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": burst,
                    "throttlingRateLimit": rate_limit,
                    "cachingEnabled": False,
                    "cacheTtlInSeconds": 300,
                    "cacheDataEncrypted": False,
                    "requireAuthorizationForCacheControl": True,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                }
            },
            "accessLogSettings": {
                "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","path":"$context.path","status":"$context.status","responseLength":"$context.responseLength","errorType":"$context.error.responseType","integrationStatus":"$context.integration.status","latency":"$context.responseLatency"}',
                "destinationArn": a.arn("logs", f"log-group:{access_group}"),
            },
            "tracingEnabled": False,
            "tags": {"team": "payments"},
            "createdDate": iso(old),
            "lastUpdatedDate": iso(deploy + timedelta(seconds=20)),
        },
    )
    a.resource("apigateway", "RestApiResource", {"restApiId": api_id, "id": root_id, "path": "/"})
    for rid, part in ((notif_id, "notifications"), (disputes_id, "disputes")):
        a.resource(
            "apigateway",
            "RestApiResource",
            {
                "restApiId": api_id,
                "id": rid,
                "parentId": root_id,
                "pathPart": part,
                "path": f"/{part}",
                "resourceMethods": {"POST": {}},
            },
        )
        a.resource(
            "apigateway",
            "MethodIntegration",
            {
                "restApiId": api_id,
                "resourceId": rid,
                "httpMethod": "POST",
                "type": "AWS_PROXY",
                "uri": f"arn:aws:apigateway:{a.region}:lambda:path/2015-03-31/functions/{fn_arn}/invocations",
                "passthroughBehavior": "WHEN_NO_MATCH",
                "contentHandling": "CONVERT_TO_TEXT",
                "timeoutInMillis": 29000,
                "cacheNamespace": rid,
                "cacheKeyParameters": [],
            },
        )
    lambda_function(
        a,
        fn,
        runtime="python3.12",
        handler="app.handler",
        timeout=10,
        memory=256,
        modified=deploy - timedelta(minutes=4),
        role=f"{fn}-role",
        env={"TOPIC_ARN": topic_arn, "SIGNING_SECRET_ID": "kestrelpay/webhook-signing"},
        description="verifies KestrelPay webhook signatures and publishes to acquirer-notifications",
    )
    for other, desc in (
        ("settlement-recon", "matches settlement lines to captures"),
        ("chargeback-handler", "opens dispute cases"),
    ):
        lambda_function(
            a,
            other,
            runtime="python3.12",
            handler="app.handler",
            timeout=60,
            memory=512,
            modified=old + timedelta(days=40),
            role=f"{other}-role",
            description=desc,
        )
    queues = ["settlement-recon", "chargeback-handler", "payout-status"]
    for q in queues:
        queue(
            a,
            q,
            old,
            {
                "VisibilityTimeout": "360",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": a.arn("sqs", q + "-dlq"), "maxReceiveCount": 5},
                    separators=(",", ":"),
                ),
            },
        )
        a.resource(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": f"{topic_arn}:{a.uuid()}",
                "TopicArn": topic_arn,
                "Protocol": "sqs",
                "Endpoint": a.arn("sqs", q),
                "Owner": a.account,
                "Attributes": {
                    "RawMessageDelivery": "true",
                    "FilterPolicy": json.dumps(
                        {
                            "event_type": {
                                "settlement-recon": ["SETTLEMENT_REPORT", "SETTLEMENT_LINE"],
                                "chargeback-handler": ["CHARGEBACK", "DISPUTE_UPDATE"],
                                "payout-status": ["PAYOUT_PAID", "PAYOUT_FAILED"],
                            }[q]
                        }
                    ),
                    "FilterPolicyScope": "MessageAttributes",
                    "PendingConfirmation": "false",
                },
            },
        )
    a.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "Owner": a.account,
                "SubscriptionsConfirmed": "3",
                "SubscriptionsPending": "0",
                "KmsMasterKeyId": "alias/aws/sns",
            },
        },
    )
    a.resource(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": a.arn("secretsmanager", f"secret:kestrelpay/webhook-signing-{a.alnum(6)}"),
            "Name": "kestrelpay/webhook-signing",
            "Description": "HMAC key KestrelPay signs webhooks with",
            "RotationEnabled": False,
            "LastChangedDate": iso(old + timedelta(days=2)),
            "LastAccessedDate": iso(day),
            "CreatedDate": iso(old),
        },
    )
    a.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": access_group,
            "creationTime": int(old.timestamp() * 1000),
            "retentionInDays": 30,
            "arn": a.arn("logs", f"log-group:{access_group}:*"),
            "storedBytes": rng.randint(10**8, 10**9),
        },
    )

    # --- traffic ---------------------------------------------------------------------------------------
    base = rng.uniform(3.0, 8.0)  # requests a second through the day
    peak = rng.uniform(rate_limit * 1.9, rate_limit * 2.8)
    run_len = rng.randint(65, 95)
    offered: dict[datetime, float] = {}
    accepted: dict[datetime, float] = {}
    throttled: dict[datetime, float] = {}
    scan = start + timedelta(minutes=rng.randint(40, 90))
    scan_403: dict[datetime, int] = {}
    for t in times:
        rps = base * rng.uniform(0.8, 1.2)
        into = (t - onset).total_seconds() / 60
        if 0 <= into < run_len:
            rps += peak * min(1.0, (into + 1) / 3) * rng.uniform(0.9, 1.1)
        per = rps * 60
        ok = min(per, rate_limit * 60 * rng.uniform(0.985, 1.0) + (burst if into == 0 else 0))
        offered[t], accepted[t], throttled[t] = per, ok, per - ok
        if scan <= t < scan + 6 * MIN:
            scan_403[t] = rng.randint(25, 60)
    ad = {"ApiName": api, "Stage": stage}
    md = {"ApiName": api, "Method": "POST", "Resource": "/notifications", "Stage": stage}
    for t in times:
        n_all = offered[t] + scan_403.get(t, 0)
        x4 = throttled[t] + scan_403.get(t, 0) + (1 if rng.random() < 0.1 else 0)
        a.metric("AWS/ApiGateway", "Count", ad, t, round(n_all))
        a.metric("AWS/ApiGateway", "4XXError", ad, t, round(x4))
        a.metric("AWS/ApiGateway", "5XXError", ad, t, 0)
        lat_ok = [rng.uniform(45, 140) for _ in range(8)]
        lat_429 = [rng.uniform(1, 4) for _ in range(int(8 * throttled[t] / max(offered[t], 1)))]
        a.stats("AWS/ApiGateway", "Latency", ad, t, lat_ok + lat_429, "Milliseconds")
        a.stats(
            "AWS/ApiGateway",
            "IntegrationLatency",
            ad,
            t,
            [v - rng.uniform(8, 15) for v in lat_ok],
            "Milliseconds",
        )
        a.metric("AWS/ApiGateway", "Count", md, t, round(offered[t] * 0.97))
        a.metric("AWS/ApiGateway", "4XXError", md, t, round(throttled[t] * 0.97))
        a.metric("AWS/ApiGateway", "5XXError", md, t, 0)
        ld = {"FunctionName": fn}
        a.metric("AWS/Lambda", "Invocations", ld, t, round(accepted[t]))
        a.metric("AWS/Lambda", "Errors", ld, t, 0)
        a.metric("AWS/Lambda", "Throttles", ld, t, 0)
        a.stats("AWS/Lambda", "Duration", ld, t, [rng.uniform(35, 120) for _ in range(10)], "Milliseconds")
        a.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            ld,
            t,
            max(1, round(accepted[t] / 60 * 0.08 * rng.uniform(0.8, 1.4))),
        )
        a.metric("AWS/SNS", "NumberOfMessagesPublished", {"TopicName": topic}, t, round(accepted[t]))
        a.metric("AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": topic}, t, round(accepted[t]))
        a.metric(
            "AWS/SNS", "NumberOfNotificationsFilteredOut", {"TopicName": topic}, t, round(accepted[t] * 2)
        )
        into = (t - onset).total_seconds() / 60
        settle = 0.85 if 0 <= into < run_len else 0.3
        for q, share in (
            ("settlement-recon", settle),
            ("chargeback-handler", (1 - settle) * 0.4),
            ("payout-status", (1 - settle) * 0.6),
        ):
            qd = {"QueueName": q}
            sent = accepted[t] * share
            a.metric("AWS/SQS", "NumberOfMessagesSent", qd, t, round(sent))
            a.metric("AWS/SQS", "NumberOfMessagesReceived", qd, t, round(sent))
            a.metric("AWS/SQS", "NumberOfMessagesDeleted", qd, t, round(sent))
            a.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, rng.randint(0, 20))
            a.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, rng.randint(1, 25), "Seconds")
        for other in ("settlement-recon", "chargeback-handler"):
            od = {"FunctionName": other}
            a.metric(
                "AWS/Lambda",
                "Invocations",
                od,
                t,
                round(accepted[t] * (settle if other == "settlement-recon" else 0.05) / 10) + 1,
            )
            a.metric("AWS/Lambda", "Errors", od, t, 0)

    # --- logs ----------------------------------------------------------------------------------------
    acq_ips = [f"185.146.{rng.randint(160, 175)}.{rng.randint(10, 40)}" for _ in range(4)]
    access_stream = a.hex(32)
    for t in times:
        n = 2 + int(offered[t] / 400)
        for _ in range(n):
            at = t + timedelta(milliseconds=rng.randint(0, 59999))
            is_429 = rng.random() < throttled[t] / max(offered[t], 1)
            path = "/notifications" if rng.random() < 0.97 else "/disputes"
            if path == "/disputes" and at < deploy:
                path = "/notifications"
            entry = {
                "requestId": a.uuid(),
                "ip": rng.choice(acq_ips),
                "requestTime": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "httpMethod": "POST",
                "path": path,
                "status": "429" if is_429 else "200",
                "responseLength": "31" if is_429 else "16",
                "errorType": "THROTTLED" if is_429 else "-",
                "integrationStatus": "-" if is_429 else "200",
                "latency": str(rng.randint(1, 4) if is_429 else rng.randint(45, 140)),
            }
            a.log(access_group, access_stream, at, json.dumps(entry, separators=(",", ":")))
        for _ in range(min(scan_403.get(t, 0), 6)):
            at = t + timedelta(milliseconds=rng.randint(0, 59999))
            entry = {
                "requestId": a.uuid(),
                "ip": f"45.{rng.randint(130, 160)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
                "requestTime": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "httpMethod": rng.choice(["GET", "GET", "POST"]),
                "path": rng.choice(
                    ["/.env", "/wp-login.php", "/admin", "/.git/config", "/api/v1/login", "/"]
                ),
                "status": "403",
                "responseLength": "42",
                "errorType": "MISSING_AUTHENTICATION_TOKEN",
                "integrationStatus": "-",
                "latency": "1",
            }
            a.log(access_group, access_stream, at, json.dumps(entry, separators=(",", ":")))
    g = f"/aws/lambda/{fn}"
    stream = log_stream(a, start)
    for t in times:
        if abs((t - deploy).total_seconds()) < 60:
            stream = log_stream(a, t)
        for _ in range(1 + int(accepted[t] / 1500)):
            at = t + timedelta(milliseconds=rng.randint(0, 59999))
            req = a.uuid()
            into = (t - onset).total_seconds() / 60
            kind = (
                "SETTLEMENT_LINE"
                if 0 <= into < run_len and rng.random() < 0.85
                else rng.choice(["PAYOUT_PAID", "CHARGEBACK", "SETTLEMENT_REPORT", "DISPUTE_UPDATE"])
            )
            a.log(g, stream, at, f"START RequestId: {req} Version: $LATEST")
            a.log(
                g,
                stream,
                at,
                f"[INFO]\t{iso(at)}\t{req}\tsignature ok event_type={kind} psp_ref={a.alnum(16, upper=True)} published",
            )
            lambda_report(
                a,
                fn,
                stream,
                at + timedelta(milliseconds=80),
                req,
                rng.uniform(35, 120),
                256,
                rng.randint(78, 92),
            )

    # --- CloudTrail ----------------------------------------------------------------------------------
    ci = a.role_identity("github-actions-deploy", "GitHubActions", deploy - 10 * MIN)
    t = deploy - timedelta(minutes=6)
    a.call(
        t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": fn, "publish": False, "dryRun": False},
        {
            "functionName": fn,
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "timeout": 10,
            "memorySize": 256,
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
        },
        agent=TF,
        ip="20.61.12.4",
    )
    a.call(
        t + MIN,
        "apigateway.amazonaws.com",
        "CreateResource",
        ci,
        {"restApiId": api_id, "parentId": root_id, "pathPart": "disputes"},
        {"id": disputes_id, "parentId": root_id, "pathPart": "disputes", "path": "/disputes"},
        agent=TF,
        ip="20.61.12.4",
    )
    a.call(
        t + MIN * 1.2,
        "apigateway.amazonaws.com",
        "PutMethod",
        ci,
        {
            "restApiId": api_id,
            "resourceId": disputes_id,
            "httpMethod": "POST",
            "authorizationType": "NONE",
            "apiKeyRequired": False,
        },
        {"httpMethod": "POST", "authorizationType": "NONE", "apiKeyRequired": False},
        agent=TF,
        ip="20.61.12.4",
    )
    a.call(
        t + MIN * 1.5,
        "apigateway.amazonaws.com",
        "PutIntegration",
        ci,
        {
            "restApiId": api_id,
            "resourceId": disputes_id,
            "httpMethod": "POST",
            "type": "AWS_PROXY",
            "integrationHttpMethod": "POST",
            "uri": f"arn:aws:apigateway:{a.region}:lambda:path/2015-03-31/functions/{fn_arn}/invocations",
        },
        {"type": "AWS_PROXY", "httpMethod": "POST", "timeoutInMillis": 29000},
        agent=TF,
        ip="20.61.12.4",
    )
    a.call(
        t + MIN * 2,
        "lambda.amazonaws.com",
        "AddPermission20150331v2",
        ci,
        {
            "functionName": fn,
            "statementId": "apigw-disputes",
            "action": "lambda:InvokeFunction",
            "principal": "apigateway.amazonaws.com",
            "sourceArn": f"arn:aws:execute-api:{a.region}:{a.account}:{api_id}/*/POST/disputes",
        },
        None,
        agent=TF,
        ip="20.61.12.4",
    )
    a.call(
        deploy,
        "apigateway.amazonaws.com",
        "CreateDeployment",
        ci,
        {"restApiId": api_id, "stageName": stage, "description": "disputes endpoint"},
        {"id": a.alnum(6), "description": "disputes endpoint", "createdDate": iso(deploy)},
        agent=TF,
        ip="20.61.12.4",
    )
    tf = a.role_identity("terraform-apply", "atlantis", start)
    t_tf = start + timedelta(minutes=rng.randint(15, 50))
    a.call(
        t_tf,
        "sqs.amazonaws.com",
        "TagQueue",
        tf,
        {
            "queueUrl": f"https://sqs.{a.region}.amazonaws.com/{a.account}/payout-status",
            "tags": {"cost-centre": "cc-412"},
        },
        None,
        agent=TF,
    )
    a.call(
        t_tf + MIN,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        tf,
        {
            "alarmName": "settlement-recon-age",
            "namespace": "AWS/SQS",
            "metricName": "ApproximateAgeOfOldestMessage",
            "statistic": "Maximum",
            "period": 300,
            "evaluationPeriods": 2,
            "threshold": 900.0,
            "comparisonOperator": "GreaterThanThreshold",
        },
        None,
        agent=TF,
    )
    ingest = a.role_identity(f"{fn}-role", fn, start)
    t = start + timedelta(minutes=rng.randint(1, 10))
    while t < now:
        a.call(
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            ingest,
            {"secretId": "kestrelpay/webhook-signing"},
            None,
            read_only=True,
            agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227 lang/python#3.12.7 exec-env/AWS_Lambda_python3.12",
        )
        t += timedelta(minutes=rng.randint(28, 33))
    eng = a.role_identity(
        f"AWSReservedSSO_PaymentsEngineer_{a.hex(16)}", "owen.price@finch-pay.com", onset + 25 * MIN
    )
    console = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    a.call(
        onset + 26 * MIN,
        "apigateway.amazonaws.com",
        "GetRestApis",
        eng,
        {"limit": 500},
        None,
        read_only=True,
        agent=console,
    )
    a.call(
        onset + 27 * MIN,
        "apigateway.amazonaws.com",
        "GetStages",
        eng,
        {"restApiId": api_id},
        None,
        read_only=True,
        agent=console,
    )
    a.call(
        onset + 28 * MIN,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        eng,
        {"functionName": fn},
        None,
        read_only=True,
        agent=console,
    )
    tooling_reads(
        a,
        start,
        now,
        {"functions": [fn, "settlement-recon"], "queues": queues, "secrets": ["kestrelpay/webhook-signing"]},
        rng.randint(30, 40),
    )

    # --- alarms --------------------------------------------------------------------------------------
    created = old + timedelta(days=8)
    five = minutes(start, now, 5)
    x4_five: dict[datetime, float] = {}
    for t in times:
        slot = max(s for s in five if s <= t)
        x4_five[slot] = x4_five.get(slot, 0.0) + round(throttled[t] + scan_403.get(t, 0))
    al = a.alarm(
        "acquirer-webhooks-4xx",
        "AWS/ApiGateway",
        "4XXError",
        ad,
        stat="Sum",
        period=300,
        evals=1,
        threshold=100,
        missing="notBreaching",
        description="4xx on the KestrelPay webhook API (bad signatures, unknown paths)",
        topic="payments-low-priority",
        updated=created,
    )
    a.evaluate(al, x4_five, five, now)
    a.alarm(
        "webhook-ingest-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        stat="Sum",
        period=300,
        evals=1,
        threshold=5,
        missing="notBreaching",
        updated=created,
    )
    a.alarm(
        "acquirer-webhooks-5xx",
        "AWS/ApiGateway",
        "5XXError",
        ad,
        stat="Sum",
        period=300,
        evals=1,
        threshold=5,
        missing="notBreaching",
        updated=created,
    )
    a.alarm(
        "settlement-recon-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "settlement-recon"},
        stat="Maximum",
        period=300,
        evals=2,
        threshold=900,
        updated=t_tf + MIN,
    )

    question = (
        "Recon here: today's settlement files from KestrelPay are incomplete, lots of lines missing. Their "
        f"merchant dashboard shows webhook deliveries to us failing since around {local_clock(onset, ZONE)}. "
        "Is our webhook receiver down?"
    )
    truth: dict[str, Any] = {
        "no_fault": False,
        "root_cause": {
            "resource": api_id,
            "category": "limit",
            "failure_mode": "api-gateway-stage-throttle-exceeded",
        },
        "also_accept": [
            api,
            f"{api}/{stage}",
            f"{api_id}/{stage}",
            f"arn:aws:apigateway:{a.region}::/restapis/{api_id}/stages/{stage}",
        ],
        "actions": ["reconfigure", "scale"],
        "chain": [api_id, fn, topic, "settlement-recon"],
    }
    return a.bundle(
        title=TITLE, start=start, now=now, question=question, timezone=ZONE, alarm_event=None, truth=truth
    )
