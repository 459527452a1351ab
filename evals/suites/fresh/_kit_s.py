"""Private helpers for kit `s` fresh incidents: ids, time, noise series, alarms, CloudTrail records."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]

CONSOLE_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """Timestamps as CloudWatch alarm history and reason data write them."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Ctx:
    """Everything one incident build accumulates."""

    def __init__(self, name: str, seed: int, region: str) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(100000000000, 999999999999))
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.alarm_history: list[Rec] = []
        self.logs: list[Rec] = []
        self.cloudtrail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.traces: list[Rec] = []

    # --- ids --------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def alnum(self, n: int, upper: bool = True) -> str:
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(chars) for _ in range(n))

    def ip(self, prefix: str) -> str:
        return f"{prefix}.{self.rng.randint(4, 250)}"

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # --- records ----------------------------------------------------------------------------------
    def resource(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def records(self) -> dict[str, list[Rec]]:
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.alarm_history.sort(key=lambda r: r["Timestamp"])
        out = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.alarm_history,
            "logs": self.logs,
            "cloudtrail": self.cloudtrail,
            "resources": self.resources,
            "events": self.events,
            "traces": self.traces,
        }
        return {k: v for k, v in out.items() if v}

    # --- metrics ----------------------------------------------------------------------------------
    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        fn: Callable[..., float | None],
        *,
        fine_from: datetime | None = None,
        coarse: int = 300,
        integer: bool = False,
    ) -> dict[datetime, float]:
        """Per-minute values from fn (None = not published). Minutes before `fine_from` are written as
        `coarse`-second statistic sets; the rest as 1-minute values. Returns the per-minute values."""
        values: dict[datetime, float] = {}
        t = minute(start)
        while t < end:
            v = fn(t)
            if v is not None:
                v = float(round(v)) if integer else round(max(v, 0.0), 4)
                values[t] = v
            t += timedelta(minutes=1)
        fine = fine_from or start
        buckets: dict[datetime, list[float]] = {}
        for t, v in values.items():
            if t >= fine:
                self.metrics.append(
                    {
                        "namespace": namespace,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": v,
                    }
                )
            else:
                epoch = int(t.timestamp())
                key = datetime.fromtimestamp(epoch - epoch % coarse, UTC)
                buckets.setdefault(key, []).append(v)
        for key in sorted(buckets):
            vs = buckets[key]
            self.metrics.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(key),
                    "unit": unit,
                    "statistic_values": {
                        "SampleCount": float(len(vs)),
                        "Sum": round(sum(vs), 4),
                        "Minimum": min(vs),
                        "Maximum": max(vs),
                    },
                }
            )
        return values

    def noise(self, base: float, rel: float) -> float:
        return base * (1.0 + self.rng.gauss(0.0, rel))


def diurnal(t: datetime, utc_offset_h: float, peak_hour: float = 14.0, low: float = 0.35) -> float:
    """A daily traffic shape between `low` and 1.0, peaking at local `peak_hour`."""
    local = (t.hour + t.minute / 60.0 + utc_offset_h) % 24
    phase = math.cos((local - peak_hour) / 24.0 * 2 * math.pi)
    return low + (1.0 - low) * (phase + 1) / 2


# --- alarms ---------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than", "not greater than"),
    "GreaterThanOrEqualToThreshold": (
        lambda v, th: v >= th,
        "greater than or equal to",
        "not greater than or equal to",
    ),
    "LessThanThreshold": (lambda v, th: v < th, "less than", "not less than"),
    "LessThanOrEqualToThreshold": (
        lambda v, th: v <= th,
        "less than or equal to",
        "not less than or equal to",
    ),
}


def _agg(vals: list[float], stat: str) -> float:
    if stat == "Sum":
        return sum(vals)
    if stat == "Maximum":
        return max(vals)
    if stat == "Minimum":
        return min(vals)
    if stat == "SampleCount":
        return float(len(vals))
    return sum(vals) / len(vals)


def _fmt(v: float) -> str:
    return repr(float(round(v, 4)))


class Alarm:
    """A metric alarm evaluated over a per-minute series, writing its item and its state history."""

    def __init__(
        self,
        ctx: Ctx,
        name: str,
        description: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        *,
        to_alarm: int | None = None,
        missing: str = "missing",
        actions: list[str] | None = None,
        unit: str | None = None,
        created: datetime,
        initial: str = "OK",
    ) -> None:
        self.initial = initial
        self.first_reason: tuple[str, str] | None = None
        self.ctx, self.name, self.description = ctx, name, description
        self.namespace, self.metric, self.dims = namespace, metric, dims
        self.stat, self.period, self.evals, self.threshold, self.op = stat, period, evals, threshold, op
        self.to_alarm = to_alarm or evals
        self.missing = missing
        self.actions = actions or []
        self.unit = unit
        self.created = created
        self.arn = ctx.arn("cloudwatch", f"alarm:{name}")
        self.last_change: tuple[str, str, str, str, str, datetime] | None = None
        self.transitions: list[tuple[datetime, str, str, str, str]] = []

    def _reason(self, pts: list[tuple[datetime, float]], breaching: bool, new: str) -> str:
        _, above, below = _OPS[self.op]
        shown = ", ".join(f"{_fmt(v)} ({t:%d/%m/%y %H:%M:%S})" for t, v in reversed(pts))
        n = len(pts)
        if new == "ALARM":
            verb = "was" if self.to_alarm == 1 and self.evals == 1 else "were"
            word = "datapoint" if self.to_alarm == 1 else "datapoints"
            return (
                f"Threshold Crossed: {self.to_alarm} out of the last {self.evals} datapoints [{shown}] {verb} "
                f"{above} the threshold ({_fmt(self.threshold)}) (minimum {self.to_alarm} {word} for "
                f"OK -> ALARM transition)."
            )
        if n == 0:
            return (
                f"Threshold Crossed: no datapoints were received for {self.evals} periods and "
                f"{self.evals} missing datapoints were treated as [NonBreaching]."
            )
        verb = "was" if n == 1 else "were"
        word = "datapoint" if n == 1 else "datapoints"
        return (
            f"Threshold Crossed: {n} {word} [{shown}] {verb} {below} the threshold ({_fmt(self.threshold)})."
        )

    def _reason_data(
        self, pts: list[tuple[datetime, float]], query: datetime, samples: dict[datetime, int]
    ) -> str:
        data: Rec = {
            "version": "1.0",
            "queryDate": iso_ms(query),
        }
        if pts:
            data["startDate"] = iso_ms(pts[0][0])
        data["statistic"] = self.stat
        data["period"] = self.period
        data["recentDatapoints"] = [round(v, 4) for _, v in pts]
        data["threshold"] = float(self.threshold)
        data["evaluatedDatapoints"] = [
            {"timestamp": iso_ms(t), "sampleCount": float(samples.get(t, 1)), "value": round(v, 4)}
            for t, v in reversed(pts)
        ]
        return json.dumps(data, separators=(",", ":"))

    def evaluate(self, values: dict[datetime, float], start: datetime, now: datetime) -> None:
        """Walk the series period by period; record state transitions up to `now`."""
        check = _OPS[self.op][0]
        step = timedelta(seconds=self.period)
        per: dict[datetime, list[float]] = {}
        for t, v in values.items():
            epoch = int(t.timestamp())
            key = datetime.fromtimestamp(epoch - epoch % self.period, UTC)
            per.setdefault(key, []).append(v)
        agg = {k: _agg(v, self.stat) for k, v in per.items()}
        samples = {k: len(v) for k, v in per.items()}
        epoch = int(start.timestamp())
        p = datetime.fromtimestamp(epoch - epoch % self.period, UTC) + step * self.evals
        state = self.initial
        delay = timedelta(seconds=self.ctx.rng.randint(35, 80))
        while p + step + delay <= now:
            window = [p - step * i for i in range(self.evals)]
            window.reverse()
            pts = [(w, agg[w]) for w in window if w in agg]
            breaching = [w for w in window if w in agg and check(agg[w], self.threshold)]
            missing_breach = self.missing == "breaching"
            nb = len(breaching) + (sum(1 for w in window if w not in agg) if missing_breach else 0)
            if nb >= self.to_alarm:
                new = "ALARM"
            elif pts or self.missing == "notBreaching":
                new = "OK"
            elif self.missing == "ignore":
                new = state
            else:
                new = "INSUFFICIENT_DATA"
            if self.first_reason is None:
                back = p - self.created
                old_pts = [(w - back, v) for w, v in pts[-1:]]
                old_samples = {w - back: samples.get(w, 1) for w, _ in pts[-1:]}
                when0 = self.created + step + delay
                self.first_reason = (
                    self._reason(old_pts, False, "OK"),
                    self._reason_data(old_pts, when0, old_samples),
                )
            if new != state:
                when = p + step + delay + timedelta(milliseconds=self.ctx.rng.randint(0, 999))
                shown = pts[-self.evals :] if new == "ALARM" else pts[-1:]
                if new == "ALARM":
                    shown = [pt for pt in pts if check(pt[1], self.threshold)] or pts
                reason = self._reason(shown, bool(breaching), new)
                rdata = self._reason_data(shown, when, samples)
                self._history(when, state, new, reason, rdata)
                state = new
            p += step
        self.final = state

    def _history(self, when: datetime, old: str, new: str, reason: str, rdata: str) -> None:
        prev = self.last_change
        old_state: Rec = {"stateValue": old}
        if prev is not None:
            old_state["stateReason"] = prev[3]
        elif self.first_reason is not None:
            old_state["stateReason"] = self.first_reason[0]
        else:
            old_state["stateReason"] = "Unchecked: Initial alarm creation"
        hd = {
            "version": "1.0",
            "oldState": old_state,
            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": json.loads(rdata)},
        }
        self.ctx.alarm_history.append(
            {
                "AlarmName": self.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(when).replace("+0000", "Z"),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hd, separators=(",", ":")),
            }
        )
        self.transitions.append((when, old, new, reason, rdata))
        self.last_change = (old, new, "", reason, rdata, when)

    def item(self) -> Rec:
        if self.last_change is None:
            reason, rdata = self.first_reason or ("Unchecked: Initial alarm creation", "")
            state, when = self.initial, self.created + timedelta(seconds=self.period + 61)
        else:
            state, reason, rdata, when = (
                self.last_change[1],
                self.last_change[3],
                self.last_change[4],
                self.last_change[5],
            )
        item: Rec = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.created),
            "ActionsEnabled": True,
            "OKActions": list(self.actions),
            "AlarmActions": list(self.actions),
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(when).replace("+0000", "Z"),
            "MetricName": self.metric,
            "Namespace": self.namespace,
            "Statistic": self.stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dims.items()],
            "Period": self.period,
            "EvaluationPeriods": self.evals,
            "DatapointsToAlarm": self.to_alarm,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.op,
            "TreatMissingData": self.missing,
            "StateTransitionedTimestamp": iso_ms(when).replace("+0000", "Z"),
        }
        if rdata:
            item["StateReasonData"] = rdata
        if self.unit:
            item["Unit"] = self.unit
        return item

    def publish(self) -> None:
        self.ctx.alarms.append(self.item())

    def event(self, index: int = -1) -> Rec:
        """The EventBridge "CloudWatch Alarm State Change" event of one transition."""
        when, old, new, reason, rdata = self.transitions[index]
        if index == 0 or len(self.transitions) < 2:
            prev_reason, prev_data = self.first_reason or ("Unchecked: Initial alarm creation", "")
            prev_when = self.created
        else:
            pw, _, _, prev_reason, prev_data = self.transitions[index - 1]
            prev_when = pw
        prev: Rec = {"value": old, "reason": prev_reason, "timestamp": iso_ms(prev_when)}
        if prev_data:
            prev["reasonData"] = prev_data
        metric_stat: Rec = {
            "metric": {"namespace": self.namespace, "name": self.metric, "dimensions": dict(self.dims)},
            "period": self.period,
            "stat": self.stat,
        }
        if self.unit:
            metric_stat["unit"] = self.unit
        return {
            "version": "0",
            "id": self.ctx.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.ctx.account,
            "time": iso(when),
            "region": self.ctx.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {"value": new, "reason": reason, "reasonData": rdata, "timestamp": iso_ms(when)},
                "previousState": prev,
                "configuration": {
                    "description": self.description,
                    "metrics": [
                        {
                            "id": self.ctx.hex(8),
                            "metricStat": metric_stat,
                            "returnData": True,
                        }
                    ],
                },
            },
        }


# --- CloudTrail -------------------------------------------------------------------------------------


class Principal:
    """Who made a call: an SSO user, a CI role, an AWS service role or a service itself."""

    def __init__(
        self,
        ctx: Ctx,
        kind: str,
        role: str,
        session: str,
        *,
        ip: str,
        agent: str,
        invoked_by: str | None = None,
        path: str = "",
    ) -> None:
        self.ctx, self.kind, self.role, self.session = ctx, kind, role, session
        self.ip, self.agent, self.invoked_by = ip, agent, invoked_by
        self.path = path
        self.role_id = "AROA" + ctx.alnum(17)
        self.key = "ASIA" + ctx.alnum(16)

    def identity(self, t: datetime) -> Rec:
        acct = self.ctx.account
        if self.kind == "AWSService":
            return {"type": "AWSService", "invokedBy": self.invoked_by or self.agent}
        issued = minute(t) - timedelta(minutes=(t.minute % 50) + 3)
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{acct}:assumed-role/{self.role}/{self.session}",
            "accountId": acct,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": f"arn:aws:iam::{acct}:role/{self.path}{self.role}",
                    "accountId": acct,
                    "userName": self.role,
                },
                "attributes": {"creationDate": iso(issued), "mfaAuthenticated": "false"},
            },
        }
        if self.invoked_by:
            ident["invokedBy"] = self.invoked_by
        return ident


def sso_user(ctx: Ctx, email: str, permission_set: str = "PowerUserAccess") -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{ctx.hex(16)}"
    return Principal(
        ctx,
        "sso",
        role,
        email,
        ip=f"{ctx.rng.choice(['81.2', '86.145', '92.40', '73.162', '98.207'])}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}",
        agent=CONSOLE_UA,
        path="aws-reserved/sso.amazonaws.com/",
    )


def ci_role(ctx: Ctx, role: str, session: str, agent: str) -> Principal:
    return Principal(
        ctx,
        "ci",
        role,
        session,
        ip=f"{ctx.rng.choice(['4.227', '20.42', '52.160', '172.183'])}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}",
        agent=agent,
    )


def service_role(ctx: Ctx, role: str, session: str, service: str) -> Principal:
    return Principal(
        ctx,
        "svc",
        role,
        session,
        ip=service,
        agent=service,
        invoked_by=service,
        path=f"aws-service-role/{service}/" if role.startswith("AWSServiceRole") else "",
    )


def aws_service(ctx: Ctx, service: str) -> Principal:
    return Principal(ctx, "AWSService", "", "", ip=service, agent=service, invoked_by=service)


TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.58.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.4 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}#{ver}"
)


def cli_ua(command: str) -> str:
    return (
        "aws-cli/2.17.21 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 "
        f"md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{command}"
    )


def ct(
    ctx: Ctx,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    req: Rec | None = None,
    resp: Rec | None = None,
    *,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    extra: Rec | None = None,
    agent: str | None = None,
) -> str:
    """Append one CloudTrail record; return its eventID."""
    event_id = ctx.uuid()
    rec: Rec = {
        "eventVersion": "1.10" if source in ("ec2.amazonaws.com", "lambda.amazonaws.com") else "1.09",
        "userIdentity": who.identity(t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": ctx.region,
        "sourceIPAddress": who.ip,
        "userAgent": agent or who.agent,
        "requestParameters": req,
        "responseElements": resp,
        "requestID": ctx.uuid(),
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ctx.account,
        "eventCategory": "Management",
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    if who.kind != "AWSService" and who.kind != "svc":
        host = source.replace(".amazonaws.com", f".{ctx.region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if who.kind == "sso" and rec["userAgent"] == CONSOLE_UA:
        rec["sessionCredentialFromConsole"] = "true"
    if extra:
        rec.update(extra)
    ctx.cloudtrail.append(rec)
    return event_id


def routine_reads(
    ctx: Ctx,
    start: datetime,
    end: datetime,
    calls: Sequence[tuple[Principal, str, str, Mapping[str, Any] | None]],
    n: int,
) -> None:
    """Scatter n read-only calls (principal, source, name, params) over start..end."""
    span = int((end - start).total_seconds())
    for _ in range(n):
        who, source, name, req = ctx.rng.choice(calls)
        t = start + timedelta(seconds=ctx.rng.randint(0, span))
        ct(ctx, t, who, source, name, dict(req) if req is not None else None, None, read_only=True)


# --- common resource items ---------------------------------------------------------------------------


def tags(**kv: str) -> list[Rec]:
    return [{"Key": k.replace("_", ":") if k.startswith("aws_") else k, "Value": v} for k, v in kv.items()]


def log_group(ctx: Ctx, name: str, created: datetime, retention: int | None = 30) -> Rec:
    item: Rec = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": ctx.arn("logs", f"log-group:{name}:*"),
        "storedBytes": ctx.rng.randint(10**7, 10**10),
        "logGroupClass": "STANDARD",
        "logGroupArn": ctx.arn("logs", f"log-group:{name}"),
    }
    if retention:
        item["retentionInDays"] = retention
    return item


def lambda_fn(
    ctx: Ctx,
    name: str,
    *,
    runtime: str,
    handler: str,
    role: str,
    modified: datetime,
    memory: int,
    timeout: int,
    env: dict[str, str] | None = None,
    vpc: tuple[list[str], list[str], str] | None = None,
    description: str = "",
) -> Rec:
    item: Rec = {
        "FunctionName": name,
        "FunctionArn": ctx.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{ctx.account}:role/{role}",
        "Handler": handler,
        "CodeSize": ctx.rng.randint(400_000, 9_000_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ctx.rng.randint(0, 999):03d}+0000",
        "CodeSha256": ctx.alnum(43, upper=False).replace("x", "X") + "=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": ctx.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": f"arn:aws:lambda:{ctx.region}::runtime:{ctx.hex(64)}"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env is not None:
        item["Environment"] = {"Variables": env}
    if vpc is not None:
        item["VpcConfig"] = {
            "SubnetIds": vpc[0],
            "SecurityGroupIds": vpc[1],
            "VpcId": vpc[2],
            "Ipv6AllowedForDualStack": False,
        }
    return item


def report_line(req_id: str, duration: float, memory: int, used: int, init: float | None = None) -> str:
    billed = max(1, math.ceil(duration))
    line = (
        f"REPORT RequestId: {req_id}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
    )
    if init is not None:
        line += f"Init Duration: {init:.2f} ms\t"
    return line


# --- EC2 / ELB / Auto Scaling items --------------------------------------------------------------------


def instance(
    ctx: Ctx,
    iid: str,
    *,
    az: str,
    subnet: str,
    vpc: str,
    ip: str,
    sgs: list[tuple[str, str]],
    ami: str,
    itype: str,
    launched: datetime,
    name: str,
    asg: str | None,
    profile: str,
    state: str = "running",
    lt: tuple[str, str, str] | None = None,
) -> Rec:
    eni = f"eni-0{ctx.hex(16)}"
    dns = f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal"
    groups = [{"GroupId": g, "GroupName": n} for g, n in sgs]
    tag_list = [{"Key": "Name", "Value": name}]
    if asg:
        tag_list.append({"Key": "aws:autoscaling:groupName", "Value": asg})
    if lt:
        tag_list += [
            {"Key": "aws:ec2launchtemplate:id", "Value": lt[0]},
            {"Key": "aws:ec2launchtemplate:version", "Value": lt[2]},
        ]
    codes = {
        "pending": 0,
        "running": 16,
        "shutting-down": 32,
        "terminated": 48,
        "stopping": 64,
        "stopped": 80,
    }
    item: Rec = {
        "InstanceId": iid,
        "ImageId": ami,
        "State": {"Code": codes[state], "Name": state},
        "PrivateDnsName": dns,
        "PublicDnsName": "",
        "StateTransitionReason": "",
        "AmiLaunchIndex": 0,
        "ProductCodes": [],
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "disabled"},
        "SubnetId": subnet,
        "VpcId": vpc,
        "PrivateIpAddress": ip,
        "Architecture": "arm64" if "g." in itype else "x86_64",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": f"vol-0{ctx.hex(16)}",
                },
            }
        ],
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{ctx.account}:instance-profile/{profile}",
            "Id": "AIPA" + ctx.alnum(17),
        },
        "ClientToken": ctx.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": f"eni-attach-0{ctx.hex(16)}",
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": groups,
                "Ipv6Addresses": [],
                "MacAddress": ":".join(ctx.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": ctx.account,
                "PrivateDnsName": dns,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": subnet,
                "VpcId": vpc,
                "InterfaceType": "interface",
            }
        ],
        "SecurityGroups": groups,
        "SourceDestCheck": True,
        "Tags": tag_list,
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 2, "ThreadsPerCore": 1},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "BootMode": "uefi" if "g." in itype else "uefi-preferred",
        "CurrentInstanceBootMode": "uefi" if "g." in itype else "legacy-bios",
    }
    if state == "terminated":
        item["StateTransitionReason"] = f"User initiated ({launched:%Y-%m-%d %H:%M:%S} GMT)"
        item["StateReason"] = {
            "Code": "Client.UserInitiatedShutdown",
            "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
        }
    return item


def instance_status(iid: str, az: str, ok: bool = True, initializing: bool = False) -> Rec:
    status = "initializing" if initializing else ("ok" if ok else "impaired")
    detail = "initializing" if initializing else ("passed" if ok else "failed")
    return {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": {"Details": [{"Name": "reachability", "Status": detail}], "Status": status},
        "SystemStatus": {"Details": [{"Name": "reachability", "Status": detail}], "Status": status},
        "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": detail}], "Status": status},
    }


def alb(ctx: Ctx, name: str, vpc: str, subnets: list[tuple[str, str]], sg: str, created: datetime) -> Rec:
    h = ctx.hex(16)
    return {
        "LoadBalancerArn": ctx.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{h}"),
        "DNSName": f"{name}-{ctx.rng.randint(100000000, 1999999999)}.{ctx.region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
        "CreatedTime": iso(created),
        "LoadBalancerName": name,
        "Scheme": "internet-facing",
        "VpcId": vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": s, "LoadBalancerAddresses": []} for s, az in subnets
        ],
        "SecurityGroups": [sg],
        "IpAddressType": "ipv4",
    }


def alb_dim(lb: Rec) -> str:
    return "app/" + str(lb["LoadBalancerArn"]).split(":loadbalancer/app/")[1]


def target_group(ctx: Ctx, name: str, vpc: str, lb_arn: str, port: int, path: str) -> Rec:
    return {
        "TargetGroupArn": ctx.arn("elasticloadbalancing", f"targetgroup/{name}/{ctx.hex(16)}"),
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": vpc,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": "instance",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }


def tg_dim(tg: Rec) -> str:
    return "targetgroup/" + str(tg["TargetGroupArn"]).split(":targetgroup/")[1]
