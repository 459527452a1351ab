"""The scenario catalogue: each generator registers a name, a title and a one-line summary."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from evals.scenarios.incident import Incident

Generator = Callable[[random.Random], Incident]


@dataclass(frozen=True)
class ScenarioInfo:
    name: str
    title: str
    summary: str


_SCENARIOS: dict[str, tuple[int, ScenarioInfo, Generator]] = {}


def scenario(number: int, name: str, title: str, summary: str) -> Callable[[Generator], Generator]:
    """Register a generator `fn(rng) -> Incident` under `name`, listed by its catalogue `number`."""

    def register(fn: Generator) -> Generator:
        if name in _SCENARIOS:
            raise ValueError(f"scenario {name!r} is registered twice")
        _SCENARIOS[name] = (number, ScenarioInfo(name, title, summary), fn)
        return fn

    return register


def infos() -> list[ScenarioInfo]:
    """The scenarios in catalogue order (the numbering of the scenario library issue)."""
    return [info for _, info, _ in sorted(_SCENARIOS.values(), key=lambda entry: entry[0])]


def generate(name: str, seed: int) -> Incident:
    """Run a generator with its own seeded random source (never the global one)."""
    if name not in _SCENARIOS:
        raise KeyError(f"no scenario named {name!r}; known: {', '.join(_SCENARIOS)}")
    return _SCENARIOS[name][2](random.Random(f"{name}:{seed}"))
