"""Private helpers for author B's fresh incidents: ids, time grids, noise, alarms, CloudTrail records."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

J = dict[str, Any]
HEX = "0123456789abcdef"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """CloudWatch's own timestamp text: 2024-06-12T14:03:00.000+0000."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    """One incident's generator state: a seeded RNG, the clock and the records collected so far."""

    def __init__(self, name: str, seed: int, *, region: str) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.name = name
        self.region = region
        self.account = str(self.rng.randint(2 * 10**11, 9 * 10**11))
        self.records: dict[str, list[J]] = {
            k: []
            for k in (
                "metrics",
                "alarms",
                "alarm_history",
                "logs",
                "traces",
                "cloudtrail",
                "resources",
                "events",
            )
        }
        self._series: dict[str, list[tuple[datetime, J]]] = {}
        self.start = datetime(2025, 1, 1, tzinfo=UTC)
        self.now = self.start
        self.fine_from = self.start
        self.onset = self.start
        self.transitions: dict[str, list[J]] = {}
        self._alarm_items: dict[str, J] = {}

    # --- clock --------------------------------------------------------------------------------------

    def clock(
        self, *, onset_hour: tuple[int, int], hours_before: float, minutes_after: int, fine_hours: float = 3.0
    ) -> datetime:
        """Pick the incident day and onset; set start/now; return the onset."""
        day = datetime(2025, 2, 3, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 240))
        h = self.rng.randint(*onset_hour)
        onset = day.replace(hour=h, minute=self.rng.randint(2, 57), second=self.rng.randint(0, 59))
        self.onset = onset
        self.start = floor_min(onset - timedelta(hours=hours_before)).replace(minute=0)
        self.now = floor_min(onset + timedelta(minutes=minutes_after)) + timedelta(
            seconds=self.rng.randint(5, 50)
        )
        self.fine_from = floor_min(onset - timedelta(hours=fine_hours)).replace(minute=0)
        return onset

    def at(self, minutes: float) -> datetime:
        """A moment relative to the onset."""
        return self.onset + timedelta(minutes=minutes)

    def grid(self) -> Iterable[tuple[datetime, int]]:
        """Datapoint times from start to now: 5-minute points before fine_from, 1-minute after."""
        t = self.start
        while t < self.fine_from:
            yield t, 5
            t += timedelta(minutes=5)
        while t + timedelta(minutes=1) <= self.now:
            yield t, 1
            t += timedelta(minutes=1)

    # --- ids ----------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(HEX) for _ in range(n))

    def ec2id(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(ALNUM) for _ in range(n))

    def role_id(self) -> str:
        return "AROA" + self.upper(17)

    def arn(self, service: str, rest: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def trace_id(self, t: datetime) -> str:
        return f"1-{int(t.timestamp()):08x}-{self.hex(24)}"

    def ip(self, prefix: str) -> str:
        parts = prefix.split(".")
        while len(parts) < 4:
            parts.append(str(self.rng.randint(2, 254)))
        return ".".join(parts)

    def public_ip(self) -> str:
        first = self.rng.choice([3, 18, 34, 44, 52, 54, 63, 73, 81, 86, 92, 98, 104, 147, 176, 185, 203])
        return f"{first}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"

    # --- noise --------------------------------------------------------------------------------------

    def diurnal(self, t: datetime, *, utc_peak: float = 15.0, floor: float = 0.35) -> float:
        """A daily traffic shape between `floor` and 1.0 peaking at `utc_peak` hours UTC."""
        hour = t.hour + t.minute / 60
        x = math.cos((hour - utc_peak) / 24 * 2 * math.pi)
        return floor + (1 - floor) * (0.5 + 0.5 * x) ** 1.6

    def jitter(self, value: float, rel: float = 0.06) -> float:
        return max(0.0, value * (1 + self.rng.gauss(0, rel)))

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        k, p, limit = 0, 1.0, math.exp(-lam)
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    # --- metrics ------------------------------------------------------------------------------------

    def datum(self, ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, **value: Any) -> None:
        rec: J = {"namespace": ns, "metric": metric, "dimensions": dims, "timestamp": iso(t), "unit": unit}
        rec.update(value)
        self.records["metrics"].append(rec)
        self._series.setdefault(_key(ns, metric, dims), []).append((t, rec))

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        *,
        count: bool = False,
        skip_zero: bool = False,
        digits: int = 2,
    ) -> None:
        """One datapoint per grid step; `fn` gives the per-minute value (a rate when `count`)."""
        for t, width in self.grid():
            v = fn(t)
            if v is None:
                continue
            if count:
                v = float(sum(self.poisson(v) for _ in range(width))) if v < 40 else round(v * width)
            if skip_zero and v == 0:
                continue
            self.datum(ns, metric, dims, t, unit, value=round(v, digits))

    def dist(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], tuple[float, float] | None],
        *,
        samples: Callable[[datetime], float] | None = None,
        digits: int = 4,
    ) -> None:
        """Latency-like series: `fn` gives (median, spread) per minute; stored as values+counts."""
        for t, width in self.grid():
            got = fn(t)
            if got is None:
                continue
            med, spread = got
            n = max(1, round((samples(t) if samples else 100) * width))
            qs = (0.5, 0.75, 0.9, 0.97, 0.995)
            weights = (0.5, 0.25, 0.15, 0.07, 0.03)
            values = [
                round(med * math.exp(spread * _z(q)) * (1 + self.rng.gauss(0, 0.03)), digits) for q in qs
            ]
            values = sorted(max(v, 10**-digits) for v in values)
            counts = [float(max(1, round(n * w))) for w in weights]
            self.datum(ns, metric, dims, t, unit, values=values, counts=counts)

    def aggregate(
        self, ns: str, metric: str, dims: dict[str, str], stat: str, t0: datetime, t1: datetime
    ) -> float | None:
        """What CloudWatch would answer for a statistic over [t0, t1) from the datapoints emitted so far."""
        pts = [r for t, r in self._series.get(_key(ns, metric, dims), []) if t0 <= t < t1]
        if not pts:
            return None
        vals: list[tuple[float, float]] = []
        for r in pts:
            if "value" in r:
                vals.append((r["value"], 1.0))
            else:
                counts = r.get("counts") or [1.0] * len(r["values"])
                vals.extend(zip(r["values"], counts, strict=True))
        total = sum(c for _, c in vals)
        if stat == "Sum":
            return sum(v * c for v, c in vals)
        if stat == "Average":
            return sum(v * c for v, c in vals) / total
        if stat == "Maximum":
            return max(v for v, _ in vals)
        if stat == "Minimum":
            return min(v for v, _ in vals)
        if stat == "SampleCount":
            return total
        if stat.startswith("p"):
            q = float(stat[1:]) / 100
            acc = 0.0
            for v, c in sorted(vals):
                acc += c
                if acc >= q * total:
                    return v
            return sorted(vals)[-1][0]
        raise ValueError(stat)

    # --- alarms -------------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        *,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        to_alarm: int | None = None,
        missing: str = "missing",
        description: str = "",
        topic: str = "",
        created: datetime | None = None,
        unit: str | None = None,
    ) -> J:
        """Define a MetricAlarm, evaluate it over the emitted data, and record its history and state at now."""
        m = to_alarm or evals
        arn = self.arn("cloudwatch", f"alarm:{name}")
        created = created or (
            self.start - timedelta(days=self.rng.randint(30, 400), minutes=self.rng.randint(0, 900))
        )
        sym = {
            "GreaterThanThreshold": ("greater than", lambda v: v > threshold),
            "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v: v >= threshold),
            "LessThanThreshold": ("less than", lambda v: v < threshold),
            "LessThanOrEqualToThreshold": ("less than or equal to", lambda v: v <= threshold),
        }[op]
        words, breach = sym
        state = "OK"
        reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
        reason_data: J | None = None
        changed = created
        step = timedelta(seconds=period)
        epoch = datetime(2020, 1, 1, tzinfo=UTC)
        b = epoch + step * math.ceil((max(self.start, self.fine_from) + step * evals - epoch) / step)
        lag_s = self.rng.randint(15, 55)
        first = True
        while b + timedelta(seconds=lag_s) <= self.now:
            windows = [(b - step * (k + 1), b - step * k) for k in range(evals)]
            pts: list[tuple[datetime, float | None]] = [
                (w0, self.aggregate(ns, metric, dims, stat, w0, w1)) for w0, w1 in windows
            ]
            flags: list[bool] = []
            for _, v in pts:
                if v is None:
                    if missing == "breaching":
                        flags.append(True)
                    elif missing == "notBreaching":
                        flags.append(False)
                else:
                    flags.append(breach(v))
            if flags:
                new = "ALARM" if sum(flags) >= m else "OK"
            else:
                new = state if missing == "ignore" else "INSUFFICIENT_DATA"
            eval_time = b + timedelta(
                seconds=lag_s + self.rng.randint(0, 9), milliseconds=self.rng.randint(0, 999)
            )
            if first:
                state = new if new != "INSUFFICIENT_DATA" else "OK"
                first = False
                back = timedelta(days=self.rng.randint(1, 12), minutes=self.rng.randint(0, 1400))
                present0 = [(t - back, v) for t, v in pts if v is not None]
                changed = eval_time - back
                if present0 and state == "OK":
                    n_ok = sum(1 for _, v in present0 if not breach(v))
                    dps0 = ", ".join(f"{_num(v)} ({t:%d/%m/%y %H:%M:%S})" for t, v in present0)
                    reason = (
                        f"Threshold Crossed: {n_ok} out of the last {len(present0)} datapoint"
                        f"{'s' if len(present0) != 1 else ''} [{dps0}] {'was' if n_ok == 1 else 'were'} not {words} "
                        f"the threshold ({_num(threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                    )
                    reason_data = {
                        "version": "1.0",
                        "queryDate": iso_ms(changed),
                        "startDate": iso_ms(windows[-1][0] - back),
                        ("statistic" if not stat.startswith("p") else "extendedStatistic"): stat,
                        "period": period,
                        "recentDatapoints": [round(v, 6) for _, v in reversed(present0)],
                        "threshold": float(threshold),
                        "evaluatedDatapoints": [
                            {"timestamp": iso_ms(t), "value": round(v, 6)} for t, v in present0
                        ],
                    }
            if new != state:
                present = [(t, v) for t, v in pts if v is not None]
                shown = present[: max(1, min(len(present), evals))]
                dps = ", ".join(f"{_num(v)} ({t:%d/%m/%y %H:%M:%S})" for t, v in shown)
                n_b = sum(1 for _, v in present if breach(v))
                if new == "ALARM":
                    cnt, verb = n_b, words
                    tail = f"(minimum {m} datapoint{'s' if m > 1 else ''} for OK -> ALARM transition)."
                else:
                    cnt, verb = len(present) - n_b, f"not {words}"
                    tail = "(minimum 1 datapoint for ALARM -> OK transition)."
                was = "was" if cnt == 1 else "were"
                new_reason = (
                    f"Threshold Crossed: {cnt} out of the last {len(present)} datapoint"
                    f"{'s' if len(present) != 1 else ''} [{dps}] {was} {verb} the threshold ({_num(threshold)}) {tail}"
                )
                if not present:
                    new_reason = (
                        f"Threshold Crossed: no datapoints were received for {evals} period"
                        f"{'s' if evals > 1 else ''} and {evals} missing datapoint"
                        f"{'s were' if evals > 1 else ' was'} treated as [{'Breaching' if new == 'ALARM' else 'NonBreaching'}]."
                    )
                new_data: J = {
                    "version": "1.0",
                    "queryDate": iso_ms(eval_time),
                    "startDate": iso_ms(windows[-1][0]),
                    "statistic" if not stat.startswith("p") else "extendedStatistic": stat,
                    "period": period,
                    "recentDatapoints": [round(v, 6) for _, v in reversed(present)],
                    "threshold": float(threshold),
                    "evaluatedDatapoints": [
                        {"timestamp": iso_ms(t), **({"value": round(v, 6)} if v is not None else {})}
                        for t, v in pts
                    ],
                }
                hist = {
                    "version": "1.0",
                    "oldState": {"stateValue": state, "stateReason": reason}
                    | ({"stateReasonData": reason_data} if reason_data else {}),
                    "newState": {"stateValue": new, "stateReason": new_reason, "stateReasonData": new_data},
                }
                self.records["alarm_history"].append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(eval_time).replace("+0000", "Z"),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(hist, separators=(",", ":")),
                    }
                )
                self.transitions.setdefault(name, []).append(
                    {
                        "time": eval_time,
                        "old": (state, reason, reason_data),
                        "new": (new, new_reason, new_data),
                    }
                )
                state, reason, reason_data, changed = new, new_reason, new_data, eval_time
            b += timedelta(seconds=60) if period <= 60 else step
        item: J = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created).replace("+0000", "Z"),
            "ActionsEnabled": True,
            "OKActions": [topic] if topic else [],
            "AlarmActions": [topic] if topic else [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(changed).replace("+0000", "Z"),
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": m,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(changed).replace("+0000", "Z"),
        }
        if reason_data:
            item["StateReasonData"] = json.dumps(reason_data, separators=(",", ":"))
        if stat.startswith("p"):
            item["ExtendedStatistic"] = stat
        else:
            item["Statistic"] = stat
        if unit:
            item["Unit"] = unit
        if not description:
            del item["AlarmDescription"]
        self.records["alarms"].append(item)
        self._alarm_items[name] = item
        return item

    def alarm_event(self, name: str, index: int = -1) -> J:
        """The EventBridge "CloudWatch Alarm State Change" event of one recorded transition."""
        tr = self.transitions[name][index]
        item = self._alarm_items[name]
        new_state, new_reason, new_data = tr["new"]
        old_state, old_reason, old_data = tr["old"]
        prev_time = item["AlarmConfigurationUpdatedTimestamp"]
        older = [x for x in self.transitions[name] if x["time"] < tr["time"]]
        prev_time = iso_ms(older[-1]["time"]) if older else prev_time.replace("Z", "+0000")
        stat_key = "stat"
        stat = item.get("Statistic") or item.get("ExtendedStatistic")
        previous: J = {"value": old_state, "reason": old_reason, "timestamp": prev_time}
        if old_data:
            previous["reasonData"] = json.dumps(old_data, separators=(",", ":"))
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(tr["time"]),
            "region": self.region,
            "resources": [item["AlarmArn"]],
            "detail": {
                "alarmName": name,
                "state": {
                    "value": new_state,
                    "reason": new_reason,
                    "reasonData": json.dumps(new_data, separators=(",", ":")),
                    "timestamp": iso_ms(tr["time"]),
                },
                "previousState": previous,
                "configuration": {
                    **({"description": item["AlarmDescription"]} if "AlarmDescription" in item else {}),
                    "metrics": [
                        {
                            "id": self.uuid(),
                            "metricStat": {
                                "metric": {
                                    "namespace": item["Namespace"],
                                    "name": item["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in item["Dimensions"]},
                                },
                                "period": item["Period"],
                                stat_key: stat,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- other records ------------------------------------------------------------------------------

    def res(self, service: str, type_: str, item: J) -> J:
        self.records["resources"].append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: J) -> None:
        self.records["events"].append({"source": source, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def trace(self, seg: J) -> None:
        self.records["traces"].append(seg)

    # --- CloudTrail ---------------------------------------------------------------------------------

    def sso(self, email: str, permission_set: str) -> J:
        """An IAM Identity Center user's assumed-role identity."""
        suffix = self.hex(16)
        role = f"AWSReservedSSO_{permission_set}_{suffix}"
        rid = self.role_id()
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{email}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{email}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
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

    def role_session(self, role: str, session: str, *, path: str = "") -> J:
        rid = self.role_id()
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def trail(
        self,
        who: J,
        t: datetime,
        source: str,
        name: str,
        params: J | None,
        response: J | None = None,
        *,
        read_only: bool = False,
        agent: str = "",
        ip: str = "",
        region: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[J] | None = None,
        console: bool = False,
        extra: J | None = None,
    ) -> J:
        """A CloudTrail record as delivered to S3."""
        ident = json.loads(json.dumps(who))
        if "sessionContext" in ident:
            created = t - timedelta(minutes=self.rng.randint(2, 50), seconds=self.rng.randint(0, 59))
            ident["sessionContext"]["attributes"]["creationDate"] = iso(created)
        if ident.get("type") == "AWSService":
            ident.pop("accessKeyId", None)
        host = (
            source
            if source.startswith("route53") or source == "iam.amazonaws.com"
            else source.replace(".amazonaws.com", f".{region or self.region}.amazonaws.com")
        )
        rec: J = {
            "eventVersion": "1.09" if not read_only else self.rng.choice(["1.08", "1.09"]),
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip or (ident.get("invokedBy") or self.public_ip()),
            "userAgent": agent
            or ident.get("invokedBy")
            or "aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid() if not source.startswith("s3") else self.upper(16),
            "eventID": self.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if resources:
            rec["resources"] = resources
        if ident.get("type") != "AWSService" and not ident.get("invokedBy"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
        if console:
            rec["sessionCredentialFromConsole"] = "true"
        if extra:
            rec.update(extra)
        self.records["cloudtrail"].append(rec)
        return rec

    def routine(
        self,
        menu: list[Callable[[datetime], None]],
        n: int,
        t0: datetime | None = None,
        t1: datetime | None = None,
    ) -> None:
        """`n` routine calls drawn from `menu`, spread over [t0, t1)."""
        t0 = t0 or self.start
        t1 = t1 or self.now
        span = (t1 - t0).total_seconds()
        for _ in range(n):
            t = t0 + timedelta(seconds=self.rng.uniform(0, span))
            self.rng.choice(menu)(t.replace(microsecond=0))

    # --- output -------------------------------------------------------------------------------------

    def bundle(self, *, title: str, trigger: J, truth: J, end_minutes: int = 0) -> Bundle:
        end = self.now + timedelta(minutes=end_minutes or 1)
        for kind in ("cloudtrail", "events", "alarm_history"):
            self.records[kind].sort(key=_time_of)
        self.records["logs"].sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.records["traces"].sort(key=lambda r: r["start_time"])
        for kind in ("cloudtrail", "alarm_history", "logs", "metrics", "events", "traces"):
            self.records[kind] = [r for r in self.records[kind] if _before(r, self.now)]
        floor = self.start - timedelta(milliseconds=1)
        for kind in ("cloudtrail", "logs", "metrics"):
            self.records[kind] = [r for r in self.records[kind] if not _before(r, floor)]
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(manifest, {k: v for k, v in self.records.items() if v})


def _time_of(rec: J) -> str:
    if "eventTime" in rec:
        return str(rec["eventTime"])
    if "Timestamp" in rec:
        return str(rec["Timestamp"])
    item = rec.get("item", {})
    for key in ("timestamp", "Date", "StartTime", "startTime", "createdAt"):
        if key in item:
            return str(item[key])
    ev = item.get("event", {})
    return str(ev.get("createdAt") or ev.get("startTime") or "")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _before(rec: J, now: datetime) -> bool:
    if "timestamp" in rec and isinstance(rec["timestamp"], int):
        return bool(rec["timestamp"] <= ms(now))
    if "start_time" in rec:
        return bool(rec["start_time"] <= now.timestamp())
    if "timestamp" in rec:
        return _parse(rec["timestamp"]) <= now
    text = _time_of(rec)
    if not text:
        return True
    return _parse(text.replace("+0000", "+00:00")) <= now


def _key(ns: str, metric: str, dims: dict[str, str]) -> str:
    return json.dumps([ns, metric, sorted(dims.items())])


def _num(v: float) -> str:
    return repr(float(round(v, 6)))


def _z(q: float) -> float:
    """The standard normal quantile (Acklam's rational approximation, good enough for noise)."""
    a = (
        -39.69683028665376,
        220.9460984245205,
        -275.9285104469687,
        138.3577518672690,
        -30.66479806614716,
        2.506628277459239,
    )
    b = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572)
    c = (
        -0.007784894002430293,
        -0.3223964580411365,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    )
    d = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
    if q < 0.02425:
        r = math.sqrt(-2 * math.log(q))
        return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / (
            (((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1
        )
    if q > 1 - 0.02425:
        return -_z(1 - q)
    r = q - 0.5
    s = r * r
    return (
        (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5])
        * r
        / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1)
    )


# --- resource builders ------------------------------------------------------------------------------

ELB_ZONE = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
}


def tags(**kv: str) -> list[J]:
    return [
        {"Key": k.replace("__", ":").replace("_", "-") if k.startswith("aws") else k, "Value": v}
        for k, v in kv.items()
    ]


def name_tags(name: str, **kv: str) -> list[J]:
    out = [{"Key": "Name", "Value": name}]
    out.extend({"Key": k, "Value": v} for k, v in kv.items())
    return out


class Net:
    """A VPC with public and private subnets in three AZs."""

    def __init__(self, kit: Kit, name: str, cidr_second: int, *, env: str = "prod") -> None:
        self.kit = kit
        self.vpc_id = kit.ec2id("vpc")
        self.cidr = f"10.{cidr_second}.0.0/16"
        self.azs = [f"{kit.region}{z}" for z in ("a", "b", "c")]
        self.public: list[str] = []
        self.private: list[str] = []
        self.private_cidrs: list[str] = []
        kit.res(
            "ec2",
            "Vpc",
            {
                "VpcId": self.vpc_id,
                "CidrBlock": self.cidr,
                "State": "available",
                "DhcpOptionsId": kit.ec2id("dopt"),
                "InstanceTenancy": "default",
                "IsDefault": False,
                "OwnerId": kit.account,
                "Tags": name_tags(f"{name}-vpc", Environment=env),
            },
        )
        for i, az in enumerate(self.azs):
            for kind, base in (("public", 0), ("private", 16)):
                sid = kit.ec2id("subnet")
                block = f"10.{cidr_second}.{base + i * 4}.0/22"
                kit.res(
                    "ec2",
                    "Subnet",
                    {
                        "SubnetId": sid,
                        "SubnetArn": kit.arn("ec2", f"subnet/{sid}"),
                        "VpcId": self.vpc_id,
                        "CidrBlock": block,
                        "AvailabilityZone": az,
                        "AvailabilityZoneId": f"{_az_prefix(kit.region)}-az{i + 1}",
                        "AvailableIpAddressCount": kit.rng.randint(940, 1015),
                        "State": "available",
                        "MapPublicIpOnLaunch": kind == "public",
                        "DefaultForAz": False,
                        "OwnerId": kit.account,
                        "Tags": name_tags(f"{name}-{kind}-{az[-1]}", Tier=kind, Environment=env),
                    },
                )
                (self.public if kind == "public" else self.private).append(sid)
                if kind == "private":
                    self.private_cidrs.append(block)

    def sg(self, name: str, desc: str, ingress: list[J], *, egress_all: bool = True) -> str:
        gid = self.kit.ec2id("sg")
        self.kit.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": name,
                "Description": desc,
                "VpcId": self.vpc_id,
                "OwnerId": self.kit.account,
                "IpPermissions": ingress,
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
                if egress_all
                else [],
                "SecurityGroupArn": self.kit.arn("ec2", f"security-group/{gid}"),
                "Tags": name_tags(name),
            },
        )
        return gid


def _az_prefix(region: str) -> str:
    return {
        "us-east-1": "use1",
        "us-east-2": "use2",
        "us-west-2": "usw2",
        "eu-west-1": "euw1",
        "eu-central-1": "euc1",
        "ap-southeast-2": "apse2",
    }.get(region, "use1")


def tcp_from_sg(port: int, sg: str, desc: str = "") -> J:
    pair: J = {"GroupId": sg}
    if desc:
        pair["Description"] = desc
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [pair]}


def tcp_from_cidr(port: int, cidr: str, desc: str = "") -> J:
    rng: J = {"CidrIp": cidr}
    if desc:
        rng["Description"] = desc
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [rng]}


class Alb:
    """An internet-facing (or internal) ALB with one target group."""

    def __init__(
        self,
        kit: Kit,
        net: Net,
        name: str,
        tg_name: str,
        sg: str,
        *,
        port: int = 8080,
        target_type: str = "instance",
        health_path: str = "/healthz",
        internal: bool = False,
        created: datetime | None = None,
    ) -> None:
        self.kit = kit
        self.name = name
        lb_hex = kit.hex(16)
        tg_hex = kit.hex(16)
        self.arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{lb_hex}")
        self.tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
        self.dim = f"app/{name}/{lb_hex}"
        self.tg_dim = f"targetgroup/{tg_name}/{tg_hex}"
        self.dns = f"{'internal-' if internal else ''}{name}-{kit.rng.randint(100000000, 2099999999)}.{kit.region}.elb.amazonaws.com"
        self.zone = ELB_ZONE.get(kit.region, "Z35SXDOTRQ7X7K")
        self.port = port
        created = created or (kit.start - timedelta(days=kit.rng.randint(200, 900)))
        kit.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.arn,
                "DNSName": self.dns,
                "CanonicalHostedZoneId": self.zone,
                "CreatedTime": iso(created),
                "LoadBalancerName": name,
                "Scheme": "internal" if internal else "internet-facing",
                "VpcId": net.vpc_id,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []}
                    for az, sn in zip(net.azs, net.private if internal else net.public, strict=True)
                ],
                "SecurityGroups": [sg],
                "IpAddressType": "ipv4",
            },
        )
        kit.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": self.tg_arn,
                "TargetGroupName": tg_name,
                "Protocol": "HTTP",
                "Port": port,
                "VpcId": net.vpc_id,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 2,
                "HealthCheckPath": health_path,
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [self.arn],
                "TargetType": target_type,
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )

    def listener(self, port: int, protocol: str, *, cert: str = "", policy: str = "") -> str:
        arn = self.arn.replace(":loadbalancer/", ":listener/") + f"/{self.kit.hex(16)}"
        item: J = {
            "ListenerArn": arn,
            "LoadBalancerArn": self.arn,
            "Port": port,
            "Protocol": protocol,
        }
        if protocol == "HTTPS":
            item["Certificates"] = [{"CertificateArn": cert}]
            item["SslPolicy"] = policy or "ELBSecurityPolicy-TLS13-1-2-2021-06"
            item["DefaultActions"] = [
                {
                    "Type": "forward",
                    "TargetGroupArn": self.tg_arn,
                    "Order": 1,
                    "ForwardConfig": {
                        "TargetGroups": [{"TargetGroupArn": self.tg_arn, "Weight": 1}],
                        "TargetGroupStickinessConfig": {"Enabled": False},
                    },
                }
            ]
        else:
            item["DefaultActions"] = [
                {
                    "Type": "redirect",
                    "Order": 1,
                    "RedirectConfig": {
                        "Protocol": "HTTPS",
                        "Port": "443",
                        "Host": "#{host}",
                        "Path": "/#{path}",
                        "Query": "#{query}",
                        "StatusCode": "HTTP_301",
                    },
                }
            ]
        self.kit.res("elbv2", "Listener", item)
        return arn

    def metrics(
        self,
        rps: Callable[[datetime], float],
        *,
        t5xx: Callable[[datetime], float],
        e5xx: Callable[[datetime], float] | None = None,
        t4xx_frac: float = 0.02,
        latency: Callable[[datetime], tuple[float, float]],
        healthy: Callable[[datetime], float],
        unhealthy: Callable[[datetime], float] | None = None,
        tls_err: Callable[[datetime], float] | None = None,
        e4xx: Callable[[datetime], float] | None = None,
        conn_per_req: float = 0.08,
    ) -> None:
        """The ALB's standard CloudWatch metrics. `rps` is requests/minute reaching targets."""
        k = self.kit
        lb = {"LoadBalancer": self.dim}
        both = {"LoadBalancer": self.dim, "TargetGroup": self.tg_dim}
        ns = "AWS/ApplicationELB"
        for dims in (lb, both):
            k.series(ns, "RequestCount", dims, "Count", lambda t: k.jitter(rps(t), 0.04), count=True)
            k.series(
                ns,
                "HTTPCode_Target_2XX_Count",
                dims,
                "Count",
                lambda t: k.jitter(max(0.0, rps(t) * (1 - t4xx_frac) - t5xx(t)), 0.04),
                count=True,
                skip_zero=True,
            )
            k.series(
                ns,
                "HTTPCode_Target_4XX_Count",
                dims,
                "Count",
                lambda t: rps(t) * t4xx_frac,
                count=True,
                skip_zero=True,
            )
            k.series(ns, "HTTPCode_Target_5XX_Count", dims, "Count", t5xx, count=True, skip_zero=True)
            k.dist(ns, "TargetResponseTime", dims, "Seconds", latency, samples=lambda t: min(rps(t), 400.0))
        k.series(
            ns, "HTTPCode_ELB_5XX_Count", lb, "Count", e5xx or (lambda t: 0.02), count=True, skip_zero=True
        )
        k.series(
            ns,
            "HTTPCode_ELB_4XX_Count",
            lb,
            "Count",
            e4xx or (lambda t: rps(t) * 0.0015),
            count=True,
            skip_zero=True,
        )
        k.series(ns, "NewConnectionCount", lb, "Count", lambda t: rps(t) * conn_per_req, count=True)
        k.series(ns, "ActiveConnectionCount", lb, "Count", lambda t: rps(t) * conn_per_req * 2.4, count=True)
        k.series(ns, "ProcessedBytes", lb, "Bytes", lambda t: k.jitter(rps(t) * 5400, 0.08), digits=0)
        k.series(ns, "ConsumedLCUs", lb, "None", lambda t: k.jitter(rps(t) / 60 / 25 + 0.4, 0.05), digits=4)
        if tls_err:
            k.series(ns, "ClientTLSNegotiationErrorCount", lb, "Count", tls_err, count=True, skip_zero=True)
        k.series(ns, "HealthyHostCount", both, "Count", healthy, digits=0)
        k.series(ns, "UnHealthyHostCount", both, "Count", unhealthy or (lambda t: 0.0), digits=0)


def instance(
    kit: Kit,
    net: Net,
    *,
    name: str,
    az_index: int,
    sg: str,
    itype: str,
    ami: str,
    profile: str,
    asg: str = "",
    launched: datetime,
    extra_tags: dict[str, str] | None = None,
) -> tuple[str, str]:
    """A running instance and its InstanceStatus; returns (instance id, private ip)."""
    iid = kit.ec2id("i")
    subnet = net.private[az_index]
    second = net.cidr.split(".")[1]
    ip = f"10.{second}.{16 + az_index * 4 + kit.rng.randint(0, 3)}.{kit.rng.randint(4, 250)}"
    eni = kit.ec2id("eni")
    dns = f"ip-{ip.replace('.', '-')}.{'ec2.internal' if kit.region == 'us-east-1' else kit.region + '.compute.internal'}"
    t = name_tags(name)
    if asg:
        t.append({"Key": "aws:autoscaling:groupName", "Value": asg})
    for k2, v in (extra_tags or {}).items():
        t.append({"Key": k2, "Value": v})
    kit.res(
        "ec2",
        "Instance",
        {
            "InstanceId": iid,
            "ImageId": ami,
            "InstanceType": itype,
            "LaunchTime": iso(launched),
            "Placement": {"AvailabilityZone": net.azs[az_index], "Tenancy": "default", "GroupName": ""},
            "PrivateDnsName": dns,
            "PrivateIpAddress": ip,
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": subnet,
            "VpcId": net.vpc_id,
            "Architecture": "arm64" if "g." in itype else "x86_64",
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "VirtualizationType": "hvm",
            "Hypervisor": "xen",
            "EnaSupport": True,
            "EbsOptimized": True,
            "Monitoring": {"State": "enabled"},
            "PlatformDetails": "Linux/UNIX",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{kit.account}:instance-profile/{profile}",
                "Id": "AIPA" + kit.upper(17),
            },
            "SecurityGroups": [{"GroupName": name.rsplit("-", 1)[0] + "-sg", "GroupId": sg}],
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": kit.ec2id("vol"),
                    },
                }
            ],
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": eni,
                    "SubnetId": subnet,
                    "VpcId": net.vpc_id,
                    "PrivateIpAddress": ip,
                    "PrivateDnsName": dns,
                    "Status": "in-use",
                    "MacAddress": ":".join(kit.hex(2) for _ in range(6)),
                    "OwnerId": kit.account,
                    "SourceDestCheck": True,
                    "InterfaceType": "interface",
                    "Groups": [{"GroupName": name.rsplit("-", 1)[0] + "-sg", "GroupId": sg}],
                    "Attachment": {
                        "AttachTime": iso(launched),
                        "AttachmentId": kit.ec2id("eni-attach"),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "NetworkCardIndex": 0,
                    },
                    "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip, "PrivateDnsName": dns}],
                }
            ],
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
            "Tags": t,
        },
    )
    kit.res(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": net.azs[az_index],
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "AttachedEbsStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        },
    )
    return iid, ip


def ec2_metrics(
    kit: Kit, iid: str, cpu: Callable[[datetime], float], net_bytes: Callable[[datetime], float]
) -> None:
    dims = {"InstanceId": iid}
    kit.series("AWS/EC2", "CPUUtilization", dims, "Percent", lambda t: min(100.0, kit.jitter(cpu(t), 0.07)))
    kit.series("AWS/EC2", "NetworkIn", dims, "Bytes", lambda t: kit.jitter(net_bytes(t), 0.1), digits=0)
    kit.series(
        "AWS/EC2", "NetworkOut", dims, "Bytes", lambda t: kit.jitter(net_bytes(t) * 1.7, 0.1), digits=0
    )
    kit.series("AWS/EC2", "StatusCheckFailed", dims, "Count", lambda t: 0.0, digits=0)


def lambda_fn(
    kit: Kit,
    name: str,
    *,
    runtime: str,
    handler: str,
    role: str,
    memory: int,
    timeout: int,
    modified: datetime,
    env: dict[str, str] | None = None,
    vpc: tuple[list[str], list[str], str] | None = None,
    desc: str = "",
    tracing: str = "PassThrough",
) -> J:
    item: J = {
        "FunctionName": name,
        "FunctionArn": kit.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{kit.account}:role/{role}",
        "Handler": handler,
        "CodeSize": kit.rng.randint(180_000, 9_500_000),
        "Description": desc,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": _b64(kit, 32),
        "Version": "$LATEST",
        "TracingConfig": {"Mode": tracing},
        "RevisionId": kit.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
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
    kit.res("lambda", "FunctionConfiguration", item)
    return item


def _b64(kit: Kit, nbytes: int) -> str:
    import base64

    return base64.b64encode(bytes(kit.rng.getrandbits(8) for _ in range(nbytes))).decode()


def log_group(kit: Kit, name: str, *, retention: int | None = 30, created: datetime | None = None) -> None:
    created = created or (kit.start - timedelta(days=kit.rng.randint(60, 700)))
    item: J = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": kit.arn("logs", f"log-group:{name}:*"),
        "storedBytes": kit.rng.randint(10**7, 9 * 10**10),
        "logGroupClass": "STANDARD",
        "logGroupArn": kit.arn("logs", f"log-group:{name}"),
    }
    if retention:
        item["retentionInDays"] = retention
    kit.res("logs", "LogGroup", item)


def lambda_stream(kit: Kit, t: datetime) -> str:
    return f"{t:%Y/%m/%d}/[$LATEST]{kit.hex(32)}"


def lambda_invocation(
    kit: Kit,
    group: str,
    stream: str,
    t: datetime,
    duration_ms: float,
    memory: int,
    used: int,
    lines: list[str] | None = None,
    *,
    init_ms: float | None = None,
    timed_out: float | None = None,
) -> datetime:
    """START / app lines / END / REPORT of one invocation; returns its end."""
    rid = kit.uuid()
    kit.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
    for i, line in enumerate(lines or []):
        at = t + timedelta(milliseconds=duration_ms * (i + 1) / (len(lines or []) + 1))
        kit.log(group, stream, at, f"{iso_ms(at).replace('+0000', 'Z')}\t{rid}\t{line}\n")
    end = t + timedelta(milliseconds=duration_ms)
    if timed_out:
        kit.log(
            group,
            stream,
            end,
            f"{iso_ms(end).replace('+0000', 'Z')} {rid} Task timed out after {timed_out:.2f} seconds\n",
        )
    kit.log(group, stream, end, f"END RequestId: {rid}\n")
    billed = math.ceil(duration_ms)
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
    )
    if init_ms:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    if timed_out:
        report += "Status: timeout"
    kit.log(group, stream, end, report + "\n")
    return end


def lambda_metrics(
    kit: Kit,
    name: str,
    *,
    invocations: Callable[[datetime], float],
    errors: Callable[[datetime], float],
    duration: Callable[[datetime], tuple[float, float]],
    concurrency: Callable[[datetime], float],
    throttles: Callable[[datetime], float] | None = None,
) -> None:
    dims = {"FunctionName": name}
    kit.series("AWS/Lambda", "Invocations", dims, "Count", invocations, count=True, skip_zero=True)
    kit.series("AWS/Lambda", "Errors", dims, "Count", errors, count=True)
    kit.dist(
        "AWS/Lambda",
        "Duration",
        dims,
        "Milliseconds",
        duration,
        samples=lambda t: max(1.0, min(invocations(t), 300.0)),
        digits=2,
    )
    kit.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        dims,
        "Count",
        lambda t: round(kit.jitter(concurrency(t), 0.1)),
        digits=0,
    )
    if throttles:
        kit.series("AWS/Lambda", "Throttles", dims, "Count", throttles, count=True)


# --- routine CloudTrail -------------------------------------------------------------------------------

AGENT_CONSOLE = "AWS Internal"
AGENT_TF = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.8.4 (+https://www.terraform.io) terraform-provider-aws/5.52.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.27.0 os/linux lang/go#1.22.3 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)
AGENT_GRAFANA = "Grafana/10.4.2 aws-sdk-go/1.51.21 (go1.21.9; linux; amd64)"


def cli(command: str) -> str:
    return f"aws-cli/2.15.58 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{command}"


def standard_menu(
    kit: Kit,
    *,
    humans: list[J],
    ci: J,
    monitor: J,
    instance_ids: list[str],
    alarms: list[str],
    lb_arns: list[str],
    tg_arns: list[str],
    functions: list[str],
    log_groups: list[str],
    ssm_role: J | None = None,
) -> list[Callable[[datetime], None]]:
    """Read-mostly activity any production account shows: dashboards, consoles, CI plans."""
    office_ip = kit.public_ip()
    ci_ip = kit.public_ip()

    def human() -> J:
        return kit.rng.choice(humans)

    def describe_instances(t: datetime) -> None:
        kit.trail(
            human(),
            t,
            "ec2.amazonaws.com",
            "DescribeInstances",
            {"instancesSet": {"items": [{"instanceId": kit.rng.choice(instance_ids)}]}, "filterSet": {}}
            if instance_ids
            else {"instancesSet": {}, "filterSet": {}},
            read_only=True,
            agent=AGENT_CONSOLE,
            ip=office_ip,
            console=True,
        )

    def describe_alarms(t: datetime) -> None:
        kit.trail(
            monitor,
            t,
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNames": [kit.rng.choice(alarms)]}
            if alarms and kit.rng.random() < 0.5
            else {"maxRecords": 100},
            read_only=True,
            agent=AGENT_GRAFANA,
            ip="10.0.12.44" if False else kit.public_ip(),
        )

    def get_metric_data(t: datetime) -> None:
        kit.trail(
            monitor,
            t,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": iso(t - timedelta(hours=3)), "endTime": iso(t), "metricDataQueries": "[...]"},
            read_only=True,
            agent=AGENT_GRAFANA,
        )

    def target_health(t: datetime) -> None:
        if not tg_arns:
            return
        kit.trail(
            human(),
            t,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": kit.rng.choice(tg_arns)},
            read_only=True,
            agent=AGENT_CONSOLE,
            ip=office_ip,
            console=True,
        )

    def describe_lbs(t: datetime) -> None:
        kit.trail(
            ci,
            t,
            "elasticloadbalancing.amazonaws.com",
            "DescribeLoadBalancers",
            {"loadBalancerArns": [kit.rng.choice(lb_arns)]} if lb_arns else {},
            read_only=True,
            agent=AGENT_TF.format(api="elasticloadbalancingv2#1.31.3"),
            ip=ci_ip,
        )

    def get_function(t: datetime) -> None:
        if not functions:
            return
        kit.trail(
            ci,
            t,
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": kit.rng.choice(functions)},
            read_only=True,
            agent=AGENT_TF.format(api="lambda#1.54.6"),
            ip=ci_ip,
        )

    def filter_logs(t: datetime) -> None:
        if not log_groups:
            return
        kit.trail(
            human(),
            t,
            "logs.amazonaws.com",
            "StartQuery",
            {
                "logGroupNames": [kit.rng.choice(log_groups)],
                "startTime": int((t - timedelta(hours=1)).timestamp()),
                "endTime": int(t.timestamp()),
                "queryString": "fields @timestamp, @message | sort @timestamp desc | limit 200",
            },
            {"queryId": kit.uuid()},
            read_only=True,
            agent=AGENT_CONSOLE,
            ip=office_ip,
            console=True,
        )

    def caller_identity(t: datetime) -> None:
        kit.trail(
            ci,
            t,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            None,
            read_only=True,
            agent=AGENT_TF.format(api="sts#1.28.10"),
            ip=ci_ip,
        )

    def get_parameters(t: datetime) -> None:
        if ssm_role is None:
            return
        kit.trail(
            ssm_role,
            t,
            "ssm.amazonaws.com",
            "GetParametersByPath",
            {"path": "/prod/", "recursive": True, "withDecryption": True},
            read_only=True,
            agent="aws-sdk-java/2.25.60 Linux/6.1.90-99.173.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
            ip=f"10.{kit.rng.randint(10, 40)}.{kit.rng.randint(16, 27)}.{kit.rng.randint(4, 250)}",
        )

    def kms_decrypt(t: datetime) -> None:
        svc = kit.rng.choice(["lambda.amazonaws.com", "secretsmanager.amazonaws.com", "ssm.amazonaws.com"])
        kit.trail(
            {"type": "AWSService", "invokedBy": svc},
            t,
            "kms.amazonaws.com",
            "Decrypt",
            {
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "encryptionContext": {
                    "aws:lambda:FunctionArn": kit.arn("lambda", f"function:{kit.rng.choice(functions)}")
                }
                if functions and svc == "lambda.amazonaws.com"
                else {"PARAMETER_ARN": kit.arn("ssm", "parameter/prod/config")},
            },
            read_only=True,
            resources=[
                {
                    "accountId": kit.account,
                    "type": "AWS::KMS::Key",
                    "ARN": kit.arn("kms", "key/" + kit.uuid()),
                }
            ],
            extra={"sharedEventID": kit.uuid()},
        )

    menu: list[Callable[[datetime], None]] = [
        describe_instances,
        describe_alarms,
        describe_alarms,
        get_metric_data,
        get_metric_data,
        target_health,
        describe_lbs,
        get_function,
        filter_logs,
        caller_identity,
        get_parameters,
        kms_decrypt,
    ]
    return menu


def asg(
    kit: Kit,
    net: Net,
    name: str,
    *,
    instances: list[tuple[str, int]],
    tg_arns: list[str],
    lt_name: str,
    itype: str,
    min_size: int,
    max_size: int,
    created: datetime | None = None,
) -> str:
    """An Auto Scaling group item; `instances` are (instance id, az index)."""
    arn = f"arn:aws:autoscaling:{kit.region}:{kit.account}:autoScalingGroup:{kit.uuid()}:autoScalingGroupName/{name}"
    lt_id = "lt-0" + kit.hex(16)
    kit.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": name,
            "AutoScalingGroupARN": arn,
            "LaunchTemplate": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": lt_name,
                "Version": "$Latest",
            },
            "MinSize": min_size,
            "MaxSize": max_size,
            "DesiredCapacity": len(instances),
            "DefaultCooldown": 300,
            "AvailabilityZones": net.azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": tg_arns,
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 120,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": itype,
                    "AvailabilityZone": net.azs[az],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": lt_id,
                        "LaunchTemplateName": lt_name,
                        "Version": "1",
                    },
                    "ProtectedFromScaleIn": False,
                }
                for iid, az in instances
            ],
            "CreatedTime": iso(created or kit.start - timedelta(days=kit.rng.randint(100, 700))),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(net.private),
            "EnabledMetrics": [],
            "Tags": [
                {
                    "ResourceId": name,
                    "ResourceType": "auto-scaling-group",
                    "Key": "Name",
                    "Value": name,
                    "PropagateAtLaunch": True,
                }
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
            "TrafficSources": [{"Identifier": a, "Type": "elbv2"} for a in tg_arns],
        },
    )
    return arn


def acm_cert(kit: Kit, domain: str, sans: list[str], *, issued: datetime, in_use: list[str]) -> str:
    arn = kit.arn("acm", f"certificate/{kit.uuid()}")
    kit.res(
        "acm",
        "CertificateDetail",
        {
            "CertificateArn": arn,
            "DomainName": domain,
            "SubjectAlternativeNames": [domain, *sans],
            "DomainValidationOptions": [
                {
                    "DomainName": d,
                    "ValidationDomain": d.lstrip("*."),
                    "ValidationStatus": "SUCCESS",
                    "ResourceRecord": {
                        "Name": f"_{kit.hex(32)}.{d.lstrip('*.')}.",
                        "Type": "CNAME",
                        "Value": f"_{kit.hex(32)}.{kit.upper(10).lower()}.acm-validations.aws.",
                    },
                    "ValidationMethod": "DNS",
                }
                for d in [domain, *sans]
            ],
            "Serial": ":".join(kit.hex(2) for _ in range(16)),
            "Subject": f"CN={domain}",
            "Issuer": "Amazon",
            "CreatedAt": iso(issued - timedelta(minutes=kit.rng.randint(3, 40))),
            "IssuedAt": iso(issued),
            "Status": "ISSUED",
            "NotBefore": iso(issued.replace(hour=0, minute=0, second=0)),
            "NotAfter": iso(issued.replace(hour=23, minute=59, second=59) + timedelta(days=395)),
            "KeyAlgorithm": "RSA-2048",
            "SignatureAlgorithm": "SHA256WITHRSA",
            "InUseBy": in_use,
            "Type": "AMAZON_ISSUED",
            "RenewalEligibility": "ELIGIBLE" if in_use else "INELIGIBLE",
            "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}, {"Name": "KEY_ENCIPHERMENT"}],
            "ExtendedKeyUsages": [
                {"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
                {"Name": "TLS_WEB_CLIENT_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.2"},
            ],
            "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
        },
    )
    return arn


def spring_line(t: datetime, level: str, thread: str, logger: str, msg: str, pid: int = 1) -> str:
    return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z {level:>5} {pid} --- [{thread:>15}] {logger:<40} : {msg}"


# --- API Gateway (REST) ---------------------------------------------------------------------------------

ACCESS_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
    '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength","apiKeyId":"$context.identity.apiKeyId",'
    '"responseLatency":"$context.responseLatency","integrationLatency":"$context.integration.latency",'
    '"integrationStatus":"$context.integration.status","errorType":"$context.error.responseType",'
    '"errorMessage":"$context.error.message"}'
)


def lower_id(kit: Kit, n: int = 10) -> str:
    return "".join(kit.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


class RestApi:
    def __init__(
        self,
        kit: Kit,
        name: str,
        desc: str,
        *,
        created: datetime,
        stage: str,
        access_group: str,
        throttle: tuple[int, int] = (10000, 5000),
        tracing: bool = False,
        variables: dict[str, str] | None = None,
        key_source: str = "HEADER",
    ) -> None:
        self.kit = kit
        self.name = name
        self.id = lower_id(kit)
        self.stage = stage
        self.root = lower_id(kit)
        self.deployment = lower_id(kit, 6)
        kit.res(
            "apigateway",
            "RestApi",
            {
                "id": self.id,
                "name": name,
                "description": desc,
                "createdDate": iso(created),
                "apiKeySource": key_source,
                "endpointConfiguration": {"types": ["REGIONAL"], "ipAddressType": "ipv4"},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": self.root,
                "tags": {"service": name},
            },
        )
        stage_item: J = {
            "restApiId": self.id,
            "deploymentId": self.deployment,
            "stageName": stage,
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": throttle[1],
                    "throttlingRateLimit": float(throttle[0]),
                    "cachingEnabled": False,
                    "cacheTtlInSeconds": 300,
                    "cacheDataEncrypted": False,
                    "requireAuthorizationForCacheControl": True,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                }
            },
            "accessLogSettings": {
                "format": ACCESS_FORMAT,
                "destinationArn": kit.arn("logs", f"log-group:{access_group}"),
            },
            "tracingEnabled": tracing,
            "createdDate": iso(created + timedelta(minutes=12)),
            "lastUpdatedDate": iso(
                kit.start - timedelta(days=kit.rng.randint(3, 40), hours=kit.rng.randint(0, 20))
            ),
        }
        if variables:
            stage_item["variables"] = variables
        kit.res("apigateway", "RestApiStage", stage_item)
        kit.res("apigateway", "RestApiResource", {"restApiId": self.id, "id": self.root, "path": "/"})
        self.dims = {"ApiName": name, "Stage": stage}

    def resource(self, path: str, parent: str, methods: dict[str, J]) -> str:
        rid = lower_id(self.kit, 6)
        self.kit.res(
            "apigateway",
            "RestApiResource",
            {
                "restApiId": self.id,
                "id": rid,
                "parentId": parent,
                "pathPart": path.rsplit("/", 1)[-1],
                "path": path,
                "resourceMethods": {m: {} for m in methods},
            },
        )
        for method, integ in methods.items():
            self.kit.res(
                "apigateway",
                "MethodIntegration",
                {"restApiId": self.id, "resourceId": rid, "httpMethod": method, **integ},
            )
        return rid


def lambda_proxy(kit: Kit, function_arn: str, timeout_ms: int = 29000) -> J:
    return {
        "type": "AWS_PROXY",
        "httpMethod": "POST",
        "uri": f"arn:aws:apigateway:{kit.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
        "passthroughBehavior": "WHEN_NO_MATCH",
        "contentHandling": "CONVERT_TO_TEXT",
        "timeoutInMillis": timeout_ms,
        "cacheNamespace": lower_id(kit, 6),
        "cacheKeyParameters": [],
        "integrationResponses": {"200": {"statusCode": "200", "responseTemplates": {}}},
    }


def access_line(
    kit: Kit,
    t: datetime,
    *,
    method: str,
    path: str,
    status: int,
    key: str = "-",
    latency: int,
    integ: int | str = "-",
    integ_status: int | str = "-",
    length: int = 0,
    error: str = "-",
    message: str = "-",
    ip: str = "",
) -> str:
    return json.dumps(
        {
            "requestId": kit.uuid(),
            "ip": ip or kit.public_ip(),
            "requestTime": t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "httpMethod": method,
            "resourcePath": path,
            "status": str(status),
            "protocol": "HTTP/1.1",
            "responseLength": str(length),
            "apiKeyId": key,
            "responseLatency": str(latency),
            "integrationLatency": str(integ),
            "integrationStatus": str(integ_status),
            "errorType": error,
            "errorMessage": message,
        },
        separators=(",", ":"),
    )
