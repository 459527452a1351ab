"""Record the model's HTTP exchanges with vcrpy, then replay them with the server gone and no key.

The recording is made against the scripted Messages API on 127.0.0.1 (no model key exists here, see
scripted.py), through the real SDK and real HTTP, exactly as `sleuth eval --brain claude --record`
records a live model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import anthropic
import pytest
import yaml
from langchain_core.runnables import RunnableConfig
from vcr.errors import CannotOverwriteExistingCassetteException

from agent.planners import Brain, ClaudeSettings, claude_investigate
from agent.planners.recording import recording
from agent.planners.settings import REPLAY_KEY
from evals.bundle import Bundle
from tests.agent.planners.harness import runtime_for
from tests.agent.planners.scripted import Reply, ScriptedModel, tool_use

SECRET = "sk-ant-secret-never-stored"
ACCOUNT = "286208901942"  # the scenario's account, present in ARNs the model reads


def _probe(body: dict[str, Any]) -> Reply:
    found = re.search(r"scope: (\S+) to (\S+) ", body["messages"][0]["content"])
    assert found
    return tool_use(("recent_changes", {"start": found.group(1), "end": found.group(2), "limit": 20}))


def _propose(body: dict[str, Any]) -> Reply:
    text = "\n".join(b["content"] for b in body["messages"][-1]["content"] if b.get("type") == "tool_result")
    revoked = re.findall(r"^(ev-\d+) \[change_event\].*RevokeSecurityGroupIngress", text, re.M)
    return tool_use(
        (
            "propose_hypothesis",
            {
                "failure_mode": "security-group-rule-revoked",
                "resource": "sg-0e62f6765faae9907",
                "category": "change",
                "evidence_ids": revoked[:1],
            },
        ),
        ("request_conclusion", {"summary": "A revoked ingress rule cut the app off from its database."}),
    )


def _run(
    bundle: Bundle, state: dict[str, Any], settings: ClaudeSettings
) -> tuple[str, dict[str, Any], Brain]:
    brain = Brain(settings=settings)
    runtime = runtime_for(bundle)
    runtime.brain, runtime.llm = "claude", brain
    command = claude_investigate(
        cast(Any, dict(state)), cast(RunnableConfig, {"configurable": {"runtime": runtime}})
    )
    return str(command.goto), dict(command.update or {}), brain


def test_record_then_replay_without_server_or_key(
    tmp_path: Path, sg_bundle: Bundle, sg_surveyed: dict[str, Any]
) -> None:
    cassette = tmp_path / "cassettes" / "sg-rule-revoked.yaml"
    with ScriptedModel([_probe, _propose]) as model, recording(cassette, mode="once") as rec:
        assert not rec.replaying
        live = ClaudeSettings(api_key=SECRET, base_url=model.url, max_retries=0)
        goto, recorded, first = _run(sg_bundle, sg_surveyed, rec.settings(live))
    assert goto == "conclude" and len(model.requests) == 2

    stored = cassette.read_text()
    assert SECRET not in stored and ACCOUNT not in stored
    exchanges = yaml.safe_load(stored)["interactions"]
    assert len(exchanges) == 2
    assert all(
        not {"authorization", "x-api-key"} & {h.lower() for h in e["request"]["headers"]} for e in exchanges
    )

    # The server is gone and there is no key: only the cassette can answer.
    with recording(cassette, mode="none") as rec:
        assert rec.replaying
        offline = rec.settings(ClaudeSettings.from_env({"ANTHROPIC_BASE_URL": model.url}))
        assert offline.api_key == REPLAY_KEY
        goto, replayed, second = _run(sg_bundle, sg_surveyed, offline)
    assert goto == "conclude"
    assert replayed == recorded
    assert second.spend().tokens == first.spend().tokens > 0
    top = replayed["hypotheses"][0]
    assert (top["failure_mode"], top["resource"]) == ("security-group-rule-revoked", "sg-0e62f6765faae9907")


def test_replay_refuses_a_request_the_cassette_does_not_hold(tmp_path: Path) -> None:
    cassette = tmp_path / "empty.yaml"
    cassette.write_text("interactions: []\nversion: 1\n")
    client = anthropic.Anthropic(api_key=REPLAY_KEY, base_url="http://127.0.0.1:9", max_retries=0)
    with recording(cassette, mode="none"), pytest.raises(anthropic.APIConnectionError) as failed:
        client.messages.create(
            model="claude-sonnet-4-6", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    assert isinstance(failed.value.__cause__, CannotOverwriteExistingCassetteException)


def test_only_model_calls_are_recorded_and_account_ids_are_scrubbed(tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    cassette = tmp_path / "mixed.yaml"
    # Bedrock's path carries the model id URL-encoded; an inference-profile ARN names the account.
    arn_path = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.claude/invoke"
    with ScriptedModel([]) as model, recording(cassette, mode="all"):
        for path in ("/v1/messages", arn_path, "/other"):
            req = urllib.request.Request(model.url + path, data=b'{"account": "123456789012"}', method="POST")
            with pytest.raises(urllib.error.HTTPError):  # the scripted server answers 500/404: still recorded
                urllib.request.urlopen(req, timeout=5)
    stored = yaml.safe_load(cassette.read_text())["interactions"]
    assert [e["request"]["uri"].split("127.0.0.1")[1].split("/", 1)[1] for e in stored] == [
        "v1/messages",
        "model/arn%3Aaws%3Abedrock%3Aus-east-1%3A000000000000%3Ainference-profile%2Fus.claude/invoke",
    ]
    assert all(e["request"]["body"] == '{"account": "000000000000"}' for e in stored)
