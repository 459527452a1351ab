"""Malformed PetShop files fail with the file, the line and the field at fault."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from evals.datasets.petshop import PetShopError, list_cases, to_bundle
from evals.datasets.petshop_files import read_metrics
from tests.evals.datasets.checks import DATA, needs_data, read_csv

pytestmark = needs_data


def _copy(tmp_path: Path) -> Path:
    """A scenario folder holding a copy of high_traffic's issue_0 (target 01:49:08, PetSite latency)."""
    case = list_cases(DATA / "high_traffic")[0]
    scenario = tmp_path / "high_traffic"
    shutil.copytree(case.directory, scenario / "train" / "issue_0")
    shutil.copy(case.graph_path, scenario / "graph.csv")
    return scenario


def _error(scenario: Path) -> str:
    with pytest.raises(PetShopError) as info:
        to_bundle(list_cases(scenario)[0])
    return str(info.value)


def _rewrite(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as out:
        csv.writer(out).writerows(rows)


def test_bad_metric_cell_names_file_line_and_column(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    path = scenario / "train" / "issue_0" / "metrics.csv"
    rows = read_csv(path)
    rows[5][3] = "fast"
    _rewrite(path, rows)
    assert _error(scenario) == (
        f"{path} line 6: field 'DynamoDB_AWS::DynamoDB latency Average': 'fast' is not a number"
    )


def test_unknown_metric_is_reported(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    path = scenario / "train" / "issue_0" / "metrics.csv"
    rows = read_csv(path)
    rows[1][1] = "cpu"
    _rewrite(path, rows)
    assert _error(scenario) == (
        f"{path} line 2: field '169.254.170.2_remote': unknown metric 'cpu' (known: latency, requests, availability)"
    )


def test_row_of_wrong_width_and_unordered_time(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    path = scenario / "train" / "issue_0" / "metrics.csv"
    rows = read_csv(path)
    rows[6] = rows[6][:-1]
    _rewrite(path, rows)
    assert _error(scenario) == f"{path} line 7: expected 309 cells, found 308"
    rows = read_csv(DATA / "high_traffic" / "train" / "issue_0" / "metrics.csv")
    rows[6][0], rows[7][0] = rows[7][0], rows[6][0]
    _rewrite(path, rows)
    assert (
        _error(scenario) == f"{path} line 8: field 'unix_timestamp': timestamps must increase from row to row"
    )


def test_header_only_table(tmp_path: Path) -> None:
    path = tmp_path / "metrics.csv"
    _rewrite(path, read_csv(DATA / "high_traffic" / "train" / "issue_0" / "metrics.csv")[:4])
    with pytest.raises(PetShopError, match="no data rows after the header"):
        read_metrics(path)


def test_broken_target_json(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    path = scenario / "train" / "issue_0" / "target.json"
    path.write_text('{"target": {"node": "PetSite",\n "metric": }}')
    assert _error(scenario).startswith(f"{path} line 2: not valid JSON")

    def target(**fields: object) -> None:
        base = {"node": "PetSite", "metric": "latency", "agg": "Average", "timestamp": 1681350548}
        path.write_text(json.dumps({"target": {**base, **fields}, "root_cause": {"node": "x"}}))

    target(timestamp="soon")
    assert _error(scenario) == f"{path}: field 'target.timestamp': must be a unix timestamp in seconds"
    target(node="Nope")
    assert (
        _error(scenario)
        == f"{path}: field 'target.node': metrics.csv has no latency/Average column for 'Nope'"
    )
    target(agg="p42")
    assert "field 'target.agg': 'p42' is not a statistic of latency" in _error(scenario)
    target(metric="cpu")
    assert "field 'target.metric': must be one of latency, availability, requests" in _error(scenario)
    path.write_text(json.dumps({"target": {"node": "PetSite"}}))
    assert _error(scenario) == f"{path}: field 'root_cause': missing or not an object"


def test_target_time_outside_the_data(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    path = scenario / "train" / "issue_0" / "target.json"
    data = json.loads(path.read_text())
    data["target"]["timestamp"] = 1_600_000_000
    path.write_text(json.dumps(data))
    assert "field 'target.timestamp': the target time lies outside the metrics' time range" in _error(
        scenario
    )


def test_target_without_a_violation(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    path = scenario / "train" / "issue_0" / "metrics.csv"
    rows = read_csv(path)
    col = next(
        i
        for i in range(1, len(rows[0]))
        if (rows[0][i], rows[1][i], rows[2][i]) == ("PetSite", "latency", "Average")
    )
    for row in rows[4:]:
        row[col] = "0.08"
    _rewrite(path, rows)
    assert (
        "field 'target.timestamp': PetSite latency Average does not get worse at the target time"
        in _error(scenario)
    )


def test_violation_found_later_when_the_first_two_periods_hide_it(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    path = scenario / "train" / "issue_0" / "metrics.csv"
    rows = read_csv(path)
    col = next(
        i
        for i in range(1, len(rows[0]))
        if (rows[0][i], rows[1][i], rows[2][i]) == ("PetSite", "latency", "Average")
    )
    rows[5][col] = rows[6][col] = "0.08"  # 01:45 and 01:50 as calm as before; 01:55 still 0.1420015668359449
    _rewrite(path, rows)
    alarm = next(iter(to_bundle(list_cases(scenario)[0]).records("alarms")))
    assert alarm["Threshold"] == 0.112656  # halfway between 0.083310951677786 (01:40) and 0.1420015668359449
    assert alarm["StateUpdatedTimestamp"] == "2023-04-13T02:01:00.000Z"


def test_target_without_data(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    path = scenario / "train" / "issue_0" / "metrics.csv"
    rows = read_csv(path)
    col = next(
        i
        for i in range(1, len(rows[0]))
        if (rows[0][i], rows[1][i], rows[2][i]) == ("PetSite", "latency", "Average")
    )
    for row in rows[4:]:
        row[col] = ""
    _rewrite(path, rows)
    assert "field 'target.node': PetSite has no latency Average data from the target time on" in _error(
        scenario
    )


def test_graph_row_of_wrong_width(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    lines = (scenario / "graph.csv").read_text().splitlines()
    lines[3] += ",0.0"
    (scenario / "graph.csv").write_text("\n".join(lines) + "\n")
    assert _error(scenario) == f"{scenario / 'graph.csv'} line 4: expected 45 cells, found 46"


def test_graph_cell_that_is_not_a_number(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    lines = (scenario / "graph.csv").read_text().splitlines()
    lines[2] = lines[2].replace("0.0", "no", 1)
    (scenario / "graph.csv").write_text("\n".join(lines) + "\n")
    assert (
        _error(scenario)
        == f"{scenario / 'graph.csv'} line 3: field '169.254.170.2_remote': 'no' is not a number"
    )


def test_issue_folder_without_target(tmp_path: Path) -> None:
    scenario = _copy(tmp_path)
    (scenario / "train" / "issue_0" / "target.json").unlink()
    with pytest.raises(PetShopError, match="issue_0: missing target.json"):
        list_cases(scenario)


def test_folder_without_scenarios(tmp_path: Path) -> None:
    with pytest.raises(PetShopError, match="no scenario folders"):
        list_cases(tmp_path)
