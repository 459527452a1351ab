"""Private helpers for kit zzzze: a partner-facing REST API account (API Gateway, Lambda, DynamoDB, SQS,
SES, WAF) and the noise such an account carries."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

UTC = UTC


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """One incident being written: ids, times and the records gathered so far."""

    def __init__(self, seed: int, salt: str, onset_offset_min: int = 0) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12))
        if self.account[0] == "0":
            self.account = "4" + self.account[1:]
        self.region = r.choice(["us-east-1", "eu-west-1", "us-west-2", "eu-central-1"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        hour = r.randint(8, 19) if onset_offset_min == 0 else 0
        self.onset = day + timedelta(hours=hour, minutes=r.randint(0, 59) + onset_offset_min)
        self.start = self.onset - timedelta(hours=3, minutes=r.randint(10, 40))
        self.now = self.onset + timedelta(minutes=r.randint(38, 55))
        self.end = self.now
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.traces: list[dict[str, Any]] = []

    # --- ids ----------------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, upper: bool = False) -> str:
        chars = "abcdefghijklmnopqrstuvwxyz0123456789"
        s = "".join(self.rng.choice(chars) for _ in range(n))
        return s.upper() if upper else s

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # --- records ------------------------------------------------------------------------------------
    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 3),
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        step: int = 1,
    ) -> None:
        for t in self.minutes(step):
            v = fn(t)
            if v is not None:
                self.metric(ns, name, dims, t, unit, max(0.0, v))

    def dist(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, vals: list[float]
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [round(v, 2) for v in vals],
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        req: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[dict[str, str]] | None = None,
    ) -> str:
        eid = self.uuid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip or who.get("_ip") or f"203.0.113.{self.rng.randint(2, 250)}",
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uuid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if resources:
            rec["resources"] = resources
        rec["userIdentity"] = {k: v for k, v in who.items() if not k.startswith("_")}
        if "tlsDetails" not in rec and not source.startswith("lambda"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return eid

    def assumed(self, role: str, session: str, ip: str | None = None) -> dict[str, Any]:
        pid = "AROA" + self.alnum(17, upper=True)
        who: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.alnum(16, upper=True),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }
        if ip:
            who["_ip"] = ip
        return who

    def sso(self, user: str, perm: str = "AdministratorAccess") -> dict[str, Any]:
        role = f"AWSReservedSSO_{perm}_{self.hexid(16)}"
        return self.assumed(role, user, ip=f"198.51.100.{self.rng.randint(2, 250)}")

    # --- alarms -------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        state: str,
        since: datetime,
        reason: str,
        description: str,
        topic: str,
        datapoints: int | None = None,
        missing: str = "missing",
    ) -> dict[str, Any]:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        self.alarms.append(a)
        return a

    def transition(self, a: dict[str, Any], t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "previous state"},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": a["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )
        for topic in a["AlarmActions"]:
            self.history.append(
                {
                    "AlarmName": a["AlarmName"],
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t + timedelta(milliseconds=300)),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {topic}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": ms(t),
                            "notificationResource": topic,
                        }
                    ),
                }
            )

    def alarm_event(
        self, a: dict[str, Any], t: datetime, reason: str, reason_data: dict[str, Any]
    ) -> dict[str, Any]:
        dims = {d["Name"]: d["Value"] for d in a["Dimensions"]}
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [a["AlarmArn"]],
            "detail": {
                "alarmName": a["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data),
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold",
                    "timestamp": (t - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": a["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.alnum(8),
                            "metricStat": {
                                "metric": {
                                    "namespace": a["Namespace"],
                                    "name": a["MetricName"],
                                    "dimensions": dims,
                                },
                                "period": a["Period"],
                                "stat": a["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- bundle -------------------------------------------------------------------------------------
    def bundle(self, title: str, trigger: dict[str, Any], truth: dict[str, Any]) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        self.trail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.trail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        if self.traces:
            records["traces"] = self.traces
        return Bundle(manifest, records)


def diurnal(t: datetime, base: float, rng: random.Random, amp: float = 0.25, noise: float = 0.08) -> float:
    """Traffic that follows the business day (UTC), with jitter."""
    h = t.hour + t.minute / 60
    shape = 1 + amp * math.sin((h - 9) / 24 * 2 * math.pi)
    return base * shape * (1 + rng.uniform(-noise, noise))


class Account:
    """The partner API account's standing resources, named once per incident."""

    def __init__(self, c: Ctx, prefix: str) -> None:
        self.c = c
        r = c.rng
        self.prefix = prefix
        self.api_name = f"{prefix}-partner-api"
        self.api_id = c.alnum(10)
        self.stage = "prod"
        self.topic = c.arn("sns", f"{prefix}-oncall-alerts")
        self.table = f"{prefix}-orders"
        self.idem_table = f"{prefix}-idempotency-keys"
        self.queue = f"{prefix}-partner-notifications"
        self.dlq = f"{prefix}-partner-notifications-dlq"
        self.webacl = f"{prefix}-partner-api-acl"
        self.webacl_id = c.uuid()
        self.fn_create = f"{prefix}-orders-create"
        self.fn_get = f"{prefix}-orders-get"
        self.fn_quote = f"{prefix}-shipping-quote"
        self.fn_notify = f"{prefix}-notification-sender"
        self.fn_auth = f"{prefix}-partner-authorizer"
        self.fn_batch = f"{prefix}-statement-batch"
        self.fns = [self.fn_create, self.fn_get, self.fn_quote, self.fn_notify, self.fn_auth, self.fn_batch]
        self.role = f"{prefix}-partner-api-lambda"
        self.deploy_role = f"{prefix}-github-deploy"
        self.sender = f"no-reply@partners.{prefix}logistics.com"
        self.res_ids = {p: c.alnum(6) for p in ("root", "v1", "orders", "order", "quotes")}
        self.code_sha = {f: c.alnum(43) + "=" for f in self.fns}
        self.versions = {f: r.randint(12, 140) for f in self.fns}
        self.access_streams: list[str] = []

    def queue_url(self, name: str) -> str:
        return f"https://sqs.{self.c.region}.amazonaws.com/{self.c.account}/{name}"

    def standing(self, table_mode: str = "PAY_PER_REQUEST", wcu: int = 0, rcu: int = 0) -> None:
        c = self.c
        created = c.start - timedelta(days=c.rng.randint(300, 700))
        c.resource(
            "apigateway",
            "RestApi",
            {
                "id": self.api_id,
                "name": self.api_name,
                "description": "Partner order API (v1)",
                "createdDate": iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": self.res_ids["root"],
            },
        )
        c.resource(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": self.api_id,
                "deploymentId": c.alnum(6),
                "stageName": self.stage,
                "cacheClusterEnabled": False,
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 1000,
                        "throttlingRateLimit": 500.0,
                    }
                },
                "accessLogSettings": {
                    "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                    '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
                    '"resourcePath":"$context.resourcePath","status":"$context.status",'
                    '"responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency",'
                    '"wafStatus":"$context.waf.status","apiKeyId":"$context.identity.apiKeyId",'
                    '"userAgent":"$context.identity.userAgent"}',
                    "destinationArn": c.arn("logs", f"log-group:/aws/apigateway/{self.api_name}-access"),
                },
                "tracingEnabled": True,
                "webAclArn": self.webacl_arn(),
                "createdDate": iso(created),
                "lastUpdatedDate": iso(c.start - timedelta(days=c.rng.randint(3, 30))),
            },
        )
        paths: list[tuple[str, str | None, str, str, dict[str, Any]]] = [
            ("root", None, "", "/", {}),
            ("v1", "root", "v1", "/v1", {}),
            ("orders", "v1", "orders", "/v1/orders", {"POST": {}, "GET": {}}),
            ("order", "orders", "{orderId}", "/v1/orders/{orderId}", {"GET": {}}),
            ("quotes", "v1", "quotes", "/v1/quotes", {"POST": {}}),
        ]
        for key, parent, part, path, methods in paths:
            item: dict[str, Any] = {"restApiId": self.api_id, "id": self.res_ids[key], "path": path}
            if parent:
                item["parentId"] = self.res_ids[parent]
                item["pathPart"] = part
            if methods:
                item["resourceMethods"] = methods
            c.resource("apigateway", "RestApiResource", item)
        for key, verb, fn in [
            ("orders", "POST", self.fn_create),
            ("orders", "GET", self.fn_get),
            ("order", "GET", self.fn_get),
            ("quotes", "POST", self.fn_quote),
        ]:
            c.resource(
                "apigateway",
                "MethodIntegration",
                {
                    "restApiId": self.api_id,
                    "resourceId": self.res_ids[key],
                    "httpMethod": verb,
                    "type": "AWS_PROXY",
                    "uri": f"arn:aws:apigateway:{c.region}:lambda:path/2015-03-31/functions/"
                    f"{self.fn_arn(fn)}/invocations",
                    "passthroughBehavior": "WHEN_NO_MATCH",
                    "timeoutInMillis": 29000,
                    "cacheNamespace": self.res_ids[key],
                    "cacheKeyParameters": [],
                },
            )
        settings = {
            self.fn_create: (1024, 15, "python3.12"),
            self.fn_get: (512, 10, "python3.12"),
            self.fn_quote: (512, 20, "python3.12"),
            self.fn_notify: (256, 60, "python3.12"),
            self.fn_auth: (256, 5, "nodejs20.x"),
            self.fn_batch: (1024, 900, "python3.12"),
        }
        for fn in self.fns:
            mem, timeout, runtime = settings[fn]
            self.function(fn, mem, timeout, runtime)
        c.resource(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": self.role,
                "RoleId": "AROA" + c.alnum(17, upper=True),
                "Arn": f"arn:aws:iam::{c.account}:role/{self.role}",
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B"
                "%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com"
                "%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
                "MaxSessionDuration": 3600,
            },
        )
        self.dynamo(self.table, table_mode, wcu, rcu, "orderId", "partnerId")
        self.dynamo(self.idem_table, "PAY_PER_REQUEST", 0, 0, "idempotencyKey", None)
        for q, extra in [
            (
                self.queue,
                {
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": self.q_arn(self.dlq), "maxReceiveCount": 5}
                    )
                },
            ),
            (self.dlq, {}),
        ]:
            attrs = {
                "QueueArn": self.q_arn(q),
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int(created.timestamp()) + 86400 * 40),
                "VisibilityTimeout": "360" if q == self.queue else "30",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600" if q == self.queue else "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "SqsManagedSseEnabled": "true",
            }
            attrs.update(extra)
            c.resource(
                "sqs",
                "Queue",
                {"QueueUrl": self.queue_url(q), "Attributes": attrs, "Tags": {"team": "partner-platform"}},
            )
        c.resource(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": c.uuid(),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": self.q_arn(self.queue),
                "FunctionArn": self.fn_arn(self.fn_notify),
                "LastModified": iso(created + timedelta(days=40)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 20},
            },
        )
        for g, days in [
            (f"/aws/apigateway/{self.api_name}-access", 30),
            (f"API-Gateway-Execution-Logs_{self.api_id}/{self.stage}", 14),
        ] + [(f"/aws/lambda/{f}", 30) for f in self.fns]:
            c.resource(
                "logs",
                "LogGroup",
                {
                    "logGroupName": g,
                    "creationTime": ms(created),
                    "retentionInDays": days,
                    "metricFilterCount": 0,
                    "arn": c.arn("logs", f"log-group:{g}:*"),
                    "storedBytes": c.rng.randint(10**8, 10**10),
                    "logGroupClass": "STANDARD",
                },
            )

    def webacl_arn(self) -> str:
        return self.c.arn("wafv2", f"regional/webacl/{self.webacl}/{self.webacl_id}")

    def fn_arn(self, fn: str) -> str:
        return self.c.arn("lambda", f"function:{fn}")

    def q_arn(self, q: str) -> str:
        return self.c.arn("sqs", q)

    def function(
        self,
        fn: str,
        mem: int,
        timeout: int,
        runtime: str,
        modified: datetime | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        c = self.c
        item: dict[str, Any] = {
            "FunctionName": fn,
            "FunctionArn": self.fn_arn(fn),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{c.account}:role/{self.role}",
            "Handler": "index.handler" if runtime.startswith("node") else "app.handler",
            "CodeSize": c.rng.randint(2_000_000, 9_000_000),
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": (modified or c.start - timedelta(days=c.rng.randint(2, 40))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "CodeSha256": self.code_sha[fn],
            "Version": "$LATEST",
            "Environment": {"Variables": env or {"LOG_LEVEL": "INFO", "POWERTOOLS_SERVICE_NAME": fn}},
            "TracingConfig": {"Mode": "Active"},
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
        }
        c.resource("lambda", "FunctionConfiguration", item)

    def dynamo(self, name: str, mode: str, wcu: int, rcu: int, hash_key: str, gsi_key: str | None) -> None:
        c = self.c
        created = c.start - timedelta(days=c.rng.randint(300, 700))
        item: dict[str, Any] = {
            "AttributeDefinitions": [{"AttributeName": hash_key, "AttributeType": "S"}],
            "TableName": name,
            "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"}],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": rcu,
                "WriteCapacityUnits": wcu,
            },
            "TableSizeBytes": c.rng.randint(10**9, 6 * 10**10),
            "ItemCount": c.rng.randint(10**6, 9 * 10**7),
            "TableArn": c.arn("dynamodb", f"table/{name}"),
            "TableId": c.uuid(),
            "DeletionProtectionEnabled": True,
        }
        if mode == "PAY_PER_REQUEST":
            item["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            }
        if gsi_key:
            item["AttributeDefinitions"].append({"AttributeName": gsi_key, "AttributeType": "S"})
            item["AttributeDefinitions"].append({"AttributeName": "createdAt", "AttributeType": "S"})
            gsi: dict[str, Any] = {
                "IndexName": f"{gsi_key}-createdAt-index",
                "KeySchema": [
                    {"AttributeName": gsi_key, "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": rcu,
                    "WriteCapacityUnits": wcu,
                },
                "IndexArn": c.arn("dynamodb", f"table/{name}/index/{gsi_key}-createdAt-index"),
            }
            item["GlobalSecondaryIndexes"] = [gsi]
        c.resource("dynamodb", "TableDescription", item)

    # --- noise --------------------------------------------------------------------------------------
    def readonly_noise(self, n: int) -> None:
        """Tooling and people reading the account: monitoring integrations, consoles, Terraform plans."""
        c = self.c
        dd = c.assumed("DatadogIntegrationRole", c.alnum(10), ip="3.233.147.12")
        tf = c.assumed(f"{self.prefix}-terraform-plan", "terraform-plan", ip="54.160.12.8")
        calls: list[tuple[dict[str, Any], str, str, dict[str, Any] | None, str]] = [
            (dd, "monitoring.amazonaws.com", "GetMetricData", None, "Datadog/aws-integration"),
            (
                dd,
                "monitoring.amazonaws.com",
                "ListMetrics",
                {"namespace": "AWS/Lambda"},
                "Datadog/aws-integration",
            ),
            (
                dd,
                "lambda.amazonaws.com",
                "ListFunctions20150331",
                {"functionVersion": "ALL"},
                "Datadog/aws-integration",
            ),
            (dd, "sqs.amazonaws.com", "ListQueues", None, "Datadog/aws-integration"),
            (
                dd,
                "dynamodb.amazonaws.com",
                "DescribeTable",
                {"tableName": self.table},
                "Datadog/aws-integration",
            ),
            (
                dd,
                "tag.amazonaws.com",
                "GetResources",
                {"resourceTypeFilters": ["lambda:function"]},
                "Datadog/aws-integration",
            ),
            (
                tf,
                "apigateway.amazonaws.com",
                "GetRestApi",
                {"restApiId": self.api_id},
                "APN/1.0 HashiCorp/1.0 Terraform/1.8.5",
            ),
            (
                tf,
                "wafv2.amazonaws.com",
                "GetWebACL",
                {"name": self.webacl, "scope": "REGIONAL", "id": self.webacl_id},
                "APN/1.0 HashiCorp/1.0 Terraform/1.8.5",
            ),
            (
                tf,
                "iam.amazonaws.com",
                "GetRole",
                {"roleName": self.role},
                "APN/1.0 HashiCorp/1.0 Terraform/1.8.5",
            ),
            (
                tf,
                "dynamodb.amazonaws.com",
                "DescribeContinuousBackups",
                {"tableName": self.table},
                "APN/1.0 HashiCorp/1.0 Terraform/1.8.5",
            ),
        ]
        span = (c.now - c.start).total_seconds()
        for _ in range(n):
            who, src, name, req, agent = c.rng.choice(calls)
            t = c.start + timedelta(seconds=c.rng.uniform(0, span))
            c.ct(t, src, name, who, req, None, read_only=True, agent=agent)

    def kms_decrypts(self, n: int) -> None:
        c = self.c
        span = (c.now - c.start).total_seconds()
        key = c.arn("kms", f"key/{c.uuid()}")
        for _ in range(n):
            fn = c.rng.choice(self.fns)
            t = c.start + timedelta(seconds=c.rng.uniform(0, span))
            who = {
                "type": "AWSService",
                "invokedBy": "lambda.amazonaws.com",
            }
            eid = c.ct(
                t,
                "kms.amazonaws.com",
                "Decrypt",
                who,
                {
                    "encryptionContext": {"aws:lambda:FunctionArn": self.fn_arn(fn)},
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                },
                None,
                read_only=True,
                agent="lambda.amazonaws.com",
                ip="lambda.amazonaws.com",
                resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": key}],
            )
            rec = c.trail[-1]
            assert rec["eventID"] == eid
            rec.pop("tlsDetails", None)
            rec["eventType"] = "AwsApiCall"

    def deploy(self, t: datetime, fn: str, who: dict[str, Any] | None = None) -> str:
        """A CI deploy of one function: UpdateFunctionCode then PublishVersion."""
        c = self.c
        who = who or c.assumed(
            self.deploy_role, f"GitHubActions-{c.rng.randint(10**9, 10**10)}", ip="140.82.112.3"
        )
        self.versions[fn] += 1
        sha = c.alnum(43) + "="
        eid = c.ct(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            who,
            {
                "functionName": fn,
                "publish": False,
                "dryRun": False,
                "s3Bucket": f"{self.prefix}-lambda-artifacts",
                "s3Key": f"{fn}/{c.hexid(40)}.zip",
            },
            {
                "functionName": fn,
                "functionArn": self.fn_arn(fn),
                "runtime": "python3.12",
                "codeSha256": sha,
                "version": "$LATEST",
                "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
            },
            agent="aws-sdk-js/2.1590.0 linux/v20.12.2 exec-env/GitHubActions",
        )
        c.ct(
            t + timedelta(seconds=9),
            "lambda.amazonaws.com",
            "PublishVersion20150331",
            who,
            {"functionName": fn, "codeSha256": sha},
            {
                "functionName": fn,
                "functionArn": f"{self.fn_arn(fn)}:{self.versions[fn]}",
                "version": str(self.versions[fn]),
                "codeSha256": sha,
                "state": "Active",
            },
            agent="aws-sdk-js/2.1590.0 linux/v20.12.2 exec-env/GitHubActions",
        )
        self.code_sha[fn] = sha
        return eid

    def lambda_logs(
        self,
        fn: str,
        rate_per_min: Callable[[datetime], float],
        line: Callable[[datetime, str], list[str]],
        mem: int,
        dur: Callable[[datetime], float],
    ) -> None:
        """A sample of a function's log stream: START / app lines / END / REPORT for a few invocations a minute."""
        c = self.c
        stream = f"{c.start:%Y/%m/%d}/[$LATEST]{c.hexid(32)}"
        for t in c.minutes(1):
            if c.rng.random() > min(1.0, rate_per_min(t)):
                continue
            rid = c.uuid()
            at = t + timedelta(seconds=c.rng.uniform(0, 50))
            d = max(1.0, dur(at) * c.rng.uniform(0.85, 1.15))
            c.log(f"/aws/lambda/{fn}", stream, at, f"START RequestId: {rid} Version: $LATEST")
            for i, msg in enumerate(line(at, rid)):
                c.log(
                    f"/aws/lambda/{fn}",
                    stream,
                    at + timedelta(milliseconds=5 + i * 3 + min(d, 50000) * 0.5 * (i > 0)),
                    msg,
                )
            end = at + timedelta(milliseconds=d + 2)
            c.log(f"/aws/lambda/{fn}", stream, end, f"END RequestId: {rid}")
            c.log(
                f"/aws/lambda/{fn}",
                stream,
                end,
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {math.ceil(d)} ms\t"
                f"Memory Size: {mem} MB\tMax Memory Used: {int(mem * c.rng.uniform(0.18, 0.3))} MB\t",
            )


F = Callable[[datetime], float]


def api_metrics(a: Account, count: F, e4: F, e5: F, lat: F, ilat: F) -> None:
    """API Gateway REST API metrics at the stage level, as AWS publishes them (per minute)."""
    c = a.c
    dims = {"ApiName": a.api_name, "Stage": a.stage}
    for t in c.minutes(1):
        n = max(1, round(count(t)))
        c.metric("AWS/ApiGateway", "Count", dims, t, "Count", n)
        c.metric("AWS/ApiGateway", "4XXError", dims, t, "Count", round(min(n, e4(t))))
        c.metric("AWS/ApiGateway", "5XXError", dims, t, "Count", round(min(n, e5(t))))
        base = lat(t)
        c.dist(
            "AWS/ApiGateway",
            "Latency",
            dims,
            t,
            "Milliseconds",
            sorted(base * c.rng.lognormvariate(0, 0.35) for _ in range(12)),
        )
        ib = ilat(t)
        c.dist(
            "AWS/ApiGateway",
            "IntegrationLatency",
            dims,
            t,
            "Milliseconds",
            sorted(ib * c.rng.lognormvariate(0, 0.35) for _ in range(12)),
        )


def lambda_metrics(
    a: Account, fn: str, inv: F, err: F, dur: F, thr: F | None = None, conc: F | None = None
) -> None:
    c = a.c
    dims = {"FunctionName": fn}
    for t in c.minutes(1):
        n = round(inv(t))
        if n <= 0:
            continue  # Lambda publishes nothing for a minute without invocations
        c.metric("AWS/Lambda", "Invocations", dims, t, "Count", n)
        c.metric("AWS/Lambda", "Errors", dims, t, "Count", round(min(n, err(t))))
        d = dur(t)
        c.dist(
            "AWS/Lambda",
            "Duration",
            dims,
            t,
            "Milliseconds",
            sorted(d * c.rng.lognormvariate(0, 0.3) for _ in range(10)),
        )
        c.metric("AWS/Lambda", "Throttles", dims, t, "Count", round(thr(t)) if thr else 0)
        cc = conc(t) if conc else n * d / 60000 * 1.3 + 1
        c.metric("AWS/Lambda", "ConcurrentExecutions", dims, t, "Count", max(1, round(cc)))


def waf_metrics(a: Account, allowed: F, blocked: dict[str, F]) -> None:
    c = a.c
    for t in c.minutes(1):
        c.metric(
            "AWS/WAFV2",
            "AllowedRequests",
            {"WebACL": a.webacl, "Region": c.region, "Rule": "ALL"},
            t,
            "Count",
            round(allowed(t)),
        )
        tot = 0
        for rule, fn in blocked.items():
            v = round(fn(t))
            if v > 0:
                c.metric(
                    "AWS/WAFV2",
                    "BlockedRequests",
                    {"WebACL": a.webacl, "Region": c.region, "Rule": rule},
                    t,
                    "Count",
                    v,
                )
                tot += v
        if tot:
            c.metric(
                "AWS/WAFV2",
                "BlockedRequests",
                {"WebACL": a.webacl, "Region": c.region, "Rule": "ALL"},
                t,
                "Count",
                tot,
            )


def sqs_metrics(a: Account, q: str, sent: F, visible: F, age: F, deleted: F | None = None) -> None:
    c = a.c
    dims = {"QueueName": q}
    for t in c.minutes(5):
        c.metric("AWS/SQS", "NumberOfMessagesSent", dims, t, "Count", round(sent(t)))
        c.metric("AWS/SQS", "NumberOfMessagesReceived", dims, t, "Count", round((deleted or sent)(t) * 1.02))
        c.metric("AWS/SQS", "NumberOfMessagesDeleted", dims, t, "Count", round((deleted or sent)(t)))
        c.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, t, "Count", round(visible(t)))
        c.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", dims, t, "Seconds", round(age(t)))


def dynamo_metrics(
    a: Account,
    table: str,
    rcu: F,
    wcu: F,
    write_thr: F | None = None,
    prov: tuple[float, float] | None = None,
) -> None:
    c = a.c
    dims = {"TableName": table}
    for t in c.minutes(1):
        c.metric("AWS/DynamoDB", "ConsumedReadCapacityUnits", dims, t, "Count", round(rcu(t) * 60, 1))
        c.metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", dims, t, "Count", round(wcu(t) * 60, 1))
        if prov:
            c.metric("AWS/DynamoDB", "ProvisionedReadCapacityUnits", dims, t, "Count", prov[0])
            c.metric("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims, t, "Count", prov[1])
        if write_thr:
            v = round(write_thr(t))
            if v > 0:
                c.metric("AWS/DynamoDB", "WriteThrottleEvents", dims, t, "Count", v)
                c.metric("AWS/DynamoDB", "ThrottledRequests", {**dims, "Operation": "PutItem"}, t, "Count", v)
        for op, base in (("PutItem", 6.0), ("GetItem", 3.0), ("Query", 7.5)):
            c.metric(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {**dims, "Operation": op},
                t,
                "Milliseconds",
                base * c.rng.uniform(0.8, 1.3),
            )


def access_log(
    a: Account,
    t: datetime,
    method: str,
    path: str,
    status: int,
    ilat: int,
    waf: str = "200",
    key: str = "",
    length: int = 0,
    ua: str = "",
) -> None:
    c = a.c
    rid = c.uuid()
    msg = json.dumps(
        {
            "requestId": rid,
            "ip": f"{c.rng.choice(['34.120', '52.14', '18.202', '35.177'])}.{c.rng.randint(1, 254)}.{c.rng.randint(1, 254)}",
            "requestTime": t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "httpMethod": method,
            "resourcePath": path,
            "status": str(status),
            "responseLength": str(length or c.rng.randint(80, 2400)),
            "integrationLatency": str(ilat) if ilat >= 0 else "-",
            "wafStatus": waf,
            "apiKeyId": key or c.alnum(10),
            "userAgent": ua or "-",
        },
        separators=(",", ":"),
    )
    if not a.access_streams:
        a.access_streams = [c.hexid(32) for _ in range(3)]
    c.log(f"/aws/apigateway/{a.api_name}-access", c.rng.choice(a.access_streams), t, msg)


def camel(value: Any) -> Any:
    """Keys as CloudTrail writes a request's parameters (lower camel case)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value
