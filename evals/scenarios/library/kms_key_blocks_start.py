"""#2 An instance stops fine but will not start: its EBS volume's KMS key is unusable.

Hours earlier someone "cleaned up" KMS keys: they disabled the team's EBS key, scheduled it for
deletion, or replaced its key policy with one that no longer lets the account's principals use it
through EC2. Nothing broke: running instances keep their volumes' data keys in memory. Then someone
stops a standalone tool host (to resize it) and starts it again. EC2 cannot create the grant EBS
needs to decrypt the root volume's data key, so the instance goes pending and straight back to
stopped with `Client.InternalError`. CloudTrail shows the start and the failed KMS call.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evals.bundle.model import RootCause, Truth
from evals.scenarios import alarms as alarm_lib
from evals.scenarios import assembly, cloudtrail
from evals.scenarios.account import Instance, iso, tags
from evals.scenarios.alarms import AlarmSpec
from evals.scenarios.baseline import Traffic, build_baseline
from evals.scenarios.incident import Incident
from evals.scenarios.library._instance_storage import (
    EbsKey,
    IoDemand,
    StorageIncident,
    VolumeSpec,
    draw_key,
    io_metrics,
    key_records,
    new_incident,
)
from evals.scenarios.registry import scenario
from evals.scenarios.series import Series, daily_curve, noisy

QUESTIONS = [
    "I stopped {host} to resize it and now it won't come back: it goes to pending and then stopped again.",
    "{host} is down since {t}. Start just flips back to stopped. What's going on?",
    "Why can't I start {host}? It was fine before I stopped it.",
]
TOOLS = ["jenkins", "metabase", "grafana", "sftp", "bastion", "airflow", "gitlab-runner", "superset"]
RESIZES = {
    "t3.medium": "t3.large",
    "t3.large": "t3.xlarge",
    "m5.large": "m5.xlarge",
    "m6i.large": "m6i.xlarge",
}
MODES = ["disable", "delete", "policy"]
STATES = {"disable": "Disabled", "delete": "PendingDeletion", "policy": "Enabled"}


@scenario(
    2,
    "kms-key-blocks-start",
    "EC2 instance stops but will not start: its EBS key is unusable",
    "An earlier KMS change (disable, deletion or key policy) makes a stopped host fail to start.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    key = draw_key(inc)
    tool = rng.choice(TOOLS)
    th = _tool_host(inc, tool)
    host = th.instance
    inc.protected.add(host.id)
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)

    mode = rng.choice(MODES)
    people = cloudtrail.people(inc, 3)
    cleaner, operator = rng.sample(people, 2)
    # The key change comes well before anyone notices: running volumes keep their data keys.
    changed = w.between(rng, w.start + timedelta(minutes=20), w.onset - timedelta(minutes=50))
    spare = _spare_key(inc)
    change = _key_change(inc, cleaner, changed, key, mode)
    key.state = STATES[mode]
    # The same clean-up touches a key nobody uses: "a key was disabled" alone proves nothing.
    _key_change(inc, cleaner, changed + timedelta(seconds=rng.randrange(20, 240)), spare, "disable")
    spare.state = "Disabled"
    inc.hop("EBS key made unusable", key.arn, changed)

    stop = w.onset - timedelta(minutes=rng.randrange(3, 12), seconds=rng.randrange(60))
    _stop(inc, operator, stop, host)
    host.terminated = stop + timedelta(seconds=rng.randrange(30, 90))  # no telemetry once stopped
    new_type = RESIZES.get(host.instance_type, "m5.xlarge")
    if rng.random() < 0.6:
        _modify_type(inc, operator, stop + (w.onset - stop) / 2, host, new_type)
        host.instance_type = new_type
    error = _start_attempts(inc, operator, host, key, mode)
    inc.hop("start fails: EBS cannot decrypt the root volume", acct.instance_arn(host.id), w.onset)

    _host_metrics(inc, host, tool)
    topic = assembly.background(
        inc,
        traffic,
        near=[
            "target_group_attributes",
            "app_sg_monitoring_port",
            "db_tags",
            "ssm_parameter",
            "asg_max_size",
        ],
    )
    assembly.standard_alarms(inc, topic)
    # A status-check alarm on the host that treats missing data as breaching: it fires once the
    # host stops reporting, which is how the team notices.
    spec = AlarmSpec(
        f"{tool}-status-check",
        inc.get("AWS/EC2", "StatusCheckFailed", InstanceId=host.id),
        "Maximum",
        60,
        0.0,
        "GreaterThanThreshold",
        rng.choice([2, 3, 5]),
        rng.choice([2, 3]),
        "breaching",
        f"{tool} host is down",
    )
    spec.datapoints_to_alarm = min(spec.datapoints_to_alarm, spec.evaluation_periods)
    transitions = alarm_lib.add_alarm(inc, spec, topic)
    question = rng.choice(QUESTIONS).format(
        host=f"the {tool} box ({host.id})", t=assembly.local_time(inc, stop)
    )
    assembly.alarm_trigger(inc, spec, transitions, stop, question if rng.random() < 0.8 else None)

    inc.extra_resources += [
        {"service": "ec2", "type": "Instance", "item": _host_item(inc, th)},
        {"service": "ec2", "type": "Volume", "item": _host_volume(inc, host, tool)},
        *key_records(inc, spare),
    ]
    what = {
        "disable": "disabled",
        "delete": "scheduled for deletion",
        "policy": "given a key policy that no longer allows use through EC2",
    }[mode]
    inc.title = f"{tool} host will not start: its EBS key was {what}"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=key.arn,
            category="change",
            failure_mode="ec2-start-fails-ebs-kms-key-unusable",
            event_id=change["eventID"],
        ),
        also_accept=[],
        actions=["rollback"],
        chain=[
            f"{key.alias} ({key.key_id}) was {what} by {cleaner.name}",
            f"starting {host.id} needs a KMS grant to decrypt {host.volume_id}'s data key: {error}",
            f"{host.id} goes pending, then back to stopped with Client.InternalError",
        ],
    )
    return inc


@dataclass
class ToolHost:
    """The standalone host: its instance (volume, subnet, type), security group, role and image."""

    instance: Instance
    tool: str
    group: str
    role: str
    image: str


def _tool_host(inc: StorageIncident, tool: str) -> ToolHost:
    """A standalone instance (no Auto Scaling group) in a private subnet, running a team tool."""
    acct, rng, w = inc.account, inc.rng, inc.window
    subnet = rng.choice(acct.private_subnets)
    role = f"{tool}-instance-role"
    acct.roles[role] = (f"Instance role for {tool}", "ec2.amazonaws.com")
    group = acct._sg(  # the account builder's own group factory keeps groups consistent
        f"{tool}-sg",
        f"{tool} host",
        [acct._from_group(443 if tool != "sftp" else 22, acct.alb_sg, "from ALB")],
    )
    inc.volume_specs[tool] = VolumeSpec("gp3", rng.choice([50, 100, 200]), 3000, 125)
    host = Instance(
        id=acct.ids.ec2("i"),
        service=acct.services[-1],  # not a member: only borrowed for typing; see _host_item
        subnet=subnet,
        private_ip=acct.ids.ip(subnet["CidrBlock"]),
        instance_type=rng.choice(sorted(RESIZES)),
        launched=w.start - timedelta(days=rng.randrange(20, 400)),
        volume_id=acct.ids.ec2("vol"),
        eni_id=acct.ids.ec2("eni"),
    )
    return ToolHost(host, tool, group, role, acct.ids.ec2("ami"))


def _host_item(inc: StorageIncident, th: ToolHost) -> dict[str, Any]:
    acct, host, group = inc.account, th.instance, th.group
    stopped_at = host.terminated or inc.window.onset
    return {
        "InstanceId": host.id,
        "ImageId": th.image,
        "InstanceType": host.instance_type,
        "LaunchTime": iso(inc.window.onset.replace(microsecond=0)),
        "State": {"Code": 80, "Name": "stopped"},
        "StateTransitionReason": f"User initiated ({stopped_at:%Y-%m-%d %H:%M:%S} GMT)",
        "StateReason": {
            "Code": "Client.InternalError",
            "Message": "Client.InternalError: Client error on launch",
        },
        "AmiLaunchIndex": 0,
        "Placement": {"AvailabilityZone": host.az, "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "disabled"},
        "Architecture": "x86_64",
        "Hypervisor": "xen",
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "VirtualizationType": "hvm",
        "EbsOptimized": True,
        "EnaSupport": True,
        "SourceDestCheck": True,
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{acct.account_id}:instance-profile/{th.role}",
            "Id": acct.ids.principal("AIPA"),
        },
        "SecurityGroups": [{"GroupId": group, "GroupName": acct.security_groups[group]["GroupName"]}],
        "Tags": tags(Name=th.tool, Team=acct.product),
        "ProductCodes": [],
        "PrivateIpAddress": host.private_ip,
        "PrivateDnsName": f"ip-{host.private_ip.replace('.', '-')}.{acct.region}.compute.internal",
        "PublicDnsName": "",
        "SubnetId": host.subnet["SubnetId"],
        "VpcId": acct.vpc_id,
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "VolumeId": host.volume_id,
                    "Status": "attached",
                    "DeleteOnTermination": True,
                    "AttachTime": iso(host.launched + timedelta(seconds=2)),
                },
            }
        ],
        "NetworkInterfaces": [
            {
                "NetworkInterfaceId": host.eni_id,
                "SubnetId": host.subnet["SubnetId"],
                "VpcId": acct.vpc_id,
                "PrivateIpAddress": host.private_ip,
                "Status": "in-use",
                "OwnerId": acct.account_id,
                "MacAddress": ":".join(acct.ids.hex(2) for _ in range(6)),
                "Groups": [{"GroupId": group, "GroupName": acct.security_groups[group]["GroupName"]}],
            }
        ],
    }


def _host_volume(inc: StorageIncident, host: Instance, tool: str) -> dict[str, Any]:
    spec = inc.volume_specs[tool]
    item = inc.volume_item(host)
    item.update(Size=spec.size, Iops=spec.iops, Throughput=spec.throughput, Tags=tags(Name=f"{tool}-root"))
    return item


def _host_metrics(inc: StorageIncident, host: Instance, tool: str) -> None:
    """The host's own metrics until it stops: a quiet internal tool with a working-hours curve."""
    rng, w = inc.rng, inc.window
    alive = [host.alive(when) for _, when in w.grid()]
    shape = daily_curve(w, peak_hour=rng.uniform(11, 16), amplitude=rng.uniform(0.3, 0.6))
    cpu = noisy(rng, shape, scale=rng.uniform(6, 25), noise=0.15, floor=1.0, ceiling=100.0)
    dims = {"InstanceId": host.id}

    def masked(values: list[float | None]) -> list[float | None]:
        return [v if a else None for v, a in zip(values, alive, strict=True)]

    inc.add(Series("AWS/EC2", "CPUUtilization", dims, "Percent", masked(cpu), resource=host.id))
    net = noisy(rng, shape, scale=rng.uniform(2e5, 2e6), noise=0.2)
    inc.add(Series("AWS/EC2", "NetworkIn", dims, "Bytes", masked(net), decimals=0, resource=host.id))
    out = [v * rng.uniform(1.5, 3) if v is not None else None for v in net]
    inc.add(Series("AWS/EC2", "NetworkOut", dims, "Bytes", masked(out), decimals=0, resource=host.id))
    zero: list[float | None] = [0.0] * w.minutes
    inc.add(Series("AWS/EC2", "StatusCheckFailed", dims, "Count", masked(zero), decimals=0, resource=host.id))
    iops = [max(0.5, (v or 0) * rng.uniform(0.8, 1.2)) for v in cpu]
    demand = IoDemand(
        [v * 0.3 for v in iops],
        [v * 0.7 for v in iops],
        [v * 0.3 / 64 for v in iops],
        [v * 0.7 / 64 for v in iops],
    )
    io_metrics(inc, host, demand, inc.volume_specs[tool], latency_ms=rng.uniform(0.5, 1.2))


def _spare_key(inc: StorageIncident) -> EbsKey:
    acct, rng = inc.account, inc.rng
    key_id = acct.ids.uuid()
    alias = rng.choice(["alias/old-backups", "alias/test-key", "alias/legacy-s3", f"alias/{acct.env}-temp"])
    return EbsKey(
        key_id=key_id,
        arn=f"arn:aws:kms:{acct.region}:{acct.account_id}:key/{key_id}",
        alias=alias,
        created=acct.created + timedelta(days=rng.randrange(1, 80)),
    )


def _key_change(
    inc: StorageIncident, actor: cloudtrail.Actor, when: datetime, key: EbsKey, mode: str
) -> dict[str, Any]:
    acct = inc.account
    resources = [{"ARN": key.arn, "accountId": acct.account_id, "type": "AWS::KMS::Key"}]
    if mode == "disable":
        return cloudtrail.record(
            inc,
            actor,
            when,
            "kms.amazonaws.com",
            "DisableKey",
            {"keyId": key.key_id},
            None,
            resources=resources,
        )
    if mode == "delete":
        key.window_days = inc.rng.choice([7, 14, 30])
        key.deletion = (when + timedelta(days=key.window_days)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return cloudtrail.record(
            inc,
            actor,
            when,
            "kms.amazonaws.com",
            "ScheduleKeyDeletion",
            {"keyId": key.key_id, "pendingWindowInDays": key.window_days},
            {
                "keyId": key.arn,
                "deletionDate": iso(key.deletion),
                "keyState": "PendingDeletion",
                "pendingWindowInDays": key.window_days,
            },
            resources=resources,
        )
    # The new policy keeps administrators but drops the statement that let the account's
    # principals use the key (and create grants for AWS services such as EBS).
    admin = f"arn:aws:iam::{acct.account_id}:role/{actor.role}"
    policy = {
        "Version": "2012-10-17",
        "Id": "key-policy-admins-only",
        "Statement": [
            {
                "Sid": "KeyAdministrators",
                "Effect": "Allow",
                "Principal": {"AWS": admin},
                "Action": [
                    "kms:Create*",
                    "kms:Describe*",
                    "kms:Enable*",
                    "kms:List*",
                    "kms:Put*",
                    "kms:Update*",
                    "kms:Revoke*",
                    "kms:Disable*",
                    "kms:Get*",
                    "kms:Delete*",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion",
                ],
                "Resource": "*",
            }
        ],
    }
    return cloudtrail.record(
        inc,
        actor,
        when,
        "kms.amazonaws.com",
        "PutKeyPolicy",
        {
            "keyId": key.key_id,
            "policyName": "default",
            "policy": json.dumps(policy),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        None,
        resources=resources,
    )


def _instances_set(host: Instance, current: tuple[int, str], previous: tuple[int, str]) -> dict[str, Any]:
    return {
        "instancesSet": {
            "items": [
                {
                    "instanceId": host.id,
                    "currentState": {"code": current[0], "name": current[1]},
                    "previousState": {"code": previous[0], "name": previous[1]},
                }
            ]
        }
    }


def _stop(inc: StorageIncident, actor: cloudtrail.Actor, when: datetime, host: Instance) -> None:
    cloudtrail.record(
        inc,
        actor,
        when,
        "ec2.amazonaws.com",
        "StopInstances",
        {"instancesSet": {"items": [{"instanceId": host.id}]}, "force": False},
        {"requestId": inc.account.ids.uuid(), **_instances_set(host, (64, "stopping"), (16, "running"))},
    )


def _modify_type(
    inc: StorageIncident, actor: cloudtrail.Actor, when: datetime, host: Instance, to: str
) -> None:
    cloudtrail.record(
        inc,
        actor,
        when,
        "ec2.amazonaws.com",
        "ModifyInstanceAttribute",
        {"instanceId": host.id, "instanceType": {"value": to}},
        {"requestId": inc.account.ids.uuid(), "_return": True},
    )


def _start_attempts(
    inc: StorageIncident, actor: cloudtrail.Actor, host: Instance, key: EbsKey, mode: str
) -> str:
    """StartInstances succeeds as an API call; EBS's CreateGrant on the volume's key then fails.

    The person tries again once or twice. Returns the KMS error as CloudTrail records it."""
    acct, rng, w = inc.account, inc.rng, inc.window
    code, message = {
        "disable": ("DisabledException", f"{key.arn} is disabled."),
        "delete": ("KMSInvalidStateException", f"{key.arn} is pending deletion."),
        "policy": (
            "AccessDenied",
            f"User: arn:aws:sts::{acct.account_id}:assumed-role/{actor.role}/{actor.name} is not authorized "
            f"to perform: kms:CreateGrant on resource: {key.arn} because no resource-based policy allows the "
            "kms:CreateGrant action",
        ),
    }[mode]
    when = w.onset
    for _ in range(rng.randrange(1, 4)):
        if when >= w.now - timedelta(minutes=1):
            break
        cloudtrail.record(
            inc,
            actor,
            when,
            "ec2.amazonaws.com",
            "StartInstances",
            {"instancesSet": {"items": [{"instanceId": host.id}]}},
            {"requestId": acct.ids.uuid(), **_instances_set(host, (0, "pending"), (80, "stopped"))},
        )
        grant = cloudtrail.record(
            inc,
            actor,
            when + timedelta(seconds=rng.randrange(1, 4)),
            "kms.amazonaws.com",
            "CreateGrant",
            {
                "keyId": key.arn,
                "granteePrincipal": f"ec2.{acct.region}.amazonaws.com",
                "retiringPrincipal": f"ec2.{acct.region}.amazonaws.com",
                "operations": ["Decrypt"],
                "constraints": {"encryptionContextSubset": {"aws:ebs:id": host.volume_id}},
            },
            None,
            error=(code, message),
            resources=[{"ARN": key.arn, "accountId": acct.account_id, "type": "AWS::KMS::Key"}],
        )
        # EBS calls KMS on the caller's behalf: CloudTrail marks it as invoked by EC2.
        grant["userIdentity"]["invokedBy"] = "ec2.amazonaws.com"
        grant["sourceIPAddress"] = grant["userAgent"] = "ec2.amazonaws.com"
        grant.pop("tlsDetails", None)
        when += timedelta(minutes=rng.randrange(2, 9), seconds=rng.randrange(60))
    return f"{code}: {message}"
