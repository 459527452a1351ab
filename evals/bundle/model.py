"""Pydantic models for the incident bundle, format v1 (see FORMAT.md).

Records keep the shapes AWS itself uses. Where AWS has a shape for an item (a MetricAlarm, an EC2
Instance, an RDS Event), the item is validated against botocore's own model of it (see `shapes.py`);
the models here cover the bundle's own envelopes and the records AWS delivers as documents
(log events, metric datapoints, X-Ray segments, CloudTrail records).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from tools.window import parse_timezone

FORMAT = "sleuth-bundle/1"

Category = Literal["change", "system_change", "limit", "component_failure", "dependency_failure"]
Action = Literal["rollback", "block", "scale", "restart", "exclude", "reconfigure", "upgrade"]

STANDARD_UNITS = (
    "Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits "
    "Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second "
    "Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second "
    "Terabits/Second Count/Second None"
).split()


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp needs a time zone (write it as ISO-8601 with 'Z' or an offset)")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A number as PutMetricData takes it: finite, and a number (not true, not "5").
Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]


# --- manifest -------------------------------------------------------------------------------------


class AlarmEventDetail(BaseModel):
    """The `detail` of a "CloudWatch Alarm State Change" event; only what Sleuth relies on is required."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    alarm_name: str = Field(alias="alarmName")
    state: dict[str, Any]
    previous_state: dict[str, Any] | None = Field(default=None, alias="previousState")
    configuration: dict[str, Any] | None = None

    @field_validator("state")
    @classmethod
    def _state_has_value(cls, state: dict[str, Any]) -> dict[str, Any]:
        if state.get("value") not in {"OK", "ALARM", "INSUFFICIENT_DATA"}:
            raise ValueError("state.value must be OK, ALARM or INSUFFICIENT_DATA")
        return state


class AlarmEvent(BaseModel):
    """An EventBridge "CloudWatch Alarm State Change" event, as EventBridge delivers it."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    source: Literal["aws.cloudwatch"]
    detail_type: Literal["CloudWatch Alarm State Change"] = Field(alias="detail-type")
    account: str
    region: str
    time: UtcDatetime
    resources: list[str] = []
    detail: AlarmEventDetail


class Trigger(_Strict):
    question: str | None = None
    alarm_event: AlarmEvent | None = None
    timezone: str | None = Field(
        default=None,
        description="the asker's time zone, for clock times in the question: an IANA name "
        "(Europe/Berlin) or an offset (+02:00); absent: UTC",
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            parse_timezone(value)  # raises ValueError naming the value
        return value


class RootCause(_Strict):
    resource: str = Field(min_length=1)
    category: Category
    failure_mode: str = Field(min_length=1)
    event_id: str | None = None


class Truth(_Strict):
    no_fault: bool = False
    root_cause: RootCause | None = None
    also_accept: list[str] = []
    actions: list[Action] = []
    chain: list[str] = []

    @model_validator(mode="after")
    def _fault_or_not(self) -> Truth:
        if self.no_fault and self.root_cause is not None:
            raise ValueError("truth: no_fault is true but a root_cause is given")
        if not self.no_fault and self.root_cause is None:
            raise ValueError("truth: give a root_cause, or set no_fault to true")
        return self


class Manifest(_Strict):
    format: Literal["sleuth-bundle/1"]
    title: str = Field(min_length=1)
    account_id: str
    region: str
    start: UtcDatetime
    end: UtcDatetime
    now: UtcDatetime
    trigger: Trigger = Trigger()
    truth: Truth | None = None

    @field_validator("account_id")
    @classmethod
    def _account(cls, value: str) -> str:
        if not re.fullmatch(r"\d{12}", value):
            raise ValueError("account_id must be 12 digits")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", value):
            raise ValueError(f"{value!r} is not an AWS region name such as us-east-1")
        return value

    @model_validator(mode="after")
    def _window(self) -> Manifest:
        if self.start >= self.end:
            raise ValueError(f"start ({self.start:%Y-%m-%dT%H:%M:%SZ}) must be before end")
        if self.now < self.start:
            raise ValueError("now must not be before start")
        return self


# --- records --------------------------------------------------------------------------------------


class StatisticSet(_Strict):
    SampleCount: Finite = Field(gt=0)
    Sum: Finite
    Minimum: Finite
    Maximum: Finite

    @model_validator(mode="after")
    def _ordered(self) -> StatisticSet:
        if self.Minimum > self.Maximum:
            raise ValueError("Minimum is greater than Maximum")
        return self


class MetricDatum(_Strict):
    """One datapoint as PutMetricData accepts it: a value, values+counts, or a statistic set."""

    namespace: str = Field(min_length=1)
    metric: str = Field(min_length=1)
    dimensions: dict[str, str] = {}
    timestamp: UtcDatetime
    unit: str = "None"
    value: Finite | None = None
    values: list[Finite] | None = None
    counts: list[Finite] | None = None
    statistic_values: StatisticSet | None = None

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if value not in STANDARD_UNITS:
            raise ValueError(f"unit {value!r} is not a CloudWatch StandardUnit")
        return value

    @field_validator("dimensions")
    @classmethod
    def _dims(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 30:
            raise ValueError("a metric has at most 30 dimensions")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> MetricDatum:
        forms = [self.value is not None, self.values is not None, self.statistic_values is not None]
        if sum(forms) != 1:
            raise ValueError("give exactly one of value, values (+counts) or statistic_values")
        if self.counts is not None and self.values is None:
            raise ValueError("counts given without values")
        if self.values is not None:
            if not self.values:
                raise ValueError("values is empty")
            if self.counts is not None and len(self.counts) != len(self.values):
                raise ValueError(f"{len(self.values)} values but {len(self.counts)} counts")
        return self


class LogEvent(_Strict):
    log_group: str = Field(min_length=1, max_length=512)
    log_stream: str = Field(min_length=1, max_length=512)
    timestamp: int = Field(ge=0, description="epoch milliseconds")
    message: str


_TRACE_ID = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}")
_SEGMENT_ID = re.compile(r"[0-9a-f]{16}")


class TraceSegment(BaseModel):
    """An X-Ray segment document (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html)."""

    model_config = ConfigDict(extra="allow")

    id: str
    trace_id: str
    name: str = Field(min_length=1, max_length=200)
    start_time: Finite
    end_time: Finite | None = None
    in_progress: bool = False

    @field_validator("trace_id")
    @classmethod
    def _trace_id(cls, value: str) -> str:
        if not _TRACE_ID.fullmatch(value):
            raise ValueError("trace_id must look like 1-5759e988-bd862e3fe1be46a994272793")
        return value

    @field_validator("id")
    @classmethod
    def _segment_id(cls, value: str) -> str:
        if not _SEGMENT_ID.fullmatch(value):
            raise ValueError("id must be 16 hexadecimal digits")
        return value

    @model_validator(mode="after")
    def _ends(self) -> TraceSegment:
        if self.end_time is None and not self.in_progress:
            raise ValueError("a segment needs end_time unless in_progress is true")
        if self.end_time is not None and self.end_time < self.start_time:
            raise ValueError("end_time is before start_time")
        return self


class CloudTrailRecord(BaseModel):
    """A CloudTrail record as delivered to S3 (one element of a log file's `Records`)."""

    model_config = ConfigDict(extra="allow")

    eventVersion: str | None = None
    eventTime: UtcDatetime
    eventSource: str = Field(min_length=1)
    eventName: str = Field(min_length=1)
    eventID: str = Field(min_length=1)
    awsRegion: str | None = None
    userIdentity: dict[str, Any] | None = None
    readOnly: bool | None = None


class ResourceRecord(_Strict):
    """A resource as its describe call returns it: `type` names the item's shape in `service`'s model."""

    service: str = Field(min_length=1)
    type: str = Field(min_length=1)
    item: dict[str, Any]


class EventRecord(_Strict):
    """A timestamped event from AWS: health, rds, autoscaling, ecs, target_health (see FORMAT.md)."""

    source: str = Field(min_length=1)
    item: dict[str, Any]
