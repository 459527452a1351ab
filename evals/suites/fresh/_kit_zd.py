# Incidents of kit zd, written in this order:
#  1. change (EC2 Auto Scaling): a new recurring scheduled action, written in UTC by someone thinking in
#     local time, clamps the tutoring web fleet to a small max at the start of the evening peak, hours
#     after it was created.
#  2. change (IAM): a least-privilege edit of the EventBridge role that runs an hourly ECS task lets it
#     pass the task role but not the execution role; the next hourly runs never start (a task-definition
#     release shortly before looks guilty).
#  3. component_failure: the self-managed NAT instance serving one AZ's private subnets fails its system
#     status check; tasks in that AZ time out on third-party calls, about a third of requests fail.
#  4. limit: an S3 Batch Operations copy job over an SSE-KMS bucket (no bucket key) eats the account's
#     shared KMS request quota; an unrelated signing API's envelope encryption is throttled.
#  5. no fault: ACM DaysToExpiry alarm on a certificate that is no longer attached (the listener moved
#     to a newer certificate); nothing is about to expire in use.
"""Private helpers for kit zd's fresh incidents: ids, CloudTrail records, metric series, alarms."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

JSON = dict[str, Any]

# --- time ------------------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def day_in(rng: random.Random, first: str = "2024-02-05", span_days: int = 240) -> datetime:
    base = datetime.fromisoformat(first).replace(tzinfo=UTC)
    return base + timedelta(days=rng.randrange(span_days))


def weekday_in(rng: random.Random, weekdays: Sequence[int] = (0, 1, 2, 3), **kw: Any) -> datetime:
    """A random date (midnight UTC) falling on one of `weekdays` (0 = Monday)."""
    while True:
        d = day_in(rng, **kw)
        if d.weekday() in weekdays:
            return d


def steps(start: datetime, end: datetime, step_s: int) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(seconds=step_s)
    return out


def grid(start: datetime, fine_from: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """5-minute points from `start` to `fine_from`, then 1-minute points to `end` (exclusive)."""
    coarse = [(t, 300) for t in steps(start, fine_from, 300)]
    fine = [(t, 60) for t in steps(fine_from, end, 60)]
    return coarse + fine


def local_hour(t: datetime, offset_h: float) -> float:
    lt = t + timedelta(hours=offset_h)
    return lt.hour + lt.minute / 60


def diurnal(
    t: datetime, offset_h: float, peak_h: float = 19.0, floor: float = 0.12, width: float = 4.5
) -> float:
    """A daily traffic shape in 0..1: a hump centred on `peak_h` local time plus a daytime plateau."""
    h = local_hour(t, offset_h)
    d = min(abs(h - peak_h), 24 - abs(h - peak_h))
    hump = math.exp(-((d / width) ** 2))
    day = math.exp(-(((h - 14.0) / 5.0) ** 2))
    return floor + (1 - floor) * min(1.0, 0.75 * hump + 0.4 * day)


# --- ids -------------------------------------------------------------------------------------------


def hexid(rng: random.Random, n: int = 17) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def upper_id(rng: random.Random, prefix: str, n: int) -> str:
    return prefix + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))


def account_id(rng: random.Random) -> str:
    return str(rng.randrange(2, 9)) + "".join(rng.choice("0123456789") for _ in range(11))


def private_ip(rng: random.Random, prefix: str) -> str:
    return f"{prefix}.{rng.randrange(4, 250)}"


def public_ip(rng: random.Random) -> str:
    first = rng.choice([3, 13, 18, 34, 35, 44, 52, 54])
    return f"{first}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}"


def office_ip(rng: random.Random) -> str:
    return f"{rng.choice([81, 86, 92, 109, 176, 185, 194, 212])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(2, 254)}"


# --- CloudTrail ------------------------------------------------------------------------------------

CLI_UA = "aws-cli/2.15.{v} md/awscrt#0.19.{w} ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"
CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{api}#1.{m}.0"
BOTO_UA = "Boto3/1.34.{v} md/Botocore#1.34.{v} ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.{v}"
JS_UA = "aws-sdk-js/3.556.0 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/{api}#3.556.0"


@dataclass
class Principal:
    """Who makes CloudTrail calls: builds `userIdentity` and knows its IP and user agent."""

    kind: str  # "sso", "role", "service"
    account: str
    role: str = ""
    session: str = ""
    role_id: str = ""
    key: str = ""
    ip: str = ""
    agent: str = ""
    service: str = ""
    mfa: bool = False
    session_start: datetime | None = None
    extra: JSON = field(default_factory=dict)

    def identity(self, t: datetime) -> JSON:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.service}
        start = self.session_start or (t - timedelta(minutes=(ms(t) // 60000) % 50 + 3))
        if start > t:
            start = t - timedelta(minutes=4)
        role_arn = f"arn:aws:iam::{self.account}:role/{self.role}"
        if self.kind == "sso":
            role_arn = f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.role}"
        ident: JSON = {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.session}",
            "accountId": self.account,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": role_arn,
                    "accountId": self.account,
                    "userName": self.role,
                },
                "attributes": {
                    "creationDate": iso(start),
                    "mfaAuthenticated": "true" if self.mfa else "false",
                },
            },
        }
        if self.service:
            ident["invokedBy"] = self.service
        ident.update(self.extra)
        return ident


def sso_user(
    rng: random.Random, account: str, permission_set: str, email: str, *, console: bool = False
) -> Principal:
    return Principal(
        kind="sso",
        account=account,
        role=f"AWSReservedSSO_{permission_set}_{hexid(rng, 16)}",
        session=email,
        role_id=upper_id(rng, "AROA", 17),
        key=upper_id(rng, "ASIA", 16),
        ip=office_ip(rng),
        agent=CONSOLE_UA if console else CLI_UA,
    )


def role_user(
    rng: random.Random, account: str, role: str, session: str, *, ip: str, agent: str, service: str = ""
) -> Principal:
    return Principal(
        kind="role",
        account=account,
        role=role,
        session=session,
        role_id=upper_id(rng, "AROA", 17),
        key=upper_id(rng, "ASIA", 16),
        ip=ip,
        agent=agent,
        service=service,
    )


def aws_service(account: str, service: str) -> Principal:
    return Principal(kind="service", account=account, service=service, ip=service, agent=service)


def trail(
    rng: random.Random,
    who: Principal,
    t: datetime,
    source: str,
    name: str,
    region: str,
    *,
    params: JSON | None = None,
    response: JSON | None = None,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[JSON] | None = None,
    agent: str | None = None,
    event_type: str = "AwsApiCall",
    extra: JSON | None = None,
) -> JSON:
    """One CloudTrail record as delivered to S3."""
    ua = agent if agent is not None else who.agent
    if "{" in ua:
        ua = ua.format(
            v=rng.randrange(60, 99),
            w=rng.randrange(10, 20),
            m=rng.randrange(20, 60),
            cmd="unknown",
            api=source.split(".")[0],
        )
    rec: JSON = {
        "eventVersion": "1.09" if who.kind != "service" else "1.08",
        "userIdentity": who.identity(t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.ip,
        "userAgent": ua,
    }
    if error is not None:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = uid(rng)
    rec["eventID"] = uid(rng)
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = event_type
    rec["managementEvent"] = True
    rec["recipientAccountId"] = who.account
    if who.kind == "service":
        rec["sharedEventID"] = uid(rng)
    rec["eventCategory"] = "Management"
    if who.kind != "service":
        host = f"{source.split('.')[0]}.{region}.amazonaws.com"
        if source == "iam.amazonaws.com":
            host = "iam.amazonaws.com"
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
        if who.kind == "sso" and who.agent == CONSOLE_UA:
            rec["sessionCredentialFromConsole"] = "true"
    if extra:
        rec.update(extra)
    return rec


def background_reads(
    rng: random.Random,
    who: Sequence[Principal],
    calls: Sequence[tuple[str, str, JSON | None]],
    start: datetime,
    end: datetime,
    region: str,
    n: int,
) -> list[JSON]:
    """`n` routine read-only calls spread over the window by the given principals."""
    out = []
    span = int((end - start).total_seconds())
    for _ in range(n):
        t = start + timedelta(seconds=rng.randrange(span))
        p = rng.choice(list(who))
        source, name, params = rng.choice(list(calls))
        out.append(trail(rng, p, t, source, name, region, params=params, read_only=True))
    return out


def sts_assume(
    rng: random.Random, account: str, region: str, t: datetime, role_arn: str, session: str, service: str
) -> JSON:
    """An AWS service assuming a role (events.amazonaws.com, ecs-tasks.amazonaws.com, ...)."""
    who = aws_service(account, service)
    return trail(
        rng,
        who,
        t,
        "sts.amazonaws.com",
        "AssumeRole",
        region,
        params={"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600},
        response={
            "credentials": {
                "accessKeyId": upper_id(rng, "ASIA", 16),
                "sessionToken": "IQoJb3JpZ2luX2VjE" + hexid(rng, 24),
                "expiration": (t + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
            },
            "assumedRoleUser": {
                "assumedRoleId": f"{upper_id(rng, 'AROA', 17)}:{session}",
                "arn": role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")
                + "/"
                + session,
            },
        },
        read_only=True,
        resources=[{"accountId": account, "type": "AWS::IAM::Role", "ARN": role_arn}],
    )


# --- metrics ---------------------------------------------------------------------------------------


def datum(ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> JSON:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(value, 4),
    }


def stats(
    ns: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    n: float,
    total: float,
    lo: float,
    hi: float,
) -> JSON:
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": float(max(n, 1)),
            "Sum": round(total, 4),
            "Minimum": round(lo, 4),
            "Maximum": round(hi, 4),
        },
    }


_QS = (0.05, 0.25, 0.5, 0.7, 0.85, 0.93, 0.975, 0.995)
_WS = (0.1, 0.2, 0.22, 0.18, 0.14, 0.08, 0.05, 0.03)


def latency(
    ns: str,
    metric: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    median: float,
    sigma: float,
    n: int,
    tail: float = 1.0,
) -> JSON:
    """A latency distribution (values + counts) around `median`, log-normal with spread `sigma`;
    `tail` > 1 stretches the upper quantiles."""
    values = []
    for q in _QS:
        z = _probit(q)
        v = median * math.exp(sigma * z * (tail if z > 0 else 1.0))
        values.append(round(v, 4 if unit == "Seconds" else 1))
    counts = [float(max(1, round(n * w))) for w in _WS]
    return {
        "namespace": ns,
        "metric": metric,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "values": values,
        "counts": counts,
    }


def _probit(p: float) -> float:
    # Acklam's rational approximation is overkill; this is good to ~1e-3 for our quantiles.
    a = [2.50662823884, -18.61500062529, 41.39119773534, -25.44106049637]
    b = [-8.47351093090, 23.08336743743, -21.06224101826, 3.13082909833]
    c = [
        0.3374754822726147,
        0.9761690190917186,
        0.1607979714918209,
        0.0276438810333863,
        0.0038405729373609,
        0.0003951896511919,
        0.0000321767881768,
        0.0000002888167364,
        0.0000003960315187,
    ]
    y = p - 0.5
    if abs(y) < 0.42:
        r = y * y
        return (
            y
            * (((a[3] * r + a[2]) * r + a[1]) * r + a[0])
            / ((((b[3] * r + b[2]) * r + b[1]) * r + b[0]) * r + 1)
        )
    r = p if y <= 0 else 1 - p
    r = math.log(-math.log(r))
    x = c[0] + r * (
        c[1] + r * (c[2] + r * (c[3] + r * (c[4] + r * (c[5] + r * (c[6] + r * (c[7] + r * c[8]))))))
    )
    return -x if y < 0 else x


def jitter(rng: random.Random, v: float, pct: float = 0.08) -> float:
    return max(0.0, v * (1 + rng.gauss(0, pct)))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# --- alarms ----------------------------------------------------------------------------------------

_CMP = {
    "GreaterThanThreshold": ("greater than", lambda v, th: v > th),
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, th: v >= th),
    "LessThanThreshold": ("less than", lambda v, th: v < th),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, th: v <= th),
}


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dims: dict[str, str]
    stat: str
    period: int
    evals: int
    dta: int
    threshold: float
    comparison: str
    treat_missing: str = "missing"
    description: str = ""
    actions: list[str] = field(default_factory=list)
    ok_actions: bool = True
    unit: str | None = None
    extended: bool = False  # stat is a percentile like p99


def _fmt_v(v: float) -> str:
    return repr(float(round(v, 6)))


def _cw_date(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def _cw_iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def evaluate_alarm(
    spec: AlarmSpec, points: dict[datetime, float], start: datetime, now: datetime, initial: str = "OK"
) -> list[tuple[datetime, str, str, str, str]]:
    """Walk the alarm over its periods from `start` to `now`: [(time, old, new, reason, reasonData)].

    `points` maps a period's start to its statistic value; periods absent from it are missing data.
    The alarm is evaluated a little after each period closes."""
    word, test = _CMP[spec.comparison]
    state = initial
    out: list[tuple[datetime, str, str, str, str]] = []
    t = start
    keys = sorted(points)
    while t + timedelta(seconds=spec.period) <= now:
        window = [t - timedelta(seconds=spec.period * i) for i in range(spec.evals)]  # newest first
        vals = [(w, points.get(w)) for w in window if w >= start]
        present = [(w, v) for w, v in vals if v is not None]
        breach = 0
        for _, v in vals:
            if v is None:
                if spec.treat_missing == "breaching":
                    breach += 1
            elif test(v, spec.threshold):
                breach += 1
        if not present and spec.treat_missing == "missing":
            new = "INSUFFICIENT_DATA" if len(vals) == spec.evals and keys and t > keys[-1] else state
        elif breach >= spec.dta:
            new = "ALARM"
        elif spec.treat_missing == "ignore" and not present:
            new = state
        else:
            new = "OK"
        when = t + timedelta(
            seconds=spec.period,
            milliseconds=31000 + (t.minute * 7919 + sum(map(ord, spec.name)) * 131) % 26000,
        )
        if new != state and when <= now:
            shown = present[: spec.evals]
            dps = ", ".join(f"{_fmt_v(v)} ({_cw_date(w)})" for w, v in shown)
            n = len(vals)
            if new == "ALARM" and not present and spec.treat_missing == "breaching":
                reason = (
                    f"Threshold Crossed: no datapoints were received for {n} period{'s' if n != 1 else ''} and {n} "
                    f"missing datapoint{'s were' if n != 1 else ' was'} treated as [Breaching]."
                )
            elif new == "ALARM":
                verb = "were" if breach != 1 else "was"
                reason = (
                    f"Threshold Crossed: {breach} out of the last {n} datapoints [{dps}] {verb} {word} the "
                    f"threshold ({_fmt_v(spec.threshold)}) (minimum {spec.dta} datapoint"
                    f"{'s' if spec.dta != 1 else ''} for OK -> ALARM transition)."
                )
            elif new == "OK":
                ok = n - breach
                reason = (
                    f"Threshold Crossed: {ok} out of the last {n} datapoints [{dps}] {'were' if ok != 1 else 'was'} "
                    f"not {word} the threshold ({_fmt_v(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
            else:
                reason = "Insufficient Data: 1 datapoint was unknown."
            data: dict[str, Any] = {
                "version": "1.0",
                "queryDate": _cw_iso(when),
                "startDate": _cw_iso(window[-1]),
                ("unit" if False else "statistic" if not spec.extended else "extendedStatistic"): spec.stat,
                "period": spec.period,
                "recentDatapoints": [float(round(v, 6)) for _, v in reversed(present)],
                "threshold": spec.threshold,
                "evaluatedDatapoints": [
                    {
                        "timestamp": _cw_iso(w),
                        **({"sampleCount": 1.0} if spec.stat == "Sum" else {}),
                        "value": float(round(v, 6)),
                    }
                    for w, v in shown
                ],
            }
            if spec.treat_missing == "breaching" and len(present) < n:
                data["evaluatedDatapoints"] = list(data["evaluatedDatapoints"]) + [
                    {"timestamp": _cw_iso(w)} for w, v in vals if v is None
                ]
            out.append((when, state, new, reason, json.dumps(data, separators=(",", ":"))))
            state = new
        t += timedelta(seconds=spec.period)
    return out


def alarm_items(
    spec: AlarmSpec,
    account: str,
    region: str,
    transitions: list[tuple[datetime, str, str, str, str]],
    created: datetime,
    default_state: tuple[str, datetime] | None = None,
) -> tuple[JSON, list[JSON]]:
    """The MetricAlarm as DescribeAlarms shows it at the end, and its state-update history items."""
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{spec.name}"
    created = created + timedelta(
        seconds=(sum(map(ord, spec.name)) * 7919) % 86400, milliseconds=sum(map(ord, spec.name)) % 1000
    )
    if transitions:
        when, _old, state, reason, data = transitions[-1]
    else:
        state = "OK"
        when = default_state[1] if default_state else created + timedelta(minutes=2)
        reason = (
            f"Threshold Crossed: 1 out of the last {spec.evals} datapoints was not {_CMP[spec.comparison][0]} the "
            f"threshold ({_fmt_v(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
        )
        data = json.dumps({"version": "1.0", "queryDate": _cw_iso(when)}, separators=(",", ":"))
    alarm: JSON = {
        "AlarmName": spec.name,
        "AlarmArn": arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
        "ActionsEnabled": True,
        "OKActions": list(spec.actions) if spec.ok_actions else [],
        "AlarmActions": list(spec.actions),
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateReasonData": data,
        "StateUpdatedTimestamp": iso_ms(when),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
        "Period": spec.period,
        "EvaluationPeriods": spec.evals,
        "DatapointsToAlarm": spec.dta,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing,
        "StateTransitionedTimestamp": iso_ms(when),
    }
    if spec.extended:
        alarm["ExtendedStatistic"] = spec.stat
    else:
        alarm["Statistic"] = spec.stat
    if spec.unit:
        alarm["Unit"] = spec.unit
    history = []
    for when_, old, new, reason_, data_ in transitions:
        history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(when_),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old, "stateReason": "(previous state)"},
                        "newState": {
                            "stateValue": new,
                            "stateReason": reason_,
                            "stateReasonData": json.loads(data_),
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
    # fill in each item's old reason from the previous item's new reason
    for i in range(1, len(history)):
        prev = json.loads(history[i - 1]["HistoryData"])
        cur = json.loads(history[i]["HistoryData"])
        cur["oldState"] = {
            "stateValue": prev["newState"]["stateValue"],
            "stateReason": prev["newState"]["stateReason"],
        }
        history[i]["HistoryData"] = json.dumps(cur, separators=(",", ":"))
    if history:
        first = json.loads(history[0]["HistoryData"])
        first["oldState"]["stateReason"] = (
            f"Threshold Crossed: {spec.evals} out of the last {spec.evals} datapoints were not "
            f"{_CMP[spec.comparison][0]} the threshold ({_fmt_v(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
            if first["oldState"]["stateValue"] == "OK"
            else "Unchecked: Initial alarm creation"
        )
        history[0]["HistoryData"] = json.dumps(first, separators=(",", ":"))
    return alarm, history


def alarm_event(
    alarm: JSON,
    spec: AlarmSpec,
    account: str,
    region: str,
    rng: random.Random,
    prev: tuple[str, str, str, str],
) -> JSON:
    """The EventBridge "CloudWatch Alarm State Change" event for the alarm's current state.

    `prev` is (value, reason, reasonData, timestamp) of the state before."""
    metric_stat: JSON = {
        "metric": {"namespace": spec.namespace, "name": spec.metric, "dimensions": dict(spec.dims)},
        "period": spec.period,
        "stat": spec.stat,
    }
    if spec.unit:
        metric_stat["unit"] = spec.unit
    when = alarm["StateUpdatedTimestamp"]
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": when[:19] + "Z",
        "region": region,
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": alarm["StateValue"],
                "reason": alarm["StateReason"],
                "reasonData": alarm["StateReasonData"],
                "timestamp": when.replace("Z", "+0000"),
            },
            "previousState": {
                "value": prev[0],
                "reason": prev[1],
                "reasonData": prev[2],
                "timestamp": prev[3],
            },
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {"id": hexid(rng, 8) + "-" + hexid(rng, 4), "metricStat": metric_stat, "returnData": True}
                ],
            },
        },
    }


def quiet_alarm(spec: AlarmSpec, account: str, region: str, created: datetime, since: datetime) -> JSON:
    """An alarm that has been OK all along (its last transition before the window)."""
    alarm, _ = alarm_items(spec, account, region, [], created, ("OK", since))
    return alarm


def aggregate(
    points: Iterable[tuple[datetime, float]], period: int, how: str = "Sum"
) -> dict[datetime, float]:
    buckets: dict[datetime, list[float]] = {}
    for t, v in points:
        epoch = int(t.timestamp())
        key = datetime.fromtimestamp(epoch - epoch % period, UTC)
        buckets.setdefault(key, []).append(v)

    def avg(xs: list[float]) -> float:
        return sum(xs) / len(xs)

    fns: dict[str, Callable[[list[float]], float]] = {
        "Sum": sum,
        "Average": avg,
        "Maximum": max,
        "Minimum": min,
    }
    fn = fns[how]
    return {k: fn(v) for k, v in buckets.items()}


# --- resources -------------------------------------------------------------------------------------


def res(service: str, type_: str, item: JSON) -> JSON:
    return {"service": service, "type": type_, "item": item}


def tags(d: dict[str, str]) -> list[JSON]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def ec2_instance(
    rng: random.Random,
    *,
    instance_id: str,
    itype: str,
    ami: str,
    az: str,
    subnet: str,
    vpc: str,
    ip: str,
    sgs: list[tuple[str, str]],
    launched: datetime,
    name_tags: dict[str, str],
    profile_arn: str | None = None,
    state: str = "running",
    public_ip: str | None = None,
    source_dest_check: bool = True,
    arch: str = "x86_64",
) -> JSON:
    region = az[:-1]
    eni = "eni-" + hexid(rng, 17)
    dns = f"ip-{ip.replace('.', '-')}.{region}.compute.internal"
    nic: JSON = {
        "Attachment": {
            "AttachTime": iso(launched),
            "AttachmentId": "eni-attach-" + hexid(rng, 17),
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
        "OwnerId": "",
        "PrivateDnsName": dns,
        "PrivateIpAddress": ip,
        "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": ip}],
        "SourceDestCheck": source_dest_check,
        "Status": "in-use",
        "SubnetId": subnet,
        "VpcId": vpc,
        "InterfaceType": "interface",
    }
    codes = {"running": 16, "stopped": 80, "terminated": 48, "pending": 0, "shutting-down": 32}
    item: JSON = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": instance_id,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns,
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": codes[state], "Name": state},
        "StateTransitionReason": "",
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": arch,
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": "vol-" + hexid(rng, 17),
                },
            }
        ],
        "ClientToken": uid(rng),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "NetworkInterfaces": [nic] if state != "terminated" else [],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
        "SourceDestCheck": source_dest_check,
        "Tags": tags(name_tags),
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
        "BootMode": "uefi-preferred",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "uefi" if arch == "arm64" else "legacy-bios",
    }
    if profile_arn:
        item["IamInstanceProfile"] = {"Arn": profile_arn, "Id": upper_id(rng, "AIPA", 17)}
    if public_ip:
        item["PublicIpAddress"] = public_ip
        item["PublicDnsName"] = f"ec2-{public_ip.replace('.', '-')}.{region}.compute.amazonaws.com"
        nic["Association"] = {
            "IpOwnerId": "amazon",
            "PublicDnsName": item["PublicDnsName"],
            "PublicIp": public_ip,
        }
    if state == "terminated":
        item["StateTransitionReason"] = "User initiated"
        item.pop("PrivateIpAddress")
        item["PrivateDnsName"] = ""
    return item


def instance_status(
    instance_id: str,
    az: str,
    *,
    system_ok: bool = True,
    instance_ok: bool = True,
    since: datetime | None = None,
) -> JSON:
    def summary(ok: bool) -> JSON:
        d: JSON = {"Name": "reachability", "Status": "passed" if ok else "failed"}
        if not ok and since is not None:
            d["ImpairedSince"] = iso(since)
        return {"Details": [d], "Status": "ok" if ok else "impaired"}

    return {
        "AvailabilityZone": az,
        "InstanceId": instance_id,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": summary(instance_ok),
        "SystemStatus": summary(system_ok),
        "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
    }


def subnet(
    rng: random.Random,
    account: str,
    *,
    subnet_id: str,
    vpc: str,
    az: str,
    cidr: str,
    name: str,
    public: bool,
    free: int,
) -> JSON:
    return {
        "AvailabilityZone": az,
        "AvailabilityZoneId": {"a": "euw1-az3", "b": "euw1-az1", "c": "euw1-az2"}.get(
            az[-1], "use1-az1"
        ).replace("euw1", _azid_prefix(az[:-1])),
        "AvailableIpAddressCount": free,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": public,
        "State": "available",
        "SubnetId": subnet_id,
        "VpcId": vpc,
        "OwnerId": account,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": tags({"Name": name}),
        "SubnetArn": f"arn:aws:ec2:{az[:-1]}:{account}:subnet/{subnet_id}",
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def _azid_prefix(region: str) -> str:
    parts = region.split("-")
    return (
        {"us": "use", "eu": "euw"}.get(parts[0], parts[0])
        if parts[1] in ("east", "west")
        else parts[0] + parts[1][0]
    )


def vpc(account: str, vpc_id: str, cidr: str, name: str, rng: random.Random) -> JSON:
    return {
        "CidrBlock": cidr,
        "DhcpOptionsId": "dopt-" + hexid(rng, 17),
        "State": "available",
        "VpcId": vpc_id,
        "OwnerId": account,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": "vpc-cidr-assoc-" + hexid(rng, 17),
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": False,
        "Tags": tags({"Name": name}),
    }


def security_group(
    account: str, sg_id: str, name: str, desc: str, vpc_id: str, ingress: list[JSON], egress_all: bool = True
) -> JSON:
    eg = (
        [
            {
                "IpProtocol": "-1",
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        ]
        if egress_all
        else []
    )
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": ingress,
        "OwnerId": account,
        "GroupId": sg_id,
        "IpPermissionsEgress": eg,
        "Tags": tags({"Name": name}),
        "VpcId": vpc_id,
    }


def sg_rule_from_sg(
    port: int, source_sg: str, account: str, desc: str = "", to_port: int | None = None
) -> JSON:
    pair: JSON = {"GroupId": source_sg, "UserId": account}
    if desc:
        pair["Description"] = desc
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": to_port or port,
        "UserIdGroupPairs": [pair],
    }


def sg_rule_from_cidr(
    port: int, cidr: str, desc: str = "", proto: str = "tcp", to_port: int | None = None
) -> JSON:
    r: JSON = {"CidrIp": cidr}
    if desc:
        r["Description"] = desc
    return {
        "FromPort": port,
        "IpProtocol": proto,
        "IpRanges": [r],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": to_port if to_port is not None else port,
        "UserIdGroupPairs": [],
    }


def iam_role(
    account: str,
    name: str,
    role_id: str,
    created: datetime,
    trust_service: str,
    desc: str = "",
    last_used: datetime | None = None,
    region: str = "",
) -> JSON:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": trust_service}, "Action": "sts:AssumeRole"}
        ],
    }
    item: JSON = {
        "Path": "/",
        "RoleName": name,
        "RoleId": role_id,
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": json.dumps(doc),
        "Description": desc,
        "MaxSessionDuration": 3600,
    }
    if last_used:
        item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": region}
    return item


def log_group(
    account: str, region: str, name: str, created: datetime, retention: int | None, stored: int
) -> JSON:
    g: JSON = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": stored,
    }
    if retention:
        g["retentionInDays"] = retention
    return g


def log(group: str, stream: str, t: datetime, message: str) -> JSON:
    return {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}


def target_health(
    tg_arn: str,
    target_id: str,
    port: int,
    az: str,
    t: datetime,
    state: str,
    reason: str | None = None,
    desc: str | None = None,
) -> JSON:
    health: JSON = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    return {
        "source": "target_health",
        "item": {
            "target_group_arn": tg_arn,
            "target": {"Id": target_id, "Port": port, "AvailabilityZone": az},
            "health": health,
            "timestamp": iso(t),
        },
    }


def sort_by_time(rows: list[JSON], key: str) -> list[JSON]:
    return sorted(rows, key=lambda r: r[key])
