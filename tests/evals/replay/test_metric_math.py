"""Metric math in GetMetricData: syntax, precedence, timestamp alignment and the supported functions."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import ReplayUnsupported
from evals.replay.engines import metric_math
from evals.replay.engines.metric_math import Env, Series

T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)


def when(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def datum(metric: str, minute: float, value: float) -> dict[str, Any]:
    stamp = when(minute).isoformat().replace("+00:00", "Z")
    return {"namespace": "App", "metric": metric, "timestamp": stamp, "value": value}


def stat(qid: str, metric: str, **extra: Any) -> dict[str, Any]:
    return {
        "Id": qid,
        "MetricStat": {"Metric": {"Namespace": "App", "MetricName": metric}, "Period": 60, "Stat": "Sum"},
        "ReturnData": False,
        **extra,
    }


# m1: minutes 0-3 = 1, 2, 3, 4.  m2: minutes 1-4 = 10, 0, 30, 40.  errors_a / errors_b for METRICS().
POINTS = (
    [datum("A", m, m + 1) for m in range(4)]
    + [datum("B", m, v) for m, v in ((1, 10), (2, 0), (3, 30), (4, 40))]
    + [datum("ErrA", 0, 1), datum("ErrA", 1, 2), datum("ErrB", 1, 5), datum("ErrB", 2, 7)]
)
QUERIES = [stat("m1", "A"), stat("m2", "B"), stat("errors_a", "ErrA"), stat("errors_b", "ErrB")]


@pytest.fixture
def run(replay: Callable[..., Any]) -> Callable[..., list[dict[str, Any]]]:
    session, _ = replay({"metrics": POINTS}, now="2024-05-01T00:06:00Z")
    client = session.client("cloudwatch")

    def evaluate(
        *expressions: str | dict[str, Any], end: float = 6, extra: list[dict[str, Any]] | None = None
    ):
        queries = list(QUERIES) + (extra or [])
        for n, expr in enumerate(expressions):
            queries.append(expr if isinstance(expr, dict) else {"Id": f"e{n}", "Expression": expr})
        answer = client.get_metric_data(
            MetricDataQueries=queries, StartTime=when(0), EndTime=when(end), ScanBy="TimestampAscending"
        )
        return answer["MetricDataResults"]

    return evaluate


def series(result: dict[str, Any]) -> dict[float, float]:
    """minute -> value"""
    return {
        (t - T0).total_seconds() / 60: v for t, v in zip(result["Timestamps"], result["Values"], strict=True)
    }


def one(run: Callable[..., list[dict[str, Any]]], expression: str) -> dict[float, float]:
    [result] = run(expression)
    return series(result)


def test_arithmetic_aligns_on_shared_timestamps(run: Callable[..., Any]) -> None:
    assert one(run, "m1 + m2") == {1: 12, 2: 3, 3: 34}  # minute 0 only in m1, minute 4 only in m2
    assert one(run, "m2 - m1") == {1: 8, 2: -3, 3: 26}
    assert one(run, "m1 * 2 + 1") == {0: 3, 1: 5, 2: 7, 3: 9}
    assert one(run, "10 / m1") == {0: 10, 1: 5, 2: 10 / 3, 3: 2.5}
    assert one(run, "m1 / m2") == pytest.approx({1: 0.2, 3: 4 / 30})  # x/0 at minute 2 yields no datapoint


def test_precedence_and_unary_minus(run: Callable[..., Any]) -> None:
    assert one(run, "1 + m1 * 2 ^ 2") == {0: 5, 1: 9, 2: 13, 3: 17}
    assert one(run, "(1 + m1) * 2") == {0: 4, 1: 6, 2: 8, 3: 10}
    assert one(run, "-m1 ^ 2") == {0: -1, 1: -4, 2: -9, 3: -16}
    assert one(run, "m1 ^ 2 ^ 0.5") == pytest.approx(
        {0: 1, 1: 2 ** math.sqrt(2), 2: 3 ** math.sqrt(2), 3: 4 ** math.sqrt(2)}
    )
    assert one(run, "m1 - AVG(m1)") == {0: -1.5, 1: -0.5, 2: 0.5, 3: 1.5}  # AVG of one series is a number


def test_aggregates_over_metrics_arrays(run: Callable[..., Any]) -> None:
    # METRICS() is every MetricStat in the request, returned or not; "errors" matches ids containing it.
    assert one(run, 'SUM(METRICS("errors"))') == {0: 1, 1: 7, 2: 7}
    assert one(run, "MAX(METRICS())") == {0: 1, 1: 10, 2: 7, 3: 30, 4: 40}
    assert one(run, "MIN([m1, m2])") == {0: 1, 1: 2, 2: 0, 3: 4, 4: 40}
    assert one(run, "AVG([m1, m2])") == {0: 1, 1: 6, 2: 1.5, 3: 17, 4: 40}


def test_array_expressions_return_one_result_per_series(run: Callable[..., Any]) -> None:
    results = run({"Id": "f", "Expression": 'FILL(METRICS("errors"), 0)', "Label": "Filled"})
    assert [(r["Id"], r["Label"]) for r in results] == [("f", "Filled ErrA"), ("f", "Filled ErrB")]
    # The grid runs from StartTime to now (00:06); buckets past now are not invented.
    assert series(results[0]) == {0: 1, 1: 2, 2: 0, 3: 0, 4: 0, 5: 0}
    assert series(results[1]) == {0: 0, 1: 5, 2: 7, 3: 0, 4: 0, 5: 0}


def test_fill_repeat_and_linear(run: Callable[..., Any]) -> None:
    assert one(run, "FILL(m2, REPEAT)") == {1: 10, 2: 0, 3: 30, 4: 40, 5: 40}  # nothing before minute 1
    assert one(run, "FILL(m1, LINEAR)") == {0: 1, 1: 2, 2: 3, 3: 4}  # no gap inside, no end after 3
    assert one(run, "FILL(errors_a + errors_b, 1)") == {0: 1, 1: 7, 2: 1, 3: 1, 4: 1, 5: 1}


def test_fill_linear_interpolates_inside_gaps(replay: Callable[..., Any]) -> None:
    session, _ = replay({"metrics": [datum("G", 1, 10), datum("G", 4, 40)]}, now="2024-05-01T00:06:00Z")
    answer = session.client("cloudwatch").get_metric_data(
        MetricDataQueries=[stat("g", "G"), {"Id": "e", "Expression": "FILL(g, LINEAR)"}],
        StartTime=when(0),
        EndTime=when(6),
        ScanBy="TimestampAscending",
    )
    assert series(answer["MetricDataResults"][0]) == {1: 10, 2: 20, 3: 30, 4: 40}


def test_rate_diff_abs(run: Callable[..., Any]) -> None:
    assert one(run, "DIFF(m2)") == {2: -10, 3: 30, 4: 10}
    assert one(run, "RATE(m2)") == {2: -10 / 60, 3: 0.5, 4: 10 / 60}  # per second
    assert one(run, "ABS(DIFF(m2))") == {2: 10, 3: 30, 4: 10}


def test_if_with_comparisons_and_logic(run: Callable[..., Any]) -> None:
    assert one(run, "IF(m1 > 2, m1, 0)") == {0: 0, 1: 0, 2: 3, 3: 4}
    assert one(run, "IF(m1 >= 2 AND m2 < 20, 1)") == {1: 1, 2: 1}  # no false value: dropped
    assert one(run, "IF(m1 == 1 || m1 != 3, m2)") == {1: 10, 3: 30}  # m2 has no minute 0
    assert one(run, "m1 <= 2") == {0: 1, 1: 1, 2: 0, 3: 0}


def test_expressions_reference_expressions_and_default_label(run: Callable[..., Any]) -> None:
    results = run(
        {"Id": "base", "Expression": "m1 * 10", "ReturnData": False}, {"Id": "top", "Expression": "base + 1"}
    )
    assert [(r["Id"], r["Label"]) for r in results] == [("top", "top")]
    assert series(results[0]) == {0: 11, 1: 21, 2: 31, 3: 41}


def test_math_requests_never_paginate(replay: Callable[..., Any]) -> None:
    session, _ = replay({"metrics": POINTS}, now="2024-05-01T00:06:00Z")
    answer = session.client("cloudwatch").get_metric_data(
        MetricDataQueries=[stat("m1", "A", ReturnData=True), {"Id": "e", "Expression": "m1 * 2"}],
        StartTime=when(0),
        EndTime=when(6),
        MaxDatapoints=1,
    )
    assert "NextToken" not in answer
    assert [len(r["Values"]) for r in answer["MetricDataResults"]] == [4, 4]
    assert {r["StatusCode"] for r in answer["MetricDataResults"]} == {"Complete"}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("m1 +", "Unexpected end of the expression"),
        ("m1 $ 2", "Unrecognized character"),
        ("(m1 + 2", "Expected ')'"),
        ("nope * 2", "Unrecognized identifier nope"),
        ("FROB(m1)", "Unknown function FROB"),
        ("FILL(m1)", "FILL takes 2 arguments"),
        ("METRICS(m1)", "METRICS takes a string"),
        ("m1 + 'x'", "only allowed as an argument of METRICS"),
        ("METRICS() + METRICS()", "cannot combine two arrays"),
        (" ", "empty"),
    ],
)
def test_bad_expressions_are_validation_errors(
    run: Callable[..., Any], expression: str, message: str
) -> None:
    with pytest.raises(ClientError) as err:
        run(expression)
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert message in err.value.response["Error"]["Message"]
    assert "Error in expression e0" in err.value.response["Error"]["Message"]


def test_circular_references_are_rejected(run: Callable[..., Any]) -> None:
    with pytest.raises(ClientError, match="Circular reference"):
        run({"Id": "a", "Expression": "b + 1"}, {"Id": "b", "Expression": "a + 1"})


@pytest.mark.parametrize(
    ("expression", "named"),
    [
        ("SEARCH('{App} Latency', 'Sum', 60)", "SEARCH"),
        ("ANOMALY_DETECTION_BAND(m1)", "ANOMALY_DETECTION_BAND"),
        ("RUNNING_SUM(m1)", "RUNNING_SUM"),
        ("SUM(m1)", "single number"),
        ("42", "single number"),
    ],
)
def test_unsupported_functions_say_so(run: Callable[..., Any], expression: str, named: str) -> None:
    with pytest.raises(ReplayUnsupported, match=named):
        run(expression)


# --- the engine on its own ------------------------------------------------------------------------


def scalar(text: str) -> float:
    env = Env("e", lambda _: 0.0, lambda _: [], lambda _: [])
    value = metric_math.evaluate(metric_math.parse(text, "e"), env)
    assert isinstance(value, float)
    return value


def test_scalar_arithmetic() -> None:
    assert scalar("2 ^ 3 ^ 2") == 512  # right-associative
    assert scalar("-2 ^ 2") == -4
    assert scalar("1 + 2 * 3 - 4 / 2") == 5
    assert scalar("3 > 2 AND 1 == 1") == 1
    assert scalar("0 || 0") == 0
    assert scalar("1.5e1 + .5") == 15.5
    assert math.isnan(scalar("1 / 0"))


def test_fill_grid_and_series_period() -> None:
    grid = [0, 60, 120, 180]
    env = Env("e", lambda _: Series("s", 60, {60: 5.0}), lambda _: [], lambda _: grid)
    value = metric_math.evaluate(metric_math.parse("FILL(s, REPEAT)", "e"), env)
    assert isinstance(value, Series)
    assert value.points == {60: 5.0, 120: 5.0, 180: 5.0}
