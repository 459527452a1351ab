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


def test_a_remote_endpoint_ranks_after_the_service_that_shows_the_same_trouble() -> None:
    calls = [("front", "search"), ("front", "search-lb.example.com")]
    data = _data(
        _series("front", "Availability", 100.0, [100.0, 97.0, 97.5, 98.0, 100.0], 0.0),
        _series("search", "Availability", 100.0, [100.0, 96.0, 96.5, 97.0, 100.0], 0.0),
        # The caller's view of the search service's load balancer: the same failures, seen from outside.
        _series("search-lb.example.com", "Availability", 100.0, [100.0, 95.0, 95.5, 96.0, 100.0], 0.0),
    )
    found = localise(data, calls, "front", "Availability", END, remote={"search-lb.example.com"})
    candidates = [d for d in found.drafts if "degraded_origin" in d.signals]
    assert [d.resource for d in candidates] == ["search", "search-lb.example.com"]
    assert candidates[1].facts["remote"] and "known only from its callers' side" in candidates[1].summary
    # Only the first carries a symptom of its own, so a runner-up does not date the incident.
    assert candidates[0].signals == ["degraded_origin", "error_rate_up"]
    assert candidates[1].signals == ["degraded_origin"]


def test_a_callee_that_moved_far_more_than_the_symptom_ranks_after_one_of_its_size() -> None:
    calls = [("front", "search"), ("front", "workflow")]
    data = _data(
        _series("front", "Latency", 0.10, [0.10, 0.15, 0.16, 0.15, 0.10], 0.004),
        _series("search", "Latency", 0.006, [0.006, 0.05, 0.06, 0.05, 0.006], 0.0004),
        # An asynchronous step: its latency rose by seconds, the caller's by tens of milliseconds.
        _series("workflow", "Latency", 0.5, [0.5, 3.5, 3.6, 3.5, 0.5], 0.02),
    )
    found = localise(data, calls, "front", "Latency", END)
    candidates = [d for d in found.drafts if "degraded_origin" in d.signals]
    assert [d.resource for d in candidates] == ["search", "workflow"]
    assert candidates[0].facts["share"] > 0.8 > 0.1 > candidates[1].facts["share"]
    assert candidates[0].strength > candidates[1].strength


def test_a_symptom_that_moved_within_its_range_is_localised_when_a_callee_left_its_own_by_far() -> None:
    data = _data(
        # The front end rose a little, short of what would take it out of its range ...
        _series("front", "Latency", 0.10, [0.10, 0.10, 0.106, 0.107, 0.106], 0.004),
        # ... while the search service it calls for a share of its requests tripled, as never before.
        _series("search", "Latency", 0.006, [0.006, 0.006, 0.016, 0.018, 0.017], 0.0004),
        _series("payments", "Latency", 0.2, [0.2, 0.21, 0.19, 0.2, 0.2], 0.01),
    )
    found = localise(data, CALLS, "front", "Latency", END)
    assert found.symptom is not None and not found.symptom.out_of_range
    symptom = next(d for d in found.drafts if d.resource == "front")
    assert "rose within its normal range" in symptom.summary and symptom.facts["sustained"]
    assert [d.resource for d in found.drafts if "degraded_origin" in d.signals] == ["search"]


def test_a_callee_far_out_does_not_make_a_steady_symptom_an_incident() -> None:
    data = _data(
        _series("front", "Latency", 0.10, [0.10, 0.10, 0.104, 0.105, 0.104], 0.004),
        # Seconds slower, yet the front end moved by milliseconds: not what it shows.
        _series("payments", "Latency", 0.2, [0.2, 0.2, 3.0, 3.1, 3.0], 0.01),
    )
    found = localise(data, CALLS, "front", "Latency", END)
    [draft] = found.drafts
    assert draft.facts["within_normal"] and draft.facts["symptom"]


def test_the_normal_range_is_read_at_the_windows_traffic_level() -> None:
    day = HISTORY // 2
    # Half the history at busy hours (slower), half at quiet hours (faster); the window is quiet.
    history = [0.2 if i < day else 0.1 for i in range(HISTORY)]
    requests = [1000.0 if i < day else 100.0 for i in range(HISTORY)]
    stamps = [START - STEP * (HISTORY - i) for i in range(HISTORY)] + [START + STEP * i for i in range(5)]

    def series(metric: str, values: list[float]) -> HistorySeries:
        return HistorySeries(
            component="front",
            metric=metric,
            dimensions={"Service": "front"},
            timestamps=stamps,
            values=values,
        )

    data = _data(
        series("Latency", [*history, 0.1, 0.18, 0.18, 0.18, 0.1]),
        series("Requests", requests + [100.0] * 5),
        _series("search", "Latency", 0.006, [0.006, 0.09, 0.09, 0.09, 0.006], 0.0004),
    )
    found = localise(data, CALLS, "front", "Latency", END)
    # 0.18 is usual at busy hours, far out at quiet ones.
    assert found.symptom is not None and found.symptom.out_of_range
    assert [d.resource for d in found.drafts if "degraded_origin" in d.signals] == ["search"]


def test_a_symptom_judged_normal_ends_the_investigation_no_fault_whatever_else_moved() -> None:
    from agent.board import Evidence, SourceCall
    from agent.conclude import symptom_within_normal

    data = _data(_series("front", "Latency", 0.10, [0.10, 0.102, 0.098, 0.101, 0.10], 0.004))
    [normal] = localise(data, CALLS, "front", "Latency", END).drafts
    source = SourceCall(tool="namespace_history", params={})
    judged = Evidence(id="ev-1", source=source, **normal.model_dump())
    elsewhere = Evidence(
        id="ev-2",
        source=source,
        kind="trace_fault",
        resource="payments",
        summary="faults",
        signals=["trace_faults"],
    )
    assert symptom_within_normal([judged, elsewhere])
    out = _data(_series("front", "Latency", 0.10, [0.10, 0.3, 0.3, 0.3, 0.3], 0.004))
    left = localise(out, CALLS, "front", "Latency", END).drafts[0]
    assert not symptom_within_normal([Evidence(id="ev-3", source=source, **left.model_dump())])
