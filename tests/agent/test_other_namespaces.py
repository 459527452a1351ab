"""Every AWS service's metrics are evidence: a web ACL's blocked requests, read by the survey's scan of the
namespaces the key-metric catalog has no kind for, and credited to the resource a change's ARN names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.investigate import investigate
from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.evals.test_scoring_diagnosis import trail
from tools.aws import AwsClients

T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
ACL = "shop-public-acl"
ACL_ARN = f"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/{ACL}/4f0c2a9e-1b7d-4c55-9e61-2d7a8b3c9f10"
ADMIN = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Security_0a1b/ines"


def _points() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for minute in range(360):
        at = (T0 + timedelta(minutes=minute)).isoformat()
        blocking = minute >= 305
        for rule, normal in (("ALL", 4.0), ("rate-limit-api", 1.0)):
            out.append(
                {
                    "namespace": "AWS/WAFV2",
                    "metric": "BlockedRequests",
                    "dimensions": {"WebACL": ACL, "Region": "us-east-1", "Rule": rule},
                    "timestamp": at,
                    "unit": "Count",
                    "value": (600.0 if blocking else normal) + minute % 3,
                }
            )
        out.append(
            {
                "namespace": "AWS/WAFV2",
                "metric": "AllowedRequests",
                "dimensions": {"WebACL": ACL, "Region": "us-east-1", "Rule": "ALL"},
                "timestamp": at,
                "unit": "Count",
                "value": (400.0 if blocking else 1000.0) + minute % 5,
            }
        )
    return out


def _waf_change(event_id: str, when: str) -> dict[str, Any]:
    record = trail(
        event_id, when, ADMIN, "UpdateWebACL", {"name": ACL, "scope": "REGIONAL", "id": ACL_ARN[-36:]}
    )
    record["eventSource"] = "wafv2.amazonaws.com"
    record["responseElements"] = {"nextLockToken": "0d1e2f3a-0000-4000-8000-000000000001"}
    return record


def _parameter_change(event_id: str, when: str) -> dict[str, Any]:
    record = trail(event_id, when, ADMIN, "PutParameter", {"name": "/shop/prod/banner", "overwrite": True})
    record["eventSource"] = "ssm.amazonaws.com"
    return record


def test_blocked_requests_at_a_web_acl_name_its_change() -> None:
    bundle = make_bundle(
        {
            "metrics": _points(),
            "cloudtrail": [
                _waf_change("5b1c7e2a-0f3d-4d8e-9a61-7c2b9e4f1a01", "2024-05-01T05:03:40Z"),
                _parameter_change("5b1c7e2a-0f3d-4d8e-9a61-7c2b9e4f1a02", "2024-05-01T04:58:10Z"),
            ],
        }
    )
    session, _ = replay_session(bundle)
    report = investigate(
        AwsClients(session),
        now=bundle.manifest.now,
        question="Since about 05:05 many customers cannot load the shop; our service logs show nothing",
    )
    assert any(
        e.source.tool == "namespace_metrics" and "requests_blocked" in e.signals for e in report.evidence
    )
    top = report.hypotheses[0]
    assert top.resource in (ACL, ACL_ARN) and top.category == "change", report.summary
    assert report.verdict != "no_fault"


def test_a_nat_gateway_deleted_under_a_live_route_outranks_the_host_it_cut_off() -> None:
    from tests.tools.test_network import _route_table

    nat = "nat-0b000000000000002"
    logs: list[dict[str, Any]] = []
    for minute in range(0, 360):
        at = int((T0 + timedelta(minutes=minute)).timestamp() * 1000)
        logs.append(
            {
                "log_group": "/ecs/kyc-verify",
                "log_stream": "app/1",
                "timestamp": at,
                "message": "INFO verification served in 212 ms",
            }
        )
        if minute >= 305:
            for n in range(4):
                logs.append(
                    {
                        "log_group": "/ecs/kyc-verify",
                        "log_stream": "app/1",
                        "timestamp": at + n * 7000,
                        "message": "ERROR POST https://api.idcheck-vendor.io/v2/checks failed: connect ETIMEDOUT after 10000 ms",
                    }
                )
    delete = trail(
        "7c1d9e2b-0a4f-4e6a-8b13-2f6c9d0e1a01",
        "2024-05-01T05:04:10Z",
        ADMIN,
        "DeleteNatGateway",
        {"DeleteNatGatewayRequest": {"NatGatewayId": nat}},
    )
    delete["eventSource"] = "ec2.amazonaws.com"
    delete["responseElements"] = {"DeleteNatGatewayResponse": {"natGatewayId": nat}}
    bundle = make_bundle(
        {
            "logs": logs,
            "cloudtrail": [
                delete,
                _parameter_change("7c1d9e2b-0a4f-4e6a-8b13-2f6c9d0e1a02", "2024-05-01T05:01:30Z"),
            ],
            "resources": [
                _route_table(
                    "rtb-0a000000000000001", ["subnet-0a000000000000001"], "nat-0a000000000000001", "active"
                ),
                _route_table("rtb-0b000000000000002", ["subnet-0b000000000000002"], nat, "blackhole"),
            ],
        }
    )
    session, _ = replay_session(bundle)
    report = investigate(
        AwsClients(session),
        now=bundle.manifest.now,
        question="kyc-verify calls are timing out since about 05:05",
    )
    assert any("route_blackhole" in e.signals and e.resource == nat for e in report.evidence)
    top = report.hypotheses[0]
    assert (top.resource, top.category) == (nat, "change"), report.summary
    remote = next(h for h in report.hypotheses if h.resource == "api.idcheck-vendor.io")
    assert "the way out to it is cut" in remote.rationale


def test_a_stream_throttling_at_the_peak_is_read_back_to_the_shard_count_cut_hours_before() -> None:
    # A stream whose shards were cut at 00:40 throttles from 05:05, when the day's load meets what is
    # left; its throttles are read in the scan of other namespaces, and its own changes back to the
    # day before (the window's change read starts three hours before the window).
    stream = "telemetry-in"
    points = [
        {
            "namespace": "AWS/Kinesis",
            "metric": metric,
            "dimensions": {"StreamName": stream},
            "timestamp": (T0 + timedelta(minutes=minute)).isoformat(),
            "unit": "Count",
            "value": value,
        }
        for minute in range(360)
        for metric, value in (
            ("PutRecords.ThrottledRecords", 900.0 + minute % 7 if minute >= 305 else 0.0),
            ("IncomingRecords", 4000.0 + 10 * minute),
        )
    ]
    cut = trail(
        "6c2d8f3b-1a4e-4f9d-8b72-3e5a9c1d2b01",
        "2024-05-01T00:40:00Z",
        ADMIN,
        "UpdateShardCount",
        {"streamName": stream, "targetShardCount": 2, "scalingType": "UNIFORM_SCALING"},
    )
    cut["eventSource"] = "kinesis.amazonaws.com"
    cut["responseElements"] = {"streamName": stream, "currentShardCount": 4, "targetShardCount": 2}
    bundle = make_bundle({"metrics": points, "cloudtrail": [cut]})
    session, _ = replay_session(bundle)
    report = investigate(
        AwsClients(session),
        now=bundle.manifest.now,
        question="Since about 05:05 the ingest API fails to write telemetry",
    )
    assert any(e.source.tool == "namespace_metrics" and "throttled" in e.signals for e in report.evidence)
    changes = [e for e in report.evidence if e.kind == "change_event" and "UpdateShardCount" in e.summary]
    assert changes and changes[0].resource and stream in changes[0].resource, report.evidence
