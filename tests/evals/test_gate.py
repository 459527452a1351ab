"""The regression gate: the rules planner over the built-in scenarios must stay above evals/floors.json.

This is what CI runs (through `make test`): every scenario's first seed, scored, compared with the
floors, with every evidence item re-run against its bundle (`sleuth rerun`), and the fresh suite
against its own limits. The second seed (other ids, dates and magnitudes of the same scenarios) is
`make eval` (`sleuth eval --suite builtin --seeds 1-2 --gate`), run before raising a floor or after a
reasoning change; CI's ten minutes on two cores no longer hold both. Raising a floor is a deliberate
commit after measuring with `sleuth eval --suite builtin`.
"""

from __future__ import annotations

from evals.runner import FLOORS, builtin_specs, gate, load_floors, parse_seeds, run_cases, summary_of


def test_builtin_suite_stays_above_the_floors() -> None:
    results = run_cases(builtin_specs(parse_seeds("1")), jobs=2)
    summary = summary_of(results)
    assert summary.failed == 0, [(r.id, r.error) for r in results if r.error]
    # Grounded: every cited id exists, and every evidence item re-runs against its bundle and holds.
    ungrounded = {r.id: r.score.grounding_problems for r in results if r.score and not r.score.grounded}
    assert ungrounded == {}
    problems = gate(summary, FLOORS)
    assert problems == [], f"below the floors in {FLOORS}: {problems} (floors {load_floors(FLOORS)})"


def test_fresh_suite_stays_within_its_own_limits() -> None:
    from evals.runner import suite_specs

    # Accuracy only: grounding (every evidence item re-run) is the built-in gate's to assert, and re-running
    # adds a third to each of the fresh suite's investigations.
    results = run_cases(suite_specs("fresh", parse_seeds("1")), jobs=2, rerun=False)
    summary = summary_of(results)
    assert summary.failed == 0, [(r.id, r.error) for r in results if r.error]
    problems = gate(summary, FLOORS, "fresh")
    assert problems == [], f"fresh suite outside {FLOORS}: {problems} (limits {load_floors(FLOORS, 'fresh')})"
