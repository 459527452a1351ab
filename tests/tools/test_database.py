"""RDS tools over replayed bundles: events in a window with source filters, and a DB log's tail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools.test_state import deny
from tools.database import db_log_tail, rds_events
from tools.result import ToolStatus

WINDOW = {"start": "2024-05-01T04:00:00Z", "end": "2024-05-01T06:00:00Z"}


def event(when: str, source: str, kind: str, categories: list[str], message: str) -> dict[str, Any]:
    item = {
        "SourceIdentifier": source,
        "SourceType": kind,
        "Message": message,
        "EventCategories": categories,
        "Date": when,
        "SourceArn": f"arn:aws:rds:us-east-1:123456789012:{'cluster' if kind == 'db-cluster' else 'db'}:{source}",
    }
    return {"source": "rds", "item": item}


EVENTS = [
    event("2024-05-01T03:00:00Z", "orders-1", "db-instance", ["backup"], "Backing up DB instance"),
    event(
        "2024-05-01T05:02:00Z",
        "orders",
        "db-cluster",
        ["failover"],
        "Started cross AZ failover to DB instance: orders-2",
    ),
    event("2024-05-01T05:03:00Z", "orders-1", "db-instance", ["availability"], "DB instance restarted"),
    event(
        "2024-05-01T05:04:00Z",
        "orders",
        "db-cluster",
        ["failover"],
        "Completed failover to DB instance: orders-2",
    ),
    event("2024-05-01T05:30:00Z", "search-1", "db-instance", ["notification"], "Storage is almost full"),
    event("2024-05-01T06:30:00Z", "orders", "db-cluster", ["failover"], "after now"),
]


def test_rds_events_window_newest_first(tool_ctx: Any) -> None:
    res = rds_events.run(tool_ctx({"events": EVENTS}), WINDOW)
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert [(e.time.strftime("%H:%M"), e.source_id) for e in res.data.events] == [
        ("05:30", "search-1"),
        ("05:04", "orders"),
        ("05:03", "orders-1"),
        ("05:02", "orders"),
    ]
    assert "4 RDS events" in res.summary


def test_rds_events_source_and_category_filters(tool_ctx: Any) -> None:
    ctx = tool_ctx({"events": EVENTS})
    cluster = rds_events.run(ctx, {**WINDOW, "source_type": "db-cluster", "source_ids": ["orders"]})
    assert cluster.data is not None
    assert [e.message for e in cluster.data.events] == [
        "Completed failover to DB instance: orders-2",
        "Started cross AZ failover to DB instance: orders-2",
    ]
    two = rds_events.run(
        ctx, {**WINDOW, "source_type": "db-instance", "source_ids": ["orders-1", "search-1"]}
    )
    assert two.data is not None and [e.source_id for e in two.data.events] == ["search-1", "orders-1"]
    assert two.aws_calls == 2  # one DescribeEvents per source
    cats = rds_events.run(ctx, {**WINDOW, "categories": ["availability", "notification"]})
    assert cats.data is not None and [e.source_id for e in cats.data.events] == ["search-1", "orders-1"]
    bad = rds_events.run(ctx, {**WINDOW, "source_ids": ["orders"]})
    assert bad.status is ToolStatus.ERROR and bad.error_code == "usage"


def test_rds_events_cap_empty_and_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    many = [
        event(f"2024-05-01T05:{m:02d}:00Z", "orders-1", "db-instance", ["notification"], f"n{m}")
        for m in range(60)
    ]
    ctx = tool_ctx({"events": many})
    capped = rds_events.run(ctx, {**WINDOW, "limit": 5})
    assert capped.data is not None and [e.message for e in capped.data.events] == [
        "n59",
        "n58",
        "n57",
        "n56",
        "n55",
    ]
    assert capped.has_more and capped.total == 60
    assert (
        rds_events.run(ctx, {"start": "2024-05-01T01:00:00Z", "end": "2024-05-01T02:00:00Z"}).status
        is ToolStatus.NO_DATA
    )
    # Older than RDS's 14 days of retention: nothing is asked, nothing is there.
    ancient = rds_events.run(ctx, {"start": "2024-04-01T00:00:00Z", "end": "2024-04-02T00:00:00Z"})
    assert ancient.status is ToolStatus.NO_DATA and ancient.aws_calls == 0
    deny(monkeypatch, "rds", "DescribeEvents")
    assert rds_events.run(ctx, WINDOW).status is ToolStatus.DENIED


def log_file(name: str, written_ms: int, data: str) -> dict[str, Any]:
    item = {"DBInstanceIdentifier": "orders-1", "LogFileName": name, "LastWritten": written_ms, "Data": data}
    return {"service": "rds", "type": "DBLogFile", "item": item}


INSTANCE = {
    "service": "rds",
    "type": "DBInstance",
    "item": {"DBInstanceIdentifier": "orders-1", "DBInstanceStatus": "available", "Engine": "mysql"},
}
ERROR_LOG = "".join(f"2024-05-01T05:{m:02d}:00Z [Note] line {m}\n" for m in range(60))
ERROR_LOG += "2024-05-01T05:59:30Z [ERROR] Access denied for user 'app' password=hunter2secret\n"


def test_db_log_tail_newest_file_redacted(tool_ctx: Any) -> None:
    ctx = tool_ctx(
        {
            "resources": [
                INSTANCE,
                log_file("error/mysql-error.log", 1714539600000, "old\n"),  # 05:00
                log_file("error/mysql-error-running.log", 1714543170000, ERROR_LOG),  # 05:59:30
                log_file("slowquery/mysql-slowquery.log", 1714543300000, "future\n"),  # 06:01:40, after now
            ]
        }
    )
    res = db_log_tail.run(ctx, {"instance": "orders-1", "lines": 5})
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert res.data.log_file == "error/mysql-error-running.log"
    assert len(res.data.lines) == 5
    assert res.data.lines[0].endswith("line 56")
    assert "hunter2secret" not in res.data.lines[-1] and "[REDACTED]" in res.data.lines[-1]
    assert res.has_more
    named = db_log_tail.run(ctx, {"instance": "orders-1", "log_file": "error/mysql-error.log"})
    assert named.data is not None and named.data.lines == ["old"] and not named.has_more
    filtered = db_log_tail.run(ctx, {"instance": "orders-1", "filename_contains": "slowquery"})
    assert filtered.status is ToolStatus.NO_DATA  # the slow query log was last written after now


def test_db_log_tail_missing_instance_file_and_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = tool_ctx({"resources": [INSTANCE, log_file("error/mysql-error.log", 1714539600000, "x\n")]})
    assert db_log_tail.run(ctx, {"instance": "nope"}).error_code == "DBInstanceNotFound"
    gone = db_log_tail.run(ctx, {"instance": "orders-1", "log_file": "error/other.log"})
    assert gone.status is ToolStatus.NO_DATA and gone.error_code == "DBLogFileNotFoundFault"
    deny(monkeypatch, "rds", "DownloadDBLogFilePortion")
    assert db_log_tail.run(ctx, {"instance": "orders-1"}).status is ToolStatus.DENIED
