"""EC2 state the base inventory does not write: root volumes, status checks, the EBS key, EBS metrics.

Scenarios about volumes, status checks or keys build a `StorageIncident`: it renders what every
other incident renders, plus a `Volume` and an `InstanceStatus` per running instance (replay refuses
to invent status checks), the customer-managed KMS key the volumes are encrypted with, and any
extra resource records the scenario adds. `io_metrics` gives each volume its AWS/EBS series.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.scenarios import assembly
from evals.scenarios.account import Instance, iso, tags
from evals.scenarios.baseline import Traffic
from evals.scenarios.incident import Incident
from evals.scenarios.series import Series

MIB = 1024 * 1024
STALLED = 100.0  # how many times its normal latency an I/O takes before EBS reports it as stalled


@dataclass(frozen=True)
class VolumeSpec:
    """How a tier's root volumes are provisioned (gp3: IOPS and MiB/s are set apart from size)."""

    type: str
    size: int
    iops: int
    throughput: int  # MiB/s


@dataclass
class EbsKey:
    """The customer-managed key a team uses for EBS encryption by default."""

    key_id: str
    arn: str
    alias: str
    created: datetime
    state: str = "Enabled"  # or "Disabled", "PendingDeletion"
    deletion: datetime | None = None  # when a key pending deletion will be deleted
    window_days: int = 30


@dataclass
class StorageIncident(Incident):
    volume_specs: dict[str, VolumeSpec] = field(default_factory=dict)  # service name -> spec
    volume_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # volume id -> item fields
    status_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # instance id -> item fields
    extra_resources: list[dict[str, Any]] = field(default_factory=list)
    ebs_key: EbsKey | None = None

    def bundle(self) -> Bundle:
        base = super().bundle()
        extra = Bundle(base.manifest, {"resources": self.storage_records()})
        # Bundle has no API to add records once built, and rebuilding it would serialise every
        # metric datapoint a second time: append the (already plain) extra items in place.
        base._memory.setdefault("resources", []).extend(extra.records("resources"))
        return base

    def storage_records(self) -> list[dict[str, Any]]:
        now = self.window.now
        out: list[dict[str, Any]] = []
        key = self.ebs_key
        if key is not None:
            out += key_records(self, key)
        for inst in self.account.instances():
            if not inst.alive(now):
                continue  # root volumes are deleted on termination
            out.append({"service": "ec2", "type": "Volume", "item": self.volume_item(inst)})
            out.append({"service": "ec2", "type": "InstanceStatus", "item": self.status_item(inst)})
        return out + self.extra_resources

    def volume_item(self, inst: Instance) -> dict[str, Any]:
        acct = self.account
        spec = self.volume_specs.get(inst.service.name) or VolumeSpec("gp3", 30, 3000, 125)
        item: dict[str, Any] = {
            "VolumeId": inst.volume_id,
            "Size": spec.size,
            "AvailabilityZone": inst.az,
            "State": "in-use",
            "CreateTime": iso(inst.launched + timedelta(seconds=1)),
            "SnapshotId": "snap-" + acct.ids.hex(17),
            "VolumeType": spec.type,
            "Iops": spec.iops,
            "Encrypted": self.ebs_key is not None,
            "MultiAttachEnabled": False,
            "Attachments": [
                {
                    "VolumeId": inst.volume_id,
                    "InstanceId": inst.id,
                    "Device": "/dev/xvda",
                    "State": "attached",
                    "AttachTime": iso(inst.launched + timedelta(seconds=2)),
                    "DeleteOnTermination": True,
                }
            ],
            "Tags": tags(Name=inst.service.asg_name),
        }
        if spec.type == "gp3":
            item["Throughput"] = spec.throughput
        if self.ebs_key is not None:
            item["KmsKeyId"] = self.ebs_key.arn
        item.update(self.volume_overrides.get(inst.volume_id, {}))
        return item

    def status_item(self, inst: Instance) -> dict[str, Any]:
        ok = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
        item: dict[str, Any] = {
            "InstanceId": inst.id,
            "AvailabilityZone": inst.az,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": dict(ok),
            "SystemStatus": dict(ok),
            "AttachedEbsStatus": dict(ok),
        }
        item.update(self.status_overrides.get(inst.id, {}))
        return item


def new_incident(rng: random.Random, title: str, **kwargs: Any) -> StorageIncident:
    """`assembly.new_incident`, as a StorageIncident (before anything is recorded on it)."""
    plain = assembly.new_incident(rng, title, **kwargs)
    return StorageIncident(rng=plain.rng, window=plain.window, account=plain.account, title=title)


def draw_key(inc: StorageIncident, *, alias: str = "") -> EbsKey:
    """The account's EBS default key, created long before the window."""
    acct = inc.account
    key_id = acct.ids.uuid()
    alias = alias or inc.rng.choice(
        [f"alias/{acct.product}-ebs", f"alias/{acct.env}/ebs", "alias/ebs-default-cmk"]
    )
    inc.ebs_key = EbsKey(
        key_id=key_id,
        arn=f"arn:aws:kms:{acct.region}:{acct.account_id}:key/{key_id}",
        alias=alias,
        created=acct.created + timedelta(hours=inc.rng.randrange(1, 48)),
    )
    return inc.ebs_key


def key_records(inc: StorageIncident, key: EbsKey) -> list[dict[str, Any]]:
    """DescribeKey's KeyMetadata and ListAliases' entry for `key`, as they stand at `now`."""
    acct = inc.account
    meta: dict[str, Any] = {
        "AWSAccountId": acct.account_id,
        "KeyId": key.key_id,
        "Arn": key.arn,
        "CreationDate": iso(key.created),
        "Enabled": key.state == "Enabled",
        "Description": "Default key for EBS volumes",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": key.state,
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
    }
    if key.state == "PendingDeletion" and key.deletion is not None:
        meta["DeletionDate"] = iso(key.deletion)
        meta["PendingDeletionWindowInDays"] = key.window_days
    alias = {
        "AliasName": key.alias,
        "AliasArn": f"arn:aws:kms:{acct.region}:{acct.account_id}:{key.alias}",
        "TargetKeyId": key.key_id,
        "CreationDate": iso(key.created),
        "LastUpdatedDate": iso(key.created),
    }
    return [
        {"service": "kms", "type": "KeyMetadata", "item": meta},
        {"service": "kms", "type": "AliasListEntry", "item": alias},
    ]


def volume_arn(inc: Incident, volume_id: str) -> str:
    return f"arn:aws:ec2:{inc.account.region}:{inc.account.account_id}:volume/{volume_id}"


# --- AWS/EBS metrics --------------------------------------------------------------------------------


@dataclass
class IoDemand:
    """What the workload on one volume asks for each minute: IOPS and MiB/s (reads and writes)."""

    read_iops: list[float]
    write_iops: list[float]
    read_mibs: list[float]
    write_mibs: list[float]


def demand_from_traffic(
    inc: Incident, traffic: Traffic, inst: Instance, *, iops_per_rpm: float, kib_per_op: float, reads: float
) -> IoDemand:
    """I/O that follows the instance's share of its tier's requests (plus a little background)."""
    rng, w = inc.rng, inc.window
    svc = inst.service
    rpm = traffic.rpm[svc.name]
    rd: list[float] = []
    wr: list[float] = []
    for i, when in w.grid():
        alive = svc.alive(when)
        share = rpm[i] / len(alive) if inst in alive else 0.0
        iops = (3 + share * iops_per_rpm) * (1 + rng.gauss(0, 0.07))
        rd.append(max(0.0, iops * reads))
        wr.append(max(0.0, iops * (1 - reads)))
    mib = kib_per_op / 1024
    return IoDemand(rd, wr, [v * mib for v in rd], [v * mib for v in wr])


def io_metrics(
    inc: Incident,
    inst: Instance,
    demand: IoDemand,
    spec: VolumeSpec,
    *,
    latency_ms: float,
    outstanding: int = 32,
    slow: list[float] | None = None,
) -> dict[str, Series]:
    """The AWS/EBS series of `inst`'s volume, delivered against the volume's ceilings.

    Under the ceilings, each op takes about `latency_ms` (times `slow[i]` where the volume itself is
    degraded). Above them, EBS delivers exactly the ceiling, the excess work piles up, and the queue
    fills towards the application's `outstanding` I/Os; per-op latency follows Little's law:
    queue length / delivered IOPS.
    """
    rng, w = inc.rng, inc.window
    names = [
        ("VolumeReadOps", "Count"),
        ("VolumeWriteOps", "Count"),
        ("VolumeReadBytes", "Bytes"),
        ("VolumeWriteBytes", "Bytes"),
        ("VolumeTotalReadTime", "Seconds"),
        ("VolumeTotalWriteTime", "Seconds"),
        ("VolumeQueueLength", "Count"),
        ("VolumeIdleTime", "Seconds"),
        ("VolumeIOPSExceededCheck", "None"),
        ("VolumeThroughputExceededCheck", "None"),
        ("VolumeStalledIOCheck", "None"),
    ]
    values: dict[str, list[float | None]] = {n: [] for n, _ in names}
    backlog = 0.0  # seconds of I/O work waiting beyond what the ceilings let through
    for i, when in w.grid():
        if not inst.alive(when):
            for n, _ in names:
                values[n].append(None)
            continue
        want_iops = demand.read_iops[i] + demand.write_iops[i]
        want_mibs = demand.read_mibs[i] + demand.write_mibs[i]
        utilisation = max(want_iops / spec.iops, want_mibs / spec.throughput)
        backlog = max(0.0, backlog + 60 * (utilisation - 1))
        saturated = utilisation > 1 or backlog > 0
        # Saturated, the volume delivers exactly its ceiling; below it, what is asked.
        scale = 1 / utilisation if saturated else 1.0
        got_iops = want_iops * scale
        op_s = latency_ms / 1000 * (slow[i] if slow else 1.0)
        if saturated:
            queue = outstanding * min(1.0, 0.3 + backlog / 90) * rng.uniform(0.9, 1.0)
            op_s = max(op_s, queue / max(got_iops, 1.0))
            busy = 1.0
        else:
            # M/M/1-like growth as the volume nears its ceiling.
            op_s = op_s / max(0.08, 1 - 0.85 * utilisation)
            queue = got_iops * op_s
            busy = utilisation
            if queue > outstanding:
                # A stalled volume: the application cannot have more than `outstanding` I/Os in
                # flight, so it gets only what those complete.
                queue = outstanding * rng.uniform(0.9, 1.0)
                scale = queue / op_s / max(want_iops, 1e-9)
                got_iops = want_iops * scale
                busy = 1.0
        reads = demand.read_iops[i] * scale
        writes = demand.write_iops[i] * scale
        values["VolumeReadOps"].append(reads * 60)
        values["VolumeWriteOps"].append(writes * 60)
        values["VolumeReadBytes"].append(demand.read_mibs[i] * scale * MIB * 60)
        values["VolumeWriteBytes"].append(demand.write_mibs[i] * scale * MIB * 60)
        values["VolumeTotalReadTime"].append(reads * 60 * op_s)
        values["VolumeTotalWriteTime"].append(writes * 60 * op_s)
        values["VolumeQueueLength"].append(queue)
        values["VolumeIdleTime"].append(max(0.0, 60 * (1 - busy)))
        at_iops = saturated and want_iops / spec.iops >= want_mibs / spec.throughput
        values["VolumeIOPSExceededCheck"].append(1.0 if at_iops else 0.0)
        values["VolumeThroughputExceededCheck"].append(1.0 if saturated and not at_iops else 0.0)
        values["VolumeStalledIOCheck"].append(1.0 if slow and slow[i] >= STALLED else 0.0)
    out = {}
    for n, unit in names:
        decimals = 0 if unit in ("Bytes", "None") or n.endswith("Ops") else 4
        out[n] = inc.add(
            Series(
                "AWS/EBS",
                n,
                {"VolumeId": inst.volume_id},
                unit,
                values[n],
                decimals=decimals,
                resource=inst.volume_id,
            )
        )
    return out


def attached_ebs_checks(inc: Incident, impaired: dict[str, list[bool]]) -> None:
    """StatusCheckFailed_AttachedEBS for every instance alive in the window: 1 in impaired minutes."""
    w = inc.window
    for inst in inc.account.instances():
        if not any(inst.alive(when) for _, when in w.grid()):
            continue
        bad = impaired.get(inst.id, [False] * w.minutes)
        values: list[float | None] = [
            (1.0 if bad[i] else 0.0) if inst.alive(when) else None for i, when in w.grid()
        ]
        inc.add(
            Series(
                "AWS/EC2",
                "StatusCheckFailed_AttachedEBS",
                {"InstanceId": inst.id},
                "Count",
                values,
                decimals=0,
                resource=inst.id,
            )
        )
