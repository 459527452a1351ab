"""Transcode queue backlog after most of the Spot worker fleet disappears at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzs import (
    Kit,
    Rec,
    activity,
    asg_item,
    instance,
    instance_status,
    iso,
    launch_template,
)

NAME = "clipforge-transcode-backlog"
TITLE = "transcode-jobs backlog alarm: uploads stuck in 'processing'"
SUMMARY = (
    "EC2 reclaimed most of the Spot capacity behind a transcode worker group limited to two instance types; "
    "replacement launches kept failing for lack of Spot capacity and the job queue backed up."
)

ASG = "transcode-workers"
TYPES = ["c5.4xlarge", "c5d.4xlarge"]


def build(seed: int) -> Bundle:
    kit = Kit(seed, "us-east-1", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    rng = kit.rng
    day = datetime(2026, 2, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 250))
    onset = day.replace(hour=rng.randrange(14, 19), minute=rng.randrange(0, 59), second=rng.randrange(0, 59))
    start = (onset - timedelta(hours=3, minutes=35 + rng.randrange(0, 25))).replace(second=0)
    now = onset + timedelta(minutes=40 + rng.randrange(0, 15))
    kit.window(start, now)
    acct = kit.account
    topic = f"arn:aws:sns:{kit.region}:{acct}:media-pipeline-alerts"

    vpc = "vpc-0" + kit.hexid(16)
    azs = ["us-east-1a", "us-east-1b", "us-east-1d"]
    subnets = ["subnet-0" + kit.hexid(16) for _ in azs]
    sg = "sg-0" + kit.hexid(16)
    lt_id = "lt-0" + kit.hexid(16)
    lt_ver = rng.randrange(5, 30)
    ami = "ami-0" + kit.hexid(16)
    launch_template(
        kit,
        "transcode-worker",
        lt_id,
        start - timedelta(days=300),
        lt_ver,
        lt_ver,
        f"arn:aws:iam::{acct}:user/terraform",
    )
    queue = "transcode-jobs"
    qurl = f"https://sqs.{kit.region}.amazonaws.com/{acct}/{queue}"
    kit.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": qurl,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{kit.region}:{acct}:{queue}",
                "VisibilityTimeout": "1800",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": f"arn:aws:sqs:{kit.region}:{acct}:{queue}-dlq",
                        "maxReceiveCount": 4,
                    }
                ),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "media"},
        },
    )
    kit.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"{qurl}-dlq",
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{kit.region}:{acct}:{queue}-dlq",
                "MessageRetentionPeriod": "1209600",
                "VisibilityTimeout": "30",
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "media"},
        },
    )

    desired = rng.randrange(9, 13)
    n_kill = desired - rng.randrange(2, 4)  # spot instances reclaimed (the on-demand one survives)
    members: list[tuple[str, str, str, bool, bool, datetime]] = []
    for i in range(desired):
        iid = kit.iid()
        spot = i > 0
        az = azs[rng.randrange(0, 2)] if spot else azs[i % 3]
        typ = TYPES[0] if (not spot or rng.random() < 0.7) else TYPES[1]
        lt = start - timedelta(hours=rng.randrange(5, 300), minutes=rng.randrange(0, 59))
        members.append((iid, typ, az, spot, False, lt))
    # the reclaimed ones: Spot instances in the two busy pools
    victims = [m[0] for m in members if m[3]][:n_kill]
    evict: dict[str, datetime] = {v: onset + timedelta(seconds=rng.randrange(0, 150)) for v in victims}
    for iid, typ, az, spot, _, lt in members:
        gone = iid in evict
        instance(
            kit,
            iid,
            typ,
            ami,
            subnets[azs.index(az)],
            vpc,
            az,
            [(sg, "transcode-worker")],
            {
                "Name": "transcode-worker",
                "team": "media",
                "aws:autoscaling:groupName": ASG,
                "aws:ec2launchtemplate:id": lt_id,
                "aws:ec2launchtemplate:version": str(lt_ver),
            },
            lt,
            "transcode-worker",
            spot=spot,
            state="terminated" if gone else "running",
            reason="Server.SpotInstanceTermination: Spot instance termination" if gone else "",
        )
        if not gone:
            instance_status(kit, iid, az)
    survivors = [(m[0], m[1], m[2], True) for m in members if m[0] not in evict]
    # one replacement got capacity in us-east-1d after a while
    late_iid = kit.iid()
    late_t = onset + timedelta(minutes=rng.randrange(18, 28))
    instance(
        kit,
        late_iid,
        TYPES[1],
        ami,
        subnets[2],
        vpc,
        azs[2],
        [(sg, "transcode-worker")],
        {"Name": "transcode-worker", "team": "media", "aws:autoscaling:groupName": ASG},
        late_t,
        "transcode-worker",
        spot=True,
    )
    instance_status(kit, late_iid, azs[2])
    asg_item(
        kit,
        ASG,
        lt_id,
        "transcode-worker",
        [*survivors, (late_iid, TYPES[1], azs[2], True)],
        TYPES,
        subnets,
        azs,
        [],
        desired,
        2,
        30,
        1,
        0,
        start - timedelta(days=300),
        {"team": "media", "service": "transcode"},
        spot_strategy="lowest-price",
    )
    # other fleets in the account (thumbnailer and api)
    other = []
    for name, typ in (("thumbnailer", "c6g.large"), ("media-api", "m6i.large"), ("media-api", "m6i.large")):
        oid = kit.iid()
        az = rng.choice(azs)
        instance(
            kit,
            oid,
            typ,
            "ami-0" + kit.hexid(16),
            subnets[azs.index(az)],
            vpc,
            az,
            [(sg, name)],
            {"Name": name, "team": "media"},
            start - timedelta(days=rng.randrange(2, 40)),
            name,
            arch="arm64" if typ.startswith("c6g") else "x86_64",
        )
        instance_status(kit, oid, az)
        other.append(oid)

    # --- CloudTrail: the interruption and the failed replacements --------------------------------
    for v, t in evict.items():
        rec_id = kit.ct(
            t, "ec2.amazonaws.com", "BidEvictedEvent", {"accountId": acct, "invokedBy": "ec2.amazonaws.com"}
        )
        rec = kit.trail[-1]
        assert rec["eventID"] == rec_id
        rec["eventType"] = "AwsServiceEvent"
        rec["requestParameters"] = None
        rec["responseElements"] = None
        rec["serviceEventDetails"] = {"instanceIdSet": [v]}
        del rec["requestID"]
    svc = kit.asg_role()
    fail_ts: list[datetime] = []
    t = min(evict.values()) + timedelta(seconds=rng.randrange(60, 120))
    while t < late_t:
        fail_ts.append(t)
        kit.ct(
            t,
            "ec2.amazonaws.com",
            "CreateFleet",
            svc,
            {
                "CreateFleetRequest": {
                    "Type": "instant",
                    "TargetCapacitySpecification": {
                        "DefaultTargetCapacityType": "spot",
                        "TotalTargetCapacity": len(evict),
                    },
                    "SpotOptions": {"AllocationStrategy": "lowest-price", "InstancePoolsToUseCount": 2},
                    "LaunchTemplateConfigs": {
                        "LaunchTemplateSpecification": {"LaunchTemplateId": lt_id, "Version": str(lt_ver)},
                        "Overrides": [
                            {"InstanceType": ty, "SubnetId": sn, "tag": i * 3 + j + 1}
                            for i, ty in enumerate(TYPES)
                            for j, sn in enumerate(subnets)
                        ],
                        "tag": 1,
                    },
                    "ClientToken": kit.uid(),
                }
            },
            {
                "CreateFleetResponse": {
                    "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                    "requestId": kit.uid(),
                    "fleetId": "fleet-" + kit.uid(),
                    "errorSet": {
                        "item": [
                            {
                                "errorCode": "InsufficientInstanceCapacity",
                                "errorMessage": "There is no Spot capacity available that matches your request.",
                                "launchTemplateAndOverrides": {
                                    "launchTemplateSpecification": {
                                        "launchTemplateId": lt_id,
                                        "version": str(lt_ver),
                                    },
                                    "overrides": {"instanceType": ty, "subnetId": sn},
                                },
                                "lifecycle": "spot",
                            }
                            for ty in TYPES
                            for sn in subnets[:2]
                        ]
                    },
                    "fleetInstanceSet": "",
                }
            },
        )
        t += timedelta(seconds=rng.randrange(200, 330))

    # --- innocent changes ------------------------------------------------------------------------
    eng = kit.sso("priya.n@clipforge.example", "MediaEngineer")
    kit.ct(
        onset - timedelta(minutes=rng.randrange(50, 100)),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        eng,
        {
            "queueUrl": f"https://sqs.{kit.region}.amazonaws.com/{acct}/thumbnail-jobs",
            "attributes": {"VisibilityTimeout": "300"},
        },
        None,
    )
    tfu = {
        "type": "IAMUser",
        "principalId": "AIDA" + kit.akid("")[:17],
        "arn": f"arn:aws:iam::{acct}:user/terraform",
        "accountId": acct,
        "accessKeyId": kit.akid("AKIA"),
        "userName": "terraform",
    }
    kit.ct(
        onset - timedelta(minutes=rng.randrange(20, 45)),
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        tfu,
        {"autoScalingGroupName": "thumbnailer", "maxSize": 12},
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0",
        src_ip="52.4.77.190",
    )
    kit.ct(
        onset - timedelta(minutes=rng.randrange(5, 15)),
        "ec2.amazonaws.com",
        "CreateTags",
        eng,
        {
            "resourcesSet": {"items": [{"resourceId": other[1]}]},
            "tagSet": {"items": [{"key": "owner", "value": "priya.n"}]},
        },
        {"requestId": kit.uid(), "_return": True},
    )
    # consumer scaling policy (step) on the backlog fired too, but max capacity is not the problem
    kit.ct(
        onset - timedelta(hours=2, minutes=rng.randrange(0, 40)),
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        tfu,
        {
            "autoScalingGroupName": "media-api",
            "scheduledActionName": "evening-peak",
            "recurrence": "0 22 * * *",
            "desiredCapacity": 4,
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0",
        src_ip="52.4.77.190",
    )
    # read-only noise
    mon = kit.role("grafana-cloudwatch-reader", "grafana")
    kit.noise_reads(
        [(mon, "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana", "34.201.4.19")],
        6,
        [
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/SQS"}),
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [ASG]}),
            ("ec2.amazonaws.com", "DescribeTags", {"filterSet": {}}),
        ],
    )
    for iid, *_ in members:
        if iid in evict:
            continue
        ident = kit.role("transcode-worker", iid)
        tt = start + timedelta(minutes=rng.randrange(0, 55))
        while tt < now:
            kit.ct(
                tt,
                "kms.amazonaws.com",
                "Decrypt",
                ident,
                {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                None,
                read_only=True,
                agent="aws-sdk-java/2.25.11 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/21.0.2",
                src_ip=kit.ip(),
            )
            tt += timedelta(minutes=60)

    # --- autoscaling activities ---------------------------------------------------------------
    for iid, _typ, az, _spot, _, lt in members:
        activity(
            kit,
            ASG,
            lt,
            lt + timedelta(seconds=40),
            f"Launching a new EC2 instance: {iid}",
            f"At {iso(lt - timedelta(seconds=10))} an instance was started in response to a difference between "
            "desired and actual capacity, increasing the capacity from "
            f"{desired - 1} to {desired}.",
            details={"Subnet ID": subnets[azs.index(az)], "Availability Zone": az},
        )
    for v, t in evict.items():
        seen = t + timedelta(seconds=rng.randrange(20, 70))
        az = next(m[2] for m in members if m[0] == v)
        activity(
            kit,
            ASG,
            seen,
            seen + timedelta(seconds=rng.randrange(30, 90)),
            f"Terminating EC2 instance: {v}",
            f"At {iso(seen - timedelta(seconds=5))} an instance was taken out of service in response to an EC2 "
            "health check indicating it has been terminated or stopped.",
            details={"Subnet ID": subnets[azs.index(az)], "Availability Zone": az},
        )
    for ft in fail_ts:
        activity(
            kit,
            ASG,
            ft,
            ft + timedelta(seconds=2),
            "Launching a new EC2 instance.  Status Reason: Could not "
            "launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that "
            "matches your request. Launching EC2 instance failed.",
            f"At {iso(ft - timedelta(seconds=3))} an instance was started in response to a difference between "
            f"desired and actual capacity, increasing the capacity from {desired - len(evict)} to {desired}.",
            code="Failed",
            msg="Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity "
            "available that matches your request. Launching EC2 instance failed.",
        )
    activity(
        kit,
        ASG,
        late_t - timedelta(seconds=50),
        late_t + timedelta(seconds=10),
        f"Launching a new EC2 instance: {late_iid}",
        f"At {iso(late_t - timedelta(seconds=53))} an instance was started in response to a difference between "
        f"desired and actual capacity, increasing the capacity from {desired - len(evict)} to {desired}.",
        details={"Subnet ID": subnets[2], "Availability Zone": azs[2]},
    )

    # --- metrics ------------------------------------------------------------------------------
    def workers_at(t: datetime) -> int:
        alive = sum(1 for m in members if m[0] not in evict or t < evict[m[0]])
        return alive + (1 if t >= late_t + timedelta(minutes=3) else 0)

    arrivals: dict[datetime, float] = {}
    vis = rng.uniform(3, 15)
    oldest = 0.0
    t = start
    per_worker = rng.uniform(1.1, 1.4)  # jobs per worker per minute
    while t <= now:
        sent = desired * per_worker * rng.uniform(0.75, 0.95)
        cap = workers_at(t) * per_worker * rng.uniform(0.9, 1.1)
        done = min(cap, vis + sent)
        vis = max(0.0, vis + sent - done)
        arrivals[t] = sent
        oldest = oldest + 60 if vis > cap * 1.5 else rng.uniform(20, 110)
        q = {"QueueName": queue}
        for metric, val, unit in (
            ("NumberOfMessagesSent", round(sent), "Count"),
            ("NumberOfMessagesReceived", round(done + rng.uniform(0, 1)), "Count"),
            ("NumberOfMessagesDeleted", round(done), "Count"),
            ("ApproximateNumberOfMessagesVisible", round(vis), "Count"),
            ("ApproximateNumberOfMessagesNotVisible", workers_at(t), "Count"),
            ("ApproximateAgeOfOldestMessage", round(oldest), "Seconds"),
        ):
            kit.metrics.append(
                {
                    "namespace": "AWS/SQS",
                    "metric": metric,
                    "dimensions": q,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": float(val),
                }
            )
        for metric, val in (
            ("GroupDesiredCapacity", desired),
            ("GroupInServiceInstances", workers_at(t)),
            ("GroupTotalInstances", workers_at(t)),
            ("GroupPendingInstances", 0),
        ):
            kit.metrics.append(
                {
                    "namespace": "AWS/AutoScaling",
                    "metric": metric,
                    "dimensions": {"AutoScalingGroupName": ASG},
                    "timestamp": iso(t),
                    "unit": "None",
                    "value": float(val),
                }
            )
        t += timedelta(minutes=1)
    for iid, *_ in members:
        end = evict.get(iid, now)
        kit.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            lambda _t: rng.uniform(78, 97),
            period=60,
            until=end - timedelta(seconds=60),
        )
    kit.series(
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": late_iid},
        "Percent",
        lambda _t: rng.uniform(80, 96) if _t >= late_t + timedelta(minutes=3) else None,
    )
    for oid in other:
        kit.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": oid},
            "Percent",
            lambda _t: rng.uniform(8, 35),
            period=300,
        )

    # --- alarms -------------------------------------------------------------------------------
    backlog = kit.alarm(
        "transcode-jobs-backlog",
        "Oldest transcode job waiting > 15 min. Runbook: wiki/media/transcode",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": queue},
        "Maximum",
        60,
        5,
        900,
        "GreaterThanThreshold",
        topic,
        missing="notBreaching",
        dta=5,
    )
    depth = kit.alarm(
        "transcode-jobs-depth",
        "Transcode queue depth",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": queue},
        "Average",
        60,
        10,
        150,
        "GreaterThanThreshold",
        topic,
        dta=10,
    )
    cpu_alarm = kit.alarm(
        "media-api-cpu",
        "media-api CPU",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": other[1]},
        "Average",
        300,
        2,
        30,
        "GreaterThanThreshold",
        topic,
    )
    trans = kit.evaluate(backlog)
    kit.evaluate(depth)
    kit.evaluate(cpu_alarm)
    fired = [x for x in trans if x[1]["value"] == "ALARM"]
    when, state, prev = fired[-1]
    event = kit.alarm_event(backlog, when, state, prev)

    for iid, _typ, _az, _spot, _, lt in members:
        grp = "/transcode/worker"
        stream = iid
        tt = max(start, lt) + timedelta(seconds=rng.randrange(0, 60))
        stop = evict.get(iid, now)
        while tt < stop - timedelta(seconds=120):
            job = kit.hexid(12)
            kit.log(grp, stream, tt, f"{iso(tt)} INFO  worker job={job} preset=hls-1080p status=started")
            dur = rng.randrange(35, 60)
            kit.log(
                grp,
                stream,
                tt + timedelta(seconds=dur),
                f"{iso(tt + timedelta(seconds=dur))} INFO  worker job={job} preset=hls-1080p status=done "
                f"elapsed={dur}.{rng.randrange(0, 9)}s",
            )
            tt += timedelta(seconds=dur + rng.randrange(1, 4))
        if iid in evict:
            w = evict[iid] - timedelta(seconds=120)
            kit.log(
                grp,
                stream,
                w + timedelta(seconds=3),
                f"{iso(w + timedelta(seconds=3))} WARN  lifecycle instance-action from IMDS: "
                f'{{"action": "terminate", "time": "{iso(evict[iid])}"}}; no longer accepting jobs',
            )
            kit.log(
                grp,
                stream,
                w + timedelta(seconds=4),
                f"{iso(w + timedelta(seconds=4))} WARN  worker job={kit.hexid(12)} preset=hls-1080p "
                "status=abandoned message returned to queue (ChangeMessageVisibility 0)",
            )
    chain = [ASG, queue]
    truth: Rec = {
        "no_fault": False,
        "root_cause": {
            "resource": ASG,
            "category": "system_change",
            "failure_mode": "spot-capacity-reclaimed",
        },
        "also_accept": [f"{ASG}-asg", *TYPES, *victims],
        "actions": ["reconfigure", "scale"],
        "chain": chain,
    }
    return kit.bundle(TITLE, {"question": None, "alarm_event": event}, truth)
