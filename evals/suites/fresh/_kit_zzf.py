"""Private helpers for kit zzf incidents (standard library only)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    def __init__(self, seed: int, region: str):
        self.r = random.Random(seed)
        self.region = region
        self.account = str(self.r.randint(200000000000, 999999999999))
        self.metrics: list[dict] = []
        self.logs: list[dict] = []
        self.trail: list[dict] = []
        self.resources: list[dict] = []
        self.alarms: list[dict] = []
        self.history: list[dict] = []
        self.events: list[dict] = []

    # ids ------------------------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def akid(self, prefix: str = "ASIA") -> str:
        return prefix + "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def upper(self, n: int) -> str:
        return "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))

    def onset_day(self, year: int = 2026, months: tuple[int, ...] = tuple(range(1, 13))) -> datetime:
        m = self.r.choice(months)
        d = self.r.randint(1, 27)
        return datetime(year, m, d, tzinfo=UTC)

    # identities -----------------------------------------------------------------------------------
    def role_identity(
        self, role: str, session: str, *, path: str = "/", mfa: bool = False, created: datetime | None = None
    ) -> dict:
        rid = "AROA" + self.upper(17)
        ident = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(created) if created else "2026-01-01T00:00:00Z",
                    "mfaAuthenticated": "true" if mfa else "false",
                },
            },
        }
        return ident

    def sso_identity(self, permission_set: str, email: str) -> dict:
        role = f"AWSReservedSSO_{permission_set}_{self.hexid(16)}"
        return self.role_identity(role, email, path="/aws-reserved/sso.amazonaws.com/eu-west-1/")

    # cloudtrail -----------------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict,
        *,
        params=None,
        response=None,
        read_only: bool = True,
        ip: str = "10.20.4.17",
        agent: str = "aws-cli/2.15.30",
        error: tuple[str, str] | None = None,
        resources: list | None = None,
        event_type: str = "AwsApiCall",
        extra: dict | None = None,
        session_time: datetime | None = None,
    ) -> dict:
        ident = json.loads(json.dumps(ident))
        if session_time is not None and "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(session_time)
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if event_type == "AwsApiCall" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
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
        rec["eventType"] = event_type
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        if extra:
            rec.update(extra)
        if event_type == "AwsApiCall" and "tlsDetails" not in rec and not ip.endswith("amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def readonly_noise(
        self,
        start: datetime,
        end: datetime,
        calls: list[tuple[str, str, dict, dict | None]],
        n: int,
        agent: str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10 lang/python#3.11.8",
        ip: str = "10.20.4.17",
    ) -> None:
        span = (end - start).total_seconds()
        for _ in range(n):
            t = start + timedelta(seconds=self.r.uniform(0, span))
            src, name, ident, params = self.r.choice(calls)
            self.ct(t, src, name, ident, params=params, response=None, read_only=True, ip=ip, agent=agent)

    # metrics --------------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        metric: str,
        dims: dict,
        unit: str,
        start: datetime,
        end: datetime,
        fn,
        period: int = 60,
        skip_zero: bool = False,
    ) -> None:
        t = start
        while t < end:
            v = fn(t)
            if v is not None and not (skip_zero and v == 0):
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(float(v), 3),
                    }
                )
            t += timedelta(seconds=period)

    def stat_series(
        self,
        ns: str,
        metric: str,
        dims: dict,
        unit: str,
        start: datetime,
        end: datetime,
        fn,
        period: int = 60,
    ) -> None:
        """fn(t) -> (count, sum, min, max) or None."""
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                c, s, lo, hi = v
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "statistic_values": {
                            "SampleCount": float(c),
                            "Sum": round(float(s), 3),
                            "Minimum": round(float(lo), 3),
                            "Maximum": round(float(hi), 3),
                        },
                    }
                )
            t += timedelta(seconds=period)

    def dist_series(
        self,
        ns: str,
        metric: str,
        dims: dict,
        unit: str,
        start: datetime,
        end: datetime,
        fn,
        period: int = 60,
    ) -> None:
        """fn(t) -> (values, counts) or None."""
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                vals, cnts = v
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "values": [round(float(x), 2) for x in vals],
                        "counts": [float(c) for c in cnts],
                    }
                )
            t += timedelta(seconds=period)

    # logs -----------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # resources ------------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict) -> dict:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    # alarms ---------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        *,
        namespace: str,
        metric: str,
        dims: dict,
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        state: str,
        reason: str,
        updated: datetime,
        configured: datetime,
        description: str = "",
        datapoints: int | None = None,
        missing: str = "missing",
        topic: str | None = None,
        unit: str | None = None,
        reason_data: dict | None = None,
    ) -> dict:
        a = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}",
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(configured),
            "ActionsEnabled": True,
            "OKActions": [topic] if topic else [],
            "AlarmActions": [topic] if topic else [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(updated),
            "MetricName": metric,
            "Namespace": namespace,
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
        if unit:
            a["Unit"] = unit
        if reason_data:
            a["StateReasonData"] = json.dumps(reason_data, separators=(",", ":"))
        self.alarms.append(a)
        return a

    def transition(
        self, name: str, t: datetime, old: str, new: str, reason: str, reason_data: dict | None = None
    ) -> None:
        data: dict[str, Any] = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        if reason_data:
            data["newState"]["stateReasonData"] = reason_data
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )

    def reason(
        self,
        values: list[float],
        period: int,
        evals_count: int,
        threshold: float,
        op_word: str,
        t_last: datetime,
        stat: str = "Sum",
    ) -> tuple[str, dict]:
        """values oldest first; t_last is the newest datapoint's timestamp."""
        pts = len(values)
        stamps = [t_last - timedelta(seconds=period * i) for i in range(pts)]
        shown = ", ".join(
            f"{float(v)} ({ts.strftime('%d/%m/%y %H:%M:%S')})"
            for v, ts in zip(reversed(values), stamps, strict=False)
        )
        verb = "were" if pts > 1 else "was"
        noun = "datapoints" if evals_count > 1 else "datapoint"
        if evals_count > 1:
            head = f"Threshold Crossed: {pts} out of the last {evals_count} {noun} [{shown}] {verb} {op_word} the threshold ({float(threshold)})"
        else:
            head = f"Threshold Crossed: 1 {noun} [{shown}] was {op_word} the threshold ({float(threshold)})"
        text = (
            f"{head} (minimum {pts} datapoint{'s' if pts > 1 else ''} for OK -> ALARM transition)."
            if evals_count > 1
            else f"{head}."
        )
        start_dp = t_last - timedelta(seconds=period * (evals_count - 1))
        data = {
            "version": "1.0",
            "queryDate": iso_ms(t_last + timedelta(seconds=period, milliseconds=412)),
            "startDate": iso_ms(start_dp),
            "statistic": stat,
            "period": period,
            "recentDatapoints": [float(v) for v in values],
            "threshold": float(threshold),
            "evaluatedDatapoints": [
                {"timestamp": iso(ts), "sampleCount": 1.0 if stat != "Sum" else 60.0, "value": float(v)}
                for v, ts in zip(reversed(values), stamps, strict=False)
            ],
        }
        return text, data

    def alarm_event(
        self,
        alarm: dict,
        t: datetime,
        prev_state: str,
        prev_reason: str,
        prev_time: datetime,
        reason: str,
        reason_data: dict,
        description: str = "",
    ) -> dict:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data, separators=(",", ":")),
                    "timestamp": iso_ms(t),
                },
                "previousState": {"value": prev_state, "reason": prev_reason, "timestamp": iso_ms(prev_time)},
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.hexid(8) + "-" + self.hexid(4),
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": dims,
                                },
                                "period": alarm["Period"],
                                "stat": alarm["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # bundle ---------------------------------------------------------------------------------------
    def bundle(self, *, title: str, start: datetime, now: datetime, trigger: dict, truth: dict) -> Bundle:
        cut = iso(now)
        trail = sorted((r for r in self.trail if r["eventTime"] <= cut), key=lambda r: r["eventTime"])
        metrics = sorted(
            (m for m in self.metrics if m["timestamp"] <= cut),
            key=lambda m: (
                m["namespace"],
                m["metric"],
                json.dumps(m["dimensions"], sort_keys=True),
                m["timestamp"],
            ),
        )
        logs = sorted(
            (rec for rec in self.logs if rec["timestamp"] <= ms(now)),
            key=lambda rec: (rec["log_group"], rec["log_stream"], rec["timestamp"]),
        )
        hist = sorted(
            (h for h in self.history if h["Timestamp"] <= iso_ms(now)), key=lambda h: h["Timestamp"]
        )
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": cut,
                "now": cut,
                "trigger": trigger,
                "truth": truth,
            }
        )
        records = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def noisy(r: random.Random, base: float, jitter: float = 0.08) -> float:
    return max(0.0, base * (1 + r.uniform(-jitter, jitter)))


def diurnal(t: datetime, peak_hour_utc: float = 13.0, low: float = 0.45) -> float:
    """A smooth daily curve between `low` and 1.0."""
    import math

    h = t.hour + t.minute / 60
    return low + (1 - low) * (0.5 + 0.5 * math.cos((h - peak_hour_utc) / 24 * 2 * math.pi))
