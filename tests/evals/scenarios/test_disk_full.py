"""Scenario #17: one instance's disk is full."""

from __future__ import annotations

from evals.bundle import Bundle
from evals.scenarios.incident import Incident
from tests.evals.scenarios.contract import ScenarioContract


class TestDiskFull(ScenarioContract):
    name = "disk-full"

    def test_only_the_guilty_instance_fills_its_disk(self, incident: Incident, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        guilty = truth.root_cause.resource.rsplit("/", 1)[1]
        for inst in incident.account.services[0].instances:
            disk = incident.find("CWAgent", "disk_used_percent", InstanceId=inst.id)[0].values
            assert (max(v or 0 for v in disk) >= 100.0) == (inst.id == guilty), inst.id
        enospc = {
            e["log_stream"] for e in bundle.records("logs") if "No space left on device" in e["message"]
        }
        assert enospc == {guilty}
