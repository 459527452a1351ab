"""A function stopped at its configured timeout: Lambda's own "Task timed out after N seconds" is the
function's limit, and the logs of what the alarm or question names count however few their error lines
are (a job that runs once a night fails once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers.logs import from_first_errors, message_signals
from agent.investigate import offline
from tests.agent.triggers.conftest import alarm_event
from tests.conftest import make_bundle
from tests.evals.test_scoring_diagnosis import trail
from tests.tools.test_resources import res
from tools.logs import ErrorCounts, GroupErrors
from tools.series import summarize

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
JOB = "usage-rollup"
GROUP = f"/aws/lambda/{JOB}"


def test_lambdas_timeout_line_is_the_functions_limit_not_any_timeout() -> None:
    said = message_signals("2024-05-01T01:45:01.254Z 0e52-4b79 Task timed out after 900.00 seconds")
    assert {"function_timed_out", "timeout_logs"} <= set(said)
    assert "function_timed_out" in message_signals(
        "REPORT RequestId: 0e52 Duration: 900000.00 ms Status: timeout"
    )
    # a client's own timeout calling something else is not the function's limit
    assert "function_timed_out" not in message_signals("ERROR upstream call timed out after 3 s")


def _line(minute: float, message: str, stream: str = "2024/05/01/[$LATEST]77cde1") -> dict[str, Any]:
    return {
        "log_group": GROUP,
        "log_stream": stream,
        "timestamp": int((T0 + timedelta(minutes=minute)).timestamp() * 1000),
        "message": message,
    }


def _function(name: str, timeout: int) -> dict[str, Any]:
    return res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}",
            "Runtime": "python3.12",
            "State": "Active",
            "Timeout": timeout,
            "MemorySize": 3008,
        },
    )


def _alarm() -> dict[str, Any]:
    return {
        "AlarmName": f"{JOB}-errors",
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{JOB}-errors",
        "StateValue": "ALARM",
        "StateReason": "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (01/05/24 01:45:00)] were "
        "greater than or equal to the threshold (1.0)",
        "StateUpdatedTimestamp": "2024-05-01T01:50:00.000Z",
        "MetricName": "Errors",
        "Namespace": "AWS/Lambda",
        "Dimensions": [{"Name": "FunctionName", "Value": JOB}],
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
    }


def test_a_nightly_run_stopped_at_the_timeout_is_the_functions_limit() -> None:
    # A start line every night at 01:30 and, tonight, one run stopped at its 900-second timeout.
    logs = [_line(90 + day * 1440, "START RequestId: 0a1b Version: $LATEST") for day in (-2, -1, 0)]
    logs += [_line(90 + day * 1440 + 14, "REPORT RequestId: 0a1b Duration: 852000.00 ms") for day in (-2, -1)]
    logs += [
        _line(105.02, "2024-05-01T01:45:01.254Z 0e52-4b79 Task timed out after 900.00 seconds"),
        _line(105.02, "REPORT RequestId: 0e52-4b79 Duration: 900000.00 ms Status: timeout"),
    ]
    errors = [
        {
            "namespace": "AWS/Lambda",
            "metric": "Errors",
            "dimensions": {"FunctionName": JOB},
            "timestamp": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": 1.0 if minute == 105 else 0.0,
        }
        # Lambda publishes only while the function runs: once a night
        for minute in (105 - 2880, 105 - 1440, 105)
    ]
    # an innocent change to another function minutes before
    change = trail(
        "6f1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e03",
        "2024-05-01T01:40:00Z",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Billing_0a1b/kim",
        "PutFunctionConcurrency20171031",
        {"functionName": "webhook-dispatch", "reservedConcurrentExecutions": 5},
    )
    change["eventSource"] = "lambda.amazonaws.com"
    bundle = make_bundle(
        {
            "resources": [_function(JOB, 900), _function("webhook-dispatch", 30)],
            "metrics": errors,
            "logs": logs,
            "cloudtrail": [change],
            "alarms": [_alarm()],
        },
        trigger={
            "alarm_event": alarm_event(
                f"{JOB}-errors",
                {"FunctionName": JOB},
                T0 + timedelta(minutes=110),
                namespace="AWS/Lambda",
                metric="Errors",
            )
        },
    )
    report = offline(bundle)
    top = report.hypotheses[0]
    assert (top.failure_mode, top.resource, top.category) == ("lambda-timeout-reached", JOB, "limit"), (
        report.summary
    )
    assert any("function_timed_out" in e.signals for e in report.evidence)


def test_first_errors_count_only_in_the_named_groups_and_only_from_a_silent_baseline() -> None:
    start = T0 + timedelta(hours=3)
    stamps = [T0 + timedelta(minutes=5 * i) for i in range(48)]

    def group(name: str, values: list[float]) -> GroupErrors:
        return GroupErrors(log_group=name, total=int(sum(values)), stats=summarize(stamps, values, start))

    once = [0.0] * 48
    once[40] = 2.0
    noisy = [1.0 if i % 9 == 0 else 0.0 for i in range(48)]
    noisy[40] = 2.0
    out = ErrorCounts(
        groups=[group(GROUP, once), group("/aws/lambda/other", once), group("/aws/lambda/flaky", noisy)],
        query="q",
        bin_minutes=5,
        total=3,
    )
    drafts = from_first_errors(out, {GROUP, "/aws/lambda/flaky"})
    assert [d.resource for d in drafts] == [JOB]
    assert drafts[0].start == stamps[40]


def test_a_function_waiting_on_what_its_own_lines_name_is_that_dependencys_effect() -> None:
    from agent.board import Evidence, SourceCall
    from agent.catalog import catalog
    from agent.scoring import generate, produces
    from agent.topology import Topology

    modes = catalog()
    # anything slow makes its caller run to its own timeout
    assert "function_timed_out" in produces(modes["third-party-dependency-slow-or-failing"])

    topo = Topology()
    fn = topo.add("lambda", "place-order")
    remote = topo.add("remote", "api.fraudcheck.example.com")
    topo.link(fn, remote, "calls")

    def ev(i: int, resource: str, signals: list[str], start: datetime | None, **facts: Any) -> Evidence:
        return Evidence(
            id=f"ev-{i}",
            kind="log_pattern" if start is None else "metric_anomaly",
            resource=resource,
            start=start,
            end=None,
            summary=", ".join(signals),
            source=SourceCall(tool="test", params={}),
            signals=signals,
            strength=0.85,
            facts=facts,
        )

    at = T0 + timedelta(hours=2)
    lines = ["new_error_pattern", "timeout_logs", "function_timed_out"]
    evidence = [
        ev(1, fn, ["error_rate_up"], at),
        ev(2, fn, lines, None),
        # the same lines, about what they name: the function was waiting on the endpoint
        ev(3, remote, ["new_error_pattern", "timeout_logs", "remote_slow"], None, seen_by=fn),
    ]
    ranked = sorted(generate(modes, evidence, topo, [fn]), key=lambda h: -h.confidence)
    own = next(h for h in ranked if h.failure_mode == "lambda-timeout-reached")
    assert ranked[0].resource == remote, [(h.failure_mode, h.resource, h.confidence) for h in ranked]
    assert "its own signs (function_timed_out) are what" in own.rationale
    assert own.confidence < ranked[0].confidence
    # without the link (lines that name nothing), the function's own limit stands first
    alone = sorted(generate(modes, evidence[:2], topo, [fn]), key=lambda h: -h.confidence)
    assert (alone[0].failure_mode, alone[0].resource) == ("lambda-timeout-reached", fn)
