"""The incident's clock: when telemetry starts, when the fault begins, and when the investigation runs."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Window:
    """`start` <= `onset` < `now`; metrics run on a one-minute grid from `start` to `now`."""

    start: datetime
    onset: datetime
    now: datetime
    utc_offset_hours: int  # the team's local time zone, which shapes the daily traffic curve

    @classmethod
    def draw(
        cls,
        rng: random.Random,
        *,
        local_hours: tuple[int, int] = (9, 18),
        history: tuple[int, int] = (330, 400),
        after: tuple[int, int] = (40, 85),
    ) -> Window:
        """Pick a date, an onset at a local hour in `local_hours`, `history` and `after` in minutes."""
        offset = rng.choice([-8, -7, -5, -4, 0, 1, 2, 5, 8, 9, 10])
        day = datetime(2024, 1, 8, tzinfo=UTC) + timedelta(days=rng.randrange(0, 600))
        local_minute = rng.randrange(local_hours[0] * 60, local_hours[1] * 60)
        onset = day + timedelta(minutes=local_minute - offset * 60, seconds=rng.randrange(0, 60))
        start = (onset - timedelta(minutes=rng.randrange(*history))).replace(second=0, microsecond=0)
        now = (onset + timedelta(minutes=rng.randrange(*after))).replace(second=0, microsecond=0)
        return cls(start=start, onset=onset, now=now, utc_offset_hours=offset)

    @property
    def minutes(self) -> int:
        """How many one-minute periods the metric grid holds."""
        return int((self.now - self.start) / MINUTE)

    def at(self, index: int) -> datetime:
        return self.start + index * MINUTE

    def index(self, when: datetime) -> int:
        """The grid period that contains `when` (clamped to the grid)."""
        return max(0, min(self.minutes, int((when - self.start) / MINUTE)))

    def grid(self) -> Iterator[tuple[int, datetime]]:
        for i in range(self.minutes):
            yield i, self.at(i)

    def local_hour(self, when: datetime) -> float:
        local = when + timedelta(hours=self.utc_offset_hours)
        return local.hour + local.minute / 60

    def same_minute(self, when: datetime, rng: random.Random, seconds: tuple[int, int]) -> datetime:
        """A moment a few seconds after `when`, but still inside `when`'s one-minute period."""
        end = self.at(self.index(when) + 1) - timedelta(milliseconds=1)
        return min(when + timedelta(seconds=rng.randrange(*seconds)), end)

    def moment(self, rng: random.Random, index: int, not_before: datetime | None = None) -> datetime:
        """A random instant inside grid minute `index`, no earlier than `not_before`."""
        lo = max(self.at(index), not_before) if not_before else self.at(index)
        return self.between(rng, lo, max(self.at(index + 1), lo + timedelta(milliseconds=1)))

    def between(self, rng: random.Random, lo: datetime, hi: datetime) -> datetime:
        """A random instant in [lo, hi), to the millisecond."""
        span = max(int((hi - lo).total_seconds() * 1000), 1)
        return lo + timedelta(milliseconds=rng.randrange(span))
