"""API Gateway replay (REST and HTTP APIs): APIs, stages, resources with embedded integrations, usage
plans, routes; pages and not-found as AWS answers them; key reads and writes never reach a handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation, classify

REST_ID, HTTP_ID = "a1b2c3d4e5", "h1t2t3p4a5"
FN = "arn:aws:lambda:us-east-1:123456789012:function"
PROXY = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}:place-order/invocations"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/cart-alb/0123456789abcdef/fedcba9876543210"


def res(service: str, type_: str, **item: Any) -> dict[str, Any]:
    return {"service": service, "type": type_, "item": item}


REST = [
    res("apigateway", "RestApi", id=REST_ID, name="orders-api", createdDate="2024-04-01T00:00:00Z"),
    res("apigateway", "RestApi", id="zzzzzzzzzz", name="later-api", createdDate="2024-05-01T07:00:00Z"),
    res("apigateway", "RestApi", id="bbbbbbbbbb", name="billing-api", createdDate="2024-04-02T00:00:00Z"),
    res(
        "apigateway",
        "RestApiStage",
        restApiId=REST_ID,
        stageName="prod",
        deploymentId="dep1",
        tracingEnabled=True,
        methodSettings={
            "*/*": {"throttlingRateLimit": 50.0, "throttlingBurstLimit": 100, "loggingLevel": "ERROR"}
        },
        accessLogSettings={"destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:api-access"},
        lastUpdatedDate="2024-05-01T05:10:00Z",
    ),
    res("apigateway", "RestApiStage", restApiId=REST_ID, stageName="dev", deploymentId="dep0"),
    res("apigateway", "RestApiResource", restApiId=REST_ID, id="root01", path="/"),
    res(
        "apigateway",
        "RestApiResource",
        restApiId=REST_ID,
        id="ord001",
        parentId="root01",
        pathPart="orders",
        path="/orders",
        resourceMethods={"POST": {}, "GET": {}},
    ),
    res(
        "apigateway",
        "MethodIntegration",
        restApiId=REST_ID,
        resourceId="ord001",
        httpMethod="POST",
        type="AWS_PROXY",
        uri=PROXY,
        timeoutInMillis=5000,
    ),
    res(
        "apigateway",
        "MethodIntegration",
        restApiId=REST_ID,
        resourceId="ord001",
        httpMethod="GET",
        type="HTTP_PROXY",
        uri="https://legacy.example.com/orders",
    ),
    res(
        "apigateway",
        "UsagePlan",
        id="plan01",
        name="partners",
        apiStages=[{"apiId": REST_ID, "stage": "prod"}],
        throttle={"rateLimit": 5.0, "burstLimit": 10},
        quota={"limit": 1000, "offset": 0, "period": "DAY"},
    ),
    res(
        "apigateway",
        "UsagePlan",
        id="plan02",
        name="other",
        apiStages=[{"apiId": "bbbbbbbbbb", "stage": "v1"}],
    ),
]
HTTP = [
    res(
        "apigatewayv2",
        "Api",
        ApiId=HTTP_ID,
        Name="cart-http",
        ProtocolType="HTTP",
        RouteSelectionExpression="$request.method $request.path",
        ApiEndpoint=f"https://{HTTP_ID}.execute-api.us-east-1.amazonaws.com",
        CreatedDate="2024-04-01T00:00:00Z",
    ),
    res(
        "apigatewayv2",
        "ApiStage",
        ApiId=HTTP_ID,
        StageName="$default",
        AutoDeploy=True,
        DefaultRouteSettings={"ThrottlingRateLimit": 20.0, "ThrottlingBurstLimit": 40},
        LastDeploymentStatusMessage="Deployment failed: integration timeout out of range",
    ),
    res(
        "apigatewayv2",
        "ApiIntegration",
        ApiId=HTTP_ID,
        IntegrationId="int001",
        IntegrationType="HTTP_PROXY",
        IntegrationUri=LISTENER,
        ConnectionType="VPC_LINK",
        TimeoutInMillis=10000,
    ),
    res(
        "apigatewayv2",
        "ApiIntegration",
        ApiId=HTTP_ID,
        IntegrationId="int002",
        IntegrationType="AWS_PROXY",
        IntegrationUri=f"{FN}:cart-fn:live",
    ),
    res(
        "apigatewayv2",
        "ApiRoute",
        ApiId=HTTP_ID,
        RouteId="r1",
        RouteKey="GET /cart",
        Target="integrations/int001",
    ),
    res(
        "apigatewayv2",
        "ApiRoute",
        ApiId=HTTP_ID,
        RouteId="r2",
        RouteKey="POST /cart",
        Target="integrations/int002",
    ),
]
RECORDS = REST + HTTP


@pytest.fixture
def clients(replay: Callable[..., Any]) -> tuple[Any, Any]:
    session, _ = replay({"resources": RECORDS})
    return session.client("apigateway"), session.client("apigatewayv2")


def test_the_bundle_items_validate_against_botocore() -> None:
    assert "resources" in make_bundle({"resources": RECORDS}).validate()


def test_rest_apis_stages_and_pages(clients: tuple[Any, Any]) -> None:
    rest, _ = clients
    # created after now: not there yet
    assert [a["name"] for a in rest.get_rest_apis()["items"]] == ["orders-api", "billing-api"]
    first = rest.get_rest_apis(limit=1)
    rest_page = rest.get_rest_apis(limit=1, position=first["position"])
    assert [a["id"] for a in rest_page["items"]] == ["bbbbbbbbbb"] and "position" not in rest_page
    assert rest.get_rest_api(restApiId=REST_ID)["createdDate"].isoformat() == "2024-04-01T00:00:00+00:00"
    stages = rest.get_stages(restApiId=REST_ID)["item"]
    assert [s["stageName"] for s in stages] == ["prod", "dev"]
    prod = rest.get_stage(restApiId=REST_ID, stageName="prod")
    assert prod["methodSettings"]["*/*"]["throttlingRateLimit"] == 50.0
    assert [s["stageName"] for s in rest.get_stages(restApiId=REST_ID, deploymentId="dep0")["item"]] == [
        "dev"
    ]
    for call in (
        lambda: rest.get_rest_api(restApiId="nope000000"),
        lambda: rest.get_rest_api(restApiId="zzzzzzzzzz"),
        lambda: rest.get_stages(restApiId="nope000000"),
        lambda: rest.get_stage(restApiId=REST_ID, stageName="beta"),
    ):
        with pytest.raises(rest.exceptions.NotFoundException) as err:
            call()
        failure = classify(err.value)
        assert failure is not None and failure.verdict == "no_data"
    with pytest.raises(rest.exceptions.BadRequestException):
        rest.get_rest_apis(limit=1, position="bm90LWEtdG9rZW4=")


def test_resources_embed_their_integrations(clients: tuple[Any, Any]) -> None:
    rest, _ = clients
    plain = rest.get_resources(restApiId=REST_ID)["items"]
    assert [r["path"] for r in plain] == ["/", "/orders"]
    assert plain[1]["resourceMethods"] == {"POST": {}, "GET": {}}
    embedded = rest.get_resources(restApiId=REST_ID, embed=["methods"])["items"][1]["resourceMethods"]
    post = embedded["POST"]["methodIntegration"]
    assert (post["type"], post["uri"], post["timeoutInMillis"]) == ("AWS_PROXY", PROXY, 5000)
    assert embedded["GET"]["methodIntegration"]["type"] == "HTTP_PROXY"
    first = rest.get_resources(restApiId=REST_ID, limit=1)
    assert [
        r["path"] for r in rest.get_resources(restApiId=REST_ID, limit=1, position=first["position"])["items"]
    ] == ["/orders"]
    assert rest.get_integration(restApiId=REST_ID, resourceId="ord001", httpMethod="POST")["uri"] == PROXY
    with pytest.raises(rest.exceptions.NotFoundException):
        rest.get_integration(restApiId=REST_ID, resourceId="ord001", httpMethod="DELETE")


def test_usage_plans_in_pages(clients: tuple[Any, Any]) -> None:
    rest, _ = clients
    plans = rest.get_usage_plans()["items"]
    assert [(p["name"], p.get("throttle")) for p in plans] == [
        ("partners", {"rateLimit": 5.0, "burstLimit": 10}),
        ("other", None),
    ]
    first = rest.get_usage_plans(limit=1)
    assert [p["id"] for p in rest.get_usage_plans(limit=1, position=first["position"])["items"]] == ["plan02"]


def test_http_api_stages_integrations_and_routes(clients: tuple[Any, Any]) -> None:
    _, v2 = clients
    assert [a["Name"] for a in v2.get_apis()["Items"]] == ["cart-http"]
    assert v2.get_api(ApiId=HTTP_ID)["ProtocolType"] == "HTTP"
    (stage,) = v2.get_stages(ApiId=HTTP_ID)["Items"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 20.0
    assert v2.get_stage(ApiId=HTTP_ID, StageName="$default")["AutoDeploy"] is True
    first = v2.get_integrations(ApiId=HTTP_ID, MaxResults="1")
    assert [i["IntegrationId"] for i in first["Items"]] == ["int001"]
    rest = v2.get_integrations(ApiId=HTTP_ID, MaxResults="1", NextToken=first["NextToken"])
    assert [i["IntegrationId"] for i in rest["Items"]] == ["int002"] and "NextToken" not in rest
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=HTTP_ID)["Items"]] == ["GET /cart", "POST /cart"]
    for call in (lambda: v2.get_api(ApiId="nope"), lambda: v2.get_stage(ApiId=HTTP_ID, StageName="beta")):
        with pytest.raises(v2.exceptions.NotFoundException):
            call()
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.get_routes(ApiId=HTTP_ID, MaxResults="0")


@pytest.mark.parametrize(
    ("service", "method", "params"),
    [
        ("apigateway", "get_api_keys", {"includeValues": True}),
        ("apigateway", "get_usage_plan_keys", {"usagePlanId": "plan01"}),
        ("apigateway", "get_export", {"restApiId": REST_ID, "stageName": "prod", "exportType": "oas30"}),
        ("apigateway", "update_stage", {"restApiId": REST_ID, "stageName": "prod", "patchOperations": []}),
        ("apigateway", "create_deployment", {"restApiId": REST_ID}),
        (
            "apigatewayv2",
            "update_integration",
            {"ApiId": HTTP_ID, "IntegrationId": "int001", "TimeoutInMillis": 1000},
        ),
    ],
)
def test_key_reads_and_writes_are_refused_before_the_wire(
    service: str, method: str, params: dict[str, Any]
) -> None:
    session, ctx = replay_session(make_bundle({"resources": RECORDS}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client(service), method)(**params)
    assert sum(ctx.calls.values()) == 0


def test_writes_are_refused_by_replay_itself(replay: Callable[..., Any]) -> None:
    session, _ = replay({"resources": RECORDS})
    with pytest.raises(ReplayRefused):
        session.client("apigateway").create_deployment(restApiId=REST_ID)


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    """A REST API made in moto and written as a bundle answers the same reads alike."""
    live = moto_session("apigateway")
    api = live.create_rest_api(name="moto-api")
    root = live.get_resources(restApiId=api["id"])["items"][0]["id"]
    child = live.create_resource(restApiId=api["id"], parentId=root, pathPart="orders")["id"]
    live.put_method(restApiId=api["id"], resourceId=child, httpMethod="POST", authorizationType="NONE")
    live.put_integration(
        restApiId=api["id"], resourceId=child, httpMethod="POST", type="AWS_PROXY", integrationHttpMethod="POST",
        uri=PROXY, timeoutInMillis=4000,
    )  # fmt: skip
    deployment = live.create_deployment(restApiId=api["id"], stageName="prod")["id"]
    strip = ("ResponseMetadata",)

    def clean(item: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in item.items() if k not in strip}
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in out.items()}

    resources = live.get_resources(restApiId=api["id"])["items"]
    records = [
        res("apigateway", "RestApi", **clean(live.get_rest_api(restApiId=api["id"]))),
        *[res("apigateway", "RestApiStage", restApiId=api["id"], **clean(s)) for s in live.get_stages(restApiId=api["id"])["item"]],
        *[res("apigateway", "RestApiResource", restApiId=api["id"], **r) for r in resources],
        res(
            "apigateway", "MethodIntegration", restApiId=api["id"], resourceId=child, httpMethod="POST",
            **{k: v for k, v in clean(live.get_integration(restApiId=api["id"], resourceId=child, httpMethod="POST")).items() if k != "httpMethod"},
        ),
    ]  # fmt: skip
    session, _ = replay_session(
        make_bundle({"resources": records}, now="2999-01-01T00:00:00Z", end="2999-01-01T00:00:00Z")
    )
    replayed = session.client("apigateway")
    for method, params, key in (
        ("get_rest_apis", {}, "items"),
        ("get_stages", {"restApiId": api["id"]}, "item"),
        ("get_resources", {"restApiId": api["id"], "embed": ["methods"]}, "items"),
    ):
        assert getattr(replayed, method)(**params)[key] == getattr(live, method)(**params)[key], method
    mine = replayed.get_integration(restApiId=api["id"], resourceId=child, httpMethod="POST")
    theirs = live.get_integration(restApiId=api["id"], resourceId=child, httpMethod="POST")
    assert (mine["uri"], mine["timeoutInMillis"], mine["type"]) == (
        theirs["uri"],
        theirs["timeoutInMillis"],
        theirs["type"],
    )
    assert deployment
    for client in (live, replayed):
        with pytest.raises(client.exceptions.NotFoundException):
            client.get_rest_api(restApiId="nope000000")


AUTH_URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}:jwt-check/invocations"


def test_authorizers_of_an_api_and_of_the_only_api(replay: Callable[..., Any]) -> None:
    authorizer = res(
        "apigateway",
        "Authorizer",
        id="au7h01",
        name="jwt",
        type="REQUEST",
        authorizerUri=AUTH_URI,
        authorizerResultTtlInSeconds=0,
    )
    # AWS's shape names no API: with several REST APIs in the bundle, each authorizer carries its own.
    session, _ = replay(
        {"resources": [*REST, {**authorizer, "item": {**authorizer["item"], "restApiId": REST_ID}}]}
    )
    rest = session.client("apigateway")
    assert [
        (a["id"], a["authorizerResultTtlInSeconds"]) for a in rest.get_authorizers(restApiId=REST_ID)["items"]
    ] == [("au7h01", 0)]
    assert rest.get_authorizers(restApiId="bbbbbbbbbb")["items"] == []
    assert rest.get_authorizer(restApiId=REST_ID, authorizerId="au7h01")["authorizerUri"] == AUTH_URI
    with pytest.raises(rest.exceptions.NotFoundException):
        rest.get_authorizer(restApiId=REST_ID, authorizerId="nope01")
    # With one REST API, an authorizer that names none is that API's.
    session, _ = replay({"resources": [REST[0], authorizer]})
    assert [a["name"] for a in session.client("apigateway").get_authorizers(restApiId=REST_ID)["items"]] == [
        "jwt"
    ]
