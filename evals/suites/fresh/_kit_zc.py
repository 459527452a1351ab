"""Private helpers for the `zc` author's fresh incidents.

Chosen incidents, in the order written:
 1. change: a Terraform apply rewrites an SQS queue's access policy and drops the statement that lets
    the SNS topic deliver; the worker goes quiet with no errors (SNS -> SQS fan-out, ECS consumer).
 2. change: a Kinesis stream is resharded down in the morning to save cost; the evening peak then
    exceeds the per-shard write ceiling, while a gateway deploy shortly before the peak looks guilty.
 3. component_failure: the single node of an ElastiCache Redis used as a BullMQ job store fails and is
    recovered empty; the scheduled reminder jobs it held are gone, errors stopped long ago.
 4. limit: another team's bulk re-publish job exhausts the account-wide EventBridge PutEvents rate; the
    order events of an unrelated service are throttled and lost.
 5. no fault: a weekly SMS reminder batch trips an SNS SMS failed-deliveries alarm; failure rate is
    the usual share (opted-out / unreachable numbers), same as every week.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

J = dict[str, Any]


# --- time and ids ---------------------------------------------------------------------------------


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def cw_ts(dt: datetime) -> str:
    """CloudWatch's timestamp style in alarm history/state data: 2024-05-02T14:05:12.345+0000."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def alnum(rng: random.Random, n: int, upper: bool = True) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(n))


def pick_day(rng: random.Random, weekdays: Iterable[int] = (0, 1, 2, 3, 4)) -> datetime:
    """A day (midnight UTC) in 2024-2025 whose weekday is in `weekdays`."""
    allowed = list(weekdays)
    while True:
        d = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 540))
        if d.weekday() in allowed:
            return d


def minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def floor5(dt: datetime) -> datetime:
    dt = minute(dt)
    return dt - timedelta(minutes=dt.minute % 5)


# --- metrics --------------------------------------------------------------------------------------


def grid(
    start: datetime, now: datetime, fine_from: datetime, coarse: int = 300
) -> list[tuple[datetime, int]]:
    """Datapoint times: `coarse`-second points from start, 1-minute points from fine_from, up to now."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, coarse))
        t += timedelta(seconds=coarse)
    t = fine_from
    while t + timedelta(minutes=1) <= now:
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


def diurnal(t: datetime, utc_offset: float, peak_hour: float = 14.0, low: float = 0.25) -> float:
    """A daily load factor in [low, 1]: lowest around 04:00 local, highest at peak_hour local."""
    h = (t.hour + t.minute / 60 + utc_offset) % 24
    # smooth: cosine centred on the peak, flattened at night
    x = math.cos((h - peak_hour) / 24 * 2 * math.pi)
    f = (x + 1) / 2
    f = f**1.6
    return low + (1 - low) * f


def md(ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> J:
    return {
        "namespace": ns,
        "metric": name,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(float(value), 4),
    }


def md_dist(
    ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, samples: dict[float, float]
) -> J:
    vals = sorted(samples)
    return {
        "namespace": ns,
        "metric": name,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "values": [round(v, 4) for v in vals],
        "counts": [float(max(1, round(samples[v]))) for v in vals],
    }


def latency_samples(rng: random.Random, median: float, tail: float, n: float) -> dict[float, float]:
    """A small distribution (value -> count) with the given median and p99-ish tail, n requests."""
    n = max(n, 1.0)
    pts = {
        median * rng.uniform(0.45, 0.6): n * 0.25,
        median * rng.uniform(0.9, 1.1): n * 0.35,
        median * rng.uniform(1.4, 1.9): n * 0.25,
        median * rng.uniform(2.2, 3.2): n * 0.13,
        tail * rng.uniform(0.9, 1.1): max(1.0, n * 0.02),
    }
    return pts


class Series:
    """Collects datapoints; value functions take (t, step_seconds, series_rng) and return a value or None."""

    def __init__(self, rng: random.Random, points: list[tuple[datetime, int]]) -> None:
        self.rng = rng
        self.points = points
        self.rows: list[J] = []

    def add(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime, int], float | None],
        points: list[tuple[datetime, int]] | None = None,
    ) -> dict[datetime, float]:
        out: dict[datetime, float] = {}
        for t, step in points or self.points:
            v = fn(t, step)
            if v is None:
                continue
            out[t] = v
            self.rows.append(md(ns, name, dims, t, unit, v))
        return out

    def add_dist(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime, int], tuple[float, float, float] | None],
    ) -> None:
        """fn returns (median, tail, count) per point."""
        for t, step in self.points:
            v = fn(t, step)
            if v is None:
                continue
            med, tail, n = v
            self.rows.append(md_dist(ns, name, dims, t, unit, latency_samples(self.rng, med, tail, n)))


def noise(rng: random.Random, sd: float = 0.06) -> float:
    return max(0.0, rng.gauss(1.0, sd))


def per_minute_to_periods(
    values: dict[datetime, float], period: int, how: str = "sum"
) -> dict[datetime, float]:
    """Aggregate 1-minute values (keyed by their minute) into `period`-second buckets."""
    buckets: dict[datetime, list[float]] = {}
    for t, v in values.items():
        epoch = int(t.timestamp())
        b = datetime.fromtimestamp(epoch - epoch % period, UTC)
        buckets.setdefault(b, []).append(v)
    out: dict[datetime, float] = {}
    for b, vs in sorted(buckets.items()):
        if how == "sum":
            out[b] = sum(vs)
        elif how == "max":
            out[b] = max(vs)
        elif how == "min":
            out[b] = min(vs)
        else:
            out[b] = sum(vs) / len(vs)
    return out


# --- alarms ---------------------------------------------------------------------------------------

_CMP_WORD = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def _breach(v: float, cmp: str, thr: float) -> bool:
    return {
        "GreaterThanThreshold": v > thr,
        "GreaterThanOrEqualToThreshold": v >= thr,
        "LessThanThreshold": v < thr,
        "LessThanOrEqualToThreshold": v <= thr,
    }[cmp]


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


class Alarm:
    """A CloudWatch metric alarm evaluated over period values; yields its item and history."""

    def __init__(
        self,
        *,
        rng: random.Random,
        account: str,
        region: str,
        name: str,
        description: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evaluation_periods: int,
        datapoints_to_alarm: int,
        threshold: float,
        comparison: str,
        treat_missing: str = "missing",
        actions: list[str] | None = None,
        created: datetime,
        unit: str | None = None,
        initial: str = "OK",
    ) -> None:
        self.rng = rng
        self.account = account
        self.region = region
        self.name = name
        self.description = description
        self.namespace = namespace
        self.metric = metric
        self.dims = dims
        self.stat = stat
        self.period = period
        self.n = evaluation_periods
        self.m = datapoints_to_alarm
        self.threshold = threshold
        self.cmp = comparison
        self.treat_missing = treat_missing
        self.actions = actions or []
        self.created = created
        self.unit = unit
        self.arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
        self.state = initial
        self.reason = "Unchecked: Initial alarm creation"
        self.reason_data: str | None = None
        self.updated = created
        self._settled = initial == "INSUFFICIENT_DATA"
        self.history: list[J] = []
        self.transitions: list[tuple[datetime, str, str, str, str]] = []  # t, old, new, reason, data

    def _reason(self, window: list[tuple[datetime, float]], breaching: int, new: str) -> str:
        pts = ", ".join(f"{_fmt(v)} ({t.strftime('%d/%m/%y %H:%M:%S')})" for t, v in reversed(window))
        word = _CMP_WORD[self.cmp]
        if new == "ALARM":
            if self.n == 1:
                return f"Threshold Crossed: 1 datapoint [{pts}] was {word} the threshold ({_fmt(self.threshold)})."
            return (
                f"Threshold Crossed: {breaching} out of the last {len(window)} datapoints [{pts}] were {word} "
                f"the threshold ({_fmt(self.threshold)}) (minimum {self.m} datapoint"
                f"{'s' if self.m > 1 else ''} for OK -> ALARM transition)."
            )
        if self.n == 1:
            return f"Threshold Crossed: 1 datapoint [{pts}] was not {word} the threshold ({_fmt(self.threshold)})."
        ok = len(window) - breaching
        return (
            f"Threshold Crossed: {ok} out of the last {len(window)} datapoints [{pts}] "
            f"{'was' if ok == 1 else 'were'} not {word} the threshold ({_fmt(self.threshold)}) "
            "(minimum 1 datapoint for ALARM -> OK transition)."
        )

    def evaluate(self, values: dict[datetime, float], start: datetime, now: datetime) -> None:
        """values: period start -> aggregated statistic. Evaluated once a period, ~30s after its end."""
        p = timedelta(seconds=self.period)
        t0 = max(start, self.created)
        epoch = int(t0.timestamp())
        pe = datetime.fromtimestamp(epoch - epoch % self.period, UTC) + p
        while pe + timedelta(seconds=30) <= now:
            eval_t = pe + timedelta(seconds=self.rng.randint(20, 50), milliseconds=self.rng.randint(0, 999))
            window: list[tuple[datetime, float]] = []
            for k in range(self.n):
                ps = pe - p * (k + 1)
                if ps in values:
                    window.append((ps, values[ps]))
            window.reverse()
            if window:
                breaching = sum(1 for _, v in window if _breach(v, self.cmp, self.threshold))
                new = "ALARM" if breaching >= self.m else "OK"
                if not self._settled:
                    self._settle(window, breaching)
                if new != self.state:
                    self._transition(eval_t, new, window, breaching)
            elif self.treat_missing == "notBreaching" and self.state != "OK":
                self._transition(eval_t, "OK", [], 0)
            pe += p

    def _settle(self, window: list[tuple[datetime, float]], breaching: int) -> None:
        """The alarm has been in its initial state since long before the bundle: give it a reason from then."""
        self._settled = True
        while len(window) < self.n:
            window = [window[0], *window]
        back = timedelta(days=self.rng.randint(2, 11), minutes=self.rng.randint(0, 900))
        epoch = int((self.created + back).timestamp())
        last = datetime.fromtimestamp(epoch - epoch % self.period, UTC)
        old = [
            (last - timedelta(seconds=self.period) * (len(window) - 1 - i), v)
            for i, (_, v) in enumerate(window)
        ]
        t = last + timedelta(seconds=self.period + self.rng.randint(20, 50))
        saved = self.history, self.transitions
        self.history, self.transitions = [], []
        state = self.state
        self.state = "ALARM" if state == "OK" else "OK"
        self._transition(t, state, old, breaching if state == "ALARM" else 0)
        self.history, self.transitions = saved

    def _transition(
        self, t: datetime, new: str, window: list[tuple[datetime, float]], breaching: int
    ) -> None:
        if window:
            reason = self._reason(window, breaching, new)
        else:
            reason = "Threshold Crossed: no datapoints were received for the evaluation periods."
        first = window[0][0] if window else t
        data = {
            "version": "1.0",
            "queryDate": cw_ts(t),
            "startDate": cw_ts(first),
            **(
                {"extendedStatistic": self.stat}
                if self.stat.startswith("p")
                else {"statistic": self.stat, "unit": self.unit}
                if self.unit
                else {"statistic": self.stat}
            ),
            "period": self.period,
            "recentDatapoints": [round(v, 6) for _, v in window],
            "threshold": float(self.threshold),
            "evaluatedDatapoints": [
                {"timestamp": cw_ts(ts), "sampleCount": float(self.period // 60), "value": round(v, 6)}
                for ts, v in reversed(window)
            ],
        }
        old = self.state
        old_reason, old_data = self.reason, self.reason_data
        self.state, self.reason, self.reason_data, self.updated = new, reason, json.dumps(data), t
        hist = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": old_reason}
            | ({"stateReasonData": json.loads(old_data)} if old_data else {}),
            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
        }
        self.history.append(
            {
                "AlarmName": self.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hist),
            }
        )
        self.transitions.append((t, old, new, reason, json.dumps(data)))

    def created_history(self) -> J:
        return {
            "AlarmName": self.name,
            "AlarmType": "MetricAlarm",
            "Timestamp": iso_ms(self.created),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{self.name}" created',
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "type": "Create",
                    "createdAlarm": {
                        "alarmName": self.name,
                        "namespace": self.namespace,
                        "metricName": self.metric,
                        "threshold": float(self.threshold),
                        "evaluationPeriods": self.n,
                        "period": self.period,
                        "comparisonOperator": self.cmp,
                    },
                }
            ),
        }

    def item(self) -> J:
        it: J = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(self.created),
            "ActionsEnabled": True,
            "OKActions": list(self.actions),
            "AlarmActions": list(self.actions),
            "InsufficientDataActions": [],
            "StateValue": self.state,
            "StateReason": self.reason,
            "StateUpdatedTimestamp": iso_ms(self.updated),
            "MetricName": self.metric,
            "Namespace": self.namespace,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dims.items()],
            "Period": self.period,
            "EvaluationPeriods": self.n,
            "DatapointsToAlarm": self.m,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.cmp,
            "TreatMissingData": self.treat_missing,
            "StateTransitionedTimestamp": iso_ms(self.updated),
        }
        if self.reason_data:
            it["StateReasonData"] = self.reason_data
        if self.stat.startswith("p"):
            it["ExtendedStatistic"] = self.stat
        else:
            it["Statistic"] = self.stat
        if self.unit:
            it["Unit"] = self.unit
        return it

    def event(self, index: int = -1) -> J:
        """The EventBridge 'CloudWatch Alarm State Change' event of one transition (default: the last)."""
        t, old, new, reason, data = self.transitions[index]
        prev = self.transitions[index - 1] if len(self.transitions) > 1 else None
        prev_state: J = {"value": old, "reason": prev[3] if prev else "Unchecked: Initial alarm creation"}
        if prev:
            prev_state["reasonData"] = prev[4]
            prev_state["timestamp"] = cw_ts(prev[0])
        stat_key = "stat"
        return {
            "version": "0",
            "id": uid(self.rng),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {"value": new, "reason": reason, "reasonData": data, "timestamp": cw_ts(t)},
                "previousState": prev_state,
                "configuration": {
                    "description": self.description,
                    "metrics": [
                        {
                            "id": hexs(self.rng, 8),
                            "metricStat": {
                                "metric": {
                                    "namespace": self.namespace,
                                    "name": self.metric,
                                    "dimensions": self.dims,
                                },
                                "period": self.period,
                                stat_key: self.stat,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


# --- CloudTrail -----------------------------------------------------------------------------------


class Trail:
    """Builds CloudTrail records in the delivered shape."""

    def __init__(self, rng: random.Random, account: str, region: str) -> None:
        self.rng = rng
        self.account = account
        self.region = region
        self.records: list[J] = []
        self._sso_suffix: dict[str, str] = {}

    # principals
    def sso(self, user: str, permission_set: str, ip: str) -> J:
        suffix = self._sso_suffix.setdefault(permission_set, hexs(self.rng, 16))
        role = f"AWSReservedSSO_{permission_set}_{suffix}"
        return {
            "_ip": ip,
            "_ua": "console",
            "type": "AssumedRole",
            "principalId": f"AROA{alnum(self.rng, 17)}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": f"ASIA{alnum(self.rng, 16)}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{alnum(self.rng, 17)}",
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str, ip: str, ua: str) -> J:
        return {
            "_ip": ip,
            "_ua": ua,
            "type": "AssumedRole",
            "principalId": f"AROA{alnum(self.rng, 17)}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": f"ASIA{alnum(self.rng, 16)}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{alnum(self.rng, 17)}",
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def service_role(self, role: str, session: str, service: str) -> J:
        ident = self.role(role, session, service, service)
        ident["invokedBy"] = service
        return ident

    def aws_service(self, service: str) -> J:
        return {"_ip": service, "_ua": service, "type": "AWSService", "invokedBy": service}

    def add(
        self,
        t: datetime,
        who: J,
        source: str,
        name: str,
        req: J | None,
        resp: J | None = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        resources: list[J] | None = None,
        ua: str | None = None,
        event_type: str = "AwsApiCall",
        host: str | None = None,
    ) -> J:
        ident = {k: v for k, v in who.items() if not k.startswith("_")}
        if "sessionContext" in ident:
            ctx = json.loads(json.dumps(ident["sessionContext"]))
            created = t - timedelta(minutes=self.rng.randint(3, 50), seconds=self.rng.randint(0, 59))
            ctx["attributes"]["creationDate"] = iso(created)
            ident["sessionContext"] = ctx
        agent = ua or who["_ua"]
        if agent == "console":
            agent = (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/124.0.0.0 Safari/537.36"
            )
        rec: J = {
            "eventVersion": "1.09" if ident.get("type") == "AWSService" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who["_ip"],
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = uid(self.rng)
        rec["eventID"] = uid(self.rng)
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = event_type
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if ident.get("type") != "AWSService" and not str(who["_ip"]).endswith("amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host or f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.records.append(rec)
        return rec

    def sorted(self, now: datetime) -> list[J]:
        rows = [r for r in self.records if r["eventTime"] <= iso(now)]
        return sorted(rows, key=lambda r: r["eventTime"])


def scatter(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))


# --- network / common resources -------------------------------------------------------------------


def ip_in(rng: random.Random, prefix: str) -> str:
    return f"{prefix}.{rng.randint(4, 250)}"


def vpc_block(
    rng: random.Random, account: str, region: str, name: str, second_octet: int
) -> tuple[J, list[J]]:
    """A VPC and three private subnets. Returns (vpc, subnets)."""
    vpc_id = f"vpc-0{hexs(rng, 16)}"
    vpc = {
        "VpcId": vpc_id,
        "CidrBlock": f"10.{second_octet}.0.0/16",
        "State": "available",
        "DhcpOptionsId": f"dopt-0{hexs(rng, 16)}",
        "InstanceTenancy": "default",
        "IsDefault": False,
        "OwnerId": account,
        "Tags": [{"Key": "Name", "Value": name}],
    }
    subnets = []
    for i, az in enumerate("abc"):
        subnets.append(
            {
                "SubnetId": f"subnet-0{hexs(rng, 16)}",
                "VpcId": vpc_id,
                "CidrBlock": f"10.{second_octet}.{32 * (i + 1)}.0/20",
                "AvailabilityZone": f"{region}{az}",
                "AvailableIpAddressCount": rng.randint(3800, 4080),
                "State": "available",
                "MapPublicIpOnLaunch": False,
                "OwnerId": account,
                "SubnetArn": f"arn:aws:ec2:{region}:{account}:subnet/subnet-0{hexs(rng, 16)}",
                "Tags": [{"Key": "Name", "Value": f"{name}-private-{region}{az}"}],
            }
        )
    for s in subnets:
        s["SubnetArn"] = f"arn:aws:ec2:{region}:{account}:subnet/{s['SubnetId']}"
    return vpc, subnets


def security_group(
    rng: random.Random, account: str, vpc_id: str, name: str, desc: str, ingress: list[J]
) -> J:
    return {
        "GroupId": f"sg-0{hexs(rng, 16)}",
        "GroupName": name,
        "Description": desc,
        "OwnerId": account,
        "VpcId": vpc_id,
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
    }


def res(service: str, type_: str, item: J) -> J:
    return {"service": service, "type": type_, "item": item}


def log(group: str, stream: str, t: datetime, message: str) -> J:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def sort_logs(rows: list[J], now: datetime) -> list[J]:
    cut = ms(now)
    return sorted(
        (r for r in rows if r["timestamp"] <= cut),
        key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]),
    )


def sort_metrics(rows: list[J], now: datetime) -> list[J]:
    cut = iso(now)
    return [r for r in rows if r["timestamp"] <= cut]


def log_group_item(account: str, region: str, name: str, created: datetime, retention: int = 30) -> J:
    return {
        "logGroupName": name,
        "creationTime": ms(created),
        "retentionInDays": retention,
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": 0,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
    }


def ecs_task_id(rng: random.Random) -> str:
    return hexs(rng, 32)


def ecs_service_item(
    *,
    account: str,
    region: str,
    cluster: str,
    name: str,
    task_def: str,
    desired: int,
    created: datetime,
    deployed: datetime,
    subnets: list[str],
    sgs: list[str],
    rng: random.Random,
    target_groups: list[J] | None = None,
    events: list[J] | None = None,
) -> J:
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    return {
        "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/{name}",
        "serviceName": name,
        "clusterArn": cluster_arn,
        "loadBalancers": target_groups or [],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": desired,
        "runningCount": desired,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": task_def,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [
            {
                "id": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
                "status": "PRIMARY",
                "taskDefinition": task_def,
                "desiredCount": desired,
                "pendingCount": 0,
                "runningCount": desired,
                "failedTasks": 0,
                "createdAt": iso(deployed),
                "updatedAt": iso(deployed + timedelta(minutes=rng.randint(3, 7))),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": sgs,
                        "assignPublicIp": "DISABLED",
                    }
                },
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment ecs-svc completed.",
            }
        ],
        "roleArn": f"arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": events or [],
        "createdAt": iso(created),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": subnets, "securityGroups": sgs, "assignPublicIp": "DISABLED"}
        },
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": f"arn:aws:iam::{account}:role/terraform-apply",
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }


def steady_state_event(rng: random.Random, service_arn: str, name: str, t: datetime) -> J:
    return {
        "source": "ecs",
        "item": {
            "service_arn": service_arn,
            "event": {
                "id": uid(rng),
                "createdAt": iso(t),
                "message": f"(service {name}) has reached a steady state.",
            },
        },
    }
