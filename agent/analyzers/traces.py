"""Trace evidence: where faults originate, whether they concentrate, and slow or failing remote calls."""

from __future__ import annotations

from datetime import datetime

from agent.analyzers import Draft
from agent.analyzers.logs import message_signals
from tools.traces import ServiceMap, TraceFaults


def from_faults(out: TraceFaults, start: datetime | None, end: datetime | None) -> list[Draft]:
    drafts: list[Draft] = []
    if not out.faulted:
        return drafts
    for rc in out.root_causes[:4]:
        share = rc.traces / out.faulted
        if share < 0.2:
            continue
        drafts.append(
            Draft(
                kind="trace_fault",
                resource=rc.service,
                start=None,
                end=end,
                summary=f"{rc.traces} of {out.faulted} faulted traces fail at {rc.service} ({rc.path})"
                + (f" with {rc.exception}" if rc.exception else ""),
                signals=["trace_faults", *message_signals(rc.exception)],
                strength=round(min(0.9, 0.3 + 0.6 * share), 3),
                facts={
                    "path": rc.path,
                    "exception": rc.exception,
                    "share": share,
                    "faulted": out.faulted,
                    "traces": out.traces,
                },
            )
        )
    for c in out.concentrations:
        drafts.append(
            Draft(
                kind="trace_fault",
                resource=c.value,
                start=None,
                end=end,
                summary=f"faults concentrate on {c.dimension} {c.value}: {c.share_of_faults:.0%} of faulted traces "
                f"but {c.share_of_all:.0%} of all traces",
                signals=["trace_fault_concentrated"],
                strength=round(min(0.9, c.share_of_faults - c.share_of_all + 0.3), 3),
                facts={
                    "dimension": c.dimension,
                    "share_of_faults": c.share_of_faults,
                    "share_of_all": c.share_of_all,
                },
            )
        )
    return drafts


def from_service_map(out: ServiceMap, start: datetime | None, end: datetime | None) -> list[Draft]:
    drafts: list[Draft] = []
    for node in out.services:
        if node.type != "remote" or not node.requests:
            continue
        rate = (node.faults + node.errors) / node.requests
        if rate < 0.05 and (node.avg_response_s or 0) < 1.0:
            continue
        drafts.append(
            Draft(
                kind="trace_fault",
                resource=node.name,
                start=None,
                end=end,
                summary=f"remote endpoint {node.line()}",
                signals=["remote_slow"],
                strength=round(min(0.85, 0.3 + rate + min((node.avg_response_s or 0) / 10, 0.3)), 3),
                facts={
                    "requests": node.requests,
                    "faults": node.faults,
                    "avg_response_s": node.avg_response_s,
                },
            )
        )
    return drafts
