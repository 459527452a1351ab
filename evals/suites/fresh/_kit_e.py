"""Private helpers for author e's fresh incidents: ids, noise series, alarms, CloudTrail records."""

from __future__ import annotations

import base64
import json
import math
import random
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

MINUTE = timedelta(minutes=1)

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
_UPPER_ALNUM = string.ascii_uppercase + string.digits


# --- time ----------------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    """2024-05-01T14:03:00Z"""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """2024-05-01T14:03:00.123Z (describe calls that keep milliseconds)"""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """2024-05-01T14:03:00.123+0000, as CloudWatch writes times inside alarm JSON."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def minutes(start: datetime, end: datetime, step: int = 1) -> Iterable[datetime]:
    t = floor_minute(start)
    while t <= end:
        yield t
        t += timedelta(minutes=step)


# --- context -------------------------------------------------------------------------------------


class Ctx:
    """One incident build: its random stream, account, region and the records collected so far."""

    def __init__(self, name: str, seed: int, region: str | None = None) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.account = str(self.rng.randint(10**11, 10**12 - 1))
        self.region = region or self.rng.choice(REGIONS)
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []

    # ids
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        variant = self.rng.choice("89ab")
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(_UPPER_ALNUM) for _ in range(n))

    def b64(self, n: int) -> str:
        raw = bytes(self.rng.randrange(256) for _ in range(n))
        return base64.b64encode(raw).decode()

    def ec2_id(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def private_ip(self, prefix: str = "10.40") -> str:
        return f"{prefix}.{self.rng.randint(0, 63)}.{self.rng.randint(4, 250)}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    def records(self) -> dict[str, list[dict[str, Any]]]:
        """Everything collected, each kind sorted the way an export would hand it over."""
        logs = sorted(self.logs, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        trail = sorted(self.trail, key=lambda r: r["eventTime"])
        history = sorted(self.history, key=lambda r: (r["AlarmName"], r["Timestamp"]))
        out = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
            "events": self.events,
        }
        return {k: v for k, v in out.items() if v}


# --- shapes of load ------------------------------------------------------------------------------


def diurnal(t: datetime, utc_offset: float, peak_hour: float = 14.0, floor: float = 0.25) -> float:
    """0..1 daily load shape in the business's local time: low at night, broad afternoon peak."""
    local = (t.hour + t.minute / 60.0 + utc_offset) % 24
    x = math.cos((local - peak_hour) / 24.0 * 2 * math.pi)
    shape = (x + 1) / 2
    shape = shape**1.6
    weekday = (t + timedelta(hours=utc_offset)).weekday()
    week = 0.55 if weekday >= 5 else 1.0
    return floor + (1 - floor) * shape * week


def ramp(t: datetime, begin: datetime, end: datetime) -> float:
    """0 before begin, 1 after end, linear between."""
    if t <= begin:
        return 0.0
    if t >= end:
        return 1.0
    return (t - begin) / (end - begin)


# --- metrics -------------------------------------------------------------------------------------


@dataclass
class Series:
    namespace: str
    metric: str
    dims: dict[str, str]
    unit: str
    raw: dict[datetime, float] = field(default_factory=dict)


def series(
    ctx: Ctx,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    start: datetime,
    now: datetime,
    fn: Callable[[datetime], float | None],
    *,
    fine_from: datetime | None = None,
    gauge: bool = True,
    digits: int = 2,
) -> Series:
    """One metric: `fn(minute)` gives the minute's value (None: nothing published).

    From `fine_from` on, 1-minute datapoints; before it, 5-minute statistic sets built from the
    minutes (as a 5-minute GetMetricData would answer them).
    """
    s = Series(namespace, metric, dict(dims), unit)
    fine = floor_minute(fine_from) if fine_from is not None else floor_minute(start)
    base = {"namespace": namespace, "metric": metric, "dimensions": dict(dims)}
    last = floor_minute(now) - MINUTE  # the minute still being filled is not published yet
    t = floor_minute(start)
    t = t - timedelta(minutes=t.minute % 5)
    if t < start:
        t += timedelta(minutes=5)
    while t <= last:
        if t < fine:
            vals = []
            for k in range(5):
                m = t + timedelta(minutes=k)
                v = fn(m)
                if v is not None:
                    v = round(v, digits)
                    s.raw[m] = v
                    vals.append(v)
            if vals:
                stats = {
                    "SampleCount": float(len(vals)),
                    "Sum": round(sum(vals), digits),
                    "Minimum": min(vals),
                    "Maximum": max(vals),
                }
                ctx.metrics.append({**base, "timestamp": iso(t), "unit": unit, "statistic_values": stats})
            t += timedelta(minutes=5)
        else:
            v = fn(t)
            if v is not None:
                v = round(v, digits)
                s.raw[t] = v
                ctx.metrics.append({**base, "timestamp": iso(t), "unit": unit, "value": v})
            t += MINUTE
    del gauge
    return s


def noisy(rng: random.Random, value: float, rel: float = 0.06, floor: float = 0.0) -> float:
    return max(floor, value * (1 + rng.gauss(0, rel)))


def count(rng: random.Random, mean: float) -> float:
    """A per-minute event count around `mean` (Poisson-ish, never negative)."""
    if mean <= 0:
        return 0.0
    if mean < 30:
        # Knuth for small means
        limit = math.exp(-mean)
        k, p = 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return float(k)
            k += 1
    return float(max(0, round(rng.gauss(mean, math.sqrt(mean)))))


# --- alarms --------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _aggregate(vals: list[float], stat: str) -> float:
    if stat == "Sum":
        return sum(vals)
    if stat == "Average":
        return sum(vals) / len(vals)
    if stat == "Maximum":
        return max(vals)
    if stat == "Minimum":
        return min(vals)
    if stat == "SampleCount":
        return float(len(vals))
    raise ValueError(stat)


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


def _short(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


@dataclass
class AlarmSpec:
    name: str
    description: str
    series: Series
    stat: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    op: str
    treat_missing: str
    actions: list[str]
    ok_actions: list[str] = field(default_factory=list)
    configured: datetime | None = None


@dataclass
class Transition:
    time: datetime
    old: str
    new: str
    reason: str
    reason_data: str


def _period_value(s: Series, t0: datetime, period: int, stat: str) -> float | None:
    vals = [s.raw[m] for m in minutes(t0, t0 + timedelta(seconds=period) - MINUTE) if m in s.raw]
    return round(_aggregate(vals, stat), 6) if vals else None


def evaluate(
    ctx: Ctx, spec: AlarmSpec, start: datetime, now: datetime, initial: str = "OK"
) -> list[Transition]:
    """Run the alarm over the series the way CloudWatch does, once per period."""
    test, words = _OPS[spec.op]
    p = timedelta(seconds=spec.period)
    state = initial
    out: list[Transition] = []
    t = floor_minute(start)
    step = max(1, spec.period // 60)
    t = (
        t
        - timedelta(minutes=(t.hour * 60 + t.minute) % step)
        + p * spec.evaluation_periods
        + timedelta(minutes=5 * step)
    )
    while True:
        when = t + timedelta(seconds=ctx.rng.randint(25, 75))
        if when > now:
            break
        window = []
        for k in range(spec.evaluation_periods, 0, -1):
            p0 = t - p * k
            window.append((p0, _period_value(spec.series, p0, spec.period, spec.stat)))
        present = [(p0, v) for p0, v in window if v is not None]
        breaching = [(p0, v) for p0, v in present if test(v, spec.threshold)]
        missing = len(window) - len(present)
        n_bad = len(breaching) + (missing if spec.treat_missing == "breaching" else 0)
        if n_bad >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif not present and spec.treat_missing == "missing":
            new = "INSUFFICIENT_DATA"
        else:
            new = "OK"
        if new != state:
            shown = breaching if new == "ALARM" else [pv for pv in present if not test(pv[1], spec.threshold)]
            shown = sorted(shown, key=lambda pv: pv[0], reverse=True)
            pts = ", ".join(f"{_fmt(v)} ({_short(p0)})" for p0, v in shown)
            if new == "ALARM":
                n = len(breaching)
                reason = (
                    f"Threshold Crossed: {n} out of the last {spec.evaluation_periods} datapoints [{pts}] "
                    f"{'were' if n != 1 else 'was'} {words} the threshold ({_fmt(spec.threshold)}) "
                    f"(minimum {spec.datapoints_to_alarm} datapoint{'s' if spec.datapoints_to_alarm != 1 else ''} "
                    f"for {state} -> ALARM transition)."
                )
            elif new == "OK":
                n = len(shown)
                reason = (
                    f"Threshold Crossed: {n} out of the last {spec.evaluation_periods} datapoints [{pts}] "
                    f"{'were' if n != 1 else 'was'} not {words} the threshold ({_fmt(spec.threshold)}) "
                    f"(minimum 1 datapoint for {state} -> OK transition)."
                )
            else:
                reason = f"Insufficient Data: {spec.evaluation_periods} datapoints were unknown."
            data = {
                "version": "1.0",
                "queryDate": cw_ts(when),
                "startDate": cw_ts(window[0][0]),
                "statistic": spec.stat,
                "period": spec.period,
                "recentDatapoints": [round(v, 6) for _, v in present],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {
                        "timestamp": cw_ts(p0),
                        **({"sampleCount": float(step), "value": v} if v is not None else {}),
                    }
                    for p0, v in sorted(window, key=lambda pv: pv[0], reverse=True)
                ],
            }
            out.append(Transition(when, state, new, reason, json.dumps(data, separators=(",", ":"))))
            state = new
        t += p
    return out


def alarm(
    ctx: Ctx,
    spec: AlarmSpec,
    start: datetime,
    now: datetime,
    *,
    initial: str = "OK",
    initial_since: datetime | None = None,
) -> list[Transition]:
    """Add the MetricAlarm (its state at `now`) and its history; return its transitions."""
    trans = evaluate(ctx, spec, start, now, initial)
    alarm_arn = ctx.arn("cloudwatch", f"alarm:{spec.name}")
    since = initial_since or start - timedelta(days=ctx.rng.randint(3, 40), minutes=ctx.rng.randint(0, 600))
    configured = spec.configured or since - timedelta(minutes=ctx.rng.randint(2, 30))
    if trans:
        last = trans[-1]
        state, reason, data, updated = last.new, last.reason, last.reason_data, last.time
    else:
        state, updated = initial, since
        _, words = _OPS[spec.op]
        p0 = floor_minute(now) - timedelta(seconds=spec.period * 2)
        v = _period_value(spec.series, p0, spec.period, spec.stat)
        if v is None:
            reason = (
                f"Threshold Crossed: no datapoints were received for {spec.evaluation_periods} periods and "
                f"{spec.evaluation_periods} missing datapoints were treated as [NonBreaching]."
            )
            data = json.dumps(
                {
                    "version": "1.0",
                    "queryDate": cw_ts(since),
                    "statistic": spec.stat,
                    "period": spec.period,
                    "recentDatapoints": [],
                    "threshold": spec.threshold,
                },
                separators=(",", ":"),
            )
        else:
            reason = (
                f"Threshold Crossed: 1 out of the last {spec.evaluation_periods} datapoints [{_fmt(v)} "
                f"({_short(p0)})] was not {words} the threshold ({_fmt(spec.threshold)}) "
                f"(minimum 1 datapoint for ALARM -> OK transition)."
            )
            data = json.dumps(
                {
                    "version": "1.0",
                    "queryDate": cw_ts(since),
                    "startDate": cw_ts(p0),
                    "statistic": spec.stat,
                    "period": spec.period,
                    "recentDatapoints": [v],
                    "threshold": spec.threshold,
                },
                separators=(",", ":"),
            )
    item: dict[str, Any] = {
        "AlarmName": spec.name,
        "AlarmArn": alarm_arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(configured),
        "ActionsEnabled": True,
        "OKActions": spec.ok_actions,
        "AlarmActions": spec.actions,
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateReasonData": data,
        "StateUpdatedTimestamp": iso_ms(updated),
        "MetricName": spec.series.metric,
        "Namespace": spec.series.namespace,
        "Statistic": spec.stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.series.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.op,
        "TreatMissingData": spec.treat_missing,
        "StateTransitionedTimestamp": iso_ms(updated),
    }
    ctx.alarms.append(item)
    prev_reason = "Threshold Crossed: datapoints were within the threshold."
    for tr in trans:
        hist = {
            "version": "1.0",
            "oldState": {"stateValue": tr.old, "stateReason": prev_reason},
            "newState": {
                "stateValue": tr.new,
                "stateReason": tr.reason,
                "stateReasonData": json.loads(tr.reason_data),
            },
        }
        ctx.history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(tr.time),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {tr.old} to {tr.new}",
                "HistoryData": json.dumps(hist, separators=(",", ":")),
            }
        )
        acts = spec.actions if tr.new == "ALARM" else spec.ok_actions if tr.new == "OK" else []
        for a in acts:
            at = tr.time + timedelta(milliseconds=ctx.rng.randint(40, 400))
            data_a = {
                "actionState": "Succeeded",
                "stateUpdateTimestamp": ms(tr.time),
                "notificationResource": a,
                "publishedMessage": {"messageId": ctx.uuid()},
            }
            ctx.history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(at),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {a}",
                    "HistoryData": json.dumps(data_a, separators=(",", ":")),
                }
            )
        prev_reason = tr.reason
    return trans


def alarm_event(ctx: Ctx, spec: AlarmSpec, tr: Transition, prev: Transition | None) -> dict[str, Any]:
    """The EventBridge "CloudWatch Alarm State Change" event for one transition."""
    if prev is not None:
        prev_state = {
            "value": prev.new,
            "reason": prev.reason,
            "reasonData": prev.reason_data,
            "timestamp": cw_ts(prev.time),
        }
    else:
        prev_state = {
            "value": tr.old,
            "reason": "Threshold Crossed: datapoints were within the threshold.",
            "timestamp": cw_ts(tr.time - timedelta(days=2, minutes=ctx.rng.randint(0, 900))),
        }
    return {
        "version": "0",
        "id": ctx.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": iso(tr.time),
        "region": ctx.region,
        "resources": [ctx.arn("cloudwatch", f"alarm:{spec.name}")],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": tr.new,
                "reason": tr.reason,
                "reasonData": tr.reason_data,
                "timestamp": cw_ts(tr.time),
            },
            "previousState": prev_state,
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {
                        "id": ctx.uuid(),
                        "metricStat": {
                            "metric": {
                                "namespace": spec.series.namespace,
                                "name": spec.series.metric,
                                "dimensions": dict(spec.series.dims),
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


# --- CloudTrail ----------------------------------------------------------------------------------


@dataclass
class Principal:
    identity: dict[str, Any]
    agent: str
    ip: str
    console: bool = False
    host_suffix: str = "amazonaws.com"
    invoked_by: str | None = None


CLI = "aws-cli/2.15.{v} md/awscrt#0.19.19 ua/2.0 os/{os} md/arch#{arch} lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}"
CONSOLE_AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
]
TERRAFORM = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}#1.{n}.0"
)


def sso_user(ctx: Ctx, email: str, permission_set: str, *, console: bool = False) -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{ctx.hex(16)}"
    role_id = "AROA" + ctx.upper(17)
    created = "2024-01-01T00:00:00Z"
    ident = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{email}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{email}",
        "accountId": ctx.account,
        "accessKeyId": "ASIA" + ctx.upper(16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{ctx.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                "accountId": ctx.account,
                "userName": role,
            },
            "attributes": {"creationDate": created, "mfaAuthenticated": "false"},
        },
    }
    ip = f"{ctx.rng.choice([73, 98, 174, 24, 86])}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}"
    agent = ctx.rng.choice(CONSOLE_AGENTS) if console else "{cli}"
    return Principal(ident, agent, ip, console=console)


def assumed_role(ctx: Ctx, role: str, session: str, agent: str, ip: str, *, path: str = "/") -> Principal:
    role_id = "AROA" + ctx.upper(17)
    ident = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{session}",
        "accountId": ctx.account,
        "accessKeyId": "ASIA" + ctx.upper(16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{ctx.account}:role{path}{role}",
                "accountId": ctx.account,
                "userName": role,
            },
            "attributes": {"creationDate": "2024-01-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }
    return Principal(ident, agent, ip)


def github_ci(ctx: Ctx, role: str) -> Principal:
    ip = f"{ctx.rng.choice([20, 4, 52, 40])}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}"
    p = assumed_role(ctx, role, "GitHubActions", "{cli}", ip)
    p.identity["sessionContext"]["webIdFederationData"] = {}
    return p


def service_linked(ctx: Ctx, role: str, session: str, invoked_by: str) -> Principal:
    p = assumed_role(ctx, role, session, invoked_by, invoked_by, path=f"/aws-service-role/{invoked_by}/")
    p.identity["invokedBy"] = invoked_by
    p.invoked_by = invoked_by
    return p


def aws_service(invoked_by: str) -> Principal:
    return Principal(
        {"type": "AWSService", "invokedBy": invoked_by}, invoked_by, invoked_by, invoked_by=invoked_by
    )


def record(
    ctx: Ctx,
    when: datetime,
    who: Principal,
    source: str,
    name: str,
    req: dict[str, Any] | None,
    resp: dict[str, Any] | None = None,
    *,
    read_only: bool | None = None,
    cmd: str | None = None,
    error: tuple[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One CloudTrail record in the delivered shape; appended to the context and returned."""
    if read_only is None:
        read_only = name.startswith(("Describe", "Get", "List", "BatchGet", "Lookup"))
    agent = who.agent
    if "{cli}" in agent:
        svc = source.split(".")[0]
        op = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
        agent = CLI.format(
            v=ctx.rng.choice([17, 22, 31, 40]),
            os=ctx.rng.choice(["macos#23.4.0", "linux#6.5.0-1018-azure"])
            if who.console is False
            else "macos#23.4.0",
            arch=ctx.rng.choice(["arm64", "x86_64"]),
            cmd=cmd or f"{svc}.{op}",
        )
    identity = json.loads(json.dumps(who.identity))
    attrs = identity.get("sessionContext", {}).get("attributes")
    if attrs is not None:
        # sessions are minted shortly before use (SSO and CI sessions last at most a few hours)
        minted = when - timedelta(minutes=(when.minute + 60 * (when.hour % 3)) or 1, seconds=when.second)
        attrs["creationDate"] = iso(minted)
    rec: dict[str, Any] = {
        "eventVersion": "1.09" if who.invoked_by is None else "1.08",
        "userIdentity": identity,
        "eventTime": iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": ctx.region,
        "sourceIPAddress": who.ip,
        "userAgent": agent,
    }
    if error is not None:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = req
    rec["responseElements"] = resp
    rec["requestID"] = ctx.uuid()
    rec["eventID"] = ctx.uuid()
    rec["readOnly"] = read_only
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = ctx.account
    rec["eventCategory"] = "Management"
    if who.invoked_by is None:
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{ctx.region}.amazonaws.com",
        }
    if who.console:
        rec["sessionCredentialFromConsole"] = "true"
    if extra:
        rec.update(extra)
    ctx.trail.append(rec)
    return rec


def assume_role_by_service(
    ctx: Ctx, when: datetime, service: str, role_arn: str, session: str
) -> dict[str, Any]:
    """sts:AssumeRole made by an AWS service for a function or task role (routine, very frequent)."""
    exp = when + timedelta(hours=1 if service != "lambda.amazonaws.com" else 12)
    return record(
        ctx,
        when,
        aws_service(service),
        "sts.amazonaws.com",
        "AssumeRole",
        {"roleArn": role_arn, "roleSessionName": session},
        {
            "credentials": {
                "accessKeyId": "ASIA" + ctx.upper(16),
                "sessionToken": ctx.b64(96),
                "expiration": exp.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        read_only=True,
        extra={"sharedEventID": ctx.uuid()},
    )


def spread(ctx: Ctx, start: datetime, end: datetime, n: int) -> list[datetime]:
    """n random instants between start and end, sorted."""
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=ctx.rng.uniform(0, span)) for _ in range(n))


def routine_reads(
    ctx: Ctx,
    start: datetime,
    end: datetime,
    n: int,
    who: list[Principal],
    calls: list[tuple[str, str, dict[str, Any] | None]],
) -> None:
    """n read-only calls (source, name, requestParameters) by the given principals."""
    for t in spread(ctx, start, end, n):
        p = ctx.rng.choice(who)
        src, name, req = ctx.rng.choice(calls)
        record(ctx, t, p, src, name, req, None, read_only=True)


# --- ECS -----------------------------------------------------------------------------------------


def ecs_event(ctx: Ctx, service_arn: str, t: datetime, message: str) -> None:
    ctx.event(
        "ecs",
        {"service_arn": service_arn, "event": {"id": ctx.uuid(), "createdAt": iso_ms(t), "message": message}},
    )


def steady_state_events(
    ctx: Ctx, service_arn: str, service_name: str, start: datetime, end: datetime
) -> None:
    """ECS repeats "has reached a steady state." roughly every six hours while nothing changes."""
    t = start + timedelta(minutes=ctx.rng.randint(5, 300))
    while t < end:
        ecs_event(ctx, service_arn, t, f"(service {service_name}) has reached a steady state.")
        t += timedelta(hours=6, seconds=ctx.rng.randint(0, 40))


# --- calendar ------------------------------------------------------------------------------------

# region -> (the business's time zone, its UTC offset from May to September)
REGION_TZ: dict[str, tuple[str, int]] = {
    "us-east-1": ("America/New_York", -4),
    "us-east-2": ("America/Chicago", -5),
    "us-west-2": ("America/Los_Angeles", -7),
    "eu-west-1": ("Europe/Dublin", 1),
    "eu-central-1": ("Europe/Berlin", 2),
    "ap-southeast-2": ("Australia/Sydney", 10),
}


def pick_day(ctx: Ctx, weekdays: tuple[int, ...] = (1, 2, 3)) -> datetime:
    """Midnight (UTC) of a day between May and September 2024/2025 that is one of `weekdays`."""
    while True:
        year = ctx.rng.choice([2024, 2025])
        month = ctx.rng.randint(5, 9)
        day = ctx.rng.randint(1, 28)
        d = datetime(year, month, day, tzinfo=UTC)
        if d.weekday() in weekdays:
            return d


def local_time(ctx: Ctx, day: datetime, hour: int, minute: int) -> datetime:
    """`hour:minute` on `day` in the region's business time zone, as UTC."""
    _, off = REGION_TZ[ctx.region]
    return day + timedelta(hours=hour - off, minutes=minute)


# --- Lambda --------------------------------------------------------------------------------------


def lambda_stream(ctx: Ctx, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{ctx.hex(32)}"


def lambda_invocation(
    ctx: Ctx,
    group: str,
    stream: str,
    t: datetime,
    duration_ms: float,
    memory: int,
    used: int,
    lines: list[tuple[float, str, str]],
    *,
    init_ms: float | None = None,
    version: str = "$LATEST",
    request_id: str | None = None,
    python: bool = False,
) -> str:
    """START / application lines (offset ms, level, text) / END / REPORT, as the Lambda runtime prints."""
    rid = request_id or ctx.uuid()
    ctx.log(group, stream, t, f"START RequestId: {rid} Version: {version}")
    for off, level, text in lines:
        at = t + timedelta(milliseconds=off)
        if python:
            ctx.log(group, stream, at, f"[{level}]\t{iso_ms(at)}\t{rid}\t{text}")
        else:
            ctx.log(group, stream, at, f"{iso_ms(at)}\t{rid}\t{level}\t{text}")
    end = t + timedelta(milliseconds=duration_ms)
    ctx.log(group, stream, end, f"END RequestId: {rid}")
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {math.ceil(duration_ms)} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    ctx.log(group, stream, end, report)
    return rid


def log_group(
    ctx: Ctx, name: str, created: datetime, retention: int | None = 30, stored: int = 0
) -> dict[str, Any]:
    arn = ctx.arn("logs", f"log-group:{name}")
    item: dict[str, Any] = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": arn + ":*",
        "storedBytes": stored or ctx.rng.randint(10**7, 10**10),
        "logGroupClass": "STANDARD",
        "logGroupArn": arn,
    }
    if retention:
        item["retentionInDays"] = retention
    return ctx.resource("logs", "LogGroup", item)
