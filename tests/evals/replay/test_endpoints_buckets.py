"""VPC endpoint and S3 bucket-policy replay: endpoints with filters and pages, a bucket's policy and
public-access block, not-found as AWS words them; object reads and policy changes never reach a handler."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused, ReplayUnsupported
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

VPC = "vpc-0a1b2c3d4e5f60718"
S3_VPCE, DDB_VPCE, SM_VPCE = "vpce-0aaaaaaaaaaaaaaa1", "vpce-0bbbbbbbbbbbbbbb2", "vpce-0ccccccccccccccc3"
ONLY_REPORTS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports-bucket/*",
        }
    ],
}
VPCE_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OnlyThroughTheEndpoint",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::reports-bucket", "arn:aws:s3:::reports-bucket/*"],
            "Condition": {"StringNotEquals": {"aws:SourceVpce": S3_VPCE}},
        }
    ],
}


def endpoint(vid: str, service: str, kind: str = "Gateway", **fields: Any) -> dict[str, Any]:
    item = {
        "VpcEndpointId": vid,
        "VpcEndpointType": kind,
        "VpcId": VPC,
        "ServiceName": f"com.amazonaws.us-east-1.{service}",
        "State": "available",
        "CreationTimestamp": "2024-04-01T00:00:00Z",
        **fields,
    }
    return {"service": "ec2", "type": "VpcEndpoint", "item": item}


def res(type_: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"service": "s3", "type": type_, "item": item}


RECORDS = [
    endpoint(S3_VPCE, "s3", RouteTableIds=["rtb-0123456789abcdef0"], PolicyDocument=json.dumps(ONLY_REPORTS)),
    endpoint(DDB_VPCE, "dynamodb", RouteTableIds=[]),
    endpoint(
        SM_VPCE,
        "secretsmanager",
        "Interface",
        SubnetIds=["subnet-0123456789abcdef0"],
        Groups=[{"GroupId": "sg-0123456789abcdef0", "GroupName": "endpoints"}],
        PrivateDnsEnabled=True,
        State="pendingAcceptance",
    ),
    endpoint("vpce-0ddddddddddddddd4", "sqs", "Interface", CreationTimestamp="2024-05-02T00:00:00Z"),
    res("Bucket", {"Name": "reports-bucket", "CreationDate": "2024-01-01T00:00:00Z"}),
    res("BucketPolicy", {"Bucket": "reports-bucket", "Policy": VPCE_ONLY}),
    res(
        "BucketPublicAccessBlock",
        {
            "Bucket": "reports-bucket",
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    ),
    res("Bucket", {"Name": "bare-bucket", "CreationDate": "2024-01-01T00:00:00Z"}),
]


@pytest.fixture
def session(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RECORDS})
    return session


def test_vpc_endpoints_by_id_filter_and_page(session: Any) -> None:
    ec2 = session.client("ec2")
    every = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    assert [e["VpcEndpointId"] for e in every] == [S3_VPCE, DDB_VPCE, SM_VPCE]  # the sqs one is not made yet
    assert json.loads(every[0]["PolicyDocument"]) == ONLY_REPORTS
    by_service = ec2.describe_vpc_endpoints(Filters=[{"Name": "service-name", "Values": ["*.s3"]}])
    assert [e["VpcEndpointId"] for e in by_service["VpcEndpoints"]] == [S3_VPCE]
    interface = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [VPC]}, {"Name": "vpc-endpoint-type", "Values": ["Interface"]}]
    )["VpcEndpoints"]
    assert [(e["VpcEndpointId"], e["State"]) for e in interface] == [(SM_VPCE, "pendingAcceptance")]
    first = ec2.describe_vpc_endpoints(MaxResults=2)
    assert len(first["VpcEndpoints"]) == 2
    rest = ec2.describe_vpc_endpoints(MaxResults=2, NextToken=first["NextToken"])
    assert [e["VpcEndpointId"] for e in rest["VpcEndpoints"]] == [SM_VPCE] and "NextToken" not in rest
    with pytest.raises(ClientError) as err:
        ec2.describe_vpc_endpoints(VpcEndpointIds=["vpce-0eeeeeeeeeeeeeee5"])
    assert err.value.response["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    with pytest.raises(ClientError) as err:
        ec2.describe_vpc_endpoints(Filters=[{"Name": "nonsense", "Values": ["x"]}])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_bucket_policy_and_public_access_block(session: Any) -> None:
    s3 = session.client("s3")
    assert json.loads(s3.get_bucket_policy(Bucket="reports-bucket")["Policy"]) == VPCE_ONLY
    block = s3.get_public_access_block(Bucket="reports-bucket")["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    for call, code in (
        (lambda: s3.get_bucket_policy(Bucket="bare-bucket"), "NoSuchBucketPolicy"),
        (lambda: s3.get_public_access_block(Bucket="bare-bucket"), "NoSuchPublicAccessBlockConfiguration"),
        (lambda: s3.get_bucket_policy(Bucket="no-such-bucket"), "NoSuchBucket"),
        (lambda: s3.get_public_access_block(Bucket="no-such-bucket"), "NoSuchBucket"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == code
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize(
    ("service", "method", "params"),
    [
        ("s3", "get_object", {"Bucket": "reports-bucket", "Key": "q1.csv"}),
        ("s3", "list_objects_v2", {"Bucket": "reports-bucket"}),
        ("s3", "put_bucket_policy", {"Bucket": "reports-bucket", "Policy": "{}"}),
        ("s3", "delete_bucket_policy", {"Bucket": "reports-bucket"}),
        ("ec2", "modify_vpc_endpoint", {"VpcEndpointId": S3_VPCE, "ResetPolicy": True}),
    ],
)
def test_objects_and_changes_are_refused_before_the_wire(
    service: str, method: str, params: dict[str, Any]
) -> None:
    session, ctx = replay_session(make_bundle({"resources": RECORDS}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client(service), method)(**params)
    expected = ReplayUnsupported if method.startswith(("get_", "list_")) else ReplayRefused
    with pytest.raises(expected):
        getattr(session.client(service), method)(**params)
    assert sum(ctx.calls.values()) == 0


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    ec2, s3 = moto_session("ec2"), moto_session("s3")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    vpce = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.s3",
        RouteTableIds=[rtb],
        PolicyDocument=json.dumps(ONLY_REPORTS),
    )["VpcEndpoint"]["VpcEndpointId"]
    s3.create_bucket(Bucket="reports-bucket")
    s3.put_bucket_policy(Bucket="reports-bucket", Policy=json.dumps(VPCE_ONLY))
    s3.put_public_access_block(
        Bucket="reports-bucket",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": False,
        },
    )
    s3.create_bucket(Bucket="bare-bucket")
    live = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"]
    records = [{"service": "ec2", "type": "VpcEndpoint", "item": _plain(e)} for e in live]
    records += [
        res("Bucket", {"Name": "bare-bucket"}),
        res(
            "BucketPolicy",
            {"Bucket": "reports-bucket", "Policy": s3.get_bucket_policy(Bucket="reports-bucket")["Policy"]},
        ),
        res(
            "BucketPublicAccessBlock",
            {
                "Bucket": "reports-bucket",
                **s3.get_public_access_block(Bucket="reports-bucket")["PublicAccessBlockConfiguration"],
            },
        ),
    ]
    session, _ = replay_session(make_bundle({"resources": records}, now="2100-01-01T00:00:00Z"))
    assert session.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"] == live
    replayed = session.client("s3")
    for method, key in (
        ("get_bucket_policy", "Policy"),
        ("get_public_access_block", "PublicAccessBlockConfiguration"),
    ):
        assert (
            getattr(replayed, method)(Bucket="reports-bucket")[key]
            == getattr(s3, method)(Bucket="reports-bucket")[key]
        )
    for client in (s3, replayed):
        for bucket, code in (("bare-bucket", "NoSuchBucketPolicy"), ("no-such-bucket", "NoSuchBucket")):
            with pytest.raises(ClientError) as err:
                client.get_bucket_policy(Bucket=bucket)
            assert err.value.response["Error"]["Code"] == code
    for client in (ec2, session.client("ec2")):
        with pytest.raises(ClientError) as err:
            client.describe_vpc_endpoints(VpcEndpointIds=["vpce-0eeeeeeeeeeeeeee5"])
        assert err.value.response["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"


def _plain(value: Any) -> Any:
    """A parsed answer as a bundle file holds it (timestamps as ISO text)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
