"""Metric tools: series summaries, the batch key-metric scan, and the wire contract with moto."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tools.metric_catalog import CATALOG
from tools.metrics import component_of, key_metrics, metric_series, namespace_metrics
from tools.result import ToolStatus
from tools.series import summarize

T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
WINDOW = {"start": "2024-05-01T04:00:00Z", "end": "2024-05-01T06:00:00Z"}


def cpu_points(instances: list[str], hot: str | None = None, hot_from: int = 300) -> list[dict[str, Any]]:
    rng = random.Random(3)
    points = []
    for minute in range(360):
        for inst in instances:
            value = 20 + rng.gauss(0, 2)
            if inst == hot and minute >= hot_from:
                value = 95 + rng.gauss(0, 1)
            points.append(
                {
                    "namespace": "AWS/EC2",
                    "metric": "CPUUtilization",
                    "dimensions": {"InstanceId": inst},
                    "timestamp": (T0 + timedelta(minutes=minute)).isoformat(),
                    "unit": "Percent",
                    "value": value,
                }
            )
    return points


def test_series_summary_finds_onset_and_peak(tool_ctx: Any) -> None:
    ctx = tool_ctx({"metrics": cpu_points(["i-1", "i-2"], hot="i-2")})
    res = metric_series.run(
        ctx,
        {"namespace": "AWS/EC2", "metric": "CPUUtilization", "dimensions": {"InstanceId": "i-2"}, **WINDOW},
    )
    assert res.status is ToolStatus.OK
    assert res.data is not None
    s = res.data.summary_stats
    assert s.direction == "up"
    assert s.onset == datetime(2024, 5, 1, 5, 0, tzinfo=UTC)
    assert s.baseline_median is not None
    assert 18 < s.baseline_median < 22
    assert s.peak is not None
    assert s.peak > 90
    assert len(res.data.values) <= 180
    assert res.data.total == 300  # 3 h baseline + 2 h window at 1-minute resolution
    assert "onset 05:00" in res.summary


def test_series_of_a_metric_with_no_data(tool_ctx: Any) -> None:
    res = metric_series.run(
        tool_ctx({"metrics": cpu_points(["i-1"])}),
        {"namespace": "AWS/EC2", "metric": "CPUUtilization", "dimensions": {"InstanceId": "i-9"}, **WINDOW},
    )
    assert res.status is ToolStatus.NO_DATA
    assert "no datapoints" in res.summary


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"start": "2024-05-01T06:00:00Z", "end": "2024-05-01T04:00:00Z"}, "start must be before end"),
        ({**WINDOW, "period_s": 90}, "multiple of 60"),
        ({"start": "2024-05-01T04:00:00", "end": "2024-05-01T06:00:00Z"}, "start"),
    ],
)
def test_bad_windows_are_usage_errors(tool_ctx: Any, args: dict[str, Any], fragment: str) -> None:
    res = metric_series.run(tool_ctx(), {"namespace": "AWS/EC2", "metric": "CPUUtilization", **args})
    assert res.status is ToolStatus.ERROR
    assert res.error_code == "usage"
    assert fragment in res.summary


def test_key_metrics_ranks_the_moving_metric_first(tool_ctx: Any) -> None:
    ctx = tool_ctx({"metrics": cpu_points(["i-1", "i-2", "i-3"], hot="i-3")})
    res = key_metrics.run(
        ctx, {"resources": [{"kind": "ec2", "id": i} for i in ("i-1", "i-2", "i-3")], **WINDOW}
    )
    assert res.status is ToolStatus.OK
    assert res.data is not None
    top = res.data.findings[0]
    assert (top.resource, top.metric, top.stats.direction) == ("i-3", "CPUUtilization", "up")
    assert [f.stats.direction for f in res.data.findings[1:]] == ["flat", "flat"]
    assert res.aws_calls == 2  # one GetMetricData, plus one ListMetrics of the agent namespace (CWAgent dims)
    assert len(res.data.without_data) == res.data.scanned - 3


def test_a_gauge_without_baseline_ranks_below_a_moving_metric(tool_ctx: Any) -> None:
    # i-new launched in the window: its CPU has no baseline and says nothing yet, while i-3 moved.
    points = cpu_points(["i-3"], hot="i-3") + [
        p for p in cpu_points(["i-new"]) if p["timestamp"] >= (T0 + timedelta(hours=5)).isoformat()
    ]
    ctx = tool_ctx({"metrics": points})
    res = key_metrics.run(
        ctx, {"resources": [{"kind": "ec2", "id": i} for i in ("i-new", "i-3")], **WINDOW, "limit": 1}
    )
    assert res.data is not None
    assert [(f.resource, f.metric) for f in res.data.findings] == [("i-3", "CPUUtilization")]


def test_key_metrics_splits_large_scans_into_few_calls(tool_ctx: Any) -> None:
    ctx = tool_ctx({"metrics": cpu_points(["i-1"])})
    resources = [{"kind": "ec2", "id": f"i-{n}"} for n in range(60)]
    res = key_metrics.run(ctx, {"resources": resources, **WINDOW})
    assert res.data is not None
    assert res.data.scanned == 60 * len(CATALOG["ec2"].metrics) == 1020
    assert res.aws_calls == 3 + 1  # GetMetricData takes at most 500 queries a call; 1 ListMetrics for CWAgent


def test_agent_metrics_are_queried_with_their_full_dimensions(tool_ctx: Any) -> None:
    points = [
        {
            "namespace": "CWAgent",
            "metric": "disk_used_percent",
            "dimensions": {"InstanceId": "i-1", "path": "/", "device": "nvme0n1p1", "fstype": "xfs"},
            "timestamp": (T0 + timedelta(minutes=m)).isoformat(),
            "unit": "Percent",
            "value": 40.0 if m < 300 else 40.0 + (m - 300) * 1.0,
        }
        for m in range(360)
    ]
    res = key_metrics.run(
        tool_ctx({"metrics": points}), {"resources": [{"kind": "ec2", "id": "i-1"}], **WINDOW}
    )
    assert res.data is not None
    disk = [f for f in res.data.findings if f.metric == "disk_used_percent"]
    assert len(disk) == 1
    assert disk[0].dimensions["path"] == "/"
    assert disk[0].stats.direction == "up"


def test_summary_ignores_a_short_spike_and_handles_flat_zero_baselines() -> None:
    times = [T0 + timedelta(minutes=m) for m in range(60)]
    spike = [0.0] * 60
    spike[45] = 50.0
    s = summarize(times, spike, T0 + timedelta(minutes=40))
    assert s.direction == "up"
    assert s.onset is None  # one point is not a sustained change
    drop = [100.0] * 40 + [10.0] * 20
    d = summarize(times, drop, T0 + timedelta(minutes=40))
    assert (d.direction, d.onset) == ("down", T0 + timedelta(minutes=40))
    short = summarize(times[:3], [1.0, 2.0, 3.0], T0 + timedelta(minutes=2))
    assert short.baseline_median is None
    assert short.direction == "unknown"


def test_wire_contract_against_moto(moto_tool_ctx: Any) -> None:
    cw = moto_tool_ctx.aws.session.client("cloudwatch", endpoint_url=moto_tool_ctx.aws.endpoint_url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    data = [
        {
            "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "InstanceId", "Value": "i-0abc"}],
            "Timestamp": now - timedelta(minutes=m),
            "Value": 10.0 if m > 30 else 90.0,
            "Unit": "Percent",
        }
        for m in range(1, 120)
    ]
    for i in range(0, len(data), 20):
        cw.put_metric_data(Namespace="AWS/EC2", MetricData=data[i : i + 20])
    res = metric_series.run(
        moto_tool_ctx,
        {
            "namespace": "AWS/EC2",
            "metric": "CPUUtilization",
            "dimensions": {"InstanceId": "i-0abc"},
            "start": (now - timedelta(minutes=30)).isoformat(),
            "end": now.isoformat(),
            "baseline_hours": 1.5,
        },
    )
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert res.data.summary_stats.direction == "up"
    assert res.data.summary_stats.baseline_median == pytest.approx(10.0)


def app_points() -> list[dict[str, Any]]:
    """An application's own namespace: checkout's latency jumps for the last hour, cart stays put."""
    rng = random.Random(5)
    points = []
    for minute in range(0, 360, 5):
        for service, base in (("checkout", 0.2), ("cart", 0.05)):
            value = base * (1 + rng.gauss(0, 0.02))
            if service == "checkout" and minute >= 300:
                value = 1.5
            points.append(
                {
                    "namespace": "Shop/Services",
                    "metric": "Latency",
                    "dimensions": {"Service": service, "Env": "prod"},
                    "timestamp": (T0 + timedelta(minutes=minute)).isoformat(),
                    "unit": "Seconds",
                    "value": value,
                }
            )
    return points


def test_namespace_metrics_finds_the_moving_component(tool_ctx: Any) -> None:
    ctx = tool_ctx({"metrics": app_points()})
    res = namespace_metrics.run(ctx, {"namespace": "Shop/Services", **WINDOW, "period_s": 300})
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    assert (res.data.scanned, res.data.listed) == (2, 2)
    top = res.data.findings[0]
    assert (top.resource, top.kind, top.stats.direction) == ("checkout", "custom", "up")
    assert top.dimensions == {"Service": "checkout", "Env": "prod"}
    assert res.data.findings[1].stats.direction == "flat"
    assert "1 moved away from baseline" in res.summary
    only = namespace_metrics.run(
        ctx, {"namespace": "Shop/Services", "metrics": ["Errors"], **WINDOW, "period_s": 300}
    )
    assert only.status is ToolStatus.NO_DATA


def test_component_names_come_from_the_naming_dimension() -> None:
    assert component_of({"Service": "checkout", "Env": "prod"}) == "checkout"
    assert component_of({"Env": "prod", "Host": "a1"}) == "prod,a1"
    assert component_of({}) == "(no dimensions)"


def test_a_counts_missing_periods_read_as_zero() -> None:
    from datetime import UTC, datetime, timedelta

    from tools.metrics import zero_filled_counts
    from tools.series import summarize

    start = datetime(2024, 5, 30, 9, 0, tzinfo=UTC)
    window = start + timedelta(hours=3)
    end = window + timedelta(minutes=40)
    # A function invoked once in the baseline hours, then thousands of times a minute.
    ts = [start + timedelta(hours=1)] + [window + timedelta(minutes=m) for m in range(30)]
    vs = [80.0] + [2000.0] * 30
    assert summarize(ts, vs, window).direction == "unknown"
    filled_t, filled_v = zero_filled_counts(ts, vs, start, window, end, 60)
    assert len([t for t in filled_t if t < window]) == 180
    assert summarize(filled_t, filled_v, window).direction == "up"
    # The minutes after it stopped are zeros, up to the publishing lag before the end.
    assert filled_t[-1] == end - timedelta(minutes=4) and filled_v[-1] == 0.0
    # Nothing at all before the window: a series that appeared, left for the caller to judge as such.
    assert zero_filled_counts(ts[1:], vs[1:], start, window, end, 60) == (ts[1:], vs[1:])


def test_a_busy_count_that_stopped_reads_as_a_drop_not_as_missing_data() -> None:
    from datetime import UTC, datetime, timedelta

    from tools.metrics import zero_filled_counts
    from tools.series import summarize

    start = datetime(2024, 3, 11, 10, 0, tzinfo=UTC)
    window = start + timedelta(hours=3)
    end = window + timedelta(hours=1)
    ts = [start + timedelta(minutes=m) for m in range(200)]  # every minute until 13:20, then nothing
    vs = [40.0] * 200
    assert summarize(*zero_filled_counts(ts, vs, start, window, end, 60), window).direction == "down"


@pytest.mark.parametrize(
    ("metric", "stat"),
    [
        ("BlockedRequests", "Sum"),
        ("5XXError", "Sum"),
        ("NumberOfMessagesPublished", "Sum"),  # a count, though "Messages" holds "age"
        ("ApproximateAgeOfOldestMessage", "Maximum"),
        ("BurstCreditBalance", "Minimum"),
        ("PercentIOLimit", "Maximum"),
        ("Reputation.BounceRate", "Maximum"),
        ("IntegrationLatency", "p99"),
        ("PermittedThroughput", "Average"),
    ],
)
def test_a_scan_of_many_kinds_reads_each_metric_with_its_own_statistic(metric: str, stat: str) -> None:
    from tools.metrics import auto_stat

    assert auto_stat(metric) == stat


def test_an_aws_namespace_scan_names_each_series_by_its_resource_dimension(tool_ctx: Any) -> None:
    # A web ACL that starts blocking at 05:00, and an EFS file system whose burst credits run out.
    points: list[dict[str, Any]] = []
    for minute in range(360):
        at = (T0 + timedelta(minutes=minute)).isoformat()
        blocked = 3.0 + minute % 3 if minute < 300 else 400.0 + minute % 7
        points.append(
            {
                "namespace": "AWS/WAFV2",
                "metric": "BlockedRequests",
                "dimensions": {"WebACL": "shop-acl", "Region": "us-east-1", "Rule": "ALL"},
                "timestamp": at,
                "unit": "Count",
                "value": blocked,
            }
        )
        credits = 2.0e12 + (minute % 5) * 1.0e8 - max(0, minute - 300) * 6.0e10
        points.append(
            {
                "namespace": "AWS/EFS",
                "metric": "BurstCreditBalance",
                "dimensions": {"FileSystemId": "fs-0123456789abcdef0"},
                "timestamp": at,
                "unit": "Bytes",
                "value": max(credits, 0.0),
            }
        )
    ctx = tool_ctx({"metrics": points})
    waf = namespace_metrics.run(ctx, {"namespace": "AWS/WAFV2", "stat": "auto", **WINDOW})
    assert waf.data is not None, waf.summary
    top = waf.data.findings[0]
    assert (top.resource, top.stat, top.stats.direction) == ("shop-acl", "Sum", "up")
    efs = namespace_metrics.run(ctx, {"namespace": "AWS/EFS", "stat": "auto", **WINDOW})
    assert efs.data is not None, efs.summary
    low = efs.data.findings[0]
    assert (low.resource, low.stat, low.stats.direction) == ("fs-0123456789abcdef0", "Minimum", "down")


def test_a_small_count_that_reads_zero_longer_than_chance_allows_has_stopped() -> None:
    from agent.analyzers.metrics import _draft

    # Two or three a minute, zero now and then (one minute in ten), then nothing from 05:12 on.
    start = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    window = start + timedelta(hours=3)
    ts = [start + timedelta(minutes=m) for m in range(270)]
    vs = [0.0 if m % 10 == 3 else 2.0 + m % 2 for m in range(192)] + [0.0] * 78
    stats = summarize(ts, vs, window)
    assert stats.zero_run == 78 and stats.zero_since == start + timedelta(minutes=192)
    assert stats.zero_share == pytest.approx(0.1, abs=0.01)
    draft = _draft("loyalty-accrual", "AWS/SQS", "NumberOfMessagesSent", "Sum", stats, ts[-1])
    assert draft is not None and draft.signals == ["traffic_down"]
    assert draft.start == start + timedelta(minutes=192), "dated when the last run of zeros began"
    # A count that is zero half the time in its baseline has not stopped after a few quiet minutes.
    sparse = [0.0 if m % 2 else 1.0 for m in range(262)] + [0.0] * 8
    quiet = summarize(ts, sparse, window)
    assert _draft("q", "AWS/SQS", "NumberOfMessagesSent", "Sum", quiet, ts[-1]) is None


def test_a_resource_published_only_per_node_is_read_per_node(tool_ctx: Any) -> None:
    # ElastiCache publishes a cache cluster's metrics per node (CacheClusterId + CacheNodeId): the
    # cluster's own dimension alone answers nothing, so the scan reads the node's series instead.
    points: list[dict[str, Any]] = []
    for minute in range(360):
        at = (T0 + timedelta(minutes=minute)).isoformat()
        shaped = 0.0 if minute < 300 else 900.0 + minute % 11
        for metric, value in (
            ("NetworkBandwidthOutAllowanceExceeded", shaped),
            ("EngineCPUUtilization", 22.0 + minute % 3),
        ):
            points.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": metric,
                    "dimensions": {"CacheClusterId": "pdp-cache-001", "CacheNodeId": "0001"},
                    "timestamp": at,
                    "unit": "Count" if metric.startswith("Network") else "Percent",
                    "value": value,
                }
            )
    res = key_metrics.run(
        tool_ctx({"metrics": points}),
        {"resources": [{"kind": "elasticache_cluster", "id": "pdp-cache-001"}], **WINDOW},
    )
    assert res.data is not None, res.summary
    top = res.data.findings[0]
    assert (top.resource, top.metric, top.stats.direction) == (
        "pdp-cache-001",
        "NetworkBandwidthOutAllowanceExceeded",
        "up",
    )
    assert top.dimensions == {"CacheClusterId": "pdp-cache-001", "CacheNodeId": "0001"}
    assert "pdp-cache-001 EngineCPUUtilization" not in res.data.without_data
    from agent.analyzers.metrics import signal_for

    assert signal_for(top.metric, "up") == "network_allowance_exceeded"
    assert signal_for("ethtool_pps_allowance_exceeded", "up") == "network_allowance_exceeded"


def test_a_series_that_published_nothing_in_the_window_is_said_so() -> None:
    """A daily metric (days to a certificate's expiry) read over the last hour: a baseline and no window."""
    from tools.series import summarize

    days = [T0 - timedelta(days=d) for d in range(5, 0, -1)]
    s = summarize(days, [40.0, 39.0, 38.0, 37.0, 36.0], T0)
    assert s.window_median is None
    assert s.text("Count") == "baseline 38 Count; no datapoints in the window"
