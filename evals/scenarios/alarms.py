"""CloudWatch alarms evaluated over the generated metrics, so state, history and trigger agree with data.

An alarm here is evaluated the way CloudWatch does it: every period, the last `evaluation_periods`
datapoints are compared with the threshold; `datapoints_to_alarm` breaching ones put it in ALARM.
Each transition becomes an AlarmHistoryItem and, for the trigger, an EventBridge state-change event.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evals.scenarios.account import iso
from evals.scenarios.incident import Incident
from evals.scenarios.series import Series

COMPARE: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}
STATS: dict[str, Callable[[list[float]], float]] = {
    "Sum": sum,
    "Average": lambda v: sum(v) / len(v),
    "Maximum": max,
    "Minimum": min,
}


def _ts(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass
class Transition:
    at: datetime
    old: str
    new: str
    reason: str
    reason_data: dict[str, Any]
    old_reason: str = ""  # the reason the alarm gave when it entered `old`


@dataclass
class AlarmSpec:
    name: str
    series: Series
    statistic: str
    period: int
    threshold: float
    comparison: str
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing: str = "missing"
    description: str = ""

    def arn(self, inc: Incident) -> str:
        return f"arn:aws:cloudwatch:{inc.account.region}:{inc.account.account_id}:alarm:{self.name}"

    def datapoints(self, inc: Incident) -> list[tuple[datetime, float | None]]:
        """(period start, statistic) over the window; None where the period has no datapoint."""
        step = self.period // 60
        out: list[tuple[datetime, float | None]] = []
        values = self.series.values
        for first in range(0, len(values) - step + 1, step):
            chunk = [
                v
                for v in values[first : first + step]
                if v is not None and not (self.series.sparse and v == 0)
            ]
            if self.series.sparse and not chunk:
                out.append((inc.window.at(first), None))
                continue
            out.append((inc.window.at(first), STATS[self.statistic](chunk) if chunk else None))
        return out

    def evaluate(self, inc: Incident) -> list[Transition]:
        """Every state transition in the window, as CloudWatch would have made it."""
        breach, words = COMPARE[self.comparison]
        points = self.datapoints(inc)
        state = "OK"
        out: list[Transition] = []
        for k in range(self.evaluation_periods, len(points) + 1):
            recent = points[k - self.evaluation_periods : k]
            flags = []
            for _, v in recent:
                if v is None:
                    flags.append({"breaching": True, "notBreaching": False}.get(self.treat_missing))
                else:
                    flags.append(breach(v, self.threshold))
            known = [f for f in flags if f is not None]
            if not known:
                continue
            new = "ALARM" if sum(1 for f in known if f) >= self.datapoints_to_alarm else "OK"
            if new == state:
                continue
            end = recent[-1][0] + timedelta(seconds=self.period)
            # CloudWatch evaluates a little after the period closes, once the datapoint has arrived.
            at = end + timedelta(seconds=inc.rng.randrange(20, 75), milliseconds=inc.rng.randrange(1000))
            shown = [(t, v) for t, v in reversed(recent) if v is not None]
            listed = ", ".join(f"{v} ({t:%d/%m/%y %H:%M:%S})" for t, v in shown)
            if new == "ALARM":
                reason = (
                    f"Threshold Crossed: {sum(1 for f in known if f)} out of the last {len(recent)} "
                    f"datapoints [{listed}] {'was' if len(shown) == 1 else 'were'} {words} the threshold "
                    f"({self.threshold}) (minimum {self.datapoints_to_alarm} datapoint"
                    f"{'s' if self.datapoints_to_alarm > 1 else ''} for OK -> ALARM transition)."
                )
            else:
                reason = (
                    f"Threshold Crossed: {len(shown)} datapoint{'s' if len(shown) != 1 else ''} "
                    f"[{listed}] {'was' if len(shown) == 1 else 'were'} not {words} the threshold "
                    f"({self.threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
                )
            data = {
                "version": "1.0",
                "queryDate": _ts(at),
                "startDate": _ts(recent[0][0]),
                "statistic": self.statistic,
                "period": self.period,
                "recentDatapoints": [v for _, v in reversed(shown)],
                "threshold": self.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": _ts(t), "sampleCount": float(self.period // 60), "value": v}
                    for t, v in shown
                ],
            }
            previous = (
                out[-1].reason if out else f"Threshold Crossed: datapoints were not {words} the threshold."
            )
            out.append(Transition(at, state, new, reason, data, previous))
            state = new
        return [t for t in out if t.at <= inc.window.now]


def add_alarm(inc: Incident, spec: AlarmSpec, topic: str) -> list[Transition]:
    """Record the alarm item, its history, and return its transitions (to pick a trigger from)."""
    transitions = spec.evaluate(inc)
    acct = inc.account
    last = transitions[-1] if transitions else None
    configured = inc.window.start - timedelta(
        days=inc.rng.randrange(20, 400), seconds=inc.rng.randrange(86400)
    )
    state_at = last.at if last else configured + timedelta(minutes=5)
    ok_reason = (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was "
        "treated as [NonBreaching]."
        if spec.treat_missing == "notBreaching"
        else f"Threshold Crossed: datapoints were not {COMPARE[spec.comparison][1]} the threshold "
        f"({spec.threshold})."
    )
    inc.alarms.append(
        {
            "AlarmName": spec.name,
            "AlarmArn": spec.arn(inc),
            "AlarmDescription": spec.description,
            "AlarmConfigurationUpdatedTimestamp": iso(configured),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": last.new if last else "OK",
            "StateReason": last.reason if last else ok_reason,
            "StateReasonData": json.dumps(last.reason_data) if last else json.dumps({"version": "1.0"}),
            "StateUpdatedTimestamp": iso(state_at),
            "StateTransitionedTimestamp": iso(state_at),
            "MetricName": spec.series.metric,
            "Namespace": spec.series.namespace,
            "Statistic": spec.statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in spec.series.dimensions.items()],
            "Period": spec.period,
            "EvaluationPeriods": spec.evaluation_periods,
            "DatapointsToAlarm": spec.datapoints_to_alarm,
            "Threshold": spec.threshold,
            "ComparisonOperator": spec.comparison,
            "TreatMissingData": spec.treat_missing,
        }
    )
    for t in transitions:
        inc.alarm_history.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t.at),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {t.old} to {t.new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": t.old, "stateReason": t.old_reason},
                        "newState": {
                            "stateValue": t.new,
                            "stateReason": t.reason,
                            "stateReasonData": t.reason_data,
                        },
                    }
                ),
            }
        )
        for action in [topic] if t.new == "ALARM" or t.old == "ALARM" else []:
            inc.alarm_history.append(
                {
                    "AlarmName": spec.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t.at + timedelta(milliseconds=inc.rng.randrange(40, 400))),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {action}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "notificationResource": action,
                            "stateUpdateTimestamp": int(t.at.timestamp() * 1000),
                            "publishedMessage": {"MessageId": acct.ids.uuid()},
                        }
                    ),
                }
            )
    inc.alarm_history.sort(key=lambda h: h["Timestamp"])
    return transitions


def alarm_event(
    inc: Incident, spec: AlarmSpec, transitions: list[Transition], transition: Transition
) -> dict[str, Any]:
    """The EventBridge "CloudWatch Alarm State Change" event for one of the alarm's transitions."""
    s = spec.series
    k = transitions.index(transition)
    since = transitions[k - 1].at if k else inc.window.start - timedelta(days=inc.rng.randrange(1, 20))
    return {
        "version": "0",
        "id": inc.account.ids.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": inc.account.account_id,
        "time": iso(transition.at.replace(microsecond=0)),
        "region": inc.account.region,
        "resources": [spec.arn(inc)],
        "detail": {
            "alarmName": spec.name,
            "state": {
                "value": transition.new,
                "reason": transition.reason,
                "reasonData": json.dumps(transition.reason_data),
                "timestamp": _ts(transition.at),
            },
            "previousState": {
                "value": transition.old,
                "reason": transition.old_reason,
                "timestamp": _ts(since),
            },
            "configuration": {
                "description": spec.description,
                "metrics": [
                    {
                        "id": "m1",
                        "returnData": True,
                        "metricStat": {
                            "metric": {
                                "namespace": s.namespace,
                                "name": s.metric,
                                "dimensions": dict(s.dimensions),
                            },
                            "period": spec.period,
                            "stat": spec.statistic,
                        },
                    }
                ],
            },
        },
    }


def first_alarm(transitions: list[Transition], after: datetime) -> Transition | None:
    return next((t for t in transitions if t.new == "ALARM" and t.at >= after), None)


def sns_topic(inc: Incident) -> str:
    name = inc.rng.choice(["oncall-alerts", "pagerduty-critical", "ops-notifications", "alerts-prod"])
    return f"arn:aws:sns:{inc.account.region}:{inc.account.account_id}:{name}"
