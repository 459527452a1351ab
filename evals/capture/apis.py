"""API Gateway configuration of captured APIs: REST APIs with their stages, resources, integrations and
usage plans; HTTP APIs with their stages, integrations and routes. API keys are never read."""

from __future__ import annotations

from typing import Any

from evals.capture.inventory import Inventory
from evals.capture.reader import Reader

SOURCE = "resources"
MAX_ITEMS = 500  # APIs listed, resources per API, usage plans
MAX_V2 = 100


def listed(reader: Reader) -> list[tuple[str, str, str]]:
    """(kind, id, name) of the account's REST and HTTP APIs."""
    rest, _ = reader.pages(
        SOURCE, "apigateway", "GetRestApis", "items", max_items=MAX_ITEMS, in_token="position",
        out_token="position", limit=500,
    )  # fmt: skip
    http, _ = reader.pages(SOURCE, "apigatewayv2", "GetApis", "Items", max_items=MAX_ITEMS, MaxResults="100")
    return [("rest", a["id"], a.get("name", "")) for a in rest] + [
        ("http", a["ApiId"], a.get("Name", "")) for a in http
    ]


def apis(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """`rest:<id>` or `http:<id>` refs: the API and what decides how it answers."""
    for ref in refs:
        kind, api_id = ref.split(":", 1)
        if kind == "rest":
            _rest(reader, inv, api_id)
        else:
            _http(reader, inv, api_id)


def _rest(reader: Reader, inv: Inventory, api_id: str) -> None:
    api = reader.call(SOURCE, "apigateway", "GetRestApi", api_id, restApiId=api_id)
    if api is None:
        return
    api = {k: v for k, v in api.items() if k != "ResponseMetadata"}
    if not inv.add("apigateway", "RestApi", api):
        return
    inv.names.add(api.get("name", api_id))
    for stage in (reader.call(SOURCE, "apigateway", "GetStages", api_id, restApiId=api_id) or {}).get(
        "item", []
    ):
        stage = {k: v for k, v in stage.items() if k != "variables"}  # stage variables can hold secrets
        inv.add("apigateway", "RestApiStage", {"restApiId": api_id, **stage})
    resources, _ = reader.pages(
        SOURCE, "apigateway", "GetResources", "items", max_items=MAX_ITEMS, target=api_id, in_token="position",
        out_token="position", restApiId=api_id, embed=["methods"], limit=500,
    )  # fmt: skip
    for resource in resources:
        methods = resource.get("resourceMethods") or {}
        item = {k: v for k, v in resource.items() if k != "resourceMethods"}
        if methods:
            item["resourceMethods"] = {verb: {} for verb in methods}
        inv.add("apigateway", "RestApiResource", {"restApiId": api_id, **item})
        for verb, method in methods.items():
            integration = _integration(method.get("methodIntegration"))
            if integration:
                ids = {"restApiId": api_id, "resourceId": resource["id"], "httpMethod": verb}
                inv.add("apigateway", "MethodIntegration", {**integration, **ids})
                _backend(inv, str(integration.get("uri", "")))
    plans, _ = reader.pages(
        SOURCE, "apigateway", "GetUsagePlans", "items", max_items=MAX_ITEMS, target=api_id, in_token="position",
        out_token="position", limit=500,
    )  # fmt: skip
    for plan in plans:
        if any(s.get("apiId") == api_id for s in plan.get("apiStages", [])):
            inv.add("apigateway", "UsagePlan", plan)


def _integration(found: dict[str, Any] | None) -> dict[str, Any] | None:
    """An integration without its request templates (they can embed credentials)."""
    if not found:
        return None
    return {k: v for k, v in found.items() if k not in ("requestTemplates", "httpMethod")}


def _backend(inv: Inventory, uri: str) -> None:
    if ":function:" in uri:
        inv.want("lambda", [uri.split(":function:")[1].split("/")[0].split(":")[0]])


def _http(reader: Reader, inv: Inventory, api_id: str) -> None:
    api = reader.call(SOURCE, "apigatewayv2", "GetApi", api_id, ApiId=api_id)
    if api is None:
        return
    api = {k: v for k, v in api.items() if k != "ResponseMetadata"}
    if not inv.add("apigatewayv2", "Api", api):
        return
    inv.names.add(api.get("Name", api_id))
    for operation, type_ in (
        ("GetStages", "ApiStage"),
        ("GetIntegrations", "ApiIntegration"),
        ("GetRoutes", "ApiRoute"),
    ):
        found, _ = reader.pages(
            SOURCE,
            "apigatewayv2",
            operation,
            "Items",
            max_items=MAX_V2,
            target=api_id,
            ApiId=api_id,
            MaxResults="100",
        )
        for item in found:
            if type_ == "ApiStage":
                item = {k: v for k, v in item.items() if k != "StageVariables"}
            if type_ == "ApiIntegration":
                item = {k: v for k, v in item.items() if k != "RequestTemplates"}
                _backend(inv, str(item.get("IntegrationUri", "")))
            inv.add("apigatewayv2", type_, {"ApiId": api_id, **item})
