"""Re-run commands: the tool call as made, and AWS CLI commands that send the very requests the tool sent.

The equivalence test runs each real tool against a replayed session, records the API parameters botocore
was given (`provide-client-params`, before anything is sent), parses our CLI command back into API
parameters with the service model, and compares the two.
"""

from __future__ import annotations

import functools
import json
import shlex
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from botocore.model import ServiceModel

from agent.board import SourceCall
from agent.report.rerun import aws_cli, tool_call
from evals.replay import replay_session
from tests.conftest import make_bundle
from tools.aws import AwsClients, RetryPolicy
from tools.catalog import REGISTRY
from tools.registry import ToolContext

WINDOW = {"start": "2024-05-01T04:00:00Z", "end": "2024-05-01T05:00:00Z"}
CLI_SERVICE = {"deploy": "codedeploy"}


def _cli(tool: str, **params: Any) -> list[str]:
    return aws_cli(SourceCall(tool=tool, params=params))


def test_tool_call_is_a_readable_call_with_json_values() -> None:
    call = SourceCall(
        tool="search_logs", params={"log_group": "/ecs/web", "filter_pattern": '"ERROR"', "limit": 5}
    )
    assert tool_call(call) == 'search_logs(log_group="/ecs/web", filter_pattern="\\"ERROR\\"", limit=5)'


def test_insights_query_becomes_start_query_in_epoch_seconds() -> None:
    cmds = _cli(
        "logs_insights", log_groups=["/ecs/web", "/ecs/api"], query="stats count(*) by bin(5m)", **WINDOW
    )
    # 2024-05-01T04:00:00Z is 1714536000; the tool's default limit is 50.
    assert cmds == [
        "aws logs start-query --log-group-names /ecs/web /ecs/api --start-time 1714536000 --end-time 1714539600 "
        "--query-string 'stats count(*) by bin(5m)' --limit 50",
        "aws logs get-query-results --query-id <queryId printed by start-query>",
    ]


def test_error_counts_reruns_the_query_over_the_baseline_too() -> None:
    cmds = _cli(
        "error_counts", log_groups=["/ecs/web"], regex="ERROR", bin_minutes=1, baseline_hours=2, **WINDOW
    )
    # The tool reads 2 h of baseline before the window: 02:00Z = 1714528800.
    assert cmds[0] == (
        "aws logs start-query --log-group-names /ecs/web --start-time 1714528800 --end-time 1714539600 "
        "--query-string 'filter @message like /ERROR/ and @message not like "
        '/(?i)\\b(errors?|failed|failures?|exceptions?|timeouts?)"? ?[=:] ?0\\b/ '
        "| stats count(*) as errors by bin(1m), @log' --limit 10000"
    )


def test_metric_series_fills_the_tool_defaults_and_the_baseline() -> None:
    (cmd,) = _cli(
        "metric_series",
        namespace="AWS/RDS",
        metric="CPUUtilization",
        dimensions={"DBInstanceIdentifier": "db1"},
        **WINDOW,
    )
    args = shlex.split(cmd)
    queries = json.loads(args[args.index("--metric-data-queries") + 1])
    assert queries == [
        {
            "Id": "m0",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/RDS",
                    "MetricName": "CPUUtilization",
                    "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "db1"}],
                },
                "Period": 60,
                "Stat": "Average",
            },
            "ReturnData": True,
        }
    ]
    assert args[args.index("--start-time") + 1] == "2024-05-01T01:00:00Z"  # 3 h default baseline
    assert args[args.index("--end-time") + 1] == "2024-05-01T05:00:00Z"


def test_cloudtrail_event_id_uses_shorthand_and_odd_values_use_json() -> None:
    (cmd,) = _cli("cloudtrail_lookup", key="EventId", value="abc-123", **WINDOW)
    assert cmd.startswith(
        "aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue=abc-123 "
    )
    assert "--max-items 20" in cmd
    (cmd,) = _cli("cloudtrail_lookup", key="ResourceName", value="a,b=c", **WINDOW)
    args = shlex.split(cmd)
    assert json.loads(args[4]) == [{"AttributeKey": "ResourceName", "AttributeValue": "a,b=c"}]


def test_untrusted_values_are_shell_quoted() -> None:
    (cmd,) = _cli("search_logs", log_group="/ecs/web; rm -rf /", filter_pattern="$(reboot) 'x'", **WINDOW)
    args = shlex.split(cmd)
    assert args[args.index("--log-group-name") + 1] == "/ecs/web; rm -rf /"
    assert args[args.index("--filter-pattern") + 1] == "$(reboot) 'x'"
    assert "'/ecs/web; rm -rf /'" in cmd  # one single-quoted word: the shell runs nothing from it


def test_every_cli_builder_names_a_registered_tool() -> None:
    from agent.report.rerun import _BUILDERS
    from tools.catalog import REGISTRY

    assert sorted(set(_BUILDERS) - set(REGISTRY)) == []


def test_no_cli_for_unknown_tools_invalid_params_or_fan_out_tools() -> None:
    assert _cli("mystery_tool", x=1) == []
    assert _cli("logs_insights", log_groups=[], query="x", **WINDOW) == []  # the tool itself would refuse
    assert (
        _cli("metric_series", namespace="AWS/EC2", metric="CPU", start=WINDOW["end"], end=WINDOW["start"])
        == []
    )
    assert _cli("key_metrics", resources=[], **WINDOW) == []


def test_rds_events_one_command_per_source_like_the_api() -> None:
    cmds = _cli("rds_events", source_type="db-instance", source_ids=["db1", "db2"], **WINDOW)
    assert [shlex.split(c)[-1] for c in cmds] == ["db1", "db2"]
    assert all("--source-type db-instance" in c for c in cmds)


# --- equivalence with the requests the tools really send -----------------------------------------


@functools.cache
def _service_model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


def _parse_cli(cmd: str) -> tuple[str, str, dict[str, Any]]:
    """`aws svc op --opt v ...` -> (botocore service, operation, API parameters) via the service model."""
    words = shlex.split(cmd)
    assert words[0] == "aws"
    service = CLI_SERVICE.get(words[1], words[1])
    model = _service_model(service)
    op = next(o for o in model.operation_names if xform_name(o, "-") == words[2])
    shape = model.operation_model(op).input_shape
    by_option = {xform_name(name, "-"): (name, member) for name, member in shape.members.items()}
    params: dict[str, Any] = {}
    i = 3
    while i < len(words):
        option = words[i][2:]
        values = []
        i += 1
        while i < len(words) and not words[i].startswith("--"):
            values.append(words[i])
            i += 1
        if option in ("max-items", "query", "output"):
            continue  # CLI-side: paging total, JMESPath projection, output format
        if option.startswith("no-") and option[3:] in by_option:
            params[by_option[option[3:]][0]] = False
            continue
        name, member = by_option[option]
        params[name] = _value(member, values)
    return service, op, params


def _value(shape: Any, values: list[str]) -> Any:
    if shape.type_name == "list":
        if len(values) == 1 and values[0].startswith("["):
            return json.loads(values[0])
        return [_scalar(shape.member, v) for v in values]
    (value,) = values
    return _scalar(shape, value)


def _scalar(shape: Any, value: str) -> Any:
    if shape.type_name == "structure":  # shorthand: Key=value,Key=value
        pairs = dict(kv.split("=", 1) for kv in value.split(","))
        return {k: _scalar(shape.members[k], v) for k, v in pairs.items()}
    if shape.type_name == "timestamp":
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if shape.type_name in ("integer", "long"):
        return int(value)
    return value


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


# tool, params, API parameters the CLI leaves to --max-items paging (not part of what is asked for)
CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("logs_insights", {"log_groups": ["/ecs/web"], "query": "fields @message | limit 5", "limit": 7}, set()),
    ("error_counts", {"log_groups": ["/ecs/web", "/ecs/api"], "bin_minutes": 5}, set()),
    ("search_logs", {"log_group": "/ecs/web", "filter_pattern": "?ERROR ?Timeout", "limit": 9}, {"limit"}),
    (
        "metric_series",
        {
            "namespace": "AWS/ApplicationELB",
            "metric": "TargetResponseTime",
            "dimensions": {"LoadBalancer": "app/a/1"},
            "stat": "p99",
            "period_s": 300,
        },
        set(),
    ),
    (
        "cloudtrail_lookup",
        {"key": "EventId", "value": "0f1e2d3c-aaaa-bbbb-cccc-000000000001"},
        {"MaxResults"},
    ),
    ("recent_changes", {}, {"MaxResults"}),
    ("trace_summaries", {"filter_expression": 'service("web") AND fault'}, set()),
    ("trace_faults", {"service": "checkout"}, set()),
    ("service_map", {}, set()),
    (
        "rds_events",
        {"source_type": "db-instance", "source_ids": ["orders-db"], "categories": ["failover"]},
        {"MaxRecords"},
    ),
    ("active_alarms", {"name_prefix": "web-"}, set()),
    (
        "get_traces",
        {"trace_ids": ["1-5759e988-bd862e3fe1be46a994272793", "1-5759e988-bd862e3fe1be46a994272794"]},
        set(),
    ),
    (
        "codedeploy_deployments",
        {"application": "web", "deployment_group": "prod", "statuses": ["Failed"]},
        set(),
    ),
    ("scaling_activities", {"group": "web-asg"}, {"MaxRecords"}),
    ("ecs_service_events", {"cluster": "prod", "service": "web"}, set()),
    ("lambda_config", {"function": "resize", "qualifier": "7"}, set()),
    ("db_log_tail", {"instance": "orders-db", "filename_contains": "error"}, set()),
    ("blackhole_routes", {"vpc_ids": ["vpc-0a1b2c3d4e5f60718"]}, {"MaxResults"}),
]
WINDOWED = {
    "logs_insights",
    "error_counts",
    "search_logs",
    "metric_series",
    "cloudtrail_lookup",
    "recent_changes",
}
WINDOWED |= {"trace_summaries", "trace_faults", "service_map", "rds_events", "codedeploy_deployments"}


@pytest.mark.parametrize(("tool", "params", "paging"), CASES, ids=[c[0] for c in CASES])
def test_cli_sends_the_same_request_as_the_tool(tool: str, params: dict[str, Any], paging: set[str]) -> None:
    if tool in WINDOWED:
        params = {**params, **WINDOW}
    bundle = make_bundle()
    session, _ = replay_session(bundle)
    aws = AwsClients(session, retry=RetryPolicy(attempts=1, initial_s=0.01, max_wait_s=0.01))
    sent: list[tuple[str, str, dict[str, Any]]] = []
    # Registered on the session, so every client the tool creates inherits it.
    session.events.register(
        "provide-client-params",
        lambda params, model, **_: sent.append((model.service_model.service_name, model.name, dict(params))),
    )
    result = REGISTRY[tool].run(ToolContext(aws=aws, now=bundle.manifest.now), params)
    assert sent, f"{tool} sent nothing"
    commands = aws_cli(SourceCall(tool=tool, params=params))
    compared = 0
    for cmd in commands:
        if "<queryId" in cmd:
            continue  # the follow-up read of a query's results, keyed by the id start-query prints
        service, op, cli_params = _parse_cli(cmd)
        requests = [p for s, o, p in sent if (s, o) == (service, op)]
        if not requests and compared and result.status != "ok":
            continue  # the empty bundle made an earlier call fail, so the tool never got this far
        assert requests, f"{cmd} names {service}:{op}, which {tool} never called"
        first = {k: v for k, v in requests[0].items() if k not in paging}
        assert _normal(cli_params) == _normal(first)
        compared += 1
    assert compared >= 1
