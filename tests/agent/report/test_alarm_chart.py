"""The fired alarm's own metric and threshold as the report's first chart, read through the real tools
against a built-in scenario's replay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agent.investigate import offline
from agent.report import html, text
from agent.report.alarm_chart import alarm_chart
from evals.scenarios import build
from tests.agent.report import samples


def test_an_alarm_report_charts_the_alarms_metric_against_its_threshold_first() -> None:
    bundle = build("benign-blip", 1)
    report = offline(bundle)
    assert report.verdict == "no_fault"
    first = report.charts[0]
    assert first.alarm == report.alarm == "fulfilment-rds-instance-1-cpu"
    assert (first.threshold, first.comparison) == (80.0, ">")
    judged = next(e for e in report.evidence if e.source.tool == "alarm_details")
    assert first.evidence == judged.id and first.onset == judged.start  # the breach the verdict read
    assert report.window_start is not None
    assert first.timestamps[0] <= report.window_start - timedelta(minutes=55)  # the lead-in before it
    assert max(first.values) > 80 > min(first.values)
    assert "CPUUtilization (Average, 1 min) — alarm fulfilment-rds-instance-1-cpu" in first.title
    out = text.render(report)
    charts = out.split("\nCHARTS\n")[1]
    assert charts.splitlines()[1].startswith("  CPUUtilization (Average, 1 min) — alarm fulfilment-rds")
    assert "alarm when > 80 percent: 2 of 42 points past it" in charts
    assert html.render(report).index("alarm when &gt; 80 percent") < html.render(report).index("<h2>Evidence")


def test_no_alarm_chart_without_an_alarm_or_when_the_caps_are_spent() -> None:
    calls: list[str] = []

    def run(name: str, params: dict[str, Any]) -> None:
        calls.append(name)
        return None  # what Runtime.run returns once a cap is hit

    question_only = samples.no_fault()
    assert question_only.alarm is None
    assert alarm_chart(question_only, run) is None and calls == []
    with_alarm = samples.root_cause()
    assert alarm_chart(with_alarm, run) is None and calls == ["alarm_details"]
