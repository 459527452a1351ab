"""Metrics as one-minute statistic sets, so Average, Sum, Minimum, Maximum and SampleCount replay exactly.

A statistic set does not pin down the values inside a minute, so percentiles (p99 and friends) and
other extended statistics are lost: replay has none for captured data. GetMetricData does not report
units either; a unit comes from the alarm that watches the metric, else from AWS's documentation of the
catalog's metrics (UNITS below), else it is "None".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evals.capture.reader import Reader
from tools.metric_catalog import CATALOG

SOURCE = "metrics"
PERIOD = 60
STATS = ("SampleCount", "Sum", "Minimum", "Maximum")
MAX_QUERIES = 500  # GetMetricData's limit per call
MAX_SERIES = 1000  # metrics captured (4 queries each)

UNITS: dict[tuple[str, str], str] = {
    **{("AWS/EC2", m): "Percent" for m in ("CPUUtilization",)},
    **{
        ("AWS/EC2", m): "Count"
        for m in (
            "StatusCheckFailed",
            "StatusCheckFailed_System",
            "StatusCheckFailed_AttachedEBS",
            "CPUCreditBalance",
            "CPUSurplusCreditsCharged",
        )
    },
    **{("AWS/EC2", m): "Bytes" for m in ("NetworkIn", "NetworkOut")},
    **{("AWS/EC2", m): "Percent" for m in ("EBSIOBalance%", "EBSByteBalance%")},
    **{
        ("AWS/ApplicationELB", m): "Count"
        for m in (
            "RequestCount",
            "HTTPCode_Target_5XX_Count",
            "HTTPCode_ELB_5XX_Count",
            "HTTPCode_Target_4XX_Count",
            "RejectedConnectionCount",
            "TargetConnectionErrorCount",
            "UnHealthyHostCount",
            "HealthyHostCount",
        )
    },
    ("AWS/ApplicationELB", "TargetResponseTime"): "Seconds",
    **{("AWS/RDS", m): "Percent" for m in ("CPUUtilization", "BurstBalance")},
    **{
        ("AWS/RDS", m): "Count"
        for m in ("DatabaseConnections", "DiskQueueDepth", "AbortedClients", "CPUCreditBalance")
    },
    **{("AWS/RDS", m): "Bytes" for m in ("FreeableMemory", "FreeStorageSpace")},
    **{("AWS/RDS", m): "Seconds" for m in ("ReadLatency", "WriteLatency")},
    **{("AWS/RDS", m): "Milliseconds" for m in ("AuroraReplicaLagMaximum", "CommitLatency", "SelectLatency")},
    ("AWS/RDS", "Deadlocks"): "Count/Second",
    **{("AWS/Lambda", m): "Count" for m in ("Invocations", "Errors", "Throttles", "ConcurrentExecutions")},
    ("AWS/Lambda", "Duration"): "Milliseconds",
    **{("AWS/ECS", m): "Percent" for m in ("CPUUtilization", "MemoryUtilization")},
    **{
        ("AWS/DynamoDB", m): "Count"
        for m in (
            "ConsumedReadCapacityUnits",
            "ConsumedWriteCapacityUnits",
            "ReadThrottleEvents",
            "WriteThrottleEvents",
        )
    },
    **{("AWS/EBS", m): "Count" for m in ("VolumeQueueLength", "VolumeReadOps", "VolumeWriteOps")},
    **{("AWS/EBS", m): "Percent" for m in ("BurstBalance", "VolumeThroughputPercentage")},
}

Series = tuple[str, str, tuple[tuple[str, str], ...]]


def catalog_series(refs: set[tuple[str, str, str | None]]) -> list[Series]:
    """The key metrics (tools/metric_catalog.py) of discovered resources, as exact dimension sets."""
    out: list[Series] = []
    for kind, rid, extra in sorted(refs, key=lambda r: (r[0], r[1], r[2] or "")):
        spec = CATALOG[kind]
        dims = {spec.dimension: rid}
        if spec.extra_dimension and extra:
            dims[spec.extra_dimension] = extra
        for km in spec.metrics:
            out.append((km.namespace, km.metric, tuple(sorted(dims.items()))))
    return out


def capture_metrics(
    reader: Reader, series: list[Series], units: dict[Series, str], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Datapoints of every series at 60 s over [start, end), as PutMetricData statistic sets."""
    # CloudWatch aligns one-minute periods to whole minutes; so must the request, or buckets shift. A
    # minute still in progress at `end` is left out: its statistics would change after the capture.
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    if start >= end:
        return []
    unique = list(dict.fromkeys(series))
    if len(unique) > MAX_SERIES:
        reader.report.cut(SOURCE, "metrics beyond the cap were not captured", MAX_SERIES, len(unique))
        unique = unique[:MAX_SERIES]
    queries: list[dict[str, Any]] = []
    for n, (namespace, metric, dims) in enumerate(unique):
        for stat in STATS:
            queries.append(
                {
                    "Id": f"s{n}_{stat.lower()}",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": namespace,
                            "MetricName": metric,
                            "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                        },
                        "Period": PERIOD,
                        "Stat": stat,
                    },
                    "ReturnData": True,
                }
            )
    values: dict[str, dict[datetime, float]] = {q["Id"]: {} for q in queries}
    for i in range(0, len(queries), MAX_QUERIES):
        batch = queries[i : i + MAX_QUERIES]
        reader.progress(f"metrics: {i // 4 + len(batch) // 4} of {len(unique)} series")
        token: str | None = None
        while True:
            page = reader.call(
                SOURCE,
                "cloudwatch",
                "GetMetricData",
                MetricDataQueries=batch,
                StartTime=start,
                EndTime=end,
                ScanBy="TimestampAscending",
                **({"NextToken": token} if token else {}),
            )
            if page is None:
                break
            for result in page.get("MetricDataResults", []):
                values[result["Id"]].update(
                    zip(result.get("Timestamps", []), result.get("Values", []), strict=True)
                )
            token = page.get("NextToken")
            if not token:
                break
    records: list[dict[str, Any]] = []
    for n, key in enumerate(unique):
        namespace, metric, dims = key
        per_stat = [values[f"s{n}_{stat.lower()}"] for stat in STATS]
        for ts in sorted(per_stat[0]):
            count, total, low, high = (s.get(ts) for s in per_stat)
            if not count or total is None or low is None or high is None:
                continue  # a period without samples has no statistic set
            records.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dict(dims),
                    "timestamp": ts,
                    "unit": units.get(key) or UNITS.get((namespace, metric), "None"),
                    "statistic_values": {"SampleCount": count, "Sum": total, "Minimum": low, "Maximum": high},
                }
            )
    return records
