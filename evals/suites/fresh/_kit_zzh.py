"""Private helpers for kit zzh's incidents (data pipelines)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid(rng: random.Random) -> str:
    h = hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def account(rng: random.Random) -> str:
    return str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))


def day_start(rng: random.Random, year: int = 2026) -> datetime:
    """A weekday date in the given year, at midnight UTC."""
    d = datetime(year, 1, 5, tzinfo=UTC) + timedelta(days=rng.randint(0, 320))
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


class Ident:
    """CloudTrail userIdentity builders."""

    def __init__(self, acct: str, rng: random.Random) -> None:
        self.acct = acct
        self.rng = rng

    def sso(self, role: str, user: str) -> Rec:
        pid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}",
            "arn": f"arn:aws:sts::{self.acct}:assumed-role/{role}/{user}",
            "accountId": self.acct,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.acct}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.acct,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str) -> Rec:
        pid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.acct}:assumed-role/{role}/{session}",
            "accountId": self.acct,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.acct}:role/{role}",
                    "accountId": self.acct,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }


class Trail:
    """Collects CloudTrail records as delivered to S3."""

    def __init__(self, rng: random.Random, acct: str, region: str) -> None:
        self.rng = rng
        self.acct = acct
        self.region = region
        self.records: list[Rec] = []

    def add(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        params: Rec | None,
        response: Rec | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.17.40 Python/3.11.9 Linux/6.1.102-111.182.amzn2023.x86_64 exe/x86_64.amzn.2023",
        ip: str = "10.20.4.17",
        error: tuple[str, str] | None = None,
        extra: Rec | None = None,
    ) -> str:
        ident = json.loads(json.dumps(ident))
        ctx = ident.get("sessionContext")
        if isinstance(ctx, dict) and "attributes" in ctx:
            ctx["attributes"]["creationDate"] = iso(t - timedelta(minutes=self.rng.randint(3, 50)))
        eid = uuid(self.rng)
        rec: Rec = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": uuid(self.rng),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.acct,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if source.endswith("amazonaws.com") and not source.startswith(("iam.", "sts.")):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if extra:
            rec.update(extra)
        self.records.append(rec)
        return eid

    def sorted(self) -> list[Rec]:
        return sorted(self.records, key=lambda r: (r["eventTime"], r["eventID"]))


def series(
    ns: str,
    metric: str,
    dims: dict[str, str],
    start: datetime,
    end: datetime,
    step_s: int,
    fn: Callable[[datetime], float | None],
    unit: str = "Count",
) -> list[Rec]:
    out: list[Rec] = []
    t = start
    while t < end:
        v = fn(t)
        if v is not None:
            out.append(
                {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": round(float(v), 3),
                }
            )
        t += timedelta(seconds=step_s)
    return out


def stat_series(
    ns: str,
    metric: str,
    dims: dict[str, str],
    start: datetime,
    end: datetime,
    step_s: int,
    fn: Callable[[datetime], tuple[float, float, float, float] | None],
    unit: str = "Count",
) -> list[Rec]:
    """fn returns (SampleCount, Sum, Minimum, Maximum) or None."""
    out: list[Rec] = []
    t = start
    while t < end:
        v = fn(t)
        if v is not None:
            n, s, lo, hi = v
            out.append(
                {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "statistic_values": {
                        "SampleCount": float(n),
                        "Sum": round(float(s), 3),
                        "Minimum": round(float(lo), 3),
                        "Maximum": round(float(hi), 3),
                    },
                }
            )
        t += timedelta(seconds=step_s)
    return out


def alarm(
    acct: str,
    region: str,
    name: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    *,
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    state: str,
    reason: str,
    state_time: datetime,
    updated: datetime,
    actions: list[str],
    missing: str = "missing",
    description: str | None = None,
    unit: str | None = None,
    datapoints: int | None = None,
    reason_data: str | None = None,
) -> Rec:
    a: Rec = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{acct}:alarm:{name}",
        "AlarmConfigurationUpdatedTimestamp": iso_ms(updated),
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": actions,
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(state_time),
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
        "StateTransitionedTimestamp": iso_ms(state_time),
    }
    if description:
        a["AlarmDescription"] = description
    if unit:
        a["Unit"] = unit
    if reason_data:
        a["StateReasonData"] = reason_data
    return a


def history(name: str, t: datetime, old: str, new: str, reason: str, reason_data: Rec | None = None) -> Rec:
    data: Rec = {
        "version": "1.0",
        "oldState": {"stateValue": old},
        "newState": {"stateValue": new, "stateReason": reason},
    }
    if reason_data:
        data["newState"]["stateReasonData"] = reason_data
    return {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": iso_ms(t),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(data),
    }


def reason_text(points: list[tuple[float, datetime]], threshold: float, word: str = "greater than") -> str:
    """An OK -> ALARM reason as CloudWatch writes it; points oldest first."""
    n = len(points)
    vals = ", ".join(f"{float(v)} ({t:%d/%m/%y %H:%M:%S})" for v, t in reversed(points))
    verb = "was" if n == 1 else "were"
    dp = "datapoint" if n == 1 else "datapoints"
    return (
        f"Threshold Crossed: {n} out of the last {n} datapoints [{vals}] {verb} {word} the threshold "
        f"({float(threshold)}) (minimum {n} {dp} for OK -> ALARM transition)."
    )


def alarm_event(
    a: Rec,
    acct: str,
    region: str,
    t: datetime,
    reason: str,
    prev_time: datetime,
    prev_reason: str,
    rng: random.Random,
) -> Rec:
    metric_stat = {
        "metric": {
            "namespace": a["Namespace"],
            "name": a["MetricName"],
            "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
        },
        "period": a["Period"],
        "stat": a["Statistic"],
    }
    return {
        "version": "0",
        "id": uuid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": acct,
        "time": iso(t),
        "region": region,
        "resources": [a["AlarmArn"]],
        "detail": {
            "alarmName": a["AlarmName"],
            "state": {"value": "ALARM", "reason": reason, "timestamp": iso_ms(t).replace("Z", "+0000")},
            "previousState": {
                "value": "OK",
                "reason": prev_reason,
                "timestamp": iso_ms(prev_time).replace("Z", "+0000"),
            },
            "configuration": {
                "description": a.get("AlarmDescription", ""),
                "metrics": [{"id": hexid(rng, 8), "metricStat": metric_stat, "returnData": True}],
            },
        },
    }


def log(group: str, stream: str, t: datetime, msg: str) -> Rec:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg}


def lambda_report(
    rng: random.Random, group: str, stream: str, t: datetime, dur: float, mem: int, used: int, body: list[str]
) -> list[Rec]:
    """START / body lines / END / REPORT for one Lambda invocation."""
    req = uuid(rng)
    out = [log(group, stream, t, f"START RequestId: {req} Version: $LATEST\n")]
    for i, line in enumerate(body):
        out.append(log(group, stream, t + timedelta(milliseconds=5 + i * 3), line.replace("{req}", req)))
    end = t + timedelta(milliseconds=dur)
    out.append(log(group, stream, end, f"END RequestId: {req}\n"))
    billed = int(dur) + 1
    out.append(
        log(
            group,
            stream,
            end,
            f"REPORT RequestId: {req}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t\n",
        )
    )
    return out


def lambda_stream(t: datetime, version: str, rng: random.Random) -> str:
    return f"{t:%Y/%m/%d}/[{version}]{hexid(rng, 32)}"


def lambda_fn(
    acct: str,
    region: str,
    name: str,
    role: str,
    *,
    runtime: str = "python3.12",
    handler: str = "app.handler",
    memory: int = 512,
    timeout: int = 60,
    modified: datetime,
    rng: random.Random,
    env: dict[str, str] | None = None,
    description: str = "",
) -> Rec:
    return {
        "service": "lambda",
        "type": "FunctionConfiguration",
        "item": {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{name}",
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{acct}:role/{role}",
            "Handler": handler,
            "CodeSize": rng.randint(40_000, 9_000_000),
            "Description": description,
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": "".join(
                rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                for _ in range(43)
            )
            + "=",
            "Version": "$LATEST",
            "Environment": {"Variables": env or {}},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": uuid(rng),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        },
    }


def log_group(acct: str, region: str, name: str, created: datetime, retention: int = 30) -> Rec:
    return {
        "service": "logs",
        "type": "LogGroup",
        "item": {
            "logGroupName": name,
            "creationTime": ms(created),
            "retentionInDays": retention,
            "metricFilterCount": 0,
            "arn": f"arn:aws:logs:{region}:{acct}:log-group:{name}:*",
            "storedBytes": 0,
            "logGroupClass": "STANDARD",
            "logGroupArn": f"arn:aws:logs:{region}:{acct}:log-group:{name}",
        },
    }


def iam_role(acct: str, name: str, service: str, created: datetime, rng: random.Random) -> Rec:
    return {
        "service": "iam",
        "type": "Role",
        "item": {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17)),
            "Arn": f"arn:aws:iam::{acct}:role/{name}",
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
    }


def sns_topic(acct: str, region: str, name: str) -> Rec:
    arn = f"arn:aws:sns:{region}:{acct}:{name}"
    return {
        "service": "sns",
        "type": "Topic",
        "item": {
            "TopicArn": arn,
            "Attributes": {
                "TopicArn": arn,
                "Owner": acct,
                "DisplayName": "",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": json.dumps(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                            }
                        }
                    }
                ),
            },
        },
    }


def parse(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _hist_ts(row: Rec) -> str:
    return str(row["Timestamp"])


def by_ts(rows: list[Rec]) -> list[Rec]:
    """Alarm history items in time order."""
    return sorted(rows, key=_hist_ts)
