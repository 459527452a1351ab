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


def test_arns_of_services_known_by_a_metric_dimension_resolve_to_it() -> None:
    # A web ACL, a file system, a distribution and a delivery stream are named in CloudWatch by their
    # name or id, in CloudTrail and describe calls by their ARN.
    topo = Topology()
    acl = topo.add("waf_web_acl", "shop-acl")
    fs = topo.add("efs_file_system", "fs-0123456789abcdef0")
    cdn = topo.add("cloudfront_distribution", "E2QWRUHAPOMQZL")
    hose = topo.add("firehose_stream", "clicks-to-s3")
    assert (
        topo.resolve(
            "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop-acl/99d8a1ec-6337-4b4c-b420-cc563ed196dd"
        )
        == acl
    )
    assert (
        topo.resolve("arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0")
        == fs
    )
    assert topo.resolve("arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL") == cdn
    assert topo.resolve("arn:aws:firehose:eu-west-1:123456789012:deliverystream/clicks-to-s3") == hose


def test_distances_can_stop_at_shared_containers() -> None:
    topo = Topology()
    cluster = topo.add("ecs_cluster", "tiles")
    api, worker, queue = (
        topo.add("ecs_service", "tile-api"),
        topo.add("ecs_service", "tile-worker"),
        topo.add("sqs_queue", "tile-jobs"),
    )
    topo.link(api, cluster, "in_cluster")
    topo.link(worker, cluster, "in_cluster")
    topo.link(worker, queue, "reads")
    assert topo.distances([worker])[api] == 2
    walled = topo.distances([worker], frozenset({"ecs_cluster"}))
    assert api not in walled and walled[cluster] == 1 and walled[queue] == 1
    # A container the walk starts from is walked through: its members are one hop away.
    assert topo.distances([cluster], frozenset({"ecs_cluster"}))[api] == 1


def test_a_name_shared_across_kinds_names_different_resources() -> None:
    """An Auto Scaling group, its load balancer and its launch template are often all "shop-web": they
    stay three resources; an exact id resolves to its own node; a loosely known name (from a trace)
    merges with the described resource it names and takes its kind."""
    from agent.topology import Topology

    topo = Topology()
    alb = topo.add("alb", "app/shop-web/0123456789abcdef", "shop-web")
    asg = topo.add("asg", "shop-web")
    lt = topo.add("launch_template", "lt-0123456789abcdef0", "shop-web")
    assert len({alb, asg, lt}) == 3
    assert topo.resolve("shop-web") == asg, "an exact id is its own node, whatever else shares the name"
    assert topo.nodes[asg].kind == "asg" and topo.nodes[alb].kind == "alb"
    svc = topo.add("service", "checkout")
    assert topo.add("ecs_service", "checkout") == svc and topo.nodes[svc].kind == "ecs_service"


def test_a_queue_url_names_its_queue_not_a_table_of_the_same_name() -> None:
    topo = Topology()
    topo.add("dynamodb_table", "export-jobs")
    queue = topo.add("sqs_queue", "arn:aws:sqs:eu-west-1:123456789012:export-jobs", "export-jobs")
    assert topo.resolve("https://sqs.eu-west-1.amazonaws.com/123456789012/export-jobs") == queue
    assert topo.resolve("export-jobs") == "export-jobs"  # the bare name stays the table's: it came first
