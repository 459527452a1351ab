"""Logs Insights query language: tokens and the syntax tree of a query.

The grammar follows the CloudWatch Logs Insights query syntax reference: commands separated by `|`,
`#` comments, backtick-quoted field names, string literals in single or double quotes and regular
expressions between slashes. Anything outside the supported subset is an `InsightsQueryError` that
names the construct, so a query is never answered with a silently different meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class InsightsQueryError(ValueError):
    """A query Logs Insights would reject, or one this replay does not implement."""


# --- tokens ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # ident, quoted (backticked ident), num, period, str, regex, op, eof
    text: str
    pos: int


_OPERATORS = (
    "!=",
    "<=",
    ">=",
    "=~",
    "|",
    ",",
    "(",
    ")",
    "[",
    "]",
    "=",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
)
_IDENT = re.compile(r"@?[A-Za-z_][A-Za-z0-9_.@]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_PERIOD = re.compile(r"\d+[A-Za-z]+")
_OPERAND_END = {"ident", "quoted", "num", "str", "period"}
_BEFORE_OPERAND = {"like", "and", "or", "not", "in", "parse", "filter", "fields", "stats", "by", "sort"}


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in "'\"":
            text, end = _quoted(query, i, ch)
            tokens.append(Token("str", text, i))
            i = end
            continue
        if ch == "`":
            end = query.find("`", i + 1)
            if end < 0:
                raise InsightsQueryError(f"unterminated backtick field name at position {i}")
            tokens.append(Token("quoted", query[i + 1 : end], i))
            i = end + 1
            continue
        if ch == "/" and _regex_allowed(tokens):
            text, end = _regex(query, i)
            tokens.append(Token("regex", text, i))
            i = end
            continue
        m = _PERIOD.match(query, i)
        if m and not _NUMBER.fullmatch(m.group()):
            tokens.append(Token("period", m.group(), i))
            i = m.end()
            continue
        m = _NUMBER.match(query, i)
        if m:
            tokens.append(Token("num", m.group(), i))
            i = m.end()
            continue
        m = _IDENT.match(query, i)
        if m:
            tokens.append(Token("ident", m.group(), i))
            i = m.end()
            continue
        for op in _OPERATORS:
            if query.startswith(op, i):
                tokens.append(Token("op", op, i))
                i += len(op)
                break
        else:
            raise InsightsQueryError(f"unexpected character {ch!r} at position {i}")
    tokens.append(Token("eof", "", n))
    return tokens


def _regex_allowed(tokens: list[Token]) -> bool:
    """A slash starts a regex unless it follows an operand, where it divides.

    `parse <field> /re/` is the one place a regex follows an operand.
    """
    if not tokens:
        return True
    last = tokens[-1]
    if last.kind == "ident" and last.text.lower() in _BEFORE_OPERAND:
        return True
    if last.kind in _OPERAND_END or (last.kind == "op" and last.text in (")", "]")):
        before = tokens[-2] if len(tokens) > 1 else None
        return (
            last.kind in ("ident", "quoted")
            and before is not None
            and before.kind == "ident"
            and before.text.lower() == "parse"
        )
    return True


def _quoted(query: str, start: int, quote: str) -> tuple[str, int]:
    out: list[str] = []
    i = start + 1
    while i < len(query):
        ch = query[i]
        if ch == "\\" and i + 1 < len(query):
            nxt = query[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise InsightsQueryError(f"unterminated string starting at position {start}")


def _regex(query: str, start: int) -> tuple[str, int]:
    i = start + 1
    out: list[str] = []
    while i < len(query):
        ch = query[i]
        if ch == "\\" and i + 1 < len(query):
            # `\/` is an escaped slash; every other escape belongs to the regex itself.
            out.append("/" if query[i + 1] == "/" else query[i : i + 2])
            i += 2
            continue
        if ch == "/":
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise InsightsQueryError(f"unterminated regular expression starting at position {start}")


# --- syntax tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Literal:
    value: str | float


@dataclass(frozen=True)
class Regex:
    pattern: str


@dataclass(frozen=True)
class Period:
    text: str  # as written, e.g. 5m


@dataclass(frozen=True)
class Star:
    """The `*` of count(*)."""


@dataclass(frozen=True)
class Call:
    name: str  # lower case
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Unary:
    op: str  # not, -
    operand: Expr


@dataclass(frozen=True)
class Binary:
    op: str  # and, or, = != < <= > >=, + - * / % ^
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Match:
    """`x like "text"`, `x like /re/`, `x =~ /re/` (negated by `not like`)."""

    subject: Expr
    pattern: Literal | Regex
    negated: bool = False


@dataclass(frozen=True)
class InList:
    subject: Expr
    items: tuple[Expr, ...]
    negated: bool = False


Expr = Field | Literal | Regex | Period | Star | Call | Unary | Binary | Match | InList


@dataclass(frozen=True)
class Item:
    """One `expr [as name]` of fields/stats/by; `name` is the alias or the expression as written."""

    expr: Expr
    name: str
    aliased: bool


@dataclass(frozen=True)
class FieldsCmd:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class DisplayCmd:
    names: tuple[str, ...]


@dataclass(frozen=True)
class FilterCmd:
    cond: Expr


@dataclass(frozen=True)
class ParseCmd:
    source: Expr
    pattern: str
    is_regex: bool
    names: tuple[str, ...]


@dataclass(frozen=True)
class StatsCmd:
    aggs: tuple[Item, ...]
    by: tuple[Item, ...]


@dataclass(frozen=True)
class SortKey:
    expr: Expr
    name: str
    desc: bool


@dataclass(frozen=True)
class SortCmd:
    keys: tuple[SortKey, ...]


@dataclass(frozen=True)
class LimitCmd:
    count: int


@dataclass(frozen=True)
class DedupCmd:
    names: tuple[str, ...]


Command = FieldsCmd | DisplayCmd | FilterCmd | ParseCmd | StatsCmd | SortCmd | LimitCmd | DedupCmd


@dataclass
class Query:
    commands: list[Command] = field(default_factory=list)


# Commands of the language this replay does not implement: named, so the error says which.
_KNOWN_UNSUPPORTED = {
    "unnest",
    "lookup",
    "join",
    "anomaly",
    "pattern",
    "diff",
    "unmask",
    "filterindex",
    "source",
    "head",
    "tail",
}
_MAX_LIMIT = 100_000  # the limit command, like StartQuery's limit, goes up to 100,000


# --- parser ---------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str) -> None:
        self.src = query
        self.toks = tokenize(query)
        self.i = 0

    # token helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def next(self) -> Token:
        tok = self.peek()
        self.i += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.text in ops

    def at_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok.kind == "ident" and tok.text.lower() in words

    def expect_op(self, op: str) -> None:
        tok = self.next()
        if tok.kind != "op" or tok.text != op:
            raise InsightsQueryError(
                f"expected {op!r} at position {tok.pos}, found {tok.text or 'end of query'!r}"
            )

    def expect_name(self, what: str) -> str:
        tok = self.next()
        if tok.kind not in ("ident", "quoted"):
            raise InsightsQueryError(
                f"expected {what} at position {tok.pos}, found {tok.text or 'end of query'!r}"
            )
        return tok.text

    def text_between(self, start: int, end: int) -> str:
        """The query text of tokens [start, end), whitespace collapsed: the default column name."""
        first = self.toks[start].pos
        stop = self._token_end(end - 1)
        return re.sub(r"\s+", " ", self.src[first:stop]).strip()

    def _token_end(self, index: int) -> int:
        nxt = self.toks[index + 1].pos if index + 1 < len(self.toks) else len(self.src)
        return len(self.src[:nxt].rstrip())

    # query
    def parse(self) -> Query:
        query = Query()
        if self.peek().kind == "eof":
            raise InsightsQueryError("the query is empty")
        while True:
            query.commands.append(self.command())
            tok = self.next()
            if tok.kind == "eof":
                return query
            if not (tok.kind == "op" and tok.text == "|"):
                raise InsightsQueryError(
                    f"unexpected {tok.text!r} at position {tok.pos}; commands are separated by |"
                )

    def command(self) -> Command:
        tok = self.next()
        word = tok.text.lower() if tok.kind == "ident" else ""
        if word == "fields":
            return FieldsCmd(self.items())
        if word == "display":
            return DisplayCmd(self.names())
        if word == "filter":
            return FilterCmd(self.expr())
        if word == "parse":
            return self.parse_cmd()
        if word == "stats":
            return self.stats_cmd()
        if word == "sort":
            return self.sort_cmd()
        if word == "limit":
            return self.limit_cmd()
        if word == "dedup":
            return DedupCmd(self.names())
        if word in _KNOWN_UNSUPPORTED:
            raise InsightsQueryError(f"the {tok.text} command is not supported by this replay")
        raise InsightsQueryError(f"unknown command {tok.text or 'end of query'!r} at position {tok.pos}")

    def items(self) -> tuple[Item, ...]:
        out = [self.item()]
        while self.at_op(","):
            self.next()
            out.append(self.item())
        return tuple(out)

    def item(self) -> Item:
        start = self.i
        expr = self.expr()
        text = self.text_between(start, self.i)
        if self.at_word("as"):
            self.next()
            return Item(expr, self.expect_name("a name after 'as'"), True)
        return Item(expr, expr.name if isinstance(expr, Field) else text, False)

    def names(self) -> tuple[str, ...]:
        out = [self.expect_name("a field name")]
        while self.at_op(","):
            self.next()
            out.append(self.expect_name("a field name"))
        return tuple(out)

    def parse_cmd(self) -> ParseCmd:
        source: Expr = Field("@message")
        if self.peek().kind in ("ident", "quoted"):
            source = Field(self.next().text)
        tok = self.next()
        if tok.kind == "str":
            if not self.at_word("as"):
                raise InsightsQueryError("parse with a glob pattern needs 'as' and the names of its fields")
            self.next()
            names = self.names()
            if len(names) != tok.text.count("*"):
                raise InsightsQueryError(
                    f"parse pattern has {tok.text.count('*')} wildcards but {len(names)} field names"
                )
            return ParseCmd(source, tok.text, False, names)
        if tok.kind == "regex":
            if self.at_word("as"):
                raise InsightsQueryError(
                    "parse with a regular expression names its fields as (?<name>...) groups"
                )
            names = tuple(re.findall(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>", tok.text))
            if not names:
                raise InsightsQueryError("parse regular expression has no named capture group (?<name>...)")
            return ParseCmd(source, tok.text, True, names)
        raise InsightsQueryError(f'parse expects a "glob" or /regex/ pattern at position {tok.pos}')

    def stats_cmd(self) -> StatsCmd:
        aggs = self.items()
        by: tuple[Item, ...] = ()
        if self.at_word("by"):
            self.next()
            by = self.items()
        return StatsCmd(aggs, by)

    def sort_cmd(self) -> SortCmd:
        keys = [self.sort_key()]
        while self.at_op(","):
            self.next()
            keys.append(self.sort_key())
        return SortCmd(tuple(keys))

    def sort_key(self) -> SortKey:
        start = self.i
        expr = self.expr()
        text = expr.name if isinstance(expr, Field) else self.text_between(start, self.i)
        desc = True
        if self.at_word("asc", "desc"):
            desc = self.next().text.lower() == "desc"
        return SortKey(expr, text, desc)

    def limit_cmd(self) -> LimitCmd:
        tok = self.next()
        if tok.kind == "ident" and tok.text.lower() == "any":
            raise InsightsQueryError("'limit any' is not supported by this replay")
        if tok.kind != "num" or not tok.text.isdigit():
            raise InsightsQueryError(f"limit expects a whole number at position {tok.pos}")
        count = int(tok.text)
        if not 1 <= count <= _MAX_LIMIT:
            raise InsightsQueryError(f"limit must be between 1 and {_MAX_LIMIT}")
        return LimitCmd(count)

    # expressions, loosest binding first
    def expr(self) -> Expr:
        return self.or_expr()

    def or_expr(self) -> Expr:
        left = self.and_expr()
        while self.at_word("or"):
            self.next()
            left = Binary("or", left, self.and_expr())
        return left

    def and_expr(self) -> Expr:
        left = self.not_expr()
        while self.at_word("and"):
            self.next()
            left = Binary("and", left, self.not_expr())
        return left

    def not_expr(self) -> Expr:
        if self.at_word("not"):
            self.next()
            return Unary("not", self.not_expr())
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        negated = False
        if (
            self.at_word("not")
            and self.peek(1).kind == "ident"
            and self.peek(1).text.lower() in ("like", "in")
        ):
            self.next()
            negated = True
        if self.at_word("like") or self.at_op("=~"):
            op = self.next().text.lower()
            tok = self.next()
            if tok.kind == "regex":
                return Match(left, Regex(tok.text), negated)
            if tok.kind == "str":
                return Match(left, Literal(tok.text), negated)
            raise InsightsQueryError(f'{op} expects a "string" or /regex/ at position {tok.pos}')
        if self.at_word("in"):
            self.next()
            self.expect_op("[")
            items: list[Expr] = []
            if not self.at_op("]"):
                items.append(self.additive())
                while self.at_op(","):
                    self.next()
                    items.append(self.additive())
            self.expect_op("]")
            return InList(left, tuple(items), negated)
        if negated:
            raise InsightsQueryError("'not' must be followed by like or in here")
        if self.at_op("=", "!=", "<", "<=", ">", ">="):
            op = self.next().text
            return Binary(op, left, self.additive())
        return left

    def additive(self) -> Expr:
        left = self.multiplicative()
        while self.at_op("+", "-"):
            op = self.next().text
            left = Binary(op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Expr:
        left = self.power()
        while self.at_op("*", "/", "%"):
            op = self.next().text
            left = Binary(op, left, self.power())
        return left

    def power(self) -> Expr:
        base = self.unary()
        if self.at_op("^"):
            self.next()
            return Binary("^", base, self.power())
        return base

    def unary(self) -> Expr:
        if self.at_op("-"):
            self.next()
            return Unary("-", self.unary())
        return self.primary()

    def primary(self) -> Expr:
        tok = self.next()
        if tok.kind == "num":
            return Literal(float(tok.text))
        if tok.kind == "str":
            return Literal(tok.text)
        if tok.kind == "regex":
            return Regex(tok.text)
        if tok.kind == "period":
            return Period(tok.text)
        if tok.kind == "quoted":
            return Field(tok.text)
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr()
            self.expect_op(")")
            return inner
        if tok.kind == "op" and tok.text == "*":
            return Star()
        if tok.kind == "ident":
            if self.at_op("("):
                self.next()
                args: list[Expr] = []
                if not self.at_op(")"):
                    args.append(self.expr())
                    while self.at_op(","):
                        self.next()
                        args.append(self.expr())
                self.expect_op(")")
                return Call(tok.text.lower(), tuple(args))
            return Field(tok.text)
        raise InsightsQueryError(f"unexpected {tok.text or 'end of query'!r} at position {tok.pos}")


def parse_query(query: str) -> Query:
    """Parse a Logs Insights query into commands, or raise InsightsQueryError."""
    return _Parser(query).parse()
