"""Alarms, their history, and the trigger: the named alarm's state change as EventBridge delivers it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from evals.capture.reader import Reader

SOURCE = "alarms"
MAX_LISTED = 2000  # alarms read when choosing which to keep (40 pages)
MAX_KEPT = 100  # alarms kept; each costs a history read
MAX_HISTORY = 100  # history items per alarm
HISTORY_REACH = timedelta(hours=24)  # alarm_details reads a day of history by default
TYPES = ["MetricAlarm", "CompositeAlarm"]


def list_alarms(reader: Reader, **params: Any) -> tuple[list[dict[str, Any]], bool]:
    """Metric and composite alarms (DescribeAlarms pages), and whether more exist than were read."""
    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = reader.call(
            SOURCE,
            "cloudwatch",
            "DescribeAlarms",
            AlarmTypes=TYPES,
            **params,
            **({"NextToken": token} if token else {}),
        )
        if page is None:
            return out, False
        out += page.get("MetricAlarms", []) + page.get("CompositeAlarms", [])
        token = page.get("NextToken")
        if not token:
            return out, False
        if len(out) >= MAX_LISTED:
            return out, True


def metrics_of(alarm: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(namespace, metric, dimensions) an alarm watches, metric-math inputs included."""
    out = []
    if "MetricName" in alarm:
        dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        out.append((alarm.get("Namespace", ""), alarm["MetricName"], dims))
    for query in alarm.get("Metrics", []):
        metric = query.get("MetricStat", {}).get("Metric")
        if metric:
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            out.append((metric.get("Namespace", ""), metric.get("MetricName", ""), dims))
    return [(ns, m, d) for ns, m, d in out if ns and m]


def select(
    alarms: Iterable[dict[str, Any]], named: str | None, identifiers: set[str]
) -> list[dict[str, Any]]:
    """The named alarm, every alarm in ALARM, and alarms on the discovered resources; firing first."""
    kept: dict[str, dict[str, Any]] = {}
    for alarm in alarms:
        on_ours = any(set(dims.values()) & identifiers for _, _, dims in metrics_of(alarm))
        if alarm["AlarmName"] == named or alarm.get("StateValue") == "ALARM" or on_ours:
            kept.setdefault(alarm["AlarmName"], alarm)
    rank = {named: 0}
    return sorted(
        kept.values(),
        key=lambda a: (rank.get(a["AlarmName"], 1), a.get("StateValue") != "ALARM", a["AlarmName"]),
    )


def history(reader: Reader, alarm: str, start: datetime, now: datetime) -> list[dict[str, Any]]:
    items, more = reader.pages(
        SOURCE,
        "cloudwatch",
        "DescribeAlarmHistory",
        "AlarmHistoryItems",
        max_items=MAX_HISTORY,
        target=alarm,
        AlarmName=alarm,
        AlarmTypes=TYPES,
        StartDate=min(start, now - HISTORY_REACH),
        EndDate=now,
        ScanBy="TimestampDescending",
    )
    if more:
        reader.report.cut(SOURCE, f"history of {alarm}: oldest items dropped", len(items))
    return items


def _state(value: dict[str, Any] | None, at: datetime | None = None) -> dict[str, Any] | None:
    if not value or value.get("stateValue") not in {"OK", "ALARM", "INSUFFICIENT_DATA"}:
        return None
    state: dict[str, Any] = {"value": value["stateValue"], "reason": value.get("stateReason", "")}
    if value.get("stateReasonData") is not None:
        state["reasonData"] = json.dumps(value["stateReasonData"], separators=(",", ":"))
    if at is not None:
        state["timestamp"] = _iso(at)
    return state


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "+0000")


def _configuration(alarm: dict[str, Any]) -> dict[str, Any]:
    metrics = []
    if "MetricName" in alarm:
        metrics.append(
            {
                "id": "m1",
                "metricStat": {
                    "metric": {
                        "namespace": alarm.get("Namespace"),
                        "name": alarm["MetricName"],
                        "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
                    },
                    "period": alarm.get("Period"),
                    "stat": alarm.get("Statistic") or alarm.get("ExtendedStatistic"),
                },
                "returnData": True,
            }
        )
    for query in alarm.get("Metrics", []):
        entry: dict[str, Any] = {"id": query["Id"], "returnData": query.get("ReturnData", True)}
        if "Expression" in query:
            entry["expression"] = query["Expression"]
        stat = query.get("MetricStat")
        if stat:
            m = stat["Metric"]
            entry["metricStat"] = {
                "metric": {
                    "namespace": m.get("Namespace"),
                    "name": m.get("MetricName"),
                    "dimensions": {d["Name"]: d["Value"] for d in m.get("Dimensions", [])},
                },
                "period": stat.get("Period"),
                "stat": stat.get("Stat"),
            }
        metrics.append(entry)
    config: dict[str, Any] = {"metrics": metrics}
    if alarm.get("AlarmDescription"):
        config["description"] = alarm["AlarmDescription"]
    if "AlarmRule" in alarm:
        config = {"alarmRule": alarm["AlarmRule"], **config}
    return config


def trigger_event(
    alarm: dict[str, Any], items: list[dict[str, Any]], account: str, region: str, now: datetime
) -> dict[str, Any]:
    """The alarm's last change into ALARM at or before `now` (else its last change, else its current
    state) as an EventBridge "CloudWatch Alarm State Change" event. The event id is derived from the
    alarm and the time, since the delivered event's own id is not kept anywhere one can read it back."""
    updates = sorted(
        (h for h in items if h.get("HistoryItemType") == "StateUpdate" and h["Timestamp"] <= now),
        key=lambda h: h["Timestamp"],
        reverse=True,
    )
    parsed = [(h, json.loads(h.get("HistoryData") or "{}")) for h in updates]
    firing = [(h, d) for h, d in parsed if d.get("newState", {}).get("stateValue") == "ALARM"]
    candidates = firing or parsed
    chosen = candidates[0] if candidates else None
    if chosen is not None:
        entry, data = chosen
        at: datetime = entry["Timestamp"]
        state = _state(data.get("newState"), at)
        previous = _state(data.get("oldState"))
    else:
        at = alarm.get("StateUpdatedTimestamp") or now
        state = {
            "value": alarm.get("StateValue", "INSUFFICIENT_DATA"),
            "reason": alarm.get("StateReason", ""),
            "timestamp": _iso(at),
        }
        previous = None
    arn = alarm.get("AlarmArn", f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm['AlarmName']}")
    detail: dict[str, Any] = {
        "alarmName": alarm["AlarmName"],
        "state": state,
        "configuration": _configuration(alarm),
    }
    if previous is not None:
        detail["previousState"] = previous
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}@{at.isoformat()}")),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": at.isoformat().replace("+00:00", "Z"),
        "region": region,
        "resources": [arn],
        "detail": detail,
    }
