"""X-Ray filter expressions: parsed once into a predicate over a trace's precomputed facts.

Grammar (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html): keywords with
boolean, number or string operators; `service(...)` and `edge(...)` with an optional `{ filter }` (or
`.keyword` property) applied to that node's or connection's segments; `annotation.key` /
`annotation[key]`; `rootcause.fault|error.service|entity...`; `AND`, `OR`, `!`/`NOT`, parentheses, and
juxtaposition meaning AND (`ok !partial duration < 3`). AND binds tighter than OR.

Expressions AWS would reject raise `FilterError` (answered as InvalidRequestException); keywords AWS
accepts but replay does not evaluate raise `FilterUnsupported`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evals.replay.engines.xray_index import Call, Cause, NodeId, Trace

Predicate = Callable[[Any], bool]


class FilterError(ValueError):
    """An expression X-Ray would reject."""


class FilterUnsupported(ValueError):
    """A valid X-Ray keyword that replay does not evaluate."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
      | (?P<op>>=|<=|!=|=|<|>|!)
      | (?P<punct>[(){}\[\],:])
      | (?P<prop>\.[A-Za-z_][\w.]*)
      | (?P<word>[A-Za-z_][\w.\-]*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # string, number, op, punct, prop, word, end
    text: str
    pos: int

    def value(self) -> Any:
        if self.kind == "string":
            return re.sub(r"\\(.)", r"\1", self.text[1:-1])
        if self.kind == "number":
            return float(self.text)
        return self.text


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.lastgroup is None:
            raise FilterError(f"Invalid filter expression: unexpected character at position {pos}")
        kind = m.lastgroup
        out.append(_Tok(kind, m.group(kind), m.start(kind)))
        pos = m.end()
    out.append(_Tok("end", "", len(text)))
    return out


# --- keyword tables: what each scope can read ----------------------------------------------------

_TRACE_BOOL: dict[str, Callable[[Trace], bool]] = {
    "ok": lambda t: t.response_time is not None and not (t.fault or t.error),
    "error": lambda t: t.error,
    "fault": lambda t: t.fault,
    "throttle": lambda t: t.throttle,
    "partial": lambda t: t.partial,
}
_TRACE_NUM: dict[str, Callable[[Trace], float | None]] = {
    "responsetime": lambda t: t.response_time,
    "duration": lambda t: t.duration,
    "http.status": lambda t: t.http.get("HttpStatus"),
}
_TRACE_STR: dict[str, Callable[[Trace], list[str]]] = {
    "http.url": lambda t: _one(t.http.get("HttpURL")),
    "http.method": lambda t: _one(t.http.get("HttpMethod")),
    "http.useragent": lambda t: _one(t.http.get("UserAgent")),
    "http.clientip": lambda t: _one(t.http.get("ClientIp")),
    "user": lambda t: list(t.users),
}
_CALL_BOOL: dict[str, Callable[[Call], bool]] = {
    "ok": lambda c: c.ok,
    "error": lambda c: c.error,
    "fault": lambda c: c.fault,
    "throttle": lambda c: c.throttle,
    "partial": lambda c: c.partial,
}
_CALL_NUM: dict[str, Callable[[Call], float | None]] = {
    "responsetime": lambda c: c.responsetime,
    "duration": lambda c: c.responsetime,
    "http.status": lambda c: c.status,
}
_CALL_STR: dict[str, Callable[[Call], list[str]]] = {
    "http.url": lambda c: _one(c.url),
    "http.method": lambda c: _one(c.method),
    "http.useragent": lambda c: _one(c.useragent),
    "http.clientip": lambda c: _one(c.clientip),
}
_CAUSE_STR: dict[str, Callable[[Cause], list[str]]] = {
    "service": lambda c: [c.service.name],
    "service.name": lambda c: [c.service.name],
    "service.type": lambda c: _one(c.service.type),
    "service.account.id": lambda c: _one(c.service.account_id),
    "entity": lambda c: [c.entity["Name"]],
    "entity.name": lambda c: [c.entity["Name"]],
    "entity.exception": lambda c: [e["Name"] for e in c.entity.get("Exceptions", ()) if "Name" in e],
    "entity.exception.name": lambda c: [e["Name"] for e in c.entity.get("Exceptions", ()) if "Name" in e],
    "entity.exception.message": lambda c: [
        e["Message"] for e in c.entity.get("Exceptions", ()) if "Message" in e
    ],
}
_CAUSE_BOOL: dict[str, Callable[[Cause], bool]] = {
    "service.inferred": lambda c: c.inferred,
    "entity.remote": lambda c: bool(c.entity.get("Remote")),
}
# Keywords X-Ray accepts that replay does not evaluate.
_KNOWN_UNSUPPORTED = ("group.", "json", "rootcause.responsetime")

_NUM_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_STR_OPS: dict[str, Callable[[str, str], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "CONTAINS": lambda a, b: b in a,
    "BEGINSWITH": lambda a, b: a.startswith(b),
    "ENDSWITH": lambda a, b: a.endswith(b),
}


def _one(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else []


def compile_filter(text: str) -> Callable[[Trace], bool]:
    """Parse a FilterExpression into a predicate over `Trace`s. Raises FilterError/FilterUnsupported."""
    if not text.strip():
        raise FilterError("Invalid filter expression: the expression is empty")
    parser = _Parser(_tokens(text))
    pred = parser.expr("trace")
    parser.expect_end()
    return pred


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    # --- token helpers ----------------------------------------------------------------------------

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (text is None or tok.text.upper() == text.upper())

    def expect(self, kind: str, text: str | None = None) -> _Tok:
        if not self.at(kind, text):
            want = text or kind
            raise self.error(f"expected {want!r}")
        return self.take()

    def expect_end(self) -> None:
        if not self.at("end"):
            raise self.error("unexpected input")

    def error(self, what: str) -> FilterError:
        tok = self.tok
        shown = tok.text or "end of expression"
        return FilterError(f"Invalid filter expression: {what} at position {tok.pos} (near {shown!r})")

    # --- boolean structure ------------------------------------------------------------------------

    def expr(self, scope: str) -> Predicate:
        parts = [self.conj(scope)]
        while self.at("word", "OR"):
            self.take()
            parts.append(self.conj(scope))
        if len(parts) == 1:
            return parts[0]
        return lambda x: any(p(x) for p in parts)

    def conj(self, scope: str) -> Predicate:
        parts = [self.unary(scope)]
        while True:
            if self.at("word", "AND"):
                self.take()
            elif self.at("end") or self.at("word", "OR") or self.at("punct", ")") or self.at("punct", "}"):
                break
            parts.append(self.unary(scope))
        if len(parts) == 1:
            return parts[0]
        return lambda x: all(p(x) for p in parts)

    def unary(self, scope: str) -> Predicate:
        if self.at("op", "!") or self.at("word", "NOT"):
            self.take()
            inner = self.unary(scope)
            return lambda x: not inner(x)
        if self.at("punct", "("):
            self.take()
            inner = self.expr(scope)
            self.expect("punct", ")")
            return inner
        return self.atom(scope)

    # --- atoms ------------------------------------------------------------------------------------

    def atom(self, scope: str) -> Predicate:
        tok = self.tok
        if tok.kind != "word":
            raise self.error("expected a keyword")
        word = tok.text.lower()
        if word in ("service", "edge") and self.toks[self.i + 1].text == "(":
            if scope != "trace":
                raise self.error(f"{word}() cannot be used inside a service or edge filter")
            self.take()
            return self.service() if word == "service" else self.edge()
        if word == "annotation" or word.startswith("annotation."):
            if scope != "trace":
                raise self.error("annotations cannot be used inside a service or edge filter")
            return self.annotation()
        if word.startswith("rootcause."):
            if scope != "trace":
                raise self.error("rootcause cannot be used inside a service or edge filter")
            return self.rootcause()
        self.take()
        bools, nums, strs = (
            (_TRACE_BOOL, _TRACE_NUM, _TRACE_STR) if scope == "trace" else (_CALL_BOOL, _CALL_NUM, _CALL_STR)
        )
        if word in bools:
            return self.boolean(bools[word])
        if word in nums:
            return self.number(nums[word])
        if word in strs:
            return self.string(strs[word])
        if word.startswith(_KNOWN_UNSUPPORTED):
            raise FilterUnsupported(f"filter keyword {tok.text!r}")
        self.i -= 1
        raise self.error(f"unknown keyword {tok.text!r}")

    def boolean(self, get: Callable[[Any], bool]) -> Predicate:
        if self.at("op", "=") or self.at("op", "!="):
            negate = self.take().text == "!="
            value = self.expect("word")
            if value.text.lower() not in ("true", "false"):
                self.i -= 1
                raise self.error("a boolean keyword compares with true or false")
            want = (value.text.lower() == "true") != negate
            return lambda x: get(x) == want
        if self.at("op") and self.tok.text != "!":  # `!` starts the next term: `ok !partial`
            raise self.error("a boolean keyword takes no operator but = or !=")
        return get

    def number(self, get: Callable[[Any], float | None]) -> Predicate:
        if not self.at("op") or self.tok.text == "!":
            raise self.error("a number keyword needs a comparison operator")
        compare = _NUM_OPS[self.take().text]
        if not self.at("number"):
            raise self.error("a number keyword compares with a number")
        bound = self.take().value()

        def test(x: Any) -> bool:
            value = get(x)
            return value is not None and compare(float(value), bound)

        return test

    def string_op(self) -> Callable[[str, str], bool]:
        tok = self.tok
        key = tok.text.upper() if tok.kind == "word" else tok.text
        if tok.kind not in ("op", "word") or key not in _STR_OPS:
            raise self.error("a string keyword needs =, !=, CONTAINS, BEGINSWITH or ENDSWITH")
        self.take()
        return _STR_OPS[key]

    def string(self, get: Callable[[Any], list[str]]) -> Predicate:
        op = self.string_op()
        if not self.at("string"):
            raise self.error("string values must be in double quotes")
        want = self.take().value()
        if op is _STR_OPS["!="]:
            # != holds when the field is set to something else (a missing field matches nothing).
            return lambda x: any(v != want for v in get(x))
        return lambda x: any(op(v, want) for v in get(x))

    # --- complex keywords -------------------------------------------------------------------------

    def node_ref(self) -> Callable[[NodeId], bool]:
        if self.at("string"):
            name = self.take().value()
            return lambda n: n.name == name
        if self.at("word", "id"):
            self.take()
            self.expect("punct", "(")
            fields: dict[str, str] = {}
            while not self.at("punct", ")"):
                key = self.expect("word").text
                if key not in ("name", "type", "account.id"):
                    self.i -= 1
                    raise self.error("id() takes name, type and account.id")
                self.expect("punct", ":")
                fields[key] = self.expect("string").value()
                if not self.at("punct", ")"):
                    self.expect("punct", ",")
            self.take()
            name, kind, account = fields.get("name"), fields.get("type"), fields.get("account.id")
            return lambda n: (
                (name is None or n.name == name)
                and (kind is None or n.type == kind)
                and (account is None or n.account_id == account)
            )
        raise self.error("expected a quoted service name or id(...)")

    def call_filter(self) -> Predicate | None:
        if self.at("punct", "{"):
            self.take()
            inner = self.expr("call")
            self.expect("punct", "}")
            return inner
        if self.at("prop"):
            # `service("a").fault` reads as `service("a") { fault }`.
            prop = self.take()
            self.toks.insert(self.i, _Tok("word", prop.text[1:], prop.pos + 1))
            return self.atom("call")
        return None

    def service(self) -> Predicate:
        self.expect("punct", "(")
        match: Callable[[NodeId], bool] = (lambda n: True) if self.at("punct", ")") else self.node_ref()
        self.expect("punct", ")")
        inner = self.call_filter()
        if inner is None:
            return lambda t: any(match(n) for n in t.nodes)
        test = inner
        return lambda t: any(match(c.node) and test(c) for c in t.calls)

    def edge(self) -> Predicate:
        self.expect("punct", "(")
        src = self.node_ref()
        self.expect("punct", ",")
        dst = self.node_ref()
        self.expect("punct", ")")
        inner = self.call_filter()
        test: Predicate = inner if inner is not None else (lambda c: True)
        return lambda t: any(
            c.caller is not None and src(c.caller) and dst(c.node) and test(c) for c in t.calls
        )

    def annotation(self) -> Predicate:
        tok = self.take()
        if tok.text.lower() == "annotation":
            self.expect("punct", "[")
            if not (self.at("word") or self.at("string")):
                raise self.error("expected an annotation key")
            key = self.take().value()
            self.expect("punct", "]")
        else:
            key = tok.text[len("annotation.") :]
            if not key:
                raise self.error("expected an annotation key")

        def values(t: Trace) -> list[Any]:
            return [v for v, _ in t.annotations.get(key, ())]

        if self.tok.kind == "word" and self.tok.text.upper() in ("CONTAINS", "BEGINSWITH", "ENDSWITH"):
            op = self.string_op()
            want = self.expect("string").value()
            return lambda t: any(isinstance(v, str) and op(v, want) for v in values(t))
        if self.tok.kind != "op" or self.tok.text == "!":
            # A bare boolean annotation: true when set to true.
            return lambda t: any(v is True for v in values(t))
        sign = self.take().text
        operand = self.tok
        if operand.kind == "string":
            self.take()
            if sign not in ("=", "!="):
                raise self.error("strings compare with =, !=, CONTAINS, BEGINSWITH or ENDSWITH")
            sop = _STR_OPS[sign]
            want_s = operand.value()
            return lambda t: any(isinstance(v, str) and sop(v, want_s) for v in values(t))
        if operand.kind == "number":
            self.take()
            nop, want_n = _NUM_OPS[sign], operand.value()
            return lambda t: any(
                isinstance(v, int | float) and not isinstance(v, bool) and nop(float(v), want_n)
                for v in values(t)
            )
        if operand.kind == "word" and operand.text.lower() in ("true", "false"):
            self.take()
            if sign not in ("=", "!="):
                raise self.error("booleans compare with = or !=")
            want_b = (operand.text.lower() == "true") != (sign == "!=")
            return lambda t: any(isinstance(v, bool) and v == want_b for v in values(t))
        raise self.error("expected a string, number or boolean value")

    def rootcause(self) -> Predicate:
        tok = self.take()
        parts = tok.text.lower().split(".", 2)
        if len(parts) < 3 or parts[1] not in ("fault", "error", "responsetime"):
            self.i -= 1
            raise self.error(f"unknown keyword {tok.text!r}")
        if parts[1] == "responsetime":
            raise FilterUnsupported(f"filter keyword {tok.text!r}")
        kind, rest = parts[1], parts[2]

        def causes(t: Trace) -> list[Cause]:
            return t.fault_causes if kind == "fault" else t.error_causes

        if rest in _CAUSE_BOOL:
            get_b = _CAUSE_BOOL[rest]
            test_b = self.boolean(lambda c: get_b(c))
            return lambda t: any(test_b(c) for c in causes(t))
        if rest in _CAUSE_STR:
            get_s = _CAUSE_STR[rest]
            test_s = self.string(get_s)
            return lambda t: any(test_s(c) for c in causes(t))
        self.i -= 1
        raise self.error(f"unknown keyword {tok.text!r}")
