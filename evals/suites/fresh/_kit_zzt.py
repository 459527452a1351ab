"""Private helpers for kit zzt's incidents: ids, CloudTrail records, metric series, alarms, logs."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

HEX = "0123456789abcdef"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minutes(t0: datetime, t1: datetime, step: int = 60) -> list[datetime]:
    out = []
    t = t0
    while t <= t1:
        out.append(t)
        t += timedelta(seconds=step)
    return out


def ramp(t: datetime, a: datetime, b: datetime) -> float:
    """0 before a, 1 after b, linear between."""
    if t <= a:
        return 0.0
    if t >= b:
        return 1.0
    return (t - a).total_seconds() / (b - a).total_seconds()


def daily(t: datetime, peak_hour: float, width: float = 4.0) -> float:
    """A smooth daily curve in [0, 1] peaking at peak_hour (UTC)."""
    h = t.hour + t.minute / 60
    d = min(abs(h - peak_hour), 24 - abs(h - peak_hour))
    return math.exp(-((d / width) ** 2))


class Kit:
    def __init__(self, seed: int, region: str) -> None:
        self.r = random.Random(seed)
        self.region = region
        self.account = str(self.r.randint(100000000000, 999999999999))
        self.ct: list[dict[str, Any]] = []
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # ---- ids -----------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.r.choice(HEX) for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.r.choice(UPPER) for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def day(self, weekday: bool = True) -> datetime:
        base = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=self.r.randint(0, 300))
        while weekday and base.weekday() >= 5:
            base += timedelta(days=1)
        return base

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # ---- identities ----------------------------------------------------------------------------
    def sso(self, user: str, perm: str = "PlatformEngineer") -> dict[str, Any]:
        role = f"AWSReservedSSO_{perm}_{self.hex(16)}"
        rid = "AROA" + self.upper(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
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

    def role(self, role: str, session: str, invoked_by: str | None = None) -> dict[str, Any]:
        rid = "AROA" + self.upper(17)
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
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
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    # ---- records -------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        params: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        who = json.loads(json.dumps(who))
        ctx = who.get("sessionContext")
        if isinstance(ctx, dict):
            ctx["attributes"]["creationDate"] = iso(t - timedelta(minutes=self.r.randint(2, 50)))
        invoked = who.get("invokedBy")
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked
            or ip
            or f"{self.r.randint(3, 203)}.{self.r.randint(1, 254)}.{self.r.randint(1, 254)}.{self.r.randint(1, 254)}",
            "userAgent": invoked or agent,
            "requestParameters": params,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": self.uid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
            rec["responseElements"] = None
        if not invoked:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.ct.append(rec)
        return rec

    def tooling(
        self, t0: datetime, t1: datetime, calls: list[tuple[str, str, dict[str, Any] | None]], n: int
    ) -> None:
        """Read-only calls from dashboards and integrations, spread over the window."""
        who = [
            (
                self.role("grafana-cloudwatch-datasource", "grafana"),
                "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
            ),
            (
                self.role("DatadogIntegrationRole", "DatadogAWSIntegration"),
                "Datadog/1.0 aws-sdk-go/1.44.327 (go1.20.12; linux; amd64)",
            ),
            (
                self.role("oncall-readonly", "steampipe"),
                "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.5 md/GOOS#linux",
            ),
        ]
        span = (t1 - t0).total_seconds()
        times = sorted(t0 + timedelta(seconds=self.r.uniform(0, span)) for _ in range(n))
        for t in times:
            source, name, params = self.r.choice(calls)
            ident, agent = self.r.choice(who)
            self.trail(t, source, name, ident, params, None, read_only=True, agent=agent, ip="52.94.133.131")

    def metric(self, ns: str, name: str, dims: dict[str, str], unit: str, t: datetime, v: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(v, 4),
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        times: list[datetime],
        f: Callable[[datetime], float | None],
    ) -> None:
        for t in times:
            v = f(t)
            if v is not None:
                self.metric(ns, name, dims, unit, t, max(0.0, v))

    def noise(self, scale: float) -> float:
        return self.r.gauss(0, scale)

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    def rds_event(self, t: datetime, sid: str, stype: str, msg: str, cats: list[str], code: str) -> None:
        arn_kind = {"db-instance": "db", "db-cluster": "cluster", "db-proxy": "db-proxy"}.get(stype, "db")
        self.event(
            "rds",
            {
                "SourceIdentifier": sid,
                "SourceType": stype,
                "Message": msg,
                "EventCategories": cats,
                "Date": iso_ms(t),
                "SourceArn": self.arn("rds", f"{arn_kind}:{sid}"),
            },
        )
        _ = code

    # ---- alarms --------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        transitions: list[tuple[datetime, str, str]],
        created: datetime,
        *,
        description: str = "",
        unit: str | None = None,
        missing: str = "missing",
        topic: str = "ops-alerts",
        datapoints: int | None = None,
    ) -> dict[str, Any]:
        arn = self.arn("cloudwatch", f"alarm:{name}")
        prev = "INSUFFICIENT_DATA"
        last_t, last_state, last_reason = created, "INSUFFICIENT_DATA", "Unchecked: Initial alarm creation"
        for t, state, reason in transitions:
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {prev} to {state}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": prev},
                            "newState": {"stateValue": state, "stateReason": reason},
                        }
                    ),
                }
            )
            prev = state
            last_t, last_state, last_reason = t, state, reason
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
            "ActionsEnabled": True,
            "OKActions": [],
            "AlarmActions": [self.arn("sns", topic)],
            "InsufficientDataActions": [],
            "StateValue": last_state,
            "StateReason": last_reason,
            "StateUpdatedTimestamp": iso_ms(last_t),
            "StateTransitionedTimestamp": iso_ms(last_t),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, prev_t: datetime, prev_reason: str
    ) -> dict[str, Any]:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
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
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso_ms(t).replace("Z", "+0000")},
                "previousState": {
                    "value": "OK",
                    "reason": prev_reason,
                    "timestamp": iso_ms(prev_t).replace("Z", "+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hex(8) + "-" + self.hex(4),
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

    # ---- bundle --------------------------------------------------------------------------------
    def bundle(
        self,
        title: str,
        start: datetime,
        now: datetime,
        truth: dict[str, Any],
        question: str | None = None,
        timezone: str | None = None,
        alarm_event: dict[str, Any] | None = None,
    ) -> Bundle:
        def upto(
            rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], str | int]
        ) -> list[dict[str, Any]]:
            return sorted(rows, key=key)

        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": timezone},
                "truth": truth,
            }
        )
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": upto(self.history, lambda h: str(h["Timestamp"])),
            "logs": upto(
                self.logs, lambda e: (e["log_group"], e["log_stream"], int(e["timestamp"])).__str__()
            ),
            "cloudtrail": upto(self.ct, lambda c: str(c["eventTime"])),
            "resources": self.resources,
            "events": self.events,
        }
        return Bundle(manifest, {k: v for k, v in records.items() if v})
