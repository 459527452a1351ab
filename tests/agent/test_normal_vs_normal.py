"""Normal against normal: an alarm the asker names is the symptom even after it recovered, and what the
same hours of an earlier day showed too is that time of day's normal, not an incident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers import Draft
from agent.analyzers.metrics import same_as_before
from agent.investigate import offline
from tests.agent.triggers.conftest import alarm_event
from tests.conftest import make_bundle

FUNCTION = "statement-render"
NOW = datetime(2024, 7, 13, 12, 0, tzinfo=UTC)
FIRST_DAY = datetime(2024, 7, 10, tzinfo=UTC)


def _point(metric: str, at: datetime, value: float) -> dict[str, Any]:
    return {
        "namespace": "AWS/Lambda",
        "metric": metric,
        "dimensions": {"FunctionName": FUNCTION},
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "unit": "Count",
        "statistic_values": {"SampleCount": 1.0, "Sum": value, "Minimum": value, "Maximum": value},
    }


def _nightly_bundle(nights: list[datetime]) -> Any:
    """A function throttled from 07:00 to 07:10 on each of `nights`, invoked at the same time every
    day, and an alarm on its throttles that went off on each of those nights and recovered."""
    metrics: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    day = FIRST_DAY
    while day <= NOW:
        burst = day.replace(hour=7)
        for minute in range(0, 15):
            at = burst + timedelta(minutes=minute)
            if at < NOW:
                metrics.append(_point("Invocations", at, 100.0 + minute))
                if day in nights and minute <= 10:
                    metrics.append(_point("Throttles", at, 1500.0 + 10 * minute))
        for hour in range(24):
            at = day + timedelta(hours=hour, minutes=30)
            if at < NOW:
                metrics.append(_point("Errors", at, 0.0))
        day += timedelta(days=1)
    for night in nights:
        for at, text in (
            (night.replace(hour=7, minute=5), "OK to ALARM"),
            (night.replace(hour=7, minute=16), "ALARM to OK"),
        ):
            history.append(
                {
                    "AlarmName": "statement-render-throttles",
                    "AlarmType": "MetricAlarm",
                    "Timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {text}",
                }
            )
    alarm = {
        "AlarmName": "statement-render-throttles",
        "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:statement-render-throttles",
        "StateValue": "OK",
        "StateUpdatedTimestamp": nights[-1].replace(hour=7, minute=16).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "MetricName": "Throttles",
        "Namespace": "AWS/Lambda",
        "Statistic": "Sum",
        "Dimensions": [{"Name": "FunctionName", "Value": FUNCTION}],
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }
    return make_bundle(
        {"metrics": metrics, "alarms": [alarm], "alarm_history": history},
        start=FIRST_DAY.isoformat(),
        end=NOW.isoformat(),
        now=NOW.isoformat(),
        trigger={
            "question": "The statement render throttles alarm went off again at 7:05 and cleared by itself. "
            "Is something wrong?"
        },
    )


def test_a_named_alarm_that_recovered_is_the_symptom_and_its_nightly_pattern_is_normal() -> None:
    nights = [FIRST_DAY + timedelta(days=d) for d in range(4)]
    report = offline(_nightly_bundle(nights))
    assert any("names alarm statement-render-throttles" in n for n in report.notes)
    assert report.verdict == "no_fault"
    recurring = [e for e in report.evidence if "recurring pattern" in e.summary]
    assert any("Throttles" in e.summary for e in recurring)
    assert any("recurring_alarm" in e.signals for e in report.evidence)


def test_the_first_night_it_fires_is_not_a_pattern() -> None:
    report = offline(_nightly_bundle([NOW.replace(hour=0)]))
    assert any("names alarm statement-render-throttles" in n for n in report.notes)
    assert report.verdict != "no_fault"
    # The daily invocations are still a pattern; the throttling, new tonight, is not.
    recurring = [e for e in report.evidence if "recurring pattern" in e.summary]
    assert any("Invocations" in e.summary for e in recurring)
    assert not any("Throttles" in e.summary for e in recurring)


def _anomaly(extreme: float, baseline: float = 10.0, direction: str = "up") -> Draft:
    return Draft(
        kind="metric_anomaly",
        resource="db-1",
        summary="AWS/RDS CPUUtilization",
        strength=0.8,
        facts={
            "namespace": "AWS/RDS",
            "metric": "CPUUtilization",
            "stat": "Average",
            "direction": direction,
            "baseline": baseline,
            "extreme": extreme,
            "sustained": True,
        },
    )


def test_only_a_departure_as_large_the_same_way_is_the_earlier_days_normal() -> None:
    busy_morning = [_anomaly(95.0)]
    same_as_before(busy_morning, [_anomaly(70.0)], "2024-05-02 (the day before)")
    assert busy_morning[0].facts["sustained"] is False
    assert busy_morning[0].facts["recurs"] == "2024-05-02 (the day before)"
    saturated = [_anomaly(99.0)]
    same_as_before(saturated, [_anomaly(40.0)], "2024-05-02 (the day before)")
    assert saturated[0].facts["sustained"] is True
    assert saturated[0].strength == 0.8
    opposite = [_anomaly(99.0)]
    same_as_before(opposite, [_anomaly(1.0, direction="down")], "2024-05-02 (the day before)")
    assert opposite[0].facts["sustained"] is True


def test_telemetry_advice_fits_the_engine_and_what_was_already_there() -> None:
    from agent.conclude import POSTGRES_INSTEAD, for_what_is_there
    from tools.logs import expected_groups

    slow = "Export the slow query log to CloudWatch Logs"
    assert for_what_is_there(slow, "postgres 16.3", traced=False) == POSTGRES_INSTEAD
    assert for_what_is_there(slow, "aurora-mysql 8.0.mysql_aurora.3.05.2", traced=False) == slow
    tracing = "Distributed tracing across all services (X-Ray or OpenTelemetry)"
    assert for_what_is_there(tracing, "", traced=True) is None
    assert for_what_is_there(tracing, "", traced=False) == tracing
    assert expected_groups("rds_instance", "postgres 16.3") == ["/aws/rds/instance/{id}/postgresql"]
    assert "/aws/rds/cluster/{id}/slowquery" in expected_groups("rds_cluster", "aurora-mysql 8.0")
    assert expected_groups("rds_cluster", None) == expected_groups("rds_cluster", "mysql")


def test_missing_traces_are_named_only_when_the_service_map_was_read_and_empty() -> None:
    from agent.nodes import NO_TRACES
    from evals.scenarios import build

    untraced = offline(_nightly_bundle([NOW.replace(hour=0)]))
    assert NO_TRACES in untraced.observability_gaps
    traced = offline(build("sg-rule-revoked", 1))
    assert any(e.source.tool in ("trace_faults", "service_map") for e in traced.evidence)
    assert NO_TRACES not in traced.observability_gaps
    # The mode's tracing advice is not given where the traces were there to read.
    assert not [g for g in traced.observability_gaps if "X-Ray" in g or "tracing" in g.lower()]


CACHE_NODE = "recs-cache-0001-001"


def _memory_alarm_bundle(slow_from: int | None) -> Any:
    """A cache node's memory climbing past its alarm's 90% from 10:30 while it answers as fast as ever;
    with `slow_from`, its reads also slow down from that minute on."""
    start = NOW - timedelta(hours=6)
    metrics: list[dict[str, Any]] = []

    def node(metric: str, at: datetime, value: float, unit: str) -> dict[str, Any]:
        return {
            "namespace": "AWS/ElastiCache",
            "metric": metric,
            "dimensions": {"CacheClusterId": CACHE_NODE},
            "timestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": unit,
            "statistic_values": {"SampleCount": 1.0, "Sum": value, "Minimum": value, "Maximum": value},
        }

    for minute in range(360):
        at = start + timedelta(minutes=minute)
        memory = 80.0 + (minute % 3) if minute < 270 else 93.0 + (minute % 4)
        metrics.append(node("DatabaseMemoryUsagePercentage", at, memory, "Percent"))
        slow = slow_from is not None and minute >= slow_from
        metrics.append(
            node(
                "GetTypeCmdsLatency", at, 9000.0 + minute % 5 if slow else 180.0 + minute % 9, "Microseconds"
            )
        )
    alarm = {
        "AlarmName": "recs-cache-memory-high",
        "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:recs-cache-memory-high",
        "StateValue": "ALARM",
        "StateUpdatedTimestamp": (start + timedelta(minutes=273)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "MetricName": "DatabaseMemoryUsagePercentage",
        "Namespace": "AWS/ElastiCache",
        "Statistic": "Maximum",
        "Dimensions": [{"Name": "CacheClusterId", "Value": CACHE_NODE}],
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 90.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "missing",
    }
    return make_bundle(
        {"metrics": metrics, "alarms": [alarm]},
        start=start.isoformat(),
        end=NOW.isoformat(),
        now=NOW.isoformat(),
        trigger={"question": "recs-cache-memory-high is in ALARM since about 10:33. What is wrong?"},
    )


def test_an_alarm_on_headroom_with_nothing_users_get_abnormal_is_a_warning_not_a_fault() -> None:
    report = offline(_memory_alarm_bundle(slow_from=None))
    assert report.verdict == "no_fault", report.summary
    assert "an alarm on headroom" in report.summary and "recs-cache-memory-high" in report.summary
    # The same alarm while the node's reads slow down is an incident.
    report = offline(_memory_alarm_bundle(slow_from=240))
    assert report.verdict != "no_fault", report.summary


def _reader_bundle(read_latency_s: float, front_errors: bool = False, paged: bool = False) -> Any:
    """A reader's CPU climbs past 85% for an evening job while its reads take `read_latency_s` at most
    (and, with `front_errors`, the site's balancer answers 5xx from the same minute)."""
    start = NOW - timedelta(hours=6)
    dims = {"DBInstanceIdentifier": "booking-db-instance-2"}
    metrics = [
        {
            "namespace": "AWS/RDS",
            "metric": metric,
            "dimensions": dims,
            "timestamp": (start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": unit,
            "value": value(m),
        }
        for m in range(360)
        for metric, unit, value in (
            ("CPUUtilization", "Percent", lambda m: 84.0 + m % 9 if m >= 300 else 9.0 + m % 3),
            (
                "ReadLatency",
                "Seconds",
                lambda m: (read_latency_s if m >= 300 else 0.0006) * (1 + (m % 4) / 10),
            ),
        )
    ]
    if front_errors:
        metrics += [
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HTTPCode_Target_5XX_Count",
                "dimensions": {"LoadBalancer": "app/booking-public/0123456789abcdef"},
                "timestamp": (start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "unit": "Count",
                "value": 40.0 + m % 7 if m >= 300 else 0.0,
            }
            for m in range(360)
        ]
    alarm = {
        "AlarmName": "booking-db-reader-cpu",
        "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:booking-db-reader-cpu",
        "StateValue": "ALARM",
        "StateUpdatedTimestamp": (start + timedelta(minutes=303)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "MetricName": "CPUUtilization",
        "Namespace": "AWS/RDS",
        "Statistic": "Average",
        "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": dims["DBInstanceIdentifier"]}],
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "missing",
    }
    trigger: dict[str, Any] = {
        "question": "paged for booking-db-instance-2 CPU at 11:20; is something hammering it?"
    }
    if paged:
        trigger = {
            "alarm_event": alarm_event(
                "booking-db-reader-cpu",
                dims,
                start + timedelta(minutes=303),
                namespace="AWS/RDS",
                metric="CPUUtilization",
            )
        }
    return make_bundle(
        {"metrics": metrics, "alarms": [alarm] if paged else []},
        start=start.isoformat(),
        end=NOW.isoformat(),
        now=NOW.isoformat(),
        trigger=trigger,
    )


def test_a_few_milliseconds_of_storage_latency_is_not_slowness_and_headroom_is_said_as_such() -> None:
    report = offline(_reader_bundle(0.0015))
    assert not any("latency_up" in e.signals for e in report.evidence)
    assert report.verdict == "no_fault", report.summary
    assert "a measure of headroom" in report.summary and "CPUUtilization" in report.summary
    # reads that wait tens of milliseconds are slow
    report = offline(_reader_bundle(0.04))
    assert any("latency_up" in e.signals for e in report.evidence)
    assert report.verdict != "no_fault", report.summary


def test_an_alarm_on_headroom_while_users_get_errors_is_part_of_an_incident() -> None:
    # paged for the reader's CPU alone: a warning
    assert offline(_reader_bundle(0.0015, paged=True)).verdict == "no_fault"
    # the same page while the site answers 5xx: part of an incident
    report = offline(_reader_bundle(0.0015, front_errors=True, paged=True))
    assert report.verdict != "no_fault", report.summary
