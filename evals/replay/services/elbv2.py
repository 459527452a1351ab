"""Elastic Load Balancing v2: load balancers, target groups and target health as of the bundle's now.

Load balancers, target groups and listeners come from resources.jsonl (`elbv2/LoadBalancer` in file
order, `elbv2/TargetGroup` by name, `elbv2/Listener` of load balancers that exist, in file order);
target health from events.jsonl source "target_health": a timeline of points, each saying that from `timestamp` on a target of a group is in a given health. A target whose
latest point is `unused`/`Target.NotRegistered` has been deregistered (draining done) and is listed no
more. HealthCheckPort is the port checked ("traffic-port" resolved to the target's port), absent while
nothing is checked (unused targets, registration in progress), as in AWS's own examples. A marker from
another request is refused as a ValidationError (AWS's exact answer is undocumented). DescribeTags is
not replayed: the describe items a bundle holds carry no tags.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

MAX_PAGE = 400
NOT_REGISTERED = {
    "State": "unused",
    "Reason": "Target.NotRegistered",
    "Description": "Target is not registered to the target group",
}


def _page_size(params: dict[str, Any]) -> int:
    size = params.get("PageSize", MAX_PAGE)
    if size > MAX_PAGE:
        raise AwsError(
            "ValidationError",
            f"1 validation error detected: Value '{size}' at 'pageSize' failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_PAGE}",
        )
    return int(size)


def _page(ctx: ReplayContext, items: list[Any], params: dict[str, Any], key: str) -> dict[str, Any]:
    request = {k: v for k, v in params.items() if k not in ("Marker", "PageSize")}
    page, marker = ctx.page(
        items, params.get("Marker"), _page_size(params), request=request, error_code="ValidationError"
    )
    answer: dict[str, Any] = {key: copy.deepcopy(page)}  # callers may change what they get; the cache stays
    if marker:
        answer["NextMarker"] = marker
    return answer


def _load_balancers(ctx: ReplayContext) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        parsed = [to_parsed("elbv2", "LoadBalancer", lb) for lb in ctx.resources("elbv2", "LoadBalancer")]
        return [lb for lb in parsed if lb.get("CreatedTime") is None or lb["CreatedTime"] <= ctx.now]

    return ctx.cached("elbv2-load-balancers", build)


def _target_groups(ctx: ReplayContext) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        parsed = [to_parsed("elbv2", "TargetGroup", tg) for tg in ctx.resources("elbv2", "TargetGroup")]
        return sorted(parsed, key=lambda tg: tg.get("TargetGroupName", ""))

    return ctx.cached("elbv2-target-groups", build)


def _lb_not_found() -> AwsError:
    return AwsError("LoadBalancerNotFound", "One or more load balancers not found")


def _tg_not_found() -> AwsError:
    return AwsError("TargetGroupNotFound", "One or more target groups not found")


@operation("elbv2", "DescribeLoadBalancers")
def describe_load_balancers(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    arns, names = params.get("LoadBalancerArns"), params.get("Names")
    if arns and names:
        raise AwsError(
            "ValidationError",
            "Load balancer names and load balancer ARNs cannot be specified at the same time",
        )
    found = _load_balancers(ctx)
    for wanted, field in ((arns, "LoadBalancerArn"), (names, "LoadBalancerName")):
        if wanted:
            if set(wanted) - {lb[field] for lb in found}:
                raise _lb_not_found()
            found = [lb for lb in found if lb[field] in wanted]
    return _page(ctx, found, params, "LoadBalancers")


@operation("elbv2", "DescribeTargetGroups")
def describe_target_groups(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    lb_arn, arns, names = params.get("LoadBalancerArn"), params.get("TargetGroupArns"), params.get("Names")
    if sum(bool(x) for x in (lb_arn, arns, names)) > 1:
        raise AwsError(
            "ValidationError",
            "Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time",
        )
    found = _target_groups(ctx)
    if lb_arn:
        if lb_arn not in {lb["LoadBalancerArn"] for lb in _load_balancers(ctx)}:
            raise _lb_not_found()
        found = [tg for tg in found if lb_arn in (tg.get("LoadBalancerArns") or [])]
    for wanted, field in ((arns, "TargetGroupArn"), (names, "TargetGroupName")):
        if wanted:
            if set(wanted) - {tg.get(field) for tg in found}:
                raise _tg_not_found()
            found = [tg for tg in found if tg.get(field) in wanted]
    return _page(ctx, found, params, "TargetGroups")


def _listeners(ctx: ReplayContext) -> list[dict[str, Any]]:
    """Listeners of load balancers that exist at now, in bundle order."""

    def build() -> list[dict[str, Any]]:
        balancers = {lb["LoadBalancerArn"] for lb in _load_balancers(ctx)}
        parsed = [to_parsed("elbv2", "Listener", li) for li in ctx.resources("elbv2", "Listener")]
        return [li for li in parsed if li.get("LoadBalancerArn") in balancers]

    return ctx.cached("elbv2-listeners", build)


@operation("elbv2", "DescribeListeners")
def describe_listeners(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    lb_arn, arns = params.get("LoadBalancerArn"), params.get("ListenerArns")
    if bool(lb_arn) == bool(arns):
        raise AwsError(
            "ValidationError", "You must specify either listener ARNs or a load balancer ARN, not both"
        )
    found = _listeners(ctx)
    if lb_arn:
        if lb_arn not in {lb["LoadBalancerArn"] for lb in _load_balancers(ctx)}:
            raise _lb_not_found()
        found = [li for li in found if li["LoadBalancerArn"] == lb_arn]
    else:
        arns = arns or []
        if set(arns) - {li["ListenerArn"] for li in found}:
            raise AwsError("ListenerNotFound", "One or more listeners not found")
        found = [li for li in found if li["ListenerArn"] in arns]
    return _page(ctx, found, params, "Listeners")


Point = tuple[datetime, dict[str, Any], dict[str, Any]]  # (from when, TargetDescription, TargetHealth)


def _timelines(ctx: ReplayContext) -> dict[str, list[Point]]:
    """Target-health points up to now per target group, oldest first."""

    def build() -> dict[str, list[Point]]:
        lines: dict[str, list[Point]] = {}
        for item in ctx.events("target_health"):
            when = to_datetime(item["timestamp"])
            if when <= ctx.now:
                target = to_parsed("elbv2", "TargetDescription", item["target"])
                health = to_parsed("elbv2", "TargetHealth", item["health"])
                lines.setdefault(item["target_group_arn"], []).append((when, target, health))
        for points in lines.values():
            points.sort(key=lambda p: p[0])
        return lines

    return ctx.cached("elbv2-target-health", build)


def _known_ids(ctx: ReplayContext) -> set[str]:
    """Ids of targets the account has: any timeline's targets and the bundle's EC2 instances."""

    def build() -> set[str]:
        ids = {str(item["target"]["Id"]) for item in ctx.events("target_health")}
        ids |= {str(i.get("InstanceId")) for i in ctx.resources("ec2", "Instance")}
        return ids

    return ctx.cached("elbv2-known-ids", build)


def _description(group: dict[str, Any], target: dict[str, Any], health: dict[str, Any]) -> dict[str, Any]:
    desc: dict[str, Any] = {"Target": copy.deepcopy(target), "TargetHealth": copy.deepcopy(health)}
    # AWS names the port it checks ("traffic-port" resolved), and none while it checks nothing: for
    # unused targets and targets still being registered (the API reference's examples show both).
    checked = health.get("State") != "unused" and health.get("Reason") != "Elb.RegistrationInProgress"
    check_port = group.get("HealthCheckPort")
    if not checked or not check_port:
        return desc
    if check_port == "traffic-port":
        if "Port" in target:
            desc["HealthCheckPort"] = str(target["Port"])
    else:
        desc["HealthCheckPort"] = check_port
    return desc


def _latest(points: list[Point], port: int | None) -> dict[tuple[str, int | None], Point]:
    """The latest point per registered target (Id, Port), in order of first registration."""
    latest: dict[tuple[str, int | None], Point] = {}
    for point in points:
        target = point[1]
        latest[(target["Id"], target.get("Port", port))] = point
    return latest


@operation("elbv2", "DescribeTargetHealth")
def describe_target_health(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("Include"):
        raise ReplayUnsupported(
            "elbv2", "DescribeTargetHealth", "Include (anomaly detection) is not in bundles"
        )
    arn = params["TargetGroupArn"]
    group = next((tg for tg in _target_groups(ctx) if tg["TargetGroupArn"] == arn), None)
    if group is None:
        raise _tg_not_found()
    latest = _latest(_timelines(ctx).get(arn, []), group.get("Port"))
    requested = params.get("Targets")
    if not requested:
        shown = [p for p in latest.values() if p[2].get("Reason") != "Target.NotRegistered"]
        return {"TargetHealthDescriptions": [_description(group, t, h) for _, t, h in shown]}
    answer = []
    for target in requested:
        matches = [
            p for (tid, port), p in latest.items() if tid == target["Id"] and target.get("Port", port) == port
        ]
        if matches:
            answer += [_description(group, t, h) for _, t, h in matches]
            continue
        if group.get("TargetType", "instance") == "instance" and target["Id"] not in _known_ids(ctx):
            raise AwsError(
                "InvalidTarget",
                "The specified target does not exist or is not in the same VPC as the target group.",
            )
        shown_target = {
            "Id": target["Id"],
            **({"Port": target.get("Port", group["Port"])} if "Port" in group else {}),
        }
        answer.append(_description(group, shown_target, dict(NOT_REGISTERED)))
    return {"TargetHealthDescriptions": answer}
