"""`sleuth eval`: investigate many bundles with known truth, in parallel processes, and score them.

Cases come from the built-in scenarios (every scenario x seeds), from directories of bundles, and from
the PetShop dataset (its issues, and its windows of normal operation for specificity). Each worker
builds its own bundle from a small picklable `CaseSpec`; a case that crashes is recorded, never fatal.

    python -m evals.runner --suite builtin --seeds 1-2 --jobs 2 --json eval.json --gate
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import multiprocessing
import os
import re
import shlex
import shutil
import tarfile
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evals.bundle import Bundle
from evals.bundle.bundle import MANIFEST
from evals.report import PAPER_LABEL, PETSHOP_PAPER, PETSHOP_PAPER_OVERALL, print_results, to_markdown
from evals.scoring import CaseScore, Summary, check_floors, failed_score, score_case, summarize

FLOORS = Path(__file__).with_name("floors.json")
# Model settings for the claude planner when a recording is active (`sleuth eval --record/--replay`
# sets it, in one process); None lets the planner read its settings from the environment.
LLM: Any = None
PETSHOP_MODULE = "evals.datasets.petshop"
Kind = Literal["scenario", "fresh", "bundle", "petshop", "petshop_normal"]
# Suites of generated incidents: `all` is every one of them.
SUITES = ("builtin", "fresh")


class EvalUsageError(ValueError):
    """A request the runner cannot serve (unknown scenario, missing directory or dataset adapter)."""


@dataclass(frozen=True)
class CaseSpec:
    """Enough to rebuild one case's bundle in any process: what it is, where, and which seed or window."""

    id: str
    kind: Kind
    ref: str
    seed: int = 0
    group: str = ""
    suite: str = ""


class CaseResult(BaseModel):
    id: str
    group: str
    suite: str = ""
    score: CaseScore | None = None
    error: str | None = None
    traceback: str | None = None
    build_s: float = 0.0

    def row(self) -> dict[str, Any]:
        """The case as the JSON report lists it: every score key present, None where it does not apply."""
        scores = self.score.model_dump(mode="json") if self.score else dict.fromkeys(CaseScore.model_fields)
        return {
            "id": self.id,
            "group": self.group,
            "suite": self.suite,
            **scores,
            "failed": self.error is not None,
            "error": self.error,
            "traceback": self.traceback,
            "build_s": self.build_s,
        }


# --- cases ----------------------------------------------------------------------------------------


def parse_seeds(text: str) -> list[int]:
    """'1-5' -> [1, 2, 3, 4, 5]; '1,3,7-8' -> [1, 3, 7, 8]."""
    seeds: list[int] = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m or (m.group(2) and int(m.group(2)) < int(m.group(1))):
            raise EvalUsageError(f"seeds must look like 1-5 or 1,3,7-8, not {text!r}")
        low = int(m.group(1))
        seeds += range(low, int(m.group(2) or low) + 1)
    return list(dict.fromkeys(seeds))


def suite_names(suite: str) -> list[str]:
    """The scenario or incident names of one suite."""
    if suite == "builtin":
        from evals.scenarios import list_scenarios

        return [info.name for info in list_scenarios()]
    if suite == "fresh":
        from evals.suites.fresh import list_incidents

        return [incident.name for incident in list_incidents()]
    raise EvalUsageError(f"unknown suite {suite!r}; suites: {', '.join(SUITES)}, all")


def suite_specs(suite: str, seeds: Sequence[int], only: Sequence[str] = ()) -> list[CaseSpec]:
    """Every case of `suite` (every name x seed), narrowed to the names in `only` that it holds."""
    names = [n for n in suite_names(suite) if not only or n in only]
    kind: Kind = "scenario" if suite == "builtin" else "fresh"
    return [CaseSpec(f"{n}/{seed}", kind, n, seed, n, suite) for n in names for seed in seeds]


def generated_specs(suites: Sequence[str], seeds: Sequence[int], only: Sequence[str] = ()) -> list[CaseSpec]:
    """The cases of several suites; a name in `only` that none of them holds is a usage error."""
    known = [n for suite in suites for n in suite_names(suite)]
    unknown = [name for name in only if name not in known]
    if unknown:
        raise EvalUsageError(
            f"no scenario named {', '.join(unknown)}; known ({'+'.join(suites)}): {', '.join(known)}"
        )
    return [spec for suite in suites for spec in suite_specs(suite, seeds, only)]


def builtin_specs(seeds: Sequence[int], only: Sequence[str] = ()) -> list[CaseSpec]:
    return generated_specs(["builtin"], seeds, only)


def _manifest(path: Path) -> dict[str, Any] | None:
    """A bundle's manifest.json (directory or archive), or None when `path` holds no bundle."""
    if path.is_dir():
        file = path / MANIFEST
        return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else None
    with tarfile.open(path, "r:*") as tar:
        # Same places Bundle.load accepts: the archive's top, or one folder down.
        names = [m for m in tar.getmembers() if m.isfile() and Path(m.name).name == MANIFEST]
        for member in sorted(names, key=lambda m: m.name.count("/"))[:1]:
            handle = tar.extractfile(member)
            return json.loads(handle.read()) if handle else None
    return None


def _is_archive(path: Path) -> bool:
    return path.is_file() and path.name.endswith((".tar.gz", ".tgz"))


def bundle_specs(dirs: Sequence[Path]) -> tuple[list[CaseSpec], list[str]]:
    """Cases for every bundle with a truth in `dirs` (each a bundle, or a folder of them), and notes
    on what was passed over."""
    specs: list[CaseSpec] = []
    notes: list[str] = []
    for folder in dirs:
        if not folder.exists():
            raise EvalUsageError(f"no such bundle directory: {folder}")
        if _is_archive(folder) or (folder / MANIFEST).is_file():
            found = [folder]
        else:
            found = sorted(p for p in folder.iterdir() if _is_archive(p) or (p / MANIFEST).is_file())
        if not found:
            notes.append(f"{folder}: no bundles (folders or .tar.gz holding {MANIFEST})")
        for path in found:
            try:
                manifest = _manifest(path)
            except (OSError, ValueError, tarfile.TarError, EOFError) as exc:
                notes.append(f"{path}: skipped, cannot read its manifest ({exc})")
                continue
            except RecursionError:
                notes.append(f"{path}: skipped, its manifest is JSON nested too deeply")
                continue
            if not manifest or not manifest.get("truth"):
                notes.append(f"{path}: skipped, its manifest has no truth to score against")
                continue
            specs.append(CaseSpec(path.name, "bundle", str(path), group=folder.name))
    return specs, notes


def _petshop() -> Any:
    if importlib.util.find_spec(PETSHOP_MODULE) is None:
        raise EvalUsageError(
            f"--petshop needs the PetShop adapter ({PETSHOP_MODULE}), which this build does not have"
        )
    return importlib.import_module(PETSHOP_MODULE)


def _family(scenario: str) -> str:
    # The dataset reports temporal_traffic1 and temporal_traffic2 as one scenario, temporal_traffic.
    return re.sub(r"\d+$", "", scenario)


def petshop_specs(root: Path, split: str) -> list[CaseSpec]:
    """The dataset's issues in `split`, and its windows of normal operation, grouped by scenario and
    target metric as the dataset's protocol reports them."""
    petshop = _petshop()
    from evals.datasets.petshop_files import read_target

    try:
        cases = petshop.list_cases(root, split)
        normal = _normal_windows(str(root))
    except ValueError as exc:  # PetShopError: a missing split or malformed file, with its path
        raise EvalUsageError(str(exc)) from exc
    specs = [
        CaseSpec(
            f"petshop/{case.name}",
            "petshop",
            str(case.directory),
            group=f"{_family(case.scenario)} {read_target(case.target_path)[0].metric}",
        )
        for case in cases
    ]
    for index, bundle in enumerate(normal):
        title = bundle.manifest.title
        m = re.match(r"PetShop (\S+) normal operation.* (\w+) \(\w+\)$", title)
        group = f"{_family(m.group(1))} {m.group(2)}" if m else "normal operation"
        specs.append(CaseSpec(f"petshop/normal-{index}", "petshop_normal", str(root), index, group))
    return specs


@lru_cache(maxsize=2)
def _normal_windows(root: str) -> list[Bundle]:
    # Built once per process (the lister's and each worker's): one call makes every window of the dataset.
    return list(_petshop().normal_windows(root))


# A directory where generated bundles (built-in scenarios, fresh incidents) are kept once built, keyed
# by kind, name and seed only: for one test session, whose processes would otherwise build the same
# bundle again (building a fresh incident takes up to seconds; loading it, a tenth of that). Never set
# it across code changes: a generator edited after its bundle was kept would not be rebuilt.
BUNDLE_CACHE_ENV = "SLEUTH_BUNDLE_CACHE"


def cache_path(kind: str, ref: str, seed: int) -> Path | None:
    """Where the bundle cache keeps this generated bundle; None when no cache is configured."""
    root = os.environ.get(BUNDLE_CACHE_ENV)
    return Path(root) / kind / ref / str(seed) if root else None


def keep_in_cache(kind: str, ref: str, seed: int, written: Path) -> None:
    """Move a bundle directory just written (`Bundle.write`) into the cache, unless one is there already.

    The rename is atomic: a process that loads from the cache sees a whole bundle or none.
    """
    dest = cache_path(kind, ref, seed)
    if dest is None or (dest / MANIFEST).exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(written, dest)
    except OSError:  # another process kept the same bundle first; theirs is as good
        shutil.rmtree(written, ignore_errors=True)


def _generated(kind: str, ref: str, seed: int, build: Callable[[str, int], Bundle]) -> Bundle:
    dest = cache_path(kind, ref, seed)
    if dest is not None and (dest / MANIFEST).exists():
        # Kept only by `keep_in_cache` after `Bundle.write`, which checks every record before writing:
        # checking them again on every load would be the same work for the same answer.
        return Bundle.load(dest, validate=False)
    bundle = build(ref, seed)
    if dest is not None:
        scratch = dest.with_name(f"{seed}.partial-{os.getpid()}")
        bundle.write(scratch)
        keep_in_cache(kind, ref, seed, scratch)
    return bundle


def load_case(spec: CaseSpec) -> Bundle:
    """The bundle a spec names, built in the calling process (or loaded from the bundle cache)."""
    if spec.kind == "scenario":
        from evals.scenarios import build

        return _generated(spec.kind, spec.ref, spec.seed, build)
    if spec.kind == "fresh":
        from evals.suites.fresh import build as build_fresh

        return _generated(spec.kind, spec.ref, spec.seed, build_fresh)
    if spec.kind == "bundle":
        return Bundle.load(spec.ref)
    if spec.kind == "petshop":
        directory = Path(spec.ref)
        case = _petshop().PetShopCase(
            directory.parent.parent.name, directory.parent.name, directory.name, directory
        )
        return _petshop().to_bundle(case)
    return _normal_windows(spec.ref)[spec.seed]


# --- running --------------------------------------------------------------------------------------


def planner_kwargs(brain: str) -> dict[str, Any]:
    """How to ask `offline` for this planner; raises EvalUsageError when the agent has no such choice."""
    from agent.investigate import investigate

    params = inspect.signature(investigate).parameters
    if brain not in ("rules", "claude"):
        raise EvalUsageError(f"unknown planner {brain!r}: use rules or claude")
    if "brain" in params:
        if LLM is not None and brain == "claude":
            # A fresh brain per case (its own spend ledger), sharing the recording's settings.
            return {"brain": brain, "llm": type(LLM)(settings=LLM.settings)}
        return {"brain": brain}
    if "planner" in params:
        return {"planner": brain}
    if brain == "rules":
        return {}
    raise EvalUsageError(
        f"the {brain!r} planner is not available in this build of the agent (only the rules planner is)"
    )


def _error(exc: BaseException) -> tuple[str, str]:
    return f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc)[-12:])


def run_case(spec: CaseSpec, brain: str = "rules", rerun: bool = True) -> CaseResult:
    """Build, investigate and score one case. Never raises: a crash is the case's recorded result.
    `rerun=False` skips re-running every evidence item against the bundle (grounding then checks only
    that cited ids exist): for a run that measures accuracy alone."""
    from agent.investigate import offline

    started = time.perf_counter()
    try:
        bundle = load_case(spec)
    except Exception as exc:  # noqa: BLE001 - a broken case is recorded; the run goes on
        message, trace = _error(exc)
        return CaseResult(
            id=spec.id,
            group=spec.group,
            suite=spec.suite,
            error=f"cannot build the bundle: {message}",
            traceback=trace,
        )
    build_s = round(time.perf_counter() - started, 3)
    truth = bundle.manifest.truth
    if truth is None:
        return CaseResult(
            id=spec.id, group=spec.group, suite=spec.suite, error="the bundle has no truth", build_s=build_s
        )
    started = time.perf_counter()
    try:
        report = offline(bundle, **planner_kwargs(brain))
        score = score_case(report, truth, bundle, rerun=rerun)
    except Exception as exc:  # noqa: BLE001 - same: recorded as a failed case with its error
        message, trace = _error(exc)
        spent = round(time.perf_counter() - started, 3)
        return CaseResult(
            id=spec.id,
            group=spec.group,
            suite=spec.suite,
            score=failed_score(truth, spent),
            error=message,
            traceback=trace,
            build_s=build_s,
        )
    return CaseResult(id=spec.id, group=spec.group, suite=spec.suite, score=score, build_s=build_s)


def run_cases(
    specs: Sequence[CaseSpec],
    *,
    brain: str = "rules",
    jobs: int = 1,
    on_done: Callable[[CaseResult], None] = lambda _r: None,
    rerun: bool = True,
) -> list[CaseResult]:
    """Run every case (in `jobs` worker processes when above 1); results in the order of `specs`."""
    if jobs <= 1:
        results = []
        for spec in specs:
            results.append(run_case(spec, brain, rerun))
            on_done(results[-1])
        return results
    done: dict[int, CaseResult] = {}
    # spawn, not fork: the parent may hold DuckDB connections and threads a forked child must not inherit.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(run_case, spec, brain, rerun): i for i, spec in enumerate(specs)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (killed, out of memory)
                message, trace = _error(exc)
                spec = specs[i]
                result = CaseResult(
                    id=spec.id,
                    group=spec.group,
                    suite=spec.suite,
                    error=f"worker failed: {message}",
                    traceback=trace,
                )
            done[i] = result
            on_done(result)
    return [done[i] for i in range(len(specs))]


# --- results --------------------------------------------------------------------------------------


def summary_of(results: Sequence[CaseResult]) -> Summary:
    failed = sum(1 for r in results if r.error is not None)
    return summarize([r.score for r in results], failed=failed)


def to_json(
    results: Sequence[CaseResult], *, suite: str, brain: str, petshop: bool = False, notes: Sequence[str] = ()
) -> dict[str, Any]:
    """The eval's JSON: {"suite", "brain", "cases": [...], "summary": {...}}, plus per-group totals."""
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        groups.setdefault(r.group, []).append(r)
    data: dict[str, Any] = {
        "suite": suite,
        "brain": brain,
        "cases": [r.row() for r in results],
        "summary": summary_of(results).model_dump(mode="json"),
        "groups": {name: summary_of(rows).model_dump(mode="json") for name, rows in groups.items()},
        "notes": list(notes),
    }
    suites: dict[str, list[CaseResult]] = {}
    for r in results:
        if r.suite:
            suites.setdefault(r.suite, []).append(r)
    if suites:
        data["suites"] = {name: summary_of(rows).model_dump(mode="json") for name, rows in suites.items()}
    if petshop:
        data["reference"] = {
            "petshop_paper": {"label": PAPER_LABEL, "groups": PETSHOP_PAPER, "overall": PETSHOP_PAPER_OVERALL}
        }
    return data


def load_floors(path: Path = FLOORS, suite: str = "builtin") -> dict[str, float]:
    """The gate's limits for `suite`: `floors` (the built-in suite's) or `suite_floors[suite]` of the file,
    name -> minimum (for overconfident and brier, maximum)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EvalUsageError(f"cannot read the floors file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EvalUsageError(f"{path}: expected {{'floors': {{'top1': 0.5, ...}}}}")
    floors = data.get("floors") if suite == "builtin" else (data.get("suite_floors") or {}).get(suite)
    if floors is None and suite != "builtin":
        return {}
    if not isinstance(floors, dict) or not all(isinstance(v, int | float) for v in floors.values()):
        where = "floors" if suite == "builtin" else f"suite_floors.{suite}"
        raise EvalUsageError(f"{path}: expected {where} to be {{'top1': 0.5, ...}}")
    return {str(k): float(v) for k, v in floors.items()}


def gate(summary: dict[str, Any] | Summary, floors_path: Path = FLOORS, suite: str = "builtin") -> list[str]:
    """The limits the run breaks for `suite`; [] when the gate passes."""
    parsed = summary if isinstance(summary, Summary) else Summary.model_validate(summary)
    try:
        return check_floors(parsed, load_floors(floors_path, suite))
    except ValueError as exc:
        raise EvalUsageError(f"{floors_path}: {exc}") from exc


def gate_run(data: dict[str, Any], floors_path: Path = FLOORS) -> list[str]:
    """Every suite in the run against its own limits (the whole run against the built-in floors when it
    holds no suite, e.g. a folder of bundles)."""
    suites = data.get("suites")
    if not suites:
        return gate(data["summary"], floors_path)
    failures: list[str] = []
    for name, summary in suites.items():
        failures += [f"{name} {problem}" for problem in gate(summary, floors_path, name)]
    return failures


# --- entry point ----------------------------------------------------------------------------------


def run_eval(
    *,
    suite: str | None = None,
    seeds: str = "1-5",
    scenarios: Sequence[str] = (),
    bundles: Sequence[Path] = (),
    petshop: Path | None = None,
    split: str = "train",
    brain: str = "rules",
    jobs: int = 1,
    json_path: Path | None = None,
    markdown_path: Path | None = None,
    check_gate: bool = False,
    floors: Path = FLOORS,
    console: Console | None = None,
    command: str | None = None,
) -> int:
    """Run an evaluation and print it. Exit code: 0 done, 1 below a floor (with `check_gate`) or every
    case failed to run, 2 usage.

    `command` is how the Markdown says the table was made (default: the `sleuth eval` equivalent).
    """
    out = console or Console()
    try:
        if suite not in (None, "all", *SUITES):
            raise EvalUsageError(f"unknown suite {suite!r}; suites: {', '.join(SUITES)}, all")
        if jobs < 1:
            raise EvalUsageError("--jobs must be at least 1")
        planner_kwargs(brain)  # fail before any work when the planner is unknown
        specs: list[CaseSpec] = []
        notes: list[str] = []
        names: list[str] = []
        if _wants_generated(suite, scenarios, bundles, petshop):
            chosen = list(SUITES) if suite == "all" else [suite or "builtin"]
            specs += generated_specs(chosen, parse_seeds(seeds), scenarios)
            names += chosen
        if bundles:
            found, notes = bundle_specs(bundles)
            specs += found
            names.append("bundles")
        if petshop:
            specs += petshop_specs(petshop, split)
            names.append(f"petshop:{split}")
        if check_gate:
            load_floors(floors)
            for name in SUITES:
                load_floors(floors, name)
    except EvalUsageError as exc:
        out.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    for note in notes:
        out.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    if not specs:
        out.print("[bold red]error:[/] no cases to run", highlight=False)
        return 2

    results = _run_with_progress(specs, brain=brain, jobs=jobs, console=out)
    data = to_json(results, suite="+".join(names), brain=brain, petshop=petshop is not None, notes=notes)
    print_results(out, data)
    if json_path:
        json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if markdown_path:
        shown = command or _command(suite, seeds, scenarios, bundles, petshop, split, brain, jobs)
        markdown_path.write_text(to_markdown(data, command=shown), encoding="utf-8")
    broken = sum(1 for r in results if r.error is not None)
    if broken == len(results):
        out.print(
            f"[bold red]error:[/] all {broken} cases failed to run; no score to report", highlight=False
        )
        return 1
    if check_gate:
        failures = gate_run(data, floors)
        for failure in failures:
            out.print(f"[bold red]below floor:[/] {escape(failure)}", highlight=False)
        if failures:
            return 1
        out.print(f"[green]gate passed[/] (floors in {escape(str(floors))})", highlight=False)
    return 0


def _wants_generated(
    suite: str | None, scenarios: Sequence[str], bundles: Sequence[Path], petshop: Path | None
) -> bool:
    # A generated suite is the default source (the built-in one): asked for, narrowed to scenarios, or
    # nothing else given.
    return bool(suite or scenarios or not (bundles or petshop))


def _run_with_progress(
    specs: Sequence[CaseSpec], *, brain: str, jobs: int, console: Console
) -> list[CaseResult]:
    columns = (
        TextColumn("[bold]eval"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=len(specs))

        def done(result: CaseResult) -> None:
            mark = "failed" if result.error else ("hit" if result.score and result.score.top1 else "")
            progress.update(task, advance=1, description=escape(f"{result.id} {mark}".strip()))

        return run_cases(specs, brain=brain, jobs=jobs, on_done=done)


def _command(
    suite: str | None,
    seeds: str,
    scenarios: Sequence[str],
    bundles: Sequence[Path],
    petshop: Path | None,
    split: str,
    brain: str,
    jobs: int,
) -> str:
    """The `sleuth eval` command line that repeats this run."""
    parts = ["sleuth", "eval"]
    if _wants_generated(suite, scenarios, bundles, petshop):
        parts += ["--suite", suite or "builtin", "--seeds", seeds]
        for name in scenarios:
            parts += ["--scenario", name]
    for path in bundles:
        parts += ["--bundles", str(path)]
    if petshop:
        parts += ["--petshop", str(petshop), "--split", split]
    parts += ["--brain", brain, "--jobs", str(jobs)]
    return shlex.join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.runner", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--suite",
        choices=[*SUITES, "all"],
        help="builtin (the default when no other source), fresh, or all of them",
    )
    parser.add_argument("--seeds", default="1-5", help="scenario seeds, e.g. 1-5 or 1,3")
    parser.add_argument("--scenario", action="append", default=[], help="only this scenario (repeatable)")
    parser.add_argument("--bundles", type=Path, action="append", default=[], help="a directory of bundles")
    parser.add_argument("--petshop", type=Path, help="the PetShop dataset folder")
    parser.add_argument("--split", choices=["train", "test", "all"], default="train")
    parser.add_argument("--brain", default="rules", help="planner: rules or claude")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--json", type=Path, dest="json_path", help="write the JSON results here")
    parser.add_argument("--markdown", type=Path, dest="markdown_path", help="write a Markdown table here")
    parser.add_argument("--gate", action="store_true", help="exit 1 when a score falls below its floor")
    parser.add_argument("--floors", type=Path, default=FLOORS, help="the floors file")
    args = parser.parse_args(argv)
    return run_eval(
        suite=args.suite,
        seeds=args.seeds,
        scenarios=args.scenario,
        bundles=args.bundles,
        petshop=args.petshop,
        split=args.split,
        brain=args.brain,
        jobs=args.jobs,
        json_path=args.json_path,
        markdown_path=args.markdown_path,
        check_gate=args.gate,
        floors=args.floors,
    )


if __name__ == "__main__":
    raise SystemExit(main())
