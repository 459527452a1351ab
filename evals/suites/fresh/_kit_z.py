# Incidents of kit z, in the order they are written:
# 1. change: an SSM parameter holding a queue URL is overwritten in the morning; the services only read it at
#    task start, so nothing breaks until an unrelated afternoon deploy restarts the tasks (notify emails stop).
# 2. change: a new execute-api interface VPC endpoint with private DNS is created for a private-API project;
#    calls from that VPC to a public regional API Gateway API start getting 403 Forbidden.
# 3. component_failure: one of the two self-managed DNS forwarder instances named in the VPC's DHCP options
#    fails its instance status check; every lookup that tries it first waits 5 s, so API latency climbs.
# 4. limit: the account's Parameter Store GetParameters throughput (standard, 40 TPS) is exceeded at the
#    evening peak by a Lambda that fetches parameters on every invocation; it and new ECS tasks get throttled.
# 5. no fault: a WAF blocked-requests alarm fires at night while a scanner probes the login page; the web ACL
#    blocks it as designed and customers are unaffected.
"""Private helpers for kit z's incidents: ids, time grids, noise, CloudTrail records, alarms."""

from __future__ import annotations

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
    """CloudWatch's alarm-data timestamp form: 2024-05-01T14:03:00.000+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def epoch_ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def minute_floor(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


@dataclass
class Kit:
    """One bundle under construction: its clock, its randomness and its records."""

    name: str
    seed: int
    region: str
    account: str
    start: datetime
    now: datetime
    end: datetime
    rng: random.Random = field(init=False)
    metrics: list[Json] = field(default_factory=list)
    alarms: list[Json] = field(default_factory=list)
    alarm_history: list[Json] = field(default_factory=list)
    logs: list[Json] = field(default_factory=list)
    cloudtrail: list[Json] = field(default_factory=list)
    resources: list[Json] = field(default_factory=list)
    events: list[Json] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.name}:{self.seed}:kit")

    # --- ids ---------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def upper_id(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))

    def eid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    # --- time --------------------------------------------------------------------------------------

    def grid(self, step: int = 60, until: datetime | None = None) -> Iterator[datetime]:
        t = minute_floor(self.start)
        stop = until or self.now
        while t <= stop:
            yield t
            t += timedelta(seconds=step)

    def jitter_time(self, t: datetime, spread_s: int) -> datetime:
        return t + timedelta(seconds=self.rng.randint(0, spread_s), milliseconds=self.rng.randint(0, 999))

    def times(self, fine_from: datetime) -> Iterator[tuple[datetime, int]]:
        """5-minute points before `fine_from`, 1-minute points from it to `now`: (time, seconds)."""
        t = minute_floor(self.start)
        t -= timedelta(minutes=t.minute % 5)
        while t <= self.now:
            if t < fine_from:
                yield t, 300
                t += timedelta(minutes=5)
            else:
                yield t, 60
                t += timedelta(minutes=1)

    # --- metrics -----------------------------------------------------------------------------------

    def put(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 4),
            }
        )

    def put_dist(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        values: list[float],
        unit: str = "Seconds",
    ) -> None:
        """A distribution datum, bucketed to a few distinct values with counts."""
        buckets: dict[float, int] = {}
        for v in values:
            k = round(v, 4 if unit == "Seconds" else 1)
            buckets[k] = buckets.get(k, 0) + 1
        keys = sorted(buckets)
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": keys,
                "counts": [float(buckets[k]) for k in keys],
            }
        )

    def noise(self, base: float, rel: float = 0.08) -> float:
        return max(0.0, base * (1.0 + self.rng.gauss(0.0, rel)))

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    # --- logs --------------------------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": epoch_ms(t), "message": message}
        )

    # --- resources / events ------------------------------------------------------------------------

    def res(self, service: str, type_: str, item: Json) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: Json) -> None:
        self.events.append({"source": source, "item": item})

    # --- CloudTrail --------------------------------------------------------------------------------

    def sso(self, user: str, permission_set: str, role_suffix: str | None = None) -> Json:
        suffix = role_suffix or self.hex(16)
        role = f"AWSReservedSSO_{permission_set}_{suffix}"
        pid = "AROA" + self.upper_id(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/"
                    f"{self.region}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role_name: str, session: str, path: str = "/") -> Json:
        pid = "AROA" + self.upper_id(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session}",
            "accountId": self.account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role_name}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    @staticmethod
    def aws_service(principal: str) -> Json:
        return {"type": "AWSService", "invokedBy": principal}

    def ct(
        self,
        t: datetime,
        identity: Json,
        source: str,
        name: str,
        request: Json | None,
        response: Json | None = None,
        *,
        read_only: bool = False,
        ip: str = "",
        agent: str = "",
        error: tuple[str, str] | None = None,
        version: str = "1.09",
    ) -> Json:
        who = json.loads(json.dumps(identity))
        ctx = who.get("sessionContext")
        if isinstance(ctx, dict) and "attributes" in ctx:
            created = t - timedelta(minutes=self.rng.randint(3, 50), seconds=self.rng.randint(0, 59))
            ctx["attributes"]["creationDate"] = iso(created)
        if who.get("type") == "AssumedRole":
            who["accessKeyId"] = "ASIA" + self.upper_id(16)
        rec: Json = {
            "eventVersion": version,
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or (who.get("invokedBy") if who.get("type") == "AWSService" else "10.0.0.1"),
            "userAgent": agent or (who.get("invokedBy") if who.get("type") == "AWSService" else "aws-cli/2"),
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rid = self.uuid()
        rec.update(
            {
                "requestParameters": request,
                "responseElements": response,
                "requestID": rid,
                "eventID": self.uuid(),
                "readOnly": read_only,
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "eventCategory": "Management",
            }
        )
        if who.get("type") != "AWSService":
            host = source.replace(".amazonaws.com", "")
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{host}.{self.region}.amazonaws.com"
                if host not in ("iam", "sts", "route53", "cloudfront")
                else f"{host}.amazonaws.com",
            }
        self.cloudtrail.append(rec)
        return rec

    def service_assume(self, t: datetime, service: str, role_arn: str, session: str) -> Json:
        """sts:AssumeRole made by an AWS service on a role's behalf (task, function, instance)."""
        key = "ASIA" + self.upper_id(16)
        role_name = role_arn.rsplit("/", 1)[1]
        rec = self.ct(
            t,
            self.aws_service(service),
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": role_arn, "roleSessionName": session},
            {
                "credentials": {
                    "accessKeyId": key,
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + self.upper_id(24),
                    "expiration": (t + timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                },
                "assumedRoleUser": {
                    "assumedRoleId": "AROA" + self.upper_id(17) + ":" + session,
                    "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session}",
                },
            },
            read_only=True,
        )
        rec["resources"] = [{"accountId": self.account, "type": "AWS::IAM::Role", "ARN": role_arn}]
        rec["sharedEventID"] = self.uuid()
        return rec

    def finish(self) -> dict[str, list[Json]]:
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.alarm_history.sort(key=lambda r: r["Timestamp"])
        cut = iso(self.now)
        self.cloudtrail = [r for r in self.cloudtrail if r["eventTime"] <= cut]
        self.metrics = [m for m in self.metrics if m["timestamp"] <= cut]
        cut_ms = epoch_ms(self.now)
        self.logs = [e for e in self.logs if e["timestamp"] <= cut_ms]
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        return {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.alarm_history,
            "logs": self.logs,
            "cloudtrail": self.cloudtrail,
            "resources": self.resources,
            "events": self.events,
        }


# --- user agents, IPs -----------------------------------------------------------------------------

CONSOLE_UA = "AWS Internal"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0"
CLI_UA = "aws-cli/2.15.40 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/{}"
BOTO_UA = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.11.9"


def office_ip(rng: random.Random) -> str:
    return f"203.0.113.{rng.randint(10, 250)}"


def ci_ip(rng: random.Random) -> str:
    return f"3.{rng.randint(80, 95)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


# --- shapes of a day ------------------------------------------------------------------------------


def diurnal(t: datetime, utc_offset_h: float, low: float, high: float, peak_hour: float = 19.0) -> float:
    """A daily traffic curve: `low` at night, `high` at `peak_hour` local time."""
    h = (t.hour + t.minute / 60.0 + utc_offset_h) % 24
    x = math.cos((h - peak_hour) / 24.0 * 2 * math.pi)
    return low + (high - low) * ((x + 1) / 2) ** 1.6


# --- alarms ---------------------------------------------------------------------------------------

OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dims: dict[str, str]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    op: str
    description: str
    treat_missing: str = "missing"
    unit: str | None = None
    extended: str | None = None
    actions: list[str] = field(default_factory=list)
    created: datetime | None = None


def aggregate(kit: Kit, spec: AlarmSpec) -> dict[datetime, tuple[float, float]]:
    """period start -> (value of the alarm's statistic, sample count), from the kit's datapoints."""
    buckets: dict[datetime, list[Json]] = {}
    for m in kit.metrics:
        if m["namespace"] != spec.namespace or m["metric"] != spec.metric or m["dimensions"] != spec.dims:
            continue
        ts = datetime.strptime(m["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        epoch = int(ts.timestamp())
        p = datetime.fromtimestamp(epoch - epoch % spec.period, UTC)
        buckets.setdefault(p, []).append(m)
    out: dict[datetime, tuple[float, float]] = {}
    for p, ms in buckets.items():
        samples: list[float] = []
        for m in ms:
            if "value" in m:
                samples.append(m["value"])
            else:
                for v, c in zip(m["values"], m["counts"], strict=True):
                    samples.extend([v] * int(c))
        if not samples:
            continue
        stat = spec.extended or spec.statistic
        if stat == "Sum":
            val = sum(samples)
        elif stat == "Average":
            val = sum(samples) / len(samples)
        elif stat == "Maximum":
            val = max(samples)
        elif stat == "Minimum":
            val = min(samples)
        elif stat == "SampleCount":
            val = float(len(samples))
        elif stat.startswith("p"):
            q = float(stat[1:]) / 100.0
            s = sorted(samples)
            val = s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]
        else:
            raise ValueError(stat)
        out[p] = (round(val, 6), float(len(samples)))
    return out


def evaluate_alarm(kit: Kit, spec: AlarmSpec) -> Json:
    """Evaluate the alarm over the bundle's span (OK at the start); add its history; return the alarm."""
    data = aggregate(kit, spec)
    test, words = OPS[spec.op]
    alarm_arn = kit.arn("cloudwatch", f"alarm:{spec.name}")
    state = "OK"
    reason = ""
    reason_data: Json = {}
    updated = kit.start - timedelta(days=kit.rng.randint(2, 20), minutes=kit.rng.randint(0, 600))
    stat_name = spec.extended or spec.statistic
    step = timedelta(seconds=spec.period)
    epoch = int(kit.start.timestamp()) + spec.period * spec.evaluation_periods
    t = datetime.fromtimestamp(epoch - epoch % spec.period, UTC)
    not_words = {
        "greater than": "not greater than",
        "greater than or equal to": "not greater than or equal to",
        "less than": "not less than",
        "less than or equal to": "not less than or equal to",
    }[words]

    def describe(
        window: list[datetime], new: str, when: datetime, shift: timedelta = timedelta(0)
    ) -> tuple[str, Json]:
        shown = [(p, data[p]) for p in window if p in data]
        dp_text = ", ".join(f"{_fmt(v)} ({p - shift:%d/%m/%y %H:%M:%S})" for p, (v, _) in shown)
        n_b = len([p for p, (v, _) in shown if test(v, spec.threshold)])
        if new == "ALARM":
            if spec.treat_missing == "breaching":
                n_b += len(window) - len(shown)
            text = (
                f"Threshold Crossed: {n_b} out of the last {spec.evaluation_periods} datapoints "
                f"[{dp_text}] were {words} the threshold ({_fmt(spec.threshold)}) "
                f"(minimum {spec.datapoints_to_alarm} datapoint"
                f"{'s' if spec.datapoints_to_alarm > 1 else ''} for OK -> ALARM transition)."
            )
        else:
            ok_n = len(shown) - n_b
            text = (
                f"Threshold Crossed: {ok_n} out of the last {spec.evaluation_periods} datapoints "
                f"[{dp_text}] were {not_words} the threshold ({_fmt(spec.threshold)}) "
                f"(minimum {ok_n} datapoint{'s' if ok_n != 1 else ''} for ALARM -> OK transition)."
            )
            if not shown:
                text = (
                    f"Threshold Crossed: no datapoints were received for {spec.evaluation_periods} periods and "
                    f"{spec.evaluation_periods} missing datapoints were treated as [NonBreaching]."
                )
        rd: Json = {
            "version": "1.0",
            "queryDate": iso_ms(when - shift),
            "startDate": iso_ms(window[-1] - shift),
            ("statistic" if spec.extended is None else "extendedStatistic"): stat_name,
            "period": spec.period,
            "recentDatapoints": [v for _, (v, _) in reversed(shown)],
            "threshold": spec.threshold,
            "evaluatedDatapoints": [
                {"timestamp": iso_ms(p - shift), "sampleCount": sc, "value": v} for p, (v, sc) in shown
            ],
        }
        if spec.unit:
            rd["unit"] = spec.unit
        return text, rd

    first = True
    while t + step <= kit.now:
        window = [t - step * i for i in range(spec.evaluation_periods)]  # newest first
        present = [p for p in window if p in data]
        n_breach = len([p for p in present if test(data[p][0], spec.threshold)])
        if spec.treat_missing == "breaching":
            n_breach += len(window) - len(present)
        if n_breach >= spec.datapoints_to_alarm:
            new = "ALARM"
        elif not present and spec.treat_missing == "missing":
            new = state
        else:
            new = "OK"
        when = t + step + timedelta(seconds=kit.rng.randint(20, 55), milliseconds=kit.rng.randint(0, 999))
        if first and present:
            # the alarm has been OK since `updated`: its reason speaks of that evaluation
            k = math.ceil((when - updated).total_seconds() / spec.period)
            shift = timedelta(seconds=k * spec.period)
            updated = when - shift
            reason, reason_data = describe(window, "OK", when, shift=shift)
            first = False
        if new != state:
            old_reason = reason
            reason, reason_data = describe(window, new, when)
            kit.alarm_history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(when).replace("+0000", "Z"),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": state, "stateReason": old_reason},
                            "newState": {
                                "stateValue": new,
                                "stateReason": reason,
                                "stateReasonData": reason_data,
                            },
                        },
                        separators=(",", ":"),
                    ),
                }
            )
            if spec.actions:
                act = when + timedelta(milliseconds=kit.rng.randint(40, 300))
                kit.alarm_history.append(
                    {
                        "AlarmName": spec.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(act).replace("+0000", "Z"),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {spec.actions[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": epoch_ms(when),
                                "notificationResource": spec.actions[0],
                                "publishedMessage": {
                                    "default": json.dumps({"AlarmName": spec.name, "NewStateValue": new})
                                },
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
            state = new
            updated = when
        t += step
    if first:
        reason, reason_data = describe([updated], "OK", updated)
    item: Json = {
        "AlarmName": spec.name,
        "AlarmArn": alarm_arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso(spec.created or kit.start - timedelta(days=41, hours=3)),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateReasonData": json.dumps(reason_data, separators=(",", ":")),
        "StateUpdatedTimestamp": iso_ms(updated).replace("+0000", "Z"),
        "StateTransitionedTimestamp": iso_ms(updated).replace("+0000", "Z"),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.op,
        "TreatMissingData": spec.treat_missing,
    }
    if spec.extended:
        item["ExtendedStatistic"] = spec.extended
    else:
        item["Statistic"] = spec.statistic
    if spec.unit:
        item["Unit"] = spec.unit
    kit.alarms.append(item)
    return item


def alarm_event(kit: Kit, alarm: Json, previous: Json | None = None, first_alarm: bool = False) -> Json:
    """The EventBridge "CloudWatch Alarm State Change" event for the alarm's latest change of state
    (or, with `first_alarm`, for its first change into ALARM)."""
    history = [
        h
        for h in kit.alarm_history
        if h["AlarmName"] == alarm["AlarmName"] and h["HistoryItemType"] == "StateUpdate"
    ]
    if first_alarm:
        history = [h for h in history if h["HistorySummary"].endswith("to ALARM")][:1]
    last = json.loads(history[-1]["HistoryData"])
    when = history[-1]["Timestamp"]
    ts = when.replace("Z", "+0000")
    prev_state = last["oldState"]
    metric: Json = {
        "namespace": alarm["Namespace"],
        "name": alarm["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
    }
    stat: Json = {
        "metric": metric,
        "period": alarm["Period"],
        "stat": alarm.get("ExtendedStatistic") or alarm["Statistic"],
    }
    if alarm.get("Unit"):
        stat["unit"] = alarm["Unit"]
    return {
        "version": "0",
        "id": kit.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": kit.account,
        "time": when.split(".")[0] + "Z",
        "region": kit.region,
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": alarm["AlarmName"],
            "state": {
                "value": last["newState"]["stateValue"],
                "reason": last["newState"]["stateReason"],
                "reasonData": json.dumps(last["newState"]["stateReasonData"], separators=(",", ":")),
                "timestamp": ts,
            },
            "previousState": previous
            or {
                "value": prev_state["stateValue"],
                "reason": prev_state["stateReason"],
                "timestamp": ts,
            },
            "configuration": {
                "description": alarm.get("AlarmDescription", ""),
                "metrics": [{"id": kit.hex(8), "metricStat": stat, "returnData": True}],
            },
        },
    }


# --- resources used by several incidents ----------------------------------------------------------


def tags(**kv: str) -> list[Json]:
    return [{"Key": k.replace("_", ":") if k.startswith("aws_") else k, "Value": v} for k, v in kv.items()]


def name_tags(name: str, **kv: str) -> list[Json]:
    out = [{"Key": "Name", "Value": name}]
    out.extend({"Key": k, "Value": v} for k, v in kv.items())
    return out


def spread(kit: Kit, t0: datetime, t1: datetime, n: int) -> list[datetime]:
    span = max(1, int((t1 - t0).total_seconds()))
    return sorted(t0 + timedelta(seconds=kit.rng.randint(0, span)) for _ in range(n))


Routine = Callable[[Kit, datetime], None]


def lambda_invocation(
    kit: Kit,
    group: str,
    stream: str,
    t: datetime,
    duration_ms: float,
    memory_mb: int,
    used_mb: int,
    lines: list[str] | None = None,
    init_ms: float | None = None,
) -> str:
    """START / app lines / END / REPORT as the Lambda runtime prints them; returns the request id."""
    rid = kit.uuid()
    kit.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST")
    for i, line in enumerate(lines or []):
        kit.log(
            group, stream, t + timedelta(milliseconds=min(duration_ms, 2 + i * 3)), line.replace("{rid}", rid)
        )
    end = t + timedelta(milliseconds=duration_ms + 1)
    kit.log(group, stream, end, f"END RequestId: {rid}")
    billed = math.ceil(duration_ms)
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    kit.log(group, stream, end, report)
    return rid


def lambda_stream(kit: Kit, t: datetime) -> str:
    return f"{t:%Y/%m/%d}/[$LATEST]{kit.hex(32)}"
