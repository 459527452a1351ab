"""Private helpers for kit p's fresh incidents: ids, noise, metric series, alarms, CloudTrail records."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

JSON = dict[str, Any]

# --- ids and time -----------------------------------------------------------------------------------

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def rid(rng: random.Random, prefix: str, n: int = 17) -> str:
    """An EC2-style id: i-0 followed by hex, 17 hex digits in all (sg-, subnet-, vol-, eni-, ...)."""
    return f"{prefix}-0{hexs(rng, n - 1)}"


def uuid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    v = "89ab"[rng.randrange(4)]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"


def upper(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


def access_key(rng: random.Random, prefix: str = "ASIA") -> str:
    return prefix + upper(rng, 16)


def role_id(rng: random.Random) -> str:
    return "AROA" + upper(rng, 17)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def cw_ts(dt: datetime) -> str:
    """Timestamps inside alarm reason data: 2024-05-01T14:03:00.000+0000."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def ms(dt: datetime) -> int:
    return round(dt.timestamp() * 1000)


def floor_to(dt: datetime, seconds: int) -> datetime:
    epoch = int(dt.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def day_in(rng: random.Random, year: int = 2024, months: Sequence[int] = (3, 4, 5, 6, 9, 10, 11)) -> datetime:
    """A random midnight UTC on a weekday in the given months."""
    while True:
        d = datetime(year, rng.choice(list(months)), rng.randint(1, 28), tzinfo=UTC)
        if d.weekday() < 5:
            return d


def steps(start: datetime, end: datetime, seconds: int) -> list[datetime]:
    out = []
    t = start
    while t <= end:
        out.append(t)
        t += timedelta(seconds=seconds)
    return out


# --- noise and daily shape ---------------------------------------------------------------------------


def diurnal(t: datetime, utc_offset_h: float, peak_local_h: float = 14.0, low: float = 0.28) -> float:
    """A daily traffic factor in [low, 1]: lowest around 04:00 local, highest near peak_local_h."""
    local = (t.hour + t.minute / 60 + utc_offset_h) % 24
    # two-humped working day: a smooth bump centred on the peak plus a shoulder in the morning
    x = math.cos((local - peak_local_h) / 24 * 2 * math.pi)
    base = (x + 1) / 2  # 0..1
    morning = math.exp(-(((local - 10.5) / 1.6) ** 2)) * 0.18
    night = 1 if 0 <= local < 6 else 0
    v = low + (1 - low) * (base**1.6) + morning - night * 0.05
    return max(low * 0.8, min(1.0, v))


class Noise:
    """Smooth multiplicative noise (a random walk pulled back to 1) plus white jitter."""

    def __init__(self, rng: random.Random, walk: float = 0.02, jitter: float = 0.04) -> None:
        self.rng = rng
        self.level = 1.0
        self.walk = walk
        self.jitter = jitter

    def __call__(self) -> float:
        self.level += self.rng.gauss(0, self.walk) - (self.level - 1) * 0.1
        return max(0.2, self.level * (1 + self.rng.gauss(0, self.jitter)))


# --- metrics -----------------------------------------------------------------------------------------


@dataclass
class Series:
    namespace: str
    metric: str
    dims: dict[str, str]
    unit: str
    points: list[tuple[datetime, float]] = field(default_factory=list)


class Metrics:
    """Collects datapoints. 1-minute points from `fine_from` on; earlier ones are folded into
    5-minute statistic sets (as CloudWatch keeps older data)."""

    def __init__(self, fine_from: datetime) -> None:
        self.fine_from = fine_from
        self.series: list[Series] = []

    def add(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        points: Sequence[tuple[datetime, float]],
    ) -> Series:
        s = Series(namespace, metric, dict(dims), unit, [(t, float(v)) for t, v in points])
        self.series.append(s)
        return s

    def find(self, namespace: str, metric: str, dims: dict[str, str]) -> Series:
        for s in self.series:
            if s.namespace == namespace and s.metric == metric and s.dims == dims:
                return s
        raise KeyError(f"{namespace} {metric} {dims}")

    def records(self) -> list[JSON]:
        out: list[JSON] = []
        for s in self.series:
            buckets: dict[datetime, list[float]] = {}
            order: list[datetime] = []
            for t, v in s.points:
                if t < self.fine_from:
                    b = floor_to(t, 300)
                    if b not in buckets:
                        buckets[b] = []
                        order.append(b)
                    buckets[b].append(v)
                    continue
                for b in order:
                    out.append(_folded(s, b, buckets[b]))
                order = []
                out.append(
                    {
                        "namespace": s.namespace,
                        "metric": s.metric,
                        "dimensions": s.dims,
                        "timestamp": iso(t),
                        "unit": s.unit,
                        "value": round(v, 4),
                    }
                )
            for b in order:
                out.append(_folded(s, b, buckets[b]))
        return out


def _folded(s: Series, b: datetime, vals: list[float]) -> JSON:
    if len(vals) == 1:
        return {
            "namespace": s.namespace,
            "metric": s.metric,
            "dimensions": s.dims,
            "timestamp": iso(b),
            "unit": s.unit,
            "value": round(vals[0], 4),
        }
    return {
        "namespace": s.namespace,
        "metric": s.metric,
        "dimensions": s.dims,
        "timestamp": iso(b),
        "unit": s.unit,
        "statistic_values": {
            "SampleCount": float(len(vals)),
            "Sum": round(sum(vals), 4),
            "Minimum": round(min(vals), 4),
            "Maximum": round(max(vals), 4),
        },
    }


def series_of(
    times: Sequence[datetime], fn: Callable[[datetime], float | None]
) -> list[tuple[datetime, float]]:
    """Points of fn over times; None means no datapoint (AWS publishes some counts only when non-zero)."""
    out = []
    for t in times:
        v = fn(t)
        if v is not None:
            out.append((t, v))
    return out


# --- alarms ------------------------------------------------------------------------------------------

_OPS = {
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
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str
    actions: list[str]
    ok_actions: list[str]
    configured: datetime
    unit: str | None = None


def _stat(values: list[float], statistic: str) -> float:
    if statistic == "Sum":
        return sum(values)
    if statistic == "Maximum":
        return max(values)
    if statistic == "Minimum":
        return min(values)
    if statistic == "SampleCount":
        return float(len(values))
    return sum(values) / len(values)


def _fmt_num(v: float) -> str:
    return repr(float(round(v, 6)))


def _dp_text(v: float, t: datetime) -> str:
    return f"{_fmt_num(v)} ({t:%d/%m/%y %H:%M:%S})"


def evaluate_alarm(
    rng: random.Random,
    spec: AlarmSpec,
    series: Series,
    start: datetime,
    now: datetime,
    account: str,
    region: str,
) -> tuple[JSON, list[JSON], list[tuple[datetime, str, str, str, str]]]:
    """The alarm as DescribeAlarms shows it at `now`, its history, and its transitions
    (time, old, new, reason, reason data); the first transition is the alarm's first OK, at creation."""
    check, words = _OPS[spec.comparison]
    buckets: dict[datetime, list[float]] = {}
    for t, v in series.points:
        buckets.setdefault(floor_to(t, spec.period), []).append(v)
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    state = "OK"
    transitions: list[tuple[datetime, str, str, str, str]] = []
    history: list[JSON] = []
    if spec.configured >= now - timedelta(days=30):
        history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(spec.configured),
                "HistoryItemType": "ConfigurationUpdate",
                "HistorySummary": f'Alarm "{spec.name}" updated',
                "HistoryData": json.dumps(
                    {
                        "type": "Update",
                        "version": "1.0",
                        "originalState": {},
                        "updatedAlarm": {"alarmName": spec.name},
                    },
                    separators=(",", ":"),
                ),
            }
        )
    first = sorted(buckets)[0] if buckets else floor_to(start, spec.period)
    first_v = _stat(buckets[first], spec.statistic) if buckets else 0.0
    seen = spec.configured + timedelta(minutes=rng.randint(2, 9))
    last_reason = (
        f"Threshold Crossed: 1 datapoint [{_dp_text(first_v, floor_to(seen, spec.period) - timedelta(seconds=spec.period))}] "
        f"was not {words} the threshold ({_fmt_num(spec.threshold)})."
    )
    first_at = floor_to(seen, spec.period) - timedelta(seconds=spec.period)
    last_reason_data = json.dumps(
        {
            "version": "1.0",
            "queryDate": cw_ts(seen),
            "startDate": cw_ts(first_at),
            "statistic": spec.statistic,
            "period": spec.period,
            "recentDatapoints": [round(first_v, 6)],
            "threshold": spec.threshold,
            "evaluatedDatapoints": [
                {"timestamp": cw_ts(first_at), "sampleCount": 1.0, "value": round(first_v, 6)}
            ],
        },
        separators=(",", ":"),
    )
    last_change = seen
    transitions.append((seen, "INSUFFICIENT_DATA", "OK", last_reason, last_reason_data))
    t = floor_to(start, spec.period) + timedelta(seconds=spec.period * spec.evaluation_periods)
    while True:
        eval_at = t + timedelta(seconds=rng.randint(25, 70), milliseconds=rng.randint(0, 999))
        if eval_at > now:
            break
        window = [t - timedelta(seconds=spec.period * (i + 1)) for i in range(spec.evaluation_periods)]
        vals: list[tuple[datetime, float | None]] = []
        for b in window:
            vs = buckets.get(b)
            vals.append((b, _stat(vs, spec.statistic) if vs else None))
        breaching = 0
        for _, val in vals:
            if val is None:
                if spec.treat_missing == "breaching":
                    breaching += 1
            elif check(val, spec.threshold):
                breaching += 1
        new = "ALARM" if breaching >= spec.datapoints_to_alarm else "OK"
        present = [(b, val) for b, val in vals if val is not None]
        if new != state:
            shown = present[: spec.evaluation_periods]
            dps = ", ".join(_dp_text(v, b) for b, v in shown)
            n = len(shown)
            if new == "ALARM":
                if spec.evaluation_periods == 1:
                    reason = f"Threshold Crossed: 1 datapoint [{dps}] was {words} the threshold ({_fmt_num(spec.threshold)})."
                else:
                    reason = (
                        f"Threshold Crossed: {breaching} out of the last {spec.evaluation_periods} datapoints [{dps}] "
                        f"were {words} the threshold ({_fmt_num(spec.threshold)}) (minimum "
                        f"{spec.datapoints_to_alarm} datapoint{'s' if spec.datapoints_to_alarm > 1 else ''} "
                        f"for OK -> ALARM transition)."
                    )
            elif n == 0:
                reason = (
                    f"Threshold Crossed: no datapoints were received for {spec.evaluation_periods} period"
                    f"{'s' if spec.evaluation_periods > 1 else ''} and {spec.evaluation_periods} missing datapoint"
                    f"{'s were' if spec.evaluation_periods > 1 else ' was'} treated as [NonBreaching]."
                )
            elif n == 1:
                reason = f"Threshold Crossed: 1 datapoint [{dps}] was not {words} the threshold ({_fmt_num(spec.threshold)})."
            else:
                reason = (
                    f"Threshold Crossed: {n} datapoints [{dps}] were not {words} the threshold "
                    f"({_fmt_num(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
            rd: JSON = {
                "version": "1.0",
                "queryDate": cw_ts(eval_at),
                "startDate": cw_ts(window[-1]),
                "statistic": spec.statistic,
                "period": spec.period,
                "recentDatapoints": [round(v, 6) for _, v in reversed(present)],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {
                        "timestamp": cw_ts(b),
                        **({"sampleCount": float(len(buckets[b]))} if b in buckets else {}),
                        **({"value": round(v, 6)} if v is not None else {}),
                    }
                    for b, v in vals
                ],
            }
            rd_text = json.dumps(rd, separators=(",", ":"))
            old_block = {
                "stateValue": state,
                "stateReason": last_reason,
                "stateReasonData": json.loads(last_reason_data),
            }
            history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(eval_at),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": old_block,
                            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": rd},
                        },
                        separators=(",", ":"),
                    ),
                }
            )
            acts = spec.actions if new == "ALARM" else spec.ok_actions
            for a in acts:
                history.append(
                    {
                        "AlarmName": spec.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(eval_at + timedelta(milliseconds=rng.randint(40, 400))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {a}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": int(eval_at.timestamp() * 1000),
                                "notificationResource": a,
                                "publishedMessage": {"default": "..."},
                            }
                            if a.startswith("arn:aws:sns")
                            else {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": int(eval_at.timestamp() * 1000),
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
            transitions.append((eval_at, state, new, reason, rd_text))
            state, last_reason, last_reason_data, last_change = new, reason, rd_text, eval_at
        t += timedelta(seconds=spec.period)
    item: JSON = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(spec.configured),
        "ActionsEnabled": True,
        "OKActions": spec.ok_actions,
        "AlarmActions": spec.actions,
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": last_reason,
        "StateReasonData": last_reason_data,
        "StateUpdatedTimestamp": iso_ms(last_change),
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
        "StateTransitionedTimestamp": iso_ms(last_change),
    }
    if spec.unit:
        item["Unit"] = spec.unit
    return item, history, transitions


def alarm_event(
    rng: random.Random,
    spec: AlarmSpec,
    transition: tuple[datetime, str, str, str, str],
    prev: tuple[datetime, str, str, str, str],
    account: str,
    region: str,
) -> JSON:
    """The EventBridge "CloudWatch Alarm State Change" event for one transition."""
    when, old, new, reason, rd = transition
    prev_state: JSON = {"value": old, "reason": prev[3], "reasonData": prev[4], "timestamp": cw_ts(prev[0])}
    return {
        "version": "0",
        "id": uuid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(when + timedelta(seconds=1)),
        "region": region,
        "resources": [f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"],
        "detail": {
            "alarmName": spec.name,
            "state": {"value": new, "reason": reason, "reasonData": rd, "timestamp": cw_ts(when)},
            "previousState": prev_state,
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {
                        "id": hexs(rng, 8) + "-" + hexs(rng, 4),
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


# --- CloudTrail --------------------------------------------------------------------------------------


@dataclass
class Principal:
    identity: JSON
    ip: str
    agent: str
    console: bool = False
    service: str | None = None  # set for calls AWS services make on your behalf


def sso_user(
    rng: random.Random,
    account: str,
    region: str,
    email: str,
    perm_set: str,
    ip: str,
    agent: str,
    console: bool,
) -> Principal:
    role = f"AWSReservedSSO_{perm_set}_{hexs(rng, 16)}"
    rid_ = role_id(rng)
    return Principal(
        {
            "type": "AssumedRole",
            "principalId": f"{rid_}:{email}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{email}",
            "accountId": account,
            "accessKeyId": access_key(rng),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid_,
                    "arn": f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{region}/{role}",
                    "accountId": account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        },
        ip,
        agent,
        console,
    )


def role_session(
    rng: random.Random, account: str, role: str, session: str, ip: str, agent: str, path: str = "/"
) -> Principal:
    rid_ = role_id(rng)
    return Principal(
        {
            "type": "AssumedRole",
            "principalId": f"{rid_}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "accessKeyId": access_key(rng),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid_,
                    "arn": f"arn:aws:iam::{account}:role{path}{role}",
                    "accountId": account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        },
        ip,
        agent,
    )


def service_role(rng: random.Random, account: str, role: str, session: str, service: str) -> Principal:
    """A service-linked role session (AWSServiceRoleForAutoScaling/AutoScaling, ...)."""
    rid_ = role_id(rng)
    return Principal(
        {
            "type": "AssumedRole",
            "principalId": f"{rid_}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid_,
                    "arn": f"arn:aws:iam::{account}:role/aws-service-role/{service}/{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
            "invokedBy": service,
        },
        service,
        service,
        service=service,
    )


class Trail:
    """Builds CloudTrail records in the delivered shape."""

    def __init__(self, rng: random.Random, account: str, region: str) -> None:
        self.rng = rng
        self.account = account
        self.region = region
        self.records: list[JSON] = []

    def add(
        self,
        when: datetime,
        who: Principal,
        source: str,
        name: str,
        request: JSON | None,
        response: JSON | None = None,
        *,
        read_only: bool = False,
        resources: list[JSON] | None = None,
        extra: JSON | None = None,
        version: str = "1.09",
        host: str | None = None,
    ) -> JSON:
        rng = self.rng
        ident = json.loads(json.dumps(who.identity))
        ctx = ident.get("sessionContext")
        if isinstance(ctx, dict) and "attributes" in ctx:
            created = floor_to(when - timedelta(minutes=rng.randint(3, 50)), 1)
            ctx["attributes"]["creationDate"] = iso(created)
        rec: JSON = {
            "eventVersion": version,
            "userIdentity": ident,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.ip,
            "userAgent": who.agent,
            "requestParameters": request,
            "responseElements": response,
            "requestID": uuid(rng) if source != "s3.amazonaws.com" else upper(rng, 16),
            "eventID": uuid(rng),
            "readOnly": read_only,
        }
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        if extra:
            rec.update(extra)
        rec["eventCategory"] = "Management"
        if who.service is None:
            svc = source.split(".")[0]
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3" if rng.random() < 0.7 else "TLSv1.2",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host or f"{svc}.{self.region}.amazonaws.com",
            }
        if who.console:
            rec["sessionCredentialFromConsole"] = "true"
        self.records.append(rec)
        return rec

    def sorted(self) -> list[JSON]:
        return sorted(self.records, key=lambda r: (r["eventTime"], r["eventID"]))


# --- EC2 / networking resources --------------------------------------------------------------------------


@dataclass
class Net:
    vpc_id: str
    cidr: str
    azs: list[str]
    private: list[str]  # subnet ids, one per AZ
    public: list[str]
    private_cidrs: list[str]
    public_cidrs: list[str]


def network(rng: random.Random, region: str, octet: int) -> Net:
    azs = [f"{region}{s}" for s in "abc"]
    return Net(
        rid(rng, "vpc"),
        f"10.{octet}.0.0/16",
        azs,
        [rid(rng, "subnet") for _ in azs],
        [rid(rng, "subnet") for _ in azs],
        [f"10.{octet}.{16 * (i + 1)}.0/20" for i in range(3)],
        [f"10.{octet}.{i}.0/24" for i in range(3)],
    )


def net_resources(net: Net, account: str, name: str) -> list[JSON]:
    out: list[JSON] = [
        {
            "service": "ec2",
            "type": "Vpc",
            "item": {
                "VpcId": net.vpc_id,
                "CidrBlock": net.cidr,
                "State": "available",
                "OwnerId": account,
                "InstanceTenancy": "default",
                "IsDefault": False,
                "DhcpOptionsId": "dopt-0" + net.vpc_id[5:].replace("a", "c")[:16],
                "Tags": [{"Key": "Name", "Value": f"{name}-vpc"}],
            },
        }
    ]
    for kind, ids, cidrs in (
        ("private", net.private, net.private_cidrs),
        ("public", net.public, net.public_cidrs),
    ):
        for i, (sid, cidr) in enumerate(zip(ids, cidrs, strict=True)):
            out.append(
                {
                    "service": "ec2",
                    "type": "Subnet",
                    "item": {
                        "SubnetId": sid,
                        "SubnetArn": f"arn:aws:ec2:{net.azs[i][:-1]}:{account}:subnet/{sid}",
                        "VpcId": net.vpc_id,
                        "CidrBlock": cidr,
                        "AvailabilityZone": net.azs[i],
                        "AvailableIpAddressCount": 4000 if kind == "private" else 240,
                        "State": "available",
                        "MapPublicIpOnLaunch": kind == "public",
                        "DefaultForAz": False,
                        "OwnerId": account,
                        "Tags": [{"Key": "Name", "Value": f"{name}-{kind}-{net.azs[i][-1]}"}],
                    },
                }
            )
    return out


def security_group(
    sg_id: str, name: str, desc: str, vpc: str, account: str, ingress: list[tuple[int, str]]
) -> JSON:
    perms = []
    for port, src in ingress:
        p: JSON = {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "UserIdGroupPairs": [],
            "IpRanges": [],
        }
        if src.startswith("sg-"):
            p["UserIdGroupPairs"] = [{"GroupId": src, "UserId": account}]
        else:
            p["IpRanges"] = [{"CidrIp": src}]
        perms.append(p)
    return {
        "service": "ec2",
        "type": "SecurityGroup",
        "item": {
            "GroupId": sg_id,
            "GroupName": name,
            "Description": desc,
            "VpcId": vpc,
            "OwnerId": account,
            "IpPermissions": perms,
            "IpPermissionsEgress": [
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "UserIdGroupPairs": []}
            ],
            "Tags": [{"Key": "Name", "Value": name}],
        },
    }


def instance_status(iid: str, az: str) -> JSON:
    return {
        "service": "ec2",
        "type": "InstanceStatus",
        "item": {
            "InstanceId": iid,
            "AvailabilityZone": az,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "AttachedEbsStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        },
    }


def log_group(account: str, region: str, name: str, created: datetime, retention: int | None) -> JSON:
    item: JSON = {
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
    return {"service": "logs", "type": "LogGroup", "item": item}


def log(group: str, stream: str, when: datetime, message: str) -> JSON:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(when), "message": message}


def sort_logs(rows: list[JSON]) -> list[JSON]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def office_ip(rng: random.Random) -> str:
    return rng.choice(["203.0.113", "198.51.100", "192.0.2"]) + f".{rng.randint(10, 250)}"


def cli_agent(rng: random.Random, command: str) -> str:
    v = rng.choice(["2.15.30", "2.17.9", "2.13.25", "2.18.2"])
    py = rng.choice(["3.11.8", "3.11.6", "3.12.6"])
    return (
        f"aws-cli/{v} md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#{py} "
        f"md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{command}"
    )


CONSOLE_AGENT = "AWS Internal"
BROWSER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
TERRAFORM_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)


# --- compute and load balancing ---------------------------------------------------------------------------


def ec2_instance(
    rng: random.Random,
    *,
    account: str,
    region: str,
    iid: str,
    itype: str,
    ami: str,
    az: str,
    subnet: str,
    vpc: str,
    ip: str,
    sgs: list[tuple[str, str]],
    launched: datetime,
    profile: str,
    tags: dict[str, str],
    lt: tuple[str, str, str] | None = None,
    credits: str | None = None,
) -> JSON:
    eni = rid(rng, "eni")
    mac = ":".join(["0a"] + [hexs(rng, 2) for _ in range(5)])
    dns = f"ip-{ip.replace('.', '-')}.{region}.compute.internal"
    item: JSON = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns,
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": 16, "Name": "running"},
        "StateTransitionReason": "",
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": rid(rng, "vol"),
                },
            }
        ],
        "ClientToken": uuid(rng),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{account}:instance-profile/{profile}",
            "Id": "AIPA" + upper(rng, 17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": rid(rng, "eni-attach"),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": mac,
                "NetworkInterfaceId": eni,
                "OwnerId": account,
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
        "SecurityGroups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
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
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "legacy-bios",
    }
    if lt:
        item["Tags"] += [
            {"Key": "aws:ec2launchtemplate:id", "Value": lt[0]},
            {"Key": "aws:ec2launchtemplate:version", "Value": lt[2]},
        ]
    return {"service": "ec2", "type": "Instance", "item": item}


def load_balancer(
    rng: random.Random, account: str, region: str, name: str, net: Net, sg: str, created: datetime
) -> tuple[JSON, str, str]:
    """(resource, arn, metric dimension value app/name/hex)."""
    h = hexs(rng, 16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{h}"
    dns = f"internal-{name}-{rng.randint(100000000, 1999999999)}.{region}.elb.amazonaws.com"
    item = {
        "LoadBalancerArn": arn,
        "DNSName": dns[len("internal-") :],
        "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
        "CreatedTime": iso_ms(created),
        "LoadBalancerName": name,
        "Scheme": "internet-facing",
        "VpcId": net.vpc_id,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": s, "LoadBalancerAddresses": []}
            for az, s in zip(net.azs, net.public, strict=True)
        ],
        "SecurityGroups": [sg],
        "IpAddressType": "ipv4",
    }
    return {"service": "elbv2", "type": "LoadBalancer", "item": item}, arn, f"app/{name}/{h}"


def target_group(
    rng: random.Random,
    account: str,
    region: str,
    name: str,
    vpc: str,
    lb_arn: str,
    port: int,
    path: str,
    target_type: str = "instance",
) -> tuple[JSON, str, str]:
    h = hexs(rng, 16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{h}"
    item = {
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
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": target_type,
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    return {"service": "elbv2", "type": "TargetGroup", "item": item}, arn, f"targetgroup/{name}/{h}"


def listener(rng: random.Random, lb_arn: str, tg_arn: str, cert: str | None) -> JSON:
    arn = lb_arn.replace(":loadbalancer/", ":listener/") + "/" + hexs(rng, 16)
    item: JSON = {
        "ListenerArn": arn,
        "LoadBalancerArn": lb_arn,
        "Port": 443 if cert else 80,
        "Protocol": "HTTPS" if cert else "HTTP",
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn, "Order": 1}],
    }
    if cert:
        item["Certificates"] = [{"CertificateArn": cert}]
        item["SslPolicy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    return {"service": "elbv2", "type": "Listener", "item": item}


def health_point(
    tg_arn: str, iid: str, port: int, when: datetime, state: str, reason: str = "", desc: str = ""
) -> JSON:
    health: JSON = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    return {
        "source": "target_health",
        "item": {
            "target_group_arn": tg_arn,
            "target": {"Id": iid, "Port": port},
            "health": health,
            "timestamp": iso(when),
        },
    }


def sqs_queue(
    account: str, region: str, name: str, created: datetime, extra: dict[str, str], tags: dict[str, str]
) -> JSON:
    attrs = {
        "QueueArn": f"arn:aws:sqs:{region}:{account}:{name}",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": str(int(created.timestamp())),
        "LastModifiedTimestamp": str(int(created.timestamp())),
        "VisibilityTimeout": "60",
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
    }
    attrs.update(extra)
    return {
        "service": "sqs",
        "type": "Queue",
        "item": {
            "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{name}",
            "Attributes": attrs,
            "Tags": tags,
        },
    }


def lambda_function(
    rng: random.Random,
    account: str,
    region: str,
    name: str,
    runtime: str,
    handler: str,
    memory: int,
    timeout: int,
    role: str,
    modified: datetime,
    env: dict[str, str],
    subnets: list[str] | None = None,
    sgs: list[str] | None = None,
    vpc: str | None = None,
) -> JSON:
    item: JSON = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{account}:role/{role}",
        "Handler": handler,
        "CodeSize": rng.randint(400000, 9000000),
        "Description": "",
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}+0000",
        "CodeSha256": "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(43)
        )
        + "=",
        "Version": "$LATEST",
        "Environment": {"Variables": env},
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": uuid(rng),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if subnets:
        item["VpcConfig"] = {"SubnetIds": subnets, "SecurityGroupIds": sgs or [], "VpcId": vpc or ""}
    return {"service": "lambda", "type": "FunctionConfiguration", "item": item}


def lambda_report(
    rng: random.Random,
    when: datetime,
    dur_ms: float,
    mem: int,
    used: int,
    init: float | None = None,
    req: str | None = None,
) -> list[tuple[datetime, str]]:
    req = req or uuid(rng)
    end = when + timedelta(milliseconds=dur_ms)
    billed = math.ceil(dur_ms)
    rep = (
        f"REPORT RequestId: {req}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t"
    )
    if init is not None:
        rep += f"Init Duration: {init:.2f} ms\t"
    return [
        (when, f"START RequestId: {req} Version: $LATEST\n"),
        (end, f"END RequestId: {req}\n"),
        (end, rep + "\n"),
    ]
