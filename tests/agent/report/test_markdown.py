"""The Markdown report, checked as written and as a CommonMark + tables renderer (markdown-it) shows it."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from agent.report import markdown
from tests.agent.report import samples

# html=True: the most permissive renderer (like many wikis): raw HTML in the source would pass through.
MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def _html(report_md: str) -> str:
    return MD.render(report_md)


def test_root_cause_reads_verdict_first_then_postmortem_sections() -> None:
    out = markdown.render(samples.root_cause())
    assert out.startswith("# Incident report: web-5xx\n\n> **Root cause found: Deploy web:42")
    headings = re.findall(r"^## (.+)$", out, re.M)
    assert headings == [
        "Timeline (UTC)",
        "Causal chain (root cause → symptom)",
        "Hypotheses, ranked",
        "Remediation now",
        "Prevention later",
        "Evidence",
        "Charts",
        "Data gaps",
        "Observability gaps",
        "Notes",
        "Stats",
    ]


def test_timeline_and_hypotheses_render_as_tables_with_links_to_evidence() -> None:
    html = _html(markdown.render(samples.root_cause()))
    assert "<td>14:02:00</td>\n<td>T-3m</td>\n<td>change</td>\n<td>alice deployed web:42</td>" in html
    assert '<td><a href="#ev-1">ev-1</a>, <a href="#ev-2">ev-2</a>, <a href="#ev-3">ev-3</a></td>' in html
    assert "<td>H2</td>\n<td>31%</td>\n<td>limit</td>\n<td>unlikely</td>" in html
    assert '<a id="ev-4"></a>' in html  # the anchors the links point to


def test_chain_is_an_ordered_list_root_first() -> None:
    out = markdown.render(samples.root_cause())
    assert (
        "1. `ecs:prod/web (task def web:42)` (root cause)\n2. `rds:orders-db`\n"
        "3. `alb:app/prod-alb/50dc6c495c0c9188` (symptom)"
    ) in out


def test_evidence_has_tool_call_and_cli_in_code_blocks() -> None:
    out = markdown.render(samples.root_cause())
    assert (
        "```sh\naws cloudtrail lookup-events --lookup-attributes "
        f"AttributeKey=EventId,AttributeValue={samples.EVENT_ID} --start-time 2026-11-26T14:00:00Z"
    ) in out
    assert "```sh\naws logs start-query --log-group-names /ecs/web --start-time 1795701600" in out
    html = _html(out)
    assert '<code class="language-sh">aws logs start-query' in html
    assert '<code class="language-text">trace_faults(service=&quot;web&quot;' in html


def test_untrusted_text_cannot_inject_html_or_break_tables() -> None:
    report = samples.root_cause()
    report.evidence[4].summary = "x <img src=x onerror=alert(1)> [click](http://evil.example) | **bold**"
    top = next(h for h in report.hypotheses if h.rank == 1)
    top.title = "pool | size `5` <b>"
    out = markdown.render(report)
    html = _html(out)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" not in html  # ev-5 was replaced
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="http://evil.example"' not in html and "<strong>bold</strong>" not in html
    row = next(line for line in out.splitlines() if line.startswith("| H1 |"))
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == 8  # the '|' in the title did not open a new column


def test_code_spans_survive_backticks_in_the_content() -> None:
    assert markdown.code("a `b` c") == "``a `b` c``"
    assert markdown.code("`x`") == "`` `x` ``"
    assert markdown.fenced(["echo ```"]) == ["````", "echo ```", "````"]
    html = _html(markdown.code("a `b` c"))
    assert "<code>a `b` c</code>" in html


def test_line_start_markup_is_neutralised() -> None:
    assert _html(markdown.esc("# not a heading")).strip() == "<p># not a heading</p>"
    assert _html(markdown.esc("1. not a list")).strip() == "<p>1. not a list</p>"
    assert _html(markdown.esc("> not a quote")).strip() == "<p>&gt; not a quote</p>"


def test_secrets_are_redacted() -> None:
    out = markdown.render(samples.root_cause())
    assert samples.SECRET not in out and samples.ACCESS_KEY not in out
    assert "password=\\[REDACTED\\]" in out


def test_no_fault_and_inconclusive_read_right() -> None:
    nf = markdown.render(samples.no_fault())
    assert "> **No fault found**" in nf
    assert "## What was checked and ruled out" in nf
    assert "Causal chain" not in nf and "Remediation now" not in nf and "Root cause found" not in nf
    inc = markdown.render(samples.inconclusive())
    assert "> **Inconclusive: cannot tell from this data**" in inc
    headings = re.findall(r"^## (.+)$", inc, re.M)
    assert headings[:4] == ["Data gaps", "Observability gaps", "Timeline (UTC)", "Candidates, none confirmed"]
    assert "Remediation now" not in inc
    assert "- if confirmed, **scale**: Raise provisioned IOPS" in inc
