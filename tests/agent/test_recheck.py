"""`sleuth rerun`: an evidence item re-runs as its narrowest call and says whether it still holds.

Every evidence item of every built-in scenario's report is re-run by the regression gate
(tests/evals/test_gate.py, through evals.scoring.rerun_problems), where those reports are made anyway."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from agent.investigate import offline
from agent.recheck import find, recheck
from agent.report.model import Report
from evals.bundle import Bundle
from evals.replay import replay_session
from evals.scenarios import build
from tests.agent.test_cli import run
from tools.aws import AwsClients


@cache
def investigated(name: str) -> tuple[Bundle, Report]:
    bundle = build(name, 1)
    return bundle, offline(bundle)


def clients(bundle: Bundle) -> AwsClients:
    session, _ = replay_session(bundle)
    return AwsClients(session)


def test_scans_and_change_listings_rerun_as_the_one_metric_or_event() -> None:
    _, report = investigated("sg-rule-revoked")
    by_tool = {ev.source.tool: ev for ev in report.evidence}
    scan, listing = by_tool["key_metrics"], by_tool["recent_changes"]
    assert scan.rerun is not None and scan.rerun.tool == "metric_series"
    assert len(scan.aws_cli) == 1 and len(scan.aws_cli[0]) < 600
    assert '"Id":"m0"' in scan.aws_cli[0]
    assert listing.rerun is not None and listing.rerun.tool == "cloudtrail_lookup"
    assert listing.rerun.params["key"] == "EventId"
    assert f"AttributeKey=EventId,AttributeValue={listing.rerun.params['value']}" in listing.aws_cli[0]


def test_evidence_that_another_incident_lacks_does_not_hold() -> None:
    _, report = investigated("sg-rule-revoked")
    other = build("benign-blip", 1)
    change = next(ev for ev in report.evidence if ev.kind == "change_event")
    got = recheck(report, change.id, clients(other), other.manifest.now)
    assert not got.holds
    assert got.reason


def test_an_unknown_id_names_the_valid_ones() -> None:
    _, report = investigated("sg-rule-revoked")
    with pytest.raises(LookupError, match=r"ev-999.*ev-1, ev-2"):
        find(report, "ev-999")


def test_cli_rerun_exit_codes(tmp_path: Path) -> None:
    bundle, report = investigated("sg-rule-revoked")
    path = tmp_path / "report.json"
    path.write_text(report.model_dump_json(), encoding="utf-8")
    bundle_dir = bundle.write(tmp_path / "bundle")
    held = next(ev for ev in report.evidence if ev.kind == "change_event")
    code, out, _ = run("rerun", str(path), held.id, "--bundle", str(bundle_dir))
    assert code == 0, out
    assert f"{held.id} holds:" in out
    code, _, err = run("rerun", str(path), "ev-999", "--bundle", str(bundle_dir))
    assert code == 2
    assert "ev-999" in err and "ev-1" in err
    other = build("benign-blip", 1).write(tmp_path / "other")
    change = next(ev for ev in report.evidence if ev.kind == "change_event")
    code, out, _ = run("rerun", str(path), change.id, "--bundle", str(other))
    assert code == 1
    assert f"{change.id} does not hold" in out
