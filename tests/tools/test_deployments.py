"""CodeDeploy tool over replayed bundles: deployments in a window, failures and rollbacks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools.test_state import deny
from tools.deployments import codedeploy_deployments
from tools.result import ToolStatus

WINDOW = {"start": "2024-05-01T00:00:00Z", "end": "2024-05-01T06:00:00Z"}


def dep(ident: str, group: str, created: str, status: str, app: str = "shop", **extra: Any) -> dict[str, Any]:
    item = {
        "deploymentId": ident,
        "applicationName": app,
        "deploymentGroupName": group,
        "status": status,
        "createTime": created,
        "creator": "user",
        **extra,
    }
    return {"service": "codedeploy", "type": "DeploymentInfo", "item": item}


RECORDS = [
    dep("d-AAAAAAAA1", "api", "2024-04-30T10:00:00Z", "Succeeded", completeTime="2024-04-30T10:20:00Z"),
    dep(
        "d-AAAAAAAA2",
        "api",
        "2024-05-01T05:00:00Z",
        "Failed",
        startTime="2024-05-01T05:00:05Z",
        completeTime="2024-05-01T05:25:00Z",
        errorInformation={"code": "HEALTH_CONSTRAINTS", "message": "too many unhealthy instances"},
        rollbackInfo={"rollbackDeploymentId": "d-AAAAAAAA7", "rollbackMessage": "rolled back on failure"},
        deploymentOverview={"Pending": 0, "InProgress": 0, "Succeeded": 1, "Failed": 2, "Skipped": 0},
        revision={"revisionType": "S3", "s3Location": {"bucket": "builds", "key": "api-1.4.zip"}},
    ),
    dep(
        "d-AAAAAAAA7",
        "api",
        "2024-05-01T05:26:00Z",
        "Succeeded",
        completeTime="2024-05-01T05:35:00Z",
        creator="codeDeployRollback",
        rollbackInfo={"rollbackTriggeringDeploymentId": "d-AAAAAAAA2"},
    ),
    dep("d-AAAAAAAA4", "worker", "2024-05-01T04:00:00Z", "Stopped", completeTime="2024-05-01T04:10:00Z"),
    dep("d-AAAAAAAA5", "api", "2024-05-01T06:30:00Z", "Succeeded"),  # after now
]


def test_deployments_newest_first_with_failure_and_rollback(tool_ctx: Any) -> None:
    res = codedeploy_deployments.run(tool_ctx({"resources": RECORDS}), WINDOW)
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert [(d.id, d.status) for d in res.data.deployments] == [
        ("d-AAAAAAAA7", "Succeeded"),
        ("d-AAAAAAAA2", "Failed"),
        ("d-AAAAAAAA4", "Stopped"),
    ]
    failed = res.data.deployments[1]
    assert (failed.error_code, failed.error_message) == ("HEALTH_CONSTRAINTS", "too many unhealthy instances")
    assert failed.rolled_back_by == "d-AAAAAAAA7" and failed.instances == {"Succeeded": 1, "Failed": 2}
    assert failed.revision == "s3://builds/api-1.4.zip"
    assert res.data.deployments[0].rollback_of == "d-AAAAAAAA2"
    assert "2 failed or stopped" in res.summary


def test_deployments_filters_cap_and_usage(tool_ctx: Any) -> None:
    ctx = tool_ctx({"resources": RECORDS})
    group = codedeploy_deployments.run(ctx, {**WINDOW, "application": "shop", "deployment_group": "worker"})
    assert group.data is not None and [d.id for d in group.data.deployments] == ["d-AAAAAAAA4"]
    failed = codedeploy_deployments.run(ctx, {**WINDOW, "statuses": ["Failed"]})
    assert failed.data is not None and [d.id for d in failed.data.deployments] == ["d-AAAAAAAA2"]
    capped = codedeploy_deployments.run(ctx, {**WINDOW, "limit": 1})
    assert capped.data is not None and [d.id for d in capped.data.deployments] == ["d-AAAAAAAA7"]
    assert capped.has_more
    half = codedeploy_deployments.run(ctx, {**WINDOW, "application": "shop"})
    assert half.status is ToolStatus.ERROR and half.error_code == "usage"
    unknown = codedeploy_deployments.run(ctx, {**WINDOW, "application": "nope", "deployment_group": "x"})
    assert unknown.status is ToolStatus.ERROR and unknown.error_code == "ApplicationDoesNotExistException"


def test_deployments_many_are_batched(tool_ctx: Any) -> None:
    many = [dep(f"d-B{k:08d}", "api", f"2024-05-01T05:{k:02d}:00Z", "Succeeded") for k in range(40)]
    res = codedeploy_deployments.run(tool_ctx({"resources": many}), {**WINDOW, "limit": 30})
    assert res.data is not None and len(res.data.deployments) == 30
    assert res.data.deployments[0].id == "d-B00000039"
    assert res.aws_calls == 1 + 2  # one ListDeployments page, two BatchGetDeployments of at most 25


def test_deployments_none_and_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = tool_ctx({"resources": RECORDS})
    quiet = codedeploy_deployments.run(ctx, {"start": "2024-04-01T00:00:00Z", "end": "2024-04-02T00:00:00Z"})
    assert quiet.status is ToolStatus.NO_DATA
    deny(monkeypatch, "codedeploy", "ListDeployments")
    assert codedeploy_deployments.run(ctx, WINDOW).status is ToolStatus.DENIED
