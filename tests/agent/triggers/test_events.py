"""Parsing the EventBridge alarm state-change event, on AWS's own documented samples."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from agent.triggers.events import EventError, alarm_name, parse_event, rule_children
from tests.agent.triggers.conftest import sample


def test_single_metric_sample() -> None:
    event = parse_event(sample("single_metric"))
    assert event.kind == "metric"
    assert event.account == "123456789012"
    assert event.time == datetime(2019, 10, 2, 17, 4, 40, tzinfo=UTC)
    assert event.alarm_arn == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"
    detail = event.detail
    assert detail.alarm_name == "ServerCpuTooHigh"
    assert detail.state.value == "ALARM"
    # CloudWatch's "+0000" spelling, milliseconds kept
    assert detail.state.timestamp == datetime(2019, 10, 2, 17, 4, 40, 989000, tzinfo=UTC)
    assert detail.previous_state is not None and detail.previous_state.value == "OK"
    assert detail.state.reason_json()["recentDatapoints"] == [99.50160229693434]
    (query,) = detail.configuration.metrics
    assert query.metric_stat is not None
    assert query.metric_stat.metric.dimensions == {"InstanceId": "i-12345678901234567"}
    assert (query.metric_stat.period, query.metric_stat.stat) == (300, "Average")


def test_metric_math_sample() -> None:
    event = parse_event(sample("metric_math"))
    assert event.kind == "metric_math"
    queries = event.detail.configuration.metrics
    assert [q.id for q in queries] == ["e1", "m1", "m2"]
    assert queries[0].expression == "SUM(METRICS())" and queries[0].metric_stat is None
    assert [q.metric_stat.metric.name for q in queries[1:] if q.metric_stat] == ["NetworkIn", "NetworkOut"]
    assert event.detail.previous_state is not None
    assert event.detail.previous_state.value == "INSUFFICIENT_DATA"
    assert event.detail.previous_state.reason_data is None  # "Unchecked: Initial alarm creation" has none


def test_anomaly_detection_sample_is_a_math_alarm() -> None:
    event = parse_event(sample("anomaly_detection"))
    assert event.kind == "metric_math"
    assert event.detail.configuration.metrics[1].expression == "ANOMALY_DETECTION_BAND(m1, 0.8)"
    assert event.detail.alarm_name == "EC2 CPU Utilization Anomaly"


def test_composite_sample() -> None:
    event = parse_event(sample("composite"))
    assert event.kind == "composite"
    config = event.detail.configuration
    assert config.alarm_rule == "ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)"
    assert config.actions_suppressor == "ServiceMaintenanceAlarm"
    assert event.detail.state.actions_suppressed_by == "WaitPeriod"
    assert event.detail.state.triggering_alarms() == [
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"
    ]
    assert event.detail.previous_state is not None
    assert len(event.detail.previous_state.triggering_alarms()) == 2
    # fields Sleuth does not model are kept, not dropped
    assert config.model_extra == {"actionsSuppressorWaitPeriod": 120, "actionsSuppressorExtensionPeriod": 180}


def test_json_text_parses_like_the_dict() -> None:
    raw = sample("single_metric")
    assert parse_event(json.dumps(raw)) == parse_event(raw)
    assert parse_event(json.dumps(raw).encode()) == parse_event(raw)


def test_missing_resources_still_names_the_alarm() -> None:
    raw = sample("single_metric")
    del raw["resources"]
    assert parse_event(raw).alarm_arn == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"


def _broken(path: list[str], value: object = None, delete: bool = False) -> dict[str, object]:
    raw = copy.deepcopy(sample("single_metric"))
    node = raw
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        (_broken(["detail", "state", "value"], "FIRING"), "detail.state.value", "'OK', 'ALARM'"),
        (_broken(["detail", "alarmName"], delete=True), "detail.alarmName", "Field required"),
        (_broken(["detail", "state", "timestamp"], "yesterday"), "detail.state.timestamp", "datetime"),
        (
            _broken(["detail", "state", "timestamp"], "2019-10-02T17:04:40"),
            "detail.state.timestamp",
            "time zone",
        ),
        (_broken(["account"], "12345"), "account", "pattern"),
        (_broken(["detail"], delete=True), "detail", "Field required"),
        (
            _broken(["detail", "configuration", "metrics", 0, "metricStat", "metric", "name"], delete=True),  # type: ignore[list-item]
            "detail.configuration.metrics.0.metricStat.metric.name",
            "Field required",
        ),
        (_broken(["detail-type"], "CloudWatch Alarm Configuration Change"), "detail-type", "expected"),
        (_broken(["source"], "aws.ec2"), "source", "expected 'aws.cloudwatch'"),
        ("{not json", "<event>", "not JSON"),
        ([1, 2], "<event>", "got list"),
    ],
)
def test_malformed_event_names_the_field_and_keeps_the_raw_event(raw: object, field: str, words: str) -> None:
    with pytest.raises(EventError) as caught:
        parse_event(raw)
    assert caught.value.field == field
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")
    assert caught.value.raw is raw


@pytest.mark.parametrize(
    ("rule", "children"),
    [
        (
            "ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)",
            ["ServerCpuTooHigh", "TotalNetworkTrafficTooHigh"],
        ),
        ('ALARM("CPUHigh") AND NOT ALARM("MaintenanceWindow")', ["CPUHigh", "MaintenanceWindow"]),
        (
            'ALARM("arn:aws:cloudwatch:us-east-2:123456789012:alarm:inner") AND TRUE',
            ["inner"],
        ),
        ("AT_LEAST(2, ALARM, (AZ1-alarm, AZ2-alarm, AZ3-alarm))", ["AZ1-alarm", "AZ2-alarm", "AZ3-alarm"]),
        ('AT_LEAST("50%", NOT OK, (DB1, DB2)) OR OK(DB1)', ["DB1", "DB2"]),
        ("(ALARM(a) OR INSUFFICIENT_DATA(b)) AND ALARM(a)", ["a", "b"]),
        ("TRUE", []),
    ],
)
def test_rule_children(rule: str, children: list[str]) -> None:
    assert rule_children(rule) == children


def test_alarm_name_from_arn_keeps_colons_in_the_name() -> None:
    assert alarm_name("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a:b") == "a:b"
    assert alarm_name("plain-name") == "plain-name"
