"""What a capture could not read, and what it cut to stay within its caps."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

REPORT_FILE = ".capture-report.json"  # a dot-file: bundle validation ignores it


class Gap(BaseModel):
    """One read that failed: the data it would have given is missing from the bundle, not empty."""

    source: str = Field(description="what was being captured: alarms, metrics, logs, resources, ...")
    operation: str = Field(description="service:Operation")
    code: str = Field(description="AWS error code, or budget / read-only / unsupported / internal")
    message: str
    target: str | None = Field(default=None, description="the resource or group the read was about")

    def line(self) -> str:
        about = f" ({self.target})" if self.target else ""
        return f"[{self.source}] {self.operation}{about}: {self.code}: {self.message}"


class Cut(BaseModel):
    """A cap that was reached: `kept` of at least `seen` items stayed in the bundle."""

    source: str
    detail: str
    kept: int
    seen: int | None = None

    def line(self) -> str:
        seen = f" of {self.seen}" if self.seen is not None else ""
        return f"[{self.source}] kept {self.kept}{seen}: {self.detail}"


class CaptureReport(BaseModel):
    """The capture's account of itself: gaps, cuts, counts and AWS calls spent."""

    gaps: list[Gap] = Field(default_factory=list)
    cuts: list[Cut] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    calls: int = 0
    budget: int = 0

    def gap(self, source: str, operation: str, code: str, message: str, target: str | None = None) -> None:
        self.gaps.append(Gap(source=source, operation=operation, code=code, message=message, target=target))

    def cut(self, source: str, detail: str, kept: int, seen: int | None = None) -> None:
        self.cuts.append(Cut(source=source, detail=detail, kept=kept, seen=seen))

    def text(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items()) or "no records"
        lines = [f"captured {counts} with {self.calls} AWS calls (budget {self.budget})"]
        lines += [f"gap: {g.line()}" for g in self.gaps]
        lines += [f"cut: {c.line()}" for c in self.cuts]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def write(self, bundle_dir: str | Path) -> Path:
        """Save the report beside a bundle written as a directory."""
        path = Path(bundle_dir) / REPORT_FILE
        path.write_text(json.dumps(self.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
        return path
