"""flow_log_rejects: where VPC flow logs show rejected traffic, and which layer (ACL or SG) likely refused it."""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.errors import classify
from tools.logs import insights_time, run_insights
from tools.network import PROTOCOL_NAMES, PROTOCOLS, IpNet, evaluate, to_net
from tools.registry import ToolContext, tool
from tools.result import ToolOutput
from tools.window import Window

MAX_FLOW_ROWS = 1000  # reject groups read from Logs Insights before the top ones are returned
T = TypeVar("T")
MAX_SUBNETS = 200  # subnets read to map addresses to subnets and AZs
MAX_INTERFACES = 50  # interfaces described to place the rejects in a subnet
# Clients pick their source port from an ephemeral range (Linux 32768-60999, Windows 49152-65535), so a
# reply lands on a port above 32768 coming from a lower service port. Rejected replies are grouped by the
# service port they came from: grouped by destination port they would split into one group per connection.
EPHEMERAL_FROM = 32768
REPLY = f"dstPort >= {EPHEMERAL_FROM} and srcPort < {EPHEMERAL_FROM}"
SEEN = "min(@timestamp) as first, max(@timestamp) as last"


class FlowRejectsInput(Window):
    """Arguments of flow_log_rejects."""

    resource_ids: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="VPC, subnet or network interface ids whose flow logs to read; empty: every flow log",
    )
    interface_ids: list[str] = Field(
        default_factory=list, max_length=50, description="only records of these network interfaces (eni-...)"
    )
    limit: int = Field(
        default=25, ge=1, le=100, description="reject groups returned, most first (context budget)"
    )


class RejectGroup(BaseModel):
    source: str
    destination: str
    port: str = Field(description="destination port, or the ephemeral range replies were sent to")
    protocol: str
    interface: str
    rejects: int
    bytes: int
    reply_from: str | None = Field(
        default=None, description="for rejected replies: the service port they came from"
    )
    ports: int = Field(default=1, description="distinct destination ports (connections, for replies)")
    first: datetime | None = Field(default=None, description="first rejected record of the group")
    last: datetime | None = None
    source_subnet: str | None = None
    source_az: str | None = None
    destination_subnet: str | None = None
    destination_az: str | None = None
    interface_subnet: str | None = Field(default=None, description="the subnet of the recording interface")
    interface_az: str | None = None
    interface_type: str | None = Field(
        default=None, description="interface, transit_gateway, nat_gateway, ... (DescribeNetworkInterfaces)"
    )
    refused_by: str | None = Field(
        default=None,
        description="the network ACL rule that denies this flow, or 'security group' when the ACLs allow it; "
        "None when neither address is in a known subnet",
    )

    def line(self) -> str:
        src = f"{self.source}" + (f"({self.source_subnet}/{self.source_az})" if self.source_subnet else "")
        dst = f"{self.destination}" + (
            f"({self.destination_subnet}/{self.destination_az})" if self.destination_subnet else ""
        )
        why = f" [{self.refused_by}]" if self.refused_by else ""
        if self.reply_from:
            src += f":{self.reply_from}"
            dst += f":{self.port} (replies to {self.ports} connections)"
        else:
            dst += f":{self.port}"
        on = self.interface
        if self.interface_subnet:
            kind = f"{self.interface_type}, " if self.interface_type not in (None, "interface") else ""
            on += f" ({kind}{self.interface_subnet}/{self.interface_az})"
        return f"{src} -> {dst}/{self.protocol} x{self.rejects} on {on}{why}"


class FlowRejects(ToolOutput):
    log_groups: list[str]
    groups: list[RejectGroup]
    total_rejects: int
    by_destination: dict[str, int] = Field(description="rejects per destination subnet (or address) and port")
    gaps: list[str] = Field(default_factory=list, description="flow logs that could not be read, and why")

    def summary(self) -> str:
        if not self.log_groups:
            gaps = f" ({'; '.join(self.gaps)})" if self.gaps else ""
            return "no VPC flow logs delivered to CloudWatch Logs for these resources" + gaps
        if not self.groups:
            return f"no REJECT records in {', '.join(self.log_groups)} in the window"
        top = "; ".join(g.line() for g in self.groups[:8])
        where = ", ".join(f"{k} x{v}" for k, v in list(self.by_destination.items())[:5])
        return f"{self.total_rejects} rejected flow records in {len(self.groups)} groups; by destination: {where}. Top: {top}"

    def is_empty(self) -> bool:
        return not self.groups


def _subnet_index(ctx: ToolContext, flow_logs: list[dict[str, Any]]) -> list[tuple[IpNet, dict[str, Any]]]:
    """Subnets of the VPCs the flow logs watch, to place addresses in a subnet and AZ."""
    vpcs = {f["ResourceId"] for f in flow_logs if str(f.get("ResourceId", "")).startswith("vpc-")}
    subnet_ids = [f["ResourceId"] for f in flow_logs if str(f.get("ResourceId", "")).startswith("subnet-")]
    subnets: list[dict[str, Any]] = []
    if subnet_ids:
        subnets = ctx.aws.call("ec2", "DescribeSubnets", SubnetIds=subnet_ids)["Subnets"]
        vpcs |= {s["VpcId"] for s in subnets}
    if vpcs:
        subnets, _ = ctx.aws.collect(
            "ec2",
            "DescribeSubnets",
            "Subnets",
            max_items=MAX_SUBNETS,
            Filters=[{"Name": "vpc-id", "Values": sorted(vpcs)}],
        )
    return [(to_net(s["CidrBlock"]), s) for s in subnets if s.get("CidrBlock")]


def _when(text: str | None) -> datetime | None:
    """A group's first/last reject time, when Logs Insights gave a readable one."""
    if not text:
        return None
    try:
        return insights_time(text)
    except ValueError:
        return None


def _ports(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def _refused_by(group: RejectGroup, acls: dict[str, dict[str, Any]], protocol: str) -> str | None:
    """Which layer refused the flow: a network ACL on its way out of or into a subnet, else a security group.

    Flow logs record REJECT for both; replaying the request through the ACLs on its path tells them apart.
    The path is the source subnet (outbound), the subnet of the interface that recorded it when that is
    neither end's (a transit gateway or NAT interface forwarding it: in, then out) and the destination
    subnet (inbound).
    """
    if group.source_subnet is not None and group.source_subnet == group.destination_subnet:
        return "security group (network ACLs do not filter traffic within a subnet)"
    try:
        src, dst = to_net(group.source), to_net(group.destination)
        ports = _ports(group.port)
    except ValueError:
        return None
    legs = [(group.source_subnet, True, dst)]
    if group.interface_subnet not in (None, group.source_subnet, group.destination_subnet):
        legs += [(group.interface_subnet, False, src), (group.interface_subnet, True, dst)]
    legs.append((group.destination_subnet, False, src))
    checked = False
    for subnet, egress, peer in legs:
        acl = acls.get(subnet or "")
        if acl is None:
            continue
        checked = True
        verdict, rule, _ = evaluate(acl.get("Entries", []), egress, peer, protocol, ports)
        if verdict != "allow":
            way = "outbound" if egress else "inbound"
            return f"network ACL {acl['NetworkAclId']} {way} {rule.text()} of {subnet}"
    if not checked:
        return None
    if group.reply_from:
        # Security groups are stateful: a reply to a connection they let out is never refused by them.
        return "not a network ACL of the known subnets (security groups let replies through)"
    return "security group (the network ACLs allow it)"


def _interfaces(ctx: ToolContext, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The recording interfaces' subnets and types; a filter, not ids, so a deleted interface is no error."""
    found, _ = ctx.aws.collect(
        "ec2",
        "DescribeNetworkInterfaces",
        "NetworkInterfaces",
        max_items=MAX_INTERFACES,
        Filters=[{"Name": "network-interface-id", "Values": ids[:MAX_INTERFACES]}],
    )
    return {i["NetworkInterfaceId"]: i for i in found}


def _enrich(gaps: list[str], what: str, read: Callable[[], T]) -> T | None:
    """Read what only enriches the rejects; if it is denied, say so among the gaps and go on without it."""
    try:
        return read()
    except ClientError as exc:
        failure = classify(exc)
        if failure is None or failure.verdict != "denied":
            raise
        gaps.append(f"could not read {what} ({failure.code}); rejects are not placed or attributed")
        return None


def _place(index: list[tuple[IpNet, dict[str, Any]]], address: str) -> tuple[str | None, str | None]:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None, None
    for net, subnet in index:
        if ip in net:
            return subnet["SubnetId"], subnet.get("AvailabilityZone")
    return None, None


@tool
def flow_log_rejects(ctx: ToolContext, args: FlowRejectsInput) -> FlowRejects:
    """Find traffic that security groups or network ACLs rejected, from VPC flow logs (Logs Insights
    over the flow-log groups found with DescribeFlowLogs): REJECT records grouped by source,
    destination, port, protocol and interface, most first (rejected replies to ephemeral ports grouped
    by the service port they came from), with the subnet and AZ of each address and of the recording
    interface, and which layer refused it (the network ACL rule that denies it, or a security group
    when the ACLs allow it).

    Args:
        start: window start.
        end: window end.
        resource_ids: VPC, subnet or interface ids whose flow logs to read; empty for all.
        interface_ids: only records of these interfaces.
        limit: reject groups returned.
    """
    flt = [{"Name": "resource-id", "Values": args.resource_ids}] if args.resource_ids else []
    flow_logs, _ = ctx.aws.collect("ec2", "DescribeFlowLogs", "FlowLogs", max_items=200, Filter=flt)
    gaps = [
        f"{f['FlowLogId']} on {f.get('ResourceId')} delivers to {f.get('LogDestinationType')}, not queryable here"
        for f in flow_logs
        if f.get("LogDestinationType", "cloud-watch-logs") != "cloud-watch-logs"
    ]
    flow_logs = [
        f for f in flow_logs if f.get("LogDestinationType", "cloud-watch-logs") == "cloud-watch-logs"
    ]
    usable = []
    for f in flow_logs:
        fmt = f.get("LogFormat") or ""
        if fmt and not all(k in fmt for k in ("${action}", "${srcaddr}", "${dstaddr}", "${dstport}")):
            gaps.append(f"{f['FlowLogId']} uses a custom format without action/addresses/port")
        elif f.get("LogGroupName"):
            usable.append(f)
    groups = sorted({f["LogGroupName"] for f in usable})[:50]
    if not groups:
        return FlowRejects(log_groups=[], groups=[], total_rejects=0, by_destination={}, gaps=gaps)
    where = 'action = "REJECT"'
    if args.interface_ids:
        where += " and interfaceId in [" + ", ".join(f'"{i}"' for i in args.interface_ids) + "]"
    requests = (
        f"filter {where} and not ({REPLY}) | stats count(*) as rejects, sum(bytes) as bytes, {SEEN} "
        "by srcAddr, dstAddr, dstPort, protocol, interfaceId | sort rejects desc"
    )
    replies = (
        f"filter {where} and {REPLY} | stats count(*) as rejects, sum(bytes) as bytes, {SEEN}, "
        "count_distinct(dstPort) as ports by srcAddr, srcPort, dstAddr, protocol, interfaceId | sort rejects desc"
    )
    rows: list[dict[str, str]] = []
    capped = False
    for query in (requests, replies):
        got, _, status = run_insights(ctx, groups, query, args.start, args.end, MAX_FLOW_ROWS)
        if status != "Complete":
            gaps.append(f"Logs Insights query ended {status}; counts may be partial")
        capped = capped or len(got) >= MAX_FLOW_ROWS
        rows += got
    index = (_enrich(gaps, "subnets", lambda: _subnet_index(ctx, usable)) if rows else None) or []
    ids = sorted({r["interfaceId"] for r in rows if r.get("interfaceId")})
    enis = (_enrich(gaps, "network interfaces", lambda: _interfaces(ctx, ids)) if ids else None) or {}
    found: list[RejectGroup] = []
    for row in rows:
        src_subnet, src_az = _place(index, row.get("srcAddr", ""))
        dst_subnet, dst_az = _place(index, row.get("dstAddr", ""))
        proto = row.get("protocol", "")
        eni = enis.get(row.get("interfaceId", ""), {})
        reply = "srcPort" in row
        found.append(
            RejectGroup(
                source=row.get("srcAddr", "?"),
                destination=row.get("dstAddr", "?"),
                port=f"{EPHEMERAL_FROM}-65535" if reply else row.get("dstPort", "?"),
                protocol=PROTOCOL_NAMES.get(proto, proto),
                interface=row.get("interfaceId", "?"),
                rejects=int(float(row.get("rejects") or 0)),
                bytes=int(float(row.get("bytes") or 0)),
                reply_from=row.get("srcPort") if reply else None,
                ports=int(float(row.get("ports") or 1)),
                first=_when(row.get("first")),
                last=_when(row.get("last")),
                source_subnet=src_subnet,
                source_az=src_az,
                destination_subnet=dst_subnet,
                destination_az=dst_az,
                interface_subnet=eni.get("SubnetId"),
                interface_az=eni.get("AvailabilityZone"),
                interface_type=eni.get("InterfaceType"),
            )
        )
    placed = sorted(
        {s for g in found for s in (g.source_subnet, g.destination_subnet, g.interface_subnet) if s}
    )
    if placed:
        flt = [{"Name": "association.subnet-id", "Values": placed}]
        read = (
            _enrich(gaps, "network ACLs", lambda: ctx.aws.call("ec2", "DescribeNetworkAcls", Filters=flt))
            or {}
        )
        acls = {
            a["SubnetId"]: acl for acl in read.get("NetworkAcls", []) for a in acl.get("Associations", [])
        }
        for g in found:
            g.refused_by = _refused_by(g, acls, PROTOCOLS.get(g.protocol, g.protocol))
    found.sort(key=lambda g: (-g.rejects, g.source, g.destination, g.port))
    by_dst: Counter[str] = Counter()
    for g in found:
        port = f"replies from {g.reply_from}" if g.reply_from else g.port
        by_dst[f"{g.destination_subnet or g.destination}:{port}"] += g.rejects
    return FlowRejects(
        log_groups=groups,
        groups=found[: args.limit],
        total_rejects=sum(g.rejects for g in found),
        by_destination=dict(by_dst.most_common(10)),
        gaps=gaps,
        has_more=len(found) > args.limit or capped,
        total=len(found),
    )
