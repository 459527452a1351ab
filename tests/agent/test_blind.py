"""Blind is not healthy: an investigation that could not read its evidence says so, never 'no fault'."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from agent.cli import BLIND, app
from agent.investigate import could_not_investigate, handle_request, investigate
from agent.report import markdown, text
from agent.report.model import Report
from agent.triggers.delivery.sns import subject
from agent.triggers.events import parse_event
from agent.triggers.investigator import InvestigationRequest
from agent.triggers.scope import derive_scope
from tests.agent.triggers.conftest import alarm_event
from tools.aws import AwsClients, RetryPolicy

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
FAST = RetryPolicy(attempts=2, initial_s=0.01, max_wait_s=0.02)


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)


@pytest.fixture
def deny_all(moto_endpoint: str) -> Iterator[boto3.Session]:
    """A session for an IAM user with no policy, on a moto server that enforces IAM."""
    admin = boto3.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    iam = admin.client("iam", endpoint_url=moto_endpoint)
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    _auth(moto_endpoint, "0")
    try:
        yield boto3.Session(
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )
    finally:
        _auth(moto_endpoint, "inf")


def _auth(endpoint: str, count: str) -> None:
    req = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200


def _event() -> dict[str, object]:
    return alarm_event(
        "checkout-5xx",
        {"LoadBalancer": "app/checkout/0123456789abcdef"},
        NOW,
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_ELB_5XX_Count",
    )


@pytest.mark.moto
def test_deny_all_alarm_investigation_is_insufficient_data(
    deny_all: boto3.Session, moto_endpoint: str
) -> None:
    aws = AwsClients(deny_all, endpoint_url=moto_endpoint, retry=FAST)
    report = investigate(aws, now=NOW, alarm_event=_event())
    assert report.verdict == "insufficient_data"
    assert "cloudwatch:GetMetricData" in report.missing_permissions, report.data_gaps
    assert "no fault" not in report.summary.lower() and "less sensitive" not in report.summary
    assert "cloudwatch:GetMetricData" in report.summary
    rendered = text.render(report)
    assert "VERDICT: Could not investigate" in rendered, rendered
    assert "MISSING PERMISSIONS" in rendered
    assert "cloudwatch:GetMetricData" in markdown.render(report)


def test_no_credentials_without_preflight_is_insufficient_data(no_credentials: None) -> None:
    aws = AwsClients(boto3.Session(region_name="us-east-1"), retry=FAST)
    report = investigate(aws, now=NOW, question="why is checkout returning 5xx?")
    assert report.verdict == "insufficient_data"
    assert any("NoCredentialsError" in g for g in report.data_gaps)


def test_cli_without_credentials_fails_fast_in_one_line(no_credentials: None) -> None:
    result = CliRunner().invoke(
        app, ["investigate", "why is checkout returning 5xx?", "--region", "us-east-1"]
    )
    assert result.exit_code == BLIND
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("planner")]
    assert len(lines) == 1 and "no AWS credentials" in lines[0], result.stderr
    assert "No fault" not in result.stdout


def test_cli_with_unknown_profile_is_one_line(no_credentials: None) -> None:
    result = CliRunner().invoke(
        app, ["investigate", "why 5xx?", "--profile", "nope", "--region", "us-east-1"]
    )
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "nope" in result.stderr


def test_cli_without_region_fails_fast(no_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    result = CliRunner().invoke(app, ["investigate", "why 5xx?"])
    assert result.exit_code == BLIND and "no AWS region" in result.stderr


def test_lambda_path_delivers_could_not_investigate(no_credentials: None) -> None:
    clients = AwsClients(boto3.Session(region_name="us-east-1"), retry=FAST)
    parsed = parse_event(json.dumps(_event()))
    request = InvestigationRequest(
        investigation_id="x", event=parsed, scope=derive_scope(parsed), clients=clients
    )
    report = Report.model_validate(handle_request(request))
    assert report.verdict == "insufficient_data"
    assert "Could not investigate" in subject(report) and "no AWS credentials" in report.summary
    assert report.alarm == "checkout-5xx"


def test_blind_report_never_reads_as_all_clear() -> None:
    report = Report.model_validate(
        could_not_investigate("no AWS region", start=NOW - timedelta(hours=1), end=NOW)
    )
    assert "No fault" not in text.render(report)
