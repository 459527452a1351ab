"""Private helpers for the kit-zzzzq incidents (IoT fleet platform)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Shared state of one incident build: randomness, account, region and record lists."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = str(r.randint(210000000000, 989999999999))
        self.region = r.choice(["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"])
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []

    # ids ------------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def req(self) -> str:
        return self.uid()

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def day(self, base_days: int = 0) -> datetime:
        d = datetime(2025, 1, 6, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 300) + base_days)
        return d

    # metrics --------------------------------------------------------------------------------------
    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        fn: Callable[[datetime], float | None],
        step: int = 60,
        stats: bool = False,
    ) -> None:
        t = start
        while t <= end:
            v = fn(t)
            if v is not None:
                row: Rec = {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                }
                if stats:
                    n = max(1, int(v))
                    row["statistic_values"] = {
                        "SampleCount": float(n),
                        "Sum": float(round(v, 3)),
                        "Minimum": 0.0 if v < n else 1.0,
                        "Maximum": 1.0,
                    }
                else:
                    row["value"] = round(v, 3)
                self.metrics.append(row)
            t += timedelta(seconds=step)

    # alarms ---------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        statistic: str,
        threshold: float,
        op: str,
        *,
        period: int = 60,
        evals: int = 5,
        datapoints: int | None = None,
        state: str = "OK",
        reason: str = "",
        updated: datetime,
        config_updated: datetime,
        topic: str,
        treat_missing: str = "missing",
        description: str | None = None,
    ) -> Rec:
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso(config_updated),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason or "Threshold Crossed: no datapoints were breaching the threshold",
            "StateUpdatedTimestamp": iso(updated),
            "MetricName": metric,
            "Namespace": namespace,
            "Statistic": statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
            "StateTransitionedTimestamp": iso(updated),
        }
        if description:
            a["AlarmDescription"] = description
        self.alarms.append(a)
        return a

    def transition(
        self, alarm: Rec, when: datetime, old: str, new: str, reason: str, reason_data: Rec
    ) -> None:
        name = alarm["AlarmName"]
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(when),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old},
                        "newState": {
                            "stateValue": new,
                            "stateReason": reason,
                            "stateReasonData": reason_data,
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(when + timedelta(seconds=1)),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {alarm['AlarmActions'][0]}",
                "HistoryData": json.dumps(
                    {
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": ms(when),
                        "notificationResource": alarm["AlarmActions"][0],
                        "publishedMessage": {"MessageId": self.uid()},
                    },
                    separators=(",", ":"),
                ),
            }
        )

    def alarm_event(self, alarm: Rec, when: datetime, reason: str, reason_data: Rec) -> Rec:
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data, separators=(",", ":")),
                    "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold",
                    "timestamp": (when - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
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

    # cloudtrail -----------------------------------------------------------------------------------
    def ident_role(self, role: str, session: str) -> Rec:
        rid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def ct(
        self,
        when: datetime,
        source: str,
        name: str,
        ident: Rec,
        req: Rec | None,
        resp: Rec | None,
        *,
        read_only: bool,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.amzn.2023",
        ip: str | None = None,
        region: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> Rec:
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                when - timedelta(minutes=self.rng.randint(1, 50))
            )
        rec: Rec = {
            "eventVersion": "1.09" if read_only else "1.10",
            "userIdentity": ident,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or f"{self.rng.randint(3, 54)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}",
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.req(),
            "eventID": self.uid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{region or self.region}.amazonaws.com",
            },
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.trail.append(rec)
        return rec

    def tooling_noise(
        self, start: datetime, end: datetime, n: int, calls: list[tuple[str, str, Rec]]
    ) -> None:
        """Read-only calls from dashboards and inventory tooling spread over the window."""
        grafana = self.ident_role("grafana-cloudwatch-read", "grafana")
        inventory = self.ident_role("cloud-inventory-scanner", "steampipe")
        span = (end - start).total_seconds()
        for _ in range(n):
            when = start + timedelta(seconds=self.rng.uniform(0, span))
            source, name, req = self.rng.choice(calls)
            who = grafana if source == "monitoring.amazonaws.com" else inventory
            agent = (
                "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"
                if who is grafana
                else "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10 lang/python#3.11.6"
            )
            self.ct(
                when.replace(microsecond=0),
                source,
                name,
                who,
                req,
                None,
                read_only=True,
                agent=agent,
                ip="10.40.3.17" if who is grafana else "10.40.7.88",
            )

    # lambda logs ----------------------------------------------------------------------------------
    def lambda_invocation(
        self,
        group: str,
        stream: str,
        when: datetime,
        body: list[str],
        duration_ms: float,
        memory: int,
        used: int,
        init_ms: float | None = None,
    ) -> None:
        rid = self.uid()
        t = ms(when)
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": t,
                "message": f"START RequestId: {rid} Version: $LATEST\n",
            }
        )
        for i, line in enumerate(body):
            ts = when + timedelta(milliseconds=min(duration_ms, 3 + i * 7))
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": ms(ts),
                    "message": line.replace("{rid}", rid).replace(
                        "{ts}", ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
                    ),
                }
            )
        end = t + int(duration_ms)
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": end, "message": f"END RequestId: {rid}\n"}
        )
        init = f"\tInit Duration: {init_ms:.2f} ms" if init_ms else ""
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": end,
                "message": f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {int(duration_ms) + 1} ms\tMemory Size: {memory} MB\tMax Memory Used: {used} MB{init}\t\n",
            }
        )

    def stream_name(self, when: datetime) -> str:
        return f"{when:%Y/%m/%d}/[$LATEST]{self.hexid(32)}"

    # resources ------------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> Rec:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def function(
        self,
        name: str,
        role: str,
        handler: str,
        runtime: str,
        memory: int,
        timeout: int,
        modified: datetime,
        env: dict[str, str] | None = None,
        description: str = "",
    ) -> Rec:
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{role}",
            "Handler": handler,
            "CodeSize": self.rng.randint(900_000, 9_000_000),
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

    def queue(self, name: str, created: datetime, attrs: dict[str, str], tags: dict[str, str]) -> Rec:
        base = {
            "QueueArn": self.arn("sqs", name),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(created.timestamp())),
            "VisibilityTimeout": "30",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "1209600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "0",
            "SqsManagedSseEnabled": "true",
        }
        base.update(attrs)
        return self.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}",
                "Attributes": base,
                "Tags": tags,
            },
        )

    def log_group(self, name: str, created: datetime, retention: int | None = 30) -> Rec:
        item: Rec = {
            "logGroupName": name,
            "creationTime": ms(created),
            "metricFilterCount": 0,
            "arn": self.arn("logs", f"log-group:{name}:*"),
            "storedBytes": self.rng.randint(10_000_000, 9_000_000_000),
            "logGroupClass": "STANDARD",
            "logGroupArn": self.arn("logs", f"log-group:{name}"),
        }
        if retention:
            item["retentionInDays"] = retention
        return self.res("logs", "LogGroup", item)

    def stream(self, name: str, shards: int, created: datetime, retention: int = 24) -> Rec:
        return self.res(
            "kinesis",
            "StreamDescriptionSummary",
            {
                "StreamName": name,
                "StreamARN": self.arn("kinesis", f"stream/{name}"),
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "RetentionPeriodHours": retention,
                "StreamCreationTimestamp": iso(created),
                "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
                "EncryptionType": "KMS",
                "KeyId": "alias/aws/kinesis",
                "OpenShardCount": shards,
                "ConsumerCount": 0,
            },
        )

    def esm(
        self,
        fn: str,
        source_arn: str,
        modified: datetime,
        *,
        batch: int = 100,
        retries: int = 3,
        dlq_arn: str | None = None,
        window: int = 1,
        parallel: int = 1,
    ) -> Rec:
        item: Rec = {
            "UUID": self.uid(),
            "StartingPosition": "LATEST",
            "BatchSize": batch,
            "MaximumBatchingWindowInSeconds": window,
            "ParallelizationFactor": parallel,
            "EventSourceArn": source_arn,
            "FunctionArn": self.arn("lambda", f"function:{fn}"),
            "LastModified": iso(modified),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": retries,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }
        if dlq_arn:
            item["DestinationConfig"] = {"OnFailure": {"Destination": dlq_arn}}
        return self.res("lambda", "EventSourceMappingConfiguration", item)

    def role(self, name: str, created: datetime, service: str, description: str = "") -> Rec:
        doc = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        return self.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": "AROA"
                + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17)),
                "Arn": f"arn:aws:iam::{self.account}:role/{name}",
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": quote(json.dumps(doc, separators=(",", ":"))),
                "Description": description,
                "MaxSessionDuration": 3600,
            },
        )


def wave(t: datetime, tz_offset_h: int, low: float, high: float) -> float:
    """A daily load curve in local time: quiet at night, busy in working hours."""
    h = (t.hour + t.minute / 60 + tz_offset_h) % 24
    if 6 <= h < 20:
        f = 1.0 - abs(h - 13) / 9
        return low + (high - low) * max(0.25, f)
    return low
