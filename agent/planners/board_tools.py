"""The board tools a model uses: propose, update and rule out hypotheses, and request the conclusion.

Every action is checked by code before it touches the board: cited evidence must exist, a catalogued
failure mode must be shown by the cited evidence (one of its root signals on the suspect resource), a
rule-out must cite evidence that contradicts the hypothesis. Confidence is always the rules scorer's
number (agent/scoring.py), never the model's. A rejected action is answered with the reason, so the
model can correct itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from agent.board import Action, Category, Evidence, Hypothesis, RemediationStep
from agent.catalog import FailureMode, catalog
from agent.planners.transcript import data_block
from agent.scoring import canonical, generate
from agent.topology import Topology

UNLISTED = "unlisted"  # failure_mode of a hypothesis outside the catalog
UNLISTED_CAP = (
    0.45  # below conclude's 0.5: code cannot verify an uncatalogued mechanism, so it never wins alone
)
MAX_IDS = 20


class Step(BaseModel):
    action: Action
    description: str = Field(min_length=1, max_length=400)


class Propose(BaseModel):
    failure_mode: str | None = Field(default=None, description="a catalog failure-mode id, when one fits")
    title: str | None = Field(default=None, max_length=200, description="a short title, when none fits")
    resource: str = Field(min_length=1, max_length=300)
    category: Category
    evidence_ids: list[str] = Field(min_length=1, max_length=MAX_IDS)
    rationale: str = Field(default="", max_length=1200)
    remediation: list[Step] = Field(default_factory=list, max_length=5)


class Update(BaseModel):
    hypothesis_id: str
    add_evidence_ids: list[str] = Field(default_factory=list, max_length=MAX_IDS)
    rationale: str = Field(default="", max_length=1200)


class RuleOut(BaseModel):
    hypothesis_id: str
    evidence_ids: list[str] = Field(min_length=1, max_length=MAX_IDS)
    reason: str = Field(min_length=1, max_length=800)


class Conclude(BaseModel):
    summary: str = Field(min_length=1, max_length=2000)
    missing: list[str] = Field(default_factory=list, max_length=10, description="data that was missing")


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    return schema


BOARD_TOOLS: list[dict[str, Any]] = [
    {
        "name": "propose_hypothesis",
        "description": (
            "Put a root-cause hypothesis on the board. Give `failure_mode` (a catalog id) when one fits, "
            "otherwise a short `title`. Cite the evidence ids that show it. Code checks the citations and "
            "computes the confidence; the answer says whether it was accepted and why not."
        ),
        "input_schema": _schema(Propose),
    },
    {
        "name": "update_hypothesis",
        "description": "Cite more evidence for a hypothesis on the board, or refine its rationale.",
        "input_schema": _schema(Update),
    },
    {
        "name": "rule_out_hypothesis",
        "description": (
            "Rule out a hypothesis on the board, citing the evidence that contradicts it. Code accepts it "
            "only if that evidence carries one of the failure mode's contradicting signals on its resource "
            "(any existing evidence suffices for your own uncatalogued hypotheses)."
        ),
        "input_schema": _schema(RuleOut),
    },
    {
        "name": "request_conclusion",
        "description": (
            "End the investigation: summarise what is known, what is missing and which telemetry would have "
            "settled it. Code then ranks the board and writes the report."
        ),
        "input_schema": _schema(Conclude),
    },
]
BOARD_TOOL_NAMES = frozenset(t["name"] for t in BOARD_TOOLS)


def _key(h: Hypothesis) -> str:
    return f"{h.failure_mode}|{h.resource}|{h.title if h.failure_mode == UNLISTED else ''}"


class Board:
    """The hypothesis board during a model's turn-taking; `hypotheses()` is what conclude receives."""

    def __init__(
        self,
        evidence: list[Evidence],
        topo: Topology,
        entry: list[str],
        hypotheses: list[Hypothesis],
        modes: dict[str, FailureMode] | None = None,
    ) -> None:
        self.evidence = {e.id: e for e in evidence}
        self.topo = topo
        self.entry = entry
        self.modes = modes or catalog()
        self.code = hypotheses  # the rules scorer's board, refreshed by `rescore`
        self.proposed: dict[str, Hypothesis] = {}  # m-N -> the model's accepted proposals
        self.ruled_out: dict[str, tuple[list[str], str]] = {}  # key -> (evidence ids, reason)
        self.updates: dict[str, tuple[list[str], str]] = {}  # key -> (added citations, rationale)
        self.conclusion: Conclude | None = None
        self.rejected = 0

    # --- evidence ----------------------------------------------------------------------------------

    def add_evidence(self, made: list[Evidence]) -> None:
        for e in made:
            self.evidence[e.id] = e

    def rescore(self) -> None:
        self.code = generate(self.modes, list(self.evidence.values()), self.topo, self.entry)

    # --- actions -----------------------------------------------------------------------------------

    def act(self, name: str, raw: dict[str, Any]) -> tuple[bool, str]:
        """Apply one board tool call; (accepted, message for the model)."""
        handlers: dict[str, tuple[type[BaseModel], Callable[[Any], tuple[bool, str]]]] = {
            "propose_hypothesis": (Propose, self._propose),
            "update_hypothesis": (Update, self._update),
            "rule_out_hypothesis": (RuleOut, self._rule_out),
            "request_conclusion": (Conclude, self._conclude),
        }
        model, handler = handlers[name]
        try:
            args = model.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()[:5]
            )
            return self._reject(f"bad arguments: {problems}")
        ok, message = handler(args)
        if not ok:
            self.rejected += 1
        return ok, message

    def _reject(self, message: str) -> tuple[bool, str]:
        self.rejected += 1
        return False, f"rejected: {message}"

    def _unknown(self, ids: list[str]) -> list[str]:
        return [i for i in ids if i not in self.evidence]

    def _propose(self, args: Propose) -> tuple[bool, str]:
        missing = self._unknown(args.evidence_ids)
        if missing:
            return False, (
                f"rejected: evidence {', '.join(missing)} does not exist; cite only ids the board gave you "
                f"(ev-1 .. ev-{len(self.evidence)})"
            )
        resource = canonical(args.resource, self.topo) or args.resource
        if args.failure_mode:
            return self._propose_mode(args, resource)
        if not args.title:
            return False, "rejected: give a catalog failure_mode or a short title"
        cited = [self.evidence[i] for i in args.evidence_ids]
        strength = max(e.strength for e in cited)
        h = Hypothesis(
            id=f"m-{len(self.proposed) + 1}",
            title=f"{args.title} ({resource})",
            category=args.category,
            resource=resource,
            failure_mode=UNLISTED,
            supporting=list(dict.fromkeys(args.evidence_ids)),
            confidence=round(min(UNLISTED_CAP, UNLISTED_CAP * strength), 3),
            remediation=[
                RemediationStep(action=s.action, description=s.description) for s in args.remediation
            ],
            rationale=(
                f"proposed by the planner outside the catalog (capped at {UNLISTED_CAP}: code cannot verify "
                f"the mechanism); strongest cited evidence {strength:.2f}"
            ),
        )
        self.proposed[h.id] = h
        return True, f"accepted as {h.id}, confidence {h.confidence:.2f} (computed by code: {h.rationale})"

    def _propose_mode(self, args: Propose, resource: str) -> tuple[bool, str]:
        assert args.failure_mode is not None
        mode = self.modes.get(args.failure_mode)
        if mode is None:
            close = [m for m in self.modes if args.failure_mode.split("-")[0] in m][:5]
            return False, (
                f"rejected: no failure mode {args.failure_mode!r} in the catalog"
                + (f" (similar: {', '.join(close)})" if close else "")
                + "; give a title instead to propose an uncatalogued cause"
            )
        if args.category != mode.category:
            return False, f"rejected: {mode.id} is in category {mode.category}, not {args.category}"
        root = set(mode.root_signals)
        shows = [
            i
            for i in args.evidence_ids
            if root & set(self.evidence[i].signals)
            and canonical(self.evidence[i].resource, self.topo) == resource
        ]
        if not shows:
            return False, (
                f"rejected: none of the cited evidence shows a root signal of {mode.id} "
                f"({', '.join(mode.root_signals)}) on {resource}"
            )
        scored = generate({mode.id: mode}, list(self.evidence.values()), self.topo, self.entry)
        h = next((x for x in scored if x.resource == resource), None)
        if h is None:
            return (
                False,
                f"rejected: {mode.id} does not apply to {resource} (it applies to {', '.join(mode.applies_to)})",
            )
        h.id = f"m-{len(self.proposed) + 1}"
        h.supporting = list(dict.fromkeys([*h.supporting, *args.evidence_ids]))
        if args.rationale:
            h.rationale += f"; planner: {args.rationale}"
        self.proposed[h.id] = h
        return True, f"accepted as {h.id}, confidence {h.confidence:.2f} (computed by code: {h.rationale})"

    def _find(self, hid: str) -> Hypothesis | None:
        return self.proposed.get(hid) or next((h for h in self.code if h.id == hid), None)

    def _update(self, args: Update) -> tuple[bool, str]:
        h = self._find(args.hypothesis_id)
        if h is None:
            return False, f"rejected: no hypothesis {args.hypothesis_id} on the board"
        missing = self._unknown(args.add_evidence_ids)
        if missing:
            return False, f"rejected: evidence {', '.join(missing)} does not exist"
        h.supporting = list(dict.fromkeys([*h.supporting, *args.add_evidence_ids]))
        if args.rationale:
            h.rationale += f"; planner: {args.rationale}"
        if not h.id.startswith("m-"):  # code's hypotheses are rebuilt on rescoring: keep the citations
            cited, said = self.updates.get(_key(h), ([], ""))
            self.updates[_key(h)] = ([*cited, *args.add_evidence_ids], args.rationale or said)
        return True, f"updated {h.id}; confidence stays code's: {h.confidence:.2f}"

    def _rule_out(self, args: RuleOut) -> tuple[bool, str]:
        h = self._find(args.hypothesis_id)
        if h is None:
            return False, f"rejected: no hypothesis {args.hypothesis_id} on the board"
        missing = self._unknown(args.evidence_ids)
        if missing:
            return False, f"rejected: evidence {', '.join(missing)} does not exist"
        mode = self.modes.get(h.failure_mode)
        if mode is not None and not h.id.startswith("m-"):
            against = set(mode.contradicting)
            contra = [
                i
                for i in args.evidence_ids
                if against & set(self.evidence[i].signals)
                and canonical(self.evidence[i].resource, self.topo) == h.resource
            ]
            if not contra:
                return False, (
                    f"rejected: none of the cited evidence contradicts {h.failure_mode} on {h.resource} "
                    f"(its contradicting signals: {', '.join(mode.contradicting) or 'none listed'})"
                )
            args.evidence_ids = contra
        self.ruled_out[_key(h)] = (args.evidence_ids, args.reason)
        return True, f"ruled out {h.id} ({h.title})"

    def _conclude(self, args: Conclude) -> tuple[bool, str]:
        self.conclusion = args
        return True, "conclusion requested; code will rank the board and write the report"

    # --- views -------------------------------------------------------------------------------------

    def hypotheses(self) -> list[Hypothesis]:
        """Code's hypotheses over all evidence, with the model's accepted proposals and rule-outs applied."""
        self.rescore()
        merged = {_key(h): h for h in self.code}
        for p in self.proposed.values():
            key = _key(p)
            if key in merged:
                h = merged[key]
                h.supporting = list(dict.fromkeys([*h.supporting, *p.supporting]))
                planner = re.search(r"; planner: .*$", p.rationale)
                h.rationale += planner.group(0) if planner else "; also proposed by the planner"
            else:
                merged[key] = p.model_copy(deep=True)
        for key, (ids, said) in self.updates.items():
            if key in merged:
                h = merged[key]
                h.supporting = list(dict.fromkeys([*h.supporting, *ids]))
                h.rationale += f"; planner: {said}" if said else ""
        for key, (ids, reason) in self.ruled_out.items():
            if key in merged:
                h = merged[key]
                h.status = "ruled_out"
                h.confidence = 0.0
                h.contradicting = list(dict.fromkeys([*h.contradicting, *ids]))
                h.rationale += f"; ruled out by the planner on {', '.join(ids)}: {reason}"
        out = sorted(merged.values(), key=lambda h: h.confidence, reverse=True)
        for i, h in enumerate(out, 1):
            h.id = f"h-{i}"
        return out

    def view(self, limit: int = 8) -> str:
        """The board as the model sees it: hypotheses with code's confidence and their evidence."""
        lines = ["hypotheses (confidence computed by code):"]
        shown = [*self.code[:limit], *self.proposed.values()]
        for h in shown:
            out = " [ruled out]" if _key(h) in self.ruled_out else ""
            lines.append(
                f"- {h.id} {h.confidence:.2f} {h.category} {h.failure_mode} on {h.resource}{out}: "
                f"{h.title}; evidence {', '.join(h.supporting[:10]) or 'none'}"
            )
        if len(lines) == 1:
            lines.append("- (none yet)")
        # Titles and resources are built from tags, names and log text: data, like any tool output.
        return data_block("board", "ok", "\n".join(lines))
