"""Alarm tools over a replayed bundle and, for the wire contract, over moto's server."""

from __future__ import annotations

from typing import Any

from tests.evals.bundle.test_bundle import ALARM
from tools.alarms import active_alarms, alarm_details
from tools.result import ToolStatus

COMPOSITE = {
    "AlarmName": "checkout-degraded",
    "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-degraded",
    "AlarmRule": 'ALARM("api-5xx") OR ALARM("api-latency")',
    "StateValue": "ALARM",
    "StateUpdatedTimestamp": "2024-05-01T05:12:00Z",
}


def alarm(name: str, state: str, since: str) -> dict[str, Any]:
    return {
        **ALARM,
        "AlarmName": name,
        "AlarmArn": f"{ALARM['AlarmArn'][:-7]}{name}",
        "StateValue": state,
        "StateUpdatedTimestamp": since,
    }


def test_active_alarms_lists_metric_and_composite_newest_first(tool_ctx: Any) -> None:
    ctx = tool_ctx(
        {
            "alarms": [
                alarm("api-5xx", "ALARM", "2024-05-01T05:10:00Z"),
                alarm("disk", "OK", "2024-05-01T05:30:00Z"),
                alarm("queue-age", "INSUFFICIENT_DATA", "2024-05-01T04:00:00Z"),
                COMPOSITE,
            ]
        }
    )
    res = active_alarms.run(ctx, {})
    assert res.status is ToolStatus.OK
    assert res.data is not None
    assert [(a.name, a.kind) for a in res.data.alarms] == [
        ("checkout-degraded", "composite"),
        ("api-5xx", "metric"),
    ]
    assert res.data.alarms[1].metric is not None
    assert res.data.alarms[1].metric.dimensions == {"LoadBalancer": "app/web/0123456789abcdef"}
    assert "2 alarms firing" in res.summary
    with_insufficient = active_alarms.run(ctx, {"include_insufficient_data": True})
    assert with_insufficient.data is not None
    assert "queue-age" in [a.name for a in with_insufficient.data.alarms]


def test_active_alarms_caps_the_list_and_says_so(tool_ctx: Any) -> None:
    ctx = tool_ctx(
        {"alarms": [alarm(f"a{i:03d}", "ALARM", f"2024-05-01T05:{i % 60:02d}:00Z") for i in range(130)]}
    )
    res = active_alarms.run(ctx, {"limit": 20})
    assert res.data is not None
    assert len(res.data.alarms) == 20
    assert res.has_more
    assert res.aws_calls >= 1


def test_no_alarm_firing_is_no_data(tool_ctx: Any) -> None:
    res = active_alarms.run(tool_ctx({"alarms": [alarm("ok", "OK", "2024-05-01T05:00:00Z")]}), {})
    assert res.status is ToolStatus.NO_DATA
    assert res.summary == "no alarms in ALARM"


def test_alarm_details_with_history_in_window(tool_ctx: Any) -> None:
    history = [
        {
            "AlarmName": "api-5xx",
            "AlarmType": "MetricAlarm",
            "Timestamp": ts,
            "HistoryItemType": "StateUpdate",
            "HistorySummary": text,
        }
        for ts, text in [
            ("2024-04-20T01:00:00Z", "Alarm updated from ALARM to OK"),
            ("2024-05-01T04:40:00Z", "Alarm updated from OK to ALARM"),
            ("2024-05-01T04:50:00Z", "Alarm updated from ALARM to OK"),
            ("2024-05-01T05:10:00Z", "Alarm updated from OK to ALARM"),
        ]
    ]
    ctx = tool_ctx({"alarms": [ALARM], "alarm_history": history})
    res = alarm_details.run(ctx, {"name": "api-5xx", "history_hours": 24})
    assert res.status is ToolStatus.OK
    assert res.data is not None
    assert [h.time.strftime("%H:%M") for h in res.data.history] == ["05:10", "04:50", "04:40"]
    assert "3 state changes" in res.summary
    missing = alarm_details.run(ctx, {"name": "nope"})
    assert missing.status is ToolStatus.NO_DATA


def test_budget_exhaustion_is_reported_not_raised(tool_ctx: Any) -> None:
    ctx = tool_ctx({"alarms": [ALARM]}, budget=0)
    res = active_alarms.run(ctx, {})
    assert res.status is ToolStatus.ERROR
    assert res.error_code == "budget"


def test_wire_contract_against_moto(moto_tool_ctx: Any) -> None:
    cw = moto_tool_ctx.aws.session.client("cloudwatch", endpoint_url=moto_tool_ctx.aws.endpoint_url)
    cw.put_metric_alarm(
        AlarmName="cpu-high",
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Statistic="Average",
        Dimensions=[{"Name": "InstanceId", "Value": "i-0abc"}],
        Period=60,
        EvaluationPeriods=2,
        Threshold=80.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    cw.set_alarm_state(AlarmName="cpu-high", StateValue="ALARM", StateReason="test")
    res = active_alarms.run(moto_tool_ctx, {})
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert [a.name for a in res.data.alarms] == ["cpu-high"]
    assert res.data.alarms[0].threshold == 80.0
    assert res.data.alarms[0].metric is not None
    assert res.data.alarms[0].metric.dimensions == {"InstanceId": "i-0abc"}


def test_alarms_on_lists_every_state_for_one_resource(tool_ctx: Any) -> None:
    from tools.alarms import alarms_on

    scaling = {
        **alarm("asg-cpu-high", "OK", "2024-05-01T05:00:00Z"),
        "Namespace": "AWS/EC2",
        "MetricName": "CPUUtilization",
        "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "web-asg"}],
    }
    ctx = tool_ctx({"alarms": [scaling, alarm("api-5xx", "ALARM", "2024-05-01T05:10:00Z")]})
    res = alarms_on.run(ctx, {"dimension": "AutoScalingGroupName", "value": "web-asg"})
    assert res.status is ToolStatus.OK
    assert res.data is not None
    assert [(a.name, a.state) for a in res.data.alarms] == [("asg-cpu-high", "OK")]
    none = alarms_on.run(ctx, {"dimension": "AutoScalingGroupName", "value": "other"})
    assert none.status is ToolStatus.NO_DATA


def test_alarms_in_ok_are_listed_when_asked_for_and_the_summary_counts_the_firing(tool_ctx: Any) -> None:
    ctx = tool_ctx(
        {
            "alarms": [
                alarm("api-5xx", "ALARM", "2024-05-01T05:10:00Z"),
                alarm("render-throttles", "OK", "2024-05-01T05:30:00Z"),
            ]
        }
    )
    res = active_alarms.run(ctx, {"include_ok": True})
    assert res.data is not None
    assert [(a.name, a.state) for a in res.data.alarms] == [("render-throttles", "OK"), ("api-5xx", "ALARM")]
    assert res.summary.startswith("2 alarms, 1 in ALARM: ")
