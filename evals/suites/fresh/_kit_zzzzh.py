"""Private helpers for kit zzzzh's streaming-telemetry incidents (standard library and evals.bundle only)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Kit:
    """Collects the records of one incident; every random choice comes from one seeded generator."""

    def __init__(self, seed: int, region: str, salt: str, account: str | None = None) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        self.region = region
        self.account = account or "".join(str(self.rng.randint(0, 9)) for _ in range(12))
        if self.account[0] == "0":
            self.account = "4" + self.account[1:]
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

    def akid(self, prefix: str = "ASIA") -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def day(self, lo: int = 1, hi: int = 28) -> datetime:
        year = self.rng.choice([2025, 2026])
        month = self.rng.randint(1, 12)
        return datetime(year, month, self.rng.randint(lo, hi), tzinfo=UTC)

    # --- metrics -----------------------------------------------------------------------------------

    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        value: float | None = None,
        stats: tuple[float, float, float, float] | None = None,
    ) -> None:
        rec: Rec = {
            "namespace": ns,
            "metric": name,
            "dimensions": dims,
            "timestamp": iso(t),
            "unit": unit,
        }
        if stats is not None:
            n, s, lo, hi = stats
            rec["statistic_values"] = {
                "SampleCount": float(n),
                "Sum": round(float(s), 3),
                "Minimum": round(float(lo), 3),
                "Maximum": round(float(hi), 3),
            }
        else:
            rec["value"] = round(float(value if value is not None else 0.0), 3)
        self.metrics.append(rec)

    # --- logs --------------------------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hexid(32)}"

    def lambda_invocation(
        self,
        fn: str,
        stream: str,
        t: datetime,
        body: list[str],
        duration_ms: float,
        memory: int,
        used: int,
        error: bool = False,
        init_ms: float | None = None,
    ) -> datetime:
        group = f"/aws/lambda/{fn}"
        rid = self.uid()
        self.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        step = timedelta(milliseconds=max(1.0, duration_ms / (len(body) + 1)))
        cur = t
        for line in body:
            cur += step
            self.log(group, stream, cur, line.replace("{rid}", rid).replace("{ts}", log_ts(cur)))
        end = t + timedelta(milliseconds=duration_ms)
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = int(-(-duration_ms // 1))
        init = f"\tInit Duration: {init_ms:.2f} ms" if init_ms else ""
        self.log(
            group,
            stream,
            end,
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB{init}\t\n",
        )
        return end

    # --- CloudTrail ---------------------------------------------------------------------------------

    def who_role(self, role: str, session: str, t: datetime, mfa: bool = False) -> Rec:
        rid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=self.rng.randint(2, 50))),
                    "mfaAuthenticated": "true" if mfa else "false",
                },
            },
        }

    def who_service(self, service: str) -> Rec:
        return {"type": "AWSService", "invokedBy": service}

    def trail_event(
        self,
        t: datetime,
        source: str,
        name: str,
        who: Rec,
        req: Rec | None,
        resp: Rec | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        region: str | None = None,
        resources: list[Rec] | None = None,
    ) -> str:
        eid = self.uid()
        rec: Rec = {
            "eventVersion": "1.09" if who.get("type") != "AWSService" else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or (
                who["invokedBy"]
                if who.get("type") == "AWSService"
                else f"10.{self.rng.randint(0, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
            ),
            "userAgent": agent if who.get("type") != "AWSService" else who["invokedBy"],
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.uid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if who.get("type") != "AWSService":
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{region or self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return eid

    def tooling_reads(self, start: datetime, end: datetime, n: int) -> None:
        """Read-only calls from the monitoring and IaC tooling that fill a real trail."""
        reads = [
            ("kinesis.amazonaws.com", "DescribeStreamSummary", None),
            ("kinesis.amazonaws.com", "ListStreams", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("lambda.amazonaws.com", "ListEventSourceMappings", None),
            ("dynamodb.amazonaws.com", "DescribeTable", None),
            ("firehose.amazonaws.com", "ListDeliveryStreams", None),
            ("firehose.amazonaws.com", "DescribeDeliveryStream", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("s3.amazonaws.com", "GetBucketLocation", None),
            ("ec2.amazonaws.com", "DescribeInstances", None),
            ("sts.amazonaws.com", "GetCallerIdentity", None),
        ]
        agents = [
            ("datadog-integration", "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"),
            ("terraform-plan", "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 aws-sdk-go-v2/1.32.2"),
            ("steampipe-audit", "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux"),
        ]
        span = (end - start).total_seconds()
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            src, name, _unused = self.rng.choice(reads)
            role, agent = self.rng.choice(agents)
            req: Rec | None = None
            if name == "GetMetricData":
                req = {
                    "startTime": iso(t - timedelta(minutes=10)),
                    "endTime": iso(t),
                    "metricDataQueries": "***",
                }
            self.trail_event(
                t,
                src,
                name,
                self.who_role(role, f"{role}-{self.rng.randint(1000, 9999)}", t),
                req,
                None,
                read_only=True,
                agent=agent,
            )

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
        state: str,
        reason: str,
        updated: datetime,
        topic: str,
        desc: str = "",
        datapoints: int | None = None,
        missing: str = "missing",
        unit: str | None = None,
        configured: datetime | None = None,
    ) -> Rec:
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(configured or updated - timedelta(days=40)),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
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
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso(updated),
        }
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(
        self, alarm: Rec, t: datetime, old: str, new: str, reason: str, data: Rec | None = None
    ) -> None:
        hd: Rec = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        if data:
            hd["newState"]["stateReasonData"] = data
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hd),
            }
        )

    def alarm_event(self, alarm: Rec, t: datetime, prev_state: str, prev_t: datetime, reason: str) -> Rec:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
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
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso_ms(t)},
                "previousState": {
                    "value": prev_state,
                    "reason": "Threshold Crossed: no datapoints were breaching",
                    "timestamp": iso_ms(prev_t),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.hexid(8) + "-" + self.hexid(4),
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

    # --- resources ---------------------------------------------------------------------------------

    def resource(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log_group(self, name: str, created: datetime, retention: int | None = 30) -> None:
        item: Rec = {
            "logGroupName": name,
            "creationTime": ms(created),
            "metricFilterCount": 0,
            "arn": self.arn("logs", f"log-group:{name}:*"),
            "storedBytes": self.rng.randint(10**7, 10**10),
            "logGroupClass": "STANDARD",
            "logGroupArn": self.arn("logs", f"log-group:{name}"),
        }
        if retention:
            item["retentionInDays"] = retention
        self.resource("logs", "LogGroup", item)

    def role(self, name: str, created: datetime, service: str = "lambda.amazonaws.com") -> Rec:
        item: Rec = {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17)),
            "Arn": f"arn:aws:iam::{self.account}:role/{name}",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": json.dumps(
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
            ),
            "MaxSessionDuration": 3600,
        }
        self.resource("iam", "Role", item)
        return item

    def function(
        self,
        name: str,
        role: str,
        runtime: str,
        handler: str,
        memory: int,
        timeout: int,
        modified: datetime,
        env: dict[str, str] | None = None,
        code_size: int | None = None,
    ) -> Rec:
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{role}",
            "Handler": handler,
            "CodeSize": code_size or self.rng.randint(200_000, 9_000_000),
            "Description": "",
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
        self.resource("lambda", "FunctionConfiguration", item)
        return item

    def kinesis_stream(self, name: str, shards: int, created: datetime, retention: int = 24) -> Rec:
        arn = self.arn("kinesis", f"stream/{name}")
        item: Rec = {
            "StreamName": name,
            "StreamARN": arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": retention,
            "StreamCreationTimestamp": iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": shards,
            "ConsumerCount": 0,
        }
        self.resource("kinesis", "StreamDescriptionSummary", item)
        top = 2**128
        for i in range(shards):
            lo = top * i // shards
            hi = top * (i + 1) // shards - 1
            self.resource(
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
        return item

    def esm(
        self,
        fn: str,
        stream_arn: str,
        batch: int,
        modified: datetime,
        window: int = 0,
        retries: int = -1,
        bisect: bool = False,
        result: str = "OK",
        report_failures: bool = False,
    ) -> Rec:
        item: Rec = {
            "UUID": self.uid(),
            "StartingPosition": "LATEST",
            "BatchSize": batch,
            "MaximumBatchingWindowInSeconds": window,
            "ParallelizationFactor": 1,
            "EventSourceArn": stream_arn,
            "FunctionArn": self.arn("lambda", f"function:{fn}"),
            "LastModified": iso(modified),
            "LastProcessingResult": result,
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": bisect,
            "MaximumRetryAttempts": retries,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if report_failures else [],
            "EventSourceMappingArn": self.arn("lambda", f"event-source-mapping:{self.uid()}"),
        }
        self.resource("lambda", "EventSourceMappingConfiguration", item)
        return item

    def table(
        self,
        name: str,
        created: datetime,
        pk: str,
        sk: str | None,
        items: int,
        size: int,
        on_demand: bool = True,
    ) -> Rec:
        keys = [{"AttributeName": pk, "KeyType": "HASH"}]
        attrs = [{"AttributeName": pk, "AttributeType": "S"}]
        if sk:
            keys.append({"AttributeName": sk, "KeyType": "RANGE"})
            attrs.append({"AttributeName": sk, "AttributeType": "S"})
        item: Rec = {
            "AttributeDefinitions": attrs,
            "TableName": name,
            "KeySchema": keys,
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": size,
            "ItemCount": items,
            "TableArn": self.arn("dynamodb", f"table/{name}"),
            "TableId": self.uid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "DeletionProtectionEnabled": True,
        }
        if not on_demand:
            del item["BillingModeSummary"]
        self.resource("dynamodb", "TableDescription", item)
        return item

    def topic(self, name: str) -> str:
        arn = self.arn("sns", name)
        self.resource(
            "sns",
            "Topic",
            {
                "TopicArn": arn,
                "Attributes": {
                    "TopicArn": arn,
                    "DisplayName": "",
                    "Owner": self.account,
                    "SubscriptionsConfirmed": "2",
                    "SubscriptionsPending": "0",
                },
            },
        )
        return arn

    # --- build -------------------------------------------------------------------------------------

    def bundle(
        self,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        trigger: Rec,
        truth: Rec,
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(end),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )

        def key_m(r: Rec) -> tuple[str, str, str, str]:
            return (r["namespace"], r["metric"], json.dumps(r["dimensions"]), r["timestamp"])

        records: dict[str, list[Rec]] = {
            "metrics": sorted(self.metrics, key=key_m),
            "alarms": self.alarms,
            "alarm_history": sorted(self.history, key=lambda r: r["Timestamp"]),
            "logs": sorted(self.logs, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"])),
            "cloudtrail": sorted(self.trail, key=lambda r: r["eventTime"]),
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, {k: v for k, v in records.items() if v})


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def log_ts(t: datetime) -> str:
    """A Lambda runtime's own log timestamp (2024-05-01T14:03:00.123Z)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


def diurnal(t: datetime, peak_hour: float, tz_offset: int, lo: float, hi: float) -> float:
    """A smooth daily load curve (lo at night, hi at the local peak)."""
    import math

    local = (t.hour + t.minute / 60 + tz_offset) % 24
    x = math.cos((local - peak_hour) / 24 * 2 * math.pi)
    return lo + (hi - lo) * (x + 1) / 2
