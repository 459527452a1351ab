"""Scenario #14: a T3 instance ran out of CPU credits."""

from __future__ import annotations

from evals.bundle import Bundle
from evals.scenarios.incident import Incident
from tests.evals.scenarios.contract import ScenarioContract


class TestCpuCredits(ScenarioContract):
    name = "t3-cpu-credits"

    def test_only_the_guilty_instance_runs_out_of_credits(self, incident: Incident, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        guilty = truth.root_cause.resource.rsplit("/", 1)[1]
        svc = incident.account.services[0]
        onset = incident.window.index(incident.window.onset)
        for inst in svc.instances:
            balance = incident.get("AWS/EC2", "CPUCreditBalance", InstanceId=inst.id).values
            lowest = min(v for v in balance if v is not None)
            assert (lowest == 0.0) == (inst.id == guilty), inst.id
        # Out of credits, CPU sits at the baseline (20% for t3.medium, 30% for t3.large).
        cpu = incident.get("AWS/EC2", "CPUUtilization", InstanceId=guilty).values[onset + 1 :]
        floor = {"t3.medium": 20.0, "t3.large": 30.0}[svc.instance_type]
        assert all(floor - 1.5 < (v or 0) <= floor for v in cpu)

    def test_peers_share_type_and_launch_template(self, incident: Incident, bundle: Bundle) -> None:
        svc = incident.account.services[0]
        items = [
            r["item"]
            for r in bundle.records("resources")
            if r["type"] == "Instance" and r["item"]["InstanceId"] in {i.id for i in svc.instances}
        ]
        assert len(items) >= 2
        assert len({(i["InstanceType"], i["ImageId"], i["IamInstanceProfile"]["Arn"]) for i in items}) == 1
