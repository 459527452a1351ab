"""Conclude: rank the hypotheses, decide the verdict, and write the report (agent/report/model.py)."""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime, timedelta
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig

from agent.board import Evidence, Hypothesis
from agent.catalog import catalog
from agent.nodes import NO_TRACES, _board, _rt
from agent.report.model import (
    Chart,
    Report,
    ReportEvidence,
    ReportHypothesis,
    ReportRemediation,
    Stats,
    TimelineEntry,
)
from agent.report.rerun import evidence_fields
from agent.scoring import SETTINGS_RELATIONS, SYMPTOMS, incident_onset
from agent.state import InvestigationState
from agent.topology import Topology
from tools.caches import PARAMETER_GROUP

CONFIDENT = 0.5  # below this the top hypothesis is not a diagnosis
MARGIN = 0.08  # the top must beat the runner-up on another resource by this much
MAX_REPORTED = 5


def beyond_recurring(sustained: list[Evidence], evidence: list[Evidence], topo: Topology) -> list[Evidence]:
    """The symptoms left once an alarm that fires at this time every day has shown its resource's normal:
    only trouble elsewhere makes this time different."""
    recurring = {topo.resolve(e.resource) or e.resource for e in evidence if "recurring_alarm" in e.signals}
    if not recurring:
        return sustained
    return [
        e
        for e in sustained
        if (topo.resolve(e.resource) or e.resource) not in recurring and e.kind != "change_event"
    ]


def _capped_as_set(e: Evidence, evidence: list[Evidence], topo: Topology, start: datetime) -> bool:
    """Whether `e` is the throttles, at a reserved concurrency that stood before the window, of a function
    whose work waits in a queue: an event source mapping retries what the reservation turns away from a
    queue it polls, and Lambda's own event queue retries throttled asynchronous invocations for up to the
    function's maximum event age. The work waits and none is lost. That is the cap doing what it was set
    for; the queue's age, the events Lambda dropped and the function's own errors say whether anyone
    suffers."""
    # The throttles themselves, or the alarm set on them.
    if (
        e.kind != "metric_anomaly"
        or "throttled" not in e.signals
        or set(e.signals) - {"alarm_breached"} != {"throttled"}
    ):
        return False
    fn = topo.resolve(e.resource)
    if not fn or topo.kind(fn) != "lambda":
        return False
    fed = any(b == fn and rel == "triggers" and topo.kind(a) == "sqs_queue" for a, b, rel in topo.edges)
    fed = fed or any("invoked_async" in r.signals and topo.resolve(r.resource) == fn for r in evidence)
    reserved = any(
        "lambda_concurrency_limited" in r.signals and topo.resolve(r.resource) == fn for r in evidence
    )
    # A reservation set in the window or the hour before it is a change to judge, not a standing cap (a
    # function's LastModified does not move when its concurrency is set, so the change is read in CloudTrail).
    reset = any(
        r.kind == "change_event"
        and topo.resolve(r.resource) == fn
        and CONCURRENCY_SET.search(r.summary)
        and r.start is not None
        and r.start >= start - RECENT_RESERVATION
        for r in evidence
    )
    failing = any(
        "error_rate_up" in r.signals and topo.resolve(r.resource) == fn and r.facts.get("sustained", True)
        for r in evidence
    )
    return fed and reserved and not reset and not failing


CONCURRENCY_SET = re.compile(r"(Put|Delete)FunctionConcurrency")
RECENT_RESERVATION = timedelta(hours=1)


# A group that did not add capacity while load rose.
NOT_SCALED = frozenset({"asg_no_scaling", "scaling_blocked", "alarm_threshold_not_met"})
# How far a brief excursion may start from a platform event on its path and still be that event's impact:
# a failover takes a minute or two, and a period of the metric or two passes before its effect is counted.
EVENT_NEAR = timedelta(minutes=10)
PLATFORM_EVENTS = frozenset({"db_event", "cache_event"})
# What interrupts service: a failover, a restart, a node replaced or recovered (not a storage change
# applied online, a backup, a notice).
INTERRUPTS = re.compile(r"fail ?over|restart|reboot|shut ?down|replac|recover|unhealthy|unavailable", re.I)


def _struck_by_event(
    on_entry: list[Evidence], evidence: list[Evidence], topo: Topology, entry_ids: list[str]
) -> list[Evidence]:
    """The entry's brief excursions, when the platform acted on a resource on its path as they began (a
    database failover or restart, a cache node replaced); none otherwise."""
    blips = [e for e in on_entry if e.kind == "metric_anomaly" and "metric_blip" in e.signals and e.start]
    reach = topo.distances(entry_ids)
    events = [
        e.start
        for e in evidence
        if e.kind == "health_event"
        and e.start is not None
        and PLATFORM_EVENTS & set(e.signals)
        and INTERRUPTS.search(e.summary)
        and reach.get(topo.resolve(e.resource) or "", 99) <= 3
    ]
    return [b for b in blips if b.start and any(abs(b.start - t) <= EVENT_NEAR for t in events)]


def symptom_within_normal(evidence: list[Evidence]) -> bool:
    """Whether the trigger's own symptom was judged against its history and stayed within its normal
    range, with nothing showing it out of range."""
    judged = [e for e in evidence if e.facts.get("symptom") and e.kind == "metric_anomaly"]
    return any(e.facts.get("within_normal") for e in judged) and not any(
        e.facts.get("sustained", True) for e in judged
    )


def conclude(state: InvestigationState, config: RunnableConfig) -> dict[str, Any]:
    rt = _rt(config)
    evidence, topo, scope = _board(state)
    known = {e.id for e in evidence}
    hyps = [Hypothesis.model_validate(h) for h in state.get("hypotheses", [])]
    hyps = [h for h in hyps if h.supporting and set(h.supporting) <= known and h.status != "discarded"]
    ranked = _best_per_resource(hyps, topo)
    onset = incident_onset(evidence, topo, [e.id for e in scope.entry])
    sustained = [
        e
        for e in evidence
        if set(e.signals) & SYMPTOMS and e.facts.get("sustained", True) and e.strength >= 0.2
    ]
    entry_ids = [e.id for e in scope.entry]
    near = {k for k, hops in topo.distances(entry_ids).items() if hops <= 2} if entry_ids else set()
    anywhere = sustained
    if near and any(topo.resolve(e.resource) in near for e in evidence):
        # The question or alarm names where it hurts: trouble elsewhere is not this incident.
        sustained = [e for e in sustained if topo.resolve(e.resource) in near or e.kind == "change_event"]
    blips = [e for e in evidence if "metric_blip" in e.signals]
    sustained = beyond_recurring(sustained, evidence, topo)
    capped = [e for e in sustained if _capped_as_set(e, evidence, topo, scope.start)]
    sustained = [e for e in sustained if e not in capped]

    verdict: Literal["root_cause", "inconclusive", "no_fault", "insufficient_data"]
    on_entry = [
        e for e in evidence if near and topo.resolve(e.resource) in {topo.resolve(x) for x in entry_ids}
    ]
    only_blips_on_entry = bool(on_entry) and all(
        "metric_blip" in e.signals or not e.facts.get("sustained", True)
        for e in on_entry
        if e.kind == "metric_anomaly"
    )
    if only_blips_on_entry and not [e for e in sustained if e.strength >= 0.6 and e.kind != "change_event"]:
        # The alarmed resource only blipped, and nothing near it shows clear, sustained trouble.
        sustained = []
    warning: Evidence | None = None
    felt = [e for e in anywhere if e.kind == "metric_anomaly" and _users_feel(e)]
    if sustained and all(_warns_only(e) for e in sustained) and felt:
        # An alarm on headroom while what users get (errors, latency at the front) is abnormal too: the
        # alarm is one sign of the incident, wherever the rest of it shows.
        sustained = [*sustained, *felt]
    elif sustained and all(_warns_only(e) for e in sustained):
        warning = sustained[0]
        # The only trouble is an alarm on a resource's own headroom (memory or CPU used, storage or
        # connections taken, a certificate's days left) and nothing users get (errors, latency,
        # backlog, throttles, unhealthy hosts) is abnormal: a warning of trouble to come, not an
        # incident in progress.
        sustained = []
    if symptom_within_normal(evidence):
        # The symptom the trigger is about, judged against its own history, never left its normal range:
        # whatever else moved did not make this incident.
        sustained = []
    if not sustained and not warning and "no_scaling" in scope.symptoms:
        # The question is why capacity was not added: a group that did not scale while load rose is the
        # very trouble asked about, whatever errors the load brought.
        sustained = [e for e in evidence if NOT_SCALED & set(e.signals)]
    if not sustained and not warning:
        # Nothing sustained: noise, unless the platform acted on the path just as the trigger's resource
        # blipped (a failover, a restart, a replaced node). Then the excursion is that event's impact,
        # brief but real, and the event is the lead.
        sustained = _struck_by_event(on_entry, evidence, topo, entry_ids)
    unseen_harm = False
    if not sustained and "flow_stopped" in scope.symptoms and not scope.alarm_name and not warning:
        # People report that something stopped arriving (messages, deliveries, files) and nothing read
        # shows it: the telemetry cannot see this harm, which is a gap, not an all-clear. The changes
        # found are leads, however weakly they are linked.
        unseen_harm = True
        verdict = "inconclusive"
        top = ranked[0] if ranked else None
    elif not sustained:
        verdict = "no_fault"
        top = None
        if warning is None:
            # Nothing users get is abnormal; what moved near the question is the resource's own headroom
            # (its CPU, memory, connections): say so, rather than call it a blip.
            warning = next(
                (
                    e
                    for e in evidence
                    if e.kind == "metric_anomaly"
                    and HEADROOM & set(e.signals)
                    and e.facts.get("sustained", True)
                    and (not near or topo.resolve(e.resource) in near)
                ),
                None,
            )
    elif (
        ranked
        and ranked[0].confidence >= CONFIDENT
        and ranked[0].confidence - _rival(ranked, topo, evidence) >= MARGIN
    ):
        verdict = "root_cause"
        top = ranked[0]
        top.status = "confirmed" if top.status != "accepted" else "accepted"
    else:
        verdict = "inconclusive"
        top = ranked[0] if ranked else None

    ledger = rt.tools.aws.ledger
    if verdict == "no_fault" and not ledger.read(*METRIC_READS):
        verdict = "insufficient_data"

    for h in ranked:
        h.chain = _chain(h.resource, entry_ids, sustained, topo)

    charts = _charts(state, rt, scope.start, scope.end, onset, evidence)
    report = Report(
        verdict=verdict,
        summary=_blind_summary(ledger.refused, state)
        if verdict == "insufficient_data"
        else _unseen_summary(ranked)
        if unseen_harm
        else _summary(verdict, top, ranked, onset, blips, scope.alarm_name, topo, warning, capped),
        title=(
            top.title
            if verdict == "root_cause" and top
            else "No root cause found"
            if verdict == "no_fault"
            else "Could not investigate"
            if verdict == "insufficient_data"
            else "Inconclusive"
        ),
        question=scope.question,
        alarm=scope.alarm_name,
        window_start=scope.start,
        window_end=scope.end,
        impact_start=onset,
        hypotheses=[_report_h(i, h, topo) for i, h in enumerate(ranked[:MAX_REPORTED], 1)]
        if verdict not in ("no_fault", "insufficient_data")
        else [],
        evidence=[
            ReportEvidence(
                id=e.id,
                kind=e.kind,
                resource=e.resource,
                start=e.start,
                end=e.end,
                summary=e.summary,
                source=e.source,
                signals=e.signals,
                **evidence_fields(e.kind, e.resource, e.facts, e.source),
            )
            for e in evidence
        ],
        timeline=_timeline(evidence, scope.alarm_time, scope.alarm_name),
        data_gaps=sorted(set(state.get("data_gaps", []))),
        observability_gaps=_observability(
            state, topo, top if verdict != "no_fault" else None, blips, verdict
        ),
        charts=charts,
        notes=list(state.get("notes", [])),
        missing_permissions=sorted(ledger.refused),
        stats=Stats(
            tool_calls=state.get("tool_calls", 0) + sum(1 for _ in charts),
            aws_calls=rt.tools.aws.budget.used,
            duration_s=0.0,
            planner="rules",
            capped=sorted(set(state.get("capped", []))),
        ),
    )
    return {"report": report.model_dump(mode="json")}


# What users get: failed answers, unhealthy targets, and answers at least this many times slower.
USERS_GET = frozenset({"error_rate_up", "unhealthy_hosts", "targets_unhealthy"})
FELT_SLOWER = 2.0


def _users_feel(e: Evidence) -> bool:
    """Whether `e` shows what users get going wrong: answers failing, targets unhealthy, or answers at least
    twice as slow (a quarter slower is what a busy hour does)."""
    if e.strength < 0.5:
        return False
    if USERS_GET & set(e.signals):
        return True
    base, extreme = e.facts.get("baseline"), e.facts.get("extreme")
    return (
        "latency_up" in e.signals
        and isinstance(base, int | float)
        and isinstance(extreme, int | float)
        and base > 0
        and extreme >= FELT_SLOWER * base
    )


# What an alarm on a resource's own headroom shows, rather than what its users get.
HEADROOM = frozenset(
    {
        "memory_high",
        "cpu_high",
        "disk_full",
        "connections_high",
        "credits_exhausted",
        "ebs_balance_exhausted",
        "io_saturated",
    }
)
EXPIRY = re.compile(r"expir", re.I)


def _warns_only(e: Evidence) -> bool:
    """Whether a symptom is only an alarm on headroom: used memory, CPU, storage or connections past a
    threshold, or days left before something expires (DaysToExpiry)."""
    if set(e.signals) & SYMPTOMS != {"alarm_breached"}:
        return False
    return bool(set(e.signals) & HEADROOM) or bool(EXPIRY.search(str(e.facts.get("metric", ""))))


# Blind is not healthy: "no fault" needs the symptom's metrics to have been read. Every metric read goes
# through one of these CloudWatch actions.
METRIC_READS = ("cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics")


def _blind_summary(refused: dict[str, str], state: InvestigationState) -> str:
    """What could not be read and what would fix it, for an investigation that saw no metrics."""
    if refused:
        actions = ", ".join(sorted(refused))
        return (
            "Could not investigate: AWS refused the calls needed to judge the symptom, so nothing is known "
            f"about its health. Grant {actions} (deploy/iam-readonly-policy.json lists every action Sleuth "
            "reads) and run again."
        )
    gaps = sorted(set(state.get("data_gaps", [])))
    why = f" ({gaps[0]})" if gaps else " (no metric for the symptom's resources was found in this window)"
    return (
        "Could not investigate: no metric of the symptom could be read"
        f"{why}, so nothing is known about its health. Check the region, the window and the credentials."
    )


CONTAINED_IN = frozenset({"in_az", "member_of"})


def _rival(ranked: list[Hypothesis], topo: Topology, evidence: list[Evidence] | None = None) -> float:
    """The confidence of the best hypothesis that competes with the top one. A part of the top's
    resource (an instance in the degraded AZ, a member of the failing group) is how that failure
    shows, not another explanation; nor is the same failure on another resource that one AWS Health
    event names with it (one event of the platform, felt by each resource it affects)."""
    top = topo.resolve(ranked[0].resource) or ranked[0].resource
    platform = {
        e.id: e.facts.get("arn") for e in evidence or [] if e.kind == "health_event" and e.facts.get("arn")
    }

    def events_of(h: Hypothesis) -> set[Any]:
        return {platform[i] for i in h.supporting if i in platform}

    events = events_of(ranked[0])
    parts = {a for a, b, rel in topo.edges if b == top and rel in CONTAINED_IN}
    parts |= {child for child, parent in topo.cluster_of().items() if parent == top}
    # The settings a resource is built or started with and the resource itself, named for the same
    # failure (a group rolling out its new template version, and the template), are one story.
    settings = {b for a, b, rel in topo.edges if a == top and rel in SETTINGS_RELATIONS}
    settings |= {a for a, b, rel in topo.edges if b == top and rel in SETTINGS_RELATIONS}
    for h in ranked[1:]:
        key = topo.resolve(h.resource) or h.resource
        if key in parts or (key in settings and h.failure_mode == ranked[0].failure_mode):
            continue
        if events and h.failure_mode == ranked[0].failure_mode and events & events_of(h):
            continue
        return h.confidence
    return 0.0


def _best_per_resource(hyps: list[Hypothesis], topo: Topology) -> list[Hypothesis]:
    """One hypothesis per resource family (a database cluster and its instances are one family,
    represented by the cluster), best first."""
    parent = topo.cluster_of()
    seen: dict[str, Hypothesis] = {}
    for h in sorted(hyps, key=lambda h: (h.confidence, h.resource in parent.values()), reverse=True):
        family = parent.get(h.resource, h.resource)
        if family not in seen:
            seen[family] = h
    return list(seen.values())


def _chain(root: str, entry: list[str], sustained: list[Evidence], topo: Topology) -> list[str]:
    """The path from the root cause to the symptom, through the topology where it knows one."""
    targets = [t for t in (topo.resolve(x) for x in entry) if t] or [
        t for t in (topo.resolve(e.resource) for e in sustained) if t
    ]
    start = topo.resolve(root) or root
    adj: dict[str, set[str]] = {}
    for a, b, _ in topo.edges:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    best: list[str] | None = None
    for target in targets:
        prev: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            cur = queue.popleft()
            if cur == target:
                break
            for nxt in sorted(adj.get(cur, ())):
                if nxt not in prev:
                    prev[nxt] = cur
                    queue.append(nxt)
        if target in prev:
            path = [target]
            while prev[path[-1]] is not None:
                path.append(prev[path[-1]])  # type: ignore[arg-type]
            path.reverse()
            if best is None or len(path) < len(best):
                best = path
    names = [(topo.nodes[p].name or p) if p in topo.nodes else p for p in (best or [start, *targets[:1]])]
    return list(dict.fromkeys(names))


# Ids the resource graph makes up to keep kinds apart (a cache parameter group may share its name with a
# cache): a report names the resource as AWS does.
GRAPH_PREFIXES = (PARAMETER_GROUP,)


def aws_name(resource: str) -> str:
    """A resource's id as AWS knows it, without the resource graph's kind prefix."""
    for prefix in GRAPH_PREFIXES:
        if resource.startswith(prefix):
            return resource.removeprefix(prefix)
    return resource


def _report_h(rank: int, h: Hypothesis, topo: Topology) -> ReportHypothesis:
    name = aws_name(h.resource)
    return ReportHypothesis(
        rank=rank,
        title=h.title.replace(h.resource, name),
        category=h.category,
        resource=name,
        failure_mode=h.failure_mode,
        confidence=h.confidence,
        chain=h.chain,
        evidence=h.supporting,
        contradicting=h.contradicting,
        remediation=[
            ReportRemediation(
                action=r.action,
                description=r.description,
                command=r.command.replace(h.resource, name) if r.command else r.command,
            )
            for r in h.remediation
        ],
        prevention=h.prevention,
        status=h.status,
        rationale=h.rationale,
    )


def _summary(
    verdict: str,
    top: Hypothesis | None,
    ranked: list[Hypothesis],
    onset: datetime | None,
    blips: list[Evidence],
    alarm: str | None,
    topo: Topology,
    warning: Evidence | None = None,
    capped: list[Evidence] | None = None,
) -> str:
    if verdict == "no_fault" and capped:
        names = ", ".join(dict.fromkeys(aws_name(str(e.resource)) for e in capped))
        return (
            f"No fault: {names} was throttled at its reserved concurrency, a cap set before this window, while "
            "its work waits in a queue that retries what the cap turns away (an event source mapping's queue, "
            "or Lambda's own event queue for asynchronous invocations), so the work is delayed, not lost; its "
            "own errors did not rise and nothing read shows events dropped. Raise the reservation only if the delay "
            "matters, and alarm on the queue's age (ApproximateAgeOfOldestMessage, AsyncEventAge) or on "
            "AsyncEventsDropped rather than on Throttles."
        )
    if verdict == "no_fault" and warning is not None:
        return (
            f"No fault in progress: {warning.summary.removeprefix('alarm ')}, "
            + (
                "an alarm on headroom, not on what users get"
                if warning.summary.startswith("alarm ")
                else "a measure of headroom, not of what users get"
            )
            + "; no errors, latency, backlog, throttles or unhealthy hosts are abnormal beside it. "
            "It warns of trouble to come: act on what it watches (headroom to add, a certificate to renew) before "
            "it bites, and route such alarms as warnings rather than pages."
        )
    if verdict == "no_fault":
        what = f"The alarm {alarm} fired" if alarm else "The reported symptom"
        blip = f" on a short excursion ({blips[0].summary})" if blips else ""
        return (
            f"No root cause: {what.lower() if not alarm else what}{blip}, and no metric, log, trace or change shows "
            "sustained trouble. Consider making the alarm less sensitive (more evaluation periods or datapoints to alarm)."
        )
    since = f" since {onset:%H:%M} UTC" if onset else ""
    if verdict == "root_cause" and top is not None:
        first = top.remediation[0] if top.remediation else None
        act = f" First step: {first.action} — {first.description}" if first else ""
        return f"Most likely cause{since}: {top.title}, confidence {top.confidence:.0%}{_why(top)}.{act}"
    if top is None:
        return f"Inconclusive{since}: symptoms are real but no known failure mode matches the evidence."
    alts = ", ".join(f"{h.title} ({h.confidence:.0%})" for h in ranked[:3])
    return f"Inconclusive{since}: the evidence does not separate the candidates: {alts}."


def _unseen_summary(ranked: list[Hypothesis]) -> str:
    leads = ", ".join(f"{h.title} ({aws_name(h.resource)})" for h in ranked[:3])
    return (
        "Inconclusive: what is reported as stopped does not show in the metrics, logs or traces read, so "
        "they cannot confirm or rule it out (see the data gaps and the telemetry advice). "
        + (
            f"Leads, each linked to it by time alone: {leads}."
            if leads
            else "No change was found to follow up."
        )
    )


def _why(top: Hypothesis) -> str:
    """The rationale in words a person reads first: what it explains and when, not the score's terms
    (those stay on the hypothesis, for whoever wants the arithmetic)."""
    terms = [t for t in top.rationale.split("; ") if t]
    said = []
    for t in terms:
        if t.startswith("explains "):
            said.append("it explains " + t.removeprefix("explains ").replace("_", " "))
        elif re.search(
            r"before the onset|with or before the symptoms|after a change|acted on it|hops? from", t
        ):
            said.append(t)
    return f" ({'; '.join(said)})" if said else ""


def _timeline(
    evidence: list[Evidence], alarm_time: datetime | None, alarm: str | None
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for e in evidence:
        if e.start is None:
            continue
        if e.kind == "change_event" and len(set(e.signals) - {"change"}) > 0:
            entries.append(TimelineEntry(time=e.start, what=e.summary, evidence=e.id, kind="change"))
        elif e.kind == "metric_anomaly" and e.facts.get("sustained"):
            entries.append(TimelineEntry(time=e.start, what=e.summary, evidence=e.id, kind="onset"))
        elif e.kind in ("health_event", "resource_state", "log_pattern", "trace_fault") and set(
            e.signals
        ) & SYMPTOMS | {"db_event", "health_event"}:
            entries.append(TimelineEntry(time=e.start, what=e.summary, evidence=e.id, kind="event"))
    if alarm_time:
        entries.append(TimelineEntry(time=alarm_time, what=f"alarm {alarm} went to ALARM", kind="alarm"))
    entries.sort(key=lambda t: t.time)
    return entries[:30]


def _observability(
    state: InvestigationState, topo: Topology, top: Hypothesis | None, blips: list[Evidence], verdict: str
) -> list[str]:
    gaps = list(dict.fromkeys(state.get("observability_gaps", [])))
    if top is not None:
        mode = catalog().get(top.failure_mode)
        if mode:
            node = topo.nodes.get(topo.resolve(top.resource) or top.resource)
            engine = str((node.attrs if node else {}).get("engine") or "")
            gaps += [
                advice
                for o in mode.observability
                if (advice := for_what_is_there(o, engine, traced=NO_TRACES not in gaps))
                and advice not in gaps
            ]
    if verdict == "no_fault" and blips:
        gaps.append("Alarm on a sustained condition (e.g. 3 of 5 datapoints) rather than a single datapoint.")
    return gaps


# Advice that only MySQL-family engines can follow, and what PostgreSQL offers instead.
MYSQL_ONLY = re.compile(r"slow ?query|general log|audit log|slowquery", re.I)
POSTGRES_INSTEAD = (
    "Set log_min_duration_statement (and auto_explain for plans) and export the postgresql log to "
    "CloudWatch Logs"
)


def for_what_is_there(advice: str, engine: str, traced: bool) -> str | None:
    """A mode's telemetry advice as it applies here: none when the data it asks for was already there
    (tracing advice when traces were read), and the engine's own form of it (PostgreSQL has no slow
    query log; it logs statements over log_min_duration_statement)."""
    if traced and re.search(r"x-ray|tracing", advice, re.I):
        return None
    if "postgres" in engine.lower() and MYSQL_ONLY.search(advice):
        return POSTGRES_INSTEAD
    return advice


def _charts(
    state: InvestigationState,
    rt: Any,
    start: datetime,
    end: datetime,
    onset: datetime | None,
    evidence: list[Evidence],
) -> list[Chart]:
    changes = [
        e for e in evidence if e.kind == "change_event" and len(set(e.signals) - {"change"}) and e.start
    ]
    markers = [
        TimelineEntry(time=e.start, what=str(e.facts.get("action", "change")), evidence=e.id, kind="change")
        for e in changes
    ][:5]
    out: list[Chart] = []
    for spec in state.get("charts", [])[:3]:
        if not spec.get("metric") or not spec.get("namespace"):
            continue
        res = rt.run(
            "metric_series",
            {
                "namespace": spec["namespace"],
                "metric": spec["metric"],
                "dimensions": spec.get("dimensions") or {},
                "stat": spec.get("stat") or "Average",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "baseline_hours": 2,
            },
        )
        if res is None or res.data is None:
            continue
        data = res.data
        out.append(
            Chart(
                title=f"{spec['metric']} ({data.stat}) — {spec.get('resource')}",
                resource=spec.get("resource"),
                timestamps=data.timestamps,
                values=data.values,
                onset=data.summary_stats.onset,
                markers=[m for m in markers if start - timedelta(hours=2) <= m.time <= end],
                evidence=spec.get("evidence"),
            )
        )
    return out
