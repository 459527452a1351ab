"""The bundle's log events as a DuckDB table, shared by FilterLogEvents and Logs Insights."""

from __future__ import annotations

from evals.replay.context import ReplayContext

TABLE = "log_events"


def log_table(ctx: ReplayContext) -> str:
    """Create (once) and name the table `log_events(log_group, log_stream, ts, message, seq)`.

    `ts` is epoch milliseconds; `seq` is the event's line number, which breaks timestamp ties in file
    order as CloudWatch Logs keeps ingestion order. Events stamped after the bundle's `now` are left
    out: at `now` they have not happened yet.
    """

    def build() -> str:
        cur = ctx.cursor()
        path = ctx.bundle.file_for("logs")
        now_ms = int(ctx.now.timestamp() * 1000)
        if path is None:
            cur.execute(
                f"CREATE TABLE {TABLE} (log_group VARCHAR, log_stream VARCHAR, ts BIGINT, "
                "message VARCHAR, seq BIGINT)"
            )
            return TABLE
        cur.execute(
            f"""
            CREATE TABLE {TABLE} AS
            SELECT log_group, log_stream, "timestamp" AS ts, message, seq
            FROM (
                SELECT *, row_number() OVER () AS seq
                FROM read_json(?, format = 'newline_delimited',
                    columns = {{log_group: 'VARCHAR', log_stream: 'VARCHAR',
                               "timestamp": 'BIGINT', message: 'VARCHAR'}})
            )
            WHERE "timestamp" <= ?
            ORDER BY log_group, ts, seq
            """,
            [str(path), now_ms],
        )
        return TABLE

    return ctx.cached("table:log_events", build)
