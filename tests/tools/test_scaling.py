"""scaling_config over replay (Application Auto Scaling and EC2 Auto Scaling), and the scaling attributes
describe_resources puts on tables, ECS services and groups."""

from __future__ import annotations

from collections.abc import Callable

from tests.evals.replay.test_application_autoscaling import EVENTS, GROUP_RECORDS, RESOURCES, SVC, TABLE
from tools.registry import ToolContext
from tools.resources import describe_resources
from tools.scaling import namespace_of, scaling_config

ECS = "arn:aws:ecs:us-east-1:123456789012"
SERVICE = {
    "serviceName": "api",
    "serviceArn": f"{ECS}:service/web/api",
    "clusterArn": f"{ECS}:cluster/web",
    "status": "ACTIVE",
    "desiredCount": 1,
    "runningCount": 1,
    "pendingCount": 0,
    "launchType": "FARGATE",
    "createdAt": "2024-04-01T00:00:00Z",
}
ORDERS = {
    "TableName": "orders",
    "TableStatus": "ACTIVE",
    "CreationDateTime": "2024-04-01T00:00:00Z",
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
}
BUNDLE = {
    "resources": [
        *RESOURCES,
        *GROUP_RECORDS,
        {"service": "ecs", "type": "Service", "item": SERVICE},
        {"service": "dynamodb", "type": "TableDescription", "item": ORDERS},
    ],
    "events": EVENTS,
}


def test_namespaces_follow_the_resource_id() -> None:
    assert [
        namespace_of(r) for r in (SVC, TABLE, "table/t/index/i", "function:f:live", "cluster:aurora")
    ] == [
        "ecs",
        "dynamodb",
        "dynamodb",
        "lambda",
        "rds",
    ]
    assert namespace_of("web-asg") is None


def test_an_ecs_service_bounds_policy_schedule_and_activities(tool_ctx: Callable[..., ToolContext]) -> None:
    res = scaling_config.run(tool_ctx(BUNDLE), {"resource": SVC})
    assert res.status == "ok", res.summary
    cfg = res.data
    assert [(t.min, t.max, t.suspended) for t in cfg.targets] == [(2, 12, [])]
    (policy,) = cfg.policies
    assert (policy.type, policy.target, policy.cooldowns) == (
        "TargetTrackingScaling",
        "ECSServiceAverageCPUUtilization 70.0",
        "out cooldown 300s, in cooldown 60s",
    )
    assert [(s.name, s.schedule, s.timezone, s.min, s.max) for s in cfg.scheduled] == [
        ("night", "cron(0 22 * * ? *)", "Europe/Berlin", 1, 1),
        ("morning", "cron(0 6 * * ? *)", "Europe/Berlin", 2, 12),
    ]
    # newest first, the one still running at now included, the not-scaled one with its reason
    assert [(a.description, a.status) for a in cfg.activities] == [
        ("activity 3", "InProgress"),
        ("activity 5", "Failed"),
        ("activity 2", "Successful"),
        ("activity 1", "Successful"),
    ]
    assert cfg.activities[1].not_scaled == ["AlreadyAtMaxCapacity: 12 of 12 max"]
    assert "'night' cron(0 22 * * ? *) Europe/Berlin -> min 1, max 1" in res.summary
    assert "ecs:service:DesiredCount min 2 max 12" in res.summary


def test_a_table_with_scale_in_suspended_and_an_unregistered_resource(
    tool_ctx: Callable[..., ToolContext],
) -> None:
    ctx = tool_ctx(BUNDLE)
    table = scaling_config.run(ctx, {"resource": TABLE})
    assert table.data.targets[0].suspended == ["scale-in"]
    assert "suspended scale-in" in table.summary
    missing = scaling_config.run(ctx, {"resource": "service/web/nothing"})
    assert missing.status == "no_data"
    assert "not registered with Application Auto Scaling" in missing.summary


def test_a_group_policies_and_scheduled_actions(tool_ctx: Callable[..., ToolContext]) -> None:
    res = scaling_config.run(tool_ctx(BUNDLE), {"resource": "web-asg"})
    assert res.status == "ok", res.summary
    assert res.data.namespace == "autoscaling"
    assert [(s.name, s.schedule, s.max) for s in res.data.scheduled] == [
        ("evening", "0 18 * * *", 2),
        ("morning", "0 7 * * *", 6),
    ]
    assert scaling_config.run(tool_ctx(BUNDLE), {"resource": "nope"}).status == "no_data"


def test_the_graph_carries_bounds_and_schedules(tool_ctx: Callable[..., ToolContext]) -> None:
    graph = describe_resources.run(
        tool_ctx(BUNDLE),
        {"refs": ["orders", "api", "web-asg"], "ecs_cluster": "web", "include_network": False},
    ).data
    table, service, group = graph.node("orders"), graph.node("web/api"), graph.node("web-asg")
    assert table is not None and service is not None and group is not None
    assert table.attrs["scaling"] == "WriteCapacityUnits min 5 max 100"
    assert table.attrs["warning"] == "scaling suspended: scale-in"
    assert service.attrs["scaling"] == "DesiredCount min 2 max 12"
    assert service.attrs["scheduled_scaling"].startswith(
        "'night' cron(0 22 * * ? *) Europe/Berlin -> min 1, max 1"
    )
    assert group.attrs["scheduled_scaling"] == "'evening' 0 18 * * * -> max 2; 'morning' 0 7 * * * -> max 6"
