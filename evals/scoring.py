"""Named, deterministic scores for one investigation against its bundle's truth, and their totals.

Per case: top-1 / top-3 root-cause resource, category, remediation verbs covered, causal chain overlap,
verdict against the expected one, specificity on no-fault cases, grounding, and the run's cost. A score
that does not apply to a case (top-1 on a no-fault case, actions when the truth names none) is None and
left out of the totals; a case whose investigation crashed scores as a miss on everything that applies.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from agent.report.model import Report, ReportEvidence, ReportHypothesis, Verdict
from agent.topology import derived_aliases
from evals.bundle import Bundle
from evals.bundle.model import Truth
from tools.catalog import REGISTRY

ExpectedVerdict = Literal["root_cause", "no_fault"]
# Hypotheses the agent itself set aside are not candidates for top-k.
SET_ASIDE = {"ruled_out", "discarded"}
# The floors the gate may hold; all are "higher is better" fractions.
GATED = ("top1", "top3", "category", "actions", "chain", "specificity", "grounded", "verdict")


class CaseScore(BaseModel):
    expected_verdict: ExpectedVerdict
    verdict: Verdict | None = Field(description="None when the investigation crashed")
    verdict_correct: bool
    top1: bool | None = None
    top3: bool | None = None
    category: bool | None = None
    actions: float | None = None
    chain: float | None = None
    specificity: bool | None = None
    grounded: bool
    grounding_problems: list[str] = Field(default_factory=list)
    top_resource: str | None = None
    truth_resource: str | None = None
    duration_s: float = 0.0
    aws_calls: int = 0
    tool_calls: int = 0
    llm_tokens: int = 0


class Summary(BaseModel):
    n: int
    failed: int = 0
    n_fault: int = 0
    n_no_fault: int = 0
    top1: float | None = None
    top3: float | None = None
    category: float | None = None
    actions: float | None = None
    chain: float | None = None
    specificity: float | None = None
    grounded: float | None = None
    verdict: float | None = None
    p50_s: float | None = None
    p95_s: float | None = None
    aws_calls: int = 0
    llm_tokens: int = 0


# --- resource spellings ---------------------------------------------------------------------------

# Identity fields a type's generic names (`<Type>Id`, `<Type>Arn`, ...) do not cover.
_IDENTITY = {
    # A group name need not be unique (one per VPC); like a Name tag, `Spellings.of` uses a spelling
    # only where it names one resource.
    ("ec2", "SecurityGroup"): ("GroupId", "GroupName"),
    ("lambda", "FunctionConfiguration"): ("FunctionName", "FunctionArn"),
    ("dynamodb", "TableDescription"): ("TableName", "TableArn"),
    ("ecs", "Service"): ("serviceName", "serviceArn"),
    ("stepfunctions", "StateMachineListItem"): ("name", "stateMachineArn"),
    ("elbv2", "LoadBalancer"): ("DNSName",),
    ("rds", "DBInstance"): ("DbiResourceId",),
    ("rds", "DBCluster"): ("DbClusterResourceId",),
}


def _fold(ref: str) -> str:
    # DNS names and most AWS names compare case-insensitively; no two resources in one incident
    # differ only by case.
    return ref.strip().casefold()


def _forms(ref: str) -> set[str]:
    return {_fold(r) for r in (ref, *derived_aliases(ref)) if r.strip()}


def _tag_names(item: dict[str, Any]) -> list[str]:
    tags = item.get("Tags") or item.get("tags") or item.get("TagList") or []
    if isinstance(tags, dict):
        return [str(tags["Name"])] if "Name" in tags else []
    return [
        str(t.get("Value") or t.get("value"))
        for t in tags
        if isinstance(t, dict) and (t.get("Key") or t.get("key")) == "Name"
    ]


def _identity(service: str, type_: str, item: dict[str, Any]) -> list[str]:
    generic = {f"{type_}{suffix}".casefold() for suffix in ("Id", "Name", "Arn", "Identifier")}
    generic |= {"arn", "id", "name"}
    keys = [k for k in item if k.casefold() in generic]
    keys += [k for k in _IDENTITY.get((service, type_), ()) if k in item]
    values = [item[k] for k in keys if isinstance(item[k], str)]
    return values + _tag_names(item)


class Spellings:
    """Every name each resource of a bundle goes by: ids, names, ARNs, Name tags and derived forms."""

    def __init__(self, bundle: Bundle | None = None) -> None:
        self._groups: list[set[str]] = []
        self._index: dict[str, set[int]] = {}
        for record in bundle.records("resources") if bundle else ():
            item = record.get("item") or {}
            names = _identity(str(record.get("service")), str(record.get("type")), item)
            group = set().union(*(_forms(n) for n in names)) if names else set()
            if not group:
                continue
            self._groups.append(group)
            for spelling in group:
                self._index.setdefault(spelling, set()).add(len(self._groups) - 1)

    def of(self, ref: str) -> set[str]:
        """`ref`'s own forms, plus its resource's other spellings when they name exactly one resource."""
        forms = _forms(ref)
        owners = set().union(*(self._index.get(f, set()) for f in forms)) if forms else set()
        if len(owners) == 1:
            # Only the spellings that name this resource alone (a Name tag several instances share
            # names none of them).
            forms |= {s for s in self._groups[owners.pop()] if len(self._index[s]) == 1}
        return forms


def truth_spellings(truth: Truth, spellings: Spellings) -> set[str]:
    """Every accepted spelling of the true root cause (none for a no-fault truth)."""
    if truth.root_cause is None:
        return set()
    return set().union(*(spellings.of(r) for r in (truth.root_cause.resource, *truth.also_accept)))


# --- per-case scores ------------------------------------------------------------------------------


def _ranked(report: Report) -> list[ReportHypothesis]:
    return sorted((h for h in report.hypotheses if h.status not in SET_ASIDE), key=lambda h: h.rank)


def _mentioned(spelling: str, text: str) -> bool:
    # A whole identifier: "billing-db" is not mentioned by "billing-db-instance-1"; a sentence's
    # closing full stop does not glue onto the name.
    pattern = rf"(?<![\w\-./:@]){re.escape(spelling)}(?![\w\-/:@]|\.\w)"
    return re.search(pattern, text) is not None


def chain_overlap(
    chain: Sequence[str], truth_chain: Sequence[str], spellings: Spellings, accepted: set[str]
) -> float:
    """The share of the truth's chain steps that name a resource of the hypothesis' chain.

    The hypothesis chain lists resources (root -> symptom); a truth step is prose. A step counts when it
    mentions any spelling of any chain resource; a resource that matches the true root cause is taken
    in every accepted spelling of it.
    """
    names: set[str] = set()
    for element in chain:
        forms = spellings.of(element)
        names |= forms | (accepted if forms & accepted else set())
    names = {n for n in names if len(n) >= 3}
    steps = [_fold(step) for step in truth_chain]
    hit = sum(1 for step in steps if any(_mentioned(n, step) for n in names))
    return hit / len(steps)


def _rerun_problem(evidence: ReportEvidence) -> str | None:
    tool = REGISTRY.get(evidence.source.tool)
    if tool is None:
        return f"{evidence.id}: source tool {evidence.source.tool!r} is not a registered tool"
    try:
        tool.input_model.model_validate(evidence.source.params)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        return f"{evidence.id}: {evidence.source.tool} params do not validate ({where}: {first['msg']})"
    return None


def grounding_problems(report: Report) -> list[str]:
    """Why the report's claims are not grounded: [] when every claim cites existing, re-runnable evidence."""
    by_id = {e.id: e for e in report.evidence}
    problems: list[str] = []
    if report.verdict == "root_cause" and not report.hypotheses:
        problems.append("verdict is root_cause but no hypothesis backs it")
    checked: set[str] = set()
    for h in report.hypotheses:
        if not h.evidence:
            problems.append(f"hypothesis {h.rank} ({h.resource}) cites no evidence")
        for ev_id in (*h.evidence, *h.contradicting):
            evidence = by_id.get(ev_id)
            if evidence is None:
                problems.append(f"hypothesis {h.rank} ({h.resource}) cites {ev_id}, which the report lacks")
                continue
            if ev_id not in checked:
                checked.add(ev_id)
                problem = _rerun_problem(evidence)
                if problem:
                    problems.append(problem)
    return problems


def expected_verdict(truth: Truth) -> ExpectedVerdict:
    return "no_fault" if truth.no_fault else "root_cause"


def score_case(report: Report, truth: Truth, bundle: Bundle | None = None) -> CaseScore:
    """Score one report against the truth; `bundle` lends its resources' other spellings."""
    spellings = Spellings(bundle)
    expected = expected_verdict(truth)
    problems = grounding_problems(report)
    ranked = _ranked(report)
    top = ranked[0] if ranked else None
    score = CaseScore(
        expected_verdict=expected,
        verdict=report.verdict,
        verdict_correct=report.verdict == expected,
        grounded=not problems,
        grounding_problems=problems,
        top_resource=top.resource if top else None,
        duration_s=report.stats.duration_s,
        aws_calls=report.stats.aws_calls,
        tool_calls=report.stats.tool_calls,
        llm_tokens=report.stats.llm_tokens,
    )
    if truth.root_cause is None:
        score.specificity = report.verdict != "root_cause"
        return score
    accepted = truth_spellings(truth, spellings)
    hits = [bool(spellings.of(h.resource) & accepted) for h in ranked[:3]]
    score.truth_resource = truth.root_cause.resource
    score.top1 = bool(hits and hits[0])
    score.top3 = any(hits)
    score.category = top is not None and top.category == truth.root_cause.category
    if truth.actions:
        covered = {r.action for r in top.remediation} if top else set()
        score.actions = len(set(truth.actions) & covered) / len(set(truth.actions))
    if truth.chain:
        score.chain = chain_overlap(top.chain, truth.chain, spellings, accepted) if top else 0.0
    return score


def failed_score(truth: Truth, duration_s: float = 0.0) -> CaseScore:
    """The score of an investigation that crashed: a miss on everything that applies."""
    fault = truth.root_cause is not None
    return CaseScore(
        expected_verdict=expected_verdict(truth),
        verdict=None,
        verdict_correct=False,
        top1=False if fault else None,
        top3=False if fault else None,
        category=False if fault else None,
        actions=0.0 if fault and truth.actions else None,
        chain=0.0 if fault and truth.chain else None,
        specificity=None if fault else False,
        grounded=False,
        grounding_problems=["the investigation did not finish"],
        truth_resource=truth.root_cause.resource if truth.root_cause else None,
        duration_s=duration_s,
    )


# --- totals ---------------------------------------------------------------------------------------


def percentile(values: Iterable[float], p: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least p% of the values at or below it)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(sum(present) / len(present), 3) if present else None


def summarize(scores: Sequence[CaseScore | None], failed: int = 0) -> Summary:
    """Totals over cases; None stands for a case that could not be scored at all (no truth known).

    `failed` counts the cases whose investigation crashed (already scored as misses by `failed_score`).
    Durations are of the investigations that finished.
    """
    scored = [s for s in scores if s is not None]
    durations = [s.duration_s for s in scored if s.verdict is not None]
    p50, p95 = percentile(durations, 50), percentile(durations, 95)
    return Summary(
        n=len(scores),
        failed=failed,
        n_fault=sum(1 for s in scored if s.expected_verdict == "root_cause"),
        n_no_fault=sum(1 for s in scored if s.expected_verdict == "no_fault"),
        top1=_mean(s.top1 for s in scored),
        top3=_mean(s.top3 for s in scored),
        category=_mean(s.category for s in scored),
        actions=_mean(s.actions for s in scored),
        chain=_mean(s.chain for s in scored),
        specificity=_mean(s.specificity for s in scored),
        grounded=_mean(s.grounded for s in scored),
        verdict=_mean(s.verdict_correct for s in scored),
        p50_s=round(p50, 3) if p50 is not None else None,
        p95_s=round(p95, 3) if p95 is not None else None,
        aws_calls=sum(s.aws_calls for s in scored),
        llm_tokens=sum(s.llm_tokens for s in scored),
    )


def check_floors(summary: Summary, floors: dict[str, float]) -> list[str]:
    """The floors the summary falls below ([] when it holds them all); an unmeasured score fails too."""
    failures = []
    for name, floor in floors.items():
        if name not in GATED:
            raise ValueError(f"unknown floor {name!r}; floors exist for {', '.join(GATED)}")
        value = getattr(summary, name)
        if value is None:
            failures.append(f"{name}: not measured by these cases (floor {floor:.3f})")
        elif value < floor:
            failures.append(f"{name}: {value:.3f} is below the floor {floor:.3f}")
    return failures
