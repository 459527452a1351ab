"""stream_details over replay, and the stream edges of describe_resources (both directions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.evals.replay.test_kinesis import RECORDS, STREAM
from tests.tools.test_queues import function
from tools.registry import ToolContext
from tools.resources import describe_resources
from tools.streams import stream_details

FN = "arn:aws:lambda:us-east-1:123456789012:function"


def kinesis_mapping(uuid: str, stream: str, fn: str, result: str) -> dict[str, Any]:
    item = {
        "UUID": uuid,
        "EventSourceArn": f"{STREAM}/{stream}",
        "FunctionArn": f"{FN}:{fn}",
        "State": "Enabled",
        "BatchSize": 100,
        "StartingPosition": "LATEST",
        "LastProcessingResult": result,
    }
    return {"service": "lambda", "type": "EventSourceMappingConfiguration", "item": item}


BUNDLE = {
    "resources": [
        *RECORDS,
        function("click-enricher"),
        kinesis_mapping(
            "7b2c3d4e-0000-4000-8000-000000000007", "clicks", "click-enricher", "PROBLEM: Function timed out"
        ),
    ]
}


def test_stream_details_shows_capacity_reshard_and_readers(tool_ctx: Callable[..., ToolContext]) -> None:
    res = stream_details.run(tool_ctx(BUNDLE), {"stream": "clicks"})
    assert res.status == "ok", res.summary
    s = res.data
    assert (s.arn, s.status, s.mode, s.open_shards, s.closed_shards, s.retention_hours) == (
        f"{STREAM}/clicks",
        "UPDATING",
        "PROVISIONED",
        2,
        1,
        24,
    )
    assert [(c.name, c.status) for c in s.consumers] == [("sessionizer", "ACTIVE"), ("archiver", "CREATING")]
    assert [m.function for m in s.mappings] == [f"{FN}:click-enricher"]
    assert s.findings == [
        "status UPDATING: a reshard is in progress",
        "mapping to click-enricher: PROBLEM: Function timed out",
    ]
    assert "2 open shards, 1 closed by a reshard, retention 24 h" in res.summary
    quiet = stream_details.run(tool_ctx(BUNDLE), {"stream": f"{STREAM}/audit"})
    assert quiet.data.findings == [] and "no Lambda reads it" in quiet.summary
    assert stream_details.run(tool_ctx(BUNDLE), {"stream": "nope"}).status == "no_data"


def test_the_graph_walks_stream_to_reader_and_back(tool_ctx: Callable[..., ToolContext]) -> None:
    arn = f"{STREAM}/clicks"
    for ref in (arn, "clicks"):  # an ARN, or a bare name as an alarm's StreamName gives it
        graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": [ref], "include_network": False}).data
        assert (arn, "click-enricher", "triggers") in {(e.source, e.target, e.relation) for e in graph.edges}
        node = graph.node(arn)
        assert node is not None and node.kind == "kinesis_stream" and graph.unresolved == []
        assert (
            node.attrs["warning"]
            == "status UPDATING: a reshard is in progress; mapping to click-enricher: PROBLEM: Function timed out"
        )
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": ["click-enricher"], "include_network": False}
    ).data
    assert (arn, "click-enricher", "triggers") in {(e.source, e.target, e.relation) for e in graph.edges}
    missing = describe_resources.run(tool_ctx(BUNDLE), {"refs": ["no-such-thing"], "include_network": False})
    assert (missing.status == "no_data" and missing.data is None) or missing.data.unresolved == [
        "no-such-thing"
    ]
