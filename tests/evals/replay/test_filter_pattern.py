"""Filter patterns compiled to DuckDB: expectations worked by hand from AWS's "Filter pattern syntax"."""

from __future__ import annotations

import json

import duckdb
import pytest

from evals.replay import AwsError, ReplayUnsupported
from evals.replay.engines.filter_pattern import compile_pattern, split_columns


def matching(pattern: str | None, messages: list[str]) -> list[int]:
    """Indexes of the messages the pattern matches, evaluated exactly as FilterLogEvents does."""
    db = duckdb.connect(":memory:")
    db.execute("CREATE TABLE t (i INTEGER, message VARCHAR)")
    db.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(messages)))
    predicate = compile_pattern(pattern)
    rows = db.execute(f"SELECT i, message FROM t WHERE {predicate.sql} ORDER BY i", list(predicate.params))
    return [i for i, message in rows.fetchall() if predicate.residual is None or predicate.residual(message)]


# --- unstructured terms ---------------------------------------------------------------------------

LINES = [
    "ERROR WARN message",  # 0
    "ERROR message",  # 1
    "WARN message",  # 2
    "Exiting with ERRORCODE: -1",  # 3
    "error: lower case",  # 4
    "[INFO] user=alice logged in",  # 5
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("ERROR", [0, 1, 3]),  # substring: ERRORCODE contains ERROR; case-sensitive: not "error"
        ("error", [4]),
        ("ERROR WARN", [0]),
        ("?ERROR ?WARN", [0, 1, 2, 3]),
        ("ERROR -WARN", [1, 3]),
        ('"ERROR" - "Exiting"', [0, 1]),
        ('"ERROR message"', [1]),  # an exact phrase, not two terms
        ("ERROR message", [0, 1]),
        ('"user=alice"', [5]),
        ('"user=bob"', []),
        ("", [0, 1, 2, 3, 4, 5]),
        ("   ", [0, 1, 2, 3, 4, 5]),
        ('" "', [0, 1, 2, 3, 4, 5]),  # AWS: a quoted space matches everything
        ("-WARN", [1, 3, 4, 5]),
        ('?"ERROR message" ?INFO', [1, 5]),
    ],
)
def test_terms(pattern: str, expected: list[int]) -> None:
    assert matching(pattern, LINES) == expected


def test_missing_pattern_matches_all() -> None:
    assert matching(None, LINES) == list(range(len(LINES)))


@pytest.mark.parametrize("pattern", ['"ERROR', "ERROR ?", "ERROR -"])
def test_malformed_terms_are_invalid(pattern: str) -> None:
    with pytest.raises(AwsError) as err:
        compile_pattern(pattern)
    assert err.value.code == "InvalidParameterException"


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        ("ERROR ?WARN", "OR terms mixed"),
        ("%ERR[A-Z]+%", "regular expression"),
        ("user=alice", "unquoted term"),
    ],
)
def test_constructs_replay_does_not_guess(pattern: str, construct: str) -> None:
    with pytest.raises(ReplayUnsupported, match=construct):
        compile_pattern(pattern)


# --- JSON ------------------------------------------------------------------------------------------

# The document AWS's compound-condition examples are written against.
COMPOUND = json.dumps(
    {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
    }
)


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
            False,
        ),
        ("{ $.coordinates[1][2] = 6 }", True),
        ("{ $.actions[3] EXISTS }", False),
        ("{ $.actions[2] = DELETE }", True),
        ("{ $.actions = GET }", False),  # a selector on an array never matches
        ("{ $.actions != GET }", False),
        ("{ $.user != 1 }", False),  # nor on an object
    ],
)
def test_json_compound_examples(pattern: str, matches: bool) -> None:
    assert matching(pattern, [COMPOUND]) == ([0] if matches else [])


EVENTS = [
    json.dumps(
        {"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "latency": 500, "ok": True}
    ),
    json.dumps({"eventType": "PutEvent", "sourceIPAddress": "123.123.0.9", "latency": 1000.5, "ok": False}),
    json.dumps({"eventType": "GetEvent", "latency": "1500", "ok": None, "a-b": {"c": 3}}),
    "not json at all",
    '{"eventType": "UpdateTrail"',  # truncated JSON
    json.dumps({"eventType": "updatetrail", "latency": -2e3}),
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.eventType = "UpdateTrail" }', [0]),  # case-sensitive, truncated JSON never matches
        ("{ $.eventType = UpdateTrail }", [0]),
        ("{ $.eventType = *Event }", [1, 2]),
        ("{ $.eventType = Put* }", [1]),
        ("{ $.eventType = *date* }", [0, 5]),
        ("{ $.eventType != UpdateTrail }", [1, 2, 5]),
        ("{ $.sourceIPAddress != 123.123.* }", [0]),  # a missing field matches neither = nor !=
        ("{ $.latency >= 500 }", [0, 1]),  # "1500" is a string, not a number
        ("{ $.latency > 500 }", [1]),
        ("{ $.latency <= 1000.5 }", [0, 1, 5]),
        ("{ $.latency < 10e-3 }", [5]),
        ("{ $.latency = 500 }", [0]),
        ("{ $.latency != 500 }", [1, 5]),
        ("{ $.latency > +1000 }", [1]),
        ("{ $.latency = -2e3 }", [5]),
        ('{ $.latency = "1500" }', [2]),
        ("{ $.latency = * }", [0, 1, 2, 5]),
        ("{ $.ok IS TRUE }", [0]),
        ("{ $.ok IS FALSE }", [1]),
        ("{ $.ok IS NULL }", [2]),
        ("{ $.ok EXISTS }", [0, 1, 2]),
        ("{ $.ok NOT EXISTS }", [5]),  # only JSON events can lack a field
        ("{ $.a-b.c = 3 }", [2]),
        ("{ $.eventType = UpdateTrail || $.latency < 0 }", [0, 5]),
        ("{ ($.ok IS TRUE || $.ok IS FALSE) && $.latency > 600 }", [1]),
    ],
)
def test_json_conditions(pattern: str, expected: list[int]) -> None:
    assert matching(pattern, EVENTS) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.eventType = UpdateTrail",
        "{ }",
        "{ eventType = UpdateTrail }",
        "{ $.latency > high }",
        "{ $.latency = }",
        "{ $.ok IS MAYBE }",
        "{ $.ok NOT THERE }",
        "{ ($.ok IS TRUE }",
        "{ $.a = 1 $.b = 2 }",
        '{ $.a = "open }',
    ],
)
def test_malformed_json_patterns_are_invalid(pattern: str) -> None:
    with pytest.raises(AwsError) as err:
        compile_pattern(pattern)
    assert err.value.code == "InvalidParameterException"


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        ("{ $.users[*].id = 1 }", "wildcard selector"),
        ("{ $.eventType = Up*Trail }", "'\\*' inside a value"),
        ("{ $.eventType = %Up.*% }", "regular expression"),
    ],
)
def test_json_constructs_replay_does_not_guess(pattern: str, construct: str) -> None:
    with pytest.raises(ReplayUnsupported, match=construct):
        compile_pattern(pattern)


def test_json_pattern_scales_to_a_million_events() -> None:
    db = duckdb.connect(":memory:")
    db.execute(
        """CREATE TABLE t AS SELECT CASE WHEN i % 3 = 0
               THEN '{"level":"ERROR","latency":' || (i % 1000)::VARCHAR || '}'
               ELSE 'INFO request ' || i::VARCHAR END AS message
           FROM range(1000000) r(i)"""
    )
    predicate = compile_pattern('{ $.level = "ERROR" && $.latency >= 990 }')
    count = db.execute(f"SELECT count(*) FROM t WHERE {predicate.sql}", list(predicate.params)).fetchone()
    # i % 3 == 0 and i % 1000 >= 990: i % 3000 in {990, 993, 996, 999, 1992, 1995, 1998, 2991, 2994, 2997}
    # hits 10 of every 3000 numbers; 1,000,000 = 333 * 3000 + 1000 adds 990, 993, 996, 999.
    assert count == (333 * 10 + 4,)


# --- space-delimited -------------------------------------------------------------------------------

APACHE = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /index.html HTTP/1.0" 404 4355',
    "short line",
]


def test_columns_keep_brackets_and_quotes_together() -> None:
    assert split_columns(APACHE[0]) == [
        "127.0.0.1",
        "-",
        "frank",
        "10/Oct/2000:13:25:15 -0700",
        "GET /apache_pb.gif HTTP/1.0",
        "200",
        "1534",
    ]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ip, user, username, timestamp, request, status_code, bytes]", [0, 1, 2]),
        ("[ip, user, username, timestamp, request, status_code, bytes > 4355]", [1]),
        ("[ip, user, username, timestamp, request, status_code, bytes >= 4355]", [1, 2]),
        ("[ip, user, username, timestamp, request, status_code = 200, bytes]", [0]),
        ("[ip, user, username, timestamp, request, status_code = 5*, bytes]", [1]),
        ("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", [2]),
        ("[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes]", [1, 2]),
        ("[ip, user, username, timestamp, request, status_code != 200 && status_code != 404, bytes]", [1]),
        ("[..., status_code = 404, bytes]", [2]),
        ("[ip, user, ...]", [0, 1, 2, 3]),  # "..." may stand for no column at all
        ("[ip, user, ..., status_code, bytes < 2000]", [0]),
        ("[..., request=*.html*, status_code=4*,]", [2]),  # AWS's own example: the trailing comma is a column
        ("[..., request=*.html*, status_code=4*]", []),
        ("[a, b]", [3]),  # the column count must agree
        ("[a, b = line]", [3]),
        ('[a, b = "line"]', [3]),
    ],
)
def test_space_delimited(pattern: str, expected: list[int]) -> None:
    assert matching(pattern, APACHE) == expected


def test_space_delimited_or_example() -> None:
    # AWS's OR example: only the two-column lines can match a two-field pattern.
    lines = ["ERROR WARN message", "ERROR message", "WARN message"]
    assert matching("[w1=ERROR, w2]", lines) == [1]
    assert matching("[w1=ERROR || w1=WARN, w2]", lines) == [1, 2]


@pytest.mark.parametrize("pattern", ["[ip, user", "[]", "[ip, bytes > big]", "[ip, $bad]", "[ip, bytes >]"])
def test_malformed_space_delimited_patterns_are_invalid(pattern: str) -> None:
    with pytest.raises(AwsError) as err:
        compile_pattern(pattern)
    assert err.value.code == "InvalidParameterException"


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        ("[ip, status_code = 4* && bytes > 1000]", "condition on 'bytes'"),
        ("[ip, request = GET*html]", "'\\*' inside a value"),
        ("[ip, request = %GET%]", "regular expression"),
        ("[w1=!ERROR&&w1=!WARN, w2]", "'=!' operator"),
    ],
)
def test_space_delimited_constructs_replay_does_not_guess(pattern: str, construct: str) -> None:
    with pytest.raises(ReplayUnsupported, match=construct):
        compile_pattern(pattern)
