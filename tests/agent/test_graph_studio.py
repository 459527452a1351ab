"""LangGraph Studio / `langgraph dev`: the graph named in langgraph.json runs with no runtime in its config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from langchain_core.runnables import RunnableConfig

from agent.graph import graph, studio
from agent.runtime import Runtime
from evals.scenarios import build

ROOT = Path(__file__).resolve().parents[2]


def test_langgraph_json_names_the_studio_factory() -> None:
    spec = json.loads((ROOT / "langgraph.json").read_text())
    assert spec["graphs"]["sleuth"] == "./agent/graph.py:studio"


def test_a_run_without_a_runtime_uses_the_bundle_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = build("sg-rule-revoked", 1)
    monkeypatch.setenv("SLEUTH_BUNDLE", str(bundle.write(tmp_path / "bundle")))
    with pytest.raises(RuntimeError, match="runtime"):
        graph.invoke({"question": "why 5xx?", "now": bundle.manifest.now.isoformat()})
    served = studio(cast(RunnableConfig, {"configurable": {}}))
    state: dict[str, Any] = served.invoke(
        {"question": bundle.manifest.trigger.question, "now": bundle.manifest.now.isoformat()},
        {"recursion_limit": 80},
    )
    report = state["report"]
    assert report["verdict"] == "root_cause"
    assert "security-group" in report["hypotheses"][0]["failure_mode"]


def test_a_config_that_brings_a_runtime_keeps_it() -> None:
    runtime = cast(Runtime, object.__new__(Runtime))
    assert studio(cast(RunnableConfig, {"configurable": {"runtime": runtime}})) is graph
