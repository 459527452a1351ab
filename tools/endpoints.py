"""VPC endpoints tool: which endpoints a VPC has, what they route, and what their policies let through;
and the endpoints as nodes of the resource graph."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tools.policies import Statement, parse_policy
from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput

MAX_ENDPOINTS = 50  # endpoints listed (context budget)


class VpcEndpointsInput(BaseModel):
    """Arguments of vpc_endpoints."""

    vpc: str | None = Field(default=None, pattern=r"^vpc-[0-9a-f]{8,17}$", description="the VPC's id")
    endpoint_ids: list[str] = Field(
        default_factory=list, max_length=20, description="endpoint ids (vpce-...), to read only these"
    )
    service: str | None = Field(
        default=None,
        max_length=100,
        pattern=r"^[\w.-]+$",
        description="the service's short name (s3, dynamodb, secretsmanager, ...) or full service name",
    )


class Endpoint(BaseModel):
    id: str
    type: str | None = Field(description="Gateway, Interface, GatewayLoadBalancer, ...")
    service: str
    state: str | None
    vpc: str | None
    route_tables: list[str]
    subnets: list[str]
    security_groups: list[str]
    private_dns: bool | None
    dns_names: list[str] = Field(
        default_factory=list,
        description="names it answers inside its VPC beyond its own vpce names: a PrivateLink service's private DNS name",
    )
    policy: list[Statement] = Field(description="the endpoint policy's statements")
    findings: list[str]

    def line(self) -> str:
        where = ", ".join(self.route_tables or self.subnets) or "nothing"
        policy = "full access" if _full_access(self.policy) else f"{len(self.policy)} statement(s)"
        return f"{self.id} {self.type} {self.service} {self.state} via {where}, policy {policy}"


class VpcEndpoints(ToolOutput):
    endpoints: list[Endpoint]

    def summary(self) -> str:
        if not self.endpoints:
            return "no VPC endpoints"
        parts = [f"{len(self.endpoints)} VPC endpoints: " + "; ".join(e.line() for e in self.endpoints[:10])]
        flagged = [f"{e.id}: {f}" for e in self.endpoints for f in e.findings]
        if flagged:
            parts.append("attention: " + "; ".join(flagged[:8]))
        return ". ".join(parts)

    def is_empty(self) -> bool:
        return not self.endpoints


def _full_access(statements: list[Statement]) -> bool:
    return (
        len(statements) == 1
        and statements[0].effect == "Allow"
        and all(
            v == ["*"] for v in (statements[0].principals, statements[0].actions, statements[0].resources)
        )
        and not statements[0].conditions
    )


def _private_names(e: dict[str, Any]) -> list[str]:
    """The names a private-DNS endpoint answers in its VPC other than its own `*.vpce.amazonaws.com`
    ones (DescribeVpcEndpoints lists them among its DnsEntries)."""
    if not e.get("PrivateDnsEnabled"):
        return []
    names = [str(d.get("DnsName", "")).lower().rstrip(".") for d in e.get("DnsEntries") or []]
    return list(dict.fromkeys(n for n in names if n and not n.endswith(".vpce.amazonaws.com")))


def endpoint_of(e: dict[str, Any]) -> Endpoint:
    statements, problem = parse_policy(e["PolicyDocument"]) if e.get("PolicyDocument") else ([], None)
    findings = [problem] if problem else []
    if e.get("State") and str(e["State"]).lower() != "available":
        findings.append(f"state {e['State']}: traffic to {e.get('ServiceName')} does not pass through it")
    if statements and not _full_access(statements):
        denies = [s for s in statements if s.effect == "Deny"]
        allows = [s for s in statements if s.effect == "Allow"]
        if denies:
            findings += [f"policy denies {s.line()}" for s in denies]
        if allows and all(s.resources != ["*"] or s.actions != ["*"] for s in allows):
            scope = "; ".join(f"{','.join(s.actions)} on {','.join(s.resources)}" for s in allows)
            findings.append(f"policy allows only {scope}: any other request through it is refused")
    if e.get("VpcEndpointType") == "Gateway" and not e.get("RouteTableIds"):
        findings.append("no route table uses it: no subnet's traffic reaches it")
    return Endpoint(
        id=e["VpcEndpointId"],
        type=e.get("VpcEndpointType"),
        service=str(e.get("ServiceName", "")),
        state=e.get("State"),
        vpc=e.get("VpcId"),
        route_tables=list(e.get("RouteTableIds", [])),
        subnets=list(e.get("SubnetIds", [])),
        security_groups=[g["GroupId"] for g in e.get("Groups", [])],
        private_dns=e.get("PrivateDnsEnabled"),
        dns_names=_private_names(e),
        policy=statements,
        findings=findings,
    )


@tool
def vpc_endpoints(ctx: ToolContext, args: VpcEndpointsInput) -> VpcEndpoints:
    """List VPC endpoints (gateway and interface) with their state, the route tables or subnets that
    use them and their endpoint policy, read as statements. A policy that allows only some resources,
    or denies some, refuses every other request that travels through the endpoint; a gateway endpoint
    no route table uses carries nothing. Give a VPC, endpoint ids or a service, or nothing for all.

    Args:
        vpc: the VPC's id.
        endpoint_ids: endpoint ids (vpce-...), to read only these.
        service: the service's short or full name, e.g. s3.
    """
    params: dict[str, Any] = {}
    filters = []
    if args.vpc:
        filters.append({"Name": "vpc-id", "Values": [args.vpc]})
    if args.service:
        name = args.service if "." in args.service else f"com.amazonaws.*.{args.service}"
        filters.append({"Name": "service-name", "Values": [name]})
    if filters:
        params["Filters"] = filters
    if args.endpoint_ids:
        params["VpcEndpointIds"] = args.endpoint_ids
    found, more = ctx.aws.collect(
        "ec2",
        "DescribeVpcEndpoints",
        "VpcEndpoints",
        max_items=MAX_ENDPOINTS,
        MaxResults=MAX_ENDPOINTS,
        **params,
    )
    endpoints = [endpoint_of(e) for e in found]
    return VpcEndpoints(endpoints=endpoints, has_more=more, total=len(endpoints))


# --- the resource graph ---------------------------------------------------------------------------


def walk_vpc_endpoints(walk: GraphWalk, ids: list[str], *, vpcs: list[str] | None = None) -> None:
    """Endpoints (by id, or every endpoint of `vpcs`) as nodes, linked to their VPC, route tables,
    subnets and security groups, and to the buckets their policy names."""
    if vpcs:
        page = walk.call(
            "ec2", "DescribeVpcEndpoints", Filters=[{"Name": "vpc-id", "Values": vpcs[:200]}], MaxResults=100
        )
    else:
        page = walk.call(
            "ec2", "DescribeVpcEndpoints", Filters=[{"Name": "vpc-endpoint-id", "Values": ids[:200]}]
        )
    for e in (page or {}).get("VpcEndpoints", []):
        ep = endpoint_of(e)
        attrs = {
            "service": ep.service,
            "type": str(ep.type),
            "policy": cut(" | ".join(s.line() for s in ep.policy)),
        }
        if ep.private_dns:
            attrs["private_dns"] = "true"
        if ep.dns_names:
            attrs["dns_names"] = cut(" ".join(ep.dns_names))
        if ep.findings:
            attrs["warning"] = cut("; ".join(ep.findings))
        if not walk.add(
            Node(
                kind="vpc_endpoint", id=ep.id, name=ep.service.rsplit(".", 1)[-1], state=ep.state, attrs=attrs
            )
        ):
            return
        if ep.vpc:
            walk.want("vpc", ep.vpc)
            walk.link(ep.id, ep.vpc, "in_vpc")
        for rtb in ep.route_tables:
            walk.link(rtb, ep.id, "routes_to_endpoint")
        for subnet in ep.subnets:
            walk.want("subnet", subnet)
            walk.link(ep.id, subnet, "in_subnet")
        for sg in ep.security_groups:
            walk.want("security_group", sg)
            walk.link(ep.id, sg, "secured_by")
        for s in ep.policy:
            for r in s.resources:
                bucket = r.removeprefix("arn:aws:s3:::").split("/")[0]
                if r.startswith("arn:aws:s3:::") and bucket and "*" not in bucket:
                    walk.want("s3_bucket", bucket)
                    walk.link(ep.id, bucket, "policy_names")
