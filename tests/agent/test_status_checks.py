"""Which status check failed says which part failed: a failed attached-EBS check on an instance whose
own checks pass is its volume's failure, and a host that fails explains the timeouts and connection
errors of those who dial it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers.state import from_instance_status
from agent.catalog import catalog
from agent.investigate import offline
from agent.scoring import generate
from agent.topology import Topology
from tests.agent.test_scoring import ev
from tests.conftest import make_bundle
from tests.tools.test_resources import res
from tools.state import CheckedInstance, InstanceStatuses

T0 = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)
HOST = "i-0c4a3a98ad19f75f7"
START = datetime(2024, 5, 1, tzinfo=UTC)  # the test bundle's start; it ends six hours later
ROOT, DATA = "vol-07e75b141a61c403b", "vol-0275232e20d4352ac"


def _checked(system: str, instance: str, ebs: str) -> CheckedInstance:
    return CheckedInstance(
        id=HOST,
        state="running",
        system=system,
        instance=instance,
        attached_ebs=ebs,
        impaired_since=T0,
        failed=["reachability"],
    )


def test_only_a_failed_attached_ebs_check_says_the_volume_failed() -> None:
    [ebs_only] = from_instance_status(InstanceStatuses(instances=[_checked("ok", "ok", "impaired")]))
    assert ebs_only.signals == ["status_check_failed", "attached_ebs_impaired"]
    [host] = from_instance_status(InstanceStatuses(instances=[_checked("impaired", "ok", "impaired")]))
    assert host.signals == ["status_check_failed"]


def test_a_failed_host_explains_the_timeouts_of_those_who_dial_it() -> None:
    topo = Topology()
    pooler = topo.add("ec2", HOST)
    evidence = [
        ev("resource_state", pooler, T0, ["status_check_failed"], 0.85),
        # Callers' "connect to 10.0.1.5:6432 timed out", copied onto the instance holding that address.
        ev("log_pattern", pooler, T0 + timedelta(minutes=1), ["timeout_logs", "db_connection_errors"], 0.8),
    ]
    failed = next(
        h
        for h in generate(catalog(), evidence, topo, [pooler])
        if h.failure_mode == "ec2-system-status-check-failed"
    )
    assert "unexplained" not in failed.rationale
    assert "timeout_logs" in failed.rationale and "db_connection_errors" in failed.rationale


def _instance() -> dict[str, Any]:
    return res(
        "ec2",
        "Instance",
        {
            "InstanceId": HOST,
            "InstanceType": "m5.large",
            "State": {"Code": 16, "Name": "running"},
            "Placement": {"AvailabilityZone": "eu-west-2b"},
            "PrivateIpAddress": "10.20.1.17",
            "BlockDeviceMappings": [
                {
                    "DeviceName": dev,
                    "Ebs": {"Status": "attached", "VolumeId": vol, "DeleteOnTermination": True},
                }
                for dev, vol in (("/dev/xvda", ROOT), ("/dev/sdf", DATA))
            ],
        },
    )


def _volume(vol: str, device: str) -> dict[str, Any]:
    return res(
        "ec2",
        "Volume",
        {
            "VolumeId": vol,
            "Size": 100,
            "VolumeType": "gp3",
            "State": "in-use",
            "AvailabilityZone": "eu-west-2b",
            "Attachments": [{"Device": device, "InstanceId": HOST, "State": "attached", "VolumeId": vol}],
        },
    )


def _status() -> dict[str, Any]:
    def check(status: str, since: str | None = None) -> dict[str, Any]:
        detail: dict[str, Any] = {"Name": "reachability", "Status": "passed" if status == "ok" else "failed"}
        if since:
            detail["ImpairedSince"] = since
        return {"Status": status, "Details": [detail]}

    return res(
        "ec2",
        "InstanceStatus",
        {
            "InstanceId": HOST,
            "AvailabilityZone": "eu-west-2b",
            "InstanceState": {"Code": 16, "Name": "running"},
            "SystemStatus": check("ok"),
            "InstanceStatus": check("ok"),
            "AttachedEbsStatus": check("impaired", "2024-05-01T05:17:03Z"),
        },
    )


def test_an_instance_whose_attached_ebs_check_fails_points_at_its_troubled_volume() -> None:
    def queue_length(vol: str, minute: int) -> float:
        return 30.0 + minute % 4 if vol == DATA and minute >= 315 else 0.02

    metrics = [
        {
            "namespace": "AWS/EBS",
            "metric": "VolumeQueueLength",
            "dimensions": {"VolumeId": vol},
            "timestamp": (START + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": queue_length(vol, minute),
        }
        for vol in (ROOT, DATA)
        for minute in range(360)
    ]
    bundle = make_bundle(
        {
            "resources": [_instance(), _volume(ROOT, "/dev/xvda"), _volume(DATA, "/dev/sdf"), _status()],
            "metrics": metrics,
        },
        trigger={"question": f"payments through {HOST} time out since about 05:15"},
    )
    report = offline(bundle)
    copied = [e for e in report.evidence if e.resource == DATA and "attached_ebs_impaired" in e.signals]
    assert copied and f"attached-EBS check of {HOST} failed" in copied[0].summary
    top = report.hypotheses[0]
    assert top.resource == DATA and top.failure_mode == "ebs-volume-impaired", report.summary
    host = next((h for h in report.hypotheses if h.resource == HOST), None)
    assert host is None or "contradicted by attached_ebs_impaired" in host.rationale
