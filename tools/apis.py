"""API Gateway tool: an API's stages (throttling, logging, tracing), usage plans and integrations.

REST APIs (API Gateway v1) and HTTP APIs (v2) are found by id or name. Stage variables, API keys and
request templates are never shown: they are where secrets sit.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput
from tools.state import text_of

MAX_APIS = 500  # APIs listed to find one by name: one page at the REST maximum
MAX_METHODS = 40  # integrations shown (context budget)
DEFAULT_TIMEOUT_MS = 29000  # an integration with no timeout set waits 29 s
_FUNCTION = re.compile(r"(arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+)(?::[\w$-]+)?")


class ApiDetailsInput(BaseModel):
    """Arguments of api_details."""

    api: str = Field(min_length=1, max_length=255, description="the API's id or name (REST or HTTP API)")


class Stage(BaseModel):
    name: str
    throttle: str | None = Field(
        description="rate (requests/s) and burst of the stage's default method setting"
    )
    logging: str | None = Field(description="execution log level and where access logs go")
    tracing: bool
    deployment: str | None
    updated: datetime | None
    note: str | None = Field(default=None, description="e.g. the last automatic deployment's failure")

    def line(self) -> str:
        parts = [self.name, self.throttle or "account-level throttling", self.logging or "no logging"]
        if self.tracing:
            parts.append("X-Ray on")
        if self.updated:
            parts.append(f"updated {self.updated:%Y-%m-%d %H:%M}")
        if self.note:
            parts.append(self.note)
        return " / ".join(parts)


class UsagePlanInfo(BaseModel):
    name: str
    throttle: str | None
    quota: str | None
    stages: list[str]

    def line(self) -> str:
        return f"plan '{self.name}' {self.throttle or 'no throttle'}{', quota ' + self.quota if self.quota else ''}"


class Integration(BaseModel):
    route: str = Field(description="METHOD /path (REST) or the route key (HTTP API)")
    type: str
    target: str | None = Field(description="the backend: a function ARN, URL or load balancer listener")
    timeout_ms: int
    connection: str | None

    def line(self) -> str:
        backend = (self.target or "?").split(":function:")[-1]
        return f"{self.route} -> {self.type} {backend} (timeout {self.timeout_ms} ms)"


class ApiDetails(ToolOutput):
    id: str
    name: str
    kind: str = Field(description="REST, HTTP or WEBSOCKET")
    endpoint: str | None
    stages: list[Stage]
    usage_plans: list[UsagePlanInfo]
    integrations: list[Integration]
    functions: list[str] = Field(description="Lambda functions the API invokes")

    def is_empty(self) -> bool:
        return self.kind == "?"

    def summary(self) -> str:
        if self.is_empty():
            return f"no REST or HTTP API has the id or name {self.id}"
        parts = [f"{self.kind} API {self.name} ({self.id})"]
        parts.append("stages: " + ("; ".join(s.line() for s in self.stages) or "none deployed"))
        if self.usage_plans:
            parts.append("usage plans: " + "; ".join(p.line() for p in self.usage_plans))
        if self.integrations:
            parts.append("integrations: " + "; ".join(i.line() for i in self.integrations[:10]))
        return ". ".join(parts)


def _throttle(rate: Any, burst: Any) -> str | None:
    if rate is None and burst is None:
        return None
    return f"{rate:g} req/s burst {burst}" if isinstance(rate, float | int) else f"burst {burst}"


def function_of(uri: str | None) -> str | None:
    """The Lambda function an integration URI invokes (qualifier dropped)."""
    match = _FUNCTION.search(uri or "")
    return match.group(1) if match else None


def _find(ctx: ToolContext, ref: str) -> tuple[str, dict[str, Any]] | None:
    rest, _ = ctx.aws.collect(
        "apigateway",
        "GetRestApis",
        "items",
        max_items=MAX_APIS,
        in_token="position",
        out_token="position",
        limit=500,
    )
    for api in rest:
        if ref in (api["id"], api.get("name")):
            return "REST", api
    http, _ = ctx.aws.collect("apigatewayv2", "GetApis", "Items", max_items=MAX_APIS, MaxResults="100")
    for api in http:
        if ref in (api.get("ApiId"), api.get("Name")):
            return api.get("ProtocolType", "HTTP"), api
    return None


def _rest(ctx: ToolContext, api: dict[str, Any]) -> ApiDetails:
    api_id = api["id"]
    stages = []
    for s in ctx.aws.call("apigateway", "GetStages", restApiId=api_id).get("item", []):
        default = (s.get("methodSettings") or {}).get("*/*", {})
        access = (s.get("accessLogSettings") or {}).get("destinationArn")
        logging = ", ".join(
            x
            for x in (
                default.get("loggingLevel"),
                f"access log {access.rsplit(':', 1)[-1]}" if access else None,
            )
            if x
        )
        stages.append(
            Stage(
                name=s["stageName"],
                throttle=_throttle(default.get("throttlingRateLimit"), default.get("throttlingBurstLimit")),
                logging=logging or None,
                tracing=bool(s.get("tracingEnabled")),
                deployment=s.get("deploymentId"),
                updated=s.get("lastUpdatedDate"),
            )
        )
    plans, _ = ctx.aws.collect(
        "apigateway",
        "GetUsagePlans",
        "items",
        max_items=MAX_APIS,
        in_token="position",
        out_token="position",
        limit=500,
    )
    usage = [
        UsagePlanInfo(
            name=p.get("name", p["id"]),
            throttle=_throttle(
                (p.get("throttle") or {}).get("rateLimit"), (p.get("throttle") or {}).get("burstLimit")
            ),
            quota=f"{p['quota'].get('limit')} per {p['quota'].get('period')}" if p.get("quota") else None,
            stages=[st.get("stage", "") for st in p.get("apiStages", []) if st.get("apiId") == api_id],
        )
        for p in plans
        if any(st.get("apiId") == api_id for st in p.get("apiStages", []))
    ]
    resources, more = ctx.aws.collect(
        "apigateway",
        "GetResources",
        "items",
        max_items=MAX_METHODS,
        in_token="position",
        out_token="position",
        restApiId=api_id,
        embed=["methods"],
        limit=500,
    )
    integrations = []
    for r in resources:
        for verb, method in sorted((r.get("resourceMethods") or {}).items()):
            i = method.get("methodIntegration")
            if i:
                integrations.append(
                    Integration(
                        route=f"{verb} {r.get('path', '?')}",
                        type=i.get("type", "?"),
                        target=text_of(i.get("uri")) or None,
                        timeout_ms=i.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS,
                        connection=i.get("connectionType"),
                    )
                )
    return ApiDetails(
        id=api_id,
        name=api.get("name", api_id),
        kind="REST",
        endpoint=None,
        stages=stages,
        usage_plans=usage,
        integrations=integrations[:MAX_METHODS],
        functions=sorted({f for i in integrations if (f := function_of(i.target))}),
        has_more=more or len(integrations) > MAX_METHODS,
    )


def _http(ctx: ToolContext, kind: str, api: dict[str, Any]) -> ApiDetails:
    api_id = api["ApiId"]
    stages = []
    for s in ctx.aws.call("apigatewayv2", "GetStages", ApiId=api_id).get("Items", []):
        default = s.get("DefaultRouteSettings") or {}
        access = (s.get("AccessLogSettings") or {}).get("DestinationArn")
        stages.append(
            Stage(
                name=s["StageName"],
                throttle=_throttle(default.get("ThrottlingRateLimit"), default.get("ThrottlingBurstLimit")),
                logging=f"access log {access.rsplit(':', 1)[-1]}" if access else None,
                tracing=False,
                deployment=s.get("DeploymentId"),
                updated=s.get("LastUpdatedDate"),
                note=text_of(s.get("LastDeploymentStatusMessage")) or None,
            )
        )
    found = {
        i["IntegrationId"]: i
        for i in ctx.aws.call("apigatewayv2", "GetIntegrations", ApiId=api_id).get("Items", [])
    }
    routes = ctx.aws.call("apigatewayv2", "GetRoutes", ApiId=api_id).get("Items", [])
    integrations = []
    for route in routes:
        target = found.get(str(route.get("Target", "")).removeprefix("integrations/"))
        if target:
            integrations.append(
                Integration(
                    route=route["RouteKey"],
                    type=target.get("IntegrationType", "?"),
                    target=text_of(target.get("IntegrationUri")) or None,
                    timeout_ms=target.get("TimeoutInMillis") or 30000,  # HTTP APIs wait 30 s by default
                    connection=target.get("ConnectionType"),
                )
            )
    return ApiDetails(
        id=api_id,
        name=api.get("Name", api_id),
        kind=kind,
        endpoint=api.get("ApiEndpoint"),
        stages=stages,
        usage_plans=[],
        integrations=integrations[:MAX_METHODS],
        functions=sorted({f for i in integrations if (f := function_of(i.target))}),
        has_more=len(integrations) > MAX_METHODS,
    )


@tool
def api_details(ctx: ToolContext, args: ApiDetailsInput) -> ApiDetails:
    """Show an API Gateway API (REST or HTTP API, by id or name): each stage's throttling (rate and
    burst), logging and tracing and when it last changed, the usage plans that throttle or cap its
    clients, and each route's integration (Lambda function, URL or load balancer) with its timeout
    (29 s unless lowered for REST, 30 s for HTTP APIs). API keys and stage variables are never read.

    Args:
        api: the API's id or name.
    """
    found = _find(ctx, args.api)
    if found is None:  # no_data: neither a REST nor an HTTP API has this id or name
        return ApiDetails(
            id=args.api,
            name=args.api,
            kind="?",
            endpoint=None,
            stages=[],
            usage_plans=[],
            integrations=[],
            functions=[],
        )
    kind, api = found
    return _rest(ctx, api) if kind == "REST" else _http(ctx, kind, api)


# API Gateway caches a Lambda authorizer's answer for 300 seconds unless told otherwise.
DEFAULT_AUTHORIZER_TTL_S = 300


def listed_apis(walk: GraphWalk) -> list[tuple[str, str, str]]:
    """(kind, id, name) of the account's REST and HTTP APIs: one page of each (a gap if more exist)."""
    out: list[tuple[str, str, str]] = []
    rest = walk.call("apigateway", "GetRestApis", limit=500) or {}
    out += [("rest", a["id"], a.get("name", a["id"])) for a in rest.get("items", [])]
    http = walk.call("apigatewayv2", "GetApis", MaxResults="100") or {}
    out += [("http", a["ApiId"], a.get("Name", a["ApiId"])) for a in http.get("Items", [])]
    if rest.get("position") or http.get("NextToken"):
        walk.gaps.append("API Gateway: only the first page of APIs was searched by name")
    return out


def _listener_lb(arn: str) -> str | None:
    """The load balancer of a listener ARN (an HTTP API's private integration target)."""
    m = re.fullmatch(
        r"(arn:aws[\w-]*:elasticloadbalancing:[^:]+:\d+:)listener/((?:app|net)/[^/]+/[^/]+)/[^/]+", arn
    )
    return f"{m.group(1)}loadbalancer/{m.group(2)}" if m else None


def graph_apis(walk: GraphWalk, refs: list[str]) -> None:
    """API nodes (`rest:<id>` or `http:<id>`) for describe_resources, linked to the functions and load
    balancers they send requests to."""
    for ref in refs:
        kind, api_id = ref.split(":", 1)
        if kind == "rest":
            api = walk.call("apigateway", "GetRestApi", restApiId=api_id)
            stages = (walk.call("apigateway", "GetStages", restApiId=api_id) or {}).get("item", [])
            page = (
                walk.call("apigateway", "GetResources", restApiId=api_id, embed=["methods"], limit=500) or {}
            )
            uris = [
                (m.get("methodIntegration") or {}).get("uri") or ""
                for r in page.get("items", [])
                for m in (r.get("resourceMethods") or {}).values()
            ]
            timeouts = [
                (m.get("methodIntegration") or {}).get("timeoutInMillis") or DEFAULT_TIMEOUT_MS
                for r in page.get("items", [])
                for m in (r.get("resourceMethods") or {}).values()
                if m.get("methodIntegration")
            ]
            throttles = [
                f"{s['stageName']} {_throttle(d.get('throttlingRateLimit'), d.get('throttlingBurstLimit')) or 'account throttling'}"
                for s in stages
                for d in [(s.get("methodSettings") or {}).get("*/*", {})]
            ]
            name = (api or {}).get("name", api_id)
        else:
            api = walk.call("apigatewayv2", "GetApi", ApiId=api_id)
            stages = (walk.call("apigatewayv2", "GetStages", ApiId=api_id) or {}).get("Items", [])
            items = (walk.call("apigatewayv2", "GetIntegrations", ApiId=api_id) or {}).get("Items", [])
            uris = [i.get("IntegrationUri") or "" for i in items]
            timeouts = [i.get("TimeoutInMillis") or 30000 for i in items]
            throttles = [
                f"{s['StageName']} {_throttle(d.get('ThrottlingRateLimit'), d.get('ThrottlingBurstLimit')) or 'account throttling'}"
                for s in stages
                for d in [s.get("DefaultRouteSettings") or {}]
            ]
            name = (api or {}).get("Name", api_id)
        if api is None:
            continue
        attrs = {"type": kind.upper(), "stages": cut("; ".join(throttles) or "none deployed")}
        if timeouts:
            attrs["integration_timeout_ms"] = (
                f"{min(timeouts)}-{max(timeouts)}" if len(set(timeouts)) > 1 else str(timeouts[0])
            )
        if not walk.add(Node(kind="api_gateway", id=api_id, name=name, state="available", attrs=attrs)):
            return
        if kind == "rest":
            # Usage plans throttle and cap an API's stages for the keys on them: a plan's change lands
            # on the API's callers.
            plans = (walk.call("apigateway", "GetUsagePlans", limit=MAX_APIS) or {}).get("items", [])
            for p in plans:
                stages = [st.get("stage", "") for st in p.get("apiStages", []) if st.get("apiId") == api_id]
                if not stages:
                    continue
                throttle = p.get("throttle") or {}
                plan_attrs = {
                    "stages": ", ".join(stages),
                    "throttle": _throttle(throttle.get("rateLimit"), throttle.get("burstLimit")) or "none",
                }
                if walk.add(Node(kind="usage_plan", id=p["id"], name=p.get("name"), attrs=plan_attrs)):
                    walk.link(p["id"], api_id, "throttles")
            # A Lambda authorizer runs before the integration, on every request its cached result does
            # not answer: its function is on the path of every call, and its settings (the result TTL)
            # set how much load that function takes.
            authorizers = walk.call("apigateway", "GetAuthorizers", restApiId=api_id, limit=MAX_APIS) or {}
            for a in authorizers.get("items", []):
                auth_attrs = {
                    "type": str(a.get("type")),
                    "result_ttl_s": str(a.get("authorizerResultTtlInSeconds", DEFAULT_AUTHORIZER_TTL_S)),
                }
                if not walk.add(
                    Node(kind="api_authorizer", id=a["id"], name=a.get("name"), attrs=auth_attrs)
                ):
                    continue
                walk.link(api_id, a["id"], "authorizes_with")
                function = function_of(a.get("authorizerUri") or "")
                if function:
                    short = function.split(":function:")[1]
                    walk.want("lambda", short)
                    walk.link(a["id"], short, "invokes")
        for uri in uris:
            function = function_of(uri)
            lb = _listener_lb(uri)
            if function:
                short = function.split(":function:")[1]
                walk.want("lambda", short)
                walk.link(api_id, short, "invokes")
            elif lb:
                walk.want("load_balancer", lb)
                walk.link(api_id, lb, "forwards_to")
