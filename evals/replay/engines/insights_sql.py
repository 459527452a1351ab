"""Compile a parsed Logs Insights query into one DuckDB statement over the `log_events` table.

Logs Insights fields are untyped strings discovered per event; every value here carries a kind
(`str`, `num`, `bool`, `time` in epoch ms) so that comparisons and arithmetic convert the way the
service does (a JSON `"status": 500` compares equal to `500`) and results print as the console shows
them. Each command becomes one CTE; DuckDB inlines and pushes the filters down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evals.replay.engines.insights_parse import (
    Binary,
    Call,
    Command,
    DedupCmd,
    DisplayCmd,
    Expr,
    Field,
    FieldsCmd,
    FilterCmd,
    InList,
    InsightsQueryError,
    Item,
    LimitCmd,
    Literal,
    Match,
    ParseCmd,
    Period,
    Query,
    Regex,
    SortCmd,
    Star,
    StatsCmd,
    Unary,
)
from evals.replay.engines.log_store import TABLE

DEFAULT_FIELDS = ("@timestamp", "@message", "@logStream", "@log")

_UNITS_MS = {
    "ms": 1,
    "msec": 1,
    "millisecond": 1,
    "s": 1000,
    "sec": 1000,
    "second": 1000,
    "m": 60_000,
    "min": 60_000,
    "minute": 60_000,
    "h": 3_600_000,
    "hr": 3_600_000,
    "hour": 3_600_000,
    "d": 86_400_000,
    "day": 86_400_000,
}
# Calendar units need calendar arithmetic (and AWS does not document a week's first day).
_CALENDAR_UNITS = {"w", "week", "mo", "mon", "month", "q", "qtr", "quarter", "y", "yr", "year"}

# VPC flow logs, default (version 2) format; the names are the fields Logs Insights discovers.
_FLOW_RE = (
    r"^(\d+) (\d{12}|unknown|-) (eni-[0-9a-f]+|-) (\S+) (\S+) (\d+|-) (\d+|-) (\d+|-) (\d+|-) (\d+|-) "
    r"(\d+|-) (\d+|-) (ACCEPT|REJECT|-) (OK|NODATA|SKIPDATA)$"
)
_FLOW_FIELDS = {
    "version": 1,
    "accountId": 2,
    "interfaceId": 3,
    "srcAddr": 4,
    "dstAddr": 5,
    "srcPort": 6,
    "dstPort": 7,
    "protocol": 8,
    "packets": 9,
    "bytes": 10,
    "start": 11,
    "startTime": 11,
    "end": 12,
    "endTime": 12,
    "action": 13,
    "logStatus": 14,
}

# Lambda platform lines: (regex, group, kind, scale). Memory is reported in MB and discovered in bytes.
_LAMBDA_REPORT = (
    r"^REPORT RequestId: (\S+)\s+Duration: ([\d.]+) ms\s+Billed Duration: (\d+) ms\s+"
    r"Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB(?:\s+Init Duration: ([\d.]+) ms)?"
)
_LAMBDA_FIELDS: dict[str, tuple[str, int, str, int]] = {
    "@type": (r"^(START|END|REPORT) RequestId: ", 1, "str", 1),
    "@requestId": (r"^(?:START|END|REPORT) RequestId: (\S+)", 1, "str", 1),
    "@duration": (_LAMBDA_REPORT, 2, "num", 1),
    "@billedDuration": (_LAMBDA_REPORT, 3, "num", 1),
    "@memorySize": (_LAMBDA_REPORT, 4, "num", 1_000_000),
    "@maxMemoryUsed": (_LAMBDA_REPORT, 5, "num", 1_000_000),
    "@initDuration": (_LAMBDA_REPORT, 6, "num", 1),
    "@xrayTraceId": (r"(?s)^REPORT RequestId: .*\bXRAY TraceId: (\S+)", 1, "str", 1),
    "@xraySegmentId": (r"(?s)^REPORT RequestId: .*\bSegmentId: (\S+)", 1, "str", 1),
}

_AGGREGATES = {"count", "count_distinct", "sum", "avg", "min", "max", "pct", "earliest", "latest", "stddev"}
_NUMERIC_1 = {"abs": "abs", "ceil": "ceil", "floor": "floor", "sqrt": "sqrt", "log": "ln"}
_COMPARE = {"=", "!=", "<", "<=", ">", ">="}


@dataclass(frozen=True)
class Value:
    sql: str
    kind: str  # str, num, bool, time
    literal: bool = False


@dataclass(frozen=True)
class Output:
    name: str
    column: str
    kind: str


@dataclass
class Compiled:
    """One SELECT whose columns are `outputs` (then `__group`, `__seq` for @ptr) and `__matched`."""

    sql: str
    matched_sql: str  # the count of matched records alone, for when `sql` returns no row
    params: list[object]
    outputs: list[Output]
    aggregate: bool
    limit: int


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def period_ms(text: str) -> int:
    m = re.fullmatch(r"(\d+)([A-Za-z]+)", text)
    if not m:
        raise InsightsQueryError(f"{text!r} is not a time period such as 5m")
    unit = m.group(2).lower()
    if unit not in _UNITS_MS and unit.endswith("s") and len(unit) > 2:
        unit = unit[:-1]  # plural forms: mins, hrs, days
    if unit in _CALENDAR_UNITS:
        raise InsightsQueryError(f"calendar period {text!r} is not supported by this replay")
    if unit not in _UNITS_MS:
        raise InsightsQueryError(f"unknown time unit in period {text!r}")
    ms = int(m.group(1)) * _UNITS_MS[unit]
    if ms <= 0:
        raise InsightsQueryError(f"period {text!r} must be positive")
    return ms


def _re2(pattern: str) -> str:
    """Logs Insights writes named groups as (?<name>...); RE2 (DuckDB) wants (?P<name>...)."""
    return re.sub(r"\(\?<([A-Za-z_])", r"(?P<\1", pattern)


def _capture_index(pattern: str, name: str) -> int:
    """The 1-based number of the capture group called `name`, counting every capturing group."""
    count, i, in_class = 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            rest = pattern[i + 1 :]
            named = re.match(r"\?P?<([A-Za-z_][A-Za-z0-9_]*)>", rest)
            if named or not rest.startswith("?"):
                count += 1
                if named and named.group(1) == name:
                    return count
        i += 1
    raise InsightsQueryError(f"no capture group named {name!r}")


def _glob_regex(glob: str) -> str:
    parts = glob.split("*")
    out = "(?s)" + re.escape(parts[0])  # a wildcard spans lines, as in multi-line stack traces
    for i, part in enumerate(parts[1:], 1):
        last = i == len(parts) - 1
        out += ("(.*)" if last and part == "" else "(.*?)") + re.escape(part)
    return out


@dataclass
class _Stage:
    """What the commands so far produced: the relation and the names a later command can use."""

    relation: str
    event_level: bool = True
    scope: dict[str, Value] = field(default_factory=dict)
    order: list[str] = field(default_factory=lambda: ["ts DESC", "seq DESC"])
    fields_out: list[str] = field(default_factory=list)
    display: list[str] | None = None
    aggregate: bool = False
    after_dedup: bool = False


class _Compiler:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.ctes: list[str] = []
        self.n = 0
        self.agg_depth: int | None = None  # None: aggregates not allowed; 0: outside one; 1: inside
        self.stage = _Stage("base")
        self.matched_relation: str | None = None

    def fresh(self, prefix: str = "c") -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def add_cte(self, select: str) -> str:
        name = self.fresh("s")
        self.ctes.append(f"{name} AS ({select})")
        self.stage.relation = name
        return name

    # --- values -----------------------------------------------------------------------------------

    def field(self, name: str) -> Value:
        st = self.stage
        if self.agg_depth == 0:
            raise InsightsQueryError(f"field {name} in stats must be inside an aggregate function")
        if name in st.scope:
            return st.scope[name]
        if not st.event_level:
            return Value("NULL", "str")
        return self.discovered(name)

    def discovered(self, name: str) -> Value:
        system = {
            "@timestamp": Value("ts", "time"),
            # Bundles carry no ingestion time; CloudWatch ingests within seconds of the event.
            "@ingestionTime": Value("ts", "time"),
            "@message": Value("message", "str"),
            "@logStream": Value("log_stream", "str"),
            "@log": Value(f"({quote(self.account_id + ':')} || log_group)", "str"),
        }
        if name in system:
            return system[name]
        if name == "@ptr":
            raise InsightsQueryError("@ptr can be displayed but not used in expressions by this replay")
        if name in _LAMBDA_FIELDS:
            pattern, group, kind, scale = _LAMBDA_FIELDS[name]
            raw = f"NULLIF(regexp_extract(message, {quote(pattern)}, {group}), '')"
            if kind == "num":
                return Value(f"(TRY_CAST({raw} AS DOUBLE) * {scale})", "num")
            return Value(raw, "str")
        if name.startswith("@"):
            return Value("NULL", "str")
        json_value = self.json_field(name)
        if name in _FLOW_FIELDS:
            flow = (
                f"(CASE WHEN regexp_matches(message, {quote(_FLOW_RE)}) "
                f"THEN split_part(message, ' ', {_FLOW_FIELDS[name]}) END)"
            )
            return Value(f"coalesce({flow}, {json_value})", "str")
        return Value(json_value, "str")

    def json_field(self, name: str) -> str:
        path = "$"
        for part in name.split("."):
            path += f"[{part}]" if part.isdigit() else '."' + part.replace('"', '\\"') + '"'
        p = quote(path)
        # Logs Insights flattens objects and arrays into their leaves: `http` alone is not a field.
        return (
            f"(CASE WHEN json_type(j, {p}) NOT IN ('OBJECT', 'ARRAY', 'NULL') "
            f"THEN json_extract_string(j, {p}) END)"
        )

    def num(self, v: Value) -> str:
        if v.kind in ("num", "time"):
            return v.sql
        if v.kind == "bool":
            return f"CAST({v.sql} AS INTEGER)"
        return f"TRY_CAST({v.sql} AS DOUBLE)"

    def text(self, v: Value) -> str:
        """A value as text, printed as in results (240, not 240.0; timestamps as the console shows them)."""
        if v.kind == "str":
            return v.sql
        if v.kind == "time":
            return f"strftime(epoch_ms(CAST({v.sql} AS BIGINT)), '%Y-%m-%d %H:%M:%S.%g')"
        if v.kind == "bool":
            return f"(CASE WHEN {v.sql} THEN '1' ELSE '0' END)"
        x = f"CAST({v.sql} AS DOUBLE)"
        return (
            f"(CASE WHEN {x} = trunc({x}) AND abs({x}) < 1e18 THEN CAST(CAST({x} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({x} AS VARCHAR) END)"
        )

    def cond(self, expr: Expr) -> str:
        v = self.value(expr)
        if v.kind != "bool":
            raise InsightsQueryError(
                "filter needs a condition (a comparison, like, in, or a boolean function)"
            )
        return v.sql

    def value(self, expr: Expr) -> Value:
        if isinstance(expr, Field):
            return self.field(expr.name)
        if isinstance(expr, Literal):
            if isinstance(expr.value, float):
                return Value(f"CAST({expr.value!r} AS DOUBLE)", "num", literal=True)
            return Value(quote(expr.value), "str", literal=True)
        if isinstance(expr, Regex | Period | Star):
            raise InsightsQueryError(f"{_describe(expr)} cannot be used as a value here")
        if isinstance(expr, Unary):
            if expr.op == "not":
                return Value(f"(NOT {self.cond(expr.operand)})", "bool")
            return Value(f"(-{self.num(self.value(expr.operand))})", "num")
        if isinstance(expr, Binary):
            return self.binary(expr)
        if isinstance(expr, Match):
            return self.match(expr)
        if isinstance(expr, InList):
            return self.in_list(expr)
        return self.call(expr)

    def binary(self, expr: Binary) -> Value:
        if expr.op in ("and", "or"):
            return Value(f"({self.cond(expr.left)} {expr.op.upper()} {self.cond(expr.right)})", "bool")
        left, right = self.value(expr.left), self.value(expr.right)
        if expr.op in _COMPARE:
            return Value(self.compare(expr.op, left, right), "bool")
        a, b = self.num(left), self.num(right)
        sql = {
            "+": f"({a} + {b})",
            "-": f"({a} - {b})",
            "*": f"({a} * {b})",
            "/": f"(CAST({a} AS DOUBLE) / NULLIF({b}, 0))",
            "%": f"fmod({a}, NULLIF({b}, 0))",
            "^": f"power({a}, {b})",
        }[expr.op]
        return Value(sql, "num")

    def compare(self, op: str, left: Value, right: Value) -> str:
        sql_op = "<>" if op == "!=" else op
        kinds = {left.kind, right.kind}
        if "time" in kinds and "str" in kinds and (left.literal or right.literal):
            raise InsightsQueryError("compare a timestamp with epoch milliseconds, not with a string")
        if kinds <= {"num", "time", "bool"} or "num" in kinds or "time" in kinds:
            return f"({self.num(left)} {sql_op} {self.num(right)})"
        if kinds == {"bool"}:
            return f"({left.sql} {sql_op} {right.sql})"
        a, b = self.text(left), self.text(right)
        if left.literal or right.literal:
            return f"({a} {sql_op} {b})"
        # Two fields: compare as numbers when both hold numbers, as text otherwise.
        na, nb = f"TRY_CAST({a} AS DOUBLE)", f"TRY_CAST({b} AS DOUBLE)"
        return f"(CASE WHEN {na} IS NOT NULL AND {nb} IS NOT NULL THEN {na} {sql_op} {nb} ELSE {a} {sql_op} {b} END)"

    def match(self, expr: Match) -> Value:
        subject = self.text(self.value(expr.subject))
        if isinstance(expr.pattern, Regex):
            sql = f"regexp_matches({subject}, {quote(_re2(expr.pattern.pattern))})"
        else:
            sql = f"contains({subject}, {quote(str(expr.pattern.value))})"
        return Value(f"(NOT {sql})" if expr.negated else sql, "bool")

    def in_list(self, expr: InList) -> Value:
        subject = self.value(expr.subject)
        items = [self.value(i) for i in expr.items]
        if not items:
            return Value("FALSE" if not expr.negated else "TRUE", "bool")
        numeric = subject.kind in ("num", "time") or all(i.kind == "num" for i in items)
        conv = self.num if numeric else self.text
        sql = f"({conv(subject)} {'NOT IN' if expr.negated else 'IN'} ({', '.join(conv(i) for i in items)}))"
        return Value(sql, "bool")

    # --- functions --------------------------------------------------------------------------------

    def call(self, expr: Call) -> Value:
        name, args = expr.name, expr.args
        if name in _AGGREGATES:
            return self.aggregate(expr)
        if name == "bin":
            self.arity(expr, 1)
            return self.floor_time(Value("ts", "time"), args[0], "bin")
        if name in ("datefloor", "dateceil"):
            self.arity(expr, 2)
            return self.floor_time(self.value(args[0]), args[1], name)
        vals = [self.value(a) for a in args]
        if name in _NUMERIC_1:
            self.arity(expr, 1)
            return Value(f"{_NUMERIC_1[name]}({self.num(vals[0])})", "num")
        if name in ("greatest", "least"):
            self.arity(expr, 1, 100)
            return Value(f"{name}({', '.join(self.num(v) for v in vals)})", "num")
        if name == "strlen":
            self.arity(expr, 1)
            return Value(f"length({self.text(vals[0])})", "num")
        if name in ("tolower", "toupper"):
            self.arity(expr, 1)
            return Value(f"{'lower' if name == 'tolower' else 'upper'}({self.text(vals[0])})", "str")
        if name == "concat":
            self.arity(expr, 1, 100)
            return Value(f"concat({', '.join(self.text(v) for v in vals)})", "str")
        if name == "substr":
            self.arity(expr, 2, 3)
            start = f"CAST({self.num(vals[1])} AS BIGINT) + 1"  # Logs Insights counts from 0
            length = f", CAST({self.num(vals[2])} AS BIGINT)" if len(vals) == 3 else ""
            return Value(f"substring({self.text(vals[0])}, {start}{length})", "str")
        if name == "replace":
            self.arity(expr, 3)
            return Value(f"replace({', '.join(self.text(v) for v in vals)})", "str")
        if name in ("trim", "ltrim", "rtrim"):
            self.arity(expr, 1, 2)
            chars = self.text(vals[1]) if len(vals) == 2 else "' \t\n\r'"
            return Value(f"{name}({self.text(vals[0])}, {chars})", "str")
        if name == "strcontains":
            self.arity(expr, 2)
            return Value(f"CAST(contains({self.text(vals[0])}, {self.text(vals[1])}) AS INTEGER)", "num")
        if name == "ispresent":
            self.arity(expr, 1)
            return Value(f"({vals[0].sql} IS NOT NULL)", "bool")
        if name in ("isempty", "isblank"):
            self.arity(expr, 1)
            v = vals[0]
            if v.kind != "str":
                return Value(f"({v.sql} IS NULL)", "bool")
            inner = v.sql if name == "isempty" else f"trim({v.sql}, ' \t\n\r')"
            return Value(f"({v.sql} IS NULL OR {inner} = '')", "bool")
        if name == "coalesce":
            self.arity(expr, 1, 100)
            kinds = {v.kind for v in vals}
            if len(kinds) == 1:
                return Value(f"coalesce({', '.join(v.sql for v in vals)})", kinds.pop())
            return Value(f"coalesce({', '.join(self.text(v) for v in vals)})", "str")
        if name == "frommillis":
            self.arity(expr, 1)
            return Value(f"CAST({self.num(vals[0])} AS BIGINT)", "time")
        if name == "tomillis":
            self.arity(expr, 1)
            if vals[0].kind != "time":
                raise InsightsQueryError("toMillis expects a timestamp such as @timestamp")
            return Value(vals[0].sql, "num")
        raise InsightsQueryError(f"function {expr.name}() is not supported by this replay")

    def arity(self, expr: Call, low: int, high: int | None = None) -> None:
        high = low if high is None else high
        if not low <= len(expr.args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise InsightsQueryError(f"{expr.name}() takes {want} arguments, got {len(expr.args)}")

    def floor_time(self, value: Value, period: Expr, name: str) -> Value:
        if not isinstance(period, Period):
            raise InsightsQueryError(f"{name}() expects a time period such as 5m")
        if name == "bin" and not self.stage.event_level:
            raise InsightsQueryError("bin() needs @timestamp, which is gone after stats")
        ms = period_ms(period.text)
        t = self.num(value)
        if name == "dateceil":
            return Value(f"CAST(ceil({t} / {ms}) * {ms} AS BIGINT)", "time")
        return Value(f"CAST(floor({t} / {ms}) * {ms} AS BIGINT)", "time")

    def aggregate(self, expr: Call) -> Value:
        if self.agg_depth is None:
            raise InsightsQueryError(f"{expr.name}() can only be used in stats")
        if self.agg_depth == 1:
            raise InsightsQueryError(f"{expr.name}() cannot be nested inside another aggregate")
        name, args = expr.name, expr.args
        self.agg_depth = 1
        try:
            if name == "count":
                self.arity(expr, 0, 1)
                if not args or isinstance(args[0], Star):
                    return Value("count(*)", "num")
                return Value(f"count({self.value(args[0]).sql})", "num")
            if name == "pct":
                self.arity(expr, 2)
                pct = args[1]
                if (
                    not isinstance(pct, Literal)
                    or not isinstance(pct.value, float)
                    or not 0 <= pct.value <= 100
                ):
                    raise InsightsQueryError("pct() takes a field and a percentile between 0 and 100")
                v = self.value(args[0])
                result_kind = "time" if v.kind == "time" else "num"
                return Value(f"quantile_disc({self.num(v)}, {pct.value / 100!r})", result_kind)
            self.arity(expr, 1)
            if isinstance(args[0], Star):
                raise InsightsQueryError(f"{name}(*) is not valid; only count(*) takes *")
            v = self.value(args[0])
            if name == "count_distinct":
                return Value(f"count(DISTINCT {v.sql})", "num")
            if name in ("earliest", "latest"):
                if not self.stage.event_level:
                    raise InsightsQueryError(f"{name}() needs @timestamp, which is gone after stats")
                fn = "arg_min" if name == "earliest" else "arg_max"
                return Value(f"{fn}({v.sql}, [ts, seq]) FILTER (WHERE {v.sql} IS NOT NULL)", v.kind)
            if name in ("min", "max"):
                if v.kind != "str":
                    return Value(f"{name}({self.num(v)})", "time" if v.kind == "time" else "num")
                # Numbers when the field holds numbers, otherwise the text extreme (e.g. max(level)).
                as_number = self.text(Value(f"{name}({self.num(v)})", "num"))
                return Value(f"coalesce({as_number}, {name}({v.sql}))", "str")
            sql_fn = {"sum": "sum", "avg": "avg", "stddev": "stddev_samp"}[name]
            return Value(f"{sql_fn}({self.num(v)})", "num")
        finally:
            self.agg_depth = 0

    # --- commands ---------------------------------------------------------------------------------

    def base(self, groups: int) -> None:
        holders = ", ".join("?" for _ in range(groups))
        self.add_cte(
            "SELECT log_group, log_stream, ts, message, seq, "
            "(CASE WHEN starts_with(ltrim(message), '{') THEN TRY_CAST(message AS JSON) END) AS j "
            f"FROM {TABLE} WHERE log_group IN ({holders}) AND ts BETWEEN ? AND ?"
        )

    def command(self, cmd: Command) -> None:
        st = self.stage
        if st.after_dedup and not isinstance(cmd, LimitCmd):
            raise InsightsQueryError("the only command allowed after dedup is limit")
        if isinstance(cmd, FilterCmd):
            self.add_cte(f"SELECT * FROM {st.relation} WHERE {self.cond(cmd.cond)}")
        elif isinstance(cmd, FieldsCmd):
            self.define(cmd.items)
            for item in cmd.items:
                if item.name not in st.fields_out:
                    st.fields_out.append(item.name)
        elif isinstance(cmd, ParseCmd):
            self.parse(cmd)
        elif isinstance(cmd, DisplayCmd):
            st.display = list(cmd.names)
        elif isinstance(cmd, StatsCmd):
            self.stats(cmd)
        elif isinstance(cmd, SortCmd):
            self.sort(cmd)
        elif isinstance(cmd, LimitCmd):
            self.mark_matched()
            self.add_cte(f"SELECT * FROM {st.relation} ORDER BY {', '.join(st.order)} LIMIT {cmd.count}")
        else:
            self.dedup(cmd)

    def mark_matched(self) -> None:
        if self.matched_relation is None:
            self.matched_relation = self.stage.relation

    def define(self, items: tuple[Item, ...]) -> None:
        st = self.stage
        cols: list[str] = []
        new_scope: dict[str, Value] = {}
        for item in items:
            if item.expr == Field("@ptr") and not item.aliased:
                continue  # @ptr is added to every event row at the end
            v = self.value(item.expr)
            col = self.fresh()
            cols.append(f"{v.sql} AS {col}")
            new_scope[item.name] = Value(col, v.kind)
        if cols:
            self.add_cte(f"SELECT *, {', '.join(cols)} FROM {st.relation}")
        st.scope.update(new_scope)

    def parse(self, cmd: ParseCmd) -> None:
        st = self.stage
        source = self.text(self.value(cmd.source))
        pattern = _re2(cmd.pattern) if cmd.is_regex else _glob_regex(cmd.pattern)
        p = quote(pattern)
        cols: list[str] = []
        new_scope: dict[str, Value] = {}
        for i, name in enumerate(cmd.names, 1):
            group = _capture_index(cmd.pattern, name) if cmd.is_regex else i
            col = self.fresh()
            cols.append(
                f"(CASE WHEN regexp_matches({source}, {p}) THEN regexp_extract({source}, {p}, {group}) END) AS {col}"
            )
            new_scope[name] = Value(col, "str")
        self.add_cte(f"SELECT *, {', '.join(cols)} FROM {st.relation}")
        st.scope.update(new_scope)

    def stats(self, cmd: StatsCmd) -> None:
        st = self.stage
        self.mark_matched()
        groups: list[tuple[str, Value, str]] = []
        for item in cmd.by:
            v = self.value(item.expr)
            if v.kind == "bool":
                raise InsightsQueryError("stats ... by needs fields or bin(), not a condition")
            groups.append((item.name, v, self.fresh()))
        aggs: list[tuple[str, Value, str]] = []
        self.agg_depth = 0
        try:
            for item in cmd.aggs:
                v = self.value(item.expr)
                if not _has_aggregate(item.expr):
                    raise InsightsQueryError(f"stats expects aggregate functions, got {item.name!r}")
                aggs.append((item.name, v, self.fresh()))
        finally:
            self.agg_depth = None
        select = [f"{v.sql} AS {col}" for _, v, col in groups + aggs]
        group_by = f" GROUP BY {', '.join(str(i) for i in range(1, len(groups) + 1))}" if groups else ""
        self.add_cte(f"SELECT {', '.join(select)} FROM {st.relation}{group_by} HAVING count(*) > 0")
        st.event_level = False
        st.aggregate = True
        st.scope = {name: Value(col, v.kind) for name, v, col in groups + aggs}
        st.fields_out = [name for name, _, _ in groups + aggs]
        st.display = None
        st.order = [t for _, v, col in groups for t in sort_terms(Value(col, v.kind), "ASC")] or ["1"]

    def sort(self, cmd: SortCmd) -> None:
        st = self.stage
        keys: list[str] = []
        for key in cmd.keys:
            v = st.scope.get(key.name) or self.value(key.expr)
            keys += sort_terms(v, "DESC" if key.desc else "ASC")
        tiebreak = ["ts DESC", "seq DESC"] if st.event_level else []
        st.order = keys + tiebreak

    def dedup(self, cmd: DedupCmd) -> None:
        st = self.stage
        self.mark_matched()
        keys = [self.field(name).sql for name in cmd.names]
        nulls = " OR ".join(f"{k} IS NULL" for k in keys)
        self.add_cte(
            f"SELECT * FROM {st.relation} QUALIFY row_number() OVER "
            f"(PARTITION BY {', '.join(keys)} ORDER BY {', '.join(st.order)}) = 1 OR {nulls}"
        )
        st.after_dedup = True

    # --- result -----------------------------------------------------------------------------------

    def outputs(self) -> list[Output]:
        st = self.stage
        names = st.display if st.display is not None else (st.fields_out or list(DEFAULT_FIELDS))
        if not st.aggregate and st.display is None and not st.fields_out:
            names = names + [n for n in st.scope if n not in names]
        outs: list[Output] = []
        for name in names:
            if name == "@ptr":
                continue
            v = self.field(name)
            outs.append(Output(name, v.sql, v.kind))
        return outs


def sort_terms(v: Value, direction: str) -> list[str]:
    """ORDER BY terms for the natural sort Logs Insights documents for `sort`.

    Ascending: text before numbers; numbers by value; text compared chunk by chunk, where a run of
    digits sorts by length then value and any other run by code point. Descending is the reverse.
    Events without the field come last either way.
    """
    if v.kind != "str":
        return [f"{v.sql} {direction} NULLS LAST"]
    x = v.sql
    number = f"TRY_CAST({x} AS DOUBLE)"
    chunks = (
        f"list_transform(regexp_extract_all({x}, '\\d+|\\D+'), lambda c: CASE WHEN regexp_full_match(c, '\\d+') "
        "THEN {'k': '0', 'n': length(c), 'v': c} ELSE {'k': c, 'n': 0, 'v': ''} END)"
    )
    return [
        f"(CASE WHEN {x} IS NULL THEN NULL ELSE {number} IS NOT NULL END) {direction} NULLS LAST",
        f"{number} {direction} NULLS LAST",
        f"(CASE WHEN {number} IS NULL THEN {chunks} END) {direction} NULLS LAST",
        f"{x} {direction} NULLS LAST",
    ]


def _has_aggregate(expr: Expr) -> bool:
    if isinstance(expr, Call):
        return expr.name in _AGGREGATES or any(_has_aggregate(a) for a in expr.args)
    if isinstance(expr, Binary):
        return _has_aggregate(expr.left) or _has_aggregate(expr.right)
    if isinstance(expr, Unary):
        return _has_aggregate(expr.operand)
    return False


def _describe(expr: Expr) -> str:
    if isinstance(expr, Regex):
        return f"regular expression /{expr.pattern}/"
    if isinstance(expr, Period):
        return f"time period {expr.text}"
    return "*"


def compile_query(
    query: Query, account_id: str, log_groups: list[str], start_ms: int, end_ms: int, limit: int
) -> Compiled:
    """One statement returning the output columns, then `__group`/`__seq` (events) and `__matched`."""
    comp = _Compiler(account_id)
    comp.base(len(log_groups))
    for cmd in query.commands:
        comp.command(cmd)
    st = comp.stage
    matched = comp.matched_relation or st.relation
    for cmd in query.commands:
        if isinstance(cmd, LimitCmd):
            limit = cmd.count
    outputs = comp.outputs()
    cols = [f"{o.column} AS o{i}" for i, o in enumerate(outputs)]
    if not st.aggregate:
        cols += ["log_group AS __group", "seq AS __seq"]
    cols.append(f"(SELECT count(*) FROM {matched}) AS __matched")
    sql = (
        f"WITH {', '.join(comp.ctes)} SELECT {', '.join(cols)} FROM {st.relation} "
        f"ORDER BY {', '.join(st.order)} LIMIT {int(limit)}"
    )
    matched_sql = f"WITH {', '.join(comp.ctes)} SELECT count(*) FROM {matched}"
    return Compiled(sql, matched_sql, [*log_groups, start_ms, end_ms], outputs, st.aggregate, limit)
