"""SQS and Lambda event-source-mapping replay: queues by URL and name, attributes, dead-letter sources,
pages and not-found errors as AWS words them; message reads and writes never reach a handler."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused
from tests.conftest import BASE_MANIFEST, make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation, classify

URL = "https://sqs.us-east-1.amazonaws.com/123456789012"
ARN = "arn:aws:sqs:us-east-1:123456789012"
FN = "arn:aws:lambda:us-east-1:123456789012:function"
NOW_EPOCH = int(datetime.fromisoformat(BASE_MANIFEST["now"]).timestamp())


def queue(name: str, **attrs: str) -> dict[str, Any]:
    return {
        "service": "sqs",
        "type": "Queue",
        "item": {
            "QueueUrl": f"{URL}/{name}",
            "Attributes": {
                "QueueArn": f"{ARN}:{name}",
                "VisibilityTimeout": "30",
                "ApproximateNumberOfMessages": "0",
                "CreatedTimestamp": str(NOW_EPOCH - 86400),
                **attrs,
            },
            "Tags": {"team": "orders"} if name == "orders" else {},
        },
    }


def mapping(uuid: str, source: str, function: str, state: str = "Enabled") -> dict[str, Any]:
    return {
        "service": "lambda",
        "type": "EventSourceMappingConfiguration",
        "item": {
            "UUID": uuid,
            "EventSourceArn": f"{ARN}:{source}",
            "FunctionArn": f"{FN}:{function}",
            "State": state,
            "BatchSize": 10,
            "LastProcessingResult": "OK" if state == "Enabled" else "No records processed",
            "LastModified": "2024-05-01T05:10:00Z",
        },
    }


U1, U2, U3, U9 = (f"{n}1b2c3d4-0000-4000-8000-00000000000{n}" for n in "1239")
REDRIVE = json.dumps({"deadLetterTargetArn": f"{ARN}:orders-dlq", "maxReceiveCount": 5})
RECORDS = [
    queue("orders", RedrivePolicy=REDRIVE, ApproximateNumberOfMessages="1200", VisibilityTimeout="20"),
    queue("orders-dlq", ApproximateNumberOfMessages="37"),
    queue("orders-retry", RedrivePolicy=REDRIVE),
    queue("payments"),
    queue("later", CreatedTimestamp=str(NOW_EPOCH + 60)),  # created after now: not there yet
    mapping(U1, "orders", "order-worker"),
    mapping(U2, "payments", "pay-worker", state="Disabled"),
    mapping(U3, "orders-retry", "order-worker"),
]


@pytest.fixture
def clients(replay: Callable[..., Any]) -> tuple[Any, Any]:
    session, _ = replay({"resources": RECORDS})
    return session.client("sqs"), session.client("lambda")


def test_list_queues_by_prefix_and_in_pages(clients: tuple[Any, Any]) -> None:
    sqs, _ = clients
    assert sqs.list_queues()["QueueUrls"] == [
        f"{URL}/orders",
        f"{URL}/orders-dlq",
        f"{URL}/orders-retry",
        f"{URL}/payments",
    ]
    assert sqs.list_queues(QueueNamePrefix="orders-")["QueueUrls"] == [
        f"{URL}/orders-dlq",
        f"{URL}/orders-retry",
    ]
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="nothing")
    first = sqs.list_queues(MaxResults=3)
    assert len(first["QueueUrls"]) == 3
    second = sqs.list_queues(MaxResults=3, NextToken=first["NextToken"])
    assert second["QueueUrls"] == [f"{URL}/payments"] and "NextToken" not in second
    with pytest.raises(ClientError) as err:  # a token belongs to the request that made it
        sqs.list_queues(MaxResults=3, QueueNamePrefix="o", NextToken=first["NextToken"])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_url_attributes_tags_and_not_found(clients: tuple[Any, Any]) -> None:
    sqs, _ = clients
    url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
    assert url == f"{URL}/orders"
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "1200"
    assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] == 5
    picked = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "QueueArn"])
    assert picked["Attributes"] == {"VisibilityTimeout": "20", "QueueArn": f"{ARN}:orders"}
    # another endpoint spelling of the same queue
    legacy = "https://queue.amazonaws.com/123456789012/orders"
    assert sqs.get_queue_attributes(QueueUrl=legacy, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "20"
    }
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "orders"}
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=f"{URL}/payments")
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Colour"])
    for call in (
        lambda: sqs.get_queue_url(QueueName="later"),
        lambda: sqs.get_queue_url(QueueName="orders", QueueOwnerAWSAccountId="210987654321"),
        lambda: sqs.get_queue_attributes(QueueUrl=f"{URL}/nope", AttributeNames=["All"]),
        lambda: sqs.list_queue_tags(QueueUrl=f"{URL}/nope"),
    ):
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as err:
            call()
        error = err.value.response["Error"]
        assert (error["Code"], error["Message"]) == (
            "AWS.SimpleQueueService.NonExistentQueue",
            "The specified queue does not exist.",
        )
        failure = classify(err.value)
        assert failure is not None and failure.verdict == "no_data"


def test_dead_letter_sources_in_pages(clients: tuple[Any, Any]) -> None:
    sqs, _ = clients
    dlq = f"{URL}/orders-dlq"
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [
        f"{URL}/orders",
        f"{URL}/orders-retry",
    ]
    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
    assert first["queueUrls"] == [f"{URL}/orders"]
    rest = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1, NextToken=first["NextToken"])
    assert rest["queueUrls"] == [f"{URL}/orders-retry"] and "NextToken" not in rest
    assert sqs.list_dead_letter_source_queues(QueueUrl=f"{URL}/payments")["queueUrls"] == []
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.list_dead_letter_source_queues(QueueUrl=f"{URL}/nope")


def test_event_source_mappings_by_function_source_and_uuid(clients: tuple[Any, Any]) -> None:
    _, lam = clients
    by_fn = lam.list_event_source_mappings(FunctionName="order-worker")["EventSourceMappings"]
    assert [m["UUID"] for m in by_fn] == [U1, U3]
    assert [
        m["UUID"]
        for m in lam.list_event_source_mappings(FunctionName=f"{FN}:order-worker")["EventSourceMappings"]
    ] == [U1, U3]
    by_source = lam.list_event_source_mappings(EventSourceArn=f"{ARN}:payments")["EventSourceMappings"]
    assert [(m["UUID"], m["State"]) for m in by_source] == [(U2, "Disabled")]
    assert by_source[0]["LastModified"].isoformat() == "2024-05-01T05:10:00+00:00"
    first = lam.list_event_source_mappings(MaxItems=2)
    assert [m["UUID"] for m in first["EventSourceMappings"]] == [U1, U2]
    rest = lam.list_event_source_mappings(MaxItems=2, Marker=first["NextMarker"])
    assert [m["UUID"] for m in rest["EventSourceMappings"]] == [U3] and "NextMarker" not in rest
    assert lam.get_event_source_mapping(UUID=U2)["FunctionArn"] == f"{FN}:pay-worker"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=U9)


@pytest.mark.parametrize(
    ("service", "method", "params"),
    [
        ("sqs", "receive_message", {"QueueUrl": f"{URL}/orders"}),
        ("sqs", "send_message", {"QueueUrl": f"{URL}/orders", "MessageBody": "x"}),
        ("sqs", "purge_queue", {"QueueUrl": f"{URL}/orders"}),
        ("sqs", "set_queue_attributes", {"QueueUrl": f"{URL}/orders", "Attributes": {"DelaySeconds": "1"}}),
        ("lambda", "update_event_source_mapping", {"UUID": U1, "Enabled": True}),
    ],
)
def test_message_reads_and_writes_are_refused_before_the_wire(
    service: str, method: str, params: dict[str, Any]
) -> None:
    session, ctx = replay_session(make_bundle({"resources": RECORDS}))
    aws = AwsClients(session)
    with pytest.raises(ReadOnlyViolation):
        getattr(aws.client(service), method)(**params)
    assert sum(ctx.calls.values()) == 0
    # and replay itself refuses them even to a client without the guard
    with pytest.raises(ReplayRefused):
        getattr(session.client(service), method)(**params)


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    """The same queues made in moto and written as a bundle answer the same reads alike."""
    live = moto_session("sqs")
    dlq = live.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = live.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})
    url = live.create_queue(
        QueueName="orders",
        Attributes={"VisibilityTimeout": "45", "RedrivePolicy": redrive},
        tags={"team": "orders"},
    )["QueueUrl"]
    records = [
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": u,
                "Attributes": live.get_queue_attributes(QueueUrl=u, AttributeNames=["All"])["Attributes"],
                "Tags": live.list_queue_tags(QueueUrl=u).get("Tags", {}),
            },
        }
        for u in (dlq, url)
    ]
    # moto stamps queues with the wall clock: the investigation's now is after that
    latest = max(int(float(r["item"]["Attributes"]["CreatedTimestamp"])) for r in records)
    session, _ = replay_session(
        make_bundle({"resources": records}, now=_iso(latest + 60), end=_iso(latest + 60))
    )
    replayed = session.client("sqs")
    for method, params, key in (
        ("list_queues", {}, "QueueUrls"),
        ("get_queue_url", {"QueueName": "orders"}, "QueueUrl"),
        ("get_queue_attributes", {"QueueUrl": url, "AttributeNames": ["All"]}, "Attributes"),
        ("get_queue_attributes", {"QueueUrl": url, "AttributeNames": ["VisibilityTimeout"]}, "Attributes"),
        ("list_dead_letter_source_queues", {"QueueUrl": dlq}, "queueUrls"),
        ("list_queue_tags", {"QueueUrl": url}, "Tags"),
    ):
        assert getattr(replayed, method)(**params)[key] == getattr(live, method)(**params)[key], method
    for client in (live, replayed):
        with pytest.raises(client.exceptions.QueueDoesNotExist):
            client.get_queue_url(QueueName="nope")


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()
