"""Scenario #2: an instance stops but will not start because its EBS volume's KMS key is unusable."""

from __future__ import annotations

from typing import Any

import pytest

from evals.bundle import Bundle
from evals.bundle.shapes import to_datetime
from evals.replay import replay_session
from evals.scenarios.library import kms_key_blocks_start  # noqa: F401  (registers the scenario)
from evals.scenarios.library._instance_storage import StorageIncident, key_records
from evals.scenarios.registry import generate
from tests.evals.scenarios.test_instance_storage import StorageContract

SEEDS_BY_MODE = {"DisableKey": 2, "ScheduleKeyDeletion": 3, "PutKeyPolicy": 1}
ERRORS = {
    "DisableKey": ("DisabledException", "Disabled"),
    "ScheduleKeyDeletion": ("KMSInvalidStateException", "PendingDeletion"),
    "PutKeyPolicy": ("AccessDenied", "Enabled"),
}


def _trail(bundle: Bundle, name: str) -> list[dict[str, Any]]:
    return [r for r in bundle.records("cloudtrail") if r["eventName"] == name]


class TestKmsKeyBlocksStart(StorageContract):
    name = "kms-key-blocks-start"

    def test_the_stopped_host_names_the_encrypted_volume_and_key(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        session, _ = replay_session(bundle)
        ec2 = session.client("ec2")
        stopped = [
            i
            for r in ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}])[
                "Reservations"
            ]
            for i in r["Instances"]
        ]
        assert len(stopped) == 1
        host = stopped[0]
        assert host["StateReason"]["Code"] == "Client.InternalError"
        volume_id = host["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
        volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
        assert volume["Encrypted"] and volume["KmsKeyId"] == truth.root_cause.resource
        # The running instances' volumes use the same key and keep working.
        running = ec2.describe_volumes(Filters=[{"Name": "attachment.status", "Values": ["attached"]}])
        assert {v["KmsKeyId"] for v in running["Volumes"]} == {truth.root_cause.resource}

    def test_cloudtrail_shows_the_start_then_the_failed_grant(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        change = next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)
        starts = _trail(bundle, "StartInstances")
        grants = _trail(bundle, "CreateGrant")
        assert starts and len(grants) == len(starts)
        code, _ = ERRORS[change["eventName"]]
        for start, grant in zip(starts, grants, strict=True):
            assert 0 < (to_datetime(grant["eventTime"]) - to_datetime(start["eventTime"])).total_seconds() < 5
            assert grant["errorCode"] == code and grant["userIdentity"]["invokedBy"] == "ec2.amazonaws.com"
            assert grant["requestParameters"]["keyId"] == truth.root_cause.resource
        # The key change came long before anyone noticed.
        assert to_datetime(starts[0]["eventTime"]) - to_datetime(change["eventTime"]) > _minutes(45)

    def test_replayed_key_is_unusable_at_now(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        session, _ = replay_session(bundle)
        meta = session.client("kms").describe_key(KeyId=truth.root_cause.resource)["KeyMetadata"]
        change = next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)
        assert meta["KeyState"] == ERRORS[change["eventName"]][1]

    def test_a_second_unused_key_was_disabled_in_the_same_clean_up(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        disabled = _trail(bundle, "DisableKey")
        unused = [
            r for r in disabled if not truth.root_cause.resource.endswith(r["requestParameters"]["keyId"])
        ]
        assert len(unused) == 1


@pytest.mark.parametrize("change", sorted(SEEDS_BY_MODE))
def test_each_kind_of_key_change_leaves_the_key_in_its_state(change: str) -> None:
    incident = generate("kms-key-blocks-start", SEEDS_BY_MODE[change])
    truth = incident.truth
    assert isinstance(incident, StorageIncident) and incident.ebs_key is not None
    assert truth is not None and truth.root_cause is not None
    record = next(r for r in incident.cloudtrail if r["eventID"] == truth.root_cause.event_id)
    assert record["eventName"] == change
    meta = key_records(incident, incident.ebs_key)[0]["item"]
    code, state = ERRORS[change]
    assert meta["Arn"] == truth.root_cause.resource
    assert meta["KeyState"] == state and meta["Enabled"] == (state == "Enabled")
    if change == "ScheduleKeyDeletion":
        assert to_datetime(meta["DeletionDate"]) > incident.window.now
        assert meta["PendingDeletionWindowInDays"] == record["requestParameters"]["pendingWindowInDays"]
    grants = [r for r in incident.cloudtrail if r["eventName"] == "CreateGrant"]
    assert grants and {g["errorCode"] for g in grants} == {code}


def _minutes(n: int) -> Any:
    from datetime import timedelta

    return timedelta(minutes=n)
