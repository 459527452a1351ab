"""The report as plain terminal text: readable without colour, commands kept whole for copy and paste."""

from __future__ import annotations

import textwrap

from agent.report import view
from agent.report.model import Report, ReportEvidence, ReportHypothesis
from agent.report.rerun import aws_cli, tool_call
from agent.report.svg import sparkline

WIDTH = 100


def _para(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent.rstrip()]


def _heading(title: str) -> list[str]:
    return ["", title.upper(), "-" * len(title)]


def _ids(ids: list[str], known: set[str]) -> str:
    return ", ".join(i if i in known else f"{i} (not in this report)" for i in ids) or "none"


def _hypothesis(h: ReportHypothesis, report: Report, known: set[str]) -> list[str]:
    head = f"  H{h.rank}  {view.percent(h.confidence):>4}  {h.category:<18} {h.status:<9}  {h.title}"
    out = textwrap.wrap(head, WIDTH, subsequent_indent=" " * 6)
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
                out.append(f"        $ {step.command}")
    return out


def _evidence(ev: ReportEvidence, cited: dict[str, list[str]]) -> list[str]:
    when = view.span(ev.start, ev.end)
    facts = " · ".join(p for p in (ev.kind, ev.resource or "", when) if p)
    by = f" (cited by {', '.join(cited[ev.id])})" if ev.id in cited else ""
    out = [f"  [{ev.id}] {facts}{by}"]
    out += _para(ev.summary, " " * 6)
    call = ev.rerun or ev.source
    out.append(f"      re-run: {tool_call(call)}  (sleuth rerun REPORT.json {ev.id})")
    for i, cmd in enumerate(ev.aws_cli or aws_cli(call)):
        out.append(f"      {'aws cli:' if i == 0 else '        '} {cmd}")
    return out


def render(report: Report) -> str:
    """The report as plain text, most important first."""
    r = view.prepare(report)
    known = {e.id for e in r.evidence}
    top = view.leading(r)
    title = view.headline(r)
    out = [f"SLEUTH INCIDENT REPORT: {title}", "=" * min(WIDTH, len(title) + 24), ""]
    out += textwrap.wrap(f"VERDICT: {view.verdict_line(r)}", WIDTH, subsequent_indent="  ")
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
        out += _heading("Timeline (UTC)")
        with_date = view.spans_days([e.time for e in entries])
        for e in entries:
            rel = view.offset(e.time, r.impact_start)
            ref = f" [{e.evidence}]" if e.evidence else ""
            head = f"  {view.clock(e.time, with_date)}  {rel:<8} {e.kind:<8} "
            out += textwrap.wrap(e.what + ref, WIDTH, initial_indent=head, subsequent_indent=" " * len(head))

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
            out += textwrap.wrap(
                f"{step.action.upper()}: {step.description}",
                WIDTH,
                initial_indent=f"  {i}. ",
                subsequent_indent="     ",
            )
            if step.command:
                out.append(f"     $ {step.command}")
        if not top.remediation:
            out.append("  no remediation step recorded for this cause")
        prevention = view.prevention(r)
        if prevention:
            out += _heading("Prevention later")
            for item in prevention:
                out += textwrap.wrap(item, WIDTH, initial_indent="  - ", subsequent_indent="    ")

    if r.evidence:
        out += _heading("Evidence (re-run any of it)")
        cited = view.cited_by(r)
        for ev in r.evidence:
            out += _evidence(ev, cited)

    if r.charts:
        out += _heading("Charts")
        for c in r.charts:
            unit = f" ({c.unit})" if c.unit else ""
            out.append(f"  {c.title}{unit}" + (f" [{c.evidence}]" if c.evidence else ""))
            if c.values:
                out.append(f"    {sparkline(c.values)}  min {min(c.values):g}, max {max(c.values):g}")
            if c.onset is not None:
                out.append(f"    onset {view.stamp(c.onset)}")

    if r.verdict not in ("inconclusive", "insufficient_data"):
        out += gaps
    if r.notes:
        out += _heading("Notes")
        for note in r.notes:
            out += textwrap.wrap(note, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    out += _heading("Stats")
    out += _para(view.stats_line(r))
    return "\n".join(out) + "\n"


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
                out += textwrap.wrap(item, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return out
