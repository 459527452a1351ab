"""Private helpers for kit zzl's incidents: ids, CloudTrail records, metric series, alarms."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def lambda_ts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ids:
    """Deterministic ids from one Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def account(self) -> str:
        return str(self.rng.randint(100000000000, 999999999999))

    def req(self) -> str:
        return self.uuid()


def start_of_day(rng: random.Random, year: int = 2026) -> datetime:
    """A random weekday in the given year, at midnight UTC."""
    while True:
        d = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(10, 330))
        if d.weekday() < 5:
            return d


@dataclass
class Person:
    """A caller: an SSO user, a CI role, or a tooling role."""

    kind: str  # "sso", "role"
    name: str  # session name / user
    role: str  # role name
    ip: str
    agent: str
    principal: str = ""
    key: str = ""


class Trail:
    """Builds CloudTrail records as delivered to S3."""

    def __init__(self, ids: Ids, account: str, region: str) -> None:
        self.ids = ids
        self.account = account
        self.region = region
        self.records: list[Rec] = []
        self._principals: dict[str, str] = {}

    def person(self, kind: str, name: str, role: str, ip: str, agent: str) -> Person:
        if role not in self._principals:
            self._principals[role] = "AROA" + self.ids.upper(17)
        return Person(kind, name, role, ip, agent, self._principals[role], "ASIA" + self.ids.upper(16))

    def identity(self, p: Person, when: datetime) -> Rec:
        if p.kind == "sso":
            role_arn = (
                f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{p.role}"
            )
        else:
            role_arn = f"arn:aws:iam::{self.account}:role/{p.role}"
        created = when - timedelta(minutes=(sum(map(ord, p.name)) % 7) * 5 + 3)
        return {
            "type": "AssumedRole",
            "principalId": f"{p.principal}:{p.name}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{p.role}/{p.name}",
            "accountId": self.account,
            "accessKeyId": p.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": p.principal,
                    "arn": role_arn,
                    "accountId": self.account,
                    "userName": p.role,
                },
                "attributes": {
                    "creationDate": iso(created.replace(second=0)),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def add(
        self,
        who: Person,
        when: datetime,
        source: str,
        name: str,
        params: Rec | None = None,
        response: Rec | None = None,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
    ) -> str:
        event_id = self.ids.uuid()
        rec: Rec = {
            "eventVersion": "1.09",
            "userIdentity": self.identity(who, when),
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.ip,
            "userAgent": who.agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec.update(
            {
                "requestID": self.ids.uuid(),
                "eventID": event_id,
                "readOnly": read_only,
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "eventCategory": "Management",
                "tlsDetails": {
                    "tlsVersion": "TLSv1.3",
                    "cipherSuite": "TLS_AES_128_GCM_SHA256",
                    "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
                },
            }
        )
        self.records.append(rec)
        return event_id

    def sorted(self) -> list[Rec]:
        return sorted(self.records, key=lambda r: r["eventTime"])


class Metrics:
    """Per-period datapoints keyed by (namespace, metric, dims)."""

    def __init__(self) -> None:
        self.series: dict[
            tuple[str, str, tuple[tuple[str, str], ...]], tuple[str, dict[datetime, float]]
        ] = {}

    def put(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        points: dict[datetime, float],
    ) -> None:
        key = (ns, metric, tuple(sorted(dims.items())))
        self.series[key] = (unit, points)

    def get(self, ns: str, metric: str, dims: dict[str, str]) -> dict[datetime, float]:
        return self.series[(ns, metric, tuple(sorted(dims.items())))][1]

    def records(self) -> list[Rec]:
        out: list[Rec] = []
        for (ns, metric, dims), (unit, points) in self.series.items():
            for t in sorted(points):
                out.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dict(dims),
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(points[t], 3),
                    }
                )
        return out


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


def series(
    times: list[datetime], fn: Callable[[datetime], float | None], floor: float = 0.0
) -> dict[datetime, float]:
    out: dict[datetime, float] = {}
    for t in times:
        v = fn(t)
        if v is None:
            continue
        out[t] = max(floor, v)
    return out


_OPS = {
    "GreaterThanThreshold": lambda v, th: v > th,
    "GreaterThanOrEqualToThreshold": lambda v, th: v >= th,
    "LessThanThreshold": lambda v, th: v < th,
    "LessThanOrEqualToThreshold": lambda v, th: v <= th,
}
_SYMBOL = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


@dataclass
class AlarmSpec:
    name: str
    description: str
    namespace: str
    metric: str
    dims: dict[str, str]
    stat: str
    period: int
    evaluation: int
    to_alarm: int
    threshold: float
    op: str
    missing: str = "missing"
    actions: list[str] = field(default_factory=list)
    unit: str | None = None
    created: datetime | None = None


def _fmt(v: float) -> str:
    return repr(float(v))


def evaluate(
    spec: AlarmSpec, points: dict[datetime, float], start: datetime, now: datetime
) -> list[tuple[datetime, str, str, Rec]]:
    """State transitions of an alarm over `points` (one value per period), from start to now."""
    per = timedelta(seconds=spec.period)
    step = timedelta(minutes=1)
    t = start + per * (spec.evaluation + 1)
    state = "OK"
    out: list[tuple[datetime, str, str, Rec]] = []
    check = _OPS[spec.op]
    while t <= now:
        last = t - per
        last = last - timedelta(seconds=last.timestamp() % spec.period)
        slots = [last - per * i for i in range(spec.evaluation)]
        values = [(s, points.get(s)) for s in slots]
        breaching = 0
        present = 0
        for _, v in values:
            if v is None:
                if spec.missing == "breaching":
                    breaching += 1
                continue
            present += 1
            if check(v, spec.threshold):
                breaching += 1
        if breaching >= spec.to_alarm:
            new = "ALARM"
        elif present == 0 and spec.missing == "missing":
            new = state if state != "INSUFFICIENT_DATA" else "INSUFFICIENT_DATA"
        else:
            new = "OK"
        if new != state:
            shown = [v for _, v in values if v is not None][: spec.evaluation]
            if new == "ALARM" and present == 0:
                reason = (
                    f"Threshold Crossed: no datapoints were received for {spec.evaluation} periods and "
                    f"{spec.evaluation} missing datapoints were treated as [Breaching]."
                )
            elif new == "ALARM":
                n_b = breaching
                reason = (
                    f"Threshold Crossed: {n_b} out of the last {spec.evaluation} datapoints "
                    f"[{', '.join(_fmt(v) + ' (' + s.strftime('%d/%m/%y %H:%M:%S') + ')' for s, v in values if v is not None)}] "
                    f"was {_SYMBOL[spec.op]} the threshold ({_fmt(spec.threshold)}) "
                    f"(minimum {spec.to_alarm} datapoint{'s' if spec.to_alarm > 1 else ''} for OK -> ALARM transition)."
                )
            else:
                first = [(s, v) for s, v in values if v is not None][:1]
                reason = (
                    "Threshold Crossed: 1 datapoint "
                    f"[{', '.join(_fmt(v) + ' (' + s.strftime('%d/%m/%y %H:%M:%S') + ')' for s, v in first)}] "
                    f"was not {_SYMBOL[spec.op]} the threshold ({_fmt(spec.threshold)})."
                )
            data: Rec = {
                "version": "1.0",
                "queryDate": iso_ms(t + timedelta(seconds=13)),
                "startDate": iso_ms(slots[-1]),
                "statistic": spec.stat,
                "period": spec.period,
                "recentDatapoints": [round(v, 3) for v in shown],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": iso_ms(s), "sampleCount": 1.0, "value": round(v, 3)}
                    for s, v in values
                    if v is not None
                ][: spec.to_alarm],
            }
            out.append((t + timedelta(seconds=13), state, new, {"reason": reason, "data": data}))
            state = new
        t += step
    return out


class Alarms:
    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.transitions: dict[str, list[tuple[datetime, str, str, Rec]]] = {}
        self.specs: dict[str, AlarmSpec] = {}

    def arn(self, name: str) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"

    def add(self, spec: AlarmSpec, points: dict[datetime, float], start: datetime, now: datetime) -> None:
        trans = evaluate(spec, points, start, now)
        self.transitions[spec.name] = trans
        self.specs[spec.name] = spec
        created = spec.created or start - timedelta(days=40)
        if trans:
            t, _, state, info = trans[-1]
        else:
            t, state = start - timedelta(days=3, minutes=17), "OK"
            info = {
                "reason": f"Threshold Crossed: 1 datapoint was not {_SYMBOL[spec.op]} the threshold "
                f"({_fmt(spec.threshold)}).",
                "data": {},
            }
        alarm: Rec = {
            "AlarmName": spec.name,
            "AlarmArn": self.arn(spec.name),
            "AlarmDescription": spec.description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
            "ActionsEnabled": True,
            "OKActions": list(spec.actions),
            "AlarmActions": list(spec.actions),
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": info["reason"],
            "StateUpdatedTimestamp": iso_ms(t),
            "MetricName": spec.metric,
            "Namespace": spec.namespace,
            "Statistic": spec.stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
            "Period": spec.period,
            "EvaluationPeriods": spec.evaluation,
            "DatapointsToAlarm": spec.to_alarm,
            "Threshold": spec.threshold,
            "ComparisonOperator": spec.op,
            "TreatMissingData": spec.missing,
            "StateTransitionedTimestamp": iso_ms(t),
        }
        if info["data"]:
            alarm["StateReasonData"] = json.dumps(info["data"], separators=(",", ":"))
        if spec.unit:
            alarm["Unit"] = spec.unit
        self.alarms.append(alarm)
        prev_reason = "Unchecked: Initial alarm creation"
        for when, old, new, inf in trans:
            hist = {
                "version": "1.0",
                "oldState": {"stateValue": old, "stateReason": prev_reason},
                "newState": {
                    "stateValue": new,
                    "stateReason": inf["reason"],
                    "stateReasonData": inf["data"],
                },
            }
            prev_reason = inf["reason"]
            self.history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(when),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(hist, separators=(",", ":")),
                }
            )
            if spec.actions and new in ("ALARM", "OK"):
                self.history.append(
                    {
                        "AlarmName": spec.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(when + timedelta(milliseconds=180)),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {spec.actions[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": int(when.timestamp() * 1000),
                                "notificationResource": spec.actions[0],
                                "publishedMessage": {"AlarmName": spec.name, "NewStateValue": new},
                            },
                            separators=(",", ":"),
                        ),
                    }
                )

    def event(self, name: str, ids: Ids, which: int = -1) -> Rec:
        """The EventBridge alarm state-change event of transition `which` of alarm `name`."""
        spec = self.specs[name]
        trans = self.transitions[name]
        when, old, new, info = trans[which]
        prev_idx = (which if which >= 0 else len(trans) + which) - 1
        if prev_idx >= 0:
            pwhen, _, _, pinfo = trans[prev_idx]
            prev = {
                "value": old,
                "reason": pinfo["reason"],
                "reasonData": json.dumps(pinfo["data"], separators=(",", ":")),
                "timestamp": iso_ms(pwhen),
            }
        else:
            prev = {"value": old, "reason": "Unchecked: Initial alarm creation", "timestamp": iso_ms(when)}
        return {
            "version": "0",
            "id": ids.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [self.arn(name)],
            "detail": {
                "alarmName": name,
                "state": {
                    "value": new,
                    "reason": info["reason"],
                    "reasonData": json.dumps(info["data"], separators=(",", ":")),
                    "timestamp": iso_ms(when),
                },
                "previousState": prev,
                "configuration": {
                    "description": spec.description,
                    "metrics": [
                        {
                            "id": ids.hex(8)
                            + "-"
                            + ids.hex(4)
                            + "-"
                            + ids.hex(4)
                            + "-"
                            + ids.hex(4)
                            + "-"
                            + ids.hex(12),
                            "metricStat": {
                                "metric": {
                                    "namespace": spec.namespace,
                                    "name": spec.metric,
                                    "dimensions": dict(spec.dims),
                                },
                                "period": spec.period,
                                "stat": spec.stat,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


class Logs:
    def __init__(self) -> None:
        self.events: list[Rec] = []

    def add(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.events.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_invocation(
        self,
        group: str,
        stream: str,
        t: datetime,
        request_id: str,
        duration_ms: float,
        memory: int,
        used: int,
        lines: list[str],
        version: str = "$LATEST",
        init_ms: float | None = None,
    ) -> None:
        self.add(group, stream, t, f"START RequestId: {request_id} Version: {version}\n")
        off = timedelta(milliseconds=3)
        for line in lines:
            self.add(group, stream, t + off, line if line.endswith("\n") else line + "\n")
            off += timedelta(milliseconds=max(1, int(duration_ms / (len(lines) + 1))))
        end = t + timedelta(milliseconds=duration_ms + 1)
        self.add(group, stream, end, f"END RequestId: {request_id}\n")
        billed = int(duration_ms) + 1 if duration_ms != int(duration_ms) else int(duration_ms)
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        self.add(group, stream, end, report + "\n")

    def sorted(self) -> list[Rec]:
        return sorted(self.events, key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))


def lambda_stream(ids: Ids, t: datetime, version: str = "$LATEST") -> str:
    return f"{t.strftime('%Y/%m/%d')}/[{version}]{ids.hex(32)}"


def res(service: str, type_: str, item: Rec) -> Rec:
    return {"service": service, "type": type_, "item": item}


def lambda_config(
    ids: Ids,
    account: str,
    region: str,
    name: str,
    runtime: str,
    handler: str,
    role: str,
    memory: int,
    timeout: int,
    modified: datetime,
    env: dict[str, str] | None = None,
    description: str = "",
    code_size: int = 0,
) -> Rec:
    item: Rec = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{account}:role/{role}",
        "Handler": handler,
        "CodeSize": code_size or ids.rng.randint(400_000, 9_000_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": lambda_ts(modified),
        "CodeSha256": ids.hex(43) + "=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": ids.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {
            "RuntimeVersionArn": f"arn:aws:lambda:{region}::runtime:{ids.hex(64)}",
        },
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": env}
    return item


def log_group(account: str, region: str, name: str, created: datetime, retention: int | None = 30) -> Rec:
    item: Rec = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": 0,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
    }
    if retention:
        item["retentionInDays"] = retention
    return item


def role(ids: Ids, account: str, name: str, service: str, created: datetime) -> Rec:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + ids.upper(17),
        "Arn": f"arn:aws:iam::{account}:role/{name}",
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
    }


def bundle(
    *,
    title: str,
    account: str,
    region: str,
    start: datetime,
    now: datetime,
    question: str | None,
    timezone: str | None,
    alarm_event: Rec | None,
    truth: Rec,
    metrics: Metrics,
    alarms: Alarms,
    logs: Logs,
    trail: Trail,
    resources: list[Rec],
) -> Bundle:
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": title,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": alarm_event, "timezone": timezone},
            "truth": truth,
        }
    )
    hist = sorted(alarms.history, key=lambda h: h["Timestamp"])
    return Bundle(
        manifest,
        {
            "metrics": metrics.records(),
            "alarms": alarms.alarms,
            "alarm_history": hist,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": resources,
        },
    )


def ip(rng: random.Random, prefix: str, lo: int, hi: int) -> str:
    """An address under `prefix`, its remaining octets drawn from lo..hi."""
    parts = prefix.split(".")
    return ".".join(parts + [str(rng.randint(lo, hi)) for _ in range(4 - len(parts))])
