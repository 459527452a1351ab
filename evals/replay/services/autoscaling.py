"""EC2 Auto Scaling: groups, scaling activities and scaling policies as of the bundle's now.

Groups come from resources.jsonl (`autoscaling/AutoScalingGroup`, listed by name), policies from
`autoscaling/ScalingPolicy` (file order), activities from events.jsonl source "autoscaling".
`IncludeManagedResources` is accepted but has no effect: a bundle does not mark managed groups.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

ACTIVITY_HISTORY = timedelta(weeks=6)  # Auto Scaling keeps activities for six weeks
MAX_RECORDS = 100
POLICY_TYPES = ("SimpleScaling", "StepScaling", "TargetTrackingScaling", "PredictiveScaling")


def _records(params: dict[str, Any], default: int) -> int:
    size = params.get("MaxRecords", default)
    if size > MAX_RECORDS:
        raise AwsError(
            "ValidationError",
            f"1 validation error detected: Value '{size}' at 'maxRecords' failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_RECORDS}",
        )
    return int(size)


def _page(
    ctx: ReplayContext, items: list[Any], params: dict[str, Any], size: int, key: str
) -> dict[str, Any]:
    request = {k: v for k, v in params.items() if k not in ("NextToken", "MaxRecords")}
    page, token = ctx.page(
        items, params.get("NextToken"), size, request=request, error_code="InvalidNextToken"
    )
    answer: dict[str, Any] = {key: copy.deepcopy(page)}  # callers may change what they get; the cache stays
    if token:
        answer["NextToken"] = token
    return answer


def groups(ctx: ReplayContext) -> list[dict[str, Any]]:
    """The groups that exist at now, parsed, by name."""

    def build() -> list[dict[str, Any]]:
        parsed = [
            to_parsed("autoscaling", "AutoScalingGroup", g)
            for g in ctx.resources("autoscaling", "AutoScalingGroup")
        ]
        return sorted(
            (g for g in parsed if g["CreatedTime"] <= ctx.now), key=lambda g: g["AutoScalingGroupName"]
        )

    return ctx.cached("autoscaling-groups", build)


def _tag_filter(name: str, values: list[str]) -> Any:
    wanted = set(values)
    if name == "tag-key":
        return lambda tag: tag.get("Key") in wanted
    if name == "tag-value":
        return lambda tag: tag.get("Value") in wanted
    if name.startswith("tag:"):
        key = name[4:]
        return lambda tag: tag.get("Key") == key and tag.get("Value") in wanted
    raise AwsError(
        "ValidationError",
        f"Filter type {name} is not correct. Allowed Filter types are: tag-key tag-value tag:<key>",
    )


@operation("autoscaling", "DescribeAutoScalingGroups")
def describe_auto_scaling_groups(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    size = _records(params, 50)
    names = params.get("AutoScalingGroupNames")
    if names and len(names) > max(50, size):
        raise AwsError(
            "ValidationError", f"The number of names ({len(names)}) exceeds the limit of {max(50, size)}."
        )
    found = groups(ctx)
    if names:
        wanted = set(names)
        found = [g for g in found if g["AutoScalingGroupName"] in wanted]  # unknown names are ignored
    # Values within a filter are ORed; filters are ANDed.
    for flt in params.get("Filters") or []:
        match = _tag_filter(flt.get("Name", ""), flt.get("Values") or [])
        found = [g for g in found if any(match(tag) for tag in g.get("Tags") or [])]
    if params.get("IncludeInstances") is False:
        found = [{k: v for k, v in g.items() if k != "Instances"} for g in found]
    return _page(ctx, found, params, size, "AutoScalingGroups")


def _as_of_now(activity: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An activity still running at now: no end, no final status yet."""
    end = activity.get("EndTime")
    if end is None or end <= now:
        return activity
    drop = {"EndTime", "StatusMessage", "Progress"}
    running = {k: v for k, v in activity.items() if k not in drop}
    running["StatusCode"] = "InProgress"
    return running


def _activity_filters(params: dict[str, Any]) -> tuple[datetime | None, datetime | None, set[str] | None]:
    lower = upper = None
    status: set[str] | None = None
    for flt in params.get("Filters") or []:
        name, values = flt.get("Name", ""), flt.get("Values") or []
        if name == "StartTimeLowerBound" and values:
            lower = to_datetime(values[0])
        elif name == "StartTimeUpperBound" and values:
            upper = to_datetime(values[0])
        elif name == "Status":
            if "AutoScalingGroupName" not in params:
                raise AwsError(
                    "ValidationError", "The Status filter can only be used with AutoScalingGroupName."
                )
            status = set(values)
        else:
            raise AwsError(
                "ValidationError",
                f"Filter {name} is not supported. Supported filters: StartTimeLowerBound, StartTimeUpperBound, Status",
            )
    return lower, upper, status


@operation("autoscaling", "DescribeScalingActivities")
def describe_scaling_activities(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    size = _records(params, 100)
    ids = params.get("ActivityIds")
    if ids and len(ids) > 50:
        raise AwsError("ValidationError", "You can specify up to 50 activity IDs.")
    lower, upper, status = _activity_filters(params)
    existing = {g["AutoScalingGroupName"] for g in groups(ctx)}
    found = []
    parsed = ctx.cached(
        "autoscaling-activities",
        lambda: [to_parsed("autoscaling", "Activity", a) for a in ctx.events("autoscaling")],
    )
    for activity in parsed:
        start = activity["StartTime"]
        if not ctx.now - ACTIVITY_HISTORY <= start <= ctx.now:
            continue
        group = activity["AutoScalingGroupName"]
        if "AutoScalingGroupName" in params and group != params["AutoScalingGroupName"]:
            continue
        if not params.get("IncludeDeletedGroups") and group not in existing:
            continue
        if ids and activity["ActivityId"] not in ids:  # unknown ids are ignored
            continue
        if (lower and start < lower) or (upper and start > upper):
            continue
        activity = _as_of_now(activity, ctx.now)
        if status is not None and activity["StatusCode"] not in status:
            continue
        found.append(activity)
    found.sort(key=lambda a: a["StartTime"], reverse=True)
    return _page(ctx, found, params, size, "Activities")


@operation("autoscaling", "DescribePolicies")
def describe_policies(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    size = _records(params, 50)
    names = params.get("PolicyNames")
    if names and len(names) > 50:
        raise AwsError("ValidationError", "You can specify up to 50 policy names.")
    types = params.get("PolicyTypes")
    for kind in types or []:
        if kind not in POLICY_TYPES:
            raise AwsError(
                "ValidationError", f"Invalid policy type {kind}; valid types: {', '.join(POLICY_TYPES)}"
            )
    group = params.get("AutoScalingGroupName")
    found = []
    for item in ctx.resources("autoscaling", "ScalingPolicy"):
        policy = to_parsed("autoscaling", "ScalingPolicy", item)
        if group and policy.get("AutoScalingGroupName") != group:
            continue
        # A policy may be named by its name or its ARN; unknown names are ignored.
        if names and policy.get("PolicyName") not in names and policy.get("PolicyARN") not in names:
            continue
        if types and policy.get("PolicyType", "SimpleScaling") not in types:
            continue
        found.append(policy)
    return _page(ctx, found, params, size, "ScalingPolicies")


@operation("autoscaling", "DescribeScheduledActions")
def describe_scheduled_actions(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    """From `autoscaling/ScheduledUpdateGroupAction` items; actions of groups that do not exist are not
    listed, and unknown names are ignored. StartTime/EndTime keep the actions whose next run falls in them."""
    size = _records(params, 50)
    names = params.get("ScheduledActionNames")
    if names and len(names) > 50:
        raise AwsError("ValidationError", "You can specify up to 50 scheduled action names.")
    group = params.get("AutoScalingGroupName")
    existing = {g["AutoScalingGroupName"] for g in groups(ctx)}
    lower, upper = (to_datetime(params[k]) if params.get(k) else None for k in ("StartTime", "EndTime"))
    found = []
    for item in ctx.resources("autoscaling", "ScheduledUpdateGroupAction"):
        action = to_parsed("autoscaling", "ScheduledUpdateGroupAction", item)
        if action.get("AutoScalingGroupName") not in existing:
            continue
        if group and action["AutoScalingGroupName"] != group:
            continue
        if names and action.get("ScheduledActionName") not in names:
            continue
        when = action.get("StartTime") or action.get("Time")
        if when is not None and ((lower and when < lower) or (upper and when > upper)):
            continue
        found.append(action)
    return _page(ctx, found, params, size, "ScheduledUpdateGroupActions")
