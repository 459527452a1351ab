"""The investigation reaches the services around a symptom: discovery links what a metric names to
the resources behind it, so the reasoning can walk from the symptom to them (small hand-made bundles)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent import nodes
from agent.runtime import Runtime
from agent.topology import Topology
from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.evals.replay.test_sns import QUEUE, TOPIC, sub, topic
from tests.tools.test_queues import BUNDLE
from tools.aws import AwsClients
from tools.catalog import REGISTRY
from tools.registry import ToolContext


def metric(
    namespace: str, name: str, dims: dict[str, str], value: float, minutes: int
) -> list[dict[str, Any]]:
    """One datapoint a minute for the last `minutes` minutes before the test manifest's end."""
    end = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    return [
        {
            "namespace": namespace,
            "metric": name,
            "dimensions": dims,
            "timestamp": (end - timedelta(minutes=m)).isoformat(),
            "value": value + m,
        }
        for m in range(1, minutes)
    ]


def discovered(records: dict[str, list[Any]], question: str) -> Topology:
    """Run intake and discover on a bundle, as the graph does, and return the topology."""
    bundle = make_bundle(records)
    session, _ = replay_session(bundle)
    runtime = Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now))
    config: Any = {"configurable": {"runtime": runtime}}
    state: dict[str, Any] = {"question": question, "now": bundle.manifest.now.isoformat()}
    state |= nodes.intake(state, config)  # type: ignore[arg-type]
    state |= nodes.discover(state, config)  # type: ignore[arg-type]
    return Topology.model_validate(state["topology"])


def test_a_queue_backing_up_leads_to_its_consumer_and_dead_letter_queue() -> None:
    records = {
        **BUNDLE,
        "metrics": metric("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "orders"}, 300.0, 60),
    }
    topo = discovered(records, "orders are not being processed, the queue keeps growing since 05:10")
    queue = topo.resolve("orders")
    assert queue is not None and topo.nodes[queue].kind == "sqs_queue"
    # every spelling of the queue lands on the same node
    assert topo.resolve("arn:aws:sqs:us-east-1:123456789012:orders") == queue
    assert topo.resolve("https://sqs.us-east-1.amazonaws.com/123456789012/orders") == queue
    worker, dlq = topo.resolve("order-worker"), topo.resolve("orders-dlq")
    assert worker and topo.nodes[worker].kind == "lambda"
    assert (queue, worker, "triggers") in topo.edges
    assert dlq and (queue, dlq, "dead_letters_to") in topo.edges
    assert topo.distances([queue])[worker] == 1
    assert "holds 37 messages" in topo.nodes[dlq].attrs["warning"]


def test_the_planner_can_call_the_queue_tools() -> None:
    from agent.catalog import PROBES

    assert {"queue_details", "event_source_mappings"} <= set(PROBES) & set(REGISTRY)


def test_a_queue_leads_back_to_the_topic_that_feeds_it_and_its_filter() -> None:
    filtered = sub("order-events", 1, "sqs", f"{QUEUE}:orders", FilterPolicy='{"type": ["placed"]}')
    records = {
        "resources": [*BUNDLE["resources"], topic("order-events"), filtered],
        "metrics": metric("AWS/SQS", "NumberOfMessagesSent", {"QueueName": "orders"}, 0.0, 60),
    }
    topo = discovered(records, "no orders have arrived on the orders queue since 05:10")
    queue, feed = topo.resolve("orders"), topo.resolve(f"{TOPIC}:order-events")
    assert queue and feed and topo.nodes[feed].kind == "sns_topic"
    assert (feed, queue, "delivers_to") in topo.edges
    assert '{"type": ["placed"]}' in topo.nodes[feed].attrs["subscriptions"]
