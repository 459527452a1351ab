"""The `fresh` suite: incidents written by authors who never read `agent/`, `tools/` or `evals/scenarios/`.

Each incident is one module in this folder (modules whose name starts with `_` are an author's private
helpers) exposing:

    NAME: str      # kebab-case, unique across every suite
    TITLE: str     # one line, as a person would title the incident
    SUMMARY: str   # one line: what happened (for `sleuth scenarios list`, never read by the agent)
    def build(seed: int) -> evals.bundle.Bundle   # deterministic: same seed, byte-identical bundle

An incident imports only the standard library, `evals.bundle` and its author's own `_` helpers.
They are scored at first sight (FIRST_SIGHT.md) and then frozen: a generator changes only to fix a
realism error, and the commit says which.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from evals.bundle import Bundle


@dataclass(frozen=True)
class FreshIncident:
    name: str
    title: str
    summary: str
    module: str


@cache
def _modules() -> dict[str, tuple[FreshIncident, Callable[[int], Bundle]]]:
    found: dict[str, tuple[FreshIncident, Callable[[int], Bundle]]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        name = getattr(module, "NAME", None)
        build = getattr(module, "build", None)
        if not isinstance(name, str) or not callable(build):
            raise TypeError(f"{module.__name__}: a fresh incident needs NAME (str) and build(seed)")
        if name in found:
            raise ValueError(
                f"fresh incident {name!r} is defined twice ({found[name][0].module}, {module.__name__})"
            )
        incident = FreshIncident(name, str(module.TITLE), str(module.SUMMARY), module.__name__)
        found[name] = (incident, build)
    return found


def list_incidents() -> list[FreshIncident]:
    """Every fresh incident, by name."""
    return [incident for incident, _ in _modules().values()]


def build(name: str, seed: int) -> Bundle:
    """The bundle of fresh incident `name` for `seed`; raises KeyError for an unknown name."""
    entries = _modules()
    if name not in entries:
        raise KeyError(f"no fresh incident named {name!r}; known: {', '.join(entries)}")
    return entries[name][1](seed)


__all__ = ["FreshIncident", "build", "list_incidents"]
