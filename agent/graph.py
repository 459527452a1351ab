"""The investigation graph: intake -> discover -> survey -> hypothesize -> [claude] -> (plan -> probe -> assess)*
-> conclude -> narrate. With the claude brain the model drives the probing before the rules loop checks what is
left; with the rules brain the claude and narrate nodes pass straight through.

`graph` is the compiled graph (`studio` hands it to langgraph.json with a runtime from settings). Run it
with the runtime in the config:

    graph.invoke({"question": ..., "now": ...}, {"configurable": {"runtime": Runtime(tools=...)}})
"""

from __future__ import annotations

from datetime import UTC, datetime

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.conclude import conclude
from agent.nodes import assess, discover, hypothesize, intake, plan, probe, survey
from agent.planners import claude_investigate, narrate
from agent.runtime import Runtime, from_settings
from agent.state import InvestigationInput, InvestigationState


def build() -> StateGraph:
    g = StateGraph(InvestigationState, input_schema=InvestigationInput)
    g.add_node("intake", intake)
    g.add_node("discover", discover)
    g.add_node("survey", survey)
    g.add_node("hypothesize", hypothesize)
    g.add_node("plan", plan)
    g.add_node("probe", probe)
    g.add_node("assess", assess)
    g.add_node("conclude", conclude)
    g.add_node("claude_investigate", claude_investigate)  # routes straight to plan with the rules brain
    g.add_node("narrate", narrate)  # no-op without a model
    g.add_edge(START, "intake")
    g.add_edge("intake", "discover")
    g.add_edge("discover", "survey")
    g.add_edge("survey", "hypothesize")
    g.add_edge("hypothesize", "claude_investigate")
    g.add_edge("probe", "assess")
    g.add_edge("assess", "plan")
    g.add_edge("conclude", "narrate")
    g.add_edge("narrate", END)
    return g


graph = build().compile()


def studio(config: RunnableConfig) -> CompiledStateGraph:
    """`graph` for LangGraph Studio / `langgraph dev` (named in langgraph.json): the same compiled graph,
    with a runtime built from the environment when the run's config carries none (SLEUTH_BUNDLE replays
    a bundle offline; otherwise live AWS). The run's input still gives `now` (ISO-8601) for a live run."""
    if isinstance((config.get("configurable") or {}).get("runtime"), Runtime):
        return graph
    runtime, _ = from_settings(now=datetime.now(UTC))  # the entry point's one read of the clock
    return graph.with_config(configurable={"runtime": runtime})
