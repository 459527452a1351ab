"""One-minute metric series with a daily shape and noise, shaped further by a scenario's fault."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from evals.scenarios.window import Window


def daily_curve(window: Window, *, peak_hour: float, amplitude: float) -> list[float]:
    """A factor per minute around 1.0: busiest at `peak_hour` local time, quietest twelve hours later."""
    out = []
    for _, when in window.grid():
        phase = 2 * math.pi * (window.local_hour(when) - peak_hour) / 24
        out.append(1 + amplitude * math.cos(phase))
    return out


@dataclass
class Series:
    """A CloudWatch metric over the window: one value per minute, None where no datapoint exists.

    `sparse` series skip zero values, as ALB does for HTTPCode_* counts (no request, no datapoint).
    """

    namespace: str
    metric: str
    dimensions: dict[str, str]
    unit: str
    values: list[float | None]
    sparse: bool = False
    decimals: int = 2
    resource: str = ""  # the id/ARN of the resource the metric describes (for consistency checks)
    tags: dict[str, str] = field(default_factory=dict)

    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        return self.namespace, self.metric, tuple(sorted(self.dimensions.items()))

    def apply(
        self,
        window: Window,
        since: datetime,
        fn: Callable[[int, float], float],
        until: datetime | None = None,
    ) -> None:
        """Replace values from `since` (to `until`) by fn(minutes since `since`, old value)."""
        first = window.index(since)
        last = window.index(until) if until else window.minutes
        for i in range(first, min(last, len(self.values))):
            old = self.values[i]
            if old is not None:
                self.values[i] = fn(i - first, old)

    def blank(self, window: Window, since: datetime | None = None, until: datetime | None = None) -> None:
        """No datapoints between the two instants (an instance not yet launched, or terminated)."""
        first = window.index(since) if since else 0
        last = window.index(until) if until else len(self.values)
        for i in range(first, min(last, len(self.values))):
            self.values[i] = None


def noisy(
    rng: random.Random,
    base: list[float],
    *,
    scale: float,
    noise: float,
    floor: float = 0.0,
    ceiling: float | None = None,
) -> list[float | None]:
    """`scale * base` with multiplicative Gaussian noise, clipped to [floor, ceiling]."""
    out: list[float | None] = []
    for factor in base:
        value = scale * factor * (1 + rng.gauss(0, noise))
        value = max(floor, value)
        if ceiling is not None:
            value = min(ceiling, value)
        out.append(value)
    return out


def ramp(minutes: int, length: int) -> float:
    """0 → 1 over `length` minutes: how far a developing fault has progressed."""
    return 1.0 if length <= 0 else min(1.0, max(0.0, minutes / length))
