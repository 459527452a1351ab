"""The seam between a trigger and the investigation agent: what goes in, what must come back."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agent.triggers.events import AlarmStateChange
from agent.triggers.scope import Scope
from tools.aws import AwsClients

REQUIRED_REPORT_KEYS = ("verdict", "summary")


@dataclass(frozen=True)
class InvestigationRequest:
    """One investigation to run: the scope, the event it came from, and where to read from.

    Exactly one of `clients` (live or replayed AWS) and `bundle` (an incident bundle on disk) is usually
    set; an investigator given a bundle builds its own replayed clients.
    """

    investigation_id: str
    scope: Scope
    event: AlarmStateChange | None = None
    clients: AwsClients | None = None
    bundle: Path | None = None


class Investigator(Protocol):
    """Runs one investigation and returns a JSON-serialisable report with at least verdict and summary."""

    def __call__(self, request: InvestigationRequest) -> dict[str, Any]: ...


Deliver = Callable[[InvestigationRequest, dict[str, Any]], None]


class ReportError(ValueError):
    """An investigator returned something that is not a report."""


def check_report(report: Any) -> dict[str, Any]:
    """The report, if it is a JSON-serialisable dict with string `verdict` and `summary`; else ReportError."""
    if not isinstance(report, dict):
        raise ReportError(f"report must be a dict, got {type(report).__name__}")
    for key in REQUIRED_REPORT_KEYS:
        if not isinstance(report.get(key), str):
            raise ReportError(f"report[{key!r}] must be a string, got {report.get(key)!r}")
    try:
        json.dumps(report)
    except (TypeError, ValueError) as exc:
        raise ReportError(f"report is not JSON-serialisable: {exc}") from None
    return report
