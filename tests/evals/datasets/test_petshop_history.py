"""Normal operation as metric history before an issue, and the SLO alarm's breaches in it.

Built on a tiny scenario written here (not the dataset), so it runs in a clone with nothing beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.datasets.petshop import list_cases, normal_windows, to_bundle

COMPONENTS = ("PetSite", "PetSearch_AWS::ECS::Fargate")
PERIOD = 300
ISSUE_START = 1_700_000_100  # deliberately not on a 5-minute boundary of the normal recording


def _table(path: Path, start: int, latency: list[tuple[float, float]]) -> None:
    """metrics.csv with latency, requests and availability for both components, one row per pair."""
    cols = [
        (c, m, s)
        for c in COMPONENTS
        for m, s in (("latency", "Average"), ("requests", "Sum"), ("availability", "Average"))
    ]
    lines = [
        ",".join([""] + [c for c, _, _ in cols]),
        ",".join([""] + [m for _, m, _ in cols]),
        ",".join([""] + [s for _, _, s in cols]),
        "unix_timestamp" + "," * len(cols),
    ]
    for i, (site, search) in enumerate(latency):
        lines.append(f"{start + i * PERIOD},{site},100,100.0,{search},80,100.0")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _scenario(root: Path) -> Path:
    scenario = root / "tiny_traffic"
    scenario.mkdir(parents=True)
    names = ["PetSite", "PetSearch_AWS::ECS::Fargate"]
    (scenario / "graph.csv").write_text(
        ",".join(["", *names]) + "\n" + "PetSite,0.0,1.0\n" + "PetSearch_AWS::ECS::Fargate,0.0,0.0\n"
    )
    # Normal operation: PetSite latency around 0.1 with one slow period (0.5) in the middle.
    normal = [(0.1, 0.006)] * 20 + [(0.5, 0.006)] + [(0.1, 0.006)] * 19
    _table(scenario / "noissue" / "metrics.csv", 1_600_000_000, normal)
    issue = scenario / "train" / "issue_0"
    _table(
        issue / "metrics.csv", ISSUE_START, [(0.1, 0.006), (0.1, 0.006), (0.3, 0.2), (0.3, 0.2), (0.1, 0.006)]
    )
    target = {
        "target": {
            "node": "PetSite",
            "metric": "latency",
            "agg": "Average",
            "timestamp": ISSUE_START + 2 * PERIOD + 10,
        },
        "root_cause": {"node": "PetSearch_AWS::ECS::Fargate", "metric": None},
        "metadata": {},
    }
    (issue / "target.json").write_text(json.dumps(target))
    return scenario


def _latency_points(bundle: Any, service: str) -> list[str]:
    return sorted(
        m["timestamp"]
        for m in bundle.records("metrics")
        if m["metric"] == "Latency" and m["dimensions"].get("Service") == service
    )


def test_normal_operation_comes_before_the_issue_in_its_own_time(tmp_path: Path) -> None:
    [case] = list_cases(_scenario(tmp_path), "train")
    bundle = to_bundle(case)
    stamps = _latency_points(bundle, "PetSite")
    assert len(stamps) == 40 + 5  # every normal period, then the issue's
    first_issue = datetime.fromtimestamp(ISSUE_START, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    last_normal = datetime.fromtimestamp(ISSUE_START - PERIOD, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stamps[39] == last_normal and stamps[40] == first_issue
    assert bundle.manifest.start == datetime.fromtimestamp(ISSUE_START - 40 * PERIOD, UTC)


def test_the_slo_alarm_shows_its_breaches_during_normal_operation(tmp_path: Path) -> None:
    [case] = list_cases(_scenario(tmp_path), "train")
    history = list(to_bundle(case).records("alarm_history"))
    summaries = [h["HistorySummary"] for h in history]
    # The slow normal period (0.5) is worse than the threshold (between 0.1 and 0.3): ALARM, then OK,
    # then the issue's own OK -> ALARM.
    assert summaries == [
        "Alarm updated from OK to ALARM",
        "Alarm updated from ALARM to OK",
        "Alarm updated from OK to ALARM",
    ]
    assert history[0]["Timestamp"] < history[1]["Timestamp"] < history[2]["Timestamp"]
    assert json.loads(history[0]["HistoryData"])["newState"]["stateReasonData"]["recentDatapoints"] == [0.5]


def test_normal_windows_carry_the_rows_before_them_as_history(tmp_path: Path) -> None:
    windows = normal_windows(_scenario(tmp_path))
    assert windows
    for window in windows:
        stamps = _latency_points(window, "PetSite")
        assert window.manifest.start.strftime("%Y-%m-%dT%H:%M:%SZ") == stamps[0]
        assert len(stamps) > 5  # the window's five periods and the normal ones before it
