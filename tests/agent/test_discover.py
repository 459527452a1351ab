"""Discovery describes every resource the inventory finds, however many: describe_resources takes ten
references a call, so more are described in several calls, and none is dropped as a data gap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.investigate import offline
from tests.conftest import make_bundle

NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


def _function(name: str) -> dict[str, Any]:
    return {
        "service": "lambda",
        "type": "FunctionConfiguration",
        "item": {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
            "Runtime": "python3.12",
            "Role": "arn:aws:iam::123456789012:role/fn",
            "Handler": "app.handler",
            "MemorySize": 256,
            "Timeout": 30,
            "LastModified": "2024-04-01T00:00:00.000+0000",
            "State": "Active",
        },
    }


def test_more_than_ten_resources_are_all_described() -> None:
    names = [f"worker-{n:02d}" for n in range(14)]
    metrics = [
        {
            "namespace": "AWS/Lambda",
            "metric": "Invocations",
            "dimensions": {"FunctionName": name},
            "timestamp": (NOW - timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": 10.0,
        }
        for name in names
        for m in range(1, 200, 5)
    ]
    bundle = make_bundle(
        {"metrics": metrics, "resources": [_function(n) for n in names]},
        trigger={"question": "is anything wrong with the workers?"},
    )
    report = offline(bundle)
    assert not [g for g in report.data_gaps if "describe_resources" in g], report.data_gaps
