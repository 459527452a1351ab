"""What nodes need that is not state: the tool context, the caps, and a progress feed.

Passed to the graph as `config["configurable"]["runtime"]`; rebuilt, not checkpointed, on resume.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.analyzers import Draft
from agent.board import Evidence, SourceCall
from tools.registry import REGISTRY, ToolContext
from tools.result import ToolResult, ToolStatus


@dataclass(frozen=True)
class Limits:
    max_tool_calls: int = 80
    max_seconds: float = 60.0
    max_iterations: int = 3


@dataclass
class Runtime:
    tools: ToolContext
    limits: Limits = field(default_factory=Limits)
    progress: Callable[[str], None] = lambda _msg: None
    started: float = field(default_factory=time.perf_counter)
    calls: int = 0
    brain: str = "rules"  # "rules" or "claude"
    llm: Any = None  # the model client and settings when brain == "claude"

    def out_of_time(self) -> bool:
        return time.perf_counter() - self.started > self.limits.max_seconds

    def out_of_calls(self) -> bool:
        return self.calls >= self.limits.max_tool_calls

    def run(self, name: str, params: dict[str, Any]) -> ToolResult[Any] | None:
        """Run a registered tool, unless a cap is hit (then None)."""
        if self.out_of_calls() or self.out_of_time():
            return None
        self.calls += 1
        tool = REGISTRY[name]
        self.progress(f"{name} {_brief(params)}")
        result = tool.run(self.tools, params)
        if result.status is not ToolStatus.OK:
            self.progress(f"  -> {result.status.value}: {result.summary[:160]}")
        return result


def call_key(name: str, params: dict[str, Any]) -> str:
    return f"{name}:{json.dumps(params, sort_keys=True, default=str)}"


def _brief(params: dict[str, Any]) -> str:
    text = json.dumps({k: v for k, v in params.items() if k not in ("start", "end")}, default=str)
    return text if len(text) < 120 else text[:117] + "..."


def to_evidence(drafts: list[Draft], result: ToolResult[Any], first_id: int) -> list[Evidence]:
    source = SourceCall(tool=result.tool, params=result.params)
    return [Evidence(id=f"ev-{first_id + i}", source=source, **d.model_dump()) for i, d in enumerate(drafts)]


def gap_for(result: ToolResult[Any]) -> str | None:
    """A data gap sentence for a call that could not answer (denied, failed, unsupported)."""
    if result.status in (ToolStatus.OK, ToolStatus.NO_DATA):
        return None
    return f"{result.tool}: {result.status.value}: {result.summary[:240]}"


def from_settings(
    env: Mapping[str, str] | None = None, now: datetime | None = None
) -> tuple[Runtime, datetime]:
    """A runtime for a caller that brings none (LangGraph Studio, `langgraph dev`), and its present.

    SLEUTH_BUNDLE set: replay that bundle offline (its `now` is the present). Otherwise live AWS with the
    standard settings (AWS_PROFILE, AWS_DEFAULT_REGION or AWS_REGION) and `now` as given.
    """
    from tools.aws import AwsClients

    env = os.environ if env is None else env
    if env.get("SLEUTH_BUNDLE"):
        from evals.bundle import Bundle
        from evals.replay import replay_session

        bundle = Bundle.load(env["SLEUTH_BUNDLE"])
        session, _ = replay_session(bundle)
        present = bundle.manifest.now
        return Runtime(tools=ToolContext(aws=AwsClients(session), now=present)), present
    if now is None:
        raise ValueError("a live runtime needs the present time (`now`)")
    region = env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or None
    aws = AwsClients.live(profile=env.get("AWS_PROFILE") or None, region=region)
    return Runtime(tools=ToolContext(aws=aws, now=now)), now
