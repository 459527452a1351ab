"""CloudTrail LookupEvents replay, over real CloudTrail records (stratus-red-team samples) and synthetic ones."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.bundle import Bundle
from evals.replay import replay_session
from evals.replay.services.cloudtrail import username
from tests.conftest import DATA, make_bundle

SAMPLES = DATA / "cloudtrail-samples"
# 90 days before this "now" is 2024-07-30T00:00Z: every sample up to 2024-10-17 is visible (304 of them),
# the six of late November have not happened yet.
NOW = "2024-10-28T00:00:00Z"
VISIBLE = 304


def _samples() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(SAMPLES.glob("*.json")):
        records += json.loads(path.read_text())
    return records


@pytest.fixture(scope="module")
def trail() -> Any:
    bundle = make_bundle(
        {"cloudtrail": _samples()}, start="2024-07-01T00:00:00Z", end="2024-10-28T00:00:00Z", now=NOW
    )
    session, _ = replay_session(bundle)
    return session.client("cloudtrail")


def _all(client: Any, **kwargs: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    pages = client.get_paginator("lookup_events").paginate(**kwargs)
    for page in pages:
        events += page["Events"]
    return events


def _by(key: str, value: str) -> dict[str, Any]:
    return {"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]}


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


# --- time window, order, pagination ----------------------------------------------------------------


def test_default_window_is_the_last_90_days_newest_first_in_pages_of_50(trail: Any) -> None:
    first = trail.lookup_events()
    assert len(first["Events"]) == 50
    assert first["Events"][0]["EventName"] == "InvokeModel"  # 2024-10-17T20:11:24Z, the latest before now
    events = _all(trail)
    assert len(events) == VISIBLE
    assert len({e["EventId"] for e in events}) == VISIBLE
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True)
    assert times[0] == datetime(2024, 10, 17, 20, 11, 24, tzinfo=UTC)
    assert times[-1] >= datetime(2024, 7, 30, tzinfo=UTC)


def test_a_day_later_the_oldest_day_has_aged_out(trail: Any) -> None:
    session, _ = replay_session(
        make_bundle(
            {"cloudtrail": _samples()},
            start="2024-10-01T00:00:00Z",
            end="2024-10-30T00:00:00Z",
            now="2024-10-29T00:00:00Z",
        )
    )
    events = _all(session.client("cloudtrail"))
    assert len(events) == VISIBLE - 36  # the 36 records of 2024-07-30 are now older than 90 days


def test_start_and_end_are_inclusive_and_end_never_passes_now(trail: Any) -> None:
    # AttachRolePolicy and CreateRole happened at 13:37:41; the bounds include that very second.
    at = datetime(2024, 8, 1, 13, 37, 41, tzinfo=UTC)
    events = trail.lookup_events(StartTime=at, EndTime=at)["Events"]
    assert sorted(e["EventName"] for e in events) == ["AttachRolePolicy", "CreateRole"]
    future = trail.lookup_events(
        StartTime=datetime(2024, 10, 17, tzinfo=UTC), EndTime=datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert {e["EventTime"].date().isoformat() for e in future["Events"]} == {"2024-10-17"}


def test_max_results_and_next_token(trail: Any) -> None:
    page1 = trail.lookup_events(MaxResults=7, **_by("ReadOnly", "false"))
    assert len(page1["Events"]) == 7
    page2 = trail.lookup_events(MaxResults=50, NextToken=page1["NextToken"], **_by("ReadOnly", "false"))
    assert "NextToken" not in page2
    ids = [e["EventId"] for e in page1["Events"] + page2["Events"]]
    assert len(ids) == len(set(ids)) == 44


def test_request_errors(trail: Any) -> None:
    two = {
        "LookupAttributes": [
            {"AttributeKey": "EventName", "AttributeValue": "a"},
            {"AttributeKey": "Username", "AttributeValue": "b"},
        ]
    }
    cases: list[tuple[dict[str, Any], str]] = [
        (two, "InvalidLookupAttributesException"),
        (_by("Region", "us-east-1"), "InvalidLookupAttributesException"),
        (_by("ReadOnly", "yes"), "InvalidLookupAttributesException"),
        (
            {"StartTime": datetime(2024, 9, 2, tzinfo=UTC), "EndTime": datetime(2024, 9, 1, tzinfo=UTC)},
            "InvalidTimeRangeException",
        ),
        ({"StartTime": datetime(2024, 11, 1, tzinfo=UTC)}, "InvalidTimeRangeException"),  # after now, the end
        ({"MaxResults": 51}, "InvalidMaxResultsException"),
        ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ClientError) as exc:
            trail.lookup_events(**kwargs)
        assert _code(exc) == code, kwargs
    token = trail.lookup_events(MaxResults=1, **_by("ReadOnly", "true"))["NextToken"]
    with pytest.raises(ClientError) as exc:
        trail.lookup_events(NextToken=token, **_by("ReadOnly", "false"))
    assert _code(exc) == "InvalidNextTokenException"


# --- every lookup attribute, on the real records ------------------------------------------------------


def test_event_id_gives_the_whole_start_instances_event(trail: Any) -> None:
    [event] = trail.lookup_events(**_by("EventId", "55e470c0-611d-4549-ad87-a7c830a75063"))["Events"]
    record = json.loads(event.pop("CloudTrailEvent"))
    assert record["requestID"] == "0c9bbf8a-a6f6-4e64-8396-78017a647f26"
    assert record["responseElements"]["instancesSet"]["items"][0]["currentState"]["name"] == "pending"
    assert event == {
        "EventId": "55e470c0-611d-4549-ad87-a7c830a75063",
        "EventName": "StartInstances",
        "ReadOnly": "false",
        "AccessKeyId": "AKIAZI86ACIZ2J9CV86Z",
        "EventTime": datetime(2024, 8, 1, 12, 4, 19, tzinfo=UTC),
        "EventSource": "ec2.amazonaws.com",
        "Username": "christophe",
        "Resources": [{"ResourceType": "AWS::EC2::Instance", "ResourceName": "i-DDd6c7B0e18F0E35f"}],
    }


def test_event_name_and_derived_resources(trail: Any) -> None:
    expected = {
        "AuthorizeSecurityGroupIngress": [
            {"ResourceType": "AWS::EC2::SecurityGroup", "ResourceName": "sg-003dc7f1f1c686164"}
        ],
        # The request names the function by ARN; the response's bare name is not listed again.
        "UpdateFunctionConfiguration20150331v2": [
            {
                "ResourceType": "AWS::Lambda::Function",
                "ResourceName": "arn:aws:lambda:eugov-eastcentral-1r:712967571683:function:"
                "stratus-red-team-lambda-layer-simpleLambda",
            }
        ],
        "AttachRolePolicy": [
            {
                "ResourceType": "AWS::IAM::Policy",
                "ResourceName": "arn:aws:iam::aws:policy/AdministratorAccess",
            },
            {"ResourceType": "AWS::IAM::Role", "ResourceName": "stratus-red-team-malicious-iam-role"},
        ],
        "DeleteFlowLogs": [{"ResourceType": "AWS::EC2::FlowLog", "ResourceName": "fl-0e17aa62a21d4bbfe"}],
        "DeleteTrail": [
            {
                "ResourceType": "AWS::CloudTrail::Trail",
                "ResourceName": "stratus-red-team-cloudtraild-trail-kvrwohmiai",
            }
        ],
    }
    for name, resources in expected.items():
        [event] = trail.lookup_events(**_by("EventName", name))["Events"]
        assert event["Resources"] == resources, name


def test_record_resources_without_a_type_have_no_resource_type(trail: Any) -> None:
    events = trail.lookup_events(**_by("EventName", "GetParameters"))["Events"]
    assert len(events) == 5
    last = min(events, key=lambda e: len(e["Resources"]))  # the call that fetched two parameters
    arn = "arn:aws:ssm:cn-west-3r:933175858973:parameter/credentials/stratus-red-team/credentials-"
    assert last["Resources"] == [
        {"ResourceName": arn + "12"},
        {"ResourceName": arn + "40"},
        {
            "ResourceType": "AWS::SSM::Parameter",
            "ResourceName": "/credentials/stratus-red-team/credentials-12",
        },
        {
            "ResourceType": "AWS::SSM::Parameter",
            "ResourceName": "/credentials/stratus-red-team/credentials-40",
        },
    ]


def test_read_only_splits_the_history(trail: Any) -> None:
    writes = _all(trail, **_by("ReadOnly", "false"))
    reads = _all(trail, **_by("ReadOnly", "true"))
    assert (len(writes), len(reads)) == (44, 260)
    assert {e["ReadOnly"] for e in writes} == {"false"}


def test_username_of_an_assumed_role_is_the_session_name(trail: Any) -> None:
    [event] = trail.lookup_events(**_by("Username", "aws-go-sdk-1722511821294449000"))["Events"]
    assert event["EventName"] == "RunInstances"
    # The call failed (UnauthorizedOperation), so only the request names resources.
    assert event["Resources"] == [
        {"ResourceType": "AWS::EC2::Ami", "ResourceName": "ami-aCBbfd13bdb1d1E4b"},
        {"ResourceType": "AWS::EC2::Subnet", "ResourceName": "subnet-0e540f0c7ffb48ae9"},
    ]


def test_resource_type_and_resource_name(trail: Any) -> None:
    roles = trail.lookup_events(**_by("ResourceType", "AWS::IAM::Role"))["Events"]
    # Three IAM calls name a role in their request; eight AssumeRole records list the role in `resources`.
    assert Counter(e["EventName"] for e in roles) == {
        "AssumeRole": 8,
        "AttachRolePolicy": 1,
        "CreateRole": 1,
        "UpdateAssumeRolePolicy": 1,
    }
    named = trail.lookup_events(**_by("ResourceName", "stratus-red-team-malicious-iam-role"))["Events"]
    assert sorted(e["EventName"] for e in named) == ["AttachRolePolicy", "CreateRole"]
    assert trail.lookup_events(**_by("ResourceName", "stratus-red-team-malicious"))["Events"] == []  # exact


def test_event_source_and_access_key(trail: Any) -> None:
    lambdas = trail.lookup_events(**_by("EventSource", "lambda.amazonaws.com"))["Events"]
    assert sorted(e["EventName"] for e in lambdas) == [
        "AddPermission20150331v2",
        "UpdateFunctionCode20150331v2",
        "UpdateFunctionConfiguration20150331v2",
    ]
    keyed = trail.lookup_events(**_by("AccessKeyId", "AKIAOZUDECYXYM4ONAN4"))["Events"]
    assert sorted(e["EventName"] for e in keyed) == ["AttachUserPolicy", "CreateAccessKey", "CreateUser"]
    assert {e["Username"] for e in keyed} == {"christophe"}


# --- user names for every identity type ---------------------------------------------------------------


def test_username_derivation() -> None:
    federated = next(r for r in _samples() if r["userIdentity"]["type"] == "FederatedUser")
    assert username(federated["userIdentity"]) == "stratus_red_team"
    assert username({"type": "IAMUser", "userName": "alice", "arn": "arn:aws:iam::1:user/alice"}) == "alice"
    assert username({"type": "Root", "arn": "arn:aws:iam::123456789012:root"}) == "root"
    assert (
        username({"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"})
        == "autoscaling.amazonaws.com"
    )
    role = {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/deployer/ci-run-42", "principalId": ""}
    assert username(role) == "ci-run-42"
    assert username({"type": "AWSAccount", "principalId": "AIDAEXAMPLE", "accountId": "111122223333"}) is None
    assert username(None) is None


# --- categories, visibility, scale ---------------------------------------------------------------------


def _record(when: datetime, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "autoscaling.amazonaws.com",
        "eventName": name,
        "eventID": f"{name}-{when:%H%M%S}",
        "userIdentity": {"type": "IAMUser", "userName": "ops", "accessKeyId": "AKIAOPS"},
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "eventCategory": "Management",
        **extra,
    }


def test_insight_data_and_future_events() -> None:
    now = datetime(2024, 5, 1, 6, tzinfo=UTC)
    insight = _record(
        now - timedelta(hours=2),
        "UpdateAutoScalingGroup",
        eventType="AwsCloudTrailInsight",
        eventCategory="Insight",
    )
    for key in ("managementEvent", "userIdentity", "readOnly"):
        del insight[key]  # Insights events carry none of these
    data = _record(now - timedelta(hours=1), "GetObject", managementEvent=False, eventCategory="Data")
    change = _record(
        now - timedelta(hours=3),
        "UpdateAutoScalingGroup",
        requestParameters={"autoScalingGroupName": "web", "desiredCapacity": 0},
    )
    later = _record(now + timedelta(minutes=1), "DeleteAutoScalingGroup")
    session, _ = replay_session(make_bundle({"cloudtrail": [insight, data, change, later]}))
    client = session.client("cloudtrail")
    [event] = client.lookup_events()["Events"]
    assert event["EventId"] == change["eventID"]
    assert event["Resources"] == [
        {"ResourceType": "AWS::AutoScaling::AutoScalingGroup", "ResourceName": "web"}
    ]
    [found] = client.lookup_events(EventCategory="insight")["Events"]
    assert found["EventId"] == insight["eventID"]
    assert "Username" not in found and "ReadOnly" not in found
    named = client.lookup_events(EventCategory="insight", **_by("EventName", "UpdateAutoScalingGroup"))
    assert [e["EventId"] for e in named["Events"]] == [insight["eventID"]]
    with pytest.raises(ClientError) as exc:
        client.lookup_events(EventCategory="insight", **_by("Username", "ops"))
    assert _code(exc) == "InvalidLookupAttributesException"
    assert (
        client.lookup_events(EndTime=now + timedelta(days=1), **_by("EventName", "DeleteAutoScalingGroup"))[
            "Events"
        ]
        == []
    )


def test_a_lookup_in_100000_records_takes_under_200_ms(tmp_path: Path) -> None:
    # Written as a bundle on disk, the way large captures arrive (and much faster to set up than in memory).
    (tmp_path / "manifest.json").write_text(
        make_bundle(start="2024-04-01T00:00:00Z")._manifest_bytes().decode()
    )
    names = ["UpdateService", "PutParameter", "ModifyDBInstance", "UpdateAutoScalingGroup", "RunInstances"]
    start = datetime(2024, 2, 1, tzinfo=UTC).timestamp()
    line = (
        '{{"eventVersion":"1.09","eventTime":"{time}","eventSource":"autoscaling.amazonaws.com",'
        '"eventName":"{name}","eventID":"ev-{i:06d}","readOnly":false,"eventType":"AwsApiCall",'
        '"userIdentity":{{"type":"IAMUser","userName":"user-{u}","accessKeyId":"AKIA{u}"}},'
        '"requestParameters":{{"autoScalingGroupName":"group-{g}"}}}}\n'
    )
    with (tmp_path / "cloudtrail.jsonl").open("w") as out:
        for i in range(100_000):
            when = datetime.fromtimestamp(start + 77 * i, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.write(line.format(time=when, name=names[i % 5], i=i, u=i % 40, g=i % 300))
    session, _ = replay_session(Bundle.load(tmp_path, validate=False))
    client = session.client("cloudtrail")
    client.lookup_events(MaxResults=1)  # builds the index once per bundle
    lookups = [
        {},
        _by("EventName", "ModifyDBInstance"),
        _by("Username", "user-7"),
        _by("ResourceName", "group-123"),
        {"StartTime": datetime(2024, 3, 1, tzinfo=UTC), "EndTime": datetime(2024, 3, 2, tzinfo=UTC)},
    ]
    for kwargs in lookups:
        began = time.perf_counter()
        events = client.lookup_events(**kwargs)["Events"]
        assert time.perf_counter() - began < 0.2, kwargs
        assert len(events) == 50
    # The newest record naming group-123 is number 99,723 (99,723 = 332 * 300 + 123).
    newest = client.lookup_events(MaxResults=1, **_by("ResourceName", "group-123"))["Events"][0]
    assert newest["EventId"] == "ev-099723"
