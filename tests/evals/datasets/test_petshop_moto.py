"""Cross-check the adapter's Requests datapoints against moto: the same data put into CloudWatch over HTTP.

moto keeps only single-value datapoints (it fails on GetMetricData over `Values`/`Counts` datapoints and
has no percentiles), so the latency and availability distributions cannot be compared there; the
request counts, one value per period, can.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from evals.datasets.petshop import list_cases, to_bundle
from evals.datasets.petshop_files import read_metrics
from evals.replay import replay_session
from tests.evals.datasets.checks import DATA, NAMESPACE, needs_data

pytestmark = [needs_data, pytest.mark.moto]


def _query(stat: str, period: int, dims: dict[str, str], n: int) -> dict[str, Any]:
    return {
        "Id": f"q{n}",
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": "Requests",
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            },
            "Period": period,
            "Stat": stat,
        },
    }


@pytest.mark.parametrize("period", [300, 600])
def test_request_counts_match_moto(moto_session: Callable[[str], Any], period: int) -> None:
    case = list_cases(DATA / "high_traffic")[0]
    bundle = to_bundle(case)
    now = bundle.manifest.now
    # The issue's own periods (normal operation comes before them as history): moto has no clock, so it
    # gets only the datapoints that exist at the bundle's `now`.
    first = datetime.fromtimestamp(read_metrics(case.metrics_path).timestamps[0], UTC)
    points = [
        p
        for p in bundle.records("metrics")
        if p["metric"] == "Requests"
        and p["dimensions"].get("Service") in ("PetSite", "PetSearch")
        and first <= datetime.fromisoformat(p["timestamp"]) <= now
    ]
    moto = moto_session("cloudwatch")
    for p in points:
        moto.put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                {
                    "MetricName": "Requests",
                    "Dimensions": [{"Name": k, "Value": v} for k, v in p["dimensions"].items()],
                    "Timestamp": datetime.fromisoformat(p["timestamp"]),
                    "Value": p["value"],
                    "Unit": "Count",
                }
            ],
        )
    dims = [{"Service": "PetSite"}, {"Service": "PetSearch", "Type": "AWS::ECS::Fargate"}]
    queries = [
        _query(stat, period, d, n)
        for n, (stat, d) in enumerate(
            (s, d) for s in ("Sum", "Average", "SampleCount", "Maximum") for d in dims
        )
    ]
    assert len(points) == 3 * 4  # PetSite, PetSearch and its client node; four periods begun by 01:57
    request = {
        "MetricDataQueries": queries,
        "StartTime": first,
        "EndTime": now,
        "ScanBy": "TimestampAscending",
    }
    session, _ = replay_session(bundle)
    replayed = session.client("cloudwatch").get_metric_data(**request)["MetricDataResults"]
    expected = moto.get_metric_data(**request)["MetricDataResults"]
    assert len(replayed) == len(expected) == 8
    for ours, theirs in zip(replayed, expected, strict=True):
        assert ours["Id"] == theirs["Id"]
        assert [t.timestamp() for t in ours["Timestamps"]] == [t.timestamp() for t in theirs["Timestamps"]]
        assert ours["Values"] == pytest.approx(theirs["Values"])
        assert ours["Values"]  # something to compare
