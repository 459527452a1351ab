"""Cross-check the account builder's network and load-balancer items against moto's answers.

The same VPC, subnets, security groups and target group are created in moto over HTTP; what moto
describes must agree with the items we write (ids differ, so they are mapped by name).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from evals.scenarios.account import Account
from evals.scenarios.inventory import resource_records
from evals.scenarios.window import Window

pytestmark = pytest.mark.moto


@pytest.fixture
def account() -> Account:
    rng = random.Random(5)
    return Account.draw(rng, Window.draw(rng), region="us-east-1")  # the moto fixture's region


def _items(acct: Account, type_: str) -> list[dict[str, Any]]:
    return [r["item"] for r in resource_records(acct) if r["type"] == type_]


def _permissions(perms: list[dict[str, Any]], names: dict[str, str]) -> set[tuple[Any, ...]]:
    out = set()
    for p in perms:
        pairs = tuple(sorted(names[g["GroupId"]] for g in p.get("UserIdGroupPairs", [])))
        cidrs = tuple(sorted(r["CidrIp"] for r in p.get("IpRanges", [])))
        out.add((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), pairs, cidrs))
    return out


def test_security_groups_match_moto(account: Account, moto_session: Callable[[str], Any]) -> None:
    ec2 = moto_session("ec2")
    vpc = ec2.create_vpc(CidrBlock=account.vpc_cidr)["Vpc"]["VpcId"]
    ours = {g["GroupId"]: g for g in _items(account, "SecurityGroup")}
    ids = {
        gid: ec2.create_security_group(GroupName=g["GroupName"], Description=g["Description"], VpcId=vpc)[
            "GroupId"
        ]
        for gid, g in ours.items()
    }
    for gid, g in ours.items():
        perms = [
            {**p, "UserIdGroupPairs": [{"GroupId": ids[x["GroupId"]]} for x in p["UserIdGroupPairs"]]}
            for p in g["IpPermissions"]
        ]
        ec2.authorize_security_group_ingress(GroupId=ids[gid], IpPermissions=perms)
    described = ec2.describe_security_groups(GroupIds=list(ids.values()))["SecurityGroups"]
    theirs = {g["GroupId"]: g for g in described}
    names = {
        **{gid: g["GroupName"] for gid, g in ours.items()},
        **{ids[gid]: g["GroupName"] for gid, g in ours.items()},
    }
    for gid, g in ours.items():
        moto = theirs[ids[gid]]
        assert moto["GroupName"] == g["GroupName"] and moto["VpcId"] == vpc
        assert _permissions(moto["IpPermissions"], names) == _permissions(g["IpPermissions"], names)
        assert _permissions(moto["IpPermissionsEgress"], names) == _permissions(
            g["IpPermissionsEgress"], names
        )
        # Our items carry only fields AWS itself returns for a security group.
        assert set(g) - {"Tags"} <= set(moto) | {"SecurityGroupArn"}


def test_subnets_match_moto(account: Account, moto_session: Callable[[str], Any]) -> None:
    ec2 = moto_session("ec2")
    vpc = ec2.create_vpc(CidrBlock=account.vpc_cidr)["Vpc"]["VpcId"]
    for ours in _items(account, "Subnet"):
        made = ec2.create_subnet(
            VpcId=vpc, CidrBlock=ours["CidrBlock"], AvailabilityZone=ours["AvailabilityZone"]
        )["Subnet"]
        assert made["AvailabilityZone"] == ours["AvailabilityZone"]
        # A /20 holds 4096 addresses, of which AWS reserves 5.
        assert made["AvailableIpAddressCount"] == 4091 >= ours["AvailableIpAddressCount"]
        assert set(ours) - {"Tags"} <= set(made) | {"SubnetArn"}


def test_target_group_defaults_match_moto(account: Account, moto_session: Callable[[str], Any]) -> None:
    ec2, elbv2 = moto_session("ec2"), moto_session("elbv2")
    vpc = ec2.create_vpc(CidrBlock=account.vpc_cidr)["Vpc"]["VpcId"]
    ours = _items(account, "TargetGroup")[0]
    made = elbv2.create_target_group(
        Name=ours["TargetGroupName"],
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc,
        HealthCheckPath="/health",
        TargetType="instance",
    )["TargetGroups"][0]
    for key in (
        "Protocol",
        "Port",
        "HealthCheckProtocol",
        "HealthCheckPort",
        "HealthCheckEnabled",
        "HealthCheckIntervalSeconds",
        "HealthCheckTimeoutSeconds",
        "HealthyThresholdCount",
        "UnhealthyThresholdCount",
        "HealthCheckPath",
        "Matcher",
        "TargetType",
    ):
        assert made[key] == ours[key], key
