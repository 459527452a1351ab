"""Where reports go, from the environment. The Slack webhook URL is a credential: it never reaches a log."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Presigned S3 URLs signed with SigV4 are valid for at most seven days.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class DeliveryConfigError(ValueError):
    """A delivery setting is malformed; the message names the setting, never a secret value."""


@dataclass(frozen=True)
class DeliveryConfig:
    """Which deliveries run. Empty settings turn a delivery off; the report is always logged."""

    slack_webhook_url: str | None = field(default=None, repr=False)
    sns_topic_arn: str | None = None
    report_bucket: str | None = None
    report_prefix: str = "sleuth/"
    presign_seconds: int = 0
    endpoint_url: str | None = None  # for tests and local stacks; None means the AWS default endpoint

    def __post_init__(self) -> None:
        if self.slack_webhook_url is not None:
            check_webhook_url(self.slack_webhook_url)
        if self.sns_topic_arn is not None and not _TOPIC_ARN.match(self.sns_topic_arn):
            raise DeliveryConfigError(f"SLEUTH_SNS_TOPIC_ARN is not an SNS topic ARN: {self.sns_topic_arn!r}")
        if self.report_bucket is not None and not _BUCKET.match(self.report_bucket):
            raise DeliveryConfigError(f"SLEUTH_REPORT_BUCKET is not a bucket name: {self.report_bucket!r}")
        if not 0 <= self.presign_seconds <= MAX_PRESIGN_SECONDS:
            raise DeliveryConfigError(
                f"SLEUTH_REPORT_PRESIGN_SECONDS must be 0..{MAX_PRESIGN_SECONDS}, got {self.presign_seconds}"
            )

    @property
    def prefix(self) -> str:
        """The key prefix, ending in '/' unless empty."""
        p = self.report_prefix.strip("/")
        return f"{p}/" if p else ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DeliveryConfig:
        """Read SLEUTH_SLACK_WEBHOOK_URL, SLEUTH_SNS_TOPIC_ARN (or SLEUTH_REPORT_TOPIC_ARN, the name
        deploy/template.yaml sets), SLEUTH_REPORT_BUCKET, SLEUTH_REPORT_PREFIX and
        SLEUTH_REPORT_PRESIGN_SECONDS."""

        def get(*names: str) -> str | None:
            for name in names:
                value = (env.get(name) or "").strip()
                if value:
                    return value
            return None

        presign = get("SLEUTH_REPORT_PRESIGN_SECONDS") or "0"
        try:
            seconds = int(presign)
        except ValueError:
            raise DeliveryConfigError(
                f"SLEUTH_REPORT_PRESIGN_SECONDS must be an integer, got {presign!r}"
            ) from None
        prefix = env.get("SLEUTH_REPORT_PREFIX")
        return cls(
            slack_webhook_url=get("SLEUTH_SLACK_WEBHOOK_URL"),
            sns_topic_arn=get("SLEUTH_SNS_TOPIC_ARN", "SLEUTH_REPORT_TOPIC_ARN"),
            report_bucket=get("SLEUTH_REPORT_BUCKET"),
            report_prefix=cls.report_prefix if prefix is None else prefix,
            presign_seconds=seconds,
        )

    @property
    def configured(self) -> bool:
        return bool(self.slack_webhook_url or self.sns_topic_arn or self.report_bucket)


def check_webhook_url(url: str) -> None:
    """HTTPS only (the URL is the credential and the payload is an incident), plain HTTP to loopback for tests."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return
    # Do not echo the URL: it is the secret.
    raise DeliveryConfigError("SLEUTH_SLACK_WEBHOOK_URL must be an https:// URL")
