"""Resource policies (bucket, VPC endpoint) read as statements a person can check: who, what, on which
resources, under which conditions. The policy text is untrusted: it is parsed, never acted on."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field

from tools.state import text_of

MAX_STATEMENTS = 20  # statements kept per policy (context budget)
MAX_VALUES = 6  # principals, actions, resources or condition values kept per statement

# Condition keys that tie a request to the network path it came by.
NETWORK_KEYS = ("aws:sourcevpce", "aws:sourcevpc", "aws:sourceip", "aws:vpcsourceip")


class Statement(BaseModel):
    sid: str | None
    effect: str = Field(description="Allow or Deny")
    principals: list[str] = Field(description="who it applies to; '*' is everyone")
    actions: list[str] = Field(description="actions, or 'NOT ...' for NotAction")
    resources: list[str]
    conditions: list[str] = Field(
        description="operator key=values, e.g. StringNotEquals aws:SourceVpce=vpce-1"
    )

    def line(self) -> str:
        cond = f" when {'; '.join(self.conditions)}" if self.conditions else ""
        return (
            f"{self.effect} {','.join(self.principals) or '-'} {','.join(self.actions) or '-'} on "
            f"{','.join(self.resources) or '-'}{cond}"
        )

    def network_tests(self) -> list[tuple[str, str, list[str]]]:
        """(operator, condition key lower-cased, values) of the network-path conditions it tests."""
        out = []
        for c in self.conditions:
            m = re.match(r"(\S+) ([^=]+)=(.*)$", c)
            if m and m.group(2).lower() in NETWORK_KEYS:
                out.append((m.group(1), m.group(2).lower(), m.group(3).split(",")))
        return out


def _list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [text_of(v) for v in items][:MAX_VALUES]


def _principals(value: Any) -> list[str]:
    if value == "*":
        return ["*"]
    if isinstance(value, dict):
        return [p for kind in sorted(value) for p in _list(value[kind])][:MAX_VALUES]
    return _list(value)


def parse_policy(document: Any) -> tuple[list[Statement], str | None]:
    """(statements, problem): a policy given as JSON text or an object; a problem when it is not one."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            return [], f"policy is not JSON ({exc.msg})"
    if not isinstance(document, dict):
        return [], "policy is not a JSON object"
    raw = document.get("Statement", [])
    raw = raw if isinstance(raw, list) else [raw]
    out = []
    for s in raw[:MAX_STATEMENTS]:
        if not isinstance(s, dict):
            continue
        conditions = []
        for op, tests in (s.get("Condition") or {}).items():
            for key, values in (tests if isinstance(tests, dict) else {}).items():
                conditions.append(f"{text_of(op)} {text_of(key)}={','.join(_list(values))}")
        actions = _list(s.get("Action")) or [f"NOT {a}" for a in _list(s.get("NotAction"))]
        resources = _list(s.get("Resource")) or [f"NOT {r}" for r in _list(s.get("NotResource"))]
        principals = _principals(s.get("Principal")) or [
            f"NOT {p}" for p in _principals(s.get("NotPrincipal"))
        ]
        out.append(
            Statement(
                sid=text_of(s["Sid"]) if s.get("Sid") else None,
                effect=text_of(s.get("Effect")),
                principals=principals,
                actions=actions,
                resources=resources,
                conditions=conditions[:MAX_VALUES],
            )
        )
    return out, None


def network_findings(statements: list[Statement]) -> list[str]:
    """Deny statements that hold only for requests arriving by one network path: every caller on
    another path (another endpoint, the internet, a new VPC) is refused."""
    out = []
    for s in statements:
        if s.effect != "Deny":
            continue
        for op, key, values in s.network_tests():
            negated = "Not" in op
            out.append(
                f"denies {','.join(s.actions)} to requests whose {key} is {'not ' if negated else ''}"
                f"{' or '.join(values)}"
            )
    return out
