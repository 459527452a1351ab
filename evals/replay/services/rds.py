"""RDS: clusters, instances, events and log files, as the bundle captured them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

EVENT_RETENTION = timedelta(days=14)  # RDS keeps events for the past 14 days
LOG_PORTION_LINES = 10_000  # the most DownloadDBLogFilePortion returns without NumberOfLines
LOG_PORTION_BYTES = 1024 * 1024  # a portion is truncated at 1 MB

Getter = Callable[[dict[str, Any]], list[str]]

_CLUSTER_FILTERS: dict[str, Getter] = {
    "db-cluster-id": lambda c: [c.get("DBClusterIdentifier", ""), c.get("DBClusterArn", "")],
    "db-cluster-resource-id": lambda c: [c.get("DbClusterResourceId", "")],
    "engine": lambda c: [c.get("Engine", "")],
    "clone-group-id": lambda c: [c.get("CloneGroupId", "")],
    "domain": lambda c: [d.get("Domain", "") for d in c.get("DomainMemberships", [])],
}
_INSTANCE_FILTERS: dict[str, Getter] = {
    "db-cluster-id": lambda i: [i.get("DBClusterIdentifier", ""), _cluster_arn_of(i)],
    "db-instance-id": lambda i: [i.get("DBInstanceIdentifier", ""), i.get("DBInstanceArn", "")],
    "dbi-resource-id": lambda i: [i.get("DbiResourceId", "")],
    "engine": lambda i: [i.get("Engine", "")],
    "domain": lambda i: [d.get("Domain", "") for d in i.get("DomainMemberships", [])],
}
_CASE_INSENSITIVE = {"db-cluster-id", "db-instance-id"}  # RDS identifiers are not case-sensitive


def _cluster_arn_of(instance: dict[str, Any]) -> str:
    cluster = instance.get("DBClusterIdentifier")
    arn = instance.get("DBInstanceArn", "")
    if not cluster or ":db:" not in arn:
        return ""
    return arn.split(":db:")[0] + f":cluster:{cluster}"


def _same_id(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _page_size(params: dict[str, Any]) -> int:
    size = params.get("MaxRecords", 100)
    if not 20 <= size <= 100:
        raise AwsError(
            "InvalidParameterValue", f"Invalid value {size} for MaxRecords. Must be between 20 and 100"
        )
    return int(size)


def _page(ctx: ReplayContext, params: dict[str, Any], items: list[Any]) -> tuple[list[Any], str | None]:
    request = {k: v for k, v in params.items() if k not in ("Marker", "MaxRecords")}
    return ctx.page(
        items, params.get("Marker"), _page_size(params), request=request, error_code="InvalidParameterValue"
    )


def _apply_filters(
    items: list[dict[str, Any]], filters: list[dict[str, Any]], known: dict[str, Getter]
) -> list[dict[str, Any]]:
    for flt in filters:
        name, values = flt["Name"], flt["Values"]
        getter = known.get(name)
        if getter is None:
            raise AwsError("InvalidParameterValue", f"Unrecognized filter name: {name}.")
        if name in _CASE_INSENSITIVE:
            wanted = {v.lower() for v in values}
            items = [it for it in items if any(g.lower() in wanted for g in getter(it) if g)]
        else:
            items = [it for it in items if any(g in values for g in getter(it) if g)]
    return items


# --- clusters and instances -----------------------------------------------------------------------


@operation("rds", "DescribeDBClusters")
def describe_db_clusters(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    clusters = ctx.resources("rds", "DBCluster")
    ident = params.get("DBClusterIdentifier")
    if ident is not None:
        clusters = [
            c
            for c in clusters
            if _same_id(ident, c.get("DBClusterIdentifier", "")) or ident == c.get("DBClusterArn")
        ]
        if not clusters:
            raise AwsError("DBClusterNotFoundFault", f"DBCluster {ident} not found.", 404)
    clusters = _apply_filters(clusters, params.get("Filters", []), _CLUSTER_FILTERS)
    page, marker = _page(ctx, params, clusters)
    out: dict[str, Any] = {"DBClusters": [to_parsed("rds", "DBCluster", c) for c in page]}
    if marker:
        out["Marker"] = marker
    return out


def _instances(ctx: ReplayContext, ident: str) -> list[dict[str, Any]]:
    return [
        i
        for i in ctx.resources("rds", "DBInstance")
        if _same_id(ident, i.get("DBInstanceIdentifier", "")) or ident == i.get("DBInstanceArn")
    ]


@operation("rds", "DescribeDBInstances")
def describe_db_instances(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    instances = ctx.resources("rds", "DBInstance")
    ident = params.get("DBInstanceIdentifier")
    if ident is not None:
        instances = _instances(ctx, ident)
        if not instances:
            raise AwsError("DBInstanceNotFound", f"DBInstance {ident} not found.", 404)
    instances = _apply_filters(instances, params.get("Filters", []), _INSTANCE_FILTERS)
    page, marker = _page(ctx, params, instances)
    out: dict[str, Any] = {"DBInstances": [to_parsed("rds", "DBInstance", i) for i in page]}
    if marker:
        out["Marker"] = marker
    return out


# --- RDS Proxy ------------------------------------------------------------------------------------


def _proxy(ctx: ReplayContext, name: str) -> dict[str, Any]:
    for proxy in ctx.resources("rds", "DBProxy"):
        if proxy.get("DBProxyName") == name:
            return proxy
    raise AwsError("DBProxyNotFoundFault", f"DBProxy {name} not found.", 404)


def _page_of(params: dict[str, Any], ctx: ReplayContext, items: list[Any], key: str) -> dict[str, Any]:
    page, marker = _page(ctx, params, items)
    out: dict[str, Any] = {key: page}
    if marker:
        out["Marker"] = marker
    return out


@operation("rds", "DescribeDBProxies")
def describe_db_proxies(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("Filters"):
        raise ReplayUnsupported("rds", "DescribeDBProxies", "Filters (AWS documents it as not supported)")
    name = params.get("DBProxyName")
    proxies = [_proxy(ctx, name)] if name is not None else ctx.resources("rds", "DBProxy")
    return _page_of(params, ctx, [to_parsed("rds", "DBProxy", p) for p in proxies], "DBProxies")


@operation("rds", "DescribeDBProxyTargetGroups")
def describe_db_proxy_target_groups(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["DBProxyName"]
    _proxy(ctx, name)
    groups = [g for g in ctx.resources("rds", "DBProxyTargetGroup") if g.get("DBProxyName") == name]
    wanted = params.get("TargetGroupName")
    if wanted is not None:
        groups = [g for g in groups if g.get("TargetGroupName") == wanted]
        if not groups:
            raise AwsError("DBProxyTargetGroupNotFoundFault", f"Target group {wanted} not found.", 404)
    parsed = [to_parsed("rds", "DBProxyTargetGroup", g) for g in groups]
    return _page_of(params, ctx, parsed, "TargetGroups")


@operation("rds", "DescribeDBProxyTargets")
def describe_db_proxy_targets(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    """A proxy's targets. Items that name no proxy belong to the bundle's only proxy (FORMAT.md)."""
    name = params["DBProxyName"]
    _proxy(ctx, name)
    single = len(ctx.resources("rds", "DBProxy")) == 1
    group = params.get("TargetGroupName")
    targets = [
        t
        for t in ctx.resources("rds", "DBProxyTarget")
        if t.get("DBProxyName", name if single else None) == name
        and (group is None or t.get("TargetGroupName", group) == group)
    ]
    parsed = [
        to_parsed(
            "rds",
            "DBProxyTarget",
            {k: v for k, v in t.items() if k not in ("DBProxyName", "TargetGroupName")},
        )
        for t in targets
    ]
    return _page_of(params, ctx, parsed, "Targets")


# --- events ---------------------------------------------------------------------------------------


def _event_window(ctx: ReplayContext, params: dict[str, Any]) -> tuple[datetime, datetime]:
    """Duration counts back from the end, and only when neither StartTime nor EndTime is given."""
    start = to_datetime(params["StartTime"]) if "StartTime" in params else None
    end = to_datetime(params["EndTime"]) if "EndTime" in params else None
    if start is None and end is None:
        end = ctx.now
        start = end - timedelta(minutes=params.get("Duration", 60))
    elif start is None:
        assert end is not None
        start = end - timedelta(minutes=60)
    elif end is None:
        end = ctx.now
    return max(start, ctx.now - EVENT_RETENTION), min(end, ctx.now)


@operation("rds", "DescribeEvents")
def describe_events(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("Filters"):
        raise ReplayUnsupported("rds", "DescribeEvents", "Filters (AWS documents it as not supported)")
    source_id, source_type = params.get("SourceIdentifier"), params.get("SourceType")
    if source_id is not None and source_type is None:
        raise AwsError("InvalidParameterCombination", "Cannot specify source identifier without source type")
    start, end = _event_window(ctx, params)
    categories = set(params.get("EventCategories", []))
    events = []
    for item in ctx.events("rds"):
        when = to_datetime(item["Date"]) if "Date" in item else None
        if when is None or not start <= when <= end:
            continue
        if source_type is not None and item.get("SourceType") != source_type:
            continue
        if source_id is not None and not _same_id(source_id, item.get("SourceIdentifier", "")):
            continue
        if categories and not categories & set(item.get("EventCategories", [])):
            continue
        events.append((when, item))
    events.sort(key=lambda pair: pair[0])  # RDS lists events oldest first
    page, marker = _page(ctx, params, [item for _, item in events])
    out: dict[str, Any] = {"Events": [to_parsed("rds", "Event", e) for e in page]}
    if marker:
        out["Marker"] = marker
    return out


# --- log files ------------------------------------------------------------------------------------


def _log_files(ctx: ReplayContext, instance: str) -> list[dict[str, Any]]:
    """The instance's log files as of now; a file last written after now is not visible yet."""
    now_ms = int(ctx.now.timestamp() * 1000)
    files = [
        f
        for f in ctx.resources("rds", "DBLogFile")
        if _same_id(instance, f["DBInstanceIdentifier"]) and f["LastWritten"] <= now_ms
    ]
    known = _instances(ctx, instance) or [
        f for f in ctx.resources("rds", "DBLogFile") if _same_id(instance, f["DBInstanceIdentifier"])
    ]
    if not known:
        raise AwsError("DBInstanceNotFound", f"DBInstance {instance} not found.", 404)
    return files


def _size(log: dict[str, Any]) -> int:
    size = log.get("Size")
    return int(size) if size is not None else len(log.get("Data", "").encode())


@operation("rds", "DescribeDBLogFiles")
def describe_db_log_files(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("Filters"):
        raise ReplayUnsupported("rds", "DescribeDBLogFiles", "Filters (AWS documents it as not supported)")
    files = _log_files(ctx, params["DBInstanceIdentifier"])
    if "FilenameContains" in params:
        files = [f for f in files if params["FilenameContains"] in f["LogFileName"]]
    if "FileLastWritten" in params:
        files = [f for f in files if f["LastWritten"] >= params["FileLastWritten"]]
    if "FileSize" in params:
        files = [f for f in files if _size(f) > params["FileSize"]]
    page, marker = _page(ctx, params, files)
    out: dict[str, Any] = {
        "DescribeDBLogFiles": [
            {"LogFileName": f["LogFileName"], "LastWritten": f["LastWritten"], "Size": _size(f)} for f in page
        ]
    }
    if marker:
        out["Marker"] = marker
    return out


def _parse_marker(marker: str, total: int) -> int:
    """Markers are "0" (the start) or the "0:<line>" this replay hands out."""
    if marker == "0":
        return 0
    head, _, line = marker.partition(":")
    if head != "0" or not line.isdigit() or int(line) > total:
        raise AwsError("InvalidParameterValue", f"Invalid marker: {marker}")
    return int(line)


def _within_bytes(lines: list[str], *, from_end: bool) -> list[str]:
    kept: list[str] = []
    used = 0
    for line in reversed(lines) if from_end else lines:
        used += len(line.encode())
        if used > LOG_PORTION_BYTES:
            break
        kept.append(line)
    if not kept and lines:  # one line over 1 MB: hand it back cut, so a reader still moves on
        line = lines[-1] if from_end else lines[0]
        kept = [line.encode()[:LOG_PORTION_BYTES].decode(errors="ignore")]
    return kept[::-1] if from_end else kept


@operation("rds", "DownloadDBLogFilePortion")
def download_db_log_file_portion(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["LogFileName"]
    match = [f for f in _log_files(ctx, params["DBInstanceIdentifier"]) if f["LogFileName"] == name]
    if not match:
        raise AwsError("DBLogFileNotFoundFault", f"DBLogFile {name} not found.", 404)
    lines = match[-1].get("Data", "").splitlines(keepends=True)
    count = params.get("NumberOfLines")
    if count is not None and count < 1:
        raise AwsError("InvalidParameterValue", "NumberOfLines must be greater than 0")
    limit = LOG_PORTION_LINES if count is None else count
    marker = params.get("Marker")
    if marker is None:
        # No marker: the latest lines, and a marker at the end to follow the file from.
        chunk = _within_bytes(lines[-limit:], from_end=True)
        return {"LogFileData": "".join(chunk), "Marker": f"0:{len(lines)}", "AdditionalDataPending": False}
    start = _parse_marker(marker, len(lines))
    chunk = _within_bytes(lines[start : start + limit], from_end=False)
    stop = start + len(chunk)
    return {"LogFileData": "".join(chunk), "Marker": f"0:{stop}", "AdditionalDataPending": stop < len(lines)}
