"""Alarm tools: which alarms are firing, and one alarm's definition and history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.registry import ToolContext, tool
from tools.result import ToolOutput

MAX_ALARMS = 100  # beyond this a list of alarms stops being readable in a model's context


class MetricRef(BaseModel):
    namespace: str
    metric: str
    dimensions: dict[str, str] = {}
    stat: str | None = None
    period_s: int | None = None


class AlarmInfo(BaseModel):
    name: str
    arn: str | None = None
    kind: Literal["metric", "metric_math", "composite"]
    state: str
    reason: str = ""
    state_since: datetime | None = None
    metric: MetricRef | None = None
    math_metrics: list[MetricRef] = []
    threshold: float | None = None
    comparison: str | None = None
    evaluation_periods: int | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None
    rule: str | None = None

    def line(self) -> str:
        since = f" since {self.state_since:%H:%M}" if self.state_since else ""
        what = ""
        if self.metric:
            dims = ",".join(f"{k}={v}" for k, v in self.metric.dimensions.items())
            what = f" on {self.metric.namespace} {self.metric.metric}[{dims}] {self.metric.stat or ''}"
            what += f" {self.comparison} {self.threshold}" if self.comparison else ""
        elif self.rule:
            what = f" rule {self.rule}"
        return f"{self.name} ({self.kind}) {self.state}{since}{what}"


def alarm_info(item: dict[str, Any], composite: bool = False) -> AlarmInfo:
    """Normalise a MetricAlarm or CompositeAlarm item from DescribeAlarms."""
    metric = None
    math: list[MetricRef] = []
    if "MetricName" in item:
        metric = MetricRef(
            namespace=item.get("Namespace", ""),
            metric=item["MetricName"],
            dimensions={d["Name"]: d["Value"] for d in item.get("Dimensions", [])},
            stat=item.get("Statistic") or item.get("ExtendedStatistic"),
            period_s=item.get("Period"),
        )
    for q in item.get("Metrics", []):
        stat = q.get("MetricStat")
        if stat:
            m = stat["Metric"]
            math.append(
                MetricRef(
                    namespace=m.get("Namespace", ""),
                    metric=m.get("MetricName", ""),
                    dimensions={d["Name"]: d["Value"] for d in m.get("Dimensions", [])},
                    stat=stat.get("Stat"),
                    period_s=stat.get("Period"),
                )
            )
    kind: Literal["metric", "metric_math", "composite"] = (
        "composite" if composite else ("metric_math" if item.get("Metrics") else "metric")
    )
    return AlarmInfo(
        name=item["AlarmName"],
        arn=item.get("AlarmArn"),
        kind=kind,
        state=item.get("StateValue", "INSUFFICIENT_DATA"),
        reason=item.get("StateReason", ""),
        state_since=item.get("StateTransitionedTimestamp") or item.get("StateUpdatedTimestamp"),
        metric=metric,
        math_metrics=math,
        threshold=item.get("Threshold"),
        comparison=item.get("ComparisonOperator"),
        evaluation_periods=item.get("EvaluationPeriods"),
        datapoints_to_alarm=item.get("DatapointsToAlarm"),
        treat_missing_data=item.get("TreatMissingData"),
        rule=item.get("AlarmRule"),
    )


class ActiveAlarmsInput(BaseModel):
    """Arguments of active_alarms."""

    name_prefix: str | None = Field(default=None, description="only alarms whose name starts with this")
    include_insufficient_data: bool = Field(
        default=False, description="also list alarms in INSUFFICIENT_DATA (often a sign of missing telemetry)"
    )
    include_ok: bool = Field(
        default=False,
        description="also list alarms in OK (to find an alarm the asker names that has since recovered)",
    )
    limit: int = Field(
        default=50, ge=1, le=MAX_ALARMS, description="at most this many alarms (context budget)"
    )


class AlarmList(ToolOutput):
    alarms: list[AlarmInfo]

    def summary(self) -> str:
        if not self.alarms:
            return "no alarms in ALARM"
        lines = [a.line() for a in self.alarms[:20]]
        more = f" (+{len(self.alarms) - 20} more)" if len(self.alarms) > 20 else ""
        firing = sum(a.state == "ALARM" for a in self.alarms)
        head = (
            f"{len(self.alarms)} alarms firing"
            if firing == len(self.alarms)
            else f"{len(self.alarms)} alarms, {firing} in ALARM"
        )
        return f"{head}{more}: " + "; ".join(lines)

    def is_empty(self) -> bool:
        return not self.alarms


@tool
def active_alarms(ctx: ToolContext, args: ActiveAlarmsInput) -> AlarmList:
    """List the CloudWatch alarms that are in ALARM now (metric, metric-math and composite alarms),
    newest state change first, with what each watches and its threshold.

    Args:
        name_prefix: only alarms whose name starts with this.
        include_insufficient_data: also list alarms in INSUFFICIENT_DATA.
        include_ok: also list alarms in OK.
        limit: at most this many alarms.
    """
    states = ["ALARM"] + (["INSUFFICIENT_DATA"] if args.include_insufficient_data else [])
    states += ["OK"] if args.include_ok else []
    found: list[AlarmInfo] = []
    more = False
    for state in states:
        params: dict[str, Any] = {"StateValue": state, "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}
        if args.name_prefix:
            params["AlarmNamePrefix"] = args.name_prefix
        token: str | None = None
        while True:
            page = ctx.aws.call(
                "cloudwatch", "DescribeAlarms", **params, **({"NextToken": token} if token else {})
            )
            found += [alarm_info(a) for a in page.get("MetricAlarms", [])]
            found += [alarm_info(a, composite=True) for a in page.get("CompositeAlarms", [])]
            token = page.get("NextToken")
            if not token or len(found) >= args.limit:
                more = more or bool(token)
                break
    found.sort(key=lambda a: a.state_since or datetime.min.replace(tzinfo=ctx.now.tzinfo), reverse=True)
    total = len(found)
    return AlarmList(alarms=found[: args.limit], has_more=more or total > args.limit, total=total)


class AlarmDetailsInput(BaseModel):
    """Arguments of alarm_details."""

    name: str = Field(min_length=1, description="the alarm's exact name")
    history_hours: int = Field(
        default=24, ge=1, le=24 * 14, description="how far back to read the alarm's history, in hours"
    )


class HistoryEntry(BaseModel):
    time: datetime
    type: str
    summary: str


class AlarmDetails(ToolOutput):
    alarm: AlarmInfo | None
    history: list[HistoryEntry] = Field(default_factory=list)

    def summary(self) -> str:
        if self.alarm is None:
            return "no such alarm"
        transitions = [h for h in self.history if h.type == "StateUpdate"]
        recent = "; ".join(f"{h.time:%H:%M} {h.summary}" for h in transitions[:8])
        return f"{self.alarm.line()}. {len(transitions)} state changes in the history window" + (
            f": {recent}" if recent else ""
        )

    def is_empty(self) -> bool:
        return self.alarm is None


@tool
def alarm_details(ctx: ToolContext, args: AlarmDetailsInput) -> AlarmDetails:
    """Show one alarm's definition (metric or expression, statistic, period, threshold, evaluation
    settings) and its recent history (state changes and configuration updates), newest first.

    Args:
        name: the alarm's exact name.
        history_hours: how far back to read the history.
    """
    page = ctx.aws.call(
        "cloudwatch", "DescribeAlarms", AlarmNames=[args.name], AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    items = [alarm_info(a) for a in page.get("MetricAlarms", [])]
    items += [alarm_info(a, composite=True) for a in page.get("CompositeAlarms", [])]
    if not items:
        return AlarmDetails(alarm=None)
    history, more = ctx.aws.collect(
        "cloudwatch",
        "DescribeAlarmHistory",
        "AlarmHistoryItems",
        max_items=100,
        AlarmName=args.name,
        StartDate=ctx.now - timedelta(hours=args.history_hours),
        EndDate=ctx.now,
        ScanBy="TimestampDescending",
    )
    entries = [
        HistoryEntry(
            time=h["Timestamp"], type=h.get("HistoryItemType", ""), summary=h.get("HistorySummary", "")
        )
        for h in history
    ]
    return AlarmDetails(alarm=items[0], history=entries, has_more=more, total=len(entries))


class AlarmsOnInput(BaseModel):
    """Arguments of alarms_on."""

    dimension: str = Field(min_length=1, description="dimension name, e.g. AutoScalingGroupName, InstanceId")
    value: str = Field(min_length=1, description="its value, e.g. the group's name")
    limit: int = Field(
        default=20, ge=1, le=MAX_ALARMS, description="at most this many alarms (context budget)"
    )


@tool
def alarms_on(ctx: ToolContext, args: AlarmsOnInput) -> AlarmList:
    """List every alarm (any state) that watches a resource: metric alarms whose dimensions, or whose
    metric-math inputs' dimensions, name it. Use it to check what a scaling policy's alarm requires.

    Args:
        dimension: dimension name.
        value: its value.
        limit: at most this many alarms.
    """
    items, more = ctx.aws.collect(
        "cloudwatch", "DescribeAlarms", "MetricAlarms", max_items=1000, AlarmTypes=["MetricAlarm"]
    )
    found = [
        alarm_info(a)
        for a in items
        if any(
            d.get("Name") == args.dimension and d.get("Value") == args.value for d in a.get("Dimensions", [])
        )
        or any(
            d.get("Name") == args.dimension and d.get("Value") == args.value
            for q in a.get("Metrics", [])
            for d in (q.get("MetricStat") or {}).get("Metric", {}).get("Dimensions", [])
        )
    ]
    return AlarmList(alarms=found[: args.limit], has_more=more or len(found) > args.limit, total=len(found))
