"""Private helpers for kit zze's incidents (standard library + evals.bundle only)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

MIN = timedelta(minutes=1)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """Timestamp form CloudWatch uses inside alarm reason data / alarm events."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor(t: datetime, minutes: int) -> datetime:
    t = t.replace(second=0, microsecond=0)
    return t - timedelta(minutes=t.minute % minutes)


class Ctx:
    def __init__(self, seed: int, salt: str, region: str) -> None:
        self.rng = random.Random(f"zze:{salt}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(2, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
        self.metrics: list[dict] = []
        self.alarms: list[dict] = []
        self.history: list[dict] = []
        self.logs: list[dict] = []
        self.trail: list[dict] = []
        self.resources: list[dict] = []
        self.events: list[dict] = []

    # ids -------------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:32]}"

    def akid(self, prefix: str = "ASIA") -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def day(self, lo: datetime, hi: datetime) -> datetime:
        span = int((hi - lo).total_seconds())
        return lo + timedelta(seconds=self.rng.randint(0, span))

    # CloudTrail -------------------------------------------------------------------------------------
    def sso(self, user: str, perm: str = "AWSReservedSSO_PlatformEngineer_3f2a9c1d7b6e5a40") -> dict:
        rid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{perm}/{user}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{perm}",
                    "accountId": self.account,
                    "userName": perm,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str) -> dict:
        rid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
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

    def asg_slr(self) -> dict:
        return {
            **self.role(
                "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", "AutoScaling"
            ),
            "invokedBy": "autoscaling.amazonaws.com",
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict,
        req: dict | None = None,
        resp: dict | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.9",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        version: str = "1.09",
        event_type: str = "AwsApiCall",
        resources: list | None = None,
    ) -> dict:
        ident = json.loads(json.dumps(who))
        sc = ident.get("sessionContext")
        if sc is not None:
            sc["attributes"]["creationDate"] = iso(t - timedelta(minutes=self.rng.randint(3, 50)))
        if ident.get("invokedBy"):
            ip = ident["invokedBy"]
            agent = ident["invokedBy"]
        rec = {
            "eventVersion": version,
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"{self.rng.choice(['81.2', '86.14', '92.40', '3.250'])}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uuid(),
            "eventID": self.uuid(),
            "readOnly": read_only,
            "eventType": event_type,
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if resources:
            rec["resources"] = resources
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if (
            source.endswith("amazonaws.com")
            and not ident.get("invokedBy")
            and ident.get("type") == "AssumedRole"
        ):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def ec2_role_creds(self, t: datetime, role_arn: str, instance_id: str) -> dict:
        """The AssumeRole EC2 makes to hand an instance profile's credentials to an instance."""
        return self.ct(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
            {"roleArn": role_arn, "roleSessionName": instance_id},
            {
                "credentials": {
                    "accessKeyId": self.akid(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + self.hex(12) + "...",
                    "expiration": (t + timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                },
            },
            read_only=True,
            resources=[{"accountId": self.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
        )

    def tooling_reads(
        self,
        lo: datetime,
        hi: datetime,
        calls: list[tuple[str, str, dict | None]],
        n: int,
        role: str,
        session: str,
        agent: str,
    ) -> None:
        who = self.role(role, session)
        if role == "AWSServiceRoleForConfig":
            who = self.role("aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", session)
        for _ in range(n):
            src, name, req = self.rng.choice(calls)
            self.ct(
                self.day(lo, hi),
                src,
                name,
                who,
                req,
                None,
                read_only=True,
                agent=agent,
                ip=agent
                if agent.endswith(".amazonaws.com")
                else f"{self.rng.choice(['3.', '18.', '52.'])}{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
            )

    # metrics ---------------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        metric: str,
        dims: dict,
        lo: datetime,
        hi: datetime,
        period_min: int,
        fn,
        unit: str = "None",
        stat: bool = False,
        samples: int = 1,
    ) -> None:
        """fn(t) -> value or None (publishes nothing). stat=True writes a statistic set of `samples`."""
        t = floor(lo, period_min)
        while t < hi:
            v = fn(t)
            if v is not None:
                if stat:
                    if isinstance(v, tuple):
                        avg, mn, mx = v
                    else:
                        avg, mn, mx = v, v, v
                    rec: dict[str, Any] = {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "statistic_values": {
                            "SampleCount": float(samples),
                            "Sum": round(avg * samples, 4),
                            "Minimum": round(mn, 4),
                            "Maximum": round(mx, 4),
                        },
                    }
                else:
                    rec = {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(float(v), 4),
                    }
                self.metrics.append(rec)
            t += timedelta(minutes=period_min)

    # logs ------------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # alarms ----------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        desc: str,
        ns: str,
        metric: str,
        dims: dict,
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        state: str,
        state_time: datetime,
        reason: str,
        *,
        dta: int | None = None,
        missing: str = "missing",
        actions: list | None = None,
        unit: str | None = None,
        configured: datetime | None = None,
    ) -> dict:
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        a = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(configured or state_time - timedelta(days=97)),
            "ActionsEnabled": True,
            "OKActions": list(actions or []),
            "AlarmActions": list(actions or []),
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(state_time),
            "StateTransitionedTimestamp": iso_ms(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta or evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(
        self,
        alarm: dict,
        t: datetime,
        old: str,
        new: str,
        reason: str,
        old_reason: str,
        reason_data: dict | None = None,
    ) -> None:
        new_state: dict[str, Any] = {"stateValue": new, "stateReason": reason}
        if reason_data is not None:
            new_state["stateReasonData"] = reason_data
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old, "stateReason": old_reason},
                        "newState": new_state,
                    },
                    separators=(",", ":"),
                ),
            }
        )
        if alarm.get("AlarmActions") and new in ("ALARM", "OK"):
            self.history.append(
                {
                    "AlarmName": alarm["AlarmName"],
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(t + timedelta(milliseconds=self.rng.randint(40, 400))),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {alarm['AlarmActions'][0]}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": ms(t),
                            "notificationResource": alarm["AlarmActions"][0],
                            "publishedMessage": {"default": "Alarm " + alarm["AlarmName"]},
                        },
                        separators=(",", ":"),
                    ),
                }
            )

    def reason_data(self, alarm: dict, t: datetime, points: list[tuple[datetime, float]]) -> dict:
        return {
            "version": "1.0",
            "queryDate": cw_ts(t),
            "startDate": cw_ts(points[0][0]),
            "statistic": alarm["Statistic"],
            "period": alarm["Period"],
            "recentDatapoints": [round(v, 3) for _, v in points],
            "threshold": alarm["Threshold"],
            "evaluatedDatapoints": [
                {"timestamp": cw_ts(p), "sampleCount": 1.0, "value": round(v, 3)} for p, v in reversed(points)
            ],
        }

    def alarm_event(
        self,
        alarm: dict,
        t: datetime,
        reason: str,
        rdata: dict,
        prev_state: str,
        prev_reason: str,
        prev_time: datetime,
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
                    "reasonData": json.dumps(rdata, separators=(",", ":")),
                    "timestamp": cw_ts(t),
                },
                "previousState": {"value": prev_state, "reason": prev_reason, "timestamp": cw_ts(prev_time)},
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.uuid(),
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

    # resources -------------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict) -> dict:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: dict) -> None:
        self.events.append({"source": source, "item": item})

    # bundle ----------------------------------------------------------------------------------------
    def bundle(
        self,
        *,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        question: str | None,
        timezone: str | None,
        alarm_event: dict | None,
        truth: dict,
    ) -> Bundle:
        cut = ms(now)
        trail = sorted((r for r in self.trail if r["eventTime"] <= iso(now)), key=lambda r: r["eventTime"])
        logs = sorted((r for r in self.logs), key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        events = [e for e in self.events if _event_time(e) <= now]
        hist = sorted(self.history, key=lambda h: h["Timestamp"])
        metrics = sorted(
            self.metrics,
            key=lambda m: (
                m["namespace"],
                m["metric"],
                json.dumps(m["dimensions"], sort_keys=True),
                m["timestamp"],
            ),
        )
        trigger = {"question": question, "alarm_event": alarm_event}
        if timezone:
            trigger["timezone"] = timezone
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
        del cut
        return Bundle(
            manifest,
            {
                "metrics": metrics,
                "alarms": self.alarms,
                "alarm_history": hist,
                "logs": logs,
                "cloudtrail": trail,
                "resources": self.resources,
                "events": events,
            },
        )


def _event_time(e: dict) -> datetime:
    item = e["item"]
    for key in ("StartTime", "Date", "timestamp"):
        if key in item:
            return datetime.fromisoformat(str(item[key]).replace("Z", "+00:00"))
    if "event" in item:
        ev = item["event"]
        return datetime.fromisoformat(
            str(ev.get("lastUpdatedTime") or ev.get("startTime")).replace("Z", "+00:00")
        )
    return datetime.min.replace(tzinfo=UTC)
