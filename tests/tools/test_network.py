"""nacl_check and the network ACL evaluation behind it: pure, over a replayed bundle, and against moto."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from tests.tools.test_state import deny
from tools.network import evaluate, nacl_check
from tools.result import ToolStatus

VPC = "vpc-0a1b2c3d4e5f60718"
APP = "subnet-0aaaaaaaaaaaaaaa1"  # 10.0.1.0/24, us-east-1a
DB = "subnet-0bbbbbbbbbbbbbbb2"  # 10.0.2.0/24, us-east-1b
ACL = "acl-0ccccccccccccccc3"


def entry(
    number: int, action: str, egress: bool, cidr: str, proto: str = "6", ports: tuple[int, int] | None = None
) -> dict[str, Any]:
    e: dict[str, Any] = {
        "RuleNumber": number,
        "RuleAction": action,
        "Egress": egress,
        "CidrBlock": cidr,
        "Protocol": proto,
    }
    if ports:
        e["PortRange"] = {"From": ports[0], "To": ports[1]}
    return e


def net(text: str) -> Any:
    return ipaddress.ip_network(text)


# --- pure evaluation ---------------------------------------------------------------------------------


def test_first_matching_rule_in_number_order_decides() -> None:
    entries = [
        entry(200, "allow", False, "0.0.0.0/0", ports=(5432, 5432)),
        entry(100, "deny", False, "10.0.1.0/24", ports=(5432, 5432)),
        entry(32767, "deny", False, "0.0.0.0/0", proto="-1"),
    ]
    verdict, rule, partial = evaluate(entries, False, net("10.0.1.15/32"), "6", (5432, 5432))
    assert (verdict, rule.number, partial) == ("deny", 100, [])
    verdict, rule, _ = evaluate(entries, False, net("10.0.9.15/32"), "6", (5432, 5432))
    assert (verdict, rule.number) == ("allow", 200)
    verdict, rule, _ = evaluate(entries, False, net("10.0.9.15/32"), "17", (5432, 5432))
    assert (verdict, rule.text()) == ("deny", "rule * deny all 0.0.0.0/0 ports all")
    # Egress rules do not decide ingress traffic; with no egress rule the implicit '*' denies.
    verdict, rule, _ = evaluate(entries, True, net("10.0.9.15/32"), "6", (5432, 5432))
    assert (verdict, rule.number) == ("deny", 32767)


def test_rules_covering_part_of_the_traffic_make_it_partial() -> None:
    entries = [
        entry(90, "deny", False, "10.0.1.128/25", proto="-1"),  # half of the source subnet
        entry(100, "allow", False, "10.0.0.0/16", ports=(1024, 65535)),
    ]
    verdict, rule, partial = evaluate(entries, False, net("10.0.1.0/24"), "6", (1024, 65535))
    assert verdict == "partial" and rule.number == 100 and [p.number for p in partial] == [90]
    # Ports: an allow for 1024-2047 covers only part of the ephemeral range; the '*' rule denies the rest.
    narrow = [entry(100, "allow", True, "0.0.0.0/0", ports=(1024, 2047))]
    verdict, rule, partial = evaluate(narrow, True, net("10.0.1.15/32"), "6", (1024, 65535))
    assert verdict == "partial" and rule.number == 32767 and [p.number for p in partial] == [100]


def test_ipv6_traffic_meets_only_ipv6_rules() -> None:
    entries = [
        entry(100, "allow", False, "0.0.0.0/0", proto="-1"),
        {
            "RuleNumber": 101,
            "RuleAction": "allow",
            "Egress": False,
            "Ipv6CidrBlock": "2001:db8::/32",
            "Protocol": "6",
            "PortRange": {"From": 443, "To": 443},
        },
    ]
    verdict, rule, _ = evaluate(entries, False, net("2001:db8::1/128"), "6", (443, 443))
    assert (verdict, rule.number) == ("allow", 101)
    verdict, rule, _ = evaluate(entries, False, net("2001:db9::1/128"), "6", (443, 443))
    assert (verdict, rule.number, rule.text()) == ("deny", 32768, "rule * deny all * ports all")


# --- nacl_check over a bundle ------------------------------------------------------------------------


def subnet(sid: str, cidr: str, az: str) -> dict[str, Any]:
    return {
        "service": "ec2",
        "type": "Subnet",
        "item": {
            "SubnetId": sid,
            "CidrBlock": cidr,
            "AvailabilityZone": az,
            "VpcId": VPC,
            "State": "available",
            "AvailableIpAddressCount": 250,
        },
    }


def acl(entries: list[dict[str, Any]], subnets: list[str], acl_id: str = ACL) -> dict[str, Any]:
    item = {
        "NetworkAclId": acl_id,
        "VpcId": VPC,
        "IsDefault": False,
        "Entries": entries,
        "Associations": [
            {"NetworkAclAssociationId": f"aclassoc-{i:08x}", "NetworkAclId": acl_id, "SubnetId": s}
            for i, s in enumerate(subnets)
        ],
    }
    return {"service": "ec2", "type": "NetworkAcl", "item": item}


# The DB subnet allows Postgres from the app subnet in, but only lets 1024-2047 back out.
DB_ENTRIES = [
    entry(100, "allow", False, "10.0.1.0/24", ports=(5432, 5432)),
    entry(32767, "deny", False, "0.0.0.0/0", proto="-1"),
    entry(100, "allow", True, "10.0.1.0/24", ports=(1024, 2047)),
    entry(32767, "deny", True, "0.0.0.0/0", proto="-1"),
]
OPEN_ENTRIES = [
    entry(100, "allow", False, "0.0.0.0/0", proto="-1"),
    entry(32767, "deny", False, "0.0.0.0/0", proto="-1"),
    entry(100, "allow", True, "0.0.0.0/0", proto="-1"),
    entry(32767, "deny", True, "0.0.0.0/0", proto="-1"),
]


def network_records() -> list[dict[str, Any]]:
    return [
        subnet(APP, "10.0.1.0/24", "us-east-1a"),
        subnet(DB, "10.0.2.0/24", "us-east-1b"),
        acl(DB_ENTRIES, [DB]),
        acl(OPEN_ENTRIES, [APP], "acl-0ddddddddddddddd4"),
    ]


def test_nacl_check_finds_the_return_path_blocked(tool_ctx: Any) -> None:
    ctx = tool_ctx({"resources": network_records()})
    args = {"subnet_ids": [APP, DB], "source": "10.0.1.15", "destination": "10.0.2.20", "port": 5432}
    res = nacl_check.run(ctx, args)
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None and res.data.blocked
    by_id = {s.subnet_id: s for s in res.data.subnets}
    assert by_id[APP].side == "source" and all(c.verdict == "allow" for c in by_id[APP].checks)
    db = by_id[DB]
    assert (db.side, db.nacl_id, db.az) == ("destination", ACL, "us-east-1b")
    assert [(c.direction, c.purpose, c.verdict) for c in db.checks] == [
        ("inbound", "request", "allow"),
        ("outbound", "response", "partial"),
    ]
    assert db.checks[1].ports == "1024-65535" and db.checks[1].rule.number == 32767
    assert "BLOCKED" in res.summary and "outbound response" in res.summary
    # Clients that use only ports 1024-2047 get through.
    narrow = nacl_check.run(ctx, {**args, "ephemeral_from": 1024, "ephemeral_to": 2047})
    assert narrow.data is not None and not narrow.data.blocked
    # Another port is refused on the way in by the '*' rule.
    mysql = nacl_check.run(ctx, {**args, "port": 3306, "subnet_ids": [DB]})
    assert mysql.data is not None
    assert (
        mysql.data.subnets[0].checks[0].verdict == "deny"
        and mysql.data.subnets[0].checks[0].rule.number == 32767
    )


def test_nacl_check_same_subnet_and_bad_input(tool_ctx: Any) -> None:
    ctx = tool_ctx({"resources": network_records()})
    same = nacl_check.run(
        ctx, {"subnet_ids": [DB], "source": "10.0.2.5", "destination": "10.0.2.20", "port": 5432}
    )
    assert same.data is not None and same.data.subnets[0].side == "same-subnet" and not same.data.blocked
    assert "do not filter traffic within a subnet" in same.summary
    bad = nacl_check.run(ctx, {"subnet_ids": [DB], "source": "not-an-ip", "destination": "10.0.2.20"})
    assert bad.status is ToolStatus.ERROR and bad.error_code == "usage"
    missing = nacl_check.run(
        ctx, {"subnet_ids": ["subnet-0eeeeeeeeeeeeeee5"], "source": "10.0.1.1", "destination": "10.0.2.2"}
    )
    assert missing.status is ToolStatus.NO_DATA and missing.error_code == "InvalidSubnetID.NotFound"


def test_nacl_check_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    deny(monkeypatch, "ec2", "DescribeNetworkAcls")
    res = nacl_check.run(
        tool_ctx({"resources": network_records()}),
        {"subnet_ids": [DB], "source": "10.0.1.15", "destination": "10.0.2.20"},
    )
    assert res.status is ToolStatus.DENIED


@pytest.mark.moto
def test_nacl_check_matches_moto(moto_tool_ctx: Any, tool_ctx: Any) -> None:
    ec2 = moto_tool_ctx.aws.session.client("ec2", endpoint_url=moto_tool_ctx.aws.endpoint_url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    app = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"][
        "SubnetId"
    ]
    db = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"][
        "SubnetId"
    ]
    acl_id = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for e in DB_ENTRIES:
        if e["RuleNumber"] == 32767:
            continue
        ec2.create_network_acl_entry(
            NetworkAclId=acl_id,
            RuleNumber=e["RuleNumber"],
            Protocol=e["Protocol"],
            RuleAction=e["RuleAction"],
            Egress=e["Egress"],
            CidrBlock=e["CidrBlock"],
            PortRange=e["PortRange"],
        )
    default_assoc = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [db]}])
    assoc = next(a for a in default_assoc["NetworkAcls"][0]["Associations"] if a["SubnetId"] == db)
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl_id)
    args = {"subnet_ids": [app, db], "source": "10.0.1.15", "destination": "10.0.2.20", "port": 5432}
    live = nacl_check.run(moto_tool_ctx, args)
    assert live.status is ToolStatus.OK, live.summary
    # Capture moto's subnets and ACLs into a bundle; replay must reach the same verdicts.
    subnets = ec2.describe_subnets(SubnetIds=[app, db])["Subnets"]
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    records = [{"service": "ec2", "type": "Subnet", "item": s} for s in subnets]
    records += [{"service": "ec2", "type": "NetworkAcl", "item": a} for a in acls]
    replayed = nacl_check.run(tool_ctx({"resources": records}), args)
    assert live.data is not None and replayed.data is not None
    assert live.data.model_dump() == replayed.data.model_dump()
    verdicts = {s.subnet_id: [c.verdict for c in s.checks] for s in live.data.subnets}
    assert verdicts == {app: ["allow", "allow"], db: ["allow", "partial"]}


# --- blackhole routes ------------------------------------------------------------------------------------


def _route_table(rtb: str, subnets: list[str], nat: str, state: str, main: bool = False) -> dict[str, Any]:
    assoc: list[dict[str, Any]] = [
        {
            "Main": False,
            "RouteTableAssociationId": f"rtbassoc-{s[-8:]}",
            "RouteTableId": rtb,
            "SubnetId": s,
            "AssociationState": {"State": "associated"},
        }
        for s in subnets
    ]
    if main:
        assoc.append(
            {
                "Main": True,
                "RouteTableAssociationId": "rtbassoc-0main0000",
                "RouteTableId": rtb,
                "AssociationState": {"State": "associated"},
            }
        )
    return {
        "service": "ec2",
        "type": "RouteTable",
        "item": {
            "Associations": assoc,
            "RouteTableId": rtb,
            "VpcId": "vpc-0c2630e21d5870fd3",
            "OwnerId": "123456789012",
            "PropagatingVgws": [],
            "Routes": [
                {
                    "DestinationCidrBlock": "10.71.0.0/16",
                    "GatewayId": "local",
                    "Origin": "CreateRouteTable",
                    "State": "active",
                },
                {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "NatGatewayId": nat,
                    "Origin": "CreateRoute",
                    "State": state,
                },
            ],
        },
    }


def test_blackhole_routes_name_the_missing_target_and_the_subnets_it_strands(tool_ctx: Any) -> None:
    from agent.analyzers.state import from_blackholes
    from tools.network import blackhole_routes

    resources = [
        _route_table(
            "rtb-0a000000000000001", ["subnet-0a000000000000001"], "nat-0a000000000000001", "active"
        ),
        _route_table(
            "rtb-0b000000000000002",
            ["subnet-0b000000000000002", "subnet-0b000000000000003"],
            "nat-0b000000000000002",
            "blackhole",
        ),
    ]
    res = blackhole_routes.run(tool_ctx({"resources": resources}), {})
    assert res.data is not None, res.summary
    [dead] = res.data.routes
    assert (dead.route_table, dead.destination, dead.target) == (
        "rtb-0b000000000000002",
        "0.0.0.0/0",
        "nat-0b000000000000002",
    )
    assert dead.subnets == ["subnet-0b000000000000002", "subnet-0b000000000000003"] and not dead.main
    [draft] = from_blackholes(res.data)
    assert draft.resource == "nat-0b000000000000002" and draft.signals == ["route_blackhole"]
    assert draft.facts["egress"] is True and "anywhere outside the VPC" in draft.summary
    # Every route alive: nothing to report, read and empty.
    quiet = blackhole_routes.run(tool_ctx({"resources": resources[:1]}), {})
    assert quiet.status.value == "no_data" and quiet.summary == "no route is a blackhole"
    with pytest.raises(ValueError, match="not VPC ids"):
        blackhole_routes.input_model.model_validate({"vpc_ids": ["subnet-0b000000000000002"]})
