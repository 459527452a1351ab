"""A latency distribution (values and counts, as PutMetricData takes them) that reproduces published statistics.

A dataset gives a period's Average and a few percentiles (p50, p90, ...) over N requests. CloudWatch can
only aggregate such data faithfully over longer periods, or answer any of those statistics, if it holds
the distribution itself. We build the simplest one that gives back every published figure exactly:
CloudWatch's nearest-rank percentile pNN is the smallest value whose cumulative share reaches NN%, so
each percentile becomes a small block of weight at exactly that value, just astride its rank, and the
weight between two percentiles sits at one value inside their interval. Those inner values (and a
tail above the highest percentile) are then moved, all by the same fraction of their allowed range,
until the weighted mean equals the Average.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

EPSILON = 0.002  # half the share held at exactly each percentile


@dataclass(frozen=True)
class Distribution:
    """Values with counts (their weights sum to the request count); `exact` is False where the published
    Average was below what the percentiles allow, and every value was scaled down to keep the Average."""

    values: list[float]
    counts: list[float]
    exact: bool

    def mean(self) -> float:
        return sum(v * c for v, c in zip(self.values, self.counts, strict=True)) / sum(self.counts)

    def quantile(self, u: float) -> float:
        """The smallest value whose cumulative share reaches `u` (0 <= u <= 1): a draw for uniform `u`."""
        order = sorted(range(len(self.values)), key=lambda i: self.values[i])
        cumulative = list(accumulate(self.counts[i] for i in order))
        k = bisect_left(cumulative, u * cumulative[-1])
        return self.values[order[min(k, len(order) - 1)]]

    def sample(self, rng: random.Random) -> float:
        """One draw, for a synthetic trace."""
        return self.quantile(rng.random())


def fit(average: float, percentiles: dict[float, float], count: float) -> Distribution:
    """A distribution of `count` requests whose mean is `average` and whose pNN are `percentiles`.

    Args:
        average: the published mean, >= 0.
        percentiles: {NN: value} for 0 < NN <= 100, values >= 0.
        count: the number of requests the statistics cover (> 0).
    """
    if count <= 0:
        raise ValueError("count must be positive")
    if not percentiles:
        return Distribution([average], [count], True)
    anchors = sorted(percentiles.items())
    ranks = [p / 100.0 for p, _ in anchors]
    # Percentiles from real data are non-decreasing; where rounding says otherwise, hold the level.
    levels = list(accumulate((v for _, v in anchors), max))
    eps = min(EPSILON, min(b - a for a, b in zip([0.0, *ranks], [*ranks, 1.0 + 1e-9], strict=True)) / 4)

    # Each band: (share, lowest value, highest value); None as highest means unbounded (the tail).
    bands: list[tuple[float, float, float | None]] = [(ranks[0] - eps, 0.0, levels[0])]
    for i, level in enumerate(levels):
        upper = ranks[i + 1] if i + 1 < len(ranks) else 1.0
        bands.append((min(2 * eps, upper - ranks[i] + eps), level, level))
        rest = upper - ranks[i] - 2 * eps if i + 1 < len(ranks) else upper - ranks[i] - eps
        if rest > 0:
            top = levels[i + 1] if i + 1 < len(levels) else None
            bands.append((rest, level, top))
    bands = [b for b in bands if b[0] > 0]

    low = sum(s * lo for s, lo, _ in bands)
    if average < low:
        # Not reachable with these percentiles (they were computed over other samples): keep the Average.
        scale = average / low if low > 0 else 0.0
        return _build([(s, lo * scale) for s, lo, _ in bands], count, exact=False)
    bounded = sum(s * (hi if hi is not None else lo) for s, lo, hi in bands)
    if average <= bounded:
        t = (average - low) / (bounded - low) if bounded > low else 0.0
        return _build([(s, lo + t * ((hi if hi is not None else lo) - lo)) for s, lo, hi in bands], count)
    # Even at the top of every bounded band the mean falls short: the tail carries the rest.
    tail_share = sum(s for s, _, hi in bands if hi is None)
    if tail_share == 0:
        return _build([(s, hi if hi is not None else lo) for s, lo, hi in bands], count, exact=False)
    extra = (average - bounded) / tail_share
    return _build([(s, hi if hi is not None else lo + extra) for s, lo, hi in bands], count)


def _build(weighted: list[tuple[float, float]], count: float, *, exact: bool = True) -> Distribution:
    total = sum(s for s, _ in weighted)
    return Distribution([v for _, v in weighted], [s / total * count for s, _ in weighted], exact)
