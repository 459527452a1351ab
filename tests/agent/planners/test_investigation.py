"""Full offline investigations of a built-in scenario with the Claude planner, driven by scripted turns.

The model is a scripted Messages API on 127.0.0.1 (see scripted.py for why), reached through the real
anthropic SDK; the tools, replay, analyzers, scoring and report are all the real ones.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from agent.board import Evidence
from agent.catalog import catalog
from agent.planners import Brain, ClaudeSettings
from agent.report.model import Report
from agent.scope import Scope
from agent.scoring import generate
from agent.topology import Topology
from evals.bundle import Bundle
from tests.agent.planners.harness import investigate
from tests.agent.planners.scripted import Reply, ScriptedModel, sonnet_cost, text, tool_use

SG = "sg-0e62f6765faae9907"


def _window(body: dict[str, Any]) -> tuple[str, str]:
    found = re.search(r"scope: (\S+) to (\S+) ", body["messages"][0]["content"])
    assert found, "the opening message states the scope"
    return found.group(1), found.group(2)


def _last_results(body: dict[str, Any]) -> str:
    blocks = body["messages"][-1]["content"]
    return "\n".join(b["content"] for b in blocks if b.get("type") == "tool_result")


def _probe(body: dict[str, Any]) -> Reply:
    start, end = _window(body)
    return tool_use(
        ("recent_changes", {"start": start, "end": end, "limit": 20}),
        ("trace_faults", {"start": start, "end": end}),
        say="Checking recent changes in the window, and trace faults.",
    )


def _propose(body: dict[str, Any]) -> Reply:
    results = _last_results(body)
    revoked = re.findall(r"^(ev-\d+) \[change_event\].*RevokeSecurityGroupIngress", results, re.M)
    assert revoked, results
    return tool_use(
        (
            "propose_hypothesis",
            {
                "failure_mode": "security-group-rule-revoked",
                "resource": SG,
                "category": "change",
                "evidence_ids": revoked[:1],
                "rationale": "the revoke precedes the connection failures by minutes; confidence 0.99",
            },
        )
    )


def _conclude(body: dict[str, Any]) -> Reply:
    return tool_use(
        (
            "request_conclusion",
            {
                "summary": "A revoked ingress rule on the database security group cut the app off from MySQL.",
                "missing": ["VPC flow logs for the database subnets"],
            },
        )
    )


def _narrative(body: dict[str, Any]) -> Reply:
    cited = re.search(r'"evidence": \[\s*"(ev-\d+)"', body["messages"][0]["content"])
    assert cited
    return text(
        f"At 08:03 UTC someone revoked the MySQL ingress rule on {SG} [{cited.group(1)}]; restore it."
    )


@pytest.fixture(scope="module")
def claude_run(sg_bundle: Bundle) -> tuple[Any, dict[str, Any], ScriptedModel]:
    with ScriptedModel([_probe, _propose, _conclude, _narrative]) as model:
        settings = ClaudeSettings(api_key="sk-test", base_url=model.url, max_retries=0)
        report, state = investigate(sg_bundle, Brain(settings=settings))
    return report, state, model


def test_scripted_claude_run_reaches_the_root_cause_with_code_computed_confidence(
    claude_run: tuple[Any, dict[str, Any], ScriptedModel], rules_report: Report
) -> None:
    report, state, model = claude_run
    # The verdict is code's, from the same evidence the rules planner sees: the model cannot move it.
    assert report.verdict == rules_report.verdict
    top = report.hypotheses[0]
    assert (top.failure_mode, top.resource) == ("security-group-rule-revoked", SG)
    assert "planner: the revoke precedes" in top.rationale
    evidence = [Evidence.model_validate(e) for e in state["evidence"]]
    scope = Scope.model_validate(state["scope"])
    code = generate(
        catalog(), evidence, Topology.model_validate(state["topology"]), [e.id for e in scope.entry]
    )
    expected = next(h for h in code if (h.failure_mode, h.resource) == (top.failure_mode, top.resource))
    assert top.confidence == expected.confidence != 0.99
    assert report.stats.planner == "claude"
    assert len(model.requests) == 4
    assert report.summary.startswith("At 08:03 UTC someone revoked the MySQL ingress rule")
    assert "reported missing by the planner: VPC flow logs for the database subnets" in report.data_gaps


def test_stats_report_the_tokens_and_hand_computed_cost(
    claude_run: tuple[Any, dict[str, Any], ScriptedModel],
) -> None:
    report, _, model = claude_run
    assert report.stats.llm_tokens == sum(sum(u.values()) for u in model.usages)
    assert report.stats.llm_cost_usd == pytest.approx(sonnet_cost(model.usages), abs=1e-6)
    # The tool list and system prompt are written to the cache once, then read on every later turn.
    assert model.usages[0]["cache_creation_input_tokens"] > 5000
    assert [
        u["cache_read_input_tokens"] == model.usages[0]["cache_creation_input_tokens"]
        for u in model.usages[1:3]
    ] == [True, True]
    assert model.usages[3]["cache_read_input_tokens"] == 0  # the narrator's call is a different prompt


def test_requests_cache_the_prefix_and_wrap_tool_output_as_data(
    claude_run: tuple[Any, dict[str, Any], ScriptedModel],
) -> None:
    _, _, model = claude_run
    first, second = model.requests[0], model.requests[1]
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert sum("cache_control" in t for t in first["tools"]) == 1
    assert {"recent_changes", "trace_faults", "propose_hypothesis", "request_conclusion"} <= {
        t["name"] for t in first["tools"]
    }
    assert first["tool_choice"] == {"type": "auto"}
    changes, faults = [b for b in second["messages"][-1]["content"] if b["type"] == "tool_result"]
    assert changes["content"].startswith('<tool_output tool="recent_changes" status="ok" trust="untrusted">')
    assert "evidence recorded:\nev-" in changes["content"]
    # The survey already ran trace_faults over the same window: the model gets the earlier evidence ids.
    assert faults["content"].startswith("already run with these arguments; its evidence: ev-")
    sent = model.headers[0]
    assert sent.get("x-api-key") == "sk-test" or sent.get("authorization") == "Bearer sk-test"
