"""Private helpers for kit zzzzg: an event-driven order pipeline and the account noise around it.

Pipeline: `order-intake` (Lambda) puts `OrderPlaced` on the `orders` event bus; a rule starts the
`order-fulfilment` Standard state machine (ReserveInventory -> ChargePayment -> PersistOrder on the `orders`
DynamoDB table); the table's stream feeds `orders-stream-projector`, which sends to `order-events.fifo`, read
by `shipping-notifier`.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]

REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-southeast-2"]
ZONES = {
    "eu-west-1": "Europe/Dublin",
    "us-east-1": "America/New_York",
    "eu-central-1": "Europe/Berlin",
    "us-west-2": "America/Los_Angeles",
    "ap-southeast-2": "Australia/Sydney",
}


def local(dt: datetime, zone: str) -> str:
    """A clock time as the asker would say it."""
    from zoneinfo import ZoneInfo

    return dt.astimezone(ZoneInfo(zone)).strftime("%H:%M").lstrip("0").rjust(4, "0")


def lts(dt: datetime) -> str:
    """A timestamp as the Python Lambda runtime's log formatter prints it."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


class Ctx:
    """One incident's account, clock and records."""

    def __init__(
        self,
        seed: int,
        *,
        onset_after_h: float = 4.0,
        after_min: int = 45,
        start_hour: int | None = None,
        salt: str = "",
    ) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = str(r.randint(100000000000, 999999999999))
        self.region = r.choice(REGIONS)
        self.tz = ZONES[self.region]
        day = datetime(2026, r.randint(1, 11), r.randint(1, 27), tzinfo=UTC)
        hour = r.randint(6, 12) if start_hour is None else start_hour
        self.start = day + timedelta(hours=hour, minutes=r.choice([0, 15, 30, 45]))
        self.onset = self.start + timedelta(hours=onset_after_h, minutes=r.randint(0, 20))
        self.now = self.onset + timedelta(minutes=after_min + r.randint(0, 10))
        self.end = self.now
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.ct: list[Rec] = []
        self.resources: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.events: list[Rec] = []
        self.minutes = int((self.end - self.start).total_seconds() // 60)
        self.sfn_arn = self.arn("states", "stateMachine:order-fulfilment")
        self.stream_label = iso(self.start - timedelta(days=r.randint(90, 400))).replace("Z", ".000")[:23]
        self.sns_oncall = self.arn("sns", "orders-oncall")
        # minutes during which the carrier API answers slowly (an everyday flap of the notifier alarm)
        self.ship_slow: tuple[int, int] | None = None
        self._sso = ""

    # --- ids ---------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def at(self, minutes: float) -> datetime:
        return self.start + timedelta(minutes=minutes)

    def mi(self, dt: datetime) -> float:
        return (dt - self.start).total_seconds() / 60

    # --- metrics -----------------------------------------------------------------------------------
    def put(self, ns: str, name: str, dims: dict[str, str], ts: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(ts),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def put_stats(
        self, ns: str, name: str, dims: dict[str, str], ts: datetime, unit: str, samples: list[float]
    ) -> None:
        if not samples:
            return
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(ts),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(len(samples)),
                    "Sum": round(sum(samples), 3),
                    "Minimum": round(min(samples), 3),
                    "Maximum": round(max(samples), 3),
                },
            }
        )

    # --- CloudTrail --------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, ts: datetime) -> Rec:
        rid = "AROA" + self.upper(17)
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
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": iso(ts - timedelta(minutes=self.rng.randint(1, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def sso(self, person: str, ts: datetime) -> Rec:
        if not self._sso:
            self._sso = f"AWSReservedSSO_PowerUser_{self.hexid(16)}"
        return self.role_identity(self._sso, person, ts)

    def trail(
        self,
        ts: datetime,
        source: str,
        name: str,
        ident: Rec,
        *,
        req: Rec | None = None,
        resp: Rec | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.9",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        region: str | None = None,
    ) -> str:
        eid = self.uid()
        rec: Rec = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(ts),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or f"{self.rng.choice([3, 18, 34, 52, 54])}.{self.rng.randint(1, 250)}."
            f"{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}",
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
        if ident.get("type") == "AWSService":
            rec["sourceIPAddress"] = ident["invokedBy"]
            rec["userAgent"] = ident["invokedBy"]
        else:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": source
                if source.startswith(("iam.", "sts.", "tagging."))
                else f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
            rec["responseElements"] = None
        self.ct.append(rec)
        return eid

    def tooling_noise(self, count: int) -> None:
        """Read-only calls of the monitoring integration, the console and CI plans, spread over the window."""
        r = self.rng
        dd_agent = "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"
        fns = [
            "order-intake",
            "reserve-inventory",
            "charge-payment",
            "orders-stream-projector",
            "shipping-notifier",
        ]
        calls: list[tuple[str, str, Callable[[], Rec | None]]] = [
            ("lambda.amazonaws.com", "ListFunctions20150331", lambda: None),
            ("lambda.amazonaws.com", "ListTags20170331", lambda: {"resource": self.fn_arn(r.choice(fns))}),
            ("monitoring.amazonaws.com", "DescribeAlarms", lambda: {"maxRecords": 100}),
            ("states.amazonaws.com", "ListStateMachines", lambda: {"maxResults": 1000}),
            (
                "dynamodb.amazonaws.com",
                "DescribeTable",
                lambda: {"tableName": r.choice(["orders", "inventory"])},
            ),
            ("dynamodb.amazonaws.com", "ListTables", lambda: None),
            ("sqs.amazonaws.com", "ListQueues", lambda: None),
            ("events.amazonaws.com", "ListRules", lambda: {"eventBusName": "orders"}),
            ("tagging.amazonaws.com", "GetResources", lambda: {"resourcesPerPage": 100}),
        ]
        for _ in range(count):
            ts = self.at(r.uniform(0, self.minutes - 1))
            src, name, req = r.choice(calls)
            who = r.random()
            if who < 0.7:
                ident = self.role_identity("DatadogIntegrationRole", f"datadog-{self.hexid(8)}", ts)
                agent = dd_agent
            elif who < 0.85:
                ident = self.role_identity("terraform-plan-readonly", f"gha-plan-{r.randint(4000, 9999)}", ts)
                agent = "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0"
            else:
                ident = self.sso(r.choice(["priya.n", "tom.becker", "ana.souza"]), ts)
                agent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Safari/605.1.15"
            self.trail(ts, src, name, ident, req=req(), read_only=True, agent=agent)

    def fn_arn(self, name: str) -> str:
        return self.arn("lambda", f"function:{name}")

    # --- resources ---------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def lambda_fn(
        self,
        name: str,
        *,
        timeout: int,
        memory: int,
        env_keys: list[str],
        modified: datetime,
        runtime: str = "python3.12",
        handler: str = "app.handler",
    ) -> None:
        self.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": name,
                "FunctionArn": self.fn_arn(name),
                "Runtime": runtime,
                "Role": f"arn:aws:iam::{self.account}:role/{name}-role",
                "Handler": handler,
                "CodeSize": self.rng.randint(200000, 9000000),
                "Description": "",
                "Timeout": timeout,
                "MemorySize": memory,
                "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": self.hexid(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": {k: "(set)" for k in env_keys}},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": self.uid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            },
        )

    def queue(self, name: str, attrs: dict[str, str]) -> None:
        base = {
            "QueueArn": self.arn("sqs", name),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int((self.start - timedelta(days=300)).timestamp())),
            "LastModifiedTimestamp": str(int((self.start - timedelta(days=41)).timestamp())),
            "VisibilityTimeout": "60",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        base.update(attrs)
        self.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}",
                "Attributes": base,
                "Tags": {"team": "orders", "env": "prod"},
            },
        )

    def esm(self, fn: str, source_arn: str, *, batch: int, stream: bool, modified: datetime) -> None:
        item: Rec = {
            "UUID": self.uid(),
            "BatchSize": batch,
            "EventSourceArn": source_arn,
            "FunctionArn": self.fn_arn(fn),
            "LastModified": iso(modified),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
        }
        if stream:
            item.update(
                {
                    "StartingPosition": "TRIM_HORIZON",
                    "MaximumBatchingWindowInSeconds": 0,
                    "ParallelizationFactor": 1,
                    "MaximumRecordAgeInSeconds": -1,
                    "BisectBatchOnFunctionError": True,
                    "MaximumRetryAttempts": 10,
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "LastProcessingResult": "OK",
                }
            )
        else:
            item.update(
                {"MaximumBatchingWindowInSeconds": 0, "FunctionResponseTypes": ["ReportBatchItemFailures"]}
            )
        self.res("lambda", "EventSourceMappingConfiguration", item)

    def table(
        self, name: str, *, stream: bool, billing: str, rcu: int = 0, wcu: int = 0, items: int = 0
    ) -> None:
        created = self.start - timedelta(days=self.rng.randint(400, 800))
        item: Rec = {
            "TableName": name,
            "TableArn": self.arn("dynamodb", f"table/{name}"),
            "TableId": self.uid(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "ItemCount": items,
            "TableSizeBytes": items * self.rng.randint(900, 1400),
            "DeletionProtectionEnabled": True,
        }
        if billing == "PROVISIONED":
            item["ProvisionedThroughput"] = {
                "ReadCapacityUnits": rcu,
                "WriteCapacityUnits": wcu,
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
        if stream:
            item["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            item["LatestStreamLabel"] = self.stream_label
            item["LatestStreamArn"] = self.stream_arn(name)
        self.res("dynamodb", "TableDescription", item)

    def stream_arn(self, table: str) -> str:
        return self.arn("dynamodb", f"table/{table}/stream/{self.stream_label}")

    def state_machine(self, name: str, definition: Rec, role: str, created: datetime) -> None:
        self.res(
            "stepfunctions",
            "DescribeStateMachineOutput",
            {
                "stateMachineArn": self.arn("states", f"stateMachine:{name}"),
                "name": name,
                "status": "ACTIVE",
                "definition": json.dumps(definition, separators=(",", ":")),
                "roleArn": f"arn:aws:iam::{self.account}:role/{role}",
                "type": "STANDARD",
                "creationDate": iso(created),
                "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
                "tracingConfiguration": {"enabled": False},
            },
        )

    def execution(
        self, sm: str, start: datetime, stop: datetime | None, status: str, error: str = "", cause: str = ""
    ) -> None:
        name = self.uid()
        item: Rec = {
            "executionArn": self.arn("states", f"execution:{sm}:{name}"),
            "stateMachineArn": self.arn("states", f"stateMachine:{sm}"),
            "name": name,
            "status": status,
            "startDate": iso(start),
        }
        if stop is not None:
            item["stopDate"] = iso(stop)
        if error:
            item["error"] = error
            item["cause"] = cause
        self.res("stepfunctions", "DescribeExecutionOutput", item)

    # --- alarms ------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str,
        threshold: float,
        period: int = 60,
        evals: int = 3,
        dta: int | None = None,
        cmp: str = "GreaterThanOrEqualToThreshold",
        missing: str = "notBreaching",
        desc: str = "",
        unit: str | None = None,
    ) -> Rec:
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [self.sns_oncall],
            "AlarmActions": [self.sns_oncall],
            "InsufficientDataActions": [],
            "StateValue": "OK",
            "StateReason": f"Threshold Crossed: {dta or evals} datapoints were not {self._cmp_word(cmp)} the threshold ({float(threshold):.1f}).",
            "StateUpdatedTimestamp": iso(self.start - timedelta(hours=self.rng.randint(5, 70))),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta or evals,
            "Threshold": threshold,
            "ComparisonOperator": cmp,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": "",
        }
        item["StateTransitionedTimestamp"] = item["StateUpdatedTimestamp"]
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    @staticmethod
    def _cmp_word(cmp: str) -> str:
        return {
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "GreaterThanThreshold": "greater than",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[cmp]

    def transition(
        self, alarm: Rec, ts: datetime, new: str, values: list[float], *, period_end: datetime | None = None
    ) -> Rec:
        """Move `alarm` to `new` at `ts`, with a history item; returns the EventBridge alarm event."""
        old = alarm["StateValue"]
        old_ts = alarm["StateUpdatedTimestamp"]
        thr = alarm["Threshold"]
        word = self._cmp_word(alarm["ComparisonOperator"])
        n = len(values)
        period = int(alarm["Period"])
        last = (period_end or ts).replace(second=0) - timedelta(seconds=period)
        last = last - timedelta(minutes=last.minute % (period // 60)) if period >= 60 else last
        stamps = [last - timedelta(seconds=period * k) for k in range(n)]
        shown = ", ".join(f"{v:.1f} ({d:%d/%m/%y %H:%M:%S})" for v, d in zip(values, stamps, strict=True))
        verb = "were" if n > 1 else "was"
        if new == "ALARM":
            reason = (
                f"Threshold Crossed: {n} out of the last {alarm['EvaluationPeriods']} datapoints [{shown}] "
                f"{verb} {word} the threshold ({float(thr):.1f}) (minimum {alarm['DatapointsToAlarm']} datapoint"
                f"{'s' if alarm['DatapointsToAlarm'] > 1 else ''} for OK -> ALARM transition)."
            )
            if alarm["EvaluationPeriods"] == 1:
                reason = (
                    f"Threshold Crossed: 1 datapoint [{shown}] was {word} the threshold ({float(thr):.1f})."
                )
        else:
            reason = f"Threshold Crossed: {n} datapoint{'s' if n > 1 else ''} [{shown}] {verb} not {word} the threshold ({float(thr):.1f})."
        start_p = stamps[-1]
        data = {
            "version": "1.0",
            "queryDate": ts.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "startDate": start_p.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": alarm["Statistic"],
            "period": period,
            "recentDatapoints": list(reversed(values)),
            "threshold": float(thr),
            "evaluatedDatapoints": [
                {"timestamp": d.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), "sampleCount": 1.0, "value": v}
                for v, d in zip(values, stamps, strict=True)
            ],
        }
        old_reason = str(alarm["StateReason"])
        hist_data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": alarm["StateReason"]},
            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(ts),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hist_data, separators=(",", ":")),
            }
        )
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(ts + timedelta(seconds=1)),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {self.sns_oncall}",
                "HistoryData": json.dumps(
                    {
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": ms(ts),
                        "notificationResource": self.sns_oncall,
                        "publishedMessage": {"default": "(alarm notification)"},
                    },
                    separators=(",", ":"),
                ),
            }
        )
        alarm["StateValue"] = new
        alarm["StateReason"] = reason
        alarm["StateReasonData"] = json.dumps(data, separators=(",", ":"))
        alarm["StateUpdatedTimestamp"] = iso(ts)
        alarm["StateTransitionedTimestamp"] = iso(ts)
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(ts),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": new,
                    "reason": reason,
                    "reasonData": json.dumps(data, separators=(",", ":")),
                    "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": old,
                    "reason": old_reason,
                    "timestamp": old_ts.replace("Z", ".000+0000"),
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

    # --- Lambda logs -------------------------------------------------------------------------------
    def invocation_log(
        self,
        fn: str,
        ts: datetime,
        lines: list[str],
        *,
        duration: float,
        memory: int,
        used: int,
        init: float | None = None,
        timeout_s: float | None = None,
    ) -> None:
        stream = f"{ts:%Y/%m/%d}/[$LATEST]{self._stream_hex(fn, ts)}"
        rid = self.uid()
        t = ms(ts)
        group = f"/aws/lambda/{fn}"
        if init is not None:
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": t - int(init) - 5,
                    "message": "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: "
                    + f"arn:aws:lambda:{self.region}::runtime:{self.hexid(64)}\n",
                }
            )
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": t,
                "message": f"START RequestId: {rid} Version: $LATEST\n",
            }
        )
        for i, line in enumerate(lines):
            msg = line.replace("{rid}", rid)
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": t + 3 + i * int(max(duration - 5, 1) / max(len(lines), 1)),
                    "message": msg + "\n",
                }
            )
        end_t = t + int(duration)
        if timeout_s is not None:
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": end_t,
                    "message": f"{iso(ts + timedelta(milliseconds=duration)).replace('Z', '')}.{int(duration) % 1000:03d}Z {rid} Task timed out after {timeout_s:.2f} seconds\n",
                }
            )
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": end_t + 1,
                "message": f"END RequestId: {rid}\n",
            }
        )
        billed = int(-(-duration // 1))
        rep = f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {memory} MB\tMax Memory Used: {used} MB"
        if init is not None:
            rep += f"\tInit Duration: {init:.2f} ms"
        if timeout_s is not None:
            rep += "\tStatus: timeout"
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": end_t + 1, "message": rep + "\t\n"}
        )

    def _stream_hex(self, fn: str, ts: datetime) -> str:
        # one execution environment per function and two-hour slot
        key = f"{fn}:{ts:%Y%m%d}:{ts.hour // 2}"
        rnd = random.Random(key + self.account)
        return "".join(rnd.choice("0123456789abcdef") for _ in range(32))

    # --- assembly ----------------------------------------------------------------------------------
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
        self.ct.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"], reverse=True)
        records: dict[str, list[Rec]] = {
            "metrics": self.metrics,
            "logs": self.logs,
            "cloudtrail": self.ct,
            "resources": self.resources,
            "alarms": self.alarms,
            "alarm_history": self.history,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


# --- the pipeline ---------------------------------------------------------------------------------

FNS = {
    "order-intake": (10, 512, ["EVENT_BUS_NAME", "POWERTOOLS_SERVICE_NAME", "LOG_LEVEL"]),
    "reserve-inventory": (20, 512, ["INVENTORY_TABLE", "POWERTOOLS_SERVICE_NAME", "LOG_LEVEL"]),
    "charge-payment": (
        30,
        1024,
        ["PSP_BASE_URL", "PSP_API_KEY_SECRET_ARN", "PSP_TIMEOUT_SECONDS", "LOG_LEVEL"],
    ),
    "orders-stream-projector": (60, 512, ["QUEUE_URL", "LOG_LEVEL"]),
    "shipping-notifier": (30, 256, ["CARRIER_API_URL", "LOG_LEVEL"]),
}


def definition(ctx: Ctx) -> Rec:
    def task(fn: str, nxt: str, retry_errors: list[str]) -> Rec:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": ctx.fn_arn(fn), "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "Retry": [
                {
                    "ErrorEquals": retry_errors,
                    "IntervalSeconds": 2,
                    "MaxAttempts": 3,
                    "BackoffRate": 2,
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "MarkFailed"}],
            "Next": nxt,
        }

    return {
        "Comment": "OrderPlaced -> reserve stock -> charge -> persist",
        "StartAt": "ReserveInventory",
        "States": {
            "ReserveInventory": task(
                "reserve-inventory",
                "ChargePayment",
                ["Lambda.ServiceException", "Lambda.TooManyRequestsException", "Lambda.SdkClientException"],
            ),
            "ChargePayment": task(
                "charge-payment",
                "PersistOrder",
                ["Lambda.TooManyRequestsException", "PaymentProviderUnavailable"],
            ),
            "PersistOrder": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {
                    "TableName": "orders",
                    "Item": {"pk": {"S.$": "$.orderId"}, "status": {"S": "CONFIRMED"}},
                },
                "Retry": [
                    {
                        "ErrorEquals": [
                            "DynamoDB.ProvisionedThroughputExceededException",
                            "DynamoDB.ThrottlingException",
                        ],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 4,
                        "BackoffRate": 2,
                    }
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "MarkFailed"}],
                "End": True,
            },
            "MarkFailed": {"Type": "Fail", "Error": "OrderFulfilmentFailed", "Cause": "see $.error"},
        },
    }


def pipeline_resources(
    ctx: Ctx,
    *,
    orders_billing: str = "PAY_PER_REQUEST",
    wcu: int = 0,
    rcu: int = 0,
    timeouts: dict[str, int] | None = None,
) -> None:
    r = ctx.rng
    for name, (timeout, memory, env) in FNS.items():
        t = (timeouts or {}).get(name, timeout)
        ctx.lambda_fn(
            name,
            timeout=t,
            memory=memory,
            env_keys=env,
            modified=ctx.start - timedelta(days=r.randint(3, 60), minutes=r.randint(0, 900)),
        )
    ctx.lambda_fn(
        "customer-emails-renderer",
        timeout=15,
        memory=256,
        env_keys=["TEMPLATE_BUCKET"],
        modified=ctx.start - timedelta(days=r.randint(2, 30)),
        runtime="nodejs20.x",
        handler="index.handler",
    )
    ctx.table(
        "orders", stream=True, billing=orders_billing, wcu=wcu, rcu=rcu, items=r.randint(2_000_000, 9_000_000)
    )
    ctx.table("inventory", stream=False, billing="PAY_PER_REQUEST", items=r.randint(20_000, 90_000))
    dlq = "order-events-dlq.fifo"
    ctx.queue(
        dlq,
        {
            "FifoQueue": "true",
            "ContentBasedDeduplication": "false",
            "DeduplicationScope": "queue",
            "FifoThroughputLimit": "perQueue",
            "MessageRetentionPeriod": "1209600",
        },
    )
    ctx.queue(
        "order-events.fifo",
        {
            "FifoQueue": "true",
            "ContentBasedDeduplication": "false",
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": ctx.arn("sqs", dlq), "maxReceiveCount": 5}),
        },
    )
    ctx.esm(
        "orders-stream-projector",
        ctx.stream_arn("orders"),
        batch=100,
        stream=True,
        modified=ctx.start - timedelta(days=r.randint(30, 200)),
    )
    ctx.esm(
        "shipping-notifier",
        ctx.arn("sqs", "order-events.fifo"),
        batch=10,
        stream=False,
        modified=ctx.start - timedelta(days=r.randint(30, 200)),
    )
    ctx.state_machine(
        "order-fulfilment",
        definition(ctx),
        "order-fulfilment-sfn-role",
        ctx.start - timedelta(days=r.randint(100, 300)),
    )
    ctx.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": "order-fulfilment-sfn-role",
            "RoleId": "AROA" + ctx.upper(17),
            "Arn": f"arn:aws:iam::{ctx.account}:role/order-fulfilment-sfn-role",
            "CreateDate": iso(ctx.start - timedelta(days=320)),
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22states.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
            "MaxSessionDuration": 3600,
        },
    )
    ctx.res(
        "sns",
        "Topic",
        {
            "TopicArn": ctx.sns_oncall,
            "Attributes": {
                "TopicArn": ctx.sns_oncall,
                "DisplayName": "orders on-call",
                "SubscriptionsConfirmed": "2",
            },
        },
    )


def order_rate(ctx: Ctx, i: int, peak: float) -> float:
    """Orders per minute at minute i: a slow daily swell with noise."""
    import math

    hour = ctx.at(i).hour + ctx.at(i).minute / 60
    shape = 0.55 + 0.45 * math.sin((hour - 9) / 24 * 2 * math.pi) ** 2
    return max(1.0, peak * shape * ctx.rng.uniform(0.88, 1.12))


Minute = dict[str, float]


def emit_pipeline(ctx: Ctx, peak: float, hook: Callable[[int, datetime, Minute], None]) -> list[Minute]:
    """Per-minute metrics of the whole pipeline; `hook` bends a minute's numbers for the incident."""
    r = ctx.rng
    out: list[Minute] = []
    sm = {"StateMachineArn": ctx.sfn_arn}
    for i in range(ctx.minutes):
        ts = ctx.at(i)
        orders = round(order_rate(ctx, i, peak))
        m: Minute = {
            "orders": orders,
            "intake_errors": 1 if r.random() < 0.04 else 0,
            "started": orders,
            "succeeded": orders - (1 if r.random() < 0.06 else 0),
            "failed": 0,
            "exec_time_ms": r.uniform(900, 1500),
            "reserve_inv": orders,
            "reserve_err": 0,
            "reserve_ms": r.uniform(45, 120),
            "charge_inv": orders,
            "charge_err": 0,
            "charge_ms": r.uniform(380, 900),
            "orders_wcu": orders * 2.0 + r.uniform(0, 6),
            "orders_rcu": orders * 0.5 + r.uniform(10, 30),
            "orders_wthr": 0,
            "put_ms": r.uniform(4, 8),
            "proj_inv": max(1, round(orders / r.uniform(3, 6))),
            "proj_err": 0,
            "proj_ms": r.uniform(40, 160),
            "iter_age": r.uniform(200, 900),
            "q_sent": orders,
            "q_visible": r.choice([0, 0, 1, 2]),
            "q_age": r.uniform(0, 2),
            "ship_inv": max(1, round(orders / r.uniform(2, 4))),
            "ship_err": 0,
            "ship_ms": r.uniform(150, 400),
            "inv_wcu": orders * 1.0 + r.uniform(0, 3),
            "stream_recs": orders * 2.0,
        }
        m["failed"] = m["started"] - m["succeeded"]
        m["charge_err"] = m["failed"]
        if ctx.ship_slow and ctx.ship_slow[0] <= i < ctx.ship_slow[1]:
            m["ship_ms"] = r.uniform(1550, 2200)
        hook(i, ts, m)
        out.append(m)
        ctx.put(
            "AWS/Events",
            "MatchedEvents",
            {"EventBusName": "orders", "RuleName": "order-placed-start-fulfilment"},
            ts,
            "Count",
            m["started"],
        )
        ctx.put(
            "AWS/Events",
            "Invocations",
            {"EventBusName": "orders", "RuleName": "order-placed-start-fulfilment"},
            ts,
            "Count",
            m["started"],
        )
        ctx.put("AWS/States", "ExecutionsStarted", sm, ts, "Count", m["started"])
        if m["succeeded"] > 0:
            ctx.put("AWS/States", "ExecutionsSucceeded", sm, ts, "Count", m["succeeded"])
        ctx.put("AWS/States", "ExecutionsFailed", sm, ts, "Count", m["failed"])
        ctx.put("AWS/States", "ExecutionTime", sm, ts, "Milliseconds", m["exec_time_ms"])
        for fn, inv, err, dur in (
            ("order-intake", "orders", "intake_errors", None),
            ("reserve-inventory", "reserve_inv", "reserve_err", "reserve_ms"),
            ("charge-payment", "charge_inv", "charge_err", "charge_ms"),
            ("orders-stream-projector", "proj_inv", "proj_err", "proj_ms"),
            ("shipping-notifier", "ship_inv", "ship_err", "ship_ms"),
        ):
            d = {"FunctionName": fn}
            n = m[inv]
            if n <= 0:
                continue
            ctx.put("AWS/Lambda", "Invocations", d, ts, "Count", n)
            ctx.put("AWS/Lambda", "Errors", d, ts, "Count", m[err])
            ctx.put("AWS/Lambda", "Throttles", d, ts, "Count", m.get(f"{fn}_thr", 0))
            base = m[dur] if dur else r.uniform(30, 70)
            samples = [max(1.0, base * r.uniform(0.6, 1.5)) for _ in range(min(int(n), 8))]
            ctx.put_stats("AWS/Lambda", "Duration", d, ts, "Milliseconds", samples)
            ctx.put(
                "AWS/Lambda",
                "ConcurrentExecutions",
                d,
                ts,
                "Count",
                max(1, round(n * base / 60000 * 1.3 + r.uniform(0, 1.5))),
            )
            m[f"{fn}_avg_ms"] = sum(samples) / len(samples)
        ctx.put(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": "orders-stream-projector"},
            ts,
            "Milliseconds",
            m["iter_age"],
        )
        tdims = {"TableName": "orders"}
        ctx.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdims, ts, "Count", m["orders_wcu"])
        ctx.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", tdims, ts, "Count", m["orders_rcu"])
        if m["orders_wthr"] > 0:
            ctx.put("AWS/DynamoDB", "WriteThrottleEvents", tdims, ts, "Count", m["orders_wthr"])
            ctx.put(
                "AWS/DynamoDB",
                "ThrottledRequests",
                {"TableName": "orders", "Operation": "PutItem"},
                ts,
                "Count",
                m["orders_wthr"],
            )
        ctx.put_stats(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": "orders", "Operation": "PutItem"},
            ts,
            "Milliseconds",
            [m["put_ms"] * r.uniform(0.7, 1.6) for _ in range(6)],
        )
        ctx.put(
            "AWS/DynamoDB",
            "ReturnedRecordsCount",
            {"TableName": "orders", "Operation": "GetRecords", "StreamLabel": ctx.stream_label},
            ts,
            "Count",
            m["stream_recs"],
        )
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "inventory"},
            ts,
            "Count",
            m["inv_wcu"],
        )
        qd = {"QueueName": "order-events.fifo"}
        ctx.put("AWS/SQS", "NumberOfMessagesSent", qd, ts, "Count", m["q_sent"])
        ctx.put("AWS/SQS", "NumberOfMessagesReceived", qd, ts, "Count", m["q_sent"])
        ctx.put("AWS/SQS", "NumberOfMessagesDeleted", qd, ts, "Count", m["q_sent"])
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, ts, "Count", m["q_visible"])
        ctx.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, ts, "Seconds", round(m["q_age"]))
        if i % 5 == 0:
            dq = {"QueueName": "order-events-dlq.fifo"}
            ctx.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dq, ts, "Count", 3)
            ctx.put("AWS/SQS", "NumberOfMessagesSent", dq, ts, "Count", 0)
    return out


def baseline_logs(ctx: Ctx, every: int = 6, skip: Callable[[str, datetime], bool] | None = None) -> None:
    """A sample of ordinary invocations of each function (the busy groups are sampled)."""
    r = ctx.rng
    for i in range(0, ctx.minutes, every):
        ts = ctx.at(i + r.uniform(0, every - 0.1))
        oid = f"ord_{ctx.hexid(12)}"
        samples = {
            "order-intake": (
                [
                    f'{{"level":"INFO","location":"handler:41","message":"order accepted","service":"order-intake","order_id":"{oid}","timestamp":"{iso(ts)}"}}'
                ],
                r.uniform(30, 80),
                512,
                88,
            ),
            "reserve-inventory": (
                [
                    f'{{"level":"INFO","location":"reserve:77","message":"reserved 1 sku(s)","service":"reserve-inventory","order_id":"{oid}"}}'
                ],
                r.uniform(45, 120),
                512,
                91,
            ),
            "charge-payment": (
                [
                    f"[INFO]\t{lts(ts)}\t{{rid}}\tcharge authorised order={oid} psp_ref=ch_{ctx.hexid(16)} latency_ms={r.randint(350, 850)}"
                ],
                r.uniform(400, 900),
                1024,
                142,
            ),
            "orders-stream-projector": (
                [
                    f"[INFO]\t{lts(ts)}\t{{rid}}\tbatch records={r.randint(2, 9)} inserted={r.randint(1, 3)} modified={r.randint(1, 6)} removed=0 sent={r.randint(2, 9)}"
                ],
                r.uniform(40, 160),
                512,
                97,
            ),
            "shipping-notifier": (
                [f"[INFO]\t{lts(ts)}\t{{rid}}\tnotified carrier for {oid} (group {oid})"],
                r.uniform(150, 400),
                256,
                78,
            ),
        }
        for fn, (lines, dur, mem, used) in samples.items():
            if skip and skip(fn, ts):
                continue
            ctx.invocation_log(
                fn,
                ts + timedelta(seconds=r.uniform(0, 30)),
                lines,
                duration=dur,
                memory=mem,
                used=used + r.randint(0, 6),
            )


def standard_alarms(ctx: Ctx) -> dict[str, Rec]:
    a: dict[str, Rec] = {}
    a["sfn_failed"] = ctx.alarm(
        "order-fulfilment-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": ctx.sfn_arn},
        stat="Sum",
        threshold=5,
        period=60,
        evals=3,
        desc="Order fulfilment executions failing. Runbook: wiki/orders/runbooks/fulfilment",
    )
    a["iter_age"] = ctx.alarm(
        "orders-stream-projector-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": "orders-stream-projector"},
        stat="Maximum",
        threshold=300000,
        period=60,
        evals=5,
        desc="Orders table stream falling behind",
    )
    a["q_age"] = ctx.alarm(
        "order-events-fifo-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "order-events.fifo"},
        stat="Maximum",
        threshold=600,
        period=300,
        evals=2,
        desc="",
    )
    a["dlq"] = ctx.alarm(
        "order-events-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "order-events-dlq.fifo"},
        stat="Maximum",
        threshold=10,
        period=300,
        evals=1,
        desc="DLQ has messages, check and redrive",
    )
    a["charge_err"] = ctx.alarm(
        "charge-payment-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "charge-payment"},
        stat="Sum",
        threshold=10,
        period=300,
        evals=1,
    )
    a["notifier_dur"] = ctx.alarm(
        "shipping-notifier-duration-high",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "shipping-notifier"},
        stat="Average",
        threshold=1500,
        period=300,
        evals=2,
        desc="carrier API slow",
    )
    return a


def background_changes(ctx: Ctx, avoid: tuple[float, float] = (-1, -1)) -> None:
    """Ordinary writes of a working day: CI deploys of unrelated functions, tags, alarm edits, scaling."""
    r = ctx.rng
    ci = "gha-deploy"
    agent_tf = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0"
    )
    for k in range(3):
        ts = ctx.at(r.uniform(10, ctx.minutes - 20))
        ident = ctx.role_identity("github-actions-deploy", f"{ci}-{r.randint(10000, 99999)}", ts)
        ctx.trail(
            ts,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            ident,
            req={"functionName": "customer-emails-renderer", "publish": True, "dryRun": False},
            resp={
                "functionName": "customer-emails-renderer",
                "functionArn": ctx.fn_arn("customer-emails-renderer"),
                "runtime": "nodejs20.x",
                "codeSize": r.randint(300000, 900000),
                "timeout": 15,
                "memorySize": 256,
                "lastModified": ts.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "codeSha256": ctx.hexid(43) + "=",
                "version": str(40 + k),
                "state": "Pending",
                "lastUpdateStatus": "InProgress",
                "packageType": "Zip",
                "architectures": ["arm64"],
            },
            agent="aws-cli/2.17.20 md/command#lambda.update-function-code",
        )
    ts = ctx.at(r.uniform(20, 120))
    ctx.trail(
        ts,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        ctx.sso("tom.becker", ts),
        req={
            "alarmName": "customer-emails-renderer-errors",
            "namespace": "AWS/Lambda",
            "metricName": "Errors",
            "dimensions": [{"name": "FunctionName", "value": "customer-emails-renderer"}],
            "statistic": "Sum",
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 5.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "alarmActions": [ctx.sns_oncall],
        },
        resp=None,
        agent="AWS Internal",
    )
    for _ in range(2):
        ts = ctx.at(r.uniform(0, ctx.minutes - 5))
        ctx.trail(
            ts,
            "sts.amazonaws.com",
            "AssumeRole",
            {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
            req={
                "roleArn": f"arn:aws:iam::{ctx.account}:role/charge-payment-role",
                "roleSessionName": "charge-payment",
            },
            resp={
                "credentials": {
                    "accessKeyId": "ASIA" + ctx.upper(16),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + ctx.upper(20),
                    "expiration": (ts + timedelta(hours=12)).strftime("%b %d, %Y, %I:%M:%S %p"),
                }
            },
            read_only=True,
        )
    ts = ctx.at(r.uniform(30, ctx.minutes - 30))
    ctx.trail(
        ts,
        "events.amazonaws.com",
        "PutRule",
        ctx.role_identity("github-actions-deploy", f"{ci}-{r.randint(10000, 99999)}", ts),
        req={
            "name": "marketing-weekly-digest",
            "scheduleExpression": "cron(0 8 ? * MON *)",
            "state": "ENABLED",
            "description": "weekly digest",
        },
        resp={"ruleArn": ctx.arn("events", "rule/marketing-weekly-digest")},
        agent=agent_tf,
    )
    ts = ctx.at(r.uniform(30, ctx.minutes - 30))
    ctx.trail(
        ts,
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        ctx.role_identity("github-actions-deploy", f"{ci}-{r.randint(10000, 99999)}", ts),
        req={"resource": ctx.fn_arn("shipping-notifier"), "tags": {"cost-centre": "fulfilment"}},
        resp=None,
        agent=agent_tf,
    )
    for _ in range(4):
        ts = ctx.at(r.uniform(0, ctx.minutes - 2))
        ctx.trail(
            ts,
            "logs.amazonaws.com",
            "CreateLogStream",
            ctx.role_identity("customer-emails-renderer-role", "customer-emails-renderer", ts),
            req={
                "logGroupName": "/aws/lambda/customer-emails-renderer",
                "logStreamName": f"{ts:%Y/%m/%d}/[$LATEST]{ctx.hexid(32)}",
            },
            resp=None,
            agent="aws-sdk-nodejs/3.596.0",
        )


def carrier_slow_window(ctx: Ctx) -> None:
    """Pick a stretch of the baseline in which the carrier API is slow (call before emit_pipeline)."""
    a = ctx.rng.randint(30, 140)
    ctx.ship_slow = (a, a + ctx.rng.randint(17, 26))


def notifier_flap(ctx: Ctx, alarm: Rec, minutes: list[Minute]) -> None:
    """The shipping-notifier duration alarm going in and out as the 5-minute averages say; slow-call lines."""
    if not ctx.ship_slow:
        return
    avgs: list[tuple[int, float]] = []
    for b in range(0, len(minutes) - 4, 5):
        ms_ = [minutes[j].get("shipping-notifier_avg_ms", 0.0) for j in range(b, b + 5)]
        ms_ = [v for v in ms_ if v > 0]
        if ms_:
            avgs.append((b, sum(ms_) / len(ms_)))
    thr = float(alarm["Threshold"])
    state = "OK"
    for k in range(1, len(avgs)):
        b, v = avgs[k]
        t = ctx.at(b + 5 + 0.4)
        if t >= ctx.now:
            break
        if state == "OK" and v >= thr and avgs[k - 1][1] >= thr:
            ctx.transition(
                alarm, t, "ALARM", [round(v, 1), round(avgs[k - 1][1], 1)], period_end=ctx.at(b + 5)
            )
            state = "ALARM"
        elif state == "ALARM" and v < thr:
            ctx.transition(alarm, t, "OK", [round(v, 1)], period_end=ctx.at(b + 5))
            state = "OK"
    r = ctx.rng
    a, z = ctx.ship_slow
    for i in range(a, z, 2):
        t = ctx.at(i + r.uniform(0, 1.5))
        took = r.randint(1400, 2400)
        ctx.invocation_log(
            "shipping-notifier",
            t,
            [
                f"[WARNING]\t{lts(t)}\t{{rid}}\tslow carrier response: POST https://api.parcelnet-logistics.com/v2/shipments took {took} ms (status 201)"
            ],
            duration=took + r.uniform(40, 90),
            memory=256,
            used=r.randint(78, 84),
        )
