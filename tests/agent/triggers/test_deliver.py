"""`deliver` and its wiring: all deliveries together, redaction everywhere, failures isolated, the runner
and Lambda seams. Slack is a local webhook server; SNS, SQS (to read what SNS sent) and S3 are moto's."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from agent.report.model import ReportRemediation
from agent.triggers.dedupe import DedupePolicy
from agent.triggers.delivery import DeliveryConfig, DeliveryConfigError, ReportDelivery, deliver
from agent.triggers.dynamodb_store import DynamoDBStore, create_table
from agent.triggers.lambda_handler import ConfigError, deps_from_env, handler
from agent.triggers.runner import on_alarm
from agent.triggers.sqlite_store import SQLiteStore
from tests.agent.report import samples
from tests.agent.triggers import fake_investigator
from tests.agent.triggers.conftest import FakeInvestigator, sample
from tests.agent.triggers.test_deliver_slack import SlackServer, check_slack_limits
from tests.agent.triggers.test_deliver_sns_s3 import AT, CREDENTIALS, received, topic_to_queue

pytestmark = pytest.mark.moto

BUCKET = "sleuth-reports"
TOKEN = "ghp_" + "Z" * 36
BEARER = "Bearer abcdefghijklmnopqrstuvwxyz012345"


@pytest.fixture
def webhook() -> Iterator[SlackServer]:
    server = SlackServer()
    yield server
    server.close()


@pytest.fixture
def session() -> boto3.Session:
    return boto3.Session(**CREDENTIALS)


@pytest.fixture
def aws(moto_session: Callable[[str], Any]) -> tuple[str, str]:
    """The report bucket, and the report topic with a queue reading it: (topic arn, queue url)."""
    moto_session("s3").create_bucket(Bucket=BUCKET)
    return topic_to_queue(moto_session, raw=False)


def s3_objects(moto_session: Callable[[str], Any]) -> dict[str, tuple[str, str]]:
    client = moto_session("s3")
    out = {}
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        obj = client.get_object(Bucket=BUCKET, Key=item["Key"])
        out[item["Key"]] = (obj["ContentType"], obj["Body"].read().decode())
    return out


def test_all_deliveries_link_to_the_stored_report(
    aws: tuple[str, str],
    webhook: SlackServer,
    moto_session: Callable[[str], Any],
    moto_endpoint: str,
    session: boto3.Session,
) -> None:
    topic, queue = aws
    config = DeliveryConfig(
        slack_webhook_url=webhook.url, sns_topic_arn=topic, report_bucket=BUCKET, endpoint_url=moto_endpoint
    )
    result = deliver(samples.root_cause(), config, investigation_id="inv-7", at=AT, session=session)
    html_url = f"{moto_endpoint}/{BUCKET}/sleuth/2026/11/26/web-5xx/inv-7/report.html"
    assert result.ok and [o.channel for o in result.outcomes] == ["s3", "sns", "slack"]
    assert result.urls == {"html": html_url, "json": html_url.replace(".html", ".json"), "link": html_url}
    assert sorted(s3_objects(moto_session)) == [
        "sleuth/2026/11/26/web-5xx/inv-7/report.html",
        "sleuth/2026/11/26/web-5xx/inv-7/report.json",
    ]
    (envelope,) = [json.loads(b) for b in received(moto_session, queue)]
    assert envelope["Message"].startswith(f"Full report: {html_url}\n")
    assert result.outcomes[1].detail == envelope["MessageId"]
    (posted,) = webhook.posts
    check_slack_limits(posted)
    assert f"<{html_url}|Full report (HTML)>" in json.dumps(posted)
    assert result.as_dict() == {
        "investigation_id": "inv-7",
        "delivered": ["s3", "sns", "slack"],
        "failed": {},
        "urls": result.urls,
    }


def planted_report() -> Any:
    """The sample report with secrets as log lines carry them, in every kind of text a delivery shows."""
    report = samples.root_cause()  # evidence ev-2 already holds a password, a URL password and an access key
    report.summary += f" Log line: Authorization: {BEARER} token={TOKEN}"
    top = next(h for h in report.hypotheses if h.rank == 1)
    top.title += f" (password={samples.SECRET})"
    top.remediation = [
        ReportRemediation(
            action="rollback",
            description=f"Roll back; the old task used api_key={TOKEN}",
            command=f"curl -H 'Authorization: {BEARER}' https://deploy.internal/rollback",
        )
    ]
    report.evidence[0].summary = f"deploy with AWS key {samples.ACCESS_KEY} password: {samples.SECRET}"
    return report


def test_secrets_from_log_lines_reach_no_delivery(
    aws: tuple[str, str],
    webhook: SlackServer,
    moto_session: Callable[[str], Any],
    moto_endpoint: str,
    session: boto3.Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    topic, queue = aws
    config = DeliveryConfig(
        slack_webhook_url=webhook.url, sns_topic_arn=topic, report_bucket=BUCKET, endpoint_url=moto_endpoint
    )
    report = planted_report()
    assert samples.SECRET in report.model_dump_json() and TOKEN in report.model_dump_json()
    with caplog.at_level(logging.DEBUG):
        result = deliver(report, config, investigation_id="inv-8", at=AT, session=session)
    assert result.ok
    slack_payload = b"".join(webhook.raw).decode()
    sns_payload = "".join(received(moto_session, queue))
    objects = s3_objects(moto_session)
    payloads = {"slack": slack_payload, "sns": sns_payload, **{k: v for k, (_, v) in objects.items()}}
    assert len(payloads) == 4
    for where, text in payloads.items():
        for secret in (samples.SECRET, samples.ACCESS_KEY, TOKEN, BEARER.split()[1]):
            assert secret not in text, f"{secret} leaked into {where}"
        assert "[REDACTED]" in text, where  # redacted, not dropped
    # the report itself is still all there: the redacted JSON holds every evidence item
    json_key = next(k for k in objects if k.endswith(".json"))
    assert len(json.loads(objects[json_key][1])["evidence"]) == 5
    assert "Roll back" in slack_payload and "curl -H" in slack_payload


def test_a_failed_delivery_loses_nothing_and_the_others_proceed(
    aws: tuple[str, str],
    webhook: SlackServer,
    moto_session: Callable[[str], Any],
    moto_endpoint: str,
    session: boto3.Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, queue = aws
    webhook.script = [(404, {}, "channel_not_found")]
    config = DeliveryConfig(
        slack_webhook_url=webhook.url,
        sns_topic_arn="arn:aws:sns:us-east-1:123456789012:no-such-topic",
        report_bucket=BUCKET,
        endpoint_url=moto_endpoint,
    )
    with caplog.at_level(logging.DEBUG):
        result = deliver(planted_report(), config, investigation_id="inv-9", at=AT, session=session)
    assert [(o.channel, o.ok) for o in result.outcomes] == [("s3", True), ("sns", False), ("slack", False)]
    failed = result.as_dict()["failed"]
    assert failed["slack"] == "SlackError: Slack refused the message: HTTP 404 channel_not_found"
    assert failed["sns"].startswith("NotFoundException: ") and "Publish" in failed["sns"]
    assert len(s3_objects(moto_session)) == 2 and received(moto_session, queue) == []
    # Slack still got the S3 link, and the full (redacted) report is in the log
    assert "report.html|Full report (HTML)>" in json.dumps(webhook.posts[0])
    logged = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith("{")]
    (line,) = [entry for entry in logged if "report" in entry]
    assert line["investigation_id"] == "inv-9" and line["report"]["verdict"] == "root_cause"
    assert line["delivery"]["delivered"] == ["s3"]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert webhook.url not in everything and "XXXXSECRETXXXX" not in everything
    assert samples.SECRET not in everything and TOKEN not in everything
    assert "XXXXSECRETXXXX" not in repr(config)


def test_when_s3_fails_the_others_say_where_the_report_is(
    webhook: SlackServer, moto_endpoint: str, session: boto3.Session
) -> None:
    config = DeliveryConfig(
        slack_webhook_url=webhook.url, report_bucket="missing-bucket", endpoint_url=moto_endpoint
    )
    result = deliver(samples.root_cause(), config, investigation_id="inv-3", at=AT, session=session)
    assert result.as_dict()["failed"]["s3"].startswith("NoSuchBucket: ")
    link_block = webhook.posts[0]["blocks"][6]["text"]["text"]
    assert link_block == (
        ":page_facing_up: The full report could not be stored in S3; it is in the Sleuth log under investigation inv-3."
    )


def test_nothing_configured_still_logs_the_report(
    caplog: pytest.LogCaptureFixture, session: boto3.Session
) -> None:
    with caplog.at_level(logging.INFO, logger="agent.triggers.delivery.dispatch"):
        result = deliver(
            {"verdict": "inconclusive", "summary": f"token={TOKEN}"}, DeliveryConfig(), session=session
        )
    assert result.outcomes == [] and result.investigation_id.startswith("rep-")
    (record,) = caplog.records
    assert json.loads(record.getMessage())["report"]["summary"] == "token=[REDACTED]"


def test_the_runner_seam_delivers_and_records_failures(
    tmp_path: Path, webhook: SlackServer, session: boto3.Session
) -> None:
    store = SQLiteStore(tmp_path / "t.db", DedupePolicy())
    seam = ReportDelivery(DeliveryConfig(slack_webhook_url=webhook.url), session)
    result = on_alarm(sample("single_metric"), FakeInvestigator(), store, deliver=seam)
    assert result["status"] == "investigated" and "delivery_error" not in result
    (posted,) = webhook.posts
    assert (
        posted["blocks"][0]["text"]["text"]
        == ":warning: Inconclusive: cannot tell from this data: ServerCpuTooHigh"
    )
    assert seam.results[0].investigation_id == result["investigation_id"]

    webhook.script = [(410, {}, "channel_is_archived")]
    other = sample("single_metric")
    other["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"] = {
        "InstanceId": "i-2"
    }
    result = on_alarm(other, FakeInvestigator(), store, deliver=seam)
    assert result["status"] == "investigated"
    assert result["delivery_error"] == (
        "DeliveryFailed: slack: SlackError: Slack refused the message: HTTP 410 channel_is_archived"
    )
    assert [i.status for i in store.investigations()] == ["done", "done"]  # the report is kept
    store.close()


def test_a_report_off_contract_is_logged_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, session: boto3.Session
) -> None:
    store = SQLiteStore(tmp_path / "t.db", DedupePolicy())
    seam = ReportDelivery(DeliveryConfig(report_bucket=BUCKET), session)
    bad = FakeInvestigator({"verdict": "maybe", "summary": f"password={samples.SECRET}"})
    with caplog.at_level(logging.WARNING, logger="agent.triggers.delivery.dispatch"):
        result = on_alarm(sample("single_metric"), bad, store, deliver=seam)
    assert result["delivery_error"].startswith("DeliveryFailed: report does not match the report contract")
    assert json.loads(caplog.records[0].getMessage())["report"]["summary"] == "password=[REDACTED]"
    store.close()


def test_config_from_environment() -> None:
    env = {
        "SLEUTH_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/XXXXSECRET",
        "SLEUTH_REPORT_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:reports",
        "SLEUTH_REPORT_BUCKET": "team-reports",
        "SLEUTH_REPORT_PREFIX": "/incidents",
        "SLEUTH_REPORT_PRESIGN_SECONDS": "86400",
    }
    config = DeliveryConfig.from_env(env)
    assert config.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:reports"  # the template's name
    assert config.prefix == "incidents/" and config.presign_seconds == 86400 and config.configured
    assert "XXXXSECRET" not in repr(config)
    own = DeliveryConfig.from_env({**env, "SLEUTH_SNS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:mine"})
    assert own.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:mine"
    assert DeliveryConfig.from_env({}).prefix == "sleuth/" and not DeliveryConfig.from_env({}).configured
    assert DeliveryConfig.from_env({"SLEUTH_REPORT_PREFIX": ""}).prefix == ""
    for bad, message in [
        ({"SLEUTH_SLACK_WEBHOOK_URL": "http://hooks.slack.com/XXXXSECRET"}, "https://"),
        ({"SLEUTH_SNS_TOPIC_ARN": "reports"}, "not an SNS topic ARN"),
        ({"SLEUTH_REPORT_BUCKET": "Bad_Bucket"}, "not a bucket name"),
        ({"SLEUTH_REPORT_PRESIGN_SECONDS": "604801"}, "must be 0..604800"),
        ({"SLEUTH_REPORT_PRESIGN_SECONDS": "a day"}, "must be an integer"),
    ]:
        with pytest.raises(DeliveryConfigError, match=message) as err:
            DeliveryConfig.from_env(bad)
        assert "XXXXSECRET" not in str(err.value)


@pytest.fixture
def lambda_env(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, aws: tuple[str, str], webhook: SlackServer
) -> Iterator[None]:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "SLEUTH_MAX_INVESTIGATIONS", "SLEUTH_REPORT_TOPIC_ARN"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SLEUTH_DEDUPE_TABLE": "sleuth-dedupe",
        "SLEUTH_INVESTIGATOR": "tests.agent.triggers.fake_investigator:investigate",
        "SLEUTH_SLACK_WEBHOOK_URL": webhook.url,
        "SLEUTH_SNS_TOPIC_ARN": aws[0],
        "SLEUTH_REPORT_BUCKET": BUCKET,
        "SLEUTH_REPORT_PREFIX": "reports",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    create_table(
        boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto_endpoint), "sleuth-dedupe"
    )
    fake_investigator.CALLS.clear()
    yield
    fake_investigator.CALLS.clear()


def test_lambda_delivers_to_every_configured_channel(
    lambda_env: None,
    aws: tuple[str, str],
    webhook: SlackServer,
    moto_session: Callable[[str], Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        result = handler(sample("single_metric"), None)
    assert result["status"] == "investigated" and "delivery_error" not in result
    inv = result["investigation_id"]
    # keyed by the alarm's state change (the sample's 2019-10-02), not by when the Lambda ran
    assert sorted(s3_objects(moto_session)) == [
        f"reports/2019/10/02/ServerCpuTooHigh/{inv}/report.html",
        f"reports/2019/10/02/ServerCpuTooHigh/{inv}/report.json",
    ]
    (envelope,) = [json.loads(b) for b in received(moto_session, aws[1])]
    assert envelope["Subject"] == "Sleuth: No fault found - ServerCpuTooHigh"
    assert (
        webhook.posts[0]["blocks"][0]["text"]["text"] == ":white_check_mark: No fault found: ServerCpuTooHigh"
    )
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "XXXXSECRETXXXX" not in everything
    assert store_status(inv) == "done"


def store_status(inv: str) -> str:
    client = boto3.client("dynamodb")
    (found,) = [i for i in DynamoDBStore(client, "sleuth-dedupe").investigations() if i.id == inv]
    return found.status


def test_lambda_records_a_failed_delivery_without_failing(lambda_env: None, webhook: SlackServer) -> None:
    webhook.script = [(403, {}, "action_prohibited")]
    result = handler(sample("single_metric"), None)
    assert result["status"] == "investigated"
    assert (
        result["delivery_error"]
        == "DeliveryFailed: slack: SlackError: Slack refused the message: HTTP 403 action_prohibited"
    )


def test_lambda_refuses_a_malformed_delivery_setting() -> None:
    session = boto3.Session(**CREDENTIALS)
    env = {"SLEUTH_DEDUPE_TABLE": "t", "SLEUTH_SNS_TOPIC_ARN": "not-an-arn"}
    with pytest.raises(ConfigError, match="SLEUTH_SNS_TOPIC_ARN is not an SNS topic ARN"):
        deps_from_env(env, session)
