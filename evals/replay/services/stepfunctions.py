"""Step Functions: state machines and their executions, from `stepfunctions/DescribeStateMachineOutput`
and `stepfunctions/DescribeExecutionOutput` items. Execution input and output are never answered.

Time is the bundle's: an execution started after `now` has not happened, and one that stopped after
`now` is still RUNNING (no stop date, error or cause yet).
"""

from __future__ import annotations

from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

PAGE_DEFAULT = 100  # maxResults 0 (or none) means the default page of 100
PAGE_MAX = 1000
PAYLOAD = ("input", "inputDetails", "output", "outputDetails")
_FINISHED = ("stopDate", "error", "cause", "output", "outputDetails")


def _machines(ctx: ReplayContext) -> list[dict[str, Any]]:
    return [
        m
        for m in ctx.resources("stepfunctions", "DescribeStateMachineOutput")
        if "creationDate" not in m or to_datetime(m["creationDate"]) <= ctx.now
    ]


def _machine(ctx: ReplayContext, arn: str) -> dict[str, Any]:
    _check_arn(arn, "stateMachine")
    for m in _machines(ctx):
        if m["stateMachineArn"] == arn:
            return m
    raise AwsError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def _check_arn(arn: str, kind: str) -> None:
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "states" or parts[5] != kind:
        raise AwsError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")


def _at_now(ctx: ReplayContext, e: dict[str, Any]) -> dict[str, Any] | None:
    """An execution as it stood at `now`; None when it had not started."""
    if to_datetime(e["startDate"]) > ctx.now:
        return None
    out = {k: v for k, v in e.items() if k not in PAYLOAD}
    if e.get("stopDate") and to_datetime(e["stopDate"]) > ctx.now:
        out = {k: v for k, v in out.items() if k not in _FINISHED}
        out["status"] = "RUNNING"
    return out


def _executions(ctx: ReplayContext) -> list[dict[str, Any]]:
    seen = [_at_now(ctx, e) for e in ctx.resources("stepfunctions", "DescribeExecutionOutput")]
    return sorted((e for e in seen if e), key=lambda e: to_datetime(e["startDate"]), reverse=True)


def _size(params: dict[str, Any]) -> int:
    size = params.get("maxResults") or PAGE_DEFAULT
    return min(int(size), PAGE_MAX)


@operation("stepfunctions", "ListStateMachines")
def list_state_machines(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    items = [{k: m[k] for k in ("stateMachineArn", "name", "type", "creationDate")} for m in _machines(ctx)]
    page, token = ctx.page(
        sorted(items, key=lambda m: m["name"]),
        params.get("nextToken"),
        _size(params),
        request={},
        error_code="InvalidToken",
    )
    out: dict[str, Any] = {
        "stateMachines": [to_parsed("stepfunctions", "StateMachineListItem", m) for m in page]
    }
    if token:
        out["nextToken"] = token
    return out


@operation("stepfunctions", "DescribeStateMachine")
def describe_state_machine(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return dict(
        to_parsed("stepfunctions", "DescribeStateMachineOutput", _machine(ctx, params["stateMachineArn"]))
    )


@operation("stepfunctions", "ListExecutions")
def list_executions(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    for unsupported in ("mapRunArn", "redriveFilter"):
        if unsupported in params:
            raise ReplayUnsupported("stepfunctions", "ListExecutions", unsupported)
    if "stateMachineArn" not in params:
        raise AwsError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
    machine = _machine(ctx, params["stateMachineArn"])
    if machine.get("type") == "EXPRESS":
        raise AwsError(
            "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine"
        )
    found = [e for e in _executions(ctx) if e["stateMachineArn"] == machine["stateMachineArn"]]
    if params.get("statusFilter"):
        found = [e for e in found if e["status"] == params["statusFilter"]]
    listed = [{k: v for k, v in e.items() if k in _LIST_FIELDS} for e in found]
    request = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    page, token = ctx.page(
        listed, params.get("nextToken"), _size(params), request=request, error_code="InvalidToken"
    )
    out: dict[str, Any] = {"executions": [to_parsed("stepfunctions", "ExecutionListItem", e) for e in page]}
    if token:
        out["nextToken"] = token
    return out


_LIST_FIELDS = frozenset(
    (
        "executionArn",
        "stateMachineArn",
        "name",
        "status",
        "startDate",
        "stopDate",
        "stateMachineVersionArn",
        "stateMachineAliasArn",
        "redriveCount",
        "redriveDate",
    )
)


@operation("stepfunctions", "DescribeExecution")
def describe_execution(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["executionArn"]
    _check_arn(arn, "execution")
    for e in _executions(ctx):
        if e["executionArn"] == arn:
            return dict(to_parsed("stepfunctions", "DescribeExecutionOutput", e))
    raise AwsError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
