"""Deriving the investigation scope (resources, window, composite children) from alarm events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.triggers.events import Metric, parse_event
from agent.triggers.scope import derive_scope, resources_of
from tests.agent.triggers.conftest import alarm_event, sample

AT = datetime(2024, 5, 1, 14, 0, 0, tzinfo=UTC)


def test_single_metric_sample_scope_and_default_window() -> None:
    scope = derive_scope(parse_event(sample("single_metric")))
    assert (scope.account, scope.region) == ("123456789012", "us-east-1")
    assert (scope.state, scope.previous_state, scope.alarm_kind) == ("ALARM", "OK", "metric")
    assert [r.ref for r in scope.resources] == ["ec2_instance:i-12345678901234567"]
    changed = datetime(2019, 10, 2, 17, 4, 40, 989000, tzinfo=UTC)
    assert scope.changed_at == changed
    # 60 minutes before and 10 after the state change, not the EventBridge `time`
    assert scope.start == datetime(2019, 10, 2, 16, 4, 40, 989000, tzinfo=UTC)
    assert scope.end == datetime(2019, 10, 2, 17, 14, 40, 989000, tzinfo=UTC)
    (metric,) = scope.metrics
    assert (metric.namespace, metric.name, metric.stat, metric.period_s) == (
        "AWS/EC2",
        "CPUUtilization",
        "Average",
        300,
    )


def test_window_is_configurable() -> None:
    scope = derive_scope(parse_event(sample("single_metric")), minutes_before=15, minutes_after=0)
    assert scope.start == datetime(2019, 10, 2, 16, 49, 40, 989000, tzinfo=UTC)
    assert scope.end == scope.changed_at
    with pytest.raises(ValueError, match="negative"):
        derive_scope(parse_event(sample("single_metric")), minutes_before=-1)


def test_metric_math_sample_lists_every_metric_once_per_resource() -> None:
    scope = derive_scope(parse_event(sample("metric_math")))
    assert [m.name for m in scope.metrics] == ["NetworkIn", "NetworkOut"]
    assert scope.expressions == ["SUM(METRICS())"]
    assert [r.ref for r in scope.resources] == [
        "ec2_instance:i-12345678901234567"
    ]  # both metrics, one instance
    assert scope.previous_state == "INSUFFICIENT_DATA"


def test_composite_sample_children_and_trigger() -> None:
    scope = derive_scope(parse_event(sample("composite")))
    assert scope.alarm_kind == "composite"
    assert scope.children == ["ServerCpuTooHigh", "TotalNetworkTrafficTooHigh"]
    assert scope.triggering_children == ["ServerCpuTooHigh"]
    assert scope.resources == [] and scope.metrics == []  # the event alone names no metric
    assert scope.alarm_arn == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServiceAggregatedAlarm"


@pytest.mark.parametrize(
    ("namespace", "dimensions", "refs", "groups"),
    [
        ("AWS/EC2", {"InstanceId": "i-1"}, ["ec2_instance:i-1"], ["ec2_instance:i-1"]),
        ("AWS/EC2", {"AutoScalingGroupName": "web"}, ["asg:web"], ["asg:web"]),
        ("AWS/ApplicationELB", {"LoadBalancer": "app/web/1"}, ["alb:app/web/1"], ["alb:app/web/1"]),
        # a target group is investigated with its load balancer
        (
            "AWS/ApplicationELB",
            {"TargetGroup": "targetgroup/tg/2", "LoadBalancer": "app/web/1"},
            ["target_group:targetgroup/tg/2", "alb:app/web/1"],
            ["alb:app/web/1"],
        ),
        ("AWS/NetworkELB", {"LoadBalancer": "net/edge/3"}, ["nlb:net/edge/3"], ["nlb:net/edge/3"]),
        ("AWS/ELB", {"LoadBalancerName": "classic"}, ["elb:classic"], ["elb:classic"]),
        ("AWS/RDS", {"DBInstanceIdentifier": "db-1"}, ["rds_instance:db-1"], ["rds_instance:db-1"]),
        ("AWS/RDS", {"DBClusterIdentifier": "aurora"}, ["rds_cluster:aurora"], ["rds_cluster:aurora"]),
        # a per-function alias metric still names the function; `Resource` names nothing new
        ("AWS/Lambda", {"FunctionName": "pay", "Resource": "pay:live"}, ["lambda_function:pay"], None),
        ("AWS/DynamoDB", {"TableName": "orders", "Operation": "GetItem"}, ["dynamodb_table:orders"], None),
        (
            "AWS/ECS",
            {"ClusterName": "prod", "ServiceName": "checkout"},
            ["ecs_service:prod/checkout"],
            ["ecs_service:prod/checkout"],
        ),
        ("AWS/ECS", {"ClusterName": "prod"}, ["ecs_cluster:prod"], None),
        ("ContainerInsights", {"ClusterName": "eks-prod"}, ["eks_cluster:eks-prod"], None),
        ("AWS/SQS", {"QueueName": "jobs"}, ["sqs_queue:jobs"], None),
        ("AWS/ApiGateway", {"ApiName": "public", "Stage": "prod"}, ["api_gateway:public"], None),
        ("AWS/NATGateway", {"NatGatewayId": "nat-1"}, ["nat_gateway:nat-1"], None),
        ("AWS/EBS", {"VolumeId": "vol-1"}, ["ebs_volume:vol-1"], None),
        ("Custom/App", {"Environment": "prod"}, [], []),
    ],
)
def test_dimensions_to_entry_resources(
    namespace: str, dimensions: dict[str, str], refs: list[str], groups: list[str] | None
) -> None:
    found = resources_of(Metric(namespace=namespace, name="M", dimensions=dimensions))
    assert [r.ref for r in found] == refs
    if groups is not None:
        assert sorted({r.group for r in found}) == groups


def test_named_groups_join_resources_of_one_system() -> None:
    groups = {"alb:app/shop/1": "shop", "rds_instance:shop-db": "shop"}
    alb = alarm_event("alb-5xx", {"LoadBalancer": "app/shop/1"}, AT, namespace="AWS/ApplicationELB")
    db = alarm_event("db-cpu", {"DBInstanceIdentifier": "shop-db"}, AT, namespace="AWS/RDS")
    other = alarm_event("other", {"DBInstanceIdentifier": "reports-db"}, AT, namespace="AWS/RDS")
    assert derive_scope(parse_event(alb), groups=groups).groups() == ["shop"]
    assert derive_scope(parse_event(db), groups=groups).groups() == ["shop"]
    assert derive_scope(parse_event(other), groups=groups).groups() == ["rds_instance:reports-db"]
