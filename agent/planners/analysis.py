"""Which analyzer reads which tool's output, for any tool the model calls.

The probe tools go through the rules planner's own mapping (agent.nodes.analyze), so a model's probe
and a rules probe yield the same evidence; the survey tools, which the rules planner only calls in its
survey, are mapped here the way its survey node reads them.
"""

from __future__ import annotations

from typing import Any

from agent import analyzers
from agent.analyzers import logs as log_an
from agent.analyzers import metrics as metric_an
from agent.analyzers import state as state_an
from agent.analyzers import traces as trace_an
from agent.nodes import analyze as analyze_probe
from agent.scope import Scope
from tools.result import ToolResult


def analyze(name: str, res: ToolResult[Any], scope: Scope) -> list[analyzers.Draft]:
    data: Any = res.data
    if data is None:
        return []
    if name == "key_metrics":
        return metric_an.from_key_metrics(data, scope.end)
    if name == "error_counts":
        return log_an.from_error_counts(data, scope.end)
    if name == "log_templates":
        groups = list(res.params.get("log_groups") or [])
        return log_an.from_templates(data, groups, scope.start, scope.end) if groups else []
    if name == "service_map":
        return trace_an.from_service_map(data, scope.start, scope.end)
    if name == "target_health":
        return state_an.from_target_health(data, scope.now)
    if name == "ecs_service_events":
        return state_an.from_ecs(data)
    if name == "nacl_check":
        return state_an.from_nacl(data)
    return analyze_probe(name, res, scope)
