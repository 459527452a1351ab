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


def test_a_cloudtrail_event_found_twice_is_one_evidence_item_and_references_follow_it() -> None:
    report = samples.root_cause()
    copy = report.evidence[0].model_copy(deep=True)
    copy.id = "ev-9"
    report.evidence.append(copy)
    top = next(h for h in report.hypotheses if h.rank == 1)
    top.evidence.append("ev-9")
    report.timeline.append(
        TimelineEntry(time=copy.start, what="alice deployed web:42", kind="change", evidence="ev-9")  # type: ignore[arg-type]
    )
    report.charts[0].markers.append(report.charts[0].markers[0].model_copy(update={"evidence": "ev-9"}))
    clean = view.prepare(report)
    assert [e.id for e in clean.evidence] == ["ev-1", "ev-2", "ev-3", "ev-4", "ev-5"]
    assert clean.hypotheses[0].evidence == ["ev-1", "ev-2", "ev-3"]
    assert [e.evidence for e in clean.timeline if e.kind == "change"] == ["ev-1"]
    assert [m.evidence for m in clean.charts[0].markers if m.kind == "change"] == ["ev-1"]
    assert view.event_id(clean.evidence[0]) == samples.EVENT_ID
    assert view.event_id(clean.evidence[1]) is None


def test_counts_of_one_read_in_the_singular_in_prose_but_not_in_commands() -> None:
    report = samples.root_cause()
    report.hypotheses[0].rationale = "began with the symptoms; 1 hops from the symptoms; 11 hops; 0.1 minutes"
    report.evidence[1].summary = "1 lines matched, 21 events"
    report.evidence[1].source.params["query"] = "stats count(*) as 1 hops"
    clean = view.prepare(report)
    h = next(h for h in clean.hypotheses if h.title == report.hypotheses[0].title)
    assert h.rationale == "began with the symptoms; 1 hop from the symptoms; 11 hops; 0.1 minutes"
    assert clean.evidence[1].summary.startswith("1 line matched, 21 events")
    assert clean.evidence[1].source.params["query"] == "stats count(*) as 1 hops"


def test_one_heading_what_was_asked_and_the_verdict_line_says_what_was_found() -> None:
    report = samples.root_cause()
    assert view.headline(report) == "web-5xx"  # the alarm; the cause is in the verdict line under it
    assert "Deploy web:42" in view.verdict_line(view.prepare(report))
    no_fault = samples.no_fault()
    no_fault.title = "No root cause found"
    assert view.headline(no_fault) == no_fault.question == "Is checkout slow right now?"
    no_fault.question = "why " * 60
    assert len(view.headline(no_fault)) == view.HEADLINE_CHARS and view.headline(no_fault).endswith("…")
    no_fault.question = None
    assert view.headline(no_fault) == "No root cause found"


def test_log_templates_read_unescaped_and_stay_sanitised() -> None:
    report = samples.root_cause()
    logs = report.evidence[1]
    logs.kind = "log_pattern"
    logs.summary = (
        'new log pattern x16 (baseline 0): {"msg":"call failed: {\\"code\\":\\"E42\\"}",'
        '"stack":"Error: timeout\\n    at <*>","path":"C:\\\\tmp"} \\u001b[2J <b>'
    )
    report.timeline.append(
        TimelineEntry(time=samples.ONSET, what=logs.summary, kind="event", evidence=logs.id)
    )
    clean = view.prepare(report)
    expected = (
        'new log pattern x16 (baseline 0): {"msg":"call failed: {"code":"E42"}",'
        '"stack":"Error: timeout at <*>","path":"C:\\tmp"} \\u001b[2J <b>'
    )
    assert clean.evidence[1].summary == expected
    assert expected in [e.what for e in clean.timeline if e.evidence == logs.id]
    # A \u escape is not decoded: it could spell a control character.
    assert "\x1b" not in clean.evidence[1].summary
    # A metric's text is not a log template and keeps its backslashes.
    report.evidence[2].summary = 'label \\"x\\"'
    assert view.prepare(report).evidence[2].summary == 'label \\"x\\"'


def test_confidence_words_follow_the_calibrated_thresholds() -> None:
    assert [view.confidence_word(c) for c in (0.99, 0.8, 0.79, 0.7, 0.69, 0.53, 0.5, 0.49, 0.0)] == [
        "confirmed",
        "confirmed",
        "likely",
        "likely",
        "possible",
        "possible",
        "possible",
        "unlikely",
        "unlikely",
    ]
    report = samples.root_cause()
    top = next(h for h in report.hypotheses if h.rank == 1)
    for confidence, line in (
        (0.86, "Root cause found: Deploy web:42"),
        (0.74, "Likely root cause: Deploy web:42"),
        (0.53, "Possible root cause: Deploy web:42"),
    ):
        top.confidence = confidence
        assert view.verdict_line(view.prepare(report)).startswith(line)
    top.status = "accepted"
    assert view.verdict_heading(view.prepare(report)) == "Root cause accepted"
    assert view.status_word(top) == "accepted"
    ruled = next(h for h in report.hypotheses if h.status == "ruled_out")
    assert view.status_word(ruled) == "ruled out"


def test_the_readme_documents_the_thresholds_the_code_uses() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- confidence-words:start -->")[1].split("<!-- confidence-words:end -->")[0]
    rows = [line.split("|")[1:4] for line in table.strip().splitlines()[2:]]
    documented = [(cells[0].strip(), cells[1].strip(), cells[2].strip()) for cells in rows]
    bounds = [f"{b:g} and above" for b, _ in view.CONFIDENCE_WORDS[:1]]
    bounds += [
        f"{lo:g} to {hi:g}"
        for (lo, _), (hi, _) in zip(view.CONFIDENCE_WORDS[1:-1], view.CONFIDENCE_WORDS[:-2], strict=True)
    ]
    bounds += [f"below {view.CONFIDENCE_WORDS[-2][0]:g}"]
    assert [d[0] for d in documented] == bounds
    assert [d[1] for d in documented] == [w for _, w in view.CONFIDENCE_WORDS]
    assert [d[2] for d in documented[:3]] == [
        view.ROOT_CAUSE_HEADING[w] for _, w in view.CONFIDENCE_WORDS[:3]
    ]


def test_charts_read_alarm_first_then_the_causes_own_then_what_the_verdict_cites() -> None:
    report = samples.root_cause()
    base = samples.chart()
    report.charts = [
        base.model_copy(update={"title": "elsewhere", "evidence": "ev-9", "resource": "other"}),
        base.model_copy(update={"title": "symptom", "evidence": "ev-3", "resource": "alb"}),
        base.model_copy(update={"title": "cause", "evidence": "ev-2", "resource": "ecs:prod/web-task-1"}),
        base.model_copy(update={"title": "alarm", "evidence": None, "alarm": "web-5xx", "threshold": 1.0}),
    ]
    assert [c.title for c in view.charts(view.prepare(report))] == ["alarm", "cause", "symptom", "elsewhere"]
