"""Analyzers: pure functions from a tool's output to evidence drafts with signals.

Each analyzer reads one tool's typed output and says what it shows, generically ("this target group's
unhealthy hosts rose at 10:24", "someone revoked an ingress rule on sg-..."). The investigation gives
each draft an id and the tool call it came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from agent.board import EvidenceKind


class Draft(BaseModel):
    kind: EvidenceKind
    resource: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    summary: str
    signals: list[str] = Field(default_factory=list)
    strength: float = 0.5
    facts: dict[str, Any] = Field(default_factory=dict)


def strength_from_z(z: float) -> float:
    """Map a robust z-score to 0..1: 4 -> ~0.45, 8 -> ~0.7, 20+ -> ~0.95."""
    z = abs(z)
    if z < 3:
        return 0.0
    return round(min(0.98, 1 - 2.2 / (z - 1)), 3) if z > 3.2 else 0.1
