"""Scenario generators: realistic AWS incidents as bundles with ground truth.

`list_scenarios()` names them; `build(name, seed)` returns the in-memory bundle (same name and seed,
byte-identical bundle).
"""

from __future__ import annotations

from evals.bundle import Bundle
from evals.scenarios import library as _library  # noqa: F401  (registers the generators)
from evals.scenarios.registry import ScenarioInfo, generate, infos

# What `sleuth demo` investigates when no scenario is named: the Aurora bug behind an ASG replacement loop.
DEFAULT_SCENARIO = "aurora-asg-loop"


def list_scenarios() -> list[ScenarioInfo]:
    """Every scenario, in catalogue order."""
    return infos()


def build(name: str, seed: int) -> Bundle:
    """The bundle of scenario `name` for `seed`; raises KeyError for an unknown name."""
    return generate(name, seed).bundle()


__all__ = ["DEFAULT_SCENARIO", "ScenarioInfo", "build", "list_scenarios"]
