"""Reach: a workflow's own account of its failures, and requests refused for their size. A state machine
whose executions fail says why in its execution records (the error and cause they stopped with); a
request over a service's size ceiling is refused by that service, and the ceiling is the limit met."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers.logs import message_signals
from agent.analyzers.metrics import from_namespace, signal_for
from agent.investigate import offline
from tests.conftest import make_bundle
from tools.metrics import MetricFinding, NamespaceMetrics
from tools.series import summarize

T0 = datetime(2024, 5, 1, tzinfo=UTC)
ACCOUNT = "123456789012"
MACHINE = "nightly-settlement"
MACHINE_ARN = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{MACHINE}"
STEP_FN = "settlement-collect"


def _ts(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_counts_of_failed_work_are_error_counts() -> None:
    assert signal_for("ExecutionsFailed", "up") == "error_rate_up"
    assert signal_for("ExecutionsTimedOut", "up") == "error_rate_up"
    assert signal_for("FailedInvocations", "up") == "error_rate_up"
    assert signal_for("DeliveryToS3.Success", "down") == "error_rate_up"
    # A failing instance check keeps its own meaning.
    assert signal_for("StatusCheckFailed_System", "up") == "status_check_failed"
    # Successes rising are not errors.
    assert signal_for("ExecutionsSucceeded", "up") is None
    # A conditional write refused because the item moved on is optimistic locking at work.
    assert signal_for("ConditionalCheckFailedRequests", "up") is None


def test_a_count_published_at_zero_with_every_run_began_at_its_first_count_above_zero() -> None:
    times = [T0 + timedelta(minutes=m) for m in range(60)]
    values = [0.0] * 40 + [1.0, 0.0, 2.0] + [0.0] * 17
    stats = summarize(times, values, T0)
    assert stats.first_at == T0
    assert stats.first_nonzero_at == T0 + timedelta(minutes=40)
    finding = MetricFinding(
        resource=STEP_FN,
        kind="lambda",
        namespace="AWS/Lambda",
        metric="Errors",
        dimensions={"FunctionName": STEP_FN},
        stat="Sum",
        stats=stats,
    )
    out = NamespaceMetrics(namespace="AWS/Lambda", findings=[finding], scanned=1, listed=1)
    (draft,) = from_namespace(out, T0 + timedelta(hours=1))
    assert draft.signals == ["error_rate_up"]
    assert draft.start == T0 + timedelta(minutes=40)


def test_refusals_for_size_are_read_as_such() -> None:
    for said in (
        "States.DataLimitExceeded: The state/task returned a result with a size exceeding the maximum",
        "ValidationException: Item size to update has exceeded the maximum allowed size",
        "[ERROR] LAMBDA_RUNTIME Failed to post handler success response. Http response code: 413.",
        "Execution failed due to configuration error: Response payload size exceeded maximum allowed "
        "payload size (6291556 bytes).",
        "An error occurred (InvalidParameterValue) when calling the SendMessage operation: One or more "
        "parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
    ):
        assert "payload_too_large" in message_signals(said), said
    for said in ("GET /orders 200 413ms", "status=200 bytes=413", "request took 4130 ms"):
        assert "payload_too_large" not in message_signals(said), said


def _machine_records(failed_from: int) -> list[dict[str, Any]]:
    definition = (
        '{"StartAt": "Collect", "States": {"Collect": {"Type": "Task", "Resource": '
        '"arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": '
        f'"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{STEP_FN}", "Payload.$": "$"}}, "End": true}}}}'
    )
    rows: list[dict[str, Any]] = [
        {
            "service": "stepfunctions",
            "type": "DescribeStateMachineOutput",
            "item": {
                "stateMachineArn": MACHINE_ARN,
                "name": MACHINE,
                "status": "ACTIVE",
                "definition": definition,
                "roleArn": f"arn:aws:iam::{ACCOUNT}:role/{MACHINE}-sfn",
                "type": "STANDARD",
                "creationDate": "2024-01-10T00:00:00Z",
            },
        }
    ]
    for run in range(12):
        at = 30 * run
        failed = at >= failed_from
        item: dict[str, Any] = {
            "executionArn": f"arn:aws:states:us-east-1:{ACCOUNT}:execution:{MACHINE}:run-{run:03d}",
            "stateMachineArn": MACHINE_ARN,
            "name": f"run-{run:03d}",
            "status": "FAILED" if failed else "SUCCEEDED",
            "startDate": _ts(at),
            "stopDate": _ts(at + 1),
        }
        if failed:
            item["error"] = "States.DataLimitExceeded"
            item["cause"] = (
                f"The state/task 'arn:aws:lambda:us-east-1:{ACCOUNT}:function:{STEP_FN}' returned a result "
                "with a size exceeding the maximum number of bytes service limit."
            )
        rows.append({"service": "stepfunctions", "type": "DescribeExecutionOutput", "item": item})
    return rows


def _machine_metrics(failed_from: int) -> list[dict[str, Any]]:
    dims = {"StateMachineArn": MACHINE_ARN}
    out = []
    for run in range(12):
        at = 30 * run
        name = "ExecutionsFailed" if at >= failed_from else "ExecutionsSucceeded"
        for metric in ("ExecutionsStarted", name):
            out.append(
                {
                    "namespace": "AWS/States",
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": _ts(at),
                    "unit": "Count",
                    "value": 1.0,
                }
            )
    return out


def test_a_workflow_whose_state_outgrew_the_ceiling_is_the_limit_met() -> None:
    failed_from = 240
    bundle = make_bundle(
        {"resources": _machine_records(failed_from), "metrics": _machine_metrics(failed_from)},
        trigger={"question": f"the {MACHINE} runs keep failing since about 04:00, what broke?"},
    )
    bundle.validate()
    report = offline(bundle)
    top = report.hypotheses[0]
    assert (top.resource, top.failure_mode, top.category) == (
        MACHINE_ARN,
        "payload-size-limit-exceeded",
        "limit",
    ), report.summary
    assert "reconfigure" in {r.action for r in top.remediation}
    said = " ".join(e.summary for e in report.evidence if e.resource == MACHINE_ARN)
    assert "States.DataLimitExceeded" in said


def test_a_workflow_that_never_failed_is_not_read_for_failures() -> None:
    bundle = make_bundle(
        {"resources": _machine_records(10_000), "metrics": _machine_metrics(10_000)},
        trigger={"question": "is anything wrong with the nightly runs?"},
    )
    bundle.validate()
    report = offline(bundle)
    assert not any("payload_too_large" in e.signals for e in report.evidence)
    assert report.verdict != "root_cause", report.summary


WRITER = "profile-writer"
TABLE = "profiles"


def _writer_bundle(size_refused: bool) -> Any:
    said = (
        "ValidationException: Item size to update has exceeded the maximum allowed size"
        if size_refused
        else "ValidationException: One or more parameter values were invalid: Missing the key userId"
    )
    logs = []
    for m in range(0, 360, 2):
        stamp = int((T0 + timedelta(minutes=m)).timestamp() * 1000)
        logs.append(
            {
                "log_group": f"/aws/lambda/{WRITER}",
                "log_stream": "2024/05/01/[$LATEST]0a1b2c3d",
                "timestamp": stamp,
                "message": f"START RequestId: {m:08d}-0000-4000-8000-000000000000 Version: $LATEST",
            }
        )
        if m >= 300:
            logs.append(
                {
                    "log_group": f"/aws/lambda/{WRITER}",
                    "log_stream": "2024/05/01/[$LATEST]0a1b2c3d",
                    "timestamp": stamp + 40,
                    "message": f"[ERROR] {m:08d}-0000-4000-8000-000000000000 append preference failed: {said}",
                }
            )
    metrics = [
        {
            "namespace": "AWS/Lambda",
            "metric": metric,
            "dimensions": {"FunctionName": WRITER},
            "timestamp": _ts(m),
            "unit": "Count",
            "value": (1.0 if m >= 300 and m % 2 == 0 else 0.0) if metric == "Errors" else 1.0,
        }
        for m in range(360)
        for metric in ("Errors", "Invocations")
    ]
    resources = [
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": WRITER,
                "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{WRITER}",
                "Runtime": "python3.12",
                "State": "Active",
                "LastModified": "2024-04-20T10:00:00.000+0000",
                "Environment": {"Variables": {"PROFILES_TABLE": TABLE}},
            },
        },
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": TABLE,
                "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{TABLE}",
                "TableStatus": "ACTIVE",
                "ItemCount": 52000,
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            },
        },
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": "sessions",
                "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/sessions",
                "TableStatus": "ACTIVE",
                "ItemCount": 900,
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            },
        },
    ]
    return make_bundle(
        {"resources": resources, "metrics": metrics, "logs": logs},
        trigger={"question": f"{WRITER} started failing around 05:00, why?"},
    )


def test_an_item_over_the_size_ceiling_is_the_limit_of_the_table_it_is_written_to() -> None:
    bundle = _writer_bundle(size_refused=True)
    bundle.validate()
    report = offline(bundle)
    top = report.hypotheses[0]
    assert (top.resource, top.failure_mode, top.category) == (
        TABLE,
        "payload-size-limit-exceeded",
        "limit",
    ), report.summary


def test_a_refusal_that_names_no_size_is_not_a_size_ceiling() -> None:
    bundle = _writer_bundle(size_refused=False)
    bundle.validate()
    report = offline(bundle)
    assert not any("payload_too_large" in e.signals for e in report.evidence)
    assert all(h.failure_mode != "payload-size-limit-exceeded" for h in report.hypotheses)
