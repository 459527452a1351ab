"""X-Ray replay: BatchGetTraces, GetServiceGraph and GetTraceGraph over the traces of test_xray.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.evals.replay.test_xray import NOW, TA, TB, TC, A, B, C, D, E, at, records, utc


@pytest.fixture(scope="module")
def xray() -> Any:
    """One read-only client for the module: replay has no state a query could change."""
    session, _ = replay_session(make_bundle(records(), now=NOW))
    return session.client("xray")


def documents(trace: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {seg["Id"]: json.loads(seg["Document"]) for seg in trace["Segments"]}


# --- BatchGetTraces ------------------------------------------------------------------------------


def test_batch_get_traces_returns_segments_and_inferred_segments(xray: Any) -> None:
    resp = xray.batch_get_traces(TraceIds=[A, "1-00000000-000000000000000000000000"])
    assert resp["UnprocessedTraceIds"] == ["1-00000000-000000000000000000000000"]
    (trace,) = resp["Traces"]
    assert trace["Id"] == A
    assert trace["Duration"] == pytest.approx(1.0)
    assert trace["LimitExceeded"] is False
    docs = documents(trace)
    assert {d["name"] for d in docs.values() if not d.get("inferred")} == {"frontend", "orders", "inventory"}
    assert docs["f000000000000001"]["http"]["response"]["status"] == 500
    inferred = sorted((d for d in docs.values() if d.get("inferred")), key=lambda d: d["name"])
    assert [(d["name"], d["origin"], d["parent_id"]) for d in inferred] == [
        ("DynamoDB", "AWS::DynamoDB::Table", "d000000000000001"),
        ("api.supplier.com", "remote", "7000000000000001"),
    ]
    dynamo = inferred[0]
    assert dynamo["trace_id"] == A
    assert dynamo["start_time"] == pytest.approx(TA + 0.2) and dynamo["end_time"] == pytest.approx(TA + 0.5)
    assert dynamo["aws"]["table_name"] == "orders-table" and dynamo["fault"] is True
    # Ids of inferred segments are stable across calls.
    again = documents(xray.batch_get_traces(TraceIds=[A])["Traces"][0])
    assert set(again) == set(docs)


def test_independent_subsegment_is_merged_into_its_segment(xray: Any) -> None:
    (trace,) = xray.batch_get_traces(TraceIds=[B])["Traces"]
    docs = documents(trace)
    assert "d000000000000002" not in docs  # not a segment of its own
    orders = docs["0000000000000002"]
    (sub,) = orders["subsegments"]
    assert sub["id"] == "d000000000000002" and sub["throttle"] is True
    assert "type" not in sub and "parent_id" not in sub
    # ...and, as a downstream call with no segment, it still yields an inferred DynamoDB segment.
    assert [d["name"] for d in docs.values() if d.get("inferred")] == ["DynamoDB"]


def test_segment_in_progress_at_now_has_no_response_yet(xray: Any) -> None:
    resp = xray.batch_get_traces(TraceIds=[D, E])
    assert resp["UnprocessedTraceIds"] == [E]  # E starts after now
    (trace,) = resp["Traces"]
    (doc,) = documents(trace).values()
    assert doc["in_progress"] is True
    assert "end_time" not in doc and "response" not in doc["http"]
    assert "Duration" not in trace


def test_batch_get_traces_takes_at_most_five_ids(xray: Any) -> None:
    with pytest.raises(ClientError) as err:
        xray.batch_get_traces(TraceIds=[A, B, C, D, E, "1-00000000-000000000000000000000000"])
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    resp = xray.batch_get_traces(TraceIds=[A, B, C, D, E])
    assert [t["Id"] for t in resp["Traces"]] == [A, B, C, D]


# --- GetServiceGraph -----------------------------------------------------------------------------


def stats(ok: int, error: int, throttle: int, fault: int, total: int, time: float) -> dict[str, Any]:
    return {
        "OkCount": ok,
        "ErrorStatistics": {"ThrottleCount": throttle, "OtherCount": error - throttle, "TotalCount": error},
        "FaultStatistics": {"OtherCount": fault, "TotalCount": fault},
        "TotalCount": total,
        "TotalResponseTime": pytest.approx(time),
    }


def test_service_graph_of_the_window(xray: Any) -> None:
    resp = xray.get_service_graph(StartTime=utc(at("00:00:00")), EndTime=utc(at("05:00:00")))
    assert resp["StartTime"] == utc(at("00:00:00")) and resp["ContainsOldGroupVersions"] is False
    nodes = {(s["Name"], s["Type"]): s for s in resp["Services"]}
    assert list(nodes) == [
        ("client", "client"),
        ("DynamoDB", "AWS::DynamoDB::Table"),
        ("api.supplier.com", "remote"),
        ("frontend", "AWS::EC2::Instance"),
        ("inventory", "AWS::EC2::Instance"),
        ("orders", "AWS::ECS::Container"),
    ]
    ref = {key[0]: s["ReferenceId"] for key, s in nodes.items()}
    assert sorted(ref.values()) == list(range(6))

    client = nodes[("client", "client")]
    assert client["State"] == "unknown"
    (to_frontend,) = client["Edges"]
    assert to_frontend["ReferenceId"] == ref["frontend"]
    # A fault (1.0 s), an ok (0.3 s) and a 404 (0.05 s); D is still in progress and not counted.
    assert to_frontend["SummaryStatistics"] == stats(1, 1, 0, 1, 3, 1.35)

    fe = nodes[("frontend", "AWS::EC2::Instance")]
    assert fe["Root"] is True and fe["State"] == "active"
    assert fe["SummaryStatistics"] == stats(1, 1, 0, 1, 3, 1.35)
    assert fe["StartTime"] == utc(TA) and fe["EndTime"].timestamp() == pytest.approx(TC + 0.05)
    assert [(h["Value"], h["Count"]) for h in fe["ResponseTimeHistogram"]] == [(0.05, 1), (0.3, 1), (1.0, 1)]
    assert [e["ReferenceId"] for e in fe["Edges"]] == [ref["orders"]]
    assert fe["Edges"][0]["SummaryStatistics"] == stats(1, 0, 0, 1, 2, 0.7 + 0.24)

    orders = nodes[("orders", "AWS::ECS::Container")]
    assert orders["Root"] is False
    edges = {e["ReferenceId"]: e for e in orders["Edges"]}
    assert set(edges) == {ref["DynamoDB"], ref["inventory"]}
    # DynamoDB: one fault (0.3 s) and one throttle (0.05 s).
    assert edges[ref["DynamoDB"]]["SummaryStatistics"] == stats(0, 1, 1, 1, 2, 0.35)
    assert edges[ref["inventory"]]["SummaryStatistics"] == stats(1, 0, 0, 0, 1, 0.23)

    dynamo = nodes[("DynamoDB", "AWS::DynamoDB::Table")]
    assert dynamo["Edges"] == [] and dynamo["State"] == "unknown" and dynamo["Root"] is False
    assert dynamo["SummaryStatistics"] == stats(0, 1, 1, 1, 2, 0.35)
    inventory = nodes[("inventory", "AWS::EC2::Instance")]
    assert [e["ReferenceId"] for e in inventory["Edges"]] == [ref["api.supplier.com"]]
    assert nodes[("api.supplier.com", "remote")]["SummaryStatistics"] == stats(1, 0, 0, 0, 1, 0.15)


def test_service_graph_counts_only_calls_in_the_window(xray: Any) -> None:
    resp = xray.get_service_graph(StartTime=utc(TB - 1), EndTime=utc(TB + 1))
    names = [s["Name"] for s in resp["Services"]]
    assert names == ["client", "DynamoDB", "frontend", "orders"]
    fe = next(s for s in resp["Services"] if s["Name"] == "frontend")
    assert fe["SummaryStatistics"] == stats(1, 0, 0, 0, 1, 0.3)
    empty = xray.get_service_graph(StartTime=utc(at("00:00:00")), EndTime=utc(at("00:30:00")))
    assert empty["Services"] == []


def test_service_graph_in_progress_node_has_no_statistics(xray: Any) -> None:
    resp = xray.get_service_graph(StartTime=utc(at("04:59:00")), EndTime=utc(at("05:00:00")))
    fe = next(s for s in resp["Services"] if s["Name"] == "frontend")
    assert fe["SummaryStatistics"]["TotalCount"] == 0
    assert "EndTime" not in fe


def test_service_graph_groups(xray: Any) -> None:
    window = {"StartTime": utc(at("00:00:00")), "EndTime": utc(at("05:00:00"))}
    assert xray.get_service_graph(**window, GroupName="Default")["Services"]
    for group in (
        {"GroupName": "errors"},
        {"GroupARN": "arn:aws:xray:us-east-1:123456789012:group/errors/X"},
    ):
        with pytest.raises(ClientError) as err:
            xray.get_service_graph(**window, **group)
        assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    with pytest.raises(ClientError):
        xray.get_service_graph(StartTime=utc(at("02:00:00")), EndTime=utc(at("01:00:00")))


# --- GetTraceGraph -------------------------------------------------------------------------------


def test_trace_graph_of_one_trace(xray: Any) -> None:
    services = xray.get_trace_graph(TraceIds=[C])["Services"]
    assert [(s["Name"], s["Type"]) for s in services] == [
        ("client", "client"),
        ("frontend", "AWS::EC2::Instance"),
    ]
    assert services[1]["SummaryStatistics"] == stats(0, 1, 0, 0, 1, 0.05)
    both = xray.get_trace_graph(TraceIds=[A, B])["Services"]
    orders = next(s for s in both if s["Name"] == "orders")
    assert orders["SummaryStatistics"] == stats(1, 0, 0, 1, 2, 0.94)
    assert xray.get_trace_graph(TraceIds=["1-00000000-000000000000000000000000"])["Services"] == []


# --- assembling traces at `now` ------------------------------------------------------------------


def _client(segments: list[dict[str, Any]], now: str = NOW) -> Any:
    session, _ = replay_session(make_bundle({"traces": segments}, now=now))
    return session.client("xray")


def _segment(seg_id: str, start: float, end: float | None, **extra: Any) -> dict[str, Any]:
    doc = {"id": seg_id, "trace_id": A, "name": "worker", "start_time": start, **extra}
    if end is None:
        doc["in_progress"] = True
    else:
        doc["end_time"] = end
    return doc


def test_completed_segment_replaces_its_in_progress_fragment() -> None:
    xray = _client(
        [_segment("a000000000000001", TA, None), _segment("a000000000000001", TA, TA + 2, fault=True)]
    )
    (s,) = xray.get_trace_summaries(StartTime=utc(TA - 1), EndTime=utc(TA + 1))["TraceSummaries"]
    assert s["IsPartial"] is False and s["HasFault"] is True and s["Duration"] == pytest.approx(2.0)
    (trace,) = xray.batch_get_traces(TraceIds=[A])["Traces"]
    assert len(trace["Segments"]) == 1


def test_subsegments_are_seen_as_at_now() -> None:
    now = "2024-05-01T01:00:05Z"
    subs = [
        {"id": "b000000000000001", "name": "done", "start_time": TA + 1, "end_time": TA + 2},
        {
            "id": "b000000000000002",
            "name": "running",
            "start_time": TA + 3,
            "end_time": TA + 9,
            "fault": True,
            "http": {"request": {"method": "GET"}, "response": {"status": 500}},
        },
        {"id": "b000000000000003", "name": "future", "start_time": TA + 6, "end_time": TA + 7},
    ]
    xray = _client([_segment("a000000000000001", TA, TA + 4, subsegments=subs)], now=now)
    (s,) = xray.get_trace_summaries(StartTime=utc(TA - 1), EndTime=utc(TA + 1))["TraceSummaries"]
    # The segment is complete but one of its subsegments is still running: partial, and no fault yet.
    assert s["IsPartial"] is True and s["HasFault"] is False and s["ResponseTime"] == pytest.approx(4.0)
    (doc,) = documents(xray.batch_get_traces(TraceIds=[A])["Traces"][0]).values()
    assert [sub["name"] for sub in doc["subsegments"]] == ["done", "running"]
    running = doc["subsegments"][1]
    assert (
        running["in_progress"] is True
        and "fault" not in running
        and running["http"] == {"request": {"method": "GET"}}
    )


def test_nested_independent_subsegments_keep_their_children() -> None:
    xray = _client(
        [
            _segment("a000000000000001", TA, TA + 4),
            {
                "type": "subsegment",
                "id": "c000000000000002",
                "trace_id": A,
                "parent_id": "c000000000000001",
                "name": "inner",
                "start_time": TA + 2,
                "end_time": TA + 3,
            },
            {
                "type": "subsegment",
                "id": "c000000000000001",
                "trace_id": A,
                "parent_id": "a000000000000001",
                "name": "outer",
                "start_time": TA + 1,
                "end_time": TA + 3.5,
            },
        ]
    )
    (doc,) = documents(xray.batch_get_traces(TraceIds=[A])["Traces"][0]).values()
    (outer,) = doc["subsegments"]
    assert outer["name"] == "outer" and [s["name"] for s in outer["subsegments"]] == ["inner"]


def test_fault_root_cause_inside_a_service_names_the_entity_path() -> None:
    handler = {
        "id": "b000000000000001",
        "name": "## handler",
        "start_time": TA + 0.1,
        "end_time": TA + 0.9,
        "fault": True,
        "cause": {"exceptions": [{"id": "x", "type": "KeyError", "message": "'sku'"}]},
    }
    xray = _client(
        [
            _segment(
                "a000000000000001",
                TA,
                TA + 1,
                fault=True,
                origin="AWS::Lambda::Function",
                subsegments=[handler],
            )
        ]
    )
    (s,) = xray.get_trace_summaries(StartTime=utc(TA - 1), EndTime=utc(TA + 1))["TraceSummaries"]
    assert s["FaultRootCauses"] == [
        {
            "Services": [
                {
                    "Name": "worker",
                    "Names": ["worker"],
                    "Type": "AWS::Lambda::Function",
                    "EntityPath": [
                        {"Name": "worker"},
                        {
                            "Name": "## handler",
                            "Exceptions": [{"Name": "KeyError", "Message": "'sku'"}],
                            "Remote": False,
                        },
                    ],
                    "Inferred": False,
                }
            ],
            "ClientImpacting": True,
        }
    ]
