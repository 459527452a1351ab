"""Cross-check: the same log groups, streams and events seeded in moto (over HTTP) and in a bundle.

Only what moto models faithfully is compared: group and stream names, ARNs, retention, event
timestamps, simple term patterns. moto invents creation and ingestion times from the wall clock and
does not sort FilterLogEvents across streams, so those are normalised away (ordering is asserted
against AWS's documented rules in test_logs_filter.py).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from evals.replay import replay_session
from tests.conftest import make_bundle

pytestmark = pytest.mark.moto

GROUPS = ["/aws/lambda/orders", "/aws/lambda/payments", "/ecs/web", "API-Gateway-Execution-Logs_x/prod"]
# moto refuses events older than 14 days or in the future, so this data lives an hour before the
# wall clock; the bundle's "now" is set just after it.
BASE = (int(time.time()) - 3600) * 1000
EVENTS = [
    ("/aws/lambda/orders", "s1", BASE, "ERROR one"),
    ("/aws/lambda/orders", "s1", BASE + 1000, "INFO two"),
    ("/aws/lambda/orders", "s1", BASE + 2000, "ERRORCODE three"),
    ("/aws/lambda/orders", "s2", BASE + 500, "WARN x"),
    ("/aws/lambda/orders", "s2", BASE + 1000, "ERROR tie"),
    ("/aws/lambda/orders", "t3", BASE + 1500, "error lower"),
    ("/aws/lambda/payments", "p", BASE + 100, "ERROR payments"),
]


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def pair(moto_session: Any) -> tuple[Any, Any]:
    """(moto client, replay client) holding the same account."""
    moto = moto_session("logs")
    for group in GROUPS:
        moto.create_log_group(logGroupName=group)
    moto.put_retention_policy(logGroupName="/ecs/web", retentionInDays=7)
    streams = sorted({(g, s) for g, s, _, _ in EVENTS})
    for group, stream in streams:
        moto.create_log_stream(logGroupName=group, logStreamName=stream)
        batch = [{"timestamp": ts, "message": m} for g, s, ts, m in EVENTS if (g, s) == (group, stream)]
        moto.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
    records: dict[str, list[Any]] = {
        "logs": [{"log_group": g, "log_stream": s, "timestamp": ts, "message": m} for g, s, ts, m in EVENTS],
        "resources": [
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {"logGroupName": g, "creationTime": BASE - 60_000},
            }
            for g in GROUPS
        ]
        + [
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {"logGroupName": "/ecs/web", "retentionInDays": 7},
            }
        ],
    }
    session, _ = replay_session(
        make_bundle(records, start=iso(BASE - 3_600_000), end=iso(BASE + 60_000), now=iso(BASE + 60_000))
    )
    return moto, session.client("logs")


def groups_view(out: dict[str, Any]) -> list[dict[str, Any]]:
    invented = {"creationTime", "storedBytes", "logGroupClass"}
    return [{k: v for k, v in g.items() if k not in invented} for g in out["logGroups"]]


def test_describe_log_groups(pair: tuple[Any, Any]) -> None:
    moto, replay = pair
    assert groups_view(replay.describe_log_groups()) == groups_view(moto.describe_log_groups())
    for prefix in ("/aws/", "/ecs/web", "/none"):
        assert groups_view(replay.describe_log_groups(logGroupNamePrefix=prefix)) == groups_view(
            moto.describe_log_groups(logGroupNamePrefix=prefix)
        )

    def pages(client: Any) -> list[list[str]]:
        paginator = client.get_paginator("describe_log_groups")
        return [
            [g["logGroupName"] for g in page["logGroups"]]
            for page in paginator.paginate(PaginationConfig={"PageSize": 3})
        ]

    assert pages(replay) == pages(moto) == [GROUPS[:3], GROUPS[3:]]


def streams_view(out: dict[str, Any]) -> list[dict[str, Any]]:
    kept = ("logStreamName", "firstEventTimestamp", "lastEventTimestamp", "arn")
    return [{k: s.get(k) for k in kept} for s in out["logStreams"]]


def test_describe_log_streams(pair: tuple[Any, Any]) -> None:
    moto, replay = pair
    for kwargs in (
        {},
        {"descending": True},
        {"orderBy": "LastEventTime"},
        {"orderBy": "LastEventTime", "descending": True},
        {"logStreamNamePrefix": "s"},
    ):
        ours = streams_view(replay.describe_log_streams(logGroupName="/aws/lambda/orders", **kwargs))
        assert ours == streams_view(moto.describe_log_streams(logGroupName="/aws/lambda/orders", **kwargs)), (
            kwargs
        )
        assert ours
    errors = []
    for client in (moto, replay):
        with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
            client.describe_log_streams(logGroupName="/missing")
        errors.append(exc.value.response["Error"]["Message"])
    assert errors[0] == errors[1] == "The specified log group does not exist."


def events_view(out: dict[str, Any]) -> list[tuple[str, int, str]]:
    return sorted((e["logStreamName"], e["timestamp"], e["message"]) for e in out["events"])


def test_filter_log_events(pair: tuple[Any, Any]) -> None:
    # moto implements plain terms and phrases; it ignores '?' (OR) and '-' (exclusion), so those are
    # checked only against AWS's documented examples in test_filter_pattern.py.
    moto, replay = pair
    for pattern in ("", "ERROR", "ERR", "error", '"ERROR one"', "ERROR tie", "nothing"):
        ours = replay.filter_log_events(logGroupName="/aws/lambda/orders", filterPattern=pattern)
        theirs = moto.filter_log_events(logGroupName="/aws/lambda/orders", filterPattern=pattern)
        assert events_view(ours) == events_view(theirs), pattern
    # Not compared: logStreamNamePrefix, which moto ignores in FilterLogEvents.
    for kwargs in (
        {"startTime": BASE + 1000, "endTime": BASE + 2000},
        {"startTime": BASE + 1001},
        {"logStreamNames": ["s2", "t3"]},
    ):
        ours = replay.filter_log_events(logGroupName="/aws/lambda/orders", **kwargs)
        theirs = moto.filter_log_events(logGroupName="/aws/lambda/orders", **kwargs)
        assert events_view(ours) == events_view(theirs), kwargs
        assert ours["events"]


def test_get_log_events(pair: tuple[Any, Any]) -> None:
    moto, replay = pair

    def view(client: Any, kwargs: dict[str, Any]) -> list[tuple[int, str]]:
        out = client.get_log_events(logGroupName="/aws/lambda/orders", logStreamName="s1", **kwargs)
        return [(e["timestamp"], e["message"]) for e in out["events"]]

    for kwargs in ({}, {"limit": 2}, {"limit": 2, "startFromHead": True}):
        assert view(replay, kwargs) == view(moto, kwargs), kwargs
