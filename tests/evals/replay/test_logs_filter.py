"""GetLogEvents and FilterLogEvents replayed from logs.jsonl: windows, ordering, tokens, patterns."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from evals.replay import ReplayUnsupported, replay_session
from tests.conftest import make_bundle

T0 = 1714521600000  # 2024-05-01T00:00:00Z; the bundle's now is T0 + 6 h
NOW = T0 + 6 * 3_600_000
GROUP = "/app/api"


def event(stream: str, offset: int, message: str, group: str = GROUP) -> dict[str, Any]:
    return {"log_group": group, "log_stream": stream, "timestamp": T0 + offset, "message": message}


# File order is ingestion order: it breaks timestamp ties.
LOGS = [
    event("a", 1000, "ERROR db timeout"),
    event("b", 1000, "INFO b ok"),
    event("a", 2000, '{"level": "ERROR", "latency": 1200}'),
    event("c-x", 1500, "WARN slow"),
    event("b", 3000, "ERROR again"),
    event("a", 3000, "INFO a fine"),
    event("a", NOW - T0 + 1, "ERROR from the future"),
    event("a", 3000, "INFO a fine too"),
    event("later", NOW - T0 + 5, "not yet"),
    event("a", 1000, "ERROR elsewhere", group="/app/other"),
]
ALL = [
    "ERROR db timeout",
    "INFO b ok",
    "WARN slow",
    '{"level": "ERROR", "latency": 1200}',
    "ERROR again",
    "INFO a fine",
    "INFO a fine too",
]


@pytest.fixture(scope="module")
def logs() -> Any:
    """One client for the module: replay handlers only read, so tests cannot disturb each other."""
    session, _ = replay_session(make_bundle({"logs": LOGS}))
    return session.client("logs")


def messages(out: dict[str, Any]) -> list[str]:
    return [e["message"] for e in out["events"]]


def code_of(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


# --- FilterLogEvents -------------------------------------------------------------------------------


def test_all_events_by_time_then_ingestion_order(logs: Any) -> None:
    out = logs.filter_log_events(logGroupName=GROUP)
    assert messages(out) == ALL
    assert [e["logStreamName"] for e in out["events"]] == ["a", "b", "c-x", "a", "b", "a", "a"]
    assert all(e["ingestionTime"] == e["timestamp"] for e in out["events"])
    ids = [e["eventId"] for e in out["events"]]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert out["searchedLogStreams"] == []
    assert "nextToken" not in out


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("ERROR", [ALL[0], ALL[3], ALL[4]]),
        ("?WARN ?again", [ALL[2], ALL[4]]),
        ("INFO -too", [ALL[1], ALL[5]]),
        ('"a fine"', [ALL[5], ALL[6]]),
        ("{ $.latency > 1000 }", [ALL[3]]),
        ('{ $.level = "ERROR" }', [ALL[3]]),
        ("[level = ERROR, ...]", [ALL[0], ALL[4]]),
        ("[level, name, state = ok]", [ALL[1]]),
        ("zzz", []),
    ],
)
def test_filter_patterns(logs: Any, pattern: str, expected: list[str]) -> None:
    assert messages(logs.filter_log_events(logGroupName=GROUP, filterPattern=pattern)) == expected


def test_window_is_inclusive_at_both_ends(logs: Any) -> None:
    out = logs.filter_log_events(logGroupName=GROUP, startTime=T0 + 1500, endTime=T0 + 3000)
    assert messages(out) == ALL[2:]
    out = logs.filter_log_events(logGroupName=GROUP, startTime=T0 + 1500, endTime=T0 + 2999)
    assert messages(out) == ALL[2:4]
    assert logs.filter_log_events(logGroupName=GROUP, startTime=T0 + 3001)["events"] == []
    assert logs.filter_log_events(logGroupName=GROUP, startTime=T0 + 2000, endTime=T0 + 1000)["events"] == []


def test_stream_selection(logs: Any) -> None:
    assert messages(logs.filter_log_events(logGroupName=GROUP, logStreamNames=["a"])) == [
        ALL[0],
        ALL[3],
        ALL[5],
        ALL[6],
    ]
    assert messages(logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="c")) == [ALL[2]]
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName=GROUP, logStreamNames=["a", "nope"])
    assert exc.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "The specified log stream does not exist.",
    }
    assert logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="nope")["events"] == []
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName=GROUP, logStreamNames=["a"], logStreamNamePrefix="a")
    assert code_of(exc) == "InvalidParameterException"


def test_pages_split_timestamp_ties_cleanly(logs: Any) -> None:
    seen: list[str] = []
    kwargs: dict[str, Any] = {"logGroupName": GROUP, "limit": 1}
    for _ in range(len(ALL) + 1):
        out = logs.filter_log_events(**kwargs)
        seen += messages(out)
        if "nextToken" not in out:
            break
        kwargs["nextToken"] = out["nextToken"]
    assert seen == ALL
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=GROUP, filterPattern="INFO", PaginationConfig={"PageSize": 2}
    )
    assert [messages(p) for p in pages] == [[ALL[1], ALL[5]], [ALL[6]]]


def test_residual_pattern_pages(logs: Any) -> None:
    first = logs.filter_log_events(logGroupName=GROUP, filterPattern="[level = INFO, ...]", limit=2)
    rest = logs.filter_log_events(
        logGroupName=GROUP, filterPattern="[level = INFO, ...]", limit=2, nextToken=first["nextToken"]
    )
    assert messages(first) == [ALL[1], ALL[5]]
    assert messages(rest) == [ALL[6]]
    assert "nextToken" not in rest


def test_tokens_belong_to_their_request(logs: Any) -> None:
    token = logs.filter_log_events(logGroupName=GROUP, limit=1)["nextToken"]
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName=GROUP, filterPattern="ERROR", nextToken=token)
    assert code_of(exc) == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName=GROUP, nextToken="not-a-token")
    assert code_of(exc) == "InvalidParameterException"


def test_newest_first(logs: Any) -> None:
    first = logs.filter_log_events(logGroupName=GROUP, startTime=T0, startFromHead=False, limit=4)
    assert messages(first) == ALL[::-1][:4]
    # The token keeps the direction even when startFromHead is left out.
    rest = logs.filter_log_events(logGroupName=GROUP, startTime=T0, limit=4, nextToken=first["nextToken"])
    assert messages(rest) == ALL[::-1][4:]
    for start in ({}, {"startTime": T0 - 200 * 24 * 3_600_000}):
        with pytest.raises(ClientError) as exc:
            logs.filter_log_events(logGroupName=GROUP, startFromHead=False, **start)
        assert code_of(exc) == "InvalidParameterException"


def test_group_lookup(logs: Any) -> None:
    arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}"
    assert messages(logs.filter_log_events(logGroupIdentifier=arn)) == ALL
    assert messages(logs.filter_log_events(logGroupName="/app/other")) == ["ERROR elsewhere"]
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName="/app/none")
    assert exc.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "The specified log group does not exist.",
    }
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName=GROUP, logGroupIdentifier=GROUP)
    assert code_of(exc) == "InvalidParameterException"


def test_limits(logs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName=GROUP, limit=10_001)
    assert code_of(exc) == "InvalidParameterException"
    with pytest.raises(ParamValidationError):
        logs.filter_log_events(logGroupName=GROUP, limit=0)


def test_default_page_is_ten_thousand(replay: Any) -> None:
    many = [event("s", i, f"line {i}") for i in range(10_001)]
    session, _ = replay({"logs": many})
    client = session.client("logs")
    first = client.filter_log_events(logGroupName=GROUP)
    assert len(first["events"]) == 10_000
    rest = client.filter_log_events(logGroupName=GROUP, nextToken=first["nextToken"])
    assert messages(rest) == ["line 10000"]


def test_pages_hold_at_most_one_megabyte(replay: Any) -> None:
    # 100,000-byte messages count 100,026 bytes each: ten fit in 1,048,576 bytes, eleven do not.
    big = [event("s", i, f"{i:02d}" + "x" * 99_998) for i in range(25)]
    session, _ = replay({"logs": big})
    client = session.client("logs")
    sizes, kwargs = [], {"logGroupName": GROUP}
    while True:
        out = client.filter_log_events(**kwargs)
        sizes.append(len(out["events"]))
        if "nextToken" not in out:
            break
        kwargs["nextToken"] = out["nextToken"]
    assert sizes == [10, 10, 5]
    head = client.get_log_events(logGroupName=GROUP, logStreamName="s", startFromHead=True)
    assert [m[:2] for m in messages(head)] == [f"{i:02d}" for i in range(10)]
    tail = client.get_log_events(logGroupName=GROUP, logStreamName="s")
    assert [m[:2] for m in messages(tail)] == [f"{i:02d}" for i in range(15, 25)]


def test_bad_and_unreplayed_patterns(logs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName=GROUP, filterPattern="{ $.latency > slow }")
    assert code_of(exc) == "InvalidParameterException"
    with pytest.raises(ReplayUnsupported, match="regular expression"):
        logs.filter_log_events(logGroupName=GROUP, filterPattern="%ERR.R%")


# --- GetLogEvents ----------------------------------------------------------------------------------

A = [ALL[0], ALL[3], ALL[5], ALL[6]]  # stream "a" as of now


def test_latest_events_by_default(logs: Any) -> None:
    out = logs.get_log_events(logGroupName=GROUP, logStreamName="a")
    assert messages(out) == A
    assert [e["timestamp"] for e in out["events"]] == [T0 + 1000, T0 + 2000, T0 + 3000, T0 + 3000]
    assert all(set(e) == {"timestamp", "message", "ingestionTime"} for e in out["events"])
    out = logs.get_log_events(logGroupName=GROUP, logStreamName="a", limit=2)
    assert messages(out) == A[2:]


def test_walk_backward_to_the_head(logs: Any) -> None:
    last = logs.get_log_events(logGroupName=GROUP, logStreamName="a", limit=3)
    assert messages(last) == A[1:]
    back = logs.get_log_events(
        logGroupName=GROUP, logStreamName="a", limit=3, nextToken=last["nextBackwardToken"]
    )
    assert messages(back) == A[:1]
    head = logs.get_log_events(
        logGroupName=GROUP, logStreamName="a", limit=3, nextToken=back["nextBackwardToken"]
    )
    assert head["events"] == []
    assert head["nextBackwardToken"] == back["nextBackwardToken"]
    # Forward from the page before the head returns what was skipped.
    fwd = logs.get_log_events(logGroupName=GROUP, logStreamName="a", nextToken=back["nextForwardToken"])
    assert messages(fwd) == A[1:]


def test_walk_forward_to_the_tail(logs: Any) -> None:
    head = logs.get_log_events(logGroupName=GROUP, logStreamName="a", limit=3, startFromHead=True)
    assert messages(head) == A[:3]
    # The page boundary falls between two events with the same timestamp.
    tail = logs.get_log_events(
        logGroupName=GROUP, logStreamName="a", limit=3, startFromHead=True, nextToken=head["nextForwardToken"]
    )
    assert messages(tail) == A[3:]
    end = logs.get_log_events(
        logGroupName=GROUP, logStreamName="a", limit=3, startFromHead=True, nextToken=tail["nextForwardToken"]
    )
    assert end["events"] == []
    assert end["nextForwardToken"] == tail["nextForwardToken"]
    assert end["nextForwardToken"].startswith("f/") and end["nextBackwardToken"].startswith("b/")


def test_get_window_excludes_end_time(logs: Any) -> None:
    out = logs.get_log_events(logGroupName=GROUP, logStreamName="a", startTime=T0 + 2000, endTime=T0 + 3000)
    assert messages(out) == [A[1]]
    out = logs.get_log_events(logGroupName=GROUP, logStreamName="a", startTime=T0 + 1000, endTime=T0 + 1001)
    assert messages(out) == [A[0]]
    empty = logs.get_log_events(logGroupName=GROUP, logStreamName="a", startTime=T0 + 5000)
    assert empty["events"] == []
    assert empty["nextForwardToken"] and empty["nextBackwardToken"]


@pytest.mark.parametrize(
    ("group", "stream", "message"),
    [
        (GROUP, "nope", "The specified log stream does not exist."),
        (GROUP, "later", "The specified log stream does not exist."),
        ("/app/none", "a", "The specified log group does not exist."),
    ],
)
def test_get_unknown(logs: Any, group: str, stream: str, message: str) -> None:
    with pytest.raises(ClientError) as exc:
        logs.get_log_events(logGroupName=group, logStreamName=stream)
    assert exc.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": message}


def test_get_bad_token(logs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        logs.get_log_events(logGroupName=GROUP, logStreamName="a", nextToken="f/123/s")
    assert code_of(exc) == "InvalidParameterException"
