"""Kinesis Data Streams: streams, their shards and enhanced fan-out consumers, from
`kinesis/StreamDescriptionSummary`, `kinesis/StreamShard` and `kinesis/ConsumerDescription` items.
Records are never in a bundle and never answered."""

from __future__ import annotations

import base64
import json
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

SHARD_PAGE = 1000  # ListShards' default page
CONSUMER_PAGE = 100  # ListStreamConsumers' default page
STREAM_PAGE = 100  # ListStreams' default Limit


def _streams(ctx: ReplayContext) -> list[dict[str, Any]]:
    return [
        s
        for s in ctx.resources("kinesis", "StreamDescriptionSummary")
        if to_datetime(s["StreamCreationTimestamp"]) <= ctx.now
    ]


def _stream(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    name, arn = params.get("StreamName"), params.get("StreamARN")
    if not name and not arn:
        raise AwsError("InvalidArgumentException", "Either StreamName or StreamARN should be provided.")
    for s in _streams(ctx):
        if (name and s["StreamName"] == name) or (arn and s["StreamARN"] == arn):
            return s
    named = name or str(arn).rsplit("/", 1)[-1]
    raise AwsError("ResourceNotFoundException", f"Stream {named} under account {ctx.account_id} not found.")


def _token(stream: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"s": stream, "o": offset}).encode()).decode()


def _untoken(token: str) -> tuple[str, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["s"]), int(data["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AwsError("InvalidArgumentException", "NextToken is invalid.") from exc


@operation("kinesis", "DescribeStreamSummary")
def describe_stream_summary(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = _stream(ctx, params)
    consumers = [c for c in _consumers(ctx) if c.get("StreamARN") == stream["StreamARN"]]
    summary = {"ConsumerCount": len(consumers), **stream}
    return {"StreamDescriptionSummary": to_parsed("kinesis", "StreamDescriptionSummary", summary)}


@operation("kinesis", "ListShards")
def list_shards(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("ShardFilter") or params.get("StreamCreationTimestamp"):
        raise ReplayUnsupported("kinesis", "ListShards", "ShardFilter / StreamCreationTimestamp")
    offset = 0
    if params.get("NextToken"):
        # the token names the stream: asking with both is refused, as Kinesis does
        if params.get("StreamName") or params.get("StreamARN") or params.get("ExclusiveStartShardId"):
            raise AwsError(
                "InvalidArgumentException",
                "NextToken and StreamName cannot be provided together.",
            )
        arn, offset = _untoken(params["NextToken"])
        stream = _stream(ctx, {"StreamARN": arn})
    else:
        stream = _stream(ctx, params)
    shards = sorted(
        (
            {k: v for k, v in s.items() if k != "StreamName"}
            for s in ctx.resources("kinesis", "StreamShard")
            if s["StreamName"] == stream["StreamName"]
        ),
        key=lambda s: s["ShardId"],
    )
    if params.get("ExclusiveStartShardId"):
        shards = [s for s in shards if s["ShardId"] > params["ExclusiveStartShardId"]]
    size = params.get("MaxResults") or SHARD_PAGE
    page = shards[offset : offset + size]
    out: dict[str, Any] = {"Shards": [to_parsed("kinesis", "Shard", s) for s in page]}
    if offset + size < len(shards):
        out["NextToken"] = _token(stream["StreamARN"], offset + size)
    return out


def _consumers(ctx: ReplayContext) -> list[dict[str, Any]]:
    return [
        c
        for c in ctx.resources("kinesis", "ConsumerDescription")
        if to_datetime(c["ConsumerCreationTimestamp"]) <= ctx.now
    ]


@operation("kinesis", "ListStreamConsumers")
def list_stream_consumers(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    stream = _stream(ctx, {"StreamARN": params["StreamARN"]})
    listed = [
        {k: v for k, v in c.items() if k != "StreamARN"}
        for c in _consumers(ctx)
        if c["StreamARN"] == stream["StreamARN"]
    ]
    request = {"StreamARN": stream["StreamARN"]}
    page, token = ctx.page(
        listed,
        params.get("NextToken"),
        params.get("MaxResults") or CONSUMER_PAGE,
        request=request,
        error_code="InvalidArgumentException",
    )
    out: dict[str, Any] = {"Consumers": [to_parsed("kinesis", "Consumer", c) for c in page]}
    if token:
        out["NextToken"] = token
    return out


@operation("kinesis", "ListStreams")
def list_streams(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    streams = sorted(_streams(ctx), key=lambda s: s["StreamName"])
    if params.get("ExclusiveStartStreamName"):
        streams = [s for s in streams if s["StreamName"] > params["ExclusiveStartStreamName"]]
    page, token = ctx.page(
        streams,
        params.get("NextToken"),
        params.get("Limit") or STREAM_PAGE,
        request={},
        error_code="InvalidArgumentException",
    )
    summaries = [
        {
            "StreamName": s["StreamName"],
            "StreamARN": s["StreamARN"],
            "StreamStatus": s["StreamStatus"],
            "StreamCreationTimestamp": to_datetime(s["StreamCreationTimestamp"]),
            **({"StreamModeDetails": s["StreamModeDetails"]} if s.get("StreamModeDetails") else {}),
        }
        for s in page
    ]
    out: dict[str, Any] = {
        "StreamNames": [s["StreamName"] for s in page],
        "HasMoreStreams": token is not None,
        "StreamSummaries": summaries,
    }
    if token:
        out["NextToken"] = token
    return out
