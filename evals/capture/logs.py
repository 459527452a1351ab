"""Log events of the discovered log groups, newest kept when a cap cuts.

The total cap is shared fairly: each group may take what is left divided by the groups still to read,
so a quiet group leaves its share to the busy ones. What is kept of a group over its share is its
newest events.
"""

from __future__ import annotations

import heapq
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from evals.capture.inventory import Inventory
from evals.capture.reader import Reader
from tools.logs import EXPECTED_GROUPS
from tools.redact import redact

SOURCE = "logs"
MAX_GROUPS_LISTED = 1000
MAX_GROUPS = 50
MAX_EVENTS = 200_000
PAGE = 10_000  # FilterLogEvents' largest page
FORWARD = 5  # a group with up to 5x its share of events is read forward once, cheapest then
MIN_NAME = 3  # shorter names match too many groups by substring


def choose_groups(reader: Reader, inv: Inventory, explicit: list[str]) -> list[dict[str, Any]]:
    """LogGroup items of the groups named, the groups AWS writes for discovered resources, and groups
    whose name contains a discovered resource's name or id."""
    listed, more = reader.pages(
        SOURCE,
        "logs",
        "DescribeLogGroups",
        "logGroups",
        max_items=MAX_GROUPS_LISTED,
        in_token="nextToken",
        out_token="nextToken",
    )
    if more:
        reader.report.cut(SOURCE, "log groups listed; later groups were not considered", len(listed))
    by_name = {g["logGroupName"]: g for g in listed}
    wanted = list(explicit)
    kinds = {"rds_instance", "rds_cluster", "lambda"}
    for kind, rid, _ in sorted(inv.metric_refs, key=lambda r: (r[0], r[1], r[2] or "")):
        if kind in kinds:
            wanted += [p.format(id=rid) for p in EXPECTED_GROUPS[kind]]
    needles = sorted(n.lower() for n in inv.names if len(n) >= MIN_NAME)
    wanted += [name for name in sorted(by_name) if any(n in name.lower() for n in needles)]
    chosen = [by_name[n] for n in dict.fromkeys(wanted) if n in by_name]
    for name in explicit:
        if name not in by_name:
            reader.report.gap(SOURCE, "logs:DescribeLogGroups", "NotFound", "no such log group", name)
    if len(chosen) > MAX_GROUPS:
        reader.report.cut(SOURCE, "log groups matched; the rest were not read", MAX_GROUPS, len(chosen))
        chosen = chosen[:MAX_GROUPS]
    return chosen


@dataclass
class _Read:
    """One FilterLogEvents listing: the newest events kept, and what was seen."""

    kept: list[dict[str, Any]]  # oldest first
    complete: bool
    count: int
    first_ms: int
    last_ms: int


def _read(reader: Reader, group: str, lo: int, hi: int, keep: int, ceiling: int, page_size: int) -> _Read:
    """List [lo, hi] ms (both ends included, as FilterLogEvents has it), keeping the newest `keep`
    events in a bounded heap (pages interleave streams, so arrival order is not time order); stop
    once more than `ceiling` events were seen."""
    heap: list[tuple[int, int, dict[str, Any]]] = []
    count, first, last = 0, sys.maxsize, -1
    token: str | None = None
    complete = False
    while True:
        page = reader.call(
            SOURCE,
            "logs",
            "FilterLogEvents",
            group,
            logGroupName=group,
            startTime=lo,
            endTime=hi,
            limit=page_size,
            **({"nextToken": token} if token else {}),
        )
        if page is None:
            complete = True  # the gap is in the report; what was read stays
            break
        for event in page.get("events", []):
            ts = int(event["timestamp"])
            first, last = min(first, ts), max(last, ts)
            entry = (ts, count, event)  # the count keeps a stream's order among equal timestamps
            count += 1
            if len(heap) < keep:
                heapq.heappush(heap, entry)
            elif keep and entry[:2] > heap[0][:2]:
                heapq.heapreplace(heap, entry)
        token = page.get("nextToken")
        if not token:
            complete = True
            break
        if count > ceiling:
            break
    kept = [e for _, _, e in sorted(heap, key=lambda x: x[:2])]
    return _Read(kept, complete, count, first, last)


def _newest(
    reader: Reader, group: str, lo: int, hi: int, allowance: int, rate: float, page_size: int
) -> list[dict[str, Any]]:
    """The newest `allowance` events of [lo, hi], read in slices from the end backwards.

    Slices start at the width that should hold a quarter of the allowance at the rate seen, widen
    over quiet stretches, and narrow on a burst (a slice holding too many events is dropped and read
    again narrower), so the cost follows the allowance, not the volume of the group.
    """
    span = max(1, int(allowance / 4 / max(rate, 1e-9)))
    kept: list[list[dict[str, Any]]] = []
    left = allowance
    top = hi
    while top >= lo and left > 0 and not reader.exhausted:
        bottom = max(lo, top - span + 1)
        # A one-millisecond slice cannot be split: it is read whole, however many events it holds.
        ceiling = 2 * left + page_size if top > bottom else sys.maxsize
        got = _read(reader, group, bottom, top, left, ceiling, page_size)
        if not got.complete:
            span = max(1, (top - bottom + 1) // 8)
            continue
        kept.append(got.kept)
        left -= len(got.kept)
        top = bottom - 1
        if got.count < left // 8:
            span *= 4  # quiet here: look further back per read
    return [e for part in reversed(kept) for e in part]


def capture_group(
    reader: Reader, group: str, start: datetime, end: datetime, allowance: int, page_size: int = PAGE
) -> list[dict[str, Any]]:
    """Log events of one group in [start, end], the newest `allowance` kept; as bundle log records.

    The group is read forward while that is cheap (up to FORWARD times the allowance); a busier group
    is read backwards from the end instead, at the rate the forward read saw.
    """
    lo, hi = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    got = _read(reader, group, lo, hi, allowance, FORWARD * allowance, page_size)
    events: list[dict[str, Any]] = got.kept
    seen: int | None = got.count
    if not got.complete:
        rate = got.count / max(got.last_ms - got.first_ms + 1, 1)
        events, seen = _newest(reader, group, lo, hi, allowance, rate, page_size), None
    if seen is None or seen > allowance:
        first = datetime.fromtimestamp(events[0]["timestamp"] / 1000, UTC) if events else end
        reader.report.cut(
            SOURCE,
            f"{group}: more than {allowance} events in the window; kept the newest, from {first:%Y-%m-%dT%H:%M:%SZ}",
            len(events),
            seen,
        )
    return [
        {
            "log_group": group,
            "log_stream": e.get("logStreamName") or "unknown",
            "timestamp": int(e["timestamp"]),
            "message": redact(e.get("message", "")),
        }
        for e in events
    ]


def capture_logs(
    reader: Reader, groups: list[str], start: datetime, end: datetime, total: int = MAX_EVENTS
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    left = total
    for n, group in enumerate(groups):
        share = left // (len(groups) - n)
        reader.progress(f"logs: {group}")
        got = capture_group(reader, group, start, end, share) if share > 0 else []
        records += got
        left -= len(got)
    return records
