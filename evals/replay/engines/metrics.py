"""The bundle's metric datapoints as a DuckDB table, and CloudWatch's period bucketing over them.

Every datum is stored with its pre-aggregated statistic set (SampleCount, Sum, Minimum, Maximum), so
Average/Sum/... over any period is one GROUP BY, plus the value distribution (values and counts) where
the datum has one, for percentiles.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evals.replay.context import ReplayContext

TABLE = "metric_data"
SIMPLE_STATS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
PERCENTILE = re.compile(r"p(\d{1,3}(?:\.\d+)?)")
# AWS's other extended statistics (trimmed mean, winsorized mean, ...); replay computes only pNN.
OTHER_EXTENDED = re.compile(r"iqm|(?:tm|wm|tc|ts|pr)[\d(].*", re.IGNORECASE)
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 20, 30)

_SEP_PAIR = "\x1f"
_SEP_DIM = "\x1e"


def dim_key(dimensions: Mapping[str, str]) -> str:
    """The canonical key of a dimension set; the SQL in `metric_table` builds the same string."""
    return _SEP_DIM.join(sorted(f"{k}{_SEP_PAIR}{v}" for k, v in dimensions.items()))


def metric_table(ctx: ReplayContext) -> str:
    """Create (once) and name the table of datapoints visible at `ctx.now`.

    Columns: namespace, metric, dims (MAP), dkey (see `dim_key`), ts (epoch ms), unit, n, s, mn, mx
    (the datum's statistic set) and vals/cnts, its value distribution, NULL for a statistic set
    that does not pin down its values (AWS then has no percentiles for it).
    """

    def build() -> str:
        cur = ctx.cursor()
        path = ctx.bundle.file_for("metrics")
        now_ms = int(ctx.now.timestamp() * 1000)
        if path is None:
            cur.execute(
                f"CREATE TABLE {TABLE} (namespace VARCHAR, metric VARCHAR, dims MAP(VARCHAR, VARCHAR), "
                "dkey VARCHAR, ts BIGINT, unit VARCHAR, n DOUBLE, s DOUBLE, mn DOUBLE, mx DOUBLE, "
                "vals DOUBLE[], cnts DOUBLE[])"
            )
            return TABLE
        cur.execute(
            f"""
            CREATE TABLE {TABLE} AS
            WITH raw AS (
                SELECT namespace, metric, coalesce(dimensions, MAP {{}}) AS dims,
                       CASE WHEN regexp_full_match("timestamp", '[0-9]+([.][0-9]*)?')
                            -- epoch numbers, read as pydantic reads them: above 2e10 they are milliseconds
                            THEN CAST(CASE WHEN "timestamp"::DOUBLE > 2e10 THEN "timestamp"::DOUBLE
                                           ELSE "timestamp"::DOUBLE * 1000 END AS BIGINT)
                            ELSE epoch_ms("timestamp"::TIMESTAMPTZ) END AS ts, coalesce(unit, 'None') AS unit,
                       value, "values" AS vs,
                       coalesce(counts, list_transform("values", lambda v: 1.0)) AS cs,
                       statistic_values AS sv
                FROM read_json(?, format = 'newline_delimited',
                    columns = {{namespace: 'VARCHAR', metric: 'VARCHAR',
                               dimensions: 'MAP(VARCHAR, VARCHAR)', "timestamp": 'VARCHAR',
                               unit: 'VARCHAR', value: 'DOUBLE', "values": 'DOUBLE[]',
                               counts: 'DOUBLE[]',
                               statistic_values: 'STRUCT(SampleCount DOUBLE, "Sum" DOUBLE,
                                                         Minimum DOUBLE, Maximum DOUBLE)'}})
            )
            SELECT namespace, metric, dims,
                   array_to_string(list_sort(list_transform(map_entries(dims),
                       lambda e: e.key || chr(31) || e.value)), chr(30)) AS dkey,
                   ts, unit,
                   CASE WHEN value IS NOT NULL THEN 1.0
                        WHEN vs IS NOT NULL THEN list_sum(cs) ELSE sv.SampleCount END AS n,
                   CASE WHEN value IS NOT NULL THEN value
                        WHEN vs IS NOT NULL THEN list_dot_product(vs, cs) ELSE sv."Sum" END AS s,
                   CASE WHEN value IS NOT NULL THEN value
                        WHEN vs IS NOT NULL THEN list_min(vs) ELSE sv.Minimum END AS mn,
                   CASE WHEN value IS NOT NULL THEN value
                        WHEN vs IS NOT NULL THEN list_max(vs) ELSE sv.Maximum END AS mx,
                   CASE WHEN value IS NOT NULL THEN [value]
                        WHEN vs IS NOT NULL THEN vs
                        WHEN sv.SampleCount = 1 OR sv.Minimum = sv.Maximum THEN [sv.Minimum]
                   END AS vals,
                   CASE WHEN value IS NOT NULL THEN [1.0]
                        WHEN vs IS NOT NULL THEN cs
                        WHEN sv.SampleCount = 1 OR sv.Minimum = sv.Maximum THEN [sv.SampleCount]
                   END AS cnts
            FROM raw
            WHERE ts <= ?
            ORDER BY namespace, metric, dkey, ts
            """,
            [str(path), now_ms],
        )
        return TABLE

    return ctx.cached("table:metric_data", build)


# --- the metric catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricInfo:
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    last_ms: int


def catalogue(ctx: ReplayContext) -> list[MetricInfo]:
    """Every metric (namespace, name, dimension set) with its latest visible datapoint, sorted."""

    def build() -> list[MetricInfo]:
        table = metric_table(ctx)
        rows = (
            ctx.cursor()
            .execute(
                f"SELECT namespace, metric, any_value(dims), max(ts) FROM {table} "
                "GROUP BY namespace, metric, dkey ORDER BY namespace, metric, dkey"
            )
            .fetchall()
        )
        return [
            MetricInfo(ns, name, tuple(sorted(dict(dims).items())), int(last))
            for ns, name, dims, last in rows
        ]

    return ctx.cached("metric-catalogue", build)


# --- time alignment -------------------------------------------------------------------------------


def valid_period(period: int) -> bool:
    """1, 5, 10, 20, 30, 60 or any multiple of 60 seconds, as CloudWatch accepts."""
    return period in HIGH_RESOLUTION_PERIODS or (period > 0 and period % 60 == 0)


def aligned_start(start: datetime, now: datetime, period: int) -> int:
    """StartTime in epoch seconds, rounded down as CloudWatch documents for GetMetricData/Statistics.

    Less than 15 days before now: to the minute (to the period for 1/5/10/20/30-second periods);
    15 to 63 days: to 5 minutes; older: to the hour.
    """
    age = now - start
    if age > timedelta(days=63):
        step = 3600
    elif age > timedelta(days=15):
        step = 300
    else:
        step = period if period < 60 else 60
    seconds = math.floor(start.timestamp())
    return seconds - seconds % step


def period_retained(start: datetime, now: datetime, period: int) -> bool:
    """Whether data at this period still exists for a start this old (CloudWatch's retention tiers).

    AWS returns no datapoints when, e.g., a 1-minute period is asked for data older than 15 days.
    """
    age = now - start
    if age > timedelta(days=63):
        return period % 3600 == 0
    if age > timedelta(days=15):
        return period % 300 == 0
    if age > timedelta(hours=3):
        return period % 60 == 0
    return True


def bucket_count(start_s: int, end: datetime, period: int) -> int:
    """How many period buckets [start, end) spans (the last one may be partial)."""
    span = end.timestamp() - start_s
    return max(0, math.ceil(span / period))


# --- aggregation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One period's aggregate. `dist` is (values, counts), or None when percentiles are unknowable."""

    ts: int  # bucket start, epoch seconds
    unit: str | None
    n: float
    s: float
    mn: float
    mx: float
    dist: tuple[list[float], list[float]] | None


def _aggregates(start_s: int, period: int, with_dist: bool) -> tuple[list[str], list[Any]]:
    """The SELECT terms of a period bucket (its start in epoch seconds, then the statistic set and, with
    `with_dist`, the value distribution) and the arguments they take."""
    start_ms, period_ms = start_s * 1000, period * 1000
    terms = ["(? + ((ts - ?) // ?) * ?) // 1000 AS b", "sum(n)", "sum(s)", "min(mn)", "max(mx)"]
    if with_dist:
        terms += ["bool_and(vals IS NOT NULL)", "flatten(list(vals))", "flatten(list(cnts))"]
    return terms, [start_ms, start_ms, period_ms, period_ms]


def buckets(
    ctx: ReplayContext,
    *,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, str],
    start_s: int,
    end: datetime,
    period: int,
    unit: str | None = None,
    by_unit: bool = False,
    with_dist: bool = False,
) -> list[Bucket]:
    """Aggregate one metric's datapoints into period buckets starting at `start_s`, oldest first.

    Data in [start_s, end) counts; dimensions must match exactly, as in CloudWatch. `by_unit` keeps
    datapoints published with different units apart (GetMetricStatistics answers one datapoint per unit).
    """
    table = metric_table(ctx)
    end_ms = int(end.timestamp() * 1000)
    start_ms = start_s * 1000
    aggregates, args = _aggregates(start_s, period, with_dist)
    select = [aggregates[0], "unit" if by_unit else "NULL", *aggregates[1:]]
    where = "namespace = ? AND metric = ? AND dkey = ? AND ts >= ? AND ts < ?"
    args += [namespace, metric, dim_key(dimensions), start_ms, end_ms]
    if unit is not None:
        where += " AND unit = ?"
        args.append(unit)
    group = "b, unit" if by_unit else "b"
    sql = f"SELECT {', '.join(select)} FROM {table} WHERE {where} GROUP BY {group} ORDER BY {group}"
    out = []
    for row in ctx.cursor().execute(sql, args).fetchall():
        dist = None
        if with_dist and row[6]:
            dist = (list(row[7]), list(row[8]))
        out.append(Bucket(int(row[0]), row[1], row[2], row[3], row[4], row[5], dist))
    return out


MetricKey = tuple[str, str, str]  # namespace, metric, dkey (see `dim_key`)


def buckets_many(
    ctx: ReplayContext,
    keys: Iterable[MetricKey],
    *,
    start_s: int,
    end: datetime,
    period: int,
    unit: str | None = None,
    with_dist: bool = False,
) -> dict[MetricKey, list[Bucket]]:
    """`buckets` for several metrics over the same range, period and unit in one query (a
    GetMetricData request names tens of metrics); each metric's buckets as `buckets` gives them."""
    wanted = sorted(set(keys))
    found: dict[MetricKey, list[Bucket]] = {key: [] for key in wanted}
    if not wanted:
        return found
    table = metric_table(ctx)
    start_ms = start_s * 1000
    aggregates, args = _aggregates(start_s, period, with_dist)
    select = ["namespace", "metric", "dkey", *aggregates]
    where = "ts >= ? AND ts < ? AND namespace || chr(0) || metric || chr(0) || dkey IN (SELECT unnest(?::VARCHAR[]))"
    args += [start_ms, int(end.timestamp() * 1000), ["\0".join(key) for key in wanted]]
    if unit is not None:
        where += " AND unit = ?"
        args.append(unit)
    sql = (
        f"SELECT {', '.join(select)} FROM {table} WHERE {where} "
        "GROUP BY namespace, metric, dkey, b ORDER BY namespace, metric, dkey, b"
    )
    for row in ctx.cursor().execute(sql, args).fetchall():
        dist = None
        if with_dist and row[8]:
            dist = (list(row[9]), list(row[10]))
        found[(row[0], row[1], row[2])].append(
            Bucket(int(row[3]), None, row[4], row[5], row[6], row[7], dist)
        )
    return found


def statistic(bucket: Bucket, stat: str) -> float | None:
    """The value of `stat` (a simple statistic or pNN[.N]) for a bucket; None where AWS has none."""
    if stat == "SampleCount":
        return bucket.n
    if stat == "Sum":
        return bucket.s
    if stat == "Average":
        return bucket.s / bucket.n
    if stat == "Minimum":
        return bucket.mn
    if stat == "Maximum":
        return bucket.mx
    match = PERCENTILE.fullmatch(stat)
    if match is None:
        raise ValueError(stat)
    if bucket.dist is None:
        return None
    return percentile(bucket.dist[0], bucket.dist[1], float(match.group(1)))


def percentile(values: Iterable[float], counts: Iterable[float], p: float) -> float | None:
    """Nearest-rank percentile of a weighted sample: the smallest value with cumulative share >= p%.

    CloudWatch has no percentiles for data with negative values, hence None there.
    """
    pairs = sorted((v, c) for v, c in zip(values, counts, strict=True) if c > 0)
    if not pairs or pairs[0][0] < 0:
        return None
    total = sum(c for _, c in pairs)
    target = total * p / 100.0
    seen = 0.0
    for value, count in pairs:
        seen += count
        if seen >= target and seen > 0:
            return value
    return pairs[-1][0]


def parse_stat(stat: str) -> str | None:
    """The canonical statistic name for a Stat string, or None if it is not one CloudWatch knows."""
    if stat in SIMPLE_STATS:
        return stat
    match = PERCENTILE.fullmatch(stat)
    if match and float(match.group(1)) <= 100:
        return stat
    return None
