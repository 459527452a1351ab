"""A least-privilege rewrite of the fan-out task role's inline policy drops the @connections/* resource."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzb import (
    Kit,
    ecs_cluster,
    ecs_service,
    iso,
    iso_ms,
    log_group,
    reason_data,
    task_definition,
)

NAME = "courier-live-fanout-forbidden"
TITLE = "Live courier map frozen for customers since early afternoon; fanout error alarm"
SUMMARY = (
    "An IAM clean-up rewrote the fan-out task role's inline policy and scoped execute-api:ManageConnections "
    "to '@connections' without '/*'; every PostToConnection got 403 while sockets kept connecting"
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "", "us-east-1")
    r = k.r
    k.account = "2" + "".join(str(r.randint(0, 9)) for _ in range(11))
    day = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=r.randint(0, 40))
    while day.weekday() > 4:
        day += timedelta(days=1)
    onset = day.replace(hour=r.randint(17, 19), minute=r.randint(0, 50))  # 12:00-14:50 in New York (EST)
    start = onset - timedelta(hours=3, minutes=r.randint(25, 40))
    now = onset + timedelta(minutes=r.randint(35, 55))
    api_id = k.alnum(10, upper=False)
    stage = "prod"
    cluster = "courier-live"
    role = "position-fanout-task"
    policy_name = "fanout-access"
    topic = f"arn:aws:sns:{k.region}:{k.account}:courier-live-alerts"
    vpc_subnets = ["subnet-" + k.hex(17) for _ in range(2)]
    sg = "sg-" + k.hex(17)
    created = day - timedelta(days=r.randint(200, 600))
    stream = "courier-positions"
    table = "ws-connections"
    conn_base = r.randint(5200, 9000)

    def conns(t: datetime) -> float:
        h = (t.hour - 5) % 24 + t.minute / 60
        return conn_base * (0.75 + 0.25 * min(1.0, max(0.0, (h - 9) / 3)))

    # ---- IAM policies ----------------------------------------------------------------------------
    base_arn = f"arn:aws:execute-api:{k.region}:{k.account}:{api_id}/{stage}"
    stmt_common = [
        {
            "Sid": "ReadPositions",
            "Effect": "Allow",
            "Action": [
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:DescribeStreamSummary",
                "kinesis:ListShards",
            ],
            "Resource": f"arn:aws:kinesis:{k.region}:{k.account}:stream/{stream}",
        },
        {
            "Sid": "Subscribers",
            "Effect": "Allow",
            "Action": ["dynamodb:Query", "dynamodb:DeleteItem"],
            "Resource": [
                f"arn:aws:dynamodb:{k.region}:{k.account}:table/{table}",
                f"arn:aws:dynamodb:{k.region}:{k.account}:table/{table}/index/*",
            ],
        },
        {
            "Sid": "KclLeases",
            "Effect": "Allow",
            "Action": ["dynamodb:*"],
            "Resource": f"arn:aws:dynamodb:{k.region}:{k.account}:table/position-fanout",
        },
        {"Sid": "KclMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
    ]
    new_doc = {
        "Version": "2012-10-17",
        "Statement": [
            *stmt_common,
            {
                "Sid": "PushToSockets",
                "Effect": "Allow",
                "Action": "execute-api:ManageConnections",
                "Resource": [f"{base_arn}/POST/@connections", f"{base_arn}/DELETE/@connections"],
            },
        ],
    }
    conn_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Connections",
                "Effect": "Allow",
                "Action": ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"],
                "Resource": f"arn:aws:dynamodb:{k.region}:{k.account}:table/{table}",
            },
        ],
    }
    k.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": role,
            "RoleId": "AROA" + k.alnum(17),
            "Arn": f"arn:aws:iam::{k.account}:role/{role}",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": quote(
                json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                )
            ),
            "MaxSessionDuration": 3600,
        },
    )
    k.res("iam", "RoleInlinePolicy", {"RoleName": role, "PolicyName": policy_name, "PolicyDocument": new_doc})
    k.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": "ws-connect-fn",
            "RoleId": "AROA" + k.alnum(17),
            "Arn": f"arn:aws:iam::{k.account}:role/ws-connect-fn",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": quote(
                json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                )
            ),
            "MaxSessionDuration": 3600,
        },
    )
    k.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": "ws-connect-fn", "PolicyName": "connections-table", "PolicyDocument": conn_doc},
    )

    # ---- API, functions, stream, table, ECS -------------------------------------------------------
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"wss://{api_id}.execute-api.{k.region}.amazonaws.com",
            "ApiId": api_id,
            "ApiKeySelectionExpression": "$request.header.x-api-key",
            "CreatedDate": iso(created),
            "DisableExecuteApiEndpoint": False,
            "Name": "courier-live-ws",
            "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action",
            "Tags": {"team": "tracking"},
        },
    )
    deploy_id = k.alnum(6, upper=False)
    k.res(
        "apigatewayv2",
        "ApiStage",
        {
            "ApiId": api_id,
            "StageName": stage,
            "AutoDeploy": False,
            "CreatedDate": iso(created),
            "DeploymentId": deploy_id,
            "LastUpdatedDate": iso(day - timedelta(days=r.randint(3, 20))),
            "DefaultRouteSettings": {
                "DataTraceEnabled": False,
                "DetailedMetricsEnabled": False,
                "LoggingLevel": "ERROR",
                "ThrottlingBurstLimit": 5000,
                "ThrottlingRateLimit": 10000.0,
            },
            "AccessLogSettings": {
                "DestinationArn": f"arn:aws:logs:{k.region}:{k.account}:log-group:/aws/apigateway/courier-live-ws/prod",
                "Format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","eventType":"$context.eventType","routeKey":"$context.routeKey","connectionId":"$context.connectionId","status":"$context.status","requestTime":"$context.requestTime","integrationError":"$context.integration.error"}',
            },
        },
    )
    fn_ids = {}
    for route, fn in (
        ("$connect", "ws-connect"),
        ("$disconnect", "ws-disconnect"),
        ("$default", "ws-default"),
        ("subscribe", "ws-subscribe"),
    ):
        integ = k.alnum(7, upper=False)
        fn_ids[fn] = integ
        k.res(
            "apigatewayv2",
            "ApiRoute",
            {
                "ApiId": api_id,
                "RouteId": k.alnum(7, upper=False),
                "RouteKey": route,
                "AuthorizationType": "CUSTOM" if route == "$connect" else "NONE",
                "ApiKeyRequired": False,
                "Target": f"integrations/{integ}",
            },
        )
        k.res(
            "apigatewayv2",
            "ApiIntegration",
            {
                "ApiId": api_id,
                "IntegrationId": integ,
                "IntegrationType": "AWS_PROXY",
                "IntegrationMethod": "POST",
                "IntegrationUri": f"arn:aws:apigateway:{k.region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{k.region}:{k.account}:function:{fn}/invocations",
                "ConnectionType": "INTERNET",
                "PayloadFormatVersion": "1.0",
                "TimeoutInMillis": 29000,
            },
        )
    for fn in ("ws-connect", "ws-disconnect", "ws-default", "ws-subscribe"):
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": f"arn:aws:lambda:{k.region}:{k.account}:function:{fn}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{k.account}:role/ws-connect-fn",
                "Handler": "index.handler",
                "CodeSize": r.randint(200000, 900000),
                "Timeout": 10,
                "MemorySize": 256,
                "LastModified": (day - timedelta(days=r.randint(2, 40))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "Version": "$LATEST",
                "Environment": {"Variables": {"CONNECTIONS_TABLE": table}},
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        )
    k.res(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": stream,
            "StreamARN": f"arn:aws:kinesis:{k.region}:{k.account}:stream/{stream}",
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": 4,
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableStatus": "ACTIVE",
            "TableArn": f"arn:aws:dynamodb:{k.region}:{k.account}:table/{table}",
            "KeySchema": [{"AttributeName": "connectionId", "KeyType": "HASH"}],
            "AttributeDefinitions": [
                {"AttributeName": "connectionId", "AttributeType": "S"},
                {"AttributeName": "orderId", "AttributeType": "S"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "byOrder",
                    "KeySchema": [{"AttributeName": "orderId", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "IndexStatus": "ACTIVE",
                    "IndexArn": f"arn:aws:dynamodb:{k.region}:{k.account}:table/{table}/index/byOrder",
                }
            ],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "CreationDateTime": iso(created),
            "ItemCount": conn_base,
            "TableSizeBytes": conn_base * 180,
        },
    )
    rev = r.randint(30, 80)
    k.res("ecs", "Cluster", ecs_cluster(k, cluster, 1, 2))
    fan_svc = ecs_service(
        k,
        cluster,
        "position-fanout",
        "position-fanout",
        rev,
        2,
        created,
        day - timedelta(days=r.randint(4, 12)),
        vpc_subnets,
        sg,
    )
    k.res("ecs", "Service", fan_svc)
    k.res(
        "ecs",
        "TaskDefinition",
        task_definition(
            k,
            "position-fanout",
            rev,
            f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/position-fanout:1.{r.randint(10, 40)}.{r.randint(0, 9)}",
            "512",
            "1024",
            [
                ("STREAM_NAME", stream),
                ("CONNECTIONS_TABLE", table),
                ("WS_MANAGEMENT_ENDPOINT", f"https://{api_id}.execute-api.{k.region}.amazonaws.com/{stage}"),
            ],
            day - timedelta(days=12),
            role,
            None,
        ),
    )
    for g in (
        "/ecs/position-fanout",
        "/aws/lambda/ws-connect",
        "/aws/lambda/ws-default",
        "/aws/apigateway/courier-live-ws/prod",
    ):
        k.res("logs", "LogGroup", log_group(k, g, created, 14))

    # ---- CloudTrail: the change and its neighbours -------------------------------------------------
    eng = k.sso("devon.achebe@tidewater.io", "PlatformAdmin", k.hex(16))
    k.trail(
        onset - timedelta(minutes=r.randint(6, 9)),
        eng,
        "iam.amazonaws.com",
        "GetRolePolicy",
        {"roleName": role, "policyName": policy_name},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    k.trail(
        onset - timedelta(minutes=r.randint(5, 5)),
        eng,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {
            "roleName": "ws-connect-fn",
            "policyName": "connections-table",
            "policyDocument": json.dumps(conn_doc, indent=4),
        },
        None,
        read_only=False,
        agent="console.amazonaws.com",
    )
    culprit = k.trail(
        onset - timedelta(seconds=r.randint(40, 110)),
        eng,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {"roleName": role, "policyName": policy_name, "policyDocument": json.dumps(new_doc, indent=4)},
        None,
        read_only=False,
        agent="console.amazonaws.com",
    )
    k.trail(
        onset + timedelta(minutes=r.randint(4, 9)),
        eng,
        "iam.amazonaws.com",
        "ListRolePolicies",
        {"roleName": "ws-disconnect-fn"},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    ci = k.role("gha-deploy-tracking", "GitHubActions")
    lam_t = onset - timedelta(minutes=r.randint(25, 45))
    k.trail(
        lam_t,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": "ws-subscribe", "publish": True},
        {
            "functionName": "ws-subscribe",
            "functionArn": f"arn:aws:lambda:{k.region}:{k.account}:function:ws-subscribe",
            "runtime": "nodejs20.x",
            "codeSize": r.randint(200000, 900000),
            "version": str(r.randint(40, 90)),
            "state": "Pending",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/lambda.update-function-code",
    )
    k.trail(
        start + timedelta(minutes=r.randint(20, 60)),
        ci,
        "apigateway.amazonaws.com",
        "GetStages",
        {"apiId": api_id},
        None,
        read_only=True,
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22",
    )
    k.trail(
        onset - timedelta(minutes=r.randint(70, 110)),
        eng,
        "iam.amazonaws.com",
        "DetachRolePolicy",
        {"roleName": "legacy-tracking-batch", "policyArn": "arn:aws:iam::aws:policy/AmazonKinesisFullAccess"},
        None,
        read_only=False,
        agent="console.amazonaws.com",
    )
    fan_role = k.role(role, k.hex(32))
    kcl_agent = "aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/async http/NettyNio cfg/retry-mode/legacy"
    k.readonly_noise(
        start,
        now,
        fan_role,
        [
            ("kinesis.amazonaws.com", "ListShards", {"streamName": stream, "maxResults": 1000}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "position-fanout"}),
        ],
        12,
        kcl_agent,
    )
    dd = k.role("DatadogIntegrationRole", "DatadogAWSIntegration")
    k.readonly_noise(
        start,
        now,
        dd,
        [
            ("apigateway.amazonaws.com", "GetApis", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("ecs.amazonaws.com", "ListClusters", None),
        ],
        25,
        "Datadog aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)",
    )

    # ---- metrics -----------------------------------------------------------------------------------
    ns = "AWS/ApiGateway"
    wd = {"ApiId": api_id, "Stage": stage}
    err_by_min: dict[datetime, float] = {}
    t = start
    while t < now:
        c = conns(t)
        pos = c * r.uniform(2.6, 3.0)  # position updates pushed per minute
        gone = pos * r.uniform(0.004, 0.009)
        broken = t >= onset
        ok = 0.0 if broken else pos - gone
        err = pos - gone if broken else (float(r.randint(0, 2)))
        err_by_min[t] = err
        client_msgs = c * r.uniform(0.09, 0.12)
        connects = c * r.uniform(0.035, 0.05)
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "ConnectCount",
                "dimensions": wd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(connects),
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "MessageCount",
                "dimensions": wd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(client_msgs + ok),
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "ClientError",
                "dimensions": wd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": float(r.randint(0, 6)),
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "IntegrationError",
                "dimensions": wd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": float(r.choice([0, 0, 0, 1])),
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "ExecutionError",
                "dimensions": wd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": 0.0,
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "IntegrationLatency",
                "dimensions": wd,
                "timestamp": iso(t),
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": round(client_msgs + connects),
                    "Sum": round((client_msgs + connects) * k.noise(34, 0.15)),
                    "Minimum": 6.0,
                    "Maximum": round(k.noise(420, 0.4)),
                },
            }
        )
        emf = {"Service": "position-fanout"}
        k.metrics.append(
            {
                "namespace": "CourierLive",
                "metric": "PostToConnectionOk",
                "dimensions": emf,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(ok),
            }
        )
        k.metrics.append(
            {
                "namespace": "CourierLive",
                "metric": "PostToConnectionGone",
                "dimensions": emf,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(gone),
            }
        )
        k.metrics.append(
            {
                "namespace": "CourierLive",
                "metric": "PostToConnectionError",
                "dimensions": emf,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(err),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/Kinesis",
                "metric": "IncomingRecords",
                "dimensions": {"StreamName": stream},
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(k.noise(c * 0.9, 0.05)),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/Kinesis",
                "metric": "GetRecords.IteratorAgeMilliseconds",
                "dimensions": {"StreamName": stream},
                "timestamp": iso(t),
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": 240.0,
                    "Sum": round(240 * k.noise(380, 0.3)),
                    "Minimum": 0.0,
                    "Maximum": round(k.noise(1200, 0.4)),
                },
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "CPUUtilization",
                "dimensions": {"ClusterName": cluster, "ServiceName": "position-fanout"},
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(34 if not broken else 27, 0.08), 2),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedReadCapacityUnits",
                "dimensions": {"TableName": table, "GlobalSecondaryIndexName": "byOrder"},
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(c * 0.9),
                    "Sum": round(c * 0.45),
                    "Minimum": 0.5,
                    "Maximum": 0.5,
                },
            }
        )
        for fn, inv in (
            ("ws-connect", connects),
            ("ws-default", client_msgs * 0.2),
            ("ws-subscribe", client_msgs * 0.8),
        ):
            fd = {"FunctionName": fn}
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Invocations",
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": round(inv),
                }
            )
            e = float(r.choice([0, 0, 0, 0, 1])) if fn != "ws-connect" else float(r.randint(0, 3))
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Errors",
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": e,
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": max(1.0, round(inv)),
                        "Sum": round(max(1.0, round(inv)) * k.noise(28, 0.2), 1),
                        "Minimum": 3.1,
                        "Maximum": round(k.noise(310, 0.5), 1),
                    },
                }
            )
        t += timedelta(minutes=1)

    # ---- alarms ------------------------------------------------------------------------------------
    cfg_t = day - timedelta(days=r.randint(40, 150))
    fa = k.alarm(
        "courier-live-fanout-errors",
        "CourierLive",
        "PostToConnectionError",
        {"Service": "position-fanout"},
        "Sum",
        60,
        3,
        50.0,
        "GreaterThanThreshold",
        description="position-fanout failing to push to sockets (excludes 410 Gone)",
        topic=topic,
        treat_missing="notBreaching",
        updated=cfg_t,
    )
    fa["StateReason"] = "Threshold Crossed: 3 datapoints were not greater than the threshold (50.0)."
    fa["StateUpdatedTimestamp"] = iso_ms(cfg_t)
    first = onset.replace(second=0)
    if onset.second:
        first += timedelta(minutes=1)
    last = first + timedelta(minutes=2)
    pts = [round(err_by_min[last - timedelta(minutes=j)], 1) for j in (0, 1, 2)]
    fire_t = last + timedelta(minutes=1, seconds=r.randint(15, 45))
    stamps = ", ".join(
        f"{p} ({(last - timedelta(minutes=j)).strftime('%d/%m/%y %H:%M:%S')})" for j, p in enumerate(pts)
    )
    prev_reason = fa["StateReason"]
    k.transition(
        fa,
        fire_t,
        "ALARM",
        f"Threshold Crossed: 3 datapoints [{stamps}] were greater than the threshold (50.0).",
        reason_data("Sum", 60, fire_t, pts, 50.0, first),
    )
    event = k.alarm_event(fa, fire_t, "OK", prev_reason, cfg_t)
    cd = k.alarm(
        "ws-connect-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "ws-connect"},
        "Sum",
        300,
        1,
        10.0,
        "GreaterThanThreshold",
        topic=topic,
        treat_missing="notBreaching",
        updated=cfg_t,
    )
    cd["StateReason"] = "Threshold Crossed: 1 datapoint was not greater than the threshold (10.0)."
    for _ in range(2):
        ft = start + timedelta(minutes=r.randint(20, 170))
        k.transition(
            cd,
            ft,
            "ALARM",
            "Threshold Crossed: 1 datapoint ["
            + str(r.randint(11, 16))
            + ".0 ("
            + ft.strftime("%d/%m/%y %H:%M:%S")
            + ")] was greater than the threshold (10.0).",
        )
        k.transition(
            cd,
            ft + timedelta(minutes=5),
            "OK",
            "Threshold Crossed: 1 datapoint ["
            + str(r.randint(2, 8))
            + ".0 ("
            + ft.strftime("%d/%m/%y %H:%M:%S")
            + ")] was not greater than the threshold (10.0).",
        )
    k.history.sort(key=lambda h: h["Timestamp"])
    k.alarm(
        "courier-positions-iterator-age",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": stream},
        "Maximum",
        60,
        5,
        60000.0,
        "GreaterThanThreshold",
        topic=topic,
        updated=cfg_t,
    )["StateReason"] = "Threshold Crossed: 5 datapoints were not greater than the threshold (60000.0)."

    # ---- logs --------------------------------------------------------------------------------------
    tasks = [k.hex(32) for _ in range(2)]
    sess = k.hex(32)
    t = start
    while t < now:
        for tid in tasks:
            s = f"ecs/position-fanout/{tid}"
            ts = t + timedelta(seconds=r.randint(0, 59))
            if t < onset:
                if r.random() < 0.3:
                    k.log(
                        "/ecs/position-fanout",
                        s,
                        ts,
                        f"{iso_ms(ts)} INFO  fanout - pushed batch shard=shardId-00000000000{r.randint(0, 3)} records={r.randint(300, 900)} posts={r.randint(900, 2600)} gone={r.randint(2, 20)}",
                    )
                if r.random() < 0.2:
                    k.log(
                        "/ecs/position-fanout",
                        s,
                        ts,
                        f"{iso_ms(ts)} INFO  fanout - GoneException on PostToConnection connectionId={k.alnum(14, upper=False)}= ; removing stale subscription",
                    )
            else:
                for _ in range(r.randint(2, 4)):
                    ts = t + timedelta(seconds=r.randint(0, 59))
                    cid = k.alnum(14, upper=False) + "="
                    k.log(
                        "/ecs/position-fanout",
                        s,
                        ts,
                        f"{iso_ms(ts)} ERROR fanout - PostToConnection failed connectionId={cid} status=403 error=AccessDeniedException: User: arn:aws:sts::{k.account}:assumed-role/{role}/{sess} is not authorized to perform: execute-api:ManageConnections on resource: {base_arn}/POST/@connections/{cid}",
                    )
                if r.random() < 0.3:
                    k.log(
                        "/ecs/position-fanout",
                        s,
                        ts,
                        f"{iso_ms(ts)} WARN  fanout - batch completed with errors shard=shardId-00000000000{r.randint(0, 3)} records={r.randint(300, 900)} posts=0 failed={r.randint(900, 2600)}; checkpointing anyway",
                    )
        if r.random() < 0.5:
            ts = t + timedelta(seconds=r.randint(0, 59))
            rid = k.uuid()
            k.log(
                "/aws/lambda/ws-connect",
                f"{ts.strftime('%Y/%m/%d')}/[$LATEST]{k.hex(32)}",
                ts,
                f"{iso_ms(ts)}\t{rid}\tINFO\tconnected orderId=ord_{k.alnum(10, upper=False)} connectionId={k.alnum(14, upper=False)}=",
            )
        if r.random() < 0.04:
            ts = t + timedelta(seconds=r.randint(0, 59))
            k.log(
                "/aws/lambda/ws-connect",
                f"{ts.strftime('%Y/%m/%d')}/[$LATEST]{k.hex(32)}",
                ts,
                f'{iso_ms(ts)}\t{k.uuid()}\tERROR\tInvoke Error \t{{"errorType":"Error","errorMessage":"order not found or not owned by caller"}}',
            )
        if r.random() < 0.6:
            ts = t + timedelta(seconds=r.randint(0, 59))
            k.log(
                "/aws/apigateway/courier-live-ws/prod",
                k.hex(32),
                ts,
                json.dumps(
                    {
                        "requestId": k.alnum(16, upper=False) + "=",
                        "ip": f"{r.randint(24, 99)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                        "eventType": "MESSAGE",
                        "routeKey": "subscribe",
                        "connectionId": k.alnum(14, upper=False) + "=",
                        "status": "200",
                        "requestTime": ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                        "integrationError": "-",
                    }
                ),
            )
        t += timedelta(minutes=1)

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": f"Customers say the courier dot on the tracking page stopped moving around {(onset - timedelta(hours=5)).strftime('%I:%M %p').lstrip('0')}. The page loads and says 'live', and the websocket connects. Is the Kinesis feed from the driver app down?",
                "alarm_event": event,
                "timezone": "-05:00",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": f"arn:aws:iam::{k.account}:role/{role}",
                    "category": "change",
                    "failure_mode": "iam-policy-resource-too-narrow",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [role, f"{role}/{policy_name}", policy_name],
                "actions": ["rollback"],
                "chain": [role, "position-fanout", "courier-live-ws"],
            },
        }
    )
    return Bundle(manifest, k.records())
