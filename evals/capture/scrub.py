"""Keep credentials and secrets out of a bundle: every string a capture stores passes through here."""

from __future__ import annotations

from typing import Any

from tools.redact import redact

HIDDEN = "[REDACTED]"


def scrub(value: Any) -> Any:
    """A copy of a JSON-like value with `tools.redact.redact` applied to every string in it."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def hide_environment(function: dict[str, Any]) -> dict[str, Any]:
    """A Lambda configuration without its environment values: they hold secrets by name, not by pattern."""
    env = function.get("Environment")
    if not isinstance(env, dict) or not env.get("Variables"):
        return function
    variables = {name: HIDDEN for name in env["Variables"]}
    return {**function, "Environment": {**env, "Variables": variables}}


def hide_overrides(task: dict[str, Any]) -> dict[str, Any]:
    """An ECS task without the environment values of its container overrides."""
    overrides = task.get("overrides")
    if not isinstance(overrides, dict):
        return task
    containers = []
    for c in overrides.get("containerOverrides", []):
        env = [{**e, "value": HIDDEN} for e in c.get("environment", [])]
        containers.append({**c, "environment": env} if env else c)
    return {**task, "overrides": {**overrides, "containerOverrides": containers}}
