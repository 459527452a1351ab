"""Delivery-proof photos stop being processed after a launch-template hardening rolled out by instance refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zze import MIN, Ctx, iso, iso_ms

NAME = "proof-processor-imds-refresh"
TITLE = "Proof-of-delivery photos stuck 'processing' since mid-morning; delivery-proofs queue age alarm"
SUMMARY = (
    "A new launch template version requiring IMDSv2 with a hop limit of 1 was rolled out by instance "
    "refresh; the containerised workers on the new instances cannot get role credentials and stop "
    "consuming the queue while the instances look healthy."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "eu-west-2")
    r = c.rng
    day = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    t0 = day.replace(
        hour=r.randint(9, 11), minute=r.choice([2, 7, 13, 18, 24, 31, 36, 44]), second=r.randint(1, 59)
    )
    start = (t0 - timedelta(hours=4, minutes=r.randint(0, 20))).replace(second=0)
    now = t0 + timedelta(minutes=r.randint(44, 58))
    end = now + timedelta(minutes=5)

    asg = "delivery-proof-processor-prod"
    lt_name = "delivery-proof-processor"
    lt_id = "lt-0" + c.hex(16)
    queue = "delivery-proofs"
    dlq = "delivery-proofs-dlq"
    q_url = f"https://sqs.{c.region}.amazonaws.com/{c.account}/{queue}"
    role = "delivery-proof-processor-ec2"
    role_arn = f"arn:aws:iam::{c.account}:role/{role}"
    bucket = f"quarrystone-proofs-{c.hex(6)}"
    topic = f"arn:aws:sns:{c.region}:{c.account}:ops-pager"
    ami = "ami-0" + c.hex(16)
    subnets = {
        "eu-west-2a": "subnet-0" + c.hex(16),
        "eu-west-2b": "subnet-0" + c.hex(16),
        "eu-west-2c": "subnet-0" + c.hex(16),
    }
    sg = "sg-0" + c.hex(16)
    vpc = "vpc-0" + c.hex(16)
    itype = r.choice(["c6i.large", "c7i.large", "m6i.large"])
    per_inst = r.randint(22, 28)  # jobs a minute one healthy worker clears
    base_in = r.randint(95, 125)

    eng = c.sso(r.choice(["m.okafor", "r.danby", "s.iqbal"]) + "@quarrystone.co.uk")
    other = c.sso(
        r.choice(["j.hale", "t.mensah"]) + "@quarrystone.co.uk", "AWSReservedSSO_Developer_7c1e0b2a9d4f6e31"
    )

    # --- fleet ----------------------------------------------------------------------------------------
    azs = list(subnets)
    old = [("i-0" + c.hex(16), azs[k % 3]) for k in range(6)]
    new1 = [("i-0" + c.hex(16), azs[k % 3]) for k in range(3)]
    new2 = [("i-0" + c.hex(16), azs[(k + 1) % 3]) for k in range(3)]
    scale = [("i-0" + c.hex(16), azs[k % 3]) for k in range(2)]
    b1 = t0 + timedelta(seconds=r.randint(20, 50))
    b2 = b1 + timedelta(minutes=r.randint(6, 8))
    old_launch = day - timedelta(days=r.randint(8, 19), hours=r.randint(1, 6))

    def lt_data(version: int) -> dict:
        meta = {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"}
        if version == 14:
            meta = {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}
        return {
            "IamInstanceProfile": {"Arn": f"arn:aws:iam::{c.account}:instance-profile/{role}"},
            "ImageId": ami,
            "InstanceType": itype,
            "SecurityGroupIds": [sg],
            "MetadataOptions": meta,
            "Monitoring": {"Enabled": False},
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "VolumeSize": 30,
                        "VolumeType": "gp3",
                        "Encrypted": True,
                        "DeleteOnTermination": True,
                    },
                }
            ],
            "UserData": "I2Nsb3VkLWNvbmZpZwpydW5jbWQ6CiAgLSBzeXN0ZW1jdGwgZW5hYmxlIC0tbm93IGRvY2tlcgogIC0gL29wdC9xcy9ib290c3RyYXAuc2ggZGVsaXZlcnktcHJvb2YtcHJvY2Vzc29yCg==",
            "TagSpecifications": [
                {
                    "ResourceType": "instance",
                    "Tags": [
                        {"Key": "service", "Value": "delivery-proof-processor"},
                        {"Key": "env", "Value": "prod"},
                    ],
                }
            ],
        }

    lt_v14_time = t0 - timedelta(minutes=r.randint(48, 70), seconds=r.randint(1, 59))
    lt_v13_time = day - timedelta(days=r.randint(30, 60))
    dep = t0 - timedelta(hours=2, minutes=r.randint(5, 40), seconds=r.randint(1, 59))
    c.res(
        "ec2",
        "LaunchTemplate",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": lt_name,
            "CreateTime": iso(day - timedelta(days=400)),
            "CreatedBy": f"arn:aws:sts::{c.account}:assumed-role/github-actions-terraform/gha-infra",
            "DefaultVersionNumber": 14,
            "LatestVersionNumber": 14,
            "Tags": [{"Key": "managed-by", "Value": "terraform"}],
        },
    )
    for v, when, who, desc in [
        (
            13,
            lt_v13_time,
            f"arn:aws:sts::{c.account}:assumed-role/github-actions-terraform/gha-infra",
            "al2023 ami bump",
        ),
        (14, lt_v14_time, eng["arn"], "IMDSv2 required (Security Hub EC2.8)"),
    ]:
        c.res(
            "ec2",
            "LaunchTemplateVersion",
            {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": lt_name,
                "VersionNumber": v,
                "VersionDescription": desc,
                "CreateTime": iso(when),
                "CreatedBy": who,
                "DefaultVersion": v == 14,
                "LaunchTemplateData": lt_data(v),
            },
        )

    def instance(iid: str, az: str, launched: datetime, version: int, state: str) -> dict:
        ip = f"10.42.{azs.index(az) * 16 + r.randint(1, 15)}.{r.randint(4, 250)}"
        meta = lt_data(version)["MetadataOptions"]
        item: dict[str, Any] = {
            "InstanceId": iid,
            "ImageId": ami,
            "InstanceType": itype,
            "LaunchTime": iso(launched),
            "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{c.region}.compute.internal",
            "PrivateIpAddress": ip if state == "running" else None,
            "State": {"Code": 16 if state == "running" else 48, "Name": state},
            "SubnetId": subnets[az],
            "VpcId": vpc,
            "Architecture": "x86_64",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{c.account}:instance-profile/{role}",
                "Id": "AIPA" + c.hex(17).upper(),
            },
            "SecurityGroups": [{"GroupName": "delivery-proof-processor", "GroupId": sg}],
            "Monitoring": {"State": "disabled"},
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": meta["HttpTokens"],
                "HttpPutResponseHopLimit": meta["HttpPutResponseHopLimit"],
                "HttpEndpoint": "enabled",
                "HttpProtocolIpv6": "disabled",
                "InstanceMetadataTags": "disabled",
            },
            "Tags": [
                {"Key": "aws:autoscaling:groupName", "Value": asg},
                {"Key": "aws:ec2launchtemplate:id", "Value": lt_id},
                {"Key": "aws:ec2launchtemplate:version", "Value": str(version)},
                {"Key": "service", "Value": "delivery-proof-processor"},
                {"Key": "env", "Value": "prod"},
                {"Key": "Name", "Value": "delivery-proof-processor"},
            ],
        }
        if state == "running":
            item["NetworkInterfaces"] = [
                {
                    "NetworkInterfaceId": "eni-0" + c.hex(16),
                    "PrivateIpAddress": ip,
                    "SubnetId": subnets[az],
                    "VpcId": vpc,
                    "Status": "in-use",
                    "Groups": [{"GroupName": "delivery-proof-processor", "GroupId": sg}],
                }
            ]
        else:
            del item["PrivateIpAddress"]
            item["StateTransitionReason"] = f"User initiated ({launched:%Y-%m-%d %H:%M:%S} GMT)"
        return item

    launch_at: dict[str, datetime] = {}
    for iid, _az in old:
        launch_at[iid] = old_launch + timedelta(seconds=r.randint(0, 90))
    for iid, _ in new1:
        launch_at[iid] = b1 + timedelta(seconds=r.randint(2, 9))
    for iid, _ in new2:
        launch_at[iid] = b2 + timedelta(seconds=r.randint(2, 9))
    scale_t = t0 + timedelta(minutes=r.randint(21, 26))
    for iid, _ in scale:
        launch_at[iid] = scale_t + timedelta(seconds=r.randint(20, 40))

    term_at = {
        iid: (b1 if k < 3 else b2) + timedelta(seconds=r.randint(60, 110)) for k, (iid, _) in enumerate(old)
    }
    for iid, az in old:
        it = instance(iid, az, launch_at[iid], 13, "terminated")
        it["StateTransitionReason"] = f"User initiated ({term_at[iid]:%Y-%m-%d %H:%M:%S} GMT)"
        it["StateReason"] = {
            "Code": "Client.UserInitiatedShutdown",
            "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
        }
        c.res("ec2", "Instance", it)
    running = new1 + new2 + scale
    for iid, az in running:
        c.res("ec2", "Instance", instance(iid, az, launch_at[iid], 14, "running"))
        c.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": az,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "AttachedEbsStatus": {
                    "Status": "ok",
                    "Details": [{"Name": "reachability", "Status": "passed"}],
                },
            },
        )

    policy_arn = (
        f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uuid()}:autoScalingGroupName/{asg}"
        ":policyName/scale-out-on-backlog"
    )
    c.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{c.region}:{c.account}:autoScalingGroup:{c.uuid()}:autoScalingGroupName/{asg}",
            "LaunchTemplate": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": lt_name,
                "Version": "$Default",
            },
            "MinSize": 4,
            "MaxSize": 12,
            "DesiredCapacity": 8,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "HealthCheckType": "EC2",
            "HealthCheckGracePeriod": 120,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": itype,
                    "AvailabilityZone": az,
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": lt_id,
                        "LaunchTemplateName": lt_name,
                        "Version": "14",
                    },
                    "ProtectedFromScaleIn": False,
                }
                for iid, az in running
            ],
            "CreatedTime": iso(day - timedelta(days=400)),
            "VPCZoneIdentifier": ",".join(subnets.values()),
            "EnabledMetrics": [
                {"Metric": m, "Granularity": "1Minute"}
                for m in ("GroupDesiredCapacity", "GroupInServiceInstances", "GroupTotalInstances")
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{c.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "DefaultInstanceWarmup": 120,
            "Tags": [
                {
                    "ResourceId": asg,
                    "ResourceType": "auto-scaling-group",
                    "Key": "service",
                    "Value": "delivery-proof-processor",
                    "PropagateAtLaunch": True,
                }
            ],
        },
    )
    c.res(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": asg,
            "PolicyName": "scale-out-on-backlog",
            "PolicyARN": policy_arn,
            "PolicyType": "StepScaling",
            "AdjustmentType": "ChangeInCapacity",
            "MetricAggregationType": "Average",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 2}],
            "Alarms": [
                {
                    "AlarmName": "delivery-proofs-backlog-high",
                    "AlarmARN": f"arn:aws:cloudwatch:{c.region}:{c.account}:alarm:delivery-proofs-backlog-high",
                }
            ],
            "Enabled": True,
        },
    )
    for qn, attrs in [
        (
            queue,
            {
                "VisibilityTimeout": "120",
                "MessageRetentionPeriod": "345600",
                "RedrivePolicy": f'{{"deadLetterTargetArn":"arn:aws:sqs:{c.region}:{c.account}:{dlq}","maxReceiveCount":5}}',
            },
        ),
        (dlq, {"VisibilityTimeout": "30", "MessageRetentionPeriod": "1209600"}),
    ]:
        q_attrs = {
            "QueueArn": f"arn:aws:sqs:{c.region}:{c.account}:{qn}",
            "ReceiveMessageWaitTimeSeconds": "20",
            "DelaySeconds": "0",
            "MaximumMessageSize": "262144",
            "SqsManagedSseEnabled": "true",
            "CreatedTimestamp": str(int((day - timedelta(days=400)).timestamp())),
            "LastModifiedTimestamp": str(int((day - timedelta(days=120)).timestamp())),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            **attrs,
        }
        c.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{qn}",
                "Attributes": q_attrs,
                "Tags": {"service": "delivery-proof-processor"},
            },
        )
    c.res(
        "s3",
        "Bucket",
        {"Name": bucket, "CreationDate": iso(day - timedelta(days=700)), "BucketRegion": c.region},
    )
    c.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": role,
            "RoleId": "AROA" + c.hex(17).upper(),
            "Arn": role_arn,
            "CreateDate": iso(day - timedelta(days=400)),
            "AssumeRolePolicyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
            "MaxSessionDuration": 3600,
        },
    )
    c.res(
        "iam",
        "InstanceProfile",
        {
            "Path": "/",
            "InstanceProfileName": role,
            "InstanceProfileId": "AIPA" + c.hex(17).upper(),
            "Arn": f"arn:aws:iam::{c.account}:instance-profile/{role}",
            "CreateDate": iso(day - timedelta(days=400)),
            "Roles": [
                {
                    "Path": "/",
                    "RoleName": role,
                    "RoleId": "AROA" + c.hex(17).upper(),
                    "Arn": role_arn,
                    "CreateDate": iso(day - timedelta(days=400)),
                }
            ],
        },
    )
    c.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": "/quarrystone/delivery-proof-processor",
            "retentionInDays": 30,
            "creationTime": int((day - timedelta(days=400)).timestamp() * 1000),
            "arn": f"arn:aws:logs:{c.region}:{c.account}:log-group:/quarrystone/delivery-proof-processor:*",
            "storedBytes": 18234112331,
        },
    )
    c.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": "proof-upload-api",
            "FunctionArn": f"arn:aws:lambda:{c.region}:{c.account}:function:proof-upload-api",
            "Runtime": "nodejs20.x",
            "Handler": "dist/handler.handler",
            "MemorySize": 512,
            "Timeout": 15,
            "LastModified": iso_ms(dep + timedelta(seconds=2)).replace("Z", "+0000"),
            "Role": f"arn:aws:iam::{c.account}:role/proof-upload-api",
            "CodeSize": 4412331,
            "State": "Active",
            "Environment": {"Variables": {"QUEUE_URL": q_url, "BUCKET": bucket}},
        },
    )

    # --- throughput model ------------------------------------------------------------------------------
    def healthy(t: datetime) -> int:
        n = 0
        for iid, _ in old:
            if t < term_at[iid] - timedelta(seconds=70):  # drained out of service before the stop
                n += 1
        return n

    def arrivals(t: datetime) -> float:
        hour = t.hour + t.minute / 60
        ramp = 0.55 + 0.45 * min(1.0, max(0.0, (hour - 6.5) / 3))
        return base_in * ramp

    backlog = r.uniform(3, 12)
    oldest = 0.0
    sent, recv, deleted, visible, age, notvis = {}, {}, {}, {}, {}, {}
    t = start
    while t < end:
        inn = max(0.0, arrivals(t) * r.uniform(0.9, 1.1))
        cap = healthy(t) * per_inst * r.uniform(0.92, 1.05)
        done = min(cap, backlog + inn)
        backlog = backlog + inn - done
        if done >= backlog + 1 and backlog < inn:
            oldest = r.uniform(3, 22)
        else:
            oldest = oldest + 60 - (60 * done / max(inn, 1) if healthy(t) else 0)
            oldest = max(oldest, r.uniform(3, 22))
        sent[t] = round(inn)
        recv[t] = round(done * r.uniform(1.0, 1.03))
        deleted[t] = round(done)
        visible[t] = round(backlog)
        age[t] = round(oldest)
        notvis[t] = round(min(done, healthy(t) * 4) * r.uniform(0.6, 1.0))
        t += MIN
    qd = {"QueueName": queue}
    for metric, data in [
        ("NumberOfMessagesSent", sent),
        ("NumberOfMessagesReceived", recv),
        ("NumberOfMessagesDeleted", deleted),
    ]:
        c.series("AWS/SQS", metric, qd, start, end, 1, lambda t, d=data: d.get(t), "Count")
    c.series(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, start, end, 1, lambda t: visible.get(t), "Count"
    )
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        start,
        end,
        1,
        lambda t: notvis.get(t),
        "Count",
    )
    c.series("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, start, end, 1, lambda t: age.get(t), "Seconds")
    c.series(
        "AWS/SQS",
        "NumberOfEmptyReceives",
        qd,
        start,
        end,
        1,
        lambda t: round(
            healthy(t) * 4 * 3 * max(0.0, 1 - sent.get(t, 0) / (per_inst * max(healthy(t), 1))) + healthy(t)
        ),
        "Count",
    )
    dq = {"QueueName": dlq}
    c.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", dq, start, end, 5, lambda t: 2.0, "Count")
    c.series("AWS/SQS", "NumberOfMessagesSent", dq, start, end, 5, lambda t: 0.0, "Count")

    for iid, _ in old + running:
        a, b = launch_at[iid], term_at.get(iid, end)
        busy = iid in term_at

        def cpu(t, a=a, b=b, busy=busy):
            if t < a or t > b:
                return None
            if busy:
                return (
                    r.uniform(0.30, 0.36) * arrivals(t) / base_in * 100 * 1.4
                    if healthy(t)
                    else r.uniform(1, 3)
                )
            return r.uniform(0.4, 1.6) if t > a + 3 * MIN else r.uniform(18, 35)

        c.series(
            "AWS/EC2", "CPUUtilization", {"InstanceId": iid}, max(start, a), min(end, b), 5, cpu, "Percent"
        )
        c.series(
            "AWS/EC2",
            "StatusCheckFailed",
            {"InstanceId": iid},
            max(start, a + 3 * MIN),
            min(end, b),
            5,
            lambda t: 0.0,
            "Count",
        )

    def desired(t):
        return 8 if t >= scale_t else 6

    def inservice(t):
        n = sum(1 for iid, _ in old if t < term_at[iid] - timedelta(seconds=70))
        n += sum(1 for iid, _ in running if t >= launch_at[iid] + timedelta(minutes=2))
        return n

    gd = {"AutoScalingGroupName": asg}
    c.series("AWS/AutoScaling", "GroupDesiredCapacity", gd, start, end, 1, desired, "None")
    c.series("AWS/AutoScaling", "GroupInServiceInstances", gd, start, end, 1, inservice, "None")
    c.series(
        "AWS/AutoScaling",
        "GroupTotalInstances",
        gd,
        start,
        end,
        1,
        lambda t: (
            sum(1 for iid, _ in old if t < term_at[iid]) + sum(1 for iid, _ in running if t >= launch_at[iid])
        ),
        "None",
    )
    fd = {"FunctionName": "proof-upload-api"}
    c.series(
        "AWS/Lambda",
        "Invocations",
        fd,
        start,
        end,
        1,
        lambda t: round(sent.get(t, 0) * r.uniform(1.02, 1.08)),
        "Count",
    )
    c.series("AWS/Lambda", "Errors", fd, start, end, 1, lambda t: float(r.random() < 0.04), "Count")
    c.series(
        "AWS/Lambda",
        "Duration",
        fd,
        start,
        end,
        1,
        lambda t: (r.uniform(80, 140), 38.0, r.uniform(300, 900)),
        "Milliseconds",
        stat=True,
        samples=60,
    )

    # --- logs -----------------------------------------------------------------------------------------
    grp = "/quarrystone/delivery-proof-processor"
    for iid, _ in old:
        a, b = max(start, launch_at[iid]), term_at[iid] - timedelta(seconds=70)
        t = a + timedelta(seconds=r.randint(0, 59))
        while t < min(b, end):
            n = max(1, round(per_inst * arrivals(t) / base_in * r.uniform(0.55, 0.8)))
            c.log(
                grp,
                iid,
                t,
                f"{t:%Y-%m-%d %H:%M:%S},{r.randint(0, 999):03d} INFO worker.loop: batch done "
                f"received={n} processed={n} failed=0 elapsed_ms={r.randint(2100, 5200)}",
            )
            if r.random() < 0.03:
                c.log(
                    grp,
                    iid,
                    t + timedelta(seconds=2),
                    f"{t:%Y-%m-%d %H:%M:%S},{r.randint(0, 999):03d} WARNING "
                    f"worker.exif: proof {c.hex(8)} has no GPS EXIF, using device location",
                )
            t += timedelta(seconds=r.randint(55, 65))
        c.log(
            grp,
            iid,
            b,
            f"{b:%Y-%m-%d %H:%M:%S},{r.randint(0, 999):03d} INFO worker.main: SIGTERM received, "
            "finishing in-flight jobs",
        )
        c.log(
            grp,
            iid,
            b + timedelta(seconds=3),
            f"{b + timedelta(seconds=3):%Y-%m-%d %H:%M:%S},{r.randint(0, 999):03d} "
            "INFO worker.main: shutdown complete",
        )
    for iid, _ in running:
        a = launch_at[iid] + timedelta(seconds=r.randint(48, 70))
        stamp = lambda t: f"{t:%Y-%m-%d %H:%M:%S},{r.randint(0, 999):03d}"  # noqa: E731
        c.log(
            "/var/log/cloud-init-output",
            iid,
            a - timedelta(seconds=6),
            f"Cloud-init v. 22.2.2 finished at {a:%a, %d %b %Y %H:%M:%S} +0000. Datasource DataSourceEc2.  "
            f"Up {r.uniform(35, 48):.2f} seconds",
        )
        c.log(
            grp,
            iid,
            a,
            f"{stamp(a)} INFO worker.main: starting delivery-proof-processor 3.14.2 "
            f"queue={q_url} concurrency=4",
        )
        t = a + timedelta(seconds=r.randint(1, 2))
        c.log(
            grp,
            iid,
            t,
            f"{stamp(t)} ERROR worker.poller: receive_message failed: Unable to locate credentials",
        )
        c.log(grp, iid, t, "Traceback (most recent call last):")
        c.log(grp, iid, t, '  File "/app/worker/poller.py", line 61, in poll')
        c.log(
            grp,
            iid,
            t,
            "    resp = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=20)",
        )
        c.log(
            grp,
            iid,
            t,
            '  File "/usr/local/lib/python3.12/site-packages/botocore/client.py", line 569, in _api_call',
        )
        c.log(grp, iid, t, "    return self._make_api_call(operation_name, kwargs)")
        c.log(
            grp,
            iid,
            t,
            '  File "/usr/local/lib/python3.12/site-packages/botocore/auth.py", line 418, in add_auth',
        )
        c.log(grp, iid, t, "    raise NoCredentialsError()")
        c.log(grp, iid, t, "botocore.exceptions.NoCredentialsError: Unable to locate credentials")
        delay = 2
        while t < end:
            delay = min(delay * 2, 60)
            t += timedelta(seconds=delay + 2)
            c.log(
                grp,
                iid,
                t,
                f"{stamp(t)} ERROR worker.poller: receive_message failed, retrying in {delay}s: "
                "Unable to locate credentials",
            )
    for iid, _ in old[:2]:
        c.log(
            "/var/log/cloud-init-output",
            iid,
            launch_at[iid] + MIN,
            f"Cloud-init v. 22.2.2 finished at {launch_at[iid] + MIN:%a, %d %b %Y %H:%M:%S} +0000. "
            "Datasource DataSourceEc2.  Up 39.87 seconds",
        )

    # --- alarms ---------------------------------------------------------------------------------------
    def first_over(series: dict, thr: float, n: int) -> datetime:
        keys = sorted(series)
        for i in range(n - 1, len(keys)):
            if all(series[keys[j]] >= thr for j in range(i - n + 1, i + 1)):
                return keys[i]
        return keys[-1]

    age_alarm = c.alarm(
        "delivery-proofs-oldest-message-age",
        "Proof photos waiting >10 min. Runbook: wiki/ops/proofs",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        60,
        5,
        600,
        "GreaterThanOrEqualToThreshold",
        "ALARM",
        t0,
        "",
        actions=[topic],
    )
    ta = first_over(age, 600, 5) + timedelta(minutes=1, seconds=r.randint(5, 40))
    pts = [(k, float(age[k])) for k in sorted(age) if ta - 6 * MIN <= k < ta - MIN][-5:]
    rd = c.reason_data(age_alarm, ta, pts)
    reason = (
        f"Threshold Crossed: 5 out of the last 5 datapoints [{', '.join(f'{v:.1f} ({p:%d/%m/%y %H:%M:%S})' for p, v in reversed(pts))}] "
        "were greater than or equal to the threshold (600.0) (minimum 5 datapoints for OK -> ALARM transition)."
    )
    age_alarm.update(
        {
            "StateReason": reason,
            "StateReasonData": __import__("json").dumps(rd, separators=(",", ":")),
            "StateUpdatedTimestamp": iso_ms(ta),
            "StateTransitionedTimestamp": iso_ms(ta),
        }
    )
    prev_ok = start - timedelta(days=r.randint(2, 9), hours=r.randint(1, 9))
    ok_reason = (
        "Threshold Crossed: 5 out of the last 5 datapoints were not greater than or equal to the threshold (600.0) "
        "(minimum 5 datapoints for ALARM -> OK transition)."
    )
    c.transition(age_alarm, ta, "OK", "ALARM", reason, ok_reason, rd)
    event = c.alarm_event(age_alarm, ta, reason, rd, "OK", ok_reason, prev_ok)

    bl = c.alarm(
        "delivery-proofs-backlog-high",
        "Step scale-out for delivery-proof-processor",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Maximum",
        60,
        3,
        1500,
        "GreaterThanThreshold",
        "ALARM",
        scale_t,
        "",
        actions=[policy_arn],
    )
    tb = scale_t - timedelta(seconds=r.randint(5, 20))
    bl["StateReason"] = (
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (1500.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    bl["StateUpdatedTimestamp"] = bl["StateTransitionedTimestamp"] = iso_ms(tb)
    c.transition(
        bl,
        tb,
        "OK",
        "ALARM",
        bl["StateReason"],
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1500.0) "
        "(minimum 3 datapoints for ALARM -> OK transition).",
    )
    c.alarm(
        "delivery-proofs-dlq-not-empty",
        "Messages in the proofs DLQ",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dq,
        "Maximum",
        300,
        1,
        10,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=6),
        "Threshold Crossed: 1 datapoint [2.0] was not greater than the threshold (10.0).",
        actions=[topic],
    )
    up = c.alarm(
        "proof-upload-api-errors",
        "Upload API Lambda errors",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        60,
        3,
        5,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=3),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (5.0).",
        actions=[topic],
    )
    del up
    rp = c.alarm(
        "route-planner-sync-duration",
        "route-planner-sync runs long",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "route-planner-sync"},
        "Maximum",
        300,
        1,
        240000,
        "GreaterThanThreshold",
        "OK",
        t0 - timedelta(minutes=95),
        "Threshold Crossed: 1 datapoint [81234.2] was not greater than the threshold (240000.0).",
    )
    fl = t0 - timedelta(minutes=r.randint(130, 170))
    c.transition(
        rp,
        fl,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [251873.6] was greater than the threshold (240000.0).",
        "Threshold Crossed: 1 datapoint [77410.0] was not greater than the threshold (240000.0).",
    )
    c.transition(
        rp,
        t0 - timedelta(minutes=95),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [81234.2] was not greater than the threshold (240000.0).",
        "Threshold Crossed: 1 datapoint [251873.6] was greater than the threshold (240000.0).",
    )
    c.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "route-planner-sync"},
        start,
        end,
        5,
        lambda t: (
            r.uniform(60000, 90000),
            40000.0,
            251873.6 if abs((t - fl).total_seconds()) < 300 else r.uniform(80000, 120000),
        ),
        "Milliseconds",
        stat=True,
        samples=5,
    )

    # --- autoscaling activities ----------------------------------------------------------------------
    asg_arn_part = f"arn:aws:autoscaling:{c.region}:{c.account}:autoScalingGroup"
    del asg_arn_part
    for k, (iid, az) in enumerate(old):
        b = b1 if k < 3 else b2
        c.event(
            "autoscaling",
            {
                "ActivityId": c.uuid(),
                "AutoScalingGroupName": asg,
                "Description": f"Terminating EC2 instance: {iid}",
                "Cause": f"At {iso(b)} an instance was taken out of service in response to an instance refresh.  "
                f"At {iso(b)} instance {iid} was selected for termination.",
                "StartTime": iso(b),
                "EndTime": iso(term_at[iid] + timedelta(seconds=40)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": f'{{"Subnet ID":"{subnets[az]}","Availability Zone":"{az}"}}',
            },
        )
    for iid, az in new1 + new2:
        c.event(
            "autoscaling",
            {
                "ActivityId": c.uuid(),
                "AutoScalingGroupName": asg,
                "Description": f"Launching a new EC2 instance: {iid}",
                "Cause": f"At {iso(launch_at[iid])} an instance was launched in response to an instance refresh.",
                "StartTime": iso(launch_at[iid]),
                "EndTime": iso(launch_at[iid] + timedelta(seconds=r.randint(35, 60))),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": f'{{"Subnet ID":"{subnets[az]}","Availability Zone":"{az}"}}',
            },
        )
    for iid, az in scale:
        c.event(
            "autoscaling",
            {
                "ActivityId": c.uuid(),
                "AutoScalingGroupName": asg,
                "Description": f"Launching a new EC2 instance: {iid}",
                "Cause": f"At {iso(scale_t)} a monitor alarm delivery-proofs-backlog-high in state ALARM triggered policy "
                "scale-out-on-backlog changing the desired capacity from 6 to 8.  At "
                f"{iso(scale_t + timedelta(seconds=12))} an instance was started in response to a difference between "
                "desired and actual capacity, increasing the capacity from 6 to 8.",
                "StartTime": iso(launch_at[iid]),
                "EndTime": iso(launch_at[iid] + timedelta(seconds=r.randint(35, 60))),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": f'{{"Subnet ID":"{subnets[az]}","Availability Zone":"{az}"}}',
            },
        )

    # --- CloudTrail -----------------------------------------------------------------------------------
    culprit = c.ct(
        lt_v14_time,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        eng,
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "SourceVersion": "13",
                "VersionDescription": "IMDSv2 required (Security Hub EC2.8)",
                "LaunchTemplateData": {
                    "MetadataOptions": {
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": 1,
                        "HttpEndpoint": "enabled",
                    }
                },
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": c.uuid(),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": lt_name,
                    "versionNumber": 14,
                    "versionDescription": "IMDSv2 required (Security Hub EC2.8)",
                    "createTime": iso(lt_v14_time),
                    "createdBy": eng["arn"],
                    "defaultVersion": False,
                },
            }
        },
    )
    c.ct(
        lt_v14_time + timedelta(seconds=r.randint(30, 90)),
        "ec2.amazonaws.com",
        "ModifyLaunchTemplate",
        eng,
        {"ModifyLaunchTemplateRequest": {"LaunchTemplateId": lt_id, "SetDefaultVersion": "14"}},
        {
            "ModifyLaunchTemplateResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": c.uuid(),
                "launchTemplate": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": lt_name,
                    "defaultVersionNumber": 14,
                    "latestVersionNumber": 14,
                },
            }
        },
    )
    for k in range(3):
        c.ct(
            lt_v14_time - timedelta(minutes=r.randint(2, 12)),
            "ec2.amazonaws.com",
            r.choice(["DescribeLaunchTemplateVersions", "DescribeLaunchTemplates", "DescribeInstances"]),
            eng,
            {"launchTemplateId": lt_id} if k == 0 else {"maxResults": 200},
            None,
            read_only=True,
            agent="console.amazonaws.com" if k else "aws-cli/2.17.20",
            ip=f"86.14.{r.randint(1, 254)}.{r.randint(1, 254)}",
        )
    c.ct(
        t0,
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        eng,
        {
            "autoScalingGroupName": asg,
            "strategy": "Rolling",
            "preferences": {"minHealthyPercentage": 50, "instanceWarmup": 120, "skipMatching": False},
        },
        {"instanceRefreshId": c.uuid()},
    )
    for iid, az in new1 + new2 + scale:
        at = launch_at[iid]
        c.ct(
            at,
            "ec2.amazonaws.com",
            "RunInstances",
            c.asg_slr(),
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt_id, "version": "14"},
                "subnetId": subnets[az],
                "disableApiTermination": False,
                "clientToken": c.uuid(),
            },
            {
                "requestId": c.uuid(),
                "reservationId": "r-0" + c.hex(16),
                "ownerId": c.account,
                "requesterId": "940372691376",
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": iid,
                            "imageId": ami,
                            "instanceType": itype,
                            "currentState": {"code": 0, "name": "pending"},
                            "placement": {"availabilityZone": az, "tenancy": "default"},
                            "subnetId": subnets[az],
                            "vpcId": vpc,
                            "metadataOptions": {
                                "state": "pending",
                                "httpTokens": "required",
                                "httpPutResponseHopLimit": 1,
                                "httpEndpoint": "enabled",
                            },
                        }
                    ]
                },
            },
        )
        c.ec2_role_creds(at + timedelta(seconds=r.randint(25, 40)), role_arn, iid)
    for iid, _ in old:
        c.ct(
            term_at[iid],
            "ec2.amazonaws.com",
            "TerminateInstances",
            c.asg_slr(),
            {"instancesSet": {"items": [{"instanceId": iid}]}},
            {
                "requestId": c.uuid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": iid,
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                    ]
                },
            },
        )
        cred_t = start + timedelta(minutes=r.randint(10, 50))
        while cred_t < term_at[iid]:
            c.ec2_role_creds(cred_t, role_arn, iid)
            cred_t += timedelta(hours=1, minutes=r.randint(0, 5))
    # innocent changes around the onset
    lc = t0 - timedelta(minutes=r.randint(72, 100), seconds=r.randint(1, 59))
    c.ct(
        lc,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        other,
        {
            "bucketName": bucket,
            "Host": f"{bucket}.s3.{c.region}.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": {
                    "ID": "proofs-to-glacier-ir-90d",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "proofs/"},
                    "Transition": {"Days": "90", "StorageClass": "GLACIER_IR"},
                },
            },
        },
        None,
        agent="[aws-cli/2.17.20 Python/3.11.9 Linux/6.8.0 exe/x86_64.ubuntu.22 prompt/off command/s3api.put-bucket-lifecycle-configuration]",
        version="1.10",
        resources=[{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}", "accountId": c.account}],
    )
    tf = c.role("github-actions-deploy", "gha-proof-upload-api")
    c.ct(
        dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        tf,
        {
            "functionName": "proof-upload-api",
            "publish": True,
            "s3Bucket": "quarrystone-artifacts",
            "s3Key": f"proof-upload-api/{c.hex(7)}.zip",
        },
        {
            "functionName": "proof-upload-api",
            "functionArn": f"arn:aws:lambda:{c.region}:{c.account}:function:proof-upload-api",
            "runtime": "nodejs20.x",
            "version": str(r.randint(80, 140)),
            "codeSize": 4412331,
            "state": "Pending",
            "lastUpdateStatus": "InProgress",
        },
        agent="aws-sdk-js/3.614.0",
        ip="20.26.156.214",
    )
    c.ct(
        t0 - timedelta(minutes=r.randint(20, 35), seconds=r.randint(1, 59)),
        "ssm.amazonaws.com",
        "PutParameter",
        other,
        {"name": "/route-planner/prod/max_stops_per_run", "type": "String", "overwrite": True},
        {"version": r.randint(3, 9), "tier": "Standard"},
    )
    c.ct(
        t0 + timedelta(minutes=r.randint(8, 30), seconds=r.randint(1, 59)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        other,
        {
            "groupId": "sg-0" + c.hex(16),
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {
                            "items": [
                                {
                                    "cidrIp": f"86.14.{r.randint(1, 254)}.{r.randint(1, 254)}/32",
                                    "description": "jh home",
                                }
                            ]
                        },
                    }
                ]
            },
        },
        {"requestId": c.uuid(), "_return": True},
    )
    calls = [
        ("ec2.amazonaws.com", "DescribeInstances", None),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("ec2.amazonaws.com", "DescribeVolumes", None),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("tagging.amazonaws.com", "GetResources", None),
    ]
    c.tooling_reads(
        start,
        now,
        calls,
        r.randint(26, 34),
        "DatadogIntegrationRole",
        "datadog-aws-integration",
        "Datadog/1.0 aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)",
    )
    c.tooling_reads(
        start,
        now,
        [
            ("ec2.amazonaws.com", "DescribeSecurityGroups", None),
            ("s3.amazonaws.com", "GetBucketPolicy", {"bucketName": bucket, "policy": ""}),
            ("autoscaling.amazonaws.com", "DescribeLaunchConfigurations", None),
        ],
        r.randint(6, 10),
        "github-actions-terraform",
        "gha-infra-plan",
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.5",
    )

    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": lt_id,
            "category": "change",
            "failure_mode": "launch-template-imdsv2-hop-limit-breaks-containers",
            "event_id": culprit["eventID"],
        },
        "also_accept": [lt_name, f"{lt_name}:14", f"{lt_id}:14"],
        "actions": ["rollback", "reconfigure"],
        "chain": [lt_id, asg, queue],
    }
    local = ta.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M")
    q = (
        f"Drivers' proof-of-delivery photos are stuck on 'processing' in the portal and the delivery-proofs age alarm went "
        f"off at {local}. Upload API looks fine. Workers were patched this morning - is it the new AMI? What's going on?"
    )
    return c.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=q,
        timezone="Europe/London",
        alarm_event=event,
        truth=truth,
    )
