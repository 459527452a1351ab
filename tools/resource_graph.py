"""A small typed graph of AWS resources and the rule/route summaries its network nodes carry."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tools.result import ToolOutput

ATTR_CHARS = 240  # one attribute value is cut to this (context budget)


class Node(BaseModel):
    kind: str = Field(description="e.g. asg, instance, target_group, load_balancer, subnet, security_group")
    id: str
    name: str | None = None
    state: str | None = None
    az: str | None = None
    attrs: dict[str, str] = Field(default_factory=dict, description="key attributes, as short text")

    def line(self) -> str:
        if self.id.startswith("arn:") and self.name:
            return f"{self.kind} {self.name}" + (f" {self.state}" if self.state else "")  # ARNs cost context
        name = f" '{self.name}'" if self.name and self.name != self.id else ""
        state = f" {self.state}" if self.state else ""
        az = f" {self.az}" if self.az else ""
        return f"{self.kind} {self.id}{name}{state}{az}"


class Edge(BaseModel):
    source: str
    target: str
    relation: str


class ResourceGraph(ToolOutput):
    nodes: list[Node]
    edges: list[Edge]
    unresolved: list[str] = Field(default_factory=list, description="references nothing answered to")
    gaps: list[str] = Field(
        default_factory=list, description="calls that were denied or failed, and caps hit"
    )

    def summary(self) -> str:
        if not self.nodes:
            gaps = f" ({'; '.join(self.gaps[:5])})" if self.gaps else ""
            return f"no resources found for {', '.join(self.unresolved) or 'the references'}{gaps}"
        kinds: dict[str, int] = {}
        for n in self.nodes:
            kinds[n.kind] = kinds.get(n.kind, 0) + 1
        counts = ", ".join(f"{v} {k}" for k, v in kinds.items())
        notable = [n for n in self.nodes if _notable(n)]
        head = f"{len(self.nodes)} resources ({counts}), {len(self.edges)} links"
        parts = [head]
        if notable:
            parts.append("attention: " + "; ".join(_attention(n) for n in notable[:10]))
        core = [n for n in self.nodes if n.kind not in _NETWORK_KINDS][:12]
        parts.append("core: " + "; ".join(n.line() for n in core))
        if self.unresolved:
            parts.append(f"not found: {', '.join(self.unresolved)}")
        if self.gaps:
            parts.append(f"gaps: {'; '.join(self.gaps[:5])}")
        return ". ".join(parts)

    def is_empty(self) -> bool:
        return not self.nodes

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def neighbours(self, node_id: str, relation: str | None = None) -> list[str]:
        out = [e.target for e in self.edges if e.source == node_id and relation in (None, e.relation)]
        out += [e.source for e in self.edges if e.target == node_id and relation in (None, e.relation)]
        return out


_NETWORK_KINDS = {"subnet", "vpc", "security_group", "network_acl", "route_table", "tgw_attachment"}
_HEALTHY = {
    "running",
    "active",
    "available",
    "in-use",
    "ACTIVE",
    "Active",
    "RUNNING",
    "InService",
    "healthy",
    "provisioning",
    "associated",
}


def _notable(node: Node) -> bool:
    if node.kind == "target_group":  # its state is a health count; unhealthy targets are in attrs
        return "unhealthy" in node.attrs
    if node.state and node.state not in _HEALTHY and node.kind not in ("security_group", "network_acl"):
        return True
    return any(k in node.attrs for k in ("warning", "unhealthy", "blackhole"))


def _attention(node: Node) -> str:
    extra = [node.attrs[k] for k in ("warning", "unhealthy", "blackhole") if k in node.attrs]
    return node.line() + (f" ({'; '.join(extra)})" if extra else "")


def cut(value: Any) -> str:
    return str(value)[:ATTR_CHARS]


# --- rule and route summaries -------------------------------------------------------------------

_PROTO = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def _ports(low: Any, high: Any, proto: str) -> str:
    if proto in ("all", "-1") or low is None:
        return ""
    if proto in ("icmp", "icmpv6"):
        return ""
    return f" {low}" if low == high else f" {low}-{high}"


def sg_rules(perms: list[dict[str, Any]], peer_word: str) -> str:
    """Security-group permissions as 'tcp 443 from 0.0.0.0/0, sg-1' items."""
    items = []
    for p in perms:
        proto = _PROTO.get(str(p.get("IpProtocol", "-1")), str(p.get("IpProtocol")))
        peers = [r.get("CidrIp", "") for r in p.get("IpRanges", [])]
        peers += [r.get("CidrIpv6", "") for r in p.get("Ipv6Ranges", [])]
        peers += [g.get("GroupId", "") for g in p.get("UserIdGroupPairs", [])]
        peers += [x.get("PrefixListId", "") for x in p.get("PrefixListIds", [])]
        items.append(
            f"{proto}{_ports(p.get('FromPort'), p.get('ToPort'), proto)} {peer_word} {','.join(peers)}"
        )
    return cut("; ".join(items) or "none")


def nacl_rules(entries: list[dict[str, Any]], egress: bool) -> str:
    """One direction's NACL entries in evaluation order, e.g. '100 allow tcp 443 0.0.0.0/0; * deny all'."""
    items = []
    for e in sorted(
        (e for e in entries if bool(e.get("Egress")) == egress), key=lambda e: e.get("RuleNumber", 0)
    ):
        proto = _PROTO.get(str(e.get("Protocol", "-1")), str(e.get("Protocol")))
        rng = e.get("PortRange") or {}
        number = "*" if e.get("RuleNumber") in (32767, 32768) else str(e.get("RuleNumber"))
        cidr = e.get("CidrBlock") or e.get("Ipv6CidrBlock") or ""
        items.append(
            f"{number} {e.get('RuleAction')} {proto}{_ports(rng.get('From'), rng.get('To'), proto)} {cidr}"
        )
    return cut("; ".join(items) or "none")


_TARGETS = (
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "NetworkInterfaceId",
    "InstanceId",
    "VpcEndpointId",
    "EgressOnlyInternetGatewayId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
)


def route_destination(route: dict[str, Any]) -> str | None:
    """What a route sends: its IPv4 or IPv6 block, or its prefix list."""
    return (
        route.get("DestinationCidrBlock")
        or route.get("DestinationIpv6CidrBlock")
        or route.get("DestinationPrefixListId")
    )


def route_target(route: dict[str, Any]) -> str:
    """Where a route sends it: its gateway, NAT gateway, instance, interface, ... ('?' if none)."""
    return next((str(route[k]) for k in _TARGETS if route.get(k)), "?")


def routes(items: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Routes as 'destination -> target' and the destinations whose route is a blackhole."""
    text, holes = [], []
    for r in items:
        dest = route_destination(r)
        target = route_target(r)
        state = r.get("State", "active")
        text.append(f"{dest} -> {target}" + ("" if state == "active" else f" ({state})"))
        if state == "blackhole":
            holes.append(f"{dest} -> {target}")
    return cut("; ".join(text)), holes
