# Incidents of kit zh, in the order written:
#  1. (change) A Terraform apply rewrites an SQS queue's access policy; its SourceArn pattern no longer
#     matches the SNS topic that feeds it, so one fan-out subscriber silently stops getting messages.
#  2. (component_failure) One ECS task of a service loses its Redis connection for good and answers
#     every request with a fast 500; a shallow health check keeps it in rotation and least-outstanding-
#     requests routing sends it far more than its share.
#  3. (limit) A self-managed PostgreSQL/TimescaleDB on an r5.large exhausts the instance's EBS bandwidth
#     burst in the morning peak; the gp3 volume has headroom but throughput flat-lines at the baseline.
#  4. (no fault) A stream-consumer IteratorAge alarm at night caused by a DynamoDB TTL expiry sweep; the
#     consumer keeps up without errors and drains the backlog.
"""Private helpers for the incidents of kit zh: ids, noise, metrics, CloudTrail, alarms, logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

MIN = timedelta(minutes=1)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    """Holds the rng, the account, and the records of one bundle as it is built."""

    def __init__(self, name: str, seed: int, region: str) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(2, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []

    # --- ids ----------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randint(0, 3)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def upper_id(self, prefix: str, n: int) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def ip(self, prefix: str) -> str:
        return f"{prefix}.{self.rng.randint(1, 254)}"

    def public_ip(self) -> str:
        return f"{self.rng.choice([81, 86, 92, 109, 176, 185, 212])}.{self.rng.randint(2, 250)}.{self.rng.randint(2, 250)}.{self.rng.randint(2, 250)}"

    # --- records ------------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    def put(self, ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 4),
            }
        )

    def put_dist(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        values: list[float],
        counts: list[float],
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [round(v, 5) for v in values],
                "counts": [float(c) for c in counts],
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def records(self) -> dict[str, list[dict[str, Any]]]:
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.trail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda r: r["Timestamp"])
        out = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.trail,
            "resources": self.resources,
            "events": self.events,
        }
        return {k: v for k, v in out.items() if v}


# --- time shapes and noise -------------------------------------------------------------------------


def daily(t: datetime, utc_offset: float, night: float = 0.15, peak_hour: float = 14.0) -> float:
    """A weekday traffic shape in (night..1]: quiet overnight, rising from 7am local, peak mid-afternoon."""
    h = (t.hour + t.minute / 60 + utc_offset) % 24
    if h < 6.0:
        x = 0.0
    elif h < 9.0:
        x = (h - 6.0) / 3.0 * 0.8
    else:
        x = 0.8 + 0.2 * math.cos((h - peak_hour) / 10.0 * math.pi) if h < 24 else 0.0
        if h > 20.0:
            x *= max(0.0, 1.0 - (h - 20.0) / 4.0)
    return night + (1.0 - night) * max(0.0, min(1.0, x))


def jitter(rng: random.Random, v: float, rel: float = 0.06) -> float:
    return max(0.0, v * (1.0 + rng.gauss(0.0, rel)))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def minutes(start: datetime, end: datetime, step: int = 1) -> Iterable[datetime]:
    t = start
    while t < end:
        yield t
        t += timedelta(minutes=step)


def timeline(start: datetime, end: datetime, fine_from: datetime) -> Iterable[tuple[datetime, int]]:
    """5-minute points before `fine_from`, 1-minute points after: (timestamp, period in minutes)."""
    t = start
    while t < end:
        if t < fine_from:
            yield t, 5
            t += timedelta(minutes=5)
        else:
            yield t, 1
            t += MIN


# --- CloudTrail ------------------------------------------------------------------------------------


class Who:
    """A principal as CloudTrail records it."""

    def __init__(
        self,
        kit: Kit,
        kind: str,
        role: str,
        session: str,
        ip: str,
        agent: str,
        invoked_by: str | None = None,
    ) -> None:
        self.kit = kit
        self.kind = kind
        self.role = role
        self.session = session
        self.ip = ip
        self.agent = agent
        self.invoked_by = invoked_by
        self.role_id = kit.upper_id("AROA", 17)
        self.key = kit.upper_id("ASIA", 16)

    def identity(self, t: datetime) -> dict[str, Any]:
        acct = self.kit.account
        path = "aws-reserved/sso.amazonaws.com/" if self.kind == "sso" else ""
        if self.kind == "service-linked":
            path = "aws-service-role/" + (self.invoked_by or "") + "/"
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{acct}:assumed-role/{self.role}/{self.session}",
            "accountId": acct,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": f"arn:aws:iam::{acct}:role/{path}{self.role}",
                    "accountId": acct,
                    "userName": self.role,
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=(hash_int(self.session) % 50) + 3)),
                    "mfaAuthenticated": "false",
                },
            },
        }
        if self.kind == "ci":
            ident["sessionContext"]["webIdFederationData"] = {}
        if self.invoked_by:
            ident["invokedBy"] = self.invoked_by
        return ident


def hash_int(s: str) -> int:
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1_000_003
    return h


def sso(kit: Kit, email: str, perm: str = "PlatformEngineer") -> Who:
    role = f"AWSReservedSSO_{perm}_{kit.hex(16)}"
    agent = kit.rng.choice(
        [
            "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        ]
    )
    return Who(kit, "sso", role, email, kit.public_ip(), agent)


def ci(kit: Kit, role: str, tool: str = "terraform") -> Who:
    if tool == "terraform":
        agent = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64"
    else:
        agent = "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#"
    ip = f"{kit.rng.choice([4, 13, 20, 40, 52])}.{kit.rng.randint(10, 250)}.{kit.rng.randint(1, 250)}.{kit.rng.randint(1, 250)}"
    return Who(kit, "ci", role, "GitHubActions", ip, agent)


def service_role(
    kit: Kit, role: str, session: str, ip: str, agent: str, invoked_by: str | None = None
) -> Who:
    return Who(kit, "role", role, session, ip, agent, invoked_by)


def ct(
    kit: Kit,
    who: Who,
    t: datetime,
    source: str,
    name: str,
    params: dict[str, Any] | None,
    response: dict[str, Any] | None = None,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    svc = source.split(".")[0]
    rec: dict[str, Any] = {
        "eventVersion": "1.09" if who.kind != "service-linked" else "1.08",
        "userIdentity": who.identity(t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": kit.region,
        "sourceIPAddress": who.invoked_by if who.invoked_by else who.ip,
        "userAgent": who.invoked_by if who.invoked_by else who.agent,
        "requestParameters": params,
        "responseElements": response,
        "requestID": kit.uuid() if svc not in ("s3",) else kit.hex(16).upper(),
        "eventID": kit.uuid(),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": kit.account,
        "eventCategory": "Management",
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    if resources:
        rec["resources"] = resources
    if not who.invoked_by:
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{svc}.{kit.region}.amazonaws.com",
        }
    kit.trail.append(rec)
    return rec


Template = tuple[str, str, bool, Callable[[], dict[str, Any] | None]]


def routine(
    kit: Kit,
    start: datetime,
    end: datetime,
    n: int,
    mix: list[tuple[Who, list[Template]]],
    avoid: list[tuple[datetime, datetime]] | None = None,
) -> None:
    """n routine records spread over start..end, each by a principal with one of its templates."""
    span = (end - start).total_seconds()
    for _ in range(n):
        who, templates = kit.rng.choice(mix)
        source, name, ro, params = kit.rng.choice(templates)
        t = start + timedelta(seconds=kit.rng.uniform(0, span))
        if avoid and any(a <= t <= b for a, b in avoid):
            t = t - timedelta(minutes=45)
        ct(kit, who, t.replace(microsecond=0), source, name, params(), None, ro)


# --- alarms ----------------------------------------------------------------------------------------


def fmt_reason_ts(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def alarm(
    kit: Kit,
    name: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    series: dict[datetime, float],
    window: tuple[datetime, datetime],
    description: str = "",
    datapoints: int | None = None,
    missing: str = "notBreaching",
    actions: list[str] | None = None,
    unit: str | None = None,
    extended: str | None = None,
) -> dict[str, Any]:
    """A MetricAlarm evaluated over `series` (period start -> aggregated value), with its history."""
    datapoints = datapoints or evals
    start, now = window
    arn = kit.arn("cloudwatch", f"alarm:{name}")
    cmp = {
        "GreaterThanThreshold": lambda v: v > threshold,
        "GreaterThanOrEqualToThreshold": lambda v: v >= threshold,
        "LessThanThreshold": lambda v: v < threshold,
        "LessThanOrEqualToThreshold": lambda v: v <= threshold,
    }[op]
    words = {
        "GreaterThanThreshold": "greater than",
        "GreaterThanOrEqualToThreshold": "greater than or equal to",
        "LessThanThreshold": "less than",
        "LessThanOrEqualToThreshold": "less than or equal to",
    }[op]
    state = "OK"
    step = timedelta(seconds=period)
    changed = start - timedelta(days=kit.rng.randint(3, 25), minutes=kit.rng.randint(0, 900))
    changed = datetime.fromtimestamp(int(changed.timestamp()) // period * period, UTC) + timedelta(seconds=52)
    calm = 0.0 if op.startswith("Greater") else threshold * 2
    hot = threshold * 1.5 + 1 if op.startswith("Greater") else threshold / 3
    old_at = changed - step * (evals + kit.rng.randint(2, 12))
    reason = (
        f"Threshold Crossed: {datapoints} out of the last {evals} datapoints [{hot} ({fmt_reason_ts(old_at - step - timedelta(seconds=52))})] "
        f"was {words} the threshold ({threshold}) (minimum {datapoints} datapoint{'s' if datapoints > 1 else ''} "
        f"for OK -> ALARM transition)."
    )
    ok_reason = (
        f"Threshold Crossed: 1 out of the last {evals} datapoints [{calm} ({fmt_reason_ts(changed - step - timedelta(seconds=52))})] was not "
        f"{words} the threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    for when, old_s, new_s, why, was in (
        (old_at, "OK", "ALARM", reason, "Threshold Crossed"),
        (changed, "ALARM", "OK", ok_reason, reason),
    ):
        kit.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(when),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old_s} to {new_s}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old_s, "stateReason": was},
                        "newState": {"stateValue": new_s, "stateReason": why},
                    },
                    separators=(",", ":"),
                ),
            }
        )
    reason = ok_reason
    reason_data: dict[str, Any] | None = None
    # period boundaries aligned to the epoch
    first = datetime.fromtimestamp((int(start.timestamp()) // period + evals) * period, UTC)
    t = first
    transitions: list[dict[str, Any]] = []
    while t + step <= now:
        eval_time = t + step + timedelta(seconds=40 + (hash_int(name + iso(t)) % 30))
        if eval_time > now:
            break
        keys = [t - step * i for i in range(evals)][::-1]
        vals = [series.get(k) for k in keys]
        present = [(k, v) for k, v in zip(keys, vals, strict=True) if v is not None]
        breaching = 0
        for v in vals:
            if v is None:
                breaching += 1 if missing == "breaching" else 0
            elif cmp(v):
                breaching += 1
        new = "ALARM" if breaching >= datapoints else "OK"
        if new != state:
            shown = present[-evals:] if present else []
            recent = [float(round(v, 4)) for _, v in shown]
            pts = ", ".join(
                f"{v} ({fmt_reason_ts(k)})" for k, v in zip([k for k, _ in shown], recent, strict=True)
            )
            if new == "ALARM":
                text = (
                    f"Threshold Crossed: {breaching} out of the last {evals} datapoints [{pts}] was {words} "
                    f"the threshold ({threshold}) (minimum {datapoints} datapoint{'s' if datapoints > 1 else ''} "
                    f"for OK -> ALARM transition)."
                )
            else:
                text = (
                    f"Threshold Crossed: {len(shown)} out of the last {evals} datapoints [{pts}] was not {words} "
                    f"the threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
                if not shown:
                    text = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
            rdata: dict[str, Any] = {
                "version": "1.0",
                "queryDate": iso_ms(eval_time).replace("Z", "+0000"),
                "startDate": iso_ms(keys[0]).replace("Z", "+0000"),
                "statistic": stat,
                "period": period,
                "recentDatapoints": recent,
                "threshold": threshold,
                "evaluatedDatapoints": [
                    {"timestamp": iso_ms(k).replace("Z", "+0000"), "sampleCount": 1.0, "value": v}
                    for k, v in reversed(shown)
                ],
            }
            hist: dict[str, Any] = {
                "version": "1.0",
                "oldState": {"stateValue": state, "stateReason": reason},
                "newState": {"stateValue": new, "stateReason": text, "stateReasonData": rdata},
            }
            if reason_data is not None:
                hist["oldState"]["stateReasonData"] = reason_data
            kit.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(eval_time),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(hist, separators=(",", ":")),
                }
            )
            if actions and new == "ALARM":
                kit.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(eval_time + timedelta(milliseconds=180)),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {actions[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(eval_time),
                                "notificationResource": actions[0],
                                "publishedMessage": {"default": "..."},
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
            transitions.append(
                {
                    "time": eval_time,
                    "old": state,
                    "new": new,
                    "reason": text,
                    "old_reason": reason,
                    "data": rdata,
                }
            )
            state, reason, reason_data, changed = new, text, rdata, eval_time
        t += step
    item: dict[str, Any] = {
        "AlarmName": name,
        "AlarmArn": arn,
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(start - timedelta(days=kit.rng.randint(20, 200))),
        "ActionsEnabled": True,
        "OKActions": list(actions or []),
        "AlarmActions": list(actions or []),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(changed),
        "StateTransitionedTimestamp": iso_ms(changed),
        "MetricName": metric,
        "Namespace": ns,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": datapoints,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": missing,
    }
    if extended:
        item["ExtendedStatistic"] = extended
    else:
        item["Statistic"] = stat
    if unit:
        item["Unit"] = unit
    if reason_data is not None:
        item["StateReasonData"] = json.dumps(reason_data, separators=(",", ":"))
    kit.alarms.append(item)
    return {"item": item, "transitions": transitions}


def alarm_event(kit: Kit, made: dict[str, Any], index: int = 0) -> dict[str, Any]:
    """The EventBridge "CloudWatch Alarm State Change" event of one transition of an alarm."""
    item = made["item"]
    tr = made["transitions"][index]
    dims = {d["Name"]: d["Value"] for d in item["Dimensions"]}
    stat = item.get("Statistic") or item.get("ExtendedStatistic")
    ts = tr["time"]
    return {
        "version": "0",
        "id": kit.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": kit.account,
        "time": iso(ts),
        "region": kit.region,
        "resources": [item["AlarmArn"]],
        "detail": {
            "alarmName": item["AlarmName"],
            "state": {
                "value": tr["new"],
                "reason": tr["reason"],
                "reasonData": json.dumps(tr["data"], separators=(",", ":")),
                "timestamp": iso_ms(ts).replace("Z", "+0000"),
            },
            "previousState": {
                "value": tr["old"],
                "reason": tr["old_reason"],
                "timestamp": iso_ms(ts - timedelta(days=2, minutes=17)).replace("Z", "+0000"),
            },
            "configuration": {
                "description": item["AlarmDescription"],
                "metrics": [
                    {
                        "id": kit.uuid(),
                        "metricStat": {
                            "metric": {
                                "namespace": item["Namespace"],
                                "name": item["MetricName"],
                                "dimensions": dims,
                            },
                            "period": item["Period"],
                            "stat": stat,
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


# --- common resource shapes ------------------------------------------------------------------------


def tags(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def vpc_and_subnets(kit: Kit, name: str, cidr2: int, azs: list[str]) -> tuple[str, list[str]]:
    vpc_id = "vpc-0" + kit.hex(16)
    kit.res(
        "ec2",
        "Vpc",
        {
            "VpcId": vpc_id,
            "CidrBlock": f"10.{cidr2}.0.0/16",
            "State": "available",
            "DhcpOptionsId": "dopt-0" + kit.hex(16),
            "InstanceTenancy": "default",
            "IsDefault": False,
            "OwnerId": kit.account,
            "Tags": tags({"Name": name}),
        },
    )
    subnets = []
    for i, az in enumerate(azs):
        sid = "subnet-0" + kit.hex(16)
        subnets.append(sid)
        kit.res(
            "ec2",
            "Subnet",
            {
                "SubnetId": sid,
                "VpcId": vpc_id,
                "AvailabilityZone": f"{kit.region}{az}",
                "CidrBlock": f"10.{cidr2}.{16 * (i + 1)}.0/20",
                "AvailableIpAddressCount": 4000 - kit.rng.randint(20, 200),
                "State": "available",
                "MapPublicIpOnLaunch": False,
                "DefaultForAz": False,
                "OwnerId": kit.account,
                "SubnetArn": kit.arn("ec2", f"subnet/{sid}"),
                "Tags": tags({"Name": f"{name}-private-{kit.region}{az}"}),
            },
        )
    return vpc_id, subnets


def lambda_report(
    kit: Kit,
    group: str,
    stream: str,
    t: datetime,
    dur: float,
    mem: int,
    used: int,
    lines: list[str],
    init: float | None = None,
) -> datetime:
    """START, the function's own lines, END and REPORT of one invocation; returns its end time."""
    rid = kit.uuid()
    kit.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST")
    for i, line in enumerate(lines):
        kit.log(
            group,
            stream,
            t + timedelta(milliseconds=dur * (i + 1) / (len(lines) + 1)),
            line.replace("{rid}", rid),
        )
    end = t + timedelta(milliseconds=dur)
    kit.log(group, stream, end, f"END RequestId: {rid}")
    billed = math.ceil(dur)
    extra = f"\tInit Duration: {init:.2f} ms" if init else ""
    kit.log(
        group,
        stream,
        end + timedelta(milliseconds=1),
        f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\tMax Memory Used: {used} MB{extra}\t",
    )
    return end


def lambda_stream(kit: Kit, t: datetime) -> str:
    return f"{t:%Y/%m/%d}/[$LATEST]{kit.hex(32)}"


def ecs_alb_service(
    kit: Kit,
    *,
    cluster: str,
    service: str,
    lb_name: str,
    vpc_id: str,
    subnets: list[str],
    azs: list[str],
    cidr2: int,
    tasks: int,
    image: str,
    port: int,
    created: datetime,
    deployed: datetime,
    health_path: str = "/healthz",
    algorithm: str = "round_robin",
    cpu: str = "512",
    memory: str = "1024",
    env: dict[str, str] | None = None,
    revision: int = 40,
) -> dict[str, Any]:
    """A Fargate service behind an internet-facing ALB: cluster, task definition, tasks, LB, TG, listener."""
    lb_hex = kit.hex(16)
    tg_hex = kit.hex(16)
    lb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    tg_name = f"{service}-tg"[:32]
    tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    service_arn = kit.arn("ecs", f"service/{cluster}/{service}")
    family = service
    td_arn = kit.arn("ecs", f"task-definition/{family}:{revision}")
    exec_role = kit.arn("iam", "role/ecsTaskExecutionRole", region=False)
    task_role = kit.arn("iam", f"role/{service}-task", region=False)
    alb_sg = "sg-0" + kit.hex(16)
    svc_sg = "sg-0" + kit.hex(16)
    log_group = f"/ecs/{service}"
    kit.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks + 2,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "tags": [{"key": "team", "value": "platform"}],
        },
    )
    env_list = [{"name": k, "value": v} for k, v in (env or {}).items()]
    container = {
        "name": service,
        "image": image,
        "cpu": 0,
        "portMappings": [
            {
                "containerPort": port,
                "hostPort": port,
                "protocol": "tcp",
                "name": f"{service}-{port}-tcp",
                "appProtocol": "http",
            }
        ],
        "essential": True,
        "environment": env_list,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": kit.region,
                "awslogs-stream-prefix": "ecs",
            },
        },
    }
    kit.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": td_arn,
            "family": family,
            "revision": revision,
            "containerDefinitions": [container],
            "taskRoleArn": task_role,
            "executionRoleArn": exec_role,
            "networkMode": "awsvpc",
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": cpu,
            "memory": memory,
            "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
            "registeredAt": iso(deployed - timedelta(minutes=3)),
            "registeredBy": kit.arn("sts", "assumed-role/gha-deploy/GitHubActions", region=False).replace(
                "arn:aws:sts::", "arn:aws:sts::"
            ),
        },
    )
    task_list = []
    for i in range(tasks):
        az = azs[i % len(azs)]
        sub = subnets[i % len(subnets)]
        tid = kit.hex(32)
        ip = f"10.{cidr2}.{16 * (i % len(azs) + 1) + kit.rng.randint(0, 14)}.{kit.rng.randint(4, 250)}"
        eni = "eni-0" + kit.hex(16)
        started = deployed + timedelta(seconds=40 + 25 * i + kit.rng.randint(0, 20))
        task = {
            "taskArn": kit.arn("ecs", f"task/{cluster}/{tid}"),
            "id": tid,
            "ip": ip,
            "eni": eni,
            "az": f"{kit.region}{az}",
            "subnet": sub,
            "started": started,
        }
        task_list.append(task)
    svc = {
        "serviceArn": service_arn,
        "serviceName": service,
        "clusterArn": cluster_arn,
        "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": service, "containerPort": port}],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": tasks,
        "runningCount": tasks,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": td_arn,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [
            {
                "id": "ecs-svc/" + "".join(kit.rng.choice("0123456789") for _ in range(19)),
                "status": "PRIMARY",
                "taskDefinition": td_arn,
                "desiredCount": tasks,
                "pendingCount": 0,
                "runningCount": tasks,
                "failedTasks": 0,
                "createdAt": iso(deployed),
                "updatedAt": iso(deployed + timedelta(minutes=6)),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [svc_sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment ecs-svc completed.",
            }
        ],
        "roleArn": kit.arn(
            "iam", "role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", region=False
        ),
        "events": [],
        "createdAt": iso(created),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": subnets,
                "securityGroups": [svc_sg],
                "assignPublicIp": "DISABLED",
            }
        },
        "healthCheckGracePeriodSeconds": 60,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": kit.arn("iam", "role/gha-terraform-apply", region=False),
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }
    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{kit.rng.randint(100000000, 1999999999)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(created - timedelta(days=30)),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc_id,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"{kit.region}{az}", "SubnetId": s} for az, s in zip(azs, subnets, strict=False)
            ],
            "SecurityGroups": [alb_sg],
            "IpAddressType": "ipv4",
        },
    )
    kit.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
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
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    kit.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": kit.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{kit.hex(16)}"),
            "LoadBalancerArn": lb_arn,
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": kit.arn("acm", f"certificate/{kit.uuid()}")}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn, "Order": 1}],
        },
    )
    return {
        "lb_arn": lb_arn,
        "lb_dim": f"app/{lb_name}/{lb_hex}",
        "tg_arn": tg_arn,
        "tg_dim": f"targetgroup/{tg_name}/{tg_hex}",
        "cluster_arn": cluster_arn,
        "service_arn": service_arn,
        "service_item": svc,
        "td_arn": td_arn,
        "tasks": task_list,
        "log_group": log_group,
        "svc_sg": svc_sg,
        "alb_sg": alb_sg,
        "task_role": task_role,
        "container": container,
        "algorithm": algorithm,
    }


def private_dns(kit: Kit, ip: str) -> str:
    suffix = "ec2.internal" if kit.region == "us-east-1" else f"{kit.region}.compute.internal"
    return f"ip-{ip.replace('.', '-')}.{suffix}"


def ecs_task_item(
    kit: Kit, stack: dict[str, Any], task: dict[str, Any], cpu: str, memory: str
) -> dict[str, Any]:
    name = stack["container"]["name"]
    return {
        "taskArn": task["taskArn"],
        "clusterArn": stack["cluster_arn"],
        "taskDefinitionArn": stack["td_arn"],
        "group": f"service:{name}",
        "availabilityZone": task["az"],
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "healthStatus": "UNKNOWN",
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "cpu": cpu,
        "memory": memory,
        "connectivity": "CONNECTED",
        "connectivityAt": iso(task["started"] - timedelta(seconds=31)),
        "pullStartedAt": iso(task["started"] - timedelta(seconds=24)),
        "pullStoppedAt": iso(task["started"] - timedelta(seconds=9)),
        "createdAt": iso(task["started"] - timedelta(seconds=35)),
        "startedAt": iso(task["started"]),
        "startedBy": "ecs-svc/" + str(hash_int(task["id"]) * 7919 % 10**19).zfill(19),
        "version": 3,
        "attachments": [
            {
                "id": kit.uuid(),
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": task["subnet"]},
                    {"name": "networkInterfaceId", "value": task["eni"]},
                    {"name": "macAddress", "value": ":".join(kit.hex(2) for _ in range(6))},
                    {"name": "privateDnsName", "value": private_dns(kit, task["ip"])},
                    {"name": "privateIPv4Address", "value": task["ip"]},
                ],
            }
        ],
        "containers": [
            {
                "containerArn": kit.arn(
                    "ecs", f"container/{stack['cluster_arn'].split('/')[-1]}/{task['id']}/{kit.uuid()}"
                ),
                "taskArn": task["taskArn"],
                "name": name,
                "image": stack["container"]["image"],
                "lastStatus": "RUNNING",
                "networkInterfaces": [{"attachmentId": kit.uuid(), "privateIpv4Address": task["ip"]}],
                "healthStatus": "UNKNOWN",
                "cpu": "0",
            }
        ],
        "tags": [],
        "ephemeralStorage": {"sizeInGiB": 20},
    }
