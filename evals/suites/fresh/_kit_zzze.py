"""Private helpers of the `zzze` incidents: an e-commerce catalogue and search stack in one account."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

MIN = timedelta(minutes=1)
Stat = tuple[float, float, float, float]  # sum, count, min, max

BRANDS = ["brightcart", "nordvale", "kitmart", "lumenhome", "fernandco", "tidewear", "oakshelf"]
PEOPLE = ["m.okafor", "s.lindqvist", "p.ramaswamy", "j.whitfield", "a.castellanos", "t.nakamura", "r.byrne"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minutes(a: datetime, b: datetime, step: int = 1) -> Iterator[datetime]:
    t = a
    while t < b:
        yield t
        t += timedelta(minutes=step)


class Ctx:
    """One incident's account, clock and records."""

    def __init__(self, seed: int, *, lead_minutes: tuple[int, int] = (190, 230)) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.account = str(rng.randint(2 * 10**11, 9 * 10**11))
        self.region = "us-east-1"
        self.brand = rng.choice(BRANDS)
        day = datetime(2026, 1, 6, tzinfo=UTC) + timedelta(days=rng.randint(0, 320))
        self.start = day + timedelta(hours=rng.randint(14, 17), minutes=rng.choice([0, 15, 30, 45]))
        self.onset = self.start + timedelta(minutes=rng.randint(*lead_minutes), seconds=rng.randint(3, 57))
        self.now = self.onset + timedelta(minutes=rng.randint(38, 55))
        self.end = self.now
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.series: dict[tuple[str, str, str], dict[datetime, Stat]] = {}
        self.topic = f"arn:aws:sns:{self.region}:{self.account}:catalog-oncall-pager"
        self.slack_topic = f"arn:aws:sns:{self.region}:{self.account}:catalog-alerts-slack"
        self._sso = self.hexid(16)
        self._pids: dict[str, str] = {}

    # --- ids -------------------------------------------------------------------------------------

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def jitter(self, t: datetime, lo: int = 0, hi: int = 59) -> datetime:
        return t + timedelta(seconds=self.rng.randint(lo, hi), milliseconds=self.rng.randint(0, 999))

    # --- metrics ---------------------------------------------------------------------------------

    def put(
        self, ns: str, metric: str, dims: dict[str, str], t: datetime, value: float | Stat, unit: str
    ) -> None:
        key = (ns, metric, json.dumps(dims, sort_keys=True))
        rec: dict[str, Any] = {
            "namespace": ns,
            "metric": metric,
            "dimensions": dims,
            "timestamp": iso(t),
            "unit": unit,
        }
        if isinstance(value, tuple):
            s, c, lo, hi = value
            rec["statistic_values"] = {
                "SampleCount": float(c),
                "Sum": round(s, 3),
                "Minimum": round(lo, 3),
                "Maximum": round(hi, 3),
            }
            stat = (round(s, 3), float(c), round(lo, 3), round(hi, 3))
        else:
            v = round(float(value), 3)
            rec["value"] = v
            stat = (v, 1.0, v, v)
        self.metrics.append(rec)
        self.series.setdefault(key, {})[t] = stat

    def each_minute(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | Stat | None],
        step: int = 1,
    ) -> None:
        for t in minutes(self.start, self.now, step):
            v = fn(t)
            if v is not None:
                self.put(ns, metric, dims, t, v, unit)

    def diurnal(self, t: datetime, tz_offset: int = -5) -> float:
        """Shopping traffic shape (1.0 at the evening peak, ~0.25 at night), local time of a US shop."""
        h = ((t.hour + tz_offset) % 24) + t.minute / 60
        if h < 6:
            return 0.22 + 0.03 * h / 6
        if h < 12:
            return 0.25 + 0.45 * (h - 6) / 6
        if h < 17:
            return 0.7 + 0.1 * (h - 12) / 5
        if h < 21:
            return 0.8 + 0.2 * (h - 17) / 4
        return 1.0 - 0.75 * (h - 21) / 3

    def noisy(self, base: float, spread: float = 0.08) -> float:
        return max(0.0, base * (1 + self.rng.uniform(-spread, spread)))

    def dur(self, n: int, mean: float, spread: float = 0.3, cap: float | None = None) -> Stat | None:
        """A Lambda Duration statistic set for `n` invocations of about `mean` ms."""
        if n <= 0:
            return None
        m = self.noisy(mean, 0.1)
        lo = m * (1 - spread) * self.rng.uniform(0.4, 0.8)
        hi = m * (1 + spread) * self.rng.uniform(1.5, 3.0)
        if cap is not None:
            hi = min(hi, cap)
            m = min(m, cap)
        return (m * n, float(n), lo, hi)

    # --- alarms ----------------------------------------------------------------------------------

    def _periods(
        self, key: tuple[str, str, str], stat: str, period: int
    ) -> list[tuple[datetime, float | None]]:
        pts = self.series.get(key, {})
        out: list[tuple[datetime, float | None]] = []
        t = self.start
        step = timedelta(seconds=period)
        while t + step <= self.now:
            win = [v for ts, v in pts.items() if t <= ts < t + step]
            val: float | None = None
            if win:
                if stat == "Sum":
                    val = sum(w[0] for w in win)
                elif stat == "Average":
                    val = sum(w[0] for w in win) / sum(w[1] for w in win)
                elif stat == "Maximum":
                    val = max(w[3] for w in win)
                elif stat == "Minimum":
                    val = min(w[2] for w in win)
                else:
                    val = sum(w[1] for w in win)
            out.append((t, val))
            t += step
        return out

    def alarm(
        self,
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
        *,
        treat: str = "missing",
        unit: str | None = None,
        actions: list[str] | None = None,
        initial: str = "OK",
        initial_reason: str | None = None,
        initial_since: datetime | None = None,
        created_days: int = 140,
    ) -> dict[str, Any]:
        """A MetricAlarm evaluated against the stored series; adds history items, returns the last event."""
        key = (ns, metric, json.dumps(dims, sort_keys=True))
        arn = self.arn("cloudwatch", f"alarm:{name}")
        acts = [self.topic] if actions is None else actions
        cmp_txt = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[op]

        def breach(v: float) -> bool:
            return {
                "GreaterThanThreshold": v > threshold,
                "GreaterThanOrEqualToThreshold": v >= threshold,
                "LessThanThreshold": v < threshold,
                "LessThanOrEqualToThreshold": v <= threshold,
            }[op]

        periods = self._periods(key, stat, period)
        state = initial
        state_time = self.start - timedelta(days=self.rng.randint(2, 30), minutes=self.rng.randint(0, 900))
        if initial_since is not None:
            state_time = initial_since
        reason = initial_reason or "Threshold Crossed: no datapoints were breaching the threshold."
        reason_data = ""
        last_event: dict[str, Any] = {}
        prev = {"value": state, "reason": reason, "timestamp": state_time}
        for i in range(len(periods)):
            window = periods[max(0, i - evals + 1) : i + 1]
            if len(window) < evals:
                continue
            vals = [(t, v if v is not None else None) for t, v in window]
            present = [(t, v) for t, v in vals if v is not None]
            if treat == "notBreaching":
                nb = sum(1 for _, v in present if breach(v))
            else:
                nb = sum(1 for _, v in present if breach(v))
                if not present:
                    continue
            new = "ALARM" if nb >= to_alarm else "OK"
            if new == state:
                continue
            when = self.jitter(window[-1][0] + timedelta(seconds=period), 8, 50)
            if when > self.now:
                break
            recent = list(reversed(present))
            pts = ", ".join(f"{v:.1f} ({t:%d/%m/%y %H:%M:%S})" for t, v in recent[: max(1, to_alarm)])
            shown = max(1, min(len(recent), to_alarm if new == "ALARM" else 1))
            if new == "ALARM":
                verb = "was" if shown == 1 else "were"
                reason = (
                    f"Threshold Crossed: {nb} out of the last {evals} datapoints [{pts}] {verb} {cmp_txt} the threshold "
                    f"({threshold}) (minimum {to_alarm} datapoint{'s' if to_alarm > 1 else ''} for OK -> ALARM transition)."
                )
            else:
                first = recent[0] if recent else (window[-1][0], 0.0)
                reason = (
                    f"Threshold Crossed: 1 out of the last {evals} datapoints [{first[1]:.1f} ({first[0]:%d/%m/%y %H:%M:%S})] "
                    f"was not {cmp_txt} the threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
            reason_data = json.dumps(
                {
                    "version": "1.0",
                    "queryDate": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000",
                    "startDate": window[0][0].strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "statistic": stat,
                    "period": period,
                    "recentDatapoints": [round(v, 3) for _, v in present],
                    "threshold": threshold,
                    "evaluatedDatapoints": [
                        {
                            "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                            "sampleCount": 1.0,
                            "value": round(v, 3),
                        }
                        for t, v in recent
                    ],
                },
                separators=(",", ":"),
            )
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(when),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": state, "stateReason": prev["reason"]},
                            "newState": {
                                "stateValue": new,
                                "stateReason": reason,
                                "stateReasonData": json.loads(reason_data),
                            },
                        },
                        separators=(",", ":"),
                    ),
                }
            )
            if acts and (new == "ALARM"):
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(when + timedelta(milliseconds=self.rng.randint(80, 400))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {acts[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "notificationResource": acts[0],
                                "stateUpdateTimestamp": ms(when),
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
            last_event = self._event(
                name, arn, description, ns, metric, dims, stat, period, new, reason, reason_data, when, prev
            )
            prev = {"value": new, "reason": reason, "timestamp": when}
            state, state_time = new, when
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(
                self.start - timedelta(days=created_days, minutes=self.rng.randint(0, 600))
            ),
            "ActionsEnabled": True,
            "OKActions": list(acts),
            "AlarmActions": list(acts),
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat,
            "StateTransitionedTimestamp": iso_ms(state_time),
        }
        if reason_data:
            item["StateReasonData"] = reason_data
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return last_event

    def _event(
        self,
        name: str,
        arn: str,
        description: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        value: str,
        reason: str,
        reason_data: str,
        when: datetime,
        prev: dict[str, Any],
    ) -> dict[str, Any]:
        def stamp(t: datetime) -> str:
            return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"

        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [arn],
            "detail": {
                "alarmName": name,
                "state": {
                    "value": value,
                    "reason": reason,
                    "reasonData": reason_data,
                    "timestamp": stamp(when),
                },
                "previousState": {
                    "value": prev["value"],
                    "reason": prev["reason"],
                    "timestamp": stamp(prev["timestamp"]),
                },
                "configuration": {
                    "description": description,
                    "metrics": [
                        {
                            "id": self.hexid(8) + "-" + self.hexid(4),
                            "metricStat": {
                                "metric": {"namespace": ns, "name": metric, "dimensions": dims},
                                "period": period,
                                "stat": stat,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- CloudTrail ------------------------------------------------------------------------------

    def sso(self, person: str, perm: str = "PowerUserAccess") -> dict[str, Any]:
        return self._assumed(
            f"AWSReservedSSO_{perm}_{self._sso}", person, path="aws-reserved/sso.amazonaws.com/"
        )

    def role(self, role: str, session: str, path: str = "") -> dict[str, Any]:
        return self._assumed(role, session, path)

    def _assumed(self, role: str, session: str, path: str = "") -> dict[str, Any]:
        pid = self._pids
        if role not in pid:
            pid[role] = "AROA" + self.upper(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid[role]}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid[role],
                    "arn": f"arn:aws:iam::{self.account}:role/{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        *,
        req: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        read_only: bool = False,
        ip: str | None = None,
        agent: str | None = None,
        error: tuple[str, str] | None = None,
        region: str | None = None,
        version: str = "1.09",
    ) -> dict[str, Any]:
        who = json.loads(json.dumps(who))
        sc = who.get("sessionContext")
        if sc:
            sc["attributes"]["creationDate"] = iso(t - timedelta(minutes=self.rng.randint(2, 50)))
        rec: dict[str, Any] = {
            "eventVersion": version,
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or f"{self.rng.choice([54, 3, 18, 44])}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
            "userAgent": agent
            or "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226 md/arch#x86_64 lang/python#3.12.7 cfg/retry-mode#legacy Botocore/1.35.36",
            "requestParameters": req,
            "responseElements": resp,
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
                "clientProvidedHostHeader": source
                if source.startswith(("cloudfront", "iam"))
                else f"{source.split('.')[0]}.{region or self.region}.amazonaws.com",
            },
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.trail.append(rec)
        return rec

    def readonly_noise(self, n: int, targets: dict[str, str]) -> None:
        """Read-only calls from monitoring and tooling spread across the window."""
        dd = self.role("DatadogAWSIntegrationRole", "DatadogAWSIntegration")
        cfg = self.role(
            "AWSServiceRoleForConfig", "AWSConfig-Describe", "aws-service-role/config.amazonaws.com/"
        )
        console_user = self.sso(self.rng.choice(PEOPLE), "ReadOnlyAccess")
        calls: list[tuple[str, str, dict[str, Any] | None, dict[str, Any], str | None]] = [
            ("monitoring.amazonaws.com", "GetMetricData", None, dd, "datadog"),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}, dd, "datadog"),
            ("lambda.amazonaws.com", "ListFunctions20150331", None, dd, "datadog"),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": targets["table"]}, dd, "datadog"),
            ("es.amazonaws.com", "DescribeDomain", {"domainName": targets["domain"]}, dd, "datadog"),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None, dd, "datadog"),
            ("tag.amazonaws.com", "GetResources", {"resourcesPerPage": 100}, dd, "datadog"),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": targets["table"]}, cfg, "config"),
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": targets["fn"]}, cfg, "config"),
            (
                "s3.amazonaws.com",
                "GetBucketVersioning",
                {"bucketName": targets["bucket"], "versioning": ""},
                cfg,
                "config",
            ),
            (
                "lambda.amazonaws.com",
                "ListEventSourceMappings20150331",
                {"functionName": targets["fn"]},
                console_user,
                "console",
            ),
            (
                "logs.amazonaws.com",
                "DescribeLogGroups",
                {"logGroupNamePrefix": "/aws/lambda/"},
                console_user,
                "console",
            ),
        ]
        agents = {
            "datadog": "Datadog/1.0 aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
            "config": "config.amazonaws.com",
            "console": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        }
        span = int((self.now - self.start).total_seconds())
        for _ in range(n):
            src, name, req, who, kind = self.rng.choice(calls)
            t = self.start + timedelta(seconds=self.rng.randint(0, span - 1))
            ip = "config.amazonaws.com" if kind == "config" else None
            self.ct(t, src, name, who, req=req, read_only=True, ip=ip, agent=agents[kind or "datadog"])

    # --- logs ------------------------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hexid(32)}"

    def lambda_invocation(
        self,
        fn: str,
        stream: str,
        t: datetime,
        lines: list[str],
        *,
        duration: float,
        memory: int,
        used: int,
        version: str = "$LATEST",
        init: float | None = None,
        timeout: float | None = None,
    ) -> None:
        """START, the function's own lines, END and REPORT, as the Lambda runtime prints them."""
        group = f"/aws/lambda/{fn}"
        rid = self.uid()
        if init is not None:
            self.log(
                group,
                stream,
                t - timedelta(milliseconds=init + 5),
                "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:"
                + self.hexid(64),
            )
        self.log(group, stream, t, f"START RequestId: {rid} Version: {version}\n")
        for i, line in enumerate(lines):
            at = t + timedelta(milliseconds=int(duration * (i + 1) / (len(lines) + 1)))
            self.log(group, stream, at, line.replace("{rid}", rid).replace("{ts}", iso_ms(at)))
        end = t + timedelta(milliseconds=int(duration))
        if timeout is not None:
            self.log(group, stream, end, f"{iso_ms(end)} {rid} Task timed out after {timeout:.2f} seconds\n")
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = int(duration) + 1
        report = (
            f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init is not None:
            report += f"Init Duration: {init:.2f} ms\t"
        self.log(group, stream, end, report + "\n")

    # --- resources -------------------------------------------------------------------------------

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    # --- bundle ----------------------------------------------------------------------------------

    def bundle(self, title: str, trigger: dict[str, Any], truth: dict[str, Any]) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        self.trail.sort(key=lambda r: str(r["eventTime"]))
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: str(r["Timestamp"]))
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


class Stack:
    """The catalogue stack every incident shares: table + stream, indexer, search domain, cache, images."""

    def __init__(self, ctx: Ctx, *, indexer_timeout: int = 60, indexer_memory: int = 512) -> None:
        self.ctx = ctx
        c = ctx
        b = c.brand
        self.table = "catalog-products"
        self.table_arn = c.arn("dynamodb", f"table/{self.table}")
        created = c.start - timedelta(days=c.rng.randint(400, 900))
        self.stream_label = (created + timedelta(days=3, seconds=c.rng.randint(0, 80000))).strftime(
            "%Y-%m-%dT%H:%M:%S."
        ) + f"{c.rng.randint(0, 999):03d}"
        self.stream_arn = f"{self.table_arn}/stream/{self.stream_label}"
        self.indexer = "catalog-indexer"
        self.indexer_arn = c.arn("lambda", f"function:{self.indexer}")
        self.search_fn = "search-api"
        self.resizer = "image-resizer"
        self.domain = "catalog-search"
        self.domain_arn = c.arn("es", f"domain/{self.domain}")
        self.domain_endpoint = f"vpc-{self.domain}-{c.hexid(26)}.{c.region}.es.amazonaws.com"
        self.cache = "catalog-cache"
        self.images = f"{b}-product-images"
        self.uploads = f"{b}-catalog-uploads"
        self.dlq = "catalog-indexer-dlq"
        self.esm_uuid = c.uid()
        self.indexer_timeout = indexer_timeout
        self.indexer_memory = indexer_memory
        self.indexer_role = f"arn:aws:iam::{c.account}:role/catalog-indexer-role"
        self.subnets = [f"subnet-0{c.hexid(16)}" for _ in range(3)]
        self.sg = f"sg-0{c.hexid(16)}"
        self.vpc = f"vpc-0{c.hexid(16)}"
        self.code_sha = {n: c.hexid(43) + "=" for n in (self.indexer, self.search_fn, self.resizer)}
        self.dist_id = "E" + c.upper(13)
        self.created = created

    def lambda_cfg(
        self,
        name: str,
        runtime: str,
        handler: str,
        memory: int,
        timeout: int,
        modified: datetime,
        *,
        vpc: bool = False,
        env: dict[str, str] | None = None,
        version: str = "$LATEST",
    ) -> dict[str, Any]:
        c = self.ctx
        item: dict[str, Any] = {
            "FunctionName": name,
            "FunctionArn": c.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{c.account}:role/{name}-role",
            "Handler": handler,
            "CodeSize": c.rng.randint(900_000, 9_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.code_sha.get(name, c.hexid(43) + "="),
            "Version": version,
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": c.uid(),
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
                "SubnetIds": list(self.subnets),
                "SecurityGroupIds": [self.sg],
                "VpcId": self.vpc,
            }
        return item

    def common_resources(
        self,
        *,
        filter_pattern: str | None = None,
        esm_modified: datetime | None = None,
        indexer_modified: datetime | None = None,
        search_modified: datetime | None = None,
        resizer_modified: datetime | None = None,
        domain_storage_gb: int = 200,
        resizer_memory: int = 1536,
        indexer_env: dict[str, str] | None = None,
        esm_result: str = "OK",
    ) -> None:
        c = self.ctx
        r = c.rng
        old = c.start - timedelta(days=r.randint(9, 60), minutes=r.randint(0, 1400))
        c.res(
            "dynamodb",
            "TableDescription",
            {
                "TableName": self.table,
                "TableArn": self.table_arn,
                "TableId": c.uid(),
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(self.created),
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": iso(self.created),
                },
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": r.randint(2_000_000_000, 9_000_000_000),
                "ItemCount": r.randint(800_000, 2_400_000),
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                "LatestStreamLabel": self.stream_label,
                "LatestStreamArn": self.stream_arn,
                "DeletionProtectionEnabled": True,
                "TableClassSummary": {"TableClass": "STANDARD"},
            },
        )
        esm: dict[str, Any] = {
            "UUID": self.esm_uuid,
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 2,
            "EventSourceArn": self.stream_arn,
            "FunctionArn": self.indexer_arn,
            "LastModified": iso(esm_modified or old),
            "LastProcessingResult": esm_result,
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {"Destination": c.arn("sqs", self.dlq)}},
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": -1,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "EventSourceMappingArn": c.arn("lambda", f"event-source-mapping:{self.esm_uuid}"),
        }
        if filter_pattern:
            esm["FilterCriteria"] = {"Filters": [{"Pattern": filter_pattern}]}
        c.res("lambda", "EventSourceMappingConfiguration", esm)
        c.res(
            "lambda",
            "FunctionConfiguration",
            self.lambda_cfg(
                self.indexer,
                "python3.12",
                "indexer.handler",
                self.indexer_memory,
                self.indexer_timeout,
                indexer_modified or old,
                vpc=True,
                env=indexer_env
                or {
                    "OPENSEARCH_ENDPOINT": self.domain_endpoint,
                    "INDEX_ALIAS": "products",
                    "LOG_LEVEL": "INFO",
                },
            ),
        )
        c.res(
            "lambda",
            "FunctionConfiguration",
            self.lambda_cfg(
                self.search_fn,
                "nodejs20.x",
                "dist/handler.search",
                1024,
                10,
                search_modified or old - timedelta(days=3),
                vpc=True,
                env={
                    "OPENSEARCH_ENDPOINT": self.domain_endpoint,
                    "REDIS_HOST": f"master.{self.cache}.{c.hexid(6)}.use1.cache.amazonaws.com",
                },
            ),
        )
        c.res(
            "lambda",
            "FunctionConfiguration",
            self.lambda_cfg(
                self.resizer,
                "nodejs20.x",
                "index.handler",
                resizer_memory,
                60,
                resizer_modified or old - timedelta(days=11),
                env={"OUTPUT_BUCKET": self.images, "SIZES": "160,320,640,1280"},
            ),
        )
        c.res(
            "opensearch",
            "DomainStatus",
            {
                "DomainId": f"{c.account}/{self.domain}",
                "DomainName": self.domain,
                "ARN": self.domain_arn,
                "Created": True,
                "Deleted": False,
                "Endpoints": {"vpc": self.domain_endpoint},
                "Processing": False,
                "UpgradeProcessing": False,
                "EngineVersion": "OpenSearch_2.13",
                "ClusterConfig": {
                    "InstanceType": "r6g.large.search",
                    "InstanceCount": 3,
                    "DedicatedMasterEnabled": True,
                    "DedicatedMasterType": "m6g.large.search",
                    "DedicatedMasterCount": 3,
                    "ZoneAwarenessEnabled": True,
                    "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                    "WarmEnabled": False,
                    "MultiAZWithStandbyEnabled": False,
                },
                "EBSOptions": {
                    "EBSEnabled": True,
                    "VolumeType": "gp3",
                    "VolumeSize": domain_storage_gb,
                    "Iops": 3000,
                    "Throughput": 125,
                },
                "VPCOptions": {
                    "VPCId": self.vpc,
                    "SubnetIds": list(self.subnets),
                    "AvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
                    "SecurityGroupIds": [self.sg],
                },
                "EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": c.arn("kms", f"key/{c.uid()}")},
                "NodeToNodeEncryptionOptions": {"Enabled": True},
                "DomainEndpointOptions": {
                    "EnforceHTTPS": True,
                    "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
                },
                "AdvancedSecurityOptions": {"Enabled": False, "InternalUserDatabaseEnabled": False},
                "ServiceSoftwareOptions": {
                    "CurrentVersion": "OpenSearch_2_13_R20240924-P3",
                    "NewVersion": "",
                    "UpdateAvailable": False,
                    "Cancellable": False,
                    "UpdateStatus": "COMPLETED",
                    "Description": "There is no software update available for this domain.",
                    "OptionalDeployment": True,
                },
            },
        )
        nodes = [f"{self.cache}-001", f"{self.cache}-002"]
        c.res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": self.cache,
                "Description": "search result and product detail cache",
                "Status": "available",
                "MemberClusters": nodes,
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {
                            "Address": f"master.{self.cache}.{c.hexid(6)}.use1.cache.amazonaws.com",
                            "Port": 6379,
                        },
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": nodes[0],
                                "CacheNodeId": "0001",
                                "PreferredAvailabilityZone": "us-east-1a",
                                "CurrentRole": "primary",
                            },
                            {
                                "CacheClusterId": nodes[1],
                                "CacheNodeId": "0001",
                                "PreferredAvailabilityZone": "us-east-1b",
                                "CurrentRole": "replica",
                            },
                        ],
                    }
                ],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "CacheNodeType": "cache.r7g.large",
                "Engine": "redis",
                "ClusterEnabled": False,
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "07:00-08:00",
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": c.arn("elasticache", f"replicationgroup:{self.cache}"),
            },
        )
        for bucket in (self.images, self.uploads):
            c.res(
                "s3",
                "Bucket",
                {
                    "Name": bucket,
                    "CreationDate": iso(self.created + timedelta(days=r.randint(1, 30))),
                    "BucketRegion": c.region,
                },
            )
        c.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{self.dlq}",
                "Attributes": {
                    "QueueArn": c.arn("sqs", self.dlq),
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "CreatedTimestamp": str(int(self.created.timestamp()) + 86400 * 3),
                    "LastModifiedTimestamp": str(int(self.created.timestamp()) + 86400 * 3),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"team": "catalog"},
            },
        )
        for fn in (self.indexer, self.search_fn, self.resizer):
            c.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": f"/aws/lambda/{fn}",
                    "creationTime": ms(self.created + timedelta(days=r.randint(3, 40))),
                    "retentionInDays": 30,
                    "metricFilterCount": 0,
                    "arn": c.arn("logs", f"log-group:/aws/lambda/{fn}:*"),
                    "storedBytes": r.randint(10**9, 6 * 10**10),
                    "logGroupClass": "STANDARD",
                },
            )

    # --- baseline telemetry ------------------------------------------------------------------------

    def search_traffic(self, t: datetime) -> float:
        """Searches a minute at the shop's current traffic."""
        return self.ctx.diurnal(t) * 5200

    def baseline_search(self, slow: Callable[[datetime], float] | None = None) -> None:
        """search-api Lambda, OpenSearch search side, the cache and the image CDN."""
        c = self.ctx
        dims = {"FunctionName": self.search_fn}
        q = {t: int(c.noisy(self.search_traffic(t) * 0.45, 0.06)) for t in minutes(c.start, c.now)}
        c.each_minute("AWS/Lambda", "Invocations", dims, "Count", lambda t: q[t])
        c.each_minute("AWS/Lambda", "Errors", dims, "Count", lambda t: c.rng.choice([0, 0, 0, 0, 1]))
        c.each_minute(
            "AWS/Lambda",
            "Duration",
            dims,
            "Milliseconds",
            lambda t: c.dur(q[t], 88 * (slow(t) if slow else 1.0), cap=10000),
        )
        c.each_minute(
            "AWS/Lambda",
            "ConcurrentExecutions",
            dims,
            "Count",
            lambda t: float(max(1, round(q[t] * 0.09 / 60 * 10))),
        )
        dom = {"DomainName": self.domain, "ClientId": c.account}
        c.each_minute("AWS/ES", "SearchRate", dom, "Count", lambda t: c.noisy(q[t] * 0.55 / 3, 0.05))
        c.each_minute("AWS/ES", "SearchLatency", dom, "Milliseconds", lambda t: c.noisy(14.0, 0.2))
        c.each_minute(
            "AWS/ES", "CPUUtilization", dom, "Percent", lambda t: c.noisy(18 + 22 * c.diurnal(t), 0.1)
        )
        c.each_minute("AWS/ES", "JVMMemoryPressure", dom, "Percent", lambda t: c.noisy(52, 0.12))
        c.each_minute("AWS/ES", "ClusterStatus.green", dom, "Count", lambda t: 1.0)
        c.each_minute("AWS/ES", "ClusterStatus.yellow", dom, "Count", lambda t: 0.0)
        c.each_minute("AWS/ES", "ClusterStatus.red", dom, "Count", lambda t: 0.0)
        for i, node in enumerate((f"{self.cache}-001", f"{self.cache}-002")):
            nd = {"CacheClusterId": node}
            c.each_minute(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                nd,
                "Percent",
                self._scaled(9.0, 3.0, 0.15) if i else self._warmer_cpu(),
            )
            c.each_minute(
                "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", nd, "Percent", lambda t: c.noisy(61, 0.01)
            )
            if i == 0:
                c.each_minute(
                    "AWS/ElastiCache", "CacheHits", nd, "Count", lambda t: c.noisy(q[t] * 2.6, 0.05)
                )
                c.each_minute(
                    "AWS/ElastiCache", "CacheMisses", nd, "Count", lambda t: c.noisy(q[t] * 0.55, 0.08)
                )
            c.each_minute(
                "AWS/ElastiCache",
                "CurrConnections",
                nd,
                "Count",
                self._scaled(0.0, 12.0 if i else 140.0, 0.05),
            )
        warmer = "catalog-cache-warmer"
        w_stream = c.lambda_stream(c.start)
        first = c.start.replace(minute=0) + timedelta(hours=1)
        for t in minutes(first, c.now, 60):
            took = c.rng.uniform(88_000, 118_000)
            keys = c.rng.randint(16_000, 21_000)
            c.put("AWS/Lambda", "Invocations", {"FunctionName": warmer}, t, 1.0, "Count")
            c.put("AWS/Lambda", "Errors", {"FunctionName": warmer}, t, 0.0, "Count")
            c.put("AWS/Lambda", "Duration", {"FunctionName": warmer}, t, took, "Milliseconds")
            line = f"[INFO]\t{{ts}}\t{{rid}}\tcache warm: scanned prefix=pdp:* refreshed={keys} expired={c.rng.randint(300, 900)}\n"
            c.lambda_invocation(
                warmer,
                w_stream,
                c.jitter(t, 0, 2),
                [line],
                duration=took,
                memory=256,
                used=c.rng.randint(90, 110),
            )
        cf = {"DistributionId": self.dist_id, "Region": "Global"}
        c.each_minute(
            "AWS/CloudFront", "Requests", cf, "None", lambda t: c.noisy(self.search_traffic(t) * 11, 0.05)
        )
        c.each_minute(
            "AWS/CloudFront",
            "BytesDownloaded",
            cf,
            "None",
            lambda t: c.noisy(self.search_traffic(t) * 11 * 48000, 0.07),
        )
        c.each_minute("AWS/CloudFront", "4xxErrorRate", cf, "Percent", lambda t: c.noisy(0.6, 0.3))
        c.each_minute("AWS/CloudFront", "5xxErrorRate", cf, "Percent", lambda t: c.noisy(0.03, 0.9))
        c.each_minute("AWS/CloudFront", "TotalErrorRate", cf, "Percent", lambda t: c.noisy(0.63, 0.3))

    def _warmer_cpu(self) -> Callable[[datetime], float]:
        """The primary's engine CPU: traffic, plus the hourly cache-warmer's two-minute SCAN sweep."""
        c = self.ctx

        def fn(t: datetime) -> float:
            if t.minute in (0, 1):
                return c.noisy(37.0, 0.08)
            return c.noisy(21.0 * c.diurnal(t) + 3.0, 0.15)

        return fn

    def _scaled(self, per_traffic: float, floor: float, spread: float) -> Callable[[datetime], float]:
        c = self.ctx

        def fn(t: datetime) -> float:
            v = c.noisy(per_traffic * c.diurnal(t) + floor, spread)
            return v if per_traffic else float(int(v))

        return fn

    def table_writes(self, rate: Callable[[datetime], float]) -> dict[datetime, int]:
        """Writes a minute to the catalogue table (price and stock updates), with their metrics."""
        c = self.ctx
        w = {t: int(c.noisy(rate(t), 0.1)) for t in minutes(c.start, c.now)}
        td = {"TableName": self.table}
        c.each_minute(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            td,
            "Count",
            lambda t: (w[t] * 2.0, 1.0, w[t] * 2.0, w[t] * 2.0),
        )
        c.each_minute(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            td,
            "Count",
            lambda t: c.noisy(self.search_traffic(t) * 0.9, 0.06),
        )
        sd = {"Operation": "GetRecords", "StreamLabel": self.stream_label, "TableName": self.table}
        c.each_minute(
            "AWS/DynamoDB",
            "ReturnedRecordsCount",
            sd,
            "Count",
            lambda t: (float(w[t]), float(max(1, 6 * 60 // 1)), 0.0, float(min(w[t], 100))),
        )
        return w
