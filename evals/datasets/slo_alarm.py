"""The CloudWatch alarm that stands for an issue's SLO violation, with its history and EventBridge event.

The dataset says which node's metric violated its SLO and when, but not the SLO's threshold. The alarm
gets a static threshold halfway between the worst value before the target time and the worst value in
the two periods from it on, so it is quiet before the target time and crosses on the first period that is
clearly worse, as CloudWatch would: one period, one datapoint to alarm, evaluated once that period has closed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from evals.datasets.petshop_files import PetShopError, Target
from evals.datasets.petshop_nodes import Node

NAMESPACE = "PetShop/ServiceMetrics"
METRIC_NAMES = {"latency": "Latency", "requests": "Requests", "availability": "Availability"}
UNITS = {"latency": "Seconds", "requests": "Count", "availability": "Percent"}
EVALUATION_LAG = timedelta(
    seconds=60
)  # CloudWatch evaluates a period once it has closed and its data arrived
VIOLATION_PERIODS = 2


@dataclass(frozen=True)
class SloAlarm:
    alarm: dict[str, Any]
    history: list[dict[str, Any]]
    event: dict[str, Any]
    fired: datetime
    threshold: float
    breach_row: int


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _cw_time(when: datetime) -> str:
    """The timestamp format of CloudWatch's reason data and state-change events."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _rounded(threshold: float, better: float, worse: float) -> float:
    """The threshold to six significant figures, unless rounding would move it onto either side."""
    value = float(f"{threshold:.6g}")
    return value if min(better, worse) < value < max(better, worse) else threshold


def build(
    target: Target,
    node: Node,
    stamps: list[int],
    values: list[float | None],
    period: int,
    *,
    region: str,
    account: str,
    target_file: Path,
    earlier: tuple[list[int], list[float | None]] = ([], []),
) -> SloAlarm:
    """The alarm on `values` (the target metric's statistic per period starting at `stamps`).

    `earlier` is the metric's history before `stamps` (normal operation): wherever it, or a period of
    the issue before the violation, crosses the threshold, the alarm history shows those transitions
    as CloudWatch would have recorded them."""
    higher_is_worse = target.metric != "availability"

    def worse(a: float, b: float) -> bool:
        return a > b if higher_is_worse else a < b

    def worst(xs: list[float]) -> float:
        return max(xs) if higher_is_worse else min(xs)

    if not stamps[0] <= target.timestamp < stamps[-1] + period:
        raise PetShopError(
            "the target time lies outside the metrics' time range", file=target_file, field="target.timestamp"
        )
    onset = max(i for i, ts in enumerate(stamps) if ts <= target.timestamp)
    before = [v for v in values[:onset] if v is not None]

    def violation(stop: int) -> tuple[float, float] | None:
        """(reference, peak) if the rows from the onset up to `stop` get worse than before, else None."""
        after = [v for v in values[onset:stop] if v is not None]
        if not after:
            return None
        peak = worst(after)
        reference = worst(before) if before else (min(after) if higher_is_worse else max(after))
        return (reference, peak) if worse(peak, reference) else None

    # The violation window: the period holding the target time (which may end just after it) and the
    # next; if those do not show it, whatever data follows.
    if all(v is None for v in values[onset:]):
        raise PetShopError(
            f"{node.component} has no {target.metric} {target.agg} data from the target time on",
            file=target_file,
            field="target.node",
        )
    found = violation(onset + VIOLATION_PERIODS) or violation(len(values))
    if found is None:
        raise PetShopError(
            f"{node.component} {target.metric} {target.agg} does not get worse at the target time, "
            "so there is no SLO violation to alarm on",
            file=target_file,
            field="target.timestamp",
        )
    reference, peak = found
    threshold = _rounded((reference + peak) / 2, reference, peak)
    breach, value = next(
        (i, v) for i, v in enumerate(values) if i >= onset and v is not None and worse(v, threshold)
    )
    period_start = datetime.fromtimestamp(stamps[breach], UTC)
    fired = period_start + timedelta(seconds=period) + EVALUATION_LAG

    metric = METRIC_NAMES[target.metric]
    name = f"{node.name}-{target.metric}-slo"
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
    comparison = "GreaterThanThreshold" if higher_is_worse else "LessThanThreshold"
    words = "greater than" if higher_is_worse else "less than"
    stat_key = "Statistic" if target.agg in ("Average", "Sum") else "ExtendedStatistic"
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{value} ({period_start:%d/%m/%y %H:%M:%S})] was "
        f"{words} the threshold ({threshold}) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    reason_data = {
        "version": "1.0",
        "queryDate": _cw_time(fired),
        "startDate": _cw_time(period_start),
        ("statistic" if stat_key == "Statistic" else "extendedStatistic"): target.agg,
        "period": period,
        "recentDatapoints": [value],
        "threshold": threshold,
        "evaluatedDatapoints": [{"timestamp": _cw_time(period_start), "value": value}],
    }
    description = f"SLO: {node.label()} {target.metric} ({target.agg}) per {period // 60} minutes"
    dimensions = [{"Name": k, "Value": v} for k, v in node.dimensions().items()]
    alarm = {
        "AlarmName": name,
        "AlarmArn": arn,
        "AlarmDescription": description,
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": [],
        "InsufficientDataActions": [],
        "StateValue": "ALARM",
        "StateReason": reason,
        "StateReasonData": json.dumps(reason_data),
        "StateUpdatedTimestamp": _iso(fired),
        "StateTransitionedTimestamp": _iso(fired),
        "MetricName": metric,
        "Namespace": NAMESPACE,
        stat_key: target.agg,
        "Dimensions": dimensions,
        "Period": period,
        "Unit": UNITS[target.metric],
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": threshold,
        "ComparisonOperator": comparison,
        "TreatMissingData": "missing",
    }
    history = _earlier_transitions(
        name,
        [*earlier[0], *stamps[:breach]],
        [*earlier[1], *values[:breach]],
        period,
        threshold,
        worse,
        words,
        stat_key,
        target.agg,
    )
    last_ok = next((h["Timestamp"] for h in reversed(history) if h["HistorySummary"].endswith("to OK")), None)
    history += [
        {
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": _iso(fired),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": "Alarm updated from OK to ALARM",
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "oldState": {"stateValue": "OK", "stateReason": "Threshold Crossed"},
                    "newState": {
                        "stateValue": "ALARM",
                        "stateReason": reason,
                        "stateReasonData": reason_data,
                    },
                }
            ),
        }
    ]
    first = datetime.fromtimestamp(stamps[0], UTC)
    event_id = uuid.UUID(hashlib.sha256(f"{arn}@{fired.isoformat()}".encode()).hexdigest()[:32])
    event = {
        "version": "0",
        "id": str(event_id),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": fired.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [arn],
        "detail": {
            "alarmName": name,
            "state": {
                "value": "ALARM",
                "reason": reason,
                "reasonData": json.dumps(reason_data),
                "timestamp": _cw_time(fired),
            },
            "previousState": {
                "value": "OK",
                "reason": "Threshold Crossed",
                "timestamp": _cw_time(datetime.fromisoformat(last_ok) if last_ok else first),
            },
            "configuration": {
                "description": description,
                "metrics": [
                    {
                        "id": "m1",
                        "returnData": True,
                        "metricStat": {
                            "metric": {
                                "namespace": NAMESPACE,
                                "name": metric,
                                "dimensions": node.dimensions(),
                            },
                            "period": period,
                            "stat": target.agg,
                        },
                    }
                ],
            },
        },
    }
    return SloAlarm(alarm, history, event, fired, threshold, breach)


MAX_EARLIER_TRANSITIONS = 200  # DescribeAlarmHistory keeps a bounded record; older items drop off


def _earlier_transitions(
    name: str,
    stamps: list[int],
    values: list[float | None],
    period: int,
    threshold: float,
    worse: Callable[[float, float], bool],
    words: str,
    stat_key: str,
    agg: str,
) -> list[dict[str, Any]]:
    """The alarm's state changes over data before the violation: ALARM on a period worse than the
    threshold, OK on the next one that is not (a missing datapoint leaves the state as it is)."""
    items: list[dict[str, Any]] = []
    state = "OK"
    for stamp, value in zip(stamps, values, strict=True):
        if value is None:
            continue
        new = "ALARM" if worse(value, threshold) else "OK"
        if new == state:
            continue
        period_start = datetime.fromtimestamp(stamp, UTC)
        when = period_start + timedelta(seconds=period) + EVALUATION_LAG
        relation = words if new == "ALARM" else f"not {words}"
        reason = (
            f"Threshold Crossed: 1 out of the last 1 datapoints [{value} ({period_start:%d/%m/%y %H:%M:%S})] "
            f"was {relation} the threshold ({threshold}) (minimum 1 datapoint for "
            f"{state} -> {new} transition)."
        )
        data = {
            "version": "1.0",
            "queryDate": _cw_time(when),
            "startDate": _cw_time(period_start),
            ("statistic" if stat_key == "Statistic" else "extendedStatistic"): agg,
            "period": period,
            "recentDatapoints": [value],
            "threshold": threshold,
            "evaluatedDatapoints": [{"timestamp": _cw_time(period_start), "value": value}],
        }
        items.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": _iso(when),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {state} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": state, "stateReason": "Threshold Crossed"},
                        "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                    }
                ),
            }
        )
        state = new
    return items[-MAX_EARLIER_TRANSITIONS:]
