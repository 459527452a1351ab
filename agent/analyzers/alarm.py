"""The alarm that fired, read as evidence: did its own metric breach its own threshold in the window, and
has it done the same at the same time on earlier days?

An alarm in ALARM is the user's symptom until shown otherwise, whatever the key-metric scan makes of its
metric (a count that appears from nothing has no baseline to deviate from). And an alarm that goes off at
about the same time every day and recovers on its own is a pattern, not an incident: normal compared with
normal.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from agent.analyzers import Draft
from agent.analyzers.metrics import signal_for
from tools.alarms import AlarmDetails, AlarmInfo
from tools.series import with_zero_periods

# How close in time of day an earlier firing must be to count as "the same time".
SAME_TIME = timedelta(minutes=45)
# Earlier days with a firing at the same time that make the alarm a recurring pattern.
RECURRING_DAYS = 2
# A breach over by the end of the window that lasted fewer datapoints than this was a blip.
SUSTAINED_POINTS = 5

# CloudWatch's comparison operators for static thresholds: (value, threshold) -> breaching.
COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


def _breaches(alarm: AlarmInfo, timestamps: list[datetime], values: list[float]) -> Iterator[datetime]:
    """The start of each run of breaching datapoints long enough to meet the alarm's condition, at the
    datapoint where it met it."""
    compare = COMPARE.get(alarm.comparison or "")
    if compare is None or alarm.threshold is None:
        return
    needed = alarm.datapoints_to_alarm or alarm.evaluation_periods or 1
    run: list[datetime] = []
    for t, v in zip(timestamps, values, strict=True):
        run = [*run, t] if compare(v, alarm.threshold) else []
        if len(run) == needed:
            yield run[0]


def first_breach(alarm: AlarmInfo, timestamps: list[datetime], values: list[float]) -> datetime | None:
    """When the alarm's condition (threshold crossed for its datapoints-to-alarm) was first met."""
    return next(_breaches(alarm, timestamps, values), None)


def current_breach(
    alarm: AlarmInfo, timestamps: list[datetime], values: list[float], fired_at: datetime | None
) -> datetime | None:
    """When the breach the alarm fired on began: the last run of breaching datapoints that met the
    condition by `fired_at`. An earlier run the metric recovered from was another episode (a flapping
    threshold near normal values), not the start of this one. The first breach without `fired_at`."""
    if fired_at is not None:
        n = bisect_right(timestamps, fired_at)
        runs = list(_breaches(alarm, timestamps[:n], values[:n]))
        if runs:
            return runs[-1]
    return first_breach(alarm, timestamps, values)


def _sustained(alarm: AlarmInfo, timestamps: list[datetime], values: list[float], breach: datetime) -> bool:
    """Whether the breach lasted: still breaching at the end, or breaching for longer than a blip."""
    compare = COMPARE[alarm.comparison or ""]
    after = [
        compare(v, alarm.threshold or 0.0) for t, v in zip(timestamps, values, strict=True) if t >= breach
    ]
    return bool(after) and (after[-1] or sum(after) >= SUSTAINED_POINTS)


def _last_runs_failed(alarm: AlarmInfo, published: list[tuple[datetime, float]], breach: datetime) -> bool:
    """Whether the metric reports only while its work runs (a job, a scheduled task: datapoints in bursts,
    zeros included, with silences between that take most of the time) and every run since the breach
    breached. Between runs there is nothing to measure, so the silence after a failed run is not a
    recovery: a run's result stands until the next run, as a nightly job's one failed run is its last
    word."""
    compare = COMPARE.get(alarm.comparison or "")
    if compare is None or len(published) < 3:
        return False
    if all(compare(v, alarm.threshold or 0.0) for _, v in published):
        return False  # publishes only what breaches (a count reported when non-zero): silence is zero
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(published)]
    spacings = [g for g in gaps if g > timedelta(0)]
    if not spacings:
        return False
    unit = min(spacings)  # the series' own spacing within a run
    silent = [g for g in gaps if g > RUN_GAP * unit]
    span = published[-1][0] - published[0][0]
    if not silent or sum(silent, timedelta(0)) < span / 2:
        return False  # reported throughout, its own spacing: not a series of runs
    runs: list[list[tuple[datetime, float]]] = [[published[0]]]
    for point, gap in zip(published[1:], gaps, strict=True):
        if gap > RUN_GAP * unit:
            runs.append([point])
        else:
            runs[-1].append(point)
    since = [r for r in runs if r[-1][0] >= breach]
    return (
        len(runs) - len(since) >= RUNS_BEFORE
        and bool(since)
        and all(any(compare(v, alarm.threshold or 0.0) for _, v in r) for r in since)
    )


RUN_GAP = 3  # a silence longer than this many of the series' own spacing separates two runs
RUNS_BEFORE = 1  # an earlier run, a silence between, that shows the metric reports only while work runs


def from_alarm(
    details: AlarmDetails,
    timestamps: list[datetime],
    values: list[float],
    resource: str | None,
    fired_at: datetime | None,
    published: list[tuple[datetime, float]] | None = None,
) -> list[Draft]:
    """The alarm's breach over the window; `published` are the datapoints the metric itself published
    (before periods without one were counted zero), which say whether it reports only while work runs."""
    alarm = details.alarm
    if alarm is None:
        return []
    drafts: list[Draft] = []
    breach = current_breach(alarm, timestamps, values, fired_at)
    metric = alarm.metric
    if breach is not None and metric is not None:
        lasting = _sustained(alarm, timestamps, values, breach) or _last_runs_failed(
            alarm, published or [], breach
        )
        drafts.append(
            Draft(
                kind="metric_anomaly",
                resource=resource,
                start=breach,
                summary=f"alarm {alarm.name}: {metric.metric} ({metric.stat or 'Average'}) "
                f"{alarm.comparison} {alarm.threshold:g} from {breach:%H:%M}"
                + ("" if lasting else ", briefly, and back within the threshold since"),
                signals=(["alarm_breached", *_metric_signal(alarm)] if lasting else ["metric_blip"]),
                strength=0.6,
                facts={
                    "alarm": alarm.name,
                    "metric": metric.metric,
                    "namespace": metric.namespace,
                    "dimensions": metric.dimensions,
                    "stat": metric.stat or "Average",
                    "threshold": alarm.threshold,
                    "onset": breach.isoformat(),
                    "sustained": lasting,
                    # A period-long datapoint dates the breach only to within its period.
                    "resolution_s": metric.period_s or 60,
                },
            )
        )
    when = fired_at or breach
    if when is None:
        return drafts
    earlier = sorted(
        {
            h.time.date()
            for h in details.history
            if h.type == "StateUpdate"
            and h.summary.rstrip().endswith("to ALARM")
            and h.time.date() < when.date()
            and _time_of_day_gap(h.time, when) <= SAME_TIME
        }
    )
    # A weekly rhythm (Monday's peak) shows once a week: the same weekday a week before is a pattern.
    weekly = [d for d in earlier if (when.date() - d).days % 7 == 0]
    if len(earlier) >= RECURRING_DAYS or weekly:
        days = ", ".join(f"{d:%m-%d}" for d in earlier[-5:])
        if len(earlier) < RECURRING_DAYS:
            days += f", the same weekday ({when:%A}) a week before"
        drafts.append(
            Draft(
                kind="resource_state",
                resource=resource,
                start=when,
                summary=f"alarm {alarm.name} went to ALARM at about {when:%H:%M} on {len(earlier)} earlier "
                f"days too ({days}): the same pattern at the same time of day",
                signals=["recurring_alarm"],
                strength=0.7,
                facts={"alarm": alarm.name, "days": [d.isoformat() for d in earlier]},
            )
        )
    return drafts


def _time_of_day_gap(a: datetime, b: datetime) -> timedelta:
    seconds = abs((a.hour * 3600 + a.minute * 60) - (b.hour * 3600 + b.minute * 60))
    return timedelta(seconds=min(seconds, 86400 - seconds))


def _metric_signal(alarm: AlarmInfo) -> list[str]:
    """What the alarm's own metric says, crossing its threshold the way the alarm watches it (errors up,
    healthy hosts down). A 4XX alarm counts as errors: whoever set it treats client errors (throttled
    or refused calls) as their users' trouble."""
    metric = alarm.metric
    if metric is None or not alarm.comparison:
        return []
    direction = "up" if alarm.comparison.startswith("GreaterThan") else "down"
    found = signal_for(metric.metric, direction)
    if found == "client_errors_up":
        found = "error_rate_up"
    return [found] if found else []


# Namespaces whose counts are published as zero whenever the resource was active: Lambda publishes
# Errors and Throttles with every period that had invocations.
PUBLISHES_ZEROS = frozenset({"AWS/Lambda"})


def with_missing_counts(
    alarm: AlarmInfo, timestamps: list[datetime], values: list[float], end: datetime
) -> tuple[list[datetime], list[float]]:
    """CloudWatch publishes many counts (ELB and API Gateway 5XX) only when non-zero: for a Sum
    or SampleCount, a period with no datapoint counted zero. Filled in from the first datapoint to the
    last complete period, so a breach that stopped reads as stopped."""
    metric = alarm.metric
    if metric is None or not metric.period_s or (metric.stat or "Average") not in ("Sum", "SampleCount"):
        return timestamps, values
    if metric.namespace in PUBLISHES_ZEROS:
        # Published with every period the resource was busy, zeros included: no datapoint means it did
        # not run, not that it ran cleanly (a nightly job's one failed run stays its last word).
        return timestamps, values
    if not timestamps:
        return timestamps, values
    step = timedelta(seconds=metric.period_s)
    # Through the last datapoint, and every complete period up to the end.
    return with_zero_periods(timestamps, values, timestamps[0], max(end, timestamps[-1] + step), step)
