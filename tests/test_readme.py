"""Every command the README's Use section shows runs as written, offline where it can, with its exit code
and output checked. Commands that only make sense against a live account are listed with the reason; a new
README line fails here until it is run or listed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from evals.scenarios import build

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NEEDS_AWS = {
    'sleuth investigate "why is checkout returning 5xx since 14:00?"': "live question",
    'sleuth investigate "slow since about 11:15am" --tz Europe/Berlin': "live question",
    "sleuth capture --start T --end T [--alarm NAME] [--resources ID ...] --out DIR": "snapshots a live account",
    "sleuth watch [--interval 60]": "polls a live account",
}


def use_commands() -> list[str]:
    block = README.split("## Use", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def sleuth(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    base: dict[str, str | None] = {"ANTHROPIC_API_KEY": None, "SLEUTH_BEDROCK": None}
    result = CliRunner().invoke(app, list(args), env={**base, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Each test uses only what this builds (tests may run in different workers).
    root = tmp_path_factory.mktemp("readme")
    built = build("sg-rule-revoked", 1)
    built.write(root / "path" / "to" / "bundle")
    build("benign-blip", 2).write(root / "evals-in" / "one" / "blip")
    assert built.manifest.trigger.alarm_event is not None
    event = built.manifest.trigger.alarm_event.model_dump(mode="json", by_alias=True)
    (root / "event.json").write_text(json.dumps(event), encoding="utf-8")
    return root


@pytest.fixture
def home(work: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(work)
    monkeypatch.setattr("agent.cli.CHECKPOINTS", work / ".sleuth" / "checkpoints.sqlite")
    monkeypatch.setattr("agent.cli.THREADS", work / ".sleuth" / "threads.json")
    return work


def test_every_use_line_is_run_here_or_needs_aws() -> None:
    ran = {
        "sleuth investigate --alarm-event event.json --format html --out report.html",
        "sleuth investigate --bundle path/to/bundle",
        'sleuth investigate "..." --thread inc-42',
        "sleuth feedback --thread inc-42 --discard security-group-rule-revoked",
        "sleuth rerun report.json ev-12 [--bundle B]",
        "sleuth demo [SCENARIO] [--seed N]",
        "sleuth scenarios list | build NAME --seed N --out DIR",
        "sleuth eval --suite builtin --seeds 1-5 [--bundles DIR --bundles DIR2] [--petshop DIR --split train] [--jobs N]",
        "sleuth on-alarm event.json [--bundle PATH] [--format md --out FILE]",
        "sleuth bundle validate PATH ...",
        "python -m evals.bundle validate PATH",
    }
    assert set(use_commands()) == ran | set(NEEDS_AWS)


def test_investigate_offline_forms(home: Path) -> None:
    code, out, err = sleuth("investigate", "--bundle", "path/to/bundle", "-q")
    assert code == 0, err
    assert "VERDICT: Root cause found" in out
    # The alarm-event line, against the bundle instead of an account:
    args = ["--alarm-event", "event.json", "--format", "html", "--out", "report.html"]
    code, _, err = sleuth("investigate", *args, "--bundle", "path/to/bundle")
    assert code == 0, err
    assert (home / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_thread_feedback_and_rerun(home: Path) -> None:
    ask = ["investigate", "why the 5xx?", "--thread", "inc-42", "--bundle", "path/to/bundle"]
    code, _, err = sleuth(*ask, "--format", "json", "--out", "report.json")
    assert code == 0, err
    code, out, err = sleuth("feedback", "--thread", "inc-42", "--discard", "security-group-rule-revoked")
    assert code == 0, err
    assert "discarded by" in out
    report = json.loads((home / "report.json").read_text())
    last = report["evidence"][-1]["id"]
    code, out, err = sleuth("rerun", "report.json", last, "--bundle", "path/to/bundle")
    assert code == 0, err
    assert f"{last} holds" in out or f"{last} re-read" in out


def test_demo_scenarios_and_eval(home: Path) -> None:
    code, out, _ = sleuth("demo", "-q")
    assert code == 0 and "SLEUTH INCIDENT REPORT" in out
    code, out, _ = sleuth("demo", "benign-blip", "--seed", "2", "-q")
    assert code == 0 and "No root cause" in out
    code, out, _ = sleuth("scenarios", "list")
    assert code == 0 and "sg-rule-revoked" in out and "benign-blip" in out
    code, out, _ = sleuth("scenarios", "build", "benign-blip", "--seed", "2", "--out", "built/blip")
    assert code == 0 and "wrote" in out
    assert (home / "built" / "blip" / "manifest.json").is_file()
    code, out, err = sleuth("eval", "--bundles", "evals-in/one", "--bundles", "path/to", "--jobs", "1")
    assert code == 0, err
    assert "summary" in out


def test_on_alarm_and_bundle_validation(home: Path) -> None:
    state = ["--state-db", str(home / "alarms.sqlite")]  # its default is under ~/.sleuth
    code, out, err = sleuth(
        "on-alarm", "event.json", "--bundle", "path/to/bundle", "--format", "md", "--out", "alarm.md", *state
    )
    assert code == 0, err
    assert (home / "alarm.md").read_text().startswith("# Incident report")
    code, out, _ = sleuth("bundle", "validate", "path/to/bundle", "evals-in/one/blip")
    assert code == 0 and out.count("ok: ") == 2
    module = subprocess.run(
        [sys.executable, "-m", "evals.bundle", "validate", "path/to/bundle"],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert module.returncode == 0, module.stderr
    assert "ok" in module.stdout
