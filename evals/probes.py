"""Robustness probes: the built-in scenarios with part of what the agent usually gets taken away.

    python -m evals.probes question-only --seeds 1-3   # the alarm event dropped (cases with a question)
    python -m evals.probes alarm-only --seeds 1-3      # the question dropped (cases with an alarm event)
    python -m evals.probes no-traces --seeds 1-2       # every X-Ray segment dropped
    python -m evals.probes no-logs --seeds 1-2         # every log event dropped

The truth stays the same; each line says whether the true root cause (or no fault) came first, and the
last line how many did. Scenarios whose trigger has only one of question and alarm event are left out of
the two trigger probes, since dropping it would leave nothing to investigate.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from evals.bundle import Bundle
from evals.runner import parse_seeds

PROBES = ("question-only", "alarm-only", "no-traces", "no-logs")


def degrade(bundle: Bundle, probe: str) -> Bundle | None:
    """The bundle as the probe sees it, or None when the probe does not apply to it."""
    m = bundle.manifest
    trigger = m.trigger
    records = {k: list(bundle.records(k)) for k in bundle.kinds()}
    if probe in ("question-only", "alarm-only"):
        if not (trigger.question and trigger.alarm_event):
            return None
        keep = {"alarm_event": None} if probe == "question-only" else {"question": None}
        m = m.model_copy(update={"trigger": trigger.model_copy(update=keep)})
    else:
        records.pop("traces" if probe == "no-traces" else "logs", None)
    return Bundle(m, records)


def main(argv: Sequence[str] | None = None) -> int:
    from agent.investigate import offline
    from evals.scenarios import build, list_scenarios
    from evals.scoring import score_case

    parser = argparse.ArgumentParser(prog="python -m evals.probes", description=__doc__.split("\n\n")[0])
    parser.add_argument("probe", choices=PROBES)
    parser.add_argument("--seeds", default="1-2", help="seeds, e.g. 1-3 or 1,4")
    parser.add_argument("--scenario", action="append", help="only these scenarios")
    args = parser.parse_args(argv)
    right = total = 0
    for info in list_scenarios():
        if args.scenario and info.name not in args.scenario:
            continue
        for seed in parse_seeds(args.seeds):
            full = build(info.name, seed)
            bundle = degrade(full, args.probe)
            truth = full.manifest.truth
            if bundle is None or truth is None:
                continue
            report = offline(bundle)
            scored = score_case(report, truth, bundle)
            good = bool(scored.top1 or (truth.no_fault and report.verdict == "no_fault"))
            right += good
            total += 1
            top = report.hypotheses[0].resource if report.hypotheses else "-"
            print(f"{'ok ' if good else 'MISS'} {info.name}/{seed}: {report.verdict}, first {top}")
    print(f"{args.probe}: {right} of {total} right first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
