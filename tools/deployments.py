"""CodeDeploy tool: recent deployments with their status, error and rollback information."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from tools.redact import redact
from tools.registry import ToolContext, tool
from tools.result import ToolOutput
from tools.window import Window

BATCH = 25  # BatchGetDeployments takes at most 25 ids
TEXT_CHARS = 300  # error messages and descriptions are cut to this (context budget)

Status = Literal["Created", "Queued", "InProgress", "Baking", "Succeeded", "Failed", "Stopped", "Ready"]


class DeploymentsInput(Window):
    """Arguments of codedeploy_deployments."""

    application: str | None = Field(
        default=None, description="the CodeDeploy application (with deployment_group)"
    )
    deployment_group: str | None = Field(default=None, description="the deployment group (with application)")
    statuses: list[Status] = Field(default_factory=list, description="only deployments in these statuses")
    limit: int = Field(
        default=20, ge=1, le=50, description="deployments returned, newest first (context budget)"
    )

    @model_validator(mode="after")
    def _pair(self) -> DeploymentsInput:
        if (self.application is None) != (self.deployment_group is None):
            raise ValueError("give application and deployment_group together, or neither")
        return self


class DeploymentBrief(BaseModel):
    id: str
    application: str | None
    group: str | None
    status: str
    created: datetime | None
    completed: datetime | None
    creator: str | None
    error_code: str | None
    error_message: str | None
    rollback_of: str | None = Field(description="the deployment this one rolled back")
    rolled_back_by: str | None = Field(description="the deployment that rolled this one back")
    rollback_message: str | None
    instances: dict[str, int] = Field(description="instance counts by state (Succeeded, Failed, ...)")
    revision: str | None

    def line(self) -> str:
        when = f"{self.created:%m-%d %H:%M}" if self.created else "?"
        err = f" {self.error_code}: {(self.error_message or '')[:120]}" if self.error_code else ""
        rb = f" rolled back by {self.rolled_back_by}" if self.rolled_back_by else ""
        return f"{when} {self.id} {self.application}/{self.group} {self.status}{err}{rb}"


class Deployments(ToolOutput):
    deployments: list[DeploymentBrief]

    def summary(self) -> str:
        if not self.deployments:
            return "no CodeDeploy deployments in the window"
        failed = sum(d.status in ("Failed", "Stopped") for d in self.deployments)
        return (
            f"{len(self.deployments)} deployments ({failed} failed or stopped), newest first: "
            + "; ".join(d.line() for d in self.deployments[:10])
        )

    def is_empty(self) -> bool:
        return not self.deployments


def _revision(info: dict[str, Any]) -> str | None:
    rev = info.get("revision") or {}
    s3 = rev.get("s3Location")
    if s3:
        return f"s3://{s3.get('bucket')}/{s3.get('key')}" + (f"@{s3['version']}" if s3.get("version") else "")
    gh = rev.get("gitHubLocation")
    if gh:
        return f"github:{gh.get('repository')}@{gh.get('commitId')}"
    if rev.get("revisionType"):
        return str(rev["revisionType"])
    return None


def _brief(info: dict[str, Any]) -> DeploymentBrief:
    error = info.get("errorInformation") or {}
    rollback = info.get("rollbackInfo") or {}
    overview = info.get("deploymentOverview") or {}
    return DeploymentBrief(
        id=info["deploymentId"],
        application=info.get("applicationName"),
        group=info.get("deploymentGroupName"),
        status=info.get("status", "?"),
        created=info.get("createTime"),
        completed=info.get("completeTime"),
        creator=info.get("creator"),
        error_code=error.get("code"),
        error_message=redact(error.get("message", ""))[:TEXT_CHARS] or None,
        rollback_of=rollback.get("rollbackTriggeringDeploymentId"),
        rolled_back_by=rollback.get("rollbackDeploymentId"),
        rollback_message=redact(rollback.get("rollbackMessage", ""))[:TEXT_CHARS] or None,
        instances={k: v for k, v in overview.items() if v},
        revision=_revision(info),
    )


@tool
def codedeploy_deployments(ctx: ToolContext, args: DeploymentsInput) -> Deployments:
    """List CodeDeploy deployments created in a window, newest first, with status, who started them,
    the error code and message of failures, rollbacks, and per-instance outcome counts.

    Args:
        start: window start.
        end: window end.
        application: the application name (with deployment_group).
        deployment_group: the deployment group name (with application).
        statuses: only deployments in these statuses.
        limit: deployments returned.
    """
    params: dict[str, Any] = {"createTimeRange": {"start": args.start, "end": min(args.end, ctx.now)}}
    if args.application:
        params["applicationName"] = args.application
        params["deploymentGroupName"] = args.deployment_group
    if args.statuses:
        params["includeOnlyStatuses"] = args.statuses
    # ListDeployments' order is not documented: read a generous slice and sort by creation time.
    ids, more = ctx.aws.collect(
        "codedeploy",
        "ListDeployments",
        "deployments",
        max_items=4 * args.limit,
        in_token="nextToken",
        out_token="nextToken",
        **params,
    )
    infos: list[dict[str, Any]] = []
    for i in range(0, len(ids), BATCH):
        infos += ctx.aws.call("codedeploy", "BatchGetDeployments", deploymentIds=ids[i : i + BATCH]).get(
            "deploymentsInfo", []
        )
    briefs = sorted((_brief(d) for d in infos), key=lambda d: d.created or args.end, reverse=True)
    return Deployments(
        deployments=briefs[: args.limit], has_more=more or len(briefs) > args.limit, total=len(briefs)
    )
