"""Kinesis tool: a data stream's capacity (shards, mode), its consumers and the functions that read it
(never its records); and streams as nodes of the resource graph."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.errors import classify
from tools.functions import Mapping, mapping_of
from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput

MAX_SHARDS = 1000  # shards read per stream (one page)
MAX_CONSUMERS = 20  # consumers and event-source mappings listed (context budget)


class StreamDetailsInput(BaseModel):
    """Arguments of stream_details."""

    stream: str = Field(min_length=1, max_length=2048, description="the stream's name or ARN")


class Consumer(BaseModel):
    name: str
    status: str
    created: datetime | None


class StreamDetails(ToolOutput):
    name: str
    arn: str
    status: str = Field(description="CREATING, DELETING, ACTIVE or UPDATING (resharding)")
    mode: str | None = Field(description="PROVISIONED or ON_DEMAND")
    open_shards: int
    closed_shards: int = Field(description="parents left by a reshard: still readable, no longer written")
    retention_hours: int
    encryption: str | None
    created: datetime | None
    consumers: list[Consumer] = Field(description="enhanced fan-out consumers")
    mappings: list[Mapping] = Field(description="Lambda event-source mappings reading the stream")
    findings: list[str]
    gaps: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"stream {self.name} {self.status} ({self.mode or 'PROVISIONED'}): {self.open_shards} open shards"
            + (f", {self.closed_shards} closed by a reshard" if self.closed_shards else "")
            + f", retention {self.retention_hours} h"
        ]
        if self.consumers:
            parts.append("consumers: " + ", ".join(f"{c.name} {c.status}" for c in self.consumers))
        parts.append(
            "read by " + "; ".join(m.line() for m in self.mappings) if self.mappings else "no Lambda reads it"
        )
        if self.findings:
            parts.append("attention: " + "; ".join(self.findings))
        if self.gaps:
            parts.append("gaps: " + "; ".join(self.gaps))
        return ". ".join(parts)


def _stream_ref(ref: str) -> dict[str, str]:
    return {"StreamARN": ref} if ref.startswith("arn:") else {"StreamName": ref}


def shards_of(call: Any, arn: str) -> list[dict[str, Any]]:
    """Every shard of a stream (a token, once given, names the stream on its own)."""
    shards: list[dict[str, Any]] = []
    page = call("kinesis", "ListShards", StreamARN=arn, MaxResults=MAX_SHARDS)
    while True:
        shards += page.get("Shards", [])
        if not page.get("NextToken") or len(shards) >= MAX_SHARDS:
            return shards
        page = call("kinesis", "ListShards", NextToken=page["NextToken"], MaxResults=MAX_SHARDS)


def findings_of(s: dict[str, Any], mappings: list[Mapping]) -> list[str]:
    out = []
    if s.get("StreamStatus") != "ACTIVE":
        out.append(
            f"status {s.get('StreamStatus')}"
            + (": a reshard is in progress" if s.get("StreamStatus") == "UPDATING" else "")
        )
    for m in mappings:
        if m.state not in ("Enabled", "Enabling", "Creating", "Updating"):
            out.append(f"mapping to {(m.function or '?').split(':function:')[-1]} is {m.state}")
        if (m.last_processing_result or "").startswith("PROBLEM"):
            out.append(
                f"mapping to {(m.function or '?').split(':function:')[-1]}: {m.last_processing_result}"
            )
    return out


@tool
def stream_details(ctx: ToolContext, args: StreamDetailsInput) -> StreamDetails:
    """Show a Kinesis data stream's capacity and readers, never its records: status (UPDATING while
    resharding), capacity mode, open shards and those closed by a reshard, retention, encryption,
    enhanced fan-out consumers, and the Lambda event-source mappings that read it (state, batch size,
    last processing result). Each shard takes 1 MB/s or 1,000 records/s in; a hot key overloads one.

    Args:
        stream: the stream's name or ARN.
    """
    s = ctx.aws.call("kinesis", "DescribeStreamSummary", **_stream_ref(args.stream))[
        "StreamDescriptionSummary"
    ]
    arn = s["StreamARN"]
    shards = shards_of(ctx.aws.call, arn)
    closed = [x for x in shards if (x.get("SequenceNumberRange") or {}).get("EndingSequenceNumber")]
    consumers, more = ctx.aws.collect(
        "kinesis",
        "ListStreamConsumers",
        "Consumers",
        max_items=MAX_CONSUMERS,
        StreamARN=arn,
        MaxResults=MAX_CONSUMERS,
    )
    gaps: list[str] = []
    mappings: list[Mapping] = []
    try:
        page = ctx.aws.call("lambda", "ListEventSourceMappings", EventSourceArn=arn, MaxItems=MAX_CONSUMERS)
        mappings = [mapping_of(m) for m in page.get("EventSourceMappings", [])]
    except ClientError as exc:  # the stream's own state still stands
        failure = classify(exc)
        gaps.append(f"lambda:ListEventSourceMappings: {failure.code if failure else type(exc).__name__}")
    return StreamDetails(
        name=s["StreamName"],
        arn=arn,
        status=s["StreamStatus"],
        mode=(s.get("StreamModeDetails") or {}).get("StreamMode"),
        open_shards=s["OpenShardCount"],
        closed_shards=len(closed),
        retention_hours=s["RetentionPeriodHours"],
        encryption=s.get("EncryptionType"),
        created=s.get("StreamCreationTimestamp"),
        consumers=[
            Consumer(
                name=c["ConsumerName"], status=c["ConsumerStatus"], created=c.get("ConsumerCreationTimestamp")
            )
            for c in consumers
        ],
        mappings=mappings,
        findings=findings_of(s, mappings),
        gaps=gaps,
        has_more=more,
        total=len(consumers),
    )


# --- the resource graph ---------------------------------------------------------------------------


def walk_streams(walk: GraphWalk, refs: list[str]) -> None:
    """Streams as nodes (keyed by ARN), linked to the functions whose mappings read them."""
    for ref in refs:
        page = walk.call(
            "kinesis", "DescribeStreamSummary", probe=not ref.startswith("arn:"), **_stream_ref(ref)
        )
        if page is None:
            continue
        s = page["StreamDescriptionSummary"]
        arn = s["StreamARN"]
        for edge in walk.edges:  # a function's mapping or a name may have named it otherwise
            if edge.source == ref:
                edge.source = arn
        listed = (
            walk.call("lambda", "ListEventSourceMappings", EventSourceArn=arn, MaxItems=MAX_CONSUMERS) or {}
        )
        mappings = [mapping_of(m) for m in listed.get("EventSourceMappings", [])]
        attrs = {
            "arn": arn,
            "capacity": f"{s['OpenShardCount']} open shards, "
            f"{(s.get('StreamModeDetails') or {}).get('StreamMode', 'PROVISIONED')}",
            "retention_h": str(s["RetentionPeriodHours"]),
            "consumers": str(s.get("ConsumerCount", "")),
            "readers": cut("; ".join(m.line() for m in mappings)),
        }
        found = findings_of(s, mappings)
        if found:
            attrs["warning"] = cut("; ".join(found))
        if not walk.add(
            Node(kind="kinesis_stream", id=arn, name=s["StreamName"], state=s["StreamStatus"], attrs=attrs)
        ):
            return
        for m in mappings:
            function = (m.function or "").split(":function:")[-1].split(":")[0]
            if function:
                walk.want("lambda", function)
                walk.link(arn, function, "triggers")
