"""X-Ray replay at incident scale: 50,000 segments answer a compound filter and a service graph fast.

Query costs are measured in this process's CPU time: the machine is shared, and wall time would
measure the neighbours' load rather than replay's work.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.evals.replay.test_xray import at, utc

TRACES = 12_500  # four segments each: 50,000 segments


def _trace(i: int) -> list[dict[str, Any]]:
    start = at("00:00:00") + i * 1.7  # spread over ~6 hours
    trace = f"1-{int(start):08x}-{i:024x}"
    fault = i % 50 == 0
    throttle = i % 7 == 0
    sub = f"{i:08x}00000001"
    inv = f"{i:08x}00000002"
    return [
        {
            "id": f"{i:08x}0000000a",
            "trace_id": trace,
            "name": "frontend",
            "origin": "AWS::EC2::Instance",
            "start_time": start,
            "end_time": start + 0.5,
            "fault": fault,
            "annotations": {"tenant": f"t{i % 10}"},
            "http": {
                "request": {"method": "GET", "url": f"https://shop.example.com/api/item/{i}"},
                "response": {"status": 500 if fault else 200},
            },
            "subsegments": [
                {
                    "id": sub,
                    "name": "orders",
                    "namespace": "remote",
                    "start_time": start + 0.01,
                    "end_time": start + 0.45,
                    "fault": fault,
                }
            ],
        },
        {
            "id": f"{i:08x}0000000b",
            "trace_id": trace,
            "name": "orders",
            "origin": "AWS::ECS::Container",
            "parent_id": sub,
            "start_time": start + 0.02,
            "end_time": start + 0.44,
            "fault": fault,
            "subsegments": [
                {
                    "id": f"{i:08x}00000003",
                    "name": "DynamoDB",
                    "namespace": "aws",
                    "start_time": start + 0.03,
                    "end_time": start + 0.1,
                    "throttle": throttle,
                    "error": throttle,
                    "fault": fault,
                    "aws": {"table_name": "orders-table"},
                },
                {
                    "id": inv,
                    "name": "inventory",
                    "namespace": "remote",
                    "start_time": start + 0.2,
                    "end_time": start + 0.4,
                },
            ],
        },
        {
            "id": f"{i:08x}0000000c",
            "trace_id": trace,
            "name": "inventory",
            "origin": "AWS::EC2::Instance",
            "parent_id": inv,
            "start_time": start + 0.21,
            "end_time": start + 0.39,
        },
        {
            "type": "subsegment",
            "id": f"{i:08x}00000004",
            "trace_id": trace,
            "parent_id": f"{i:08x}0000000c",
            "name": "cache",
            "start_time": start + 0.22,
            "end_time": start + 0.3,
        },
    ]


BUILD: dict[str, float] = {}


@pytest.fixture(scope="module")
def xray() -> Any:
    segments = [seg for i in range(TRACES) for seg in _trace(i)]
    session, _ = replay_session(make_bundle({"traces": segments}, now="2024-05-01T06:00:00Z"))
    client = session.client("xray")
    began = time.process_time()
    client.batch_get_traces(TraceIds=["1-00000000-000000000000000000000000"])  # builds the index
    BUILD["seconds"] = time.process_time() - began
    return client


def test_index_is_built_once_in_seconds(xray: Any) -> None:
    # About 2 s on an idle 2-core machine; the bound leaves room for a busy one.
    assert BUILD["seconds"] < 10
    began = time.process_time()
    xray.batch_get_traces(TraceIds=["1-00000000-000000000000000000000000"])
    assert time.process_time() - began < 0.5


def test_compound_filter_over_50k_segments(xray: Any) -> None:
    expression = (
        'service("DynamoDB") { throttle } AND annotation.tenant = "t0" AND NOT fault '
        'AND http.url CONTAINS "/api/" AND responsetime < 1'
    )
    window = {"StartTime": utc(at("00:00:00")), "EndTime": utc(at("06:00:00"))}
    began = time.process_time()
    pages = list(xray.get_paginator("get_trace_summaries").paginate(**window, FilterExpression=expression))
    elapsed = time.process_time() - began
    found = [s["Id"] for page in pages for s in page["TraceSummaries"]]
    # i % 7 == 0 and i % 10 == 0 and i % 50 != 0: multiples of 70 that are not multiples of 350.
    expected = sum(1 for i in range(TRACES) if i % 70 == 0 and i % 350 != 0)
    assert len(found) == expected
    assert pages[0]["TracesProcessedCount"] == TRACES
    assert elapsed < 1.0


def test_service_graph_over_50k_segments(xray: Any) -> None:
    began = time.process_time()
    graph = xray.get_service_graph(StartTime=utc(at("00:00:00")), EndTime=utc(at("06:00:00")))
    elapsed = time.process_time() - began
    nodes = {s["Name"]: s for s in graph["Services"]}
    assert set(nodes) == {"client", "frontend", "orders", "DynamoDB", "inventory"}
    assert nodes["frontend"]["SummaryStatistics"]["TotalCount"] == TRACES
    assert nodes["DynamoDB"]["SummaryStatistics"]["ErrorStatistics"]["ThrottleCount"] == len(
        range(0, TRACES, 7)
    )
    assert elapsed < 1.0
