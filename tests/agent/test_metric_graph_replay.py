"""The metric-graph localiser end to end: a tiny PetShop-shaped scenario written here (no dataset beside
the clone), converted to bundles, replayed behind boto3 and investigated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.investigate import offline
from evals.datasets.petshop import list_cases, normal_windows, to_bundle

NAMES = ["PetSite", "PetSearch_AWS::ECS::Fargate", "Payments_AWS::ECS::Fargate"]
PERIOD = 300
NORMAL_ROWS = 160


def _row(stamp: int, i: int, search: float | None = None, search_ok: float = 100.0) -> str:
    site = 0.1 + 0.002 * ((i * 7) % 5 - 2)
    own = 0.006 + 0.0002 * ((i * 3) % 5 - 2)
    pay = 0.05 + 0.001 * ((i * 2) % 5 - 2)
    if search is not None:
        site += search - own  # the front end waits for search on its requests
        own = search
    return f"{stamp},{site:.5f},500,100.0,{own:.5f},300,{search_ok},{pay:.5f},200,100.0"


def _table(path: Path, rows: list[str]) -> None:
    cols = [
        (c, m, s)
        for c in NAMES
        for m, s in (("latency", "Average"), ("requests", "Sum"), ("availability", "Average"))
    ]
    head = [
        ",".join([""] + [c for c, _, _ in cols]),
        ",".join([""] + [m for _, m, _ in cols]),
        ",".join([""] + [s for _, _, s in cols]),
        "unix_timestamp" + "," * len(cols),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(head + rows) + "\n")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("petshop") / "tiny_traffic"
    root.mkdir()
    (root / "graph.csv").write_text(
        ",".join(["", *NAMES])
        + "\n"
        + f"{NAMES[0]},0.0,1.0,1.0\n{NAMES[1]},0.0,0.0,0.0\n{NAMES[2]},0.0,0.0,0.0\n"
    )
    start = 1_600_000_200
    _table(root / "noissue" / "metrics.csv", [_row(start + i * PERIOD, i) for i in range(NORMAL_ROWS)])
    issue_start = 1_700_000_100
    slow = [None, 0.2, 0.2, 0.2, 0.2]
    issue = root / "train" / "issue_0"
    _table(issue / "metrics.csv", [_row(issue_start + i * PERIOD, i, s) for i, s in enumerate(slow)])
    target = {
        "target": {
            "node": NAMES[0],
            "metric": "latency",
            "agg": "Average",
            "timestamp": issue_start + PERIOD + 10,
        },
        "root_cause": {"node": NAMES[1], "metric": None},
        "metadata": {},
    }
    (issue / "target.json").write_text(json.dumps(target))
    return root


def test_an_slo_alarm_is_traced_to_the_callee_that_left_its_normal_range(scenario: Path) -> None:
    [case] = list_cases(scenario, "train")
    bundle = to_bundle(case)
    report = offline(bundle)
    truth = bundle.manifest.truth
    assert truth is not None and truth.root_cause is not None
    accepted = {truth.root_cause.resource, *truth.also_accept}
    assert report.hypotheses and report.hypotheses[0].resource in accepted
    cited = {e.id: e for e in report.evidence}
    origin = [cited[i] for i in report.hypotheses[0].evidence if "degraded_origin" in cited[i].signals]
    assert origin and origin[0].source.tool == "namespace_history"
    assert "call path PetSite -> PetSearch" in origin[0].summary


def test_a_question_whose_symptom_stays_in_its_normal_range_ends_no_fault(scenario: Path) -> None:
    latency = [
        w
        for w in normal_windows(scenario)
        if w.manifest.trigger.question and "latency" in w.manifest.trigger.question
    ]
    report = offline(latency[-1])
    assert report.verdict == "no_fault"
    judged = [e for e in report.evidence if e.source.tool == "namespace_history"]
    assert judged and "stayed within its normal range" in judged[0].summary
