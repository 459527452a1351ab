"""ACM replay: certificates as they stood at now (an issued one past NotAfter is EXPIRED, one requested
after now does not exist), ListCertificates' default key types, filters and pages, not-found as ACM
words it; reading a certificate's body or key, and every change, is refused before the wire."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused, ReplayUnsupported
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

CERT = "arn:aws:acm:us-east-1:123456789012:certificate"
WEB = f"{CERT}/1f0c2e4a-7d3b-4c1e-9a55-0b6d8e2f3a10"
OLD = f"{CERT}/2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
EC = f"{CERT}/3b2c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
PENDING = f"{CERT}/4c3d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f"
LATER = f"{CERT}/5d4e6f7a-8b9c-4d0e-1f2a-3b4c5d6e7f80"
LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop-prod/50dc6c495c0c9188"


def cert(arn: str, domain: str, *sans: str, **fields: Any) -> dict[str, Any]:
    item = {
        "CertificateArn": arn,
        "DomainName": domain,
        "SubjectAlternativeNames": [domain, *sans],
        "Status": "ISSUED",
        "Type": "AMAZON_ISSUED",
        "KeyAlgorithm": "RSA-2048",  # as DescribeCertificate spells it
        "InUseBy": [],
        **fields,
    }
    return {"service": "acm", "type": "CertificateDetail", "item": item}


RESOURCES = [
    cert(
        WEB,
        "*.example.com",
        "example.com",
        CreatedAt="2023-06-01T10:00:00Z",
        IssuedAt="2023-06-01T10:05:00Z",
        NotBefore="2023-06-01T00:00:00Z",
        NotAfter="2024-05-21T23:59:59Z",
        RenewalEligibility="ELIGIBLE",
        RenewalSummary={
            "RenewalStatus": "PENDING_VALIDATION",
            "DomainValidationOptions": [
                {"DomainName": "*.example.com", "ValidationStatus": "PENDING_VALIDATION"}
            ],
            "UpdatedAt": "2024-04-20T00:00:00Z",
        },
        InUseBy=[LB_ARN],
    ),
    cert(
        OLD,
        "legacy.example.com",
        Type="IMPORTED",
        ImportedAt="2023-04-01T09:00:00Z",
        NotBefore="2023-04-01T00:00:00Z",
        NotAfter="2024-04-30T12:00:00Z",  # before now: ACM reports it EXPIRED
        RenewalEligibility="INELIGIBLE",
    ),
    cert(
        EC,
        "api.example.net",
        KeyAlgorithm="EC-prime256v1",
        CreatedAt="2024-01-10T00:00:00Z",
        NotBefore="2024-01-10T00:00:00Z",
        NotAfter="2025-02-08T23:59:59Z",
    ),
    cert(PENDING, "new.example.com", Status="PENDING_VALIDATION", CreatedAt="2024-04-30T08:00:00Z"),
    cert(LATER, "later.example.com", CreatedAt="2024-05-02T00:00:00Z"),  # requested after now
]


@pytest.fixture
def acm(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RESOURCES})
    return session.client("acm")


def test_a_certificate_as_it_stood_at_now(acm: Any) -> None:
    web = acm.describe_certificate(CertificateArn=WEB)["Certificate"]
    assert (web["DomainName"], web["SubjectAlternativeNames"], web["Status"]) == (
        "*.example.com",
        ["*.example.com", "example.com"],
        "ISSUED",
    )
    assert web["NotAfter"] == datetime(2024, 5, 21, 23, 59, 59, tzinfo=UTC)
    assert (web["RenewalSummary"]["RenewalStatus"], web["InUseBy"]) == ("PENDING_VALIDATION", [LB_ARN])
    # an issued certificate whose NotAfter has passed is EXPIRED, as ACM reports it
    assert acm.describe_certificate(CertificateArn=OLD)["Certificate"]["Status"] == "EXPIRED"
    for arn in (LATER, f"{CERT}/00000000-0000-4000-8000-000000000000"):  # requested after now; never
        with pytest.raises(ClientError) as err:
            acm.describe_certificate(CertificateArn=arn)
        assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as err:
        acm.describe_certificate(CertificateArn="not-an-arn-but-long-enough")
    assert err.value.response["Error"]["Code"] == "InvalidArnException"


def test_listing_defaults_filters_and_pages(acm: Any) -> None:
    listed = acm.list_certificates()["CertificateSummaryList"]
    # by default only RSA_1024/RSA_2048 certificates: the EC one is left out
    assert [(c["CertificateArn"], c["Status"], c["InUse"]) for c in listed] == [
        (WEB, "ISSUED", True),
        (OLD, "EXPIRED", False),
        (PENDING, "PENDING_VALIDATION", False),
    ]
    assert listed[0]["SubjectAlternativeNameSummaries"] == ["*.example.com", "example.com"]
    assert listed[0]["HasAdditionalSubjectAlternativeNames"] is False
    assert "InUseBy" not in listed[0] and "RenewalSummary" not in listed[0]
    every = acm.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]})
    assert [c["CertificateArn"] for c in every["CertificateSummaryList"]] == [WEB, OLD, EC, PENDING]
    only_ec = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})["CertificateSummaryList"]
    assert [c["DomainName"] for c in only_ec] == ["api.example.net"]
    issued = acm.list_certificates(CertificateStatuses=["ISSUED"])["CertificateSummaryList"]
    assert [c["CertificateArn"] for c in issued] == [WEB]  # the expired one no longer counts as issued
    first = acm.list_certificates(MaxItems=2)
    assert [c["CertificateArn"] for c in first["CertificateSummaryList"]] == [WEB, OLD]
    rest = acm.list_certificates(MaxItems=2, NextToken=first["NextToken"])
    assert [c["CertificateArn"] for c in rest["CertificateSummaryList"]] == [PENDING]
    assert "NextToken" not in rest
    newest = acm.list_certificates(SortBy="CREATED_AT", SortOrder="DESCENDING")["CertificateSummaryList"]
    assert [c["CertificateArn"] for c in newest] == [PENDING, WEB, OLD]
    with pytest.raises(ClientError) as err:  # a token from another request
        acm.list_certificates(CertificateStatuses=["EXPIRED"], NextToken=first["NextToken"])
    assert err.value.response["Error"]["Code"] == "InvalidArgsException"
    with pytest.raises(ReplayUnsupported, match="extendedKeyUsage"):
        acm.list_certificates(Includes={"extendedKeyUsage": ["TLS_WEB_SERVER_AUTHENTICATION"]})


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("get_certificate", {"CertificateArn": WEB}),
        ("export_certificate", {"CertificateArn": WEB, "Passphrase": b"passphrase-0123"}),
        ("import_certificate", {"Certificate": b"-----BEGIN CERTIFICATE-----", "PrivateKey": b"k"}),
        ("delete_certificate", {"CertificateArn": OLD}),
        ("renew_certificate", {"CertificateArn": WEB}),
        ("request_certificate", {"DomainName": "www.example.com"}),
        ("list_tags_for_certificate", {"CertificateArn": WEB}),
    ],
)
def test_bodies_keys_and_changes_are_refused_before_the_wire(method: str, params: dict[str, Any]) -> None:
    session, ctx = replay_session(make_bundle({"resources": RESOURCES}))
    with pytest.raises(ReadOnlyViolation, match=f"acm:{''.join(w.title() for w in method.split('_'))}"):
        getattr(AwsClients(session).client("acm"), method)(**params)
    if method.startswith(("get_", "list_")):
        # reads by name, of the certificate itself or of tags Sleuth does not use: the allow-list, not
        # replay's verb check, keeps them out
        with pytest.raises(ReplayUnsupported):
            getattr(session.client("acm"), method)(**params)
    else:
        with pytest.raises(ReplayRefused):
            getattr(session.client("acm"), method)(**params)
    assert sum(ctx.calls.values()) == 0


def self_signed(domain: str, days: int) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    body = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return body.public_bytes(serialization.Encoding.PEM), pem_key


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    live = moto_session("acm")
    arns = []
    for domain, days in (("shop.example.org", 90), ("admin.example.org", 30)):
        body, key = self_signed(domain, days)
        arns.append(live.import_certificate(Certificate=body, PrivateKey=key)["CertificateArn"])
    records = [
        {
            "service": "acm",
            "type": "CertificateDetail",
            "item": live.describe_certificate(CertificateArn=a)["Certificate"],
        }
        for a in arns
    ]
    session, _ = replay_session(make_bundle({"resources": records}, now=datetime.now(UTC).isoformat()))
    replayed = session.client("acm")
    for arn in arns:
        assert (
            replayed.describe_certificate(CertificateArn=arn)["Certificate"]
            == live.describe_certificate(CertificateArn=arn)["Certificate"]
        )
    for params in ({}, {"CertificateStatuses": ["ISSUED"]}, {"Includes": {"keyTypes": ["RSA_2048"]}}):
        want = [c["CertificateArn"] for c in live.list_certificates(**params)["CertificateSummaryList"]]
        got = [c["CertificateArn"] for c in replayed.list_certificates(**params)["CertificateSummaryList"]]
        assert got == [a for a in want if a in arns], params
    for client in (live, replayed):
        with pytest.raises(ClientError) as err:
            client.describe_certificate(CertificateArn=f"{CERT}/00000000-0000-4000-8000-000000000000")
        assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
