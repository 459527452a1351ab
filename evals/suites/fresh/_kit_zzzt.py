"""Private helpers for kit zzzt: a real-time chat account (WebSocket API, Lambda, DynamoDB, Redis, push)."""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ACCOUNTS = ["418273645190", "530918274461", "702146381925", "264091837715"]
REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-southeast-2"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def jl(obj: Any) -> str:
    """JSON as Node's runtime prints it (no spaces)."""
    return json.dumps(obj, separators=(",", ":"))


def lts(t: datetime) -> str:
    """A Lambda runtime log timestamp: 2026-05-08T16:09:12.345Z."""
    u = t.astimezone(UTC)
    return f"{u:%Y-%m-%dT%H:%M:%S}.{u.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Shared state for one incident build."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = r.choice(ACCOUNTS)
        self.region = r.choice(REGIONS)
        day = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=r.randint(0, 200))
        self.day = day
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.api_id = self.hexid(10, alnum=True)

    # --- ids ---------------------------------------------------------------------------------------
    def hexid(self, n: int, alnum: bool = False) -> str:
        chars = "abcdefghijklmnopqrstuvwxyz0123456789" if alnum else "0123456789abcdef"
        return "".join(self.rng.choice(chars) for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def reqid(self) -> str:
        return self.uid()

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def ip(self) -> str:
        return f"10.{self.rng.randint(20, 40)}.{self.rng.randint(0, 63)}.{self.rng.randint(2, 250)}"

    # --- records -----------------------------------------------------------------------------------
    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def stat(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        n: float,
        total: float,
        lo: float,
        hi: float,
        unit: str,
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": max(n, 1),
                    "Sum": round(total, 3),
                    "Minimum": round(min(lo, hi), 3),
                    "Maximum": round(max(lo, hi), 3),
                },
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    def who(self, kind: str, name: str) -> dict[str, Any]:
        """A userIdentity block: kind is 'user' (SSO role session), 'role' (pipeline) or 'service'."""
        if kind == "user":
            role = f"AWSReservedSSO_PowerUser_{self.hexid(16)}"
            return {
                "type": "AssumedRole",
                "principalId": f"AROA{self.hexid(17, alnum=True).upper()}:{name}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{name}",
                "accountId": self.account,
                "accessKeyId": f"ASIA{self.hexid(16, alnum=True).upper()}",
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": f"AROA{self.hexid(17, alnum=True).upper()}",
                        "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                        "accountId": self.account,
                        "userName": role,
                    },
                    "attributes": {
                        "creationDate": iso(self.day),
                        "mfaAuthenticated": "false",
                    },
                },
            }
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.hexid(17, alnum=True).upper()}:{name}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{kind}/{name}",
            "accountId": self.account,
            "accessKeyId": f"ASIA{self.hexid(16, alnum=True).upper()}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.hexid(17, alnum=True).upper()}",
                    "arn": f"arn:aws:iam::{self.account}:role/{kind}",
                    "accountId": self.account,
                    "userName": kind,
                },
                "attributes": {"creationDate": iso(self.day), "mfaAuthenticated": "false"},
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: dict[str, Any],
        params: dict[str, Any] | None,
        response: dict[str, Any] | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        error: tuple[str, str] | None = None,
        region: str | None = None,
        source_ip: str | None = None,
    ) -> str:
        eid = self.uid()
        identity = json.loads(json.dumps(identity))
        ctx = identity.get("sessionContext", {}).get("attributes")
        if ctx is not None:
            ctx["creationDate"] = iso(t - timedelta(seconds=self.rng.randint(20, 2400)))
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": source_ip
            or f"{self.rng.randint(3, 99)}.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}",
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.reqid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.trail.append(rec)
        return eid

    def readonly_noise(self, start: datetime, end: datetime, n: int) -> None:
        """Read-only calls from dashboards, Config and a Terraform plan run."""
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "chat-sendmessage"}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "chat-connections"}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "chat-messages"}),
            ("apigateway.amazonaws.com", "GetApis", None),
            ("apigateway.amazonaws.com", "GetStages", {"apiId": self.api_id}),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("sns.amazonaws.com", "ListPlatformApplications", None),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("logs.amazonaws.com", "DescribeLogGroups", None),
        ]
        tools = [
            ("chat-readonly-dashboards", "grafana-cloudwatch", "Grafana/10.4.2 aws-sdk-go/1.51.6"),
            (
                "AWSServiceRoleForConfig",
                "AWSConfig-Describe",
                "config.amazonaws.com",
            ),
            ("terraform-plan-ci", "gha-plan-" + self.hexid(6), "APN/1.0 HashiCorp/1.0 Terraform/1.7.5"),
        ]
        span = (end - start).total_seconds()
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            src, nm, params = self.rng.choice(calls)
            role, sess, agent = self.rng.choice(tools)
            ident = self.who(role, sess)
            ip = "config.amazonaws.com" if agent == "config.amazonaws.com" else None
            self.ct(t, src, nm, ident, params, None, True, agent, source_ip=ip)

    # --- alarms ------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        periods: int,
        state: str,
        updated: datetime,
        reason: str,
        period: int = 60,
        description: str | None = None,
        topic: str = "chat-oncall",
        treat_missing: str = "notBreaching",
        unit: str | None = None,
    ) -> dict[str, Any]:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=41)),
            "ActionsEnabled": True,
            "OKActions": [self.arn("sns", topic)],
            "AlarmActions": [self.arn("sns", topic)],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(updated),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": periods,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
            "StateTransitionedTimestamp": iso(updated),
        }
        if description:
            a["AlarmDescription"] = description
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "previous state"},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, reason_data: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data),
                    "timestamp": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: datapoints were not breaching the threshold.",
                    "timestamp": (t - timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.hexid(8),
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
                                },
                                "period": alarm["Period"],
                                "stat": alarm["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


def diurnal(t: datetime, tz_offset: int = 0) -> float:
    """0.35 .. 1.0, peaking in the local evening."""
    h = (t.hour + tz_offset + t.minute / 60) % 24
    return 0.35 + 0.65 * (0.5 + 0.5 * math.cos((h - 20.5) / 24 * 2 * math.pi)) ** 1.6


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


# --- the account's standing resources -----------------------------------------------------------


def lambda_fn(
    c: Ctx,
    name: str,
    role: str,
    handler: str,
    env: dict[str, str],
    modified: datetime,
    timeout: int = 6,
    memory: int = 512,
    vpc: bool = False,
    runtime: str = "nodejs20.x",
    description: str = "",
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "FunctionName": name,
        "FunctionArn": c.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{c.account}:role/{role}",
        "Handler": handler,
        "CodeSize": c.rng.randint(800_000, 4_000_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": c.hexid(43, alnum=True) + "=",
        "Version": "$LATEST",
        "Environment": {"Variables": env},
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": c.uid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if vpc:
        item["VpcConfig"] = {
            "SubnetIds": ["subnet-0a1c4e2b7d9f03a51", "subnet-0b7e2d9c1a4f86e23"],
            "SecurityGroupIds": ["sg-04c9e1f7a2b38d6e0"],
            "VpcId": "vpc-0e3a9c7d15b2f4a86",
        }
    c.resource("lambda", "FunctionConfiguration", item)
    return item


def websocket_api(c: Ctx, routes: list[tuple[str, str]]) -> None:
    c.resource(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"wss://{c.api_id}.execute-api.{c.region}.amazonaws.com",
            "ApiId": c.api_id,
            "ApiKeySelectionExpression": "$request.header.x-api-key",
            "CreatedDate": iso(c.day - timedelta(days=612)),
            "Name": "chat-realtime",
            "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action",
            "Tags": {"team": "messaging", "env": "prod"},
            "DisableExecuteApiEndpoint": False,
        },
    )
    c.resource(
        "apigatewayv2",
        "ApiStage",
        {
            "ApiId": c.api_id,
            "StageName": "prod",
            "DeploymentId": c.hexid(6, alnum=True),
            "CreatedDate": iso(c.day - timedelta(days=612)),
            "LastUpdatedDate": iso(c.day - timedelta(days=19)),
            "DefaultRouteSettings": {
                "DataTraceEnabled": False,
                "DetailedMetricsEnabled": False,
                "LoggingLevel": "ERROR",
                "ThrottlingBurstLimit": 5000,
                "ThrottlingRateLimit": 10000.0,
            },
            "AccessLogSettings": {
                "DestinationArn": c.arn("logs", f"log-group:/aws/apigateway/{c.api_id}/prod"),
                "Format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                '"routeKey":"$context.routeKey","status":"$context.status",'
                '"connectionId":"$context.connectionId","eventType":"$context.eventType",'
                '"integrationError":"$context.integrationErrorMessage"}',
            },
        },
    )
    for route, fn in routes:
        integ = c.hexid(7, alnum=True)
        c.resource(
            "apigatewayv2",
            "ApiIntegration",
            {
                "ApiId": c.api_id,
                "IntegrationId": integ,
                "IntegrationType": "AWS_PROXY",
                "IntegrationMethod": "POST",
                "IntegrationUri": f"arn:aws:apigateway:{c.region}:lambda:path/2015-03-31/functions/"
                f"{c.arn('lambda', 'function:' + fn)}/invocations",
                "ConnectionType": "INTERNET",
                "ContentHandlingStrategy": "CONVERT_TO_TEXT",
                "PassthroughBehavior": "WHEN_NO_MATCH",
                "TimeoutInMillis": 29000,
                "PayloadFormatVersion": "1.0",
            },
        )
        c.resource(
            "apigatewayv2",
            "ApiRoute",
            {
                "ApiId": c.api_id,
                "RouteId": c.hexid(7, alnum=True),
                "RouteKey": route,
                "Target": f"integrations/{integ}",
                "AuthorizationType": "NONE",
                "ApiKeyRequired": False,
            },
        )


def ddb_table(
    c: Ctx,
    name: str,
    keys: list[tuple[str, str]],
    on_demand: bool = True,
    rcu: int = 0,
    wcu: int = 0,
    items: int = 0,
    stream: bool = False,
) -> dict[str, Any]:
    created = c.day - timedelta(days=c.rng.randint(300, 700))
    item: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
        "TableName": name,
        "KeySchema": [{"AttributeName": k, "KeyType": kt} for k, kt in keys],
        "TableStatus": "ACTIVE",
        "CreationDateTime": iso(created),
        "TableSizeBytes": items * c.rng.randint(180, 420),
        "ItemCount": items,
        "TableArn": c.arn("dynamodb", f"table/{name}"),
        "TableId": c.uid(),
        "DeletionProtectionEnabled": True,
    }
    if on_demand:
        item["BillingModeSummary"] = {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": iso(created),
        }
        item["ProvisionedThroughput"] = {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0,
            "WriteCapacityUnits": 0,
        }
    else:
        item["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
        item["ProvisionedThroughput"] = {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": rcu,
            "WriteCapacityUnits": wcu,
            "LastIncreaseDateTime": iso(c.day - timedelta(hours=2)),
        }
    if stream:
        label = (c.day - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%S.000")
        item["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        item["LatestStreamLabel"] = label
        item["LatestStreamArn"] = c.arn("dynamodb", f"table/{name}/stream/{label}")
    c.resource("dynamodb", "TableDescription", item)
    return item


def redis(c: Ctx, group: str, nodes: int, node_type: str = "cache.r7g.large") -> None:
    members = [f"{group}-{i:03d}" for i in range(1, nodes + 1)]
    c.resource(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": group,
            "Description": "chat presence + pub/sub fan-out",
            "Status": "available",
            "MemberClusters": members,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {
                        "Address": f"master.{group}.{c.hexid(6)}.{c.region[:2]}{c.region[-1]}.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "ReaderEndpoint": {
                        "Address": f"replica.{group}.{c.hexid(6)}.{c.region[:2]}{c.region[-1]}.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": m,
                            "CacheNodeId": "0001",
                            "PreferredAvailabilityZone": f"{c.region}{'abc'[i % 3]}",
                            "CurrentRole": "primary" if i == 0 else "replica",
                        }
                        for i, m in enumerate(members)
                    ],
                }
            ],
            "AutomaticFailover": "enabled" if nodes > 1 else "disabled",
            "MultiAZ": "enabled" if nodes > 1 else "disabled",
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "03:30-04:30",
            "ClusterEnabled": False,
            "CacheNodeType": node_type,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": c.arn("elasticache", f"replicationgroup:{group}"),
            "Engine": "redis",
        },
    )
    for i, m in enumerate(members):
        c.resource(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": m,
                "CacheNodeType": node_type,
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": f"{c.region}{'abc'[i % 3]}",
                "CacheClusterCreateTime": iso(c.day - timedelta(days=400)),
                "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "default.redis7",
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "chat-cache-subnets",
                "ReplicationGroupId": group,
                "SnapshotRetentionLimit": 1 if i == 0 else 0,
                "SnapshotWindow": "03:30-04:30",
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": c.arn("elasticache", f"cluster:{m}"),
            },
        )


def iam_role(c: Ctx, name: str, service: str = "lambda.amazonaws.com") -> None:
    c.resource(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROA" + c.hexid(17, alnum=True).upper(),
            "Arn": f"arn:aws:iam::{c.account}:role/{name}",
            "CreateDate": iso(c.day - timedelta(days=500)),
            "AssumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": service},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            "MaxSessionDuration": 3600,
        },
    )


def log_group(c: Ctx, name: str, retention: int = 14) -> None:
    c.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": name,
            "creationTime": ms(c.day - timedelta(days=300)),
            "retentionInDays": retention,
            "arn": c.arn("logs", f"log-group:{name}:*"),
            "storedBytes": c.rng.randint(10**8, 10**10),
        },
    )


def lambda_metrics(
    c: Ctx,
    fn: str,
    times: list[datetime],
    inv: list[float],
    errors: list[float],
    dur_ms: list[float],
    throttles: list[float] | None = None,
    conc: list[float] | None = None,
    step: int = 60,
) -> None:
    d = {"FunctionName": fn}
    for i, t in enumerate(times):
        n = max(inv[i], 0)
        if n <= 0:
            continue
        c.stat("AWS/Lambda", "Invocations", d, t, n, n, 1, 1, "Count")
        c.stat("AWS/Lambda", "Errors", d, t, n, errors[i], 0, 1 if errors[i] else 0, "Count")
        c.stat(
            "AWS/Lambda",
            "Duration",
            d,
            t,
            n,
            dur_ms[i] * n,
            dur_ms[i] * 0.35,
            dur_ms[i] * 3.1,
            "Milliseconds",
        )
        if throttles is not None and throttles[i]:
            c.stat("AWS/Lambda", "Throttles", d, t, throttles[i], throttles[i], 1, 1, "Count")
        if conc is not None:
            c.stat(
                "AWS/Lambda",
                "ConcurrentExecutions",
                d,
                t,
                step / 60 * 60,
                conc[i] * 60,
                conc[i] * 0.6,
                conc[i] * 1.25,
                "Count",
            )


def ws_metrics(
    c: Ctx,
    t: datetime,
    connects: float,
    messages: float,
    client_err: float,
    exec_err: float,
    integ_err: float,
    latency: float,
) -> None:
    d = {"ApiId": c.api_id, "Stage": "prod"}
    c.metric("AWS/ApiGateway", "ConnectCount", d, t, round(connects))
    c.metric("AWS/ApiGateway", "MessageCount", d, t, round(messages))
    c.metric("AWS/ApiGateway", "ClientError", d, t, round(client_err))
    c.metric("AWS/ApiGateway", "ExecutionError", d, t, round(exec_err))
    c.metric("AWS/ApiGateway", "IntegrationError", d, t, round(integ_err))
    c.stat(
        "AWS/ApiGateway",
        "IntegrationLatency",
        d,
        t,
        max(messages, 1),
        latency * max(messages, 1),
        latency * 0.3,
        latency * 4,
        "Milliseconds",
    )


def lambda_report(c: Ctx, fn: str, stream: str, t: datetime, dur: float, mem: int, used: int) -> str:
    rid = c.uid()
    c.log(f"/aws/lambda/{fn}", stream, t, f"START RequestId: {rid} Version: $LATEST\n")
    billed = math.ceil(dur)
    c.log(
        f"/aws/lambda/{fn}",
        stream,
        t + timedelta(milliseconds=dur + 1),
        f"END RequestId: {rid}\n",
    )
    c.log(
        f"/aws/lambda/{fn}",
        stream,
        t + timedelta(milliseconds=dur + 1),
        f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t\n",
    )
    return rid


def stream_name(c: Ctx, t: datetime) -> str:
    return f"{t:%Y/%m/%d}/[$LATEST]{c.hexid(32)}"


# --- a whole chat account: resources, baseline telemetry, innocent changes -----------------------

FUNCTIONS = {
    # name: (role, base invocations/min at peak, base ms, memory, route)
    "chat-connect": ("chat-ws-handlers-role", 240.0, 38.0, 512, "$connect"),
    "chat-disconnect": ("chat-ws-handlers-role", 230.0, 22.0, 256, "$disconnect"),
    "chat-sendmessage": ("chat-ws-handlers-role", 1400.0, 31.0, 512, "sendmessage"),
    "chat-typing": ("chat-ws-handlers-role", 2100.0, 9.0, 256, "typing"),
    "chat-broadcast": ("chat-broadcast-role", 700.0, 145.0, 1024, ""),
    "chat-push-enqueue": ("chat-push-role", 700.0, 18.0, 256, ""),
    "chat-presence-sweeper": ("chat-ws-handlers-role", 1.0, 2400.0, 512, ""),
}

Adjust = Any  # Callable[[str, datetime, float], float]


def _same(_key: str, _t: datetime, v: float) -> float:
    return v


def chat_account(c: Ctx, redis_nodes: int = 2, push_worker: bool = True) -> None:
    websocket_api(
        c,
        [(route, fn) for fn, (_, _, _, _, route) in FUNCTIONS.items() if route],
    )
    for role in ["chat-ws-handlers-role", "chat-broadcast-role", "chat-push-role"]:
        iam_role(c, role)
    ep = f"master.chat-pubsub.{c.hexid(6)}.{c.region[:2]}{c.region[-1]}.cache.amazonaws.com"
    for fn, (role, _, _, mem, _) in FUNCTIONS.items():
        env = {"NODE_OPTIONS": "--enable-source-maps", "STAGE": "prod"}
        if fn in ("chat-connect", "chat-disconnect", "chat-sendmessage", "chat-presence-sweeper"):
            env["CONNECTIONS_TABLE"] = "chat-connections"
        if fn in ("chat-sendmessage", "chat-broadcast"):
            env["MESSAGES_TABLE"] = "chat-messages"
        if fn in ("chat-typing", "chat-connect", "chat-disconnect", "chat-broadcast"):
            env["REDIS_URL"] = f"rediss://{ep}:6379"
        if fn == "chat-broadcast":
            env["WS_ENDPOINT"] = f"https://{c.api_id}.execute-api.{c.region}.amazonaws.com/prod"
        if fn == "chat-push-enqueue":
            env["PUSH_QUEUE_URL"] = f"https://sqs.{c.region}.amazonaws.com/{c.account}/chat-push-outbox"
        lambda_fn(
            c,
            fn,
            role,
            "dist/index.handler",
            env,
            c.day - timedelta(days=c.rng.randint(3, 40), minutes=c.rng.randint(0, 900)),
            timeout=30 if fn in ("chat-broadcast", "chat-presence-sweeper") else 6,
            memory=mem,
            vpc=True,
        )
        log_group(c, f"/aws/lambda/{fn}")
    log_group(c, f"/aws/apigateway/{c.api_id}/prod", 7)
    ddb_table(c, "chat-connections", [("connectionId", "HASH")], items=c.rng.randint(30_000, 90_000))
    ddb_table(
        c,
        "chat-messages",
        [("roomId", "HASH"), ("sentAt", "RANGE")],
        items=c.rng.randint(40_000_000, 90_000_000),
        stream=True,
    )
    ddb_table(c, "chat-rooms", [("roomId", "HASH")], items=c.rng.randint(200_000, 600_000))
    redis(c, "chat-pubsub", redis_nodes)
    c.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/chat-push-outbox",
            "Attributes": {
                "QueueArn": c.arn("sqs", "chat-push-outbox"),
                "VisibilityTimeout": "60",
                "MessageRetentionPeriod": "86400",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": c.arn("sqs", "chat-push-outbox-dlq"),
                        "maxReceiveCount": 5,
                    }
                ),
            },
            "Tags": {"team": "messaging"},
        },
    )
    c.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/chat-push-outbox-dlq",
            "Attributes": {
                "QueueArn": c.arn("sqs", "chat-push-outbox-dlq"),
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
            },
            "Tags": {"team": "messaging"},
        },
    )
    c.resource(
        "sns",
        "Topic",
        {
            "TopicArn": c.arn("sns", "chat-oncall"),
            "Attributes": {
                "TopicArn": c.arn("sns", "chat-oncall"),
                "DisplayName": "chat on-call",
                "SubscriptionsConfirmed": "2",
            },
        },
    )


def baseline_metrics(
    c: Ctx,
    start: datetime,
    end: datetime,
    scale: float,
    tz: int,
    adjust: Adjust = _same,
) -> None:
    """Minute metrics for the API, each function, the tables and the cache; `adjust` bends them."""
    r = c.rng
    for t in minutes(start, end):
        load = diurnal(t, tz) * scale * (1 + r.uniform(-0.06, 0.06))
        a = adjust
        msgs = a("ws.MessageCount", t, load * 3600)
        connects = a("ws.ConnectCount", t, load * 240)
        ws_metrics(
            c,
            t,
            connects,
            msgs,
            a("ws.ClientError", t, load * r.uniform(2, 9)),
            a("ws.ExecutionError", t, 0.0 if r.random() < 0.9 else 1.0),
            a("ws.IntegrationError", t, 0.0 if r.random() < 0.85 else r.randint(1, 3)),
            a("ws.IntegrationLatency", t, r.uniform(28, 42)),
        )
        for fn, (_, base, dur, _mem, _) in FUNCTIONS.items():
            if fn == "chat-presence-sweeper":
                if t.minute % 5:
                    continue
                inv = 1.0
            else:
                inv = base * load * r.uniform(0.95, 1.05)
            inv = a(f"lambda.{fn}.Invocations", t, inv)
            errs = a(f"lambda.{fn}.Errors", t, 0.0 if r.random() < 0.93 else 1.0)
            d = a(f"lambda.{fn}.Duration", t, dur * r.uniform(0.9, 1.15))
            thr = a(f"lambda.{fn}.Throttles", t, 0.0)
            conc = a(f"lambda.{fn}.ConcurrentExecutions", t, max(inv * d / 60000, 1))
            lambda_metrics(c, fn, [t], [inv], [min(errs, inv)], [d], [thr], [conc])
        for tbl, w, rd in [
            ("chat-connections", 2.6, 1.5),
            ("chat-messages", 1.05, 0.9),
            ("chat-rooms", 0.02, 0.5),
        ]:
            dims = {"TableName": tbl}
            wcu = a(f"ddb.{tbl}.ConsumedWriteCapacityUnits", t, load * 60 * 1400 / 60 * w / 10 * 6)
            rcu = a(f"ddb.{tbl}.ConsumedReadCapacityUnits", t, load * 1400 * rd)
            c.stat("AWS/DynamoDB", "ConsumedWriteCapacityUnits", dims, t, max(wcu / 2, 1), wcu, 1, 6, "Count")
            c.stat(
                "AWS/DynamoDB", "ConsumedReadCapacityUnits", dims, t, max(rcu / 2, 1), rcu, 0.5, 4, "Count"
            )
            thr = a(f"ddb.{tbl}.WriteThrottleEvents", t, 0.0)
            if thr > 0:
                c.metric("AWS/DynamoDB", "WriteThrottleEvents", dims, t, round(thr))
            lat = a(f"ddb.{tbl}.SuccessfulRequestLatency", t, r.uniform(3.2, 5.8))
            c.stat(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": tbl, "Operation": "PutItem"},
                t,
                max(wcu, 1),
                lat * max(wcu, 1),
                lat * 0.5,
                lat * 6,
                "Milliseconds",
            )
        for node in ("chat-pubsub-001", "chat-pubsub-002"):
            dims = {"CacheClusterId": node, "CacheNodeId": "0001"}
            primary = node.endswith("001")
            cpu = a(f"redis.{node}.EngineCPUUtilization", t, load * (21 if primary else 6) + r.uniform(0, 2))
            c.metric("AWS/ElastiCache", "EngineCPUUtilization", dims, t, cpu, "Percent")
            conns = a(f"redis.{node}.CurrConnections", t, load * (380 if primary else 40) + 12)
            c.metric("AWS/ElastiCache", "CurrConnections", dims, t, round(conns))
            c.metric(
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                dims,
                t,
                a(f"redis.{node}.DatabaseMemoryUsagePercentage", t, 31 + load * 4),
                "Percent",
            )
        if t.minute % 5 == 0:
            dims = {"QueueName": "chat-push-outbox"}
            sent = a("sqs.NumberOfMessagesSent", t, load * 700 * 5)
            c.metric("AWS/SQS", "NumberOfMessagesSent", dims, t, round(sent))
            c.metric(
                "AWS/SQS",
                "NumberOfMessagesDeleted",
                dims,
                t,
                round(a("sqs.NumberOfMessagesDeleted", t, sent)),
            )
            c.metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                dims,
                t,
                round(a("sqs.ApproximateNumberOfMessagesVisible", t, r.randint(0, 40))),
            )
            c.metric(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                dims,
                t,
                round(a("sqs.ApproximateAgeOfOldestMessage", t, r.randint(1, 6))),
                "Seconds",
            )


def _deployed(c: Ctx, fn: str, t: datetime, sha: str) -> None:
    for x in c.resources:
        if x["type"] == "FunctionConfiguration" and x["item"]["FunctionName"] == fn:
            x["item"]["LastModified"] = t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
            x["item"]["CodeSha256"] = sha
            x["item"]["RevisionId"] = c.uid()


def innocent_changes(c: Ctx, start: datetime, onset: datetime) -> None:
    """The ordinary changes of a working day: a deploy or two, a tag, a dashboard, a log retention."""
    r = c.rng
    ci = c.who("chat-deploy-pipeline", f"codebuild-{c.hexid(8)}")
    agent = "aws-sdk-js/3.556.0 ua/2.0 os/linux lang/js md/nodejs#20.12.2 api/lambda#3.556.0"
    fn = r.choice(["chat-typing", "chat-sendmessage", "chat-disconnect"])
    t = onset - timedelta(minutes=r.randint(14, 26))
    sha = c.hexid(43, alnum=True) + "="
    c.ct(
        t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": fn, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": fn,
            "functionArn": c.arn("lambda", f"function:{fn}"),
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{c.account}:role/chat-ws-handlers-role",
            "handler": "dist/index.handler",
            "codeSize": r.randint(900_000, 3_000_000),
            "timeout": 6,
            "memorySize": 512,
            "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": sha,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        agent=agent,
    )
    _deployed(c, fn, t, sha)
    c.log(
        f"/aws/lambda/{fn}",
        stream_name(c, t + timedelta(seconds=40)),
        t + timedelta(seconds=40),
        "INIT_START Runtime Version: nodejs:20.v28\tRuntime Version ARN: "
        f"arn:aws:lambda:{c.region}::runtime:{c.hexid(64)}\n",
    )
    # a morning deploy hours earlier
    t2 = start + timedelta(minutes=r.randint(20, 90))
    fn2 = r.choice(["chat-connect", "chat-broadcast", "chat-push-enqueue"])
    sha2 = c.hexid(43, alnum=True) + "="
    _deployed(c, fn2, t2, sha2)
    c.ct(
        t2,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": fn2, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": fn2,
            "functionArn": c.arn("lambda", f"function:{fn2}"),
            "runtime": "nodejs20.x",
            "codeSha256": sha2,
            "lastModified": t2.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent=agent,
    )
    dev = c.who("user", r.choice(["maya.okafor", "j.lindqvist", "tomas.reyes", "priya.n"]))
    console = "AWS Internal"
    t3 = onset - timedelta(minutes=r.randint(35, 70))
    c.ct(
        t3,
        "monitoring.amazonaws.com",
        "PutDashboard",
        dev,
        {"dashboardName": "chat-realtime-overview", "dashboardBody": "{...}"},
        {"dashboardValidationMessages": []},
        agent=console,
    )
    c.ct(
        onset - timedelta(minutes=r.randint(80, 150)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        dev,
        {"logGroupName": "/aws/lambda/chat-presence-sweeper", "retentionInDays": 14},
        None,
        agent=console,
    )
    c.ct(
        onset + timedelta(minutes=r.randint(3, 9)),
        "sqs.amazonaws.com",
        "TagQueue",
        c.who("terraform-apply-ci", f"gha-apply-{c.hexid(6)}"),
        {
            "queueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/chat-push-outbox-dlq",
            "tags": {"cost-center": "cc-4410"},
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0",
    )


def sweeper_logs(c: Ctx, start: datetime, end: datetime) -> None:
    """The scheduled presence sweeper runs every five minutes (EventBridge rule)."""
    r = c.rng
    stream = stream_name(c, start)
    for t in minutes(start, end, 5):
        dur = r.uniform(1800, 3100)
        rid = c.uid()
        g = "/aws/lambda/chat-presence-sweeper"
        c.log(g, stream, t + timedelta(seconds=1), f"START RequestId: {rid} Version: $LATEST\n")
        c.log(
            g,
            stream,
            t + timedelta(seconds=2),
            f"{lts(t + timedelta(seconds=2))}\t{rid}\tINFO\tsweep done "
            f"scanned={r.randint(30000, 90000)} stale={r.randint(0, 60)} deleted={r.randint(0, 60)}\n",
        )
        c.log(g, stream, t + timedelta(seconds=3), f"END RequestId: {rid}\n")
        c.log(
            g,
            stream,
            t + timedelta(seconds=3),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {math.ceil(dur)} ms\t"
            f"Memory Size: 512 MB\tMax Memory Used: {r.randint(140, 190)} MB\t\n",
        )


def flappy_alarm(c: Ctx, start: datetime, now: datetime) -> None:
    """A noisy alarm that everyone ignores: typing p99 duration, flaps a few times a day."""
    a = c.alarm(
        "chat-typing-duration-p99",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "chat-typing"},
        "Maximum",
        250.0,
        "GreaterThanThreshold",
        1,
        "OK",
        now - timedelta(minutes=c.rng.randint(40, 100)),
        f"Threshold Crossed: 1 datapoint [88.4 ({now - timedelta(minutes=50):%d/%m/%y %H:%M:%S})] "
        "was not greater than the threshold (250.0).",
        period=60,
        topic="chat-lowprio",
    )
    t = start + timedelta(minutes=c.rng.randint(30, 60))
    while t < now - timedelta(minutes=100):
        c.transition(
            a, t, "OK", "ALARM", "Threshold Crossed: 1 datapoint was greater than the threshold (250.0)."
        )
        c.transition(
            a,
            t + timedelta(minutes=c.rng.randint(1, 3)),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 datapoint was not greater than the threshold (250.0).",
        )
        t += timedelta(minutes=c.rng.randint(50, 110))


def write(
    c: Ctx,
    title: str,
    start: datetime,
    end: datetime,
    now: datetime,
    trigger: dict[str, Any],
    truth: dict[str, Any],
) -> Any:
    from evals.bundle import Bundle
    from evals.bundle.model import Manifest

    c.trail.sort(key=lambda r: r["eventTime"])
    c.history.sort(key=lambda h: h["Timestamp"])
    c.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": title,
            "account_id": c.account,
            "region": c.region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": trigger,
            "truth": truth,
        }
    )
    records = {
        "metrics": c.metrics,
        "alarms": c.alarms,
        "alarm_history": c.history,
        "logs": c.logs,
        "cloudtrail": c.trail,
        "resources": c.resources,
        "events": c.events,
    }
    return Bundle(manifest, {k: v for k, v in records.items() if v})
