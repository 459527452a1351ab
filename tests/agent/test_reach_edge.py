"""The investigation reaches capacity settings (Application and EC2 Auto Scaling) and the request's edge
(API Gateway, Route 53, ACM) from a symptom: small hand-made bundles through intake and discover."""

from __future__ import annotations

from agent.catalog import PROBES
from agent.nodes import scalable_id
from agent.topology import TopoNode
from tests.agent.test_reach import discovered, metric
from tests.tools.test_scaling import BUNDLE as SCALING
from tools.catalog import REGISTRY


def test_a_throttled_table_shows_its_scaling_bounds_and_suspension() -> None:
    records = {
        **SCALING,
        "metrics": metric("AWS/DynamoDB", "WriteThrottleEvents", {"TableName": "orders"}, 50.0, 60),
    }
    topo = discovered(records, "writes to the orders table are throttled since 05:10")
    table = topo.resolve("orders")
    assert table is not None and topo.nodes[table].kind == "dynamodb_table"
    attrs = topo.nodes[table].attrs
    assert attrs["scaling"] == "WriteCapacityUnits min 5 max 100"
    assert attrs["warning"] == "scaling suspended: scale-in"


def test_the_planner_names_the_scalable_resource() -> None:
    assert "scaling_config" in set(PROBES) & set(REGISTRY)
    ecs = TopoNode(id="web/api", kind="ecs_service", name="api")
    table = TopoNode(id="orders", kind="dynamodb_table", name="orders")
    group = TopoNode(id="web-asg", kind="asg", name="web-asg")
    assert [scalable_id(n) for n in (ecs, table, group)] == ["service/web/api", "table/orders", "web-asg"]


def test_an_api_returning_5xx_leads_to_the_function_behind_it() -> None:
    from tests.tools.test_apis import BUNDLE as APIS

    records = {**APIS, "metrics": metric("AWS/ApiGateway", "5XXError", {"ApiName": "orders-api"}, 30.0, 60)}
    topo = discovered(records, "orders-api is returning 5xx since 05:10")
    api = topo.resolve("orders-api")
    assert api is not None and topo.nodes[api].kind == "api_gateway"
    worker = topo.resolve("place-order")
    assert worker and topo.nodes[worker].kind == "lambda"
    assert (api, worker, "invokes") in topo.edges
    assert topo.nodes[api].attrs["integration_timeout_ms"] == "5000-29000"
    assert "api_details" in set(PROBES) & set(REGISTRY)
