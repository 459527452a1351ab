"""ElastiCache replay: clusters, replication groups, parameter groups and parameters, events in their
window; pages and not-found as ElastiCache words them; changes never reach a handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

ARN = "arn:aws:elasticache:us-east-1:123456789012"


def cluster(cid: str, group: str | None, az: str, **fields: Any) -> dict[str, Any]:
    item = {
        "CacheClusterId": cid,
        "CacheNodeType": "cache.r6g.large",
        "Engine": "redis",
        "EngineVersion": "7.1.0",
        "CacheClusterStatus": "available",
        "NumCacheNodes": 1,
        "PreferredAvailabilityZone": az,
        "CacheClusterCreateTime": "2024-03-01T00:00:00Z",
        "CacheParameterGroup": {
            "CacheParameterGroupName": "sessions-redis7",
            "ParameterApplyStatus": "in-sync",
        },
        "CacheNodes": [{"CacheNodeId": "0001", "CacheNodeStatus": "available"}],
        "SecurityGroups": [{"SecurityGroupId": "sg-0123456789abcdef0", "Status": "active"}],
        "ARN": f"{ARN}:cluster:{cid}",
        **({"ReplicationGroupId": group} if group else {}),
        **fields,
    }
    return {"service": "elasticache", "type": "CacheCluster", "item": item}


GROUP = {
    "service": "elasticache",
    "type": "ReplicationGroup",
    "item": {
        "ReplicationGroupId": "sessions",
        "Description": "session store",
        "Status": "available",
        "MemberClusters": ["sessions-001", "sessions-002"],
        "NodeGroups": [
            {
                "NodeGroupId": "0001",
                "Status": "available",
                "PrimaryEndpoint": {
                    "Address": "sessions.abc123.ng.0001.use1.cache.amazonaws.com",
                    "Port": 6379,
                },
                "NodeGroupMembers": [
                    {
                        "CacheClusterId": "sessions-001",
                        "CurrentRole": "replica",
                        "PreferredAvailabilityZone": "us-east-1a",
                    },
                    {
                        "CacheClusterId": "sessions-002",
                        "CurrentRole": "primary",
                        "PreferredAvailabilityZone": "us-east-1b",
                    },
                ],
            }
        ],
        "AutomaticFailover": "enabled",
        "MultiAZ": "enabled",
        "CacheNodeType": "cache.r6g.large",
        "ReplicationGroupCreateTime": "2024-03-01T00:00:00Z",
        "ARN": f"{ARN}:replicationgroup:sessions",
    },
}


def parameter(name: str, value: str, source: str) -> dict[str, Any]:
    item = {
        "CacheParameterGroupName": "sessions-redis7",
        "ParameterName": name,
        "ParameterValue": value,
        "Source": source,
    }
    return {"service": "elasticache", "type": "CacheParameterGroupParameter", "item": item}


def event(source: str, kind: str, when: str, message: str) -> dict[str, Any]:
    return {
        "source": "elasticache",
        "item": {"SourceIdentifier": source, "SourceType": kind, "Date": when, "Message": message},
    }


RESOURCES = [
    GROUP,
    cluster("sessions-001", "sessions", "us-east-1a"),
    cluster("sessions-002", "sessions", "us-east-1b"),
    cluster("solo", None, "us-east-1c", CacheClusterStatus="modifying", Engine="memcached"),
    cluster("later", None, "us-east-1a", CacheClusterCreateTime="2024-05-02T00:00:00Z"),
    {
        "service": "elasticache",
        "type": "CacheParameterGroup",
        "item": {
            "CacheParameterGroupName": "sessions-redis7",
            "CacheParameterGroupFamily": "redis7",
            "Description": "sessions",
        },
    },
    parameter("maxmemory-policy", "noeviction", "user"),
    parameter("timeout", "0", "system"),
    *[parameter(f"p{i:03}", "1", "system") for i in range(30)],
]
EVENTS = [
    event(
        "sessions",
        "replication-group",
        "2024-05-01T05:31:00Z",
        "Failover from master node sessions-001 to replica node sessions-002 completed",
    ),
    event("sessions-001", "cache-cluster", "2024-05-01T05:30:00Z", "Recovering cache nodes 0001"),
    event(
        "sessions-redis7", "cache-parameter-group", "2024-05-01T02:00:00Z", "Cache parameter group modified"
    ),
    event("sessions-001", "cache-cluster", "2024-04-10T00:00:00Z", "Cache cluster created"),  # beyond 14 days
]


@pytest.fixture
def ec(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RESOURCES, "events": EVENTS})
    return session.client("elasticache")


def test_clusters_and_replication_groups(ec: Any) -> None:
    ids = [c["CacheClusterId"] for c in ec.describe_cache_clusters()["CacheClusters"]]
    assert ids == ["sessions-001", "sessions-002", "solo"]  # "later" is not created yet
    solo = ec.describe_cache_clusters(CacheClusterId="solo")["CacheClusters"][0]
    assert (solo["CacheClusterStatus"], "CacheNodes" in solo) == ("modifying", False)
    with_nodes = ec.describe_cache_clusters(CacheClusterId="sessions-001", ShowCacheNodeInfo=True)[
        "CacheClusters"
    ][0]
    assert with_nodes["CacheNodes"][0]["CacheNodeStatus"] == "available"
    alone = ec.describe_cache_clusters(ShowCacheClustersNotInReplicationGroups=True)["CacheClusters"]
    assert [c["CacheClusterId"] for c in alone] == ["solo"]
    group = ec.describe_replication_groups(ReplicationGroupId="sessions")["ReplicationGroups"][0]
    assert (group["AutomaticFailover"], group["MemberClusters"]) == (
        "enabled",
        ["sessions-001", "sessions-002"],
    )
    for call, code in (
        (lambda: ec.describe_cache_clusters(CacheClusterId="nope"), "CacheClusterNotFound"),
        (lambda: ec.describe_cache_clusters(CacheClusterId="later"), "CacheClusterNotFound"),
        (lambda: ec.describe_replication_groups(ReplicationGroupId="nope"), "ReplicationGroupNotFoundFault"),
        (lambda: ec.describe_cache_parameters(CacheParameterGroupName="nope"), "CacheParameterGroupNotFound"),
        (lambda: ec.describe_cache_clusters(MaxRecords=10), "InvalidParameterValue"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == code


def test_parameters_by_source_and_in_pages(ec: Any) -> None:
    groups = ec.describe_cache_parameter_groups()["CacheParameterGroups"]
    assert [g["CacheParameterGroupFamily"] for g in groups] == ["redis7"]
    user = ec.describe_cache_parameters(CacheParameterGroupName="sessions-redis7", Source="user")[
        "Parameters"
    ]
    assert [(p["ParameterName"], p["ParameterValue"]) for p in user] == [("maxmemory-policy", "noeviction")]
    first = ec.describe_cache_parameters(CacheParameterGroupName="sessions-redis7", MaxRecords=20)
    rest = ec.describe_cache_parameters(
        CacheParameterGroupName="sessions-redis7", MaxRecords=20, Marker=first["Marker"]
    )
    assert (len(first["Parameters"]), len(rest["Parameters"]), "Marker" in rest) == (20, 12, False)


def test_events_in_their_window(ec: Any) -> None:
    last_hour = ec.describe_events()["Events"]  # the default: the hour before now, newest first
    assert [e["Message"][:8] for e in last_hour] == ["Failover", "Recoveri"]
    day = ec.describe_events(Duration=1440, SourceType="cache-cluster", SourceIdentifier="sessions-001")[
        "Events"
    ]
    assert [e["Date"] for e in day] == [datetime(2024, 5, 1, 5, 30, tzinfo=UTC)]
    since = ec.describe_events(StartTime=datetime(2024, 4, 1, tzinfo=UTC))["Events"]
    assert len(since) == 3  # ElastiCache keeps 14 days
    with pytest.raises(ClientError) as err:
        ec.describe_events(SourceIdentifier="sessions")
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"


@pytest.mark.parametrize(
    ("method", "params"),
    [
        (
            "modify_cache_parameter_group",
            {"CacheParameterGroupName": "sessions-redis7", "ParameterNameValues": []},
        ),
        ("test_failover", {"ReplicationGroupId": "sessions", "NodeGroupId": "0001"}),
        ("reboot_cache_cluster", {"CacheClusterId": "solo", "CacheNodeIdsToReboot": ["0001"]}),
    ],
)
def test_changes_are_refused_before_the_wire(method: str, params: dict[str, Any]) -> None:
    session, ctx = replay_session(make_bundle({"resources": RESOURCES}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client("elasticache"), method)(**params)
    with pytest.raises(ReplayRefused):
        getattr(session.client("elasticache"), method)(**params)
    assert sum(ctx.calls.values()) == 0


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    live = moto_session("elasticache")
    live.create_cache_cluster(
        CacheClusterId="solo", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )
    live.create_replication_group(
        ReplicationGroupId="sessions",
        ReplicationGroupDescription="session store",
        Engine="redis",
        NumCacheClusters=2,
    )
    records = [
        {"service": "elasticache", "type": "CacheCluster", "item": _plain(c)}
        for c in live.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    ]
    records += [
        {"service": "elasticache", "type": "ReplicationGroup", "item": _plain(g)}
        for g in live.describe_replication_groups()["ReplicationGroups"]
    ]
    session, _ = replay_session(make_bundle({"resources": records}, now="2100-01-01T00:00:00Z"))
    replayed = session.client("elasticache")
    for method, params, key in (
        ("describe_cache_clusters", {"CacheClusterId": "solo"}, "CacheClusters"),
        ("describe_cache_clusters", {"ShowCacheNodeInfo": True}, "CacheClusters"),
        ("describe_replication_groups", {"ReplicationGroupId": "sessions"}, "ReplicationGroups"),
    ):
        assert getattr(replayed, method)(**params)[key] == getattr(live, method)(**params)[key], method
    for client in (live, replayed):
        for call, code in (
            (lambda c: c.describe_cache_clusters(CacheClusterId="nope"), "CacheClusterNotFound"),
            (
                lambda c: c.describe_replication_groups(ReplicationGroupId="nope"),
                "ReplicationGroupNotFoundFault",
            ),
        ):
            with pytest.raises(ClientError) as err:
                call(client)
            assert err.value.response["Error"]["Code"] == code


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
