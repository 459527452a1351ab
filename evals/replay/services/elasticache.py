"""ElastiCache: cache clusters, replication groups, parameter groups and their parameters, and events,
from `elasticache/CacheCluster`, `…/ReplicationGroup`, `…/CacheParameterGroup` and
`…/CacheParameterGroupParameter` items and `elasticache` events. Cached data is never answered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

EVENT_RETENTION = timedelta(days=14)  # ElastiCache keeps events for 14 days


def _page(ctx: ReplayContext, params: dict[str, Any], items: list[Any]) -> tuple[list[Any], str | None]:
    size = params.get("MaxRecords", 100)
    if not 20 <= size <= 100:
        raise AwsError(
            "InvalidParameterValue", f"Invalid value {size} for MaxRecords. Must be between 20 and 100"
        )
    request = {k: v for k, v in params.items() if k not in ("Marker", "MaxRecords")}
    return ctx.page(
        items, params.get("Marker"), int(size), request=request, error_code="InvalidParameterValue"
    )


def _answer(key: str, shape: str, page: list[dict[str, Any]], marker: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {key: [to_parsed("elasticache", shape, i) for i in page]}
    if marker:
        out["Marker"] = marker
    return out


def _created(ctx: ReplayContext, type_: str, field: str) -> list[dict[str, Any]]:
    return [
        i for i in ctx.resources("elasticache", type_) if field not in i or to_datetime(i[field]) <= ctx.now
    ]


@operation("elasticache", "DescribeCacheClusters")
def describe_cache_clusters(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    clusters = _created(ctx, "CacheCluster", "CacheClusterCreateTime")
    if params.get("CacheClusterId"):
        clusters = [c for c in clusters if c["CacheClusterId"] == params["CacheClusterId"].lower()]
        if not clusters:
            raise AwsError("CacheClusterNotFound", f"CacheCluster not found: {params['CacheClusterId']}", 404)
    if params.get("ShowCacheClustersNotInReplicationGroups"):
        clusters = [c for c in clusters if not c.get("ReplicationGroupId")]
    if not params.get("ShowCacheNodeInfo"):
        clusters = [{k: v for k, v in c.items() if k != "CacheNodes"} for c in clusters]
    page, marker = _page(ctx, params, clusters)
    return _answer("CacheClusters", "CacheCluster", page, marker)


@operation("elasticache", "DescribeReplicationGroups")
def describe_replication_groups(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    groups = _created(ctx, "ReplicationGroup", "ReplicationGroupCreateTime")
    if params.get("ReplicationGroupId"):
        groups = [g for g in groups if g["ReplicationGroupId"] == params["ReplicationGroupId"].lower()]
        if not groups:
            raise AwsError(
                "ReplicationGroupNotFoundFault",
                f"ReplicationGroup not found: {params['ReplicationGroupId']}",
                404,
            )
    page, marker = _page(ctx, params, groups)
    return _answer("ReplicationGroups", "ReplicationGroup", page, marker)


def _parameter_group(ctx: ReplayContext, name: str) -> dict[str, Any]:
    for g in ctx.resources("elasticache", "CacheParameterGroup"):
        if g["CacheParameterGroupName"] == name:
            return g
    raise AwsError("CacheParameterGroupNotFound", f"CacheParameterGroup not found: {name}", 404)


@operation("elasticache", "DescribeCacheParameterGroups")
def describe_cache_parameter_groups(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    groups = ctx.resources("elasticache", "CacheParameterGroup")
    if params.get("CacheParameterGroupName"):
        groups = [_parameter_group(ctx, params["CacheParameterGroupName"])]
    page, marker = _page(ctx, params, groups)
    return _answer("CacheParameterGroups", "CacheParameterGroup", page, marker)


@operation("elasticache", "DescribeCacheParameters")
def describe_cache_parameters(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    name = _parameter_group(ctx, params["CacheParameterGroupName"])["CacheParameterGroupName"]
    found = [
        {k: v for k, v in p.items() if k != "CacheParameterGroupName"}
        for p in ctx.resources("elasticache", "CacheParameterGroupParameter")
        if p["CacheParameterGroupName"] == name
    ]
    if params.get("Source"):
        found = [p for p in found if p.get("Source") == params["Source"]]
    page, marker = _page(ctx, params, found)
    return _answer("Parameters", "Parameter", page, marker)


def _window(ctx: ReplayContext, params: dict[str, Any]) -> tuple[datetime, datetime]:
    """Duration counts back from now, and only when neither StartTime nor EndTime is given."""
    start = to_datetime(params["StartTime"]) if "StartTime" in params else None
    end = to_datetime(params["EndTime"]) if "EndTime" in params else ctx.now
    if start is None:
        minutes = 60 if "EndTime" in params else params.get("Duration", 60)
        start = end - timedelta(minutes=minutes)
    return max(start, ctx.now - EVENT_RETENTION), min(end, ctx.now)


@operation("elasticache", "DescribeEvents")
def describe_events(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    source_id, source_type = params.get("SourceIdentifier"), params.get("SourceType")
    if source_id is not None and source_type is None:
        raise AwsError("InvalidParameterCombination", "Cannot specify source identifier without source type")
    if source_type is not None and source_type.startswith(("serverless", "user")):
        raise ReplayUnsupported("elasticache", "DescribeEvents", f"SourceType {source_type}")
    start, end = _window(ctx, params)
    events = []
    for item in ctx.events("elasticache"):
        when = to_datetime(item["Date"])
        if not start <= when <= end:
            continue
        if source_type is not None and item.get("SourceType") != source_type:
            continue
        if source_id is not None and item.get("SourceIdentifier") != source_id:
            continue
        events.append((when, item))
    events.sort(key=lambda pair: pair[0], reverse=True)  # newest first, as AWS's examples list them
    page, marker = _page(ctx, params, [item for _, item in events])
    return _answer("Events", "Event", page, marker)
