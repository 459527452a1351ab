"""AWS Health tool over replayed bundles: events active in a window, their entities, and no subscription."""

from __future__ import annotations

from typing import Any

import pytest

import evals.replay.registry as replay_registry
from evals.replay import AwsError
from tools.health import health_events
from tools.result import ToolStatus

EV = "arn:aws:health:us-east-1::event"
WINDOW = {"start": "2024-05-01T04:00:00Z", "end": "2024-05-01T06:00:00Z"}


def health(
    code: str,
    service: str,
    start: str,
    end: str | None = None,
    region: str = "us-east-1",
    entities: tuple[str, ...] = (),
    category: str = "issue",
) -> dict[str, Any]:
    arn = f"{EV}/{service}/{code}/{code}_{start[11:13]}"
    event = {
        "arn": arn,
        "service": service,
        "eventTypeCode": code,
        "eventTypeCategory": category,
        "region": region,
        "startTime": start,
        "lastUpdatedTime": end or start,
        "statusCode": "closed" if end else "open",
        "eventScopeCode": "ACCOUNT_SPECIFIC",
    }
    if end:
        event["endTime"] = end
    return {
        "source": "health",
        "item": {
            "event": event,
            "description": f"{service} issue. Contact us at token=abcd1234secret",
            "affected_entities": [
                {
                    "entityValue": e,
                    "entityArn": f"{arn}/{e}",
                    "statusCode": "IMPAIRED",
                    "lastUpdatedTime": start,
                }
                for e in entities
            ],
        },
    }


EVENTS = [
    # Closed before the window: not active in it.
    health("AWS_EC2_OPERATIONAL_ISSUE", "EC2", "2024-05-01T01:00:00Z", end="2024-05-01T02:00:00Z"),
    # Started before the window, still open: active.
    health("AWS_RDS_OPERATIONAL_ISSUE", "RDS", "2024-05-01T03:00:00Z", entities=("orders-1",)),
    health(
        "AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED",
        "EC2",
        "2024-05-01T05:10:00Z",
        entities=("i-0abc", "i-0def"),
    ),
    # Another region: not ours.
    health("AWS_EC2_OPERATIONAL_ISSUE", "EC2", "2024-05-01T05:00:00Z", region="eu-west-1"),
    health(
        "AWS_IAM_OPERATIONAL_ISSUE",
        "IAM",
        "2024-05-01T05:20:00Z",
        end="2024-05-01T05:40:00Z",
        region="global",
    ),
]


def test_health_events_active_in_window_with_entities(tool_ctx: Any) -> None:
    res = health_events.run(tool_ctx({"events": EVENTS}), WINDOW)
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert [(e.service, e.start.strftime("%H:%M") if e.start else None) for e in res.data.events] == [
        ("IAM", "05:20"),
        ("EC2", "05:10"),
        ("RDS", "03:00"),
    ]
    ec2 = res.data.events[1]
    assert [x.value for x in ec2.entities] == ["i-0abc", "i-0def"]
    assert ec2.description.startswith("EC2 issue") and "abcd1234secret" not in ec2.description
    assert res.data.events[2].end is None  # still open
    assert "affecting i-0abc,i-0def" in res.summary
    regional = health_events.run(tool_ctx({"events": EVENTS}), {**WINDOW, "include_global": False})
    assert regional.data is not None and [e.service for e in regional.data.events] == ["EC2", "RDS"]
    only_rds = health_events.run(tool_ctx({"events": EVENTS}), {**WINDOW, "services": ["RDS"]})
    assert only_rds.data is not None and [e.entities[0].value for e in only_rds.data.events] == ["orders-1"]


def test_health_events_limit_and_none(tool_ctx: Any) -> None:
    many = [health("AWS_EC2_OPERATIONAL_ISSUE", "EC2", f"2024-05-01T{h:02d}:30:00Z") for h in range(4, 6)]
    many += [health(f"AWS_EC2_ISSUE_{k}", "EC2", "2024-05-01T04:10:00Z") for k in range(12)]
    res = health_events.run(tool_ctx({"events": many}), {**WINDOW, "limit": 11})
    assert res.data is not None and len(res.data.events) == 11
    assert res.has_more and res.total == 14
    assert res.data.events[0].start is not None and res.data.events[0].start.hour == 5
    quiet = health_events.run(tool_ctx({"events": EVENTS[:1]}), WINDOW)
    assert quiet.status is ToolStatus.NO_DATA
    assert quiet.summary == "no AWS Health events for this account and region in the window"


def test_no_support_plan_is_denied_with_a_clear_message(
    tool_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise AwsError("SubscriptionRequiredException", "The AWS Health API requires a subscription.")

    replay_registry.supported()
    monkeypatch.setitem(replay_registry._HANDLERS, ("health", "DescribeEvents"), refuse)
    res = health_events.run(tool_ctx({"events": EVENTS}), WINDOW)
    assert res.status is ToolStatus.DENIED
    assert res.error_code == "SubscriptionRequiredException"
    assert "Business, Enterprise On-Ramp or Enterprise support plan" in res.summary
    assert "AWS Health Dashboard" in res.summary
