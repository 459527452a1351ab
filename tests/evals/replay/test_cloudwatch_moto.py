"""Cross-check CloudWatch replay against moto's server over HTTP, where moto follows AWS.

Where moto departs from the AWS documentation we do not compare (and do not copy moto):
- GetMetricStatistics: moto starts its buckets at the first datapoint, AWS at the (rounded) StartTime; the
  data here starts exactly at StartTime so both agree. moto has no percentiles (it crashes on pNN in
  GetMetricData and returns empty ExtendedStatistics).
- GetMetricData labels: moto answers "<MetricName> <Stat>"; replay answers the metric name.
- DescribeAlarms: moto ignores MaxRecords, matches ActionPrefix against AlarmActions only (AWS: any
  action), and has no composite alarms; DescribeAlarmHistory and DescribeAlarmsForMetric differ too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from evals.bundle.items import check_alarm

pytestmark = pytest.mark.moto

T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
API = [{"Name": "Service", "Value": "api"}]


def when(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def seed(
    moto: Any, points: list[tuple[str, list[dict[str, str]], float, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Put (metric, dimensions, minute, value form) into moto; return the same as bundle datapoints."""
    moto.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": metric, "Dimensions": dims, "Timestamp": when(minute), "Unit": "Count", **form}
            for metric, dims, minute, form in points
        ],
    )
    records = []
    for metric, dims, minute, form in points:
        record: dict[str, Any] = {
            "namespace": "App",
            "metric": metric,
            "dimensions": {d["Name"]: d["Value"] for d in dims},
            "timestamp": when(minute).isoformat().replace("+00:00", "Z"),
            "unit": "Count",
        }
        if "Value" in form:
            record["value"] = form["Value"]
        elif "Values" in form:
            record["values"] = form["Values"]
            record["counts"] = form.get("Counts")
        else:
            record["statistic_values"] = form["StatisticValues"]
        records.append({k: v for k, v in record.items() if v is not None})
    return records


POINTS: list[tuple[str, list[dict[str, str]], float, dict[str, Any]]] = [
    *[("Latency", API, m, {"Value": float((m * 7) % 5 + m)}) for m in range(10)],
    ("Latency", API, 1.5, {"Values": [1.0, 5.0, 9.0], "Counts": [2.0, 1.0, 3.0]}),
    ("Latency", API, 4.25, {"StatisticValues": {"SampleCount": 4, "Sum": 40, "Minimum": 2, "Maximum": 20}}),
    *[("Errors", API, m, {"Value": float(m % 3)}) for m in range(0, 10, 2)],
    ("Latency", [{"Name": "Service", "Value": "web"}], 0, {"Value": 123.0}),
]


@pytest.fixture
def both(moto_session: Callable[[str], Any], replay: Callable[..., Any]) -> tuple[Any, Any]:
    moto = moto_session("cloudwatch")
    records = seed(moto, POINTS)
    session, _ = replay({"metrics": records})
    return moto, session.client("cloudwatch")


def normal(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = [{**p, "Timestamp": p["Timestamp"].astimezone(UTC)} for p in points]
    return sorted(out, key=lambda p: p["Timestamp"])


@pytest.mark.parametrize("period", [60, 120, 300])
def test_get_metric_statistics_matches_moto(both: tuple[Any, Any], period: int) -> None:
    moto, replayed = both
    request = {
        "Namespace": "App",
        "MetricName": "Latency",
        "Dimensions": API,
        "StartTime": when(0),
        "EndTime": when(10),
        "Period": period,
        "Statistics": ["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
    }
    expected = normal(moto.get_metric_statistics(**request)["Datapoints"])
    got = normal(replayed.get_metric_statistics(**request)["Datapoints"])
    assert len(got) == len(expected) > 0
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.keys() == theirs.keys()
        assert (mine["Timestamp"], mine["Unit"]) == (theirs["Timestamp"], theirs["Unit"])
        numbers = [k for k in mine if isinstance(mine[k], float)]
        assert {k: mine[k] for k in numbers} == pytest.approx({k: theirs[k] for k in numbers})


@pytest.mark.parametrize("scan", ["TimestampDescending", "TimestampAscending"])
def test_get_metric_data_matches_moto(both: tuple[Any, Any], scan: str) -> None:
    moto, replayed = both
    queries = [
        {
            "Id": f"q{n}",
            "MetricStat": {
                "Metric": {"Namespace": "App", "MetricName": metric, "Dimensions": API},
                "Period": period,
                "Stat": stat,
            },
        }
        for n, (metric, period, stat) in enumerate(
            [
                ("Latency", 60, "Sum"),
                ("Latency", 120, "Average"),
                ("Latency", 180, "Minimum"),
                ("Latency", 300, "Maximum"),
                ("Latency", 60, "SampleCount"),
                ("Errors", 120, "Sum"),
            ]
        )
    ]
    request = {"MetricDataQueries": queries, "StartTime": when(0), "EndTime": when(10), "ScanBy": scan}
    expected = moto.get_metric_data(**request)["MetricDataResults"]
    got = replayed.get_metric_data(**request)["MetricDataResults"]
    assert [r["Id"] for r in got] == [r["Id"] for r in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert [t.astimezone(UTC) for t in mine["Timestamps"]] == [
            t.astimezone(UTC) for t in theirs["Timestamps"]
        ]
        assert mine["Values"] == pytest.approx(theirs["Values"])
        assert mine["StatusCode"] == theirs["StatusCode"] == "Complete"


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"Namespace": "App"},
        {"MetricName": "Errors"},
        {"Dimensions": [{"Name": "Service"}]},
        {"Dimensions": [{"Name": "Service", "Value": "web"}]},
        {"Dimensions": [{"Name": "AZ"}]},
    ],
)
def test_list_metrics_matches_moto(both: tuple[Any, Any], filters: dict[str, Any]) -> None:
    moto, replayed = both

    def listed(client: Any) -> set[tuple[str, str, frozenset[tuple[str, str]]]]:
        return {
            (m["Namespace"], m["MetricName"], frozenset((d["Name"], d["Value"]) for d in m["Dimensions"]))
            for m in client.list_metrics(**filters)["Metrics"]
        }

    assert listed(replayed) == listed(moto)


def _jsonable(value: Any) -> Any:
    return json.loads(
        json.dumps(value, default=lambda v: v.astimezone(UTC).isoformat().replace("+00:00", "Z"))
    )


def test_describe_alarms_matches_moto(moto_session: Callable[[str], Any], replay: Callable[..., Any]) -> None:
    moto = moto_session("cloudwatch")
    oncall = "arn:aws:sns:us-east-1:123456789012:oncall"
    for name, dims, actions in [
        ("api-high", API, {"AlarmActions": [oncall]}),
        ("api-low", API, {"AlarmActions": [oncall + "-low"]}),
        ("bare", [], {}),
        (
            "web-high",
            [{"Name": "Service", "Value": "web"}],
            {"AlarmActions": ["arn:aws:sns:us-east-1:123456789012:web"]},
        ),
    ]:
        moto.put_metric_alarm(
            AlarmName=name,
            Namespace="App",
            MetricName="Latency",
            Dimensions=dims,
            Statistic="Average",
            Period=60,
            EvaluationPeriods=2,
            Threshold=100.0,
            ComparisonOperator="GreaterThanThreshold",
            **actions,
        )
    moto.set_alarm_state(AlarmName="api-high", StateValue="ALARM", StateReason="latency")
    alarms = [_jsonable(a) for a in moto.describe_alarms()["MetricAlarms"]]
    for alarm in alarms:
        check_alarm(alarm)
    session, _ = replay({"alarms": alarms})
    replayed = session.client("cloudwatch")
    for filters in [
        {},
        {"AlarmNamePrefix": "api-"},
        {"AlarmNames": ["bare", "web-high", "nope"]},
        {"StateValue": "ALARM"},
        {"StateValue": "INSUFFICIENT_DATA"},
        {"ActionPrefix": oncall},
    ]:
        theirs = moto.describe_alarms(**filters)["MetricAlarms"]
        mine = replayed.describe_alarms(**filters)["MetricAlarms"]
        assert [a["AlarmName"] for a in mine] == sorted(a["AlarmName"] for a in theirs), filters
        for a, b in zip(mine, sorted(theirs, key=lambda x: x["AlarmName"]), strict=True):
            assert a == b, filters
