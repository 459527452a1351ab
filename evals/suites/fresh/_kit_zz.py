# Incidents by author zz, as planned (only 1 and 4 were written within the time budget):
# 1. change: an edit to an EC2 Auto Scaling group's scheduled morning scale-out dropped its time zone,
#    so the next morning's ramp-up ran an hour late and the web fleet was too small at the clock-in peak.
# 2. component_failure: one web instance's attached EBS volume stalls (attached-EBS status check fails);
#    the instance keeps its place in the ASG and a share of requests hang on it.
# 3. limit: an EC2 API fleet exceeds the per-ENI link-local (Route 53 Resolver) packet allowance at the
#    evening peak; intermittent DNS resolution failures to DynamoDB and the partner endpoint.
# 4. no fault: a Spot interruption overnight on a worker ASG, replaced by capacity rebalancing; the
#    in-service-instances alarm fires briefly, nothing is lost.
"""Private helpers for author zz's fresh incidents: ids, time grids, noise, CloudTrail, alarms, logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

UTC = UTC


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def rid(rng: random.Random, prefix: str) -> str:
    """An EC2-style id: i-, vol-, eni-, sg-, subnet-, vpc-, ami-, lt- with 17 hex digits."""
    return f"{prefix}-0{hexs(rng, 16)}"


def uuid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def upper_id(rng: random.Random, n: int, prefix: str = "") -> str:
    return prefix + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))


def pick_day(rng: random.Random, weekday: int | None = None) -> datetime:
    """A date in 2024 (midnight UTC), optionally on a given weekday (0=Monday)."""
    d = datetime(2024, 2, 5, tzinfo=UTC) + timedelta(days=rng.randrange(0, 240))
    if weekday is not None:
        while d.weekday() != weekday:
            d += timedelta(days=1)
    return d


def grid(start: datetime, fine_from: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """Timestamps start..end: 5-minute points before fine_from, 1-minute after. (t, period seconds)."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, 300))
        t += timedelta(minutes=5)
    t = fine_from
    while t <= end:
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


def diurnal(local_hour: float, peak: float = 13.0, floor: float = 0.12, width: float = 4.5) -> float:
    """0..1 daily traffic shape in local hours: low at night, one broad daytime bump."""
    d = min(abs(local_hour - peak), 24 - abs(local_hour - peak))
    return floor + (1 - floor) * math.exp(-((d / width) ** 2))


def noisy(rng: random.Random, v: float, rel: float = 0.06) -> float:
    return max(0.0, v * (1 + rng.gauss(0, rel)))


def datum(ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> dict[str, Any]:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(value, 4),
    }


def stat_datum(
    ns: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    n: float,
    total: float,
    lo: float,
    hi: float,
) -> dict[str, Any]:
    n = max(1.0, round(n))
    lo = min(lo, total / n)
    hi = max(hi, total / n)
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": n,
            "Sum": round(total, 4),
            "Minimum": round(lo, 4),
            "Maximum": round(hi, 4),
        },
    }


def dist_datum(
    ns: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    values: Sequence[float],
    counts: Sequence[float],
) -> dict[str, Any]:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "values": [round(v, 5) for v in values],
        "counts": [float(c) for c in counts],
    }


def latency_dist(
    rng: random.Random, median: float, n: int, slow_share: float = 0.0, slow: float = 0.0
) -> tuple[list[float], list[float]]:
    """A compact latency distribution (seconds): ~8 buckets around a log-normal median plus a slow tail."""
    n = max(1, n)
    qs = [0.35, 0.6, 0.8, 1.0, 1.3, 1.8, 3.0, 6.0]
    shares = [0.08, 0.17, 0.22, 0.2, 0.15, 0.1, 0.06, 0.02]
    values: list[float] = []
    counts: list[float] = []
    fast_n = n * (1 - slow_share)
    for q, s in zip(qs, shares, strict=True):
        c = round(fast_n * s * (1 + rng.gauss(0, 0.05)))
        if c > 0:
            values.append(median * q * (1 + rng.gauss(0, 0.03)))
            counts.append(c)
    if slow_share > 0 and slow > 0:
        for q, s in ((0.7, 0.3), (1.0, 0.45), (1.4, 0.25)):
            c = round(n * slow_share * s)
            if c > 0:
                values.append(slow * q)
                counts.append(c)
    if not values:
        values, counts = [median], [1.0]
    return values, counts


# ---------------------------------------------------------------- CloudTrail


class Principal:
    """Who made a call: an assumed role (SSO human, CI, instance profile) or an AWS service."""

    def __init__(
        self,
        account: str,
        kind: str,
        name: str,
        session: str = "",
        ip: str = "",
        agent: str = "",
        akid: str = "",
        role_id: str = "",
    ) -> None:
        self.account, self.kind, self.name, self.session = account, kind, name, session
        self.ip, self.agent, self.akid, self.role_id = ip, agent, akid, role_id

    def identity(self, t: datetime) -> dict[str, Any]:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.name}
        role_path = self.name
        role_name = role_path.split("/")[-1]
        created = t - timedelta(minutes=(hash_minutes(self.session, t) % 50) + 3)
        return {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{self.session}",
            "accountId": self.account,
            "accessKeyId": self.akid,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/{role_path}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        }


def hash_minutes(s: str, t: datetime) -> int:
    return sum(ord(c) for c in s) + t.hour * 7


def sso_human(rng: random.Random, account: str, perm_set: str, email: str) -> Principal:
    return Principal(
        account,
        "role",
        f"aws-reserved/sso.amazonaws.com/{'eu-west-1'}/AWSReservedSSO_{perm_set}_{hexs(rng, 16)}",
        session=email,
        ip=f"{rng.choice([81, 86, 92, 109, 176])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}",
        agent="",
        akid=upper_id(rng, 16, "ASIA"),
        role_id=upper_id(rng, 17, "AROA"),
    )


def ci_role(rng: random.Random, account: str, role: str, session: str) -> Principal:
    return Principal(
        account,
        "role",
        role,
        session=session,
        ip=f"{rng.choice([4, 13, 20, 40, 52])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}",
        akid=upper_id(rng, 16, "ASIA"),
        role_id=upper_id(rng, 17, "AROA"),
    )


def instance_role(rng: random.Random, account: str, role: str, instance_id: str, ip: str) -> Principal:
    return Principal(
        account,
        "role",
        role,
        session=instance_id,
        ip=ip,
        akid=upper_id(rng, 16, "ASIA"),
        role_id=upper_id(rng, 17, "AROA"),
    )


CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{api}#{ver}"
CLI_UA = "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"


def ct(
    rng: random.Random,
    account: str,
    region: str,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    params: dict[str, Any] | None,
    response: dict[str, Any] | None = None,
    *,
    read_only: bool = False,
    agent: str | None = None,
    error: tuple[str, str] | None = None,
    console: bool = False,
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "eventVersion": "1.09" if who.kind != "service" else "1.08",
        "userIdentity": who.identity(t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.name if who.kind == "service" else who.ip,
        "userAgent": who.name
        if who.kind == "service"
        else (agent or who.agent or CLI_UA.format(cmd="unknown")),
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
    rec["recipientAccountId"] = account
    rec["eventCategory"] = "Management"
    if who.kind != "service":
        host = source.replace(".amazonaws.com", f".{region}.amazonaws.com")
        if source in ("iam.amazonaws.com",):
            host = "iam.amazonaws.com"
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
        if console:
            rec["sessionCredentialFromConsole"] = "true"
    return rec


READ_CALLS: list[tuple[str, str, Callable[[random.Random], dict[str, Any] | None]]] = [
    ("ec2.amazonaws.com", "DescribeInstances", lambda r: {"instancesSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", lambda r: {"securityGroupSet": {}, "filterSet": {}}),
    ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", lambda r: None),
    ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", lambda r: None),
    ("monitoring.amazonaws.com", "DescribeAlarms", lambda r: {"maxRecords": 100}),
    ("logs.amazonaws.com", "DescribeLogGroups", lambda r: {"limit": 50}),
    ("ssm.amazonaws.com", "GetParameter", lambda r: None),
    ("sts.amazonaws.com", "GetCallerIdentity", lambda r: None),
    ("iam.amazonaws.com", "ListRoles", lambda r: {"maxItems": 100}),
    ("s3.amazonaws.com", "ListBuckets", lambda r: {"Host": "s3.amazonaws.com"}),
]


def routine_reads(
    rng: random.Random,
    account: str,
    region: str,
    start: datetime,
    end: datetime,
    people: Sequence[Principal],
    n: int,
) -> list[dict[str, Any]]:
    out = []
    span = int((end - start).total_seconds())
    for _ in range(n):
        t = start + timedelta(seconds=rng.randrange(0, span))
        src, name, p = rng.choice(READ_CALLS)
        who = rng.choice(list(people))
        params = p(rng)
        if name == "GetParameter":
            params = {
                "name": rng.choice(
                    ["/platform/log-level", "/shared/feature-flags", "/platform/ami/base-al2023"]
                ),
                "withDecryption": False,
            }
        if name == "DescribeTargetHealth":
            params = None
        out.append(
            ct(
                rng,
                account,
                region,
                t,
                who,
                src,
                name,
                params,
                None,
                read_only=True,
                agent=CLI_UA.format(cmd=name.lower()),
            )
        )
    return out


# ---------------------------------------------------------------- alarms


def alarm(
    account: str,
    region: str,
    name: str,
    description: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    state: str,
    state_reason: str,
    state_data: dict[str, Any] | None,
    updated: datetime,
    config_updated: datetime,
    actions: list[str],
    *,
    datapoints: int | None = None,
    treat_missing: str = "missing",
    unit: str | None = None,
) -> dict[str, Any]:
    a: dict[str, Any] = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso(config_updated),
        "ActionsEnabled": True,
        "OKActions": list(actions),
        "AlarmActions": list(actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": state_reason,
        "StateUpdatedTimestamp": iso(updated),
        "MetricName": metric,
        "Namespace": ns,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": datapoints or evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": treat_missing,
        "StateTransitionedTimestamp": iso(updated),
    }
    if stat.startswith("p"):
        a["ExtendedStatistic"] = stat
    else:
        a["Statistic"] = stat
    if unit:
        a["Unit"] = unit
    if state_data is not None:
        a["StateReasonData"] = json.dumps(state_data, separators=(",", ":"))
    return a


def fmt_num(v: float) -> str:
    s = repr(float(v))
    return s


def breach_reason(
    values: list[tuple[datetime, float]],
    threshold: float,
    op: str,
    evals: int,
    period: int,
    stat: str,
    new: str,
) -> tuple[str, dict[str, Any]]:
    """StateReason text and StateReasonData for a transition decided by the newest `evals` points."""
    pts = list(reversed(values[-evals:]))
    word = {
        "GreaterThanThreshold": "greater than",
        "GreaterThanOrEqualToThreshold": "greater than or equal to",
        "LessThanThreshold": "less than",
        "LessThanOrEqualToThreshold": "less than or equal to",
    }[op]
    if new == "ALARM":
        lead = f"Threshold Crossed: {len(pts)} datapoint{'s' if len(pts) > 1 else ''} [{', '.join(fmt_num(round(v, 4)) + ' (' + t.strftime('%d/%m/%y %H:%M:%S') + ')' for t, v in pts)}] {'were' if len(pts) > 1 else 'was'} {word} the threshold ({fmt_num(threshold)})."
    else:
        lead = f"Threshold Crossed: {len(pts)} datapoint{'s' if len(pts) > 1 else ''} [{', '.join(fmt_num(round(v, 4)) + ' (' + t.strftime('%d/%m/%y %H:%M:%S') + ')' for t, v in pts)}] {'were' if len(pts) > 1 else 'was'} not {word} the threshold ({fmt_num(threshold)})."
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": iso(values[-1][0] + timedelta(seconds=period, milliseconds=0)).replace("Z", ".000+0000"),
        "startDate": iso(pts[-1][0]).replace("Z", ".000+0000"),
        "period": period,
        "recentDatapoints": [round(v, 4) for _, v in reversed(pts)],
        "threshold": threshold,
        "evaluatedDatapoints": [
            {"timestamp": iso(t).replace("Z", ".000+0000"), "sampleCount": 1.0, "value": round(v, 4)}
            for t, v in pts
        ],
    }
    if stat.startswith("p"):
        pass
    else:
        data["statistic"] = stat
    return lead, data


def evaluate(
    values: list[tuple[datetime, float]], threshold: float, op: str, evals: int, datapoints: int
) -> list[tuple[int, str]]:
    """(index of the deciding point, new state) for each transition, starting from OK."""

    def breaching(v: float) -> bool:
        return {
            "GreaterThanThreshold": v > threshold,
            "GreaterThanOrEqualToThreshold": v >= threshold,
            "LessThanThreshold": v < threshold,
            "LessThanOrEqualToThreshold": v <= threshold,
        }[op]

    state = "OK"
    out = []
    for i in range(evals - 1, len(values)):
        window = values[i - evals + 1 : i + 1]
        nb = sum(1 for _, v in window if breaching(v))
        if state == "OK" and nb >= datapoints:
            state = "ALARM"
            out.append((i, state))
        elif state == "ALARM" and nb == 0:
            state = "OK"
            out.append((i, state))
    return out


def history_item(
    name: str,
    t: datetime,
    old: str,
    new: str,
    reason: str,
    data: dict[str, Any] | None,
    alarm_type: str = "MetricAlarm",
) -> list[dict[str, Any]]:
    hd: dict[str, Any] = {
        "version": "1.0",
        "oldState": {"stateValue": old, "stateReason": "(previous)"},
        "newState": {"stateValue": new, "stateReason": reason},
    }
    if data is not None:
        hd["newState"]["stateReasonData"] = data
    return [
        {
            "AlarmName": name,
            "AlarmType": alarm_type,
            "Timestamp": iso(t),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old} to {new}",
            "HistoryData": json.dumps(hd, separators=(",", ":")),
        }
    ]


def action_item(name: str, t: datetime, topic: str) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": iso(t + timedelta(milliseconds=400)),
        "HistoryItemType": "Action",
        "HistorySummary": f"Successfully executed action {topic}",
        "HistoryData": json.dumps(
            {
                "actionState": "Succeeded",
                "stateUpdateTimestamp": ms(t),
                "notificationResource": topic,
                "publishedMessage": None,
            },
            separators=(",", ":"),
        ),
    }


def alarm_event(
    account: str,
    region: str,
    a: dict[str, Any],
    t: datetime,
    reason: str,
    data: dict[str, Any],
    rng: random.Random,
) -> dict[str, Any]:
    metric: dict[str, Any] = {
        "namespace": a["Namespace"],
        "name": a["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
    }
    stat = a.get("Statistic") or a.get("ExtendedStatistic")
    return {
        "version": "0",
        "id": uuid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(t),
        "region": region,
        "resources": [a["AlarmArn"]],
        "detail": {
            "alarmName": a["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": reason,
                "reasonData": json.dumps(data, separators=(",", ":")),
                "timestamp": iso(t).replace("Z", ".000+0000"),
            },
            "previousState": {
                "value": "OK",
                "reason": "(previous)",
                "timestamp": iso(t - timedelta(days=2)).replace("Z", ".000+0000"),
            },
            "configuration": {
                "description": a.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": hexs(rng, 8)
                        + "-"
                        + hexs(rng, 4)
                        + "-"
                        + hexs(rng, 4)
                        + "-"
                        + hexs(rng, 4)
                        + "-"
                        + hexs(rng, 12),
                        "metricStat": {"metric": metric, "period": a["Period"], "stat": stat},
                        "returnData": True,
                    }
                ],
            },
        },
    }


def alarm_with_history(
    account: str,
    region: str,
    name: str,
    description: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    series: list[tuple[datetime, float]],
    now: datetime,
    topic: str,
    created: datetime,
    *,
    datapoints: int | None = None,
    lag_s: int = 45,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[datetime, str, str, dict[str, Any]]]]:
    """The alarm as it stands at `now`, its history and its transitions (time, state, reason, data)."""
    dp = datapoints or evals
    transitions = []
    hist: list[dict[str, Any]] = []
    for i, new in evaluate(series, threshold, op, evals, dp):
        t = series[i][0] + timedelta(seconds=period + lag_s)
        if t > now:
            break
        reason, data = breach_reason(series[: i + 1], threshold, op, evals, period, stat, new)
        old = "OK" if new == "ALARM" else "ALARM"
        hist += history_item(name, t, old, new, reason, data)
        hist.append(action_item(name, t, topic))
        transitions.append((t, new, reason, data))
    if transitions:
        t, state, reason, data = transitions[-1]
    else:
        t = created + timedelta(minutes=1)
        pts = series[-evals:]
        state = "OK"
        reason, data = breach_reason(pts, threshold, op, evals, period, stat, "OK")
        for item in history_item(name, t, "INSUFFICIENT_DATA", "OK", reason, None):
            item["HistoryData"] = json.dumps(
                {
                    "version": "1.0",
                    "oldState": {"stateValue": "INSUFFICIENT_DATA"},
                    "newState": {
                        "stateValue": "OK",
                        "stateReason": "Threshold Crossed: no datapoints were breaching the threshold",
                    },
                },
                separators=(",", ":"),
            )
            hist.append(item)
        reason = reason
    a = alarm(
        account,
        region,
        name,
        description,
        ns,
        metric,
        dims,
        stat,
        period,
        evals,
        threshold,
        op,
        state,
        reason,
        data,
        t,
        created,
        [topic],
        datapoints=dp,
    )
    return a, hist, transitions


def sort_by_time(records: Iterable[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: r[key])


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


# ---------------------------------------------------------------- EC2 fleet items


def instance_item(
    rng: random.Random,
    iid: str,
    itype: str,
    ami: str,
    subnet: str,
    vpc: str,
    az: str,
    ip: str,
    sg: tuple[str, str],
    profile_arn: str,
    launched: datetime,
    tags: dict[str, str],
    lt: tuple[str, str, str] | None,
    region: str,
    *,
    lifecycle: str | None = None,
    vol: str | None = None,
) -> dict[str, Any]:
    eni = rid(rng, "eni")
    item: dict[str, Any] = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "enabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
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
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": vol or rid(rng, "vol"),
                },
            }
        ],
        "ClientToken": uuid(rng),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {"Arn": profile_arn, "Id": upper_id(rng, 17, "AIPA")},
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": f"eni-attach-0{hexs(rng, 16)}",
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": sg[1], "GroupId": sg[0]}],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(hexs(rng, 2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": "",
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [
                    {
                        "Primary": True,
                        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
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
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": sg[1], "GroupId": sg[0]}],
        "SourceDestCheck": True,
        "Tags": tag_list(tags),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "BootMode": "uefi-preferred",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "CurrentInstanceBootMode": "legacy-bios",
    }
    if lifecycle:
        item["InstanceLifecycle"] = lifecycle
    if lt:
        item["Tags"] = item["Tags"] + tag_list(
            {
                "aws:ec2launchtemplate:id": lt[0],
                "aws:ec2launchtemplate:version": lt[2],
                "aws:autoscaling:groupName": lt[1],
            }
        )
    return item


def status_item(iid: str, az: str, ebs_ok: bool = True, since: datetime | None = None) -> dict[str, Any]:
    ok = {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"}
    item: dict[str, Any] = {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": ok,
        "SystemStatus": ok,
        "AttachedEbsStatus": ok,
    }
    if not ebs_ok:
        item["AttachedEbsStatus"] = {
            "Details": [
                {
                    "Name": "reachability",
                    "Status": "failed",
                    "ImpairedSince": iso(since or datetime(2024, 1, 1, tzinfo=UTC)),
                }
            ],
            "Status": "impaired",
        }
    return item


def asg_service_identity(account: str, t: datetime) -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": f"AROA{account[:4]}AUTOSCALINGSLR:AutoScaling",
        "arn": f"arn:aws:sts::{account}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling",
        "accountId": account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROA{account[:4]}AUTOSCALINGSLR",
                "arn": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "accountId": account,
                "userName": "AWSServiceRoleForAutoScaling",
            },
            "attributes": {"creationDate": iso(t - timedelta(seconds=2)), "mfaAuthenticated": "false"},
        },
        "invokedBy": "autoscaling.amazonaws.com",
    }
