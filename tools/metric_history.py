"""Every series of one namespace over the incident window and days of history before it, as values.

The scans in `tools.metrics` summarise each series against a few hours of baseline. Judging a component
against its own normal behaviour (its usual spread, its levels at different traffic) needs the values
themselves over a longer stretch: this tool returns them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from tools.metrics import MAX_SERIES, _get_metric_data, _query, component_of
from tools.registry import ToolContext, tool
from tools.result import ToolOutput

MAX_HISTORY_HOURS = 14 * 24  # CloudWatch keeps 5-minute data for 63 days; two weeks show the weekly shape


class NamespaceHistoryInput(BaseModel):
    """Arguments of namespace_history."""

    namespace: str = Field(
        min_length=1, max_length=255, description="a CloudWatch namespace, e.g. MyApp/Checkout"
    )
    stat: str = Field(default="Average", description="statistic: Average, Sum, Maximum, p99, ...")
    start: AwareDatetime = Field(description="start of the incident window (ISO-8601 with zone)")
    end: AwareDatetime = Field(description="end of the incident window (ISO-8601 with zone)")
    history_hours: float = Field(
        default=48.0, gt=0, le=MAX_HISTORY_HOURS, description="hours of history read before `start`"
    )
    period_s: int = Field(default=300, description="datapoint period in seconds: 60 or a multiple of 60")

    @model_validator(mode="after")
    def _check(self) -> NamespaceHistoryInput:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        if self.period_s < 60 or self.period_s % 60:
            raise ValueError("period_s must be 60 or a multiple of 60")
        return self


class HistorySeries(BaseModel):
    component: str = Field(description="the component the series is about (its naming dimension)")
    metric: str
    dimensions: dict[str, str]
    timestamps: list[datetime]
    values: list[float]


class NamespaceHistory(ToolOutput):
    namespace: str
    stat: str
    start: datetime = Field(description="where the incident window begins; earlier points are history")
    period_s: int
    series: list[HistorySeries]
    listed: int

    def summary(self) -> str:
        history = sum(1 for s in self.series if s.timestamps and s.timestamps[0] < self.start)
        return (
            f"read {len(self.series)} of {self.listed} series in {self.namespace} ({self.stat}/{self.period_s}s); "
            f"{history} have history before {self.start:%Y-%m-%d %H:%M}"
        )

    def is_empty(self) -> bool:
        return not self.series


@tool
def namespace_history(ctx: ToolContext, args: NamespaceHistoryInput) -> NamespaceHistory:
    """Read every series of one CloudWatch namespace over the incident window and the history before
    it (days, not hours), so each component can be judged against its own normal behaviour. ListMetrics
    finds the series; GetMetricData reads up to 500 in one call and pages through the points.

    Args:
        namespace: the namespace, e.g. the one the alarm watches.
        stat: the statistic to read.
        start: start of the incident window.
        end: end of the incident window.
        history_hours: hours of history before start.
        period_s: period in seconds.
    """
    listed, more = ctx.aws.collect(
        "cloudwatch", "ListMetrics", "Metrics", max_items=MAX_SERIES, Namespace=args.namespace
    )
    queries: list[dict[str, Any]] = []
    meta: dict[str, tuple[str, dict[str, str]]] = {}
    for m in listed[:MAX_SERIES]:
        dims = {d["Name"]: d["Value"] for d in m.get("Dimensions", [])}
        qid = f"q{len(queries)}"
        queries.append(_query(qid, args.namespace, m["MetricName"], dims, args.stat, args.period_s))
        meta[qid] = (m["MetricName"], dims)
    data = (
        _get_metric_data(ctx, queries, args.start - timedelta(hours=args.history_hours), args.end)
        if queries
        else {}
    )
    series = []
    for qid, (metric, dims) in meta.items():
        ts, vs = data.get(qid, ([], []))
        if not vs:
            continue
        pairs = sorted(zip(ts, vs, strict=True))
        series.append(
            HistorySeries(
                component=component_of(dims),
                metric=metric,
                dimensions=dims,
                timestamps=[t for t, _ in pairs],
                values=[v for _, v in pairs],
            )
        )
    return NamespaceHistory(
        namespace=args.namespace,
        stat=args.stat,
        start=args.start,
        period_s=args.period_s,
        series=series,
        listed=len(listed),
        has_more=more or len(listed) > MAX_SERIES,
        total=len(series),
    )


MAX_LISTED = 2000  # metrics read from ListMetrics to find custom namespaces (pages of 500)


class CustomMetricsInput(BaseModel):
    """Arguments of custom_metrics."""

    recently_active: bool = Field(default=True, description="only metrics with data in the last 3 hours")


class CustomComponent(BaseModel):
    namespace: str
    component: str = Field(description="the component the metrics are about (their naming dimension)")
    dimensions: dict[str, str]
    metrics: list[str]


class CustomMetrics(ToolOutput):
    components: list[CustomComponent]

    def summary(self) -> str:
        spaces = sorted({c.namespace for c in self.components})
        return (
            f"{len(self.components)} components publish metrics in {len(spaces)} custom namespaces: "
            + ", ".join(spaces[:10])
        )

    def is_empty(self) -> bool:
        return not self.components


@tool
def custom_metrics(ctx: ToolContext, args: CustomMetricsInput) -> CustomMetrics:
    """List the components that publish metrics in custom (non-AWS) namespaces and which metrics each
    publishes, so a question about an application's own component can find its series.

    Args:
        recently_active: only metrics with recent data.
    """
    params = {"RecentlyActive": "PT3H"} if args.recently_active else {}
    listed, more = ctx.aws.collect("cloudwatch", "ListMetrics", "Metrics", max_items=MAX_LISTED, **params)
    found: dict[tuple[str, frozenset[tuple[str, str]]], CustomComponent] = {}
    for m in listed:
        namespace = m.get("Namespace") or ""
        if not namespace or namespace.startswith("AWS/"):
            continue
        dims = {d["Name"]: d["Value"] for d in m.get("Dimensions", [])}
        item = found.setdefault(
            (namespace, frozenset(dims.items())),
            CustomComponent(namespace=namespace, component=component_of(dims), dimensions=dims, metrics=[]),
        )
        if m["MetricName"] not in item.metrics:
            item.metrics.append(m["MetricName"])
    components = sorted(
        found.values(), key=lambda c: (c.namespace, c.component, sorted(c.dimensions.items()))
    )
    return CustomMetrics(components=components, has_more=more, total=len(components))
