"""The report's JSON contract. Evals and integrations read this shape: keep it stable.

`Report.model_dump(mode="json")` is what `--format json` prints. Fields are only ever added.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from agent.board import Action, Category, EvidenceKind, SourceCall, Status

# insufficient_data: the evidence needed to judge the symptom could not be read (permissions, region,
# throttling); never an all-clear.
Verdict = Literal["root_cause", "inconclusive", "no_fault", "insufficient_data"]


class ReportRemediation(BaseModel):
    action: Action
    description: str
    command: str | None = None


class ReportHypothesis(BaseModel):
    rank: int
    title: str
    category: Category
    resource: str
    failure_mode: str
    confidence: float = Field(ge=0, le=1)
    chain: list[str]
    evidence: list[str] = Field(description="ids of supporting evidence")
    contradicting: list[str] = Field(default_factory=list)
    remediation: list[ReportRemediation]
    prevention: list[str]
    status: Status
    rationale: str = ""


class ReportEvidence(BaseModel):
    id: str
    kind: EvidenceKind
    resource: str | None
    start: datetime | None
    end: datetime | None
    summary: str
    source: SourceCall
    signals: list[str] = Field(default_factory=list, description="what it shows (agent/signals.py names)")
    rerun: SourceCall | None = Field(
        default=None, description="the smallest tool call that reproduces this item (`sleuth rerun`)"
    )
    aws_cli: list[str] = Field(
        default_factory=list, description="AWS CLI commands that make the same requests as `rerun`"
    )


class TimelineEntry(BaseModel):
    time: datetime
    what: str
    evidence: str | None = None
    kind: Literal["change", "onset", "alarm", "event", "symptom"] = "event"


class Chart(BaseModel):
    """A metric series to draw, with the moments worth marking."""

    title: str
    resource: str | None = None
    unit: str = ""
    timestamps: list[datetime]
    values: list[float]
    onset: datetime | None = None
    markers: list[TimelineEntry] = Field(default_factory=list)
    evidence: str | None = None
    threshold: float | None = Field(default=None, description="the alarm's threshold, drawn as a line")
    comparison: str | None = Field(default=None, description="how the alarm compares: >, >=, <, <=")
    alarm: str | None = Field(default=None, description="the alarm whose own metric this is")


class Stats(BaseModel):
    tool_calls: int = 0
    aws_calls: int = 0
    duration_s: float = 0.0
    llm_tokens: int = 0
    llm_cost_usd: float = 0.0
    planner: str = "rules"
    capped: list[str] = Field(
        default_factory=list, description="caps that were hit (tool calls, time, tokens)"
    )


class Report(BaseModel):
    verdict: Verdict
    summary: str
    title: str = ""
    question: str | None = None
    alarm: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    impact_start: datetime | None = None
    timezone: str | None = Field(
        default=None,
        description="the asker's zone (IANA name or offset); renderers show its times beside UTC",
    )
    hypotheses: list[ReportHypothesis]
    evidence: list[ReportEvidence]
    timeline: list[TimelineEntry]
    data_gaps: list[str]
    observability_gaps: list[str]
    charts: list[Chart] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    missing_permissions: list[str] = Field(
        default_factory=list, description="IAM actions AWS refused (e.g. cloudwatch:GetMetricData)"
    )
    stats: Stats
