"""Named, deterministic scores for one investigation against its bundle's truth, and their totals.

Per case: top-1 / top-3 root-cause resource, category, diagnosis (resource and category together), the
cause's own CloudTrail record cited, remediation verbs covered, causal chain overlap, verdict against the
expected one, specificity on no-fault cases, grounding, calibration of the top confidence (overconfident,
Brier), and the run's cost. A score
that does not apply to a case (top-1 on a no-fault case, actions when the truth names none) is None and
left out of the totals; a case whose investigation crashed scores as a miss on everything that applies.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime as datetime_type
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
# The floors the gate may hold: "higher is better" fractions, then the calibration scores for which the
# limit is a ceiling (lower is better).
GATED = (
    "top1",
    "top3",
    "category",
    "diagnosis",
    "cause_event",
    "actions",
    "chain",
    "specificity",
    "grounded",
    "verdict",
)
CEILINGS = ("overconfident", "brier")
# A top hypothesis held at this confidence or more is a claim; wrong, it is overconfident.
OVERCONFIDENT_AT = 0.8
# "Another record of the same change": same principal, same resource, at most this far apart.
SAME_CHANGE_SECONDS = 60


class CaseScore(BaseModel):
    expected_verdict: ExpectedVerdict
    verdict: Verdict | None = Field(description="None when the investigation crashed")
    verdict_correct: bool
    top1: bool | None = None
    top3: bool | None = None
    category: bool | None = None
    diagnosis: bool | None = Field(
        default=None, description="the top hypothesis names the true resource and the true category"
    )
    cause_event: bool | None = Field(
        default=None,
        description="the top hypothesis cites the culprit CloudTrail record or another record of the same "
        "change (None when the truth names no record)",
    )
    actions: float | None = None
    chain: float | None = None
    specificity: bool | None = None
    confidence: float | None = Field(default=None, description="the top hypothesis' confidence")
    overconfident: bool | None = Field(
        default=None, description=f"the top claim is wrong at confidence {OVERCONFIDENT_AT} or more"
    )
    brier: float | None = Field(
        default=None, description="(top confidence - correct)^2, correct being 1 or 0"
    )
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
    diagnosis: float | None = None
    cause_event: float | None = None
    actions: float | None = None
    chain: float | None = None
    specificity: float | None = None
    overconfident: float | None = None
    brier: float | None = None
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
        elif not owners and ref.strip().startswith("arn:"):
            # An ARN no resource record spells (a service whose resources the bundle does not list)
            # still names its resource by its last component: `...:configuration:c-1a2b` is `c-1a2b`.
            tail = re.split(r"[:/]", ref.strip())[-1]
            if tail:
                forms.add(_fold(tail))
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


def rerun_problems(report: Report, bundle: Bundle) -> list[str]:
    """Evidence items that do not hold when re-run against the bundle (what `sleuth rerun` does)."""
    from agent.recheck import recheck
    from evals.replay import replay_session
    from tools.aws import AwsClients

    session, _ = replay_session(bundle)
    aws = AwsClients(session)
    problems: list[str] = []
    for ev in report.evidence:
        try:
            got = recheck(report, ev.id, aws, bundle.manifest.now)
        except LookupError as exc:
            problems.append(f"{ev.id}: {exc}")
            continue
        if got.holds is False:
            problems.append(got.line())
    return problems


def score_case(
    report: Report, truth: Truth, bundle: Bundle | None = None, *, rerun: bool = True
) -> CaseScore:
    """Score one report against the truth; `bundle` lends its resources' other spellings, and (unless
    `rerun` is off) every evidence item is re-run against it."""
    spellings = Spellings(bundle)
    expected = expected_verdict(truth)
    reran = rerun_problems(report, bundle) if bundle is not None and rerun else []
    problems = grounding_problems(report) + reran
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
        # No cause exists: any claimed root cause is wrong, and its confidence is what it is judged by.
        claimed = top.confidence if top and report.verdict == "root_cause" else 0.0
        _calibrate(score, claimed, correct=False)
        return score
    accepted = truth_spellings(truth, spellings)
    hits = [bool(spellings.of(h.resource) & accepted) for h in ranked[:3]]
    score.truth_resource = truth.root_cause.resource
    score.top1 = bool(hits and hits[0])
    score.top3 = any(hits)
    score.category = top is not None and top.category == truth.root_cause.category
    score.diagnosis = score.top1 and score.category
    if truth.root_cause.event_id:
        score.cause_event = top is not None and cites_change(report, top, truth.root_cause.event_id, bundle)
    _calibrate(score, top.confidence if top else 0.0, correct=score.diagnosis)
    if truth.actions:
        covered = {r.action for r in top.remediation} if top else set()
        score.actions = len(set(truth.actions) & covered) / len(set(truth.actions))
    if truth.chain:
        score.chain = chain_overlap(top.chain, truth.chain, spellings, accepted) if top else 0.0
    return score


def _calibrate(score: CaseScore, confidence: float, *, correct: bool) -> None:
    score.confidence = round(confidence, 3)
    score.overconfident = not correct and confidence >= OVERCONFIDENT_AT
    score.brier = round((confidence - (1.0 if correct else 0.0)) ** 2, 4)


_EVENT_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{7,}")


def _change_keys(record: dict[str, Any]) -> tuple[str, datetime_type | None, set[str]]:
    """A CloudTrail record's principal, time and the identifiers it acted on."""
    identity = record.get("userIdentity") or {}
    principal = str(identity.get("arn") or identity.get("principalId") or "")
    try:
        when = datetime_type.fromisoformat(str(record.get("eventTime", "")).replace("Z", "+00:00"))
    except ValueError:
        when = None
    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and len(value) >= 3:
            names.add(_fold(value))
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(record.get("requestParameters"))
    for res in record.get("resources") or []:
        if isinstance(res, dict) and res.get("ARN"):
            names.add(_fold(str(res["ARN"])))
    return principal, when, names


def cites_change(report: Report, top: ReportHypothesis, event_id: str, bundle: Bundle | None) -> bool:
    """Whether `top` cites CloudTrail record `event_id`, or another record of the same change: the same
    principal acting on the same resource within a minute (a console change often writes several)."""
    by_id = {e.id: e for e in report.evidence}
    cited_text = " ".join(
        f"{e.summary} {json.dumps(e.source.params, default=str)}"
        for e in (by_id.get(i) for i in top.evidence)
        if e is not None
    )
    cited = set(_EVENT_ID.findall(cited_text))
    if event_id in cited:
        return True
    records = {str(r.get("eventID")): r for r in bundle.records("cloudtrail")} if bundle else {}
    culprit = records.get(event_id)
    if culprit is None:
        return False
    who, when, touched = _change_keys(culprit)
    for other_id in cited & set(records):
        other_who, other_when, other_touched = _change_keys(records[other_id])
        if not who or other_who != who or when is None or other_when is None:
            continue
        if abs((other_when - when).total_seconds()) <= SAME_CHANGE_SECONDS and touched & other_touched:
            return True
    return False


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
        diagnosis=False if fault else None,
        cause_event=False if fault and truth.root_cause and truth.root_cause.event_id else None,
        actions=0.0 if fault and truth.actions else None,
        chain=0.0 if fault and truth.chain else None,
        specificity=None if fault else False,
        # It claimed nothing, at no confidence: not overconfident, and (0 - 0)^2 for Brier.
        overconfident=False,
        brier=0.0,
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
        diagnosis=_mean(s.diagnosis for s in scored),
        cause_event=_mean(s.cause_event for s in scored),
        actions=_mean(s.actions for s in scored),
        chain=_mean(s.chain for s in scored),
        specificity=_mean(s.specificity for s in scored),
        overconfident=_mean(s.overconfident for s in scored),
        brier=_mean(s.brier for s in scored),
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
        if name not in GATED + CEILINGS:
            raise ValueError(f"unknown floor {name!r}; floors exist for {', '.join(GATED + CEILINGS)}")
        value = getattr(summary, name)
        if value is None:
            kind = "ceiling" if name in CEILINGS else "floor"
            failures.append(f"{name}: not measured by these cases ({kind} {floor:.3f})")
        elif name in CEILINGS and value > floor:
            failures.append(f"{name}: {value:.3f} is above the ceiling {floor:.3f}")
        elif name not in CEILINGS and value < floor:
            failures.append(f"{name}: {value:.3f} is below the floor {floor:.3f}")
    return failures
