"""ECS tool: a service's deployments, recent events and stopped tasks (stop reasons, exit codes, OOM)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tools.registry import ToolContext, tool
from tools.result import ToolOutput
from tools.state import text_of


class EcsServiceInput(BaseModel):
    """Arguments of ecs_service_events."""

    cluster: str = Field(min_length=1, description="the cluster's name or ARN")
    service: str = Field(min_length=1, description="the service's name or ARN")
    events: int = Field(
        default=20, ge=1, le=100, description="service events returned, newest first (context budget)"
    )
    stopped_tasks: int = Field(
        default=20, ge=0, le=100, description="stopped tasks described, newest first (context budget)"
    )


class Deployment(BaseModel):
    id: str
    status: str
    rollout: str | None
    rollout_reason: str | None
    task_definition: str
    desired: int
    running: int
    pending: int
    failed_tasks: int
    created: datetime | None
    updated: datetime | None


class ServiceEvent(BaseModel):
    time: datetime | None
    message: str


class ContainerExit(BaseModel):
    name: str
    exit_code: int | None
    reason: str | None


class StoppedTask(BaseModel):
    id: str
    task_definition: str
    stopped_at: datetime | None
    stop_code: str | None
    stopped_reason: str
    containers: list[ContainerExit]
    oom: bool = Field(description="a container was killed for exceeding its memory")

    def line(self) -> str:
        exits = ",".join(f"{c.name}={c.exit_code}" for c in self.containers if c.exit_code is not None)
        when = f"{self.stopped_at:%H:%M} " if self.stopped_at else ""
        return (
            f"{when}{self.id[:12]} {self.stop_code or ''} {self.stopped_reason[:100]}"
            + (f" exit {exits}" if exits else "")
            + (" OOM" if self.oom else "")
        )


class EcsServiceState(ToolOutput):
    service: str
    cluster: str
    found: bool
    status: str | None = None
    desired: int | None = None
    running: int | None = None
    pending: int | None = None
    deployments: list[Deployment] = Field(default_factory=list)
    events: list[ServiceEvent] = Field(default_factory=list)
    stopped: list[StoppedTask] = Field(default_factory=list)
    exit_codes: dict[str, int] = Field(default_factory=dict, description="stopped containers by exit code")

    def summary(self) -> str:
        if not self.found:
            return f"service {self.service} not found in cluster {self.cluster}"
        deps = "; ".join(
            f"{d.status} {d.task_definition} {d.rollout or ''} {d.running}/{d.desired} failed={d.failed_tasks}"
            for d in self.deployments
        )
        oom = sum(t.oom for t in self.stopped)
        head = (
            f"{self.service} ({self.status}) {self.running}/{self.desired} running, {self.pending} pending; "
            f"deployments: {deps}; {len(self.stopped)} stopped tasks"
            + (f" ({oom} OOM-killed)" if oom else "")
            + (f", exit codes {self.exit_codes}" if self.exit_codes else "")
        )
        events = " | ".join(f"{e.time:%H:%M} {e.message[:140]}" for e in self.events[:5] if e.time)
        stops = " | ".join(t.line() for t in self.stopped[:5])
        return head + (f". Events: {events}" if events else "") + (f". Stopped: {stops}" if stops else "")

    def is_empty(self) -> bool:
        return not self.found


def _stopped_task(task: dict[str, Any]) -> StoppedTask:
    containers = [
        ContainerExit(
            name=c.get("name", "?"), exit_code=c.get("exitCode"), reason=text_of(c.get("reason")) or None
        )
        for c in task.get("containers", [])
    ]
    reasons = " ".join([task.get("stoppedReason", "")] + [c.reason or "" for c in containers])
    return StoppedTask(
        id=task["taskArn"].rsplit("/", 1)[-1],
        task_definition=task.get("taskDefinitionArn", "").rsplit("/", 1)[-1],
        stopped_at=task.get("stoppedAt"),
        stop_code=task.get("stopCode"),
        stopped_reason=text_of(task.get("stoppedReason")),
        containers=containers,
        oom="OutOfMemory" in reasons,
    )


@tool
def ecs_service_events(ctx: ToolContext, args: EcsServiceInput) -> EcsServiceState:
    """Show an ECS service's state: desired/running counts, deployments and their rollout state, its
    recent service events (newest first), and recently stopped tasks with their stop reason, stop code
    and container exit codes (OOM kills flagged). ECS keeps stopped tasks only for about an hour.

    Args:
        cluster: the cluster's name or ARN.
        service: the service's name or ARN.
        events: service events returned.
        stopped_tasks: stopped tasks described.
    """
    page = ctx.aws.call("ecs", "DescribeServices", cluster=args.cluster, services=[args.service])
    if not page.get("services"):
        return EcsServiceState(service=args.service, cluster=args.cluster, found=False)
    svc = page["services"][0]
    deployments = [
        Deployment(
            id=d.get("id", ""),
            status=d.get("status", ""),
            rollout=d.get("rolloutState"),
            rollout_reason=text_of(d.get("rolloutStateReason")) or None,
            task_definition=d.get("taskDefinition", "").rsplit("/", 1)[-1],
            desired=d.get("desiredCount", 0),
            running=d.get("runningCount", 0),
            pending=d.get("pendingCount", 0),
            failed_tasks=d.get("failedTasks", 0),
            created=d.get("createdAt"),
            updated=d.get("updatedAt"),
        )
        for d in svc.get("deployments", [])
    ]
    events = sorted(svc.get("events", []), key=lambda e: e.get("createdAt") or ctx.now, reverse=True)
    stopped: list[StoppedTask] = []
    more_tasks = False
    if args.stopped_tasks:
        arns, more_tasks = ctx.aws.collect(
            "ecs",
            "ListTasks",
            "taskArns",
            max_items=args.stopped_tasks,
            in_token="nextToken",
            out_token="nextToken",
            cluster=args.cluster,
            serviceName=svc["serviceName"],
            desiredStatus="STOPPED",
        )
        if arns:
            tasks = ctx.aws.call("ecs", "DescribeTasks", cluster=args.cluster, tasks=arns)["tasks"]
            stopped = sorted(
                (_stopped_task(t) for t in tasks), key=lambda t: t.stopped_at or ctx.now, reverse=True
            )
    exit_codes = Counter(str(c.exit_code) for t in stopped for c in t.containers if c.exit_code is not None)
    return EcsServiceState(
        service=svc["serviceName"],
        cluster=args.cluster,
        found=True,
        status=svc.get("status"),
        desired=svc.get("desiredCount"),
        running=svc.get("runningCount"),
        pending=svc.get("pendingCount"),
        deployments=deployments,
        events=[
            ServiceEvent(time=e.get("createdAt"), message=text_of(e.get("message")))
            for e in events[: args.events]
        ],
        stopped=stopped,
        exit_codes=dict(exit_codes),
        has_more=len(events) > args.events or more_tasks,
    )
