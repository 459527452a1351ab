"""The local investigation store: one SQLite file, claims made atomic by `BEGIN IMMEDIATE`."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from agent.triggers.dedupe import (
    Claim,
    DedupePolicy,
    Investigation,
    Status,
    Unprocessed,
    investigation_id,
    raw_text,
)

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS investigations (
    id TEXT PRIMARY KEY, key TEXT NOT NULL, status TEXT NOT NULL, started_at REAL NOT NULL,
    result TEXT NOT NULL DEFAULT '{}', payload TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS investigations_key ON investigations (key, started_at);
CREATE TABLE IF NOT EXISTS alarms (
    investigation_id TEXT NOT NULL, alarm TEXT NOT NULL, PRIMARY KEY (investigation_id, alarm)
);
CREATE TABLE IF NOT EXISTS windows (start INTEGER PRIMARY KEY, started INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS unprocessed (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, error TEXT NOT NULL, raw TEXT NOT NULL
);
"""


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class SQLiteStore:
    """Investigation store in a SQLite file (or ":memory:"), safe across threads and processes."""

    def __init__(self, path: str | Path, policy: DedupePolicy | None = None) -> None:
        self.policy = policy or DedupePolicy()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()  # one connection: serialise this process's threads on it
        # WAL lets readers run beside the one writer; NORMAL sync is durable across crashes of this
        # process, and a claim lost to a power cut only means one alarm is looked at again.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(investigations)")}
        if "arrived_at" not in columns:  # files written before arrival times were kept
            self._db.execute("ALTER TABLE investigations ADD COLUMN arrived_at REAL")

    def close(self) -> None:
        self._db.close()

    def _atomic(self, work: Callable[[], T]) -> T:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                done = work()
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return done

    def claim(
        self, key: str, alarm: str, at: datetime, payload: str = "", arrived: datetime | None = None
    ) -> Claim:
        return self._atomic(lambda: self._claim(key, alarm, at, payload, arrived or at))

    def _take_slot(self, at: datetime) -> bool:
        window = self.policy.window_of(at)
        taken = self._db.execute("SELECT started FROM windows WHERE start = ?", (window,)).fetchone()
        if (taken[0] if taken else 0) >= self.policy.cap:
            return False
        self._db.execute(
            "INSERT INTO windows VALUES (?, 1) ON CONFLICT(start) DO UPDATE SET started = started + 1",
            (window,),
        )
        return True

    def _claim(self, key: str, alarm: str, at: datetime, payload: str, arrived: datetime) -> Claim:
        cutoff = (at - timedelta(minutes=self.policy.dedupe_minutes)).timestamp()
        db = self._db
        inv = investigation_id(key, at)
        # The same key at the same moment is the same investigation, even with a dedupe window of 0.
        row = db.execute(
            "SELECT id FROM investigations WHERE key = ? AND (started_at > ? OR id = ?) "
            "ORDER BY started_at DESC LIMIT 1",
            (key, cutoff, inv),
        ).fetchone()
        if row is not None:
            db.execute("INSERT OR IGNORE INTO alarms VALUES (?, ?)", (row[0], alarm))
            return Claim("joined", row[0], key, self._count(row[0]))
        status: Status = "running" if self._take_slot(arrived) else "queued"
        db.execute(
            "INSERT INTO investigations (id, key, status, started_at, payload, arrived_at) VALUES (?, ?, ?, ?, ?, ?)",
            (inv, key, status, at.timestamp(), payload, arrived.timestamp()),
        )
        db.execute("INSERT INTO alarms VALUES (?, ?)", (inv, alarm))
        return Claim("started" if status == "running" else "queued", inv, key, 1)

    def _count(self, inv: str) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM alarms WHERE investigation_id = ?", (inv,)).fetchone()
        return int(row[0])

    def take_queued(self, at: datetime) -> Investigation | None:
        def take() -> str | None:
            row = self._db.execute(
                "SELECT id FROM investigations WHERE status = 'queued' ORDER BY started_at, id LIMIT 1"
            ).fetchone()
            if row is None or not self._take_slot(at):
                return None
            self._db.execute("UPDATE investigations SET status = 'running' WHERE id = ?", (row[0],))
            return str(row[0])

        taken = self._atomic(take)
        return next((i for i in self.investigations() if i.id == taken), None) if taken else None

    def finish(self, claim: Claim, status: Status, result: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE investigations SET status = ?, result = ? WHERE id = ?",
                (status, json.dumps(result, default=str), claim.investigation_id),
            )

    def record_unprocessed(self, raw: Any, error: str, at: datetime) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO unprocessed (at, error, raw) VALUES (?, ?, ?)",
                (at.timestamp(), error, raw_text(raw)),
            )

    def investigations(self) -> list[Investigation]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, key, status, started_at, result, payload, arrived_at FROM investigations "
                "ORDER BY started_at, id"
            ).fetchall()
            alarms: dict[str, list[str]] = {}
            for inv, alarm in self._db.execute("SELECT investigation_id, alarm FROM alarms ORDER BY alarm"):
                alarms.setdefault(inv, []).append(alarm)
        return [
            Investigation(i, k, s, _when(t), alarms.get(i, []), json.loads(r), p, _when(a) if a else None)
            for i, k, s, t, r, p, a in rows
        ]

    def unprocessed(self) -> list[Unprocessed]:
        with self._lock:
            rows = self._db.execute("SELECT at, error, raw FROM unprocessed ORDER BY seq").fetchall()
        return [Unprocessed(_when(at), error, raw) for at, error, raw in rows]
