"""CodeDeploy replay: listing filters and their errors, deployments as they stood at `now`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest


def dep(ident: str, group: str, created: str, status: str, app: str = "shop", **extra: Any) -> dict[str, Any]:
    item = {
        "deploymentId": ident,
        "applicationName": app,
        "deploymentGroupName": group,
        "status": status,
        "createTime": created,
        **extra,
    }
    return {"service": "codedeploy", "type": "DeploymentInfo", "item": item}


@pytest.fixture
def cd(replay: Callable[..., Any]) -> Any:
    records = [
        dep("d-AAAAAAAA1", "api", "2024-04-30T10:00:00Z", "Succeeded", completeTime="2024-04-30T10:20:00Z"),
        dep(
            "d-AAAAAAAA2",
            "api",
            "2024-05-01T05:00:00Z",
            "Failed",
            startTime="2024-05-01T05:00:05Z",
            completeTime="2024-05-01T05:25:00Z",
            errorInformation={"code": "HEALTH_CONSTRAINTS", "message": "too many unhealthy instances"},
        ),
        dep(
            "d-AAAAAAAA3",
            "api",
            "2024-05-01T05:40:00Z",
            "Succeeded",
            startTime="2024-05-01T05:40:05Z",
            completeTime="2024-05-01T06:20:00Z",
            errorInformation={"code": "NONE", "message": "x"},
        ),
        dep("d-AAAAAAAA4", "worker", "2024-05-01T04:00:00Z", "Stopped"),
        dep("d-AAAAAAAA5", "api", "2024-05-01T06:30:00Z", "Succeeded"),
        dep("d-AAAAAAAA6", "web", "2024-05-01T03:00:00Z", "Succeeded", app="blog"),
    ]
    session, _ = replay({"resources": records})
    return session.client("codedeploy")


def test_list_newest_first_and_filtered(cd: Any) -> None:
    assert cd.list_deployments()["deployments"] == [
        "d-AAAAAAAA3",
        "d-AAAAAAAA2",
        "d-AAAAAAAA4",
        "d-AAAAAAAA6",
        "d-AAAAAAAA1",
    ]
    api = cd.list_deployments(applicationName="shop", deploymentGroupName="api")["deployments"]
    assert api == ["d-AAAAAAAA3", "d-AAAAAAAA2", "d-AAAAAAAA1"]
    failed = cd.list_deployments(includeOnlyStatuses=["Failed", "Stopped"])["deployments"]
    assert failed == ["d-AAAAAAAA2", "d-AAAAAAAA4"]
    # d-3 finished only after now: at now it was in progress.
    assert cd.list_deployments(includeOnlyStatuses=["InProgress"])["deployments"] == ["d-AAAAAAAA3"]
    today = {"start": datetime(2024, 5, 1, 4, tzinfo=UTC), "end": datetime(2024, 5, 1, 5, tzinfo=UTC)}
    assert cd.list_deployments(createTimeRange=today)["deployments"] == ["d-AAAAAAAA2", "d-AAAAAAAA4"]


def test_list_errors(cd: Any) -> None:
    with pytest.raises(cd.exceptions.DeploymentGroupNameRequiredException):
        cd.list_deployments(applicationName="shop")
    with pytest.raises(cd.exceptions.ApplicationNameRequiredException):
        cd.list_deployments(deploymentGroupName="api")
    with pytest.raises(cd.exceptions.ApplicationDoesNotExistException):
        cd.list_deployments(applicationName="nope", deploymentGroupName="api")
    with pytest.raises(cd.exceptions.DeploymentGroupDoesNotExistException):
        cd.list_deployments(applicationName="blog", deploymentGroupName="api")
    with pytest.raises(cd.exceptions.InvalidDeploymentStatusException):
        cd.list_deployments(includeOnlyStatuses=["Exploded"])
    backwards = {"start": datetime(2024, 5, 1, 5, tzinfo=UTC), "end": datetime(2024, 5, 1, 4, tzinfo=UTC)}
    with pytest.raises(cd.exceptions.InvalidTimeRangeException):
        cd.list_deployments(createTimeRange=backwards)
    with pytest.raises(cd.exceptions.InvalidNextTokenException):
        cd.list_deployments(nextToken="bogus")


def test_get_deployment_as_of_now(cd: Any) -> None:
    failed = cd.get_deployment(deploymentId="d-AAAAAAAA2")["deploymentInfo"]
    assert failed["status"] == "Failed" and failed["errorInformation"]["code"] == "HEALTH_CONSTRAINTS"
    assert failed["completeTime"] == datetime(2024, 5, 1, 5, 25, tzinfo=UTC)
    running = cd.get_deployment(deploymentId="d-AAAAAAAA3")["deploymentInfo"]
    assert running["status"] == "InProgress"
    assert "completeTime" not in running and "errorInformation" not in running
    with pytest.raises(cd.exceptions.DeploymentDoesNotExistException):
        cd.get_deployment(deploymentId="d-AAAAAAAA5")  # created after now


def test_batch_get(cd: Any) -> None:
    got = cd.batch_get_deployments(deploymentIds=["d-AAAAAAAA4", "d-ZZZZZZZZZ", "d-AAAAAAAA1"])[
        "deploymentsInfo"
    ]
    assert [(d["deploymentId"], d["status"]) for d in got] == [
        ("d-AAAAAAAA4", "Stopped"),
        ("d-AAAAAAAA1", "Succeeded"),
    ]
    with pytest.raises(cd.exceptions.BatchLimitExceededException):
        cd.batch_get_deployments(deploymentIds=[f"d-{i:09d}" for i in range(26)])
