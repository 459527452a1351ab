"""Scenario #3: slow after a migration, the new gp3 volume at its throughput ceiling."""

from __future__ import annotations

from evals.bundle import Bundle
from evals.replay import replay_session
from evals.scenarios.incident import Incident
from evals.scenarios.library import ebs_throughput_ceiling  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.test_instance_storage import StorageContract


class TestEbsThroughputCeiling(StorageContract):
    name = "ebs-throughput-ceiling"

    def test_volume_delivers_exactly_its_ceiling_after_onset(
        self, incident: Incident, bundle: Bundle
    ) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        volume_id = truth.root_cause.resource.rsplit("/", 1)[1]
        w = incident.window
        onset = w.index(w.onset)
        dims = {"VolumeId": volume_id}
        read = incident.get("AWS/EBS", "VolumeReadBytes", **dims).values
        write = incident.get("AWS/EBS", "VolumeWriteBytes", **dims).values
        mibs = [((r or 0) + (x or 0)) / 60 / 2**20 for r, x in zip(read, write, strict=True)]
        assert max(mibs) <= 125.01  # never more than gp3's default 125 MiB/s
        at_ceiling = [abs(v - 125.0) < 0.01 for v in mibs]
        assert not any(at_ceiling[:onset])
        assert sum(at_ceiling[onset:]) >= 0.9 * len(at_ceiling[onset:])  # flat-topped, backlog drains rarely
        check = incident.get("AWS/EBS", "VolumeThroughputExceededCheck", **dims).values
        assert [c == 1.0 for c in check] == at_ceiling

    def test_guilty_volume_is_provisioned_like_its_peers(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        volumes = [r["item"] for r in bundle.records("resources") if r["type"] == "Volume"]
        assert len(volumes) >= 3
        # Every volume has gp3's defaults: configuration alone does not single out the guilty one.
        assert {(v["VolumeType"], v["Iops"], v["Throughput"]) for v in volumes} == {("gp3", 3000, 125)}

    def test_peer_volumes_stay_far_below_their_ceilings(self, incident: Incident, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        guilty = truth.root_cause.resource.rsplit("/", 1)[1]
        others = [r["item"]["VolumeId"] for r in bundle.records("resources") if r["type"] == "Volume"]
        for vol in others:
            if vol != guilty:
                check = incident.get("AWS/EBS", "VolumeThroughputExceededCheck", VolumeId=vol).values
                assert set(check) - {None} == {0.0}, vol

    def test_ebs_metrics_replay_through_get_metric_data(self, incident: Incident, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        volume_id = truth.root_cause.resource.rsplit("/", 1)[1]
        session, _ = replay_session(bundle)
        w = incident.window
        out = session.client("cloudwatch").get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "q",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/EBS",
                            "MetricName": "VolumeQueueLength",
                            "Dimensions": [{"Name": "VolumeId", "Value": volume_id}],
                        },
                        "Period": 300,
                        "Stat": "Average",
                    },
                }
            ],
            StartTime=w.start,
            EndTime=w.now,
            ScanBy="TimestampAscending",
        )
        values = out["MetricDataResults"][0]["Values"]
        assert values and max(values) > 10 * min(values)
        volumes = session.client("ec2").describe_volumes(VolumeIds=[volume_id])["Volumes"]
        assert volumes[0]["Attachments"][0]["State"] == "attached"
