"""EC2 replay cross-checked against moto's EC2 over HTTP.

We build a small account in moto (VPC, subnets, security groups, a network ACL, a route table,
instances, volumes, flow logs, a transit gateway attachment), copy moto's own describe answers into a
bundle, and ask both the same questions. Ids and timestamps are moto's in both, so the answers must be
equal item for item; only the reservation grouping differs (replay answers one instance per reservation).
Requests use only filters moto implements faithfully. Network interfaces are checked twice: copied as
items, and derived by replay from the instances alone.
"""

from __future__ import annotations

import urllib.request
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from evals.bundle.shapes import to_datetime
from evals.replay import replay_session
from tests.conftest import make_bundle

pytestmark = pytest.mark.moto


def _seed(ec2: Any) -> dict[str, str]:
    """Create the account in moto; return the ids the requests refer to."""

    def tags(kind: str, **kv: str) -> list[dict[str, Any]]:
        return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in kv.items()]}]

    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tags("vpc", Name="prod"))["Vpc"]["VpcId"]
    sub_a = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock="10.0.1.0/24",
        AvailabilityZone="us-east-1a",
        TagSpecifications=tags("subnet", tier="public"),
    )["Subnet"]["SubnetId"]
    sub_b = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock="10.0.2.0/24",
        AvailabilityZone="us-east-1b",
        TagSpecifications=tags("subnet", tier="private"),
    )["Subnet"]["SubnetId"]
    web = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="database", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}
        ],
    )
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=sub_a)
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=90, Protocol="6", RuleAction="deny", Egress=True, CidrBlock="10.0.1.0/24",
        PortRange={"From": 5432, "To": 5432},
    )  # fmt: skip
    current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [sub_b]}])
    assoc = next(
        a["NetworkAclAssociationId"]
        for a in current["NetworkAcls"][0]["Associations"]
        if a["SubnetId"] == sub_b
    )
    ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
    webs = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=2, MaxCount=2, InstanceType="t3.micro", SubnetId=sub_a,
        SecurityGroupIds=[web], TagSpecifications=tags("instance", Name="web", Team="blue"),
    )["Instances"]  # fmt: skip
    dbi = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large", SubnetId=sub_b,
        SecurityGroupIds=[db], TagSpecifications=tags("instance", Name="db"),
    )["Instances"][0]  # fmt: skip
    ec2.stop_instances(InstanceIds=[dbi["InstanceId"]])
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=3, MaxCount=3)  # in the default VPC
    data = ec2.create_volume(
        Size=50,
        AvailabilityZone="us-east-1a",
        VolumeType="gp3",
        TagSpecifications=tags("volume", Name="data"),
    )["VolumeId"]
    ec2.attach_volume(VolumeId=data, InstanceId=webs[0]["InstanceId"], Device="/dev/sdf")
    spare = ec2.create_volume(
        Size=100, AvailabilityZone="us-east-1b", VolumeType="io2", Iops=1000, Encrypted=True
    )["VolumeId"]
    ec2.create_flow_logs(
        ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogGroupName="/vpc/prod",
        DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
    )  # fmt: skip
    ec2.create_flow_logs(
        ResourceIds=[sub_b], ResourceType="Subnet", TrafficType="REJECT", LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-log-bucket",
    )  # fmt: skip
    tgw = ec2.create_transit_gateway(Description="core")["TransitGateway"]["TransitGatewayId"]
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[sub_a])
    return {
        "vpc": vpc, "sub_a": sub_a, "sub_b": sub_b, "web": web, "db": db, "rtb": rtb, "acl": acl, "igw": igw,
        "web1": webs[0]["InstanceId"], "web1_ip": webs[0]["PrivateIpAddress"], "dbi": dbi["InstanceId"],
        "data": data, "spare": spare, "tgw": tgw,
    }  # fmt: skip


# (type in the bundle, describe method, the answer's list key, its id field)
SNAPSHOT = [
    ("Vpc", "describe_vpcs", "Vpcs", "VpcId"),
    ("Subnet", "describe_subnets", "Subnets", "SubnetId"),
    ("SecurityGroup", "describe_security_groups", "SecurityGroups", "GroupId"),
    ("NetworkAcl", "describe_network_acls", "NetworkAcls", "NetworkAclId"),
    ("RouteTable", "describe_route_tables", "RouteTables", "RouteTableId"),
    ("Volume", "describe_volumes", "Volumes", "VolumeId"),
    ("FlowLog", "describe_flow_logs", "FlowLogs", "FlowLogId"),
    ("TransitGatewayAttachment", "describe_transit_gateway_attachments", "TransitGatewayAttachments", "TransitGatewayAttachmentId"),
    ("NetworkInterface", "describe_network_interfaces", "NetworkInterfaces", "NetworkInterfaceId"),
]  # fmt: skip
ID_FIELD = {key: id_field for _, _, key, id_field in SNAPSHOT} | {"InstanceStatuses": "InstanceId"}


def _snapshot(ec2: Any, *, leave_out: str = "") -> Any:
    """Copy moto's describe answers (but those of type `leave_out`) into a bundle whose `now` is just
    after the last creation."""
    records: list[dict[str, Any]] = []
    for type_, method, key, _ in SNAPSHOT:
        if type_ != leave_out:
            records += [{"service": "ec2", "type": type_, "item": i} for i in getattr(ec2, method)()[key]]
    instances = [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    records += [{"service": "ec2", "type": "Instance", "item": i} for i in instances]
    statuses = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    records += [{"service": "ec2", "type": "InstanceStatus", "item": s} for s in statuses]
    now = max(to_datetime(i["LaunchTime"]) for i in instances) + timedelta(minutes=1)
    bundle = make_bundle({"resources": records}, start=now - timedelta(hours=6), end=now, now=now)
    bundle.validate()
    session, _ = replay_session(bundle)
    return session.client("ec2")


@pytest.fixture(scope="module")
def world(_moto_server: str) -> tuple[Any, Any, dict[str, str]]:
    """(moto client, replay client over moto's snapshot, ids), built once: every test here only reads."""
    reset = urllib.request.Request(f"{_moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=10) as resp:
        assert resp.status == 200
    moto = boto3.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    ).client("ec2", endpoint_url=_moto_server)
    ids = _seed(moto)
    return moto, _snapshot(moto), ids


def _answer(client: Any, method: str, params: dict[str, Any]) -> Any:
    try:
        resp = getattr(client, method)(**params)
    except ClientError as err:
        return ("error", err.response["Error"]["Code"])
    resp.pop("ResponseMetadata")
    if "Reservations" in resp:
        items = [i for r in resp["Reservations"] for i in r["Instances"]]
        return sorted(items, key=lambda i: i["InstanceId"])
    (key,) = [k for k in resp if k != "NextToken"]
    return sorted(resp[key], key=lambda i: i[ID_FIELD[key]])


def _same(world: tuple[Any, Any, dict[str, str]], method: str, requests: list[dict[str, Any]]) -> None:
    moto, replay, _ = world
    answers = []
    for params in requests:
        expected = _answer(moto, method, params)
        assert _answer(replay, method, params) == expected, params
        answers.append(expected)
    assert any(isinstance(a, list) and a for a in answers), "every request answered nothing"


def _f(name: str, *values: str) -> dict[str, Any]:
    return {"Name": name, "Values": list(values)}


def test_instances_match_moto(world: tuple[Any, Any, dict[str, str]]) -> None:
    ids = world[2]
    _same(
        world,
        "describe_instances",
        [
            {},
            {"InstanceIds": [ids["dbi"], ids["web1"]]},
            {"InstanceIds": ["i-0123456789abcdef0"]},
            {"InstanceIds": [ids["web1"]], "MaxResults": 5},
            {"Filters": [_f("instance-state-name", "running")]},
            {"Filters": [_f("instance-state-name", "stopped", "terminated")]},
            {"Filters": [_f("instance-type", "m5.large")]},
            {"Filters": [_f("availability-zone", "us-east-1a"), _f("instance-state-name", "running")]},
            {"Filters": [_f("subnet-id", ids["sub_b"])]},
            {"Filters": [_f("vpc-id", ids["vpc"])]},
            {"Filters": [_f("private-ip-address", ids["web1_ip"])]},
            {"Filters": [_f("tag:Name", "web")]},
            {"Filters": [_f("tag:Team", "blue"), _f("tag:Name", "db")]},
            {"Filters": [_f("tag-key", "Team")]},
            {"Filters": [_f("image-id", "ami-12c6146b")]},
            {"Filters": [_f("instance-id", ids["dbi"])]},
            {"Filters": [_f("instance.group-id", ids["db"])]},
        ],
    )


def test_instance_status_matches_moto(world: tuple[Any, Any, dict[str, str]]) -> None:
    ids = world[2]
    _same(
        world,
        "describe_instance_status",
        [
            {},
            {"IncludeAllInstances": True},
            {"InstanceIds": [ids["dbi"]]},
            {"InstanceIds": [ids["dbi"]], "IncludeAllInstances": True},
            {"InstanceIds": ["i-0123456789abcdef0"]},
            # No filters: moto's DescribeInstanceStatus ignores them (test_ec2.py checks ours by hand).
        ],
    )


def test_volumes_match_moto(world: tuple[Any, Any, dict[str, str]]) -> None:
    ids = world[2]
    _same(
        world,
        "describe_volumes",
        [
            {},
            {"VolumeIds": [ids["spare"]]},
            {"VolumeIds": ["vol-0123456789abcdef0"]},
            {"Filters": [_f("attachment.instance-id", ids["web1"])]},
            {"Filters": [_f("status", "available")]},
            {"Filters": [_f("availability-zone", "us-east-1b")]},
            {"Filters": [_f("tag:Name", "data")]},
            {"Filters": [_f("encrypted", "true")]},
        ],
    )


def test_network_matches_moto(world: tuple[Any, Any, dict[str, str]]) -> None:
    ids = world[2]
    _same(
        world,
        "describe_security_groups",
        [
            {},
            {"GroupIds": [ids["db"]]},
            {"GroupIds": ["sg-0123456789abcdef0"]},
            {"Filters": [_f("vpc-id", ids["vpc"])]},
            {"Filters": [_f("group-name", "web", "db")]},
            {"Filters": [_f("ip-permission.from-port", "5432")]},
            {"Filters": [_f("ip-permission.cidr", "10.0.0.0/8")]},
            {"Filters": [_f("ip-permission.group-id", ids["web"])]},
        ],
    )
    _same(
        world,
        "describe_network_acls",
        [
            {},
            {"Filters": [_f("association.subnet-id", ids["sub_b"])]},
            {"Filters": [_f("vpc-id", ids["vpc"]), _f("default", "true")]},
            {
                "Filters": [
                    _f("entry.rule-action", "deny"),
                    _f("entry.egress", "true"),
                    _f("vpc-id", ids["vpc"]),
                ]
            },
            {"Filters": [_f("entry.cidr", "10.0.1.0/24")]},
            {"Filters": [_f("association.network-acl-id", ids["acl"])]},
        ],
    )
    _same(
        world,
        "describe_route_tables",
        [
            {},
            {"RouteTableIds": ["rtb-0123456789abcdef0"]},
            {"Filters": [_f("association.subnet-id", ids["sub_a"])]},
            {"Filters": [_f("vpc-id", ids["vpc"]), _f("association.main", "true")]},
            {"Filters": [_f("route.gateway-id", ids["igw"])]},
            {"Filters": [_f("route.destination-cidr-block", "0.0.0.0/0")]},
            {"Filters": [_f("route-table-id", ids["rtb"])]},
        ],
    )
    _same(
        world,
        "describe_subnets",
        [
            {},
            {"SubnetIds": [ids["sub_b"]]},
            {"SubnetIds": ["subnet-0123456789abcdef0"]},
            {"Filters": [_f("vpc-id", ids["vpc"])]},
            {"Filters": [_f("availability-zone", "us-east-1b")]},
            {"Filters": [_f("cidr-block", "10.0.1.0/24")]},
            {"Filters": [_f("tag:tier", "private")]},
        ],
    )
    _same(
        world,
        "describe_vpcs",
        [
            {},
            {"VpcIds": [ids["vpc"]]},
            {"Filters": [_f("is-default", "true")]},
            {"Filters": [_f("tag:Name", "prod")]},
        ],
    )


def test_flow_logs_and_attachments_match_moto(world: tuple[Any, Any, dict[str, str]]) -> None:
    ids = world[2]
    _same(
        world,
        "describe_flow_logs",
        [
            {},
            {"Filter": [_f("resource-id", ids["sub_b"])]},
            {"Filter": [_f("log-group-name", "/vpc/prod")]},
            {"Filter": [_f("traffic-type", "REJECT")]},
            {"Filter": [_f("log-destination-type", "s3")]},
            # Not deliver-log-status: moto matches it against a constant "SUCCESS", not the field.
        ],
    )
    _same(
        world,
        "describe_transit_gateway_attachments",
        [
            {},
            {"Filters": [_f("transit-gateway-id", ids["tgw"])]},
            {"Filters": [_f("resource-type", "vpc")]},
            {"Filters": [_f("resource-id", ids["vpc"])]},
            {"Filters": [_f("state", "available")]},
        ],
    )


def test_paging_through_all_instances_matches_moto(world: tuple[Any, Any, dict[str, str]]) -> None:
    moto, replay, _ = world

    def pages(client: Any) -> list[list[str]]:
        paginator = client.get_paginator("describe_instances")
        return [
            [i["InstanceId"] for r in page["Reservations"] for i in r["Instances"]]
            for page in paginator.paginate(PaginationConfig={"PageSize": 5})
        ]

    assert [len(p) for p in pages(replay)] == [5, 1]
    assert sorted(i for p in pages(replay) for i in p) == sorted(i for p in pages(moto) for i in p)


def test_network_interfaces_match_moto(world: tuple[Any, Any, dict[str, str]]) -> None:
    ids = world[2]
    _same(
        world,
        "describe_network_interfaces",
        [
            {},
            {"NetworkInterfaceIds": ["eni-0123456789abcdef0"]},
            {"Filters": [_f("subnet-id", ids["sub_b"])]},
            {"Filters": [_f("vpc-id", ids["vpc"])]},
            {"Filters": [_f("availability-zone", "us-east-1a")]},
            {"Filters": [_f("attachment.instance-id", ids["web1"], ids["dbi"])]},
            {"Filters": [_f("group-id", ids["db"])]},
            {"Filters": [_f("private-ip-address", ids["web1_ip"])]},
        ],
    )


# What replay derives for an instance's interface and moto answers alike (moto adds its own
# RequesterId, and copies an empty Association into the instance's entry).
DERIVED_FIELDS = (
    "NetworkInterfaceId", "SubnetId", "VpcId", "AvailabilityZone", "PrivateIpAddress", "PrivateIpAddresses",
    "Groups", "Status", "InterfaceType", "OwnerId", "MacAddress", "Description", "SourceDestCheck",
    "RequesterManaged", "TagSet", "Ipv6Addresses",
)  # fmt: skip
ATTACHMENT_FIELDS = ("AttachmentId", "InstanceId", "InstanceOwnerId", "DeviceIndex", "Status", "AttachTime")


def test_interfaces_derived_from_instances_match_moto(world: tuple[Any, Any, dict[str, str]]) -> None:
    moto, _, ids = world
    derived = _snapshot(moto, leave_out="NetworkInterface")

    def view(client: Any, **params: Any) -> list[dict[str, Any]]:
        out = []
        for eni in client.describe_network_interfaces(**params)["NetworkInterfaces"]:
            attachment = eni.get("Attachment") or {}
            out.append(
                {k: eni.get(k) for k in DERIVED_FIELDS}
                | {f"Attachment.{k}": attachment.get(k) for k in ATTACHMENT_FIELDS}
            )
        return sorted(out, key=lambda e: e["NetworkInterfaceId"])

    # Our VPC's instances only: for the default VPC's, which have public addresses, moto's interface
    # leaves the address's Association out where its own DescribeInstances shows it.
    ours = {"Filters": [_f("vpc-id", ids["vpc"])]}
    assert len(view(moto, **ours)) == 3
    assert view(derived, **ours) == view(moto, **ours)
    by_instance = {"Filters": [_f("attachment.instance-id", ids["dbi"])]}
    assert view(derived, **by_instance) == view(moto, **by_instance) != []
