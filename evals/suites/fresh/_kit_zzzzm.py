"""Private helpers for kit zzzzm: a retail point-of-sale backend (ALB -> Lambda, Aurora Serverless v2,
SQS, EventBridge, Secrets Manager with rotation)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

UTC = UTC
Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Pos:
    """One generated POS account: ids, names, and the record lists an incident fills."""

    def __init__(self, seed: int, *, hour: int, minute: int, days_back: int) -> None:
        self.rng = random.Random(seed)
        r = self.rng
        self.account = f"{r.randint(2, 9)}{r.randint(10**10, 10**11 - 1)}"
        self.region = r.choice(["us-east-1", "us-east-2", "us-west-2", "eu-west-1"])
        base = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.onset = base.replace(hour=hour, minute=minute) + timedelta(days=days_back * 0)
        self.onset += timedelta(minutes=r.randint(0, 9))
        self.start = (self.onset - timedelta(hours=3, minutes=r.randint(20, 50))).replace(second=0)
        self.now = self.onset + timedelta(minutes=r.randint(38, 55))
        self.end = self.now + timedelta(minutes=5)
        self.brand = r.choice(["tillpoint", "shopkeep", "counterline", "registr", "lanepay"])
        self.vpc = "vpc-0" + self.hex(16)
        self.subnets = ["subnet-0" + self.hex(16) for _ in range(3)]
        self.azs = [self.region + s for s in ("a", "b", "c")]
        self.sg_lambda = "sg-0" + self.hex(16)
        self.sg_db = "sg-0" + self.hex(16)
        self.sg_alb = "sg-0" + self.hex(16)
        self.alb_id = self.hex(16)
        self.alb_name = f"{self.brand}-pos-api"
        self.alb_dim = f"app/{self.alb_name}/{self.alb_id}"
        self.alb_arn = (
            f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:loadbalancer/{self.alb_dim}"
        )
        self.tg_name = f"{self.brand}-pos-checkout"
        self.tg_dim = f"targetgroup/{self.tg_name}/{self.hex(16)}"
        self.tg_arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:{self.tg_dim}"
        self.cluster = f"{self.brand}-pos-aurora"
        self.writer = f"{self.cluster}-instance-1"
        self.reader = f"{self.cluster}-instance-2"
        self.secret_name = f"{self.brand}/pos/aurora/app"
        self.secret_arn = (
            f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{self.secret_name}-{self.alnum(6)}"
        )
        self.fn = {
            "api": f"{self.brand}-pos-checkout-api",
            "ingest": f"{self.brand}-pos-sales-ingest",
            "receipts": f"{self.brand}-pos-receipt-mailer",
            "eod": f"{self.brand}-pos-eod-settlement",
            "rotate": f"{self.brand}-pos-secret-rotation",
            "inventory": f"{self.brand}-pos-inventory-sync",
        }
        self.queues = {
            "sales": f"{self.brand}-pos-sales-events",
            "sales_dlq": f"{self.brand}-pos-sales-events-dlq",
            "receipts": f"{self.brand}-pos-receipts",
            "receipts_dlq": f"{self.brand}-pos-receipts-dlq",
        }
        self.bus = f"{self.brand}-pos-events"
        self.topic_arn = f"arn:aws:sns:{self.region}:{self.account}:{self.brand}-pos-oncall"
        self.min_acu = 0.5
        self.max_acu = 16.0
        self.timeouts = {"api": 15, "ingest": 60, "receipts": 30, "eod": 900, "rotate": 30, "inventory": 120}
        self.memory = {
            "api": 1024,
            "ingest": 512,
            "receipts": 256,
            "eod": 2048,
            "rotate": 256,
            "inventory": 512,
        }
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.people = ["maria.okafor", "dev.patel", "lena.kowalski", "tom.haugen", "sara.nguyen"]
        self.sso_role = "AWSReservedSSO_PowerUserAccess_" + self.hex(16)
        self.deploy_role = f"{self.brand}-github-deploy"
        self.deploy_session = "GitHubActions"

    # --- ids --------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int) -> str:
        return "".join(
            self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for _ in range(n)
        )

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def fn_arn(self, key: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.fn[key]}"

    def q_arn(self, key: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.queues[key]}"

    def q_url(self, key: str) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.queues[key]}"

    def minutes(self) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=1)
        return out

    # --- metrics ----------------------------------------------------------------------------------
    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        every: int = 1,
        stats: Callable[[datetime, float], tuple[float, float, float]] | None = None,
    ) -> None:
        for i, t in enumerate(self.minutes()):
            if i % every:
                continue
            v = fn(t)
            if v is None:
                continue
            rec: Rec = {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
            }
            if stats is not None:
                n, lo, hi = stats(t, v)
                rec["statistic_values"] = {
                    "SampleCount": n,
                    "Sum": round(v * n, 3),
                    "Minimum": round(min(lo, v), 3),
                    "Maximum": round(max(hi, v), 3),
                }
            else:
                rec["value"] = round(v, 3)
            self.metrics.append(rec)

    def lat_dist(
        self, name: str, ns: str, dims: dict[str, str], unit: str, fn: Callable[[datetime], list[float]]
    ) -> None:
        for t in self.minutes():
            vals = fn(t)
            if not vals:
                continue
            self.metrics.append(
                {
                    "namespace": ns,
                    "metric": name,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "values": [round(v, 4) for v in vals],
                }
            )

    def traffic(self, t: datetime, peak: float) -> float:
        """Store traffic by local hour of the day (stores are open 08-22 local, UTC offset -5)."""
        h = (t.hour - 5) % 24 + t.minute / 60
        shape = 0.35 + 0.65 * max(0.0, 1 - abs(h - 13.5) / 6.5) if 8 <= h <= 22 else 0.04
        return peak * shape * self.rng.uniform(0.9, 1.1)

    # --- cloudtrail -------------------------------------------------------------------------------
    def who(self, kind: str, person: str | None = None) -> Rec:
        if kind == "sso":
            p = person or self.rng.choice(self.people)
            key = "ASIA" + self.alnum(16).upper()
            return {
                "type": "AssumedRole",
                "principalId": f"AROA{self.alnum(17).upper()}:{p}@{self.brand}.com",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.sso_role}/{p}@{self.brand}.com",
                "accountId": self.account,
                "accessKeyId": key,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROA" + self.alnum(17).upper(),
                        "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.sso_role}",
                        "accountId": self.account,
                        "userName": self.sso_role,
                    },
                    "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
                },
            }
        if kind == "deploy":
            return {
                "type": "AssumedRole",
                "principalId": f"AROA{self.alnum(17).upper()}:{self.deploy_session}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.deploy_role}/{self.deploy_session}",
                "accountId": self.account,
                "accessKeyId": "ASIA" + self.alnum(16).upper(),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROA" + self.alnum(17).upper(),
                        "arn": f"arn:aws:iam::{self.account}:role/{self.deploy_role}",
                        "accountId": self.account,
                        "userName": self.deploy_role,
                    },
                    "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
                },
            }
        if kind == "monitor":
            return {
                "type": "AssumedRole",
                "principalId": f"AROA{self.alnum(17).upper()}:{self.brand}-datadog-integration",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/DatadogIntegrationRole/"
                f"{self.brand}-datadog-integration",
                "accountId": self.account,
                "accessKeyId": "ASIA" + self.alnum(16).upper(),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROA" + self.alnum(17).upper(),
                        "arn": f"arn:aws:iam::{self.account}:role/DatadogIntegrationRole",
                        "accountId": self.account,
                        "userName": "DatadogIntegrationRole",
                    },
                    "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
                },
            }
        # a service principal acting on the account's behalf
        return {"type": "AWSService", "invokedBy": kind}

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: Rec,
        req: Rec | None,
        resp: Rec | None = None,
        *,
        read_only: bool = False,
        agent: str | None = None,
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
        event_type: str = "AwsApiCall",
    ) -> str:
        who = dict(who)
        if "sessionContext" in who:
            sc = dict(who["sessionContext"])
            sc["attributes"] = {
                "creationDate": iso(t - timedelta(minutes=self.rng.randint(3, 50))),
                "mfaAuthenticated": "false",
            }
            who["sessionContext"] = sc
        eid = self.uid()
        rec: Rec = {
            "eventVersion": "1.09" if event_type == "AwsApiCall" else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or (
                who.get("invokedBy")
                if who.get("type") == "AWSService"
                else f"203.0.113.{self.rng.randint(5, 250)}"
            ),
            "userAgent": agent
            or (who.get("invokedBy") if who.get("type") == "AWSService" else "aws-cli/2.15.30 Python/3.11.8"),
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": event_type,
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if resources:
            rec["resources"] = resources
        if who.get("type") != "AWSService":
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return eid

    def tooling_noise(self, n: int) -> None:
        """Read-only calls from the monitoring integration and people poking around."""
        mon = self.who("monitor")
        dd = "Datadog/1.0 aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"
        calls = [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("rds.amazonaws.com", "DescribeDBClusters", {"includeShared": False}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
            ("sqs.amazonaws.com", "ListQueues", None),
            (
                "tag.amazonaws.com",
                "GetResources",
                {"resourcesPerPage": 100, "resourceTypeFilters": ["lambda"]},
            ),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {"pageSize": 400}),
        ]
        span = (self.now - self.start).total_seconds()
        for _ in range(n):
            t = self.start + timedelta(seconds=self.rng.uniform(0, span))
            src, name, req = self.rng.choice(calls)
            self.ct(t, src, name, mon, req, None, read_only=True, agent=dd, ip="3.233.147.21")
        for _ in range(max(3, n // 6)):
            t = self.start + timedelta(seconds=self.rng.uniform(0, span))
            self.ct(
                t,
                "logs.amazonaws.com",
                "DescribeLogGroups",
                self.who("sso"),
                {"logGroupNamePrefix": "/aws/lambda/"},
                read_only=True,
                agent="[Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/120.0.0.0 Safari/537.36]",
            )

    def kms_decrypts(self, every_min: int) -> None:
        """Lambda's environment-variable decrypts at cold starts and Secrets Manager reads from the API."""
        t = self.start + timedelta(minutes=self.rng.randint(0, every_min))
        while t < self.now:
            fk = self.rng.choice(["api", "api", "ingest", "receipts", "inventory"])
            role = f"{self.fn[fk]}-role"
            who = {
                "type": "AssumedRole",
                "principalId": f"AROA{self.alnum(17).upper()}:{self.fn[fk]}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{self.fn[fk]}",
                "accountId": self.account,
                "accessKeyId": "ASIA" + self.alnum(16).upper(),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROA" + self.alnum(17).upper(),
                        "arn": f"arn:aws:iam::{self.account}:role/{role}",
                        "accountId": self.account,
                        "userName": role,
                    },
                    "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
                },
            }
            if fk in ("api", "ingest"):
                self.ct(
                    t,
                    "secretsmanager.amazonaws.com",
                    "GetSecretValue",
                    who,
                    {"secretId": self.secret_arn},
                    None,
                    read_only=True,
                    agent="aws-sdk-js/3.511.0 ua/2.0 os/linux#5.10.209-218.812.amzn2.x86_64 lang/js "
                    "md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x api/secrets-manager#3.511.0",
                    ip=f"10.40.{self.rng.randint(1, 40)}.{self.rng.randint(5, 250)}",
                )
            t += timedelta(minutes=self.rng.randint(every_min // 2, every_min))

    # --- resources --------------------------------------------------------------------------------
    def res(self, service: str, typ: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    def function(self, key: str, *, runtime: str = "nodejs20.x", modified: datetime | None = None) -> Rec:
        name = self.fn[key]
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": self.fn_arn(key),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{name}-role",
            "Handler": "index.handler" if runtime.startswith("nodejs") else "app.handler",
            "CodeSize": self.rng.randint(900_000, 9_000_000),
            "Description": "",
            "Timeout": self.timeouts[key],
            "MemorySize": self.memory[key],
            "LastModified": (modified or (self.start - timedelta(days=self.rng.randint(3, 40)))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
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
        if key in ("api", "ingest", "eod", "rotate", "inventory"):
            item["VpcConfig"] = {
                "SubnetIds": self.subnets,
                "SecurityGroupIds": [self.sg_lambda],
                "VpcId": self.vpc,
            }
        env = {
            "api": {
                "DB_SECRET_ARN": self.secret_arn,
                "PAYMENTS_BASE_URL": "",
                "NODE_OPTIONS": "--enable-source-maps",
            },
            "ingest": {"DB_SECRET_ARN": self.secret_arn, "EVENT_BUS": self.bus},
            "receipts": {"FROM_ADDRESS": f"receipts@{self.brand}.com"},
            "eod": {"DB_SECRET_ARN": self.secret_arn},
            "rotate": {"SECRETS_MANAGER_ENDPOINT": f"https://secretsmanager.{self.region}.amazonaws.com"},
            "inventory": {"DB_SECRET_ARN": self.secret_arn},
        }[key]
        item["Environment"] = {"Variables": {k: v for k, v in env.items() if v}}
        self.res("lambda", "FunctionConfiguration", item)
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{name}",
                "creationTime": ms(self.start - timedelta(days=200)),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{self.region}:{self.account}:log-group:/aws/lambda/{name}:*",
                "storedBytes": self.rng.randint(10**7, 10**9),
            },
        )
        return item

    def base_resources(self, *, max_acu: float | None = None) -> None:
        if max_acu is not None:
            self.max_acu = max_acu
        self.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.alb_arn,
                "DNSName": f"internal-{self.alb_name}-{self.rng.randint(10**8, 10**9)}.{self.region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
                "CreatedTime": iso(self.start - timedelta(days=400)),
                "LoadBalancerName": self.alb_name,
                "Scheme": "internet-facing",
                "VpcId": self.vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": z, "SubnetId": s} for z, s in zip(self.azs, self.subnets, strict=True)
                ],
                "SecurityGroups": [self.sg_alb],
                "IpAddressType": "ipv4",
            },
        )
        self.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": self.tg_arn,
                "TargetGroupName": self.tg_name,
                "HealthCheckEnabled": False,
                "HealthCheckIntervalSeconds": 35,
                "HealthCheckTimeoutSeconds": 30,
                "HealthyThresholdCount": 5,
                "UnhealthyThresholdCount": 2,
                "HealthCheckPath": "/",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [self.alb_arn],
                "TargetType": "lambda",
                "IpAddressType": "ipv4",
            },
        )
        created = self.start - timedelta(days=500)
        self.res(
            "rds",
            "DBCluster",
            {
                "AllocatedStorage": 1,
                "AvailabilityZones": self.azs,
                "BackupRetentionPeriod": 7,
                "DatabaseName": "pos",
                "DBClusterIdentifier": self.cluster,
                "DBClusterParameterGroup": "default.aurora-postgresql15",
                "DBSubnetGroup": f"{self.brand}-pos-db-subnets",
                "Status": "available",
                "Endpoint": f"{self.cluster}.cluster-{self.alnum(12).lower()}.{self.region}.rds.amazonaws.com",
                "ReaderEndpoint": f"{self.cluster}.cluster-ro-{self.alnum(12).lower()}.{self.region}.rds.amazonaws.com",
                "MultiAZ": True,
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.5",
                "Port": 5432,
                "MasterUsername": "posadmin",
                "PreferredBackupWindow": "07:10-07:40",
                "PreferredMaintenanceWindow": "sun:08:15-sun:08:45",
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": self.writer,
                        "IsClusterWriter": True,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                    {
                        "DBInstanceIdentifier": self.reader,
                        "IsClusterWriter": False,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_db, "Status": "active"}],
                "HostedZoneId": "Z2R2ITUGPM61AM",
                "StorageEncrypted": True,
                "DbClusterResourceId": "cluster-" + self.alnum(26).upper(),
                "DBClusterArn": f"arn:aws:rds:{self.region}:{self.account}:cluster:{self.cluster}",
                "IAMDatabaseAuthenticationEnabled": False,
                "ClusterCreateTime": iso(created),
                "EngineMode": "provisioned",
                "DeletionProtection": True,
                "HttpEndpointEnabled": False,
                "CopyTagsToSnapshot": True,
                "ServerlessV2ScalingConfiguration": {
                    "MinCapacity": self.min_acu,
                    "MaxCapacity": self.max_acu,
                },
            },
        )
        for i, inst in enumerate([self.writer, self.reader]):
            self.res(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": inst,
                    "DBInstanceClass": "db.serverless",
                    "Engine": "aurora-postgresql",
                    "DBInstanceStatus": "available",
                    "MasterUsername": "posadmin",
                    "DBName": "pos",
                    "Endpoint": {
                        "Address": f"{inst}.{self.alnum(12).lower()}.{self.region}.rds.amazonaws.com",
                        "Port": 5432,
                        "HostedZoneId": "Z2R2ITUGPM61AM",
                    },
                    "InstanceCreateTime": iso(created),
                    "AvailabilityZone": self.azs[i],
                    "MultiAZ": False,
                    "EngineVersion": "15.5",
                    "PubliclyAccessible": False,
                    "DBClusterIdentifier": self.cluster,
                    "StorageEncrypted": True,
                    "DBInstanceArn": f"arn:aws:rds:{self.region}:{self.account}:db:{inst}",
                    "PerformanceInsightsEnabled": False,
                    "PromotionTier": 1,
                    "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_db, "Status": "active"}],
                },
            )
        for key in ("sales", "receipts"):
            dlq = key + "_dlq"
            self.res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": self.q_url(dlq),
                    "Attributes": {
                        "QueueArn": self.q_arn(dlq),
                        "VisibilityTimeout": "30",
                        "MessageRetentionPeriod": "1209600",
                        "DelaySeconds": "0",
                        "ReceiveMessageWaitTimeSeconds": "0",
                        "MaximumMessageSize": "262144",
                        "SqsManagedSseEnabled": "true",
                        "CreatedTimestamp": str(int((self.start - timedelta(days=420)).timestamp())),
                        "LastModifiedTimestamp": str(int((self.start - timedelta(days=420)).timestamp())),
                        "ApproximateNumberOfMessages": "0",
                        "ApproximateNumberOfMessagesNotVisible": "0",
                        "ApproximateNumberOfMessagesDelayed": "0",
                    },
                    "Tags": {"team": "pos-platform"},
                },
            )
            self.res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": self.q_url(key),
                    "Attributes": {
                        "QueueArn": self.q_arn(key),
                        "VisibilityTimeout": "360" if key == "sales" else "180",
                        "MessageRetentionPeriod": "345600",
                        "DelaySeconds": "0",
                        "ReceiveMessageWaitTimeSeconds": "20",
                        "MaximumMessageSize": "262144",
                        "SqsManagedSseEnabled": "true",
                        "RedrivePolicy": f'{{"deadLetterTargetArn":"{self.q_arn(dlq)}","maxReceiveCount":5}}',
                        "CreatedTimestamp": str(int((self.start - timedelta(days=420)).timestamp())),
                        "LastModifiedTimestamp": str(int((self.start - timedelta(days=90)).timestamp())),
                        "ApproximateNumberOfMessages": str(self.rng.randint(0, 6)),
                        "ApproximateNumberOfMessagesNotVisible": str(self.rng.randint(0, 12)),
                        "ApproximateNumberOfMessagesDelayed": "0",
                    },
                    "Tags": {"team": "pos-platform"},
                },
            )
        for key, q in (("ingest", "sales"), ("receipts", "receipts")):
            self.res(
                "lambda",
                "EventSourceMappingConfiguration",
                {
                    "UUID": self.uid(),
                    "BatchSize": 10,
                    "MaximumBatchingWindowInSeconds": 0,
                    "EventSourceArn": self.q_arn(q),
                    "FunctionArn": self.fn_arn(key),
                    "LastModified": iso(self.start - timedelta(days=90)),
                    "State": "Enabled",
                    "StateTransitionReason": "USER_INITIATED",
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "ScalingConfig": {"MaximumConcurrency": 20},
                },
            )
        rotated = self.start - timedelta(days=self.rng.randint(3, 25), hours=self.rng.randint(0, 20))
        self.last_rotated = rotated
        self.res(
            "secretsmanager",
            "SecretListEntry",
            {
                "ARN": self.secret_arn,
                "Name": self.secret_name,
                "Description": "POS application user for Aurora PostgreSQL",
                "RotationEnabled": True,
                "RotationLambdaARN": self.fn_arn("rotate"),
                "RotationRules": {"AutomaticallyAfterDays": 30, "ScheduleExpression": "rate(30 days)"},
                "LastRotatedDate": iso(rotated),
                "LastChangedDate": iso(rotated),
                "LastAccessedDate": iso(self.now.replace(hour=0, minute=0, second=0)),
                "NextRotationDate": iso(
                    (rotated + timedelta(days=30)).replace(hour=23, minute=59, second=59)
                ),
                "CreatedDate": iso(self.start - timedelta(days=500)),
                "SecretVersionsToStages": {self.uid(): ["AWSCURRENT"], self.uid(): ["AWSPREVIOUS"]},
            },
        )

    # --- alarms -----------------------------------------------------------------------------------
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
        dta: int | None = None,
        op: str = "GreaterThanThreshold",
        state: str = "OK",
        changed: datetime | None = None,
        reason: str = "",
        missing: str = "notBreaching",
        unit: str | None = None,
    ) -> Rec:
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": "",
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(30, 300))),
            "ActionsEnabled": True,
            "OKActions": [self.topic_arn],
            "AlarmActions": [self.topic_arn],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason
            or f"Threshold Crossed: {evals} datapoints were not greater than the threshold ({threshold}).",
            "StateUpdatedTimestamp": iso(changed or (self.start - timedelta(days=self.rng.randint(1, 12)))),
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
            "StateTransitionedTimestamp": iso(
                changed or (self.start - timedelta(days=self.rng.randint(1, 12)))
            ),
        }
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(self, alarm: Rec, t: datetime, old: str, new: str, reason: str) -> None:
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": '{"version":"1.0","oldState":{"stateValue":"'
                + old
                + '"},"newState":{"stateValue":"'
                + new
                + '","stateReason":"'
                + reason.replace('"', "'")
                + '"}}',
            }
        )
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {self.topic_arn}",
                "HistoryData": '{"actionState":"Succeeded","stateUpdateTimestamp":'
                + str(ms(t))
                + ',"notificationResource":"'
                + self.topic_arn
                + '","publishedMessage":null}',
            }
        )

    def alarm_event(self, alarm: Rec, t: datetime, reason: str, data: Rec) -> Rec:
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
                    "reasonData": data_json(data),
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed",
                    "timestamp": (t - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.uid(),
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

    # --- lambda logs ------------------------------------------------------------------------------
    def stream(self, key: str, t: datetime) -> str:
        return f"{t:%Y/%m/%d}/[$LATEST]{self.hex(32)}"

    def invocation(
        self,
        key: str,
        stream: str,
        t: datetime,
        dur_ms: float,
        lines: list[tuple[str, str]],
        *,
        mem_used: int = 110,
        timed_out: bool = False,
        init_ms: float | None = None,
    ) -> None:
        group = f"/aws/lambda/{self.fn[key]}"
        rid = self.uid()
        ts = ms(t)
        if init_ms is not None:
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": ts,
                    "message": "INIT_START Runtime Version: nodejs:20.v22\tRuntime Version ARN: "
                    f"arn:aws:lambda:{self.region}::runtime:{self.hex(64)}",
                }
            )
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ts,
                "message": f"START RequestId: {rid} Version: $LATEST",
            }
        )
        for i, (level, msg) in enumerate(lines):
            lt = t + timedelta(milliseconds=min(dur_ms - 1, 5 + i * dur_ms / max(1, len(lines))))
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": ms(lt),
                    "message": f"{lt.strftime('%Y-%m-%dT%H:%M:%S.')}{lt.microsecond // 1000:03d}Z\t{rid}"
                    f"\t{level}\t{msg}",
                }
            )
        end = t + timedelta(milliseconds=dur_ms)
        if timed_out:
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": ms(end),
                    "message": f"{end.strftime('%Y-%m-%dT%H:%M:%S.')}{end.microsecond // 1000:03d}Z {rid} "
                    f"Task timed out after {dur_ms / 1000:.2f} seconds",
                }
            )
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(end),
                "message": f"END RequestId: {rid}",
            }
        )
        report = (
            f"REPORT RequestId: {rid}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {int(dur_ms) + 1} ms\t"
            f"Memory Size: {self.memory[key]} MB\tMax Memory Used: {mem_used} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        if timed_out:
            report += "Status: timeout"
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(end), "message": report})

    # --- assembly ---------------------------------------------------------------------------------
    def bundle(
        self, title: str, question: str | None, alarm_event: Rec | None, truth: Rec, tz: str | None = "-05:00"
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": tz},
                "truth": truth,
            }
        )
        self.trail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        recs: dict[str, list[Rec]] = {
            "metrics": self.metrics,
            "logs": self.logs,
            "cloudtrail": self.trail,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "resources": self.resources,
        }
        if self.events:
            recs["events"] = self.events
        return Bundle(manifest, recs)


def data_json(data: Rec) -> str:
    import json

    return json.dumps(data, separators=(",", ":"))


def local(t: datetime, offset_h: int = -5) -> str:
    lt = t + timedelta(hours=offset_h)
    return lt.strftime("%I:%M %p").lstrip("0").lower()


TF_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.2 os/linux lang/go#1.21.8 "
    "md/GOOS#linux md/GOARCH#amd64"
)
CLI_AGENT = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/"


def one(t: datetime) -> float:
    return 1.0


def zero(t: datetime) -> float:
    return 0.0


def uncapped(t: datetime) -> float:
    return 1e9


def default_hooks() -> dict[str, Callable[[datetime], float]]:
    return {
        "api_err": zero,  # fraction of checkout requests that fail in the function
        "api_dur": one,  # multiplier on checkout duration
        "api_cap": uncapped,  # duration ceiling (timeout), ms
        "load": one,  # multiplier on traffic
        "acu_extra": zero,  # extra ACUs wanted by the database
        "db_lat": one,  # multiplier on DB latency
        "ingest_err": zero,
        "backlog": zero,  # sales-events messages waiting
    }


def standard_telemetry(
    p: Pos, peak_rpm: float, hooks: dict[str, Callable[[datetime], float]]
) -> dict[str, Rec]:
    """ALB, Lambda, Aurora and SQS metrics for the whole window. Returns per-minute facts for logs."""
    r = p.rng
    facts: dict[str, Rec] = {}
    lb = {"LoadBalancer": p.alb_dim}
    lbtg = {"LoadBalancer": p.alb_dim, "TargetGroup": p.tg_dim}
    stamp = [""]

    def put(ns: str, name: str, dims: dict[str, str], unit: str, value: float) -> None:
        p.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": stamp[0],
                "unit": unit,
                "value": round(value, 4),
            }
        )

    for t in p.minutes():
        req = max(1.0, p.traffic(t, peak_rpm) * hooks["load"](t))
        n = int(req)
        cap = hooks["api_cap"](t)
        mult = hooks["api_dur"](t)
        durs = sorted(min(cap, r.lognormvariate(7.6, 0.45) * mult) for _ in range(min(n, 60)))
        timed_out = sum(1 for d in durs if d >= cap) / max(1, len(durs))
        err_frac = min(1.0, hooks["api_err"](t) + timed_out)
        base_err = r.random() < 0.15
        fails = round(n * err_frac) + (1 if base_err else 0)
        want = p.min_acu + 1.5 + 6.0 * (req / peak_rpm) + hooks["acu_extra"](t)
        acu = min(p.max_acu, want)
        facts[iso(t)] = {
            "req": n,
            "fails": fails,
            "durs": durs,
            "timed_out": timed_out,
            "acu": acu,
            "want": want,
        }
        ts = iso(t)

        stamp[0] = ts

        put("AWS/ApplicationELB", "RequestCount", lb, "Count", n)
        put("AWS/ApplicationELB", "RequestCount", lbtg, "Count", n)
        put(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            lbtg,
            "Count",
            max(0, n - fails - r.randint(0, 3)),
        )
        put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", lbtg, "Count", r.randint(0, 3))
        if fails:
            put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Count", fails)
            put("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lb, "Count", fails)
            put("AWS/ApplicationELB", "LambdaUserError", lbtg, "Count", fails)
        if durs:
            p.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "TargetResponseTime",
                    "dimensions": lbtg,
                    "timestamp": ts,
                    "unit": "Seconds",
                    "values": [round(d / 1000, 3) for d in durs],
                }
            )
            p.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": {"FunctionName": p.fn["api"]},
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "values": [round(d, 2) for d in durs],
                }
            )
        fdim = {"FunctionName": p.fn["api"]}
        put("AWS/Lambda", "Invocations", fdim, "Count", n)
        put("AWS/Lambda", "Errors", fdim, "Count", fails)
        put("AWS/Lambda", "Throttles", fdim, "Count", 0)
        conc = n * (sum(durs) / max(1, len(durs))) / 60000
        put("AWS/Lambda", "ConcurrentExecutions", fdim, "Count", max(1, round(conc * r.uniform(1.2, 1.6))))
        # SQS-driven ingest: one message per sale, batches of up to 10
        sales = n * r.uniform(0.9, 1.05)
        inv = max(1, int(sales / r.uniform(4, 8)))
        idim = {"FunctionName": p.fn["ingest"]}
        ing_err = int(inv * hooks["ingest_err"](t))
        put("AWS/Lambda", "Invocations", idim, "Count", inv)
        put("AWS/Lambda", "Errors", idim, "Count", ing_err)
        put("AWS/Lambda", "Duration", idim, "Milliseconds", r.uniform(180, 320) * hooks["db_lat"](t))
        rd = {"FunctionName": p.fn["receipts"]}
        rinv = max(0, int(sales * 0.4 / r.uniform(3, 6)))
        put("AWS/Lambda", "Invocations", rd, "Count", rinv)
        put("AWS/Lambda", "Errors", rd, "Count", 1 if r.random() < 0.03 else 0)
        put("AWS/Lambda", "Duration", rd, "Milliseconds", r.uniform(300, 700))
        q = {"QueueName": p.queues["sales"]}
        put("AWS/SQS", "NumberOfMessagesSent", q, "Count", int(sales))
        put("AWS/SQS", "NumberOfMessagesReceived", q, "Count", int(sales * r.uniform(0.98, 1.05)))
        put("AWS/SQS", "NumberOfMessagesDeleted", q, "Count", int(sales * r.uniform(0.97, 1.0)))
        backlog = hooks["backlog"](t)
        put("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, "Count", r.randint(0, 8) + int(backlog))
        put("AWS/SQS", "ApproximateAgeOfOldestMessage", q, "Seconds", r.randint(1, 9) + int(backlog * 0.4))
        qr = {"QueueName": p.queues["receipts"]}
        put("AWS/SQS", "NumberOfMessagesSent", qr, "Count", int(sales * 0.4))
        put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qr, "Count", r.randint(0, 5))
        put("AWS/SQS", "ApproximateAgeOfOldestMessage", qr, "Seconds", r.randint(1, 14))
        c = {"DBClusterIdentifier": p.cluster}
        w = {"DBInstanceIdentifier": p.writer}
        rr = {"DBInstanceIdentifier": p.reader}
        put("AWS/RDS", "ServerlessDatabaseCapacity", c, "None", acu)
        put("AWS/RDS", "ServerlessDatabaseCapacity", w, "None", acu)
        put("AWS/RDS", "ServerlessDatabaseCapacity", rr, "None", max(p.min_acu, acu * 0.35))
        util = min(100.0, 100 * acu / p.max_acu)
        put("AWS/RDS", "ACUUtilization", c, "Percent", util)
        put("AWS/RDS", "ACUUtilization", w, "Percent", util)
        pressure = want / acu
        cpu = r.uniform(93, 99.5) if pressure > 1.05 else min(90.0, r.uniform(20, 30) + 50 * acu / p.max_acu)
        put("AWS/RDS", "CPUUtilization", w, "Percent", cpu)
        put("AWS/RDS", "CPUUtilization", rr, "Percent", r.uniform(6, 14))
        put("AWS/RDS", "DatabaseConnections", w, "Count", int(40 + conc * 1.3 + r.randint(0, 6)))
        put("AWS/RDS", "DatabaseConnections", rr, "Count", r.randint(6, 12))
        put("AWS/RDS", "CommitLatency", w, "Milliseconds", r.uniform(1.1, 2.2) * hooks["db_lat"](t))
        put("AWS/RDS", "ReadLatency", w, "Seconds", r.uniform(0.0006, 0.0012) * hooks["db_lat"](t))
        put("AWS/RDS", "FreeableMemory", w, "Bytes", acu * 2 * 1024**3 * r.uniform(0.3, 0.4))
    return facts


def rotation(p: Pos, t: datetime) -> None:
    """A scheduled Secrets Manager rotation: service events plus the rotation function's calls and logs."""
    r = p.rng
    svc = {"accountId": p.account, "invokedBy": "secretsmanager.amazonaws.com"}
    ver = p.uid()
    for name, dt in (("RotationStarted", 0), ("RotationSucceeded", 6)):
        p.ct(
            t + timedelta(seconds=dt),
            "secretsmanager.amazonaws.com",
            name,
            svc,
            None,
            None,
            event_type="AwsServiceEvent",
            resources=[{"ARN": p.secret_arn, "accountId": p.account}],
        )
        p.trail[-1]["serviceEventDetails"] = {"versionId": ver}
        p.trail[-1]["readOnly"] = False
    role = f"{p.fn['rotate']}-role"
    who: Rec = {
        "type": "AssumedRole",
        "principalId": f"AROA{p.alnum(17).upper()}:{p.fn['rotate']}",
        "arn": f"arn:aws:sts::{p.account}:assumed-role/{role}/{p.fn['rotate']}",
        "accountId": p.account,
        "accessKeyId": "ASIA" + p.alnum(16).upper(),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROA" + p.alnum(17).upper(),
                "arn": f"arn:aws:iam::{p.account}:role/{role}",
                "accountId": p.account,
                "userName": role,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    agent = (
        "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.216-225.855.amzn2.x86_64 md/arch#x86_64 "
        "lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy "
        "Botocore/1.34.42"
    )
    ip = f"10.40.{r.randint(1, 40)}.{r.randint(5, 250)}"
    steps: list[tuple[str, Rec, bool]] = [
        ("DescribeSecret", {"secretId": p.secret_arn}, True),
        ("GetRandomPassword", {"excludeCharacters": "/@\"'\\", "passwordLength": 32}, True),
        (
            "PutSecretValue",
            {"secretId": p.secret_arn, "clientRequestToken": ver, "versionStages": ["AWSPENDING"]},
            False,
        ),
        ("GetSecretValue", {"secretId": p.secret_arn, "versionStage": "AWSPENDING"}, True),
        ("GetSecretValue", {"secretId": p.secret_arn, "versionStage": "AWSCURRENT"}, True),
        (
            "UpdateSecretVersionStage",
            {
                "secretId": p.secret_arn,
                "versionStage": "AWSCURRENT",
                "moveToVersionId": ver,
                "removeFromVersionId": p.uid(),
            },
            False,
        ),
    ]
    for i, (name, req, ro) in enumerate(steps):
        p.ct(
            t + timedelta(seconds=1 + i),
            "secretsmanager.amazonaws.com",
            name,
            who,
            req,
            None,
            read_only=ro,
            agent=agent,
            ip=ip,
        )
    stream = p.stream("rotate", t)
    group = f"/aws/lambda/{p.fn['rotate']}"
    lines = [
        "createSecret: Successfully put secret for ARN {a} and version {v}.",
        "setSecret: Successfully set password for user app_pos in PostgreSQL DB for secret arn {a}.",
        "testSecret: Successfully signed into PostgreSQL DB for secret arn {a}.",
        "finishSecret: Successfully set AWSCURRENT stage to version {v} for secret {a}.",
    ]
    for i, ln in enumerate(lines):
        st = t + timedelta(seconds=1 + i)
        rid = p.uid()
        p.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(st),
                "message": f"START RequestId: {rid} Version: $LATEST",
            }
        )
        p.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(st) + 300,
                "message": f"[INFO]\t{iso(st).replace('Z', '.') + '512Z'}\t{rid}\t"
                + ln.format(a=p.secret_arn, v=ver),
            }
        )
        p.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(st) + 640,
                "message": f"END RequestId: {rid}",
            }
        )
        p.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(st) + 640,
                "message": f"REPORT RequestId: {rid}\tDuration: 612.40 ms\tBilled Duration: 613 ms\t"
                "Memory Size: 256 MB\tMax Memory Used: 88 MB\t",
            }
        )


def all_functions(p: Pos, modified: dict[str, datetime] | None = None) -> None:
    for key in ("api", "ingest", "receipts", "eod", "rotate", "inventory"):
        p.function(
            key, runtime="python3.12" if key == "rotate" else "nodejs20.x", modified=(modified or {}).get(key)
        )
