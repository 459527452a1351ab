# Incidents (KIT = zza), written in this order:
#  1. change: a file system's throughput mode switched to bursting the afternoon before; credits run out
#     late next morning and the CMS web tier that serves media from it slows to timeouts.
#  2. component_failure: one API instance's attached EBS data volume stalls its I/O; a quarter of the
#     requests behind the load balancer hang while the others are fine.
#  3. limit: a DynamoDB global secondary index capped by its auto-scaling maximum throttles writes to
#     the base table during a bulk import; the table's own capacity looks fine.
#  4. no fault: a database free-storage alarm overnight, resolved by storage autoscaling; the engineer
#     asks whether anything is broken.
"""Private helpers for the zza incidents: ids, time grids, noise, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


# --- ids and time -------------------------------------------------------------------------------


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid(rng: random.Random) -> str:
    h = hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:32]}"


def req_id(rng: random.Random) -> str:
    return uuid(rng)


def upper_id(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def pick_day(rng: random.Random, weekday_only: bool = True) -> datetime:
    """A date in 2025-2026, midnight UTC."""
    base = datetime(2025, 2, 3, tzinfo=UTC)
    while True:
        d = base + timedelta(days=rng.randrange(0, 600))
        if not weekday_only or d.weekday() < 5:
            return d


def grid(start: datetime, end: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """(timestamp, period seconds): 5-minute points before `fine_from`, 1-minute points after."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < end:
        step = 60 if t >= fine_from else 300
        out.append((t, step))
        t += timedelta(seconds=step)
    return out


def diurnal(t: datetime, utc_offset_h: float, low: float = 0.25, peak_hour: float = 13.0) -> float:
    """A daily traffic shape in [low, 1]: quiet at night, broad peak in the local afternoon."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((h - peak_hour) / 24 * 2 * math.pi)
    base = (x + 1) / 2
    return low + (1 - low) * base**1.6


def noisy(rng: random.Random, v: float, rel: float = 0.08) -> float:
    return max(0.0, v * (1 + rng.gauss(0, rel)))


# --- metrics ------------------------------------------------------------------------------------


def datum(ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> Json:
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
    avg: float,
    lo: float,
    hi: float,
) -> Json:
    n = max(1.0, round(n))
    lo = min(lo, avg)
    hi = max(hi, avg)
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": float(n),
            "Sum": round(avg * n, 4),
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
) -> Json:
    pairs = [(round(v, 4), float(round(c))) for v, c in zip(values, counts, strict=True) if round(c) > 0]
    if not pairs:
        pairs = [(round(values[0], 4), 1.0)]
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "values": [p[0] for p in pairs],
        "counts": [p[1] for p in pairs],
    }


# --- CloudTrail ---------------------------------------------------------------------------------


class Trail:
    """Builds CloudTrail records in the delivered shape for one account and region."""

    def __init__(self, rng: random.Random, account: str, region: str) -> None:
        self.rng = rng
        self.account = account
        self.region = region
        self.records: list[Json] = []
        self._ids: dict[str, str] = {}

    def _pid(self, role: str) -> str:
        if role not in self._ids:
            self._ids[role] = "AROA" + upper_id(self.rng, 17)
        return self._ids[role]

    def sso(self, user: str, perm_set: str, suffix: str) -> Json:
        role = f"AWSReservedSSO_{perm_set}_{suffix}"
        pid = self._pid(role)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + upper_id(self.rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str, invoked_by: str | None = None) -> Json:
        pid = self._pid(role)
        ident: Json = {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + upper_id(self.rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    @staticmethod
    def service(name: str) -> Json:
        return {"type": "AWSService", "invokedBy": name}

    def add(
        self,
        t: datetime,
        ident: Json,
        source: str,
        name: str,
        req: Any,
        resp: Any = None,
        *,
        read_only: bool,
        ip: str | None = None,
        agent: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[Json] | None = None,
        session_start: datetime | None = None,
    ) -> Json:
        ident = json.loads(json.dumps(ident))
        ctx = ident.get("sessionContext")
        if ctx is not None:
            begin = session_start or (t - timedelta(minutes=self.rng.randint(2, 50)))
            ctx["attributes"]["creationDate"] = iso(begin)
        is_service = ident.get("type") == "AWSService"
        invoked = ident.get("invokedBy")
        if ip is None:
            ip = (
                invoked
                if (is_service or invoked)
                else f"{self.rng.choice([52, 54, 3, 18])}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"
            )
        if agent is None:
            agent = (
                invoked
                if (is_service or invoked)
                else "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe command/unknown"
            )
        rec: Json = {
            "eventVersion": "1.10" if not is_service else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = req_id(self.rng)
        rec["eventID"] = uuid(self.rng)
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall" if not is_service else "AwsServiceEvent"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        if is_service:
            rec["sharedEventID"] = uuid(self.rng)
        rec["eventCategory"] = "Management"
        if not is_service:
            host = source.replace(".amazonaws.com", f".{self.region}.amazonaws.com")
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
        if (
            ident.get("type") == "AssumedRole"
            and "sso.amazonaws.com" in ident["sessionContext"]["sessionIssuer"]["arn"]
        ):
            rec["sessionCredentialFromConsole"] = "true"
        self.records.append(rec)
        return rec

    def sorted(self, now: datetime) -> list[Json]:
        recs = [r for r in self.records if r["eventTime"] <= iso(now)]
        return sorted(recs, key=lambda r: r["eventTime"])


CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.68.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.5 ua/2.1 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#amd64 api/{api}#{ver}"
BOTO_UA = "Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.10"


def tf_agent(api: str, ver: str) -> str:
    return TF_UA.replace("{api}", api).replace("{ver}", ver)


# --- alarms -------------------------------------------------------------------------------------

_CMP = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


class Alarm:
    """A metric alarm evaluated over per-period values (period end times), with its history."""

    def __init__(
        self,
        account: str,
        region: str,
        name: str,
        description: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        statistic: str,
        period: int,
        evaluation_periods: int,
        datapoints_to_alarm: int,
        threshold: float,
        comparison: str,
        actions: list[str],
        unit: str | None = None,
        treat_missing: str = "missing",
        created: datetime | None = None,
        extended: bool = False,
    ) -> None:
        self.account, self.region, self.name, self.description = account, region, name, description
        self.namespace, self.metric, self.dims = namespace, metric, dims
        self.statistic, self.period = statistic, period
        self.n, self.m = evaluation_periods, datapoints_to_alarm
        self.threshold, self.comparison = threshold, comparison
        self.actions, self.unit, self.treat_missing = actions, unit, treat_missing
        self.created = created
        self.extended = extended
        self.history: list[Json] = []
        self.state = "OK"
        self.reason = ""
        self.reason_data: Json = {}
        self.updated: datetime | None = None
        self.transitions: list[tuple[datetime, str, str, Json]] = []
        self.prev_at: datetime | None = None

    def _quiet_reason(self, recent: list[float]) -> str:
        words = _CMP[self.comparison][1]
        return (
            f"Threshold Crossed: 1 datapoint [{recent[-1] if recent else 0.0}] was not {words} "
            f"the threshold ({self.threshold})."
        )

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{self.name}"

    def evaluate(self, points: Sequence[tuple[datetime, float | None]], now: datetime) -> None:
        """`points`: (period start, value or None) in order; evaluated at each period end <= now."""
        test, words = _CMP[self.comparison]
        window: list[tuple[datetime, float | None]] = []
        for start, value in points:
            end = start + timedelta(seconds=self.period)
            if end > now:
                break
            window.append((start, value))
            window = window[-self.n :]
            if len(window) < self.n:
                continue
            present = [(s, v) for s, v in window if v is not None]
            if self.treat_missing in ("notBreaching", "ignore") or self.treat_missing == "missing":
                breaching = sum(1 for _, v in present if test(v, self.threshold))
            else:
                breaching = sum(1 for _, v in window if v is None or test(v, self.threshold))
            if not present and self.treat_missing == "missing":
                continue
            new = "ALARM" if breaching >= self.m else "OK"
            if new != self.state:
                recent = [round(v, 6) for _, v in reversed(present)]
                th = self.threshold
                if new == "ALARM":
                    reason = (
                        f"Threshold Crossed: {breaching} out of the last {self.n} datapoints "
                        f"{recent} were {words} the threshold ({th}) (minimum {self.m} datapoints "
                        "for OK -> ALARM transition)."
                    )
                else:
                    reason = (
                        f"Threshold Crossed: {len(present) - breaching} out of the last {self.n} datapoints "
                        f"{recent} were not {words} the threshold ({th}) (minimum 1 datapoint "
                        "for ALARM -> OK transition)."
                    )
                at = end + timedelta(seconds=self.period // 60 * 3 + 17)
                if at > now:
                    break
                data = {
                    "version": "1.0",
                    "queryDate": iso_ms(at).replace("Z", "+0000"),
                    "startDate": iso_ms(window[0][0]).replace("Z", "+0000"),
                    "statistic" if not self.extended else "extendedStatistic": self.statistic,
                    "period": self.period,
                    "recentDatapoints": recent,
                    "threshold": th,
                    "evaluatedDatapoints": [
                        {"timestamp": iso(s).replace("Z", "+0000"), "sampleCount": 60.0, "value": round(v, 6)}
                        for s, v in reversed(present)
                    ],
                }
                self.history.append(
                    {
                        "AlarmName": self.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(at),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {self.state} to {new}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {
                                    "stateValue": self.state,
                                    "stateReason": self.reason or self._quiet_reason(recent),
                                },
                                "newState": {
                                    "stateValue": new,
                                    "stateReason": reason,
                                    "stateReasonData": data,
                                },
                            }
                        ),
                    }
                )
                if new == "ALARM" and self.actions:
                    self.history.append(
                        {
                            "AlarmName": self.name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso_ms(at + timedelta(milliseconds=180)),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {self.actions[0]}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": ms(at),
                                    "notificationResource": self.actions[0],
                                    "publishedMessage": None,
                                }
                            ),
                        }
                    )
                self.prev_at = self.updated
                self.transitions.append((at, self.state, new, data))
                self.state, self.reason, self.reason_data, self.updated = new, reason, data, at
        if not self.reason:
            recent = [round(v, 6) for _, v in reversed(window) if v is not None]
            self.reason = (
                f"Threshold Crossed: 1 datapoint [{recent[0] if recent else 0.0}] was not "
                f"{words} the threshold ({self.threshold})."
            )
            self.updated = (self.created or now - timedelta(days=30)) + timedelta(minutes=3)

    def item(self) -> Json:
        created = self.created or datetime(2024, 11, 5, 10, 12, tzinfo=UTC)
        it: Json = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
            "ActionsEnabled": True,
            "OKActions": list(self.actions),
            "AlarmActions": list(self.actions),
            "InsufficientDataActions": [],
            "StateValue": self.state,
            "StateReason": self.reason,
            "StateReasonData": json.dumps(self.reason_data) if self.reason_data else None,
            "StateUpdatedTimestamp": iso_ms(self.updated or created),
            "MetricName": self.metric,
            "Namespace": self.namespace,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dims.items()],
            "Period": self.period,
            "EvaluationPeriods": self.n,
            "DatapointsToAlarm": self.m,
            "Threshold": self.threshold,
            "ComparisonOperator": self.comparison,
            "TreatMissingData": self.treat_missing,
            "StateTransitionedTimestamp": iso_ms(self.updated or created),
        }
        if self.extended:
            it["ExtendedStatistic"] = self.statistic
        else:
            it["Statistic"] = self.statistic
        if self.unit:
            it["Unit"] = self.unit
        if it["StateReasonData"] is None:
            del it["StateReasonData"]
        return it

    def _before(self, idx: int) -> datetime:
        i = idx if idx >= 0 else len(self.transitions) + idx
        if i > 0:
            return self.transitions[i - 1][0]
        base = self.created or datetime(2024, 11, 5, 10, 12, tzinfo=UTC)
        return (
            self.transitions[i][0] - timedelta(days=2, hours=7, minutes=13)
            if self.transitions[i][0] - base > timedelta(days=3)
            else base
        )

    def event(self, idx: int = -1) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event for a transition."""
        at, old, new, data = self.transitions[idx]
        prev_reason = "Threshold Crossed"
        reason = "Threshold Crossed"
        for h in self.history:
            if h["HistoryItemType"] == "StateUpdate" and h["Timestamp"] == iso_ms(at):
                prev_reason = json.loads(h["HistoryData"])["oldState"]["stateReason"]
                reason = json.loads(h["HistoryData"])["newState"]["stateReason"]
        metric: Json = {
            "id": "m1",
            "metricStat": {
                "metric": {
                    "namespace": self.namespace,
                    "name": self.metric,
                    "dimensions": dict(self.dims),
                },
                "period": self.period,
                "stat": self.statistic,
            },
            "returnData": True,
        }
        return {
            "version": "0",
            "id": uuid(random.Random(f"{self.name}:{iso(at)}")),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(at),
            "region": self.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {
                    "value": new,
                    "reason": reason,
                    "reasonData": json.dumps(data),
                    "timestamp": iso_ms(at).replace("Z", "+0000"),
                },
                "previousState": {
                    "value": old,
                    "reason": prev_reason,
                    "timestamp": iso_ms(self._before(idx)).replace("Z", "+0000"),
                },
                "configuration": {"description": self.description, "metrics": [metric]},
            },
        }


def per_period(
    series: Sequence[tuple[datetime, float]], period: int, agg: Callable[[list[float]], float]
) -> list[tuple[datetime, float | None]]:
    """Group (t, value) points into buckets of `period` seconds (by bucket start)."""
    buckets: dict[datetime, list[float]] = {}
    order: list[datetime] = []
    for t, v in series:
        epoch = int(t.timestamp())
        b = datetime.fromtimestamp(epoch - epoch % period, UTC)
        if b not in buckets:
            buckets[b] = []
            order.append(b)
        buckets[b].append(v)
    return [(b, agg(buckets[b])) for b in order]


def log(group: str, stream: str, t: datetime, message: str) -> Json:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def sort_logs(rows: list[Json], now: datetime) -> list[Json]:
    cut = ms(now)
    return sorted(
        (r for r in rows if r["timestamp"] <= cut),
        key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]),
    )


def private_ip(rng: random.Random, prefix: str) -> str:
    return f"{prefix}.{rng.randint(1, 250)}"


# --- resources ----------------------------------------------------------------------------------


def res(service: str, type_: str, item: Json) -> Json:
    return {"service": service, "type": type_, "item": item}


def tags(d: dict[str, str]) -> list[Json]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def ec2_instance(
    rng: random.Random,
    *,
    instance_id: str,
    instance_type: str,
    ami: str,
    az: str,
    subnet: str,
    vpc: str,
    sgs: list[tuple[str, str]],
    profile_arn: str,
    launched: datetime,
    name: str,
    extra_tags: dict[str, str],
    ip: str,
    volumes: list[tuple[str, str, datetime]],
    launch_template: tuple[str, str, str] | None = None,
) -> Json:
    eni = "eni-0" + hexid(rng, 16)
    dns = "ip-" + ip.replace(".", "-") + f".{az[:-1]}.compute.internal"
    item: Json = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": instance_id,
        "InstanceType": instance_type,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns,
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": 16, "Name": "running"},
        "StateTransitionReason": "",
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": "arm64" if "g." in instance_type else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": dev,
                "Ebs": {
                    "AttachTime": iso(at),
                    "DeleteOnTermination": dev == "/dev/xvda",
                    "Status": "attached",
                    "VolumeId": vol,
                },
            }
            for dev, vol, at in volumes
        ],
        "ClientToken": uuid(rng) if launch_template else "",
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {"Arn": profile_arn, "Id": "AIPA" + upper_id(rng, 17)},
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
                "Groups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(hexid(rng, 2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": profile_arn.split(":")[4],
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
        "Tags": tags({"Name": name, **extra_tags}),
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
        "BootMode": "uefi" if "g." in instance_type else "legacy-bios",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "uefi" if "g." in instance_type else "legacy-bios",
    }
    return item


def instance_status(instance_id: str, az: str, ebs_impaired_since: datetime | None = None) -> Json:
    ok = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    ebs: Json = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    if ebs_impaired_since is not None:
        ebs = {
            "Status": "impaired",
            "Details": [
                {"Name": "reachability", "Status": "failed", "ImpairedSince": iso(ebs_impaired_since)}
            ],
        }
    return {
        "AvailabilityZone": az,
        "InstanceId": instance_id,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": ok,
        "SystemStatus": ok,
        "AttachedEbsStatus": ebs,
        "Events": [],
    }


def security_group(
    gid: str,
    name: str,
    desc: str,
    vpc: str,
    owner: str,
    region: str,
    ingress: list[Json],
    tag: dict[str, str] | None = None,
) -> Json:
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": ingress,
        "OwnerId": owner,
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
        "SecurityGroupArn": f"arn:aws:ec2:{region}:{owner}:security-group/{gid}",
        "Tags": tags(tag or {"Name": name}),
    }


def sg_rule(
    port: int, *, cidr: str | None = None, group: str | None = None, owner: str = "", desc: str = ""
) -> Json:
    r: Json = {
        "FromPort": port,
        "IpProtocol": "tcp",
        "ToPort": port,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if cidr:
        r["IpRanges"] = [{"CidrIp": cidr, "Description": desc} if desc else {"CidrIp": cidr}]
    if group:
        r["UserIdGroupPairs"] = [
            {"GroupId": group, "UserId": owner, **({"Description": desc} if desc else {})}
        ]
    return r


def subnet(
    sid: str, vpc: str, az: str, azid: str, cidr: str, owner: str, region: str, name: str, free: int
) -> Json:
    return {
        "AvailabilityZone": az,
        "AvailabilityZoneId": azid,
        "AvailableIpAddressCount": free,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": False,
        "State": "available",
        "SubnetId": sid,
        "VpcId": vpc,
        "OwnerId": owner,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": tags({"Name": name}),
        "SubnetArn": f"arn:aws:ec2:{region}:{owner}:subnet/{sid}",
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def load_balancer(
    arn: str,
    name: str,
    created: datetime,
    vpc: str,
    azs: list[tuple[str, str]],
    sg: str,
    region: str,
    internal: bool = False,
) -> Json:
    lb_hex = arn.rsplit("/", 1)[1]
    return {
        "LoadBalancerArn": arn,
        "DNSName": f"{'internal-' if internal else ''}{name}-{int(lb_hex[:8], 16) % 10**10}.{region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z32O12XQLNTSW2" if region == "eu-west-1" else "Z35SXDOTRQ7X7K",
        "CreatedTime": iso(created),
        "LoadBalancerName": name,
        "Scheme": "internal" if internal else "internet-facing",
        "VpcId": vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [{"ZoneName": z, "SubnetId": s, "LoadBalancerAddresses": []} for z, s in azs],
        "SecurityGroups": [sg],
        "IpAddressType": "ipv4",
    }


def target_group(arn: str, name: str, vpc: str, lb_arn: str, port: int, path: str) -> Json:
    return {
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
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": "instance",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }


def rand_account(rng: random.Random) -> str:
    return str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
