"""Robust summaries of a metric series: baseline vs. window, peak, and when the change began."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

MIN_BASELINE_POINTS = 5
# A point is anomalous when it is this many robust standard deviations from the baseline median.
Z_THRESHOLD = 4.0
# ... and the change must hold for this many consecutive points to count as an onset (one spike is noise).
SUSTAIN = 3


class SeriesSummary(BaseModel):
    points: int
    baseline_points: int
    baseline_median: float | None
    baseline_spread: float | None  # robust standard deviation (1.4826 x MAD), floored
    window_median: float | None
    peak: float | None
    peak_at: datetime | None
    low: float | None
    low_at: datetime | None
    direction: Literal["up", "down", "flat", "unknown"]
    score: float  # robust z of the window median against the baseline; 0 when unknown
    excursion: float = 0.0  # robust z of the most extreme window point in `direction`; 0 when flat
    anomalous_points: int = 0  # window points beyond the threshold in `direction`
    drained: bool = False  # a positive baseline fell to (near) zero in the window: a balance ran out
    recovered: bool = False  # the last points of the window are back within the baseline's range
    at_ceiling: int = 0  # window points within 1% of the peak, when the peak is an excursion: a hard limit
    onset: datetime | None  # first point of the first sustained excursion in the window
    last: float | None
    first_at: datetime | None = None  # the window's first datapoint (for series published only when nonzero)
    first_nonzero_at: datetime | None = None  # the window's first datapoint above zero
    zero_share: float | None = None  # share of baseline points that read 0 (how often nothing is normal)
    zero_run: int = 0  # consecutive points reading 0 at the end of the window
    zero_since: datetime | None = None  # the first of those points: when the count stopped

    def text(self, unit: str = "") -> str:
        if self.points == 0:
            return "no datapoints"
        u = f" {unit}" if unit and unit != "None" else ""
        if self.baseline_median is None:
            return f"{self.points} points, median {self.window_median:.4g}{u}, peak {self.peak:.4g}{u} (no baseline)"
        if self.window_median is None:
            # Everything it published is before the window (a daily metric, a series that stopped).
            return f"baseline {self.baseline_median:.4g}{u}; no datapoints in the window"
        onset = f", onset {self.onset:%H:%M}" if self.onset else ""
        # A drop is read at its trough, everything else at its peak; the change is said in plain terms
        # against the baseline (a z-score means nothing to the person reading at 3 a.m.).
        falling = self.direction == "down" and self.low is not None and self.low_at is not None
        label, value, at = ("trough", self.low, self.low_at) if falling else ("peak", self.peak, self.peak_at)
        if value is None or at is None:
            return (
                f"baseline {self.baseline_median:.4g}{u} -> window median {self.window_median:.4g}{u}{onset}"
            )
        return (
            f"baseline {self.baseline_median:.4g}{u} -> window median {self.window_median:.4g}{u}, "
            f"{label} {value:.4g}{u} at {at:%H:%M} ({_versus(value, self.baseline_median)}{onset})"
        )


def _versus(value: float | None, baseline: float) -> str:
    """How far `value` is from `baseline`, as a person says it: '1,747x the baseline', '-100%', 'from 0'."""
    if value is None:
        return "no value"
    if baseline == 0:
        return "from 0" if value else "unchanged"
    ratio = value / baseline
    if ratio >= 10:
        return f"{ratio:,.0f}x the baseline"
    if ratio >= 2:
        return f"{ratio:.1f}x the baseline"
    return f"{(ratio - 1) * 100:+.0f}% vs the baseline"


def _spread(values: Sequence[float], center: float, scale: float) -> float:
    deviations = [abs(v - center) for v in values]
    mad = statistics.median(deviations)
    if mad == 0:
        # Mostly-constant baselines (error counts at zero): fall back to the mean deviation.
        mad = statistics.fmean(deviations)
    # Floors: a flat baseline must not make every tiny wiggle infinitely anomalous; 1% of the series'
    # own scale keeps a step from 0 to 1 from reading as a thousand standard deviations.
    return max(1.4826 * mad, abs(center) * 0.03, scale * 0.01, 1e-9)


def summarize(
    timestamps: Sequence[datetime], values: Sequence[float], window_start: datetime
) -> SeriesSummary:
    """Summarise a series whose points before `window_start` are the baseline and the rest the window."""
    pairs = sorted(zip(timestamps, values, strict=True))
    base = [v for t, v in pairs if t < window_start]
    win = [(t, v) for t, v in pairs if t >= window_start]
    wv = [v for _, v in win]
    first_nonzero = next((t for t, v in win if v > 0), None)
    if not win:
        return SeriesSummary(
            points=len(pairs),
            baseline_points=len(base),
            baseline_median=statistics.median(base) if base else None,
            baseline_spread=None,
            window_median=None,
            peak=None,
            peak_at=None,
            low=None,
            low_at=None,
            direction="unknown",
            score=0.0,
            onset=None,
            last=pairs[-1][1] if pairs else None,
        )
    peak_t, peak = max(win, key=lambda p: p[1])
    low_t, low = min(win, key=lambda p: p[1])
    wmed = statistics.median(wv)
    if len(base) < MIN_BASELINE_POINTS:
        return SeriesSummary(
            points=len(pairs),
            baseline_points=len(base),
            baseline_median=None,
            baseline_spread=None,
            window_median=wmed,
            peak=peak,
            peak_at=peak_t,
            low=low,
            low_at=low_t,
            direction="unknown",
            score=0.0,
            onset=None,
            last=wv[-1],
            first_at=win[0][0],
            first_nonzero_at=first_nonzero,
        )
    center = statistics.median(base)
    scale = max(abs(v) for v in [*base, *wv])
    spread = _spread(base, center, scale)
    score = (wmed - center) / spread
    direction: Literal["up", "down", "flat", "unknown"] = "flat"
    excursion_up = (peak - center) / spread
    excursion_down = (center - low) / spread
    if max(excursion_up, excursion_down) >= Z_THRESHOLD:
        direction = "up" if excursion_up >= excursion_down else "down"
    drained = center > 0 and low <= 0.02 * max(center, max(base))
    sign = 1 if direction == "up" else -1
    beyond = sum(1 for v in wv if sign * (v - center) / spread >= Z_THRESHOLD) if direction != "flat" else 0
    tail = wv[-SUSTAIN:]
    ceiling = sum(1 for v in wv if abs(v - peak) <= 0.01 * abs(peak)) if direction == "up" and peak > 0 else 0
    recovered = direction != "flat" and all(sign * (v - center) / spread < Z_THRESHOLD for v in tail)
    zero_run = 0
    for v in reversed(wv):
        if v != 0:
            break
        zero_run += 1
    return SeriesSummary(
        points=len(pairs),
        baseline_points=len(base),
        baseline_median=center,
        baseline_spread=spread,
        window_median=wmed,
        peak=peak,
        peak_at=peak_t,
        low=low,
        low_at=low_t,
        direction=direction,
        score=round(score, 2),
        excursion=round(
            excursion_up if direction == "up" else excursion_down if direction == "down" else 0.0, 2
        ),
        anomalous_points=beyond,
        drained=drained,
        recovered=recovered,
        at_ceiling=ceiling,
        onset=onset(win, center, spread, direction),
        zero_share=round(sum(1 for v in base if v == 0) / len(base), 4),
        zero_run=zero_run,
        zero_since=win[len(win) - zero_run][0] if zero_run else None,
        last=wv[-1],
        first_at=win[0][0],
        first_nonzero_at=first_nonzero,
    )


def onset(
    window: Sequence[tuple[datetime, float]], center: float, spread: float, direction: str
) -> datetime | None:
    """The first point of the first run of SUSTAIN consecutive anomalous points in `direction`."""
    if direction not in ("up", "down"):
        return None
    sign = 1 if direction == "up" else -1
    run_start: datetime | None = None
    run = 0
    for t, v in window:
        if sign * (v - center) / spread >= Z_THRESHOLD:
            run_start = run_start or t
            run += 1
            if run >= SUSTAIN:
                return run_start
        else:
            run_start, run = None, 0
    return None


def with_zero_periods(
    timestamps: Sequence[datetime], values: Sequence[float], first: datetime, until: datetime, step: timedelta
) -> tuple[list[datetime], list[float]]:
    """A count with the periods CloudWatch left out read as zero: every period from `first` on, stepping
    by `step`, that ends by `until` and has no datapoint gets 0, merged in time order with the points
    there are (AWS publishes many counts only when something happened). The input, as lists, when no
    period was missing."""
    seen = set(timestamps)
    added: list[datetime] = []
    t = first
    while t + step <= until:
        if t not in seen:
            added.append(t)
        t += step
    if not added:
        return list(timestamps), list(values)
    pairs = sorted([*zip(timestamps, values, strict=True), *((a, 0.0) for a in added)], key=lambda p: p[0])
    return [t for t, _ in pairs], [v for _, v in pairs]
