"""Private helpers for kit `o` incidents: ids, per-minute series, alarms, CloudTrail records, logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

Json = dict[str, Any]

HEX = "0123456789abcdef"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


# --- ids and time -----------------------------------------------------------------------------------


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(HEX) for _ in range(n))


def uuid(rng: random.Random) -> str:
    return f"{hexs(rng, 8)}-{hexs(rng, 4)}-4{hexs(rng, 3)}-{rng.choice('89ab')}{hexs(rng, 3)}-{hexs(rng, 12)}"


def upper(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def account_id(rng: random.Random) -> str:
    return str(rng.randint(2 * 10**11, 9 * 10**11))


def instance_id(rng: random.Random) -> str:
    return "i-0" + hexs(rng, 16)


def res_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-0{hexs(rng, 16)}"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """2024-05-01T14:03:00.000+0000, as CloudWatch writes times in alarm reasons and events."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def pick_day(rng: random.Random, year: int = 2024) -> datetime:
    """A midnight (UTC) on a weekday in the given year, varied by seed."""
    while True:
        d = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(20, 330))
        if d.weekday() < 4:
            return d


# --- per-minute series ------------------------------------------------------------------------------


@dataclass
class Clock:
    start: datetime
    now: datetime

    @property
    def minutes(self) -> int:
        return int((self.now - self.start).total_seconds() // 60)

    def at(self, i: int) -> datetime:
        return self.start + timedelta(minutes=i)

    def index(self, t: datetime) -> int:
        return int((t - self.start).total_seconds() // 60)


def smooth_noise(rng: random.Random, n: int, scale: float, corr: float = 0.85) -> list[float]:
    """AR(1) noise with the given standard deviation."""
    out: list[float] = []
    x = 0.0
    k = math.sqrt(1 - corr * corr)
    for _ in range(n):
        x = corr * x + k * rng.gauss(0, 1)
        out.append(x * scale)
    return out


def daily(
    t: datetime, utc_offset_h: float, peaks: Sequence[tuple[float, float, float]], floor: float
) -> float:
    """A daily shape in [floor, ~1]: peaks are (local hour, width in hours, height)."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    v = floor
    for centre, width, height in peaks:
        d = min(abs(h - centre), 24 - abs(h - centre))
        v += height * math.exp(-0.5 * (d / width) ** 2)
    return v


@dataclass
class Metrics:
    """Emits a per-minute series as datapoints: 1-minute values from `fine_from`, 5-minute statistic sets before."""

    clock: Clock
    fine_from: datetime
    rows: list[Json] = field(default_factory=list)

    def emit(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        series: Sequence[float | None],
        *,
        nonzero_only: bool = False,
        digits: int = 3,
        dist: Callable[[int, float], tuple[list[float], list[float]]] | None = None,
        every: int = 1,
    ) -> None:
        fine = self.clock.index(self.fine_from)
        n = self.clock.minutes
        i = 0
        while i < n:
            if i < fine:
                width = 5 - self.clock.at(i).minute % 5
                block = [v for v in series[i : min(i + width, fine)] if v is not None]
                step = min(width, fine - i)
                if block and not (nonzero_only and max(block) <= 0):
                    total = round(sum(block), digits)
                    self.rows.append(
                        {
                            "namespace": namespace,
                            "metric": metric,
                            "dimensions": dims,
                            "timestamp": iso(self.clock.at(i)),
                            "unit": unit,
                            "statistic_values": {
                                "SampleCount": float(len(block)),
                                "Sum": total,
                                "Minimum": round(min(block), digits),
                                "Maximum": round(max(block), digits),
                            },
                        }
                    )
                i += step
                continue
            v = series[i]
            if v is not None and not (nonzero_only and v <= 0) and (i - fine) % every == 0:
                row: Json = {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(self.clock.at(i)),
                    "unit": unit,
                }
                if dist is not None:
                    vals, counts = dist(i, v)
                    row["values"] = vals
                    row["counts"] = counts
                else:
                    row["value"] = round(v, digits)
                self.rows.append(row)
            i += 1


def latency_dist(
    rng: random.Random, count_of: Callable[[int], float], tail: float = 3.0
) -> Callable[[int, float], tuple[list[float], list[float]]]:
    """A distribution around a mean latency (seconds), with a tail, for values/counts datapoints."""

    def make(i: int, mean: float) -> tuple[list[float], list[float]]:
        n = max(1.0, round(count_of(i)))
        shares = [0.30, 0.30, 0.22, 0.12, 0.05, 0.01]
        factors = [0.45, 0.75, 1.05, 1.6, 2.4, tail]
        norm = sum(s * f for s, f in zip(shares, factors, strict=True))
        vals = [round(mean * f / norm * rng.uniform(0.95, 1.05), 4) for f in factors]
        counts = [float(max(1, round(n * s))) for s in shares]
        return vals, counts

    return make


def bucket(series: Sequence[float | None], clock: Clock, t0: int, period_min: int, stat: str) -> float | None:
    vals = [v for v in series[t0 : t0 + period_min] if v is not None]
    if not vals:
        return None
    if stat == "Sum":
        return sum(vals)
    if stat == "Maximum":
        return max(vals)
    if stat == "Minimum":
        return min(vals)
    if stat == "SampleCount":
        return float(len(vals))
    return sum(vals) / len(vals)


# --- alarms -----------------------------------------------------------------------------------------

OP_WORDS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def _breach(op: str, v: float, th: float) -> bool:
    return {
        "GreaterThanThreshold": v > th,
        "GreaterThanOrEqualToThreshold": v >= th,
        "LessThanThreshold": v < th,
        "LessThanOrEqualToThreshold": v <= th,
    }[op]


def _num(v: float) -> str:
    return repr(float(round(v, 4)))


def _reason_date(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dims: dict[str, str]
    stat: str
    period: int
    evals: int
    threshold: float
    op: str
    datapoints: int | None = None
    description: str | None = None
    treat_missing: str = "missing"
    unit: str | None = None
    actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    configured: datetime | None = None


@dataclass
class Transition:
    time: datetime
    old: str
    new: str
    reason: str
    reason_data: Json


class Alarms:
    def __init__(self, rng: random.Random, clock: Clock, account: str, region: str) -> None:
        self.rng = rng
        self.clock = clock
        self.account = account
        self.region = region
        self.alarms: list[Json] = []
        self.history: list[Json] = []
        self.transitions: dict[str, list[Transition]] = {}
        self.initial: dict[str, tuple[str, datetime]] = {}

    def arn(self, name: str) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"

    def add(
        self, spec: AlarmSpec, series: Sequence[float | None], initial: str = "OK", *, sparse: bool = False
    ) -> list[Transition]:
        """Evaluate the alarm over the series (per minute from clock.start) and record its state and history."""
        rng = self.rng
        pm = spec.period // 60
        m = spec.datapoints or spec.evals
        state = initial
        trans: list[Transition] = []
        window: list[tuple[datetime, float | None]] = []
        last_data: Json = {}
        last_time = self.clock.start - timedelta(days=rng.randint(20, 200), minutes=rng.randint(0, 900))
        created_reason_time = last_time
        last_reason = first_reason = self._steady_reason(spec, series, sparse, created_reason_time)
        i = (-self.clock.start.minute) % pm  # CloudWatch periods start on multiples of the period
        n = self.clock.minutes
        while i + pm <= n:
            t_bucket = self.clock.at(i)
            v = bucket(series, self.clock, i, pm, spec.stat)
            i += pm
            if sparse and v is not None and v <= 0:
                v = None
            if v is None and not sparse:
                continue
            window.append((t_bucket, v))
            window = window[-spec.evals :]
            breaching = [p for p in window if p[1] is not None and _breach(spec.op, p[1], spec.threshold)]
            want = "ALARM" if len(breaching) >= m else "OK"
            if want == state:
                continue
            eval_time = t_bucket + timedelta(
                seconds=spec.period + rng.randint(25, 75), milliseconds=rng.randint(0, 999)
            )
            if eval_time > self.clock.now:
                break
            shown = [(t, x) for t, x in reversed(window) if x is not None]
            word = OP_WORDS[spec.op]
            pts = ", ".join(f"{_num(v)} ({_reason_date(t)})" for t, v in shown)
            if len(shown) == 1:
                verb = "was" if want == "ALARM" else "was not"
                reason = f"Threshold Crossed: 1 datapoint [{pts}] {verb} {word} the threshold ({_num(spec.threshold)})."
            else:
                cnt = len(breaching) if want == "ALARM" else len(shown) - len(breaching)
                verb = (
                    ("were" if cnt > 1 else "was")
                    if want == "ALARM"
                    else ("were not" if cnt > 1 else "was not")
                )
                need = m if want == "ALARM" else 1
                plural = "datapoints" if need > 1 else "datapoint"
                reason = (
                    f"Threshold Crossed: {cnt} out of the last {len(shown)} datapoints [{pts}] {verb} {word} "
                    f"the threshold ({_num(spec.threshold)}) (minimum {need} {plural} for {state} -> {want} transition)."
                )
            data: Json = {
                "version": "1.0",
                "queryDate": iso_ms(eval_time),
                "startDate": iso_ms(window[0][0]),
                "statistic": spec.stat,
                "period": spec.period,
                "recentDatapoints": [round(x, 4) for _, x in window if x is not None],
                "threshold": float(spec.threshold),
                "evaluatedDatapoints": [
                    {"timestamp": iso_ms(t), "sampleCount": float(pm), "value": round(v, 4)} for t, v in shown
                ],
            }
            trans.append(Transition(eval_time, state, want, reason, data))
            self.history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(eval_time).replace("+0000", "Z"),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {want}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {
                                "stateValue": state,
                                "stateReason": last_reason or "Unchecked: Initial alarm creation",
                            }
                            | ({"stateReasonData": last_data} if last_data else {}),
                            "newState": {"stateValue": want, "stateReason": reason, "stateReasonData": data},
                        },
                        separators=(",", ":"),
                    ),
                }
            )
            targets = spec.actions if want == "ALARM" else spec.ok_actions
            for target in targets:
                at = eval_time + timedelta(milliseconds=rng.randint(80, 600))
                self.history.append(
                    {
                        "AlarmName": spec.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(at).replace("+0000", "Z"),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {target}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": int(eval_time.timestamp() * 1000),
                                "notificationResource": target,
                                "publishedMessage": {"messageId": uuid(rng)},
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
            state = want
            last_reason, last_data, last_time = reason, data, eval_time
        if not trans:
            last_reason = ""
        item: Json = {
            "AlarmName": spec.name,
            "AlarmArn": self.arn(spec.name),
            "AlarmConfigurationUpdatedTimestamp": iso_ms(spec.configured or created_reason_time).replace(
                "+0000", "Z"
            ),
            "ActionsEnabled": True,
            "OKActions": spec.ok_actions,
            "AlarmActions": spec.actions,
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": last_reason or self._steady_reason(spec, series, sparse, last_time),
            "StateUpdatedTimestamp": iso_ms(last_time).replace("+0000", "Z"),
            "MetricName": spec.metric,
            "Namespace": spec.namespace,
            "Statistic": spec.stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
            "Period": spec.period,
            "EvaluationPeriods": spec.evals,
            "DatapointsToAlarm": m,
            "Threshold": float(spec.threshold),
            "ComparisonOperator": spec.op,
            "TreatMissingData": spec.treat_missing,
            "StateTransitionedTimestamp": iso_ms(last_time).replace("+0000", "Z"),
        }
        if last_data:
            item["StateReasonData"] = json.dumps(last_data, separators=(",", ":"))
        if spec.description:
            item["AlarmDescription"] = spec.description
        if spec.unit:
            item["Unit"] = spec.unit
        self.alarms.append(item)
        self.transitions[spec.name] = trans
        self.initial[spec.name] = (first_reason, created_reason_time)
        return trans

    def _first_reason(
        self, spec: AlarmSpec, window: list[tuple[datetime, float | None]], sparse: bool
    ) -> str:
        vals = [(t, v) for t, v in window if v is not None]
        if not vals:
            e = spec.evals
            return (
                f"Threshold Crossed: no datapoints were received for {e} period{'s' if e > 1 else ''} and {e} "
                f"missing datapoint{'s were' if e > 1 else ' was'} treated as [NonBreaching]."
            )
        t, v = vals[-1]
        return (
            f"Threshold Crossed: 1 datapoint [{_num(v)} ({_reason_date(t)})] was not "
            f"{OP_WORDS[spec.op]} the threshold ({_num(spec.threshold)})."
        )

    def _steady_reason(
        self, spec: AlarmSpec, series: Sequence[float | None], sparse: bool, when: datetime
    ) -> str:
        pm = spec.period // 60
        v = bucket(series, self.clock, (-self.clock.start.minute) % pm, pm, spec.stat)
        if sparse and v is not None and v <= 0:
            v = None
        t = floor_minute(when - timedelta(seconds=spec.period + 60))
        t = t - timedelta(minutes=t.minute % pm)
        return self._first_reason(spec, [(t, v)] * spec.evals, sparse)

    def event(self, spec: AlarmSpec, tr: Transition) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event for a transition."""
        prev = None
        for other in self.transitions.get(spec.name, []):
            if other.time < tr.time:
                prev = other
        if prev:
            prev_state: Json = {"value": tr.old, "timestamp": iso_ms(prev.time), "reason": prev.reason}
            prev_state["reasonData"] = json.dumps(prev.reason_data, separators=(",", ":"))
        else:
            reason, when = self.initial.get(
                spec.name, ("Unchecked: Initial alarm creation", self.clock.start)
            )
            prev_state = {"value": tr.old, "timestamp": iso_ms(when), "reason": reason}
        metric_stat: Json = {
            "metric": {"namespace": spec.namespace, "name": spec.metric, "dimensions": dict(spec.dims)},
            "period": spec.period,
            "stat": spec.stat,
        }
        if spec.unit:
            metric_stat["unit"] = spec.unit
        config: Json = {
            "metrics": [
                {
                    "id": hexs(self.rng, 8) + "-" + hexs(self.rng, 4),
                    "metricStat": metric_stat,
                    "returnData": True,
                }
            ]
        }
        if spec.description:
            config = {"description": spec.description} | config
        return {
            "version": "0",
            "id": uuid(self.rng),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(tr.time + timedelta(seconds=1)),
            "region": self.region,
            "resources": [self.arn(spec.name)],
            "detail": {
                "alarmName": spec.name,
                "state": {
                    "value": tr.new,
                    "reason": tr.reason,
                    "reasonData": json.dumps(tr.reason_data, separators=(",", ":")),
                    "timestamp": iso_ms(tr.time),
                },
                "previousState": prev_state,
                "configuration": config,
            },
        }


# --- CloudTrail -------------------------------------------------------------------------------------


@dataclass
class Principal:
    identity: Json
    source_ip: str
    user_agent: str
    console: bool = False
    service: bool = False
    tls: bool = True


class Trail:
    def __init__(self, rng: random.Random, account: str, region: str) -> None:
        self.rng = rng
        self.account = account
        self.region = region
        self.rows: list[Json] = []

    # principals
    def sso(
        self, email: str, permission_set: str, ip: str, *, console: bool = True, ua: str | None = None
    ) -> Principal:
        rng = self.rng
        role = f"AWSReservedSSO_{permission_set}_{hexs(rng, 16)}"
        rid = "AROA" + upper(rng, 17, UPPER)
        ident = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{email}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{email}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + upper(rng, 16, UPPER),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        agent = ua or (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36"
        )
        return Principal(ident, ip, agent, console=console)

    def role(self, role_name: str, session: str, ip: str, ua: str, *, path: str = "/") -> Principal:
        rng = self.rng
        rid = "AROA" + upper(rng, 17, UPPER)
        ident = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + upper(rng, 16, UPPER),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role_name}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        return Principal(ident, ip, ua)

    def aws_service(self, service: str) -> Principal:
        return Principal(
            {"type": "AWSService", "invokedBy": service}, service, service, service=True, tls=False
        )

    def service_role(self, role_name: str, session: str, service: str, *, path: str = "/") -> Principal:
        """A role a service assumes and calls with on your behalf (Config, Auto Scaling, ...)."""
        p = self.role(role_name, session, service, service, path=path)
        p.identity["invokedBy"] = service
        p.tls = False
        return p

    def add(
        self,
        t: datetime,
        who: Principal,
        source: str,
        name: str,
        params: Json | None = None,
        response: Json | None = None,
        *,
        read_only: bool = False,
        resources: list[Json] | None = None,
        error: tuple[str, str] | None = None,
        event_type: str = "AwsApiCall",
        ua: str | None = None,
        extra: Json | None = None,
    ) -> Json:
        rng = self.rng
        ident = json.loads(json.dumps(who.identity))
        ctx = ident.get("sessionContext")
        if ctx is not None:
            created = t - timedelta(minutes=rng.randint(2, 55), seconds=rng.randint(0, 59))
            ctx["attributes"]["creationDate"] = iso(created)
        svc = source.split(".")[0]
        req = uuid(rng)
        rec: Json = {
            "eventVersion": "1.09" if svc in ("kms", "ec2", "s3", "iam", "sts", "wafv2") else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.source_ip,
            "userAgent": ua or who.user_agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = req
        rec["eventID"] = uuid(rng)
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = event_type
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        if extra:
            rec.update(extra)
        rec["eventCategory"] = "Management"
        if who.tls:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3" if rng.random() < 0.7 else "TLSv1.2",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{svc}.{self.region}.amazonaws.com",
            }
        if who.console:
            rec["sessionCredentialFromConsole"] = "true"
        self.rows.append(rec)
        return rec

    def sorted(self) -> list[Json]:
        return sorted(self.rows, key=lambda r: (r["eventTime"], r["eventID"]))


def spread(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    """n random times (whole seconds) between start and end, in order."""
    span = int((end - start).total_seconds())
    return sorted(start + timedelta(seconds=rng.randint(0, max(1, span))) for _ in range(n))


def routine_reads(
    trail: Trail,
    rng: random.Random,
    start: datetime,
    end: datetime,
    people: Sequence[Principal],
    n: int,
    extra_calls: Sequence[tuple[str, str, Json | None]] = (),
) -> None:
    """Read-only calls humans and tools make all day long."""
    calls: list[tuple[str, str, Json | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "GetDashboard", None),
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        (
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
        ),
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", None),
        ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
        ("s3.amazonaws.com", "ListBuckets", {"Host": "s3.amazonaws.com"}),
        ("iam.amazonaws.com", "ListRoles", None),
        ("cloudtrail.amazonaws.com", "LookupEvents", {"maxResults": 50}),
        ("ssm.amazonaws.com", "DescribeInstanceInformation", {"maxResults": 50}),
        *extra_calls,
    ]
    for t in spread(rng, start, end, n):
        who = rng.choice(list(people))
        source, name, params = rng.choice(calls)
        if name == "GetDashboard":
            params = {"dashboardName": rng.choice(["prod-overview", "platform-health", "cost-daily"])}
        if name == "DescribeTargetHealth" and params is None:
            continue
        trail.add(t, who, source, name, params, None, read_only=True)


def assume_role_by_service(trail: Trail, t: datetime, service: str, role_arn: str, session: str) -> Json:
    rng = trail.rng
    key = "ASIA" + upper(rng, 16, UPPER)
    return trail.add(
        t,
        trail.aws_service(service),
        "sts.amazonaws.com",
        "AssumeRole",
        {"roleArn": role_arn, "roleSessionName": session},
        {
            "credentials": {
                "accessKeyId": key,
                "sessionToken": "IQoJb3JpZ2luX2VjE" + upper(rng, 40) + "...",
                "expiration": (t + timedelta(hours=1)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
            },
            "assumedRoleUser": {
                "assumedRoleId": "AROA" + upper(rng, 17, UPPER) + ":" + session,
                "arn": role_arn.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/") + "/" + session,
            },
        },
        read_only=True,
        resources=[{"accountId": trail.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
        extra={"sharedEventID": uuid(rng)},
    )


# --- logs -------------------------------------------------------------------------------------------


@dataclass
class Logs:
    rows: list[Json] = field(default_factory=list)

    def add(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.rows.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def sorted(self) -> list[Json]:
        return sorted(self.rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def lambda_invocation(
    logs: Logs,
    rng: random.Random,
    group: str,
    stream: str,
    t: datetime,
    duration_ms: float,
    memory: int,
    used: int,
    body: Sequence[str] = (),
    init_ms: float | None = None,
    status: str | None = None,
) -> None:
    rid = uuid(rng)
    logs.add(group, stream, t, f"START RequestId: {rid} Version: $LATEST")
    for k, line in enumerate(body):
        at = t + timedelta(milliseconds=min(duration_ms, 3 + k * duration_ms / max(1, len(body))))
        logs.add(group, stream, at, line.replace("{rid}", rid))
    end = t + timedelta(milliseconds=duration_ms + 1)
    logs.add(group, stream, end, f"END RequestId: {rid}")
    billed = math.ceil(duration_ms)
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    if status:
        report += f"Status: {status}"
    logs.add(group, stream, end, report)


def log_stream_date(t: datetime) -> str:
    return t.strftime("%Y/%m/%d")


def lambda_stream(rng: random.Random, t: datetime) -> str:
    return f"{log_stream_date(t)}/[$LATEST]{hexs(rng, 32)}"


# --- common resource items --------------------------------------------------------------------------


@dataclass
class Net:
    vpc: str
    subnets: list[tuple[str, str]]  # (subnet id, AZ)
    sg_alb: str
    sg_app: str


def network(rng: random.Random, region: str) -> Net:
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    return Net(
        vpc=res_id(rng, "vpc"),
        subnets=[(res_id(rng, "subnet"), az) for az in azs],
        sg_alb=res_id(rng, "sg"),
        sg_app=res_id(rng, "sg"),
    )


@dataclass
class Alb:
    name: str
    arn: str
    dim: str
    tg_name: str
    tg_arn: str
    tg_dim: str
    dns: str


def alb(rng: random.Random, account: str, region: str, name: str, tg_name: str) -> Alb:
    lb_hex = hexs(rng, 16)
    tg_hex = hexs(rng, 16)
    return Alb(
        name=name,
        arn=f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{lb_hex}",
        dim=f"app/{name}/{lb_hex}",
        tg_name=tg_name,
        tg_arn=f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{tg_name}/{tg_hex}",
        tg_dim=f"targetgroup/{tg_name}/{tg_hex}",
        dns=f"{name}-{rng.randint(100000000, 2099999999)}.{region}.elb.amazonaws.com",
    )


ZONE_IDS = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
}


def alb_items(
    a: Alb, net: Net, created: datetime, target_type: str, port: int, health_path: str
) -> list[Json]:
    lb = {
        "service": "elbv2",
        "type": "LoadBalancer",
        "item": {
            "LoadBalancerArn": a.arn,
            "DNSName": a.dns,
            "CanonicalHostedZoneId": ZONE_IDS.get(a.arn.split(":")[3], "Z35SXDOTRQ7X7K"),
            "CreatedTime": iso_ms(created).replace("+0000", "Z"),
            "LoadBalancerName": a.name,
            "Scheme": "internet-facing",
            "VpcId": net.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []} for sn, az in net.subnets
            ],
            "SecurityGroups": [net.sg_alb],
            "IpAddressType": "ipv4",
        },
    }
    tg = {
        "service": "elbv2",
        "type": "TargetGroup",
        "item": {
            "TargetGroupArn": a.tg_arn,
            "TargetGroupName": a.tg_name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": net.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": health_path,
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [a.arn],
            "TargetType": target_type,
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    }
    return [lb, tg]


def log_group_item(
    account: str, region: str, name: str, created: datetime, retention: int | None, stored: int
) -> Json:
    item: Json = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": stored,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
    }
    if retention is not None:
        item["retentionInDays"] = retention
    return {"service": "logs", "type": "LogGroup", "item": item}


def role_item(
    rng: random.Random,
    account: str,
    name: str,
    service: str,
    created: datetime,
    last_used: datetime | None,
    region: str,
    description: str = "",
) -> Json:
    item: Json = {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + upper(rng, 17, UPPER),
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": quote(
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                    ],
                },
                separators=(",", ":"),
            )
        ),
        "MaxSessionDuration": 3600,
    }
    if description:
        item["Description"] = description
    if last_used is not None:
        item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": region}
    return {"service": "iam", "type": "Role", "item": item}


def private_ip(rng: random.Random, third: int) -> str:
    return f"10.{rng.choice([20, 32, 48])}.{third}.{rng.randint(10, 250)}"
