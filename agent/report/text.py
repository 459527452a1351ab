"""The report as plain terminal text: readable without colour, commands kept whole for copy and paste.

Width and colour are the caller's (the CLI passes the terminal's); colour is ANSI SGR codes added around
lines after they are wrapped and after every string from the report has been stripped of control
characters (`view.prepare`), so no escape sequence can come from data.
"""

from __future__ import annotations

import textwrap
from contextvars import ContextVar

from agent.report import view
from agent.report.model import Chart, Report, ReportEvidence, ReportHypothesis
from agent.report.rerun import aws_cli, tool_call
from agent.report.svg import sparkline
from agent.report.view import unit_of

WIDTH = 100  # for files and pipes; a terminal's own width is passed in, bounded by MIN_WIDTH/MAX_WIDTH
MIN_WIDTH, MAX_WIDTH = 60, 160
_width: ContextVar[int] = ContextVar("width", default=WIDTH)
_colour: ContextVar[bool] = ContextVar("colour", default=False)
STYLE = {
    "heading": "1",
    "root_cause": "1;31",
    "inconclusive": "1;33",
    "no_fault": "1;32",
    "insufficient_data": "1;35",
    "lead": "1",
    "muted": "2",
    "command": "36",
    "cause": "31",
}


def paint(line: str, style: str) -> str:
    """`line` in `style` when colour is on; unchanged otherwise."""
    return f"\x1b[{STYLE[style]}m{line}\x1b[0m" if _colour.get() and line.strip() else line


def _wrap(text: str, initial: str = "", subsequent: str = "") -> list[str]:
    return textwrap.wrap(text, _width.get(), initial_indent=initial, subsequent_indent=subsequent)


def _para(text: str, indent: str = "  ") -> list[str]:
    return _wrap(text, indent, indent) or [indent.rstrip()]


def _heading(title: str) -> list[str]:
    return ["", paint(title.upper(), "heading"), "-" * len(title)]


def _ids(ids: list[str], known: set[str]) -> str:
    return ", ".join(i if i in known else f"{i} (not in this report)" for i in ids) or "none"


def _hypothesis(h: ReportHypothesis, report: Report, known: set[str]) -> list[str]:
    head = (
        f"  H{h.rank}  {view.percent(h.confidence):>4}  {h.category:<18} {view.status_word(h):<9}  {h.title}"
    )
    style = "muted" if h.status in view.RULED_OUT else ("lead" if h is view.leading(report) else "")
    out = [paint(line, style) if style else line for line in _wrap(head, "", " " * 6)]
    out += _para(f"resource: {h.resource} · failure mode: {h.failure_mode}", " " * 6)
    if h.chain:
        out += _para("chain: " + " -> ".join(h.chain), " " * 6)
    out.append(f"      supported by: {_ids(h.evidence, known)}")
    if h.contradicting:
        out.append(f"      contradicted by: {_ids(h.contradicting, known)}")
    if h.rationale:
        out += _para(f"why: {h.rationale}", " " * 6)
    if report.verdict == "inconclusive":
        for step in h.remediation:
            out += _para(f"if confirmed: {step.action} - {step.description}", " " * 6)
            if step.command:
                out.append(paint(f"        $ {step.command}", "command"))
    return out


def _evidence(ev: ReportEvidence, cited: dict[str, list[str]]) -> list[str]:
    when = view.span(ev.start, ev.end)
    facts = " · ".join(p for p in (ev.kind, ev.resource or "", when) if p)
    by = f" (cited by {', '.join(cited[ev.id])})" if ev.id in cited else ""
    out = _wrap(f"[{ev.id}] {facts}{by}", "  ", " " * 6)
    out += _para(ev.summary, " " * 6)
    call = ev.rerun or ev.source
    out.append(paint(f"      re-run: {tool_call(call)}  (sleuth rerun REPORT.json {ev.id})", "muted"))
    for i, cmd in enumerate(ev.aws_cli or aws_cli(call)):
        out.append(paint(f"      {'aws cli:' if i == 0 else '        '} {cmd}", "muted"))
    return out


def render(report: Report, width: int = WIDTH, colour: bool = False) -> str:
    """The report as plain text, most important first, wrapped at `width` columns (bounded), with ANSI
    colour when `colour`."""
    width_token = _width.set(max(MIN_WIDTH, min(MAX_WIDTH, width)))
    colour_token = _colour.set(colour)
    try:
        return _render(report)
    finally:
        _width.reset(width_token)
        _colour.reset(colour_token)


def _render(report: Report) -> str:
    r = view.prepare(report)
    known = {e.id for e in r.evidence}
    top = view.leading(r)
    tz = view.zone(r)
    title = view.headline(r)
    width = _width.get()
    out = [paint(f"SLEUTH INCIDENT REPORT: {title}", "heading"), "=" * min(width, len(title) + 24), ""]
    out += [paint(line, r.verdict) for line in _wrap(f"VERDICT: {view.verdict_line(r)}", "", "  ")]
    out.append("")
    out += _para(r.summary, "")
    if r.alarm:
        out.append(f"Alarm: {r.alarm}")
    if r.question:
        out += _para(f"Question: {r.question}", "")
    out += _para(f"Impact: {view.impact_text(r)}", "")
    if r.verdict == "no_fault":
        out += _para(
            "No root cause is claimed: the checks below found nothing abnormal that explains the trigger.", ""
        )

    gaps = _gaps(r)
    if r.verdict in ("inconclusive", "insufficient_data"):
        out += gaps

    entries = view.timeline(r)
    if entries:
        there_zone = f"; asker's clock {view.zone_label(tz, entries[0].time)}" if tz else ""
        out += _heading(f"Timeline (UTC{there_zone})")
        with_date = view.spans_days([e.time for e in entries])
        cause = set(top.evidence) if top is not None else set()
        for e in entries:
            rel = view.offset(e.time, r.impact_start)
            ref = f" [{e.evidence}]" if e.evidence else ""
            there = f"{view.clock_in(e.time, tz)}  " if tz else ""
            head = f"  {view.clock(e.time, with_date)}  {there}{rel:<8} {e.kind:<8} "
            lines = _wrap(e.what + ref, head, " " * len(head))
            is_cause = e.kind == "change" and e.evidence in cause
            out += [paint(line, "cause") for line in lines] if is_cause else lines

    if top is not None and top.chain:
        out += _heading("Causal chain (root cause -> symptom)")
        for i, node in enumerate(top.chain):
            role = " (root cause)" if i == 0 else (" (symptom)" if i == len(top.chain) - 1 else "")
            out.append(f"  {'' if i == 0 else '-> '}{node}{role}")

    titles = {
        "root_cause": "Hypotheses, ranked",
        "inconclusive": "Candidates, none confirmed",
        "no_fault": "What was checked and ruled out",
        "insufficient_data": "Hypotheses (none could be tested)",
    }
    out += _heading(titles[r.verdict])
    if not r.hypotheses:
        out.append("  none: no hypothesis had evidence to test")
    for h in r.hypotheses:
        out += _hypothesis(h, r, known)

    if top is not None:
        out += _heading("Remediation now")
        for i, step in enumerate(top.remediation, 1):
            out += _wrap(f"{step.action.upper()}: {step.description}", f"  {i}. ", "     ")
            if step.command:
                out.append(paint(f"     $ {step.command}", "command"))
        if not top.remediation:
            out.append("  no remediation step recorded for this cause")
        prevention = view.prevention(r)
        if prevention:
            out += _heading("Prevention later")
            for item in prevention:
                out += _wrap(item, "  - ", "    ")

    if r.evidence:
        out += _heading("Evidence (re-run any of it)")
        cited = view.cited_by(r)
        for ev in r.evidence:
            out += _evidence(ev, cited)

    if r.charts:
        out += _heading("Charts")
        cause = set(top.evidence) if top is not None else set()
        for c in view.charts(r):
            out += _chart(c, cause)

    if r.verdict not in ("inconclusive", "insufficient_data"):
        out += gaps
    if r.notes:
        out += _heading("Notes")
        for note in r.notes:
            out += _wrap(note, "  - ", "    ")
    out += _heading("Stats")
    out += _para(view.stats_line(r))
    return "\n".join(out) + "\n"


def _chart(c: Chart, cause: set[str]) -> list[str]:
    """A chart as a sparkline over the same zoom as the HTML one, with its threshold and markers."""
    unit = c.unit or unit_of(c.title)
    out = _wrap(
        f"{c.title}" + (f" ({unit})" if unit else "") + (f" [{c.evidence}]" if c.evidence else ""),
        "  ",
        "    ",
    )
    points, markers, hidden = view.zoom(c)
    if not points:
        return [*out, "    no data points"]
    values = [v for _, v in points]
    line = sparkline(values, max(20, min(60, _width.get() - 40)))
    out.append(f"    {line}  min {min(values):g}, max {max(values):g}")
    out.append(
        f"    {points[0][0]:%H:%M} to {points[-1][0]:%H:%M} UTC"
        + (f", onset {c.onset:%H:%M}" if c.onset else "")
    )
    if c.threshold is not None:
        breaching = sum(1 for v in values if _breaches(v, c))
        out.append(
            paint(f"    {view.threshold_text(c)}: {breaching} of {len(values)} points past it", "cause")
        )
    for m in sorted(markers, key=lambda m: m.time):
        is_cause = m.evidence is not None and m.evidence in cause
        what = f"{view.clock(m.time, False)[:5]} {'cause: ' if is_cause else ''}{m.what}"
        lines = _wrap(what, "    | ", "      ")
        out += [paint(x, "cause") for x in lines] if is_cause else lines
    if hidden:
        out.append(f"    ({hidden} earlier timeline event{'s' if hidden > 1 else ''} not shown)")
    return out


def _breaches(value: float, c: Chart) -> bool:
    t = c.threshold or 0.0
    return {">": value > t, ">=": value >= t, "<": value < t, "<=": value <= t}.get(c.comparison or "", False)


def _gaps(r: Report) -> list[str]:
    out: list[str] = []
    for title, items in (
        ("Missing permissions", r.missing_permissions),
        ("Data gaps", r.data_gaps),
        ("Observability gaps", r.observability_gaps),
    ):
        if items:
            out += _heading(title)
            for item in items:
                out += _wrap(item, "  - ", "    ")
    return out
