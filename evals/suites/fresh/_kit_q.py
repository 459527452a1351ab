"""Private helpers for kit q's incidents: ids, time grids, metric series, alarms, CloudTrail records."""

from __future__ import annotations

import json
import math
import random
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest

J = dict[str, Any]

HEX = "0123456789abcdef"
UPPER = string.ascii_uppercase + string.digits


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def cw_ts(dt: datetime) -> str:
    """CloudWatch's own timestamp spelling inside alarm reason data and events."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def floor_min(dt: datetime, minutes: int = 1) -> datetime:
    dt = dt.replace(second=0, microsecond=0)
    return dt - timedelta(minutes=dt.minute % minutes)


def minutes_between(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60.0


def smoothstep(x: float) -> float:
    x = max(0.0, min(1.0, x))
    return x * x * (3 - 2 * x)


def daily(local_hour: float, low: float, high: float, peak: float = 15.0) -> float:
    """A day-shaped level: `low` at night (around peak-12h), `high` mid-afternoon."""
    phase = math.cos(2 * math.pi * (local_hour - peak) / 24.0)
    shaped = (phase + 1) / 2
    return low + (high - low) * shaped**1.6


ZONES = {
    "us-east-1": "America/New_York",
    "us-east-2": "America/Chicago",
    "us-west-2": "America/Los_Angeles",
    "eu-west-1": "Europe/Dublin",
    "eu-central-1": "Europe/Berlin",
    "ap-southeast-2": "Australia/Sydney",
}


def at_local(day: datetime, hour: float, zone: str) -> datetime:
    """The UTC moment of local clock `hour` on `day`'s date in `zone`."""
    h = int(hour)
    m = round((hour - h) * 60)
    local = datetime(day.year, day.month, day.day, h, 0, tzinfo=ZoneInfo(zone)) + timedelta(minutes=m)
    return local.astimezone(UTC)


def aws_date(dt: datetime) -> str:
    """STS's 'Jun 3, 2024, 10:00:00 PM' spelling."""
    h = dt.hour % 12 or 12
    return f"{dt:%b} {dt.day}, {dt.year}, {h}:{dt:%M:%S} {'AM' if dt.hour < 12 else 'PM'}"


def local_hour(dt: datetime, zone: str) -> float:
    loc = dt.astimezone(ZoneInfo(zone))
    return loc.hour + loc.minute / 60.0


def clock(dt: datetime, zone: str) -> str:
    """'2:40pm' in `zone`."""
    loc = dt.astimezone(ZoneInfo(zone))
    h = loc.hour % 12 or 12
    return f"{h}:{loc.minute:02d}{'am' if loc.hour < 12 else 'pm'}"


REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]


@dataclass
class Alarm:
    item: J
    history_from: datetime
    transitions: list[tuple[datetime, str, str, J]] = field(default_factory=list)


class Kit:
    """Collects one bundle's records; every random choice comes from one seeded generator."""

    def __init__(self, name: str, seed: int) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.name = name
        self.account = str(self.rng.randint(2, 9)) + "".join(self.rng.choice("0123456789") for _ in range(11))
        self.region = self.rng.choice(REGIONS)
        self.metrics: list[J] = []
        self.alarms: list[Alarm] = []
        self.history: list[J] = []
        self.logs: list[J] = []
        self.traces: list[J] = []
        self.cloudtrail: list[J] = []
        self.resources: list[J] = []
        self.events: list[J] = []
        self._index: dict[tuple[str, str, tuple[tuple[str, str], ...]], dict[str, list[J]]] = {}

    # --- ids ----------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(HEX) for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(UPPER) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = self.rng.choice("89ab")
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def rid(self, prefix: str) -> str:
        return f"{prefix}-{self.hex(17)}"

    def access_key(self) -> str:
        return "ASIA" + self.upper(16)

    def role_id(self) -> str:
        return "AROA" + self.upper(17)

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def private_ip(self, prefix: str) -> str:
        return f"{prefix}.{self.rng.randint(1, 250)}"

    def public_ip(self) -> str:
        first = self.rng.choice([3, 18, 34, 35, 44, 52, 54, 100])
        return f"{first}.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"

    def office_ip(self) -> str:
        first = self.rng.choice([73, 81, 86, 98, 145, 174, 203])
        return f"{first}.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"

    def jitter(self, scale: float) -> float:
        return self.rng.gauss(0.0, scale)

    # --- dates --------------------------------------------------------------------------------------

    def pick_day(self, weekdays: bool = True) -> datetime:
        base = datetime(2024, 2, 5, tzinfo=UTC)
        while True:
            day = base + timedelta(days=self.rng.randint(0, 280))
            if not weekdays or day.weekday() < 5:
                return day

    # --- metrics ------------------------------------------------------------------------------------

    def grid(self, start: datetime, end: datetime, fine_from: datetime) -> Iterable[tuple[datetime, int]]:
        """(timestamp, minutes) steps: 5-minute datapoints before `fine_from`, 1-minute after."""
        t = floor_min(start, 5)
        while t < end:
            step = 5 if t < fine_from else 1
            if t + timedelta(minutes=step) > end:
                break
            yield t, step
            t += timedelta(minutes=step)

    def put(self, ns: str, metric: str, dims: J, t: datetime, unit: str, value: float | J) -> None:
        row: J = {
            "namespace": ns,
            "metric": metric,
            "dimensions": dict(dims),
            "timestamp": iso(t),
            "unit": unit,
        }
        if isinstance(value, dict):
            if "values" in value:
                row["values"] = value["values"]
                row["counts"] = value["counts"]
            else:
                row["statistic_values"] = value
        else:
            row["value"] = round(float(value), 4)
        self.metrics.append(row)
        key = (ns, metric, tuple(sorted(dims.items())))
        self._index.setdefault(key, {}).setdefault(row["timestamp"], []).append(row)

    def series(
        self,
        ns: str,
        metric: str,
        dims: J,
        unit: str,
        fn: Callable[[datetime, int], float | J | None],
        start: datetime,
        end: datetime,
        fine_from: datetime,
    ) -> None:
        for t, step in self.grid(start, end, fine_from):
            v = fn(t, step)
            if v is None:
                continue
            self.put(ns, metric, dims, t, unit, v)

    def stats(self, n: float, mean: float, spread: float, floor: float = 0.0) -> J | None:
        """A statistic set for `n` samples around `mean` (None when there are no samples)."""
        count = round(n)
        if count <= 0:
            return None
        mean = max(floor, mean)
        lo = max(floor, mean * (1 - spread * self.rng.uniform(0.5, 0.9)))
        hi = mean * (1 + spread * self.rng.uniform(1.5, 4.0))
        if count == 1:
            lo = hi = mean
        return {
            "SampleCount": float(count),
            "Sum": round(mean * count, 6),
            "Minimum": round(lo, 6),
            "Maximum": round(hi, 6),
        }

    def aggregate(self, ns: str, metric: str, dims: J, stat: str, t0: datetime, period: int) -> J | None:
        """The statistic over [t0, t0+period) from the datapoints put so far (None when there are none)."""
        by_time = self._index.get((ns, metric, tuple(sorted(dims.items()))), {})
        rows = [
            r for i in range(max(1, period // 60)) for r in by_time.get(iso(t0 + timedelta(minutes=i)), [])
        ]
        total = count = 0.0
        mn, mx = math.inf, -math.inf
        for r in rows:
            if "value" in r:
                v = r["value"]
                total += v
                count += 1
                mn, mx = min(mn, v), max(mx, v)
            elif "statistic_values" in r:
                s = r["statistic_values"]
                total += s["Sum"]
                count += s["SampleCount"]
                mn, mx = min(mn, s["Minimum"]), max(mx, s["Maximum"])
            else:
                for v, c in zip(r["values"], r["counts"], strict=True):
                    total += v * c
                    count += c
                    mn, mx = min(mn, v), max(mx, v)
        if count == 0:
            return None
        value = {
            "Sum": total,
            "Average": total / count,
            "Minimum": mn,
            "Maximum": mx,
            "SampleCount": count,
        }[stat]
        return {"value": value, "sampleCount": count}

    # --- alarms -------------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: J,
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        *,
        datapoints: int | None = None,
        missing: str = "missing",
        actions: list[str] | None = None,
        ok_actions: list[str] | None = None,
        description: str | None = None,
        updated: datetime,
        unit: str | None = None,
        history_from: datetime,
    ) -> J:
        item: J = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso_ms(updated),
            "ActionsEnabled": True,
            "OKActions": ok_actions or [],
            "AlarmActions": actions or [],
            "InsufficientDataActions": [],
            "StateValue": "OK",
            "StateReason": "",
            "StateUpdatedTimestamp": iso_ms(updated),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(updated),
        }
        if description:
            item["AlarmDescription"] = description
        if unit:
            item["Unit"] = unit
        self.alarms.append(Alarm(item, history_from))
        return item

    def _breach(self, value: float, threshold: float, op: str) -> bool:
        return {
            "GreaterThanThreshold": value > threshold,
            "GreaterThanOrEqualToThreshold": value >= threshold,
            "LessThanThreshold": value < threshold,
            "LessThanOrEqualToThreshold": value <= threshold,
        }[op]

    def evaluate_alarms(self, now: datetime) -> None:
        """Walk each alarm period by period from its history start to `now`; record state changes."""
        words = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }
        for alarm in self.alarms:
            a = alarm.item
            period, n, m = a["Period"], a["EvaluationPeriods"], a["DatapointsToAlarm"]
            dims = {d["Name"]: d["Value"] for d in a["Dimensions"]}
            ns, metric, stat, thr, op = (
                a["Namespace"],
                a["MetricName"],
                a["Statistic"],
                a["Threshold"],
                a["ComparisonOperator"],
            )
            missing = a["TreatMissingData"]
            state: str | None = None
            step = timedelta(seconds=period)
            t = floor_min(alarm.history_from, max(1, period // 60)) + step * (n - 1)
            while True:
                eval_at = t + step + timedelta(seconds=self.rng.randint(25, 70))
                if eval_at > now:
                    break
                window = []
                for i in range(n):
                    t0 = t - step * i
                    window.append((t0, self.aggregate(ns, metric, dims, stat, t0, period)))
                t += step
                present = [(t0, v) for t0, v in window if v is not None]
                breaching = 0
                for _t0, v in window:
                    if v is None:
                        breaching += 1 if missing == "breaching" else 0
                    elif self._breach(v["value"], thr, op):
                        breaching += 1
                if not present and missing == "missing":
                    continue  # coarse (5-minute) history under a 1-minute alarm: no verdict either way
                if breaching >= m:
                    new = "ALARM"
                elif not present and missing == "missing":
                    new = "INSUFFICIENT_DATA"
                else:
                    new = "OK"
                if new == state:
                    continue
                shift = timedelta(hours=self.rng.randint(3, 40)) if state is None else timedelta(0)
                shown = [(t0 - shift, v) for t0, v in present[: max(1, n)]]
                window = [(t0 - shift, v) for t0, v in window]
                eval_at -= shift
                stamp = [f"{round(v['value'], 6)} ({t0:%d/%m/%y %H:%M:%S})" for t0, v in shown]
                if new == "INSUFFICIENT_DATA":
                    reason = f"Insufficient Data: {n} datapoint{'s were' if n > 1 else ' was'} unknown."
                elif new == "ALARM":
                    cnt = breaching
                    what = "datapoint" if n == 1 else "datapoints"
                    reason = (
                        f"Threshold Crossed: {cnt} out of the last {n} {what} [{', '.join(stamp)}] "
                        f"{'was' if n == 1 else 'were'} {words[op]} the threshold ({thr}) "
                        f"(minimum {m} datapoint{'s' if m > 1 else ''} for {state or 'OK'} -> ALARM transition)."
                    )
                    if n == 1:
                        reason = f"Threshold Crossed: 1 datapoint [{stamp[0]}] was {words[op]} the threshold ({thr})."
                elif not present:
                    reason = (
                        f"Threshold Crossed: no datapoints were received for {n} period{'s' if n > 1 else ''} and "
                        f"{n} missing datapoint{'s were' if n > 1 else ' was'} treated as [NonBreaching]."
                    )
                else:
                    okn = len(present) - breaching
                    reason = (
                        f"Threshold Crossed: {okn} out of the last {n} datapoint{'s' if n > 1 else ''} "
                        f"[{', '.join(stamp)}] {'was' if n == 1 else 'were'} not {words[op]} the threshold ({thr}) "
                        f"(minimum 1 datapoint for {state or 'INSUFFICIENT_DATA'} -> OK transition)."
                    )
                data: J = {
                    "version": "1.0",
                    "queryDate": cw_ts(eval_at),
                    "startDate": cw_ts(window[-1][0]),
                    "statistic": stat,
                    "period": period,
                    "recentDatapoints": [round(v["value"], 6) for _t0, v in reversed(shown)],
                    "threshold": thr,
                    "evaluatedDatapoints": [
                        {
                            "timestamp": cw_ts(t0),
                            "sampleCount": v["sampleCount"],
                            "value": round(v["value"], 6),
                        }
                        for t0, v in shown
                    ],
                }
                if state is not None:
                    alarm.transitions.append((eval_at, state, new, {"reason": reason, "data": data}))
                a["StateValue"] = new
                a["StateReason"] = reason
                a["StateReasonData"] = json.dumps(data, separators=(",", ":"))
                a["StateUpdatedTimestamp"] = iso_ms(eval_at)
                a["StateTransitionedTimestamp"] = iso_ms(eval_at)
                state = new
            if state is None:
                a["StateReason"] = "Unchecked: Initial alarm creation"
            prev_state: J | None = None
            for when, old, new, info in alarm.transitions:
                old_state: J = prev_state or {"stateValue": old, "stateReason": "Threshold Crossed"}
                new_state: J = {
                    "stateValue": new,
                    "stateReason": info["reason"],
                    "stateReasonData": info["data"],
                }
                self.history.append(
                    {
                        "AlarmName": a["AlarmName"],
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(when),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {old} to {new}",
                        "HistoryData": json.dumps(
                            {"version": "1.0", "oldState": old_state, "newState": new_state},
                            separators=(",", ":"),
                        ),
                    }
                )
                acts = a["AlarmActions"] if new == "ALARM" else a["OKActions"] if new == "OK" else []
                for act in acts:
                    self.history.append(
                        {
                            "AlarmName": a["AlarmName"],
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso_ms(when + timedelta(milliseconds=self.rng.randint(40, 400))),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {act}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": ms(when),
                                    "notificationResource": act,
                                    "publishedMessage": {"MessageId": self.uuid()},
                                },
                                separators=(",", ":"),
                            ),
                        }
                    )
                prev_state = {
                    "stateValue": new,
                    "stateReason": info["reason"],
                    "stateReasonData": info["data"],
                }

    def alarm_event(self, name: str, index: int = -1) -> tuple[J, datetime]:
        """The EventBridge "CloudWatch Alarm State Change" event of one recorded transition."""
        alarm = next(x for x in self.alarms if x.item["AlarmName"] == name)
        when, old, new, info = alarm.transitions[index]
        prev = [t for t in alarm.transitions if t[0] < when]
        prev_info = prev[-1][3] if prev else None
        a = alarm.item
        prev_when = prev[-1][0] if prev else when - timedelta(days=1)
        event: J = {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [a["AlarmArn"]],
            "detail": {
                "alarmName": name,
                "state": {
                    "value": new,
                    "reason": info["reason"],
                    "reasonData": json.dumps(info["data"], separators=(",", ":")),
                    "timestamp": cw_ts(when),
                },
                "previousState": {
                    "value": old,
                    "reason": prev_info["reason"] if prev_info else "Threshold Crossed",
                    **(
                        {"reasonData": json.dumps(prev_info["data"], separators=(",", ":"))}
                        if prev_info
                        else {}
                    ),
                    "timestamp": cw_ts(prev_when),
                },
                "configuration": {
                    **({"description": a["AlarmDescription"]} if "AlarmDescription" in a else {}),
                    "metrics": [
                        {
                            "id": self.hex(8) + "-" + self.hex(4) + "-" + self.hex(4),
                            "metricStat": {
                                "metric": {
                                    "namespace": a["Namespace"],
                                    "name": a["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                                },
                                "period": a["Period"],
                                "stat": a["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }
        return event, when

    # --- CloudTrail ---------------------------------------------------------------------------------

    def sso(self, email: str, permission_set: str) -> J:
        suffix = self.hex(16)
        role = f"AWSReservedSSO_{permission_set}_{suffix}"
        rid = self.role_id()
        return {
            "kind": "sso",
            "role": role,
            "session": email,
            "role_id": rid,
            "path": f"/aws-reserved/sso.amazonaws.com/{self.region}/",
            "ip": self.office_ip(),
            "console": True,
        }

    def role(
        self, role: str, session: str, *, ip: str | None = None, path: str = "/", ua: str | None = None
    ) -> J:
        return {
            "kind": "role",
            "role": role,
            "session": session,
            "role_id": self.role_id(),
            "path": path,
            "ip": ip or self.public_ip(),
            "console": False,
            "ua": ua,
        }

    def service_role(self, role: str, session: str, service: str) -> J:
        """A service-linked or service role used by an AWS service on the account's behalf."""
        return {
            "kind": "role",
            "role": role,
            "session": session,
            "role_id": self.role_id(),
            "path": f"/aws-service-role/{service}/" if role.startswith("AWSServiceRoleFor") else "/",
            "ip": service,
            "console": False,
            "invoked_by": service,
            "ua": service,
        }

    def identity(self, p: J, when: datetime) -> J:
        role_arn = f"arn:aws:iam::{self.account}:role{p['path']}{p['role']}"
        ident: J = {
            "type": "AssumedRole",
            "principalId": f"{p['role_id']}:{p['session']}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{p['role']}/{p['session']}",
            "accountId": self.account,
            "accessKeyId": self.access_key(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": p["role_id"],
                    "arn": role_arn,
                    "accountId": self.account,
                    "userName": p["role"],
                },
                "attributes": {
                    "creationDate": iso(when - timedelta(minutes=self.rng.randint(2, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }
        if p.get("invoked_by"):
            ident["invokedBy"] = p["invoked_by"]
        return ident

    def ct(
        self,
        when: datetime,
        p: J,
        source: str,
        name: str,
        params: J | None,
        response: J | None = None,
        *,
        read_only: bool = False,
        ua: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[J] | None = None,
        global_service: bool = False,
    ) -> J:
        host_service = source.split(".")[0]
        region = "us-east-1" if global_service else self.region
        rec: J = {
            "eventVersion": "1.09" if not read_only else self.rng.choice(["1.08", "1.09"]),
            "userIdentity": self.identity(p, when),
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": p["ip"],
            "userAgent": ua or p.get("ua") or self._console_ua(p),
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = self.uuid()
        rec["eventID"] = self.uuid()
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if not p.get("invoked_by"):
            host = (
                f"{host_service}.amazonaws.com"
                if global_service
                else f"{host_service}.{region}.amazonaws.com"
            )
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
        if p.get("console"):
            rec["sessionCredentialFromConsole"] = "true"
        self.cloudtrail.append(rec)
        return rec

    def ct_service(
        self,
        when: datetime,
        invoked_by: str,
        source: str,
        name: str,
        params: J | None,
        response: J | None = None,
        *,
        read_only: bool = False,
        resources: list[J] | None = None,
    ) -> J:
        """A call AWS made itself (userIdentity type AWSService), e.g. Lambda assuming a function's role."""
        rec: J = {
            "eventVersion": "1.08",
            "userIdentity": {"type": "AWSService", "invokedBy": invoked_by},
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked_by,
            "userAgent": invoked_by,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid(),
            "eventID": self.uuid(),
            "readOnly": read_only,
        }
        if resources:
            rec["resources"] = resources
        rec.update(
            {
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "sharedEventID": self.uuid(),
                "eventCategory": "Management",
            }
        )
        self.cloudtrail.append(rec)
        return rec

    def assume_role_by(self, when: datetime, service: str, role_arn: str, session: str) -> J:
        return self.ct_service(
            when,
            service,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": role_arn, "roleSessionName": session},
            {
                "credentials": {
                    "accessKeyId": self.access_key(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + self.upper(40) + "==",
                    "expiration": aws_date(when + timedelta(hours=12)),
                }
            },
            read_only=True,
            resources=[{"accountId": self.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
        )

    def _console_ua(self, p: J) -> str:
        if p.get("console"):
            return self.rng.choice(
                [
                    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/124.0.0.0 Safari/537.36",
                    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0",
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81",
                ]
            )
        return "aws-cli/2.15.40 Python/3.11.8 Linux/5.10.214-202.855.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off command/unknown"

    def routine(
        self, start: datetime, end: datetime, count: int, calls: list[Callable[[datetime], None]]
    ) -> None:
        """`count` routine calls at random moments, each drawn from `calls`."""
        span = (end - start).total_seconds()
        for _ in range(count):
            when = start + timedelta(seconds=self.rng.uniform(0, span))
            self.rng.choice(calls)(when.replace(microsecond=0))

    # --- the rest -----------------------------------------------------------------------------------

    def log(self, group: str, stream: str, when: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(when), "message": message}
        )

    def res(self, service: str, type_: str, item: J) -> J:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: J) -> None:
        self.events.append({"source": source, "item": item})

    def bundle(self, manifest: J, now: datetime) -> Bundle:
        cut = iso(now)
        cut_ms = ms(now)
        metrics = [m for m in self.metrics if m["timestamp"] <= cut]
        logs = sorted(
            (x for x in self.logs if x["timestamp"] <= cut_ms),
            key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]),
        )
        trail = sorted((r for r in self.cloudtrail if r["eventTime"] <= cut), key=lambda r: r["eventTime"])
        history = sorted(
            (h for h in self.history if h["Timestamp"] <= iso_ms(now)), key=lambda h: h["Timestamp"]
        )
        traces = [t for t in self.traces if t["start_time"] <= now.timestamp()]
        records: dict[str, list[J]] = {
            "metrics": metrics,
            "alarms": [a.item for a in self.alarms],
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
            "events": self.events,
        }
        if traces:
            records["traces"] = traces
        manifest = {
            "format": "sleuth-bundle/1",
            "account_id": self.account,
            "region": self.region,
            **manifest,
        }
        return Bundle(Manifest.model_validate(manifest), records)


# --- resource builders ------------------------------------------------------------------------------


@dataclass
class Net:
    vpc: str
    cidr: str
    subnets: list[tuple[str, str, str]]  # (subnet id, az, cidr prefix like "10.42.1")
    public: list[tuple[str, str, str]]


def network(k: Kit, name: str, private_count: int = 3) -> Net:
    second = k.rng.randint(16, 90)
    azs = [k.region + s for s in "abc"][:private_count]
    vpc = k.rid("vpc")
    subnets = [(k.rid("subnet"), az, f"10.{second}.{10 + i * 16}") for i, az in enumerate(azs)]
    public = [(k.rid("subnet"), az, f"10.{second}.{200 + i * 16}") for i, az in enumerate(azs)]
    net = Net(vpc, f"10.{second}.0.0/16", subnets, public)
    k.res(
        "ec2",
        "Vpc",
        {
            "CidrBlock": net.cidr,
            "DhcpOptionsId": k.rid("dopt"),
            "State": "available",
            "VpcId": vpc,
            "OwnerId": k.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )
    for sid, az, prefix in subnets + public:
        pub = (sid, az, prefix) in public
        k.res(
            "ec2",
            "Subnet",
            {
                "AvailabilityZone": az,
                "AvailableIpAddressCount": k.rng.randint(3900, 4060),
                "CidrBlock": f"{prefix}.0/20".replace(".0/20", ".0/20"),
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": pub,
                "State": "available",
                "SubnetId": sid,
                "VpcId": vpc,
                "OwnerId": k.account,
                "SubnetArn": k.arn("ec2", f"subnet/{sid}"),
                "Tags": [{"Key": "Name", "Value": f"{name}-{'public' if pub else 'private'}-{az[-1]}"}],
            },
        )
    return net


def security_group(k: Kit, net: Net, name: str, desc: str, rules: list[J]) -> str:
    gid = k.rid("sg")
    k.res(
        "ec2",
        "SecurityGroup",
        {
            "Description": desc,
            "GroupName": name,
            "IpPermissions": rules,
            "OwnerId": k.account,
            "GroupId": gid,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "UserIdGroupPairs": [],
                    "PrefixListIds": [],
                }
            ],
            "VpcId": net.vpc,
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )
    return gid


def tcp_from(port: int, *, cidr: str | None = None, group: str | None = None, desc: str = "") -> J:
    rule: J = {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [],
        "UserIdGroupPairs": [],
        "PrefixListIds": [],
    }
    if cidr:
        rule["IpRanges"] = [{"CidrIp": cidr, **({"Description": desc} if desc else {})}]
    if group:
        rule["UserIdGroupPairs"] = [{"GroupId": group, **({"Description": desc} if desc else {})}]
    return rule


@dataclass
class Alb:
    arn: str
    dim: str  # app/name/hex
    tg_arn: str
    tg_dim: str  # targetgroup/name/hex
    dns: str


def alb(
    k: Kit,
    net: Net,
    name: str,
    tg_name: str,
    sg: str,
    created: datetime,
    *,
    port: int = 8080,
    target_type: str = "instance",
    health_path: str = "/healthz",
    interval: int = 15,
    timeout: int = 5,
    unhealthy: int = 2,
    healthy: int = 3,
    internal: bool = False,
) -> Alb:
    lb_hex, tg_hex = k.hex(16), k.hex(16)
    arn = k.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{lb_hex}")
    tg_arn = k.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    dns = f"{'internal-' if internal else ''}{name}-{k.rng.randint(100000000, 1999999999)}.{k.region}.elb.amazonaws.com"
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": dns,
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso_ms(created),
            "LoadBalancerName": name,
            "Scheme": "internal" if internal else "internet-facing",
            "VpcId": net.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": az, "SubnetId": sid, "LoadBalancerAddresses": []}
                for sid, az, _ in (net.subnets if internal else net.public)
            ],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": net.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": interval,
            "HealthCheckTimeoutSeconds": timeout,
            "HealthyThresholdCount": healthy,
            "UnhealthyThresholdCount": unhealthy,
            "HealthCheckPath": health_path,
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [arn],
            "TargetType": target_type,
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    return Alb(arn, f"app/{name}/{lb_hex}", tg_arn, f"targetgroup/{tg_name}/{tg_hex}", dns)


def instance(
    k: Kit,
    net: Net,
    iid: str,
    name: str,
    subnet: tuple[str, str, str],
    sg: tuple[str, str],
    launched: datetime,
    *,
    itype: str,
    ami: str,
    profile: str,
    volume: str,
    ip: str,
    extra_tags: list[J] | None = None,
    state: str = "running",
    key: str | None = None,
) -> J:
    sid, az, _ = subnet
    eni = k.rid("eni")
    codes = {"running": 16, "terminated": 48, "shutting-down": 32, "stopped": 80}
    dns = f"ip-{ip.replace('.', '-')}.{'ec2.internal' if k.region == 'us-east-1' else k.region + '.compute.internal'}"
    item: J = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns if state != "terminated" else "",
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": codes[state], "Name": state},
        "StateTransitionReason": "",
        "SubnetId": sid,
        "VpcId": net.vpc,
        "Architecture": "x86_64" if not itype.split(".")[0].endswith("g") else "arm64",
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
        ]
        if state != "terminated"
        else [],
        "ClientToken": k.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{k.account}:instance-profile/{profile}",
            "Id": "AIPA" + k.upper(17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": k.rid("eni-attach"),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": sg[1], "GroupId": sg[0]}],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(k.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": k.account,
                "PrivateDnsName": dns,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": sid,
                "VpcId": net.vpc,
                "InterfaceType": "interface",
            }
        ]
        if state != "terminated"
        else [],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": sg[1], "GroupId": sg[0]}] if state != "terminated" else [],
        "SourceDestCheck": True,
        "Tags": [{"Key": "Name", "Value": name}, *(extra_tags or [])],
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
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
    if key:
        item["KeyName"] = key
    if state == "terminated":
        item.pop("PrivateIpAddress")
        item.pop("SubnetId")
        item.pop("VpcId")
        item["StateReason"] = {
            "Code": "Client.UserInitiatedShutdown",
            "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
        }
    k.res("ec2", "Instance", item)
    return item


def instance_status(k: Kit, iid: str, az: str, *, impaired_since: datetime | None = None) -> J:
    inst: J = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    if impaired_since is not None:
        inst = {
            "Status": "impaired",
            "Details": [{"Name": "reachability", "Status": "failed", "ImpairedSince": iso(impaired_since)}],
        }
    return k.res(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": az,
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": inst,
            "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "AttachedEbsStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        },
    )


def ecs_ua() -> str:
    return "ecs.amazonaws.com"


TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}#1.{minor}.{patch}"
)


def terraform_ua(api: str, k: Kit) -> str:
    return TERRAFORM_UA.format(api=api, minor=k.rng.randint(20, 40), patch=k.rng.randint(0, 9))


def boto_ua(k: Kit, lambda_runtime: bool = False) -> str:
    env = " exec-env/AWS_Lambda_python3.12" if lambda_runtime else ""
    return (
        f"Boto3/1.34.{k.rng.randint(60, 99)} md/Botocore#1.34.{k.rng.randint(60, 99)} ua/2.0 os/linux#5.10.214 "
        f"md/arch#x86_64 lang/python#3.12.{k.rng.randint(1, 3)} md/pyimpl#CPython{env} cfg/retry-mode#legacy "
        f"Botocore/1.34.{k.rng.randint(60, 99)}"
    )


GRAFANA_UA = "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.1"


def task_id(k: Kit) -> str:
    return k.hex(32)


def ecs_service(
    k: Kit,
    cluster: str,
    name: str,
    taskdef: str,
    revision: int,
    count: int,
    net: Net,
    sg: str,
    created: datetime,
    deployed: datetime,
    *,
    target_group: str | None = None,
    container_port: int = 8080,
    events: list[tuple[datetime, str]] | None = None,
) -> J:
    arn = k.arn("ecs", f"service/{cluster}/{name}")
    td = k.arn("ecs", f"task-definition/{taskdef}:{revision}")
    item: J = {
        "serviceArn": arn,
        "serviceName": name,
        "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
        "loadBalancers": [
            {"targetGroupArn": target_group, "containerName": name, "containerPort": container_port}
        ]
        if target_group
        else [],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": count,
        "runningCount": count,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": td,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [
            {
                "id": f"ecs-svc/{k.rng.randint(10**18, 10**19 - 1)}",
                "status": "PRIMARY",
                "taskDefinition": td,
                "desiredCount": count,
                "pendingCount": 0,
                "runningCount": count,
                "failedTasks": 0,
                "createdAt": iso_ms(deployed),
                "updatedAt": iso_ms(deployed + timedelta(minutes=k.rng.randint(3, 7))),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [s[0] for s in net.subnets],
                        "securityGroups": [sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment ecs-svc/"
                + str(k.rng.randint(10**18, 10**19 - 1))
                + " completed.",
            }
        ],
        "roleArn": f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [
            {"id": k.uuid(), "createdAt": iso_ms(t), "message": msg}
            for t, msg in sorted(events or [], key=lambda e: e[0], reverse=True)
        ],
        "createdAt": iso_ms(created),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": [s[0] for s in net.subnets],
                "securityGroups": [sg],
                "assignPublicIp": "DISABLED",
            }
        },
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": f"arn:aws:iam::{k.account}:role/github-actions-terraform",
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }
    if target_group:
        item["healthCheckGracePeriodSeconds"] = 60
    k.res("ecs", "Service", item)
    return item


def ecs_cluster(k: Kit, name: str, tasks: int, services: int) -> J:
    return k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": k.arn("ecs", f"cluster/{name}"),
            "clusterName": name,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks,
            "pendingTasksCount": 0,
            "activeServicesCount": services,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    )


def lambda_function(
    k: Kit,
    name: str,
    runtime: str,
    handler: str,
    role: str,
    modified: datetime,
    *,
    memory: int = 512,
    timeout: int = 30,
    env: dict[str, str] | None = None,
    description: str = "",
    vpc: tuple[list[str], list[str], str] | None = None,
) -> J:
    item: J = {
        "FunctionName": name,
        "FunctionArn": k.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{k.account}:role/{role}",
        "Handler": handler,
        "CodeSize": k.rng.randint(40_000, 9_000_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{k.rng.randint(0, 999):03d}+0000",
        "CodeSha256": "".join(k.rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(43))
        + "=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": k.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": f"arn:aws:lambda:{k.region}::runtime:" + k.hex(64)},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": env}
    if vpc:
        item["VpcConfig"] = {"SubnetIds": vpc[0], "SecurityGroupIds": vpc[1], "VpcId": vpc[2]}
    k.res("lambda", "FunctionConfiguration", item)
    return item


def lambda_report(
    k: Kit, group: str, stream: str, start: datetime, rid: str, dur_ms: float, mem: int, used: int
) -> None:
    k.log(group, stream, start + timedelta(milliseconds=dur_ms + 2), f"END RequestId: {rid}")
    k.log(
        group,
        stream,
        start + timedelta(milliseconds=dur_ms + 3),
        f"REPORT RequestId: {rid}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {math.ceil(dur_ms)} ms\t"
        f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t",
    )


def lambda_stream(k: Kit, when: datetime) -> str:
    return f"{when:%Y/%m/%d}/[$LATEST]{k.hex(32)}"


def log_group(k: Kit, name: str, created: datetime, retention: int | None = 30) -> J:
    item: J = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": k.arn("logs", f"log-group:{name}:*"),
        "storedBytes": k.rng.randint(10**6, 10**10),
        "logGroupClass": "STANDARD",
        "logGroupArn": k.arn("logs", f"log-group:{name}"),
    }
    if retention:
        item["retentionInDays"] = retention
    return k.res("logs", "LogGroup", item)


def iam_role(
    k: Kit,
    name: str,
    service: str,
    created: datetime,
    *,
    description: str = "",
    boundary: str | None = None,
    last_used: datetime | None = None,
    tags: list[J] | None = None,
) -> J:
    item: J = {
        "Path": "/",
        "RoleName": name,
        "RoleId": k.role_id(),
        "Arn": f"arn:aws:iam::{k.account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": quote(
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                    ],
                }
            ),
            safe="",
        ),
        "Description": description,
        "MaxSessionDuration": 3600,
        "Tags": tags or [],
    }
    if boundary:
        item["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary,
        }
    if last_used:
        item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": k.region}
    k.res("iam", "Role", item)
    return item


LAT_GRID = [round(0.001 * 1.2**i, 6) for i in range(60)]


def histogram(samples: list[float], scale: float = 1.0) -> J | None:
    """Latency samples (seconds) as PutMetricData values/counts on a log grid."""
    if not samples:
        return None
    counts: dict[float, float] = {}
    for s in samples:
        idx = 0
        while idx < len(LAT_GRID) - 1 and LAT_GRID[idx + 1] <= s:
            idx += 1
        v = LAT_GRID[idx]
        counts[v] = counts.get(v, 0.0) + scale
    keys = sorted(counts)
    return {"values": keys, "counts": [round(counts[x], 3) for x in keys]}


def alb_step(
    k: Kit,
    a: Alb,
    t: datetime,
    *,
    requests: float,
    codes: dict[str, float],
    latencies: list[float],
    healthy: float,
    unhealthy: float,
    az: str | None = None,
    lb_level: bool = True,
) -> None:
    """One period of AWS/ApplicationELB metrics for a target group (and its load balancer)."""
    dims: J = {"LoadBalancer": a.dim, "TargetGroup": a.tg_dim}
    if az:
        dims["AvailabilityZone"] = az
    n = round(requests)
    if n > 0:
        k.put("AWS/ApplicationELB", "RequestCount", dims, t, "Count", n)
        k.put(
            "AWS/ApplicationELB", "RequestCountPerTarget", dims, t, "Count", round(n / max(1.0, healthy), 2)
        )
        hist = histogram(latencies, n / max(1, len(latencies)))
        if hist:
            k.put("AWS/ApplicationELB", "TargetResponseTime", dims, t, "Seconds", hist)
    for code in ("2XX", "3XX", "4XX", "5XX"):
        v = round(codes.get(code, 0.0))
        if v > 0:
            k.put("AWS/ApplicationELB", f"HTTPCode_Target_{code}_Count", dims, t, "Count", v)
    k.put("AWS/ApplicationELB", "HealthyHostCount", dims, t, "Count", k.stats(1, healthy, 0.0) or healthy)
    k.put(
        "AWS/ApplicationELB", "UnHealthyHostCount", dims, t, "Count", k.stats(1, unhealthy, 0.0) or unhealthy
    )
    if lb_level and not az and n > 0:
        ld = {"LoadBalancer": a.dim}
        k.put("AWS/ApplicationELB", "RequestCount", ld, t, "Count", n)
        k.put("AWS/ApplicationELB", "ProcessedBytes", ld, t, "Bytes", round(n * k.rng.uniform(2400, 3100)))
        k.put(
            "AWS/ApplicationELB", "NewConnectionCount", ld, t, "Count", round(n * k.rng.uniform(0.18, 0.26))
        )
        k.put(
            "AWS/ApplicationELB", "ActiveConnectionCount", ld, t, "Count", round(n * k.rng.uniform(0.4, 0.55))
        )
        k.put(
            "AWS/ApplicationELB",
            "ConsumedLCUs",
            ld,
            t,
            "Count",
            round(n / 1500 + k.rng.uniform(0.02, 0.05), 4),
        )
        if codes.get("ELB5XX", 0) >= 1:
            k.put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ld, t, "Count", round(codes["ELB5XX"]))
        if codes.get("ELB4XX", 0) >= 1:
            k.put("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", ld, t, "Count", round(codes["ELB4XX"]))


def task_definition(
    k: Kit,
    family: str,
    revision: int,
    image: str,
    task_role: str,
    registered: datetime,
    *,
    env: dict[str, str],
    secrets: dict[str, str] | None = None,
    port: int = 8080,
    cpu: str = "512",
    memory: str = "1024",
    registered_by: str | None = None,
) -> J:
    item: J = {
        "taskDefinitionArn": k.arn("ecs", f"task-definition/{family}:{revision}"),
        "containerDefinitions": [
            {
                "name": family,
                "image": image,
                "cpu": 0,
                "portMappings": [
                    {
                        "containerPort": port,
                        "hostPort": port,
                        "protocol": "tcp",
                        "name": f"{family}-{port}-tcp",
                    }
                ],
                "essential": True,
                "environment": [{"name": n, "value": v} for n, v in sorted(env.items())],
                "secrets": [{"name": n, "valueFrom": v} for n, v in sorted((secrets or {}).items())],
                "mountPoints": [],
                "volumesFrom": [],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/{family}",
                        "awslogs-region": k.region,
                        "awslogs-stream-prefix": "ecs",
                    },
                },
            }
        ],
        "family": family,
        "taskRoleArn": f"arn:aws:iam::{k.account}:role/{task_role}",
        "executionRoleArn": f"arn:aws:iam::{k.account}:role/ecs-task-execution",
        "networkMode": "awsvpc",
        "revision": revision,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [
            {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
            {"name": "ecs.capability.execution-role-awslogs"},
            {"name": "com.amazonaws.ecs.capability.task-iam-role"},
            {"name": "ecs.capability.task-eni"},
        ],
        "placementConstraints": [],
        "compatibilities": ["EC2", "FARGATE"],
        "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        "requiresCompatibilities": ["FARGATE"],
        "cpu": cpu,
        "memory": memory,
        "registeredAt": iso_ms(registered),
        "registeredBy": registered_by
        or f"arn:aws:sts::{k.account}:assumed-role/github-actions-deploy/GitHubActions",
    }
    k.res("ecs", "TaskDefinition", item)
    return item


def register_targets_timeline(
    k: Kit, tg_arn: str, targets: list[tuple[str, int, str]], when: datetime
) -> None:
    for tid, port, az in targets:
        k.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": tid, "Port": port, "AvailabilityZone": az},
                "health": {"State": "healthy"},
                "timestamp": iso(when),
            },
        )


def subnet_ip(k: Kit, subnet: tuple[str, str, str]) -> str:
    """A private address inside one of `network`'s /20 subnets."""
    a, b, c = subnet[2].split(".")
    return f"{a}.{b}.{int(c) + k.rng.randint(0, 15)}.{k.rng.randint(4, 250)}"
