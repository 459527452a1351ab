"""Route 53 replay: hosted zones and record sets in Route 53's order and pages, not-found as Route 53
words it; record changes never reach a handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

ZONE = "Z0123456789ABCDEFGHIJ"
PRIVATE = "Z0PRIVATE0123456789AB"
OTHER = "Z0OTHER01234567890ABC"
LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop-prod/50dc6c495c0c9188"
LB_DNS = "shop-prod-1234567890.us-east-1.elb.amazonaws.com"
STG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop-stg/6d0ecf831eec9f09"
STG_DNS = "shop-stg-987654321.us-east-1.elb.amazonaws.com"


def zone(zid: str, name: str, *, private: bool = False, count: int = 0) -> dict[str, Any]:
    item = {
        "Id": f"/hostedzone/{zid}",
        "Name": name,
        "CallerReference": f"ref-{zid}",
        "Config": {"Comment": name, "PrivateZone": private},
        "ResourceRecordSetCount": count,
    }
    return {"service": "route53", "type": "HostedZone", "item": item}


def rrset(zid: str, name: str, type_: str, *values: str, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"HostedZoneId": zid, "Name": name, "Type": type_, **fields}
    if values:
        item["TTL"] = fields.get("TTL", 300)
        item["ResourceRecords"] = [{"Value": v} for v in values]
    return {"service": "route53", "type": "ZoneRecordSet", "item": item}


def alias(dns: str) -> dict[str, Any]:
    return {"HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": f"dualstack.{dns}.", "EvaluateTargetHealth": True}


RESOURCES = [
    zone(ZONE, "example.com.", count=7),
    zone(PRIVATE, "example.com.", private=True, count=1),
    zone(OTHER, "other.org.", count=1),
    # listed out of order on purpose: Route 53 orders by reversed labels, then type
    rrset(ZONE, "www.example.com.", "CNAME", "d111111abcdef8.cloudfront.net"),
    rrset(ZONE, "api.example.com.", "A", AliasTarget=alias(STG_DNS)),
    rrset(ZONE, "example.com.", "NS", "ns-1.awsdns-01.org.", TTL=172800),
    rrset(ZONE, "hooks.example.com.", "CNAME", LB_DNS),
    rrset(ZONE, "\\052.example.com.", "A", "192.0.2.10"),
    rrset(ZONE, "pay.example.com.", "A", AliasTarget=alias(LB_DNS), SetIdentifier="blue", Weight=100),
    rrset(ZONE, "pay.example.com.", "A", AliasTarget=alias(STG_DNS), SetIdentifier="green", Weight=0),
    rrset(PRIVATE, "db.example.com.", "CNAME", "orders.cluster-abc.us-east-1.rds.amazonaws.com"),
    rrset(OTHER, "other.org.", "MX", "10 mx.other.org."),
]


@pytest.fixture
def r53(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RESOURCES})
    return session.client("route53")


def test_zones_in_pages_and_by_id(r53: Any) -> None:
    first = r53.list_hosted_zones(MaxItems="2")
    assert [z["Name"] for z in first["HostedZones"]] == ["example.com.", "example.com."]
    assert (first["IsTruncated"], first["NextMarker"], first["MaxItems"]) == (True, OTHER, "2")
    rest = r53.list_hosted_zones(MaxItems="2", Marker=first["NextMarker"])
    assert ([z["Id"] for z in rest["HostedZones"]], rest["IsTruncated"]) == ([f"/hostedzone/{OTHER}"], False)
    private = r53.list_hosted_zones(HostedZoneType="PrivateHostedZone")["HostedZones"]
    assert [z["Id"] for z in private] == [f"/hostedzone/{PRIVATE}"]
    for ident in (ZONE, f"/hostedzone/{ZONE}"):  # both spellings name the zone
        got = r53.get_hosted_zone(Id=ident)["HostedZone"]
        assert (got["Name"], got["Config"]["PrivateZone"], got["ResourceRecordSetCount"]) == (
            "example.com.",
            False,
            7,
        )
    for call in (
        lambda: r53.get_hosted_zone(Id="Z0NOSUCHZONE00000000"),
        lambda: r53.list_resource_record_sets(HostedZoneId="Z0NOSUCHZONE00000000"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "NoSuchHostedZone"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_record_sets_in_route53_order_and_pages(r53: Any) -> None:
    every = r53.list_resource_record_sets(HostedZoneId=ZONE)["ResourceRecordSets"]
    # com.example first, then com.example.* (the wildcard), api, hooks, pay (blue, green), www
    assert [(r["Name"], r["Type"], r.get("SetIdentifier")) for r in every] == [
        ("example.com.", "NS", None),
        ("\\052.example.com.", "A", None),
        ("api.example.com.", "A", None),
        ("hooks.example.com.", "CNAME", None),
        ("pay.example.com.", "A", "blue"),
        ("pay.example.com.", "A", "green"),
        ("www.example.com.", "CNAME", None),
    ]
    page = r53.list_resource_record_sets(HostedZoneId=ZONE, StartRecordName="hooks.example.com", MaxItems="2")
    assert [r["Name"] for r in page["ResourceRecordSets"]] == ["hooks.example.com.", "pay.example.com."]
    assert (page["IsTruncated"], page["NextRecordName"], page["NextRecordType"]) == (
        True,
        "pay.example.com.",
        "A",
    )
    assert page["NextRecordIdentifier"] == "green"
    nxt = r53.list_resource_record_sets(
        HostedZoneId=ZONE,
        StartRecordName=page["NextRecordName"],
        StartRecordType=page["NextRecordType"],
        StartRecordIdentifier=page["NextRecordIdentifier"],
        MaxItems="2",
    )
    assert [(r["Name"], r.get("Weight")) for r in nxt["ResourceRecordSets"]] == [
        ("pay.example.com.", 0),
        ("www.example.com.", None),
    ]
    assert nxt["IsTruncated"] is False and "NextRecordName" not in nxt
    green = nxt["ResourceRecordSets"][0]
    assert green["AliasTarget"]["DNSName"] == f"dualstack.{STG_DNS}."
    with pytest.raises(ClientError) as err:
        r53.list_resource_record_sets(HostedZoneId=ZONE, StartRecordType="A")
    assert err.value.response["Error"]["Code"] == "InvalidInput"


@pytest.mark.parametrize(
    ("method", "params"),
    [
        (
            "change_resource_record_sets",
            {
                "HostedZoneId": ZONE,
                "ChangeBatch": {
                    "Changes": [
                        {
                            "Action": "DELETE",
                            "ResourceRecordSet": {
                                "Name": "www.example.com.",
                                "Type": "CNAME",
                                "TTL": 300,
                                "ResourceRecords": [{"Value": "d111111abcdef8.cloudfront.net"}],
                            },
                        }
                    ]
                },
            },
        ),
        ("delete_hosted_zone", {"Id": ZONE}),
        ("create_hosted_zone", {"Name": "new.example.com", "CallerReference": "x"}),
    ],
)
def test_changes_are_refused_before_the_wire(method: str, params: dict[str, Any]) -> None:
    session, ctx = replay_session(make_bundle({"resources": RESOURCES}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client("route53"), method)(**params)
    with pytest.raises(ReplayRefused):
        getattr(session.client("route53"), method)(**params)
    assert sum(ctx.calls.values()) == 0


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    live = moto_session("route53")
    zid = live.create_hosted_zone(Name="example.com", CallerReference="r1")["HostedZone"]["Id"]
    changes = [
        {
            "Action": "CREATE",
            "ResourceRecordSet": {
                "Name": f"{name}.example.com",
                "Type": "CNAME",
                "TTL": 60,
                "ResourceRecords": [{"Value": f"{name}.backend.example.net"}],
            },
        }
        for name in ("www", "api", "hooks")
    ]
    live.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": changes})
    records = [
        {"service": "route53", "type": "HostedZone", "item": z}
        for z in live.list_hosted_zones()["HostedZones"]
    ]
    records += [
        {"service": "route53", "type": "ZoneRecordSet", "item": {"HostedZoneId": zid, **r}}
        for r in live.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
    ]
    session, _ = replay_session(make_bundle({"resources": records}))
    replayed = session.client("route53")
    for client in (live, replayed):
        assert client.get_hosted_zone(Id=zid)["HostedZone"] == live.get_hosted_zone(Id=zid)["HostedZone"]
    for params in ({}, {"StartRecordName": "hooks.example.com", "MaxItems": "2"}):
        want = live.list_resource_record_sets(HostedZoneId=zid, **params)
        got = replayed.list_resource_record_sets(HostedZoneId=zid, **params)
        assert got["ResourceRecordSets"] == want["ResourceRecordSets"], params
        assert (got["IsTruncated"], got.get("NextRecordName")) == (
            want["IsTruncated"],
            want.get("NextRecordName"),
        )
    for client in (live, replayed):
        with pytest.raises(ClientError) as err:
            client.get_hosted_zone(Id="Z0NOSUCHZONE00000000")
        assert err.value.response["Error"]["Code"] == "NoSuchHostedZone"
