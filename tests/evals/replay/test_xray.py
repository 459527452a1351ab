"""X-Ray replay: trace summaries and filter expressions over hand-written traces.

The traces (also used by test_xray_traces.py):

A: client -> frontend -> orders -> inventory -> api.supplier.com, and orders -> DynamoDB, which faults
   (500): the fault travels back to the client.
B: client -> frontend -> orders -> DynamoDB; DynamoDB throttles (sent as an independent subsegment),
   orders retries and the client gets a 200.
C: client -> frontend, which answers 404.
D: frontend still working at `now` (in progress).
E: starts after `now`: not visible.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from evals.replay import ReplayUnsupported, replay_session
from tests.conftest import make_bundle

NOW = "2024-05-01T05:00:00Z"


def at(hms: str) -> float:
    return datetime.fromisoformat(f"2024-05-01T{hms}+00:00").timestamp()


TA, TB, TC, TD, TE = at("01:00:00"), at("02:00:00"), at("03:00:00"), at("04:59:58"), at("05:10:00")
A = "1-66319410-aaaaaaaaaaaaaaaaaaaaaaaa"
B = "1-6631a220-bbbbbbbbbbbbbbbbbbbbbbbb"
C = "1-6631b030-cccccccccccccccccccccccc"
D = "1-6631cc4e-dddddddddddddddddddddddd"
E = "1-6631cea8-eeeeeeeeeeeeeeeeeeeeeeee"

EC2 = {"ec2": {"instance_id": "i-0frontend", "availability_zone": "us-east-1a"}}
AGENT = "Mozilla/5.0"


def frontend(
    seg_id: str, trace: str, start: float, end: float, method: str, url: str, status: int | None, **extra: Any
) -> dict[str, Any]:
    http: dict[str, Any] = {
        "request": {"method": method, "url": url, "client_ip": "198.51.100.7", "user_agent": AGENT}
    }
    if status is not None:
        http["response"] = {"status": status}
    return {
        "id": seg_id,
        "trace_id": trace,
        "name": "frontend",
        "origin": "AWS::EC2::Instance",
        "start_time": start,
        "end_time": end,
        "http": http,
        "aws": EC2,
        **extra,
    }


def segments() -> list[dict[str, Any]]:
    return [
        frontend(
            "f000000000000001",
            A,
            TA,
            TA + 1.0,
            "GET",
            "https://shop.example.com/api/cart/42",
            500,
            fault=True,
            user="alice",
            annotations={"tenant": "acme", "retries": 2},
            resource_arn="arn:aws:ec2:us-east-1:123456789012:instance/i-0frontend",
            subsegments=[
                {
                    "id": "5000000000000001",
                    "name": "orders",
                    "namespace": "remote",
                    "start_time": TA + 0.1,
                    "end_time": TA + 0.9,
                    "fault": True,
                    "http": {
                        "request": {"method": "POST", "url": "http://orders.internal/orders"},
                        "response": {"status": 500},
                    },
                },
            ],
        ),
        {
            "id": "0000000000000001",
            "trace_id": A,
            "name": "orders",
            "origin": "AWS::ECS::Container",
            "parent_id": "5000000000000001",
            "start_time": TA + 0.15,
            "end_time": TA + 0.85,
            "fault": True,
            "http": {
                "request": {"method": "POST", "url": "http://orders.internal/orders"},
                "response": {"status": 500},
            },
            "subsegments": [
                {
                    "id": "d000000000000001",
                    "name": "DynamoDB",
                    "namespace": "aws",
                    "start_time": TA + 0.2,
                    "end_time": TA + 0.5,
                    "fault": True,
                    "http": {"response": {"status": 500}},
                    "aws": {"table_name": "orders-table", "operation": "PutItem"},
                    "cause": {
                        "exceptions": [
                            {
                                "id": "e1",
                                "type": "InternalServerError",
                                "message": "DynamoDB internal failure",
                            }
                        ]
                    },
                },
                {
                    "id": "5000000000000002",
                    "name": "inventory",
                    "namespace": "remote",
                    "start_time": TA + 0.55,
                    "end_time": TA + 0.8,
                    "http": {"response": {"status": 200}},
                },
            ],
        },
        {
            "id": "1000000000000001",
            "trace_id": A,
            "name": "inventory",
            "origin": "AWS::EC2::Instance",
            "parent_id": "5000000000000002",
            "start_time": TA + 0.56,
            "end_time": TA + 0.79,
            "http": {"response": {"status": 200}},
            "annotations": {"beta": True},
            "subsegments": [
                {
                    "id": "7000000000000001",
                    "name": "api.supplier.com",
                    "namespace": "remote",
                    "start_time": TA + 0.6,
                    "end_time": TA + 0.75,
                    "http": {
                        "request": {"method": "GET", "url": "https://api.supplier.com/stock"},
                        "response": {"status": 200},
                    },
                },
            ],
        },
        # B
        frontend(
            "f000000000000002",
            B,
            TB,
            TB + 0.3,
            "POST",
            "https://shop.example.com/api/checkout",
            200,
            user="bob",
            annotations={"tenant": "globex", "retries": 0},
            subsegments=[
                {
                    "id": "5000000000000003",
                    "name": "orders",
                    "namespace": "remote",
                    "start_time": TB + 0.02,
                    "end_time": TB + 0.28,
                    "http": {"response": {"status": 200}},
                },
            ],
        ),
        {
            "id": "0000000000000002",
            "trace_id": B,
            "name": "orders",
            "origin": "AWS::ECS::Container",
            "parent_id": "5000000000000003",
            "start_time": TB + 0.03,
            "end_time": TB + 0.27,
            "http": {"response": {"status": 200}},
        },
        {
            "type": "subsegment",
            "id": "d000000000000002",
            "trace_id": B,
            "parent_id": "0000000000000002",
            "name": "DynamoDB",
            "namespace": "aws",
            "start_time": TB + 0.05,
            "end_time": TB + 0.1,
            "error": True,
            "throttle": True,
            "http": {"response": {"status": 400}},
            "aws": {"table_name": "orders-table", "operation": "Query"},
            "cause": {
                "exceptions": [
                    {
                        "id": "e2",
                        "type": "ProvisionedThroughputExceededException",
                        "message": "Rate of requests exceeds the allowed throughput.",
                    }
                ]
            },
        },
        # C
        frontend(
            "f000000000000003",
            C,
            TC,
            TC + 0.05,
            "GET",
            "https://shop.example.com/static/missing.png",
            404,
            error=True,
            annotations={"tenant": "acme"},
        ),
        # D: ends after now
        frontend("f000000000000004", D, TD, TD + 30, "GET", "https://shop.example.com/api/slow", 200),
        # E: starts after now
        frontend("f000000000000005", E, TE, TE + 1, "GET", "https://shop.example.com/api/later", 200),
    ]


def records() -> dict[str, list[Any]]:
    return {"traces": segments()}


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


# --- tests ---------------------------------------------------------------------------------------

WINDOW = {"StartTime": utc(at("00:00:00")), "EndTime": utc(at("05:00:00"))}


@pytest.fixture(scope="module")
def xray() -> Any:
    """One read-only client for the module: replay has no state a query could change."""
    session, _ = replay_session(make_bundle(records(), now=NOW))
    return session.client("xray")


def ids(xray: Any, expression: str | None = None, **extra: Any) -> list[str]:
    params = {**WINDOW, **extra}
    if expression is not None:
        params["FilterExpression"] = expression
    return [s["Id"] for s in xray.get_trace_summaries(**params)["TraceSummaries"]]


def test_summaries_in_window_leave_out_traces_after_now(xray: Any) -> None:
    resp = xray.get_trace_summaries(StartTime=utc(at("00:00:00")), EndTime=utc(at("06:00:00")))
    assert [s["Id"] for s in resp["TraceSummaries"]] == [A, B, C, D]
    assert resp["TracesProcessedCount"] == 4
    assert "NextToken" not in resp


def test_summary_of_the_faulting_chain(xray: Any) -> None:
    (s,) = [s for s in xray.get_trace_summaries(**WINDOW)["TraceSummaries"] if s["Id"] == A]
    assert s["StartTime"] == utc(TA)
    assert s["Duration"] == pytest.approx(1.0)
    assert s["ResponseTime"] == pytest.approx(1.0)
    assert (s["HasFault"], s["HasError"], s["HasThrottle"], s["IsPartial"]) == (True, False, False, False)
    assert s["Http"] == {
        "HttpURL": "https://shop.example.com/api/cart/42",
        "HttpMethod": "GET",
        "UserAgent": "Mozilla/5.0",
        "ClientIp": "198.51.100.7",
        "HttpStatus": 500,
    }
    fe = {"Name": "frontend", "Names": ["frontend"], "Type": "AWS::EC2::Instance"}
    assert s["EntryPoint"] == fe
    assert s["ServiceIds"] == [
        fe,
        {"Name": "orders", "Names": ["orders"], "Type": "AWS::ECS::Container"},
        {"Name": "DynamoDB", "Names": ["DynamoDB"], "Type": "AWS::DynamoDB::Table"},
        {"Name": "inventory", "Names": ["inventory"], "Type": "AWS::EC2::Instance"},
        {"Name": "api.supplier.com", "Names": ["api.supplier.com"], "Type": "remote"},
    ]
    assert s["Users"] == [{"UserName": "alice", "ServiceIds": [fe]}]
    assert s["Annotations"]["tenant"] == [{"AnnotationValue": {"StringValue": "acme"}, "ServiceIds": [fe]}]
    assert s["Annotations"]["retries"] == [{"AnnotationValue": {"NumberValue": 2.0}, "ServiceIds": [fe]}]
    assert s["Annotations"]["beta"][0]["AnnotationValue"] == {"BooleanValue": True}
    assert s["ResourceARNs"] == [{"ARN": "arn:aws:ec2:us-east-1:123456789012:instance/i-0frontend"}]
    assert s["InstanceIds"] == [{"Id": "i-0frontend"}]
    assert s["AvailabilityZones"] == [{"Name": "us-east-1a"}]
    # The deepest faulting entity is the DynamoDB call, which has no segment of its own.
    assert s["FaultRootCauses"] == [
        {
            "Services": [
                {
                    "Name": "DynamoDB",
                    "Names": ["DynamoDB"],
                    "Type": "AWS::DynamoDB::Table",
                    "EntityPath": [
                        {
                            "Name": "DynamoDB",
                            "Exceptions": [
                                {"Name": "InternalServerError", "Message": "DynamoDB internal failure"}
                            ],
                            "Remote": True,
                        }
                    ],
                    "Inferred": True,
                }
            ],
            "ClientImpacting": True,
        }
    ]
    assert s["ErrorRootCauses"] == []
    assert s["Revision"] == 3


def test_summary_of_a_handled_throttle(xray: Any) -> None:
    (s,) = [s for s in xray.get_trace_summaries(**WINDOW)["TraceSummaries"] if s["Id"] == B]
    # The client got a 200: no fault or error on the trace, but a throttle somewhere in it.
    assert (s["HasFault"], s["HasError"], s["HasThrottle"]) == (False, False, True)
    assert s["Duration"] == pytest.approx(0.3)
    (cause,) = s["ErrorRootCauses"]
    assert cause["ClientImpacting"] is False
    (svc,) = cause["Services"]
    assert (svc["Name"], svc["Type"], svc["Inferred"]) == ("DynamoDB", "AWS::DynamoDB::Table", True)
    assert svc["EntityPath"][-1]["Exceptions"][0]["Name"] == "ProvisionedThroughputExceededException"
    assert s["FaultRootCauses"] == []


def test_summary_of_a_client_error_names_the_service_itself(xray: Any) -> None:
    (s,) = [s for s in xray.get_trace_summaries(**WINDOW)["TraceSummaries"] if s["Id"] == C]
    assert (s["HasFault"], s["HasError"], s["HasThrottle"]) == (False, True, False)
    (cause,) = s["ErrorRootCauses"]
    assert cause["ClientImpacting"] is True
    assert cause["Services"][0]["Name"] == "frontend"
    assert cause["Services"][0]["Inferred"] is False
    assert cause["Services"][0]["EntityPath"] == [{"Name": "frontend"}]
    assert s["Users"] == []


def test_trace_in_progress_at_now_is_partial(xray: Any) -> None:
    (s,) = [s for s in xray.get_trace_summaries(**WINDOW)["TraceSummaries"] if s["Id"] == D]
    assert s["IsPartial"] is True
    assert "ResponseTime" not in s and "Duration" not in s
    assert "HttpStatus" not in s["Http"]  # the response has not been sent yet
    assert s["HasFault"] is False and s["HasError"] is False


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("fault", [A]),
        ("error", [C]),
        ("throttle", [B]),
        ("ok", [B]),
        ("!ok", [A, C, D]),
        ("ok = false", [A, C, D]),
        ("fault = true", [A]),
        ("fault != true", [B, C, D]),
        ("partial", [D]),
        ("!partial", [A, B, C]),
        ("responsetime > 0.5", [A]),
        ("responsetime < 0.1", [C]),
        ("responsetime = 0.3", [B]),
        ("duration >= 0.3 AND duration <= 1", [A, B]),
        ("http.status = 404", [C]),
        ("http.status != 200", [A, C]),
        ('http.url CONTAINS "/api/"', [A, B, D]),
        ('http.url BEGINSWITH "https://shop.example.com/static"', [C]),
        ('http.url ENDSWITH "checkout"', [B]),
        ('http.url = "https://shop.example.com/api/cart/42"', [A]),
        ('http.url != "https://shop.example.com/api/cart/42"', [B, C, D]),
        ('http.method = "POST"', [B]),
        ('http.useragent = "Mozilla/5.0"', [A, B, C, D]),
        ('http.clientip BEGINSWITH "198.51.100."', [A, B, C, D]),
        ('user = "alice"', [A]),
        ('user CONTAINS ""', [A, B]),
        ('annotation.tenant = "acme"', [A, C]),
        ('annotation[tenant] = "acme"', [A, C]),
        ('annotation.tenant CONTAINS "glob"', [B]),
        ("annotation.retries > 1", [A]),
        ("annotation.retries <= 0", [B]),
        ("annotation.beta", [A]),
        ("annotation.beta = true", [A]),
        ("annotation.beta = false", []),
        ("annotation.tenant > 1", []),
        ('service("inventory")', [A]),
        ('service("DynamoDB") { fault }', [A]),
        ('service("DynamoDB") { throttle }', [B]),
        ('service(id(name: "DynamoDB", type: "AWS::DynamoDB::Table"))', [A, B]),
        ('service(id(name: "orders", type: "AWS::EC2::Instance"))', []),
        ('service(id(type: "AWS::ECS::Container")) { fault }', [A]),
        ('service(id(type: "remote"))', [A]),
        ("service() { fault }", [A]),
        ("service() { throttle }", [B]),
        ("service() { partial }", [D]),
        ('service("orders").fault', [A]),
        ('service("orders").responsetime > 0.5', [A]),
        ('service("orders") { responsetime > 0.5 }', [A]),
        ('service("orders") { ok }', [B]),
        ('service("api.supplier.com") { http.url ENDSWITH "/stock" AND http.method = "GET" }', [A]),
        ('edge("frontend", "orders") { fault }', [A]),
        ('edge("orders", "DynamoDB") { error }', [B]),
        ('edge("orders", "inventory")', [A]),
        ('edge("inventory", "orders")', []),
        ('edge(id(name: "orders", type: "AWS::ECS::Container"), "DynamoDB").throttle', [B]),
        ('rootcause.fault.service = "DynamoDB"', [A]),
        ('rootcause.fault.service.name = "DynamoDB"', [A]),
        ('rootcause.error.service.type = "AWS::DynamoDB::Table"', [B]),
        ('rootcause.error.service = "frontend"', [C]),
        ("rootcause.error.service.inferred", [B]),
        ('rootcause.fault.entity.exception.message CONTAINS "internal"', [A]),
        ('rootcause.fault.entity.exception.name = "InternalServerError"', [A]),
        ('rootcause.error.entity.exception BEGINSWITH "ProvisionedThroughput"', [B]),
        ("rootcause.fault.entity.remote = true", [A]),
        ('(fault OR throttle) AND annotation.tenant = "acme"', [A]),
        ("ok !partial duration < 3", [B]),
        ('NOT service("orders")', [C, D]),
        ('!service("orders")', [C, D]),
        ('http.url BEGINSWITH "https://shop" AND !service("inventory")', [B, C, D]),
        ("error OR fault AND throttle", [C]),
        ("(error OR fault) AND !throttle", [A, C]),
        ("fault or error", [A, C]),
        ("fault and error", []),
        ("", [A, B, C, D]),
    ],
)
def test_filter_expression(xray: Any, expression: str, expected: list[str]) -> None:
    assert ids(xray, expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "foo = 1",
        'http.status = "500"',
        "http.url > 5",
        "http.url CONTAINS api",
        "fault AND",
        "(fault",
        "fault)",
        "responsetime",
        "fault > 1",
        "ok = maybe",
        'service("a") { annotation.x = 1 }',
        'service("a") { service("b") }',
        'service("a") { user = "x" }',
        'edge("a") { fault }',
        "rootcause.fault.nothing = 1",
        'annotation.x < "a"',
        '"fault"',
        "fault #",
    ],
)
def test_invalid_filter_is_the_aws_error(xray: Any, expression: str) -> None:
    with pytest.raises(ClientError) as err:
        xray.get_trace_summaries(**WINDOW, FilterExpression=expression)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "filter expression" in err.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    "expression", ['group.name = "errors"', 'rootcause.responsetime.service = "x"', "json"]
)
def test_valid_keywords_replay_does_not_evaluate_are_refused(xray: Any, expression: str) -> None:
    with pytest.raises(ReplayUnsupported):
        xray.get_trace_summaries(**WINDOW, FilterExpression=expression)


def test_time_window_limits(xray: Any) -> None:
    for start, end in [("00:00:00", "00:00:00"), ("03:00:00", "01:00:00")]:
        if start == end:
            assert ids(xray, StartTime=utc(at(start)), EndTime=utc(at(end))) == []
            continue
        with pytest.raises(ClientError) as err:
            xray.get_trace_summaries(StartTime=utc(at(start)), EndTime=utc(at(end)))
        assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    with pytest.raises(ClientError) as err:
        xray.get_trace_summaries(StartTime=utc(at("00:00:00")), EndTime=utc(at("00:00:00") + 86_401))
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    # Exactly 24 hours is allowed.
    assert xray.get_trace_summaries(StartTime=utc(at("00:00:00")), EndTime=utc(at("00:00:00") + 86_400))


def test_time_range_types(xray: Any) -> None:
    # Trace A's id says 01:00:00; its last segment ended at 01:00:01.
    window = {"StartTime": utc(TA + 0.5), "EndTime": utc(TA + 1.5)}
    assert ids(xray, **window) == []
    assert ids(xray, **window, TimeRangeType="TraceId") == []
    resp = xray.get_trace_summaries(**window, TimeRangeType="Event")
    assert [s["Id"] for s in resp["TraceSummaries"]] == [A]
    assert resp["TraceSummaries"][0]["MatchedEventTime"] == utc(TA + 1.0)
    # Service: a segment (not a subsegment) ended in the window: inventory at +0.79, orders at +0.85.
    window = {"StartTime": utc(TA + 0.7), "EndTime": utc(TA + 0.8)}
    resp = xray.get_trace_summaries(**window, TimeRangeType="Service")
    assert [s["Id"] for s in resp["TraceSummaries"]] == [A]
    assert resp["TraceSummaries"][0]["MatchedEventTime"].timestamp() == pytest.approx(TA + 0.79)
    window = {"StartTime": utc(TA + 0.91), "EndTime": utc(TA + 0.95)}
    assert ids(xray, **window, TimeRangeType="Service") == []


def test_sampling_is_deterministic(xray: Any) -> None:
    none = xray.get_trace_summaries(
        **WINDOW, Sampling=True, SamplingStrategy={"Name": "FixedRate", "Value": 0}
    )
    assert none["TraceSummaries"] == [] and none["TracesProcessedCount"] == 4
    fixed = {"Sampling": True, "SamplingStrategy": {"Name": "FixedRate", "Value": 0.5}}
    assert ids(xray, **fixed) == ids(xray, **fixed)
    assert set(ids(xray, **fixed)) <= {A, B, C, D}
    assert ids(xray, Sampling=True, SamplingStrategy={"Name": "FixedRate", "Value": 1}) == [A, B, C, D]
    # Sampling off: the strategy does not apply.
    assert ids(xray, Sampling=False, SamplingStrategy={"Name": "FixedRate", "Value": 0}) == [A, B, C, D]
    partial = xray.get_trace_summaries(
        **WINDOW, Sampling=True, SamplingStrategy={"Name": "PartialScan", "Value": 0.5}
    )
    assert [s["Id"] for s in partial["TraceSummaries"]] == [C, D]
    assert partial["TracesProcessedCount"] == 2
    with pytest.raises(ClientError):
        xray.get_trace_summaries(**WINDOW, Sampling=True, SamplingStrategy={"Name": "FixedRate", "Value": 2})
    with pytest.raises(ReplayUnsupported):
        xray.get_trace_summaries(**WINDOW, Sampling=True)


def _many(n: int) -> list[dict[str, Any]]:
    base = at("01:00:00")
    out = []
    for i in range(n):
        trace = f"1-{int(base) + i:08x}-{i:024x}"
        status = 500 if i % 3 == 0 else 200
        out.append(frontend(f"{i:016x}", trace, base + i, base + i + 0.1, "GET", f"https://x/{i}", status))
    return out


def test_pagination(replay: Callable[..., tuple[boto3.Session, Any]]) -> None:
    session, _ = replay({"traces": _many(250)}, now=NOW)
    xray = session.client("xray")
    first = xray.get_trace_summaries(**WINDOW)
    assert len(first["TraceSummaries"]) == 100 and first["TracesProcessedCount"] == 250
    second = xray.get_trace_summaries(**WINDOW, NextToken=first["NextToken"])
    third = xray.get_trace_summaries(**WINDOW, NextToken=second["NextToken"])
    assert len(third["TraceSummaries"]) == 50 and "NextToken" not in third
    every = [s["Id"] for page in (first, second, third) for s in page["TraceSummaries"]]
    assert len(set(every)) == 250
    # The paginator sees the same, and a filter pages over the matches only.
    pages = xray.get_paginator("get_trace_summaries").paginate(**WINDOW, FilterExpression="fault")
    faults = [s["Id"] for page in pages for s in page["TraceSummaries"]]
    assert len(faults) == 84  # i = 0, 3, ..., 249
    with pytest.raises(ClientError) as err:
        xray.get_trace_summaries(**WINDOW, FilterExpression="ok", NextToken=first["NextToken"])
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
