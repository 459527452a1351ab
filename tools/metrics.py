"""Metric tools: one series with a robust summary, and a batch scan of many resources' key metrics."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from tools.metric_catalog import CATALOG, ResourceKind
from tools.registry import ToolContext, tool
from tools.result import ToolOutput
from tools.series import SeriesSummary, summarize, with_zero_periods

MAX_QUERIES_PER_CALL = 500  # GetMetricData's own limit
MAX_POINTS_RETURNED = 180  # points handed back per series (context budget); summaries use them all
MAX_FINDINGS = 40  # key-metric rows returned, most anomalous first (context budget)


class _WindowArgs(BaseModel):
    start: AwareDatetime = Field(description="start of the incident window (ISO-8601 with zone)")
    end: AwareDatetime = Field(description="end of the incident window (ISO-8601 with zone)")
    baseline_hours: float = Field(
        default=3.0, gt=0, le=72, description="hours before `start` used as the normal baseline"
    )
    period_s: int = Field(default=60, description="datapoint period in seconds: 60 or a multiple of 60")

    @model_validator(mode="after")
    def _check(self) -> _WindowArgs:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        if self.period_s < 60 or self.period_s % 60:
            raise ValueError("period_s must be 60 or a multiple of 60")
        return self


class MetricSeriesInput(_WindowArgs):
    """Arguments of metric_series."""

    namespace: str = Field(description="CloudWatch namespace, e.g. AWS/ApplicationELB")
    metric: str = Field(description="metric name, e.g. TargetResponseTime")
    dimensions: dict[str, str] = Field(default_factory=dict, description="exact dimensions {name: value}")
    stat: str = Field(default="Average", description="Average, Sum, Minimum, Maximum, SampleCount or pNN")


class MetricSeries(ToolOutput):
    namespace: str
    metric: str
    dimensions: dict[str, str]
    stat: str
    period_s: int
    timestamps: list[datetime]
    values: list[float]
    summary_stats: SeriesSummary

    def summary(self) -> str:
        dims = ",".join(f"{k}={v}" for k, v in self.dimensions.items())
        return f"{self.namespace} {self.metric}[{dims}] {self.stat}/{self.period_s}s: {self.summary_stats.text()}"

    def is_empty(self) -> bool:
        return self.summary_stats.points == 0


def _query(
    qid: str, namespace: str, metric: str, dims: dict[str, str], stat: str, period: int
) -> dict[str, Any]:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            },
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def _get_metric_data(
    ctx: ToolContext, queries: list[dict[str, Any]], start: datetime, end: datetime
) -> dict[str, tuple[list[datetime], list[float]]]:
    """Run queries in as few GetMetricData calls as the limits allow; gather every page per id."""
    out: dict[str, tuple[list[datetime], list[float]]] = {q["Id"]: ([], []) for q in queries}
    for i in range(0, len(queries), MAX_QUERIES_PER_CALL):
        batch = queries[i : i + MAX_QUERIES_PER_CALL]
        token: str | None = None
        while True:
            page = ctx.aws.call(
                "cloudwatch",
                "GetMetricData",
                MetricDataQueries=batch,
                StartTime=start,
                EndTime=end,
                ScanBy="TimestampAscending",
                **({"NextToken": token} if token else {}),
            )
            for r in page.get("MetricDataResults", []):
                ts, vs = out[r["Id"]]
                ts.extend(r.get("Timestamps", []))
                vs.extend(r.get("Values", []))
            token = page.get("NextToken")
            if not token:
                break
    return out


def _agent_dimension_sets(
    ctx: ToolContext, resources: list[ResourceRef]
) -> dict[tuple[str, str, str], list[dict[str, str]]]:
    """(namespace, metric, resource id) -> the full dimension sets an agent namespace publishes for it."""
    wanted = {
        (km.namespace, km.metric)
        for ref in resources
        for km in CATALOG[ref.kind].metrics
        if not km.namespace.startswith("AWS/")
    }
    ids = {ref.id for ref in resources}
    out: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    # One listing per agent namespace (not per metric): its series are few next to AWS's.
    for namespace in sorted({ns for ns, _ in wanted}):
        listed, _ = ctx.aws.collect(
            "cloudwatch", "ListMetrics", "Metrics", max_items=2000, Namespace=namespace
        )
        for m in listed:
            if (namespace, m["MetricName"]) not in wanted:
                continue
            dims = {d["Name"]: d["Value"] for d in m.get("Dimensions", [])}
            for value in sorted(set(dims.values()) & ids):
                out.setdefault((namespace, m["MetricName"], value), []).append(dims)
    return out


def _thin(timestamps: list[datetime], values: list[float]) -> tuple[list[datetime], list[float]]:
    if len(values) <= MAX_POINTS_RETURNED:
        return timestamps, values
    step = -(-len(values) // MAX_POINTS_RETURNED)
    return timestamps[::step], values[::step]


@tool
def metric_series(ctx: ToolContext, args: MetricSeriesInput) -> MetricSeries:
    """Fetch one CloudWatch metric over the incident window plus a baseline before it, and summarise it:
    baseline median vs. window median, peak and when, direction and robust z-score, and the onset (first
    sustained excursion). Dimensions must match the metric's exactly.

    Args:
        namespace: CloudWatch namespace.
        metric: metric name.
        dimensions: exact dimensions.
        stat: statistic (Average, Sum, Minimum, Maximum, SampleCount, pNN).
        start: start of the incident window.
        end: end of the incident window.
        baseline_hours: hours before start used as baseline.
        period_s: period in seconds.
    """
    fetch_start = args.start - timedelta(hours=args.baseline_hours)
    q = _query("m0", args.namespace, args.metric, args.dimensions, args.stat, args.period_s)
    ts, vs = _get_metric_data(ctx, [q], fetch_start, args.end)["m0"]
    pairs = sorted(zip(ts, vs, strict=True))
    ts, vs = [t for t, _ in pairs], [v for _, v in pairs]
    if args.stat in ("Sum", "SampleCount"):
        judged = zero_filled_counts(ts, vs, fetch_start, args.start, args.end, args.period_s)
        stats = summarize(*judged, args.start)
    else:
        stats = summarize(ts, vs, args.start)
    thin_t, thin_v = _thin(ts, vs)
    return MetricSeries(
        namespace=args.namespace,
        metric=args.metric,
        dimensions=args.dimensions,
        stat=args.stat,
        period_s=args.period_s,
        timestamps=thin_t,
        values=thin_v,
        summary_stats=stats,
        has_more=len(thin_v) < len(vs),
        total=len(vs),
    )


class ResourceRef(BaseModel):
    kind: ResourceKind = Field(description="what the resource is")
    id: str = Field(
        description="the value of the kind's CloudWatch dimension: instance id, 'app/name/id' for a load "
        "balancer, 'targetgroup/name/id' for a target group, function name, table name, ..."
    )
    extra: str | None = Field(
        default=None,
        description="second dimension where the kind needs one: a target group's LoadBalancer, an ECS "
        "service's ClusterName",
    )


class KeyMetricsInput(_WindowArgs):
    """Arguments of key_metrics."""

    resources: list[ResourceRef] = Field(min_length=1, max_length=100, description="resources to scan")
    limit: int = Field(default=25, ge=1, le=MAX_FINDINGS, description="rows returned, most anomalous first")


class MetricFinding(BaseModel):
    resource: str
    kind: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    stat: str
    stats: SeriesSummary

    def line(self) -> str:
        return f"{self.kind} {self.resource} {self.metric} {self.stat}: {self.stats.text()}"


class KeyMetrics(ToolOutput):
    findings: list[MetricFinding]
    scanned: int
    without_data: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        moving = [f for f in self.findings if f.stats.direction in ("up", "down")]
        head = f"scanned {self.scanned} metrics; {len(moving)} moved away from baseline"
        rows = "; ".join(f.line() for f in moving[:12])
        gaps = f"; no data for {len(self.without_data)} metrics" if self.without_data else ""
        return head + (f": {rows}" if rows else "") + gaps

    def is_empty(self) -> bool:
        return not self.findings


@tool
def key_metrics(ctx: ToolContext, args: KeyMetricsInput) -> KeyMetrics:
    """Scan the key CloudWatch metrics of many resources at once (ALB, target group, EC2, ASG, RDS/Aurora,
    Lambda, ECS, DynamoDB, EBS, NAT gateway, API Gateway, SQS) and rank them by how far the incident
    window departs from the baseline before it. Uses as few GetMetricData calls as possible.

    Args:
        resources: the resources to scan, each a kind and its dimension value.
        start: start of the incident window.
        end: end of the incident window.
        baseline_hours: hours before start used as baseline.
        period_s: period in seconds.
        limit: how many rows to return.
    """
    queries: list[dict[str, Any]] = []
    meta: dict[str, MetricFinding] = {}
    agent_dims = _agent_dimension_sets(ctx, args.resources)
    for ref in args.resources:
        spec = CATALOG[ref.kind]
        dims = {spec.dimension: ref.id}
        if spec.extra_dimension and ref.extra:
            dims[spec.extra_dimension] = ref.extra
        for km in spec.metrics:
            # Agent namespaces (CWAgent) publish with extra dimensions (path, device, ImageId...):
            # query every dimension set that names this resource, as ListMetrics reports them.
            sets = (
                agent_dims.get((km.namespace, km.metric, ref.id), [dims])
                if not km.namespace.startswith("AWS/")
                else [dims]
            )
            for use in sets:
                qid = f"q{len(queries)}"
                queries.append(_query(qid, km.namespace, km.metric, use, km.stat, args.period_s))
                meta[qid] = MetricFinding(
                    resource=ref.id,
                    kind=ref.kind,
                    namespace=km.namespace,
                    metric=km.metric,
                    dimensions=use,
                    stat=km.stat,
                    stats=summarize([], [], args.start),
                )
    findings, missing = _read_findings(ctx, queries, meta, args)
    seen = {f.resource for f in findings}
    blind = [ref for ref in args.resources if ref.id not in seen and CATALOG[ref.kind].part_dimension]
    blind = blind[:MAX_BLIND]
    if blind:
        more_q, more_meta = _per_part_queries(ctx, blind, args.period_s, args.start)
        if more_q:
            extra, _ = _read_findings(ctx, more_q, more_meta, args)
            findings = sorted([*findings, *extra], key=_rank, reverse=True)
            found = {(f.resource, f.metric) for f in extra}
            missing = [m for m in missing if tuple(m.split(" ", 1)) not in found]
        scanned = len(queries) + len(more_q)
    else:
        scanned = len(queries)
    return KeyMetrics(
        findings=findings[: args.limit],
        scanned=scanned,
        without_data=missing,
        has_more=len(findings) > args.limit,
        total=len(findings),
    )


MAX_BLIND = 20  # resources whose key metrics are looked up per part (one ListMetrics call each)
MAX_PARTS = 3  # dimension sets (nodes, stages) read per metric of one resource


def _per_part_queries(
    ctx: ToolContext, refs: list[ResourceRef], period: int, start: datetime
) -> tuple[list[dict[str, Any]], dict[str, MetricFinding]]:
    """Some services publish a resource's metrics only per part (an ElastiCache cluster's metrics per
    node, with CacheNodeId): for a resource whose own dimension returned nothing, read the dimension
    sets ListMetrics reports for it instead."""
    queries: list[dict[str, Any]] = []
    meta: dict[str, MetricFinding] = {}
    for ref in refs:
        spec = CATALOG[ref.kind]
        wanted = {
            (km.namespace, km.metric): km.stat for km in spec.metrics if km.namespace.startswith("AWS/")
        }
        for namespace in sorted({ns for ns, _ in wanted}):
            listed, _ = ctx.aws.collect(
                "cloudwatch",
                "ListMetrics",
                "Metrics",
                max_items=500,
                Namespace=namespace,
                Dimensions=[{"Name": spec.dimension, "Value": ref.id}],
            )
            parts: dict[str, list[dict[str, str]]] = {}
            for m in listed:
                dims = {d["Name"]: d["Value"] for d in m.get("Dimensions", [])}
                if (namespace, m["MetricName"]) in wanted and spec.part_dimension in dims:
                    parts.setdefault(m["MetricName"], []).append(dims)
            for metric, sets in sorted(parts.items()):
                stat = wanted[(namespace, metric)]
                for use in sorted(sets, key=lambda d: sorted(d.items()))[:MAX_PARTS]:
                    qid = f"p{len(queries)}"
                    queries.append(_query(qid, namespace, metric, use, stat, period))
                    meta[qid] = MetricFinding(
                        resource=ref.id,
                        kind=ref.kind,
                        namespace=namespace,
                        metric=metric,
                        dimensions=use,
                        stat=stat,
                        stats=summarize([], [], start),
                    )
    return queries, meta


def _read_findings(
    ctx: ToolContext, queries: list[dict[str, Any]], meta: dict[str, MetricFinding], args: _WindowArgs
) -> tuple[list[MetricFinding], list[str]]:
    """Read the queries over baseline and window, summarise each series; most-moved first, and the
    series that returned no data."""
    data = _get_metric_data(ctx, queries, args.start - timedelta(hours=args.baseline_hours), args.end)
    findings: list[MetricFinding] = []
    missing: list[str] = []
    for qid, finding in meta.items():
        ts, vs = data[qid]
        if not vs:
            missing.append(f"{finding.resource} {finding.metric}")
            continue
        if finding.stat in ("Sum", "SampleCount"):
            ts, vs = zero_filled_counts(
                ts, vs, args.start - timedelta(hours=args.baseline_hours), args.start, args.end, args.period_s
            )
        finding.stats = summarize(ts, vs, args.start)
        findings.append(finding)
    findings.sort(key=_rank, reverse=True)
    return findings, missing


# CloudWatch publishes a period's datapoint a few minutes late: periods this recent are not read as zero.
PUBLISH_LAG = timedelta(minutes=3)


def zero_filled_counts(
    timestamps: list[datetime],
    values: list[float],
    start: datetime,
    window_start: datetime,
    end: datetime,
    period_s: int,
) -> tuple[list[datetime], list[float]]:
    """A count with the periods CloudWatch left out read as zero: AWS publishes many counts
    (invocations, requests, errors) only when something happened, so a function that ran twice in the
    baseline hours ran zero times in the others, and one that stopped being invoked shows as zero, not
    as nothing. Periods later than `end` less the publishing lag are left out. Left alone when the
    baseline has no point at all (a series that appeared in the window is judged as such)."""
    baseline = [t for t in timestamps if t < window_start]
    if not baseline:
        return timestamps, values
    step = timedelta(seconds=period_s)
    first = min(baseline)
    aligned = first - step * int((first - start) / step)
    return with_zero_periods(timestamps, values, aligned, end - PUBLISH_LAG, step)


def _rank(f: MetricFinding) -> float:
    """How far a series left its baseline, for ranking findings most-moved first."""
    s = f.stats
    if s.drained and "balance" in f.metric.lower():
        return 50.0  # a credit or burst balance that ran out matters whatever its trend
    if s.baseline_points == 0 and s.points >= 3 and (s.peak or 0) > 0 and f.stat in ("Sum", "SampleCount"):
        # A count AWS publishes only when it happens (throttles, errors) appeared. A gauge with no
        # baseline (an instance launched in the window) says nothing yet: it ranks last.
        return 30.0
    excursion = 0.0
    if s.baseline_median is not None and s.baseline_spread and s.peak is not None and s.low is not None:
        excursion = max(s.peak - s.baseline_median, s.baseline_median - s.low) / s.baseline_spread
    return max(abs(s.score), excursion if s.direction in ("up", "down") else 0.0)


# --- a whole namespace (custom metrics) -----------------------------------------------------------

MAX_SERIES = 500  # series read by one namespace scan (one GetMetricData call's worth)
# Dimension names that name the component a metric is about, most telling first: an application's
# own names, then the resource dimension of AWS namespaces outside the key-metric catalog.
NAME_DIMENSIONS = (
    "Service",
    "ServiceName",
    "service",
    "Component",
    "component",
    "Name",
    "FunctionName",
    "WebACL",
    "FileSystemId",
    "ApiName",
    "ApiId",
    "DistributionId",
    "StateMachineArn",
    "StreamName",
    "DeliveryStreamName",
    "TopicName",
    "DomainName",
    "LoadBalancer",
    "EventBusName",
    "RuleName",
    "UserPoolId",
    "VPC Endpoint Id",
    "TransitGateway",
)

# The statistic whose excursions mean something, by what a metric's name says it measures: counts
# are summed, balances and free space watched at their low, levels and ages at their high, times at
# their tail.
_AUTO_STATS: list[tuple[tuple[str, ...], str]] = [
    (("balance", "credit", "free", "available"), "Minimum"),
    (("latency", "duration", "time"), "p99"),
    (("percent", "utilization", "age", "lag", "depth", "connections", "backlog", "rate"), "Maximum"),
    (
        (
            "count", "requests", "error", "fault", "blocked", "throttl", "reject", "drop", "fail",
            "bounce", "complaint", "invocation", "send", "deliver", "bytes", "records", "executions",
            "messages", "4xx", "5xx",
        ),
        "Sum",
    ),
]  # fmt: skip


def auto_stat(metric: str) -> str:
    """The statistic to read a metric with when a scan covers metrics of many kinds (`stat="auto"`),
    judged by the words of its name ("NumberOfMessagesPublished" is a count, not an age)."""
    words = [w.lower() for w in re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+[A-Za-z]*", metric)]
    for fragments, stat in _AUTO_STATS:
        if any(w.startswith(f) for w in words for f in fragments):
            return stat
    return "Average"


class NamespaceMetricsInput(_WindowArgs):
    """Arguments of namespace_metrics."""

    namespace: str = Field(
        min_length=1, max_length=255, description="a CloudWatch namespace, e.g. MyApp/Checkout"
    )
    metrics: list[str] = Field(
        default_factory=list, max_length=20, description="only these metric names; empty: every metric"
    )
    stat: str = Field(
        default="Average",
        description="statistic: Average, Sum, Maximum, p99, ...; 'auto' picks each metric's own "
        "(Sum of counts, Minimum of balances, p99 of latencies, Maximum of levels)",
    )
    limit: int = Field(default=25, ge=1, le=MAX_FINDINGS, description="rows returned, most anomalous first")


class NamespaceMetrics(ToolOutput):
    namespace: str
    findings: list[MetricFinding]
    scanned: int
    listed: int = Field(description="series ListMetrics returned for the namespace (and metric names)")
    without_data: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        moving = [f for f in self.findings if f.stats.direction in ("up", "down")]
        head = f"scanned {self.scanned} of {self.listed} series in {self.namespace}; {len(moving)} moved away from baseline"
        rows = "; ".join(f.line() for f in moving[:12])
        return head + (f": {rows}" if rows else "")

    def is_empty(self) -> bool:
        return not self.findings


def component_of(dims: dict[str, str]) -> str:
    """The component a custom metric is about: its naming dimension, else all dimension values."""
    for name in NAME_DIMENSIONS:
        if dims.get(name):
            return dims[name]
    return ",".join(v for _, v in sorted(dims.items())) or "(no dimensions)"


@tool
def namespace_metrics(ctx: ToolContext, args: NamespaceMetricsInput) -> NamespaceMetrics:
    """Scan every series of one CloudWatch namespace (an application's custom metrics, which the
    per-service key metrics do not cover) and rank them by how far the window departs from the
    baseline: which components' latency, errors or traffic moved, and when. ListMetrics finds the
    series; GetMetricData reads up to 500 of them in one call.

    Args:
        namespace: the namespace, e.g. the one the alarm watches.
        metrics: only these metric names; empty for all.
        stat: the statistic to read.
        start: start of the incident window.
        end: end of the incident window.
        baseline_hours: hours before start used as baseline.
        period_s: period in seconds (the alarm's period for coarse custom metrics).
        limit: how many rows to return.
    """
    listed: list[dict[str, Any]] = []
    names: list[str | None] = list(args.metrics) or [None]
    for name in names:
        params: dict[str, Any] = {"Namespace": args.namespace}
        if name:
            params["MetricName"] = name
        found, _ = ctx.aws.collect("cloudwatch", "ListMetrics", "Metrics", max_items=MAX_SERIES, **params)
        listed += found
    queries: list[dict[str, Any]] = []
    meta: dict[str, MetricFinding] = {}
    for m in listed[:MAX_SERIES]:
        dims = {d["Name"]: d["Value"] for d in m.get("Dimensions", [])}
        stat = auto_stat(m["MetricName"]) if args.stat == "auto" else args.stat
        qid = f"q{len(queries)}"
        queries.append(_query(qid, args.namespace, m["MetricName"], dims, stat, args.period_s))
        meta[qid] = MetricFinding(
            resource=component_of(dims),
            kind="custom",
            namespace=args.namespace,
            metric=m["MetricName"],
            dimensions=dims,
            stat=stat,
            stats=summarize([], [], args.start),
        )
    findings, missing = _read_findings(ctx, queries, meta, args) if queries else ([], [])
    return NamespaceMetrics(
        namespace=args.namespace,
        findings=findings[: args.limit],
        scanned=len(queries),
        listed=len(listed),
        without_data=missing,
        has_more=len(findings) > args.limit or len(listed) > MAX_SERIES,
        total=len(findings),
    )
