"""Network ACL evaluation, and nacl_check: what a subnet's network ACL would deny between two addresses."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from tools.registry import ToolContext, tool
from tools.resource_graph import route_destination, route_target
from tools.result import ToolOutput

IpNet = ipaddress.IPv4Network | ipaddress.IPv6Network
PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "all": "-1"}
PROTOCOL_NAMES = {v: k for k, v in PROTOCOLS.items()}
DEFAULT_RULE = 32767  # the '*' rule every network ACL ends with: deny what no rule allowed
DEFAULT_RULES = {32767, 32768}  # 32768 is the '*' rule for IPv6
ALL_PORTS = (0, 65535)


def to_net(text: str) -> IpNet:
    return ipaddress.ip_network(text.strip(), strict=False)


# --- network ACL evaluation (pure) -------------------------------------------------------------------

Match = Literal["full", "partial", "none"]


def _cover(rule: tuple[int, int], want: tuple[int, int]) -> Match:
    if rule[0] <= want[0] and want[1] <= rule[1]:
        return "full"
    if rule[0] <= want[1] and want[0] <= rule[1]:
        return "partial"
    return "none"


def entry_match(entry: dict[str, Any], peer: IpNet, protocol: str, ports: tuple[int, int]) -> Match:
    """How much of the traffic (peer range, protocol, port range) one NACL entry covers."""
    cidr = entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")
    if not cidr:
        return "none"
    rule_net = to_net(cidr)
    if rule_net.version != peer.version or not rule_net.overlaps(peer):
        return "none"
    parts: list[Match] = ["full" if rule_net.supernet_of(peer) else "partial"]  # type: ignore[arg-type]
    rule_proto = str(entry.get("Protocol", "-1"))
    if rule_proto != "-1":
        if protocol == "-1":
            parts.append("partial")
        elif rule_proto != protocol:
            return "none"
        elif protocol in ("6", "17"):
            rng = entry.get("PortRange") or {}
            parts.append(_cover((rng.get("From", 0), rng.get("To", 65535)), ports))
    if "none" in parts:
        return "none"
    return "full" if all(p == "full" for p in parts) else "partial"


class RuleRef(BaseModel):
    number: int
    action: str
    cidr: str
    protocol: str
    ports: str

    @classmethod
    def of(cls, entry: dict[str, Any]) -> RuleRef:
        rng = entry.get("PortRange")
        proto = str(entry.get("Protocol", "-1"))
        return cls(
            number=int(entry.get("RuleNumber", DEFAULT_RULE)),
            action=str(entry.get("RuleAction", "deny")),
            cidr=str(entry.get("CidrBlock") or entry.get("Ipv6CidrBlock") or "*"),
            protocol=PROTOCOL_NAMES.get(proto, proto),
            ports=f"{rng.get('From')}-{rng.get('To')}" if rng else "all",
        )

    def text(self) -> str:
        number = "*" if self.number in DEFAULT_RULES else str(self.number)
        return f"rule {number} {self.action} {self.protocol} {self.cidr} ports {self.ports}"


class Check(BaseModel):
    direction: Literal["inbound", "outbound"]
    purpose: Literal["request", "response"]
    peer: str
    ports: str
    verdict: Literal["allow", "deny", "partial"] = Field(
        description="partial: an earlier rule matches only part of the addresses or ports, with another action"
    )
    rule: RuleRef = Field(
        description="the first rule that matches all of the traffic (the '*' rule is 32767, 32768 for IPv6)"
    )
    partial_rules: list[RuleRef] = Field(
        default_factory=list, description="earlier rules matching part of it"
    )

    def line(self) -> str:
        extra = f" (partly: {'; '.join(r.text() for r in self.partial_rules)})" if self.partial_rules else ""
        return f"{self.direction} {self.purpose} {self.peer} {self.ports}: {self.verdict.upper()} by {self.rule.text()}{extra}"


def evaluate(
    entries: list[dict[str, Any]], egress: bool, peer: IpNet, protocol: str, ports: tuple[int, int]
) -> tuple[Literal["allow", "deny", "partial"], RuleRef, list[RuleRef]]:
    """Walk one direction's rules in rule-number order; the first rule covering all the traffic decides."""
    rules = sorted(
        (e for e in entries if bool(e.get("Egress")) == egress), key=lambda e: e.get("RuleNumber", 0)
    )
    partial: list[RuleRef] = []
    for entry in rules:
        match = entry_match(entry, peer, protocol, ports)
        if match == "partial":
            partial.append(RuleRef.of(entry))
        elif match == "full":
            decided = RuleRef.of(entry)
            mixed = any(p.action != decided.action for p in partial)
            verdict: Literal["allow", "deny", "partial"] = "partial" if mixed else decided.action  # type: ignore[assignment]
            return verdict, decided, partial
    # No listed rule covered it all: the implicit '*' rule denies the rest.
    star = RuleRef(
        number=DEFAULT_RULE if peer.version == 4 else DEFAULT_RULE + 1,
        action="deny",
        cidr="*",
        protocol="all",
        ports="all",
    )
    mixed = any(p.action == "allow" for p in partial)
    return ("partial" if mixed else "deny"), star, partial


def check_traffic(
    entries: list[dict[str, Any]],
    side: Literal["source", "destination"],
    source: IpNet,
    destination: IpNet,
    protocol: str,
    ports: tuple[int, int],
    ephemeral: tuple[int, int],
) -> list[Check]:
    """The request and its response through one subnet's ACL (NACLs are stateless: both need a rule)."""
    back = ephemeral if protocol in ("6", "17") else ALL_PORTS
    if side == "destination":
        legs = [("inbound", "request", source, ports), ("outbound", "response", source, back)]
    else:
        legs = [("outbound", "request", destination, ports), ("inbound", "response", destination, back)]
    checks = []
    for direction, purpose, peer, rng in legs:
        verdict, rule, partial = evaluate(entries, direction == "outbound", peer, protocol, rng)
        checks.append(
            Check(
                direction=direction,
                purpose=purpose,
                peer=str(peer),
                ports=f"{rng[0]}-{rng[1]}" if protocol in ("6", "17") else "all",
                verdict=verdict,
                rule=rule,
                partial_rules=partial,
            )
        )
    return checks


class NaclCheckInput(BaseModel):
    """Arguments of nacl_check."""

    subnet_ids: list[str] = Field(
        min_length=1,
        max_length=4,
        description="subnets whose network ACLs to check (source and/or destination side)",
    )
    source: str = Field(description="source address or CIDR, e.g. 10.0.1.15 or 10.0.1.0/24")
    destination: str = Field(description="destination address or CIDR")
    protocol: Literal["tcp", "udp", "icmp", "icmpv6", "all"] = Field(default="tcp", description="IP protocol")
    port: int = Field(default=443, ge=0, le=65535, description="destination port (tcp/udp)")
    port_to: int | None = Field(default=None, ge=0, le=65535, description="end of a destination port range")
    ephemeral_from: int = Field(
        default=1024,
        ge=0,
        le=65535,
        description="client ephemeral ports, low end (return traffic; ELB/NAT use 1024)",
    )
    ephemeral_to: int = Field(default=65535, ge=0, le=65535, description="client ephemeral ports, high end")

    @field_validator("source", "destination")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return str(to_net(value))


class SubnetCheck(BaseModel):
    subnet_id: str
    cidr: str | None
    az: str | None
    nacl_id: str | None
    side: Literal["source", "destination", "same-subnet", "neither"]
    checks: list[Check]

    def line(self) -> str:
        if self.side == "same-subnet":
            return (
                f"{self.subnet_id}: both ends inside it; network ACLs do not filter traffic within a subnet"
            )
        if self.side == "neither":
            return f"{self.subnet_id} ({self.cidr}) holds neither end; its ACL is not on this path"
        blocked = [c for c in self.checks if c.verdict != "allow"]
        head = f"{self.subnet_id} ({self.az}) {self.nacl_id} as {self.side}: "
        if not blocked:
            return head + "allows both directions"
        return head + "; ".join(c.line() for c in blocked)


class NaclCheck(ToolOutput):
    subnets: list[SubnetCheck]
    blocked: bool = Field(description="some subnet's ACL denies (all or part of) the request or its response")

    def summary(self) -> str:
        if not self.subnets:
            return "no such subnets"
        verdict = "BLOCKED" if self.blocked else "allowed"
        return f"network ACLs: traffic {verdict}. " + " | ".join(s.line() for s in self.subnets)

    def is_empty(self) -> bool:
        return not self.subnets


@tool
def nacl_check(ctx: ToolContext, args: NaclCheckInput) -> NaclCheck:
    """Check whether subnets' network ACLs would deny traffic from a source to a destination on a port:
    evaluates the rules in rule-number order, in both directions (the request, and the response to the
    client's ephemeral ports, since ACLs are stateless), and names the deciding rule.

    Args:
        subnet_ids: the subnets to check.
        source: source address or CIDR.
        destination: destination address or CIDR.
        protocol: tcp, udp, icmp, icmpv6 or all.
        port: destination port.
        port_to: end of a destination port range.
        ephemeral_from: client ephemeral port range start.
        ephemeral_to: client ephemeral port range end.
    """
    source, destination = to_net(args.source), to_net(args.destination)
    protocol = PROTOCOLS[args.protocol]
    ports = (args.port, args.port_to if args.port_to is not None else args.port)
    ephemeral = (args.ephemeral_from, args.ephemeral_to)
    subnets = ctx.aws.call("ec2", "DescribeSubnets", SubnetIds=args.subnet_ids)["Subnets"]
    acls = ctx.aws.call(
        "ec2", "DescribeNetworkAcls", Filters=[{"Name": "association.subnet-id", "Values": args.subnet_ids}]
    )["NetworkAcls"]
    acl_of = {a["SubnetId"]: acl for acl in acls for a in acl.get("Associations", [])}
    out: list[SubnetCheck] = []
    for subnet in subnets:
        sid = subnet["SubnetId"]
        cidrs = [to_net(subnet["CidrBlock"])] if subnet.get("CidrBlock") else []
        cidrs += [to_net(a["Ipv6CidrBlock"]) for a in subnet.get("Ipv6CidrBlockAssociationSet", [])]
        inside_src = any(c.version == source.version and c.supernet_of(source) for c in cidrs)  # type: ignore[arg-type]
        inside_dst = any(c.version == destination.version and c.supernet_of(destination) for c in cidrs)  # type: ignore[arg-type]
        acl = acl_of.get(sid)
        side: Literal["source", "destination", "same-subnet", "neither"]
        side = (
            "same-subnet"
            if inside_src and inside_dst
            else "source"
            if inside_src
            else "destination"
            if inside_dst
            else "neither"
        )
        checks: list[Check] = []
        if side in ("source", "destination") and acl is not None:
            checks = check_traffic(
                acl.get("Entries", []), side, source, destination, protocol, ports, ephemeral
            )
        out.append(
            SubnetCheck(
                subnet_id=sid,
                cidr=subnet.get("CidrBlock"),
                az=subnet.get("AvailabilityZone"),
                nacl_id=acl.get("NetworkAclId") if acl else None,
                side=side,
                checks=checks,
            )
        )
    blocked = any(c.verdict != "allow" for s in out for c in s.checks)
    return NaclCheck(subnets=out, blocked=blocked, total=len(out))


# --- blackhole routes (state read now) ------------------------------------------------------------------

MAX_ROUTE_TABLES = 100  # route tables read (one DescribeRouteTables page's worth)


class BlackholeRoutesInput(BaseModel):
    """Arguments of blackhole_routes."""

    vpc_ids: list[str] = Field(
        default_factory=list, max_length=20, description="only these VPCs (empty: every VPC in the region)"
    )

    @field_validator("vpc_ids")
    @classmethod
    def _vpcs(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not v.startswith("vpc-")]
        if bad:
            raise ValueError(f"not VPC ids: {', '.join(bad)}")
        return value


class DeadRoute(BaseModel):
    route_table: str
    vpc: str | None = None
    destination: str
    target: str = Field(description="what the route points at, which no longer exists")
    subnets: list[str] = Field(default_factory=list, description="subnets associated with the table")
    main: bool = Field(default=False, description="the VPC's main table: every subnet without its own")

    def line(self) -> str:
        where = "the VPC's main table" if self.main else f"subnets {', '.join(self.subnets) or 'none'}"
        return (
            f"{self.route_table} ({self.vpc}): {self.destination} -> {self.target} is a blackhole ({where})"
        )


class BlackholeRoutes(ToolOutput):
    routes: list[DeadRoute]

    def summary(self) -> str:
        if not self.routes:
            return "no route is a blackhole"
        return f"{len(self.routes)} blackhole routes: " + "; ".join(r.line() for r in self.routes[:10])

    def is_empty(self) -> bool:
        return not self.routes


@tool
def blackhole_routes(ctx: ToolContext, args: BlackholeRoutesInput) -> BlackholeRoutes:
    """Find routes whose target no longer exists (state 'blackhole': a deleted NAT gateway, a detached
    internet gateway, a terminated instance or deleted interface, a removed peering): traffic from the
    table's subnets to that destination is dropped. One DescribeRouteTables call filtered on the
    route state, so it needs no resource graph.

    Args:
        vpc_ids: only these VPCs; empty for every VPC.
    """
    filters = [{"Name": "route.state", "Values": ["blackhole"]}]
    if args.vpc_ids:
        filters.append({"Name": "vpc-id", "Values": list(dict.fromkeys(args.vpc_ids))})
    tables, more = ctx.aws.collect(
        "ec2", "DescribeRouteTables", "RouteTables", max_items=MAX_ROUTE_TABLES, Filters=filters
    )
    out: list[DeadRoute] = []
    for t in tables:
        assoc = t.get("Associations", [])
        subnets = [a["SubnetId"] for a in assoc if a.get("SubnetId")]
        main = any(a.get("Main") for a in assoc)
        for r in t.get("Routes", []):
            if r.get("State") != "blackhole":
                continue
            out.append(
                DeadRoute(
                    route_table=t["RouteTableId"],
                    vpc=t.get("VpcId"),
                    destination=route_destination(r) or "?",
                    target=route_target(r),
                    subnets=subnets,
                    main=main,
                )
            )
    return BlackholeRoutes(routes=out, has_more=more, total=len(out))
