"""CloudWatch Logs Insights: StartQuery, GetQueryResults and StopQuery over the bundle's log events.

A query runs to completion when it is started (the bundle does not change), so GetQueryResults always
answers `Complete`. Queries live in `ctx.state`, per replay session, as they live per account in AWS.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from evals.replay.context import ReplayContext
from evals.replay.engines.insights import InsightsQueryError, InsightsResult, run_query
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation
from evals.replay.services.logs import visible_groups

INVALID = "InvalidParameterException"
NOT_FOUND = "ResourceNotFoundException"
MAX_GROUPS = 50  # log groups one query may name
MAX_LIMIT = 100_000
MAX_QUERY_CHARS = 10_000
_NAME = re.compile(r"[\.\-_/#A-Za-z0-9]+")
_STATE = "logs_insights:queries"
_GROUP_ARN = re.compile(r"arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(:\*)?")
_NAMES = uuid.UUID("5f0c3a55-1e47-4c55-9a77-6f1f0d8e0b1c")  # namespace for deterministic query ids


def _queries(ctx: ReplayContext) -> dict[str, dict[str, Any]]:
    queries: dict[str, dict[str, Any]] = ctx.state.setdefault(_STATE, {})
    return queries


def _requested_groups(ctx: ReplayContext, params: dict[str, Any]) -> list[str]:
    given = [k for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if k in params]
    if len(given) > 1:
        raise AwsError(
            INVALID, "Only one of logGroupName, logGroupNames or logGroupIdentifiers may be specified."
        )
    if not given:
        raise AwsError(
            INVALID, "One of logGroupName, logGroupNames or logGroupIdentifiers must be specified."
        )
    key = given[0]
    raw = [params[key]] if key == "logGroupName" else list(params[key])
    if not raw:
        raise AwsError(INVALID, f"{key} must name at least one log group.")
    if len(raw) > MAX_GROUPS:
        raise AwsError(INVALID, f"A query can name at most {MAX_GROUPS} log groups; {key} names {len(raw)}.")
    names: list[str] = []
    for value in raw:
        name = _group_of(ctx, str(value)) if key == "logGroupIdentifiers" else str(value)
        if name not in visible_groups(ctx):  # exactly the groups DescribeLogGroups lists
            raise AwsError(NOT_FOUND, f"Log group '{name}' does not exist for account ID '{ctx.account_id}'")
        if name not in names:
            names.append(name)
    return names


def _group_of(ctx: ReplayContext, identifier: str) -> str:
    if not identifier.startswith("arn:"):
        return identifier
    m = _GROUP_ARN.fullmatch(identifier)
    if m is None:
        raise AwsError(INVALID, f"Invalid log group identifier: {identifier}")
    region, account, name, star = m.groups()
    if star:
        raise AwsError(INVALID, f"A log group ARN in logGroupIdentifiers must not end with '*': {identifier}")
    if region != ctx.region or account != ctx.account_id:
        raise AwsError(NOT_FOUND, f"Log group '{name}' does not exist for account ID '{account}'")
    return name


def _invalid(name: str, value: Any, constraint: str) -> AwsError:
    return AwsError(
        INVALID,
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: {constraint}",
    )


def _check_constraints(params: dict[str, Any]) -> None:
    """The model's limits that botocore leaves to the service to enforce."""
    limit = params.get("limit")
    if limit is not None and limit > MAX_LIMIT:
        raise _invalid("limit", limit, f"Member must have value less than or equal to {MAX_LIMIT}")
    if len(params["queryString"]) > MAX_QUERY_CHARS:
        raise _invalid(
            "queryString", "...", f"Member must have length less than or equal to {MAX_QUERY_CHARS}"
        )
    names = [params["logGroupName"]] if "logGroupName" in params else list(params.get("logGroupNames", []))
    for name in names:
        if len(name) > 512 or not _NAME.fullmatch(name):
            raise _invalid(
                "logGroupName", name, f"Member must satisfy regular expression pattern: {_NAME.pattern}"
            )


@operation("logs", "StartQuery")
def start_query(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    language = params.get("queryLanguage", "CWLI")
    if language != "CWLI":
        raise ReplayUnsupported("logs", "StartQuery", f"queryLanguage {language}; only CWLI is replayed")
    _check_constraints(params)
    start, end = int(params["startTime"]), int(params["endTime"])
    if end < start:
        raise AwsError(INVALID, "endTime must be greater than or equal to startTime.")
    groups = _requested_groups(ctx, params)
    try:
        # Both ends are whole seconds and inclusive: the end second counts up to its last millisecond.
        result = run_query(
            ctx, params["queryString"], groups, start * 1000, end * 1000 + 999, params.get("limit")
        )
    except InsightsQueryError as exc:
        raise AwsError("MalformedQueryException", str(exc)) from exc
    queries = _queries(ctx)
    query_id = str(uuid.uuid5(_NAMES, f"{len(queries)}|{params['queryString']}|{start}|{end}|{groups}"))
    queries[query_id] = {"status": "Complete", "result": result, "groups": groups}
    return {"queryId": query_id}


def _query(ctx: ReplayContext, query_id: str) -> dict[str, Any]:
    query = _queries(ctx).get(query_id)
    if query is None:
        raise AwsError(NOT_FOUND, "Query does not exist.")
    return query


@operation("logs", "GetQueryResults")
def get_query_results(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    query = _query(ctx, params["queryId"])
    result: InsightsResult = query["result"]
    rows = [[{"field": f, "value": v} for f, v in row] for row in result.rows]
    body: dict[str, Any] = {
        "queryLanguage": "CWLI",
        "status": query["status"],
        "statistics": {
            "recordsMatched": float(result.records_matched),
            "recordsScanned": float(result.records_scanned),
            "bytesScanned": float(result.bytes_scanned),
            "logGroupsScanned": float(len(query["groups"])),
        },
    }
    if "maxItems" in params or "nextToken" in params:
        size = params.get("maxItems", len(rows))
        if size == 0:
            raise ReplayUnsupported("logs", "GetQueryResults", "maxItems=0")
        page, token = ctx.page(
            rows, params.get("nextToken"), size, request=params["queryId"], error_code=INVALID
        )
        body["results"] = page
        if token:
            body["nextToken"] = token
    else:
        body["results"] = rows
    return body


@operation("logs", "StopQuery")
def stop_query(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    query = _query(ctx, params["queryId"])
    # Every replayed query has already finished, and a finished query cannot be stopped.
    return {"success": query["status"] in ("Scheduled", "Running")}
