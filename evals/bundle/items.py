"""What may stand in `resources.jsonl` and `events.jsonl`, and how each item is checked.

A resource's `type` is normally the name of the item's shape in botocore's model of `service` (an
`ec2` `Instance`, an `autoscaling` `AutoScalingGroup`, an `rds` `DBCluster`, ...), and the item is
validated against that shape. AWS has no single item shape for a few things the replay needs; those
are the pseudo types below, each a small pydantic model documented in FORMAT.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.bundle.model import UtcDatetime
from evals.bundle.shapes import ShapeError, has_shape, validate_item


class _Pseudo(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoleInlinePolicy(_Pseudo):
    """iam GetRolePolicy's answer: one inline policy of a role."""

    RoleName: str
    PolicyName: str
    PolicyDocument: dict[str, Any] | str


class RoleAttachedPolicy(_Pseudo):
    """iam ListAttachedRolePolicies' item, with the role it is attached to."""

    RoleName: str
    PolicyName: str
    PolicyArn: str


class DBLogFile(_Pseudo):
    """An RDS log file: DescribeDBLogFiles' item plus its text for DownloadDBLogFilePortion."""

    DBInstanceIdentifier: str
    LogFileName: str
    LastWritten: int = Field(ge=0, description="epoch milliseconds, as AWS reports it")
    Size: int | None = Field(default=None, ge=0)
    Data: str = ""


class FunctionConcurrency(_Pseudo):
    """lambda GetFunctionConcurrency's answer for one function."""

    FunctionName: str
    ReservedConcurrentExecutions: int = Field(ge=0)


class Queue(_Pseudo):
    """An SQS queue: its URL, GetQueueAttributes' `Attributes` (All) and ListQueueTags' `Tags`."""

    QueueUrl: str = Field(min_length=1)
    Attributes: dict[str, str] = {}
    Tags: dict[str, str] = {}


class Topic(_Pseudo):
    """An SNS topic: its ARN and GetTopicAttributes' `Attributes`."""

    TopicArn: str = Field(min_length=1)
    Attributes: dict[str, str] = {}


class Subscription(_Pseudo):
    """An SNS subscription: ListSubscriptions' item plus GetSubscriptionAttributes' `Attributes`."""

    SubscriptionArn: str = Field(min_length=1)
    TopicArn: str = Field(min_length=1)
    Protocol: str
    Endpoint: str
    Owner: str
    Attributes: dict[str, str] = {}


class BucketPolicy(_Pseudo):
    """s3 GetBucketPolicy's answer for one bucket (the policy as JSON text or an object)."""

    Bucket: str = Field(min_length=1)
    Policy: dict[str, Any] | str


class KeyPolicy(_Pseudo):
    """kms GetKeyPolicy's answer for one key (the policy as JSON text or an object)."""

    KeyId: str = Field(min_length=1)
    PolicyName: str = "default"
    Policy: dict[str, Any] | str


PSEUDO_RESOURCE_TYPES: dict[tuple[str, str], type[BaseModel]] = {
    ("iam", "RoleInlinePolicy"): RoleInlinePolicy,
    ("iam", "RoleAttachedPolicy"): RoleAttachedPolicy,
    ("rds", "DBLogFile"): DBLogFile,
    ("lambda", "FunctionConcurrency"): FunctionConcurrency,
    ("sqs", "Queue"): Queue,
    ("sns", "Topic"): Topic,
    ("sns", "Subscription"): Subscription,
    ("s3", "BucketPolicy"): BucketPolicy,
    ("kms", "KeyPolicy"): KeyPolicy,
}

# Items whose botocore shape lacks the id of the parent they are listed under (a stage does not name
# its API): the parent's key fields stand beside the shape's own fields, and the rest is validated
# against the shape. (service, type) -> (botocore shape, parent key fields)
CHILD_RESOURCE_TYPES: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("apigateway", "RestApiStage"): ("Stage", ("restApiId",)),
    ("apigateway", "RestApiResource"): ("Resource", ("restApiId",)),
    ("apigateway", "MethodIntegration"): ("Integration", ("restApiId", "resourceId", "httpMethod")),
    ("apigatewayv2", "ApiStage"): ("Stage", ("ApiId",)),
    ("apigatewayv2", "ApiIntegration"): ("Integration", ("ApiId",)),
    ("apigatewayv2", "ApiRoute"): ("Route", ("ApiId",)),
    ("route53", "ZoneRecordSet"): ("ResourceRecordSet", ("HostedZoneId",)),
    ("elasticache", "CacheParameterGroupParameter"): ("Parameter", ("CacheParameterGroupName",)),
    ("rds", "DBParameter"): ("Parameter", ("DBParameterGroupName",)),
    ("kinesis", "StreamShard"): ("Shard", ("StreamName",)),
    ("secretsmanager", "SecretVersion"): ("SecretVersionsListEntry", ("SecretId",)),
    ("s3", "BucketPublicAccessBlock"): ("PublicAccessBlockConfiguration", ("Bucket",)),
}


# Items whose parent key may be left out where the bundle holds one parent only: an RDS Proxy target
# names neither its proxy nor its target group (DescribeDBProxyTargets is asked per proxy); with one
# proxy in the bundle it is that proxy's, and with several each target carries `DBProxyName`. The same
# holds for a REST API's authorizers (GetAuthorizers is asked per API).
OPTIONAL_PARENT_KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("rds", "DBProxyTarget"): ("DBProxyName", "TargetGroupName"),
    ("apigateway", "Authorizer"): ("restApiId",),
}


def _set_parents_aside(
    service: str, type_: str, item: dict[str, Any], parents: tuple[str, ...], *, required: bool
) -> dict[str, Any]:
    """The item without its parents' key fields, each checked to be a non-empty string (and present,
    when `required`)."""
    for key in parents:
        if not required and key not in item:
            continue
        value = item.get(key)
        if not isinstance(value, str) or not value:
            raise ValueError(f"{service}/{type_}: field {key!r} (the parent's id) must be a non-empty string")
    return {k: v for k, v in item.items() if k not in parents}


def _check_child(service: str, type_: str, item: dict[str, Any]) -> None:
    shape, parents = CHILD_RESOURCE_TYPES[(service, type_)]
    rest = _set_parents_aside(service, type_, item, parents, required=True)
    validate_item(service, shape, rest, label=f"{service}/{type_}")


class HealthEventItem(_Pseudo):
    """An AWS Health event with its description and affected entities."""

    event: dict[str, Any]
    description: str = ""
    affected_entities: list[dict[str, Any]] = []


class EcsServiceEventItem(_Pseudo):
    service_arn: str
    event: dict[str, Any]


class TargetHealthItem(_Pseudo):
    """One point of a target-health timeline: from `timestamp` on, `target` in the group is `health`."""

    target_group_arn: str
    target: dict[str, Any]
    health: dict[str, Any]
    timestamp: UtcDatetime


def _check_health(item: dict[str, Any]) -> None:
    parsed = HealthEventItem.model_validate(item)
    validate_item("health", "Event", parsed.event, label="health event")
    for entity in parsed.affected_entities:
        validate_item("health", "AffectedEntity", entity)


def _check_ecs(item: dict[str, Any]) -> None:
    parsed = EcsServiceEventItem.model_validate(item)
    validate_item("ecs", "ServiceEvent", parsed.event)


def _check_target_health(item: dict[str, Any]) -> None:
    parsed = TargetHealthItem.model_validate(item)
    validate_item("elbv2", "TargetDescription", parsed.target)
    validate_item("elbv2", "TargetHealth", parsed.health)


EVENT_SOURCES: dict[str, Callable[[dict[str, Any]], None]] = {
    "health": _check_health,
    "application_autoscaling": lambda item: validate_item(
        "application-autoscaling", "ScalingActivity", item, label="scaling activity"
    ),
    "elasticache": lambda item: validate_item("elasticache", "Event", item, label="ElastiCache event"),
    "rds": lambda item: validate_item("rds", "Event", item, label="RDS event"),
    "autoscaling": lambda item: validate_item("autoscaling", "Activity", item, label="scaling activity"),
    "ecs": _check_ecs,
    "target_health": _check_target_health,
}


def check_resource(service: str, type_: str, item: dict[str, Any]) -> None:
    """Raise ValueError/ValidationError naming what is wrong with a resources.jsonl item."""
    pseudo = PSEUDO_RESOURCE_TYPES.get((service, type_))
    if pseudo is not None:
        pseudo.model_validate(item)
        return
    if (service, type_) in CHILD_RESOURCE_TYPES:
        _check_child(service, type_, item)
        return
    if not has_shape(service, type_):
        known = ", ".join(f"{s}/{t}" for s, t in (*PSEUDO_RESOURCE_TYPES, *CHILD_RESOURCE_TYPES))
        raise ShapeError(f"{service}/{type_} is neither a botocore shape nor a pseudo type ({known})")
    optional = OPTIONAL_PARENT_KEYS.get((service, type_), ())
    validate_item(service, type_, _set_parents_aside(service, type_, item, optional, required=False))


def check_event(source: str, item: dict[str, Any]) -> None:
    check = EVENT_SOURCES.get(source)
    if check is None:
        raise ShapeError(f"unknown event source {source!r}; known: {', '.join(sorted(EVENT_SOURCES))}")
    check(item)


def check_alarm(item: dict[str, Any]) -> None:
    if "AlarmRule" in item:
        validate_item("cloudwatch", "CompositeAlarm", item, label="composite alarm")
    else:
        validate_item("cloudwatch", "MetricAlarm", item, label="metric alarm")


__all__ = [
    "CHILD_RESOURCE_TYPES",
    "EVENT_SOURCES",
    "PSEUDO_RESOURCE_TYPES",
    "ValidationError",
    "check_alarm",
    "check_event",
    "check_resource",
]
