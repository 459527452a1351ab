"""AWS Health replay: event filters, newest-first order, paging, details and affected entities at `now`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from evals.replay import ReplayUnsupported

EV = "arn:aws:health:us-east-1::event"
EC2_ISSUE = f"{EV}/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_1"
RDS_ISSUE = f"{EV}/RDS/AWS_RDS_OPERATIONAL_ISSUE/AWS_RDS_OPERATIONAL_ISSUE_2"
OLD = f"{EV}/LAMBDA/AWS_LAMBDA_OPERATIONAL_ISSUE/AWS_LAMBDA_OPERATIONAL_ISSUE_3"
MAINT = f"{EV}/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_4"
FUTURE = f"{EV}/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_5"
INSTANCE = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"


def health(
    arn: str,
    service: str,
    start: str,
    updated: str,
    status: str = "open",
    category: str = "issue",
    az: str | None = None,
    end: str | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    event = {
        "arn": arn,
        "service": service,
        "eventTypeCode": arn.split("/")[2],
        "eventTypeCategory": category,
        "region": "us-east-1",
        "startTime": start,
        "lastUpdatedTime": updated,
        "statusCode": status,
        "eventScopeCode": "ACCOUNT_SPECIFIC",
    }
    if az:
        event["availabilityZone"] = az
    if end:
        event["endTime"] = end
    return {
        "source": "health",
        "item": {"event": event, "description": f"about {service}", "affected_entities": entities or []},
    }


@pytest.fixture
def hc(replay: Callable[..., Any]) -> Any:
    events = [
        health(
            OLD,
            "LAMBDA",
            "2024-04-30T10:00:00Z",
            "2024-04-30T12:00:00Z",
            "closed",
            end="2024-04-30T12:00:00Z",
        ),
        health(
            EC2_ISSUE,
            "EC2",
            "2024-05-01T04:00:00Z",
            "2024-05-01T07:00:00Z",
            "closed",
            az="us-east-1a",
            end="2024-05-01T07:00:00Z",
            entities=[
                {
                    "entityValue": "i-0abc",
                    "entityArn": INSTANCE,
                    "statusCode": "IMPAIRED",
                    "lastUpdatedTime": "2024-05-01T04:10:00Z",
                },
                {
                    "entityValue": "i-0def",
                    "statusCode": "IMPAIRED",
                    "lastUpdatedTime": "2024-05-01T06:30:00Z",
                },
            ],
        ),
        health(
            RDS_ISSUE,
            "RDS",
            "2024-05-01T05:00:00Z",
            "2024-05-01T05:30:00Z",
            entities=[
                {"entityValue": f"db-{i}", "statusCode": "IMPAIRED" if i % 2 else "UNIMPAIRED"}
                for i in range(5)
            ],
        ),
        health(MAINT, "EC2", "2024-05-09T00:00:00Z", "2024-05-01T02:00:00Z", "upcoming", "scheduledChange"),
        health(FUTURE, "EC2", "2024-05-01T06:30:00Z", "2024-05-01T06:30:00Z"),
    ]
    session, _ = replay({"events": events})
    return session.client("health")


def arns(resp: dict[str, Any]) -> list[str]:
    return [e["arn"] for e in resp["events"]]


def test_events_newest_first_and_as_of_now(hc: Any) -> None:
    events = hc.describe_events()["events"]
    # EC2_ISSUE was updated after now: its last known touch at now is its start (04:00).
    assert [e["arn"] for e in events] == [RDS_ISSUE, EC2_ISSUE, MAINT, OLD]
    ec2 = events[1]
    assert ec2["statusCode"] == "open" and "endTime" not in ec2  # it closed only at 07:00, after now
    assert ec2["lastUpdatedTime"] == datetime(2024, 5, 1, 4, tzinfo=UTC)


def test_event_filters(hc: Any) -> None:
    assert arns(hc.describe_events(filter={"services": ["EC2"]})) == [EC2_ISSUE, MAINT]
    assert arns(hc.describe_events(filter={"services": ["EC2"], "eventStatusCodes": ["open"]})) == [EC2_ISSUE]
    assert arns(hc.describe_events(filter={"eventTypeCategories": ["scheduledChange"]})) == [MAINT]
    assert arns(hc.describe_events(filter={"availabilityZones": ["us-east-1a"]})) == [EC2_ISSUE]
    window = {"from": datetime(2024, 5, 1, 3, tzinfo=UTC), "to": datetime(2024, 5, 1, 4, tzinfo=UTC)}
    assert arns(hc.describe_events(filter={"startTimes": [window]})) == [EC2_ISSUE]  # "to" is inclusive
    assert arns(hc.describe_events(filter={"endTimes": [{"from": datetime(2024, 4, 30, tzinfo=UTC)}]})) == [
        OLD
    ]
    assert arns(hc.describe_events(filter={"entityValues": ["i-0abc"]})) == [EC2_ISSUE]
    assert arns(hc.describe_events(filter={"entityArns": [INSTANCE]})) == [EC2_ISSUE]
    # i-0def was only listed as affected at 06:30, after now.
    assert arns(hc.describe_events(filter={"entityValues": ["i-0def"]})) == []
    assert arns(hc.describe_events(filter={"eventArns": [OLD, FUTURE]})) == [OLD]
    with pytest.raises(ReplayUnsupported):
        hc.describe_events(filter={"tags": {"team": ["core"]}})


def test_events_paging(hc: Any) -> None:
    first = hc.describe_events(maxResults=3)
    assert arns(first) == [RDS_ISSUE, EC2_ISSUE, MAINT]
    rest = hc.describe_events(maxResults=3, nextToken=first["nextToken"])
    assert arns(rest) == [OLD] and "nextToken" not in rest
    with pytest.raises(hc.exceptions.InvalidPaginationToken):
        hc.describe_events(filter={"services": ["EC2"]}, maxResults=3, nextToken=first["nextToken"])


def test_event_details(hc: Any) -> None:
    out = hc.describe_event_details(eventArns=[RDS_ISSUE, FUTURE])
    assert [s["event"]["arn"] for s in out["successfulSet"]] == [RDS_ISSUE]
    assert out["successfulSet"][0]["eventDescription"]["latestDescription"] == "about RDS"
    assert [f["eventArn"] for f in out["failedSet"]] == [FUTURE]


def test_affected_entities(hc: Any) -> None:
    ec2 = hc.describe_affected_entities(filter={"eventArns": [EC2_ISSUE]})["entities"]
    assert [(e["entityValue"], e["eventArn"]) for e in ec2] == [("i-0abc", EC2_ISSUE)]
    impaired = hc.describe_affected_entities(filter={"eventArns": [RDS_ISSUE], "statusCodes": ["IMPAIRED"]})
    assert [e["entityValue"] for e in impaired["entities"]] == ["db-1", "db-3"]
    first = hc.describe_affected_entities(filter={"eventArns": [RDS_ISSUE]}, maxResults=2)
    second = hc.describe_affected_entities(
        filter={"eventArns": [RDS_ISSUE]}, maxResults=2, nextToken=first["nextToken"]
    )
    assert [e["entityValue"] for e in first["entities"] + second["entities"]] == [
        "db-0",
        "db-1",
        "db-2",
        "db-3",
    ]
    assert hc.describe_affected_entities(filter={"eventArns": [FUTURE]})["entities"] == []
