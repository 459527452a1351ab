"""Private helpers for kit zzo's incidents: timestamps, CloudTrail records, metrics, alarms, noise."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from evals.bundle import Bundle, Manifest

Json = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


@dataclass
class Ctx:
    """One incident under construction."""

    seed: int
    region: str
    start: datetime
    now: datetime
    rng: random.Random = field(init=False)
    account: str = field(init=False)
    records: dict[str, list[Json]] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed * 7919 + 17)
        self.account = "".join(str(self.rng.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "3" + self.account[1:]
        self.records = {k: [] for k in ("metrics", "alarms", "alarm_history", "logs", "cloudtrail")}
        self.records.update({"resources": [], "events": []})

    # --- ids ------------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def jitter(self, t: datetime, seconds: int) -> datetime:
        return t + timedelta(seconds=self.rng.randint(0, seconds), milliseconds=self.rng.randint(0, 999))

    # --- records --------------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Json) -> None:
        self.records["resources"].append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
    ) -> None:
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

    def stats(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        samples: list[float],
        unit: str,
    ) -> None:
        self.records["metrics"].append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(len(samples)),
                    "Sum": round(sum(samples), 3),
                    "Minimum": round(min(samples), 3),
                    "Maximum": round(max(samples), 3),
                },
            }
        )

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = minute(self.start)
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    # --- identities -----------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, t: datetime, invoked_by: str | None = None) -> Json:
        rid = "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        rid = self._stable(f"role:{role}", rid)
        ident: Json = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role.split('/')[-1]}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role.split("/")[-1],
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=self.rng.randint(1, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    _memo: dict[str, str] = field(default_factory=dict)

    def _stable(self, key: str, value: str) -> str:
        return self._memo.setdefault(key, value)

    def sso(self, user: str, perm: str, t: datetime) -> Json:
        suffix = self._stable(f"sso:{perm}", self.hexid(16))
        return self.role_identity(
            f"aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_{perm}_{suffix}", user, t
        )

    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: Json,
        *,
        read_only: bool,
        request: Json | None = None,
        response: Json | None = None,
        agent: str = "Boto3/1.34.162 md/Botocore#1.34.162 ua/2.0 os/linux#5.10.227 lang/python#3.11.9",
        ip: str | None = None,
        resources: list[Json] | None = None,
        error: tuple[str, str] | None = None,
        extra: Json | None = None,
    ) -> str:
        eid = self.uid()
        rec: Json = {
            "eventVersion": "1.10" if source == "s3.amazonaws.com" else "1.09",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or identity.get("invokedBy")
            or f"10.{self.rng.randint(20, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 250)}",
            "userAgent": identity.get("invokedBy") or agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = request
        rec["responseElements"] = response
        if extra:
            rec.update(extra)
        rec["requestID"] = self.upper(16, "0123456789ABCDEF") if source == "s3.amazonaws.com" else self.uid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if "invokedBy" not in identity:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.records["cloudtrail"].append(rec)
        return eid

    def tooling_reads(
        self, count: int, reads: list[tuple[str, str, Json | None]], role: str, session: str
    ) -> None:
        """Read-only calls from monitoring / inventory tooling, spread over the window."""
        span = int((self.now - self.start).total_seconds())
        host = f"10.{self.rng.randint(20, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 250)}"
        for _ in range(count):
            t = self.start + timedelta(seconds=self.rng.randint(0, span))
            src, name, req = self.rng.choice(reads)
            self.trail(
                t,
                src,
                name,
                self.role_identity(role, session, t),
                read_only=True,
                request=req,
                agent="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64",
                ip=host,
            )

    def lambda_assume(self, t: datetime, role: str, function: str) -> None:
        ident = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
        self.trail(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            ident,
            read_only=True,
            request={"roleArn": f"arn:aws:iam::{self.account}:role/{role}", "roleSessionName": function},
            response={
                "credentials": {
                    "accessKeyId": "ASIA" + self.upper(16),
                    "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE" + self.hexid(24),
                    "expiration": (t + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
            resources=[
                {
                    "accountId": self.account,
                    "type": "AWS::IAM::Role",
                    "ARN": f"arn:aws:iam::{self.account}:role/{role}",
                }
            ],
            extra={"sharedEventID": self.uid()},
        )

    # --- alarms ---------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str,
        period: int,
        threshold: float,
        op: str = "GreaterThanThreshold",
        evals: int = 1,
        dtp: int | None = None,
        state: str,
        reason: str,
        state_at: datetime,
        description: str | None = None,
        actions: list[str] | None = None,
        treat_missing: str = "notBreaching",
        unit: str | None = None,
    ) -> Json:
        item: Json = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": actions or [],
            "AlarmActions": actions or [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(state_at),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dtp or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
            "StateTransitionedTimestamp": iso(state_at),
        }
        if description:
            item["AlarmDescription"] = description
        if unit:
            item["Unit"] = unit
        self.records["alarms"].append(item)
        return item

    def history(
        self, alarm: Json, t: datetime, old: str, new: str, reason: str, data: Json | None = None
    ) -> None:
        new_state: Json = {"stateValue": new, "stateReason": reason}
        if data:
            new_state["stateReasonData"] = data
        hd = {"version": "1.0", "oldState": {"stateValue": old}, "newState": new_state}
        self.records["alarm_history"].append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hd, separators=(",", ":")),
            }
        )

    def reason_data(self, alarm: Json, t: datetime, values: list[float]) -> Json:
        return {
            "version": "1.0",
            "queryDate": iso_ms(t),
            "startDate": iso_ms(t - timedelta(seconds=alarm["Period"] * len(values))),
            "statistic": alarm["Statistic"],
            "period": alarm["Period"],
            "recentDatapoints": values,
            "threshold": alarm["Threshold"],
            "evaluatedDatapoints": [
                {
                    "timestamp": iso_ms(t - timedelta(seconds=alarm["Period"] * (i + 1))),
                    "sampleCount": 5.0,
                    "value": v,
                }
                for i, v in enumerate(reversed(values))
            ],
        }

    def alarm_event(
        self, alarm: Json, t: datetime, reason: str, data: Json, prev_reason: str, prev_at: datetime
    ) -> Json:
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
                    "reasonData": json.dumps(data, separators=(",", ":")),
                    "timestamp": iso_ms(t),
                },
                "previousState": {
                    "value": "OK",
                    "reason": prev_reason,
                    "timestamp": iso_ms(prev_at),
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

    # --- bundle ---------------------------------------------------------------------------------------
    def bundle(self, title: str, trigger: Json, truth: Json) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.now),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        recs = {k: v for k, v in self.records.items() if v}
        for k in ("cloudtrail",):
            recs[k] = sorted(recs[k], key=lambda r: r["eventTime"])
        recs["logs"] = sorted(
            recs.get("logs", []), key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"])
        )
        return Bundle(manifest, recs)


def lambda_report(
    ctx: Ctx, group: str, stream: str, t: datetime, req: str, dur: float, mem: int, used: int
) -> None:
    end = t + timedelta(milliseconds=dur)
    ctx.log(group, stream, end, f"END RequestId: {req}")
    ctx.log(
        group,
        stream,
        end,
        f"REPORT RequestId: {req}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
        f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t",
    )


def lambda_stream(ctx: Ctx, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{ctx.hexid(32)}"


def onset_day(seed: int, hour_lo: int, hour_hi: int) -> datetime:
    rng = random.Random(seed * 104729 + 3)
    day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
    return day.replace(hour=rng.randint(hour_lo, hour_hi), minute=rng.randint(0, 59))


def fn_config(
    ctx: Ctx,
    name: str,
    role: str,
    runtime: str,
    handler: str,
    memory: int,
    timeout: int,
    modified: datetime,
    env: dict[str, str],
) -> Json:
    item: Json = {
        "FunctionName": name,
        "FunctionArn": ctx.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{ctx.account}:role/{role}",
        "Handler": handler,
        "CodeSize": ctx.rng.randint(40_000, 9_000_000),
        "Description": "",
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ctx.rng.randint(0, 999):03d}+0000",
        "CodeSha256": ctx.hexid(43) + "=",
        "Version": "$LATEST",
        "Environment": {"Variables": env},
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": ctx.uid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    ctx.res("lambda", "FunctionConfiguration", item)
    return item


def log_group(ctx: Ctx, name: str, retention: int = 30) -> None:
    ctx.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": name,
            "creationTime": ms(ctx.start - timedelta(days=ctx.rng.randint(100, 900))),
            "retentionInDays": retention,
            "metricFilterCount": 0,
            "arn": ctx.arn("logs", f"log-group:{name}:*"),
            "storedBytes": ctx.rng.randint(10**7, 10**10),
            "logGroupClass": "STANDARD",
            "logGroupArn": ctx.arn("logs", f"log-group:{name}"),
        },
    )


def sqs_queue(ctx: Ctx, name: str, attrs: dict[str, str]) -> str:
    arn = ctx.arn("sqs", name)
    base = {
        "QueueArn": arn,
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": str(int((ctx.start - timedelta(days=400)).timestamp())),
        "LastModifiedTimestamp": str(int((ctx.start - timedelta(days=90)).timestamp())),
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
    }
    base.update(attrs)
    ctx.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}",
            "Attributes": base,
            "Tags": {},
        },
    )
    return arn


def iam_role(ctx: Ctx, name: str, service: str, policy_name: str, policy: Json) -> None:
    ctx.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROA" + ctx.upper(17),
            "Arn": f"arn:aws:iam::{ctx.account}:role/{name}",
            "CreateDate": iso(ctx.start - timedelta(days=ctx.rng.randint(200, 700))),
            "AssumeRolePolicyDocument": quote(
                json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                        ],
                    },
                    separators=(",", ":"),
                )
            ),
            "MaxSessionDuration": 3600,
        },
    )
    ctx.res(
        "iam", "RoleInlinePolicy", {"RoleName": name, "PolicyName": policy_name, "PolicyDocument": policy}
    )
