"""Run an investigation end to end: trigger in, report out (offline against a bundle, or live)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from langchain_core.runnables import RunnableConfig

from agent.graph import build
from agent.report.model import Report
from agent.runtime import Limits, Runtime
from tools import catalog as _tools  # noqa: F401 - registers every tool
from tools.aws import AwsClients, CallBudget
from tools.registry import ToolContext


def investigate(
    aws: AwsClients,
    *,
    now: datetime,
    question: str | None = None,
    alarm_event: dict[str, Any] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limits: Limits | None = None,
    progress: Callable[[str], None] | None = None,
    checkpointer: Any = None,
    thread_id: str | None = None,
    feedback: dict[str, str] | None = None,
) -> Report:
    """Investigate and return the report. Caps (tool calls, wall time, iterations) always yield a report."""
    started = time.perf_counter()
    runtime = Runtime(
        tools=ToolContext(aws=aws, now=now), limits=limits or Limits(), progress=progress or (lambda _m: None)
    )
    compiled = build().compile(checkpointer=checkpointer)
    config: dict[str, Any] = {"configurable": {"runtime": runtime}, "recursion_limit": 60}
    if thread_id:
        config["configurable"]["thread_id"] = thread_id
    payload: dict[str, Any] = {
        "question": question,
        "alarm_event": alarm_event,
        "now": now.isoformat(),
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }
    if feedback:
        payload["feedback"] = feedback
    state = compiled.invoke(payload, cast(RunnableConfig, config))
    report = Report.model_validate(state["report"])
    report.stats.duration_s = round(time.perf_counter() - started, 3)
    report.stats.aws_calls = aws.budget.used
    return report


def offline(bundle: Any, **kwargs: Any) -> Report:
    """Investigate a bundle's own trigger against its replay (demo, tests, evals)."""
    from evals.replay import replay_session

    session, _ = replay_session(bundle)
    m = bundle.manifest
    aws = AwsClients(session, budget=CallBudget(limit=kwargs.pop("aws_call_limit", 600)))
    event = m.trigger.alarm_event.model_dump(mode="json", by_alias=True) if m.trigger.alarm_event else None
    return investigate(aws, now=m.now, question=m.trigger.question, alarm_event=event, **kwargs)
