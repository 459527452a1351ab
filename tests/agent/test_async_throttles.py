"""A function invoked asynchronously is throttled at a reservation set long before: Lambda's event queue
holds the throttled events and retries them for up to the function's maximum event age, so the work is
delayed, not lost. That is the cap doing its job, unless Lambda dropped events or the function fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.investigate import offline
from tests.agent.triggers.conftest import alarm_event
from tests.conftest import make_bundle
from tests.tools.test_resources import res

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
FN = "statement-render"
BURST = range(280, 292)  # a bulk upload's events arrive at 04:40 and are worked off by 04:52


def _series(metric: str, value: Callable[[int], float]) -> list[dict[str, Any]]:
    return [
        {
            "namespace": "AWS/Lambda",
            "metric": metric,
            "dimensions": {"FunctionName": FN},
            "timestamp": (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": float(value(m)),
        }
        for m in range(360)
    ]


def _bundle(dropped: bool = False, invoked_async: bool = True) -> Any:
    metrics = (
        _series("Throttles", lambda m: 900 + 40 * (m % 5) if m in BURST else 0)
        + _series("Invocations", lambda m: 600 if m in BURST else 20 + m % 3)
        + _series("Errors", lambda m: 0)
        + _series("AsyncEventsDropped", lambda m: 120 if dropped and m in BURST else 0)
    )
    if invoked_async:
        metrics += _series("AsyncEventsReceived", lambda m: 1500 if m in BURST else 20 + m % 3)
    alarm = {
        "AlarmName": f"{FN}-throttles",
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{FN}-throttles",
        "StateValue": "ALARM",
        "StateReason": "Threshold Crossed: 1 datapoint [4500.0] was greater than the threshold (100.0).",
        "StateUpdatedTimestamp": "2024-05-01T04:45:00Z",
        "Namespace": "AWS/Lambda",
        "MetricName": "Throttles",
        "Dimensions": [{"Name": "FunctionName", "Value": FN}],
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": 100.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }
    resources = [
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": FN,
                "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{FN}",
                "Runtime": "python3.12",
                "State": "Active",
                # a code deploy an hour before: it does not set the reservation
                "LastModified": "2024-05-01T03:40:00.000+0000",
            },
        ),
        res("lambda", "FunctionConcurrency", {"FunctionName": FN, "ReservedConcurrentExecutions": 10}),
    ]
    return make_bundle(
        {"resources": resources, "metrics": metrics, "alarms": [alarm]},
        trigger={
            "alarm_event": alarm_event(
                f"{FN}-throttles",
                {"FunctionName": FN},
                T0 + timedelta(minutes=285),
                namespace="AWS/Lambda",
                metric="Throttles",
            )
        },
    )


def test_throttles_an_event_queue_retries_at_a_standing_reservation_are_no_fault() -> None:
    report = offline(_bundle())
    assert any("invoked_async" in e.signals and e.resource == FN for e in report.evidence)
    assert report.verdict == "no_fault", report.summary
    assert "reserved concurrency" in report.summary and "delayed, not lost" in report.summary


def test_events_lambda_dropped_are_work_lost() -> None:
    report = offline(_bundle(dropped=True))
    assert any("error_rate_up" in e.signals and "AsyncEventsDropped" in e.summary for e in report.evidence)
    assert report.verdict != "no_fault", report.summary


def test_a_function_its_callers_wait_on_is_not_excused() -> None:
    """Called synchronously, the throttle is what its callers get."""
    report = offline(_bundle(invoked_async=False))
    assert not any("invoked_async" in e.signals for e in report.evidence)
    assert report.verdict != "no_fault", report.summary
