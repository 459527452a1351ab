"""Private helpers for kit zzzzc: a single-page app backend (CloudFront, S3, AppSync, Lambda, DynamoDB, Cognito)."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

REGION = "us-east-1"
MIN = timedelta(minutes=1)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(rng: random.Random, n: int, upper: bool = True) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(n))


def diurnal(t: datetime) -> float:
    """Traffic shape over the day (UTC, US audience): low at night, high in the afternoon."""
    h = t.hour + t.minute / 60.0
    return 0.55 + 0.45 * math.sin((h - 11.0) / 24.0 * 2 * math.pi)


class Account:
    """Collects one bundle's records."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime, end: datetime) -> None:
        self.rng = rng
        self.account = "".join(rng.choice("0123456789") for _ in range(12))
        self.start = start
        self.now = now
        self.end = end
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.traces: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- time
    def minutes(self) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.end:
            out.append(t)
            t += MIN
        return out

    # ---------------------------------------------------------------- metrics
    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        step: int = 1,
    ) -> None:
        for i, t in enumerate(self.minutes()):
            if i % step:
                continue
            v = fn(t)
            if v is None:
                continue
            self.metrics.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": round(v, 3),
                }
            )

    def stats(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], tuple[float, float, float, float] | None],
    ) -> None:
        """fn gives (count, sum, min, max) for the minute."""
        for t in self.minutes():
            s = fn(t)
            if s is None:
                continue
            n, total, lo, hi = s
            self.metrics.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "statistic_values": {
                        "SampleCount": round(n, 3),
                        "Sum": round(total, 3),
                        "Minimum": round(lo, 3),
                        "Maximum": round(hi, 3),
                    },
                }
            )

    # ---------------------------------------------------------------- alarms
    def alarm(
        self,
        name: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        periods: int,
        state: str,
        reason: str,
        changed: datetime,
        topic: str,
        description: str | None = None,
        period: int = 60,
        datapoints: int | None = None,
        treat_missing: str = "notBreaching",
        unit: str | None = None,
    ) -> dict[str, Any]:
        arn = f"arn:aws:cloudwatch:{REGION}:{self.account}:alarm:{name}"
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(changed),
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 200))),
            "MetricName": metric,
            "Namespace": namespace,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": datapoints or periods,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
        }
        if description:
            a["AlarmDescription"] = description
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(self, alarm: dict[str, Any], when: datetime, old: str, new: str, reason: str) -> None:
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(when),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old},
                        "newState": {"stateValue": new, "stateReason": reason},
                    }
                ),
            }
        )
        if new != "OK" or old != "INSUFFICIENT_DATA":
            self.history.append(
                {
                    "AlarmName": alarm["AlarmName"],
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(when + timedelta(seconds=1)),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {alarm['AlarmActions'][0]}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "notificationResource": alarm["AlarmActions"][0],
                            "stateUpdateTimestamp": ms(when),
                        }
                    ),
                }
            )

    def alarm_event(
        self, alarm: dict[str, Any], when: datetime, reason: str, prev_reason: str
    ) -> dict[str, Any]:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        return {
            "version": "0",
            "id": uid(self.rng),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": REGION,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": prev_reason,
                    "timestamp": (when - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": dims,
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

    # ---------------------------------------------------------------- cloudtrail
    def ct(
        self,
        when: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        req: dict[str, Any] | None,
        resp: dict[str, Any] | None,
        read_only: bool,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        region: str = REGION,
        resources: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "iam.amazonaws.com" else "1.08",
            "userIdentity": who,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip or who.get("_ip", "52.94.133.131"),
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": uid(self.rng),
            "eventID": uid(self.rng),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if resources:
            rec["resources"] = resources
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if "_ip" in who:
            rec["userIdentity"] = {k: v for k, v in who.items() if k != "_ip"}
        if source != "iam.amazonaws.com" and read_only:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def role_identity(self, role: str, session: str, ip: str, mfa: bool = False) -> dict[str, Any]:
        rid = "AROA" + alnum(random.Random(role + self.account), 17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + alnum(self.rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(self.start),
                    "mfaAuthenticated": "true" if mfa else "false",
                },
            },
            "_ip": ip,
        }

    def sso(self, person: str, perm: str = "AWSReservedSSO_PowerUser_5d1c3a0b7e2f4a91") -> dict[str, Any]:
        return self.role_identity(
            perm, person, f"73.{len(person) * 7}.{len(person) * 13 % 250}.{len(person) * 3}"
        )

    def noise_reads(self, n: int, functions: list[str], tables: list[str], api_id: str) -> None:
        """Read-only calls from dashboards, IaC drift checks and the security scanner."""
        monitor = self.role_identity("grafana-cloudwatch-reader", "grafana", "34.201.77.18")
        scanner = self.role_identity("SecurityAuditScanner", "prowler-scan", "3.88.214.9")
        tf = self.role_identity("gha-terraform-plan", "GitHubActions", "140.82.112.4")
        span = (self.now - self.start).total_seconds()
        choices: list[tuple[dict[str, Any], str, str, Callable[[], dict[str, Any] | None]]] = [
            (monitor, "monitoring.amazonaws.com", "DescribeAlarms", lambda: {"maxRecords": 100}),
            (monitor, "monitoring.amazonaws.com", "ListMetrics", lambda: {"namespace": "AWS/AppSync"}),
            (scanner, "lambda.amazonaws.com", "ListFunctions20150331", lambda: {"maxItems": 50}),
            (
                scanner,
                "lambda.amazonaws.com",
                "GetFunctionConfiguration20150331v2",
                lambda: {"functionName": self.rng.choice(functions)},
            ),
            (tf, "dynamodb.amazonaws.com", "DescribeTable", lambda: {"tableName": self.rng.choice(tables)}),
            (
                tf,
                "dynamodb.amazonaws.com",
                "DescribeContinuousBackups",
                lambda: {"tableName": self.rng.choice(tables)},
            ),
            (tf, "appsync.amazonaws.com", "GetGraphqlApi", lambda: {"apiId": api_id}),
            (scanner, "s3.amazonaws.com", "ListBuckets", lambda: {"Host": "s3.amazonaws.com"}),
            (tf, "cognito-idp.amazonaws.com", "DescribeUserPool", lambda: None),
            (scanner, "iam.amazonaws.com", "ListRoles", lambda: {"maxItems": 100}),
        ]
        for _ in range(n):
            who, src, name, req = self.rng.choice(choices)
            when = self.start + timedelta(seconds=self.rng.uniform(0, span))
            region = "us-east-1"
            self.ct(
                when,
                src,
                name,
                who,
                req(),
                None,
                True,
                agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux",
                region=region,
            )

    # ---------------------------------------------------------------- logs
    def log(self, group: str, stream: str, when: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(when), "message": message}
        )

    def lambda_invocation(
        self,
        fn: str,
        stream: str,
        when: datetime,
        duration: float,
        memory: int,
        used: int,
        lines: list[tuple[str, str]],
        init: float | None = None,
        timeout: float | None = None,
    ) -> None:
        group = f"/aws/lambda/{fn}"
        rid = uid(self.rng)
        self.log(group, stream, when, f"START RequestId: {rid} Version: $LATEST\n")
        for i, (level, msg) in enumerate(lines):
            t = when + timedelta(milliseconds=(i + 1) * duration / (len(lines) + 1))
            self.log(
                group,
                stream,
                t,
                f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond // 1000:03d}Z\t{rid}\t{level}\t{msg}\n",
            )
        end = when + timedelta(milliseconds=duration)
        if timeout is not None:
            self.log(
                group,
                stream,
                end,
                f"{end.strftime('%Y-%m-%dT%H:%M:%S.')}{end.microsecond // 1000:03d}Z {rid} Task timed out after {timeout:.2f} seconds\n\n",
            )
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = math.ceil(duration)
        report = (
            f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init is not None:
            report += f"Init Duration: {init:.2f} ms\t"
        if timeout is not None:
            report += "Status: timeout"
        self.log(group, stream, end, report + "\n")

    @staticmethod
    def stream_name(rng: random.Random, when: datetime) -> str:
        return f"{when.strftime('%Y/%m/%d')}/[$LATEST]{hexid(rng, 32)}"

    # ---------------------------------------------------------------- resources
    def res(self, service: str, typ: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    def function(
        self,
        name: str,
        role: str,
        memory: int,
        timeout: int,
        modified: datetime,
        env: dict[str, str],
        handler: str = "index.handler",
        runtime: str = "nodejs20.x",
    ) -> dict[str, Any]:
        item = {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:{REGION}:{self.account}:function:{name}",
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{role}",
            "Handler": handler,
            "CodeSize": self.rng.randint(400_000, 3_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": alnum(self.rng, 43, upper=False) + "=",
            "Version": "$LATEST",
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "Active"},
            "RevisionId": uid(self.rng),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        self.res("lambda", "FunctionConfiguration", item)
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{name}",
                "creationTime": ms(self.start - timedelta(days=300)),
                "retentionInDays": 30,
                "arn": f"arn:aws:logs:{REGION}:{self.account}:log-group:/aws/lambda/{name}:*",
                "storedBytes": self.rng.randint(10**7, 10**9),
            },
        )
        return item

    def role(self, name: str, service: str, created: datetime) -> None:
        self.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": "AROA" + alnum(random.Random(name + self.account), 17),
                "Arn": f"arn:aws:iam::{self.account}:role/{name}",
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": quote(
                    json.dumps(
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
                    )
                ),
                "MaxSessionDuration": 3600,
            },
        )

    def table(
        self,
        name: str,
        created: datetime,
        keys: list[tuple[str, str]],
        gsis: list[tuple[str, list[tuple[str, str]]]] | None = None,
        provisioned: tuple[int, int] | None = None,
        items: int = 100000,
    ) -> str:
        tid = uid(self.rng)
        arn = f"arn:aws:dynamodb:{REGION}:{self.account}:table/{name}"
        attrs = {k for k, _ in keys}
        for _, gk in gsis or []:
            attrs |= {k for k, _ in gk}
        item: dict[str, Any] = {
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)],
            "TableName": name,
            "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in keys],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "TableSizeBytes": items * self.rng.randint(300, 900),
            "ItemCount": items,
            "TableArn": arn,
            "TableId": tid,
            "DeletionProtectionEnabled": True,
        }
        if provisioned:
            item["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
            item["ProvisionedThroughput"] = {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": provisioned[0],
                "WriteCapacityUnits": provisioned[1],
            }
        else:
            item["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            }
            item["ProvisionedThroughput"] = {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            }
        if gsis:
            item["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": gname,
                    "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in gk],
                    "Projection": {"ProjectionType": "ALL"},
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "IndexSizeBytes": items * 200,
                    "ItemCount": items,
                    "IndexArn": f"{arn}/index/{gname}",
                }
                for gname, gk in gsis
            ]
        self.res("dynamodb", "TableDescription", item)
        return arn

    def spa_front(
        self, app: str, api_id: str, api_name: str, pool_id: str, created: datetime
    ) -> tuple[str, str]:
        """S3 bucket for the SPA, its policy (CloudFront OAC), the AppSync API and the user pool."""
        bucket = f"{app}-web-{self.account[-6:]}"
        dist = "E" + alnum(self.rng, 13)
        self.res("s3", "Bucket", {"Name": bucket, "CreationDate": iso(created)})
        self.res(
            "s3",
            "BucketPolicy",
            {
                "Bucket": bucket,
                "Policy": {
                    "Version": "2008-10-17",
                    "Id": "PolicyForCloudFrontPrivateContent",
                    "Statement": [
                        {
                            "Sid": "AllowCloudFrontServicePrincipal",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{bucket}/*",
                            "Condition": {
                                "StringEquals": {
                                    "AWS:SourceArn": f"arn:aws:cloudfront::{self.account}:distribution/{dist}"
                                }
                            },
                        }
                    ],
                },
            },
        )
        self.res(
            "appsync",
            "GraphqlApi",
            {
                "name": api_name,
                "apiId": api_id,
                "authenticationType": "AMAZON_COGNITO_USER_POOLS",
                "userPoolConfig": {"userPoolId": pool_id, "awsRegion": REGION, "defaultAction": "ALLOW"},
                "additionalAuthenticationProviders": [{"authenticationType": "API_KEY"}],
                "logConfig": {
                    "fieldLogLevel": "ERROR",
                    "cloudWatchLogsRoleArn": f"arn:aws:iam::{self.account}:role/{app}-appsync-logs",
                    "excludeVerboseContent": True,
                },
                "arn": f"arn:aws:appsync:{REGION}:{self.account}:apis/{api_id}",
                "uris": {
                    "GRAPHQL": f"https://{alnum(self.rng, 26, upper=False)}.appsync-api.{REGION}.amazonaws.com/graphql"
                },
                "xrayEnabled": True,
                "apiType": "GRAPHQL",
                "visibility": "GLOBAL",
                "owner": self.account,
                "introspectionConfig": "DISABLED",
            },
        )
        self.res(
            "cognito-idp",
            "UserPoolType",
            {
                "Id": pool_id,
                "Name": f"{app}-customers",
                "Status": "Enabled",
                "LastModifiedDate": iso(created + timedelta(days=30)),
                "CreationDate": iso(created),
                "MfaConfiguration": "OPTIONAL",
                "EstimatedNumberOfUsers": self.rng.randint(40000, 400000),
                "Arn": f"arn:aws:cognito-idp:{REGION}:{self.account}:userpool/{pool_id}",
                "UsernameAttributes": ["email"],
                "AutoVerifiedAttributes": ["email"],
            },
        )
        return bucket, dist

    def web_traffic(
        self,
        dist: str,
        api_id: str,
        base_rpm: float,
        err5: Callable[[datetime], float] | None = None,
        err4: Callable[[datetime], float] | None = None,
        api5: Callable[[datetime], float] | None = None,
        latency: Callable[[datetime], float] | None = None,
        boost: Callable[[datetime], float] | None = None,
    ) -> None:
        rng = self.rng
        noise = {t: rng.uniform(0.93, 1.07) for t in self.minutes()}

        def load(t: datetime) -> float:
            return base_rpm * diurnal(t) * noise[t] * (boost(t) if boost else 1.0)

        dd = {"DistributionId": dist, "Region": "Global"}
        self.series("AWS/CloudFront", "Requests", dd, "None", lambda t: round(load(t) * 3.2))
        self.series("AWS/CloudFront", "BytesDownloaded", dd, "None", lambda t: round(load(t) * 3.2 * 41000))
        self.series(
            "AWS/CloudFront",
            "4xxErrorRate",
            dd,
            "Percent",
            lambda t: (err4(t) if err4 else 0.0) + rng.uniform(0.4, 1.3),
        )
        self.series(
            "AWS/CloudFront",
            "5xxErrorRate",
            dd,
            "Percent",
            lambda t: (err5(t) if err5 else 0.0) + (rng.choice([0.0, 0.0, 0.0, 0.02, 0.05])),
        )
        ad = {"GraphQLAPIId": api_id}
        self.series("AWS/AppSync", "Requests", ad, "Count", lambda t: round(load(t)))
        self.series(
            "AWS/AppSync", "4XXError", ad, "Count", lambda t: round(load(t) * rng.uniform(0.002, 0.006))
        )
        self.series(
            "AWS/AppSync",
            "5XXError",
            ad,
            "Count",
            lambda t: float(round(api5(t))) if api5 else float(rng.choice([0, 0, 0, 0, 0, 1])),
        )
        self.stats(
            "AWS/AppSync",
            "Latency",
            ad,
            "Milliseconds",
            lambda t: (
                load(t),
                load(t) * ((latency(t) if latency else 0.0) + rng.uniform(55, 75)),
                rng.uniform(8, 14),
                (latency(t) if latency else 0.0) * 3 + rng.uniform(600, 1400),
            ),
        )

    def lambda_metrics(
        self,
        fn: str,
        rpm: Callable[[datetime], float],
        dur: Callable[[datetime], float],
        errors: Callable[[datetime], float] | None = None,
        throttles: Callable[[datetime], float] | None = None,
        dur_max: Callable[[datetime], float] | None = None,
    ) -> None:
        d = {"FunctionName": fn}
        rng = self.rng
        self.series("AWS/Lambda", "Invocations", d, "Count", lambda t: float(round(rpm(t))))
        self.series(
            "AWS/Lambda",
            "Errors",
            d,
            "Count",
            lambda t: float(round(errors(t))) if errors else float(rng.choice([0] * 12 + [1])),
        )
        if throttles:
            self.series("AWS/Lambda", "Throttles", d, "Count", lambda t: float(round(throttles(t))))
        else:
            self.series("AWS/Lambda", "Throttles", d, "Count", lambda t: 0.0)
        self.stats(
            "AWS/Lambda",
            "Duration",
            d,
            "Milliseconds",
            lambda t: (
                max(1.0, round(rpm(t))),
                max(1.0, round(rpm(t))) * dur(t),
                dur(t) * 0.3,
                dur_max(t) if dur_max else dur(t) * rng.uniform(3, 6),
            ),
        )
        self.series(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            lambda t: max(1.0, round(rpm(t) / 60.0 * dur(t) / 1000.0 * rng.uniform(1.5, 2.5))),
        )


def window(rng: random.Random) -> tuple[datetime, datetime, datetime, datetime]:
    """(start, onset, now, end): onset 3h20-4h after start, now 35-60 min after onset."""
    day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
    onset = day + timedelta(
        hours=rng.randint(14, 20), minutes=rng.randint(0, 59), seconds=rng.choice([0, 0, 0])
    )
    start = (onset - timedelta(hours=3, minutes=rng.randint(20, 59))).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(35, 60))
    end = now
    return start, onset, now, end


def manifest(
    acct: Account,
    title: str,
    trigger: dict[str, Any],
    truth: dict[str, Any],
) -> dict[str, Any]:
    return {
        "format": "sleuth-bundle/1",
        "title": title,
        "account_id": acct.account,
        "region": REGION,
        "start": iso(acct.start),
        "end": iso(acct.end),
        "now": iso(acct.now),
        "trigger": trigger,
        "truth": truth,
    }


def records(acct: Account) -> dict[str, list[dict[str, Any]]]:
    acct.trail.sort(key=lambda r: str(r["eventTime"]))
    acct.history.sort(key=lambda r: str(r["Timestamp"]))
    out: dict[str, list[dict[str, Any]]] = {
        "metrics": [m for m in acct.metrics if m["timestamp"] <= iso(acct.now)],
        "alarms": acct.alarms,
        "alarm_history": acct.history,
        "logs": [x for x in acct.logs if x["timestamp"] <= ms(acct.now)],
        "cloudtrail": [r for r in acct.trail if r["eventTime"] <= iso(acct.now)],
        "resources": acct.resources,
    }
    if acct.events:
        out["events"] = acct.events
    if acct.traces:
        out["traces"] = acct.traces
    return out


class Shop:
    """The common account: SPA on CloudFront/S3, AppSync API, Cognito pool, resolvers and tables."""

    def __init__(
        self, acct: Account, app: str, onset: datetime, resolvers: list[str], tables: list[str]
    ) -> None:
        rng = acct.rng
        self.acct = acct
        self.app = app
        self.onset = onset
        self.api_id = alnum(rng, 26, upper=False)
        self.pool_id = f"{REGION}_{alnum(rng, 9, upper=False).capitalize()}"
        created = acct.start - timedelta(days=rng.randint(300, 900))
        self.bucket, self.dist = acct.spa_front(
            app, self.api_id, f"{app}-graphql-prod", self.pool_id, created
        )
        self.topic = f"arn:aws:sns:{REGION}:{acct.account}:{app}-oncall"
        self.resolvers = resolvers
        self.tables = tables
        self.deployer = acct.role_identity("gha-deploy-prod", "GitHubActions", "140.82.115.7")
        acct.noise_reads(rng.randint(34, 52), resolvers, tables, self.api_id)

    def web_deploy(self, when: datetime) -> None:
        """Frontend release: CloudFront invalidation after an S3 sync (object writes are data events)."""
        ref = f"gha-{self.acct.rng.randint(4000000000, 9999999999)}-1"
        inv = "I" + alnum(self.acct.rng, 25)
        self.acct.ct(
            when,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            self.deployer,
            {
                "distributionId": self.dist,
                "invalidationBatch": {
                    "paths": {"quantity": 2, "items": ["/index.html", "/"]},
                    "callerReference": ref,
                },
            },
            {
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{self.dist}/invalidation/{inv}",
                "invalidation": {
                    "id": inv,
                    "status": "InProgress",
                    "createTime": when.strftime("%b %d, %Y, %I:%M:%S %p"),
                    "invalidationBatch": {
                        "paths": {"quantity": 2, "items": ["/index.html", "/"]},
                        "callerReference": ref,
                    },
                },
            },
            False,
            agent="aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux md/arch#x86_64 lang/python#3.11.9 command/cloudfront.create-invalidation",
        )

    def code_deploy(self, fn: str, when: datetime) -> dict[str, Any]:
        acct = self.acct
        return acct.ct(
            when,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            self.deployer,
            {"functionName": fn, "publish": False, "dryRun": False, "architectures": ["arm64"]},
            {
                "functionName": fn,
                "functionArn": f"arn:aws:lambda:{REGION}:{acct.account}:function:{fn}",
                "runtime": "nodejs20.x",
                "role": f"arn:aws:iam::{acct.account}:role/{fn}-role",
                "handler": "index.handler",
                "codeSize": acct.rng.randint(400000, 3000000),
                "description": "",
                "timeout": 10,
                "memorySize": 512,
                "lastModified": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "codeSha256": alnum(acct.rng, 43, upper=False) + "=",
                "version": "$LATEST",
                "tracingConfig": {"mode": "Active"},
                "revisionId": uid(acct.rng),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "lastUpdateStatusReason": "The function is being created.",
                "lastUpdateStatusReasonCode": "Creating",
                "packageType": "Zip",
                "architectures": ["arm64"],
            },
            False,
            agent="aws-sdk-js/3.592.0 ua/2.1 os/linux#6.5.0-1022-azure lang/js md/nodejs#20.14.0 api/lambda#3.592.0",
        )

    def cognito_traffic(self, client: str, base: float) -> None:
        acct = self.acct
        d = {"UserPool": self.pool_id, "UserPoolClient": client}
        acct.series(
            "AWS/Cognito",
            "SignInSuccesses",
            d,
            "Count",
            lambda t: float(round(base * diurnal(t) * acct.rng.uniform(0.8, 1.2))),
        )
        acct.series(
            "AWS/Cognito",
            "TokenRefreshSuccesses",
            d,
            "Count",
            lambda t: float(round(base * 4 * diurnal(t) * acct.rng.uniform(0.8, 1.2))),
        )

    def resolver_logs(
        self,
        fn: str,
        every: int,
        lines: Callable[[datetime], list[tuple[str, str]]],
        dur: Callable[[datetime], float],
        memory: int = 512,
        timeout: Callable[[datetime], float | None] | None = None,
    ) -> None:
        acct = self.acct
        rng = acct.rng
        stream = Account.stream_name(rng, acct.start)
        t = acct.start + timedelta(seconds=rng.randint(5, 50))
        while t < acct.now:
            if rng.random() < 0.02:
                stream = Account.stream_name(rng, t)
                init: float | None = rng.uniform(280, 520)
            else:
                init = None
            acct.lambda_invocation(
                fn,
                stream,
                t,
                dur(t),
                memory,
                rng.randint(88, 140),
                lines(t),
                init=init,
                timeout=timeout(t) if timeout else None,
            )
            t += timedelta(seconds=rng.randint(every // 2, every * 3 // 2))
