"""Tools as typed functions: a pydantic input, a pydantic output, and a docstring for the model.

    @tool
    def active_alarms(ctx: ToolContext, args: ActiveAlarmsInput) -> AlarmList:
        \"\"\"List alarms that are in ALARM now ...\"\"\"

`Tool.run` validates the arguments, counts AWS calls, and turns every failure into a `ToolResult` with a
status: nothing a tool does raises into the agent's graph.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar, get_type_hints

from pydantic import BaseModel, ValidationError

from tools.aws import AwsClients
from tools.errors import BudgetExhausted, OperationUnsupported, ReadOnlyViolation, classify
from tools.redact import redact, redact_value
from tools.result import ToolOutput, ToolResult, ToolStatus

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=ToolOutput)


@dataclass
class ToolContext:
    """What tools share within one investigation: the clients, and the present moment (injected)."""

    aws: AwsClients
    now: datetime
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tool(Generic[In, Out]):
    name: str
    description: str
    input_model: type[In]
    output_model: type[Out]
    fn: Callable[[ToolContext, In], Out]

    def schema(self) -> dict[str, Any]:
        """The tool definition for model tool use (Anthropic's `tools` entry)."""
        schema = self.input_model.model_json_schema()
        schema.pop("title", None)
        return {"name": self.name, "description": self.description, "input_schema": schema}

    def run(self, ctx: ToolContext, params: dict[str, Any] | In) -> ToolResult[Out]:
        raw = params.model_dump(mode="json") if isinstance(params, BaseModel) else dict(params)
        before = ctx.aws.budget.used

        def result(status: ToolStatus, summary: str, **kw: Any) -> ToolResult[Out]:
            return ToolResult[self.output_model](  # type: ignore[name-defined]
                tool=self.name,
                params=raw,
                status=status,
                summary=redact(summary),
                aws_calls=ctx.aws.budget.used - before,
                **kw,
            )

        try:
            args = self.input_model.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()[:5]
            )
            return result(ToolStatus.ERROR, f"{self.name}: bad arguments: {problems}", error_code="usage")
        started = time.perf_counter()
        try:
            out = self.fn(ctx, args)
        except OperationUnsupported as exc:
            return result(ToolStatus.UNSUPPORTED, f"{self.name}: {exc}", error_code="unsupported")
        except ReadOnlyViolation as exc:
            return result(ToolStatus.DENIED, f"{self.name}: {exc}", error_code="read-only")
        except BudgetExhausted as exc:
            return result(ToolStatus.ERROR, f"{self.name}: {exc}", error_code="budget")
        except Exception as exc:  # noqa: BLE001 - the graph must never see a raw exception
            failure = classify(exc)
            if failure is None:
                return result(
                    ToolStatus.ERROR,
                    f"{self.name}: unexpected {type(exc).__name__}: {exc}",
                    error_code="internal",
                )
            status = {
                "denied": ToolStatus.DENIED,
                "no_data": ToolStatus.NO_DATA,
                "retry": ToolStatus.ERROR,
                "error": ToolStatus.ERROR,
            }[failure.verdict]
            return result(status, f"{self.name}: {failure.code}: {failure.message}", error_code=failure.code)
        elapsed = time.perf_counter() - started
        # Every tool's output crosses here on its way to evidence, a model or a person: mask secrets once.
        out = type(out).model_validate(redact_value(out.model_dump(mode="python")))
        status = ToolStatus.NO_DATA if out.is_empty() else ToolStatus.OK
        try:
            summary = out.summary()
        except Exception as exc:  # noqa: BLE001 - a summary that cannot be said must not lose the data
            summary = f"{self.name}: answered, but its summary failed ({type(exc).__name__}: {exc})"
        if elapsed > 5:
            summary += f" (took {elapsed:.1f} s)"
        return result(status, summary, data=out, has_more=out.has_more, total=out.total)


REGISTRY: dict[str, Tool[Any, Any]] = {}


def tool(fn: Callable[[ToolContext, In], Out]) -> Tool[In, Out]:
    """Register a tool from a typed function; its docstring is the model-facing description."""
    hints = get_type_hints(fn)
    params = list(inspect.signature(fn).parameters)
    if len(params) != 2:
        raise TypeError(f"tool {fn.__name__} must take (ctx, args)")
    input_model = hints[params[1]]
    output_model = hints["return"]
    description = inspect.cleandoc(fn.__doc__ or "")
    if not description:
        raise TypeError(f"tool {fn.__name__} needs a docstring: it is the model-facing description")
    built: Tool[In, Out] = Tool(fn.__name__, description, input_model, output_model, fn)
    if built.name in REGISTRY:
        raise RuntimeError(f"two tools named {built.name}")
    REGISTRY[built.name] = built
    return built


def schemas() -> list[dict[str, Any]]:
    """Every registered tool's definition, for model tool use."""
    return [t.schema() for t in REGISTRY.values()]
