# Incidents of kit zq, in the order they are written:
# 1. change: an SQS subscriber queue of an SNS fan-out topic is switched to a customer-managed KMS key whose
#    key policy does not let SNS use it; deliveries to that one queue fail silently, its consumer goes idle.
# 2. limit: a nightly scheduled Lambda whose work grows with the data finally runs into the 900-second
#    Lambda maximum timeout; the async retries time out too and the morning report is missing.
# 3. (not written: out of time) component_failure: one EBS volume of a KCL (Kinesis) consumer instance stalls its I/O; that worker keeps
#    its shard leases but stops processing, so part of the fleet's vehicle positions freeze.
# 4. no fault: an anomaly-detection alarm on order events fires on Christmas morning; traffic is simply low
#    everywhere in proportion and every stage is healthy.
"""Private helpers for kit zq's incidents: ids, time, metric series, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime, step: int = 1) -> datetime:
    t = t.replace(second=0, microsecond=0)
    return t - timedelta(minutes=t.minute % step)


class Ctx:
    """Everything one bundle collects while it is built."""

    def __init__(self, name: str, seed: int, account: str, region: str) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.account = account
        self.region = region
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []

    # --- ids -------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def ip(self, prefix: str = "10.40") -> str:
        return f"{prefix}.{self.rng.randrange(1, 250)}.{self.rng.randrange(2, 254)}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    # --- records ---------------------------------------------------------------------------------
    def resource(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def datum(self, ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 3),
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
        s: float,
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
                    "SampleCount": float(max(n, 1)),
                    "Sum": round(float(s), 3),
                    "Minimum": round(float(min(lo, hi)), 3),
                    "Maximum": round(float(max(lo, hi)), 3),
                },
            }
        )

    def bundle_records(self) -> dict[str, list[Rec]]:
        self.trail.sort(key=lambda r: str(r["eventTime"]))
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: str(r["Timestamp"]))
        out = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.trail,
            "resources": self.resources,
            "events": self.events,
        }
        return {k: v for k, v in out.items() if v}


# --- time and shape ------------------------------------------------------------------------------


def timeline(
    start: datetime, end: datetime, fine_from: datetime, fine: int = 1, coarse: int = 5
) -> list[tuple[datetime, int]]:
    """Datapoint times from start to end: `coarse`-minute points before `fine_from`, `fine`-minute after.
    Each is (timestamp, period in minutes)."""
    out: list[tuple[datetime, int]] = []
    t = floor_min(start, coarse)
    if t < start:
        t += timedelta(minutes=coarse)
    while t < fine_from and t <= end:
        out.append((t, coarse))
        t += timedelta(minutes=coarse)
    t = floor_min(max(t, fine_from), fine)
    while t <= end:
        out.append((t, fine))
        t += timedelta(minutes=fine)
    return out


def diurnal(
    t: datetime, utc_offset_h: float, peak_h: float = 13.0, floor: float = 0.15, sharp: float = 1.0
) -> float:
    """A day shape in [floor, 1]: low at night, peak around peak_h local time."""
    local = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((local - peak_h) / 24 * 2 * math.pi)
    v = ((x + 1) / 2) ** (1.6 * sharp)
    return floor + (1 - floor) * v


def noisy(rng: random.Random, v: float, rel: float = 0.06) -> float:
    return max(0.0, v * (1 + rng.gauss(0, rel)))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# --- CloudTrail ----------------------------------------------------------------------------------


class Principal:
    """A caller as CloudTrail records it."""

    def __init__(
        self, identity: Rec, agent: str, ip: str, invoked_by: str | None = None, session_ctx: bool = True
    ) -> None:
        self.identity = identity
        self.agent = agent
        self.ip = ip
        self.invoked_by = invoked_by


def sso_user(ctx: Ctx, permission_set: str, email: str, agent: str, ip: str) -> Principal:
    suffix = ctx.hex(16)
    role = f"AWSReservedSSO_{permission_set}_{suffix}"
    pid = "AROA" + ctx.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    ident = {
        "type": "AssumedRole",
        "principalId": f"{pid}:{email}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{email}",
        "accountId": ctx.account,
        "accessKeyId": "ASIA" + ctx.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": pid,
                "arn": f"arn:aws:iam::{ctx.account}:role/aws-reserved/sso.amazonaws.com/{ctx.region}/{role}",
                "accountId": ctx.account,
                "userName": role,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    return Principal(ident, agent, ip)


def role_session(
    ctx: Ctx, role: str, session: str, agent: str, ip: str, invoked_by: str | None = None
) -> Principal:
    pid = "AROA" + ctx.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    ident = {
        "type": "AssumedRole",
        "principalId": f"{pid}:{session}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{session}",
        "accountId": ctx.account,
        "accessKeyId": "ASIA" + ctx.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": pid,
                "arn": f"arn:aws:iam::{ctx.account}:role/{role}",
                "accountId": ctx.account,
                "userName": role,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return Principal(ident, agent, ip, invoked_by)


def aws_service(service_host: str) -> Principal:
    return Principal(
        {"type": "AWSService", "invokedBy": service_host}, service_host, service_host, service_host
    )


def ct(
    ctx: Ctx,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    request: Rec | None,
    response: Rec | None = None,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[Rec] | None = None,
    version: str = "1.09",
) -> Rec:
    ident = json.loads(json.dumps(who.identity))
    sc = ident.get("sessionContext")
    if sc:
        # one session an hour: the session began at a fixed minute of the hour the call falls in
        minute = sum(map(ord, str(ident.get("principalId", "")))) % 50
        began = t.replace(minute=minute, second=(minute * 7) % 60, microsecond=0)
        if began > t:
            began -= timedelta(hours=1)
        sc["attributes"]["creationDate"] = iso(began)
    rec: Rec = {
        "eventVersion": version,
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": ctx.region,
        "sourceIPAddress": who.ip,
        "userAgent": who.agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = request
    rec["responseElements"] = response
    rec["requestID"] = ctx.uuid()
    rec["eventID"] = ctx.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = ctx.account
    if who.invoked_by is None and who.identity.get("type") != "AWSService":
        host = source.replace(".amazonaws.com", f".{ctx.region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    rec["eventCategory"] = "Management"
    ctx.trail.append(rec)
    return rec


# --- alarms --------------------------------------------------------------------------------------


def metric_alarm(
    ctx: Ctx,
    name: str,
    description: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    created: datetime,
    actions: list[str],
    datapoints: int | None = None,
    treat_missing: str = "missing",
    unit: str | None = None,
) -> Rec:
    alarm: Rec = {
        "AlarmName": name,
        "AlarmArn": ctx.arn("cloudwatch", f"alarm:{name}"),
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": actions,
        "InsufficientDataActions": [],
        "StateValue": "OK",
        "StateReason": "",
        "StateUpdatedTimestamp": iso_ms(created),
        "MetricName": metric,
        "Namespace": ns,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": datapoints or evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": treat_missing,
        "StateTransitionedTimestamp": iso_ms(created),
    }
    if stat.startswith("p"):
        alarm["ExtendedStatistic"] = stat
    else:
        alarm["Statistic"] = stat
    if unit:
        alarm["Unit"] = unit
    return alarm


def _agg(points: list[tuple[datetime, Rec]], stat: str) -> float | None:
    if not points:
        return None
    vals: list[float] = []
    sums = counts = 0.0
    mx, mn = -math.inf, math.inf
    for _, p in points:
        if "value" in p:
            v = float(p["value"])
            vals.append(v)
            sums += v
            counts += 1
            mx, mn = max(mx, v), min(mn, v)
        else:
            sv = p["statistic_values"]
            sums += sv["Sum"]
            counts += sv["SampleCount"]
            mx, mn = max(mx, sv["Maximum"]), min(mn, sv["Minimum"])
    if stat == "Sum":
        return sums
    if stat == "Average":
        return sums / counts if counts else None
    if stat == "Maximum":
        return mx
    if stat == "Minimum":
        return mn
    if stat == "SampleCount":
        return counts
    raise ValueError(stat)


def _breach(v: float, op: str, th: float) -> bool:
    return {
        "GreaterThanThreshold": v > th,
        "GreaterThanOrEqualToThreshold": v >= th,
        "LessThanThreshold": v < th,
        "LessThanOrEqualToThreshold": v <= th,
    }[op]


def _fmt(v: float) -> str:
    return repr(float(v))


def evaluate_alarm(
    ctx: Ctx,
    alarm: Rec,
    start: datetime,
    now: datetime,
    override: Callable[[datetime], tuple[bool, float, float] | None] | None = None,
    initial: str = "OK",
) -> list[tuple[datetime, str, str]]:
    """Run `alarm` over the bundle's datapoints every minute from start to now; write its history, set its
    state, and return the transitions (time, new state, reason)."""
    dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    mine = sorted(
        (datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")), m)
        for m in ctx.metrics
        if m["namespace"] == alarm["Namespace"]
        and m["metric"] == alarm["MetricName"]
        and m["dimensions"] == dims
    )
    period = timedelta(seconds=alarm["Period"])
    stat = alarm.get("Statistic", "Average")
    n, m = alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]
    th, op = alarm["Threshold"], alarm["ComparisonOperator"]
    state = initial
    changes: list[tuple[datetime, str, str]] = []
    t = floor_min(start) + period * n + timedelta(minutes=1)
    idx = 0
    while t <= now:
        # the last n complete periods ending at floor(t, period)
        end = datetime.fromtimestamp((int(t.timestamp()) // alarm["Period"]) * alarm["Period"], UTC)
        periods: list[tuple[datetime, float | None]] = []
        for k in range(n, 0, -1):
            ps = end - period * k
            pe = ps + period
            pts = [(ts, p) for ts, p in mine if ps <= ts < pe]
            periods.append((ps, _agg(pts, stat)))
        breaching = [(ps, v) for ps, v in periods if v is not None and _breach(v, op, th)]
        present = [(ps, v) for ps, v in periods if v is not None]
        new = state
        if override is not None:
            res = override(t)
            if res is not None:
                is_alarm, _, _ = res
                new = "ALARM" if is_alarm else "OK"
        elif len(breaching) >= m:
            new = "ALARM"
        elif present or alarm.get("TreatMissingData") == "notBreaching":
            new = "OK"
        if new != state:
            shown = breaching[-m:] if new == "ALARM" else present[-1:]
            vals = ", ".join(
                f"{_fmt(v)} ({ps:%d/%m/%y %H:%M:%S})" for ps, v in reversed(shown) if v is not None
            )
            word = "greater than" if op.startswith("Greater") else "less than"
            if op.endswith("OrEqualToThreshold"):
                word += " or equal to"
            if new == "ALARM":
                reason = (
                    f"Threshold Crossed: {len(shown)} out of the last {n} datapoints [{vals}] were {word} "
                    f"the threshold ({_fmt(th)}) (minimum {m} datapoint{'s' if m > 1 else ''} for OK -> ALARM "
                    "transition)."
                )
            else:
                reason = (
                    f"Threshold Crossed: 1 out of the last {n} datapoints [{vals}] was not {word} the "
                    f"threshold ({_fmt(th)}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
            record_transition(
                ctx, alarm, t + timedelta(seconds=ctx.rng.randrange(5, 50)), state, new, reason, shown, period
            )
            changes.append((t, new, reason))
            state = new
        t += timedelta(minutes=1)
        idx += 1
    return changes


def record_transition(
    ctx: Ctx,
    alarm: Rec,
    at: datetime,
    old: str,
    new: str,
    reason: str,
    shown: Sequence[tuple[datetime, float | None]],
    period: timedelta,
) -> None:
    stamp = at.replace(microsecond=ctx.rng.randrange(1000) * 1000)
    data: Rec = {
        "version": "1.0",
        "oldState": {"stateValue": old, "stateReason": "(previous state)"},
        "newState": {
            "stateValue": new,
            "stateReason": reason,
            "stateReasonData": {
                "version": "1.0",
                "queryDate": iso_ms(stamp).replace("Z", "+0000"),
                "startDate": iso_ms(shown[0][0]).replace("Z", "+0000") if shown else iso_ms(stamp),
                "statistic": alarm.get("Statistic", "Sum"),
                "period": alarm.get("Period", int(period.total_seconds())),
                "recentDatapoints": [round(float(v), 3) for _, v in shown if v is not None],
                **({"threshold": alarm["Threshold"]} if "Threshold" in alarm else {}),
                "evaluatedDatapoints": [
                    {
                        "timestamp": iso(ps).replace("Z", ".000+0000"),
                        "sampleCount": 1.0,
                        "value": round(float(v), 3),
                    }
                    for ps, v in reversed(shown)
                    if v is not None
                ],
            },
        },
    }
    prev = [
        h
        for h in ctx.history
        if h["AlarmName"] == alarm["AlarmName"] and h["HistoryItemType"] == "StateUpdate"
    ]
    if prev:
        last = json.loads(prev[-1]["HistoryData"])
        data["oldState"] = {"stateValue": old, "stateReason": last["newState"]["stateReason"]}
    ctx.history.append(
        {
            "AlarmName": alarm["AlarmName"],
            "AlarmType": "MetricAlarm",
            "Timestamp": iso_ms(stamp),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old} to {new}",
            "HistoryData": json.dumps(data, separators=(",", ":")),
        }
    )
    alarm["StateValue"] = new
    alarm["StateReason"] = reason
    alarm["StateReasonData"] = json.dumps(data["newState"]["stateReasonData"], separators=(",", ":"))
    alarm["StateUpdatedTimestamp"] = iso_ms(stamp)
    alarm["StateTransitionedTimestamp"] = iso_ms(stamp)
    if new == "ALARM":
        for action in alarm["AlarmActions"]:
            ctx.history.append(
                {
                    "AlarmName": alarm["AlarmName"],
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(stamp + timedelta(milliseconds=180)),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {action}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": ms(stamp),
                            "notificationResource": action,
                            "publishedMessage": {"MessageId": ctx.uuid()},
                        },
                        separators=(",", ":"),
                    ),
                }
            )


def add_alarm_config_history(ctx: Ctx, alarm: Rec, at: datetime, who: str) -> None:
    ctx.history.append(
        {
            "AlarmName": alarm["AlarmName"],
            "AlarmType": "MetricAlarm",
            "Timestamp": iso_ms(at),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{alarm["AlarmName"]}" created',
            "HistoryData": json.dumps(
                {
                    "type": "Create",
                    "version": "1.0",
                    "createdAlarm": {"alarmName": alarm["AlarmName"], "by": who},
                },
                separators=(",", ":"),
            ),
        }
    )


def alarm_event(ctx: Ctx, alarm: Rec, nth: int = 0) -> Rec:
    """The EventBridge "CloudWatch Alarm State Change" event of the alarm's `nth` move to ALARM (from its history)."""
    moves = [
        (h, json.loads(h["HistoryData"]))
        for h in ctx.history
        if h["AlarmName"] == alarm["AlarmName"] and h["HistoryItemType"] == "StateUpdate"
    ]
    to_alarm = [(h, d) for h, d in moves if d["newState"]["stateValue"] == "ALARM"]
    h, d = to_alarm[nth]
    at = datetime.fromisoformat(h["Timestamp"].replace("Z", "+00:00"))
    before = [x for x in moves if x[0]["Timestamp"] < h["Timestamp"]]
    prev_at = (
        datetime.fromisoformat(before[-1][0]["Timestamp"].replace("Z", "+00:00"))
        if before
        else at - timedelta(days=3)
    )
    previous_reason = d["oldState"]["stateReason"]
    metric: Rec = {
        "namespace": alarm["Namespace"],
        "name": alarm["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
    }
    stat = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
    return {
        "version": "0",
        "id": ctx.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": iso(at),
        "region": ctx.region,
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": alarm["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": d["newState"]["stateReason"],
                "reasonData": json.dumps(d["newState"]["stateReasonData"], separators=(",", ":")),
                "timestamp": iso_ms(at).replace("Z", "+0000"),
            },
            "previousState": {
                "value": d["oldState"]["stateValue"],
                "reason": previous_reason,
                "timestamp": iso_ms(prev_at).replace("Z", "+0000"),
            },
            "configuration": {
                "description": alarm.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {"metric": metric, "period": alarm["Period"], "stat": stat},
                        "returnData": True,
                    }
                ],
            },
        },
    }


# --- common resources ----------------------------------------------------------------------------


def log_group(ctx: Ctx, name: str, created: datetime, retention: int | None = 30) -> None:
    item: Rec = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": ctx.arn("logs", f"log-group:{name}:*"),
        "storedBytes": ctx.rng.randrange(10**6, 10**9),
        "logGroupClass": "STANDARD",
        "logGroupArn": ctx.arn("logs", f"log-group:{name}"),
    }
    if retention:
        item["retentionInDays"] = retention
    ctx.resource("logs", "LogGroup", item)


def lambda_config(
    ctx: Ctx,
    name: str,
    runtime: str,
    handler: str,
    role_arn: str,
    memory: int,
    timeout: int,
    modified: datetime,
    env: dict[str, str] | None = None,
    description: str = "",
    code_size: int | None = None,
    vpc: Rec | None = None,
) -> Rec:
    item: Rec = {
        "FunctionName": name,
        "FunctionArn": ctx.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": role_arn,
        "Handler": handler,
        "CodeSize": code_size or ctx.rng.randrange(200_000, 9_000_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ctx.rng.randrange(1000):03d}+0000",
        "CodeSha256": ctx.upper(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": ctx.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": env}
    if vpc:
        item["VpcConfig"] = vpc
    ctx.resource("lambda", "FunctionConfiguration", item)
    return item


def iam_role(ctx: Ctx, name: str, service: str, created: datetime, path: str = "/") -> str:
    arn = f"arn:aws:iam::{ctx.account}:role{path}{name}"
    ctx.resource(
        "iam",
        "Role",
        {
            "Path": path,
            "RoleName": name,
            "RoleId": "AROA" + ctx.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            "Arn": arn,
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
    return arn


def lambda_invocation_logs(
    ctx: Ctx,
    fn: str,
    t: datetime,
    duration_ms: float,
    memory: int,
    used_mb: int,
    body: Iterable[tuple[float, str]] = (),
    version: str = "$LATEST",
    init_ms: float | None = None,
    timed_out: bool = False,
    stream: str | None = None,
) -> str:
    """START / body / END / REPORT lines of one Lambda invocation; returns the request id."""
    rid = ctx.uuid()
    stream = stream or f"{t:%Y/%m/%d}/[{version}]{ctx.hex(32)}"
    group = f"/aws/lambda/{fn}"
    ctx.log(group, stream, t, f"START RequestId: {rid} Version: {version}\n")
    for offset_ms, line in body:
        ctx.log(group, stream, t + timedelta(milliseconds=offset_ms), line.replace("{rid}", rid))
    end = t + timedelta(milliseconds=duration_ms)
    if timed_out:
        ctx.log(
            group,
            stream,
            end,
            f"{iso_ms(end)} {rid} Task timed out after {duration_ms / 1000:.2f} seconds\n\n",
        )
    ctx.log(group, stream, end, f"END RequestId: {rid}\n")
    billed = math.ceil(duration_ms)
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used_mb} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    if timed_out:
        report += "Status: timeout"
    ctx.log(group, stream, end, report + "\n")
    return rid


def sqs_queue(
    ctx: Ctx,
    name: str,
    created: datetime,
    attrs: dict[str, str] | None = None,
    tags: dict[str, str] | None = None,
) -> str:
    arn = ctx.arn("sqs", name)
    a = {
        "QueueArn": arn,
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": str(int(created.timestamp())),
        "LastModifiedTimestamp": str(int(created.timestamp())),
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
    }
    a.update(attrs or {})
    ctx.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}",
            "Attributes": a,
            "Tags": tags or {},
        },
    )
    return arn


Sample = float | tuple[float, float, float, float] | None


def series(
    ctx: Ctx,
    times: list[tuple[datetime, int]],
    ns: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    f: Callable[[datetime], Sample],
) -> None:
    """One metric over `times`. `f(minute)` gives that minute's value (a float), a distribution
    (count, sum, min, max), or None when AWS publishes nothing for it. Coarse points aggregate their minutes."""
    for t, period in times:
        parts: list[tuple[float, float, float, float]] = []
        for k in range(period):
            v = f(t + timedelta(minutes=k))
            if v is None:
                continue
            if isinstance(v, tuple):
                if v[0] > 0:
                    parts.append(v)
            else:
                parts.append((1.0, float(v), float(v), float(v)))
        if not parts:
            continue
        if period == 1 and len(parts) == 1 and parts[0][0] == 1.0:
            ctx.datum(ns, metric, dims, t, unit, parts[0][1])
            continue
        n = sum(p[0] for p in parts)
        s = sum(p[1] for p in parts)
        ctx.stats(ns, metric, dims, t, unit, n, s, min(p[2] for p in parts), max(p[3] for p in parts))


def dist(
    rng: random.Random, n: int, mean: float, spread: float = 0.25, tail: float = 2.5
) -> tuple[float, float, float, float] | None:
    """A plausible (count, sum, min, max) for n samples around mean."""
    if n <= 0:
        return None
    m = noisy(rng, mean, spread / 3)
    lo = m * max(0.2, 1 - spread * (1.5 + rng.random()))
    hi = m * (1 + spread * tail * (0.6 + rng.random()))
    if n == 1:
        return (1.0, m, m, m)
    return (float(n), m * n, lo, hi)


def stamp_ms(rng: random.Random, t: datetime) -> datetime:
    return t + timedelta(milliseconds=rng.randrange(60_000))


def timeline3(
    start: datetime, mid: datetime, fine_from: datetime, end: datetime, coarse: int = 60
) -> list[tuple[datetime, int]]:
    """`coarse`-minute points from start to mid, 5-minute ones to fine_from, 1-minute ones to end."""
    out: list[tuple[datetime, int]] = []
    t = floor_min(start, coarse) if coarse < 60 else start.replace(minute=0, second=0, microsecond=0)
    if t < start:
        t += timedelta(minutes=coarse)
    while t < mid:
        out.append((t, coarse))
        t += timedelta(minutes=coarse)
    out.extend(timeline(t, end, fine_from))
    return out
