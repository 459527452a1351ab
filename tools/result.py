"""What every tool returns: a status, typed data, and a short summary sized for a model's context."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


class ToolStatus(StrEnum):
    OK = "ok"
    NO_DATA = "no_data"
    ERROR = "error"
    DENIED = "denied"
    UNSUPPORTED = "unsupported"


class ToolOutput(BaseModel):
    """Base of every tool's output model."""

    has_more: bool = False
    total: int | None = None

    def summary(self) -> str:
        """One short paragraph for a model or a person; subclasses say what they found."""
        raise NotImplementedError

    def is_empty(self) -> bool:
        """True when the call worked but found nothing (the result's status is then `no_data`)."""
        return False


class ToolResult(BaseModel, Generic[T]):
    """One tool call's outcome. `tool` and `params` re-run it exactly."""

    tool: str
    params: dict[str, Any]
    status: ToolStatus
    summary: str
    data: T | None = None
    has_more: bool = False
    total: int | None = None
    error_code: str | None = None
    aws_calls: int = 0

    @property
    def ok(self) -> bool:
        return self.status is ToolStatus.OK
