# Incidents of kit zo, in the order written:
#  1. change: a shared PostgreSQL parameter-group setting made one afternoon cancels the nightly
#     supplier purchase-order export's long aggregation query hours later (the job had also been
#     redeployed that day).
#  2. component_failure: one node of a cluster-mode Redis session cache that has no replicas dies; the
#     shard is unavailable for minutes and comes back empty, logging a share of users out mid-booking.
#  3. limit: a TV show's vote table in provisioned mode reaches its auto-scaling maximum on final night;
#     writes throttle and votes fail while scaling has nothing left to give.
#  4. no fault: a database-connections alarm fires for a few minutes during a rolling ECS deploy that
#     briefly doubles the connection pools, as it does at every deploy.
"""Private helpers for kit zo's fresh incidents: ids, time, metric series, alarms, CloudTrail."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

MINUTE = timedelta(minutes=1)

# --------------------------------------------------------------------------------------------------
# ids and time


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    """A version-4 style UUID drawn from `rng`."""
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:32]}"


def res_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-0{hexs(rng, 16)}"


def alnum(rng: random.Random, n: int, upper: bool = True) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(n))


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """CloudWatch's own style inside alarm reason data: 2024-05-01T14:03:00.000+0000."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def pick_day(rng: random.Random, first: datetime, span_days: int, weekdays: Iterable[int]) -> datetime:
    """A midnight-UTC date within span_days of `first` whose weekday is one of `weekdays`."""
    allowed = list(weekdays)
    while True:
        d = first + timedelta(days=rng.randrange(span_days))
        if d.weekday() in allowed:
            return d.replace(hour=0, minute=0, second=0, microsecond=0)


def minutes(a: datetime, b: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = a
    while t < b:
        out.append(t)
        t += timedelta(minutes=step)
    return out


# --------------------------------------------------------------------------------------------------
# shapes of a day


def diurnal(
    local_hour: float, peak_hour: float = 13.0, night_floor: float = 0.15, width: float = 4.5
) -> float:
    """A 0..1 day curve in local time: low at night, broad hump around peak_hour."""
    d = min(abs(local_hour - peak_hour), 24 - abs(local_hour - peak_hour))
    return night_floor + (1 - night_floor) * math.exp(-(d * d) / (2 * width * width))


def smooth_noise(rng: random.Random, n: int, scale: float, keep: float = 0.85) -> list[float]:
    """AR(1) noise, len n, roughly +-scale."""
    out = []
    x = 0.0
    for _ in range(n):
        x = keep * x + (1 - keep) * rng.gauss(0, scale * 3)
        out.append(x)
    return out


# --------------------------------------------------------------------------------------------------
# metrics


@dataclass
class MetricSet:
    """Per-minute values of every series; written as 1-minute points from `fine_from`, 5-minute
    statistic sets before it (as a long GetMetricData at coarse periods would show them)."""

    start: datetime
    now: datetime
    fine_from: datetime
    series: dict[tuple[str, str, tuple[tuple[str, str], ...]], tuple[str, dict[datetime, float]]] = field(
        default_factory=dict
    )
    dists: dict[tuple[str, str, tuple[tuple[str, str], ...]], dict[datetime, tuple[float, float]]] = field(
        default_factory=dict
    )
    order: list[tuple[str, str, tuple[tuple[str, str], ...]]] = field(default_factory=list)
    coarse_step: int = 5

    def add(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime, int], float | None],
    ) -> dict[datetime, float]:
        """fn(t, i) gives the minute's value, or None where AWS publishes nothing."""
        key = (namespace, metric, tuple(sorted(dims.items())))
        vals: dict[datetime, float] = {}
        for i, t in enumerate(minutes(self.start, self.now)):
            v = fn(t, i)
            if v is not None:
                vals[t] = float(v)
        self.series[key] = (unit, vals)
        self.order.append(key)
        return vals

    def add_latency(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        fn: Callable[[datetime, int], tuple[float, float] | None],
    ) -> dict[datetime, float]:
        """A per-request latency (seconds): fn gives (mean, request count); written as a distribution."""
        key = (namespace, metric, tuple(sorted(dims.items())))
        means: dict[datetime, float] = {}
        dist: dict[datetime, tuple[float, float]] = {}
        for i, t in enumerate(minutes(self.start, self.now)):
            v = fn(t, i)
            if v is not None and v[1] > 0:
                means[t] = v[0]
                dist[t] = v
        self.series[key] = ("Seconds", means)
        self.dists[key] = dist
        self.order.append(key)
        return means

    def records(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for key in self.order:
            ns, metric, dims_t = key
            dims = dict(dims_t)
            unit, vals = self.series[key]
            dist = self.dists.get(key)
            fine = [t for t in vals if t >= self.fine_from]
            coarse: dict[datetime, list[datetime]] = {}
            for t in vals:
                if t < self.fine_from:
                    b = t - timedelta(minutes=(t.minute % self.coarse_step))
                    coarse.setdefault(b, []).append(t)
            for b, ts in coarse.items():
                if dist is not None:
                    n = sum(dist[t][1] for t in ts)
                    s = sum(dist[t][0] * dist[t][1] for t in ts)
                    mx = max(dist[t][0] for t in ts) * 3.2
                    mn = min(dist[t][0] for t in ts) * 0.3
                    sv = {
                        "SampleCount": round(n),
                        "Sum": round(s, 4),
                        "Minimum": round(mn, 4),
                        "Maximum": round(mx, 4),
                    }
                else:
                    xs = [vals[t] for t in ts]
                    sv = {
                        "SampleCount": float(len(xs)),
                        "Sum": round(sum(xs), 4),
                        "Minimum": round(min(xs), 4),
                        "Maximum": round(max(xs), 4),
                    }
                out.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(b),
                        "unit": unit,
                        "statistic_values": sv,
                    }
                )
            for t in fine:
                rec: dict[str, Any] = {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                }
                if dist is not None:
                    m, n = dist[t]
                    shares = (0.34, 0.3, 0.22, 0.1, 0.035, 0.005)
                    mult = (0.45, 0.8, 1.15, 1.9, 3.4, 6.5)
                    counts = [max(1.0, round(n * s)) for s in shares]
                    rec["values"] = [round(m * k, 4) for k in mult]
                    rec["counts"] = counts
                else:
                    rec["value"] = round(vals[t], 4)
                out.append(rec)
        return out


# --------------------------------------------------------------------------------------------------
# alarms

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _stat(xs: list[float], statistic: str) -> float:
    if statistic == "Sum":
        return sum(xs)
    if statistic == "Maximum":
        return max(xs)
    if statistic == "Minimum":
        return min(xs)
    return sum(xs) / len(xs)


def _dfmt(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def _num(v: float) -> str:
    return repr(float(round(v, 6)))


@dataclass
class Alarm:
    name: str
    description: str
    namespace: str
    metric: str
    dims: dict[str, str]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str = "missing"
    unit: str | None = None
    actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    configured: datetime | None = None
    initial: tuple[str, str, dict[str, Any]] | None = None  # state carried over a reconfiguration


@dataclass
class AlarmResult:
    item: dict[str, Any]
    history: list[dict[str, Any]]
    transitions: list[tuple[datetime, str, str, dict[str, Any]]]  # (time, old, new, reason data)


def evaluate_alarm(
    alarm: Alarm,
    account: str,
    region: str,
    values: dict[datetime, float],
    start: datetime,
    now: datetime,
    rng: random.Random,
) -> AlarmResult:
    """Walk the alarm over the per-minute values as CloudWatch would and record its state changes."""
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm.name}"
    test, words = _OPS[alarm.comparison]
    pmin = alarm.period // 60
    state = alarm.initial[0] if alarm.initial else "OK"
    transitions: list[tuple[datetime, str, str, dict[str, Any]]] = []
    history: list[dict[str, Any]] = []
    last_reason = (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was "
        "treated as [NonBreaching]."
    )
    last_data: dict[str, Any] = {}
    last_change = start - timedelta(days=1 + rng.randrange(20), minutes=rng.randrange(1440))
    if alarm.initial:
        last_reason, last_data = alarm.initial[1], alarm.initial[2]
        last_change = start
    periods: list[tuple[datetime, float | None]] = []
    t = floor_min(start) - timedelta(minutes=(start.minute % pmin))
    while t + timedelta(minutes=pmin) <= now - MINUTE:
        xs = [values[m] for m in minutes(t, t + timedelta(minutes=pmin)) if m in values]
        periods.append((t, _stat(xs, alarm.statistic) if xs else None))
        t += timedelta(minutes=pmin)
    for idx in range(len(periods)):
        window = periods[max(0, idx - alarm.evaluation_periods + 1) : idx + 1]
        if len(window) < alarm.evaluation_periods:
            continue
        present = [(pt, v) for pt, v in window if v is not None]
        breaching = [(pt, v) for pt, v in present if test(v, alarm.threshold)]
        missing = len(window) - len(present)
        nb = len(breaching) + (missing if alarm.treat_missing == "breaching" else 0)
        not_breaching = len(present) - len(breaching)
        if alarm.treat_missing in ("notBreaching", "ignore"):
            not_breaching += missing if alarm.treat_missing == "notBreaching" else 0
        if nb >= alarm.datapoints_to_alarm:
            new = "ALARM"
        elif not_breaching > alarm.evaluation_periods - alarm.datapoints_to_alarm:
            new = "OK"
        else:
            new = state  # too few datapoints either way: the state holds
        if new == state:
            continue
        when = (
            window[-1][0]
            + timedelta(minutes=pmin)
            + timedelta(seconds=40 + hash_int(alarm.name + iso(window[-1][0])) % 45)
        )
        if when > now:
            break
        recent = [v for _, v in present]
        shown = sorted(present, key=lambda p: p[0], reverse=True)
        dp = ", ".join(f"{_num(v)} ({_dfmt(pt)})" for pt, v in shown)
        if new == "ALARM":
            verb = "was" if len(breaching) == 1 else "were"
            reason = (
                f"Threshold Crossed: {len(breaching)} out of the last {len(window)} datapoints [{dp}] {verb} "
                f"{words} the threshold ({_num(alarm.threshold)}) (minimum {alarm.datapoints_to_alarm} "
                f"datapoint{'' if alarm.datapoints_to_alarm == 1 else 's'} for OK -> ALARM transition)."
            )
        else:
            if shown:
                n_ok = len(present) - len(breaching)
                verb = "was" if n_ok == 1 else "were"
                reason = (
                    f"Threshold Crossed: {n_ok} out of the last {len(window)} datapoints [{dp}] {verb} not "
                    f"{words} the threshold ({_num(alarm.threshold)}) (minimum 1 datapoint for ALARM -> OK "
                    "transition)."
                )
            else:
                w = len(window)
                reason = (
                    f"Threshold Crossed: no datapoints were received for {w} period{'' if w == 1 else 's'} "
                    f"and {w} missing datapoint{' was' if w == 1 else 's were'} treated as [NonBreaching]."
                )
        data = {
            "version": "1.0",
            "queryDate": iso_ms(when),
            "startDate": iso_ms(window[0][0]),
            "statistic": alarm.statistic,
            "period": alarm.period,
            "recentDatapoints": [round(v, 6) for v in recent],
            "threshold": alarm.threshold,
            "evaluatedDatapoints": [
                {"timestamp": iso_ms(pt), "sampleCount": float(alarm.period // 60), "value": round(v, 6)}
                for pt, v in shown
            ],
        }
        old_block: dict[str, Any] = {"stateValue": state, "stateReason": last_reason}
        if last_data:
            old_block["stateReasonData"] = last_data
        hd = {
            "version": "1.0",
            "oldState": old_block,
            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
        }
        history.append(
            {
                "AlarmName": alarm.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(when),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {state} to {new}",
                "HistoryData": json.dumps(hd, separators=(",", ":")),
            }
        )
        transitions.append((when, state, new, {"reason": reason, "data": data}))
        state, last_reason, last_data, last_change = new, reason, data, when
    configured = alarm.configured or (start - timedelta(days=60))
    item: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmArn": arn,
        "AlarmDescription": alarm.description,
        "AlarmConfigurationUpdatedTimestamp": iso(configured),
        "ActionsEnabled": True,
        "OKActions": alarm.ok_actions,
        "AlarmActions": alarm.actions,
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": last_reason,
        "StateUpdatedTimestamp": iso(last_change),
        "MetricName": alarm.metric,
        "Namespace": alarm.namespace,
        "Statistic": alarm.statistic,
        "Dimensions": [{"Name": k, "Value": v} for k, v in alarm.dims.items()],
        "Period": alarm.period,
        "EvaluationPeriods": alarm.evaluation_periods,
        "DatapointsToAlarm": alarm.datapoints_to_alarm,
        "Threshold": alarm.threshold,
        "ComparisonOperator": alarm.comparison,
        "TreatMissingData": alarm.treat_missing,
        "StateTransitionedTimestamp": iso(last_change),
    }
    if last_data:
        item["StateReasonData"] = json.dumps(last_data, separators=(",", ":"))
    if alarm.unit:
        item["Unit"] = alarm.unit
    return AlarmResult(item, history, transitions)


def alarm_event(
    rng: random.Random, result: AlarmResult, alarm: Alarm, account: str, region: str, index: int = -1
) -> dict[str, Any]:
    """The EventBridge "CloudWatch Alarm State Change" event for one of the alarm's transitions."""
    when, old, new, info = [tr for tr in result.transitions][index]
    prev = [tr for tr in result.transitions if tr[0] < when]
    prev_reason = prev[-1][3] if prev else None
    prev_state: dict[str, Any] = {"value": old, "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000")}
    if prev_reason:
        prev_state["reason"] = prev_reason["reason"]
        prev_state["reasonData"] = json.dumps(prev_reason["data"], separators=(",", ":"))
        prev_state["timestamp"] = prev[-1][0].strftime("%Y-%m-%dT%H:%M:%S.") + "000+0000"
    else:
        prev_state["reason"] = "Unchecked: Initial alarm creation"
        prev_state["timestamp"] = iso_ms(when - timedelta(days=40))
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(when),
        "region": region,
        "resources": [result.item["AlarmArn"]],
        "detail": {
            "alarmName": alarm.name,
            "state": {
                "value": new,
                "reason": info["reason"],
                "reasonData": json.dumps(info["data"], separators=(",", ":")),
                "timestamp": iso_ms(when),
            },
            "previousState": prev_state,
            "configuration": {
                "description": alarm.description,
                "metrics": [
                    {
                        "id": hexs(rng, 8)
                        + "-"
                        + hexs(rng, 4)
                        + "-"
                        + hexs(rng, 4)
                        + "-"
                        + hexs(rng, 4)
                        + "-"
                        + hexs(rng, 12),
                        "metricStat": {
                            "metric": {
                                "namespace": alarm.namespace,
                                "name": alarm.metric,
                                "dimensions": alarm.dims,
                            },
                            "period": alarm.period,
                            "stat": alarm.statistic,
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


# --------------------------------------------------------------------------------------------------
# CloudTrail


@dataclass
class Principal:
    """Who makes a call: an assumed role session (SSO human, CI, workload) or an AWS service."""

    kind: str  # "role" or "service"
    account: str
    role: str = ""
    session: str = ""
    role_path: str = "/"
    principal_id: str = ""
    service: str = ""  # for kind=service, or invokedBy for a role used by a service
    ip: str = ""
    user_agent: str = ""
    console: bool = False
    mfa: bool = False
    access_key: str = ""


def sso_human(
    rng: random.Random,
    account: str,
    region: str,
    permission_set: str,
    email: str,
    ip: str,
    console: bool = True,
    ua: str = "",
) -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{hexs(rng, 16)}"
    return Principal(
        "role",
        account,
        role=role,
        session=email,
        role_path=f"/aws-reserved/sso.amazonaws.com/{region}/",
        principal_id="AROA" + alnum(rng, 17),
        ip=ip,
        user_agent=ua or ("AWS Internal" if console else ""),
        console=console,
        access_key="ASIA" + alnum(rng, 16),
    )


def role_session(
    rng: random.Random, account: str, role: str, session: str, ip: str, ua: str, invoked_by: str = ""
) -> Principal:
    return Principal(
        "role",
        account,
        role=role,
        session=session,
        principal_id="AROA" + alnum(rng, 17),
        ip=ip,
        user_agent=ua,
        service=invoked_by,
        access_key="ASIA" + alnum(rng, 16),
    )


def aws_service(account: str, service: str) -> Principal:
    return Principal("service", account, service=service, ip=service, user_agent=service)


def identity(p: Principal, when: datetime, rng: random.Random) -> dict[str, Any]:
    if p.kind == "service":
        return {"type": "AWSService", "invokedBy": p.service}
    issuer_arn = f"arn:aws:iam::{p.account}:role{p.role_path}{p.role}"
    ident: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"{p.principal_id}:{p.session}",
        "arn": f"arn:aws:sts::{p.account}:assumed-role/{p.role}/{p.session}",
        "accountId": p.account,
        "accessKeyId": p.access_key,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": p.principal_id,
                "arn": issuer_arn,
                "accountId": p.account,
                "userName": p.role,
            },
            "webIdFederationData": {},
            "attributes": {
                "creationDate": iso(floor_min(when) - timedelta(minutes=7 + (hash_int(p.session) % 40))),
                "mfaAuthenticated": "true" if p.mfa else "false",
            },
        },
    }
    if p.service:
        ident["invokedBy"] = p.service
    return ident


def hash_int(s: str) -> int:
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1_000_003
    return h


def ct(
    rng: random.Random,
    p: Principal,
    when: datetime,
    source: str,
    name: str,
    region: str,
    request: dict[str, Any] | None,
    response: dict[str, Any] | None = None,
    read_only: bool = False,
    host: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "eventVersion": "1.09" if p.kind == "role" else "1.08",
        "userIdentity": identity(p, when, rng),
        "eventTime": iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": p.ip or p.service,
        "userAgent": p.user_agent or p.service,
        "requestParameters": request,
        "responseElements": response,
        "requestID": uid(rng),
        "eventID": uid(rng),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": p.account,
        "eventCategory": "Management",
    }
    if p.kind == "role" and not p.service:
        svc = source.split(".")[0]
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host or f"{svc}.{region}.amazonaws.com",
        }
        if p.console:
            rec["sessionCredentialFromConsole"] = "true"
    if extra:
        rec.update(extra)
    return rec


def assume_role_by_service(
    rng: random.Random, account: str, region: str, when: datetime, service: str, role_arn: str, session: str
) -> dict[str, Any]:
    """AssumeRole made by an AWS service on a role's behalf (ECS tasks, Lambda, scheduler ...)."""
    p = aws_service(account, service)
    return ct(
        rng,
        p,
        when,
        "sts.amazonaws.com",
        "AssumeRole",
        region,
        {"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600},
        {
            "credentials": {
                "accessKeyId": "ASIA" + alnum(rng, 16),
                "sessionToken": "IQoJb3JpZ2luX2VjE" + alnum(rng, 24, upper=False) + "...",
                "expiration": (when + timedelta(hours=1)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
            },
            "assumedRoleUser": {
                "assumedRoleId": "AROA" + alnum(rng, 17) + ":" + session,
                "arn": role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")
                + "/"
                + session,
            },
        },
        read_only=True,
        extra={
            "resources": [{"accountId": account, "type": "AWS::IAM::Role", "ARN": role_arn}],
            "sharedEventID": uid(rng),
        },
    )


def ct_sort(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (r["eventTime"], r["eventID"]))


# --------------------------------------------------------------------------------------------------
# common resources


def tags(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def log_group(
    account: str, region: str, name: str, created: datetime, retention: int | None = 30, stored: int = 0
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": stored,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
    }
    if retention:
        item["retentionInDays"] = retention
    return {"service": "logs", "type": "LogGroup", "item": item}


def vpc_item(vpc_id: str, cidr: str, account: str, name: str) -> dict[str, Any]:
    return {
        "service": "ec2",
        "type": "Vpc",
        "item": {
            "CidrBlock": cidr,
            "DhcpOptionsId": "dopt-0" + vpc_id[5:21][::-1],
            "State": "available",
            "VpcId": vpc_id,
            "OwnerId": account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": "vpc-cidr-assoc-0" + vpc_id[5:21],
                    "CidrBlock": cidr,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "Tags": tags({"Name": name}),
        },
    }


def subnet_item(
    subnet_id: str,
    vpc_id: str,
    cidr: str,
    az: str,
    az_id: str,
    account: str,
    region: str,
    name: str,
    free: int,
) -> dict[str, Any]:
    return {
        "service": "ec2",
        "type": "Subnet",
        "item": {
            "AvailabilityZone": az,
            "AvailabilityZoneId": az_id,
            "AvailableIpAddressCount": free,
            "CidrBlock": cidr,
            "DefaultForAz": False,
            "MapPublicIpOnLaunch": False,
            "State": "available",
            "SubnetId": subnet_id,
            "VpcId": vpc_id,
            "OwnerId": account,
            "AssignIpv6AddressOnCreation": False,
            "Ipv6CidrBlockAssociationSet": [],
            "SubnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{subnet_id}",
            "Tags": tags({"Name": name}),
        },
    }


def sg_item(
    sg_id: str, vpc_id: str, account: str, name: str, desc: str, ingress: list[tuple[int, int, str, str]]
) -> dict[str, Any]:
    """ingress: (from, to, cidr-or-sg, description)."""
    perms = []
    for lo, hi, src, d in ingress:
        perm: dict[str, Any] = {
            "FromPort": lo,
            "ToPort": hi,
            "IpProtocol": "tcp",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
        if src.startswith("sg-"):
            perm["UserIdGroupPairs"] = [{"GroupId": src, "UserId": account, "Description": d}]
        else:
            perm["IpRanges"] = [{"CidrIp": src, "Description": d}]
        perms.append(perm)
    return {
        "service": "ec2",
        "type": "SecurityGroup",
        "item": {
            "Description": desc,
            "GroupName": name,
            "IpPermissions": perms,
            "OwnerId": account,
            "GroupId": sg_id,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "VpcId": vpc_id,
            "Tags": tags({"Name": name}),
        },
    }


def iam_role(
    account: str, name: str, created: datetime, principal_service: str, rid: str, desc: str = ""
) -> dict[str, Any]:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": principal_service}, "Action": "sts:AssumeRole"}
        ],
    }
    item: dict[str, Any] = {
        "Path": "/",
        "RoleName": name,
        "RoleId": rid,
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": json.dumps(doc),
        "MaxSessionDuration": 3600,
    }
    if desc:
        item["Description"] = desc
    return {"service": "iam", "type": "Role", "item": item}


def private_ip(rng: random.Random, prefix: str) -> str:
    return f"{prefix}.{rng.randrange(1, 250)}"
