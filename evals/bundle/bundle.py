"""Loading, validating and writing incident bundles."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import stat as _stat
import tarfile
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Limits:
    """What a bundle may hold before it is refused: an archive is input from anyone.

    Each can be set in the environment (SLEUTH_BUNDLE_MAX_MEMBERS, _MAX_BYTES, _MAX_LINE_BYTES,
    _MAX_JSON_DEPTH)."""

    max_members: int = 64  # a bundle has at most ten files; folders and stray files count too
    max_bytes: int = 4 * 1024**3  # uncompressed, all files together
    max_line_bytes: int = 8 * 1024**2  # one JSON line
    max_json_depth: int = 64  # nesting of [ and { in one line or the manifest

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        values: dict[str, int] = {}
        for name in ("max_members", "max_bytes", "max_line_bytes", "max_json_depth"):
            raw = env.get(f"SLEUTH_BUNDLE_{name.upper()}")
            if raw is None:
                continue
            try:
                values[name] = int(raw)
            except ValueError:
                raise BundleError(f"SLEUTH_BUNDLE_{name.upper()}={raw!r} is not a whole number") from None
            if values[name] <= 0:
                raise BundleError(f"SLEUTH_BUNDLE_{name.upper()} must be positive")
        return cls(**values)


class BundleError(ValueError):
    """A bundle that cannot be used, with the file, line and field at fault."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        # One line, whatever the cause: botocore lists several validation problems on several lines.
        message = "; ".join(part.strip() for part in message.splitlines() if part.strip())
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
        self._limits = Limits()
        self.source: Path | None = None

    # --- loading ------------------------------------------------------------------------------------

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, validate: bool = True, limits: Limits | None = None
    ) -> Bundle:
        """Load a bundle directory or `.tar.gz`; raise BundleError naming file, line and field."""
        limits = limits or Limits.from_env()
        src = Path(path)
        if not src.exists():
            raise BundleError(f"no bundle at {src}")
        scratch = None
        root = src
        if src.is_file():
            scratch = _Scratch()
            try:
                root = _extract(src, scratch.path, limits)
            except BaseException:
                scratch.remove()  # a refused or interrupted unpack leaves nothing behind
                raise
        elif not src.is_dir():
            raise BundleError(f"{src} is neither a directory nor a .tar.gz file")
        manifest_path = root / MANIFEST
        if not manifest_path.exists():
            raise BundleError(f"{src} has no {MANIFEST}", file=str(src))
        raw = _regular(manifest_path, limits).read_bytes()
        try:
            _check_depth(raw.decode("utf-8", "replace"), limits)
            manifest = Manifest.model_validate_json(raw)
        except (ValidationError, ValueError) as exc:
            raise BundleError(_describe(exc), file=str(manifest_path)) from exc
        bundle = cls(manifest)
        bundle._scratch = scratch
        bundle._limits = limits
        bundle.source = src
        for kind, (name, _) in KINDS.items():
            file = root / name
            if file.exists() or file.is_symlink():
                bundle._files[kind] = _regular(file, limits)
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
        for kind in KINDS:
            n = sum(1 for _ in self._checked(kind))
            if n:
                counts[kind] = n
        return counts

    def _checked(self, kind: str) -> Iterator[str]:
        """The lines of one kind, each checked before it is yielded (BundleError at the first bad one)."""
        name, check = KINDS[kind]
        for lineno, line in self._lines(kind):
            try:
                _check_depth(line, self._limits)
                check(line)
            except (ValidationError, ValueError, ShapeError, TypeError, RecursionError) as exc:
                raise BundleError(_describe(exc), file=self._label(kind, name), line=lineno) from exc
            yield line

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
        """Write to a directory, or to a `.tar.gz` when the path ends so. Validates first: every line is
        checked (and serialised once) before anything is written, so a bad record leaves no half bundle."""
        bodies = {kind: list(self._checked(kind)) for kind in self.kinds()}
        dest = Path(path)
        if dest.name.endswith((".tar.gz", ".tgz")):
            dest.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(dest, "w:gz") as tar:
                _add_bytes(tar, MANIFEST, self._manifest_bytes())
                for kind, lines in bodies.items():
                    _add_bytes(tar, KINDS[kind][0], "".join(line + "\n" for line in lines).encode())
            return dest
        if dest.exists() and not dest.is_dir():
            raise BundleError(f"{dest} exists and is not a directory")
        dest.mkdir(parents=True, exist_ok=True)
        (dest / MANIFEST).write_bytes(self._manifest_bytes())
        for kind, (name, _) in KINDS.items():
            target = dest / name
            if kind not in bodies:
                target.unlink(missing_ok=True)
                continue
            with target.open("w", encoding="utf-8") as out:
                out.writelines(line + "\n" for line in bodies[kind])
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
        cap = self._limits.max_line_bytes
        with file.open("rb") as handle:
            i = 0
            while True:
                raw = handle.readline(cap + 1)
                if not raw:
                    return
                i += 1
                if len(raw) > cap and not raw.endswith(b"\n"):
                    raise BundleError(
                        f"a line longer than {cap} bytes (SLEUTH_BUNDLE_MAX_LINE_BYTES)",
                        file=str(file),
                        line=i,
                    )
                try:
                    line = raw.decode("utf-8").strip()
                except UnicodeDecodeError as exc:
                    raise BundleError(
                        f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                        file=str(file),
                        line=i,
                    ) from None
                if line:
                    yield i, line

    def __repr__(self) -> str:
        return f"Bundle({self.manifest.title!r}, kinds={self.kinds()})"


class _Scratch:
    """A private folder (unpacked archives, spilled in-memory records) removed with its owner."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="sleuth-bundle-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)

    def remove(self) -> None:
        self._finalizer()


def _regular(file: Path, limits: Limits) -> Path:
    """`file` if it is a regular file (a link to one is fine); a directory or a device is an error."""
    try:
        st = file.stat()
    except OSError as exc:
        raise BundleError(f"cannot read: {exc.strerror}", file=str(file)) from None

    if not _stat.S_ISREG(st.st_mode):
        what = "a directory" if _stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise BundleError(f"{what}; a bundle file must be a regular JSON-lines file", file=str(file))
    if st.st_size > limits.max_bytes:
        raise BundleError(f"larger than {limits.max_bytes} bytes (SLEUTH_BUNDLE_MAX_BYTES)", file=str(file))
    return file


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def _check_depth(text: str, limits: Limits) -> None:
    """Refuse JSON nested deeper than the limit before a recursive parser sees it."""
    if text.count("[") + text.count("{") <= limits.max_json_depth:
        return
    depth = deepest = 0
    for ch in _NOT_BRACKETS.sub("", _STRINGS.sub("", text)):
        depth += 1 if ch in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limits.max_json_depth:
                raise ValueError(
                    f"JSON nested deeper than {limits.max_json_depth} levels (SLEUTH_BUNDLE_MAX_JSON_DEPTH)"
                )


_FILE_NAMES = [name for name, _ in KINDS.values()]


def _plain(record: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
    if isinstance(record, BaseModel):
        return record.model_dump(mode="json", by_alias=True, exclude_none=True)
    try:
        plain: dict[str, Any] = _as_json(record)
        return plain
    except RecursionError:  # a record that contains itself: let json say so
        return json.loads(json.dumps(record, default=_json_default))


_AS_IS = frozenset({str, int, float, bool, type(None)})


def _as_json(value: Any) -> Any:
    """`json.loads(json.dumps(value, default=_json_default))`, copied directly where the value holds
    only JSON's own types (str keys; str, int, float, bool, None, list, tuple, dict values) and
    datetimes: a generator's records are almost always so, and a round trip through text costs three
    times as much. Anything else takes the round trip, so the result is the same either way."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        if all(type(k) is str for k in value):
            return {k: _as_json(v) for k, v in value.items()}
    elif kind is list or kind is tuple:
        return [_as_json(v) for v in value]
    elif kind is datetime:
        return _json_default(value)
    return json.loads(json.dumps(value, default=_json_default))


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


@contextmanager
def _cleanup_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into SystemExit while unpacking, so the scratch folder is removed, not left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _extract(archive: Path, into: Path, limits: Limits) -> Path:
    """Unpack the bundle's own files (and nothing else) within the limits."""
    wanted = {MANIFEST, *_FILE_NAMES}
    total = members = 0
    try:
        with _cleanup_on_sigterm(), tarfile.open(archive, "r:*") as tar:
            for member in tar:
                members += 1
                if members > limits.max_members:
                    raise BundleError(
                        f"more than {limits.max_members} archive members (SLEUTH_BUNDLE_MAX_MEMBERS)",
                        file=str(archive),
                    )
                if member.isdir():
                    continue
                parts = Path(member.name).parts
                if not member.isfile() or parts[-1] not in wanted or len(parts) > 2:
                    continue  # links, devices, stray files: never written (load rejects strays it sees)
                total += member.size
                if total > limits.max_bytes:
                    raise BundleError(
                        f"more than {limits.max_bytes} bytes uncompressed (SLEUTH_BUNDLE_MAX_BYTES)",
                        file=str(archive),
                    )
                tar.extract(member, into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BundleError(f"cannot unpack: {exc}", file=str(archive)) from exc
    if (into / MANIFEST).is_file():
        return into
    subdirs = [p for p in into.iterdir() if p.is_dir()]
    if len(subdirs) == 1 and (subdirs[0] / MANIFEST).is_file():
        return subdirs[0]
    raise BundleError(f"the archive has no {MANIFEST} at its top or in a single folder", file=str(archive))
