"""certificates over replay, and the TLS edges of describe_resources: a load balancer to its HTTPS
listener and the certificate it presents, a certificate back to what uses it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.evals.replay.test_acm import EC, OLD, PENDING, WEB, cert
from tests.evals.replay.test_acm import RESOURCES as CERTS
from tests.evals.replay.test_route53 import LB_ARN, STG_ARN
from tests.tools.test_dns import BUNDLE as DNS
from tools.certificates import certificates, covers
from tools.registry import ToolContext
from tools.resources import describe_resources

STG_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/6e5f7a8b-9c0d-4e1f-2a3b-4c5d6e7f8091"


def listener(lb: str, port: int, protocol: str, *certs: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ListenerArn": lb.replace(":loadbalancer/", ":listener/") + f"/{port:016x}",
        "LoadBalancerArn": lb,
        "Port": port,
        "Protocol": protocol,
        "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    }
    if certs:
        item["Certificates"] = [{"CertificateArn": c} for c in certs]
        item["SslPolicy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    return {"service": "elbv2", "type": "Listener", "item": item}


PROD_443 = listener(LB_ARN, 443, "HTTPS", WEB)
STG_443 = listener(STG_ARN, 443, "HTTPS", STG_CERT)
BUNDLE = {
    "resources": [
        *DNS["resources"],
        *CERTS,
        cert(
            STG_CERT,
            "*.staging.example.com",
            "staging.example.com",
            CreatedAt="2024-03-01T00:00:00Z",
            NotBefore="2024-03-01T00:00:00Z",
            NotAfter="2025-03-30T23:59:59Z",
            InUseBy=[STG_ARN],
        ),
        PROD_443,
        listener(LB_ARN, 80, "HTTP"),
        STG_443,
    ]
}
NOW = datetime(2024, 5, 1, 6, tzinfo=UTC)


def test_a_wildcard_covers_one_label() -> None:
    names = ["*.example.com", "example.com"]
    assert [
        covers(names, h) for h in ("API.example.com.", "example.com", "a.b.example.com", "example.org")
    ] == [
        True,
        True,
        False,
        False,
    ]


def test_certificates_by_arn_with_expiry_renewal_and_names(tool_ctx: Callable[..., ToolContext]) -> None:
    res = certificates.run(
        tool_ctx(BUNDLE),
        {"certificates": [WEB, OLD, PENDING], "hosts": ["shop.example.com", "a.b.example.com"]},
    )
    assert res.status == "ok", res.summary
    web, old, pending = res.data.certificates
    # NotAfter 2024-05-21 23:59:59, now 2024-05-01 06:00: 20 whole days and 18 hours left
    assert (web.days_to_expiry, web.expired, web.renewal_status, web.in_use_by) == (
        20,
        False,
        "PENDING_VALIDATION",
        [LB_ARN],
    )
    assert (web.sans, web.uncovered_hosts) == (["example.com"], ["a.b.example.com"])
    # imported, NotAfter 2024-04-30 12:00: expired 18 hours before now
    assert (old.status, old.expired, old.days_to_expiry, old.type) == ("EXPIRED", True, -1, "IMPORTED")
    assert (pending.status, pending.not_after, pending.days_to_expiry) == ("PENDING_VALIDATION", None, None)
    assert res.data.findings == [
        "*.example.com expires in 20 days (2024-05-21), renewal PENDING_VALIDATION",
        "*.example.com managed renewal PENDING_VALIDATION: it expires unless validation succeeds",
        "*.example.com does not cover a.b.example.com (valid for *.example.com, example.com): clients "
        "connecting by that name fail TLS (name mismatch)",
        "legacy.example.com expired 2024-04-30 12:00 (18 hours ago): clients refuse the TLS handshake",
        "legacy.example.com does not cover shop.example.com, a.b.example.com (valid for legacy.example.com): "
        "clients connecting by that name fail TLS (name mismatch)",
        "new.example.com is PENDING_VALIDATION",
        "new.example.com does not cover shop.example.com, a.b.example.com (valid for new.example.com): "
        "clients connecting by that name fail TLS (name mismatch)",
    ]
    assert "20 days" in res.summary and "expired" in res.summary


def test_the_account_s_certificates_soonest_to_expire_first(tool_ctx: Callable[..., ToolContext]) -> None:
    every = certificates.run(tool_ctx(BUNDLE), {}).data
    # every key type (the EC certificate too), NotAfter ascending, the one without NotAfter last
    assert [c.arn for c in every.certificates] == [OLD, WEB, EC, STG_CERT, PENDING]
    covering = certificates.run(tool_ctx(BUNDLE), {"hosts": ["api.example.net"]}).data
    assert [c.domain for c in covering.certificates] == ["api.example.net"]
    assert covering.findings == []
    gone = certificates.run(
        tool_ctx(BUNDLE), {"certificates": [WEB.replace("1f0c", "0000"), WEB]}
    ).data  # one missing among known ones: a gap, not a failure
    assert [c.arn for c in gone.certificates] == [WEB] and gone.gaps[0].endswith("ResourceNotFoundException")
    none = certificates.run(tool_ctx(BUNDLE), {"hosts": ["nothing.example.io"]})
    assert none.status == "no_data"


def test_the_graph_walks_a_balancer_to_its_listener_and_certificate(
    tool_ctx: Callable[..., ToolContext],
) -> None:
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": [LB_ARN], "include_network": False}).data
    https = PROD_443["item"]["ListenerArn"]
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert {(https, LB_ARN, "part_of"), (https, WEB, "presents"), (WEB, LB_ARN, "used_by")} <= edges
    node = graph.node(https)
    assert node is not None and (node.kind, node.name, node.attrs["protocol"]) == (
        "listener",
        "shop-prod:443",
        "HTTPS",
    )
    assert not [n for n in graph.nodes if n.kind == "listener" and n.attrs.get("port") == "80"]  # plain HTTP
    web = graph.node(WEB)
    assert web is not None and (web.kind, web.name, web.state) == ("certificate", "*.example.com", "ISSUED")
    assert (web.attrs["days_to_expiry"], web.attrs["not_after"]) == ("20", "2024-05-21 23:59")
    assert "expires in 20 days" in web.attrs["warning"]
    # a ModifyListener names the listener: it joins the graph with its balancer and certificate
    graph = describe_resources.run(
        tool_ctx(BUNDLE), {"refs": [STG_443["item"]["ListenerArn"]], "include_network": False}
    ).data
    assert {n.kind for n in graph.nodes} >= {"listener", "load_balancer", "certificate"}
    assert graph.unresolved == []
    # an ImportCertificate or an expiry names the certificate: it leads to the balancers using it
    graph = describe_resources.run(tool_ctx(BUNDLE), {"refs": [STG_CERT], "include_network": False}).data
    assert graph.node(STG_ARN) is not None
    assert {(e.source, e.target, e.relation) for e in graph.edges} >= {(STG_CERT, STG_ARN, "used_by")}
