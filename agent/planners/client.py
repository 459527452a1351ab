"""The Anthropic client: the Anthropic API with a key, or Amazon Bedrock with the usual AWS settings."""

from __future__ import annotations

from typing import Any

import anthropic

from agent.planners.settings import ClaudeSettings


class ModelUnavailable(RuntimeError):
    """No model can be reached: no key, no Bedrock setting, or the API refused for good."""


def make_client(settings: ClaudeSettings) -> Any:
    """A client for `settings`; raises ModelUnavailable with what to set when nothing is configured."""
    common: dict[str, Any] = {"max_retries": settings.max_retries, "timeout": settings.timeout_s}
    if settings.base_url:
        common["base_url"] = settings.base_url
    if settings.bedrock:
        return anthropic.AnthropicBedrock(
            aws_region=settings.aws_region, aws_profile=settings.aws_profile, **common
        )
    if not settings.api_key:
        raise ModelUnavailable(
            "the claude planner needs ANTHROPIC_API_KEY, or SLEUTH_BEDROCK=1 with AWS credentials "
            "(region and profile from AWS_REGION / AWS_PROFILE)"
        )
    return anthropic.Anthropic(api_key=settings.api_key, **common)


def describe(exc: BaseException) -> str:
    """One line for a failed model call, naming the HTTP status and the API's error type when known."""
    if isinstance(exc, anthropic.APIStatusError):
        body: dict[str, Any] = exc.body if isinstance(exc.body, dict) else {}
        error: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
        kind = error.get("type") or type(exc).__name__
        message = error.get("message") or str(exc)
        return f"model API error {exc.status_code} {kind}: {message}"[:300]
    if isinstance(exc, anthropic.APIConnectionError):
        return f"model API unreachable: {exc}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]
