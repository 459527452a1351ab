"""ACM: certificates' metadata (domains, status, validity, renewal, where they are used), from
`acm/CertificateDetail` items, as each stood at `now`. The certificate body and key are never in a
bundle and never answered: GetCertificate, ExportCertificate and every change are refused."""

from __future__ import annotations

from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

MAX_ITEMS = 1000  # ListCertificates' MaxItems ceiling
DEFAULT_KEY_TYPES = ("RSA_1024", "RSA_2048")  # what ListCertificates lists unless Includes.keyTypes says
# Detail fields ListCertificates' summaries do not carry.
_SUMMARY_ONLY = frozenset(
    {
        "DomainValidationOptions",
        "Serial",
        "Subject",
        "Issuer",
        "SignatureAlgorithm",
        "Options",
        "InUseBy",
        "FailureReason",
        "RenewalSummary",
        "RevocationReason",
        "UpdateSummary",
        "CertificateAuthorityArn",
        "SubjectAlternativeNames",
        "AcmeEndpointArn",
        "AcmeAccountId",
    }
)


def key_type(algorithm: str) -> str:
    """DescribeCertificate spells key algorithms `RSA-2048`, the filters `RSA_2048`: one spelling."""
    return algorithm.replace("-", "_")


def _created(cert: dict[str, Any]) -> Any:
    return cert.get("ImportedAt") or cert.get("CreatedAt")


def _as_of_now(ctx: ReplayContext, cert: dict[str, Any]) -> dict[str, Any]:
    """An issued certificate whose NotAfter has passed is EXPIRED, as ACM reports it."""
    if cert.get("Status") == "ISSUED" and cert.get("NotAfter") and to_datetime(cert["NotAfter"]) <= ctx.now:
        return {**cert, "Status": "EXPIRED"}
    return cert


def _certificates(ctx: ReplayContext) -> list[dict[str, Any]]:
    """Certificates that exist at now (requested or imported by then), in bundle order."""
    return [
        _as_of_now(ctx, c)
        for c in ctx.resources("acm", "CertificateDetail")
        if not _created(c) or to_datetime(_created(c)) <= ctx.now
    ]


def _not_found(arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Could not find certificate {arn}.")


@operation("acm", "DescribeCertificate")
def describe_certificate(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["CertificateArn"]
    if not arn.startswith("arn:") or ":acm:" not in arn or ":certificate/" not in arn:
        raise AwsError("InvalidArnException", f"String '{arn}' is not a valid ARN.")
    for cert in _certificates(ctx):
        if cert["CertificateArn"] == arn:
            return {"Certificate": to_parsed("acm", "CertificateDetail", cert)}
    raise _not_found(arn)


def _summary(cert: dict[str, Any]) -> dict[str, Any]:
    """ListCertificates' entry for a certificate: its detail without the detail-only fields, with the
    SANs summarised and InUse/Exported derived."""
    out = {k: v for k, v in cert.items() if k not in _SUMMARY_ONLY}
    sans = cert.get("SubjectAlternativeNames") or []
    if sans:
        out["SubjectAlternativeNameSummaries"] = sans[:100]
        out["HasAdditionalSubjectAlternativeNames"] = len(sans) > 100
    out["InUse"] = bool(cert.get("InUseBy"))
    if (cert.get("Options") or {}).get("Export"):
        out["ExportOption"] = cert["Options"]["Export"]
    return out


def _included(cert: dict[str, Any], includes: dict[str, Any]) -> bool:
    unsupported = sorted(set(includes) - {"keyTypes", "managedBy"})
    if unsupported:
        raise ReplayUnsupported("acm", "ListCertificates", f"Includes {', '.join(unsupported)}")
    wanted = includes.get("keyTypes") or DEFAULT_KEY_TYPES
    if key_type(str(cert.get("KeyAlgorithm", "RSA_2048"))) not in wanted:
        return False
    if not includes.get("keyTypes") and not cert.get("DomainName"):
        return False  # the default lists certificates that have at least one domain
    return not includes.get("managedBy") or cert.get("ManagedBy") == includes["managedBy"]


def _listed(cert: dict[str, Any], params: dict[str, Any]) -> bool:
    statuses = params.get("CertificateStatuses")
    if statuses and cert.get("Status") not in statuses:
        return False
    if not _included(cert, params.get("Includes") or {}):
        return False
    # unless asked for, ACME certificates and Amazon N2 hierarchies are left out
    origins = params.get("CertificateKeyPairOrigins")
    origin = cert.get("CertificateKeyPairOrigin")
    if (origin not in origins) if origins else origin == "ACME":
        return False
    hierarchies = params.get("RootHierarchyTypes")
    hierarchy = str(cert.get("RootHierarchyType", ""))
    return hierarchy in hierarchies if hierarchies else not hierarchy.startswith("N2_")


@operation("acm", "ListCertificates")
def list_certificates(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    found = [c for c in _certificates(ctx) if _listed(c, params)]
    if params.get("SortBy"):
        found.sort(
            key=lambda c: to_datetime(_created(c) or 0), reverse=params.get("SortOrder") == "DESCENDING"
        )
    elif params.get("SortOrder"):
        raise AwsError("ValidationException", "SortOrder requires SortBy.")
    size = params.get("MaxItems", MAX_ITEMS)
    request = {k: v for k, v in params.items() if k not in ("NextToken", "MaxItems")}
    page, token = ctx.page(
        found, params.get("NextToken"), size, request=request, error_code="InvalidArgsException"
    )
    out: dict[str, Any] = {
        "CertificateSummaryList": [to_parsed("acm", "CertificateSummary", _summary(c)) for c in page]
    }
    if token:
        out["NextToken"] = token
    return out
