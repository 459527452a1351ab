"""Kinesis replay: stream summaries, shards (a token names its stream), consumers and stream lists,
pages and not-found as Kinesis words them; records and changes never reach a handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused, ReplayUnsupported
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream"
MAX_HASH = 2**128 - 1


def stream(name: str, shards: int, **fields: Any) -> dict[str, Any]:
    item = {
        "StreamName": name,
        "StreamARN": f"{STREAM}/{name}",
        "StreamStatus": "ACTIVE",
        "StreamModeDetails": {"StreamMode": "PROVISIONED"},
        "RetentionPeriodHours": 24,
        "StreamCreationTimestamp": "2024-04-01T00:00:00Z",
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "OpenShardCount": shards,
        **fields,
    }
    return {"service": "kinesis", "type": "StreamDescriptionSummary", "item": item}


def shard(
    stream_name: str, n: int, of: int, closed: bool = False, parent: int | None = None
) -> dict[str, Any]:
    low, high = MAX_HASH * n // of, MAX_HASH * (n + 1) // of - (0 if n + 1 == of else 1)
    item: dict[str, Any] = {
        "StreamName": stream_name,
        "ShardId": f"shardId-{n:012}",
        "HashKeyRange": {"StartingHashKey": str(low), "EndingHashKey": str(high)},
        "SequenceNumberRange": {"StartingSequenceNumber": f"4960{n:08}"},
    }
    if closed:
        item["SequenceNumberRange"]["EndingSequenceNumber"] = f"4961{n:08}"
    if parent is not None:
        item["ParentShardId"] = f"shardId-{parent:012}"
    return {"service": "kinesis", "type": "StreamShard", "item": item}


def consumer(stream_name: str, name: str, status: str = "ACTIVE") -> dict[str, Any]:
    item = {
        "ConsumerName": name,
        "ConsumerARN": f"{STREAM}/{stream_name}/consumer/{name}:1711929600",
        "ConsumerStatus": status,
        "ConsumerCreationTimestamp": "2024-04-02T00:00:00Z",
        "StreamARN": f"{STREAM}/{stream_name}",
    }
    return {"service": "kinesis", "type": "ConsumerDescription", "item": item}


RECORDS = [
    stream("clicks", 2, StreamStatus="UPDATING"),
    shard("clicks", 0, 1, closed=True),
    shard("clicks", 1, 2, parent=0),
    shard("clicks", 2, 2, parent=0),
    consumer("clicks", "sessionizer"),
    consumer("clicks", "archiver", "CREATING"),
    stream("audit", 1),
    shard("audit", 0, 1),
    stream("later", 1, StreamCreationTimestamp="2024-05-02T00:00:00Z"),  # after now: not there yet
]


@pytest.fixture
def kinesis(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RECORDS})
    return session.client("kinesis")


def test_summary_by_name_or_arn(kinesis: Any) -> None:
    for ref in ({"StreamName": "clicks"}, {"StreamARN": f"{STREAM}/clicks"}):
        s = kinesis.describe_stream_summary(**ref)["StreamDescriptionSummary"]
        assert (s["StreamStatus"], s["OpenShardCount"], s["ConsumerCount"]) == ("UPDATING", 2, 2)
        assert s["StreamCreationTimestamp"] == datetime(2024, 4, 1, tzinfo=UTC)
    for missing in ("nope", "later"):
        with pytest.raises(kinesis.exceptions.ResourceNotFoundException) as err:
            kinesis.describe_stream_summary(StreamName=missing)
        assert (
            err.value.response["Error"]["Message"]
            == f"Stream {missing} under account 123456789012 not found."
        )


def test_shards_pages_and_a_token_that_names_its_stream(kinesis: Any) -> None:
    every = kinesis.list_shards(StreamName="clicks")["Shards"]
    assert [(s["ShardId"], s.get("ParentShardId")) for s in every] == [
        ("shardId-000000000000", None),
        ("shardId-000000000001", "shardId-000000000000"),
        ("shardId-000000000002", "shardId-000000000000"),
    ]
    assert "EndingSequenceNumber" in every[0]["SequenceNumberRange"]
    first = kinesis.list_shards(StreamARN=f"{STREAM}/clicks", MaxResults=2)
    assert len(first["Shards"]) == 2
    rest = kinesis.list_shards(NextToken=first["NextToken"], MaxResults=2)
    assert [s["ShardId"] for s in rest["Shards"]] == ["shardId-000000000002"] and "NextToken" not in rest
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.list_shards(StreamName="clicks", NextToken=first["NextToken"])
    after = kinesis.list_shards(StreamName="clicks", ExclusiveStartShardId="shardId-000000000000")["Shards"]
    assert [s["ShardId"] for s in after] == ["shardId-000000000001", "shardId-000000000002"]
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.list_shards(StreamName="nope")


def test_consumers_and_streams(kinesis: Any) -> None:
    consumers = kinesis.list_stream_consumers(StreamARN=f"{STREAM}/clicks")["Consumers"]
    assert [(c["ConsumerName"], c["ConsumerStatus"]) for c in consumers] == [
        ("sessionizer", "ACTIVE"),
        ("archiver", "CREATING"),
    ]
    page = kinesis.list_stream_consumers(StreamARN=f"{STREAM}/clicks", MaxResults=1)
    nxt = kinesis.list_stream_consumers(
        StreamARN=f"{STREAM}/clicks", MaxResults=1, NextToken=page["NextToken"]
    )
    assert [c["ConsumerName"] for c in page["Consumers"] + nxt["Consumers"]] == ["sessionizer", "archiver"]
    assert kinesis.list_stream_consumers(StreamARN=f"{STREAM}/audit")["Consumers"] == []
    listed = kinesis.list_streams()
    assert (listed["StreamNames"], listed["HasMoreStreams"]) == (["audit", "clicks"], False)
    one = kinesis.list_streams(Limit=1)
    assert (one["StreamNames"], one["HasMoreStreams"]) == (["audit"], True)
    assert kinesis.list_streams(Limit=1, NextToken=one["NextToken"])["StreamNames"] == ["clicks"]
    with pytest.raises(ClientError) as err:
        kinesis.list_stream_consumers(StreamARN=f"{STREAM}/nope")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("method", "params"),
    [
        (
            "get_shard_iterator",
            {"StreamName": "clicks", "ShardId": "shardId-000000000001", "ShardIteratorType": "LATEST"},
        ),
        ("get_records", {"ShardIterator": "AAAA"}),
        ("put_record", {"StreamName": "clicks", "Data": b"x", "PartitionKey": "k"}),
        (
            "update_shard_count",
            {"StreamName": "clicks", "TargetShardCount": 4, "ScalingType": "UNIFORM_SCALING"},
        ),
    ],
)
def test_records_and_changes_are_refused_before_the_wire(method: str, params: dict[str, Any]) -> None:
    session, ctx = replay_session(make_bundle({"resources": RECORDS}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client("kinesis"), method)(**params)
    expected = ReplayUnsupported if method.startswith("get_") else ReplayRefused
    with pytest.raises(expected):
        getattr(session.client("kinesis"), method)(**params)
    assert sum(ctx.calls.values()) == 0


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    live = moto_session("kinesis")
    live.create_stream(StreamName="clicks", ShardCount=3)
    arn = live.describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]["StreamARN"]
    live.register_stream_consumer(StreamARN=arn, ConsumerName="sessionizer")
    summary = live.describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]
    records = [{"service": "kinesis", "type": "StreamDescriptionSummary", "item": _plain(summary)}]
    records += [
        {"service": "kinesis", "type": "StreamShard", "item": {"StreamName": "clicks", **s}}
        for s in live.list_shards(StreamName="clicks")["Shards"]
    ]
    records += [
        {"service": "kinesis", "type": "ConsumerDescription", "item": _plain({**c, "StreamARN": arn})}
        for c in live.list_stream_consumers(StreamARN=arn)["Consumers"]
    ]
    session, _ = replay_session(make_bundle({"resources": records}, now="2100-01-01T00:00:00Z"))
    replayed = session.client("kinesis")
    for method, params, key in (
        ("describe_stream_summary", {"StreamName": "clicks"}, "StreamDescriptionSummary"),
        ("list_shards", {"StreamName": "clicks"}, "Shards"),
        ("list_stream_consumers", {"StreamARN": arn}, "Consumers"),
        ("list_streams", {}, "StreamNames"),
    ):
        again, answered = getattr(replayed, method)(**params)[key], getattr(live, method)(**params)[key]
        if method == "describe_stream_summary":  # moto leaves out ConsumerCount, which AWS gives
            assert again.pop("ConsumerCount") == 1
        assert again == answered, method
    for client in (live, replayed):
        with pytest.raises(client.exceptions.ResourceNotFoundException) as err:
            client.describe_stream_summary(StreamName="nope")
        assert err.value.response["Error"]["Message"] == "Stream nope under account 123456789012 not found."


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
