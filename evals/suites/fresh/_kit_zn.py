"""Private helpers for the `zn` incidents (ids, noise, CloudTrail records, alarms).

Planned incidents, in the order written:
  1. (change) Grocery delivery-slot holds vanish and then reservations fail in the afternoon; the ECS deploy
     just before looks guilty, but the cache parameter group's eviction policy was changed that morning and
     only bites once the Redis node fills up (as it does every afternoon).
  2. (component_failure) Several unrelated features that call third parties fail on and off; the shared
     Squid egress-proxy fleet behind an internal NLB has one instance whose root EBS volume has stalled, so
     TCP health checks pass while its connections hang.
  3. (limit) Warehouse stock-movement consumer erroring and its queue ageing; the DynamoDB table looks well
     under capacity, but a GSI's auto-scaled write capacity is pinned at its maximum and throttles the base
     table writes.
  4. (no fault) Account-level Lambda concurrency alarm in the evening while a large customer's bulk photo
     import fans out thumbnail renders; no throttles, no errors, the batch completes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


# --- ids and time ---------------------------------------------------------------------------------


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(rng: random.Random, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def uid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    v = "89ab"[rng.randrange(4)]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"


def ec2id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-0{hexs(rng, 16)}"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def steps(start: datetime, end: datetime, minutes: int) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=minutes)
    return out


def mixed_grid(start: datetime, fine_from: datetime, end: datetime, coarse: int = 5) -> list[datetime]:
    """Coarse (5-minute) datapoints from start to fine_from, then 1-minute ones up to end."""
    return steps(start, fine_from, coarse) + steps(fine_from, end, 1)


def pick_day(rng: random.Random, weekdays_only: bool = True) -> datetime:
    base = datetime(2024, 9, 2, tzinfo=UTC) + timedelta(days=rng.randrange(0, 150))
    while weekdays_only and base.weekday() >= 5:
        base += timedelta(days=1)
    return base


# --- shapes of traffic ----------------------------------------------------------------------------


def diurnal(t: datetime, utc_offset: float, peaks: Sequence[tuple[float, float, float]]) -> float:
    """A daily load factor (about 0.1 at night to 1.0 at the highest peak): peaks are (hour, width, height)."""
    import math

    h = (t.hour + t.minute / 60 + utc_offset) % 24
    v = 0.08
    for hour, width, height in peaks:
        d = min(abs(h - hour), 24 - abs(h - hour))
        v += height * math.exp(-((d / width) ** 2))
    return v


def jitter(rng: random.Random, v: float, pct: float) -> float:
    return v * (1 + rng.gauss(0, pct))


def count(rng: random.Random, mean: float) -> int:
    """A Poisson-ish count around mean."""
    if mean <= 0:
        return 0
    if mean < 30:
        # Knuth for small means
        import math

        limit = math.exp(-mean)
        k, p = 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, round(rng.gauss(mean, mean**0.5)))


# --- metrics --------------------------------------------------------------------------------------


@dataclass
class Metrics:
    rows: list[Json] = field(default_factory=list)
    series: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)

    def put(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
        *,
        sparse: bool = False,
        key: str | None = None,
    ) -> None:
        """One datapoint; `sparse` metrics (counts AWS only publishes when non-zero) skip zeros."""
        if key is not None:
            self.series.setdefault(key, []).append((t, float(value)))
        if sparse and value == 0:
            return
        self.rows.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 4),
            }
        )

    def put_stats(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        n: int,
        total: float,
        lo: float,
        hi: float,
        unit: str = "Count",
        *,
        key: str | None = None,
    ) -> None:
        if n <= 0:
            return
        if key is not None:
            self.series.setdefault(key, []).append((t, total / n))
        self.rows.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(n),
                    "Sum": round(total, 4),
                    "Minimum": round(lo, 4),
                    "Maximum": round(hi, 4),
                },
            }
        )

    def put_latency(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        rng: random.Random,
        n: int,
        median: float,
        tail: float,
        unit: str = "Seconds",
        *,
        key: str | None = None,
    ) -> None:
        """A distribution of n samples: most near `median`, a tail out to `tail` (values + counts)."""
        if n <= 0:
            return
        q = [0.5, 0.3, 0.12, 0.06, 0.02]
        mult = [0.7, 1.0, 1.6, 2.6, 1.0]
        values = []
        for i, m in enumerate(mult):
            v = tail * rng.uniform(0.85, 1.0) if i == len(mult) - 1 else median * m * rng.uniform(0.9, 1.1)
            values.append(round(v, 5))
        counts = [float(max(1, round(n * w))) if i < 2 or n * w >= 0.5 else 0.0 for i, w in enumerate(q)]
        pairs = [(v, c) for v, c in zip(values, counts, strict=True) if c > 0]
        if key is not None:
            tot = sum(c for _, c in pairs)
            self.series.setdefault(key, []).append((t, sum(v * c for v, c in pairs) / tot))
            self.series.setdefault(key + ":p99", []).append((t, max(v for v, _ in pairs)))
        self.rows.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [v for v, _ in pairs],
                "counts": [c for _, c in pairs],
            }
        )


def aggregate(points: list[tuple[datetime, float]], period_s: int, stat: str) -> list[tuple[datetime, float]]:
    buckets: dict[datetime, list[float]] = {}
    for t, v in points:
        epoch = int(t.timestamp())
        b = datetime.fromtimestamp(epoch - epoch % period_s, UTC)
        buckets.setdefault(b, []).append(v)
    out = []
    for b in sorted(buckets):
        vs = buckets[b]
        if stat == "Sum":
            out.append((b, sum(vs)))
        elif stat == "Maximum":
            out.append((b, max(vs)))
        elif stat == "Minimum":
            out.append((b, min(vs)))
        else:
            out.append((b, sum(vs) / len(vs)))
    return out


# --- CloudWatch alarms ----------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": ("greater than", lambda v, th: v > th),
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, th: v >= th),
    "LessThanThreshold": ("less than", lambda v, th: v < th),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, th: v <= th),
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
    op: str
    unit: str | None = None
    treat_missing: str = "missing"
    actions: list[str] = field(default_factory=list)
    created: datetime | None = None
    sparse: bool = False  # the metric is only published when non-zero


def _fmt_dp(v: float, t: datetime) -> str:
    return f"{v} ({t.strftime('%d/%m/%y %H:%M:%S')})"


def evaluate_alarm(
    ctx: Ctx,
    spec: AlarmSpec,
    points: list[tuple[datetime, float]],
    start: datetime,
    now: datetime,
    rng: random.Random,
) -> tuple[Json, list[Json], Json | None]:
    """The MetricAlarm as DescribeAlarms shows it at `now`, its history items, and the EventBridge event of
    its last transition into ALARM (None if it never went there)."""
    words, breach = _OPS[spec.op]
    data = {t: v for t, v in points}
    arn = f"arn:aws:cloudwatch:{ctx.region}:{ctx.account}:alarm:{spec.name}"
    state = "OK"
    updated = spec.created or (start - timedelta(days=rng.randint(2, 9), minutes=rng.randint(0, 1400)))
    updated = updated.replace(second=rng.randint(0, 59), microsecond=rng.randint(0, 999) * 1000)
    if spec.treat_missing == "notBreaching" and spec.sparse:
        reason = (
            f"Threshold Crossed: no datapoints were received for {spec.evaluation_periods} periods and "
            f"{spec.evaluation_periods} missing datapoints were treated as [NonBreaching]."
        )
    else:
        prior = updated.replace(second=0, microsecond=0) - timedelta(seconds=spec.period)
        base_v = points[0][1] if points else 0.0
        reason = (
            f"Threshold Crossed: 1 out of the last {spec.evaluation_periods} datapoints "
            f"[{_fmt_dp(round(base_v, 4), prior)}] was not {words} the threshold ({spec.threshold}) "
            "(minimum 1 datapoint for ALARM -> OK transition)."
        )
    reason_data: str | None = None
    history: list[Json] = []
    last_event: Json | None = None
    period = timedelta(seconds=spec.period)
    # evaluation happens shortly after each period closes
    t = datetime.fromtimestamp(int(start.timestamp()) - int(start.timestamp()) % spec.period, UTC) + period
    first = True
    while t <= now:
        window = [t - period * (i + 1) for i in range(spec.evaluation_periods)]  # newest first
        present = [(w, data[w]) for w in window if w in data]
        breaching = [(w, v) for w, v in present if breach(v, spec.threshold)]
        if spec.treat_missing == "breaching":
            nb = len(breaching) + (len(window) - len(present))
        else:
            nb = len(breaching)
        if nb >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif present or spec.treat_missing in ("notBreaching", "ignore"):
            new = "OK" if present or spec.treat_missing == "notBreaching" else state
        else:
            new = "INSUFFICIENT_DATA"
        eval_at = t + timedelta(seconds=rng.randint(20, 75), milliseconds=rng.randint(0, 999))
        if first:
            state = new if new != "ALARM" else "OK"
            first = False
            if new != "ALARM":
                t += period
                continue
        if new != state and eval_at <= now:
            shown = present[: spec.evaluation_periods]
            if new == "ALARM":
                lst = ", ".join(_fmt_dp(v, w) for w, v in shown)
                n = len(breaching)
                text = (
                    f"Threshold Crossed: {n} out of the last {spec.evaluation_periods} datapoints [{lst}] "
                    f"{'was' if n == 1 else 'were'} {words} the threshold ({spec.threshold}) (minimum "
                    f"{spec.datapoints_to_alarm} datapoint{'s' if spec.datapoints_to_alarm > 1 else ''} "
                    "for OK -> ALARM transition)."
                )
            elif new == "OK":
                ok = [(w, v) for w, v in shown if not breach(v, spec.threshold)][:1] or shown[:1]
                lst = ", ".join(_fmt_dp(v, w) for w, v in ok)
                text = (
                    f"Threshold Crossed: 1 out of the last {spec.evaluation_periods} datapoints [{lst}] was not "
                    f"{words} the threshold ({spec.threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
                    if ok
                    else "Threshold Crossed: no datapoints were received for "
                    f"{spec.evaluation_periods} periods and {spec.evaluation_periods} missing datapoints "
                    "were treated as [NonBreaching]."
                )
            else:
                text = "Insufficient Data: 1 datapoint was unknown."
            rdata = {
                "version": "1.0",
                "queryDate": iso_ms(eval_at),
                "startDate": iso_ms(window[-1]),
                "statistic": spec.statistic,
                "period": spec.period,
                "recentDatapoints": [round(v, 4) for _, v in reversed(shown)],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": iso_ms(w), "sampleCount": 1.0, "value": round(v, 4)} for w, v in shown
                ],
            }
            old_state = {"stateValue": state, "stateReason": reason}
            if reason_data:
                old_state["stateReasonData"] = json.loads(reason_data)
            history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(eval_at).replace("+0000", "Z"),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": old_state,
                            "newState": {"stateValue": new, "stateReason": text, "stateReasonData": rdata},
                        }
                    ),
                }
            )
            if spec.actions and new in ("ALARM", "OK"):
                history.append(
                    {
                        "AlarmName": spec.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(eval_at + timedelta(milliseconds=rng.randint(80, 400))).replace(
                            "+0000", "Z"
                        ),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {spec.actions[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": int(eval_at.timestamp() * 1000),
                                "notificationResource": spec.actions[0],
                                "publishedMessage": {"messageId": uid(rng)},
                            }
                        ),
                    }
                )
            if new == "ALARM":
                last_event = _alarm_event(
                    ctx, spec, arn, eval_at, new, text, rdata, state, reason, reason_data
                )
            state, reason, reason_data, updated = new, text, json.dumps(rdata), eval_at
        t += period
    alarm: Json = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(
            spec.created or (start - timedelta(days=61, hours=5))
        ).replace("+0000", "Z"),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(updated).replace("+0000", "Z"),
        "StateTransitionedTimestamp": iso_ms(updated).replace("+0000", "Z"),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.op,
        "TreatMissingData": spec.treat_missing,
    }
    if spec.statistic.startswith("p"):
        alarm["ExtendedStatistic"] = spec.statistic
    else:
        alarm["Statistic"] = spec.statistic
    if reason_data:
        alarm["StateReasonData"] = reason_data
    if spec.unit:
        alarm["Unit"] = spec.unit
    history.sort(key=lambda h: h["Timestamp"])
    return alarm, history, last_event


def _alarm_event(
    ctx: Ctx,
    spec: AlarmSpec,
    arn: str,
    at: datetime,
    new: str,
    text: str,
    rdata: Json,
    old: str,
    old_reason: str,
    old_data: str | None,
) -> Json:
    prev: Json = {"value": old, "reason": old_reason, "timestamp": iso_ms(at - timedelta(hours=3))}
    if old_data:
        prev["reasonData"] = old_data
    stat_key = "stat"
    return {
        "version": "0",
        "id": uid(ctx.rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": iso(at),
        "region": ctx.region,
        "resources": [arn],
        "detail": {
            "alarmName": spec.name,
            "state": {"value": new, "reason": text, "reasonData": json.dumps(rdata), "timestamp": iso_ms(at)},
            "previousState": prev,
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {
                        "id": hexs(ctx.rng, 8) + "-" + hexs(ctx.rng, 4),
                        "metricStat": {
                            "metric": {
                                "namespace": spec.namespace,
                                "name": spec.metric,
                                "dimensions": spec.dims,
                            },
                            "period": spec.period,
                            stat_key: spec.statistic,
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


# --- CloudTrail -----------------------------------------------------------------------------------


@dataclass
class Ctx:
    rng: random.Random
    account: str
    region: str


@dataclass
class Actor:
    identity: Json
    ip: str
    agent: str
    console: bool = False


def sso_actor(ctx: Ctx, perm_set: str, user: str, ip: str, *, console: bool = False, cli: str = "") -> Actor:
    suffix = hexs(random.Random(perm_set + ctx.account), 16)
    role = f"AWSReservedSSO_{perm_set}_{suffix}"
    role_id = "AROA" + alnum(random.Random(role), 17)
    agent = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36"
        if console
        else (
            cli
            or "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
            "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off command/"
        )
    )
    return Actor(
        {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{user}",
            "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{user}",
            "accountId": ctx.account,
            "accessKeyId": "ASIA" + alnum(ctx.rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{ctx.account}:role/aws-reserved/sso.amazonaws.com/{ctx.region}/{role}",
                    "accountId": ctx.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        },
        ip,
        agent,
        console,
    )


def role_actor(
    ctx: Ctx, role: str, session: str, ip: str, agent: str, *, invoked_by: str | None = None
) -> Actor:
    role_id = "AROA" + alnum(random.Random(role + ctx.account), 17)
    ident: Json = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{session}",
        "accountId": ctx.account,
        "accessKeyId": "ASIA" + alnum(ctx.rng, 16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{ctx.account}:role/{role}",
                "accountId": ctx.account,
                "userName": role,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return Actor(ident, ip, agent)


def service_actor(service: str) -> Actor:
    return Actor({"type": "AWSService", "invokedBy": service}, service, service)


def trail(
    ctx: Ctx,
    t: datetime,
    actor: Actor,
    source: str,
    name: str,
    params: Json | None,
    response: Json | None = None,
    *,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
    event_type: str = "AwsApiCall",
) -> Json:
    ident = json.loads(json.dumps(actor.identity))
    ctx_attr = ident.get("sessionContext", {}).get("attributes")
    if ctx_attr is not None:
        created = t - timedelta(minutes=ctx.rng.randint(3, 50), seconds=ctx.rng.randint(0, 59))
        ctx_attr["creationDate"] = iso(created)
        ident["accessKeyId"] = "ASIA" + alnum(ctx.rng, 16)
    rec: Json = {
        "eventVersion": "1.10" if source != "sts.amazonaws.com" else "1.08",
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": ctx.region,
        "sourceIPAddress": actor.ip,
        "userAgent": actor.agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = uid(ctx.rng)
    rec["eventID"] = uid(ctx.rng)
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = event_type
    rec["managementEvent"] = True
    rec["recipientAccountId"] = ctx.account
    if ident.get("type") == "AWSService":
        rec["sharedEventID"] = uid(ctx.rng)
    rec["eventCategory"] = "Management"
    if ident.get("type") != "AWSService" and not ident.get("invokedBy"):
        host = source.replace(".amazonaws.com", f".{ctx.region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3" if ctx.rng.random() < 0.8 else "TLSv1.2",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if actor.console:
        rec["sessionCredentialFromConsole"] = "true"
    return rec


def assume_role_by_service(ctx: Ctx, t: datetime, service: str, role_arn: str, session: str) -> Json:
    actor = service_actor(service)
    expiry = t + timedelta(hours=6)
    return trail(
        ctx,
        t,
        actor,
        "sts.amazonaws.com",
        "AssumeRole",
        {"roleArn": role_arn, "roleSessionName": session},
        {
            "credentials": {
                "accessKeyId": "ASIA" + alnum(ctx.rng, 16),
                "sessionToken": "IQoJb3JpZ2luX2VjE"
                + alnum(ctx.rng, 40, "abcdefghijklmnopqrstuvwxyzABCDEFGH0123456789"),
                "expiration": expiry.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            },
            "assumedRoleUser": {
                "assumedRoleId": "AROA" + alnum(ctx.rng, 17) + ":" + session,
                "arn": role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")
                + "/"
                + session,
            },
        },
        read_only=True,
        resources=[{"accountId": ctx.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
    )


def scatter(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))


def routine_reads(
    ctx: Ctx,
    start: datetime,
    end: datetime,
    n: int,
    menu: list[tuple[Actor, str, str, Callable[[], Json | None]]],
) -> list[Json]:
    """n read-only records drawn from `menu` (actor, source, name, params-maker), spread over the window."""
    out = []
    for t in scatter(ctx.rng, start, end, n):
        actor, source, name, make = menu[ctx.rng.randrange(len(menu))]
        out.append(trail(ctx, t, actor, source, name, make(), None, read_only=True))
    return out


def tags(d: dict[str, str]) -> list[Json]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def sort_records(rows: list[Json], key: str) -> list[Json]:
    return sorted(rows, key=lambda r: r[key])
