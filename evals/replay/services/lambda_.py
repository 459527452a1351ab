"""Lambda: function configurations and reserved concurrency, as the bundle captured them."""

from __future__ import annotations

import re
from typing import Any

from evals.bundle.shapes import to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

LIST_PAGE_CAP = 50  # ListFunctions returns at most 50 functions a call, whatever MaxItems says
LATEST = "$LATEST"

# A name, a partial ARN (123456789012:function:name) or a full ARN, each optionally ":qualifier".
_FUNCTION_REF = re.compile(
    r"(?:arn:[\w-]+:lambda:(?P<region>[\w-]+):)?(?:(?P<account>\d{12}):)?(?:function:)?"
    r"(?P<name>[a-zA-Z0-9_.-]+)(?::(?P<qualifier>[a-zA-Z0-9_$.-]+))?"
)


def _not_found(ctx: ReplayContext, name: str, qualifier: str | None) -> AwsError:
    arn = f"arn:aws:lambda:{ctx.region}:{ctx.account_id}:function:{name}"
    return AwsError(
        "ResourceNotFoundException", f"Function not found: {arn}{':' + qualifier if qualifier else ''}", 404
    )


def _resolve(ctx: ReplayContext, ref: str, qualifier: str | None = None) -> tuple[str, str | None]:
    """(function name, qualifier) of a name or ARN; a function of another region or account is not here."""
    match = _FUNCTION_REF.fullmatch(ref)
    if match is None:
        raise AwsError("InvalidParameterValueException", f"Invalid function name: {ref}")
    derived = match["qualifier"]
    if derived and qualifier and derived != qualifier:
        raise AwsError(
            "InvalidParameterValueException",
            "The derived qualifier from the function name does not match the specified qualifier.",
        )
    name = match["name"]
    if match["region"] not in (None, ctx.region) or match["account"] not in (None, ctx.account_id):
        raise _not_found(ctx, name, derived or qualifier)
    return name, derived or qualifier


def _version(item: dict[str, Any]) -> str:
    return str(item.get("Version", LATEST))


@operation("lambda", "ListFunctions")
def list_functions(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if "MasterRegion" in params:
        raise ReplayUnsupported("lambda", "ListFunctions", "MasterRegion (Lambda@Edge replicas)")
    functions = ctx.resources("lambda", "FunctionConfiguration")
    if params.get("FunctionVersion") != "ALL":
        functions = [f for f in functions if _version(f) == LATEST]
    size = min(params.get("MaxItems", LIST_PAGE_CAP), LIST_PAGE_CAP)
    request = {k: v for k, v in params.items() if k not in ("Marker", "MaxItems")}
    page, marker = ctx.page(
        functions, params.get("Marker"), size, request=request, error_code="InvalidParameterValueException"
    )
    out: dict[str, Any] = {"Functions": [to_parsed("lambda", "FunctionConfiguration", f) for f in page]}
    if marker:
        out["NextMarker"] = marker
    return out


@operation("lambda", "GetFunctionConfiguration")
def get_function_configuration(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    name, qualifier = _resolve(ctx, params["FunctionName"], params.get("Qualifier"))
    versions = [f for f in ctx.resources("lambda", "FunctionConfiguration") if f.get("FunctionName") == name]
    wanted = qualifier or LATEST
    if versions and wanted != LATEST and not wanted.isdigit():
        # An alias: the bundle records versions, not which version an alias pointed to.
        raise ReplayUnsupported("lambda", "GetFunctionConfiguration", f"alias qualifier {wanted!r}")
    found = [f for f in versions if _version(f) == wanted]
    if not found:
        raise _not_found(ctx, name, qualifier)
    return dict(to_parsed("lambda", "FunctionConfiguration", found[-1]))


@operation("lambda", "GetFunctionConcurrency")
def get_function_concurrency(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    name, _ = _resolve(ctx, params["FunctionName"])
    configs = [f for f in ctx.resources("lambda", "FunctionConfiguration") if f.get("FunctionName") == name]
    reserved = [c for c in ctx.resources("lambda", "FunctionConcurrency") if c["FunctionName"] == name]
    if not configs and not reserved:
        raise _not_found(ctx, name, None)
    if not reserved:
        return {}  # no reserved concurrency: the function draws on the account's unreserved pool
    return {"ReservedConcurrentExecutions": reserved[-1]["ReservedConcurrentExecutions"]}


ESM_PAGE_CAP = 100  # ListEventSourceMappings returns at most 100 mappings a call


def _mapped_function(mapping: dict[str, Any]) -> tuple[str, str | None] | None:
    """(name, qualifier) of the function a mapping invokes."""
    match = _FUNCTION_REF.fullmatch(str(mapping.get("FunctionArn", "")))
    return (match["name"], match["qualifier"]) if match else None


def _mappings(ctx: ReplayContext) -> list[dict[str, Any]]:
    return ctx.resources("lambda", "EventSourceMappingConfiguration")


@operation("lambda", "ListEventSourceMappings")
def list_event_source_mappings(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    mappings = _mappings(ctx)
    if "FunctionName" in params:
        wanted = _resolve(ctx, params["FunctionName"])
        mappings = [m for m in mappings if _mapped_function(m) == wanted]
    if "EventSourceArn" in params:
        mappings = [m for m in mappings if m.get("EventSourceArn") == params["EventSourceArn"]]
    size = min(params.get("MaxItems", ESM_PAGE_CAP), ESM_PAGE_CAP)
    request = {k: v for k, v in params.items() if k not in ("Marker", "MaxItems")}
    page, marker = ctx.page(
        mappings, params.get("Marker"), size, request=request, error_code="InvalidParameterValueException"
    )
    out: dict[str, Any] = {
        "EventSourceMappings": [to_parsed("lambda", "EventSourceMappingConfiguration", m) for m in page]
    }
    if marker:
        out["NextMarker"] = marker
    return out


@operation("lambda", "GetEventSourceMapping")
def get_event_source_mapping(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    for m in _mappings(ctx):
        if m.get("UUID") == params["UUID"]:
            return dict(to_parsed("lambda", "EventSourceMappingConfiguration", m))
    raise AwsError(
        "ResourceNotFoundException",
        f"The resource you requested does not exist. (UUID {params['UUID']})",
        404,
    )
