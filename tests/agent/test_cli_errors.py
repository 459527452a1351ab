"""Bad input ends in one line naming the input, never a traceback; the runner records bad events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.triggers.dedupe import DedupePolicy
from agent.triggers.runner import on_alarm
from agent.triggers.sqlite_store import SQLiteStore
from tests.agent.triggers.conftest import FakeInvestigator, sample
from tests.conftest import BASE_MANIFEST


def _one_line_error(result: Any, *needles: str) -> None:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def _event_file(tmp_path: Path, event: Any) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event) if not isinstance(event, bytes) else "", encoding="utf-8")
    if isinstance(event, bytes):
        path.write_bytes(event)
    return path


def _stamped(year: int) -> dict[str, Any]:
    event = sample("single_metric")
    event["detail"]["state"]["timestamp"] = f"{year:04d}-01-01T00:00:00.000+0000"
    return event


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("SLEUTH_SNS_TOPIC_ARN", "SLEUTH_REPORT_BUCKET", "SLEUTH_SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


def test_alarm_event_with_null_detail(tmp_path: Path) -> None:
    event = sample("single_metric")
    event["detail"] = None
    result = CliRunner().invoke(app, ["investigate", "--alarm-event", str(_event_file(tmp_path, event))])
    _one_line_error(result, "event.json", "detail")


@pytest.mark.parametrize("year", [1, 9999])
def test_alarm_event_with_timestamp_out_of_range(tmp_path: Path, year: int) -> None:
    result = CliRunner().invoke(
        app, ["investigate", "--alarm-event", str(_event_file(tmp_path, _stamped(year)))]
    )
    _one_line_error(result, "event.json", "outside 1970-2999")


@pytest.mark.parametrize("year", [1, 9999])
def test_runner_records_out_of_range_events_as_unprocessed(tmp_path: Path, year: int) -> None:
    store = SQLiteStore(tmp_path / "s.db", DedupePolicy())
    result = on_alarm(json.dumps(_stamped(year)), FakeInvestigator(), store)
    assert result["status"] == "unprocessed"
    assert len(store.unprocessed()) == 1
    store.close()


def test_runner_records_deep_and_non_utf8_events(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db", DedupePolicy())
    for raw in (b"\xff\xfe{}", "[" * 100_000 + "]" * 100_000):
        assert on_alarm(raw, FakeInvestigator(), store)["status"] == "unprocessed"
    assert len(store.unprocessed()) == 2
    store.close()


def test_on_alarm_non_utf8_event_is_kept_as_unprocessed(tmp_path: Path, isolated: None) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "manifest.json").write_text(json.dumps(BASE_MANIFEST))
    path = _event_file(tmp_path, b'{"detail-type": "\xff"}')
    db = tmp_path / "s.db"
    result = CliRunner().invoke(app, ["on-alarm", str(path), "--state-db", str(db), "--bundle", str(bundle)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert json.loads(result.stdout)["status"] == "unprocessed"
    store = SQLiteStore(db)
    assert len(store.unprocessed()) == 1
    store.close()


def test_on_alarm_invalid_bundle(tmp_path: Path, isolated: None) -> None:
    bad = tmp_path / "bundle"
    bad.mkdir()
    (bad / "manifest.json").write_text("{}")
    path = _event_file(tmp_path, sample("single_metric"))
    result = CliRunner().invoke(
        app, ["on-alarm", str(path), "--bundle", str(bad), "--state-db", str(tmp_path / "s.db")]
    )
    _one_line_error(result, "manifest.json", "field")


def test_on_alarm_bad_delivery_setting(
    tmp_path: Path, isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLEUTH_SNS_TOPIC_ARN", "not-an-arn")
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "manifest.json").write_text(json.dumps(BASE_MANIFEST))
    path = _event_file(tmp_path, sample("single_metric"))
    result = CliRunner().invoke(
        app, ["on-alarm", str(path), "--bundle", str(bundle), "--state-db", str(tmp_path / "s.db")]
    )
    _one_line_error(result, "SLEUTH_SNS_TOPIC_ARN")


@pytest.mark.parametrize("kind", ["corrupt", "directory"])
def test_on_alarm_unusable_state_database(tmp_path: Path, isolated: None, kind: str) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "manifest.json").write_text(json.dumps(BASE_MANIFEST))
    db = tmp_path / "state.db"
    if kind == "corrupt":
        db.write_bytes(b"this is not a database" * 100)
    else:
        db.mkdir()
    path = _event_file(tmp_path, sample("single_metric"))
    result = CliRunner().invoke(app, ["on-alarm", str(path), "--bundle", str(bundle), "--state-db", str(db)])
    _one_line_error(result, "state database", str(db))


def test_unknown_aws_profile_in_the_environment(monkeypatch: pytest.MonkeyPatch, isolated: None) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    result = CliRunner().invoke(app, ["investigate", "why 5xx?", "--region", "us-east-1"])
    _one_line_error(result, "nope")


def test_eval_bundles_with_a_deep_manifest(tmp_path: Path) -> None:
    root = tmp_path / "cases" / "deep"
    root.mkdir(parents=True)
    (root / "manifest.json").write_text('{"truth": ' + "[" * 50_000 + "]" * 50_000 + "}")
    result = CliRunner().invoke(app, ["eval", "--bundles", str(tmp_path / "cases")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "nested too deeply" in result.stdout + result.stderr
