"""Private helpers for kit `zzz` incidents: CloudTrail records, metrics, alarms, Lambda log lines."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

UTC = UTC


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Kit:
    """Collects the records of one incident, all derived from one seeded RNG."""

    def __init__(self, seed: int, region: str, name: str = "") -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(100000000000, 999999999999))
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self._role_ids: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._sessions: dict[str, datetime] = {}

    # --- ids -----------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def upper_id(self, prefix: str, n: int = 17) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def day(self, year: int = 2026) -> datetime:
        base = datetime(year, 1, 5, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 300))
        return base

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    # --- identities --------------------------------------------------------------------------
    def role_id(self, role: str) -> str:
        if role not in self._role_ids:
            self._role_ids[role] = self.upper_id("AROA", 17)
        return self._role_ids[role]

    def role_identity(self, role: str, session: str, key_prefix: str = "ASIA") -> dict[str, Any]:
        rid = self.role_id(role)
        key = f"{role}/{session}"
        if key not in self._keys:
            self._keys[key] = self.upper_id(key_prefix, 16)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self._keys[key],
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def service_identity(self, service: str) -> dict[str, Any]:
        return {"type": "AWSService", "invokedBy": service}

    # --- records -----------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        params: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        ip: str = "",
        agent: str = "",
        region: str | None = None,
        event_type: str = "AwsApiCall",
    ) -> str:
        ident = json.loads(json.dumps(ident))
        ctx = ident.get("sessionContext")
        if ctx is not None:
            key = ident["arn"]
            if (
                key not in self._sessions
                or self._sessions[key] > t
                or t - self._sessions[key] > timedelta(hours=1)
            ):
                self._sessions[key] = t - timedelta(minutes=self.rng.randint(2, 50))
            ctx["attributes"]["creationDate"] = iso(self._sessions[key])
        eid = self.uid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if ident.get("type") != "AWSService" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip or ident.get("invokedBy") or "10.0.1.10",
            "userAgent": agent or ident.get("invokedBy") or "Boto3/1.34.69 md/Botocore#1.34.69",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = self.uid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        rec["eventType"] = event_type
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if ident.get("type") != "AWSService" and "invokedBy" not in ident:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": "iam.amazonaws.com"
                if source == "iam.amazonaws.com"
                else f"{source.split('.')[0]}.{rec['awsRegion']}.amazonaws.com",
            }
        self.trail.append(rec)
        return eid

    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def stat(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        samples: list[float],
        unit: str,
    ) -> None:
        if not samples:
            return
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [round(v, 2) for v in samples],
            }
        )

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_invocation(
        self,
        group: str,
        stream: str,
        t: datetime,
        duration_ms: float,
        memory: int,
        used: int,
        lines: list[str],
        init_ms: float | None = None,
        timeout: bool = False,
    ) -> None:
        rid = self.uid()
        self.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        for i, line in enumerate(lines):
            self.log(group, stream, t + timedelta(milliseconds=5 + i), line.replace("{rid}", rid))
        end = t + timedelta(milliseconds=duration_ms)
        if timeout:
            self.log(
                group,
                stream,
                end,
                f"{iso(end)[:-1]}.{end.microsecond // 1000:03d}Z {rid} Task timed out after "
                f"{duration_ms / 1000:.2f} seconds\n\n",
            )
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = int(duration_ms) + 1
        report = (
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        if timeout:
            report += "Status: timeout"
        self.log(group, stream, end, report + "\n")

    # --- alarms ------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str = "Sum",
        period: int = 60,
        evals: int = 1,
        to_alarm: int | None = None,
        threshold: float,
        op: str = "GreaterThanThreshold",
        state: str = "OK",
        state_time: datetime,
        reason: str = "",
        description: str = "",
        topic: str = "",
        missing: str = "missing",
        configured: datetime,
        extended: str | None = None,
    ) -> dict[str, Any]:
        arn = self.arn("cloudwatch", f"alarm:{name}")
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(configured),
            "ActionsEnabled": True,
            "OKActions": [topic] if topic else [],
            "AlarmActions": [topic] if topic else [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason
            or f"Threshold Crossed: {evals} datapoint was not greater than the threshold ({threshold}).",
            "StateUpdatedTimestamp": iso(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso(state_time),
        }
        if extended:
            item["ExtendedStatistic"] = extended
        else:
            item["Statistic"] = stat
        self.alarms.append(item)
        return item

    def transition(self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": f"Threshold Crossed: returned to {old}."},
            "newState": {
                "stateValue": new,
                "stateReason": reason,
                "stateReasonData": {
                    "version": "1.0",
                    "queryDate": iso(t)[:-1] + ".123+0000",
                    "statistic": alarm.get("Statistic", alarm.get("ExtendedStatistic")),
                    "period": alarm["Period"],
                    "threshold": alarm["Threshold"],
                    "evaluatedDatapoints": [],
                },
            },
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, prev_time: datetime
    ) -> dict[str, Any]:
        metric: dict[str, Any] = {
            "namespace": alarm["Namespace"],
            "name": alarm["MetricName"],
            "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
        }
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
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso(t)[:-1] + ".412+0000"},
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: datapoints were not greater than the threshold.",
                    "timestamp": iso(prev_time)[:-1] + ".207+0000",
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": metric,
                                "period": alarm["Period"],
                                "stat": alarm.get("Statistic", alarm.get("ExtendedStatistic")),
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- noise -------------------------------------------------------------------------------
    def readonly_noise(self, start: datetime, end: datetime, n: int, calls: list[tuple[str, str]]) -> None:
        """Read-only calls from monitoring and CI tooling, spread over the window."""
        idents = [
            (self.role_identity("DatadogIntegrationRole", "DatadogAWSIntegration"), "34.224.1.10", "Datadog"),
            (
                self.role_identity("AWSReservedSSO_ReadOnly_3c1f9a", "priya.raman@corp.example"),
                "203.0.113.44",
                "aws-internal/3 aws-sdk-java/1.12.652",
            ),
            (
                self.role_identity("terraform-plan", "gha-plan"),
                "52.23.11.80",
                "APN/1.0 HashiCorp/1.0 Terraform/1.7.5",
            ),
        ]
        span = (end - start).total_seconds()
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            src, name = self.rng.choice(calls)
            ident, ip, agent = self.rng.choice(idents)
            self.ct(t, src, name, ident, None, None, read_only=True, ip=ip, agent=agent)

    def bundle(
        self,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        trigger: dict[str, Any],
        truth: dict[str, Any],
    ) -> Bundle:
        self.trail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda r: r["Timestamp"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(end),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.trail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)
