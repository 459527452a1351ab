"""Private helpers of kit zzzzp: a document-signing SaaS account (HTTP API, Lambda, S3+KMS, DynamoDB, SES, Cognito)."""

from __future__ import annotations

import json
import random
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest

UTC = UTC
REGION = "us-east-1"

FUNCTIONS = {
    "docsign-envelopes-api": {"mem": 1024, "timeout": 15, "dur": 85.0},
    "docsign-upload-api": {"mem": 1024, "timeout": 29, "dur": 420.0},
    "docsign-seal-document": {"mem": 2048, "timeout": 30, "dur": 1900.0},
    "docsign-notify-signers": {"mem": 512, "timeout": 20, "dur": 140.0},
    "docsign-webhook-dispatcher": {"mem": 512, "timeout": 15, "dur": 260.0},
}


def clock(t: datetime) -> str:
    """A wall-clock time in US Eastern, as a person in New York would say it: 10:42am."""
    return t.astimezone(ZoneInfo("America/New_York")).strftime("%I:%M%p").lstrip("0").lower()


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Scene:
    """One account's telemetry under construction."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = str(r.randint(200000000000, 899999999999))
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.day = day
        self.api_id = self.hexid(10)
        self.bucket = f"docsign-documents-prod-{self.account}"
        self.key_id = self.uuid()
        self.key_arn = f"arn:aws:kms:{REGION}:{self.account}:key/{self.key_id}"
        self.pool_id = f"{REGION}_{self.alnum(9)}"
        self.client_id = self.alnum(26).lower()
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.engineers = ["priya.raman", "marcus.oyelaran", "j.lindqvist", "tomas.herrera"]

    # ---- ids -------------------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(n))

    def alnum(self, n: int) -> str:
        return "".join(
            self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            for _ in range(n)
        )

    def req_id(self) -> str:
        return self.uuid()

    # ---- identities ------------------------------------------------------------------------------
    def sso(self, user: str) -> dict[str, Any]:
        role = "AWSReservedSSO_PlatformEngineer_4f1c2a9e7b3d5e60"
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.alnum(17).upper()}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": f"ASIA{self.alnum(16).upper()}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.alnum(17).upper()}",
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.day), "mfaAuthenticated": "false"},
            },
        }

    def role_identity(self, role: str, session: str, invoked_by: str | None = None) -> dict[str, Any]:
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"AROA{self.alnum(17).upper()}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": f"ASIA{self.alnum(16).upper()}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.alnum(17).upper()}",
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.day), "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    # ---- records ---------------------------------------------------------------------------------
    def ct(
        self,
        when: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        req: dict[str, Any] | None,
        resp: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/",
        ip: str | None = None,
        region: str = REGION,
    ) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "kms.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip
            or f"{self.rng.randint(3, 98)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}",
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uuid(),
            "eventID": self.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.trail.append(rec)
        return rec

    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
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

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    # ---- lambda log helpers ----------------------------------------------------------------------
    def stream_name(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t.strftime('%Y/%m/%d')}/[{version}]{self.rng.getrandbits(128):032x}"

    def invocation(
        self,
        fn: str,
        stream: str,
        t: datetime,
        duration: float,
        lines: list[tuple[str, str]],
        *,
        version: str = "$LATEST",
        timed_out: bool = False,
        max_mem: int | None = None,
    ) -> None:
        group = f"/aws/lambda/{fn}"
        rid = self.req_id()
        self.log(group, stream, t, f"START RequestId: {rid} Version: {version}\n")
        step = duration / max(1, len(lines) + 1)
        for i, (level, text) in enumerate(lines):
            lt = t + timedelta(milliseconds=step * (i + 1))
            self.log(
                group,
                stream,
                lt,
                f"{lt.strftime('%Y-%m-%dT%H:%M:%S.')}{lt.microsecond // 1000:03d}Z\t{rid}\t{level}\t{text}\n",
            )
        end = t + timedelta(milliseconds=duration)
        mem = FUNCTIONS[fn]["mem"]
        used = max_mem or int(mem * self.rng.uniform(0.12, 0.22))
        if timed_out:
            self.log(
                group,
                stream,
                end,
                f"{end.strftime('%Y-%m-%dT%H:%M:%S.')}{end.microsecond // 1000:03d}Z {rid} Task timed out after {duration / 1000:.2f} seconds\n\n",
            )
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        self.log(
            group,
            stream,
            end,
            f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {int(duration) + 1} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t\n",
        )

    # ---- alarms ----------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        desc: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        *,
        period: int = 60,
        evals: int = 3,
        dta: int | None = None,
        op: str = "GreaterThanOrEqualToThreshold",
        state: str = "OK",
        since: datetime,
        reason: str = "",
        missing: str = "notBreaching",
        unit: str | None = None,
    ) -> dict[str, Any]:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{self.account}:alarm:{name}",
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [f"arn:aws:sns:{REGION}:{self.account}:docsign-oncall"],
            "AlarmActions": [f"arn:aws:sns:{REGION}:{self.account}:docsign-oncall"],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason or "Threshold Crossed: no datapoints were breaching the threshold.",
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta or evals,
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
            "oldState": {"stateValue": old},
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

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, prev_t: datetime
    ) -> dict[str, Any]:
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": REGION,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold.",
                    "timestamp": prev_t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
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

    # ---- the standard account ---------------------------------------------------------------------
    def base_resources(self, *, audit_wcu: int = 0, audit_max: int = 0) -> None:
        a = self.account
        created = self.day - timedelta(days=410)
        self.res(
            "apigatewayv2",
            "Api",
            {
                "ApiEndpoint": f"https://{self.api_id}.execute-api.{REGION}.amazonaws.com",
                "ApiId": self.api_id,
                "ApiKeySelectionExpression": "$request.header.x-api-key",
                "CreatedDate": iso(created),
                "DisableExecuteApiEndpoint": False,
                "Name": "docsign-public-api",
                "ProtocolType": "HTTP",
                "RouteSelectionExpression": "$request.method $request.path",
                "Tags": {"service": "docsign", "env": "prod"},
            },
        )
        self.res(
            "apigatewayv2",
            "ApiStage",
            {
                "ApiId": self.api_id,
                "StageName": "prod",
                "AutoDeploy": True,
                "CreatedDate": iso(created),
                "LastUpdatedDate": iso(self.day - timedelta(days=3)),
                "DeploymentId": self.hexid(6),
                "AccessLogSettings": {
                    "DestinationArn": f"arn:aws:logs:{REGION}:{a}:log-group:/aws/apigateway/docsign-public-api/prod",
                    "Format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","routeKey":"$context.routeKey","status":"$context.status","responseLength":"$context.responseLength","integrationStatus":"$context.integrationStatus","integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error","latency":"$context.responseLatency"}',
                },
                "DefaultRouteSettings": {
                    "DetailedMetricsEnabled": False,
                    "ThrottlingBurstLimit": 5000,
                    "ThrottlingRateLimit": 10000.0,
                },
            },
        )
        auth_id = self.hexid(6)
        routes = [
            ("POST /v1/envelopes", "docsign-envelopes-api"),
            ("GET /v1/envelopes/{envelopeId}", "docsign-envelopes-api"),
            ("POST /v1/envelopes/{envelopeId}/sign", "docsign-envelopes-api"),
            ("PUT /v1/envelopes/{envelopeId}/documents/{documentId}", "docsign-upload-api"),
        ]
        integ = {fn: self.hexid(7) for fn in ("docsign-envelopes-api", "docsign-upload-api")}
        for fn, iid in integ.items():
            self.res(
                "apigatewayv2",
                "ApiIntegration",
                {
                    "ApiId": self.api_id,
                    "IntegrationId": iid,
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationMethod": "POST",
                    "IntegrationUri": f"arn:aws:lambda:{REGION}:{a}:function:{fn}",
                    "PayloadFormatVersion": "2.0",
                    "TimeoutInMillis": 30000,
                    "ConnectionType": "INTERNET",
                },
            )
        for key, fn in routes:
            self.res(
                "apigatewayv2",
                "ApiRoute",
                {
                    "ApiId": self.api_id,
                    "RouteId": self.hexid(7),
                    "RouteKey": key,
                    "AuthorizationType": "JWT",
                    "AuthorizerId": auth_id,
                    "Target": f"integrations/{integ[fn]}",
                    "ApiKeyRequired": False,
                },
            )
        for fn, spec in FUNCTIONS.items():
            env = {"TABLE_NAME": "docsign-envelopes", "AUDIT_TABLE": "docsign-audit-log", "LOG_LEVEL": "info"}
            if fn in ("docsign-upload-api", "docsign-seal-document"):
                env["DOCUMENTS_BUCKET"] = self.bucket
                env["DOCUMENTS_KMS_KEY_ID"] = self.key_arn
            if fn == "docsign-seal-document":
                env["TSA_URL"] = "http://timestamp.digicert.com"
                env["TSA_TIMEOUT_MS"] = "8000"
            if fn == "docsign-notify-signers":
                env["SES_CONFIGURATION_SET"] = "docsign-transactional"
                env["FROM_ADDRESS"] = "no-reply@mail.inkwellsign.com"
            self.res(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{REGION}:{a}:function:{fn}",
                    "Runtime": "nodejs20.x",
                    "Role": f"arn:aws:iam::{a}:role/{fn}-role",
                    "Handler": "dist/handler.main",
                    "CodeSize": self.rng.randint(800_000, 4_000_000),
                    "Description": "",
                    "Timeout": spec["timeout"],
                    "MemorySize": spec["mem"],
                    "LastModified": (self.day - timedelta(days=self.rng.randint(2, 30))).strftime(
                        "%Y-%m-%dT%H:%M:%S.000+0000"
                    ),
                    "CodeSha256": self.alnum(43) + "=",
                    "Version": "$LATEST",
                    "Environment": {"Variables": env},
                    "TracingConfig": {"Mode": "PassThrough"},
                    "RevisionId": self.uuid(),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
                },
            )
            self.res(
                "iam",
                "Role",
                {
                    "Path": "/",
                    "RoleName": f"{fn}-role",
                    "RoleId": f"AROA{self.alnum(17).upper()}",
                    "Arn": f"arn:aws:iam::{a}:role/{fn}-role",
                    "CreateDate": iso(created),
                    "AssumeRolePolicyDocument": urllib.parse.quote(
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
            self.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": f"/aws/lambda/{fn}",
                    "creationTime": ms(created),
                    "retentionInDays": 30,
                    "arn": f"arn:aws:logs:{REGION}:{a}:log-group:/aws/lambda/{fn}:*",
                    "storedBytes": self.rng.randint(10**8, 10**10),
                },
            )
        for table, pk in (("docsign-envelopes", "envelopeId"), ("docsign-audit-log", "envelopeId")):
            item: dict[str, Any] = {
                "TableName": table,
                "TableArn": f"arn:aws:dynamodb:{REGION}:{a}:table/{table}",
                "TableId": self.uuid(),
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(created),
                "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}]
                + (
                    [{"AttributeName": "eventAt", "KeyType": "RANGE"}] if table == "docsign-audit-log" else []
                ),
                "AttributeDefinitions": [{"AttributeName": pk, "AttributeType": "S"}]
                + (
                    [{"AttributeName": "eventAt", "AttributeType": "S"}]
                    if table == "docsign-audit-log"
                    else []
                ),
                "ItemCount": self.rng.randint(2_000_000, 9_000_000)
                * (6 if table == "docsign-audit-log" else 1),
                "TableSizeBytes": self.rng.randint(10**9, 9 * 10**9),
                "DeletionProtectionEnabled": True,
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{REGION}:{a}:key/{self.uuid()}",
                },
            }
            if table == "docsign-audit-log" and audit_wcu:
                item["ProvisionedThroughput"] = {
                    "ReadCapacityUnits": 50,
                    "WriteCapacityUnits": audit_wcu,
                    "NumberOfDecreasesToday": 1,
                    "LastIncreaseDateTime": iso(self.day + timedelta(hours=13)),
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
            self.res("dynamodb", "TableDescription", item)
        if audit_max:
            self.res(
                "application-autoscaling",
                "ScalableTarget",
                {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": "table/docsign-audit-log",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "MinCapacity": 50,
                    "MaxCapacity": audit_max,
                    "RoleARN": f"arn:aws:iam::{a}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                    "CreationTime": iso(created),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": False,
                        "DynamicScalingOutSuspended": False,
                        "ScheduledScalingSuspended": False,
                    },
                },
            )
        self.res("s3", "Bucket", {"Name": self.bucket, "CreationDate": iso(created)})
        self.res(
            "kms",
            "KeyMetadata",
            {
                "AWSAccountId": a,
                "KeyId": self.key_id,
                "Arn": self.key_arn,
                "CreationDate": iso(created),
                "Enabled": True,
                "Description": "docsign documents bucket SSE-KMS",
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeyState": "Enabled",
                "Origin": "AWS_KMS",
                "KeyManager": "CUSTOMER",
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": False,
            },
        )
        for q in ("docsign-seal-queue", "docsign-notify-queue"):
            url = f"https://sqs.{REGION}.amazonaws.com/{a}/{q}"
            self.res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": url,
                    "Attributes": {
                        "QueueArn": f"arn:aws:sqs:{REGION}:{a}:{q}",
                        "VisibilityTimeout": "180",
                        "MessageRetentionPeriod": "345600",
                        "ReceiveMessageWaitTimeSeconds": "20",
                        "RedrivePolicy": json.dumps(
                            {"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{a}:{q}-dlq", "maxReceiveCount": 5}
                        ),
                        "CreatedTimestamp": str(int(created.timestamp())),
                    },
                    "Tags": {"service": "docsign"},
                },
            )
        self.res(
            "cognito-idp",
            "UserPoolType",
            {
                "Id": self.pool_id,
                "Name": "docsign-users-prod",
                "Status": "Enabled",
                "LastModifiedDate": iso(self.day - timedelta(days=60)),
                "CreationDate": iso(created),
                "MfaConfiguration": "OPTIONAL",
                "EstimatedNumberOfUsers": self.rng.randint(40_000, 160_000),
                "Arn": f"arn:aws:cognito-idp:{REGION}:{a}:userpool/{self.pool_id}",
            },
        )

    def noise_trail(self, start: datetime, end: datetime, n: int = 40) -> None:
        """Read-only tooling, routine KMS use and unrelated console browsing."""
        span = int((end - start).total_seconds())
        mon = self.role_identity("datadog-integration-role", "DatadogAWSIntegration")
        ci = self.role_identity("github-actions-deploy", f"gha-{self.rng.randint(10**9, 10**10)}")
        reads: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]] = [
            ("lambda.amazonaws.com", "ListFunctions20150331", mon, {}),
            ("monitoring.amazonaws.com", "DescribeAlarms", mon, {"maxRecords": 100}),
            ("apigateway.amazonaws.com", "GetApis", mon, {}),
            ("dynamodb.amazonaws.com", "DescribeTable", mon, {"tableName": "docsign-envelopes"}),
            ("dynamodb.amazonaws.com", "DescribeTable", mon, {"tableName": "docsign-audit-log"}),
            ("sqs.amazonaws.com", "ListQueues", mon, {}),
            (
                "s3.amazonaws.com",
                "GetBucketTagging",
                mon,
                {"bucketName": self.bucket, "Host": f"{self.bucket}.s3.amazonaws.com", "tagging": ""},
            ),
            ("tagging.amazonaws.com", "GetResources", mon, {"resourceTypeFilters": ["lambda:function"]}),
            (
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                ci,
                {"functionName": "docsign-webhook-dispatcher"},
            ),
            ("iam.amazonaws.com", "GetRole", ci, {"roleName": "docsign-webhook-dispatcher-role"}),
            ("ses.amazonaws.com", "GetAccount", mon, None),
            ("cognito-idp.amazonaws.com", "DescribeUserPool", mon, {"userPoolId": self.pool_id}),
        ]
        for _ in range(n):
            src, name, ident, req = self.rng.choice(reads)
            t = start + timedelta(seconds=self.rng.randint(0, span))
            agent = (
                "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"
                if ident is mon
                else "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22"
            )
            region = "us-east-1"
            self.ct(t, src, name, ident, req, None, read_only=True, agent=agent, region=region)
        # routine KMS decrypts from the seal worker (S3 SSE-KMS reads)
        seal = self.role_identity("docsign-seal-document-role", "docsign-seal-document")
        for _ in range(max(6, n // 4)):
            t = start + timedelta(seconds=self.rng.randint(0, span))
            self.ct(
                t,
                "kms.amazonaws.com",
                "Decrypt",
                seal,
                {
                    "encryptionContext": {
                        "aws:s3:arn": f"arn:aws:s3:::{self.bucket}/tenants/{self.hexid(12)}/envelopes/{self.uuid()}/original.pdf"
                    },
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                },
                None,
                read_only=True,
                agent="s3.amazonaws.com",
                ip="s3.amazonaws.com",
            )
            self.trail[-1]["resources"] = [
                {"accountId": self.account, "type": "AWS::KMS::Key", "ARN": self.key_arn}
            ]

    def deploy(self, t: datetime, fn: str, who: str = "ci") -> dict[str, Any]:
        ident = self.role_identity("github-actions-deploy", f"gha-{self.rng.randint(10**9, 10**10)}")
        sha = self.alnum(43) + "="
        rec = self.ct(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            ident,
            {"functionName": fn, "publish": False, "dryRun": False, "architectures": ["arm64"]},
            {
                "functionName": fn,
                "functionArn": f"arn:aws:lambda:{REGION}:{self.account}:function:{fn}",
                "runtime": "nodejs20.x",
                "role": f"arn:aws:iam::{self.account}:role/{fn}-role",
                "handler": "dist/handler.main",
                "codeSize": self.rng.randint(800_000, 4_000_000),
                "timeout": FUNCTIONS[fn]["timeout"],
                "memorySize": FUNCTIONS[fn]["mem"],
                "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "codeSha256": sha,
                "version": "$LATEST",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "packageType": "Zip",
            },
            agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
            ip="4.227.133.10",
        )
        return rec

    def bundle(
        self,
        title: str,
        start: datetime,
        now: datetime,
        trigger: dict[str, Any],
        truth: dict[str, Any],
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": REGION,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        self.trail.sort(key=lambda r: r["eventTime"])
        self.metrics.sort(key=lambda m: m["timestamp"])
        self.history.sort(key=lambda h: h["Timestamp"])
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": self.metrics,
            "logs": [e for e in self.logs if e["timestamp"] <= ms(now)],
            "cloudtrail": [r for r in self.trail if r["eventTime"] <= iso(now)],
            "resources": self.resources,
            "alarms": self.alarms,
            "alarm_history": [h for h in self.history if h["Timestamp"] <= iso(now)],
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def diurnal(t: datetime, peak: float) -> float:
    """Traffic shape by US Eastern business hours (UTC-5): ramps 12:00-15:00Z, flat until 21:00Z."""
    h = t.hour + t.minute / 60.0
    if h < 11:
        f = 0.25
    elif h < 15:
        f = 0.25 + 0.75 * (h - 11) / 4
    elif h < 21:
        f = 1.0
    else:
        f = max(0.3, 1.0 - 0.2 * (h - 21))
    return peak * f


Mod = Callable[[str, datetime, float], float]
LogHook = Callable[[str, datetime], "tuple[float, list[tuple[str, str]], bool] | None"]

NORMAL_LINES: dict[str, list[tuple[str, str]]] = {
    "docsign-envelopes-api": [
        ("INFO", "GET /v1/envelopes/{envelopeId} 200"),
        ("INFO", "POST /v1/envelopes 201 recipients=2"),
    ],
    "docsign-upload-api": [("INFO", "stored document pages=6 bytes=482113 sse=aws:kms")],
    "docsign-seal-document": [
        ("INFO", "sealing envelope: 3 documents, 2 signatures"),
        ("INFO", "TSA token received from http://timestamp.digicert.com in 212ms"),
        ("INFO", "sealed PDF written; audit trail appended"),
    ],
    "docsign-notify-signers": [("INFO", "SES SendEmail ok template=signing-request messageId=0100018c")],
    "docsign-webhook-dispatcher": [("INFO", "delivered envelope.completed webhook status=200")],
}


def traffic(
    sc: Scene,
    start: datetime,
    now: datetime,
    peak: float,
    mod: Mod | None = None,
    log_hook: LogHook | None = None,
) -> None:
    """Per-minute telemetry of the whole product, with `mod` bending any series and `log_hook` any sampled invocation."""
    r = sc.rng

    def m(key: str, t: datetime, v: float) -> float:
        return max(0.0, mod(key, t, v)) if mod else v

    api = {"ApiId": sc.api_id, "Stage": "prod"}
    streams = {fn: sc.stream_name(start) for fn in FUNCTIONS}
    share = {
        "docsign-envelopes-api": 0.84,
        "docsign-upload-api": 0.16,
        "docsign-seal-document": 0.035,
        "docsign-notify-signers": 0.09,
        "docsign-webhook-dispatcher": 0.07,
    }
    seal_backlog = 0.0
    t = start
    i = 0
    while t <= now:
        count = m("api.count", t, diurnal(t, peak) * r.uniform(0.9, 1.1))
        errs_api = 0.0
        for fn, spec in FUNCTIONS.items():
            dims = {"FunctionName": fn}
            inv = round(m(f"fn.{fn}.invocations", t, count * share[fn] * r.uniform(0.9, 1.1)))
            if inv <= 0:
                continue
            base_err = 1 if r.random() < 0.04 else 0
            err = min(inv, round(m(f"fn.{fn}.errors", t, base_err)))
            thr = round(m(f"fn.{fn}.throttles", t, 0))
            dur = m(f"fn.{fn}.duration", t, spec["dur"] * r.uniform(0.9, 1.1))
            if fn in ("docsign-envelopes-api", "docsign-upload-api"):
                errs_api += err
            sc.metric("AWS/Lambda", "Invocations", dims, t, "Count", inv)
            sc.metric("AWS/Lambda", "Errors", dims, t, "Count", err)
            sc.metric("AWS/Lambda", "Throttles", dims, t, "Count", thr)
            vals = sorted(dur * r.uniform(0.55, 1.5) for _ in range(12))
            sc.dist(
                "AWS/Lambda",
                "Duration",
                dims,
                t,
                "Milliseconds",
                [min(v, spec["timeout"] * 1000.0) for v in vals],
            )
            conc = m(f"fn.{fn}.conc", t, max(1.0, inv * dur / 60000.0 * r.uniform(1.0, 1.6)))
            sc.metric("AWS/Lambda", "ConcurrentExecutions", dims, t, "Count", round(conc))
            if i % 9 == list(FUNCTIONS).index(fn) * 2 or (
                log_hook and log_hook(fn, t) is not None and i % 2 == 0
            ):
                hooked = log_hook(fn, t) if log_hook else None
                if hooked is None:
                    lines = (
                        [r.choice(NORMAL_LINES[fn])] if fn != "docsign-seal-document" else NORMAL_LINES[fn]
                    )
                    sc.invocation(
                        fn,
                        streams[fn],
                        t + timedelta(seconds=r.randint(0, 50)),
                        dur * r.uniform(0.7, 1.3),
                        lines,
                    )
                else:
                    d, lines, timed_out = hooked
                    sc.invocation(
                        fn,
                        streams[fn],
                        t + timedelta(seconds=r.randint(0, 25)),
                        d,
                        lines,
                        timed_out=timed_out,
                    )
        c4 = m("api.4xx", t, count * r.uniform(0.008, 0.016))
        c5 = m("api.5xx", t, (1 if r.random() < 0.05 else 0) + errs_api)
        sc.metric("AWS/ApiGateway", "Count", api, t, "Count", round(count))
        sc.metric("AWS/ApiGateway", "4xx", api, t, "Count", round(c4))
        sc.metric("AWS/ApiGateway", "5xx", api, t, "Count", round(c5))
        lat = m("api.latency", t, 118 * r.uniform(0.9, 1.1))
        sc.dist(
            "AWS/ApiGateway",
            "Latency",
            api,
            t,
            "Milliseconds",
            sorted(lat * r.uniform(0.4, 2.2) for _ in range(12)),
        )
        # queues
        sent = count * 0.035 * r.uniform(0.9, 1.1)
        seal_backlog = m("sqs.seal.backlog", t, seal_backlog * 0.2 + sent * r.uniform(0.02, 0.08))
        for q, s_, vis, age in (
            ("docsign-seal-queue", sent, seal_backlog, m("sqs.seal.age", t, r.uniform(2, 9))),
            (
                "docsign-notify-queue",
                count * 0.09,
                m("sqs.notify.visible", t, r.uniform(0, 3)),
                m("sqs.notify.age", t, r.uniform(1, 6)),
            ),
        ):
            qd = {"QueueName": q}
            sc.metric("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", round(s_))
            sc.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", round(vis))
            sc.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", round(age))
        # dynamodb
        env_w = count * 0.3 * r.uniform(0.9, 1.1)
        sc.metric(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "docsign-envelopes"},
            t,
            "Count",
            round(env_w * 2),
        )
        sc.metric(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": "docsign-envelopes"},
            t,
            "Count",
            round(count * 1.5),
        )
        aw = m("ddb.audit.wcu", t, count * 0.9 * r.uniform(0.9, 1.1) * 60 / 60)
        sc.metric(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "docsign-audit-log"},
            t,
            "Count",
            round(aw),
        )
        # ses and cognito
        sc.metric("AWS/SES", "Send", {}, t, "Count", round(count * 0.09 * r.uniform(0.9, 1.1)))
        sc.metric("AWS/SES", "Delivery", {}, t, "Count", round(count * 0.088 * r.uniform(0.9, 1.1)))
        if r.random() < 0.3:
            sc.metric("AWS/SES", "Bounce", {}, t, "Count", 1)
        cog = {"UserPool": sc.pool_id, "UserPoolClient": sc.client_id}
        sc.metric(
            "AWS/Cognito",
            "SignInSuccesses",
            cog,
            t,
            "Count",
            round(m("cog.signin", t, count * 0.02 * r.uniform(0.8, 1.2))),
        )
        sc.metric(
            "AWS/Cognito",
            "TokenRefreshSuccesses",
            cog,
            t,
            "Count",
            round(m("cog.refresh", t, count * 0.01 * r.uniform(0.8, 1.2))),
        )
        t += timedelta(minutes=1)
        i += 1
