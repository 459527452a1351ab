"""An instance's own ceilings: its EBS burst balance (spent while it falls, held to the type's baseline once
it runs out), and its network allowances, link-local packets to the VPC's resolver among them. A target
group's members and health check are met by its next checks and requests, so a registration that was
followed by an hour of healthy traffic did not start the trouble."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.analyzers.metrics import from_key_metrics, signal_for
from agent.catalog import catalog
from agent.scoring import generate
from agent.topology import Topology
from tests.agent.test_scoring import ev
from tools.metric_catalog import CATALOG
from tools.metrics import KeyMetrics, MetricFinding
from tools.series import summarize

T0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
HOST = "i-0e47aa74d48ebf4f9"


def _balance(metric: str) -> MetricFinding:
    # full for three hours, then spent from 02:05 by a heavy job until it runs out at 02:55
    stamps = [T0 - timedelta(hours=3) + timedelta(minutes=5 * i) for i in range(60)]
    values = [
        100.0 if t < T0 + timedelta(minutes=5) else max(0.01, 100 - 2.0 * (t - T0).seconds / 60)
        for t in stamps
    ]
    return MetricFinding(
        resource=HOST,
        kind="ec2",
        namespace="AWS/EC2",
        metric=metric,
        dimensions={"InstanceId": HOST},
        stat="Minimum",
        stats=summarize(stamps, values, T0),
    )


def test_an_instances_ebs_balance_is_its_own_ceiling_dated_from_its_fall() -> None:
    for metric in ("EBSByteBalance%", "EBSIOBalance%"):
        [drained] = from_key_metrics(KeyMetrics(findings=[_balance(metric)], scanned=1))
        assert drained.signals == ["ebs_balance_exhausted"]
        assert drained.start is not None and drained.start < T0 + timedelta(minutes=20), drained.summary
        assert "falling since" in drained.summary
    # a CPU credit balance is another ceiling
    [cpu] = from_key_metrics(KeyMetrics(findings=[_balance("CPUCreditBalance")], scanned=1))
    assert cpu.signals == ["credits_exhausted"]


def _web() -> tuple[Topology, str, str, str]:
    topo = Topology()
    lb = topo.add("alb", "app/finance-reports/a45a15af026b870f")
    tg = topo.add("target_group", "targetgroup/finance-reports-web/b65d1353bf4eb56c")
    host = topo.add("ec2", HOST)
    topo.link(lb, tg, "routes_to")
    topo.link(tg, host, "targets")
    return topo, lb, tg, host


def test_an_instance_out_of_ebs_burst_is_the_limit_behind_its_targets_slowness() -> None:
    topo, _, tg, host = _web()
    onset = T0 + timedelta(minutes=10)
    register = ev(
        "change_event",
        tg,
        T0 - timedelta(minutes=55),
        ["change", "change_other"],
        0.6,
        action="RegisterTargets",
        service="elasticloadbalancing",
    )
    evidence = [
        ev("metric_anomaly", tg, onset, ["latency_up", "error_rate_up"], 0.9),
        ev("log_pattern", tg, onset, ["timeout_logs", "new_error_pattern"], 0.8),
        ev("metric_anomaly", host, T0 + timedelta(minutes=5), ["ebs_balance_exhausted"], 0.9),
        register,
    ]
    hyps = sorted(generate(catalog(), evidence, topo, [tg]), key=lambda h: -h.confidence)
    top = hyps[0]
    assert (top.resource, top.failure_mode, top.category) == (host, "ec2-ebs-burst-exhausted", "limit"), [
        (h.resource, h.failure_mode, h.confidence) for h in hyps[:3]
    ]
    # the deployment's registration served an hour of healthy traffic before the trouble
    registered = next(h for h in hyps if h.resource == tg and h.supporting and register.id in h.supporting)
    assert "served traffic for" in registered.rationale
    assert registered.confidence < top.confidence


def test_link_local_packets_over_the_allowance_are_the_instances_network_ceiling() -> None:
    ec2 = [m.metric for m in CATALOG["ec2"].metrics]
    assert "ethtool_linklocal_allowance_exceeded" in ec2
    assert signal_for("ethtool_linklocal_allowance_exceeded", "up") == "network_allowance_exceeded"
    mode = catalog()["ec2-network-allowance-exceeded"]
    assert "link-local" in mode.title
