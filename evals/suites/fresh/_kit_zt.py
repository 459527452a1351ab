# Incidents of kit zt, in the order they are written:
# 1. change: a CI job moved an ECR mutable tag hours earlier; a later, harmless env-only ECS redeploy re-resolved
#    the tag to the new digest (code that needs an unmigrated column) and the orders API starts failing reads.
# 2. component_failure: the EBS data volume under a self-managed MongoDB primary on EC2 stalls; the Fargate
#    services that write through it time out while the instance itself looks fine.
# 3. limit: on an EKS cluster, CoreDNS forwarding to the VPC resolver exceeds the 1024 pps per-ENI link-local
#    allowance at the evening peak; intermittent DNS failures across many pods, far from the nodes that drop.
# 4. no fault: a freshly created p99 TargetResponseTime alarm on a long-polling service goes to ALARM at once;
#    the latency it sees has looked like that for days.
"""Private helpers for kit zt's fresh incidents: ids, noise, CloudTrail records, alarms, metric grids."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


# --- time -----------------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """CloudWatch's own timestamp style in alarm reason data: 2025-06-13T13:10:41.273+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def epoch_ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def pick_day(rng: random.Random, year: int = 2025, weekdays: bool = True) -> datetime:
    """A date in 2025 (a weekday unless told), at midnight UTC."""
    while True:
        d = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(20, 330))
        if not weekdays or d.weekday() < 5:
            return d


# --- ids ------------------------------------------------------------------------------------------


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def ec2(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def access_key(self, temp: bool = True) -> str:
        return ("ASIA" if temp else "AKIA") + self.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    def role_id(self) -> str:
        return "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    def digest(self) -> str:
        return "sha256:" + self.hex(64)

    def ip(self, public: bool = True) -> str:
        if public:
            first = self.rng.choice([3, 18, 34, 35, 52, 54, 63, 81, 86, 94, 176, 185, 212])
            return f"{first}.{self.rng.randrange(1, 255)}.{self.rng.randrange(1, 255)}.{self.rng.randrange(1, 255)}"
        return f"10.{self.rng.randrange(0, 255)}.{self.rng.randrange(0, 255)}.{self.rng.randrange(2, 254)}"


# --- noise and shapes -----------------------------------------------------------------------------


def daily(t: datetime, peak_hour_utc: float, low: float = 0.35, width: float = 4.5) -> float:
    """A 0..1 daily traffic shape: `low` overnight, 1.0 at the peak hour (UTC)."""
    h = t.hour + t.minute / 60.0
    d = min(abs(h - peak_hour_utc), 24 - abs(h - peak_hour_utc))
    bump = math.exp(-((d / width) ** 2))
    return low + (1 - low) * bump


def jitter(rng: random.Random, value: float, pct: float) -> float:
    return value * (1 + rng.gauss(0, pct))


def ramp(t: datetime, start: datetime, full: datetime) -> float:
    """0 before start, 1 after full, linear between."""
    if t <= start:
        return 0.0
    if t >= full:
        return 1.0
    return (t - start).total_seconds() / (full - start).total_seconds()


def grid(start: datetime, now: datetime, fine_from: datetime, coarse: int = 5) -> list[tuple[datetime, int]]:
    """Timestamps with their period in seconds: `coarse`-minute points before fine_from, 1-minute after."""
    out: list[tuple[datetime, int]] = []
    t = minute(start)
    t = t - timedelta(minutes=t.minute % coarse)
    while t < fine_from:
        out.append((t, coarse * 60))
        t += timedelta(minutes=coarse)
    t = minute(fine_from)
    while t <= now - timedelta(minutes=1):
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


def latency_dist(
    rng: random.Random,
    n: int,
    median: float,
    sigma: float,
    tail: float = 0.0,
    tail_value: float = 0.0,
    tail_sigma: float = 0.04,
) -> tuple[list[float], list[float]]:
    """A compact distribution (values, counts) for `n` requests, lognormal around `median` seconds, with a
    fraction `tail` of requests near `tail_value`."""
    k = max(1, min(n, 120))
    samples = []
    for _ in range(k):
        if tail and rng.random() < tail:
            samples.append(max(0.001, tail_value * (1 + rng.gauss(0, tail_sigma))))
        else:
            samples.append(median * math.exp(rng.gauss(0, sigma)))
    buckets: dict[float, float] = {}
    for s in samples:
        key = round(s, 3) if s < 1 else round(s, 2)
        buckets[key] = buckets.get(key, 0) + n / k
    values = sorted(buckets)
    return values, [round(buckets[v], 2) for v in values]


# --- records --------------------------------------------------------------------------------------


@dataclass
class Actor:
    identity: Json
    ip: str
    ua: str
    console: bool = False


@dataclass
class Ctx:
    name: str
    seed: int
    account: str
    region: str
    rng: random.Random = field(init=False)
    ids: Ids = field(init=False)
    metrics: list[Json] = field(default_factory=list)
    alarms: list[Json] = field(default_factory=list)
    history: list[Json] = field(default_factory=list)
    logs: list[Json] = field(default_factory=list)
    trail: list[Json] = field(default_factory=list)
    resources: list[Json] = field(default_factory=list)
    events: list[Json] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.name}:{self.seed}")
        self.ids = Ids(self.rng)

    # metrics
    def put(
        self, ns: str, metric: str, dims: dict[str, str], t: datetime, value: float, unit: str = "None"
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 4),
            }
        )

    def put_stats(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        n: float,
        total: float,
        lo: float,
        hi: float,
        unit: str = "None",
    ) -> None:
        n = max(n, 1)
        lo = min(lo, hi)
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": round(n, 2),
                    "Sum": round(total, 4),
                    "Minimum": round(lo, 4),
                    "Maximum": round(hi, 4),
                },
            }
        )

    def put_dist(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        values: list[float],
        counts: list[float],
        unit: str = "Seconds",
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": values,
                "counts": counts,
            }
        )

    # logs
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": epoch_ms(t), "message": message}
        )

    # resources and events
    def res(self, service: str, type_: str, item: Json) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: Json) -> None:
        self.events.append({"source": source, "item": item})

    # CloudTrail
    def ct(
        self,
        t: datetime,
        who: Actor,
        source: str,
        name: str,
        params: Json | None = None,
        resp: Json | None = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        resources: list[Json] | None = None,
        extra: Json | None = None,
    ) -> Json:
        service_host = source.replace(".amazonaws.com", "")
        rec: Json = {
            "eventVersion": "1.11" if who.identity.get("type") != "AWSService" else "1.08",
            "userIdentity": who.identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.ip,
            "userAgent": who.ua,
            "requestParameters": params,
            "responseElements": resp,
            "requestID": self.ids.uuid(),
            "eventID": self.ids.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if resources:
            rec["resources"] = resources
        if who.identity.get("type") != "AWSService" and not who.ip.endswith(".amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{service_host}.{self.region}.amazonaws.com",
            }
        if who.console:
            rec["sessionCredentialFromConsole"] = "true"
        if extra:
            rec.update(extra)
        self.trail.append(rec)
        return rec

    # actors
    def sso(
        self, user: str, permission_set: str, when: datetime, ip: str | None = None, console: bool = False
    ) -> Actor:
        role = f"AWSReservedSSO_{permission_set}_{self.ids.hex(16)}"
        rid = self.ids.role_id()
        identity = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": self.ids.access_key(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(when), "mfaAuthenticated": "false"},
            },
        }
        ua = (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
            if console
            else "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#"
        )
        return Actor(identity, ip or self.ids.ip(), ua, console)

    def role(self, role_name: str, session: str, when: datetime, ip: str, ua: str, path: str = "/") -> Actor:
        rid = self.ids.role_id()
        identity = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session}",
            "accountId": self.account,
            "accessKeyId": self.ids.access_key(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role_name}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "attributes": {"creationDate": iso(when), "mfaAuthenticated": "false"},
            },
        }
        return Actor(identity, ip, ua)

    def service(self, host: str) -> Actor:
        return Actor({"type": "AWSService", "invokedBy": host}, host, host)

    def slr(self, role_name: str, session: str, host: str, when: datetime) -> Actor:
        """A service acting through its service-linked role."""
        a = self.role(role_name, session, when, host, host, path=f"/aws-service-role/{host}/")
        a.identity["invokedBy"] = host
        return a


# --- user agents ----------------------------------------------------------------------------------

UA_TERRAFORM = "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.54.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/{svc}#{ver}"
UA_GHA_CLI = "aws-cli/2.17.9 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1022-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython exec-env#GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#{cmd}"
UA_DOCKER = "docker/26.1.3 go/go1.21.10 git-commit/8e96db1 kernel/6.5.0-1022-azure os/linux arch/amd64 UpstreamClient(Docker-Client/26.1.3 \\(linux\\))"
UA_GRAFANA = "Grafana/11.1.0 aws-sdk-go/1.51.31 (go1.22.4; linux; amd64)"
UA_BOTO = "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython exec-env#AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.131"
UA_CONSOLE = "AWS Internal"


def tf_ua(svc: str, ver: str) -> str:
    return UA_TERRAFORM.replace("{svc}", svc).replace("{ver}", ver)


def gha_ua(cmd: str) -> str:
    return UA_GHA_CLI.replace("{cmd}", cmd)


GITHUB_IPS = [
    "20.42.11.87",
    "4.227.241.33",
    "172.183.78.12",
    "20.57.44.201",
    "52.234.40.118",
    "20.110.200.14",
]


# --- alarms ---------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, th: v <= th, "less than or equal to"),
}


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


def _short(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


@dataclass
class AlarmSpec:
    name: str
    description: str
    namespace: str
    metric: str
    dims: dict[str, str]
    stat: str  # Sum, Average, Maximum, Minimum, SampleCount or pNN
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    op: str
    treat_missing: str = "notBreaching"
    actions: list[str] = field(default_factory=list)
    unit: str | None = None


def evaluate_alarm(
    ctx: Ctx,
    spec: AlarmSpec,
    series: dict[datetime, float],
    created: datetime,
    now: datetime,
    eval_from: datetime | None = None,
) -> tuple[Json, Json | None]:
    """Walk `series` (period start -> aggregated value) up to `now`, evaluating once a minute; append the
    alarm's history to ctx.history and the alarm item to ctx.alarms. An alarm created before `eval_from`
    (the start of the telemetry) takes its first state silently; one created inside it starts in
    INSUFFICIENT_DATA with a creation record. Returns (alarm item, its last move to ALARM or None)."""
    arn = f"arn:aws:cloudwatch:{ctx.region}:{ctx.account}:alarm:{spec.name}"
    test, words = _OPS[spec.op]
    neg_words = "not " + words
    fresh = eval_from is None or created >= eval_from
    state = "INSUFFICIENT_DATA" if fresh else ""
    state_reason = "Unchecked: Initial alarm creation"
    state_data: str | None = None
    state_time = created
    last_alarm: Json | None = None
    step = timedelta(seconds=spec.period)
    begin = minute(created) + timedelta(minutes=1)
    if not fresh and eval_from is not None:
        begin = minute(eval_from) + timedelta(seconds=spec.period * spec.evaluation_periods + 120)
    hist_items: list[Json] = []
    if fresh:
        hist_items.append(
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
                            "alarmArn": arn,
                            "alarmDescription": spec.description,
                            "namespace": spec.namespace,
                            "metricName": spec.metric,
                            "dimensions": [{"name": k, "value": v} for k, v in spec.dims.items()],
                            ("extendedStatistic" if spec.stat.startswith("p") else "statistic"): spec.stat,
                            "period": spec.period,
                            "evaluationPeriods": spec.evaluation_periods,
                            "datapointsToAlarm": spec.datapoints_to_alarm,
                            "threshold": spec.threshold,
                            "comparisonOperator": spec.op,
                            "treatMissingData": spec.treat_missing,
                            "actionsEnabled": True,
                            "alarmActions": list(spec.actions),
                            "okactions": list(spec.actions),
                            "stateValue": "INSUFFICIENT_DATA",
                            "stateReason": "Unchecked: Initial alarm creation",
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
    ev = begin
    while ev <= now:
        cur = ev
        ev += timedelta(minutes=1)
        edge = cur - timedelta(seconds=30)
        epoch = int(edge.timestamp())
        last = datetime.fromtimestamp(epoch - epoch % spec.period, UTC) - step
        slots = [last - step * i for i in range(spec.evaluation_periods)][::-1]
        vals = [series.get(s) for s in slots]
        present = [(s, v) for s, v in zip(slots, vals, strict=True) if v is not None]
        breaching = [(s, v) for s, v in present if test(v, spec.threshold)]
        nb = len(breaching) + (sum(1 for v in vals if v is None) if spec.treat_missing == "breaching" else 0)
        if not present and spec.treat_missing == "missing":
            if state:
                continue
            new = "INSUFFICIENT_DATA"
        else:
            new = "ALARM" if nb >= spec.datapoints_to_alarm else "OK"
        if new == state:
            continue
        if not state:
            # the state it has held since before the telemetry starts: date the reason back
            back = timedelta(days=ctx.rng.randrange(2, 40), minutes=ctx.rng.randrange(0, 1440))
            cur = cur - back
            slots = [s - back for s in slots]
            present = [(s - back, v) for s, v in present]
            breaching = [(s - back, v) for s, v in breaching]
        recent = [v for _, v in present]
        if new == "ALARM":
            shown = sorted(breaching, key=lambda x: x[0], reverse=True)[: spec.datapoints_to_alarm]
            pts = ", ".join(f"{_fmt(v)} ({_short(s)})" for s, v in shown)
            if spec.evaluation_periods == 1:
                reason = f"Threshold Crossed: 1 datapoint [{pts}] was {words} the threshold ({_fmt(spec.threshold)})."
            else:
                reason = (
                    f"Threshold Crossed: {spec.datapoints_to_alarm} out of the last {spec.evaluation_periods} datapoints "
                    f"[{pts}] were {words} the threshold ({_fmt(spec.threshold)}) (minimum {spec.datapoints_to_alarm} "
                    f"datapoint{'s' if spec.datapoints_to_alarm > 1 else ''} for OK -> ALARM transition)."
                )
        elif not present:
            n = spec.evaluation_periods
            reason = (
                f"Threshold Crossed: no datapoints were received for {n} period{'s' if n > 1 else ''} and {n} missing "
                f"datapoint{'s were' if n > 1 else ' was'} treated as [NonBreaching]."
            )
        else:
            s, v = present[-1]
            reason = f"Threshold Crossed: 1 datapoint [{_fmt(v)} ({_short(s)})] was {neg_words} the threshold ({_fmt(spec.threshold)})."
            if spec.evaluation_periods > 1:
                shown_ok = sorted(present, key=lambda x: x[0], reverse=True)[: spec.evaluation_periods]
                pts = ", ".join(f"{_fmt(v)} ({_short(s)})" for s, v in shown_ok)
                reason = (
                    f"Threshold Crossed: {len(shown_ok)} datapoint{'s' if len(shown_ok) > 1 else ''} [{pts}] "
                    f"{'were' if len(shown_ok) > 1 else 'was'} {neg_words} the threshold ({_fmt(spec.threshold)})."
                )
        at = cur + timedelta(seconds=ctx.rng.randint(2, 40), milliseconds=ctx.rng.randint(0, 999))
        stat_key = "extendedStatistic" if spec.stat.startswith("p") else "statistic"
        data: Json = {
            "version": "1.0",
            "queryDate": cw_ts(at),
            "startDate": cw_ts(slots[0]),
            stat_key: spec.stat,
            "period": spec.period,
            "recentDatapoints": [round(v, 6) for v in recent],
            "threshold": spec.threshold,
        }
        if spec.unit:
            data["unit"] = spec.unit
        if present:
            data["evaluatedDatapoints"] = [
                {"timestamp": cw_ts(s), "value": round(v, 6)}
                for s, v in sorted(present, key=lambda x: x[0], reverse=True)
            ]
        data_text = json.dumps(data, separators=(",", ":"))
        if state:
            old: Json = {"stateValue": state, "stateReason": state_reason}
            if state_data:
                old["stateReasonData"] = json.loads(state_data)
            hist_items.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(at),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": old,
                            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                        },
                        separators=(",", ":"),
                    ),
                }
            )
            if new in ("ALARM", "OK") and not (state == "INSUFFICIENT_DATA" and new == "OK"):
                for a in spec.actions:
                    hist_items.append(
                        {
                            "AlarmName": spec.name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso_ms(at + timedelta(milliseconds=ctx.rng.randint(40, 400))),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {a}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": epoch_ms(at),
                                    "notificationResource": a,
                                    "publishedMessage": json.dumps(
                                        {"MessageId": ctx.ids.uuid()}, separators=(",", ":")
                                    ),
                                },
                                separators=(",", ":"),
                            ),
                        }
                    )
            if new == "ALARM":
                last_alarm = {
                    "reason": reason,
                    "data": data_text,
                    "time": at,
                    "previous": state,
                    "prev_reason": state_reason,
                    "prev_data": state_data,
                    "prev_time": state_time,
                }
            state_time = at
        else:
            state_time = at
        state, state_reason, state_data = new, reason, data_text
    ctx.history.extend(hist_items)
    item: Json = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions),
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state or "INSUFFICIENT_DATA",
        "StateReason": state_reason,
        "StateUpdatedTimestamp": iso_ms(state_time),
        "StateTransitionedTimestamp": iso_ms(state_time),
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
    if state_data:
        item["StateReasonData"] = state_data
    if spec.stat.startswith("p"):
        item["ExtendedStatistic"] = spec.stat
    else:
        item["Statistic"] = spec.stat
    if spec.unit:
        item["Unit"] = spec.unit
    ctx.alarms.append(item)
    return item, last_alarm


def alarm_event(ctx: Ctx, spec: AlarmSpec, last: Json) -> Json:
    """The EventBridge "CloudWatch Alarm State Change" event for the alarm's last move to ALARM."""
    at: datetime = last["time"]
    prev: Json = {
        "value": last["previous"],
        "reason": last["prev_reason"],
        "timestamp": cw_ts(last["prev_time"]),
    }
    if last["prev_data"]:
        prev["reasonData"] = last["prev_data"]
    stat: Json = {
        "metric": {"namespace": spec.namespace, "name": spec.metric, "dimensions": spec.dims},
        "period": spec.period,
        "stat": spec.stat,
    }
    return {
        "version": "0",
        "id": ctx.ids.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": iso(at),
        "region": ctx.region,
        "resources": [f"arn:aws:cloudwatch:{ctx.region}:{ctx.account}:alarm:{spec.name}"],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": "ALARM",
                "reason": last["reason"],
                "reasonData": last["data"],
                "timestamp": cw_ts(at),
            },
            "previousState": prev,
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {"id": ctx.ids.hex(8) + "-" + ctx.ids.hex(4), "metricStat": stat, "returnData": True}
                ],
            },
        },
    }


def aggregate(
    points: Iterable[tuple[datetime, float]], period: int, how: str = "Sum"
) -> dict[datetime, float]:
    """Per-period aggregates of (timestamp, value) points (Sum, Average or Maximum)."""
    buckets: dict[datetime, list[float]] = {}
    for t, v in points:
        epoch = int(t.timestamp())
        start = datetime.fromtimestamp(epoch - epoch % period, UTC)
        buckets.setdefault(start, []).append(v)
    agg: Callable[[list[float]], float] = {
        "Sum": lambda xs: float(sum(xs)),
        "Average": lambda xs: sum(xs) / len(xs),
        "Maximum": lambda xs: max(xs),
        "Minimum": lambda xs: min(xs),
    }[how]
    return {k: agg(v) for k, v in sorted(buckets.items())}


def percentile(values: list[float], counts: list[float], p: float) -> float:
    total = sum(counts)
    acc = 0.0
    for v, c in zip(values, counts, strict=True):
        acc += c
        if acc >= total * p / 100.0:
            return v
    return values[-1]


# --- common AWS items -----------------------------------------------------------------------------


@dataclass
class Net:
    vpc_id: str
    cidr: str
    azs: list[str]
    private: list[str]  # subnet ids, one per AZ
    public: list[str]
    private_cidrs: list[str]
    public_cidrs: list[str]


def make_net(ctx: Ctx, name: str, second_octet: int) -> Net:
    azs = [f"{ctx.region}{s}" for s in ("a", "b", "c")]
    net = Net(
        vpc_id=ctx.ids.ec2("vpc"),
        cidr=f"10.{second_octet}.0.0/16",
        azs=azs,
        private=[ctx.ids.ec2("subnet") for _ in azs],
        public=[ctx.ids.ec2("subnet") for _ in azs],
        private_cidrs=[f"10.{second_octet}.{16 * (i + 1)}.0/20" for i in range(3)],
        public_cidrs=[f"10.{second_octet}.{i}.0/24" for i in range(3)],
    )
    ctx.res(
        "ec2",
        "Vpc",
        {
            "VpcId": net.vpc_id,
            "CidrBlock": net.cidr,
            "State": "available",
            "DhcpOptionsId": ctx.ids.ec2("dopt"),
            "InstanceTenancy": "default",
            "IsDefault": False,
            "OwnerId": ctx.account,
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )
    for i, az in enumerate(azs):
        for kind, sid, cidr in (
            ("private", net.private[i], net.private_cidrs[i]),
            ("public", net.public[i], net.public_cidrs[i]),
        ):
            ctx.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": sid,
                    "SubnetArn": f"arn:aws:ec2:{ctx.region}:{ctx.account}:subnet/{sid}",
                    "VpcId": net.vpc_id,
                    "CidrBlock": cidr,
                    "AvailabilityZone": az,
                    "AvailabilityZoneId": f"{ctx.region[:2]}{ctx.region.split('-')[1][0]}{ctx.region[-1]}-az{i + 1}",
                    "AvailableIpAddressCount": (4091 if kind == "private" else 251)
                    - ctx.rng.randrange(8, 90),
                    "State": "available",
                    "MapPublicIpOnLaunch": kind == "public",
                    "DefaultForAz": False,
                    "OwnerId": ctx.account,
                    "Tags": [{"Key": "Name", "Value": f"{name}-{kind}-{az[-1]}"}],
                },
            )
    return net


def make_sg(ctx: Ctx, net: Net, name: str, desc: str, ingress: list[Json]) -> str:
    sg = ctx.ids.ec2("sg")
    ctx.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg,
            "GroupName": name,
            "Description": desc,
            "VpcId": net.vpc_id,
            "OwnerId": ctx.account,
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
        },
    )
    return sg


def tcp_from_sg(port: int, sg: str, desc: str = "") -> Json:
    pair: Json = {"GroupId": sg}
    if desc:
        pair["Description"] = desc
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "UserIdGroupPairs": [pair],
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
    }


def tcp_from_cidr(port: int, cidr: str, desc: str = "") -> Json:
    rng: Json = {"CidrIp": cidr}
    if desc:
        rng["Description"] = desc
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [rng],
        "UserIdGroupPairs": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
    }


def log_group(ctx: Ctx, name: str, created: datetime, retention: int | None = 30, stored: int = 0) -> None:
    item: Json = {
        "logGroupName": name,
        "creationTime": epoch_ms(created),
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{name}:*",
        "logGroupArn": f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{name}",
        "storedBytes": stored or ctx.rng.randrange(10**8, 9 * 10**10),
        "logGroupClass": "STANDARD",
    }
    if retention:
        item["retentionInDays"] = retention
    ctx.res("logs", "LogGroup", item)


def alb(ctx: Ctx, net: Net, name: str, sg: str, created: datetime, internal: bool = False) -> tuple[str, str]:
    """(LoadBalancerArn, the metric dimension value app/name/hex)."""
    h = ctx.ids.hex(16)
    arn = f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:loadbalancer/app/{name}/{h}"
    scheme = "internal" if internal else "internet-facing"
    ctx.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": f"{'internal-' if internal else ''}{name}-{ctx.rng.randrange(10**8, 10**10)}.{ctx.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2" if ctx.region == "eu-west-1" else "Z1H1FL5HABSF5",
            "CreatedTime": iso(created),
            "LoadBalancerName": name,
            "Scheme": scheme,
            "VpcId": net.vpc_id,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {
                    "ZoneName": az,
                    "SubnetId": (net.private if internal else net.public)[i],
                    "LoadBalancerAddresses": [],
                }
                for i, az in enumerate(net.azs)
            ],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"app/{name}/{h}"


def target_group(
    ctx: Ctx,
    net: Net,
    name: str,
    lb_arn: str,
    port: int,
    path: str,
    target_type: str = "ip",
    interval: int = 15,
) -> tuple[str, str]:
    """(TargetGroupArn, the metric dimension value targetgroup/name/hex)."""
    h = ctx.ids.hex(16)
    arn = f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:targetgroup/{name}/{h}"
    ctx.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": arn,
            "TargetGroupName": name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": net.vpc_id,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": interval,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": path,
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": target_type,
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"targetgroup/{name}/{h}"


def ecs_event(ctx: Ctx, service_arn: str, t: datetime, message: str) -> None:
    ctx.event(
        "ecs",
        {
            "service_arn": service_arn,
            "event": {"id": ctx.ids.uuid(), "createdAt": iso_ms(t), "message": message},
        },
    )


def target_point(
    ctx: Ctx,
    tg_arn: str,
    ip: str,
    port: int,
    az: str,
    t: datetime,
    state: str,
    reason: str = "",
    desc: str = "",
) -> None:
    health: Json = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    ctx.event(
        "target_health",
        {
            "target_group_arn": tg_arn,
            "target": {"Id": ip, "Port": port, "AvailabilityZone": az},
            "health": health,
            "timestamp": iso(t),
        },
    )


def instance_status(
    ctx: Ctx, iid: str, az: str, impaired_ebs: bool = False, since: datetime | None = None
) -> None:
    ok = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    item: Json = {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": ok,
        "SystemStatus": ok,
        "AttachedEbsStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
    }
    if impaired_ebs and since is not None:
        item["AttachedEbsStatus"] = {
            "Status": "impaired",
            "Details": [{"Name": "reachability", "Status": "failed", "ImpairedSince": iso(since)}],
        }
    ctx.res("ec2", "InstanceStatus", item)
