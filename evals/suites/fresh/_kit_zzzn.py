"""Private helpers for kit zzzn: a multi-tenant SaaS API account (API Gateway, Cognito, Lambda, DynamoDB)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

UTC = UTC


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class World:
    """Accumulates the records of one bundle, with a seeded random source."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "5" + self.account[1:]
        self.region = r.choice(["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.cloudtrail: list[dict[str, Any]] = []
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # --- ids -------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int) -> str:
        return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))

    def ip(self) -> str:
        r = self.rng
        return f"{r.choice([34, 52, 18, 3, 54, 13, 44, 98, 71, 203])}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}"

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # --- identities -------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str) -> dict[str, Any]:
        principal = "AROA" + self.rng.choice(["Q3", "X7", "ZK", "M2"]) + self.alnum(15).upper()
        return {
            "type": "AssumedRole",
            "principalId": f"{principal}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.alnum(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": principal,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def sso_identity(self, user: str) -> dict[str, Any]:
        ident = self.role_identity("AWSReservedSSO_PlatformEngineer_" + self.hexid(16), user)
        ident["sessionContext"]["attributes"]["mfaAuthenticated"] = "false"
        return ident

    # --- CloudTrail ------------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        params: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10 lang/python#3.11.8",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                t - timedelta(minutes=self.rng.randint(2, 50))
            )
        eid = self.uid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip or self.ip(),
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            },
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.cloudtrail.append(rec)
        return eid

    def tooling_noise(
        self, start: datetime, end: datetime, calls: list[tuple[str, str, dict[str, Any]]], n: int
    ) -> None:
        """Read-only calls from a monitoring integration and a CI role, spread over the window."""
        mon = self.role_identity("DatadogIntegrationRole", "DatadogAWSIntegration")
        span = int((end - start).total_seconds())
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.randint(0, span))
            src, name, params = self.rng.choice(calls)
            self.ct(
                t,
                src,
                name,
                mon,
                params,
                None,
                read_only=True,
                agent="Datadog-AWS-Integration/1.0 aws-sdk-go/1.44.327 (go1.21.5; linux; amd64)",
                ip="3.233.146." + str(self.rng.randint(2, 250)),
            )

    # --- metrics ---------------------------------------------------------------------------------
    def point(self, ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, **form: Any) -> None:
        self.metrics.append(
            {"namespace": ns, "metric": metric, "dimensions": dims, "timestamp": iso(t), "unit": unit, **form}
        )

    def count_series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        times: list[datetime],
        fn: Callable[[datetime], float | None],
        unit: str = "Count",
    ) -> None:
        for t in times:
            v = fn(t)
            if v is None:
                continue
            self.point(ns, metric, dims, t, unit, value=round(v, 2))

    def rate_series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        times: list[datetime],
        fn: Callable[[datetime], tuple[int, int] | None],
    ) -> None:
        """A 0/1-per-request metric (4XXError, 5XXError) as statistic sets: (requests, errors)."""
        for t in times:
            got = fn(t)
            if got is None:
                continue
            n, e = got
            if n <= 0:
                continue
            self.point(
                ns,
                metric,
                dims,
                t,
                "Count",
                statistic_values={
                    "SampleCount": float(n),
                    "Sum": float(e),
                    "Minimum": 0.0,
                    "Maximum": 1.0 if e else 0.0,
                },
            )

    def latency_series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        times: list[datetime],
        fn: Callable[[datetime], tuple[int, float, float] | None],
    ) -> None:
        """Latency distributions: fn gives (n, median ms, tail ms)."""
        for t in times:
            got = fn(t)
            if got is None:
                continue
            n, med, tail = got
            if n <= 0:
                continue
            vals = [round(med * 0.6, 1), round(med, 1), round(med * 1.5, 1), round(tail, 1)]
            counts = [
                float(max(1, n // 4)),
                float(max(1, n // 2)),
                float(max(1, n // 5)),
                float(max(1, n // 50)),
            ]
            self.point(ns, metric, dims, t, "Milliseconds", values=vals, counts=counts)

    # --- logs ------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t.strftime('%Y/%m/%d')}/[{version}]{self.hexid(32)}"

    def lambda_invocation(
        self,
        group: str,
        stream: str,
        t: datetime,
        duration: float,
        memory: int,
        used: int,
        lines: list[str] | None = None,
        timeout_s: float | None = None,
    ) -> None:
        rid = self.uid()
        self.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        for i, line in enumerate(lines or []):
            stamp = (t + timedelta(milliseconds=5 + i)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            self.log(group, stream, t + timedelta(milliseconds=5 + i), f"{stamp}\t{rid}\t{line}\n")
        end = t + timedelta(milliseconds=duration)
        if timeout_s is not None:
            stamp = end.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            self.log(group, stream, end, f"{stamp} {rid} Task timed out after {timeout_s:.2f} seconds\n")
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = int(duration) + 1
        status = "Status: timeout" if timeout_s is not None else ""
        self.log(
            group,
            stream,
            end,
            f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t{status}\n",
        )

    # --- alarms ----------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        *,
        period: int = 60,
        evals: int = 3,
        dtp: int | None = None,
        op: str = "GreaterThanThreshold",
        state: str = "OK",
        reason: str = "",
        updated: datetime,
        topic: str = "",
        desc: str = "",
        missing: str = "notBreaching",
        unit: str | None = None,
    ) -> dict[str, Any]:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=self.rng.randint(30, 200))),
            "ActionsEnabled": True,
            "OKActions": [topic] if topic else [],
            "AlarmActions": [topic] if topic else [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason or "Threshold Crossed: no datapoints were breaching the threshold",
            "StateUpdatedTimestamp": iso(updated),
            "StateTransitionedTimestamp": iso(updated),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dtp or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "previous"},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )
        if new != "OK" or old != "OK":
            self.history.append(
                {
                    "AlarmName": alarm["AlarmName"],
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t + timedelta(seconds=1)),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {alarm['AlarmActions'][0]}"
                    if alarm["AlarmActions"]
                    else "No action",
                    "HistoryData": json.dumps({"actionState": "Succeeded", "stateUpdateTimestamp": ms(t)}),
                }
            )

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, prev_t: datetime
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
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso(t).replace("Z", ".000+0000")},
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold",
                    "timestamp": iso(prev_t).replace("Z", ".000+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
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

    # --- resources -------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def lambda_fn(
        self,
        name: str,
        runtime: str,
        memory: int,
        timeout: int,
        modified: datetime,
        env: dict[str, str] | None = None,
        handler: str = "index.handler",
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{name}-role",
            "Handler": handler,
            "CodeSize": self.rng.randint(400_000, 9_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.alnum(43) + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.uid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        if env:
            item["Environment"] = {"Variables": env}
        self.res("lambda", "FunctionConfiguration", item)
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{name}",
                "creationTime": ms(self.day - timedelta(days=self.rng.randint(100, 600))),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": self.arn("logs", f"log-group:/aws/lambda/{name}:*"),
                "storedBytes": self.rng.randint(10**8, 10**10),
            },
        )
        return item

    def rest_api(self, api_id: str, name: str, stage: str, deployment: str, log_group: str, waf: str) -> None:
        self.res(
            "apigateway",
            "RestApi",
            {
                "id": api_id,
                "name": name,
                "description": "Public tenant API",
                "createdDate": iso(self.day - timedelta(days=700)),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": True,
                "rootResourceId": self.alnum(10),
            },
        )
        self.res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": api_id,
                "deploymentId": deployment,
                "stageName": stage,
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": False,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 2000,
                        "throttlingRateLimit": 1000.0,
                        "cachingEnabled": False,
                    }
                },
                "accessLogSettings": {
                    "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                    '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
                    '"resourcePath":"$context.resourcePath","status":"$context.status",'
                    '"responseLength":"$context.responseLength","apiKeyId":"$context.identity.apiKeyId",'
                    '"tenant":"$context.authorizer.tenantId","integrationLatency":"$context.integrationLatency",'
                    '"errorMessage":"$context.error.message"}',
                    "destinationArn": self.arn("logs", f"log-group:{log_group}"),
                },
                "tracingEnabled": False,
                "webAclArn": waf,
                "createdDate": iso(self.day - timedelta(days=690)),
                "lastUpdatedDate": iso(self.day - timedelta(days=self.rng.randint(2, 20))),
            },
        )

    def usage_plan(
        self, plan_id: str, name: str, api_id: str, stage: str, rate: float, burst: int, quota: int
    ) -> None:
        self.res(
            "apigateway",
            "UsagePlan",
            {
                "id": plan_id,
                "name": name,
                "description": f"{name} tier",
                "apiStages": [{"apiId": api_id, "stage": stage}],
                "throttle": {"burstLimit": burst, "rateLimit": rate},
                "quota": {"limit": quota, "offset": 0, "period": "MONTH"},
            },
        )

    def table(
        self,
        name: str,
        pk: str,
        items: int,
        *,
        provisioned: tuple[int, int] | None = None,
        gsi: str | None = None,
    ) -> dict[str, Any]:
        created = self.day - timedelta(days=self.rng.randint(200, 900))
        item: dict[str, Any] = {
            "AttributeDefinitions": [
                {"AttributeName": pk, "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "TableName": name,
            "KeySchema": [
                {"AttributeName": pk, "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "TableSizeBytes": items * self.rng.randint(300, 1500),
            "ItemCount": items,
            "TableArn": self.arn("dynamodb", f"table/{name}"),
            "TableId": self.uid(),
            "DeletionProtectionEnabled": True,
        }
        if provisioned:
            item["ProvisionedThroughput"] = {
                "ReadCapacityUnits": provisioned[0],
                "WriteCapacityUnits": provisioned[1],
                "NumberOfDecreasesToday": 0,
            }
            item["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
        else:
            item["ProvisionedThroughput"] = {
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
                "NumberOfDecreasesToday": 0,
            }
            item["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            }
        if gsi:
            item["AttributeDefinitions"].append({"AttributeName": gsi, "AttributeType": "S"})
            g: dict[str, Any] = {
                "IndexName": f"{gsi}-index",
                "KeySchema": [
                    {"AttributeName": gsi, "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "IndexStatus": "ACTIVE",
                "IndexSizeBytes": items * 80,
                "ItemCount": items,
                "IndexArn": self.arn("dynamodb", f"table/{name}/index/{gsi}-index"),
            }
            if provisioned:
                g["ProvisionedThroughput"] = {
                    "ReadCapacityUnits": provisioned[0],
                    "WriteCapacityUnits": provisioned[1],
                    "NumberOfDecreasesToday": 0,
                }
            item["GlobalSecondaryIndexes"] = [g]
        self.res("dynamodb", "TableDescription", item)
        return item

    def user_pool(self, pool_id: str, name: str) -> None:
        self.res(
            "cognito-idp",
            "UserPoolType",
            {
                "Id": pool_id,
                "Name": name,
                "Status": "Enabled",
                "LastModifiedDate": iso(self.day - timedelta(days=self.rng.randint(20, 90))),
                "CreationDate": iso(self.day - timedelta(days=800)),
                "MfaConfiguration": "OPTIONAL",
                "EstimatedNumberOfUsers": self.rng.randint(20000, 90000),
                "Arn": self.arn("cognito-idp", f"userpool/{pool_id}"),
                "UserPoolTier": "ESSENTIALS",
                "DeletionProtection": "ACTIVE",
            },
        )

    def minutes(self, start: datetime, end: datetime, step: int = 60) -> list[datetime]:
        out = []
        t = start
        while t < end:
            out.append(t)
            t += timedelta(seconds=step)
        return out

    def records(self) -> dict[str, list[dict[str, Any]]]:
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda r: r["Timestamp"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        out: dict[str, list[dict[str, Any]]] = {
            "cloudtrail": self.cloudtrail,
            "metrics": self.metrics,
            "logs": self.logs,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "resources": self.resources,
        }
        if self.events:
            out["events"] = self.events
        return out


ACCESS_FIELDS = (
    "requestId",
    "ip",
    "requestTime",
    "httpMethod",
    "resourcePath",
    "status",
    "responseLength",
    "apiKeyId",
    "tenant",
    "integrationLatency",
    "errorMessage",
)


def access_line(*values: object) -> str:
    """One API Gateway access-log line in the stage's JSON format (every $context value is a string)."""
    return json.dumps({k: str(v) for k, v in zip(ACCESS_FIELDS, values, strict=True)}, separators=(",", ":"))


READ_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
    ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
    ("dynamodb.amazonaws.com", "ListTables", {}),
    ("apigateway.amazonaws.com", "GetRestApis", {"limit": 500}),
    ("apigateway.amazonaws.com", "GetUsagePlans", {"limit": 500}),
    ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
    ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
    ("cognito-idp.amazonaws.com", "ListUserPools", {"maxResults": 60}),
]


def std_ct_noise(w: World, start: datetime, end: datetime, tables: list[str], n: int = 40) -> None:
    calls = list(READ_CALLS) + [("dynamodb.amazonaws.com", "DescribeTable", {"tableName": t}) for t in tables]
    w.tooling_noise(start, end, calls, n)
    # Lambda rotates its execution-role credentials; the service role for autoscaling reads tables
    for i in range(int((end - start).total_seconds() // 3600) + 1):
        t = start + timedelta(minutes=60 * i + w.rng.randint(1, 50))
        if t >= end:
            break
        w.ct(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            w.role_identity("tenant-api-authorizer-role", "tenant-api-authorizer"),
            {
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "encryptionContext": {"LambdaFunctionName": "tenant-api-authorizer"},
            },
            None,
            read_only=True,
            agent="lambda.amazonaws.com",
            ip="lambda.amazonaws.com",
        )


__all__ = ["READ_CALLS", "UTC", "World", "iso", "ms", "std_ct_noise"]
