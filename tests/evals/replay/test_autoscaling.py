"""Auto Scaling replay: groups (cross-checked with moto), scaling activities and policies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from tests.conftest import make_bundle

NOW = datetime(2024, 5, 1, 6, tzinfo=UTC)


def _session(
    resources: list[dict[str, Any]], events: list[dict[str, Any]] | None = None, **manifest: Any
) -> Any:
    bundle = make_bundle({"resources": resources, "events": events or []}, **manifest)
    bundle.validate()  # the items are real botocore shapes
    session, _ = replay_session(bundle)
    return session.client("autoscaling")


def _group(name: str, created: datetime = NOW - timedelta(days=3), **extra: Any) -> dict[str, Any]:
    item = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": f"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:"
        f"autoScalingGroupName/{name}",
        "MinSize": 1,
        "MaxSize": 4,
        "DesiredCapacity": 2,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["us-east-1a"],
        "HealthCheckType": "EC2",
        "CreatedTime": created.isoformat(),
        "Instances": [
            {
                "InstanceId": f"i-{name}1",
                "AvailabilityZone": "us-east-1a",
                "LifecycleState": "InService",
                "HealthStatus": "Healthy",
                "ProtectedFromScaleIn": False,
            }
        ],
        **extra,
    }
    return {"service": "autoscaling", "type": "AutoScalingGroup", "item": item}


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def _names(answer: dict[str, Any]) -> list[str]:
    return [g["AutoScalingGroupName"] for g in answer["AutoScalingGroups"]]


# --- DescribeAutoScalingGroups ------------------------------------------------------------------------


@pytest.mark.moto
def test_groups_match_moto(moto_session: Callable[[str], Any]) -> None:
    moto = moto_session("autoscaling")
    moto.create_launch_configuration(
        LaunchConfigurationName="lc", ImageId="ami-12c6146b", InstanceType="t3.micro"
    )

    def tags(name: str, **kv: str) -> list[dict[str, Any]]:
        return [
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": k,
                "Value": v,
                "PropagateAtLaunch": True,
            }
            for k, v in kv.items()
        ]

    # Created in name order: moto lists in creation order, AWS (and replay) by name.
    for name, kv in [
        ("api", {"team": "core", "env": "prod"}),
        ("batch", {"team": "data", "env": "prod"}),
        ("web", {"team": "core", "env": "staging"}),
    ]:
        moto.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchConfigurationName="lc",
            MinSize=1,
            MaxSize=3,
            DesiredCapacity=1,
            AvailabilityZones=["us-east-1a"],
            Tags=tags(name, **kv),
        )
    groups = moto.describe_auto_scaling_groups()["AutoScalingGroups"]
    created = max(g["CreatedTime"] for g in groups)
    now = created + timedelta(minutes=5)
    replay = _session(
        [{"service": "autoscaling", "type": "AutoScalingGroup", "item": g} for g in groups],
        start=(now - timedelta(hours=1)).isoformat(),
        end=now.isoformat(),
        now=now.isoformat(),
    )
    requests: list[dict[str, Any]] = [
        {},
        {"AutoScalingGroupNames": ["web", "api", "gone"]},
        {"Filters": [{"Name": "tag:team", "Values": ["core"]}]},
        {"Filters": [{"Name": "tag-key", "Values": ["env"]}]},
        {"Filters": [{"Name": "tag-value", "Values": ["prod", "nope"]}]},
        {"Filters": [{"Name": "tag:env", "Values": ["prod"]}, {"Name": "tag:team", "Values": ["data"]}]},
        {"Filters": [{"Name": "tag:env", "Values": ["staging"]}], "AutoScalingGroupNames": ["api", "web"]},
    ]
    for request in requests:
        ours = replay.describe_auto_scaling_groups(**request)["AutoScalingGroups"]
        theirs = moto.describe_auto_scaling_groups(**request)["AutoScalingGroups"]
        assert ours == theirs, request
    assert _names(
        replay.describe_auto_scaling_groups(Filters=[{"Name": "tag:team", "Values": ["core"]}])
    ) == [
        "api",
        "web",
    ]
    ours = replay.get_paginator("describe_auto_scaling_groups").paginate(PaginationConfig={"PageSize": 2})
    theirs = moto.get_paginator("describe_auto_scaling_groups").paginate(PaginationConfig={"PageSize": 2})
    assert [_names(p) for p in ours] == [_names(p) for p in theirs] == [["api", "batch"], ["web"]]


def test_groups_as_of_now() -> None:
    client = _session([_group("web"), _group("api"), _group("later", created=NOW + timedelta(minutes=1))])
    assert _names(client.describe_auto_scaling_groups()) == ["api", "web"]
    assert _names(client.describe_auto_scaling_groups(AutoScalingGroupNames=["later"])) == []
    [bare] = client.describe_auto_scaling_groups(AutoScalingGroupNames=["web"], IncludeInstances=False)[
        "AutoScalingGroups"
    ]
    assert "Instances" not in bare
    assert bare["CreatedTime"] == NOW - timedelta(days=3)


def test_group_request_errors() -> None:
    client = _session([_group("web")])
    for kwargs, code in [
        ({"MaxRecords": 101}, "ValidationError"),
        ({"NextToken": "bogus"}, "InvalidNextToken"),
        ({"Filters": [{"Name": "instance-type", "Values": ["t3.micro"]}]}, "ValidationError"),
        ({"AutoScalingGroupNames": [f"g{i}" for i in range(51)]}, "ValidationError"),
    ]:
        with pytest.raises(ClientError) as exc:
            client.describe_auto_scaling_groups(**kwargs)
        assert _code(exc) == code, kwargs
    # More than 50 names are allowed when MaxRecords allows them.
    names = [f"g{i}" for i in range(60)] + ["web"]
    assert _names(client.describe_auto_scaling_groups(AutoScalingGroupNames=names, MaxRecords=100)) == ["web"]


# --- DescribeScalingActivities ------------------------------------------------------------------------


def _activity(
    activity_id: str, group: str, start: datetime, end: datetime | None, status: str = "Successful"
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ActivityId": activity_id,
        "AutoScalingGroupName": group,
        "Description": f"Launching a new EC2 instance: i-{activity_id}",
        "Cause": "At 2024-05-01T05:00:00Z a user request update of AutoScalingGroup constraints changed the "
        "desired capacity from 1 to 2.",
        "StartTime": start.isoformat(),
        "StatusCode": status,
        "Progress": 100,
    }
    if end is not None:
        item["EndTime"] = end.isoformat()
    if status != "Successful":
        item["StatusMessage"] = "We currently do not have sufficient capacity in the Availability Zone."
    return {"source": "autoscaling", "item": item}


def _activities() -> list[dict[str, Any]]:
    hour = timedelta(hours=1)
    return [
        _activity("a1", "web", NOW - 5 * hour, NOW - 5 * hour + timedelta(minutes=2)),
        _activity("a2", "web", NOW - 2 * hour, NOW - 2 * hour + timedelta(minutes=1), status="Failed"),
        _activity("a3", "api", NOW - 3 * hour, NOW - 3 * hour + timedelta(minutes=1)),
        # Started 1 minute before now and ends 4 minutes after: still running at now.
        _activity("a4", "web", NOW - timedelta(minutes=1), NOW + timedelta(minutes=4)),
        _activity("a5", "web", NOW + timedelta(minutes=1), NOW + timedelta(minutes=3)),  # not yet
        _activity("a6", "web", NOW - timedelta(weeks=6, hours=1), NOW - timedelta(weeks=6)),  # too old
        _activity("a7", "old", NOW - 4 * hour, NOW - 4 * hour + timedelta(minutes=1)),  # group deleted
    ]


def _ids(answer: dict[str, Any]) -> list[str]:
    return [a["ActivityId"] for a in answer["Activities"]]


def test_activities_newest_first_as_of_now() -> None:
    client = _session([_group("web"), _group("api")], _activities())
    assert _ids(client.describe_scaling_activities()) == ["a4", "a2", "a3", "a1"]
    assert _ids(client.describe_scaling_activities(AutoScalingGroupName="web")) == ["a4", "a2", "a1"]
    assert _ids(client.describe_scaling_activities(IncludeDeletedGroups=True)) == [
        "a4",
        "a2",
        "a3",
        "a7",
        "a1",
    ]
    running = client.describe_scaling_activities(ActivityIds=["a4", "nope"])["Activities"]
    assert [(a["ActivityId"], a["StatusCode"], "EndTime" in a, "Progress" in a) for a in running] == [
        ("a4", "InProgress", False, False)
    ]
    [failed] = client.describe_scaling_activities(ActivityIds=["a2"])["Activities"]
    assert failed["StatusCode"] == "Failed"
    assert failed["EndTime"] == NOW - timedelta(hours=2) + timedelta(minutes=1)


def test_activity_filters_and_errors() -> None:
    client = _session([_group("web"), _group("api")], _activities())
    bounds = [
        {"Name": "StartTimeLowerBound", "Values": [(NOW - timedelta(hours=3)).isoformat()]},
        {"Name": "StartTimeUpperBound", "Values": ["2024-05-01T04:00:00Z"]},
    ]
    assert _ids(client.describe_scaling_activities(Filters=bounds)) == ["a2", "a3"]
    status = [{"Name": "Status", "Values": ["InProgress", "Failed"]}]
    assert _ids(client.describe_scaling_activities(AutoScalingGroupName="web", Filters=status)) == [
        "a4",
        "a2",
    ]
    for kwargs in [
        {"Filters": status},  # Status needs AutoScalingGroupName
        {"Filters": [{"Name": "Cause", "Values": ["x"]}]},
        {"MaxRecords": 101},
    ]:
        with pytest.raises(ClientError) as exc:
            client.describe_scaling_activities(**kwargs)
        assert _code(exc) == "ValidationError", kwargs


def test_activities_page_by_100_by_default() -> None:
    events = [
        _activity(f"b{i:03d}", "web", NOW - timedelta(minutes=i + 1), NOW - timedelta(minutes=i))
        for i in range(120)
    ]
    client = _session([_group("web")], events)
    first = client.describe_scaling_activities(AutoScalingGroupName="web")
    assert _ids(first) == [f"b{i:03d}" for i in range(100)]
    second = client.describe_scaling_activities(AutoScalingGroupName="web", NextToken=first["NextToken"])
    assert _ids(second) == [f"b{i:03d}" for i in range(100, 120)]
    assert "NextToken" not in second


# --- DescribePolicies ---------------------------------------------------------------------------------


def _policy(name: str, group: str, kind: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "AutoScalingGroupName": group,
        "PolicyName": name,
        "PolicyARN": f"arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:uuid-{name}:"
        f"autoScalingGroupName/{group}:policyName/{name}",
        "PolicyType": kind,
        "Enabled": True,
    }
    if kind == "TargetTrackingScaling":
        item["TargetTrackingConfiguration"] = {
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
            "TargetValue": 50.0,
        }
    else:
        item["AdjustmentType"] = "ChangeInCapacity"
        item["ScalingAdjustment"] = 1
    return {"service": "autoscaling", "type": "ScalingPolicy", "item": item}


def test_policies() -> None:
    client = _session(
        [
            _group("web"),
            _policy("cpu50", "web", "TargetTrackingScaling"),
            _policy("add-one", "web", "SimpleScaling"),
            _policy("api-add", "api", "SimpleScaling"),
        ]
    )

    def names(**kwargs: Any) -> list[str]:
        return [p["PolicyName"] for p in client.describe_policies(**kwargs)["ScalingPolicies"]]

    assert names() == ["cpu50", "add-one", "api-add"]
    assert names(AutoScalingGroupName="web") == ["cpu50", "add-one"]
    assert names(PolicyTypes=["SimpleScaling"]) == ["add-one", "api-add"]
    arn = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:uuid-api-add:autoScalingGroupName/api:policyName/api-add"
    assert names(PolicyNames=["cpu50", arn, "unknown"]) == ["cpu50", "api-add"]
    assert names(AutoScalingGroupName="web", PolicyNames=["api-add"]) == []
    first = client.describe_policies(MaxRecords=2)
    assert [p["PolicyName"] for p in first["ScalingPolicies"]] == ["cpu50", "add-one"]
    rest = client.describe_policies(MaxRecords=2, NextToken=first["NextToken"])
    assert [p["PolicyName"] for p in rest["ScalingPolicies"]] == ["api-add"]
    [tracking] = client.describe_policies(PolicyNames=["cpu50"])["ScalingPolicies"]
    assert tracking["TargetTrackingConfiguration"]["TargetValue"] == 50.0
    with pytest.raises(ClientError) as exc:
        client.describe_policies(PolicyTypes=["Bogus"])
    assert _code(exc) == "ValidationError"
