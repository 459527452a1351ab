"""The terminal feed prints data as data: no Rich markup from log text or paths, no terminal escapes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from agent import cli
from evals.scenarios import build

PATTERN = "Communications link failure to [/10.40.103.172:3306] \x1b[2J\x1b[31mred"


def test_feed_prints_log_text_verbatim_without_escapes(capsys: object) -> None:
    import pytest

    assert isinstance(capsys, pytest.CaptureFixture)
    cli._progress(False)(f"  found ev-3: {PATTERN}")
    err = capsys.readouterr().err
    assert "[/10.40.103.172:3306]" in err
    assert "\x1b" not in err


def test_investigate_with_bracketed_paths_finishes(tmp_path: Path) -> None:
    odd = tmp_path / "[/odd]"
    bundle = build("sg-rule-revoked", 1).write(odd / "bundle")
    out = odd / "[/x]report.md"
    result = CliRunner().invoke(
        cli.app, ["investigate", "--bundle", str(bundle), "--format", "md", "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("#")
    assert f"report written to {out}" in result.stderr


def test_error_messages_with_brackets_are_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "[/nope]"
    result = CliRunner().invoke(cli.app, ["investigate", "--bundle", str(missing)])
    assert result.exit_code == 2
    assert "[/nope]" in result.stderr and len(result.stderr.strip().splitlines()) == 1
