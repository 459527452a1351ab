"""Replayed responses are checked against botocore's output shapes, long metric series included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from evals.bundle.shapes import ShapeError, service_model, validate_output

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def _answer(values: list[object], stamps: list[object]) -> dict[str, object]:
    return {
        "MetricDataResults": [
            {"Id": "q0", "Label": "Latency", "Timestamps": stamps, "Values": values, "StatusCode": "Complete"}
        ],
        "Messages": [],
    }


def test_a_long_series_of_numbers_and_times_passes_and_a_wrong_item_in_it_is_named() -> None:
    op = service_model("cloudwatch").operation_model("GetMetricData")
    stamps: list[object] = [T0 + timedelta(minutes=i) for i in range(5000)]
    values: list[object] = [float(i) for i in range(5000)]
    validate_output(op, _answer(values, stamps))
    values[4321] = "slow"
    with pytest.raises(ShapeError, match=r"Values\[4321\]"):
        validate_output(op, _answer(values, stamps))
    stamps[7] = "not a time"
    with pytest.raises(ShapeError, match=r"Timestamps\[7\]"):
        validate_output(op, _answer([1.0] * 5000, stamps))
