# Incidents of kit zr (in the order written):
# 1. change: the web proxy's RDS Proxy target-group pool share is cut in the morning to make room for a
#    second proxy on the same Aurora cluster; at the evening peak bookings fail with borrow timeouts.
# 2. component_failure: one Availability Zone has network trouble; a third of the web fleet times out,
#    ELB health checks flap and the ASG churns instances in that zone.
# 3. limit: a PHP shop keeps media/cache on an EFS file system in bursting mode; its burst credits run
#    out after days of decline and pages crawl with 504s while the web CPUs sit idle.
# 4. no fault: a newly created Redis CPUUtilization alarm (AWS's 90/vCPU guidance) fires during the
#    nightly automatic backup on the replica; the application is fine.
"""Private helpers for kit zr: ids, time, metric series, alarms, CloudTrail records, resources."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

MINUTE = timedelta(minutes=1)

# --- ids and time ---------------------------------------------------------------------------------


class Ids:
    """Deterministic AWS-shaped identifiers from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hexs(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, upper: bool = True) -> str:
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(chars) for _ in range(n))

    def uuid(self) -> str:
        h = self.hexs(32)
        var = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{var}{h[17:20]}-{h[20:32]}"

    def instance(self) -> str:
        return "i-0" + self.hexs(16)

    def res(self, prefix: str) -> str:
        return f"{prefix}-0" + self.hexs(16)

    def short(self, prefix: str) -> str:
        return f"{prefix}-" + self.hexs(8)

    def access_key(self, prefix: str = "ASIA") -> str:
        return prefix + self.alnum(16)

    def principal(self, prefix: str = "AROA") -> str:
        return prefix + self.alnum(17)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def minutes(t0: datetime, t1: datetime) -> Iterable[datetime]:
    t = floor_minute(t0)
    while t < t1:
        yield t
        t += MINUTE


def pick_date(rng: random.Random, weekday: bool = True, year_days: int = 420) -> datetime:
    """A midnight (UTC) in 2024-2025, a weekday unless told otherwise."""
    base = datetime(2024, 3, 4, tzinfo=UTC)
    while True:
        d = base + timedelta(days=rng.randrange(year_days))
        if not weekday or d.weekday() < 5:
            return d


def diurnal(local_hour: float, peaks: Iterable[tuple[float, float, float]], floor: float) -> float:
    """A daily shape: `floor` plus Gaussian bumps (centre hour, width hours, height)."""
    v = floor
    for centre, width, height in peaks:
        for shift in (-24.0, 0.0, 24.0):
            d = local_hour - centre - shift
            v += height * math.exp(-0.5 * (d / width) ** 2)
    return v


def ramp(t: datetime, t0: datetime, t1: datetime) -> float:
    """0 before t0, 1 after t1, linear between."""
    if t <= t0:
        return 0.0
    if t >= t1:
        return 1.0
    return (t - t0).total_seconds() / (t1 - t0).total_seconds()


# --- metrics --------------------------------------------------------------------------------------

Series = dict[datetime, float]


@dataclass
class Metrics:
    """Collects metric datapoints: one a minute from `fine_from`, five-minute statistic sets before."""

    start: datetime
    end: datetime
    fine_from: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        *,
        omit_zero: bool = False,
        digits: int = 3,
        start: datetime | None = None,
        integer: bool = False,
    ) -> Series:
        """Emit a metric from `fn` (its value for each minute, None for no datapoint); return the minutes."""
        values: Series = {}
        for t in minutes(start or self.start, self.end):
            v = fn(t)
            if v is None:
                continue
            v = float(round(v)) if integer else round(v, digits)
            if omit_zero and v == 0:
                continue
            values[t] = v
        coarse: dict[datetime, list[float]] = {}
        for t, v in values.items():
            if t >= self.fine_from:
                self.rows.append(
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
                b = t.replace(minute=t.minute - t.minute % 5)
                coarse.setdefault(b, []).append(v)
        for b in sorted(coarse):
            vs = coarse[b]
            self.rows.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(b),
                    "unit": unit,
                    "statistic_values": {
                        "SampleCount": float(len(vs)),
                        "Sum": round(sum(vs), digits),
                        "Minimum": min(vs),
                        "Maximum": max(vs),
                    },
                }
            )
        return values

    def sorted_rows(self) -> list[dict[str, Any]]:
        return sorted(self.rows, key=lambda r: (r["timestamp"], r["namespace"], r["metric"]))


# --- alarms ---------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


@dataclass
class AlarmSpec:
    name: str
    description: str
    namespace: str
    metric: str
    dims: dict[str, str]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    op: str
    treat_missing: str
    unit: str | None = None
    actions: list[str] = field(default_factory=list)
    created: datetime | None = None  # inside the window: created then (ConfigurationUpdate)


@dataclass
class AlarmResult:
    item: dict[str, Any]
    history: list[dict[str, Any]]
    transitions: list[tuple[datetime, str, str, str, dict[str, Any]]]


def _aggregate(vals: list[float], stat: str) -> float:
    if stat == "Sum":
        return sum(vals)
    if stat == "Maximum":
        return max(vals)
    if stat == "Minimum":
        return min(vals)
    if stat == "SampleCount":
        return float(len(vals))
    return sum(vals) / len(vals)


def _fmt_num(v: float) -> str:
    return repr(round(v, 4)) if v != int(v) else f"{v:.1f}"


def evaluate(
    spec: AlarmSpec,
    series: Series,
    account: str,
    region: str,
    start: datetime,
    now: datetime,
    rng: random.Random,
) -> AlarmResult:
    """Evaluate a metric alarm over `series` (per-minute values) from start to now, as CloudWatch would."""
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    test, words = _OPS[spec.op]
    period = timedelta(seconds=spec.period)
    buckets: dict[datetime, list[float]] = {}
    for t, v in series.items():
        epoch = int(t.timestamp())
        b = datetime.fromtimestamp(epoch - epoch % spec.period, UTC)
        buckets.setdefault(b, []).append(v)
    agg = {b: _aggregate(vs, spec.statistic) for b, vs in buckets.items()}
    created = spec.created
    state = "INSUFFICIENT_DATA" if created else "OK"
    state_since = created or start - timedelta(days=3, hours=rng.randrange(1, 60))
    reason = (
        "Unchecked: Initial alarm creation"
        if created
        else f"Threshold Crossed: no datapoints were {words} the threshold ({_fmt_num(spec.threshold)})."
    )
    reason_data: dict[str, Any] = {}
    transitions: list[tuple[datetime, str, str, str, dict[str, Any]]] = []
    history: list[dict[str, Any]] = []
    if created:
        history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(created),
                "HistoryItemType": "ConfigurationUpdate",
                "HistorySummary": f'Alarm "{spec.name}" created',
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "type": "Create",
                        "createdAlarm": {
                            "alarmName": spec.name,
                            "metricName": spec.metric,
                            "namespace": spec.namespace,
                            "threshold": spec.threshold,
                            "comparisonOperator": spec.op,
                            "evaluationPeriods": spec.evaluation_periods,
                            "period": spec.period,
                            "statistic": spec.statistic,
                        },
                    }
                ),
            }
        )
    t = datetime.fromtimestamp(int(start.timestamp()) - int(start.timestamp()) % spec.period, UTC)
    first = created or start
    while t + period <= now:
        # evaluation happens shortly after the period ends
        at = t + period + timedelta(seconds=20 + (int(t.timestamp()) // 60) % 37)
        if at > now or at < first:
            t += period
            continue
        window = [t - period * i for i in range(spec.evaluation_periods)]
        points = [(b, agg.get(b)) for b in window]
        breaching = 0
        present = [(b, v) for b, v in points if v is not None]
        for _b, pv in points:
            if pv is None:
                if spec.treat_missing == "breaching":
                    breaching += 1
            elif test(pv, spec.threshold):
                breaching += 1
        if breaching >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif not present and spec.treat_missing == "missing":
            new = state if state != "INSUFFICIENT_DATA" else "INSUFFICIENT_DATA"
        else:
            new = "OK"
        if new != state:
            shown = present[: spec.evaluation_periods]
            dp_txt = ", ".join(f"{_fmt_num(v)} ({b:%d/%m/%y %H:%M:%S})" for b, v in shown)
            if new == "ALARM":
                text = (
                    f"Threshold Crossed: {breaching} out of the last {spec.evaluation_periods} datapoints "
                    f"[{dp_txt}] were {words} the threshold ({_fmt_num(spec.threshold)}) (minimum "
                    f"{spec.datapoints_to_alarm} datapoints for OK -> ALARM transition)."
                )
            else:
                text = (
                    f"Threshold Crossed: {len(shown)} datapoint{'s' if len(shown) != 1 else ''} "
                    f"[{dp_txt}] {'was' if len(shown) == 1 else 'were'} not {words} the threshold "
                    f"({_fmt_num(spec.threshold)})."
                )
            rdata: dict[str, Any] = {
                "version": "1.0",
                "queryDate": iso_ms(at).replace("Z", "+0000"),
                "startDate": iso_ms(window[-1]).replace("Z", "+0000"),
                "statistic": spec.statistic,
                "period": spec.period,
                "recentDatapoints": [round(v, 4) for _b, v in reversed(shown)],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {
                        "timestamp": iso_ms(b).replace("Z", "+0000"),
                        "sampleCount": float(len(buckets[b])),
                        "value": round(v, 4),
                    }
                    for b, v in shown
                ],
            }
            history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(at),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": state, "stateReason": reason},
                            "newState": {"stateValue": new, "stateReason": text, "stateReasonData": rdata},
                        }
                    ),
                }
            )
            if new == "ALARM" and spec.actions:
                history.append(
                    {
                        "AlarmName": spec.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(at + timedelta(milliseconds=180 + rng.randrange(400))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {spec.actions[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(at),
                                "notificationResource": spec.actions[0],
                            }
                        ),
                    }
                )
            transitions.append((at, state, new, text, rdata))
            state, state_since, reason, reason_data = new, at, text, rdata
        t += period
    updated = created or (start - timedelta(days=40 + rng.randrange(200)))
    item: dict[str, Any] = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(updated),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(state_since),
        "StateTransitionedTimestamp": iso_ms(state_since),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Statistic": spec.statistic,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.op,
        "TreatMissingData": spec.treat_missing,
    }
    if reason_data:
        item["StateReasonData"] = json.dumps(reason_data)
    if spec.unit:
        item["Unit"] = spec.unit
    return AlarmResult(item, history, transitions)


def alarm_event(
    ids: Ids, spec: AlarmSpec, result: AlarmResult, account: str, region: str, index: int = -1
) -> dict[str, Any]:
    """The EventBridge "CloudWatch Alarm State Change" event of one transition (the last by default)."""
    at, old, new, text, rdata = result.transitions[index]
    prev: dict[str, Any] = {"value": old, "timestamp": iso_ms(at - timedelta(hours=5)).replace("Z", "+0000")}
    if len(result.transitions) > 1 and index != 0:
        p_at, _o, _n, p_text, p_data = result.transitions[
            index - 1 if index > 0 else len(result.transitions) - 2
        ]
        prev = {
            "value": old,
            "reason": p_text,
            "reasonData": json.dumps(p_data),
            "timestamp": iso_ms(p_at).replace("Z", "+0000"),
        }
    else:
        prev["reason"] = (
            f"Threshold Crossed: no datapoints were {_OPS[spec.op][1]} the threshold ({_fmt_num(spec.threshold)})."
        )
    metric_stat: dict[str, Any] = {
        "metric": {"namespace": spec.namespace, "name": spec.metric, "dimensions": dict(spec.dims)},
        "period": spec.period,
        "stat": spec.statistic,
    }
    if spec.unit:
        metric_stat["unit"] = spec.unit
    return {
        "version": "0",
        "id": ids.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(at),
        "region": region,
        "resources": [result.item["AlarmArn"]],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": new,
                "reason": text,
                "reasonData": json.dumps(rdata),
                "timestamp": iso_ms(at).replace("Z", "+0000"),
            },
            "previousState": prev,
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {"id": ids.hexs(8) + "-" + ids.hexs(4), "metricStat": metric_stat, "returnData": True}
                ],
            },
        },
    }


# --- CloudTrail -----------------------------------------------------------------------------------


@dataclass
class Principal:
    kind: str  # "sso", "role", "service-role", "service"
    identity: dict[str, Any]
    ip: str
    agent: str
    console: bool = False


def sso_user(
    ids: Ids, account: str, region: str, perm_set: str, email: str, ip: str, agent: str, console: bool = False
) -> Principal:
    role = f"AWSReservedSSO_{perm_set}_{ids.hexs(16)}"
    pid = ids.principal()
    return Principal(
        "sso",
        {
            "type": "AssumedRole",
            "principalId": f"{pid}:{email}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{email}",
            "accountId": account,
            "accessKeyId": ids.access_key(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{region}/{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        },
        ip,
        agent,
        console,
    )


def role_session(
    ids: Ids, account: str, role: str, session: str, ip: str, agent: str, path: str = "/"
) -> Principal:
    pid = ids.principal()
    return Principal(
        "role",
        {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "accessKeyId": ids.access_key(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{account}:role{path}{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        },
        ip,
        agent,
    )


def service_linked(ids: Ids, account: str, role: str, service: str, session: str) -> Principal:
    p = role_session(ids, account, role, session, service, service, path="/aws-service-role/" + service + "/")
    p.identity["invokedBy"] = service
    p.kind = "service-role"
    return p


def aws_service(service: str) -> Principal:
    return Principal("service", {"type": "AWSService", "invokedBy": service}, service, service)


class Trail:
    """CloudTrail records in the delivered shape."""

    def __init__(self, ids: Ids, account: str, region: str) -> None:
        self.ids = ids
        self.account = account
        self.region = region
        self.records: list[dict[str, Any]] = []

    def add(
        self,
        when: datetime,
        who: Principal,
        source: str,
        name: str,
        params: dict[str, Any] | None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        version: str = "1.09",
    ) -> dict[str, Any]:
        ident = json.loads(json.dumps(who.identity))
        sc = ident.get("sessionContext")
        if isinstance(sc, dict):
            created = when - timedelta(minutes=3 + (ms(when) // 1000) % 50)
            sc["attributes"]["creationDate"] = iso(created)
        rid = self.ids.uuid()
        rec: dict[str, Any] = {
            "eventVersion": version,
            "userIdentity": ident,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.ip,
            "userAgent": who.agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": rid,
            "eventID": self.ids.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
            rec["responseElements"] = None
        if who.kind != "service":
            host = source.replace(".amazonaws.com", f".{self.region}.amazonaws.com")
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
        if who.console:
            rec["sessionCredentialFromConsole"] = "true"
        if extra:
            rec.update(extra)
        self.records.append(rec)
        return rec

    def sorted(self) -> list[dict[str, Any]]:
        return sorted(self.records, key=lambda r: (r["eventTime"], r["eventID"]))


# --- logs -----------------------------------------------------------------------------------------


class Logs:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.rows.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def sorted(self) -> list[dict[str, Any]]:
        return sorted(self.rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


# --- resources ------------------------------------------------------------------------------------


def res(service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"service": service, "type": type_, "item": item}


def tags(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def subnet_item(
    sid: str, vpc: str, az: str, az_id: str, cidr: str, free: int, name: str, account: str, region: str
) -> dict[str, Any]:
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
    }


def vpc_item(vid: str, cidr: str, name: str, account: str, ids: Ids) -> dict[str, Any]:
    return {
        "CidrBlock": cidr,
        "DhcpOptionsId": "dopt-" + ids.hexs(17),
        "State": "available",
        "VpcId": vid,
        "OwnerId": account,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": "vpc-cidr-assoc-" + ids.hexs(17),
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": False,
        "Tags": tags({"Name": name}),
    }


def sg_item(
    gid: str,
    name: str,
    desc: str,
    vpc: str,
    account: str,
    ingress: list[dict[str, Any]],
    tag: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": ingress,
        "OwnerId": account,
        "GroupId": gid,
        "IpPermissionsEgress": [
            {
                "IpProtocol": "-1",
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        ],
        "VpcId": vpc,
        "Tags": tags(tag or {"Name": name}),
    }


def perm_from_sg(port: int, src: str, account: str, desc: str) -> dict[str, Any]:
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": port,
        "UserIdGroupPairs": [{"Description": desc, "GroupId": src, "UserId": account}],
    }


def perm_from_cidr(port: int, cidr: str, desc: str) -> dict[str, Any]:
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [{"CidrIp": cidr, "Description": desc}],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": port,
        "UserIdGroupPairs": [],
    }


def alb_items(
    ids: Ids,
    account: str,
    region: str,
    name: str,
    vpc: str,
    subnets: list[tuple[str, str]],
    sg: str,
    created: datetime,
    internal: bool = False,
) -> tuple[dict[str, Any], str, str]:
    """(LoadBalancer item, arn, metric dimension value)."""
    h = ids.hexs(16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{h}"
    scheme = "internal" if internal else "internet-facing"
    prefix = "internal-" if internal else ""
    item = {
        "LoadBalancerArn": arn,
        "DNSName": f"{prefix}{name}-{ids.rng.randrange(10**9, 10**10)}.{region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": {
            "us-east-1": "Z35SXDOTRQ7X7K",
            "us-east-2": "Z3AADJGX6KTTL2",
            "eu-west-1": "Z32O12XQLNTSW2",
            "eu-west-2": "ZHURV8PSTC4K8",
            "us-west-2": "Z1H1FL5HABSF5",
            "eu-central-1": "Z215JYRZR1TBD5",
            "ap-southeast-2": "Z1GM3OXH4ZPM65",
        }.get(region, "Z32O12XQLNTSW2"),
        "CreatedTime": iso_ms(created),
        "LoadBalancerName": name,
        "Scheme": scheme,
        "VpcId": vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": sid, "LoadBalancerAddresses": []} for sid, az in subnets
        ],
        "SecurityGroups": [sg],
        "IpAddressType": "ipv4",
    }
    return item, arn, f"app/{name}/{h}"


def tg_item(
    ids: Ids,
    account: str,
    region: str,
    name: str,
    vpc: str,
    port: int,
    lb_arn: str,
    path: str,
    target_type: str = "instance",
    interval: int = 15,
    timeout: int = 5,
    healthy: int = 3,
    unhealthy: int = 2,
) -> tuple[dict[str, Any], str, str]:
    h = ids.hexs(16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{h}"
    item = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": vpc,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": interval,
        "HealthCheckTimeoutSeconds": timeout,
        "HealthyThresholdCount": healthy,
        "UnhealthyThresholdCount": unhealthy,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": target_type,
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    return item, arn, f"targetgroup/{name}/{h}"


def instance_item(
    ids: Ids,
    iid: str,
    itype: str,
    ami: str,
    subnet: str,
    vpc: str,
    az: str,
    ip: str,
    sg: tuple[str, str],
    launched: datetime,
    profile_arn: str,
    tagd: dict[str, str],
    account: str,
    state: str = "running",
) -> dict[str, Any]:
    eni = "eni-0" + ids.hexs(16)
    vol = "vol-0" + ids.hexs(16)
    code = {"running": 16, "terminated": 48, "shutting-down": 32, "pending": 0, "stopped": 80}[state]
    item: dict[str, Any] = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal"
        if az.startswith("us-east-1")
        else f"ip-{ip.replace('.', '-')}.{az[:-1]}.compute.internal",
        "PrivateIpAddress": ip if state != "terminated" else None,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": code, "Name": state},
        "StateTransitionReason": "",
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": "arm64" if "g." in itype else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": vol,
                },
            }
        ],
        "ClientToken": ids.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {"Arn": profile_arn, "Id": "AIPA" + ids.alnum(17)},
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": "eni-attach-0" + ids.hexs(16),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": sg[1], "GroupId": sg[0]}],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(ids.hexs(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": account,
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
        "SecurityGroups": [{"GroupName": sg[1], "GroupId": sg[0]}],
        "SourceDestCheck": True,
        "Tags": tags(tagd),
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
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
    }
    if state == "terminated":
        item.pop("PrivateIpAddress")
        item["NetworkInterfaces"] = []
        item["SecurityGroups"] = []
        item["BlockDeviceMappings"] = []
        item["StateTransitionReason"] = "User initiated"
        item["StateReason"] = {
            "Code": "Client.UserInitiatedShutdown",
            "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
        }
    return item


def instance_status(iid: str, az: str, az_id: str, ok: bool = True) -> dict[str, Any]:
    st = "ok" if ok else "impaired"
    return {
        "AvailabilityZone": az,
        "AvailabilityZoneId": az_id,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": {
            "Details": [{"Name": "reachability", "Status": "passed" if ok else "failed"}],
            "Status": st,
        },
        "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
    }


def target_health_point(
    tg_arn: str, iid: str, port: int, az: str, state: str, t: datetime, reason: str | None = None
) -> dict[str, Any]:
    health: dict[str, Any] = {"State": state}
    descs = {
        "Target.Timeout": "Request timed out",
        "Target.FailedHealthChecks": "Health checks failed",
        "Elb.RegistrationInProgress": "Target registration is in progress",
        "Elb.InitialHealthChecking": "Initial health checks in progress",
        "Target.DeregistrationInProgress": "Target deregistration is in progress",
        "Target.ResponseCodeMismatch": "Health checks failed with these codes: [502]",
    }
    if reason:
        health["Reason"] = reason
        health["Description"] = descs.get(reason, reason)
    return {
        "source": "target_health",
        "item": {
            "target_group_arn": tg_arn,
            "target": {"Id": iid, "Port": port, "AvailabilityZone": az},
            "health": health,
            "timestamp": iso(t),
        },
    }


def noise(rng: random.Random, scale: float) -> float:
    return rng.gauss(0.0, scale)
