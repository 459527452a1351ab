"""Fixtures for tool tests: a ToolContext over a replayed bundle, or over moto's server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from evals.replay import replay_session
from tests.conftest import BASE_MANIFEST, make_bundle
from tools.aws import AwsClients, CallBudget, RetryPolicy
from tools.registry import ToolContext

FAST = RetryPolicy(attempts=3, initial_s=0.01, max_wait_s=0.02)


@pytest.fixture
def tool_ctx() -> Callable[..., ToolContext]:
    """`tool_ctx(records, budget=400, **manifest)` -> a ToolContext answering from that bundle."""

    def build(records: dict[str, list[Any]] | None = None, budget: int = 400, **manifest: Any) -> ToolContext:
        bundle = make_bundle(records, **manifest)
        session, _ = replay_session(bundle)
        return ToolContext(
            aws=AwsClients(session, budget=CallBudget(limit=budget), retry=FAST), now=bundle.manifest.now
        )

    return build


@pytest.fixture
def moto_tool_ctx(moto_endpoint: str) -> ToolContext:
    """A ToolContext whose clients talk real HTTP to a fresh local moto server."""
    session = boto3.Session(
        region_name=BASE_MANIFEST["region"], aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    from datetime import UTC, datetime

    return ToolContext(aws=AwsClients(session, endpoint_url=moto_endpoint, retry=FAST), now=datetime.now(UTC))
