"""API Gateway, REST (`apigateway`) and HTTP/WebSocket (`apigatewayv2`) APIs: configuration only.

REST: `apigateway/RestApi`, `RestApiStage`, `RestApiResource`, `MethodIntegration`, `Authorizer` and
`UsagePlan` items.
GetResources with `embed=["methods"]` puts each method's integration into `resourceMethods`, as AWS does.
HTTP: `apigatewayv2/Api`, `ApiStage`, `ApiIntegration`, `ApiRoute`. An API created after now does not exist
yet. API keys are never in a bundle: usage plans filtered by `keyId` are not answered.
"""

from __future__ import annotations

import copy
from typing import Any

from evals.bundle.shapes import to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

REST_PAGE = 25  # GetRestApis, GetResources, GetUsagePlans: 25 items by default
REST_PAGE_MAX = 500
V2_PAGE_MAX = 100  # apigatewayv2 list calls: MaxResults is a string; 100 at most


def _not_found(what: str) -> AwsError:
    return AwsError("NotFoundException", f"Invalid {what} identifier specified", 404)


# --- REST APIs -------------------------------------------------------------------------------------


def _rest_apis(ctx: ReplayContext) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        apis = [to_parsed("apigateway", "RestApi", a) for a in ctx.resources("apigateway", "RestApi")]
        return [a for a in apis if a.get("createdDate") is None or a["createdDate"] <= ctx.now]

    return ctx.cached("apigateway:apis", build)


def _rest_api(ctx: ReplayContext, api_id: str) -> dict[str, Any]:
    for api in _rest_apis(ctx):
        if api["id"] == api_id:
            return api
    raise AwsError("NotFoundException", f"Invalid API identifier specified {ctx.account_id}:{api_id}", 404)


def _integration_item(item: dict[str, Any]) -> dict[str, Any]:
    """A MethodIntegration item as the Integration shape. Its `httpMethod` names the method it belongs
    to (a parent key); the integration's own backend verb shares that field name and is not kept apart."""
    return {k: v for k, v in item.items() if k not in ("restApiId", "resourceId")}


def _rest_page(ctx: ReplayContext, items: list[Any], params: dict[str, Any]) -> dict[str, Any]:
    size = params.get("limit", REST_PAGE)
    if not 1 <= size <= REST_PAGE_MAX:
        raise AwsError("BadRequestException", f"Invalid limit {size}: must be between 1 and {REST_PAGE_MAX}")
    request = {k: v for k, v in params.items() if k != "position"}
    page, token = ctx.page(
        items, params.get("position"), size, request=request, error_code="BadRequestException"
    )
    out: dict[str, Any] = {"items": copy.deepcopy(page)}
    if token:
        out["position"] = token
    return out


@operation("apigateway", "GetRestApis")
def get_rest_apis(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return _rest_page(ctx, _rest_apis(ctx), params)


@operation("apigateway", "GetRestApi")
def get_rest_api(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(_rest_api(ctx, params["restApiId"]))


def _stages(ctx: ReplayContext, api_id: str) -> list[dict[str, Any]]:
    _rest_api(ctx, api_id)
    stages = []
    for item in ctx.resources("apigateway", "RestApiStage"):
        if item["restApiId"] == api_id:
            stages.append(
                to_parsed("apigateway", "Stage", {k: v for k, v in item.items() if k != "restApiId"})
            )
    return [s for s in stages if s.get("createdDate") is None or s["createdDate"] <= ctx.now]


@operation("apigateway", "GetStages")
def get_stages(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    stages = _stages(ctx, params["restApiId"])
    if params.get("deploymentId"):
        stages = [s for s in stages if s.get("deploymentId") == params["deploymentId"]]
    return {"item": copy.deepcopy(stages)}


@operation("apigateway", "GetStage")
def get_stage(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    for stage in _stages(ctx, params["restApiId"]):
        if stage["stageName"] == params["stageName"]:
            return copy.deepcopy(stage)
    raise _not_found("stage")


def _integrations(ctx: ReplayContext, api_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (i["resourceId"], i["httpMethod"]): to_parsed("apigateway", "Integration", _integration_item(i))
        for i in ctx.resources("apigateway", "MethodIntegration")
        if i["restApiId"] == api_id
    }


@operation("apigateway", "GetResources")
def get_resources(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    api_id = params["restApiId"]
    _rest_api(ctx, api_id)
    embed = "methods" in (params.get("embed") or [])
    integrations = _integrations(ctx, api_id) if embed else {}
    found = []
    for item in ctx.resources("apigateway", "RestApiResource"):
        if item["restApiId"] != api_id:
            continue
        resource = to_parsed("apigateway", "Resource", {k: v for k, v in item.items() if k != "restApiId"})
        methods = resource.get("resourceMethods")
        if embed and methods:  # without embed, AWS lists each method's verb only
            resource["resourceMethods"] = {
                verb: {
                    "httpMethod": verb,
                    **{k: v for k, v in method.items() if k != "methodIntegration"},
                    **(
                        {"methodIntegration": integrations[(resource["id"], verb)]}
                        if (resource["id"], verb) in integrations
                        else {}
                    ),
                }
                for verb, method in methods.items()
            }
        found.append(resource)
    return _rest_page(ctx, found, params)


@operation("apigateway", "GetIntegration")
def get_integration(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _rest_api(ctx, params["restApiId"])
    found = _integrations(ctx, params["restApiId"]).get((params["resourceId"], params["httpMethod"]))
    if found is None:
        raise _not_found("Integration")
    return copy.deepcopy(found)


def _authorizers(ctx: ReplayContext, api_id: str) -> list[dict[str, Any]]:
    """An API's authorizers. Items that name no `restApiId` belong to the bundle's only REST API."""
    _rest_api(ctx, api_id)
    single = len(_rest_apis(ctx)) == 1
    return [
        to_parsed("apigateway", "Authorizer", {k: v for k, v in a.items() if k != "restApiId"})
        for a in ctx.resources("apigateway", "Authorizer")
        if a.get("restApiId", api_id if single else None) == api_id
    ]


@operation("apigateway", "GetAuthorizers")
def get_authorizers(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return _rest_page(ctx, _authorizers(ctx, params["restApiId"]), params)


@operation("apigateway", "GetAuthorizer")
def get_authorizer(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    for authorizer in _authorizers(ctx, params["restApiId"]):
        if authorizer["id"] == params["authorizerId"]:
            return copy.deepcopy(authorizer)
    raise _not_found("authorizer")


@operation("apigateway", "GetUsagePlans")
def get_usage_plans(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("keyId"):
        raise ReplayUnsupported("apigateway", "GetUsagePlans with keyId (API keys are not in bundles)")
    plans = [to_parsed("apigateway", "UsagePlan", p) for p in ctx.resources("apigateway", "UsagePlan")]
    return _rest_page(ctx, plans, params)


# --- HTTP and WebSocket APIs -----------------------------------------------------------------------


def _v2_apis(ctx: ReplayContext) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        apis = [to_parsed("apigatewayv2", "Api", a) for a in ctx.resources("apigatewayv2", "Api")]
        return [a for a in apis if a.get("CreatedDate") is None or a["CreatedDate"] <= ctx.now]

    return ctx.cached("apigatewayv2:apis", build)


def _v2_api(ctx: ReplayContext, api_id: str) -> dict[str, Any]:
    for api in _v2_apis(ctx):
        if api.get("ApiId") == api_id:
            return api
    raise AwsError("NotFoundException", f"Invalid API identifier specified {ctx.account_id}:{api_id}", 404)


def _v2_page(ctx: ReplayContext, items: list[Any], params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("MaxResults", str(V2_PAGE_MAX))
    if not raw.isdigit() or not 1 <= int(raw) <= V2_PAGE_MAX:
        raise AwsError(
            "BadRequestException", f"Invalid MaxResults {raw}: must be between 1 and {V2_PAGE_MAX}"
        )
    request = {k: v for k, v in params.items() if k != "NextToken"}
    page, token = ctx.page(
        items, params.get("NextToken"), int(raw), request=request, error_code="BadRequestException"
    )
    out: dict[str, Any] = {"Items": copy.deepcopy(page)}
    if token:
        out["NextToken"] = token
    return out


def _v2_children(ctx: ReplayContext, type_: str, shape: str, api_id: str) -> list[dict[str, Any]]:
    _v2_api(ctx, api_id)
    return [
        to_parsed("apigatewayv2", shape, {k: v for k, v in item.items() if k != "ApiId"})
        for item in ctx.resources("apigatewayv2", type_)
        if item["ApiId"] == api_id
    ]


@operation("apigatewayv2", "GetApis")
def get_apis(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return _v2_page(ctx, _v2_apis(ctx), params)


@operation("apigatewayv2", "GetApi")
def get_api(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(_v2_api(ctx, params["ApiId"]))


@operation("apigatewayv2", "GetStages")
def get_v2_stages(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return _v2_page(ctx, _v2_children(ctx, "ApiStage", "Stage", params["ApiId"]), params)


@operation("apigatewayv2", "GetStage")
def get_v2_stage(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    for stage in _v2_children(ctx, "ApiStage", "Stage", params["ApiId"]):
        if stage["StageName"] == params["StageName"]:
            return copy.deepcopy(stage)
    raise AwsError("NotFoundException", f"Invalid stage identifier specified {params['StageName']}", 404)


@operation("apigatewayv2", "GetIntegrations")
def get_v2_integrations(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return _v2_page(ctx, _v2_children(ctx, "ApiIntegration", "Integration", params["ApiId"]), params)


@operation("apigatewayv2", "GetRoutes")
def get_v2_routes(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return _v2_page(ctx, _v2_children(ctx, "ApiRoute", "Route", params["ApiId"]), params)
