"""EC2 replay, checked against hand-computed answers on small hand-written bundles."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
from botocore.exceptions import ClientError

from evals.bundle import Bundle
from evals.bundle.shapes import validate_output
from evals.replay import ReplayUnsupported, attach
from evals.replay.services.ec2 import attachment_id, reservation_id
from tests.conftest import make_bundle

VPC = "vpc-0aaaaaaaaaaaaaaaa"
DEFAULT_VPC = "vpc-0ddddddddddddddd0"
SUBNET_A = "subnet-0a0a0a0a0a0a0a0a0"
SUBNET_B = "subnet-0b0b0b0b0b0b0b0b0"
PROFILE = "arn:aws:iam::123456789012:instance-profile/web"


def _instance(
    iid: str,
    state: str = "running",
    *,
    az: str = "us-east-1a",
    subnet: str = SUBNET_A,
    ip: str = "10.0.1.10",
    itype: str = "t3.micro",
    tags: dict[str, str] | None = None,
    launched: str = "2024-04-30T12:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    codes = {"pending": 0, "running": 16, "stopping": 64, "stopped": 80, "terminated": 48}
    return {
        "InstanceId": iid,
        "ImageId": "ami-0123456789abcdef0",
        "InstanceType": itype,
        "State": {"Code": codes[state], "Name": state},
        "Placement": {"AvailabilityZone": az},
        "SubnetId": subnet,
        "VpcId": VPC,
        "PrivateIpAddress": ip,
        "LaunchTime": launched,
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        "NetworkInterfaces": [
            {
                "NetworkInterfaceId": "eni-" + iid[2:],
                "SubnetId": subnet,
                "VpcId": VPC,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": True}],
                "Groups": [{"GroupId": "sg-0e0e0e0e0e0e0e0e0", "GroupName": "web"}],
            }
        ],
        **extra,
    }


I1 = "i-00000000000000001"
I2 = "i-00000000000000002"
I3 = "i-00000000000000003"
I4 = "i-00000000000000004"
FUTURE = "i-0000000000000000f"

INSTANCES = [
    _instance(I1, tags={"Name": "web-1", "Team": "blue"}, IamInstanceProfile={"Arn": PROFILE, "Id": "AIPA1"}),
    _instance(I2, tags={"Name": "web-2", "Team": "blue"}, ip="10.0.1.11"),
    _instance(
        I3, "stopped", az="us-east-1b", subnet=SUBNET_B, ip="10.0.2.10", itype="m5.large", tags={"Name": "db"}
    ),
    _instance(I4, "terminated", tags={"Name": "*literal?"}, ip="10.0.1.12"),
    _instance(FUTURE, launched="2024-05-01T07:00:00Z"),  # after the bundle's now (06:00)
]


_CLIENTS: dict[str, Any] = {}
_LOADER = botocore.loaders.create_loader()


def _session(bundle: Bundle) -> boto3.Session:
    """A replay session like `replay_session`'s, whose botocore session reuses one model loader.

    Loading EC2's service model is most of the cost of a new client; the loader only caches files.
    """
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    session = boto3.Session(
        botocore_session=core, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    attach(session, bundle)
    return session


def _ec2(*resources: tuple[str, dict[str, Any]]) -> Any:
    """A replay EC2 client over these resources; shared between tests, since replay only reads."""
    records = [{"service": "ec2", "type": t, "item": item} for t, item in resources]
    key = json.dumps(records, sort_keys=True)
    if key not in _CLIENTS:
        bundle = make_bundle({"resources": records})
        bundle.validate()  # every hand-written item must be a valid botocore shape
        _CLIENTS[key] = _session(bundle).client("ec2")
    return _CLIENTS[key]


def _instances_client(*more: tuple[str, dict[str, Any]]) -> Any:
    return _ec2(*[("Instance", i) for i in INSTANCES], *more)


def _ids(resp: dict[str, Any]) -> list[str]:
    return [i["InstanceId"] for r in resp["Reservations"] for i in r["Instances"]]


def _error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


# --- DescribeInstances -------------------------------------------------------------------------------


def test_each_instance_is_its_own_reservation_of_the_bundle_account() -> None:
    resp = _instances_client().describe_instances()
    assert _ids(resp) == [I1, I2, I3, I4]  # the instance launched after `now` does not exist yet
    first = resp["Reservations"][0]
    assert first["ReservationId"] == reservation_id(I1)
    assert re.fullmatch(r"r-[0-9a-f]{17}", first["ReservationId"])
    assert first["OwnerId"] == "123456789012"
    assert first["Groups"] == []
    assert first["Instances"][0]["LaunchTime"] == datetime(2024, 4, 30, 12, tzinfo=UTC)
    assert "NextToken" not in resp


def test_instance_ids_select_and_unknown_ids_fail() -> None:
    ec2 = _instances_client()
    assert _ids(ec2.describe_instances(InstanceIds=[I3, I1])) == [I1, I3]
    assert _error(ec2.describe_instances, InstanceIds=[I1, "i-0123456789abcdef0"]) == (
        "InvalidInstanceID.NotFound",
        "The instance ID 'i-0123456789abcdef0' does not exist",
    )
    assert _error(ec2.describe_instances, InstanceIds=["i-0123456789abcdef0", FUTURE]) == (
        "InvalidInstanceID.NotFound",
        f"The instance IDs 'i-0123456789abcdef0, {FUTURE}' do not exist",
    )
    assert _error(ec2.describe_instances, InstanceIds=["web-1"]) == (
        "InvalidInstanceID.Malformed",
        'Invalid id: "web-1"',
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"Name": "instance-state-name", "Values": ["running", "stopped"]}], [I1, I2, I3]),
        ([{"Name": "instance-state-code", "Values": ["48"]}], [I4]),
        (
            [
                {"Name": "instance-state-name", "Values": ["running", "stopped"]},
                {"Name": "availability-zone", "Values": ["us-east-1b"]},
            ],
            [I3],
        ),
        ([{"Name": "instance-type", "Values": ["m5.*"]}], [I3]),
        ([{"Name": "vpc-id", "Values": [VPC]}, {"Name": "subnet-id", "Values": [SUBNET_A]}], [I1, I2, I4]),
        ([{"Name": "private-ip-address", "Values": ["10.0.1.1?"]}], [I1, I2, I4]),
        ([{"Name": "tag:Name", "Values": ["web-*"]}], [I1, I2]),
        ([{"Name": "tag:Name", "Values": ["Web-*"]}], []),
        ([{"Name": "tag:Name", "Values": [r"\*literal\?"]}], [I4]),
        ([{"Name": "tag:Team", "Values": ["blue"]}, {"Name": "tag:Name", "Values": ["*2"]}], [I2]),
        ([{"Name": "tag-key", "Values": ["Team"]}], [I1, I2]),
        ([{"Name": "tag-value", "Values": ["d?"]}], [I3]),
        ([{"Name": "iam-instance-profile.arn", "Values": [PROFILE]}], [I1]),
        ([{"Name": "image-id", "Values": ["ami-0123456789abcdef0"]}], [I1, I2, I3, I4]),
        ([{"Name": "instance-id", "Values": [I2, FUTURE]}], [I2]),
        ([{"Name": "network-interface.subnet-id", "Values": [SUBNET_B]}], [I3]),
        ([{"Name": "network-interface.addresses.private-ip-address", "Values": ["10.0.1.11"]}], [I2]),
        ([{"Name": "network-interface.group-name", "Values": ["web"]}], [I1, I2, I3, I4]),
        ([{"Name": "owner-id", "Values": ["123456789012"]}], [I1, I2, I3, I4]),
        ([{"Name": "reservation-id", "Values": [reservation_id(I3)]}], [I3]),
        ([{"Name": "launch-time", "Values": ["2024-04-30T*"]}], [I1, I2, I3, I4]),
    ],
)
def test_instance_filters(filters: list[dict[str, Any]], expected: list[str]) -> None:
    assert _ids(_instances_client().describe_instances(Filters=filters)) == expected


def test_unknown_and_unreplayed_filters_are_never_a_match_all() -> None:
    ec2 = _instances_client()
    assert _error(ec2.describe_instances, Filters=[{"Name": "colour", "Values": ["red"]}]) == (
        "InvalidParameterValue",
        "The filter 'colour' is invalid",
    )
    with pytest.raises(ReplayUnsupported, match="hibernation-options.configured"):
        ec2.describe_instances(Filters=[{"Name": "hibernation-options.configured", "Values": ["true"]}])


def test_instance_pages() -> None:
    many = [_instance(f"i-{n:017x}", ip=f"10.0.1.{n}") for n in range(1, 13)]
    ec2 = _ec2(*[("Instance", i) for i in many])
    first = ec2.describe_instances(MaxResults=5)
    assert _ids(first) == [f"i-{n:017x}" for n in range(1, 6)]
    second = ec2.describe_instances(MaxResults=5, NextToken=first["NextToken"])
    assert _ids(second) == [f"i-{n:017x}" for n in range(6, 11)]
    third = ec2.describe_instances(MaxResults=5, NextToken=second["NextToken"])
    assert _ids(third) == [f"i-{n:017x}" for n in range(11, 13)]
    assert "NextToken" not in third
    pages = ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 7})
    assert [len(_ids(p)) for p in pages] == [7, 5]
    # A token belongs to the request that produced it.
    filtered = {"Filters": [{"Name": "instance-state-name", "Values": ["running"]}]}
    assert _error(ec2.describe_instances, MaxResults=5, NextToken=first["NextToken"], **filtered)[0] == (
        "InvalidPaginationToken"
    )


def test_instance_page_size_limits() -> None:
    ec2 = _instances_client()
    assert _error(ec2.describe_instances, MaxResults=4)[0] == "InvalidParameterValue"
    assert _error(ec2.describe_instances, MaxResults=1001)[0] == "InvalidParameterValue"
    assert _error(ec2.describe_instances, MaxResults=5, InstanceIds=[I1]) == (
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
    )
    assert len(_ids(ec2.describe_instances(MaxResults=1000))) == 4


def test_dry_run() -> None:
    code, _ = _error(_instances_client().describe_instances, DryRun=True)
    assert code == "DryRunOperation"


# --- DescribeInstanceStatus ---------------------------------------------------------------------------


def _status(iid: str, instance: str = "ok", system: str = "ok", **extra: Any) -> dict[str, Any]:
    def check(status: str) -> dict[str, Any]:
        reach = {"ok": "passed", "impaired": "failed"}.get(status, status)
        return {"Status": status, "Details": [{"Name": "reachability", "Status": reach}]}

    return {
        "InstanceId": iid,
        "AvailabilityZone": "us-east-1a",
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": check(instance),
        "SystemStatus": check(system),
        **extra,
    }


RETIREMENT = {
    "InstanceEventId": "instance-event-0abc",
    "Code": "instance-retirement",
    "Description": "The instance is running on degraded hardware",
    "NotBefore": "2024-05-03T00:00:00Z",
    "NotAfter": "2024-05-04T00:00:00Z",
}


def _status_client(*statuses: dict[str, Any]) -> Any:
    return _instances_client(*[("InstanceStatus", s) for s in statuses])


def test_instance_status_lists_running_instances_by_default() -> None:
    ec2 = _status_client(_status(I1), _status(I2, system="impaired", Events=[RETIREMENT]))
    resp = ec2.describe_instance_status()
    assert [s["InstanceId"] for s in resp["InstanceStatuses"]] == [I1, I2]
    event = resp["InstanceStatuses"][1]["Events"][0]
    assert event["NotBefore"] == datetime(2024, 5, 3, tzinfo=UTC)
    assert resp["InstanceStatuses"][1]["SystemStatus"]["Details"] == [
        {"Name": "reachability", "Status": "failed"}
    ]


def test_include_all_instances_adds_stopped_ones_as_not_applicable() -> None:
    ec2 = _status_client(_status(I1), _status(I2))
    statuses = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    assert [s["InstanceId"] for s in statuses] == [I1, I2, I3, I4]
    stopped = statuses[2]
    assert stopped["InstanceState"] == {"Code": 80, "Name": "stopped"}
    assert stopped["InstanceStatus"] == {"Status": "not-applicable"}
    assert stopped["SystemStatus"] == {"Status": "not-applicable"}
    assert stopped["AvailabilityZone"] == "us-east-1b"
    # Asked for by id, a stopped instance is simply left out unless IncludeAllInstances.
    assert ec2.describe_instance_status(InstanceIds=[I3])["InstanceStatuses"] == []
    assert _error(ec2.describe_instance_status, InstanceIds=[FUTURE])[0] == "InvalidInstanceID.NotFound"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"Name": "system-status.status", "Values": ["impaired"]}], [I2]),
        ([{"Name": "instance-status.status", "Values": ["ok"]}], [I1, I2]),
        ([{"Name": "system-status.reachability", "Values": ["failed"]}], [I2]),
        ([{"Name": "event.code", "Values": ["instance-retirement", "system-reboot"]}], [I2]),
        ([{"Name": "event.not-before", "Values": ["2024-05-03T*"]}], [I2]),
        ([{"Name": "availability-zone", "Values": ["us-east-1a"]}], [I1, I2]),
        ([{"Name": "instance-state-name", "Values": ["stopped"]}], []),  # running-only still applies
    ],
)
def test_instance_status_filters(filters: list[dict[str, Any]], expected: list[str]) -> None:
    ec2 = _status_client(_status(I1), _status(I2, system="impaired", Events=[RETIREMENT]))
    resp = ec2.describe_instance_status(Filters=filters)
    assert [s["InstanceId"] for s in resp["InstanceStatuses"]] == expected


def test_running_instance_without_a_status_record_is_not_invented() -> None:
    ec2 = _status_client(_status(I1))
    with pytest.raises(ReplayUnsupported, match=I2):
        ec2.describe_instance_status()
    assert [s["InstanceId"] for s in ec2.describe_instance_status(InstanceIds=[I1])["InstanceStatuses"]] == [
        I1
    ]


def test_instance_status_pages_and_limits() -> None:
    ec2 = _status_client(*[_status(f"i-{n:017x}") for n in range(1, 8)])
    first = ec2.describe_instance_status(MaxResults=5)
    assert len(first["InstanceStatuses"]) == 5
    rest = ec2.describe_instance_status(MaxResults=5, NextToken=first["NextToken"])
    assert [s["InstanceId"] for s in rest["InstanceStatuses"]] == [
        "i-00000000000000006",
        "i-00000000000000007",
    ]
    assert (
        _error(ec2.describe_instance_status, MaxResults=5, InstanceIds=[I1])[0]
        == "InvalidParameterCombination"
    )


# --- DescribeVolumes ---------------------------------------------------------------------------------


def _volume(
    vid: str, state: str, vtype: str, *, attached_to: str | None = None, **extra: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "VolumeId": vid,
        "Size": 100,
        "AvailabilityZone": "us-east-1a",
        "State": state,
        "VolumeType": vtype,
        "CreateTime": "2024-04-01T00:00:00Z",
        "Encrypted": False,
        **extra,
    }
    if attached_to:
        item["Attachments"] = [
            {"InstanceId": attached_to, "VolumeId": vid, "Device": "/dev/xvdf", "State": "attached"}
        ]
    return item


V1, V2, V3, V_LATER = (f"vol-0000000000000000{n}" for n in (1, 2, 3, 9))
VOLUMES = [
    _volume(V1, "in-use", "gp3", attached_to=I1, Tags=[{"Key": "Name", "Value": "data"}]),
    _volume(V2, "available", "io2", AvailabilityZone="us-east-1b"),
    _volume(V3, "in-use", "gp3", attached_to=I2, Encrypted=True),
    _volume(V_LATER, "available", "gp3", CreateTime="2024-05-02T00:00:00Z"),
]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [V1, V2, V3]),
        ({"VolumeIds": [V3, V1]}, [V1, V3]),
        ({"Filters": [{"Name": "attachment.instance-id", "Values": [I2]}]}, [V3]),
        ({"Filters": [{"Name": "status", "Values": ["available"]}]}, [V2]),
        ({"Filters": [{"Name": "volume-type", "Values": ["gp3"]}]}, [V1, V3]),
        ({"Filters": [{"Name": "availability-zone", "Values": ["us-east-1b"]}]}, [V2]),
        ({"Filters": [{"Name": "tag:Name", "Values": ["data"]}]}, [V1]),
        ({"Filters": [{"Name": "encrypted", "Values": ["true"]}]}, [V3]),
        ({"Filters": [{"Name": "attachment.status", "Values": ["attached"]}]}, [V1, V3]),
        ({"Filters": [{"Name": "size", "Values": ["100"]}]}, [V1, V2, V3]),
    ],
)
def test_volumes(params: dict[str, Any], expected: list[str]) -> None:
    ec2 = _ec2(*[("Volume", v) for v in VOLUMES])
    assert [v["VolumeId"] for v in ec2.describe_volumes(**params)["Volumes"]] == expected


def test_volume_errors_and_pages() -> None:
    ec2 = _ec2(*[("Volume", v) for v in VOLUMES])
    assert _error(ec2.describe_volumes, VolumeIds=[V_LATER]) == (
        "InvalidVolume.NotFound",
        f"The volume '{V_LATER}' does not exist.",
    )
    assert _error(ec2.describe_volumes, VolumeIds=["vol-xyz"])[0] == "InvalidVolumeID.Malformed"
    assert _error(ec2.describe_volumes, MaxResults=4)[0] == "InvalidParameterValue"
    assert len(ec2.describe_volumes(MaxResults=600)["Volumes"]) == 3  # above 500 is cut to 500
    first = ec2.describe_volumes(MaxResults=5, Filters=[{"Name": "volume-type", "Values": ["gp3"]}])
    assert "NextToken" not in first


# --- network: security groups, ACLs, route tables, subnets, VPCs ---------------------------------------

SG_WEB = "sg-0e0e0e0e0e0e0e0e0"
SG_DB = "sg-0f0f0f0f0f0f0f0f0"
SG_DEFAULT = "sg-0ddddddddddddddd0"

SECURITY_GROUPS: list[dict[str, Any]] = [
    {
        "GroupId": SG_WEB,
        "GroupName": "web",
        "Description": "web tier",
        "VpcId": VPC,
        "OwnerId": "123456789012",
        "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    },
    {
        "GroupId": SG_DB,
        "GroupName": "db",
        "Description": "database",
        "VpcId": VPC,
        "OwnerId": "123456789012",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [{"GroupId": SG_WEB, "UserId": "123456789012"}],
            }
        ],
        "IpPermissionsEgress": [],
    },
    {"GroupId": SG_DEFAULT, "GroupName": "default", "Description": "default", "VpcId": DEFAULT_VPC},
    {"GroupId": "sg-0c0c0c0c0c0c0c0c0", "GroupName": "default", "Description": "default", "VpcId": VPC},
]
VPCS: list[dict[str, Any]] = [
    {"VpcId": VPC, "CidrBlock": "10.0.0.0/16", "IsDefault": False, "State": "available"},
    {"VpcId": DEFAULT_VPC, "CidrBlock": "172.31.0.0/16", "IsDefault": True, "State": "available"},
]


def _network_client() -> Any:
    return _ec2(*[("SecurityGroup", g) for g in SECURITY_GROUPS], *[("Vpc", v) for v in VPCS])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"GroupIds": [SG_DB]}, [SG_DB]),
        ({"GroupNames": ["default"]}, [SG_DEFAULT]),  # names mean the default VPC's groups
        ({"Filters": [{"Name": "group-name", "Values": ["default"]}]}, [SG_DEFAULT, "sg-0c0c0c0c0c0c0c0c0"]),
        (
            {"Filters": [{"Name": "vpc-id", "Values": [VPC]}, {"Name": "group-name", "Values": ["w*"]}]},
            [SG_WEB],
        ),
        ({"Filters": [{"Name": "ip-permission.from-port", "Values": ["5432"]}]}, [SG_DB]),
        ({"Filters": [{"Name": "ip-permission.cidr", "Values": ["0.0.0.0/0"]}]}, [SG_WEB]),
        ({"Filters": [{"Name": "ip-permission.group-id", "Values": [SG_WEB]}]}, [SG_DB]),
        ({"Filters": [{"Name": "egress.ip-permission.protocol", "Values": ["-1"]}]}, [SG_WEB]),
    ],
)
def test_security_groups(params: dict[str, Any], expected: list[str]) -> None:
    groups = _network_client().describe_security_groups(**params)["SecurityGroups"]
    assert [g["GroupId"] for g in groups] == expected


def test_security_group_errors() -> None:
    ec2 = _network_client()
    assert _error(ec2.describe_security_groups, GroupIds=["sg-0123456789abcdef0"]) == (
        "InvalidGroup.NotFound",
        "The security group 'sg-0123456789abcdef0' does not exist",
    )
    assert _error(ec2.describe_security_groups, GroupNames=["web"]) == (
        "InvalidGroup.NotFound",
        f"The security group 'web' does not exist in default VPC '{DEFAULT_VPC}'",
    )
    assert _error(ec2.describe_security_groups, GroupIds=["web"])[0] == "InvalidGroupId.Malformed"


ACL_DEFAULT = "acl-0aaaaaaaaaaaaaaa1"
ACL_LOCKED = "acl-0aaaaaaaaaaaaaaa2"


def _entry(number: int, action: str, egress: bool, cidr: str = "0.0.0.0/0", **extra: Any) -> dict[str, Any]:
    return {
        "RuleNumber": number,
        "RuleAction": action,
        "Egress": egress,
        "CidrBlock": cidr,
        "Protocol": "-1",
        **extra,
    }


NETWORK_ACLS: list[dict[str, Any]] = [
    {
        "NetworkAclId": ACL_DEFAULT,
        "VpcId": VPC,
        "IsDefault": True,
        "Associations": [
            {"NetworkAclAssociationId": "aclassoc-01", "NetworkAclId": ACL_DEFAULT, "SubnetId": SUBNET_A}
        ],
        "Entries": [_entry(100, "allow", False), _entry(100, "allow", True)],
    },
    {
        "NetworkAclId": ACL_LOCKED,
        "VpcId": VPC,
        "IsDefault": False,
        "Associations": [
            {"NetworkAclAssociationId": "aclassoc-02", "NetworkAclId": ACL_LOCKED, "SubnetId": SUBNET_B}
        ],
        "Entries": [
            _entry(90, "deny", True, "10.0.1.0/24", Protocol="6", PortRange={"From": 5432, "To": 5432}),
            _entry(32767, "deny", True),
        ],
    },
]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"Name": "association.subnet-id", "Values": [SUBNET_B]}], [ACL_LOCKED]),
        ([{"Name": "default", "Values": ["true"]}], [ACL_DEFAULT]),
        (
            [{"Name": "entry.rule-action", "Values": ["deny"]}, {"Name": "entry.egress", "Values": ["true"]}],
            [ACL_LOCKED],
        ),
        ([{"Name": "entry.port-range.from", "Values": ["5432"]}], [ACL_LOCKED]),
        ([{"Name": "entry.cidr", "Values": ["10.0.1.0/24"]}], [ACL_LOCKED]),
        ([{"Name": "vpc-id", "Values": [VPC]}], [ACL_DEFAULT, ACL_LOCKED]),
    ],
)
def test_network_acls(filters: list[dict[str, Any]], expected: list[str]) -> None:
    ec2 = _ec2(*[("NetworkAcl", a) for a in NETWORK_ACLS])
    assert [a["NetworkAclId"] for a in ec2.describe_network_acls(Filters=filters)["NetworkAcls"]] == expected


def test_network_acl_unknown_id() -> None:
    ec2 = _ec2(*[("NetworkAcl", a) for a in NETWORK_ACLS])
    assert _error(ec2.describe_network_acls, NetworkAclIds=["acl-0123456789abcdef0"]) == (
        "InvalidNetworkAclID.NotFound",
        "The networkAcl ID 'acl-0123456789abcdef0' does not exist",
    )


RTB_MAIN = "rtb-0aaaaaaaaaaaaaaa1"
RTB_PRIVATE = "rtb-0aaaaaaaaaaaaaaa2"
ROUTE_TABLES: list[dict[str, Any]] = [
    {
        "RouteTableId": RTB_MAIN,
        "VpcId": VPC,
        "Associations": [{"Main": True, "RouteTableAssociationId": "rtbassoc-01", "RouteTableId": RTB_MAIN}],
        "Routes": [
            {
                "DestinationCidrBlock": "10.0.0.0/16",
                "GatewayId": "local",
                "Origin": "CreateRouteTable",
                "State": "active",
            },
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": "igw-0abc",
                "Origin": "CreateRoute",
                "State": "active",
            },
        ],
    },
    {
        "RouteTableId": RTB_PRIVATE,
        "VpcId": VPC,
        "Associations": [
            {
                "Main": False,
                "RouteTableAssociationId": "rtbassoc-02",
                "RouteTableId": RTB_PRIVATE,
                "SubnetId": SUBNET_B,
            }
        ],
        "Routes": [
            {
                "DestinationCidrBlock": "10.0.0.0/16",
                "GatewayId": "local",
                "Origin": "CreateRouteTable",
                "State": "active",
            },
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": "nat-0abc",
                "Origin": "CreateRoute",
                "State": "blackhole",
            },
        ],
    },
]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"Name": "association.subnet-id", "Values": [SUBNET_B]}], [RTB_PRIVATE]),
        ([{"Name": "association.main", "Values": ["true"]}], [RTB_MAIN]),
        ([{"Name": "route.state", "Values": ["blackhole"]}], [RTB_PRIVATE]),
        ([{"Name": "route.nat-gateway-id", "Values": ["nat-*"]}], [RTB_PRIVATE]),
        ([{"Name": "route.destination-cidr-block", "Values": ["0.0.0.0/0"]}], [RTB_MAIN, RTB_PRIVATE]),
        ([{"Name": "route.gateway-id", "Values": ["igw-0abc"]}], [RTB_MAIN]),
    ],
)
def test_route_tables(filters: list[dict[str, Any]], expected: list[str]) -> None:
    ec2 = _ec2(*[("RouteTable", r) for r in ROUTE_TABLES])
    assert [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=filters)["RouteTables"]] == expected


def test_route_table_errors() -> None:
    ec2 = _ec2(*[("RouteTable", r) for r in ROUTE_TABLES])
    assert _error(ec2.describe_route_tables, RouteTableIds=["rtb-0123456789abcdef0"])[0] == (
        "InvalidRouteTableID.NotFound"
    )
    assert _error(ec2.describe_route_tables, MaxResults=101)[0] == "InvalidParameterValue"  # 5..100


SUBNETS: list[dict[str, Any]] = [
    {
        "SubnetId": SUBNET_A,
        "VpcId": VPC,
        "CidrBlock": "10.0.1.0/24",
        "AvailabilityZone": "us-east-1a",
        "AvailableIpAddressCount": 0,
        "State": "available",
        "Tags": [{"Key": "tier", "Value": "public"}],
    },
    {
        "SubnetId": SUBNET_B,
        "VpcId": VPC,
        "CidrBlock": "10.0.2.0/24",
        "AvailabilityZone": "us-east-1b",
        "AvailableIpAddressCount": 250,
        "State": "available",
        "Tags": [{"Key": "tier", "Value": "private"}],
    },
]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"SubnetIds": [SUBNET_B]}, [SUBNET_B]),
        ({"Filters": [{"Name": "available-ip-address-count", "Values": ["0"]}]}, [SUBNET_A]),
        ({"Filters": [{"Name": "cidr-block", "Values": ["10.0.2.0/24"]}]}, [SUBNET_B]),
        ({"Filters": [{"Name": "availability-zone", "Values": ["us-east-1a", "us-east-1c"]}]}, [SUBNET_A]),
        ({"Filters": [{"Name": "tag:tier", "Values": ["priv*"]}]}, [SUBNET_B]),
        ({"Filters": [{"Name": "vpc-id", "Values": [DEFAULT_VPC]}]}, []),
    ],
)
def test_subnets(params: dict[str, Any], expected: list[str]) -> None:
    ec2 = _ec2(*[("Subnet", s) for s in SUBNETS])
    assert [s["SubnetId"] for s in ec2.describe_subnets(**params)["Subnets"]] == expected


def test_subnet_and_vpc_unknown_ids() -> None:
    ec2 = _ec2(*[("Subnet", s) for s in SUBNETS], *[("Vpc", v) for v in VPCS])
    assert _error(ec2.describe_subnets, SubnetIds=["subnet-0123456789abcdef0"]) == (
        "InvalidSubnetID.NotFound",
        "The subnet ID 'subnet-0123456789abcdef0' does not exist",
    )
    assert _error(ec2.describe_vpcs, VpcIds=["vpc-0123456789abcdef0"])[0] == "InvalidVpcID.NotFound"


def test_vpcs() -> None:
    ec2 = _network_client()
    assert [
        v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    ] == [DEFAULT_VPC]
    assert [
        v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.0.0.0/16"]}])["Vpcs"]
    ] == [VPC]


# --- transit gateway attachments and flow logs -------------------------------------------------------

TGW = "tgw-0aaaaaaaaaaaaaaa1"
ATTACHMENTS: list[dict[str, Any]] = [
    {
        "TransitGatewayAttachmentId": "tgw-attach-0aaaaaaaaaaaaaaa1",
        "TransitGatewayId": TGW,
        "ResourceType": "vpc",
        "ResourceId": VPC,
        "State": "available",
        "CreationTime": "2024-01-01T00:00:00Z",
        "Association": {"TransitGatewayRouteTableId": "tgw-rtb-01", "State": "associated"},
    },
    {
        "TransitGatewayAttachmentId": "tgw-attach-0aaaaaaaaaaaaaaa2",
        "TransitGatewayId": TGW,
        "ResourceType": "vpn",
        "ResourceId": "vpn-0abc",
        "State": "failed",
        "CreationTime": "2024-05-01T05:00:00Z",
    },
    {
        "TransitGatewayAttachmentId": "tgw-attach-0aaaaaaaaaaaaaaa3",
        "TransitGatewayId": TGW,
        "ResourceType": "vpc",
        "ResourceId": DEFAULT_VPC,
        "State": "pending",
        "CreationTime": "2024-05-01T06:30:00Z",  # after now
    },
]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["tgw-attach-0aaaaaaaaaaaaaaa1", "tgw-attach-0aaaaaaaaaaaaaaa2"]),
        ({"Filters": [{"Name": "resource-type", "Values": ["vpc"]}]}, ["tgw-attach-0aaaaaaaaaaaaaaa1"]),
        ({"Filters": [{"Name": "state", "Values": ["failed"]}]}, ["tgw-attach-0aaaaaaaaaaaaaaa2"]),
        ({"Filters": [{"Name": "resource-id", "Values": [VPC]}]}, ["tgw-attach-0aaaaaaaaaaaaaaa1"]),
        (
            {"Filters": [{"Name": "association.state", "Values": ["associated"]}]},
            ["tgw-attach-0aaaaaaaaaaaaaaa1"],
        ),
        ({"TransitGatewayAttachmentIds": ["tgw-attach-0aaaaaaaaaaaaaaa2"]}, ["tgw-attach-0aaaaaaaaaaaaaaa2"]),
    ],
)
def test_transit_gateway_attachments(params: dict[str, Any], expected: list[str]) -> None:
    ec2 = _ec2(*[("TransitGatewayAttachment", a) for a in ATTACHMENTS])
    resp = ec2.describe_transit_gateway_attachments(**params)
    assert [a["TransitGatewayAttachmentId"] for a in resp["TransitGatewayAttachments"]] == expected


def test_transit_gateway_attachment_not_yet_created_is_unknown() -> None:
    ec2 = _ec2(*[("TransitGatewayAttachment", a) for a in ATTACHMENTS])
    code, _ = _error(
        ec2.describe_transit_gateway_attachments, TransitGatewayAttachmentIds=["tgw-attach-0aaaaaaaaaaaaaaa3"]
    )
    assert code == "InvalidTransitGatewayAttachmentID.NotFound"


FLOW_LOGS: list[dict[str, Any]] = [
    {
        "FlowLogId": "fl-0aaaaaaaaaaaaaaa1",
        "ResourceId": VPC,
        "TrafficType": "ALL",
        "LogGroupName": "/vpc/prod",
        "LogDestinationType": "cloud-watch-logs",
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogStatus": "ACTIVE",
        "CreationTime": "2024-01-01T00:00:00Z",
    },
    {
        "FlowLogId": "fl-0aaaaaaaaaaaaaaa2",
        "ResourceId": SUBNET_B,
        "TrafficType": "REJECT",
        "LogDestinationType": "s3",
        "LogDestination": "arn:aws:s3:::flow-logs",
        "DeliverLogsStatus": "FAILED",
        "DeliverLogsErrorMessage": "Access error",
        "FlowLogStatus": "ACTIVE",
        "CreationTime": "2024-02-01T00:00:00Z",
    },
]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["fl-0aaaaaaaaaaaaaaa1", "fl-0aaaaaaaaaaaaaaa2"]),
        ({"Filter": [{"Name": "resource-id", "Values": [SUBNET_B]}]}, ["fl-0aaaaaaaaaaaaaaa2"]),
        ({"Filter": [{"Name": "log-group-name", "Values": ["/vpc/*"]}]}, ["fl-0aaaaaaaaaaaaaaa1"]),
        ({"Filter": [{"Name": "traffic-type", "Values": ["ALL"]}]}, ["fl-0aaaaaaaaaaaaaaa1"]),
        ({"Filter": [{"Name": "deliver-log-status", "Values": ["FAILED"]}]}, ["fl-0aaaaaaaaaaaaaaa2"]),
        ({"FlowLogIds": ["fl-0aaaaaaaaaaaaaaa2", "fl-0123456789abcdef0"]}, ["fl-0aaaaaaaaaaaaaaa2"]),
    ],
)
def test_flow_logs(params: dict[str, Any], expected: list[str]) -> None:
    ec2 = _ec2(*[("FlowLog", f) for f in FLOW_LOGS])
    assert [f["FlowLogId"] for f in ec2.describe_flow_logs(**params)["FlowLogs"]] == expected


def test_flow_logs_reject_instance_filter_names() -> None:
    ec2 = _ec2(*[("FlowLog", f) for f in FLOW_LOGS])
    assert _error(ec2.describe_flow_logs, Filter=[{"Name": "vpc-id", "Values": [VPC]}]) == (
        "InvalidParameterValue",
        "The filter 'vpc-id' is invalid",
    )


def test_state_code_filter_ignores_the_internal_high_byte() -> None:
    flagged = _instance("i-0000000000000abcd", State={"Code": 272, "Name": "running"})
    ec2 = _ec2(("Instance", flagged))
    resp = ec2.describe_instances(Filters=[{"Name": "instance-state-code", "Values": ["16"]}])
    assert _ids(resp) == ["i-0000000000000abcd"]


@pytest.mark.parametrize(
    ("shape", "method", "key", "id_field", "prefix"),
    [
        ("Subnet", "describe_subnets", "Subnets", "SubnetId", "subnet"),
        ("Vpc", "describe_vpcs", "Vpcs", "VpcId", "vpc"),
        ("RouteTable", "describe_route_tables", "RouteTables", "RouteTableId", "rtb"),
        ("FlowLog", "describe_flow_logs", "FlowLogs", "FlowLogId", "fl"),
    ],
)
def test_network_describes_page_in_bundle_order(
    shape: str, method: str, key: str, id_field: str, prefix: str
) -> None:
    ids = [f"{prefix}-{n:017x}" for n in range(1, 8)]
    ec2 = _ec2(*[(shape, {id_field: i}) for i in ids])
    first = getattr(ec2, method)(MaxResults=5)
    rest = getattr(ec2, method)(MaxResults=5, NextToken=first["NextToken"])
    assert [i[id_field] for i in first[key]] == ids[:5]
    assert [i[id_field] for i in rest[key]] == ids[5:]
    assert "NextToken" not in rest
    assert _error(getattr(ec2, method), NextToken="not-a-token")[0] == "InvalidPaginationToken"


def test_limits_on_ids() -> None:
    ec2 = _status_client(_status(I1), _status(I2))
    code, message = _error(ec2.describe_instance_status, InstanceIds=[f"i-{n:017x}" for n in range(1, 102)])
    assert code == "InvalidRequest"
    assert message.startswith("101 exceeds the maximum number of instance IDs")
    volumes = _ec2(*[("Volume", v) for v in VOLUMES])
    assert _error(volumes.describe_volumes, VolumeIds=[V1], MaxResults=5) == (
        "InvalidParameterCombination",
        "The parameter volumeSet cannot be used with the parameter maxResults",
    )
    attachments = _ec2(*[("TransitGatewayAttachment", a) for a in ATTACHMENTS])
    assert _error(
        attachments.describe_transit_gateway_attachments, TransitGatewayAttachmentIds=["tgw-0abc"]
    ) == (
        "InvalidTransitGatewayAttachmentID.Malformed",
        "Invalid Transit Gateway Attachment id tgw-0abc.",
    )


# --- network interfaces ------------------------------------------------------------------------------

TGW_ENI = "eni-0aaaaaaaaaaaaaaa1"
ENI = {iid: "eni-" + iid[2:] for iid in (I1, I2, I3, I4, FUTURE)}  # as `_instance` names them
TGW_INTERFACE: dict[str, Any] = {
    "NetworkInterfaceId": TGW_ENI,
    "Description": "Network Interface for Transit Gateway Attachment tgw-attach-0aaaaaaaaaaaaaaa1",
    "InterfaceType": "transit_gateway",
    "RequesterManaged": True,
    "RequesterId": "AROAEXAMPLEEXAMPLE1:TransitGatewayAttachment",
    "Status": "in-use",
    "OwnerId": "123456789012",
    "SubnetId": SUBNET_B,
    "VpcId": VPC,
    "AvailabilityZone": "us-east-1b",
    "MacAddress": "02:11:22:33:44:55",
    "PrivateIpAddress": "10.0.2.5",
    "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.2.5", "Primary": True}],
    "Groups": [],
    "SourceDestCheck": False,
    "TagSet": [{"Key": "Name", "Value": "tgw-b"}],
}
# The bundle's own record of I2's interface replaces the one derived from the instance.
I2_INTERFACE: dict[str, Any] = {
    "NetworkInterfaceId": ENI[I2],
    "Description": "web-2 primary",
    "InterfaceType": "interface",
    "Status": "in-use",
    "SubnetId": SUBNET_A,
    "VpcId": VPC,
    "AvailabilityZone": "us-east-1a",
    "PrivateIpAddress": "10.0.1.11",
    "PrivateIpAddresses": [
        {"PrivateIpAddress": "10.0.1.11", "Primary": True},
        {"PrivateIpAddress": "10.0.1.99", "Primary": False},
    ],
    "Attachment": {"AttachmentId": "eni-attach-0bbbbbbbbbbbbbbb2", "InstanceId": I2, "DeviceIndex": 0},
    "TagSet": [{"Key": "Team", "Value": "blue"}],
}


def _interfaces_client() -> Any:
    return _instances_client(("NetworkInterface", TGW_INTERFACE), ("NetworkInterface", I2_INTERFACE))


def _eni_ids(resp: dict[str, Any]) -> list[str]:
    return [i["NetworkInterfaceId"] for i in resp["NetworkInterfaces"]]


def test_network_interfaces_are_the_bundles_and_those_of_live_instances() -> None:
    resp = _interfaces_client().describe_network_interfaces()
    # Bundle items first; then I1's and I3's (stopped still holds its interface). I2's is the bundle's
    # own; I4 is terminated and FUTURE not launched yet, so theirs do not exist.
    assert _eni_ids(resp) == [TGW_ENI, ENI[I2], ENI[I1], ENI[I3]]
    assert resp["NetworkInterfaces"][1]["Description"] == "web-2 primary"
    assert "NextToken" not in resp


def test_an_instance_interface_is_in_use_and_attached_to_it() -> None:
    ec2 = _interfaces_client()
    (eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[ENI[I3]])["NetworkInterfaces"]
    attachment = eni.pop("Attachment")
    assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", eni.pop("MacAddress"))
    assert eni == {
        "NetworkInterfaceId": ENI[I3],
        "SubnetId": SUBNET_B,
        "VpcId": VPC,
        "AvailabilityZone": "us-east-1b",
        "PrivateIpAddress": "10.0.2.10",
        "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.2.10", "Primary": True}],
        "Groups": [{"GroupId": "sg-0e0e0e0e0e0e0e0e0", "GroupName": "web"}],
        "Status": "in-use",
        "InterfaceType": "interface",
        "OwnerId": "123456789012",
        "Description": "",
        "RequesterManaged": False,
        "SourceDestCheck": True,
        "Ipv6Addresses": [],
        "TagSet": [],
    }
    assert attachment == {
        "AttachmentId": attachment_id(ENI[I3]),
        "InstanceId": I3,
        "InstanceOwnerId": "123456789012",
        "DeviceIndex": 0,
        "Status": "attached",
        "AttachTime": datetime(2024, 4, 30, 12, tzinfo=UTC),
        "DeleteOnTermination": True,
    }
    assert re.fullmatch(r"eni-attach-[0-9a-f]{17}", attachment["AttachmentId"])
    # Derived values are the same on every call.
    again = ec2.describe_network_interfaces(Filters=[{"Name": "attachment.instance-id", "Values": [I3]}])
    assert again["NetworkInterfaces"][0]["Attachment"]["AttachmentId"] == attachment["AttachmentId"]


def test_network_interface_ids_select_and_unknown_ids_fail() -> None:
    ec2 = _interfaces_client()
    assert _eni_ids(ec2.describe_network_interfaces(NetworkInterfaceIds=[ENI[I1], TGW_ENI])) == [
        TGW_ENI,
        ENI[I1],
    ]
    for gone in ("eni-0123456789abcdef0", ENI[I4], ENI[FUTURE]):
        assert _error(ec2.describe_network_interfaces, NetworkInterfaceIds=[ENI[I1], gone]) == (
            "InvalidNetworkInterfaceID.NotFound",
            f"The networkInterface ID '{gone}' does not exist",
        )
    assert _error(ec2.describe_network_interfaces, NetworkInterfaceIds=["tgw-b"]) == (
        "InvalidNetworkInterfaceID.Malformed",
        'Invalid id: "tgw-b"',
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"Name": "subnet-id", "Values": [SUBNET_B]}], [TGW_ENI, ENI[I3]]),
        ([{"Name": "attachment.instance-id", "Values": [I1, I2]}], [ENI[I2], ENI[I1]]),
        ([{"Name": "interface-type", "Values": ["transit_gateway"]}], [TGW_ENI]),
        ([{"Name": "interface-type", "Values": ["interface"]}], [ENI[I2], ENI[I1], ENI[I3]]),
        ([{"Name": "requester-managed", "Values": ["true"]}], [TGW_ENI]),
        ([{"Name": "description", "Values": ["Network Interface for Transit Gateway *"]}], [TGW_ENI]),
        ([{"Name": "availability-zone", "Values": ["us-east-1a"]}], [ENI[I2], ENI[I1]]),
        ([{"Name": "vpc-id", "Values": [DEFAULT_VPC]}], []),
        ([{"Name": "private-ip-address", "Values": ["10.0.1.99"]}], [ENI[I2]]),  # a secondary address
        ([{"Name": "addresses.private-ip-address", "Values": ["10.0.2.*"]}], [TGW_ENI, ENI[I3]]),
        ([{"Name": "group-id", "Values": ["sg-0e0e0e0e0e0e0e0e0"]}], [ENI[I1], ENI[I3]]),
        ([{"Name": "attachment.attachment-id", "Values": [attachment_id(ENI[I1])]}], [ENI[I1]]),
        ([{"Name": "attachment.status", "Values": ["attached"]}], [ENI[I1], ENI[I3]]),
        (
            [{"Name": "status", "Values": ["in-use"]}, {"Name": "subnet-id", "Values": [SUBNET_A]}],
            [ENI[I2], ENI[I1]],
        ),
        ([{"Name": "requester-id", "Values": ["AROA*:TransitGatewayAttachment"]}], [TGW_ENI]),
        ([{"Name": "owner-id", "Values": ["123456789012"]}], [TGW_ENI, ENI[I1], ENI[I3]]),
        ([{"Name": "tag:Name", "Values": ["tgw-?"]}], [TGW_ENI]),  # tags live in TagSet here
        ([{"Name": "tag-key", "Values": ["Team"]}], [ENI[I2]]),
        ([{"Name": "tag-value", "Values": ["blue"]}], [ENI[I2]]),
    ],
)
def test_network_interface_filters(filters: list[dict[str, Any]], expected: list[str]) -> None:
    assert _eni_ids(_interfaces_client().describe_network_interfaces(Filters=filters)) == expected


def test_network_interfaces_refuse_filters_they_do_not_document() -> None:
    ec2 = _interfaces_client()
    assert _error(ec2.describe_network_interfaces, Filters=[{"Name": "instance-id", "Values": [I1]}]) == (
        "InvalidParameterValue",
        "The filter 'instance-id' is invalid",
    )


def test_network_interface_pages_and_limits() -> None:
    ids = [f"eni-{n:017x}" for n in range(0xA1, 0xA8)]
    ec2 = _ec2(*[("NetworkInterface", {"NetworkInterfaceId": i}) for i in ids], *[("Instance", INSTANCES[0])])
    first = ec2.describe_network_interfaces(MaxResults=5)
    rest = ec2.describe_network_interfaces(MaxResults=5, NextToken=first["NextToken"])
    assert _eni_ids(first) == ids[:5]
    assert _eni_ids(rest) == [*ids[5:], ENI[I1]]
    assert "NextToken" not in rest
    pages = ec2.get_paginator("describe_network_interfaces").paginate(PaginationConfig={"PageSize": 6})
    assert [len(p["NetworkInterfaces"]) for p in pages] == [6, 2]
    assert _error(ec2.describe_network_interfaces, NextToken="not-a-token")[0] == "InvalidPaginationToken"
    assert _error(ec2.describe_network_interfaces, MaxResults=1001)[0] == "InvalidParameterValue"
    assert _error(ec2.describe_network_interfaces, MaxResults=5, NetworkInterfaceIds=[ids[0]]) == (
        "InvalidParameterCombination",
        "The parameter networkInterfaceIdSet cannot be used with the parameter maxResults",
    )
    assert len(ec2.describe_network_interfaces(MaxResults=1000)["NetworkInterfaces"]) == 8


def test_network_interfaces_fit_botocores_output_shape() -> None:
    ec2 = _interfaces_client()
    resp = ec2.describe_network_interfaces()
    # The replay hook already refuses an answer that does not fit; this names the check.
    validate_output(ec2.meta.service_model.operation_model("DescribeNetworkInterfaces"), resp)
    assert isinstance(resp["NetworkInterfaces"][0]["RequesterManaged"], bool)
