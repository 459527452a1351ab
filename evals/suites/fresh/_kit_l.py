"""Author l's private helpers: ids, metric series, alarm evaluation, CloudTrail records, log lines.

Everything random comes from the `random.Random` the incident passes in, so a seed gives one bundle.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]

HEX = "0123456789abcdef"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


# --- time -----------------------------------------------------------------------------------------


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def day(rng: random.Random, first: datetime, span_days: int) -> datetime:
    """A midnight (UTC) picked from `span_days` days after `first`."""
    base = first.replace(hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(days=rng.randrange(span_days))


def minute_floor(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


# --- ids ------------------------------------------------------------------------------------------


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(HEX) for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(UPPER) for _ in range(n))

    def digits(self, n: int) -> str:
        return str(self.rng.randint(1, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(n - 1))

    def uuid(self) -> str:
        h = self.hex(32)
        variant = self.rng.choice("89ab")
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"

    def account(self) -> str:
        return self.digits(12)

    def instance(self) -> str:
        return "i-0" + self.hex(16)

    def volume(self) -> str:
        return "vol-0" + self.hex(16)

    def sg(self) -> str:
        return "sg-0" + self.hex(16)

    def subnet(self) -> str:
        return "subnet-0" + self.hex(16)

    def vpc(self) -> str:
        return "vpc-0" + self.hex(16)

    def eni(self) -> str:
        return "eni-0" + self.hex(16)

    def ami(self) -> str:
        return "ami-0" + self.hex(16)

    def snapshot(self) -> str:
        return "snap-0" + self.hex(16)

    def access_key(self) -> str:
        return "ASIA" + self.upper(16)

    def role_id(self) -> str:
        return "AROA" + self.upper(17)

    def apigw(self) -> str:
        return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))

    def short(self, n: int = 6) -> str:
        return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))

    def private_ip(self, prefix: str) -> str:
        return f"{prefix}.{self.rng.randint(1, 254)}.{self.rng.randint(4, 250)}"


# --- metric series --------------------------------------------------------------------------------


def diurnal(dt: datetime, utc_offset_h: float, low: float = 0.35, peak_hour: float = 14.0) -> float:
    """Traffic factor in [low, 1]: quiet at night, peak mid-afternoon local time."""
    hour = (dt.hour + dt.minute / 60 + utc_offset_h) % 24
    x = math.cos((hour - peak_hour) / 24 * 2 * math.pi)
    return low + (1 - low) * (x + 1) / 2


def grid(start: datetime, now: datetime, fine: Callable[[datetime], bool]) -> list[tuple[datetime, int]]:
    """Datapoint times from start to now (exclusive): 1-minute where `fine`, else 5-minute aligned."""
    out: list[tuple[datetime, int]] = []
    t = minute_floor(start)
    while t + timedelta(minutes=1) <= now:
        if fine(t):
            out.append((t, 60))
            t += timedelta(minutes=1)
        elif (
            t.minute % 5 == 0
            and t + timedelta(minutes=5) <= now
            and not any(fine(t + timedelta(minutes=k)) for k in range(1, 5))
        ):
            out.append((t, 300))
            t += timedelta(minutes=5)
        else:
            out.append((t, 60))
            t += timedelta(minutes=1)
    return out


@dataclass
class Series:
    namespace: str
    metric: str
    dims: dict[str, str]
    unit: str
    points: list[tuple[datetime, int, float]] = field(default_factory=list)
    dists: list[tuple[list[float], list[float]]] = field(default_factory=list)


class Metrics:
    """Builds metrics.jsonl rows and keeps the series so alarms can be evaluated against them.

    `fn(t)` gives the per-minute value at `t` (None: no datapoint). For `kind="sum"` a 5-minute point
    carries five minutes' worth; for `kind="avg"` it carries the average."""

    def __init__(self, rng: random.Random, points: list[tuple[datetime, int]]) -> None:
        self.rng = rng
        self.points = points
        self.series: dict[str, Series] = {}

    def add(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[..., float | None],
        kind: str = "avg",
        digits: int = 4,
    ) -> Series:
        s = Series(namespace, metric, dims, unit)
        for t, step in self.points:
            v = fn(t)
            if v is None:
                continue
            if step == 300 and kind == "sum":
                v = v * 5
            if kind == "sum" and unit == "Count":
                v = float(max(0, round(v)))
                if v == 0 and metric.startswith(("HTTPCode_", "HTTP_", "5XX", "4XX")):
                    continue
            s.points.append((t, step, round(float(v), digits)))
        self.series[self.key(namespace, metric, dims)] = s
        return s

    def add_dist(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], tuple[list[float], list[float]] | None],
    ) -> Series:
        """A distribution per datapoint (values + counts), so percentiles can be read from it."""
        s = Series(namespace, metric, dims, unit)
        for t, step in self.points:
            got = fn(t)
            if got is None:
                continue
            values, counts = got
            counts = [c * (5 if step == 300 else 1) for c in counts]
            mean = sum(v * c for v, c in zip(values, counts, strict=True)) / max(1.0, sum(counts))
            s.points.append((t, step, round(mean, 6)))
            s.dists.append(([round(v, 6) for v in values], [float(round(c)) for c in counts]))
        self.series[self.key(namespace, metric, dims)] = s
        return s

    @staticmethod
    def key(namespace: str, metric: str, dims: dict[str, str]) -> str:
        return namespace + "|" + metric + "|" + json.dumps(dims, sort_keys=True)

    def get(self, namespace: str, metric: str, dims: dict[str, str]) -> Series:
        return self.series[self.key(namespace, metric, dims)]

    def rows(self) -> list[Rec]:
        out: list[Rec] = []
        for s in self.series.values():
            for i, (t, _step, v) in enumerate(s.points):
                row: Rec = {
                    "namespace": s.namespace,
                    "metric": s.metric,
                    "dimensions": s.dims,
                    "timestamp": iso(t),
                    "unit": s.unit,
                }
                if s.dists:
                    row["values"], row["counts"] = s.dists[i]
                else:
                    row["value"] = v
                out.append(row)
        return out


def noise(rng: random.Random, base: float, rel: float = 0.08) -> float:
    return max(0.0, base * (1 + rng.gauss(0, rel)))


def ramp(t: datetime, t0: datetime, minutes: float) -> float:
    """0 before t0, rising linearly to 1 over `minutes`."""
    x = (t - t0).total_seconds() / 60
    if x <= 0:
        return 0.0
    return min(1.0, x / minutes)


# --- alarms ---------------------------------------------------------------------------------------

_OP_WORDS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def _breach(op: str, v: float, thr: float) -> bool:
    return {
        "GreaterThanThreshold": v > thr,
        "GreaterThanOrEqualToThreshold": v >= thr,
        "LessThanThreshold": v < thr,
        "LessThanOrEqualToThreshold": v <= thr,
    }[op]


def _cw_time(dt: datetime) -> str:
    return dt.strftime("%d/%m/%y %H:%M:%S")


def _fmt(v: float) -> str:
    return repr(round(v, 6)) if v != int(v) else f"{v:.1f}"


@dataclass
class AlarmSpec:
    name: str
    description: str
    series: list[Series]  # one series (or several summed: same metric, e.g. per-AZ not used)
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    op: str
    treat_missing: str = "missing"
    actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    created: datetime | None = None


def _aggregate(spec: AlarmSpec, start: datetime, end: datetime) -> dict[datetime, tuple[float, float]]:
    """period start -> (value, sample count) for the alarm's statistic."""
    buckets: dict[datetime, list[tuple[float, int]]] = {}
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for s in spec.series:
        for t, step, v in s.points:
            if t < start or t >= end:
                continue
            secs = int((t - epoch).total_seconds())
            b = epoch + timedelta(seconds=secs - secs % spec.period)
            buckets.setdefault(b, []).append((v, step))
    out: dict[datetime, tuple[float, float]] = {}
    for b, vals in buckets.items():
        nums = [v for v, _ in vals]
        samples = float(sum(step // 60 for _, step in vals))
        if spec.statistic == "Sum":
            out[b] = (sum(nums), samples)
        elif spec.statistic == "Maximum":
            out[b] = (max(nums), samples)
        elif spec.statistic == "Minimum":
            out[b] = (min(nums), samples)
        elif spec.statistic == "SampleCount":
            out[b] = (samples, samples)
        else:
            out[b] = (sum(nums) / len(nums), samples)
    return out


@dataclass
class Transition:
    at: datetime
    old: str
    new: str
    reason: str
    reason_data: str
    prev_reason: str = ""
    prev_at: datetime | None = None


def evaluate(
    spec: AlarmSpec, start: datetime, now: datetime, rng: random.Random
) -> tuple[str, list[Transition]]:
    """Run CloudWatch's evaluation over the series; the alarm starts OK at `start`."""
    data = _aggregate(spec, start, now)
    state = "OK"
    transitions: list[Transition] = []
    p = timedelta(seconds=spec.period)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    secs = int((start - epoch).total_seconds())
    b = epoch + timedelta(seconds=secs - secs % spec.period) + p * spec.evaluation_periods
    while b + p <= now:
        window = [b - p * k for k in range(spec.evaluation_periods)]  # newest first
        present = [(w, data[w]) for w in window if w in data]
        breaching = [(w, d) for w, d in present if _breach(spec.op, d[0], spec.threshold)]
        if spec.treat_missing == "breaching":
            n_breach = len(breaching) + (spec.evaluation_periods - len(present))
        else:
            n_breach = len(breaching)
        new = state
        if n_breach >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif present or spec.treat_missing in ("notBreaching", "breaching"):
            new = "OK"
        at = b + p + timedelta(seconds=rng.randint(20, 75))
        if new != state and at <= now:
            transitions.append(_transition(spec, state, new, present, at, b))
            state = new
        b += p
    return state, transitions


def _transition(
    spec: AlarmSpec,
    old: str,
    new: str,
    present: list[tuple[datetime, tuple[float, float]]],
    at: datetime,
    newest: datetime,
) -> Transition:
    word = _OP_WORDS[spec.op]
    shown = present[: spec.evaluation_periods]
    pts = ", ".join(f"{_fmt(d[0])} ({_cw_time(w)})" for w, d in shown)
    n = len(shown)
    if new == "ALARM":
        count = sum(1 for _, d in shown if _breach(spec.op, d[0], spec.threshold))
        verb = "was" if count == 1 else "were"
        if spec.evaluation_periods == 1:
            reason = (
                f"Threshold Crossed: 1 datapoint [{pts}] was {word} the threshold ({_fmt(spec.threshold)})."
            )
        else:
            reason = (
                f"Threshold Crossed: {count} out of the last {spec.evaluation_periods} datapoints [{pts}] {verb} "
                f"{word} the threshold ({_fmt(spec.threshold)}) (minimum {spec.datapoints_to_alarm} "
                f"datapoint{'s' if spec.datapoints_to_alarm > 1 else ''} for OK -> ALARM transition)."
            )
    else:
        if n == 1 or spec.evaluation_periods == 1:
            reason = (
                f"Threshold Crossed: 1 datapoint [{pts.split(', ')[0] if pts else ''}] was not {word} the "
                f"threshold ({_fmt(spec.threshold)})."
            )
        else:
            reason = (
                f"Threshold Crossed: {n} out of the last {spec.evaluation_periods} datapoints [{pts}] were not "
                f"{word} the threshold ({_fmt(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
            )
    reason_data = json.dumps(
        {
            "version": "1.0",
            "queryDate": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000",
            "startDate": (newest - timedelta(seconds=spec.period * (spec.evaluation_periods - 1))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "statistic": spec.statistic,
            "period": spec.period,
            "recentDatapoints": [round(d[0], 6) for _, d in reversed(shown)],
            "threshold": spec.threshold,
            "evaluatedDatapoints": [
                {
                    "timestamp": w.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "sampleCount": d[1],
                    "value": round(d[0], 6),
                }
                for w, d in shown
            ],
        },
        separators=(",", ":"),
    )
    return Transition(at, old, new, reason, reason_data)


def alarm_records(
    spec: AlarmSpec, account: str, region: str, start: datetime, now: datetime, rng: random.Random
) -> tuple[Rec, list[Rec], list[Transition]]:
    """(MetricAlarm as DescribeAlarms returns it, its AlarmHistoryItems, the transitions)."""
    state, transitions = evaluate(spec, start, now, rng)
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    s0 = spec.series[0]
    created = spec.created or (start - timedelta(days=rng.randint(40, 400), minutes=rng.randint(0, 1440)))
    if transitions:
        last = transitions[-1]
        reason, reason_data, updated = last.reason, last.reason_data, last.at
    else:
        updated = created + timedelta(minutes=rng.randint(2, 9))
        reason = (
            f"Threshold Crossed: {spec.evaluation_periods} out of the last {spec.evaluation_periods} datapoints "
            f"were not {_OP_WORDS[spec.op]} the threshold ({_fmt(spec.threshold)}) (minimum 1 datapoint for "
            "ALARM -> OK transition)."
            if spec.evaluation_periods > 1
            else f"Threshold Crossed: 1 datapoint was not {_OP_WORDS[spec.op]} the threshold ({_fmt(spec.threshold)})."
        )
        reason_data = json.dumps({"version": "1.0", "statistic": spec.statistic, "period": spec.period})
    alarm: Rec = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": spec.ok_actions,
        "AlarmActions": spec.actions,
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateReasonData": reason_data,
        "StateUpdatedTimestamp": iso_ms(updated),
        "MetricName": s0.metric,
        "Namespace": s0.namespace,
        "Statistic": spec.statistic,
        "Dimensions": [{"Name": k, "Value": v} for k, v in s0.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.op,
        "TreatMissingData": spec.treat_missing,
        "StateTransitionedTimestamp": iso_ms(updated),
    }
    history: list[Rec] = []
    for tr in transitions:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": tr.old, "stateReason": "(previous state)"},
            "newState": {
                "stateValue": tr.new,
                "stateReason": tr.reason,
                "stateReasonData": json.loads(tr.reason_data),
            },
        }
        history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(tr.at),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {tr.old} to {tr.new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )
        acts = spec.actions if tr.new == "ALARM" else spec.ok_actions
        for a in acts:
            history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(tr.at + timedelta(milliseconds=rng.randint(80, 900))),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {a}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": ms(tr.at),
                            "notificationResource": a,
                        },
                        separators=(",", ":"),
                    ),
                }
            )
    # the oldState of each update is the state the one before it left (or the alarm's first OK)
    prev_reason = (
        f"Threshold Crossed: {spec.evaluation_periods} out of the last {spec.evaluation_periods} datapoints were not "
        f"{_OP_WORDS[spec.op]} the threshold ({_fmt(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    prev_at = created + timedelta(minutes=rng.randint(2, 9))
    for item, tr in zip(
        [h for h in history if h["HistoryItemType"] == "StateUpdate"], transitions, strict=True
    ):
        data = json.loads(item["HistoryData"])
        data["oldState"]["stateReason"] = prev_reason
        item["HistoryData"] = json.dumps(data, separators=(",", ":"))
        tr.prev_reason, tr.prev_at = prev_reason, prev_at
        prev_reason, prev_at = tr.reason, tr.at
    return alarm, history, transitions


def alarm_event(alarm: Rec, tr: Transition, account: str, region: str, ids: Ids) -> Rec:
    """The EventBridge "CloudWatch Alarm State Change" event for one transition."""

    def stamp(dt: datetime) -> str:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"

    return {
        "version": "0",
        "id": ids.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(tr.at),
        "region": region,
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": alarm["AlarmName"],
            "state": {
                "value": tr.new,
                "reason": tr.reason,
                "reasonData": tr.reason_data,
                "timestamp": stamp(tr.at),
            },
            "previousState": {
                "value": tr.old,
                "reason": tr.prev_reason,
                "timestamp": stamp(tr.prev_at or tr.at),
            },
            "configuration": {
                "description": alarm["AlarmDescription"],
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


# --- CloudTrail -----------------------------------------------------------------------------------


@dataclass
class Principal:
    """Who made a call: its userIdentity, and where calls come from."""

    identity: Rec
    ip: str
    agent: str
    invoked_by: str | None = None


class Trail:
    def __init__(self, rng: random.Random, ids: Ids, account: str, region: str) -> None:
        self.rng = rng
        self.ids = ids
        self.account = account
        self.region = region
        self.records: list[Rec] = []

    # principals
    def sso(self, person: str, permission_set: str, ip: str, agent: str) -> Principal:
        role = f"AWSReservedSSO_{permission_set}_{self.ids.hex(16)}"
        rid = self.ids.role_id()
        return Principal(
            {
                "type": "AssumedRole",
                "principalId": f"{rid}:{person}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{person}",
                "accountId": self.account,
                "accessKeyId": self.ids.access_key(),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": rid,
                        "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                        "accountId": self.account,
                        "userName": role,
                    },
                    "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
                },
            },
            ip,
            agent,
        )

    def role(
        self, role: str, session: str, ip: str, agent: str, web_identity: str | None = None
    ) -> Principal:
        rid = self.ids.role_id()
        ctx: Rec = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{self.account}:role/{role}",
                "accountId": self.account,
                "userName": role,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        }
        if web_identity:
            ctx["webIdFederationData"] = {
                "federatedProvider": f"arn:aws:iam::{self.account}:oidc-provider/{web_identity}",
                "attributes": {},
            }
        if session.startswith("i-"):
            ctx["ec2RoleDelivery"] = "2.0"
        return Principal(
            {
                "type": "AssumedRole",
                "principalId": f"{rid}:{session}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
                "accountId": self.account,
                "accessKeyId": self.ids.access_key(),
                "sessionContext": ctx,
            },
            ip,
            agent,
        )

    def service_role(self, role: str, service: str, session: str) -> Principal:
        """A service-linked role acting for `service` (calls come from the service itself)."""
        p = self.role(f"aws-service-role/{service}/{role}", session, service, service)
        p.identity["arn"] = f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}"
        p.identity["sessionContext"]["sessionIssuer"]["userName"] = role
        p.invoked_by = service
        return p

    def aws_service(self, service: str) -> Principal:
        return Principal({"type": "AWSService", "invokedBy": service}, service, service)

    def add(
        self,
        when: datetime,
        who: Principal,
        source: str,
        name: str,
        params: Rec | None = None,
        response: Rec | None = None,
        read_only: bool = True,
        resources: list[Rec] | None = None,
        error: tuple[str, str] | None = None,
        event_id: str | None = None,
    ) -> Rec:
        identity = json.loads(json.dumps(who.identity))
        ctx = identity.get("sessionContext")
        if ctx is not None:
            created = when - timedelta(minutes=self.rng.randint(3, 55), seconds=self.rng.randint(0, 59))
            ctx["attributes"]["creationDate"] = iso(created)
        if who.invoked_by and identity.get("type") == "AssumedRole":
            identity["invokedBy"] = who.invoked_by
        rec: Rec = {
            "eventVersion": "1.09" if identity.get("type") != "AWSService" else "1.08",
            "userIdentity": identity,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.ip,
            "userAgent": who.agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.ids.uuid(),
            "eventID": event_id or self.ids.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if resources:
            rec["resources"] = resources
        if identity.get("type") == "AWSService":
            rec["sharedEventID"] = self.ids.uuid()
        elif not who.ip.endswith(".amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.records.append(rec)
        return rec

    def sorted(self) -> list[Rec]:
        return sorted(self.records, key=lambda r: r["eventTime"])


def cli(command: str, rng: random.Random) -> str:
    ver = rng.choice(["2.15.30", "2.17.4", "2.22.8"])
    return (
        f"aws-cli/{ver} md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-aws md/arch#x86_64 lang/python#3.11.8 "
        f"md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off "
        f"md/command#{command}"
    )


CONSOLE = "AWS Internal"
BOTO = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"
TERRAFORM = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{api}#1.0"
GRAFANA = "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.1"


def spread(rng: random.Random, t0: datetime, t1: datetime, n: int) -> Iterator[datetime]:
    span = (t1 - t0).total_seconds()
    for _ in range(n):
        yield t0 + timedelta(seconds=rng.uniform(0, span))


# --- logs -----------------------------------------------------------------------------------------


def log(group: str, stream: str, when: datetime, message: str) -> Rec:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(when), "message": message}


def lambda_report(
    rng: random.Random, group: str, stream: str, when: datetime, req: str, dur: float, mem: int, used: int
) -> list[Rec]:
    end = when + timedelta(milliseconds=dur)
    billed = math.ceil(dur)
    return [
        log(group, stream, when, f"START RequestId: {req} Version: $LATEST"),
        log(group, stream, end, f"END RequestId: {req}"),
        log(
            group,
            stream,
            end,
            f"REPORT RequestId: {req}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t",
        ),
    ]


def sorted_logs(rows: list[Rec]) -> list[Rec]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


# --- common resource items ------------------------------------------------------------------------


def subnet_item(
    ids: Ids, account: str, region: str, vpc: str, sid: str, az: str, cidr: str, name: str
) -> Rec:
    return {
        "AvailabilityZone": az,
        "AvailableIpAddressCount": ids.rng.randint(3900, 4050),
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": False,
        "State": "available",
        "SubnetId": sid,
        "VpcId": vpc,
        "OwnerId": account,
        "SubnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{sid}",
        "Tags": tag_list({"Name": name}),
    }


def sg_item(account: str, vpc: str, gid: str, name: str, desc: str, ingress: list[Rec]) -> Rec:
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": ingress,
        "OwnerId": account,
        "GroupId": gid,
        "IpPermissionsEgress": [
            {
                "IpProtocol": "-1",
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        ],
        "VpcId": vpc,
        "Tags": tag_list({"Name": name}),
    }


def sg_rule(
    port: int, account: str, source_sg: str | None = None, cidr: str | None = None, desc: str = ""
) -> Rec:
    return {
        "FromPort": port,
        "ToPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [{"CidrIp": cidr, "Description": desc}] if cidr else [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [{"GroupId": source_sg, "UserId": account, "Description": desc}]
        if source_sg
        else [],
    }


def alb_item(
    ids: Ids,
    arn: str,
    name: str,
    vpc: str,
    azs: list[str],
    subnets: list[str],
    sgs: list[str],
    created: datetime,
    scheme: str = "internet-facing",
) -> Rec:
    region = arn.split(":")[3]
    prefix = "internal-" if scheme == "internal" else ""
    return {
        "LoadBalancerArn": arn,
        "DNSName": f"{prefix}{name}-{ids.digits(10)}.{region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
        "CreatedTime": iso(created),
        "LoadBalancerName": name,
        "Scheme": scheme,
        "VpcId": vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [{"ZoneName": az, "SubnetId": sn} for az, sn in zip(azs, subnets, strict=True)],
        "SecurityGroups": sgs,
        "IpAddressType": "ipv4",
    }


def tg_item(arn: str, name: str, port: int, vpc: str, lb_arn: str, path: str, target_type: str = "ip") -> Rec:
    return {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": vpc,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 3,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": target_type,
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }


def public_ip(rng: random.Random) -> str:
    return f"{rng.choice(['3.19', '18.202', '52.14', '34.247', '54.88'])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"


def office_ip(rng: random.Random) -> str:
    return f"{rng.choice(['73.158', '98.207', '24.6', '81.2', '86.12'])}.{rng.randint(2, 250)}.{rng.randint(2, 250)}"
