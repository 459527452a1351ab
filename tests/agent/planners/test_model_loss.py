"""A run that loses the model part-way still ends in the rules planner's report, with a note.

The model is a scripted Messages API on 127.0.0.1 (see scripted.py for why); the SDK, the HTTP, the
tools and the report are real.
"""

from __future__ import annotations

from agent.planners import Brain, ClaudeSettings
from agent.report.model import Report
from evals.bundle import Bundle
from tests.agent.planners.harness import investigate
from tests.agent.planners.scripted import ScriptedModel, error
from tests.agent.planners.test_investigation import _probe


def test_losing_the_model_part_way_still_yields_the_rules_report(
    sg_bundle: Bundle, rules_report: Report
) -> None:
    rules = rules_report
    with ScriptedModel([_probe, error(400, "invalid_request_error", "messages: bad block")]) as model:
        settings = ClaudeSettings(api_key="sk-test", base_url=model.url, max_retries=0)
        report, _ = investigate(sg_bundle, Brain(settings=settings))
    assert len(model.requests) == 2
    assert report.verdict == rules.verdict
    assert [(h.failure_mode, h.resource) for h in report.hypotheses[:1]] == [
        (h.failure_mode, h.resource) for h in rules.hypotheses[:1]
    ]
    assert report.stats.planner == "rules"
    note = next(n for n in report.notes if n.startswith("The claude planner stopped"))
    assert "after 1 turns (model API error 400 invalid_request_error: messages: bad block)" in note
    assert (
        "claude planner: model API error 400 invalid_request_error: messages: bad block" in report.data_gaps
    )
    assert report.summary == rules.summary  # code's summary: the narrator does not run after a loss
    assert not any(n.startswith("Summary written by") for n in report.notes)
