# Author v's incidents for the fresh suite (in this order):
#  1. system_change: AWS replaced the endpoint of the only configured tunnel of the Site-to-Site VPN to the
#     warehouse ERP (tunnel 2 was never brought up on the customer gateway, IKEv1 + startup "add", so the
#     tunnel stays down); ERP stock pulls and the order-export queue consumer start timing out.
#  2. change: a network-baseline pipeline narrowed the app subnets' network ACL inbound ephemeral-port rule
#     from 0.0.0.0/0 to the VPC CIDR; the webhook dispatcher Lambda (in those subnets, egress via NAT) can
#     no longer complete TCP handshakes to merchant endpoints, while everything talking inside the VPC works.
#     A deploy of the same function and a security-group edit nearby are innocent.
#  3. no fault: web ALB target 4XX alarm right after a storefront deploy; the 4xx are 404s from a vulnerability
#     scanner sweeping /.env, /wp-login.php, ... from two addresses; real pages answer 200, no 5xx.
"""Private helpers for author v's fresh incidents: ids, time, series, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


# --- ids and time -----------------------------------------------------------------------------------


def hexid(rng: random.Random, n: int = 17) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    """A UUID (version 4 layout) drawn from rng."""
    h = hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:32]}"


def upper_id(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """Timestamps as CloudWatch writes them in alarm reason data: 2024-05-14T10:45:00.000+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def steps(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += step
    return out


def grid(start: datetime, now: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """Period starts with their length in seconds: 5-minute before `fine_from`, 1-minute after, up to now."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, 300))
        t += timedelta(minutes=5)
    while t + timedelta(minutes=1) <= now:
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


def diurnal(t: datetime, utc_offset_h: float, low: float = 0.25, peak_hour: float = 14.0) -> float:
    """A daily traffic shape in [low, 1]: quiet at night, highest around peak_hour local time."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((h - peak_hour) / 24 * 2 * math.pi)
    night = max(0.0, math.cos((h - 3.5) / 24 * 2 * math.pi)) ** 3
    v = 0.5 + 0.5 * x - 0.35 * night
    return low + (1 - low) * max(0.0, min(1.0, v))


def jitter(rng: random.Random, v: float, pct: float = 0.08) -> float:
    return v * (1 + rng.gauss(0, pct))


# --- metrics ------------------------------------------------------------------------------------------


def datum(ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> Json:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(float(value), 4),
    }


def stats(
    ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, samples: Sequence[float]
) -> Json:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": float(len(samples)),
            "Sum": round(float(sum(samples)), 4),
            "Minimum": round(float(min(samples)), 4),
            "Maximum": round(float(max(samples)), 4),
        },
    }


def dist(
    ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, samples: Sequence[float]
) -> Json:
    """A distribution datapoint (values + counts), rounded into buckets so percentiles can be computed."""
    buckets: dict[float, int] = {}
    for s in samples:
        key = round(s, 1) if s < 100 else float(round(s))
        buckets[key] = buckets.get(key, 0) + 1
    keys = sorted(buckets)
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "values": keys,
        "counts": [float(buckets[k]) for k in keys],
    }


# --- logs ---------------------------------------------------------------------------------------------


def log(group: str, stream: str, t: datetime, message: str) -> Json:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def lambda_stream(rng: random.Random, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{hexid(rng, 32)}"


def lambda_report(
    req: str,
    duration_ms: float,
    memory: int,
    used: int,
    init_ms: float | None = None,
    timed_out: bool = False,
) -> str:
    billed = math.ceil(duration_ms)
    text = (
        f"REPORT RequestId: {req}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
    )
    if init_ms is not None:
        text += f"Init Duration: {init_ms:.2f} ms\t"
    if timed_out:
        text += "Status: timeout"
    return text


def flow_record(
    account: str,
    eni: str,
    src: str,
    dst: str,
    sport: int,
    dport: int,
    packets: int,
    nbytes: int,
    start: datetime,
    end: datetime,
    action: str,
) -> str:
    return (
        f"2 {account} {eni} {src} {dst} {sport} {dport} 6 {packets} {nbytes} "
        f"{int(start.timestamp())} {int(end.timestamp())} {action} OK"
    )


# --- CloudTrail ---------------------------------------------------------------------------------------


def sso_identity(rng_seed: str, account: str, perm_set: str, user: str) -> Json:
    r = random.Random(f"sso:{rng_seed}:{perm_set}:{user}")
    suffix = hexid(r, 16)
    role = f"AWSReservedSSO_{perm_set}_{suffix}"
    principal = "AROA" + upper_id(r, 17)
    return {
        "type": "AssumedRole",
        "principalId": f"{principal}:{user}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{user}",
        "accountId": account,
        "accessKeyId": "ASIA" + upper_id(r, 16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": principal,
                "arn": f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{role}",
                "accountId": account,
                "userName": role,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }


def role_identity(
    rng_seed: str, account: str, role: str, session: str, path: str = "/", invoked_by: str | None = None
) -> Json:
    r = random.Random(f"role:{rng_seed}:{role}")
    principal = "AROA" + upper_id(r, 17)
    return {
        "type": "AssumedRole",
        "principalId": f"{principal}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": "ASIA" + upper_id(r, 16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": principal,
                "arn": f"arn:aws:iam::{account}:role{path}{role}",
                "accountId": account,
                "userName": role,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
        **({"invokedBy": invoked_by} if invoked_by else {}),
    }


def service_identity(service: str) -> Json:
    return {"type": "AWSService", "invokedBy": service}


def ct(
    rng: random.Random,
    *,
    account: str,
    region: str,
    when: datetime,
    source: str,
    name: str,
    ident: Json,
    params: Json | None,
    response: Json | None = None,
    read_only: bool,
    agent: str,
    ip: str,
    version: str = "1.09",
    extra: Json | None = None,
) -> Json:
    ident = json.loads(json.dumps(ident))
    ctx = ident.get("sessionContext")
    if isinstance(ctx, dict):
        # a session starts a little before its call
        ctx["attributes"]["creationDate"] = iso(when - timedelta(minutes=rng.randint(2, 50)))
    rec: Json = {
        "eventVersion": version,
        "userIdentity": ident,
        "eventTime": iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": params,
        "responseElements": response,
        "requestID": uid(rng),
        "eventID": uid(rng),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    if ident.get("type") != "AWSService" and "invokedBy" not in ident:
        host = source.replace(".amazonaws.com", f".{region}.amazonaws.com")
        if source in ("iam.amazonaws.com", "sts.amazonaws.com") and source == "iam.amazonaws.com":
            host = "iam.amazonaws.com"
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if extra:
        rec.update(extra)
    return rec


CONSOLE_AGENT = "AWS Internal"
TF_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{svc}#{ver}"
)
CLI_AGENT = "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"
BOTO_AGENT = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"


def routine_reads(
    rng: random.Random,
    *,
    account: str,
    region: str,
    start: datetime,
    end: datetime,
    count: int,
    calls: Sequence[tuple[Json, str, str, str, Json | None, str, str]],
) -> list[Json]:
    """`count` read-only calls spread over start..end, each drawn from `calls`:
    (identity, eventSource, eventName, userAgent, requestParameters, sourceIP, version)."""
    out = []
    span = (end - start).total_seconds()
    for _ in range(count):
        ident, source, name, agent, params, ip, version = rng.choice(list(calls))
        when = start + timedelta(seconds=rng.uniform(0, span))
        when = when.replace(microsecond=0)
        out.append(
            ct(
                rng,
                account=account,
                region=region,
                when=when,
                source=source,
                name=name,
                ident=ident,
                params=params,
                read_only=True,
                agent=agent,
                ip=ip,
                version=version,
            )
        )
    return out


def sort_trail(records: list[Json]) -> list[Json]:
    return sorted(records, key=lambda r: (r["eventTime"], r["eventID"]))


# --- alarms -------------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


def _short(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def evaluate_alarm(
    points: dict[datetime, float],
    *,
    first_eval: datetime,
    now: datetime,
    period: int,
    evals: int,
    dta: int,
    threshold: float,
    op: str,
    stat: str,
    missing_as_good: bool = True,
    initial: str = "OK",
) -> list[tuple[datetime, str, str, str, Json]]:
    """Walk the alarm's evaluations (once a minute) and return its state changes:
    (time, old state, new state, reason, reason data)."""
    cmp, words = _OPS[op]
    state = initial
    out: list[tuple[datetime, str, str, str, Json]] = []
    t = first_eval
    step = timedelta(seconds=period)
    while t <= now:
        # the newest complete period ends at or before t (with a minute's delay for delivery)
        last_end = t - timedelta(minutes=1)
        last_start = datetime.fromtimestamp((int(last_end.timestamp()) // period) * period - period, UTC)
        window = [last_start - step * i for i in range(evals)]
        present = [(p, points[p]) for p in window if p in points]
        breaching = [(p, v) for p, v in present if cmp(v, threshold)]
        new = state
        if len(breaching) >= dta:
            new = "ALARM"
        elif len(present) == 0 and not missing_as_good:
            new = "INSUFFICIENT_DATA"
        elif len(breaching) < dta:
            new = "OK"
        if new != state:
            shown = present if new == "OK" else breaching
            shown = sorted(shown, key=lambda pv: pv[0], reverse=True)
            listed = ", ".join(f"{_fmt(v)} ({_short(p)})" for p, v in shown)
            n_shown = len(shown)
            if new == "ALARM":
                reason = (
                    f"Threshold Crossed: {n_shown} out of the last {evals} datapoints [{listed}] "
                    f"{'was' if n_shown == 1 else 'were'} {words} the threshold ({_fmt(threshold)}) "
                    f"(minimum {dta} datapoint{'s' if dta > 1 else ''} for OK -> ALARM transition)."
                )
            else:
                reason = (
                    f"Threshold Crossed: {n_shown} out of the last {evals} datapoints [{listed}] "
                    f"{'was' if n_shown == 1 else 'were'} not {words} the threshold ({_fmt(threshold)}) "
                    f"(minimum 1 datapoint for ALARM -> OK transition)."
                )
            data: Json = {
                "version": "1.0",
                "queryDate": cw_ts(t + timedelta(seconds=12, milliseconds=347)),
                "startDate": cw_ts(window[-1]),
                "statistic": stat,
                "period": period,
                "recentDatapoints": [round(v, 6) for _, v in sorted(present)],
                "threshold": float(threshold),
                "evaluatedDatapoints": [
                    {"timestamp": cw_ts(p), "sampleCount": 1.0, "value": round(v, 6)} for p, v in shown
                ],
            }
            out.append((t + timedelta(seconds=12, milliseconds=347), state, new, reason, data))
            state = new
        t += timedelta(minutes=1)
    return out


def metric_alarm(
    *,
    account: str,
    region: str,
    name: str,
    description: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    dta: int,
    threshold: float,
    op: str,
    topic: str,
    created: datetime,
    transitions: list[tuple[datetime, str, str, str, Json]],
    treat_missing: str = "notBreaching",
    ok_reason: str | None = None,
    ok_since: datetime | None = None,
) -> tuple[Json, list[Json]]:
    """The MetricAlarm (as DescribeAlarms returns it at `now`) and its history items."""
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
    alarm: Json = {
        "AlarmName": name,
        "AlarmArn": arn,
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": [topic],
        "AlarmActions": [topic],
        "InsufficientDataActions": [],
        "MetricName": metric,
        "Namespace": namespace,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": dta,
        "Threshold": float(threshold),
        "ComparisonOperator": op,
        "TreatMissingData": treat_missing,
    }
    history: list[Json] = []
    if transitions:
        when, old, new, reason, data = transitions[-1]
        alarm.update(
            StateValue=new,
            StateReason=reason,
            StateReasonData=json.dumps(data, separators=(",", ":")),
            StateUpdatedTimestamp=iso_ms(when),
            StateTransitionedTimestamp=iso_ms(when),
        )
        for when, old, new, reason, data in transitions:
            hd = {
                "version": "1.0",
                "oldState": {"stateValue": old, "stateReason": "Threshold Crossed"},
                "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
            }
            history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(when),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(hd, separators=(",", ":")),
                }
            )
    else:
        since = ok_since or created + timedelta(minutes=3)
        words = _OPS[op][1]
        dp = since - timedelta(seconds=period + 60)
        dp = dp.replace(second=0, microsecond=0)
        alarm.update(
            StateValue="OK",
            StateReason=ok_reason
            or f"Threshold Crossed: 1 out of the last {evals} datapoints [0.0 ({_short(dp)})] was not {words} "
            f"the threshold ({_fmt(threshold)}) (minimum 1 datapoint for ALARM -> OK transition).",
            StateUpdatedTimestamp=iso_ms(since),
            StateTransitionedTimestamp=iso_ms(since),
        )
    return alarm, history


def alarm_event(rng: random.Random, alarm: Json, transition: tuple[datetime, str, str, str, Json]) -> Json:
    """The EventBridge "CloudWatch Alarm State Change" event for one transition of `alarm`."""
    when, old, new, reason, data = transition
    dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": alarm["AlarmArn"].split(":")[4],
        "time": iso(when),
        "region": alarm["AlarmArn"].split(":")[3],
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": alarm["AlarmName"],
            "state": {
                "value": new,
                "reason": reason,
                "reasonData": json.dumps(data, separators=(",", ":")),
                "timestamp": cw_ts(when),
            },
            "previousState": {
                "value": old,
                "reason": "Threshold Crossed: previous state",
                "timestamp": cw_ts(when - timedelta(days=2, minutes=17)),
            },
            "configuration": {
                "description": alarm.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": hexid(rng, 8) + "-" + hexid(rng, 4),
                        "metricStat": {
                            "metric": {
                                "namespace": alarm["Namespace"],
                                "name": alarm["MetricName"],
                                "dimensions": dims,
                            },
                            "period": alarm["Period"],
                            "stat": alarm.get("Statistic") or alarm.get("ExtendedStatistic"),
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def tags(**kv: str) -> list[Json]:
    return [{"Key": k.replace("_", ":") if k.startswith("aws_") else k, "Value": v} for k, v in kv.items()]


def res(service: str, type_: str, item: Json) -> Json:
    return {"service": service, "type": type_, "item": item}


def pick(rng: random.Random, options: Sequence[Any]) -> Any:
    return options[rng.randrange(len(options))]


def per_period(
    points: list[tuple[datetime, int]], fn: Callable[[datetime, int], float | None]
) -> dict[datetime, float]:
    out: dict[datetime, float] = {}
    for t, p in points:
        v = fn(t, p)
        if v is not None:
            out[t] = v
    return out
