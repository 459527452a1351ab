"""The scope an alarm gives an investigation: where (account, region, entry resources) and when (window)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.triggers.events import AlarmStateChange, Metric, alarm_name, rule_children

# Dimension name -> resource kind. Namespace-specific meanings are in _BY_NAMESPACE.
_DIMENSION_KINDS: dict[str, str] = {
    "InstanceId": "ec2_instance",
    "AutoScalingGroupName": "asg",
    "LoadBalancer": "alb",
    "LoadBalancerName": "elb",
    "TargetGroup": "target_group",
    "DBInstanceIdentifier": "rds_instance",
    "DBClusterIdentifier": "rds_cluster",
    "FunctionName": "lambda_function",
    "TableName": "dynamodb_table",
    "QueueName": "sqs_queue",
    "TopicName": "sns_topic",
    "ApiName": "api_gateway",
    "ApiId": "api_gateway",
    "NatGatewayId": "nat_gateway",
    "VolumeId": "ebs_volume",
    "CacheClusterId": "elasticache_cluster",
    "ReplicationGroupId": "elasticache_replication_group",
    "StreamName": "kinesis_stream",
    "DeliveryStreamName": "firehose_stream",
    "StateMachineArn": "state_machine",
    "DistributionId": "cloudfront_distribution",
    "BucketName": "s3_bucket",
    "DomainName": "opensearch_domain",
    "TransitGateway": "transit_gateway",
    "VpnId": "vpn_connection",
    "ClusterIdentifier": "redshift_cluster",
}
_BY_NAMESPACE: dict[tuple[str, str], str] = {
    ("AWS/NetworkELB", "LoadBalancer"): "nlb",
    ("AWS/GatewayELB", "LoadBalancer"): "gwlb",
    ("AWS/ECS", "ClusterName"): "ecs_cluster",
    ("ECS/ContainerInsights", "ClusterName"): "ecs_cluster",
    ("ContainerInsights", "ClusterName"): "eks_cluster",
    ("AWS/EKS", "ClusterName"): "eks_cluster",
    ("AWS/Kafka", "Cluster Name"): "msk_cluster",
}
# A resource that lives inside another: the child names a resource only together with its parent.
_NESTED: dict[str, tuple[str, str]] = {
    # dimension naming the child: (dimension naming its parent, kind of the child resource)
    "ServiceName": ("ClusterName", "ecs_service"),
}
# The resource a finer one belongs to, for grouping: a target group's alarms and its load balancer's are
# one incident more often than not.
_PARENT_DIMENSIONS = ("LoadBalancer", "LoadBalancerName", "ClusterName", "DBClusterIdentifier")


class EntryResource(BaseModel):
    """A resource the alarm points at, named as CloudWatch's dimensions name it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    id: str
    namespace: str
    group: str = Field(description="`kind:id` of the resource this one is investigated with")

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


class MetricRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    namespace: str
    name: str
    dimensions: dict[str, str] = {}
    stat: str | None = None
    period_s: int | None = None


class Scope(BaseModel):
    """Where and when to look, derived from one alarm state change."""

    model_config = ConfigDict(frozen=True)

    account: str
    region: str
    alarm_name: str
    alarm_arn: str
    alarm_kind: Literal["metric", "metric_math", "composite"]
    state: str
    previous_state: str | None
    reason: str
    changed_at: datetime
    start: datetime
    end: datetime
    metrics: list[MetricRef] = []
    expressions: list[str] = []
    resources: list[EntryResource] = []
    children: list[str] = Field(default=[], description="composite: child alarm names in the rule")
    triggering_children: list[str] = Field(default=[], description="composite: children that fired it")

    def groups(self) -> list[str]:
        return sorted({r.group for r in self.resources})

    def with_resources(self, extra: Iterable[EntryResource]) -> Scope:
        merged = list(dict.fromkeys([*self.resources, *extra]))
        return self.model_copy(update={"resources": merged})


def resources_of(metric: Metric) -> list[EntryResource]:
    """The resources one metric's dimensions name (unknown dimensions, such as `Operation`, name none)."""
    dims = metric.dimensions
    parents = [(_kind(metric.namespace, d), dims[d]) for d in _PARENT_DIMENSIONS if d in dims]
    parent = next((f"{kind}:{value}" for kind, value in parents if kind), None)
    found: list[EntryResource] = []
    for name, value in dims.items():
        if name in _NESTED:
            parent_dim, nested = _NESTED[name]
            if parent_dim in dims:
                rid = f"{dims[parent_dim]}/{value}"
                found.append(
                    EntryResource(kind=nested, id=rid, namespace=metric.namespace, group=f"{nested}:{rid}")
                )
            continue
        kind = _kind(metric.namespace, name)
        if kind is None:
            continue
        if name == "ClusterName" and "ServiceName" in dims:
            continue  # the service is the entry point; its cluster is context, not a second entry
        ref = f"{kind}:{value}"
        group = parent if parent and name not in _PARENT_DIMENSIONS else ref
        found.append(EntryResource(kind=kind, id=value, namespace=metric.namespace, group=group))
    return found


def _kind(namespace: str, dimension: str) -> str | None:
    return _BY_NAMESPACE.get((namespace, dimension)) or _DIMENSION_KINDS.get(dimension)


def derive_scope(
    event: AlarmStateChange,
    *,
    minutes_before: int = 60,
    minutes_after: int = 10,
    groups: Mapping[str, str] | None = None,
) -> Scope:
    """The scope of an alarm event: its metrics' resources and a window around the state change.

    `groups` maps a resource ref (`kind:id`) to a named group (an application, a stack) so that alarms
    on different resources of one system count as one incident.
    """
    if minutes_before < 0 or minutes_after < 0:
        raise ValueError("window minutes must not be negative")
    detail = event.detail
    metrics: list[MetricRef] = []
    expressions: list[str] = []
    resources: list[EntryResource] = []
    for query in detail.configuration.metrics:
        if query.expression:
            expressions.append(query.expression)
        if query.metric_stat is not None:
            stat = query.metric_stat
            metrics.append(
                MetricRef(
                    namespace=stat.metric.namespace,
                    name=stat.metric.name,
                    dimensions=dict(stat.metric.dimensions),
                    stat=stat.stat,
                    period_s=stat.period,
                )
            )
            resources.extend(resources_of(stat.metric))
    if groups:
        resources = [r.model_copy(update={"group": groups.get(r.ref, r.group)}) for r in resources]
    changed = detail.state.timestamp
    rule = detail.configuration.alarm_rule
    return Scope(
        account=event.account,
        region=event.region,
        alarm_name=detail.alarm_name,
        alarm_arn=event.alarm_arn,
        alarm_kind=event.kind,
        state=detail.state.value,
        previous_state=detail.previous_state.value if detail.previous_state else None,
        reason=detail.state.reason,
        changed_at=changed,
        start=changed - timedelta(minutes=minutes_before),
        end=changed + timedelta(minutes=minutes_after),
        metrics=metrics,
        expressions=expressions,
        resources=list(dict.fromkeys(resources)),
        children=rule_children(rule) if rule else [],
        triggering_children=[alarm_name(arn) for arn in detail.state.triggering_alarms()],
    )
