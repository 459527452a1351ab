"""api_details over replay (REST and HTTP APIs) and the API edges of describe_resources."""

from __future__ import annotations

from collections.abc import Callable

from tests.evals.replay.test_apigateway import FN, HTTP_ID, PROXY, RECORDS, REST_ID
from tests.tools.test_queues import function
from tools.apis import api_details, function_of
from tools.registry import ToolContext
from tools.resources import describe_resources

BUNDLE = {"resources": [*RECORDS, function("place-order"), function("cart-fn")]}


def test_a_rest_api_by_name_stages_plans_and_integrations(tool_ctx: Callable[..., ToolContext]) -> None:
    ctx = tool_ctx(BUNDLE)
    res = api_details.run(ctx, {"api": "orders-api"})
    assert res.status == "ok", res.summary
    api = res.data
    assert (api.id, api.kind) == (REST_ID, "REST")
    assert [(s.name, s.throttle, s.logging, s.tracing) for s in api.stages] == [
        ("prod", "50 req/s burst 100", "ERROR, access log api-access", True),
        ("dev", None, None, False),
    ]
    assert [(p.name, p.throttle, p.quota, p.stages) for p in api.usage_plans] == [
        ("partners", "5 req/s burst 10", "1000 per DAY", ["prod"])
    ]
    assert [(i.route, i.type, i.timeout_ms) for i in api.integrations] == [
        ("GET /orders", "HTTP_PROXY", 29000),  # no timeout set: the 29 s default
        ("POST /orders", "AWS_PROXY", 5000),
    ]
    assert api.functions == [f"{FN}:place-order"]
    assert "POST /orders -> AWS_PROXY place-order/invocations (timeout 5000 ms)" in res.summary
    assert api_details.run(ctx, {"api": REST_ID}).data.name == "orders-api"
    # the ledger names the IAM action API Gateway really checks
    assert "apigateway:GET" in ctx.aws.ledger.answered


def test_an_http_api_routes_to_a_load_balancer_and_a_function(tool_ctx: Callable[..., ToolContext]) -> None:
    res = api_details.run(tool_ctx(BUNDLE), {"api": "cart-http"})
    api = res.data
    assert (api.id, api.kind) == (HTTP_ID, "HTTP")
    (stage,) = api.stages
    assert (stage.throttle, stage.note) == (
        "20 req/s burst 40",
        "Deployment failed: integration timeout out of range",
    )
    assert [(i.route, i.timeout_ms) for i in api.integrations] == [
        ("GET /cart", 10000),
        ("POST /cart", 30000),
    ]
    assert api.functions == [f"{FN}:cart-fn"]


def test_an_unknown_api_is_no_data(tool_ctx: Callable[..., ToolContext]) -> None:
    res = api_details.run(tool_ctx(BUNDLE), {"api": "nothing"})
    assert res.status == "no_data" and res.summary == "no REST or HTTP API has the id or name nothing"


def test_function_of_drops_the_qualifier() -> None:
    assert function_of(PROXY) == f"{FN}:place-order"
    assert function_of(f"{FN}:cart-fn:live") == f"{FN}:cart-fn"
    assert function_of("https://example.com") is None


def test_the_graph_walks_from_an_api_to_its_backends(tool_ctx: Callable[..., ToolContext]) -> None:
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": ["orders-api", "cart-http"], "include_network": False}
    ).data
    api = graph.node(REST_ID)
    assert api is not None and api.kind == "api_gateway" and api.name == "orders-api"
    assert api.attrs["stages"] == "prod 50 req/s burst 100; dev account throttling"
    assert api.attrs["integration_timeout_ms"] == "5000-29000"
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert (REST_ID, "place-order", "invokes") in edges
    assert (HTTP_ID, "cart-fn", "invokes") in edges
    assert graph.unresolved == []
    # an API's ARN resolves too
    graph = describe_resources.run(
        tool_ctx(BUNDLE),
        {"refs": [f"arn:aws:apigateway:us-east-1::/restapis/{REST_ID}"], "include_network": False},
    ).data
    assert graph.node(REST_ID) is not None


def test_an_apis_lambda_authorizer_is_on_the_path_of_every_request(
    tool_ctx: Callable[..., ToolContext],
) -> None:
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}:jwt-check/invocations"
    authorizer = {
        "service": "apigateway",
        "type": "Authorizer",
        "item": {"id": "au7h01", "name": "jwt", "type": "TOKEN", "authorizerUri": uri, "restApiId": REST_ID},
    }
    bundle = {"resources": [*BUNDLE["resources"], authorizer, function("jwt-check")]}
    graph = describe_resources.run(tool_ctx(bundle), {"refs": ["orders-api"], "include_network": False}).data
    node = graph.node("au7h01")
    assert node is not None and node.kind == "api_authorizer"
    assert node.attrs == {"type": "TOKEN", "result_ttl_s": "300"}  # AWS's default cache time when unset
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert (REST_ID, "au7h01", "authorizes_with") in edges and ("au7h01", "jwt-check", "invokes") in edges
