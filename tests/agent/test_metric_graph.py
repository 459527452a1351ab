"""The metric-graph localiser: components judged against their own history, walked along the call graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.analyzers.metric_graph import localise
from tools.metric_history import HistorySeries, NamespaceHistory

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
HISTORY = 288  # one day of 5-minute periods
CALLS = [("front", "search"), ("search", "table"), ("front", "payments")]


def _series(component: str, metric: str, normal: float, window: list[float], wobble: float) -> HistorySeries:
    """A day of normal operation wobbling around `normal`, then the window's values."""
    history = [normal + wobble * ((i * 7) % 5 - 2) / 2 for i in range(HISTORY)]
    stamps = [START - STEP * (HISTORY - i) for i in range(HISTORY)] + [
        START + STEP * i for i in range(len(window))
    ]
    return HistorySeries(
        component=component,
        metric=metric,
        dimensions={"Service": component},
        timestamps=stamps,
        values=history + window,
    )


def _data(*series: HistorySeries) -> NamespaceHistory:
    return NamespaceHistory(
        namespace="Shop/Services",
        stat="Average",
        start=START,
        period_s=300,
        series=list(series),
        listed=len(series),
    )


END = START + STEP * 5


def test_the_deepest_component_whose_rise_its_callees_do_not_explain_ranks_first() -> None:
    data = _data(
        _series("front", "Latency", 0.10, [0.10, 0.16, 0.17, 0.16, 0.10], 0.004),
        _series("search", "Latency", 0.006, [0.006, 0.06, 0.07, 0.06, 0.006], 0.0004),
        # The table it calls got a little slower too, by a fraction of the search service's rise.
        _series("table", "Latency", 0.013, [0.013, 0.02, 0.021, 0.02, 0.013], 0.001),
        _series("payments", "Latency", 0.2, [0.2, 0.21, 0.19, 0.2, 0.2], 0.01),
    )
    found = localise(data, CALLS, "front", "Latency", END)
    assert found.applies
    candidates = [d for d in found.drafts if "degraded_origin" in d.signals]
    assert [d.resource for d in candidates][:2] == ["search", "table"]
    assert candidates[0].strength > candidates[1].strength
    assert candidates[0].facts["path"] == ["front", "search"]
    assert "payments" not in {d.resource for d in candidates}  # never left its normal range
    symptom = next(d for d in found.drafts if d.resource == "front")
    assert "latency_up" in symptom.signals and "left its normal range" in symptom.summary


def test_a_callee_that_rose_as_much_explains_its_caller() -> None:
    data = _data(
        _series("front", "Latency", 0.10, [0.10, 0.26, 0.27, 0.26, 0.10], 0.004),
        _series("search", "Latency", 0.02, [0.02, 0.17, 0.18, 0.17, 0.02], 0.001),
        _series("table", "Latency", 0.013, [0.013, 0.16, 0.17, 0.16, 0.013], 0.001),
    )
    found = localise(data, CALLS, "front", "Latency", END)
    candidates = [d.resource for d in found.drafts if "degraded_origin" in d.signals]
    assert candidates == ["table"]


def test_errors_are_judged_against_a_flat_normal() -> None:
    data = _data(
        _series("front", "Availability", 100.0, [100.0, 99.2, 99.0, 99.4, 100.0], 0.0),
        _series("search", "Availability", 100.0, [100.0, 97.5, 97.0, 98.0, 100.0], 0.0),
        _series("table", "Availability", 100.0, [100.0] * 5, 0.0),
    )
    found = localise(data, CALLS, "front", "Availability", END)
    candidates = [d for d in found.drafts if "degraded_origin" in d.signals]
    assert [d.resource for d in candidates] == ["search"]
    assert "error_rate_up" in candidates[0].signals


def test_a_symptom_within_its_normal_range_is_no_incident() -> None:
    data = _data(
        _series("front", "Latency", 0.10, [0.10, 0.102, 0.098, 0.101, 0.10], 0.004),
        _series("search", "Latency", 0.006, [0.006, 0.03, 0.03, 0.006, 0.006], 0.0004),
    )
    found = localise(data, CALLS, "front", "Latency", END)
    assert found.applies
    [draft] = found.drafts
    assert draft.signals == ["metric_blip"] and draft.facts["sustained"] is False
    assert "stayed within its normal range" in draft.summary


def test_without_history_or_a_call_graph_it_stays_out() -> None:
    short = NamespaceHistory(
        namespace="Shop/Services",
        stat="Average",
        start=START,
        period_s=300,
        series=[
            HistorySeries(
                component="front",
                metric="Latency",
                dimensions={"Service": "front"},
                timestamps=[START - STEP, START, START + STEP],
                values=[0.1, 0.3, 0.3],
            )
        ],
        listed=1,
    )
    assert not localise(short, CALLS, "front", "Latency", END).applies
    full = _data(_series("front", "Latency", 0.10, [0.3, 0.3, 0.3, 0.3, 0.3], 0.004))
    assert not localise(full, [], "front", "Latency", END).applies


def test_an_anomaly_over_before_the_symptom_began_is_not_a_candidate() -> None:
    data = _data(
        _series("front", "Latency", 0.10, [0.10, 0.10, 0.10, 0.17, 0.17], 0.004),
        _series("search", "Latency", 0.006, [0.05, 0.006, 0.006, 0.006, 0.006], 0.0004),
        _series("payments", "Latency", 0.2, [0.2, 0.2, 0.2, 0.5, 0.5], 0.01),
    )
    found = localise(data, CALLS, "front", "Latency", END)
    assert [d.resource for d in found.drafts if "degraded_origin" in d.signals] == ["payments"]
