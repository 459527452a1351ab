"""SNS replay: topics and subscriptions with their attributes, pages of 100, not-found as SNS words it;
Publish never reaches a handler."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

TOPIC = "arn:aws:sns:us-east-1:123456789012"
QUEUE = "arn:aws:sqs:us-east-1:123456789012"
FN = "arn:aws:lambda:us-east-1:123456789012:function"
FILTER = json.dumps({"eventType": ["order_placed"]})


def topic(name: str, **attrs: str) -> dict[str, Any]:
    return {"service": "sns", "type": "Topic", "item": {"TopicArn": f"{TOPIC}:{name}", "Attributes": attrs}}


def sub(topic_name: str, n: int, protocol: str, endpoint: str, **attrs: str) -> dict[str, Any]:
    arn = f"{TOPIC}:{topic_name}:0000000{n}-aaaa-bbbb-cccc-dddddddddddd" if n else "PendingConfirmation"
    return {
        "service": "sns",
        "type": "Subscription",
        "item": {
            "SubscriptionArn": arn,
            "TopicArn": f"{TOPIC}:{topic_name}",
            "Protocol": protocol,
            "Endpoint": endpoint,
            "Owner": "123456789012",
            "Attributes": attrs,
        },
    }


RECORDS = [
    topic("orders", DisplayName="Orders"),
    topic("alerts"),
    sub("orders", 1, "sqs", f"{QUEUE}:orders", FilterPolicy=FILTER, RawMessageDelivery="true"),
    sub("orders", 2, "lambda", f"{FN}:audit:live"),
    sub("orders", 0, "email", "oncall@example.com"),
]


@pytest.fixture
def sns(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RECORDS})
    return session.client("sns")


def test_topics_and_their_attributes(sns: Any) -> None:
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [f"{TOPIC}:orders", f"{TOPIC}:alerts"]
    attrs = sns.get_topic_attributes(TopicArn=f"{TOPIC}:orders")["Attributes"]
    assert (attrs["DisplayName"], attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]) == (
        "Orders",
        "2",
        "1",
    )
    with pytest.raises(sns.exceptions.NotFoundException) as err:
        sns.get_topic_attributes(TopicArn=f"{TOPIC}:nope")
    assert err.value.response["Error"]["Message"] == "Topic does not exist"


def test_subscriptions_by_topic_and_their_attributes(sns: Any) -> None:
    listed = sns.list_subscriptions_by_topic(TopicArn=f"{TOPIC}:orders")["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in listed] == [
        ("sqs", f"{QUEUE}:orders"),
        ("lambda", f"{FN}:audit:live"),
        ("email", "oncall@example.com"),
    ]
    assert sns.list_subscriptions_by_topic(TopicArn=f"{TOPIC}:alerts")["Subscriptions"] == []
    attrs = sns.get_subscription_attributes(SubscriptionArn=listed[0]["SubscriptionArn"])["Attributes"]
    assert json.loads(attrs["FilterPolicy"]) == {"eventType": ["order_placed"]}
    assert (attrs["RawMessageDelivery"], attrs["PendingConfirmation"]) == ("true", "false")
    for call in (
        lambda: sns.list_subscriptions_by_topic(TopicArn=f"{TOPIC}:nope"),
        lambda: sns.get_subscription_attributes(SubscriptionArn=f"{TOPIC}:orders:nope"),
        lambda: sns.get_subscription_attributes(SubscriptionArn="PendingConfirmation"),
    ):
        with pytest.raises(sns.exceptions.NotFoundException):
            call()


def test_lists_come_in_pages_of_a_hundred(replay: Callable[..., Any]) -> None:
    many = [topic(f"t{i:03}") for i in range(130)]
    subs = [sub("t000", i + 1, "sqs", f"{QUEUE}:q{i}") for i in range(105)]
    session, _ = replay({"resources": many + subs})
    sns = session.client("sns")
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and first["Topics"][-1]["TopicArn"] == f"{TOPIC}:t099"
    second = sns.list_topics(NextToken=first["NextToken"])
    assert len(second["Topics"]) == 30 and "NextToken" not in second
    pages = [sns.list_subscriptions()]
    pages.append(sns.list_subscriptions(NextToken=pages[0]["NextToken"]))
    assert [len(p["Subscriptions"]) for p in pages] == [100, 5] and "NextToken" not in pages[1]
    by_topic = sns.list_subscriptions_by_topic(TopicArn=f"{TOPIC}:t000")
    with pytest.raises(ClientError) as err:  # a token belongs to the request that made it
        sns.list_subscriptions_by_topic(TopicArn=f"{TOPIC}:t001", NextToken=by_topic["NextToken"])
    assert err.value.response["Error"]["Code"] == "InvalidParameter"


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("publish", {"TopicArn": f"{TOPIC}:orders", "Message": "x"}),
        (
            "set_subscription_attributes",
            {"SubscriptionArn": f"{TOPIC}:orders:x", "AttributeName": "FilterPolicy"},
        ),
        ("unsubscribe", {"SubscriptionArn": f"{TOPIC}:orders:x"}),
    ],
)
def test_publish_and_changes_are_refused_before_the_wire(method: str, params: dict[str, Any]) -> None:
    session, ctx = replay_session(make_bundle({"resources": RECORDS}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client("sns"), method)(**params)
    with pytest.raises(ReplayRefused):
        getattr(session.client("sns"), method)(**params)
    assert sum(ctx.calls.values()) == 0


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    live = moto_session("sns")
    arn = live.create_topic(Name="orders", Attributes={"DisplayName": "Orders"})["TopicArn"]
    sub_arn = live.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=f"{QUEUE}:orders")["SubscriptionArn"]
    live.set_subscription_attributes(
        SubscriptionArn=sub_arn, AttributeName="FilterPolicy", AttributeValue=FILTER
    )
    records: list[dict[str, Any]] = []
    for t in live.list_topics()["Topics"]:
        attrs = live.get_topic_attributes(TopicArn=t["TopicArn"])["Attributes"]
        computed = ("TopicArn", "SubscriptionsConfirmed", "SubscriptionsPending", "SubscriptionsDeleted")
        records.append(
            topic(t["TopicArn"].rsplit(":", 1)[-1], **{k: v for k, v in attrs.items() if k not in computed})
        )
    for s in live.list_subscriptions()["Subscriptions"]:
        own = live.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"]
        records.append({"service": "sns", "type": "Subscription", "item": {**s, "Attributes": own}})
    session, _ = replay_session(make_bundle({"resources": records}))
    replayed = session.client("sns")
    for method, params, key in (
        ("list_topics", {}, "Topics"),
        ("get_topic_attributes", {"TopicArn": arn}, "Attributes"),
        ("list_subscriptions", {}, "Subscriptions"),
        ("list_subscriptions_by_topic", {"TopicArn": arn}, "Subscriptions"),
        ("get_subscription_attributes", {"SubscriptionArn": sub_arn}, "Attributes"),
    ):
        again, answered = getattr(replayed, method)(**params)[key], getattr(live, method)(**params)[key]
        if method == "get_topic_attributes":
            # moto counts no subscription as confirmed; AWS confirms a same-account SQS one at once
            assert (again["SubscriptionsConfirmed"], answered["SubscriptionsConfirmed"]) == ("1", "0")
            again, answered = (
                {k: v for k, v in a.items() if k != "SubscriptionsConfirmed"} for a in (again, answered)
            )
        assert again == answered, method
    for client in (live, replayed):
        with pytest.raises(client.exceptions.NotFoundException):
            client.get_topic_attributes(TopicArn=f"{TOPIC}:nope")
