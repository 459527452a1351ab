"""Fixtures for the trigger tests: AWS's documented sample events, an event builder, a fake investigator."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.triggers.investigator import InvestigationRequest

EVENTS = Path(__file__).parent / "events"


def sample(name: str) -> dict[str, Any]:
    """One of the CloudWatch User Guide's sample events (see events/README.md)."""
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return data


def aws_stamp(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+0000"


def alarm_event(
    name: str,
    dimensions: dict[str, str],
    at: datetime,
    *,
    namespace: str = "AWS/EC2",
    metric: str = "CPUUtilization",
    state: str = "ALARM",
    previous: str = "OK",
    account: str = "123456789012",
    region: str = "us-east-1",
) -> dict[str, Any]:
    """A single-metric alarm event in the documented shape (the single-metric sample, re-aimed)."""
    event = copy.deepcopy(sample("single_metric"))
    event["account"], event["region"] = account, region
    event["time"] = f"{at:%Y-%m-%dT%H:%M:%SZ}"
    event["resources"] = [f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"]
    detail = event["detail"]
    detail["alarmName"] = name
    detail["configuration"]["metrics"][0]["metricStat"]["metric"] = {
        "dimensions": dimensions,
        "name": metric,
        "namespace": namespace,
    }
    detail["state"]["value"], detail["state"]["timestamp"] = state, aws_stamp(at)
    detail["previousState"]["value"] = previous
    return event


class FakeInvestigator:
    """Stands in for the agent, which does not exist yet: records each request, answers a fixed report."""

    def __init__(self, report: dict[str, Any] | None = None, error: Exception | None = None) -> None:
        self.requests: list[InvestigationRequest] = []
        self.report = report or {"verdict": "inconclusive", "summary": "fake investigation"}
        self.error = error

    def __call__(self, request: InvestigationRequest) -> dict[str, Any]:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return {**self.report, "alarm": request.scope.alarm_name}


@pytest.fixture
def investigator() -> FakeInvestigator:
    return FakeInvestigator()


@pytest.fixture
def event_at() -> Callable[..., dict[str, Any]]:
    return alarm_event
