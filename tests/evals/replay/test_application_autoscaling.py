"""Application Auto Scaling and EC2 Auto Scaling scheduled-action replay: targets, policies, scheduled
actions and activities as of now, filtered and paged as AWS does; writes never reach a handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/Role"
SVC = "service/web/api"
TABLE = "table/orders"


def aas(type_: str, **item: Any) -> dict[str, Any]:
    return {"service": "application-autoscaling", "type": type_, "item": item}


def target(
    resource: str, namespace: str, dimension: str, low: int, high: int, **extra: Any
) -> dict[str, Any]:
    return aas(
        "ScalableTarget",
        ServiceNamespace=namespace,
        ResourceId=resource,
        ScalableDimension=dimension,
        MinCapacity=low,
        MaxCapacity=high,
        RoleARN=ROLE,
        CreationTime=extra.pop("CreationTime", "2024-04-01T00:00:00Z"),
        **extra,
    )


def scheduled(name: str, resource: str, schedule: str, created: str, **action: int) -> dict[str, Any]:
    return aas(
        "ScheduledAction",
        ScheduledActionName=name,
        ScheduledActionARN=f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:scheduledAction:1:resource/ecs/{resource}:scheduledActionName/{name}",
        ServiceNamespace="ecs",
        Schedule=schedule,
        Timezone="Europe/Berlin",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
        ScalableTargetAction=action,
        CreationTime=created,
    )


def activity(n: int, start: str, end: str | None, status: str, **extra: Any) -> dict[str, Any]:
    item = {
        "ActivityId": f"a-{n}",
        "ServiceNamespace": "ecs",
        "ResourceId": SVC,
        "ScalableDimension": "ecs:service:DesiredCount",
        "Description": f"activity {n}",
        "Cause": f"cause {n}",
        "StartTime": start,
        "StatusCode": status,
        **extra,
    }
    if end:
        item["EndTime"] = end
    return {"source": "application_autoscaling", "item": item}


TRACKING = {
    "TargetValue": 70.0,
    "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
    "ScaleInCooldown": 60,
    "ScaleOutCooldown": 300,
}
RESOURCES = [
    target(SVC, "ecs", "ecs:service:DesiredCount", 2, 12),
    target("service/web/worker", "ecs", "ecs:service:DesiredCount", 1, 4),
    target("service/web/late", "ecs", "ecs:service:DesiredCount", 1, 4, CreationTime="2024-05-01T06:30:00Z"),
    target(
        TABLE,
        "dynamodb",
        "dynamodb:table:WriteCapacityUnits",
        5,
        100,
        SuspendedState={"DynamicScalingInSuspended": True},
    ),
    aas(
        "ScalingPolicy",
        PolicyARN=f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:scalingPolicy:1:resource/ecs/{SVC}:policyName/cpu70",
        PolicyName="cpu70",
        ServiceNamespace="ecs",
        ResourceId=SVC,
        ScalableDimension="ecs:service:DesiredCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=TRACKING,
        CreationTime="2024-04-01T00:00:00Z",
    ),
    scheduled("night", SVC, "cron(0 22 * * ? *)", "2024-04-30T10:00:00Z", MinCapacity=1, MaxCapacity=1),
    scheduled("morning", SVC, "cron(0 6 * * ? *)", "2024-04-30T10:00:00Z", MinCapacity=2, MaxCapacity=12),
    scheduled("later", SVC, "cron(0 8 * * ? *)", "2024-05-01T07:00:00Z", MinCapacity=3),
]
EVENTS = [
    activity(1, "2024-05-01T04:00:00Z", "2024-05-01T04:01:00Z", "Successful"),
    activity(2, "2024-05-01T05:00:00Z", "2024-05-01T05:01:00Z", "Successful"),
    activity(3, "2024-05-01T05:59:00Z", "2024-05-01T06:05:00Z", "Successful"),  # still running at now
    activity(4, "2024-05-01T07:00:00Z", "2024-05-01T07:01:00Z", "Successful"),  # after now
    activity(
        5,
        "2024-05-01T05:30:00Z",
        "2024-05-01T05:30:00Z",
        "Failed",
        NotScaledReasons=[{"Code": "AlreadyAtMaxCapacity", "MaxCapacity": 12, "CurrentCapacity": 12}],
    ),
]


@pytest.fixture
def aas_client(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RESOURCES, "events": EVENTS})
    return session.client("application-autoscaling")


def test_the_bundle_items_validate_against_botocore() -> None:
    assert set(make_bundle({"resources": RESOURCES, "events": EVENTS}).validate()) >= {"resources", "events"}


def test_targets_by_namespace_ids_and_dimension_in_pages(aas_client: Any) -> None:
    ecs = aas_client.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    # the target registered after now does not exist yet
    assert [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in ecs] == [
        (SVC, 2, 12),
        ("service/web/worker", 1, 4),
    ]
    table = aas_client.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=[TABLE])
    assert table["ScalableTargets"][0]["SuspendedState"] == {"DynamicScalingInSuspended": True}
    assert table["ScalableTargets"][0]["CreationTime"].isoformat() == "2024-04-01T00:00:00+00:00"
    none = aas_client.describe_scalable_targets(
        ServiceNamespace="dynamodb", ResourceIds=[TABLE], ScalableDimension="dynamodb:table:ReadCapacityUnits"
    )
    assert none["ScalableTargets"] == []
    # an unknown resource is an empty answer, not an error
    assert (
        aas_client.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=["service/x/y"])[
            "ScalableTargets"
        ]
        == []
    )
    first = aas_client.describe_scalable_targets(ServiceNamespace="ecs", MaxResults=1)
    assert [t["ResourceId"] for t in first["ScalableTargets"]] == [SVC]
    rest = aas_client.describe_scalable_targets(
        ServiceNamespace="ecs", MaxResults=1, NextToken=first["NextToken"]
    )
    assert [t["ResourceId"] for t in rest["ScalableTargets"]] == [
        "service/web/worker"
    ] and "NextToken" not in rest
    with pytest.raises(aas_client.exceptions.InvalidNextTokenException):
        aas_client.describe_scalable_targets(ServiceNamespace="dynamodb", NextToken=first["NextToken"])
    with pytest.raises(aas_client.exceptions.ValidationException) as err:
        aas_client.describe_scalable_targets(ServiceNamespace="ecs", MaxResults=51)
    assert "less than or equal to 50" in err.value.response["Error"]["Message"]


def test_policies_and_scheduled_actions_of_a_resource(aas_client: Any) -> None:
    (policy,) = aas_client.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=SVC)[
        "ScalingPolicies"
    ]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70.0
    assert (
        aas_client.describe_scaling_policies(ServiceNamespace="ecs", PolicyNames=["nope"])["ScalingPolicies"]
        == []
    )
    actions = aas_client.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=SVC)[
        "ScheduledActions"
    ]
    assert [(a["ScheduledActionName"], a["ScalableTargetAction"]) for a in actions] == [
        ("night", {"MinCapacity": 1, "MaxCapacity": 1}),
        ("morning", {"MinCapacity": 2, "MaxCapacity": 12}),
    ]
    picked = aas_client.describe_scheduled_actions(ServiceNamespace="ecs", ScheduledActionNames=["morning"])
    assert [a["ScheduledActionName"] for a in picked["ScheduledActions"]] == ["morning"]
    first = aas_client.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=SVC, MaxResults=1)
    rest = aas_client.describe_scheduled_actions(
        ServiceNamespace="ecs", ResourceId=SVC, MaxResults=1, NextToken=first["NextToken"]
    )
    assert [a["ScheduledActionName"] for a in rest["ScheduledActions"]] == ["morning"]


def test_activities_newest_first_as_of_now(aas_client: Any) -> None:
    listed = aas_client.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=SVC)[
        "ScalingActivities"
    ]
    assert [(a["ActivityId"], a["StatusCode"]) for a in listed] == [
        ("a-3", "InProgress"),
        ("a-2", "Successful"),
        ("a-1", "Successful"),
    ]
    assert "EndTime" not in listed[0]
    with_not_scaled = aas_client.describe_scaling_activities(
        ServiceNamespace="ecs", ResourceId=SVC, IncludeNotScaledActivities=True
    )["ScalingActivities"]
    assert [a["ActivityId"] for a in with_not_scaled] == ["a-3", "a-5", "a-2", "a-1"]
    assert with_not_scaled[1]["NotScaledReasons"][0]["Code"] == "AlreadyAtMaxCapacity"
    assert aas_client.describe_scaling_activities(ServiceNamespace="dynamodb")["ScalingActivities"] == []


GROUP = {
    "AutoScalingGroupName": "web-asg",
    "MinSize": 2,
    "MaxSize": 6,
    "DesiredCapacity": 2,
    "DefaultCooldown": 300,
    "AvailabilityZones": ["us-east-1a"],
    "HealthCheckType": "EC2",
    "CreatedTime": "2024-04-01T00:00:00Z",
}


def group_action(name: str, group: str, **item: Any) -> dict[str, Any]:
    return {
        "service": "autoscaling",
        "type": "ScheduledUpdateGroupAction",
        "item": {"AutoScalingGroupName": group, "ScheduledActionName": name, **item},
    }


GROUP_RECORDS = [
    {"service": "autoscaling", "type": "AutoScalingGroup", "item": GROUP},
    group_action("evening", "web-asg", Recurrence="0 18 * * *", StartTime="2024-05-01T18:00:00Z", MaxSize=2),
    group_action("morning", "web-asg", Recurrence="0 7 * * *", StartTime="2024-05-02T07:00:00Z", MaxSize=6),
    group_action("gone", "deleted-asg", Recurrence="0 7 * * *", StartTime="2024-05-02T07:00:00Z", MaxSize=1),
]


def test_group_scheduled_actions_filtered_and_paged(replay: Callable[..., Any]) -> None:
    session, _ = replay({"resources": GROUP_RECORDS})
    client = session.client("autoscaling")
    listed = client.describe_scheduled_actions()["ScheduledUpdateGroupActions"]
    assert [(a["ScheduledActionName"], a["MaxSize"]) for a in listed] == [("evening", 2), ("morning", 6)]
    assert listed[0]["StartTime"].isoformat() == "2024-05-01T18:00:00+00:00"
    assert client.describe_scheduled_actions(AutoScalingGroupName="nope")["ScheduledUpdateGroupActions"] == []
    before = client.describe_scheduled_actions(EndTime="2024-05-01T20:00:00Z")["ScheduledUpdateGroupActions"]
    assert [a["ScheduledActionName"] for a in before] == ["evening"]
    first = client.describe_scheduled_actions(AutoScalingGroupName="web-asg", MaxRecords=1)
    rest = client.describe_scheduled_actions(
        AutoScalingGroupName="web-asg", MaxRecords=1, NextToken=first["NextToken"]
    )
    assert [a["ScheduledActionName"] for a in rest["ScheduledUpdateGroupActions"]] == ["morning"]
    with pytest.raises(ClientError) as err:
        client.describe_scheduled_actions(MaxRecords=101)
    assert err.value.response["Error"]["Code"] == "ValidationError"


@pytest.mark.parametrize(
    ("service", "method", "params"),
    [
        (
            "application-autoscaling",
            "put_scheduled_action",
            {"ServiceNamespace": "ecs", "ScheduledActionName": "x", "ResourceId": SVC,
             "ScalableDimension": "ecs:service:DesiredCount"},
        ),
        (
            "application-autoscaling",
            "register_scalable_target",
            {"ServiceNamespace": "ecs", "ResourceId": SVC, "ScalableDimension": "ecs:service:DesiredCount",
             "MinCapacity": 0},
        ),
        ("autoscaling", "delete_scheduled_action", {"AutoScalingGroupName": "web-asg", "ScheduledActionName": "x"}),
    ],
)  # fmt: skip
def test_scaling_writes_are_refused_before_the_wire(
    service: str, method: str, params: dict[str, Any]
) -> None:
    session, ctx = replay_session(make_bundle({"resources": RESOURCES + GROUP_RECORDS}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client(service), method)(**params)
    assert sum(ctx.calls.values()) == 0
    with pytest.raises(ReplayRefused):
        getattr(session.client(service), method)(**params)


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    """Targets, policies and scheduled actions made in moto and written as a bundle answer alike."""
    live = moto_session("application-autoscaling")
    live.register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId=TABLE,
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        MinCapacity=5,
        MaxCapacity=50,
        RoleARN=ROLE,  # AWS always answers one (the service-linked role); moto only the one it was given
    )
    live.put_scaling_policy(
        PolicyName="reads70",
        ServiceNamespace="dynamodb",
        ResourceId=TABLE,
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"},
        },
    )
    live.put_scheduled_action(
        ServiceNamespace="dynamodb",
        ScheduledActionName="night",
        ResourceId=TABLE,
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        Schedule="cron(0 22 * * ? *)",
        ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 5},
    )
    scope = {"ServiceNamespace": "dynamodb"}
    answers = {
        "describe_scalable_targets": ("ScalableTargets", "ScalableTarget"),
        "describe_scaling_policies": ("ScalingPolicies", "ScalingPolicy"),
        "describe_scheduled_actions": ("ScheduledActions", "ScheduledAction"),
    }
    records = []
    for method, (key, type_) in answers.items():
        for item in getattr(live, method)(**scope)[key]:
            records.append(aas(type_, **_jsonable(item)))
    latest = max(r["item"]["CreationTime"] for r in records)
    session, _ = replay_session(make_bundle({"resources": records}, now=latest, end=latest))
    replayed = session.client("application-autoscaling")
    for method, (key, _) in answers.items():
        assert getattr(replayed, method)(**scope)[key] == getattr(live, method)(**scope)[key], method
    for client in (live, replayed):
        assert client.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []


def _jsonable(item: dict[str, Any]) -> dict[str, Any]:
    from datetime import datetime

    def conv(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    return {k: conv(v) for k, v in item.items()}
