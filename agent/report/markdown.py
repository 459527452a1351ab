"""The report as Markdown (GitHub-flavoured): for a ticket, a wiki page or a chat message.

Untrusted text is escaped so it cannot open HTML tags, links, emphasis or table cells, and code spans
and fences are made longer than any backtick run inside them.
"""

from __future__ import annotations

import re

from agent.report import view
from agent.report.model import Report, ReportEvidence, ReportHypothesis
from agent.report.rerun import aws_cli, tool_call
from agent.report.svg import sparkline

# Characters that open inline markup, links, HTML or table cells anywhere in a line; the rest of
# Markdown's punctuation only matters at the start of a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<&|~])")
_LINE_START = re.compile(r"^(\s*\d*)([-+=#>.)])")


def esc(text: str) -> str:
    """Inline-safe Markdown: one line, punctuation that could start markup backslash-escaped."""
    one_line = " ".join(text.split())
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), _SPECIAL.sub(r"\\\1", one_line))


def code(text: str) -> str:
    """An inline code span that holds `text` verbatim, whatever backticks it contains."""
    one_line = " ".join(text.split())
    runs = [len(r) for r in re.findall(r"`+", one_line)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def fenced(lines: list[str], lang: str = "") -> list[str]:
    runs = [len(r) for line in lines for r in re.findall(r"`+", line)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return [f"{fence}{lang}", *lines, fence]


_ANCHOR = re.compile(r"^[A-Za-z0-9_.-]+$")


def _ref(evidence_id: str, known: set[str]) -> str:
    """A link to an evidence entry; plain text when the id is unknown or not safe as an anchor."""
    if evidence_id in known and _ANCHOR.match(evidence_id):
        return f"[{evidence_id}](#{evidence_id})"
    return esc(evidence_id) + ("" if evidence_id in known else " (not in this report)")


def _ids(ids: list[str], known: set[str]) -> str:
    return ", ".join(_ref(i, known) for i in ids) or "none"


def _hypotheses(r: Report, known: set[str]) -> list[str]:
    against = any(h.contradicting for h in r.hypotheses)  # no always-empty column
    out = [
        "| # | confidence | category | status | hypothesis | resource | evidence |"
        + (" against |" if against else ""),
        "|---|---|---|---|---|---|---|" + ("---|" if against else ""),
    ]
    for h in r.hypotheses:
        cell = f" {_ids(h.contradicting, known) if h.contradicting else ''} |" if against else ""
        out.append(
            f"| H{h.rank} | {view.percent(h.confidence)} | {h.category} | {view.status_word(h)} | {esc(h.title)} "
            f"| {code(h.resource)} | {_ids(h.evidence, known)} |{cell}"
        )
    out.append("")
    for h in r.hypotheses:
        out += _hypothesis_detail(h, r)
    return out


def _hypothesis_detail(h: ReportHypothesis, r: Report) -> list[str]:
    out = [f"**H{h.rank}. {esc(h.title)}**", ""]
    out.append(f"- failure mode: {esc(h.failure_mode)}")
    if h.chain:
        out.append("- chain: " + " → ".join(code(c) for c in h.chain))
    if h.rationale:
        out.append(f"- why: {esc(h.rationale)}")
    if r.verdict == "inconclusive":
        for step in h.remediation:
            cmd = f": {code(step.command)}" if step.command else ""
            out.append(f"- if confirmed, **{step.action}**: {esc(step.description)}{cmd}")
    out.append("")
    return out


def _evidence(ev: ReportEvidence, cited: dict[str, list[str]]) -> list[str]:
    when = view.span(ev.start, ev.end)
    facts = " · ".join(p for p in (f"`{ev.kind}`", code(ev.resource) if ev.resource else "", when) if p)
    by = f" · cited by {', '.join(cited[ev.id])}" if ev.id in cited else ""
    anchor = [f'<a id="{ev.id}"></a>'] if _ANCHOR.match(ev.id) else []
    out = [*anchor, f"**{esc(ev.id)}** · {facts}{by}", "", esc(ev.summary), ""]
    call = ev.rerun or ev.source
    out += [
        "*Re-run with Sleuth:*",
        "",
        *fenced([tool_call(call), f"sleuth rerun REPORT.json {ev.id}"], "text"),
    ]
    commands = ev.aws_cli or aws_cli(call)
    if commands:
        out += ["", "*AWS CLI:*", "", *fenced(commands, "sh")]
    out.append("")
    return out


def _gaps(r: Report) -> list[str]:
    out: list[str] = []
    for title, items in (
        ("Missing permissions", r.missing_permissions),
        ("Data gaps", r.data_gaps),
        ("Observability gaps", r.observability_gaps),
    ):
        if items:
            out += [f"## {title}", "", *(f"- {esc(i)}" for i in items), ""]
    return out


def render(report: Report) -> str:
    """The report as GitHub-flavoured Markdown, most important first."""
    r = view.prepare(report)
    known = {e.id for e in r.evidence}
    top = view.leading(r)
    title = view.headline(r)
    out = [
        f"# Incident report: {esc(title)}",
        "",
        f"> **{esc(view.verdict_line(r))}**",
        "",
        esc(r.summary),
        "",
    ]
    if r.alarm:
        out.append(f"- **Alarm:** {code(r.alarm)}")
    if r.question:
        out.append(f"- **Question:** {esc(r.question)}")
    out += [f"- **Impact:** {esc(view.impact_text(r))}", ""]
    if r.verdict == "no_fault":
        out += [
            "No root cause is claimed: the checks below found nothing abnormal that explains the trigger.",
            "",
        ]
    if r.verdict in ("inconclusive", "insufficient_data"):
        out += _gaps(r)

    entries = view.timeline(r)
    if entries:
        with_date = view.spans_days([e.time for e in entries])
        tz = view.zone(r)
        there = f" {esc(view.zone_label(tz, entries[0].time))} |" if tz else ""
        out += [
            "## Timeline (UTC)",
            "",
            f"| time |{there} vs. impact | kind | what | evidence |",
            "|---|---|---|---|---|" + ("---|" if tz else ""),
        ]
        for e in entries:
            ref = _ref(e.evidence, known) if e.evidence else ""
            local = f" {view.clock_in(e.time, tz)} |" if tz else ""
            out.append(
                f"| {view.clock(e.time, with_date)} |{local} {view.offset(e.time, r.impact_start)} | {e.kind} "
                f"| {esc(e.what)} | {ref} |"
            )
        out.append("")

    if top is not None and top.chain:
        out += ["## Causal chain (root cause → symptom)", ""]
        for i, node in enumerate(top.chain):
            role = " (root cause)" if i == 0 else (" (symptom)" if i == len(top.chain) - 1 else "")
            out.append(f"{i + 1}. {code(node)}{role}")
        out.append("")

    titles = {
        "root_cause": "Hypotheses, ranked",
        "inconclusive": "Candidates, none confirmed",
        "no_fault": "What was checked and ruled out",
        "insufficient_data": "Hypotheses (none could be tested)",
    }
    out += [f"## {titles[r.verdict]}", ""]
    out += _hypotheses(r, known) if r.hypotheses else ["No hypothesis had evidence to test.", ""]

    if top is not None:
        out += ["## Remediation now", ""]
        for i, step in enumerate(top.remediation, 1):
            out.append(f"{i}. **{step.action}**: {esc(step.description)}")
            if step.command:
                out += ["", *("   " + line for line in fenced([step.command], "sh"))]
        if not top.remediation:
            out.append("No remediation step recorded for this cause.")
        out.append("")
        steps = view.prevention(r)
        if steps:
            out += ["## Prevention later", "", *(f"- {esc(s)}" for s in steps), ""]

    if r.evidence:
        out += ["## Evidence", ""]
        cited = view.cited_by(r)
        for ev in r.evidence:
            out += _evidence(ev, cited)

    if r.charts:
        out += ["## Charts", ""]
        for c in view.charts(r):
            unit = f" ({esc(c.unit)})" if c.unit else ""
            ref = f" · {_ref(c.evidence, known)}" if c.evidence else ""
            line = f"- **{esc(c.title)}**{unit}{ref}"
            values = [v for _, v in view.zoom(c)[0]]
            if values:
                line += f": {code(sparkline(values))} min {min(values):g}, max {max(values):g}"
            if c.onset is not None:
                line += f", onset {view.stamp(c.onset)}"
            if c.threshold is not None:
                line += f"; {esc(view.threshold_text(c))}"
            out.append(line)
        out.append("")

    if r.verdict not in ("inconclusive", "insufficient_data"):
        out += _gaps(r)
    if r.notes:
        out += ["## Notes", "", *(f"- {esc(n)}" for n in r.notes), ""]
    out += ["## Stats", "", esc(view.stats_line(r)), ""]
    return "\n".join(out)
