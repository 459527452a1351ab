"""The report as one self-contained HTML page: inline CSS and SVG, no script, no external asset.

Everything from the report is escaped (it comes from logs and API responses), and a Content-Security-
Policy forbids scripts and remote loads, so a missed escape still could not run or phone home. The only
links out are AWS documentation URLs found in prevention steps.
"""

from __future__ import annotations

import re
from html import escape

from agent.report import view
from agent.report.model import Chart, Report, ReportEvidence, ReportHypothesis
from agent.report.rerun import aws_cli, tool_call
from agent.report.svg import chain_graph, line_chart

DOCS_URL = re.compile(r"https://docs\.aws\.amazon\.com/[^\s<>\"'`]*[^\s<>\"'`.,;:)\]]")
_ANCHOR = re.compile(r"^[A-Za-z0-9_.-]+$")

CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d0d4da; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
  max-width: 1080px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 4px 0 8px; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
code, pre { font: 13px/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { font-size: 13px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; margin: 0; color: var(--muted); }
header.verdict { border-left: 8px solid; padding: 12px 16px; background: var(--soft); border-radius: 4px; }
.verdict-root_cause { border-color: #c62828 !important; }
.verdict-inconclusive { border-color: #f9a825 !important; }
.verdict-no_fault { border-color: #2e7d32 !important; }
.verdict-line { font-size: 18px; font-weight: 600; margin: 4px 0 0; }
.summary { font-size: 16px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.tag { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; background: #e8eaed; }
.kind-change { background: #ede3f6; } .kind-alarm, .kind-onset { background: #fde0dc; }
.kind-symptom { background: #ffe9cc; }
.bar { display: inline-block; width: 80px; height: 8px; background: #e8eaed; border-radius: 4px;
  vertical-align: middle; margin-right: 6px; }
.bar > span { display: block; height: 100%; background: #3367d6; border-radius: 4px; }
.ruled_out td, .discarded td { color: var(--muted); }
article.evidence { border: 1px solid var(--line); border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
article.evidence h3 { font-size: 15px; margin: 0 0 4px; }
.label { font-size: 12px; color: var(--muted); margin: 6px 0 0; }
figure { margin: 12px 0 20px; } figcaption { font-size: 13px; color: var(--muted); overflow-wrap: anywhere; }
svg text { font: 11px sans-serif; fill: #333; }
svg .chart-title { font-size: 13px; font-weight: 600; }
svg .plot { fill: #fff; stroke: #bbb; } svg .grid { stroke: #eee; } svg .axis { stroke: #888; }
svg .series { fill: none; stroke: #3367d6; stroke-width: 2; } svg .point { fill: #3367d6; }
svg .mlabel { font-size: 10.5px; stroke: #fff; stroke-width: 3px; paint-order: stroke; }
svg .mark-change { fill: #6a3d9a; } svg .mark-alarm, svg .mark-onset { fill: #d62728; }
svg .mlabel.cause { fill: #b30000; font-weight: 700; } svg .mlabel.other { fill: #6b6b6b; }
svg .mark-event { fill: #5f6368; } svg .mark-symptom { fill: #ef6c00; }
svg .node rect { fill: #fff; stroke: #555; stroke-width: 1.5; }
svg .node-root rect { fill: #fde0dc; stroke: #c62828; } svg .node-symptom rect { fill: #ffe9cc; stroke: #ef6c00; }
svg .role { font-size: 10px; fill: #666; text-transform: uppercase; }
svg .name { font: 12px ui-monospace, Menlo, monospace; } svg .edge { stroke: #444; stroke-width: 1.5; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; font-size: 12px; }
  header.verdict, pre { background: none; }
  article.evidence, figure, tr, li { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _ref(evidence_id: str, known: set[str]) -> str:
    if evidence_id in known and _ANCHOR.match(evidence_id):
        return f'<a href="#{evidence_id}">{_e(evidence_id)}</a>'
    return _e(evidence_id) + ("" if evidence_id in known else " (not in this report)")


def _ids(ids: list[str], known: set[str]) -> str:
    return ", ".join(_ref(i, known) for i in ids) or "none"


def _linkify_docs(text: str) -> str:
    """Escape `text`, turning AWS documentation URLs into links (the only links out of the page)."""
    out, last = [], 0
    for m in DOCS_URL.finditer(text):
        url = m.group(0)
        out.append(_e(text[last : m.start()]))
        out.append(f'<a href="{_e(url)}" rel="noreferrer">{_e(url)}</a>')
        last = m.end()
    out.append(_e(text[last:]))
    return "".join(out)


def _section(ident: str, title: str, body: list[str]) -> list[str]:
    return [f'<section id="{ident}"><h2>{_e(title)}</h2>', *body, "</section>"]


def _gaps(r: Report) -> list[str]:
    out: list[str] = []
    for ident, title, items in (
        ("missing-permissions", "Missing permissions", r.missing_permissions),
        ("data-gaps", "Data gaps", r.data_gaps),
        ("observability-gaps", "Observability gaps", r.observability_gaps),
    ):
        if items:
            out += _section(ident, title, ["<ul>", *(f"<li>{_e(i)}</li>" for i in items), "</ul>"])
    return out


def _timeline(r: Report, known: set[str]) -> list[str]:
    entries = view.timeline(r)
    if not entries:
        return []
    with_date = view.spans_days([e.time for e in entries])
    tz = view.zone(r)
    there = f"<th>{_e(view.zone_label(tz, entries[0].time))}</th>" if tz else ""
    rows = [
        f'<table class="timeline"><tr><th>time (UTC)</th>{there}<th>vs. impact</th><th>kind</th><th>what</th>'
        "<th>evidence</th></tr>"
    ]
    for e in entries:
        ref = _ref(e.evidence, known) if e.evidence else ""
        local = f'<td class="time">{view.clock_in(e.time, tz)}</td>' if tz else ""
        rows.append(
            f'<tr class="entry-{e.kind}"><td class="time">{view.clock(e.time, with_date)}</td>{local}'
            f'<td class="time">{view.offset(e.time, r.impact_start)}</td>'
            f'<td><span class="tag kind-{e.kind}">{e.kind}</span></td><td>{_e(e.what)}</td><td>{ref}</td></tr>'
        )
    rows.append("</table>")
    return _section("timeline", "Timeline", rows)


def _chart(c: Chart, known: set[str], cause: set[str]) -> str:
    caption = []
    if c.alarm:
        caption.append(f"the alarm's own metric and threshold ({_e(view.threshold_text(c))})")
    if c.resource:
        caption.append(f"<code>{_e(c.resource)}</code>")
    if c.onset is not None:
        caption.append(f"onset {view.stamp(c.onset)}")
    if c.evidence:
        caption.append(f"evidence {_ref(c.evidence, known)}")
    return f"<figure>{line_chart(c, cause)}<figcaption>{' · '.join(caption)}</figcaption></figure>"


def _hypotheses(r: Report, known: set[str]) -> list[str]:
    titles = {
        "root_cause": "Hypotheses, ranked",
        "inconclusive": "Candidates, none confirmed",
        "no_fault": "What was checked and ruled out",
        "insufficient_data": "Hypotheses (none could be tested)",
    }
    if not r.hypotheses:
        return _section("hypotheses", titles[r.verdict], ["<p>No hypothesis had evidence to test.</p>"])
    # Evidence against a hypothesis is listed only when some hypothesis has any: an always-empty column
    # would read as "nothing against any of them".
    against = any(h.contradicting for h in r.hypotheses)
    rows = [
        '<table class="hypotheses"><tr><th>#</th><th class="num">confidence</th><th>category</th>'
        "<th>status</th><th>hypothesis</th><th>evidence</th>"
        + ("<th>against</th>" if against else "")
        + "</tr>"
    ]
    for h in r.hypotheses:
        pct = view.percent(h.confidence)
        against_cell = (
            f"<td>{_ids(h.contradicting, known) if h.contradicting else ''}</td>" if against else ""
        )
        rows.append(
            f'<tr class="{h.status}"><td>H{h.rank}</td>'
            f'<td class="num"><span class="bar"><span style="width:{pct}"></span></span>{pct}</td>'
            f"<td>{_e(view.CATEGORY_LABEL[h.category])}</td><td>{_e(view.status_word(h))}</td>"
            f"<td><strong>{_e(h.title)}</strong><br><code>{_e(h.resource)}</code> · {_e(h.failure_mode)}"
            f"{_hypothesis_extra(h, r)}</td>"
            f"<td>{_ids(h.evidence, known)}</td>{against_cell}</tr>"
        )
    rows.append("</table>")
    return _section("hypotheses", titles[r.verdict], rows)


def _hypothesis_extra(h: ReportHypothesis, r: Report) -> str:
    parts = []
    if h.chain:
        parts.append("chain: " + " → ".join(f"<code>{_e(c)}</code>" for c in h.chain))
    if h.rationale:
        parts.append(f"why: {_e(h.rationale)}")
    if r.verdict == "inconclusive":
        for step in h.remediation:
            cmd = f" <code>{_e(step.command)}</code>" if step.command else ""
            parts.append(f"if confirmed, <strong>{_e(step.action)}</strong>: {_e(step.description)}{cmd}")
    return "".join(f'<div class="detail">{p}</div>' for p in parts)


def _evidence(ev: ReportEvidence, cited: dict[str, list[str]]) -> str:
    call = ev.rerun or ev.source
    ident = f' id="{ev.id}"' if _ANCHOR.match(ev.id) else ""
    facts = [f'<span class="tag">{_e(ev.kind)}</span>']
    if ev.resource:
        facts.append(f"<code>{_e(ev.resource)}</code>")
    if ev.start is not None:
        facts.append(view.span(ev.start, ev.end))
    if ev.id in cited:
        facts.append("cited by " + ", ".join(cited[ev.id]))
    parts = [
        f'<article class="evidence"{ident}><h3>{_e(ev.id)}</h3><div>{" · ".join(facts)}</div>',
        f'<p class="evidence-summary">{_e(ev.summary)}</p>',
        f'<p class="label">re-run with Sleuth</p><pre class="tool-call">{_e(tool_call(call))}\n'
        f"sleuth rerun REPORT.json {_e(ev.id)}</pre>",
    ]
    commands = ev.aws_cli or aws_cli(call)
    if commands:
        parts.append(f'<p class="label">AWS CLI</p><pre class="cli">{_e(chr(10).join(commands))}</pre>')
    parts.append("</article>")
    return "".join(parts)


def render(report: Report) -> str:
    """The report as one self-contained HTML document."""
    r = view.prepare(report)
    known = {e.id for e in r.evidence}
    top = view.leading(r)
    title = view.headline(r)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # Defence in depth: even a missed escape could neither run script nor fetch anything remote.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Incident report: {_e(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<header class="verdict verdict-{r.verdict}"><p class="kicker">Sleuth incident report</p>',
        f"<h1>{_e(title)}</h1>",
        f'<p class="verdict-line">{_e(view.verdict_line(r))}</p></header>',
        f'<section id="summary"><p class="summary">{_e(r.summary)}</p><dl class="facts">',
    ]
    if r.alarm:
        out.append(f"<dt>Alarm</dt><dd><code>{_e(r.alarm)}</code></dd>")
    if r.question:
        out.append(f"<dt>Question</dt><dd>{_e(r.question)}</dd>")
    out.append(f"<dt>Impact</dt><dd>{_e(view.impact_text(r))}</dd></dl>")
    if r.verdict == "no_fault":
        out.append(
            "<p>No root cause is claimed: the checks below found nothing abnormal that explains the trigger.</p>"
        )
    out.append("</section>")
    if r.verdict in ("inconclusive", "insufficient_data"):
        out += _gaps(r)
    out += _timeline(r, known)
    if r.charts:
        cause = set(top.evidence) if top is not None else set()
        out += _section("charts", "Charts", [_chart(c, known, cause) for c in view.charts(r)])
    if top is not None and top.chain:
        steps = "".join(f"<li><code>{_e(n)}</code></li>" for n in top.chain)
        out += _section(
            "causal-chain",
            "Causal chain (root cause → symptom)",
            [chain_graph(top.chain), f'<ol class="chain-text">{steps}</ol>'],
        )
    out += _hypotheses(r, known)
    if top is not None:
        items = []
        for step in top.remediation:
            cmd = f"<pre>{_e(step.command)}</pre>" if step.command else ""
            items.append(f"<li><strong>{_e(step.action)}</strong>: {_e(step.description)}{cmd}</li>")
        body = (
            [f"<ol>{''.join(items)}</ol>"]
            if items
            else ["<p>No remediation step recorded for this cause.</p>"]
        )
        out += _section("remediation", "Remediation now", body)
        prevention = view.prevention(r)
        if prevention:
            body = ["<ul>", *(f"<li>{_linkify_docs(p)}</li>" for p in prevention), "</ul>"]
            out += _section("prevention", "Prevention later", body)
    if r.evidence:
        cited = view.cited_by(r)
        out += _section("evidence", "Evidence", [_evidence(ev, cited) for ev in r.evidence])
    if r.verdict not in ("inconclusive", "insufficient_data"):
        out += _gaps(r)
    if r.notes:
        out += _section("notes", "Notes", ["<ul>", *(f"<li>{_e(n)}</li>" for n in r.notes), "</ul>"])
    out += _section("stats", "Stats", [f"<p>{_e(view.stats_line(r))}</p>"])
    tz = view.zone(r)
    times = "Times are UTC" + (f", with the asker's clock ({_e(r.timezone)}) beside." if tz else ".")
    out.append(f"<footer>Generated by Sleuth from read-only queries. {times}</footer></body></html>")
    return "\n".join(out)
