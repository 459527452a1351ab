"""Private helpers for kit r's fresh incidents: ids, noise, CloudTrail records, alarms, common resources."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"]
AZ_IDS = {
    "us-east-1": ["use1-az1", "use1-az2", "use1-az4"],
    "us-east-2": ["use2-az1", "use2-az2", "use2-az3"],
    "us-west-2": ["usw2-az1", "usw2-az2", "usw2-az3"],
    "eu-west-1": ["euw1-az1", "euw1-az2", "euw1-az3"],
    "eu-central-1": ["euc1-az1", "euc1-az2", "euc1-az3"],
}
CONSOLE_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
CLI_UA = "aws-cli/2.22.9 md/awscrt#0.23.4 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.78.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.5 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/{api}#1.0.0"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    """The seeded random source and the account's identity for one incident build."""

    def __init__(self, name: str, seed: int) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        r = self.rng
        self.account = str(r.randint(2, 9)) + "".join(str(r.randint(0, 9)) for _ in range(11))
        self.region = r.choice(REGIONS)
        self.azs = [self.region + s for s in ("a", "b", "c")]
        self.az_ids = AZ_IDS[self.region]

    # --- ids ---------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randint(0, 3)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def iid(self) -> str:
        return "i-0" + self.hex(16)

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0" + self.hex(16)

    def akid(self, prefix: str = "ASIA") -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def principal(self, prefix: str = "AROA") -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))

    def ip(self, private: bool = True, net: str = "10.40") -> str:
        if private:
            return f"{net}.{self.rng.randint(0, 63)}.{self.rng.randint(4, 250)}"
        return f"{self.rng.choice([52, 54, 18, 3, 35])}.{self.rng.randint(1, 254)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def start_date(self) -> datetime:
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 320))
        return day

    # --- identities --------------------------------------------------------------------------------
    def sso(self, permission_set: str, email: str) -> Json:
        role = f"AWSReservedSSO_{permission_set}_{self.hex(16)}"
        pid = self.principal()
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{email}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{email}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
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

    def role(self, role: str, session: str, invoked_by: str | None = None, path: str = "") -> Json:
        pid = self.principal()
        ident: Json = {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident


def aws_service(service: str) -> Json:
    return {"type": "AWSService", "invokedBy": service}


# --- CloudTrail --------------------------------------------------------------------------------------


def trail(
    k: Kit,
    t: datetime,
    source: str,
    name: str,
    ident: Json,
    req: Json | None,
    resp: Json | None = None,
    *,
    read_only: bool,
    ua: str,
    ip: str,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
) -> Json:
    ident = json.loads(json.dumps(ident))
    ctx = ident.get("sessionContext")
    if ctx is not None:
        ctx["attributes"]["creationDate"] = iso(t - timedelta(minutes=k.rng.randint(3, 50)))
    rec: Json = {
        "eventVersion": "1.10" if ident.get("type") != "AWSService" else "1.08",
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": k.region,
        "sourceIPAddress": ip,
        "userAgent": ua,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = req
    rec["responseElements"] = resp
    rec["requestID"] = k.uuid()
    rec["eventID"] = k.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = k.account
    rec["eventCategory"] = "Management"
    if not ip.endswith("amazonaws.com"):
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{k.region}.amazonaws.com",
        }
    if ua == CONSOLE_UA:
        rec["sessionCredentialFromConsole"] = "true"
    return rec


def routine_trail(
    k: Kit,
    start: datetime,
    now: datetime,
    n: int,
    templates: Sequence[Callable[[datetime], Json]],
) -> list[Json]:
    """`n` routine records at random times between start and now, drawn from the templates."""
    out = []
    span = int((now - start).total_seconds()) - 120
    for _ in range(n):
        t = start + timedelta(seconds=k.rng.randint(60, span))
        out.append(k.rng.choice(list(templates))(t))
    return out


def common_templates(
    k: Kit, monitor: Json, humans: list[tuple[Json, str]], instance_role: str
) -> list[Callable[[datetime], Json]]:
    """Read-only and service activity every account has: monitoring pollers, console browsing, role sessions."""
    ec2 = "ec2.amazonaws.com"
    mon_ua = "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"
    mon_ip = k.ip(False)

    def describe_instances(t: datetime) -> Json:
        return trail(
            k,
            t,
            ec2,
            "DescribeInstances",
            monitor,
            {"instancesSet": {}, "filterSet": {}, "maxResults": 1000},
            None,
            read_only=True,
            ua=mon_ua,
            ip=mon_ip,
        )

    def describe_alarms(t: datetime) -> Json:
        return trail(
            k,
            t,
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            monitor,
            {"maxRecords": 100},
            None,
            read_only=True,
            ua=mon_ua,
            ip=mon_ip,
        )

    def list_metrics(t: datetime) -> Json:
        return trail(
            k,
            t,
            "monitoring.amazonaws.com",
            "ListMetrics",
            monitor,
            {"recentlyActive": "PT3H"},
            None,
            read_only=True,
            ua=mon_ua,
            ip=mon_ip,
        )

    def console(t: datetime) -> Json:
        ident, ip = k.rng.choice(humans)
        name, src, req = k.rng.choice(
            [
                ("DescribeLoadBalancers", "elasticloadbalancing.amazonaws.com", {"pageSize": 400}),
                ("DescribeAutoScalingGroups", "autoscaling.amazonaws.com", {"maxRecords": 100}),
                ("DescribeSecurityGroups", ec2, {"maxResults": 1000}),
                ("GetMetricData", "monitoring.amazonaws.com", None),
                ("DescribeLogGroups", "logs.amazonaws.com", {"limit": 50}),
                ("ListBuckets", "s3.amazonaws.com", {"Host": "s3.amazonaws.com"}),
            ]
        )
        return trail(k, t, src, name, ident, req, None, read_only=True, ua=CONSOLE_UA, ip=ip)

    def assume(t: datetime) -> Json:
        sess = k.iid()
        return trail(
            k,
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            aws_service(ec2),
            {"roleArn": f"arn:aws:iam::{k.account}:role/{instance_role}", "roleSessionName": sess},
            {
                "credentials": {
                    "accessKeyId": k.akid(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + k.hex(40),
                    "expiration": "",
                },
            },
            read_only=True,
            ua=ec2,
            ip=ec2,
            resources=[
                {
                    "accountId": k.account,
                    "type": "AWS::IAM::Role",
                    "ARN": f"arn:aws:iam::{k.account}:role/{instance_role}",
                }
            ],
        )

    def fix_expiry(rec: Json) -> Json:
        creds = rec["responseElements"]["credentials"]
        t = datetime.strptime(rec["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        creds["expiration"] = (t + timedelta(hours=6)).strftime("%b %d, %Y, %I:%M:%S %p")
        rec["sharedEventID"] = k.uuid()
        rec["eventType"] = "AwsApiCall"
        return rec

    def log_stream(t: datetime) -> Json:
        iid = "i-0" + k.hex(16)
        ident = k.role(instance_role, iid)
        return trail(
            k,
            t,
            "logs.amazonaws.com",
            "CreateLogStream",
            ident,
            {"logGroupName": f"/aws/ssm/{instance_role}/patch", "logStreamName": f"{iid}/{t:%Y-%m-%d}"},
            None,
            read_only=False,
            ua="aws-sdk-go/1.55.5 (go1.22.7; linux; arm64) amazon-ssm-agent/3.3.1142.0",
            ip=k.ip(True, "10.9"),
        )

    def backup_snapshot(t: datetime) -> Json:
        ident = k.role(
            "AWSBackupDefaultServiceRole",
            "AWSBackup-AWSBackupDefaultServiceRole",
            invoked_by="backup.amazonaws.com",
            path="service-role/",
        )
        vol = k.rid("vol")
        return trail(
            k,
            t,
            "ec2.amazonaws.com",
            "CreateSnapshot",
            ident,
            {
                "volumeId": vol,
                "description": "This snapshot is created by the AWS Backup service.",
                "tagSpecificationSet": {
                    "items": [
                        {
                            "resourceType": "snapshot",
                            "tags": [{"key": "aws:backup:source-resource", "value": vol}],
                        }
                    ]
                },
            },
            {
                "requestId": k.uuid(),
                "snapshotId": k.rid("snap"),
                "volumeId": vol,
                "status": "pending",
                "startTime": t.strftime("%b %d, %Y, %I:%M:%S %p"),
                "progress": "",
                "ownerId": k.account,
                "volumeSize": k.rng.choice([20, 30, 50, 100]),
                "encrypted": True,
            },
            read_only=False,
            ua="backup.amazonaws.com",
            ip="backup.amazonaws.com",
        )

    def dashboard(t: datetime) -> Json:
        ident, ip = k.rng.choice(humans)
        name = k.rng.choice(["service-overview", "latency-breakdown", "capacity-weekly", "oncall-home"])
        return trail(
            k,
            t,
            "monitoring.amazonaws.com",
            "PutDashboard",
            ident,
            {"dashboardName": name},
            None,
            read_only=False,
            ua=CONSOLE_UA,
            ip=ip,
        )

    return [
        describe_instances,
        describe_alarms,
        list_metrics,
        console,
        console,
        lambda t: fix_expiry(assume(t)),
        log_stream,
        backup_snapshot,
        dashboard,
    ]


# --- metrics ---------------------------------------------------------------------------------------


def day_shape(t: datetime, utc_offset_h: float) -> float:
    """A traffic multiplier (about 0.25 at night, 1.0 at the early-afternoon peak) for local time."""
    h = ((t.hour + t.minute / 60 + utc_offset_h) % 24) / 24
    return 0.25 + 0.75 * (0.5 - 0.5 * math.cos(2 * math.pi * (h - 0.15))) ** 1.6


def minutes(start: datetime, end: datetime, step: int = 60) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(seconds=step)
    return out


def dims(**kw: str) -> dict[str, str]:
    return dict(kw)


def datum(ns: str, metric: str, d: dict[str, str], t: datetime, unit: str, value: float) -> Json:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": d,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(value, 4),
    }


def stat(
    ns: str,
    metric: str,
    d: dict[str, str],
    t: datetime,
    unit: str,
    n: float,
    total: float,
    lo: float,
    hi: float,
) -> Json:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": d,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": float(max(n, 1)),
            "Sum": round(total, 4),
            "Minimum": round(lo, 4),
            "Maximum": round(max(hi, lo), 4),
        },
    }


def latency_dist(
    k: Kit, ns: str, metric: str, d: dict[str, str], t: datetime, n: int, median: float, tail: float
) -> Json:
    """A latency distribution (seconds) for `n` requests: values and counts, so percentiles work."""
    n = max(n, 1)
    qs = [0.5, 0.3, 0.15, 0.04, 0.01]
    mult = [1.0, 1.6, 2.6, 4.5 * tail, 9.0 * tail]
    values = [round(median * m * k.rng.uniform(0.9, 1.1), 4) for m in mult]
    counts = [float(max(1, round(n * q))) for q in qs]
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": d,
        "timestamp": iso(t),
        "unit": "Seconds",
        "values": values,
        "counts": counts,
    }


def noisy(k: Kit, base: float, rel: float = 0.08) -> float:
    return max(0.0, base * (1 + k.rng.gauss(0, rel)))


# --- alarms ----------------------------------------------------------------------------------------

OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _fmt_dp(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


class Alarm:
    """A metric alarm evaluated over a series (period-start -> aggregated value, None when missing)."""

    def __init__(
        self,
        k: Kit,
        name: str,
        description: str,
        ns: str,
        metric: str,
        dimensions: dict[str, str],
        statistic: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        topic: str,
        created: datetime,
        datapoints_to_alarm: int | None = None,
        missing: str = "missing",
        unit: str | None = None,
        initial: tuple[str, str] | None = None,
    ) -> None:
        self.k, self.name, self.description = k, name, description
        self.ns, self.metric, self.dims, self.statistic = ns, metric, dimensions, statistic
        self.period, self.evals, self.threshold, self.op = period, evals, threshold, op
        self.dta = datapoints_to_alarm or evals
        self.topic, self.created, self.missing, self.unit = topic, created, missing, unit
        self.arn = k.arn("cloudwatch", f"alarm:{name}")
        self.history: list[Json] = []
        self.state = "OK"
        self.reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
        if initial:
            self.state, self.reason = initial
        self.reason_data: str | None = None
        self.updated = created
        self.last_change: tuple[str, str, str, str | None, datetime] | None = None

    def evaluate(self, series: dict[datetime, float], start: datetime, now: datetime) -> None:
        """Walk the periods from start to now and record each state change, as CloudWatch would."""
        test, words = OPS[self.op]
        first = start + timedelta(seconds=self.period * self.evals)
        t = first
        while True:
            period_end = t
            evaluated_at = (
                period_end
                + timedelta(seconds=self.period if self.period < 300 else 60)
                + timedelta(milliseconds=self.k.rng.randint(5000, 45000))
            )
            if evaluated_at > now:
                break
            window = [period_end - timedelta(seconds=self.period * (i + 1)) for i in range(self.evals)][::-1]
            vals = [series.get(p) for p in window]
            breaching = sum(1 for v in vals if v is not None and test(v, self.threshold))
            present = [(p, v) for p, v in zip(window, vals, strict=True) if v is not None]
            new = "ALARM" if breaching >= self.dta else "OK"
            if new != self.state:
                recent = [v for _, v in present]
                if present:
                    joined = ", ".join(f"{v:.1f} ({_fmt_dp(p)})" for p, v in reversed(present))
                    if new == "ALARM":
                        reason = (
                            f"Threshold Crossed: {breaching} out of the last {self.evals} datapoints [{joined}] was {words} the threshold "
                            f"({self.threshold:.1f}) (minimum {self.dta} datapoint{'s' if self.dta > 1 else ''} for OK -> ALARM transition)."
                        )
                    else:
                        reason = (
                            f"Threshold Crossed: {len(present) - breaching} out of the last {self.evals} datapoints [{joined}] was not {words} the threshold "
                            f"({self.threshold:.1f}) (minimum 1 datapoint for ALARM -> OK transition)."
                        )
                else:
                    reason = (
                        f"Threshold Crossed: no datapoints were received for {self.evals} period{'s' if self.evals > 1 else ''} and "
                        f"{self.evals} missing datapoint{'s were' if self.evals > 1 else ' was'} treated as [NonBreaching]."
                    )
                rd = {
                    "version": "1.0",
                    "queryDate": iso_ms(evaluated_at),
                    "startDate": iso_ms(window[0]),
                    "statistic": self.statistic,
                    "period": self.period,
                    "recentDatapoints": [round(v, 1) for v in recent],
                    "threshold": self.threshold,
                    "evaluatedDatapoints": [
                        {
                            "timestamp": iso_ms(p),
                            "sampleCount": float(max(1, round(v))) if self.statistic == "Sum" else 1.0,
                            "value": round(v, 1),
                        }
                        for p, v in reversed(present)
                    ],
                }
                if self.missing != "missing" or present:
                    pass
                old_state, old_reason = self.state, self.reason
                self.state, self.reason, self.reason_data, self.updated = (
                    new,
                    reason,
                    json.dumps(rd, separators=(",", ":")),
                    evaluated_at,
                )
                hist = {
                    "version": "1.0",
                    "oldState": {"stateValue": old_state, "stateReason": old_reason},
                    "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": rd},
                }
                self.history.append(
                    {
                        "AlarmName": self.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(evaluated_at).replace("+0000", "Z"),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {old_state} to {new}",
                        "HistoryData": json.dumps(hist, separators=(",", ":")),
                    }
                )
                self.last_change = (old_state, old_reason, new, self.reason_data, evaluated_at)
            t += timedelta(seconds=self.period)

    def item(self) -> Json:
        it: Json = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.created),
            "ActionsEnabled": True,
            "OKActions": [] if ":scalingPolicy:" in self.topic else [self.topic],
            "AlarmActions": [self.topic],
            "InsufficientDataActions": [],
            "StateValue": self.state,
            "StateReason": self.reason,
        }
        if self.reason_data:
            it["StateReasonData"] = self.reason_data
        it.update(
            {
                "StateUpdatedTimestamp": iso_ms(self.updated).replace("+0000", "Z"),
                "MetricName": self.metric,
                "Namespace": self.ns,
                "Dimensions": [{"Name": n, "Value": v} for n, v in self.dims.items()],
                "Period": self.period,
                "EvaluationPeriods": self.evals,
                "DatapointsToAlarm": self.dta,
                "Threshold": self.threshold,
                "ComparisonOperator": self.op,
                "TreatMissingData": self.missing,
                "StateTransitionedTimestamp": iso_ms(self.updated).replace("+0000", "Z"),
            }
        )
        if self.statistic.startswith("p"):
            it["ExtendedStatistic"] = self.statistic
        else:
            it["Statistic"] = self.statistic
        if self.unit:
            it["Unit"] = self.unit
        return it

    def event(self) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event for the last transition."""
        assert self.last_change is not None
        old, old_reason, new, rd, at = self.last_change
        return {
            "version": "0",
            "id": self.k.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.k.account,
            "time": iso(at),
            "region": self.k.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {"value": new, "reason": self.reason, "reasonData": rd, "timestamp": iso_ms(at)},
                "previousState": {"value": old, "reason": old_reason, "timestamp": iso_ms(self.created)},
                "configuration": {
                    "description": self.description,
                    "metrics": [
                        {
                            "id": self.k.hex(8)
                            + "-"
                            + self.k.hex(4)
                            + "-"
                            + self.k.hex(4)
                            + "-"
                            + self.k.hex(4)
                            + "-"
                            + self.k.hex(12),
                            "metricStat": {
                                "metric": {
                                    "namespace": self.ns,
                                    "name": self.metric,
                                    "dimensions": dict(self.dims),
                                },
                                "period": self.period,
                                "stat": self.statistic,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


def created_history(alarm: Alarm) -> Json:
    return {
        "AlarmName": alarm.name,
        "AlarmType": "MetricAlarm",
        "Timestamp": iso_ms(alarm.created).replace("+0000", "Z"),
        "HistoryItemType": "ConfigurationUpdate",
        "HistorySummary": f'Alarm "{alarm.name}" created',
        "HistoryData": json.dumps(
            {
                "version": "1.0",
                "type": "Create",
                "createdAlarm": {
                    "alarmName": alarm.name,
                    "alarmArn": alarm.arn,
                    "namespace": alarm.ns,
                    "metricName": alarm.metric,
                    "statistic": alarm.statistic,
                    "period": alarm.period,
                    "evaluationPeriods": alarm.evals,
                    "threshold": alarm.threshold,
                    "comparisonOperator": alarm.op,
                },
            },
            separators=(",", ":"),
        ),
    }


# --- common resources ---------------------------------------------------------------------------------


class Net:
    """A VPC with three private and three public subnets."""

    def __init__(self, k: Kit, name: str, cidr2: str) -> None:
        self.k = k
        self.name = name
        self.cidr2 = cidr2
        self.vpc = k.rid("vpc")
        self.private = [k.rid("subnet") for _ in range(3)]
        self.public = [k.rid("subnet") for _ in range(3)]

    def resources(self) -> list[Json]:
        k = self.k
        out = [
            {
                "service": "ec2",
                "type": "Vpc",
                "item": {
                    "CidrBlock": f"{self.cidr2}.0.0/16",
                    "DhcpOptionsId": k.rid("dopt"),
                    "State": "available",
                    "VpcId": self.vpc,
                    "OwnerId": k.account,
                    "InstanceTenancy": "default",
                    "IsDefault": False,
                    "Tags": [{"Key": "Name", "Value": self.name}],
                },
            }
        ]
        for i, sid in enumerate(self.private + self.public):
            pub = i >= 3
            az = i % 3
            out.append(
                {
                    "service": "ec2",
                    "type": "Subnet",
                    "item": {
                        "AvailabilityZone": k.azs[az],
                        "AvailabilityZoneId": k.az_ids[az],
                        "AvailableIpAddressCount": k.rng.randint(3900, 4080),
                        "CidrBlock": f"{self.cidr2}.{(16 * (az + (3 if pub else 0)))}.0/20",
                        "DefaultForAz": False,
                        "MapPublicIpOnLaunch": False,
                        "State": "available",
                        "SubnetId": sid,
                        "VpcId": self.vpc,
                        "OwnerId": k.account,
                        "SubnetArn": k.arn("ec2", f"subnet/{sid}"),
                        "Tags": [
                            {
                                "Key": "Name",
                                "Value": f"{self.name}-{'public' if pub else 'private'}-{k.azs[az]}",
                            }
                        ],
                    },
                }
            )
        return out


def security_group(k: Kit, gid: str, name: str, desc: str, vpc: str, ingress: list[tuple[int, str]]) -> Json:
    perms = []
    for port, src in ingress:
        p: Json = {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "UserIdGroupPairs": [],
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
        }
        if src.startswith("sg-"):
            p["UserIdGroupPairs"] = [{"GroupId": src, "UserId": k.account}]
        else:
            p["IpRanges"] = [{"CidrIp": src}]
        perms.append(p)
    return {
        "service": "ec2",
        "type": "SecurityGroup",
        "item": {
            "GroupId": gid,
            "GroupName": name,
            "Description": desc,
            "OwnerId": k.account,
            "VpcId": vpc,
            "IpPermissions": perms,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "UserIdGroupPairs": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                }
            ],
            "Tags": [{"Key": "Name", "Value": name}],
        },
    }


def instance(
    k: Kit,
    iid: str,
    itype: str,
    az_i: int,
    subnet: str,
    vpc: str,
    sg: tuple[str, str],
    ami: str,
    launched: datetime,
    profile: str,
    tags: dict[str, str],
    state: str = "running",
) -> Json:
    ip = k.ip(True, "10." + str(k.rng.randint(20, 60)))
    eni = k.rid("eni")
    return {
        "service": "ec2",
        "type": "Instance",
        "item": {
            "AmiLaunchIndex": 0,
            "ImageId": ami,
            "InstanceId": iid,
            "InstanceType": itype,
            "LaunchTime": iso(launched),
            "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": k.azs[az_i], "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{k.region}.compute.internal",
            "PrivateIpAddress": ip,
            "State": {"Code": 16 if state == "running" else 48, "Name": state},
            "SubnetId": subnet,
            "VpcId": vpc,
            "Architecture": "x86_64" if "g." not in itype else "arm64",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": k.rid("vol"),
                    },
                }
            ],
            "EbsOptimized": True,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{k.account}:instance-profile/{profile}",
                "Id": k.principal("AIPA"),
            },
            "NetworkInterfaces": [
                {
                    "Attachment": {
                        "AttachTime": iso(launched),
                        "AttachmentId": k.rid("eni-attach"),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "NetworkCardIndex": 0,
                    },
                    "Description": "",
                    "Groups": [{"GroupId": sg[0], "GroupName": sg[1]}],
                    "MacAddress": ":".join(k.hex(2) for _ in range(6)),
                    "NetworkInterfaceId": eni,
                    "OwnerId": k.account,
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
            "SecurityGroups": [{"GroupId": sg[0], "GroupName": sg[1]}],
            "SourceDestCheck": True,
            "Tags": [{"Key": a, "Value": b} for a, b in tags.items()],
            "VirtualizationType": "hvm",
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
        },
    }


def instance_status(k: Kit, iid: str, az_i: int, ok: bool = True) -> Json:
    s = "ok" if ok else "impaired"
    return {
        "service": "ec2",
        "type": "InstanceStatus",
        "item": {
            "AvailabilityZone": k.azs[az_i],
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {
                "Details": [{"Name": "reachability", "Status": "passed" if ok else "failed"}],
                "Status": s,
            },
            "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        },
    }


def log_group(k: Kit, name: str, created: datetime, retention: int = 30, stored: int = 0) -> Json:
    return {
        "service": "logs",
        "type": "LogGroup",
        "item": {
            "logGroupName": name,
            "creationTime": ms(created),
            "retentionInDays": retention,
            "metricFilterCount": 0,
            "arn": k.arn("logs", f"log-group:{name}:*"),
            "storedBytes": stored or k.rng.randint(10**8, 10**10),
            "logGroupClass": "STANDARD",
            "logGroupArn": k.arn("logs", f"log-group:{name}"),
        },
    }


def sns_topic(k: Kit, name: str) -> Json:
    arn = k.arn("sns", name)
    return {
        "service": "sns",
        "type": "Topic",
        "item": {
            "TopicArn": arn,
            "Attributes": {
                "TopicArn": arn,
                "Owner": k.account,
                "DisplayName": "",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}',
                "Policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "AllowCloudWatchAlarms",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "SNS:Publish",
                                "Resource": arn,
                            }
                        ],
                    },
                    separators=(",", ":"),
                ),
            },
        },
    }


def alb(k: Kit, name: str, lb_hex: str, net: Net, sg: str, created: datetime, internal: bool = False) -> Json:
    arn = k.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{lb_hex}")
    return {
        "service": "elbv2",
        "type": "LoadBalancer",
        "item": {
            "LoadBalancerArn": arn,
            "DNSName": f"{'internal-' if internal else ''}{name}-{k.rng.randint(100000000, 1999999999)}.{k.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(created),
            "LoadBalancerName": name,
            "Scheme": "internal" if internal else "internet-facing",
            "VpcId": net.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {
                    "ZoneName": k.azs[i],
                    "SubnetId": (net.private if internal else net.public)[i],
                    "LoadBalancerAddresses": [],
                }
                for i in range(3)
            ],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    }


def target_group(
    k: Kit,
    name: str,
    tg_hex: str,
    vpc: str,
    lb_arn: str,
    port: int,
    hc_path: str,
    target_type: str = "instance",
) -> Json:
    return {
        "service": "elbv2",
        "type": "TargetGroup",
        "item": {
            "TargetGroupArn": k.arn("elasticloadbalancing", f"targetgroup/{name}/{tg_hex}"),
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
            "HealthCheckPath": hc_path,
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": target_type,
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    }


def th(
    tg_arn: str,
    target: str,
    port: int,
    state: str,
    t: datetime,
    reason: str | None = None,
    desc: str | None = None,
    az: str | None = None,
) -> Json:
    health: Json = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    tgt: Json = {"Id": target, "Port": port}
    if az:
        tgt["AvailabilityZone"] = az
    return {
        "source": "target_health",
        "item": {"target_group_arn": tg_arn, "target": tgt, "health": health, "timestamp": iso(t)},
    }


def nginx_line(
    k: Kit,
    t: datetime,
    client: str,
    method: str,
    path: str,
    status: int,
    size: int,
    rt: float,
    ua: str,
    upstream: bool = True,
) -> str:
    stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
    urt = f"{rt:.3f}" if upstream else "-"
    return f'{client} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {size} "-" "{ua}" rt={rt:.3f} uct="0.000" urt="{urt}"'


BROWSERS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
]


def asg_activity(
    k: Kit,
    asg: str,
    asg_arn: str,
    desc: str,
    cause: str,
    t0: datetime,
    t1: datetime,
    details: str = '{"Subnet ID":"","Availability Zone":""}',
) -> Json:
    return {
        "source": "autoscaling",
        "item": {
            "ActivityId": k.uuid(),
            "AutoScalingGroupName": asg,
            "Description": desc,
            "Cause": cause,
            "StartTime": iso(t0),
            "EndTime": iso(t1),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": details,
            "AutoScalingGroupARN": asg_arn,
        },
    }


def cw_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def latency_p(
    k: Kit, ns: str, metric: str, d: dict[str, str], t: datetime, n: int, p50: float, p90: float
) -> Json:
    """A latency distribution (seconds) whose p50 and p90 are the given values."""
    n = max(n, 1)
    values = [
        round(p50 * k.rng.uniform(0.45, 0.7), 4),
        round(p50, 4),
        round((p50 + p90) / 2, 4),
        round(p90, 4),
        round(p90 * k.rng.uniform(1.5, 2.2), 4),
    ]
    counts = [float(max(1, round(n * q))) for q in (0.3, 0.35, 0.2, 0.1, 0.05)]
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": d,
        "timestamp": iso(t),
        "unit": "Seconds",
        "values": values,
        "counts": counts,
    }
