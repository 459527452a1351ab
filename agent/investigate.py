"""Run an investigation end to end: trigger in, report out (offline against a bundle, or live)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

from langchain_core.runnables import RunnableConfig

from agent.graph import build
from agent.report.alarm_chart import with_alarm_chart
from agent.report.model import Report, Stats
from agent.runtime import Limits, Runtime
from tools import catalog as _tools  # noqa: F401 - registers every tool
from tools.aws import AwsClients, CallBudget
from tools.redact import redact_value
from tools.registry import ToolContext


def investigate(
    aws: AwsClients,
    *,
    now: datetime,
    question: str | None = None,
    alarm_event: dict[str, Any] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    timezone: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[str], None] | None = None,
    brain: str = "rules",
    llm: Any = None,
    thread_id: str | None = None,
    db_path: Path | None = None,
) -> Report:
    """Investigate and return the report. Caps (tool calls, wall time, iterations) always yield a report.

    With `thread_id` and `db_path` every step is checkpointed in SQLite, so `resume` can apply human
    feedback (accept / discard a hypothesis) and carry on from the hypotheses.
    """
    started = time.perf_counter()
    runtime = Runtime(
        tools=ToolContext(aws=aws, now=now),
        limits=limits or Limits(),
        progress=progress or (lambda _m: None),
        brain=brain,
    )
    payload: dict[str, Any] = {
        "question": question,
        "alarm_event": alarm_event,
        "now": now.isoformat(),
        "timezone": timezone,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }
    with _checkpointer(db_path) as saver:
        compiled = build().compile(checkpointer=saver) if saver is not None else _uncheckpointed()
        state = compiled.invoke(payload, _config(runtime, thread_id))
    return _finish(state, aws, started, brain, runtime)


@cache
def _uncheckpointed() -> Any:
    """The graph compiled once per process for investigations that keep no checkpoints: a compiled
    graph holds no run's state (that travels in each invocation's config), and compiling it again for
    every investigation cost a few hundredths of a second each time (an evaluation runs hundreds)."""
    return build().compile()


def resume(
    aws: AwsClients,
    *,
    thread_id: str,
    feedback: dict[str, str],
    db_path: Path,
    progress: Callable[[str], None] | None = None,
    by: str | None = None,
    at: datetime | None = None,
) -> Report:
    """Apply feedback ({failure_mode or "mode|resource": "accepted" | "discarded"}) to a checkpointed
    investigation and re-run it from its hypotheses. A key that names no hypothesis of the thread is a
    LookupError listing the valid ones; the new report notes who (`by`) gave each verdict and when (`at`)."""
    started = time.perf_counter()
    with _checkpointer(db_path) as saver:
        compiled = build().compile(checkpointer=saver)
        probe_config = cast(RunnableConfig, {"configurable": {"thread_id": thread_id}})
        snapshot = compiled.get_state(probe_config)
        if not snapshot.values:
            raise LookupError(f"no checkpointed investigation {thread_id!r} in {db_path}")
        values = snapshot.values
        _check_feedback(thread_id, feedback, values.get("hypotheses") or [])
        now = datetime.fromisoformat(values["now"])
        runtime = Runtime(tools=ToolContext(aws=aws, now=now), progress=progress or (lambda _m: None))
        config = _config(runtime, thread_id)
        merged = {**(values.get("feedback") or {}), **feedback}
        compiled.update_state(config, {"feedback": merged, "iteration": 0}, as_node="survey")
        state = compiled.invoke(None, config)
    report = _finish(state, aws, started, "rules", runtime)
    when = f" at {at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if at else ""
    report.notes += [f"{verdict} by {by or 'a person'}{when}: {key}" for key, verdict in feedback.items()]
    return report


def _check_feedback(thread_id: str, feedback: dict[str, str], hypotheses: list[dict[str, Any]]) -> None:
    valid: list[str] = []
    for h in hypotheses:
        valid += [h["failure_mode"], f"{h['failure_mode']}|{h['resource']}"]
    unknown = [key for key in feedback if key not in valid]
    if unknown:
        listed = ", ".join(dict.fromkeys(valid)) or "none"
        raise LookupError(
            f"thread {thread_id!r} has no hypothesis {', '.join(map(repr, unknown))}; its hypotheses: {listed}"
        )


def _config(runtime: Runtime, thread_id: str | None) -> RunnableConfig:
    config: dict[str, Any] = {"configurable": {"runtime": runtime}, "recursion_limit": 80}
    if thread_id:
        config["configurable"]["thread_id"] = thread_id
    return cast(RunnableConfig, config)


@contextmanager
def _checkpointer(db_path: Path | None) -> Iterator[Any]:
    if db_path is None:
        yield None
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(str(db_path), check_same_thread=False)
    try:
        yield SqliteSaver(conn)
    finally:
        conn.close()


def _finish(state: dict[str, Any], aws: AwsClients, started: float, brain: str, runtime: Runtime) -> Report:
    # The alarm's own chart is read before the one redaction pass every report crosses before any
    # output, store, delivery or log sees it.
    drafted = with_alarm_chart(Report.model_validate(state["report"]), runtime.run)
    report = Report.model_validate(redact_value(drafted.model_dump(mode="json")))
    report.stats.duration_s = round(time.perf_counter() - started, 3)
    report.stats.aws_calls = aws.budget.used
    report.timezone = report.timezone or state.get("timezone")
    return report


def offline(bundle: Any, **kwargs: Any) -> Report:
    """Investigate a bundle's own trigger against its replay (demo, tests, evals)."""
    from evals.replay import replay_session

    session, _ = replay_session(bundle)
    m = bundle.manifest
    aws = AwsClients(session, budget=CallBudget(limit=kwargs.pop("aws_call_limit", 600)))
    event = m.trigger.alarm_event.model_dump(mode="json", by_alias=True) if m.trigger.alarm_event else None
    kwargs.setdefault("timezone", m.trigger.timezone)
    return investigate(aws, now=m.now, question=m.trigger.question, alarm_event=event, **kwargs)


def could_not_investigate(
    reason: str,
    *,
    question: str | None = None,
    alarm: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """The report of an investigation that could not start (no credentials, no region): never an
    all-clear."""
    report = Report(
        verdict="insufficient_data",
        title="Could not investigate",
        summary=f"Could not investigate: {reason}. Nothing is known about the symptom's health.",
        question=question,
        alarm=alarm,
        window_start=start,
        window_end=end,
        hypotheses=[],
        evidence=[],
        timeline=[],
        data_gaps=[reason],
        observability_gaps=[],
        stats=Stats(),
    )
    return dict(redact_value(report.model_dump(mode="json")))


def trigger_brain(env: Mapping[str, str]) -> str:
    """The alarm trigger's planner: claude when a model is named (SLEUTH_MODEL) and reachable (a key, or
    Bedrock); the rules planner otherwise."""
    reachable = env.get("ANTHROPIC_API_KEY") or env.get("SLEUTH_BEDROCK", "") in ("1", "true", "yes")
    return "claude" if env.get("SLEUTH_MODEL") and reachable else "rules"


def scope_alarm(event: dict[str, Any] | None) -> str | None:
    detail = (event or {}).get("detail")
    name = detail.get("alarmName") if isinstance(detail, dict) else None
    return name if isinstance(name, str) else None


def handle_request(request: Any) -> dict[str, Any]:
    """The alarm runner's investigator (agent.triggers.investigator.Investigator): one request in, the report
    as JSON out. Uses the request's clients, or replays its bundle."""
    from evals.bundle import Bundle

    event = request.event.model_dump(mode="json", by_alias=True) if request.event is not None else None
    scope = request.scope
    if request.clients is not None:
        problem = request.clients.preflight()
        if problem is not None:
            return could_not_investigate(problem, alarm=scope_alarm(event), start=scope.start, end=scope.end)
        report = investigate(
            request.clients,
            now=scope.end,
            alarm_event=event,
            start=scope.start,
            end=scope.end,
            brain=trigger_brain(os.environ),
        )
    elif request.bundle is not None:
        bundle = Bundle.load(request.bundle)
        from evals.replay import replay_session

        session, _ = replay_session(bundle)
        now = (
            min(bundle.manifest.now, scope.end) if scope.end > bundle.manifest.start else bundle.manifest.now
        )
        report = investigate(
            AwsClients(session), now=now, alarm_event=event, start=scope.start, end=min(scope.end, now)
        )
    else:
        raise ValueError("an investigation request needs clients or a bundle")
    return report.model_dump(mode="json")
