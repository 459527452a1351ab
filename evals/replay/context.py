"""Per-bundle replay state: the bundle, its clock, a DuckDB connection and cached indexes."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import duckdb

from evals.bundle import Bundle
from evals.replay.errors import AwsError

T = TypeVar("T")


class ReplayContext:
    """Everything the handlers of one attached bundle share.

    Handlers must treat `now` as the present: records stamped after it have not happened yet.
    """

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.manifest = bundle.manifest
        self.now: datetime = bundle.manifest.now
        self.region: str = bundle.manifest.region
        self.account_id: str = bundle.manifest.account_id
        self.calls: Counter[str] = Counter()
        self.state: dict[str, Any] = {}  # mutable per-session state, e.g. Logs Insights queries by id
        self._lock = threading.RLock()
        self._cache: dict[str, Any] = {}
        self._db: duckdb.DuckDBPyConnection | None = None

    # --- shared resources -------------------------------------------------------------------------

    @property
    def db(self) -> duckdb.DuckDBPyConnection:
        """The bundle's DuckDB database (in memory). Use `cursor()` per query from threads."""
        with self._lock:
            if self._db is None:
                self._db = duckdb.connect(":memory:")
                self._db.execute("SET TimeZone = 'UTC'")
            return self._db

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.db.cursor()

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """Build something once per bundle (a DuckDB table, an index) and reuse it."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def records(self, kind: str) -> list[dict[str, Any]]:
        """All records of a kind as plain JSON objects, read once."""
        return self.cached(f"records:{kind}", lambda: list(self.bundle.records(kind)))

    def resources(self, service: str, type_: str) -> list[dict[str, Any]]:
        """The items of resources.jsonl with this service and type, in file order."""

        def build() -> dict[tuple[str, str], list[dict[str, Any]]]:
            index: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for rec in self.records("resources"):
                index.setdefault((rec["service"], rec["type"]), []).append(rec["item"])
            return index

        return self.cached("resources-index", build).get((service, type_), [])

    def events(self, source: str) -> list[dict[str, Any]]:
        """The items of events.jsonl from this source, in file order."""

        def build() -> dict[str, list[dict[str, Any]]]:
            index: dict[str, list[dict[str, Any]]] = {}
            for rec in self.records("events"):
                index.setdefault(rec["source"], []).append(rec["item"])
            return index

        return self.cached("events-index", build).get(source, [])

    # --- pagination -------------------------------------------------------------------------------

    def page(
        self,
        items: Sequence[T],
        token: str | None,
        size: int,
        *,
        request: Any,
        error_code: str = "InvalidNextToken",
    ) -> tuple[list[T], str | None]:
        """Slice `items` for one page. Tokens are opaque, and bound to the request they came from."""
        bind = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()[:12]
        offset = 0
        if token:
            try:
                data = json.loads(base64.urlsafe_b64decode(token.encode()))
                offset, bound = int(data["o"]), data["k"]
            except (ValueError, KeyError, TypeError) as exc:
                raise AwsError(error_code, "The pagination token is not valid.") from exc
            if bound != bind or not 0 <= offset <= len(items):
                raise AwsError(error_code, "The pagination token does not belong to this request.")
        end = offset + max(size, 1)
        nxt = None
        if end < len(items):
            nxt = base64.urlsafe_b64encode(json.dumps({"o": end, "k": bind}).encode()).decode()
        return list(items[offset:end]), nxt
