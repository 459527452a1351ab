"""Re-run one piece of a report's evidence and say whether it still holds (`sleuth rerun`).

The item's narrowed call (the one metric, the one CloudTrail event; see agent.report.rerun.narrowed) is
made again through the same typed tool, its output read by the same analyzer, and the item holds when
that yields evidence of the same kind, about the same resource, showing the same signals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.analyzers import Draft
from agent.analyzers import changes as change_an
from agent.analyzers import metrics as metric_an
from agent.analyzers import state as state_an
from agent.planners.analysis import analyze
from agent.report.model import Report, ReportEvidence
from agent.scope import Scope
from tools.aws import AwsClients
from tools.catalog import REGISTRY
from tools.changes import Changes
from tools.registry import ToolContext
from tools.result import ToolResult, ToolStatus

# Evidence an investigation derives from a call together with other data (a metric series judged
# against the alarm's threshold and datapoints): a re-run can fetch the data again, not re-judge it alone.
JUDGED = {
    ("resource_state", "metric_series"),
    ("alarm", "metric_series"),
    ("alarm", "alarm_details"),
    # The fired alarm's breach (its series against its threshold) and its recurrence (its history
    # against the time it fired): the definition and history are read again, the judgement is the report's.
    ("metric_anomaly", "alarm_details"),
    # Every component of a namespace judged against its own history along the call graph (the service
    # map) from the trigger's symptom: the series are read again, the walk is the report's.
    ("metric_anomaly", "namespace_history"),
    ("resource_state", "alarm_details"),
}


@dataclass(frozen=True)
class Recheck:
    id: str
    call: str  # the tool call that was made again
    holds: bool | None  # None: the data was read again, but this item is not judged from it alone
    reads: str | None  # the matching evidence as it reads now
    reason: str

    def line(self) -> str:
        if self.holds:
            return f"{self.id} holds: {self.reads}"
        if self.holds is None:
            return f"{self.id} re-read, not re-judged ({self.reason})"
        return f"{self.id} does not hold: {self.reason}"


def find(report: Report, evidence_id: str) -> ReportEvidence:
    """The report's evidence item with this id; LookupError naming the valid ids otherwise."""
    for ev in report.evidence:
        if ev.id == evidence_id:
            return ev
    ids = ", ".join(e.id for e in report.evidence) or "none"
    raise LookupError(f"no evidence {evidence_id!r} in this report; its evidence ids: {ids}")


def recheck(report: Report, evidence_id: str, aws: AwsClients, now: datetime) -> Recheck:
    """Make the item's call again (against `aws`, live or a replay) and compare what it shows."""
    from agent.report.rerun import tool_call

    ev = find(report, evidence_id)
    call = ev.rerun or ev.source
    tool = REGISTRY.get(call.tool)
    if tool is None:
        raise LookupError(f"{ev.id} was produced by {call.tool!r}, which this version of Sleuth lacks")
    result = tool.run(ToolContext(aws=aws, now=now), call.params)
    made = tool_call(call)
    if result.status is not ToolStatus.OK:
        return Recheck(ev.id, made, False, None, f"{call.tool} {result.status.value}: {result.summary[:240]}")
    drafts = _read(call.tool, result, _scope(report, call.params, now), ev.resource)
    match = _matching(ev, drafts)
    if match is not None:
        return Recheck(ev.id, made, True, match.summary, "")
    if not any(d.kind == ev.kind for d in drafts) and (ev.kind, call.tool) in JUDGED:
        # The investigation judged this call's data against something else (an alarm's definition):
        # the data is there again, and the judgement is the report's to compare.
        return Recheck(ev.id, made, None, None, f"the call answers again: {result.summary[:240]}")
    seen = "; ".join(d.summary for d in drafts[:3]) or "nothing of note"
    return Recheck(ev.id, made, False, None, f"the same call now shows {seen}")


def _scope(report: Report, params: dict[str, Any], now: datetime) -> Scope:
    start = report.window_start or params.get("start")
    end = report.window_end or params.get("end") or now
    return Scope(question=report.question, alarm_name=report.alarm, start=start or end, end=end, now=now)


def _read(tool: str, result: ToolResult[Any], scope: Scope, resource: str | None) -> list[Draft]:
    data: Any = result.data
    if tool == "metric_series":
        return metric_an.from_series(data, resource, window_end=scope.end)
    if tool == "describe_resources":
        return state_an.from_instances([(n.id, n.state, n.attrs) for n in data.nodes if n.kind == "instance"])
    if tool == "cloudtrail_lookup":
        return change_an.from_changes(Changes(changes=data.events, read=len(data.events), dropped_as_noise=0))
    return analyze(tool, result, scope)


def _matching(ev: ReportEvidence, drafts: list[Draft]) -> Draft | None:
    """The same finding: identical text, else the same kind about the same resource showing a signal
    it showed. Log templates are mined afresh on each read, so for them the resource the investigation
    attributed the pattern to is not required, only the signal."""
    for d in drafts:
        # The same text, or the same finding copied onto the resource its message names (the copy
        # keeps the text and says whom it names).
        if d.kind == ev.kind and (d.summary == ev.summary or ev.summary.startswith(f"{d.summary} (")):
            return d
    loose = ev.kind == "log_pattern"
    for d in drafts:
        if d.kind != ev.kind or not (loose or d.resource == ev.resource):
            continue
        if not ev.signals or set(ev.signals) & set(d.signals):
            return d
    return None
