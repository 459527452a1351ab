"""Cross-check the extra resources scenarios add (tables, task definitions, NAT routes) against moto.

The same objects are created in moto over HTTP from the parameters our CloudTrail records and items
hold; what moto describes must agree with what replay answers from the bundle (ids and ARNs differ).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from evals.bundle import Bundle
from evals.replay import replay_session
from evals.scenarios import cloudtrail
from evals.scenarios.library import _ecs, dynamodb_hot_partition, nat_port_allocation
from evals.scenarios.library._extra_resources import ExtendedIncident, new_incident

pytestmark = pytest.mark.moto


def _incident(seed: int) -> ExtendedIncident:
    """An account without telemetry: the item builders are what is checked, and it builds fast."""
    return new_incident(random.Random(seed), "cross-check")


def _items(bundle: Bundle, service: str, type_: str) -> list[dict[str, Any]]:
    return [r["item"] for r in bundle.records("resources") if r["service"] == service and r["type"] == type_]


def test_describe_table_matches_moto(moto_session: Callable[[str], Any]) -> None:
    inc = _incident(4)
    for base, key in dynamodb_hot_partition.TABLES:
        dynamodb_hot_partition._table(inc, base, key)
    bundle = inc.bundle()
    session, _ = replay_session(bundle)
    ours = session.client("dynamodb")
    moto = moto_session("dynamodb")
    tables = _items(bundle, "dynamodb", "TableDescription")
    assert {t["BillingModeSummary"]["BillingMode"] for t in tables} == {"PAY_PER_REQUEST", "PROVISIONED"}
    for item in tables:
        mode = item["BillingModeSummary"]["BillingMode"]
        extra: dict[str, Any] = {"BillingMode": mode}
        if mode == "PROVISIONED":
            throughput = item["ProvisionedThroughput"]
            extra["ProvisionedThroughput"] = {
                "ReadCapacityUnits": throughput["ReadCapacityUnits"],
                "WriteCapacityUnits": throughput["WriteCapacityUnits"],
            }
        moto.create_table(
            TableName=item["TableName"],
            KeySchema=item["KeySchema"],
            AttributeDefinitions=item["AttributeDefinitions"],
            **extra,
        )
        theirs = moto.describe_table(TableName=item["TableName"])["Table"]
        replayed = ours.describe_table(TableName=item["TableName"])["Table"]
        for key in ("TableName", "KeySchema", "AttributeDefinitions", "TableStatus"):
            assert replayed[key] == theirs[key], key
        assert replayed["BillingModeSummary"]["BillingMode"] == theirs["BillingModeSummary"]["BillingMode"]
        for unit in ("ReadCapacityUnits", "WriteCapacityUnits"):
            assert replayed["ProvisionedThroughput"][unit] == theirs["ProvisionedThroughput"][unit], unit
        assert replayed["TableArn"].endswith(":table/" + theirs["TableName"])


def test_registered_task_definitions_match_moto(moto_session: Callable[[str], Any]) -> None:
    inc = _incident(5)
    cluster = _ecs.draw_cluster(inc, 2)
    for svc in cluster.services:
        _ecs.deploy(inc, svc, cloudtrail.ci_actor(inc), inc.window.onset, memory=svc.memory() // 2)
    _ecs.render(inc, cluster)
    bundle = inc.bundle()
    moto = moto_session("ecs")
    ours = {(d["family"], d["revision"]): d for d in _items(bundle, "ecs", "TaskDefinition")}
    registered = [r for r in bundle.records("cloudtrail") if r["eventName"] == "RegisterTaskDefinition"]
    assert len(registered) == 2
    for record in registered:
        params = record["requestParameters"]
        theirs = moto.register_task_definition(**params)["taskDefinition"]
        revision = record["responseElements"]["taskDefinition"]["revision"]
        item = ours[(params["family"], revision)]
        for key in ("family", "cpu", "memory", "networkMode", "requiresCompatibilities", "executionRoleArn"):
            assert item[key] == theirs[key], key
        (mine,), (moto_container,) = item["containerDefinitions"], theirs["containerDefinitions"]
        for key in (
            "name",
            "image",
            "memory",
            "essential",
            "environment",
            "portMappings",
            "logConfiguration",
        ):
            assert mine[key] == moto_container[key], key


def test_nat_routes_match_moto(moto_session: Callable[[str], Any]) -> None:
    inc = _incident(6)
    nat_port_allocation._nat_gateways(inc)
    bundle = inc.bundle()
    ec2 = moto_session("ec2")
    vpc_item = _items(bundle, "ec2", "Vpc")[0]
    vpc = ec2.create_vpc(CidrBlock=vpc_item["CidrBlock"])["Vpc"]["VpcId"]
    subnets = {
        s["SubnetId"]: ec2.create_subnet(VpcId=vpc, CidrBlock=s["CidrBlock"], AvailabilityZone="us-east-1a")[
            "Subnet"
        ]["SubnetId"]
        for s in _items(bundle, "ec2", "Subnet")
    }
    nats = {}
    for gw in _items(bundle, "ec2", "NatGateway"):
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        made = ec2.create_nat_gateway(SubnetId=subnets[gw["SubnetId"]], AllocationId=eip)["NatGateway"]
        nats[gw["NatGatewayId"]] = made["NatGatewayId"]
        described = ec2.describe_nat_gateways(NatGatewayIds=[made["NatGatewayId"]])["NatGateways"][0]
        assert described["SubnetId"] == subnets[gw["SubnetId"]] and described["VpcId"] == vpc
        assert set(gw) - {"Tags", "ConnectivityType"} <= set(described)
    for rt in _items(bundle, "ec2", "RouteTable"):
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        default = next(r for r in rt["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0")
        ec2.create_route(
            RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nats[default["NatGatewayId"]]
        )
        for assoc in rt["Associations"]:
            ec2.associate_route_table(RouteTableId=table, SubnetId=subnets[assoc["SubnetId"]])
        theirs = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
        routes = {
            (r["DestinationCidrBlock"], r.get("GatewayId"), r.get("NatGatewayId")) for r in theirs["Routes"]
        }
        mapped = {
            (r["DestinationCidrBlock"], r.get("GatewayId"), nats.get(r.get("NatGatewayId", "")))
            for r in rt["Routes"]
        }
        assert routes == mapped
        assert {a["SubnetId"] for a in theirs["Associations"]} == {
            subnets[a["SubnetId"]] for a in rt["Associations"]
        }
