"""Loading, validating and writing incident bundles."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from evals.bundle.items import check_alarm, check_event, check_resource
from evals.bundle.model import (
    CloudTrailRecord,
    LogEvent,
    Manifest,
    MetricDatum,
    ResourceRecord,
    TraceSegment,
)
from evals.bundle.shapes import ShapeError, validate_item

MANIFEST = "manifest.json"


class BundleError(ValueError):
    """A bundle that cannot be used, with the file, line and field at fault."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        where = " ".join(p for p in (file, f"line {line}" if line else None) if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.line = line


def _model_check(model: type[BaseModel]) -> Callable[[str], Any]:
    return model.model_validate_json


def _json_check(check: Callable[[dict[str, Any]], None]) -> Callable[[str], Any]:
    def run(line: str) -> None:
        obj = json.loads(line)
        if not isinstance(obj, dict):
            raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
        check(obj)

    return run


def _resource(obj: dict[str, Any]) -> None:
    rec = ResourceRecord.model_validate(obj)
    check_resource(rec.service, rec.type, rec.item)


def _event(obj: dict[str, Any]) -> None:
    if set(obj) - {"source", "item"} or not isinstance(obj.get("item"), dict):
        raise ValueError('an event line is {"source": ..., "item": {...}} and nothing else')
    check_event(str(obj.get("source")), obj["item"])


# kind -> (file name, line check). Every kind but the manifest is optional.
KINDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "metrics": ("metrics.jsonl", _model_check(MetricDatum)),
    "alarms": ("alarms.jsonl", _json_check(check_alarm)),
    "alarm_history": (
        "alarm_history.jsonl",
        _json_check(lambda o: validate_item("cloudwatch", "AlarmHistoryItem", o)),
    ),
    "logs": ("logs.jsonl", _model_check(LogEvent)),
    "traces": ("traces.jsonl", _model_check(TraceSegment)),
    "cloudtrail": ("cloudtrail.jsonl", _model_check(CloudTrailRecord)),
    "resources": ("resources.jsonl", _json_check(_resource)),
    "events": ("events.jsonl", _json_check(_event)),
}


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:3]:
            loc = ".".join(str(p) for p in err["loc"])
            parts.append(f"field '{loc}': {err['msg']}" if loc else err["msg"])
        more = exc.error_count() - 3
        return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    return str(exc)


class Bundle:
    """An incident snapshot: a manifest plus telemetry records in AWS's own shapes.

    A bundle is either built in memory (scenario generators, capture) and written with `write`, or
    loaded from disk with `load`, in which case records stay in their files and are streamed.
    """

    def __init__(
        self,
        manifest: Manifest,
        records: Mapping[str, Iterable[Mapping[str, Any] | BaseModel]] | None = None,
    ) -> None:
        unknown = set(records or {}) - set(KINDS)
        if unknown:
            raise BundleError(f"unknown record kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
        self.manifest = manifest
        self._memory: dict[str, list[dict[str, Any]]] = {
            kind: [_plain(r) for r in rows] for kind, rows in (records or {}).items()
        }
        self._files: dict[str, Path] = {}
        self._scratch: _Scratch | None = None
        self.source: Path | None = None

    # --- loading ------------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, validate: bool = True) -> Bundle:
        """Load a bundle directory or `.tar.gz`; raise BundleError naming file, line and field."""
        src = Path(path)
        if not src.exists():
            raise BundleError(f"no bundle at {src}")
        scratch = None
        root = src
        if src.is_file():
            scratch = _Scratch()
            root = _extract(src, scratch.path)
        manifest_path = root / MANIFEST
        if not manifest_path.is_file():
            raise BundleError(f"{src} has no {MANIFEST}", file=str(src))
        try:
            manifest = Manifest.model_validate_json(manifest_path.read_bytes())
        except (ValidationError, ValueError) as exc:
            raise BundleError(_describe(exc), file=str(manifest_path)) from exc
        bundle = cls(manifest)
        bundle._scratch = scratch
        bundle.source = src
        for kind, (name, _) in KINDS.items():
            file = root / name
            if file.is_file():
                bundle._files[kind] = file
        extra = sorted(
            p.name
            for p in root.iterdir()
            if p.name != MANIFEST and p.name not in _FILE_NAMES and not p.name.startswith(".")
        )
        if extra:
            raise BundleError(
                f"unexpected files {extra}; a bundle holds {MANIFEST} and {', '.join(_FILE_NAMES)}",
                file=str(src),
            )
        if validate:
            bundle.validate()
        return bundle

    def validate(self) -> dict[str, int]:
        """Check every record; return the count per kind. Raises BundleError at the first bad line."""
        counts: dict[str, int] = {}
        for kind, (name, check) in KINDS.items():
            n = 0
            for lineno, line in self._lines(kind):
                n += 1
                try:
                    check(line)
                except (ValidationError, ValueError, ShapeError, TypeError) as exc:
                    raise BundleError(_describe(exc), file=self._label(kind, name), line=lineno) from exc
            if n:
                counts[kind] = n
        return counts

    # --- reading ------------------------------------------------------------------------------------

    def kinds(self) -> list[str]:
        """The record kinds this bundle has, in KINDS order."""
        return [k for k in KINDS if k in self._files or self._memory.get(k)]

    def records(self, kind: str) -> Iterator[dict[str, Any]]:
        """The records of one kind as plain JSON objects (no validation; `load` did that)."""
        if kind not in KINDS:
            raise BundleError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}")
        if kind in self._memory:
            yield from self._memory[kind]
            return
        for _, line in self._lines(kind):
            yield json.loads(line)

    def file_for(self, kind: str) -> Path | None:
        """A JSON-lines file holding the records of `kind` (written on first use for in-memory ones)."""
        if kind in self._files:
            return self._files[kind]
        rows = self._memory.get(kind)
        if not rows:
            return None
        if self._scratch is None:
            self._scratch = _Scratch()
        path = self._scratch.path / KINDS[kind][0]
        _write_lines(path, rows)
        self._files[kind] = path
        return path

    # --- writing ------------------------------------------------------------------------------------

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write to a directory, or to a `.tar.gz` when the path ends so. Validates first."""
        self.validate()
        dest = Path(path)
        if dest.name.endswith((".tar.gz", ".tgz")):
            dest.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(dest, "w:gz") as tar:
                _add_bytes(tar, MANIFEST, self._manifest_bytes())
                for kind in self.kinds():
                    body = b"".join(line.encode() + b"\n" for _, line in self._lines(kind))
                    _add_bytes(tar, KINDS[kind][0], body)
            return dest
        if dest.exists() and not dest.is_dir():
            raise BundleError(f"{dest} exists and is not a directory")
        dest.mkdir(parents=True, exist_ok=True)
        (dest / MANIFEST).write_bytes(self._manifest_bytes())
        for kind, (name, _) in KINDS.items():
            target = dest / name
            if kind not in self.kinds():
                target.unlink(missing_ok=True)
                continue
            with target.open("w", encoding="utf-8") as out:
                for _, line in self._lines(kind):
                    out.write(line + "\n")
        return dest

    # --- internals ----------------------------------------------------------------------------------

    def _manifest_bytes(self) -> bytes:
        data = self.manifest.model_dump(mode="json", by_alias=True, exclude_none=False)
        return (json.dumps(data, indent=2) + "\n").encode()

    def _label(self, kind: str, name: str) -> str:
        return str(self._files[kind]) if kind in self._files else f"<memory>/{name}"

    def _lines(self, kind: str) -> Iterator[tuple[int, str]]:
        if kind in self._memory:
            for i, row in enumerate(self._memory[kind], 1):
                yield i, json.dumps(row, separators=(",", ":"), default=_json_default)
            return
        file = self._files.get(kind)
        if file is None:
            return
        with file.open(encoding="utf-8") as handle:
            for i, line in enumerate(handle, 1):
                line = line.strip()
                if line:
                    yield i, line

    def __repr__(self) -> str:
        return f"Bundle({self.manifest.title!r}, kinds={self.kinds()})"


class _Scratch:
    """A private folder (unpacked archives, spilled in-memory records) removed with its owner."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="sleuth-bundle-"))
        weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)


_FILE_NAMES = [name for name, _ in KINDS.values()]


def _plain(record: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
    if isinstance(record, BaseModel):
        return record.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.loads(json.dumps(record, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, separators=(",", ":"), default=_json_default) + "\n")


def _add_bytes(tar: tarfile.TarFile, name: str, body: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(body)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(body))


def _extract(archive: Path, into: Path) -> Path:
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BundleError(f"cannot unpack: {exc}", file=str(archive)) from exc
    if (into / MANIFEST).is_file():
        return into
    subdirs = [p for p in into.iterdir() if p.is_dir()]
    if len(subdirs) == 1 and (subdirs[0] / MANIFEST).is_file():
        return subdirs[0]
    raise BundleError(f"the archive has no {MANIFEST} at its top or in a single folder", file=str(archive))
