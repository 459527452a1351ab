"""Fixtures for the planner tests: no live model, no network beyond 127.0.0.1, one surveyed scenario."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from agent.report.model import Report
from evals.bundle import Bundle
from evals.scenarios import build
from tests.agent.planners.harness import investigate, surveyed

LOCAL = ("127.0.0.1", "localhost", "::1")


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection that is not to this machine, and hide any model key or Bedrock setting."""
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if host not in LOCAL:
            raise ConnectionRefusedError(f"tests may not reach {host}: live model calls are blocked")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    for name in ("ANTHROPIC_API_KEY", "SLEUTH_BEDROCK", "SLEUTH_MODEL", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def sg_bundle() -> Bundle:
    return build("sg-rule-revoked", 1)


@pytest.fixture(scope="session")
def sg_surveyed(sg_bundle: Bundle) -> dict[str, Any]:
    return surveyed(sg_bundle)


@pytest.fixture(scope="session")
def rules_report(sg_bundle: Bundle) -> Report:
    """The rules planner's report on the same scenario, to compare the Claude runs against."""
    return investigate(sg_bundle, None)[0]
