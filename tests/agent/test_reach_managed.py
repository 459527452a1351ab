"""The investigation reaches managed services around a symptom (secrets, endpoints and buckets, state
machines, streams, caches): discovery walks to them from what a metric names, a CloudTrail change to
them lands on their node, and the planner can call their tools (small hand-made bundles)."""

from __future__ import annotations

from typing import Any

import pytest

from agent import nodes
from agent.board import Hypothesis
from agent.catalog import PROBES, catalog
from agent.scope import Scope
from agent.topology import Topology
from tests.agent.test_reach import discovered, metric
from tests.evals.replay.test_secretsmanager import RECORDS as SECRETS
from tests.evals.replay.test_secretsmanager import SECRET
from tests.tools.test_queues import function
from tools.catalog import REGISTRY

SCOPE = Scope.model_validate(
    {"start": "2024-05-01T05:00:00Z", "end": "2024-05-01T06:00:00Z", "now": "2024-05-01T06:00:00Z"}
)


def probes(
    topo: Topology, resource: str, *tools: str, monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """The probes the rules planner would run on a hypothesis about `resource` whose mode lists `tools`."""
    mode = catalog()["resource-setting-changed"].model_copy(update={"probes": list(tools)})
    monkeypatch.setattr(nodes, "catalog", lambda: {mode.id: mode})
    h = Hypothesis(id="h1", title="t", category="change", resource=resource, failure_mode=mode.id)
    return nodes._probes_for(h, topo, SCOPE)


def test_the_planner_can_call_the_new_tools() -> None:
    assert {"secret_details"} <= set(PROBES) & set(REGISTRY)


def test_a_database_symptom_leads_to_its_secret_and_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    arn = f"{SECRET}:prod/orders-db-AbC123"
    cluster = {
        "DBClusterIdentifier": "orders",
        "Status": "available",
        "Engine": "aurora-postgresql",
        "MasterUserSecret": {"SecretArn": arn, "SecretStatus": "active"},
    }
    records = {
        "resources": [
            *SECRETS,
            function("rotate-orders-db"),
            {"service": "rds", "type": "DBCluster", "item": cluster},
        ],
        "metrics": metric("AWS/RDS", "DatabaseConnections", {"DBClusterIdentifier": "orders"}, 0.0, 60),
    }
    topo = discovered(records, "orders database connections dropped to zero at 05:10")
    secret = topo.resolve(arn)
    assert secret and topo.nodes[secret].kind == "secret"
    assert (topo.resolve("orders"), secret, "reads_secret") in topo.edges
    assert (secret, topo.resolve("rotate-orders-db"), "rotated_by") in topo.edges
    assert "AWSPENDING" in topo.nodes[secret].attrs["warning"]
    # a CloudTrail change names the secret by partial ARN or name: it lands on the same node
    assert topo.resolve(f"{SECRET}:prod/orders-db") == topo.resolve("prod/orders-db") == secret
    assert probes(topo, secret, "secret_details", "describe_resources", monkeypatch=monkeypatch) == [
        {"tool": "secret_details", "params": {"secret": arn}},
        {"tool": "describe_resources", "params": {"refs": [secret], "include_network": True}},
    ]
