"""The latency distribution gives back the published Average and percentiles as CloudWatch computes them."""

from __future__ import annotations

import random

import pytest

from evals.datasets.latency import fit
from evals.replay.engines.metrics import percentile

# PetSite, high_traffic issue_0, first row: Average, p50, p90, p95, p99 over 701 requests.
PETSITE = (
    0.083310951677786,
    {50.0: 0.0454381448400272, 90.0: 0.221531870203245, 95.0: 0.2498828387038595, 99.0: 0.3438105038917599},
    701.0,
)


def test_reproduces_average_percentiles_and_count() -> None:
    average, marks, count = PETSITE
    dist = fit(average, marks, count)
    assert dist.exact
    assert sum(dist.counts) == pytest.approx(701.0)
    assert dist.mean() == pytest.approx(average, rel=1e-12)
    for rank, value in marks.items():
        assert percentile(dist.values, dist.counts, rank) == value
    assert min(dist.values) >= 0


def test_heavy_tail_puts_the_excess_above_the_highest_percentile() -> None:
    # A mean above p99 (three such rows exist in the dataset): only the last 1% can carry it.
    dist = fit(2.0, {50.0: 0.1, 99.0: 1.0}, 100.0)
    assert dist.exact
    assert dist.mean() == pytest.approx(2.0)
    assert percentile(dist.values, dist.counts, 50.0) == 0.1
    assert percentile(dist.values, dist.counts, 99.0) == 1.0
    assert max(dist.values) > 1.0


def test_unreachable_average_is_kept_and_flagged() -> None:
    # 0.01 is below what p50=0.1 allows (half the weight at or above 0.1 gives a mean >= 0.05).
    dist = fit(0.01, {50.0: 0.1, 90.0: 0.2}, 10.0)
    assert not dist.exact
    assert dist.mean() == pytest.approx(0.01)


def test_no_percentiles_is_a_single_value() -> None:
    dist = fit(0.25, {}, 4.0)
    assert dist.values == [0.25]
    assert dist.counts == [4.0]


def test_count_must_be_positive() -> None:
    with pytest.raises(ValueError, match="count"):
        fit(0.1, {50.0: 0.1}, 0.0)


def test_samples_stay_within_the_distribution() -> None:
    average, marks, count = PETSITE
    dist = fit(average, marks, count)
    rng = random.Random(7)
    draws = [dist.sample(rng) for _ in range(2000)]
    assert set(draws) <= set(dist.values)
    below_median = sum(1 for d in draws if d < marks[50.0]) / len(draws)
    assert 0.45 < below_median < 0.55
