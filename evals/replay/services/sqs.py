"""SQS: queue URLs, attributes, tags and dead-letter sources, from `sqs/Queue` items (never messages)."""

from __future__ import annotations

import json
from typing import Any

from evals.bundle.shapes import to_datetime
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

LIST_UNPAGED_CAP = 1000  # ListQueues without MaxResults returns at most 1000 URLs and no token
PAGE_MAX = 1000

# The attribute names GetQueueAttributes accepts (besides "All"); anything else is InvalidAttributeName.
ATTRIBUTE_NAMES = frozenset(
    {
        "Policy",
        "VisibilityTimeout",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "QueueArn",
        "ApproximateNumberOfMessagesDelayed",
        "DelaySeconds",
        "ReceiveMessageWaitTimeSeconds",
        "RedrivePolicy",
        "FifoQueue",
        "ContentBasedDeduplication",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "DeduplicationScope",
        "FifoThroughputLimit",
        "RedriveAllowPolicy",
        "SqsManagedSseEnabled",
    }
)

NOT_FOUND_CODE = "AWS.SimpleQueueService.NonExistentQueue"


def queue_name(url_or_arn: str) -> str:
    """The queue's name from its URL (…/123456789012/name) or ARN (arn:aws:sqs:region:account:name)."""
    if url_or_arn.startswith("arn:"):
        return url_or_arn.split(":", 5)[5]
    return url_or_arn.rstrip("/").rsplit("/", 1)[-1]


def _not_found() -> AwsError:
    return AwsError(
        NOT_FOUND_CODE,
        "The specified queue does not exist.",
        query_code="QueueDoesNotExist",
    )


def _queues(ctx: ReplayContext) -> list[dict[str, Any]]:
    """Queues created by now (a queue whose CreatedTimestamp is later does not exist yet)."""
    out = []
    for q in ctx.resources("sqs", "Queue"):
        created = q.get("Attributes", {}).get("CreatedTimestamp")
        if created and to_datetime(float(created)) > ctx.now:
            continue
        out.append(q)
    return out


def _account_of(url: str) -> str | None:
    parts = url.rstrip("/").rsplit("/", 2)
    return parts[-2] if len(parts) == 3 else None


def _find(ctx: ReplayContext, url: str) -> dict[str, Any]:
    """A queue by its URL. SQS accepts any endpoint spelling of the URL; the account and name decide."""
    name, account = queue_name(url), _account_of(url)
    for q in _queues(ctx):
        if q["QueueUrl"] == url or (
            queue_name(q["QueueUrl"]) == name and _account_of(q["QueueUrl"]) == account
        ):
            return q
    raise _not_found()


def _arn(ctx: ReplayContext, q: dict[str, Any]) -> str:
    arn = q.get("Attributes", {}).get("QueueArn")
    return str(arn) if arn else f"arn:aws:sqs:{ctx.region}:{ctx.account_id}:{queue_name(q['QueueUrl'])}"


def _page(ctx: ReplayContext, urls: list[str], params: dict[str, Any], key: str) -> dict[str, Any]:
    if "MaxResults" not in params:
        if params.get("NextToken"):
            raise AwsError("InvalidParameterValue", "NextToken is only valid with MaxResults.")
        return {key: urls[:LIST_UNPAGED_CAP]} if urls else {}
    size = params["MaxResults"]
    if not 1 <= size <= PAGE_MAX:
        raise AwsError("InvalidParameterValue", f"Value {size} for parameter MaxResults is invalid.")
    request = {k: v for k, v in params.items() if k != "NextToken"}
    page, token = ctx.page(
        urls, params.get("NextToken"), size, request=request, error_code="InvalidParameterValue"
    )
    out: dict[str, Any] = {key: page} if page or key == "queueUrls" else {}
    if token:
        out["NextToken"] = token
    return out


@operation("sqs", "ListQueues")
def list_queues(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    prefix = params.get("QueueNamePrefix", "")
    urls = [q["QueueUrl"] for q in _queues(ctx) if queue_name(q["QueueUrl"]).startswith(prefix)]
    return _page(ctx, urls, params, "QueueUrls")


@operation("sqs", "GetQueueUrl")
def get_queue_url(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    account = params.get("QueueOwnerAWSAccountId", ctx.account_id)
    for q in _queues(ctx):
        if queue_name(q["QueueUrl"]) == params["QueueName"] and _account_of(q["QueueUrl"]) == account:
            return {"QueueUrl": q["QueueUrl"]}
    raise _not_found()


@operation("sqs", "GetQueueAttributes")
def get_queue_attributes(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    q = _find(ctx, params["QueueUrl"])
    wanted = params.get("AttributeNames", [])
    unknown = [n for n in wanted if n != "All" and n not in ATTRIBUTE_NAMES]
    if unknown:
        raise AwsError("InvalidAttributeName", f"Unknown Attribute {unknown[0]}.")
    attrs = {"QueueArn": _arn(ctx, q), **q.get("Attributes", {})}
    if "All" not in wanted:
        attrs = {k: v for k, v in attrs.items() if k in wanted}
    return {"Attributes": attrs} if attrs else {}


def _dead_letter_target(q: dict[str, Any]) -> str | None:
    policy = q.get("Attributes", {}).get("RedrivePolicy")
    if not policy:
        return None
    try:
        target = json.loads(policy).get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        return None
    return str(target) if target else None


@operation("sqs", "ListDeadLetterSourceQueues")
def list_dead_letter_source_queues(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = _arn(ctx, _find(ctx, params["QueueUrl"]))
    sources = [q["QueueUrl"] for q in _queues(ctx) if _dead_letter_target(q) == arn]
    out = _page(ctx, sources, params, "queueUrls")
    out.setdefault("queueUrls", [])  # a required member of the output
    return out


@operation("sqs", "ListQueueTags")
def list_queue_tags(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    tags = _find(ctx, params["QueueUrl"]).get("Tags", {})
    return {"Tags": tags} if tags else {}
