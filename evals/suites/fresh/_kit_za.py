# Incidents of kit `za`, in the order written:
#  1. change: a Terraform apply rewrites a DynamoDB-stream event source mapping's filter with a misspelt
#     attribute, so the order-status notifier Lambda silently stops seeing status updates (grocery app).
#  2. change: an RDS Proxy target group's MaxConnectionsPercent is cut late morning; the ECS/Fargate
#     remittance API behind an ALB starts timing out only at the afternoon peak, database itself idle.
#  3. component_failure: one node of a Memcached cluster fails and is replaced; the catalogue MySQL
#     database takes the misses (CPU alarm) and product API latency rises, nothing changed.
#  4. limit: the monthly meter-readings table is created fresh (on-demand) at month end; the partner's
#     month-start bulk drop exceeds a new on-demand table's initial throughput and the ingest queue backs up.
#  5. no fault: a Lambda-backed HTTP API p99 Duration alarm fires for a few minutes during the weekly
#     newsletter send (cold starts while scaling), then clears; no errors.
"""Private helpers shared by kit `za` incidents: time, ids, noise series, alarms, CloudTrail records."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]

# --------------------------------------------------------------------------------------------- time


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def minutes(start: datetime, end: datetime, step: int = 60) -> Iterable[datetime]:
    t = start
    while t < end:
        yield t
        t += timedelta(seconds=step)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def pick_day(rng: random.Random, weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)) -> datetime:
    """A date in 2024/2025 whose weekday is one of `weekdays` (Monday 0)."""
    base = datetime(2024, 3, 1, tzinfo=UTC)
    while True:
        d = base + timedelta(days=rng.randrange(0, 600))
        if d.weekday() in weekdays:
            return d


def diurnal(t: datetime, utc_offset_h: float = 0.0, low: float = 0.25) -> float:
    """A daily traffic shape in local time: trough about 04:00, broad peak in the afternoon (0..1]."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((h - 15.0) / 24 * 2 * math.pi)  # 1 at 15:00, -1 at 03:00
    return low + (1 - low) * (0.5 + 0.5 * x) ** 1.6


# ---------------------------------------------------------------------------------------------- ids


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def account(self) -> str:
        return str(self.rng.randrange(1, 10)) + "".join(str(self.rng.randrange(10)) for _ in range(11))

    def instance(self) -> str:
        return "i-0" + self.hex(16)

    def res(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def role_id(self) -> str:
        return "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    def key_id(self, prefix: str = "ASIA") -> str:
        return prefix + self.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    def trace(self, t: datetime) -> str:
        return f"1-{int(t.timestamp()):08x}-{self.hex(24)}"

    def ip(self, prefix: str) -> str:
        return f"{prefix}.{self.rng.randrange(1, 254)}"

    def public_ip(self) -> str:
        return f"{self.rng.choice([3, 18, 34, 35, 52, 54])}.{self.rng.randrange(1, 255)}.{self.rng.randrange(255)}.{self.rng.randrange(1, 255)}"


# ------------------------------------------------------------------------------------------ metrics


@dataclass
class Metrics:
    """Accumulates metric datapoints; keeps per-minute values so alarms can be evaluated against them."""

    rows: list[Json] = field(default_factory=list)
    points: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)

    def add(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        times: Iterable[datetime],
        fn: Callable[[datetime], float | None],
        *,
        key: str | None = None,
        digits: int = 2,
        integer: bool = False,
    ) -> None:
        keep: list[tuple[datetime, float]] = []
        for t in times:
            v = fn(t)
            if v is None:
                continue
            v = float(round(v)) if integer else round(float(v), digits)
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
            keep.append((t, v))
        if key:
            self.points[key] = keep

    def add_dist(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        times: Iterable[datetime],
        fn: Callable[[datetime], tuple[list[float], list[float]] | None],
        *,
        key: str | None = None,
    ) -> None:
        """Distribution datapoints (values + counts), so percentiles can be computed."""
        keep: list[tuple[datetime, float]] = []
        for t in times:
            got = fn(t)
            if got is None:
                continue
            values, counts = got
            self.rows.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "values": values,
                    "counts": counts,
                }
            )
            keep.append((t, percentile(values, counts, 99.0)))
        if key:
            self.points[key] = keep


def percentile(values: list[float], counts: list[float], p: float) -> float:
    pairs = sorted(zip(values, counts, strict=True))
    total = sum(c for _, c in pairs)
    need = total * p / 100.0
    run = 0.0
    for v, c in pairs:
        run += c
        if run >= need:
            return v
    return pairs[-1][0]


def latency_dist(
    rng: random.Random, median: float, p99: float, n: float, digits: int = 1
) -> tuple[list[float], list[float]]:
    """A small latency distribution: median, a shoulder, the tail at p99 and a rare max."""
    n = max(n, 4.0)
    med = median * rng.uniform(0.93, 1.07)
    tail = max(p99 * rng.uniform(0.9, 1.1), med * 1.2)
    values = [
        round(med * 0.55, digits),
        round(med, digits),
        round((med + tail) / 2.3, digits),
        round(tail, digits),
        round(tail * rng.uniform(1.15, 1.6), digits),
    ]
    share = [0.30, 0.45, 0.235, 0.01, 0.005]
    counts = [float(max(1, round(n * s))) for s in share]
    return values, counts


def noisy(rng: random.Random, base: float, rel: float = 0.08) -> float:
    return max(0.0, base * (1 + rng.gauss(0, rel)))


def const_noise(rng: random.Random, base: float, rel: float = 0.08) -> Callable[[datetime], float]:
    return lambda _t: noisy(rng, base, rel)


# ------------------------------------------------------------------------------------------- alarms


def alarm_item(
    *,
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
    datapoints: int,
    threshold: float,
    comparison: str,
    unit: str | None = None,
    treat_missing: str = "missing",
    topic_arn: str,
    configured: datetime,
) -> Json:
    item: Json = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(configured),
        "ActionsEnabled": True,
        "OKActions": [topic_arn],
        "AlarmActions": [topic_arn],
        "InsufficientDataActions": [],
        "MetricName": metric,
        "Namespace": namespace,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evaluation_periods,
        "DatapointsToAlarm": datapoints,
        "Threshold": float(threshold),
        "ComparisonOperator": comparison,
        "TreatMissingData": treat_missing,
    }
    if statistic.startswith("p"):
        item["ExtendedStatistic"] = statistic
    else:
        item["Statistic"] = statistic
    if unit:
        item["Unit"] = unit
    return item


def _agg(vals: list[float], statistic: str) -> float:
    if statistic == "Sum":
        return sum(vals)
    if statistic == "Maximum" or statistic.startswith("p"):
        return max(vals)
    if statistic == "Minimum":
        return min(vals)
    if statistic == "SampleCount":
        return float(len(vals))
    return sum(vals) / len(vals)


def _breach(v: float, threshold: float, comparison: str) -> bool:
    return {
        "GreaterThanThreshold": v > threshold,
        "GreaterThanOrEqualToThreshold": v >= threshold,
        "LessThanThreshold": v < threshold,
        "LessThanOrEqualToThreshold": v <= threshold,
    }[comparison]


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


def evaluate_alarm(
    item: Json,
    points: list[tuple[datetime, float]],
    start: datetime,
    now: datetime,
    eval_delay_s: int = 50,
    ok_since: datetime | None = None,
) -> tuple[Json, list[Json], list[Json]]:
    """Run the alarm over the per-minute points; return (final item, history items, transitions).

    Each transition is {time, old, new, reason, reason_data} for building EventBridge events."""
    period = int(item["Period"])
    n = int(item["EvaluationPeriods"])
    m = int(item["DatapointsToAlarm"])
    thr = float(item["Threshold"])
    cmp_ = item["ComparisonOperator"]
    stat = item.get("Statistic") or item.get("ExtendedStatistic") or "Average"
    buckets: dict[datetime, list[float]] = {}
    for t, v in points:
        b = datetime.fromtimestamp(int(t.timestamp()) // period * period, UTC)
        buckets.setdefault(b, []).append(v)
    agg = {b: _agg(vs, stat) for b, vs in buckets.items()}
    state = "OK"
    transitions: list[Json] = []
    first = datetime.fromtimestamp((int(start.timestamp()) // period + n) * period, UTC)
    t = first
    while t + timedelta(seconds=eval_delay_s) <= now:
        window = [t - timedelta(seconds=period * (i + 1)) for i in range(n)]
        present = [(w, agg[w]) for w in reversed(window) if w in agg]
        breaching = [(w, v) for w, v in present if _breach(v, thr, cmp_)]
        if len(breaching) >= m:
            new = "ALARM"
        elif present:
            new = "OK"
        else:
            new = "OK" if item.get("TreatMissingData") == "notBreaching" else state
        if new != state:
            when = t + timedelta(seconds=eval_delay_s, milliseconds=(int(t.timestamp()) * 37) % 900)
            shown = [v for _, v in present][-n:]
            sym = {
                "GreaterThanThreshold": "greater than",
                "GreaterThanOrEqualToThreshold": "greater than or equal to",
                "LessThanThreshold": "less than",
                "LessThanOrEqualToThreshold": "less than or equal to",
            }[cmp_]
            if new == "ALARM":
                count = len(breaching)
                reason = (
                    f"Threshold Crossed: {count} out of the last {n} datapoints "
                    f"[{', '.join(_fmt(v) + ' (' + w.strftime('%d/%m/%y %H:%M:%S') + ')' for w, v in reversed(breaching))}] "
                    f"was {sym} the threshold ({_fmt(thr)}) (minimum {m} datapoint"
                    f"{'s' if m > 1 else ''} for OK -> ALARM transition)."
                )
            elif new == "OK":
                ok = [(w, v) for w, v in present if not _breach(v, thr, cmp_)]
                lead = ok[-1] if ok else present[-1]
                reason = (
                    f"Threshold Crossed: 1 datapoint [{_fmt(lead[1])} ({lead[0].strftime('%d/%m/%y %H:%M:%S')})] "
                    f"was not {sym} the threshold ({_fmt(thr)})."
                )
            else:
                reason = "Insufficient Data: 0 datapoints were received for 1 period and 0 missing datapoints were treated as [NonBreaching]."
            rd: Json = {
                "version": "1.0",
                "queryDate": iso_ms(when).replace("Z", "+0000"),
                "startDate": iso_ms(window[-1]).replace("Z", "+0000"),
                "statistic": stat if not stat.startswith("p") else None,
                "period": period,
                "recentDatapoints": [round(v, 6) for v in shown],
                "threshold": thr,
                "evaluatedDatapoints": [
                    {
                        "timestamp": iso_ms(w).replace("Z", "+0000"),
                        "sampleCount": float(len(buckets[w])),
                        "value": round(v, 6),
                    }
                    for w, v in reversed(present)
                ],
            }
            if stat.startswith("p"):
                rd.pop("statistic")
                rd["extendedStatistic"] = stat
            transitions.append(
                {
                    "time": when,
                    "old": state,
                    "new": new,
                    "reason": reason,
                    "reason_data": json.dumps(rd, separators=(",", ":")),
                }
            )
            state = new
        t += timedelta(seconds=period)
    final = dict(item)
    history: list[Json] = []
    prev_value = "OK"
    sym0 = {
        "GreaterThanThreshold": "greater than",
        "GreaterThanOrEqualToThreshold": "greater than or equal to",
        "LessThanThreshold": "less than",
        "LessThanOrEqualToThreshold": "less than or equal to",
    }[cmp_]
    first_pts = sorted(agg.items())
    seed_v = first_pts[0][1] if first_pts else 0.0
    since = ok_since or (start - timedelta(days=2, minutes=13))
    prev_reason = (
        f"Threshold Crossed: 1 datapoint [{_fmt(seed_v)} ({since.strftime('%d/%m/%y %H:%M:%S')})] "
        f"was not {sym0} the threshold ({_fmt(thr)})."
    )
    for tr in transitions:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": tr["old"], "stateReason": prev_reason},
            "newState": {
                "stateValue": tr["new"],
                "stateReason": tr["reason"],
                "stateReasonData": tr["reason_data"],
            },
        }
        history.append(
            {
                "AlarmName": item["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(tr["time"]),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {tr['old']} to {tr['new']}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )
        prev_value, prev_reason = tr["new"], tr["reason"]
    last = transitions[-1] if transitions else None
    final["StateValue"] = prev_value
    final["StateReason"] = prev_reason
    if last:
        final["StateReasonData"] = last["reason_data"]
        final["StateUpdatedTimestamp"] = iso_ms(last["time"])
        final["StateTransitionedTimestamp"] = iso_ms(last["time"])
    else:
        final["StateUpdatedTimestamp"] = iso_ms(since)
        final["StateTransitionedTimestamp"] = iso_ms(since)
    return final, history, transitions


def alarm_event(item: Json, transition: Json, account: str, region: str, ids: Ids, old_reason: str) -> Json:
    """An EventBridge "CloudWatch Alarm State Change" event for one transition."""
    metric: Json = {
        "namespace": item["Namespace"],
        "name": item["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in item["Dimensions"]},
    }
    stat = item.get("Statistic") or item.get("ExtendedStatistic")
    ts = iso_ms(transition["time"]).replace("Z", "+0000")
    return {
        "version": "0",
        "id": ids.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(transition["time"]),
        "region": region,
        "resources": [item["AlarmArn"]],
        "detail": {
            "alarmName": item["AlarmName"],
            "state": {
                "value": transition["new"],
                "reason": transition["reason"],
                "reasonData": transition["reason_data"],
                "timestamp": ts,
            },
            "previousState": {
                "value": transition["old"],
                "reason": old_reason,
                "timestamp": ts,
            },
            "configuration": {
                "description": item.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {"metric": metric, "period": item["Period"], "stat": stat},
                        "returnData": True,
                    }
                ],
            },
        },
    }


# ---------------------------------------------------------------------------------------- cloudtrail


@dataclass
class Principal:
    """Who made a call: enough to write CloudTrail's userIdentity."""

    kind: str  # "sso", "role", "service", "web"
    account: str
    role: str  # role name (for sso: the AWSReservedSSO_… role)
    session: str  # session name (for sso: the user's e-mail)
    role_id: str
    key_id: str
    ip: str
    agent: str
    invoked_by: str | None = None
    region: str = "us-east-1"
    session_start: datetime | None = None

    def identity(self, when: datetime) -> Json:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.invoked_by}
        if self.kind == "sso":
            issuer_arn = (
                f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{self.role}"
            )
        else:
            issuer_arn = f"arn:aws:iam::{self.account}:role/{self.role}"
        began = self.session_start or (when - timedelta(minutes=17))
        ident: Json = {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.session}",
            "accountId": self.account,
            "accessKeyId": self.key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": issuer_arn,
                    "accountId": self.account,
                    "userName": self.role,
                },
                "attributes": {"creationDate": iso(began), "mfaAuthenticated": "false"},
            },
        }
        if self.kind == "web":
            ident["sessionContext"]["webIdFederationData"] = {}
        if self.invoked_by:
            ident["invokedBy"] = self.invoked_by
        return ident


def principal(
    ids: Ids,
    account: str,
    region: str,
    kind: str,
    role: str,
    session: str,
    agent: str,
    ip: str | None = None,
    invoked_by: str | None = None,
) -> Principal:
    return Principal(
        kind=kind,
        account=account,
        role=role,
        session=session,
        role_id=ids.role_id(),
        key_id=ids.key_id(),
        ip=ip or (invoked_by or ids.public_ip()),
        agent=agent,
        invoked_by=invoked_by,
        region=region,
    )


def ct_record(
    ids: Ids,
    who: Principal,
    when: datetime,
    source: str,
    name: str,
    request: Json | None,
    response: Json | None = None,
    *,
    read_only: bool,
    region: str,
    account: str,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
) -> Json:
    rec: Json = {
        "eventVersion": "1.09" if who.kind != "service" else "1.08",
        "userIdentity": who.identity(when),
        "eventTime": iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.ip,
        "userAgent": who.agent,
        "requestParameters": request,
        "responseElements": response,
        "requestID": ids.uuid(),
        "eventID": ids.uuid(),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    if resources:
        rec["resources"] = resources
    if who.kind not in ("service",) and not who.invoked_by:
        host = source.replace(".amazonaws.com", f".{region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    return rec


# Agents as the real tools write them.
AGENT_CONSOLE = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
AGENT_CLI = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"
AGENT_TF = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{api}"
AGENT_BOTO = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.84"
AGENT_DATADOG = "datadog-aws-integration/1.0 aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"
AGENT_JS = "aws-sdk-js/3.556.0 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.12.1 api/{api}#3.556.0"


def spread_times(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = int((end - start).total_seconds())
    return sorted(start + timedelta(seconds=rng.randrange(0, max(span, 1))) for _ in range(n))


def routine_reads(
    rng: random.Random,
    ids: Ids,
    who: list[Principal],
    calls: list[tuple[str, str, Json | None]],
    start: datetime,
    end: datetime,
    n: int,
    region: str,
    account: str,
) -> list[Json]:
    out = []
    for t in spread_times(rng, start, end, n):
        p = who[rng.randrange(len(who))]
        src, name, req = calls[rng.randrange(len(calls))]
        out.append(ct_record(ids, p, t, src, name, req, None, read_only=True, region=region, account=account))
    return out


def sort_ct(records: list[Json]) -> list[Json]:
    return sorted(records, key=lambda r: (r["eventTime"], r["eventID"]))


def sort_logs(rows: list[Json]) -> list[Json]:
    return sorted(rows, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))


def log(group: str, stream: str, t: datetime, message: str) -> Json:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def lambda_report(
    rng: random.Random,
    ids: Ids,
    group: str,
    stream: str,
    t: datetime,
    duration_ms: float,
    memory_mb: int,
    used_mb: int,
    body: list[str],
    init_ms: float | None = None,
    version: str = "$LATEST",
) -> list[Json]:
    """START / body / END / REPORT lines of one Lambda invocation (text log format)."""
    rid = ids.uuid()
    rows = [log(group, stream, t, f"START RequestId: {rid} Version: {version}\n")]
    for i, line in enumerate(body):
        at = t + timedelta(milliseconds=duration_ms * (i + 1) / (len(body) + 1))
        rows.append(log(group, stream, at, line.replace("{rid}", rid)))
    end = t + timedelta(milliseconds=duration_ms)
    rows.append(log(group, stream, end, f"END RequestId: {rid}\n"))
    billed = math.ceil(duration_ms)
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    rows.append(log(group, stream, end, report + "\n"))
    return rows


def lambda_stream(ids: Ids, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{ids.hex(32)}"


def sns_topic(account: str, region: str, name: str, display: str = "") -> Json:
    arn = f"arn:aws:sns:{region}:{account}:{name}"
    return {
        "service": "sns",
        "type": "Topic",
        "item": {
            "TopicArn": arn,
            "Attributes": {
                "TopicArn": arn,
                "Owner": account,
                "DisplayName": display,
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": json.dumps(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                                "numMaxDelayRetries": 0,
                                "numNoDelayRetries": 0,
                                "numMinDelayRetries": 0,
                                "backoffFunction": "linear",
                            },
                            "disableSubscriptionOverrides": False,
                            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
                        }
                    },
                    separators=(",", ":"),
                ),
                "Policy": json.dumps(
                    {
                        "Version": "2008-10-17",
                        "Id": "__default_policy_ID",
                        "Statement": [
                            {
                                "Sid": "__default_statement_ID",
                                "Effect": "Allow",
                                "Principal": {"AWS": "*"},
                                "Action": ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"],
                                "Resource": arn,
                                "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                            }
                        ],
                    },
                    separators=(",", ":"),
                ),
            },
        },
    }


def log_group(
    account: str, region: str, name: str, retention: int | None, created: datetime, stored: int
) -> Json:
    item: Json = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": stored,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
    }
    if retention:
        item["retentionInDays"] = retention
    return {"service": "logs", "type": "LogGroup", "item": item}


def role(account: str, name: str, role_id: str, created: datetime, service: str, path: str = "/") -> Json:
    return {
        "service": "iam",
        "type": "Role",
        "item": {
            "Path": path,
            "RoleName": name,
            "RoleId": role_id,
            "Arn": f"arn:aws:iam::{account}:role{path}{name}",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                    ],
                }
            ),
            "MaxSessionDuration": 3600,
        },
    }


# ------------------------------------------------------------------------------ resource builders


@dataclass
class Net:
    vpc: str
    subnets: list[str]
    azs: list[str]
    sg_alb: str
    sg_app: str
    sg_db: str


def net(ids: Ids, region: str) -> Net:
    return Net(
        vpc=ids.res("vpc"),
        subnets=[ids.res("subnet") for _ in range(3)],
        azs=[f"{region}a", f"{region}b", f"{region}c"],
        sg_alb=ids.res("sg"),
        sg_app=ids.res("sg"),
        sg_db=ids.res("sg"),
    )


def alb(ids: Ids, account: str, region: str, n: Net, name: str, created: datetime) -> tuple[Json, str, str]:
    """(resource, arn, the CloudWatch `LoadBalancer` dimension value)."""
    h = ids.hex(16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{h}"
    item = {
        "LoadBalancerArn": arn,
        "DNSName": f"{name}-{ids.rng.randrange(10**8, 10**10)}.{region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
        "CreatedTime": iso(created),
        "LoadBalancerName": name,
        "Scheme": "internet-facing",
        "VpcId": n.vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []}
            for az, sn in zip(n.azs, n.subnets, strict=True)
        ],
        "SecurityGroups": [n.sg_alb],
        "IpAddressType": "ipv4",
    }
    return {"service": "elbv2", "type": "LoadBalancer", "item": item}, arn, f"app/{name}/{h}"


def target_group(
    ids: Ids, account: str, region: str, n: Net, name: str, lb_arn: str, port: int, path: str
) -> tuple[Json, str, str]:
    h = ids.hex(16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{h}"
    item = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": n.vpc,
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
        "TargetType": "ip",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    return {"service": "elbv2", "type": "TargetGroup", "item": item}, arn, f"targetgroup/{name}/{h}"


def ecs_cluster(account: str, region: str, name: str, services: int, tasks: int) -> Json:
    return {
        "service": "ecs",
        "type": "Cluster",
        "item": {
            "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{name}",
            "clusterName": name,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks,
            "pendingTasksCount": 0,
            "activeServicesCount": services,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    }


def task_definition(
    account: str,
    region: str,
    family: str,
    revision: int,
    image: str,
    cpu: int,
    memory: int,
    port: int,
    env: dict[str, str],
    registered: datetime,
    registered_by: str,
) -> Json:
    return {
        "service": "ecs",
        "type": "TaskDefinition",
        "item": {
            "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{family}:{revision}",
            "family": family,
            "revision": revision,
            "taskRoleArn": f"arn:aws:iam::{account}:role/{family}-task",
            "executionRoleArn": f"arn:aws:iam::{account}:role/{family}-exec",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": family,
                    "image": image,
                    "cpu": 0,
                    "essential": True,
                    "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
                    "environment": [{"name": a, "value": b} for a, b in env.items()],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{family}",
                            "awslogs-region": region,
                            "awslogs-stream-prefix": "app",
                        },
                    },
                }
            ],
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": str(cpu),
            "memory": str(memory),
            "registeredAt": iso(registered),
            "registeredBy": registered_by,
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        },
    }


def ecs_service(
    ids: Ids,
    account: str,
    region: str,
    n: Net,
    cluster: str,
    name: str,
    task_def_arn: str,
    tg_arn: str | None,
    port: int,
    desired: int,
    created: datetime,
    deployed: datetime,
) -> Json:
    lbs = [{"targetGroupArn": tg_arn, "containerName": name, "containerPort": port}] if tg_arn else []
    return {
        "service": "ecs",
        "type": "Service",
        "item": {
            "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/{name}",
            "serviceName": name,
            "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
            "loadBalancers": lbs,
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": desired,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": task_def_arn,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": f"ecs-svc/{ids.rng.randrange(10**18, 10**19)}",
                    "status": "PRIMARY",
                    "taskDefinition": task_def_arn,
                    "desiredCount": desired,
                    "pendingCount": 0,
                    "runningCount": desired,
                    "failedTasks": 0,
                    "createdAt": iso(deployed),
                    "updatedAt": iso(deployed + timedelta(minutes=6)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": n.subnets,
                            "securityGroups": [n.sg_app],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": iso(created),
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": n.subnets,
                    "securityGroups": [n.sg_app],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 60 if tg_arn else 0,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{account}:role/gha-ecs-deploy",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    }


def ecs_event(service_arn: str, ids: Ids, t: datetime, message: str) -> Json:
    return {
        "source": "ecs",
        "item": {
            "service_arn": service_arn,
            "event": {"id": ids.uuid(), "createdAt": iso(t), "message": message},
        },
    }


def task_ips(ids: Ids, count: int, prefix: str = "10.40") -> list[str]:
    out: list[str] = []
    while len(out) < count:
        ip = f"{prefix}.{ids.rng.choice([16, 32, 48])}.{ids.rng.randrange(4, 250)}"
        if ip not in out:
            out.append(ip)
    return out


def target_health(
    tg_arn: str, ip: str, port: int, az: str, t: datetime, state: str, reason: str | None = None
) -> Json:
    health: Json = {"State": state}
    if reason:
        health["Reason"] = reason
        health["Description"] = {
            "Elb.RegistrationInProgress": "Target registration is in progress",
            "Target.DeregistrationInProgress": "Target deregistration is in progress",
            "Target.ResponseCodeMismatch": "Health checks failed with these codes: [503]",
            "Target.Timeout": "Request timed out",
        }.get(reason, reason)
    return {
        "source": "target_health",
        "item": {
            "target_group_arn": tg_arn,
            "target": {"Id": ip, "Port": port, "AvailabilityZone": az},
            "health": health,
            "timestamp": iso(t),
        },
    }
