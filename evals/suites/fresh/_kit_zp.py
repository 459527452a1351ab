# Incidents of kit zp, in the order written:
#  1. change: a KMS key policy rewrite leaves one Lambda role out; Secrets Manager reads start failing only
#     as fresh Lambda environments come up (the secret is cached per environment), API answers 503s.
#  2. dependency_failure: the third-party OIDC identity provider behind an ALB's authenticate-oidc rule
#     times out at its token endpoint; new staff sign-ins fail with ELB 5xx while the targets stay healthy.
#  3. limit: a scheduled fan-out Lambda reads Parameter Store on every invocation and exhausts the shared
#     standard-throughput GetParameter quota; a different API's cold starts are throttled.
#  4. no fault: the weekly security-audit scan trips the unauthorized-API-calls CloudTrail alarm.
"""Private helpers for kit zp: ids, clocks, noise, CloudTrail records, alarms, Lambda log lines."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


# --- ids and clocks ---------------------------------------------------------------------------------


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(rng: random.Random, n: int, upper: bool = True) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(n))


def uid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    v = "89ab"[rng.randrange(4)]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def cw_ts(t: datetime) -> str:
    """CloudWatch's alarm-history timestamp style: 2024-05-14T13:42:00.000+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def pick_day(rng: random.Random, weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)) -> datetime:
    """A date in 2024-2025 on one of the given weekdays (Mon=0), at 00:00 UTC."""
    base = datetime(2024, 3, 4, tzinfo=UTC)
    while True:
        d = base + timedelta(days=rng.randrange(0, 560))
        if d.weekday() in weekdays:
            return d


def uk_offset(t: datetime) -> int:
    """Hours Europe/London is ahead of UTC at t (BST from the last Sunday of March to the last of October)."""
    y = t.year

    def last_sunday(month: int) -> datetime:
        d = datetime(y, month, 31, 1, tzinfo=UTC)
        return d - timedelta(days=(d.weekday() + 1) % 7)

    return 1 if last_sunday(3) <= t < last_sunday(10) else 0


def diurnal(t: datetime, tz_hours: float, peak_hour: float = 13.0, floor: float = 0.12) -> float:
    """0..1 shape of a business-day traffic curve in local time."""
    h = (t.hour + t.minute / 60.0 + tz_hours) % 24
    x = math.cos((h - peak_hour) / 24.0 * 2 * math.pi)
    day = max(0.0, x) ** 1.6
    return floor + (1 - floor) * day


# --- metrics ------------------------------------------------------------------------------------------


def timeline(start: datetime, now: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """(timestamp, period seconds): 5-minute points before fine_from, 1-minute points after, up to now."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, 300))
        t += timedelta(minutes=5)
    t = fine_from
    while t <= now - timedelta(minutes=1):
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


@dataclass
class Metrics:
    rows: list[Json] = field(default_factory=list)
    # (namespace, metric, dims-json) -> {timestamp: value} for 1-minute points (used by alarms)
    fine: dict[tuple[str, str, str], dict[datetime, float]] = field(default_factory=dict)

    def add(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        points: Iterable[tuple[datetime, int]],
        fn: Callable[[datetime, int], float | None],
        kind: str = "sum",
        digits: int = 2,
    ) -> None:
        """fn(t, period) returns the period's Sum (kind "sum") or Average (kind "avg"); None = no datapoint.
        Sums are written as one value per period; averages as a statistic set of `period/60` samples."""
        key = (ns, metric, json.dumps(dims, sort_keys=True))
        fine = self.fine.setdefault(key, {})
        for t, period in points:
            v = fn(t, period)
            if v is None:
                continue
            v = round(v, digits) if digits else float(round(v))
            row: Json = {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
            }
            if kind == "sum" or period == 60:
                row["value"] = v
            else:
                n = period // 60
                row["statistic_values"] = {
                    "SampleCount": float(n),
                    "Sum": round(v * n, 4),
                    "Minimum": v,
                    "Maximum": v,
                }
            self.rows.append(row)
            if period == 60:
                fine[t] = v

    def series(self, ns: str, metric: str, dims: dict[str, str]) -> dict[datetime, float]:
        return self.fine.get((ns, metric, json.dumps(dims, sort_keys=True)), {})


def noisy(rng: random.Random, x: float, sd: float = 0.08) -> float:
    return max(0.0, x * (1.0 + rng.gauss(0, sd)))


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


# --- alarms -------------------------------------------------------------------------------------------

OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


@dataclass
class AlarmSpec:
    name: str
    description: str
    namespace: str
    metric: str
    dims: dict[str, str]
    statistic: str  # Sum | Average | Maximum
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str = "notBreaching"
    unit: str | None = None


def _agg(values: list[float], stat: str) -> float:
    if stat == "Sum":
        return sum(values)
    if stat == "Maximum":
        return max(values)
    if stat == "Minimum":
        return min(values)
    return sum(values) / len(values)


def _fmt_num(v: float) -> str:
    return repr(float(round(v, 6)))


def evaluate_alarm(
    spec: AlarmSpec,
    fine: dict[datetime, float],
    eval_from: datetime,
    now: datetime,
    account: str,
    region: str,
    actions: list[str],
    configured: datetime,
    rng: random.Random,
) -> tuple[Json, list[Json], Json | None]:
    """Walk the alarm over 1-minute data from eval_from to now. Returns (MetricAlarm, history items,
    the last OK->ALARM transition as {time, reason, reasonData, previous} or None)."""
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    test, words = OPS[spec.comparison]
    state = ""
    state_reason = ""
    state_data: Json = {}
    state_time = eval_from
    history: list[Json] = []
    last_alarm: Json | None = None
    p = spec.period
    # periods aligned to the period size
    t = eval_from - timedelta(seconds=eval_from.timestamp() % p)
    while t + timedelta(seconds=p) + timedelta(seconds=60) <= now:
        eval_time = t + timedelta(seconds=p + 60, milliseconds=rng.randrange(50, 900))
        # the last N periods ending with the one starting at t
        periods = [t - timedelta(seconds=p * i) for i in range(spec.evaluation_periods)][::-1]
        vals: list[tuple[datetime, float | None]] = []
        for ps in periods:
            pts = [
                fine[ps + timedelta(minutes=m)] for m in range(p // 60) if ps + timedelta(minutes=m) in fine
            ]
            vals.append((ps, _agg(pts, spec.statistic) if pts else None))
        breaches = 0
        for _, v in vals:
            if v is None:
                breaches += 1 if spec.treat_missing == "breaching" else 0
            elif test(v, spec.threshold):
                breaches += 1
        new = "ALARM" if breaches >= spec.datapoints_to_alarm else "OK"
        if not state:
            present = [(ps, v) for ps, v in vals if v is not None]
            shown = ", ".join(f"{_fmt_num(v)} ({ps:%d/%m/%y %H:%M:%S})" for ps, v in reversed(present))
            state = new
            state_time = configured + timedelta(minutes=1, seconds=rng.randrange(60))
            state_reason = (
                (
                    f"Threshold Crossed: {spec.evaluation_periods - breaches} out of the last "
                    f"{spec.evaluation_periods} datapoints [{shown}] was not {words} the threshold "
                    f"({_fmt_num(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
                if present
                else (
                    f"Threshold Crossed: no datapoints were received for {spec.evaluation_periods} period"
                    f"{'s' if spec.evaluation_periods > 1 else ''} and {spec.evaluation_periods} missing datapoint"
                    f"{'s were' if spec.evaluation_periods > 1 else ' was'} treated as [NonBreaching]."
                )
            )
        elif new != state:
            present = [(ps, v) for ps, v in vals if v is not None]
            recent = [v for _, v in present]
            shown = ", ".join(f"{_fmt_num(v)} ({ps:%d/%m/%y %H:%M:%S})" for ps, v in reversed(present))
            if new == "ALARM":
                reason = (
                    f"Threshold Crossed: {breaches} out of the last {spec.evaluation_periods} datapoints [{shown}] "
                    f"was {words} the threshold ({_fmt_num(spec.threshold)}) (minimum {spec.datapoints_to_alarm} "
                    f"datapoint{'s' if spec.datapoints_to_alarm > 1 else ''} for OK -> ALARM transition)."
                )
            elif not present:
                reason = (
                    f"Threshold Crossed: no datapoints were received for {spec.evaluation_periods} period"
                    f"{'s' if spec.evaluation_periods > 1 else ''} and {spec.evaluation_periods} missing datapoint"
                    f"{'s were' if spec.evaluation_periods > 1 else ' was'} treated as [NonBreaching]."
                )
            else:
                reason = (
                    f"Threshold Crossed: {spec.evaluation_periods - breaches} out of the last "
                    f"{spec.evaluation_periods} datapoints [{shown}] was not {words} the threshold "
                    f"({_fmt_num(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
            data = {
                "version": "1.0",
                "queryDate": cw_ts(eval_time),
                "startDate": cw_ts(periods[0]),
                "statistic": spec.statistic,
                "period": p,
                "recentDatapoints": recent,
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": cw_ts(ps), "sampleCount": float(p // 60), "value": v}
                    for ps, v in reversed(present)
                ],
            }
            history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(eval_time),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        separators=(",", ":"),
                        obj={
                            "version": "1.0",
                            "oldState": {"stateValue": state, "stateReason": state_reason},
                            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                        },
                    ),
                }
            )
            if actions and new == "ALARM":
                history.append(
                    {
                        "AlarmName": spec.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(eval_time + timedelta(milliseconds=rng.randrange(20, 300))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {actions[0]}",
                        "HistoryData": json.dumps(
                            separators=(",", ":"),
                            obj={
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": int(eval_time.timestamp() * 1000),
                                "notificationResource": actions[0],
                                "publishedMessage": None,
                            },
                        ),
                    }
                )
            if new == "ALARM":
                last_alarm = {
                    "time": eval_time,
                    "reason": reason,
                    "reasonData": data,
                    "previous": {"value": state, "reason": state_reason, "time": state_time},
                }
            state, state_reason, state_data, state_time = new, reason, data, eval_time
        t += timedelta(seconds=p)
    alarm: Json = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(configured),
        "ActionsEnabled": True,
        "OKActions": list(actions),
        "AlarmActions": list(actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": state_reason,
        "StateReasonData": json.dumps(state_data, separators=(",", ":")) if state_data else "",
        "StateUpdatedTimestamp": iso_ms(state_time),
        "StateTransitionedTimestamp": iso_ms(state_time),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Statistic": spec.statistic,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing,
    }
    if not alarm["StateReasonData"]:
        del alarm["StateReasonData"]
    if spec.unit:
        alarm["Unit"] = spec.unit
    return alarm, history, last_alarm


def alarm_event(
    alarm: Json, spec: AlarmSpec, last: Json, account: str, region: str, rng: random.Random
) -> Json:
    """The EventBridge "CloudWatch Alarm State Change" event for the transition `last`."""
    t: datetime = last["time"]
    prev = last["previous"]
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(t),
        "region": region,
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": "ALARM",
                "reason": last["reason"],
                "reasonData": json.dumps(last["reasonData"], separators=(",", ":")),
                "timestamp": cw_ts(t),
            },
            "previousState": {
                "value": prev["value"],
                "reason": prev["reason"],
                "timestamp": cw_ts(prev["time"]),
            },
            "configuration": {
                "description": spec.description,
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
                                "namespace": spec.namespace,
                                "name": spec.metric,
                                "dimensions": dict(spec.dims),
                            },
                            "period": spec.period,
                            "stat": spec.statistic,
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


# --- CloudTrail -----------------------------------------------------------------------------------------


@dataclass
class Principal:
    """Someone who calls AWS: an assumed role session (human via SSO, CI, a function) or an AWS service."""

    identity: Json
    ip: str
    agent: str


def sso_user(
    rng: random.Random, account: str, permission_set: str, email: str, ip: str, agent: str
) -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{hexs(rng, 16)}"
    rid = "AROA" + alnum(rng, 17)
    created = "2024-01-01T00:00:00Z"
    ident = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{email}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{email}",
        "accountId": account,
        "accessKeyId": "ASIA" + alnum(rng, 16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{role}",
                "accountId": account,
                "userName": role,
            },
            "attributes": {"creationDate": created, "mfaAuthenticated": "false"},
        },
    }
    return Principal(ident, ip, agent)


def role_session(
    rng: random.Random, account: str, role: str, session: str, ip: str, agent: str, path: str = "/"
) -> Principal:
    rid = "AROA" + alnum(rng, 17)
    ident = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": "ASIA" + alnum(rng, 16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{account}:role{path}{role}",
                "accountId": account,
                "userName": role,
            },
            "attributes": {"creationDate": "2024-01-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }
    return Principal(ident, ip, agent)


def aws_service(service: str) -> Principal:
    return Principal({"type": "AWSService", "invokedBy": service}, service, service)


@dataclass
class Trail:
    account: str
    region: str
    rng: random.Random
    rows: list[Json] = field(default_factory=list)

    def add(
        self,
        who: Principal,
        t: datetime,
        source: str,
        name: str,
        params: Json | None,
        response: Json | None = None,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        resources: list[Json] | None = None,
        invoked_by: str | None = None,
        session_created: datetime | None = None,
        extra: Json | None = None,
    ) -> Json:
        ident = json.loads(json.dumps(who.identity))
        if session_created is not None and "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(session_created)
        elif "sessionContext" in ident:
            created = t - timedelta(minutes=self.rng.randrange(2, 50), seconds=self.rng.randrange(60))
            ident["sessionContext"]["attributes"]["creationDate"] = iso(created)
        ip, agent = who.ip, who.agent
        if invoked_by:
            ident["invokedBy"] = invoked_by
            ip, agent = invoked_by, invoked_by
        rec: Json = {
            "eventVersion": "1.09" if ident.get("type") != "AWSService" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = uid(self.rng)
        rec["eventID"] = uid(self.rng)
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall" if ident.get("type") != "AWSService" else "AwsServiceEvent"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        if extra:
            rec.update(extra)
        rec["eventCategory"] = "Management"
        if ident.get("type") != "AWSService" and not invoked_by:
            host = source.replace(".amazonaws.com", "")
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{host}.{self.region}.amazonaws.com"
                if host not in ("iam", "sts")
                else ("iam.amazonaws.com" if host == "iam" else f"sts.{self.region}.amazonaws.com"),
            }
        self.rows.append(rec)
        return rec

    def sorted(self) -> list[Json]:
        return sorted(self.rows, key=lambda r: (r["eventTime"], r["eventID"]))


# --- logs -------------------------------------------------------------------------------------------------


@dataclass
class Logs:
    rows: list[Json] = field(default_factory=list)

    def add(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.rows.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def sorted(self) -> list[Json]:
        return sorted(self.rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def lambda_stream(rng: random.Random, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{hexs(rng, 32)}"


def lambda_report(
    req: str, duration: float, mem: int, used: int, init: float | None = None, xray: str | None = None
) -> str:
    billed = math.ceil(duration)
    s = (
        f"REPORT RequestId: {req}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t"
    )
    if init is not None:
        s += f"Init Duration: {init:.2f} ms\t"
    if xray:
        s += f"\nXRAY TraceId: {xray}\tSegmentId: {xray[-16:]}\tSampled: true\t"
    return s


def tags(d: dict[str, str]) -> list[Json]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def ip_in(rng: random.Random, prefix: str) -> str:
    return f"{prefix}.{rng.randrange(1, 254)}"


def public_ip(rng: random.Random) -> str:
    first = rng.choice([31, 51, 81, 86, 90, 109, 146, 176, 185, 212])
    return f"{first}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"


def us_central_offset(t: datetime) -> int:
    """Hours America/Chicago is off UTC at t (-5 from the second Sunday of March to the first of November)."""
    y = t.year

    def nth_sunday(month: int, n: int) -> datetime:
        d = datetime(y, month, 1, 8, tzinfo=UTC)
        d += timedelta(days=(6 - d.weekday()) % 7)
        return d + timedelta(days=7 * (n - 1))

    return -5 if nth_sunday(3, 2) <= t < nth_sunday(11, 1) else -6


def clock(t: datetime, offset: int) -> str:
    """'7:40am' for t in a zone `offset` hours from UTC, rounded down to 5 minutes."""
    local = t + timedelta(hours=offset)
    hh = local.hour % 12 or 12
    mm = (local.minute // 5) * 5
    ampm = "pm" if local.hour >= 12 else "am"
    return f"{hh}{ampm}" if mm == 0 else f"{hh}:{mm:02d}{ampm}"


def noise_fn(rng: random.Random, base: float, sd: float = 0.1) -> Callable[[datetime, int], float]:
    def fn(t: datetime, period: int) -> float:
        return noisy(rng, base, sd)

    return fn
