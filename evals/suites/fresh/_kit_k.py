"""Private helpers for author k's fresh incidents: ids, time, noise series, alarms, CloudTrail records."""

from __future__ import annotations

import json
import math
import random
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest

MIN = timedelta(minutes=1)

# --- time -------------------------------------------------------------------------------------------


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def cw_ts(dt: datetime) -> str:
    """The timestamp style CloudWatch uses inside alarm JSON (2024-05-14T14:03:00.000+0000)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def epoch_ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def floor_min(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def local_hour(dt: datetime, zone: str) -> float:
    loc = dt.astimezone(ZoneInfo(zone))
    return loc.hour + loc.minute / 60.0


def pick_day(rng: random.Random, weekday: bool = True) -> datetime:
    """A date in 2024 or early 2025 (midnight UTC), a weekday unless told otherwise."""
    base = datetime(2024, 2, 5, tzinfo=UTC) + timedelta(days=rng.randrange(0, 380))
    while weekday and base.weekday() >= 5:
        base += timedelta(days=1)
    return base


def steps(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += step
    return out


def mixed_steps(start: datetime, end: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """5-minute points before `fine_from`, 1-minute points from it on: (timestamp, period seconds)."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < end:
        if t < fine_from:
            out.append((t, 300))
            t += 5 * MIN
        else:
            out.append((t, 60))
            t += MIN
    return out


# --- shapes of traffic ----------------------------------------------------------------------------


def business_curve(hour: float, night: float = 0.18) -> float:
    """0..1 load for a local hour: quiet overnight, climbs from 07:00, broad peak 10-16, tails by 22."""
    day = math.exp(-(((hour - 11.0) / 2.6) ** 2)) * 0.95 + math.exp(-(((hour - 15.0) / 2.8) ** 2)) * 0.85
    return min(1.0, night + (1 - night) * min(1.0, day))


def consumer_curve(hour: float, night: float = 0.22) -> float:
    """0..1 load for a consumer app: dips at 04:00, lunchtime bump, evening peak around 20:00."""
    a = math.exp(-(((hour - 12.5) / 2.0) ** 2)) * 0.7
    b = math.exp(-(((hour - 20.0) / 2.6) ** 2))
    return min(1.0, night + (1 - night) * max(a, b, 0.35 * math.exp(-(((hour - 8.5) / 1.5) ** 2))))


class Noise:
    """Smooth multiplicative noise (a slow random walk) plus jitter, from one rng."""

    def __init__(self, rng: random.Random, jitter: float = 0.05, drift: float = 0.02) -> None:
        self.rng = rng
        self.jitter = jitter
        self.drift = drift
        self.level = 1.0

    def __call__(self) -> float:
        self.level += self.rng.gauss(0, self.drift) - (self.level - 1.0) * 0.1
        return max(0.0, self.level * (1 + self.rng.gauss(0, self.jitter)))


# --- the context an incident is built in ------------------------------------------------------------


_ALNUM_UP = string.ascii_uppercase + string.digits


@dataclass
class Ctx:
    name: str
    seed: int
    region: str
    account: str = ""
    rng: random.Random = field(init=False)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    cloudtrail: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.name}:{self.seed}")
        if not self.account:
            self.account = str(self.rng.randrange(10**11, 10**12 - 1)).rjust(12, "1")

    # ids
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum_up(self, n: int) -> str:
        return "".join(self.rng.choice(_ALNUM_UP) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def pick_ip(self, prefix: str) -> str:
        return f"{prefix}.{self.rng.randrange(4, 250)}"

    # records
    def metric(
        self,
        namespace: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        ts: datetime,
        value: float | None = None,
        *,
        stats: tuple[float, float, float, float] | None = None,
    ) -> None:
        """One datapoint: a value, or stats (SampleCount, Sum, Minimum, Maximum)."""
        row: dict[str, Any] = {
            "namespace": namespace,
            "metric": name,
            "dimensions": dims,
            "timestamp": iso(ts),
            "unit": unit,
        }
        if stats is not None:
            n, s, lo, hi = stats
            row["statistic_values"] = {
                "SampleCount": float(max(n, 1)),
                "Sum": round(s, 4),
                "Minimum": round(min(lo, hi), 4),
                "Maximum": round(max(lo, hi), 4),
            }
        else:
            row["value"] = round(float(value or 0.0), 4)
        self.metrics.append(row)

    def series(
        self,
        namespace: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        points: Iterable[tuple[datetime, float | None]],
    ) -> None:
        for ts, v in points:
            if v is not None:
                self.metric(namespace, name, dims, unit, ts, v)

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, ts: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": epoch_ms(ts), "message": message}
        )

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    def bundle(self, manifest: dict[str, Any]) -> Bundle:
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda r: (r["AlarmName"], r["Timestamp"]))
        return Bundle(
            Manifest.model_validate(manifest),
            {
                "metrics": self.metrics,
                "alarms": self.alarms,
                "alarm_history": self.history,
                "logs": self.logs,
                "cloudtrail": self.cloudtrail,
                "resources": self.resources,
                "events": self.events,
            },
        )


# --- alarms -----------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": ("greater than", lambda v, t: v > t),
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, t: v >= t),
    "LessThanThreshold": ("less than", lambda v, t: v < t),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, t: v <= t),
}


def _agg(stat: str, vals: list[float]) -> float:
    if stat == "Sum":
        return sum(vals)
    if stat == "Maximum":
        return max(vals)
    if stat == "Minimum":
        return min(vals)
    if stat == "SampleCount":
        return float(len(vals))
    return sum(vals) / len(vals)


def _num(v: float) -> str:
    return repr(round(v, 4)) if v != int(v) else f"{v:.1f}"


@dataclass
class AlarmSpec:
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
    operator: str
    treat_missing: str = "missing"
    unit: str | None = None
    actions: Sequence[str] = ()
    ok_actions: Sequence[str] = ()
    configured: datetime | None = None


@dataclass
class Transition:
    at: datetime
    old: str
    new: str
    reason: str
    reason_data: str


def evaluate_alarm(
    ctx: Ctx,
    spec: AlarmSpec,
    samples: Sequence[tuple[datetime, float]],
    start: datetime,
    now: datetime,
    initial: str = "OK",
    initial_at: datetime | None = None,
) -> list[Transition]:
    """Evaluate the alarm over the raw samples (timestamp, value) and record it and its history.

    Samples are bucketed by the alarm's period with its statistic; the alarm is evaluated at the end of
    every period (plus a little ingestion delay), M out of N, with missing data treated as configured.
    """
    per = timedelta(seconds=spec.period)
    buckets: dict[datetime, list[float]] = {}
    for ts, v in samples:
        epoch = int(ts.timestamp())
        b = datetime.fromtimestamp(epoch - epoch % spec.period, UTC)
        buckets.setdefault(b, []).append(v)
    agg = {b: _agg(spec.statistic, vs) for b, vs in buckets.items()}
    phrase, test = _OPS[spec.operator]
    state = initial
    prev_at = initial_at or (
        start - timedelta(days=ctx.rng.randrange(3, 20), minutes=ctx.rng.randrange(0, 1400))
    )
    prev_at = prev_at.replace(microsecond=ctx.rng.randrange(0, 999) * 1000)
    prev_reason, prev_data = _quiet_reason(ctx, spec, agg, prev_at, phrase, state)
    transitions: list[Transition] = []
    first = (
        datetime.fromtimestamp(int(start.timestamp()) - int(start.timestamp()) % spec.period, UTC)
        + spec.evaluation_periods * per
    )
    t = first
    while t + per <= now:
        window = [t - (i + 1) * per for i in range(spec.evaluation_periods)]  # newest first
        evaluated: list[tuple[datetime, float]] = []
        breaching = 0
        for b in window:
            if b in agg:
                evaluated.append((b, agg[b]))
                breaching += test(agg[b], spec.threshold)
            elif spec.treat_missing == "breaching":
                breaching += 1
        present = len(evaluated)
        if breaching >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif present == 0 and spec.treat_missing == "missing":
            new = state
        else:
            new = "OK"
        eval_at = t + timedelta(seconds=ctx.rng.randrange(15, 75), milliseconds=ctx.rng.randrange(1000))
        if new != state and eval_at <= now:
            shown = evaluated[: spec.evaluation_periods]
            pts = ", ".join(f"{_num(v)} ({b.strftime('%d/%m/%y %H:%M:%S')})" for b, v in shown)
            if new == "ALARM":
                count = breaching
                verb = f"were {phrase}" if count != 1 else f"was {phrase}"
                reason = (
                    f"Threshold Crossed: {count} out of the last {spec.evaluation_periods} datapoints "
                    f"[{pts}] {verb} the threshold ({_num(spec.threshold)}) (minimum "
                    f"{spec.datapoints_to_alarm} datapoint{'s' if spec.datapoints_to_alarm > 1 else ''} "
                    f"for OK -> ALARM transition)."
                )
            else:
                count = max(1, present - breaching)
                verb = f"were not {phrase}" if count != 1 else f"was not {phrase}"
                reason = (
                    f"Threshold Crossed: {count} out of the last {spec.evaluation_periods} datapoints "
                    f"[{pts}] {verb} the threshold ({_num(spec.threshold)}) (minimum 1 datapoint for "
                    f"ALARM -> OK transition)."
                )
            data = {
                "version": "1.0",
                "queryDate": cw_ts(eval_at),
                "startDate": cw_ts(window[-1]),
                "statistic": spec.statistic,
                "period": spec.period,
                "recentDatapoints": [round(v, 4) for _, v in reversed(shown)],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": cw_ts(b), "sampleCount": float(len(buckets[b])), "value": round(v, 4)}
                    for b, v in shown
                ],
            }
            reason_data = json.dumps(data, separators=(",", ":"))
            transitions.append(Transition(eval_at, state, new, reason, reason_data))
            _history(ctx, spec, eval_at, state, new, prev_reason, prev_data, reason, reason_data)
            state, prev_reason, prev_data, prev_at = new, reason, reason_data, eval_at
        t += per
    ctx.alarms.append(_alarm_item(ctx, spec, state, prev_reason, prev_data, prev_at))
    return transitions


def _quiet_reason(
    ctx: Ctx, spec: AlarmSpec, agg: dict[datetime, float], at: datetime, phrase: str, state: str
) -> tuple[str, str]:
    """The reason an alarm that has been quiet all window still shows: its last transition, at `at`."""
    sample = sorted(agg)[: spec.evaluation_periods]
    if not sample:
        return ("Unchecked: Initial alarm creation", "")
    per = timedelta(seconds=spec.period)
    last = datetime.fromtimestamp(int(at.timestamp()) - int(at.timestamp()) % spec.period, UTC) - per
    shown = [(last - i * per, agg[b]) for i, b in enumerate(sample)]
    pts = ", ".join(f"{_num(v)} ({b.strftime('%d/%m/%y %H:%M:%S')})" for b, v in shown)
    verb = f"was not {phrase}"
    reason = (
        f"Threshold Crossed: 1 out of the last {spec.evaluation_periods} datapoints [{pts}] {verb} "
        f"the threshold ({_num(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    data = {
        "version": "1.0",
        "queryDate": cw_ts(at),
        "startDate": cw_ts(shown[-1][0]),
        "statistic": spec.statistic,
        "period": spec.period,
        "recentDatapoints": [round(v, 4) for _, v in reversed(shown)],
        "threshold": spec.threshold,
        "evaluatedDatapoints": [
            {"timestamp": cw_ts(b), "sampleCount": 1.0, "value": round(v, 4)} for b, v in shown
        ],
    }
    return reason, json.dumps(data, separators=(",", ":"))


def _alarm_item(
    ctx: Ctx, spec: AlarmSpec, state: str, reason: str, data: str, at: datetime
) -> dict[str, Any]:
    configured = spec.configured or (at - timedelta(days=30 + ctx.rng.randrange(200)))
    item: dict[str, Any] = {
        "AlarmName": spec.name,
        "AlarmArn": ctx.arn("cloudwatch", f"alarm:{spec.name}"),
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(min(configured, at)),
        "ActionsEnabled": True,
        "OKActions": list(spec.ok_actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(at),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Statistic": spec.statistic,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.operator,
        "TreatMissingData": spec.treat_missing,
        "StateTransitionedTimestamp": iso_ms(at),
    }
    if data:
        item["StateReasonData"] = data
    if spec.unit:
        item["Unit"] = spec.unit
    return item


def _history(
    ctx: Ctx,
    spec: AlarmSpec,
    at: datetime,
    old: str,
    new: str,
    old_reason: str,
    old_data: str,
    reason: str,
    data: str,
) -> None:
    old_state: dict[str, Any] = {"stateValue": old, "stateReason": old_reason}
    if old_data:
        old_state["stateReasonData"] = json.loads(old_data)
    body = {
        "version": "1.0",
        "oldState": old_state,
        "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": json.loads(data)},
    }
    ctx.history.append(
        {
            "AlarmName": spec.name,
            "AlarmType": "MetricAlarm",
            "Timestamp": iso_ms(at),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old} to {new}",
            "HistoryData": json.dumps(body, separators=(",", ":")),
        }
    )
    targets = spec.actions if new == "ALARM" else spec.ok_actions
    for target in targets:
        done = at + timedelta(milliseconds=ctx.rng.randrange(80, 600))
        ctx.history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(done),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {target}",
                "HistoryData": json.dumps(
                    {
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": int(at.timestamp() * 1000),
                        "notificationResource": target,
                        "publishedMessage": {"messageId": ctx.uuid()},
                    },
                    separators=(",", ":"),
                ),
            }
        )


def alarm_event(ctx: Ctx, spec: AlarmSpec, tr: Transition, prev_at: datetime) -> dict[str, Any]:
    """The EventBridge "CloudWatch Alarm State Change" event for one transition."""
    return {
        "version": "0",
        "id": ctx.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": iso(tr.at),
        "region": ctx.region,
        "resources": [ctx.arn("cloudwatch", f"alarm:{spec.name}")],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": tr.new,
                "reason": tr.reason,
                "reasonData": tr.reason_data,
                "timestamp": cw_ts(tr.at),
            },
            "previousState": {
                "value": tr.old,
                "reason": "Threshold Crossed: no datapoints were breaching the threshold.",
                "timestamp": cw_ts(prev_at),
            },
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {
                        "id": ctx.hex(8) + "-" + ctx.hex(4),
                        "metricStat": {
                            "metric": {
                                "namespace": spec.namespace,
                                "name": spec.metric,
                                "dimensions": spec.dims,
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


# --- CloudTrail ---------------------------------------------------------------------------------------


@dataclass
class Principal:
    identity: dict[str, Any]
    ip: str
    agent: str


def sso_user(ctx: Ctx, email: str, permission_set: str, ip: str, agent: str, since: datetime) -> Principal:
    suffix = ctx.hex(16)
    role = f"AWSReservedSSO_{permission_set}_{suffix}"
    role_id = "AROA" + ctx.alnum_up(17)
    return Principal(
        {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{email}",
            "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{email}",
            "accountId": ctx.account,
            "accessKeyId": "ASIA" + ctx.alnum_up(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{ctx.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": ctx.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(since), "mfaAuthenticated": "false"},
            },
        },
        ip,
        agent,
    )


def role_session(
    ctx: Ctx, role: str, session: str, ip: str, agent: str, since: datetime, invoked_by: str | None = None
) -> Principal:
    role_id = "AROA" + ctx.alnum_up(17)
    ident: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{session}",
        "accountId": ctx.account,
        "accessKeyId": "ASIA" + ctx.alnum_up(16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{ctx.account}:role/{role}",
                "accountId": ctx.account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": iso(since), "mfaAuthenticated": "false"},
        },
    }
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return Principal(ident, ip, agent)


def aws_service(service: str) -> Principal:
    return Principal({"type": "AWSService", "invokedBy": service}, service, service)


def ct(
    ctx: Ctx,
    when: datetime,
    p: Principal,
    source: str,
    name: str,
    params: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    *,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    version: str = "1.09",
    resources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Append and return one management-event record in the delivered shape."""
    host = f"{source.split('.')[0]}.{ctx.region}.amazonaws.com"
    rec: dict[str, Any] = {
        "eventVersion": version,
        "userIdentity": p.identity,
        "eventTime": iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": ctx.region,
        "sourceIPAddress": p.ip,
        "userAgent": p.agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = ctx.uuid()
    rec["eventID"] = ctx.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = ctx.account
    rec["eventCategory"] = "Management"
    if p.identity.get("type") != "AWSService":
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    ctx.cloudtrail.append(rec)
    return rec


def scatter(ctx: Ctx, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = int((end - start).total_seconds())
    return sorted(start + timedelta(seconds=ctx.rng.randrange(span)) for _ in range(n))


ReadCall = tuple[str, str, Callable[[], dict[str, Any] | None]]


def routine_reads(
    ctx: Ctx, start: datetime, end: datetime, n: int, who: Sequence[Principal], calls: Sequence[ReadCall]
) -> None:
    """`n` read-only calls spread over the window, by the given principals."""
    for when in scatter(ctx, start, end, n):
        p = ctx.rng.choice(list(who))
        source, name, params = ctx.rng.choice(list(calls))
        ct(ctx, when, p, source, name, params(), None, read_only=True)


# --- common agents and strings ---------------------------------------------------------------------

CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"


def cli_agent(command: str) -> str:
    return (
        "aws-cli/2.15.41 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
        f"md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{command}"
    )


def tf_agent(api: str) -> str:
    return (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux "
        f"lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{api}"
    )


def boto_agent(service: str) -> str:
    return (
        "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 md/arch#x86_64 "
        f"lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84 api/{service}"
    )


def grafana_agent(service: str) -> str:
    return f"aws-sdk-go/1.51.21 (go1.22.2; linux; amd64) Grafana/10.4.2 api/{service}"


def instance_status(
    instance_id: str, az: str, state: str = "running", impaired: bool = False
) -> dict[str, Any]:
    status = "impaired" if impaired else "ok"
    return {
        "AvailabilityZone": az,
        "InstanceId": instance_id,
        "InstanceState": {"Code": 16, "Name": state},
        "InstanceStatus": {"Status": status, "Details": [{"Name": "reachability", "Status": "passed"}]},
        "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
    }


def tag_list(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs]


# --- EC2 / VPC items ----------------------------------------------------------------------------------


def ec2_instance(
    ctx: Ctx,
    *,
    instance_id: str,
    ami: str,
    itype: str,
    launched: datetime,
    az: str,
    subnet: str,
    vpc: str,
    ip: str,
    sgs: Sequence[tuple[str, str]],
    profile: str,
    name_tags: Sequence[tuple[str, str]],
    monitoring: str = "disabled",
) -> dict[str, Any]:
    eni = ctx.rid("eni")
    mac = ":".join(["0e"] + [ctx.hex(2) for _ in range(5)])
    dns = (
        f"ip-{ip.replace('.', '-')}.ec2.internal"
        if ctx.region == "us-east-1"
        else (f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal")
    )
    groups = [{"GroupId": g, "GroupName": n} for g, n in sgs]
    return {
        "InstanceId": instance_id,
        "ImageId": ami,
        "State": {"Code": 16, "Name": "running"},
        "PrivateDnsName": dns,
        "PublicDnsName": "",
        "StateTransitionReason": "",
        "AmiLaunchIndex": 0,
        "ProductCodes": [],
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": monitoring},
        "SubnetId": subnet,
        "VpcId": vpc,
        "PrivateIpAddress": ip,
        "Architecture": "arm64" if itype[1:3] in ("6g", "7g") or "g." in itype else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=2)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": ctx.rid("vol"),
                },
            }
        ],
        "ClientToken": ctx.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{ctx.account}:instance-profile/{profile}",
            "Id": "AIPA" + ctx.alnum_up(17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": f"eni-attach-0{ctx.hex(16)}",
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": groups,
                "Ipv6Addresses": [],
                "MacAddress": mac,
                "NetworkInterfaceId": eni,
                "OwnerId": ctx.account,
                "PrivateDnsName": dns,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": subnet,
                "VpcId": vpc,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": groups,
        "SourceDestCheck": True,
        "Tags": tag_list(name_tags),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 2, "ThreadsPerCore": 1},
        "HibernationOptions": {"Configured": False},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "EnclaveOptions": {"Enabled": False},
        "BootMode": "uefi",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "uefi",
    }


def subnet_item(
    ctx: Ctx, subnet_id: str, vpc: str, cidr: str, az: str, name: str, public: bool = False, free: int = 4000
) -> dict[str, Any]:
    return {
        "AvailabilityZone": az,
        "AvailabilityZoneId": f"use1-az{ord(az[-1]) - 96 + 1}" if ctx.region == "us-east-1" else az,
        "AvailableIpAddressCount": free,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": public,
        "State": "available",
        "SubnetId": subnet_id,
        "VpcId": vpc,
        "OwnerId": ctx.account,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": tag_list([("Name", name), ("tier", "public" if public else "private")]),
        "SubnetArn": ctx.arn("ec2", f"subnet/{subnet_id}"),
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def at_local(day: datetime, minutes_after_midnight: int, zone: str) -> datetime:
    """The UTC instant of a local wall-clock time on `day`'s date in `zone`."""
    loc = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)) + timedelta(
        minutes=minutes_after_midnight
    )
    loc = loc.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone))
    return loc.astimezone(UTC)


def clock_phrase(dt: datetime, zone: str, round_to: int = 5) -> str:
    """'2:40pm' style local clock time, rounded down to `round_to` minutes."""
    loc = dt.astimezone(ZoneInfo(zone))
    loc = loc.replace(minute=loc.minute - loc.minute % round_to)
    hour = loc.hour % 12 or 12
    return f"{hour}:{loc.minute:02d}{'am' if loc.hour < 12 else 'pm'}"
