"""Intake: turn a trigger (a question and/or an alarm event) into a scope to investigate."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from pydantic import BaseModel, Field

from tools.metrics import NAME_DIMENSIONS

# Alarm-metric dimension names -> the kind of resource they name.
DIMENSION_KINDS: dict[str, str] = {
    "InstanceId": "ec2",
    "AutoScalingGroupName": "asg",
    "LoadBalancer": "alb",
    "TargetGroup": "target_group",
    "DBInstanceIdentifier": "rds_instance",
    "DBClusterIdentifier": "rds_cluster",
    "FunctionName": "lambda",
    "TableName": "dynamodb_table",
    "ServiceName": "ecs_service",
    "QueueName": "sqs_queue",
    "ApiName": "api_gateway",
    "NatGatewayId": "nat_gateway",
    "VolumeId": "ebs_volume",
    "StateMachineArn": "state_machine",
    "StreamName": "kinesis_stream",
    "ProxyName": "rds_proxy",
    "CacheClusterId": "elasticache_cluster",
    "ReplicationGroupId": "elasticache_replication_group",
}

SYMPTOM_WORDS: list[tuple[str, str]] = [
    (r"\b5\d\ds?\b|5xx|server error|bad gateway|gateway timeout|\berrors?\b|failing|fails", "errors"),
    (r"\b4\d\d\b|4xx|not found|forbidden|unauthori[sz]ed", "client_errors"),
    (
        r"\bstopped\b|\bno new\b|not (?:being )?(?:processed|arriving|coming|delivered)|nothing (?:is )?"
        r"(?:arriving|coming|happening|moving)|(?:went|gone|going) quiet|\bstalled\b|dried up|\bidle\b|"
        # "points haven't been credited", "stock hasn't updated", "no invoices since 9am"
        r"\bha(?:s|ve)(?:n'?t| not) (?:been )?(?!seen|noticed|found|heard|had\b)[a-z]+(?:ed|en|t)\b|\bno [a-z]+(?: [a-z]+)? since\b|"
        # "no courier collections have been booked", "customers aren't getting their notifications",
        # "haven't had a single new job", "only had 5 invoices in it"
        r"\bno (?:new )?[a-z]+(?: [a-z]+){0,2} (?:ha(?:s|ve) been|were|was) [a-z]+(?:ed|en|t)\b|"
        r"\b(?:aren'?t|isn'?t|are not|is not|not|stopped|no longer) (?:getting|receiving|arriving|reaching|showing up|"
        r"going out|being (?:sent|delivered|created|written|saved|picked up))\b|"
        r"\bha(?:s|ve)(?:n'?t| not) (?:had|received|got(?:ten)?) (?:a single|any)\b|"
        r"\bonly (?:had|got|has|have|contained|carried) (?:about |around )?\d|"
        # "suppliers never got this morning's orders", "the dashboard has shown zero orders since 10am"
        r"\bnever (?:got|received|arrived|came|showed up|went out)\b|"
        r"\b(?:shows?|shown|showing|reads?|reading|counts?|counting) zero\b|\bzero [a-z]+(?: [a-z]+){0,4} since\b",
        "flow_stopped",
    ),
    (r"slow|latency|timeouts?|timing out|response time|p9\d", "latency"),
    (r"throttl|rate exceeded|too many requests", "throttling"),
    (r"replac|cycling|terminat|relaunch|keeps? (restarting|launching)", "replacement"),
    (r"unhealthy|health ?check", "unhealthy"),
    (r"can'?t start|won'?t start|fails? to start|not start", "start_failure"),
    (
        r"didn'?t scale|not scal|no scale|scale out|scale up|auto ?scaling (is |was )?(supposed|should|meant)|"
        r"stayed at \d+|stuck at \d+ (instances|tasks|hosts)|should(n'?t)? (have )?scaled",
        "no_scaling",
    ),
    (r"connect|unreachable|intermittent", "connectivity"),
    (r"disk|space|full", "disk"),
    (r"cpu|\bcredits?\b", "cpu"),
    (r"memory|oom", "memory"),
]

# What the asker says is absent is not a symptom: "shows no errors at all", "the API isn't erroring",
# "without any 5xx" report that errors are missing, which says the trouble is elsewhere (work that
# stopped, data that went), not that errors are the failure.
NEGATED = re.compile(
    r"\b(?:no|without|zero|never|not a single)\s+(?:[a-z]+\s+){0,2}?"
    r"(?:errors?|erroring|failures?|5xx|5\d\ds|exceptions?|alarms?|timeouts?)\b"
    r"|\b(?:isn'?t|aren'?t|wasn'?t|weren'?t|doesn'?t|don'?t|didn'?t|hasn'?t|haven'?t|not|nor)\s+"
    r"(?:[a-z]+\s+){0,2}?(?:erroring|errors?|failing|throwing|alarming|timing out)\b"
)

DEFAULT_LOOKBACK = timedelta(hours=2)
ALARM_BEFORE = timedelta(minutes=60)
ALARM_AFTER = timedelta(minutes=10)


class EntryResource(BaseModel):
    kind: str
    id: str
    extra: str | None = None  # a second dimension (target group's load balancer, ECS cluster)


class Scope(BaseModel):
    question: str | None = None
    alarm_name: str | None = None
    alarm_time: datetime | None = None
    alarm_metric: dict[str, Any] | None = None
    start: datetime
    end: datetime
    now: datetime
    entry: list[EntryResource] = Field(default_factory=list)
    symptoms: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list, description="names mentioned in the question")
    notes: list[str] = Field(default_factory=list)

    @property
    def baseline_start(self) -> datetime:
        return self.start - max(self.end - self.start, timedelta(hours=2))


def _alarm_metrics(detail: dict[str, Any]) -> list[dict[str, Any]]:
    metrics = (detail.get("configuration") or {}).get("metrics") or []
    return [m for m in metrics if isinstance(m, dict) and m.get("metricStat")]


# What may precede a clock time in a question: a preposition ("since", "starting", "as of"), then
# optionally a hedge ("roughly", "about", "~", "just after").
_LEAD = (
    r"(?:\b(?:since|from|after|around|about|at|starting|started|beginning|began|as\s+of)\s+"
    r"(?:(?:about|around|roughly|approximately|approx\.?|circa|just\s+after|just\s+before|shortly\s+after)\s+)?"
    r"|~\s*)"
)

# A bare number followed by a word other than these is a count ("3 hosts"), not an hour.
_COUNTED = re.compile(
    r"\s+(?!(?:today|this|yesterday|and|or|but|ish|o'?clock|utc|gmt|local|[a-z]{1,4}t)\b)[a-z]", re.I
)


def _clock(text: str, now: datetime, tz: tzinfo = UTC) -> datetime | None:
    """'14:00', '2pm', 'about two' -> the most recent such wall-clock time in `tz` at or before now;
    a full timestamp ('since 2024-05-01T14:00:00Z') is that instant (in `tz` when it names no zone)."""
    stamp = re.search(
        r"\b(?:since|from|after|around|about|at)\s+(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?"
        r"(?:Z|[+-]\d{2}:?\d{2})?)",
        text,
        re.I,
    )
    if stamp:
        try:
            when = datetime.fromisoformat(stamp.group(1).upper().replace(" ", "T"))
        except ValueError:
            when = None
        if when is not None:
            when = when if when.tzinfo else when.replace(tzinfo=tz)
            return when if when <= now else None
    m = re.search(
        _LEAD
        + r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![\d%])(?!\s*(?:min|hour|hr|h\b|day|sec|s\b))",
        text,
        re.I,
    )
    words = {
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
        "eleven": 11,
        "twelve": 12,
        "noon": 12,
        "midnight": 0,
    }
    hour: int | None = None
    minute = 0
    meridiem = None
    if m and m.group(2) is None and m.group(3) is None and _COUNTED.match(text, m.end(1)):
        m = None  # "at 3 hosts", "since 2 deploys ago": a count, not a clock time
    if m:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        meridiem = (m.group(3) or "").lower().replace(".", "") or None
    else:
        w = re.search(
            _LEAD + r"(" + "|".join(words) + r")\b",
            text,
            re.I,
        )
        if w:
            hour = words[w.group(1).lower()]
    if hour is None or hour > 23 or minute > 59:
        return None
    candidates = []
    hours = (
        [hour % 12 + (12 if meridiem == "pm" else 0)]
        if meridiem
        else ([hour] if hour > 12 or hour == 0 else [hour, hour + 12])
    )
    local_now = now.astimezone(tz)
    for h in hours:
        for day in (0, 1):
            t = (local_now - timedelta(days=day)).replace(hour=h % 24, minute=minute, second=0, microsecond=0)
            if t <= local_now:
                candidates.append(t)
    return max(candidates).astimezone(UTC) if candidates else None


def _relative(text: str) -> timedelta | None:
    m = re.search(r"\b(?:last|past)\s+(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d)\b", text, re.I)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        if unit.startswith("m"):
            return timedelta(minutes=n)
        if unit.startswith("h"):
            return timedelta(hours=n)
        return timedelta(days=n)
    if re.search(r"last night|overnight", text, re.I):
        return timedelta(hours=16)
    if re.search(r"\btoday\b|this morning", text, re.I):
        return timedelta(hours=12)
    return None


def from_trigger(
    question: str | None,
    alarm_event: dict[str, Any] | None,
    now: datetime,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    tz: tzinfo | None = None,
) -> Scope:
    """Derive the scope. Explicit start/end win; then the alarm's state change; then the question's words,
    whose clock times are wall-clock times in `tz` (the asker's zone; UTC when unknown)."""
    notes: list[str] = []
    alarm_name = alarm_time = None
    alarm_metric = None
    entry: list[EntryResource] = []
    if alarm_event:
        detail = alarm_event.get("detail", {})
        alarm_name = detail.get("alarmName")
        stamp = (detail.get("state") or {}).get("timestamp") or alarm_event.get("time")
        alarm_time = _parse_time(stamp) if stamp else None
        for metric in _alarm_metrics(detail):
            stat = metric["metricStat"]
            m = stat.get("metric", {})
            dims = m.get("dimensions") or {}
            alarm_metric = alarm_metric or {
                "namespace": m.get("namespace"),
                "metric": m.get("name"),
                "dimensions": dims,
                "stat": stat.get("stat"),
                "period": stat.get("period"),
            }
            entry += _entry_from_dims(dims)
    words: list[str] = []
    symptoms: list[str] = []
    if question:
        low = question.lower()
        asserted = NEGATED.sub(" ", low)
        symptoms = [name for pattern, name in SYMPTOM_WORDS if re.search(pattern, asserted)]
        words = sorted({w for w in re.findall(r"[a-z][a-z0-9]+(?:[-_][a-z0-9]+)+|\b[a-z]{4,}\b", low)})
        for ident in re.findall(r"\b(i-[0-9a-f]{8,17}|vol-[0-9a-f]{8,17}|sg-[0-9a-f]{8,17})\b", low):
            entry.append(
                EntryResource(
                    kind={"i": "ec2", "vol": "ebs_volume", "sg": "security_group"}[ident.split("-")[0]],
                    id=ident,
                )
            )
    if alarm_metric:
        symptoms = sorted(set(symptoms) | set(_metric_symptoms(str(alarm_metric.get("metric", "")))))
    if start is None or end is None:
        if alarm_time is not None:
            start = start or alarm_time - ALARM_BEFORE
            end = end or min(now, alarm_time + ALARM_AFTER)
        elif question:
            since = _clock(question, now, tz or UTC)
            back = _relative(question)
            if since is not None:
                start = start or since - timedelta(minutes=30)
                zone = "UTC" if tz is None else str(tz)
                notes.append(
                    f"window from the question: since {since:%H:%M} UTC (clock times read in {zone})"
                )
            elif back is not None:
                start = start or now - back
            end = end or now
        start = start or (end or now) - DEFAULT_LOOKBACK
        end = end or now
    if start >= end:
        raise ValueError(
            f"the investigation window is empty: start {start:%Y-%m-%d %H:%M} is not before end {end:%Y-%m-%d %H:%M}"
        )
    unique: dict[tuple[str, str], EntryResource] = {}
    for e in entry:
        unique.setdefault((e.kind, e.id), e)
    return Scope(
        question=question,
        alarm_name=alarm_name,
        alarm_time=alarm_time,
        alarm_metric=alarm_metric,
        start=start,
        end=end,
        now=now,
        entry=list(unique.values()),
        symptoms=symptoms,
        words=words,
        notes=notes,
    )


def _metric_symptoms(metric: str) -> list[str]:
    m = metric.lower()
    out = []
    if "5xx" in m or "error" in m or "fault" in m:
        out.append("errors")
    if "latency" in m or "responsetime" in m or "duration" in m:
        out.append("latency")
    if "throttl" in m:
        out.append("throttling")
    if "unhealthy" in m or "healthy" in m:
        out.append("unhealthy")
    if "cpu" in m:
        out.append("cpu")
    if "statuscheck" in m:
        out.append("start_failure")
    return out


def _entry_from_dims(dims: dict[str, str]) -> list[EntryResource]:
    out = []
    for name, value in dims.items():
        kind = DIMENSION_KINDS.get(name)
        if kind is None:
            continue
        extra = None
        if kind == "target_group":
            extra = dims.get("LoadBalancer")
        if kind == "ecs_service":
            extra = dims.get("ClusterName")
        out.append(EntryResource(kind=kind, id=value, extra=extra))
    if not out:
        # A custom metric (an application's own namespace) names its component in a dimension
        # such as Service: that component is where it hurts.
        component = next((dims[n] for n in NAME_DIMENSIONS if dims.get(n)), None)
        if component:
            out.append(EntryResource(kind="service", id=component))
    return out


def _parse_time(text: str) -> datetime:
    from botocore.utils import parse_to_aware_datetime

    return parse_to_aware_datetime(text.replace("+0000", "+00:00")).astimezone(UTC)


# Words that say the asker is talking about an alarm they saw.
ALARM_WORDS = re.compile(r"\b(alarms?|alerts?|alerted|alarmed|paged|pages|went off|fired|firing)\b", re.I)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def named_alarm(question: str, names: list[str]) -> str | None:
    """The alarm a question names, in whatever separators the asker used ("the orders-api 5xx alarm"
    for `orders-api-5xx`): every word of its name is in the question. The most specific name wins;
    None when the question mentions no alarm, or two names fit equally well."""
    if not ALARM_WORDS.search(question):
        return None
    said = {_stem(w) for w in re.findall(r"[a-z0-9]+", question.lower())}
    fits: list[tuple[int, str]] = []
    for name in names:
        parts = [_stem(w) for w in re.findall(r"[a-z0-9]+", name.lower())]
        if len(parts) >= 2 and all(p in said for p in parts):
            fits.append((len(set(parts)), name))
    fits.sort(reverse=True)
    if not fits or (len(fits) > 1 and fits[0][0] == fits[1][0]):
        return None
    return fits[0][1]


def alarm_event(
    name: str, metric: dict[str, Any] | None, fired_at: datetime, account: str = "", region: str = ""
) -> dict[str, Any]:
    """An EventBridge "CloudWatch Alarm State Change" event for an alarm found by name, so a question
    about an alarm is scoped like the alarm's own event: its firing, its metric, its resource."""
    configuration: dict[str, Any] = {}
    if metric:
        configuration["metrics"] = [
            {
                "id": "m1",
                "metricStat": {
                    "metric": {
                        "namespace": metric.get("namespace"),
                        "name": metric.get("metric"),
                        "dimensions": metric.get("dimensions") or {},
                    },
                    "period": metric.get("period"),
                    "stat": metric.get("stat"),
                },
                "returnData": True,
            }
        ]
    return {
        "source": "aws.cloudwatch",
        "detail-type": "CloudWatch Alarm State Change",
        "account": account,
        "region": region,
        "time": fired_at.isoformat(),
        "detail": {
            "alarmName": name,
            "state": {"value": "ALARM", "timestamp": fired_at.isoformat()},
            "configuration": configuration,
        },
    }
