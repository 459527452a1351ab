"""DescribeLogGroups and DescribeLogStreams replayed from logs.jsonl merged with LogGroup resources."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from evals.replay import replay_session
from tests.conftest import make_bundle

T0 = 1714521600000  # 2024-05-01T00:00:00Z; the test bundle's "now" is T0 + 6 h
HOUR = 3_600_000
NOW = T0 + 6 * HOUR
ACCOUNT, REGION = "123456789012", "us-east-1"


def event(group: str, stream: str, ts: int, message: str) -> dict[str, Any]:
    return {"log_group": group, "log_stream": stream, "timestamp": ts, "message": message}


def log_group(**item: Any) -> dict[str, Any]:
    return {"service": "logs", "type": "LogGroup", "item": item}


RECORDS: dict[str, list[Any]] = {
    "logs": [
        event("/aws/lambda/orders", "2024/05/01/[$LATEST]bbb", T0 + 2 * HOUR, "START RequestId: 1"),
        event("/aws/lambda/orders", "2024/05/01/[$LATEST]aaa", T0 + 1 * HOUR, "ERROR boom"),
        event("/aws/lambda/orders", "2024/05/01/[$LATEST]aaa", T0 + 3 * HOUR, "END"),
        event("/aws/lambda/orders", "2024/05/01/[$LATEST]ccc", T0 + 30 * 60_000, "héllo"),
        event("/aws/lambda/orders", "2024/05/01/[$LATEST]ccc", NOW + 1, "from the future"),
        event("/aws/lambda/orders", "later-stream", NOW + HOUR, "not yet"),
        event("/aws/lambda/payments", "i-1", T0 + 5 * HOUR, "ok"),
        event("API-Gateway-Execution-Logs_abc/prod", "s", T0 + HOUR, "GET /"),
        event("app-logs", "s", T0 + HOUR, "x"),
        event("late/group", "s", NOW + 5, "only after now"),
    ],
    "resources": [
        log_group(logGroupName="/aws/lambda/orders", creationTime=T0 - 24 * HOUR, retentionInDays=14),
        log_group(logGroupName="/ecs/empty", creationTime=T0 - HOUR, logGroupClass="INFREQUENT_ACCESS"),
        log_group(logGroupName="/aws/lambda/zz-created-later", creationTime=NOW + 1),
        log_group(logGroupName="/declared/bare"),
    ],
}

VISIBLE = [
    "/aws/lambda/orders",
    "/aws/lambda/payments",
    "/declared/bare",
    "/ecs/empty",
    "API-Gateway-Execution-Logs_abc/prod",
    "app-logs",
]


@pytest.fixture(scope="module")
def logs() -> Any:
    """One client for the module: replay handlers only read, so tests cannot disturb each other."""
    session, _ = replay_session(make_bundle(RECORDS))
    return session.client("logs")


def names(groups: list[dict[str, Any]]) -> list[str]:
    return [g["logGroupName"] for g in groups]


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


# --- DescribeLogGroups -----------------------------------------------------------------------------


def test_groups_are_ascii_sorted_and_only_those_existing_at_now(logs: Any) -> None:
    out = logs.describe_log_groups()
    assert names(out["logGroups"]) == VISIBLE
    assert "nextToken" not in out


def test_group_merges_declared_item_with_its_events(logs: Any) -> None:
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/orders"
    assert groups["/aws/lambda/orders"] == {
        "logGroupName": "/aws/lambda/orders",
        "creationTime": T0 - 24 * HOUR,
        "retentionInDays": 14,
        "metricFilterCount": 0,
        "arn": f"{arn}:*",
        "logGroupArn": arn,
        # UTF-8 bytes of the four visible messages; "héllo" is 6 bytes.
        "storedBytes": len("START RequestId: 1") + len("ERROR boom") + len("END") + 6,
        "logGroupClass": "STANDARD",
    }
    # With no declared creation time, a group is as old as its first event.
    assert groups["/aws/lambda/payments"]["creationTime"] == T0 + 5 * HOUR
    assert "retentionInDays" not in groups["/aws/lambda/payments"]
    assert groups["/ecs/empty"]["storedBytes"] == 0
    # Declared with neither events nor a creation time: there since the incident window opened.
    assert groups["/declared/bare"]["creationTime"] == T0


def test_prefix_is_case_sensitive(logs: Any) -> None:
    assert names(logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]) == VISIBLE[:2]
    assert logs.describe_log_groups(logGroupNamePrefix="/AWS")["logGroups"] == []


def test_pattern_is_a_case_sensitive_substring_and_trims_fields(logs: Any) -> None:
    out = logs.describe_log_groups(logGroupNamePattern="Logs")["logGroups"]
    assert out == [
        {
            "logGroupName": "API-Gateway-Execution-Logs_abc/prod",
            "creationTime": T0 + HOUR,
            "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:API-Gateway-Execution-Logs_abc/prod:*",
        }
    ]
    assert names(logs.describe_log_groups(logGroupNamePattern="lambda/")["logGroups"]) == VISIBLE[:2]


def test_prefix_and_pattern_together_are_refused(logs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(logGroupNamePrefix="/aws", logGroupNamePattern="lambda")
    assert error_of(exc)[0] == "InvalidParameterException"


def test_limit_bounds(logs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(limit=51)
    code, message = error_of(exc)
    assert code == "InvalidParameterException"
    assert "less than or equal to 50" in message
    with pytest.raises(ParamValidationError):
        logs.describe_log_groups(limit=0)


def test_bad_prefix_characters_are_refused(logs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/*")
    assert error_of(exc)[0] == "InvalidParameterException"


def test_pages_of_two(logs: Any) -> None:
    first = logs.describe_log_groups(limit=2)
    second = logs.describe_log_groups(limit=2, nextToken=first["nextToken"])
    third = logs.describe_log_groups(limit=2, nextToken=second["nextToken"])
    assert [names(p["logGroups"]) for p in (first, second, third)] == [VISIBLE[:2], VISIBLE[2:4], VISIBLE[4:]]
    assert "nextToken" not in third
    pages = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 3})
    assert [g for page in pages for g in names(page["logGroups"])] == VISIBLE


def test_tokens_are_checked(logs: Any) -> None:
    token = logs.describe_log_groups(limit=1)["nextToken"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(limit=1, nextToken="garbage")
    assert error_of(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(logGroupNamePrefix="/aws", nextToken=token)
    assert error_of(exc)[0] == "InvalidParameterException"


def test_group_identifiers_take_names_or_arns(logs: Any) -> None:
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app-logs"
    out = logs.describe_log_groups(logGroupIdentifiers=["/ecs/empty", arn, "/nope"])
    assert names(out["logGroups"]) == ["/ecs/empty", "app-logs"]
    with pytest.raises(ClientError):
        logs.describe_log_groups(logGroupIdentifiers=["/ecs/empty"], logGroupNamePrefix="/ecs")


def test_log_group_class(logs: Any) -> None:
    assert names(logs.describe_log_groups(logGroupClass="ESSENTIALS")["logGroups"]) == ["/ecs/empty"]
    assert names(logs.describe_log_groups(logGroupClass="STANDARD")["logGroups"]) == [
        n for n in VISIBLE if n != "/ecs/empty"
    ]


def test_no_logs_at_all(replay: Any) -> None:
    session, _ = replay({})
    assert session.client("logs").describe_log_groups()["logGroups"] == []


# --- DescribeLogStreams ----------------------------------------------------------------------------

ORDERS = "/aws/lambda/orders"


def stream_names(out: dict[str, Any]) -> list[str]:
    return [s["logStreamName"] for s in out["logStreams"]]


def test_streams_by_name_with_event_times(logs: Any) -> None:
    out = logs.describe_log_streams(logGroupName=ORDERS)
    assert stream_names(out) == [
        "2024/05/01/[$LATEST]aaa",
        "2024/05/01/[$LATEST]bbb",
        "2024/05/01/[$LATEST]ccc",
    ]
    aaa = out["logStreams"][0]
    assert aaa == {
        "logStreamName": "2024/05/01/[$LATEST]aaa",
        "creationTime": T0 + HOUR,
        "firstEventTimestamp": T0 + HOUR,
        "lastEventTimestamp": T0 + 3 * HOUR,
        "lastIngestionTime": T0 + 3 * HOUR,
        "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{ORDERS}:log-stream:2024/05/01/[$LATEST]aaa",
        "storedBytes": 0,
    }
    # The event stamped after now has not happened yet.
    assert out["logStreams"][2]["lastEventTimestamp"] == T0 + 30 * 60_000


def test_streams_by_last_event_time(logs: Any) -> None:
    ccc, aaa, bbb = "2024/05/01/[$LATEST]ccc", "2024/05/01/[$LATEST]aaa", "2024/05/01/[$LATEST]bbb"
    assert stream_names(logs.describe_log_streams(logGroupName=ORDERS, orderBy="LastEventTime")) == [
        ccc,
        bbb,
        aaa,
    ]
    out = logs.describe_log_streams(logGroupName=ORDERS, orderBy="LastEventTime", descending=True)
    assert stream_names(out) == [aaa, bbb, ccc]
    out = logs.describe_log_streams(logGroupName=ORDERS, descending=True)
    assert stream_names(out) == [ccc, bbb, aaa]


def test_stream_prefix(logs: Any) -> None:
    out = logs.describe_log_streams(logGroupName=ORDERS, logStreamNamePrefix="2024/05/01/[$LATEST]b")
    assert stream_names(out) == ["2024/05/01/[$LATEST]bbb"]
    assert logs.describe_log_streams(logGroupName=ORDERS, logStreamNamePrefix="later")["logStreams"] == []


def test_prefix_with_last_event_time_is_refused(logs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupName=ORDERS, orderBy="LastEventTime", logStreamNamePrefix="2024")
    assert error_of(exc) == (
        "InvalidParameterException",
        "Cannot order by LastEventTime with a logStreamNamePrefix.",
    )


@pytest.mark.parametrize("group", ["/nope", "late/group", "/aws/lambda/zz-created-later"])
def test_unknown_group(logs: Any, group: str) -> None:
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupName=group)
    assert error_of(exc) == ("ResourceNotFoundException", "The specified log group does not exist.")


def test_declared_group_without_events_has_no_streams(logs: Any) -> None:
    assert logs.describe_log_streams(logGroupName="/ecs/empty")["logStreams"] == []


def test_group_identifier_by_arn_or_name(logs: Any) -> None:
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/payments"
    assert stream_names(logs.describe_log_streams(logGroupIdentifier=arn)) == ["i-1"]
    assert stream_names(logs.describe_log_streams(logGroupIdentifier="/aws/lambda/payments")) == ["i-1"]
    other_account = arn.replace(ACCOUNT, "999999999999")
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupIdentifier=other_account)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_exactly_one_group_parameter(logs: Any) -> None:
    for kwargs in ({}, {"logGroupName": ORDERS, "logGroupIdentifier": ORDERS}):
        with pytest.raises(ClientError) as exc:
            logs.describe_log_streams(**kwargs)
        assert error_of(exc)[0] == "InvalidParameterException"


def test_stream_pages(logs: Any) -> None:
    first = logs.describe_log_streams(logGroupName=ORDERS, limit=2, descending=True)
    rest = logs.describe_log_streams(
        logGroupName=ORDERS, limit=2, descending=True, nextToken=first["nextToken"]
    )
    assert stream_names(first) + stream_names(rest) == [
        "2024/05/01/[$LATEST]ccc",
        "2024/05/01/[$LATEST]bbb",
        "2024/05/01/[$LATEST]aaa",
    ]
    assert "nextToken" not in rest
    with pytest.raises(ClientError):
        logs.describe_log_streams(logGroupName=ORDERS, limit=2, nextToken=first["nextToken"])
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupName=ORDERS, limit=51)
    assert error_of(exc)[0] == "InvalidParameterException"
