# Incident ideas of author kit `zf`, written in this order:
#  1. change (KMS): a key-policy rewrite drops the account-root statement; running web instances are fine
#     (secrets already loaded) but instances launched at the afternoon scale-out cannot read their secret
#     and never pass health checks, so the ASG churns while the old fleet is overloaded.
#  2. change (VPC endpoint): an S3 gateway-endpoint policy tightened to "own-account buckets only" breaks
#     a scheduled Lambda export that writes to a partner's cross-account bucket (looks like the partner's
#     fault; a memory change to the same function minutes earlier is a red herring).
#  3. component_failure (EBS): one instance's gp3 data volume stalls; its target stays healthy (health
#     check served from memory), a share of requests hang into ALB 504s in one AZ, its logs go quiet.
#  4. limit (EC2 network allowance): evening TV-ad traffic pushes a fan-out quote fleet past the per-ENI
#     1024 pps link-local (Route 53 Resolver) allowance; intermittent EAI_AGAIN to every downstream.
#  5. no fault: ALB request-count alarm at lunchtime from the weekly app push campaign; scaled out fine.
"""Private helpers of fresh-suite author `zf`: ids, time, metric series, alarms, CloudTrail, resources."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]

# --------------------------------------------------------------------------------------------------
# ids and time


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    v = "89ab"[rng.randrange(4)]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"


def upper_id(rng: random.Random, prefix: str, n: int) -> str:
    return prefix + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))


def account(rng: random.Random) -> str:
    return str(rng.randrange(2, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def cw_ts(t: datetime) -> str:
    """The timestamp form inside alarm reason data: 2024-05-01T14:03:00.000+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def pick_day(rng: random.Random, year: int = 2024) -> datetime:
    """A weekday in spring/autumn, midnight UTC."""
    while True:
        d = datetime(year, rng.choice([3, 4, 5, 6, 9, 10]), rng.randrange(1, 28), tzinfo=UTC)
        if d.weekday() < 5:
            return d


def minutes(a: datetime, b: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = a
    while t <= b:
        out.append(t)
        t += timedelta(minutes=step)
    return out


def floor_min(t: datetime, step: int = 1) -> datetime:
    t = t.replace(second=0, microsecond=0)
    return t - timedelta(minutes=t.minute % step)


def ip_private(rng: random.Random, prefix: str) -> str:
    return f"{prefix}.{rng.randrange(1, 254)}"


def ip_public(rng: random.Random) -> str:
    first = rng.choice([3, 18, 34, 35, 52, 54, 63, 81, 86, 92, 145, 176, 185, 213])
    return f"{first}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}"


def tags(d: dict[str, str]) -> list[Json]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


# --------------------------------------------------------------------------------------------------
# daily shape and noise


def diurnal(t: datetime, tz_offset_h: float = 0.0, peak_h: float = 14.0, floor: float = 0.25) -> float:
    """0..1 daily traffic shape (local time) with a low overnight floor and a broad daytime peak."""
    h = (t.hour + t.minute / 60 + tz_offset_h) % 24
    x = math.cos((h - peak_h) / 24 * 2 * math.pi)
    base = floor + (1 - floor) * max(0.0, (x + 0.35) / 1.35) ** 1.6
    if (t + timedelta(hours=tz_offset_h)).weekday() >= 5:
        base *= 0.7
    return base


def jitter(rng: random.Random, v: float, pct: float) -> float:
    return v * (1 + rng.gauss(0, pct))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# --------------------------------------------------------------------------------------------------
# metrics


@dataclass
class Metrics:
    rows: list[Json] = field(default_factory=list)

    def add(
        self, ns: str, metric: str, dims: dict[str, str], t: datetime, value: float, unit: str = "None"
    ) -> None:
        self.rows.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 4),
            }
        )

    def add_dist(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        values: Sequence[float],
        counts: Sequence[float],
        unit: str,
    ) -> None:
        vs: list[float] = []
        cs: list[float] = []
        for v, c in zip(values, counts, strict=True):
            if c > 0:
                vs.append(round(float(v), 5))
                cs.append(float(c))
        if vs:
            self.rows.append(
                {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "values": vs,
                    "counts": cs,
                }
            )

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        times: Iterable[tuple[datetime, int]],
        fn: Callable[[datetime, int], float | None],
        *,
        drop_zero: bool = False,
    ) -> None:
        """fn(t, step_minutes) gives the datapoint (a sum over the step for counts); None: no datapoint."""
        for t, step in times:
            v = fn(t, step)
            if v is None or (drop_zero and v == 0):
                continue
            self.add(ns, metric, dims, t, v, unit)


def timeline(
    start: datetime, fine_from: datetime, now: datetime, coarse: int = 5
) -> list[tuple[datetime, int]]:
    """Datapoint times: every `coarse` minutes from start, every minute from fine_from, up to now (exclusive)."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, coarse))
        t += timedelta(minutes=coarse)
    t = fine_from
    while t < now:
        out.append((t, 1))
        t += timedelta(minutes=1)
    return out


def latency_hist(
    rng: random.Random, median_s: float, n: int, tail: float = 0.02, tail_s: float = 0.0
) -> tuple[list[float], list[float]]:
    """A small response-time histogram: lognormal-ish body plus an optional slow tail."""
    if n <= 0:
        return [], []
    qs = [0.35, 0.65, 1.0, 1.6, 2.6, 4.5]
    shares = [0.18, 0.27, 0.25, 0.17, 0.09, 0.04]
    vals = [median_s * q * (1 + rng.gauss(0, 0.05)) for q in qs]
    cnt = [max(0.0, round(n * s * (1 + rng.gauss(0, 0.08)))) for s in shares]
    if tail > 0 and tail_s > 0:
        k = max(1, round(n * tail))
        vals.append(tail_s * (1 + rng.gauss(0, 0.05)))
        cnt.append(float(k))
    return vals, cnt


# --------------------------------------------------------------------------------------------------
# alarms


_OPS = {
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
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
    stat: str  # Sum, Average, Maximum, Minimum, SampleCount or pNN
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    op: str
    treat_missing: str = "missing"
    unit: str | None = None
    actions: list[str] = field(default_factory=list)
    created: datetime | None = None


def aggregate(
    rows: list[Json], spec: AlarmSpec, start: datetime, now: datetime
) -> dict[datetime, tuple[float, float]]:
    """Per-period (value, samplecount) of spec's metric from the bundle's datapoints."""
    buckets: dict[datetime, list[Json]] = {}
    p = spec.period
    for r in rows:
        if r["namespace"] != spec.namespace or r["metric"] != spec.metric or r["dimensions"] != spec.dims:
            continue
        t = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00"))
        if t < start or t >= now:
            continue
        epoch = int(t.timestamp())
        b = datetime.fromtimestamp(epoch - epoch % p, UTC)
        buckets.setdefault(b, []).append(r)
    out: dict[datetime, tuple[float, float]] = {}
    for b, rs in buckets.items():
        pairs: list[tuple[float, float]] = []
        for r in rs:
            if "value" in r:
                pairs.append((r["value"], 1.0))
            else:
                pairs.extend(zip(r["values"], r["counts"], strict=True))
        n = sum(c for _, c in pairs)
        if n <= 0:
            continue
        if spec.stat == "Sum":
            v = sum(x * c for x, c in pairs)
        elif spec.stat == "Average":
            v = sum(x * c for x, c in pairs) / n
        elif spec.stat == "Maximum":
            v = max(x for x, _ in pairs)
        elif spec.stat == "Minimum":
            v = min(x for x, _ in pairs)
        elif spec.stat == "SampleCount":
            v = n
        else:
            q = float(spec.stat[1:]) / 100
            acc = 0.0
            v = pairs[-1][0]
            for x, c in sorted(pairs):
                acc += c
                if acc >= q * n:
                    v = x
                    break
        out[b] = (v, n)
    return out


def _fmt_dp(v: float, t: datetime) -> str:
    return f"{round(v, 4)} ({t.strftime('%d/%m/%y %H:%M:%S')})"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


@dataclass
class AlarmResult:
    alarm: Json
    history: list[Json]
    transitions: list[tuple[datetime, str, str, str, str]]  # time, old, new, reason, reason_data


def evaluate_alarm(
    rng: random.Random,
    spec: AlarmSpec,
    rows: list[Json],
    acct: str,
    region: str,
    start: datetime,
    now: datetime,
) -> AlarmResult:
    """Evaluate the alarm over the bundle's data; return the MetricAlarm as at `now` and its history."""
    arn = f"arn:aws:cloudwatch:{region}:{acct}:alarm:{spec.name}"
    agg = aggregate(rows, spec, start - timedelta(seconds=spec.period * spec.evaluation_periods), now)
    fn, words = _OPS[spec.op]
    p = timedelta(seconds=spec.period)
    created = spec.created or (start - timedelta(days=rng.randrange(40, 400)))
    state = "INSUFFICIENT_DATA"
    history: list[Json] = []
    transitions: list[tuple[datetime, str, str, str, str]] = []
    last_reason = "Unchecked: Initial alarm creation"
    last_data = ""
    last_change = created
    is_pct = spec.stat.startswith("p")
    stat_key = "extendedStatistic" if is_pct else "statistic"
    # evaluate at each period end
    epoch = int(start.timestamp())
    b = datetime.fromtimestamp(epoch - epoch % spec.period, UTC)
    while b + p <= now:
        window = [b - p * i for i in range(spec.evaluation_periods)]  # newest first
        dps = [(w, agg.get(w)) for w in window]
        present = [(w, v) for w, v in dps if v is not None]
        breaching = 0
        for _, v in dps:
            if v is None:
                if spec.treat_missing == "breaching":
                    breaching += 1
            elif fn(v[0], spec.threshold):
                breaching += 1
        if breaching >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif not present and spec.treat_missing in ("missing", "ignore"):
            new = state
        else:
            new = "OK"
        eval_t = b + p + timedelta(seconds=rng.randrange(25, 75))
        if new != state and eval_t <= now:
            shown = present[: spec.evaluation_periods] if present else []
            cnt = len(shown)
            vals = ", ".join(_fmt_dp(v[0], w) for w, v in shown)
            if new == "ALARM":
                verb = _plural(breaching, "was", "were")
                reason = (
                    f"Threshold Crossed: {breaching} out of the last {spec.evaluation_periods} datapoints [{vals}] "
                    f"{verb} {words} the threshold ({spec.threshold}) (minimum {spec.datapoints_to_alarm} "
                    f"{_plural(spec.datapoints_to_alarm, 'datapoint', 'datapoints')} for {state} -> ALARM transition)."
                )
            elif new == "OK":
                ok_n = max(1, cnt - breaching)
                reason = (
                    f"Threshold Crossed: {ok_n} out of the last {spec.evaluation_periods} datapoints [{vals}] "
                    f"{_plural(ok_n, 'was', 'were')} not {words} the threshold ({spec.threshold}) (minimum 1 datapoint "
                    f"for {state} -> OK transition)."
                )
            else:
                reason = "Insufficient Data: 1 datapoint was unknown."
            rdata: Json = {
                "version": "1.0",
                "queryDate": cw_ts(eval_t),
                "startDate": cw_ts(window[-1]),
                stat_key: spec.stat,
                "period": spec.period,
                "recentDatapoints": [round(v[0], 4) for _, v in reversed(shown)],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": cw_ts(w), "sampleCount": v[1], "value": round(v[0], 4)} for w, v in shown
                ],
            }
            data = json.dumps(rdata, separators=(",", ":"))
            hist_data = {
                "version": "1.0",
                "oldState": {"stateValue": state, "stateReason": last_reason}
                | ({"stateReasonData": json.loads(last_data)} if last_data else {}),
                "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": rdata},
            }
            history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(eval_t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(hist_data, separators=(",", ":")),
                }
            )
            for a in spec.actions if new == "ALARM" or new == "OK" else []:
                at = eval_t + timedelta(milliseconds=rng.randrange(150, 900))
                if at <= now:
                    history.append(
                        {
                            "AlarmName": spec.name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso_ms(at),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {a}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": int(eval_t.timestamp() * 1000),
                                    "notificationResource": a,
                                },
                                separators=(",", ":"),
                            ),
                        }
                    )
            transitions.append((eval_t, state, new, reason, data))
            state, last_reason, last_data, last_change = new, reason, data, eval_t
        b += p
    alarm: Json = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": last_reason,
        "StateUpdatedTimestamp": iso_ms(last_change),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.op,
        "TreatMissingData": spec.treat_missing,
        "StateTransitionedTimestamp": iso_ms(last_change),
    }
    if last_data:
        alarm["StateReasonData"] = last_data
    if is_pct:
        alarm["ExtendedStatistic"] = spec.stat
    else:
        alarm["Statistic"] = spec.stat
    if spec.unit:
        alarm["Unit"] = spec.unit
    return AlarmResult(alarm, history, transitions)


def alarm_event(rng: random.Random, spec: AlarmSpec, res: AlarmResult, acct: str, region: str) -> Json:
    """The EventBridge "CloudWatch Alarm State Change" event of the alarm's last transition to ALARM."""
    last = [tr for tr in res.transitions if tr[2] == "ALARM"][-1]
    t, old, new, reason, data = last
    prev = [tr for tr in res.transitions if tr[0] < t]
    prev_reason = prev[-1][3] if prev else "Unchecked: Initial alarm creation"
    prev_data = prev[-1][4] if prev else ""
    prev_ts = prev[-1][0] if prev else t - timedelta(days=3)
    metric_stat: Json = {
        "metric": {"namespace": spec.namespace, "name": spec.metric, "dimensions": dict(spec.dims)},
        "period": spec.period,
        "stat": spec.stat,
    }
    if spec.unit:
        metric_stat["unit"] = spec.unit
    prev_state: Json = {"value": old, "reason": prev_reason, "timestamp": cw_ts(prev_ts)}
    if prev_data:
        prev_state["reasonData"] = prev_data
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": acct,
        "time": iso(t),
        "region": region,
        "resources": [res.alarm["AlarmArn"]],
        "detail": {
            "alarmName": spec.name,
            "state": {"value": new, "reason": reason, "reasonData": data, "timestamp": cw_ts(t)},
            "previousState": prev_state,
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
                        "metricStat": metric_stat,
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
    identity: Json
    ip: str
    agent: str
    console: bool = False


def sso_user(
    rng: random.Random,
    acct: str,
    region: str,
    permset: str,
    email: str,
    ip: str,
    agent: str,
    console: bool = False,
) -> Principal:
    suffix = hexs(rng, 16)
    role = f"AWSReservedSSO_{permset}_{suffix}"
    role_id = upper_id(rng, "AROA", 17)
    created = "2024-01-01T00:00:00Z"
    ident = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{email}",
        "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{email}",
        "accountId": acct,
        "accessKeyId": upper_id(rng, "ASIA", 16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/{region}/{role}",
                "accountId": acct,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": created, "mfaAuthenticated": "false"},
        },
    }
    return Principal(ident, ip, agent, console)


def role_session(
    rng: random.Random, acct: str, role: str, session: str, ip: str, agent: str, path: str = "/"
) -> Principal:
    role_id = upper_id(rng, "AROA", 17)
    ident = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
        "accountId": acct,
        "accessKeyId": upper_id(rng, "ASIA", 16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{acct}:role{path}{role}",
                "accountId": acct,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2024-01-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }
    return Principal(ident, ip, agent)


def service_principal(svc: str) -> Principal:
    return Principal({"type": "AWSService", "invokedBy": svc}, svc, svc)


def set_session_created(p: Principal, t: datetime) -> None:
    ctx = p.identity.get("sessionContext")
    if ctx:
        ctx["attributes"]["creationDate"] = iso(t)


CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
TF_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)


def cli_ua(cmd: str) -> str:
    return (
        "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
        f"md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}"
    )


@dataclass
class Trail:
    rng: random.Random
    acct: str
    region: str
    records: list[Json] = field(default_factory=list)

    def add(
        self,
        t: datetime,
        who: Principal,
        source: str,
        name: str,
        params: Any,
        response: Any = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        resources: list[Json] | None = None,
        event_type: str = "AwsApiCall",
        host: str | None = None,
        extra: Json | None = None,
    ) -> str:
        eid = uid(self.rng)
        svc = source.split(".")[0]
        rec: Json = {
            "eventVersion": "1.09" if svc not in ("kms", "s3") else "1.10",
            "userIdentity": json.loads(json.dumps(who.identity)),
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.ip,
            "userAgent": who.agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = uid(self.rng)
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = event_type
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.acct
        if who.console and who.identity.get("type") != "AWSService":
            rec["sessionCredentialFromConsole"] = "true"
        rec["eventCategory"] = "Management"
        if who.identity.get("type") != "AWSService":
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host or f"{svc}.{self.region}.amazonaws.com",
            }
        if extra:
            rec.update(extra)
        self.records.append(rec)
        return eid

    def sorted(self) -> list[Json]:
        return sorted(self.records, key=lambda r: (r["eventTime"], r["eventID"]))


def routine_reads(
    trail: Trail,
    rng: random.Random,
    start: datetime,
    now: datetime,
    who: Sequence[Principal],
    calls: Sequence[tuple[str, str, Any]],
    n: int,
) -> None:
    """n read-only calls spread over the window by the given principals (monitoring, humans, CI)."""
    span = int((now - start).total_seconds())
    for _ in range(n):
        t = start + timedelta(seconds=rng.randrange(60, span - 60))
        src, name, params = calls[rng.randrange(len(calls))]
        p = who[rng.randrange(len(who))]
        trail.add(t, p, src, name, params, None, read_only=True)


def assume_role_record(trail: Trail, t: datetime, svc: str, role_arn: str, session: str) -> None:
    """An sts AssumeRole by an AWS service (Lambda, EC2) for a role."""
    rng = trail.rng
    who = service_principal(svc)
    exp = t + timedelta(hours=12 if svc == "ec2.amazonaws.com" else 1)
    trail.add(
        t,
        who,
        "sts.amazonaws.com",
        "AssumeRole",
        {"roleArn": role_arn, "roleSessionName": session},
        {
            "credentials": {
                "accessKeyId": upper_id(rng, "ASIA", 16),
                "sessionToken": "IQoJb3JpZ2luX2VjE" + hexs(rng, 12) + "...",
                "expiration": exp.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        read_only=True,
        resources=[{"accountId": trail.acct, "type": "AWS::IAM::Role", "ARN": role_arn}],
        extra={"sharedEventID": uid(rng)},
    )


# --------------------------------------------------------------------------------------------------
# resources


def res(service: str, type_: str, item: Json) -> Json:
    return {"service": service, "type": type_, "item": item}


def vpc(vpc_id: str, cidr: str, acct: str, name: str, dhcp: str) -> Json:
    return res(
        "ec2",
        "Vpc",
        {
            "OwnerId": acct,
            "InstanceTenancy": "default",
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": "vpc-cidr-assoc-" + vpc_id[4:],
                    "CidrBlock": cidr,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "IsDefault": False,
            "Tags": tags({"Name": name}),
            "VpcId": vpc_id,
            "State": "available",
            "CidrBlock": cidr,
            "DhcpOptionsId": dhcp,
        },
    )


def subnet(
    sid: str,
    vpc_id: str,
    cidr: str,
    az: str,
    azid: str,
    acct: str,
    region: str,
    name: str,
    free: int,
    public: bool = False,
) -> Json:
    return res(
        "ec2",
        "Subnet",
        {
            "AvailabilityZoneId": azid,
            "MapCustomerOwnedIpOnLaunch": False,
            "OwnerId": acct,
            "AssignIpv6AddressOnCreation": False,
            "Ipv6CidrBlockAssociationSet": [],
            "Tags": tags({"Name": name}),
            "SubnetArn": f"arn:aws:ec2:{region}:{acct}:subnet/{sid}",
            "EnableDns64": False,
            "Ipv6Native": False,
            "PrivateDnsNameOptionsOnLaunch": {
                "HostnameType": "ip-name",
                "EnableResourceNameDnsARecord": False,
                "EnableResourceNameDnsAAAARecord": False,
            },
            "SubnetId": sid,
            "State": "available",
            "VpcId": vpc_id,
            "CidrBlock": cidr,
            "AvailableIpAddressCount": free,
            "AvailabilityZone": az,
            "DefaultForAz": False,
            "MapPublicIpOnLaunch": public,
        },
    )


def perm(
    proto: str,
    lo: int,
    hi: int,
    *,
    cidrs: Sequence[tuple[str, str]] = (),
    groups: Sequence[tuple[str, str]] = (),
    acct: str = "",
    prefix_lists: Sequence[str] = (),
) -> Json:
    p: Json = {"IpProtocol": proto, "FromPort": lo, "ToPort": hi}
    p["UserIdGroupPairs"] = [{"Description": d, "GroupId": g, "UserId": acct} for g, d in groups]
    p["IpRanges"] = [{"CidrIp": c, "Description": d} if d else {"CidrIp": c} for c, d in cidrs]
    p["Ipv6Ranges"] = []
    p["PrefixListIds"] = [{"PrefixListId": pl} for pl in prefix_lists]
    return p


def all_egress() -> Json:
    return {
        "IpProtocol": "-1",
        "UserIdGroupPairs": [],
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
    }


def security_group(
    gid: str,
    name: str,
    desc: str,
    vpc_id: str,
    acct: str,
    region: str,
    ingress: list[Json],
    egress: list[Json] | None = None,
) -> Json:
    return res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": gid,
            "IpPermissionsEgress": egress if egress is not None else [all_egress()],
            "Tags": tags({"Name": name}),
            "VpcId": vpc_id,
            "SecurityGroupArn": f"arn:aws:ec2:{region}:{acct}:security-group/{gid}",
            "OwnerId": acct,
            "GroupName": name,
            "Description": desc,
            "IpPermissions": ingress,
        },
    )


@dataclass
class Inst:
    id: str
    az: str
    subnet: str
    ip: str
    launched: datetime
    state: str = "running"
    eni: str = ""
    vol: str = ""


def instance(
    rng: random.Random,
    i: Inst,
    *,
    acct: str,
    region: str,
    vpc_id: str,
    itype: str,
    ami: str,
    profile: str,
    sgs: Sequence[tuple[str, str]],
    tag: dict[str, str],
    key: str | None = None,
    lt: tuple[str, str, str] | None = None,
) -> Json:
    eni = i.eni or "eni-0" + hexs(rng, 16)
    vol = i.vol or "vol-0" + hexs(rng, 16)
    host = "ip-" + i.ip.replace(".", "-") + f".{region}.compute.internal"
    state_code = {"running": 16, "terminated": 48, "shutting-down": 32, "pending": 0, "stopped": 80}[i.state]
    t = dict(tag)
    if lt:
        t["aws:ec2launchtemplate:id"] = lt[0]
        t["aws:ec2launchtemplate:version"] = lt[2]
    item: Json = {
        "Architecture": "x86_64"
        if not itype.startswith(("m7g", "c7g", "r7g", "t4g", "m6g", "c6g"))
        else "arm64",
        "BlockDeviceMappings": []
        if i.state == "terminated"
        else [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(i.launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": vol,
                },
            }
        ],
        "ClientToken": uid(rng),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{acct}:instance-profile/{profile}",
            "Id": upper_id(rng, "AIPA", 17),
        },
        "NetworkInterfaces": []
        if i.state == "terminated"
        else [
            {
                "Attachment": {
                    "AttachTime": iso(i.launched),
                    "AttachmentId": "eni-attach-0" + hexs(rng, 16),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(hexs(rng, 2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": acct,
                "PrivateDnsName": host,
                "PrivateIpAddress": i.ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": host, "PrivateIpAddress": i.ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": i.subnet,
                "VpcId": vpc_id,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [] if i.state == "terminated" else [{"GroupId": g, "GroupName": n} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": tags(t),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "BootMode": "uefi-preferred",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(i.launched),
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "legacy-bios",
        "InstanceId": i.id,
        "ImageId": ami,
        "State": {"Code": state_code, "Name": i.state},
        "PrivateDnsName": "" if i.state == "terminated" else host,
        "PublicDnsName": "",
        "StateTransitionReason": "",
        "AmiLaunchIndex": 0,
        "ProductCodes": [],
        "InstanceType": itype,
        "LaunchTime": iso(i.launched),
        "Placement": {"AvailabilityZone": i.az, "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "enabled"},
        "SubnetId": i.subnet,
        "VpcId": vpc_id,
        "PrivateIpAddress": i.ip,
    }
    if key:
        item["KeyName"] = key
    if i.state == "terminated":
        item["StateReason"] = {
            "Code": "Client.UserInitiatedShutdown",
            "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
        }
        item["StateTransitionReason"] = "User initiated"
        del item["SubnetId"], item["VpcId"], item["PrivateIpAddress"]
    i.eni, i.vol = eni, vol
    return res("ec2", "Instance", item)


def instance_status(i: Inst, azid: str, *, ebs_ok: bool = True, ebs_since: datetime | None = None) -> Json:
    ok = {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"}
    item: Json = {
        "AvailabilityZone": i.az,
        "AvailabilityZoneId": azid,
        "Events": [],
        "InstanceId": i.id,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": ok,
        "SystemStatus": ok,
    }
    if ebs_ok:
        item["AttachedEbsStatus"] = ok
    else:
        detail: Json = {"Name": "reachability", "Status": "failed"}
        if ebs_since:
            detail["ImpairedSince"] = iso(ebs_since)
        item["AttachedEbsStatus"] = {"Details": [detail], "Status": "impaired"}
    return res("ec2", "InstanceStatus", item)


def alb(
    rng: random.Random,
    name: str,
    acct: str,
    region: str,
    vpc_id: str,
    subnets: Sequence[tuple[str, str]],
    sgs: list[str],
    created: datetime,
    internal: bool = False,
) -> tuple[Json, str, str]:
    """(resource, arn, CloudWatch dimension value app/name/hex)."""
    h = hexs(rng, 16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{name}/{h}"
    dns_prefix = ("internal-" if internal else "") + f"{name}-{rng.randrange(10**8, 10**10)}"
    item = {
        "LoadBalancerArn": arn,
        "DNSName": f"{dns_prefix}.{region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": {
            "eu-west-1": "Z32O12XQLNTSW2",
            "eu-west-2": "ZHURV8PSTC4K8",
            "us-east-1": "Z35SXDOTRQ7X7K",
            "us-east-2": "Z3AADJGX6KTTL2",
            "us-west-2": "Z1H1FL5HABSF5",
            "eu-central-1": "Z215JYRZR1TBD5",
        }.get(region, "Z35SXDOTRQ7X7K"),
        "CreatedTime": iso_ms(created),
        "LoadBalancerName": name,
        "Scheme": "internal" if internal else "internet-facing",
        "VpcId": vpc_id,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": s, "LoadBalancerAddresses": []} for az, s in subnets
        ],
        "SecurityGroups": sgs,
        "IpAddressType": "ipv4",
    }
    return res("elbv2", "LoadBalancer", item), arn, f"app/{name}/{h}"


def target_group(
    rng: random.Random,
    name: str,
    acct: str,
    region: str,
    vpc_id: str,
    lb_arn: str,
    port: int,
    path: str,
    *,
    interval: int = 15,
    timeout: int = 5,
    healthy: int = 3,
    unhealthy: int = 2,
) -> tuple[Json, str, str]:
    h = hexs(rng, 16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/{name}/{h}"
    item = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": vpc_id,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": interval,
        "HealthCheckTimeoutSeconds": timeout,
        "HealthyThresholdCount": healthy,
        "UnhealthyThresholdCount": unhealthy,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": "instance",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    return res("elbv2", "TargetGroup", item), arn, f"targetgroup/{name}/{h}"


def listener(rng: random.Random, lb_arn: str, tg_arn: str, cert_arn: str | None) -> Json:
    h = hexs(rng, 16)
    arn = lb_arn.replace(":loadbalancer/", ":listener/") + f"/{h}"
    item: Json = {
        "ListenerArn": arn,
        "LoadBalancerArn": lb_arn,
        "Port": 443 if cert_arn else 80,
        "Protocol": "HTTPS" if cert_arn else "HTTP",
        "DefaultActions": [
            {
                "Type": "forward",
                "TargetGroupArn": tg_arn,
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": tg_arn, "Weight": 1}],
                    "TargetGroupStickinessConfig": {"Enabled": False},
                },
            }
        ],
    }
    if cert_arn:
        item["Certificates"] = [{"CertificateArn": cert_arn}]
        item["SslPolicy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    return res("elbv2", "Listener", item)


def asg(
    name: str,
    acct: str,
    region: str,
    lt: tuple[str, str, str],
    tg_arns: list[str],
    subnets: list[str],
    azs: list[str],
    insts: Sequence[tuple[Inst, str, str]],
    created: datetime,
    *,
    min_size: int,
    max_size: int,
    desired: int,
    itype: str,
    grace: int = 300,
    tag: dict[str, str] | None = None,
    rng: random.Random,
) -> Json:
    """insts: (instance, lifecycle state, health status)."""
    arn = f"arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:{uid(rng)}:autoScalingGroupName/{name}"
    return res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": name,
            "AutoScalingGroupARN": arn,
            "LaunchTemplate": {"LaunchTemplateId": lt[0], "LaunchTemplateName": lt[1], "Version": "$Latest"},
            "MinSize": min_size,
            "MaxSize": max_size,
            "DesiredCapacity": desired,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": tg_arns,
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": grace,
            "Instances": [
                {
                    "InstanceId": i.id,
                    "InstanceType": itype,
                    "AvailabilityZone": i.az,
                    "LifecycleState": life,
                    "HealthStatus": health,
                    "LaunchTemplate": {
                        "LaunchTemplateId": lt[0],
                        "LaunchTemplateName": lt[1],
                        "Version": lt[2],
                    },
                    "ProtectedFromScaleIn": False,
                }
                for i, life, health in insts
            ],
            "CreatedTime": iso_ms(created),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(subnets),
            "EnabledMetrics": [
                {"Metric": m, "Granularity": "1Minute"}
                for m in (
                    "GroupDesiredCapacity",
                    "GroupInServiceInstances",
                    "GroupPendingInstances",
                    "GroupTerminatingInstances",
                    "GroupTotalInstances",
                    "GroupMinSize",
                    "GroupMaxSize",
                )
            ],
            "Tags": [
                {
                    "ResourceId": name,
                    "ResourceType": "auto-scaling-group",
                    "Key": k,
                    "Value": v,
                    "PropagateAtLaunch": True,
                }
                for k, v in (tag or {}).items()
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
            "DefaultInstanceWarmup": 180,
            "TrafficSources": [{"Identifier": a, "Type": "elbv2"} for a in tg_arns],
        },
    )


def log_group(
    name: str, acct: str, region: str, created: datetime, retention: int = 30, stored: int = 0
) -> Json:
    return res(
        "logs",
        "LogGroup",
        {
            "logGroupName": name,
            "creationTime": ms(created),
            "retentionInDays": retention,
            "metricFilterCount": 0,
            "arn": f"arn:aws:logs:{region}:{acct}:log-group:{name}:*",
            "storedBytes": stored,
            "logGroupClass": "STANDARD",
            "logGroupArn": f"arn:aws:logs:{region}:{acct}:log-group:{name}",
        },
    )


def iam_role(
    rng: random.Random,
    name: str,
    acct: str,
    trust_service: str,
    created: datetime,
    desc: str = "",
    last_used: datetime | None = None,
    region: str = "",
) -> Json:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": trust_service}, "Action": "sts:AssumeRole"}
        ],
    }
    item: Json = {
        "Path": "/",
        "RoleName": name,
        "RoleId": upper_id(rng, "AROA", 17),
        "Arn": f"arn:aws:iam::{acct}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": json.dumps(doc),
        "Description": desc,
        "MaxSessionDuration": 3600,
    }
    if last_used:
        item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": region}
    return res("iam", "Role", item)


def th_point(
    tg_arn: str,
    inst: str,
    port: int,
    t: datetime,
    state: str,
    reason: str | None = None,
    desc: str | None = None,
    az: str | None = None,
) -> Json:
    health: Json = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    target: Json = {"Id": inst, "Port": port}
    if az:
        target["AvailabilityZone"] = az
    return {
        "source": "target_health",
        "item": {"target_group_arn": tg_arn, "target": target, "health": health, "timestamp": iso(t)},
    }


def asg_activity(
    rng: random.Random,
    asg_name: str,
    asg_arn: str,
    desc: str,
    cause: str,
    start: datetime,
    end: datetime | None,
    status: str = "Successful",
    details: Json | None = None,
    message: str | None = None,
) -> Json:
    item: Json = {
        "ActivityId": uid(rng),
        "AutoScalingGroupName": asg_name,
        "Description": desc,
        "Cause": cause,
        "StartTime": iso_ms(start),
        "StatusCode": status,
        "Progress": 100 if status in ("Successful", "Failed", "Cancelled") else 50,
        "Details": json.dumps(details or {}),
        "AutoScalingGroupARN": asg_arn,
    }
    if end:
        item["EndTime"] = iso_ms(end)
    if message:
        item["StatusMessage"] = message
    return {"source": "autoscaling", "item": item}


def log(group: str, stream: str, t: datetime, message: str) -> Json:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def sort_logs(rows: list[Json]) -> list[Json]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def sort_metrics(rows: list[Json]) -> list[Json]:
    return sorted(
        rows,
        key=lambda r: (
            r["namespace"],
            r["metric"],
            json.dumps(r["dimensions"], sort_keys=True),
            r["timestamp"],
        ),
    )


def rds_instance(
    rng: random.Random,
    ident: str,
    acct: str,
    region: str,
    az: str,
    *,
    klass: str,
    engine: str,
    version: str,
    sg: str,
    subnet_group: str,
    vpc_id: str,
    created: datetime,
    now: datetime,
    storage: int,
    multi_az: bool = True,
    kms_key: str | None = None,
) -> Json:
    suffix = hexs(rng, 12)
    port = 5432 if "postgres" in engine else 3306
    item: Json = {
        "DBInstanceIdentifier": ident,
        "DBInstanceClass": klass,
        "Engine": engine,
        "DBInstanceStatus": "available",
        "MasterUsername": "dbadmin",
        "DBName": ident.split("-")[0],
        "Endpoint": {
            "Address": f"{ident}.{suffix}.{region}.rds.amazonaws.com",
            "Port": port,
            "HostedZoneId": "Z1PVIF0B656C1W",
        },
        "AllocatedStorage": storage,
        "InstanceCreateTime": iso_ms(created),
        "PreferredBackupWindow": "09:10-09:40",
        "BackupRetentionPeriod": 14,
        "DBSecurityGroups": [],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": sg, "Status": "active"}],
        "DBParameterGroups": [{"DBParameterGroupName": f"{ident}-params", "ParameterApplyStatus": "in-sync"}],
        "AvailabilityZone": az,
        "DBSubnetGroup": {
            "DBSubnetGroupName": subnet_group,
            "DBSubnetGroupDescription": f"{subnet_group} private subnets",
            "VpcId": vpc_id,
            "SubnetGroupStatus": "Complete",
        },
        "PreferredMaintenanceWindow": "sun:10:00-sun:10:30",
        "PendingModifiedValues": {},
        "LatestRestorableTime": iso(floor_min(now, 5) - timedelta(minutes=5)),
        "MultiAZ": multi_az,
        "EngineVersion": version,
        "AutoMinorVersionUpgrade": True,
        "ReadReplicaDBInstanceIdentifiers": [],
        "LicenseModel": "postgresql-license" if "postgres" in engine else "general-public-license",
        "StorageType": "gp3",
        "Iops": 3000,
        "StorageThroughput": 125,
        "PubliclyAccessible": False,
        "StorageEncrypted": True,
        "DbiResourceId": upper_id(rng, "db-", 26),
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "CopyTagsToSnapshot": True,
        "MonitoringInterval": 60,
        "DBInstanceArn": f"arn:aws:rds:{region}:{acct}:db:{ident}",
        "IAMDatabaseAuthenticationEnabled": False,
        "PerformanceInsightsEnabled": True,
        "DeletionProtection": True,
        "TagList": [],
        "NetworkType": "IPV4",
    }
    if kms_key:
        item["KmsKeyId"] = kms_key
    if multi_az:
        item["SecondaryAvailabilityZone"] = az[:-1] + ("b" if az[-1] != "b" else "c")
    return res("rds", "DBInstance", item)


def lambda_fn(
    rng: random.Random,
    name: str,
    acct: str,
    region: str,
    *,
    runtime: str,
    handler: str,
    role: str,
    memory: int,
    timeout: int,
    modified: datetime,
    desc: str = "",
    env: dict[str, str] | None = None,
    vpc: tuple[list[str], list[str], str] | None = None,
    code_size: int = 0,
) -> Json:
    item: Json = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{name}",
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{acct}:role/{role}",
        "Handler": handler,
        "CodeSize": code_size or rng.randrange(900_000, 14_000_000),
        "Description": desc,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{rng.randrange(1000):03d}+0000",
        "CodeSha256": "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(43)
        )
        + "=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": uid(rng),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": f"arn:aws:lambda:{region}::runtime:{hexs(rng, 64)}"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": env}
    if vpc:
        item["VpcConfig"] = {
            "SubnetIds": vpc[0],
            "SecurityGroupIds": vpc[1],
            "VpcId": vpc[2],
            "Ipv6AllowedForDualStack": False,
        }
    return res("lambda", "FunctionConfiguration", item)


def lambda_report(
    rng: random.Random,
    group: str,
    stream: str,
    t: datetime,
    dur_ms: float,
    mem: int,
    used: int,
    init_ms: float | None = None,
    extra: Sequence[tuple[float, str]] = (),
) -> list[Json]:
    """START / app lines / END / REPORT for one invocation; extra: (offset ms, message)."""
    rid = uid(rng)
    out = [log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")]
    for off, msg in extra:
        out.append(log(group, stream, t + timedelta(milliseconds=off), msg.replace("{rid}", rid)))
    end = t + timedelta(milliseconds=dur_ms)
    out.append(log(group, stream, end, f"END RequestId: {rid}\n"))
    billed = math.ceil(dur_ms)
    rep = f"REPORT RequestId: {rid}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\tMax Memory Used: {used} MB\t"
    if init_ms is not None:
        rep += f"Init Duration: {init_ms:.2f} ms\t"
    out.append(log(group, stream, end, rep + "\n"))
    return out


def lambda_stream(rng: random.Random, t: datetime) -> str:
    return f"{t.strftime('%Y/%m/%d')}/[$LATEST]{hexs(rng, 32)}"
