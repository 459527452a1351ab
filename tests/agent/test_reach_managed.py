"""The investigation reaches managed services around a symptom (secrets, endpoints and buckets, state
machines, streams, caches): discovery walks to them from what a metric names, a CloudTrail change to
them lands on their node, and the planner can call their tools (small hand-made bundles)."""

from __future__ import annotations

from typing import Any

import pytest

from agent import nodes
from agent.board import Hypothesis
from agent.catalog import PROBES, catalog
from agent.runtime import Runtime
from agent.scope import Scope, _entry_from_dims
from agent.topology import Topology
from evals.replay import replay_session
from tests.agent.test_reach import discovered, metric
from tests.conftest import make_bundle
from tests.evals.replay.test_endpoints_buckets import RECORDS as ENDPOINTS_AND_BUCKETS
from tests.evals.replay.test_endpoints_buckets import S3_VPCE, VPC
from tests.evals.replay.test_kinesis import STREAM
from tests.evals.replay.test_route53 import LB_ARN as DNS_LB_ARN
from tests.evals.replay.test_route53 import ZONE as DNS_ZONE
from tests.evals.replay.test_secretsmanager import RECORDS as SECRETS
from tests.evals.replay.test_secretsmanager import SECRET
from tests.evals.replay.test_stepfunctions import SM
from tests.tools.test_caches import BUNDLE as CACHES
from tests.tools.test_dns import BUNDLE as DNS
from tests.tools.test_queues import function
from tests.tools.test_streams import BUNDLE as STREAMS
from tests.tools.test_workflows import BUNDLE as WORKFLOWS
from tools.aws import AwsClients
from tools.catalog import REGISTRY
from tools.registry import ToolContext

SUBNET = "subnet-0123456789abcdef0"
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
    assert {
        "secret_details",
        "vpc_endpoints",
        "bucket_access",
        "state_machine",
        "stream_details",
        "cache_details",
        "dns_records",
    } <= set(PROBES) & set(REGISTRY)


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


def test_a_function_in_a_vpc_reaches_its_endpoints_and_the_buckets_they_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fn = function("report-export")
    fn["item"]["VpcConfig"] = {"SubnetIds": [SUBNET], "SecurityGroupIds": [], "VpcId": VPC}
    subnet = {"SubnetId": SUBNET, "VpcId": VPC, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}
    records = {
        "resources": [
            *ENDPOINTS_AND_BUCKETS,
            fn,
            {"service": "ec2", "type": "Subnet", "item": subnet},
            {"service": "ec2", "type": "Vpc", "item": {"VpcId": VPC, "CidrBlock": "10.0.0.0/16"}},
        ],
        "metrics": metric("AWS/Lambda", "Errors", {"FunctionName": "report-export"}, 5.0, 60),
    }
    topo = discovered(records, "report-export fails with AccessDenied since 05:10")
    fn_key, vpce, bucket = (
        topo.resolve("report-export"),
        topo.resolve(S3_VPCE),
        topo.resolve("reports-bucket"),
    )
    assert fn_key and vpce and bucket
    assert (topo.nodes[vpce].kind, topo.nodes[bucket].kind) == ("vpc_endpoint", "s3_bucket")
    assert (vpce, bucket, "policy_names") in topo.edges and (vpce, topo.resolve(VPC), "in_vpc") in topo.edges
    # function -> VPC (its own configuration names it) -> endpoint -> bucket
    assert topo.distances([fn_key])[bucket] == 3
    # a PutBucketPolicy or ModifyVpcEndpoint record names them by ARN: it lands on their nodes
    assert topo.resolve("arn:aws:s3:::reports-bucket") == bucket
    assert topo.resolve(f"arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/{S3_VPCE}") == vpce
    assert probes(topo, bucket, "bucket_access", monkeypatch=monkeypatch) == [
        {"tool": "bucket_access", "params": {"bucket": "reports-bucket"}}
    ]
    assert probes(topo, vpce, "vpc_endpoints", monkeypatch=monkeypatch) == [
        {"tool": "vpc_endpoints", "params": {"endpoint_ids": [S3_VPCE]}}
    ]


def test_a_failing_function_leads_to_the_workflow_that_calls_it(monkeypatch: pytest.MonkeyPatch) -> None:
    records = {
        "resources": [*WORKFLOWS["resources"]],
        "metrics": metric("AWS/Lambda", "Errors", {"FunctionName": "refund-pay"}, 3.0, 60),
    }
    topo = discovered(records, "refunds are failing since 05:20")
    fn, machine = topo.resolve("refund-pay"), topo.resolve(f"{SM}:refunds")
    assert fn and machine and topo.nodes[machine].kind == "state_machine"
    assert (machine, fn, "invokes") in topo.edges
    assert "FAILED" in topo.nodes[machine].attrs["warning"]
    assert topo.resolve("refunds") == machine  # an UpdateStateMachine record or a log naming it
    assert probes(topo, machine, "state_machine", monkeypatch=monkeypatch) == [
        {"tool": "state_machine", "params": {"state_machine": f"{SM}:refunds"}}
    ]


def test_an_alarm_on_a_state_machine_makes_it_the_entry() -> None:
    (entry,) = _entry_from_dims({"StateMachineArn": f"{SM}:refunds"})
    assert (entry.kind, entry.id) == ("state_machine", f"{SM}:refunds")


def test_a_lagging_reader_leads_to_its_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    records = {
        "resources": STREAMS["resources"],
        "metrics": metric("AWS/Lambda", "IteratorAge", {"FunctionName": "click-enricher"}, 90000.0, 60),
    }
    topo = discovered(records, "click-enricher is falling behind since 05:10")
    fn, stream = topo.resolve("click-enricher"), topo.resolve(f"{STREAM}/clicks")
    assert fn and stream and topo.nodes[stream].kind == "kinesis_stream"
    assert (stream, fn, "triggers") in topo.edges
    assert "reshard" in topo.nodes[stream].attrs["warning"]
    assert topo.resolve("clicks") == stream  # an UpdateShardCount record or an alarm's StreamName
    assert probes(topo, stream, "stream_details", monkeypatch=monkeypatch) == [
        {"tool": "stream_details", "params": {"stream": f"{STREAM}/clicks"}}
    ]
    (entry,) = _entry_from_dims({"StreamName": "clicks"})
    assert (entry.kind, entry.id) == ("kinesis_stream", "clicks")


def discovered_from_alarm(records: dict[str, list[Any]], dims: dict[str, str]) -> Topology:
    """Intake and discover as for an alarm on a metric with these dimensions: they are the entry."""
    bundle = make_bundle(records)
    session, _ = replay_session(bundle)
    runtime = Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now))
    config: Any = {"configurable": {"runtime": runtime}}
    state: dict[str, Any] = {"question": "the alarm fired", "now": bundle.manifest.now.isoformat()}
    state |= nodes.intake(state, config)  # type: ignore[arg-type]
    state["scope"]["entry"] = [e.model_dump() for e in _entry_from_dims(dims)]
    state |= nodes.discover(state, config)  # type: ignore[arg-type]
    return Topology.model_validate(state["topology"])


def test_an_alarm_on_a_cache_leads_to_its_nodes_and_parameter_group(monkeypatch: pytest.MonkeyPatch) -> None:
    topo = discovered_from_alarm(CACHES, {"ReplicationGroupId": "sessions"})
    group, primary = topo.resolve("sessions"), topo.resolve("sessions-002")
    assert group and primary and topo.nodes[group].kind == "elasticache_replication_group"
    assert (primary, group, "member_of") in topo.edges
    assert (primary, topo.resolve("parametergroup:sessions-redis7"), "uses_parameters") in topo.edges
    # a ModifyReplicationGroup record names it by ARN; a client's log line by its endpoint host
    assert topo.resolve("arn:aws:elasticache:us-east-1:123456789012:replicationgroup:sessions") == group
    assert topo.resolve("sessions.abc123.ng.0001.use1.cache.amazonaws.com") == group
    assert probes(topo, group, "cache_details", monkeypatch=monkeypatch) == [
        {"tool": "cache_details", "params": {"cache": "sessions"}}
    ]
    # the same from an alarm on one stream: its name resolves as nothing else does
    topo = discovered_from_alarm(STREAMS, {"StreamName": "clicks"})
    stream = topo.resolve("clicks")
    assert stream and topo.nodes[stream].kind == "kinesis_stream"


def test_a_load_balancer_symptom_leads_to_the_names_that_reach_it(monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = make_bundle(DNS)
    session, _ = replay_session(bundle)
    runtime = Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now))
    config: Any = {"configurable": {"runtime": runtime}}
    state: dict[str, Any] = {"question": "5xx on shop-prod", "now": bundle.manifest.now.isoformat()}
    state |= nodes.intake(state, config)  # type: ignore[arg-type]
    state["scope"]["entry"] = [{"kind": "alb", "id": "shop-prod"}]  # the balancer, by name
    state |= nodes.discover(state, config)  # type: ignore[arg-type]
    topo = Topology.model_validate(state["topology"])
    lb = topo.resolve(DNS_LB_ARN)
    hooks, pay = topo.resolve("hooks.example.com"), topo.resolve("pay.example.com")
    assert lb and hooks and pay and topo.nodes[hooks].kind == "dns_record"
    assert {(hooks, lb, "routes_to"), (pay, lb, "routes_to")} <= set(topo.edges)
    # a ChangeResourceRecordSets names the record first: it resolves to the same node
    assert probes(topo, hooks, "dns_records", monkeypatch=monkeypatch) == [
        {"tool": "dns_records", "params": {"name": "hooks.example.com"}}
    ]
    zone = topo.resolve(DNS_ZONE)
    assert zone and (hooks, zone, "in_zone") in topo.edges
    assert probes(topo, zone, "dns_records", monkeypatch=monkeypatch) == [
        {"tool": "dns_records", "params": {"name": DNS_ZONE}}
    ]
