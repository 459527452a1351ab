"""Scaling configuration of captured resources: Application Auto Scaling targets, policies and scheduled
actions, and EC2 Auto Scaling scheduled actions (activities are events, read in events.py)."""

from __future__ import annotations

from evals.capture.inventory import Inventory
from evals.capture.reader import Reader

SOURCE = "resources"
MAX_ITEMS = 50  # policies or scheduled actions per resource
SERVICE = "application-autoscaling"


def scalable(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """`namespace|resource-id` refs: the resource's scalable targets and, when it has any, its policies
    and scheduled actions. A resource without a target is simply not scaled: no gap."""
    for ref in refs:
        namespace, resource = ref.split("|", 1)
        scope = {"ServiceNamespace": namespace}
        page = reader.call(
            SOURCE, SERVICE, "DescribeScalableTargets", resource, ResourceIds=[resource], **scope
        )
        targets = (page or {}).get("ScalableTargets", [])
        for target in targets:
            inv.add(SERVICE, "ScalableTarget", target)
        if not targets:
            continue
        for operation, key, type_ in (
            ("DescribeScalingPolicies", "ScalingPolicies", "ScalingPolicy"),
            ("DescribeScheduledActions", "ScheduledActions", "ScheduledAction"),
        ):
            found, _ = reader.pages(
                SOURCE,
                SERVICE,
                operation,
                key,
                max_items=MAX_ITEMS,
                target=resource,
                ResourceId=resource,
                **scope,
            )
            for item in found:
                inv.add(SERVICE, type_, item)


def group_schedules(reader: Reader, inv: Inventory, group: str) -> None:
    """An Auto Scaling group's scheduled actions."""
    found, _ = reader.pages(
        SOURCE,
        "autoscaling",
        "DescribeScheduledActions",
        "ScheduledUpdateGroupActions",
        max_items=MAX_ITEMS,
        target=group,
        AutoScalingGroupName=group,
    )
    for action in found:
        inv.add("autoscaling", "ScheduledUpdateGroupAction", action)
