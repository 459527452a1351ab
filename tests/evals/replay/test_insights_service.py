"""StartQuery / GetQueryResults / StopQuery through boto3, and a cross-check against moto."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from evals.replay import ReplayContext, ReplayUnsupported, replay_session
from tests.conftest import make_bundle

Replay = Callable[..., tuple[boto3.Session, ReplayContext]]
T = 1714521600  # 2024-05-01T00:00:00Z in seconds
ARN = "arn:aws:logs:us-east-1:123456789012:log-group"


def _event(group: str, seconds: float, message: str, stream: str = "s") -> dict[str, Any]:
    return {
        "log_group": group,
        "log_stream": stream,
        "timestamp": int((T + seconds) * 1000),
        "message": message,
    }


EVENTS = [
    _event("/app", 10, "ERROR db timeout"),
    _event("/app", 70, "INFO ok"),
    _event("/app", 75.5, "ERROR card declined"),
    _event("/app", 130.999, "ERROR late"),
    _event("/web", 20, "ERROR 502 upstream"),
]
RESOURCES = [
    {"service": "logs", "type": "LogGroup", "item": {"logGroupName": "/empty", "creationTime": T * 1000}}
]


@pytest.fixture(scope="module")
def logs() -> Any:
    """One client for the module: building a boto3 client and the DuckDB table costs most of a test."""
    session, _ = replay_session(make_bundle({"logs": EVENTS, "resources": RESOURCES}))
    return session.client("logs")


def _results(client: Any, **kwargs: Any) -> dict[str, Any]:
    params = {"logGroupName": "/app", "startTime": T, "endTime": T + 3600, **kwargs}
    query_id = client.start_query(**params)["queryId"]
    return client.get_query_results(queryId=query_id)


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_start_then_get_results(logs: Any) -> None:
    out = _results(logs, queryString="filter @message like /ERROR/ | stats count(*) as n by bin(1m)")
    assert out["status"] == "Complete"
    assert out["queryLanguage"] == "CWLI"
    assert out["results"] == [
        [{"field": "bin(1m)", "value": "2024-05-01 00:00:00.000"}, {"field": "n", "value": "1"}],
        [{"field": "bin(1m)", "value": "2024-05-01 00:01:00.000"}, {"field": "n", "value": "1"}],
        [{"field": "bin(1m)", "value": "2024-05-01 00:02:00.000"}, {"field": "n", "value": "1"}],
    ]
    stats = out["statistics"]
    assert (stats["recordsMatched"], stats["recordsScanned"]) == (3.0, 4.0)
    assert stats["bytesScanned"] == float(sum(len(e["message"]) for e in EVENTS[:4]))


def test_event_rows_carry_fields_and_ptr(logs: Any) -> None:
    out = _results(logs, queryString="fields @timestamp, @message | filter @message like 'card'")
    (row,) = out["results"]
    assert [c["field"] for c in row] == ["@timestamp", "@message", "@ptr"]
    assert row[0]["value"] == "2024-05-01 00:01:15.500"
    assert row[1]["value"] == "ERROR card declined"


def test_seconds_window_includes_the_whole_end_second(logs: Any) -> None:
    out = _results(logs, queryString="fields @message", startTime=T + 70, endTime=T + 130)
    assert [r[0]["value"] for r in out["results"]] == ["ERROR late", "ERROR card declined", "INFO ok"]
    out = _results(logs, queryString="fields @message", startTime=T + 71, endTime=T + 75)
    assert [r[0]["value"] for r in out["results"]] == ["ERROR card declined"]  # stamped 75.5 s
    out = _results(logs, queryString="fields @message", startTime=T + 71, endTime=T + 74)
    assert out["results"] == []


def test_limit_parameter_and_default_order(logs: Any) -> None:
    out = _results(logs, queryString="fields @message", limit=2)
    assert [r[0]["value"] for r in out["results"]] == ["ERROR late", "ERROR card declined"]
    assert out["statistics"]["recordsMatched"] == 4.0


def test_several_groups_by_names_and_identifiers(logs: Any) -> None:
    for kwargs in (
        {"logGroupNames": ["/app", "/web"]},
        {"logGroupIdentifiers": [f"{ARN}:/app", "/web"]},
    ):
        query_id = logs.start_query(
            startTime=T,
            endTime=T + 3600,
            queryString="filter @message like /ERROR/ | stats count(*) by @log",
            **kwargs,
        )["queryId"]
        out = logs.get_query_results(queryId=query_id)
        assert out["results"] == [
            [{"field": "@log", "value": "123456789012:/app"}, {"field": "count(*)", "value": "3"}],
            [{"field": "@log", "value": "123456789012:/web"}, {"field": "count(*)", "value": "1"}],
        ]


def test_group_without_events_is_queryable(logs: Any) -> None:
    out = _results(logs, queryString="fields @message", logGroupName="/empty")
    assert (out["results"], out["statistics"]["recordsScanned"]) == ([], 0.0)


@pytest.mark.parametrize(
    ("kwargs", "code", "text"),
    [
        ({"logGroupNames": ["/app"]}, "InvalidParameterException", "Only one of"),
        ({"logGroupName": None}, "InvalidParameterException", "must be specified"),
        ({"logGroupName": "/nope"}, "ResourceNotFoundException", "Log group '/nope' does not exist"),
        (
            {"logGroupName": None, "logGroupIdentifiers": [f"{ARN}:/app:*"]},
            "InvalidParameterException",
            "'*'",
        ),
        (
            {
                "logGroupName": None,
                "logGroupIdentifiers": ["arn:aws:logs:us-east-1:210987654321:log-group:/app"],
            },
            "ResourceNotFoundException",
            "does not exist",
        ),
        (
            {"logGroupName": None, "logGroupNames": [f"/g{i}" for i in range(51)]},
            "InvalidParameterException",
            "50",
        ),
        ({"startTime": T + 10, "endTime": T + 9}, "InvalidParameterException", "endTime"),
        ({"queryString": "stats count(*) by bin(1y)"}, "MalformedQueryException", "calendar period"),
        ({"queryString": "fields @message | unnest x"}, "MalformedQueryException", "unnest"),
        ({"limit": 100_001}, "InvalidParameterException", "less than or equal to 100000"),
        (
            {"queryString": "fields " + "a," * 5000 + "b"},
            "InvalidParameterException",
            "less than or equal to 10000",
        ),
        ({"logGroupName": "bad name!"}, "InvalidParameterException", "regular expression pattern"),
    ],
)
def test_start_query_errors(logs: Any, kwargs: dict[str, Any], code: str, text: str) -> None:
    params = {
        "logGroupName": "/app",
        "startTime": T,
        "endTime": T + 60,
        "queryString": "fields @message",
        **kwargs,
    }
    params = {k: v for k, v in params.items() if v is not None}
    with pytest.raises(ClientError) as exc:
        logs.start_query(**params)
    assert _code(exc) == code
    assert text in exc.value.response["Error"]["Message"]


def test_malformed_query_is_the_modelled_exception(logs: Any) -> None:
    with pytest.raises(logs.exceptions.MalformedQueryException):
        logs.start_query(logGroupName="/app", startTime=T, endTime=T + 1, queryString="frobnicate")


def test_other_query_languages_are_not_replayed(logs: Any) -> None:
    with pytest.raises(ReplayUnsupported, match="queryLanguage SQL"):
        logs.start_query(
            queryLanguage="SQL", logGroupName="/app", startTime=T, endTime=T + 1, queryString="SELECT 1"
        )


def test_unknown_query_id(logs: Any) -> None:
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.get_query_results(queryId="00000000-0000-0000-0000-000000000000")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.stop_query(queryId="00000000-0000-0000-0000-000000000000")


def test_stop_query_on_a_finished_query(logs: Any) -> None:
    query_id = logs.start_query(
        logGroupName="/app", startTime=T, endTime=T + 60, queryString="fields @message"
    )["queryId"]
    assert logs.stop_query(queryId=query_id)["success"] is False
    assert logs.get_query_results(queryId=query_id)["status"] == "Complete"


def test_query_ids_are_distinct_per_start(logs: Any) -> None:
    params = {"logGroupName": "/app", "startTime": T, "endTime": T + 60, "queryString": "fields @message"}
    assert logs.start_query(**params)["queryId"] != logs.start_query(**params)["queryId"]


def test_results_pages_with_max_items(logs: Any) -> None:
    query_id = logs.start_query(
        logGroupName="/app", startTime=T, endTime=T + 3600, queryString="fields @message"
    )["queryId"]
    first = logs.get_query_results(queryId=query_id, maxItems=3)
    assert [r[0]["value"] for r in first["results"]] == ["ERROR late", "ERROR card declined", "INFO ok"]
    second = logs.get_query_results(queryId=query_id, maxItems=3, nextToken=first["nextToken"])
    assert [r[0]["value"] for r in second["results"]] == ["ERROR db timeout"]
    assert "nextToken" not in second


def test_query_state_is_per_session(replay: Replay) -> None:
    one, _ = replay({"logs": EVENTS})
    two, _ = replay({"logs": EVENTS})
    query_id = one.client("logs").start_query(
        logGroupName="/app", startTime=T, endTime=T + 60, queryString="fields @message"
    )["queryId"]
    with pytest.raises(ClientError) as exc:
        two.client("logs").get_query_results(queryId=query_id)
    assert _code(exc) == "ResourceNotFoundException"


# --- moto cross-check -----------------------------------------------------------------------------


@pytest.mark.moto
def test_field_selection_sort_and_limit_match_moto(moto_session: Callable[[str], Any]) -> None:
    """moto implements `fields`, `sort @timestamp` and `limit` of Logs Insights: the subset compared here."""
    # moto refuses events older than 14 days, so this test's clock is the wall clock's last hour.
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    base_ms = int(base.timestamp() * 1000)
    seeded = [("/app", "s1", 1_000, "alpha"), ("/app", "s2", 2_000, "beta"), ("/app", "s1", 3_000, "gamma")]
    seeded += [("/web", "w", 1_500, "delta")]
    moto = moto_session("logs")
    for group in ("/app", "/web"):
        moto.create_log_group(logGroupName=group)
    for group, stream in sorted({(g, st) for g, st, _, _ in seeded}):
        moto.create_log_stream(logGroupName=group, logStreamName=stream)
    for group, stream, offset, message in seeded:
        moto.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": base_ms + offset, "message": message}],
        )
    bundle = make_bundle(
        {
            "logs": [
                {"log_group": g, "log_stream": s, "timestamp": base_ms + o, "message": m}
                for g, s, o, m in seeded
            ]
        },
        start=base.isoformat(),
        end=(base + timedelta(hours=2)).isoformat(),
        now=(base + timedelta(hours=2)).isoformat(),
    )
    session, _ = replay_session(bundle)
    ours = session.client("logs")
    start, end = int(base.timestamp()), int(base.timestamp()) + 60

    def compare(query: str, groups: list[str]) -> None:
        answers = []
        for client in (moto, ours):
            query_id = client.start_query(
                logGroupNames=groups, startTime=start, endTime=end, queryString=query
            )["queryId"]
            results = _wait(client, query_id)
            # moto prints @timestamp as epoch ms and invents @ptr: compare everything else.
            answers.append(
                [
                    {c["field"]: c["value"] for c in r if c["field"] not in ("@ptr", "@timestamp")}
                    for r in results
                ]
            )
        assert answers[0] == answers[1], query

    compare("fields @message, @logStream", ["/app"])
    compare("fields @message | sort @timestamp asc", ["/app"])
    compare("fields @message, @logStream | sort @timestamp desc | limit 2", ["/app", "/web"])
    for client in (moto, ours):
        with pytest.raises(ClientError) as exc:
            client.start_query(
                logGroupNames=["/missing"], startTime=start, endTime=end, queryString="fields @message"
            )
        assert _code(exc) == "ResourceNotFoundException"


def _wait(client: Any, query_id: str) -> list[Any]:
    for _ in range(50):
        out = client.get_query_results(queryId=query_id)
        if out["status"] == "Complete":
            return list(out["results"])
        time.sleep(0.05)
    raise AssertionError(f"query {query_id} did not complete")
