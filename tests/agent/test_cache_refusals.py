"""A cache refusing writes at its memory limit: Redis's "OOM command not allowed" is the cache's state
(not a process killed for memory), it lands on the cache the caller is configured with, and an engine
setting changed hours before (an eviction policy that frees nothing) is the change that set the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers.logs import MESSAGE_SIGNALS
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
PRIMARY = "master.basket-cache.abc123.use1.cache.amazonaws.com"
OOM = "ERROR put basket: OOM command not allowed when used memory > 'maxmemory'."


def _signals(message: str) -> set[str]:
    return {signal for pattern, signal in MESSAGE_SIGNALS if pattern.search(message)}


def test_a_caches_oom_refusal_is_not_a_process_killed_for_memory() -> None:
    assert _signals(OOM) == {"cache_full_logs"}
    assert "oom_logs" in _signals("Task stopped: OutOfMemoryError: Container killed due to memory usage")
    assert "oom_logs" in _signals("reason: OOMKilled")


def _resources() -> list[dict[str, Any]]:
    member = {
        "CacheClusterId": "basket-cache-001",
        "ReplicationGroupId": "basket-cache",
        "CacheNodeType": "cache.r6g.large",
        "Engine": "redis",
        "EngineVersion": "7.1",
        "CacheClusterStatus": "available",
        "CacheParameterGroup": {
            "CacheParameterGroupName": "basket-redis7",
            "ParameterApplyStatus": "in-sync",
        },
    }
    return [
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": "basket-api",
                "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:basket-api",
                "Runtime": "nodejs20.x",
                "State": "Active",
                "Environment": {"Variables": {"REDIS_HOST": PRIMARY, "REDIS_AUTH": "not-kept"}},
            },
        ),
        res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": "basket-cache",
                "Status": "available",
                "MemberClusters": ["basket-cache-001"],
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "PrimaryEndpoint": {"Address": PRIMARY, "Port": 6379},
                        "ReaderEndpoint": {"Address": PRIMARY.replace("master.", "replica."), "Port": 6379},
                    }
                ],
                "CacheNodeType": "cache.r6g.large",
            },
        ),
        res("elasticache", "CacheCluster", member),
    ]


def test_the_cache_a_function_is_configured_with_is_described_by_its_endpoint() -> None:
    session, _ = replay_session(make_bundle({"resources": _resources()}))
    ctx = ToolContext(aws=AwsClients(session), now=T0 + timedelta(hours=6))
    graph = describe_resources.run(ctx, {"refs": ["basket-api"]}).data
    assert graph is not None
    nodes = {n.id: n for n in graph.nodes}
    assert PRIMARY in nodes["basket-cache"].attrs["dns_names"].split()
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert ("basket-cache", "parametergroup:basket-redis7", "uses_parameters") in edges
    assert "not-kept" not in graph.model_dump_json()


def test_writes_refused_at_the_memory_limit_name_the_setting_changed_hours_before() -> None:
    logs = [
        {
            "log_group": "/aws/lambda/basket-api",
            "log_stream": "2024/05/01/[$LATEST]0a1b2c3d",
            "timestamp": int((T0 + timedelta(minutes=minute)).timestamp() * 1000),
            "message": OOM if minute >= 300 else "INFO put basket ok",
        }
        for minute in range(200, 360)
        for _ in range(3 if minute >= 300 else 1)
    ]
    metrics = [
        {
            "namespace": "AWS/Lambda",
            "metric": "Errors",
            "dimensions": {"FunctionName": "basket-api"},
            "timestamp": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": 60.0 + minute % 3 if minute >= 300 else float(minute % 2),
        }
        for minute in range(360)
    ]
    change = trail(
        "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e01",
        "2024-05-01T00:20:00Z",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Platform_0a1b/lee",
        "ModifyCacheParameterGroup",
        {
            "cacheParameterGroupName": "basket-redis7",
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "noeviction"}],
        },
    )
    change["eventSource"] = "elasticache.amazonaws.com"
    bundle = make_bundle(
        {"resources": _resources(), "metrics": metrics, "logs": logs, "cloudtrail": [change]},
        trigger={"question": "basket-api has been failing to save baskets since about 05:00"},
    )
    report = offline(bundle)
    assert any("cache_full_logs" in e.signals and e.resource == "basket-cache" for e in report.evidence)
    top = report.hypotheses[0]
    assert top.failure_mode == "elasticache-memory-full-writes-refused", report.summary
    assert top.category == "change" and "basket-redis7" in top.resource


def _unlinked_resources() -> list[dict[str, Any]]:
    """The same cache, and a caller whose configuration says nothing about which cache it dials."""
    out = _resources()
    out[0]["item"]["Environment"] = {"Variables": {"LOG_LEVEL": "info"}}
    return out


def _evictions(start_minute: int) -> list[dict[str, Any]]:
    return [
        {
            "namespace": "AWS/ElastiCache",
            "metric": "Evictions",
            "dimensions": {"CacheClusterId": "basket-cache-001", "CacheNodeId": "0001"},
            "timestamp": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": 400.0 + minute % 7 if minute >= start_minute else 0.0,
        }
        for minute in range(360)
    ]


def test_a_refusal_from_an_unnamed_cache_lands_on_the_cache_at_its_memory_limit() -> None:
    logs = [
        {
            "log_group": "/aws/lambda/basket-api",
            "log_stream": "2024/05/01/[$LATEST]0a1b2c3d",
            "timestamp": int((T0 + timedelta(minutes=minute)).timestamp() * 1000),
            "message": OOM if minute >= 300 else "INFO put basket ok",
        }
        for minute in range(200, 360)
        for _ in range(3 if minute >= 300 else 1)
    ]
    change = trail(
        "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e02",
        "2024-05-01T00:20:00Z",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Platform_0a1b/lee",
        "ModifyCacheParameterGroup",
        {
            "cacheParameterGroupName": "basket-redis7",
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "volatile-lru"}],
        },
    )
    change["eventSource"] = "elasticache.amazonaws.com"
    bundle = make_bundle(
        {
            "resources": _unlinked_resources(),
            "metrics": _evictions(295),
            "logs": logs,
            "cloudtrail": [change],
        },
        trigger={"question": "basket-api has been failing to save baskets since about 05:00"},
    )
    report = offline(bundle)
    # the member node was found by its metrics; its group came with it and answers for it
    assert any("cache_full_logs" in e.signals and e.resource == "basket-cache" for e in report.evidence)
    # the setting changed almost five hours before: read because the cache was at its ceiling
    top = report.hypotheses[0]
    assert top.failure_mode == "elasticache-memory-full-writes-refused", report.summary
    assert "basket-redis7" in top.resource


def test_a_member_node_brings_its_replication_group_into_the_graph() -> None:
    session, _ = replay_session(make_bundle({"resources": _resources()}))
    ctx = ToolContext(aws=AwsClients(session), now=T0 + timedelta(hours=6))
    graph = describe_resources.run(ctx, {"refs": ["basket-cache-001"]}).data
    assert graph is not None
    edges = {(e.source, e.target, e.relation) for e in graph.edges}
    assert ("basket-cache-001", "basket-cache", "member_of") in edges


def test_a_caches_refusal_named_out_of_memory_by_its_client_is_not_the_callers_memory() -> None:
    """redis-py raises OutOfMemoryError for Redis's "command not allowed when used memory > 'maxmemory'":
    the cache is full; the function that logged it did not run out of memory. A process's own
    OutOfMemoryError still is its memory."""
    from agent.analyzers.logs import message_signals

    refused = message_signals(
        "[ERROR] OutOfMemoryError: command not allowed when used memory > 'maxmemory'. Traceback (most recent call last):"
    )
    assert "cache_full_logs" in refused and "oom_logs" not in refused
    assert "oom_logs" in message_signals("java.lang.OutOfMemoryError: Java heap space")
    assert "oom_logs" in message_signals("Runtime.OutOfMemory: Runtime exited with error: signal: killed")
