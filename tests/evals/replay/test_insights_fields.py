"""Logs Insights field discovery: JSON messages, VPC flow logs and Lambda platform lines."""

from __future__ import annotations

from typing import Any

import pytest

from evals.replay.context import ReplayContext
from evals.replay.engines.insights import run_query
from tests.conftest import make_bundle

T = 1714521600000
END = T + 6 * 3600 * 1000

FLOW = [
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 10.0.0.5 20642 443 6 10 1000 1418530011 1418530071 ACCEPT OK",
    "2 123456789010 eni-1a2b3c4d - - - - - - - 1431280876 1431280934 - NODATA",
]

LAMBDA = [
    "START RequestId: 8f5a-01 Version: $LATEST",
    "2024-05-01T00:00:00.100Z\t8f5a-01\tINFO\tcharging card",
    "END RequestId: 8f5a-01",
    "REPORT RequestId: 8f5a-01\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\t"
    "Max Memory Used: 70 MB\tInit Duration: 150.30 ms\t",
    "REPORT RequestId: 9c1d-02\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\t"
    "Max Memory Used: 71 MB\t\nXRAY TraceId: 1-5759e988-bd862e3fe1be46a994272793\tSegmentId: 6b5a4c3d2e1f0a9b\t"
    "Sampled: true",
]


def _ctx(group: str, messages: list[str]) -> ReplayContext:
    events = [
        {"log_group": group, "log_stream": "s", "timestamp": T + 1000 * i, "message": m}
        for i, m in enumerate(messages, 1)
    ]
    return ReplayContext(make_bundle({"logs": events}))


def rows(ctx: ReplayContext, group: str, query: str) -> list[dict[str, str]]:
    result = run_query(ctx, query, [group], T, END, None)
    return [{f: v for f, v in row if f != "@ptr"} for row in result.rows]


@pytest.fixture(scope="module")
def flow() -> ReplayContext:
    return _ctx("/vpc/flow", FLOW)


@pytest.fixture(scope="module")
def lam() -> ReplayContext:
    return _ctx("/aws/lambda/orders", LAMBDA)


# --- VPC flow logs --------------------------------------------------------------------------------


def test_flow_log_fields_are_discovered(flow: ReplayContext) -> None:
    query = (
        "filter dstPort = 22 | fields version, accountId, interfaceId, srcAddr, dstAddr, srcPort, dstPort, "
        "protocol, packets, bytes, start, end, action, logStatus"
    )
    assert rows(flow, "/vpc/flow", query) == [
        {
            "version": "2",
            "accountId": "123456789010",
            "interfaceId": "eni-1235b8ca123456789",
            "srcAddr": "172.31.16.139",
            "dstAddr": "172.31.16.21",
            "srcPort": "20641",
            "dstPort": "22",
            "protocol": "6",
            "packets": "20",
            "bytes": "4249",
            "start": "1418530010",
            "end": "1418530070",
            "action": "ACCEPT",
            "logStatus": "OK",
        }
    ]


def test_flow_log_start_and_end_also_answer_to_their_documented_long_names(flow: ReplayContext) -> None:
    assert rows(flow, "/vpc/flow", "filter dstPort = 22 | fields startTime, endTime") == [
        {"startTime": "1418530010", "endTime": "1418530070"}
    ]


def test_flow_log_aggregation(flow: ReplayContext) -> None:
    assert rows(
        flow, "/vpc/flow", "filter action = 'ACCEPT' | stats sum(bytes) as b, count(*) as n by srcAddr"
    ) == [{"srcAddr": "172.31.16.139", "b": "5249", "n": "2"}]
    assert rows(flow, "/vpc/flow", "filter action = 'REJECT' | fields srcAddr, dstPort") == [
        {"srcAddr": "172.31.9.69", "dstPort": "3389"}
    ]


def test_nodata_flow_records_have_status_but_no_traffic(flow: ReplayContext) -> None:
    got = rows(flow, "/vpc/flow", "filter logStatus = 'NODATA' | fields interfaceId, logStatus, bytes")
    assert got == [{"interfaceId": "eni-1a2b3c4d", "logStatus": "NODATA", "bytes": "-"}]


def test_lines_that_are_not_flow_records_have_no_flow_fields() -> None:
    ctx = _ctx("/g", ["2 a b c d e f g h i j k ACCEPT OK", "hello world"])
    assert rows(ctx, "/g", "fields action, srcAddr") == [{}, {}]


# --- Lambda ---------------------------------------------------------------------------------------


def test_lambda_report_fields(lam: ReplayContext) -> None:
    got = rows(
        lam,
        "/aws/lambda/orders",
        "filter @type = 'REPORT' | fields @requestId, @duration, @billedDuration, @memorySize, @maxMemoryUsed, "
        "@initDuration, @xrayTraceId, @xraySegmentId",
    )
    assert got == [
        {
            "@requestId": "9c1d-02",
            "@duration": "2.5",
            "@billedDuration": "3",
            "@memorySize": "128000000",  # Logs Insights reports memory in bytes
            "@maxMemoryUsed": "71000000",
            "@xrayTraceId": "1-5759e988-bd862e3fe1be46a994272793",
            "@xraySegmentId": "6b5a4c3d2e1f0a9b",
        },
        {
            "@requestId": "8f5a-01",
            "@duration": "102.25",
            "@billedDuration": "103",
            "@memorySize": "128000000",
            "@maxMemoryUsed": "70000000",
            "@initDuration": "150.3",
        },
    ]


def test_lambda_type_and_request_id_on_every_platform_line(lam: ReplayContext) -> None:
    got = rows(lam, "/aws/lambda/orders", "sort @timestamp asc | fields @type, @requestId")
    assert got == [
        {"@type": "START", "@requestId": "8f5a-01"},
        {},
        {"@type": "END", "@requestId": "8f5a-01"},
        {"@type": "REPORT", "@requestId": "8f5a-01"},
        {"@type": "REPORT", "@requestId": "9c1d-02"},
    ]


def test_lambda_cold_start_and_memory_query(lam: ReplayContext) -> None:
    # The AWS sample query for over-provisioned memory.
    got = rows(
        lam,
        "/aws/lambda/orders",
        "filter @type = 'REPORT' | stats max(@memorySize / 1000 / 1000) as provisionedMB, "
        "max(@maxMemoryUsed / 1000 / 1000) as maxUsedMB, count(@initDuration) as coldStarts, avg(@duration) as d",
    )
    assert got == [{"provisionedMB": "128", "maxUsedMB": "71", "coldStarts": "1", "d": "52.375"}]


# --- JSON -----------------------------------------------------------------------------------------


def test_json_fields_flatten_objects_and_arrays() -> None:
    message = (
        '{"level":"ERROR","http":{"status":502,"route":{"name":"pay"}},"items":[{"id":"i-1"},{"id":"i-2"}],'
        '"ok":false,"gone":null,"ratio":0.25,"quote":"say \\"hi\\"","@custom":"x"}'
    )
    ctx = _ctx("/g", [message])
    got = rows(
        ctx,
        "/g",
        "fields level, http.status, http.route.name, items.0.id, items.1.id, ok, ratio, quote, gone, http, items",
    )
    assert got == [
        {
            "level": "ERROR",
            "http.status": "502",
            "http.route.name": "pay",
            "items.0.id": "i-1",
            "items.1.id": "i-2",
            "ok": "false",
            "ratio": "0.25",
            "quote": 'say "hi"',
        }
    ]


def test_json_fields_compare_as_numbers_and_text() -> None:
    ctx = _ctx("/g", ['{"code":404}', '{"code":"500"}', '{"code":"abc"}', "code=500"])
    assert rows(ctx, "/g", "filter code >= 400 | fields code | sort code asc") == [
        {"code": "404"},
        {"code": "500"},
    ]
    assert rows(ctx, "/g", "filter code = 'abc' | fields code") == [{"code": "abc"}]


def test_messages_that_only_look_like_json_have_no_fields() -> None:
    ctx = _ctx("/g", ["{not json", '  {"a": 1}', '["a"]'])
    assert rows(ctx, "/g", "filter ispresent(a) | fields a") == [{"a": "1"}]
    assert rows(ctx, "/g", "fields a, @message | sort @timestamp asc")[0] == {"@message": "{not json"}


def _rows_with(group: str, messages: list[str], query: str) -> list[dict[str, Any]]:
    return rows(_ctx(group, messages), group, query)


def test_parse_can_split_a_json_field() -> None:
    got = _rows_with(
        "/g", ['{"path":"/v1/orders/42"}'], "parse path '/*/orders/*' as version, id | fields version, id"
    )
    assert got == [{"version": "v1", "id": "42"}]
