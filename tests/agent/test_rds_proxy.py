"""RDS Proxy on the path: a function configured with the proxy's endpoint calls the proxy, the proxy
calls the cluster behind it, its pool settings are read, and a pool share cut hours before the peak is
the change that set the ceiling the callers then waited at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.investigate import offline
from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.evals.test_scoring_diagnosis import trail
from tests.tools.test_resources import res
from tools.aws import AwsClients
from tools.redact import data_endpoint, strip_environment
from tools.registry import ToolContext
from tools.resources import describe_resources

ACCOUNT = "123456789012"
ARN = f"arn:aws:rds:us-east-1:{ACCOUNT}"
PROXY = "bookings-proxy"
ENDPOINT = "bookings-proxy.proxy-abcdefghijkl.us-east-1.rds.amazonaws.com"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
ADMIN = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_DBA_0a1b/kim"


def _resources() -> list[dict[str, Any]]:
    return [
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": "bookings-api",
                "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:bookings-api",
                "Runtime": "python3.12",
                "State": "Active",
                "Environment": {"Variables": {"PGHOST": ENDPOINT, "PGPASSWORD": "hunter2-not-kept"}},
            },
        ),
        res(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": "bookings-db",
                "DBClusterArn": f"{ARN}:cluster:bookings-db",
                "Engine": "aurora-postgresql",
                "Status": "available",
                "Endpoint": "bookings-db.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com",
                "DBClusterMembers": [{"DBInstanceIdentifier": "bookings-db-1", "IsClusterWriter": True}],
            },
        ),
        res(
            "rds",
            "DBProxy",
            {
                "DBProxyName": PROXY,
                "DBProxyArn": f"{ARN}:db-proxy:prx-0123456789abcdef0",
                "Status": "available",
                "EngineFamily": "POSTGRESQL",
                "Endpoint": ENDPOINT,
            },
        ),
        res(
            "rds",
            "DBProxyTargetGroup",
            {
                "DBProxyName": PROXY,
                "TargetGroupName": "default",
                "IsDefault": True,
                "Status": "available",
                "ConnectionPoolConfig": {"MaxConnectionsPercent": 20, "ConnectionBorrowTimeout": 30},
            },
        ),
        res(
            "rds",
            "DBProxyTarget",
            {
                "TargetArn": f"{ARN}:cluster:bookings-db",
                "TrackedClusterId": "bookings-db",
                "Type": "TRACKED_CLUSTER",
            },
        ),
    ]


def test_an_endpoint_in_the_environment_is_kept_as_a_host_and_nothing_else_is() -> None:
    assert data_endpoint(ENDPOINT) == ENDPOINT
    assert data_endpoint(f"postgresql://app:s3cret@{ENDPOINT.upper()}:5432/bookings") == ENDPOINT
    assert data_endpoint("db.internal.example.com") is None
    fn = {
        "Environment": {"Variables": {"PGHOST": f"{ENDPOINT}:5432", "DSN": f"postgres://u:pw@{ENDPOINT}/db"}}
    }
    strip_environment("GetFunctionConfiguration", fn)
    assert fn["Environment"]["Variables"] == {"PGHOST": ENDPOINT, "DSN": ENDPOINT}


def test_the_proxy_in_front_of_a_cluster_is_a_hop_with_its_pool_settings() -> None:
    session, _ = replay_session(make_bundle({"resources": _resources()}))
    ctx = ToolContext(aws=AwsClients(session), now=T0 + timedelta(hours=6))
    result = describe_resources.run(ctx, {"refs": ["bookings-api", "bookings-db"]})
    assert result.data is not None
    nodes = {n.id: n for n in result.data.nodes}
    assert nodes[PROXY].kind == "rds_proxy"
    assert nodes[PROXY].attrs["max_connections_percent"] == "20"
    assert nodes[PROXY].attrs["dns_names"] == ENDPOINT
    assert (PROXY, "bookings-db", "calls") in {(e.source, e.target, e.relation) for e in result.data.edges}
    assert "hunter2" not in result.model_dump_json()
    assert f"PGHOST={ENDPOINT}" in nodes["bookings-api"].attrs["calls"]


def _metrics() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for minute in range(360):
        at = (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")
        peak = minute >= 300
        for metric, value in (
            ("DatabaseConnectionsBorrowLatency", 90000.0 + minute if peak else 400.0 + minute % 7),
            ("DatabaseConnections", 40.0 if peak else 18.0 + minute % 3),
            ("ClientConnections", 400.0 if peak else 60.0 + minute % 5),
        ):
            out.append(
                {
                    "namespace": "AWS/RDS",
                    "metric": metric,
                    "dimensions": {"ProxyName": PROXY},
                    "timestamp": at,
                    "unit": "Count",
                    "value": value,
                }
            )
        out.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "Errors",
                "dimensions": {"FunctionName": "bookings-api"},
                "timestamp": at,
                "unit": "Count",
                "value": 80.0 + minute % 4 if peak else float(minute % 2),
            }
        )
    return out


def test_a_pool_share_cut_before_the_peak_is_the_change_that_set_the_ceiling() -> None:
    cut = trail(
        "7d3e9f4c-2b5a-4e8d-9c61-1f2a3b4c5d01",
        "2024-05-01T02:10:00Z",
        ADMIN,
        "ModifyDBProxyTargetGroup",
        {
            "dBProxyName": PROXY,
            "targetGroupName": "default",
            "connectionPoolConfig": {"maxConnectionsPercent": 20},
        },
    )
    cut["eventSource"] = "rds.amazonaws.com"
    bundle = make_bundle(
        {"resources": _resources(), "metrics": _metrics(), "cloudtrail": [cut]},
        trigger={"question": "bookings-api has been failing since about 05:00. Why?"},
    )
    report = offline(bundle)
    top = report.hypotheses[0]
    assert top.resource == PROXY, report.summary
    assert top.category == "change" and top.failure_mode == "rds-proxy-connection-pool-exhausted"
    assert any(step.command and "modify-db-proxy-target-group" in step.command for step in top.remediation)
