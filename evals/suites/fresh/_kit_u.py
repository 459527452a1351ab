# Incidents of kit u, in the order written:
#  1. change: an engineer edits the loyalty subscription's SNS filter policy (attribute key renamed), so the
#     loyalty-accrual queue silently stops receiving order events; nothing errors, points stop accruing.
#  2. limit: an ElastiCache Redis primary node runs past its network bandwidth allowance at the evening sale
#     peak (all reads go to the primary); Redis commands time out, the product-detail API returns 5xx.
#  3. system_change: Fargate Spot capacity is reclaimed from an all-Spot ECS queue worker and cannot be
#     replaced ("Capacity is unavailable"); the render-jobs SQS queue ages while nothing errors.
#  4. dependency_failure: a third-party helpdesk API behind an EventBridge API destination answers 503;
#     return tickets are retried, then dead-lettered; a harmless rate-limit edit sits next to it.
#  5. no fault: an OpenSearch JVMMemoryPressure alarm (threshold 80%) fires at the morning indexing peak
#     and clears after an old-generation GC, as it has on earlier mornings; search is healthy.
"""Private helpers for kit u's fresh incidents: ids, time, noise, metric series, alarms, CloudTrail."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


# --- ids and time -----------------------------------------------------------------------------------


class Ids:
    """Identifier generator over one seeded Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum_upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def alnum(self, n: int) -> str:
        chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return "".join(self.rng.choice(chars) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        variant = self.rng.choice("89ab")
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"

    def instance(self) -> str:
        return "i-0" + self.hex(16)

    def sg(self) -> str:
        return "sg-0" + self.hex(16)

    def subnet(self) -> str:
        return "subnet-0" + self.hex(16)

    def vpc(self) -> str:
        return "vpc-0" + self.hex(16)

    def eni(self) -> str:
        return "eni-0" + self.hex(16)

    def access_key(self) -> str:
        return "ASIA" + self.alnum_upper(16)

    def role_id(self) -> str:
        return "AROA" + self.alnum_upper(17)

    def private_ip(self, prefix: str = "10.40") -> str:
        return f"{prefix}.{self.rng.randint(0, 63) * 4 + self.rng.randint(0, 3)}.{self.rng.randint(4, 250)}"

    def public_ip(self) -> str:
        first = self.rng.choice([3, 18, 34, 35, 52, 54, 81, 86, 90, 109, 145, 176, 185, 194, 213])
        return f"{first}.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"

    def task_id(self) -> str:
        return self.hex(32)

    def trace_id(self, t: datetime) -> str:
        return f"1-{int(t.timestamp()):08x}-{self.hex(24)}"

    def account(self) -> str:
        return str(self.rng.randint(1, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))


def pick_day(rng: random.Random, weekdays: Iterable[int] = (0, 1, 2, 3, 4)) -> datetime:
    """A UTC midnight in 2024-2025 on one of the given weekdays (Monday=0)."""
    allowed = list(weekdays)
    base = datetime(2024, 3, 4, tzinfo=UTC)
    while True:
        day = base + timedelta(days=rng.randint(0, 560))
        if day.weekday() in allowed:
            return day


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


# --- shapes of load ---------------------------------------------------------------------------------


def diurnal(
    t: datetime, utc_offset_h: float, low: float = 0.25, peaks: Iterable[tuple[float, float, float]] = ()
) -> float:
    """A daily load factor in about [low, 1]: a smooth day/night curve plus optional bumps
    (local hour, width in hours, height)."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    day = 0.5 - 0.5 * math.cos((h - 4.0) / 24 * 2 * math.pi)  # minimum near 04:00 local
    value = low + (1 - low) * day**1.3
    for centre, width, height in peaks:
        d = min(abs(h - centre), 24 - abs(h - centre))
        value += height * math.exp(-((d / width) ** 2))
    return value


class Noise:
    """Smooth-ish multiplicative noise: a slow random walk times fast jitter."""

    def __init__(self, rng: random.Random, slow: float = 0.04, fast: float = 0.06) -> None:
        self.rng = rng
        self.slow = slow
        self.fast = fast
        self.level = 1.0

    def __call__(self) -> float:
        self.level += self.rng.gauss(0, self.slow * 0.3)
        self.level = min(1 + 2 * self.slow, max(1 - 2 * self.slow, self.level))
        return self.level * (1 + self.rng.gauss(0, self.fast))


def steps(start: datetime, end: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """(timestamp, minutes covered) from start to end: 5-minute points before fine_from, 1-minute after."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < end:
        step = 5 if t < fine_from else 1
        out.append((t, step))
        t += timedelta(minutes=step)
    return out


def series(
    namespace: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    points: Iterable[tuple[datetime, int]],
    fn: Callable[[datetime, int], float | None],
    digits: int = 2,
) -> list[Json]:
    """One metric's datapoints; fn(t, minutes) gives the value for the step (None: nothing published)."""
    out: list[Json] = []
    for t, step in points:
        v = fn(t, step)
        if v is None:
            continue
        out.append(
            {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(v), digits),
            }
        )
    return out


def stat_series(
    namespace: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    points: Iterable[tuple[datetime, int]],
    fn: Callable[[datetime, int], tuple[float, float, float, float] | None],
    digits: int = 3,
) -> list[Json]:
    """Datapoints as statistic sets; fn gives (count, sum, min, max) or None."""
    out: list[Json] = []
    for t, step in points:
        v = fn(t, step)
        if v is None:
            continue
        n, total, lo, hi = v
        if n <= 0:
            continue
        out.append(
            {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(round(n)),
                    "Sum": round(total, digits),
                    "Minimum": round(lo, digits),
                    "Maximum": round(max(hi, lo), digits),
                },
            }
        )
    return out


# --- alarms -----------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _cw_date(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def _cw_iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


class AlarmSpec:
    """A metric alarm, evaluated against the bundle's own datapoints to give its history."""

    def __init__(
        self,
        account: str,
        region: str,
        name: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        statistic: str,
        period: int,
        evaluation_periods: int,
        threshold: float,
        op: str,
        *,
        datapoints_to_alarm: int | None = None,
        treat_missing: str = "missing",
        description: str = "",
        actions: list[str] | None = None,
        unit: str | None = None,
        created: datetime | None = None,
        initial: str = "OK",
    ) -> None:
        self.initial = initial
        self.account = account
        self.region = region
        self.name = name
        self.namespace = namespace
        self.metric = metric
        self.dims = dims
        self.statistic = statistic
        self.period = period
        self.evals = evaluation_periods
        self.dta = datapoints_to_alarm or evaluation_periods
        self.threshold = threshold
        self.op = op
        self.treat_missing = treat_missing
        self.description = description
        self.actions = actions or []
        self.unit = unit
        self.created = created
        self.transitions: list[tuple[datetime, str, str, str, Json]] = []  # (time, old, new, reason, data)
        self.state = initial
        self.reason = ""
        self.reason_data: Json = {}
        self.updated: datetime | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{self.name}"

    def _buckets(self, metrics: list[Json]) -> dict[datetime, float]:
        grouped: dict[datetime, list[Json]] = {}
        for m in metrics:
            if m["namespace"] != self.namespace or m["metric"] != self.metric or m["dimensions"] != self.dims:
                continue
            t = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
            epoch = int(t.timestamp())
            b = datetime.fromtimestamp(epoch - epoch % self.period, UTC)
            grouped.setdefault(b, []).append(m)
        out: dict[datetime, float] = {}
        for b, ms_ in grouped.items():
            vals: list[float] = []
            counts: list[float] = []
            sums: list[float] = []
            for m in ms_:
                if "value" in m:
                    vals.append(m["value"])
                    counts.append(1.0)
                    sums.append(m["value"])
                else:
                    sv = m["statistic_values"]
                    vals.extend([sv["Minimum"], sv["Maximum"]])
                    counts.append(sv["SampleCount"])
                    sums.append(sv["Sum"])
            if self.statistic == "Sum":
                out[b] = sum(sums)
            elif self.statistic == "Average":
                out[b] = sum(sums) / max(sum(counts), 1e-9)
            elif self.statistic == "Maximum":
                out[b] = max(vals)
            elif self.statistic == "Minimum":
                out[b] = min(vals)
            elif self.statistic == "SampleCount":
                out[b] = sum(counts)
        return out

    def evaluate(
        self,
        metrics: list[Json],
        start: datetime,
        now: datetime,
        rng: random.Random,
        fine_from: datetime | None = None,
    ) -> None:
        """Walk the evaluation times from start to now, recording state transitions. Alarms with a period
        shorter than 5 minutes are evaluated only from fine_from (where 1-minute datapoints begin)."""
        test, words = _OPS[self.op]
        buckets = self._buckets(metrics)
        p = timedelta(seconds=self.period)
        if fine_from is not None and self.period < 300:
            start = max(start, fine_from + timedelta(minutes=5))
        epoch = int(start.timestamp())
        first = datetime.fromtimestamp(epoch - epoch % self.period, UTC) + p * self.evals
        t = first
        while True:
            eval_time = t + timedelta(seconds=rng.randint(20, 50), milliseconds=rng.randint(0, 999))
            if eval_time > now:
                break
            window = [t - p * (i + 1) for i in range(self.evals)]  # newest first
            present = [(b, buckets[b]) for b in window if b in buckets]
            breaching = [(b, v) for b, v in present if test(v, self.threshold)]
            missing = self.evals - len(present)
            n_breach = len(breaching) + missing if self.treat_missing == "breaching" else len(breaching)
            if n_breach >= self.dta:
                new = "ALARM"
            elif not present and self.treat_missing == "missing":
                new = "INSUFFICIENT_DATA"
            else:
                new = "OK"
            if new != self.state:
                reason, data = self._reason(new, present, n_breach, words, t, eval_time)
                self.transitions.append((eval_time, self.state, new, reason, data))
                self.state, self.reason, self.reason_data, self.updated = new, reason, data, eval_time
            t += p
        if self.updated is None:
            # settled long before the window: say so with a plausible old reason
            self.updated = start - timedelta(days=rng.randint(3, 40), minutes=rng.randint(0, 1400))
            self.updated = self.updated.replace(microsecond=rng.randint(0, 999) * 1000)
            calm = 0.0 if self.threshold <= 5 else round(self.threshold * rng.uniform(0.3, 0.6), 1)
            self.reason = (
                f"Threshold Crossed: 1 datapoint [{_fmt(calm)} ({_cw_date(self.updated - p)})] "
                f"was not {words} the threshold ({_fmt(self.threshold)})."
            )
            self.reason_data = {
                "version": "1.0",
                "queryDate": _cw_iso(self.updated),
                "startDate": _cw_iso((self.updated - p).replace(second=0, microsecond=0)),
                "statistic": self.statistic,
                "period": self.period,
                "recentDatapoints": [calm],
                "threshold": float(self.threshold),
                "evaluatedDatapoints": [
                    {
                        "timestamp": _cw_iso((self.updated - p).replace(second=0, microsecond=0)),
                        "sampleCount": 1.0,
                        "value": calm,
                    }
                ],
            }

    def _reason(
        self,
        new: str,
        present: list[tuple[datetime, float]],
        n_breach: int,
        words: str,
        t: datetime,
        eval_time: datetime,
    ) -> tuple[str, Json]:
        oldest_first = list(reversed(present))
        if new == "INSUFFICIENT_DATA":
            reason = (
                f"Insufficient Data: {self.evals} datapoint{'s were' if self.evals > 1 else ' was'} unknown."
            )
            data: Json = {
                "version": "1.0",
                "queryDate": _cw_iso(eval_time),
                "statistic": self.statistic,
                "period": self.period,
                "recentDatapoints": [],
                "threshold": float(self.threshold),
                "evaluatedDatapoints": [
                    {"timestamp": _cw_iso(t - timedelta(seconds=self.period * (i + 1)))}
                    for i in range(self.evals)
                ],
            }
            return reason, data
        shown = ", ".join(f"{_fmt(v)} ({_cw_date(b)})" for b, v in oldest_first)
        n = len(present)
        if new == "ALARM":
            verb = "were" if n_breach > 1 else "was"
            reason = (
                f"Threshold Crossed: {n_breach} out of the last {self.evals} datapoints [{shown}] {verb} {words} "
                f"the threshold ({_fmt(self.threshold)}) (minimum {self.dta} datapoint"
                f"{'s' if self.dta > 1 else ''} for OK -> ALARM transition)."
            )
        else:
            if n == 1:
                reason = f"Threshold Crossed: 1 datapoint [{shown}] was not {words} the threshold ({_fmt(self.threshold)})."
            else:
                reason = (
                    f"Threshold Crossed: no datapoints were {words} the threshold ({_fmt(self.threshold)}). "
                    f"The most recent datapoints which crossed the threshold: [{shown}]."
                    if n_breach
                    else f"Threshold Crossed: {n} datapoints [{shown}] were not {words} the threshold "
                    f"({_fmt(self.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
        data = {
            "version": "1.0",
            "queryDate": _cw_iso(eval_time),
            "startDate": _cw_iso(t - timedelta(seconds=self.period * self.evals)),
            "statistic": self.statistic,
            "period": self.period,
            "recentDatapoints": [round(v, 3) for _, v in oldest_first],
            "threshold": float(self.threshold),
            "evaluatedDatapoints": [
                {"timestamp": _cw_iso(b), "sampleCount": 1.0, "value": round(v, 3)} for b, v in present
            ],
        }
        return reason, data

    def item(self) -> Json:
        assert self.updated is not None
        alarm: Json = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(self.created or (self.updated - timedelta(days=90))),
            "ActionsEnabled": True,
            "OKActions": list(self.actions),
            "AlarmActions": list(self.actions),
            "InsufficientDataActions": [],
            "StateValue": self.state,
            "StateReason": self.reason,
            "StateReasonData": json.dumps(self.reason_data, separators=(",", ":")),
            "StateUpdatedTimestamp": iso_ms(self.updated),
            "StateTransitionedTimestamp": iso_ms(self.updated),
            "MetricName": self.metric,
            "Namespace": self.namespace,
            "Statistic": self.statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dims.items()],
            "Period": self.period,
            "EvaluationPeriods": self.evals,
            "DatapointsToAlarm": self.dta,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.op,
            "TreatMissingData": self.treat_missing,
        }
        if self.unit:
            alarm["Unit"] = self.unit
        return alarm

    def history(self) -> list[Json]:
        out: list[Json] = []
        for when, old, new, reason, data in self.transitions:
            prev = self._prev_state(when)
            out.append(
                {
                    "AlarmName": self.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(when),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": prev,
                            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                        },
                        separators=(",", ":"),
                    ),
                }
            )
            if new == "ALARM" and self.actions:
                out.append(
                    {
                        "AlarmName": self.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(when + timedelta(milliseconds=180)),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {self.actions[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": int(when.timestamp() * 1000),
                                "notificationResource": self.actions[0],
                                "publishedMessage": json.dumps(
                                    {"AlarmName": self.name, "NewStateValue": new}
                                ),
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
        return out

    def _prev_state(self, when: datetime) -> Json:
        before = [tr for tr in self.transitions if tr[0] < when]
        if not before:
            if self.initial == "ALARM":
                return {"stateValue": "ALARM", "stateReason": "Threshold Crossed: datapoints were breaching."}
            return {"stateValue": "OK", "stateReason": "Threshold Crossed: no datapoints were breaching."}
        _, _, new, reason, data = before[-1]
        return {"stateValue": new, "stateReason": reason, "stateReasonData": data}

    def event(self, index: int, rng: random.Random) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event of transition `index`."""
        when, old, new, reason, data = self.transitions[index]
        prev = self._prev_state(when)
        ids = Ids(rng)
        return {
            "version": "0",
            "id": ids.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {
                    "value": new,
                    "reason": reason,
                    "reasonData": json.dumps(data),
                    "timestamp": _cw_iso(when),
                },
                "previousState": {
                    "value": old,
                    "reason": prev.get("stateReason", ""),
                    "reasonData": json.dumps(prev.get("stateReasonData", {})),
                    "timestamp": _cw_iso(self.transitions[index - 1][0])
                    if index > 0
                    else _cw_iso(when - timedelta(days=6)),
                },
                "configuration": {
                    "description": self.description,
                    "metrics": [
                        {
                            "id": ids.hex(8) + "-" + ids.hex(4),
                            "metricStat": {
                                "metric": {
                                    "namespace": self.namespace,
                                    "name": self.metric,
                                    "dimensions": dict(self.dims),
                                },
                                "period": self.period,
                                "stat": self.statistic,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


# --- CloudTrail ---------------------------------------------------------------------------------------


class Principal:
    """Who made a call: an SSO user, a CI/automation role, a workload role, or an AWS service."""

    def __init__(
        self,
        kind: str,
        account: str,
        ids: Ids,
        *,
        role: str = "",
        session: str = "",
        service: str = "",
        ip: str = "",
        agent: str = "",
        role_path: str = "/",
    ) -> None:
        self.kind = kind
        self.account = account
        self.role = role
        self.session = session
        self.service = service
        self.ip = ip
        self.agent = agent
        self.role_path = role_path
        self.role_id = ids.role_id()
        self.key = ids.access_key()

    def identity(self, when: datetime, rng: random.Random) -> Json:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.service}
        role_arn = f"arn:aws:iam::{self.account}:role{self.role_path}{self.role}"
        created = when - timedelta(minutes=rng.randint(1, 50), seconds=rng.randint(0, 59))
        ident: Json = {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.session}",
            "accountId": self.account,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": role_arn,
                    "accountId": self.account,
                    "userName": self.role,
                },
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        }
        if self.kind == "linked":
            ident["invokedBy"] = self.service
        return ident


def sso_user(account: str, ids: Ids, email: str, permission_set: str = "PowerUserAccess") -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{ids.hex(16)}"
    agent = ids.rng.choice(
        [
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36",
            "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
            "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#",
        ]
    )
    return Principal(
        "user",
        account,
        ids,
        role=role,
        session=email,
        ip=ids.public_ip(),
        agent=agent,
        role_path="/aws-reserved/sso.amazonaws.com/",
    )


def ci_role(account: str, ids: Ids, role: str, session: str, agent: str) -> Principal:
    return Principal("user", account, ids, role=role, session=session, ip=ids.public_ip(), agent=agent)


def workload_role(account: str, ids: Ids, role: str, session: str, ip: str, agent: str) -> Principal:
    return Principal("user", account, ids, role=role, session=session, ip=ip, agent=agent)


def linked_role(account: str, ids: Ids, role: str, session: str, service: str) -> Principal:
    return Principal(
        "linked", account, ids, role=role, session=session, service=service, ip=service, agent=service
    )


def aws_service(account: str, ids: Ids, service: str) -> Principal:
    return Principal("service", account, ids, service=service, ip=service, agent=service)


TERRAFORM_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}#{ver}"
)
GHA_AGENT = (
    "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-azure md/arch#x86_64 lang/python#3.11.8 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off "
    "md/command#{cmd}"
)


def cloudtrail(
    ids: Ids,
    account: str,
    region: str,
    when: datetime,
    source: str,
    name: str,
    who: Principal,
    params: Json | None,
    response: Json | None = None,
    *,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
    agent: str | None = None,
) -> Json:
    rec: Json = {
        "eventVersion": "1.09" if who.kind != "service" else "1.08",
        "userIdentity": who.identity(when, ids.rng),
        "eventTime": iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.ip,
        "userAgent": agent or who.agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = ids.uuid()
    rec["eventID"] = ids.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall" if who.kind != "service" else "AwsServiceEvent"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = account
    rec["eventCategory"] = "Management"
    if who.kind in ("user",):
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com",
        }
        if "Mozilla" in rec["userAgent"]:
            rec["sessionCredentialFromConsole"] = "true"
    return rec


def assume_role_by_service(
    ids: Ids, account: str, region: str, when: datetime, service: str, role: str, session: str
) -> Json:
    """An sts:AssumeRole made by an AWS service on a workload's behalf (Lambda, ECS tasks, ...)."""
    rec = cloudtrail(
        ids,
        account,
        region,
        when,
        "sts.amazonaws.com",
        "AssumeRole",
        aws_service(account, ids, service),
        {
            "roleArn": f"arn:aws:iam::{account}:role/{role}",
            "roleSessionName": session,
            "durationSeconds": 3600,
        },
        {
            "credentials": {
                "accessKeyId": ids.access_key(),
                "sessionToken": "IQoJb3JpZ2luX2VjE" + ids.alnum(40),
                "expiration": (when + timedelta(hours=1)).strftime("%b %d, %Y, %-I:%M:%S %p"),
            },
            "assumedRoleUser": {
                "assumedRoleId": f"{ids.role_id()}:{session}",
                "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            },
        },
        read_only=True,
        resources=[
            {"accountId": account, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{account}:role/{role}"}
        ],
    )
    rec["eventType"] = "AwsApiCall"
    rec["sharedEventID"] = ids.uuid()
    return rec


def spread(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    """n random times between start and end, sorted, at whole seconds."""
    span = int((end - start).total_seconds())
    return sorted(start + timedelta(seconds=rng.randint(0, max(span - 1, 1))) for _ in range(n))


def sort_records(records: list[Json]) -> list[Json]:
    return sorted(records, key=lambda r: (r["eventTime"], r["eventID"]))


# --- logs -------------------------------------------------------------------------------------------


def log(group: str, stream: str, t: datetime, message: str) -> Json:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def lambda_stream(ids: Ids, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{ids.hex(32)}"


def lambda_invocation(
    group: str,
    stream: str,
    ids: Ids,
    t: datetime,
    duration_ms: float,
    memory_mb: int,
    used_mb: int,
    body: list[tuple[float, str]],
    version: str = "$LATEST",
    init_ms: float | None = None,
) -> list[Json]:
    """START / body lines (offset ms, text, each prefixed as the Node runtime does) / END / REPORT."""
    rid = ids.uuid()
    out = [log(group, stream, t, f"START RequestId: {rid} Version: {version}")]
    for offset, text in body:
        at = t + timedelta(milliseconds=offset)
        out.append(log(group, stream, at, f"{iso_ms(at)}\t{rid}\t{text}"))
    end = t + timedelta(milliseconds=duration_ms)
    out.append(log(group, stream, end, f"END RequestId: {rid}"))
    billed = math.ceil(duration_ms)
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    out.append(log(group, stream, end, report))
    return out


def sort_logs(rows: list[Json]) -> list[Json]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


# --- describe items -----------------------------------------------------------------------------------


def sqs_queue(
    account: str,
    region: str,
    name: str,
    created: datetime,
    modified: datetime,
    *,
    visibility: int = 30,
    retention: int = 345600,
    redrive_to: str | None = None,
    max_receive: int = 5,
    policy: Json | None = None,
    tags: dict[str, str] | None = None,
    counts: tuple[int, int, int] = (0, 0, 0),
    receive_wait: int = 0,
) -> Json:
    arn = f"arn:aws:sqs:{region}:{account}:{name}"
    attrs: dict[str, str] = {
        "QueueArn": arn,
        "ApproximateNumberOfMessages": str(counts[0]),
        "ApproximateNumberOfMessagesNotVisible": str(counts[1]),
        "ApproximateNumberOfMessagesDelayed": str(counts[2]),
        "CreatedTimestamp": str(int(created.timestamp())),
        "LastModifiedTimestamp": str(int(modified.timestamp())),
        "VisibilityTimeout": str(visibility),
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": str(retention),
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": str(receive_wait),
        "SqsManagedSseEnabled": "true",
    }
    if policy is not None:
        attrs["Policy"] = dumps(policy)
    if redrive_to:
        attrs["RedrivePolicy"] = dumps(
            {
                "deadLetterTargetArn": f"arn:aws:sqs:{region}:{account}:{redrive_to}",
                "maxReceiveCount": max_receive,
            }
        )
    return {
        "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{name}",
        "Attributes": attrs,
        "Tags": dict(tags or {}),
    }


def lambda_function(
    ids: Ids,
    account: str,
    region: str,
    name: str,
    *,
    runtime: str,
    handler: str,
    memory: int,
    timeout: int,
    role: str,
    modified: datetime,
    env: dict[str, str] | None = None,
    description: str = "",
    code_size: int = 4_200_000,
    version: str = "$LATEST",
    vpc: tuple[list[str], list[str], str] | None = None,
    layers: list[str] | None = None,
) -> Json:
    item: Json = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{account}:role/{role}",
        "Handler": handler,
        "CodeSize": code_size,
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{modified.microsecond // 1000:03d}+0000",
        "CodeSha256": ids.alnum(43) + "=",
        "Version": version,
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": ids.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": dict(env)}
    if vpc:
        item["VpcConfig"] = {"SubnetIds": vpc[0], "SecurityGroupIds": vpc[1], "VpcId": vpc[2]}
    if layers:
        item["Layers"] = [{"Arn": a, "CodeSize": 1_200_000} for a in layers]
    return item


def ddb_table(
    ids: Ids,
    account: str,
    region: str,
    name: str,
    created: datetime,
    keys: list[tuple[str, str, str]],
    *,
    items: int,
    size: int,
    on_demand: bool = True,
    rcu: int = 0,
    wcu: int = 0,
    gsis: list[Json] | None = None,
    stream: bool = False,
) -> Json:
    """keys: (name, KeyType HASH/RANGE, AttributeType S/N)."""
    t: Json = {
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": at} for k, _, at in keys],
        "TableName": name,
        "KeySchema": [{"AttributeName": k, "KeyType": kt} for k, kt, _ in keys],
        "TableStatus": "ACTIVE",
        "CreationDateTime": iso(created),
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0 if on_demand else rcu,
            "WriteCapacityUnits": 0 if on_demand else wcu,
        },
        "TableSizeBytes": size,
        "ItemCount": items,
        "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{name}",
        "TableId": ids.uuid(),
        "DeletionProtectionEnabled": True,
        "SSEDescription": {
            "Status": "ENABLED",
            "SSEType": "KMS",
            "KMSMasterKeyArn": f"arn:aws:kms:{region}:{account}:key/{ids.uuid()}",
        },
        "TableClassSummary": {"TableClass": "STANDARD"},
    }
    if on_demand:
        t["BillingModeSummary"] = {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": iso(created),
        }
    if gsis:
        t["GlobalSecondaryIndexes"] = gsis
    if stream:
        label = (created + timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.000")
        t["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        t["LatestStreamLabel"] = label
        t["LatestStreamArn"] = f"arn:aws:dynamodb:{region}:{account}:table/{name}/stream/{label}"
    return t


def lambda_metrics(
    function: str,
    invocations: list[tuple[datetime, float, bool]],
    points: list[tuple[datetime, int]],
    *,
    max_concurrency: int = 1000,
) -> list[Json]:
    """AWS/Lambda metrics from (start time, duration ms, errored) per invocation. Nothing is published
    for a period without invocations; Errors and Throttles are published as 0 while there are some."""
    by_min: dict[datetime, list[tuple[float, bool]]] = {}
    for when, dur, err in invocations:
        by_min.setdefault(floor_minute(when), []).append((dur, err))

    def rows(t0: datetime, step: int) -> list[tuple[float, bool]]:
        out: list[tuple[float, bool]] = []
        for i in range(step):
            out += by_min.get(t0 + timedelta(minutes=i), [])
        return out

    def count(t0: datetime, step: int) -> float | None:
        return float(len(rows(t0, step))) or None

    def errors(t0: datetime, step: int) -> float | None:
        r = rows(t0, step)
        return float(sum(1 for _, e in r if e)) if r else None

    def zero(t0: datetime, step: int) -> float | None:
        return 0.0 if rows(t0, step) else None

    def duration(t0: datetime, step: int) -> tuple[float, float, float, float] | None:
        d = [x for x, _ in rows(t0, step)]
        return (len(d), sum(d), min(d), max(d)) if d else None

    def concurrency(t0: datetime, step: int) -> float | None:
        r = rows(t0, step)
        if not r:
            return None
        busy_ms = sum(x for x, _ in r) / step
        return float(min(max_concurrency, max(1, math.ceil(busy_ms / 60000 * 1.6))))

    dims = {"FunctionName": function}
    out: list[Json] = []
    out += series("AWS/Lambda", "Invocations", dims, "Count", points, count, 0)
    out += series("AWS/Lambda", "Errors", dims, "Count", points, errors, 0)
    out += series("AWS/Lambda", "Throttles", dims, "Count", points, zero, 0)
    out += stat_series("AWS/Lambda", "Duration", dims, "Milliseconds", points, duration)
    out += series("AWS/Lambda", "ConcurrentExecutions", dims, "Count", points, concurrency, 0)
    return out
