"""What every rendering shares: the redacted report, headings per verdict, and time formatting.

Renderers read a report only through `prepare`, so no rendering can skip redaction: report text is
built from logs and parameters, and a secret in a log line must not reach a pager or a wiki page.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from agent.report.model import Chart, Report, ReportEvidence, ReportHypothesis, TimelineEntry
from tools.redact import redact_value
from tools.window import parse_timezone

VERDICT_HEADING = {
    "root_cause": "Root cause found",
    "inconclusive": "Inconclusive: cannot tell from this data",
    "no_fault": "No fault found",
    "insufficient_data": "Could not investigate: the evidence could not be read",
}
CATEGORY_LABEL = {
    "change": "change (deploy or config change)",
    "system_change": "system change (made by the platform)",
    "limit": "limit (quota, throttle or capacity)",
    "component_failure": "component failure",
    "dependency_failure": "dependency failure",
}
RULED_OUT = ("ruled_out", "discarded")


# Control characters (terminal escape sequences, NULs) are never wanted in a report and are not
# valid in HTML; log lines can carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _redact_all(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [_redact_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_all(v) for k, v in value.items()}
    return value


def prepare(report: Report) -> Report:
    """A copy of `report` with every string redacted, each CloudTrail event once, counts of one in the
    singular, and hypotheses in rank order."""
    clean = Report.model_validate(_redact_all(redact_value(report.model_dump(mode="python"))))
    clean.hypotheses.sort(key=lambda h: h.rank)
    return _one_per_event(_singular(_unescaped_templates(clean)))


# Prose built as f"{n} hops" reads "1 hops" when n is one; the nouns that such counts use.
_ONE_OF = re.compile(
    r"(?<![\d.,-])\b1 (hop|minute|hour|day|second|line|event|datapoint|period|error|fault|trace|call|"
    r"instance|target|task|host|request|message|record|change|termination|time)s\b"
)


def _singular(r: Report) -> Report:
    """Counts of one in the singular, in the prose only (never in a re-run call or a command)."""

    def one(text: str) -> str:
        return _ONE_OF.sub(r"1 \1", text)

    r.summary, r.title = one(r.summary), one(r.title)
    r.notes = [one(n) for n in r.notes]
    for h in r.hypotheses:
        h.title, h.rationale = one(h.title), one(h.rationale)
    for ev in r.evidence:
        ev.summary = one(ev.summary)
    for e in r.timeline:
        e.what = one(e.what)
    return r


# JSON string escapes inside a log template (a JSON log line's quoted values, a stack trace's "\\n").
_JSON_ESCAPE = re.compile(r"\\([\"\\/nrt])")
_DECODED = {'"': '"', "\\": "\\", "/": "/", "n": " ", "r": " ", "t": " "}


def unescape_template(text: str) -> str:
    """A log template as the line read, not as JSON spells it: `\\"` is a quote, `\\n` a space. Only
    printable escapes are decoded (never `\\u`), so no control character or markup can come of it."""
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", _JSON_ESCAPE.sub(lambda m: _DECODED[m.group(1)], text))


def _unescaped_templates(r: Report) -> Report:
    logs = {ev.id for ev in r.evidence if ev.kind == "log_pattern"}
    for ev in r.evidence:
        if ev.id in logs:
            ev.summary = unescape_template(ev.summary)
    for e in r.timeline:
        if e.evidence in logs:
            e.what = unescape_template(e.what)
    return r


def event_id(ev: ReportEvidence) -> str | None:
    """The CloudTrail event an evidence item is (its re-run looks it up by EventId), else None."""
    for call in (ev.rerun, ev.source):
        if call is not None and call.tool == "cloudtrail_lookup" and call.params.get("key") == "EventId":
            value = call.params.get("value")
            return str(value) if value else None
    return None


def _one_per_event(r: Report) -> Report:
    """One evidence item per CloudTrail event: later copies (the same record found by two probes) are
    dropped and every reference to them points at the first."""
    first: dict[str, str] = {}
    alias: dict[str, str] = {}
    kept = []
    for ev in r.evidence:
        key = event_id(ev)
        if key is not None and key in first:
            alias[ev.id] = first[key]
            continue
        if key is not None:
            first[key] = ev.id
        kept.append(ev)
    if not alias:
        return r
    r.evidence = kept
    for h in r.hypotheses:
        h.evidence = list(dict.fromkeys(alias.get(i, i) for i in h.evidence))
        h.contradicting = list(dict.fromkeys(alias.get(i, i) for i in h.contradicting))
    seen: set[tuple[datetime, str, str | None]] = set()
    entries = []
    for e in r.timeline:
        e.evidence = alias.get(e.evidence, e.evidence) if e.evidence else None
        if (e.time, e.kind, e.evidence) in seen and e.evidence is not None:
            continue
        seen.add((e.time, e.kind, e.evidence))
        entries.append(e)
    r.timeline = entries
    for c in r.charts:
        c.evidence = alias.get(c.evidence, c.evidence) if c.evidence else None
        for m in c.markers:
            m.evidence = alias.get(m.evidence, m.evidence) if m.evidence else None
        c.markers = list({(m.time, m.evidence, m.what): m for m in c.markers}.values())
    return r


HEADLINE_CHARS = 100


def headline(report: Report) -> str:
    """The report's one heading: what was asked (the alarm, else the question), since the verdict line
    right under it says what was concluded, the cause included; the report's title without either."""
    asked = report.alarm or report.question
    if asked:
        one_line = " ".join(asked.split())
        return one_line if len(one_line) <= HEADLINE_CHARS else one_line[: HEADLINE_CHARS - 1] + "…"
    return report.title or "Incident investigation"


# Confidence words, from the calibration of the top hypothesis' confidence in the eval suites (how often
# the top answer named the right resource and category at that confidence; `sleuth eval --suite builtin
# --seeds 1-2 --json` and `--suite fresh --seeds 1 --json`, per bucket, in the README's Accuracy section):
# at 0.8 and above 28 of 30 were right (fresh 7 of 8), 0.7-0.8 15 of 20 (fresh 5 of 10), 0.5-0.7 10 of
# 18 (fresh 5 of 13), below 0.5 3 of 17. A word is the lowest bound its confidence reaches.
CONFIDENCE_WORDS = ((0.8, "confirmed"), (0.7, "likely"), (0.5, "possible"), (0.0, "unlikely"))
ROOT_CAUSE_HEADING = {
    "confirmed": "Root cause found",
    "likely": "Likely root cause",
    "possible": "Possible root cause",
    "unlikely": "Root cause claimed on weak evidence",
}


def confidence_word(confidence: float) -> str:
    """'confirmed', 'likely', 'possible' or 'unlikely': what the eval suites say a confidence is worth."""
    return next(word for bound, word in CONFIDENCE_WORDS if confidence >= bound)


def status_word(h: ReportHypothesis) -> str:
    """A hypothesis' standing in words: a person's or the planner's decision when there is one
    (accepted, discarded, ruled out), else what its confidence is worth."""
    if h.status in ("accepted", "discarded"):
        return h.status
    if h.status == "ruled_out":
        return "ruled out"
    return confidence_word(h.confidence)


def verdict_heading(report: Report) -> str:
    """The verdict in a few words; a root cause's wording follows its confidence."""
    top = leading(report)
    if report.verdict == "root_cause" and top is not None:
        if top.status == "accepted":
            return "Root cause accepted"
        return ROOT_CAUSE_HEADING[confidence_word(top.confidence)]
    return VERDICT_HEADING[report.verdict]


def verdict_line(report: Report) -> str:
    """The one line an on-call engineer reads first."""
    top = leading(report)
    if report.verdict == "root_cause":
        if top is None:
            # Contract breach upstream; say so rather than present an unsupported cause.
            return "Root cause claimed, but no hypothesis in this report supports it"
        return (
            f"{verdict_heading(report)}: {top.title} ({percent(top.confidence)} confidence, {top.category})"
        )
    return VERDICT_HEADING[report.verdict]


def leading(report: Report) -> ReportHypothesis | None:
    """The hypothesis the verdict rests on: the best-ranked one not ruled out (root_cause only)."""
    if report.verdict != "root_cause":
        return None
    return next((h for h in report.hypotheses if h.status not in RULED_OUT), None)


def percent(confidence: float) -> str:
    return f"{round(confidence * 100)}%"


def utc(t: datetime) -> datetime:
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def stamp(t: datetime) -> str:
    """A full UTC timestamp, to the second."""
    return utc(t).strftime("%Y-%m-%d %H:%M:%S UTC")


def zone(report: Report) -> tzinfo | None:
    """The asker's zone when it is not UTC at the incident (so its clock is worth showing), else None."""
    if not report.timezone:
        return None
    try:
        tz = parse_timezone(report.timezone)
    except ValueError:
        return None  # an unreadable zone from a stored report: UTC alone is still right
    at = report.impact_start or report.window_end or report.window_start
    probe = utc(at) if at is not None else datetime(2000, 1, 1, tzinfo=UTC)
    return tz if probe.astimezone(tz).utcoffset() else None


def local(t: datetime, tz: tzinfo | None, with_date: bool = False) -> str:
    """`t` on the asker's clock ('11:19 CET'); empty without a zone."""
    if tz is None:
        return ""
    lt = utc(t).astimezone(tz)
    return lt.strftime("%Y-%m-%d %H:%M %Z" if with_date else "%H:%M %Z")


def clock_in(t: datetime, tz: tzinfo) -> str:
    """`t` as HH:MM on the asker's clock."""
    return utc(t).astimezone(tz).strftime("%H:%M")


def zone_label(tz: tzinfo, t: datetime) -> str:
    """The zone's name at `t` ('CET', 'PDT', 'UTC+02:00')."""
    return utc(t).astimezone(tz).strftime("%Z")


def stamp_local(t: datetime, tz: tzinfo | None) -> str:
    """A UTC timestamp with the asker's clock beside it when known: '… 10:19:00 UTC (11:19 CET)'."""
    if tz is None:
        return stamp(t)
    same_day = utc(t).date() == utc(t).astimezone(tz).date()
    return f"{stamp(t)} ({local(t, tz, with_date=not same_day)})"


def clock(t: datetime, with_date: bool) -> str:
    return utc(t).strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def offset(t: datetime, origin: datetime | None) -> str:
    """Signed minutes from the impact start ('T-12m', 'T+0m', 'T+1h05m'); empty without an origin."""
    if origin is None:
        return ""
    seconds = round((utc(t) - utc(origin)).total_seconds())
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    return f"T{sign}{hours}h{minutes:02d}m" if hours else f"T{sign}{minutes}m"


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{s:02d}s" if s else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def timeline(report: Report) -> list[TimelineEntry]:
    """Timeline entries in time order; at equal times a change comes before what it may have caused."""
    order = {"change": 0, "event": 1, "onset": 2, "alarm": 3, "symptom": 4}
    return sorted(report.timeline, key=lambda e: (utc(e.time), order[e.kind]))


def span(start: datetime | None, end: datetime | None) -> str:
    """An evidence time span; one stamp when it is an instant."""
    if start is None:
        return ""
    if end is None or utc(end) == utc(start):
        return stamp(start)
    return f"{stamp(start)} to {stamp(end)}"


def spans_days(times: list[datetime]) -> bool:
    return len({utc(t).date() for t in times}) > 1


def impact_text(report: Report) -> str:
    """The impact window in words: when impact began and which window was investigated, in UTC with
    the asker's clock beside it."""
    tz = zone(report)
    if report.verdict == "no_fault":
        # No fault: what began is an excursion, not impact.
        since = report.impact_start
        parts = ["none found", *([f"the excursion began {stamp_local(since, tz)}"] if since else [])]
    elif report.impact_start is not None:
        parts = [f"began {stamp_local(report.impact_start, tz)}"]
    else:
        parts = ["start not established"]
    if report.window_start is not None and report.window_end is not None:
        length = duration((utc(report.window_end) - utc(report.window_start)).total_seconds())
        parts.append(f"investigated {stamp(report.window_start)} to {stamp(report.window_end)} ({length})")
    return "; ".join(parts)


def stats_line(report: Report) -> str:
    s = report.stats
    parts = [
        f"planner {s.planner}",
        f"{s.tool_calls} tool calls",
        f"{s.aws_calls} AWS calls",
        f"{duration(s.duration_s)}",
        f"{s.llm_tokens} model tokens",
    ]
    if s.llm_cost_usd:
        parts.append(f"${s.llm_cost_usd:.2f}")
    if s.capped:
        parts.append("caps hit: " + ", ".join(s.capped))
    return " · ".join(parts)


def cited_by(report: Report) -> dict[str, list[str]]:
    """Evidence id -> the hypotheses ('H1', 'H2') that cite it, for or against."""
    out: dict[str, list[str]] = {}
    for h in report.hypotheses:
        for ev in [*h.evidence, *h.contradicting]:
            refs = out.setdefault(ev, [])
            if f"H{h.rank}" not in refs:
                refs.append(f"H{h.rank}")
    return out


def prevention(report: Report) -> list[str]:
    """Prevention steps of the leading hypothesis, without repeats."""
    top = leading(report)
    return list(dict.fromkeys(top.prevention)) if top else []


# CloudWatch's units for the metric names that recur in reports (the chart's own unit wins when set).
_UNITS = (
    ("Utilization", "percent"),
    ("Percent", "percent"),
    ("TargetResponseTime", "seconds"),
    ("Latency", "seconds"),
    ("Duration", "milliseconds"),
    ("Bytes", "bytes"),
    ("IOPS", "operations/s"),
    ("Connections", "count"),
    ("Count", "count"),
    ("Errors", "count"),
    ("Throttles", "count"),
    ("Balance", "credits"),
)


def unit_of(title: str) -> str:
    """The unit of a chart titled 'MetricName (Stat) — resource', from the metric's name; '' if unknown.
    A Sum or SampleCount is a count whatever the metric."""
    metric, _, rest = title.partition(" ")
    if rest.startswith(("(Sum)", "(SampleCount)", "(Sum,", "(SampleCount,")):
        return "count"
    return next((unit for key, unit in _UNITS if key in metric), "")


# Zoom: the incident (onset to the last point) plus a lead-in of twice its length, at least half an
# hour, so a chart shows the normal level before the change and not hours where nothing happens.
MIN_LEAD = timedelta(minutes=30)


def zoom(chart: Chart) -> tuple[list[tuple[datetime, float]], list[TimelineEntry], int]:
    """A chart's finite points and markers within its zoom (everything when it has no onset), and how
    many earlier markers were left out."""
    points = sorted(
        (utc(t), v) for t, v in zip(chart.timestamps, chart.values, strict=False) if math.isfinite(v)
    )
    if chart.onset is None or not points:
        return points, list(chart.markers), 0
    onset, last = utc(chart.onset), points[-1][0]
    start = onset - max(MIN_LEAD, 2 * (last - onset))
    if start <= points[0][0]:
        return points, list(chart.markers), 0
    kept = [m for m in chart.markers if utc(m.time) >= start]
    return [(t, v) for t, v in points if t >= start], kept, len(chart.markers) - len(kept)


def charts(report: Report) -> list[Chart]:
    """Charts in reading order: the fired alarm's own metric first, then the cause's own metrics (on
    its resource or a member of it: 'orders-db' covers 'orders-db-instance-1'), then the others the
    verdict rests on, then the rest."""
    top = leading(report)
    cited = set(top.evidence) if top is not None else set()

    def on_cause(c: Chart) -> bool:
        return top is not None and bool(c.resource) and str(c.resource).startswith(top.resource)

    return sorted(report.charts, key=lambda c: (c.alarm is None, not on_cause(c), c.evidence not in cited))


def threshold_text(chart: Chart) -> str:
    """'alarm when > 80 (percent)' for an alarm's chart; empty otherwise."""
    if chart.threshold is None:
        return ""
    unit = chart.unit or unit_of(chart.title)
    return f"alarm when {chart.comparison or 'past'} {chart.threshold:g}" + (f" {unit}" if unit else "")
