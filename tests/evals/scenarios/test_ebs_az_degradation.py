"""Scenario #16: an AWS Health event, EBS degraded in one Availability Zone."""

from __future__ import annotations

from datetime import datetime

from evals.bundle import Bundle
from evals.replay import replay_session
from evals.scenarios.incident import Incident
from evals.scenarios.library import ebs_az_degradation  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.contract import Known
from tests.evals.scenarios.test_instance_storage import StorageContract


def _az(bundle: Bundle) -> str:
    truth = bundle.manifest.truth
    assert truth is not None and truth.root_cause is not None
    return truth.root_cause.resource


class TestEbsAzDegradation(StorageContract):
    name = "ebs-az-degradation"

    def test_only_volumes_in_the_az_stall(self, incident: Incident, bundle: Bundle, known: Known) -> None:
        az = _az(bundle)
        volumes = {v["VolumeId"]: v["AvailabilityZone"] for v in known.by_type[("ec2", "Volume")]}
        stalled = {
            vol
            for vol in volumes
            if max(v or 0 for v in incident.get("AWS/EBS", "VolumeStalledIOCheck", VolumeId=vol).values) == 1
        }
        assert stalled and {volumes[v] for v in stalled} == {az}
        truth = bundle.manifest.truth
        assert truth is not None
        assert {a.rsplit("/", 1)[1] for a in truth.also_accept} == stalled
        # Nothing stalls before the onset.
        onset = incident.window.index(incident.window.onset)
        for vol in stalled:
            assert set(incident.get("AWS/EBS", "VolumeStalledIOCheck", VolumeId=vol).values[:onset]) == {0.0}

    def test_health_event_names_the_az_and_is_posted_after_the_impact(
        self, incident: Incident, bundle: Bundle
    ) -> None:
        az = _az(bundle)
        session, _ = replay_session(bundle)
        health = session.client("health", region_name="us-east-1")
        events = health.describe_events(filter={"services": ["EBS"]})["events"]
        assert [(e["availabilityZone"], e["eventTypeCategory"], e["statusCode"]) for e in events] == [
            (az, "issue", "open")
        ]
        assert events[0]["lastUpdatedTime"] - incident.window.onset.replace(microsecond=0) >= (
            datetime(2000, 1, 1, 0, 12) - datetime(2000, 1, 1)
        )

    def test_status_checks_fail_only_for_attached_ebs(self, incident: Incident, bundle: Bundle) -> None:
        session, _ = replay_session(bundle)
        statuses = session.client("ec2").describe_instance_status()["InstanceStatuses"]
        assert {s["InstanceStatus"]["Status"] for s in statuses} == {"ok"}
        assert {s["SystemStatus"]["Status"] for s in statuses} == {"ok"}
        impaired = [s for s in statuses if s["AttachedEbsStatus"]["Status"] == "impaired"]
        assert all(s["AvailabilityZone"] == _az(bundle) for s in impaired)

    def test_no_change_touched_the_affected_instances(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None and truth.root_cause.event_id is None
        volumes = {a.rsplit("/", 1)[1] for a in truth.also_accept}
        writes = [r for r in bundle.records("cloudtrail") if not r["readOnly"]]
        assert not any(v in str(r["requestParameters"]) for r in writes for v in volumes)

    def test_targets_in_the_az_flap_and_come_back(self, bundle: Bundle) -> None:
        az = _az(bundle)
        health = [e["item"] for e in bundle.records("events") if e["source"] == "target_health"]
        unhealthy = [h for h in health if h["health"]["State"] == "unhealthy"]
        assert unhealthy and {h["target"]["AvailabilityZone"] for h in unhealthy} == {az}
        assert all(h["health"]["Reason"] == "Target.Timeout" for h in unhealthy)
