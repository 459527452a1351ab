"""The bookkeeping of a resource-graph walk, and its network hop: subnets, VPCs, SGs, ACLs, routes, TGWs."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tools.errors import classify
from tools.registry import ToolContext
from tools.resource_graph import Edge, Node, cut, nacl_rules, routes, sg_rules


class GraphWalk:
    """Nodes and edges found so far, ids still to describe, and the gaps met on the way."""

    def __init__(self, ctx: ToolContext, max_nodes: int) -> None:
        self.ctx = ctx
        self.max_nodes = max_nodes
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.gaps: list[str] = []
        self.denied: list[ClientError] = []
        self.pending: dict[str, set[str]] = {}
        self.done: set[tuple[str, str]] = set()
        self.seeds: set[str] = set()
        self.wanted: set[str] = set()  # every id asked for since the caller last cleared it

    # --- bookkeeping -----------------------------------------------------------------------------

    def call(self, service: str, op: str, *, probe: bool = False, **params: Any) -> dict[str, Any] | None:
        """A call whose denial (or, for a neighbour, absence) becomes a gap rather than failing the graph."""
        try:
            return self.ctx.aws.call(service, op, **params)
        except ClientError as exc:
            failure = classify(exc)
            if failure is None or failure.verdict not in ("denied", "no_data"):
                raise
            if failure.verdict == "denied":
                self.denied.append(exc)
                self.gaps.append(f"{service}:{op} denied ({failure.code})")
            elif not probe:
                self.gaps.append(f"{service}:{op}: {failure.code}")
            return None

    def add(self, node: Node) -> bool:
        if node.id in self.nodes:
            return True
        if self.full():
            return False
        node.attrs = {k: v for k, v in node.attrs.items() if v not in ("", "None")}  # absent, not "None"
        self.nodes[node.id] = node
        return True

    def full(self) -> bool:
        """At the node cap (noted once among the gaps): describe nothing more."""
        if len(self.nodes) < self.max_nodes:
            return False
        if not any(g.startswith("node cap") for g in self.gaps):
            self.gaps.append(f"node cap of {self.max_nodes} reached; graph cut")
        return True

    def link(self, source: str, target: str, relation: str) -> None:
        edge = Edge(source=source, target=target, relation=relation)
        if edge not in self.edges:
            self.edges.append(edge)

    def want(self, kind: str, ident: str | None) -> None:
        if ident:
            self.wanted.add(ident)
        if ident and (kind, ident) not in self.done:
            self.pending.setdefault(kind, set()).add(ident)

    def take(self, kind: str) -> list[str]:
        ids = sorted(self.pending.pop(kind, set()))
        self.done |= {(kind, i) for i in ids}
        return ids

    def _placement(self, node: str, subnet: str | None, vpc: str | None, groups: list[str]) -> None:
        if subnet:
            self.want("subnet", subnet)
            self.link(node, subnet, "in_subnet")
        elif vpc:
            self.want("vpc", vpc)
            self.link(node, vpc, "in_vpc")
        for sg in groups:
            self.want("security_group", sg)
            self.link(node, sg, "secured_by")

    # --- network ---------------------------------------------------------------------------------

    def _subnets(self, ids: list[str]) -> None:
        page = self.call("ec2", "DescribeSubnets", SubnetIds=ids[:200])
        for s in (page or {}).get("Subnets", []):
            attrs = {"cidr": str(s.get("CidrBlock")), "free_ips": str(s.get("AvailableIpAddressCount"))}
            if s.get("AvailableIpAddressCount") == 0:
                attrs["warning"] = "no free IP addresses"
            if self.add(
                Node(
                    kind="subnet",
                    id=s["SubnetId"],
                    state=s.get("State"),
                    az=s.get("AvailabilityZone"),
                    attrs=attrs,
                )
            ):
                self.want("vpc", s.get("VpcId"))
                self.link(s["SubnetId"], s["VpcId"], "in_vpc")

    def _vpcs(self, ids: list[str]) -> None:
        page = self.call("ec2", "DescribeVpcs", VpcIds=ids[:50])
        for v in (page or {}).get("Vpcs", []):
            self.add(
                Node(kind="vpc", id=v["VpcId"], state=v.get("State"), attrs={"cidr": str(v.get("CidrBlock"))})
            )
            self.want("vpc_endpoints_of", v["VpcId"])  # the services the VPC reaches privately

    def _security_groups(self, ids: list[str]) -> None:
        page = self.call("ec2", "DescribeSecurityGroups", GroupIds=ids[:100])
        for g in (page or {}).get("SecurityGroups", []):
            attrs = {
                "inbound": sg_rules(g.get("IpPermissions", []), "from"),
                "outbound": sg_rules(g.get("IpPermissionsEgress", []), "to"),
            }
            self.add(Node(kind="security_group", id=g["GroupId"], name=g.get("GroupName"), attrs=attrs))

    def _network_around(self) -> None:
        if self.full():
            return
        subnets = sorted(n.id for n in self.nodes.values() if n.kind == "subnet")
        vpcs = sorted(n.id for n in self.nodes.values() if n.kind == "vpc")
        if subnets:
            flt = [{"Name": "association.subnet-id", "Values": subnets}]
            for acl in (self.call("ec2", "DescribeNetworkAcls", Filters=flt) or {}).get("NetworkAcls", []):
                attrs = {
                    "inbound": nacl_rules(acl.get("Entries", []), egress=False),
                    "outbound": nacl_rules(acl.get("Entries", []), egress=True),
                    "default": str(acl.get("IsDefault")),
                }
                if self.add(Node(kind="network_acl", id=acl["NetworkAclId"], attrs=attrs)):
                    for a in acl.get("Associations", []):
                        if a.get("SubnetId") in subnets:
                            self.link(a["SubnetId"], acl["NetworkAclId"], "network_acl")
            explicit = (self.call("ec2", "DescribeRouteTables", Filters=flt) or {}).get("RouteTables", [])
            self._route_tables(explicit, subnets)
            covered = {a.get("SubnetId") for t in explicit for a in t.get("Associations", [])}
            implicit = [s for s in subnets if s not in covered]
            if implicit and vpcs:
                main_flt = [
                    {"Name": "vpc-id", "Values": vpcs},
                    {"Name": "association.main", "Values": ["true"]},
                ]
                mains = (self.call("ec2", "DescribeRouteTables", Filters=main_flt) or {}).get(
                    "RouteTables", []
                )
                self._route_tables(mains, implicit, main=True)
        if vpcs:
            flt = [{"Name": "resource-id", "Values": vpcs}, {"Name": "resource-type", "Values": ["vpc"]}]
            page = self.call("ec2", "DescribeTransitGatewayAttachments", Filters=flt) or {}
            for att in page.get("TransitGatewayAttachments", []):
                aid = att["TransitGatewayAttachmentId"]
                attrs = {"transit_gateway": str(att.get("TransitGatewayId"))}
                if self.add(Node(kind="tgw_attachment", id=aid, state=att.get("State"), attrs=attrs)):
                    self.link(att["ResourceId"], aid, "attached_to_tgw")

    def _route_tables(self, tables: list[dict[str, Any]], subnets: list[str], main: bool = False) -> None:
        for t in tables:
            text, holes = routes(t.get("Routes", []))
            attrs = {"routes": text}
            if holes:
                attrs["blackhole"] = cut("blackhole routes: " + "; ".join(holes))
            if not self.add(Node(kind="route_table", id=t["RouteTableId"], attrs=attrs)):
                return
            if main:
                for s in subnets:
                    if self.nodes.get(s) is not None and any(
                        e.source == s and e.target == t.get("VpcId") for e in self.edges
                    ):
                        self.link(s, t["RouteTableId"], "route_table (main)")
            else:
                for a in t.get("Associations", []):
                    if a.get("SubnetId") in subnets:
                        self.link(a["SubnetId"], t["RouteTableId"], "route_table")
