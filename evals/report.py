"""An eval's results for people: a rich table in the terminal and Markdown for CI and the README.

Both read the eval's JSON (`evals.runner.to_json`), so a saved JSON file renders the same way later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

# The PetShop dataset's own baseline (median-deviation anomaly score, then traversal of the call graph)
# over all 68 issues, train and test together, as printed in the dataset repository's evaluation
# notebook (Hardt et al., CLeaR 2024). Reported by the paper, not measured here.
_PAPER_FIELDS = ("scenario", "metric", "issues", "top1", "top3", "specificity")
PETSHOP_PAPER: list[dict[str, Any]] = [
    dict(zip(_PAPER_FIELDS, row, strict=True))
    for row in (
        ("low_traffic", "latency", 14, 0.571, 0.571, 0.167),
        ("low_traffic", "availability", 12, 0.833, 1.0, 1.0),
        ("high_traffic", "latency", 14, 0.571, 0.786, 0.333),
        ("high_traffic", "availability", 12, 0.667, 1.0, 1.0),
        ("temporal_traffic", "latency", 8, 1.0, 1.0, 0.6),
        ("temporal_traffic", "availability", 8, 0.75, 1.0, 1.0),
    )
]
PETSHOP_PAPER_OVERALL = {"issues": 68, "top1": 0.71, "top3": 0.87}
PAPER_LABEL = "as reported by the PetShop paper (its baseline, all 68 issues)"

SUMMARY_COLUMNS = [
    ("n", "cases"),
    ("top1", "top-1"),
    ("top3", "top-3"),
    ("category", "category"),
    ("diagnosis", "diagnosis"),
    ("cause_event", "cause event"),
    ("actions", "actions"),
    ("chain", "chain"),
    ("specificity", "specificity"),
    ("overconfident", "overconfident"),
    ("brier", "brier"),
    ("grounded", "grounded"),
    ("verdict", "verdict"),
    ("p50_s", "p50 s"),
    ("p95_s", "p95 s"),
    ("failed", "failed"),
]
CASE_COLUMNS = [
    ("id", "case"),
    ("expected_verdict", "expected"),
    ("verdict", "verdict"),
    ("top1", "top-1"),
    ("top3", "top-3"),
    ("category", "category"),
    ("diagnosis", "diagnosis"),
    ("cause_event", "cause event"),
    ("actions", "actions"),
    ("chain", "chain"),
    ("specificity", "specific"),
    ("confidence", "confidence"),
    ("overconfident", "overconfident"),
    ("grounded", "grounded"),
    ("duration_s", "time s"),
    ("aws_calls", "AWS calls"),
]
# Terminal headers are short: an 80-column CI log must show every figure.
SHORT = {
    "cases": "n",
    "top-1": "top1",
    "top-3": "top3",
    "category": "cat",
    "diagnosis": "diag",
    "cause event": "event",
    "overconfident": "over",
    "confidence": "conf",
    "actions": "act",
    "specificity": "spec",
    "specific": "spec",
    "grounded": "grnd",
    "verdict": "verd",
    "time s": "s",
    "AWS calls": "calls",
}
VERDICTS = {
    "root_cause": "cause",
    "inconclusive": "unsure",
    "no_fault": "no fault",
    "insufficient_data": "blind",
}
GROUP_COLUMNS = [
    ("n_fault", "faults"),
    ("n_no_fault", "no-fault"),
    ("top1", "top-1"),
    ("top3", "top-3"),
    ("diagnosis", "diagnosis"),
    ("specificity", "specificity"),
]
# Where a run spans suites, each suite's totals: they are never read as one figure.
SUITE_COLUMNS = [c for c in SUMMARY_COLUMNS if c[0] not in ("p50_s", "p95_s")]
EXPLAINED = (
    "top-1/top-3: the true root-cause resource is the first / among the first three hypotheses; "
    "category: the first hypothesis' category is right; diagnosis: both at once (right resource, right "
    "category); cause event: where the truth names the culprit CloudTrail record, the first hypothesis "
    "cites it or another record of the same change (same principal and resource, within a minute); "
    "actions: share of the expected remediation verbs the first hypothesis proposes; chain: share of the "
    "true causal chain's steps naming a resource of the first hypothesis' chain; specificity: no-fault "
    "cases where no root cause was claimed; overconfident: share of cases whose first hypothesis is wrong "
    "(not the diagnosis; on a no-fault case, any claimed root cause) at confidence 0.8 or more; brier: mean "
    "squared gap between the first hypothesis' confidence and its correctness (0 is perfect; lower is "
    "better); grounded: every cited evidence exists and its tool call re-validates, and every evidence "
    "item re-run against the bundle still holds; verdict: the verdict is the expected one. A dash: the "
    "score applies to no case."
)


def cell(value: Any, *, markdown: bool = False) -> str:
    """One value as a table shows it: yes/no, two decimals, or a dash where the score does not apply."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        if markdown:
            return "yes" if value else "no"
        return "[green]✓[/]" if value else "[red]✗[/]"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _paper(group: str) -> dict[str, Any] | None:
    return next((p for p in PETSHOP_PAPER if f"{p['scenario']} {p['metric']}" == group), None)


def _paper_overall() -> str:
    p = PETSHOP_PAPER_OVERALL
    return f"paper overall: top-1 {p['top1']:.2f}, top-3 {p['top3']:.2f} over {p['issues']} issues"


def _group_rows(data: dict[str, Any], *, markdown: bool) -> tuple[list[str], list[list[str]]]:
    with_paper = "reference" in data
    header = ["group", *(label for _, label in GROUP_COLUMNS)]
    if with_paper:
        header += ["paper top-1", "paper top-3", "paper spec"]
    rows = []
    for name, summary in data.get("groups", {}).items():
        row = [
            name if markdown else escape(name),
            *(cell(summary.get(k), markdown=markdown) for k, _ in GROUP_COLUMNS),
        ]
        if with_paper:
            paper = _paper(name)
            row += [cell(paper[k] if paper else None) for k in ("top1", "top3", "specificity")]
        rows.append(row)
    return header, rows


# --- terminal -------------------------------------------------------------------------------------


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table = Table(
        title=title, title_justify="left", box=None, show_edge=False, pad_edge=False, collapse_padding=True
    )
    for i, name in enumerate(header):
        # The first column names the row: never cut it; rich narrows the figures instead.
        width = max((len(r[0]) for r in rows), default=0) if i == 0 else None
        table.add_column(name, no_wrap=i == 0, min_width=width)
    for row in rows:
        table.add_row(*row)
    return table


def _verdict(case: dict[str, Any]) -> str:
    if case.get("verdict") is None:
        return "[red]failed[/]"
    colour = "green" if case.get("verdict_correct") else "red"
    return f"[{colour}]{VERDICTS.get(case['verdict'], case['verdict'])}[/]"


def print_results(console: Console, data: dict[str, Any]) -> None:
    """Per-case table, per-group table (with the PetShop paper's figures beside ours), then the totals."""
    header = ["case", "verdict", *(SHORT.get(h, h) for _, h in CASE_COLUMNS[3:])]
    cases = [
        [escape(c["id"]), _verdict(c), *(cell(c.get(k)) for k, _ in CASE_COLUMNS[3:])] for c in data["cases"]
    ]
    console.print(_table(escape(f"cases ({data['suite']}, planner {data['brain']})"), header, cases))
    console.print("verdict: green where it is the expected one", style="dim")
    for case in data["cases"]:
        if case.get("error"):
            console.print(f"[red]failed[/] {escape(case['id'])}: {escape(case['error'])}", highlight=False)
    if len(data.get("groups", {})) > 1:
        header, rows = _group_rows(data, markdown=False)
        header = [SHORT.get(h, h) for h in header]
        console.print()
        console.print(_table("by group", header, rows))
        if "reference" in data:
            console.print(f"paper columns: {PAPER_LABEL}; {_paper_overall()}", style="dim", highlight=False)
    suites = data.get("suites") or {}
    if len(suites) > 1:
        header = ["suite", *(SHORT.get(h, h) for _, h in SUITE_COLUMNS)]
        rows = [[escape(n), *(cell(v.get(k)) for k, _ in SUITE_COLUMNS)] for n, v in suites.items()]
        console.print()
        console.print(_table("by suite", header, rows))
    summary = data["summary"]
    header = [SHORT.get(h, h) for _, h in SUMMARY_COLUMNS]
    console.print()
    console.print(_table("summary", header, [[cell(summary.get(k)) for k, _ in SUMMARY_COLUMNS]]))


# --- Markdown -------------------------------------------------------------------------------------


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(v.replace("|", "\\|") for v in row) + " |" for row in rows]
    return "\n".join(lines)


def to_markdown(data: dict[str, Any], *, command: str) -> str:
    """The README's "Accuracy" section: totals, groups (PetShop paper figures beside), then every case."""
    summary = data["summary"]
    parts = [
        "## Accuracy",
        f"Generated with `{command}` (suite {data['suite']}, planner {data['brain']}).",
        _md_table(
            [h for _, h in SUMMARY_COLUMNS],
            [[cell(summary.get(k), markdown=True) for k, _ in SUMMARY_COLUMNS]],
        ),
        EXPLAINED,
    ]
    suites = data.get("suites") or {}
    if len(suites) > 1:
        parts += [
            "### By suite",
            _md_table(
                ["suite", *(h for _, h in SUITE_COLUMNS)],
                [[n, *(cell(v.get(k), markdown=True) for k, _ in SUITE_COLUMNS)] for n, v in suites.items()],
            ),
        ]
    if len(data.get("groups", {})) > 1:
        header, rows = _group_rows(data, markdown=True)
        parts += ["### By group", _md_table(header, rows)]
        if "reference" in data:
            parts.append(f"Paper columns: {PAPER_LABEL}, not results of Sleuth; {_paper_overall()}.")
    cases = [[cell(c.get(k), markdown=True) for k, _ in CASE_COLUMNS] for c in data["cases"]]
    parts += ["### Cases", _md_table([h for _, h in CASE_COLUMNS], cases)]
    failed = [c for c in data["cases"] if c.get("error")]
    if failed:
        parts += ["Failed cases:", "\n".join(f"- `{c['id']}`: {c['error']}" for c in failed)]
    return "\n\n".join(parts) + "\n"
