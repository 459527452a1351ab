"""An offline investigation with the Claude planner wired into the graph, as agent/graph.py will wire it.

It mirrors agent.investigate.offline step by step; the only difference is the graph: `hypothesize` ->
`claude_investigate` (which routes to `plan` or `conclude`) and `conclude` -> `narrate` -> END. When
agent/graph.py has the nodes, `wired()` uses it unchanged.
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, StateGraph

from agent.graph import build
from agent.planners import Brain, claude_investigate, narrate
from agent.report.model import Report
from agent.runtime import Limits, Runtime
from evals.bundle import Bundle
from evals.replay import replay_session
from tools import catalog as _tools  # noqa: F401 - registers every tool
from tools.aws import AwsClients, CallBudget
from tools.registry import ToolContext


def wired() -> StateGraph:
    g = build()
    if "claude_investigate" not in g.nodes:
        g.edges.discard(("hypothesize", "plan"))
        g.edges.discard(("conclude", END))
        g.add_node("claude_investigate", claude_investigate)
        g.add_node("narrate", narrate)
        g.add_edge("hypothesize", "claude_investigate")
        g.add_edge("conclude", "narrate")
        g.add_edge("narrate", END)
    return g


def runtime_for(bundle: Bundle) -> Runtime:
    session, _ = replay_session(bundle)
    aws = AwsClients(session, budget=CallBudget(limit=600))
    return Runtime(tools=ToolContext(aws=aws, now=bundle.manifest.now), limits=Limits())


def payload(bundle: Bundle) -> dict[str, Any]:
    m = bundle.manifest
    event = m.trigger.alarm_event.model_dump(mode="json", by_alias=True) if m.trigger.alarm_event else None
    return {"question": m.trigger.question, "alarm_event": event, "now": m.now.isoformat()}


def investigate(bundle: Bundle, brain: Brain | None) -> tuple[Report, dict[str, Any]]:
    """(report, final state) of an offline run; `brain=None` runs the rules planner alone."""
    runtime = runtime_for(bundle)
    if brain is not None:
        runtime.brain = "claude"
        runtime.llm = brain
    config: dict[str, Any] = {"configurable": {"runtime": runtime}, "recursion_limit": 80}
    state = wired().compile().invoke(payload(bundle), cast(RunnableConfig, config))
    return Report.model_validate(state["report"]), state


def surveyed(bundle: Bundle) -> dict[str, Any]:
    """The state the Claude node starts from: intake, discover, survey and hypothesize done."""
    from langgraph.checkpoint.memory import InMemorySaver

    runtime = runtime_for(bundle)
    graph = wired().compile(checkpointer=InMemorySaver(), interrupt_before=["claude_investigate"])
    config: dict[str, Any] = {"configurable": {"runtime": runtime, "thread_id": "survey"}}
    graph.invoke(payload(bundle), cast(RunnableConfig, config))
    return dict(graph.get_state(cast(RunnableConfig, config)).values)


CHANNELS_ADD = {"evidence", "probes_done", "data_gaps", "observability_gaps", "charts", "notes", "capped"}


def apply(state: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """A node's update applied to a state the way the graph's reducers do."""
    out = dict(state)
    for key, value in update.items():
        if key in CHANNELS_ADD:
            out[key] = [*out.get(key, []), *value]
        elif key in ("tool_calls", "aws_calls"):
            out[key] = out.get(key, 0) + value
        else:
            out[key] = value
    return out
