"""Logs Insights engine, called directly: every command and function against hand-computed answers."""

from __future__ import annotations

import math
from typing import Any

import pytest

from evals.replay.context import ReplayContext
from evals.replay.engines.insights import InsightsQueryError, InsightsResult, decode_ptr, run_query
from tests.conftest import make_bundle

T = 1714521600000  # 2024-05-01T00:00:00Z, the test manifest's start
END = T + 6 * 3600 * 1000  # the manifest's now

APP = [
    (1_000, "s1", '{"level":"ERROR","http":{"status":500,"path":"/pay"},"latency":120,"user":"ann"}'),
    (
        61_000,
        "s1",
        '{"level":"INFO","http":{"status":200,"path":"/pay"},"latency":30,"user":"bob","note":"  "}',
    ),
    (62_000, "s2", "plain ERROR Timeout talking to db"),
    (
        125_000,
        "s2",
        '{"level":"WARN","http":{"status":503,"path":"/cart"},"latency":90,"user":"ann","tags":["a","b"]}',
    ),
    (300_000, "s1", "user=carol, method:GET, latency := 45"),
]


def _events() -> list[dict[str, Any]]:
    events = [{"log_group": "/app", "log_stream": s, "timestamp": T + dt, "message": m} for dt, s, m in APP]
    events.append(
        {"log_group": "/other", "log_stream": "o", "timestamp": T + 2_000, "message": '{"level":"ERROR"}'}
    )
    # After the bundle's now: not visible yet.
    events.append({"log_group": "/app", "log_stream": "s1", "timestamp": END + 1, "message": "ERROR future"})
    return events


@pytest.fixture(scope="module")
def ctx() -> ReplayContext:
    return ReplayContext(make_bundle({"logs": _events()}))


def run(ctx: ReplayContext, query: str, groups: tuple[str, ...] = ("/app",), **kw: Any) -> InsightsResult:
    return run_query(ctx, query, list(groups), kw.get("start", T), kw.get("end", END), kw.get("limit"))


def rows(ctx: ReplayContext, query: str, **kw: Any) -> list[dict[str, str]]:
    """Rows as dicts without @ptr, in result order."""
    return [{f: v for f, v in row if f != "@ptr"} for row in run(ctx, query, **kw).rows]


def stamps(ctx: ReplayContext, query: str) -> list[int]:
    """Which APP events (by offset in seconds) a non-aggregate query returns, in order."""
    out = []
    for row in run(ctx, query).rows:
        ptr = dict(row)["@ptr"]
        _, seq = decode_ptr(ptr)
        out.append(APP[seq - 1][0] // 1000)
    return out


# --- default shape, order, window ----------------------------------------------------------------


def test_plain_query_returns_newest_first_with_system_fields(ctx: ReplayContext) -> None:
    result = run(ctx, "filter @message like /ERROR/")
    assert [dict(r)["@timestamp"] for r in result.rows] == [
        "2024-05-01 00:01:02.000",
        "2024-05-01 00:00:01.000",
    ]
    first = result.rows[0]
    assert [f for f, _ in first] == ["@timestamp", "@message", "@logStream", "@log", "@ptr"]
    assert dict(first)["@message"] == "plain ERROR Timeout talking to db"
    assert dict(first)["@logStream"] == "s2"
    assert dict(first)["@log"] == "123456789012:/app"
    # The /other group and the event after `now` are not scanned.
    assert (result.records_matched, result.records_scanned) == (2, 5)
    assert result.bytes_scanned == sum(len(m.encode()) for _, _, m in APP)


def test_time_window_is_inclusive_at_both_ends(ctx: ReplayContext) -> None:
    result = run(ctx, "fields @timestamp", start=T + 61_000, end=T + 62_000)
    assert [dict(r)["@timestamp"] for r in result.rows] == [
        "2024-05-01 00:01:02.000",
        "2024-05-01 00:01:01.000",
    ]


def test_several_groups_and_at_log(ctx: ReplayContext) -> None:
    got = rows(ctx, "filter level = 'ERROR' | fields @log", groups=("/app", "/other"))
    assert got == [{"@log": "123456789012:/other"}, {"@log": "123456789012:/app"}]


def test_limit_argument_and_limit_command(ctx: ReplayContext) -> None:
    assert len(run(ctx, "fields @message", limit=2).rows) == 2
    result = run(ctx, "fields @message | limit 3", limit=1)  # the query's limit wins
    assert stamps(ctx, "fields @message | limit 3") == [300, 125, 62]
    assert len(result.rows) == 3
    assert result.records_matched == 5


# --- filter ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter http.status >= 500", [125, 1]),
        ("filter http.status > 500", [125]),
        ("filter latency < 90", [61]),
        ("filter latency <= 90 and latency > 30", [125]),
        ("filter level = 'ERROR'", [1]),
        ('filter level != "ERROR"', [125, 61]),  # events without a level never match
        ("filter level = 'INFO' or user = 'ann'", [125, 61, 1]),
        ("filter http.status = 500", [1]),
        ("filter http.status = '500'", [1]),
        ('filter @message like "Timeout"', [62]),
        ('filter @message like "timeout"', []),
        ("filter @message like /(?i)timeout/", [62]),
        ("filter @message =~ /ERROR|WARN/", [125, 62, 1]),
        ("filter @message not like /ERROR/", [300, 125, 61]),
        ("filter not ispresent(level)", [300, 62]),
        ("filter ispresent(tags.1)", [125]),
        ("filter level in ['ERROR', 'WARN']", [125, 1]),
        ("filter http.status in [500, 503]", [125, 1]),
        ("filter level not in ['ERROR']", [125, 61]),
        ("filter not (level = 'ERROR' or level = 'WARN') and ispresent(level)", [61]),
        ("filter strlen(user) = 3", [125, 61, 1]),
        ("filter tolower(level) = 'warn'", [125]),
        ("filter toupper(user) like /^A/", [125, 1]),
        ("filter isempty(level)", [300, 62]),
        ("filter isempty(note)", [300, 125, 62, 1]),  # note is "  ": not empty
        ("filter isblank(note)", [300, 125, 62, 61, 1]),
        ("filter latency * 2 = 240", [1]),
        ("filter latency % 60 = 30", [125, 61]),
        ("filter 2 ^ 3 = 8 and latency - 100 > 0", [1]),
        ("filter strcontains(@message, 'talking') = 1", [62]),
        ("filter @logStream = 's2'", [125, 62]),
        ("filter @timestamp >= 1714521661000", [300, 125, 62, 61]),
    ],
)
def test_filter(ctx: ReplayContext, query: str, expected: list[int]) -> None:
    assert stamps(ctx, query) == expected


def test_comparing_two_fields_is_numeric_when_both_are_numbers() -> None:
    events = [
        {"log_group": "/g", "log_stream": "s", "timestamp": T + i, "message": m}
        for i, m in enumerate(['{"a": "9", "b": "10"}', '{"a": "x9", "b": "x10"}'], 1)
    ]
    c = ReplayContext(make_bundle({"logs": events}))
    # 9 < 10 as numbers; "x9" > "x10" as text.
    assert rows(c, "filter a < b | fields a", groups=("/g",)) == [{"a": "9"}]


# --- fields, display, functions -------------------------------------------------------------------


def test_fields_with_expressions_and_aliases(ctx: ReplayContext) -> None:
    got = rows(
        ctx, "filter ispresent(latency) | fields level, http.status, latency * 2 as doubled, latency / 4 as q"
    )
    assert got == [
        {"level": "WARN", "http.status": "503", "doubled": "180", "q": "22.5"},
        {"level": "INFO", "http.status": "200", "doubled": "60", "q": "7.5"},
        {"level": "ERROR", "http.status": "500", "doubled": "240", "q": "30"},
    ]


def test_field_without_value_is_left_out_of_the_row(ctx: ReplayContext) -> None:
    result = run(ctx, "fields level, @logStream | filter @logStream = 's2'")
    assert [[f for f, _ in r] for r in result.rows] == [
        ["level", "@logStream", "@ptr"],
        ["@logStream", "@ptr"],
    ]


def test_unaliased_expression_is_named_as_written(ctx: ReplayContext) -> None:
    got = rows(ctx, "filter user = 'bob' | fields toupper(user), latency+1")
    assert got == [{"toupper(user)": "BOB", "latency+1": "31"}]


def test_display_chooses_the_columns(ctx: ReplayContext) -> None:
    result = run(ctx, "fields level, user | filter level = 'ERROR' | display user")
    assert [[f for f, _ in r] for r in result.rows] == [["user", "@ptr"]]


def test_string_numeric_and_general_functions(ctx: ReplayContext) -> None:
    query = (
        "filter @logStream = 's1' and ispresent(level) | sort @timestamp asc | limit 1 "
        "| fields concat(level, '-', user) as c, substr(user, 1) as s1, substr(user, 0, 2) as s2, "
        "replace(http.path, '/', '_') as r, trim('  x ') as t, ltrim('xxyx', 'x') as lt, "
        "rtrim('yxx', 'x') as rt, trim('xyZfooxyZ', 'xyZ') as t2, abs(0 - latency) as a, -latency as neg, "
        "ceil(latency / 7) as ce, floor(latency / 7) as fl, coalesce(nothing, level) as co, "
        "greatest(latency, 200) as g, least(latency, 200) as l, sqrt(latency + 1) as sq"
    )
    assert rows(ctx, query) == [
        {
            "c": "ERROR-ann",
            "s1": "nn",
            "s2": "an",
            "r": "_pay",
            "t": "x",
            "lt": "yx",
            "rt": "y",
            "t2": "foo",
            "a": "120",
            "neg": "-120",
            "ce": "18",
            "fl": "17",
            "co": "ERROR",
            "g": "200",
            "l": "120",
            "sq": "11",
        }
    ]


def test_coalesce_falls_through_to_a_literal(ctx: ReplayContext) -> None:
    assert rows(ctx, "filter @logStream = 's2' | fields coalesce(level, user, 'none') as co") == [
        {"co": "WARN"},
        {"co": "none"},
    ]


def test_datetime_functions(ctx: ReplayContext) -> None:
    got = rows(
        ctx,
        "filter level = 'WARN' | fields datefloor(@timestamp, 1m) as f, dateceil(@timestamp, 1m) as c, "
        "datefloor(@timestamp, 1h) as h, toMillis(@timestamp) as ms, fromMillis(1714521600000) as t0, "
        "@ingestionTime",
    )
    assert got == [
        {
            "f": "2024-05-01 00:02:00.000",
            "c": "2024-05-01 00:03:00.000",
            "h": "2024-05-01 00:00:00.000",
            "ms": "1714521725000",
            "t0": "2024-05-01 00:00:00.000",
            "@ingestionTime": "2024-05-01 00:02:05.000",
        }
    ]


# --- parse ----------------------------------------------------------------------------------------


def test_parse_glob(ctx: ReplayContext) -> None:
    got = rows(
        ctx,
        'parse @message "user=*, method:*, latency := *" as u, m, lat | filter ispresent(u) | fields u, m, lat',
    )
    assert got == [{"u": "carol", "m": "GET", "lat": "45"}]


def test_parse_glob_fields_are_absent_where_the_pattern_does_not_match(ctx: ReplayContext) -> None:
    result = run(ctx, "parse 'plain * *' as lvl, rest")
    with_lvl = [dict(r) for r in result.rows if "lvl" in dict(r)]
    assert len(result.rows) == 5
    assert [(r["lvl"], r["rest"]) for r in with_lvl] == [("ERROR", "Timeout talking to db")]


def test_parse_regex_named_groups(ctx: ReplayContext) -> None:
    got = rows(
        ctx,
        r"parse @message /(\w+) (?<what>\w+) talking to (?<dep>\w+)/ | filter ispresent(dep) | fields what, dep",
    )
    assert got == [{"what": "Timeout", "dep": "db"}]


def test_parsed_field_feeds_stats(ctx: ReplayContext) -> None:
    got = rows(ctx, "parse @message 'latency := *' as lat | stats sum(lat * 2) as s")
    assert got == [{"s": "90"}]


# --- stats ----------------------------------------------------------------------------------------


def test_stats_aggregates(ctx: ReplayContext) -> None:
    result = run(
        ctx,
        "stats count(*) as n, count(level) as withLevel, count_distinct(user) as users, sum(latency) as total, "
        "avg(latency) as mean, min(latency) as lo, max(latency) as hi, pct(latency, 50) as p50, "
        "pct(latency, 100) as p100, stddev(latency) as sd, earliest(level) as first, latest(level) as last",
    )
    assert result.rows == [
        [
            ("n", "5"),
            ("withLevel", "3"),
            ("users", "2"),
            ("total", "240"),
            ("mean", "80"),
            ("lo", "30"),
            ("hi", "120"),
            ("p50", "90"),
            ("p100", "120"),
            ("sd", repr(math.sqrt(2100))),  # sample deviation of 120, 30, 90
            ("first", "ERROR"),
            ("last", "WARN"),
        ]
    ]
    assert result.records_matched == 5


def test_stats_by_field_and_default_names(ctx: ReplayContext) -> None:
    result = run(ctx, "filter ispresent(level) | stats count(*), avg(latency) by level")
    assert result.rows == [
        [("level", "ERROR"), ("count(*)", "1"), ("avg(latency)", "120")],
        [("level", "INFO"), ("count(*)", "1"), ("avg(latency)", "30")],
        [("level", "WARN"), ("count(*)", "1"), ("avg(latency)", "90")],
    ]
    assert result.records_matched == 3


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("1m", [("00:00", "1"), ("00:01", "2"), ("00:02", "1"), ("00:05", "1")]),
        ("5m", [("00:00", "4"), ("00:05", "1")]),
        ("1h", [("00:00", "5")]),
        ("30s", [("00:00", "1"), ("00:01", "2"), ("00:02", "1"), ("00:05", "1")]),
        ("2mins", [("00:00", "3"), ("00:02", "1"), ("00:04", "1")]),
    ],
)
def test_stats_by_bin(ctx: ReplayContext, period: str, expected: list[tuple[str, str]]) -> None:
    got = rows(ctx, f"stats count(*) by bin({period})")
    assert [(r[f"bin({period})"][11:16], r["count(*)"]) for r in got] == expected


def test_stats_by_bin_with_alias_then_sort(ctx: ReplayContext) -> None:
    got = rows(ctx, "stats count(*) as n by bin(1m) as t | sort n desc | limit 1")
    assert got == [{"t": "2024-05-01 00:01:00.000", "n": "2"}]


def test_sort_by_aggregate_named_as_written(ctx: ReplayContext) -> None:
    got = rows(ctx, "stats count(*) by @logStream | sort count(*) asc")
    assert got == [{"@logStream": "s2", "count(*)": "2"}, {"@logStream": "s1", "count(*)": "3"}]


def test_stats_expression_of_aggregates(ctx: ReplayContext) -> None:
    assert rows(ctx, "stats sum(latency) / count(latency) as mean2") == [{"mean2": "80"}]


def test_filter_after_stats_and_second_stats(ctx: ReplayContext) -> None:
    result = run(ctx, "stats count(*) as n by @logStream | filter n > 2")
    assert result.rows == [[("@logStream", "s1"), ("n", "3")]]
    assert run(ctx, "stats count(*) as n by @logStream | filter n > 5").records_matched == 5
    assert rows(ctx, "stats count(*) as n by bin(1m) | stats max(n) as peak") == [{"peak": "2"}]


def test_stats_over_no_events_returns_no_rows(ctx: ReplayContext) -> None:
    result = run(ctx, "filter level = 'FATAL' | stats count(*)")
    assert (result.rows, result.records_matched) == ([], 0)


# --- sort, dedup ----------------------------------------------------------------------------------


def test_sort_is_numeric_for_numbers(ctx: ReplayContext) -> None:
    assert [
        r["latency"] for r in rows(ctx, "filter ispresent(latency) | fields latency | sort latency asc")
    ] == [
        "30",
        "90",
        "120",
    ]
    assert stamps(ctx, "filter ispresent(latency) | sort latency") == [1, 125, 61]  # desc by default


def test_sort_by_text_and_timestamp(ctx: ReplayContext) -> None:
    assert stamps(ctx, "filter ispresent(level) | sort level asc") == [1, 61, 125]
    assert stamps(ctx, "sort @timestamp asc") == [1, 61, 62, 125, 300]


def test_dedup_keeps_first_in_sort_order_and_every_null(ctx: ReplayContext) -> None:
    assert stamps(ctx, "dedup user") == [300, 125, 62, 61]
    assert stamps(ctx, "sort @timestamp asc | dedup user") == [1, 61, 62, 300]
    assert stamps(ctx, "filter ispresent(user) | dedup user | limit 1") == [125]
    assert run(ctx, "dedup user").records_matched == 5


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("unnest tags", "unnest command is not supported"),
        ("frobnicate x", "unknown command 'frobnicate'"),
        ("fields foo(x)", "function foo() is not supported"),
        ("fields count(*)", "count() can only be used in stats"),
        ("stats latency", "must be inside an aggregate"),
        ("stats count(*) by bin(1mo)", "calendar period"),
        ("stats count(*) by bin(5parsecs)", "unknown time unit"),
        ("limit 0", "limit must be between"),
        ("limit any 5", "'limit any' is not supported"),
        ("filter @message like 'open", "unterminated string"),
        ("filter @message like /open", "unterminated regular expression"),
        ("filter latency", "filter needs a condition"),
        ("dedup user | sort user", "only command allowed after dedup is limit"),
        ("parse @message 'a * b *' as x", "2 wildcards but 1 field names"),
        ("parse @message /(\\d+)/", "no named capture group"),
        ("fields strlen(a, b)", "strlen() takes 1 arguments"),
        ("stats sum(*)", "only count(*) takes *"),
        ("stats count(*) | stats earliest(x)", "needs @timestamp"),
        ("filter @message like /(?=x)/", "query failed"),
        ("fields a |", "unknown command"),
        ("fields a b", "commands are separated by |"),
        ("stats pct(latency, 120)", "percentile between 0 and 100"),
        ("filter @timestamp > '2024-05-01'", "epoch milliseconds"),
    ],
)
def test_malformed_or_unsupported_queries_name_the_problem(
    ctx: ReplayContext, query: str, message: str
) -> None:
    with pytest.raises(InsightsQueryError, match=None) as info:
        run(ctx, query)
    assert message in str(info.value)


def test_comments_and_backticks(ctx: ReplayContext) -> None:
    query = "# the errors\nfilter `level` = 'ERROR' # only errors\n| fields `http.status` as `status code`"
    assert rows(ctx, query) == [{"status code": "500"}]


def test_sort_is_the_documented_natural_sort() -> None:
    # The ascending example of the Logs Insights `sort` reference, fed in scrambled.
    documented = ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh"]
    documented += ["0", "01", "1", "2", "3"]
    scrambled = documented[7:] + documented[:7]
    events = [
        {"log_group": "/g", "log_stream": "s", "timestamp": T + i, "message": f'{{"v": "{v}"}}'}
        for i, v in enumerate(scrambled, 1)
    ]
    c = ReplayContext(make_bundle({"logs": events}))
    assert [r["v"] for r in rows(c, "fields v | sort v asc", groups=("/g",))] == documented
    assert [r["v"] for r in rows(c, "fields v | sort v desc", groups=("/g",))] == documented[::-1]


def test_values_turned_into_text_print_as_results_do(ctx: ReplayContext) -> None:
    got = rows(
        ctx,
        "filter user = 'bob' | fields concat(latency * 2, 'ms') as a, concat(latency / 4, 'ms') as b, "
        "concat(@timestamp, '') as c, strlen(@timestamp) as n, level in ['INFO', 5] as d",
    )
    assert got == [{"a": "60ms", "b": "7.5ms", "c": "2024-05-01 00:01:01.000", "n": "23", "d": "1"}]


def test_min_and_max_of_text_fields(ctx: ReplayContext) -> None:
    assert rows(
        ctx, "stats min(level) as lo, max(level) as hi, max(http.status) as top, min(latency) as fast"
    ) == [{"lo": "ERROR", "hi": "WARN", "top": "503", "fast": "30"}]
