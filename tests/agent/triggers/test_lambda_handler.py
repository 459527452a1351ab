"""The Lambda entry point, configured by environment as deploy/template.yaml configures it, on moto."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from agent.triggers.dynamodb_store import DynamoDBStore, create_table
from agent.triggers.lambda_handler import ConfigError, deps_from_env, handler
from tests.agent.triggers import fake_investigator
from tests.agent.triggers.conftest import sample

TABLE = "sleuth-dedupe"
CONTEXT = SimpleNamespace(aws_request_id="req-1")


@pytest.fixture
def lambda_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBStore]:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "SLEUTH_MAX_INVESTIGATIONS"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SLEUTH_DEDUPE_TABLE": TABLE,
        "SLEUTH_INVESTIGATOR": "tests.agent.triggers.fake_investigator:investigate",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto_endpoint)
    create_table(client, TABLE)
    fake_investigator.CALLS.clear()
    yield DynamoDBStore(client, TABLE)
    fake_investigator.CALLS.clear()


def test_handler_investigates_then_dedupes(lambda_env: DynamoDBStore) -> None:
    first = handler(sample("single_metric"), CONTEXT)
    assert first["status"] == "investigated" and first["request_id"] == "req-1"
    assert first["summary"] == "ServerCpuTooHigh on ec2_instance:i-12345678901234567"
    assert json.loads(json.dumps(first)) == first  # a Lambda result must be JSON
    again = handler(sample("single_metric"), CONTEXT)  # EventBridge redelivery
    assert again["status"] == "joined" and again["alarms"] == 1
    assert len(fake_investigator.CALLS) == 1
    (inv,) = lambda_env.investigations()
    assert inv.status == "done" and inv.result["verdict"] == "no_fault"
    # the investigator got live clients built from the function's role (here: moto's endpoint)
    assert fake_investigator.CALLS[0].clients is not None and fake_investigator.CALLS[0].bundle is None


def test_handler_never_raises_on_a_bad_event(lambda_env: DynamoDBStore) -> None:
    for bad in ({"hello": "world"}, "not json", None):
        result = handler(bad, None)
        assert result["status"] == "unprocessed"
    assert [u.raw for u in lambda_env.unprocessed()] == ['{"hello": "world"}', "not json", "null"]
    ok = sample("single_metric")
    ok["detail"]["state"]["value"] = "OK"
    assert handler(ok, None)["status"] == "ignored"
    assert fake_investigator.CALLS == []


def test_storm_cap_from_environment(lambda_env: DynamoDBStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLEUTH_MAX_INVESTIGATIONS", "0")
    assert handler(sample("metric_math"), None)["status"] == "queued"
    assert fake_investigator.CALLS == []


def test_an_invocation_that_ran_nothing_runs_one_queued_investigation(
    lambda_env: DynamoDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLEUTH_MAX_INVESTIGATIONS", "1")
    first, second = sample("single_metric"), sample("single_metric")
    second["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"] = {
        "InstanceId": "i-2"
    }
    assert handler(first, None)["status"] == "investigated"
    # The cap window is the one the events arrive in (now), whatever their own timestamps say: it is
    # full, so the second is queued and this invocation's drain finds no room.
    result = handler(second, None)
    assert result["status"] == "queued" and "queued_run" not in result
    monkeypatch.setenv("SLEUTH_MAX_INVESTIGATIONS", "2")  # room again (as a later window would give)
    drained = handler({"sleuth": "drain"}, None)  # the scheduled drain, no alarm needed
    assert [(r["investigation_id"], r["status"]) for r in drained["queued_run"]] == [
        (result["investigation_id"], "investigated")
    ]
    assert [c.scope.resources[0].id for c in fake_investigator.CALLS] == ["i-12345678901234567", "i-2"]
    assert handler(second, None).get("queued_run") is None  # nothing left to run


def test_report_is_logged_as_json(lambda_env: DynamoDBStore, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="agent.triggers.lambda_handler"):
        handler(sample("single_metric"), None)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "agent.triggers.lambda_handler"]
    report = next(line for line in lines if "report" in line)
    assert report["report"]["verdict"] == "no_fault"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SLEUTH_DEDUPE_TABLE is not set"),
        ({"SLEUTH_DEDUPE_TABLE": "t", "SLEUTH_INVESTIGATOR": "nocolon"}, "must look like"),
        (
            {"SLEUTH_DEDUPE_TABLE": "t", "SLEUTH_INVESTIGATOR": "agent.nowhere:run"},
            "cannot load investigator",
        ),
        ({"SLEUTH_DEDUPE_TABLE": "t", "SLEUTH_DEDUPE_MINUTES": "ten"}, "must be an integer"),
    ],
)
def test_misconfiguration_fails_loudly(env: dict[str, Any], message: str) -> None:
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with pytest.raises(ConfigError, match=message):
        deps_from_env(env, session)
