"""The PetShop RCA benchmark (Hardt et al., CLeaR 2024) as incident bundles. See README.md for the mapping.

    cases = list_cases("/data/petshop", split="train")
    bundle = to_bundle(cases[0])
    normal = normal_windows("/data/petshop")      # no-fault bundles, for specificity

Command line: `python -m evals.datasets.petshop ROOT OUT [--split train|test|all] [--normal]` writes one
bundle directory per case into OUT.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from evals.bundle import Bundle, Manifest
from evals.bundle.bundle import BundleError
from evals.datasets import service_map, slo_alarm
from evals.datasets.latency import Distribution, fit
from evals.datasets.petshop_files import (
    MetricsTable,
    PetShopError,
    Target,
    read_graph,
    read_metrics,
    read_target,
)
from evals.datasets.petshop_nodes import Node, node_of, resources, spellings

# The dataset's hostnames are in us-west-2; its account is not published, so a documentation one stands in.
REGION = "us-west-2"
ACCOUNT = "111122223333"
PERCENTILES = {"p50": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0}
NOW_AFTER_ALARM = timedelta(seconds=60)
# Which failure mode a root cause shows as, by the violated metric (the dataset names no mechanism).
FAILURE_MODES = {
    True: {
        "latency": "slow-dependency",
        "availability": "dependency-errors",
        "requests": "dependency-overload",
    },
    False: {"latency": "slow-service", "availability": "service-errors", "requests": "request-overload"},
}

Split = Literal["train", "test", "all"]
__all__ = ["PetShopCase", "PetShopError", "list_cases", "main", "normal_windows", "to_bundle"]


@dataclass(frozen=True)
class PetShopCase:
    """One injected issue: `<scenario>/<split>/<issue>/` with metrics.csv and target.json."""

    scenario: str
    split: str
    issue: str
    directory: Path

    @property
    def scenario_dir(self) -> Path:
        return self.directory.parent.parent

    @property
    def metrics_path(self) -> Path:
        return self.directory / "metrics.csv"

    @property
    def target_path(self) -> Path:
        return self.directory / "target.json"

    @property
    def graph_path(self) -> Path:
        return self.scenario_dir / "graph.csv"

    @property
    def name(self) -> str:
        return f"{self.scenario}-{self.split}-{self.issue}"


# --- finding cases --------------------------------------------------------------------------------


def _natural(text: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def _scenarios(root: Path) -> list[Path]:
    if (root / "graph.csv").is_file():
        return [root]
    if not root.is_dir():
        raise PetShopError("no such directory", file=root)
    found = sorted((d for d in root.iterdir() if (d / "graph.csv").is_file()), key=lambda d: _natural(d.name))
    if not found:
        raise PetShopError("no scenario folders (a folder holding graph.csv) here", file=root)
    return found


def _issues(scenario: Path, split: str) -> list[PetShopCase]:
    folder = scenario / split
    if not folder.is_dir():
        return []
    cases = []
    for issue in sorted(folder.iterdir(), key=lambda d: _natural(d.name)):
        if not issue.is_dir() or issue.name.startswith("."):
            continue
        for needed in ("metrics.csv", "target.json"):
            if not (issue / needed).is_file():
                raise PetShopError(f"missing {needed}", file=issue)
        cases.append(PetShopCase(scenario.name, split, issue.name, issue))
    return cases


def list_cases(root: str | Path, split: Split = "train") -> list[PetShopCase]:
    """The issues under `root` (the dataset folder, or one scenario folder) in one split, or both."""
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be train, test or all, not {split!r}")
    base = Path(root)
    scenarios = _scenarios(base)
    splits = ["train", "test"] if split == "all" else [split]
    cases = [case for scenario in scenarios for s in splits for case in _issues(scenario, s)]
    if not cases:
        wanted = "train/ or test/" if split == "all" else f"{split}/"
        note = " (the test split is held out of this copy of the dataset)" if split == "test" else ""
        raise PetShopError(f"no {wanted} issue folders under any scenario{note}", file=base)
    return cases


# --- telemetry ------------------------------------------------------------------------------------


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Telemetry:
    """CloudWatch datapoints for a metrics table, with the latency distributions kept for traces."""

    def __init__(self, table: MetricsTable, nodes: dict[str, Node]) -> None:
        self.table = table
        self.nodes = nodes
        self.latency: dict[tuple[str, int], Distribution] = {}
        self.metrics: list[dict[str, Any]] = []
        for component in table.components:
            for row in range(len(table.timestamps)):
                self._datapoints(component, row)

    def _datapoints(self, component: str, row: int) -> None:
        table, node = self.table, self.nodes[component]
        stamp = _iso(table.timestamps[row])
        base = {"namespace": slo_alarm.NAMESPACE, "dimensions": node.dimensions(), "timestamp": stamp}
        requests = table.value(component, "requests", "Sum", row)
        count = requests if requests else 1.0  # statistics without a request count stand for one sample
        average = table.value(component, "latency", "Average", row)
        if average is not None:
            marks = {
                rank: v
                for stat, rank in PERCENTILES.items()
                if (v := table.value(component, "latency", stat, row)) is not None
            }
            dist = fit(average, marks, count)
            self.latency[(component, row)] = dist
            self.metrics.append(
                {**base, "metric": "Latency", "unit": "Seconds", "values": dist.values, "counts": dist.counts}
            )
        if requests is not None:
            self.metrics.append({**base, "metric": "Requests", "unit": "Count", "value": requests})
        availability = table.value(component, "availability", "Average", row)
        if availability is not None:
            # Each request counts 100 (served) or 0 (failed): Average is the availability, over any period.
            pairs = [(100.0, count * availability / 100.0), (0.0, count * (100.0 - availability) / 100.0)]
            kept = [(v, c) for v, c in pairs if c > 0]
            self.metrics.append(
                {
                    **base,
                    "metric": "Availability",
                    "unit": "Percent",
                    "values": [v for v, _ in kept],
                    "counts": [c for _, c in kept],
                }
            )

    def traces(self, edges: list[tuple[str, str]], seed: str) -> list[dict[str, Any]]:
        return service_map.synthesize(
            self.nodes, edges, self.table, lambda c, row: self.latency.get((c, row)), seed
        )


def _nodes(table: MetricsTable, edges: Iterable[tuple[str, str]]) -> dict[str, Node]:
    names = list(dict.fromkeys([*table.components, *(c for e in edges for c in e)]))
    return {c: node_of(c) for c in names}


@functools.lru_cache(maxsize=4)
def _normal_metrics(path: Path) -> tuple[MetricsTable, tuple[tuple[int, dict[str, Any]], ...]]:
    """A scenario's normal operation as datapoints, each with its period's epoch (fitted once per process)."""
    table = read_metrics(path)
    telemetry = _Telemetry(table, _nodes(table, []))
    epoch = {_iso(t): t for t in table.timestamps}
    return table, tuple((epoch[m["timestamp"]], m) for m in telemetry.metrics)


@dataclass(frozen=True)
class History:
    """Normal operation shown before a window: rows of `path` before `until`, moved by `shift` seconds."""

    path: Path
    until: int
    shift: int

    def table(self) -> MetricsTable:
        normal, _ = _normal_metrics(self.path)
        stop = sum(1 for t in normal.timestamps if t < self.until)
        rows = normal.rows(0, stop)
        return MetricsTable(rows.path, [t + self.shift for t in rows.timestamps], rows.period, rows.columns)

    def metrics(self) -> list[dict[str, Any]]:
        _, points = _normal_metrics(self.path)
        return [{**m, "timestamp": _iso(t + self.shift)} for t, m in points if t < self.until]


def _records(
    table: MetricsTable, edges: list[tuple[str, str]], seed: str, history: History | None = None
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Node]]:
    """Metrics, traces and resources for `table`; `history` (normal operation before it) adds metrics only."""
    nodes = _nodes(table, edges)
    telemetry = _Telemetry(table, nodes)
    earlier = history.metrics() if history is not None else []
    records = {
        "metrics": earlier + telemetry.metrics,
        "traces": telemetry.traces(edges, seed),
        "resources": resources(list(nodes.values()), REGION, ACCOUNT),
    }
    return records, nodes


def history_before(scenario_dir: Path, table: MetricsTable) -> History | None:
    """The scenario's normal operation (`noissue/`) as the metric history just before `table`.

    The recording is moved in time so that its last period ends where `table`'s first begins, as months
    of CloudWatch history precede any real incident; its values are unchanged. None when the scenario
    publishes no normal operation."""
    path = scenario_dir / "noissue" / "metrics.csv"
    if not path.is_file():
        return None
    normal, _ = _normal_metrics(path)
    if not normal.timestamps or normal.period != table.period:
        return None
    end = normal.timestamps[-1] + normal.period
    return History(path, end, table.timestamps[0] - end)


# --- bundles --------------------------------------------------------------------------------------


def to_bundle(case: PetShopCase) -> Bundle:
    """The issue as an incident bundle: telemetry and an SLO alarm trigger; the ground truth only in `truth`."""
    edges = read_graph(case.graph_path)
    table = read_metrics(case.metrics_path)
    target, truth = read_target(case.target_path)
    series = table.columns.get(target.node, {}).get((target.metric, target.agg))
    if series is None:
        raise PetShopError(
            f"metrics.csv has no {target.metric}/{target.agg} column for {target.node!r}",
            file=case.target_path,
            field="target.node",
        )
    history = history_before(case.scenario_dir, table)
    # Seeded by the case's place in the dataset only: the same telemetry whatever the ground truth says.
    records, nodes = _records(
        table, edges, seed=f"petshop:{case.scenario}/{case.split}/{case.issue}", history=history
    )
    node = nodes[target.node]
    before = history.table() if history is not None else None
    earlier = before.columns.get(target.node, {}).get((target.metric, target.agg)) if before else None
    alarm = slo_alarm.build(
        target,
        node,
        table.timestamps,
        series,
        table.period,
        region=REGION,
        account=ACCOUNT,
        target_file=case.target_path,
        earlier=(before.timestamps, earlier) if before is not None and earlier is not None else ([], []),
    )
    records["alarms"] = [alarm.alarm]
    records["alarm_history"] = alarm.history
    now = alarm.fired + NOW_AFTER_ALARM
    start = datetime.fromtimestamp((before or table).timestamps[0], UTC)
    end = max(datetime.fromtimestamp(table.timestamps[-1] + table.period, UTC), now)
    dependency = truth.root_cause_node != target.node
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": f"PetShop {case.scenario} {case.split} {case.issue}: {node.label()} {target.metric} "
            f"({target.agg}) SLO alarm",
            "account_id": ACCOUNT,
            "region": REGION,
            "start": start,
            "end": end,
            "now": now,
            "trigger": {"question": None, "alarm_event": alarm.event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": truth.root_cause_node,
                    "category": "dependency_failure" if dependency else "component_failure",
                    "failure_mode": FAILURE_MODES[dependency][target.metric],
                },
                "also_accept": spellings(truth.root_cause_node, REGION, ACCOUNT),
                "actions": [],
                "chain": [],
            },
        }
    )
    return Bundle(manifest, records)


def _targets(scenario: Path) -> list[Target]:
    """The SLO targets the scenario's issues (any split) are about: the questions normal windows ask."""
    found = {read_target(case.target_path)[0] for s in ("train", "test") for case in _issues(scenario, s)}
    return sorted(
        {Target(t.node, t.metric, t.agg, 0) for t in found}, key=lambda t: (t.node, t.metric, t.agg)
    )


def normal_windows(root: str | Path) -> list[Bundle]:
    """No-fault bundles cut from each scenario's noissue/ metrics, one per SLO target and window.

    Windows start where the dataset's own specificity protocol splits normal operation (from half the
    rows on, every tenth of them), and have the shape of an issue: one period before the asked-about
    time, four from it on; `now` is two periods and two minutes after that time.
    """
    bundles = []
    for scenario in _scenarios(Path(root)):
        noissue = scenario / "noissue" / "metrics.csv"
        if not noissue.is_file():
            continue
        targets = _targets(scenario)
        if not targets:
            continue
        edges = read_graph(scenario / "graph.csv")
        table = read_metrics(noissue)
        n = len(table.timestamps)
        for index, split in enumerate(range(n // 2, n - 3, max(1, n // 10))):
            lo, hi = max(0, split - 1), min(n, split + 4)
            window = table.rows(lo, hi)
            # What came before the window is its history, as the dataset's own protocol splits it.
            before = History(noissue, table.timestamps[lo], 0) if lo > 0 else None
            records, _ = _records(
                window, edges, seed=f"petshop:{scenario.name}/noissue/{split}", history=before
            )
            asked = table.timestamps[split]
            now = datetime.fromtimestamp(asked + 2 * table.period, UTC) + timedelta(minutes=2)
            end = max(datetime.fromtimestamp(window.timestamps[-1] + table.period, UTC), now)
            for target in targets:
                label = node_of(target.node).label()
                manifest = Manifest.model_validate(
                    {
                        "format": "sleuth-bundle/1",
                        "title": f"PetShop {scenario.name} normal operation, window {index}: {label} "
                        f"{target.metric} ({target.agg})",
                        "account_id": ACCOUNT,
                        "region": REGION,
                        "start": _iso(table.timestamps[0]),
                        "end": end,
                        "now": now,
                        "trigger": {
                            "question": f"Is {label} {target.metric} ({target.agg}) breaching its SLO since "
                            f"{_iso(asked)}? If so, what is the root cause?",
                            "alarm_event": None,
                        },
                        "truth": {"no_fault": True},
                    }
                )
                bundles.append(Bundle(manifest, records))
    return bundles


# --- command line ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.datasets.petshop", description=__doc__.split("\n")[0]
    )
    parser.add_argument("root", type=Path, help="the PetShop dataset folder (or one scenario folder)")
    parser.add_argument("out", type=Path, help="folder to write one bundle directory per case into")
    parser.add_argument("--split", choices=["train", "test", "all"], default="train")
    parser.add_argument("--normal", action="store_true", help="also write the no-fault normal windows")
    args = parser.parse_args(argv)
    try:
        written = 0
        for case in list_cases(args.root, args.split):
            to_bundle(case).write(args.out / case.name)
            written += 1
        if args.normal:
            for bundle in normal_windows(args.root):
                slug = re.sub(r"[^A-Za-z0-9]+", "-", bundle.manifest.title).strip("-").lower()
                bundle.write(args.out / slug)
                written += 1
    except (PetShopError, BundleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {written} bundles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
