"""The `sleuth` command line as a user meets it: exit codes, one-line errors, what goes where."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app

NO_MODEL = {"ANTHROPIC_API_KEY": "", "SLEUTH_BEDROCK": "", "AWS_EC2_METADATA_DISABLED": "true"}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
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
