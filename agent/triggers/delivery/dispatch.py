"""`deliver`: every configured delivery of one report, each recorded, none able to stop the others."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from agent.report import view
from agent.report.model import Report
from agent.triggers.delivery import s3, slack, sns
from agent.triggers.delivery.config import DeliveryConfig
from agent.triggers.delivery.slack import SlackError
from agent.triggers.investigator import InvestigationRequest
from tools.redact import redact, redact_value

log = logging.getLogger(__name__)

Channel = Literal["s3", "sns", "slack"]
SlackPost = Callable[[str, dict[str, Any]], object]
# What a minimal investigator report ({"verdict", "summary"}) lacks to be a Report.
_EMPTY_REPORT: dict[str, Any] = {
    "hypotheses": [],
    "evidence": [],
    "timeline": [],
    "data_gaps": [],
    "observability_gaps": [],
    "stats": {},
}
# What one delivery can fail with and still let the others run: AWS answers, transport, Slack.
_DELIVERY_ERRORS = (ClientError, BotoCoreError, SlackError, OSError, ValueError)


class DeliveryFailed(RuntimeError):
    """At least one delivery failed; the report itself is logged and stored, and the rest were attempted."""


@dataclass(frozen=True)
class Outcome:
    channel: Channel
    ok: bool
    detail: str  # a URL or message id on success, the error on failure (never a secret)


@dataclass
class DeliveryResult:
    investigation_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "investigation_id": self.investigation_id,
            "delivered": [o.channel for o in self.outcomes if o.ok],
            "failed": {o.channel: o.detail for o in self.failed},
            "urls": dict(self.urls),
        }


def as_report(data: Report | Mapping[str, Any]) -> Report:
    """A Report from the investigator's JSON; a minimal one (verdict and summary) gets empty sections."""
    if isinstance(data, Report):
        return data
    return Report.model_validate({**_EMPTY_REPORT, **data})


def redacted(value: Any) -> Any:
    return redact_value(value)


def default_id(report: Report) -> str:
    """A stable id for a report delivered outside an investigation run (same report, same id)."""
    return "rep-" + hashlib.sha256(report.model_dump_json().encode()).hexdigest()[:16]


def deliver(
    report: Report | Mapping[str, Any],
    config: DeliveryConfig,
    *,
    investigation_id: str | None = None,
    at: datetime | None = None,
    session: boto3.Session | None = None,
    slack_post: SlackPost | None = None,
    log_report: bool = True,
) -> DeliveryResult:
    """Deliver `report` to S3 (first, so the others can link to it), SNS and Slack, as configured.

    `at` dates the S3 keys (the alarm's state change; default: the report's impact start or window end).
    Each failure is recorded and logged and the next delivery still runs. The redacted report is logged
    as one JSON line when `log_report` (the default) and nothing else holds it: no delivery configured,
    or one failed.
    """
    rep = as_report(report)
    inv = investigation_id or default_id(rep)
    result = DeliveryResult(inv)
    session = session or boto3.Session()
    stored: s3.StoredReport | None = None

    if config.report_bucket:
        bucket = config.report_bucket
        stamp = at or rep.impact_start or rep.window_end or rep.window_start
        try:
            if stamp is None:
                raise ValueError("no date for the report's S3 key: pass `at`")
            client = s3.client(session, config.endpoint_url)
            stored = s3.store(
                client,
                bucket,
                rep,
                prefix=config.prefix,
                at=stamp,
                investigation_id=inv,
                presign_seconds=config.presign_seconds,
            )
        except _DELIVERY_ERRORS as exc:
            _failed(result, "s3", exc)
        else:
            result.urls.update(html=stored.html_url, json=stored.json_url, link=stored.link)
            result.outcomes.append(Outcome("s3", True, stored.html_url))

    link = stored.link if stored else None
    notice = _where(inv, stored_failed=bool(config.report_bucket) and stored is None)

    if config.sns_topic_arn:
        try:
            client = session.client("sns", endpoint_url=config.endpoint_url)
            message_id, truncated = sns.publish(
                client, config.sns_topic_arn, rep, investigation_id=inv, link=link, link_notice=notice
            )
        except _DELIVERY_ERRORS as exc:
            _failed(result, "sns", exc)
        else:
            result.outcomes.append(Outcome("sns", True, message_id + (" (truncated)" if truncated else "")))

    if config.slack_webhook_url:
        try:
            payload = slack.build_message(rep, investigation_id=inv, link=link, link_notice=notice)
            (slack_post or slack.post)(config.slack_webhook_url, payload)
        except _DELIVERY_ERRORS as exc:
            _failed(result, "slack", exc)
        else:
            result.outcomes.append(Outcome("slack", True, "posted"))

    for outcome in result.outcomes:
        level = logging.INFO if outcome.ok else logging.ERROR
        log.log(
            level, "delivery %s of %s: %s", outcome.channel, inv, outcome.detail if not outcome.ok else "ok"
        )
    if log_report and (not result.outcomes or result.failed):
        line = {
            "investigation_id": inv,
            "delivery": result.as_dict(),
            "report": view.prepare(rep).model_dump(mode="json"),
        }
        log.warning(json.dumps(redacted(line)))
    return result


def _failed(result: DeliveryResult, channel: Channel, exc: Exception) -> None:
    detail = redact(f"{type(exc).__name__}: {exc}")
    result.outcomes.append(Outcome(channel, False, detail))


def _where(inv: str, *, stored_failed: bool) -> str:
    if stored_failed:
        return (
            f"The full report could not be stored in S3; it is in the Sleuth log under investigation {inv}."
        )
    return f"Full report: in the Sleuth log under investigation {inv} (no report bucket configured)."


class ReportDelivery:
    """The runner's `deliver` seam: deliver each finished investigation's report per `config`.

    Raises DeliveryFailed when a delivery failed, so the runner records it next to the stored report;
    `results` keeps every DeliveryResult for the caller.
    """

    def __init__(
        self,
        config: DeliveryConfig,
        session: boto3.Session | None = None,
        *,
        slack_post: SlackPost | None = None,
        log_report: bool = True,
    ) -> None:
        self.config = config
        self.session = session
        self.slack_post = slack_post
        self.log_report = log_report
        self.results: list[DeliveryResult] = []

    def __call__(self, request: InvestigationRequest, report: dict[str, Any]) -> None:
        try:
            rep = as_report(report)
        except ValidationError as exc:
            if self.log_report:
                log.warning(
                    json.dumps(redacted({"investigation_id": request.investigation_id, "report": report}))
                )
            raise DeliveryFailed(
                f"report does not match the report contract: {exc.error_count()} errors"
            ) from None
        if rep.alarm is None:  # a report of an alarm's investigation is about that alarm
            rep = rep.model_copy(update={"alarm": request.scope.alarm_name})
        result = deliver(
            rep,
            self.config,
            investigation_id=request.investigation_id,
            at=request.scope.changed_at,
            session=self.session,
            slack_post=self.slack_post,
            log_report=self.log_report,
        )
        self.results.append(result)
        if result.failed:
            raise DeliveryFailed("; ".join(f"{o.channel}: {o.detail}" for o in result.failed))
