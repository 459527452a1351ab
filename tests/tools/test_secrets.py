"""secret_details over replay, and the secret edges of describe_resources."""

from __future__ import annotations

from collections.abc import Callable

from tests.evals.replay.test_secretsmanager import RECORDS, ROTATOR, SECRET, V_CUR, V_PEND
from tests.tools.test_queues import function
from tools.registry import ToolContext
from tools.resources import describe_resources
from tools.secrets import secret_details

ORDERS = f"{SECRET}:prod/orders-db-AbC123"


DB = {
    "service": "rds",
    "type": "DBInstance",
    "item": {
        "DBInstanceIdentifier": "orders-db",
        "DBInstanceStatus": "available",
        "Engine": "postgres",
        "MasterUserSecret": {"SecretArn": ORDERS, "SecretStatus": "active"},
    },
}
BUNDLE = {"resources": [*RECORDS, function("rotate-orders-db"), DB]}


def test_secret_details_shows_rotation_and_a_stuck_pending_stage(
    tool_ctx: Callable[..., ToolContext],
) -> None:
    res = secret_details.run(tool_ctx(BUNDLE), {"secret": "prod/orders-db"})
    assert res.status == "ok", res.summary
    s = res.data
    assert (s.arn, s.rotation_enabled, s.rotation_function, s.rotation_schedule) == (
        ORDERS,
        True,
        ROTATOR,
        "every 30 days",
    )
    assert [(v.version_id, v.stages) for v in s.versions] == [
        ("11111111-aaaa", []),
        (V_CUR, ["AWSCURRENT"]),
        (V_PEND, ["AWSPENDING"]),
    ]
    assert s.findings == [
        "version 33333333 is AWSPENDING but not AWSCURRENT: a rotation started and did not finish "
        "(the new credential may be set on one side only)"
    ]
    assert (
        "secret prod/orders-db has rotation on (every 30 days) by rotate-orders-db, last rotated 2024-05-01 05:02"
        in res.summary
    )
    calm = secret_details.run(tool_ctx(BUNDLE), {"secret": "prod/api-key"})
    assert calm.data.findings == [] and "rotation off" in calm.summary
    assert secret_details.run(tool_ctx(BUNDLE), {"secret": "nope"}).status == "no_data"


def test_the_graph_walks_database_to_secret_to_rotator(tool_ctx: Callable[..., ToolContext]) -> None:
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": ["orders-db"], "include_network": False}).data
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert {("orders-db", ORDERS, "reads_secret"), (ORDERS, "rotate-orders-db", "rotated_by")} <= edges
    node = graph.node(ORDERS)
    assert node is not None and (node.kind, node.name) == ("secret", "prod/orders-db")
    assert "AWSPENDING but not AWSCURRENT" in node.attrs["warning"]
    assert node.attrs["rotation"] == "on, every 30 days"
    # straight from a CloudTrail resource ARN (or its partial form): RDS's tag leads back to the database
    for ref in (ORDERS, f"{SECRET}:prod/orders-db"):
        graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": [ref], "include_network": False}).data
        assert {n.id for n in graph.nodes} == {ORDERS, "rotate-orders-db", "orders-db"}
        assert ("orders-db", ORDERS, "reads_secret") in {
            (e.source, e.target, e.relation) for e in graph.edges
        }
