"""The investigation reaches capacity settings (Application and EC2 Auto Scaling) and the request's edge
(API Gateway, Route 53, ACM) from a symptom: small hand-made bundles through intake and discover (and
survey, for the certificates of a TLS listener on the path)."""

from __future__ import annotations

from typing import Any

import pytest

from agent import nodes
from agent.catalog import PROBES
from agent.nodes import scalable_id
from agent.runtime import Runtime, call_key
from agent.topology import Topology, TopoNode
from evals.replay import replay_session
from tests.agent.test_reach import discovered, metric
from tests.conftest import make_bundle
from tests.tools.test_scaling import BUNDLE as SCALING
from tools.aws import AwsClients
from tools.catalog import REGISTRY
from tools.registry import ToolContext


def test_a_throttled_table_shows_its_scaling_bounds_and_suspension() -> None:
    records = {
        **SCALING,
        "metrics": metric("AWS/DynamoDB", "WriteThrottleEvents", {"TableName": "orders"}, 50.0, 60),
    }
    topo = discovered(records, "writes to the orders table are throttled since 05:10")
    table = topo.resolve("orders")
    assert table is not None and topo.nodes[table].kind == "dynamodb_table"
    attrs = topo.nodes[table].attrs
    assert attrs["scaling"] == "WriteCapacityUnits min 5 max 100"
    assert attrs["warning"] == "scaling suspended: scale-in"


def test_a_saturated_group_and_service_show_their_scheduled_scaling() -> None:
    group_cpu = metric("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": "web-asg"}, 90.0, 60)
    service_cpu = metric("AWS/ECS", "CPUUtilization", {"ClusterName": "web", "ServiceName": "api"}, 95.0, 60)
    topo = discovered(
        {**SCALING, "metrics": group_cpu + service_cpu}, "web-asg and api are saturated since 05:10"
    )
    group, service = topo.resolve("web-asg"), topo.resolve("web/api")
    assert group and topo.nodes[group].kind == "asg"
    # EC2 Auto Scaling's scheduled actions: the evening one caps the group at 2
    assert (
        topo.nodes[group].attrs["scheduled_scaling"]
        == "'evening' 0 18 * * * -> max 2; 'morning' 0 7 * * * -> max 6"
    )
    # Application Auto Scaling's target and schedule for the ECS service
    assert service and topo.nodes[service].kind == "ecs_service"
    assert topo.nodes[service].attrs["scaling"] == "DesiredCount min 2 max 12"
    assert (
        topo.nodes[service].attrs["scheduled_scaling"].startswith("'night' cron(0 22 * * ? *) Europe/Berlin")
    )


def test_the_planner_names_the_scalable_resource() -> None:
    assert "scaling_config" in set(PROBES) & set(REGISTRY)
    ecs = TopoNode(id="web/api", kind="ecs_service", name="api")
    table = TopoNode(id="orders", kind="dynamodb_table", name="orders")
    group = TopoNode(id="web-asg", kind="asg", name="web-asg")
    assert [scalable_id(n) for n in (ecs, table, group)] == ["service/web/api", "table/orders", "web-asg"]


def test_an_api_returning_5xx_leads_to_the_function_behind_it() -> None:
    from tests.tools.test_apis import BUNDLE as APIS

    records = {**APIS, "metrics": metric("AWS/ApiGateway", "5XXError", {"ApiName": "orders-api"}, 30.0, 60)}
    topo = discovered(records, "orders-api is returning 5xx since 05:10")
    api = topo.resolve("orders-api")
    assert api is not None and topo.nodes[api].kind == "api_gateway"
    worker = topo.resolve("place-order")
    assert worker and topo.nodes[worker].kind == "lambda"
    assert (api, worker, "invokes") in topo.edges
    assert topo.nodes[api].attrs["integration_timeout_ms"] == "5000-29000"
    assert "api_details" in set(PROBES) & set(REGISTRY)


def test_a_load_balancer_symptom_reaches_its_tls_listener_and_certificate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.agent.test_reach_managed import probes
    from tests.evals.replay.test_acm import WEB
    from tests.evals.replay.test_route53 import LB_ARN
    from tests.tools.test_certificates import BUNDLE as TLS
    from tests.tools.test_certificates import PROD_443

    bundle = make_bundle(TLS)
    session, _ = replay_session(bundle)
    runtime = Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now))
    config: Any = {"configurable": {"runtime": runtime}}
    state: dict[str, Any] = {"question": "TLS errors on shop-prod", "now": bundle.manifest.now.isoformat()}
    state |= nodes.intake(state, config)  # type: ignore[arg-type]
    state["scope"]["entry"] = [{"kind": "alb", "id": "shop-prod"}]  # the balancer, by name
    state |= nodes.discover(state, config)  # type: ignore[arg-type]
    topo = Topology.model_validate(state["topology"])
    lb, https, cert = topo.resolve(LB_ARN), topo.resolve(PROD_443["item"]["ListenerArn"]), topo.resolve(WEB)
    assert lb and https and cert
    assert (topo.nodes[https].kind, topo.nodes[cert].kind) == ("listener", "certificate")
    assert {(https, lb, "part_of"), (https, cert, "presents"), (cert, lb, "used_by")} <= set(topo.edges)
    # the certificate is one hop from the symptom's balancer; its id alone (from a log line) finds it too
    assert topo.distances([lb])[cert] == 1
    assert topo.resolve(WEB.rsplit("/", 1)[1]) == cert
    # survey reads the certificates of a TLS listener on the path, against the names that reach it
    surveyed = nodes.survey(state, config)  # type: ignore[arg-type]
    read = [k for k in surveyed["probes_done"] if k.startswith("certificates:")]
    hosts = ["hooks.example.com", "pay.example.com"]  # the records that alias or CNAME the balancer
    assert read == [call_key("certificates", {"certificates": [WEB], "hosts": hosts})]
    # the planner can read them from a hypothesis about the listener, the certificate or the balancer
    assert "certificates" in set(PROBES) & set(REGISTRY)
    for resource in (https, cert, lb):
        assert probes(topo, resource, "certificates", monkeypatch=monkeypatch) == [
            {"tool": "certificates", "params": {"certificates": [WEB]}}
        ]


def surveyed(records: dict[str, list[Any]], question: str) -> dict[str, Any]:
    """Intake, discover and survey a question over a bundle, as the graph runs them; the state after."""
    bundle = make_bundle(records)
    session, _ = replay_session(bundle)
    runtime = Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now))
    config: Any = {"configurable": {"runtime": runtime}}
    state: dict[str, Any] = {"question": question, "now": bundle.manifest.now.isoformat()}
    state |= nodes.intake(state, config)  # type: ignore[arg-type]
    state |= nodes.discover(state, config)  # type: ignore[arg-type]
    state |= nodes.survey(state, config)  # type: ignore[arg-type]
    return state


def test_a_parameter_change_pending_reboot_is_dated_at_the_restart_that_applied_it() -> None:
    from tests.evals.test_scoring_diagnosis import ADMIN, trail

    db = {
        "service": "rds",
        "type": "DBInstance",
        "item": {
            "DBInstanceIdentifier": "orders-db",
            "DBInstanceStatus": "available",
            "Engine": "postgres",
            "DBParameterGroups": [{"DBParameterGroupName": "orders-pg15", "ParameterApplyStatus": "in-sync"}],
        },
    }
    lowered = trail(
        "2829a3f9-c5d3-4579-b852-d486e4b2c448",
        "2024-04-29T21:18:51Z",  # two days before the window: outside the usual change read
        ADMIN,
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": "orders-pg15",
            "parameters": [
                {"parameterName": "max_connections", "parameterValue": "150", "applyMethod": "pending-reboot"}
            ],
        },
    )
    reboot = trail(
        "5f1c0a9e-7d4b-4e0a-9c1d-2b3e4f5a6b7c",
        "2024-05-01T05:19:27Z",
        ADMIN,
        "RebootDBInstance",
        {"dBInstanceIdentifier": "orders-db"},
    )
    for record in (lowered, reboot):
        record["awsRegion"] = "us-east-1"
    records: dict[str, list[Any]] = {
        "resources": [db],
        "cloudtrail": [lowered, reboot],
        "metrics": metric("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": "orders-db"}, 140.0, 60),
    }
    state = surveyed(records, "orders-db refuses connections since 05:20")
    changes = [
        e for e in state["evidence"] if e["facts"].get("event_id") == "2829a3f9-c5d3-4579-b852-d486e4b2c448"
    ]
    assert len(changes) == 1, "the two-day-old change is read once"
    assert changes[0]["start"].startswith("2024-05-01T05:19:27")
    assert "applied when orders-db restarted at 05:19" in changes[0]["summary"]
    restart = next(e for e in state["evidence"] if e["facts"].get("action") == "RebootDBInstance")
    assert restart["facts"]["applied_pending"] == "orders-pg15"


def test_the_settings_of_what_is_failing_are_read_back_a_day_and_more() -> None:
    """A parameter group edited a day before the window (a dynamic parameter, applied at once) is read
    when the instance that uses it shows trouble: settings bite when their condition next arises."""
    from tests.evals.test_scoring_diagnosis import ADMIN, trail

    db = {
        "service": "rds",
        "type": "DBInstance",
        "item": {
            "DBInstanceIdentifier": "ledger-replica-1",
            "DBInstanceStatus": "available",
            "Engine": "postgres",
            "DBParameterGroups": [
                {"DBParameterGroupName": "ledger-pg15-replica", "ParameterApplyStatus": "in-sync"}
            ],
        },
    }
    edit = trail(
        "7d0c1f0e-8a43-4b7e-9d8e-3b0f6a1c2d4e",
        "2024-04-30T09:12:00Z",  # the day before: outside the window's own change read
        ADMIN,
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": "ledger-pg15-replica",
            "parameters": [
                {
                    "parameterName": "max_standby_streaming_delay",
                    "parameterValue": "-1",
                    "applyMethod": "immediate",
                }
            ],
        },
    )
    edit["awsRegion"] = "us-east-1"
    dims = {"DBInstanceIdentifier": "ledger-replica-1"}
    latency = [  # read latency steps up for the last half hour
        {**p, "value": 0.002 if i >= 30 else 0.4}
        for i, p in enumerate(metric("AWS/RDS", "ReadLatency", dims, 0, 180))
    ]
    state = surveyed(
        {"resources": [db], "cloudtrail": [edit], "metrics": latency},
        "ledger-replica-1 reads slow since 05:30",
    )
    read = [
        e for e in state["evidence"] if e["facts"].get("event_id") == "7d0c1f0e-8a43-4b7e-9d8e-3b0f6a1c2d4e"
    ]
    assert len(read) == 1, [e["summary"] for e in state["evidence"]]
    assert read[0]["resource"] == "ledger-pg15-replica"


def test_the_address_a_client_dialled_is_the_party_that_did_not_answer() -> None:
    """'dial tcp 10.64.201.241:3128: i/o timeout' while fetching https://api.vendor.example: the proxy at
    that address did not answer; the vendor was never reached. The instance holding the address (known
    only by id, from a health event say) is described to learn its address, and the timeouts are its."""
    from agent.nodes import _attribute_remote_hosts, _Batch
    from tests.agent.test_scoring import ev

    proxy = {
        "service": "ec2",
        "type": "Instance",
        "item": {
            "InstanceId": "i-0c4dac9363320785e",
            "InstanceType": "t3.small",
            "PrivateIpAddress": "10.64.201.241",
            "State": {"Code": 80, "Name": "stopped"},
            "Placement": {"AvailabilityZone": "us-east-1b"},
        },
    }
    bundle = make_bundle({"resources": [proxy]})
    session, _ = replay_session(bundle)
    runtime = Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now))
    topo = Topology()
    topo.add("ec2", "i-0c4dac9363320785e")
    topo.add("ecs_service", "fares-search")
    line = (
        'Post "https://api.vendor.example/v3/availability": proxyconnect tcp: dial tcp 10.64.201.241:3128: '
        "i/o timeout"
    )
    batch = _Batch({}, runtime)
    batch.evidence.append(
        ev("log_pattern", "fares-search", None, ["timeout_logs", "new_error_pattern"], 0.85)
    )
    batch.evidence[0].facts["example"] = line
    _attribute_remote_hosts(batch, topo)
    copied = [e for e in batch.evidence if e.resource == "i-0c4dac9363320785e"]
    assert len(copied) == 1 and "dialled 10.64.201.241" in copied[0].summary
    assert topo.kind("api.vendor.example") is None, "the host behind the proxy is not made a suspect"
