"""X-Ray traces assembled from a bundle's segment documents, with the per-trace facts queries need.

Everything here is computed once per bundle (see `trace_index`): GetTraceSummaries evaluates its
filter over the compact `Trace` records, and the service graph is folded from their `Call`s.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from evals.replay.context import ReplayContext

DOWNSTREAM = ("aws", "remote")

# Node types X-Ray gives the inferred nodes of AWS SDK calls, by the subsegment's name.
_AWS_TYPES = {
    "DynamoDB": "AWS::DynamoDB::Table",
    "S3": "AWS::S3::Bucket",
    "SQS": "AWS::SQS::Queue",
    "Lambda": "AWS::Lambda",
    "SNS": "AWS::SNS",
}


@dataclass(frozen=True, slots=True)
class NodeId:
    """A service-graph node: segments (or inferred calls) with one name, type and account."""

    name: str
    type: str | None = None
    account_id: str | None = None

    def service_id(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Names": [self.name]}
        if self.account_id:
            out["AccountId"] = self.account_id
        if self.type:
            out["Type"] = self.type
        return out


@dataclass(slots=True)
class Call:
    """One visit of a node: a segment, or a downstream subsegment that has no segment of its own."""

    node: NodeId
    caller: NodeId | None  # None: the client called it (an entry point)
    start: float
    end: float | None  # None while in progress at `now`
    fault: bool
    error: bool
    throttle: bool
    status: int | None
    url: str | None
    method: str | None
    useragent: str | None
    clientip: str | None
    inferred: bool

    @property
    def ok(self) -> bool:
        return self.end is not None and not (self.fault or self.error or self.throttle)

    @property
    def partial(self) -> bool:
        return self.end is None

    @property
    def responsetime(self) -> float | None:
        return None if self.end is None else _seconds(self.end - self.start)


@dataclass(slots=True)
class Cause:
    """A root cause: the deepest entity that faulted (or errored), and the service it belongs to."""

    service: NodeId
    inferred: bool
    path: list[dict[str, Any]]  # FaultRootCauseEntity shapes, service entity first
    client_impacting: bool

    @property
    def entity(self) -> dict[str, Any]:
        return self.path[-1]


@dataclass(slots=True)
class Trace:
    """One trace's documents and the facts that summaries, filters and graphs read."""

    id: str
    epoch: int  # the trace id's embedded start time
    segments: list[dict[str, Any]]  # visible segment documents, independent subsegments merged in
    inferred: list[dict[str, Any]]  # segments X-Ray infers for downstream calls
    root: dict[str, Any]
    root_node: NodeId
    start: float
    updated: float
    duration: float | None
    response_time: float | None
    fault: bool
    error: bool
    throttle: bool
    partial: bool
    http: dict[str, Any]
    calls: list[Call]
    nodes: list[NodeId]
    users: dict[str, list[NodeId]]
    annotations: dict[str, list[tuple[Any, list[NodeId]]]]
    fault_causes: list[Cause]
    error_causes: list[Cause]
    resource_arns: list[str]
    instance_ids: list[str]
    zones: list[str]
    revision: int
    segment_ends: list[float]  # end times of completed segments, ascending


@dataclass(slots=True)
class TraceIndex:
    traces: list[Trace]  # ordered by (epoch, id)
    by_id: dict[str, Trace]
    epochs: list[int]

    def by_epoch(self, start: float, end: float) -> list[Trace]:
        """Traces whose id's time lies in [start, end]."""
        lo = bisect.bisect_left(self.epochs, start)
        hi = bisect.bisect_right(self.epochs, end)
        return self.traces[lo:hi]


def trace_index(ctx: ReplayContext) -> TraceIndex:
    """The bundle's traces as X-Ray holds them at `ctx.now` (built once per bundle)."""

    def build() -> TraceIndex:
        now = ctx.now.timestamp()
        grouped: dict[str, list[dict[str, Any]]] = {}
        for doc in ctx.records("traces"):
            grouped.setdefault(doc["trace_id"], []).append(doc)
        traces = []
        # Hundreds of thousands of small objects: generational GC passes would dominate the build.
        paused = gc.isenabled()
        gc.disable()
        try:
            for trace_id, docs in grouped.items():
                trace = _assemble(trace_id, docs, now)
                if trace is not None:
                    traces.append(trace)
        finally:
            if paused:
                gc.enable()
        traces.sort(key=lambda t: (t.epoch, t.id))
        return TraceIndex(traces, {t.id: t for t in traces}, [t.epoch for t in traces])

    return ctx.cached("xray:index", build)


# --- assembling one trace ------------------------------------------------------------------------


def _seconds(value: float) -> float:
    """A time difference to the microsecond: epoch floats carry noise below that."""
    return round(float(value), 6)


def _clip(entity: dict[str, Any], now: float) -> dict[str, Any] | None:
    """A copy of the entity as seen at `now`: unborn parts dropped, unfinished parts in progress."""
    if entity["start_time"] > now:
        return None
    out = dict(entity)
    end = out.get("end_time")
    if end is None or end > now or out.get("in_progress"):
        # The response is not known before the entity ends.
        for key in ("end_time", "fault", "error", "throttle", "cause"):
            out.pop(key, None)
        if isinstance(out.get("http"), dict):
            out["http"] = {k: v for k, v in out["http"].items() if k != "response"}
        out["in_progress"] = True
    subs = out.get("subsegments")
    if subs:
        kept = [c for c in (_clip(s, now) for s in subs) if c is not None]
        if kept:
            out["subsegments"] = kept
        else:
            out.pop("subsegments")
    return out


def _walk(entity: dict[str, Any]) -> list[dict[str, Any]]:
    """The entity and all its subsegments, breadth first."""
    out = [entity]
    i = 0
    while i < len(out):
        subs = out[i].get("subsegments")
        if subs:
            out.extend(subs)
        i += 1
    return out


def _status(entity: dict[str, Any]) -> int | None:
    http = entity.get("http")
    if isinstance(http, dict) and isinstance(http.get("response"), dict):
        status = http["response"].get("status")
        if isinstance(status, int):
            return status
    return None


def _flags(entity: dict[str, Any]) -> tuple[bool, bool, bool]:
    """(fault, error, throttle): the SDK's flags, or what the HTTP status says. A throttle is an error."""
    status = _status(entity)
    fault = bool(entity.get("fault")) or (status is not None and 500 <= status <= 599)
    throttle = bool(entity.get("throttle")) or status == 429
    error = bool(entity.get("error")) or throttle or (status is not None and 400 <= status <= 499)
    return fault, error, throttle


def _request(entity: dict[str, Any]) -> dict[str, Any]:
    http = entity.get("http")
    if isinstance(http, dict) and isinstance(http.get("request"), dict):
        return http["request"]
    return {}


def _aws(entity: dict[str, Any]) -> dict[str, Any]:
    aws = entity.get("aws")
    return aws if isinstance(aws, dict) else {}


def _segment_node(segment: dict[str, Any]) -> NodeId:
    aws = _aws(segment)
    return NodeId(segment["name"], segment.get("origin"), aws.get("account_id"))


def _inferred_node(sub: dict[str, Any]) -> NodeId:
    if sub.get("namespace") == "aws":
        aws = _aws(sub)
        kind = _AWS_TYPES.get(sub["name"], f"AWS::{sub['name']}")
        if aws.get("table_name"):
            kind = "AWS::DynamoDB::Table"
        return NodeId(sub["name"], kind)
    return NodeId(sub["name"], "Database::SQL" if sub.get("sql") else "remote")


def _call(
    node: NodeId,
    caller: NodeId | None,
    entity: dict[str, Any],
    flags: tuple[bool, bool, bool],
    inferred: bool,
) -> Call:
    fault, error, throttle = flags
    req = _request(entity)
    return Call(
        node=node,
        caller=caller,
        start=float(entity["start_time"]),
        end=None if entity.get("in_progress") else float(entity["end_time"]),
        fault=fault,
        error=error,
        throttle=throttle,
        status=_status(entity),
        url=req.get("url"),
        method=req.get("method"),
        useragent=req.get("user_agent"),
        clientip=req.get("client_ip"),
        inferred=inferred,
    )


def _dedupe(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One document per id: a completed one replaces an in-progress fragment, else the last wins."""
    chosen: dict[str, dict[str, Any]] = {}
    for doc in docs:
        old = chosen.get(doc["id"])
        if old is None or old.get("in_progress") or not doc.get("in_progress"):
            chosen[doc["id"]] = doc
    return list(chosen.values())


def _assemble(trace_id: str, raw: list[dict[str, Any]], now: float) -> Trace | None:
    seen = [c for c in (_clip(d, now) for d in raw) if c is not None]
    docs = _dedupe(seen)
    if not docs:
        return None
    # Independent subsegments join the entity they were recorded under, as in BatchGetTraces.
    entities: dict[str, dict[str, Any]] = {}
    for doc in docs:
        for ent in _walk(doc):
            entities.setdefault(ent["id"], ent)
    segments = []
    for doc in sorted(docs, key=lambda d: d["start_time"]):
        if doc.get("type") == "subsegment":
            parent = entities.get(doc.get("parent_id", ""))
            if parent is not None and parent is not doc:
                for key in ("type", "trace_id", "parent_id"):
                    doc.pop(key, None)  # our own copy (see _clip); attached as is, so its children follow
                parent.setdefault("subsegments", []).append(doc)
            continue
        segments.append(doc)
    if not segments:
        return None

    owner: dict[str, NodeId] = {}  # entity id -> node of the segment that holds it
    flags: dict[int, tuple[bool, bool, bool]] = {}  # by id() of the entity: computed once
    seg_nodes: dict[int, NodeId] = {}
    flat: dict[int, list[dict[str, Any]]] = {}
    for seg in segments:
        node = seg_nodes[id(seg)] = _segment_node(seg)
        flat[id(seg)] = _walk(seg)
        for ent in flat[id(seg)]:
            owner[ent["id"]] = node
            flags[id(ent)] = _flags(ent)
    called = {seg.get("parent_id") for seg in segments if seg.get("parent_id") in owner}
    roots = [s for s in segments if s.get("parent_id") not in owner]
    root = min(roots or segments, key=lambda s: s["start_time"])
    root_node = seg_nodes[id(root)]

    calls: list[Call] = []
    inferred_docs: list[dict[str, Any]] = []
    inferred_nodes: dict[str, NodeId] = {}  # downstream subsegment id -> its inferred node
    for seg in segments:
        node = seg_nodes[id(seg)]
        caller = owner.get(seg.get("parent_id", ""))
        calls.append(_call(node, caller, seg, flags[id(seg)], inferred=False))
        for ent in flat[id(seg)]:
            if ent is seg or ent.get("namespace") not in DOWNSTREAM or ent["id"] in called:
                continue
            target = _inferred_node(ent)
            inferred_nodes[ent["id"]] = target
            calls.append(_call(target, node, ent, flags[id(ent)], inferred=True))
            inferred_docs.append(_inferred_document(trace_id, ent, target))

    nodes: list[NodeId] = []
    for c in sorted(calls, key=lambda c: (c.caller is not None, c.start)):
        if c.node not in nodes:
            nodes.append(c.node)

    users: dict[str, list[NodeId]] = {}
    annotations: dict[str, list[tuple[Any, list[NodeId]]]] = {}
    arns: list[str] = []
    instances: list[str] = []
    zones: list[str] = []
    ends: list[float] = []
    for seg in segments:
        node = seg_nodes[id(seg)]
        if isinstance(seg.get("user"), str):
            _add_service(users.setdefault(seg["user"], []), node)
        if isinstance(seg.get("resource_arn"), str):
            _add(arns, seg["resource_arn"])
        ec2 = _aws(seg).get("ec2")
        if isinstance(ec2, dict):
            if isinstance(ec2.get("instance_id"), str):
                _add(instances, ec2["instance_id"])
            if isinstance(ec2.get("availability_zone"), str):
                _add(zones, ec2["availability_zone"])
        for ent in flat[id(seg)]:
            if ent.get("end_time") is not None:
                ends.append(float(ent["end_time"]))
            for key, value in (ent.get("annotations") or {}).items():
                values = annotations.setdefault(key, [])
                for known, services in values:
                    if known == value and type(known) is type(value):
                        _add_service(services, node)
                        break
                else:
                    values.append((value, [node]))

    start = min(float(s["start_time"]) for s in segments)
    completed = [float(s["end_time"]) for s in segments if not s.get("in_progress")]
    root_fault, root_error, _ = flags[id(root)]
    any_throttle = any(c.throttle for c in calls)
    req = _request(root)
    http: dict[str, Any] = {}
    for key, field_ in (
        ("HttpURL", "url"),
        ("HttpMethod", "method"),
        ("UserAgent", "user_agent"),
        ("ClientIp", "client_ip"),
    ):
        if isinstance(req.get(field_), str):
            http[key] = req[field_]
    if _status(root) is not None:
        http["HttpStatus"] = _status(root)

    tree = _Tree(segments, owner, inferred_nodes, flags)
    return Trace(
        id=trace_id,
        epoch=int(trace_id.split("-")[1], 16),
        segments=segments,
        inferred=inferred_docs,
        root=root,
        root_node=root_node,
        start=start,
        updated=max([*ends, *(float(d["start_time"]) for d in docs)]),
        duration=_seconds(max(completed) - float(root["start_time"])) if completed else None,
        response_time=None if root.get("in_progress") else _seconds(root["end_time"] - root["start_time"]),
        fault=root_fault,
        error=root_error,
        throttle=any_throttle,
        partial=any(ent.get("in_progress") for ents in flat.values() for ent in ents),
        http=http,
        calls=calls,
        nodes=nodes,
        users=users,
        annotations=annotations,
        fault_causes=tree.causes(root, "fault", root_fault),
        error_causes=tree.causes(root, "error", root_error),
        resource_arns=arns,
        instance_ids=instances,
        zones=zones,
        revision=len(seen),  # every document received so far updates the trace
        segment_ends=sorted(completed),
    )


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _add_service(items: list[NodeId], node: NodeId) -> None:
    if node not in items:
        items.append(node)


def _inferred_document(trace_id: str, sub: dict[str, Any], node: NodeId) -> dict[str, Any]:
    """The segment X-Ray infers for a downstream call that has no segment of its own."""
    seg_id = hashlib.sha1(f"{trace_id}/{sub['id']}".encode()).hexdigest()[:16]
    doc: dict[str, Any] = {"id": seg_id, "name": node.name, "start_time": sub["start_time"]}
    if sub.get("in_progress"):
        doc["in_progress"] = True
    else:
        doc["end_time"] = sub["end_time"]
    doc.update({"parent_id": sub["id"], "inferred": True})
    for key in ("http", "aws", "sql", "error", "fault", "throttle", "cause"):
        if key in sub:
            doc[key] = sub[key]
    doc["trace_id"] = trace_id
    if node.type:
        doc["origin"] = node.type
    return doc


# --- root causes ---------------------------------------------------------------------------------


class _Tree:
    """Entities of a trace as one call tree: a downstream subsegment's children include the segment
    of the service it called."""

    def __init__(
        self,
        segments: list[dict[str, Any]],
        owner: dict[str, NodeId],
        inferred: dict[str, NodeId],
        flags: dict[int, tuple[bool, bool, bool]],
    ) -> None:
        self.owner = owner
        self.flags = flags
        self.inferred = inferred
        self.segment_ids = {seg["id"] for seg in segments}
        self.called: dict[str, list[dict[str, Any]]] = {}
        for seg in segments:
            if seg.get("parent_id") in owner:
                self.called.setdefault(seg["parent_id"], []).append(seg)

    def children(self, entity: dict[str, Any]) -> list[dict[str, Any]]:
        return [*(entity.get("subsegments") or ()), *self.called.get(entity["id"], ())]

    def causes(self, root: dict[str, Any], kind: str, client_impacting: bool) -> list[Cause]:
        index = 0 if kind == "fault" else 1
        found: list[Cause] = []
        if not any(f[index] for f in self.flags.values()):
            return found
        seen: set[tuple[NodeId, tuple[str, ...]]] = set()

        def visit(entity: dict[str, Any], path: list[dict[str, Any]]) -> bool:
            path = [entity] if entity["id"] in self.segment_ids else [*path, entity]
            flagged = self.flags[id(entity)][index]
            below = False
            for child in self.children(entity):
                below = visit(child, path) or below
            if flagged and not below:
                cause = self._cause(path, client_impacting)
                key = (cause.service, tuple(e["Name"] for e in cause.path))
                if key not in seen:
                    seen.add(key)
                    found.append(cause)
            return flagged or below

        visit(root, [])
        return found

    def _cause(self, path: list[dict[str, Any]], client_impacting: bool) -> Cause:
        last = path[-1]
        if last["id"] in self.inferred:
            return Cause(self.inferred[last["id"]], True, [_entity(last, remote=True)], client_impacting)
        shapes = [
            _entity(e, remote=e.get("namespace") in DOWNSTREAM if i else None) for i, e in enumerate(path)
        ]
        return Cause(self.owner[path[0]["id"]], False, shapes, client_impacting)


def _entity(entity: dict[str, Any], remote: bool | None) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": entity["name"]}
    cause = entity.get("cause")
    if isinstance(cause, dict):
        exceptions = []
        for exc in cause.get("exceptions") or ():
            if isinstance(exc, dict):
                item = {}
                if isinstance(exc.get("type"), str):
                    item["Name"] = exc["type"]
                if isinstance(exc.get("message"), str):
                    item["Message"] = exc["message"]
                exceptions.append(item)
                if exc.get("remote"):
                    remote = True
        if exceptions:
            out["Exceptions"] = exceptions
    if remote is not None:
        out["Remote"] = remote
    return out


# --- API shapes ----------------------------------------------------------------------------------


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _annotation_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, int | float):
        return {"NumberValue": float(value)}
    return {"StringValue": str(value)}


def _causes(causes: list[Cause]) -> list[dict[str, Any]]:
    out = []
    for cause in causes:
        service = {**cause.service.service_id(), "EntityPath": cause.path, "Inferred": cause.inferred}
        out.append({"Services": [service], "ClientImpacting": cause.client_impacting})
    return out


def summary(trace: Trace, matched: float | None = None) -> dict[str, Any]:
    """The TraceSummary of a trace, as GetTraceSummaries returns it (botocore-parsed values)."""
    out: dict[str, Any] = {"Id": trace.id, "StartTime": _when(trace.start)}
    if trace.duration is not None:
        out["Duration"] = round(trace.duration, 6)
    if trace.response_time is not None:
        out["ResponseTime"] = round(trace.response_time, 6)
    out.update(
        HasFault=trace.fault,
        HasError=trace.error,
        HasThrottle=trace.throttle,
        IsPartial=trace.partial,
        Http=dict(trace.http),
        Annotations={
            key: [
                {"AnnotationValue": _annotation_value(v), "ServiceIds": [n.service_id() for n in nodes]}
                for v, nodes in values
            ]
            for key, values in trace.annotations.items()
        },
        Users=[
            {"UserName": user, "ServiceIds": [n.service_id() for n in nodes]}
            for user, nodes in trace.users.items()
        ],
        ServiceIds=[n.service_id() for n in trace.nodes],
        ResourceARNs=[{"ARN": arn} for arn in trace.resource_arns],
        InstanceIds=[{"Id": i} for i in trace.instance_ids],
        AvailabilityZones=[{"Name": z} for z in trace.zones],
        EntryPoint=trace.root_node.service_id(),
        FaultRootCauses=_causes(trace.fault_causes),
        ErrorRootCauses=_causes(trace.error_causes),
        Revision=trace.revision,
    )
    if matched is not None:
        out["MatchedEventTime"] = _when(matched)
    return out


class _Tally:
    """Statistics of the calls to one node or over one edge, accumulated in a single pass."""

    __slots__ = ("ends", "errors", "faults", "histogram", "oks", "starts", "throttles", "time", "total")

    def __init__(self) -> None:
        self.oks = self.errors = self.throttles = self.faults = self.total = 0
        self.time = 0.0
        self.starts: float | None = None
        self.ends: float | None = None
        self.histogram: dict[float, int] = {}

    def add(self, c: Call) -> None:
        if self.starts is None or c.start < self.starts:
            self.starts = c.start
        if c.end is None:
            return  # in progress: no response to count yet
        if self.ends is None or c.end > self.ends:
            self.ends = c.end
        rt = _seconds(c.end - c.start)
        self.total += 1
        self.time += rt
        self.histogram[rt] = self.histogram.get(rt, 0) + 1
        if c.fault:
            self.faults += 1
        if c.error:
            self.errors += 1
        if c.throttle:
            self.throttles += 1
        if not (c.fault or c.error or c.throttle):
            self.oks += 1

    def span(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.starts is not None:
            out["StartTime"] = _when(self.starts)
        if self.ends is not None:
            out["EndTime"] = _when(self.ends)
        return out

    def statistics(self) -> dict[str, Any]:
        return {
            "OkCount": self.oks,
            "ErrorStatistics": {
                "ThrottleCount": self.throttles,
                "OtherCount": self.errors - self.throttles,
                "TotalCount": self.errors,
            },
            "FaultStatistics": {"OtherCount": self.faults, "TotalCount": self.faults},
            "TotalCount": self.total,
            "TotalResponseTime": round(self.time, 6),
        }

    def histogram_shape(self) -> list[dict[str, Any]]:
        return [{"Value": v, "Count": n} for v, n in sorted(self.histogram.items())]


CLIENT = NodeId("client", "client")


def service_graph(calls: list[Call]) -> list[dict[str, Any]]:
    """The `Services` of a service graph folded from calls: one node per service, one edge per caller
    and callee, statistics from the callee's side, and a client node for the entry points."""
    by_node: dict[NodeId, _Tally] = {}
    by_edge: dict[tuple[NodeId, NodeId], _Tally] = {}
    roots: set[NodeId] = set()
    inferred: set[NodeId] = set()
    for c in calls:
        tally = by_node.get(c.node)
        if tally is None:
            tally = by_node[c.node] = _Tally()
        tally.add(c)
        key = (c.caller or CLIENT, c.node)
        tally = by_edge.get(key)
        if tally is None:
            tally = by_edge[key] = _Tally()
        tally.add(c)
        if c.caller is None:
            roots.add(c.node)
        if c.inferred:
            inferred.add(c.node)
    if not by_node:
        return []
    order = sorted(by_node, key=lambda n: (n.name, n.type or "", n.account_id or ""))
    if roots:
        order.insert(0, CLIENT)
    ref = {node: i for i, node in enumerate(order)}
    edges_of: dict[NodeId, list[dict[str, Any]]] = {}
    for (src, dst), tally in sorted(by_edge.items(), key=lambda kv: ref[kv[0][1]]):
        edges_of.setdefault(src, []).append(
            {
                "ReferenceId": ref[dst],
                **tally.span(),
                "SummaryStatistics": tally.statistics(),
                "ResponseTimeHistogram": tally.histogram_shape(),
                "Aliases": [],
            }
        )
    services = []
    for node in order:
        edges = edges_of.get(node, [])
        if node == CLIENT:
            services.append(
                {
                    "ReferenceId": ref[node],
                    "Name": node.name,
                    "Names": [node.name],
                    "Type": "client",
                    "State": "unknown",
                    "Edges": edges,
                }
            )
            continue
        tally = by_node[node]
        entry: dict[str, Any] = {"ReferenceId": ref[node], **node.service_id(), "Root": node in roots}
        entry.update(
            State="unknown" if node in inferred else "active",
            **tally.span(),
            Edges=edges,
            SummaryStatistics=tally.statistics(),
            DurationHistogram=tally.histogram_shape(),
            ResponseTimeHistogram=tally.histogram_shape(),
        )
        services.append(entry)
    return services
