"""The `sleuth` command line as a user meets it: exit codes, one-line errors, what goes where."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from evals.bundle import Bundle
from evals.scenarios import build

NO_MODEL: dict[str, str | None] = {
    "ANTHROPIC_API_KEY": "",
    "SLEUTH_BEDROCK": "",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def run(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**NO_MODEL, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    return lines[0]


def test_replay_without_a_recording_fails_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "none.yaml"
    code, out, err = run("eval", "--brain", "claude", "--replay", "--cassette", str(missing))
    assert code == 2
    assert out == ""
    assert str(missing) in one_line_error(err)


def test_record_without_a_model_key_fails_in_one_line(tmp_path: Path) -> None:
    code, _, err = run("eval", "--brain", "claude", "--record", "--cassette", str(tmp_path / "new.yaml"))
    assert code == 2
    assert "ANTHROPIC_API_KEY" in one_line_error(err)
    assert not (tmp_path / "new.yaml").exists()


@pytest.mark.parametrize("flag", ["--record", "--replay"])
def test_recording_flags_need_the_claude_planner(flag: str) -> None:
    code, _, err = run("eval", flag)
    assert code == 2
    assert "--brain claude" in one_line_error(err)


@cache
def scenario_bundle(name: str) -> Bundle:
    return build(name, 1)


def test_version_prints_the_installed_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == f"sleuth {version('sleuth')}"


def test_completion_scripts_complete_subcommands() -> None:
    # Completion runs the installed console script, as the shell does.
    script = Path(sys.executable).with_name("sleuth")
    if not script.exists():
        pytest.skip("the sleuth console script is not installed beside this interpreter")
    shown = subprocess.run([script, "--show-completion", "bash"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    assert "_sleuth_completion" in shown.stdout
    env = {**os.environ, "_SLEUTH_COMPLETE": "complete_bash", "COMP_WORDS": "sleuth re", "COMP_CWORD": "1"}
    done = subprocess.run([script], env=env, capture_output=True, text=True, timeout=60)
    assert "rerun" in done.stdout.split()


def test_help_names_the_environment_and_shows_examples() -> None:
    code, out, _ = run("investigate", "--help", env={"COLUMNS": "200"})
    assert code == 0
    assert "AWS_DEFAULT_REGION" in out and "AWS_PROFILE" in out
    assert "Examples:" in out and "sleuth investigate --alarm-event event.json" in out
    assert "<list[str]>" not in run("eval", "--help", env={"COLUMNS": "200"})[1]


def test_quiet_demo_prints_only_the_report() -> None:
    code, out, err = run("demo", "benign-blip", "-q")
    assert code == 0
    assert out.startswith("SLEUTH INCIDENT REPORT")
    assert err == ""


def test_on_alarm_prints_the_report_in_the_asked_format(tmp_path: Path) -> None:
    bundle = scenario_bundle("sg-rule-revoked")
    bundle_dir = bundle.write(tmp_path / "bundle")
    event = tmp_path / "event.json"
    assert bundle.manifest.trigger.alarm_event is not None
    event.write_text(json.dumps(bundle.manifest.trigger.alarm_event.model_dump(mode="json", by_alias=True)))
    state = ["--state-db", str(tmp_path / "state.sqlite")]
    code, out, err = run("on-alarm", str(event), "--bundle", str(bundle_dir), *state, "--format", "md")
    assert code == 0, err
    assert out.startswith("# Incident report: ")
    assert '"status": "investigated"' in err
    assert len(err) < 2000  # one status line, not the report logged again
    target = tmp_path / "report.html"
    code, out, err = run(
        "on-alarm", str(event), "--bundle", str(bundle_dir), *state, "--out", str(target), "-q"
    )
    assert code == 0
    assert out == "" and err == ""  # the same alarm again joins the first investigation: no new report
    code, out, _ = run("on-alarm", str(event), "--bundle", str(bundle_dir), "--state-db", str(tmp_path / "b"))
    assert code == 0
    assert json.loads(out)["status"] == "investigated"  # without --format: the run's JSON status


# None removes the variable for the run.
NO_AWS: dict[str, str | None] = {
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_DEFAULT_REGION": "us-east-1",
}


def test_watch_fails_fast_without_credentials(tmp_path: Path) -> None:
    code, out, err = run("watch", "--state-db", str(tmp_path / "s.sqlite"), env=NO_AWS)
    assert code == 2
    assert out == ""
    assert "cloudwatch:DescribeAlarms" in one_line_error(err)
    assert "credentials" in err


def test_capture_fails_fast_without_credentials_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    code, _, err = run(
        "capture",
        "--start",
        "2024-05-01T00:00:00Z",
        "--end",
        "2024-05-01T01:00:00Z",
        "--out",
        str(target),
        env=NO_AWS,
    )
    assert code == 2
    assert "sts:GetCallerIdentity" in one_line_error(err)
    assert not target.exists()


def test_feedback_resumes_a_thread_the_way_it_ran_and_records_who_decided(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("agent.cli.CHECKPOINTS", tmp_path / "checkpoints.sqlite")
    monkeypatch.setattr("agent.cli.THREADS", tmp_path / "threads.json")
    bundle_dir = scenario_bundle("sg-rule-revoked").write(tmp_path / "bundle")
    code, out, err = run(
        "investigate", "--bundle", str(bundle_dir), "--thread", "inc-42", "-q", "--format", "json"
    )
    assert code == 0, err
    first = json.loads(out)
    top = first["hypotheses"][0]["failure_mode"]

    # No --bundle: the thread remembers it ran offline (no AWS credentials exist here to go live with).
    code, out, err = run("feedback", "--thread", "inc-42", "--discard", top, "--format", "json", env=NO_AWS)
    assert code == 0, err
    assert f"offline against bundle {bundle_dir.resolve()}" in err
    resumed = json.loads(out)
    assert any(n.startswith("discarded by ") and n.endswith(f"UTC: {top}") for n in resumed["notes"])
    assert all(h["failure_mode"] != top or h["status"] == "discarded" for h in resumed["hypotheses"])

    code, _, err = run("feedback", "--thread", "inc-42", "--discard", "no-such-mode", env=NO_AWS)
    assert code == 2
    line = one_line_error(err.split("\n", 1)[1])  # after the "resuming thread" line
    assert "'no-such-mode'" in line and top in line


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run `sleuth` with stdout on a pseudo-terminal, as a person at a terminal does; its output."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **{k: v or "" for k, v in NO_MODEL.items()}, **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_on_a_terminal_the_report_takes_its_width_colour_and_the_askers_clock() -> None:
    # benign-blip's trigger was asked at +10:00; its report shows that clock beside UTC.
    out = _on_a_terminal(["demo", "benign-blip", "-q"], {"COLUMNS": "72", "NO_COLOR": ""})
    assert "\x1b[1;32mVERDICT: No fault found\x1b[0m" in out
    plain = [line for line in out.splitlines() if "\x1b" not in line]
    assert max(len(line) for line in plain if not line.lstrip().startswith(("$", "aws ", "re-run"))) <= 72
    assert "TIMELINE (UTC; ASKER'S CLOCK UTC+10:00)" in out
    assert "SLEUTH INCIDENT REPORT: fulfilment-rds-instance-1-cpu" in out


def test_no_color_and_pipes_get_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent import cli

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "90")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._terminal(no_color=False) == (90, True)
    assert cli._terminal(no_color=True) == (90, False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli._terminal(no_color=False) == (90, False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    monkeypatch.delenv("NO_COLOR")
    assert cli._terminal(no_color=False) == (100, False)
