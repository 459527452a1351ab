"""Private helpers for kit zzzk: a payments account (API Gateway, Lambda, Aurora MySQL via RDS Proxy)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Account:
    """One payments account with its baseline telemetry; incidents add their own story on top."""

    def __init__(self, seed: int, tag: str) -> None:
        self.r = random.Random(f"{tag}-{seed}")
        r = self.r
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        self.region = r.choice(["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.start = day.replace(hour=r.randint(6, 11), minute=r.choice([0, 15, 30, 45]))
        self.onset = self.start + timedelta(hours=3, minutes=r.randint(10, 50))
        self.now = self.onset + timedelta(minutes=r.randint(38, 60))
        self.end = self.now
        self.api_id = self.hexid(10)
        self.key_id = str(uuid.UUID(int=r.getrandbits(128), version=4))
        self.cluster = "payments-aurora"
        self.writer = "payments-aurora-1"
        self.reader = "payments-aurora-2"
        self.proxy = "payments-db-proxy"
        self.secret_name = "payments/aurora/app"
        self.secret_arn = (
            f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{self.secret_name}-{self.hexid(6)}"
        )
        self.vpc = "vpc-" + self.hexid(17)
        self.subnets = ["subnet-" + self.hexid(17) for _ in range(3)]
        self.lambda_sg = "sg-" + self.hexid(17)
        self.db_sg = "sg-" + self.hexid(17)
        self.cluster_resource_id = "cluster-" + "".join(
            r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26)
        )
        self.functions = [
            "payments-authorize",
            "payments-capture",
            "payments-refund",
            "settlement-post-batch",
        ]
        self.sm_name = "payments-settlement"
        self.instance_class = "db.r6g.large"
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.ct: list[Rec] = []
        self.resources: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.events: list[Rec] = []
        self.people = [
            ("AWSReservedSSO_PaymentsEngineer_" + self.hexid(16), "priya.nair@" + "paystream.io"),
            ("AWSReservedSSO_PaymentsEngineer_" + self.hexid(16), "tom.becker@" + "paystream.io"),
            ("AWSReservedSSO_PlatformAdmin_" + self.hexid(16), "lena.okafor@" + "paystream.io"),
        ]

    @property
    def tz(self) -> str:
        return {
            "eu-west-1": "Europe/London",
            "eu-central-1": "Europe/Berlin",
            "us-east-1": "America/New_York",
            "us-west-2": "America/Los_Angeles",
        }[self.region]

    def clock(self, t: datetime) -> str:
        """A clock time as the asker would say it, in their zone."""
        loc = t.astimezone(ZoneInfo(self.tz))
        h = loc.hour % 12 or 12
        return f"{h}:{loc.minute:02d}{'am' if loc.hour < 12 else 'pm'}"

    # --- ids --------------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def fn_arn(self, name: str) -> str:
        return self.arn("lambda", f"function:{name}")

    @property
    def key_arn(self) -> str:
        return self.arn("kms", f"key/{self.key_id}")

    @property
    def sm_arn(self) -> str:
        return self.arn("states", f"stateMachine:{self.sm_name}")

    # --- identities -------------------------------------------------------------------------------
    def sso(self, i: int) -> Rec:
        role, email = self.people[i]
        pid = "AROA" + self.hexid(17).upper()
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{email}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{email}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hexid(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def role_id(self, role: str, session: str) -> Rec:
        pid = "AROA" + self.hexid(17).upper()
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hexid(16).upper(),
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

    def ci(self) -> Rec:
        return self.role_id("github-actions-deploy", "GitHubActions")

    # --- CloudTrail -------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        who: Rec,
        req: Rec | None,
        resp: Rec | None = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        resources: list[Rec] | None = None,
    ) -> str:
        eid = self.uid()
        rec: Rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": f"{source}.amazonaws.com",
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"{self.r.choice([34, 52, 18])}.{self.r.randint(1, 250)}.{self.r.randint(1, 250)}.{self.r.randint(1, 250)}",
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
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
                "clientProvidedHostHeader": f"{source}.{self.region}.amazonaws.com",
            },
        }
        if resources:
            rec["resources"] = resources
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.ct.append(rec)
        return eid

    def tooling_noise(self, n: int = 40) -> None:
        """Read-only calls from the monitoring integration and engineers' consoles."""
        dd = self.role_id("DatadogIntegrationRole", "DatadogAWSIntegration")
        calls = [
            ("lambda", "ListFunctions20150331", {"functionVersion": "ALL"}),
            ("rds", "DescribeDBInstances", None),
            ("rds", "DescribeDBClusters", None),
            ("rds", "DescribeDBProxies", None),
            ("apigateway", "GetRestApis", {"limit": 500}),
            ("states", "ListStateMachines", None),
            ("kms", "ListKeys", {"limit": 1000}),
            ("secretsmanager", "ListSecrets", {"maxResults": 100}),
            ("sqs", "ListQueues", None),
        ]
        total = (self.now - self.start).total_seconds()
        for _ in range(n):
            t = self.start + timedelta(seconds=self.r.uniform(0, total))
            src, name, req = self.r.choice(calls)
            self.trail(t, src, name, dd, req, None, read_only=True, agent="Datadog", ip="3.233.147.12")
        # Lambda pulling the DB secret through the proxy's role and KMS decrypts by Secrets Manager
        for _ in range(n // 4):
            t = self.start + timedelta(seconds=self.r.uniform(0, total))
            self.trail(
                t,
                "secretsmanager",
                "GetSecretValue",
                self.role_id("payments-db-proxy-role", "rds-proxy-" + self.hexid(8)),
                {"secretId": self.secret_arn},
                None,
                read_only=True,
                agent="rds.amazonaws.com",
                ip="rds.amazonaws.com",
            )
        for _ in range(n // 4):
            t = self.start + timedelta(seconds=self.r.uniform(0, total))
            self.trail(
                t,
                "kms",
                "Decrypt",
                self.role_id("payments-db-proxy-role", "rds-proxy-" + self.hexid(8)),
                {
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    "encryptionContext": {"SecretARN": self.secret_arn, "SecretVersionId": self.uid()},
                },
                None,
                read_only=True,
                agent="secretsmanager.amazonaws.com",
                ip="secretsmanager.amazonaws.com",
                resources=[{"accountId": self.account, "type": "AWS::KMS::Key", "ARN": self.key_arn}],
            )

    def innocent_lambda_deploy(self, t: datetime, fn: str) -> str:
        sha = self.hexid(40)
        eid = self.trail(
            t,
            "lambda",
            "UpdateFunctionCode20150331v2",
            self.ci(),
            {
                "functionName": fn,
                "s3Bucket": f"paystream-artifacts-{self.account}",
                "s3Key": f"{fn}/{sha}.zip",
                "publish": True,
            },
            {
                "functionName": fn,
                "functionArn": self.fn_arn(fn),
                "runtime": "python3.12",
                "handler": "app.handler",
                "codeSize": self.r.randint(2_000_000, 9_000_000),
                "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "version": str(self.r.randint(40, 200)),
                "state": "Pending",
                "lastUpdateStatus": "InProgress",
            },
            agent="Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.5.0-1017-azure md/arch#x86_64 lang/python#3.12.3 cfg/retry-mode#legacy Botocore/1.34.84",
        )
        return eid

    # --- metrics ----------------------------------------------------------------------------------
    def minutes(self, step: int = 60) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.end:
            out.append(t)
            t += timedelta(seconds=step)
        return out

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        step: int = 60,
        stats: bool = False,
    ) -> None:
        for t in self.minutes(step):
            v = fn(t)
            if v is None:
                continue
            row: Rec = {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
            }
            if stats:
                n = max(1.0, round(v))
                row["statistic_values"] = {
                    "SampleCount": n,
                    "Sum": round(v, 3),
                    "Minimum": 0.0,
                    "Maximum": 1.0,
                }
            else:
                row["value"] = round(v, 3)
            self.metrics.append(row)

    def traffic(self, t: datetime, peak: float) -> float:
        """Requests a minute: daytime curve plus noise."""
        h = t.hour + t.minute / 60
        shape = 0.55 + 0.45 * max(0.0, 1 - abs(h - 13) / 9)
        return max(1.0, peak * shape * self.r.uniform(0.9, 1.1))

    # --- alarms -----------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        period: int,
        evals: int,
        state: str,
        reason: str,
        updated: datetime,
        desc: str = "",
        topic: str = "payments-oncall",
        unit: str | None = None,
    ) -> Rec:
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.r.randint(20, 200))),
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
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": "notBreaching",
        }
        if unit:
            a["Unit"] = unit
        if not desc:
            del a["AlarmDescription"]
        self.alarms.append(a)
        return a

    def transition(self, name: str, t: datetime, old: str, new: str, reason: str) -> None:
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": _json(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old},
                        "newState": {"stateValue": new, "stateReason": reason},
                    }
                ),
            }
        )
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t + timedelta(milliseconds=180)),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {self.arn('sns', 'payments-oncall')}",
                "HistoryData": _json(
                    {
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": ms(t),
                        "notificationResource": self.arn("sns", "payments-oncall"),
                        "publishedMessage": "{...}",
                    }
                ),
            }
        )

    def alarm_event(self, a: Rec, t: datetime, reason: str, prev_reason: str) -> Rec:
        return {
            "version": "0",
            "id": self.uid(),
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
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {"value": "OK", "reason": prev_reason, "timestamp": iso(self.start)},
                "configuration": {
                    "metrics": [
                        {
                            "id": self.uid(),
                            "metricStat": {
                                "metric": {
                                    "namespace": a["Namespace"],
                                    "name": a["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                                },
                                "period": a["Period"],
                                "stat": a.get("Statistic") or a["ExtendedStatistic"],
                            },
                            "returnData": True,
                        }
                    ]
                },
            },
        }

    # --- logs -------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, msg: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg})

    def lambda_stream(self, fn: str, t: datetime) -> str:
        return f"{t.strftime('%Y/%m/%d')}/[$LATEST]{self.hexid(32)}"

    def invocation(
        self, fn: str, stream: str, t: datetime, dur: float, lines: list[str], mem: int = 512, used: int = 140
    ) -> None:
        rid = self.uid()
        g = f"/aws/lambda/{fn}"
        self.log(g, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        for i, line in enumerate(lines):
            self.log(g, stream, t + timedelta(milliseconds=5 + i), line.replace("{rid}", rid))
        end = t + timedelta(milliseconds=dur)
        self.log(g, stream, end, f"END RequestId: {rid}\n")
        billed = int(dur) + 1
        self.log(
            g,
            stream,
            end,
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t\n",
        )

    # --- resources --------------------------------------------------------------------------------
    def res(self, service: str, typ: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    def base_resources(self, proxy_max_pct: int = 90, authorize_env_key: bool = False) -> None:
        created = self.start - timedelta(days=400)
        self.res(
            "apigateway",
            "RestApi",
            {
                "id": self.api_id,
                "name": "payments-api",
                "createdDate": iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
            },
        )
        self.res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": self.api_id,
                "stageName": "prod",
                "deploymentId": self.hexid(6),
                "tracingEnabled": False,
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "throttlingBurstLimit": 2000,
                        "throttlingRateLimit": 1000.0,
                    }
                },
                "createdDate": iso(created),
                "lastUpdatedDate": iso(self.start - timedelta(days=9)),
            },
        )
        role = f"arn:aws:iam::{self.account}:role/payments-lambda-exec"
        for fn in self.functions:
            env: Rec = {
                "Variables": {
                    "DB_HOST": f"{self.proxy}.proxy-{self.hexid(12)}.{self.region}.rds.amazonaws.com",
                    "DB_NAME": "payments",
                    "LOG_LEVEL": "INFO",
                }
            }
            item: Rec = {
                "FunctionName": fn,
                "FunctionArn": self.fn_arn(fn),
                "Runtime": "python3.12",
                "Role": role,
                "Handler": "app.handler",
                "CodeSize": self.r.randint(2_000_000, 9_000_000),
                "Timeout": 900 if fn.startswith("settlement") else 29,
                "MemorySize": 1024 if fn.startswith("settlement") else 512,
                "LastModified": (self.start - timedelta(days=self.r.randint(2, 30))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "Version": "$LATEST",
                "VpcConfig": {
                    "SubnetIds": self.subnets,
                    "SecurityGroupIds": [self.lambda_sg],
                    "VpcId": self.vpc,
                },
                "Environment": env,
                "TracingConfig": {"Mode": "PassThrough"},
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
            }
            if fn == "payments-authorize" and authorize_env_key:
                item["KMSKeyArn"] = self.key_arn
                env["Variables"]["ACQUIRER_ENDPOINT"] = "https://api.acquirer-gw.net/v2"
            self.res("lambda", "FunctionConfiguration", item)
            self.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": f"/aws/lambda/{fn}",
                    "creationTime": ms(created),
                    "retentionInDays": 30,
                    "arn": self.arn("logs", f"log-group:/aws/lambda/{fn}:*"),
                    "storedBytes": self.r.randint(10**8, 10**10),
                },
            )
        self.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": "payments-lambda-exec",
                "RoleId": "AROA" + self.hexid(17).upper(),
                "Arn": role,
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
                "MaxSessionDuration": 3600,
            },
        )
        self.res(
            "kms",
            "KeyMetadata",
            {
                "AWSAccountId": self.account,
                "KeyId": self.key_id,
                "Arn": self.key_arn,
                "CreationDate": iso(created),
                "Enabled": True,
                "Description": "payments application data key (secrets, env, settlement files)",
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
        self.res(
            "secretsmanager",
            "SecretListEntry",
            {
                "ARN": self.secret_arn,
                "Name": self.secret_name,
                "KmsKeyId": self.key_arn,
                "RotationEnabled": True,
                "RotationLambdaARN": self.fn_arn("payments-secret-rotation"),
                "RotationRules": {"AutomaticallyAfterDays": 30},
                "LastRotatedDate": iso(self.start - timedelta(days=self.r.randint(3, 25))),
                "LastChangedDate": iso(self.start - timedelta(days=self.r.randint(3, 25))),
                "LastAccessedDate": iso(self.start.replace(hour=0, minute=0)),
                "CreatedDate": iso(created),
            },
        )
        self.res(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": self.cluster,
                "DBClusterArn": self.arn("rds", f"cluster:{self.cluster}"),
                "Engine": "aurora-mysql",
                "EngineVersion": "8.0.mysql_aurora.3.05.2",
                "Status": "available",
                "MultiAZ": True,
                "Endpoint": f"{self.cluster}.cluster-{self.hexid(12)}.{self.region}.rds.amazonaws.com",
                "ReaderEndpoint": f"{self.cluster}.cluster-ro-{self.hexid(12)}.{self.region}.rds.amazonaws.com",
                "Port": 3306,
                "DatabaseName": "payments",
                "MasterUsername": "admin",
                "StorageEncrypted": True,
                "KmsKeyId": self.key_arn,
                "DbClusterResourceId": self.cluster_resource_id,
                "DBClusterMembers": [
                    {"DBInstanceIdentifier": self.writer, "IsClusterWriter": True, "PromotionTier": 1},
                    {"DBInstanceIdentifier": self.reader, "IsClusterWriter": False, "PromotionTier": 1},
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": self.db_sg, "Status": "active"}],
                "DBClusterParameterGroup": "payments-aurora-mysql80",
                "ClusterCreateTime": iso(created),
            },
        )
        for i, inst in enumerate([self.writer, self.reader]):
            self.res(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": inst,
                    "DBInstanceClass": self.instance_class,
                    "Engine": "aurora-mysql",
                    "EngineVersion": "8.0.mysql_aurora.3.05.2",
                    "DBInstanceStatus": "available",
                    "DBClusterIdentifier": self.cluster,
                    "AvailabilityZone": f"{self.region}{'ab'[i]}",
                    "StorageEncrypted": True,
                    "KmsKeyId": self.key_arn,
                    "PerformanceInsightsEnabled": True,
                    "DBInstanceArn": self.arn("rds", f"db:{inst}"),
                    "DbiResourceId": "db-" + self.hexid(26).upper(),
                    "PromotionTier": 1,
                    "DBParameterGroups": [
                        {"DBParameterGroupName": "default.aurora-mysql8.0", "ParameterApplyStatus": "in-sync"}
                    ],
                    "InstanceCreateTime": iso(created),
                },
            )
        proxy_arn = self.arn("rds", f"db-proxy:prx-{self.hexid(17)}")
        self.res(
            "rds",
            "DBProxy",
            {
                "DBProxyName": self.proxy,
                "DBProxyArn": proxy_arn,
                "Status": "available",
                "EngineFamily": "MYSQL",
                "VpcId": self.vpc,
                "VpcSecurityGroupIds": [self.db_sg],
                "VpcSubnetIds": self.subnets,
                "Auth": [
                    {
                        "AuthScheme": "SECRETS",
                        "SecretArn": self.secret_arn,
                        "IAMAuth": "DISABLED",
                        "ClientPasswordAuthType": "MYSQL_NATIVE_PASSWORD",
                    }
                ],
                "RoleArn": f"arn:aws:iam::{self.account}:role/payments-db-proxy-role",
                "Endpoint": f"{self.proxy}.proxy-{self.hexid(12)}.{self.region}.rds.amazonaws.com",
                "RequireTLS": True,
                "IdleClientTimeout": 1800,
                "DebugLogging": False,
                "CreatedDate": iso(created),
                "UpdatedDate": iso(self.start - timedelta(days=60)),
            },
        )
        self.res(
            "rds",
            "DBProxyTargetGroup",
            {
                "DBProxyName": self.proxy,
                "TargetGroupName": "default",
                "TargetGroupArn": self.arn("rds", f"target-group:prx-tg-{self.hexid(17)}"),
                "IsDefault": True,
                "Status": "available",
                "ConnectionPoolConfig": {
                    "MaxConnectionsPercent": proxy_max_pct,
                    "MaxIdleConnectionsPercent": proxy_max_pct // 2,
                    "ConnectionBorrowTimeout": 120,
                    "SessionPinningFilters": [],
                    "InitQuery": "",
                },
                "CreatedDate": iso(created),
                "UpdatedDate": iso(self.start - timedelta(days=60)),
            },
        )
        self.res(
            "rds",
            "DBProxyTarget",
            {
                "RdsResourceId": self.cluster,
                "Port": 3306,
                "Type": "TRACKED_CLUSTER",
                "TargetHealth": {"State": "AVAILABLE"},
            },
        )
        self.res(
            "stepfunctions",
            "DescribeStateMachineOutput",
            {
                "stateMachineArn": self.sm_arn,
                "name": self.sm_name,
                "status": "ACTIVE",
                "definition": _json(
                    {
                        "Comment": "Nightly and intraday settlement: post merchant batches to the ledger",
                        "StartAt": "ListOpenBatches",
                        "States": {
                            "ListOpenBatches": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::lambda:invoke",
                                "Parameters": {
                                    "FunctionName": self.fn_arn("settlement-post-batch"),
                                    "Payload": {"mode": "list"},
                                },
                                "Next": "PostBatches",
                            },
                            "PostBatches": {
                                "Type": "Map",
                                "ItemsPath": "$.Payload.batches",
                                "MaxConcurrency": 40,
                                "Iterator": {
                                    "StartAt": "PostBatch",
                                    "States": {
                                        "PostBatch": {
                                            "Type": "Task",
                                            "Resource": "arn:aws:states:::lambda:invoke",
                                            "Parameters": {
                                                "FunctionName": self.fn_arn("settlement-post-batch"),
                                                "Payload.$": "$",
                                            },
                                            "Retry": [
                                                {
                                                    "ErrorEquals": ["States.TaskFailed"],
                                                    "IntervalSeconds": 5,
                                                    "MaxAttempts": 3,
                                                    "BackoffRate": 2,
                                                }
                                            ],
                                            "End": True,
                                        }
                                    },
                                },
                                "End": True,
                            },
                        },
                    }
                ),
                "roleArn": f"arn:aws:iam::{self.account}:role/payments-settlement-sfn",
                "type": "STANDARD",
                "creationDate": iso(created),
            },
        )
        self.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{self.region}.amazonaws.com/{self.account}/payments-webhooks-dlq",
                "Attributes": {
                    "QueueArn": self.arn("sqs", "payments-webhooks-dlq"),
                    "ApproximateNumberOfMessages": "0",
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "KmsMasterKeyId": self.key_arn,
                },
                "Tags": {"team": "payments"},
            },
        )

    def execution(self, t: datetime, dur: timedelta, status: str, name: str | None = None) -> None:
        name = name or f"settlement-{t.strftime('%Y%m%dT%H%M')}-{self.hexid(6)}"
        item: Rec = {
            "executionArn": self.arn("states", f"execution:{self.sm_name}:{name}"),
            "stateMachineArn": self.sm_arn,
            "name": name,
            "status": status,
            "startDate": iso(t),
        }
        if status != "RUNNING":
            item["stopDate"] = iso(t + dur)
        self.res("stepfunctions", "DescribeExecutionOutput", item)

    # --- baseline telemetry -----------------------------------------------------------------------
    def api_metrics(
        self,
        peak: float,
        err5: Callable[[datetime, float], float],
        lat: Callable[[datetime], float],
        scale: Callable[[datetime], float] | None = None,
        tail: Callable[[datetime], tuple[float, float]] | None = None,
    ) -> dict[str, float]:
        """API Gateway stage metrics; `tail` gives (share, ms) of requests stuck at a timeout."""
        counts: dict[str, float] = {}
        dims = {"ApiName": "payments-api", "Stage": "prod"}
        for t in self.minutes():
            n = round(self.traffic(t, peak) * (scale(t) if scale else 1.0))
            counts[iso(t)] = n
            e5 = min(n, round(err5(t, n)))
            e4 = round(n * self.r.uniform(0.01, 0.025))
            base = {"namespace": "AWS/ApiGateway", "dimensions": dims, "timestamp": iso(t)}
            self.metrics.append({**base, "metric": "Count", "unit": "Count", "value": n})
            self.metrics.append({**base, "metric": "5XXError", "unit": "Count", "value": e5})
            self.metrics.append({**base, "metric": "4XXError", "unit": "Count", "value": e4})
            m = lat(t)
            share, slow_ms = tail(t) if tail else (0.0, 0.0)
            slow_n = round(n * share)
            fast_n = max(1, n - slow_n)
            vals = sorted(round(m * self.r.uniform(0.6, 1.9), 1) for _ in range(8))
            cnts = [max(1, fast_n // 8)] * 8
            if slow_n:
                vals.append(round(slow_ms * self.r.uniform(1.0, 1.004), 1))
                cnts.append(slow_n)
            self.metrics.append(
                {
                    **base,
                    "metric": "Latency",
                    "unit": "Milliseconds",
                    "values": vals,
                    "counts": cnts,
                }
            )
        return counts

    def lambda_metrics(
        self,
        fn: str,
        inv: Callable[[datetime], float],
        errors: Callable[[datetime, float], float],
        dur: Callable[[datetime], float],
        conc: Callable[[datetime, float], float] | None = None,
        throttles: Callable[[datetime], float] | None = None,
    ) -> None:
        dims = {"FunctionName": fn}
        for t in self.minutes():
            n = round(inv(t))
            if n <= 0:
                continue
            base = {"namespace": "AWS/Lambda", "dimensions": dims, "timestamp": iso(t)}
            self.metrics.append({**base, "metric": "Invocations", "unit": "Count", "value": n})
            self.metrics.append(
                {**base, "metric": "Errors", "unit": "Count", "value": min(n, round(errors(t, n)))}
            )
            d = dur(t)
            vals = sorted(round(d * self.r.uniform(0.5, 2.0), 1) for _ in range(8))
            self.metrics.append(
                {
                    **base,
                    "metric": "Duration",
                    "unit": "Milliseconds",
                    "values": vals,
                    "counts": [max(1, n // 8)] * 8,
                }
            )
            c = conc(t, n) if conc else n * d / 60000
            self.metrics.append(
                {**base, "metric": "ConcurrentExecutions", "unit": "Count", "value": round(max(1.0, c), 1)}
            )
            if throttles:
                self.metrics.append(
                    {**base, "metric": "Throttles", "unit": "Count", "value": round(throttles(t))}
                )

    def rds_metrics(
        self, cpu: Callable[[datetime, str], float], conns: Callable[[datetime, str], float]
    ) -> None:
        for inst in (self.writer, self.reader):
            dims = {"DBInstanceIdentifier": inst}
            for t in self.minutes():
                base = {"namespace": "AWS/RDS", "dimensions": dims, "timestamp": iso(t)}
                self.metrics.append(
                    {**base, "metric": "CPUUtilization", "unit": "Percent", "value": round(cpu(t, inst), 2)}
                )
                self.metrics.append(
                    {**base, "metric": "DatabaseConnections", "unit": "Count", "value": round(conns(t, inst))}
                )
                self.metrics.append(
                    {
                        **base,
                        "metric": "FreeableMemory",
                        "unit": "Bytes",
                        "value": float(self.r.randint(9_800_000_000, 10_400_000_000)),
                    }
                )

    def bundle(self, title: str, trigger: Rec, truth: Rec, timezone: str | None = None) -> Bundle:
        trig = dict(trigger)
        if timezone:
            trig["timezone"] = timezone
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trig,
                "truth": truth,
            }
        )
        self.ct.sort(key=lambda c: c["eventTime"])
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        self.history.sort(key=lambda h: h["Timestamp"])
        return Bundle(
            manifest,
            {
                "metrics": self.metrics,
                "logs": self.logs,
                "cloudtrail": self.ct,
                "resources": self.resources,
                "alarms": self.alarms,
                "alarm_history": self.history,
                "events": self.events,
            },
        )


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, separators=(",", ":"))
