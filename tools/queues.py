"""SQS tool: a queue's configuration, backlog, dead-letter wiring and the functions that consume it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.errors import classify
from tools.functions import Mapping, mapping_of
from tools.registry import ToolContext, tool
from tools.result import ToolOutput

MAX_SOURCES = 20  # queues that dead-letter into this one, listed (context budget)
MAX_MAPPINGS = 20  # event-source mappings read per queue (context budget)


def queue_arn(ref: str) -> str | None:
    """A queue's ARN from its URL (https://sqs.<region>.amazonaws.com/<account>/<name>), or the ARN itself;
    None for anything else."""
    m = re.fullmatch(r"https://sqs\.([\w-]+)\.amazonaws\.com[^/]*/(\d{12})/([\w.-]+)", ref)
    return (
        f"arn:aws:sqs:{m.group(1)}:{m.group(2)}:{m.group(3)}"
        if m
        else (ref if ref.startswith("arn:") else None)
    )


class QueueDetailsInput(BaseModel):
    """Arguments of queue_details."""

    queue: str = Field(min_length=1, max_length=1000, description="the queue's name, URL or ARN")


class QueueDetails(ToolOutput):
    name: str
    url: str
    arn: str | None
    fifo: bool
    visible: int | None = Field(description="ApproximateNumberOfMessages: waiting to be received")
    in_flight: int | None = Field(description="ApproximateNumberOfMessagesNotVisible: received, not deleted")
    delayed: int | None
    visibility_timeout_s: int | None
    retention_s: int | None
    delay_s: int | None
    receive_wait_s: int | None
    dead_letter_queue: str | None = Field(description="ARN of the queue failed messages move to")
    max_receive_count: int | None = Field(description="receives before a message moves to the DLQ")
    dead_letter_messages: int | None = Field(description="messages waiting in that dead-letter queue")
    dead_letter_sources: list[str] = Field(description="queues that move their failed messages here")
    created: datetime | None
    last_modified: datetime | None
    encrypted_with: str | None = Field(description="the KMS key, or 'SQS-managed'")
    consumers: list[Mapping] = Field(description="Lambda event-source mappings reading this queue")
    gaps: list[str] = Field(default_factory=list, description="reads that failed")

    def summary(self) -> str:
        parts = [
            f"queue {self.name}{' (FIFO)' if self.fifo else ''}: {self.visible} visible, "
            f"{self.in_flight} in flight, {self.delayed} delayed; visibility timeout "
            f"{self.visibility_timeout_s} s, retention {self.retention_s} s"
        ]
        if self.dead_letter_queue:
            held = "" if self.dead_letter_messages is None else f", which holds {self.dead_letter_messages}"
            parts.append(
                f"moves a message to {self.dead_letter_queue.rsplit(':', 1)[-1]} after "
                f"{self.max_receive_count} receives{held}"
            )
        else:
            parts.append("no dead-letter queue")
        if self.dead_letter_sources:
            parts.append("dead-letter queue of " + ", ".join(self.dead_letter_sources))
        if self.consumers:
            parts.append("consumers: " + "; ".join(c.line() for c in self.consumers))
        else:
            parts.append("no Lambda consumers")
        if self.last_modified:
            parts.append(f"attributes last modified {self.last_modified:%Y-%m-%d %H:%M}")
        if self.gaps:
            parts.append("gaps: " + "; ".join(self.gaps))
        return ". ".join(parts)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _epoch(value: Any) -> datetime | None:
    seconds = _int(value)
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


def queue_url(ctx: ToolContext, ref: str) -> str:
    """The URL of a queue named by name, URL or ARN (an ARN names its owning account)."""
    if ref.startswith(("https://", "http://")):
        return ref
    if ref.startswith("arn:"):
        parts = ref.split(":", 5)
        return str(
            ctx.aws.call("sqs", "GetQueueUrl", QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])[
                "QueueUrl"
            ]
        )
    return str(ctx.aws.call("sqs", "GetQueueUrl", QueueName=ref)["QueueUrl"])


def redrive_of(attrs: dict[str, str]) -> tuple[str | None, int | None]:
    """(dead-letter queue ARN, maxReceiveCount) from a queue's RedrivePolicy attribute."""
    try:
        policy = json.loads(attrs.get("RedrivePolicy") or "{}")
    except ValueError:
        return None, None
    if not isinstance(policy, dict):
        return None, None
    return policy.get("deadLetterTargetArn"), _int(policy.get("maxReceiveCount"))


@tool
def queue_details(ctx: ToolContext, args: QueueDetailsInput) -> QueueDetails:
    """Show an SQS queue's backlog (visible, in flight, delayed), its settings (visibility timeout,
    retention, delay), its dead-letter queue and how many messages wait there, the queues that
    dead-letter into it, and the Lambda event-source mappings that consume it (state, batch size,
    last processing result). Message bodies are never read.

    Args:
        queue: the queue's name, URL or ARN.
    """
    url = queue_url(ctx, args.queue)
    attrs = ctx.aws.call("sqs", "GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]).get(
        "Attributes", {}
    )
    gaps: list[str] = []
    dlq, max_receives = redrive_of(attrs)
    dlq_messages = None
    if dlq:
        try:
            dlq_url = queue_url(ctx, dlq)
            dlq_attrs = ctx.aws.call(
                "sqs", "GetQueueAttributes", QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
            ).get("Attributes", {})
            dlq_messages = _int(dlq_attrs.get("ApproximateNumberOfMessages"))
        except ClientError as exc:  # the DLQ's absence is a finding, not a failure
            gaps.append(f"dead-letter queue {dlq.rsplit(':', 1)[-1]}: {_reason(exc)}")
    sources = ctx.aws.call("sqs", "ListDeadLetterSourceQueues", QueueUrl=url, MaxResults=MAX_SOURCES)
    consumers: list[Mapping] = []
    arn = attrs.get("QueueArn")
    if arn:
        try:
            page = ctx.aws.call(
                "lambda", "ListEventSourceMappings", EventSourceArn=arn, MaxItems=MAX_MAPPINGS
            )
            consumers = [mapping_of(m) for m in page.get("EventSourceMappings", [])]
        except ClientError as exc:  # the queue's own state still stands
            gaps.append(f"lambda:ListEventSourceMappings: {_reason(exc)}")
    kms = attrs.get("KmsMasterKeyId") or (
        "SQS-managed" if attrs.get("SqsManagedSseEnabled") == "true" else None
    )
    return QueueDetails(
        name=url.rstrip("/").rsplit("/", 1)[-1],
        url=url,
        arn=arn,
        fifo=attrs.get("FifoQueue") == "true",
        visible=_int(attrs.get("ApproximateNumberOfMessages")),
        in_flight=_int(attrs.get("ApproximateNumberOfMessagesNotVisible")),
        delayed=_int(attrs.get("ApproximateNumberOfMessagesDelayed")),
        visibility_timeout_s=_int(attrs.get("VisibilityTimeout")),
        retention_s=_int(attrs.get("MessageRetentionPeriod")),
        delay_s=_int(attrs.get("DelaySeconds")),
        receive_wait_s=_int(attrs.get("ReceiveMessageWaitTimeSeconds")),
        dead_letter_queue=dlq,
        max_receive_count=max_receives,
        dead_letter_messages=dlq_messages,
        dead_letter_sources=[u.rstrip("/").rsplit("/", 1)[-1] for u in sources.get("queueUrls", [])],
        created=_epoch(attrs.get("CreatedTimestamp")),
        last_modified=_epoch(attrs.get("LastModifiedTimestamp")),
        encrypted_with=kms,
        consumers=consumers,
        gaps=gaps,
        has_more=bool(sources.get("NextToken")),
    )


def _reason(exc: ClientError) -> str:
    failure = classify(exc)
    return f"{failure.code}: {failure.message}" if failure else f"{type(exc).__name__}: {exc}"
