"""topic_details over replay, and the topic edges of describe_resources (both directions)."""

from __future__ import annotations

from collections.abc import Callable

from tests.evals.replay.test_sns import QUEUE, RECORDS, TOPIC
from tests.tools.test_queues import BUNDLE as QUEUES
from tests.tools.test_queues import function
from tools.registry import ToolContext
from tools.resources import describe_resources
from tools.topics import topic_details

BUNDLE = {"resources": [*QUEUES["resources"], *RECORDS, function("audit")]}


def test_topic_details_shows_each_subscriber_and_its_filter(tool_ctx: Callable[..., ToolContext]) -> None:
    res = topic_details.run(tool_ctx(BUNDLE), {"topic": f"{TOPIC}:orders"})
    assert res.status == "ok", res.summary
    t = res.data
    assert (t.name, t.display_name, t.confirmed, t.pending) == ("orders", "Orders", 2, 1)
    queue, fn, mail = t.subscriptions
    assert (queue.filter_policy, queue.raw_delivery) == ('{"eventType": ["order_placed"]}', True)
    assert (fn.endpoint, fn.filter_policy) == (
        "arn:aws:lambda:us-east-1:123456789012:function:audit:live",
        None,
    )
    assert mail.pending_confirmation and mail.protocol == "email"
    assert 'sqs orders filter (MessageAttributes) {"eventType": ["order_placed"]} raw delivery' in res.summary
    assert "email oncall@example.com PENDING CONFIRMATION" in res.summary
    assert topic_details.run(tool_ctx(BUNDLE), {"topic": f"{TOPIC}:nope"}).status == "no_data"
    empty = topic_details.run(tool_ctx(BUNDLE), {"topic": f"{TOPIC}:alerts"})
    assert "no subscriptions: messages go nowhere" in empty.summary


def test_the_graph_walks_topic_to_subscribers_and_back(tool_ctx: Callable[..., ToolContext]) -> None:
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": [f"{TOPIC}:orders"], "include_network": False}
    ).data
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    # a topic and a queue may share a name; the graph keeps them apart by ARN
    assert {
        (f"{TOPIC}:orders", f"{QUEUE}:orders", "delivers_to"),
        (f"{TOPIC}:orders", "audit", "delivers_to"),
        (f"{QUEUE}:orders", "order-worker", "triggers"),
    } <= edges
    topic_node = next(n for n in graph.nodes if n.kind == "sns_topic")
    assert topic_node.attrs["warning"] == "1 subscription(s) pending confirmation receive nothing"
    assert "filter" in topic_node.attrs["subscriptions"]
    # from the subscriber's side: the function and the queue name the topics that feed them
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": ["audit"], "include_network": False}).data
    assert [n.id for n in graph.nodes if n.kind == "sns_topic"] == [f"{TOPIC}:orders"]
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": [f"{QUEUE}:payments"], "include_network": False}
    ).data
    assert not [n for n in graph.nodes if n.kind == "sns_topic"]  # nothing publishes to payments
