"""CodeDeploy: deployments, seen as they stood at the bundle's `now`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

PAGE_SIZE = 100  # NOTE: AWS does not document ListDeployments' page size
BATCH_LIMIT = 25
STATUSES = {"Created", "Queued", "InProgress", "Baking", "Succeeded", "Failed", "Stopped", "Ready"}
# What a deployment only gains when it finishes.
_ON_COMPLETION = ("completeTime", "errorInformation", "rollbackInfo", "deploymentStatusMessages")


def _when(value: Any) -> datetime | None:
    return None if value is None else to_datetime(value)


def _at_now(ctx: ReplayContext, deployment: dict[str, Any]) -> dict[str, Any]:
    """A deployment that finished after now was still running at now (or not yet started)."""
    done = _when(deployment.get("completeTime"))
    if done is None or done <= ctx.now:
        return deployment
    view = {k: v for k, v in deployment.items() if k not in _ON_COMPLETION}
    started = _when(view.get("startTime"))
    if started is not None and started > ctx.now:
        view.pop("startTime")
        view["status"] = "Created"
    else:
        view["status"] = "InProgress"
    return view


def _deployments(ctx: ReplayContext) -> list[dict[str, Any]]:
    """Deployments created by now, newest first."""

    def build() -> list[dict[str, Any]]:
        made = [
            _at_now(ctx, d)
            for d in ctx.resources("codedeploy", "DeploymentInfo")
            if (_when(d.get("createTime")) or ctx.now) <= ctx.now
        ]
        return sorted(made, key=lambda d: _when(d.get("createTime")) or ctx.now, reverse=True)

    return ctx.cached("codedeploy-deployments", build)


def _check_group(ctx: ReplayContext, app: str | None, group: str | None) -> None:
    if app is None and group is None:
        return
    if app is None:
        raise AwsError("ApplicationNameRequiredException", "The application name must be specified.")
    if group is None:
        raise AwsError("DeploymentGroupNameRequiredException", "The deployment group name must be specified.")
    deployments = _deployments(ctx)
    apps = {d.get("applicationName") for d in deployments}
    apps |= {a.get("applicationName") for a in ctx.resources("codedeploy", "ApplicationInfo")}
    if app not in apps:
        raise AwsError("ApplicationDoesNotExistException", f"No application found for name: {app}")
    groups = {(d.get("applicationName"), d.get("deploymentGroupName")) for d in deployments}
    groups |= {
        (g.get("applicationName"), g.get("deploymentGroupName"))
        for g in ctx.resources("codedeploy", "DeploymentGroupInfo")
    }
    if (app, group) not in groups:
        raise AwsError("DeploymentGroupDoesNotExistException", f"No Deployment Group found for name: {group}")


@operation("codedeploy", "ListDeployments")
def list_deployments(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    app, group = params.get("applicationName"), params.get("deploymentGroupName")
    _check_group(ctx, app, group)
    deployments = _deployments(ctx)
    if app is not None:
        deployments = [
            d for d in deployments if (d.get("applicationName"), d.get("deploymentGroupName")) == (app, group)
        ]
    statuses = params.get("includeOnlyStatuses")
    if statuses:
        bad = sorted(set(statuses) - STATUSES)
        if bad:
            raise AwsError("InvalidDeploymentStatusException", f"Deployment status {bad[0]} is not valid.")
        deployments = [d for d in deployments if d.get("status") in statuses]
    if "externalId" in params:
        deployments = [d for d in deployments if d.get("externalId") == params["externalId"]]
    window = params.get("createTimeRange") or {}
    start, end = _when(window.get("start")), _when(window.get("end"))
    if start is not None and end is not None and start > end:
        raise AwsError("InvalidTimeRangeException", "The specified time range was specified incorrectly.")
    deployments = [
        d
        for d in deployments
        if (start is None or start <= (_when(d.get("createTime")) or ctx.now))
        and (end is None or (_when(d.get("createTime")) or ctx.now) <= end)
    ]
    request = {k: v for k, v in params.items() if k != "nextToken"}
    page, token = ctx.page(
        [d["deploymentId"] for d in deployments],
        params.get("nextToken"),
        PAGE_SIZE,
        request=request,
        error_code="InvalidNextTokenException",
    )
    out: dict[str, Any] = {"deployments": page}
    if token:
        out["nextToken"] = token
    return out


def _by_id(ctx: ReplayContext) -> dict[str, dict[str, Any]]:
    return {d["deploymentId"]: d for d in _deployments(ctx) if "deploymentId" in d}


@operation("codedeploy", "GetDeployment")
def get_deployment(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    ident = params["deploymentId"]
    found = _by_id(ctx).get(ident)
    if found is None:
        raise AwsError("DeploymentDoesNotExistException", f"The deployment {ident} could not be found.")
    return {"deploymentInfo": to_parsed("codedeploy", "DeploymentInfo", found)}


@operation("codedeploy", "BatchGetDeployments")
def batch_get_deployments(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    ids = params["deploymentIds"]
    if len(ids) > BATCH_LIMIT:
        raise AwsError(
            "BatchLimitExceededException", f"The maximum number of deployment IDs is {BATCH_LIMIT}."
        )
    known = _by_id(ctx)
    # Unknown ids are left out of the answer rather than failing the batch.
    return {
        "deploymentsInfo": [to_parsed("codedeploy", "DeploymentInfo", known[i]) for i in ids if i in known]
    }
