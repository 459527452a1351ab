"""Analyzers that decide on their own: an alarm condition never met, a series that appears from zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.analyzers.metrics import from_key_metrics
from agent.analyzers.state import from_alarm_condition
from agent.scope import from_trigger
from tools.alarms import AlarmInfo, MetricRef
from tools.metrics import KeyMetrics, MetricFinding
from tools.series import summarize

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def scaling_alarm(threshold: float, needed: int) -> AlarmInfo:
    return AlarmInfo(
        name="asg-cpu-high",
        kind="metric",
        state="OK",
        metric=MetricRef(
            namespace="AWS/EC2",
            metric="CPUUtilization",
            dimensions={"AutoScalingGroupName": "web"},
            stat="Average",
            period_s=300,
        ),
        threshold=threshold,
        comparison="GreaterThanThreshold",
        evaluation_periods=needed,
        datapoints_to_alarm=needed,
    )


def test_an_alarm_whose_condition_was_never_met_is_evidence_the_group_could_not_scale() -> None:
    stamps = [T0 + timedelta(minutes=5 * i) for i in range(12)]
    values = [40, 45, 72, 78, 79, 76, 81, 77, 79, 74, 60, 50]  # over 80 once, never for 3 in a row
    draft = from_alarm_condition("web", scaling_alarm(80, 3), stamps, values, T0)
    assert draft is not None
    assert draft.signals == ["alarm_threshold_not_met", "asg_no_scaling"]
    assert draft.facts["best_run"] == 1
    assert "never fired" in draft.summary
    assert from_alarm_condition("web", scaling_alarm(70, 3), stamps, values, T0) is None  # it did fire


def test_a_count_that_appears_from_nothing_is_a_rise() -> None:
    stamps = [T0 + timedelta(minutes=i) for i in range(50, 60)]
    stats = summarize(
        stamps, [float(v) for v in (3, 7, 12, 9, 15, 11, 8, 13, 10, 9)], T0 + timedelta(minutes=30)
    )
    finding = MetricFinding(
        resource="orders",
        kind="dynamodb_table",
        namespace="AWS/DynamoDB",
        metric="WriteThrottleEvents",
        dimensions={"TableName": "orders"},
        stat="Sum",
        stats=stats,
    )
    drafts = from_key_metrics(KeyMetrics(findings=[finding], scanned=1))
    assert [d.signals for d in drafts] == [["throttled"]]
    assert drafts[0].facts["appeared"] is True


def test_scaling_questions_are_recognised() -> None:
    now = T0 + timedelta(hours=2)
    for q in (
        "Why didn't the ASG scale out?",
        "we stayed at 3 instances, isn't autoscaling supposed to handle this?",
    ):
        assert "no_scaling" in from_trigger(q, None, now).symptoms
