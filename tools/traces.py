"""Trace tools (X-Ray): summaries by filter, where faults originate, the service map, and sample traces."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from tools.redact import redact
from tools.registry import ToolContext, tool
from tools.result import ToolOutput

MAX_SUMMARIES_READ = 2000  # trace summaries read for aggregation (X-Ray pages hold up to 100)
MAX_TRACES = 5  # BatchGetTraces' own limit per call; also a context budget
MAX_WINDOW = timedelta(hours=24)  # GetTraceSummaries refuses longer windows


class _Window(BaseModel):
    start: AwareDatetime = Field(description="window start (ISO-8601 with zone)")
    end: AwareDatetime = Field(description="window end (ISO-8601 with zone); at most 24 h after start")

    @model_validator(mode="after")
    def _ordered(self) -> _Window:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        if self.end - self.start > MAX_WINDOW:
            raise ValueError("X-Ray reads at most 24 hours per call; narrow the window")
        return self


def _services(summary: dict[str, Any]) -> list[str]:
    return [s.get("Name", "?") for s in summary.get("ServiceIds", [])]


def _root_causes(summary: dict[str, Any], key: str) -> list[tuple[str, str, str]]:
    """(service, entity path, exception) for each root cause of a summary's faults or errors."""
    out = []
    for cause in summary.get(key, []):
        for svc in cause.get("Services", []):
            path = svc.get("EntityPath", [])
            exc = ""
            for entity in reversed(path):
                if entity.get("Exceptions"):
                    exc = entity["Exceptions"][0].get("Name", "")
                    break
            out.append((svc.get("Name", "?"), " > ".join(e.get("Name", "?") for e in path), exc))
    return out


def _read_summaries(
    ctx: ToolContext, start: datetime, end: datetime, expr: str | None, cap: int
) -> tuple[list[dict[str, Any]], bool]:
    params: dict[str, Any] = {"StartTime": start, "EndTime": end, "Sampling": False}
    if expr:
        params["FilterExpression"] = expr
    return ctx.aws.collect("xray", "GetTraceSummaries", "TraceSummaries", max_items=cap, **params)


class TraceSummariesInput(_Window):
    """Arguments of trace_summaries."""

    filter_expression: str | None = Field(
        default=None,
        description='X-Ray filter expression, e.g. service("checkout") AND fault, responsetime > 2, '
        'http.status = 502, annotation.tenant = "acme"',
    )
    limit: int = Field(
        default=20, ge=1, le=50, description="summaries returned, slowest first (context budget)"
    )


class TraceBrief(BaseModel):
    id: str
    duration_s: float | None
    response_time_s: float | None
    fault: bool
    error: bool
    throttle: bool
    http_status: int | None
    url: str | None
    services: list[str]
    fault_root_causes: list[str]

    def line(self) -> str:
        flags = (
            "".join(c for c, on in (("F", self.fault), ("E", self.error), ("T", self.throttle)) if on) or "ok"
        )
        rc = f" root {self.fault_root_causes[0]}" if self.fault_root_causes else ""
        return f"{self.id} {self.response_time_s or 0:.3f}s {flags} {self.http_status or ''} {self.url or ''}{rc}"


class TraceSummaries(ToolOutput):
    traces: list[TraceBrief]
    matched: int

    def summary(self) -> str:
        if not self.traces:
            return "no traces match"
        faults = sum(t.fault for t in self.traces)
        return f"{self.matched} traces match ({faults} of those shown faulted); slowest: " + "; ".join(
            t.line() for t in self.traces[:8]
        )

    def is_empty(self) -> bool:
        return not self.traces


@tool
def trace_summaries(ctx: ToolContext, args: TraceSummariesInput) -> TraceSummaries:
    """Find X-Ray traces in a window matching a filter expression; returns the slowest first with their
    faults, HTTP status, URL, services and fault root causes.

    Args:
        filter_expression: the X-Ray filter expression, or none for all traces.
        start: window start.
        end: window end.
        limit: summaries returned.
    """
    found, more = _read_summaries(ctx, args.start, args.end, args.filter_expression, MAX_SUMMARIES_READ)
    briefs = []
    for s in found:
        http = s.get("Http", {})
        briefs.append(
            TraceBrief(
                id=s["Id"],
                duration_s=s.get("Duration"),
                response_time_s=s.get("ResponseTime"),
                fault=bool(s.get("HasFault")),
                error=bool(s.get("HasError")),
                throttle=bool(s.get("HasThrottle")),
                http_status=http.get("HttpStatus"),
                url=redact(http["HttpURL"])[:200] if http.get("HttpURL") else None,
                services=_services(s),
                fault_root_causes=[
                    f"{svc} ({path}) {exc}".strip() for svc, path, exc in _root_causes(s, "FaultRootCauses")
                ],
            )
        )
    briefs.sort(key=lambda b: b.response_time_s or 0.0, reverse=True)
    return TraceSummaries(
        traces=briefs[: args.limit],
        matched=len(found),
        has_more=more or len(briefs) > args.limit,
        total=len(found),
    )


class FaultsInput(_Window):
    """Arguments of trace_faults."""

    service: str | None = Field(default=None, description="only traces through this service (X-Ray name)")


class RootCause(BaseModel):
    service: str
    path: str
    exception: str
    traces: int


class Concentration(BaseModel):
    dimension: str  # instance, availability zone, revision
    value: str
    share_of_faults: float
    share_of_all: float


class TraceFaults(ToolOutput):
    traces: int
    faulted: int
    errored: int
    throttled: int
    root_causes: list[RootCause]
    concentrations: list[Concentration]

    def summary(self) -> str:
        if not self.traces:
            return "no traces in the window"
        head = (
            f"{self.faulted}/{self.traces} traces faulted, {self.errored} errored, {self.throttled} throttled"
        )
        rc = "; ".join(f"{r.service} ({r.path}) {r.exception} x{r.traces}" for r in self.root_causes[:5])
        conc = "; ".join(
            f"{c.dimension} {c.value}: {c.share_of_faults:.0%} of faults vs {c.share_of_all:.0%} of traffic"
            for c in self.concentrations[:3]
        )
        return (
            head + (f". Fault root causes: {rc}" if rc else "") + (f". Concentrated: {conc}" if conc else "")
        )

    def is_empty(self) -> bool:
        return self.traces == 0


def _dimension_values(summary: dict[str, Any]) -> dict[str, set[str]]:
    return {
        "instance": {i.get("Id", "") for i in summary.get("InstanceIds", [])},
        "availability zone": {a.get("Name", "") for a in summary.get("AvailabilityZones", [])},
        "revision": {str(summary["Revision"])} if summary.get("Revision") is not None else set(),
    }


@tool
def trace_faults(ctx: ToolContext, args: FaultsInput) -> TraceFaults:
    """Localise faults in X-Ray traces: how many traces faulted, errored or were throttled, the deepest
    faulting service and entity with its exception (root causes, most frequent first), and whether
    faults concentrate on one instance, availability zone or revision compared with all traffic.

    Args:
        service: only traces through this service.
        start: window start.
        end: window end.
    """
    expr = f'service("{args.service}")' if args.service else None
    found, more = _read_summaries(ctx, args.start, args.end, expr, MAX_SUMMARIES_READ)
    faulted = [s for s in found if s.get("HasFault")]
    causes: Counter[tuple[str, str, str]] = Counter()
    for s in faulted:
        for cause in set(_root_causes(s, "FaultRootCauses")):
            causes[cause] += 1
    concentrations: list[Concentration] = []
    if len(faulted) >= 5:
        for dim in ("instance", "availability zone", "revision"):
            all_counts: Counter[str] = Counter()
            fault_counts: Counter[str] = Counter()
            for s in found:
                for v in _dimension_values(s)[dim]:
                    all_counts[v] += 1
                    if s.get("HasFault"):
                        fault_counts[v] += 1
            if len(all_counts) < 2:
                continue
            if not fault_counts:
                continue
            # Every faulted trace passes the front end too: among the values present in the most
            # faulted traces, the one carrying the least of all traffic is the specific one.
            most = max(fault_counts.values())
            value = min((v for v, c in fault_counts.items() if c == most), key=lambda v: (all_counts[v], v))
            n = most
            share_f = n / len(faulted)
            share_a = all_counts[value] / len(found) if value else 0.0
            if share_f >= 0.8 and share_a <= 0.6:
                concentrations.append(
                    Concentration(
                        dimension=dim,
                        value=value,
                        share_of_faults=round(share_f, 3),
                        share_of_all=round(share_a, 3),
                    )
                )
    return TraceFaults(
        traces=len(found),
        faulted=len(faulted),
        errored=sum(1 for s in found if s.get("HasError")),
        throttled=sum(1 for s in found if s.get("HasThrottle")),
        root_causes=[
            RootCause(service=s, path=p, exception=e, traces=n) for (s, p, e), n in causes.most_common(10)
        ],
        concentrations=concentrations,
        has_more=more,
        total=len(found),
    )


class ServiceMapInput(_Window):
    """Arguments of service_map."""


class ServiceNode(BaseModel):
    name: str
    type: str
    requests: int
    faults: int
    errors: int
    throttles: int
    avg_response_s: float | None
    calls: list[str]

    def line(self) -> str:
        rate = self.faults / self.requests if self.requests else 0.0
        avg = f", avg {self.avg_response_s:.3f}s" if self.avg_response_s is not None else ""
        return f"{self.name} ({self.type}) {self.requests} req, {self.faults} faults ({rate:.1%}), {self.errors} errors, {self.throttles} throttles{avg}"


class ServiceMap(ToolOutput):
    services: list[ServiceNode]

    def summary(self) -> str:
        if not self.services:
            return "empty service map"
        edges = "; ".join(f"{s.name} -> {', '.join(s.calls)}" for s in self.services if s.calls)
        worst = sorted(
            self.services, key=lambda s: s.faults / s.requests if s.requests else 0.0, reverse=True
        )
        return "services by fault rate: " + "; ".join(s.line() for s in worst[:8]) + f". Calls: {edges}"

    def is_empty(self) -> bool:
        return not self.services


@tool
def service_map(ctx: ToolContext, args: ServiceMapInput) -> ServiceMap:
    """Read the X-Ray service map for a window: every service, database, AWS service and remote endpoint
    with its request, fault, error and throttle counts and average response time, and who calls whom.

    Args:
        start: window start.
        end: window end.
    """
    services: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = ctx.aws.call(
            "xray",
            "GetServiceGraph",
            StartTime=args.start,
            EndTime=args.end,
            **({"NextToken": token} if token else {}),
        )
        services += page.get("Services", [])
        token = page.get("NextToken")
        if not token:
            break
    by_ref = {s.get("ReferenceId"): s.get("Name", "?") for s in services}
    nodes = []
    for s in services:
        st = s.get("SummaryStatistics", {})
        total = int(st.get("TotalCount", 0))
        nodes.append(
            ServiceNode(
                name=s.get("Name", "?"),
                type=s.get("Type", "?"),
                requests=total,
                faults=int(st.get("FaultStatistics", {}).get("TotalCount", 0)),
                errors=int(st.get("ErrorStatistics", {}).get("TotalCount", 0)),
                throttles=int(st.get("ErrorStatistics", {}).get("ThrottleCount", 0)),
                avg_response_s=(st["TotalResponseTime"] / total)
                if total and st.get("TotalResponseTime") is not None
                else None,
                calls=[by_ref.get(e.get("ReferenceId"), "?") for e in s.get("Edges", [])],
            )
        )
    return ServiceMap(services=nodes, total=len(nodes))


class GetTracesInput(BaseModel):
    """Arguments of get_traces."""

    trace_ids: list[str] = Field(min_length=1, max_length=MAX_TRACES, description="up to 5 trace ids")


class SpanBrief(BaseModel):
    depth: int
    name: str
    origin: str | None
    duration_s: float | None
    fault: bool
    error: bool
    throttle: bool
    http_status: int | None
    exception: str | None


class TraceDetail(BaseModel):
    id: str
    spans: list[SpanBrief]


class Traces(ToolOutput):
    traces: list[TraceDetail]
    missing: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for t in self.traces:
            bad = [s for s in t.spans if s.fault or s.error or s.throttle]
            deepest = max(bad, key=lambda s: s.depth) if bad else None
            where = (
                f"; deepest failure {deepest.name}: {deepest.exception or deepest.http_status}"
                if deepest
                else ""
            )
            parts.append(f"{t.id}: {len(t.spans)} spans{where}")
        missing = f"; not found: {', '.join(self.missing)}" if self.missing else ""
        return "; ".join(parts) + missing

    def is_empty(self) -> bool:
        return not self.traces


def _span(doc: dict[str, Any], depth: int) -> SpanBrief:
    exc = None
    cause = doc.get("cause")
    for e in cause.get("exceptions", []) if isinstance(cause, dict) else []:
        exc = redact(f"{e.get('type', '')}: {e.get('message', '')}".strip(": "))[:200]
        break
    end, start = doc.get("end_time"), doc.get("start_time")
    return SpanBrief(
        depth=depth,
        name=str(doc.get("name", "?")),
        origin=doc.get("origin") or doc.get("namespace"),
        duration_s=(end - start) if isinstance(end, int | float) and isinstance(start, int | float) else None,
        fault=bool(doc.get("fault")),
        error=bool(doc.get("error")),
        throttle=bool(doc.get("throttle")),
        http_status=doc.get("http", {}).get("response", {}).get("status"),
        exception=exc,
    )


def _spans(documents: list[dict[str, Any]]) -> list[SpanBrief]:
    """Flatten a trace's segments, with depth counted across services (a segment sits under the
    subsegment that called it, through its parent_id)."""
    depth_of: dict[str, int] = {}

    def segment_depth(doc: dict[str, Any], seen: frozenset[str] = frozenset()) -> int:
        parent = doc.get("parent_id")
        if not parent or parent in seen:
            return 0
        if parent in depth_of:
            return depth_of[parent] + 1
        owner = next((d for d in documents if parent in _ids(d)), None)
        if owner is None:
            return 0
        _index(owner, segment_depth(owner, seen | {parent}), depth_of)
        return depth_of.get(parent, 0) + 1

    out: list[SpanBrief] = []
    for doc in sorted(documents, key=lambda d: d.get("start_time", 0)):
        base = segment_depth(doc)
        _index(doc, base, depth_of)
        stack = [(doc, base)]
        while stack:
            node, depth = stack.pop()
            out.append(_span(node, depth))
            stack.extend((sub, depth + 1) for sub in reversed(node.get("subsegments", [])))
    return out


def _ids(doc: dict[str, Any]) -> set[str]:
    found = {str(doc.get("id"))}
    for sub in doc.get("subsegments", []):
        found |= _ids(sub)
    return found


def _index(doc: dict[str, Any], depth: int, depth_of: dict[str, int]) -> None:
    depth_of[str(doc.get("id"))] = depth
    for sub in doc.get("subsegments", []):
        _index(sub, depth + 1, depth_of)


@tool
def get_traces(ctx: ToolContext, args: GetTracesInput) -> Traces:
    """Read up to five whole traces by id: every segment and subsegment with its duration, fault/error
    flags, HTTP status and exception, so the deepest failing call is visible.

    Args:
        trace_ids: the trace ids.
    """
    page = ctx.aws.call("xray", "BatchGetTraces", TraceIds=args.trace_ids)
    out = []
    for trace in page.get("Traces", []):
        documents = [json.loads(seg["Document"]) for seg in trace.get("Segments", [])]
        out.append(TraceDetail(id=trace.get("Id", "?"), spans=_spans(documents)))
    return Traces(traces=out, missing=list(page.get("UnprocessedTraceIds", [])))
