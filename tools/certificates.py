"""ACM tool: certificates' domains, validity, renewal and where they are used (never the certificate
body or key); and TLS listeners and their certificates as nodes of the resource graph."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.errors import classify
from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput
from tools.state import text_of

MAX_CERTIFICATES = 20  # certificates described per call (context budget)
MAX_LISTED = 500  # certificates listed to find the ones covering a host name
SOON_DAYS = 30  # ACM starts managed renewal 60 days out; inside 30 days a person should be looking
# Every key type: ListCertificates lists RSA_1024 and RSA_2048 certificates only, unless told.
ALL_KEY_TYPES = [
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
]
CERT_ARN = re.compile(r"arn:aws[a-z-]*:acm:[\w-]+:\d{12}:certificate/[\w-]+")
TLS_PROTOCOLS = ("HTTPS", "TLS")


class CertificatesInput(BaseModel):
    """Arguments of certificates."""

    certificates: list[str] = Field(
        default_factory=list,
        max_length=MAX_CERTIFICATES,
        description="certificate ARNs (a listener's, or one a CloudTrail change names); "
        "empty: the account's certificates, those covering `hosts` if given",
    )
    hosts: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="host names clients connect to (api.example.com): each certificate is checked for "
        "covering them",
    )


class Certificate(BaseModel):
    arn: str
    domain: str | None
    sans: list[str] = Field(description="subject alternative names (the names it is valid for)")
    status: str = Field(description="ISSUED, EXPIRED, PENDING_VALIDATION, REVOKED, FAILED, ...")
    type: str | None = Field(
        description="AMAZON_ISSUED (ACM renews it), IMPORTED (nobody renews it), PRIVATE"
    )
    not_before: datetime | None
    not_after: datetime | None
    days_to_expiry: int | None = Field(description="whole days from now to NotAfter; negative once expired")
    expired: bool
    renewal_status: str | None = Field(
        description="managed renewal: PENDING_AUTO_RENEWAL, SUCCESS, FAILED, ..."
    )
    renewal_eligibility: str | None
    in_use_by: list[str] = Field(description="ARNs of the load balancers, distributions, APIs using it")
    failure_reason: str | None
    uncovered_hosts: list[str] = Field(description="asked-for host names this certificate is not valid for")


class Certificates(ToolOutput):
    certificates: list[Certificate]
    findings: list[str] = Field(
        description="expiry, status, renewal and name-coverage problems, in plain words"
    )
    gaps: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        if not self.certificates:
            return "no certificate found" + (f" ({'; '.join(self.gaps)})" if self.gaps else "")
        parts = [
            f"certificate {c.domain} {c.status}"
            + (f", expires {c.not_after:%Y-%m-%d} ({c.days_to_expiry} days)" if c.not_after else "")
            + (f", renewal {c.renewal_status}" if c.renewal_status else "")
            + (f", {c.type}" if c.type else "")
            + (f", used by {len(c.in_use_by)}" if c.in_use_by else ", not in use")
            for c in self.certificates[:8]
        ]
        if self.findings:
            parts.append("attention: " + "; ".join(self.findings))
        if self.gaps:
            parts.append("gaps: " + "; ".join(self.gaps))
        return ". ".join(parts)

    def is_empty(self) -> bool:
        return not self.certificates


def covers(names: list[str], host: str) -> bool:
    """Whether a certificate valid for `names` is valid for `host`: the same name, case-blind, or a
    wildcard standing for exactly one leftmost label (`*.example.com` covers `a.example.com`, not
    `example.com` nor `a.b.example.com`)."""
    want = host.strip().rstrip(".").lower()
    for name in names:
        n = name.rstrip(".").lower()
        if n == want:
            return True
        if n.startswith("*.") and "." in want and want.split(".", 1)[1] == n[2:]:
            return True
    return False


def names_of(cert: dict[str, Any]) -> list[str]:
    """The names a certificate is valid for: its domain and subject alternative names, once each."""
    names = [cert.get("DomainName"), *(cert.get("SubjectAlternativeNames") or [])]
    return list(dict.fromkeys(n for n in names if n))


def certificate_of(cert: dict[str, Any], now: datetime, hosts: list[str]) -> Certificate:
    not_after = cert.get("NotAfter")
    expired = cert.get("Status") == "EXPIRED" or bool(not_after and not_after <= now)
    renewal = cert.get("RenewalSummary") or {}
    return Certificate(
        arn=cert["CertificateArn"],
        domain=cert.get("DomainName"),
        sans=[n for n in names_of(cert) if n != cert.get("DomainName")],
        status="EXPIRED" if expired else str(cert.get("Status")),
        type=cert.get("Type"),
        not_before=cert.get("NotBefore"),
        not_after=not_after,
        days_to_expiry=int((not_after - now).total_seconds() // 86400) if not_after else None,
        expired=expired,
        renewal_status=renewal.get("RenewalStatus"),
        renewal_eligibility=cert.get("RenewalEligibility"),
        in_use_by=list(cert.get("InUseBy") or []),
        failure_reason=cert.get("FailureReason") or renewal.get("RenewalStatusReason"),
        uncovered_hosts=[h for h in hosts if not covers(names_of(cert), h)],
    )


def findings_of(c: Certificate, now: datetime) -> list[str]:
    """What a person reading the certificate's metadata would call out, from how TLS and ACM work."""
    out = []
    name = c.domain or c.arn.rsplit("/", 1)[-1]
    users = f"; used by {len(c.in_use_by)} resource(s)" if c.in_use_by else ""
    if c.expired and c.not_after:
        ago = now - c.not_after
        since = f"{ago.days} days" if ago.days >= 1 else f"{int(ago.total_seconds() // 3600)} hours"
        out.append(
            f"{name} expired {c.not_after:%Y-%m-%d %H:%M} ({since} ago): clients refuse the TLS handshake{users}"
        )
    elif c.days_to_expiry is not None and c.days_to_expiry <= SOON_DAYS:
        why = (
            "imported: ACM does not renew it"
            if c.type == "IMPORTED"
            else f"renewal {c.renewal_status or 'not started'}"
        )
        out.append(f"{name} expires in {c.days_to_expiry} days ({c.not_after:%Y-%m-%d}), {why}")
    if c.not_before and c.not_before > now:
        out.append(f"{name} is not valid before {c.not_before:%Y-%m-%d %H:%M}")
    if c.status not in ("ISSUED", "EXPIRED"):
        out.append(f"{name} is {c.status}" + (f" ({c.failure_reason})" if c.failure_reason else ""))
    elif c.renewal_status in ("FAILED", "PENDING_VALIDATION"):
        out.append(
            f"{name} managed renewal {c.renewal_status}"
            + (f" ({c.failure_reason})" if c.failure_reason else "")
            + ": it expires unless validation succeeds"
        )
    if c.uncovered_hosts:
        out.append(
            f"{name} does not cover {', '.join(c.uncovered_hosts)} (valid for {', '.join([c.domain or '', *c.sans][:6]).strip(', ')}): "
            "clients connecting by that name fail TLS (name mismatch)"
        )
    return out


def _describe(ctx: ToolContext, arns: list[str], gaps: list[str]) -> list[dict[str, Any]]:
    out = []
    for arn in arns:
        try:
            out.append(ctx.aws.call("acm", "DescribeCertificate", CertificateArn=arn)["Certificate"])
        except ClientError as exc:
            failure = classify(exc)
            if failure is None or failure.verdict != "no_data":
                raise
            gaps.append(f"{arn}: {failure.code}")
    return out


@tool
def certificates(ctx: ToolContext, args: CertificatesInput) -> Certificates:
    """Show ACM certificates, never their body or key: the names each is valid for (domain and SANs),
    status, NotBefore/NotAfter and the days left from now, whether ACM renews it (type, renewal status
    and eligibility) and which load balancers, distributions or APIs use it. Given host names, says
    which certificates do not cover them (a wildcard covers one label). Use it for TLS handshake errors,
    a listener whose certificate changed (ModifyListener, ImportCertificate), or an HTTPS listener on the
    failing path.

    Args:
        certificates: certificate ARNs; empty for the account's certificates (those covering `hosts`).
        hosts: host names clients connect to, checked against each certificate's names.
    """
    gaps: list[str] = []
    more = False
    arns = list(dict.fromkeys(args.certificates))
    if not arns:
        listed, more = ctx.aws.collect(
            "acm",
            "ListCertificates",
            "CertificateSummaryList",
            max_items=MAX_LISTED,
            Includes={"keyTypes": ALL_KEY_TYPES},
            MaxItems=100,
        )
        if args.hosts:
            listed = [
                s
                for s in listed
                if any(
                    covers([s.get("DomainName", ""), *(s.get("SubjectAlternativeNameSummaries") or [])], h)
                    for h in args.hosts
                )
            ]
        # the soonest to expire first: the ones a person would look at
        listed.sort(key=lambda s: (s.get("NotAfter") is None, s.get("NotAfter") or ctx.now))
        more = more or len(listed) > MAX_CERTIFICATES
        arns = [s["CertificateArn"] for s in listed[:MAX_CERTIFICATES]]
    found = [certificate_of(c, ctx.now, args.hosts) for c in _describe(ctx, arns, gaps)]
    return Certificates(
        certificates=found,
        findings=[f for c in found for f in findings_of(c, ctx.now)],
        gaps=gaps,
        has_more=more,
        total=len(found),
    )


# --- the resource graph ---------------------------------------------------------------------------


def walk_listeners(walk: GraphWalk, balancers: list[str], *, listeners: list[str] | None = None) -> None:
    """The TLS listeners (HTTPS, TLS) of these load balancers, or these listeners by ARN, as nodes: part
    of their load balancer, linked to the certificates they present."""
    pages = (
        [walk.call("elbv2", "DescribeListeners", ListenerArns=listeners[:20])]
        if listeners
        else [walk.call("elbv2", "DescribeListeners", LoadBalancerArn=arn) for arn in balancers]
    )
    for page in pages:
        for li in (page or {}).get("Listeners", []):
            certs = [c["CertificateArn"] for c in li.get("Certificates", []) if c.get("CertificateArn")]
            if li.get("Protocol") not in TLS_PROTOCOLS and not certs:
                continue
            lb = li["LoadBalancerArn"]
            attrs = {
                "protocol": str(li.get("Protocol")),
                "port": str(li.get("Port")),
                "ssl_policy": str(li.get("SslPolicy") or ""),
                "certificates": cut(", ".join(c.rsplit("/", 1)[-1] for c in certs)),
            }
            name = f"{lb.split('/')[-2]}:{li.get('Port')}"
            if not walk.add(Node(kind="listener", id=li["ListenerArn"], name=name, attrs=attrs)):
                return
            walk.want("load_balancer", lb)
            walk.link(li["ListenerArn"], lb, "part_of")
            for cert in certs:
                walk.want("certificate", cert)
                walk.link(li["ListenerArn"], cert, "presents")


def walk_certificates(walk: GraphWalk, arns: list[str]) -> None:
    """Certificates as nodes (keyed by ARN), with their expiry and status as of now, linked to the
    resources that use them (a load balancer asked about through its certificate is described too)."""
    for arn in arns:
        page = walk.call("acm", "DescribeCertificate", CertificateArn=arn)
        if page is None:
            continue
        cert = certificate_of(page["Certificate"], walk.ctx.now, [])
        attrs = {
            "arn": arn,
            "names": cut(", ".join([cert.domain or "", *cert.sans]).strip(", ")),
            "not_after": f"{cert.not_after:%Y-%m-%d %H:%M}" if cert.not_after else "",
            "days_to_expiry": str(cert.days_to_expiry) if cert.days_to_expiry is not None else "",
            "type": str(cert.type or ""),
            "renewal": str(cert.renewal_status or ""),
        }
        found = findings_of(cert, walk.ctx.now)
        if found:
            attrs["warning"] = cut(text_of("; ".join(found)))
        if not walk.add(Node(kind="certificate", id=arn, name=cert.domain, state=cert.status, attrs=attrs)):
            return
        for user in cert.in_use_by:
            if ":loadbalancer/" in user and arn in walk.seeds:
                walk.want("load_balancer", user)
            walk.link(arn, user, "used_by")
