"""Step Functions tool: a state machine, what its definition calls, and how its recent executions
ended (never their input or output); and state machines as nodes of the resource graph."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tools.queues import queue_arn
from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput
from tools.state import text_of

MAX_EXECUTIONS = 50  # recent executions read (context budget)
MAX_FAILURES = 5  # failed executions described, with their error and cause
MAX_MACHINES = 20  # state machines read to find the ones that call a function (one page)

_STATE_MACHINE_ARN = re.compile(r"arn:aws[a-z-]*:states:[\w-]+:\d{12}:stateMachine:[\w.-]+$")


class StateMachineInput(BaseModel):
    """Arguments of state_machine."""

    state_machine: str = Field(
        min_length=1, max_length=2048, pattern=r"^arn:", description="the state machine's ARN"
    )


class Failure(BaseModel):
    execution: str
    status: str
    started: datetime
    stopped: datetime | None
    error: str | None
    cause: str | None = Field(description="the failure's cause as the state reported it (untrusted text)")


class StateMachine(ToolOutput):
    arn: str
    name: str
    type: str | None
    status: str | None
    revision: str | None
    role: str | None
    created: datetime | None
    logging: str | None
    calls: list[str] = Field(description="functions, queues, topics and tables its Task states call")
    executions: dict[str, int] = Field(description="recent executions by status")
    last_started: datetime | None
    failures: list[Failure]

    def summary(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.executions.items())) or "no executions"
        parts = [
            f"state machine {self.name} ({self.type}, {self.status}, revision {self.revision}): "
            f"{counts} in the last {MAX_EXECUTIONS} executions"
        ]
        if self.calls:
            parts.append("calls " + ", ".join(c.rsplit(":", 1)[-1] for c in self.calls[:10]))
        for f in self.failures:
            parts.append(
                f"{f.status} {f.execution.rsplit(':', 1)[-1]} at {f.started:%H:%M}: {f.error or '?'} {f.cause or ''}".strip()
            )
        return ". ".join(parts)


_PARAM_KINDS = {
    "FunctionName": "function",
    "QueueUrl": "queue",
    "TopicArn": "topic",
    "TableName": "table",
    "StateMachineArn": "state_machine",
}


def calls_of(definition: str | None) -> list[tuple[str, str]]:
    """(kind, name or ARN) of what the Task states of a definition call: a function, a queue URL, a
    topic, a table or another state machine, from the task's resource and its parameters."""
    try:
        doc = json.loads(definition or "{}")
    except json.JSONDecodeError:
        return []
    found: list[tuple[str, str]] = []

    def visit(states: Any) -> None:
        for state in states.values() if isinstance(states, dict) else []:
            if not isinstance(state, dict):
                continue
            resource = str(state.get("Resource", ""))
            params = state.get("Parameters") or state.get("Arguments") or {}
            params = params if isinstance(params, dict) else {}
            if ":lambda:" in resource and ":function:" in resource:
                found.append(("function", resource))
            for key, kind in _PARAM_KINDS.items():
                value = params.get(key)
                if isinstance(value, str) and value and not value.startswith(("$", "{%")):
                    found.append((kind, value))
            for branch in state.get("Branches", []) or []:
                visit((branch or {}).get("States") if isinstance(branch, dict) else None)
            inner = state.get("Iterator") or state.get("ItemProcessor") or {}
            visit(inner.get("States") if isinstance(inner, dict) else None)

    visit(doc.get("States") if isinstance(doc, dict) else None)
    return list(dict.fromkeys(found))


def _function(ref: str) -> str:
    return ref.split(":function:")[-1].split(":")[0]


@tool
def state_machine(ctx: ToolContext, args: StateMachineInput) -> StateMachine:
    """Show a Step Functions state machine: its type, status, revision and role, the functions,
    queues, topics and tables its Task states call, how its recent executions ended (counts by
    status), and the latest failed, timed-out or aborted executions with their error and cause.
    Execution input and output are never read.

    Args:
        state_machine: the state machine's ARN.
    """
    m = ctx.aws.call("stepfunctions", "DescribeStateMachine", stateMachineArn=args.state_machine)
    executions: list[dict[str, Any]] = []
    more = False
    if m.get("type") != "EXPRESS":  # express executions are only in CloudWatch Logs
        executions, more = ctx.aws.collect(
            "stepfunctions",
            "ListExecutions",
            "executions",
            max_items=MAX_EXECUTIONS,
            in_token="nextToken",
            out_token="nextToken",
            stateMachineArn=args.state_machine,
            maxResults=MAX_EXECUTIONS,
        )
    counts: dict[str, int] = {}
    for e in executions:
        counts[e["status"]] = counts.get(e["status"], 0) + 1
    failures = []
    for e in [e for e in executions if e["status"] in ("FAILED", "TIMED_OUT", "ABORTED")][:MAX_FAILURES]:
        d = ctx.aws.call(
            "stepfunctions", "DescribeExecution", executionArn=e["executionArn"], includedData="METADATA_ONLY"
        )
        failures.append(
            Failure(
                execution=e["executionArn"],
                status=e["status"],
                started=e["startDate"],
                stopped=e.get("stopDate"),
                error=text_of(d.get("error")) or None,
                cause=text_of(d.get("cause")) or None,
            )
        )
    logging = (m.get("loggingConfiguration") or {}).get("level")
    return StateMachine(
        arn=m["stateMachineArn"],
        name=m["name"],
        type=m.get("type"),
        status=m.get("status"),
        revision=m.get("revisionId"),
        role=m.get("roleArn"),
        created=m.get("creationDate"),
        logging=logging,
        calls=[ref for _, ref in calls_of(m.get("definition"))],
        executions=counts,
        last_started=executions[0]["startDate"] if executions else None,
        failures=failures,
        has_more=more,
        total=len(executions),
    )


# --- the resource graph ---------------------------------------------------------------------------


def link_calls(walk: GraphWalk, machine: str, definition: str | None) -> None:
    """Edges from a state machine to what its Task states call."""
    for kind, ref in calls_of(definition):
        if kind == "function":
            walk.want("lambda", _function(ref))
            walk.link(machine, _function(ref), "invokes")
        elif kind == "queue" and queue_arn(ref):
            walk.want("sqs_queue", ref)
            walk.link(machine, str(queue_arn(ref)), "sends_to")
        elif kind == "topic" and ref.startswith("arn:"):
            walk.want("sns_topic", ref)
            walk.link(machine, ref, "publishes_to")
        elif kind == "table":
            walk.want("table", ref.split("/")[-1])
            walk.link(machine, ref.split("/")[-1], "writes_to")
        elif kind == "state_machine" and _STATE_MACHINE_ARN.fullmatch(ref):
            walk.want("state_machine", ref)
            walk.link(machine, ref, "starts")


def walk_state_machines(walk: GraphWalk, arns: list[str]) -> None:
    """State machines as nodes (keyed by ARN), with recent failures called out, linked to what they call."""
    for arn in arns:
        m = walk.call("stepfunctions", "DescribeStateMachine", stateMachineArn=arn)
        if m is None:
            continue
        attrs = {"arn": arn, "type": str(m.get("type")), "revision": str(m.get("revisionId") or "")}
        if m.get("type") != "EXPRESS":
            page = walk.call("stepfunctions", "ListExecutions", stateMachineArn=arn, maxResults=20) or {}
            recent = page.get("executions", [])
            failed = [e for e in recent if e["status"] in ("FAILED", "TIMED_OUT", "ABORTED")]
            statuses = sorted({e["status"] for e in recent})
            attrs["recent_executions"] = ", ".join(
                f"{sum(e['status'] == s for e in recent)} {s}" for s in statuses
            )
            if failed:
                attrs["warning"] = cut(
                    f"{len(failed)} of the last {len(recent)} executions "
                    f"{'/'.join(sorted({e['status'] for e in failed}))}, latest started "
                    f"{failed[0]['startDate']:%Y-%m-%d %H:%M}"
                )
        if not walk.add(
            Node(kind="state_machine", id=arn, name=m["name"], state=m.get("status"), attrs=attrs)
        ):
            return
        link_calls(walk, arn, m.get("definition"))


class Invokers:
    """The account's state machines and what they call, read once per graph (one page), to find the
    workflows upstream of a function."""

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[str, str]]] | None = None

    def of(self, walk: GraphWalk, function: str) -> list[str]:
        if self.calls is None:
            self.calls = {}
            listed = walk.call("stepfunctions", "ListStateMachines", maxResults=MAX_MACHINES) or {}
            if listed.get("nextToken"):
                walk.gaps.append(f"stepfunctions:ListStateMachines: only the first {MAX_MACHINES} were read")
            for item in listed.get("stateMachines", []):
                m = walk.call(
                    "stepfunctions", "DescribeStateMachine", stateMachineArn=item["stateMachineArn"]
                )
                if m:
                    self.calls[item["stateMachineArn"]] = calls_of(m.get("definition"))
        return [
            arn
            for arn, calls in self.calls.items()
            if any(kind == "function" and _function(ref) == function for kind, ref in calls)
        ]
