# Incidents of kit `zu`, in the order they are written:
# 1. change: a data engineer's IaC apply re-templates a Firehose delivery stream's S3 prefix to a new
#    partition layout; the Glue table's partition projection still reads the old layout, so the Athena
#    query behind the hourly sales rollup silently returns nothing for new hours (no errors anywhere).
# 2. component_failure: the spool EBS volume of one KCL consumer instance stalls its I/O; the record
#    processors for the shards that instance leases block (lease renewals carry on), so the live
#    positions of the vehicles on those shards go stale while the rest of the fleet updates.
# 3. limit: a DynamoDB GSI added with fixed provisioned write capacity (no scalable target) tops out at
#    the Sunday-morning peak and throttles base-table writes, while the table itself autoscaled fine;
#    the SQS-fed ingest Lambda errors and messages are retried.
# 4. no fault: a freshly created Firehose DataFreshness alarm fires at night because, at night-time
#    volume, the buffer interval (not size) triggers delivery; delivery is healthy, as on previous nights.
"""Private helpers for kit `zu` incidents: ids, time, metric series, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
import string
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]


# --- time -----------------------------------------------------------------------------------------


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_plus(dt: datetime) -> str:
    """2024-05-14T00:50:41.123+0000, as CloudWatch writes times inside alarm reasons and events."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def floor_min(dt: datetime, minutes: int = 1) -> datetime:
    base = dt.replace(second=0, microsecond=0)
    return base - timedelta(minutes=base.minute % minutes)


def steps(start: datetime, end: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """Datapoint stamps from start to end: 5-minute ones before `fine_from`, 1-minute ones after.
    Each is (timestamp, seconds covered)."""
    out: list[tuple[datetime, int]] = []
    t = floor_min(start, 5)
    while t < fine_from:
        out.append((t, 300))
        t += timedelta(minutes=5)
    t = floor_min(fine_from, 1)
    while t <= end:
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


# --- ids ------------------------------------------------------------------------------------------


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hexs(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:32]}"

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))

    def b64(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(n))

    def access_key(self) -> str:
        return "ASIA" + self.upper(16)

    def role_id(self) -> str:
        return "AROA" + self.upper(17)

    def ec2(self, prefix: str) -> str:
        return f"{prefix}-0{self.hexs(16)}"

    def ip(self, private: bool = False) -> str:
        r = self.rng
        if private:
            return f"10.{r.randint(20, 60)}.{r.randint(0, 63)}.{r.randint(4, 250)}"
        return f"{r.choice([3, 18, 34, 35, 44, 52, 54])}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}"

    def account(self) -> str:
        return str(self.rng.randint(2, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))


# --- noise and shapes -----------------------------------------------------------------------------


def day_shape(local_hour: float, peak: float = 13.0, night: float = 0.12, sharp: float = 1.6) -> float:
    """0..1 daily traffic shape: lowest around 04:00, highest around `peak` (local hours)."""
    # Two-part cosine: rise from 04:00 to peak, fall from peak to 04:00 next day.
    h = local_hour % 24
    low = 4.0
    if low <= h <= peak:
        x = (h - low) / (peak - low)
    else:
        span = 24 - (peak - low)
        x = 1 - (((h - peak) % 24) / span)
    v = (0.5 - 0.5 * math.cos(math.pi * x)) ** sharp
    return night + (1 - night) * v


def jitter(rng: random.Random, value: float, pct: float) -> float:
    return value * (1 + rng.gauss(0, pct))


def count(rng: random.Random, mean: float) -> int:
    """A count around `mean` (Poisson-like noise, never negative)."""
    if mean <= 0:
        return 0
    if mean < 30:
        # Knuth for small means
        limit = math.exp(-mean)
        k, p = 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


# --- metrics --------------------------------------------------------------------------------------


def datum(ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> Rec:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(float(value), 4),
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
) -> Rec:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": float(n),
            "Sum": round(float(total), 4),
            "Minimum": round(float(lo), 4),
            "Maximum": round(float(hi), 4),
        },
    }


def series(
    out: list[Rec],
    ns: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    stamps: Iterable[tuple[datetime, int]],
    fn: Callable[[datetime, int], float | None],
) -> None:
    """Append one datapoint per stamp; `fn(t, seconds)` returns the value or None (nothing published)."""
    for t, sec in stamps:
        v = fn(t, sec)
        if v is not None:
            out.append(datum(ns, metric, dims, t, unit, v))


# --- CloudTrail -----------------------------------------------------------------------------------


class Principal:
    """Who made a call: the record's userIdentity plus where it came from."""

    def __init__(self, identity: Rec, ip: str, agent: str, tls: bool = True) -> None:
        self.identity = identity
        self.ip = ip
        self.agent = agent
        self.tls = tls


def role_principal(
    ids: Ids, account: str, role: str, session: str, ip: str, agent: str, created: datetime, path: str = "/"
) -> Principal:
    rid = ids.role_id()
    return Principal(
        {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "accessKeyId": ids.access_key(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{account}:role{path}{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        },
        ip,
        agent,
    )


def sso_principal(
    ids: Ids,
    account: str,
    region: str,
    permission_set: str,
    email: str,
    ip: str,
    agent: str,
    created: datetime,
) -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{ids.hexs(16)}"
    return role_principal(
        ids, account, role, email, ip, agent, created, path=f"/aws-reserved/sso.amazonaws.com/{region}/"
    )


def service_principal(host: str) -> Principal:
    return Principal({"type": "AWSService", "invokedBy": host}, host, host, tls=False)


def linked_role_principal(
    ids: Ids, account: str, role: str, session: str, host: str, created: datetime
) -> Principal:
    p = role_principal(ids, account, role, session, host, host, created, path=f"/aws-service-role/{host}/")
    p.identity["invokedBy"] = host
    p.tls = False
    return p


def ct(
    ids: Ids,
    account: str,
    region: str,
    who: Principal,
    t: datetime,
    source: str,
    name: str,
    params: Rec | None,
    response: Rec | None = None,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[Rec] | None = None,
    version: str = "1.09",
    management: bool = True,
    host: str | None = None,
) -> Rec:
    rec: Rec = {
        "eventVersion": version,
        "userIdentity": who.identity,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.ip,
        "userAgent": who.agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = ids.uuid()
    rec["eventID"] = ids.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = management
    rec["recipientAccountId"] = account
    rec["eventCategory"] = "Management" if management else "Data"
    if who.tls:
        svc = source.split(".")[0]
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host or f"{svc}.{region}.amazonaws.com",
        }
    return rec


def spread(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))


# --- alarms ---------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _fmt(v: float) -> str:
    return repr(round(float(v), 4)) if not float(v).is_integer() else f"{float(v):.1f}"


class Alarm:
    """A metric alarm, evaluated over per-period values to produce its history and final state."""

    def __init__(
        self,
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
        to_alarm: int,
        threshold: float,
        op: str,
        actions: list[str],
        missing: str = "missing",
        unit: str | None = None,
        configured: datetime | None = None,
    ) -> None:
        self.account, self.region, self.name, self.description = account, region, name, description
        self.ns, self.metric, self.dims, self.stat = ns, metric, dims, stat
        self.period, self.evals, self.to_alarm = period, evals, to_alarm
        self.threshold, self.op, self.actions, self.missing, self.unit = threshold, op, actions, missing, unit
        self.configured = configured
        self.arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
        self.state = "OK"
        self.reason = ""
        self.reason_data = ""
        self.updated: datetime | None = None
        self.history: list[Rec] = []
        self.transitions: list[tuple[datetime, str, str, str, str]] = []
        self.last_pts: list[tuple[datetime, float]] = []
        self.steady: datetime | None = None

    def _reason(
        self, pts: list[tuple[datetime, float]], breaching: int, new: str, when: datetime
    ) -> tuple[str, str]:
        words = _OPS[self.op][1]
        shown = list(reversed(pts))[: self.evals]
        dp = ", ".join(f"{_fmt(v)} ({t.strftime('%d/%m/%y %H:%M:%S')})" for t, v in shown)
        if new == "ALARM":
            n = self.to_alarm
            if self.evals == 1:
                reason = f"Threshold Crossed: 1 datapoint [{dp}] was {words} the threshold ({_fmt(self.threshold)})."
            else:
                reason = (
                    f"Threshold Crossed: {breaching} out of the last {self.evals} datapoints [{dp}] were {words} "
                    f"the threshold ({_fmt(self.threshold)}) (minimum {n} datapoint{'s' if n > 1 else ''} for "
                    "OK -> ALARM transition)."
                )
        else:
            ok = len(shown) - breaching
            if self.evals == 1:
                reason = f"Threshold Crossed: 1 datapoint [{dp}] was not {words} the threshold ({_fmt(self.threshold)})."
            else:
                reason = (
                    f"Threshold Crossed: {ok} out of the last {self.evals} datapoints [{dp}] were not {words} "
                    f"the threshold ({_fmt(self.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
        first = shown[-1][0] if shown else when
        data = {
            "version": "1.0",
            "queryDate": iso_plus(when),
            "startDate": iso_plus(first),
            "statistic": self.stat,
            "period": self.period,
            "recentDatapoints": [round(v, 4) for _, v in reversed(shown)],
            "threshold": float(self.threshold),
            "evaluatedDatapoints": [
                {"timestamp": iso_plus(t), "sampleCount": float(self.period // 60), "value": round(v, 4)}
                for t, v in shown
            ],
        }
        return reason, json.dumps(data, separators=(",", ":"))

    def evaluate(
        self,
        values: dict[datetime, float],
        start: datetime,
        now: datetime,
        rng: random.Random,
        state: str = "OK",
    ) -> None:
        """`values`: per-period aggregated value keyed by period start. Evaluates after each period ends."""
        check, _ = _OPS[self.op]
        self.state = state
        epoch = int(start.timestamp())
        t = datetime.fromtimestamp(epoch - epoch % self.period, UTC)
        while t + timedelta(seconds=self.period) <= now:
            window_starts = [t - timedelta(seconds=self.period * i) for i in range(self.evals)]
            pts = [(w, values[w]) for w in reversed(window_starts) if w in values]
            breaching = sum(1 for _, v in pts if check(v, self.threshold))
            if self.missing == "breaching":
                breaching += self.evals - len(pts)
            new = self.state
            if breaching >= self.to_alarm:
                new = "ALARM"
            elif pts and self.state in ("ALARM", "INSUFFICIENT_DATA"):
                new = "OK"
            when = t + timedelta(seconds=self.period) + timedelta(seconds=rng.randint(40, 100))
            when = when.replace(microsecond=rng.randint(0, 999) * 1000)
            if when > now:
                break
            if pts:
                self.last_pts = pts
            if new != self.state:
                reason, data = self._reason(pts, breaching, new, when)
                self._transition(when, self.state, new, reason, data)
            t += timedelta(seconds=self.period)

    def _transition(self, when: datetime, old: str, new: str, reason: str, data: str) -> None:
        self.history.append(
            {
                "AlarmName": self.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(when),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {
                            "stateValue": old,
                            "stateReason": self.reason or "Unchecked: Initial alarm creation",
                        },
                        "newState": {
                            "stateValue": new,
                            "stateReason": reason,
                            "stateReasonData": json.loads(data),
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
        self.transitions.append((when, old, new, reason, data))
        self.state, self.reason, self.reason_data, self.updated = new, reason, data, when

    def created(self, when: datetime) -> None:
        """A history item for the alarm's creation, and INSUFFICIENT_DATA as its first state."""
        self.history.append(
            {
                "AlarmName": self.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(when),
                "HistoryItemType": "ConfigurationUpdate",
                "HistorySummary": f'Alarm "{self.name}" created',
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "type": "Create",
                        "createdAlarm": {
                            "alarmName": self.name,
                            "alarmArn": self.arn,
                            "namespace": self.ns,
                            "metricName": self.metric,
                            "dimensions": [{"name": k, "value": v} for k, v in self.dims.items()],
                            "statistic": self.stat,
                            "period": self.period,
                            "evaluationPeriods": self.evals,
                            "datapointsToAlarm": self.to_alarm,
                            "threshold": float(self.threshold),
                            "comparisonOperator": self.op,
                            "treatMissingData": self.missing,
                            "actionsEnabled": True,
                            "alarmActions": self.actions,
                            "okActions": self.actions,
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
        self.state = "INSUFFICIENT_DATA"
        self.reason = "Unchecked: Initial alarm creation"
        self.updated = when

    def item(self, steady_since: datetime) -> Rec:
        """The MetricAlarm as DescribeAlarms returns it at `now`."""
        if not self.reason:
            self.updated = self.steady or steady_since
            if self.last_pts:
                epoch = int(self.updated.timestamp()) - self.period - 60
                base = epoch - epoch % self.period
                vals = [v for _, v in self.last_pts] or [0.0]
                then = [
                    (datetime.fromtimestamp(base - self.period * i, UTC), vals[i % len(vals)])
                    for i in reversed(range(self.evals))
                ]
                self.reason, self.reason_data = self._reason(then, 0, "OK", self.updated)
            else:
                self.reason = "Unchecked: Initial alarm creation"
        assert self.updated is not None
        it: Rec = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(self.configured or steady_since),
            "ActionsEnabled": True,
            "OKActions": self.actions,
            "AlarmActions": self.actions,
            "InsufficientDataActions": [],
            "StateValue": self.state,
            "StateReason": self.reason,
            "StateReasonData": self.reason_data,
            "StateUpdatedTimestamp": iso_ms(self.updated),
            "MetricName": self.metric,
            "Namespace": self.ns,
            "Statistic": self.stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dims.items()],
            "Period": self.period,
            "EvaluationPeriods": self.evals,
            "DatapointsToAlarm": self.to_alarm,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.op,
            "TreatMissingData": self.missing,
            "StateTransitionedTimestamp": iso_ms(self.updated),
        }
        if self.unit:
            it["Unit"] = self.unit
        return it

    def event(self, ids: Ids, index: int = -1) -> Rec:
        """The EventBridge "CloudWatch Alarm State Change" event of one transition (default: the last)."""
        when, old, new, reason, data = self.transitions[index]
        prev = self.transitions[index - 1] if len(self.transitions) > 1 and index != 0 else None
        prev_when = prev[0] if prev else when - timedelta(days=9, hours=4, minutes=13, seconds=27)
        if prev:
            prev_reason, prev_data = prev[3], prev[4]
        else:
            epoch = int(prev_when.timestamp()) - self.period - 60
            base = epoch - epoch % self.period
            pts = [
                (datetime.fromtimestamp(base - self.period * i, UTC), 0.0)
                for i in reversed(range(self.evals))
            ]
            prev_reason, prev_data = self._reason(pts, 0, "OK", prev_when)
        return {
            "version": "0",
            "id": ids.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {"value": new, "reason": reason, "reasonData": data, "timestamp": iso_plus(when)},
                "previousState": {
                    "value": old,
                    "reason": prev_reason,
                    "reasonData": prev_data,
                    "timestamp": iso_plus(prev_when),
                },
                "configuration": {
                    "description": self.description,
                    "metrics": [
                        {
                            "id": ids.uuid(),
                            "metricStat": {
                                "metric": {
                                    "namespace": self.ns,
                                    "name": self.metric,
                                    "dimensions": self.dims,
                                },
                                "period": self.period,
                                "stat": self.stat,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


def per_period(
    points: Iterable[Rec], ns: str, metric: str, dims: dict[str, str], period: int, stat: str
) -> dict[datetime, float]:
    """Aggregate datapoints of one metric into alarm periods keyed by period start."""
    buckets: dict[datetime, list[float]] = {}
    for p in points:
        if p["namespace"] != ns or p["metric"] != metric or p["dimensions"] != dims:
            continue
        t = datetime.strptime(p["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        epoch = int(t.timestamp())
        key = datetime.fromtimestamp(epoch - epoch % period, UTC)
        if "value" in p:
            buckets.setdefault(key, []).append(p["value"])
        else:
            sv = p["statistic_values"]
            if stat == "Maximum":
                buckets.setdefault(key, []).append(sv["Maximum"])
            elif stat == "Minimum":
                buckets.setdefault(key, []).append(sv["Minimum"])
            else:
                buckets.setdefault(key, []).append(
                    sv["Sum"] / sv["SampleCount"] if stat == "Average" else sv["Sum"]
                )
    out: dict[datetime, float] = {}
    for k, vs in buckets.items():
        if stat == "Sum":
            out[k] = sum(vs)
        elif stat == "Maximum":
            out[k] = max(vs)
        elif stat == "Minimum":
            out[k] = min(vs)
        elif stat == "SampleCount":
            out[k] = float(len(vs))
        else:
            out[k] = sum(vs) / len(vs)
    return out


# --- logs, resources, manifest --------------------------------------------------------------------


def log(group: str, stream: str, t: datetime, message: str) -> Rec:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def res(service: str, type_: str, item: Rec) -> Rec:
    return {"service": service, "type": type_, "item": item}


def log_group(account: str, region: str, name: str, created: datetime, retention: int, stored: int) -> Rec:
    return res(
        "logs",
        "LogGroup",
        {
            "logGroupName": name,
            "creationTime": ms(created),
            "retentionInDays": retention,
            "metricFilterCount": 0,
            "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
            "storedBytes": stored,
            "logGroupClass": "STANDARD",
            "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
        },
    )


def sort_records(records: dict[str, list[Rec]]) -> dict[str, list[Rec]]:
    if "cloudtrail" in records:
        records["cloudtrail"].sort(key=lambda r: r["eventTime"])
    if "logs" in records:
        records["logs"].sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
    if "alarm_history" in records:
        records["alarm_history"].sort(key=lambda r: r["Timestamp"])
    return records


# --- common AWS pieces ----------------------------------------------------------------------------


def lambda_points(
    out: list[Rec],
    rng: random.Random,
    function: str,
    t: datetime,
    invocations: int,
    duration_ms: float,
    errors: int = 0,
    throttles: int = 0,
    concurrency: float | None = None,
    iterator_age_ms: float | None = None,
) -> None:
    """The AWS/Lambda datapoints of one function for one period (nothing when it was not invoked)."""
    if invocations <= 0:
        return
    d = {"FunctionName": function}
    out.append(datum("AWS/Lambda", "Invocations", d, t, "Count", invocations))
    out.append(datum("AWS/Lambda", "Errors", d, t, "Count", errors))
    out.append(datum("AWS/Lambda", "Throttles", d, t, "Count", throttles))
    lo = duration_ms * rng.uniform(0.35, 0.7)
    hi = duration_ms * rng.uniform(1.4, 2.6)
    out.append(
        stat_datum(
            "AWS/Lambda", "Duration", d, t, "Milliseconds", invocations, duration_ms * invocations, lo, hi
        )
    )
    if concurrency is not None:
        out.append(datum("AWS/Lambda", "ConcurrentExecutions", d, t, "Count", concurrency))
    if iterator_age_ms is not None:
        out.append(datum("AWS/Lambda", "IteratorAge", d, t, "Milliseconds", iterator_age_ms))


def lambda_report(
    rng: random.Random, request_id: str, dur: float, memory: int, used: int, init: float = 0.0
) -> str:
    billed = math.ceil(dur)
    tail = f"\tInit Duration: {init:.2f} ms" if init else ""
    return (
        f"REPORT RequestId: {request_id}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB{tail}\t"
    )


def lambda_stream(rng: random.Random, ids: Ids, t: datetime, version: str = "$LATEST") -> str:
    return f"{t.strftime('%Y/%m/%d')}/[{version}]{ids.hexs(32)}"


BOTO_UA = (
    "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214-223.834.amzn2.x86_64 md/arch#x86_64 "
    "lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.84"
)
CONSOLE_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
CLI_UA = "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"


def terraform_ua(api: str) -> str:
    return (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
        f"md/GOOS#linux md/GOARCH#amd64 api/{api}"
    )
