"""`on_alarm` (what the Lambda runs) and the `watch` polling loop, over replayed bundles and moto."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import pytest

from agent.triggers.dedupe import DedupePolicy
from agent.triggers.events import parse_event
from agent.triggers.investigator import InvestigationRequest
from agent.triggers.runner import (
    TriggerConfig,
    bundle_clients,
    event_from_alarm,
    on_alarm,
    run_queued,
    watch,
)
from agent.triggers.sqlite_store import SQLiteStore
from tests.agent.triggers.conftest import FakeInvestigator, alarm_event, sample
from tests.conftest import BASE_MANIFEST, make_bundle
from tools.aws import AwsClients, CallBudget, RetryPolicy

T0 = datetime(2024, 5, 1, 5, 10, tzinfo=UTC)
ACCOUNT_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    db = SQLiteStore(tmp_path / "triggers.db", DedupePolicy())
    yield db
    db.close()


def metric_alarm(name: str, dims: dict[str, str], *, state: str = "ALARM", **extra: Any) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": ACCOUNT_ARN + name,
        "StateValue": state,
        "StateReason": "Threshold Crossed",
        "StateUpdatedTimestamp": "2024-05-01T05:10:00Z",
        "MetricName": "CPUUtilization",
        "Namespace": "AWS/EC2",
        "Statistic": "Average",
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold",
        **extra,
    }


def test_alarm_is_investigated_and_delivered(store: SQLiteStore, investigator: FakeInvestigator) -> None:
    delivered: list[tuple[InvestigationRequest, dict[str, Any]]] = []
    result = on_alarm(
        sample("single_metric"), investigator, store, deliver=lambda req, rep: delivered.append((req, rep))
    )
    assert result["status"] == "investigated"
    assert result["verdict"] == "inconclusive" and result["summary"] == "fake investigation"
    assert result["key"] == "123456789012/us-east-1/ec2_instance:i-12345678901234567"
    (request,) = investigator.requests
    assert request.investigation_id == result["investigation_id"]
    assert request.event is not None and request.event.detail.alarm_name == "ServerCpuTooHigh"
    assert [r.ref for r in request.scope.resources] == ["ec2_instance:i-12345678901234567"]
    assert delivered == [(request, {**investigator.report, "alarm": "ServerCpuTooHigh"})]
    (inv,) = store.investigations()
    assert inv.status == "done" and inv.result["verdict"] == "inconclusive"


@pytest.mark.parametrize(("state", "previous"), [("OK", "ALARM"), ("INSUFFICIENT_DATA", "OK")])
def test_ok_and_insufficient_data_never_start(
    state: str, previous: str, store: SQLiteStore, investigator: FakeInvestigator
) -> None:
    event = alarm_event("cpu", {"InstanceId": "i-1"}, T0, state=state, previous=previous)
    result = on_alarm(event, investigator, store)
    assert result == {
        "alarm": "cpu",
        "state": state,
        "status": "ignored",
        "reason": f"{state} transitions start no investigation",
    }
    assert investigator.requests == [] and store.investigations() == []


def test_bad_event_is_reported_and_kept(store: SQLiteStore, investigator: FakeInvestigator) -> None:
    raw = sample("single_metric")
    raw["detail"]["state"]["value"] = "FIRING"
    result = on_alarm(raw, investigator, store, clock=lambda: T0)
    assert result["status"] == "unprocessed" and result["field"] == "detail.state.value"
    (kept,) = store.unprocessed()
    assert kept.at == T0 and '"value": "FIRING"' in kept.raw and kept.error == result["error"]


def test_second_alarm_on_the_same_resource_joins(store: SQLiteStore, investigator: FakeInvestigator) -> None:
    first = on_alarm(alarm_event("cpu", {"InstanceId": "i-1"}, T0), investigator, store)
    second = on_alarm(
        alarm_event("status-check", {"InstanceId": "i-1"}, T0 + timedelta(minutes=4)), investigator, store
    )
    assert (first["status"], second["status"]) == ("investigated", "joined")
    assert second["investigation_id"] == first["investigation_id"] and second["alarms"] == 2
    assert len(investigator.requests) == 1


def test_investigator_failure_and_bad_report_are_recorded(store: SQLiteStore) -> None:
    crash = on_alarm(
        alarm_event("a", {"InstanceId": "i-1"}, T0), FakeInvestigator(error=RuntimeError("boom")), store
    )
    assert crash["status"] == "failed" and crash["error"] == "RuntimeError: boom"
    bad = on_alarm(
        alarm_event("b", {"InstanceId": "i-2"}, T0), FakeInvestigator(report={"verdict": "x"}), store
    )
    assert bad["status"] == "failed" and "report['summary'] must be a string" in bad["error"]
    assert [(i.status, i.result["error"]) for i in store.investigations()] == [
        ("failed", "RuntimeError: boom"),
        ("failed", bad["error"]),
    ]


def test_delivery_failure_keeps_the_result(store: SQLiteStore, investigator: FakeInvestigator) -> None:
    def deliver(_: InvestigationRequest, __: dict[str, Any]) -> None:
        raise ConnectionError("slack down")

    result = on_alarm(sample("single_metric"), investigator, store, deliver=deliver)
    assert result["status"] == "investigated" and result["delivery_error"] == "ConnectionError: slack down"
    assert store.investigations()[0].status == "done"


def test_queued_investigations_run_when_the_cap_window_has_room(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "capped.db", DedupePolicy(cap=1, cap_window_minutes=15))
    investigator = FakeInvestigator()
    events = [alarm_event(f"cpu-{n}", {"InstanceId": f"i-{n}"}, T0 + timedelta(seconds=n)) for n in range(3)]
    assert [on_alarm(e, investigator, store, clock=lambda: T0)["status"] for e in events] == [
        "investigated",
        "queued",
        "queued",
    ]
    assert run_queued(investigator, store, clock=lambda: T0 + timedelta(minutes=1)) == []  # window full
    ran = run_queued(investigator, store, clock=lambda: T0 + timedelta(minutes=20), limit=5)
    # one slot per window: only the oldest queued one runs now, from the event it was queued with
    assert [(r["alarm"], r["status"]) for r in ran] == [("cpu-1", "investigated")]
    assert investigator.requests[-1].scope.resources[0].ref == "ec2_instance:i-1"
    assert investigator.requests[-1].event is not None
    ran = run_queued(investigator, store, clock=lambda: T0 + timedelta(minutes=35))
    assert [r["alarm"] for r in ran] == ["cpu-2"]
    assert [i.status for i in store.investigations()] == ["done", "done", "done"]
    store.close()


def test_configured_window_reaches_the_investigator(
    store: SQLiteStore, investigator: FakeInvestigator
) -> None:
    on_alarm(
        sample("single_metric"), investigator, store, config=TriggerConfig(minutes_before=5, minutes_after=1)
    )
    scope = investigator.requests[0].scope
    assert (scope.changed_at - scope.start, scope.end - scope.changed_at) == (
        timedelta(minutes=5),
        timedelta(minutes=1),
    )


def _composite_records() -> dict[str, list[Any]]:
    return {
        "alarms": [
            metric_alarm("ServerCpuTooHigh", {"InstanceId": "i-12345678901234567"}),
            metric_alarm(
                "TotalNetworkTrafficTooHigh",
                {},
                Metrics=[
                    {"Id": "e1", "Expression": "SUM(METRICS())", "ReturnData": True},
                    {
                        "Id": "m1",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": "AWS/NATGateway",
                                "MetricName": "BytesOutToDestination",
                                "Dimensions": [{"Name": "NatGatewayId", "Value": "nat-0abc"}],
                            },
                            "Period": 300,
                            "Stat": "Sum",
                        },
                        "ReturnData": False,
                    },
                ],
            ),
        ]
    }


def _without_metric_fields(alarm: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in alarm.items()
        if k not in {"MetricName", "Namespace", "Statistic", "Dimensions", "Period"}
    }


def test_composite_children_resolved_from_a_replayed_bundle(
    replay: Callable[..., tuple[boto3.Session, Any]], store: SQLiteStore, investigator: FakeInvestigator
) -> None:
    records = _composite_records()
    records["alarms"][1] = _without_metric_fields(records["alarms"][1])
    session, _ = replay(records)
    result = on_alarm(sample("composite"), investigator, store, clients=AwsClients(session))
    assert result["status"] == "investigated"
    scope = investigator.requests[0].scope
    # the triggering child first, then the other child's metric-math resources
    assert [r.ref for r in scope.resources] == ["ec2_instance:i-12345678901234567", "nat_gateway:nat-0abc"]
    assert result["key"] == "123456789012/us-east-1/ec2_instance:i-12345678901234567+nat_gateway:nat-0abc"


def test_nested_composite_children_are_followed(
    replay: Callable[..., tuple[boto3.Session, Any]], store: SQLiteStore, investigator: FakeInvestigator
) -> None:
    inner = {
        "AlarmName": "inner",
        "AlarmArn": ACCOUNT_ARN + "inner",
        "AlarmRule": 'ALARM("db-cpu")',
        "StateValue": "ALARM",
        "StateUpdatedTimestamp": "2024-05-01T05:10:00Z",
    }
    db = metric_alarm("db-cpu", {"DBInstanceIdentifier": "orders"}, Namespace="AWS/RDS")
    session, _ = replay({"alarms": [inner, db]})
    event = sample("composite")
    event["detail"]["configuration"]["alarmRule"] = f'ALARM("{ACCOUNT_ARN}inner") AND NOT ALARM(maintenance)'
    event["detail"]["state"]["reasonData"] = "{}"
    on_alarm(event, investigator, store, clients=AwsClients(session))
    scope = investigator.requests[0].scope
    assert scope.children == ["inner", "maintenance"]
    assert [r.ref for r in scope.resources] == ["rds_instance:orders"]


def test_bundle_mode_runs_the_investigator_with_replayed_clients(
    tmp_path: Path, store: SQLiteStore, investigator: FakeInvestigator
) -> None:
    records = _composite_records()
    records["alarms"][1] = _without_metric_fields(records["alarms"][1])
    path = make_bundle(records).write(tmp_path / "incident")
    clients = bundle_clients(path)
    result = on_alarm(sample("composite"), investigator, store, clients=clients, bundle=path)
    assert result["status"] == "investigated"
    assert investigator.requests[0].bundle == path
    assert clients.budget.by_operation == {"cloudwatch:DescribeAlarms": 1}
    # the investigation gets the same session with a whole budget of its own
    given = investigator.requests[0].clients
    assert given is not None and given is not clients
    assert (given.session, given.budget.used, given.budget.limit) == (
        clients.session,
        0,
        clients.budget.limit,
    )


# --- watch --------------------------------------------------------------------------------------------


def test_event_from_alarm_parses_as_the_lambda_would() -> None:
    alarm = metric_alarm("cpu", {"InstanceId": "i-1"}, StateUpdatedTimestamp=T0, StateReasonData='{"a":1}')
    event = event_from_alarm(alarm, composite=False, region="eu-west-1")
    parsed = parse_event(event)
    assert (parsed.account, parsed.region) == ("123456789012", "us-east-1")  # from the ARN
    assert (
        parsed.detail.state.timestamp == T0
        and event["detail"]["state"]["timestamp"] == "2024-05-01T05:10:00.000+0000"
    )
    assert parsed.kind == "metric" and parsed.detail.previous_state is None
    stat = parsed.detail.configuration.metrics[0].metric_stat
    assert stat is not None and (stat.metric.dimensions, stat.period, stat.stat) == (
        {"InstanceId": "i-1"},
        60,
        "Average",
    )


def _moto_clients(endpoint: str) -> tuple[AwsClients, Any]:
    session = boto3.Session(
        region_name=BASE_MANIFEST["region"], aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    # the watch only reads; alarms are set through a plain client, as a person or CloudWatch would
    return AwsClients(session, endpoint_url=endpoint), session.client("cloudwatch", endpoint_url=endpoint)


def _put(cw: Any, name: str, instance: str) -> None:
    cw.put_metric_alarm(
        AlarmName=name,
        MetricName="CPUUtilization",
        Namespace="AWS/EC2",
        Statistic="Average",
        Dimensions=[{"Name": "InstanceId", "Value": instance}],
        Period=60,
        EvaluationPeriods=3,
        Threshold=80.0,
        ComparisonOperator="GreaterThanThreshold",
    )


def test_watch_reports_new_alarm_transitions_only(moto_endpoint: str, store: SQLiteStore) -> None:
    clients, cw = _moto_clients(moto_endpoint)
    for name, host in (("web-cpu", "i-1"), ("db-cpu", "i-2"), ("other-cpu", "i-3")):
        _put(cw, name, host)
    cw.set_alarm_state(AlarmName="web-cpu", StateValue="ALARM", StateReason="already firing")
    steps = iter(
        [
            lambda: cw.set_alarm_state(AlarmName="db-cpu", StateValue="ALARM", StateReason="new"),
            lambda: None,  # nothing changes: nothing is reported twice
            lambda: (
                cw.set_alarm_state(AlarmName="web-cpu", StateValue="OK", StateReason="recovered"),
                cw.set_alarm_state(AlarmName="web-cpu", StateValue="ALARM", StateReason="again"),
            ),
        ]
    )
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        next(steps)()

    investigator = FakeInvestigator()
    handle = partial(on_alarm, investigator=investigator, store=store, clients=clients)
    after: list[int] = []
    result = watch(
        clients,
        handle,
        interval_s=30,
        name_prefix="",
        max_polls=4,
        sleep=sleep,
        after_poll=lambda: after.append(len(investigator.requests)),
    )
    assert (result.polls, result.stopped_by, slept) == (4, "max_polls", [30, 30, 30])
    assert after == [0, 1, 1, 2]  # after each poll, once that poll's events were handled
    # web-cpu was firing before the watch began: baseline. Then db-cpu, then web-cpu's new transition.
    assert [h["alarm"] for h in result.handled] == ["db-cpu", "web-cpu"]
    assert [h["status"] for h in result.handled] == ["investigated", "investigated"]
    assert [r.scope.resources[0].ref for r in investigator.requests] == [
        "ec2_instance:i-2",
        "ec2_instance:i-1",
    ]


def test_watch_stops_cleanly_on_interrupt_and_at_until(moto_endpoint: str) -> None:
    clients, cw = _moto_clients(moto_endpoint)
    _put(cw, "cpu", "i-1")
    cw.set_alarm_state(AlarmName="cpu", StateValue="ALARM", StateReason="firing")
    calls: list[float] = []

    def interrupt(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) == 2:
            raise KeyboardInterrupt

    handled: list[dict[str, Any]] = []

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        handled.append(event)
        return {"alarm": event["detail"]["alarmName"]}

    result = watch(clients, handle, include_existing=True, sleep=interrupt)
    assert (result.polls, result.stopped_by) == (2, "interrupt")
    assert [e["detail"]["alarmName"] for e in handled] == ["cpu"]  # include_existing: reported once
    assert result.handled == [{"alarm": "cpu"}]
    ticks = iter([T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)])
    one_call = AwsClients(clients.session, budget=CallBudget(limit=1), endpoint_url=clients.endpoint_url)
    timed = watch(
        one_call,
        lambda e: {},
        until=T0 + timedelta(minutes=1),
        clock=lambda: next(ticks),
        sleep=lambda s: None,
    )
    # stopped by the clock, not by the call budget: each poll has a budget of its own
    assert (timed.polls, timed.stopped_by, one_call.budget.used) == (2, "until", 0)


def test_watch_events_match_between_moto_and_a_replayed_bundle(
    moto_endpoint: str, replay: Callable[..., tuple[boto3.Session, Any]]
) -> None:
    """The same alarms seeded in moto and in a bundle give the same events (ids and times normalised)."""
    clients, cw = _moto_clients(moto_endpoint)
    _put(cw, "api-cpu", "i-1")
    _put(cw, "idle", "i-2")
    cw.set_alarm_state(AlarmName="api-cpu", StateValue="ALARM", StateReason="Threshold Crossed")
    seeded = cw.describe_alarms()["MetricAlarms"]
    records = [
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in a.items() if k != "Metrics"}
        for a in seeded
    ]
    session, _ = replay({"alarms": records})

    def events(source: AwsClients) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []

        def keep(event: dict[str, Any]) -> dict[str, Any]:
            found.append(event)
            return {}

        watch(source, keep, include_existing=True, max_polls=1)
        for event in found:
            event.pop("id"), event.pop("time"), event["detail"]["state"].pop("timestamp")
        return found

    from_moto, from_bundle = events(clients), events(AwsClients(session))
    assert from_moto == from_bundle
    assert [e["detail"]["alarmName"] for e in from_moto] == ["api-cpu"]
    assert from_moto[0]["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"] == {
        "namespace": "AWS/EC2",
        "name": "CPUUtilization",
        "dimensions": {"InstanceId": "i-1"},
    }


def test_watch_survives_a_failing_poll() -> None:
    with socket.socket() as sock:  # a port nobody listens on: every call is refused at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    clients = AwsClients(session, retry=RetryPolicy(attempts=1), endpoint_url=f"http://127.0.0.1:{port}")
    result = watch(clients, lambda e: {}, max_polls=2, sleep=lambda s: None)
    assert (result.polls, result.stopped_by, result.handled) == (2, "max_polls", [])
    assert [e.split(":")[0] for e in result.errors] == ["poll 1", "poll 2"]
    assert "EndpointConnectionError" in result.errors[0]
