"""CloudTrail event history in the window: write events, each one's CloudTrailEvent document a record.

Read-only events are not captured: they are most of event history (this capture's own reads among
them), and Sleuth's change tools look for writes. Replayed, a lookup of read-only events finds none.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from evals.bundle.model import CloudTrailRecord
from evals.capture.reader import Reader
from evals.capture.scrub import scrub

SOURCE = "cloudtrail"
MAX_EVENTS = 2000  # 40 LookupEvents pages; LookupEvents allows 2 calls a second per account


def capture_cloudtrail(
    reader: Reader, start: datetime, end: datetime, cap: int = MAX_EVENTS
) -> list[dict[str, Any]]:
    events, more = reader.pages(
        SOURCE,
        "cloudtrail",
        "LookupEvents",
        "Events",
        max_items=cap,
        LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
        StartTime=start,
        EndTime=end,
        MaxResults=50,
    )
    if more:
        reader.report.cut(SOURCE, "write events in the window; kept the newest", len(events))
    records: list[dict[str, Any]] = []
    invalid = 0
    for event in events:
        try:
            record = json.loads(event.get("CloudTrailEvent") or "")
            CloudTrailRecord.model_validate(record)
        except (ValueError, ValidationError):
            invalid += 1
            continue
        records.append(scrub(record))
    if invalid:
        reader.report.cut(SOURCE, "events without a valid CloudTrailEvent document were left out", 0, invalid)
    records.sort(key=lambda r: r["eventTime"])
    return records
