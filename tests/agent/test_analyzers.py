"""Analyzers that decide on their own: an alarm condition never met, a series that appears from zero,
rejected flows pooled by what refused them, what a change touched, where a degradation begins."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers.changes import targets
from agent.analyzers.graph import Degraded, origins
from agent.analyzers.metrics import from_key_metrics
from agent.analyzers.state import from_alarm_condition, from_flow_rejects
from agent.scope import from_trigger
from tools.alarms import AlarmInfo, MetricRef
from tools.changes import Change
from tools.flow_logs import FlowRejects, RejectGroup
from tools.metrics import KeyMetrics, MetricFinding
from tools.series import summarize

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def scaling_alarm(threshold: float, needed: int) -> AlarmInfo:
    return AlarmInfo(
        name="asg-cpu-high",
        kind="metric",
        state="OK",
        metric=MetricRef(
            namespace="AWS/EC2",
            metric="CPUUtilization",
            dimensions={"AutoScalingGroupName": "web"},
            stat="Average",
            period_s=300,
        ),
        threshold=threshold,
        comparison="GreaterThanThreshold",
        evaluation_periods=needed,
        datapoints_to_alarm=needed,
    )


def test_an_alarm_whose_condition_was_never_met_is_evidence_the_group_could_not_scale() -> None:
    stamps = [T0 + timedelta(minutes=5 * i) for i in range(12)]
    values = [40, 45, 72, 78, 79, 76, 81, 77, 79, 74, 60, 50]  # over 80 once, never for 3 in a row
    draft = from_alarm_condition("web", scaling_alarm(80, 3), stamps, values, T0)
    assert draft is not None
    assert draft.signals == ["alarm_threshold_not_met", "asg_no_scaling"]
    assert draft.facts["best_run"] == 1
    assert "never fired" in draft.summary
    assert from_alarm_condition("web", scaling_alarm(70, 3), stamps, values, T0) is None  # it did fire


def test_a_count_that_appears_from_nothing_is_a_rise() -> None:
    stamps = [T0 + timedelta(minutes=i) for i in range(50, 60)]
    stats = summarize(
        stamps, [float(v) for v in (3, 7, 12, 9, 15, 11, 8, 13, 10, 9)], T0 + timedelta(minutes=30)
    )
    finding = MetricFinding(
        resource="orders",
        kind="dynamodb_table",
        namespace="AWS/DynamoDB",
        metric="WriteThrottleEvents",
        dimensions={"TableName": "orders"},
        stat="Sum",
        stats=stats,
    )
    drafts = from_key_metrics(KeyMetrics(findings=[finding], scanned=1))
    assert [d.signals for d in drafts] == [["throttled"]]
    assert drafts[0].facts["appeared"] is True
    # Published only when it happens: it began with its first datapoint, not at its peak.
    assert drafts[0].start == stamps[0]


def test_scaling_questions_are_recognised() -> None:
    now = T0 + timedelta(hours=2)
    for q in (
        "Why didn't the ASG scale out?",
        "we stayed at 3 instances, isn't autoscaling supposed to handle this?",
    ):
        assert "no_scaling" in from_trigger(q, None, now).symptoms


def reject_group(**kw: Any) -> RejectGroup:
    base: dict[str, Any] = {
        "source": "172.16.5.5",
        "destination": "10.0.2.20",
        "port": "32768-65535",
        "protocol": "tcp",
        "interface": "eni-00000000000000ef1",
        "rejects": 4,
        "bytes": 800,
        "reply_from": "389",
    }
    return RejectGroup(**(base | kw))


def test_rejects_pool_by_the_acl_that_refused_them() -> None:
    denied = "network ACL acl-0e outbound rule * deny all 0.0.0.0/0 ports all of subnet-0d"
    groups = [
        # Four small groups, one per instance: each under the threshold, together one blocked path.
        reject_group(destination=f"10.0.2.{i}", rejects=3, refused_by=denied, first=T0 + timedelta(minutes=i))
        for i in range(4)
    ] + [
        reject_group(
            source="203.0.113.9", port="22", reply_from=None, rejects=2, destination_subnet="subnet-0b"
        ),
    ]
    out = FlowRejects(log_groups=["/vpc/flow"], groups=groups, total_rejects=14, by_destination={})
    drafts = from_flow_rejects(out, T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert len(drafts) == 1  # the stray SSH probes stay background
    d = drafts[0]
    assert d.resource == "acl-0e" and d.signals == ["flow_log_rejects", "nacl_denies"]
    assert d.facts["rejects"] == 12 and d.facts["subnet"] == "subnet-0d"
    assert d.facts["addresses"] == ["10.0.2.0", "10.0.2.1", "10.0.2.2", "10.0.2.3", "172.16.5.5"]
    assert d.start == T0  # the first reject, not the window's start
    assert "denied by acl-0e outbound" in d.summary


def change(params: dict[str, Any], resources: list[str] | None = None) -> Change:
    return Change(
        time=T0,
        event_id="e-1",
        source="ecs.amazonaws.com",
        action="UpdateService",
        who="deployer",
        principal_type="AssumedRole",
        resources=resources or [],
        params=json.dumps(params),
    )


def test_a_service_update_is_a_change_to_the_service_not_its_cluster() -> None:
    c = change(
        {"cluster": "prod", "service": "auth", "taskDefinition": "auth:20"}, ["prod", "auth", "auth:20"]
    )
    assert targets(c)[0] == "auth"
    assert targets(c)[-1] == "prod"
    # A cluster changed on its own is still the cluster.
    assert targets(change({"cluster": "prod"}, ["prod"])) == ["prod"]


def degraded(node: str, signal: str = "latency_up", minute: int = 0) -> Degraded:
    return Degraded(node=node, signal=signal, start=T0 + timedelta(minutes=minute), strength=0.9, summary="s")


def test_the_degradation_starts_at_the_deepest_degraded_service() -> None:
    calls = [("site", "search"), ("search", "db"), ("site", "cart"), ("cart", "cache")]
    found = origins(
        [degraded("site", minute=5), degraded("search", minute=2), degraded("cart")], calls, ["site"]
    )
    # search degraded while db (which it calls) did not; site inherited it. cart is an origin too.
    assert sorted(d.resource for d in found) == ["cart", "search"]
    search = next(d for d in found if d.resource == "search")
    assert search.signals == ["degraded_origin", "latency_up"]
    assert search.facts["callers"] == ["site"] and search.facts["callees"] == ["db"]
    # A different symptom below does not explain this one away.
    errs = origins([degraded("site"), degraded("search", "error_rate_up")], calls, ["site"])
    assert sorted((d.resource, d.facts["signal"]) for d in errs) == [
        ("search", "error_rate_up"),
        ("site", "latency_up"),
    ]
    # Components the entry does not reach are not its origin.
    assert origins([degraded("other")], calls, ["site"]) == []
    # The bottom of the graph is where a degradation starts; a component in no known call is only
    # weakly placed there (nothing below it was looked at).
    (db,) = origins([degraded("db")], calls, ["other"])
    (alone,) = origins([degraded("canary")], calls, ["other"])
    assert alone.strength < db.strength


def test_a_pattern_whose_only_failure_word_is_a_zero_counter_is_not_an_error_pattern() -> None:
    from agent.analyzers.logs import from_templates
    from tools.logs import LogTemplates, Template

    def template(example: str) -> Template:
        return Template(
            template='[INFO] {"msg": "batch rendered", "invoices": <NUM>, "failed": <NUM>}',
            window_count=40,
            baseline_count=4,
            rate_ratio=10.0,
            kind="surging",
            example=example,
            streams=[],
        )

    def drafts(example: str) -> list[Any]:
        out = LogTemplates(templates=[template(example)], window_lines=40, baseline_lines=4)
        return from_templates(out, ["/aws/lambda/invoice-render"], None, None)

    assert drafts('[INFO] {"msg": "batch rendered", "invoices": 12, "failed": 0}') == []
    assert drafts('[INFO] {"msg": "batch rendered", "invoices": 12, "failed": 3}')


def test_a_nat_gateways_dropped_packets_are_not_a_port_shortage() -> None:
    from agent.analyzers.metrics import signal_for

    # ErrorPortAllocation is the port shortage; PacketsDropCount is any drop (an issue with the gateway
    # or its zone), which a port shortage causes too but does not alone show
    assert signal_for("ErrorPortAllocation", "up") == "port_allocation_errors"
    assert signal_for("PacketsDropCount", "up") == "packets_dropped"
    assert signal_for("PacketsDropped", "up") == "packets_dropped"


def test_a_full_disk_is_read_in_the_words_programs_use_for_it() -> None:
    from agent.analyzers.logs import message_signals

    for said in (
        "ERROR wms_bridge.checkpoint: could not open /var/lib/wms-bridge/offsets.db: database or disk is full",
        "write /var/log/app.log: no space left on device",
        "OSError: [Errno 28] ENOSPC",
    ):
        assert "disk_full_logs" in message_signals(said), said


def test_a_pattern_written_only_by_a_few_hosts_names_them() -> None:
    from agent.analyzers.logs import from_templates
    from tools.logs import LogTemplates, Template

    def drafts(streams: list[tuple[str, int]]) -> list[Any]:
        t = Template(
            template="ERROR worker.poller: receive_message failed: Unable to locate credentials",
            window_count=sum(n for _, n in streams),
            baseline_count=0,
            rate_ratio=None,
            kind="new",
            example="ERROR worker.poller: receive_message failed: Unable to locate credentials",
            streams=streams,
        )
        out = LogTemplates(templates=[t], window_lines=t.window_count, baseline_lines=0)
        return from_templates(out, ["/app/proof-processor"], None, None)

    # one host writes it all: the pattern is that host's
    assert [d.resource for d in drafts([("i-0aaaaaaaaaaaaaaa1", 40)])] == ["i-0aaaaaaaaaaaaaaa1"]
    # three hosts write it all (the others of the group none): the group's, naming them
    new = [("i-0aaaaaaaaaaaaaaa1", 40), ("i-0aaaaaaaaaaaaaaa2", 38), ("i-0aaaaaaaaaaaaaaa3", 35)]
    (group,) = drafts(new)
    assert group.resource == "/app/proof-processor"
    assert group.facts["hosts"] == ["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2", "i-0aaaaaaaaaaaaaaa3"]
    # streams not named by host say nothing of hosts
    (group,) = drafts([("web/app/0a1b2c", 40), ("web/app/3d4e5f", 30)])
    assert "hosts" not in group.facts
