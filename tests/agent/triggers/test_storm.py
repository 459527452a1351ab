"""Storm control and the Lambda's settings: dedupe 0, draining from the CLI, the key from Secrets Manager."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from agent.investigate import trigger_brain
from agent.triggers.dedupe import DedupePolicy
from agent.triggers.lambda_handler import ConfigError, load_api_key
from agent.triggers.runner import handle_and_drain, on_alarm
from agent.triggers.sqlite_store import SQLiteStore
from tests.agent.triggers.conftest import FakeInvestigator, alarm_event

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_dedupe_zero_counts_a_redelivered_event_once(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db", DedupePolicy(dedupe_minutes=0))
    event = alarm_event("cpu", {"InstanceId": "i-0000000000000000a"}, T0)
    first = on_alarm(event, FakeInvestigator(), store, clock=lambda: T0)
    again = on_alarm(event, FakeInvestigator(), store, clock=lambda: T0)
    assert first["status"] == "investigated" and again["status"] == "joined"
    later = alarm_event("cpu", {"InstanceId": "i-0000000000000000a"}, T0 + timedelta(minutes=1))
    assert on_alarm(later, FakeInvestigator(), store, clock=lambda: T0)["status"] == "investigated"
    store.close()


def test_cap_is_keyed_on_arrival_not_on_the_alarm_timestamp(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db", DedupePolicy(cap=5, cap_window_minutes=15))
    now = T0 + timedelta(days=1)
    statuses = [
        on_alarm(
            alarm_event(f"a{i}", {"InstanceId": f"i-{i:017x}"}, T0 - timedelta(minutes=20 * i)),
            FakeInvestigator(),
            store,
            clock=lambda: now,
        )["status"]
        for i in range(40)
    ]
    assert statuses.count("investigated") == 5 and statuses.count("queued") == 35
    store.close()


def test_on_alarm_cli_drains_like_the_lambda(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db", DedupePolicy(cap=1, cap_window_minutes=15))
    investigator = FakeInvestigator()
    handle_and_drain(
        alarm_event("a", {"InstanceId": "i-0000000000000000a"}, T0), investigator, store, clock=lambda: T0
    )
    queued = handle_and_drain(
        alarm_event("b", {"InstanceId": "i-0000000000000000b"}, T0), investigator, store, clock=lambda: T0
    )
    assert queued["status"] == "queued"
    later = T0 + timedelta(minutes=15)
    redelivered = handle_and_drain(
        alarm_event("a", {"InstanceId": "i-0000000000000000a"}, T0), investigator, store, clock=lambda: later
    )
    assert redelivered["status"] == "joined" and redelivered["queued_run"][0]["status"] == "investigated"
    store.close()


def test_on_alarm_command_drains_the_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from agent.cli import app
    from evals.scenarios import build

    for name in ("SLEUTH_SNS_TOPIC_ARN", "SLEUTH_REPORT_BUCKET", "SLEUTH_SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    built = build("sg-rule-revoked", 1)
    bundle = built.write(tmp_path / "bundle")
    trigger = built.manifest.trigger.alarm_event
    assert trigger is not None
    event = trigger.model_dump(mode="json", by_alias=True)
    db = tmp_path / "state.db"
    full = SQLiteStore(db, DedupePolicy(cap=0))  # a storm filled the window: this one waits
    assert on_alarm(event, FakeInvestigator(), full)["status"] == "queued"
    full.close()
    ok = json.loads(json.dumps(event))
    ok["detail"]["state"]["value"], ok["detail"]["previousState"]["value"] = "OK", "ALARM"
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(ok))
    result = CliRunner().invoke(app, ["on-alarm", str(path), "--bundle", str(bundle), "--state-db", str(db)])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["status"] == "ignored" and out["queued_run"][0]["status"] == "investigated"


@pytest.mark.moto
@pytest.mark.parametrize(
    ("secret", "expected"),
    [("sk-plain-key", "sk-plain-key"), (json.dumps({"ANTHROPIC_API_KEY": "sk-json-key"}), "sk-json-key")],
)
def test_api_key_is_fetched_from_secrets_manager(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, secret: str, expected: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    arn = session.client("secretsmanager").create_secret(Name="sleuth-key", SecretString=secret)["ARN"]
    env = {"SLEUTH_API_KEY_SECRET_ARN": arn}
    load_api_key(env, session)
    assert env["ANTHROPIC_API_KEY"] == expected
    with pytest.raises(ConfigError, match="cannot read the API key secret"):
        load_api_key({"SLEUTH_API_KEY_SECRET_ARN": arn + "-gone"}, session)


def test_the_trigger_uses_a_model_only_when_named_and_reachable() -> None:
    assert trigger_brain({}) == "rules"
    assert trigger_brain({"SLEUTH_MODEL": "claude-x"}) == "rules"  # named but no key: rules, not a failure
    assert trigger_brain({"SLEUTH_MODEL": "claude-x", "ANTHROPIC_API_KEY": "k"}) == "claude"
    assert trigger_brain({"SLEUTH_MODEL": "m", "SLEUTH_BEDROCK": "true"}) == "claude"
