"""`sleuth demo` before the agent exists: replay a bundle and show what the AWS reads return.

Each section is one read an investigation starts with (alarms in ALARM, the alarm's metric, recent
changes, error logs, target health, scaling activities, database and AWS Health events), made through
boto3 against the replayed bundle, with the exact call so it can be re-run against a live account. A read
that fails becomes a data gap in the output, never a crash.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from evals.bundle import Bundle
from evals.replay import ReplayError, replay_session


class Section(BaseModel):
    title: str
    call: str
    rows: list[list[str]] = []
    columns: list[str] = []
    note: str | None = None
    gap: str | None = None


class Survey(BaseModel):
    title: str
    now: datetime
    question: str | None
    alarm: str | None
    sections: list[Section]


def _call_text(service: str, operation: str, params: dict[str, Any]) -> str:
    shown = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in params.items()}
    return f"{service}:{operation} {shown}"


def _read(
    sections: list[Section],
    title: str,
    service: str,
    operation: str,
    params: dict[str, Any],
    call: Callable[[dict[str, Any]], tuple[list[str], list[list[str]], str | None]],
) -> None:
    section = Section(title=title, call=_call_text(service, operation, params))
    try:
        section.columns, section.rows, section.note = call(params)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        section.gap = f"{err.get('Code')}: {err.get('Message')}"
    except (ReplayError, BotoCoreError) as exc:
        section.gap = str(exc)
    sections.append(section)


def _ts(value: datetime) -> str:
    return value.strftime("%H:%M")


def survey_bundle(bundle: Bundle) -> Survey:
    session, _ = replay_session(bundle)
    m = bundle.manifest
    now = m.now
    since = max(m.start, now - timedelta(hours=3))
    sections: list[Section] = []
    alarm_event = m.trigger.alarm_event
    alarm_name = alarm_event.detail.alarm_name if alarm_event else None
    cw = session.client("cloudwatch")

    def alarms(params: dict[str, Any]) -> tuple[list[str], list[list[str]], str | None]:
        found = cw.describe_alarms(**params)["MetricAlarms"]
        rows = [
            [
                a["AlarmName"],
                f"{a.get('Namespace', '')} {a.get('MetricName', '')}",
                _ts(a["StateUpdatedTimestamp"]),
            ]
            for a in found
        ]
        return ["alarm", "metric", "since"], rows, None if rows else "no alarm is in ALARM"

    _read(sections, "Alarms in ALARM", "cloudwatch", "DescribeAlarms", {"StateValue": "ALARM"}, alarms)
    if alarm_name:
        _alarm_metric(sections, session, alarm_name, m.start, now)
    _changes(sections, session, since, now)
    _error_logs(sections, session, since, now)
    _target_health(sections, session)
    _scaling(sections, session)
    _db_events(sections, session, since, now)
    return Survey(
        title=m.title,
        now=now,
        question=m.trigger.question,
        alarm=alarm_name,
        sections=sections,
    )


def _alarm_metric(
    sections: list[Section], session: boto3.Session, name: str, start: datetime, now: datetime
) -> None:
    cw = session.client("cloudwatch")
    described = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    if not described or "MetricName" not in described[0]:
        sections.append(
            Section(title=f"Metric of {name}", call="", gap="the alarm is not a single-metric alarm")
        )
        return
    alarm = described[0]
    stat = alarm.get("Statistic") or alarm.get("ExtendedStatistic") or "Average"
    params = {
        "MetricDataQueries": [
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {
                        "Namespace": alarm["Namespace"],
                        "MetricName": alarm["MetricName"],
                        "Dimensions": alarm.get("Dimensions", []),
                    },
                    "Period": alarm.get("Period", 60),
                    "Stat": stat,
                },
            }
        ],
        "StartTime": start,
        "EndTime": now,
        "ScanBy": "TimestampAscending",
    }

    def series(p: dict[str, Any]) -> tuple[list[str], list[list[str]], str | None]:
        result = cw.get_metric_data(**p)["MetricDataResults"][0]
        values, stamps = result["Values"], result["Timestamps"]
        if not values:
            return [], [], "no datapoints"
        threshold = alarm.get("Threshold")
        cut = len(values) * 2 // 3
        baseline = statistics.median(values[:cut]) if cut else values[0]
        peak = max(values)
        first_bad = next(
            (t for t, v in zip(stamps, values, strict=True) if threshold is not None and v > threshold), None
        )
        rows = [
            ["baseline (median, first two thirds)", f"{baseline:.2f}"],
            ["peak", f"{peak:.2f} at {_ts(stamps[values.index(peak)])}"],
            ["threshold", f"{threshold}"],
            ["first datapoint over threshold", _ts(first_bad) if first_bad else "none"],
        ]
        return ["", f"{alarm['MetricName']} ({stat})"], rows, None

    _read(sections, f"Metric of {name}", "cloudwatch", "GetMetricData", params, series)


def _changes(sections: list[Section], session: boto3.Session, since: datetime, now: datetime) -> None:
    trail = session.client("cloudtrail")
    params = {
        "LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
        "StartTime": since,
        "EndTime": now,
    }

    def changes(p: dict[str, Any]) -> tuple[list[str], list[list[str]], str | None]:
        events = trail.lookup_events(**p)["Events"]
        rows = [
            [
                _ts(e["EventTime"]),
                e.get("Username", "?"),
                e["EventName"],
                ", ".join(r.get("ResourceName", "") for r in e.get("Resources", []))[:60],
            ]
            for e in events[:15]
        ]
        return ["time", "who", "what", "resources"], rows, None if rows else "no write events"

    _read(
        sections,
        "Recent changes (CloudTrail writes, newest first)",
        "cloudtrail",
        "LookupEvents",
        params,
        changes,
    )


def _error_logs(sections: list[Section], session: boto3.Session, since: datetime, now: datetime) -> None:
    logs = session.client("logs")
    groups = [g["logGroupName"] for g in logs.describe_log_groups(limit=50)["logGroups"]]
    if not groups:
        sections.append(Section(title="Error logs", call="logs:DescribeLogGroups", gap="no log groups"))
        return
    params = {
        "logGroupNames": groups[:50],
        "startTime": int(since.timestamp()),
        "endTime": int(now.timestamp()),
        "queryString": "filter @message like /(?i)(error|exception|fail|timeout|denied|refused)/"
        " | stats count(*) as n by @log | sort n desc | limit 10",
    }

    def errors(p: dict[str, Any]) -> tuple[list[str], list[list[str]], str | None]:
        qid = logs.start_query(**p)["queryId"]
        results = logs.get_query_results(queryId=qid)["results"]
        rows = [[{f["field"]: f["value"] for f in r}.get(k, "") for k in ("@log", "n")] for r in results]
        return ["log group", "error-like lines"], rows, None if rows else "no error-like lines"

    _read(sections, "Error-like log lines by group (Logs Insights)", "logs", "StartQuery", params, errors)


def _target_health(sections: list[Section], session: boto3.Session) -> None:
    elb = session.client("elbv2")

    def health(p: dict[str, Any]) -> tuple[list[str], list[list[str]], str | None]:
        rows = []
        for group in elb.describe_target_groups()["TargetGroups"]:
            found = elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
            for d in found["TargetHealthDescriptions"]:
                th = d.get("TargetHealth", {})
                rows.append(
                    [group["TargetGroupName"], d["Target"]["Id"], th.get("State", ""), th.get("Reason", "")]
                )
        return ["target group", "target", "state", "reason"], rows, None if rows else "no targets"

    _read(sections, "Target health now", "elbv2", "DescribeTargetHealth", {}, health)


def _scaling(sections: list[Section], session: boto3.Session) -> None:
    asg = session.client("autoscaling")

    def activities(p: dict[str, Any]) -> tuple[list[str], list[list[str]], str | None]:
        acts = asg.describe_scaling_activities(**p)["Activities"]
        rows = [[_ts(a["StartTime"]), a["AutoScalingGroupName"], a.get("Description", "")[:70]] for a in acts]
        return ["time", "group", "activity"], rows, None if rows else "no scaling activity"

    _read(
        sections,
        "Auto Scaling activities (newest first)",
        "autoscaling",
        "DescribeScalingActivities",
        {"MaxRecords": 12},
        activities,
    )


def _db_events(sections: list[Section], session: boto3.Session, since: datetime, now: datetime) -> None:
    rds = session.client("rds")
    params = {"StartTime": since, "EndTime": now}

    def events(p: dict[str, Any]) -> tuple[list[str], list[list[str]], str | None]:
        found = rds.describe_events(**p)["Events"]
        rows = [[_ts(e["Date"]), e.get("SourceIdentifier", ""), e.get("Message", "")[:80]] for e in found]
        return ["time", "source", "message"], rows, None if rows else "no RDS events"

    _read(sections, "RDS events", "rds", "DescribeEvents", params, events)


def render_survey(console: Console, survey: Survey) -> None:
    console.rule(f"[bold]{survey.title}")
    console.print(f"now: {survey.now:%Y-%m-%d %H:%M} UTC", highlight=False)
    if survey.question:
        console.print(f"question: {survey.question}", highlight=False)
    if survey.alarm:
        console.print(f"alarm: {survey.alarm}", highlight=False)
    for section in survey.sections:
        console.print()
        console.print(f"[bold]{section.title}[/]")
        if section.call:
            console.print(f"  [dim]{section.call}[/]", highlight=False)
        if section.gap:
            console.print(f"  [yellow]data gap:[/] {section.gap}", highlight=False)
            continue
        if section.rows:
            table = Table(*section.columns, box=None, padding=(0, 2), show_edge=False)
            for row in section.rows:
                table.add_row(*row)
            console.print(table)
        if section.note:
            console.print(f"  {section.note}", highlight=False)
    console.print()
    console.print(
        "[dim]The investigation agent (hypotheses, ranking, remediation) is not built yet; "
        "this is what its first reads return.[/]"
    )
