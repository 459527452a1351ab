"""queue_details and event_source_mappings over replay, and the queue edges of describe_resources."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.evals.replay.test_sqs import ARN, FN, RECORDS, U1, URL, queue
from tools.aws import AwsClients
from tools.functions import event_source_mappings
from tools.queues import queue_details
from tools.registry import ToolContext
from tools.resources import describe_resources


def function(name: str) -> dict[str, Any]:
    return {
        "service": "lambda",
        "type": "FunctionConfiguration",
        "item": {"FunctionName": name, "FunctionArn": f"{FN}:{name}", "Runtime": "python3.12", "Timeout": 60},
    }


BUNDLE = {"resources": [*RECORDS, function("order-worker"), function("pay-worker")]}


def test_queue_details_reads_backlog_redrive_and_consumers(tool_ctx: Callable[..., ToolContext]) -> None:
    ctx = tool_ctx(BUNDLE)
    for ref in ("orders", f"{URL}/orders", f"{ARN}:orders"):
        res = queue_details.run(ctx, {"queue": ref})
        assert res.status == "ok", res.summary
        q = res.data
        assert (q.name, q.visible, q.visibility_timeout_s) == ("orders", 1200, 20)
        assert (q.dead_letter_queue, q.max_receive_count, q.dead_letter_messages) == (
            f"{ARN}:orders-dlq",
            5,
            37,
        )
        assert [(c.uuid, c.state, c.last_processing_result) for c in q.consumers] == [(U1, "Enabled", "OK")]
    assert "moves a message to orders-dlq after 5 receives, which holds 37" in res.summary
    assert "orders -> order-worker Enabled" in res.summary
    dlq = queue_details.run(ctx, {"queue": "orders-dlq"}).data
    assert dlq.dead_letter_sources == ["orders", "orders-retry"] and dlq.dead_letter_queue is None
    assert (
        "dead-letter queue of orders, orders-retry" in queue_details.run(ctx, {"queue": "orders-dlq"}).summary
    )


def test_a_missing_queue_is_no_data_and_a_missing_dlq_is_a_gap(tool_ctx: Callable[..., ToolContext]) -> None:
    ctx = tool_ctx(BUNDLE)
    missing = queue_details.run(ctx, {"queue": "nope"})
    assert missing.status == "no_data"
    assert "AWS.SimpleQueueService.NonExistentQueue" in missing.summary
    orphan = [r for r in RECORDS if r["item"].get("QueueUrl") != f"{URL}/orders-dlq"]
    res = queue_details.run(tool_ctx({"resources": orphan}), {"queue": "orders"})
    assert res.status == "ok"
    assert res.data.dead_letter_messages is None
    assert res.data.gaps == [
        "dead-letter queue orders-dlq: AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist."
    ]


def test_event_source_mappings_of_a_function_and_of_a_source(tool_ctx: Callable[..., ToolContext]) -> None:
    ctx = tool_ctx(BUNDLE)
    by_fn = event_source_mappings.run(ctx, {"function": "order-worker"}).data
    assert [m.source for m in by_fn.mappings] == [f"{ARN}:orders", f"{ARN}:orders-retry"]
    stopped = event_source_mappings.run(ctx, {"source_arn": f"{ARN}:payments"})
    assert stopped.data.mappings[0].state == "Disabled"
    assert "payments -> pay-worker Disabled" in stopped.summary
    assert event_source_mappings.run(ctx, {"function": "nobody"}).status == "no_data"


def test_the_graph_walks_queue_to_consumer_and_dead_letter_queue(
    tool_ctx: Callable[..., ToolContext],
) -> None:
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": ["orders"], "include_network": False}).data
    kinds = {n.name: n.kind for n in graph.nodes}
    # the worker's other source (orders-retry) comes along: it feeds the same function
    assert kinds == {q: "sqs_queue" for q in ("orders", "orders-dlq", "orders-retry")} | {
        "order-worker": "lambda"
    }
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert {
        (f"{ARN}:orders", "order-worker", "triggers"),
        (f"{ARN}:orders", f"{ARN}:orders-dlq", "dead_letters_to"),
    } <= edges
    dlq = graph.node(f"{ARN}:orders-dlq")
    assert dlq is not None
    assert dlq.attrs["warning"] == "dead-letter queue holds 37 messages that failed processing"
    assert graph.unresolved == []
    # from the function's side: the queues that feed it, and a stopped mapping called out on its queue
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": ["pay-worker"], "include_network": False}).data
    assert (f"{ARN}:payments", "pay-worker", "triggers") in {
        (e.source, e.target, e.relation) for e in graph.edges
    }
    payments = graph.node(f"{ARN}:payments")
    assert payments is not None and payments.attrs["warning"] == "consumer mapping Disabled"
    assert "payments" in graph.summary()
    # a URL and an ARN resolve to the same queue
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": [f"{URL}/payments", f"{ARN}:payments"], "include_network": False}
    ).data
    assert [n.name for n in graph.nodes if n.kind == "sqs_queue"] == ["payments"] and graph.unresolved == []


def test_a_dead_letter_queue_brings_the_queues_that_feed_it() -> None:
    """Described alone (its alarm named it), a dead-letter queue brings its sources: what fills it is
    what their consumers failed."""
    redrive = json.dumps({"deadLetterTargetArn": f"{ARN}:export-jobs-dlq", "maxReceiveCount": 5})
    bundle = make_bundle(
        {"resources": [queue("export-jobs", RedrivePolicy=redrive), queue("export-jobs-dlq")]}
    )
    session, _ = replay_session(bundle)
    ctx = ToolContext(aws=AwsClients(session), now=bundle.manifest.now)
    graph = describe_resources.run(ctx, {"refs": ["export-jobs-dlq"]}).data
    assert graph is not None
    assert (f"{ARN}:export-jobs", f"{ARN}:export-jobs-dlq", "dead_letters_to") in {
        (e.source, e.target, e.relation) for e in graph.edges
    }
