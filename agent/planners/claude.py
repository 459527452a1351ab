"""The Claude planner: a tool-use conversation that drives probes and hypotheses, with code in charge.

`claude_investigate` runs after the rules planner's first `hypothesize`. The model sees the trigger, the
scope, the survey's evidence and the board; it calls the registered read-only tools (each result comes
back as its short summary plus the evidence ids the analyzers made of it, wrapped as untrusted data) and
the board tools (checked by agent/planners/board_tools.py). Caps on turns, tokens and dollars end the
conversation with one last turn without tools. If the model is lost (no key, an API error that retries
did not cure), the node hands the evidence gathered so far back to the rules planner, with a note.
"""

from __future__ import annotations

from typing import Any, Literal

import anthropic
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from agent.board import Evidence, Hypothesis
from agent.catalog import catalog
from agent.nodes import apply_feedback
from agent.planners import transcript
from agent.planners.analysis import analyze
from agent.planners.board_tools import BOARD_TOOL_NAMES, BOARD_TOOLS, Board
from agent.planners.client import ModelUnavailable, describe, make_client
from agent.planners.prompts import investigator_prompt
from agent.planners.settings import Brain, ClaudeSettings
from agent.runtime import Runtime, call_key, gap_for, to_evidence
from agent.scope import Scope
from agent.state import InvestigationState
from agent.topology import Topology
from tools.registry import REGISTRY
from tools.result import ToolStatus

MAX_CLOSING_NOTE = 1500


def brain_of(config: RunnableConfig) -> Brain | None:
    """The Claude brain when this run uses it: `runtime.brain == "claude"`, or an `llm` given in config.

    The brain comes from `runtime.llm` or `config["configurable"]["llm"]` (a Brain or ClaudeSettings);
    when neither is set it is built from the environment (ClaudeSettings.from_env).
    """
    conf = config.get("configurable") or {}
    runtime = conf.get("runtime")
    llm = getattr(runtime, "llm", None) or conf.get("llm")
    if getattr(runtime, "brain", "rules") != "claude" and conf.get("llm") is None:
        return None
    if not isinstance(llm, Brain):
        llm = Brain(settings=llm if isinstance(llm, ClaudeSettings) else ClaudeSettings.from_env())
        if runtime is not None:
            runtime.llm = llm  # the narrator, later in the graph, reads the same ledger
        else:
            conf["llm"] = llm
    return llm


def _runtime(config: RunnableConfig) -> Runtime:
    runtime = (config.get("configurable") or {}).get("runtime")
    if not isinstance(runtime, Runtime):
        raise RuntimeError(
            "the claude planner needs config['configurable']['runtime'] (agent.runtime.Runtime)"
        )
    return runtime


class _Collector:
    """The node's tool calls, evidence and gaps, as a state update (the same channels the probe fills)."""

    def __init__(self, state: InvestigationState) -> None:
        self.next_id = len(state.get("evidence", [])) + 1
        self.done: dict[str, list[str]] = {}
        for e in state.get("evidence", []):
            self.done.setdefault(call_key(e["source"]["tool"], e["source"]["params"]), []).append(e["id"])
        for key in state.get("probes_done", []):
            self.done.setdefault(key, [])
        self.evidence: list[Evidence] = []
        self.gaps: list[str] = []
        self.keys: list[str] = []
        self.calls = 0
        self.aws = 0

    def update(self, **extra: Any) -> dict[str, Any]:
        return {
            "evidence": [e.model_dump(mode="json") for e in self.evidence],
            "data_gaps": self.gaps,
            "probes_done": self.keys,
            "tool_calls": self.calls,
            "aws_calls": self.aws,
            **extra,
        }


class Conversation:
    """One investigation's exchange with the model."""

    def __init__(
        self, brain: Brain, rt: Runtime, state: InvestigationState, board: Board, scope: Scope, topo: Topology
    ) -> None:
        self.brain = brain
        self.settings = brain.settings
        self.rt = rt
        self.state = state
        self.board = board
        self.scope = scope
        self.topo = topo
        self.out = _Collector(state)
        self.closing: str | None = None
        self.turns = 0
        self.tools = [t.schema() for t in REGISTRY.values()] + [dict(t) for t in BOARD_TOOLS]
        # Caching covers everything up to the marked block: the tool list, then the system prompt.
        self.tools[-1] = {**self.tools[-1], "cache_control": {"type": "ephemeral"}}
        self.system = [
            {"type": "text", "text": investigator_prompt(), "cache_control": {"type": "ephemeral"}}
        ]

    def _cap(self) -> str | None:
        s, spent = self.settings, self.brain.spend()
        if self.turns >= s.max_turns - 1:
            return "llm turns"
        if spent.prompt_tokens >= s.max_prompt_tokens or spent.output_tokens >= s.max_output_tokens:
            return "llm tokens"
        if spent.cost_usd >= s.max_cost_usd:
            return "llm cost"
        if self.rt.out_of_calls():
            return "tool calls"
        if self.rt.out_of_time():
            return "wall time"
        return None

    def run(self) -> None:
        client = self.brain.client or make_client(self.settings)
        self.brain.client = client
        messages: list[dict[str, Any]] = [
            {
                "role": "user",
                "content": transcript.opening(
                    self.state.get("question"),
                    self.state.get("alarm_event"),
                    self.scope,
                    self.topo,
                    list(self.board.evidence.values()),
                    self.board.view(),
                ),
            }
        ]
        while True:
            why = self._cap()
            if why:
                self.brain.capped.append(why)
                final = transcript.FINAL_TURN.format(why=why)
                last = messages[-1]
                if isinstance(last["content"], str):  # the opening message: keep one user turn
                    last["content"] = [{"type": "text", "text": last["content"]}]
                last["content"].append({"type": "text", "text": final})
            response = client.messages.create(
                model=self.settings.model,
                max_tokens=self.settings.turn_tokens,
                system=self.system,
                tools=self.tools,
                tool_choice={"type": "none"} if why else {"type": "auto"},
                messages=messages,
            )
            self.turns += 1
            self.brain.spend().add(response.usage)
            content = [_param(b) for b in response.content]
            messages.append({"role": "assistant", "content": [c for c in content if c]})
            text = " ".join(b.text for b in response.content if b.type == "text").strip()
            uses = [b for b in response.content if b.type == "tool_use"]
            self.rt.progress(f"claude turn {self.turns}: {', '.join(u.name for u in uses) or 'text'}")
            if why or not uses:
                self.closing = text or None
                return
            results = [self._answer(u.id, u.name, dict(u.input or {})) for u in uses]
            messages.append({"role": "user", "content": results})
            if self.board.conclusion is not None:
                return

    def _answer(self, use_id: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
        if name in BOARD_TOOL_NAMES:
            ok, message = self.board.act(name, params)
            self.rt.progress(f"  board {name}: {message[:150]}")
            view = f"\n\n{self.board.view()}" if ok and name != "request_conclusion" else ""
            return {
                "type": "tool_result",
                "tool_use_id": use_id,
                "content": message + view,
                "is_error": not ok,
            }
        if name not in REGISTRY:
            return {
                "type": "tool_result",
                "tool_use_id": use_id,
                "content": f"no tool named {name!r}",
                "is_error": True,
            }
        return {"type": "tool_result", "tool_use_id": use_id, **self._probe(name, params)}

    def _probe(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        key = call_key(name, params)
        if key in self.out.done:
            ids = self.out.done[key]
            return {"content": f"already run with these arguments; its evidence: {', '.join(ids) or 'none'}"}
        result = self.rt.run(name, params)
        if result is None:
            return {
                "content": "not run: the investigation's tool-call or time budget is spent",
                "is_error": True,
            }
        self.out.calls += 1
        self.out.aws += result.aws_calls
        self.out.keys.append(key)
        gap = gap_for(result)
        if (
            gap and result.error_code != "usage"
        ):  # a malformed call is the planner's mistake, not missing data
            self.out.gaps.append(gap)
        made: list[Evidence] = []
        if result.status is ToolStatus.OK and result.data is not None:
            made = to_evidence(analyze(name, result, self.scope), result, self.out.next_id)
            self.out.next_id += len(made)
            self.out.evidence += made
            self.board.add_evidence(made)
            for e in made:
                self.rt.progress(f"  found {e.id}: {e.summary[:150]}")
        self.out.done[key] = [e.id for e in made]
        board = None
        if made:
            self.board.rescore()
            board = self.board.view()
        content = transcript.tool_reply(name, result.status.value, result.summary, made, board)
        return {"content": content, "is_error": result.status is ToolStatus.ERROR}


def _param(block: Any) -> dict[str, Any] | None:
    """A response content block as a request content block (what the next turn sends back)."""
    if block.type == "text":
        return {"type": "text", "text": block.text} if block.text else None
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    return None


def claude_investigate(
    state: InvestigationState, config: RunnableConfig
) -> Command[Literal["plan", "conclude"]]:
    """Let Claude plan when the run's brain is "claude"; otherwise hand over to the rules planner."""
    brain = brain_of(config)
    if brain is None:
        return Command(goto="plan")
    rt = _runtime(config)
    evidence = [Evidence.model_validate(e) for e in state.get("evidence", [])]
    topo = Topology.model_validate(state["topology"])
    scope = Scope.model_validate(state["scope"])
    hyps = [Hypothesis.model_validate(h) for h in state.get("hypotheses", [])]
    board = Board(evidence, topo, [e.id for e in scope.entry], hyps, catalog())
    talk = Conversation(brain, rt, state, board, scope, topo)
    try:
        talk.run()
    except (ModelUnavailable, anthropic.AnthropicError) as exc:
        brain.failure = describe(exc)
        rt.progress(f"claude planner lost: {brain.failure}")
        board.rescore()
        return Command(
            goto="plan",
            update=talk.out.update(
                hypotheses=[h.model_dump(mode="json") for h in board.code],
                notes=[
                    f"The claude planner stopped after {talk.turns} turns ({brain.failure}); the rules "
                    "planner finished the investigation with the evidence gathered so far."
                ],
                data_gaps=[*talk.out.gaps, f"claude planner: {brain.failure}"],
            ),
        )
    final = apply_feedback(board.hypotheses(), state.get("feedback") or {})
    spent = brain.spend()
    notes = [
        f"Planned by {brain.settings.model} in {talk.turns} turns: {spent.tokens} tokens, "
        f"${spent.cost_usd:.4f}; {board.rejected} board actions rejected by code."
    ]
    said = board.conclusion.summary if board.conclusion else talk.closing
    if said:
        notes.append(f"Planner's closing assessment (model text, not a verdict): {said[:MAX_CLOSING_NOTE]}")
    missing = (
        [f"reported missing by the planner: {m}" for m in board.conclusion.missing]
        if board.conclusion
        else []
    )
    return Command(
        goto="conclude",
        update=talk.out.update(
            hypotheses=[h.model_dump(mode="json") for h in final],
            notes=notes,
            data_gaps=[*talk.out.gaps, *missing],
            capped=list(brain.capped),
        ),
    )
