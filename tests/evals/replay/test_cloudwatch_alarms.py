"""CloudWatch alarms replay: DescribeAlarms, DescribeAlarmsForMetric and DescribeAlarmHistory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.bundle.items import check_alarm
from evals.bundle.shapes import validate_item
from evals.replay.services.cloudwatch import rule_children

ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
SNS = "arn:aws:sns:us-east-1:123456789012:"


def metric_alarm(name: str, state: str, metric: str = "Latency", **extra: Any) -> dict[str, Any]:
    alarm: dict[str, Any] = {
        "AlarmName": name,
        "AlarmArn": ARN + name,
        "StateValue": state,
        "StateReason": "test",
        "StateUpdatedTimestamp": "2024-05-01T01:00:00Z",
        "Namespace": "App",
        "MetricName": metric,
        "Dimensions": [{"Name": "Service", "Value": "api"}],
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 100.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "ActionsEnabled": True,
        "AlarmActions": [],
        "OKActions": [],
        "InsufficientDataActions": [],
    }
    if "ExtendedStatistic" not in extra:
        alarm["Statistic"] = "Average"
    alarm.update(extra)
    return alarm


def composite(name: str, rule: str, state: str = "OK") -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": ARN + name,
        "AlarmRule": rule,
        "StateValue": state,
        "StateUpdatedTimestamp": "2024-05-01T02:00:00Z",
        "ActionsEnabled": True,
    }


ALARMS = [
    metric_alarm("api-latency-high", "ALARM", AlarmActions=[SNS + "oncall"], Unit="Milliseconds"),
    metric_alarm("api-errors", "OK", "Errors", Statistic="Sum", Period=300, OKActions=[SNS + "team-ok"]),
    metric_alarm(
        "db-cpu",
        "INSUFFICIENT_DATA",
        "CPUUtilization",
        Namespace="AWS/RDS",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "db1"}],
        InsufficientDataActions=[SNS + "oncall-db"],
    ),
    metric_alarm("api-latency-p99", "OK", ExtendedStatistic="p99"),
    metric_alarm("api-latency-all", "OK", Dimensions=[]),
    composite("api-health", 'ALARM("api-latency-high") OR ALARM(api-errors)', "ALARM"),
    composite("service-health", f'ALARM("api-health") AND NOT OK("{ARN}db-cpu")'),
    composite("quorum", 'AT_LEAST(2, ALARM, ("api-latency-high", "db-cpu"))'),
]


def history(
    name: str, when: str, kind: str = "StateUpdate", alarm_type: str | None = "MetricAlarm"
) -> dict[str, Any]:
    item = {
        "AlarmName": name,
        "Timestamp": when,
        "HistoryItemType": kind,
        "HistorySummary": f"{name} {kind} at {when}",
        "HistoryData": "{}",
    }
    if alarm_type:
        item["AlarmType"] = alarm_type
    return item


HISTORY = [
    history("api-latency-high", "2024-05-01T01:00:00Z"),
    history("api-latency-high", "2024-05-01T02:00:00Z", "ConfigurationUpdate"),
    history("api-latency-high", "2024-05-01T07:00:00Z"),  # after now (06:00): not yet happened
    history("api-health", "2024-05-01T03:00:00Z", alarm_type="CompositeAlarm"),
    history("service-health", "2024-05-01T03:30:00Z", alarm_type=None),  # type known from alarms.jsonl
    history("db-cpu", "2024-05-01T04:00:00Z", "Action"),
]


def test_fixture_items_are_valid_aws_shapes() -> None:
    for alarm in ALARMS:
        check_alarm(alarm)
    for item in HISTORY:
        validate_item("cloudwatch", "AlarmHistoryItem", item)


@pytest.fixture
def cw(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"alarms": ALARMS, "alarm_history": HISTORY})
    return session.client("cloudwatch")


def names(answer: dict[str, Any]) -> tuple[list[str], list[str]]:
    return [a["AlarmName"] for a in answer["MetricAlarms"]], [
        a["AlarmName"] for a in answer["CompositeAlarms"]
    ]


def test_describe_alarms_defaults_to_metric_alarms_sorted_by_name(cw: Any) -> None:
    answer = cw.describe_alarms()
    assert names(answer) == (
        ["api-errors", "api-latency-all", "api-latency-high", "api-latency-p99", "db-cpu"],
        [],
    )
    high = answer["MetricAlarms"][2]
    assert high["StateUpdatedTimestamp"] == datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    assert high["Threshold"] == 100.0
    both = cw.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    assert names(both)[1] == ["api-health", "quorum", "service-health"]
    assert names(cw.describe_alarms(AlarmTypes=["CompositeAlarm"]))[0] == []


def test_describe_alarms_filters(cw: Any) -> None:
    every = ["MetricAlarm", "CompositeAlarm"]
    assert names(cw.describe_alarms(AlarmNames=["db-cpu", "api-health", "missing"], AlarmTypes=every)) == (
        ["db-cpu"],
        ["api-health"],
    )
    assert names(cw.describe_alarms(AlarmNamePrefix="api-latency")) == (
        ["api-latency-all", "api-latency-high", "api-latency-p99"],
        [],
    )
    assert names(cw.describe_alarms(StateValue="ALARM", AlarmTypes=every)) == (
        ["api-latency-high"],
        ["api-health"],
    )
    # ActionPrefix matches the start of any action: alarm, OK or insufficient-data.
    assert names(cw.describe_alarms(ActionPrefix=SNS + "oncall")) == (["api-latency-high", "db-cpu"], [])
    assert names(cw.describe_alarms(ActionPrefix=SNS + "team")) == (["api-errors"], [])
    assert names(cw.describe_alarms(StateValue="OK", AlarmNamePrefix="api-latency-")) == (
        ["api-latency-all", "api-latency-p99"],
        [],
    )
    with pytest.raises(ClientError) as err:
        cw.describe_alarms(AlarmNames=["db-cpu"], AlarmNamePrefix="db")
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"


def test_children_of_a_composite_alarm(cw: Any) -> None:
    answer = cw.describe_alarms(ChildrenOfAlarmName="service-health")
    assert names(answer) == (["db-cpu"], ["api-health"])  # db-cpu is named by its ARN
    # Only name, ARN, state and state time come back for children.
    assert set(answer["MetricAlarms"][0]) == {"AlarmName", "AlarmArn", "StateValue", "StateUpdatedTimestamp"}
    assert names(cw.describe_alarms(ChildrenOfAlarmName="quorum")) == (["api-latency-high", "db-cpu"], [])
    assert names(cw.describe_alarms(ChildrenOfAlarmName="db-cpu")) == ([], [])
    with pytest.raises(ClientError) as err:
        cw.describe_alarms(ChildrenOfAlarmName="service-health", StateValue="OK")
    assert err.value.response["Error"]["Code"] == "ValidationError"


def test_parents_of_an_alarm(cw: Any) -> None:
    answer = cw.describe_alarms(ParentsOfAlarmName="api-latency-high")
    assert names(answer) == ([], ["api-health", "quorum"])
    assert set(answer["CompositeAlarms"][0]) == {"AlarmName", "AlarmArn"}
    assert names(cw.describe_alarms(ParentsOfAlarmName="db-cpu")) == ([], ["quorum", "service-health"])
    assert names(cw.describe_alarms(ParentsOfAlarmName="api-health")) == ([], ["service-health"])


def test_describe_alarms_pages(cw: Any) -> None:
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"MaxRecords": 2, "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}
        if token:
            kwargs["NextToken"] = token
        answer = cw.describe_alarms(**kwargs)
        pages += 1
        page_names = names(answer)
        assert len(page_names[0]) + len(page_names[1]) <= 2
        seen += page_names[0] + page_names[1]
        token = answer.get("NextToken")
        if not token:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == 8
    with pytest.raises(ClientError) as err:
        cw.describe_alarms(MaxRecords=2, NextToken="bm9wZQ==")
    assert err.value.response["Error"]["Code"] == "InvalidNextToken"


def test_describe_alarms_for_metric_matches_the_exact_metric(cw: Any) -> None:
    api = [{"Name": "Service", "Value": "api"}]

    def found(**kw: Any) -> list[str]:
        answer = cw.describe_alarms_for_metric(Namespace="App", MetricName="Latency", **kw)
        return sorted(a["AlarmName"] for a in answer["MetricAlarms"])

    assert found(Dimensions=api) == ["api-latency-high", "api-latency-p99"]
    assert found(Dimensions=api, Statistic="Average") == ["api-latency-high"]
    assert found(Dimensions=api, ExtendedStatistic="p99") == ["api-latency-p99"]
    assert found(Dimensions=api, Unit="Milliseconds") == ["api-latency-high"]
    assert found(Dimensions=api, Period=300) == []
    assert found() == ["api-latency-all"]  # no dimensions given: only the alarm on the bare metric


def history_of(cw: Any, **kw: Any) -> list[tuple[str, str]]:
    items = cw.describe_alarm_history(**kw)["AlarmHistoryItems"]
    return [(i["AlarmName"], i["Timestamp"].strftime("%H:%M")) for i in items]


def test_alarm_history_defaults(cw: Any) -> None:
    # Metric alarms only, newest first, nothing after now.
    assert history_of(cw) == [
        ("db-cpu", "04:00"),
        ("api-latency-high", "02:00"),
        ("api-latency-high", "01:00"),
    ]
    assert history_of(cw, AlarmTypes=["CompositeAlarm"]) == [
        ("service-health", "03:30"),
        ("api-health", "03:00"),
    ]
    item = cw.describe_alarm_history(AlarmName="db-cpu")["AlarmHistoryItems"][0]
    assert item["HistoryItemType"] == "Action"
    assert item["Timestamp"] == datetime(2024, 5, 1, 4, 0, tzinfo=UTC)


def test_alarm_history_filters_and_pages(cw: Any) -> None:
    assert history_of(cw, AlarmName="api-latency-high", ScanBy="TimestampAscending") == [
        ("api-latency-high", "01:00"),
        ("api-latency-high", "02:00"),
    ]
    assert history_of(cw, HistoryItemType="ConfigurationUpdate") == [("api-latency-high", "02:00")]
    window = {
        "StartDate": datetime(2024, 5, 1, 1, 30, tzinfo=UTC),
        "EndDate": datetime(2024, 5, 1, 4, 0, tzinfo=UTC),
    }
    assert history_of(cw, **window) == [("db-cpu", "04:00"), ("api-latency-high", "02:00")]
    assert history_of(cw, EndDate=datetime(2024, 5, 1, 0, 30, tzinfo=UTC)) == []
    first = cw.describe_alarm_history(MaxRecords=2)
    assert len(first["AlarmHistoryItems"]) == 2
    rest = cw.describe_alarm_history(MaxRecords=2, NextToken=first["NextToken"])
    assert [i["Timestamp"].hour for i in rest["AlarmHistoryItems"]] == [1]
    assert "NextToken" not in rest


def test_rule_children_parses_alarm_rules() -> None:
    rule = (
        'ALARM("a b") OR (OK(c) AND NOT INSUFFICIENT_DATA(\'d\')) OR AT_LEAST(50%, ALARM, (e, "f")) OR TRUE'
    )
    assert rule_children(rule) == ["a b", "c", "d", "e", "f"]


def test_no_alarms_in_the_bundle(replay: Callable[..., Any]) -> None:
    session, _ = replay({})
    client = session.client("cloudwatch")
    assert names(client.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])) == ([], [])
    assert client.describe_alarm_history()["AlarmHistoryItems"] == []
    assert client.describe_alarms_for_metric(Namespace="App", MetricName="Latency")["MetricAlarms"] == []
