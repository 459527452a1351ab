"""RDS replay: describe clusters/instances (cross-checked with moto), events, log files and portions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import ReplayUnsupported
from tests.conftest import make_bundle

ARN = "arn:aws:rds:us-east-1:123456789012"
NOW_MS = int(datetime(2024, 5, 1, 6, 0, tzinfo=UTC).timestamp() * 1000)


def res(type_: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"service": "rds", "type": type_, "item": item}


def event(
    source_id: str, when: str, message: str, source_type: str = "db-instance", cats: list[str] | None = None
) -> dict[str, Any]:
    return {
        "source": "rds",
        "item": {
            "SourceIdentifier": source_id,
            "SourceType": source_type,
            "Message": message,
            "EventCategories": cats or [],
            "Date": when,
            "SourceArn": f"{ARN}:{'cluster' if source_type == 'db-cluster' else 'db'}:{source_id}",
        },
    }


CLUSTER = {
    "DBClusterIdentifier": "orders",
    "DBClusterArn": f"{ARN}:cluster:orders",
    "Engine": "aurora-postgresql",
    "Status": "available",
    "DBClusterMembers": [{"DBInstanceIdentifier": "orders-1", "IsClusterWriter": True}],
}
INSTANCES = [
    {
        "DBInstanceIdentifier": "orders-1",
        "DBInstanceArn": f"{ARN}:db:orders-1",
        "Engine": "aurora-postgresql",
        "DBClusterIdentifier": "orders",
        "DBInstanceStatus": "available",
    },
    {
        "DBInstanceIdentifier": "reports",
        "DBInstanceArn": f"{ARN}:db:reports",
        "Engine": "postgres",
        "DBInstanceStatus": "storage-full",
    },
]


@pytest.fixture
def rds(replay: Callable[..., Any]) -> Any:
    records = {
        "resources": [res("DBCluster", CLUSTER)] + [res("DBInstance", i) for i in INSTANCES],
        "events": [
            event("reports", "2024-04-10T00:00:00Z", "too old: past the 14 days RDS keeps"),
            event("reports", "2024-05-01T03:00:00Z", "backup started", cats=["backup"]),
            event("orders", "2024-05-01T05:10:00Z", "cluster failover started", "db-cluster", ["failover"]),
            event("reports", "2024-05-01T05:20:00Z", "storage full", cats=["low storage"]),
            event(
                "reports", "2024-05-01T05:05:00Z", "low storage warning", cats=["low storage", "notification"]
            ),
            event("reports", "2024-05-01T06:30:00Z", "after now: not happened yet"),
        ],
    }
    session, _ = replay(records)
    return session.client("rds")


def test_describe_instances_by_id_arn_and_filters(rds: Any) -> None:
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]] == [
        "orders-1",
        "reports",
    ]
    one = rds.describe_db_instances(DBInstanceIdentifier="REPORTS")["DBInstances"]
    assert [i["DBInstanceStatus"] for i in one] == ["storage-full"]
    by_arn = rds.describe_db_instances(DBInstanceIdentifier=f"{ARN}:db:orders-1")["DBInstances"]
    assert [i["DBInstanceIdentifier"] for i in by_arn] == ["orders-1"]
    in_cluster = rds.describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [f"{ARN}:cluster:orders"]}]
    )
    assert [i["DBInstanceIdentifier"] for i in in_cluster["DBInstances"]] == ["orders-1"]
    pg = rds.describe_db_instances(Filters=[{"Name": "engine", "Values": ["postgres", "mysql"]}])[
        "DBInstances"
    ]
    assert [i["DBInstanceIdentifier"] for i in pg] == ["reports"]
    with pytest.raises(rds.exceptions.DBInstanceNotFoundFault):
        rds.describe_db_instances(DBInstanceIdentifier="gone")
    with pytest.raises(ClientError) as err:
        rds.describe_db_instances(Filters=[{"Name": "colour", "Values": ["red"]}])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_describe_clusters_and_page_size_limits(rds: Any) -> None:
    assert rds.describe_db_clusters(DBClusterIdentifier="orders")["DBClusters"][0]["Status"] == "available"
    none = rds.describe_db_clusters(Filters=[{"Name": "engine", "Values": ["aurora-mysql"]}])
    assert none["DBClusters"] == []
    with pytest.raises(rds.exceptions.DBClusterNotFoundFault):
        rds.describe_db_clusters(DBClusterIdentifier="billing")
    for bad in (19, 101):
        with pytest.raises(ClientError) as err:
            rds.describe_db_clusters(MaxRecords=bad)
        assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_events_default_to_the_last_hour_oldest_first(rds: Any) -> None:
    events = rds.describe_events()["Events"]
    assert [e["Message"] for e in events] == [
        "low storage warning",
        "cluster failover started",
        "storage full",
    ]
    assert events[0]["Date"] == datetime(2024, 5, 1, 5, 5, tzinfo=UTC)


def test_events_window_source_and_category(rds: Any) -> None:
    week = rds.describe_events(Duration=7 * 24 * 60, SourceIdentifier="reports", SourceType="db-instance")
    assert [e["Message"] for e in week["Events"]] == ["backup started", "low storage warning", "storage full"]
    # StartTime alone runs to now; Duration is ignored once a time is given.
    since = rds.describe_events(StartTime=datetime(2024, 5, 1, 5, 15, tzinfo=UTC), Duration=1)
    assert [e["Message"] for e in since["Events"]] == ["storage full"]
    # EndTime alone looks back 60 minutes from it.
    before = rds.describe_events(EndTime=datetime(2024, 5, 1, 3, 30, tzinfo=UTC))
    assert [e["Message"] for e in before["Events"]] == ["backup started"]
    # RDS keeps 14 days of events: an explicit older window still finds nothing older.
    old = rds.describe_events(
        StartTime=datetime(2024, 4, 1, tzinfo=UTC), EndTime=datetime(2024, 4, 20, tzinfo=UTC)
    )
    assert old["Events"] == []
    cats = rds.describe_events(Duration=600, EventCategories=["failover", "backup"])
    assert [e["Message"] for e in cats["Events"]] == ["backup started", "cluster failover started"]
    with pytest.raises(ClientError) as err:
        rds.describe_events(SourceIdentifier="reports")
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"


def test_events_paginate_with_marker(replay: Callable[..., Any]) -> None:
    records = {"events": [event("db", f"2024-05-01T05:{m:02d}:00Z", f"e{m}") for m in range(25)]}
    session, _ = replay(records)
    rds = session.client("rds")
    first = rds.describe_events(MaxRecords=20)
    assert [e["Message"] for e in first["Events"]] == [f"e{m}" for m in range(20)]
    rest = rds.describe_events(MaxRecords=20, Marker=first["Marker"])
    assert [e["Message"] for e in rest["Events"]] == [f"e{m}" for m in range(20, 25)]
    assert "Marker" not in rest
    paged = rds.get_paginator("describe_events").paginate(PaginationConfig={"PageSize": 20})
    assert sum(len(p["Events"]) for p in paged) == 25
    with pytest.raises(ReplayUnsupported):
        rds.describe_events(Filters=[{"Name": "x", "Values": ["y"]}])


LOG = "".join(f"2024-05-01 05:{m:02d}:00 UTC line {m}\n" for m in range(30))


@pytest.fixture
def logs(replay: Callable[..., Any]) -> Any:
    files = [
        {
            "DBInstanceIdentifier": "reports",
            "LogFileName": "error/postgresql.log.2024-05-01-04",
            "LastWritten": NOW_MS - 7_200_000,
            "Size": 5000,
            "Data": "old\n",
        },
        {
            "DBInstanceIdentifier": "reports",
            "LogFileName": "error/postgresql.log.2024-05-01-05",
            "LastWritten": NOW_MS - 60_000,
            "Data": LOG,
        },
        {
            "DBInstanceIdentifier": "reports",
            "LogFileName": "error/postgresql.log.2024-05-01-06",
            "LastWritten": NOW_MS + 60_000,
            "Data": "future\n",
        },
        {
            "DBInstanceIdentifier": "orders-1",
            "LogFileName": "error/postgresql.log.2024-05-01-05",
            "LastWritten": NOW_MS - 5,
            "Size": 10,
        },
    ]
    session, _ = replay(
        {"resources": [res("DBInstance", i) for i in INSTANCES] + [res("DBLogFile", f) for f in files]}
    )
    return session.client("rds")


def test_describe_log_files_filters(logs: Any) -> None:
    listed = logs.describe_db_log_files(DBInstanceIdentifier="reports")["DescribeDBLogFiles"]
    assert [(f["LogFileName"][-2:], f["Size"]) for f in listed] == [("04", 5000), ("05", len(LOG))]
    recent = logs.describe_db_log_files(DBInstanceIdentifier="reports", FileLastWritten=NOW_MS - 60_000)
    assert [f["LogFileName"][-2:] for f in recent["DescribeDBLogFiles"]] == ["05"]
    big = logs.describe_db_log_files(DBInstanceIdentifier="reports", FileSize=len(LOG))
    assert [f["LogFileName"][-2:] for f in big["DescribeDBLogFiles"]] == ["04"]
    named = logs.describe_db_log_files(DBInstanceIdentifier="reports", FilenameContains="01-04")
    assert len(named["DescribeDBLogFiles"]) == 1
    with pytest.raises(logs.exceptions.DBInstanceNotFoundFault):
        logs.describe_db_log_files(DBInstanceIdentifier="nobody")


def test_download_portion_tail_and_forward(logs: Any) -> None:
    name = "error/postgresql.log.2024-05-01-05"
    tail = logs.download_db_log_file_portion(
        DBInstanceIdentifier="reports", LogFileName=name, NumberOfLines=3
    )
    assert tail["LogFileData"].splitlines() == [f"2024-05-01 05:{m}:00 UTC line {m}" for m in (27, 28, 29)]
    assert tail["AdditionalDataPending"] is False
    whole = logs.download_db_log_file_portion(DBInstanceIdentifier="reports", LogFileName=name)
    assert whole["LogFileData"] == LOG
    # From the start in blocks of 12: 12 + 12 + 6 lines, pending until the last block.
    got, marker, pending = [], "0", True
    while pending:
        part = logs.download_db_log_file_portion(
            DBInstanceIdentifier="reports", LogFileName=name, Marker=marker, NumberOfLines=12
        )
        got.append(len(part["LogFileData"].splitlines()))
        marker, pending = part["Marker"], part["AdditionalDataPending"]
    assert got == [12, 12, 6]
    # Following from the tail's marker yields nothing new: the file has not grown by now.
    after = logs.download_db_log_file_portion(
        DBInstanceIdentifier="reports", LogFileName=name, Marker=tail["Marker"]
    )
    assert after["LogFileData"] == "" and after["AdditionalDataPending"] is False
    with pytest.raises(logs.exceptions.DBLogFileNotFoundFault):
        logs.download_db_log_file_portion(
            DBInstanceIdentifier="reports", LogFileName="error/postgresql.log.2024-05-01-06"
        )


def _stable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Moto stamps LatestRestorableTime with its wall clock on every call; nothing else differs."""
    return [{k: v for k, v in item.items() if k != "LatestRestorableTime"} for item in items]


def test_describe_matches_moto(moto_session: Callable[[str], Any]) -> None:
    moto = moto_session("rds")
    moto.create_db_cluster(
        DBClusterIdentifier="orders",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="password123!",
    )
    moto.create_db_instance(
        DBInstanceIdentifier="orders-1",
        DBClusterIdentifier="orders",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r5.large",
    )
    moto.create_db_instance(
        DBInstanceIdentifier="reports",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="password123!",
    )
    instances = moto.describe_db_instances()["DBInstances"]
    clusters = moto.describe_db_clusters()["DBClusters"]
    bundle = make_bundle(
        {"resources": [res("DBInstance", i) for i in instances] + [res("DBCluster", c) for c in clusters]}
    )
    from evals.replay import replay_session

    session, _ = replay_session(bundle)
    ours = session.client("rds")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("describe_db_instances", {}),
        ("describe_db_instances", {"DBInstanceIdentifier": "reports"}),
        ("describe_db_instances", {"Filters": [{"Name": "db-cluster-id", "Values": ["orders"]}]}),
        ("describe_db_instances", {"Filters": [{"Name": "engine", "Values": ["postgres"]}]}),
        ("describe_db_clusters", {"DBClusterIdentifier": "orders"}),
    ]
    for name, kwargs in calls:
        want = getattr(moto, name)(**kwargs)
        got = getattr(ours, name)(**kwargs)
        key = "DBInstances" if "instances" in name else "DBClusters"
        assert _stable(got[key]) == _stable(want[key]), (name, kwargs)
    for name, kwargs in [
        ("describe_db_instances", {"DBInstanceIdentifier": "x"}),
        ("describe_db_clusters", {"DBClusterIdentifier": "x"}),
    ]:
        codes = []
        for client in (moto, ours):
            with pytest.raises(ClientError) as err:
                getattr(client, name)(**kwargs)
            codes.append(err.value.response["Error"]["Code"])
        assert codes[0] == codes[1]


PROXY = {
    "DBProxyName": "orders-proxy",
    "DBProxyArn": f"{ARN}:db-proxy:prx-0123456789abcdef0",
    "Status": "available",
    "EngineFamily": "POSTGRESQL",
    "Endpoint": "orders-proxy.proxy-abcdefghijkl.us-east-1.rds.amazonaws.com",
}
TARGET_GROUP = {
    "DBProxyName": "orders-proxy",
    "TargetGroupName": "default",
    "IsDefault": True,
    "Status": "available",
    "ConnectionPoolConfig": {"MaxConnectionsPercent": 20, "MaxIdleConnectionsPercent": 10},
}
TARGET = {"TargetArn": f"{ARN}:cluster:orders", "TrackedClusterId": "orders", "Type": "TRACKED_CLUSTER"}


def test_proxies_their_target_groups_and_targets(replay: Callable[..., Any]) -> None:
    session, _ = replay(
        {
            "resources": [
                res("DBProxy", PROXY),
                res("DBProxyTargetGroup", TARGET_GROUP),
                res("DBProxyTarget", TARGET),
            ]
        }
    )
    rds = session.client("rds")
    assert [p["Endpoint"] for p in rds.describe_db_proxies()["DBProxies"]] == [PROXY["Endpoint"]]
    pool = rds.describe_db_proxy_target_groups(DBProxyName="orders-proxy")["TargetGroups"][0]
    assert pool["ConnectionPoolConfig"]["MaxConnectionsPercent"] == 20
    # A target that names no proxy is the bundle's only proxy's.
    targets = rds.describe_db_proxy_targets(DBProxyName="orders-proxy")["Targets"]
    assert [t["TrackedClusterId"] for t in targets] == ["orders"]
    with pytest.raises(ClientError) as err:
        rds.describe_db_proxy_targets(DBProxyName="other-proxy")
    assert err.value.response["Error"]["Code"] == "DBProxyNotFoundFault"
    # With two proxies, each target says whose it is.
    other = {**PROXY, "DBProxyName": "reports-proxy", "DBProxyArn": f"{ARN}:db-proxy:prx-0fedcba9876543210"}
    session, _ = replay(
        {
            "resources": [
                res("DBProxy", PROXY),
                res("DBProxy", other),
                res("DBProxyTarget", {**TARGET, "DBProxyName": "orders-proxy"}),
                res(
                    "DBProxyTarget", {**TARGET, "TrackedClusterId": "reports", "DBProxyName": "reports-proxy"}
                ),
            ]
        }
    )
    rds = session.client("rds")
    assert [
        t["TrackedClusterId"] for t in rds.describe_db_proxy_targets(DBProxyName="reports-proxy")["Targets"]
    ] == ["reports"]


def test_proxy_errors_match_moto(moto_session: Callable[[str], Any]) -> None:
    moto = moto_session("rds")
    from evals.replay import replay_session

    session, _ = replay_session(make_bundle({"resources": [res("DBProxy", PROXY)]}))
    ours = session.client("rds")
    # (moto answers DescribeDBProxyTargets for an unknown proxy with a server error; AWS's API
    # reference lists DBProxyNotFoundFault for it, as the replay answers above.)
    for name, kwargs in [("describe_db_proxies", {"DBProxyName": "missing"})]:
        codes = []
        for client in (moto, ours):
            with pytest.raises(ClientError) as err:
                getattr(client, name)(**kwargs)
            codes.append(err.value.response["Error"]["Code"])
        assert codes[0] == codes[1], (name, codes)
