"""Route 53 tool: the hosted zone that answers a name and the record sets at that name (or a zone's
records); and DNS records as nodes of the resource graph, linked to the load balancers they send
traffic to."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput
from tools.state import text_of

MAX_ZONES = 300  # hosted zones read to find the one that answers a name
MAX_RECORDS = 100  # record sets listed for a whole zone (context budget)
MAX_SCANNED_ZONES = 10  # zones whose records the graph reads to find what points at a load balancer
ZONE_ID = re.compile(r"(?:/hostedzone/)?(Z[A-Z0-9]{4,31})")
DNS_NAME = re.compile(
    r"(?=.{4,253}\.?$)(\*\.)?([a-z0-9_](?:[a-z0-9_-]{0,62})\.)+[a-z][a-z0-9-]{1,62}\.?", re.I
)
# An Elastic Load Balancing DNS name: [dualstack.][internal-]<name>-<id>.<region>.elb.amazonaws.com
ELB_DNS = re.compile(
    r"(?:dualstack\.)?(?:internal-)?([a-z0-9-]+)-[0-9a-z]+\.[a-z0-9-]+\.elb\.amazonaws\.com\.?", re.I
)


class DnsRecordsInput(BaseModel):
    """Arguments of dns_records."""

    name: str = Field(
        min_length=1,
        max_length=255,
        description="a DNS name (api.example.com), a hosted zone's name, or a hosted zone id",
    )


class DnsRecord(BaseModel):
    name: str
    type: str
    ttl: int | None
    values: list[str] = Field(description="the record's values, or its alias target")
    alias: bool
    routing: str | None = Field(description="weighted, failover, latency, geo ... with its setting")
    health_check: str | None
    load_balancer: str | None = Field(description="the load balancer the record sends traffic to, by name")


class DnsRecords(ToolOutput):
    name: str
    zones: list[str] = Field(
        description="the hosted zones that answer the name: 'example.com. (Z123, public)'"
    )
    records: list[DnsRecord]
    findings: list[str]
    gaps: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        if not self.zones:
            return f"no hosted zone in this account answers {self.name}"
        parts = [f"{self.name}: zone {', '.join(self.zones)}, {len(self.records)} record sets"]
        parts += [
            f"{r.name} {r.type}{' alias' if r.alias else ''} -> {', '.join(r.values[:4])}"
            + (f" [{r.routing}]" if r.routing else "")
            + (f" ttl {r.ttl}" if r.ttl is not None else "")
            for r in self.records[:12]
        ]
        if self.findings:
            parts.append("attention: " + "; ".join(self.findings))
        if self.gaps:
            parts.append("gaps: " + "; ".join(self.gaps))
        return ". ".join(parts)


def plain(name: str) -> str:
    """A DNS name as people write it: lower case, no trailing dot, `*` for Route 53's `\\052`."""
    return name.replace("\\052", "*").rstrip(".").lower()


def balancer_of(target: str) -> str | None:
    """The load balancer a DNS name belongs to, by name, when it is an Elastic Load Balancing name."""
    m = ELB_DNS.fullmatch(target.strip())
    return m.group(1) if m else None


def record_of(r: dict[str, Any]) -> DnsRecord:
    alias = r.get("AliasTarget")
    values = (
        [plain(alias["DNSName"])]
        if alias
        else [text_of(v.get("Value")) for v in r.get("ResourceRecords", [])]
    )
    routing = None
    if "Weight" in r:
        routing = f"weighted {r['Weight']} ({r.get('SetIdentifier')})"
    elif r.get("Failover"):
        routing = f"failover {r['Failover']} ({r.get('SetIdentifier')})"
    elif r.get("Region"):
        routing = f"latency {r['Region']} ({r.get('SetIdentifier')})"
    elif r.get("GeoLocation") or r.get("GeoProximityLocation"):
        routing = f"geo ({r.get('SetIdentifier')})"
    elif r.get("MultiValueAnswer"):
        routing = f"multivalue ({r.get('SetIdentifier')})"
    balancer = (
        next((b for b in map(balancer_of, values) if b), None)
        if r["Type"] in ("A", "AAAA", "CNAME")
        else None
    )
    return DnsRecord(
        name=plain(r["Name"]),
        type=r["Type"],
        ttl=r.get("TTL"),
        values=values,
        alias=bool(alias),
        routing=routing,
        health_check=r.get("HealthCheckId"),
        load_balancer=balancer,
    )


def zones_for(call_collect: Any, name: str) -> list[dict[str, Any]]:
    """The hosted zones whose name is the longest suffix of `name` (a public and a private zone of the
    same name both answer it, to different clients)."""
    zones, _ = call_collect(
        "route53",
        "ListHostedZones",
        "HostedZones",
        max_items=MAX_ZONES,
        in_token="Marker",
        out_token="NextMarker",
    )
    wanted = plain(name)
    best = [z for z in zones if wanted == plain(z["Name"]) or wanted.endswith("." + plain(z["Name"]))]
    longest = max((len(plain(z["Name"])) for z in best), default=0)
    return [z for z in best if len(plain(z["Name"])) == longest]


def list_records(
    call: Any, zone_id: str, *, only: str | None = None, limit: int = MAX_RECORDS
) -> tuple[list[dict[str, Any]], bool]:
    """A zone's record sets in Route 53's order, up to `limit`; with `only`, the ones named exactly that
    (read from that name on). Returns (record sets, more exist)."""
    out: list[dict[str, Any]] = []
    start: dict[str, Any] = {"StartRecordName": only} if only else {}
    while True:
        page = call("route53", "ListResourceRecordSets", HostedZoneId=zone_id, MaxItems="100", **start)
        sets = page.get("ResourceRecordSets", [])
        out += [r for r in sets if only is None or plain(r["Name"]) == plain(only)]
        if len(out) >= limit:
            return out[:limit], True
        if not page.get("IsTruncated") or (only and sets and plain(sets[-1]["Name"]) != plain(only)):
            return out, False
        start = {"StartRecordName": page["NextRecordName"], "StartRecordType": page["NextRecordType"]}
        if page.get("NextRecordIdentifier"):
            start["StartRecordIdentifier"] = page["NextRecordIdentifier"]


def _zone_line(z: dict[str, Any]) -> str:
    private = (z.get("Config") or {}).get("PrivateZone")
    return f"{z['Name']} ({z['Id'].rsplit('/', 1)[-1]}, {'private' if private else 'public'})"


def findings_of(records: list[DnsRecord]) -> list[str]:
    out = []
    for r in records:
        if r.load_balancer:
            out.append(f"{r.name} {r.type} sends traffic to load balancer {r.load_balancer}")
        if r.routing and r.routing.startswith("weighted 0 "):
            out.append(f"{r.name} {r.type} {r.routing}: weight 0 takes no traffic while others have weight")
    by_name: dict[tuple[str, str], list[DnsRecord]] = {}
    for r in records:
        by_name.setdefault((r.name, r.type), []).append(r)
    for (name, type_), same in by_name.items():
        targets = {v for r in same for v in r.values}
        if len(same) > 1 and len(targets) > 1:
            out.append(f"{name} {type_} answers with {len(same)} record sets to {len(targets)} targets")
    return out


@tool
def dns_records(ctx: ToolContext, args: DnsRecordsInput) -> DnsRecords:
    """Show what Route 53 answers for a DNS name: the hosted zone(s) holding it (public or private) and
    every record set at the name (type, TTL, values or alias target, weighted/failover/latency routing,
    health check), naming the load balancer a record sends traffic to. Given a zone's name or id, list
    the zone's record sets. Use it when clients fail to reach a hostname, reach the wrong backend, or a
    CloudTrail ChangeResourceRecordSets is near the incident.

    Args:
        name: a DNS name (api.example.com), a hosted zone's name, or a hosted zone id (Z0123...).
    """
    zone_id = ZONE_ID.fullmatch(args.name.strip())
    if zone_id:
        zones = [ctx.aws.call("route53", "GetHostedZone", Id=zone_id.group(1))["HostedZone"]]
        name = plain(zones[0]["Name"])
    else:
        name = plain(args.name)
        zones = zones_for(ctx.aws.collect, name)
    raw: list[dict[str, Any]] = []
    gaps: list[str] = []
    for z in zones:
        whole = name == plain(z["Name"])
        sets, more = list_records(ctx.aws.call, z["Id"], only=None if whole else name)
        if not sets and not whole:
            sets, more = list_records(ctx.aws.call, z["Id"], only="*." + name.split(".", 1)[1])  # a wildcard
        raw += sets
        if more:
            gaps.append(f"{z['Name']}: only the first {MAX_RECORDS} record sets read")
    records = [record_of(r) for r in raw]
    return DnsRecords(
        name=name,
        zones=[_zone_line(z) for z in zones],
        records=records,
        findings=findings_of(records),
        gaps=gaps,
        total=len(records),
    )


# --- the resource graph ---------------------------------------------------------------------------


class DnsIndex:
    """The account's hosted zones and their record sets, each read once per graph walk."""

    def __init__(self, walk: GraphWalk) -> None:
        self.walk = walk
        self._zones: list[dict[str, Any]] | None = None
        self._records: dict[str, list[dict[str, Any]]] = {}

    def zones(self) -> list[dict[str, Any]]:
        if self._zones is None:
            page = self.walk.call("route53", "ListHostedZones", MaxItems="100")
            self._zones = (page or {}).get("HostedZones", [])
            if (page or {}).get("IsTruncated"):
                self.walk.gaps.append("route53: only the first 100 hosted zones read")
        return self._zones

    def records(self, zone_id: str) -> list[dict[str, Any]]:
        if zone_id not in self._records:
            page = self.walk.call("route53", "ListResourceRecordSets", HostedZoneId=zone_id, MaxItems="300")
            self._records[zone_id] = (page or {}).get("ResourceRecordSets", [])
            if (page or {}).get("IsTruncated"):
                self.walk.gaps.append(f"route53 {zone_id}: only the first 300 record sets read")
        return self._records[zone_id]

    def holding(self, name: str) -> list[dict[str, Any]]:
        wanted = plain(name)
        best = [
            z for z in self.zones() if wanted == plain(z["Name"]) or wanted.endswith("." + plain(z["Name"]))
        ]
        longest = max((len(plain(z["Name"])) for z in best), default=0)
        return [z for z in best if len(plain(z["Name"])) == longest]


def _zone_node(walk: GraphWalk, zone: dict[str, Any]) -> str:
    zid = zone["Id"].rsplit("/", 1)[-1]
    private = (zone.get("Config") or {}).get("PrivateZone")
    walk.add(
        Node(
            kind="hosted_zone",
            id=zid,
            name=plain(zone["Name"]),
            attrs={"private": str(bool(private)).lower(), "records": str(zone.get("ResourceRecordSetCount"))},
        )
    )
    return zid


def _record_node(walk: GraphWalk, zone: dict[str, Any], r: dict[str, Any], lb_arn: str | None = None) -> None:
    rec = record_of(r)
    rid = f"{rec.name} {rec.type}" + (f" {r['SetIdentifier']}" if r.get("SetIdentifier") else "")
    attrs = {
        "target": cut(", ".join(rec.values[:4])),
        "ttl": str(rec.ttl) if rec.ttl is not None else "",
        "routing": rec.routing or "",
        "alias": "true" if rec.alias else "",
    }
    if not walk.add(Node(kind="dns_record", id=rid, name=rec.name, attrs=attrs)):
        return
    walk.link(rid, _zone_node(walk, zone), "in_zone")
    if lb_arn:
        walk.link(rid, lb_arn, "routes_to")
    elif rec.load_balancer:
        page = walk.call("elbv2", "DescribeLoadBalancers", probe=True, Names=[rec.load_balancer])
        for lb in (page or {}).get("LoadBalancers", []):
            if plain(lb["DNSName"]) in {plain(v).removeprefix("dualstack.") for v in rec.values}:
                walk.want("load_balancer", lb["LoadBalancerArn"])
                walk.link(rid, lb["LoadBalancerArn"], "routes_to")


def walk_dns(walk: GraphWalk, index: DnsIndex, refs: list[str]) -> None:
    """Hosted zones (by id) and DNS names as nodes: each record set at a name, linked to its zone and to
    the load balancer it sends traffic to. A name no zone of the account holds is no gap: it is
    someone else's (an AWS endpoint, a partner's API)."""
    for ref in refs:
        zone_id = ZONE_ID.fullmatch(ref)
        if zone_id:
            page = walk.call("route53", "GetHostedZone", Id=zone_id.group(1))
            if page:
                _zone_node(walk, page["HostedZone"])
            continue
        for zone in index.holding(ref):
            found = [r for r in index.records(zone["Id"]) if plain(r["Name"]) == plain(ref)]
            for r in found:
                _record_node(walk, zone, r)


def walk_pointing_at(walk: GraphWalk, index: DnsIndex, balancers: list[str]) -> None:
    """The record sets, in the account's first zones, whose alias or CNAME target is one of these load
    balancers (by ARN, described already): the names clients use to reach them."""
    by_dns = {
        plain(walk.nodes[arn].attrs.get("dns", "")): arn
        for arn in balancers
        if arn in walk.nodes and walk.nodes[arn].attrs.get("dns")
    }
    if not by_dns:
        return
    for zone in index.zones()[:MAX_SCANNED_ZONES]:
        for r in index.records(zone["Id"]):
            if r["Type"] not in ("A", "AAAA", "CNAME"):
                continue
            for value in record_of(r).values:
                arn = by_dns.get(plain(value).removeprefix("dualstack."))
                if arn:
                    _record_node(walk, zone, r, arn)
