"""Private helpers for author j's fresh incidents: ids, noise, metric series, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

MINUTE = timedelta(minutes=1)

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """CloudWatch's alarm-reason style: 2024-05-14T14:03:00.000+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Ctx:
    """Everything random in one incident, drawn from one seeded generator."""

    def __init__(self, name: str, seed: int) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.account = str(self.rng.randint(2 * 10**11, 9 * 10**11 - 1))
        self.region = self.rng.choice(REGIONS)
        self.az_map: dict[str, int] | None = None

    # ids -----------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, upper: bool = True) -> str:
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(chars) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        variant = self.rng.choice("89ab")
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def az(self, letter: str) -> str:
        return f"{self.region}{letter}"

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def private_ip(self, third: int) -> str:
        return f"10.{self.vpc_octet}.{third}.{self.rng.randint(10, 250)}"

    @property
    def vpc_octet(self) -> int:
        if not hasattr(self, "_octet"):
            self._octet = self.rng.choice([16, 20, 24, 32, 40, 48, 64, 96, 112])
        return self._octet

    def gauss(self, mu: float, sigma: float) -> float:
        return self.rng.gauss(mu, sigma)

    def jitter(self, value: float, rel: float) -> float:
        return value * (1.0 + self.rng.gauss(0.0, rel))


# --- daily shape ----------------------------------------------------------------------------------


def diurnal(t: datetime, utc_offset_h: float, peak_hour: float = 14.0, low: float = 0.35) -> float:
    """A smooth daily load factor between `low` and 1.0, peaking at `peak_hour` local time."""
    local = (t.hour + t.minute / 60.0 + utc_offset_h) % 24.0
    phase = math.cos((local - peak_hour) / 24.0 * 2 * math.pi)
    return low + (1.0 - low) * (phase + 1.0) / 2.0


# --- metrics --------------------------------------------------------------------------------------


class Metrics:
    """Collects datapoints: 1-minute values from `fine_from` on, coarser statistic sets before it."""

    def __init__(
        self, ctx: Ctx, start: datetime, now: datetime, fine_from: datetime, coarse_min: int = 5
    ) -> None:
        self.ctx = ctx
        self.start = floor_min(start)
        self.now = now
        self.fine_from = floor_min(fine_from)
        self.coarse_min = coarse_min
        self.points: list[dict[str, Any]] = []
        self.stages: list[tuple[datetime, int]] = []

    def with_stages(self, stages: list[tuple[datetime, int]]) -> Metrics:
        """Resolution per span: [(from, minutes), ...] ascending; overrides fine_from/coarse_min."""
        self.stages = stages
        return self

    def _buckets(self, step_min: int = 1) -> Iterable[tuple[datetime, int]]:
        stages = self.stages or [(self.start, self.coarse_min), (self.fine_from, 1)]
        last = self.now - MINUTE  # the minute in progress is not complete
        for i, (frm, res) in enumerate(stages):
            res = max(res, step_min)
            until = stages[i + 1][0] if i + 1 < len(stages) else last + MINUTE
            t = max(floor_min(frm), self.start)
            while t < until and t <= last:
                n = min(res, int((min(until, last + MINUTE) - t).total_seconds() // 60))
                if n <= 0:
                    break
                yield t, n
                t += timedelta(minutes=res)

    def add(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        *,
        sparse: bool = False,
        decimals: int = 4,
        step_min: int = 1,
        dist: Callable[[datetime, float], tuple[list[float], list[float]]] | None = None,
    ) -> None:
        """One series. fn(t) is the per-minute value (None: no datapoint). `sparse`: zero is not published.
        `step_min` > 1: the service publishes only every step_min minutes (EC2 basic monitoring)."""
        for t, n in self._buckets(step_min):
            if n == 1 or (step_min > 1 and n == step_min):
                v = fn(t)
                if v is None or (sparse and v == 0):
                    continue
                if dist is not None:
                    values, counts = dist(t, v)
                    if values:
                        self.points.append(
                            {
                                "namespace": namespace,
                                "metric": metric,
                                "dimensions": dims,
                                "timestamp": iso(t),
                                "unit": unit,
                                "values": values,
                                "counts": counts,
                            }
                        )
                    continue
                self.points.append(
                    {
                        "namespace": namespace,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(v, decimals),
                    }
                )
                continue
            vals: list[float] = []
            for k in range(0, n, step_min):
                v = fn(t + timedelta(minutes=k))
                if v is None or (sparse and v == 0):
                    continue
                vals.append(round(v, decimals))
            if not vals:
                continue
            self.points.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "statistic_values": {
                        "SampleCount": float(len(vals)),
                        "Sum": round(sum(vals), decimals),
                        "Minimum": min(vals),
                        "Maximum": max(vals),
                    },
                }
            )


def latency_dist(rng: random.Random, mean: float, n: float) -> tuple[list[float], list[float]]:
    """A small right-skewed distribution of `n` samples averaging about `mean` (seconds)."""
    shape = [(0.35, 0.10), (0.6, 0.25), (0.85, 0.30), (1.1, 0.20), (1.6, 0.10), (2.8, 0.04), (5.0, 0.01)]
    values: list[float] = []
    counts: list[float] = []
    total = max(1.0, round(n))
    for f, w in shape:
        c = round(total * w * rng.uniform(0.85, 1.15))
        if c <= 0:
            continue
        values.append(round(mean * f * rng.uniform(0.93, 1.07), 6))
        counts.append(float(c))
    return values, counts


# --- CloudTrail -----------------------------------------------------------------------------------


class Principal:
    """Who made a call, as CloudTrail's userIdentity shows it."""

    def __init__(
        self,
        ctx: Ctx,
        role: str,
        session: str,
        *,
        agent: str,
        ip: str,
        path: str = "/",
        console: bool = False,
        service: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.role = role
        self.session = session
        self.agent = agent
        self.ip = ip
        self.path = path
        self.console = console
        self.service = service
        self.role_id = "AROA" + ctx.alnum(17)
        self.key = "ASIA" + ctx.alnum(16)

    def identity(self, t: datetime) -> dict[str, Any]:
        if self.service:
            return {"type": "AWSService", "invokedBy": self.service}
        a = self.ctx.account
        created = t - timedelta(minutes=(hash_minutes(self.session, t) % 50) + 1)
        return {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{a}:assumed-role/{self.role}/{self.session}",
            "accountId": a,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": f"arn:aws:iam::{a}:role{self.path}{self.role}",
                    "accountId": a,
                    "userName": self.role,
                },
                "attributes": {
                    "creationDate": iso(created),
                    "mfaAuthenticated": "false",
                },
            },
        }


def hash_minutes(s: str, t: datetime) -> int:
    h = 0
    for ch in f"{s}{t:%Y%m%d%H}":
        h = (h * 131 + ord(ch)) % 1000003
    return h


def sso(ctx: Ctx, perm_set: str, user: str, ip: str) -> Principal:
    return Principal(
        ctx,
        f"AWSReservedSSO_{perm_set}_{ctx.hex(16)}",
        user,
        agent="AWS Internal",
        ip=ip,
        path="/aws-reserved/sso.amazonaws.com/",
        console=True,
    )


def sso_cli(ctx: Ctx, perm_set: str, user: str, ip: str) -> Principal:
    p = sso(ctx, perm_set, user, ip)
    p.console = False
    p.agent = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/" + "{cmd}"
    return p


TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)


def trail(
    ctx: Ctx,
    p: Principal,
    t: datetime,
    source: str,
    name: str,
    params: dict[str, Any] | None,
    response: dict[str, Any] | None = None,
    *,
    read_only: bool | None = None,
    resources: list[dict[str, Any]] | None = None,
    error: tuple[str, str] | None = None,
    api: str = "",
) -> dict[str, Any]:
    """A CloudTrail record as delivered to S3."""
    if read_only is None:
        read_only = name.startswith(("Describe", "Get", "List", "Lookup"))
    host = f"{source.split('.')[0]}.{ctx.region}.amazonaws.com"
    agent = p.agent.replace("{api}", api or source.split(".")[0]).replace("{cmd}", api or "unknown")
    rec: dict[str, Any] = {
        "eventVersion": "1.09" if source.startswith(("ec2", "sqs")) else "1.08",
        "userIdentity": p.identity(t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": ctx.region,
        "sourceIPAddress": p.service if p.service else p.ip,
        "userAgent": p.service if p.service else agent,
        "requestParameters": params,
        "responseElements": response,
        "requestID": ctx.uuid(),
        "eventID": ctx.uuid(),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ctx.account,
        "eventCategory": "Management",
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    if resources:
        rec["resources"] = resources
    if not p.service:
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if p.console:
        rec["sessionCredentialFromConsole"] = "true"
    return rec


def routine_reads(
    ctx: Ctx,
    principals: list[Principal],
    start: datetime,
    now: datetime,
    menu: list[tuple[str, str, dict[str, Any] | None]],
    n: int,
) -> list[dict[str, Any]]:
    """n read-only calls spread over start..now by the given principals."""
    out = []
    span = int((now - start).total_seconds())
    for _ in range(n):
        p = ctx.rng.choice(principals)
        source, name, params = ctx.rng.choice(menu)
        t = start + timedelta(seconds=ctx.rng.randint(60, span - 120))
        out.append(trail(ctx, p, t, source, name, params, None, read_only=True))
    return out


def assume_role_record(ctx: Ctx, t: datetime, role_arn: str, session: str, by_service: str) -> dict[str, Any]:
    """An AWS service assuming a role (ECS task, Lambda, EC2 instance profile refresh)."""
    p = Principal(ctx, "", "", agent=by_service, ip=by_service, service=by_service)
    key = "ASIA" + ctx.alnum(16)
    return trail(
        ctx,
        p,
        t,
        "sts.amazonaws.com",
        "AssumeRole",
        {"roleArn": role_arn, "roleSessionName": session},
        {
            "credentials": {
                "accessKeyId": key,
                "sessionToken": "IQoJb3JpZ2luX2VjE" + ctx.alnum(40, upper=False),
                "expiration": (t + timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
            },
            "assumedRoleUser": {
                "assumedRoleId": "AROA" + ctx.alnum(17) + ":" + session,
                "arn": role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")
                + "/"
                + session,
            },
        },
        read_only=True,
        resources=[{"accountId": ctx.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
    )


# --- alarms ---------------------------------------------------------------------------------------

_CMP_TEXT = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def _breach(cmp: str, v: float, thr: float) -> bool:
    return {
        "GreaterThanThreshold": v > thr,
        "GreaterThanOrEqualToThreshold": v >= thr,
        "LessThanThreshold": v < thr,
        "LessThanOrEqualToThreshold": v <= thr,
    }[cmp]


def _fmt(v: float) -> str:
    r = round(v, 10)
    if r == int(r):
        return f"{r:.1f}"
    return repr(r)


class Alarm:
    """A metric alarm evaluated over a per-period series, producing its history and final item."""

    def __init__(
        self,
        ctx: Ctx,
        name: str,
        *,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evaluation_periods: int,
        datapoints_to_alarm: int,
        threshold: float,
        comparison: str,
        description: str,
        topic_arn: str,
        treat_missing: str = "missing",
        unit: str | None = None,
        created: datetime,
    ) -> None:
        self.ctx = ctx
        self.name = name
        self.arn = ctx.arn("cloudwatch", f"alarm:{name}")
        self.namespace = namespace
        self.metric = metric
        self.dims = dims
        self.stat = stat
        self.period = period
        self.n = evaluation_periods
        self.m = datapoints_to_alarm
        self.threshold = threshold
        self.cmp = comparison
        self.description = description
        self.topic = topic_arn
        self.treat_missing = treat_missing
        self.unit = unit
        self.created = created
        self.history: list[dict[str, Any]] = []
        self.state = "OK"
        self.reason = ""
        self.reason_data = ""
        self.updated = created
        self.transitions: list[tuple[datetime, str, str, str, str]] = []  # t, old, new, reason, data

    def evaluate(
        self,
        series: Callable[[datetime], float | None],
        frm: datetime,
        until: datetime,
        sample_count: float | Callable[[datetime], float],
    ) -> None:
        """Walk period by period from `frm` to `until` (period-end + ~40 s lag), recording transitions."""
        step = timedelta(seconds=self.period)
        t0 = frm
        t = t0
        self.state = "OK"
        self.reason = (
            f"Threshold Crossed: {self.m} datapoint{'s' if self.m > 1 else ''} were not "
            f"{_CMP_TEXT[self.cmp]} the threshold ({_fmt(self.threshold)})."
        )
        while True:
            eval_at = t + step + timedelta(seconds=35 + (hash_minutes(self.name, t) % 40))
            if eval_at > until:
                break
            window = [t - step * k for k in range(self.n)]  # newest first
            vals = [(w, series(w)) for w in window]
            present = [(w, v) for w, v in vals if v is not None]
            breaching = [(w, v) for w, v in present if _breach(self.cmp, v, self.threshold)]
            if self.treat_missing == "breaching":
                nb = len(breaching) + (len(vals) - len(present))
            else:
                nb = len(breaching)
            new = self.state
            if nb >= self.m:
                new = "ALARM"
            elif self.state == "ALARM" and present and nb < self.m:
                new = "OK"
            if new != self.state:
                self._transition(eval_at, new, present, sample_count)
            t += step
        self.state_after = self.state

    def _transition(
        self,
        at: datetime,
        new: str,
        present: list[tuple[datetime, float]],
        sample_count: float | Callable[[datetime], float],
    ) -> None:
        ts = at.strftime("%d/%m/%y %H:%M:%S")
        if new == "ALARM":
            shown = [(w, v) for w, v in present if _breach(self.cmp, v, self.threshold)][: self.n]
            verb = "were" if len(shown) != 1 else "was"
            reason = (
                f"Threshold Crossed: {len(shown)} out of the last {self.n} datapoints "
                f"[{', '.join(f'{_fmt(v)} ({w:%d/%m/%y %H:%M:%S})' for w, v in shown)}] {verb} "
                f"{_CMP_TEXT[self.cmp]} the threshold ({_fmt(self.threshold)}) "
                f"(minimum {self.m} datapoint{'s' if self.m > 1 else ''} for OK -> ALARM transition)."
            )
        else:
            shown = present[:1]
            reason = (
                f"Threshold Crossed: 1 out of the last {self.n} datapoints "
                f"[{', '.join(f'{_fmt(v)} ({w:%d/%m/%y %H:%M:%S})' for w, v in shown)}] was not "
                f"{_CMP_TEXT[self.cmp]} the threshold ({_fmt(self.threshold)}) "
                f"(minimum 1 datapoint for ALARM -> OK transition)."
            )
        del ts
        oldest = min(w for w, _ in present)
        data = {
            "version": "1.0",
            "queryDate": iso_ms(at),
            "startDate": iso_ms(oldest),
            ("extendedStatistic" if self.stat.startswith("p") else "statistic"): self.stat,
            "period": self.period,
            "recentDatapoints": [round(v, 6) for _, v in sorted(present)],
            "threshold": self.threshold,
            "evaluatedDatapoints": [
                {
                    "timestamp": iso_ms(w),
                    "sampleCount": float(sample_count(w) if callable(sample_count) else sample_count),
                    "value": round(v, 6),
                }
                for w, v in shown
            ],
        }
        old = self.state
        old_reason = self.reason
        data_s = json.dumps(data, separators=(",", ":"))
        self.history.append(
            {
                "AlarmName": self.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(at).replace("+0000", "Z"),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old, "stateReason": old_reason},
                        "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                    },
                    separators=(",", ":"),
                ),
            }
        )
        act_at = at + timedelta(milliseconds=180 + hash_minutes(self.name, at) % 500)
        self.history.append(
            {
                "AlarmName": self.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(act_at).replace("+0000", "Z"),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {self.topic}",
                "HistoryData": json.dumps(
                    {
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": int(at.timestamp() * 1000),
                        "notificationResource": self.topic,
                        "publishedMessage": {"default": f"alarm {self.name} {new}"},
                    },
                    separators=(",", ":"),
                ),
            }
        )
        self.transitions.append((at, old, new, reason, data_s))
        self.state = new
        self.reason = reason
        self.reason_data = data_s
        self.updated = at

    def item(self) -> dict[str, Any]:
        it: dict[str, Any] = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.created),
            "ActionsEnabled": True,
            "OKActions": [self.topic],
            "AlarmActions": [self.topic],
            "InsufficientDataActions": [],
            "StateValue": self.state,
            "StateReason": self.reason,
            "StateUpdatedTimestamp": iso_ms(self.updated).replace("+0000", "Z"),
            "MetricName": self.metric,
            "Namespace": self.namespace,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dims.items()],
            "Period": self.period,
            "EvaluationPeriods": self.n,
            "DatapointsToAlarm": self.m,
            "Threshold": self.threshold,
            "ComparisonOperator": self.cmp,
            "TreatMissingData": self.treat_missing,
            "StateTransitionedTimestamp": iso_ms(self.updated).replace("+0000", "Z"),
        }
        if self.reason_data:
            it["StateReasonData"] = self.reason_data
        if self.stat.startswith("p"):
            it["ExtendedStatistic"] = self.stat
        else:
            it["Statistic"] = self.stat
        if self.unit:
            it["Unit"] = self.unit
        return it

    def event(self, index: int = -1) -> dict[str, Any]:
        """The EventBridge "CloudWatch Alarm State Change" event for one transition."""
        at, old, new, reason, data = self.transitions[index]
        prev_reason = self.transitions[index - 1][3] if len(self.transitions) > 1 and index != 0 else ""
        prev_at = self.transitions[index - 1][0] if len(self.transitions) > 1 and index != 0 else self.created
        stat_key = "stat"
        return {
            "version": "0",
            "id": self.ctx.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.ctx.account,
            "time": iso(at),
            "region": self.ctx.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {"value": new, "reason": reason, "reasonData": data, "timestamp": iso_ms(at)},
                "previousState": {
                    "value": old,
                    "reason": prev_reason
                    or f"Threshold Crossed: {self.m} datapoints were not {_CMP_TEXT[self.cmp]} the threshold ({_fmt(self.threshold)}).",
                    "timestamp": iso_ms(prev_at),
                },
                "configuration": {
                    "description": self.description,
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": self.namespace,
                                    "name": self.metric,
                                    "dimensions": dict(self.dims),
                                },
                                "period": self.period,
                                stat_key: self.stat,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


def ok_alarm(
    ctx: Ctx,
    name: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    n: int,
    threshold: float,
    cmp: str,
    description: str,
    topic: str,
    created: datetime,
    since: datetime,
    unit: str | None = None,
) -> dict[str, Any]:
    """An alarm that stayed OK the whole window."""
    a = Alarm(
        ctx,
        name,
        namespace=namespace,
        metric=metric,
        dims=dims,
        stat=stat,
        period=period,
        evaluation_periods=n,
        datapoints_to_alarm=n,
        threshold=threshold,
        comparison=cmp,
        description=description,
        topic_arn=topic,
        created=created,
        unit=unit,
    )
    a.updated = since
    a.reason = (
        f"Threshold Crossed: {n} datapoint{'s' if n > 1 else ''} were not {_CMP_TEXT[cmp]} "
        f"the threshold ({_fmt(threshold)})."
    )
    return a.item()


# --- resources ------------------------------------------------------------------------------------


def tags(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def instance(
    ctx: Ctx,
    iid: str,
    itype: str,
    az: str,
    subnet: str,
    vpc: str,
    ip: str,
    sgs: list[tuple[str, str]],
    launched: datetime,
    name_tags: dict[str, str],
    volumes: list[tuple[str, str]],
    profile: str | None = None,
    ami: str | None = None,
) -> dict[str, Any]:
    eni = ctx.rid("eni")
    item: dict[str, Any] = {
        "AmiLaunchIndex": 0,
        "ImageId": ami or ctx.rid("ami"),
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal"
        if ctx.region != "us-east-1"
        else f"ip-{ip.replace('.', '-')}.ec2.internal",
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": 16, "Name": "running"},
        "StateTransitionReason": "",
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": "x86_64" if not itype.split(".")[0].endswith("g") else "arm64",
        "BlockDeviceMappings": [
            {
                "DeviceName": dev,
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=2)),
                    "DeleteOnTermination": dev == "/dev/xvda",
                    "Status": "attached",
                    "VolumeId": vol,
                },
            }
            for dev, vol in volumes
        ],
        "ClientToken": ctx.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": ctx.rid("eni-attach"),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(ctx.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": ctx.account,
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal",
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": subnet,
                "VpcId": vpc,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": tags(name_tags),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 2, "ThreadsPerCore": 2},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
        },
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "CurrentInstanceBootMode": "legacy-bios",
    }
    if profile:
        item["IamInstanceProfile"] = {
            "Arn": f"arn:aws:iam::{ctx.account}:instance-profile/{profile}",
            "Id": "AIPA" + ctx.alnum(17),
        }
    return item


def instance_status(
    iid: str, az: str, system: str = "ok", inst: str = "ok", events: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    def summ(s: str) -> dict[str, Any]:
        return {
            "Status": s,
            "Details": [{"Name": "reachability", "Status": "passed" if s == "ok" else "failed"}],
        }

    it: dict[str, Any] = {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": summ(inst),
        "SystemStatus": summ(system),
        "AttachedEbsStatus": {
            "Status": "ok",
            "Details": [{"Name": "reachability", "Status": "passed"}],
        },
    }
    if events:
        it["Events"] = events
    return it


def volume(
    ctx: Ctx,
    vid: str,
    az: str,
    size: int,
    iops: int,
    throughput: int,
    created: datetime,
    iid: str,
    device: str,
    name_tags: dict[str, str],
) -> dict[str, Any]:
    return {
        "Attachments": [
            {
                "AttachTime": iso(created + timedelta(seconds=5)),
                "Device": device,
                "InstanceId": iid,
                "State": "attached",
                "VolumeId": vid,
                "DeleteOnTermination": device == "/dev/xvda",
            }
        ],
        "AvailabilityZone": az,
        "CreateTime": iso(created),
        "Encrypted": True,
        "KmsKeyId": ctx.arn("kms", f"key/{ctx.uuid()}"),
        "Size": size,
        "SnapshotId": "",
        "State": "in-use",
        "VolumeId": vid,
        "Iops": iops,
        "Tags": tags(name_tags),
        "VolumeType": "gp3",
        "MultiAttachEnabled": False,
        "Throughput": throughput,
    }


def subnet(ctx: Ctx, sid: str, vpc: str, az: str, cidr: str, name: str, free: int) -> dict[str, Any]:
    return {
        "AvailabilityZone": az,
        "AvailabilityZoneId": az_id(ctx, az),
        "AvailableIpAddressCount": free,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": False,
        "State": "available",
        "SubnetId": sid,
        "VpcId": vpc,
        "OwnerId": ctx.account,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": tags({"Name": name}),
        "SubnetArn": ctx.arn("ec2", f"subnet/{sid}"),
    }


def vpc(ctx: Ctx, vid: str, name: str) -> dict[str, Any]:
    cidr = f"10.{ctx.vpc_octet}.0.0/16"
    return {
        "CidrBlock": cidr,
        "DhcpOptionsId": ctx.rid("dopt"),
        "State": "available",
        "VpcId": vid,
        "OwnerId": ctx.account,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": ctx.rid("vpc-cidr-assoc"),
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": False,
        "Tags": tags({"Name": name}),
    }


def sg_rule(
    proto: str,
    port: int | None,
    *,
    cidr: str | None = None,
    group: str | None = None,
    desc: str = "",
    account: str = "",
) -> dict[str, Any]:
    r: dict[str, Any] = {
        "IpProtocol": proto,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if port is not None:
        r["FromPort"] = port
        r["ToPort"] = port
    if cidr:
        r["IpRanges"] = [{"CidrIp": cidr, **({"Description": desc} if desc else {})}]
    if group:
        r["UserIdGroupPairs"] = [
            {"GroupId": group, "UserId": account, **({"Description": desc} if desc else {})}
        ]
    return r


def security_group(
    ctx: Ctx,
    gid: str,
    name: str,
    desc: str,
    vpc_id: str,
    ingress: list[dict[str, Any]],
    egress: list[dict[str, Any]],
    extra_tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": ingress,
        "OwnerId": ctx.account,
        "GroupId": gid,
        "IpPermissionsEgress": egress,
        "Tags": tags({"Name": name, **(extra_tags or {})}),
        "VpcId": vpc_id,
        "SecurityGroupArn": ctx.arn("ec2", f"security-group/{gid}"),
    }


def alb(
    ctx: Ctx, name: str, vpc_id: str, subnets: list[tuple[str, str]], sg: str, created: datetime
) -> tuple[dict[str, Any], str, str]:
    h = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{h}")
    dns = f"internal-{name}-{ctx.rng.randint(10**8, 10**9 - 1)}.{ctx.region}.elb.amazonaws.com"
    item = {
        "LoadBalancerArn": arn,
        "DNSName": dns,
        "CanonicalHostedZoneId": "Z" + ctx.alnum(13),
        "CreatedTime": iso(created),
        "LoadBalancerName": name,
        "Scheme": "internal",
        "VpcId": vpc_id,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": s, "LoadBalancerAddresses": []} for s, az in subnets
        ],
        "SecurityGroups": [sg],
        "IpAddressType": "ipv4",
    }
    return item, arn, f"app/{name}/{h}"


def target_group(
    ctx: Ctx, name: str, vpc_id: str, port: int, lb_arn: str, health_path: str
) -> tuple[dict[str, Any], str, str]:
    h = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"targetgroup/{name}/{h}")
    item = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": vpc_id,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": health_path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": "instance",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    return item, arn, f"targetgroup/{name}/{h}"


def asg(
    ctx: Ctx,
    name: str,
    lt_id: str,
    lt_name: str,
    instances: list[tuple[str, str, str]],
    subnets: list[str],
    tg_arns: list[str],
    desired: int,
    mn: int,
    mx: int,
    created: datetime,
    itype: str,
) -> dict[str, Any]:
    return {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": ctx.arn(
            "autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/{name}"
        ),
        "LaunchTemplate": {"LaunchTemplateId": lt_id, "LaunchTemplateName": lt_name, "Version": "$Latest"},
        "MinSize": mn,
        "MaxSize": mx,
        "DesiredCapacity": desired,
        "DefaultCooldown": 300,
        "AvailabilityZones": sorted({az for _, az, _ in instances}),
        "LoadBalancerNames": [],
        "TargetGroupARNs": tg_arns,
        "HealthCheckType": "ELB",
        "HealthCheckGracePeriod": 300,
        "Instances": [
            {
                "InstanceId": iid,
                "InstanceType": itype,
                "AvailabilityZone": az,
                "LifecycleState": "InService",
                "HealthStatus": health,
                "LaunchTemplate": {"LaunchTemplateId": lt_id, "LaunchTemplateName": lt_name, "Version": "7"},
                "ProtectedFromScaleIn": False,
            }
            for iid, az, health in instances
        ],
        "CreatedTime": iso(created),
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": ",".join(subnets),
        "EnabledMetrics": [],
        "Tags": [
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": "Name",
                "Value": name,
                "PropagateAtLaunch": True,
            }
        ],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "CapacityRebalance": False,
    }


def log(group: str, stream: str, t: datetime, message: str) -> dict[str, Any]:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def sort_records(
    rows: list[dict[str, Any]], key: str
) -> list[dict[str, Any]]:  # stable sort on a timestamp-ish key
    return sorted(rows, key=lambda r: r[key])


# --- calendar -------------------------------------------------------------------------------------

REGION_TZ: dict[str, tuple[str, int]] = {
    "us-east-1": ("America/New_York", -4),
    "us-east-2": ("America/New_York", -4),
    "us-west-2": ("America/Los_Angeles", -7),
    "eu-west-1": ("Europe/Dublin", 1),
    "eu-central-1": ("Europe/Berlin", 2),
    "ap-southeast-2": ("Australia/Sydney", 10),
}


def pick_day(ctx: Ctx, weekdays: tuple[int, ...] = (0, 1, 2, 3)) -> datetime:
    """A date (UTC midnight) from May to mid-September 2024/2025 (no DST change nearby), on a given weekday."""
    while True:
        year = ctx.rng.choice([2024, 2025])
        month = ctx.rng.randint(5, 9)
        day = ctx.rng.randint(1, 28 if month != 9 else 14)
        d = datetime(year, month, day, tzinfo=UTC)
        if d.weekday() in weekdays:
            return d


def local_to_utc(ctx: Ctx, day: datetime, hour: int, minute: int) -> datetime:
    """`day`'s local wall-clock time in the region's zone, as UTC."""
    off = REGION_TZ[ctx.region][1]
    return day + timedelta(hours=hour - off, minutes=minute)


_AZ_PREFIX = {
    "us-east-1": "use1",
    "us-east-2": "use2",
    "us-west-2": "usw2",
    "eu-west-1": "euw1",
    "eu-central-1": "euc1",
    "ap-southeast-2": "apse2",
}


def az_id(ctx: Ctx, az: str) -> str:
    """The account's AZ id for a zone name (the name-to-id mapping is per account; fixed per bundle)."""
    if ctx.az_map is None:
        nums = [1, 2, 3, 4, 5, 6] if ctx.region == "us-east-1" else [1, 2, 3]
        ctx.rng.shuffle(nums)
        ctx.az_map = {letter: nums[i] for i, letter in enumerate("abcdef"[: len(nums)])}
    return f"{_AZ_PREFIX[ctx.region]}-az{ctx.az_map[az[-1]]}"
