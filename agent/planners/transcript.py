"""What the model reads: the opening brief, and tool output wrapped as untrusted data.

Tool output (log lines, tags, descriptions, evidence summaries made from them) can contain anything,
including text that looks like instructions. It enters the conversation only inside a delimited
`<tool_output>` block whose closing tag cannot be forged from inside, and the system prompt tells the
model that such blocks are data.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agent.board import Evidence
from agent.scope import Scope
from agent.topology import Topology
from tools.redact import redact

MAX_SUMMARY = 1500  # characters of a tool summary the model sees: summaries are the context budget
MAX_EVIDENCE_LINE = 220
MAX_OPENING_EVIDENCE = 60


def defang(text: str) -> str:
    """Neutralise anything that could close or open a data block from inside it."""
    return re.sub(r"<\s*(/?)\s*(tool_output|evidence|board)", r"‹\1\2", text, flags=re.I)


def data_block(tool: str, status: str, text: str) -> str:
    return f'<tool_output tool="{tool}" status="{status}" trust="untrusted">\n{defang(text)}\n</tool_output>'


def evidence_lines(evidence: list[Evidence]) -> str:
    return "\n".join(
        f"{e.id} [{e.kind}] {e.resource or '-'}: {e.summary[:MAX_EVIDENCE_LINE]}" for e in evidence
    )


def tool_reply(tool: str, status: str, summary: str, made: list[Evidence], board: str | None) -> str:
    """A tool's result for the model: its summary and the evidence it produced, both as data."""
    body = summary[:MAX_SUMMARY]
    if made:
        body += "\n\nevidence recorded:\n" + evidence_lines(made)
    else:
        body += "\n\nevidence recorded: none"
    reply = data_block(tool, status, body)
    return reply + (f"\n\n{board}" if board else "")


def opening(
    question: str | None,
    alarm: dict[str, Any] | None,
    scope: Scope,
    topo: Topology,
    evidence: list[Evidence],
    board: str,
) -> str:
    """The first user message: trigger, scope, what is known, and the board."""
    trigger: dict[str, Any] = {"question": question}
    if alarm:
        detail = alarm.get("detail") or {}
        trigger["alarm"] = {
            "name": detail.get("alarmName"),
            "time": alarm.get("time"),
            "reason": (detail.get("state") or {}).get("reason"),
            "description": (detail.get("configuration") or {}).get("description"),
        }
    kinds: dict[str, list[str]] = {}
    for node in topo.nodes.values():
        kinds.setdefault(node.kind, []).append(node.name or node.id)
    resources = "\n".join(f"{k}: {', '.join(sorted(v)[:12])}" for k, v in sorted(kinds.items()))
    shown = sorted(evidence, key=lambda e: e.strength, reverse=True)[:MAX_OPENING_EVIDENCE]
    shown.sort(key=lambda e: int(e.id.split("-")[1]))
    return "\n\n".join(
        [
            "Investigate this incident.",
            data_block("trigger", "ok", redact(json.dumps(trigger, default=str, indent=1))),
            (
                f"scope: {scope.start.isoformat()} to {scope.end.isoformat()} (now {scope.now.isoformat()}); "
                f"entry resources: {', '.join(e.id for e in scope.entry) or 'none'}; "
                f"symptoms: {', '.join(scope.symptoms) or 'none named'}"
            ),
            data_block("discover", "ok", f"resources found:\n{resources or 'none'}"),
            data_block(
                "survey",
                "ok",
                f"evidence so far ({len(evidence)}; {len(shown)} strongest shown):\n"
                + (evidence_lines(shown) or "none"),
            ),
            board,
            "Use the tools to test the leading hypotheses, then call request_conclusion.",
        ]
    )


FINAL_TURN = (
    "The investigation budget is spent ({why}): tools are withheld now. In one short paragraph, say which "
    "hypothesis on the board the evidence supports best, what is missing, and which telemetry would settle it."
)
