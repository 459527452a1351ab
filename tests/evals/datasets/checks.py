"""What every converted PetShop issue must satisfy, read against the dataset's own files."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from evals.bundle import Bundle
from evals.datasets.petshop import PetShopCase, list_cases, to_bundle
from evals.datasets.petshop_nodes import node_of
from evals.replay import replay_session
from tests.conftest import SHARED

DATA = SHARED / "data" / "petshop"
NAMESPACE = "PetShop/ServiceMetrics"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="the PetShop data is not in the shared folder")


def cases_of(scenario: str) -> list[PetShopCase]:
    return list_cases(DATA / scenario, "train") if DATA.is_dir() else []


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def column(case: PetShopCase, component: str, metric: str, stat: str) -> list[tuple[int, float | None]]:
    """(timestamp, value) of one metrics.csv column, read straight from the file."""
    rows = read_csv(case.metrics_path)
    col = next(
        i for i in range(1, len(rows[0])) if (rows[0][i], rows[1][i], rows[2][i]) == (component, metric, stat)
    )
    return [(int(float(r[0])), float(r[col]) if r[col] else None) for r in rows[4:]]


def target_of(case: PetShopCase) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(case.target_path.read_text())
    return data


def metric_data(
    session: Any,
    dims: dict[str, str],
    metric: str,
    stat: str,
    start: datetime,
    end: datetime,
    period: int = 300,
) -> dict[datetime, float]:
    """GetMetricData of one metric: {period start: value}."""
    answer = session.client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": "q",
                "MetricStat": {
                    "Metric": {
                        "Namespace": NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
                    },
                    "Period": period,
                    "Stat": stat,
                },
            }
        ],
        StartTime=start,
        EndTime=end,
        ScanBy="TimestampAscending",
    )
    result = answer["MetricDataResults"][0]
    return dict(zip(result["Timestamps"], result["Values"], strict=True))


def expected_edges(
    case: PetShopCase, visible_until: float
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """graph.csv edges (caller, callee labels) with traffic at both ends in fully visible steps, and in any."""
    graph = read_csv(case.graph_path)
    names = graph[0][1:]
    edges = [(r[0], names[j]) for r in graph[1:] for j, cell in enumerate(r[1:]) if float(cell)]
    rows = read_csv(case.metrics_path)
    req = {rows[0][i]: i for i in range(1, len(rows[0])) if rows[1][i] == "requests"}
    must: set[tuple[str, str]] = set()
    may: set[tuple[str, str]] = set()
    for r in rows[4:]:
        ts = float(r[0])
        if ts > visible_until:
            continue
        volume = {c: float(r[i]) if r[i] else 0.0 for c, i in req.items()}
        for u, v in edges:
            if volume.get(u, 0) > 0 and volume.get(v, 0) > 0 and u != v:
                nu, nv = node_of(u), node_of(v)
                caller = "client" if nu.type == "client" else nu.label()
                (must if ts + 300 <= visible_until else may).add((caller, nv.label()))
    return must, must | may


def _label(service: dict[str, Any]) -> str:
    if service.get("Type") == "client":
        return "client"
    return f"{service['Name']} ({service['Type']})" if service.get("Type") else str(service["Name"])


def hints(case: PetShopCase) -> list[str]:
    """Strings that would give the ground truth away: the root-cause node and the reproduction command."""
    data = target_of(case)
    command = data["metadata"]["reproducibility"]["command"]
    parameter = command.split("--name")[1].split()[0].strip("'\"")
    return [
        data["root_cause"]["node"],
        command,
        parameter,
        parameter.rsplit("/", 1)[-1],
        "put-parameter",
        "root_cause",
    ]


def check_case(case: PetShopCase, out: Path) -> None:
    """Convert, write, load (validating every line) and replay one issue; check it against its files."""
    path = to_bundle(case).write(out / case.name)
    bundle = Bundle.load(path)
    counts = bundle.validate()
    # The firing, after whatever transitions normal operation before it showed against the threshold.
    assert counts["alarms"] == 1 and counts["alarm_history"] >= 1
    assert counts["metrics"] > 400 and counts["traces"] > 100 and counts["resources"] >= 15
    data = target_of(case)
    target = data["target"]
    manifest = bundle.manifest

    # truth: the dataset's root cause, and only there
    truth = manifest.truth
    assert truth is not None and truth.root_cause is not None
    assert truth.root_cause.resource == data["root_cause"]["node"]
    assert truth.root_cause.category == "dependency_failure"  # the root cause is another node than the target
    assert truth.chain == [] and truth.actions == []
    for file in sorted(path.iterdir()):
        if file.name == "manifest.json":
            raw = json.loads(file.read_text())
            raw.pop("truth")
            text = json.dumps(raw)
        else:
            text = file.read_text()
        for hint in hints(case):
            assert hint not in text, (file.name, hint)

    # window and clock
    stamps = [ts for ts, _ in column(case, target["node"], "requests", "Sum")]
    # The scenario's normal operation, where it has one, comes first as the metrics' history.
    issue_start = datetime.fromtimestamp(stamps[0], UTC)
    if (case.scenario_dir / "noissue" / "metrics.csv").is_file():
        assert manifest.start < issue_start
    else:
        assert manifest.start == issue_start
    assert manifest.end >= datetime.fromtimestamp(stamps[-1] + 300, UTC)
    event = manifest.trigger.alarm_event
    assert event is not None
    assert manifest.now == event.time + timedelta(seconds=60)

    # the alarm, and the violation GetMetricData shows at the target time
    session, _ = replay_session(bundle)
    node = node_of(target["node"])
    alarms = session.client("cloudwatch").describe_alarms(StateValue="ALARM")["MetricAlarms"]
    assert len(alarms) == 1
    alarm = alarms[0]
    assert event.detail.alarm_name == alarm["AlarmName"]
    assert alarm["MetricName"] == {"latency": "Latency", "availability": "Availability"}[target["metric"]]
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == node.dimensions()
    seen = metric_data(
        session, node.dimensions(), alarm["MetricName"], target["agg"], manifest.start, manifest.now
    )
    values = dict(column(case, target["node"], target["metric"], target["agg"]))
    onset = max(ts for ts in values if ts <= target["timestamp"])
    higher = alarm["ComparisonOperator"] == "GreaterThanThreshold"
    breaches = sorted(
        ts
        for ts, v in seen.items()
        # the issue's own periods: normal operation before them may cross a threshold near its values
        if ts >= issue_start and (v > alarm["Threshold"] if higher else v < alarm["Threshold"])
    )
    assert breaches
    first = breaches[0]
    # It shows in the period holding the target time or the next one (the target may fall just before
    # that period ends), never before; the alarm changed state a minute after that period closed.
    assert onset <= first.timestamp() <= onset + 300
    assert seen[first] == pytest.approx(values[int(first.timestamp())], rel=1e-9)
    assert alarm["StateUpdatedTimestamp"] == first + timedelta(seconds=360)

    # the service map replays the call graph
    graph = session.client("xray").get_service_graph(StartTime=manifest.start, EndTime=manifest.now)
    by_ref = {s["ReferenceId"]: s for s in graph["Services"]}
    got = {(_label(s), _label(by_ref[e["ReferenceId"]])) for s in graph["Services"] for e in s["Edges"]}
    must, may = expected_edges(case, manifest.now.timestamp())
    assert must <= got, must - got
    # Beyond the dataset's edges X-Ray only adds the client that calls each entry point (PetSite).
    assert all(caller == "client" for caller, _ in got - may), got - may
    assert ("client", "PetSite") in got
