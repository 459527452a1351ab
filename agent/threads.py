"""How each checkpointed investigation ran (a bundle or live AWS, with which region and profile), so
`sleuth feedback` resumes a thread the way it ran instead of silently going live.

One small JSON file beside the checkpoints, keyed by thread id; written by `investigate --thread`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError


class ThreadRun(BaseModel):
    bundle: str | None = None  # absolute path of the bundle it replayed; None when it ran live
    region: str | None = None
    profile: str | None = None

    def describe(self) -> str:
        if self.bundle:
            return f"offline against bundle {self.bundle}"
        where = ", ".join(f"{k} {v}" for k, v in (("region", self.region), ("profile", self.profile)) if v)
        return "live AWS" + (f" ({where})" if where else "")


def _read(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not readable JSON ({exc}); remove it to forget how threads ran") from exc
    return data if isinstance(data, dict) else {}


def remember(path: Path, thread: str, run: ThreadRun) -> None:
    runs = _read(path)
    runs[thread] = run.model_dump()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(runs, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def recall(path: Path, thread: str) -> ThreadRun | None:
    """How `thread` ran, or None when it was not recorded (a thread from an older version)."""
    entry = _read(path).get(thread)
    if entry is None:
        return None
    try:
        return ThreadRun.model_validate(entry)
    except ValidationError as exc:
        raise ValueError(
            f"{path}: thread {thread!r} is not a valid record ({exc.error_count()} errors)"
        ) from exc
