"""CloudWatch metric math: parse an expression and evaluate it over bucketed time series.

Semantics follow the CloudWatch user guide ("Metric math syntax and functions"): arithmetic between two
series happens at the timestamps both have; a series and a scalar combine at every point of the series;
SUM/AVG/MIN/MAX of an array give a series (per timestamp, over the series that have a value there) and
of one series a scalar; results that are not finite numbers (x/0) are dropped rather than returned.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Union

from evals.replay.errors import AwsError, ReplayUnsupported


@dataclass
class Series:
    """A time series: bucket start (epoch seconds) -> value, with its period and label."""

    label: str
    period: int
    points: dict[int, float] = field(default_factory=dict)


Value = Union[float, Series, list[Series]]  # noqa: UP007 - a runtime alias, kept readable

# Functions CloudWatch has that replay does not evaluate: asking for one is ReplayUnsupported, while a
# name that is no function at all is the ValidationError AWS gives.
AWS_FUNCTIONS = frozenset(
    "ABS ANOMALY_DETECTION_BAND AVG CEIL DATAPOINT_COUNT DAY DATE DB_PERF_INSIGHTS DIFF DIFF_TIME EPOCH "
    "FILL FIRST FLOOR HOUR IF INSIGHT_RULE_METRIC LAMBDA LAST LOG LOG10 MAX MAX_VALUE METRIC_COUNT METRICS "
    "MIN MIN_VALUE MINUTE MONTH PERIOD RATE REMOVE_EMPTY RUNNING_SUM SEARCH SERVICE_QUOTA SLICE SORT "
    "STDDEV SUM TIME_SERIES".split()
)
SUPPORTED = frozenset("ABS AVG DIFF FILL IF MAX METRICS MIN RATE SUM".split())


class MathSyntaxError(AwsError):
    def __init__(self, query_id: str, detail: str) -> None:
        super().__init__("ValidationError", f"Error in expression {query_id}: {detail}")


# --- tokens ---------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<str>"[^"]*"|'[^']*')
      | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/^()<>,\[\]])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # num | name | str | op | end
    text: str
    pos: int


def tokenize(text: str, query_id: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise MathSyntaxError(
                query_id, f"Unrecognized character at position {pos + 1}: {text[pos:].strip()[:1]!r}"
            )
        kind = match.lastgroup or "op"
        token_text = match.group(kind)
        if kind == "name" and token_text in ("AND", "OR"):
            kind, token_text = "op", "&&" if token_text == "AND" else "||"
        tokens.append(Token(kind, token_text, match.start(kind)))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- syntax tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class ArrayLit:
    items: tuple[Node, ...]


Node = Union[Num, Ref, Str, Neg, BinOp, Call, ArrayLit]  # noqa: UP007

# Binding strength of binary operators, lowest first; ^ is right-associative.
_LEVELS: list[tuple[str, ...]] = [
    ("||",),
    ("&&",),
    ("==", "!=", "<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/"),
]


class _Parser:
    def __init__(self, text: str, query_id: str) -> None:
        self.query_id = query_id
        self.tokens = tokenize(text, query_id)
        self.i = 0

    def fail(self, detail: str) -> MathSyntaxError:
        return MathSyntaxError(self.query_id, detail)

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text or tok.kind not in ("op",):
            raise self.fail(f"Expected {text!r} at position {tok.pos + 1}")

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.fail("The expression is empty")
        node = self.binary(0)
        tok = self.peek()
        if tok.kind != "end":
            raise self.fail(f"Unexpected {tok.text!r} at position {tok.pos + 1}")
        return node

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.peek().kind == "op" and self.peek().text in _LEVELS[level]:
            op = self.take().text
            node = BinOp(op, node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text in "-+" and tok.text:
            self.take()
            operand = self.unary()
            return Neg(operand) if tok.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self.peek().kind == "op" and self.peek().text == "^":
            self.take()
            return BinOp("^", base, self.unary())
        return base

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Num(float(tok.text))
        if tok.kind == "str":
            return Str(tok.text[1:-1])
        if tok.kind == "name":
            if self.peek().kind == "op" and self.peek().text == "(":
                self.take()
                args: list[Node] = []
                if not (self.peek().kind == "op" and self.peek().text == ")"):
                    args.append(self.binary(0))
                    while self.peek().kind == "op" and self.peek().text == ",":
                        self.take()
                        args.append(self.binary(0))
                self.expect(")")
                return Call(tok.text, tuple(args))
            return Ref(tok.text)
        if tok.kind == "op" and tok.text == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if tok.kind == "op" and tok.text == "[":
            items = [self.binary(0)]
            while self.peek().kind == "op" and self.peek().text == ",":
                self.take()
                items.append(self.binary(0))
            self.expect("]")
            return ArrayLit(tuple(items))
        if tok.kind == "end":
            raise self.fail("Unexpected end of the expression")
        raise self.fail(f"Unexpected {tok.text!r} at position {tok.pos + 1}")


def parse(text: str, query_id: str) -> Node:
    """Parse an expression; AwsError(ValidationError) for bad syntax, as GetMetricData answers."""
    return _Parser(text, query_id).parse()


def references(node: Node) -> Iterator[str]:
    """The query ids an expression names directly (METRICS() is resolved by the caller)."""
    if isinstance(node, Ref):
        yield node.name
    elif isinstance(node, Neg):
        yield from references(node.operand)
    elif isinstance(node, BinOp):
        yield from references(node.left)
        yield from references(node.right)
    elif isinstance(node, Call | ArrayLit):
        for arg in node.args if isinstance(node, Call) else node.items:
            yield from references(arg)


def uses_metrics(node: Node) -> bool:
    if isinstance(node, Call):
        return node.name == "METRICS" or any(uses_metrics(a) for a in node.args)
    if isinstance(node, Neg):
        return uses_metrics(node.operand)
    if isinstance(node, BinOp):
        return uses_metrics(node.left) or uses_metrics(node.right)
    if isinstance(node, ArrayLit):
        return any(uses_metrics(i) for i in node.items)
    return False


# --- evaluation -----------------------------------------------------------------------------------


@dataclass
class Env:
    """What an expression can see: other queries' values, the request's metrics and time grid."""

    query_id: str
    resolve: Callable[[str], Value]
    metrics: Callable[[str | None], list[Series]]
    grid: Callable[[int], list[int]]  # bucket starts of the request's time range for a period


_OPS: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b != 0 else math.nan,
    "^": lambda a, b: _power(a, b),
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
    "<": lambda a, b: float(a < b),
    ">": lambda a, b: float(a > b),
    "<=": lambda a, b: float(a <= b),
    ">=": lambda a, b: float(a >= b),
    "&&": lambda a, b: float(bool(a) and bool(b)),
    "||": lambda a, b: float(bool(a) or bool(b)),
}


def _power(a: float, b: float) -> float:
    try:
        result = a**b
    except (OverflowError, ZeroDivisionError):
        return math.nan
    return result if isinstance(result, float | int) else math.nan


def _finite(points: dict[int, float]) -> dict[int, float]:
    return {t: v for t, v in points.items() if math.isfinite(v)}


def evaluate(node: Node, env: Env) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Str):
        raise MathSyntaxError(
            env.query_id, f'A string ("{node.value}") is only allowed as an argument of METRICS'
        )
    if isinstance(node, Ref):
        return env.resolve(node.name)
    if isinstance(node, Neg):
        return _unary(evaluate(node.operand, env), lambda v: -v)
    if isinstance(node, BinOp):
        return _binary(node.op, evaluate(node.left, env), evaluate(node.right, env), env)
    if isinstance(node, ArrayLit):
        out: list[Series] = []
        for item in node.items:
            value = evaluate(item, env)
            if isinstance(value, float):
                raise MathSyntaxError(env.query_id, "An array can hold only time series")
            out.extend(value if isinstance(value, list) else [value])
        return out
    return _call(node, env)


def _unary(value: Value, fn: Callable[[float], float]) -> Value:
    if isinstance(value, float):
        return fn(value)
    if isinstance(value, Series):
        return Series(value.label, value.period, _finite({t: fn(v) for t, v in value.points.items()}))
    return [Series(s.label, s.period, _finite({t: fn(v) for t, v in s.points.items()})) for s in value]


def _binary(op: str, left: Value, right: Value, env: Env) -> Value:
    fn = _OPS[op]
    if isinstance(left, list) and isinstance(right, list):
        raise MathSyntaxError(env.query_id, f"The operator {op} cannot combine two arrays of time series")
    if isinstance(left, list):
        assert not isinstance(right, list)
        return [_series_pair(fn, s, right) for s in left]
    if isinstance(right, list):
        return [_series_pair(fn, left, s) for s in right]
    return _pair(fn, left, right)


def _series_pair(fn: Callable[[float, float], float], left: float | Series, right: float | Series) -> Series:
    result = _pair(fn, left, right)
    assert isinstance(result, Series)
    return result


def _pair(fn: Callable[[float, float], float], left: float | Series, right: float | Series) -> Value:
    if isinstance(left, float) and isinstance(right, float):
        return fn(left, right)
    if isinstance(left, Series) and isinstance(right, Series):
        common = left.points.keys() & right.points.keys()
        points = {t: fn(left.points[t], right.points[t]) for t in sorted(common)}
        return Series(left.label, min(left.period, right.period), _finite(points))
    if isinstance(left, Series):
        assert isinstance(right, float)
        return Series(left.label, left.period, _finite({t: fn(v, right) for t, v in left.points.items()}))
    assert isinstance(right, Series)
    return Series(right.label, right.period, _finite({t: fn(left, v) for t, v in right.points.items()}))


_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum,
    "AVG": lambda vs: sum(vs) / len(vs),
    "MIN": min,
    "MAX": max,
}


def _call(node: Call, env: Env) -> Value:
    name = node.name
    if name not in AWS_FUNCTIONS:
        raise MathSyntaxError(env.query_id, f"Unknown function {name}")
    if name not in SUPPORTED:
        raise ReplayUnsupported("cloudwatch", "GetMetricData", f"metric math function {name}")
    args = node.args

    def arity(low: int, high: int) -> None:
        if not low <= len(args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise MathSyntaxError(env.query_id, f"{name} takes {want} arguments, got {len(args)}")

    if name == "METRICS":
        arity(0, 1)
        if args and not isinstance(args[0], Str):
            raise MathSyntaxError(env.query_id, "METRICS takes a string in quotes")
        return env.metrics(args[0].value if args and isinstance(args[0], Str) else None)
    if name in _AGGREGATES:
        arity(1, 1)
        return _aggregate(_AGGREGATES[name], evaluate(args[0], env))
    if name == "ABS":
        arity(1, 1)
        return _unary(evaluate(args[0], env), abs)
    if name in ("RATE", "DIFF"):
        arity(1, 1)
        return _per_series(evaluate(args[0], env), lambda s: _change(s, per_second=name == "RATE"), env, name)
    if name == "FILL":
        arity(2, 2)
        how = args[1]
        if isinstance(how, Ref) and how.name in ("REPEAT", "LINEAR"):
            mode: str | float = how.name
        else:
            filler = evaluate(how, env)
            if not isinstance(filler, float):
                raise ReplayUnsupported("cloudwatch", "GetMetricData", "FILL with a time series as the value")
            mode = filler
        return _per_series(evaluate(args[0], env), lambda s: _fill(s, mode, env.grid(s.period)), env, name)
    arity(2, 3)  # IF
    return _if(*(evaluate(a, env) for a in args), env=env)


def _aggregate(fn: Callable[[list[float]], float], value: Value) -> Value:
    if isinstance(value, float):
        return value
    if isinstance(value, Series):
        values = list(value.points.values())
        return fn(values) if values else math.nan
    if not value:
        return Series("", 60, {})
    stamps = sorted({t for s in value for t in s.points})
    points = {t: fn([s.points[t] for s in value if t in s.points]) for t in stamps}
    return Series(value[0].label, min(s.period for s in value), _finite(points))


def _per_series(value: Value, fn: Callable[[Series], Series], env: Env, name: str) -> Value:
    if isinstance(value, float):
        raise MathSyntaxError(env.query_id, f"{name} needs a time series or an array of time series")
    if isinstance(value, Series):
        return fn(value)
    return [fn(s) for s in value]


def _change(series: Series, *, per_second: bool) -> Series:
    stamps = sorted(series.points)
    points = {}
    for before, after in itertools.pairwise(stamps):
        delta = series.points[after] - series.points[before]
        points[after] = delta / (after - before) if per_second else delta
    return Series(series.label, series.period, points)


def _fill(series: Series, mode: str | float, grid: list[int]) -> Series:
    points = dict(series.points)
    known = sorted(points)
    if isinstance(mode, float):
        for t in grid:
            points.setdefault(t, mode)
    elif known:
        # Gaps before the first real value stay empty: there is nothing to repeat or interpolate from;
        # LINEAR also leaves the gap after the last real value, having no end to interpolate to.
        for t in grid:
            if t in points or t < known[0]:
                continue
            i = bisect.bisect_left(known, t)
            prev = known[i - 1]
            if mode == "REPEAT":
                points[t] = series.points[prev]
            elif i < len(known):
                nxt = known[i]
                a, b = series.points[prev], series.points[nxt]
                points[t] = a + (b - a) * (t - prev) / (nxt - prev)
    return Series(series.label, series.period, dict(sorted(points.items())))


def _if(cond: Value, yes: Value, no: Value | None = None, *, env: Env) -> Value:
    if isinstance(cond, list) or isinstance(yes, list) or isinstance(no, list):
        raise ReplayUnsupported("cloudwatch", "GetMetricData", "IF over arrays of time series")
    if isinstance(cond, float):
        chosen = yes if cond else no
        if chosen is None:
            raise MathSyntaxError(env.query_id, "IF has no value for a false condition")
        return chosen

    def pick(branch: float | Series | None, t: int) -> float | None:
        if branch is None:
            return None
        if isinstance(branch, float):
            return branch
        return branch.points.get(t)

    points = {}
    for t, c in cond.points.items():
        value = pick(yes if c else no, t)
        if value is not None:
            points[t] = value
    label = yes.label if isinstance(yes, Series) else cond.label
    return Series(label, cond.period, _finite(points))
