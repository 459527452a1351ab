# Incidents of this kit, in the order written:
# 1. change: app-tier network ACL outbound rule narrowed to ports 32768-65535 during a hardening pass;
#    load balancer -> target return traffic to low ALB source ports is dropped, giving intermittent
#    ELB 502s and flapping targets as keep-alive connections recycle; an app deploy lands nearby.
# 2. component_failure: one payment-terminal gateway instance behind an NLB (TCP health checks) has its
#    EBS journal volume stall; the port stays open so the NLB keeps sending it flows, and the terminals
#    hashed to it time out.
# 3. limit: a media/asset origin fleet behind CloudFront exhausts its instance network burst bandwidth
#    during an evening live event (bw_out_allowance_exceeded); CPU low so no scale-out; CloudFront 5xx.
# 4. no fault: AWS endpoint maintenance takes down tunnel 1 of the site-to-site VPN to the warehouse;
#    BGP moves traffic to tunnel 2, nothing is impacted, the tunnel comes back.
"""Private helpers for the zk incidents: ids, noise series, alarm evaluation, CloudTrail records,
resource builders and routine activity."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]

# --- time and ids ---------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = start
    while t <= end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid(rng: random.Random) -> str:
    h = hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def upper_id(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))


def pick_day(rng: random.Random, weekday_only: bool = True) -> datetime:
    """A day in 2024/2025 as midnight UTC."""
    base = datetime(2024, 9, 2, tzinfo=UTC)
    while True:
        d = base + timedelta(days=rng.randrange(0, 300))
        if not weekday_only or d.weekday() < 5:
            return d


# --- noise ----------------------------------------------------------------------------------------


def diurnal(t: datetime, utc_offset_h: float = 0.0, peak_h: float = 13.0, floor: float = 0.25) -> float:
    """A smooth daily load shape in [floor, 1]: low at night, peak around peak_h local."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((h - peak_h) / 24 * 2 * math.pi)
    night = max(0.0, x)
    return floor + (1 - floor) * (0.5 + 0.5 * x) ** 1.6 * (0.8 + 0.2 * night)


def jitter(rng: random.Random, v: float, pct: float) -> float:
    return v * (1 + rng.gauss(0, pct))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    L = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


def datum(
    ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float | None = None, **kw: Any
) -> Rec:
    d: Rec = {"namespace": ns, "metric": metric, "dimensions": dims, "timestamp": iso(t), "unit": unit}
    if value is not None:
        d["value"] = round(float(value), 4)
    d.update(kw)
    return d


def dist(ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, samples: Sequence[float]) -> Rec:
    """A datapoint as a distribution (values+counts), bucketed to keep the line small."""
    buckets: dict[float, int] = {}
    for s in samples:
        key = round(s, 4) if s < 0.01 else float(f"{s:.3g}")
        buckets[key] = buckets.get(key, 0) + 1
    keys = sorted(buckets)
    return datum(ns, metric, dims, t, unit, values=keys, counts=[float(buckets[k]) for k in keys])


def stat(
    ns: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    n: float,
    total: float,
    lo: float,
    hi: float,
) -> Rec:
    return datum(
        ns,
        metric,
        dims,
        t,
        unit,
        statistic_values={
            "SampleCount": float(n),
            "Sum": round(total, 4),
            "Minimum": round(lo, 4),
            "Maximum": round(hi, 4),
        },
    )


# --- alarms ---------------------------------------------------------------------------------------

_CMP = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dims: dict[str, str]
    statistic: str
    threshold: float
    comparison: str
    period: int = 60
    evals: int = 3
    to_alarm: int = 3
    missing: str = "notBreaching"
    unit: str | None = None
    description: str = ""
    actions: list[str] = field(default_factory=list)
    ext_stat: str | None = None  # e.g. "p90"


def _fmt_dp(v: float) -> str:
    return repr(round(v, 4)) if v != int(v) else f"{v:.1f}"


def evaluate_alarm(
    spec: AlarmSpec,
    values: dict[datetime, float],
    start: datetime,
    now: datetime,
    account: str,
    region: str,
    rng: random.Random,
    created: datetime,
) -> tuple[Rec, list[Rec], list[tuple[datetime, str, str, Rec]]]:
    """Evaluate a metric alarm minute by minute over start..now from its per-period statistic values.

    Returns (MetricAlarm item, AlarmHistoryItems, transitions [(time, old, new, reason_data)])."""
    cmp, words = _CMP[spec.comparison]
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    state = "OK"
    state_reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
    state_time = created
    state_data: Rec = {}
    history: list[Rec] = []
    transitions: list[tuple[datetime, str, str, Rec]] = []
    step = timedelta(seconds=spec.period)
    stat_label = spec.ext_stat or spec.statistic
    epoch = int(start.timestamp())
    aligned = datetime.fromtimestamp(epoch - epoch % spec.period + spec.period, UTC)
    t = aligned + step * spec.evals
    while t <= now:
        # evaluation happens ~1 min after the last period closes; the evaluated periods end at t
        periods = [t - step * (i + 1) for i in range(spec.evals)]
        periods.reverse()
        pts = [(p, values.get(p)) for p in periods]
        breach = 0
        present = []
        for p, v in pts:
            if v is None:
                if spec.missing == "breaching":
                    breach += 1
                continue
            present.append((p, v))
            if cmp(v, spec.threshold):
                breach += 1
        new = state
        if breach >= spec.to_alarm:
            new = "ALARM"
        elif present or spec.missing == "notBreaching":
            new = "OK"
        if new != state:
            eval_time = t + timedelta(seconds=rng.randint(20, 58), milliseconds=rng.randint(0, 999))
            if eval_time > now:
                break
            recent = [float(round(v, 4)) for _, v in present]
            shown = ", ".join(
                f"{_fmt_dp(v)} ({p.strftime('%d/%m/%y %H:%M:%S')})" for p, v in reversed(present)
            )
            trans = "OK -> ALARM" if new == "ALARM" else "ALARM -> OK"
            reason = (
                f"Threshold Crossed: {breach} out of the last {spec.evals} datapoints [{shown}] were "
                f"{words} the threshold ({_fmt_dp(spec.threshold)}) (minimum {spec.to_alarm} datapoints "
                f"for {trans} transition)."
            )
            if spec.evals == 1 and present:
                verb = "was" if breach else "was not"
                reason = f"Threshold Crossed: 1 datapoint [{shown}] {verb} {words} the threshold ({_fmt_dp(spec.threshold)})."
            data: Rec = {
                "version": "1.0",
                "queryDate": eval_time.strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{eval_time.microsecond // 1000:03d}+0000",
                "startDate": periods[0].strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "statistic" if not spec.ext_stat else "extendedStatistic": stat_label,
                "period": spec.period,
                "recentDatapoints": recent,
                "threshold": float(spec.threshold),
                "evaluatedDatapoints": [
                    {
                        "timestamp": p.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                        "sampleCount": 1.0,
                        "value": float(round(v, 4)),
                    }
                    for p, v in reversed(present)
                ],
            }
            hist = {
                "version": "1.0",
                "oldState": {
                    "stateValue": state,
                    "stateReason": state_reason,
                    **({"stateReasonData": state_data} if state_data else {}),
                },
                "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
            }
            history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(eval_time),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(hist, separators=(",", ":")),
                }
            )
            if spec.actions:
                for a in spec.actions:
                    history.append(
                        {
                            "AlarmName": spec.name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso_ms(eval_time + timedelta(milliseconds=rng.randint(150, 900))),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {a}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": ms(eval_time),
                                    "notificationResource": a,
                                    "publishedMessage": {"default": "{...}"},
                                },
                                separators=(",", ":"),
                            ).replace('"{...}"', '"' + "{}" + '"'),
                        }
                    )
            transitions.append(
                (eval_time, state, new, {"reason": reason, "data": data, "old_reason": state_reason})
            )
            state, state_reason, state_time, state_data = new, reason, eval_time, data
        t += step
    item: Rec = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": state_reason,
        "StateUpdatedTimestamp": iso_ms(state_time),
        "StateTransitionedTimestamp": iso_ms(state_time),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evals,
        "DatapointsToAlarm": spec.to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.missing,
    }
    if state_data:
        item["StateReasonData"] = json.dumps(state_data, separators=(",", ":"))
    if spec.ext_stat:
        item["ExtendedStatistic"] = spec.ext_stat
    else:
        item["Statistic"] = spec.statistic
    if spec.unit:
        item["Unit"] = spec.unit
    history.reverse()  # DescribeAlarmHistory answers newest first
    return item, history, transitions


def alarm_event(
    account: str,
    region: str,
    alarm: Rec,
    when: datetime,
    old: str,
    new: str,
    reason_data: Rec,
    rng: random.Random,
) -> Rec:
    """The EventBridge "CloudWatch Alarm State Change" event for one transition."""
    metric: Rec = {
        "namespace": alarm["Namespace"],
        "name": alarm["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
    }
    stat_block: Rec = {"metric": metric, "period": alarm["Period"]}
    stat_block["stat"] = alarm.get("ExtendedStatistic") or alarm.get("Statistic")
    return {
        "version": "0",
        "id": uuid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(when),
        "region": region,
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": alarm["AlarmName"],
            "state": {
                "value": new,
                "reason": reason_data["reason"],
                "reasonData": json.dumps(reason_data["data"], separators=(",", ":")),
                "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000",
            },
            "previousState": {"value": old, "reason": reason_data["old_reason"]},
            "configuration": {
                "description": alarm.get("AlarmDescription", ""),
                "metrics": [
                    {"id": "m1", "metricStat": stat_block, "returnData": True},
                ],
            },
        },
    }


# --- CloudTrail -----------------------------------------------------------------------------------


@dataclass
class Principal:
    """Who makes a call, as CloudTrail's userIdentity shows it."""

    kind: str  # "sso", "role", "service-linked", "service"
    account: str
    role: str = ""
    session: str = ""
    principal_suffix: str = ""
    ip: str = ""
    agent: str = ""
    service: str = ""  # invokedBy / AWS service host

    def identity(self, rng: random.Random, t: datetime) -> Rec:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.service}
        role_path = (
            "aws-reserved/sso.amazonaws.com/eu-west-1/"
            if self.kind == "sso"
            else ("aws-service-role/" + self.service + "/" if self.kind == "service-linked" else "")
        )
        pid = f"AROA{self.principal_suffix}"
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"{pid}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + upper_id(rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role_path}{self.role}",
                    "accountId": self.account,
                    "userName": self.role,
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=rng.randint(3, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }
        if self.kind == "service-linked":
            ident["invokedBy"] = self.service
        return ident


def sso(account: str, perm_set: str, user: str, ip: str, rng: random.Random) -> Principal:
    agent = rng.choice(
        [
            "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off command/",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        ]
    )
    return Principal(
        "sso",
        account,
        f"AWSReservedSSO_{perm_set}_{hexid(rng, 16)}",
        user,
        upper_id(rng, 17),
        ip,
        agent,
    )


def role(account: str, name: str, session: str, ip: str, agent: str, rng: random.Random) -> Principal:
    return Principal("role", account, name, session, upper_id(rng, 17), ip, agent)


def service_linked(account: str, name: str, session: str, service: str, rng: random.Random) -> Principal:
    return Principal("service-linked", account, name, session, upper_id(rng, 17), service, service, service)


def ct(
    rng: random.Random,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    region: str,
    params: Rec | None,
    response: Rec | None = None,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    extra: Rec | None = None,
) -> Rec:
    rec: Rec = {
        "eventVersion": "1.09" if rng.random() < 0.6 else "1.08",
        "userIdentity": who.identity(rng, t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.ip or who.service,
        "userAgent": who.agent or who.service,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = uuid(rng)
    rec["eventID"] = uuid(rng)
    rec["readOnly"] = read_only
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = who.account
    rec["eventCategory"] = "Management"
    if who.kind != "service":
        host = source.replace(".amazonaws.com", f".{region}.amazonaws.com")
        if source in ("iam.amazonaws.com", "cloudfront.amazonaws.com"):
            host = source
        if who.kind == "service-linked" or who.ip.endswith(".amazonaws.com"):
            pass
        else:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
    if extra:
        rec.update(extra)
    return rec


def routine_trail(
    rng: random.Random,
    region: str,
    start: datetime,
    now: datetime,
    actors: Sequence[Principal],
    calls: Sequence[tuple[str, str, Callable[[random.Random], Rec | None], bool]],
    n: int,
) -> list[Rec]:
    """n routine calls spread over start..now: (eventSource, eventName, params, readOnly) drawn at random."""
    out = []
    span = int((now - start).total_seconds())
    for _ in range(n):
        t = start + timedelta(seconds=rng.randrange(60, span - 30))
        src, name, params, ro = calls[rng.randrange(len(calls))]
        who = actors[rng.randrange(len(actors))]
        out.append(ct(rng, t, who, src, name, region, params(rng), None, ro))
    return out


def sort_trail(records: Iterable[Rec]) -> list[Rec]:
    return sorted(records, key=lambda r: (r["eventTime"], r["eventID"]))


# --- resources ------------------------------------------------------------------------------------


def res(service: str, type_: str, item: Rec) -> Rec:
    return {"service": service, "type": type_, "item": item}


def tags(d: dict[str, str]) -> list[Rec]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def instance(
    rng: random.Random,
    iid: str,
    itype: str,
    az: str,
    subnet: str,
    vpc: str,
    ip: str,
    sgs: list[tuple[str, str]],
    ami: str,
    launched: datetime,
    tagd: dict[str, str],
    profile_arn: str,
    volumes: list[tuple[str, str]],
    eni: str,
) -> Rec:
    return {
        "InstanceId": iid,
        "ImageId": ami,
        "State": {"Code": 16, "Name": "running"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{az[:-1]}.compute.internal",
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
                "DeviceName": dev,
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=2)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": vol,
                },
            }
            for dev, vol in volumes
        ],
        "IamInstanceProfile": {"Arn": profile_arn, "Id": "AIPA" + upper_id(rng, 17)},
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": "eni-attach-0" + hexid(rng, 16),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(hexid(rng, 2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": profile_arn.split(":")[4],
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{az[:-1]}.compute.internal",
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [
                    {
                        "Primary": True,
                        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{az[:-1]}.compute.internal",
                        "PrivateIpAddress": ip,
                    }
                ],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": subnet,
                "VpcId": vpc,
                "InterfaceType": "interface",
            }
        ],
        "SecurityGroups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": tags({k: v for k, v in tagd.items() if not k.startswith("_")}),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
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
        "BootMode": "uefi" if "g." in itype else "legacy-bios",
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


def instance_status(
    iid: str, az: str, ok: bool = True, ebs_ok: bool = True, since: datetime | None = None
) -> Rec:
    def st(good: bool, name: str) -> Rec:
        d: Rec = {
            "Details": [{"Name": "reachability", "Status": "passed" if good else "failed"}],
            "Status": "ok" if good else "impaired",
        }
        if not good and since is not None:
            d["Details"][0]["ImpairedSince"] = iso(since)
        return d

    item: Rec = {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": st(ok, "instance"),
        "SystemStatus": st(True, "system"),
        "AttachedEbsStatus": st(ebs_ok, "ebs"),
    }
    return item


def subnet(
    sid: str, vpc: str, az: str, az_id: str, cidr: str, free: int, account: str, region: str, name: str
) -> Rec:
    return {
        "AvailabilityZone": az,
        "AvailabilityZoneId": az_id,
        "AvailableIpAddressCount": free,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": False,
        "State": "available",
        "SubnetId": sid,
        "VpcId": vpc,
        "OwnerId": account,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": tags({"Name": name}),
        "SubnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{sid}",
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def vpc(vid: str, cidr: str, account: str, name: str, rng: random.Random) -> Rec:
    return {
        "CidrBlock": cidr,
        "DhcpOptionsId": "dopt-0" + hexid(rng, 16),
        "State": "available",
        "VpcId": vid,
        "OwnerId": account,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": "vpc-cidr-assoc-0" + hexid(rng, 16),
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": False,
        "Tags": tags({"Name": name}),
    }


def perm(
    proto: str,
    lo: int,
    hi: int,
    cidrs: Sequence[tuple[str, str]] = (),
    groups: Sequence[tuple[str, str, str]] = (),
) -> Rec:
    return {
        "IpProtocol": proto,
        **({"FromPort": lo, "ToPort": hi} if proto != "-1" else {}),
        "IpRanges": [{"CidrIp": c, **({"Description": d} if d else {})} for c, d in cidrs],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [
            {"GroupId": g, "UserId": acct, **({"Description": d} if d else {})} for g, acct, d in groups
        ],
    }


def security_group(
    gid: str,
    name: str,
    desc: str,
    vpc_id: str,
    account: str,
    region: str,
    ingress: list[Rec],
    tagd: dict[str, str],
) -> Rec:
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": ingress,
        "OwnerId": account,
        "GroupId": gid,
        "IpPermissionsEgress": [perm("-1", 0, 0, [("0.0.0.0/0", "")])],
        "Tags": tags(tagd),
        "VpcId": vpc_id,
        "SecurityGroupArn": f"arn:aws:ec2:{region}:{account}:security-group/{gid}",
    }


def log(group: str, stream: str, t: datetime, message: str) -> Rec:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def sort_logs(rows: Iterable[Rec]) -> list[Rec]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def sort_metrics(rows: Iterable[Rec]) -> list[Rec]:
    return sorted(
        rows,
        key=lambda r: (
            r["namespace"],
            r["metric"],
            json.dumps(r["dimensions"], sort_keys=True),
            r["timestamp"],
        ),
    )


def load_balancer(
    arn: str,
    name: str,
    lb_type: str,
    scheme: str,
    vpc_id: str,
    created: datetime,
    azs: Sequence[tuple[str, str]],
    sgs: Sequence[str],
    dns_suffix: str,
    zone_id: str,
) -> Rec:
    item: Rec = {
        "LoadBalancerArn": arn,
        "DNSName": dns_suffix,
        "CanonicalHostedZoneId": zone_id,
        "CreatedTime": iso_ms(created),
        "LoadBalancerName": name,
        "Scheme": scheme,
        "VpcId": vpc_id,
        "State": {"Code": "active"},
        "Type": lb_type,
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []} for az, sn in azs
        ],
        "IpAddressType": "ipv4",
    }
    if sgs:
        item["SecurityGroups"] = list(sgs)
    return item


def target_group(
    arn: str,
    name: str,
    proto: str,
    port: int,
    vpc_id: str,
    lb_arn: str,
    hc: Rec,
    target_type: str = "instance",
) -> Rec:
    item: Rec = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": proto,
        "Port": port,
        "VpcId": vpc_id,
        "HealthCheckEnabled": True,
        "LoadBalancerArns": [lb_arn],
        "TargetType": target_type,
        "IpAddressType": "ipv4",
    }
    item.update(hc)
    if proto in ("HTTP", "HTTPS"):
        item["ProtocolVersion"] = "HTTP1"
    return item


def asg(
    name: str,
    arn: str,
    lt: tuple[str, str, str],
    size: tuple[int, int, int],
    azs: Sequence[str],
    subnets: Sequence[str],
    tg_arns: Sequence[str],
    created: datetime,
    members: Sequence[tuple[str, str, str]],
    tagd: dict[str, str],
    account: str,
) -> Rec:
    lt_id, lt_name, lt_ver = lt
    return {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": arn,
        "LaunchTemplate": {"LaunchTemplateId": lt_id, "LaunchTemplateName": lt_name, "Version": lt_ver},
        "MinSize": size[0],
        "MaxSize": size[1],
        "DesiredCapacity": size[2],
        "DefaultCooldown": 300,
        "AvailabilityZones": list(azs),
        "LoadBalancerNames": [],
        "TargetGroupARNs": list(tg_arns),
        "HealthCheckType": "ELB",
        "HealthCheckGracePeriod": 300,
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
                    "Version": lt_ver,
                },
                "ProtectedFromScaleIn": False,
            }
            for iid, itype, az in members
        ],
        "CreatedTime": iso_ms(created),
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": ",".join(subnets),
        "EnabledMetrics": [],
        "Tags": [
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": k,
                "Value": v,
                "PropagateAtLaunch": True,
            }
            for k, v in tagd.items()
        ],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "CapacityRebalance": False,
        "TrafficSources": [{"Identifier": a, "Type": "elbv2"} for a in tg_arns],
    }


def th_event(
    tg_arn: str,
    iid: str,
    port: int,
    t: datetime,
    state: str,
    reason: str = "",
    desc: str = "",
    az: str | None = None,
) -> Rec:
    health: Rec = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    target: Rec = {"Id": iid, "Port": port}
    if az:
        target["AvailabilityZone"] = az
    return {
        "source": "target_health",
        "item": {"target_group_arn": tg_arn, "target": target, "health": health, "timestamp": iso(t)},
    }


HC_DESC = {
    "Target.Timeout": "Request timed out",
    "Target.FailedHealthChecks": "Health checks failed",
    "Elb.RegistrationInProgress": "Target registration is in progress",
    "Elb.InitialHealthChecking": "Initial health checks in progress",
    "Target.DeregistrationInProgress": "Target deregistration is in progress",
}


def floor5(t: datetime) -> datetime:
    """`t` floored to a 5-minute boundary (so 5-minute series line up with alarm periods)."""
    return t.replace(minute=t.minute - t.minute % 5, second=0, microsecond=0)
