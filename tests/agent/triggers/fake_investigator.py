"""An investigator importable by name, as the Lambda loads one from SLEUTH_INVESTIGATOR."""

from __future__ import annotations

from typing import Any

from agent.triggers.investigator import InvestigationRequest

CALLS: list[InvestigationRequest] = []


def investigate(request: InvestigationRequest) -> dict[str, Any]:
    CALLS.append(request)
    resources = ", ".join(r.ref for r in request.scope.resources) or "no resources"
    return {"verdict": "no_fault", "summary": f"{request.scope.alarm_name} on {resources}"}
