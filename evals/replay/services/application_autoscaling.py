"""Application Auto Scaling: scalable targets, scaling policies, scheduled actions and scaling activities.

Targets, policies and scheduled actions come from resources.jsonl (`application-autoscaling/ScalableTarget`,
`…/ScalingPolicy`, `…/ScheduledAction`, file order); one created after now does not exist yet. Activities
come from events.jsonl source "application_autoscaling", newest first, as AWS lists them; an activity still
running at now has no end and is `InProgress`. Every describe needs its ServiceNamespace; unknown resource
ids, names and dimensions are ignored (AWS answers an empty list, never "not found").
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from evals.bundle.shapes import to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

SERVICE = "application-autoscaling"
PAGE_MAX = 50  # every describe returns at most 50 items a call (and 50 by default)
ACTIVITY_HISTORY = timedelta(weeks=6)  # activities are kept for six weeks


def _too_many(field: str, size: int, most: int) -> AwsError:
    return AwsError(
        "ValidationException",
        f"1 validation error detected: Value '{size}' at '{field}' failed to satisfy constraint: "
        f"Member must have value less than or equal to {most}",
    )


def _items(ctx: ReplayContext, type_: str) -> list[dict[str, Any]]:
    """The items of a type that exist at now, parsed."""

    def build() -> list[dict[str, Any]]:
        parsed = [to_parsed(SERVICE, type_, item) for item in ctx.resources(SERVICE, type_)]
        return [p for p in parsed if p["CreationTime"] <= ctx.now]

    return ctx.cached(f"{SERVICE}:{type_}", build)


def _matching(items: list[dict[str, Any]], params: dict[str, Any], *, ids_key: str) -> list[dict[str, Any]]:
    found = [i for i in items if i["ServiceNamespace"] == params["ServiceNamespace"]]
    if ids_key == "ResourceIds" and params.get("ResourceIds"):
        if len(params["ResourceIds"]) > PAGE_MAX:
            raise _too_many("resourceIds", len(params["ResourceIds"]), PAGE_MAX)
        found = [i for i in found if i["ResourceId"] in params["ResourceIds"]]
    elif ids_key == "ResourceId" and params.get("ResourceId"):
        found = [i for i in found if i["ResourceId"] == params["ResourceId"]]
    if params.get("ScalableDimension"):
        found = [i for i in found if i.get("ScalableDimension") == params["ScalableDimension"]]
    return found


def _page(ctx: ReplayContext, items: list[Any], params: dict[str, Any], key: str) -> dict[str, Any]:
    size = params.get("MaxResults", PAGE_MAX)
    if size > PAGE_MAX:
        raise _too_many("maxResults", size, PAGE_MAX)
    request = {k: v for k, v in params.items() if k != "NextToken"}
    page, token = ctx.page(
        items, params.get("NextToken"), size, request=request, error_code="InvalidNextTokenException"
    )
    out: dict[str, Any] = {key: copy.deepcopy(page)}
    if token:
        out["NextToken"] = token
    return out


@operation(SERVICE, "DescribeScalableTargets")
def describe_scalable_targets(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    found = _matching(_items(ctx, "ScalableTarget"), params, ids_key="ResourceIds")
    return _page(ctx, found, params, "ScalableTargets")


@operation(SERVICE, "DescribeScalingPolicies")
def describe_scaling_policies(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    found = _matching(_items(ctx, "ScalingPolicy"), params, ids_key="ResourceId")
    names = params.get("PolicyNames")
    if names:
        found = [p for p in found if p["PolicyName"] in names]
    return _page(ctx, found, params, "ScalingPolicies")


@operation(SERVICE, "DescribeScheduledActions")
def describe_scheduled_actions(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    found = _matching(_items(ctx, "ScheduledAction"), params, ids_key="ResourceId")
    names = params.get("ScheduledActionNames")
    if names:
        found = [a for a in found if a["ScheduledActionName"] in names]
    return _page(ctx, found, params, "ScheduledActions")


def _as_of(activity: dict[str, Any], now: datetime) -> dict[str, Any]:
    end = activity.get("EndTime")
    if end is None or end <= now:
        return activity
    running = {k: v for k, v in activity.items() if k not in ("EndTime", "StatusMessage")}
    running["StatusCode"] = "InProgress"
    return running


@operation(SERVICE, "DescribeScalingActivities")
def describe_scaling_activities(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    parsed = ctx.cached(
        f"{SERVICE}:activities",
        lambda: [to_parsed(SERVICE, "ScalingActivity", a) for a in ctx.events("application_autoscaling")],
    )
    found = []
    for activity in _matching(parsed, params, ids_key="ResourceId"):
        if not ctx.now - ACTIVITY_HISTORY <= activity["StartTime"] <= ctx.now:
            continue
        # A "not scaled" activity (one with NotScaledReasons) is listed only when asked for.
        if activity.get("NotScaledReasons") and not params.get("IncludeNotScaledActivities"):
            continue
        found.append(_as_of(activity, ctx.now))
    found.sort(key=lambda a: a["StartTime"], reverse=True)
    return _page(ctx, found, params, "ScalingActivities")
