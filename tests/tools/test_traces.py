"""Trace tools over replayed X-Ray segments: summaries, fault localisation, the service map, whole traces."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from tools.result import ToolStatus
from tools.traces import get_traces, service_map, trace_faults, trace_summaries

BASE = datetime(2024, 5, 1, 5, 0, tzinfo=UTC).timestamp()
WINDOW = {"start": "2024-05-01T04:30:00Z", "end": "2024-05-01T06:00:00Z"}


def hexid(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(n * 4):0{n}x}"


def chain_trace(rng: random.Random, i: int, failing: bool) -> list[dict[str, Any]]:
    """web -> checkout -> DynamoDB; checkout on i-0bad when failing, else on i-0good."""
    start = BASE + i * 30
    trace_id = f"1-{int(start):08x}-{hexid(rng, 24)}"
    call_id = hexid(rng, 16)
    instance = "i-0bad" if failing else "i-0good"
    zone = "us-east-1b" if failing else "us-east-1a"
    web = {
        "id": hexid(rng, 16),
        "trace_id": trace_id,
        "name": "web",
        "origin": "AWS::EC2::Instance",
        "start_time": start,
        "end_time": start + 0.3,
        "fault": failing,
        "http": {
            "request": {"method": "POST", "url": "https://shop.example.com/checkout"},
            "response": {"status": 502 if failing else 200},
        },
        "aws": {"ec2": {"instance_id": "i-0web", "availability_zone": "us-east-1a"}},
        "subsegments": [
            {
                "id": call_id,
                "name": "checkout",
                "namespace": "remote",
                "start_time": start + 0.01,
                "end_time": start + 0.29,
                "fault": failing,
                "http": {
                    "request": {"method": "POST", "url": "http://checkout.internal/pay"},
                    "response": {"status": 500 if failing else 200},
                },
            }
        ],
    }
    dynamo = {
        "id": hexid(rng, 16),
        "name": "DynamoDB",
        "namespace": "aws",
        "start_time": start + 0.05,
        "end_time": start + 0.2,
        "aws": {"operation": "PutItem", "table_name": "orders"},
    }
    if failing:
        dynamo["fault"] = True
        dynamo["cause"] = {
            "exceptions": [
                {
                    "id": hexid(rng, 16),
                    "type": "AccessDeniedException",
                    "message": "not authorized to perform: dynamodb:PutItem",
                }
            ]
        }
    checkout = {
        "id": hexid(rng, 16),
        "trace_id": trace_id,
        "parent_id": call_id,
        "name": "checkout",
        "origin": "AWS::EC2::Instance",
        "start_time": start + 0.02,
        "end_time": start + 0.28,
        "fault": failing,
        "http": {
            "request": {"method": "POST", "url": "http://checkout.internal/pay"},
            "response": {"status": 500 if failing else 200},
        },
        "aws": {"ec2": {"instance_id": instance, "availability_zone": zone}},
        "subsegments": [dynamo],
    }
    return [web, checkout]


@pytest.fixture(scope="module")
def traces() -> list[dict[str, Any]]:
    rng = random.Random(11)
    segments: list[dict[str, Any]] = []
    for i in range(60):
        segments += chain_trace(rng, i, failing=i % 3 == 0)
    return segments


def test_trace_faults_localise_the_deepest_failure_and_its_host(
    tool_ctx: Any, traces: list[dict[str, Any]]
) -> None:
    res = trace_faults.run(tool_ctx({"traces": traces}), WINDOW)
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert (res.data.traces, res.data.faulted) == (60, 20)
    top = res.data.root_causes[0]
    assert top.service == "DynamoDB"  # X-Ray infers a DynamoDB node from checkout's AWS subsegment
    assert top.exception == "AccessDeniedException"
    assert top.traces == 20
    assert any(c.dimension == "instance" and c.value == "i-0bad" for c in res.data.concentrations)


def test_trace_summaries_filter_and_cap(tool_ctx: Any, traces: list[dict[str, Any]]) -> None:
    ctx = tool_ctx({"traces": traces})
    res = trace_summaries.run(
        ctx, {**WINDOW, "filter_expression": 'service("checkout") AND fault', "limit": 5}
    )
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert res.data.matched == 20
    assert len(res.data.traces) == 5
    assert all(t.fault for t in res.data.traces)
    none = trace_summaries.run(ctx, {**WINDOW, "filter_expression": "http.status = 418"})
    assert none.status is ToolStatus.NO_DATA
    bad = trace_summaries.run(ctx, {**WINDOW, "filter_expression": "service(("})
    assert bad.status is ToolStatus.ERROR


def test_service_map_counts(tool_ctx: Any, traces: list[dict[str, Any]]) -> None:
    res = service_map.run(tool_ctx({"traces": traces}), WINDOW)
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    nodes = {n.name: n for n in res.data.services}
    assert nodes["checkout"].requests == 60
    assert nodes["checkout"].faults == 20
    assert "checkout" in nodes["web"].calls


def test_get_traces_orders_spans_across_services(tool_ctx: Any, traces: list[dict[str, Any]]) -> None:
    failing_id = traces[0]["trace_id"]
    res = get_traces.run(
        tool_ctx({"traces": traces}), {"trace_ids": [failing_id, "1-00000000-000000000000000000000000"]}
    )
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    spans = res.data.traces[0].spans
    deepest = max((s for s in spans if s.fault), key=lambda s: s.depth)
    checkout = next(s for s in spans if s.name == "checkout" and s.origin == "AWS::EC2::Instance")
    assert deepest.name == "DynamoDB"
    assert deepest.depth > checkout.depth > 0
    assert deepest.exception is not None
    assert deepest.exception.startswith("AccessDeniedException")
    assert res.data.missing == ["1-00000000-000000000000000000000000"]


def test_windows_longer_than_a_day_are_refused(tool_ctx: Any) -> None:
    res = trace_faults.run(tool_ctx(), {"start": "2024-05-01T00:00:00Z", "end": "2024-05-03T00:00:00Z"})
    assert (res.status, res.error_code) == (ToolStatus.ERROR, "usage")
