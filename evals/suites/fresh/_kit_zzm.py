"""Private helpers for kit `zzm` incidents: a small public serverless account (API Gateway, Lambda,
DynamoDB, Cognito, CloudFront) with its everyday noise, in the shapes AWS uses."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def local_clock(t: datetime, zone: str) -> str:
    """A clock time as a person in `zone` would say it ("10:40")."""
    return t.astimezone(ZoneInfo(zone)).strftime("%-I:%M")


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Ctx:
    """One incident's account, window and records."""

    def __init__(
        self, seed: int, salt: str, *, region: str = "us-east-1", onset_hour: tuple[int, int] = (9, 17)
    ) -> None:
        self.r = random.Random(f"{salt}:{seed}")
        r = self.r
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12))
        if self.account[0] == "0":
            self.account = "4" + self.account[1:]
        self.region = region
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        hour = r.randint(*onset_hour)
        self.onset = day.replace(hour=hour, minute=r.randint(2, 55), second=r.randint(0, 59))
        self.start = floor_min(self.onset - timedelta(hours=3, minutes=r.randint(10, 25)))
        self.now = floor_min(self.onset + timedelta(minutes=r.randint(38, 52)))
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.cloudtrail: list[Rec] = []
        self.resources: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.events: list[Rec] = []

    # --- ids ----------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def hexs(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, chars: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.r.choice(chars) for _ in range(n))

    def lower_id(self, n: int) -> str:
        return "".join(self.r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def minutes(
        self, start: datetime | None = None, end: datetime | None = None, step: int = 60
    ) -> list[datetime]:
        t = floor_min(start or self.start)
        stop = end or self.now
        out = []
        while t <= stop:
            out.append(t)
            t += timedelta(seconds=step)
        return out

    # --- identities ---------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, *, console: bool = False) -> Rec:
        rid = "AROA" + self.alnum(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.alnum(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(self.start + timedelta(minutes=self.r.randint(0, 30))),
                    "mfaAuthenticated": "true" if console else "false",
                },
            },
        }

    # --- CloudTrail ---------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        params: Rec | None = None,
        response: Rec | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        region: str | None = None,
        error: tuple[str, str] | None = None,
        console: bool = False,
    ) -> Rec:
        rec: Rec = {
            "eventVersion": "1.09" if not console else "1.10",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or f"{self.r.choice([34, 52, 54, 18])}.{self.r.randint(1, 254)}."
            f"{self.r.randint(1, 254)}.{self.r.randint(1, 254)}",
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uid(),
            "eventID": self.uid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            },
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if console:
            rec["sessionCredentialFromConsole"] = "true"
        self.cloudtrail.append(rec)
        return rec

    def tooling_noise(self, n: int, calls: list[tuple[str, str, Rec | None]], ident: Rec, agent: str) -> None:
        """Read-only calls from monitoring or CI tooling spread over the window."""
        span = int((self.now - self.start).total_seconds())
        for _ in range(n):
            src, name, params = self.r.choice(calls)
            t = self.start + timedelta(seconds=self.r.randint(0, span))
            self.trail(t, src, name, ident, params, None, read_only=True, agent=agent)

    # --- metrics ------------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        *,
        step: int = 60,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        for t in self.minutes(start, end, step):
            v = fn(t)
            if v is None:
                continue
            self.metrics.append(
                {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": v,
                }
            )

    def stats(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], tuple[float, float, float, float] | None],
        *,
        step: int = 60,
    ) -> None:
        """fn(t) -> (SampleCount, Sum, Minimum, Maximum) or None (nothing published)."""
        for t in self.minutes(step=step):
            v = fn(t)
            if v is None:
                continue
            n, s, lo, hi = v
            self.metrics.append(
                {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "statistic_values": {
                        "SampleCount": float(n),
                        "Sum": round(s, 2),
                        "Minimum": round(lo, 2),
                        "Maximum": round(hi, 2),
                    },
                }
            )

    def dist(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], list[tuple[float, float]] | None],
    ) -> None:
        """fn(t) -> [(value, count), ...] (a latency distribution) or None."""
        for t in self.minutes():
            pairs = fn(t)
            if not pairs:
                continue
            self.metrics.append(
                {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "values": [round(v, 2) for v, _ in pairs],
                    "counts": [float(c) for _, c in pairs],
                }
            )

    def diurnal(self, t: datetime, base: float, swing: float = 0.25) -> float:
        """Traffic with a daily shape (peak mid-afternoon UTC-ish) and noise."""
        h = t.hour + t.minute / 60
        shape = 1 + swing * math.sin((h - 9) / 24 * 2 * math.pi)
        return max(0.0, base * shape * self.r.uniform(0.9, 1.1))

    # --- alarms -------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        description: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str = "Sum",
        period: int = 60,
        evals: int = 3,
        to_alarm: int | None = None,
        threshold: float,
        op: str = "GreaterThanOrEqualToThreshold",
        missing: str = "notBreaching",
        topic: str,
        transitions: list[tuple[datetime, str, str, str]] | None = None,
        unit: str | None = None,
        ext_stat: str | None = None,
    ) -> Rec:
        """transitions: [(time, old, new, reason)], in order; the last gives the state at `now`."""
        arn = self.arn("cloudwatch", f"alarm:{name}")
        created = self.start - timedelta(days=self.r.randint(40, 400))
        state, reason, since = "OK", "Threshold Crossed: no datapoints were received for 3 periods.", created
        transitions = transitions or []
        for t, old, new, why in transitions:
            data = {
                "version": "1.0",
                "oldState": {"stateValue": old, "stateReason": reason},
                "newState": {"stateValue": new, "stateReason": why},
            }
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(t).replace("+0000", "Z"),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(data, separators=(",", ":")),
                }
            )
            state, reason, since = new, why, t
        if not transitions:
            reason = (
                f"Threshold Crossed: {evals} datapoints were not "
                f"{'greater than or equal to' if 'Greater' in op else 'less than'} the threshold ({threshold})."
            )
            since = created + timedelta(hours=2)
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(created),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm or evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if ext_stat:
            item["ExtendedStatistic"] = ext_stat
        else:
            item["Statistic"] = stat
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    def _agg(self, ns: str, metric: str, dims: dict[str, str], period: int, stat: str) -> dict[int, float]:
        buckets: dict[int, list[Rec]] = {}
        for m in self.metrics:
            if m["namespace"] != ns or m["metric"] != metric or m["dimensions"] != dims:
                continue
            t = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
            buckets.setdefault(int(t.timestamp()) // period * period, []).append(m)
        out: dict[int, float] = {}
        for key, lst in buckets.items():
            flat: list[tuple[float, float]] = []
            for m in lst:
                if "value" in m:
                    flat.append((m["value"], 1.0))
                elif "values" in m:
                    flat.extend(zip(m["values"], m.get("counts") or [1.0] * len(m["values"]), strict=True))
                else:
                    sv = m["statistic_values"]
                    flat.append((sv["Sum"] / sv["SampleCount"], sv["SampleCount"]))
            total = sum(c for _, c in flat)
            if stat == "Sum":
                out[key] = sum(v * c for v, c in flat)
                if "statistic_values" in lst[0]:
                    out[key] = sum(m["statistic_values"]["Sum"] for m in lst)
            elif stat == "Average":
                out[key] = sum(v * c for v, c in flat) / total
            elif stat == "Maximum":
                out[key] = max(v for v, _ in flat)
            else:  # pNN
                q = float(stat[1:]) / 100
                acc = 0.0
                for v, c in sorted(flat):
                    acc += c
                    if acc >= q * total:
                        out[key] = v
                        break
        return out

    def auto_alarm(
        self,
        name: str,
        description: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str = "Sum",
        period: int = 60,
        evals: int = 3,
        to_alarm: int | None = None,
        threshold: float,
        op: str = "GreaterThanOrEqualToThreshold",
        missing: str = "notBreaching",
        actions: list[str],
    ) -> tuple[Rec, list[tuple[datetime, str, str, str]]]:
        """An alarm whose state and history follow the bundle's own datapoints."""
        m_need = to_alarm or evals
        series = self._agg(ns, metric, dims, period, stat)
        words = {
            "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v: v >= threshold),
            "GreaterThanThreshold": ("greater than", lambda v: v > threshold),
            "LessThanThreshold": ("less than", lambda v: v < threshold),
            "LessThanOrEqualToThreshold": ("less than or equal to", lambda v: v <= threshold),
        }
        word, test = words[op]
        t0 = int(floor_min(self.start).timestamp()) // period * period
        state = "OK"
        window: list[tuple[int, float | None]] = []
        trans: list[tuple[datetime, str, str, str]] = []
        k = t0
        while k + period <= int(self.now.timestamp()):
            window.append((k, series.get(k)))
            window = window[-evals:]
            k += period
            if len(window) < evals:
                continue

            def breaching(v: float | None) -> bool:
                if v is None:
                    return missing == "breaching"
                return bool(test(v))

            nb = sum(1 for _, v in window if breaching(v))
            new = "ALARM" if nb >= m_need else "OK"
            if new == state:
                continue
            shown = [(kk, v) for kk, v in reversed(window) if v is not None]
            pts = ", ".join(
                f"{v:.1f} ({datetime.fromtimestamp(kk, UTC):%d/%m/%y %H:%M:%S})" for kk, v in shown
            )
            if new == "ALARM":
                why = (
                    f"Threshold Crossed: {nb} out of the last {evals} datapoints [{pts}] "
                    f"{'was' if nb == 1 else 'were'} {word} the threshold ({float(threshold)}) "
                    f"(minimum {m_need} datapoint{'s' if m_need > 1 else ''} for OK -> ALARM transition)."
                )
            else:
                ok = evals - nb
                why = (
                    f"Threshold Crossed: {ok} out of the last {evals} datapoints [{pts}] "
                    f"{'was' if ok == 1 else 'were'} not {word} the threshold ({float(threshold)}) "
                    f"(minimum {evals - m_need + 1} datapoint{'s' if evals - m_need + 1 > 1 else ''} "
                    f"for ALARM -> OK transition)."
                )
            at = datetime.fromtimestamp(k, UTC) + timedelta(
                seconds=self.r.randint(20, 75), milliseconds=self.r.randint(0, 999)
            )
            if at > self.now:
                break
            trans.append((at, state, new, why))
            state = new
        item = self.alarm(
            name,
            description,
            ns,
            metric,
            dims,
            stat=stat if not stat.startswith("p") else "Sum",
            period=period,
            evals=evals,
            to_alarm=to_alarm,
            threshold=threshold,
            op=op,
            missing=missing,
            topic=actions[0] if actions else "",
            transitions=trans,
            ext_stat=stat if stat.startswith("p") else None,
        )
        if not actions:
            item["OKActions"], item["AlarmActions"] = [], []
        else:
            item["AlarmActions"] = actions
            item["OKActions"] = actions if not actions[0].startswith("arn:aws:autoscaling") else []
        return item, trans

    def event_for(self, alarm: Rec, trans: list[tuple[datetime, str, str, str]]) -> Rec:
        """The EventBridge event of the alarm's last OK -> ALARM transition."""
        t, why = self.fired(trans)
        prev = [tt for tt, _, new, _ in trans if tt < t]
        stat = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
        series = self._agg(
            alarm["Namespace"],
            alarm["MetricName"],
            {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
            alarm["Period"],
            str(stat),
        )
        end = int(t.timestamp()) // alarm["Period"] * alarm["Period"]
        recent = [round(series[kk], 1) for kk in sorted(series) if kk < end][-alarm["EvaluationPeriods"] :]
        data = {
            "version": "1.0",
            "queryDate": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000",
            "startDate": datetime.fromtimestamp(
                end - alarm["Period"] * alarm["EvaluationPeriods"], UTC
            ).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": stat,
            "period": alarm["Period"],
            "recentDatapoints": recent,
            "threshold": alarm["Threshold"],
            "evaluatedDatapoints": [],
        }
        return self.alarm_event(alarm, t, why, data, prev[-1] if prev else self.start)

    def fired(self, trans: list[tuple[datetime, str, str, str]]) -> tuple[datetime, str]:
        """The last OK -> ALARM transition: (time, reason)."""
        last = [(t, why) for t, _, new, why in trans if new == "ALARM"]
        return last[-1]

    def alarm_event(self, alarm: Rec, t: datetime, reason: str, reason_data: Rec, prev_t: datetime) -> Rec:
        metric: Rec = {
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
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data),
                    "timestamp": iso_ms(t),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints breaching",
                    "timestamp": iso_ms(prev_t),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": metric,
                                "period": alarm["Period"],
                                "stat": alarm.get("Statistic") or alarm.get("ExtendedStatistic"),
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- resources ----------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> Rec:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def log_group(self, name: str, retention: int | None = 30) -> None:
        item: Rec = {
            "logGroupName": name,
            "creationTime": ms(self.start - timedelta(days=self.r.randint(60, 700))),
            "metricFilterCount": 0,
            "arn": self.arn("logs", f"log-group:{name}:*"),
            "storedBytes": self.r.randint(10**6, 10**10),
            "logGroupClass": "STANDARD",
            "logGroupArn": self.arn("logs", f"log-group:{name}"),
        }
        if retention:
            item["retentionInDays"] = retention
        self.res("logs", "LogGroup", item)

    def role(self, name: str, service: str) -> Rec:
        doc = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        return self.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": "AROA" + self.alnum(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                "Arn": f"arn:aws:iam::{self.account}:role/{name}",
                "CreateDate": iso(self.start - timedelta(days=self.r.randint(100, 900))),
                "AssumeRolePolicyDocument": json.dumps(doc),
                "MaxSessionDuration": 3600,
            },
        )

    def function(
        self,
        name: str,
        role: str,
        *,
        runtime: str = "python3.12",
        handler: str = "app.handler",
        memory: int = 512,
        timeout: int = 10,
        modified: datetime | None = None,
        env: dict[str, str] | None = None,
        code_size: int | None = None,
        runtime_arn: str | None = None,
        layers: list[str] | None = None,
    ) -> Rec:
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{role}",
            "Handler": handler,
            "CodeSize": code_size or self.r.randint(200_000, 9_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": (modified or self.start - timedelta(days=self.r.randint(3, 60)))
            .astimezone(UTC)
            .strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.alnum(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.uid(),
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
        if runtime_arn:
            item["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtime_arn}
        if layers:
            item["Layers"] = [{"Arn": a, "CodeSize": self.r.randint(10**5, 10**7)} for a in layers]
        return self.res("lambda", "FunctionConfiguration", item)

    def rest_api(self, name: str, stage: str, access_group: str, access_format: str) -> tuple[str, Rec]:
        api_id = self.lower_id(10)
        self.res(
            "apigateway",
            "RestApi",
            {
                "id": api_id,
                "name": name,
                "createdDate": iso(self.start - timedelta(days=self.r.randint(200, 900))),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
            },
        )
        st = self.res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": api_id,
                "deploymentId": self.lower_id(6),
                "stageName": stage,
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": False,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 2000,
                        "throttlingRateLimit": 1000.0,
                        "cachingEnabled": False,
                        "cacheTtlInSeconds": 300,
                        "cacheDataEncrypted": False,
                        "requireAuthorizationForCacheControl": True,
                        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                    }
                },
                "accessLogSettings": {
                    "format": access_format,
                    "destinationArn": self.arn("logs", f"log-group:{access_group}"),
                },
                "tracingEnabled": False,
                "createdDate": iso(self.start - timedelta(days=self.r.randint(200, 900))),
                "lastUpdatedDate": iso(self.start - timedelta(days=self.r.randint(1, 20))),
            },
        )
        return api_id, st

    def table(
        self,
        name: str,
        keys: list[tuple[str, str, str]],
        *,
        on_demand: bool = True,
        rcu: int = 0,
        wcu: int = 0,
        items: int = 0,
        gsis: list[Rec] | None = None,
        stream: bool = False,
    ) -> Rec:
        created = self.start - timedelta(days=self.r.randint(200, 900))
        item: Rec = {
            "AttributeDefinitions": [{"AttributeName": k, "AttributeType": t} for k, t, _ in keys],
            "TableName": name,
            "KeySchema": [{"AttributeName": k, "KeyType": kt} for k, _, kt in keys if kt],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0 if on_demand else rcu,
                "WriteCapacityUnits": 0 if on_demand else wcu,
            },
            "TableSizeBytes": items * self.r.randint(300, 900),
            "ItemCount": items,
            "TableArn": self.arn("dynamodb", f"table/{name}"),
            "TableId": self.uid(),
            "DeletionProtectionEnabled": True,
        }
        if on_demand:
            item["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            }
        if gsis:
            item["GlobalSecondaryIndexes"] = gsis
        if stream:
            label = iso_ms(created).replace("+0000", "")
            item["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            item["LatestStreamLabel"] = label
            item["LatestStreamArn"] = self.arn("dynamodb", f"table/{name}/stream/{label}")
        return self.res("dynamodb", "TableDescription", item)

    def topic(self, name: str) -> str:
        arn = self.arn("sns", name)
        self.res(
            "sns",
            "Topic",
            {
                "TopicArn": arn,
                "Attributes": {
                    "TopicArn": arn,
                    "DisplayName": "",
                    "Owner": self.account,
                    "SubscriptionsConfirmed": "2",
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                },
            },
        )
        return arn

    def user_pool(self, name: str) -> str:
        pool_id = f"{self.region}_" + self.alnum(
            9, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        )
        self.res(
            "cognito-idp",
            "UserPoolType",
            {
                "Id": pool_id,
                "Name": name,
                "Status": "Enabled",
                "LastModifiedDate": iso(self.start - timedelta(days=self.r.randint(10, 200))),
                "CreationDate": iso(self.start - timedelta(days=self.r.randint(300, 900))),
                "MfaConfiguration": "OPTIONAL",
                "EstimatedNumberOfUsers": self.r.randint(40_000, 900_000),
                "Arn": self.arn("cognito-idp", f"userpool/{pool_id}"),
                "UserPoolTier": "ESSENTIALS",
            },
        )
        return pool_id

    # --- Lambda logs --------------------------------------------------------------------------------
    def stream_name(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hexs(32)}"

    def lambda_invocation(
        self,
        fn: str,
        stream: str,
        t: datetime,
        duration: float,
        memory: int,
        used: int,
        *,
        body: list[str] | None = None,
        init: float | None = None,
        runtime_line: str | None = None,
        timeout_s: float | None = None,
        status_error: str | None = None,
    ) -> None:
        group = f"/aws/lambda/{fn}"
        rid = self.uid()
        ts = ms(t)
        if runtime_line:
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": ts - int(init or 300),
                    "message": runtime_line,
                }
            )
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ts,
                "message": f"START RequestId: {rid} Version: $LATEST\n",
            }
        )
        for i, line in enumerate(body or []):
            stamp = t + timedelta(milliseconds=min(duration, 5 + i * duration / max(1, len(body or []))))
            msg = line.replace("{rid}", rid).replace("{ts}", iso_ms(stamp).replace("+0000", "Z"))
            self.logs.append(
                {"log_group": group, "log_stream": stream, "timestamp": ms(stamp), "message": msg}
            )
        end = ts + int(duration)
        if timeout_s is not None:
            self.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": end,
                    "message": f"{iso_ms(t + timedelta(milliseconds=duration)).replace('+0000', 'Z')} {rid} "
                    f"Task timed out after {timeout_s:.2f} seconds\n",
                }
            )
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": end, "message": f"END RequestId: {rid}\n"}
        )
        rep = (
            f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {math.ceil(duration)} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init is not None:
            rep += f"Init Duration: {init:.2f} ms\t"
        if status_error:
            rep += f"Status: error\tError Type: {status_error}"
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": end + 1, "message": rep + "\n"}
        )

    def access_log(
        self,
        group: str,
        api_id: str,
        stage: str,
        t: datetime,
        method: str,
        path: str,
        status: int,
        latency: int,
        integ: int | str,
        length: int,
        error: str = "-",
    ) -> None:
        line = {
            "requestId": self.uid(),
            "ip": f"{self.r.randint(24, 203)}.{self.r.randint(1, 254)}.{self.r.randint(1, 254)}.{self.r.randint(1, 254)}",
            "requestTime": t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "httpMethod": method,
            "resourcePath": path,
            "status": str(status),
            "protocol": "HTTP/1.1",
            "responseLength": str(length),
            "responseLatency": str(latency),
            "integrationLatency": str(integ),
            "errorMessage": error,
        }
        stream = f"{api_id}_{stage}"
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(t),
                "message": json.dumps(line, separators=(",", ":")),
            }
        )

    # --- building -----------------------------------------------------------------------------------
    def bundle(
        self,
        title: str,
        question: str | None,
        timezone: str | None,
        truth: Rec,
        alarm_event: Rec | None = None,
    ) -> Bundle:
        self.cloudtrail.sort(key=lambda c: c["eventTime"])
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        self.history.sort(key=lambda h: h["Timestamp"])
        cut = iso(self.now)
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.now),
                "now": iso(self.now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": timezone},
                "truth": truth,
            }
        )
        return Bundle(
            manifest,
            {
                "metrics": [m for m in self.metrics if m["timestamp"] <= cut],
                "logs": [e for e in self.logs if e["timestamp"] <= ms(self.now)],
                "cloudtrail": [c for c in self.cloudtrail if c["eventTime"] <= cut],
                "resources": self.resources,
                "alarms": self.alarms,
                "alarm_history": [h for h in self.history if h["Timestamp"][:19] <= cut[:19]],
                "events": self.events,
            },
        )


# --- traffic emitters ---------------------------------------------------------------------------------
Row = dict[str, float]


def _spread(ctx: Ctx, avg: float, n: float, tail: float = 2.5) -> list[tuple[float, float]]:
    """A small latency distribution around `avg` holding `n` samples."""
    if n <= 0:
        return []
    if n <= 3:
        return [(avg, float(n))]
    fr = [(0.45, 0.5), (0.8, 0.25), (1.3, 0.15), (2.0, 0.07), (tail * 1.6, 0.03)]
    out = []
    for mult, share in fr:
        c = float(max(1, round(n * share)))
        out.append((avg * mult * ctx.r.uniform(0.92, 1.08), c))
    return out


def emit_api(ctx: Ctx, api: str, stage: str, rows: dict[datetime, Row]) -> None:
    """rows: t -> count, e4, e5, lat (avg ms), integ (avg ms)."""
    dims = {"ApiName": api, "Stage": stage}
    for t, row in rows.items():
        ts = iso(t)
        n = row["count"]
        for metric, v in (("Count", n), ("4XXError", row["e4"]), ("5XXError", row["e5"])):
            ctx.metrics.append(
                {
                    "namespace": "AWS/ApiGateway",
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(round(v)),
                }
            )
        if n > 0:
            for metric, key in (("Latency", "lat"), ("IntegrationLatency", "integ")):
                pairs = _spread(ctx, row[key], n)
                ctx.metrics.append(
                    {
                        "namespace": "AWS/ApiGateway",
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": ts,
                        "unit": "Milliseconds",
                        "values": [round(v, 1) for v, _ in pairs],
                        "counts": [float(c) for _, c in pairs],
                    }
                )


def emit_lambda(ctx: Ctx, fn: str, rows: dict[datetime, Row], *, cap_ms: float | None = None) -> None:
    """rows: t -> inv, err, dur (avg ms), conc (max), thr. Duration only when invoked."""
    dims = {"FunctionName": fn}
    for t, row in rows.items():
        ts = iso(t)
        inv = round(row["inv"])
        if inv <= 0 and row.get("thr", 0) <= 0:
            continue
        for metric, v in (("Invocations", inv), ("Errors", row["err"]), ("Throttles", row.get("thr", 0.0))):
            ctx.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(round(v)),
                }
            )
        if inv > 0:
            pairs = _spread(ctx, row["dur"], inv)
            if cap_ms:
                pairs = [(min(v, cap_ms), c) for v, c in pairs]
            ctx.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "values": [round(v, 2) for v, _ in pairs],
                    "counts": [float(c) for _, c in pairs],
                }
            )
            ctx.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "ConcurrentExecutions",
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(max(1, round(row["conc"]))),
                }
            )


def emit_cloudfront(ctx: Ctx, dist_id: str, rows: dict[datetime, Row]) -> None:
    """rows: t -> req, r4 (percent), r5 (percent), bytes."""
    dims = {"DistributionId": dist_id, "Region": "Global"}
    for t, row in rows.items():
        ts = iso(t)
        vals = (
            ("Requests", row["req"], "None"),
            ("BytesDownloaded", row["bytes"], "None"),
            ("BytesUploaded", row["req"] * ctx.r.uniform(180, 260), "None"),
            ("4xxErrorRate", row["r4"], "Percent"),
            ("5xxErrorRate", row["r5"], "Percent"),
            ("TotalErrorRate", row["r4"] + row["r5"], "Percent"),
        )
        for metric, v, unit in vals:
            ctx.metrics.append(
                {
                    "namespace": "AWS/CloudFront",
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": unit,
                    "value": round(float(v), 4 if unit == "Percent" else 0),
                }
            )


def emit_table_reads(ctx: Ctx, table: str, rows: dict[datetime, Row], op: str = "Query") -> None:
    """rows: t -> rcu (consumed per minute), lat (ms avg)."""
    for t, row in rows.items():
        ts = iso(t)
        ctx.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedReadCapacityUnits",
                "dimensions": {"TableName": table},
                "timestamp": ts,
                "unit": "Count",
                "value": round(row["rcu"], 1),
            }
        )
        ctx.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "SuccessfulRequestLatency",
                "dimensions": {"TableName": table, "Operation": op},
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": float(max(1, round(row["n"]))),
                    "Sum": round(row["lat"] * max(1, round(row["n"])), 2),
                    "Minimum": round(row["lat"] * 0.4, 2),
                    "Maximum": round(row["lat"] * ctx.r.uniform(3, 8), 2),
                },
            }
        )


# --- everyday noise -----------------------------------------------------------------------------------
def tooling(ctx: Ctx, functions: list[str], tables: list[str], api_id: str, n: int = 34) -> None:
    """Read-only calls from the dashboards' poller and a Terraform plan in CI."""
    grafana = ctx.role_identity("grafana-cloudwatch-read", "grafana")
    agent_g = (
        "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/cloudwatch#1.40.3"
    )
    cw = "monitoring.amazonaws.com"
    calls: list[tuple[str, str, Rec | None]] = [
        (cw, "DescribeAlarms", {"maxRecords": 100}),
        (cw, "ListMetrics", {"namespace": "AWS/Lambda"}),
        (cw, "DescribeAlarms", {"stateValue": "ALARM", "maxRecords": 100}),
    ]
    ctx.tooling_noise(n // 2, calls, grafana, agent_g)
    tf = ctx.role_identity("github-actions-terraform-plan", "GitHubActions")
    agent_t = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1"
    )
    calls2: list[tuple[str, str, Rec | None]] = [
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": ctx.r.choice(functions)}),
        ("lambda.amazonaws.com", "ListVersionsByFunction20150331", {"functionName": ctx.r.choice(functions)}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": ctx.r.choice(tables)}),
        ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": ctx.r.choice(tables)}),
        ("apigateway.amazonaws.com", "GetRestApi", {"restApiId": api_id}),
        ("apigateway.amazonaws.com", "GetStage", {"restApiId": api_id, "stageName": "prod"}),
        ("iam.amazonaws.com", "GetRole", None),
    ]
    # a plan run is a burst of reads within a minute or two
    for _ in range(2):
        t0 = ctx.start + timedelta(
            minutes=ctx.r.randint(5, int((ctx.now - ctx.start).total_seconds() // 60) - 5)
        )
        for src, name, params in ctx.r.sample(calls2, 6):
            rec = ctx.trail(
                t0 + timedelta(seconds=ctx.r.randint(0, 90)),
                src,
                name,
                tf,
                params,
                None,
                read_only=True,
                agent=agent_t,
                region="us-east-1" if src == "iam.amazonaws.com" else None,
            )
            if src == "iam.amazonaws.com":
                rec["requestParameters"] = {"roleName": "terraform-state-reader"}


def scheduled_job(ctx: Ctx, fn: str, every_min: int, memory: int, base_ms: float, lines: list[str]) -> None:
    """An EventBridge-scheduled function: its logs and metrics (it publishes only in minutes it runs)."""
    rows: dict[datetime, Row] = {}
    stream = ctx.stream_name(ctx.start)
    first = True
    for t in ctx.minutes():
        if (t.hour * 60 + t.minute) % every_min:
            continue
        d = base_ms * ctx.r.uniform(0.8, 1.4)
        rows[t] = {"inv": 1, "err": 0, "dur": d, "conc": 1}
        start = t + timedelta(seconds=ctx.r.randint(0, 2), milliseconds=ctx.r.randint(0, 999))
        ctx.lambda_invocation(
            fn,
            stream,
            start,
            d,
            memory,
            ctx.r.randint(90, 140),
            body=lines,
            init=ctx.r.uniform(380, 900) if first else None,
        )
        first = False
    emit_lambda(ctx, fn, rows)
