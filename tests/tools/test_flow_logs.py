"""flow_log_rejects over a replayed bundle: REJECT records via Logs Insights, placed in subnets and layers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.tools.test_network import ACL, APP, DB, DB_ENTRIES, VPC, acl, subnet
from tests.tools.test_state import deny
from tools.flow_logs import flow_log_rejects
from tools.result import ToolStatus

T0 = datetime(2024, 5, 1, 5, 0, tzinfo=UTC)
FLOW_GROUP = "/vpc/flow-logs"


def flow_log(
    resource: str = VPC, group: str | None = FLOW_GROUP, dest_type: str = "cloud-watch-logs"
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "FlowLogId": "fl-" + (resource + dest_type).encode().hex()[-17:],
        "ResourceId": resource,
        "TrafficType": "ALL",
        "LogDestinationType": dest_type,
        "CreationTime": "2024-04-01T00:00:00Z",
        "FlowLogStatus": "ACTIVE",
        "DeliverLogsStatus": "SUCCESS",
    }
    if group:
        item["LogGroupName"] = group
    return {"service": "ec2", "type": "FlowLog", "item": item}


def record(
    minute: int, eni: str, src: str, dst: str, sport: int, dport: int, action: str, proto: int = 6
) -> dict[str, Any]:
    t = T0 + timedelta(minutes=minute)
    start = int(t.timestamp())
    message = (
        f"2 123456789012 {eni} {src} {dst} {sport} {dport} {proto} 3 180 {start} {start + 60} {action} OK"
    )
    return {
        "log_group": FLOW_GROUP,
        "log_stream": f"{eni}-all",
        "timestamp": start * 1000,
        "message": message,
    }


def flow_records() -> list[dict[str, Any]]:
    rows = []
    for m in range(20):
        rows.append(record(m, "eni-0000000000000db01", "10.0.1.15", "10.0.2.20", 40000 + m, 5432, "REJECT"))
        rows.append(record(m, "eni-0000000000000ap01", "10.0.1.15", "10.0.9.9", 41000 + m, 443, "ACCEPT"))
    for m in range(5):
        rows.append(record(m, "eni-0000000000000db01", "203.0.113.7", "10.0.2.20", 50000 + m, 22, "REJECT"))
    rows.append(
        record(90, "eni-0000000000000db01", "10.0.1.16", "10.0.2.20", 40000, 5432, "REJECT")
    )  # after now
    return rows


def test_flow_log_rejects_grouped_and_placed_in_subnets(tool_ctx: Any) -> None:
    records = {
        "resources": [
            flow_log(),
            flow_log(DB, None, "s3"),
            subnet(APP, "10.0.1.0/24", "us-east-1a"),
            subnet(DB, "10.0.2.0/24", "us-east-1b"),
            acl(DB_ENTRIES, [DB]),  # Postgres from the app subnet only
        ],
        "logs": flow_records(),
    }
    ctx = tool_ctx(records)
    res = flow_log_rejects.run(ctx, {"start": "2024-05-01T04:30:00Z", "end": "2024-05-01T06:00:00Z"})
    assert res.status is ToolStatus.OK, res.summary
    data = res.data
    assert data is not None
    assert data.log_groups == [FLOW_GROUP]
    assert [(g.source, g.destination, g.port, g.protocol, g.rejects) for g in data.groups] == [
        ("10.0.1.15", "10.0.2.20", "5432", "tcp", 20),
        ("203.0.113.7", "10.0.2.20", "22", "tcp", 5),
    ]
    top = data.groups[0]
    assert (top.source_subnet, top.source_az, top.destination_subnet, top.destination_az) == (
        APP,
        "us-east-1a",
        DB,
        "us-east-1b",
    )
    assert data.groups[1].source_subnet is None  # an internet address
    # The DB subnet's ACL lets Postgres from the app subnet in, so a security group refused it; SSH from
    # the internet meets the ACL's '*' rule first.
    assert top.refused_by == "security group (the network ACLs allow it)"
    assert (
        data.groups[1].refused_by == f"network ACL {ACL} inbound rule * deny all 0.0.0.0/0 ports all of {DB}"
    )
    assert data.total_rejects == 25
    assert data.by_destination == {f"{DB}:5432": 20, f"{DB}:22": 5}
    assert any("delivers to s3" in g for g in data.gaps)
    assert res.summary.startswith("25 rejected flow records in 2 groups")
    capped = flow_log_rejects.run(
        ctx, {"start": "2024-05-01T04:30:00Z", "end": "2024-05-01T06:00:00Z", "limit": 1}
    )
    assert capped.data is not None and len(capped.data.groups) == 1 and capped.has_more
    assert capped.data.total_rejects == 25
    eni = flow_log_rejects.run(
        ctx,
        {
            "start": "2024-05-01T04:30:00Z",
            "end": "2024-05-01T06:00:00Z",
            "interface_ids": ["eni-0000000000000ap01"],
        },
    )
    assert eni.status is ToolStatus.NO_DATA


def test_flow_log_rejects_without_flow_logs_and_denied(
    tool_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = tool_ctx({"resources": [flow_log(VPC, None, "s3")]})
    res = flow_log_rejects.run(
        ctx, {"start": "2024-05-01T04:30:00Z", "end": "2024-05-01T06:00:00Z", "resource_ids": [VPC]}
    )
    assert res.status is ToolStatus.NO_DATA
    assert res.summary.startswith("no VPC flow logs delivered to CloudWatch Logs")
    assert "delivers to s3" in res.summary
    deny(monkeypatch, "ec2", "DescribeFlowLogs")
    assert (
        flow_log_rejects.run(ctx, {"start": "2024-05-01T04:30:00Z", "end": "2024-05-01T06:00:00Z"}).status
        is ToolStatus.DENIED
    )


def test_unreadable_acls_leave_rejects_unattributed(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    records = {
        "resources": [flow_log(), subnet(DB, "10.0.2.0/24", "us-east-1b"), acl(DB_ENTRIES, [DB])],
        "logs": flow_records(),
    }
    deny(monkeypatch, "ec2", "DescribeNetworkAcls")
    res = flow_log_rejects.run(
        tool_ctx(records), {"start": "2024-05-01T04:30:00Z", "end": "2024-05-01T06:00:00Z"}
    )
    assert res.status is ToolStatus.OK
    assert res.data is not None and res.data.total_rejects == 25
    assert res.data.groups[0].destination_subnet == DB and res.data.groups[0].refused_by is None
    assert res.data.gaps == [
        "could not read network ACLs (AccessDeniedException); rejects are not placed or attributed"
    ]


TGW = "subnet-0ddddddddddddddd4"  # 10.0.9.0/24, us-east-1a: the transit gateway attachment's subnet
TGW_ACL = "acl-0eeeeeeeeeeeeeee5"
TGW_ENI = "eni-00000000000000ef1"
ON_PREM = "172.16.5.5"


def tgw_interface() -> dict[str, Any]:
    item = {
        "NetworkInterfaceId": TGW_ENI,
        "SubnetId": TGW,
        "VpcId": VPC,
        "AvailabilityZone": "us-east-1a",
        "InterfaceType": "transit_gateway",
        "PrivateIpAddress": "10.0.9.10",
        "Status": "in-use",
        "RequesterManaged": True,
        "Description": "Network Interface for Transit Gateway Attachment tgw-attach-0123456789abcdef0",
        "TagSet": [],
    }
    return {"service": "ec2", "type": "NetworkInterface", "item": item}


def test_rejected_replies_pool_by_service_port_and_meet_the_forwarding_subnets_acl(tool_ctx: Any) -> None:
    from tests.tools.test_network import OPEN_ENTRIES, entry

    # The attachment subnet lets traffic out to the app subnet only: replies to the DB subnet die there.
    tgw_entries = [
        entry(100, "allow", False, "0.0.0.0/0", proto="-1"),
        entry(32767, "deny", False, "0.0.0.0/0", proto="-1"),
        entry(100, "allow", True, "10.0.1.0/24", proto="-1"),
        entry(32767, "deny", True, "0.0.0.0/0", proto="-1"),
    ]
    logs = [
        record(m, TGW_ENI, ON_PREM, "10.0.2.20", 389, 33000 + 7 * m, "REJECT") for m in range(30)
    ]  # one reply per connection, each to its own ephemeral port
    logs.append(record(40, "eni-0000000000000db01", ON_PREM, "10.0.2.20", 51000, 22, "REJECT"))
    records = {
        "resources": [
            flow_log(),
            subnet(APP, "10.0.1.0/24", "us-east-1a"),
            subnet(DB, "10.0.2.0/24", "us-east-1b"),
            subnet(TGW, "10.0.9.0/24", "us-east-1a"),
            acl(OPEN_ENTRIES, [APP, DB]),
            acl(tgw_entries, [TGW], TGW_ACL),
            tgw_interface(),
        ],
        "logs": logs,
    }
    res = flow_log_rejects.run(
        tool_ctx(records), {"start": "2024-05-01T04:30:00Z", "end": "2024-05-01T06:00:00Z"}
    )
    assert res.status is ToolStatus.OK, res.summary
    data = res.data
    assert data is not None
    replies, ssh = data.groups
    assert (replies.source, replies.reply_from, replies.destination, replies.rejects, replies.ports) == (
        ON_PREM,
        "389",
        "10.0.2.20",
        30,
        30,
    )
    assert replies.port == "32768-65535"
    assert (replies.interface_subnet, replies.interface_az, replies.interface_type) == (
        TGW,
        "us-east-1a",
        "transit_gateway",
    )
    assert (
        replies.refused_by == f"network ACL {TGW_ACL} outbound rule * deny all 0.0.0.0/0 ports all of {TGW}"
    )
    assert replies.first == T0 and replies.last == T0 + timedelta(minutes=29)
    # A request to a closed port, with every ACL open, is a security group's doing.
    assert (ssh.port, ssh.reply_from, ssh.refused_by) == (
        "22",
        None,
        "security group (the network ACLs allow it)",
    )
    assert data.by_destination == {f"{DB}:replies from 389": 30, f"{DB}:22": 1}
    assert "replies to 30 connections" in res.summary and "transit_gateway" in res.summary


def test_unreadable_interfaces_leave_rejects_unplaced(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    records = {
        "resources": [flow_log(), subnet(DB, "10.0.2.0/24", "us-east-1b"), tgw_interface()],
        "logs": [record(m, TGW_ENI, ON_PREM, "10.0.2.20", 389, 40000 + m, "REJECT") for m in range(6)],
    }
    deny(monkeypatch, "ec2", "DescribeNetworkInterfaces")
    res = flow_log_rejects.run(
        tool_ctx(records), {"start": "2024-05-01T04:30:00Z", "end": "2024-05-01T06:00:00Z"}
    )
    assert res.status is ToolStatus.OK
    assert res.data is not None and res.data.groups[0].interface_subnet is None
    assert res.data.groups[0].rejects == 6
    assert any("could not read network interfaces" in g for g in res.data.gaps)
