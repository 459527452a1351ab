"""One redaction pass at every boundary: tool results, JSON reports, stores and the Lambda's log line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.triggers.dedupe import DedupePolicy
from agent.triggers.events import parse_event
from agent.triggers.investigator import InvestigationRequest
from agent.triggers.runner import on_alarm
from agent.triggers.scope import derive_scope
from agent.triggers.sqlite_store import SQLiteStore
from evals.scenarios import build
from tests.agent.triggers.conftest import FakeInvestigator, sample

AKID = "AKIA" + "IOSFODNN7" + "QWERTY2"
SESSION = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD"
STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
T0 = datetime(2024, 5, 1, 5, 0, tzinfo=UTC)


def test_json_report_is_redacted(tmp_path: Path) -> None:
    bundle = build("aurora-asg-loop", 1).write(tmp_path / "b")
    question = f"why 5xx? we rotated {AKID} and password=hunter2hunter2 yesterday"
    result = CliRunner().invoke(
        app, ["investigate", question, "--bundle", str(bundle), "--format", "json", "--quiet"]
    )
    assert result.exit_code == 0, result.stderr
    assert AKID[4:] not in result.stdout and "hunter2hunter2" not in result.stdout
    assert json.loads(result.stdout)["question"].startswith("why 5xx?")


def test_store_and_delivery_keep_no_secret(tmp_path: Path) -> None:
    leaky = FakeInvestigator(
        {"verdict": "inconclusive", "summary": f"saw DB_PASSWORD=hunter2hunter2 and {AKID}"}
    )
    store = SQLiteStore(tmp_path / "s.db", DedupePolicy())
    delivered: list[dict[str, Any]] = []
    on_alarm(sample("single_metric"), leaky, store, deliver=lambda _req, rep: delivered.append(rep))
    (inv,) = store.investigations()
    for kept in (json.dumps(inv.result), json.dumps(delivered)):
        assert "hunter2hunter2" not in kept and AKID[4:] not in kept
    store.close()


def test_lambda_log_line_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    from agent.triggers import lambda_handler

    caplog.set_level(logging.INFO)
    request = InvestigationRequest("inv-1", derive_scope(parse_event(sample("single_metric"))))
    lambda_handler.log_report(
        request, {"verdict": "inconclusive", "summary": f"Cookie: session=abc; {STRIPE}"}
    )
    assert STRIPE not in caplog.text and "session=abc" not in caplog.text
