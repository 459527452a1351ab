"""Private helpers for kit zzzx: a log and metrics ingestion SaaS (HTTP API -> Lambda -> Kinesis -> OpenSearch, S3)."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]

COMPANIES = ["logwren", "tracefern", "metricmoss", "pipeowl", "signalreed", "heronlogs"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]
PEOPLE = ["amaya.ortiz", "ben.kowalski", "chen.li", "dara.nwosu", "eli.park", "farah.haddad"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class World:
    """One seeded account running the ingestion platform, and the records of its bundle."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.co = r.choice(COMPANIES)
        self.account = str(r.randint(100000000000, 999999999999))
        self.region = r.choice(REGIONS)
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.api_id = self.hexid(10)
        self.integration_id = self.hexid(7)
        self.stream = f"{self.co}-ingest"
        self.domain = f"{self.co}-logs"
        self.bucket = f"{self.co}-raw-archive-{self.account[-4:]}"
        self.fn_receiver = f"{self.co}-ingest-receiver"
        self.fn_indexer = f"{self.co}-stream-indexer"
        self.fn_archiver = f"{self.co}-s3-archiver"
        self.fn_rollup = f"{self.co}-usage-rollup"
        self.shards = r.choice([4, 6, 8])
        self.data_nodes = r.choice([3, 6])
        self.base_rpm = r.randint(2600, 5200)  # API requests a minute
        self.records: dict[str, list[Rec]] = {
            k: []
            for k in (
                "metrics",
                "alarms",
                "alarm_history",
                "logs",
                "cloudtrail",
                "resources",
                "events",
            )
        }
        self.topic = f"arn:aws:sns:{self.region}:{self.account}:{self.co}-oncall"
        self.esm_indexer = ""
        self.esm_archiver = ""

    # --- ids --------------------------------------------------------------------------------------

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hx(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def arn_fn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    @property
    def stream_arn(self) -> str:
        return f"arn:aws:kinesis:{self.region}:{self.account}:stream/{self.stream}"

    @property
    def domain_arn(self) -> str:
        return f"arn:aws:es:{self.region}:{self.account}:domain/{self.domain}"

    # --- window -----------------------------------------------------------------------------------

    def window(self, onset_hour: float, before: timedelta, after: timedelta) -> None:
        self.onset = self.day + timedelta(
            minutes=int(onset_hour * 60) + self.rng.randint(0, 40), seconds=self.rng.randint(3, 57)
        )
        self.start = (self.onset - before).replace(second=0)
        self.now = self.onset + after
        self.end = self.now

    def minutes(self) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.end:
            out.append(t)
            t += timedelta(minutes=1)
        return out

    def diurnal(self, t: datetime) -> float:
        h = t.hour + t.minute / 60
        return 1.0 + 0.18 * math.sin((h - 9) / 24 * 2 * math.pi)

    def noise(self, v: float, pct: float = 0.06) -> float:
        return v * (1 + self.rng.uniform(-pct, pct))

    # --- records ----------------------------------------------------------------------------------

    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.records["metrics"].append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        every: int = 1,
    ) -> None:
        for i, t in enumerate(self.minutes()):
            if i % every:
                continue
            v = fn(t)
            if v is not None:
                self.metric(ns, name, dims, t, unit, v)

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def resource(self, service: str, type_: str, item: Rec) -> None:
        self.records["resources"].append({"service": service, "type": type_, "item": item})

    def identity(self, who: str, role: str) -> Rec:
        role_id = "AROA" + self.hx(17).upper()
        return {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{who}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{who}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hx(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(self.start - timedelta(minutes=self.rng.randint(5, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        params: Rec | None,
        resp: Rec | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        eid = self.uid()
        rec: Rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"{self.rng.randint(3, 54)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}",
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.records["cloudtrail"].append(rec)
        return eid

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
        reason: str,
        updated: datetime,
        desc: str,
        period: int = 60,
        to_alarm: int | None = None,
        missing: str = "missing",
    ) -> Rec:
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}",
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [self.topic],
            "AlarmActions": [self.topic],
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
            "DatapointsToAlarm": to_alarm or periods,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso(updated),
        }
        self.records["alarms"].append(item)
        return item

    def history(self, name: str, t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.records["alarm_history"].append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )

    def alarm_event(self, alarm: Rec, prev_reason: str, t: datetime) -> Rec:
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
                    "reason": alarm["StateReason"],
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": prev_reason,
                    "timestamp": (t - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
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

    def bundle(self, title: str, trigger: Rec, truth: Rec) -> Bundle:
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
        recs = dict(self.records)
        recs["cloudtrail"] = sorted(recs["cloudtrail"], key=lambda r: r["eventTime"])
        recs["logs"] = sorted(recs["logs"], key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        return Bundle(manifest, {k: v for k, v in recs.items() if v})


# --- the platform's resources -------------------------------------------------------------------------


def base_resources(w: World, payload_version: str = "2.0") -> None:
    r = w.rng
    created = w.day - timedelta(days=r.randint(300, 700))
    w.resource(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"https://{w.api_id}.execute-api.{w.region}.amazonaws.com",
            "ApiId": w.api_id,
            "ApiKeySelectionExpression": "$request.header.x-api-key",
            "CreatedDate": iso(created),
            "DisableExecuteApiEndpoint": False,
            "Name": f"{w.co}-ingest-api",
            "ProtocolType": "HTTP",
            "RouteSelectionExpression": "$request.method $request.path",
            "Tags": {"team": "ingest", "env": "prod"},
        },
    )
    w.resource(
        "apigatewayv2",
        "ApiStage",
        {
            "ApiId": w.api_id,
            "StageName": "$default",
            "AutoDeploy": True,
            "CreatedDate": iso(created),
            "LastUpdatedDate": iso(w.day - timedelta(days=r.randint(3, 40))),
            "DeploymentId": w.hexid(6),
            "DefaultRouteSettings": {
                "DetailedMetricsEnabled": False,
                "ThrottlingBurstLimit": 5000,
                "ThrottlingRateLimit": 10000.0,
            },
            "AccessLogSettings": {
                "DestinationArn": f"arn:aws:logs:{w.region}:{w.account}:log-group:/aws/apigateway/{w.co}-ingest-api",
                "Format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","routeKey":"$context.routeKey","status":"$context.status","responseLength":"$context.responseLength","integrationError":"$context.integrationErrorMessage","integrationLatency":"$context.integrationLatency"}',
            },
            "Tags": {"team": "ingest"},
        },
    )
    w.resource(
        "apigatewayv2",
        "ApiIntegration",
        {
            "ApiId": w.api_id,
            "IntegrationId": w.integration_id,
            "ConnectionType": "INTERNET",
            "IntegrationMethod": "POST",
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": w.arn_fn(w.fn_receiver),
            "PayloadFormatVersion": payload_version,
            "TimeoutInMillis": 10000,
        },
    )
    for key in ("POST /v1/logs", "POST /v1/metrics", "GET /v1/health"):
        w.resource(
            "apigatewayv2",
            "ApiRoute",
            {
                "ApiId": w.api_id,
                "RouteId": w.hexid(7),
                "RouteKey": key,
                "AuthorizationType": "NONE",
                "ApiKeyRequired": False,
                "Target": f"integrations/{w.integration_id}",
            },
        )
    role = f"{w.co}-ingest-lambda"
    w.resource(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": role,
            "RoleId": "AROA" + w.hx(17).upper(),
            "Arn": f"arn:aws:iam::{w.account}:role/{role}",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": json.dumps(
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
            ),
        },
    )
    fns = [
        (
            w.fn_receiver,
            "python3.12",
            "app.lambda_handler",
            512,
            10,
            "receives agent batches, validates, PutRecords to Kinesis",
        ),
        (w.fn_indexer, "python3.12", "indexer.handler", 1024, 120, "Kinesis -> OpenSearch _bulk"),
        (
            w.fn_archiver,
            "python3.12",
            "archiver.handler",
            1024,
            300,
            "Kinesis -> S3 raw archive (gzip NDJSON)",
        ),
        (w.fn_rollup, "python3.12", "rollup.handler", 512, 600, "hourly per-tenant usage rollup"),
    ]
    env = {
        w.fn_receiver: {"STREAM_NAME": w.stream, "MAX_BATCH_BYTES": "1048576", "LOG_LEVEL": "INFO"},
        w.fn_indexer: {
            "OPENSEARCH_ENDPOINT": f"vpc-{w.domain}-{w.hexid(26)}.{w.region}.es.amazonaws.com",
            "INDEX_PREFIX": "logs-",
            "LOG_LEVEL": "INFO",
        },
        w.fn_archiver: {"BUCKET": w.bucket, "PREFIX": "raw/"},
        w.fn_rollup: {"OPENSEARCH_ENDPOINT": f"vpc-{w.domain}.{w.region}.es.amazonaws.com"},
    }
    for name, rt, handler, mem, timeout, desc in fns:
        w.resource(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": name,
                "FunctionArn": w.arn_fn(name),
                "Runtime": rt,
                "Role": f"arn:aws:iam::{w.account}:role/{role}",
                "Handler": handler,
                "CodeSize": r.randint(900_000, 9_000_000),
                "Description": desc,
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": (w.day - timedelta(days=r.randint(2, 30))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "CodeSha256": w.hx(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": env[name]},
                "TracingConfig": {"Mode": "PassThrough"},
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            },
        )
        w.resource(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{name}",
                "creationTime": ms(created),
                "retentionInDays": 14,
                "arn": f"arn:aws:logs:{w.region}:{w.account}:log-group:/aws/lambda/{name}:*",
                "storedBytes": r.randint(10**8, 10**10),
            },
        )
    w.esm_indexer = w.uid()
    w.esm_archiver = w.uid()
    for uid_, fn, batch, window in (
        (w.esm_indexer, w.fn_indexer, 500, 1),
        (w.esm_archiver, w.fn_archiver, 5000, 60),
    ):
        w.resource(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": uid_,
                "StartingPosition": "LATEST",
                "BatchSize": batch,
                "MaximumBatchingWindowInSeconds": window,
                "ParallelizationFactor": 2 if fn == w.fn_indexer else 1,
                "EventSourceArn": w.stream_arn,
                "FunctionArn": w.arn_fn(fn),
                "LastModified": iso(w.day - timedelta(days=r.randint(20, 90))),
                "LastProcessingResult": "OK",
                "State": "Enabled",
                "StateTransitionReason": "User action",
                "DestinationConfig": {"OnFailure": {}},
                "MaximumRecordAgeInSeconds": -1,
                "BisectBatchOnFunctionError": True,
                "MaximumRetryAttempts": -1 if fn == w.fn_indexer else 10,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        )
    w.resource(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": w.stream,
            "StreamARN": w.stream_arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": 48,
            "StreamCreationTimestamp": iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": w.shards,
            "ConsumerCount": 0,
        },
    )
    step = (2**128) // w.shards
    for i in range(w.shards):
        lo, hi = i * step, (2**128 - 1 if i == w.shards - 1 else (i + 1) * step - 1)
        w.resource(
            "kinesis",
            "StreamShard",
            {
                "StreamName": w.stream,
                "ShardId": f"shardId-{i:012d}",
                "HashKeyRange": {"StartingHashKey": str(lo), "EndingHashKey": str(hi)},
                "SequenceNumberRange": {
                    "StartingSequenceNumber": str(
                        49600000000000000000000000000000000000000000000000000000 + i * 10**40
                    )
                },
            },
        )
    w.resource(
        "s3",
        "Bucket",
        {"Name": w.bucket, "CreationDate": iso(created), "BucketRegion": w.region},
    )


def domain_status(w: World, volume_gib: int, processing: bool = False) -> Rec:
    return {
        "DomainId": f"{w.account}/{w.domain}",
        "DomainName": w.domain,
        "ARN": w.domain_arn,
        "Created": True,
        "Deleted": False,
        "Endpoints": {"vpc": f"vpc-{w.domain}-{w.hexid(26)}.{w.region}.es.amazonaws.com"},
        "Processing": processing,
        "UpgradeProcessing": False,
        "EngineVersion": "OpenSearch_2.13",
        "ClusterConfig": {
            "InstanceType": "r6g.large.search",
            "InstanceCount": w.data_nodes,
            "DedicatedMasterEnabled": True,
            "DedicatedMasterType": "m6g.large.search",
            "DedicatedMasterCount": 3,
            "ZoneAwarenessEnabled": True,
            "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
            "WarmEnabled": False,
            "MultiAZWithStandbyEnabled": False,
        },
        "EBSOptions": {
            "EBSEnabled": True,
            "VolumeType": "gp3",
            "VolumeSize": volume_gib,
            "Iops": 3000,
            "Throughput": 125,
        },
        "SnapshotOptions": {},
        "EncryptionAtRestOptions": {"Enabled": True},
        "NodeToNodeEncryptionOptions": {"Enabled": True},
        "AdvancedOptions": {
            "rest.action.multi.allow_explicit_index": "true",
            "override_main_response_version": "false",
        },
        "ServiceSoftwareOptions": {
            "CurrentVersion": "OpenSearch_2_13_R20241003-P3",
            "NewVersion": "",
            "UpdateAvailable": False,
            "Cancellable": False,
            "UpdateStatus": "COMPLETED",
            "Description": "There is no software update available for this domain.",
            "AutomatedUpdateDate": "1970-01-01T00:00:00Z",
            "OptionalDeployment": True,
        },
        "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        "OffPeakWindowOptions": {
            "Enabled": True,
            "OffPeakWindow": {"WindowStartTime": {"Hours": 2, "Minutes": 0}},
        },
        "DomainProcessingStatus": "Active" if not processing else "Modifying",
    }


# --- background noise ----------------------------------------------------------------------------------


def tooling_reads(w: World, n: int = 30) -> None:
    """Read-only calls from the monitoring integration and a Terraform plan."""
    mon = w.identity("DatadogAWSIntegration", "DatadogIntegrationRole")
    calls: list[tuple[str, str, Rec]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": w.stream}),
        ("es.amazonaws.com", "DescribeDomain", {"domainName": w.domain}),
        ("apigateway.amazonaws.com", "GetApis", {"maxResults": "50"}),
        ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": w.fn_indexer}),
        (
            "s3.amazonaws.com",
            "GetBucketTagging",
            {"bucketName": w.bucket, "tagging": "", "Host": f"{w.bucket}.s3.{w.region}.amazonaws.com"},
        ),
    ]
    span = int((w.end - w.start).total_seconds())
    for _ in range(n):
        src, name, params = w.rng.choice(calls)
        t = w.start + timedelta(seconds=w.rng.randint(0, span))
        w.ct(
            t,
            src,
            name,
            mon,
            params,
            None,
            read_only=True,
            agent="Datadog Boto3/1.34.0 Python/3.11",
            ip="3.233.144.21",
        )


def deploy(w: World, t: datetime, fn: str, who: str = "github-actions") -> str:
    ident = w.identity(who, f"{w.co}-gha-deploy")
    sha = w.hx(43) + "="
    params = {"functionName": fn, "publish": False, "dryRun": False, "architectures": ["arm64"]}
    resp = {
        "functionName": fn,
        "functionArn": w.arn_fn(fn),
        "runtime": "python3.12",
        "codeSize": w.rng.randint(900_000, 9_000_000),
        "codeSha256": sha,
        "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "version": "$LATEST",
        "state": "Active",
        "lastUpdateStatus": "InProgress",
        "lastUpdateStatusReason": "The function is being created.",
        "lastUpdateStatusReasonCode": "Creating",
    }
    return w.ct(
        t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ident,
        params,
        resp,
        agent="aws-sdk-js/3.592.0 ua/2.0 os/linux lang/js md/nodejs#20.14.0 api/lambda#3.592.0",
    )


def lambda_logs(
    w: World,
    fn: str,
    every: int,
    app_line: Callable[[datetime], list[str]],
    duration: Callable[[datetime], float],
    mem: int,
) -> None:
    """A sample of a function's invocations: START, app lines, END, REPORT (one every `every` minutes)."""
    group = f"/aws/lambda/{fn}"
    streams = [f"{w.day:%Y/%m/%d}/[$LATEST]{w.hx(32)}" for _ in range(3)]
    for i, t in enumerate(w.minutes()):
        if i % every:
            continue
        t = t + timedelta(seconds=w.rng.randint(0, 50), milliseconds=w.rng.randint(0, 999))
        s = w.rng.choice(streams)
        rid = w.uid()
        d = duration(t)
        w.log(group, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        for line in app_line(t):
            w.log(group, s, t + timedelta(milliseconds=int(d / 2)), line.replace("{rid}", rid))
        end = t + timedelta(milliseconds=int(d) + 1)
        w.log(group, s, end, f"END RequestId: {rid}\n")
        w.log(
            group,
            s,
            end,
            f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {math.ceil(d)} ms\tMemory Size: {mem} MB\tMax Memory Used: {w.rng.randint(80, 190)} MB\t\n",
        )


def rollup_job(w: World, fail_after: datetime | None = None) -> None:
    """The hourly usage rollup: its invocations and logs, and its duration metric."""
    group = f"/aws/lambda/{w.fn_rollup}"
    t = w.start.replace(minute=5, second=0) + timedelta(hours=1)
    while t < w.end:
        rid = w.uid()
        s = f"{t:%Y/%m/%d}/[$LATEST]{w.hx(32)}"
        d = w.rng.uniform(38_000, 71_000)
        fail = fail_after is not None and t >= fail_after
        w.log(group, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        w.log(
            group,
            s,
            t + timedelta(seconds=1),
            f"[INFO]\t{iso(t)}\t{rid}\trollup window {t - timedelta(hours=1):%H}:00-{t:%H}:00 tenants={w.rng.randint(300, 420)}\n",
        )
        w.log(
            group,
            s,
            t + timedelta(milliseconds=int(d)),
            f"[INFO]\t{iso(t)}\t{rid}\twrote usage docs={w.rng.randint(300, 420)} took_ms={int(d)}\n"
            if fail is False
            else "[ERROR] TransportError: TransportError(403, 'cluster_block_exception', 'index [usage-rollup] blocked by: "
            "[FORBIDDEN/8/index write (api)];')\n",
        )
        w.log(group, s, t + timedelta(milliseconds=int(d) + 2), f"END RequestId: {rid}\n")
        w.log(
            group,
            s,
            t + timedelta(milliseconds=int(d) + 2),
            f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {math.ceil(d)} ms\tMemory Size: 512 MB\tMax Memory Used: {w.rng.randint(140, 260)} MB\t\n",
        )
        for name, unit, v in (
            ("Invocations", "Count", 1.0),
            ("Errors", "Count", 0.0 if fail is False else 1.0),
            ("Duration", "Milliseconds", d),
        ):
            w.metric("AWS/Lambda", name, {"FunctionName": w.fn_rollup}, t, unit, v)
        t += timedelta(hours=1)


# --- the platform's metrics ----------------------------------------------------------------------------

Fn = Callable[[datetime], float]


class Load:
    """Per-minute shape of the platform's load and health; incidents override what they change."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.rpm: Fn = lambda t: w.noise(w.base_rpm * w.diurnal(t))
        self.api_5xx_rate: Fn = lambda t: w.rng.choice([0, 0, 0, 0, 0.0002, 0.0004])
        self.api_4xx_rate: Fn = lambda t: w.rng.uniform(0.004, 0.009)
        self.api_latency: Fn = lambda t: w.noise(48.0, 0.15)
        self.records_per_req: float = w.rng.uniform(18, 30)
        self.accepted: Fn = lambda t: 1.0  # share of requests that reach Kinesis
        self.extra_records: Fn = lambda t: 0.0  # records a minute from outside the API (backfills)
        self.indexer_age: Fn = lambda t: w.noise(900.0, 0.5)
        self.archiver_age: Fn = lambda t: w.noise(38_000.0, 0.4)
        self.indexer_errors: Fn = lambda t: 0.0
        self.indexer_duration: Fn = lambda t: w.noise(410.0, 0.2)
        self.indexed_share: Fn = lambda t: 1.0
        self.free_storage_mb: Fn = lambda t: w.noise(310_000.0, 0.002)
        self.writes_blocked: Fn = lambda t: 0.0
        self.status: Callable[[datetime], str] = lambda t: "green"
        self.nodes: Fn = lambda t: float(w.data_nodes + 3)
        self.jvm: Fn = lambda t: w.noise(58.0, 0.12)
        self.cpu: Fn = lambda t: w.noise(34.0, 0.2)
        self.write_rejected: Fn = lambda t: 0.0
        self.indexing_latency: Fn = lambda t: w.noise(0.9, 0.3)
        self.put_throttled: Fn = lambda t: 0.0


def platform_metrics(w: World, ld: Load) -> None:
    api = {"ApiId": w.api_id, "Stage": "$default"}
    rpm = {t: ld.rpm(t) for t in w.minutes()}
    for t in w.minutes():
        n = rpm[t]
        e5 = round(n * ld.api_5xx_rate(t))
        e4 = round(n * ld.api_4xx_rate(t))
        w.metric("AWS/ApiGateway", "Count", api, t, "Count", round(n))
        w.metric("AWS/ApiGateway", "5xx", api, t, "Count", e5)
        w.metric("AWS/ApiGateway", "4xx", api, t, "Count", e4)
        lat = ld.api_latency(t)
        w.metric("AWS/ApiGateway", "Latency", api, t, "Milliseconds", lat)
        w.metric("AWS/ApiGateway", "IntegrationLatency", api, t, "Milliseconds", lat * 0.86)
        w.metric("AWS/ApiGateway", "DataProcessed", api, t, "Bytes", round(n * w.rng.uniform(9000, 12000)))
        rv = {"FunctionName": w.fn_receiver}
        w.metric("AWS/Lambda", "Invocations", rv, t, "Count", round(n - e4 * 0.2))
        w.metric(
            "AWS/Lambda",
            "Errors",
            rv,
            t,
            "Count",
            round(n * ld.api_5xx_rate(t) if ld.accepted(t) < 0.99 else 0),
        )
        w.metric("AWS/Lambda", "Throttles", rv, t, "Count", 0)
        w.metric("AWS/Lambda", "Duration", rv, t, "Milliseconds", lat * 0.74)
        w.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            rv,
            t,
            "Count",
            max(1, round(n / 60 * lat * 0.74 / 1000 * 1.6)),
        )
        recs = n * ld.records_per_req * ld.accepted(t) + ld.extra_records(t)
        ks = {"StreamName": w.stream}
        w.metric("AWS/Kinesis", "IncomingRecords", ks, t, "Count", round(recs))
        w.metric("AWS/Kinesis", "IncomingBytes", ks, t, "Bytes", round(recs * w.rng.uniform(420, 470)))
        w.metric("AWS/Kinesis", "PutRecords.TotalRecords", ks, t, "Count", round(recs + ld.put_throttled(t)))
        w.metric("AWS/Kinesis", "PutRecords.SuccessfulRecords", ks, t, "Count", round(recs))
        w.metric("AWS/Kinesis", "PutRecords.ThrottledRecords", ks, t, "Count", round(ld.put_throttled(t)))
        w.metric(
            "AWS/Kinesis", "WriteProvisionedThroughputExceeded", ks, t, "Count", round(ld.put_throttled(t))
        )
        w.metric(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            ks,
            t,
            "Milliseconds",
            round(max(ld.indexer_age(t), ld.archiver_age(t))),
        )
        w.metric("AWS/Kinesis", "GetRecords.Records", ks, t, "Count", round(recs * (1 + ld.indexed_share(t))))
        ix = {"FunctionName": w.fn_indexer}
        inv = (
            max(1, round(recs / 500 * 1.3 * ld.indexed_share(t)))
            if ld.indexer_errors(t) == 0
            else round(w.shards * 2 * w.noise(6, 0.2))
        )
        w.metric("AWS/Lambda", "Invocations", ix, t, "Count", inv)
        w.metric("AWS/Lambda", "Errors", ix, t, "Count", round(min(inv, ld.indexer_errors(t))))
        w.metric("AWS/Lambda", "Duration", ix, t, "Milliseconds", ld.indexer_duration(t))
        w.metric("AWS/Lambda", "IteratorAge", ix, t, "Milliseconds", round(ld.indexer_age(t)))
        w.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            ix,
            t,
            "Count",
            w.shards * 2 if ld.indexer_age(t) > 5000 else w.rng.randint(w.shards, w.shards * 2),
        )
        ar = {"FunctionName": w.fn_archiver}
        w.metric("AWS/Lambda", "Invocations", ar, t, "Count", w.shards)
        w.metric("AWS/Lambda", "Errors", ar, t, "Count", 0)
        w.metric("AWS/Lambda", "Duration", ar, t, "Milliseconds", w.noise(2400.0, 0.3))
        w.metric("AWS/Lambda", "IteratorAge", ar, t, "Milliseconds", round(ld.archiver_age(t)))
        es = {"DomainName": w.domain, "ClientId": w.account}
        st = ld.status(t)
        for colour in ("green", "yellow", "red"):
            w.metric("AWS/ES", f"ClusterStatus.{colour}", es, t, "Count", 1.0 if st == colour else 0.0)
        w.metric("AWS/ES", "Nodes", es, t, "Count", ld.nodes(t))
        w.metric("AWS/ES", "FreeStorageSpace", es, t, "Megabytes", ld.free_storage_mb(t))
        w.metric("AWS/ES", "ClusterIndexWritesBlocked", es, t, "Count", ld.writes_blocked(t))
        w.metric("AWS/ES", "JVMMemoryPressure", es, t, "Percent", ld.jvm(t))
        w.metric("AWS/ES", "CPUUtilization", es, t, "Percent", ld.cpu(t))
        w.metric("AWS/ES", "IndexingRate", es, t, "Count", round(recs / w.data_nodes * ld.indexed_share(t)))
        w.metric("AWS/ES", "IndexingLatency", es, t, "Milliseconds", ld.indexing_latency(t))
        w.metric("AWS/ES", "ThreadpoolWriteRejected", es, t, "Count", ld.write_rejected(t))
        w.metric("AWS/ES", "SearchRate", es, t, "Count", round(w.noise(340.0, 0.25)))
        w.metric("AWS/ES", "AutomatedSnapshotFailure", es, t, "Count", 0)


def standard_alarms(
    w: World, firing: set[str], when: datetime | None, reasons: dict[str, str]
) -> dict[str, Rec]:
    """The team's alarms; those in `firing` went to ALARM at `when`, the rest are OK since long ago."""
    defs = [
        (
            f"{w.co}-ingest-api-5xx",
            "AWS/ApiGateway",
            "5xx",
            {"ApiId": w.api_id, "Stage": "$default"},
            "Sum",
            50.0,
            "GreaterThanThreshold",
            3,
            "Ingest API 5xx > 50/min for 3 min. Runbook: wiki/ingest/api-5xx",
        ),
        (
            f"{w.co}-indexer-iterator-age",
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": w.fn_indexer},
            "Maximum",
            300000.0,
            "GreaterThanThreshold",
            5,
            "stream-indexer more than 5 min behind the ingest stream",
        ),
        (
            f"{w.co}-indexer-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": w.fn_indexer},
            "Sum",
            20.0,
            "GreaterThanThreshold",
            5,
            "stream-indexer errors",
        ),
        (
            f"{w.co}-logs-cluster-red",
            "AWS/ES",
            "ClusterStatus.red",
            {"DomainName": w.domain, "ClientId": w.account},
            "Maximum",
            1.0,
            "GreaterThanOrEqualToThreshold",
            1,
            "OpenSearch cluster status RED",
        ),
        (
            f"{w.co}-logs-jvm-pressure",
            "AWS/ES",
            "JVMMemoryPressure",
            {"DomainName": w.domain, "ClientId": w.account},
            "Maximum",
            85.0,
            "GreaterThanThreshold",
            3,
            "JVM memory pressure high on logs domain",
        ),
        (
            f"{w.co}-ingest-put-throttled",
            "AWS/Kinesis",
            "WriteProvisionedThroughputExceeded",
            {"StreamName": w.stream},
            "Sum",
            100.0,
            "GreaterThanThreshold",
            5,
            "Ingest stream write throttling",
        ),
    ]
    out = {}
    for name, ns, metric, dims, stat, thr, op, periods, desc in defs:
        if name in firing and when is not None:
            item = w.alarm(name, ns, metric, dims, stat, thr, op, periods, "ALARM", reasons[name], when, desc)
            w.history(name, when, "OK", "ALARM", reasons[name])
        else:
            since = w.start - timedelta(days=w.rng.randint(2, 40), minutes=w.rng.randint(0, 900))
            item = w.alarm(
                name,
                ns,
                metric,
                dims,
                stat,
                thr,
                op,
                periods,
                "OK",
                f"Threshold Crossed: {periods} out of the last {periods} datapoints were not greater than the threshold ({thr}).",
                since,
                desc,
            )
        out[name] = item
    return out


def flappy_alarm(w: World, flips: list[datetime]) -> None:
    """The rollup's duration alarm: noisy, flips around the hour."""
    name = f"{w.co}-usage-rollup-slow"
    state = "OK"
    for t in flips:
        new = "ALARM" if state == "OK" else "OK"
        w.history(
            name,
            t,
            state,
            new,
            f"Threshold Crossed: 1 datapoint [{w.rng.randint(60000, 75000)}.0] was {'greater' if new == 'ALARM' else 'not greater'} than the threshold (60000.0).",
        )
        state = new
    w.alarm(
        name,
        "AWS/Lambda",
        "Duration",
        {"FunctionName": w.fn_rollup},
        "Maximum",
        60000.0,
        "GreaterThanThreshold",
        1,
        state,
        "Threshold Crossed: 1 datapoint was evaluated.",
        flips[-1] if flips else w.start,
        "usage rollup taking over a minute",
        period=3600,
        missing="notBreaching",
    )


def access_logs(w: World, every: int, status: Callable[[datetime], tuple[str, str]]) -> None:
    """A sample of the HTTP API's access log (JSON, the stage's format)."""
    group = f"/aws/apigateway/{w.co}-ingest-api"
    for i, t in enumerate(w.minutes()):
        if i % every:
            continue
        for _ in range(2):
            tt = t + timedelta(seconds=w.rng.randint(0, 59))
            code, ierr = status(tt)
            route = w.rng.choice(["POST /v1/logs", "POST /v1/logs", "POST /v1/metrics"])
            rec = {
                "requestId": w.hexid(8).upper()[:7] + "=",
                "ip": f"{w.rng.randint(20, 200)}.{w.rng.randint(0, 255)}.{w.rng.randint(0, 255)}.{w.rng.randint(1, 254)}",
                "requestTime": tt.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "routeKey": route,
                "status": code,
                "responseLength": "2" if code == "202" else ("35" if code == "500" else "58"),
                "integrationError": ierr,
                "integrationLatency": str(w.rng.randint(20, 70)),
            }
            w.log(group, f"{w.api_id}_$default", tt, json.dumps(rec))
