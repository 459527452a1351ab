"""Change tools over real CloudTrail records (stratus-red-team detonations), replayed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import DATA
from tools.changes import cloudtrail_lookup, recent_changes
from tools.result import ToolStatus

NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
WINDOW = {"start": "2024-05-01T00:00:00Z", "end": "2024-05-01T06:00:00Z"}


def real_records() -> list[dict[str, Any]]:
    """Every sample record, its time moved into the test window (order kept), all else as recorded."""
    records: list[dict[str, Any]] = []
    for path in sorted((DATA / "cloudtrail-samples").glob("*.json")):
        records += json.loads(path.read_text())
    records.sort(key=lambda r: r["eventTime"])
    step = timedelta(hours=5) / len(records)
    for i, record in enumerate(records):
        record["eventTime"] = (NOW - timedelta(hours=5, minutes=30) + i * step).strftime("%Y-%m-%dT%H:%M:%SZ")
    return records


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return real_records()


def test_recent_changes_are_writes_normalised_newest_first(
    tool_ctx: Any, records: list[dict[str, Any]]
) -> None:
    ctx = tool_ctx({"cloudtrail": records})
    res = recent_changes.run(ctx, {**WINDOW, "limit": 60})
    assert res.status is ToolStatus.OK
    assert res.data is not None
    changes = res.data.changes
    assert [c.time for c in changes] == sorted((c.time for c in changes), reverse=True)
    actions = {c.action for c in changes}
    assert {"StartInstances", "AuthorizeSecurityGroupIngress", "AttachRolePolicy"} <= actions
    assert not actions & {"DescribeInstances", "GetSecretValue"}  # reads are not changes
    assert "ConsoleLogin" not in actions  # machinery, dropped as noise
    assert res.data.dropped_as_noise >= 1
    start = next(c for c in changes if c.action == "StartInstances")
    assert start.source == "ec2.amazonaws.com"
    assert any(r.startswith("i-") for r in start.resources)
    assert start.who != "?"


def test_failed_calls_carry_their_error_and_can_be_left_out(
    tool_ctx: Any, records: list[dict[str, Any]]
) -> None:
    ctx = tool_ctx({"cloudtrail": records})
    everything = recent_changes.run(ctx, {**WINDOW, "limit": 60})
    assert everything.data is not None
    failed = [c for c in everything.data.changes if c.error]
    assert failed
    assert any(c.action == "RunInstances" for c in failed)
    clean = recent_changes.run(ctx, {**WINDOW, "limit": 60, "include_failed": False})
    assert clean.data is not None
    assert not [c for c in clean.data.changes if c.error]


def test_filter_by_resource(tool_ctx: Any, records: list[dict[str, Any]]) -> None:
    ctx = tool_ctx({"cloudtrail": records})
    sg_change = next(r for r in records if r["eventName"] == "AuthorizeSecurityGroupIngress")
    group = sg_change["requestParameters"]["groupId"]
    res = recent_changes.run(ctx, {**WINDOW, "resources": [group]})
    assert res.data is not None
    assert [c.action for c in res.data.changes] == ["AuthorizeSecurityGroupIngress"]
    assert group in res.data.changes[0].params


def test_lookup_by_event_id(tool_ctx: Any, records: list[dict[str, Any]]) -> None:
    ctx = tool_ctx({"cloudtrail": records})
    target = next(r for r in records if r["eventName"] == "UpdateFunctionConfiguration20150331v2")
    res = cloudtrail_lookup.run(ctx, {**WINDOW, "key": "EventId", "value": target["eventID"]})
    assert res.status is ToolStatus.OK
    assert res.data is not None
    assert [e.event_id for e in res.data.events] == [target["eventID"]]
    missing = cloudtrail_lookup.run(ctx, {**WINDOW, "key": "EventName", "value": "DeleteEverything"})
    assert missing.status is ToolStatus.NO_DATA


def test_impossible_window_is_a_usage_error(tool_ctx: Any) -> None:
    res = recent_changes.run(tool_ctx(), {"start": WINDOW["end"], "end": WINDOW["start"]})
    assert (res.status, res.error_code) == (ToolStatus.ERROR, "usage")


def test_a_service_linked_role_is_the_platform_acting_even_without_a_session_context(tool_ctx: Any) -> None:
    """Application Auto Scaling resizing a table writes a record whose identity names its
    service-linked role only in the session's ARN: it is still the platform reacting, dropped as a
    routine service event like one whose session context names the role, and kept when asked for."""
    record = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAOOTVA7CEMSJ5OVDWN:AutoScaling",
            "arn": "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/AutoScaling",
            "accountId": "123456789012",
            "invokedBy": "application-autoscaling.amazonaws.com",
        },
        "eventTime": "2024-05-01T05:00:00Z",
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": "UpdateTable",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "application-autoscaling.amazonaws.com",
        "userAgent": "application-autoscaling.amazonaws.com",
        "requestParameters": {
            "tableName": "checkins",
            "provisionedThroughput": {"readCapacityUnits": 100, "writeCapacityUnits": 125},
        },
        "responseElements": {"tableDescription": {"tableName": "checkins", "tableStatus": "UPDATING"}},
        "requestID": "b5f2f0d3-c135-49f1-aa66-0ce5e9b172f6",
        "eventID": "59148d7f-ca36-4b0b-b83e-fa551729474e",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
    }
    ctx = tool_ctx({"cloudtrail": [record]})
    routine = recent_changes.run(ctx, WINDOW)
    assert routine.data is not None
    assert (routine.data.changes, routine.data.dropped_as_noise) == ([], 1)
    asked = recent_changes.run(ctx, {**WINDOW, "include_service_events": True})
    assert asked.data is not None
    (change,) = asked.data.changes
    assert change.principal_type == "AWSService"
    assert change.who == "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/AutoScaling"


def _assume(minute: int, error: str | None, session: str) -> dict[str, Any]:
    """A task assuming a role for a tenant, as CloudTrail records it; refused when `error` is set."""
    role = "arn:aws:iam::123456789012:role/tenant-export-writer"
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAJOMYVALFG6QGZ3BKY:{session}",
            "arn": f"arn:aws:sts::123456789012:assumed-role/export-worker-task/{session}",
            "accountId": "123456789012",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAJOMYVALFG6QGZ3BKY",
                    "arn": "arn:aws:iam::123456789012:role/export-worker-task",
                    "accountId": "123456789012",
                    "userName": "export-worker-task",
                }
            },
        },
        "eventTime": (NOW - timedelta(minutes=60 - minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "10.20.3.14",
        "userAgent": "Boto3/1.34.40 md/Botocore#1.34.40",
        "requestParameters": {
            "roleArn": role,
            "roleSessionName": f"export-{minute}",
            "durationSeconds": 14400,
        },
        "responseElements": None,
        "requestID": f"5e0c9d7a-0000-4000-8000-{minute:012d}",
        "eventID": f"7b1c9d7a-0000-4000-8000-{minute:012d}",
        "readOnly": False,
        "resources": [{"accountId": "123456789012", "type": "AWS::IAM::Role", "ARN": role}],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
    }
    if error:
        record["errorCode"] = error
        record["errorMessage"] = (
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
    return record


def test_routine_calls_are_machinery_until_refused_and_alike_refusals_fold_into_one(tool_ctx: Any) -> None:
    calls = [_assume(m, None, f"s{m}") for m in range(0, 20)]
    calls += [_assume(m, "ValidationError", f"s{m}") for m in range(20, 50)]
    ctx = tool_ctx({"cloudtrail": calls})
    res = recent_changes.run(ctx, WINDOW)
    assert res.data is not None
    (refused,) = res.data.changes
    assert refused.action == "AssumeRole" and refused.error and refused.error.startswith("ValidationError")
    assert refused.repeats == 30
    assert refused.first is not None and refused.first < refused.time
    assert res.data.dropped_as_noise == 20  # the ones that succeeded
