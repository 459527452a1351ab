"""ECS tool over a replayed bundle: deployments, events, stopped tasks with exit codes and OOM kills."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools.test_state import deny
from tools.ecs import ecs_service_events
from tools.result import ToolStatus

ECS = "arn:aws:ecs:us-east-1:123456789012"


def ecs_records() -> dict[str, list[dict[str, Any]]]:
    svc = {
        "serviceArn": f"{ECS}:service/prod/api",
        "serviceName": "api",
        "clusterArn": f"{ECS}:cluster/prod",
        "status": "ACTIVE",
        "desiredCount": 3,
        "runningCount": 1,
        "pendingCount": 1,
        "launchType": "FARGATE",
        "createdAt": "2024-04-01T00:00:00Z",
        "deployments": [
            {
                "id": "ecs-svc/2",
                "status": "PRIMARY",
                "taskDefinition": f"{ECS}:task-definition/api:8",
                "desiredCount": 3,
                "runningCount": 1,
                "pendingCount": 1,
                "failedTasks": 4,
                "rolloutState": "IN_PROGRESS",
                "createdAt": "2024-05-01T05:00:00Z",
            }
        ],
        "events": [
            {"id": "e1", "createdAt": "2024-05-01T05:20:00Z", "message": "(service api) has started 1 tasks"},
            {
                "id": "e2",
                "createdAt": "2024-05-01T05:40:00Z",
                "message": "(service api) deployment failed: tasks failed to start password=hunter22",
            },
        ],
    }

    def stopped(n: int, at: str, code: int, reason: str) -> dict[str, Any]:
        return {
            "service": "ecs",
            "type": "Task",
            "item": {
                "taskArn": f"{ECS}:task/prod/{n:032x}",
                "clusterArn": f"{ECS}:cluster/prod",
                "taskDefinitionArn": f"{ECS}:task-definition/api:8",
                "group": "service:api",
                "createdAt": "2024-05-01T05:00:00Z",
                "lastStatus": "STOPPED",
                "desiredStatus": "STOPPED",
                "stoppedAt": at,
                "stopCode": "EssentialContainerExited",
                "stoppedReason": "Essential container in task exited",
                "containers": [{"name": "app", "lastStatus": "STOPPED", "exitCode": code, "reason": reason}],
            },
        }

    return {
        "resources": [
            {"service": "ecs", "type": "Service", "item": svc},
            stopped(1, "2024-05-01T05:31:00Z", 137, "OutOfMemoryError: Container killed due to memory usage"),
            stopped(2, "2024-05-01T05:45:00Z", 1, "exit status 1"),
        ]
    }


def test_ecs_service_events_with_stopped_tasks_and_oom(tool_ctx: Any) -> None:
    res = ecs_service_events.run(tool_ctx(ecs_records()), {"cluster": "prod", "service": "api"})
    assert res.status is ToolStatus.OK, res.summary
    data = res.data
    assert data is not None
    assert (data.desired, data.running, data.pending) == (3, 1, 1)
    assert [(d.task_definition, d.rollout, d.failed_tasks) for d in data.deployments] == [
        ("api:8", "IN_PROGRESS", 4)
    ]
    assert [e.message[:30] for e in data.events] == [
        "(service api) deployment faile",
        "(service api) has started 1 ta",
    ]
    assert "hunter22" not in data.events[0].message
    assert [(t.stopped_at.strftime("%H:%M") if t.stopped_at else None, t.oom) for t in data.stopped] == [
        ("05:45", False),
        ("05:31", True),
    ]
    assert data.exit_codes == {"1": 1, "137": 1}
    assert "1 OOM-killed" in res.summary


def test_ecs_missing_service_and_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = tool_ctx(ecs_records())
    missing = ecs_service_events.run(ctx, {"cluster": "prod", "service": "nope"})
    assert missing.status is ToolStatus.NO_DATA
    assert missing.summary == "service nope not found in cluster prod"
    no_cluster = ecs_service_events.run(ctx, {"cluster": "other", "service": "api"})
    assert no_cluster.status is ToolStatus.NO_DATA and no_cluster.error_code == "ClusterNotFoundException"
    deny(monkeypatch, "ecs", "DescribeServices")
    assert ecs_service_events.run(ctx, {"cluster": "prod", "service": "api"}).status is ToolStatus.DENIED
