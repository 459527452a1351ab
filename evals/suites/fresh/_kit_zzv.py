"""Private helpers for kit zzv incidents (data pipeline area)."""

from __future__ import annotations

import json
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


def clock(t: datetime, zone: str) -> str:
    """A wall-clock time as a person would say it ("3:40pm"), rounded down to five minutes."""
    local = t.astimezone(ZoneInfo(zone))
    minute = local.minute - local.minute % 5
    hour = local.hour % 12 or 12
    return f"{hour}:{minute:02d}{'am' if local.hour < 12 else 'pm'}"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Everything one incident accumulates while it is being built."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "5" + self.account[1:]
        self.region = r.choice(["eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-southeast-2"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []

    # --- ids ---------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # --- CloudTrail --------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, *, sso: bool = False) -> Rec:
        rid = "AROA" + self.upper(17)
        path = f"aws-reserved/sso.amazonaws.com/{self.region}/" if sso else ""
        role_arn = f"arn:aws:iam::{self.account}:role/{path}{role}"
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": role_arn,
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

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
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        resources: list[Rec] | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        ident = json.loads(json.dumps(who))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                t - timedelta(minutes=self.rng.randint(3, 50))
            )
        eid = self.uid()
        rec: Rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"10.{self.rng.randint(0, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 250)}",
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
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if resources:
            rec["resources"] = resources
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
        }
        self.trail.append(rec)
        return eid

    def readonly_noise(
        self, start: datetime, end: datetime, calls: list[tuple[str, str, Rec | None]], n: int
    ) -> None:
        """Tooling polling read-only APIs (a monitoring integration, a dashboard, the console)."""
        poller = self.role_identity("DatadogIntegrationRole", "datadog-aws-integration")
        console = self.role_identity("AWSReservedSSO_ReadOnly_5c1e0a", "priya.natarajan@corp", sso=True)
        span = int((end - start).total_seconds())
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.randint(0, span))
            src, name, req = self.rng.choice(calls)
            if self.rng.random() < 0.75:
                self.ct(t, src, name, poller, req, None, read_only=True, agent="Datadog", ip="3.233.147.12")
            else:
                self.ct(
                    t,
                    src,
                    name,
                    console,
                    req,
                    None,
                    read_only=True,
                    agent="AWS Internal",
                    ip="AWS Internal",
                )

    # --- metrics -----------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        fn: Callable[[datetime], float | None],
        period: int = 60,
        stat: bool = False,
    ) -> None:
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                d: Rec = {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                }
                if stat:
                    n = max(1.0, float(self.rng.randint(20, 60)))
                    d["statistic_values"] = {
                        "SampleCount": n,
                        "Sum": round(v * n, 3),
                        "Minimum": round(v * self.rng.uniform(0.3, 0.8), 3),
                        "Maximum": round(v * self.rng.uniform(1.0, 1.3), 3),
                    }
                else:
                    d["value"] = round(v, 3)
                self.metrics.append(d)
            t += timedelta(seconds=period)

    # --- alarms ------------------------------------------------------------------------------------
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
        topic: str,
        *,
        description: str = "",
        missing: str = "missing",
        transitions: list[tuple[datetime, str, str, list[float]]] | None = None,
        created: datetime,
        unit: str | None = None,
    ) -> Rec:
        """An alarm with its history. transitions: (time, new_state, reason, recent datapoints)."""
        arn = self.arn("cloudwatch", f"alarm:{name}")
        states = transitions or []
        value = states[-1][1] if states else "OK"
        last = states[-1][0] if states else created
        reason = states[-1][2] if states else "Threshold Crossed: no datapoints were received for 1 period."
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(created),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": value,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(last),
            "StateTransitionedTimestamp": iso(last),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if unit:
            a["Unit"] = unit
        if states:
            t, _, _, pts = states[-1]
            a["StateReasonData"] = json.dumps(
                self.reason_data(t, stat, period, threshold, pts), separators=(",", ":")
            )
        self.alarms.append(a)
        prev = "OK"
        for t, new, why, pts in states:
            data = {
                "version": "1.0",
                "oldState": {"stateValue": prev, "stateReason": "Threshold Crossed"},
                "newState": {
                    "stateValue": new,
                    "stateReason": why,
                    "stateReasonData": self.reason_data(t, stat, period, threshold, pts),
                },
            }
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {prev} to {new}",
                    "HistoryData": json.dumps(data, separators=(",", ":")),
                }
            )
            prev = new
        return a

    @staticmethod
    def reason_data(t: datetime, stat: str, period: int, threshold: float, pts: list[float]) -> Rec:
        first = t - timedelta(seconds=period * len(pts)) - timedelta(seconds=t.second)
        return {
            "version": "1.0",
            "queryDate": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "startDate": first.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": stat,
            "period": period,
            "recentDatapoints": pts,
            "threshold": threshold,
            "evaluatedDatapoints": [
                {
                    "timestamp": (first + timedelta(seconds=period * i)).strftime(
                        "%Y-%m-%dT%H:%M:%S.000+0000"
                    ),
                    "sampleCount": 1.0,
                    "value": v,
                }
                for i, v in enumerate(pts)
            ][::-1],
        }

    def alarm_event(self, alarm: Rec, when: datetime, prev_when: datetime) -> Rec:
        return {
            "version": "0",
            "id": self.uid(),
            "source": "aws.cloudwatch",
            "detail-type": "CloudWatch Alarm State Change",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": alarm["StateValue"],
                    "reason": alarm["StateReason"],
                    "reasonData": alarm.get("StateReasonData", "{}"),
                    "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: 1 datapoint was not greater than the threshold.",
                    "timestamp": prev_when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
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

    # --- resources ---------------------------------------------------------------------------------
    def res(self, service: str, typ: str, item: Rec) -> Rec:
        self.resources.append({"service": service, "type": typ, "item": item})
        return item

    def role(self, name: str, principal: str, created: datetime) -> str:
        arn = f"arn:aws:iam::{self.account}:role/service-role/{name}"
        self.res(
            "iam",
            "Role",
            {
                "Path": "/service-role/",
                "RoleName": name,
                "RoleId": "AROA" + self.upper(17),
                "Arn": arn,
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": principal},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
                "MaxSessionDuration": 3600,
            },
        )
        return arn

    def log_group(self, name: str, created: datetime, retention: int = 30) -> None:
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": name,
                "creationTime": ms(created),
                "retentionInDays": retention,
                "metricFilterCount": 0,
                "arn": self.arn("logs", f"log-group:{name}:*"),
                "storedBytes": self.rng.randint(10**7, 10**10),
                "logGroupClass": "STANDARD",
                "logGroupArn": self.arn("logs", f"log-group:{name}"),
            },
        )

    def bucket(self, name: str, created: datetime) -> None:
        self.res(
            "s3",
            "Bucket",
            {"Name": name, "CreationDate": iso(created), "BucketRegion": self.region},
        )

    def function(
        self,
        name: str,
        role: str,
        runtime: str,
        handler: str,
        *,
        timeout: int,
        memory: int,
        modified: datetime,
        env: dict[str, str] | None = None,
        description: str = "",
    ) -> Rec:
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": role,
            "Handler": handler,
            "CodeSize": self.rng.randint(200_000, 9_000_000),
            "Description": description,
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.hexid(43) + "=",
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
        return self.res("lambda", "FunctionConfiguration", item)

    def lambda_invocation_logs(
        self,
        fn: str,
        stream: str,
        t: datetime,
        duration_ms: float,
        memory: int,
        used: int,
        body: list[str],
        *,
        timeout: bool = False,
        init: float | None = None,
    ) -> None:
        rid = self.uid()
        group = f"/aws/lambda/{fn}"
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(t),
                "message": f"START RequestId: {rid} Version: $LATEST\n",
            }
        )
        for i, line in enumerate(body):
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": ms(t) + 5 + i * max(1, int(duration_ms / (len(body) + 1))),
                    "message": line.replace("{rid}", rid),
                }
            )
        end_t = ms(t) + int(duration_ms)
        if timeout:
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": end_t,
                    "message": f"{iso(t + timedelta(milliseconds=duration_ms))[:-1]}.{end_t % 1000:03d}Z {rid} "
                    "Task timed out after "
                    f"{duration_ms / 1000:.2f} seconds\n",
                }
            )
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": end_t,
                "message": f"END RequestId: {rid}\n",
            }
        )
        billed = int(duration_ms + 0.999)
        report = (
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init is not None:
            report += f"Init Duration: {init:.2f} ms\t"
        if timeout:
            report += "Status: timeout"
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": end_t + 1, "message": report + "\n"}
        )

    def topic(self, name: str) -> str:
        arn = self.arn("sns", name)
        self.res(
            "sns",
            "Topic",
            {
                "TopicArn": arn,
                "Attributes": {
                    "TopicArn": arn,
                    "Owner": self.account,
                    "DisplayName": "",
                    "SubscriptionsConfirmed": "2",
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                },
            },
        )
        return arn

    def stream(self, name: str, shards: int, created: datetime, *, on_demand: bool = False) -> str:
        arn = self.arn("kinesis", f"stream/{name}")
        self.res(
            "kinesis",
            "StreamDescriptionSummary",
            {
                "StreamName": name,
                "StreamARN": arn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "ON_DEMAND" if on_demand else "PROVISIONED"},
                "RetentionPeriodHours": 24,
                "StreamCreationTimestamp": iso(created),
                "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
                "EncryptionType": "KMS",
                "KeyId": "alias/aws/kinesis",
                "OpenShardCount": shards,
                "ConsumerCount": 0,
            },
        )
        step = (2**128 - 1) // shards
        for i in range(shards):
            lo = step * i
            hi = (2**128 - 1) if i == shards - 1 else step * (i + 1) - 1
            self.res(
                "kinesis",
                "StreamShard",
                {
                    "StreamName": name,
                    "ShardId": f"shardId-{i:012d}",
                    "HashKeyRange": {"StartingHashKey": str(lo), "EndingHashKey": str(hi)},
                    "SequenceNumberRange": {
                        "StartingSequenceNumber": str(
                            49600000000000000000000000000000000000000000000000000000 + i * 10**40
                        )
                    },
                },
            )
        return arn

    def table(self, name: str, created: datetime, key: str) -> str:
        arn = self.arn("dynamodb", f"table/{name}")
        self.res(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
                "TableName": name,
                "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(created),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": self.rng.randint(10**9, 10**11),
                "ItemCount": self.rng.randint(10**6, 10**8),
                "TableArn": arn,
                "TableId": self.uid(),
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "DeletionProtectionEnabled": True,
            },
        )
        return arn

    def firehose_s3(
        self,
        name: str,
        created: datetime,
        bucket: str,
        role: str,
        prefix: str,
        source_stream: str | None = None,
    ) -> str:
        arn = self.arn("firehose", f"deliverystream/{name}")
        item: Rec = {
            "DeliveryStreamName": name,
            "DeliveryStreamARN": arn,
            "DeliveryStreamStatus": "ACTIVE",
            "DeliveryStreamType": "KinesisStreamAsSource" if source_stream else "DirectPut",
            "VersionId": str(self.rng.randint(2, 9)),
            "CreateTimestamp": iso(created),
            "LastUpdateTimestamp": iso(created + timedelta(days=40)),
            "Destinations": [
                {
                    "DestinationId": "destinationId-000000000001",
                    "ExtendedS3DestinationDescription": {
                        "RoleARN": role,
                        "BucketARN": f"arn:aws:s3:::{bucket}",
                        "Prefix": prefix,
                        "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
                        "BufferingHints": {"SizeInMBs": 128, "IntervalInSeconds": 300},
                        "CompressionFormat": "GZIP",
                        "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                        "CloudWatchLoggingOptions": {
                            "Enabled": True,
                            "LogGroupName": f"/aws/kinesisfirehose/{name}",
                            "LogStreamName": "DestinationDelivery",
                        },
                        "S3BackupMode": "Disabled",
                    },
                }
            ],
            "HasMoreDestinations": False,
        }
        if source_stream:
            item["Source"] = {
                "KinesisStreamSourceDescription": {
                    "KinesisStreamARN": source_stream,
                    "RoleARN": role,
                    "DeliveryStartTimestamp": iso(created),
                }
            }
        self.res("firehose", "DeliveryStreamDescription", item)
        return arn

    # --- output ------------------------------------------------------------------------------------
    def bundle(
        self,
        title: str,
        start: datetime,
        now: datetime,
        trigger: Rec,
        truth: Rec,
    ) -> Bundle:
        def before(rows: list[Rec], key: str) -> list[Rec]:
            return [r for r in rows if r[key] <= iso(now)]

        logs = sorted(
            [r for r in self.logs if r["timestamp"] <= ms(now)],
            key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]),
        )
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        records: dict[str, list[Rec]] = {
            "metrics": sorted(before(self.metrics, "timestamp"), key=lambda r: str(r["timestamp"])),
            "alarms": self.alarms,
            "alarm_history": sorted(before(self.history, "Timestamp"), key=lambda r: str(r["Timestamp"])),
            "logs": logs,
            "cloudtrail": sorted(before(self.trail, "eventTime"), key=lambda r: str(r["eventTime"])),
            "resources": self.resources,
            "events": self.events,
        }
        return Bundle(manifest, records)
