"""dns_records over replay, and the DNS edges of describe_resources: a name to the load balancer it
sends traffic to, and a load balancer back to the names that reach it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.evals.replay.test_route53 import LB_ARN, LB_DNS, OTHER, RESOURCES, STG_ARN, STG_DNS, ZONE
from tools.dns import dns_records
from tools.registry import ToolContext
from tools.resources import describe_resources


def balancer(arn: str, dns: str) -> dict[str, Any]:
    item = {
        "LoadBalancerArn": arn,
        "DNSName": dns,
        "LoadBalancerName": arn.split("/")[-2],
        "Scheme": "internet-facing",
        "VpcId": "vpc-0123456789abcdef0",
        "State": {"Code": "active"},
        "Type": "application",
        "CreatedTime": "2024-01-01T00:00:00Z",
    }
    return {"service": "elbv2", "type": "LoadBalancer", "item": item}


BUNDLE = {"resources": [*RESOURCES, balancer(LB_ARN, LB_DNS), balancer(STG_ARN, STG_DNS)]}


def test_a_name_shows_its_zones_and_records(tool_ctx: Callable[..., ToolContext]) -> None:
    res = dns_records.run(tool_ctx(BUNDLE), {"name": "Pay.Example.com."})
    assert res.status == "ok", res.summary
    d = res.data
    # the public and the private zone of the same name both hold it
    assert d.zones == [f"example.com. ({ZONE}, public)", "example.com. (Z0PRIVATE0123456789AB, private)"]
    assert [(r.name, r.routing, r.load_balancer, r.values) for r in d.records] == [
        ("pay.example.com", "weighted 100 (blue)", "shop-prod", [f"dualstack.{LB_DNS}"]),
        ("pay.example.com", "weighted 0 (green)", "shop-stg", [f"dualstack.{STG_DNS}"]),
    ]
    assert d.findings == [
        "pay.example.com A sends traffic to load balancer shop-prod",
        "pay.example.com A sends traffic to load balancer shop-stg",
        "pay.example.com A weighted 0 (green): weight 0 takes no traffic while others have weight",
        "pay.example.com A answers with 2 record sets to 2 targets",
    ]
    # a name with no record of its own is answered by the zone's wildcard
    wild = dns_records.run(tool_ctx(BUNDLE), {"name": "shop.example.com"}).data
    assert [(r.name, r.values) for r in wild.records] == [("*.example.com", ["192.0.2.10"])]
    # a zone, by name or id, lists its records
    whole = dns_records.run(tool_ctx(BUNDLE), {"name": OTHER}).data
    assert (whole.name, [(r.type, r.values) for r in whole.records]) == (
        "other.org",
        [("MX", ["10 mx.other.org."])],
    )
    nowhere = dns_records.run(tool_ctx(BUNDLE), {"name": "api.partner.net"})
    assert nowhere.data.zones == [] and "no hosted zone" in nowhere.summary
    gone = dns_records.run(tool_ctx(BUNDLE), {"name": "Z0NOSUCHZONE00000000"})
    assert gone.status == "no_data"


def test_the_graph_walks_a_name_to_its_load_balancer_and_back(tool_ctx: Callable[..., ToolContext]) -> None:
    # a hostname, as a DNS change in CloudTrail names it: the record, its zone, the balancer behind it
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": ["api.example.com"], "include_network": False}
    ).data
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert {("api.example.com A", ZONE, "in_zone"), ("api.example.com A", STG_ARN, "routes_to")} <= edges
    record = graph.node("api.example.com A")
    assert (
        record is not None
        and record.kind == "dns_record"
        and record.attrs["target"] == f"dualstack.{STG_DNS}"
    )
    assert graph.unresolved == []
    # a load balancer (a symptom's resource) leads back to every name that sends clients to it
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": [LB_ARN], "include_network": False}).data
    pointing = {e.source for e in graph.edges if e.target == LB_ARN and e.relation == "routes_to"}
    assert pointing == {"hooks.example.com CNAME", "pay.example.com A blue"}
    zone = graph.node(ZONE)
    assert zone is not None and zone.kind == "hosted_zone" and zone.name == "example.com"
    # a name no zone here holds is no gap (an AWS endpoint, a partner's API)
    graph = describe_resources.run(
        tool_ctx(BUNDLE),
        {"refs": ["orders.cluster-abc.us-east-1.rds.amazonaws.com"], "include_network": False},
    ).data
    assert not [g for g in graph.gaps if "route53" in g]
