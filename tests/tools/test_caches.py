"""cache_details over replay, and the cache edges of describe_resources."""

from __future__ import annotations

from collections.abc import Callable

from tests.evals.replay.test_elasticache import ARN, EVENTS, RESOURCES
from tools.caches import cache_details
from tools.registry import ToolContext
from tools.resources import describe_resources

BUNDLE = {"resources": RESOURCES, "events": EVENTS}


def test_cache_details_of_a_group_shows_nodes_parameters_and_a_failover(
    tool_ctx: Callable[..., ToolContext],
) -> None:
    res = cache_details.run(tool_ctx(BUNDLE), {"cache": "sessions"})
    assert res.status == "ok", res.summary
    c = res.data
    assert (c.kind, c.status, c.engine, c.automatic_failover) == (
        "replication_group",
        "available",
        "redis 7.1.0",
        "enabled",
    )
    assert [(n.cluster, n.role, n.az) for n in c.nodes] == [
        ("sessions-001", "replica", "us-east-1a"),
        ("sessions-002", "primary", "us-east-1b"),
    ]
    assert (c.parameter_group, c.user_parameters) == ("sessions-redis7", {"maxmemory-policy": "noeviction"})
    assert [e.source for e in c.events] == ["sessions", "sessions-001"]  # the last day, newest first
    assert c.findings == [
        "05-01 05:31 sessions: Failover from master node sessions-001 to replica node sessions-002 completed",
        "05-01 05:30 sessions-001: Recovering cache nodes 0001",
    ]
    assert "parameter group sessions-redis7: maxmemory-policy=noeviction" in res.summary
    solo = cache_details.run(tool_ctx(BUNDLE), {"cache": "solo"})
    assert solo.data.kind == "cluster" and solo.data.findings == ["status modifying", "node solo modifying"]
    assert cache_details.run(tool_ctx(BUNDLE), {"cache": "nope"}).status == "no_data"


def test_the_graph_walks_group_to_members_and_parameter_group(tool_ctx: Callable[..., ToolContext]) -> None:
    for ref in ("sessions", f"{ARN}:replicationgroup:sessions"):  # a bare id, as an alarm gives it, or an ARN
        graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": [ref], "include_network": False}).data
        edges = {(e.source, e.target, e.relation) for e in graph.edges}
        assert {
            ("sessions-001", "sessions", "member_of"),
            ("sessions-002", "sessions", "member_of"),
            ("sessions-001", "parametergroup:sessions-redis7", "uses_parameters"),
        } <= edges
        group = graph.node("sessions")
        assert group is not None and group.kind == "elasticache_replication_group" and graph.unresolved == []
        primary = graph.node("sessions-002")
        assert primary is not None and primary.attrs["role"] == "primary" and primary.az == "us-east-1b"
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": ["solo"], "include_network": False}).data
    solo = graph.node("solo")
    assert solo is not None and solo.attrs["warning"] == "status modifying; node solo modifying"
