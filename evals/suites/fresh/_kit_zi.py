# Incidents of kit `zi`, written in this order:
#   1. change: a shared Redis's eviction policy switched to noeviction (to please a new job queue);
#      hours later the cache fills and every write fails: uploads and sign-ins break, reads still work.
#   2. component_failure: the single PgBouncer EC2 host loses its underlying hardware; several services
#      time out on the database while the RDS instance itself looks idle and healthy.
#   3. limit: exam-start write surge; the DynamoDB table scales but its GSI is capped by its auto-scaling
#      maximum, and GSI back-pressure throttles the base-table writes behind an API Gateway + Lambda API.
#   4. no fault: the weekly repricing batch floods its SQS queue every Monday and the age alarm fires,
#      exactly as in previous weeks; the workers drain it at their usual pace.
"""Private helpers for the `zi` incidents: time, ids, metric series, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minute_floor(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


@dataclass
class Ctx:
    """One bundle under construction."""

    rng: random.Random
    account: str
    region: str
    start: datetime
    now: datetime
    metrics: list[Json] = field(default_factory=list)
    logs: list[Json] = field(default_factory=list)
    cloudtrail: list[Json] = field(default_factory=list)
    resources: list[Json] = field(default_factory=list)
    events: list[Json] = field(default_factory=list)
    alarms: list[Json] = field(default_factory=list)
    alarm_history: list[Json] = field(default_factory=list)

    # --- ids ------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def arn(self, service: str, rest: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    # --- records --------------------------------------------------------------------------------
    def resource(self, service: str, type_: str, item: Json) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        if t <= self.now:
            self.logs.append(
                {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
            )

    def event(self, source: str, item: Json) -> None:
        self.events.append({"source": source, "item": item})

    def datum(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
    ) -> None:
        if self.start <= t <= self.now:
            self.metrics.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": round(float(value), 4),
                }
            )

    def dist(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        samples: list[float],
        unit: str = "Milliseconds",
    ) -> None:
        """A distribution datapoint (values + counts), from which percentiles are computed."""
        if not samples or not (self.start <= t <= self.now):
            return
        buckets: dict[float, int] = {}
        for s in samples:
            key = round(s, 1) if s < 100 else float(round(s))
            buckets[key] = buckets.get(key, 0) + 1
        keys = sorted(buckets)
        self.metrics.append(
            {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": keys,
                "counts": [float(buckets[k]) for k in keys],
            }
        )

    def bundle_records(self) -> dict[str, list[Json]]:
        self.cloudtrail.sort(key=lambda r: (r["eventTime"], r["eventID"]))
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.alarm_history.sort(key=lambda r: (r["AlarmName"], r["Timestamp"]))
        return {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.alarm_history,
            "logs": self.logs,
            "cloudtrail": self.cloudtrail,
            "resources": self.resources,
            "events": self.events,
        }


def account_id(rng: random.Random) -> str:
    return str(rng.randrange(100000000000, 999999999999))


# --- time grids and shapes ----------------------------------------------------------------------


def grid(ctx: Ctx, fine_from: datetime | None = None, coarse: int = 300) -> list[tuple[datetime, int]]:
    """Timestamps from start to now: `coarse`-second periods before `fine_from`, 1-minute ones after."""
    out: list[tuple[datetime, int]] = []
    t = minute_floor(ctx.start)
    fine_from = fine_from or ctx.start
    while t <= ctx.now:
        if t < fine_from:
            out.append((t, coarse))
            t += timedelta(seconds=coarse)
        else:
            out.append((t, 60))
            t += timedelta(minutes=1)
    return [(t, p) for t, p in out if t + timedelta(seconds=p) <= ctx.now + timedelta(seconds=30)]


def diurnal(t: datetime, utc_offset_h: float, peak_h: float = 14.0, low: float = 0.25) -> float:
    """A daily traffic shape between `low` and 1, highest at local `peak_h`."""
    local = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((local - peak_h) / 24 * 2 * math.pi)
    return low + (1 - low) * ((x + 1) / 2) ** 1.6


def noisy(rng: random.Random, v: float, rel: float = 0.06) -> float:
    return max(0.0, v * (1 + rng.gauss(0, rel)))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def lognormal_ms(rng: random.Random, median: float, sigma: float = 0.45) -> float:
    return median * math.exp(rng.gauss(0, sigma))


# --- CloudTrail ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    identity: Json
    ip: str
    agent: str


def sso_user(ctx: Ctx, user: str, permission_set: str, ip: str, agent: str) -> Principal:
    suffix = hashlike(ctx.account + permission_set, 16)
    role = f"AWSReservedSSO_{permission_set}_{suffix}"
    role_id = "AROA" + hashlike(role, 17, upper=True)
    ident = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{user}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{user}",
        "accountId": ctx.account,
        "accessKeyId": "ASIA" + hashlike(user + ctx.account, 16, upper=True),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{ctx.account}:role/aws-reserved/sso.amazonaws.com/{ctx.region}/{role}",
                "accountId": ctx.account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    return Principal(ident, ip, agent)


def role_session(
    ctx: Ctx, role: str, session: str, ip: str, agent: str, *, web_identity: bool = False
) -> Principal:
    role_id = "AROA" + hashlike(role + ctx.account, 17, upper=True)
    ident: Json = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{session}",
        "accountId": ctx.account,
        "accessKeyId": "ASIA" + hashlike(role + session, 16, upper=True),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{ctx.account}:role/{role}",
                "accountId": ctx.account,
                "userName": role,
            },
            "webIdFederationData": (
                {
                    "federatedProvider": f"arn:aws:iam::{ctx.account}:oidc-provider/token.actions.githubusercontent.com"
                }
                if web_identity
                else {}
            ),
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    return Principal(ident, ip, agent)


def service_principal(ctx: Ctx, role: str, session: str, invoked_by: str) -> Principal:
    p = role_session(ctx, role, session, invoked_by, invoked_by)
    ident = dict(p.identity)
    ident["invokedBy"] = invoked_by
    return Principal(ident, invoked_by, invoked_by)


def hashlike(seed: str, n: int, *, upper: bool = False) -> str:
    r = random.Random(seed)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" if upper else "0123456789abcdef"
    return "".join(r.choice(alphabet) for _ in range(n))


_SERVICE_HOST = {
    "monitoring.amazonaws.com": "monitoring",
    "elasticloadbalancing.amazonaws.com": "elasticloadbalancing",
    "application-autoscaling.amazonaws.com": "application-autoscaling",
}


def trail(
    ctx: Ctx,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    params: Json | None = None,
    response: Json | None = None,
    *,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
    version: str = "1.09",
) -> Json:
    ident = json.loads(json.dumps(who.identity))
    ctxs = ident.get("sessionContext")
    if isinstance(ctxs, dict):
        created = t - timedelta(minutes=ctx.rng.randrange(3, 50))
        ctxs["attributes"]["creationDate"] = iso(created)
    host = _SERVICE_HOST.get(source, source.split(".")[0])
    rec: Json = {
        "eventVersion": version,
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": ctx.region,
        "sourceIPAddress": who.ip,
        "userAgent": who.agent,
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
    if error is not None:
        rec["errorCode"], rec["errorMessage"] = error
        rec["responseElements"] = None
    if resources:
        rec["resources"] = resources
    if not who.ip.endswith("amazonaws.com"):
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{host}.{ctx.region}.amazonaws.com",
        }
    if "AWSReservedSSO" in json.dumps(ident) and "console" in who.agent.lower():
        rec["sessionCredentialFromConsole"] = "true"
    ctx.cloudtrail.append(rec)
    return rec


CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
CONSOLE_UA2 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
CLI_UA = "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/"
GHA_UA = "aws-cli/2.15.38 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#"
DD_UA = "Datadog-AWS-Integration/1.0 aws-sdk-go/1.51.21 (go1.21.9; linux; amd64)"
BOTO_UA = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.84"


def background_reads(
    ctx: Ctx,
    principals: list[tuple[Principal, list[tuple[str, str, Json]]]],
    count: int,
    t0: datetime,
    t1: datetime,
) -> None:
    """Routine read-only calls spread over [t0, t1]: (principal, [(source, eventName, params), ...])."""
    span = (t1 - t0).total_seconds()
    for _ in range(count):
        who, calls = principals[ctx.rng.randrange(len(principals))]
        source, name, params = calls[ctx.rng.randrange(len(calls))]
        t = t0 + timedelta(seconds=ctx.rng.uniform(0, span))
        trail(ctx, t.replace(microsecond=0), who, source, name, params, None, read_only=True)


# --- alarms -------------------------------------------------------------------------------------

_CMP = {
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


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dims: dict[str, str]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str = "missing"
    description: str | None = None
    actions: list[str] = field(default_factory=list)
    unit: str | None = None
    created: datetime | None = None


def _fmt_dt(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def _fmt_v(v: float) -> str:
    return repr(float(round(v, 4)))


def evaluate_alarm(ctx: Ctx, spec: AlarmSpec, points: dict[datetime, float], history_from: datetime) -> Json:
    """Evaluate `spec` over period-aggregated `points` (period start -> value) from `history_from` to now.

    Appends the alarm (as DescribeAlarms returns it) and its history; returns the ALARM transition
    information of the last transition into ALARM (or {}) for building an EventBridge event."""
    test, word, notword = _CMP[spec.comparison]
    state = "OK"
    if spec.treat_missing == "notBreaching":
        state_reason = (
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
            "[NonBreaching]."
        )
    else:
        first = min(points) if points else history_from
        state_reason = (
            f"Threshold Crossed: 1 datapoint [{_fmt_v(points.get(first, 0.0))} ({_fmt_dt(first)})] was {notword} "
            f"the threshold ({_fmt_v(spec.threshold)})."
        )
    state_data: Json | None = None
    changed = history_from
    last_alarm: Json = {}
    created = spec.created or history_from
    if spec.created is not None and spec.created >= ctx.start:
        ctx.alarm_history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(created),
                "HistoryItemType": "ConfigurationUpdate",
                "HistorySummary": f'Alarm "{spec.name}" updated',
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "type": "Update",
                        "updatedAlarm": {
                            "alarmName": spec.name,
                            "namespace": spec.namespace,
                            "metricName": spec.metric,
                            "threshold": spec.threshold,
                            "period": spec.period,
                            "evaluationPeriods": spec.evaluation_periods,
                            "comparisonOperator": spec.comparison,
                            "statistic": spec.statistic.upper(),
                        },
                    }
                ),
            }
        )
    step = timedelta(seconds=spec.period)
    t = history_from.replace(second=0, microsecond=0)
    delay = timedelta(seconds=ctx.rng.randrange(20, 70))
    while t + step + delay <= ctx.now:
        window = [t - step * i for i in range(spec.evaluation_periods - 1, -1, -1)]
        vals = [(w, points.get(w)) for w in window]
        present = [(w, v) for w, v in vals if v is not None]
        breaching = 0
        for _, v in vals:
            if v is None:
                if spec.treat_missing == "breaching":
                    breaching += 1
            elif test(v, spec.threshold):
                breaching += 1
        if breaching >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif not present and spec.treat_missing == "missing":
            new = state
        else:
            new = "OK"
        if new != state:
            when = t + step + delay
            recent = [v for _, v in present]
            if new == "ALARM":
                reason = (
                    f"Threshold Crossed: {spec.datapoints_to_alarm} out of the last {spec.evaluation_periods} datapoints "
                    f"[{', '.join(f'{_fmt_v(v)} ({_fmt_dt(w)})' for w, v in reversed(present))}] were {word} "
                    f"the threshold ({_fmt_v(spec.threshold)}) (minimum {spec.datapoints_to_alarm} datapoint"
                    f"{'s' if spec.datapoints_to_alarm > 1 else ''} for OK -> ALARM transition)."
                )
                if spec.evaluation_periods == 1:
                    w, v = present[-1]
                    reason = (
                        f"Threshold Crossed: 1 datapoint [{_fmt_v(v)} ({_fmt_dt(w)})] was {word} the threshold "
                        f"({_fmt_v(spec.threshold)})."
                    )
            else:
                if present:
                    w, v = present[-1]
                    reason = (
                        f"Threshold Crossed: 1 datapoint [{_fmt_v(v)} ({_fmt_dt(w)})] was {notword} the threshold "
                        f"({_fmt_v(spec.threshold)})."
                    )
                else:
                    reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
            data: Json = {
                "version": "1.0",
                "queryDate": iso_ms(when).replace("Z", "+0000"),
                "startDate": iso_ms(window[0]).replace("Z", "+0000"),
                "statistic": spec.statistic,
                "period": spec.period,
                "recentDatapoints": [round(v, 4) for v in recent],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": iso_ms(w).replace("Z", "+0000"), "sampleCount": 1.0, "value": round(v, 4)}
                    for w, v in reversed(present)
                ],
            }
            old_state: Json = {"stateValue": state, "stateReason": state_reason}
            if state_data is not None:
                old_state["stateReasonData"] = state_data
            ctx.alarm_history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(when),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": old_state,
                            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                        }
                    ),
                }
            )
            if new == "ALARM":
                last_alarm = {
                    "time": when,
                    "reason": reason,
                    "data": data,
                    "previous": (state, state_reason, state_data),
                }
            state, state_reason, state_data, changed = new, reason, data, when
        t += step
    alarm: Json = {
        "AlarmName": spec.name,
        "AlarmArn": ctx.arn("cloudwatch", f"alarm:{spec.name}"),
        "AlarmConfigurationUpdatedTimestamp": iso_ms(spec.created or (ctx.start - timedelta(days=90))),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": state_reason,
        "StateUpdatedTimestamp": iso_ms(changed),
        "StateTransitionedTimestamp": iso_ms(changed),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Statistic": spec.statistic,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing,
    }
    if state_data is not None:
        alarm["StateReasonData"] = json.dumps(state_data)
    if spec.description:
        alarm["AlarmDescription"] = spec.description
    if spec.unit:
        alarm["Unit"] = spec.unit
    ctx.alarms.append(alarm)
    return last_alarm


def alarm_event(ctx: Ctx, spec: AlarmSpec, info: Json) -> Json:
    """The EventBridge "CloudWatch Alarm State Change" event for the transition in `info`."""
    prev_state, prev_reason, prev_data = info["previous"]
    previous: Json = {
        "value": prev_state,
        "reason": prev_reason,
        "timestamp": iso_ms(info["time"] - timedelta(hours=3)).replace("Z", "+0000"),
    }
    if prev_data is not None:
        previous["reasonData"] = json.dumps(prev_data)
        previous["timestamp"] = prev_data["queryDate"]
    return {
        "version": "0",
        "id": ctx.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": iso(info["time"] + timedelta(seconds=1)),
        "region": ctx.region,
        "resources": [ctx.arn("cloudwatch", f"alarm:{spec.name}")],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": "ALARM",
                "reason": info["reason"],
                "reasonData": json.dumps(info["data"]),
                "timestamp": info["data"]["queryDate"],
            },
            "previousState": previous,
            "configuration": {
                "description": spec.description or "",
                "metrics": [
                    {
                        "id": ctx.uuid()[:36],
                        "metricStat": {
                            "metric": {
                                "namespace": spec.namespace,
                                "name": spec.metric,
                                "dimensions": dict(spec.dims),
                            },
                            "period": spec.period,
                            "stat": spec.statistic,
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def aggregate(points: Iterable[tuple[datetime, float]], period: int, how: str) -> dict[datetime, float]:
    """Aggregate (timestamp, value) points into period buckets (Sum, Average, Maximum, Minimum)."""
    buckets: dict[datetime, list[float]] = {}
    for t, v in points:
        epoch = int(t.timestamp())
        start = datetime.fromtimestamp(epoch - epoch % period, UTC)
        buckets.setdefault(start, []).append(v)
    fns: dict[str, Callable[[list[float]], float]] = {
        "Sum": lambda xs: float(sum(xs)),
        "Average": lambda xs: sum(xs) / len(xs),
        "Maximum": lambda xs: max(xs),
        "Minimum": lambda xs: min(xs),
    }
    fn = fns[how]
    return {k: fn(v) for k, v in buckets.items()}


def ok_alarm(ctx: Ctx, spec: AlarmSpec, reason_value: float) -> None:
    """An alarm that has been OK all along (last evaluated a minute ago)."""
    _test, _word, notword = _CMP[spec.comparison]
    t = minute_floor(ctx.now) - timedelta(seconds=spec.period)
    changed = spec.created or (ctx.start - timedelta(days=ctx.rng.randrange(12, 200)))
    alarm: Json = {
        "AlarmName": spec.name,
        "AlarmArn": ctx.arn("cloudwatch", f"alarm:{spec.name}"),
        "AlarmConfigurationUpdatedTimestamp": iso_ms(changed - timedelta(days=ctx.rng.randrange(1, 40))),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": "OK",
        "StateReason": (
            f"Threshold Crossed: 1 datapoint [{_fmt_v(reason_value)} ({_fmt_dt(t)})] was {notword} the threshold "
            f"({_fmt_v(spec.threshold)})."
        ),
        "StateUpdatedTimestamp": iso_ms(changed),
        "StateTransitionedTimestamp": iso_ms(changed),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Statistic": spec.statistic,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing,
    }
    if spec.description:
        alarm["AlarmDescription"] = spec.description
    ctx.alarms.append(alarm)


# --- common resources ---------------------------------------------------------------------------


@dataclass
class Net:
    vpc: str
    cidr: str
    subnets: list[tuple[str, str, str]]  # (subnet id, az, cidr) private
    public: list[tuple[str, str, str]]


def network(ctx: Ctx, name: str, second_octet: int, azs: list[str]) -> Net:
    vpc = "vpc-" + ctx.hex(17)
    cidr = f"10.{second_octet}.0.0/16"
    ctx.resource(
        "ec2",
        "Vpc",
        {
            "VpcId": vpc,
            "CidrBlock": cidr,
            "State": "available",
            "DhcpOptionsId": "dopt-" + ctx.hex(17),
            "InstanceTenancy": "default",
            "IsDefault": False,
            "OwnerId": ctx.account,
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": "vpc-cidr-assoc-" + ctx.hex(17),
                    "CidrBlock": cidr,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )
    private: list[tuple[str, str, str]] = []
    public: list[tuple[str, str, str]] = []
    for i, az in enumerate(azs):
        for kind, base, bucket in (("private", 10, private), ("public", 0, public)):
            sid = "subnet-" + ctx.hex(17)
            scidr = f"10.{second_octet}.{base + i * (4 if kind == 'private' else 1)}.0/{22 if kind == 'private' else 24}"
            bucket.append((sid, az, scidr))
            ctx.resource(
                "ec2",
                "Subnet",
                {
                    "SubnetId": sid,
                    "VpcId": vpc,
                    "AvailabilityZone": az,
                    "AvailabilityZoneId": f"{ctx.region[:2]}{ctx.region.split('-')[1][0]}{ctx.region[-1]}-az{i + 1}",
                    "CidrBlock": scidr,
                    "AvailableIpAddressCount": ctx.rng.randrange(200, 980)
                    if kind == "private"
                    else ctx.rng.randrange(230, 250),
                    "DefaultForAz": False,
                    "MapPublicIpOnLaunch": kind == "public",
                    "State": "available",
                    "OwnerId": ctx.account,
                    "SubnetArn": ctx.arn("ec2", f"subnet/{sid}"),
                    "Tags": [{"Key": "Name", "Value": f"{name}-{kind}-{az[-1]}"}],
                },
            )
    return Net(vpc, cidr, private, public)


def security_group(ctx: Ctx, net: Net, name: str, desc: str, ingress: list[Json]) -> str:
    sg = "sg-" + ctx.hex(17)
    ctx.resource(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg,
            "GroupName": name,
            "Description": desc,
            "VpcId": net.vpc,
            "OwnerId": ctx.account,
            "IpPermissions": ingress,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )
    return sg


def sg_rule(port: int, *, group: str | None = None, cidr: str | None = None, desc: str = "") -> Json:
    rule: Json = {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if group:
        pair: Json = {"GroupId": group}
        if desc:
            pair["Description"] = desc
        rule["UserIdGroupPairs"] = [pair]
    if cidr:
        r: Json = {"CidrIp": cidr}
        if desc:
            r["Description"] = desc
        rule["IpRanges"] = [r]
    return rule


def private_ip(ctx: Ctx, cidr: str) -> str:
    parts = cidr.split("/")[0].split(".")
    third = int(parts[2]) + ctx.rng.randrange(0, 3)
    return f"{parts[0]}.{parts[1]}.{third}.{ctx.rng.randrange(10, 250)}"
