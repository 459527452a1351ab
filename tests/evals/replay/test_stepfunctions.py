"""Step Functions replay: state machines, executions as they stood at the bundle's now, pages and
not-found as AWS words them; execution input/output and history, and every change, never answered."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused, ReplayUnsupported
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

SM = "arn:aws:states:us-east-1:123456789012:stateMachine"
EX = "arn:aws:states:us-east-1:123456789012:execution"
ROLE = "arn:aws:iam::123456789012:role/refund-sfn"
FN = "arn:aws:lambda:us-east-1:123456789012:function"
DEFINITION = json.dumps(
    {
        "StartAt": "Validate",
        "States": {
            "Validate": {"Type": "Task", "Resource": f"{FN}:refund-validate", "Next": "Pay"},
            "Pay": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": f"{FN}:refund-pay:live", "Payload.$": "$"},
                "Next": "Notify",
            },
            "Notify": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Queue",
                        "States": {
                            "Queue": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::sqs:sendMessage",
                                "Parameters": {
                                    "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/refunds-done",
                                    "MessageBody.$": "$",
                                },
                                "End": True,
                            }
                        },
                    }
                ],
                "End": True,
            },
        },
    }
)


def machine(name: str, **fields: Any) -> dict[str, Any]:
    item = {
        "stateMachineArn": f"{SM}:{name}",
        "name": name,
        "status": "ACTIVE",
        "definition": DEFINITION,
        "roleArn": ROLE,
        "type": "STANDARD",
        "creationDate": "2024-04-01T00:00:00Z",
        "revisionId": "rev-2",
        **fields,
    }
    return {"service": "stepfunctions", "type": "DescribeStateMachineOutput", "item": item}


def execution(
    name: str, started: str, status: str, stopped: str | None = None, **fields: Any
) -> dict[str, Any]:
    item = {
        "executionArn": f"{EX}:refunds:{name}",
        "stateMachineArn": f"{SM}:refunds",
        "name": name,
        "status": status,
        "startDate": started,
        **({"stopDate": stopped} if stopped else {}),
        **fields,
    }
    return {"service": "stepfunctions", "type": "DescribeExecutionOutput", "item": item}


RECORDS = [
    machine("refunds"),
    machine("nightly", type="EXPRESS"),
    execution("e1", "2024-05-01T05:00:00Z", "SUCCEEDED", "2024-05-01T05:00:04Z"),
    execution(
        "e2",
        "2024-05-01T05:20:00Z",
        "FAILED",
        "2024-05-01T05:20:31Z",
        error="States.TaskFailed",
        cause="PaymentDeclined: card issuer timeout",
    ),
    # still running at the bundle's now (06:00): its failure has not happened yet
    execution("e3", "2024-05-01T05:55:00Z", "FAILED", "2024-05-01T06:10:00Z", error="States.Timeout"),
    execution("e4", "2024-05-01T06:30:00Z", "SUCCEEDED", "2024-05-01T06:30:02Z"),  # not started yet
]


@pytest.fixture
def sfn(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RECORDS})
    return session.client("stepfunctions")


def test_state_machines_listed_and_described(sfn: Any) -> None:
    listed = sfn.list_state_machines()["stateMachines"]
    assert [(m["name"], m["type"]) for m in listed] == [("nightly", "EXPRESS"), ("refunds", "STANDARD")]
    described = sfn.describe_state_machine(stateMachineArn=f"{SM}:refunds")
    assert (described["revisionId"], described["roleArn"], described["definition"]) == (
        "rev-2",
        ROLE,
        DEFINITION,
    )
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as err:
        sfn.describe_state_machine(stateMachineArn=f"{SM}:nope")
    assert err.value.response["Error"]["Message"] == f"State Machine Does Not Exist: '{SM}:nope'"
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_state_machine(stateMachineArn=f"{EX}:refunds:e1")


def test_executions_as_they_stood_at_now(sfn: Any) -> None:
    listed = sfn.list_executions(stateMachineArn=f"{SM}:refunds")["executions"]
    assert [(e["name"], e["status"]) for e in listed] == [
        ("e3", "RUNNING"),
        ("e2", "FAILED"),
        ("e1", "SUCCEEDED"),
    ]
    assert "stopDate" not in listed[0]
    failed = sfn.list_executions(stateMachineArn=f"{SM}:refunds", statusFilter="FAILED")["executions"]
    assert [e["name"] for e in failed] == ["e2"]
    e2 = sfn.describe_execution(executionArn=f"{EX}:refunds:e2")
    assert (e2["error"], e2["cause"], e2["stopDate"]) == (
        "States.TaskFailed",
        "PaymentDeclined: card issuer timeout",
        datetime(2024, 5, 1, 5, 20, 31, tzinfo=UTC),
    )
    assert "input" not in e2 and "output" not in e2
    e3 = sfn.describe_execution(executionArn=f"{EX}:refunds:e3")
    assert e3["status"] == "RUNNING" and "error" not in e3
    for missing in (f"{EX}:refunds:e4", f"{EX}:refunds:nope"):
        with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
            sfn.describe_execution(executionArn=missing)
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.list_executions(stateMachineArn=f"{SM}:nightly")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.list_executions(stateMachineArn=f"{SM}:nope")


def test_pages(replay: Callable[..., Any]) -> None:
    many = [
        execution(f"x{i:03}", f"2024-05-01T0{i // 60 % 5}:{i % 60:02}:00Z", "SUCCEEDED") for i in range(130)
    ]
    session, _ = replay({"resources": [machine("refunds"), *many]})
    sfn = session.client("stepfunctions")
    first = sfn.list_executions(stateMachineArn=f"{SM}:refunds")
    assert len(first["executions"]) == 100
    rest = sfn.list_executions(stateMachineArn=f"{SM}:refunds", nextToken=first["nextToken"])
    assert len(rest["executions"]) == 30 and "nextToken" not in rest
    names = [e["name"] for e in first["executions"] + rest["executions"]]
    assert sorted(names) == sorted(f"x{i:03}" for i in range(130)) and names[0] == "x129"
    small = sfn.list_executions(stateMachineArn=f"{SM}:refunds", maxResults=7)
    assert len(small["executions"]) == 7
    with pytest.raises(ClientError) as err:
        sfn.list_executions(
            stateMachineArn=f"{SM}:refunds", statusFilter="FAILED", nextToken=first["nextToken"]
        )
    assert err.value.response["Error"]["Code"] == "InvalidToken"


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("get_execution_history", {"executionArn": f"{EX}:refunds:e2"}),
        ("start_execution", {"stateMachineArn": f"{SM}:refunds"}),
        ("stop_execution", {"executionArn": f"{EX}:refunds:e3"}),
        ("update_state_machine", {"stateMachineArn": f"{SM}:refunds", "definition": "{}"}),
    ],
)
def test_history_and_changes_are_refused_before_the_wire(method: str, params: dict[str, Any]) -> None:
    session, ctx = replay_session(make_bundle({"resources": RECORDS}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client("stepfunctions"), method)(**params)
    expected = ReplayUnsupported if method.startswith("get_") else ReplayRefused
    with pytest.raises(expected):
        getattr(session.client("stepfunctions"), method)(**params)
    assert sum(ctx.calls.values()) == 0


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    live = moto_session("stepfunctions")
    arn = live.create_state_machine(name="refunds", definition=DEFINITION, roleArn=ROLE)["stateMachineArn"]
    execution_arn = live.start_execution(stateMachineArn=arn, name="e1", input='{"card": "4111"}')[
        "executionArn"
    ]
    records: list[dict[str, Any]] = []
    described = live.describe_state_machine(stateMachineArn=arn)
    records.append(
        {"service": "stepfunctions", "type": "DescribeStateMachineOutput", "item": _plain(_body(described))}
    )
    for e in live.list_executions(stateMachineArn=arn)["executions"]:
        d = _body(live.describe_execution(executionArn=e["executionArn"]))
        item = {k: v for k, v in d.items() if k not in ("input", "inputDetails", "output", "outputDetails")}
        records.append({"service": "stepfunctions", "type": "DescribeExecutionOutput", "item": _plain(item)})
    session, _ = replay_session(make_bundle({"resources": records}, now="2100-01-01T00:00:00Z"))
    replayed = session.client("stepfunctions")
    assert replayed.list_state_machines()["stateMachines"] == live.list_state_machines()["stateMachines"]
    assert _body(replayed.describe_state_machine(stateMachineArn=arn)) == _body(described)
    assert (
        replayed.list_executions(stateMachineArn=arn)["executions"]
        == live.list_executions(stateMachineArn=arn)["executions"]
    )
    again, answered = (_body(c.describe_execution(executionArn=execution_arn)) for c in (replayed, live))
    assert again == {
        k: v for k, v in answered.items() if k not in ("input", "inputDetails", "output", "outputDetails")
    }
    assert "4111" not in json.dumps(again, default=str)
    for client in (live, replayed):
        with pytest.raises(client.exceptions.StateMachineDoesNotExist):
            client.describe_state_machine(stateMachineArn=f"{SM}:nope")
        with pytest.raises(client.exceptions.ExecutionDoesNotExist):
            client.describe_execution(executionArn=f"{EX}:refunds:nope")


def _body(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
