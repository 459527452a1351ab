"""SNS: topics and subscriptions with their attributes, from `sns/Topic` and `sns/Subscription` items."""

from __future__ import annotations

from typing import Any

from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

TOPIC_PAGE = 100  # ListTopics returns up to 100 topics a call
SUBSCRIPTION_PAGE = 100  # ListSubscriptions(ByTopic) return up to 100 subscriptions a call


def _topics(ctx: ReplayContext) -> list[dict[str, Any]]:
    return ctx.resources("sns", "Topic")


def _subscriptions(ctx: ReplayContext) -> list[dict[str, Any]]:
    return ctx.resources("sns", "Subscription")


def _topic(ctx: ReplayContext, arn: str) -> dict[str, Any]:
    for t in _topics(ctx):
        if t["TopicArn"] == arn:
            return t
    raise AwsError("NotFound", "Topic does not exist", 404)


def _listed(sub: dict[str, Any]) -> dict[str, Any]:
    return {k: sub[k] for k in ("SubscriptionArn", "Owner", "Protocol", "Endpoint", "TopicArn")}


def _page(
    ctx: ReplayContext, items: list[Any], params: dict[str, Any], size: int
) -> tuple[list[Any], str | None]:
    request = {k: v for k, v in params.items() if k != "NextToken"}
    return ctx.page(items, params.get("NextToken"), size, request=request, error_code="InvalidParameter")


@operation("sns", "ListTopics")
def list_topics(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    page, token = _page(ctx, [{"TopicArn": t["TopicArn"]} for t in _topics(ctx)], params, TOPIC_PAGE)
    return {"Topics": page, **({"NextToken": token} if token else {})}


@operation("sns", "GetTopicAttributes")
def get_topic_attributes(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    topic = _topic(ctx, params["TopicArn"])
    subs = [s for s in _subscriptions(ctx) if s["TopicArn"] == topic["TopicArn"]]
    pending = [s for s in subs if s["SubscriptionArn"] == "PendingConfirmation"]
    counted = {
        "SubscriptionsConfirmed": str(len(subs) - len(pending)),
        "SubscriptionsPending": str(len(pending)),
        "SubscriptionsDeleted": "0",
    }
    attrs = {
        "TopicArn": topic["TopicArn"],
        "Owner": ctx.account_id,
        **counted,
        **topic.get("Attributes", {}),
    }
    return {"Attributes": attrs}


@operation("sns", "ListSubscriptions")
def list_subscriptions(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    page, token = _page(ctx, [_listed(s) for s in _subscriptions(ctx)], params, SUBSCRIPTION_PAGE)
    return {"Subscriptions": page, **({"NextToken": token} if token else {})}


@operation("sns", "ListSubscriptionsByTopic")
def list_subscriptions_by_topic(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = _topic(ctx, params["TopicArn"])["TopicArn"]
    subs = [_listed(s) for s in _subscriptions(ctx) if s["TopicArn"] == arn]
    page, token = _page(ctx, subs, params, SUBSCRIPTION_PAGE)
    return {"Subscriptions": page, **({"NextToken": token} if token else {})}


@operation("sns", "GetSubscriptionAttributes")
def get_subscription_attributes(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    for s in _subscriptions(ctx):
        if s["SubscriptionArn"] == params["SubscriptionArn"] != "PendingConfirmation":
            attrs = {
                "SubscriptionArn": s["SubscriptionArn"],
                "TopicArn": s["TopicArn"],
                "Protocol": s["Protocol"],
                "Endpoint": s["Endpoint"],
                "Owner": s["Owner"],
                "PendingConfirmation": "false",
                "ConfirmationWasAuthenticated": "true",
                **s.get("Attributes", {}),
            }
            return {"Attributes": attrs}
    raise AwsError("NotFound", "Subscription does not exist", 404)
