"""X-Ray traces in the window: faulty ones first, then any, newest first, as segment documents."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from evals.bundle.model import TraceSegment
from evals.capture.reader import Reader
from evals.capture.scrub import scrub

SOURCE = "traces"
MAX_TRACES = 500
SUMMARY_WINDOW = timedelta(hours=24)  # GetTraceSummaries' longest time range
BATCH = 5  # BatchGetTraces takes at most 5 trace ids
PROBLEMS = "fault = true OR error = true OR throttle = true"


def _started(summary: dict[str, Any]) -> float:
    """A trace's start: the summary's StartTime, else the epoch seconds in its id (1-<hex epoch>-...)."""
    if summary.get("StartTime") is not None:
        return float(summary["StartTime"].timestamp())
    return float(int(summary["Id"].split("-")[1], 16))


def _ids(reader: Reader, start: datetime, end: datetime, cap: int, flt: str | None) -> tuple[list[str], bool]:
    """Up to `cap` trace ids, newest first, reading 24-hour slices from the end of the window backwards.

    Pages come newest first, but the order within a page is not documented: whole pages are read
    and what was read is sorted by start time."""
    out: list[str] = []
    more = False
    top = end
    while top > start:
        if len(out) >= cap:
            more = True  # older slices were not read
            break
        bottom = max(start, top - SUMMARY_WINDOW)
        found: list[dict[str, Any]] = []
        token: str | None = None
        while len(found) < cap - len(out):
            page = reader.call(
                SOURCE,
                "xray",
                "GetTraceSummaries",
                StartTime=bottom,
                EndTime=top,
                **({"FilterExpression": flt} if flt else {}),
                **({"NextToken": token} if token else {}),
            )
            if page is None:
                break
            found += [s for s in page.get("TraceSummaries", []) if s.get("Id")]
            token = page.get("NextToken")
            if not token:
                break
        found.sort(key=_started, reverse=True)
        fresh = [s["Id"] for s in found if s["Id"] not in out]
        more = more or bool(token) or len(fresh) > cap - len(out)
        out += fresh[: cap - len(out)]
        top = bottom
    return out, more


def capture_traces(
    reader: Reader, start: datetime, end: datetime, cap: int = MAX_TRACES
) -> list[dict[str, Any]]:
    problems, more_problems = _ids(reader, start, end, cap // 2, PROBLEMS)
    listed, more = _ids(reader, start, end, cap, None)
    others = [i for i in listed if i not in problems]
    ids = problems + others[: cap - len(problems)]
    if more or more_problems or len(problems) + len(others) > len(ids):
        reader.report.cut(SOURCE, "traces in the window; faulty ones kept first, then the newest", len(ids))
    records: list[dict[str, Any]] = []
    invalid = 0
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        pages, _ = reader.pages(
            SOURCE, "xray", "BatchGetTraces", "Traces", max_items=BATCH * 10, TraceIds=chunk
        )
        for trace in pages:
            for segment in trace.get("Segments", []):
                try:
                    doc = json.loads(segment["Document"])
                    TraceSegment.model_validate(doc)
                except (ValueError, ValidationError, KeyError):
                    invalid += 1
                    continue
                records.append(scrub(doc))
    if invalid:
        reader.report.cut(
            SOURCE, f"{invalid} segment documents were not valid X-Ray segments and were left out", 0, invalid
        )
    return records
