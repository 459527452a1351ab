"""CloudWatch Logs filter patterns (FilterLogEvents, metric and subscription filters) as DuckDB predicates.

Three pattern families, as "Filter pattern syntax" documents them:

- terms: `ERROR Exception` (all), `?ERROR ?WARN` (any), `ERROR -Exiting` (exclude), `"exact phrase"`.
  Matching is case-sensitive and by substring ("ERROR" matches "ERRORCODE").
- JSON: `{ $.a.b[0] = "x*" && ($.n > 5 || $.f IS TRUE) }`, compiled to DuckDB JSON functions.
- space-delimited: `[ip, user, ..., status = 5*, bytes > 1000]`, evaluated in Python on rows that
  pass the SQL part (DuckDB Python UDFs would need numpy, which the project does not ship).

`compile_pattern` raises `AwsError(InvalidParameterException)` for patterns AWS rejects and
`ReplayUnsupported` for constructs whose AWS semantics replay does not reproduce (regex `%...%`,
array wildcards, `*` inside a value), so a pattern never silently matches the wrong events.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evals.replay.errors import AwsError, ReplayUnsupported

_INVALID = "InvalidParameterException"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_PLAIN_TERM = re.compile(r"[A-Za-z0-9_]+")
_JSON_NUMERIC_TYPES = "('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE')"
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")


@dataclass(frozen=True)
class FilterPredicate:
    """`sql` (over a column named `message`, with `params`) selects candidate rows; when `residual`
    is set, a candidate matches only if `residual(message)` is also true."""

    sql: str
    params: tuple[Any, ...] = ()
    residual: Callable[[str], bool] | None = None


MATCH_ALL = FilterPredicate("TRUE")


def _invalid(detail: str) -> AwsError:
    return AwsError(_INVALID, f"Invalid filter pattern: {detail}")


def _unsupported(construct: str) -> ReplayUnsupported:
    return ReplayUnsupported("logs", "FilterLogEvents", f"filter pattern construct not replayed: {construct}")


def compile_pattern(pattern: str | None) -> FilterPredicate:
    """The predicate for a filter pattern; an empty or missing pattern matches every event."""
    text = (pattern or "").strip()
    if not text:
        return MATCH_ALL
    if text.startswith("{"):
        if not text.endswith("}"):
            raise _invalid("a JSON pattern must end with '}'")
        return _JsonParser(text[1:-1]).compile()
    if text.startswith("["):
        if not text.endswith("]"):
            raise _invalid("a space-delimited pattern must end with ']'")
        return _compile_delimited(text[1:-1])
    if text.startswith("%"):
        raise _unsupported("regular expression %...%")
    return _compile_terms(text)


# --- unstructured terms ---------------------------------------------------------------------------


def _read_quoted(text: str, i: int) -> tuple[str, int]:
    """The string starting at the double quote `text[i]`, unescaped, and the index after it."""
    out: list[str] = []
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise _invalid("unterminated quoted string")


def _compile_terms(text: str) -> FilterPredicate:
    required: list[str] = []
    excluded: list[str] = []
    optional: list[str] = []
    match_all = False
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        kind = "required"
        if text[i] in "?-":
            kind = "optional" if text[i] == "?" else "excluded"
            i += 1
            while i < len(text) and text[i].isspace():
                i += 1
            if i == len(text):
                raise _invalid(f"'{text[i - 1]}' must be followed by a term")
        if text[i] == '"':
            term, i = _read_quoted(text, i)
            if not term.strip():
                # `" "` is AWS's documented way to match every event.
                match_all = True
                continue
        else:
            end = i
            while end < len(text) and not text[end].isspace():
                end += 1
            term, i = text[i:end], end
            if not _PLAIN_TERM.fullmatch(term):
                # AWS asks for such terms to be quoted; how it tokenises them unquoted is not documented.
                raise _unsupported(f"unquoted term with non-alphanumeric characters {term!r}")
        {"required": required, "excluded": excluded, "optional": optional}[kind].append(term)
    if optional and (required or excluded):
        raise _unsupported("'?term' OR terms mixed with plain or '-' terms")
    if match_all and not (required or excluded or optional):
        return MATCH_ALL
    clauses: list[str] = []
    params: list[Any] = []
    for term in required:
        clauses.append("contains(message, ?)")
        params.append(term)
    for term in excluded:
        clauses.append("NOT contains(message, ?)")
        params.append(term)
    if optional:
        clauses.append("(" + " OR ".join("contains(message, ?)" for _ in optional) + ")")
        params.extend(optional)
    return FilterPredicate(" AND ".join(clauses) or "TRUE", tuple(params))


# --- values shared by JSON and space-delimited patterns ----------------------------------------------


@dataclass(frozen=True)
class _Value:
    text: str
    quoted: bool

    @property
    def number(self) -> float | None:
        if self.quoted or not _NUMBER.fullmatch(self.text):
            return None
        return float(self.text)

    def wildcard(self) -> tuple[bool, bool, str]:
        """(leading *, trailing *, literal core); a `*` anywhere else is not replayed."""
        text = self.text
        if text == "*":
            return True, True, ""
        lead, trail = text.startswith("*"), text.endswith("*")
        core = text[1 if lead else 0 : len(text) - 1 if trail else len(text)]
        if "*" in core:
            raise _unsupported(f"'*' inside a value ({text!r})")
        return lead, trail, core


def _string_match_py(value: _Value, actual: str) -> bool:
    lead, trail, core = value.wildcard()
    if lead and trail:
        return core in actual
    if lead:
        return actual.endswith(core)
    if trail:
        return actual.startswith(core)
    return actual == core


_PY_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


# --- JSON patterns ---------------------------------------------------------------------------------


_JSON_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))
      | (?P<sel>\$[^\s=!<>()&|]*)
      | (?P<str>")
      | (?P<bare>[^\s()=!<>&|"]+)
    )""",
    re.VERBOSE,
)
_SELECTOR_STEP = re.compile(r"\.([A-Za-z0-9_\-@:]+)|\[(\d+)\]")


class _JsonParser:
    """Recursive descent over `||` < `&&` < parentheses, producing SQL over the `message` column."""

    def __init__(self, body: str) -> None:
        self.tokens = self._tokenize(body)
        self.pos = 0
        self.params: list[Any] = []

    @staticmethod
    def _tokenize(body: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        i = 0
        while i < len(body):
            if body[i].isspace():
                i += 1
                continue
            m = _JSON_TOKEN.match(body, i)
            if m is None or m.end() == i:
                raise _invalid(f"unexpected character {body[i]!r} in JSON pattern")
            if m.group("str"):
                start = m.start("str")
                text, i = _read_quoted(body, start)
                tokens.append(("str", text))
                continue
            kind = next(k for k in ("op", "sel", "bare") if m.group(k) is not None)
            tokens.append((kind, m.group(kind)))
            i = m.end()
        return tokens

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next(self) -> tuple[str, str]:
        tok = self._peek()
        if tok is None:
            raise _invalid("JSON pattern ends too early")
        self.pos += 1
        return tok

    def compile(self) -> FilterPredicate:
        if not self.tokens:
            raise _invalid("empty JSON pattern")
        expr = self._or()
        extra = self._peek()
        if extra is not None:
            raise _invalid(f"unexpected {extra[1]!r} in JSON pattern")
        sql = f"(CASE WHEN json_valid(message) THEN coalesce({expr}, FALSE) ELSE FALSE END)"
        return FilterPredicate(sql, tuple(self.params))

    def _or(self) -> str:
        parts = [self._and()]
        while self._peek() == ("op", "||"):
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._unary()]
        while self._peek() == ("op", "&&"):
            self.pos += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _unary(self) -> str:
        tok = self._next()
        if tok == ("op", "("):
            inner = self._or()
            if self._next() != ("op", ")"):
                raise _invalid("missing ')' in JSON pattern")
            return inner
        if tok[0] != "sel":
            raise _invalid(f"expected a selector starting with '$', got {tok[1]!r}")
        path = self._path(tok[1])
        return self._condition(path)

    def _path(self, selector: str) -> str:
        """`$.a-b[0].c` -> DuckDB's JSON path `$."a-b"[0]."c"` (quoted keys keep '-' literal)."""
        rest = selector[1:]
        steps: list[str] = []
        i = 0
        while i < len(rest):
            m = _SELECTOR_STEP.match(rest, i)
            if m is None:
                if rest[i:].startswith(("[*]", ".*")):
                    raise _unsupported(f"wildcard selector {selector!r}")
                raise _invalid(f"bad selector {selector!r}")
            steps.append(f'."{m.group(1)}"' if m.group(1) is not None else f"[{m.group(2)}]")
            i = m.end()
        if not steps or not steps[0].startswith("."):
            raise _invalid(f"a selector names a property first: {selector!r}")
        return "$" + "".join(steps)

    def _condition(self, path: str) -> str:
        tok = self._next()
        if tok[0] == "bare" and tok[1].upper() in ("IS", "NOT", "EXISTS"):
            return self._keyword_condition(tok[1].upper(), path)
        if tok[0] != "op" or tok[1] not in _OPERATORS:
            raise _invalid(f"expected an operator after the selector, got {tok[1]!r}")
        op = tok[1]
        kind, raw = self._next()
        if kind not in ("str", "bare"):
            raise _invalid(f"expected a value after {op!r}, got {raw!r}")
        if raw.startswith("%") and kind == "bare":
            raise _unsupported("regular expression %...% in a JSON pattern")
        value = _Value(raw, quoted=kind == "str")
        number = value.number
        if number is not None:
            if not math.isfinite(number):
                raise _invalid(f"number out of range: {raw!r}")
            self.params.extend([path, path, number])
            return (
                f"(json_type(message, ?) IN {_JSON_NUMERIC_TYPES} "
                f"AND TRY_CAST(json_extract_string(message, ?) AS DOUBLE) {op} ?)"
            )
        if op not in ("=", "!="):
            raise _invalid(f"{op!r} compares numbers, got {raw!r}")
        if value.text == "*" and not value.quoted:
            if op == "!=":
                return "FALSE"  # no value differs from "anything"
            # `= *` asks only that the field holds a value (AWS's example extracts a number this way).
            self.params.extend([path, path])
            return f"(json_type(message, ?) = 'VARCHAR' OR json_type(message, ?) IN {_JSON_NUMERIC_TYPES})"
        lead, trail, core = value.wildcard()
        func = {
            (True, True): "contains",
            (True, False): "suffix",
            (False, True): "starts_with",
            (False, False): None,
        }[(lead, trail)]
        self.params.extend([path, path, core])
        extracted = "json_extract_string(message, ?)"
        test = f"{func}({extracted}, ?)" if func else f"{extracted} = ?"
        if op == "!=":
            test = f"NOT {test}"
        return f"(json_type(message, ?) = 'VARCHAR' AND {test})"

    def _keyword_condition(self, first: str, path: str) -> str:
        self.params.append(path)
        if first == "EXISTS":
            return "json_exists(message, ?)"
        if first == "NOT":
            if self._next_keyword() != "EXISTS":
                raise _invalid("expected EXISTS after NOT")
            return "NOT json_exists(message, ?)"
        word = self._next_keyword()
        if word == "NULL":
            return "coalesce(json_type(message, ?) = 'NULL', FALSE)"
        if word in ("TRUE", "FALSE"):
            self.params.append(path)
            return (
                "coalesce(json_type(message, ?) = 'BOOLEAN' "
                f"AND json_extract_string(message, ?) = '{word.lower()}', FALSE)"
            )
        raise _invalid(f"expected TRUE, FALSE or NULL after IS, got {word!r}")

    def _next_keyword(self) -> str:
        kind, text = self._next()
        if kind != "bare":
            raise _invalid(f"unexpected {text!r}")
        return text.upper()


# --- space-delimited patterns --------------------------------------------------------------------------


_DELIMITED_TOKEN = re.compile(r'\[([^\]]*)\]|"([^"]*)"|(\S+)')
_FIELD_NAME = re.compile(r"[A-Za-z0-9_]+")
_CONDITION = re.compile(r"\s*([A-Za-z0-9_]+)\s*(!=|<=|>=|=|<|>)\s*(\"(?:[^\"\\]|\\.)*\"|[^\s&|]+)\s*")


@dataclass(frozen=True)
class _Condition:
    op: str
    value: _Value

    def test(self, actual: str) -> bool:
        number = self.value.number
        if self.op in ("=", "!="):
            if number is not None and _NUMBER.fullmatch(actual):
                equal = float(actual) == number
            else:
                equal = _string_match_py(self.value, actual)
            return equal if self.op == "=" else not equal
        if number is None:
            raise _invalid(f"{self.op!r} compares numbers, got {self.value.text!r}")
        return _NUMBER.fullmatch(actual) is not None and _PY_OPS[self.op](float(actual), number)


@dataclass(frozen=True)
class _Field:
    """One column of the pattern; `conditions` is OR of AND groups, empty when unconstrained."""

    name: str
    conditions: tuple[tuple[_Condition, ...], ...] = ()

    def test(self, actual: str) -> bool:
        return not self.conditions or any(all(c.test(actual) for c in group) for group in self.conditions)


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside double quotes."""
    parts: list[str] = []
    buf: list[str] = []
    quoted, i = False, 0
    while i < len(text):
        if text[i] == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        if not quoted and text.startswith(sep, i):
            parts.append("".join(buf))
            buf = []
            i += len(sep)
            continue
        buf.append(text[i])
        i += 1
    parts.append("".join(buf))
    return parts


def _parse_field(spec: str) -> _Field | None:
    """None stands for `...` (any number of columns)."""
    spec = spec.strip()
    if spec in ("...", "…"):
        return None
    if not spec:
        # AWS's own example `[..., status_code=4*,]` extracts a trailing column it names `$7`.
        return _Field("")
    if _FIELD_NAME.fullmatch(spec):
        return _Field(spec)
    name_match = _FIELD_NAME.match(spec)
    if name_match is None:
        raise _invalid(f"bad field {spec!r} in a space-delimited pattern")
    name = name_match.group(0)
    groups: list[tuple[_Condition, ...]] = []
    for alternative in _split_top(spec, "||"):
        conds: list[_Condition] = []
        for part in _split_top(alternative, "&&"):
            m = _CONDITION.fullmatch(part)
            if m is None:
                raise _invalid(f"bad condition {part.strip()!r} in a space-delimited pattern")
            if m.group(1) != name:
                raise _unsupported(f"condition on {m.group(1)!r} inside field {name!r}")
            raw = m.group(3)
            if raw.startswith("%"):
                raise _unsupported("regular expression %...% in a space-delimited pattern")
            if raw.startswith("!"):
                # An old AWS example writes `w1=!ERROR`; what it means is not specified anywhere.
                raise _unsupported(f"'{m.group(2)}!' operator")
            value = _Value(_read_quoted(raw, 0)[0], True) if raw.startswith('"') else _Value(raw, False)
            if m.group(2) not in ("=", "!=") and value.number is None:
                raise _invalid(f"{m.group(2)!r} compares numbers, got {raw!r}")
            if m.group(2) in ("=", "!="):
                value.wildcard()  # rejects a '*' inside the value now, not at match time
            conds.append(_Condition(m.group(2), value))
        groups.append(tuple(conds))
    return _Field(name, tuple(groups))


def split_columns(message: str) -> list[str]:
    """A message's space-delimited columns; text in [...] or "..." is one column, delimiters dropped."""
    return [next(g for g in m.groups() if g is not None) for m in _DELIMITED_TOKEN.finditer(message)]


def _match_columns(fields: list[_Field | None], columns: list[str]) -> bool:
    if not fields:
        return not columns
    head = fields[0]
    if head is None:
        return any(_match_columns(fields[1:], columns[k:]) for k in range(len(columns) + 1))
    return bool(columns) and head.test(columns[0]) and _match_columns(fields[1:], columns[1:])


def _compile_delimited(body: str) -> FilterPredicate:
    specs = _split_top(body, ",")
    if not any(s.strip() for s in specs):
        raise _invalid("a space-delimited pattern names at least one field")
    fields = [_parse_field(s) for s in specs]

    def residual(message: str) -> bool:
        return _match_columns(fields, split_columns(message))

    # A column equal to a text literal puts that literal in the message: let DuckDB drop the rest
    # before Python splits columns. Numbers are left out ("200" also equals a column "2e2").
    literals = [
        cond.value.wildcard()[2]
        for field in fields
        if field is not None and len(field.conditions) == 1
        for cond in field.conditions[0]
        if cond.op == "=" and cond.value.number is None
    ]
    literals = [lit for lit in literals if lit and not set(lit) & {'"', "\\", "[", "]"}]
    sql = " AND ".join("contains(message, ?)" for _ in literals) or "TRUE"
    return FilterPredicate(sql, tuple(literals), residual)
