"""Scaling configuration: the bounds, policies and schedules that decide a resource's capacity.

Application Auto Scaling scales ECS services, DynamoDB tables, Lambda provisioned concurrency, Aurora
replicas, ElastiCache groups and more; EC2 Auto Scaling scales groups. A schedule that lowers the maximum
before a peak, or a policy that scaled in, shows up here before it shows up anywhere else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.errors import classify
from tools.registry import ToolContext, tool
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput
from tools.state import text_of

MAX_ITEMS = 50  # targets, policies or scheduled actions read per resource: one page (context budget)
MAX_ACTIVITIES = 10  # newest scaling activities shown (context budget)

# Application Auto Scaling resource-id prefixes -> service namespace; anything else is an EC2 Auto Scaling group.
_NAMESPACES = (
    ("service/", "ecs"),
    ("table/", "dynamodb"),
    ("function:", "lambda"),
    ("cluster:", "rds"),
    ("replication-group/", "elasticache"),
    ("spot-fleet-request/", "ec2"),
    ("endpoint/", "sagemaker"),
    ("keyspace/", "cassandra"),
    ("workspacespool/", "workspaces"),
)


def namespace_of(resource: str) -> str | None:
    """The Application Auto Scaling namespace a resource id belongs to; None for an EC2 Auto Scaling group."""
    if resource.startswith("arn:aws") and ":kafka:" in resource:
        return "kafka"
    return next((ns for prefix, ns in _NAMESPACES if resource.startswith(prefix)), None)


class ScalingConfigInput(BaseModel):
    """Arguments of scaling_config."""

    resource: str = Field(
        min_length=1,
        max_length=1600,
        description="an Auto Scaling group's name, or an Application Auto Scaling resource id: "
        "service/<cluster>/<service>, table/<table>, table/<table>/index/<index>, function:<name>:<alias>, "
        "cluster:<aurora-cluster>, replication-group/<id>",
    )


class Bounds(BaseModel):
    """A scalable target: the capacity range scaling may move within."""

    dimension: str
    min: int
    max: int
    suspended: list[str] = Field(description="scaling that is switched off: scale-in, scale-out, scheduled")
    created: datetime | None


class Policy(BaseModel):
    name: str
    type: str = Field(description="TargetTrackingScaling, StepScaling, SimpleScaling, PredictiveScaling")
    dimension: str | None
    target: str | None = Field(
        description="what target tracking holds, e.g. ECSServiceAverageCPUUtilization 70"
    )
    scale_in_disabled: bool
    cooldowns: str | None
    alarms: list[str]
    created: datetime | None

    def line(self) -> str:
        parts = [f"{self.type} '{self.name}'"]
        if self.target:
            parts.append(f"holds {self.target}")
        if self.scale_in_disabled:
            parts.append("scale-in disabled")
        if self.cooldowns:
            parts.append(self.cooldowns)
        return " ".join(parts)


class Scheduled(BaseModel):
    name: str
    schedule: str | None = Field(description="at(...), cron(...), rate(...), or a one-time time")
    timezone: str | None
    min: int | None
    max: int | None
    desired: int | None
    start: datetime | None
    end: datetime | None
    created: datetime | None

    def line(self) -> str:
        sets = ", ".join(
            f"{k} {v}"
            for k, v in (("min", self.min), ("max", self.max), ("desired", self.desired))
            if v is not None
        )
        zone = f" {self.timezone}" if self.timezone else ""
        return f"'{self.name}' {self.schedule}{zone} -> {sets or 'no change'}"


class Event(BaseModel):
    start: datetime
    end: datetime | None
    status: str
    description: str
    cause: str
    message: str | None
    not_scaled: list[str] = Field(description="why a scaling was not done (e.g. already at maximum)")

    def line(self) -> str:
        reason = f" ({'; '.join(self.not_scaled)})" if self.not_scaled else ""
        return f"{self.start:%Y-%m-%d %H:%M} {self.status}: {self.description}{reason}"


class ScalingConfig(ToolOutput):
    resource: str
    namespace: str = Field(description="the Application Auto Scaling namespace, or autoscaling for a group")
    targets: list[Bounds]
    policies: list[Policy]
    scheduled: list[Scheduled]
    activities: list[Event] = Field(description="newest first")
    gaps: list[str] = Field(default_factory=list, description="reads that failed")

    def summary(self) -> str:
        head = f"{self.namespace} {self.resource}"
        if self.namespace != "autoscaling" and not self.targets:
            return f"{head}: not registered with Application Auto Scaling (capacity is fixed)"
        parts = [head]
        for t in self.targets:
            off = f", suspended {', '.join(t.suspended)}" if t.suspended else ""
            parts.append(f"{t.dimension} min {t.min} max {t.max}{off}")
        parts.append("policies: " + ("; ".join(p.line() for p in self.policies) or "none"))
        parts.append("scheduled: " + ("; ".join(s.line() for s in self.scheduled) or "none"))
        if self.activities:
            parts.append("recent: " + "; ".join(a.line() for a in self.activities[:5]))
        if self.gaps:
            parts.append("gaps: " + "; ".join(self.gaps))
        return ". ".join(parts)

    def is_empty(self) -> bool:
        return not (self.targets or self.policies or self.scheduled or self.activities)


def _suspended(state: dict[str, Any] | None) -> list[str]:
    state = state or {}
    flags = (
        ("DynamicScalingInSuspended", "scale-in"),
        ("DynamicScalingOutSuspended", "scale-out"),
        ("ScheduledScalingSuspended", "scheduled"),
    )
    return [word for key, word in flags if state.get(key)]


def _target(config: dict[str, Any]) -> str | None:
    if not config:
        return None
    spec = config.get("PredefinedMetricSpecification") or {}
    custom = config.get("CustomizedMetricSpecification") or {}
    metric = spec.get("PredefinedMetricType") or custom.get("MetricName") or "a metric"
    return f"{metric} {config.get('TargetValue')}"


def _cooldowns(config: dict[str, Any]) -> str | None:
    parts = [
        f"{word} cooldown {config[key]}s"
        for key, word in (("ScaleOutCooldown", "out"), ("ScaleInCooldown", "in"), ("Cooldown", "step"))
        if config.get(key) is not None
    ]
    return ", ".join(parts) or None


def app_policy(p: dict[str, Any]) -> Policy:
    tracking = p.get("TargetTrackingScalingPolicyConfiguration") or {}
    step = p.get("StepScalingPolicyConfiguration") or {}
    return Policy(
        name=p["PolicyName"],
        type=p.get("PolicyType", ""),
        dimension=p.get("ScalableDimension"),
        target=_target(tracking),
        scale_in_disabled=bool(tracking.get("DisableScaleIn")),
        cooldowns=_cooldowns(tracking or step),
        alarms=[a.get("AlarmName", "") for a in p.get("Alarms", [])],
        created=p.get("CreationTime"),
    )


def app_scheduled(a: dict[str, Any]) -> Scheduled:
    action = a.get("ScalableTargetAction") or {}
    return Scheduled(
        name=a["ScheduledActionName"],
        schedule=a.get("Schedule"),
        timezone=a.get("Timezone"),
        min=action.get("MinCapacity"),
        max=action.get("MaxCapacity"),
        desired=None,
        start=a.get("StartTime"),
        end=a.get("EndTime"),
        created=a.get("CreationTime"),
    )


def group_scheduled(a: dict[str, Any]) -> Scheduled:
    when = a.get("StartTime") or a.get("Time")
    return Scheduled(
        name=a.get("ScheduledActionName", ""),
        schedule=a.get("Recurrence") or (f"at({when:%Y-%m-%dT%H:%M:%S})" if when else None),
        timezone=a.get("TimeZone"),
        min=a.get("MinSize"),
        max=a.get("MaxSize"),
        desired=a.get("DesiredCapacity"),
        start=a.get("StartTime"),
        end=a.get("EndTime"),
        created=None,
    )


def group_policy(p: dict[str, Any]) -> Policy:
    tracking = p.get("TargetTrackingConfiguration") or {}
    cooldown = p.get("Cooldown") or p.get("EstimatedInstanceWarmup")
    return Policy(
        name=p.get("PolicyName", ""),
        type=p.get("PolicyType", "SimpleScaling"),
        dimension=None,
        target=_target(tracking),
        scale_in_disabled=bool(tracking.get("DisableScaleIn")),
        cooldowns=f"cooldown {cooldown}s" if cooldown else None,
        alarms=[a.get("AlarmName", "") for a in p.get("Alarms", [])],
        created=None,
    )


def _event(a: dict[str, Any]) -> Event:
    return Event(
        start=a["StartTime"],
        end=a.get("EndTime"),
        status=a.get("StatusCode", ""),
        description=text_of(a.get("Description")),
        cause=text_of(a.get("Cause")),
        message=text_of(a.get("StatusMessage")) or None,
        not_scaled=[
            text_of(f"{r.get('Code')}: {r.get('CurrentCapacity', '?')} of {r.get('MaxCapacity', '?')} max")
            for r in a.get("NotScaledReasons", [])
        ][:3],
    )


def _reason(exc: ClientError) -> str:
    failure = classify(exc)
    return f"{failure.code}: {failure.message}" if failure else str(exc)


def _group_config(ctx: ToolContext, group: str) -> ScalingConfig:
    policies = ctx.aws.call(
        "autoscaling", "DescribePolicies", AutoScalingGroupName=group, MaxRecords=MAX_ITEMS
    )
    scheduled = ctx.aws.call(
        "autoscaling", "DescribeScheduledActions", AutoScalingGroupName=group, MaxRecords=MAX_ITEMS
    )
    return ScalingConfig(
        resource=group,
        namespace="autoscaling",
        targets=[],
        policies=[group_policy(p) for p in policies.get("ScalingPolicies", [])],
        scheduled=[group_scheduled(a) for a in scheduled.get("ScheduledUpdateGroupActions", [])],
        activities=[],
        has_more=bool(policies.get("NextToken") or scheduled.get("NextToken")),
    )


@tool
def scaling_config(ctx: ToolContext, args: ScalingConfigInput) -> ScalingConfig:
    """Show how a resource's capacity is scaled: its Application Auto Scaling bounds (min, max, any
    suspended scaling), scaling policies (target tracking values, cooldowns, scale-in disabled),
    scheduled actions (schedule, time zone, the min/max/desired they set) and the newest scaling
    activities with their causes and why a scaling was not done. For an EC2 Auto Scaling group: its
    scaling policies and scheduled actions (use scaling_activities for its activities).

    Args:
        resource: an Auto Scaling group's name, or an Application Auto Scaling resource id.
    """
    namespace = namespace_of(args.resource)
    if namespace is None:
        return _group_config(ctx, args.resource)
    scope = {"ServiceNamespace": namespace}
    targets = ctx.aws.call(
        "application-autoscaling", "DescribeScalableTargets", ResourceIds=[args.resource], **scope
    )
    policies = ctx.aws.call(
        "application-autoscaling",
        "DescribeScalingPolicies",
        ResourceId=args.resource,
        MaxResults=MAX_ITEMS,
        **scope,
    )
    scheduled = ctx.aws.call(
        "application-autoscaling",
        "DescribeScheduledActions",
        ResourceId=args.resource,
        MaxResults=MAX_ITEMS,
        **scope,
    )
    gaps: list[str] = []
    activities: list[dict[str, Any]] = []
    try:  # the configuration stands without its history
        activities = ctx.aws.call(
            "application-autoscaling",
            "DescribeScalingActivities",
            ResourceId=args.resource,
            MaxResults=MAX_ACTIVITIES,
            IncludeNotScaledActivities=True,
            **scope,
        ).get("ScalingActivities", [])
    except ClientError as exc:
        gaps.append(f"application-autoscaling:DescribeScalingActivities: {_reason(exc)}")
    return ScalingConfig(
        resource=args.resource,
        namespace=namespace,
        targets=[
            Bounds(
                dimension=t["ScalableDimension"],
                min=t["MinCapacity"],
                max=t["MaxCapacity"],
                suspended=_suspended(t.get("SuspendedState")),
                created=t.get("CreationTime"),
            )
            for t in targets.get("ScalableTargets", [])
        ],
        policies=[app_policy(p) for p in policies.get("ScalingPolicies", [])],
        scheduled=[app_scheduled(a) for a in scheduled.get("ScheduledActions", [])],
        activities=[_event(a) for a in activities],
        gaps=gaps,
        has_more=bool(policies.get("NextToken") or scheduled.get("NextToken")),
    )


def scaling_attrs(targets: list[dict[str, Any]], scheduled: list[dict[str, Any]]) -> dict[str, str]:
    """A scalable resource's bounds and schedules, as graph-node attributes."""
    attrs: dict[str, str] = {}
    if targets:
        attrs["scaling"] = "; ".join(
            f"{t['ScalableDimension'].rsplit(':', 1)[-1]} min {t['MinCapacity']} max {t['MaxCapacity']}"
            for t in targets
        )
        off = sorted({w for t in targets for w in _suspended(t.get("SuspendedState"))})
        if off:
            attrs["warning"] = f"scaling suspended: {', '.join(off)}"
    if scheduled:
        attrs["scheduled_scaling"] = "; ".join(app_scheduled(a).line() for a in scheduled[:5])
    return attrs


def graph_attrs(walk: GraphWalk, namespace: str, resource_id: str) -> dict[str, str]:
    """The bounds and schedules of one scalable resource for describe_resources (gaps, not failures)."""
    page = walk.call(
        "application-autoscaling",
        "DescribeScalableTargets",
        ServiceNamespace=namespace,
        ResourceIds=[resource_id],
    )
    targets = (page or {}).get("ScalableTargets", [])
    if not targets:
        return {}
    page = walk.call(
        "application-autoscaling",
        "DescribeScheduledActions",
        ServiceNamespace=namespace,
        ResourceId=resource_id,
    )
    return scaling_attrs(targets, (page or {}).get("ScheduledActions", []))


def group_graph_attrs(walk: GraphWalk, group: str) -> dict[str, str]:
    """An Auto Scaling group's scheduled actions for describe_resources."""
    page = walk.call("autoscaling", "DescribeScheduledActions", AutoScalingGroupName=group)
    actions = (page or {}).get("ScheduledUpdateGroupActions", [])
    if not actions:
        return {}
    return {"scheduled_scaling": "; ".join(group_scheduled(a).line() for a in actions[:5])}
