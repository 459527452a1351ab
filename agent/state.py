"""The investigation's graph state (what LangGraph checkpoints) and its input schema.

Everything in the state is plain JSON (pydantic models dumped in "json" mode), so the SQLite
checkpointer can store it and a later process can resume it; nodes rebuild the models they need.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


class InvestigationInput(TypedDict, total=False):
    question: str | None
    alarm_event: dict[str, Any] | None
    now: str  # ISO-8601; the present, injected (a bundle's now, or the wall clock once at the CLI)
    timezone: str | None  # the asker's zone for clock times in the question (IANA name or offset)
    start: str | None
    end: str | None


class InvestigationState(TypedDict, total=False):
    question: str | None
    alarm_event: dict[str, Any] | None
    now: str
    timezone: str | None  # the asker's zone for clock times in the question (IANA name or offset)
    start: str | None
    end: str | None
    scope: dict[str, Any]
    topology: dict[str, Any]
    evidence: Annotated[list[dict[str, Any]], operator.add]
    hypotheses: list[dict[str, Any]]
    probes_done: Annotated[list[str], operator.add]
    pending_probes: list[dict[str, Any]]
    data_gaps: Annotated[list[str], operator.add]
    observability_gaps: Annotated[list[str], operator.add]
    charts: Annotated[list[dict[str, Any]], operator.add]
    notes: Annotated[list[str], operator.add]
    tool_calls: Annotated[int, operator.add]
    aws_calls: Annotated[int, operator.add]
    iteration: int
    capped: Annotated[list[str], operator.add]
    feedback: dict[str, str]  # hypothesis failure_mode|resource -> "accepted" | "discarded"
    report: dict[str, Any]
