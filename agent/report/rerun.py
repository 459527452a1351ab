"""How to re-run a piece of evidence: the tool call as made, and the equivalent AWS CLI commands.

The CLI commands issue the same requests the tool makes (same windows, including the baseline the tool
reads before `start`), so an engineer can check a claim without Sleuth. Parameters are read through the
tool's own input model, so defaults the planner left out are filled in exactly as the tool filled them.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from agent.board import SourceCall
from tools.catalog import REGISTRY
from tools.logs import error_count_query

# A builder reads the tool's validated input model (found by tool name in the registry, so a tool
# moving between modules does not break re-run commands).
_Builder = Callable[[Any], list[str]]


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def tool_call(source: SourceCall) -> str:
    """`tool(name=value, ...)` with JSON values, as the agent called it."""
    args = ", ".join(
        f"{k}={json.dumps(v, default=_json_default, ensure_ascii=False)}" for k, v in source.params.items()
    )
    return f"{source.tool}({args})"


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _q(value: str) -> str:
    return shlex.quote(value)


def _cmd(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _start_query(groups: list[str], query: str, start: datetime, end: datetime, limit: int) -> list[str]:
    # StartQuery takes epoch seconds; its results come from a second call with the returned query id.
    return [
        _cmd(
            "aws logs start-query",
            "--log-group-names",
            " ".join(_q(g) for g in groups),
            f"--start-time {int(start.timestamp())} --end-time {int(end.timestamp())}",
            f"--query-string {_q(query)}",
            f"--limit {limit}",
        ),
        "aws logs get-query-results --query-id <queryId printed by start-query>",
    ]


def _logs_insights(a: Any) -> list[str]:
    return _start_query(a.log_groups, a.query, a.start, a.end, a.limit)


def _error_counts(a: Any) -> list[str]:
    # The same query and baseline-extended window tools.logs.error_counts runs.
    query = error_count_query(a.regex, a.bin_minutes)
    return _start_query(a.log_groups, query, a.start - timedelta(hours=a.baseline_hours), a.end, 10000)


def _search_logs(a: Any) -> list[str]:
    # FilterLogEvents takes epoch milliseconds; --max-items caps the total across pages like the tool.
    pattern = f"--filter-pattern {_q(a.filter_pattern)}" if a.filter_pattern else ""
    return [
        _cmd(
            f"aws logs filter-log-events --log-group-name {_q(a.log_group)}",
            f"--start-time {int(a.start.timestamp() * 1000)} --end-time {int(a.end.timestamp() * 1000)}",
            pattern,
            f"--max-items {a.limit}",
        )
    ]


def _find_log_groups(a: Any) -> list[str]:
    return ["aws logs describe-log-groups --query 'logGroups[].logGroupName'"]


def _metric_series(a: Any) -> list[str]:
    query = {
        "Id": "m0",
        "MetricStat": {
            "Metric": {
                "Namespace": a.namespace,
                "MetricName": a.metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in a.dimensions.items()],
            },
            "Period": a.period_s,
            "Stat": a.stat,
        },
        "ReturnData": True,
    }
    return [
        _cmd(
            "aws cloudwatch get-metric-data",
            f"--metric-data-queries {_q(json.dumps([query], separators=(',', ':')))}",
            f"--start-time {_iso(a.start - timedelta(hours=a.baseline_hours))} --end-time {_iso(a.end)}",
            "--scan-by TimestampAscending",
        )
    ]


def _lookup(key: str, value: str, start: datetime, end: datetime, limit: int | None) -> list[str]:
    # Shorthand syntax cannot carry a comma or '=' in the value; JSON syntax can.
    if any(c in value for c in ",=[]{}"):
        attrs = _q(json.dumps([{"AttributeKey": key, "AttributeValue": value}], separators=(",", ":")))
    else:
        attrs = _q(f"AttributeKey={key},AttributeValue={value}")
    return [
        _cmd(
            f"aws cloudtrail lookup-events --lookup-attributes {attrs}",
            f"--start-time {_iso(start)} --end-time {_iso(end)}",
            f"--max-items {limit}" if limit else "",
        )
    ]


def _cloudtrail_lookup(a: Any) -> list[str]:
    return _lookup(a.key, a.value, a.start, a.end, a.limit)


def _recent_changes(a: Any) -> list[str]:
    return _lookup("ReadOnly", "false", a.start, a.end, None)


def _active_alarms(a: Any) -> list[str]:
    states = ["ALARM"] + (["INSUFFICIENT_DATA"] if a.include_insufficient_data else [])
    prefix = f"--alarm-name-prefix {_q(a.name_prefix)}" if a.name_prefix else ""
    return [
        _cmd(
            f"aws cloudwatch describe-alarms --state-value {s}",
            "--alarm-types MetricAlarm CompositeAlarm",
            prefix,
        )
        for s in states
    ]


def _alarm_details(a: Any) -> list[str]:
    name = _q(a.name)
    return [
        f"aws cloudwatch describe-alarms --alarm-names {name} --alarm-types MetricAlarm CompositeAlarm",
        f"aws cloudwatch describe-alarm-history --alarm-name {name} --scan-by TimestampDescending",
    ]


def _summaries(start: datetime, end: datetime, expression: str | None) -> list[str]:
    expr = f"--filter-expression {_q(expression)}" if expression else ""
    return [
        _cmd(
            f"aws xray get-trace-summaries --start-time {_iso(start)} --end-time {_iso(end)}",
            "--no-sampling",
            expr,
        )
    ]


def _trace_summaries(a: Any) -> list[str]:
    return _summaries(a.start, a.end, a.filter_expression)


def _trace_faults(a: Any) -> list[str]:
    return _summaries(a.start, a.end, f'service("{a.service}")' if a.service else None)


def _service_map(a: Any) -> list[str]:
    return [f"aws xray get-service-graph --start-time {_iso(a.start)} --end-time {_iso(a.end)}"]


def _get_traces(a: Any) -> list[str]:
    return ["aws xray batch-get-traces --trace-ids " + " ".join(_q(t) for t in a.trace_ids)]


def _rds_events(a: Any) -> list[str]:
    base = _cmd(
        f"aws rds describe-events --start-time {_iso(a.start)} --end-time {_iso(a.end)}",
        f"--source-type {a.source_type}" if a.source_type else "",
        ("--event-categories " + " ".join(_q(c) for c in a.categories)) if a.categories else "",
    )
    # DescribeEvents takes one source identifier per call, so the tool makes one call per source.
    return [f"{base} --source-identifier {_q(s)}" for s in a.source_ids] or [base]


def _db_log_tail(a: Any) -> list[str]:
    contains = f" --filename-contains {_q(a.filename_contains)}" if a.filename_contains else ""
    out = [f"aws rds describe-db-log-files --db-instance-identifier {_q(a.instance)}{contains}"]
    if a.log_file:
        # With no log_file the tool tails the newest file the first command lists.
        out.append(
            f"aws rds download-db-log-file-portion --db-instance-identifier {_q(a.instance)} "
            f"--log-file-name {_q(a.log_file)} --number-of-lines {a.lines} --output text"
        )
    return out


def _deployments(a: Any) -> list[str]:
    return [
        _cmd(
            "aws deploy list-deployments",
            f"--application-name {_q(a.application)}" if a.application else "",
            f"--deployment-group-name {_q(a.deployment_group)}"
            if a.application and a.deployment_group
            else "",
            ("--include-only-statuses " + " ".join(a.statuses)) if a.statuses else "",
            f"--create-time-range start={_iso(a.start)},end={_iso(a.end)}",
        )
    ]


def _scaling(a: Any) -> list[str]:
    return [f"aws autoscaling describe-scaling-activities --auto-scaling-group-name {_q(a.group)}"]


def _ecs(a: Any) -> list[str]:
    return [f"aws ecs describe-services --cluster {_q(a.cluster)} --services {_q(a.service)}"]


def _lambda(a: Any) -> list[str]:
    qualifier = f" --qualifier {_q(a.qualifier)}" if a.qualifier else ""
    return [
        f"aws lambda get-function-configuration --function-name {_q(a.function)}{qualifier}",
        f"aws lambda get-function-concurrency --function-name {_q(a.function)}",
    ]


def _describe(a: Any) -> list[str]:
    # Only an instance-only read has one faithful equivalent; the graph walk spans many services.
    if a.include_network or not all(r.startswith("i-") for r in a.refs):
        return []
    return ["aws ec2 describe-instances --instance-ids " + " ".join(_q(r) for r in a.refs)]


def _blackholes(a: Any) -> list[str]:
    filters: list[dict[str, Any]] = [{"Name": "route.state", "Values": ["blackhole"]}]
    if a.vpc_ids:
        filters.append({"Name": "vpc-id", "Values": list(dict.fromkeys(a.vpc_ids))})
    return ["aws ec2 describe-route-tables --filters " + _q(json.dumps(filters, separators=(",", ":")))]


_BUILDERS: dict[str, _Builder] = {
    "blackhole_routes": _blackholes,
    "describe_resources": _describe,
    "logs_insights": _logs_insights,
    "error_counts": _error_counts,
    "search_logs": _search_logs,
    "find_log_groups": _find_log_groups,
    "metric_series": _metric_series,
    "cloudtrail_lookup": _cloudtrail_lookup,
    "recent_changes": _recent_changes,
    "active_alarms": _active_alarms,
    "alarm_details": _alarm_details,
    "trace_summaries": _trace_summaries,
    "trace_faults": _trace_faults,
    "service_map": _service_map,
    "get_traces": _get_traces,
    "rds_events": _rds_events,
    "db_log_tail": _db_log_tail,
    "codedeploy_deployments": _deployments,
    "scaling_activities": _scaling,
    "ecs_service_events": _ecs,
    "lambda_config": _lambda,
}


def aws_cli(source: SourceCall) -> list[str]:
    """The AWS CLI commands that make the same requests, or [] when there is no faithful equivalent
    (an unknown tool, parameters the tool would reject, or a tool that aggregates many calls)."""
    build = _BUILDERS.get(source.tool)
    tool = REGISTRY.get(source.tool)
    if build is None or tool is None:
        return []
    try:
        args = tool.input_model.model_validate(source.params)
    except ValidationError:
        return []
    return build(args)


def narrowed(kind: str, resource: str | None, facts: dict[str, Any], source: SourceCall) -> SourceCall:
    """The smallest tool call that reproduces one evidence item: the one metric a scan found moving
    (`metric_series` with the scan's window, baseline and period), or the one CloudTrail event a change
    listing found (`cloudtrail_lookup` by EventId), the one instance a resource walk found stopped.
    Anything else is re-run as it was called."""
    params = source.params
    one_metric = all(facts.get(k) for k in ("namespace", "metric", "stat")) and "dimensions" in facts
    if kind == "metric_anomaly" and source.tool in ("key_metrics", "namespace_metrics") and one_metric:
        narrow = {k: facts[k] for k in ("namespace", "metric", "dimensions", "stat")}
        narrow |= {k: params[k] for k in ("start", "end", "baseline_hours", "period_s") if k in params}
        return SourceCall(tool="metric_series", params=narrow)
    if kind == "change_event" and source.tool == "recent_changes" and facts.get("event_id"):
        narrow = {"key": "EventId", "value": facts["event_id"], "limit": 1}
        narrow |= {k: params[k] for k in ("start", "end") if k in params}
        return SourceCall(tool="cloudtrail_lookup", params=narrow)
    if kind == "resource_state" and source.tool == "describe_resources" and (resource or "").startswith("i-"):
        return SourceCall(tool="describe_resources", params={"refs": [resource], "include_network": False})
    return source


def evidence_fields(
    kind: str, resource: str | None, facts: dict[str, Any], source: SourceCall
) -> dict[str, Any]:
    """What a report's evidence item carries to be re-run: the narrowed call and its AWS CLI commands."""
    call = narrowed(kind, resource, facts, source)
    return {"rerun": call, "aws_cli": aws_cli(call)}
