"""Reach: an OpenSearch domain as its metrics show it. A domain that blocks writes (ClusterIndexWritesBlocked,
its clients' cluster_block_exception) is at a limit of its own, and one whose node count fell lost a node;
either is what its indexer's errors come from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers.logs import message_signals
from agent.investigate import offline
from tests.conftest import make_bundle

T0 = datetime(2024, 5, 1, tzinfo=UTC)
DOMAIN = "search-logs"
INDEXER = "logs-indexer"


def _es(metric: str, value: Callable[[int], float]) -> list[dict[str, Any]]:
    return [
        {
            "namespace": "AWS/ES",
            "metric": metric,
            "dimensions": {"DomainName": DOMAIN, "ClientId": "123456789012"},
            "timestamp": (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": float(value(m)),
        }
        for m in range(360)
    ]


def _bundle(blocked: bool, node_lost: bool) -> Any:
    metrics = (
        _es("ClusterIndexWritesBlocked", lambda m: 1 if blocked and m >= 300 else 0)
        + _es("Nodes", lambda m: 5 if node_lost and m >= 300 else 6)
        + _es("FreeStorageSpace", lambda m: 20_000 - 10 * m)
        + [
            {
                "namespace": "AWS/Lambda",
                "metric": "Errors",
                "dimensions": {"FunctionName": INDEXER},
                "timestamp": (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "unit": "Count",
                "value": 30.0 + m % 4 if m >= 301 else 0.0,
            }
            for m in range(360)
        ]
    )
    return make_bundle(
        {"metrics": metrics},
        trigger={
            "question": f"{INDEXER} has been failing since about 05:00 and new log lines stopped showing"
        },
    )


def test_a_domain_that_blocks_writes_is_the_limit_its_indexer_meets() -> None:
    said = (
        '[ERROR] bulk request failed status=403 body={"error":{"root_cause":[{"type":"cluster_block_exception",'
        '"reason":"index [logs-2024.05.01] blocked by: [FORBIDDEN/12/index read-only / allow delete (api)];"}]}}'
    )
    assert "writes_blocked" in message_signals(said)
    assert "access_denied_logs" not in message_signals(said)
    report = offline(_bundle(blocked=True, node_lost=False))
    top = report.hypotheses[0]
    assert (top.resource, top.failure_mode, top.category) == (DOMAIN, "opensearch-writes-blocked", "limit"), (
        report.summary
    )


def test_a_domain_that_lost_a_node_is_a_component_failing() -> None:
    report = offline(_bundle(blocked=False, node_lost=True))
    top = report.hypotheses[0]
    assert (top.resource, top.failure_mode, top.category) == (
        DOMAIN,
        "opensearch-node-lost",
        "component_failure",
    ), report.summary
