"""Reading the PetShop dataset's files: the call graph, the metrics table and an issue's target.

Every problem is reported as a `PetShopError` naming the file, the line and the field, so a command
line can print it as is.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

# The (metric, statistic) columns the dataset publishes per component.
KNOWN_STATISTICS = {
    "latency": ("Average", "p50", "p90", "p95", "p99"),
    "requests": ("Sum",),
    "availability": ("Average",),
}
TARGET_METRICS = ("latency", "availability", "requests")


class PetShopError(ValueError):
    """A malformed dataset file, with the file, line and field at fault."""

    def __init__(
        self, message: str, *, file: Path | str, line: int | None = None, field: str | None = None
    ) -> None:
        where = str(file) + (f" line {line}" if line else "")
        what = f"field '{field}': {message}" if field else message
        super().__init__(f"{where}: {what}")
        self.file = str(file)
        self.line = line
        self.field = field


# --- graph.csv ------------------------------------------------------------------------------------


def read_graph(path: Path) -> list[tuple[str, str]]:
    """The call graph's edges (caller, callee) from its adjacency matrix, in file order."""
    rows = _csv_rows(path)
    if not rows:
        raise PetShopError("the file is empty", file=path)
    names = rows[0][1:]
    if not names or any(not n for n in names):
        raise PetShopError("the header row must name every column", file=path, line=1)
    edges = []
    for lineno, row in enumerate(rows[1:], 2):
        if len(row) != len(names) + 1:
            raise PetShopError(f"expected {len(names) + 1} cells, found {len(row)}", file=path, line=lineno)
        caller = row[0]
        if caller not in names:
            raise PetShopError(f"row {caller!r} is not a column of the matrix", file=path, line=lineno)
        for callee, cell in zip(names, row[1:], strict=True):
            value = _number(cell, path, lineno, callee)
            if value is None:
                raise PetShopError("an adjacency cell must be 0 or 1", file=path, line=lineno, field=callee)
            if value != 0:
                edges.append((caller, callee))
    return edges


# --- metrics.csv ----------------------------------------------------------------------------------


@dataclass
class MetricsTable:
    """A metrics.csv: timestamps (epoch seconds, period starts) and each column's values by row."""

    path: Path
    timestamps: list[int]
    period: int
    # component -> (metric, statistic) -> value per row (None where the cell is empty)
    columns: dict[str, dict[tuple[str, str], list[float | None]]] = field(default_factory=dict)

    @property
    def components(self) -> list[str]:
        return list(self.columns)

    def value(self, component: str, metric: str, stat: str, row: int) -> float | None:
        series = self.columns.get(component, {}).get((metric, stat))
        return None if series is None else series[row]

    def rows(self, start: int, stop: int) -> MetricsTable:
        """The table restricted to rows [start, stop)."""
        return MetricsTable(
            self.path,
            self.timestamps[start:stop],
            self.period,
            {c: {k: v[start:stop] for k, v in cols.items()} for c, cols in self.columns.items()},
        )


def read_metrics(path: Path) -> MetricsTable:
    """Parse a metrics.csv: three header rows (component, metric, statistic), then timestamped rows."""
    rows = _csv_rows(path)
    if len(rows) < 3:
        raise PetShopError("expected three header rows (component, metric, statistic)", file=path)
    comps, metrics, stats = rows[0], rows[1], rows[2]
    width = len(comps)
    for lineno, row in ((2, metrics), (3, stats)):
        if len(row) != width:
            raise PetShopError(f"expected {width} cells, found {len(row)}", file=path, line=lineno)
    first = 3
    # pandas writes the index name on a row of its own (`unix_timestamp,,,...`)
    if len(rows) > 3 and rows[3] and _number(rows[3][0], path, 4, "unix_timestamp", strict=False) is None:
        first = 4
    keys: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for col in range(1, width):
        comp, metric, stat = comps[col], metrics[col], stats[col]
        if not comp:
            raise PetShopError(f"column {col + 1} has no component name", file=path, line=1)
        allowed = KNOWN_STATISTICS.get(metric)
        if allowed is None:
            raise PetShopError(
                f"unknown metric {metric!r} (known: {', '.join(KNOWN_STATISTICS)})",
                file=path,
                line=2,
                field=comp,
            )
        if stat not in allowed:
            raise PetShopError(
                f"unknown statistic {stat!r} for {metric} (known: {', '.join(allowed)})",
                file=path,
                line=3,
                field=comp,
            )
        key = (comp, metric, stat)
        if key in seen:
            raise PetShopError(f"column {metric}/{stat} appears twice", file=path, line=1, field=comp)
        seen.add(key)
        keys.append(key)
    table = MetricsTable(path, [], 0)
    for comp, metric, stat in keys:
        table.columns.setdefault(comp, {})[(metric, stat)] = []
    for lineno, row in enumerate(rows[first:], first + 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise PetShopError(f"expected {width} cells, found {len(row)}", file=path, line=lineno)
        stamp = _number(row[0], path, lineno, "unix_timestamp")
        if stamp is None or stamp < 0:
            raise PetShopError(
                "a row needs its unix timestamp", file=path, line=lineno, field="unix_timestamp"
            )
        if table.timestamps and stamp <= table.timestamps[-1]:
            raise PetShopError(
                "timestamps must increase from row to row", file=path, line=lineno, field="unix_timestamp"
            )
        table.timestamps.append(int(stamp))
        for (comp, metric, stat), cell in zip(keys, row[1:], strict=True):
            value = _number(cell, path, lineno, f"{comp} {metric} {stat}")
            if value is not None and value < 0:
                raise PetShopError("a metric value is negative", file=path, line=lineno, field=comp)
            if value is not None and metric == "availability" and value > 100:
                raise PetShopError("availability above 100 percent", file=path, line=lineno, field=comp)
            table.columns[comp][(metric, stat)].append(value)
    if not table.timestamps:
        raise PetShopError("no data rows after the header", file=path)
    table.period = _period(table.timestamps, path)
    return table


def _period(stamps: list[int], path: Path) -> int:
    """The table's step: the most common gap between rows (CloudWatch periods are multiples of 60 s)."""
    if len(stamps) == 1:
        return 300  # a single row: the dataset's documented 5-minute step
    gaps = Counter(b - a for a, b in pairwise(stamps))
    period = gaps.most_common(1)[0][0]
    if period % 60:
        raise PetShopError(f"rows are {period} s apart, not a whole number of minutes", file=path)
    return period


# --- target.json ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The SLO violation an issue is about: which node's metric (and statistic), and when."""

    node: str
    metric: str
    agg: str
    timestamp: int


@dataclass(frozen=True)
class IssueTruth:
    """The ground truth of an issue: only ever written to a bundle's `truth`."""

    root_cause_node: str
    root_cause_metric: str | None


def read_target(path: Path) -> tuple[Target, IssueTruth]:
    """Parse target.json into the visible target and the hidden ground truth."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PetShopError(f"not valid JSON ({exc.msg})", file=path, line=exc.lineno) from exc
    except OSError as exc:
        raise PetShopError(f"cannot read: {exc.strerror}", file=path) from exc
    target = _object(data, "target", path)
    root = _object(data, "root_cause", path)
    node = _text(target, "node", "target", path)
    metric = _text(target, "metric", "target", path)
    if metric not in TARGET_METRICS:
        raise PetShopError(f"must be one of {', '.join(TARGET_METRICS)}", file=path, field="target.metric")
    agg = _text(target, "agg", "target", path)
    if agg not in KNOWN_STATISTICS[metric]:
        raise PetShopError(
            f"{agg!r} is not a statistic of {metric} ({', '.join(KNOWN_STATISTICS[metric])})",
            file=path,
            field="target.agg",
        )
    stamp = target.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float) or not math.isfinite(stamp) or stamp < 0:
        raise PetShopError("must be a unix timestamp in seconds", file=path, field="target.timestamp")
    root_metric = root.get("metric")
    if root_metric is not None and not isinstance(root_metric, str):
        raise PetShopError("must be a string or null", file=path, field="root_cause.metric")
    return (
        Target(node, metric, agg, int(stamp)),
        IssueTruth(_text(root, "node", "root_cause", path), root_metric),
    )


def _object(data: Any, key: str, path: Path) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise PetShopError("missing or not an object", file=path, field=key)
    return value


def _text(obj: dict[str, Any], key: str, parent: str, path: Path) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise PetShopError("missing or not a non-empty string", file=path, field=f"{parent}.{key}")
    return value


# --- cells ----------------------------------------------------------------------------------------


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.reader(handle))
    except OSError as exc:
        raise PetShopError(f"cannot read: {exc.strerror}", file=path) from exc
    except (csv.Error, UnicodeDecodeError) as exc:
        raise PetShopError(f"not a readable CSV file ({exc})", file=path) from exc


def _number(cell: str, path: Path, line: int, name: str, *, strict: bool = True) -> float | None:
    """A cell as a float; None for an empty cell (or any non-number when not strict)."""
    text = cell.strip()
    if not text or text.lower() == "nan":
        return None
    try:
        value = float(text)
    except ValueError:
        if not strict:
            return None
        raise PetShopError(f"{text!r} is not a number", file=path, line=line, field=name) from None
    if not math.isfinite(value):
        if not strict:
            return None
        raise PetShopError(f"{text!r} is not a finite number", file=path, line=line, field=name)
    return value
