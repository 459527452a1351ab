"""What happens inside a database, seen from it and from its clients: storage I/O at its ceiling (queue
depth and latency climb, the instance's EBS byte credits run out), lock waits and deadlocks (decided in
the database, whoever holds the lock), and a failover that made an alarm blip (a brief excursion that a
platform event on the path explains is that event's impact, not noise)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers.logs import message_signals
from agent.investigate import offline
from tests.agent.triggers.conftest import alarm_event
from tests.conftest import make_bundle
from tests.evals.test_scoring_diagnosis import trail
from tests.tools.test_resources import res

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
DB = "statements-pg"
API = "statements-api"


def test_lock_waits_are_the_databases_state() -> None:
    for said in (
        "SQL Error: 1205, SQLState: 40001 Lock wait timeout exceeded; try restarting transaction",
        "Deadlock found when trying to get lock; try restarting transaction",
        "ERROR: canceling statement due to lock timeout",
        "ERROR: deadlock detected",
    ):
        assert "db_lock_contention" in message_signals(said), said
    assert "db_lock_contention" not in message_signals("HikariPool-1 - Connection is not available")


def _series(namespace: str, name: str, dims: dict[str, str], unit: str, value: Any) -> list[dict[str, Any]]:
    """A datapoint a minute for six hours; `value(minute)` gives each."""
    return [
        {
            "namespace": namespace,
            "metric": name,
            "dimensions": dims,
            "timestamp": (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": unit,
            "value": float(value(m)),
        }
        for m in range(360)
    ]


def _db(engine: str = "postgres") -> dict[str, Any]:
    return res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": DB,
            "DBInstanceClass": "db.m6g.large",
            "DBInstanceStatus": "available",
            "Engine": engine,
            "Endpoint": {"Address": f"{DB}.c1a2b3.us-east-1.rds.amazonaws.com", "Port": 5432},
            "DBParameterGroups": [
                {"DBParameterGroupName": f"{DB}-params", "ParameterApplyStatus": "in-sync"}
            ],
        },
    )


def _api() -> dict[str, Any]:
    return res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": API,
            "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{API}",
            "Runtime": "python3.12",
            "State": "Active",
            "Environment": {"Variables": {"DB_HOST": f"{DB}.c1a2b3.us-east-1.rds.amazonaws.com"}},
        },
    )


def _logs(first: int, message: str) -> list[dict[str, Any]]:
    return [
        {
            "log_group": f"/aws/lambda/{API}",
            "log_stream": "2024/05/01/[$LATEST]9a8b7c",
            "timestamp": int((T0 + timedelta(minutes=m, seconds=s)).timestamp() * 1000),
            "message": message if m >= first else "[INFO] statement page served in 84 ms",
        }
        for m in range(120, 360)
        for s in ((5, 25, 45) if m >= first else (30,))
    ]


def test_a_database_whose_storage_io_is_at_its_ceiling_is_the_origin() -> None:
    dims = {"DBInstanceIdentifier": DB}
    metrics = (
        _series(
            "AWS/RDS", "DiskQueueDepth", dims, "Count", lambda m: 60 + m % 5 if m >= 270 else 1 + m % 2 * 0.2
        )
        + _series("AWS/RDS", "ReadLatency", dims, "Seconds", lambda m: 0.03 if m >= 270 else 0.0006)
        + _series(
            "AWS/RDS",
            "EBSByteBalance%",
            dims,
            "Percent",
            lambda m: max(0, 100 - 4 * (m - 250)) if m >= 250 else 100,
        )
        + _series("AWS/RDS", "CPUUtilization", dims, "Percent", lambda m: 22 + m % 3)
        + _series(
            "AWS/Lambda", "Errors", {"FunctionName": API}, "Count", lambda m: 12 + m % 3 if m >= 290 else 0
        )
    )
    # an engine parameter edited hours before: it does not set how fast the storage is
    edit = trail(
        "3b1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e07",
        "2024-05-01T01:10:00Z",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_DatabaseAdmin_0a1b/priya",
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": f"{DB}-params",
            "parameters": [
                {"parameterName": "work_mem", "parameterValue": "65536", "applyMethod": "immediate"}
            ],
        },
    )
    edit["awsRegion"] = "us-east-1"
    bundle = make_bundle(
        {
            "resources": [_db(), _api()],
            "metrics": metrics,
            "logs": _logs(290, "[ERROR] canceling statement due to statement timeout"),
            "cloudtrail": [edit],
        },
        trigger={"question": "statement pages have been slow and failing since about 04:50"},
    )
    report = offline(bundle)
    assert any("ebs_balance_exhausted" in e.signals and e.resource == DB for e in report.evidence)
    top = report.hypotheses[0]
    assert (top.resource, top.failure_mode, top.category) == (DB, "rds-storage-io-ceiling", "limit"), (
        report.summary
    )


def test_lock_waits_in_a_clients_logs_are_the_database_it_uses() -> None:
    metrics = _series(
        "AWS/Lambda", "Errors", {"FunctionName": API}, "Count", lambda m: 20 + m % 4 if m >= 300 else 0
    )
    bundle = make_bundle(
        {
            "resources": [_db("mysql"), _api()],
            "metrics": metrics,
            "logs": _logs(
                300,
                "[ERROR] OperationalError: (1205, 'Lock wait timeout exceeded; try restarting transaction')",
            ),
        },
        trigger={"question": "statement saves fail since 05:00"},
    )
    report = offline(bundle)
    assert any("db_lock_contention" in e.signals and e.resource == DB for e in report.evidence)
    top = report.hypotheses[0]
    assert (top.resource, top.failure_mode) == (DB, "rds-lock-contention"), report.summary


def _rds_event(minute: float, message: str, cats: list[str]) -> dict[str, Any]:
    return {
        "source": "rds",
        "item": {
            "SourceIdentifier": DB,
            "SourceType": "db-instance",
            "Message": message,
            "EventCategories": cats,
            "Date": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "SourceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:{DB}",
        },
    }


def _blip_bundle(events: list[dict[str, Any]]) -> Any:
    """An API's errors alarm fired on a two-minute burst and cleared; the API reads the database."""
    metrics = _series(
        "AWS/Lambda", "Errors", {"FunctionName": API}, "Count", lambda m: 400 if m in (334, 335) else m % 2
    ) + _series("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": DB}, "Percent", lambda m: 30 + m % 3)
    alarm = {
        "AlarmName": f"{API}-errors",
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{API}-errors",
        "StateValue": "OK",
        "StateReason": "Threshold Crossed: 1 datapoint [1.0 (01/05/24 05:40:00)] was not greater than the threshold (50.0).",
        "StateUpdatedTimestamp": "2024-05-01T05:40:00.000Z",
        "MetricName": "Errors",
        "Namespace": "AWS/Lambda",
        "Dimensions": [{"Name": "FunctionName", "Value": API}],
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": 50.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }
    return make_bundle(
        {"resources": [_db(), _api()], "metrics": metrics, "alarms": [alarm], "events": events},
        trigger={
            "alarm_event": alarm_event(
                f"{API}-errors",
                {"FunctionName": API},
                T0 + timedelta(minutes=336),
                namespace="AWS/Lambda",
                metric="Errors",
            )
        },
    )


def test_a_blip_that_a_failover_on_the_path_explains_is_not_noise() -> None:
    failover = [
        _rds_event(333.5, "The primary host of the RDS Multi-AZ instance is unhealthy.", ["failover"]),
        _rds_event(333.6, "Multi-AZ instance failover started.", ["failover"]),
        _rds_event(335.2, "Multi-AZ instance failover completed.", ["failover"]),
    ]
    report = offline(_blip_bundle(failover))
    assert report.verdict != "no_fault", report.summary
    assert report.hypotheses[0].resource == DB, report.summary
    # the same blip with nothing on the path: an alarm too eager, not an incident
    assert offline(_blip_bundle([])).verdict == "no_fault"
    # nor does a change the database applies online (storage grown by autoscaling) explain it
    grown = [
        _rds_event(
            333.0, "Applying autoscaling-initiated modification to allocated storage.", ["notification"]
        ),
        _rds_event(336.0, "Finished applying autoscaling-initiated modification to allocated storage.", []),
    ]
    assert offline(_blip_bundle(grown)).verdict == "no_fault"


def test_a_databases_own_lines_are_an_event_only_when_they_speak_of_its_lifecycle() -> None:
    from agent.analyzers.state import from_db_log
    from tools.database import DbLogTail

    def signals(*lines: str) -> list[str]:
        tail = DbLogTail(instance=DB, log_file="error/postgresql.log.2024-05-01-04", lines=list(lines))
        return [s for d in from_db_log(tail) for s in d.signals]

    # clients refused at its connection limit: the database at a limit, not an event that interrupted it
    refused = signals(
        "2024-05-01 04:22:23 UTC:10.20.32.140(44549):app@orders:[82592]:FATAL:  remaining connection slots "
        "are reserved for non-replication superuser and rds_superuser connections"
    )
    assert refused == ["connections_high", "db_connection_errors"]
    assert signals("FATAL: sorry, too many clients already") == ["connections_high", "db_connection_errors"]
    # the engine stopping, crashing or recovering is
    assert "db_event" in signals("LOG:  server process (PID 4242) was terminated by signal 9: Killed")
    assert "db_event" in signals("LOG:  database system was interrupted; last known up at 04:10:02 UTC")
    # an error with nothing more to say keeps its line as evidence, with no signal
    assert signals('ERROR:  relation "audit_tmp" does not exist') == []


def test_writes_refused_as_read_only_say_the_writer_talks_to_a_reader() -> None:
    from agent.catalog import catalog

    for said in (
        "ERROR:  cannot execute INSERT in a read-only transaction",
        "ERROR 1290 (HY000): The MySQL server is running with the --read-only option so it cannot execute this statement",
        "redis.exceptions.ReadOnlyError: READONLY You can't write against a read only replica.",
    ):
        assert "read_only_refused" in message_signals(said), said
    # a database answering as it is meant to is not one out of connections
    assert "read_only_refused" in catalog()["rds-max-connections-exhausted"].contradicting
