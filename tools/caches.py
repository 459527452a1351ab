"""ElastiCache tool: a replication group or cluster, its nodes, its parameter group's settings and its
recent events (never cached data); and caches as nodes of the resource graph."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.errors import classify
from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput
from tools.state import text_of

MAX_PARAMETERS = 100  # parameters read per group (one page)
MAX_EVENTS = 20  # events listed (context budget)
EVENT_HOURS = 24  # events read back from now
CACHE_ID = re.compile(r"[a-z][a-z0-9-]{0,49}")


class CacheDetailsInput(BaseModel):
    """Arguments of cache_details."""

    cache: str = Field(
        min_length=1,
        max_length=50,
        pattern=r"^[A-Za-z][A-Za-z0-9-]*$",
        description="replication group or cluster id",
    )


class CacheNode(BaseModel):
    cluster: str
    status: str | None
    role: str | None = Field(description="primary or replica, when the group says")
    az: str | None
    node_type: str | None


class CacheEvent(BaseModel):
    time: datetime
    source: str
    message: str


class CacheDetails(ToolOutput):
    id: str
    kind: str = Field(description="replication_group or cluster")
    status: str | None
    engine: str | None
    node_type: str | None
    automatic_failover: str | None
    multi_az: str | None
    nodes: list[CacheNode]
    parameter_group: str | None
    user_parameters: dict[str, str] = Field(description="parameters set away from the engine default")
    pending_changes: dict[str, Any]
    events: list[CacheEvent] = Field(description=f"events of the last {EVENT_HOURS} hours, newest first")
    findings: list[str]
    gaps: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.kind.replace('_', ' ')} {self.id} {self.status} ({self.engine}, {self.node_type}, "
            f"{len(self.nodes)} nodes, failover {self.automatic_failover})"
        ]
        if self.nodes:
            parts.append(
                "nodes: "
                + ", ".join(
                    f"{n.cluster} {n.role or ''} {n.status} {n.az or ''}".replace("  ", " ").strip()
                    for n in self.nodes[:8]
                )
            )
        if self.parameter_group:
            tuned = (
                ", ".join(f"{k}={v}" for k, v in list(self.user_parameters.items())[:10]) or "all defaults"
            )
            parts.append(f"parameter group {self.parameter_group}: {tuned}")
        if self.events:
            parts.append(
                "events: "
                + "; ".join(f"{e.time:%m-%d %H:%M} {e.source} {e.message}" for e in self.events[:6])
            )
        if self.findings:
            parts.append("attention: " + "; ".join(self.findings))
        if self.gaps:
            parts.append("gaps: " + "; ".join(self.gaps))
        return ". ".join(parts)


def _absent(exc: ClientError) -> bool:
    failure = classify(exc)
    return failure is not None and failure.verdict == "no_data"


def find_cache(call: Any, ident: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """('replication_group' | 'cluster', the item, its member clusters); a replication group first,
    since its id is what clients and alarms usually name. Not found raises the cluster's error."""
    try:
        group = call("elasticache", "DescribeReplicationGroups", ReplicationGroupId=ident)[
            "ReplicationGroups"
        ][0]
    except ClientError as exc:
        if not _absent(exc):
            raise
    else:
        members = []
        for cid in group.get("MemberClusters", [])[:20]:
            try:
                members += call("elasticache", "DescribeCacheClusters", CacheClusterId=cid)["CacheClusters"]
            except ClientError as exc:
                if not _absent(exc):
                    raise
        return "replication_group", group, members
    cluster = call("elasticache", "DescribeCacheClusters", CacheClusterId=ident)["CacheClusters"][0]
    return "cluster", cluster, [cluster]


def _roles(group: dict[str, Any]) -> dict[str, str]:
    return {
        m["CacheClusterId"]: str(m.get("CurrentRole"))
        for ng in group.get("NodeGroups", [])
        for m in ng.get("NodeGroupMembers", [])
        if m.get("CacheClusterId") and m.get("CurrentRole")
    }


def findings_of(item: dict[str, Any], members: list[dict[str, Any]], events: list[CacheEvent]) -> list[str]:
    out = []
    status = item.get("Status") or item.get("CacheClusterStatus")
    if status and status != "available":
        out.append(f"status {status}")
    for m in members:
        if m.get("CacheClusterStatus") not in (None, "available"):
            out.append(f"node {m['CacheClusterId']} {m['CacheClusterStatus']}")
    pending = {**(item.get("PendingModifiedValues") or {})}
    if pending:
        out.append("pending changes: " + ", ".join(f"{k}={v}" for k, v in pending.items()))
    applying = [
        m
        for m in members
        if (m.get("CacheParameterGroup") or {}).get("ParameterApplyStatus") not in (None, "in-sync")
    ]
    for m in applying:
        out.append(
            f"node {m['CacheClusterId']} parameters {m['CacheParameterGroup']['ParameterApplyStatus']}"
        )
    if (
        item.get("AutomaticFailover") in ("disabled", None)
        and len(members) > 1
        and "ReplicationGroupId" in item
    ):
        out.append("automatic failover disabled: losing the primary stops writes until someone acts")
    for e in events:
        if re.search(r"failover|reboot|restart|replace|recover", e.message, re.I):
            out.append(f"{e.time:%m-%d %H:%M} {e.source}: {e.message}")
    return out


@tool
def cache_details(ctx: ToolContext, args: CacheDetailsInput) -> CacheDetails:
    """Show an ElastiCache replication group or cluster: status, engine, node type, failover and
    Multi-AZ settings, each node (role, status, AZ), its parameter group and the parameters set away
    from the defaults (e.g. maxmemory-policy, reserved memory, timeouts), pending changes, and the
    events of the last day (failovers, reboots, node replacements, parameter changes). Cached data is
    never read.

    Args:
        cache: the replication group's or cluster's id.
    """
    kind, item, members = find_cache(ctx.aws.call, args.cache.lower())
    ident = item.get("ReplicationGroupId") if kind == "replication_group" else item["CacheClusterId"]
    groups = sorted(
        {str((m.get("CacheParameterGroup") or {}).get("CacheParameterGroupName") or "") for m in members}
        - {""}
    )
    group = groups[0] if groups else None
    gaps: list[str] = []
    tuned: dict[str, str] = {}
    if group:
        try:
            params, _ = ctx.aws.collect(
                "elasticache",
                "DescribeCacheParameters",
                "Parameters",
                max_items=MAX_PARAMETERS,
                in_token="Marker",
                out_token="Marker",
                CacheParameterGroupName=group,
                Source="user",
            )
            tuned = {p["ParameterName"]: text_of(p.get("ParameterValue")) for p in params}
        except ClientError as exc:
            failure = classify(exc)
            gaps.append(f"elasticache:DescribeCacheParameters {group}: {failure.code if failure else exc}")
    events: list[CacheEvent] = []
    sources = [(str(ident), "replication-group" if kind == "replication_group" else "cache-cluster")]
    sources += [(m["CacheClusterId"], "cache-cluster") for m in members if kind == "replication_group"]
    for source, source_type in sources[:6]:
        page = ctx.aws.call(
            "elasticache",
            "DescribeEvents",
            SourceIdentifier=source,
            SourceType=source_type,
            StartTime=ctx.now - timedelta(hours=EVENT_HOURS),
            EndTime=ctx.now,
        )
        events += [
            CacheEvent(
                time=e["Date"], source=e.get("SourceIdentifier", source), message=text_of(e.get("Message"))
            )
            for e in page.get("Events", [])
        ]
    events = sorted(events, key=lambda e: e.time, reverse=True)[:MAX_EVENTS]
    roles = _roles(item) if kind == "replication_group" else {}
    first = members[0] if members else {}
    return CacheDetails(
        id=str(ident),
        kind=kind,
        status=item.get("Status") or item.get("CacheClusterStatus"),
        engine=f"{first.get('Engine') or item.get('Engine')} {first.get('EngineVersion') or ''}".strip(),
        node_type=item.get("CacheNodeType") or first.get("CacheNodeType"),
        automatic_failover=item.get("AutomaticFailover"),
        multi_az=item.get("MultiAZ"),
        nodes=[
            CacheNode(
                cluster=m["CacheClusterId"],
                status=m.get("CacheClusterStatus"),
                role=roles.get(m["CacheClusterId"]),
                az=m.get("PreferredAvailabilityZone"),
                node_type=m.get("CacheNodeType"),
            )
            for m in members
        ],
        parameter_group=group,
        user_parameters=tuned,
        pending_changes=dict(item.get("PendingModifiedValues") or {}),
        events=events,
        findings=findings_of(item, members, events),
        gaps=gaps,
        total=len(members),
    )


# --- the resource graph ---------------------------------------------------------------------------


def walk_caches(walk: GraphWalk, refs: list[str], *, guess: bool = False) -> None:
    """Replication groups and clusters as nodes, linked to their members, parameter groups and
    security groups. `guess`: the refs are bare names that may be no cache at all."""

    def call(service: str, op: str, **params: Any) -> dict[str, Any]:
        return walk.ctx.aws.call(service, op, **params)

    for ref in refs:
        if guess and not CACHE_ID.fullmatch(ref.lower()):
            continue
        try:
            kind, item, members = find_cache(call, ref.lower())
        except ClientError as exc:
            failure = classify(exc)
            if failure is None or failure.verdict not in ("denied", "no_data"):
                raise
            if failure.verdict == "denied":
                walk.denied.append(exc)
                walk.gaps.append(f"elasticache denied ({failure.code})")
            elif not guess:
                walk.gaps.append(f"elasticache {ref}: {failure.code}")
            continue
        found = findings_of(item, members, [])
        if kind == "replication_group":
            gid = item["ReplicationGroupId"]
            attrs = {
                "arn": str(item.get("ARN") or ""),
                "node_type": str(item.get("CacheNodeType")),
                "failover": f"{item.get('AutomaticFailover')}, multi-AZ {item.get('MultiAZ')}",
                "endpoint": str(
                    ((item.get("NodeGroups") or [{}])[0].get("PrimaryEndpoint") or {}).get("Address") or ""
                ),
                # Its addresses as its clients are configured with them: the primary and reader endpoints
                # (or the configuration endpoint of a cluster-mode group).
                "dns_names": " ".join(
                    str(e.get("Address")).lower()
                    for e in [
                        *[
                            ng.get(k) or {}
                            for ng in item.get("NodeGroups") or []
                            for k in ("PrimaryEndpoint", "ReaderEndpoint")
                        ],
                        item.get("ConfigurationEndpoint") or {},
                    ]
                    if e.get("Address")
                ),
            }
            if found:
                attrs["warning"] = cut("; ".join(found))
            if not walk.add(
                Node(
                    kind="elasticache_replication_group",
                    id=gid,
                    name=gid,
                    state=item.get("Status"),
                    attrs=attrs,
                )
            ):
                return
            for m in members:
                _cluster(walk, m, _roles(item).get(m["CacheClusterId"]))
                walk.link(m["CacheClusterId"], gid, "member_of")
                # Its members' engine settings are the group's: one parameter group for all of them.
                group = (m.get("CacheParameterGroup") or {}).get("CacheParameterGroupName")
                if group and parameter_group_id(group) in walk.nodes:
                    walk.link(gid, parameter_group_id(group), "uses_parameters")
        else:
            _cluster(walk, item, None, warning="; ".join(found))
            if item.get("ReplicationGroupId"):
                # A member node reached by its own id: its group (the endpoint clients dial, the
                # failover unit, the shared settings) is part of the graph too.
                walk.want("elasticache", item["ReplicationGroupId"])


# A cache parameter group's node id in the resource graph: prefixed, as a group may share its name with
# a cache (a report names it without the prefix).
PARAMETER_GROUP = "parametergroup:"


def parameter_group_id(name: str) -> str:
    return f"{PARAMETER_GROUP}{name}"


def _cluster(walk: GraphWalk, c: dict[str, Any], role: str | None, warning: str = "") -> None:
    cid = c["CacheClusterId"]
    attrs = {
        "arn": str(c.get("ARN") or ""),
        "node_type": str(c.get("CacheNodeType")),
        "engine": f"{c.get('Engine')} {c.get('EngineVersion')}",
        "role": role or "",
        "warning": cut(warning),
    }
    node = Node(
        kind="elasticache_cluster",
        id=cid,
        name=cid,
        state=c.get("CacheClusterStatus"),
        az=c.get("PreferredAvailabilityZone"),
        attrs=attrs,
    )
    if not walk.add(node):
        return
    group = (c.get("CacheParameterGroup") or {}).get("CacheParameterGroupName")
    if group and walk.add(
        Node(
            kind="cache_parameter_group",
            id=parameter_group_id(group),
            name=group,
            attrs={"apply_status": str((c.get("CacheParameterGroup") or {}).get("ParameterApplyStatus"))},
        )
    ):
        walk.link(cid, parameter_group_id(group), "uses_parameters")
    for sg in c.get("SecurityGroups", []):
        walk.want("security_group", sg.get("SecurityGroupId"))
        walk.link(cid, sg.get("SecurityGroupId"), "secured_by")
