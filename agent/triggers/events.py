"""The EventBridge "CloudWatch Alarm State Change" event, parsed into typed models.

The shapes follow the samples in the CloudWatch User Guide ("Alarm events and EventBridge"): single-metric,
metric-math, anomaly-detection and composite alarms. CloudWatch stamps `state.timestamp` as
`2019-10-02T17:04:40.989+0000`; EventBridge stamps `time` as `2019-10-02T17:04:40Z`; both parse here.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

SOURCE = "aws.cloudwatch"
DETAIL_TYPE = "CloudWatch Alarm State Change"
StateValue = Literal["OK", "ALARM", "INSUFFICIENT_DATA"]


EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, tzinfo=UTC)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp needs a time zone")
    if not EARLIEST <= value <= LATEST:
        # An alarm changes state in this era; year 1 or 9999 would overflow every window built on it.
        raise ValueError(f"timestamp {value.isoformat()} is outside 1970-2999")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class _Model(BaseModel):
    # AWS adds fields over time (alarmTags, actionsSuppressedBy, ...): keep what we do not model.
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class AlarmState(_Model):
    value: StateValue
    reason: str = ""
    reason_data: str | None = Field(default=None, alias="reasonData")
    timestamp: UtcDatetime
    actions_suppressed_by: str | None = Field(default=None, alias="actionsSuppressedBy")

    def reason_json(self) -> dict[str, Any]:
        """`reasonData` decoded; {} when absent or not a JSON object (it is free text for AWS)."""
        try:
            data = json.loads(self.reason_data or "")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def triggering_alarms(self) -> list[str]:
        """Composite alarms: ARNs of the children whose state caused this transition."""
        found = self.reason_json().get("triggeringAlarms")
        if not isinstance(found, list):
            return []
        return [t["arn"] for t in found if isinstance(t, dict) and isinstance(t.get("arn"), str)]


class Metric(_Model):
    namespace: str
    name: str
    dimensions: dict[str, str] = {}


class MetricStat(_Model):
    metric: Metric
    period: int | None = None
    stat: str | None = None
    unit: str | None = None


class MetricQuery(_Model):
    """One entry of `configuration.metrics`: a metric (`metricStat`) or an expression."""

    id: str
    metric_stat: MetricStat | None = Field(default=None, alias="metricStat")
    expression: str | None = None
    label: str | None = None
    return_data: bool | None = Field(default=None, alias="returnData")


class AlarmConfiguration(_Model):
    description: str | None = None
    metrics: list[MetricQuery] = []
    alarm_rule: str | None = Field(default=None, alias="alarmRule")
    actions_suppressor: str | None = Field(default=None, alias="actionsSuppressor")


class AlarmDetail(_Model):
    alarm_name: str = Field(alias="alarmName", min_length=1)
    state: AlarmState
    previous_state: AlarmState | None = Field(default=None, alias="previousState")
    configuration: AlarmConfiguration = AlarmConfiguration()


class AlarmStateChange(_Model):
    """One "CloudWatch Alarm State Change" event as EventBridge delivers it."""

    version: str | None = None
    id: str | None = None
    detail_type: Literal["CloudWatch Alarm State Change"] = Field(alias="detail-type")
    source: Literal["aws.cloudwatch"]
    account: Annotated[str, Field(pattern=r"^\d{12}$")]
    time: UtcDatetime
    region: str = Field(min_length=1)
    resources: list[str] = []
    detail: AlarmDetail

    @property
    def kind(self) -> Literal["metric", "metric_math", "composite"]:
        config = self.detail.configuration
        if config.alarm_rule is not None:
            return "composite"
        if any(q.expression for q in config.metrics) or len(config.metrics) > 1:
            return "metric_math"
        return "metric"

    @property
    def alarm_arn(self) -> str:
        """The alarm's ARN: EventBridge lists it in `resources`; built from the parts if it is missing."""
        for arn in self.resources:
            if ":alarm:" in arn:
                return arn
        partition = "aws-cn" if self.region.startswith("cn-") else "aws"
        return f"arn:{partition}:cloudwatch:{self.region}:{self.account}:alarm:{self.detail.alarm_name}"


class EventError(ValueError):
    """An event Sleuth cannot use. `field` names the first bad field; `raw` is the event as received."""

    def __init__(self, field: str, message: str, raw: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.raw = raw


def parse_event(raw: Any) -> AlarmStateChange:
    """Parse an EventBridge alarm state-change event (a dict, or its JSON text); raise `EventError`."""
    event = raw
    if isinstance(raw, str | bytes):
        try:
            event = json.loads(raw)
        except ValueError as exc:  # also bytes that are not UTF-8
            raise EventError("<event>", f"not JSON: {exc}", raw) from None
        except RecursionError:
            raise EventError("<event>", "JSON nested too deeply", raw) from None
    if not isinstance(event, dict):
        raise EventError("<event>", f"expected a JSON object, got {type(event).__name__}", raw)
    # Say plainly when a different event reached us, before listing every field it lacks.
    for key, want in (("source", SOURCE), ("detail-type", DETAIL_TYPE)):
        if event.get(key) != want:
            raise EventError(key, f"expected {want!r}, got {event.get(key)!r}", raw)
    try:
        return AlarmStateChange.model_validate(event)
    except RecursionError:
        raise EventError("<event>", "JSON nested too deeply", raw) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "<event>"
        raise EventError(field, first["msg"], raw) from None


# An alarm rule names children in ALARM(x) / OK(x) / INSUFFICIENT_DATA(x), quoted or not, and in the
# lists of AT_LEAST(M, STATE, (x, y, ...)).
_RULE_STATE = re.compile(r"\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(\"[^\"]*\"|'[^']*'|[^()\s]+)\s*\)")
_RULE_AT_LEAST = re.compile(r"\bAT_LEAST\s*\([^,()]+,\s*(?:NOT\s+)?[A-Z_]+\s*,\s*\(([^()]*)\)\s*\)")


def rule_children(rule: str) -> list[str]:
    """Alarm names (an ARN in the rule becomes its name) a composite AlarmRule refers to, first mention first."""
    refs = [(m.start(), 0, m.group(1)) for m in _RULE_STATE.finditer(rule)]
    for match in _RULE_AT_LEAST.finditer(rule):
        parts = [part for part in match.group(1).split(",") if part.strip()]
        refs.extend((match.start(1), i, part) for i, part in enumerate(parts))
    return list(dict.fromkeys(alarm_name(ref.strip().strip("\"'")) for *_, ref in sorted(refs)))


def alarm_name(ref: str) -> str:
    """An alarm's name from its name or ARN (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`)."""
    return ref.split(":alarm:", 1)[1] if ref.startswith("arn:") and ":alarm:" in ref else ref
