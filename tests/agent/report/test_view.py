"""Shared reading of a report: redaction of every string, ordering, and time wording."""

from __future__ import annotations

from datetime import timedelta

from agent.report import view
from agent.report.model import TimelineEntry
from tests.agent.report import samples


def test_prepare_redacts_every_string_and_leaves_the_input_alone() -> None:
    report = samples.root_cause()
    report.evidence[0].source.params["value"] = f"token={samples.SECRET}"
    report.evidence[0].source.params["nested"] = {"list": [f"password: {samples.SECRET}"]}
    report.title = f"{samples.ACCESS_KEY} leaked"
    clean = view.prepare(report)
    dump = clean.model_dump_json()
    assert samples.SECRET not in dump and samples.ACCESS_KEY not in dump
    assert clean.evidence[0].source.params == {
        "key": "EventId",
        "value": "token=[REDACTED]",
        "start": "2026-11-26T14:00:00Z",
        "end": "2026-11-26T14:30:00Z",
        "nested": {"list": ["password: [REDACTED]"]},
    }
    assert clean.title == "AKIA**************** leaked"
    assert report.title == f"{samples.ACCESS_KEY} leaked"  # the caller's report is untouched
    assert [h.rank for h in clean.hypotheses] == [1, 2, 3]
    assert clean.evidence[0].start == report.evidence[0].start  # datetimes survive the round trip


def test_leading_hypothesis_skips_ruled_out_and_only_for_root_cause() -> None:
    report = samples.root_cause()
    top = next(h for h in report.hypotheses if h.rank == 1)
    assert view.leading(view.prepare(report)).title == top.title  # type: ignore[union-attr]
    top.status = "ruled_out"
    assert view.leading(view.prepare(report)).rank == 2  # type: ignore[union-attr]
    assert view.leading(view.prepare(samples.inconclusive())) is None


def test_root_cause_without_a_standing_hypothesis_does_not_invent_one() -> None:
    report = samples.root_cause()
    for h in report.hypotheses:
        h.status = "ruled_out"
    assert (
        view.verdict_line(view.prepare(report))
        == "Root cause claimed, but no hypothesis in this report supports it"
    )


def test_offsets_and_durations() -> None:
    o = samples.ONSET
    assert view.offset(o - timedelta(minutes=3), o) == "T-3m"
    assert view.offset(o, o) == "T+0m"
    assert view.offset(o + timedelta(minutes=65), o) == "T+1h05m"
    assert view.offset(o, None) == ""
    assert view.duration(45) == "45s"
    assert view.duration(83.4) == "1m23s"
    assert view.duration(1800) == "30m"
    assert view.duration(3 * 3600 + 120) == "3h02m"


def test_timeline_orders_by_time_then_cause_before_effect() -> None:
    report = samples.root_cause()
    t = samples.ONSET
    report.timeline = [
        TimelineEntry(time=t, what="alarm", kind="alarm"),
        TimelineEntry(time=t, what="deploy", kind="change"),
        TimelineEntry(time=t - timedelta(seconds=1), what="earlier", kind="symptom"),
    ]
    assert [e.what for e in view.timeline(report)] == ["earlier", "deploy", "alarm"]


def test_timeline_shows_dates_only_when_it_crosses_midnight() -> None:
    t = samples.T0
    assert not view.spans_days([t, t + timedelta(hours=9)])
    assert view.spans_days([t, t + timedelta(hours=10)])


def test_stats_line_names_caps_and_cost() -> None:
    report = samples.inconclusive()
    report.stats.llm_tokens = 5120
    report.stats.llm_cost_usd = 0.042
    report.stats.planner = "claude"
    assert view.stats_line(report) == (
        "planner claude · 14 tool calls · 37 AWS calls · 1m23s · 5120 model tokens · $0.04 · caps hit: tool_calls"
    )
