# Incidents by author ze, in the order written:
# 1. classbook-lunch-errors: gym class-booking API (ECS Fargate, Java) 5xx and slow at the lunch peak;
#    hours earlier someone lowered the RDS Proxy target group's MaxConnectionsPercent (change).
# 2. shelfwise-api-evening-500s: e-book lending REST API returns 500 on every route at the evening ramp;
#    a Terraform apply set the Lambda authorizer's result TTL to 0, the authorizer hits its reserved
#    concurrency (change, API Gateway), next to an innocent backend deploy.
# 3. kerbside-unlock-failures: car-sharing unlocks failing since late morning; the Redis primary node
#    failed, auto-failover promoted the replica, and the service still writes to the old node endpoint,
#    now a replica (component_failure).
# 4. (not written) lessonloop-progress-writer-errors: progress-writer Lambda errors on Monday's cohort start; a DynamoDB
#    GSI with fixed provisioned WCU (only the base table is auto scaled) throttles and back-pressures
#    base-table writes (limit).
# 5. (not written) tidemark-concurrency-alarm: new account-level Lambda concurrency alarm fires at the nightly
#    thumbnail re-render fan-out, which does the same every night without throttles (no fault).
"""Private helpers for author ze's fresh incidents: ids, time grids, metric series, CloudTrail records,
alarms and their history."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]

# --- ids and times ---------------------------------------------------------------------------------


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    v = "89ab"[rng.randrange(4)]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"


def alnum(rng: random.Random, n: int, upper: bool = True) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(n))


def account(rng: random.Random) -> str:
    return str(rng.randrange(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def day(rng: random.Random, weekday: int, first: datetime | None = None, span_weeks: int = 40) -> datetime:
    """A midnight UTC on the given weekday (0 = Monday), somewhere in 2024 (not near the holidays)."""
    base = first or datetime(2024, 2, 5, tzinfo=UTC)
    d = base + timedelta(weeks=rng.randrange(span_weeks))
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def minutes(start: datetime, end: datetime) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=1)
    return out


# --- daily shapes and noise -----------------------------------------------------------------------


def bump(hour: float, centre: float, width: float) -> float:
    d = min(abs(hour - centre), 24 - abs(hour - centre))
    return math.exp(-0.5 * (d / width) ** 2)


def local_hour(t: datetime, offset_h: float) -> float:
    lt = t + timedelta(hours=offset_h)
    return lt.hour + lt.minute / 60


def weekday_shape(
    t: datetime, offset_h: float, peaks: Iterable[tuple[float, float, float]], floor: float
) -> float:
    """floor + sum of bumps (centre, width, height) at the local hour: a 0..~1 load multiplier."""
    h = local_hour(t, offset_h)
    return floor + sum(height * bump(h, c, w) for c, w, height in peaks)


def ramp(t: datetime, at: datetime, over_min: float) -> float:
    """0 before `at`, rising to 1 over `over_min` minutes."""
    x = (t - at).total_seconds() / 60
    if x <= 0:
        return 0.0
    return min(1.0, x / over_min) if over_min > 0 else 1.0


class Noise:
    """Slowly wandering multiplicative noise (an AR(1) walk) plus a jitter per point."""

    def __init__(self, rng: random.Random, sd: float = 0.04, jitter: float = 0.03) -> None:
        self.rng = rng
        self.sd = sd
        self.jitter = jitter
        self.level = 0.0

    def __call__(self) -> float:
        self.level = 0.9 * self.level + self.rng.gauss(0, self.sd)
        return max(0.2, 1 + self.level + self.rng.gauss(0, self.jitter))


# --- metrics --------------------------------------------------------------------------------------


@dataclass
class Grid:
    """The whole window minute by minute; datapoints are written every minute from `fine_from` on and
    as 5-minute statistic sets before it."""

    start: datetime
    now: datetime
    fine_from: datetime
    coarse_min: int = 5

    @property
    def mins(self) -> list[datetime]:
        return minutes(self.start, self.now)


@dataclass
class Metrics:
    grid: Grid
    rows: list[Json] = field(default_factory=list)
    series: dict[tuple[str, str, str], dict[datetime, float]] = field(default_factory=dict)

    def add(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        *,
        omit_zero: bool = False,
        digits: int = 2,
        integer: bool = False,
    ) -> dict[datetime, float]:
        """A per-minute series from fn(t) (None: no datapoint that minute)."""
        vals: dict[datetime, float] = {}
        for t in self.grid.mins:
            v = fn(t)
            if v is None:
                continue
            v = max(0.0, v)
            v = float(round(v)) if integer else round(v, digits)
            if omit_zero and v == 0:
                continue
            vals[t] = v
        self.series[(ns, name, json.dumps(dims, sort_keys=True))] = vals
        self._emit(ns, name, dims, unit, vals)
        return vals

    def _emit(self, ns: str, name: str, dims: dict[str, str], unit: str, vals: dict[datetime, float]) -> None:
        g = self.grid
        bucket: list[float] = []
        bucket_t: datetime | None = None

        def flush() -> None:
            if bucket and bucket_t is not None:
                self.rows.append(
                    {
                        "namespace": ns,
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": iso(bucket_t),
                        "unit": unit,
                        "statistic_values": {
                            "SampleCount": float(len(bucket)),
                            "Sum": round(sum(bucket), 4),
                            "Minimum": min(bucket),
                            "Maximum": max(bucket),
                        },
                    }
                )

        for t in g.mins:
            if t >= g.fine_from:
                break
            bt = t - timedelta(minutes=(t.minute % g.coarse_min))
            if bt != bucket_t:
                flush()
                bucket, bucket_t = [], bt
            if t in vals:
                bucket.append(vals[t])
        flush()
        for t in g.mins:
            if t >= g.fine_from and t in vals:
                self.rows.append(
                    {
                        "namespace": ns,
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": vals[t],
                    }
                )

    def dist(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], tuple[float, float] | None],
        rng: random.Random,
        extra: Callable[[datetime], tuple[float, float] | None] | None = None,
    ) -> dict[datetime, tuple[float, float]]:
        """A latency-like distribution each minute: fn(t) -> (count, median); values/counts skewed right.
        Returns the per-minute (count, p99) for alarm evaluation."""
        out: dict[datetime, tuple[float, float]] = {}
        g = self.grid
        shape = [(0.55, 0.35), (0.85, 0.25), (1.0, 0.2), (1.5, 0.12), (2.4, 0.05), (4.0, 0.025), (7.0, 0.005)]
        per_min: dict[datetime, tuple[list[float], list[float]]] = {}
        for t in g.mins:
            r = fn(t)
            if r is None:
                continue
            n, med = r
            if n < 1:
                continue
            values = [round(med * f * (1 + rng.gauss(0, 0.04)), 4) for f, _ in shape]
            counts = [max(1.0, float(round(n * w))) for _, w in shape]
            more = extra(t) if extra else None
            if more and more[0] >= 1:
                values.append(round(more[1] * (1 + rng.gauss(0, 0.01)), 4))
                counts.append(float(round(more[0])))
                order = sorted(range(len(values)), key=lambda j: values[j])
                values = [values[j] for j in order]
                counts = [counts[j] for j in order]
            per_min[t] = (values, counts)
            cum, total, p99 = 0.0, sum(counts), values[-1]
            for v, c in zip(values, counts, strict=True):
                cum += c
                if cum >= 0.99 * total:
                    p99 = v
                    break
            out[t] = (total, p99)
        # coarse: merge five minutes of histograms into one datapoint
        buckets: dict[datetime, tuple[list[float], list[float]]] = {}
        fine_rows: list[Json] = []
        for t, (vs, cs) in per_min.items():
            if t < g.fine_from:
                bt = t - timedelta(minutes=(t.minute % g.coarse_min))
                b = buckets.setdefault(bt, ([], []))
                b[0].extend(vs)
                b[1].extend(cs)
            else:
                fine_rows.append(
                    {
                        "namespace": ns,
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "values": vs,
                        "counts": cs,
                    }
                )
        for bt, (vs, cs) in sorted(buckets.items()):
            self.rows.append(
                {
                    "namespace": ns,
                    "metric": name,
                    "dimensions": dims,
                    "timestamp": iso(bt),
                    "unit": unit,
                    "values": vs,
                    "counts": cs,
                }
            )
        self.rows.extend(fine_rows)
        return out


def aggregate(vals: dict[datetime, float], period_min: int, stat: str) -> dict[datetime, float]:
    """Per-minute values to alarm-period datapoints (Sum, Average, Maximum, Minimum, SampleCount)."""
    groups: dict[datetime, list[float]] = {}
    for t, v in vals.items():
        epoch_min = int(t.timestamp() // 60)
        bt = datetime.fromtimestamp((epoch_min - epoch_min % period_min) * 60, UTC)
        groups.setdefault(bt, []).append(v)
    out: dict[datetime, float] = {}
    for bt, vs in sorted(groups.items()):
        if stat == "Sum":
            out[bt] = sum(vs)
        elif stat == "Average":
            out[bt] = sum(vs) / len(vs)
        elif stat == "Maximum":
            out[bt] = max(vs)
        elif stat == "Minimum":
            out[bt] = min(vs)
        else:
            out[bt] = float(len(vs))
    return out


# --- CloudTrail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who made a call: an SSO user, a CI/automation role session, or an AWS service."""

    kind: str  # "sso", "role", "service"
    account: str
    role: str = ""
    session: str = ""
    role_id: str = ""
    key_id: str = ""
    ip: str = ""
    agent: str = ""
    service: str = ""
    region: str = "us-east-1"

    def identity(self, when: datetime) -> Json:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.service}
        if self.kind == "sso":
            issuer = (
                f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{self.role}"
            )
        else:
            issuer = f"arn:aws:iam::{self.account}:role/{self.role}"
        created = when - timedelta(minutes=(when.minute % 47) + 3)
        return {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.session}",
            "accountId": self.account,
            "accessKeyId": self.key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": issuer,
                    "accountId": self.account,
                    "userName": self.role,
                },
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        }


def sso_user(rng: random.Random, acct: str, region: str, perm_set: str, email: str) -> Principal:
    ip = f"{rng.choice([81, 86, 94, 109, 176, 203])}.{rng.randrange(1, 255)}.{rng.randrange(255)}.{rng.randrange(1, 255)}"
    return Principal(
        "sso",
        acct,
        role=f"AWSReservedSSO_{perm_set}_{hexs(rng, 16)}",
        session=email,
        role_id="AROA" + alnum(rng, 17),
        key_id="ASIA" + alnum(rng, 16),
        ip=ip,
        agent="",
        region=region,
    )


def role_session(
    rng: random.Random, acct: str, role: str, session: str, agent: str, ip: str = ""
) -> Principal:
    if not ip:
        ip = f"{rng.choice([3, 18, 34, 44, 52, 54])}.{rng.randrange(1, 255)}.{rng.randrange(255)}.{rng.randrange(1, 255)}"
    return Principal(
        "role",
        acct,
        role=role,
        session=session,
        role_id="AROA" + alnum(rng, 17),
        key_id="ASIA" + alnum(rng, 16),
        ip=ip,
        agent=agent,
    )


def service_principal(acct: str, service: str) -> Principal:
    return Principal("service", acct, service=service, ip=service, agent=service)


CONSOLE_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"


def cli_agent(command: str) -> str:
    return (
        "aws-cli/2.15.38 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
        f"md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{command}"
    )


def tf_agent(api: str) -> str:
    return (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 "
        f"md/GOOS#linux md/GOARCH#amd64 api/{api}"
    )


def ct(
    rng: random.Random,
    who: Principal,
    when: datetime,
    source: str,
    name: str,
    region: str,
    params: Json | None,
    response: Json | None = None,
    *,
    read_only: bool = False,
    agent: str | None = None,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
) -> Json:
    """A management-event record as CloudTrail delivers it to S3."""
    host = source.replace(".amazonaws.com", f".{region}.amazonaws.com")
    rec: Json = {
        "eventVersion": "1.09" if who.kind != "service" else "1.08",
        "userIdentity": who.identity(when),
        "eventTime": iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.ip if who.kind != "service" else who.service,
        "userAgent": agent or (who.agent if who.kind != "sso" else CONSOLE_AGENT),
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = uuid(rng)
    rec["eventID"] = uuid(rng)
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = who.account
    rec["eventCategory"] = "Management"
    if who.kind != "service":
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if who.kind == "sso":
        rec["sessionCredentialFromConsole"] = "true"
    return rec


def routine_reads(
    rng: random.Random,
    who: list[Principal],
    calls: list[tuple[str, str, Json | None]],
    region: str,
    start: datetime,
    end: datetime,
    n: int,
) -> list[Json]:
    """n read-only calls spread over [start, end) by the given principals."""
    out = []
    span = int((end - start).total_seconds())
    for _ in range(n):
        t = start + timedelta(seconds=rng.randrange(span))
        p = who[rng.randrange(len(who))]
        source, name, params = calls[rng.randrange(len(calls))]
        out.append(ct(rng, p, t, source, name, region, params, None, read_only=True))
    return out


def sort_trail(records: list[Json]) -> list[Json]:
    return sorted(records, key=lambda r: (r["eventTime"], r["eventID"]))


# --- alarms ---------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _short(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dims: dict[str, str]
    stat: str  # Sum, Average, Maximum, ... or p99
    period: int  # seconds
    evals: int
    to_alarm: int
    threshold: float
    op: str
    description: str = ""
    treat_missing: str = "missing"
    unit: str | None = None
    actions: list[str] = field(default_factory=list)
    created: datetime | None = None


def evaluate(
    spec: AlarmSpec,
    points: dict[datetime, float],
    region: str,
    acct: str,
    now: datetime,
    rng: random.Random,
) -> tuple[Json, list[Json], Json | None]:
    """Walk the alarm over its period datapoints; return (MetricAlarm, history items, last ALARM event).

    The alarm is evaluated a little after each period closes (plus ingestion delay)."""
    arn = f"arn:aws:cloudwatch:{region}:{acct}:alarm:{spec.name}"
    cmp_fn, words = _OPS[spec.op]
    per = spec.period // 60
    times = sorted(t for t in points if t + timedelta(minutes=per) <= now)
    created = spec.created or (min(points) if points else now)
    state = "OK"
    last_change = created
    history: list[Json] = []
    reason = "Threshold Crossed: no datapoints were received for the evaluation period."
    reason_data: Json = {}
    last_event: Json | None = None
    prev_reason, prev_time = "Unchecked: Initial alarm creation", created
    if created < now - timedelta(days=30):
        prev_time = (
            min(points) - timedelta(days=2 + rng.randrange(20), minutes=rng.randrange(1440))
            if points
            else created
        )
        prev_reason = (
            f"Threshold Crossed: {spec.evals} datapoint{'s' if spec.evals > 1 else ''} were not {words} the "
            f"threshold ({spec.threshold})."
        )
    prev_data: Json = {}
    if spec.created is not None and spec.created >= now - timedelta(days=30):
        history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(spec.created).replace("+0000", "Z"),
                "HistoryItemType": "ConfigurationUpdate",
                "HistorySummary": f'Alarm "{spec.name}" created',
                "HistoryData": json.dumps(
                    {
                        "type": "Create",
                        "version": "1.0",
                        "createdAlarm": {
                            "alarmName": spec.name,
                            "metricName": spec.metric,
                            "namespace": spec.namespace,
                            "threshold": spec.threshold,
                            "comparisonOperator": spec.op,
                            "evaluationPeriods": spec.evals,
                            "datapointsToAlarm": spec.to_alarm,
                            "period": spec.period,
                        },
                    }
                ),
            }
        )
    for i, t in enumerate(times):
        if t < created:
            continue
        window = [
            w
            for w in times[max(0, i - spec.evals + 1) : i + 1]
            if w >= created - timedelta(minutes=per * spec.evals)
        ]
        breaching = [w for w in window if cmp_fn(points[w], spec.threshold)]
        new = state
        if len(breaching) >= spec.to_alarm:
            new = "ALARM"
        elif (
            len(window) >= min(spec.evals, spec.to_alarm)
            and len(breaching) < spec.to_alarm
            and state == "ALARM"
        ):
            new = "OK"
        if new == state:
            continue
        at = (
            t
            + timedelta(minutes=per)
            + timedelta(seconds=40 + rng.randrange(40), milliseconds=rng.randrange(1000))
        )
        recent = list(reversed(window))
        shown = ", ".join(f"{round(points[w], 4)} ({_short(w)})" for w in recent[: spec.evals])
        if new == "ALARM":
            reason = (
                f"Threshold Crossed: {len(breaching)} out of the last {len(window)} datapoints [{shown}] were "
                f"{words} the threshold ({spec.threshold}) (minimum {spec.to_alarm} datapoint"
                f"{'s' if spec.to_alarm > 1 else ''} for OK -> ALARM transition)."
            )
        else:
            reason = (
                f"Threshold Crossed: {len(window) - len(breaching)} out of the last {len(window)} datapoints "
                f"[{shown}] {'was' if len(window) - len(breaching) == 1 else 'were'} not {words} the threshold ({spec.threshold}) (minimum 1 datapoint for ALARM -> OK "
                "transition)."
            )
        stat_key = "extendedStatistic" if spec.stat.startswith("p") else "statistic"
        reason_data = {
            "version": "1.0",
            "queryDate": iso_ms(at),
            "startDate": iso_ms(window[0]),
            stat_key: spec.stat,
            "period": spec.period,
            "recentDatapoints": [round(points[w], 4) for w in window],
            "threshold": spec.threshold,
            "evaluatedDatapoints": [
                {"timestamp": iso_ms(w), "value": round(points[w], 4)} for w in reversed(window)
            ],
        }
        history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(at).replace("+0000", "Z"),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {state} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": state, "stateReason": prev_reason}
                        | ({"stateReasonData": prev_data} if prev_data else {}),
                        "newState": {
                            "stateValue": new,
                            "stateReason": reason,
                            "stateReasonData": reason_data,
                        },
                    }
                ),
            }
        )
        if new == "ALARM":
            last_event = {
                "version": "0",
                "id": uuid(rng),
                "detail-type": "CloudWatch Alarm State Change",
                "source": "aws.cloudwatch",
                "account": acct,
                "time": iso(at),
                "region": region,
                "resources": [arn],
                "detail": {
                    "alarmName": spec.name,
                    "state": {
                        "value": "ALARM",
                        "reason": reason,
                        "reasonData": json.dumps(reason_data),
                        "timestamp": iso_ms(at),
                    },
                    "previousState": {
                        "value": state,
                        "reason": prev_reason,
                        **({"reasonData": json.dumps(prev_data)} if prev_data else {}),
                        "timestamp": iso_ms(prev_time),
                    },
                    "configuration": {
                        "description": spec.description,
                        "metrics": [
                            {
                                "id": hexs(rng, 8) + "-" + hexs(rng, 4) + "-" + hexs(rng, 4),
                                "metricStat": {
                                    "metric": {
                                        "namespace": spec.namespace,
                                        "name": spec.metric,
                                        "dimensions": spec.dims,
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
        prev_reason, prev_data, prev_time = reason, reason_data, at
        state, last_change = new, at
    if not history or all(h["HistoryItemType"] != "StateUpdate" for h in history):
        # an alarm that never changed state has an OK reason from its latest evaluation
        recent_t = [t for t in times if t >= created][-spec.evals :]
        if recent_t:
            shown = ", ".join(f"{round(points[w], 4)} ({_short(w)})" for w in reversed(recent_t))
            reason = (
                f"Threshold Crossed: {len(recent_t)} datapoint{'s' if len(recent_t) > 1 else ''} [{shown}] "
                f"{'were' if len(recent_t) > 1 else 'was'} not {words} the threshold ({spec.threshold})."
            )
        last_change = prev_time if created < now - timedelta(days=30) else created + timedelta(seconds=50)
        reason_data = {}
    alarm: Json = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created).replace("+0000", "Z"),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(last_change).replace("+0000", "Z"),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evals,
        "DatapointsToAlarm": spec.to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.op,
        "TreatMissingData": spec.treat_missing,
        "StateTransitionedTimestamp": iso_ms(last_change).replace("+0000", "Z"),
    }
    if reason_data:
        alarm["StateReasonData"] = json.dumps(reason_data)
    if spec.stat.startswith("p"):
        alarm["ExtendedStatistic"] = spec.stat
    else:
        alarm["Statistic"] = spec.stat
    if spec.unit:
        alarm["Unit"] = spec.unit
    return alarm, history, last_event


# --- logs -----------------------------------------------------------------------------------------


def log(group: str, stream: str, t: datetime, message: str) -> Json:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def sort_logs(rows: list[Json]) -> list[Json]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def lambda_report(
    rng: random.Random, req: str, duration: float, mem: int, used: int, init: float | None = None
) -> tuple[str, str, str]:
    billed = math.ceil(duration)
    start = f"START RequestId: {req} Version: $LATEST"
    end = f"END RequestId: {req}"
    rep = (
        f"REPORT RequestId: {req}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t"
    )
    if init is not None:
        rep += f"Init Duration: {init:.2f} ms\t"
    return start, end, rep


def lambda_stream(rng: random.Random, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{hexs(rng, 32)}"


# --- resource helpers ----------------------------------------------------------------------------


def subnet_ids(rng: random.Random, n: int) -> list[str]:
    return [f"subnet-0{hexs(rng, 16)}" for _ in range(n)]


def sg_id(rng: random.Random) -> str:
    return f"sg-0{hexs(rng, 16)}"


def vpc_id(rng: random.Random) -> str:
    return f"vpc-0{hexs(rng, 16)}"


def ip_in(rng: random.Random, prefix: str) -> str:
    return f"{prefix}.{rng.randrange(1, 254)}"


def res(service: str, type_: str, item: Json) -> Json:
    return {"service": service, "type": type_, "item": item}


def pick(rng: random.Random, options: list[Any]) -> Any:
    return options[rng.randrange(len(options))]
