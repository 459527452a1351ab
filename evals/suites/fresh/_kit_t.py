# Kit t: helpers shared by author t's fresh incidents only.
#
# The five incidents, in the order they are written:
#  1. change: a CloudFront cache policy edited to put every cookie in the cache key; the hit ratio
#     collapses and the holiday-rental site's origin fleet (ALB + EC2 Auto Scaling) is swamped at the
#     evening peak, while nothing changed on the origin.
#  2. limit: a NAT gateway runs out of source ports to one destination (ErrorPortAllocation): the
#     customs-filer ECS workers open a fresh TLS connection per declaration to the customs authority's
#     single gateway IP, and the morning batch peak exceeds the per-destination connection ceiling.
#  3. system_change: AWS replaces tunnel 1's endpoint of a site-to-site VPN during announced
#     maintenance; the on-premises firewall only ever configured tunnel 1 and never re-initiates, so
#     the BGP routes to the data centre are withdrawn and claims-sync cannot reach the mainframe.
#  4. change (EC2 / Auto Scaling): a launch template version that requires IMDSv2 with a hop limit
#     of 1; hours later the afternoon scale-out launches instances whose Docker-hosted app gets no
#     credentials, fails ELB health checks and is cycled, while the old instances run hot.
#  5. no fault: a CloudFront 4xx error-rate alarm at night caused by the scheduled external
#     vulnerability scan probing paths that do not exist; origin healthy, customers unaffected.
"""Shared helpers for kit t: ids, time grids, noisy series, alarms, CloudTrail records, logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]

UTC_ = UTC


# --- time -----------------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def minute_floor(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def pick_day(rng: random.Random, weekdays: Iterable[int] = (0, 1, 2, 3, 4)) -> datetime:
    """A date in 2026 (midnight UTC) falling on one of `weekdays`."""
    wanted = set(weekdays)
    base = datetime(2026, 2, 2, tzinfo=UTC) + timedelta(days=rng.randrange(0, 240))
    while base.weekday() not in wanted:
        base += timedelta(days=1)
    return base


def grid(start: datetime, end: datetime, dense_from: datetime) -> list[tuple[datetime, int]]:
    """Datapoint times: every 5 minutes before `dense_from`, every minute from it; (time, step seconds)."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < dense_from and t < end:
        out.append((t, 300))
        t += timedelta(minutes=5)
    t = max(t, dense_from)
    while t < end:
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


def local_hour(t: datetime, offset_hours: float) -> float:
    lt = t + timedelta(hours=offset_hours)
    return lt.hour + lt.minute / 60.0


def diurnal(t: datetime, offset_hours: float, low: float, high: float, peak: float = 19.0) -> float:
    """A smooth daily curve: `high` at local hour `peak`, `low` twelve hours away."""
    h = local_hour(t, offset_hours)
    x = (1 + math.cos((h - peak) / 24.0 * 2 * math.pi)) / 2
    return low + (high - low) * (x**1.6)


def ramp(t: datetime, t0: datetime, t1: datetime) -> float:
    """0 before t0, 1 after t1, linear between."""
    if t <= t0:
        return 0.0
    if t >= t1:
        return 1.0
    return (t - t0).total_seconds() / (t1 - t0).total_seconds()


# --- ids ------------------------------------------------------------------------------------------


class Ids:
    """AWS-looking identifiers drawn from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        variant = self.rng.choice("89ab")
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"

    def res(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def instance(self) -> str:
        return self.res("i")

    def access_key(self) -> str:
        return "ASIA" + self.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    def role_id(self) -> str:
        return "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    def trace_id(self, t: datetime) -> str:
        return f"1-{int(t.timestamp()):08x}-{self.hex(24)}"

    def ip(self, prefix: str) -> str:
        parts = prefix.split(".")
        while len(parts) < 4:
            parts.append(str(self.rng.randrange(1, 254)))
        return ".".join(parts)


# --- metrics --------------------------------------------------------------------------------------


def datum(ns: str, metric: str, dims: dict[str, str], t: datetime, value: float, unit: str = "None") -> Json:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dict(dims),
        "timestamp": iso(t),
        "unit": unit,
        "value": round(float(value), 4),
    }


def stat_datum(
    ns: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    stats: tuple[float, float, float, float],
    unit: str,
) -> Json:
    """(SampleCount, Sum, Minimum, Maximum)."""
    n, s, lo, hi = stats
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dict(dims),
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": round(float(n), 4),
            "Sum": round(float(s), 4),
            "Minimum": round(float(lo), 4),
            "Maximum": round(float(hi), 4),
        },
    }


def dist_datum(
    ns: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    values: list[float],
    counts: list[float],
    unit: str,
) -> Json:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dict(dims),
        "timestamp": iso(t),
        "unit": unit,
        "values": [round(v, 5) for v in values],
        "counts": [float(round(c)) for c in counts],
    }


def latency_dist(
    rng: random.Random, median: float, spread: float, n: float, tail: float = 0.0, tail_value: float = 0.0
) -> tuple[list[float], list[float]]:
    """A latency distribution as values/counts: a log-normal-ish body plus an optional slow tail."""
    n = max(1.0, n)
    qs = [0.35, 0.6, 0.8, 1.0, 1.25, 1.7, 2.6, 4.5]
    ws = [0.08, 0.17, 0.22, 0.2, 0.15, 0.1, 0.06, 0.02]
    values: list[float] = []
    counts: list[float] = []
    body = n * (1 - tail)
    for q, w in zip(qs, ws, strict=True):
        v = median * (q ** (spread / 0.6)) * rng.uniform(0.93, 1.07)
        c = round(body * w)
        if c > 0:
            values.append(v)
            counts.append(c)
    if tail > 0 and tail_value > 0:
        for f, w in ((0.7, 0.3), (1.0, 0.5), (1.3, 0.2)):
            c = round(n * tail * w)
            if c > 0:
                values.append(tail_value * f * rng.uniform(0.95, 1.05))
                counts.append(c)
    if not values:
        values, counts = [median], [1.0]
    return values, counts


def noisy(rng: random.Random, base: float, rel: float = 0.06) -> float:
    return max(0.0, base * (1 + rng.gauss(0, rel)))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# --- alarms ---------------------------------------------------------------------------------------

_OPS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _fmt(v: float) -> str:
    return repr(round(v, 6)) if v != int(v) or abs(v) > 1e15 else f"{float(v)}"


def _short(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def _cw_ts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def aggregate(
    metrics: list[Json], ns: str, metric: str, dims: dict[str, str], period: int, stat: str
) -> dict[datetime, float]:
    """Per-period statistic of the matching datapoints (value or statistic_values or values/counts)."""
    buckets: dict[datetime, list[tuple[float, float, float, float]]] = {}
    for d in metrics:
        if d["namespace"] != ns or d["metric"] != metric or d["dimensions"] != dims:
            continue
        t = datetime.fromisoformat(d["timestamp"].replace("Z", "+00:00"))
        epoch = int(t.timestamp())
        b = datetime.fromtimestamp(epoch - epoch % period, UTC)
        if "value" in d:
            v = d["value"]
            buckets.setdefault(b, []).append((1.0, v, v, v))
        elif "statistic_values" in d:
            s = d["statistic_values"]
            buckets.setdefault(b, []).append((s["SampleCount"], s["Sum"], s["Minimum"], s["Maximum"]))
        else:
            vals, cnts = d["values"], d.get("counts") or [1.0] * len(d["values"])
            n = sum(cnts)
            buckets.setdefault(b, []).append(
                (n, sum(v * c for v, c in zip(vals, cnts, strict=True)), min(vals), max(vals))
            )
    out: dict[datetime, float] = {}
    for b, parts in buckets.items():
        n = sum(p[0] for p in parts)
        s = sum(p[1] for p in parts)
        if stat == "Sum":
            out[b] = s
        elif stat == "Average":
            out[b] = s / n
        elif stat == "Maximum":
            out[b] = max(p[3] for p in parts)
        elif stat == "Minimum":
            out[b] = min(p[2] for p in parts)
        elif stat == "SampleCount":
            out[b] = n
        else:
            raise ValueError(stat)
    return out


class Alarm:
    """A metric alarm evaluated against the bundle's own datapoints, with its history."""

    def __init__(
        self,
        *,
        account: str,
        region: str,
        name: str,
        description: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        to_alarm: int,
        threshold: float,
        op: str,
        missing: str = "missing",
        actions: list[str] | None = None,
        unit: str | None = None,
        configured: datetime,
    ) -> None:
        self.account, self.region, self.name, self.description = account, region, name, description
        self.ns, self.metric, self.dims, self.stat = ns, metric, dims, stat
        self.period, self.evals, self.to_alarm, self.threshold, self.op = (
            period,
            evals,
            to_alarm,
            threshold,
            op,
        )
        self.missing, self.actions, self.unit, self.configured = missing, actions or [], unit, configured
        self.arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
        self.history: list[Json] = []
        self.state = "OK"
        self.reason = ""
        self.reason_data: Json = {}
        self.updated = configured
        self.transitions: list[tuple[datetime, str, str]] = []

    def _reason(self, window: list[tuple[datetime, float | None]], breaching: int, new: str) -> str:
        pts = [(t, v) for t, v in window if v is not None]
        word = _OPS[self.op][1]
        shown = ", ".join(f"{_fmt(v)} ({_short(t)})" for t, v in reversed(pts[-5:]))
        if new == "ALARM":
            if self.evals == 1:
                return f"Threshold Crossed: 1 datapoint [{shown}] was {word} the threshold ({_fmt(self.threshold)})."
            return (
                f"Threshold Crossed: {breaching} out of the last {self.evals} datapoints [{shown}] were {word} "
                f"the threshold ({_fmt(self.threshold)}) (minimum {self.to_alarm} datapoint"
                f"{'s' if self.to_alarm > 1 else ''} for OK -> ALARM transition)."
            )
        if not pts:
            return (
                f"Insufficient Data: {self.evals} datapoint{'s were' if self.evals > 1 else ' was'} unknown."
            )
        n_ok = len(pts) - breaching
        if len(pts) == 1 or self.evals == 1:
            return (
                f"Threshold Crossed: 1 datapoint [{shown}] was not {word} the threshold "
                f"({_fmt(self.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
            )
        return (
            f"Threshold Crossed: {n_ok} out of the last {self.evals} datapoints [{shown}] were not {word} "
            f"the threshold ({_fmt(self.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
        )

    def evaluate(
        self, metrics: list[Json], start: datetime, now: datetime, rng: random.Random, initial: str = "OK"
    ) -> None:
        series = aggregate(metrics, self.ns, self.metric, self.dims, self.period, self.stat)
        check = _OPS[self.op][0]
        self.state = initial
        epoch = int(start.timestamp())
        t = datetime.fromtimestamp(epoch - epoch % self.period, UTC) + timedelta(
            seconds=self.period * self.evals
        )
        last_window: list[tuple[datetime, float | None]] = []
        while t + timedelta(seconds=self.period) <= now:
            times = [t - timedelta(seconds=self.period * (self.evals - i)) for i in range(self.evals)]
            window: list[tuple[datetime, float | None]] = [(wt, series.get(wt)) for wt in times]
            present = [v for _, v in window if v is not None]
            breaching = len([v for v in present if check(v, self.threshold)])
            if self.missing == "breaching":
                breaching += sum(1 for _, v in window if v is None)
            if breaching >= self.to_alarm:
                new = "ALARM"
            elif present or self.missing in ("notBreaching",):
                new = "OK"
            else:
                new = (
                    self.state
                    if self.missing == "ignore"
                    else ("OK" if self.missing == "missing" else self.state)
                )
            last_window = window
            when = t + timedelta(seconds=rng.randint(20, 75))
            if new != self.state and when <= now:
                self._transition(when, new, window, breaching)
            t += timedelta(seconds=self.period)
        if not self.reason:
            self.reason = (
                self._reason(last_window, 0, "OK") if last_window else "Unchecked: Initial alarm creation"
            )
            self.reason_data = self._reason_data(self.updated, last_window)

    def _reason_data(self, when: datetime, window: list[tuple[datetime, float | None]]) -> Json:
        pts = [(t, v) for t, v in window if v is not None]
        data: Json = {
            "version": "1.0",
            "queryDate": _cw_ts(when),
            "startDate": _cw_ts(window[0][0]) if window else _cw_ts(when),
            "statistic": self.stat,
            "period": self.period,
            "recentDatapoints": [round(v, 6) for _, v in pts],
            "threshold": float(self.threshold),
            "evaluatedDatapoints": [
                {"timestamp": _cw_ts(t), "sampleCount": 1.0, "value": round(v, 6)} for t, v in reversed(pts)
            ],
        }
        if self.unit:
            data["unit"] = self.unit
        return data

    def _transition(
        self, when: datetime, new: str, window: list[tuple[datetime, float | None]], breaching: int
    ) -> None:
        old_state: Json = {
            "stateValue": self.state,
            "stateReason": self.reason or "Unchecked: Initial alarm creation",
        }
        if self.reason_data:
            old_state["stateReasonData"] = self.reason_data
        self.reason = self._reason(window, breaching, new)
        self.reason_data = self._reason_data(when, window)
        hist = {
            "version": "1.0",
            "oldState": old_state,
            "newState": {"stateValue": new, "stateReason": self.reason, "stateReasonData": self.reason_data},
        }
        self.history.append(
            {
                "AlarmName": self.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(when),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {self.state} to {new}",
                "HistoryData": json.dumps(hist, separators=(",", ":")),
            }
        )
        self.transitions.append((when, self.state, new))
        self.state = new
        self.updated = when

    def item(self) -> Json:
        out: Json = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(self.configured),
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
            "Namespace": self.ns,
            "Statistic": self.stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dims.items()],
            "Period": self.period,
            "EvaluationPeriods": self.evals,
            "DatapointsToAlarm": self.to_alarm,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.op,
            "TreatMissingData": self.missing,
        }
        if self.unit:
            out["Unit"] = self.unit
        return out

    def event(self, ids: Ids, when: datetime | None = None) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event of the last transition into ALARM."""
        into = [w for w, _, new in self.transitions if new == "ALARM"]
        t = when or (into[-1] if into else self.updated)
        before = [w for w, _, _ in self.transitions if w < t]
        prev_t = before[-1] if before else self.configured
        hist = json.loads(self.history[-1]["HistoryData"]) if self.history else {}
        prev = hist.get("oldState", {"stateValue": "OK", "stateReason": ""})
        new = hist.get("newState", {"stateValue": self.state, "stateReason": self.reason})
        metric_stat: Json = {
            "metric": {
                "namespace": self.ns,
                "name": self.metric,
                "dimensions": dict(self.dims),
            },
            "period": self.period,
            "stat": self.stat,
        }
        if self.unit:
            metric_stat["unit"] = self.unit
        return {
            "version": "0",
            "id": ids.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {
                    "value": new["stateValue"],
                    "reason": new["stateReason"],
                    "reasonData": json.dumps(new.get("stateReasonData", {}), separators=(",", ":")),
                    "timestamp": _cw_ts(t),
                },
                "previousState": {
                    "value": prev["stateValue"],
                    "reason": prev.get("stateReason", ""),
                    **(
                        {"reasonData": json.dumps(prev["stateReasonData"], separators=(",", ":"))}
                        if "stateReasonData" in prev
                        else {}
                    ),
                    "timestamp": _cw_ts(prev_t),
                },
                "configuration": {
                    "description": self.description,
                    "metrics": [{"id": "m1", "metricStat": metric_stat, "returnData": True}],
                },
            },
        }


# --- CloudTrail -----------------------------------------------------------------------------------


class Trail:
    """CloudTrail records in the delivered shape, for one account and region."""

    def __init__(self, ids: Ids, account: str, region: str) -> None:
        self.ids, self.account, self.region = ids, account, region
        self.records: list[Json] = []
        self._role_ids: dict[str, str] = {}

    def _role_id(self, role: str) -> str:
        if role not in self._role_ids:
            self._role_ids[role] = self.ids.role_id()
        return self._role_ids[role]

    def role(self, role: str, session: str, since: datetime, *, path: str = "/", mfa: bool = False) -> Json:
        rid = self._role_id(role)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.ids.access_key(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(since), "mfaAuthenticated": "true" if mfa else "false"},
            },
        }

    def sso(self, permission_set: str, suffix: str, email: str, since: datetime) -> Json:
        role = f"AWSReservedSSO_{permission_set}_{suffix}"
        return self.role(role, email, since, path="/aws-reserved/sso.amazonaws.com/")

    def service_linked(self, role: str, service: str, since: datetime) -> Json:
        ident = self.role(
            role, service.split(".")[0].capitalize(), since, path=f"/aws-service-role/{service}/"
        )
        ident["invokedBy"] = service
        return ident

    @staticmethod
    def aws_service(service: str) -> Json:
        return {"type": "AWSService", "invokedBy": service}

    def add(
        self,
        when: datetime,
        source: str,
        name: str,
        ident: Json,
        params: Json | None,
        response: Json | None = None,
        *,
        read_only: bool,
        ip: str,
        ua: str,
        error: tuple[str, str] | None = None,
        resources: list[Json] | None = None,
        extra: Json | None = None,
        region: str | None = None,
        version: str = "1.09",
    ) -> Json:
        region = region or self.region
        host = source.replace(".amazonaws.com", "")
        rec: Json = {
            "eventVersion": version,
            "userIdentity": ident,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip,
            "userAgent": ua,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = self.ids.uuid()
        rec["eventID"] = self.ids.uuid()
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if ident.get("type") != "AWSService" and not ip.endswith("amazonaws.com"):
            global_hosts = {"iam", "cloudfront", "route53", "sts"}
            hh = f"{host}.amazonaws.com" if host in global_hosts else f"{host}.{region}.amazonaws.com"
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": hh,
            }
        if extra:
            rec.update(extra)
        self.records.append(rec)
        return rec

    def sorted(self) -> list[Json]:
        return sorted(self.records, key=lambda r: (r["eventTime"], r["eventID"]))


CONSOLE_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
CLI_UA = "aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/{api}"
DD_UA = "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) datadog-agent"
BOTO_UA = "Boto3/1.35.76 md/Botocore#1.35.76 ua/2.0 os/linux#5.10.228-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.76"


def routine(
    trail: Trail,
    rng: random.Random,
    start: datetime,
    now: datetime,
    *,
    n: int,
    humans: list[tuple[str, str]],
    ci_role: str,
    monitor_role: str,
    read_targets: dict[str, list[str]],
    office_ip: str,
    runner_ip: str,
) -> None:
    """Background activity: monitoring reads, humans looking around, CI assuming roles, AWS services.

    `humans` is (permission set, email); `read_targets` maps "instances", "target_groups",
    "log_groups", "alarms", "functions", "clusters" to names/ids that exist in the bundle.
    """
    span = (now - start).total_seconds()
    dd_since = start - timedelta(minutes=rng.randint(5, 50))
    human_ids = [(trail.sso(ps, trail.ids.hex(16), email, start), email) for ps, email in humans]
    kinds = [
        "dd_ec2",
        "dd_elb",
        "dd_cw",
        "human_alarms",
        "human_logs",
        "human_ec2",
        "ci_sts",
        "svc_kms",
        "human_tg",
    ]
    for _ in range(n):
        when = start + timedelta(seconds=rng.uniform(0, span - 60))
        kind = rng.choice(kinds)
        if kind.startswith("dd_"):
            ident = trail.role(monitor_role, "DatadogAWSIntegration", dd_since)
            if kind == "dd_ec2":
                trail.add(
                    when,
                    "ec2.amazonaws.com",
                    "DescribeInstances",
                    ident,
                    {"instancesSet": {}, "filterSet": {}, "maxResults": 1000},
                    read_only=True,
                    ip="3.233.146.30",
                    ua=DD_UA,
                )
            elif kind == "dd_elb":
                trail.add(
                    when,
                    "elasticloadbalancing.amazonaws.com",
                    "DescribeLoadBalancers",
                    ident,
                    {"pageSize": 400},
                    read_only=True,
                    ip="3.233.146.30",
                    ua=DD_UA,
                )
            else:
                trail.add(
                    when,
                    "monitoring.amazonaws.com",
                    "ListMetrics",
                    ident,
                    {"namespace": rng.choice(["AWS/EC2", "AWS/ApplicationELB", "AWS/ECS", "AWS/NATGateway"])},
                    read_only=True,
                    ip="3.233.146.30",
                    ua=DD_UA,
                )
        elif kind.startswith("human") and human_ids:
            ident, _email = rng.choice(human_ids)
            if kind == "human_alarms":
                trail.add(
                    when,
                    "monitoring.amazonaws.com",
                    "DescribeAlarms",
                    ident,
                    {"maxRecords": 100},
                    read_only=True,
                    ip=office_ip,
                    ua=CONSOLE_UA,
                )
            elif kind == "human_logs" and read_targets.get("log_groups"):
                trail.add(
                    when,
                    "logs.amazonaws.com",
                    "FilterLogEvents",
                    ident,
                    {
                        "logGroupName": rng.choice(read_targets["log_groups"]),
                        "startTime": ms(when - timedelta(hours=1)),
                        "endTime": ms(when),
                        "interleaved": True,
                    },
                    read_only=True,
                    ip=office_ip,
                    ua=CONSOLE_UA,
                )
            elif kind == "human_tg" and read_targets.get("target_groups"):
                trail.add(
                    when,
                    "elasticloadbalancing.amazonaws.com",
                    "DescribeTargetHealth",
                    ident,
                    {"targetGroupArn": rng.choice(read_targets["target_groups"])},
                    read_only=True,
                    ip=office_ip,
                    ua=CONSOLE_UA,
                )
            else:
                trail.add(
                    when,
                    "ec2.amazonaws.com",
                    "DescribeSecurityGroups",
                    ident,
                    {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
                    read_only=True,
                    ip=office_ip,
                    ua=CONSOLE_UA,
                )
        elif kind == "ci_sts":
            sess = f"GitHubActions-{rng.randrange(10**9, 10**10)}"
            trail.add(
                when,
                "sts.amazonaws.com",
                "AssumeRoleWithWebIdentity",
                {
                    "type": "WebIdentityUser",
                    "principalId": f"arn:aws:iam::{trail.account}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:{ci_role}",
                    "userName": f"repo:{ci_role}:ref:refs/heads/main",
                    "identityProvider": f"arn:aws:iam::{trail.account}:oidc-provider/token.actions.githubusercontent.com",
                },
                {
                    "roleArn": f"arn:aws:iam::{trail.account}:role/github-actions-deploy",
                    "roleSessionName": sess,
                    "durationSeconds": 3600,
                },
                {
                    "credentials": {
                        "accessKeyId": trail.ids.access_key(),
                        "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                        "expiration": (when + timedelta(hours=1)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    },
                    "subjectFromWebIdentityToken": f"repo:{ci_role}:ref:refs/heads/main",
                    "assumedRoleUser": {
                        "assumedRoleId": f"{trail._role_id('github-actions-deploy')}:{sess}",
                        "arn": f"arn:aws:sts::{trail.account}:assumed-role/github-actions-deploy/{sess}",
                    },
                    "provider": f"arn:aws:iam::{trail.account}:oidc-provider/token.actions.githubusercontent.com",
                    "audience": "sts.amazonaws.com",
                },
                read_only=True,
                ip=runner_ip,
                ua="aws-sdk-js/3.699.0 ua/2.1 os/linux#6.8.0-1017-azure lang/js md/nodejs#20.18.1 api/sts#3.699.0 m/E,e",
                extra={
                    "additionalEventData": {"identityProviderConnectionVerificationMethod": "IAMTrustStore"}
                },
            )
        else:
            trail.add(
                when,
                "kms.amazonaws.com",
                "Decrypt",
                trail.aws_service("secretsmanager.amazonaws.com"),
                {
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    "encryptionContext": {
                        "SecretARN": f"arn:aws:secretsmanager:{trail.region}:{trail.account}:secret:{rng.choice(read_targets.get('secrets', ['app/config-x1Yz9Q']))}",
                        "SecretVersionId": trail.ids.uuid(),
                    },
                },
                None,
                read_only=True,
                ip="secretsmanager.amazonaws.com",
                ua="secretsmanager.amazonaws.com",
                resources=[
                    {
                        "accountId": trail.account,
                        "type": "AWS::KMS::Key",
                        "ARN": f"arn:aws:kms:{trail.region}:{trail.account}:key/{trail.ids.uuid()}",
                    }
                ],
                extra={"sharedEventID": trail.ids.uuid()},
            )


# --- resources / events ---------------------------------------------------------------------------


def res(service: str, type_: str, item: Json) -> Json:
    return {"service": service, "type": type_, "item": item}


def tags(**kv: str) -> list[Json]:
    return [
        {"Key": k.replace("__", ":").replace("_", "-") if k != "Name" else k, "Value": v}
        for k, v in kv.items()
    ]


def tag_list(pairs: list[tuple[str, str]]) -> list[Json]:
    return [{"Key": k, "Value": v} for k, v in pairs]


def status_item(iid: str, az: str, *, ok: bool = True, events: list[Json] | None = None) -> Json:
    st = "ok" if ok else "impaired"
    item: Json = {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": {
            "Details": [{"Name": "reachability", "Status": "passed" if ok else "failed"}],
            "Status": st,
        },
        "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
    }
    if events:
        item["Events"] = events
    return item


def instance_item(
    *,
    iid: str,
    ami: str,
    itype: str,
    az: str,
    subnet: str,
    vpc: str,
    private_ip: str,
    sgs: list[tuple[str, str]],
    launched: datetime,
    profile_arn: str,
    profile_id: str,
    tag_pairs: list[tuple[str, str]],
    eni: str,
    volume: str,
    account: str,
    http_tokens: str = "optional",
    hop_limit: int = 2,
    state: str = "running",
) -> Json:
    code = {"running": 16, "pending": 0, "shutting-down": 32, "terminated": 48}[state]
    region_host = az[:-1]
    dns = f"ip-{private_ip.replace('.', '-')}.{region_host}.compute.internal"
    return {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns,
        "PrivateIpAddress": private_ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": code, "Name": state},
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
                    "VolumeId": volume,
                },
            }
        ],
        "ClientToken": "",
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {"Arn": profile_arn, "Id": profile_id},
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": f"eni-attach-{eni[4:]}",
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": "0a:" + ":".join(eni[4 + i : 6 + i] for i in range(0, 10, 2)),
                "NetworkInterfaceId": eni,
                "OwnerId": account,
                "PrivateDnsName": dns,
                "PrivateIpAddress": private_ip,
                "PrivateIpAddresses": [
                    {"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": private_ip}
                ],
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
        "Tags": tag_list(tag_pairs),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
        "HibernationOptions": {"Configured": False},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": http_tokens,
            "HttpPutResponseHopLimit": hop_limit,
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


def target_health(
    tg_arn: str,
    target_id: str,
    port: int,
    state: str,
    when: datetime,
    az: str | None = None,
    reason: str | None = None,
    description: str | None = None,
) -> Json:
    target: Json = {"Id": target_id, "Port": port}
    if az:
        target["AvailabilityZone"] = az
    health: Json = {"State": state}
    if reason:
        health["Reason"] = reason
    if description:
        health["Description"] = description
    return {
        "source": "target_health",
        "item": {"target_group_arn": tg_arn, "target": target, "health": health, "timestamp": iso(when)},
    }


def log(group: str, stream: str, t: datetime, message: str) -> Json:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def log_group_item(name: str, account: str, region: str, created: datetime, retention: int = 30) -> Json:
    return {
        "logGroupName": name,
        "creationTime": ms(created),
        "retentionInDays": retention,
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": 0,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
    }


def sort_metrics(rows: list[Json]) -> list[Json]:
    return sorted(
        rows,
        key=lambda d: (
            d["timestamp"],
            d["namespace"],
            d["metric"],
            json.dumps(d["dimensions"], sort_keys=True),
        ),
    )


def sort_logs(rows: list[Json]) -> list[Json]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def sort_history(alarms: list[Alarm]) -> list[Json]:
    return sorted([h for a in alarms for h in a.history], key=lambda h: str(h["Timestamp"]))


@dataclass
class Box:
    """One EC2 instance of a simulated fleet."""

    id: str
    az: str
    launched: datetime
    inservice: datetime
    ip: str
    eni: str
    vol: str
    terminated: datetime | None = None
    bias: float = 0.0
