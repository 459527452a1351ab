"""SNS tool: a topic and its subscriptions, with the filter policies that decide what each receives."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from tools.registry import ToolContext, tool
from tools.result import ToolOutput
from tools.state import text_of

MAX_SUBSCRIPTIONS = 20  # subscriptions described per topic (context budget)
MAX_LISTED = 100  # subscriptions listed per topic: one page


class TopicDetailsInput(BaseModel):
    """Arguments of topic_details."""

    topic: str = Field(
        min_length=1, max_length=300, description="the topic's ARN (arn:aws:sns:region:account:name)"
    )


class Subscription(BaseModel):
    arn: str
    protocol: str
    endpoint: str = Field(description="a queue or function ARN, a URL, an address (untrusted text)")
    pending_confirmation: bool
    filter_policy: str | None = Field(description="messages matching no part of it are not delivered")
    filter_scope: str | None = Field(description="MessageAttributes (default) or MessageBody")
    raw_delivery: bool
    dead_letter_queue: str | None

    def line(self) -> str:
        parts = [f"{self.protocol} {self.endpoint.rsplit(':', 1)[-1]}"]
        if self.pending_confirmation:
            parts.append("PENDING CONFIRMATION")
        if self.filter_policy:
            parts.append(f"filter ({self.filter_scope or 'MessageAttributes'}) {self.filter_policy}")
        if self.raw_delivery:
            parts.append("raw delivery")
        if self.dead_letter_queue:
            parts.append(f"DLQ {self.dead_letter_queue.rsplit(':', 1)[-1]}")
        return " ".join(parts)


class TopicDetails(ToolOutput):
    arn: str
    name: str
    display_name: str | None
    fifo: bool
    encrypted_with: str | None
    confirmed: int | None
    pending: int | None
    subscriptions: list[Subscription]
    gaps: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        head = (
            f"topic {self.name}{' (FIFO)' if self.fifo else ''}: {self.confirmed} confirmed, "
            f"{self.pending} pending subscriptions"
        )
        subs = "; ".join(s.line() for s in self.subscriptions[:10]) or "no subscriptions: messages go nowhere"
        gaps = f". gaps: {'; '.join(self.gaps)}" if self.gaps else ""
        return f"{head}. {subs}{gaps}"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def subscription_of(listed: dict[str, Any], attrs: dict[str, str]) -> Subscription:
    redrive = attrs.get("RedrivePolicy")
    dlq = None
    if redrive:
        try:
            dlq = json.loads(redrive).get("deadLetterTargetArn")
        except (ValueError, AttributeError):
            dlq = None
    pending = listed["SubscriptionArn"] == "PendingConfirmation" or attrs.get("PendingConfirmation") == "true"
    return Subscription(
        arn=listed["SubscriptionArn"],
        protocol=listed.get("Protocol", ""),
        endpoint=text_of(listed.get("Endpoint")),
        pending_confirmation=pending,
        filter_policy=text_of(attrs["FilterPolicy"]) if attrs.get("FilterPolicy") else None,
        filter_scope=attrs.get("FilterPolicyScope"),
        raw_delivery=attrs.get("RawMessageDelivery") == "true",
        dead_letter_queue=dlq,
    )


@tool
def topic_details(ctx: ToolContext, args: TopicDetailsInput) -> TopicDetails:
    """Show an SNS topic and its subscriptions: each endpoint (queue, function, URL), whether it is
    still pending confirmation, its filter policy (a message that matches none of it is silently not
    delivered to that subscriber), raw delivery and its dead-letter queue. Messages are never read.

    Args:
        topic: the topic's ARN.
    """
    attrs = ctx.aws.call("sns", "GetTopicAttributes", TopicArn=args.topic).get("Attributes", {})
    listed, more = ctx.aws.collect(
        "sns", "ListSubscriptionsByTopic", "Subscriptions", max_items=MAX_LISTED, TopicArn=args.topic
    )
    subs, gaps = [], []
    for s in listed[:MAX_SUBSCRIPTIONS]:
        sub_attrs: dict[str, str] = {}
        if s["SubscriptionArn"] != "PendingConfirmation":
            sub_attrs = ctx.aws.call(
                "sns", "GetSubscriptionAttributes", SubscriptionArn=s["SubscriptionArn"]
            ).get("Attributes", {})
        subs.append(subscription_of(s, sub_attrs))
    if len(listed) > MAX_SUBSCRIPTIONS:
        gaps.append(f"{len(listed) - MAX_SUBSCRIPTIONS} more subscriptions not described")
    return TopicDetails(
        arn=args.topic,
        name=args.topic.rsplit(":", 1)[-1],
        display_name=attrs.get("DisplayName") or None,
        fifo=attrs.get("FifoTopic") == "true",
        encrypted_with=attrs.get("KmsMasterKeyId"),
        confirmed=_int(attrs.get("SubscriptionsConfirmed")),
        pending=_int(attrs.get("SubscriptionsPending")),
        subscriptions=subs,
        gaps=gaps,
        has_more=more or len(listed) > MAX_SUBSCRIPTIONS,
        total=len(listed),
    )
