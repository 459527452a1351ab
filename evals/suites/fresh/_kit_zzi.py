"""Private helpers for kit zzi's incidents: ids, CloudTrail records, metric series, alarms."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

UTC = UTC


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Kit:
    def __init__(self, seed: int, account: str, region: str, salt: str = "") -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        self.account = account
        self.region = region
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # --- ids ------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, prefix: str, n: int = 16) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def day(self, base_year: int = 2026) -> datetime:
        start = datetime(base_year, 1, 5, tzinfo=UTC)
        return start + timedelta(days=self.rng.randrange(0, 300))

    # --- identities -----------------------------------------------------------------------------
    def sso(self, permission_set: str, user: str) -> dict[str, Any]:
        role = f"AWSReservedSSO_{permission_set}_{self.hexid(16)}"
        rid = self.upper("AROA", 17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": self.upper("ASIA", 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str) -> dict[str, Any]:
        rid = self.upper("AROA", 17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.upper("ASIA", 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    # --- CloudTrail -----------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        params: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        ip: str = "10.20.4.17",
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
    ) -> dict[str, Any]:
        ident = json.loads(json.dumps(who))
        ctx = ident.get("sessionContext", {}).get("attributes")
        if ctx is not None:
            ctx["creationDate"] = iso(t - timedelta(minutes=self.rng.randrange(2, 50)))
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
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
        rec["responseElements"] = None if (read_only or error) else response
        rec["requestID"] = self.uid()
        rec["eventID"] = self.uid()
        rec["readOnly"] = read_only
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
        }
        self.trail.append(rec)
        return rec

    def read_noise(
        self, start: datetime, end: datetime, calls: list[tuple[str, str, dict[str, Any] | None]], n: int
    ) -> None:
        """Read-only calls from dashboards and tooling spread over the window."""
        grafana = self.role("grafana-cloudwatch-read", "grafana")
        auditor = self.role("cloud-inventory-scanner", "inventory-" + self.hexid(8))
        span = int((end - start).total_seconds())
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.randrange(0, span))
            source, name, params = self.rng.choice(calls)
            who = grafana if source == "monitoring.amazonaws.com" else auditor
            agent = (
                "Grafana/10.4.1 aws-sdk-go/1.51.0 (go1.21.8; linux; amd64)"
                if who is grafana
                else "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.8"
            )
            self.ct(t, source, name, who, params, read_only=True, ip="10.20.9.44", agent=agent)

    # --- metrics --------------------------------------------------------------------------------
    def put(
        self, ns: str, metric: str, dims: dict[str, str], t: datetime, value: float, unit: str = "Count"
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 4),
            }
        )

    def dist(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        median: float,
        tail: float,
        n: int,
        unit: str = "Seconds",
    ) -> None:
        """A latency distribution of n samples: most near the median, a few in the tail."""
        if n <= 0:
            return
        vals = [round(median * 0.6, 4), round(median, 4), round(median * 1.8, 4), round(tail, 4)]
        big = max(1, n // 100)
        counts = [float(n // 4), float(n - n // 4 - n // 10 - big), float(n // 10), float(big)]
        counts = [c if c > 0 else 1.0 for c in counts]
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
                "values": vals,
                "counts": counts,
            }
        )

    # --- alarms ---------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        topic: str,
        state: str,
        state_reason: str,
        state_time: datetime,
        config_time: datetime,
        description: str = "",
        treat_missing: str = "notBreaching",
        unit: str | None = None,
    ) -> dict[str, Any]:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}",
            "AlarmConfigurationUpdatedTimestamp": iso(config_time),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": state_reason,
            "StateUpdatedTimestamp": iso(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
            "StateTransitionedTimestamp": iso(state_time),
        }
        if description:
            a["AlarmDescription"] = description
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, prev_t: datetime
    ) -> dict[str, Any]:
        return {
            "version": "0",
            "id": self.uid(),
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
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold.",
                    "timestamp": prev_t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
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
                                "stat": alarm["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- misc -----------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def bundle(self, manifest: dict[str, Any], now: datetime) -> Bundle:
        cut = iso(now)
        trail = sorted((r for r in self.trail if r["eventTime"] <= cut), key=lambda r: r["eventTime"])
        metrics = sorted(
            (m for m in self.metrics if m["timestamp"] <= cut),
            key=lambda m: (m["namespace"], m["metric"], json.dumps(m["dimensions"]), m["timestamp"]),
        )
        logs = sorted(
            (x for x in self.logs if x["timestamp"] <= ms(now)),
            key=lambda x: (x["log_group"], x["log_stream"]),
        )
        logs.sort(key=lambda x: x["timestamp"])
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": sorted(self.history, key=lambda h: h["Timestamp"]),
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(Manifest.model_validate(manifest), records)


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


def diurnal(t: datetime, base: float, peak_hour_utc: float, swing: float) -> float:
    """A smooth daily curve: base at the trough, base*(1+swing) at the peak hour."""
    import math

    h = t.hour + t.minute / 60
    return base * (1 + swing * (0.5 + 0.5 * math.cos((h - peak_hour_utc) / 24 * 2 * math.pi)))


def window_sum(kit: Kit, ns: str, metric: str, dims: dict[str, str], end: datetime, period: int) -> float:
    """The Sum of a metric's datapoints in [end - period, end), as CloudWatch would evaluate it."""
    lo, hi = iso(end - timedelta(seconds=period)), iso(end)
    total = 0.0
    for m in kit.metrics:
        if (
            m["namespace"] == ns
            and m["metric"] == metric
            and m["dimensions"] == dims
            and lo <= m["timestamp"] < hi
        ):
            total += float(m.get("value", 0.0))
    return round(total, 1)


def local(t: datetime, zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    return t.astimezone(ZoneInfo(zone))
