"""A global secondary index short of write capacity throttles writes to its table (DynamoDB's
back-pressure) while the table itself shows headroom: the index is read as a resource of its own, with
its own metrics, and is the root cause; a change elsewhere, linked to the trouble by time alone, does not
explain its throttles away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.investigate import offline
from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.evals.test_scoring_diagnosis import trail
from tests.tools.test_resources import res
from tools.aws import AwsClients
from tools.registry import ToolContext
from tools.resources import describe_resources

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/scan-events"
INDEX_ARN = f"{TABLE_ARN}/index/by-batch"
REFUSED = (
    '{"level":"ERROR","message":"failed to record scan","error":{"name":"ProvisionedThroughputExceededException",'
    '"message":"The level of configured provisioned throughput for one or more global secondary indexes of the '
    'table was exceeded."}}'
)


def _resources() -> list[dict[str, Any]]:
    def capacity(read: int, write: int) -> dict[str, Any]:
        return {"ReadCapacityUnits": read, "WriteCapacityUnits": write, "NumberOfDecreasesToday": 0}

    return [
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": "scan-intake",
                "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:scan-intake",
                "Runtime": "nodejs20.x",
                "State": "Active",
                "Environment": {"Variables": {"TABLE_NAME": "scan-events"}},
            },
        ),
        res(
            "dynamodb",
            "TableDescription",
            {
                "TableName": "scan-events",
                "TableArn": TABLE_ARN,
                "TableStatus": "ACTIVE",
                "ItemCount": 120000,
                "BillingModeSummary": {"BillingMode": "PROVISIONED"},
                "ProvisionedThroughput": capacity(200, 400),
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "by-batch",
                        "IndexArn": INDEX_ARN,
                        "IndexStatus": "ACTIVE",
                        "KeySchema": [{"AttributeName": "batchId", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "KEYS_ONLY"},
                        "ProvisionedThroughput": capacity(50, 25),
                    }
                ],
            },
        ),
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": "label-printer",
                "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:label-printer",
                "Runtime": "python3.12",
                "State": "Active",
            },
        ),
    ]


def _at(minute: int) -> str:
    return (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_tables_global_secondary_indexes_are_resources_with_their_own_capacity() -> None:
    session, _ = replay_session(make_bundle({"resources": _resources()}))
    ctx = ToolContext(aws=AwsClients(session), now=T0 + timedelta(hours=6))
    graph = describe_resources.run(ctx, {"refs": ["scan-events"]}).data
    assert graph is not None
    nodes = {n.id: n for n in graph.nodes}
    index = nodes[INDEX_ARN]
    assert index.kind == "dynamodb_index" and index.name == "by-batch"
    assert index.attrs["capacity"] == "RCU 50 WCU 25" and index.attrs["table"] == "scan-events"
    assert (INDEX_ARN, "scan-events", "index_of") in {(e.source, e.target, e.relation) for e in graph.edges}


def test_an_index_short_of_write_capacity_is_the_cause_of_its_tables_throttled_writes() -> None:
    onset = 300

    def series(namespace: str, metric: str, dims: dict[str, str], value: Any, since: int = 0) -> list[Any]:
        return [
            {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": _at(minute),
                "unit": "Count",
                "value": value(minute),
            }
            for minute in range(since, 360)
        ]

    index = {"TableName": "scan-events", "GlobalSecondaryIndexName": "by-batch"}
    metrics = [
        # The table has headroom all along ...
        *series(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "scan-events"},
            lambda m: 6000.0 + 40 * (m % 5),
        ),
        # ... its index does not, from the onset (throttles are published only when they happen).
        *series(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            index,
            lambda m: 1500.0 if m >= onset else 900.0 + 20 * (m % 4),
        ),
        *series("AWS/DynamoDB", "WriteThrottleEvents", index, lambda m: 180.0 + 7 * (m % 5), since=onset),
        *series(
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "scan-intake"},
            lambda m: 40.0 + m % 3 if m >= onset else float(m % 2),
        ),
    ]
    logs = [
        {
            "log_group": "/aws/lambda/scan-intake",
            "log_stream": "2024/05/01/[$LATEST]0a1b2c3d",
            "timestamp": int((T0 + timedelta(minutes=minute)).timestamp() * 1000),
            "message": REFUSED if minute >= onset else '{"level":"INFO","message":"scan recorded"}',
        }
        for minute in range(200, 360)
        for _ in range(3 if minute >= onset else 1)
    ]
    # An innocent edit of an unrelated function shortly before: time is its only link to the trouble.
    innocent = trail(
        "5d2e3f40-6b7c-4d8e-9fa0-1b2c3d4e5f02",
        _at(onset - 12),
        f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Platform_0a1b/lee",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "label-printer", "memorySize": 512},
    )
    innocent["eventSource"] = "lambda.amazonaws.com"
    bundle = make_bundle(
        {"resources": _resources(), "metrics": metrics, "logs": logs, "cloudtrail": [innocent]},
        trigger={"question": "scan-intake has been failing to record scans since about 05:00"},
    )
    report = offline(bundle)
    top = report.hypotheses[0]
    assert top.failure_mode == "dynamodb-gsi-write-capacity-exceeded", report.summary
    assert top.resource == "by-batch" and top.category == "limit"  # the graph names the index by its name
    scale = next(r for r in top.remediation if r.action == "scale")
    assert "--resource-id table/scan-events/index/by-batch" in (scale.command or "")
    # The unrelated edit does not explain the index's throttles away, nor outrank it.
    assert all(h.confidence < top.confidence for h in report.hypotheses[1:])
