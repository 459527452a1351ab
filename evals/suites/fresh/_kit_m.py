"""Private helpers for author m's fresh incidents: ids, noise, CloudTrail records, alarms, Lambda logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]

# --- ids and time ---------------------------------------------------------------------------------


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid(rng: random.Random) -> str:
    """A version-4 shaped UUID drawn from `rng` (never uuid4: bundles must be reproducible)."""
    h = hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:32]}"


def alnum(rng: random.Random, n: int, upper: bool = True) -> str:
    pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(pool) for _ in range(n))


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def aws_ms(t: datetime) -> str:
    """The `2024-05-01T14:03:00.123+0000` form CloudWatch uses inside alarm documents."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def random_date(rng: random.Random, year: int, months: Sequence[int]) -> datetime:
    month = rng.choice(list(months))
    day = rng.randint(3, 26)
    return datetime(year, month, day, tzinfo=UTC)


# --- noise ----------------------------------------------------------------------------------------


def diurnal(t: datetime, peak_hour_utc: float, depth: float) -> float:
    """A daily shape around 1.0: highest at `peak_hour_utc`, lowest 12 hours later (1 - depth)."""
    hour = t.hour + t.minute / 60
    phase = math.cos((hour - peak_hour_utc) / 24 * 2 * math.pi)
    return 1 - depth / 2 + depth / 2 * phase


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


def lognormal_ms(rng: random.Random, median: float, sigma: float = 0.35) -> float:
    return median * math.exp(rng.gauss(0, sigma))


# --- metrics --------------------------------------------------------------------------------------


def datum(namespace: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> Json:
    return {
        "namespace": namespace,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(value, 4),
    }


def stats(
    namespace: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    samples: Sequence[float],
) -> Json | None:
    """A datapoint summarising `samples` (None when there are none: CloudWatch has no point then)."""
    if not samples:
        return None
    return {
        "namespace": namespace,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": float(len(samples)),
            "Sum": round(float(sum(samples)), 4),
            "Minimum": round(float(min(samples)), 4),
            "Maximum": round(float(max(samples)), 4),
        },
    }


def stat_set(
    namespace: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    count: float,
    total: float,
    lo: float,
    hi: float,
) -> Json:
    return {
        "namespace": namespace,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": float(count),
            "Sum": round(float(total), 4),
            "Minimum": round(float(lo), 4),
            "Maximum": round(float(hi), 4),
        },
    }


# --- CloudTrail -----------------------------------------------------------------------------------


@dataclass
class Principal:
    """Who made a call, rendered as CloudTrail's userIdentity."""

    kind: str  # "sso", "role", "service"
    account: str
    role: str = ""
    session: str = ""
    role_id: str = ""
    access_key: str = ""
    service: str = ""
    ip: str = ""
    agent: str = ""
    created: datetime | None = None

    def identity(self, at: datetime) -> Json:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.service}
        role_path = f"aws-reserved/sso.amazonaws.com/{self.role}" if self.kind == "sso" else self.role
        created = self.created or at - timedelta(minutes=7)
        return {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.session}",
            "accountId": self.account,
            "accessKeyId": self.access_key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/{role_path}",
                    "accountId": self.account,
                    "userName": self.role,
                },
                "attributes": {
                    "creationDate": iso(min(created, at)),
                    "mfaAuthenticated": "false",
                },
            },
        }


def sso_user(rng: random.Random, account: str, permission_set: str, email: str, ip: str) -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{hexid(rng, 16)}"
    return Principal(
        kind="sso",
        account=account,
        role=role,
        session=email,
        role_id="AROA" + alnum(rng, 17),
        access_key="ASIA" + alnum(rng, 16),
        ip=ip,
        agent="",
    )


def role_principal(
    rng: random.Random, account: str, role: str, session: str, ip: str, agent: str
) -> Principal:
    return Principal(
        kind="role",
        account=account,
        role=role,
        session=session,
        role_id="AROA" + alnum(rng, 17),
        access_key="ASIA" + alnum(rng, 16),
        ip=ip,
        agent=agent,
    )


def service_principal(account: str, service: str) -> Principal:
    return Principal(kind="service", account=account, service=service, ip=service, agent=service)


CONSOLE_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


def ct(
    rng: random.Random,
    who: Principal,
    at: datetime,
    source: str,
    name: str,
    region: str,
    request: Json | None,
    response: Json | None = None,
    *,
    read_only: bool,
    agent: str | None = None,
    ip: str | None = None,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
    version: str = "1.09",
    console: bool = False,
) -> Json:
    """One management-event record as CloudTrail delivers it to S3."""
    rec: Json = {
        "eventVersion": version,
        "userIdentity": who.identity(at),
        "eventTime": iso(at),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip or who.ip,
        "userAgent": agent or (CONSOLE_AGENT if console else who.agent),
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = request
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
        host = source.replace(".amazonaws.com", f".{region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
        if console:
            rec["sessionCredentialFromConsole"] = "true"
    return rec


# --- alarms ---------------------------------------------------------------------------------------


def _fmt_dp(v: float) -> str:
    return repr(float(round(v, 6)))


def _reason_time(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than", "not greater than"),
    "GreaterThanOrEqualToThreshold": (
        lambda v, th: v >= th,
        "greater than or equal to",
        "not greater than or equal to",
    ),
    "LessThanThreshold": (lambda v, th: v < th, "less than", "not less than"),
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
    unit: str | None
    actions: list[str]
    ok_actions: list[str] = field(default_factory=list)
    configured: datetime | None = None


@dataclass
class AlarmResult:
    alarm: Json
    history: list[Json]
    transitions: list[tuple[datetime, str, str, str, str]]  # time, old, new, reason, reason_data


def evaluate_alarm(
    rng: random.Random,
    spec: AlarmSpec,
    account: str,
    region: str,
    series: dict[datetime, tuple[float, float]],
    start: datetime,
    now: datetime,
    initial_since: datetime,
) -> AlarmResult:
    """Walk the alarm over `series` (period start -> (statistic value, sample count)) as CloudWatch would.

    Evaluated once per period, a little after the period ends; transitions written as history items.
    """
    test, above, not_above = _OPS[spec.comparison]
    step = timedelta(seconds=spec.period)
    state = "OK"
    reason = (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was "
        "treated as [NonBreaching]."
    )
    reason_data = ""
    state_since = initial_since
    transitions: list[tuple[datetime, str, str, str, str]] = []
    epoch = start.replace(hour=0, minute=0, second=0, microsecond=0)
    aligned = epoch + step * math.ceil((start - epoch) / step)
    t = aligned + step * spec.evaluation_periods
    while t + timedelta(seconds=40) <= now:
        window = [t - step * (i + 1) for i in range(spec.evaluation_periods)]  # newest first
        points = [(w, series.get(w)) for w in window]
        present = [(w, p) for w, p in points if p is not None]
        breaching_w: list[tuple[datetime, tuple[float, float]]] = [
            (w, p) for w, p in present if test(p[0], spec.threshold)
        ]
        n_breach = len(breaching_w)
        missing = len(points) - len(present)
        if spec.treat_missing == "breaching":
            n_breach += missing
        new_state = "ALARM" if n_breach >= spec.datapoints_to_alarm else "OK"
        at = t + timedelta(seconds=rng.randint(25, 70), milliseconds=rng.randint(0, 999))
        if new_state != state and at <= now:
            if new_state == "ALARM":
                shown = breaching_w[: spec.datapoints_to_alarm]
                words = above
                if spec.evaluation_periods > 1:
                    head = (
                        f"{len(shown)} out of the last {spec.evaluation_periods} datapoints"
                        if spec.datapoints_to_alarm < spec.evaluation_periods
                        else f"{len(shown)} datapoint{'s' if len(shown) > 1 else ''}"
                    )
                else:
                    head = "1 datapoint"
                tail = (
                    f" (minimum {spec.datapoints_to_alarm} datapoint"
                    f"{'s' if spec.datapoints_to_alarm > 1 else ''} for OK -> ALARM transition)."
                    if spec.datapoints_to_alarm < spec.evaluation_periods
                    else "."
                )
            else:
                shown = [(w, p) for w, p in present if not test(p[0], spec.threshold)]
                words = not_above
                need = spec.evaluation_periods - spec.datapoints_to_alarm + 1
                head = (
                    f"{len(shown)} out of the last {spec.evaluation_periods} datapoints"
                    if spec.evaluation_periods > 1
                    else "1 datapoint"
                )
                tail = (
                    f" (minimum {need} datapoint{'s' if need > 1 else ''} for ALARM -> OK transition)."
                    if spec.evaluation_periods > 1
                    else "."
                )
                if not shown:
                    head = f"no datapoints were received for {missing} period{'s' if missing > 1 else ''}"
            if shown:
                listed = ", ".join(f"{_fmt_dp(p[0])} ({_reason_time(w)})" for w, p in shown)
                verb = "was" if len(shown) == 1 else "were"
                new_reason = (
                    f"Threshold Crossed: {head} [{listed}] {verb} {words} the threshold "
                    f"({_fmt_dp(spec.threshold)}){tail}"
                )
            else:
                new_reason = (
                    f"Threshold Crossed: {head} and {missing} missing datapoint"
                    f"{'s were' if missing > 1 else ' was'} treated as [NonBreaching]."
                )
            recent = [round(p[0], 6) for _, p in sorted(present)]
            data: Json = {
                "version": "1.0",
                "queryDate": aws_ms(at),
                "startDate": aws_ms(window[-1]),
                "statistic": spec.statistic,
                "period": spec.period,
                "recentDatapoints": recent,
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": aws_ms(w), "sampleCount": p[1], "value": round(p[0], 6)}
                    for w, p in (shown if shown else [])
                ],
            }
            new_data = json.dumps(data, separators=(",", ":"))
            transitions.append((at, state, new_state, new_reason, new_data))
            state, reason, reason_data, state_since = new_state, new_reason, new_data, at
        t += step

    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    history: list[Json] = []
    if spec.configured and start <= spec.configured <= now:
        history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(spec.configured),
                "HistoryItemType": "ConfigurationUpdate",
                "HistorySummary": f'Alarm "{spec.name}" updated',
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "type": "Update",
                        "updatedAlarm": {
                            "alarmName": spec.name,
                            "alarmArn": arn,
                            "namespace": spec.namespace,
                            "metricName": spec.metric,
                            "statistic": spec.statistic,
                            "period": spec.period,
                            "evaluationPeriods": spec.evaluation_periods,
                            "datapointsToAlarm": spec.datapoints_to_alarm,
                            "threshold": spec.threshold,
                            "comparisonOperator": spec.comparison,
                            "treatMissingData": spec.treat_missing,
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
    prev_reason, prev_data = "", ""
    reason0 = (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was "
        "treated as [NonBreaching]."
    )
    for at, old, new, why, data_s in transitions:
        hd: Json = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": prev_reason or reason0},
            "newState": {"stateValue": new, "stateReason": why, "stateReasonData": json.loads(data_s)},
        }
        if prev_data:
            hd["oldState"]["stateReasonData"] = json.loads(prev_data)
        history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(at),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hd, separators=(",", ":")),
            }
        )
        if new == "ALARM" and spec.actions:
            history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(at + timedelta(milliseconds=rng.randint(80, 400))),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {spec.actions[0]}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": epoch_ms(at),
                            "notificationResource": spec.actions[0],
                        },
                        separators=(",", ":"),
                    ),
                }
            )
        prev_reason, prev_data = why, data_s

    alarm: Json = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(spec.configured or initial_since),
        "ActionsEnabled": True,
        "OKActions": spec.ok_actions,
        "AlarmActions": spec.actions,
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(state_since),
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
        "StateTransitionedTimestamp": iso_ms(state_since),
    }
    if reason_data:
        alarm["StateReasonData"] = reason_data
    if spec.unit:
        alarm["Unit"] = spec.unit
    return AlarmResult(alarm, history, transitions)


def alarm_event(
    rng: random.Random,
    spec: AlarmSpec,
    result: AlarmResult,
    account: str,
    region: str,
    since: datetime,
    index: int = -1,
) -> Json:
    """The EventBridge "CloudWatch Alarm State Change" event for one of the alarm's transitions."""
    at, old, new, why, data = result.transitions[index]
    i = index % len(result.transitions)
    prev = result.transitions[i - 1] if i > 0 else None
    previous: Json = {
        "value": old,
        "reason": prev[3]
        if prev
        else "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
        "was treated as [NonBreaching].",
        "timestamp": aws_ms(prev[0] if prev else since),
    }
    if prev:
        previous["reasonData"] = prev[4]
    return {
        "version": "0",
        "id": uuid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(at),
        "region": region,
        "resources": [f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"],
        "detail": {
            "alarmName": spec.name,
            "state": {"value": new, "reason": why, "reasonData": data, "timestamp": aws_ms(at)},
            "previousState": previous,
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {
                        "id": uuid(rng),
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


def series_from(
    points: list[Json], metric: str, dims: dict[str, str], statistic: str, period_min: int = 1
) -> dict[datetime, tuple[float, float]]:
    """Aggregate datapoints of one metric into {period start: (statistic, sample count)}."""
    buckets: dict[datetime, list[float]] = {}
    for p in points:
        if p["metric"] != metric or p["dimensions"] != dims:
            continue
        t = datetime.strptime(p["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if "statistic_values" in p:
            sv = p["statistic_values"]
            n, s, lo, hi = sv["SampleCount"], sv["Sum"], sv["Minimum"], sv["Maximum"]
        else:
            n, s, lo, hi = 1.0, p["value"], p["value"], p["value"]
        minute = t.hour * 60 + t.minute
        b = t.replace(hour=0, minute=0) + timedelta(minutes=minute - minute % period_min)
        acc = buckets.setdefault(b, [0.0, 0.0, math.inf, -math.inf])
        acc[0] += n
        acc[1] += s
        acc[2] = min(acc[2], lo)
        acc[3] = max(acc[3], hi)
    out: dict[datetime, tuple[float, float]] = {}
    for b, (n, s, lo, hi) in sorted(buckets.items()):
        value = {"Sum": s, "Average": s / n, "Maximum": hi, "Minimum": lo, "SampleCount": n}[statistic]
        out[b] = (value, n)
    return out


# --- Lambda logs ----------------------------------------------------------------------------------


def lambda_stream(rng: random.Random, day: datetime, version: str) -> str:
    return f"{day:%Y/%m/%d}/[{version}]{hexid(rng, 32)}"


def lambda_report(
    req: str,
    duration: float,
    memory: int,
    used: int,
    init: float | None = None,
    status: str | None = None,
) -> str:
    billed = math.ceil(duration)
    line = (
        f"REPORT RequestId: {req}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
    )
    if init is not None:
        line += f"Init Duration: {init:.2f} ms\t"
    if status:
        line += f"Status: error\tError Type: {status}\t"
    return line


def log(group: str, stream: str, t: datetime, message: str) -> Json:
    return {"log_group": group, "log_stream": stream, "timestamp": epoch_ms(t), "message": message}


Emit = Callable[[datetime, str], None]
