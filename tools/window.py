"""Time windows for tools: absolute UTC bounds, resolved once from the injected clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, Field, model_validator

_RELATIVE = re.compile(
    r"^\s*(?:last\s+)?(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|hour|hours|d|day|days|w|week|weeks)\s*$"
)
_UNIT_S = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600}
_UNIT_S |= {"d": 86400, "day": 86400, "days": 86400, "w": 604800, "week": 604800, "weeks": 604800}


class Window(BaseModel):
    """A time window; `start` before `end`, both timezone-aware."""

    start: AwareDatetime = Field(description="window start, ISO-8601 with a zone")
    end: AwareDatetime = Field(description="window end, ISO-8601 with a zone")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.start >= self.end:
            raise ValueError(
                f"window start {self.start.isoformat()} is not before end {self.end.isoformat()}"
            )
        return self

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def parse_duration(text: str) -> timedelta:
    """'2h', 'last 90m', '3 days' -> a timedelta. Raises ValueError naming the input."""
    m = _RELATIVE.match(text.lower())
    if not m:
        raise ValueError(f"cannot read {text!r} as a duration; use e.g. 30m, 2h, 1d")
    value = float(m.group(1)) * _UNIT_S[m.group(2)]
    if value <= 0:
        raise ValueError(f"duration {text!r} must be positive")
    return timedelta(seconds=value)


def last(text: str, now: datetime) -> Window:
    """The window ending at `now` and reaching back `text` ('2h')."""
    end = now.astimezone(UTC)
    return Window(start=end - parse_duration(text), end=end)


def parse_timezone(text: str) -> tzinfo:
    """'Europe/Berlin', 'UTC', '+02:00', '-0700', 'UTC+5:30' -> a tzinfo; ValueError naming the input."""
    raw = text.strip()
    m = re.fullmatch(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", raw, re.I)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(f"time zone {text!r}: offsets run from -12:00 to +14:00")
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if raw.upper() in ("UTC", "GMT", "Z"):
        return UTC
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {text!r}: use an IANA name such as Europe/Berlin or an offset such as +02:00"
        ) from exc
