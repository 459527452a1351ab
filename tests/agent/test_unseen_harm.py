"""People report that something stopped arriving and nothing read shows it: the telemetry cannot see
this harm, so the answer is inconclusive with the changes found as leads, never an all-clear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.investigate import offline
from agent.scope import from_trigger
from tests.conftest import make_bundle
from tests.evals.test_scoring_diagnosis import trail
from tests.tools.test_resources import res

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)


def test_never_receiving_something_is_a_flow_that_stopped() -> None:
    now = T0 + timedelta(hours=8)
    said = "Suppliers are ringing to say they never got this morning's purchase orders."
    assert "flow_stopped" in from_trigger(said, None, now).symptoms
    assert "flow_stopped" not in from_trigger("The export never failed before today", None, now).symptoms
    dashboard = "The sales dashboard has shown zero orders for every hour since about 10am"
    assert "flow_stopped" in from_trigger(dashboard, None, now).symptoms
    assert "flow_stopped" not in from_trigger("errors dropped to zero after the rollback", None, now).symptoms


def _bundle(question: str) -> Any:
    # A function that runs every 5 minutes, healthy throughout; an edit to its event source at 04:50.
    metrics = [
        {
            "namespace": "AWS/Lambda",
            "metric": metric,
            "dimensions": {"FunctionName": "order-notifier"},
            "timestamp": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": value,
        }
        for minute in range(0, 360, 5)
        for metric, value in (("Invocations", 12.0 + minute % 3), ("Errors", 0.0))
    ]
    change = trail(
        "8b1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e21",
        "2024-05-01T04:50:00Z",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/terraform-apply/ci",
        "UpdateEventSourceMapping20150331",
        {"uUID": "ff4f1fac-b0ee-473f-85c7-64922e274fab", "functionName": "order-notifier"},
    )
    change["eventSource"] = "lambda.amazonaws.com"
    function = res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": "order-notifier",
            "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:order-notifier",
            "Runtime": "python3.12",
            "State": "Active",
        },
    )
    return make_bundle(
        {"resources": [function], "metrics": metrics, "cloudtrail": [change]},
        trigger={"question": question},
    )


def test_a_reported_stop_nothing_shows_is_a_gap_not_an_all_clear() -> None:
    report = offline(_bundle("Since about 05:00 customers aren't getting their delivery notifications."))
    assert report.verdict == "inconclusive", report.summary
    assert "does not show" in report.summary
    assert report.hypotheses and report.hypotheses[0].confidence < 0.5


def test_a_question_about_telemetry_that_is_normal_still_gets_an_all_clear() -> None:
    report = offline(_bundle("order-notifier looked odd around 05:00, is anything wrong with it?"))
    assert report.verdict == "no_fault", report.summary
