# Incidents of kit `w`, in the order they are written:
#   1. change: a launch template hardening (IMDSv2 required, hop limit 1) lands days early; the afternoon
#      scale-out brings up instances whose containers cannot get role credentials -> partial 5xx.
#   2. limit: JWTs signed with a KMS RSA key; an evening push campaign drives token issuance past the
#      account's RSA Sign request quota -> token refresh failing, users logged out.
#   3. system_change: a stand-alone egress proxy instance (static IP allow-listed by a partner) is stopped
#      by AWS for scheduled retirement -> fares search failing far from the proxy.
#   4. dependency_failure: a credit bureau reached over PrivateLink starts resetting connections -> loan
#      decision API 5xx, shortly after an unrelated deploy of the same service.
#   5. no fault: CloudFront 4xx error-rate alarm on the marketing site while an external scanner walks
#      nonexistent paths; a cache invalidation ran just before.
"""Shared helpers for kit `w`: ids, time, metric series, alarms, CloudTrail records, logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

HEX = "0123456789abcdef"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """CloudWatch's own timestamp spelling inside alarm history / reason data."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


@dataclass
class Principal:
    identity: dict[str, Any]
    source_ip: str
    user_agent: str
    invoked_by: str | None = None


@dataclass
class Ctx:
    name: str
    seed: int
    account: str
    region: str
    start: datetime
    now: datetime
    end: datetime
    rng: random.Random = field(init=False)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    alarm_history: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    cloudtrail: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    series: dict[str, dict[datetime, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.name}:{self.seed}")

    # --- ids -------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(HEX) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    # --- logs ------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        if t <= self.now:
            self.logs.append(
                {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
            )

    # --- metrics ---------------------------------------------------------------------------------
    def put(
        self, ns: str, metric: str, dims: dict[str, str], t: datetime, value: float, unit: str = "Count"
    ) -> None:
        if t > self.now or t < self.start:
            return
        value = round(float(value), 4)
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": value,
            }
        )
        self.series.setdefault(skey(ns, metric, dims), {})[t] = value

    def put_stats(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        samples: list[float],
        unit: str,
    ) -> None:
        """A datapoint as a distribution of sample values (so percentiles can be computed)."""
        if t > self.now or t < self.start or not samples:
            return
        vals: dict[float, int] = {}
        for s in samples:
            v = round(s, 4)
            vals[v] = vals.get(v, 0) + 1
        keys = sorted(vals)
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": keys,
                "counts": [float(vals[k]) for k in keys],
            }
        )
        self.series.setdefault(skey(ns, metric, dims), {})[t] = sum(samples) / len(samples)

    def timeline(self, fine_from: datetime) -> list[tuple[datetime, int]]:
        """(timestamp, step seconds): 5-minute points from start, 1-minute points from fine_from to now."""
        out: list[tuple[datetime, int]] = []
        t = floor_min(self.start)
        t = t - timedelta(minutes=t.minute % 5)
        if t < self.start:
            t += timedelta(minutes=5)
        while t < fine_from and t <= self.now:
            out.append((t, 300))
            t += timedelta(minutes=5)
        t = floor_min(fine_from)
        while t <= self.now - timedelta(minutes=1):
            out.append((t, 60))
            t += timedelta(minutes=1)
        return out

    def noise(self, sd: float) -> float:
        return self.rng.gauss(0.0, sd)

    def count(self, mean: float) -> int:
        """A Poisson-ish count."""
        if mean <= 0:
            return 0
        if mean < 30:
            # Knuth
            limit = math.exp(-mean)
            k, p = 0, 1.0
            while True:
                p *= self.rng.random()
                if p <= limit:
                    return k
                k += 1
        return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))

    # --- CloudTrail ------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        who: Principal,
        source: str,
        name: str,
        params: dict[str, Any] | None,
        response: dict[str, Any] | None = None,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        if t > self.now:
            return ""
        event_id = self.uuid()
        req = self.uuid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09"
            if source in ("ec2.amazonaws.com", "elasticloadbalancing.amazonaws.com")
            else "1.08",
            "userIdentity": json.loads(json.dumps(who.identity)),
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": "us-east-1" if source in GLOBAL_SOURCES else self.region,
            "sourceIPAddress": who.source_ip,
            "userAgent": who.user_agent,
        }
        if error is not None:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = req
        rec["eventID"] = event_id
        rec["readOnly"] = read_only
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if who.invoked_by is None and not who.source_ip.endswith(".amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if extra:
            rec.update(extra)
        ident = rec["userIdentity"]
        if ident.get("type") == "AssumedRole":
            ctx_attr = ident.setdefault("sessionContext", {}).setdefault("attributes", {})
            ctx_attr.setdefault("creationDate", iso(t - timedelta(minutes=self.rng.randint(1, 50))))
        self.cloudtrail.append(rec)
        return event_id

    def role_principal(
        self,
        role: str,
        session: str,
        source_ip: str,
        user_agent: str,
        path: str = "",
        mfa: bool = False,
        invoked_by: str | None = None,
    ) -> Principal:
        role_id = "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        ident = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"mfaAuthenticated": "true" if mfa else "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return Principal(ident, source_ip, user_agent, invoked_by)

    def sso_user(self, permission_set: str, email: str, ip: str, console: bool = True) -> Principal:
        role = f"AWSReservedSSO_{permission_set}_{self.hex(16)}"
        ua = (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36"
            if console
            else "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
            "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off command/"
        )
        return self.role_principal(
            role,
            email,
            ip,
            ua,
            path="aws-reserved/sso.amazonaws.com/" + ("eu-west-1/" if self.rng.random() < 0.5 else ""),
        )

    def service_linked(self, role: str, session: str, service_host: str) -> Principal:
        return self.role_principal(
            role,
            session,
            service_host,
            service_host,
            path=f"aws-service-role/{service_host}/",
            invoked_by=service_host,
        )


GLOBAL_SOURCES = {
    "iam.amazonaws.com",
    "cloudfront.amazonaws.com",
    "route53.amazonaws.com",
    "signin.amazonaws.com",
}


def skey(ns: str, metric: str, dims: dict[str, str]) -> str:
    return ns + "|" + metric + "|" + json.dumps(dims, sort_keys=True)


def diurnal(t: datetime, utc_offset_h: float, low: float = 0.25, peak_hour: float = 14.0) -> float:
    """A daily traffic multiplier in [low, 1]: quiet at night, broad peak in the afternoon."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((h - peak_hour) / 24 * 2 * math.pi)
    return low + (1 - low) * ((x + 1) / 2) ** 1.6


# --- alarms ------------------------------------------------------------------------------------------

OPS = {
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


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


def alarm(
    ctx: Ctx,
    *,
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
    missing: str = "missing",
    actions: list[str] | None = None,
    created: datetime,
    value_fn: Callable[[datetime], float | None] | None = None,
    unit: str | None = None,
) -> dict[str, Any] | None:
    """Build a MetricAlarm and its history by evaluating the stored series; returns the last transition
    to ALARM (time, reason, reason data, old state) for an EventBridge event, if any."""
    data = ctx.series.get(skey(ns, metric, dims), {})
    check, word_yes, word_no = OPS[op]

    def agg(p0: datetime) -> float | None:
        if value_fn is not None:
            return value_fn(p0)
        pts = [v for t, v in data.items() if p0 <= t < p0 + timedelta(seconds=period)]
        if not pts:
            return None
        if stat == "Sum":
            return sum(pts)
        if stat == "Maximum":
            return max(pts)
        if stat == "Minimum":
            return min(pts)
        return sum(pts) / len(pts)

    arn = ctx.arn("cloudwatch", f"alarm:{name}")
    acts = actions if actions is not None else [ctx.arn("sns", "ops-alerts")]
    history: list[dict[str, Any]] = []
    if created >= ctx.start:
        history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(created),
                "HistoryItemType": "ConfigurationUpdate",
                "HistorySummary": f'Alarm "{name}" created',
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "type": "Create",
                        "createdAlarm": {
                            "alarmName": name,
                            "metricName": metric,
                            "namespace": ns,
                            "threshold": threshold,
                        },
                    }
                ),
            }
        )
    # evaluate every period from start (aligned)
    p = ctx.start.replace(second=0, microsecond=0)
    p = p - timedelta(seconds=(p.minute * 60) % period)
    state = "OK" if created < ctx.start else "INSUFFICIENT_DATA"
    state_since = created + timedelta(seconds=period + 40)
    if created < ctx.start:
        state_since = max(
            state_since, ctx.start - timedelta(days=ctx.rng.randint(2, 20), seconds=ctx.rng.randint(0, 86400))
        )
    reason: str | None = None if created < ctx.start else "Unchecked: Initial alarm creation"
    reason_data: dict[str, Any] | None = None
    window: list[tuple[datetime, float | None]] = []
    last_alarm: dict[str, Any] | None = None
    while p + timedelta(seconds=period) <= ctx.now:
        window.append((p, agg(p)))
        window = window[-evals:]
        evaluated = p + timedelta(seconds=period) + timedelta(seconds=ctx.rng.randint(20, 55))
        if evaluated > ctx.now:
            break
        present = [(t, v) for t, v in window if v is not None]
        if reason is None and present:
            first_t = floor_min(state_since - timedelta(seconds=period + 40))
            reason = (
                f"Threshold Crossed: 1 datapoint [{_fmt(present[-1][1])} ({first_t.strftime('%d/%m/%y %H:%M:%S')})] "
                f"was {word_no} the threshold ({_fmt(threshold)})."
            )
        if missing == "notBreaching":
            br = sum(1 for _, v in present if check(v, threshold))
        elif missing == "breaching":
            br = sum(1 for _, v in window if v is None or check(v, threshold))
        else:
            br = sum(1 for _, v in present if check(v, threshold))
        if not present and missing == "missing":
            # a gap in a 5-minute stretch of the series is resolution, not missing data
            near = any(p - timedelta(seconds=300) <= t <= p + timedelta(seconds=period) for t in data)
            early = p < ctx.start + timedelta(seconds=period * evals + 300)
            new = state if near or early or value_fn is not None else "INSUFFICIENT_DATA"
        elif br >= to_alarm:
            new = "ALARM"
        else:
            new = "OK"
        if new != state and evaluated >= created:
            recent = [v for _, v in present]
            stamps = ", ".join(f"{_fmt(v)} ({t.strftime('%d/%m/%y %H:%M:%S')})" for t, v in reversed(present))
            if new == "ALARM":
                text = (
                    f"Threshold Crossed: {br} out of the last {evals} datapoints [{stamps}] were {word_yes} "
                    f"the threshold ({_fmt(threshold)}) (minimum {to_alarm} datapoints for OK -> ALARM transition)."
                )
            elif new == "INSUFFICIENT_DATA":
                text = f"Insufficient Data: {evals} datapoint{'s were' if evals > 1 else ' was'} unknown."
            else:
                last_t, last_v = present[-1] if present else (p, 0.0)
                text = (
                    f"Threshold Crossed: 1 datapoint [{_fmt(last_v)} ({last_t.strftime('%d/%m/%y %H:%M:%S')})] "
                    f"was {word_no} the threshold ({_fmt(threshold)})."
                )
            rd = {
                "version": "1.0",
                "queryDate": cw_ts(evaluated),
                "startDate": cw_ts(window[0][0]),
                "statistic": stat,
                "period": period,
                "recentDatapoints": recent,
                "threshold": threshold,
                "evaluatedDatapoints": [
                    {
                        "timestamp": cw_ts(t),
                        "sampleCount": 1.0 if period == 60 else float(period // 60),
                        "value": v,
                    }
                    for t, v in reversed(present)
                ][: max(1, br if new == "ALARM" else 1)],
            }
            history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(evaluated),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": state, "stateReason": reason or ""},
                            "newState": {"stateValue": new, "stateReason": text, "stateReasonData": rd},
                        }
                    ),
                }
            )
            if new == "ALARM":
                history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(evaluated + timedelta(milliseconds=ctx.rng.randint(80, 400))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {acts[0]}" if acts else "No actions",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(evaluated),
                                "notificationResource": acts[0] if acts else "",
                            }
                        ),
                    }
                )
                last_alarm = {
                    "time": evaluated,
                    "reason": text,
                    "data": rd,
                    "old": state,
                    "old_reason": reason or "",
                }
            state, reason, reason_data, state_since = new, text, rd, evaluated
        p += timedelta(seconds=period)
    item: dict[str, Any] = {
        "AlarmName": name,
        "AlarmArn": arn,
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": acts,
        "AlarmActions": acts,
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason
        or (
            f"Threshold Crossed: no datapoints were received for {evals} period{'s' if evals > 1 else ''} and "
            f"{evals} missing datapoint{'s were' if evals > 1 else ' was'} treated as [NonBreaching]."
            if missing == "notBreaching"
            else "Unchecked: Initial alarm creation"
        ),
        "StateUpdatedTimestamp": iso_ms(state_since),
        "MetricName": metric,
        "Namespace": ns,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": to_alarm,
        "Threshold": float(threshold),
        "ComparisonOperator": op,
        "TreatMissingData": missing,
        "StateTransitionedTimestamp": iso_ms(state_since),
    }
    if unit:
        item["Unit"] = unit
    if reason_data is not None:
        item["StateReasonData"] = json.dumps(reason_data)
    ctx.alarms.append(item)
    ctx.alarm_history.extend(history)
    if last_alarm is not None:
        last_alarm["item"] = item
    return last_alarm


def alarm_event(ctx: Ctx, fired: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge "CloudWatch Alarm State Change" event for a transition returned by `alarm`."""
    item = fired["item"]
    t: datetime = fired["time"]
    return {
        "version": "0",
        "id": ctx.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": iso(t),
        "region": ctx.region,
        "resources": [item["AlarmArn"]],
        "detail": {
            "alarmName": item["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": fired["reason"],
                "reasonData": json.dumps(fired["data"]),
                "timestamp": cw_ts(t),
            },
            "previousState": {
                "value": fired["old"],
                "reason": fired["old_reason"],
                "timestamp": cw_ts(t - timedelta(hours=ctx.rng.randint(5, 40))),
            },
            "configuration": {
                "description": item["AlarmDescription"],
                "metrics": [
                    {
                        "id": ctx.hex(8)
                        + "-"
                        + ctx.hex(4)
                        + "-"
                        + ctx.hex(4)
                        + "-"
                        + ctx.hex(4)
                        + "-"
                        + ctx.hex(12),
                        "metricStat": {
                            "metric": {
                                "namespace": item["Namespace"],
                                "name": item["MetricName"],
                                "dimensions": {d["Name"]: d["Value"] for d in item["Dimensions"]},
                            },
                            "period": item["Period"],
                            "stat": item["Statistic"],
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def tags(d: dict[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in d.items()]


def private_ip(ctx: Ctx, prefix: str) -> str:
    return f"{prefix}.{ctx.rng.randint(1, 254)}"


def public_ip(ctx: Ctx) -> str:
    first = ctx.rng.choice([3, 13, 18, 34, 35, 44, 52, 54])
    return f"{first}.{ctx.rng.randint(0, 255)}.{ctx.rng.randint(0, 255)}.{ctx.rng.randint(1, 254)}"


def office_ip(ctx: Ctx) -> str:
    return f"{ctx.rng.choice([81, 86, 90, 92, 185, 194, 213])}.{ctx.rng.randint(0, 255)}.{ctx.rng.randint(0, 255)}.{ctx.rng.randint(1, 254)}"


def routine_reads(
    ctx: Ctx,
    who: list[Principal],
    calls: list[tuple[str, str, dict[str, Any] | None]],
    n: int,
    t0: datetime,
    t1: datetime,
) -> None:
    """n read-only calls spread between t0 and t1 by the given principals."""
    span = (t1 - t0).total_seconds()
    for _ in range(n):
        t = t0 + timedelta(seconds=ctx.rng.uniform(0, span))
        p = ctx.rng.choice(who)
        source, name, params = ctx.rng.choice(calls)
        ctx.trail(t, p, source, name, params, None, read_only=True)


def sort_all(ctx: Ctx) -> dict[str, list[dict[str, Any]]]:
    ctx.cloudtrail.sort(key=lambda r: (r["eventTime"], r["eventID"]))
    ctx.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
    ctx.alarm_history.sort(key=lambda r: (r["AlarmName"], r["Timestamp"]))
    out: dict[str, list[dict[str, Any]]] = {
        "metrics": ctx.metrics,
        "alarms": ctx.alarms,
        "alarm_history": ctx.alarm_history,
        "logs": ctx.logs,
        "cloudtrail": ctx.cloudtrail,
        "resources": ctx.resources,
        "events": ctx.events,
    }
    return {k: v for k, v in out.items() if v}


# --- infrastructure items ------------------------------------------------------------------------------


@dataclass
class Net:
    vpc: str
    cidr: str
    private: list[tuple[str, str, str]]  # (subnet id, az, cidr prefix "10.x.y")
    public: list[tuple[str, str, str]]


def network(ctx: Ctx, name: str, second_octet: int, created: datetime) -> Net:
    vpc = "vpc-0" + ctx.hex(16)
    cidr = f"10.{second_octet}.0.0/16"
    azs = [f"{ctx.region}a", f"{ctx.region}b", f"{ctx.region}c"]
    ctx.resource(
        "ec2",
        "Vpc",
        {
            "CidrBlock": cidr,
            "DhcpOptionsId": "dopt-0" + ctx.hex(16),
            "State": "available",
            "VpcId": vpc,
            "OwnerId": ctx.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": "vpc-cidr-assoc-0" + ctx.hex(16),
                    "CidrBlock": cidr,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "Tags": tags({"Name": name}),
        },
    )
    private: list[tuple[str, str, str]] = []
    public: list[tuple[str, str, str]] = []
    for i, az in enumerate(azs):
        for kind, base, lst in (("private", 16 + 16 * i, private), ("public", 200 + i, public)):
            sid = "subnet-0" + ctx.hex(16)
            pfx = f"10.{second_octet}.{base}"
            mask = 20 if kind == "private" else 24
            ctx.resource(
                "ec2",
                "Subnet",
                {
                    "AvailabilityZone": az,
                    "AvailabilityZoneId": f"{ctx.region[:2]}{ctx.region.split('-')[1][0]}{ctx.region[-1]}-az{i + 1}",
                    "AvailableIpAddressCount": (4091 if mask == 20 else 251) - ctx.rng.randint(20, 140),
                    "CidrBlock": f"{pfx}.0/{mask}",
                    "DefaultForAz": False,
                    "MapPublicIpOnLaunch": kind == "public",
                    "State": "available",
                    "SubnetId": sid,
                    "VpcId": vpc,
                    "OwnerId": ctx.account,
                    "SubnetArn": ctx.arn("ec2", f"subnet/{sid}"),
                    "Tags": tags({"Name": f"{name}-{kind}-{az[-1]}", "tier": kind}),
                },
            )
            lst.append((sid, az, pfx))
    return net_done(vpc, cidr, private, public)


def net_done(
    vpc: str, cidr: str, private: list[tuple[str, str, str]], public: list[tuple[str, str, str]]
) -> Net:
    return Net(vpc, cidr, private, public)


def security_group(
    ctx: Ctx, name: str, desc: str, vpc: str, ingress: list[dict[str, Any]], egress_all: bool = True
) -> str:
    gid = "sg-0" + ctx.hex(16)
    ctx.resource(
        "ec2",
        "SecurityGroup",
        {
            "Description": desc,
            "GroupName": name,
            "IpPermissions": ingress,
            "OwnerId": ctx.account,
            "GroupId": gid,
            "IpPermissionsEgress": (
                [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ]
                if egress_all
                else []
            ),
            "VpcId": vpc,
            "SecurityGroupArn": ctx.arn("ec2", f"security-group/{gid}"),
            "Tags": tags({"Name": name}),
        },
    )
    return gid


def tcp_from_sg(port: int, sg: str, account: str, desc: str = "") -> dict[str, Any]:
    pair: dict[str, Any] = {"GroupId": sg, "UserId": account}
    if desc:
        pair["Description"] = desc
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "ToPort": port,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [pair],
    }


def tcp_from_cidr(port: int, cidr: str, desc: str = "") -> dict[str, Any]:
    rng: dict[str, Any] = {"CidrIp": cidr}
    if desc:
        rng["Description"] = desc
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "ToPort": port,
        "IpRanges": [rng],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }


@dataclass
class Alb:
    arn: str
    dim: str  # app/name/hex
    tg_arn: str
    tg_dim: str  # targetgroup/name/hex
    listener_arn: str
    dns: str


def alb(
    ctx: Ctx,
    name: str,
    tg_name: str,
    net: Net,
    sg: str,
    created: datetime,
    port: int,
    health_path: str,
    target_type: str = "instance",
    internal: bool = False,
    cert_arn: str | None = None,
) -> Alb:
    lb_hex = ctx.hex(16)
    tg_hex = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{lb_hex}")
    tg_arn = ctx.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    scheme = "internal" if internal else "internet-facing"
    dns = f"{'internal-' if internal else ''}{name}-{ctx.rng.randint(100000000, 2099999999)}.{ctx.region}.elb.amazonaws.com"
    subnets = net.private if internal else net.public
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": dns,
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(created),
            "LoadBalancerName": name,
            "Scheme": scheme,
            "VpcId": net.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": az, "SubnetId": sid, "LoadBalancerAddresses": []} for sid, az, _ in subnets
            ],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": net.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": health_path,
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [arn],
            "TargetType": target_type,
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    listener_arn = ctx.arn("elasticloadbalancing", f"listener/app/{name}/{lb_hex}/{ctx.hex(16)}")
    listener: dict[str, Any] = {
        "ListenerArn": listener_arn,
        "LoadBalancerArn": arn,
        "Port": 443,
        "Protocol": "HTTPS",
        "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "DefaultActions": [
            {
                "Type": "forward",
                "TargetGroupArn": tg_arn,
                "Order": 1,
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": tg_arn, "Weight": 1}],
                    "TargetGroupStickinessConfig": {"Enabled": False},
                },
            }
        ],
    }
    if cert_arn:
        listener["Certificates"] = [{"CertificateArn": cert_arn}]
    ctx.resource("elbv2", "Listener", listener)
    return Alb(arn, f"app/{name}/{lb_hex}", tg_arn, f"targetgroup/{tg_name}/{tg_hex}", listener_arn, dns)


def instance_item(
    ctx: Ctx,
    iid: str,
    *,
    ami: str,
    itype: str,
    launched: datetime,
    subnet: tuple[str, str, str],
    vpc: str,
    sgs: list[tuple[str, str]],
    profile: tuple[str, str] | None,
    name: str,
    extra_tags: dict[str, str],
    state: str = "running",
    hop_limit: int = 2,
    http_tokens: str = "optional",
    monitoring: bool = True,
    ip: str | None = None,
    public: str | None = None,
    state_reason: tuple[str, str] | None = None,
    transition_reason: str = "",
) -> dict[str, Any]:
    sid, az, pfx = subnet
    ip = ip or f"{pfx}.{ctx.rng.randint(4, 250)}" if subnet else ""
    eni = "eni-0" + ctx.hex(16)
    codes = {"running": 16, "stopped": 80, "pending": 0, "stopping": 64}
    item: dict[str, Any] = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "enabled" if monitoring else "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal",
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": codes[state], "Name": state},
        "StateTransitionReason": transition_reason,
        "SubnetId": sid,
        "VpcId": vpc,
        "Architecture": "arm64"
        if itype[2:3] == "g" or itype.startswith(("c7g", "m7g", "t4g", "m6g", "c6g"))
        else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=2)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": "vol-0" + ctx.hex(16),
                },
            }
        ],
        "ClientToken": ctx.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": "eni-attach-0" + ctx.hex(16),
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
                "PrivateIpAddresses": [
                    {
                        "Primary": True,
                        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal",
                        "PrivateIpAddress": ip,
                    }
                ],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": sid,
                "VpcId": vpc,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": tags({"Name": name, **extra_tags}),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
        "HibernationOptions": {"Configured": False},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": http_tokens,
            "HttpPutResponseHopLimit": hop_limit,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "EnclaveOptions": {"Enabled": False},
        "BootMode": "uefi" if itype.startswith(("c7g", "m7g", "t4g")) else "legacy-bios",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "uefi" if itype.startswith(("c7g", "m7g", "t4g")) else "legacy-bios",
    }
    if profile:
        item["IamInstanceProfile"] = {"Arn": profile[0], "Id": profile[1]}
    if public:
        item["PublicIpAddress"] = public
        item["PublicDnsName"] = f"ec2-{public.replace('.', '-')}.{ctx.region}.compute.amazonaws.com"
        item["NetworkInterfaces"][0]["Association"] = {
            "IpOwnerId": ctx.account,
            "PublicDnsName": item["PublicDnsName"],
            "PublicIp": public,
        }
    if state_reason:
        item["StateReason"] = {"Code": state_reason[0], "Message": state_reason[1]}
    ctx.resource("ec2", "Instance", item)
    if state == "running":
        ctx.resource(
            "ec2",
            "InstanceStatus",
            {
                "AvailabilityZone": az,
                "InstanceId": iid,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
                "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
                "AttachedEbsStatus": {
                    "Details": [{"Name": "reachability", "Status": "passed"}],
                    "Status": "ok",
                },
                "Events": [],
            },
        )
    return item


def log_group(ctx: Ctx, name: str, created: datetime, retention: int = 30) -> None:
    ctx.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": name,
            "creationTime": ms(created),
            "retentionInDays": retention,
            "metricFilterCount": 0,
            "arn": ctx.arn("logs", f"log-group:{name}:*"),
            "storedBytes": ctx.rng.randint(10**8, 4 * 10**10),
            "logGroupClass": "STANDARD",
            "logGroupArn": ctx.arn("logs", f"log-group:{name}"),
        },
    )


def iam_role(
    ctx: Ctx, name: str, created: datetime, trust_service: str, desc: str, last_used: datetime | None = None
) -> str:
    arn = f"arn:aws:iam::{ctx.account}:role/{name}"
    item: dict[str, Any] = {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + ctx.upper(17),
        "Arn": arn,
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": quote(
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": trust_service},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                separators=(",", ":"),
            ),
            safe="",
        ),
        "Description": desc,
        "MaxSessionDuration": 3600,
    }
    if last_used:
        item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": ctx.region}
    ctx.resource("iam", "Role", item)
    return arn


def target_health(
    ctx: Ctx,
    tg_arn: str,
    target_id: str,
    port: int,
    az: str,
    t: datetime,
    state: str,
    reason: str = "",
    description: str = "",
) -> None:
    health: dict[str, Any] = {"State": state}
    if reason:
        health["Reason"] = reason
    if description:
        health["Description"] = description
    ctx.event(
        "target_health",
        {
            "target_group_arn": tg_arn,
            "target": {"Id": target_id, "Port": port, "AvailabilityZone": az},
            "health": health,
            "timestamp": iso(t),
        },
    )


def lookup(
    ctx: Ctx, ns: str, metric: str, dims: dict[str, str], within: int = 300
) -> Callable[[datetime], float | None]:
    """A value function for `alarm`: the latest stored point at or before the period start, within `within` s
    (for series kept at 5-minute resolution far from the incident)."""
    data = ctx.series.get(skey(ns, metric, dims), {})
    keys = sorted(data)

    def fn(p: datetime) -> float | None:
        import bisect

        i = bisect.bisect_right(keys, p) - 1
        if i < 0 or (p - keys[i]).total_seconds() >= within:
            return None
        return data[keys[i]]

    return fn


def pick_day(ctx: Ctx, first: datetime, span_days: int, weekdays: tuple[int, ...] = (1, 2, 3)) -> datetime:
    """A date (midnight UTC) within span_days of `first` falling on one of the weekdays (Mon=0)."""
    while True:
        d = first + timedelta(days=ctx.rng.randrange(span_days))
        if d.weekday() in weekdays:
            return d
