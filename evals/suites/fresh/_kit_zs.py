# Incidents of kit `zs`, in the order they are written:
#  1. change: a REST API's Lambda authorizer gets result caching switched on while its policies are scoped to
#     the single method ARN; after the next stage deployment users get 403 on every second page they open.
#  2. dependency_failure: a third-party machine-translation API starts timing out; a Step Functions
#     listing-publish workflow keeps retrying its translate step and new listings stall in "publishing".
#  3. limit: an SQS FIFO queue (not in high-throughput mode) reaches its per-queue send ceiling at the
#     evening peak; the ingest Lambda behind API Gateway gets throttled sends and answers 5xx to chargers.
#  4. no fault: a count-based Step Functions ExecutionsFailed alarm fires during a promotional peak; the
#     failures are the usual business rejections in proportion to the higher traffic.
"""Private helpers for kit `zs`: ids, time grids, noise, CloudTrail records, Lambda lines, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

Json = dict[str, Any]


# --- ids and time -----------------------------------------------------------------------------------


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(rng: random.Random, n: int, upper: bool = False) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(n))


def uid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def pick_day(rng: random.Random, year: int, months: tuple[int, ...], weekdays: tuple[int, ...]) -> datetime:
    """A date (midnight UTC) in one of the months whose weekday is one of `weekdays` (0 = Monday)."""
    while True:
        d = datetime(year, rng.choice(months), rng.randint(1, 28), tzinfo=UTC)
        if d.weekday() in weekdays:
            return d


def account_id(rng: random.Random) -> str:
    return str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))


def grid(start: datetime, now: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """Datapoint times: 5-minute points from start to fine_from, then 1-minute points up to now."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, 300))
        t += timedelta(minutes=5)
    while t <= now - timedelta(minutes=1):
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


def diurnal(t: datetime, utc_offset_h: float, peak_h: float, low: float = 0.25) -> float:
    """A daily load factor in [low, 1]: highest at peak_h local time, lowest twelve hours away."""
    local_h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    phase = math.cos((local_h - peak_h) / 24 * 2 * math.pi)
    return low + (1 - low) * (phase + 1) / 2


# --- metrics ----------------------------------------------------------------------------------------


class Metrics:
    """Collects datapoints. `count` series are per-minute rates scaled to each point's period and left out
    when zero (as AWS does for counts it only publishes when non-zero, if `sparse`); `gauge` series are
    levels."""

    def __init__(self) -> None:
        self.rows: list[Json] = []

    def count(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        points: list[tuple[datetime, int]],
        rate: Callable[[datetime], float],
        unit: str = "Count",
        sparse: bool = True,
    ) -> None:
        for t, step in points:
            v = max(0.0, rate(t)) * step / 60
            v = float(round(v))
            if v == 0 and sparse:
                continue
            self.rows.append(
                {
                    "namespace": ns,
                    "metric": name,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": v,
                }
            )

    def gauge(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        points: list[tuple[datetime, int]],
        level: Callable[[datetime], float | None],
        unit: str = "None",
        digits: int = 2,
    ) -> None:
        for t, _ in points:
            v = level(t)
            if v is None:
                continue
            self.rows.append(
                {
                    "namespace": ns,
                    "metric": name,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": round(float(v), digits),
                }
            )

    def stats(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        points: list[tuple[datetime, int]],
        fn: Callable[[datetime, int], tuple[float, float, float, float] | None],
        unit: str = "Milliseconds",
    ) -> None:
        """fn(t, step) -> (sample_count, mean, minimum, maximum), or None for no data."""
        for t, step in points:
            r = fn(t, step)
            if r is None:
                continue
            n, mean, lo, hi = r
            if n <= 0:
                continue
            n = float(round(n))
            if n <= 0:
                continue
            lo = min(lo, mean)
            hi = max(hi, mean)
            self.rows.append(
                {
                    "namespace": ns,
                    "metric": name,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "statistic_values": {
                        "SampleCount": n,
                        "Sum": round(n * mean, 2),
                        "Minimum": round(lo, 2),
                        "Maximum": round(hi, 2),
                    },
                }
            )


def noisy(rng: random.Random, base: float, spread: float = 0.08) -> float:
    return base * (1 + rng.gauss(0, spread))


# --- CloudTrail -------------------------------------------------------------------------------------


class Trail:
    """Builds CloudTrail records in the delivered shape for one account and region."""

    def __init__(self, rng: random.Random, account: str, region: str) -> None:
        self.rng = rng
        self.account = account
        self.region = region
        self.rows: list[Json] = []
        self._keys: dict[str, str] = {}

    def _key(self, who: str) -> str:
        if who not in self._keys:
            self._keys[who] = "ASIA" + alnum(self.rng, 16, upper=True)
        return self._keys[who]

    def role(self, role: str, session: str, *, sso: bool = False, mfa: bool = False) -> Json:
        """An assumed-role identity (an SSO permission set's role when sso)."""
        path = "/aws-reserved/sso.amazonaws.com/" if sso else "/"
        role_id = "AROA" + alnum(random.Random(f"{self.account}:{role}"), 17, upper=True)
        return {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self._key(role + session),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "true" if mfa else "false"},
            },
        }

    @staticmethod
    def service(name: str) -> Json:
        return {"type": "AWSService", "invokedBy": name}

    def add(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Json,
        params: Json | None,
        response: Json | None = None,
        *,
        read_only: bool,
        ip: str = "",
        agent: str = "",
        error: tuple[str, str] | None = None,
        resources: list[Json] | None = None,
        event_type: str = "AwsApiCall",
        host: str | None = None,
        session_start: datetime | None = None,
    ) -> str:
        rng = self.rng
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            start = session_start or (t - timedelta(minutes=rng.randint(3, 50)))
            ident["sessionContext"]["attributes"]["creationDate"] = iso(start)
        event_id = uid(rng)
        rec: Json = {
            "eventVersion": "1.09" if source != "iam.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip or (ident.get("invokedBy") or "AWS Internal"),
            "userAgent": agent or (ident.get("invokedBy") or "AWS Internal"),
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = uid(rng)
        rec["eventID"] = event_id
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = event_type
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if ident.get("type") != "AWSService" and ip and not ip.endswith(".amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host or f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.rows.append(rec)
        return event_id

    def sorted_rows(self) -> list[Json]:
        return sorted(self.rows, key=lambda r: (r["eventTime"], r["eventID"]))


CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
CLI_UA = "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/{api}"
SDK_JS_UA = "aws-sdk-js/3.556.0 ua/2.0 os/linux#5.10.214-223.810.amzn2.x86_64 lang/js md/nodejs#20.12.1 api/{api}#3.556.0 exec-env/AWS_Lambda_nodejs20.x"
BOTO_UA = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214-223.810.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.84"


# --- Lambda -----------------------------------------------------------------------------------------


def lambda_stream(rng: random.Random, day: datetime, version: str = "$LATEST") -> str:
    return f"{day:%Y/%m/%d}/[{version}]{hexs(rng, 32)}"


def report_line(
    req: str, duration: float, mem: int, used: int, init: float | None = None, status: str | None = None
) -> str:
    billed = math.ceil(duration)
    line = f"REPORT RequestId: {req}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\tMax Memory Used: {used} MB\t"
    if init is not None:
        line += f"Init Duration: {init:.2f} ms\t"
    if status:
        line += f"Status: {status}"
    return line


def function_config(
    account: str,
    region: str,
    name: str,
    *,
    runtime: str,
    handler: str,
    role: str,
    memory: int,
    timeout: int,
    last_modified: datetime,
    rng: random.Random,
    env: dict[str, str] | None = None,
    description: str = "",
    vpc: Json | None = None,
    tracing: str = "PassThrough",
    layers: list[Json] | None = None,
    code_size: int = 0,
) -> Json:
    item: Json = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{account}:role/{role}",
        "Handler": handler,
        "CodeSize": code_size or rng.randint(180_000, 4_800_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": last_modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{rng.randint(0, 999):03d}+0000",
        "CodeSha256": _b64(rng),
        "Version": "$LATEST",
        "TracingConfig": {"Mode": tracing},
        "RevisionId": uid(rng),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": f"arn:aws:lambda:{region}::runtime:{hexs(rng, 64)}"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": env}
    if vpc:
        item["VpcConfig"] = vpc
    if layers:
        item["Layers"] = layers
    return item


def _b64(rng: random.Random) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(rng.choice(chars) for _ in range(43)) + "="


def role_item(
    account: str, name: str, service: str, created: datetime, rng: random.Random, desc: str = ""
) -> Json:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + alnum(random.Random(f"{account}:{name}"), 17, upper=True),
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": quote(json.dumps(doc, separators=(",", ":"))),
        "Description": desc,
        "MaxSessionDuration": 3600,
    }


def log_group(account: str, region: str, name: str, created: datetime, retention: int = 30) -> Json:
    return {
        "logGroupName": name,
        "creationTime": ms(created),
        "retentionInDays": retention,
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": 0,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
    }


# --- alarms -----------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _fmt_num(v: float) -> str:
    return repr(float(round(v, 4)))


def _cw_ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class Alarm:
    """A MetricAlarm evaluated over the datapoints of one series, with its history."""

    def __init__(
        self,
        account: str,
        region: str,
        name: str,
        *,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        statistic: str,
        period: int,
        evaluation_periods: int,
        datapoints_to_alarm: int,
        threshold: float,
        comparison: str,
        treat_missing: str,
        description: str,
        actions: list[str],
        unit: str | None = None,
        configured: datetime,
    ) -> None:
        self.account = account
        self.region = region
        self.name = name
        self.arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
        self.namespace = namespace
        self.metric = metric
        self.dims = dims
        self.statistic = statistic
        self.period = period
        self.n = evaluation_periods
        self.m = datapoints_to_alarm
        self.threshold = threshold
        self.comparison = comparison
        self.treat_missing = treat_missing
        self.description = description
        self.actions = actions
        self.unit = unit
        self.configured = configured
        self.history: list[Json] = []
        self.state = "OK"
        self.reason = ""
        self.reason_data: Json = {}
        self.updated = configured
        self.transitions: list[tuple[datetime, str, str]] = []

    def _period_values(self, rows: Iterable[Json], start: datetime, now: datetime) -> dict[datetime, float]:
        buckets: dict[datetime, list[float]] = {}
        for r in rows:
            if r["namespace"] != self.namespace or r["metric"] != self.metric or r["dimensions"] != self.dims:
                continue
            t = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00"))
            b = datetime.fromtimestamp(int(t.timestamp()) // self.period * self.period, UTC)
            if "value" in r:
                buckets.setdefault(b, []).append(r["value"])
            else:
                sv = r["statistic_values"]
                if self.statistic == "Average":
                    buckets.setdefault(b, []).extend([sv["Sum"] / sv["SampleCount"]] * int(sv["SampleCount"]))
                elif self.statistic == "Maximum":
                    buckets.setdefault(b, []).append(sv["Maximum"])
                else:
                    buckets.setdefault(b, []).append(sv["Sum"])
        out: dict[datetime, float] = {}
        for b, vs in buckets.items():
            if self.statistic in ("Sum", "SampleCount"):
                out[b] = sum(vs) if self.statistic == "Sum" else float(len(vs))
            elif self.statistic == "Average":
                out[b] = sum(vs) / len(vs)
            elif self.statistic == "Maximum":
                out[b] = max(vs)
            else:
                out[b] = min(vs)
        return out

    def evaluate(self, rows: Iterable[Json], start: datetime, now: datetime, rng: random.Random) -> None:
        values = self._period_values(list(rows), start, now)
        test, words = _OPS[self.comparison]
        first = datetime.fromtimestamp(int(start.timestamp()) // self.period * self.period, UTC)
        t = first + timedelta(seconds=self.period * self.n)
        state = "OK"
        first_window = [
            (w, values[w])
            for w in (t - timedelta(seconds=self.period * (i + 1)) for i in range(self.n))
            if w in values
        ]
        last_reason, last_data = self._reason("OK", first_window, 0, words, t, "OK")
        last_change = self.configured
        while t + timedelta(seconds=60) <= now:
            window = [t - timedelta(seconds=self.period * (i + 1)) for i in range(self.n)]
            pts = [(w, values.get(w)) for w in window]
            present: list[tuple[datetime, float]] = [(w, v) for w, v in pts if v is not None]
            breaching = 0
            for _w, v in pts:
                if v is None:
                    breaching += 1 if self.treat_missing == "breaching" else 0
                elif test(v, self.threshold):
                    breaching += 1
            new = state
            if breaching >= self.m:
                new = "ALARM"
            elif (state == "ALARM" and breaching == 0 and (present or self.treat_missing != "missing")) or (
                state == "ALARM" and breaching < self.m
            ):
                new = "OK"
            eval_time = t + timedelta(seconds=rng.randint(8, 55))
            if new != state:
                reason, data = self._reason(new, present, breaching, words, eval_time, state)
                self._record(eval_time, state, new, last_reason, last_data, reason, data)
                state, last_reason, last_data, last_change = new, reason, data, eval_time
            t += timedelta(seconds=self.period)
        if not self.transitions:
            recent = sorted(values.items())[-self.n :]
            last_reason, last_data = self._reason("OK", list(reversed(recent)), 0, words, now, "OK")
        self.state, self.reason, self.reason_data, self.updated = state, last_reason, last_data, last_change

    def _reason(
        self,
        new: str,
        present: list[tuple[datetime, float]],
        breaching: int,
        words: str,
        when: datetime,
        old: str,
    ) -> tuple[str, Json]:
        shown = [(w, v) for w, v in present if v is not None]
        listed = ", ".join(f"{_fmt_num(v)} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown)
        if new == "ALARM":
            if self.n == 1:
                text = f"Threshold Crossed: 1 datapoint [{listed}] was {words} the threshold ({_fmt_num(self.threshold)})."
            else:
                text = (
                    f"Threshold Crossed: {breaching} out of the last {self.n} datapoints [{listed}] were {words} "
                    f"the threshold ({_fmt_num(self.threshold)}) (minimum {self.m} datapoint"
                    f"{'s' if self.m > 1 else ''} for OK -> ALARM transition)."
                )
        else:
            count = len(shown)
            if count <= 1:
                text = f"Threshold Crossed: 1 datapoint [{listed}] was not {words} the threshold ({_fmt_num(self.threshold)})."
            else:
                text = (
                    f"Threshold Crossed: {count} out of the last {self.n} datapoints [{listed}] were not {words} "
                    f"the threshold ({_fmt_num(self.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
        start_w = min((w for w, _ in shown), default=when - timedelta(seconds=self.period))
        data = {
            "version": "1.0",
            "queryDate": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000",
            "startDate": _cw_ts(start_w),
            "statistic": self.statistic,
            "period": self.period,
            "recentDatapoints": [round(v, 4) for _, v in reversed(shown)],
            "threshold": float(self.threshold),
            "evaluatedDatapoints": [
                {"timestamp": _cw_ts(w), "sampleCount": 1.0, "value": round(v, 4)} for w, v in shown
            ],
        }
        if self.unit:
            data["unit"] = self.unit
        return text, data

    def _record(
        self, when: datetime, old: str, new: str, old_reason: str, old_data: Json, reason: str, data: Json
    ) -> None:
        old_state: Json = {
            "stateValue": old,
            "stateReason": old_reason or "Unchecked: Initial alarm creation",
        }
        if old_data:
            old_state["stateReasonData"] = old_data
        hist = {
            "version": "1.0",
            "oldState": old_state,
            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
        }
        self.history.append(
            {
                "AlarmName": self.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hist, separators=(",", ":")),
            }
        )
        if new == "ALARM" and self.actions:
            self.history.append(
                {
                    "AlarmName": self.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": (when + timedelta(milliseconds=180)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
                    + "Z",
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {self.actions[0]}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": ms(when),
                            "notificationResource": self.actions[0],
                            "publishedMessage": {"default": f'ALARM: "{self.name}" in {self.region}'},
                        },
                        separators=(",", ":"),
                    ),
                }
            )
        self.transitions.append((when, old, new))

    def item(self) -> Json:
        dims = [{"Name": k, "Value": v} for k, v in self.dims.items()]
        item: Json = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(self.configured),
            "ActionsEnabled": True,
            "OKActions": list(self.actions),
            "AlarmActions": list(self.actions),
            "InsufficientDataActions": [],
            "StateValue": self.state,
            "StateReason": self.reason,
            "StateReasonData": json.dumps(self.reason_data, separators=(",", ":")),
            "StateUpdatedTimestamp": iso_ms(self.updated),
            "MetricName": self.metric,
            "Namespace": self.namespace,
            "Statistic": self.statistic,
            "Dimensions": dims,
            "Period": self.period,
            "EvaluationPeriods": self.n,
            "DatapointsToAlarm": self.m,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.comparison,
            "TreatMissingData": self.treat_missing,
            "StateTransitionedTimestamp": iso_ms(self.updated),
        }
        if self.unit:
            item["Unit"] = self.unit
        return item

    def event(self, after: datetime | None = None) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event of a transition into ALARM: the first one
        after `after` when given, else the last one."""
        into = [tr for tr in self.transitions if tr[2] == "ALARM"]
        if after is not None:
            into = [tr for tr in into if tr[0] >= after][:1]
        when = into[-1][0]
        new_reason = ""
        old_reason = ""
        new_data = ""
        for h in self.history:
            if h["HistoryItemType"] != "StateUpdate" or h["Timestamp"] > iso_ms(when):
                continue
            d = json.loads(h["HistoryData"])
            if d["newState"]["stateValue"] == "ALARM":
                new_reason = d["newState"]["stateReason"]
                new_data = json.dumps(d["newState"]["stateReasonData"], separators=(",", ":"))
                old_reason = d["oldState"]["stateReason"]
        prev_time = self.configured
        for tr in self.transitions:
            if tr[0] < when:
                prev_time = tr[0]
        metric_stat: Json = {
            "metric": {
                "namespace": self.namespace,
                "name": self.metric,
                "dimensions": dict(self.dims),
            },
            "period": self.period,
            "stat": self.statistic,
        }
        if self.unit:
            metric_stat["unit"] = self.unit
        return {
            "version": "0",
            "id": uid(random.Random(self.arn + iso(when))),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {
                    "value": "ALARM",
                    "reason": new_reason,
                    "reasonData": new_data,
                    "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000",
                },
                "previousState": {
                    "value": "OK",
                    "reason": old_reason,
                    "timestamp": prev_time.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{prev_time.microsecond // 1000:03d}+0000",
                },
                "configuration": {
                    "description": self.description,
                    "metrics": [
                        {
                            "id": hexs(random.Random(self.arn), 8),
                            "metricStat": metric_stat,
                            "returnData": True,
                        }
                    ],
                },
            },
        }
