"""Private helpers for the kit `zzzg` incidents (IoT ingestion pipelines)."""

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

Json = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Account:
    """One account's telemetry, built up by an incident module."""

    def __init__(self, seed: int, salt: str, hours_before: float, minutes_after: int) -> None:
        self.rng = random.Random(f"{salt}-{seed}")
        r = self.rng
        self.account = str(r.randint(100000000000, 999999999999))
        self.region = r.choice(["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.hours_before = hours_before
        self.minutes_after = minutes_after
        self.metrics: list[Json] = []
        self.alarms: list[Json] = []
        self.history: list[Json] = []
        self.logs: list[Json] = []
        self.trail: list[Json] = []
        self.resources: list[Json] = []
        self.events: list[Json] = []
        self.onset = day
        self.start = day
        self.now = day

    def set_onset(self, onset: datetime) -> None:
        self.onset = onset.replace(second=0, microsecond=0)
        self.start = (self.onset - timedelta(hours=self.hours_before)).replace(minute=0)
        self.now = self.onset + timedelta(minutes=self.minutes_after)

    # ids ---------------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def public_ip(self) -> str:
        r = self.rng
        return f"{r.choice([3, 18, 34, 52, 54])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def role_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.account}:role/{name}"

    # metrics -----------------------------------------------------------------------------------------
    def point(self, ns: str, metric: str, dims: dict[str, str], t: datetime, value: float, unit: str) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def stats(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        n: float,
        total: float,
        lo: float,
        hi: float,
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": max(1.0, round(n)),
                    "Sum": round(total, 3),
                    "Minimum": round(min(lo, hi), 3),
                    "Maximum": round(max(lo, hi), 3),
                },
            }
        )

    def minutes(self, step: int = 60, until: datetime | None = None) -> list[datetime]:
        out = []
        t = self.start
        end = until or self.now
        while t <= end:
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
    ) -> None:
        for t in self.minutes(step):
            v = fn(t)
            if v is None:
                continue
            self.point(ns, metric, dims, t, max(0.0, v), unit)

    def jitter(self, v: float, pct: float = 0.05) -> float:
        return v * (1 + self.rng.uniform(-pct, pct))

    # alarms ------------------------------------------------------------------------------------------
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
        topic_arn: str,
        state: str,
        since: datetime,
        reason: str,
        description: str = "",
        missing: str = "missing",
        to_alarm: int | None = None,
        unit: str | None = None,
    ) -> Json:
        item: Json = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 300))),
            "ActionsEnabled": True,
            "OKActions": [topic_arn],
            "AlarmActions": [topic_arn],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso(since),
        }
        if description:
            item["AlarmDescription"] = description
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    def transition(
        self, name: str, t: datetime, old: str, new: str, reason: str, data: Json | None = None
    ) -> None:
        body: Json = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        if data:
            body["newState"]["stateReasonData"] = data
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{self.rng.randint(0, 999):03d}Z",
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(body),
            }
        )

    def alarm_event(self, alarm: Json, t: datetime, prev: str, prev_reason: str) -> Json:
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
                "state": {"value": alarm["StateValue"], "reason": alarm["StateReason"], "timestamp": iso(t)},
                "previousState": {"value": prev, "reason": prev_reason},
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

    # logs --------------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_stream(self, t: datetime) -> str:
        return f"{t:%Y/%m/%d}/[$LATEST]{self.hexid(32)}"

    def invocation(
        self,
        function: str,
        stream: str,
        t: datetime,
        duration_ms: float,
        memory: int,
        used: int,
        body: list[tuple[float, str]],
    ) -> None:
        group = f"/aws/lambda/{function}"
        rid = self.uid()
        self.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        for offset, line in body:
            self.log(group, stream, t + timedelta(milliseconds=offset), line.replace("{rid}", rid))
        end = t + timedelta(milliseconds=duration_ms)
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        self.log(
            group,
            stream,
            end,
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {math.ceil(duration_ms)} ms"
            f"\tMemory Size: {memory} MB\tMax Memory Used: {used} MB\t\n",
        )

    # cloudtrail --------------------------------------------------------------------------------------
    def who_role(self, role: str, session: str, t: datetime) -> Json:
        pid = "AROA" + self.upper(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": self.role_arn(role),
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=self.rng.randint(2, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def who_sso(
        self, user: str, t: datetime, perm: str = "AWSReservedSSO_PlatformEngineer_4f1c2a9e0b7d3c61"
    ) -> Json:
        ident = self.who_role(perm, user, t)
        ident["arn"] = f"arn:aws:sts::{self.account}:assumed-role/{perm}/{user}"
        ident["sessionContext"]["sessionIssuer"]["arn"] = (
            f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{perm}"
        )
        return ident

    def who_service(self, service: str) -> Json:
        return {"type": "AWSService", "invokedBy": service}

    def call(
        self,
        t: datetime,
        source: str,
        name: str,
        who: Json,
        params: Json | None = None,
        response: Json | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 command/unknown",
        ip: str | None = None,
        region: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        eid = self.uid()
        rec: Json = {
            "eventVersion": "1.09" if who.get("type") != "AWSService" else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or (who.get("invokedBy") if who.get("type") == "AWSService" else self.public_ip()),
            "userAgent": agent if who.get("type") != "AWSService" else str(who.get("invokedBy")),
            "requestParameters": params,
            "responseElements": response,
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
            rec["responseElements"] = None
        if who.get("type") != "AWSService":
            host = source.replace(".amazonaws.com", f".{rec['awsRegion']}.amazonaws.com")
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
        self.trail.append(rec)
        return eid

    def tooling_noise(
        self, n: int, reads: list[tuple[str, str, Json | None]], role: str = "grafana-cloudwatch-reader"
    ) -> None:
        """Read-only calls from dashboards and inventory tooling, spread across the window."""
        span = (self.now - self.start).total_seconds()
        agents = [
            "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
            "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.11.8",
            "aws-sdk-java/2.25.6 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10",
        ]
        for _ in range(n):
            t = self.start + timedelta(seconds=self.rng.uniform(0, span))
            source, name, params = self.rng.choice(reads)
            self.call(
                t.replace(microsecond=0),
                source,
                name,
                self.who_role(
                    self.rng.choice([role, "steampipe-inventory", "datadog-integration"]), self.hexid(8), t
                ),
                params,
                None,
                read_only=True,
                agent=self.rng.choice(agents),
            )

    # resources ---------------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Json) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log_group(self, name: str, retention: int | None = 30) -> None:
        item: Json = {
            "logGroupName": name,
            "creationTime": ms(self.start - timedelta(days=self.rng.randint(60, 700))),
            "metricFilterCount": 0,
            "arn": self.arn("logs", f"log-group:{name}:*"),
            "storedBytes": self.rng.randint(10**7, 10**10),
            "logGroupClass": "STANDARD",
            "logGroupArn": self.arn("logs", f"log-group:{name}"),
        }
        if retention:
            item["retentionInDays"] = retention
        self.res("logs", "LogGroup", item)

    def function(
        self,
        name: str,
        runtime: str,
        handler: str,
        memory: int,
        timeout: int,
        role: str,
        modified: datetime,
        env: dict[str, str] | None = None,
        code_size: int = 0,
    ) -> Json:
        item: Json = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": self.role_arn(role),
            "Handler": handler,
            "CodeSize": code_size or self.rng.randint(2_000_000, 30_000_000),
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
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
        self.res("lambda", "FunctionConfiguration", item)
        return item

    def stream(self, name: str, shards: int, created: datetime) -> str:
        arn = self.arn("kinesis", f"stream/{name}")
        self.res(
            "kinesis",
            "StreamDescriptionSummary",
            {
                "StreamName": name,
                "StreamARN": arn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "RetentionPeriodHours": 24,
                "StreamCreationTimestamp": iso(created),
                "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
                "EncryptionType": "KMS",
                "KeyId": "alias/aws/kinesis",
                "OpenShardCount": shards,
                "ConsumerCount": 0,
            },
        )
        step = 2**128 // shards
        for i in range(shards):
            self.res(
                "kinesis",
                "StreamShard",
                {
                    "StreamName": name,
                    "ShardId": f"shardId-{i:012d}",
                    "HashKeyRange": {
                        "StartingHashKey": str(i * step),
                        "EndingHashKey": str(2**128 - 1 if i == shards - 1 else (i + 1) * step - 1),
                    },
                    "SequenceNumberRange": {
                        "StartingSequenceNumber": str(
                            49600000000000000000000000000000000000000000000000000000 + i * 10**40
                        )
                    },
                },
            )
        return arn

    def mapping(
        self, function: str, stream_arn: str, batch: int, modified: datetime, extra: Json | None = None
    ) -> Json:
        item: Json = {
            "UUID": self.uid(),
            "StartingPosition": "LATEST",
            "BatchSize": batch,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 1,
            "EventSourceArn": stream_arn,
            "FunctionArn": self.arn("lambda", f"function:{function}"),
            "LastModified": iso(modified),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": -1,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": [],
        }
        if extra:
            item.update(extra)
        self.res("lambda", "EventSourceMappingConfiguration", item)
        return item

    def table(
        self, name: str, pk: str, sk: str, created: datetime, rcu: int = 0, wcu: int = 0, items: int = 0
    ) -> Json:
        item: Json = {
            "AttributeDefinitions": [
                {"AttributeName": pk, "AttributeType": "S"},
                {"AttributeName": sk, "AttributeType": "N"},
            ],
            "TableName": name,
            "KeySchema": [
                {"AttributeName": pk, "KeyType": "HASH"},
                {"AttributeName": sk, "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "TableSizeBytes": items * self.rng.randint(180, 260),
            "ItemCount": items,
            "TableArn": self.arn("dynamodb", f"table/{name}"),
            "TableId": self.uid(),
            "DeletionProtectionEnabled": True,
        }
        if wcu:
            item["ProvisionedThroughput"] = {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": rcu,
                "WriteCapacityUnits": wcu,
            }
            item["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
        else:
            item["ProvisionedThroughput"] = {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            }
            item["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            }
        self.res("dynamodb", "TableDescription", item)
        return item

    def topic(self, name: str, display: str = "") -> str:
        arn = self.arn("sns", name)
        self.res(
            "sns",
            "Topic",
            {
                "TopicArn": arn,
                "Attributes": {
                    "TopicArn": arn,
                    "Owner": self.account,
                    "DisplayName": display,
                    "SubscriptionsConfirmed": str(self.rng.randint(1, 4)),
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                    "EffectiveDeliveryPolicy": json.dumps(
                        {
                            "http": {
                                "defaultHealthyRetryPolicy": {
                                    "minDelayTarget": 20,
                                    "maxDelayTarget": 20,
                                    "numRetries": 3,
                                    "numMaxDelayRetries": 0,
                                    "numNoDelayRetries": 0,
                                    "numMinDelayRetries": 0,
                                    "backoffFunction": "linear",
                                },
                                "disableSubscriptionOverrides": False,
                            }
                        }
                    ),
                    "Policy": json.dumps(
                        {
                            "Version": "2008-10-17",
                            "Id": "__default_policy_ID",
                            "Statement": [
                                {
                                    "Sid": "__default_statement_ID",
                                    "Effect": "Allow",
                                    "Principal": {"AWS": "*"},
                                    "Action": ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"],
                                    "Resource": arn,
                                    "Condition": {"StringEquals": {"AWS:SourceOwner": self.account}},
                                }
                            ],
                        }
                    ),
                },
            },
        )
        return arn

    def role(self, name: str, service: str, created: datetime) -> None:
        self.res(
            "iam",
            "Role",
            {
                "Path": "/service-role/" if service == "iot.amazonaws.com" else "/",
                "RoleName": name,
                "RoleId": "AROA" + self.upper(17),
                "Arn": self.role_arn(name),
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                        ],
                    }
                ),
                "MaxSessionDuration": 3600,
            },
        )

    def inline(self, role: str, policy: str, statements: list[Json]) -> None:
        self.res(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": role,
                "PolicyName": policy,
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            },
        )

    def attached(self, role: str, name: str) -> None:
        self.res(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": role,
                "PolicyName": name,
                "PolicyArn": f"arn:aws:iam::aws:policy/service-role/{name}",
            },
        )

    # bundle ------------------------------------------------------------------------------------------
    def bundle(
        self,
        title: str,
        question: str | None,
        timezone: str | None,
        alarm_event: Json | None,
        truth: Json,
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.now),
                "now": iso(self.now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": timezone},
                "truth": truth,
            }
        )
        self.trail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        return Bundle(
            manifest,
            {
                "metrics": self.metrics,
                "alarms": self.alarms,
                "alarm_history": self.history,
                "logs": self.logs,
                "cloudtrail": self.trail,
                "resources": self.resources,
                "events": self.events,
            },
        )


def diurnal(t: datetime, tz_offset_h: float, peak_h: float, low: float, high: float) -> float:
    """A smooth daily curve between low and high, peaking at local hour peak_h."""
    local = (t.hour + t.minute / 60 + tz_offset_h) % 24
    phase = math.cos((local - peak_h) / 24 * 2 * math.pi)
    return low + (high - low) * (phase + 1) / 2
