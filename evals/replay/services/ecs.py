"""ECS: services (with their event history) and tasks, seen as they stood at the bundle's `now`."""

from __future__ import annotations

from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

SERVICE_EVENTS_KEPT = 100  # DescribeServices shows a service's 100 most recent events
DESCRIBE_SERVICES_MAX = 10
DESCRIBE_TASKS_MAX = 100
# Task timestamps that mark a lifecycle step; a step stamped after now has not happened yet.
_TASK_STEPS = ("pullStartedAt", "pullStoppedAt", "startedAt", "stoppingAt", "executionStoppedAt", "stoppedAt")


def _last(arn_or_name: str) -> str:
    return arn_or_name.rsplit("/", 1)[-1]


def _before_now(ctx: ReplayContext, value: Any) -> bool:
    return value is None or to_datetime(value) <= ctx.now


# --- clusters -------------------------------------------------------------------------------------


def _cluster(ctx: ReplayContext, params: dict[str, Any]) -> tuple[str, str]:
    """(cluster name, cluster ARN) of the request's cluster, or ClusterNotFoundException."""
    ref = params.get("cluster") or "default"
    name = ref.split(":cluster/", 1)[1] if ":cluster/" in ref else ref
    arn = f"arn:aws:ecs:{ctx.region}:{ctx.account_id}:cluster/{name}"
    known = {c.get("clusterArn") for c in ctx.resources("ecs", "Cluster")}
    known |= {s.get("clusterArn") for s in ctx.resources("ecs", "Service")}
    known |= {t.get("clusterArn") for t in ctx.resources("ecs", "Task")}
    if arn not in known:
        raise AwsError("ClusterNotFoundException", "Cluster not found.")
    return name, arn


def _max_results(params: dict[str, Any], default: int) -> int:
    size = params.get("maxResults", default)
    if not 1 <= size <= 100:
        raise AwsError("InvalidParameterException", "maxResults must be between 1 and 100.")
    return int(size)


def _page(
    ctx: ReplayContext, params: dict[str, Any], key: str, items: list[str], default: int
) -> dict[str, Any]:
    request = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    page, token = ctx.page(
        items,
        params.get("nextToken"),
        _max_results(params, default),
        request=request,
        error_code="InvalidParameterException",
    )
    return {key: page, "nextToken": token} if token else {key: page}


# --- services -------------------------------------------------------------------------------------


def _services(ctx: ReplayContext, cluster_arn: str) -> list[dict[str, Any]]:
    return [
        s
        for s in ctx.resources("ecs", "Service")
        if s.get("clusterArn") == cluster_arn and _before_now(ctx, s.get("createdAt"))
    ]


def _find_service(services: list[dict[str, Any]], ref: str) -> dict[str, Any] | None:
    for svc in services:
        if ref in (svc.get("serviceArn"), svc.get("serviceName")):
            return svc
    return None


def _service_events(ctx: ReplayContext, svc: dict[str, Any]) -> list[dict[str, Any]]:
    """The service's own events merged with events.jsonl's, newest first, none after now, no repeats."""
    merged: dict[str, dict[str, Any]] = {}
    extra = [e["event"] for e in ctx.events("ecs") if e["service_arn"] == svc.get("serviceArn")]
    for ev in [*svc.get("events", []), *extra]:
        if _before_now(ctx, ev.get("createdAt")):
            merged[ev.get("id") or f"{ev.get('createdAt')}|{ev.get('message')}"] = ev
    ordered = sorted(
        merged.values(),
        key=lambda e: to_datetime(e["createdAt"]) if e.get("createdAt") else ctx.now,
        reverse=True,
    )
    return ordered[:SERVICE_EVENTS_KEPT]


def _deployments(ctx: ReplayContext, svc: dict[str, Any]) -> list[dict[str, Any]]:
    """Deployments begun by now; if the PRIMARY one came later, the newest earlier one was PRIMARY."""
    deployments = [d for d in svc.get("deployments", []) if _before_now(ctx, d.get("createdAt"))]
    if deployments and not any(d.get("status") == "PRIMARY" for d in deployments):
        newest = max(
            deployments, key=lambda d: to_datetime(d["createdAt"]) if d.get("createdAt") else ctx.now
        )
        deployments = [dict(d, status="PRIMARY") if d is newest else d for d in deployments]
    return deployments


@operation("ecs", "ListServices")
def list_services(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _, cluster_arn = _cluster(ctx, params)
    services = [s for s in _services(ctx, cluster_arn) if s.get("status") != "INACTIVE"]
    if "launchType" in params:
        services = [s for s in services if s.get("launchType") == params["launchType"]]
    if "schedulingStrategy" in params:
        services = [s for s in services if s.get("schedulingStrategy") == params["schedulingStrategy"]]
    return _page(ctx, params, "serviceArns", [s["serviceArn"] for s in services], default=10)


@operation("ecs", "DescribeServices")
def describe_services(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    cluster_name, cluster_arn = _cluster(ctx, params)
    refs = params["services"]
    if len(refs) > DESCRIBE_SERVICES_MAX:
        raise AwsError(
            "InvalidParameterException", f"service names can have at most {DESCRIBE_SERVICES_MAX} items."
        )
    services = _services(ctx, cluster_arn)
    found, failures = [], []
    for ref in refs:
        svc = _find_service(services, ref)
        if svc is None:
            arn = (
                ref
                if ref.startswith("arn:")
                else f"arn:aws:ecs:{ctx.region}:{ctx.account_id}:service/{cluster_name}/{ref}"
            )
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        view = dict(svc, events=_service_events(ctx, svc), deployments=_deployments(ctx, svc))
        if "TAGS" not in params.get("include", []):
            view.pop("tags", None)
        found.append(to_parsed("ecs", "Service", view))
    return {"services": found, "failures": failures}


# --- tasks ----------------------------------------------------------------------------------------


def _task_at_now(ctx: ReplayContext, task: dict[str, Any]) -> dict[str, Any]:
    """The task as DescribeTasks would have shown it at now: later lifecycle steps undone."""
    view = dict(task)
    late = [k for k in _TASK_STEPS if k in view and not _before_now(ctx, view[k])]
    if not late:
        return view
    for key in late:
        view.pop(key)
    if "stoppedAt" in late:
        for key in ("stoppedReason", "stopCode"):
            view.pop(key, None)
        status = "RUNNING" if "startedAt" in view else "PENDING"
        view["lastStatus"] = status
        view["desiredStatus"] = "STOPPED" if "stoppingAt" in view else "RUNNING"
        view["containers"] = [
            {k: v for k, v in dict(c, lastStatus=status).items() if k not in ("exitCode", "reason")}
            for c in view.get("containers", [])
        ]
    return view


def _tasks(ctx: ReplayContext, cluster_arn: str) -> list[dict[str, Any]]:
    return [
        _task_at_now(ctx, t)
        for t in ctx.resources("ecs", "Task")
        if t.get("clusterArn") == cluster_arn and _before_now(ctx, t.get("createdAt"))
    ]


@operation("ecs", "DescribeTasks")
def describe_tasks(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    cluster_name, cluster_arn = _cluster(ctx, params)
    refs = params["tasks"]
    if len(refs) > DESCRIBE_TASKS_MAX:
        raise AwsError("InvalidParameterException", f"Tasks cannot be longer than {DESCRIBE_TASKS_MAX}.")
    by_id = {_last(t["taskArn"]): t for t in _tasks(ctx, cluster_arn)}
    found, failures = [], []
    for ref in refs:
        task = by_id.get(_last(ref))
        if task is None or (ref.startswith("arn:") and ref != task["taskArn"]):
            arn = (
                ref
                if ref.startswith("arn:")
                else f"arn:aws:ecs:{ctx.region}:{ctx.account_id}:task/{cluster_name}/{ref}"
            )
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        view = dict(task)
        if "TAGS" not in params.get("include", []):
            view.pop("tags", None)
        found.append(to_parsed("ecs", "Task", view))
    return {"tasks": found, "failures": failures}


def _family(task: dict[str, Any]) -> str:
    return _last(task.get("taskDefinitionArn", "")).rsplit(":", 1)[0]


@operation("ecs", "ListTasks")
def list_tasks(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _, cluster_arn = _cluster(ctx, params)
    tasks = _tasks(ctx, cluster_arn)
    if "serviceName" in params:
        service = _find_service(_services(ctx, cluster_arn), params["serviceName"])
        if service is None:
            raise AwsError("ServiceNotFoundException", "Service not found.")
        tasks = [t for t in tasks if t.get("group") == f"service:{service['serviceName']}"]
    wanted = params.get("desiredStatus", "RUNNING")
    tasks = [t for t in tasks if t.get("desiredStatus") == wanted]
    if "family" in params:
        tasks = [t for t in tasks if _family(t) == params["family"]]
    if "startedBy" in params:
        tasks = [t for t in tasks if t.get("startedBy") == params["startedBy"]]
    if "launchType" in params:
        tasks = [t for t in tasks if t.get("launchType") == params["launchType"]]
    if "containerInstance" in params:
        ref = params["containerInstance"]
        tasks = [
            t
            for t in tasks
            if t.get("containerInstanceArn") and _last(t["containerInstanceArn"]) == _last(ref)
        ]
    return _page(ctx, params, "taskArns", [t["taskArn"] for t in tasks], default=100)


# --- task definitions -----------------------------------------------------------------------------


def _revision(td: dict[str, Any]) -> tuple[str, int]:
    family, _, revision = _last(td.get("taskDefinitionArn", "")).rpartition(":")
    return family, int(revision) if revision.isdigit() else 0


@operation("ecs", "DescribeTaskDefinition")
def describe_task_definition(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    """A task definition by ARN, `family:revision`, or family alone (its latest ACTIVE revision), as
    registered at now."""
    ref = (
        _last(params["taskDefinition"])
        if params["taskDefinition"].startswith("arn:")
        else params["taskDefinition"]
    )
    registered = [
        td for td in ctx.resources("ecs", "TaskDefinition") if _before_now(ctx, td.get("registeredAt"))
    ]
    if ":" in ref:
        family, _, revision = ref.rpartition(":")
        found = [
            td for td in registered if _revision(td) == (family, int(revision) if revision.isdigit() else -1)
        ]
    else:
        active = [
            td for td in registered if _revision(td)[0] == ref and td.get("status", "ACTIVE") == "ACTIVE"
        ]
        found = sorted(active, key=lambda td: _revision(td)[1])[-1:]
    if not found:
        raise AwsError("ClientException", "Unable to describe task definition.")
    out: dict[str, Any] = {"taskDefinition": to_parsed("ecs", "TaskDefinition", found[0])}
    if "TAGS" in params.get("include", []):
        out["tags"] = found[0].get("tags", [])
    return out
