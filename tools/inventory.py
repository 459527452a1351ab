"""Inventory tools: which resources emit telemetry in the account, and which log groups exist."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tools.metric_catalog import CATALOG
from tools.registry import ToolContext, tool
from tools.result import ToolOutput

MAX_RESOURCES = 300  # resources listed (context budget); the rest are counted
MAX_METRICS_READ = 5000  # ListMetrics rows read per namespace

_DIMENSION_KIND = {spec.dimension: kind for kind, spec in CATALOG.items()}


class MetricInventoryInput(BaseModel):
    """Arguments of metric_inventory."""

    namespaces: list[str] = Field(
        default_factory=lambda: sorted({m.namespace for spec in CATALOG.values() for m in spec.metrics}),
        description="CloudWatch namespaces to list (default: every namespace the key-metric catalog knows)",
    )
    recently_active: bool = Field(default=True, description="only metrics with data in the last 3 hours")


class InventoryItem(BaseModel):
    kind: str
    id: str
    extra: str | None = None
    namespaces: list[str]


class MetricInventory(ToolOutput):
    resources: list[InventoryItem]

    def summary(self) -> str:
        by_kind: dict[str, list[str]] = {}
        for r in self.resources:
            by_kind.setdefault(r.kind, []).append(r.id)
        parts = [
            f"{k} ({len(v)}): {', '.join(v[:8])}{' ...' if len(v) > 8 else ''}"
            for k, v in sorted(by_kind.items())
        ]
        return f"{len(self.resources)} resources emit metrics: " + "; ".join(parts)

    def is_empty(self) -> bool:
        return not self.resources


@tool
def metric_inventory(ctx: ToolContext, args: MetricInventoryInput) -> MetricInventory:
    """List the resources that emit CloudWatch metrics (instances, load balancers, target groups, Auto
    Scaling groups, databases, functions, tables, queues, ...) by reading ListMetrics, so an
    investigation knows what exists without describing the whole account.

    Args:
        namespaces: namespaces to list.
        recently_active: only metrics with recent data.
    """
    found: dict[tuple[str, str], InventoryItem] = {}
    more = False
    for namespace in args.namespaces:
        params = {"Namespace": namespace, **({"RecentlyActive": "PT3H"} if args.recently_active else {})}
        metrics, truncated = ctx.aws.collect(
            "cloudwatch", "ListMetrics", "Metrics", max_items=MAX_METRICS_READ, **params
        )
        more = more or truncated
        for m in metrics:
            dims = {d["Name"]: d["Value"] for d in m.get("Dimensions", [])}
            for name, value in dims.items():
                kind = _DIMENSION_KIND.get(name)
                if kind is None:
                    continue
                spec = CATALOG[kind]
                extra = dims.get(spec.extra_dimension) if spec.extra_dimension else None
                if spec.extra_dimension and extra is None:
                    continue
                item = found.setdefault(
                    (kind, value), InventoryItem(kind=kind, id=value, extra=extra, namespaces=[])
                )
                if namespace not in item.namespaces:
                    item.namespaces.append(namespace)
    items = sorted(found.values(), key=lambda i: (i.kind, i.id))
    return MetricInventory(
        resources=items[:MAX_RESOURCES], has_more=more or len(items) > MAX_RESOURCES, total=len(items)
    )


class ListLogGroupsInput(BaseModel):
    """Arguments of list_log_groups."""

    prefix: str | None = Field(default=None, description="only groups whose name starts with this")
    limit: int = Field(default=200, ge=1, le=1000, description="groups returned (context budget)")


class LogGroupList(ToolOutput):
    groups: list[str]

    def summary(self) -> str:
        return (
            f"{len(self.groups)} log groups: "
            + ", ".join(self.groups[:40])
            + (" ..." if len(self.groups) > 40 else "")
        )

    def is_empty(self) -> bool:
        return not self.groups


@tool
def list_log_groups(ctx: ToolContext, args: ListLogGroupsInput) -> LogGroupList:
    """List the account's CloudWatch log group names, optionally by prefix.

    Args:
        prefix: name prefix.
        limit: groups returned.
    """
    params = {"logGroupNamePrefix": args.prefix} if args.prefix else {}
    groups, more = ctx.aws.collect(
        "logs",
        "DescribeLogGroups",
        "logGroups",
        max_items=args.limit,
        in_token="nextToken",
        out_token="nextToken",
        **params,
    )
    return LogGroupList(groups=[g["logGroupName"] for g in groups], has_more=more, total=None)
