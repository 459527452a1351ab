"""Placing orders hangs then fails in the app; order history still loads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_y import (
    UA_CONSOLE,
    UA_TERRAFORM,
    Json,
    Kit,
    diurnal,
    github_ip,
    iam_role,
    iso,
    iso_ms,
    lambda_function,
    lambda_stream,
    log_group,
    office_ip,
    oidc_assume,
    security_group,
    sg_rule_from_sg,
    tags,
    ticks,
)

NAME = "order-fraud-privatelink-timeouts"
TITLE = "Orders from the app hang then fail since late afternoon; order history still loads"
SUMMARY = (
    "The fraud-scoring vendor reached through a PrivateLink interface endpoint stopped answering; place-order "
    "Lambdas retried until their 15 s timeout and API Gateway returned 502s, next to a security-group edit."
)

TZ = ZoneInfo("Europe/Dublin")


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "eu-west-1")
    rng = kit.rng
    acct = kit.account
    day = datetime(2024, 5, 6, tzinfo=UTC) + timedelta(days=rng.randrange(0, 120))
    onset = day + timedelta(
        hours=15, minutes=rng.randint(0, 70), seconds=rng.randint(0, 59)
    )  # ~16:00-17:10 IST
    now = onset + timedelta(minutes=rng.randint(34, 48))
    start = onset - timedelta(hours=6)
    fine_from = onset - timedelta(hours=3)
    tks = ticks(start, now, fine_from)
    offset = 1.0
    created = day - timedelta(days=rng.randint(300, 900))

    vpc = kit.rid("vpc")
    azs = [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"]
    subnets = [kit.rid("subnet") for _ in azs]
    fn_sg, vpce_sg = kit.rid("sg"), kit.rid("sg")
    vendor_host = "score.eu-west-1.vigilrisk.io"
    svc_name = f"com.amazonaws.vpce.{kit.region}.vpce-svc-0{kit.hex(16)}"
    vpce = "vpce-0" + kit.hex(16)
    api_id = kit.upper(10, "abcdefghijklmnopqrstuvwxyz0123456789")
    api_name = "basketful-orders"
    stage = "prod"

    # ---- resources ------------------------------------------------------------------------------
    enis = [kit.rid("eni") for _ in azs]
    kit.resource(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": vpce,
            "VpcEndpointType": "Interface",
            "VpcId": vpc,
            "ServiceName": svc_name,
            "State": "available",
            "PolicyDocument": '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}',
            "RouteTableIds": [],
            "SubnetIds": subnets,
            "Groups": [{"GroupId": vpce_sg, "GroupName": "vigilrisk-endpoint"}],
            "IpAddressType": "ipv4",
            "DnsOptions": {"DnsRecordIpType": "ipv4"},
            "PrivateDnsEnabled": True,
            "RequesterManaged": False,
            "NetworkInterfaceIds": enis,
            "DnsEntries": [
                {
                    "DnsName": f"{vpce}-{kit.hex(8)}.{svc_name.split('.')[-1]}.{kit.region}.vpce.amazonaws.com",
                    "HostedZoneId": "Z38GZ743OKFT7T",
                },
                {"DnsName": vendor_host, "HostedZoneId": "Z" + kit.upper(20)},
            ],
            "CreationTimestamp": iso(created + timedelta(days=rng.randint(20, 120))),
            "Tags": tags({"Name": "vigilrisk-fraud-scoring", "vendor": "VigilRisk", "team": "payments"}),
            "OwnerId": acct,
        },
    )
    kit.resource(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": "vpce-0" + kit.hex(16),
            "VpcEndpointType": "Gateway",
            "VpcId": vpc,
            "ServiceName": f"com.amazonaws.{kit.region}.dynamodb",
            "State": "available",
            "PolicyDocument": '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
            "RouteTableIds": [kit.rid("rtb") for _ in azs],
            "SubnetIds": [],
            "Groups": [],
            "PrivateDnsEnabled": False,
            "RequesterManaged": False,
            "NetworkInterfaceIds": [],
            "DnsEntries": [],
            "CreationTimestamp": iso(created),
            "Tags": tags({"Name": "dynamodb-gateway"}),
            "OwnerId": acct,
        },
    )
    fn_egress = [
        {
            "FromPort": 443,
            "IpProtocol": "tcp",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [{"Description": "DynamoDB", "PrefixListId": "pl-6fa54006"}],
            "ToPort": 443,
            "UserIdGroupPairs": [],
        },
        {
            "FromPort": 443,
            "IpProtocol": "tcp",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "ToPort": 443,
            "UserIdGroupPairs": [{"Description": "fraud vendor endpoint", "GroupId": vpce_sg}],
        },
        {
            "FromPort": 443,
            "IpProtocol": "tcp",
            "IpRanges": [{"CidrIp": "10.60.0.0/16", "Description": "AWS API interface endpoints"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "ToPort": 443,
            "UserIdGroupPairs": [],
        },
        {
            "FromPort": 5432,
            "IpProtocol": "tcp",
            "IpRanges": [{"CidrIp": "10.60.96.0/20", "Description": "analytics-pg"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "ToPort": 5432,
            "UserIdGroupPairs": [],
        },
    ]
    sg_item = security_group(
        kit, fn_sg, "orders-lambda", "orders Lambda functions", vpc, [], {"Name": "orders-lambda"}
    )
    sg_item["IpPermissionsEgress"] = fn_egress
    security_group(
        kit,
        vpce_sg,
        "vigilrisk-endpoint",
        "VigilRisk PrivateLink endpoint",
        vpc,
        [sg_rule_from_sg(443, fn_sg, "orders lambdas")],
        {"Name": "vigilrisk-endpoint"},
    )

    vpc_cfg = {
        "SubnetIds": subnets,
        "SecurityGroupIds": [fn_sg],
        "VpcId": vpc,
        "Ipv6AllowedForDualStack": False,
    }
    role = iam_role(kit, "orders-lambda", "lambda.amazonaws.com", created, now, "orders API functions")
    fns = {}
    for name, desc, mem, to in (
        ("place-order", "POST /orders", 1024, 15),
        ("get-order", "GET /orders/{orderId}", 512, 6),
        ("order-receipts", "Receipt emails from order-fulfilment", 256, 30),
    ):
        fns[name] = lambda_function(
            kit,
            name,
            "nodejs20.x",
            "dist/handler.handler",
            role["Arn"],
            mem,
            to,
            day - timedelta(days=rng.randint(3, 20), hours=rng.randint(1, 9)),
            {
                "ORDERS_TABLE": "orders",
                "BASKETS_TABLE": "baskets",
                "FULFILMENT_QUEUE_URL": f"https://sqs.{kit.region}.amazonaws.com/{acct}/order-fulfilment",
                "FRAUD_API_URL": f"https://{vendor_host}/v2/score",
                "FRAUD_TIMEOUT_MS": "5000",
                "FRAUD_MAX_ATTEMPTS": "3",
                "POWERTOOLS_SERVICE_NAME": name,
            }
            if name == "place-order"
            else {"ORDERS_TABLE": "orders", "POWERTOOLS_SERVICE_NAME": name},
            desc,
            vpc=vpc_cfg,
        )
    for name in ("orders", "baskets"):
        kit.resource(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "TableName": name,
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(created),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": rng.randint(10**9, 10**11),
                "ItemCount": rng.randint(10**6, 10**8),
                "TableArn": kit.arn("dynamodb", f"table/{name}"),
                "TableId": kit.uuid(),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": iso(created),
                },
                "TableClassSummary": {"TableClass": "STANDARD"},
                "DeletionProtectionEnabled": True,
            },
        )
    q_arn = kit.arn("sqs", "order-fulfilment")
    kit.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{kit.region}.amazonaws.com/{acct}/order-fulfilment",
            "Attributes": {
                "QueueArn": q_arn,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int(created.timestamp())),
                "VisibilityTimeout": "180",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "orders"},
        },
    )
    root_id = kit.upper(10, "abcdefghijklmnopqrstuvwxyz0123456789")
    orders_id = kit.upper(6, "abcdefghijklmnopqrstuvwxyz0123456789")
    order_id = kit.upper(6, "abcdefghijklmnopqrstuvwxyz0123456789")
    dep_id = kit.upper(6, "abcdefghijklmnopqrstuvwxyz0123456789")
    kit.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "description": "Basketful mobile and web orders API",
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": root_id,
            "tags": {"team": "orders"},
        },
    )
    acc_grp = f"/aws/apigateway/{api_name}-{stage}-access"
    kit.resource(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": dep_id,
            "stageName": stage,
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 2000,
                    "throttlingRateLimit": 1000.0,
                    "cachingEnabled": False,
                    "cacheTtlInSeconds": 300,
                    "cacheDataEncrypted": False,
                    "requireAuthorizationForCacheControl": True,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                }
            },
            "accessLogSettings": {
                "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency","integrationStatus":"$context.integration.status","errorMessage":"$context.error.message"}',
                "destinationArn": kit.arn("logs", f"log-group:{acc_grp}"),
            },
            "tracingEnabled": False,
            "createdDate": iso(created),
            "lastUpdatedDate": iso(day - timedelta(days=rng.randint(3, 30))),
        },
    )
    kit.resource(
        "apigateway",
        "RestApiResource",
        {
            "restApiId": api_id,
            "id": orders_id,
            "parentId": root_id,
            "pathPart": "orders",
            "path": "/orders",
            "resourceMethods": {"POST": {}},
        },
    )
    kit.resource(
        "apigateway",
        "RestApiResource",
        {
            "restApiId": api_id,
            "id": order_id,
            "parentId": orders_id,
            "pathPart": "{orderId}",
            "path": "/orders/{orderId}",
            "resourceMethods": {"GET": {}},
        },
    )
    for rid_, verb, fname in ((orders_id, "POST", "place-order"), (order_id, "GET", "get-order")):
        kit.resource(
            "apigateway",
            "MethodIntegration",
            {
                "restApiId": api_id,
                "resourceId": rid_,
                "httpMethod": verb,
                "type": "AWS_PROXY",
                "uri": f"arn:aws:apigateway:{kit.region}:lambda:path/2015-03-31/functions/{fns[fname]['FunctionArn']}/invocations",
                "passthroughBehavior": "WHEN_NO_MATCH",
                "contentHandling": "CONVERT_TO_TEXT",
                "timeoutInMillis": 29000,
                "cacheNamespace": rid_,
                "cacheKeyParameters": [],
            },
        )
    for g in (acc_grp, "/aws/lambda/place-order", "/aws/lambda/get-order", "/aws/lambda/order-receipts"):
        log_group(kit, g, created, 30, rng.randint(10**8, 10**10))

    # ---- model ----------------------------------------------------------------------------------
    peak = rng.uniform(70, 120)  # POST /orders per minute at the evening peak

    def load(t: datetime) -> float:
        return diurnal(t, offset, low=0.06, peak_hour=18.0)

    def bad(t: datetime) -> float:
        """Share of fraud-score calls that get no answer."""
        m = (t - onset).total_seconds() / 60
        if m < 0:
            return 0.0
        return min(0.9, 0.35 + 0.55 * m / 4) if m < 40 else 0.9

    def posts(t: datetime) -> float:
        retry = 1 + 0.45 * bad(t)
        return kit.jitter(peak * load(t) * retry, 0.07)

    api_pts: list[tuple[datetime, float]] = []
    err_pts: list[tuple[datetime, float]] = []
    fn_minutes: list[tuple[datetime, int, float, float]] = []
    for t, p in tks:
        k = p // 60
        b = bad(t)
        n_post = posts(t) * k
        n_get = kit.jitter(peak * 4.2 * load(t), 0.05) * k
        # each call: p(no answer)=b -> attempts timing 5 s; 3 misses -> Lambda timeout at 15 s
        p_to = b**3
        p_two = b**2 * (1 - b)
        p_one = b * (1 - b)
        ok_lat = kit.jitter(430, 0.05)
        avg_dur = (1 - b) * ok_lat + p_one * (5000 + ok_lat) + p_two * (10000 + ok_lat) + p_to * 15000
        # about a third of the calls that got no answer for 10 s still have their 3rd attempt land past the timeout
        timeouts = n_post * p_to
        e4 = n_post * kit.jitter(0.012, 0.2)
        kit.metric(
            "AWS/ApiGateway",
            "Count",
            {"ApiName": api_name, "Stage": stage},
            t,
            "Count",
            value=round(n_post + n_get),
        )
        kit.metric(
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": api_name, "Stage": stage},
            t,
            "Count",
            stats=(n_post + n_get, timeouts, 0.0, 1.0 if timeouts >= 0.5 else 0.0),
        )
        kit.metric(
            "AWS/ApiGateway",
            "4XXError",
            {"ApiName": api_name, "Stage": stage},
            t,
            "Count",
            stats=(n_post + n_get, e4 + n_get * 0.01, 0.0, 1.0),
        )
        lat_all = (n_post * (avg_dur + 25) + n_get * 62) / (n_post + n_get)
        kit.metric(
            "AWS/ApiGateway",
            "Latency",
            {"ApiName": api_name, "Stage": stage},
            t,
            "Milliseconds",
            stats=(
                n_post + n_get,
                lat_all * (n_post + n_get),
                14.0,
                15042.0 if timeouts >= 0.5 else kit.jitter(1900, 0.2),
            ),
        )
        kit.metric(
            "AWS/ApiGateway",
            "IntegrationLatency",
            {"ApiName": api_name, "Stage": stage},
            t,
            "Milliseconds",
            stats=(
                n_post + n_get,
                (lat_all - 18) * (n_post + n_get),
                9.0,
                15020.0 if timeouts >= 0.5 else kit.jitter(1850, 0.2),
            ),
        )
        dm_post = {"ApiName": api_name, "Method": "POST", "Resource": "/orders", "Stage": stage}
        dm_get = {"ApiName": api_name, "Method": "GET", "Resource": "/orders/{orderId}", "Stage": stage}
        kit.metric("AWS/ApiGateway", "Count", dm_post, t, "Count", value=round(n_post))
        kit.metric(
            "AWS/ApiGateway",
            "5XXError",
            dm_post,
            t,
            "Count",
            stats=(max(n_post, 1), timeouts, 0.0, 1.0 if timeouts >= 0.5 else 0.0),
        )
        kit.metric(
            "AWS/ApiGateway",
            "Latency",
            dm_post,
            t,
            "Milliseconds",
            stats=(
                max(n_post, 1),
                (avg_dur + 25) * max(n_post, 1),
                180.0,
                15042.0 if timeouts >= 0.5 else kit.jitter(1900, 0.2),
            ),
        )
        kit.metric("AWS/ApiGateway", "Count", dm_get, t, "Count", value=round(n_get))
        kit.metric("AWS/ApiGateway", "5XXError", dm_get, t, "Count", stats=(max(n_get, 1), 0.0, 0.0, 0.0))
        kit.metric(
            "AWS/ApiGateway",
            "Latency",
            dm_get,
            t,
            "Milliseconds",
            stats=(max(n_get, 1), 62 * max(n_get, 1), 14.0, kit.jitter(420, 0.2)),
        )
        if p == 60:
            api_pts.append((t, round(timeouts)))
        fd = {"FunctionName": "place-order"}
        kit.metric("AWS/Lambda", "Invocations", fd, t, "Count", value=round(n_post))
        kit.metric("AWS/Lambda", "Errors", fd, t, "Count", value=round(timeouts))
        kit.metric("AWS/Lambda", "Throttles", fd, t, "Count", value=0.0)
        kit.metric(
            "AWS/Lambda",
            "Duration",
            fd,
            t,
            "Milliseconds",
            stats=(
                max(n_post, 1),
                avg_dur * max(n_post, 1),
                160.0,
                15000.0 if timeouts >= 0.5 else kit.jitter(1400, 0.2),
            ),
        )
        conc = max(1.0, n_post / k * avg_dur / 60000)
        kit.metric(
            "AWS/Lambda", "ConcurrentExecutions", fd, t, "Count", stats=(k, conc * k, conc * 0.6, conc * 1.4)
        )
        if p == 60:
            err_pts.append((t, float(round(timeouts))))
        fn_minutes.append((t, p, n_post, b))
        gd = {"FunctionName": "get-order"}
        kit.metric("AWS/Lambda", "Invocations", gd, t, "Count", value=round(n_get))
        kit.metric("AWS/Lambda", "Errors", gd, t, "Count", value=0.0)
        kit.metric(
            "AWS/Lambda",
            "Duration",
            gd,
            t,
            "Milliseconds",
            stats=(max(n_get, 1), 41 * max(n_get, 1), 9.0, kit.jitter(380, 0.2)),
        )
        placed = n_post * (1 - p_to)
        rd = {"FunctionName": "order-receipts"}
        kit.metric("AWS/Lambda", "Invocations", rd, t, "Count", value=round(placed / 1.6))
        kit.metric("AWS/Lambda", "Errors", rd, t, "Count", value=0.0)
        kit.metric(
            "AWS/Lambda",
            "Duration",
            rd,
            t,
            "Milliseconds",
            stats=(max(placed / 1.6, 1), 240 * max(placed / 1.6, 1), 80.0, kit.jitter(900, 0.2)),
        )
        kit.metric(
            "AWS/SQS",
            "NumberOfMessagesSent",
            {"QueueName": "order-fulfilment"},
            t,
            "Count",
            value=round(placed),
        )
        kit.metric(
            "AWS/SQS",
            "NumberOfMessagesDeleted",
            {"QueueName": "order-fulfilment"},
            t,
            "Count",
            value=round(placed),
        )
        kit.metric(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "order-fulfilment"},
            t,
            "Seconds",
            stats=(k, 2.0 * k, 0.0, kit.jitter(3, 0.3)),
        )
        kit.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": "baskets", "Operation": "GetItem"},
            t,
            "Milliseconds",
            stats=(max(n_post, 1), max(n_post, 1) * kit.jitter(3.4, 0.05), 1.4, kit.jitter(19, 0.3)),
        )
        kit.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": "orders", "Operation": "PutItem"},
            t,
            "Milliseconds",
            stats=(max(placed, 1), max(placed, 1) * kit.jitter(5.1, 0.05), 2.5, kit.jitter(24, 0.3)),
        )
        kit.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": "orders", "Operation": "GetItem"},
            t,
            "Milliseconds",
            stats=(max(n_get, 1), max(n_get, 1) * kit.jitter(3.1, 0.05), 1.3, kit.jitter(17, 0.3)),
        )
        kit.metric(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "orders"},
            t,
            "Count",
            stats=(max(placed, 1), placed * 4.0, 1.0, 6.0),
        )
        # PrivateLink endpoint
        vd = {"Endpoint Type": "Interface", "Service Name": svc_name, "VPC Endpoint Id": vpce, "VPC Id": vpc}
        attempts = n_post * (1 + b + b * b)
        kit.metric(
            "AWS/PrivateLinkEndpoints",
            "NewConnections",
            vd,
            t,
            "Count",
            value=round(attempts * (0.35 + 0.65 * b)),
        )
        act = max(1.0, 6 + attempts / k * 5 * b / 60 + 4 * load(t))
        kit.metric(
            "AWS/PrivateLinkEndpoints",
            "ActiveConnections",
            vd,
            t,
            "Count",
            stats=(k, act * k, act * 0.7, act * 1.2),
        )
        bytes_ = (
            attempts * 2300 * (1 - b) + attempts * 1750 * b
        )  # requests go out; answers (and TLS) only from healthy calls
        kit.metric(
            "AWS/PrivateLinkEndpoints",
            "BytesProcessed",
            vd,
            t,
            "Bytes",
            value=round(bytes_ * kit.jitter(1, 0.05)),
        )
        kit.metric("AWS/PrivateLinkEndpoints", "PacketsDropped", vd, t, "Count", value=0.0)
        kit.metric(
            "AWS/PrivateLinkEndpoints",
            "RstPacketsReceived",
            vd,
            t,
            "Count",
            value=float(round(attempts * b * 0.08)),
        )

    # ---- alarms ---------------------------------------------------------------------------------
    topic = kit.arn("sns", "orders-oncall")
    kit.alarm(
        "place-order-errors",
        "place-order Lambda errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "place-order"},
        "Sum",
        60,
        3,
        3,
        5,
        "GreaterThanThreshold",
        err_pts,
        now,
        [topic],
    )
    kit.alarm(
        "basketful-orders-prod-5xx",
        "orders API 5xx",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": api_name, "Stage": stage},
        "Sum",
        300,
        1,
        1,
        25,
        "GreaterThanThreshold",
        [
            (t, sum(v for tt, v in api_pts if t <= tt < t + timedelta(minutes=5)))
            for t, _ in api_pts
            if t.minute % 5 == 0
        ],
        now,
        [topic],
        treat_missing="notBreaching",
    )
    kit.alarm(
        "order-fulfilment-age",
        "fulfilment queue age over 5 min",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "order-fulfilment"},
        "Maximum",
        60,
        5,
        5,
        300,
        "GreaterThanThreshold",
        [(t, 3.0) for t, _ in api_pts],
        now,
        [topic],
    )
    kit.alarm(
        "get-order-errors",
        "get-order Lambda errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "get-order"},
        "Sum",
        60,
        3,
        3,
        5,
        "GreaterThanThreshold",
        [(t, 0.0) for t, _ in api_pts],
        now,
        [topic],
    )

    # ---- logs -----------------------------------------------------------------------------------
    pgrp = "/aws/lambda/place-order"
    streams = [lambda_stream(kit, start) for _ in range(6)]
    ggrp = "/aws/lambda/get-order"
    gstream = lambda_stream(kit, start)

    def jlog(grp: str, st: str, t: datetime, level: str, msg: str, rid: str, **kw: object) -> None:
        body: Json = {
            "level": level,
            "message": msg,
            "timestamp": iso_ms(t),
            "service": grp.rsplit("/", 1)[1],
            "cold_start": False,
            "function_request_id": rid,
        }
        body.update(kw)
        kit.log(grp, st, t, json.dumps(body, separators=(",", ":")))

    for t, p, _n_post, b in fn_minutes:
        per = 3 if p == 60 else 1
        for j in range(per):
            st = streams[(j + t.minute) % len(streams)]
            at = t + timedelta(seconds=rng.uniform(0, p - 16))
            rid = kit.uuid()
            kit.log(pgrp, st, at, f"START RequestId: {rid} Version: $LATEST")
            order = f"BF-{rng.randint(10**7, 10**8 - 1)}"
            lines = rng.randint(6, 48)
            cur = at + timedelta(milliseconds=rng.randint(8, 30))
            misses = 0
            while misses < 3 and rng.random() < b:
                misses += 1
                cur += timedelta(milliseconds=5000 + rng.randint(1, 12))
                if cur - at >= timedelta(seconds=15):
                    break
                jlog(
                    pgrp,
                    st,
                    cur,
                    "WARN",
                    "fraud score attempt failed",
                    rid,
                    attempt=misses,
                    maxAttempts=3,
                    orderRef=order,
                    host=vendor_host,
                    error={
                        "name": "TimeoutError",
                        "message": "The operation was aborted due to timeout",
                        "code": 23,
                    },
                )
            if misses == 3 or cur - at >= timedelta(seconds=15):
                end = at + timedelta(milliseconds=15000 + rng.randint(2, 30))
                kit.log(
                    pgrp, st, end, f"{iso_ms(end)} {rid} Task timed out after 15.0{rng.randint(1, 9)} seconds"
                )
                kit.log(pgrp, st, end, f"END RequestId: {rid}")
                kit.log(
                    pgrp,
                    st,
                    end,
                    f"REPORT RequestId: {rid}\tDuration: 15000.00 ms\tBilled Duration: 15000 ms\tMemory Size: 1024 MB\tMax Memory Used: {rng.randint(142, 170)} MB\tStatus: timeout",
                )
                continue
            fms = rng.randint(70, 190)
            cur += timedelta(milliseconds=fms + rng.randint(30, 120))
            score = rng.randint(1, 38)
            jlog(
                pgrp,
                st,
                cur,
                "INFO",
                "order placed",
                rid,
                orderRef=order,
                basketLines=lines,
                fraudScore=score,
                fraudMs=fms,
                fraudAttempts=misses + 1,
                totalMs=int((cur - at).total_seconds() * 1000),
            )
            if rng.random() < 0.015:
                jlog(
                    pgrp,
                    st,
                    cur,
                    "WARN",
                    "substitution rules missing for store, using defaults",
                    rid,
                    storeId=f"IE{rng.randint(100, 180)}",
                )
            d = (cur - at).total_seconds() * 1000 + rng.uniform(3, 20)
            end = at + timedelta(milliseconds=d)
            kit.log(pgrp, st, end, f"END RequestId: {rid}")
            kit.log(
                pgrp,
                st,
                end,
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 1024 MB\tMax Memory Used: {rng.randint(138, 166)} MB\t",
            )
        if p == 60 or t.minute % 10 == 0:
            at = t + timedelta(seconds=rng.uniform(0, 50))
            rid = kit.uuid()
            kit.log(ggrp, gstream, at, f"START RequestId: {rid} Version: $LATEST")
            jlog(
                ggrp,
                gstream,
                at + timedelta(milliseconds=30),
                "INFO",
                "order fetched",
                rid,
                orderRef=f"BF-{rng.randint(10**7, 10**8 - 1)}",
                status=kit.pick(["PICKING", "PLACED", "OUT_FOR_DELIVERY", "DELIVERED"]),
            )
            d = rng.uniform(25, 70)
            kit.log(ggrp, gstream, at + timedelta(milliseconds=d), f"END RequestId: {rid}")
            kit.log(
                ggrp,
                gstream,
                at + timedelta(milliseconds=d),
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(90, 110)} MB\t",
            )
        # API Gateway access log sample
        if p == 60:
            for _ in range(2):
                at = t + timedelta(seconds=rng.uniform(0, 59))
                post = rng.random() < 0.4
                if post:
                    timeout = rng.random() < b**3
                    status = "502" if timeout else "201"
                    il = (
                        "15012"
                        if timeout
                        else str(rng.randint(260, 700) + (5000 if rng.random() < b * (1 - b) else 0))
                    )
                    em = "Internal server error" if timeout else "-"
                    path, meth, ist = "/orders", "POST", "200"
                else:
                    status, il, em, path, meth, ist = (
                        "200",
                        str(rng.randint(22, 90)),
                        "-",
                        "/orders/{orderId}",
                        "GET",
                        "200",
                    )
                kit.log(
                    acc_grp,
                    kit.hex(32),
                    at,
                    json.dumps(
                        {
                            "requestId": kit.uuid(),
                            "ip": f"{rng.randint(31, 95)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                            "requestTime": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                            "httpMethod": meth,
                            "resourcePath": path,
                            "status": status,
                            "responseLength": "36" if status == "502" else str(rng.randint(180, 2400)),
                            "integrationLatency": il,
                            "integrationStatus": ist,
                            "errorMessage": em,
                        },
                        separators=(",", ":"),
                    ),
                )

    # ---- CloudTrail -----------------------------------------------------------------------------
    plat = kit.sso_identity(
        "NetworkAdmin", kit.hex(16), "ciaran.byrne@basketful.ie", onset - timedelta(hours=1)
    )
    sg_at = onset - timedelta(minutes=rng.randint(4, 9), seconds=rng.randint(0, 59))
    rule_id = "sgr-0" + kit.hex(16)
    kit.ct(
        sg_at,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupEgress",
        plat,
        {
            "groupId": fn_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": "10.60.96.0/20", "description": "analytics-pg"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": kit.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct,
                        "groupId": fn_sg,
                        "securityGroupRuleId": rule_id,
                        "isEgress": True,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "cidrIpv4": "10.60.96.0/20",
                        "description": "analytics-pg",
                    }
                ]
            },
        },
        False,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    kit.ct(
        sg_at - timedelta(minutes=1),
        "ec2.amazonaws.com",
        "DescribeSecurityGroups",
        plat,
        {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": fn_sg}]}, "filterSet": {}},
        None,
        True,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    # order-receipts memory bump through Terraform
    rc_at = onset - timedelta(minutes=rng.randint(13, 24))
    oidc_assume(kit, rc_at - timedelta(minutes=2), "gha-terraform", "basketful/orders-infra")
    tf = kit.role_identity("gha-terraform", "GitHubActions", created=rc_at - timedelta(minutes=2))
    kit.ct(
        rc_at,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        tf,
        {"functionName": "order-receipts", "memorySize": 512},
        {
            "functionName": "order-receipts",
            "functionArn": fns["order-receipts"]["FunctionArn"],
            "runtime": "nodejs20.x",
            "memorySize": 512,
            "timeout": 30,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        False,
        github_ip(kit),
        UA_TERRAFORM.format(api="lambda#1.53.5"),
    )
    kit.ct(
        rc_at + timedelta(seconds=3),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        tf,
        {"functionName": "order-receipts"},
        None,
        True,
        github_ip(kit),
        UA_TERRAFORM.format(api="lambda#1.53.5"),
    )
    # a partner API stage redeploy, just after
    pd_at = onset + timedelta(minutes=rng.randint(2, 9))
    oidc_assume(kit, pd_at - timedelta(minutes=1), "gha-deploy", "basketful/partner-api")
    dwho = kit.role_identity("gha-deploy", "GitHubActions", created=pd_at - timedelta(minutes=1))
    kit.ct(
        pd_at,
        "apigateway.amazonaws.com",
        "CreateDeployment",
        dwho,
        {
            "restApiId": kit.upper(10, "abcdefghijklmnopqrstuvwxyz0123456789"),
            "createDeploymentInput": {"stageName": "prod", "description": "partner-api 2024.22"},
        },
        {"id": kit.upper(6, "abcdefghijklmnopqrstuvwxyz0123456789"), "createdDate": iso(pd_at)},
        False,
        github_ip(kit),
        "aws-cli/2.15.40 md/command#apigateway.create-deployment",
    )
    # routine
    ro = kit.sso_identity("ReadOnly", kit.hex(16), "aoife.nolan@basketful.ie", start)
    t = start + timedelta(minutes=rng.randint(3, 15))
    while t < now:
        c = rng.random()
        if c < 0.25:
            kit.ct(
                t,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                ro,
                {"stateValue": "ALARM"},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.45:
            kit.ct(
                t,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                ro,
                {"functionName": kit.pick(["place-order", "get-order"])},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.65:
            kit.ct(
                t,
                "apigateway.amazonaws.com",
                "GetStage",
                ro,
                {"restApiId": api_id, "stageName": stage},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.85:
            kit.ct(
                t,
                "ec2.amazonaws.com",
                "DescribeVpcEndpoints",
                ro,
                {"vpcEndpointId": {"items": [vpce]}},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        else:
            kit.ct(
                t,
                "kms.amazonaws.com",
                "Decrypt",
                kit.service_identity("lambda.amazonaws.com"),
                {
                    "encryptionContext": {"aws:lambda:FunctionArn": fns["place-order"]["FunctionArn"]},
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                },
                None,
                True,
                "lambda.amazonaws.com",
                "lambda.amazonaws.com",
                resources=[
                    {"accountId": acct, "type": "AWS::KMS::Key", "ARN": kit.arn("kms", f"key/{kit.uuid()}")}
                ],
            )
        t += timedelta(minutes=rng.randint(6, 17), seconds=rng.randint(0, 59))

    local = (onset + timedelta(minutes=rng.randint(1, 4))).astimezone(TZ)
    clock = local.strftime("%-I:%M%p").lower()
    manifest: Json = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": kit.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": (
                f"Since about {clock} placing an order in the app spins for ages and then fails for most customers. "
                "Order history and tracking load fine. Networking changed a security group on the orders Lambdas this "
                "afternoon; is that it?"
            ),
            "alarm_event": None,
            "timezone": "Europe/Dublin",
        },
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": vpce,
                "category": "dependency_failure",
                "failure_mode": "third-party-fraud-api-unresponsive",
            },
            "also_accept": [vendor_host, svc_name, "VigilRisk", "vigilrisk"],
            "actions": ["reconfigure"],
            "chain": [
                f"The VigilRisk fraud-scoring service behind PrivateLink endpoint {vpce} ({vendor_host}) stopped answering",
                "place-order's fraud calls time out after 5 s and are retried up to 3 times, reaching the 15 s Lambda timeout",
                "place-order Errors (Task timed out) and API Gateway 502s on POST /orders; GET /orders unaffected",
            ],
        },
    }
    return kit.bundle(manifest, now)
