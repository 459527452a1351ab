"""Describe EC2 resources: instances (with their status), volumes, security groups, subnets, and VPCs
with their network ACLs, route tables, flow logs and VPC endpoints.

Reads select by filter rather than by id list: an id list fails whole when one id is unknown, a
filter just leaves it out.
"""

from __future__ import annotations

from typing import Any

from evals.capture.inventory import Inventory, chunks
from evals.capture.reader import Reader
from tools.policies import parse_policy

SOURCE = "resources"
FILTER_CHUNK = 190  # EC2 accepts up to 200 values per filter
STATUS_CHUNK = 100


def _ec2(reader: Reader, op: str, key: str, filter_name: str, ids: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for chunk in chunks(ids, FILTER_CHUNK):
        items, _ = reader.pages(
            SOURCE, "ec2", op, key, max_items=10_000, Filters=[{"Name": filter_name, "Values": chunk}]
        )
        out += items
    return out


def instances(reader: Reader, inv: Inventory, ids: list[str]) -> None:
    found: list[dict[str, Any]] = []
    for chunk in chunks(ids, FILTER_CHUNK):
        reservations, _ = reader.pages(
            SOURCE,
            "ec2",
            "DescribeInstances",
            "Reservations",
            max_items=10_000,
            Filters=[{"Name": "instance-id", "Values": chunk}],
        )
        found += [i for r in reservations for i in r.get("Instances", [])]
    reader.missing(SOURCE, "ec2:DescribeInstances", ids, {i["InstanceId"] for i in found})
    for item in found:
        inv.add("ec2", "Instance", item)
        inv.names.add(item["InstanceId"])
        inv.metric_refs.add(("ec2", item["InstanceId"], None))
        inv.want("subnet", [item.get("SubnetId")])
        inv.want("vpc", [item.get("VpcId")])
        inv.want("security_group", [g.get("GroupId") for g in item.get("SecurityGroups", [])])
        inv.want("volume", [m.get("Ebs", {}).get("VolumeId") for m in item.get("BlockDeviceMappings", [])])
        tags = {t.get("Key"): t.get("Value") for t in item.get("Tags", [])}
        inv.want("asg", [tags.get("aws:autoscaling:groupName")])
    ids = [i["InstanceId"] for i in found]
    for chunk in chunks(ids, STATUS_CHUNK):
        statuses, _ = reader.pages(
            SOURCE,
            "ec2",
            "DescribeInstanceStatus",
            "InstanceStatuses",
            max_items=10_000,
            InstanceIds=chunk,
            IncludeAllInstances=True,
        )
        for status in statuses:
            inv.add("ec2", "InstanceStatus", status)


def volumes(reader: Reader, inv: Inventory, ids: list[str]) -> None:
    found = _ec2(reader, "DescribeVolumes", "Volumes", "volume-id", ids)
    reader.missing(SOURCE, "ec2:DescribeVolumes", ids, {v["VolumeId"] for v in found})
    for item in found:
        inv.add("ec2", "Volume", item)
        inv.metric_refs.add(("ebs_volume", item["VolumeId"], None))


def security_groups(reader: Reader, inv: Inventory, ids: list[str]) -> None:
    found = _ec2(reader, "DescribeSecurityGroups", "SecurityGroups", "group-id", ids)
    reader.missing(SOURCE, "ec2:DescribeSecurityGroups", ids, {g["GroupId"] for g in found})
    for item in found:
        inv.add("ec2", "SecurityGroup", item)
        inv.want("vpc", [item.get("VpcId")])


def subnets(reader: Reader, inv: Inventory, ids: list[str]) -> None:
    found = _ec2(reader, "DescribeSubnets", "Subnets", "subnet-id", ids)
    reader.missing(SOURCE, "ec2:DescribeSubnets", ids, {s["SubnetId"] for s in found})
    for item in found:
        inv.add("ec2", "Subnet", item)
        inv.want("vpc", [item.get("VpcId")])


def vpc_endpoints(reader: Reader, inv: Inventory, ids: list[str]) -> None:
    known = {e["VpcEndpointId"] for e in inv.items("ec2", "VpcEndpoint")}
    for rid in [i for i in ids if i not in known]:  # by id: one unknown id fails the whole request
        page = reader.call(SOURCE, "ec2", "DescribeVpcEndpoints", rid, VpcEndpointIds=[rid])
        for item in (page or {}).get("VpcEndpoints", []):
            endpoint_found(inv, item)


def endpoint_found(inv: Inventory, item: dict[str, Any]) -> None:
    """Keep an endpoint, and queue its VPC and the buckets its policy names."""
    if not inv.add("ec2", "VpcEndpoint", item):
        return
    inv.want("vpc", [item.get("VpcId")])
    statements, _ = parse_policy(item.get("PolicyDocument") or "{}")
    named = [r.removeprefix("arn:aws:s3:::").split("/")[0] for s in statements for r in s.resources]
    inv.want("s3_bucket", [b for b in named if b and "*" not in b and ":" not in b])


def vpcs(reader: Reader, inv: Inventory, ids: list[str]) -> None:
    found = _ec2(reader, "DescribeVpcs", "Vpcs", "vpc-id", ids)
    reader.missing(SOURCE, "ec2:DescribeVpcs", ids, {v["VpcId"] for v in found})
    ids = [v["VpcId"] for v in found]
    for item in found:
        inv.add("ec2", "Vpc", item)
    if not ids:
        return
    # A VPC's ACLs and route tables decide what its subnets can reach, the main table included.
    for acl in _ec2(reader, "DescribeNetworkAcls", "NetworkAcls", "vpc-id", ids):
        inv.add("ec2", "NetworkAcl", acl)
    for table in _ec2(reader, "DescribeRouteTables", "RouteTables", "vpc-id", ids):
        inv.add("ec2", "RouteTable", table)
    for flow_log in _ec2(reader, "DescribeFlowLogs", "FlowLogs", "resource-id", ids):
        inv.add("ec2", "FlowLog", flow_log)
    # The endpoints decide how the VPC reaches AWS services privately, and what their policies let by.
    for endpoint in _ec2(reader, "DescribeVpcEndpoints", "VpcEndpoints", "vpc-id", ids):
        endpoint_found(inv, endpoint)
