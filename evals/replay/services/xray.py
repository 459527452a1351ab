"""X-Ray: trace summaries with filter expressions, full traces, and service and trace graphs."""

from __future__ import annotations

import bisect
import hashlib
import json
import math
from datetime import timedelta
from typing import Any

from evals.bundle.shapes import to_datetime
from evals.replay.context import ReplayContext
from evals.replay.engines.xray_filter import FilterError, FilterUnsupported, compile_filter
from evals.replay.engines.xray_index import Call, Trace, service_graph, summary, trace_index
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

INVALID = "InvalidRequestException"
SUMMARY_PAGE = 100  # traces per GetTraceSummaries page
MAX_TRACE_IDS = 5  # BatchGetTraces takes at most five ids
MAX_SUMMARY_WINDOW = timedelta(hours=24)


def _window(params: dict[str, Any], limit: timedelta | None) -> tuple[float, float]:
    start, end = to_datetime(params["StartTime"]), to_datetime(params["EndTime"])
    if start > end:
        raise AwsError(INVALID, "StartTime must be before EndTime.")
    if limit is not None and end - start > limit:
        hours = int(limit.total_seconds() // 3600)
        raise AwsError(INVALID, f"The time range between StartTime and EndTime cannot exceed {hours} hours.")
    return start.timestamp(), end.timestamp()


def _in_time_range(
    ctx: ReplayContext, kind: str, start: float, end: float
) -> list[tuple[Trace, float | None]]:
    """Traces in the window, and the time that matched for Event and Service ranges."""
    index = trace_index(ctx)
    if kind == "TraceId":
        return [(t, None) for t in index.by_epoch(start, end)]
    out: list[tuple[Trace, float | None]] = []
    for trace in index.traces:
        if kind == "Event":
            if start <= trace.updated <= end:
                out.append((trace, trace.updated))
        else:
            lo = bisect.bisect_left(trace.segment_ends, start)
            if lo < len(trace.segment_ends) and trace.segment_ends[lo] <= end:
                out.append((trace, trace.segment_ends[lo]))
    return out


def _sampled(trace_id: str, rate: float) -> bool:
    """A deterministic coin: the same trace is always in or out of a FixedRate sample."""
    digest = hashlib.sha256(trace_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def _sample(params: dict[str, Any], scanned: list[tuple[Trace, float | None]]) -> tuple[list[Any], bool]:
    """Apply Sampling: (traces still to filter, whether FixedRate thinning applies)."""
    if not params.get("Sampling"):
        return scanned, False
    strategy = params.get("SamplingStrategy")
    if not strategy or "Name" not in strategy or "Value" not in strategy:
        raise ReplayUnsupported(
            "xray", "GetTraceSummaries", "Sampling without a SamplingStrategy Name and Value"
        )
    value = float(strategy["Value"])
    if not 0 <= value <= 1:
        raise AwsError(INVALID, "SamplingStrategy Value must be between 0 and 1.")
    if strategy["Name"] == "PartialScan":
        # Scan the most recent share of the window, as the console scans backwards from EndTime.
        keep = math.ceil(len(scanned) * value)
        return (scanned[len(scanned) - keep :] if keep else []), False
    return scanned, True


def _matches(ctx: ReplayContext, params: dict[str, Any]) -> tuple[list[tuple[Trace, float | None]], int]:
    """(matching traces with their matched time, traces scanned) for one query, whatever its page."""
    start, end = _window(params, MAX_SUMMARY_WINDOW)
    match = None
    if (params.get("FilterExpression") or "").strip():  # an empty expression filters nothing
        try:
            match = compile_filter(params["FilterExpression"])
        except FilterError as exc:
            raise AwsError(INVALID, str(exc)) from exc
        except FilterUnsupported as exc:
            raise ReplayUnsupported("xray", "GetTraceSummaries", str(exc)) from exc
    kind = params.get("TimeRangeType", "TraceId")
    scanned, fixed_rate = _sample(params, _in_time_range(ctx, kind, start, end))
    rate = float(params["SamplingStrategy"]["Value"]) if fixed_rate else 1.0
    hits = [
        (t, at if kind != "TraceId" else None)
        for t, at in scanned
        if (match is None or match(t)) and (not fixed_rate or _sampled(t.id, rate))
    ]
    return hits, len(scanned)


@operation("xray", "GetTraceSummaries")
def get_trace_summaries(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    request = {k: v for k, v in params.items() if k != "NextToken"}
    # The bundle does not change, so later pages of a query reuse its matches instead of rescanning.
    key = json.dumps(request, sort_keys=True, default=str)
    hits, scanned = ctx.cached(f"xray:summaries:{key}", lambda: _matches(ctx, params))
    page, token = ctx.page(hits, params.get("NextToken"), SUMMARY_PAGE, request=request, error_code=INVALID)
    end = to_datetime(params["EndTime"]).timestamp()
    out: dict[str, Any] = {
        "TraceSummaries": [summary(t, at) for t, at in page],
        "ApproximateTime": to_datetime(min(end, ctx.now.timestamp())),
        "TracesProcessedCount": scanned,
    }
    if token:
        out["NextToken"] = token
    return out


def _trace_ids(params: dict[str, Any]) -> list[str]:
    ids = list(dict.fromkeys(params["TraceIds"]))
    if len(params["TraceIds"]) > MAX_TRACE_IDS:
        raise AwsError(INVALID, f"TraceIds can contain at most {MAX_TRACE_IDS} trace ids.")
    return ids


def _document(doc: dict[str, Any]) -> dict[str, Any]:
    return {"Id": doc["id"], "Document": json.dumps(doc, separators=(",", ":"))}


@operation("xray", "BatchGetTraces")
def batch_get_traces(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    index = trace_index(ctx)
    ids = _trace_ids(params)
    found = [index.by_id[i] for i in ids if i in index.by_id]
    request = {"TraceIds": params["TraceIds"]}
    page, token = ctx.page(found, params.get("NextToken"), MAX_TRACE_IDS, request=request, error_code=INVALID)
    traces = []
    for trace in page:
        item: dict[str, Any] = {
            "Id": trace.id,
            "Segments": [_document(d) for d in [*trace.segments, *trace.inferred]],
            "LimitExceeded": False,
        }
        if trace.duration is not None:
            item["Duration"] = round(trace.duration, 6)
        traces.append(item)
    out: dict[str, Any] = {"Traces": traces, "UnprocessedTraceIds": [i for i in ids if i not in index.by_id]}
    if token:
        out["NextToken"] = token
    return out


def _default_group(ctx: ReplayContext, params: dict[str, Any]) -> None:
    """Replay holds only the default group, which has no filter expression."""
    name, arn = params.get("GroupName"), params.get("GroupARN")
    if name is not None and name != "Default":
        raise AwsError(INVALID, f"Group {name} not found.")
    if arn is not None and not arn.startswith(f"arn:aws:xray:{ctx.region}:{ctx.account_id}:group/Default"):
        raise AwsError(INVALID, f"Group {arn} not found.")


def _calls_by_start(ctx: ReplayContext) -> tuple[list[Call], list[float]]:
    def build() -> tuple[list[Call], list[float]]:
        calls = sorted((c for t in trace_index(ctx).traces for c in t.calls), key=lambda c: c.start)
        return calls, [c.start for c in calls]

    return ctx.cached("xray:calls-by-start", build)


@operation("xray", "GetServiceGraph")
def get_service_graph(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    start, end = _window(params, None)
    _default_group(ctx, params)
    calls, starts = _calls_by_start(ctx)
    window = calls[bisect.bisect_left(starts, start) : bisect.bisect_right(starts, end)]
    request = {k: v for k, v in params.items() if k != "NextToken"}
    services, token = ctx.page(
        service_graph(window), params.get("NextToken"), 10_000, request=request, error_code=INVALID
    )
    out: dict[str, Any] = {
        "StartTime": to_datetime(start),
        "EndTime": to_datetime(end),
        "Services": services,
        "ContainsOldGroupVersions": False,
    }
    if token:
        out["NextToken"] = token
    return out


@operation("xray", "GetTraceGraph")
def get_trace_graph(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    index = trace_index(ctx)
    ids = list(dict.fromkeys(params["TraceIds"]))
    calls = [c for i in ids if i in index.by_id for c in index.by_id[i].calls]
    request = {"TraceIds": params["TraceIds"]}
    services, token = ctx.page(
        service_graph(calls), params.get("NextToken"), 10_000, request=request, error_code=INVALID
    )
    out: dict[str, Any] = {"Services": services}
    if token:
        out["NextToken"] = token
    return out
