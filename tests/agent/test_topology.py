"""The topology keeps one node per resource whatever spelling the evidence uses."""

from __future__ import annotations

from agent.topology import Topology, derived_aliases


def test_elb_spellings_resolve_to_one_node() -> None:
    topo = Topology()
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef"
    key = topo.add("target_group", arn, "web-tg")
    assert topo.resolve("targetgroup/web-tg/0123456789abcdef") == key
    assert topo.resolve("web-tg") == key
    assert "app/web/0123456789abcdef" in derived_aliases(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"
    )


def test_trace_and_dns_names_resolve_to_the_database() -> None:
    topo = Topology()
    key = topo.add("rds_cluster", "orders-db")
    assert topo.resolve("app@orders-db") == key
    assert topo.resolve("orders-db.cluster-abc.us-east-1.rds.amazonaws.com") == key
    assert topo.resolve("arn:aws:rds:us-east-1:123456789012:cluster:orders-db") == key


def test_distances_walk_edges_both_ways_and_related_names() -> None:
    topo = Topology()
    alb = topo.add("alb", "app/web/0123456789abcdef")
    tg = topo.add("target_group", "targetgroup/web-tg/0123456789abcdef")
    inst = topo.add("ec2", "i-0abc")
    topo.link(alb, tg, "forwards_to")
    topo.link(tg, inst, "routes_to")
    assert topo.distances([inst]) == {inst: 0, tg: 1, alb: 2}
    jobs = topo.add("service", "profile-jobs")
    assert topo.related("arn:aws:iam::123456789012:role/profile-jobs-instance-role") == [jobs]
    assert topo.mentioned("update on table profile-jobs failed") == [jobs]
