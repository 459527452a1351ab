"""PetShop components as X-Ray nodes and, where a botocore shape fits, as AWS resources.

A component is named the way the dataset took it from the X-Ray service map: the node's name, then
`_` and its type when X-Ray gave one (`PetSearch_AWS::ECS::Fargate`, `PGSQL Query_remote`,
`PetSearch_client`), or the bare name (`PetSite`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Literal

_TYPE = r"remote|client|Database::SQL|AWS::[A-Za-z0-9]+(?:::[A-Za-z0-9]+)*"
_NAMED = re.compile(rf"(?P<name>.+?)_(?P<type>{_TYPE})")
_BARE_TYPE = re.compile(_TYPE)

# X-Ray node types of services that send their own segments; other AWS types are inferred from calls.
INSTRUMENTED_TYPES = frozenset(
    {
        "AWS::ECS::Fargate",
        "AWS::ECS::Container",
        "AWS::EC2::Instance",
        "AWS::EKS::Container",
        "AWS::ElasticBeanstalk::Environment",
        "AWS::Lambda",
        "AWS::Lambda::Function",
        "AWS::ApiGateway::Stage",
        "AWS::StepFunctions::StateMachine",
        "AWS::AppSync::GraphQLAPI",
    }
)

# What the PetShop application runs where the X-Ray node has no type (the AWS One Observability
# demo that the dataset was recorded from runs its front end on an EKS cluster named after it).
KNOWN_PLATFORMS = {"PetSite": "eks"}

Kind = Literal["client", "inferred", "service"]


@dataclass(frozen=True)
class Node:
    """One component: its X-Ray name and type, and what it is in a trace."""

    component: str
    name: str
    type: str | None

    @property
    def kind(self) -> Kind:
        if self.type == "client":
            return "client"
        if self.type is None or self.type in INSTRUMENTED_TYPES:
            return "service"
        return "inferred"

    @property
    def namespace(self) -> str:
        """The namespace of a caller's subsegment for a call to this node."""
        return "aws" if (self.type or "").startswith("AWS::") else "remote"

    def dimensions(self) -> dict[str, str]:
        """CloudWatch dimensions: the X-Ray name, plus its type where X-Ray gave one."""
        dims = {"Service": self.name}
        if self.type:
            dims["Type"] = self.type
        return dims

    def label(self) -> str:
        return f"{self.name} ({self.type})" if self.type else self.name


def node_of(component: str) -> Node:
    """Split a dataset component name into its X-Ray name and type."""
    match = _NAMED.fullmatch(component)
    if match:
        return Node(component, match["name"], match["type"])
    if _BARE_TYPE.fullmatch(component):
        # A node the dataset recorded by its type alone (the state machine); its name is that type.
        return Node(component, component, component)
    return Node(component, component, None)


# --- resources ------------------------------------------------------------------------------------


def _hex(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def resources(nodes: list[Node], region: str, account: str) -> list[dict[str, Any]]:
    """resources.jsonl records for the components whose name says what AWS resource they are.

    Nodes that name an AWS service rather than a resource (DynamoDB, S3, SSM, ...), remote hosts, SQS
    queues (no botocore item shape) and clients appear only in metrics and traces.
    """
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    arn = f"{region}:{account}"
    cluster_arn = f"arn:aws:ecs:{arn}:cluster/petshop"
    lambda_names = {n.name for n in nodes if n.type in ("AWS::Lambda", "AWS::Lambda::Function")}

    def add(service: str, type_: str, key: str, item: dict[str, Any]) -> None:
        if (service, type_, key) not in seen:
            seen.add((service, type_, key))
            out.append({"service": service, "type": type_, "item": item})

    for node in sorted(nodes, key=lambda n: n.component):
        name, kind = node.name, node.type
        if kind in ("AWS::ECS::Fargate", "AWS::ECS::Container"):
            add(
                "ecs",
                "Cluster",
                "petshop",
                {"clusterName": "petshop", "clusterArn": cluster_arn, "status": "ACTIVE"},
            )
            service: dict[str, Any] = {
                "serviceName": name,
                "serviceArn": f"arn:aws:ecs:{arn}:service/petshop/{name}",
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
            }
            if kind == "AWS::ECS::Fargate":
                service["launchType"] = "FARGATE"
            add("ecs", "Service", name, service)
        elif name in lambda_names and kind in (None, "AWS::Lambda", "AWS::Lambda::Function"):
            add(
                "lambda",
                "FunctionConfiguration",
                name,
                {
                    "FunctionName": name,
                    "FunctionArn": f"arn:aws:lambda:{arn}:function:{name}",
                    "State": "Active",
                    "TracingConfig": {"Mode": "Active"},
                },
            )
        elif kind == "AWS::DynamoDB::Table":
            add(
                "dynamodb",
                "TableDescription",
                name,
                {
                    "TableName": name,
                    "TableArn": f"arn:aws:dynamodb:{arn}:table/{name}",
                    "TableStatus": "ACTIVE",
                },
            )
        elif kind == "AWS::ApiGateway::Stage" and "/" in name:
            api, stage = name.rsplit("/", 1)
            api_id = _hex(api, 10)
            add("apigateway", "RestApi", api, {"id": api_id, "name": api})
            add(
                "apigateway",
                "Stage",
                name,
                {"stageName": stage, "deploymentId": _hex(name, 6), "tracingEnabled": True},
            )
        elif kind == "AWS::StepFunctions::StateMachine" and name != kind:
            add(
                "stepfunctions",
                "StateMachineListItem",
                name,
                {
                    "stateMachineArn": f"arn:aws:states:{arn}:stateMachine:{name}",
                    "name": name,
                    "type": "STANDARD",
                },
            )
        elif kind == "Database::SQL" and name.split("@")[-1].endswith(".rds.amazonaws.com"):
            host = name.split("@")[-1]
            ident = host.split(".")[0]
            add(
                "rds",
                "DBInstance",
                ident,
                {
                    "DBInstanceIdentifier": ident,
                    "DBInstanceArn": f"arn:aws:rds:{arn}:db:{ident}",
                    "DBInstanceStatus": "available",
                    "Endpoint": {"Address": host},
                },
            )
        elif kind == "remote" and name.lower().endswith(".elb.amazonaws.com"):
            host = name.lower()
            lb = host.split(".")[0]
            add(
                "elbv2",
                "LoadBalancer",
                host,
                {
                    "LoadBalancerArn": f"arn:aws:elasticloadbalancing:{arn}:loadbalancer/app/{lb}/{_hex(host, 16)}",
                    "DNSName": host,
                    "LoadBalancerName": lb,
                    "Type": "application",
                    "State": {"Code": "active"},
                },
            )
        elif kind is None and KNOWN_PLATFORMS.get(name) == "eks":
            add(
                "eks",
                "Cluster",
                name,
                {"name": name, "arn": f"arn:aws:eks:{arn}:cluster/{name}", "status": "ACTIVE"},
            )
    return out


def spellings(component: str, region: str, account: str) -> list[str]:
    """Other names that identify the same component (for a bundle's `also_accept`)."""
    node = node_of(component)
    names = [node.name, node.label()]
    for record in resources([node], region, account):
        item = record["item"]
        for key in ("serviceArn", "FunctionArn", "TableArn", "stateMachineArn", "DBInstanceArn", "arn"):
            if key in item:
                names.append(item[key])
        for key in ("DBInstanceIdentifier", "LoadBalancerArn", "DNSName"):
            if key in item:
                names.append(item[key])
    return [n for n in dict.fromkeys(names) if n != component]
