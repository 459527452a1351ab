"""Reads for a capture: every failure becomes a recorded gap, never an exception that ends the capture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from evals.capture.report import CaptureReport
from tools.aws import AwsClients
from tools.errors import BudgetExhausted, OperationUnsupported, ReadOnlyViolation, classify

Progress = Callable[[str], None]
_NOT_A_NAME = frozenset({"ValidationError", "ParamValidationError", "InvalidParameterValueException"})


class Reader:
    """AwsClients plus the capture report: `call` answers None (and records why) when a read fails."""

    def __init__(self, aws: AwsClients, report: CaptureReport, progress: Progress | None = None) -> None:
        self.aws = aws
        self.report = report
        self.progress = progress or (lambda _message: None)
        self.exhausted = False
        self.skipped = 0
        self._guessing = False
        self.apis: list[tuple[str, str, str]] | None = None  # the account's APIs, listed once for names

    @contextmanager
    def stage(self, source: str) -> Iterator[None]:
        """Run one part of the capture; a failure of ours ends that part, recorded, never the capture."""
        self.progress(source)
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - the rest of the capture is still worth having
            self.report.gap(source, "capture", f"internal:{type(exc).__name__}", str(exc)[:300])

    @contextmanager
    def guessing(self) -> Iterator[None]:
        """While guessing what a name is, "not found" (or an invalid name) is an answer, not a gap."""
        before, self._guessing = self._guessing, True
        try:
            yield
        finally:
            self._guessing = before  # a guess inside a guess leaves the outer one guessing

    def call(
        self, source: str, service: str, operation: str, target: str | None = None, **params: Any
    ) -> Any:
        """One read; None when it failed (the failure is in the report)."""
        if self.exhausted:
            self.skipped += 1
            return None
        try:
            return self.aws.call(service, operation, **params)
        except BudgetExhausted as exc:
            self.exhausted = True
            self.report.gap(source, f"{service}:{operation}", "budget", str(exc), target)
        except ReadOnlyViolation as exc:
            self.report.gap(source, f"{service}:{operation}", "read-only", str(exc), target)
        except OperationUnsupported as exc:
            self.report.gap(source, f"{service}:{operation}", "unsupported", str(exc), target)
        except Exception as exc:  # noqa: BLE001 - a failed read is a gap in the bundle, never the end of it
            failure = classify(exc)
            if self._guessing and failure and (failure.verdict == "no_data" or failure.code in _NOT_A_NAME):
                return None
            code = failure.code if failure else f"internal:{type(exc).__name__}"
            message = " ".join((failure.message if failure else str(exc)).split())
            self.report.gap(source, f"{service}:{operation}", code, message[:300], target)
        return None

    def pages(
        self,
        source: str,
        service: str,
        operation: str,
        key: str,
        *,
        max_items: int,
        target: str | None = None,
        in_token: str = "NextToken",
        out_token: str = "NextToken",
        **params: Any,
    ) -> tuple[list[Any], bool]:
        """Page through `operation` gathering `key` items up to `max_items`: (items, more exist).

        A page that fails ends the listing with what was read so far; the gap is in the report.
        """
        items: list[Any] = []
        token: str | None = None
        while True:
            page = self.call(
                source, service, operation, target, **params, **({in_token: token} if token else {})
            )
            if page is None:
                return items, False
            items.extend(page.get(key, []))
            token = page.get(out_token)
            if len(items) >= max_items:
                return items[:max_items], bool(token) or len(items) > max_items
            if not token:
                return items, False

    def missing(self, source: str, operation: str, wanted: list[str], found: set[str]) -> None:
        """Record each wanted resource that a describe call did not return."""
        for rid in wanted:
            if rid not in found:
                self.report.gap(
                    source, operation, "NotFound", "no such resource in this account and Region", rid
                )

    def finish(self) -> None:
        """Fill the report's call accounting."""
        self.report.calls = self.aws.budget.used
        self.report.budget = self.aws.budget.limit
        if self.skipped:
            self.report.notes.append(f"{self.skipped} reads were not sent after the call budget ran out")
