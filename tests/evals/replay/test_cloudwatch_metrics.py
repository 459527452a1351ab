"""CloudWatch metrics replay: GetMetricStatistics, GetMetricData (MetricStat) and ListMetrics."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.bundle import Bundle
from evals.replay import ReplayUnsupported, replay_session
from tests.conftest import BASE_MANIFEST

T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
API = [{"Name": "Service", "Value": "api"}]


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def when(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def datum(
    minutes: float, metric: str = "Latency", dims: dict[str, str] | None = None, **form: Any
) -> dict[str, Any]:
    base = {"namespace": "App", "metric": metric, "dimensions": {"Service": "api"} if dims is None else dims}
    return {**base, "timestamp": at(minutes), **form}


Replay = Callable[..., Any]


@pytest.fixture
def cw(replay: Replay) -> Callable[..., Any]:
    def client(points: list[dict[str, Any]], **manifest: Any) -> Any:
        session, _ = replay({"metrics": points}, **manifest)
        return session.client("cloudwatch")

    return client


def stats(client: Any, start: datetime, end: datetime, period: int, **extra: Any) -> list[dict[str, Any]]:
    extra.setdefault("Dimensions", API)
    if "ExtendedStatistics" not in extra:
        extra.setdefault("Statistics", ["SampleCount", "Sum", "Average", "Minimum", "Maximum"])
    answer = client.get_metric_statistics(
        Namespace="App", MetricName="Latency", StartTime=start, EndTime=end, Period=period, **extra
    )
    assert answer["Label"] == "Latency"
    return answer["Datapoints"]


def mdq(qid: str, stat: str = "Sum", period: int = 60, **extra: Any) -> dict[str, Any]:
    metric = {
        "Namespace": "App",
        "MetricName": extra.pop("metric", "Latency"),
        "Dimensions": extra.pop("dims", API),
    }
    query = {"Id": qid, "MetricStat": {"Metric": metric, "Period": period, "Stat": stat}}
    if "unit" in extra:
        query["MetricStat"]["Unit"] = extra.pop("unit")
    return {**query, **extra}


# --- GetMetricStatistics --------------------------------------------------------------------------


def test_statistics_bucket_by_period_from_start(cw: Any) -> None:
    client = cw(
        [
            datum(0, value=1),
            datum(0.5, value=3),
            datum(1, value=5),
            datum(4 + 59 / 60, value=7),  # 00:04:59 still belongs to the first 5-minute bucket
            datum(5, value=100),  # 00:05:00 opens the second
            datum(10, value=1000),  # EndTime is exclusive
        ]
    )
    points = stats(client, when(0), when(10), 300)
    assert points == [
        {
            "Timestamp": when(0),
            "SampleCount": 4.0,
            "Sum": 16.0,
            "Average": 4.0,
            "Minimum": 1.0,
            "Maximum": 7.0,
            "Unit": "None",
        },
        {
            "Timestamp": when(5),
            "SampleCount": 1.0,
            "Sum": 100.0,
            "Average": 100.0,
            "Minimum": 100.0,
            "Maximum": 100.0,
            "Unit": "None",
        },
    ]


def test_start_time_rounds_down_to_the_minute_and_buckets_follow_it(cw: Any) -> None:
    client = cw([datum(2 + 10 / 60, value=1), datum(3.5, value=2), datum(4, value=4), datum(5.9, value=8)])
    # 00:02:34 rounds down to 00:02:00, so the 00:02:10 datum is in; 2-minute buckets start there.
    points = stats(client, when(2 + 34 / 60), when(6), 120, Statistics=["Sum"])
    assert [(p["Timestamp"], p["Sum"]) for p in points] == [(when(2), 3.0), (when(4), 12.0)]


def test_start_older_than_15_days_rounds_to_five_minutes_and_needs_a_matching_period(cw: Any) -> None:
    old = NOW - timedelta(days=20)
    points = [
        {
            "namespace": "App",
            "metric": "Latency",
            "dimensions": {"Service": "api"},
            "value": v,
            "timestamp": (old + timedelta(minutes=m)).isoformat().replace("+00:00", "Z"),
        }
        for m, v in ((0, 1), (1, 2), (6, 4))
    ]
    client = cw(points)
    # 20 days back, 1-minute data has been rolled up: a 60 s period returns nothing.
    assert stats(client, old, old + timedelta(minutes=10), 60) == []
    got = stats(
        client, old + timedelta(minutes=3, seconds=10), old + timedelta(minutes=10), 300, Statistics=["Sum"]
    )
    # 3m10s after the (5-minute aligned) origin rounds down to the origin itself.
    assert [(p["Timestamp"], p["Sum"]) for p in got] == [(old, 3.0), (old + timedelta(minutes=5), 4.0)]


def test_dimensions_must_match_exactly(cw: Any) -> None:
    client = cw(
        [
            datum(0, value=1),
            datum(0, dims={"Service": "api", "AZ": "a"}, value=10),
            datum(0, dims={}, value=100),
        ]
    )
    assert [p["Sum"] for p in stats(client, when(0), when(1), 60, Statistics=["Sum"])] == [1.0]
    both = [{"Name": "AZ", "Value": "a"}, {"Name": "Service", "Value": "api"}]
    assert [p["Sum"] for p in stats(client, when(0), when(1), 60, Statistics=["Sum"], Dimensions=both)] == [
        10.0
    ]
    assert [p["Sum"] for p in stats(client, when(0), when(1), 60, Statistics=["Sum"], Dimensions=[])] == [
        100.0
    ]
    other = [{"Name": "Service", "Value": "web"}]
    assert stats(client, when(0), when(1), 60, Dimensions=other) == []


def test_units_are_kept_apart_and_filter_exactly(cw: Any) -> None:
    client = cw([datum(0, value=1, unit="Milliseconds"), datum(0.5, value=2000, unit="Seconds")])
    per_unit = stats(client, when(0), when(1), 60, Statistics=["Sum"])
    assert sorted((p["Unit"], p["Sum"]) for p in per_unit) == [("Milliseconds", 1.0), ("Seconds", 2000.0)]
    only = stats(client, when(0), when(1), 60, Statistics=["Sum"], Unit="Seconds")
    assert [(p["Unit"], p["Sum"]) for p in only] == [("Seconds", 2000.0)]
    assert stats(client, when(0), when(1), 60, Unit="Bytes") == []


def test_values_with_counts_and_statistic_sets_aggregate(cw: Any) -> None:
    client = cw(
        [
            datum(0, values=[1, 5], counts=[2, 1]),
            datum(0.2, statistic_values={"SampleCount": 3, "Sum": 30, "Minimum": 2, "Maximum": 20}),
            datum(0.4, values=[4, 6]),  # counts default to 1 each
        ]
    )
    [point] = stats(client, when(0), when(1), 60)
    assert point["SampleCount"] == 8.0
    assert point["Sum"] == 1 * 2 + 5 + 30 + 4 + 6
    assert point["Average"] == pytest.approx(47 / 8)
    assert (point["Minimum"], point["Maximum"]) == (1.0, 20.0)


def test_percentiles_from_value_distributions(cw: Any) -> None:
    client = cw(
        [
            datum(0, values=[10, 20, 30, 40]),
            datum(0.5, value=50),
            datum(1, values=[1, 2], counts=[9, 1]),
            # A statistic set pins its values only when Min == Max (or SampleCount is 1).
            datum(2, statistic_values={"SampleCount": 4, "Sum": 28, "Minimum": 7, "Maximum": 7}),
            datum(3, statistic_values={"SampleCount": 3, "Sum": 30, "Minimum": 2, "Maximum": 20}),
        ]
    )
    points = stats(client, when(0), when(4), 60, ExtendedStatistics=["p0", "p50", "p90", "p99.9", "p100"])
    by_minute = {p["Timestamp"]: p["ExtendedStatistics"] for p in points}
    # 10..50 (5 samples): nearest rank for p50 is the 3rd (30), for p90 the 5th (50).
    assert by_minute[when(0)] == {"p0": 10.0, "p50": 30.0, "p90": 50.0, "p99.9": 50.0, "p100": 50.0}
    # 1 x9, 2 x1: 90% of samples are 1.
    assert by_minute[when(1)] == {"p0": 1.0, "p50": 1.0, "p90": 1.0, "p99.9": 2.0, "p100": 2.0}
    assert by_minute[when(2)]["p50"] == 7.0
    assert when(3) not in by_minute  # AWS has no percentiles for that statistic set


def test_statistics_limits_and_parameter_errors(cw: Any) -> None:
    client = cw([datum(0, value=1)])
    with pytest.raises(ClientError) as err:
        stats(client, when(0), when(0) + timedelta(days=2), 60)
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert "You have requested up to 2,880 datapoints, which exceeds the limit of 1,440" in str(err.value)
    assert len(stats(client, when(0), when(0) + timedelta(days=1), 60)) == 1  # exactly 1,440 is allowed
    with pytest.raises(ClientError) as err:
        stats(client, when(0), when(5), 60, ExtendedStatistics=["p50"], Statistics=["Sum"])
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as err:
        stats(client, when(0), when(5), 45)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as err:
        stats(client, when(5), when(0), 60)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as err:
        stats(client, when(0), when(5), 60, ExtendedStatistics=["p101"])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ReplayUnsupported, match="TM"):
        stats(client, when(0), when(5), 60, ExtendedStatistics=["TM(10%:90%)"])


def test_data_after_now_is_invisible_and_empty_windows_are_empty(cw: Any) -> None:
    client = cw([datum(359, value=1), datum(360.5, value=99)])  # now is 06:00
    points = stats(client, when(355), when(365), 300, Statistics=["Sum"])
    assert [(p["Timestamp"], p["Sum"]) for p in points] == [(when(355), 1.0)]
    assert stats(client, when(100), when(200), 60) == []


# --- GetMetricData (MetricStat) -------------------------------------------------------------------


def data(
    client: Any, queries: list[dict[str, Any]], start: datetime, end: datetime, **extra: Any
) -> dict[str, Any]:
    return client.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end, **extra)


def test_metric_data_defaults_newest_first_with_metric_name_label(cw: Any) -> None:
    client = cw([datum(0, value=1), datum(1, value=2), datum(1.5, value=4), datum(3, value=8)])
    answer = data(client, [mdq("m1"), mdq("m2", "Maximum", Label="peak", ReturnData=True)], when(0), when(5))
    first, second = answer["MetricDataResults"]
    assert first["Id"] == "m1"
    assert first["Label"] == "Latency"
    assert first["Timestamps"] == [when(3), when(1), when(0)]  # gaps stay gaps
    assert first["Values"] == [8.0, 6.0, 1.0]
    assert first["StatusCode"] == "Complete"
    assert (second["Label"], second["Values"]) == ("peak", [8.0, 4.0, 1.0])
    assert "NextToken" not in answer
    ascending = data(client, [mdq("m1")], when(0), when(5), ScanBy="TimestampAscending")
    assert ascending["MetricDataResults"][0]["Values"] == [1.0, 6.0, 8.0]


def test_metric_data_return_data_false_and_unit_filter(cw: Any) -> None:
    client = cw([datum(0, value=1, unit="Count"), datum(0, value=5, unit="Percent")])
    answer = data(
        client, [mdq("hidden", ReturnData=False), mdq("pct", unit="Percent"), mdq("all")], when(0), when(1)
    )
    assert [(r["Id"], r["Values"]) for r in answer["MetricDataResults"]] == [("pct", [5.0]), ("all", [6.0])]


def test_metric_data_percentile_and_sample_count(cw: Any) -> None:
    client = cw([datum(0, values=[1, 2, 3, 4], counts=[1, 1, 1, 7]), datum(5, values=[1, -1])])
    answer = data(client, [mdq("p", "p50", 300), mdq("n", "SampleCount", 300)], when(0), when(10))
    p, n = answer["MetricDataResults"]
    assert (p["Timestamps"], p["Values"]) == ([when(0)], [4.0])  # negative values: no percentile
    assert n["Values"] == [2.0, 10.0]


def test_metric_data_paginates_by_max_datapoints(cw: Any) -> None:
    client = cw(
        [datum(m, value=m + 1) for m in range(3)]
        + [datum(m, metric="Errors", value=10 * m) for m in range(3)]
    )
    queries = [mdq("lat"), mdq("err", metric="Errors")]
    first = data(client, queries, when(0), when(3), MaxDatapoints=2)
    assert [(r["Values"], r["StatusCode"]) for r in first["MetricDataResults"]] == [
        ([3.0, 2.0], "PartialData"),
        ([], "PartialData"),
    ]
    second = data(client, queries, when(0), when(3), MaxDatapoints=2, NextToken=first["NextToken"])
    assert [(r["Values"], r["StatusCode"]) for r in second["MetricDataResults"]] == [
        ([1.0], "Complete"),
        ([20.0], "PartialData"),
    ]
    third = data(client, queries, when(0), when(3), MaxDatapoints=2, NextToken=second["NextToken"])
    assert [(r["Values"], r["StatusCode"]) for r in third["MetricDataResults"]] == [
        ([], "Complete"),
        ([10.0, 0.0], "Complete"),
    ]
    assert "NextToken" not in third
    with pytest.raises(ClientError) as err:
        data(client, queries, when(0), when(4), MaxDatapoints=2, NextToken=first["NextToken"])
    assert err.value.response["Error"]["Code"] == "InvalidNextToken"


def test_metric_data_validation_errors(cw: Any) -> None:
    client = cw([datum(0, value=1)])
    cases = [
        [mdq("m1"), mdq("m1")],  # duplicate id
        [mdq("M1")],  # ids start with a lowercase letter
        [mdq("m1", "Median")],  # no such statistic
        [mdq("m1", period=45)],
        [{"Id": "m1"}],
    ]
    for queries in cases:
        with pytest.raises(ClientError) as err:
            data(client, queries, when(0), when(5))
        assert err.value.response["Error"]["Code"] == "ValidationError", queries
    with pytest.raises(ClientError):
        data(client, [mdq("m1")], when(5), when(0))
    with pytest.raises(ReplayUnsupported, match="Metrics Insights"):
        data(
            client,
            [{"Id": "q", "Expression": "SELECT AVG(Latency) FROM App", "Period": 60}],
            when(0),
            when(5),
        )
    with pytest.raises(ReplayUnsupported, match="dynamic labels"):
        data(client, [mdq("m1", Label="${MAX}")], when(0), when(5))


def test_metric_data_twenty_queries_over_200k_datapoints_under_a_second(tmp_path: Path) -> None:
    services = 20
    per_service = 10_000
    with (tmp_path / "metrics.jsonl").open("w") as out:
        for i in range(per_service):
            stamp = (T0 + timedelta(seconds=i)).isoformat().replace("+00:00", "Z")
            for s in range(services):
                line = {
                    "namespace": "App",
                    "metric": "Latency",
                    "dimensions": {"Service": f"s{s}"},
                    "timestamp": stamp,
                    "value": float(i % 100),
                }
                out.write(json.dumps(line) + "\n")
    (tmp_path / "manifest.json").write_text(json.dumps(BASE_MANIFEST))
    session, _ = replay_session(Bundle.load(tmp_path, validate=False))
    client = session.client("cloudwatch")
    queries = [
        mdq(f"q{s}", "p90" if s % 2 else "Average", 300, dims=[{"Name": "Service", "Value": f"s{s}"}])
        for s in range(services)
    ]
    data(client, queries[:1], when(0), when(1))  # loads the table once
    began = time.perf_counter()
    answer = data(client, queries, when(0), when(180))
    elapsed = time.perf_counter() - began
    assert elapsed < 1.0, f"GetMetricData took {elapsed:.2f}s"
    first, second = answer["MetricDataResults"][:2]
    assert len(first["Values"]) == 34  # 10,000 s of data in 300 s buckets
    # Bucket 00:00-00:05 holds values 0..99 thrice: average 49.5, p90 89.
    assert first["Values"][-1] == 49.5
    assert second["Values"][-1] == 89.0


# --- ListMetrics ----------------------------------------------------------------------------------


def test_list_metrics_filters(cw: Any) -> None:
    client = cw(
        [
            datum(300, value=1),
            datum(300, dims={"Service": "api", "AZ": "a"}, value=1),
            datum(300, metric="Errors", dims={"Service": "web"}, value=1),
            {"namespace": "Other", "metric": "Latency", "dimensions": {}, "timestamp": at(300), "value": 1},
        ]
    )

    def listed(**kw: Any) -> list[tuple[str, str, dict[str, str]]]:
        metrics = client.list_metrics(**kw)["Metrics"]
        return [
            (m["Namespace"], m["MetricName"], {d["Name"]: d["Value"] for d in m["Dimensions"]})
            for m in metrics
        ]

    assert len(listed()) == 4
    assert listed(Namespace="Other") == [("Other", "Latency", {})]
    assert [m[1] for m in listed(Namespace="App", MetricName="Errors")] == ["Errors"]
    # A name-only filter matches any value, and metrics with more dimensions still match.
    assert sorted(
        m[2].get("AZ", "-") for m in listed(Dimensions=[{"Name": "Service"}], MetricName="Latency")
    ) == [
        "-",
        "a",
    ]
    assert listed(Dimensions=[{"Name": "AZ", "Value": "a"}]) == [
        ("App", "Latency", {"AZ": "a", "Service": "api"})
    ]
    assert listed(Dimensions=[{"Name": "Service", "Value": "nope"}]) == []


def test_list_metrics_recently_active_and_two_week_horizon(cw: Any) -> None:
    client = cw(
        [
            datum(360 - 150, metric="Fresh", value=1),  # 2.5 h before now
            datum(360 - 200, metric="Stale", value=1),  # 3h20m before now
            datum(361, metric="Future", value=1),  # after now: not yet published
            datum(0, metric="Old", value=1),
        ],
        start="2024-04-10T00:00:00Z",
    )
    client_old = cw([{**datum(0, metric="Ancient", value=1), "timestamp": "2024-04-15T00:00:00Z"}])
    names = sorted(m["MetricName"] for m in client.list_metrics()["Metrics"])
    assert names == ["Fresh", "Old", "Stale"]
    recent = client.list_metrics(RecentlyActive="PT3H")["Metrics"]
    assert [m["MetricName"] for m in recent] == ["Fresh"]
    assert client_old.list_metrics()["Metrics"] == []  # 16 days without data


def test_list_metrics_pages_of_500(cw: Any) -> None:
    client = cw([datum(300, dims={"Host": f"h{i:03d}"}, value=1) for i in range(501)])
    first = client.list_metrics(Namespace="App")
    assert len(first["Metrics"]) == 500
    second = client.list_metrics(Namespace="App", NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 1
    assert "NextToken" not in second
    hosts = {m["Dimensions"][0]["Value"] for m in first["Metrics"] + second["Metrics"]}
    assert len(hosts) == 501
    with pytest.raises(ClientError) as err:
        client.list_metrics(Namespace="Other", NextToken=first["NextToken"])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_bundle_files_with_epoch_or_offset_timestamps(tmp_path: Path) -> None:
    lines = [
        {"namespace": "App", "metric": "Latency", "timestamp": 1714521600, "value": 1},  # epoch seconds
        {"namespace": "App", "metric": "Latency", "timestamp": 1714521660000, "value": 2},  # epoch ms
        {"namespace": "App", "metric": "Latency", "timestamp": "2024-05-01T02:02:00+02:00", "value": 4},
    ]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    (tmp_path / "manifest.json").write_text(json.dumps(BASE_MANIFEST))
    session, _ = replay_session(Bundle.load(tmp_path))
    points = stats(session.client("cloudwatch"), when(0), when(5), 60, Statistics=["Sum"], Dimensions=[])
    assert [(p["Timestamp"], p["Sum"]) for p in points] == [(when(0), 1.0), (when(1), 2.0), (when(2), 4.0)]


def test_other_extended_statistics_are_unsupported(cw: Any) -> None:
    client = cw([datum(0, value=1)])
    with pytest.raises(ReplayUnsupported, match="tm99"):
        data(client, [mdq("m1", "tm99")], when(0), when(5))
    with pytest.raises(ReplayUnsupported, match="IQM"):
        data(client, [mdq("m1", "IQM")], when(0), when(5))


def test_metric_data_reads_many_metrics_at_once_as_each_would_be_read_alone(cw: Any) -> None:
    """GetMetricData reads its MetricStat queries together (one query per period, unit and kind of
    statistic): each metric's answer is what it would be asked alone, the same dimension set still
    matched exactly and a unit filter kept to its own query."""
    points = [
        datum(m, "Latency", values=[float(m % 7), float(m % 3 + 10)], counts=[2.0, 1.0], unit="Milliseconds")
        for m in range(0, 300, 1)
    ]
    points += [datum(m, "Errors", value=float(m % 4), unit="Count") for m in range(0, 300, 2)]
    points += [
        datum(m, "Errors", {"Service": "api", "Az": "a"}, value=5.0, unit="Count") for m in range(0, 300, 2)
    ]
    points += [
        datum(m, "Latency", {"Service": "web"}, value=float(m), unit="Seconds") for m in range(0, 300, 3)
    ]
    client = cw(points)

    def query(
        qid: str, metric: str, stat: str, period: int, dims: list[dict[str, str]], unit: str | None = None
    ) -> dict[str, Any]:
        ms: dict[str, Any] = {
            "Metric": {"Namespace": "App", "MetricName": metric, "Dimensions": dims},
            "Period": period,
            "Stat": stat,
        }
        if unit:
            ms["Unit"] = unit
        return {"Id": qid, "MetricStat": ms}

    web = [{"Name": "Service", "Value": "web"}]
    queries = [
        query("lat_avg", "Latency", "Average", 300, API),
        query("lat_p90", "Latency", "p90", 300, API),
        query("err_sum", "Errors", "Sum", 300, API),
        query("err_sum_1m", "Errors", "Sum", 60, API),
        query("web_max", "Latency", "Maximum", 300, web),
        query("web_ms", "Latency", "Maximum", 300, web, unit="Milliseconds"),
        query("missing", "Throttles", "Sum", 300, API),
    ]

    def ask(qs: list[dict[str, Any]]) -> dict[str, tuple[list[Any], list[Any]]]:
        answer = client.get_metric_data(MetricDataQueries=qs, StartTime=when(0), EndTime=when(300))
        return {r["Id"]: (r["Timestamps"], r["Values"]) for r in answer["MetricDataResults"]}

    together = ask(queries)
    alone = {q["Id"]: ask([q])[q["Id"]] for q in queries}
    assert together == alone
    assert together["err_sum"][1] and together["lat_p90"][1] and together["web_max"][1]
    # Exact dimension sets (the Az series is not the API's) and exact units (web publishes seconds).
    # Newest first: the last five minutes hold the API's errors at minutes 296 and 298 only.
    assert together["err_sum"][1][0] == sum(m % 4 for m in range(0, 300, 2) if m >= 295)
    assert together["web_ms"] == ([], []) and together["missing"] == ([], [])
    # And what GetMetricStatistics, which reads each metric alone, answers for the same buckets.
    alone_stats = client.get_metric_statistics(
        Namespace="App",
        MetricName="Errors",
        Dimensions=API,
        StartTime=when(0),
        EndTime=when(300),
        Period=300,
        Statistics=["Sum"],
    )["Datapoints"]
    by_time = {d["Timestamp"]: d["Sum"] for d in alone_stats}
    assert dict(zip(*together["err_sum"], strict=True)) == by_time
