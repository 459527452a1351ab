"""The eval runner: finding cases, running them in worker processes, the JSON and Markdown, and the gate."""

from __future__ import annotations

import inspect
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from agent.investigate import investigate
from evals import runner
from evals.report import print_results
from evals.runner import (
    CaseSpec,
    EvalUsageError,
    builtin_specs,
    bundle_specs,
    gate,
    load_floors,
    parse_seeds,
    petshop_specs,
    run_eval,
)
from evals.scenarios import list_scenarios
from evals.scoring import CaseScore, Summary, summarize
from tests.conftest import SHARED, make_bundle

PETSHOP = SHARED / "data" / "petshop"
GHOST = "arn:aws:lambda:us-east-1:123456789012:function:ghost-fn"


def _flat_5xx() -> list[dict[str, Any]]:
    return [
        {
            "namespace": "AWS/ApplicationELB",
            "metric": "HTTPCode_Target_5XX_Count",
            "dimensions": {"LoadBalancer": "app/web/0123456789abcdef"},
            "timestamp": f"2024-05-01T0{h}:{m:02d}:00Z",
            "unit": "Count",
            "value": 1.0,
        }
        for h in range(6)
        for m in range(0, 60, 5)
    ]


def _write_cases(folder: Path) -> None:
    """Two quick cases and a broken one: steady 5XX (no fault), a fault no telemetry shows, bad records."""
    question = {"question": "Are web 5XX errors up?"}
    make_bundle({"metrics": _flat_5xx()}, trigger=question, truth={"no_fault": True}).write(
        folder / "a-quiet"
    )
    ghost = {"root_cause": {"resource": GHOST, "category": "change", "failure_mode": "bad_deploy"}}
    make_bundle({"metrics": _flat_5xx()}, trigger=question, truth=ghost).write(folder / "b-ghost.tar.gz")
    broken = make_bundle({}, trigger=question, truth={"no_fault": True}).write(folder / "c-broken")
    (broken / "metrics.jsonl").write_text('{"namespace": "AWS/EC2"}\n')


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=120, color_system=None), buffer


# --- finding cases --------------------------------------------------------------------------------


def test_seeds_parse_ranges_and_lists() -> None:
    assert parse_seeds("1-5") == [1, 2, 3, 4, 5]
    assert parse_seeds("1,3,7-8,3") == [1, 3, 7, 8]
    for bad in ("3-1", "x", "1-", ""):
        with pytest.raises(EvalUsageError, match="seeds must look like"):
            parse_seeds(bad)


def test_builtin_suite_is_every_scenario_times_every_seed() -> None:
    names = [info.name for info in list_scenarios()]
    specs = builtin_specs([1, 2])
    assert [s.id for s in specs[:2]] == [f"{names[0]}/1", f"{names[0]}/2"]
    assert len(specs) == 2 * len(names)
    assert {s.group for s in specs} == set(names)
    only = builtin_specs([3], [names[-1]])
    assert only == [CaseSpec(f"{names[-1]}/3", "scenario", names[-1], 3, names[-1], "builtin")]
    with pytest.raises(EvalUsageError, match="no scenario named nope"):
        builtin_specs([1], ["nope"])


def test_bundle_directories_yield_every_bundle_with_a_truth(tmp_path: Path) -> None:
    _write_cases(tmp_path / "cases")
    make_bundle({}, trigger={"question": "why?"}).write(tmp_path / "cases" / "d-no-truth")
    (tmp_path / "cases" / "README.md").write_text("not a bundle")
    specs, notes = bundle_specs([tmp_path / "cases", tmp_path / "cases" / "a-quiet"])
    assert [(s.id, s.kind, s.group) for s in specs] == [
        ("a-quiet", "bundle", "cases"),
        ("b-ghost.tar.gz", "bundle", "cases"),
        ("c-broken", "bundle", "cases"),
        ("a-quiet", "bundle", "a-quiet"),
    ]
    assert notes == [
        f"{tmp_path / 'cases' / 'd-no-truth'}: skipped, its manifest has no truth to score against"
    ]
    with pytest.raises(EvalUsageError, match="no such bundle directory"):
        bundle_specs([tmp_path / "missing"])


@pytest.mark.skipif(not PETSHOP.is_dir(), reason="the PetShop train split is not in ../shared/data")
def test_petshop_cases_are_grouped_by_scenario_and_target_metric() -> None:
    specs = petshop_specs(PETSHOP, "train")
    issues = [s for s in specs if s.kind == "petshop"]
    normal = [s for s in specs if s.kind == "petshop_normal"]
    # The README of the data: 20 train issues; 24 normal windows (high and low traffic have noissue/).
    assert (len(issues), len(normal)) == (20, 24)
    assert {s.group for s in specs} <= {
        f"{scenario} {metric}"
        for scenario in ("low_traffic", "high_traffic", "temporal_traffic")
        for metric in ("latency", "availability")
    }
    assert not any(s.group.startswith("temporal") for s in normal)
    assert issues[0].id == "petshop/high_traffic-train-issue_0"
    assert runner.load_case(normal[1]).manifest.truth.no_fault  # type: ignore[union-attr]


def test_petshop_without_its_adapter_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A build without evals/datasets/petshop.py: the runner names the missing module instead of crashing.
    monkeypatch.setattr(runner, "PETSHOP_MODULE", "evals.datasets.no_such_adapter")
    console, out = _console()
    assert run_eval(petshop=tmp_path, console=console) == 2
    assert "needs the PetShop adapter (evals.datasets.no_such_adapter)" in out.getvalue()


@pytest.mark.skipif(
    "planner" in inspect.signature(investigate).parameters, reason="the agent takes a planner choice"
)
def test_an_unknown_planner_stops_before_any_work() -> None:
    console, out = _console()
    assert run_eval(brain="gpt", console=console) == 2
    assert "unknown planner 'gpt'" in out.getvalue()


def test_cases_that_cannot_run_are_recorded_in_process(tmp_path: Path) -> None:
    _write_cases(tmp_path)
    make_bundle({}, trigger={"question": "why?"}).write(tmp_path / "d-no-truth")
    specs = [
        CaseSpec("broken", "bundle", str(tmp_path / "c-broken")),
        CaseSpec("untruthful", "bundle", str(tmp_path / "d-no-truth")),
        CaseSpec("missing", "scenario", "no-such-scenario", 1),
    ]
    seen: list[str] = []
    results = runner.run_cases(specs, jobs=1, on_done=lambda r: seen.append(r.id))
    assert seen == ["broken", "untruthful", "missing"]
    assert [r.score for r in results] == [None, None, None]
    assert results[0].error is not None and "metrics.jsonl line 1" in results[0].error
    assert results[1].error == "the bundle has no truth"
    assert results[2].error is not None
    assert results[2].error.startswith(
        "cannot build the bundle: KeyError: \"no scenario named 'no-such-scenario'"
    )
    assert results[2].traceback is not None and "KeyError" in results[2].traceback


def test_command_line_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.main(["--scenario", "nope", "--seeds", "1"]) == 2
    assert "error: no scenario named nope; known (builtin): " in capsys.readouterr().out
    assert runner.main(["--seeds", "2-1"]) == 2
    assert "error: seeds must look like 1-5 or 1,3,7-8, not '2-1'" in capsys.readouterr().out
    assert runner.main(["--jobs", "0"]) == 2
    assert "error: --jobs must be at least 1" in capsys.readouterr().out


# --- end to end -----------------------------------------------------------------------------------


def test_eval_runs_cases_in_parallel_and_records_crashes(tmp_path: Path) -> None:
    _write_cases(tmp_path / "cases")
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"floors": {"top1": 0.5, "specificity": 0.5}}))
    console, out = _console()
    code = run_eval(
        bundles=[tmp_path / "cases"],
        jobs=2,
        json_path=tmp_path / "eval.json",
        markdown_path=tmp_path / "eval.md",
        check_gate=True,
        floors=floors,
        console=console,
    )
    data = json.loads((tmp_path / "eval.json").read_text())
    assert (data["suite"], data["brain"]) == ("bundles", "rules")
    quiet, ghost, broken = data["cases"]
    assert [c["id"] for c in data["cases"]] == ["a-quiet", "b-ghost.tar.gz", "c-broken"]
    for case in data["cases"]:
        assert {
            "id",
            "top1",
            "top3",
            "category",
            "actions",
            "grounded",
            "verdict",
            "expected_verdict",
        } <= set(case)
        assert {"duration_s", "aws_calls"} <= set(case)

    assert (quiet["expected_verdict"], quiet["failed"], quiet["top1"]) == ("no_fault", False, None)
    assert quiet["specificity"] is (quiet["verdict"] != "root_cause")
    # Nothing in the bundle names ghost-fn: no hypothesis can be it.
    assert (ghost["expected_verdict"], ghost["failed"]) == ("root_cause", False)
    assert (ghost["top1"], ghost["top3"], ghost["truth_resource"]) == (False, False, GHOST)
    assert ghost["aws_calls"] > 0
    assert broken["failed"] is True
    assert broken["error"].startswith("cannot build the bundle: BundleError: ")
    assert "metrics.jsonl line 1" in broken["error"]
    assert broken["verdict"] is None

    # The summary is the scoring's own totals over the cases: the broken case counts in n and failed.
    scores = [CaseScore.model_validate(c) if not c["failed"] else None for c in data["cases"]]
    assert data["summary"] == summarize(scores, failed=1).model_dump(mode="json")
    assert (data["summary"]["n"], data["summary"]["failed"], data["summary"]["top1"]) == (3, 1, 0.0)

    # The gate: top-1 0.0 is below its 0.5 floor.
    assert code == 1
    assert "below floor: top1: 0.000 is below the floor 0.500" in out.getvalue()
    assert "failed c-broken: cannot build the bundle" in out.getvalue()

    markdown = (tmp_path / "eval.md").read_text()
    assert f"Generated with `sleuth eval --bundles {tmp_path / 'cases'} --brain rules --jobs 2`" in markdown
    assert re.search(r"^\| b-ghost\.tar\.gz \| root_cause \| \S+ \| no \| no \|", markdown, re.M)
    assert "- `c-broken`: cannot build the bundle" in markdown


# --- the gate -------------------------------------------------------------------------------------


def test_the_gate_reads_its_floors_from_the_file(tmp_path: Path) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"note": "x", "floors": {"top1": 0.7, "top3": 0.8, "specificity": 1}}))
    assert load_floors(floors) == {"top1": 0.7, "top3": 0.8, "specificity": 1.0}
    passing = Summary(n=10, top1=0.7, top3=0.9, specificity=1.0)
    assert gate(passing, floors) == []
    failing = passing.model_dump() | {"top3": 0.75}
    assert gate(failing, floors) == ["top3: 0.750 is below the floor 0.800"]
    floors.write_text(json.dumps({"floors": {"top9": 0.5}}))
    with pytest.raises(EvalUsageError, match="unknown floor 'top9'"):
        gate(passing, floors)
    floors.write_text(json.dumps({"top1": 0.5}))
    with pytest.raises(EvalUsageError, match="expected"):
        load_floors(floors)


def test_the_committed_floors_gate_top1_top3_and_specificity() -> None:
    floors = load_floors()
    assert set(floors) == {"top1", "top3", "specificity"}
    assert all(0 < v <= 1 for v in floors.values())


def test_terminal_tables_show_errors_and_ids_literally() -> None:
    # Exception text is data: "[red]" or "['x']" in it must print as written, not as rich markup.
    row = dict.fromkeys(CaseScore.model_fields) | {
        "id": "odd[bold]id",
        "group": "g",
        "error": "unexpected ['x', '[/]']",
    }
    data = {
        "suite": "bundles",
        "brain": "rules",
        "cases": [row],
        "summary": Summary(n=1, failed=1).model_dump(),
    }
    console, out = _console()
    print_results(console, data)
    assert "odd[bold]id" in out.getvalue()
    assert "failed odd[bold]id: unexpected ['x', '[/]']" in out.getvalue()


def test_a_generated_bundle_is_built_once_per_cache_and_loaded_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evals.runner import BUNDLE_CACHE_ENV, CaseSpec, cache_path, load_case

    monkeypatch.setenv(BUNDLE_CACHE_ENV, str(tmp_path))
    spec = CaseSpec("x/1", "fresh", "marketing-site-4xx-rate", 1)
    built = load_case(spec)
    kept = cache_path("fresh", spec.ref, 1)
    assert kept is not None and (kept / "manifest.json").exists()
    assert [p.name for p in kept.parent.iterdir()] == ["1"], "no partial copy is left behind"
    loaded = load_case(spec)
    assert loaded.manifest == built.manifest
    assert list(loaded.records("cloudtrail")) == list(built.records("cloudtrail"))
    # Without the variable nothing is kept.
    monkeypatch.delenv(BUNDLE_CACHE_ENV)
    assert cache_path("fresh", spec.ref, 1) is None
