"""The planner's prompt templates (prompts/*.md), filled from the failure-mode catalog."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from agent.catalog import catalog


def template(name: str) -> str:
    return files("prompts").joinpath(f"{name}.md").read_text(encoding="utf-8")


@cache
def investigator_prompt() -> str:
    """The system prompt: the method, the rules, and the catalog's failure modes (stable, so cacheable)."""
    modes = "\n".join(
        f"- {m.id}: {m.category}, {'/'.join(m.applies_to)}: {m.title}" for m in catalog().values()
    )
    return template("investigator").replace("{catalog}", modes)


def narrative_prompt() -> str:
    return template("narrative")
