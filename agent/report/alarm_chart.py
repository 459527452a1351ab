"""The fired alarm's own metric against its own threshold: the report's first chart.

The person paged by an alarm first wants to see what the alarm saw. The investigation reads the alarm's
series to judge it but keeps only the verdict as evidence, so the report reads it once more here, at
the alarm's own period and statistic, through the same read-only tools (two calls, counted like any
other; none when the investigation's caps are spent).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from agent.analyzers.alarm import first_breach
from agent.report.model import Chart, Report, TimelineEntry
from tools.alarms import AlarmDetails
from tools.metrics import MetricSeries
from tools.result import ToolResult

# Enough history before the window to show the metric's normal level under the threshold.
LEAD_IN_HOURS = 1.0
COMPARISON_SIGN = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}

Run = Callable[[str, dict[str, Any]], ToolResult[Any] | None]


def alarm_chart(report: Report, run: Run) -> Chart | None:
    """The alarm's metric over the report's window with its threshold, or None (no alarm, a metric-math
    or composite alarm, no data, or the caps are spent)."""
    if not report.alarm or report.window_start is None or report.window_end is None:
        return None
    found = run("alarm_details", {"name": report.alarm, "history_hours": 1})
    details = found.data if found is not None else None
    if not isinstance(details, AlarmDetails) or details.alarm is None or details.alarm.metric is None:
        return None
    alarm, m = details.alarm, details.alarm.metric
    period = m.period_s if m.period_s and m.period_s % 60 == 0 else 60
    got = run(
        "metric_series",
        {
            "namespace": m.namespace,
            "metric": m.metric,
            "dimensions": m.dimensions,
            "stat": m.stat or "Average",
            "start": report.window_start.isoformat(),
            "end": report.window_end.isoformat(),
            "period_s": period,
            "baseline_hours": LEAD_IN_HOURS,
        },
    )
    series = got.data if got is not None else None
    if not isinstance(series, MetricSeries) or not series.values:
        return None
    breach = first_breach(alarm, series.timestamps, series.values)
    sign = COMPARISON_SIGN.get(alarm.comparison or "", "")
    where = " ".join(f"{k}={v}" for k, v in m.dimensions.items())
    lead_in = report.window_start - timedelta(hours=LEAD_IN_HOURS)
    # A change is labelled as the other charts label it (its API action), not by its timeline sentence.
    short = {mk.evidence: mk.what for c in report.charts for mk in c.markers if mk.evidence}
    markers = [
        TimelineEntry(
            time=e.time, what=short.get(e.evidence or "") or _action(e.what), evidence=e.evidence, kind=e.kind
        )
        for e in report.timeline
        if e.kind == "change" and lead_in <= e.time <= report.window_end
    ]
    judged = next(
        (
            ev.id
            for ev in report.evidence
            if ev.source.tool == "alarm_details" and ev.source.params.get("name") == alarm.name
        ),
        None,
    )
    return Chart(
        title=f"{m.metric} ({series.stat}, {period // 60} min) — alarm {alarm.name}",
        resource=where or None,
        timestamps=series.timestamps,
        values=series.values,
        onset=breach,
        markers=markers,
        evidence=judged,
        threshold=alarm.threshold,
        comparison=sign or None,
        alarm=alarm.name,
    )


_CALLED = re.compile(r"called ([\w:-]+)")


def _action(sentence: str) -> str:
    """'alice called ec2:RunInstances on …' -> 'RunInstances'; else the sentence's start."""
    m = _CALLED.search(sentence)
    return m.group(1).split(":")[-1] if m else sentence[:40]


def with_alarm_chart(report: Report, run: Run) -> Report:
    """`report` with the alarm's own chart first (when there is one to draw)."""
    chart = alarm_chart(report, run)
    if chart is not None:
        report.charts.insert(0, chart)
        report.stats.tool_calls += 2
    return report
