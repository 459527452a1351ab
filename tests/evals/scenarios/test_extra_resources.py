"""The scenario contract, widened to the resources `_extra_resources` adds (tables, NAT gateways, ECS,
parameters), and the status checks it renders for running instances."""

from __future__ import annotations

import random
from typing import Any

import pytest

from evals.bundle import Bundle
from evals.scenarios.baseline import Traffic, build_baseline
from evals.scenarios.library._extra_resources import ExtendedIncident, new_incident
from tests.evals.scenarios.contract import Known, ScenarioContract

DYNAMODB_OPERATIONS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchWriteItem"}


class KnownMore(Known):
    """`Known`, plus the ids and ARNs of DynamoDB tables, NAT gateways, ECS and SSM parameters."""

    def __init__(self, bundle: Bundle) -> None:
        super().__init__(bundle)
        items = self.by_type
        region, account = bundle.manifest.region, bundle.manifest.account_id
        self.tables = {t["TableName"] for t in items[("dynamodb", "TableDescription")]}
        self.nats = {n["NatGatewayId"] for n in items[("ec2", "NatGateway")]}
        self.ecs_clusters = {c["clusterName"] for c in items[("ecs", "Cluster")]}
        self.ecs_services = {s["serviceName"] for s in items[("ecs", "Service")]}
        self.task_families = {d["family"] for d in items[("ecs", "TaskDefinition")]}
        self.task_definitions = {d["taskDefinitionArn"] for d in items[("ecs", "TaskDefinition")]}
        self.arns |= (
            {t["TableArn"] for t in items[("dynamodb", "TableDescription")]}
            | {f"arn:aws:ec2:{region}:{account}:natgateway/{n}" for n in self.nats}
            | {c["clusterArn"] for c in items[("ecs", "Cluster")]}
            | {s["serviceArn"] for s in items[("ecs", "Service")]}
            | self.task_definitions
            | {p["ARN"] for p in items[("ssm", "Parameter")]}
        )
        # ECS tasks behind a load balancer are registered by IP address, not instance id.
        self.instances |= {
            d["value"]
            for t in items[("ecs", "Task")]
            for a in t.get("attachments", [])
            for d in a.get("details", [])
            if d["name"] == "privateIPv4Address"
        }

    def dimension_exists(self, name: str, value: str) -> bool:
        lookup = {
            "TableName": self.tables,
            "Operation": DYNAMODB_OPERATIONS,
            "NatGatewayId": self.nats,
            "ClusterName": self.ecs_clusters,
            "ServiceName": self.ecs_services,
            "TaskDefinitionFamily": self.task_families,
        }
        if name in lookup:
            return value in lookup[name]
        return super().dimension_exists(name, value)


class ExtendedContract(ScenarioContract):
    """ScenarioContract for scenarios built on ExtendedIncident."""

    @pytest.fixture(scope="class")
    @classmethod
    def known(cls, bundle: Bundle) -> Known:
        return KnownMore(bundle)

    def test_running_instances_have_status_checks(self, bundle: Bundle, known: Known) -> None:
        running = {
            i["InstanceId"] for i in known.by_type[("ec2", "Instance")] if i["State"]["Name"] == "running"
        }
        statuses = known.by_type[("ec2", "InstanceStatus")]
        assert {s["InstanceId"] for s in statuses} == running
        assert all(s["SystemStatus"]["Status"] == "ok" for s in statuses)


def _plain_incident(seed: int) -> ExtendedIncident:
    inc = new_incident(random.Random(seed), "plain")
    build_baseline(inc, Traffic.draw(inc))
    return inc


def test_extra_resources_and_statuses_are_rendered() -> None:
    inc = _plain_incident(3)
    table: dict[str, Any] = {"TableName": "orders", "TableStatus": "ACTIVE", "ItemCount": 3}
    inc.resource("dynamodb", "TableDescription", table)
    inc.impaired.add(inc.account.services[0].instances[0].id)
    records = list(inc.bundle().records("resources"))
    assert {"service": "dynamodb", "type": "TableDescription", "item": table} in records
    statuses = {r["item"]["InstanceId"]: r["item"] for r in records if r["type"] == "InstanceStatus"}
    alive = {i.id for i in inc.account.instances() if i.alive(inc.window.now)}
    assert set(statuses) == alive
    impaired = inc.account.services[0].instances[0].id
    assert statuses[impaired]["InstanceStatus"]["Status"] == "impaired"
    assert {s["InstanceStatus"]["Status"] for k, s in statuses.items() if k != impaired} == {"ok"}
