# Incidents of kit zm, in the order they are written:
#   1. change: a cache parameter-group edit in the morning (eviction policy) that only bites hours later,
#      when the session/cart Redis fills up and writes start failing behind an EC2 web fleet.
#   2. component_failure: one EBS volume under the primary of a self-managed MongoDB replica set on EC2
#      stalls its I/O; the node stays "up", so no election happens and writes from an ECS service hang.
#   3. limit: an ECS-on-EC2 host packed with bridge-mode tasks exceeds the per-ENI link-local packet
#      allowance to the VPC resolver at the evening peak; intermittent DNS failures only from that host.
#   4. no fault: a newly created ECS cluster CPU-reservation alarm crosses at the normal evening peak while
#      capacity-provider scaling adds hosts as designed; latency and errors stay normal.
"""Shared helpers for kit zm's incidents: ids, time series, CloudTrail records, alarms, AWS items."""

from __future__ import annotations

import bisect
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def epoch_ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def floor_min(t: datetime, minutes: int = 1) -> datetime:
    t = t.replace(second=0, microsecond=0)
    return t - timedelta(minutes=t.minute % minutes)


class Ids:
    """Deterministic AWS-looking identifiers drawn from one Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def instance(self) -> str:
        return "i-0" + self.hex(16)

    def sg(self) -> str:
        return "sg-0" + self.hex(16)

    def subnet(self) -> str:
        return "subnet-0" + self.hex(16)

    def vpc(self) -> str:
        return "vpc-0" + self.hex(16)

    def vol(self) -> str:
        return "vol-0" + self.hex(16)

    def eni(self) -> str:
        return "eni-0" + self.hex(16)

    def ami(self) -> str:
        return "ami-0" + self.hex(16)

    def lt(self) -> str:
        return "lt-0" + self.hex(16)

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def access_key(self, prefix: str = "ASIA") -> str:
        return prefix + self.upper(16)

    def role_id(self) -> str:
        return "AROA" + self.upper(17)

    def ip(self, a: int, b: int) -> str:
        return f"10.{a}.{b}.{self.rng.randrange(4, 250)}"


def account_for(rng: random.Random) -> str:
    return str(rng.randrange(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))


# --- time series -------------------------------------------------------------------------------------


def grid(
    start: datetime, now: datetime, fine_from: datetime, coarse: int = 5
) -> Iterator[tuple[datetime, int]]:
    """Timestamps from start to now: every `coarse` minutes before `fine_from`, every minute after.
    Yields (timestamp, period in seconds of that datapoint)."""
    t = floor_min(start, coarse)
    while t < fine_from and t <= now:
        yield t, coarse * 60
        t += timedelta(minutes=coarse)
    t = floor_min(fine_from)
    while t <= now - timedelta(minutes=1):
        yield t, 60
        t += timedelta(minutes=1)


def diurnal(
    t: datetime, utc_offset_h: float, peak_h: float = 19.5, low: float = 0.18, width: float = 4.5
) -> float:
    """A daily traffic shape: `low` at night, 1.0 at the local peak hour; a day-time plateau."""
    h = ((t.hour + t.minute / 60 + utc_offset_h) % 24 + 24) % 24
    d = min(abs(h - peak_h), 24 - abs(h - peak_h))
    peak = math.exp(-((d / width) ** 2))
    day = 0.55 if 8 <= h <= 22 else 0.0
    ramp = day * (1 - math.exp(-max(0.0, min(h - 7.0, 23.0 - h)) / 1.2))
    return low + (1 - low) * max(peak, ramp)


@dataclass
class Series:
    namespace: str
    metric: str
    dims: dict[str, str]
    unit: str
    points: list[tuple[datetime, float]] = field(default_factory=list)
    stat: str = "Average"  # how the datapoint value aggregates over a longer period


class Telemetry:
    """Everything one bundle holds, built up by an incident."""

    def __init__(self, name: str, seed: int, region: str) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.ids = Ids(self.rng)
        self.account = account_for(self.rng)
        self.region = region
        self.series: list[Series] = []
        self.logs: list[Json] = []
        self.trail: list[Json] = []
        self.resources: list[Json] = []
        self.events: list[Json] = []
        self.alarms: list[Json] = []
        self.history: list[Json] = []
        self.transitions: dict[str, list[Json]] = {}

    # metrics
    def add_series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        times: list[tuple[datetime, int]],
        fn: Callable[[datetime, int], float | None],
        stat: str = "Average",
        digits: int = 3,
    ) -> Series:
        s = Series(namespace, metric, dict(dims), unit, stat=stat)
        for t, p in times:
            v = fn(t, p)
            if v is None:
                continue
            s.points.append((t, round(float(v), digits)))
        self.series.append(s)
        return s

    def metric_rows(self) -> list[Json]:
        rows: list[Json] = []
        for s in self.series:
            for t, v in s.points:
                rows.append(
                    {
                        "namespace": s.namespace,
                        "metric": s.metric,
                        "dimensions": s.dims,
                        "timestamp": iso(t),
                        "unit": s.unit,
                        "value": v,
                    }
                )
        return rows

    def find(self, namespace: str, metric: str, dims: dict[str, str]) -> Series:
        for s in self.series:
            if s.namespace == namespace and s.metric == metric and s.dims == dims:
                return s
        raise KeyError(f"{namespace} {metric} {dims}")

    # logs
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": epoch_ms(t), "message": message}
        )

    def resource(self, service: str, type_: str, item: Json) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: Json) -> None:
        self.events.append({"source": source, "item": item})

    def records(self, now: datetime) -> dict[str, list[Json]]:
        logs = sorted(self.logs, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        trail = sorted(self.trail, key=lambda r: r["eventTime"])
        return {
            "metrics": self.metric_rows(),
            "alarms": self.alarms,
            "alarm_history": sorted(self.history, key=lambda r: r["Timestamp"]),
            "logs": [r for r in logs if r["timestamp"] <= epoch_ms(now)],
            "cloudtrail": [r for r in trail if r["eventTime"] <= iso(now)],
            "resources": self.resources,
            "events": self.events,
        }


# --- CloudTrail --------------------------------------------------------------------------------------


@dataclass
class Principal:
    identity: Json
    source_ip: str
    user_agent: str
    console: bool = False
    invoked_by: str | None = None


def sso_user(tel: Telemetry, email: str, permission_set: str, ip: str) -> Principal:
    suffix = tel.ids.hex(16)
    role = f"AWSReservedSSO_{permission_set}_{suffix}"
    rid = tel.ids.role_id()
    ident = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{email}",
        "arn": f"arn:aws:sts::{tel.account}:assumed-role/{role}/{email}",
        "accountId": tel.account,
        "accessKeyId": tel.ids.access_key(),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{tel.account}:role/aws-reserved/sso.amazonaws.com/{tel.region}/{role}",
                "accountId": tel.account,
                "userName": role,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36"
    return Principal(ident, ip, ua, console=True)


def cli_user(tel: Telemetry, email: str, permission_set: str, ip: str) -> Principal:
    p = sso_user(tel, email, permission_set, ip)
    p.console = False
    p.user_agent = "aws-cli/2.17.43 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#"
    return p


def role_session(
    tel: Telemetry, role: str, session: str, ip: str, ua: str, invoked_by: str | None = None
) -> Principal:
    rid = tel.ids.role_id()
    ident = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{session}",
        "arn": f"arn:aws:sts::{tel.account}:assumed-role/{role.split('/')[-1]}/{session}",
        "accountId": tel.account,
        "accessKeyId": tel.ids.access_key(),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{tel.account}:role/{role}",
                "accountId": tel.account,
                "userName": role.split("/")[-1],
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return Principal(ident, ip, ua, invoked_by=invoked_by)


def service_linked(tel: Telemetry, service: str, role: str, session: str) -> Principal:
    return role_session(
        tel, f"aws-service-role/{service}/{role}", session, service, service, invoked_by=service
    )


def trail(
    tel: Telemetry,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    request: Json | None,
    response: Json | None = None,
    *,
    read_only: bool = False,
    resources: list[Json] | None = None,
    error: tuple[str, str] | None = None,
    version: str = "1.09",
) -> Json:
    ident = json.loads(json.dumps(who.identity))
    ctx = ident.get("sessionContext")
    if ctx:
        created = t - timedelta(minutes=tel.rng.randrange(3, 50), seconds=tel.rng.randrange(60))
        ctx["attributes"]["creationDate"] = iso(created)
    rec: Json = {
        "eventVersion": version,
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": tel.region,
        "sourceIPAddress": who.source_ip,
        "userAgent": who.user_agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = request
    rec["responseElements"] = response
    rec["requestID"] = tel.ids.uuid()
    rec["eventID"] = tel.ids.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = tel.account
    rec["eventCategory"] = "Management"
    if not who.invoked_by:
        host = source.replace(".amazonaws.com", f".{tel.region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if who.console:
        rec["sessionCredentialFromConsole"] = "true"
    tel.trail.append(rec)
    return rec


def routine_reads(
    tel: Telemetry,
    who: list[tuple[Principal, list[tuple[str, str, Json | None]]]],
    start: datetime,
    end: datetime,
    n: int,
) -> None:
    """`n` read-only calls spread over [start, end] by the given principals."""
    span = (end - start).total_seconds()
    for _ in range(n):
        p, calls = who[tel.rng.randrange(len(who))]
        src, name, req = calls[tel.rng.randrange(len(calls))]
        t = start + timedelta(seconds=tel.rng.uniform(0, span))
        trail(tel, t.replace(microsecond=0), p, src, name, req, None, read_only=True)


# --- alarms ------------------------------------------------------------------------------------------


_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _aggregate(
    points: list[tuple[datetime, float]], keys: list[datetime], lo: datetime, hi: datetime, stat: str
) -> tuple[float, int] | None:
    vals = [v for _, v in points[bisect.bisect_left(keys, lo) : bisect.bisect_left(keys, hi)]]
    if not vals:
        return None
    if stat == "Sum":
        return sum(vals), len(vals)
    if stat == "Maximum":
        return max(vals), len(vals)
    if stat == "Minimum":
        return min(vals), len(vals)
    if stat == "SampleCount":
        return float(len(vals)), len(vals)
    return sum(vals) / len(vals), len(vals)


def _fmt(v: float) -> str:
    return repr(round(v, 10)) if v != int(v) else f"{v:.1f}"


def alarm(
    tel: Telemetry,
    name: str,
    series: Series,
    *,
    stat: str,
    period: int,
    evaluations: int,
    to_alarm: int,
    threshold: float,
    op: str,
    created: datetime,
    now: datetime,
    description: str,
    actions: list[str],
    missing: str = "missing",
    unit: str | None = None,
    existing: datetime | None = None,
) -> Json:
    """A MetricAlarm whose state history follows the series, evaluated each minute from `created`.

    `existing`: the alarm was configured then (before the bundle) and starts the bundle in OK."""
    arn = f"arn:aws:cloudwatch:{tel.region}:{tel.account}:alarm:{name}"
    check, words = _OPS[op]
    state = "OK" if existing else "INSUFFICIENT_DATA"
    changed = existing or created
    reason = "Unchecked: Initial alarm creation"
    reason_data: str | None = None
    prev_reason = reason
    hist: list[Json] = []
    if existing is None:
        hist.append(
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
                            "metrics": [],
                            "threshold": threshold,
                            "period": period,
                            "evaluationPeriods": evaluations,
                            "comparisonOperator": op,
                            "namespace": series.namespace,
                            "metricName": series.metric,
                            "statistic": stat,
                        },
                    }
                ),
            }
        )
    keys = [p[0] for p in series.points]
    t = floor_min(created) + timedelta(minutes=1)
    seeded = False
    moves: list[Json] = []
    while t <= now:
        end = floor_min(t, max(1, period // 60))
        windows = []
        for k in range(evaluations):
            hi = end - timedelta(seconds=period * k)
            lo = hi - timedelta(seconds=period)
            windows.append((lo, _aggregate(series.points, keys, lo, hi, stat)))
        present = [(lo, a) for lo, a in windows if a is not None]
        breaching = sum(1 for _, a in present if check(a[0], threshold))
        if missing == "breaching":
            breaching += len(windows) - len(present)
        if not present and missing == "missing":
            new = "INSUFFICIENT_DATA" if state == "INSUFFICIENT_DATA" else state
        elif breaching >= to_alarm:
            new = "ALARM"
        elif missing == "notBreaching" or present:
            new = "OK"
        else:
            new = state
        seeding = existing is not None and not seeded and new == "OK" and bool(present)
        if new != state or seeding:
            recent = [a[0] for _, a in reversed(present)]
            query = t + timedelta(seconds=tel.rng.randrange(5, 50), milliseconds=tel.rng.randrange(1000))
            pts = ", ".join(f"{_fmt(a[0])} ({lo.strftime('%d/%m/%y %H:%M:%S')})" for lo, a in present)
            n_present = len(present)
            if new == "ALARM":
                reason = (
                    f"Threshold Crossed: {breaching} out of the last {evaluations} datapoints [{pts}] were {words} "
                    f"the threshold ({_fmt(threshold)}) (minimum {to_alarm} datapoint{'s' if to_alarm > 1 else ''} "
                    f"for OK -> ALARM transition)."
                )
            elif new == "OK":
                not_words = {"greater than": "not greater than", "less than": "not less than"}.get(
                    words, "not " + words
                )
                reason = (
                    f"Threshold Crossed: {n_present} datapoint{'s' if n_present != 1 else ''} [{pts}] "
                    f"{'was' if n_present == 1 else 'were'} {not_words} the threshold ({_fmt(threshold)}) "
                    f"(minimum 1 datapoint for ALARM -> OK transition)."
                )
            else:
                reason = "Insufficient Data: datapoints were unknown."
            rd: Json = {
                "version": "1.0",
                "queryDate": iso_ms(query),
                "statistic": stat,
                "period": period,
                "recentDatapoints": recent,
                "threshold": threshold,
                "evaluatedDatapoints": [
                    {"timestamp": iso_ms(lo), "sampleCount": float(a[1]), "value": a[0]} for lo, a in present
                ],
            }
            if present:
                rd["startDate"] = iso_ms(present[-1][0])
            reason_data = json.dumps(rd)
            if seeding:
                prev_reason, changed, seeded = reason, query, True
                t += timedelta(minutes=1)
                continue
            old = {"stateValue": state, "stateReason": prev_reason}
            hist.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(query),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": old,
                            "newState": {
                                "stateValue": new,
                                "stateReason": reason,
                                "stateReasonData": json.loads(reason_data),
                            },
                        }
                    ),
                }
            )
            if new == "ALARM" and actions:
                hist.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(query + timedelta(milliseconds=tel.rng.randrange(80, 400))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {actions[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": epoch_ms(query),
                                "notificationResource": actions[0],
                                "publishedMessage": None,
                            }
                        ),
                    }
                )
            moves.append(
                {
                    "old": state,
                    "new": new,
                    "reason": reason,
                    "data": reason_data,
                    "when": query,
                    "old_reason": old["stateReason"],
                    "old_when": changed,
                }
            )
            state, changed, prev_reason = new, query, reason
        t += timedelta(minutes=1)
    dims = [{"Name": k, "Value": v} for k, v in series.dims.items()]
    item: Json = {
        "AlarmName": name,
        "AlarmArn": arn,
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(existing or created),
        "ActionsEnabled": True,
        "OKActions": list(actions),
        "AlarmActions": list(actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(changed),
        "MetricName": series.metric,
        "Namespace": series.namespace,
        "Statistic": stat,
        "Dimensions": dims,
        "Period": period,
        "EvaluationPeriods": evaluations,
        "DatapointsToAlarm": to_alarm,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": missing,
        "StateTransitionedTimestamp": iso_ms(changed),
    }
    if reason_data:
        item["StateReasonData"] = reason_data
    if unit:
        item["Unit"] = unit
    tel.alarms.append(item)
    tel.history.extend(hist)
    tel.transitions[name] = moves
    return item


def alarm_event(tel: Telemetry, item: Json, state: str = "ALARM") -> Json:
    """The EventBridge "CloudWatch Alarm State Change" event of the alarm's latest move into `state`."""
    last = [m for m in tel.transitions[item["AlarmName"]] if m["new"] == state][-1]
    metric: Json = {
        "namespace": item["Namespace"],
        "name": item["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in item["Dimensions"]},
    }
    when = last["when"] + timedelta(milliseconds=tel.rng.randrange(200, 900))
    return {
        "version": "0",
        "id": tel.ids.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": tel.account,
        "time": iso(when),
        "region": tel.region,
        "resources": [item["AlarmArn"]],
        "detail": {
            "alarmName": item["AlarmName"],
            "state": {
                "value": last["new"],
                "reason": last["reason"],
                "reasonData": last["data"],
                "timestamp": iso_ms(last["when"]),
            },
            "previousState": {
                "value": last["old"],
                "reason": last["old_reason"],
                "timestamp": iso_ms(last["old_when"]),
            },
            "configuration": {
                "description": item["AlarmDescription"],
                "metrics": [
                    {
                        "id": tel.ids.hex(8) + "-" + tel.ids.hex(4),
                        "metricStat": {"metric": metric, "period": item["Period"], "stat": item["Statistic"]},
                        "returnData": True,
                    }
                ],
            },
        },
    }


# --- AWS items ---------------------------------------------------------------------------------------


def ec2_instance(
    tel: Telemetry,
    *,
    iid: str,
    itype: str,
    ami: str,
    az: str,
    subnet: str,
    vpc: str,
    ip: str,
    sgs: list[tuple[str, str]],
    launched: datetime,
    profile: str,
    tags: dict[str, str],
    volumes: list[tuple[str, str]],
    key: str | None = None,
) -> Json:
    eni = tel.ids.eni()
    dns = f"ip-{ip.replace('.', '-')}.{tel.region}.compute.internal"
    item: Json = {
        "InstanceId": iid,
        "ImageId": ami,
        "State": {"Code": 16, "Name": "running"},
        "PrivateDnsName": dns,
        "PublicDnsName": "",
        "StateTransitionReason": "",
        "AmiLaunchIndex": 0,
        "ProductCodes": [],
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "enabled"},
        "SubnetId": subnet,
        "VpcId": vpc,
        "PrivateIpAddress": ip,
        "Architecture": "arm64" if "g." in itype else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": dev,
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=2)),
                    "DeleteOnTermination": dev == "/dev/xvda",
                    "Status": "attached",
                    "VolumeId": vid,
                },
            }
            for dev, vid in volumes
        ],
        "ClientToken": tel.ids.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{tel.account}:instance-profile/{profile}",
            "Id": "AIPA" + tel.ids.upper(17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": "eni-attach-0" + tel.ids.hex(16),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(tel.ids.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": tel.account,
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
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "VirtualizationType": "hvm",
        "CpuOptions": {
            "CoreCount": 2 if itype.endswith("large") and "xlarge" not in itype else 4,
            "ThreadsPerCore": 1 if "g." in itype else 2,
        },
        "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
        "HibernationOptions": {"Configured": False},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "EnclaveOptions": {"Enabled": False},
        "BootMode": "uefi" if "g." in itype else "uefi-preferred",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "uefi" if "g." in itype else "legacy-bios",
    }
    if key:
        item["KeyName"] = key
    tel.resource("ec2", "Instance", item)
    return item


def instance_status(tel: Telemetry, iid: str, az: str, *, ebs_impaired_since: datetime | None = None) -> None:
    ok = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    ebs: Json = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    if ebs_impaired_since is not None:
        ebs = {
            "Status": "impaired",
            "Details": [
                {"Name": "reachability", "Status": "failed", "ImpairedSince": iso(ebs_impaired_since)}
            ],
        }
    tel.resource(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": az,
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": ok,
            "SystemStatus": json.loads(json.dumps(ok)),
            "AttachedEbsStatus": ebs,
        },
    )


def volume(
    tel: Telemetry,
    vid: str,
    *,
    az: str,
    size: int,
    vtype: str,
    iops: int,
    throughput: int,
    created: datetime,
    iid: str,
    device: str,
    tags: dict[str, str],
    kms: str,
) -> None:
    tel.resource(
        "ec2",
        "Volume",
        {
            "Attachments": [
                {
                    "AttachTime": iso(created + timedelta(seconds=3)),
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
            "KmsKeyId": kms,
            "Size": size,
            "SnapshotId": "",
            "State": "in-use",
            "VolumeId": vid,
            "Iops": iops,
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            "VolumeType": vtype,
            "MultiAttachEnabled": False,
            "Throughput": throughput,
        },
    )


_AZ_PREFIX = {
    "eu-west-1": "euw1",
    "eu-west-2": "euw2",
    "us-east-1": "use1",
    "us-east-2": "use2",
    "us-west-2": "usw2",
    "ap-southeast-2": "apse2",
    "eu-central-1": "euc1",
}


def vpc_item(tel: Telemetry, vpc: str, cidr: str, name: str) -> None:
    tel.resource(
        "ec2",
        "Vpc",
        {
            "CidrBlock": cidr,
            "DhcpOptionsId": "dopt-0" + tel.ids.hex(16),
            "State": "available",
            "VpcId": vpc,
            "OwnerId": tel.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )


def subnet_item(tel: Telemetry, sid: str, vpc: str, az: str, cidr: str, name: str, free: int) -> None:
    tel.resource(
        "ec2",
        "Subnet",
        {
            "AvailabilityZone": az,
            "AvailabilityZoneId": az.replace(
                tel.region, "euw1-az" if tel.region.startswith("eu") else "use1-az"
            )[:-1]
            + str(ord(az[-1]) - 96),
            "AvailableIpAddressCount": free,
            "CidrBlock": cidr,
            "DefaultForAz": False,
            "MapPublicIpOnLaunch": False,
            "State": "available",
            "SubnetId": sid,
            "VpcId": vpc,
            "OwnerId": tel.account,
            "AssignIpv6AddressOnCreation": False,
            "Ipv6CidrBlockAssociationSet": [],
            "Tags": [{"Key": "Name", "Value": name}],
            "SubnetArn": f"arn:aws:ec2:{tel.region}:{tel.account}:subnet/{sid}",
            "EnableDns64": False,
            "Ipv6Native": False,
            "PrivateDnsNameOptionsOnLaunch": {
                "HostnameType": "ip-name",
                "EnableResourceNameDnsARecord": False,
                "EnableResourceNameDnsAAAARecord": False,
            },
        },
    )


def security_group(tel: Telemetry, gid: str, name: str, desc: str, vpc: str, ingress: list[Json]) -> None:
    tel.resource(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": gid,
            "GroupName": name,
            "Description": desc,
            "OwnerId": tel.account,
            "VpcId": vpc,
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
            "SecurityGroupArn": f"arn:aws:ec2:{tel.region}:{tel.account}:security-group/{gid}",
        },
    )


def sg_rule(port: int, *, group: str | None = None, cidr: str | None = None, desc: str = "") -> Json:
    r: Json = {
        "FromPort": port,
        "IpProtocol": "tcp",
        "ToPort": port,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if group:
        pair: Json = {"GroupId": group, "UserId": ""}
        if desc:
            pair["Description"] = desc
        r["UserIdGroupPairs"] = [pair]
    if cidr:
        rng: Json = {"CidrIp": cidr}
        if desc:
            rng["Description"] = desc
        r["IpRanges"] = [rng]
    return r


def noisy(rng: random.Random, base: float, rel: float = 0.06) -> float:
    return max(0.0, base * (1 + rng.gauss(0, rel)))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


# --- more AWS items ------------------------------------------------------------------------------------


def pick_day(rng: random.Random, first: str = "2025-02-03", days: int = 240) -> datetime:
    """A weekday (Tue-Thu) at 00:00 UTC within `days` of `first`."""
    d = datetime.fromisoformat(first).replace(tzinfo=UTC) + timedelta(days=rng.randrange(days))
    while d.weekday() not in (1, 2, 3):
        d += timedelta(days=1)
    return d


def load_balancer(
    tel: Telemetry,
    name: str,
    *,
    vpc: str,
    subnets: list[tuple[str, str]],
    sg: str,
    created: datetime,
    internal: bool = False,
) -> tuple[str, str]:
    """An ALB item; returns (arn, the `app/name/hex` CloudWatch dimension)."""
    h = tel.ids.hex(16)
    arn = f"arn:aws:elasticloadbalancing:{tel.region}:{tel.account}:loadbalancer/app/{name}/{h}"
    prefix = "internal-" if internal else ""
    tel.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": f"{prefix}{name}-{tel.rng.randrange(10**9, 2 * 10**9)}.{tel.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "ZHURV8PSTC4K8" if tel.region == "eu-west-2" else "Z35SXDOTRQ7X7K",
            "CreatedTime": iso_ms(created).replace("+0000", "Z"),
            "LoadBalancerName": name,
            "Scheme": "internal" if internal else "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": az, "SubnetId": sid, "LoadBalancerAddresses": []} for sid, az in subnets
            ],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"app/{name}/{h}"


def target_group(
    tel: Telemetry, name: str, *, vpc: str, port: int, lb_arn: str, path: str, target_type: str = "instance"
) -> tuple[str, str]:
    h = tel.ids.hex(16)
    arn = f"arn:aws:elasticloadbalancing:{tel.region}:{tel.account}:targetgroup/{name}/{h}"
    tel.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": arn,
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
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": path,
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": target_type,
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"targetgroup/{name}/{h}"


def healthy(
    tel: Telemetry,
    tg_arn: str,
    target_id: str,
    port: int,
    az: str,
    t: datetime,
    state: str = "healthy",
    reason: str | None = None,
    desc: str | None = None,
) -> None:
    health: Json = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    tel.event(
        "target_health",
        {
            "target_group_arn": tg_arn,
            "target": {"Id": target_id, "Port": port, "AvailabilityZone": az},
            "health": health,
            "timestamp": iso(t),
        },
    )


def asg(
    tel: Telemetry,
    name: str,
    *,
    lt_id: str,
    lt_name: str,
    lt_version: str,
    minimum: int,
    maximum: int,
    instances: list[tuple[str, str, str]],
    subnets: list[str],
    tgs: list[str],
    created: datetime,
    tags: dict[str, str],
) -> str:
    arn = f"arn:aws:autoscaling:{tel.region}:{tel.account}:autoScalingGroup:{tel.ids.uuid()}:autoScalingGroupName/{name}"
    tel.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": name,
            "AutoScalingGroupARN": arn,
            "LaunchTemplate": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": lt_name,
                "Version": lt_version,
            },
            "MinSize": minimum,
            "MaxSize": maximum,
            "DesiredCapacity": len(instances),
            "DefaultCooldown": 300,
            "AvailabilityZones": sorted({az for _, az, _ in instances}),
            "LoadBalancerNames": [],
            "TargetGroupARNs": tgs,
            "HealthCheckType": "ELB" if tgs else "EC2",
            "HealthCheckGracePeriod": 180,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": itype,
                    "AvailabilityZone": az,
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": lt_id,
                        "LaunchTemplateName": lt_name,
                        "Version": lt_version,
                    },
                    "ProtectedFromScaleIn": False,
                }
                for iid, az, itype in instances
            ],
            "CreatedTime": iso_ms(created).replace("+0000", "Z"),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(subnets),
            "EnabledMetrics": [
                {"Metric": m, "Granularity": "1Minute"}
                for m in ("GroupInServiceInstances", "GroupDesiredCapacity", "GroupMaxSize", "GroupMinSize")
            ],
            "Tags": [
                {
                    "ResourceId": name,
                    "ResourceType": "auto-scaling-group",
                    "Key": k,
                    "Value": v,
                    "PropagateAtLaunch": True,
                }
                for k, v in tags.items()
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{tel.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
            "TrafficSources": [{"Identifier": a, "Type": "elbv2"} for a in tgs],
        },
    )
    return arn


def rds_instance(
    tel: Telemetry,
    ident: str,
    *,
    cls: str,
    engine: str,
    version: str,
    az: str,
    sgs: list[str],
    subnet_group: str,
    vpc: str,
    subnets: list[tuple[str, str]],
    created: datetime,
    storage: int,
    multi_az: bool,
    pg: str,
) -> str:
    arn = f"arn:aws:rds:{tel.region}:{tel.account}:db:{ident}"
    port = 5432 if "postgres" in engine else 3306
    tel.resource(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": ident,
            "DBInstanceClass": cls,
            "Engine": engine,
            "DBInstanceStatus": "available",
            "MasterUsername": "dbadmin",
            "DBName": ident.split("-")[0],
            "Endpoint": {
                "Address": f"{ident}.c{tel.ids.hex(11)}.{tel.region}.rds.amazonaws.com",
                "Port": port,
                "HostedZoneId": "Z1TTGA775OQIYO",
            },
            "AllocatedStorage": storage,
            "InstanceCreateTime": iso(created),
            "PreferredBackupWindow": "02:10-02:40",
            "BackupRetentionPeriod": 14,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": g, "Status": "active"} for g in sgs],
            "DBParameterGroups": [{"DBParameterGroupName": pg, "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": az,
            "DBSubnetGroup": {
                "DBSubnetGroupName": subnet_group,
                "DBSubnetGroupDescription": "private data subnets",
                "VpcId": vpc,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {"SubnetIdentifier": s, "SubnetAvailabilityZone": {"Name": a}, "SubnetStatus": "Active"}
                    for s, a in subnets
                ],
            },
            "PreferredMaintenanceWindow": "sun:03:30-sun:04:00",
            "PendingModifiedValues": {},
            "LatestRestorableTime": iso(created),
            "MultiAZ": multi_az,
            "EngineVersion": version,
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [],
            "LicenseModel": "postgresql-license" if "postgres" in engine else "general-public-license",
            "StorageType": "gp3",
            "Iops": 3000,
            "StorageThroughput": 125,
            "OptionGroupMemberships": [
                {"OptionGroupName": "default:" + engine + "-" + version.split(".")[0], "Status": "in-sync"}
            ],
            "PubliclyAccessible": False,
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + tel.ids.upper(26),
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "CopyTagsToSnapshot": True,
            "MonitoringInterval": 60,
            "DBInstanceArn": arn,
            "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": True,
            "DeletionProtection": True,
            "TagList": [{"Key": "env", "Value": "prod"}],
            "NetworkType": "IPV4",
        },
    )
    return arn


# --- ECS ------------------------------------------------------------------------------------------------


def ecs_cluster(
    tel: Telemetry,
    name: str,
    *,
    instances: int,
    running: int,
    services: int,
    providers: list[str],
    insights: bool = True,
) -> str:
    arn = f"arn:aws:ecs:{tel.region}:{tel.account}:cluster/{name}"
    tel.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": arn,
            "clusterName": name,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": instances,
            "runningTasksCount": running,
            "pendingTasksCount": 0,
            "activeServicesCount": services,
            "statistics": [],
            "tags": [{"key": "env", "value": "prod"}],
            "settings": [{"name": "containerInsights", "value": "enabled" if insights else "disabled"}],
            "capacityProviders": providers,
            "defaultCapacityProviderStrategy": [{"capacityProvider": providers[0], "weight": 1, "base": 0}]
            if providers
            else [],
        },
    )
    return arn


def task_definition(
    tel: Telemetry,
    family: str,
    revision: int,
    *,
    image: str,
    port: int,
    cpu: int,
    memory: int,
    network: str,
    log_group: str,
    registered: datetime,
    registered_by: str,
    env: dict[str, str],
    fargate: bool,
) -> str:
    arn = f"arn:aws:ecs:{tel.region}:{tel.account}:task-definition/{family}:{revision}"
    mapping: Json = {"containerPort": port, "protocol": "tcp", "hostPort": port if network != "bridge" else 0}
    item: Json = {
        "taskDefinitionArn": arn,
        "containerDefinitions": [
            {
                "name": family,
                "image": image,
                "cpu": 0 if fargate else cpu,
                "memoryReservation": memory // 2 if not fargate else None,
                "portMappings": [mapping],
                "essential": True,
                "environment": [{"name": k2, "value": v} for k2, v in env.items()],
                "mountPoints": [],
                "volumesFrom": [],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": log_group,
                        "awslogs-region": tel.region,
                        "awslogs-stream-prefix": "ecs",
                    },
                },
                "healthCheck": {
                    "command": ["CMD-SHELL", f"curl -fsS http://localhost:{port}/healthz || exit 1"],
                    "interval": 15,
                    "timeout": 5,
                    "retries": 3,
                    "startPeriod": 20,
                },
                "systemControls": [],
            }
        ],
        "family": family,
        "taskRoleArn": f"arn:aws:iam::{tel.account}:role/{family}-task",
        "executionRoleArn": f"arn:aws:iam::{tel.account}:role/ecsTaskExecutionRole",
        "networkMode": network,
        "revision": revision,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [
            {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
            {"name": "ecs.capability.container-health-check"},
            {"name": "com.amazonaws.ecs.capability.ecr-auth"},
        ],
        "placementConstraints": [],
        "compatibilities": ["EC2", "FARGATE"] if fargate or network == "awsvpc" else ["EC2"],
        "requiresCompatibilities": ["FARGATE"] if fargate else ["EC2"],
        "registeredAt": iso(registered),
        "registeredBy": registered_by,
    }
    if fargate:
        item["cpu"] = str(cpu)
        item["memory"] = str(memory)
        item["runtimePlatform"] = {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
        item["containerDefinitions"][0].pop("memoryReservation")
    tel.resource("ecs", "TaskDefinition", item)
    return arn


def ecs_service(
    tel: Telemetry,
    cluster_arn: str,
    name: str,
    *,
    task_def: str,
    desired: int,
    running: int,
    tg_arn: str | None,
    port: int,
    created: datetime,
    deployed: datetime,
    fargate: bool,
    subnets: list[str] | None = None,
    sgs: list[str] | None = None,
    provider: str | None = None,
    events: list[tuple[datetime, str]] | None = None,
    strategy: list[Json] | None = None,
) -> str:
    arn = f"{cluster_arn.replace(':cluster/', ':service/')}/{name}"
    dep: Json = {
        "id": "ecs-svc/" + "".join(str(tel.rng.randrange(10)) for _ in range(19)),
        "status": "PRIMARY",
        "taskDefinition": task_def,
        "desiredCount": desired,
        "pendingCount": 0,
        "runningCount": running,
        "failedTasks": 0,
        "createdAt": iso(deployed),
        "updatedAt": iso(deployed + timedelta(minutes=4)),
        "rolloutState": "COMPLETED",
        "rolloutStateReason": "ECS deployment ecs-svc/x completed.",
    }
    dep["rolloutStateReason"] = f"ECS deployment {dep['id']} completed."
    item: Json = {
        "serviceArn": arn,
        "serviceName": name,
        "clusterArn": cluster_arn,
        "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": name, "containerPort": port}]
        if tg_arn
        else [],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": desired,
        "runningCount": running,
        "pendingCount": 0,
        "taskDefinition": task_def,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [dep],
        "roleArn": f"arn:aws:iam::{tel.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [],
        "createdAt": iso(created),
        "placementConstraints": [],
        "placementStrategy": strategy or [],
        "healthCheckGracePeriodSeconds": 30 if tg_arn else 0,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": f"arn:aws:iam::{tel.account}:role/terraform-apply",
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }
    if fargate:
        item["launchType"] = "FARGATE"
        item["platformVersion"] = "LATEST"
        item["platformFamily"] = "Linux"
        dep["launchType"] = "FARGATE"
        dep["platformVersion"] = "1.4.0"
        dep["platformFamily"] = "Linux"
    elif provider:
        item["capacityProviderStrategy"] = [{"capacityProvider": provider, "weight": 1, "base": 0}]
        dep["capacityProviderStrategy"] = [{"capacityProvider": provider, "weight": 1, "base": 0}]
    if subnets:
        nc = {
            "awsvpcConfiguration": {
                "subnets": subnets,
                "securityGroups": sgs or [],
                "assignPublicIp": "DISABLED",
            }
        }
        item["networkConfiguration"] = nc
        dep["networkConfiguration"] = nc
    tel.resource("ecs", "Service", item)
    for t, msg in events or []:
        tel.event(
            "ecs", {"service_arn": arn, "event": {"id": tel.ids.uuid(), "createdAt": iso(t), "message": msg}}
        )
    return arn
