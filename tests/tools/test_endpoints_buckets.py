"""vpc_endpoints and bucket_access over replay, and the endpoint and bucket edges of describe_resources."""

from __future__ import annotations

from collections.abc import Callable

from tests.evals.replay.test_endpoints_buckets import DDB_VPCE, RECORDS, S3_VPCE, SM_VPCE, VPC
from tools.buckets import bucket_access
from tools.endpoints import vpc_endpoints
from tools.registry import ToolContext
from tools.resources import describe_resources

BUNDLE = {
    "resources": [
        *RECORDS,
        {
            "service": "ec2",
            "type": "Vpc",
            "item": {"VpcId": VPC, "CidrBlock": "10.0.0.0/16", "State": "available"},
        },
    ]
}


def test_vpc_endpoints_reads_routes_state_and_policy(tool_ctx: Callable[..., ToolContext]) -> None:
    res = vpc_endpoints.run(tool_ctx(BUNDLE), {"vpc": VPC})
    assert res.status == "ok", res.summary
    s3, ddb, sm = res.data.endpoints
    assert (s3.id, s3.route_tables, [p.line() for p in s3.policy]) == (
        S3_VPCE,
        ["rtb-0123456789abcdef0"],
        ["Allow * s3:GetObject on arn:aws:s3:::reports-bucket/*"],
    )
    assert s3.findings == [
        "policy allows only s3:GetObject on arn:aws:s3:::reports-bucket/*: any other request through it is refused"
    ]
    assert ddb.id == DDB_VPCE and ddb.findings == ["no route table uses it: no subnet's traffic reaches it"]
    assert sm.id == SM_VPCE and sm.findings == [
        "state pendingAcceptance: traffic to com.amazonaws.us-east-1.secretsmanager does not pass through it"
    ]
    assert (sm.subnets, sm.security_groups, sm.private_dns) == (
        ["subnet-0123456789abcdef0"],
        ["sg-0123456789abcdef0"],
        True,
    )
    only_s3 = vpc_endpoints.run(tool_ctx(BUNDLE), {"service": "s3"})
    assert [e.id for e in only_s3.data.endpoints] == [S3_VPCE]
    assert vpc_endpoints.run(tool_ctx(BUNDLE), {"service": "sns"}).status == "no_data"
    assert (
        vpc_endpoints.run(tool_ctx(BUNDLE), {"endpoint_ids": ["vpce-0eeeeeeeeeeeeeee5"]}).status == "no_data"
    )


def test_bucket_access_reads_a_deny_outside_one_endpoint(tool_ctx: Callable[..., ToolContext]) -> None:
    res = bucket_access.run(tool_ctx(BUNDLE), {"bucket": "reports-bucket"})
    assert res.status == "ok", res.summary
    b = res.data
    assert b.has_policy and b.public_access_block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert b.findings == [f"denies s3:* to requests whose aws:sourcevpce is not {S3_VPCE}"]
    assert (
        f"Deny * s3:* on arn:aws:s3:::reports-bucket,arn:aws:s3:::reports-bucket/* when "
        f"StringNotEquals aws:SourceVpce={S3_VPCE}" in res.summary
    )
    bare = bucket_access.run(tool_ctx(BUNDLE), {"bucket": "bare-bucket"})
    assert (
        bare.status == "ok" and "no bucket policy" in bare.summary and bare.data.public_access_block is None
    )
    missing = bucket_access.run(tool_ctx(BUNDLE), {"bucket": "no-such-bucket"})
    assert missing.status == "no_data" and "NoSuchBucket" in missing.summary


def test_the_graph_walks_bucket_to_endpoint_to_vpc_and_back(tool_ctx: Callable[..., ToolContext]) -> None:
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": ["arn:aws:s3:::reports-bucket"], "include_network": True}
    ).data
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert {
        ("reports-bucket", S3_VPCE, "policy_names"),
        (S3_VPCE, "reports-bucket", "policy_names"),
        (S3_VPCE, VPC, "in_vpc"),
    } <= edges
    bucket = graph.node("reports-bucket")
    assert bucket is not None and bucket.kind == "s3_bucket" and graph.unresolved == []
    assert bucket.attrs["warning"] == f"denies s3:* to requests whose aws:sourcevpce is not {S3_VPCE}"
    # the VPC's other endpoints come along, each with what is wrong with it
    kinds = {n.id: n.kind for n in graph.nodes}
    assert {kinds[i] for i in (S3_VPCE, DDB_VPCE, SM_VPCE)} == {"vpc_endpoint"}
    ddb = graph.node(DDB_VPCE)
    assert (
        ddb is not None and ddb.attrs["warning"] == "no route table uses it: no subnet's traffic reaches it"
    )
    # an endpoint id resolves on its own
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": [S3_VPCE], "include_network": False}).data
    assert {n.id for n in graph.nodes} == {S3_VPCE, "reports-bucket"} and graph.unresolved == []
