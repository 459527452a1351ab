"""The Logs Insights engine: run a query over the bundle's log events and print results as AWS does.

    result = run_query(ctx, "filter @message like /ERROR/ | stats count(*) by bin(5m)",
                       ["/aws/lambda/orders"], start_ms, end_ms, limit=None)

Rows are lists of (field, value) pairs with every value a string, as GetQueryResults returns them;
fields an event does not have are left out of its row. Non-aggregate rows end with `@ptr`.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from evals.replay.context import ReplayContext
from evals.replay.engines.insights_parse import InsightsQueryError, parse_query
from evals.replay.engines.insights_sql import compile_query
from evals.replay.engines.log_store import log_table

__all__ = ["DEFAULT_LIMIT", "InsightsQueryError", "InsightsResult", "decode_ptr", "encode_ptr", "run_query"]

# Without a limit command or StartQuery limit, Logs Insights returns up to 10,000 rows.
DEFAULT_LIMIT = 10_000


@dataclass(frozen=True)
class InsightsResult:
    rows: list[list[tuple[str, str]]]
    records_matched: int
    records_scanned: int
    bytes_scanned: int


def encode_ptr(log_group: str, seq: int) -> str:
    """An opaque @ptr naming one event of the bundle (its log group and line)."""
    return base64.urlsafe_b64encode(f"{seq}:{log_group}".encode()).decode().rstrip("=")


def decode_ptr(ptr: str) -> tuple[str, int]:
    """The (log group, line) of an @ptr from `encode_ptr`; ValueError if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(ptr + "=" * (-len(ptr) % 4)).decode()
        seq, group = raw.split(":", 1)
        return group, int(seq)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{ptr!r} is not a log record pointer") from exc


def format_value(value: Any, kind: str) -> str:
    """A value as the Logs Insights console and API print it."""
    if kind == "time":
        stamp = datetime.fromtimestamp(int(value) / 1000, tz=UTC)
        return stamp.strftime("%Y-%m-%d %H:%M:%S.") + f"{int(value) % 1000:03d}"
    if kind == "bool":
        return "1" if value else "0"
    if kind == "num":
        number = float(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < 1e18:
            return str(int(number))
        return repr(number)
    return str(value)


def run_query(
    ctx: ReplayContext, query: str, log_groups: list[str], start_ms: int, end_ms: int, limit: int | None
) -> InsightsResult:
    """Run a Logs Insights query over events of `log_groups` stamped in [start_ms, end_ms]."""
    parsed = parse_query(query)
    table = log_table(ctx)
    compiled = compile_query(
        parsed,
        ctx.account_id,
        list(log_groups),
        start_ms,
        end_ms,
        limit if limit is not None else DEFAULT_LIMIT,
    )
    cur = ctx.cursor()
    try:
        rows = cur.execute(compiled.sql, compiled.params).fetchall()
    except duckdb.Error as exc:  # e.g. a regular expression RE2 rejects
        raise InsightsQueryError(f"query failed: {exc}") from exc
    holders = ", ".join("?" for _ in log_groups)
    scanned, nbytes = cur.execute(
        f"SELECT count(*), coalesce(sum(strlen(message)), 0) FROM {table} "
        f"WHERE log_group IN ({holders}) AND ts BETWEEN ? AND ?",
        [*log_groups, start_ms, end_ms],
    ).fetchone() or (0, 0)
    if rows:
        matched = int(rows[0][-1])
    else:  # a filter after stats can drop every group although records matched
        matched = int((cur.execute(compiled.matched_sql, compiled.params).fetchone() or (0,))[0])
    out: list[list[tuple[str, str]]] = []
    width = len(compiled.outputs)
    for row in rows:
        fields = [
            (o.name, format_value(row[i], o.kind))
            for i, o in enumerate(compiled.outputs)
            if row[i] is not None
        ]
        if not compiled.aggregate:
            fields.append(("@ptr", encode_ptr(row[width], int(row[width + 1]))))
        out.append(fields)
    return InsightsResult(out, matched, int(scanned), int(nbytes))
