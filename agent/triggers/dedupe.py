"""Dedupe and storm control: which alarm transitions start an investigation, join one, or wait.

Policy, in order:
1. Alarm transitions with the same dedupe key (by default: the same account, region and entry-resource
   groups) within `dedupe_minutes` of an investigation's start join that investigation. The same
   transition delivered twice (EventBridge delivers at least once) is counted once.
2. At most `cap` investigations start per `cap_window_minutes` of arrival time (tumbling windows aligned to the epoch,
   so every store agrees on a window without coordination). A new key over the cap is queued with the
   event that opened it: later alarms for it still join it, and `take_queued` hands the oldest one out
   once a window has room again.
Only ALARM transitions reach a store; the runner turns OK and INSUFFICIENT_DATA away before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from agent.triggers.scope import Scope

Outcome = Literal["started", "joined", "queued"]
Status = Literal["pending", "running", "queued", "done", "failed"]


@dataclass(frozen=True)
class DedupePolicy:
    dedupe_minutes: int = 30
    cap: int = 5
    cap_window_minutes: int = 15

    def __post_init__(self) -> None:
        if self.dedupe_minutes < 0 or self.cap < 0 or self.cap_window_minutes <= 0:
            raise ValueError("dedupe_minutes and cap must be >= 0, cap_window_minutes > 0")

    def window_of(self, at: datetime) -> int:
        """The cap window `at` falls in, as its start in epoch seconds."""
        size = self.cap_window_minutes * 60
        return int(at.timestamp()) // size * size


@dataclass(frozen=True)
class Claim:
    """What a store decided for one alarm transition."""

    outcome: Outcome
    investigation_id: str
    key: str
    alarms: int = 1


@dataclass
class Investigation:
    id: str
    key: str
    status: Status
    started_at: datetime
    alarms: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    payload: str = ""
    arrived_at: datetime | None = None  # when its opening event reached the store (queue age)

    def claim(self) -> Claim:
        return Claim("started", self.id, self.key, len(self.alarms))


@dataclass(frozen=True)
class Unprocessed:
    at: datetime
    error: str
    raw: str


class InvestigationStore(Protocol):
    """Where claims, results and unprocessed events live; `claim` must be atomic across workers."""

    policy: DedupePolicy

    def claim(
        self, key: str, alarm: str, at: datetime, payload: str = "", arrived: datetime | None = None
    ) -> Claim:
        """Start, join or queue; `payload` (the opening event) is kept so a queued one can run later.

        `at` (the alarm's own state-change time) decides dedupe; `arrived` (when the event reached us,
        default `at`) decides the cap window, so old timestamps cannot slip a storm past the cap."""
        ...

    def take_queued(self, at: datetime) -> Investigation | None:
        """The oldest queued investigation, now `running`, if the cap window of `at` has room; else None."""
        ...

    def finish(self, claim: Claim, status: Status, result: dict[str, Any]) -> None: ...

    def record_unprocessed(self, raw: Any, error: str, at: datetime) -> None: ...

    def investigations(self) -> list[Investigation]: ...

    def unprocessed(self) -> list[Unprocessed]: ...


DedupeKey = Callable[[Scope], str]


def resource_group_key(scope: Scope) -> str:
    """Default dedupe key: account, region and the entry resources' groups (the alarm, if it has none)."""
    groups = scope.groups()
    what = "+".join(groups) if groups else f"alarm:{scope.alarm_name}"
    return f"{scope.account}/{scope.region}/{what}"


def alarm_ref(scope: Scope) -> str:
    """One alarm transition: a redelivered event has the same ref, a new transition a new one."""
    return f"{scope.alarm_name}@{scope.changed_at.astimezone(UTC).isoformat()}"


def investigation_id(key: str, at: datetime) -> str:
    """Stable for (key, start), so two workers that race on one claim name the same investigation."""
    digest = hashlib.sha256(f"{key}|{at.astimezone(UTC).isoformat()}".encode()).hexdigest()
    return f"inv-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{digest[:10]}"


def raw_text(raw: Any) -> str:
    """The raw event as text, kept whole whatever it is."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    if isinstance(raw, str):
        return raw
    try:
        return json.dumps(raw, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(raw)
