"""SNS and S3 deliveries against moto's server over real HTTP."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from agent.report.model import Report
from agent.triggers.delivery import s3, sns
from agent.triggers.delivery.truncate import utf8_len
from tests.agent.report import samples

pytestmark = pytest.mark.moto

CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
AT = datetime(2026, 11, 26, 14, 7, 30, tzinfo=UTC)
NOTICE = "Full report: in the Sleuth log under investigation inv-1 (no report bucket configured)."


def topic_to_queue(moto_session: Callable[[str], Any], *, raw: bool, fifo: bool = False) -> tuple[str, str]:
    """A topic with an SQS queue subscribed, so tests read what SNS delivered."""
    sns_client, sqs = moto_session("sns"), moto_session("sqs")
    name = "sleuth-reports" + (".fifo" if fifo else "")
    attrs = {"FifoTopic": "true", "ContentBasedDeduplication": "false"} if fifo else {}
    topic = sns_client.create_topic(Name=name, Attributes=attrs)["TopicArn"]
    queue_attrs = {"FifoQueue": "true"} if fifo else {}
    queue = sqs.create_queue(QueueName="inbox" + (".fifo" if fifo else ""), Attributes=queue_attrs)[
        "QueueUrl"
    ]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns_client.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true" if raw else "false"},
    )
    return topic, queue


def received(moto_session: Callable[[str], Any], queue: str) -> list[str]:
    out = moto_session("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    return [m["Body"] for m in out.get("Messages", [])]


def test_sns_delivers_subject_and_markdown_with_the_report_link(moto_session: Callable[[str], Any]) -> None:
    topic, queue = topic_to_queue(moto_session, raw=False)
    link = "https://reports.s3.amazonaws.com/sleuth/x/report.html"
    report = samples.root_cause()
    message_id, truncated = sns.publish(
        moto_session("sns"), topic, report, investigation_id="inv-1", link=link, link_notice=NOTICE
    )
    (body,) = received(moto_session, queue)
    envelope = json.loads(body)
    assert envelope["MessageId"] == message_id and not truncated
    assert envelope["Subject"] == "Sleuth: Root cause found - web-5xx"
    lines = envelope["Message"].split("\n")
    assert lines[0] == f"Full report: {link}"
    assert lines[2] == "# Incident report: web-5xx"
    assert (
        "aws ecs update-service --cluster prod --service web --task-definition web:41" in envelope["Message"]
    )


def test_subject_is_printable_ascii_under_100_characters(moto_session: Callable[[str], Any]) -> None:
    report = samples.root_cause()
    report.alarm = "Café latency\nrégression " + "x" * 200
    subject = sns.subject(report)
    assert subject.startswith("Sleuth: Root cause found - Cafe latency regression xxx") and subject.endswith(
        "..."
    )
    assert len(subject) == 99 and subject.isascii() and subject.isprintable()
    topic, queue = topic_to_queue(moto_session, raw=False)
    sns.publish(moto_session("sns"), topic, report, investigation_id="inv-1", link=None, link_notice=NOTICE)
    assert json.loads(received(moto_session, queue)[0])["Subject"] == subject
    # what the subject guards against: moto, like SNS, refuses a subject of 100 characters or more
    with pytest.raises(ClientError, match="Subject"):
        moto_session("sns").publish(TopicArn=topic, Subject="S" * 101, Message="m")


def huge_report() -> Report:
    report = samples.root_cause()
    for i, ev in enumerate(report.evidence):
        ev.summary = f"ev {i}: " + "timeout in prod pool ⏱ é " * 4000  # ~100 KB each, multibyte
    return report


def test_sns_message_is_cut_to_256_kib_with_a_notice(moto_session: Callable[[str], Any]) -> None:
    report = huge_report()
    body, truncated = sns.message(report, link=None, link_notice=NOTICE)
    assert truncated and utf8_len(body) <= 262_144 and utf8_len(body) > 250_000
    assert body.endswith(f"{NOTICE}]") and "[Report truncated to fit SNS's 256 KiB message limit (" in body
    fences = [line.strip() for line in body.split("\n") if re.match(r"^\s*```", line)]
    assert len(fences) % 2 == 0  # every code block opened is closed
    topic, queue = topic_to_queue(moto_session, raw=True)
    sns.publish(moto_session("sns"), topic, report, investigation_id="inv-1", link=None, link_notice=NOTICE)
    assert received(moto_session, queue) == [body]  # raw delivery: exactly what was published


def test_the_limit_is_what_sns_enforces(moto_session: Callable[[str], Any]) -> None:
    topic, _ = topic_to_queue(moto_session, raw=True)
    client = moto_session("sns")
    client.publish(TopicArn=topic, Message="a" * 262_144)
    with pytest.raises(ClientError, match="too long"):
        client.publish(TopicArn=topic, Message="a" * 262_145)


def test_fifo_topic_gets_group_and_deduplication_ids(moto_session: Callable[[str], Any]) -> None:
    topic, queue = topic_to_queue(moto_session, raw=True, fifo=True)
    assert sns.fifo_ids(topic, "web-5xx", "inv-1") == {
        "MessageGroupId": "web-5xx",
        "MessageDeduplicationId": "inv-1",
    }
    assert sns.fifo_ids("arn:aws:sns:us-east-1:123456789012:plain", "a", "b") == {}
    long_id = sns.fifo_ids(topic, "g", "é" + "i" * 300)["MessageDeduplicationId"]
    assert len(long_id) == 128 and long_id.startswith("-iii")
    report = samples.root_cause()
    sns.publish(moto_session("sns"), topic, report, investigation_id="inv-1", link=None, link_notice=NOTICE)
    # the same investigation published again within the deduplication interval is dropped by SNS FIFO
    sns.publish(moto_session("sns"), topic, report, investigation_id="inv-1", link=None, link_notice=NOTICE)
    assert len(received(moto_session, queue)) == 1
    with pytest.raises(ClientError, match="MessageGroupId"):
        moto_session("sns").publish(TopicArn=topic, Message="no group")


def fetch(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.headers["Content-Type"], resp.read().decode()


def test_s3_stores_html_and_json_by_date_alarm_and_investigation(
    moto_session: Callable[[str], Any], moto_endpoint: str
) -> None:
    client = moto_session("s3")
    client.create_bucket(Bucket="sleuth-reports")
    report = samples.root_cause()
    stored = s3.store(client, "sleuth-reports", report, prefix="sleuth/", at=AT, investigation_id="inv-1")
    assert stored.html_key == "sleuth/2026/11/26/web-5xx/inv-1/report.html"
    assert stored.json_key == "sleuth/2026/11/26/web-5xx/inv-1/report.json"
    assert stored.html_url == f"{moto_endpoint}/sleuth-reports/{stored.html_key}" == stored.link
    html_obj = client.get_object(Bucket="sleuth-reports", Key=stored.html_key)
    assert html_obj["ContentType"] == "text/html; charset=utf-8"
    page = html_obj["Body"].read().decode()
    assert page.lstrip().lower().startswith("<!doctype html>") and "Deploy web:42 shrank" in page
    json_obj = client.get_object(Bucket="sleuth-reports", Key=stored.json_key)
    assert json_obj["ContentType"] == "application/json"
    back = Report.model_validate_json(json_obj["Body"].read())
    assert back.verdict == "root_cause" and back.alarm == "web-5xx"
    assert [h.rank for h in back.hypotheses] == [1, 2, 3] and len(back.evidence) == 5
    # the bucket is private: the plain object URL needs credentials, as on AWS
    with pytest.raises(urllib.error.HTTPError, match="403"):
        fetch(stored.json_url)


def test_presigned_link_serves_the_html(moto_session: Callable[[str], Any], moto_endpoint: str) -> None:
    client = s3.client(boto3.Session(**CREDENTIALS), endpoint_url=moto_endpoint)
    client.create_bucket(Bucket="sleuth-reports")
    stored = s3.store(
        client,
        "sleuth-reports",
        samples.no_fault(),
        prefix="",
        at=AT,
        investigation_id="inv-2",
        presign_seconds=3600,
    )
    assert stored.html_key == "2026/11/26/no-alarm/inv-2/report.html"
    assert "X-Amz-Signature=" in stored.link and "X-Amz-Expires=3600" in stored.link
    content_type, page = fetch(stored.link)
    assert content_type == "text/html; charset=utf-8" and "No fault found" in page


def test_key_segments_are_s3_safe() -> None:
    assert s3.segment("prod/api: 5xx > 1%") == "prod-api-5xx-1"
    assert s3.segment("..") == "unnamed" and s3.segment("///") == "unnamed"
    assert s3.segment("Ünïcode-alarm") == "n-code-alarm"
    html_key, _ = s3.keys("p/", datetime(2026, 1, 2, 23, 30, tzinfo=UTC), "a b", "inv/1")
    assert html_key == "p/2026/01/02/a-b/inv-1/report.html"


def test_object_urls_on_aws_endpoints() -> None:
    session = boto3.Session(region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    client = session.client("s3")
    assert (
        s3.object_url(client, "my-reports", "a/b c.html")
        == "https://my-reports.s3.eu-west-1.amazonaws.com/a/b%20c.html"
    )
    # dotted bucket names break the wildcard TLS certificate of virtual-hosted URLs
    assert s3.object_url(client, "my.reports", "k") == "https://s3.eu-west-1.amazonaws.com/my.reports/k"
