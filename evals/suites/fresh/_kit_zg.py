# Incidents planned for KIT zg, in the order they are written:
#  1. redis-noeviction-basket-writes (change): a cache parameter-group edit in the morning stops
#     eviction; hours later the session/basket cache fills and every write is refused.
#  2. export-lambda-response-cap (limit): month-start full-month report exports from bigger tenants
#     exceed Lambda's synchronous response payload cap; API Gateway answers 502 on that route only.
#  3. nightly-scale-in-task-count-alarm (no fault): a newly created running-task-count alarm fires at
#     night when the long-standing scheduled scale-in and target tracking shrink a healthy service.
"""Private helpers for the zg incidents: ids, time series, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


# --- ids and time ----------------------------------------------------------------------------------


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:32]}"


def alnum(rng: random.Random, n: int, upper: bool = True) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(n))


def account(rng: random.Random) -> str:
    return str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def base_day(rng: random.Random, weekdays: Iterable[int] = (0, 1, 2, 3)) -> datetime:
    """A midnight-UTC date in 2024/2025 on one of `weekdays` (0 = Monday)."""
    allowed = list(weekdays)
    d = datetime(2024, 3, 4, tzinfo=UTC) + timedelta(days=rng.randint(0, 560))
    while d.weekday() not in allowed:
        d += timedelta(days=1)
    return d


def minutes(start: datetime, end: datetime, step: int = 60) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(seconds=step)
    return out


def mixed_grid(start: datetime, fine_from: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(timestamp, period seconds): 5-minute points before `fine_from`, 1-minute points after."""
    out = [(t, 300) for t in minutes(start, fine_from, 300)]
    out += [(t, 60) for t in minutes(fine_from, end, 60)]
    return out


def daily(t: datetime, utc_offset_h: float, peak_h: float = 14.0, floor: float = 0.15) -> float:
    """A smooth day curve in local time: ~floor at 4am, 1.0 around peak_h."""
    local = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((local - peak_h) / 24 * 2 * math.pi)
    shape = (x + 1) / 2
    if 0 <= local < 6:
        shape *= 0.6
    return floor + (1 - floor) * shape**1.6


def metric(ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> Json:
    return {
        "namespace": ns,
        "metric": name,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(float(value), 4),
    }


def stat_metric(
    ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, samples: list[float]
) -> Json:
    return {
        "namespace": ns,
        "metric": name,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": float(len(samples)),
            "Sum": round(sum(samples), 4),
            "Minimum": round(min(samples), 4),
            "Maximum": round(max(samples), 4),
        },
    }


def dist_metric(
    ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, values: list[float], counts: list[float]
) -> Json:
    return {
        "namespace": ns,
        "metric": name,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "values": [round(v, 3) for v in values],
        "counts": [float(c) for c in counts],
    }


def latency_dist(
    rng: random.Random, median: float, spread: float, n: int, tail: float = 0.0
) -> tuple[list[float], list[float]]:
    """A compact latency distribution (values + counts) of about n requests."""
    n = max(1, n)
    buckets = [0.45, 0.7, 0.85, 1.0, 1.2, 1.5, 2.1, 3.2, 5.0]
    weights = [0.06, 0.16, 0.2, 0.2, 0.15, 0.11, 0.07, 0.035, 0.015 + tail]
    values: list[float] = []
    counts: list[float] = []
    for b, w in zip(buckets, weights, strict=True):
        c = round(n * w * rng.uniform(0.8, 1.2))
        if c <= 0:
            continue
        values.append(median * (1 + (b - 1) * spread) * rng.uniform(0.97, 1.03))
        counts.append(c)
    if not values:
        values, counts = [median], [1.0]
    return values, counts


# --- CloudTrail ------------------------------------------------------------------------------------


class Principal:
    """Someone or something that calls AWS APIs, as CloudTrail's userIdentity names it."""

    def __init__(
        self,
        rng: random.Random,
        acct: str,
        kind: str,
        role: str,
        session: str,
        ip: str,
        agent: str,
    ) -> None:
        self.acct = acct
        self.kind = kind  # "sso", "role", "service"
        self.role = role
        self.session = session
        self.ip = ip
        self.agent = agent
        self.role_id = "AROA" + alnum(rng, 17)
        self.key = "ASIA" + alnum(rng, 16)

    def identity(self, t: datetime) -> Json:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.ip}
        path = "/aws-reserved/sso.amazonaws.com/" if self.kind == "sso" else "/"
        created = t - timedelta(minutes=(hash_minutes(self.session, t) % 50) + 3)
        return {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.acct}:assumed-role/{self.role}/{self.session}",
            "accountId": self.acct,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": f"arn:aws:iam::{self.acct}:role{path}{self.role}",
                    "accountId": self.acct,
                    "userName": self.role,
                },
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        }


def hash_minutes(s: str, t: datetime) -> int:
    return (sum(ord(c) for c in s) * 7 + t.hour * 13 + t.day) % 997


def trail(
    rng: random.Random,
    who: Principal,
    t: datetime,
    region: str,
    source: str,
    name: str,
    params: Json | None,
    response: Json | None = None,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
) -> Json:
    if t.second == 0 and t.microsecond == 0:
        t = t + timedelta(seconds=rng.randint(1, 58))
    rec: Json = {
        "eventVersion": "1.09" if who.kind != "service" else "1.08",
        "userIdentity": who.identity(t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.ip,
        "userAgent": who.agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = uid(rng)
    rec["eventID"] = uid(rng)
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = who.acct
    rec["eventCategory"] = "Management"
    if who.kind != "service":
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com",
        }
    return rec


CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
CLI_UA = "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 ua/2.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{api}"
GHA_UA = "aws-sdk-js/3.556.0 ua/2.1 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/{api}#3.556.0"
BOTO_UA = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"


def public_ip(rng: random.Random) -> str:
    return f"{rng.choice([81, 86, 92, 145, 176, 185, 203])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"


def gha_ip(rng: random.Random) -> str:
    return (
        f"{rng.choice([20, 40, 52, 172])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    )


def readonly_noise(
    rng: random.Random,
    who: list[Principal],
    times: list[datetime],
    region: str,
    calls: list[tuple[str, str, Json | None]],
) -> list[Json]:
    """Read-only calls (console browsing, CLI, monitoring tools) at the given times."""
    out = []
    for t in times:
        p = rng.choice(who)
        source, name, params = rng.choice(calls)
        out.append(trail(rng, p, t, region, source, name, params, None, read_only=True))
    return out


# --- alarms ------------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def metric_alarm(
    acct: str,
    region: str,
    name: str,
    description: str,
    ns: str,
    metric_name: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    to_alarm: int,
    threshold: float,
    op: str,
    state: str,
    reason: str,
    state_time: datetime,
    created: datetime,
    actions: list[str],
    treat_missing: str = "missing",
    unit: str | None = None,
) -> Json:
    a: Json = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{acct}:alarm:{name}",
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": list(actions),
        "AlarmActions": list(actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(state_time),
        "MetricName": metric_name,
        "Namespace": ns,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": to_alarm,
        "Threshold": float(threshold),
        "ComparisonOperator": op,
        "TreatMissingData": treat_missing,
        "StateTransitionedTimestamp": iso_ms(state_time),
    }
    if stat.startswith("p"):
        a["ExtendedStatistic"] = stat
    else:
        a["Statistic"] = stat
    if unit:
        a["Unit"] = unit
    return a


def _fmt_time(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def evaluate(
    points: list[tuple[datetime, float]],
    period: int,
    evals: int,
    to_alarm: int,
    threshold: float,
    op: str,
    missing_is_ok: bool,
    start_state: str = "OK",
) -> list[tuple[datetime, str, str, Json]]:
    """Walk period-aggregated points in order; return (time, new_state, reason, reasonData) transitions.

    A missing period counts as not breaching when missing_is_ok (treat missing as notBreaching).
    """
    test, words = _OPS[op]
    state = start_state
    out: list[tuple[datetime, str, str, Json]] = []
    by_time = dict(points)
    if not points:
        return out
    t = points[0][0]
    end = points[-1][0]
    window: list[tuple[datetime, float | None]] = []
    while t <= end:
        v = by_time.get(t)
        window.append((t, v))
        window = window[-evals:]
        if len(window) == evals:
            breaching = [p for p in window if p[1] is not None and test(p[1], threshold)]
            present = [p for p in window if p[1] is not None]
            if not missing_is_ok and not present:
                t += timedelta(seconds=period)
                continue
            new = "ALARM" if len(breaching) >= to_alarm else "OK"
            if new != state:
                shown = [p for p in reversed(window) if p[1] is not None][:evals]
                listed = ", ".join(f"{p[1]:g} ({_fmt_time(p[0])})" for p in shown)
                if new == "ALARM":
                    reason = (
                        f"Threshold Crossed: {len(breaching)} out of the last {evals} datapoints [{listed}] "
                        f"was {words} the threshold ({threshold:g}) (minimum {to_alarm} datapoint"
                        f"{'s' if to_alarm > 1 else ''} for OK -> ALARM transition)."
                    )
                else:
                    reason = (
                        f"Threshold Crossed: {len(present) - len(breaching)} out of the last {evals} datapoints "
                        f"[{listed}] was not {words} the threshold ({threshold:g}) (minimum 1 datapoint for "
                        f"ALARM -> OK transition)."
                    )
                at = t + timedelta(seconds=period) + timedelta(seconds=40 + (t.minute * 7) % 50)
                data = {
                    "version": "1.0",
                    "queryDate": iso_ms(at).replace("Z", "+0000"),
                    "startDate": iso_ms(window[0][0]).replace("Z", "+0000"),
                    "period": period,
                    "recentDatapoints": [p[1] for p in window if p[1] is not None],
                    "threshold": float(threshold),
                    "evaluatedDatapoints": [
                        {"timestamp": iso_ms(p[0]).replace("Z", "+0000"), "sampleCount": 1.0, "value": p[1]}
                        for p in shown
                    ],
                }
                out.append((at, new, reason, data))
                state = new
        t += timedelta(seconds=period)
    return out


def history_items(
    alarm: Json, created: datetime, transitions: list[tuple[datetime, str, str, Json]], first: str = "OK"
) -> list[Json]:
    name = alarm["AlarmName"]
    items: list[Json] = [
        {
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": iso_ms(created),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{name}" created',
            "HistoryData": json.dumps(
                {"version": "1.0", "type": "Create", "createdAlarm": _alarm_cfg(alarm)}
            ),
        },
        {
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": iso_ms(created + timedelta(seconds=61)),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from INSUFFICIENT_DATA to {first}",
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "oldState": {
                        "stateValue": "INSUFFICIENT_DATA",
                        "stateReason": "Unchecked: Initial alarm creation",
                    },
                    "newState": {
                        "stateValue": first,
                        "stateReason": "Threshold Crossed: no datapoints were received for 1 period and 1 "
                        "missing datapoint was treated as [NonBreaching].",
                    },
                }
            ),
        },
    ]
    prev = first
    prev_reason = "Threshold Crossed"
    for at, new, reason, data in transitions:
        items.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(at),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {prev} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": prev, "stateReason": prev_reason},
                        "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                    }
                ),
            }
        )
        if new == "ALARM" and alarm.get("AlarmActions"):
            items.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(at + timedelta(milliseconds=180)),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {alarm['AlarmActions'][0]}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "notificationResource": alarm["AlarmActions"][0],
                            "stateUpdateTimestamp": int(at.timestamp() * 1000),
                            "publishedMessage": "{...}",
                        }
                    ),
                }
            )
        prev, prev_reason = new, reason
    return items


def _alarm_cfg(alarm: Json) -> Json:
    keys = [
        "namespace",
        "metricName",
        "dimensions",
        "statistic",
        "period",
        "threshold",
        "comparisonOperator",
        "evaluationPeriods",
    ]
    src = {
        "namespace": alarm["Namespace"],
        "metricName": alarm["MetricName"],
        "dimensions": [{"name": d["Name"], "value": d["Value"]} for d in alarm["Dimensions"]],
        "statistic": alarm.get("Statistic", alarm.get("ExtendedStatistic")),
        "period": alarm["Period"],
        "threshold": alarm["Threshold"],
        "comparisonOperator": alarm["ComparisonOperator"],
        "evaluationPeriods": alarm["EvaluationPeriods"],
    }
    cfg = {k: src[k] for k in keys}
    cfg.update(
        {
            "alarmName": alarm["AlarmName"],
            "alarmArn": alarm["AlarmArn"],
            "alarmDescription": alarm.get("AlarmDescription", ""),
            "actionsEnabled": True,
            "alarmActions": alarm.get("AlarmActions", []),
            "okactions": alarm.get("OKActions", []),
            "datapointsToAlarm": alarm["DatapointsToAlarm"],
            "treatMissingData": alarm["TreatMissingData"],
        }
    )
    return cfg


def apply_state(alarm: Json, transitions: list[tuple[datetime, str, str, Json]]) -> None:
    if transitions:
        at, new, reason, data = transitions[-1]
        alarm["StateValue"] = new
        alarm["StateReason"] = reason
        alarm["StateReasonData"] = json.dumps(data)
        alarm["StateUpdatedTimestamp"] = iso_ms(at)
        alarm["StateTransitionedTimestamp"] = iso_ms(at)


def alarm_event(
    rng: random.Random,
    alarm: Json,
    transition: tuple[datetime, str, str, Json],
    previous: tuple[str, str, datetime],
) -> Json:
    at, new, reason, data = transition
    stat = alarm.get("Statistic", alarm.get("ExtendedStatistic"))
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": alarm["AlarmArn"].split(":")[4],
        "time": iso(at),
        "region": alarm["AlarmArn"].split(":")[3],
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": alarm["AlarmName"],
            "state": {
                "value": new,
                "reason": reason,
                "reasonData": json.dumps(data),
                "timestamp": iso_ms(at).replace("Z", "+0000"),
            },
            "previousState": {
                "value": previous[0],
                "reason": previous[1],
                "timestamp": iso_ms(previous[2]).replace("Z", "+0000"),
            },
            "configuration": {
                "description": alarm.get("AlarmDescription", ""),
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
                            "stat": stat,
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def ok_alarm(
    acct: str,
    region: str,
    name: str,
    description: str,
    ns: str,
    metric_name: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    since: datetime,
    created: datetime,
    actions: list[str],
    treat_missing: str = "missing",
) -> Json:
    return metric_alarm(
        acct,
        region,
        name,
        description,
        ns,
        metric_name,
        dims,
        stat,
        period,
        evals,
        evals,
        threshold,
        op,
        "OK",
        f"Threshold Crossed: {evals} out of the last {evals} datapoints were not {_OPS[op][1]} the threshold "
        f"({threshold:g}) (minimum {evals} datapoint{'s' if evals > 1 else ''} for ALARM -> OK transition).",
        since,
        created,
        actions,
        treat_missing,
    )


def aggregate(
    points: list[Json], period: int, start: datetime, end: datetime, how: str = "Sum"
) -> list[tuple[datetime, float]]:
    """Aggregate datapoints (value form) into alarm periods."""
    buckets: dict[datetime, list[float]] = {}
    for p in points:
        t = datetime.fromisoformat(p["timestamp"].replace("Z", "+00:00"))
        if t < start or t >= end:
            continue
        b = t - timedelta(seconds=(int(t.timestamp()) % period))
        v = p.get("value")
        if v is None:
            sv = p["statistic_values"]
            v = (
                sv["Sum"]
                if how == "Sum"
                else sv["Maximum"]
                if how == "Maximum"
                else sv["Sum"] / sv["SampleCount"]
            )
        buckets.setdefault(b, []).append(float(v))
    out = []
    for b in sorted(buckets):
        vals = buckets[b]
        if how == "Sum":
            out.append((b, round(sum(vals), 4)))
        elif how == "Maximum":
            out.append((b, max(vals)))
        elif how == "Minimum":
            out.append((b, min(vals)))
        else:
            out.append((b, round(sum(vals) / len(vals), 4)))
    return out


def every(rng: random.Random, start: datetime, end: datetime, mean_gap_s: float) -> list[datetime]:
    """Random instants between start and end, roughly mean_gap_s apart."""
    out = []
    t = start + timedelta(seconds=rng.expovariate(1 / mean_gap_s))
    while t < end:
        out.append(t.replace(microsecond=rng.randint(0, 999) * 1000))
        t += timedelta(seconds=rng.expovariate(1 / mean_gap_s))
    return out


def noise(rng: random.Random, v: float, pct: float = 0.08) -> float:
    return max(0.0, v * (1 + rng.gauss(0, pct)))


Fn = Callable[[datetime], float]
