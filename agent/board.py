"""The hypothesis board: evidence, hypotheses and how confidence is computed from them.

Planners (rules or a model) propose hypotheses and probes; the board's code decides what evidence
exists, which hypotheses are reportable, and how confident to be. A hypothesis that cites no
evidence, or evidence that does not exist, is never reported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

Category = Literal["change", "system_change", "limit", "component_failure", "dependency_failure"]
Action = Literal["rollback", "block", "scale", "restart", "exclude", "reconfigure", "upgrade"]
EvidenceKind = Literal[
    "alarm",
    "metric_anomaly",
    "log_pattern",
    "trace_fault",
    "change_event",
    "resource_state",
    "health_event",
    "data_gap",
]
Status = Literal["open", "confirmed", "ruled_out", "accepted", "discarded"]


class SourceCall(BaseModel):
    """The exact tool call that produced a piece of evidence: re-run it to see the same thing."""

    tool: str
    params: dict[str, Any]


class Evidence(BaseModel):
    id: str = Field(description="stable id such as ev-12")
    kind: EvidenceKind
    resource: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    summary: str
    source: SourceCall
    signals: list[str] = Field(default_factory=list, description="signal names (agent/signals.py) it shows")
    strength: float = Field(default=0.5, ge=0, le=1, description="how clearly it shows them")
    facts: dict[str, Any] = Field(default_factory=dict, description="structured details analyzers recorded")


class RemediationStep(BaseModel):
    action: Action
    description: str
    command: str | None = None


class Hypothesis(BaseModel):
    id: str
    title: str
    category: Category
    resource: str
    failure_mode: str
    chain: list[str] = Field(default_factory=list, description="resources from root cause to symptom")
    supporting: list[str] = Field(default_factory=list)
    contradicting: list[str] = Field(default_factory=list)
    confidence: float = 0.0
    status: Status = "open"
    remediation: list[RemediationStep] = Field(default_factory=list)
    prevention: list[str] = Field(default_factory=list)
    rationale: str = ""
    # Set by scoring when the hypothesis is a release that then ran healthy for longer than it takes to
    # serve its traffic: the trouble did not begin with it, so its release time dates nothing.
    _released_healthy: bool = PrivateAttr(default=False)
    # Set by scoring: the observed trouble it accounts for, and the distinctive trouble it leaves
    # unexplained (which a better explanation accounts for too).
    _covers: frozenset[str] = PrivateAttr(default=frozenset())
    _leaves: frozenset[str] = PrivateAttr(default=frozenset())
    # Set by scoring when its own signs are what an earlier hypothesis produces.
    _an_effect: bool = PrivateAttr(default=False)
