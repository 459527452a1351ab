"""Private helpers for kit `i` incidents: ids, noise series, CloudTrail records, alarms, logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

MINUTE = timedelta(minutes=1)

Identity = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """CloudWatch's alarm timestamps: 2024-05-01T14:03:00.000+0000."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def iso_z(t: datetime) -> str:
    """A shape timestamp with milliseconds: 2024-05-01T14:03:00.123Z."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def minutes(a: datetime, b: datetime) -> list[datetime]:
    """Every minute from a (floored) up to and including b."""
    out = []
    t = floor_min(a)
    while t <= b:
        out.append(t)
        t += MINUTE
    return out


@dataclass
class Kit:
    name: str
    seed: int
    region: str
    rng: random.Random = field(init=False)
    account: str = field(init=False)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    trail: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._role_ids: dict[str, str] = {}
        self.rng = random.Random(f"{self.name}:{self.seed}")
        self.account = str(self.rng.randint(1, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))

    # --- ids ---------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = self.rng.choice("89ab")
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def iid(self) -> str:
        return "i-0" + self.hex(16)

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def ip(self, base: str = "10.40") -> str:
        return f"{base}.{self.rng.randint(0, 63)}.{self.rng.randint(4, 250)}"

    def public_ip(self) -> str:
        return self.rng.choice(
            ["81.2.69.", "203.0.113.", "198.51.100.", "62.30.112.", "94.173.4.", "145.40.68."]
        ) + str(self.rng.randint(2, 250))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    # --- principals --------------------------------------------------------------------------------

    def sso(self, user: str, permission_set: str, created: datetime) -> Identity:
        role = f"AWSReservedSSO_{permission_set}_{self._role_ids.setdefault('sso' + permission_set, self.hex(16))}"
        rid = self._role_id(role)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/"
                    f"{self.region}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        }

    def _role_id(self, role: str) -> str:
        return self._role_ids.setdefault(role, "AROA" + self.upper(17))

    def role(self, role: str, session: str, created: datetime, web_identity: str | None = None) -> Identity:
        rid = self._role_id(role)
        ident: Identity = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": (
                    {
                        "federatedProvider": f"arn:aws:iam::{self.account}:oidc-provider/{web_identity}",
                        "attributes": {},
                    }
                    if web_identity
                    else {}
                ),
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        }
        return ident

    def service_role(self, role: str, invoked_by: str, created: datetime) -> Identity:
        ident = self.role(role, invoked_by.split(".")[0].replace("-", "").title(), created)
        ident["sessionContext"]["sessionIssuer"]["arn"] = (
            f"arn:aws:iam::{self.account}:role/aws-service-role/{invoked_by}/{role}"
        )
        ident["invokedBy"] = invoked_by
        return ident

    # --- CloudTrail --------------------------------------------------------------------------------

    def ct(
        self,
        t: datetime,
        who: Identity,
        source: str,
        name: str,
        params: dict[str, Any] | None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        ip: str | None = None,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        error: tuple[str, str] | None = None,
        console: bool = False,
        global_region: str | None = None,
    ) -> dict[str, Any]:
        invoked = who.get("invokedBy")
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "lambda.amazonaws.com" else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": global_region or self.region,
            "sourceIPAddress": invoked or ip or self.public_ip(),
            "userAgent": invoked or agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec.update(
            {
                "requestParameters": params,
                "responseElements": response,
                "requestID": self.uuid(),
                "eventID": self.uuid(),
                "readOnly": read_only,
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "eventCategory": "Management",
            }
        )
        if not invoked:
            host = source.replace(".amazonaws.com", f".{self.region}.amazonaws.com")
            if source in ("iam.amazonaws.com", "sts.amazonaws.com") and global_region:
                host = source
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
        if console:
            rec["sessionCredentialFromConsole"] = "true"
            rec["userAgent"] = "AWS Internal"
        self.trail.append(rec)
        return rec

    def routine_trail(self, start: datetime, end: datetime, n: int, people: list[Identity]) -> None:
        """Background management activity: AWS Config, STS for services, humans reading in the console."""
        config = self.service_role("AWSServiceRoleForConfig", "config.amazonaws.com", start)
        picks: list[Callable[[datetime], Any]] = [
            lambda t: self.ct(
                t,
                config,
                "ec2.amazonaws.com",
                "DescribeSecurityGroups",
                {"securityGroupSet": {}, "securityGroupIdSet": {}, "maxResults": 1000},
                read_only=True,
            ),
            lambda t: self.ct(
                t,
                config,
                "ec2.amazonaws.com",
                "DescribeInstances",
                {"instancesSet": {}, "filterSet": {}, "maxResults": 1000},
                read_only=True,
            ),
            lambda t: self.ct(
                t,
                config,
                "iam.amazonaws.com",
                "ListAttachedRolePolicies",
                {"roleName": self.rng.choice(["ops-readonly", "ci-deployer", "datadog-integration"])},
                read_only=True,
                global_region="us-east-1",
            ),
            lambda t: self.ct(
                t,
                {"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"},
                "sts.amazonaws.com",
                "AssumeRole",
                {
                    "roleArn": f"arn:aws:iam::{self.account}:role/ecs-task-execution",
                    "roleSessionName": self.hex(32),
                    "durationSeconds": 21600,
                },
                {
                    "credentials": {
                        "accessKeyId": "ASIA" + self.upper(16),
                        "sessionToken": "IQoJb3JpZ2luX2VjE" + self.upper(40),
                        "expiration": "Jan 1, 2099, 12:00:00 AM",
                    },
                    "assumedRoleUser": {
                        "assumedRoleId": "AROA" + self.upper(17) + ":" + self.hex(12),
                        "arn": f"arn:aws:sts::{self.account}:assumed-role/ecs-task-execution/{self.hex(12)}",
                    },
                },
                read_only=True,
            ),
            lambda t: self.ct(
                t,
                self.role("datadog-integration", "DatadogAWSIntegration", t - timedelta(minutes=20)),
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                {"maxRecords": 100},
                read_only=True,
                agent="Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)",
            ),
            lambda t: self.ct(
                t,
                self.role("datadog-integration", "DatadogAWSIntegration", t - timedelta(minutes=20)),
                "tag.amazonaws.com",
                "GetResources",
                {"resourcesPerPage": 100},
                read_only=True,
                agent="Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)",
            ),
            lambda t: self.ct(
                t,
                self.rng.choice(people),
                "logs.amazonaws.com",
                "DescribeLogGroups",
                {"limit": 50},
                read_only=True,
                console=True,
            ),
            lambda t: self.ct(
                t,
                self.rng.choice(people),
                "ec2.amazonaws.com",
                "DescribeVpcs",
                {"vpcSet": {}, "filterSet": {}},
                read_only=True,
                console=True,
            ),
            lambda t: self.ct(
                t,
                self.rng.choice(people),
                "s3.amazonaws.com",
                "ListBuckets",
                {"Host": "s3.amazonaws.com"},
                read_only=True,
                console=True,
            ),
        ]
        span = (end - start).total_seconds()
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            self.rng.choice(picks)(t.replace(microsecond=0))

    # --- metrics -----------------------------------------------------------------------------------

    def emit(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        series: Mapping[datetime, float | None],
        *,
        sparse: bool = False,
        coarse_before: datetime | None = None,
        how: str = "sum",
    ) -> None:
        """Emit a per-minute series; minutes before `coarse_before` as 5-minute statistic sets.
        `sparse` drops zero values (counts AWS publishes only when non-zero)."""
        bucket: list[float] = []
        bucket_t: datetime | None = None
        for t in sorted(series):
            v = series[t]
            if coarse_before is not None and t < coarse_before:
                if t.minute % 5 == 0 and bucket and bucket_t is not None:
                    self._flush(ns, name, dims, unit, bucket_t, bucket, sparse, how)
                    bucket = []
                if not bucket:
                    bucket_t = t - timedelta(minutes=t.minute % 5)
                if v is not None:
                    bucket.append(v)
                continue
            if bucket and bucket_t is not None:
                self._flush(ns, name, dims, unit, bucket_t, bucket, sparse, how)
                bucket = []
            if v is None or (sparse and v == 0):
                continue
            self.metrics.append(
                {
                    "namespace": ns,
                    "metric": name,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": float(round(v, 4)),
                }
            )
        if bucket and bucket_t is not None:
            self._flush(ns, name, dims, unit, bucket_t, bucket, sparse, how)

    def _flush(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        t: datetime,
        vals: list[float],
        sparse: bool,
        how: str,
    ) -> None:
        if sparse and sum(vals) == 0:
            return
        if how == "sum":
            stats = {
                "SampleCount": float(len(vals)),
                "Sum": round(sum(vals), 4),
                "Minimum": round(min(vals), 4),
                "Maximum": round(max(vals), 4),
            }
        else:
            stats = {
                "SampleCount": float(len(vals)),
                "Sum": round(sum(vals), 4),
                "Minimum": round(min(vals), 4),
                "Maximum": round(max(vals), 4),
            }
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": stats,
            }
        )

    def emit_dist(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        series: dict[datetime, tuple[list[float], list[float]] | None],
    ) -> None:
        """A latency-like distribution per minute (values + counts, so percentiles work)."""
        for t in sorted(series):
            d = series[t]
            if d is None or not d[0]:
                continue
            self.metrics.append(
                {
                    "namespace": ns,
                    "metric": name,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "values": [round(v, 5) for v in d[0]],
                    "counts": [float(c) for c in d[1]],
                }
            )

    def latency(
        self, n: float, median: float, spread: float = 0.45, tail: float = 0.0, tail_value: float = 0.0
    ) -> tuple[list[float], list[float]]:
        """Five quantile-ish buckets of a log-normal around `median`, plus an optional tail share."""
        if n <= 0:
            return ([], [])
        qs = [(-1.2, 0.25), (-0.3, 0.3), (0.4, 0.25), (1.1, 0.15), (2.1, 0.05)]
        values, counts = [], []
        rest = n * (1 - tail)
        for z, share in qs:
            values.append(median * math.exp(spread * (z + self.rng.gauss(0, 0.08))))
            counts.append(max(1.0, round(rest * share)))
        if tail > 0:
            values.append(tail_value)
            counts.append(max(1.0, round(n * tail)))
        return (values, counts)

    def noise(self, base: float, rel: float = 0.08) -> float:
        return max(0.0, base * (1 + self.rng.gauss(0, rel)))

    # --- logs --------------------------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # --- resources & events ------------------------------------------------------------------------

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    # --- alarms ------------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        dta: int,
        threshold: float,
        op: str,
        data: Mapping[datetime, float | None],
        *,
        start: datetime,
        now: datetime,
        description: str,
        treat_missing: str = "notBreaching",
        unit: str | None = None,
        actions: list[str] | None = None,
        created: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Evaluate `data` (per minute) as CloudWatch would and record the alarm and its history.
        Returns the state transitions (dicts with time, old, new, reason, reason_data)."""
        cmp: dict[str, Callable[[float], bool]] = {
            "GreaterThanThreshold": lambda v: v > threshold,
            "GreaterThanOrEqualToThreshold": lambda v: v >= threshold,
            "LessThanThreshold": lambda v: v < threshold,
            "LessThanOrEqualToThreshold": lambda v: v <= threshold,
        }
        words = {
            "GreaterThanThreshold": ("greater than", "not greater than"),
            "GreaterThanOrEqualToThreshold": ("greater than or equal to", "not greater than or equal to"),
            "LessThanThreshold": ("less than", "not less than"),
            "LessThanOrEqualToThreshold": ("less than or equal to", "not less than or equal to"),
        }[op]
        step = timedelta(seconds=period)

        def agg(t0: datetime) -> float | None:
            vals = [v for m in range(period // 60) if (v := data.get(t0 + timedelta(minutes=m))) is not None]
            if not vals:
                return None
            if stat == "Sum":
                return sum(vals)
            if stat == "Maximum":
                return max(vals)
            if stat == "Minimum":
                return min(vals)
            return sum(vals) / len(vals)

        epoch = datetime(2000, 1, 1, tzinfo=UTC)
        t0 = start + (epoch - start) % step
        periods: list[tuple[datetime, float | None]] = []
        state = "OK"
        since = start
        last_reason = "Unchecked: Initial alarm creation"
        last_data: dict[str, Any] = {}
        transitions: list[dict[str, Any]] = []
        delay = timedelta(seconds=60 + self.rng.randint(5, 50))
        while t0 + step + delay <= now:
            periods.append((t0, agg(t0)))
            window = periods[-evals:]
            breach = [(t, v) for t, v in window if v is not None and cmp[op](v)]
            present = [(t, v) for t, v in window if v is not None]
            new = "ALARM" if len(breach) >= dta else "OK"
            if not present and treat_missing == "missing":
                new = state
            when = t0 + step + delay
            fmt = [f"{float(v)} ({t:%d/%m/%y %H:%M:%S})" for t, v in reversed(present)][:evals]
            if new == "ALARM":
                reason = (
                    f"Threshold Crossed: {len(breach)} out of the last {evals} datapoints "
                    f"[{', '.join(fmt[:5])}] were {words[0]} the threshold ({threshold}) "
                    f"(minimum {dta} datapoint{'s' if dta > 1 else ''} for OK -> ALARM transition)."
                    if evals > 1
                    else f"Threshold Crossed: 1 datapoint [{fmt[0] if fmt else ''}] was {words[0]} the "
                    f"threshold ({threshold})."
                )
            else:
                reason = (
                    f"Threshold Crossed: {len(present)} datapoint{'s' if len(present) != 1 else ''} "
                    f"[{', '.join(fmt[:5])}] {'were' if len(present) != 1 else 'was'} {words[1]} the "
                    f"threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
                    if present
                    else "Threshold Crossed: no datapoints were received for "
                    f"{evals} period{'s' if evals > 1 else ''} and {evals} missing datapoint"
                    f"{'s were' if evals > 1 else ' was'} treated as [NonBreaching]."
                )
            rdata = {
                "version": "1.0",
                "queryDate": iso_ms(when),
                "startDate": iso_ms(window[0][0]),
                "statistic": stat,
                "period": period,
                "recentDatapoints": [float(round(v, 4)) for _, v in present],
                "threshold": threshold,
                "evaluatedDatapoints": [
                    {"timestamp": iso_ms(t), "sampleCount": float(period // 60), "value": float(round(v, 4))}
                    for t, v in reversed(present)
                ][:evals],
            }
            if new != state:
                transitions.append(
                    {
                        "time": when,
                        "old": state,
                        "new": new,
                        "reason": reason,
                        "reason_data": rdata,
                        "old_reason": last_reason,
                        "old_data": last_data,
                        "old_since": since,
                    }
                )
                state, since = new, when
                last_reason, last_data = reason, rdata
            t0 += step
        arn = self.arn("cloudwatch", f"alarm:{name}")
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_z(created or (start - timedelta(days=40))),
            "ActionsEnabled": True,
            "OKActions": actions or [],
            "AlarmActions": actions or [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": last_reason,
            "StateReasonData": json.dumps(last_data) if last_data else None,
            "StateUpdatedTimestamp": iso_z(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
            "StateTransitionedTimestamp": iso_z(since),
        }
        if unit:
            item["Unit"] = unit
        if item["StateReasonData"] is None:
            del item["StateReasonData"]
        self.alarms.append(item)
        for tr in transitions:
            hist: dict[str, Any] = {
                "version": "1.0",
                "oldState": {"stateValue": tr["old"], "stateReason": tr["old_reason"]},
                "newState": {
                    "stateValue": tr["new"],
                    "stateReason": tr["reason"],
                    "stateReasonData": tr["reason_data"],
                },
            }
            if tr["old_data"]:
                hist["oldState"]["stateReasonData"] = tr["old_data"]
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_z(tr["time"]),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {tr['old']} to {tr['new']}",
                    "HistoryData": json.dumps(hist),
                }
            )
            if tr["new"] == "ALARM" and actions:
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_z(tr["time"] + timedelta(milliseconds=self.rng.randint(80, 400))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {actions[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(tr["time"]),
                                "notificationResource": actions[0],
                                "publishedMessage": {"default": "{...}"},
                            }
                        ),
                    }
                )
        item["_transitions"] = transitions
        return transitions

    def alarm_event(self, name: str, transition: dict[str, Any]) -> dict[str, Any]:
        """The EventBridge "CloudWatch Alarm State Change" event for one transition of alarm `name`."""
        item = next(a for a in self.alarms if a["AlarmName"] == name)
        metric = {
            "namespace": item["Namespace"],
            "name": item["MetricName"],
            "dimensions": {d["Name"]: d["Value"] for d in item["Dimensions"]},
        }
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(transition["time"]),
            "region": self.region,
            "resources": [item["AlarmArn"]],
            "detail": {
                "alarmName": name,
                "state": {
                    "value": transition["new"],
                    "reason": transition["reason"],
                    "reasonData": json.dumps(transition["reason_data"]),
                    "timestamp": iso_ms(transition["time"]),
                },
                "previousState": {
                    "value": transition["old"],
                    "reason": transition["old_reason"],
                    **({"reasonData": json.dumps(transition["old_data"])} if transition["old_data"] else {}),
                    "timestamp": iso_ms(transition["old_since"]),
                },
                "configuration": {
                    "description": item["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hex(8)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(12),
                            "metricStat": {
                                "metric": metric,
                                "period": item["Period"],
                                "stat": item["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- the bundle --------------------------------------------------------------------------------

    def bundle(
        self,
        title: str,
        start: datetime,
        now: datetime,
        trigger: dict[str, Any],
        truth: dict[str, Any],
    ) -> Bundle:
        for a in self.alarms:
            a.pop("_transitions", None)

        def upto(
            rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], datetime]
        ) -> list[dict[str, Any]]:
            return sorted((r for r in rows if key(r) <= now), key=key)

        def p(s: str) -> datetime:
            return datetime.fromisoformat(s.replace("Z", "+00:00").replace("+0000", "+00:00"))

        records: dict[str, list[dict[str, Any]]] = {
            "metrics": [m for m in self.metrics if p(m["timestamp"]) <= now],
            "alarms": self.alarms,
            "alarm_history": upto(self.history, lambda r: p(r["Timestamp"])),
            "logs": sorted(
                (r for r in self.logs if r["timestamp"] <= ms(now)),
                key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]),
            ),
            "cloudtrail": upto(self.trail, lambda r: p(r["eventTime"])),
            "resources": self.resources,
            "events": sorted(self.events, key=_event_time),
        }
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(manifest, {k: v for k, v in records.items() if v})


def _event_time(e: dict[str, Any]) -> str:
    item = e["item"]
    for key in ("timestamp", "StartTime", "Date", "createdAt", "startTime"):
        if key in item:
            return str(item[key])
    if "event" in item:
        inner = item["event"]
        return str(inner.get("createdAt") or inner.get("startTime") or "")
    return ""


def diurnal(t: datetime, utc_offset_h: float, low: float = 0.35) -> float:
    """Traffic shape over a day in the service's local time: trough ~04:00, peak ~15:00."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = (1 - math.cos(2 * math.pi * (h - 4) / 24)) / 2
    return low + (1 - low) * x


# --- common resource items ---------------------------------------------------------------------------


def instance_item(
    kit: Kit,
    iid: str,
    *,
    itype: str,
    ami: str,
    az: str,
    subnet: str,
    vpc: str,
    sgs: list[tuple[str, str]],
    launched: datetime,
    name: str,
    profile: str,
    asg: str | None = None,
    state: str = "running",
) -> dict[str, Any]:
    ip = kit.ip()
    eni = kit.rid("eni")
    tags = [{"Key": "Name", "Value": name}]
    if asg:
        tags.append({"Key": "aws:autoscaling:groupName", "Value": asg})
    return {
        "InstanceId": iid,
        "ImageId": ami,
        "InstanceType": itype,
        "KeyName": "ops-2023",
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "enabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal",
        "PrivateIpAddress": ip,
        "State": {"Code": 16 if state == "running" else 48, "Name": state},
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": kit.rid("vol"),
                },
            }
        ],
        "EbsOptimized": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{kit.account}:instance-profile/{profile}",
            "Id": "AIPA" + kit.upper(17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": "eni-attach-0" + kit.hex(16),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                },
                "Description": "",
                "Groups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                "MacAddress": ":".join(kit.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": kit.account,
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
        "SecurityGroups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": tags,
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
        },
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
    }


def instance_status(iid: str, az: str) -> dict[str, Any]:
    return {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
    }


def security_group(
    kit: Kit, gid: str, name: str, desc: str, vpc: str, ingress: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": ingress,
        "OwnerId": kit.account,
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
    }


def tcp_from(
    port: int, *, cidr: str | None = None, group: str | None = None, kit: Kit | None = None
) -> dict[str, Any]:
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [{"CidrIp": cidr}] if cidr else [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": port,
        "UserIdGroupPairs": [{"GroupId": group, "UserId": kit.account if kit else ""}] if group else [],
    }
