"""What holds for every rendering: sparse reports render, secrets never appear, the verdict comes first."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agent.report import html, markdown, text
from agent.report.model import Report, Stats
from tests.agent.report import samples

RENDERERS: list[Callable[[Report], str]] = [text.render, markdown.render, html.render]
IDS = ["text", "markdown", "html"]


@pytest.mark.parametrize("render", RENDERERS, ids=IDS)
def test_a_bare_report_renders(render: Callable[[Report], str]) -> None:
    bare = Report(
        verdict="inconclusive",
        summary="The investigation hit its tool-call cap before any evidence came back.",
        hypotheses=[],
        evidence=[],
        timeline=[],
        data_gaps=[],
        observability_gaps=[],
        stats=Stats(capped=["tool_calls"]),
    )
    out = render(bare)
    assert "Incident investigation" in out  # a title even with no alarm or question
    assert "Inconclusive: cannot tell from this data" in out
    assert "start not established" in out
    assert "caps hit: tool" in out


@pytest.mark.parametrize("render", RENDERERS, ids=IDS)
def test_secrets_in_every_field_are_redacted(render: Callable[[Report], str]) -> None:
    report = samples.root_cause()
    leak = f"password={samples.SECRET} {samples.ACCESS_KEY}"
    report.summary = leak
    report.timeline[0].what = leak
    report.data_gaps = [leak]
    report.notes = [leak]
    for h in report.hypotheses:
        h.rationale = leak
        for step in h.remediation:
            step.command = f"mysql -u admin --password={samples.SECRET}"
    report.evidence[2].source.params["dimensions"] = {"LoadBalancer": leak}
    out = render(report)
    assert samples.SECRET not in out and samples.ACCESS_KEY not in out


@pytest.mark.parametrize("render", RENDERERS, ids=IDS)
def test_verdict_comes_before_everything_else(render: Callable[[Report], str]) -> None:
    for report in (samples.root_cause(), samples.no_fault(), samples.inconclusive()):
        out = render(report)
        verdict = {
            "root_cause": "Root cause found",
            "no_fault": "No fault found",
            "inconclusive": "Inconclusive",
        }
        first = out.index(verdict[report.verdict])
        assert first < out.index(report.summary[:30])
        assert first < out.index("Stats" if render is not text.render else "STATS")


def test_the_against_column_is_shown_only_when_some_hypothesis_has_evidence_against_it() -> None:
    report = samples.root_cause()
    assert "<th>against</th>" in html.render(report)
    assert "| evidence | against |" in markdown.render(report)
    assert "contradicted by: ev-4" in text.render(report)
    for h in report.hypotheses:
        h.contradicting = []
    assert "against" not in html.render(report).split('<table class="hypotheses">')[1].split("</tr>")[0]
    assert "| resource | evidence |\n" in markdown.render(report)
    assert "contradicted by" not in text.render(report)
