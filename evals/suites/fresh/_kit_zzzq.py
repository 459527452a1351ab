"""Private helpers for kit zzzq: a retail inventory-sync account (Step Functions, Lambda, DynamoDB
global tables, SQS FIFO, an API Gateway partner API) with its everyday noise."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(t: datetime) -> str:
    return f"{t.astimezone(UTC):%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Inc:
    """One incident's account, clock and record lists."""

    def __init__(self, seed: int, region: str = "us-east-1") -> None:
        self.r = random.Random(seed)
        r = self.r
        self.region = region
        self.other_region = "us-west-2" if region == "us-east-1" else "us-east-1"
        self.acct = str(r.randint(2, 9)) + "".join(str(r.randint(0, 9)) for _ in range(11))
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.cloudtrail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.onset = day
        self.start = day
        self.now = day

    # --- clock ---------------------------------------------------------------------------------
    def window(
        self, onset_hour: tuple[int, int], before_h: float = 4.0, after_min: tuple[int, int] = (40, 70)
    ) -> None:
        r = self.r
        self.onset = self.day + timedelta(hours=r.randint(*onset_hour), minutes=r.randint(0, 59))
        self.start = (self.onset - timedelta(hours=before_h)).replace(second=0)
        self.start = self.start - timedelta(minutes=self.start.minute % 5)
        self.now = self.onset + timedelta(minutes=r.randint(*after_min))

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    # --- ids -----------------------------------------------------------------------------------
    def hexs(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def upper(self, n: int) -> str:
        return "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.acct}:{rest}"

    # --- CloudTrail ----------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, issued: datetime | None = None) -> Rec:
        pid = "AROA" + self.upper(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.acct}:assumed-role/{role}/{session}",
            "accountId": self.acct,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.acct}:role/{role}",
                    "accountId": self.acct,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso((issued or self.start) - timedelta(minutes=self.r.randint(1, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: Rec,
        req: Rec | None = None,
        resp: Rec | None = None,
        *,
        read_only: bool = False,
        ip: str | None = None,
        agent: str = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9",
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
    ) -> str:
        eid = self.uuid()
        rec: Rec = {
            "eventVersion": "1.10" if not read_only else "1.09",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"{self.r.choice([3, 18, 34, 52, 54])}.{self.r.randint(2, 250)}.{self.r.randint(2, 250)}.{self.r.randint(2, 250)}",
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.uuid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.acct
        rec["eventCategory"] = "Management"
        if not source.startswith("sts"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.cloudtrail.append(rec)
        return eid

    # --- metrics -------------------------------------------------------------------------------
    def put(self, ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
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

    def put_stats(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        n: int,
        avg: float,
        lo: float,
        hi: float,
    ) -> None:
        n = max(1, n)
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": n,
                    "Sum": round(avg * n, 2),
                    "Minimum": round(min(lo, avg), 2),
                    "Maximum": round(max(hi, avg), 2),
                },
            }
        )

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        step: int = 1,
    ) -> None:
        for t in self.minutes(step):
            v = fn(t)
            if v is not None:
                self.put(ns, metric, dims, t, unit, v)

    def diurnal(self, t: datetime, base: float, swing: float = 0.35) -> float:
        hour = t.hour + t.minute / 60
        return base * (1 + swing * math.sin((hour - 9) / 24 * 2 * math.pi)) * self.r.uniform(0.9, 1.1)

    # --- logs ----------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hexs(32)}"

    def lambda_invocation(
        self,
        fn: str,
        stream: str,
        t: datetime,
        lines: list[tuple[str, str]],
        dur: float,
        mem: int,
        used: int,
        init: float | None = None,
        timeout: float | None = None,
    ) -> None:
        rid = self.uuid()
        g = f"/aws/lambda/{fn}"
        self.log(g, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        for n, (level, line) in enumerate(lines):
            tt = t + timedelta(milliseconds=int(dur * (n + 1) / (len(lines) + 1)))
            self.log(g, stream, tt, f"[{level}]\t{stamp(tt)}\t{rid}\t{line}\n")
        end = t + timedelta(milliseconds=int(dur))
        if timeout is not None:
            self.log(g, stream, end, f"{stamp(end)} {rid} Task timed out after {timeout:.2f} seconds\n\n")
        self.log(g, stream, end, f"END RequestId: {rid}\n")
        billed = math.ceil(dur)
        rep = f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\tMax Memory Used: {used} MB\t"
        if init is not None:
            rep += f"Init Duration: {init:.2f} ms\t"
        if timeout is not None:
            rep += "Status: timeout"
        self.log(g, stream, end, rep + "\n")

    # --- alarms --------------------------------------------------------------------------------
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
        state: str = "OK",
        changed: datetime | None = None,
        reason: str | None = None,
        desc: str = "",
        topic: str = "inventory-oncall",
        missing: str = "missing",
        dta: int | None = None,
    ) -> Rec:
        changed = changed or (self.start - timedelta(days=self.r.randint(2, 40)))
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.r.randint(41, 200))),
            "ActionsEnabled": True,
            "OKActions": [self.arn("sns", topic)],
            "AlarmActions": [self.arn("sns", topic)],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason
            or f"Threshold Crossed: {evals} datapoints were not {'greater' if 'Greater' in op else 'less'} than the threshold ({threshold:.1f}).",
            "StateUpdatedTimestamp": iso(changed),
            "StateTransitionedTimestamp": iso(changed),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta or evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        self.alarms.append(a)
        return a

    def transition(
        self, a: Rec, t: datetime, old: str, new: str, reason: str, extra: Rec | None = None
    ) -> None:
        data: Rec = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        if extra:
            data["newState"]["stateReasonData"] = extra
        self.history.append(
            {
                "AlarmName": a["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )
        a["StateValue"], a["StateReason"] = new, reason
        a["StateUpdatedTimestamp"] = a["StateTransitionedTimestamp"] = iso(t)
        if extra:
            a["StateReasonData"] = json.dumps(extra)

    def alarm_event(self, a: Rec, prev_state: str, prev_t: datetime, prev_reason: str) -> Rec:
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.acct,
            "time": a["StateUpdatedTimestamp"],
            "region": self.region,
            "resources": [a["AlarmArn"]],
            "detail": {
                "alarmName": a["AlarmName"],
                "state": {
                    "value": a["StateValue"],
                    "reason": a["StateReason"],
                    "reasonData": a.get("StateReasonData", "{}"),
                    "timestamp": a["StateUpdatedTimestamp"].replace("Z", ".000+0000"),
                },
                "previousState": {
                    "value": prev_state,
                    "reason": prev_reason,
                    "timestamp": iso(prev_t).replace("Z", ".000+0000"),
                },
                "configuration": {
                    "description": a["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": a["Namespace"],
                                    "name": a["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                                },
                                "period": a["Period"],
                                "stat": a["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    def res(self, service: str, typ: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    def bundle(
        self, title: str, question: str | None, alarm_event: Rec | None, truth: Rec, tz: str | None
    ) -> Bundle:
        trig: Rec = {"question": question, "alarm_event": alarm_event}
        if tz:
            trig["timezone"] = tz
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.acct,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.now),
                "now": iso(self.now),
                "trigger": trig,
                "truth": truth,
            }
        )
        self.cloudtrail.sort(key=lambda c: c["eventTime"])
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        self.history.sort(key=lambda h: h["Timestamp"])
        return Bundle(
            manifest,
            {
                "metrics": self.metrics,
                "logs": self.logs,
                "alarms": self.alarms,
                "alarm_history": self.history,
                "cloudtrail": self.cloudtrail,
                "resources": self.resources,
                "events": self.events,
            },
        )


def camel(d: Rec) -> Rec:
    return {k[0].lower() + k[1:]: v for k, v in d.items()}


def local(t: datetime, tz_hours: int) -> str:
    lt = t + timedelta(hours=tz_hours)
    h = lt.hour % 12 or 12
    return f"{h}:{lt.minute:02d}{'am' if lt.hour < 12 else 'pm'}"


def _one(t: datetime) -> float:
    return 1.0


def _zero(t: datetime) -> float:
    return 0.0


class Retail:
    """The inventory-sync estate of one account, its normal traffic and its tooling noise."""

    def __init__(self, inc: Inc) -> None:
        self.i = inc
        r = inc.r
        self.api_id = inc.hexs(10)
        self.instance = "i-0" + inc.hexs(16)
        self.volume = "vol-0" + inc.hexs(16)
        self.table = "inventory-levels"
        self.ckpt = "sync-checkpoints"
        self.deltas = "inventory-deltas.fifo"
        self.deltas_dlq = "inventory-deltas-dlq.fifo"
        self.notify = "partner-notify.fifo"
        self.fn_api = "inv-partner-api"
        self.fn_apply = "inv-delta-apply"
        self.fn_page = "inv-resync-page"
        self.fn_notify = "inv-partner-notify"
        self.fn_report = "inv-daily-report"
        self.sm = "inventory-full-resync"
        self.sm_arn = inc.arn("states", f"stateMachine:{self.sm}")
        self.base_rate = r.randint(180, 420)  # deltas a minute
        self.api_rate = r.randint(900, 2200)  # partner requests a minute
        self.timeouts = {
            self.fn_api: 29,
            self.fn_apply: 120,
            self.fn_page: 300,
            self.fn_notify: 30,
            self.fn_report: 600,
        }
        self.memory = {
            self.fn_api: 512,
            self.fn_apply: 1024,
            self.fn_page: 2048,
            self.fn_notify: 256,
            self.fn_report: 1024,
        }
        self.wcu_max = 4000
        self.esm_uuid = inc.uuid()
        self.tooling = inc.role_identity("datadog-integration-role", "datadog-aws-integration")
        self.deployer = inc.role_identity("inventory-github-deploy", "GitHubActions")
        self.person = inc.role_identity(
            "AWSReservedSSO_PlatformEngineer_" + inc.hexs(16),
            r.choice(["m.okafor", "j.lindqvist", "p.raman", "s.ito"]),
        )
        self.lambda_roles = {f: f"{f}-role" for f in self.timeouts}
        self.code = {f: (inc.r.randint(40_000, 9_000_000), inc.hexs(43) + "=") for f in self.timeouts}

    # --- resources ---------------------------------------------------------------------------------
    def fn_config(
        self,
        fn: str,
        timeout: int | None = None,
        modified: datetime | None = None,
        extra_env: Rec | None = None,
    ) -> Rec:
        i = self.i
        env = {"TABLE_NAME": self.table, "POWERTOOLS_SERVICE_NAME": fn, "LOG_LEVEL": "INFO"}
        if extra_env:
            env.update(extra_env)
        return {
            "FunctionName": fn,
            "FunctionArn": i.arn("lambda", f"function:{fn}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{i.acct}:role/{self.lambda_roles[fn]}",
            "Handler": "app.handler",
            "CodeSize": self.code[fn][0],
            "Description": "",
            "Timeout": timeout or self.timeouts[fn],
            "MemorySize": self.memory[fn],
            "LastModified": (modified or (i.start - timedelta(days=i.r.randint(3, 60)))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "CodeSha256": self.code[fn][1],
            "Version": "$LATEST",
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": i.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
        }

    def queue(self, name: str, visibility: int = 180, dlq: str | None = None, max_receive: int = 5) -> None:
        i = self.i
        attrs = {
            "QueueArn": i.arn("sqs", name),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int((i.start - timedelta(days=400)).timestamp())),
            "LastModifiedTimestamp": str(int((i.start - timedelta(days=90)).timestamp())),
            "VisibilityTimeout": str(visibility),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "1209600" if "dlq" in name else "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "FifoQueue": "true",
            "ContentBasedDeduplication": "false",
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
            "SqsManagedSseEnabled": "true",
        }
        if dlq:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": i.arn("sqs", dlq), "maxReceiveCount": max_receive}
            )
        i.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{i.region}.amazonaws.com/{i.acct}/{name}",
                "Attributes": attrs,
                "Tags": {"team": "inventory"},
            },
        )

    def table_desc(self, name: str, billing: str, wcu: int = 0, rcu: int = 0, items: int = 0) -> Rec:
        i = self.i
        d: Rec = {
            "AttributeDefinitions": [
                {"AttributeName": "sku", "AttributeType": "S"},
                {"AttributeName": "location", "AttributeType": "S"},
            ],
            "TableName": name,
            "KeySchema": [
                {"AttributeName": "sku", "KeyType": "HASH"},
                {"AttributeName": "location", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(i.start - timedelta(days=700)),
            "TableSizeBytes": items * 310,
            "ItemCount": items,
            "TableArn": i.arn("dynamodb", f"table/{name}"),
            "TableId": i.uuid(),
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "LatestStreamLabel": iso(i.start - timedelta(days=700)).replace("Z", ".112"),
            "LatestStreamArn": i.arn(
                "dynamodb", f"table/{name}/stream/" + iso(i.start - timedelta(days=700)).replace("Z", ".112")
            ),
            "GlobalTableVersion": "2019.11.21",
            "Replicas": [{"RegionName": i.other_region, "ReplicaStatus": "ACTIVE"}],
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": i.arn("kms", "key/" + i.uuid()),
            },
            "DeletionProtectionEnabled": True,
        }
        if billing == "PROVISIONED":
            d["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
            d["ProvisionedThroughput"] = {
                "LastIncreaseDateTime": iso(i.start - timedelta(hours=i.r.randint(5, 30))),
                "NumberOfDecreasesToday": i.r.randint(0, 3),
                "ReadCapacityUnits": rcu,
                "WriteCapacityUnits": wcu,
            }
        else:
            d["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(i.start - timedelta(days=500)),
            }
            d["ProvisionedThroughput"] = {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            }
        return d

    def build_resources(
        self, fn_overrides: dict[str, Rec] | None = None, table: Rec | None = None, wms_state: str = "ok"
    ) -> None:
        i = self.i
        r = i.r
        fn_overrides = fn_overrides or {}
        for fn in self.timeouts:
            i.res("lambda", "FunctionConfiguration", fn_overrides.get(fn) or self.fn_config(fn))
        for fn in self.timeouts:
            i.res(
                "iam",
                "Role",
                {
                    "Path": "/service-role/",
                    "RoleName": self.lambda_roles[fn],
                    "RoleId": "AROA" + i.upper(17),
                    "Arn": f"arn:aws:iam::{i.acct}:role/{self.lambda_roles[fn]}",
                    "CreateDate": iso(i.start - timedelta(days=600)),
                    "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
                    "MaxSessionDuration": 3600,
                },
            )
        i.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": self.esm_uuid,
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": i.arn("sqs", self.deltas),
                "FunctionArn": i.arn("lambda", f"function:{self.fn_apply}"),
                "LastModified": iso(i.start - timedelta(days=120)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 20},
            },
        )
        i.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": i.uuid(),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": i.arn("sqs", self.notify),
                "FunctionArn": i.arn("lambda", f"function:{self.fn_notify}"),
                "LastModified": iso(i.start - timedelta(days=200)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
            },
        )
        self.queue(self.deltas, 720, self.deltas_dlq, 5)
        self.queue(self.deltas_dlq, 30)
        self.queue(self.notify, 180, None)
        i.res(
            "dynamodb",
            "TableDescription",
            table or self.table_desc(self.table, "PAY_PER_REQUEST", items=r.randint(3_000_000, 9_000_000)),
        )
        i.res(
            "dynamodb",
            "TableDescription",
            self.table_desc(self.ckpt, "PAY_PER_REQUEST", items=r.randint(200, 900)),
        )
        definition = json.dumps(
            {
                "Comment": "Nightly and on-demand full reconciliation of stock levels from the WMS export",
                "StartAt": "ListPages",
                "States": {
                    "ListPages": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": self.fn_page, "Payload": {"mode": "list.$"}},
                        "Next": "ApplyPages",
                    },
                    "ApplyPages": {
                        "Type": "Map",
                        "MaxConcurrency": 8,
                        "ItemsPath": "$.Payload.pages",
                        "Iterator": {
                            "StartAt": "ApplyPage",
                            "States": {
                                "ApplyPage": {
                                    "Type": "Task",
                                    "Resource": "arn:aws:states:::lambda:invoke",
                                    "Parameters": {"FunctionName": self.fn_page, "Payload.$": "$"},
                                    "Retry": [
                                        {
                                            "ErrorEquals": [
                                                "Lambda.TooManyRequestsException",
                                                "States.Timeout",
                                            ],
                                            "IntervalSeconds": 5,
                                            "MaxAttempts": 3,
                                            "BackoffRate": 2,
                                        }
                                    ],
                                    "End": True,
                                }
                            },
                        },
                        "Next": "Checkpoint",
                    },
                    "Checkpoint": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::dynamodb:putItem",
                        "Parameters": {
                            "TableName": self.ckpt,
                            "Item": {"sku": {"S": "__resync__"}, "location": {"S": "ALL"}},
                        },
                        "End": True,
                    },
                },
            }
        )
        i.res(
            "stepfunctions",
            "DescribeStateMachineOutput",
            {
                "stateMachineArn": self.sm_arn,
                "name": self.sm,
                "status": "ACTIVE",
                "definition": definition,
                "roleArn": f"arn:aws:iam::{i.acct}:role/{self.sm}-sfn-role",
                "type": "STANDARD",
                "creationDate": iso(i.start - timedelta(days=300)),
                "loggingConfiguration": {"level": "ERROR", "includeExecutionData": False},
                "tracingConfiguration": {"enabled": False},
                "revisionId": i.uuid(),
            },
        )
        i.res(
            "apigateway",
            "RestApi",
            {
                "id": self.api_id,
                "name": "partner-inventory-api",
                "description": "Stock levels and adjustments for marketplace partners",
                "createdDate": iso(i.start - timedelta(days=650)),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": i.hexs(10),
            },
        )
        i.res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": self.api_id,
                "deploymentId": i.hexs(6),
                "stageName": "prod",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "throttlingBurstLimit": 2000,
                        "throttlingRateLimit": 1000.0,
                    }
                },
                "tracingEnabled": False,
                "createdDate": iso(i.start - timedelta(days=650)),
                "lastUpdatedDate": iso(i.start - timedelta(days=i.r.randint(5, 40))),
            },
        )
        launch = i.start - timedelta(days=r.randint(60, 200))
        i.res(
            "ec2",
            "Instance",
            {
                "InstanceId": self.instance,
                "ImageId": "ami-0" + i.hexs(16),
                "InstanceType": "t3.medium",
                "LaunchTime": iso(launch),
                "Placement": {"AvailabilityZone": f"{i.region}b", "Tenancy": "default"},
                "PrivateIpAddress": f"10.40.{r.randint(20, 23)}.{r.randint(5, 250)}",
                "SubnetId": "subnet-0" + i.hexs(16),
                "VpcId": "vpc-0" + i.hexs(16),
                "State": {"Code": 16, "Name": "running"},
                "Architecture": "x86_64",
                "RootDeviceName": "/dev/xvda",
                "RootDeviceType": "ebs",
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "AttachTime": iso(launch),
                            "DeleteOnTermination": True,
                            "Status": "attached",
                            "VolumeId": self.volume,
                        },
                    }
                ],
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{i.acct}:instance-profile/wms-bridge",
                    "Id": "AIPA" + i.upper(17),
                },
                "Monitoring": {"State": "disabled"},
                "Tags": [{"Key": "Name", "Value": "wms-bridge"}, {"Key": "team", "Value": "inventory"}],
            },
        )
        i.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": self.instance,
                "AvailabilityZone": f"{i.region}b",
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {
                    "Status": wms_state,
                    "Details": [
                        {"Name": "reachability", "Status": "passed" if wms_state == "ok" else "failed"}
                    ],
                },
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
        i.res(
            "ec2",
            "Volume",
            {
                "VolumeId": self.volume,
                "Size": 20,
                "AvailabilityZone": f"{i.region}b",
                "State": "in-use",
                "CreateTime": iso(launch),
                "VolumeType": "gp3",
                "Iops": 3000,
                "Throughput": 125,
                "Encrypted": True,
                "Attachments": [
                    {
                        "AttachTime": iso(launch),
                        "Device": "/dev/xvda",
                        "InstanceId": self.instance,
                        "State": "attached",
                        "VolumeId": self.volume,
                        "DeleteOnTermination": True,
                    }
                ],
            },
        )
        for g, days in [(f"/aws/lambda/{f}", 30) for f in self.timeouts] + [
            ("/inventory/wms-bridge", 14),
            (f"API-Gateway-Execution-Logs_{self.api_id}/prod", 7),
        ]:
            i.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": g,
                    "creationTime": ms(i.start - timedelta(days=500)),
                    "retentionInDays": days,
                    "arn": i.arn("logs", f"log-group:{g}:*"),
                    "storedBytes": r.randint(10**7, 10**10),
                },
            )

    # --- CloudTrail noise ----------------------------------------------------------------------------
    def noise(self, n_poll: int = 36) -> None:
        i = self.i
        r = i.r
        span = (i.now - i.start).total_seconds()
        polls: list[tuple[str, str, Callable[[], Rec | None]]] = [
            (
                "dynamodb.amazonaws.com",
                "DescribeTable",
                lambda: {"tableName": r.choice([self.table, self.ckpt])},
            ),
            (
                "lambda.amazonaws.com",
                "ListFunctions20150331",
                lambda: {"functionVersion": "ALL", "maxItems": 50},
            ),
            ("sqs.amazonaws.com", "ListQueues", lambda: None),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                lambda: {
                    "queueUrl": f"https://sqs.{i.region}.amazonaws.com/{i.acct}/{r.choice([self.deltas, self.notify, self.deltas_dlq])}",
                    "attributeNames": ["All"],
                },
            ),
            ("states.amazonaws.com", "ListStateMachines", lambda: None),
            ("apigateway.amazonaws.com", "GetStages", lambda: {"restApiId": self.api_id}),
            ("monitoring.amazonaws.com", "DescribeAlarms", lambda: {"maxRecords": 100}),
            (
                "ec2.amazonaws.com",
                "DescribeInstances",
                lambda: {"maxResults": 1000, "instancesSet": {}, "filterSet": {}},
            ),
            ("dynamodb.amazonaws.com", "DescribeContinuousBackups", lambda: {"tableName": self.table}),
            ("tag.amazonaws.com", "GetResources", lambda: {"resourcesPerPage": 100}),
        ]
        for _ in range(n_poll):
            t = i.start + timedelta(seconds=r.uniform(0, span))
            src, name, req = r.choice(polls)
            i.ct(
                t,
                src,
                name,
                self.tooling,
                req(),
                None,
                read_only=True,
                agent="Datadog",
                ip="3.233.147." + str(r.randint(10, 200)),
            )
        # Lambda role sessions: the service assuming execution roles
        for _ in range(r.randint(6, 10)):
            t = i.start + timedelta(seconds=r.uniform(0, span))
            fn = r.choice(list(self.timeouts))
            i.ct(
                t,
                "sts.amazonaws.com",
                "AssumeRole",
                {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
                {"roleArn": f"arn:aws:iam::{i.acct}:role/{self.lambda_roles[fn]}", "roleSessionName": fn},
                {
                    "credentials": {
                        "accessKeyId": "ASIA" + i.upper(16),
                        "sessionToken": "IQoJb3JpZ2luX2VjE" + i.hexs(24),
                        "expiration": (t + timedelta(hours=12)).strftime("%b %d, %Y, %I:%M:%S %p"),
                    }
                },
                read_only=True,
                ip="lambda.amazonaws.com",
                agent="lambda.amazonaws.com",
            )
        # someone looking at dashboards
        for _ in range(r.randint(3, 6)):
            t = i.start + timedelta(seconds=r.uniform(0, span))
            i.ct(
                t,
                "monitoring.amazonaws.com",
                "GetMetricData",
                self.person,
                None,
                None,
                read_only=True,
                agent="console.amazonaws.com",
                ip="81.2.69." + str(r.randint(2, 200)),
            )

    def unrelated_deploy(self, t: datetime, fn: str) -> str:
        i = self.i
        self.code[fn] = (self.code[fn][0] + i.r.randint(-900, 4000), i.hexs(43) + "=")
        cfg = self.fn_config(fn, modified=t)
        resp = {
            k: cfg[k]
            for k in (
                "FunctionName",
                "FunctionArn",
                "Runtime",
                "Role",
                "Handler",
                "CodeSize",
                "Timeout",
                "MemorySize",
                "LastModified",
                "CodeSha256",
                "Version",
                "RevisionId",
                "State",
                "PackageType",
                "Architectures",
            )
        }
        resp["LastUpdateStatus"] = "InProgress"
        resp = camel(resp)
        return i.ct(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            self.deployer,
            {"functionName": fn, "publish": False, "dryRun": False, "architectures": ["arm64"]},
            resp,
            agent="aws-sdk-js/3.620.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.15.1 api/lambda#3.620.0 exec-env/GitHub-Actions",
            ip="4.227.134." + str(i.r.randint(2, 250)),
        )

    def resync_executions(
        self, times: Sequence[tuple[datetime, datetime | None, str, str | None, str | None]]
    ) -> None:
        i = self.i
        for st, sp, status, err, cause in times:
            name = f"scheduled-{st:%Y%m%dT%H%M}-{i.hexs(8)}"
            item: Rec = {
                "executionArn": i.arn("states", f"execution:{self.sm}:{name}"),
                "stateMachineArn": self.sm_arn,
                "name": name,
                "status": status,
                "startDate": iso(st),
            }
            if sp:
                item["stopDate"] = iso(sp)
            if err:
                item["error"] = err
            if cause:
                item["cause"] = cause
            i.res("stepfunctions", "DescribeExecutionOutput", item)
            i.ct(
                st,
                "states.amazonaws.com",
                "StartExecution",
                {
                    "type": "AssumedRole",
                    "principalId": "AROA" + i.upper(17) + ":" + i.hexs(32),
                    "arn": f"arn:aws:sts::{i.acct}:assumed-role/Amazon_EventBridge_Scheduler_SFN_{i.hexs(10)}/{i.hexs(32)}",
                    "accountId": i.acct,
                    "invokedBy": "scheduler.amazonaws.com",
                },
                {"stateMachineArn": self.sm_arn, "name": name, "input": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                {"executionArn": item["executionArn"], "startDate": st.strftime("%b %d, %Y, %I:%M:%S %p")},
                agent="scheduler.amazonaws.com",
                ip="scheduler.amazonaws.com",
            )

    # --- metrics of the estate -----------------------------------------------------------------------
    def pipeline(
        self,
        wms: Callable[[datetime], float] = _one,
        apply_ok: Callable[[datetime], float] = _one,
        apply_ms: Callable[[datetime], tuple[float, float]] | None = None,
        backlog: Callable[[datetime], float] | None = None,
        age: Callable[[datetime], float] | None = None,
        wcu_extra: Callable[[datetime], float] = _zero,
        throttled: Callable[[datetime], float] = _zero,
        repl_ms: Callable[[datetime], float] | None = None,
        dlq_visible: Callable[[datetime], float] | None = None,
        api_5xx: Callable[[datetime], float] = _zero,
        wcu_cap: Callable[[datetime], float] | None = None,
    ) -> None:
        i = self.i
        r = i.r
        q = {"QueueName": self.deltas}
        fdim = {"FunctionName": self.fn_apply}
        api = {"ApiName": "partner-inventory-api", "Stage": "prod"}
        tbl = {"TableName": self.table}
        dlq_base = r.randint(0, 4)
        for t in i.minutes():
            api_n = i.diurnal(t, self.api_rate)
            wms_n = i.diurnal(t, self.base_rate * 0.7) * wms(t)
            api_deltas = api_n * 0.08
            sent = wms_n + api_deltas
            ok = apply_ok(t)
            i.put("AWS/SQS", "NumberOfMessagesSent", q, t, "Count", round(sent))
            recv = sent * (1 + (1 - ok) * 1.6)
            i.put("AWS/SQS", "NumberOfMessagesReceived", q, t, "Count", round(recv))
            i.put("AWS/SQS", "NumberOfMessagesDeleted", q, t, "Count", round(sent * ok))
            i.put(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                q,
                t,
                "Count",
                round(backlog(t) if backlog else r.uniform(0, 25)),
            )
            i.put(
                "AWS/SQS",
                "ApproximateNumberOfMessagesNotVisible",
                q,
                t,
                "Count",
                round(r.uniform(10, 60) if ok > 0.9 else r.uniform(120, 200)),
            )
            i.put(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                q,
                t,
                "Seconds",
                round(age(t) if age else r.uniform(1, 9)),
            )
            i.put(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": self.deltas_dlq},
                t,
                "Count",
                round(dlq_visible(t) if dlq_visible else dlq_base),
            )
            inv = max(1, round(recv / r.uniform(6.5, 8.5)))
            i.put("AWS/Lambda", "Invocations", fdim, t, "Count", inv)
            i.put(
                "AWS/Lambda",
                "Errors",
                fdim,
                t,
                "Count",
                round(inv * (1 - ok) * 0.9) + (1 if r.random() < 0.02 else 0),
            )
            i.put("AWS/Lambda", "Throttles", fdim, t, "Count", 0)
            avg, hi = apply_ms(t) if apply_ms else (r.uniform(900, 1600), r.uniform(4000, 21000))
            i.put_stats("AWS/Lambda", "Duration", fdim, t, "Milliseconds", inv, avg, r.uniform(60, 120), hi)
            i.put(
                "AWS/Lambda",
                "ConcurrentExecutions",
                fdim,
                t,
                "Count",
                min(20, max(1, round(inv * avg / 60000) + r.randint(0, 2))),
            )
            # partner API
            i.put("AWS/ApiGateway", "Count", api, t, "Count", round(api_n))
            e5 = api_5xx(t)
            i.put(
                "AWS/ApiGateway",
                "5XXError",
                api,
                t,
                "Count",
                round(api_n * e5) + (1 if r.random() < 0.04 else 0),
            )
            i.put("AWS/ApiGateway", "4XXError", api, t, "Count", round(api_n * r.uniform(0.004, 0.012)))
            i.put_stats(
                "AWS/ApiGateway",
                "Latency",
                api,
                t,
                "Milliseconds",
                round(api_n),
                r.uniform(38, 55) * (1 + 4 * e5),
                9,
                r.uniform(400, 1200),
            )
            fa = {"FunctionName": self.fn_api}
            i.put("AWS/Lambda", "Invocations", fa, t, "Count", round(api_n * 0.98))
            i.put("AWS/Lambda", "Errors", fa, t, "Count", round(api_n * e5))
            i.put_stats(
                "AWS/Lambda",
                "Duration",
                fa,
                t,
                "Milliseconds",
                round(api_n),
                r.uniform(18, 30),
                3,
                r.uniform(150, 700),
            )
            # DynamoDB
            wcu = sent * ok * r.uniform(2.1, 2.6) + wcu_extra(t)
            i.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tbl, t, "Count", round(wcu))
            i.put(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                tbl,
                t,
                "Count",
                round(api_n * 0.9 * 0.5 + sent * 0.5),
            )
            if wcu_cap:
                i.put("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", tbl, t, "Count", wcu_cap(t))
            th = throttled(t)
            if th > 0:
                i.put("AWS/DynamoDB", "WriteThrottleEvents", tbl, t, "Count", round(th))
                i.put(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    {"TableName": self.table, "Operation": "BatchWriteItem"},
                    t,
                    "Count",
                    round(th / 9),
                )
            i.put_stats(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": self.table, "Operation": "GetItem"},
                t,
                "Milliseconds",
                round(api_n * 0.9),
                r.uniform(2.4, 3.6),
                1.1,
                r.uniform(12, 40),
            )
            if t.minute % 1 == 0:
                rl = repl_ms(t) if repl_ms else r.uniform(700, 1300)
                i.put_stats(
                    "AWS/DynamoDB",
                    "ReplicationLatency",
                    {"TableName": self.table, "ReceivingRegion": i.other_region},
                    t,
                    "Milliseconds",
                    max(1, round(wcu / 2)),
                    rl,
                    rl * 0.4,
                    rl * 2.2,
                )
        # partner webhook notifier: noisy, one partner's endpoint flaky
        fnn = {"FunctionName": self.fn_notify}
        for t in i.minutes():
            n = i.diurnal(t, self.base_rate * 0.3)
            i.put("AWS/Lambda", "Invocations", fnn, t, "Count", round(n))
            i.put("AWS/Lambda", "Errors", fnn, t, "Count", round(n * r.choice([0, 0, 0, 0.01, 0.02, 0.08])))
            i.put_stats(
                "AWS/Lambda",
                "Duration",
                fnn,
                t,
                "Milliseconds",
                round(n),
                r.uniform(300, 700),
                80,
                r.uniform(2000, 9000),
            )

    def standard_alarms(self) -> dict[str, Rec]:
        i = self.i
        a = {}
        a["age"] = i.alarm(
            "inventory-deltas-oldest-message-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": self.deltas},
            "Maximum",
            300,
            2,
            600,
            "GreaterThanThreshold",
            desc="Stock deltas are waiting more than 10 minutes. Partners will see stale stock. Runbook: wiki/INV-RB-04",
            topic="inventory-pager",
        )
        a["dlq"] = i.alarm(
            "inventory-deltas-dlq-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": self.deltas_dlq},
            "Maximum",
            300,
            1,
            25,
            "GreaterThanThreshold",
            desc="Dead-lettered stock deltas above the usual handful",
        )
        a["api5xx"] = i.alarm(
            "partner-api-5xx",
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": "partner-inventory-api", "Stage": "prod"},
            "Sum",
            60,
            5,
            50,
            "GreaterThanThreshold",
            desc="Partner API server errors",
            topic="inventory-pager",
            dta=3,
        )
        a["notify"] = i.alarm(
            "inv-partner-notify-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": self.fn_notify},
            "Sum",
            300,
            1,
            float(max(5, round(self.base_rate * 0.3 * 5 * 0.03))),
            "GreaterThanThreshold",
            desc="Webhook deliveries to partners failing",
        )
        a["repl"] = i.alarm(
            "inventory-levels-replication-latency",
            "AWS/DynamoDB",
            "ReplicationLatency",
            {"TableName": self.table, "ReceivingRegion": i.other_region},
            "Average",
            300,
            2,
            5000,
            "GreaterThanThreshold",
            desc="West replica lagging; read-your-write for west partners breaks above ~5s",
        )
        return a

    def flap(self, a: Rec, count: int) -> None:
        """Short flaps of a noisy alarm inside the window."""
        i = self.i
        span = (i.now - i.start).total_seconds()
        ts = sorted(i.start + timedelta(seconds=i.r.uniform(600, span - 900)) for _ in range(count))
        for t in ts:
            t = t.replace(second=i.r.randint(0, 59))
            thr = a["Threshold"]
            v = thr + i.r.randint(1, 9)
            i.transition(
                a,
                t,
                "OK",
                "ALARM",
                f"Threshold Crossed: 1 datapoint [{v:.1f} ({t - timedelta(minutes=6):%d/%m/%y %H:%M:%S})] was greater than the threshold ({thr:.1f}).",
            )
            t2 = t + timedelta(minutes=5)
            i.transition(
                a,
                t2,
                "ALARM",
                "OK",
                f"Threshold Crossed: 1 datapoint [{thr - i.r.randint(2, 5):.1f} ({t2 - timedelta(minutes=6):%d/%m/%y %H:%M:%S})] was not greater than the threshold ({thr:.1f}).",
            )
