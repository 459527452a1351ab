"""ECS replay: services with merged event history, tasks as they stood at `now`, listing filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

PREFIX = "arn:aws:ecs:us-east-1:123456789012"
CLUSTER = f"{PREFIX}:cluster/prod"


def service(name: str, **extra: Any) -> dict[str, Any]:
    item = {
        "serviceArn": f"{PREFIX}:service/prod/{name}",
        "serviceName": name,
        "clusterArn": CLUSTER,
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 1,
        "launchType": "FARGATE",
        "schedulingStrategy": "REPLICA",
        "createdAt": "2024-04-01T00:00:00Z",
        **extra,
    }
    return {"service": "ecs", "type": "Service", "item": item}


def ev(id_: str, when: str, message: str) -> dict[str, Any]:
    return {"id": id_, "createdAt": when, "message": message}


def task(id_: str, group: str, **extra: Any) -> dict[str, Any]:
    item = {
        "taskArn": f"{PREFIX}:task/prod/{id_}",
        "clusterArn": CLUSTER,
        "taskDefinitionArn": f"{PREFIX}:task-definition/api:7",
        "group": group,
        "launchType": "FARGATE",
        "createdAt": "2024-05-01T04:00:00Z",
        "startedAt": "2024-05-01T04:01:00Z",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "containers": [{"name": "app", "lastStatus": "RUNNING"}],
        **extra,
    }
    return {"service": "ecs", "type": "Task", "item": item}


STOPPED = {
    "lastStatus": "STOPPED",
    "desiredStatus": "STOPPED",
    "stoppingAt": "2024-05-01T05:30:00Z",
    "stoppedAt": "2024-05-01T05:31:00Z",
    "stopCode": "EssentialContainerExited",
    "stoppedReason": "Essential container in task exited",
    "containers": [
        {
            "name": "app",
            "lastStatus": "STOPPED",
            "exitCode": 137,
            "reason": "OutOfMemoryError: Container killed due to memory usage",
        }
    ],
}


@pytest.fixture
def ecs(replay: Callable[..., Any]) -> Any:
    api_events = [
        ev("e1", "2024-05-01T05:00:00Z", "(service api) has reached a steady state."),
        ev("e3", "2024-05-01T05:40:00Z", "(service api) has started 1 tasks"),
    ]
    deployments = [
        {
            "id": "ecs-svc/1",
            "status": "ACTIVE",
            "taskDefinition": f"{PREFIX}:task-definition/api:6",
            "createdAt": "2024-04-20T00:00:00Z",
        },
        {
            "id": "ecs-svc/2",
            "status": "PRIMARY",
            "taskDefinition": f"{PREFIX}:task-definition/api:7",
            "createdAt": "2024-05-01T03:00:00Z",
        },
    ]
    records = {
        "resources": [
            service(
                "api", events=api_events, deployments=deployments, tags=[{"key": "team", "value": "core"}]
            ),
            service("worker", launchType="EC2"),
            service("old", status="INACTIVE"),
            service("later", createdAt="2024-05-01T07:00:00Z"),
            task("t-ok", "service:api"),
            task("t-oom", "service:api", **STOPPED),
            task(
                "t-stops-later",
                "service:api",
                stoppingAt="2024-05-01T06:10:00Z",
                stoppedAt="2024-05-01T06:11:00Z",
                lastStatus="STOPPED",
                desiredStatus="STOPPED",
                stoppedReason="Scaling activity initiated",
                containers=[{"name": "app", "lastStatus": "STOPPED", "exitCode": 0}],
            ),
            task("t-future", "service:api", createdAt="2024-05-01T06:30:00Z"),
            task(
                "t-batch",
                "family:report",
                startedBy="nightly",
                taskDefinitionArn=f"{PREFIX}:task-definition/report:1",
            ),
        ],
        "events": [
            {
                "source": "ecs",
                "item": {
                    "service_arn": f"{PREFIX}:service/prod/api",
                    "event": ev(
                        "e2", "2024-05-01T05:31:00Z", "(service api) task t-oom stopped: OutOfMemoryError"
                    ),
                },
            },
            {
                "source": "ecs",
                "item": {
                    "service_arn": f"{PREFIX}:service/prod/api",
                    "event": ev("e1", "2024-05-01T05:00:00Z", "(service api) has reached a steady state."),
                },
            },
            {
                "source": "ecs",
                "item": {
                    "service_arn": f"{PREFIX}:service/prod/api",
                    "event": ev("e9", "2024-05-01T06:20:00Z", "after now"),
                },
            },
        ],
    }
    session, _ = replay(records)
    return session.client("ecs")


def test_list_services_default_cluster_and_filters(ecs: Any) -> None:
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.list_services()  # the "default" cluster does not exist here
    arns = ecs.list_services(cluster="prod")["serviceArns"]
    assert [a.rsplit("/", 1)[1] for a in arns] == ["api", "worker"]  # INACTIVE and not-yet-created left out
    assert ecs.list_services(cluster=CLUSTER, launchType="EC2")["serviceArns"] == [
        f"{PREFIX}:service/prod/worker"
    ]
    first = ecs.list_services(cluster="prod", maxResults=1)
    assert len(first["serviceArns"]) == 1
    rest = ecs.list_services(cluster="prod", maxResults=1, nextToken=first["nextToken"])
    assert rest["serviceArns"] == [f"{PREFIX}:service/prod/worker"] and "nextToken" not in rest
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.list_services(cluster="prod", maxResults=101)


def test_describe_services_merges_events_newest_first(ecs: Any) -> None:
    out = ecs.describe_services(cluster="prod", services=["api", f"{PREFIX}:service/prod/worker", "ghost"])
    api = out["services"][0]
    assert [e["id"] for e in api["events"]] == ["e3", "e2", "e1"]
    assert api["events"][0]["createdAt"] == datetime(2024, 5, 1, 5, 40, tzinfo=UTC)
    assert [d["status"] for d in api["deployments"]] == ["ACTIVE", "PRIMARY"]
    assert "tags" not in api
    assert out["services"][1]["serviceName"] == "worker"
    assert out["failures"] == [{"arn": f"{PREFIX}:service/prod/ghost", "reason": "MISSING"}]
    tagged = ecs.describe_services(cluster="prod", services=["api"], include=["TAGS"])["services"][0]
    assert tagged["tags"] == [{"key": "team", "value": "core"}]
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.describe_services(cluster="prod", services=[f"s{i}" for i in range(11)])


def test_deployment_after_now_is_not_primary_yet(replay: Callable[..., Any]) -> None:
    deployments = [
        {"id": "ecs-svc/1", "status": "ACTIVE", "createdAt": "2024-04-20T00:00:00Z"},
        {"id": "ecs-svc/2", "status": "PRIMARY", "createdAt": "2024-05-01T06:05:00Z"},
    ]
    session, _ = replay({"resources": [service("api", deployments=deployments)]})
    out = session.client("ecs").describe_services(cluster="prod", services=["api"])
    assert [(d["id"], d["status"]) for d in out["services"][0]["deployments"]] == [("ecs-svc/1", "PRIMARY")]


def test_describe_tasks_stopped_reason_and_exit_code(ecs: Any) -> None:
    out = ecs.describe_tasks(
        cluster="prod", tasks=["t-oom", f"{PREFIX}:task/prod/t-stops-later", "t-future", "nope"]
    )
    oom, later = out["tasks"]
    assert oom["stoppedReason"] == "Essential container in task exited"
    assert oom["containers"][0]["exitCode"] == 137
    assert oom["containers"][0]["reason"].startswith("OutOfMemoryError")
    # Stopped only after now: at now it was still running, with no exit code yet.
    assert (later["lastStatus"], later["desiredStatus"]) == ("RUNNING", "RUNNING")
    assert (
        "stoppedAt" not in later and "stoppedReason" not in later and "exitCode" not in later["containers"][0]
    )
    assert [f["arn"].rsplit("/", 1)[1] for f in out["failures"]] == ["t-future", "nope"]
    assert {f["reason"] for f in out["failures"]} == {"MISSING"}


def test_list_tasks_by_status_service_and_family(ecs: Any) -> None:
    def ids(**kw: Any) -> list[str]:
        return [a.rsplit("/", 1)[1] for a in ecs.list_tasks(cluster="prod", **kw)["taskArns"]]

    assert ids() == ["t-ok", "t-stops-later", "t-batch"]
    assert ids(desiredStatus="STOPPED") == ["t-oom"]
    assert ids(serviceName="api") == ["t-ok", "t-stops-later"]
    assert ids(startedBy="nightly") == ["t-batch"]
    assert ids(family="api") == ["t-ok", "t-stops-later"]
    assert ids(family="report") == ["t-batch"]
    with pytest.raises(ecs.exceptions.ServiceNotFoundException):
        ids(serviceName="ghost")


def task_definition(family: str, revision: int, **extra: Any) -> dict[str, Any]:
    item = {
        "taskDefinitionArn": f"{PREFIX}:task-definition/{family}:{revision}",
        "family": family,
        "revision": revision,
        "status": "ACTIVE",
        "containerDefinitions": [
            {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"}
        ],
        "taskRoleArn": f"arn:aws:iam::123456789012:role/{family}-task-r{revision}",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecs-task-execution",
        "registeredAt": "2024-04-20T00:00:00Z",
        **extra,
    }
    return {"service": "ecs", "type": "TaskDefinition", "item": item}


def test_describe_task_definition_by_arn_revision_or_family_as_registered_at_now(
    replay: Callable[..., Any],
) -> None:
    from botocore.exceptions import ClientError

    records = {
        "resources": [
            task_definition("api", 6),
            task_definition("api", 7),
            task_definition("api", 8, registeredAt="2024-05-01T07:00:00Z"),  # registered after now
            task_definition("api", 9, status="INACTIVE"),
        ]
    }
    session, _ = replay(records)
    client = session.client("ecs")
    by_arn = client.describe_task_definition(taskDefinition=f"{PREFIX}:task-definition/api:6")
    assert by_arn["taskDefinition"]["taskRoleArn"].endswith("role/api-task-r6")
    assert client.describe_task_definition(taskDefinition="api:7")["taskDefinition"]["revision"] == 7
    # The family alone: its latest ACTIVE revision registered by now.
    assert client.describe_task_definition(taskDefinition="api")["taskDefinition"]["revision"] == 7
    with pytest.raises(ClientError) as missing:
        client.describe_task_definition(taskDefinition="api:8")
    assert missing.value.response["Error"]["Code"] == "ClientException"
