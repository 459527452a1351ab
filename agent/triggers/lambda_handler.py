"""The Lambda entry point behind the EventBridge rule in deploy/template.yaml.

Configuration comes from the environment the template sets:
- SLEUTH_DEDUPE_TABLE (required): the DynamoDB table of the dedupe store.
- SLEUTH_INVESTIGATOR: `module:function` of the investigator (default `agent.investigate:handle_request`).
- SLEUTH_DEDUPE_MINUTES, SLEUTH_MAX_INVESTIGATIONS, SLEUTH_CAP_WINDOW_MINUTES: the storm policy.
- SLEUTH_WINDOW_BEFORE_MINUTES, SLEUTH_WINDOW_AFTER_MINUTES: the investigation window.
- Deliveries (Slack, SNS, S3): the settings `DeliveryConfig.from_env` reads (agent/triggers/delivery/config.py).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, cast

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from agent.triggers.dedupe import DedupePolicy
from agent.triggers.delivery import DeliveryConfig, DeliveryConfigError, ReportDelivery
from agent.triggers.delivery.dispatch import redacted
from agent.triggers.dynamodb_store import DynamoDBStore
from agent.triggers.investigator import Deliver, InvestigationRequest, Investigator
from agent.triggers.runner import TriggerConfig, handle_and_drain
from tools.aws import AwsClients

log = logging.getLogger(__name__)

DEFAULT_INVESTIGATOR = "agent.investigate:handle_request"


class ConfigError(RuntimeError):
    """The function is deployed without a setting it needs: fail loudly so the Errors metric shows it."""


@dataclass(frozen=True)
class Deps:
    investigator: Investigator
    store: DynamoDBStore
    clients: AwsClients
    deliver: Deliver
    config: TriggerConfig


def log_report(request: InvestigationRequest, report: dict[str, Any]) -> None:
    """The report as one JSON log line, redacted: whatever else happens to it, the log keeps it."""
    line = {"investigation_id": request.investigation_id, "report": report}
    log.info(json.dumps(redacted(line), default=str))


def log_and_deliver(delivery: ReportDelivery) -> Deliver:
    """Log the report, then deliver it (Slack, SNS, S3 as configured)."""

    def run(request: InvestigationRequest, report: dict[str, Any]) -> None:
        log_report(request, report)
        if delivery.config.configured:
            delivery(request, report)

    return run


def load_investigator(ref: str) -> Investigator:
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"SLEUTH_INVESTIGATOR must look like 'package.module:function', got {ref!r}")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load investigator {ref!r}: {exc}") from exc
    if not callable(target):
        raise ConfigError(f"investigator {ref!r} is not callable")
    return cast(Investigator, target)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from None


def load_api_key(env: MutableMapping[str, str], session: boto3.Session) -> None:
    """At cold start, put the Anthropic API key from Secrets Manager (SLEUTH_API_KEY_SECRET_ARN) into
    ANTHROPIC_API_KEY, where the planner reads it. The secret is a plain string, or JSON with one of
    ANTHROPIC_API_KEY / api_key. A plain client: the investigation's read-only clients never read secrets."""
    arn = env.get("SLEUTH_API_KEY_SECRET_ARN")
    if not arn or env.get("ANTHROPIC_API_KEY"):
        return
    try:
        secret = session.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    except (ClientError, BotoCoreError, KeyError) as exc:
        raise ConfigError(f"cannot read the API key secret {arn}: {type(exc).__name__}") from None
    try:
        parsed = json.loads(secret)
    except ValueError:
        parsed = secret
    if isinstance(parsed, dict):
        parsed = parsed.get("ANTHROPIC_API_KEY") or parsed.get("api_key")
    if not isinstance(parsed, str) or not parsed.strip():
        raise ConfigError(f"the secret {arn} holds no API key (a string, or JSON with ANTHROPIC_API_KEY)")
    env["ANTHROPIC_API_KEY"] = parsed.strip()


def deps_from_env(env: Mapping[str, str], session: boto3.Session | None = None) -> Deps:
    """Everything the handler needs, from the function's environment and its role's credentials."""
    table = env.get("SLEUTH_DEDUPE_TABLE")
    if not table:
        raise ConfigError("SLEUTH_DEDUPE_TABLE is not set")
    session = session or boto3.Session()
    policy = DedupePolicy(
        dedupe_minutes=_int(env, "SLEUTH_DEDUPE_MINUTES", DedupePolicy.dedupe_minutes),
        cap=_int(env, "SLEUTH_MAX_INVESTIGATIONS", DedupePolicy.cap),
        cap_window_minutes=_int(env, "SLEUTH_CAP_WINDOW_MINUTES", DedupePolicy.cap_window_minutes),
    )
    try:
        delivery = DeliveryConfig.from_env(env)
    except DeliveryConfigError as exc:
        raise ConfigError(str(exc)) from None
    config = TriggerConfig(
        minutes_before=_int(env, "SLEUTH_WINDOW_BEFORE_MINUTES", TriggerConfig.minutes_before),
        minutes_after=_int(env, "SLEUTH_WINDOW_AFTER_MINUTES", TriggerConfig.minutes_after),
        queue_max_minutes=_int(env, "SLEUTH_QUEUE_MAX_MINUTES", TriggerConfig.queue_max_minutes),
    )
    return Deps(
        investigator=load_investigator(env.get("SLEUTH_INVESTIGATOR") or DEFAULT_INVESTIGATOR),
        # The store writes, so it is a plain client: AwsClients would (rightly) refuse its writes.
        store=DynamoDBStore(session.client("dynamodb"), table, policy),
        clients=AwsClients(session),
        # Deliveries write too, through clients of their own; the report is already logged here.
        deliver=log_and_deliver(ReportDelivery(delivery, session, log_report=False)),
        config=config,
    )


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point: parse, dedupe, investigate, deliver; answer with a small JSON summary.

    Never raises on a bad event (it is stored as unprocessed). Store or configuration failures do raise,
    so that Lambda retries the event and the function's Errors metric shows the fault.
    """
    session = boto3.Session()
    load_api_key(os.environ, session)  # at cold start; later invocations find the key already set
    deps = deps_from_env(os.environ, session)
    result = handle_and_drain(
        event, deps.investigator, deps.store, clients=deps.clients, deliver=deps.deliver, config=deps.config
    )
    request_id = getattr(context, "aws_request_id", None)
    if request_id:
        result["request_id"] = request_id
    log.info(json.dumps(result, default=str))
    return result
