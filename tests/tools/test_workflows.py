"""state_machine over replay, and the workflow edges of describe_resources (both directions)."""

from __future__ import annotations

from collections.abc import Callable

from tests.evals.replay.test_sqs import RECORDS as QUEUES
from tests.evals.replay.test_stepfunctions import EX, RECORDS, SM
from tests.tools.test_queues import function
from tools.registry import ToolContext
from tools.resources import describe_resources
from tools.workflows import state_machine

QUEUE = {
    "service": "sqs",
    "type": "Queue",
    "item": {
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/refunds-done",
        "Attributes": {"QueueArn": "arn:aws:sqs:us-east-1:123456789012:refunds-done"},
    },
}
BUNDLE = {"resources": [*RECORDS, function("refund-validate"), function("refund-pay"), QUEUE]}


def test_state_machine_shows_calls_outcomes_and_failures(tool_ctx: Callable[..., ToolContext]) -> None:
    res = state_machine.run(tool_ctx(BUNDLE), {"state_machine": f"{SM}:refunds"})
    assert res.status == "ok", res.summary
    m = res.data
    assert (m.type, m.revision, m.executions) == (
        "STANDARD",
        "rev-2",
        {"FAILED": 1, "RUNNING": 1, "SUCCEEDED": 1},
    )
    assert [f.rsplit(":", 1)[-1] if "function" in f else f for f in m.calls] == [
        "refund-validate",
        "live",
        "https://sqs.us-east-1.amazonaws.com/123456789012/refunds-done",
    ]
    (failure,) = m.failures
    assert (failure.execution, failure.error, failure.cause) == (
        f"{EX}:refunds:e2",
        "States.TaskFailed",
        "PaymentDeclined: card issuer timeout",
    )
    assert "FAILED e2 at 05:20: States.TaskFailed PaymentDeclined: card issuer timeout" in res.summary
    express = state_machine.run(tool_ctx(BUNDLE), {"state_machine": f"{SM}:nightly"})
    assert express.status == "ok" and express.data.executions == {}
    assert state_machine.run(tool_ctx(BUNDLE), {"state_machine": f"{SM}:nope"}).status == "no_data"


def test_the_graph_walks_workflow_to_its_tasks_and_back(tool_ctx: Callable[..., ToolContext]) -> None:
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": [f"{SM}:refunds"], "include_network": False}
    ).data
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert {
        (f"{SM}:refunds", "refund-validate", "invokes"),
        (f"{SM}:refunds", "refund-pay", "invokes"),
        (f"{SM}:refunds", "arn:aws:sqs:us-east-1:123456789012:refunds-done", "sends_to"),
    } <= edges
    node = graph.node(f"{SM}:refunds")
    assert node is not None and node.kind == "state_machine"
    assert node.attrs["warning"] == "1 of the last 3 executions FAILED, latest started 2024-05-01 05:20"
    # an execution's ARN (as CloudTrail or a log names it) leads to its state machine
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": [f"{EX}:refunds:e2"], "include_network": False}
    ).data
    assert graph.node(f"{SM}:refunds") is not None
    # from a function: the workflows that call it
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": ["refund-pay"], "include_network": False}).data
    assert (f"{SM}:refunds", "refund-pay", "invokes") in {
        (e.source, e.target, e.relation) for e in graph.edges
    }
    graph = describe_resources.run(
        tool_ctx({"resources": [*QUEUES, function("order-worker")]}),
        {"refs": ["order-worker"], "include_network": False},
    ).data
    assert not [n for n in graph.nodes if n.kind == "state_machine"]  # no workflow calls it
