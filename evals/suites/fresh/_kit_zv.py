"""Private helpers for the `zv` incidents (ids, noise, metric series, CloudTrail records, alarms).

Planned incidents, written in this order:
  1. change: a serverless sync API starts answering 5xx at the evening peak; hours earlier an
     infrastructure apply moved its main DynamoDB table from on-demand to provisioned capacity with an
     auto-scaling ceiling below the evening write rate (the alarm is on API Gateway, the Lambda shows no errors).
  2. limit: a grower portal on ECS crawls on the first of the month; its PostgreSQL RDS instance exhausts
     its instance-level EBS throughput burst while the monthly statement export runs (storage looks roomy,
     a portal release and a harmless DB modification sit next to the onset).
  3. dependency_failure: a listing-enrichment DLQ alarm; the worker's calls to a partner valuation
     service reached over a PrivateLink endpoint are refused, shortly after a worker deploy and an
     endpoint security-group edit that are both innocent.
  4. no fault: a queue-age alarm created last week pages in the night at the monthly bill run; the
     backlog is the bill run itself, draining at the designed rate with no errors.
"""

from __future__ import annotations

import json
import math
import random
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# --- time -------------------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """CloudWatch's timestamp style inside alarm reason data."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def timeline(
    start: datetime, end: datetime, fine_from: datetime, coarse: int = 300, fine: int = 60
) -> list[tuple[datetime, int]]:
    """(timestamp, step seconds): `coarse`-second points before `fine_from`, `fine` ones after."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < end:
        step = coarse if t < fine_from else fine
        if t < fine_from and t + timedelta(seconds=step) > fine_from:
            step = int((fine_from - t).total_seconds())
        out.append((t, step))
        t += timedelta(seconds=step)
    return out


# --- ids --------------------------------------------------------------------------------------------


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, upper: bool = False) -> str:
        chars = (string.ascii_uppercase if upper else string.ascii_lowercase) + string.digits
        return "".join(self.rng.choice(chars) for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def instance(self) -> str:
        return "i-0" + self.hex(16)

    def res(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def access_key(self, prefix: str = "ASIA") -> str:
        return prefix + self.upper(16)

    def role_id(self) -> str:
        return "AROA" + self.upper(17)

    def ip(self, prefix: str) -> str:
        parts = prefix.split(".")
        while len(parts) < 4:
            parts.append(str(self.rng.randint(1, 254)))
        return ".".join(parts)

    def trace(self, t: datetime) -> str:
        return f"1-{int(t.timestamp()):08x}-{self.hex(24)}"


# --- shapes of load ---------------------------------------------------------------------------------

PROFILES: dict[str, list[float]] = {
    # local hour 0..23 -> relative load
    "consumer_evening": [
        0.22,
        0.14,
        0.09,
        0.07,
        0.07,
        0.12,
        0.30,
        0.52,
        0.55,
        0.45,
        0.40,
        0.42,
        0.50,
        0.46,
        0.42,
        0.45,
        0.58,
        0.82,
        1.00,
        0.96,
        0.80,
        0.62,
        0.45,
        0.32,
    ],
    "business": [
        0.05,
        0.04,
        0.03,
        0.03,
        0.04,
        0.06,
        0.14,
        0.38,
        0.72,
        0.92,
        1.00,
        0.97,
        0.85,
        0.93,
        0.98,
        0.90,
        0.78,
        0.55,
        0.32,
        0.22,
        0.16,
        0.12,
        0.09,
        0.07,
    ],
    "marketplace": [
        0.30,
        0.20,
        0.14,
        0.11,
        0.11,
        0.16,
        0.32,
        0.55,
        0.74,
        0.86,
        0.92,
        0.96,
        1.00,
        0.98,
        0.95,
        0.93,
        0.92,
        0.90,
        0.92,
        0.95,
        0.88,
        0.72,
        0.55,
        0.40,
    ],
    "utility_billing": [
        0.25,
        0.18,
        0.14,
        0.12,
        0.12,
        0.18,
        0.35,
        0.62,
        0.85,
        0.95,
        1.00,
        0.98,
        0.95,
        0.94,
        0.92,
        0.90,
        0.88,
        0.85,
        0.80,
        0.72,
        0.62,
        0.50,
        0.40,
        0.30,
    ],
}


def load(t: datetime, utc_offset_h: float, profile: str) -> float:
    """Relative load at `t` for a service whose users live at `utc_offset_h`."""
    hours = (t.hour + t.minute / 60 + utc_offset_h) % 24
    curve = PROFILES[profile]
    i = int(hours) % 24
    frac = hours - int(hours)
    return curve[i] * (1 - frac) + curve[(i + 1) % 24] * frac


def wobble(rng: random.Random, x: float, pct: float) -> float:
    return x * (1 + rng.gauss(0, pct))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def ramp(t: datetime, a: datetime, b: datetime) -> float:
    """0 before a, 1 after b, linear between."""
    if t <= a:
        return 0.0
    if t >= b:
        return 1.0
    return (t - a).total_seconds() / (b - a).total_seconds()


# --- metrics ----------------------------------------------------------------------------------------


class Metrics:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def put(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str = "None"
    ) -> None:
        self.rows.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 4),
            }
        )

    def dist(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        values: Sequence[float],
        counts: Sequence[float],
        unit: str,
    ) -> None:
        keep = [(round(v, 5), float(c)) for v, c in zip(values, counts, strict=True) if c > 0]
        if not keep:
            return
        self.rows.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
                "values": [v for v, _ in keep],
                "counts": [c for _, c in keep],
            }
        )


def latency_buckets(
    rng: random.Random, n: int, median: float, tail: float, slow_share: float = 0.0, slow: float = 0.0
) -> tuple[list[float], list[float]]:
    """A latency distribution of `n` requests as (values, counts): lognormal body around `median` with
    a tail whose p99 is roughly `tail`, plus an optional share of slow requests around `slow`."""
    if n <= 0:
        return [], []
    sigma = max(0.05, math.log(max(tail, median * 1.01) / median) / 2.33)
    qs = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95, 0.98, 0.995]
    weights = [0.1, 0.15, 0.15, 0.15, 0.15, 0.15, 0.05, 0.05, 0.033, 0.017]
    values: list[float] = []
    counts: list[float] = []
    fast_n = n * (1 - slow_share)
    for q, w in zip(qs, weights, strict=True):
        z = _probit(q)
        values.append(median * math.exp(sigma * z) * (1 + rng.gauss(0, 0.03)))
        counts.append(round(fast_n * w))
    if slow_share > 0 and slow > 0:
        for f, w in ((0.6, 0.3), (1.0, 0.4), (1.5, 0.2), (2.2, 0.1)):
            values.append(slow * f * (1 + rng.gauss(0, 0.05)))
            counts.append(round(n * slow_share * w))
    if sum(counts) == 0:
        counts[3] = 1
    return values, counts


def _probit(p: float) -> float:
    # Acklam's rational approximation, good enough for latency shapes.
    a = [
        -39.69683028665376,
        220.9460984245205,
        -275.9285104469687,
        138.3577518672690,
        -30.66479806614716,
        2.506628277459239,
    ]
    b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155211918]
    c = [
        -0.007784894002430293,
        -0.3223964580411365,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ]
    d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
    if p > 1 - 0.02425:
        return -_probit(1 - p)
    q = p - 0.5
    r = q * q
    return (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )


def percentile(values: Sequence[float], counts: Sequence[float], p: float) -> float:
    pairs = sorted(zip(values, counts, strict=True))
    total = sum(c for _, c in pairs)
    if total <= 0:
        return 0.0
    need = total * p / 100
    acc = 0.0
    for v, c in pairs:
        acc += c
        if acc >= need:
            return v
    return pairs[-1][0]


# --- CloudTrail -------------------------------------------------------------------------------------


@dataclass
class Principal:
    kind: str  # "role" (assumed role), "service" (AWSService), "service_role" (role used by a service)
    account: str
    role: str = ""
    session: str = ""
    role_id: str = ""
    path: str = "/"
    ip: str = ""
    ua: str = ""
    invoked_by: str = ""
    console: bool = False
    mfa: bool = False
    key: str = ""


def sso_user(
    ids: Ids, account: str, region: str, permission_set: str, email: str, ip: str, ua: str
) -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{ids.hex(16)}"
    return Principal(
        kind="role",
        account=account,
        role=role,
        session=email,
        role_id=ids.role_id(),
        path=f"/aws-reserved/sso.amazonaws.com/{region}/",
        ip=ip,
        ua=ua,
        console=True,
        key=ids.access_key(),
    )


def ci_role(ids: Ids, account: str, role: str, session: str, ip: str, ua: str) -> Principal:
    return Principal(
        kind="role",
        account=account,
        role=role,
        session=session,
        role_id=ids.role_id(),
        ip=ip,
        ua=ua,
        key=ids.access_key(),
    )


def service_principal(account: str, service: str) -> Principal:
    return Principal(kind="service", account=account, invoked_by=service, ip=service, ua=service)


def service_role(ids: Ids, account: str, role: str, session: str, service: str, path: str = "/") -> Principal:
    return Principal(
        kind="service_role",
        account=account,
        role=role,
        session=session,
        role_id=ids.role_id(),
        path=path,
        ip=service,
        ua=service,
        invoked_by=service,
        key=ids.access_key(),
    )


def user_identity(p: Principal, t: datetime) -> dict[str, Any]:
    if p.kind == "service":
        return {"type": "AWSService", "invokedBy": p.invoked_by}
    created = t - timedelta(minutes=(hash_minutes(p.session + p.role) % 50) + 2)
    ident: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"{p.role_id}:{p.session}",
        "arn": f"arn:aws:sts::{p.account}:assumed-role/{p.role}/{p.session}",
        "accountId": p.account,
        "accessKeyId": p.key,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": p.role_id,
                "arn": f"arn:aws:iam::{p.account}:role{p.path}{p.role}",
                "accountId": p.account,
                "userName": p.role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": iso(created), "mfaAuthenticated": "true" if p.mfa else "false"},
        },
    }
    if p.kind == "service_role":
        ident["invokedBy"] = p.invoked_by
    return ident


def hash_minutes(s: str) -> int:
    return sum((i + 1) * ord(ch) for i, ch in enumerate(s))


def ct(
    ids: Ids,
    region: str,
    t: datetime,
    p: Principal,
    source: str,
    name: str,
    params: dict[str, Any] | None,
    response: dict[str, Any] | None = None,
    *,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[dict[str, str]] | None = None,
    ua: str | None = None,
    event_type: str = "AwsApiCall",
    additional: dict[str, Any] | None = None,
) -> dict[str, Any]:
    host = source.replace(".amazonaws.com", "")
    rec: dict[str, Any] = {
        "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
        "userIdentity": user_identity(p, t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": p.ip,
        "userAgent": ua or p.ua,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    if additional:
        rec["additionalEventData"] = additional
    rec["requestID"] = ids.uuid()
    rec["eventID"] = ids.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = event_type
    rec["managementEvent"] = True
    rec["recipientAccountId"] = p.account
    rec["eventCategory"] = "Management"
    if p.kind not in ("service", "service_role"):
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{host}.{region}.amazonaws.com",
        }
    if p.console:
        rec["sessionCredentialFromConsole"] = "true"
    return rec


CONSOLE_UA = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:130.0) Gecko/20100101 Firefox/130.0",
]

CLI_UA = "aws-cli/2.17.{n} md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#{cmd}"


def tf_ua(api: str) -> str:
    return (
        "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 ua/2.0 os/linux "
        f"lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/{api}"
    )


def routine_reads(
    ids: Ids,
    region: str,
    rng: random.Random,
    window: tuple[datetime, datetime],
    principals: Sequence[Principal],
    calls: Sequence[tuple[str, str, dict[str, Any] | None]],
    n: int,
    avoid: Sequence[tuple[datetime, datetime]] = (),
) -> list[dict[str, Any]]:
    """`n` read-only calls spread over the window, each by one of `principals`."""
    out: list[dict[str, Any]] = []
    span = (window[1] - window[0]).total_seconds()
    for _ in range(n):
        for _try in range(10):
            t = window[0] + timedelta(seconds=rng.uniform(0, span))
            if not any(a <= t <= b for a, b in avoid):
                break
        p = rng.choice(list(principals))
        source, name, params = rng.choice(list(calls))
        out.append(ct(ids, region, t.replace(microsecond=0), p, source, name, params, None, read_only=True))
    return out


def sort_trail(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (r["eventTime"], r["eventID"]))


# --- alarms -----------------------------------------------------------------------------------------

CMP_TEXT = {
    "GreaterThanThreshold": ("greater than", "not greater than"),
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", "not greater than or equal to"),
    "LessThanThreshold": ("less than", "not less than"),
    "LessThanOrEqualToThreshold": ("less than or equal to", "not less than or equal to"),
}


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dims: dict[str, str]
    stat: str  # Sum, Average, Maximum, Minimum, SampleCount, or pNN
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str = "missing"
    description: str = ""
    unit: str | None = None


@dataclass
class Transition:
    at: datetime
    old: str
    new: str
    reason: str
    reason_data: dict[str, Any]


def _breach(v: float, spec: AlarmSpec) -> bool:
    c = spec.comparison
    if c == "GreaterThanThreshold":
        return v > spec.threshold
    if c == "GreaterThanOrEqualToThreshold":
        return v >= spec.threshold
    if c == "LessThanThreshold":
        return v < spec.threshold
    return v <= spec.threshold


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


def evaluate_alarm(
    spec: AlarmSpec,
    points: dict[datetime, float],
    start: datetime,
    now: datetime,
    rng: random.Random,
    initial: str = "OK",
) -> list[Transition]:
    """Evaluate `spec` once per period over [start, now] on `points` (period start -> statistic)."""
    state = initial
    out: list[Transition] = []
    period = timedelta(seconds=spec.period)
    aligned = datetime.fromtimestamp(-(-int(start.timestamp()) // spec.period) * spec.period, tz=UTC)
    t = aligned + period * spec.evaluation_periods
    while t <= now:
        window = [t - period * (i + 1) for i in range(spec.evaluation_periods)]  # newest first
        vals: list[tuple[datetime, float | None]] = [(w, points.get(w)) for w in window]
        present = [(w, v) for w, v in vals if v is not None]
        breaching = 0
        for _, v in vals:
            if v is None:
                if spec.treat_missing == "breaching":
                    breaching += 1
            elif _breach(v, spec):
                breaching += 1
        good = 0
        for _, v in vals:
            if v is None:
                if spec.treat_missing in ("notBreaching", "ignore"):
                    good += 1 if spec.treat_missing == "notBreaching" else 0
            elif not _breach(v, spec):
                good += 1
        new = state
        if breaching >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif (state == "ALARM" and good >= spec.evaluation_periods - spec.datapoints_to_alarm + 1) or (
            state == "INSUFFICIENT_DATA" and good
        ):
            new = "OK"
        if new != state:
            at = t + timedelta(seconds=rng.randint(25, 75), milliseconds=rng.randint(0, 999))
            out.append(_transition(spec, state, new, at, vals, present))
            state = new
        t += period
    return out


def _transition(
    spec: AlarmSpec,
    old: str,
    new: str,
    at: datetime,
    vals: list[tuple[datetime, float | None]],
    present: list[tuple[datetime, float]],
) -> Transition:
    yes, no = CMP_TEXT[spec.comparison]
    word = yes if new == "ALARM" else no
    shown = [(w, v) for w, v in vals if v is not None] or present
    listing = ", ".join(f"{_fmt(v)} ({w.strftime('%d/%m/%y %H:%M:%S')})" for w, v in shown)
    n_match = sum(1 for _, v in shown if (_breach(v, spec) if new == "ALARM" else not _breach(v, spec)))
    if spec.evaluation_periods == 1:
        reason = (
            f"Threshold Crossed: 1 datapoint [{listing}] was {word} the threshold ({_fmt(spec.threshold)})."
        )
    else:
        need = (
            spec.datapoints_to_alarm
            if new == "ALARM"
            else spec.evaluation_periods - spec.datapoints_to_alarm + 1
        )
        arrow = f"{old} -> {new}"
        plural = "were" if n_match != 1 else "was"
        reason = (
            f"Threshold Crossed: {n_match} out of the last {spec.evaluation_periods} datapoints [{listing}] "
            f"{plural} {word} the threshold ({_fmt(spec.threshold)}) (minimum {need} datapoint"
            f"{'s' if need != 1 else ''} for {arrow} transition)."
        )
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": cw_ts(at),
        "startDate": cw_ts(vals[-1][0]),
    }
    if spec.stat.startswith("p"):
        data["extendedStatistic"] = spec.stat
    else:
        data["statistic"] = spec.stat
    if spec.unit:
        data["unit"] = spec.unit
    data["period"] = spec.period
    data["recentDatapoints"] = [round(v, 6) for _, v in reversed(shown)]
    data["threshold"] = float(spec.threshold)
    data["evaluatedDatapoints"] = [
        {
            "timestamp": cw_ts(w),
            **({"sampleCount": float(spec.period)} if spec.stat == "Sum" else {}),
            "value": round(v, 6),
        }
        for w, v in shown
    ]
    return Transition(at, old, new, reason, data)


def alarm_item(
    spec: AlarmSpec,
    account: str,
    region: str,
    topic: str,
    configured: datetime,
    transitions: list[Transition],
    quiet_reason: str,
    quiet_since: datetime,
    now: datetime,
    ok_actions: bool = True,
) -> dict[str, Any]:
    seen = [tr for tr in transitions if tr.at <= now]
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    item: dict[str, Any] = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
    }
    if spec.description:
        item["AlarmDescription"] = spec.description
    item.update(
        {
            "AlarmConfigurationUpdatedTimestamp": iso_ms(configured),
            "ActionsEnabled": True,
            "OKActions": [topic] if ok_actions and topic else [],
            "AlarmActions": [topic] if topic else [],
            "InsufficientDataActions": [],
        }
    )
    if seen:
        last = seen[-1]
        item["StateValue"] = last.new
        item["StateReason"] = last.reason
        item["StateReasonData"] = json.dumps(last.reason_data, separators=(",", ":"))
        item["StateUpdatedTimestamp"] = iso_ms(last.at)
        item["StateTransitionedTimestamp"] = iso_ms(last.at)
    else:
        item["StateValue"] = "OK"
        item["StateReason"] = quiet_reason
        item["StateUpdatedTimestamp"] = iso_ms(quiet_since)
        item["StateTransitionedTimestamp"] = iso_ms(quiet_since)
    item["MetricName"] = spec.metric
    item["Namespace"] = spec.namespace
    if spec.stat.startswith("p"):
        item["ExtendedStatistic"] = spec.stat
    else:
        item["Statistic"] = spec.stat
    item["Dimensions"] = [{"Name": k, "Value": v} for k, v in spec.dims.items()]
    item["Period"] = spec.period
    if spec.unit:
        item["Unit"] = spec.unit
    item["EvaluationPeriods"] = spec.evaluation_periods
    item["DatapointsToAlarm"] = spec.datapoints_to_alarm
    item["Threshold"] = float(spec.threshold)
    item["ComparisonOperator"] = spec.comparison
    item["TreatMissingData"] = spec.treat_missing
    return item


def history_items(spec: AlarmSpec, transitions: list[Transition], now: datetime) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    prev_reason: dict[str, Any] | None = None
    for tr in transitions:
        if tr.at > now:
            continue
        data: dict[str, Any] = {
            "version": "1.0",
            "oldState": {
                "stateValue": tr.old,
                "stateReason": prev_reason["reason"]
                if prev_reason
                else "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
                "was treated as [NonBreaching].",
            },
            "newState": {"stateValue": tr.new, "stateReason": tr.reason, "stateReasonData": tr.reason_data},
        }
        if prev_reason:
            data["oldState"]["stateReasonData"] = prev_reason["data"]
        out.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(tr.at),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {tr.old} to {tr.new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )
        prev_reason = {"reason": tr.reason, "data": tr.reason_data}
    return out


def created_history(name: str, at: datetime, spec_json: dict[str, Any]) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": iso_ms(at),
        "HistoryItemType": "ConfigurationUpdate",
        "HistorySummary": f'Alarm "{name}" created',
        "HistoryData": json.dumps(
            {"version": "1.0", "type": "Create", "createdAlarm": spec_json}, separators=(",", ":")
        ),
    }


def alarm_event(
    ids: Ids,
    spec: AlarmSpec,
    account: str,
    region: str,
    tr: Transition,
    prev: Transition | None,
    prev_reason: str = "",
) -> dict[str, Any]:
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    stat_key = "stat"
    metric_stat: dict[str, Any] = {
        "metric": {"namespace": spec.namespace, "name": spec.metric, "dimensions": dict(spec.dims)},
        "period": spec.period,
        stat_key: spec.stat,
    }
    if spec.unit:
        metric_stat["unit"] = spec.unit
    prev_state: dict[str, Any] = {
        "value": tr.old,
        "reason": prev.reason if prev else prev_reason,
        "timestamp": cw_ts(prev.at) if prev else cw_ts(tr.at - timedelta(days=2)),
    }
    if prev:
        prev_state["reasonData"] = json.dumps(prev.reason_data, separators=(",", ":"))
    return {
        "version": "0",
        "id": ids.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(tr.at + timedelta(seconds=1)),
        "region": region,
        "resources": [arn],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": tr.new,
                "reason": tr.reason,
                "reasonData": json.dumps(tr.reason_data, separators=(",", ":")),
                "timestamp": cw_ts(tr.at),
            },
            "previousState": prev_state,
            "configuration": {
                **({"description": spec.description} if spec.description else {}),
                "metrics": [{"id": ids.uuid(), "metricStat": metric_stat, "returnData": True}],
            },
        },
    }


def quiet_ok_reason(spec: AlarmSpec, t: datetime, value: float) -> str:
    _, no = CMP_TEXT[spec.comparison]
    return (
        f"Threshold Crossed: 1 datapoint [{_fmt(value)} ({t.strftime('%d/%m/%y %H:%M:%S')})] was {no} the "
        f"threshold ({_fmt(spec.threshold)})."
    )


# --- logs -------------------------------------------------------------------------------------------


def log(group: str, stream: str, t: datetime, message: str) -> dict[str, Any]:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def sort_logs(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


# --- resources --------------------------------------------------------------------------------------


def res(service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"service": service, "type": type_, "item": item}


def tags(d: dict[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in d.items()]


def vpc_item(vpc_id: str, cidr: str, account: str, name: str) -> dict[str, Any]:
    return {
        "CidrBlock": cidr,
        "DhcpOptionsId": "dopt-0" + vpc_id[-16:][::-1],
        "State": "available",
        "VpcId": vpc_id,
        "OwnerId": account,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": "vpc-cidr-assoc-0" + vpc_id[-16:],
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": False,
        "Tags": tags({"Name": name}),
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
        "Tags": tags({"Name": name}),
        "SubnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{subnet_id}",
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def sg_item(
    sg_id: str, name: str, desc: str, vpc_id: str, account: str, ingress: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": ingress,
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
        "Tags": tags({"Name": name}),
        "VpcId": vpc_id,
    }


def tcp_from_sg(port: int, sg_id: str, account: str, desc: str = "") -> dict[str, Any]:
    pair: dict[str, Any] = {"GroupId": sg_id, "UserId": account}
    if desc:
        pair["Description"] = desc
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": port,
        "UserIdGroupPairs": [pair],
    }


def tcp_from_cidrs(port: int, cidrs: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [{"CidrIp": c, **({"Description": d} if d else {})} for c, d in cidrs],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": port,
        "UserIdGroupPairs": [],
    }


def log_group_item(
    name: str, account: str, region: str, created: datetime, retention: int, stored: int
) -> dict[str, Any]:
    arn = f"arn:aws:logs:{region}:{account}:log-group:{name}"
    return {
        "logGroupName": name,
        "creationTime": ms(created),
        "retentionInDays": retention,
        "metricFilterCount": 0,
        "arn": arn + ":*",
        "storedBytes": stored,
        "logGroupClass": "STANDARD",
        "logGroupArn": arn,
    }


def iam_role_item(
    name: str, account: str, role_id: str, created: datetime, trust_service: str, desc: str = ""
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Path": "/",
        "RoleName": name,
        "RoleId": role_id,
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": trust_service}, "Action": "sts:AssumeRole"}
                ],
            },
            separators=(",", ":"),
        ),
        "MaxSessionDuration": 3600,
    }
    if desc:
        item["Description"] = desc
    return item


# --- ELB / ECS items --------------------------------------------------------------------------------


def alb_item(
    arn: str,
    name: str,
    dns: str,
    created: datetime,
    vpc_id: str,
    subnets: list[tuple[str, str]],
    sgs: list[str],
    scheme: str = "internet-facing",
) -> dict[str, Any]:
    return {
        "LoadBalancerArn": arn,
        "DNSName": dns,
        "CanonicalHostedZoneId": "Z1GM3OXH4ZPM65",
        "CreatedTime": iso_ms(created),
        "LoadBalancerName": name,
        "Scheme": scheme,
        "VpcId": vpc_id,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []} for sn, az in subnets
        ],
        "SecurityGroups": sgs,
        "IpAddressType": "ipv4",
    }


def tg_item(
    arn: str, name: str, vpc_id: str, lb_arn: str, path: str, port: int = 8000, target_type: str = "ip"
) -> dict[str, Any]:
    return {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": vpc_id,
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


def ecs_task_def_item(
    arn: str,
    family: str,
    revision: int,
    image: str,
    cpu: str,
    memory: str,
    role_arn: str,
    exec_arn: str,
    log_group: str,
    region: str,
    port: int | None,
    env: dict[str, str],
    registered: datetime,
    prefix: str,
    container: str,
    command: list[str] | None = None,
) -> dict[str, Any]:
    cdef: dict[str, Any] = {
        "name": container,
        "image": image,
        "cpu": 0,
        "essential": True,
        "environment": [{"name": a, "value": b} for a, b in env.items()],
        "mountPoints": [],
        "volumesFrom": [],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": prefix,
            },
        },
    }
    if port:
        cdef["portMappings"] = [{"containerPort": port, "hostPort": port, "protocol": "tcp"}]
    if command:
        cdef["command"] = command
    return {
        "taskDefinitionArn": arn,
        "containerDefinitions": [cdef],
        "family": family,
        "taskRoleArn": role_arn,
        "executionRoleArn": exec_arn,
        "networkMode": "awsvpc",
        "revision": revision,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [
            {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
            {"name": "ecs.capability.execution-role-awslogs"},
            {"name": "com.amazonaws.ecs.capability.task-iam-role"},
        ],
        "placementConstraints": [],
        "compatibilities": ["EC2", "FARGATE"],
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "requiresCompatibilities": ["FARGATE"],
        "cpu": cpu,
        "memory": memory,
        "registeredAt": iso_ms(registered),
        "registeredBy": "",
    }
