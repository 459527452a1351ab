"""Loading, validating and writing bundles: good ones round-trip, bad ones name file, line and field."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from evals.bundle import Bundle, BundleError
from tests.conftest import BASE_MANIFEST, make_bundle

ALARM = {
    "AlarmName": "api-5xx",
    "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx",
    "StateValue": "ALARM",
    "StateUpdatedTimestamp": "2024-05-01T05:10:00Z",
    "MetricName": "HTTPCode_Target_5XX_Count",
    "Namespace": "AWS/ApplicationELB",
    "Statistic": "Sum",
    "Dimensions": [{"Name": "LoadBalancer", "Value": "app/web/0123456789abcdef"}],
    "Period": 60,
    "EvaluationPeriods": 3,
    "Threshold": 10.0,
    "ComparisonOperator": "GreaterThanThreshold",
}

ALARM_EVENT = {
    "version": "0",
    "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    "source": "aws.cloudwatch",
    "account": "123456789012",
    "time": "2024-05-01T05:10:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx"],
    "detail": {
        "alarmName": "api-5xx",
        "state": {
            "value": "ALARM",
            "reason": "Threshold Crossed",
            "timestamp": "2024-05-01T05:10:00.000+0000",
        },
        "previousState": {"value": "OK", "reason": "", "timestamp": "2024-05-01T00:00:00.000+0000"},
        "configuration": {"metrics": []},
    },
}


def full_records() -> dict[str, list[Any]]:
    return {
        "metrics": [
            {
                "namespace": "AWS/EC2",
                "metric": "CPUUtilization",
                "dimensions": {"InstanceId": "i-0abc"},
                "timestamp": "2024-05-01T05:00:00Z",
                "unit": "Percent",
                "value": 42.0,
            },
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "TargetResponseTime",
                "dimensions": {"LoadBalancer": "app/web/0123456789abcdef"},
                "timestamp": "2024-05-01T05:00:00Z",
                "unit": "Seconds",
                "values": [0.1, 0.2],
                "counts": [10, 3],
            },
        ],
        "alarms": [ALARM],
        "alarm_history": [
            {
                "AlarmName": "api-5xx",
                "AlarmType": "MetricAlarm",
                "Timestamp": "2024-05-01T05:10:00Z",
                "HistoryItemType": "StateUpdate",
                "HistorySummary": "Alarm updated from OK to ALARM",
            }
        ],
        "logs": [
            {"log_group": "/app/api", "log_stream": "i-0abc", "timestamp": 1714539600000, "message": "ok"}
        ],
        "traces": [
            {
                "id": "70de5b6f19ff9a0a",
                "trace_id": "1-581cf771-a006649127e371903a2de979",
                "name": "api",
                "start_time": 1478293361.271,
                "end_time": 1478293361.449,
            }
        ],
        "cloudtrail": [
            {
                "eventVersion": "1.08",
                "eventTime": "2024-05-01T04:55:00Z",
                "eventSource": "ec2.amazonaws.com",
                "eventName": "RevokeSecurityGroupIngress",
                "eventID": "0e5f2a3b-1111-2222-3333-444455556666",
                "awsRegion": "us-east-1",
            }
        ],
        "resources": [
            {
                "service": "ec2",
                "type": "Instance",
                "item": {
                    "InstanceId": "i-0abc",
                    "LaunchTime": "2024-04-30T00:00:00Z",
                    "State": {"Name": "running"},
                },
            },
            {
                "service": "lambda",
                "type": "FunctionConcurrency",
                "item": {"FunctionName": "resize", "ReservedConcurrentExecutions": 5},
            },
        ],
        "events": [
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": "db-1",
                    "SourceType": "db-instance",
                    "Message": "DB instance restarted",
                    "Date": "2024-05-01T05:01:00Z",
                },
            }
        ],
    }


def test_round_trip_directory_and_archive(tmp_path: Path) -> None:
    bundle = make_bundle(full_records(), trigger={"question": "why 5xx?", "alarm_event": ALARM_EVENT})
    for target in (tmp_path / "dir", tmp_path / "b.tar.gz"):
        bundle.write(target)
        loaded = Bundle.load(target)
        assert loaded.kinds() == list(full_records())
        for kind, rows in full_records().items():
            assert list(loaded.records(kind)) == rows
        assert loaded.manifest == bundle.manifest
        assert loaded.manifest.trigger.alarm_event is not None
        assert loaded.manifest.trigger.alarm_event.detail.alarm_name == "api-5xx"


def test_archive_with_a_top_folder_is_accepted(tmp_path: Path) -> None:
    make_bundle(full_records()).write(tmp_path / "inner")
    archive = tmp_path / "wrapped.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "inner", arcname="incident-42")
    assert Bundle.load(archive).validate()["logs"] == 1


def write_dir(tmp_path: Path, manifest: dict[str, Any], files: dict[str, str]) -> Path:
    root = tmp_path / "bundle"
    root.mkdir()
    (root / "manifest.json").write_text(json.dumps(manifest))
    for name, body in files.items():
        (root / name).write_text(body)
    return root


@pytest.mark.parametrize(
    ("manifest_patch", "expected"),
    [
        ({"format": "sleuth-bundle/2"}, "field 'format'"),
        ({"account_id": "12345"}, "account_id must be 12 digits"),
        ({"region": "Europe"}, "not an AWS region name"),
        ({"start": "2024-05-01T07:00:00Z"}, "must be before end"),
        ({"now": "2024-04-30T00:00:00Z"}, "now must not be before start"),
        ({"end": "2024-05-01T06:00:00"}, "needs a time zone"),
        ({"truth": {"no_fault": False}}, "give a root_cause"),
        ({"truth": {"root_cause": {"resource": "x", "category": "bug", "failure_mode": "y"}}}, "category"),
        ({"colour": "red"}, "field 'colour'"),
        (
            {"trigger": {"question": "slow since 2pm", "timezone": "Mars/Olympus"}},
            "unknown time zone 'Mars/Olympus'",
        ),
    ],
)
def test_bad_manifest_names_the_field(tmp_path: Path, manifest_patch: dict[str, Any], expected: str) -> None:
    root = write_dir(tmp_path, {**BASE_MANIFEST, **manifest_patch}, {})
    with pytest.raises(BundleError, match="manifest.json") as err:
        Bundle.load(root)
    assert expected in str(err.value)


@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        (
            "logs.jsonl",
            ['{"log_group":"/a","log_stream":"s","timestamp":1,"message":"x"}', "{not json"],
            "line 2",
        ),
        (
            "logs.jsonl",
            ['{"log_group":"/a","log_stream":"s","timestamp":"soon","message":"x"}'],
            "field 'timestamp'",
        ),
        (
            "metrics.jsonl",
            ['{"namespace":"N","metric":"M","timestamp":"2024-05-01T00:00:00Z","value":1,"values":[1]}'],
            "exactly one of value",
        ),
        (
            "metrics.jsonl",
            ['{"namespace":"N","metric":"M","timestamp":"2024-05-01T00:00:00Z","unit":"Furlongs","value":1}'],
            "not a CloudWatch StandardUnit",
        ),
        ("alarms.jsonl", [json.dumps({**ALARM, "Threshold": "high"})], "Threshold"),
        ("alarms.jsonl", [json.dumps({**ALARM, "Colour": "red"})], "Colour"),
        (
            "resources.jsonl",
            ['{"service":"ec2","type":"Instance","item":{"InstanceId":7}}'],
            "InstanceId",
        ),
        ("resources.jsonl", ['{"service":"ec2","type":"Spaceship","item":{}}'], "ec2/Spaceship"),
        ("events.jsonl", ['{"source":"weather","item":{}}'], "unknown event source 'weather'"),
        (
            "traces.jsonl",
            ['{"id":"70de5b6f19ff9a0a","trace_id":"abc","name":"a","start_time":1,"end_time":2}'],
            "trace_id must look like",
        ),
        ("cloudtrail.jsonl", ['{"eventTime":"2024-05-01T00:00:00Z","eventSource":"s"}'], "field 'eventName'"),
    ],
)
def test_bad_record_names_file_line_and_field(
    tmp_path: Path, name: str, lines: list[str], expected: str
) -> None:
    root = write_dir(tmp_path, BASE_MANIFEST, {name: "\n".join(lines) + "\n"})
    with pytest.raises(BundleError) as err:
        Bundle.load(root)
    message = str(err.value)
    assert name in message
    assert f"line {len(lines)}" in message
    assert expected in message


def test_unexpected_file_and_missing_manifest(tmp_path: Path) -> None:
    root = write_dir(tmp_path, BASE_MANIFEST, {"metrics.json": "[]"})
    with pytest.raises(BundleError, match=r"unexpected files \['metrics.json'\]"):
        Bundle.load(root)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BundleError, match="has no manifest.json"):
        Bundle.load(empty)
    with pytest.raises(BundleError, match="no bundle at"):
        Bundle.load(tmp_path / "nowhere")


def test_not_an_archive(tmp_path: Path) -> None:
    bogus = tmp_path / "bundle.tar.gz"
    bogus.write_bytes(b"this is not gzip")
    with pytest.raises(BundleError, match="cannot unpack"):
        Bundle.load(bogus)


def test_write_validates_in_memory_records_first(tmp_path: Path) -> None:
    bundle = make_bundle({"logs": [{"log_group": "/a", "log_stream": "s", "timestamp": -5, "message": "x"}]})
    with pytest.raises(BundleError, match=r"<memory>/logs.jsonl line 1: field 'timestamp'"):
        bundle.write(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_validate_command_line(tmp_path: Path) -> None:
    good = make_bundle(full_records()).write(tmp_path / "good")
    bad = write_dir(tmp_path, BASE_MANIFEST, {"logs.jsonl": "[]\n"})
    run = subprocess.run(
        [sys.executable, "-m", "evals.bundle", "validate", str(good), str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "ok: " in run.stdout and "1 logs" in run.stdout
    assert "invalid: " in run.stderr and "logs.jsonl line 1" in run.stderr


def test_records_are_copied_as_a_json_round_trip_would_copy_them() -> None:
    """Records built in memory are copied directly when they hold only JSON's types and datetimes;
    the copy must be what a round trip through JSON text gives, for every other value too."""
    import enum
    import math
    from datetime import UTC, datetime, timedelta, timezone

    from evals.bundle.bundle import _json_default, _plain

    class Level(enum.IntEnum):
        HIGH = 3

    class Name(str):
        pass

    record = {
        "when": datetime(2024, 5, 1, 5, 10, 0, 123, tzinfo=UTC),
        "local": datetime(2024, 5, 1, 7, 10, tzinfo=timezone(timedelta(hours=2))),
        "naive": datetime(2024, 5, 1, 5, 10),
        "dims": ({"Name": "InstanceId", "Value": "i-0abc"},),
        "keys": {1: "int key", None: "null key", 2.5: "float key", False: "bool key"},
        "level": Level.HIGH,
        "name": Name("subclassed"),
        "nested": [[1, 2.0, -0.0, 10**30], {"a": None, "b": False}],
        "nan": math.nan,
        "inf": -math.inf,
    }
    copied = _plain(record)
    expected = json.loads(json.dumps(record, default=_json_default))
    assert math.isnan(copied.pop("nan")) and math.isnan(expected.pop("nan"))
    assert copied == expected and json.dumps(copied) == json.dumps(expected)
    assert type(copied["name"]) is str and type(copied["level"]) is int
    assert copied["dims"] is not record["dims"] and copied["dims"][0] is not record["dims"][0]
    with pytest.raises(TypeError, match="set is not JSON serialisable"):
        _plain({"tags": {"a", "b"}})
    looped: dict[str, Any] = {}
    looped["self"] = looped
    with pytest.raises(ValueError, match="Circular reference"):
        _plain(looped)
