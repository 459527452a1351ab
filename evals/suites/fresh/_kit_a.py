"""Private helpers for author A's fresh incidents: ids, time, metric series, alarms, CloudTrail records.

Everything random comes from the incident's own `random.Random`, so a seed gives the same bundle.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

MIN = timedelta(minutes=1)

FIRST_NAMES = [
    "priya.raman",
    "tom.becker",
    "ana.souza",
    "li.wei",
    "marcus.oyelaran",
    "sofia.lindqvist",
    "daniel.okafor",
    "hannah.kowalski",
    "rahul.iyer",
    "emma.fitzgerald",
    "jonas.weber",
    "keiko.tanaka",
]

HEX = "0123456789abcdef"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_date(t: datetime) -> str:
    """CloudWatch reasonData dates: 2024-05-14T14:03:00.000+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


@dataclass
class Principal:
    """Who makes a CloudTrail call: identity block plus where calls come from."""

    identity: dict[str, Any]
    source_ip: str
    user_agent: str
    console: bool = False
    service: str | None = None  # invokedBy host for service-made calls


@dataclass
class Series:
    """A metric's per-minute values from ctx.start (None: no datapoint that minute)."""

    namespace: str
    metric: str
    dims: dict[str, str]
    unit: str
    values: list[float | None]
    kind: str = "gauge"  # gauge | count | dist
    counts: list[float] | None = None  # request counts behind a dist series
    sparse: bool = False  # counts AWS publishes only when non-zero


@dataclass
class Ctx:
    name: str
    seed: int
    rng: random.Random
    account: str
    region: str
    start: datetime
    now: datetime
    metrics: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    trail: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    fine_from: datetime | None = None
    fine_windows: list[tuple[datetime, datetime]] = field(default_factory=list)

    # ---- ids -----------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(HEX) for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(UPPER) for _ in range(n))

    def rid(self, prefix: str, n: int = 17) -> str:
        return f"{prefix}-0{self.hex(n - 1)}"

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def minutes(self) -> int:
        return int((self.now - self.start) / MIN)

    def t(self, i: int) -> datetime:
        return self.start + i * MIN

    def idx(self, t: datetime) -> int:
        return int((t - self.start) / MIN)

    def jitter(self, t: datetime, lo: float = 0.0, hi: float = 59.0) -> datetime:
        return t + timedelta(seconds=self.rng.uniform(lo, hi))

    # ---- records -------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        if t < self.now:
            self.logs.append(
                {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
            )

    def target_health(
        self,
        tg_arn: str,
        target_id: str,
        port: int,
        t: datetime,
        state: str,
        reason: str | None = None,
        description: str | None = None,
        az: str | None = None,
    ) -> None:
        health: dict[str, Any] = {"State": state}
        if reason:
            health["Reason"] = reason
        if description:
            health["Description"] = description
        target: dict[str, Any] = {"Id": target_id, "Port": port}
        if az:
            target["AvailabilityZone"] = az
        self.event(
            "target_health",
            {"target_group_arn": tg_arn, "target": target, "health": health, "timestamp": iso(t)},
        )

    # ---- metrics -------------------------------------------------------------------------------
    def _fine(self, t: datetime) -> bool:
        if self.fine_from is not None and t >= self.fine_from:
            return True
        return any(a <= t < b for a, b in self.fine_windows)

    def emit(self, s: Series) -> Series:
        n = len(s.values)
        i = 0
        while i < n:
            t = self.t(i)
            if self._fine(t) or t.minute % 5 != 0 or i + 5 > n:
                self._emit_one(s, i)
                i += 1
                continue
            block = [j for j in range(i, i + 5) if s.values[j] is not None]
            if any(self._fine(self.t(j)) for j in range(i, i + 5)):
                self._emit_one(s, i)
                i += 1
                continue
            t0 = self.t(i)
            i += 5
            if not block:
                continue
            vals = [float(s.values[j]) for j in block]  # type: ignore[arg-type]
            if s.kind == "dist":
                cnt = [float(s.counts[j]) if s.counts else 1.0 for j in block]
                total = sum(cnt)
                if total <= 0:
                    continue
                ssum = sum(v * c for v, c in zip(vals, cnt, strict=True))
                stats = {
                    "SampleCount": total,
                    "Sum": round(ssum, 6),
                    "Minimum": round(min(vals) * 0.18, 6),
                    "Maximum": round(max(vals) * 4.5, 6),
                }
            elif s.kind == "count":
                if s.sparse and sum(vals) == 0:
                    continue
                stats = {
                    "SampleCount": float(len(vals)),
                    "Sum": round(sum(vals), 6),
                    "Minimum": round(min(vals), 6),
                    "Maximum": round(max(vals), 6),
                }
            else:
                stats = {
                    "SampleCount": float(len(vals)),
                    "Sum": round(sum(vals), 6),
                    "Minimum": round(min(vals), 6),
                    "Maximum": round(max(vals), 6),
                }
            self.metrics.append(
                {
                    "namespace": s.namespace,
                    "metric": s.metric,
                    "dimensions": s.dims,
                    "timestamp": iso(t0),
                    "unit": s.unit,
                    "statistic_values": stats,
                }
            )
        return s

    def _emit_one(self, s: Series, i: int) -> None:
        v = s.values[i]
        if v is None:
            return
        if s.sparse and v == 0:
            return
        row: dict[str, Any] = {
            "namespace": s.namespace,
            "metric": s.metric,
            "dimensions": s.dims,
            "timestamp": iso(self.t(i)),
            "unit": s.unit,
        }
        if s.kind == "dist":
            n = int(s.counts[i]) if s.counts else 1
            if n <= 0:
                return
            row["values"], row["counts"] = self.spread(float(v), n)
        else:
            row["value"] = round(float(v), 6)
        self.metrics.append(row)

    def spread(self, mean: float, n: int) -> tuple[list[float], list[float]]:
        """A latency distribution with the given mean: a lognormal-ish set of buckets."""
        shape = [0.35, 0.6, 0.85, 1.1, 1.6, 2.8, 5.5]
        weights = [0.12, 0.22, 0.26, 0.2, 0.12, 0.06, 0.02]
        vals = [mean * f * self.rng.uniform(0.93, 1.07) for f in shape]
        raw = [w * n for w in weights]
        counts = [max(0, round(c)) for c in raw]
        diff = n - sum(counts)
        counts[2] += diff
        if counts[2] < 0:
            counts[2] = 0
        total = sum(counts) or 1
        m = sum(v * c for v, c in zip(vals, counts, strict=True)) / total
        k = mean / m if m else 1.0
        pairs = [(round(v * k, 6), float(c)) for v, c in zip(vals, counts, strict=True) if c > 0]
        if not pairs:
            return [round(mean, 6)], [float(max(n, 1))]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[..., float | None],
        *,
        kind: str = "gauge",
        sparse: bool = False,
        counts: Sequence[float] | None = None,
        emit: bool = True,
    ) -> Series:
        values = [fn(self.t(i)) for i in range(self.minutes())]
        s = Series(namespace, metric, dims, unit, values, kind, list(counts) if counts else None, sparse)
        return self.emit(s) if emit else s

    def noise(self, sd: float) -> float:
        return self.rng.gauss(0.0, sd)

    # ---- alarms --------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        s: Series,
        *,
        stat: str,
        threshold: float,
        op: str,
        period: int = 60,
        evals: int = 1,
        datapoints: int | None = None,
        missing: str = "missing",
        description: str = "",
        actions: Sequence[str] = (),
        created: datetime | None = None,
        dims: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """A MetricAlarm evaluated over the series; writes its history within start..now."""
        m = datapoints or evals
        per = period // 60
        arn = self.arn("cloudwatch", f"alarm:{name}")
        dimensions = [{"Name": k, "Value": v} for k, v in (dims or s.dims).items()]
        n = len(s.values)

        def agg(end_i: int) -> float | None:
            lo = end_i - per
            if lo < 0:
                return None
            vals = [(s.values[j], (s.counts[j] if s.counts else 1.0)) for j in range(lo, end_i)]
            present: list[tuple[float, float]] = [
                (float(v), float(c)) for v, c in vals if v is not None and not (s.sparse and v == 0)
            ]
            if not present:
                return None
            if stat == "Sum":
                return float(sum(v for v, _ in present))
            if stat == "Maximum":
                return float(max(v for v, _ in present))
            if stat == "Minimum":
                return float(min(v for v, _ in present))
            if s.kind == "dist":
                tot = sum(c for _, c in present)
                return float(sum(v * c for v, c in present) / tot) if tot else None
            return float(sum(v for v, _ in present) / len(present))

        def breach(v: float) -> bool:
            return {
                "GreaterThanThreshold": v > threshold,
                "GreaterThanOrEqualToThreshold": v >= threshold,
                "LessThanThreshold": v < threshold,
                "LessThanOrEqualToThreshold": v <= threshold,
            }[op]

        words = {
            "GreaterThanThreshold": ("greater than", "not greater than"),
            "GreaterThanOrEqualToThreshold": ("greater than or equal to", "not greater than or equal to"),
            "LessThanThreshold": ("less than", "not less than"),
            "LessThanOrEqualToThreshold": ("less than or equal to", "not less than or equal to"),
        }[op]

        state = "INSUFFICIENT_DATA"
        state_reason = "Unchecked: Initial alarm creation"
        state_data = ""
        state_time = created or (self.start - timedelta(days=self.rng.randint(20, 200)))
        transitions: list[dict[str, Any]] = []
        init_time = state_time
        first = True
        end_i = per * evals
        while end_i <= n:
            if (end_i % per) != 0:
                end_i += 1
                continue
            window = [(end_i - k * per, agg(end_i - k * per)) for k in range(evals)]
            have = [(e, v) for e, v in window if v is not None]
            nb = sum(1 for _, v in have if breach(v))
            missing_n = evals - len(have)
            if missing == "breaching":
                nb += missing_n
            ok_n = len(have) - sum(1 for _, v in have if breach(v))
            if missing == "notBreaching":
                ok_n += missing_n
            if nb >= m:
                new = "ALARM"
            elif ok_n > evals - m:
                new = "OK"
            elif not have and missing == "missing":
                new = "INSUFFICIENT_DATA"
            else:
                new = state
            if new != state:
                shift = (floor_min(state_time) - self.t(end_i)) if first else timedelta(0)
                when = self.t(end_i) + shift + timedelta(seconds=self.rng.uniform(20, 75))
                if when >= self.now:
                    break
                pts = [(e, v) for e, v in have][:evals]
                shown = pts[: max(1, min(len(pts), evals))]
                if not shown:
                    reason = (
                        f"Insufficient Data: {evals} datapoint{'s were' if evals > 1 else ' was'} unknown."
                    )
                else:
                    vals_txt = ", ".join(
                        f"{_num(v)} ({(self.t(e - per) + shift).strftime('%d/%m/%y %H:%M:%S')})"
                        for e, v in shown
                    )
                    if new == "ALARM":
                        if evals == 1:
                            reason = (
                                f"Threshold Crossed: 1 datapoint [{vals_txt}] was {words[0]} the "
                                f"threshold ({_num(threshold)})."
                            )
                        else:
                            reason = (
                                f"Threshold Crossed: {nb} out of the last {evals} datapoints [{vals_txt}] "
                                f"were {words[0]} the threshold ({_num(threshold)}) (minimum {m} "
                                f"datapoint{'s' if m > 1 else ''} for OK -> ALARM transition)."
                            )
                    else:
                        if evals == 1:
                            reason = (
                                f"Threshold Crossed: 1 datapoint [{vals_txt}] was {words[1]} the "
                                f"threshold ({_num(threshold)})."
                            )
                        else:
                            reason = (
                                f"Threshold Crossed: {len(shown)} datapoint{'s' if len(shown) > 1 else ''} "
                                f"[{vals_txt}] {'were' if len(shown) > 1 else 'was'} {words[1]} the "
                                f"threshold ({_num(threshold)}) (minimum 1 datapoint for ALARM -> OK "
                                f"transition)."
                            )
                data = {
                    "version": "1.0",
                    "queryDate": cw_date(when),
                    "startDate": cw_date(self.t(end_i - evals * per) + shift),
                    "statistic": stat,
                    "period": period,
                    "recentDatapoints": [round(v, 6) for _, v in reversed(shown)],
                    "threshold": float(threshold),
                    "evaluatedDatapoints": [
                        {
                            "timestamp": cw_date(self.t(e - per) + shift),
                            "sampleCount": float(per),
                            "value": round(v, 6),
                        }
                        for e, v in shown
                    ],
                }
                if new == "INSUFFICIENT_DATA":
                    data = {"version": "1.0", "queryDate": cw_date(when), "statistic": stat, "period": period}
                if not first:
                    transitions.append(
                        {
                            "when": when,
                            "old": (state, state_reason, state_data),
                            "new": (new, reason, json.dumps(data, separators=(",", ":"))),
                        }
                    )
                state, state_reason, state_data = new, reason, json.dumps(data, separators=(",", ":"))
                if not first:
                    state_time = when
                else:
                    init_time = when
                first = False
            elif first:
                first = False
            end_i += per

        for tr in transitions:
            old, new = tr["old"], tr["new"]
            hist: dict[str, Any] = {
                "version": "1.0",
                "oldState": {"stateValue": old[0], "stateReason": old[1]},
                "newState": {"stateValue": new[0], "stateReason": new[1]},
            }
            if old[2]:
                hist["oldState"]["stateReasonData"] = json.loads(old[2])
            if new[2]:
                hist["newState"]["stateReasonData"] = json.loads(new[2])
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(tr["when"]),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old[0]} to {new[0]}",
                    "HistoryData": json.dumps(hist, separators=(",", ":")),
                }
            )
        cfg_time = created or (
            init_time - timedelta(days=self.rng.randint(1, 90), minutes=self.rng.randint(0, 900))
        )
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(cfg_time),
            "ActionsEnabled": True,
            "OKActions": list(actions),
            "AlarmActions": list(actions),
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": state_reason,
            "StateReasonData": state_data or None,
            "StateUpdatedTimestamp": iso_ms(state_time if transitions else init_time),
            "MetricName": s.metric,
            "Namespace": s.namespace,
            "Statistic": stat,
            "Dimensions": dimensions,
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": m,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(state_time if transitions else init_time),
        }
        if item["StateReasonData"] is None:
            del item["StateReasonData"]
        item["_transitions"] = transitions
        item["_init"] = init_time
        return item

    def add_alarm(self, item: dict[str, Any]) -> None:
        self.alarms.append({k: v for k, v in item.items() if not k.startswith("_")})

    def alarm_event(self, item: dict[str, Any], index: int = -1) -> dict[str, Any]:
        """The EventBridge "CloudWatch Alarm State Change" event for one of the alarm's transitions."""
        tr = item["_transitions"][index]
        old, new = tr["old"], tr["new"]
        when: datetime = tr["when"]
        dims = {d["Name"]: d["Value"] for d in item["Dimensions"]}
        prev: dict[str, Any] = {"value": old[0], "reason": old[1]}
        if old[2]:
            prev["reasonData"] = old[2]
        trs = item["_transitions"]
        pos = index if index >= 0 else len(trs) + index
        prev["timestamp"] = cw_date(trs[pos - 1]["when"] if pos > 0 else item["_init"])
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [item["AlarmArn"]],
            "detail": {
                "alarmName": item["AlarmName"],
                "state": {
                    "value": new[0],
                    "reason": new[1],
                    "reasonData": new[2],
                    "timestamp": cw_date(when),
                },
                "previousState": prev,
                "configuration": {
                    "description": item.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.upper(8).lower(),
                            "metricStat": {
                                "metric": {
                                    "namespace": item["Namespace"],
                                    "name": item["MetricName"],
                                    "dimensions": dims,
                                },
                                "period": item["Period"],
                                "stat": item["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # ---- CloudTrail ----------------------------------------------------------------------------
    def sso(self, user: str, permission_set: str, domain: str, *, console: bool = False) -> Principal:
        role = f"AWSReservedSSO_{permission_set}_{self.hex(16)}"
        role_id = "AROA" + self.upper(17)
        ident = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{user}@{domain}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}@{domain}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        ip = f"{self.rng.choice([81, 86, 92, 145, 176, 203])}.{self.rng.randint(2, 250)}.{self.rng.randint(2, 250)}.{self.rng.randint(2, 250)}"
        if console:
            ua = (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{self.rng.choice(['124.0.0.0', '125.0.0.0', '126.0.0.0'])} Safari/537.36"
            )
        else:
            ua = (
                f"aws-cli/2.{self.rng.choice([15, 16])}.{self.rng.randint(10, 40)} md/awscrt#0.19.19 ua/2.0 "
                "os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard "
                "md/installer#exe md/prompt#off"
            )
        return Principal(ident, ip, ua, console=console)

    def role_session(self, role: str, session: str, ip: str, ua: str) -> Principal:
        role_id = "AROA" + self.upper(17)
        ident = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        return Principal(ident, ip, ua)

    def service_role(self, role: str, session: str, service: str) -> Principal:
        """A service-linked role session (AWSServiceRoleForAutoScaling/AutoScaling, ...)."""
        role_id = "AROA" + self.upper(17)
        ident = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-service-role/{service}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
            "invokedBy": service,
        }
        return Principal(ident, service, service, service=service)

    def ct(
        self,
        t: datetime,
        who: Principal,
        source: str,
        name: str,
        request: dict[str, Any] | None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool,
        resources: list[dict[str, Any]] | None = None,
        error: tuple[str, str] | None = None,
        version: str = "1.09",
    ) -> dict[str, Any]:
        ident = json.loads(json.dumps(who.identity))
        ctx_ = ident.get("sessionContext")
        if ctx_ is not None:
            created = t - timedelta(minutes=self.rng.randint(1, 50), seconds=self.rng.randint(0, 59))
            ctx_["attributes"]["creationDate"] = iso(created)
        req_id = self.uuid()
        rec: dict[str, Any] = {
            "eventVersion": version,
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.source_ip,
            "userAgent": who.user_agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = request
        if response is not None and source == "ec2.amazonaws.com" and "requestId" not in response:
            response = {"requestId": req_id, **response}
        rec["responseElements"] = response
        rec["requestID"] = req_id
        rec["eventID"] = self.uuid()
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if who.service is None:
            host = source.replace(".amazonaws.com", "")
            host = {"monitoring": "monitoring", "elasticloadbalancing": "elasticloadbalancing"}.get(
                host, host
            )
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{host}.{self.region}.amazonaws.com",
            }
        if who.console:
            rec["sessionCredentialFromConsole"] = "true"
        self.trail.append(rec)
        return rec

    # ---- bundle --------------------------------------------------------------------------------
    def bundle(self, manifest: dict[str, Any]) -> Bundle:
        self.trail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda r: r["Timestamp"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        trail = [r for r in self.trail if r["eventTime"] < iso(self.now)]
        history = [h for h in self.history if h["Timestamp"] < iso_ms(self.now)]
        events = [e for e in self.events if _event_time(e) < self.now]
        man = {
            "format": "sleuth-bundle/1",
            "account_id": self.account,
            "region": self.region,
            "start": iso(self.start),
            "end": iso(self.now),
            "now": iso(self.now),
            **manifest,
        }
        return Bundle(
            Manifest.model_validate(man),
            {
                "metrics": self.metrics,
                "alarms": self.alarms,
                "alarm_history": history,
                "logs": self.logs,
                "cloudtrail": trail,
                "resources": self.resources,
                "events": events,
            },
        )


def _event_time(e: dict[str, Any]) -> datetime:
    item = e["item"]
    raw = (
        item.get("timestamp")
        or item.get("StartTime")
        or item.get("Date")
        or item.get("startTime")
        or (item.get("event") or {}).get("createdAt")
        or (item.get("event") or {}).get("lastUpdatedTime")
        or (item.get("event") or {}).get("startTime")
    )
    if raw is None:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))


def _num(v: float) -> str:
    if float(v).is_integer():
        return f"{float(v):.1f}"
    return repr(round(float(v), 6))


def new_ctx(name: str, seed: int, *, regions: Sequence[str] | None = None) -> Ctx:
    rng = random.Random(f"{name}:{seed}")
    account = str(rng.randint(10**11, 10**12 - 1))
    region = rng.choice(list(regions or ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"]))
    dummy = datetime(2024, 1, 1, tzinfo=UTC)
    return Ctx(name, seed, rng, account, region, dummy, dummy)


def pick_day(ctx: Ctx, *, weekday_only: bool = True) -> datetime:
    """A random date in 2024 (midnight UTC), a weekday unless told otherwise."""
    while True:
        day = datetime(2024, 1, 8, tzinfo=UTC) + timedelta(days=ctx.rng.randint(0, 300))
        if not weekday_only or day.weekday() < 5:
            return day


def diurnal(t: datetime, utc_offset_h: float, *, peak_h: float = 14.5, floor: float = 0.18) -> float:
    """0..1 shape of human traffic: low at night, broad daytime hump peaking at local peak_h."""
    local = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((local - peak_h) / 24 * 2 * math.pi)
    day = max(0.0, x) ** 1.6
    return floor + (1 - floor) * day


def azs(region: str) -> list[str]:
    return [f"{region}a", f"{region}b", f"{region}c"]


def ip_in(ctx: Ctx, prefix: str) -> str:
    """An address in a /24-ish prefix such as '10.40.3'."""
    return f"{prefix}.{ctx.rng.randint(10, 250)}"


# ---- infrastructure items ----------------------------------------------------------------------

AZ_IDS = {
    "us-east-1": ["use1-az4", "use1-az6", "use1-az1"],
    "us-east-2": ["use2-az1", "use2-az2", "use2-az3"],
    "us-west-2": ["usw2-az2", "usw2-az1", "usw2-az3"],
    "eu-west-1": ["euw1-az3", "euw1-az1", "euw1-az2"],
    "eu-central-1": ["euc1-az2", "euc1-az3", "euc1-az1"],
}
ELB_ZONE = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
}


@dataclass
class Subnet:
    id: str
    az: str
    az_id: str
    cidr: str
    prefix: str  # first three octets, for addresses
    public: bool
    lo: int = 8  # usable host range in the last octet
    hi: int = 250


@dataclass
class Net:
    vpc_id: str
    cidr: str
    private: list[Subnet]
    public: list[Subnet]


def tags(**kv: str) -> list[dict[str, str]]:
    return [
        {"Key": k.replace("__", ":").replace("_", "-") if k != "Name" else k, "Value": v}
        for k, v in kv.items()
    ]


def network(
    ctx: Ctx,
    env: str,
    *,
    private_free: Sequence[int] | None = None,
    private_mask: int = 22,
    emit_public: bool = True,
) -> Net:
    second = ctx.rng.choice([16, 20, 24, 40, 64, 96])
    vpc_id = ctx.rid("vpc")
    cidr = f"10.{second}.0.0/16"
    ctx.res(
        "ec2",
        "Vpc",
        {
            "CidrBlock": cidr,
            "DhcpOptionsId": ctx.rid("dopt"),
            "State": "available",
            "VpcId": vpc_id,
            "OwnerId": ctx.account,
            "InstanceTenancy": "default",
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": ctx.rid("vpc-cidr-assoc"),
                    "CidrBlock": cidr,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "IsDefault": False,
            "Tags": tags(Name=f"{env}-vpc"),
        },
    )
    zones = azs(ctx.region)
    ids = AZ_IDS.get(ctx.region, [f"az{i}" for i in range(3)])
    size = 2 ** (32 - private_mask) - 5
    private: list[Subnet] = []
    public: list[Subnet] = []
    for k, (az, az_id) in enumerate(zip(zones, ids, strict=True)):
        step = 2 ** (24 - private_mask) if private_mask <= 24 else 1
        third = 32 + k * max(step, 4) if private_mask <= 24 else 48 + k
        host0 = 0 if private_mask <= 24 else (k * 2 ** (32 - private_mask)) % 256
        pcidr = f"10.{second}.{third}.{host0}/{private_mask}"
        free = private_free[k] if private_free else size - ctx.rng.randint(30, 120)
        sub = Subnet(ctx.rid("subnet"), az, az_id, pcidr, f"10.{second}.{third}", False)
        if private_mask > 24:
            sub.lo, sub.hi = host0 + 4, host0 + 2 ** (32 - private_mask) - 2
        private.append(sub)
        ctx.res("ec2", "Subnet", _subnet_item(ctx, sub, vpc_id, free, f"{env}-private-{az[-1]}"))
        pub = Subnet(ctx.rid("subnet"), az, az_id, f"10.{second}.{k}.0/24", f"10.{second}.{k}", True)
        public.append(pub)
        if emit_public:
            ctx.res(
                "ec2",
                "Subnet",
                _subnet_item(ctx, pub, vpc_id, 251 - ctx.rng.randint(3, 12), f"{env}-public-{az[-1]}"),
            )
    return Net(vpc_id, cidr, private, public)


def _subnet_item(ctx: Ctx, s: Subnet, vpc_id: str, free: int, name: str) -> dict[str, Any]:
    return {
        "AvailabilityZone": s.az,
        "AvailabilityZoneId": s.az_id,
        "AvailableIpAddressCount": free,
        "CidrBlock": s.cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": s.public,
        "State": "available",
        "SubnetId": s.id,
        "VpcId": vpc_id,
        "OwnerId": ctx.account,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": tags(Name=name, tier="public" if s.public else "private"),
        "SubnetArn": ctx.arn("ec2", f"subnet/{s.id}"),
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def security_group(
    ctx: Ctx, net: Net, name: str, description: str, ingress: Sequence[tuple[int, int, str]]
) -> str:
    """ingress: (from_port, to_port, source) where source is a CIDR or an sg- id."""
    gid = ctx.rid("sg")
    perms = []
    for lo, hi, src in ingress:
        p: dict[str, Any] = {
            "IpProtocol": "tcp",
            "FromPort": lo,
            "ToPort": hi,
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
        if src.startswith("sg-"):
            p["UserIdGroupPairs"] = [{"UserId": ctx.account, "GroupId": src}]
        else:
            p["IpRanges"] = [{"CidrIp": src}]
        perms.append(p)
    ctx.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": gid,
            "GroupName": name,
            "Description": description,
            "OwnerId": ctx.account,
            "VpcId": net.vpc_id,
            "IpPermissions": perms,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "Tags": tags(Name=name),
            "SecurityGroupArn": ctx.arn("ec2", f"security-group/{gid}"),
        },
    )
    return gid


@dataclass
class Lb:
    arn: str
    dim: str  # app/name/hex
    name: str
    dns: str


def load_balancer(
    ctx: Ctx, net: Net, name: str, sg_id: str, *, internal: bool = False, created: datetime
) -> Lb:
    h = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{h}")
    num = ctx.rng.randint(10**8, 2 * 10**9)
    dns = f"{'internal-' if internal else ''}{name}-{num}.{ctx.region}.elb.amazonaws.com"
    subs = net.private if internal else net.public
    ctx.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": dns,
            "CanonicalHostedZoneId": ELB_ZONE.get(ctx.region, "Z35SXDOTRQ7X7K"),
            "CreatedTime": iso_ms(created),
            "LoadBalancerName": name,
            "Scheme": "internal" if internal else "internet-facing",
            "VpcId": net.vpc_id,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": s.az, "SubnetId": s.id, "LoadBalancerAddresses": []} for s in subs
            ],
            "SecurityGroups": [sg_id],
            "IpAddressType": "ipv4",
        },
    )
    return Lb(arn, f"app/{name}/{h}", name, dns)


@dataclass
class Tg:
    arn: str
    dim: str  # targetgroup/name/hex
    name: str
    port: int


def target_group(
    ctx: Ctx,
    net: Net,
    name: str,
    port: int,
    lb: Lb | None,
    *,
    path: str = "/health",
    target_type: str = "instance",
    interval: int = 15,
    timeout: int = 5,
    healthy: int = 3,
    unhealthy: int = 2,
    matcher: str = "200",
    hc_port: str = "traffic-port",
    emit: bool = True,
) -> Tg:
    h = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"targetgroup/{name}/{h}")
    item = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": net.vpc_id,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": hc_port,
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": interval,
        "HealthCheckTimeoutSeconds": timeout,
        "HealthyThresholdCount": healthy,
        "UnhealthyThresholdCount": unhealthy,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": matcher},
        "LoadBalancerArns": [lb.arn] if lb else [],
        "TargetType": target_type,
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    if emit:
        ctx.res("elbv2", "TargetGroup", item)
    return Tg(arn, f"targetgroup/{name}/{h}", name, port)


def listener(ctx: Ctx, lb: Lb, default_tg: Tg | None, *, port: int = 443, cert: str | None = None) -> str:
    arn = lb.arn.replace(":loadbalancer/", ":listener/") + f"/{ctx.hex(16)}"
    item: dict[str, Any] = {
        "ListenerArn": arn,
        "LoadBalancerArn": lb.arn,
        "Port": port,
        "Protocol": "HTTPS" if port == 443 else "HTTP",
        "DefaultActions": (
            [
                {
                    "Type": "forward",
                    "TargetGroupArn": default_tg.arn,
                    "ForwardConfig": {
                        "TargetGroups": [{"TargetGroupArn": default_tg.arn, "Weight": 1}],
                        "TargetGroupStickinessConfig": {"Enabled": False},
                    },
                }
            ]
            if default_tg
            else [
                {
                    "Type": "fixed-response",
                    "FixedResponseConfig": {
                        "StatusCode": "404",
                        "ContentType": "text/plain",
                        "MessageBody": "Not Found",
                    },
                }
            ]
        ),
    }
    if port == 443:
        item["Certificates"] = [{"CertificateArn": cert or ctx.arn("acm", f"certificate/{ctx.uuid()}")}]
        item["SslPolicy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    ctx.res("elbv2", "Listener", item)
    return arn


def instance(
    ctx: Ctx,
    net: Net,
    sub: Subnet,
    *,
    name: str,
    itype: str,
    ami: str,
    sgs: Sequence[tuple[str, str]],
    profile: str,
    launched: datetime,
    state: str = "running",
    state_reason: str = "",
    extra_tags: dict[str, str] | None = None,
    volume_id: str | None = None,
    key: str | None = None,
    emit: bool = True,
) -> dict[str, Any]:
    iid = ctx.rid("i")
    ip = f"{sub.prefix}.{ctx.rng.randint(sub.lo, sub.hi)}"
    dns = f"ip-{ip.replace('.', '-')}.{'ec2.internal' if ctx.region == 'us-east-1' else ctx.region + '.compute.internal'}"
    eni = ctx.rid("eni")
    codes = {
        "running": 16,
        "stopped": 80,
        "stopping": 64,
        "terminated": 48,
        "pending": 0,
        "shutting-down": 32,
    }
    vol = volume_id or ctx.rid("vol")
    tag_list = [{"Key": "Name", "Value": name}] + [
        {"Key": k, "Value": v} for k, v in (extra_tags or {}).items()
    ]
    item: dict[str, Any] = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "enabled"},
        "Placement": {"AvailabilityZone": sub.az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns,
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": codes[state], "Name": state},
        "StateTransitionReason": state_reason,
        "SubnetId": sub.id,
        "VpcId": net.vpc_id,
        "Architecture": "arm64" if itype[2:3] == "g" or "g." in itype else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": vol,
                },
            }
        ],
        "ClientToken": ctx.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{ctx.account}:instance-profile/{profile}",
            "Id": "AIPA" + ctx.upper(17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": ctx.rid("eni-attach"),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(ctx.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": ctx.account,
                "PrivateDnsName": dns,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": sub.id,
                "VpcId": net.vpc_id,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": tag_list,
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1 if itype.endswith(".large") else 2, "ThreadsPerCore": 2},
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
        "BootMode": "uefi-preferred",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "uefi",
    }
    if key:
        item["KeyName"] = key
    if state == "stopped":
        item["StateReason"] = {
            "Code": "Client.UserInitiatedShutdown",
            "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
        }
        item["PrivateDnsName"] = dns
    if emit:
        ctx.res("ec2", "Instance", item)
    return item


def instance_status(
    ctx: Ctx,
    inst: dict[str, Any],
    *,
    system_impaired_since: datetime | None = None,
    instance_impaired_since: datetime | None = None,
    ebs_impaired_since: datetime | None = None,
) -> None:
    az = inst["Placement"]["AvailabilityZone"]
    zones = azs(ctx.region)
    az_id = AZ_IDS.get(ctx.region, ["az1", "az2", "az3"])[zones.index(az)] if az in zones else None

    def summary(since: datetime | None, name: str) -> dict[str, Any]:
        if since is None:
            return {"Details": [{"Name": name, "Status": "passed"}], "Status": "ok"}
        return {
            "Details": [{"ImpairedSince": iso(since), "Name": name, "Status": "failed"}],
            "Status": "impaired",
        }

    item: dict[str, Any] = {
        "AvailabilityZone": az,
        "InstanceId": inst["InstanceId"],
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": summary(instance_impaired_since, "reachability"),
        "SystemStatus": summary(system_impaired_since, "reachability"),
        "AttachedEbsStatus": summary(ebs_impaired_since, "reachability"),
    }
    if az_id:
        item["AvailabilityZoneId"] = az_id
    ctx.res("ec2", "InstanceStatus", item)


# ---- routine CloudTrail ------------------------------------------------------------------------


@dataclass
class Refs:
    """What routine callers touch in this account."""

    instances: list[str]
    target_groups: list[str]
    load_balancers: list[str]
    log_groups: list[str]
    params: list[str]
    buckets: list[str]
    asgs: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    db_instances: list[str] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)


def background(
    ctx: Ctx,
    refs: Refs,
    *,
    humans: Sequence[Principal],
    automation: Sequence[Principal],
    app_roles: Sequence[Principal],
    t0: datetime,
    t1: datetime,
    n: int,
) -> None:
    """n routine records between t0 and t1: reads by people and tooling, small writes by services."""
    span = (t1 - t0).total_seconds()
    for _ in range(n):
        t = t0 + timedelta(seconds=ctx.rng.uniform(0, span))
        t = t.replace(microsecond=0)
        kind = ctx.rng.random()
        if kind < 0.30:
            who = ctx.rng.choice(list(humans) + list(automation))
            _read(ctx, t, who, refs)
        elif kind < 0.62 and app_roles:
            who = ctx.rng.choice(list(app_roles))
            choice = ctx.rng.random()
            if choice < 0.45 and refs.params:
                ctx.ct(
                    t,
                    who,
                    "ssm.amazonaws.com",
                    "GetParameters",
                    {"names": ctx.rng.sample(refs.params, min(2, len(refs.params))), "withDecryption": True},
                    None,
                    read_only=True,
                )
            elif choice < 0.7 and refs.log_groups:
                ctx.ct(
                    t,
                    who,
                    "logs.amazonaws.com",
                    "DescribeLogStreams",
                    {"logGroupName": ctx.rng.choice(refs.log_groups), "orderBy": "LogStreamName"},
                    None,
                    read_only=True,
                )
            else:
                ctx.ct(
                    t,
                    who,
                    "ecr.amazonaws.com",
                    "GetAuthorizationToken",
                    {"registryIds": [ctx.account]} if ctx.rng.random() < 0.2 else {},
                    None,
                    read_only=True,
                )
        else:
            who = ctx.rng.choice(list(automation) + list(humans))
            _read(ctx, t, who, refs, monitoring=True)


def _read(ctx: Ctx, t: datetime, who: Principal, refs: Refs, *, monitoring: bool = False) -> None:
    r = ctx.rng.random()
    if monitoring:
        if refs.alarms and r < 0.5:
            ctx.ct(
                t,
                who,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                {"alarmNames": ctx.rng.sample(refs.alarms, min(len(refs.alarms), ctx.rng.randint(1, 3)))},
                None,
                read_only=True,
            )
        else:
            ctx.ct(
                t,
                who,
                "monitoring.amazonaws.com",
                "GetMetricData",
                {
                    "startTime": iso(t - timedelta(hours=3)),
                    "endTime": iso(t),
                    "metricDataQueries": "HIDDEN_DUE_TO_SECURITY_REASONS",
                },
                None,
                read_only=True,
            )
        return
    if r < 0.25 and refs.instances:
        ctx.ct(
            t,
            who,
            "ec2.amazonaws.com",
            "DescribeInstances",
            {
                "instancesSet": {
                    "items": [
                        {"instanceId": i} for i in ctx.rng.sample(refs.instances, min(2, len(refs.instances)))
                    ]
                },
                "filterSet": {},
            },
            None,
            read_only=True,
        )
    elif r < 0.4 and refs.target_groups:
        ctx.ct(
            t,
            who,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": ctx.rng.choice(refs.target_groups)},
            None,
            read_only=True,
            version="1.10",
        )
    elif r < 0.5 and refs.load_balancers:
        ctx.ct(
            t,
            who,
            "elasticloadbalancing.amazonaws.com",
            "DescribeLoadBalancers",
            {"loadBalancerArns": [ctx.rng.choice(refs.load_balancers)]},
            None,
            read_only=True,
            version="1.10",
        )
    elif r < 0.6 and refs.asgs:
        ctx.ct(
            t,
            who,
            "autoscaling.amazonaws.com",
            "DescribeAutoScalingGroups",
            {"autoScalingGroupNames": [ctx.rng.choice(refs.asgs)]},
            None,
            read_only=True,
        )
    elif r < 0.7 and refs.db_instances:
        ctx.ct(
            t,
            who,
            "rds.amazonaws.com",
            "DescribeDBInstances",
            {"dBInstanceIdentifier": ctx.rng.choice(refs.db_instances)},
            None,
            read_only=True,
        )
    elif r < 0.8 and refs.log_groups:
        ctx.ct(
            t,
            who,
            "logs.amazonaws.com",
            "FilterLogEvents" if ctx.rng.random() < 0.5 else "DescribeLogGroups",
            {"logGroupName": ctx.rng.choice(refs.log_groups)},
            None,
            read_only=True,
        )
    elif r < 0.9 and refs.buckets:
        ctx.ct(
            t,
            who,
            "s3.amazonaws.com",
            "GetBucketLocation",
            {"bucketName": ctx.rng.choice(refs.buckets), "Host": "s3.amazonaws.com", "location": ""},
            None,
            read_only=True,
            version="1.10",
        )
    else:
        ctx.ct(
            t,
            who,
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
            None,
            read_only=True,
        )


def gha(ctx: Ctx, role: str, repo: str) -> Principal:
    ip = f"{ctx.rng.choice([20, 52, 40, 172])}.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}"
    ua = (
        f"aws-cli/2.{ctx.rng.choice([15, 16])}.{ctx.rng.randint(10, 40)} md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1021-azure "
        "md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
        "md/distrib#ubuntu.22 md/prompt#off"
    )
    p = ctx.role_session(role, "GitHubActions", ip, ua)
    p.identity["sessionContext"]["webIdFederationData"] = {
        "federatedProvider": f"arn:aws:iam::{ctx.account}:oidc-provider/token.actions.githubusercontent.com",
        "attributes": {},
    }
    _ = repo
    return p


def terraform(ctx: Ctx, role: str = "atlantis-apply") -> Principal:
    ip = f"{ctx.rng.choice([3, 18, 34, 54])}.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}"
    ua = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
        "md/GOOS#linux md/GOARCH#amd64 api/elasticloadbalancingv2#1.30.5"
    )
    return ctx.role_session(role, f"atlantis-{ctx.rng.randint(1714000000, 1730000000)}", ip, ua)


def instance_role(ctx: Ctx, role: str, instance_id: str, nat_ip: str, ua: str) -> Principal:
    return ctx.role_session(role, instance_id, nat_ip, ua)


JAVA_UA = "aws-sdk-java/2.25.31 Linux/6.1.84-99.169.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"
NODE_UA = "aws-sdk-js/3.569.0 ua/2.0 os/linux#6.1.84-99.169.amzn2023.x86_64 lang/js md/nodejs#20.12.2 api/ssm#3.569.0"
CWAGENT_UA = "CWAgent/1.300039.0b612 (go1.22.2; linux; amd64) inputs:(cpu disk mem) outputs:(cloudwatch cloudwatchlogs)"


def asg_item(
    ctx: Ctx,
    name: str,
    *,
    lt_id: str,
    lt_name: str,
    lt_version: str,
    min_size: int,
    max_size: int,
    desired: int,
    subnets: Sequence[Subnet],
    tg_arns: Sequence[str],
    members: Sequence[tuple[str, str, str, str]],
    created: datetime,
    health_type: str = "ELB",
    grace: int = 300,
    itype: str = "m6i.large",
    extra_tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """members: (instance id, az, lifecycle state, health status)."""
    arn = ctx.arn("autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/{name}")
    tag_kv = {"Name": name, **(extra_tags or {})}
    item = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": arn,
        "LaunchTemplate": {"LaunchTemplateId": lt_id, "LaunchTemplateName": lt_name, "Version": lt_version},
        "MinSize": min_size,
        "MaxSize": max_size,
        "DesiredCapacity": desired,
        "DefaultCooldown": 300,
        "AvailabilityZones": sorted({s.az for s in subnets}),
        "LoadBalancerNames": [],
        "TargetGroupARNs": list(tg_arns),
        "HealthCheckType": health_type,
        "HealthCheckGracePeriod": grace,
        "Instances": [
            {
                "InstanceId": iid,
                "InstanceType": itype,
                "AvailabilityZone": az,
                "LifecycleState": state,
                "HealthStatus": health,
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": lt_name,
                    "Version": lt_version,
                },
                "ProtectedFromScaleIn": False,
            }
            for iid, az, state, health in members
        ],
        "CreatedTime": iso_ms(created),
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": ",".join(s.id for s in subnets),
        "EnabledMetrics": [
            {"Metric": m, "Granularity": "1Minute"}
            for m in (
                "GroupDesiredCapacity",
                "GroupInServiceInstances",
                "GroupPendingInstances",
                "GroupTerminatingInstances",
                "GroupTotalInstances",
            )
        ],
        "Tags": [
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": k_,
                "Value": v,
                "PropagateAtLaunch": True,
            }
            for k_, v in tag_kv.items()
        ],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "CapacityRebalance": False,
    }
    ctx.res("autoscaling", "AutoScalingGroup", item)
    return item


def activity(
    ctx: Ctx,
    asg: dict[str, Any],
    start: datetime,
    description: str,
    cause: str,
    *,
    subnet: Subnet | None = None,
    status: str = "Successful",
    message: str | None = None,
    duration_s: float = 40.0,
) -> None:
    item: dict[str, Any] = {
        "ActivityId": ctx.uuid(),
        "AutoScalingGroupName": asg["AutoScalingGroupName"],
        "Description": description,
        "Cause": cause,
        "StartTime": iso_ms(start),
        "StatusCode": status,
        "Progress": 100,
        "AutoScalingGroupARN": asg["AutoScalingGroupARN"],
    }
    end = start + timedelta(seconds=duration_s)
    if status in ("Successful", "Failed", "Cancelled") and end < ctx.now:
        item["EndTime"] = iso_ms(end)
    elif status == "Successful":
        item["StatusCode"] = "InProgress"
        item["Progress"] = 50
    if message:
        item["StatusMessage"] = message
    if subnet is not None:
        item["Details"] = json.dumps({"Subnet ID": subnet.id, "Availability Zone": subnet.az})
    else:
        item["Details"] = "{}"
    ctx.event("autoscaling", item)


def asg_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
