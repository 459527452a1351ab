"""The volumes, status checks, EBS key and AWS/EBS metrics that storage scenarios add to the account.

`StorageKnown` and `StorageContract` extend the scenario contract with the resources these
scenarios add (volumes, KMS keys, tables, network ACLs, AZs), so their ids count as existing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from evals.bundle import Bundle
from evals.replay import replay_session
from evals.scenarios.account import Account
from evals.scenarios.library._instance_storage import (
    MIB,
    IoDemand,
    StorageIncident,
    VolumeSpec,
    draw_key,
    io_metrics,
    key_records,
)
from evals.scenarios.window import Window
from tests.evals.scenarios.contract import Known, ScenarioContract


class StorageKnown(Known):
    """Known ids plus volumes, KMS keys, DynamoDB tables, network ACLs, transit gateways and AZs."""

    def __init__(self, bundle: Bundle) -> None:
        super().__init__(bundle)
        items = self.by_type
        region, account = bundle.manifest.region, bundle.manifest.account_id
        self.volumes = {v["VolumeId"] for v in items[("ec2", "Volume")]}
        self.tables = {t["TableName"] for t in items[("dynamodb", "TableDescription")]}
        self.indexes = {
            g["IndexName"]
            for t in items[("dynamodb", "TableDescription")]
            for g in t.get("GlobalSecondaryIndexes", [])
        }
        self.azs = {s["AvailabilityZone"] for s in items[("ec2", "Subnet")]}
        self.arns |= (
            {f"arn:aws:ec2:{region}:{account}:volume/{v}" for v in self.volumes}
            | {k["Arn"] for k in items[("kms", "KeyMetadata")]}
            | {t["TableArn"] for t in items[("dynamodb", "TableDescription")]}
            | {
                f"arn:aws:ec2:{region}:{account}:network-acl/{n['NetworkAclId']}"
                for n in items[("ec2", "NetworkAcl")]
            }
            | self.azs
        )

    def dimension_exists(self, name: str, value: str) -> bool:
        if name == "VolumeId":
            return value in self.volumes
        if name == "TableName":
            return value in self.tables
        if name == "GlobalSecondaryIndexName":
            return value in self.indexes
        if name == "Operation":
            return True  # an API operation name, not a resource
        if name == "TransitGateway":
            return value in {a["TransitGatewayId"] for a in self.by_type[("ec2", "TransitGatewayAttachment")]}
        if name == "TransitGatewayAttachment":
            attachments = self.by_type[("ec2", "TransitGatewayAttachment")]
            return value in {a["TransitGatewayAttachmentId"] for a in attachments}
        return super().dimension_exists(name, value)


class StorageContract(ScenarioContract):
    """The scenario contract, counting the resources storage scenarios add as known."""

    @pytest.fixture(scope="class")
    @classmethod
    def known(cls, bundle: Bundle) -> StorageKnown:
        return StorageKnown(bundle)


# --- the helpers themselves ---------------------------------------------------------------------


@pytest.fixture
def incident() -> StorageIncident:
    rng = random.Random(11)
    w = Window.draw(rng)
    return StorageIncident(rng=rng, window=w, account=Account.draw(rng, w, region="us-east-1"), title="t")


def _flat(inc: StorageIncident, read_mibs: float, write_mibs: float, kib: int) -> IoDemand:
    n = inc.window.minutes
    mib = kib / 1024
    return IoDemand([read_mibs / mib] * n, [write_mibs / mib] * n, [read_mibs] * n, [write_mibs] * n)


def test_under_the_ceiling_the_volume_delivers_what_is_asked(incident: StorageIncident) -> None:
    inst = incident.account.services[0].instances[0]
    spec = VolumeSpec("gp3", 100, 3000, 125)
    # 60 MiB/s in 256 KiB ops is 240 IOPS: far under both ceilings.
    out = io_metrics(incident, inst, _flat(incident, 40, 20, 256), spec, latency_ms=1.0)
    i = incident.window.minutes // 2
    assert out["VolumeReadBytes"].values[i] == pytest.approx(40 * MIB * 60)
    assert out["VolumeWriteOps"].values[i] == pytest.approx(20 * 4 * 60)
    assert out["VolumeThroughputExceededCheck"].values[i] == 0.0
    assert out["VolumeIOPSExceededCheck"].values[i] == 0.0
    assert (out["VolumeIdleTime"].values[i] or 0) > 0
    # Average latency per op = total time / ops, a little above the 1 ms service time at 48% busy.
    per_op = (out["VolumeTotalReadTime"].values[i] or 0) / (out["VolumeReadOps"].values[i] or 1)
    assert 0.001 < per_op < 0.002


def test_over_the_throughput_ceiling_it_delivers_exactly_125_mib(incident: StorageIncident) -> None:
    inst = incident.account.services[0].instances[0]
    spec = VolumeSpec("gp3", 500, 3000, 125)
    # 200 MiB/s asked in 512 KiB ops = 400 IOPS: throughput-bound, not IOPS-bound.
    out = io_metrics(incident, inst, _flat(incident, 150, 50, 512), spec, latency_ms=1.0, outstanding=64)
    i = incident.window.minutes // 2
    delivered = (out["VolumeReadBytes"].values[i] or 0) + (out["VolumeWriteBytes"].values[i] or 0)
    assert delivered == pytest.approx(125 * MIB * 60)
    assert out["VolumeThroughputExceededCheck"].values[i] == 1.0
    assert out["VolumeIOPSExceededCheck"].values[i] == 0.0
    assert out["VolumeIdleTime"].values[i] == 0.0
    assert 64 * 0.9 <= (out["VolumeQueueLength"].values[i] or 0) <= 64
    # Little's law: about 64 queued ops / 250 delivered IOPS = 0.25 s per op.
    per_op = (out["VolumeTotalReadTime"].values[i] or 0) / (out["VolumeReadOps"].values[i] or 1)
    assert 0.22 < per_op < 0.26


def test_over_the_iops_ceiling_it_is_the_iops_check_that_fires(incident: StorageIncident) -> None:
    inst = incident.account.services[0].instances[0]
    spec = VolumeSpec("gp3", 100, 3000, 125)
    # 60 MiB/s in 8 KiB ops = 7680 IOPS: IOPS-bound.
    out = io_metrics(incident, inst, _flat(incident, 30, 30, 8), spec, latency_ms=1.0)
    i = incident.window.minutes // 2
    ops = (out["VolumeReadOps"].values[i] or 0) + (out["VolumeWriteOps"].values[i] or 0)
    assert ops == pytest.approx(3000 * 60)
    assert out["VolumeIOPSExceededCheck"].values[i] == 1.0
    assert out["VolumeThroughputExceededCheck"].values[i] == 0.0


def test_volumes_statuses_and_key_replay_through_boto3(incident: StorageIncident) -> None:
    key = draw_key(incident)
    incident.volume_specs[incident.account.services[0].name] = VolumeSpec("gp3", 50, 4000, 250)
    session, _ = replay_session(incident.bundle())
    ec2 = session.client("ec2")
    running = [i for i in incident.account.instances() if i.alive(incident.window.now)]
    volumes = ec2.describe_volumes()["Volumes"]
    assert {v["VolumeId"] for v in volumes} == {i.volume_id for i in running}
    web = incident.account.services[0]
    mine = next(v for v in volumes if v["VolumeId"] == web.instances[0].volume_id)
    assert (mine["VolumeType"], mine["Iops"], mine["Throughput"], mine["Size"]) == ("gp3", 4000, 250, 50)
    assert mine["Attachments"][0]["InstanceId"] == web.instances[0].id and mine["KmsKeyId"] == key.arn
    statuses = ec2.describe_instance_status()
    assert {s["InstanceId"] for s in statuses["InstanceStatuses"]} == {i.id for i in running}
    assert {s["InstanceStatus"]["Status"] for s in statuses["InstanceStatuses"]} == {"ok"}
    meta = session.client("kms").describe_key(KeyId=key.alias)["KeyMetadata"]
    assert (meta["Arn"], meta["KeyState"], meta["KeyManager"]) == (key.arn, "Enabled", "CUSTOMER")


@pytest.mark.moto
def test_volume_items_match_moto(incident: StorageIncident, moto_session: Callable[[str], Any]) -> None:
    """The same gp3 volume created in moto describes with the fields our items carry."""
    inst = incident.account.services[0].instances[0]
    incident.volume_specs[inst.service.name] = VolumeSpec("gp3", 200, 3000, 125)
    ours = incident.volume_item(inst)
    ec2 = moto_session("ec2")
    created = ec2.create_volume(
        AvailabilityZone="us-east-1a", Size=200, VolumeType="gp3", Iops=3000, Throughput=125
    )
    theirs = ec2.describe_volumes(VolumeIds=[created["VolumeId"]])["Volumes"][0]
    fields = ["Size", "VolumeType", "Iops", "Encrypted"]
    assert {f: ours[f] for f in fields} == {f: theirs[f] for f in fields}
    assert theirs.get("Throughput", 125) == ours["Throughput"]
    # moto leaves out a few members AWS returns; everything else it has, we have too.
    assert set(theirs) - set(ours) <= {"ResponseMetadata", "Operator"}


@pytest.mark.moto
@pytest.mark.parametrize("state", ["Enabled", "Disabled", "PendingDeletion"])
def test_key_metadata_matches_moto(
    incident: StorageIncident, moto_session: Callable[[str], Any], state: str
) -> None:
    """A key disabled or scheduled for deletion in moto describes like our KeyMetadata item."""
    key = draw_key(incident)
    kms = moto_session("kms")
    created = kms.create_key(Description="Default key for EBS volumes")["KeyMetadata"]
    if state == "Disabled":
        kms.disable_key(KeyId=created["KeyId"])
    if state == "PendingDeletion":
        kms.schedule_key_deletion(KeyId=created["KeyId"], PendingWindowInDays=7)
        key.window_days = 7
        key.deletion = incident.window.now + timedelta(days=7)
    key.state = state
    theirs = kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]
    ours = key_records(incident, key)[0]["item"]
    # moto leaves out KeyUsage, MultiRegion and PendingDeletionWindowInDays, which AWS returns.
    fields = ["KeyState", "Enabled", "Origin", "KeyManager", "KeySpec", "Description", "EncryptionAlgorithms"]
    assert {f: ours[f] for f in fields} == {f: theirs[f] for f in fields}
    assert ("DeletionDate" in ours) == ("DeletionDate" in theirs)
    if state == "PendingDeletion":
        assert ours["PendingDeletionWindowInDays"] == 7
