"""The lone push-delivery worker instance runs out of memory, hangs and fails its instance status check."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzt as k

NAME = "chat-push-notifications-stopped-evening"
TITLE = "No push notifications for new chat messages since the evening; in-app chat fine"
SUMMARY = (
    "The single EC2 push worker that drains chat-push-outbox into SNS mobile push leaked memory until the "
    "guest hung; its instance status check fails and the queue backs up."
)

ZONES = [("Europe/Madrid", 2), ("America/Los_Angeles", -7), ("Europe/London", 1), ("Australia/Sydney", 10)]


def build(seed: int) -> Bundle:
    c = k.Ctx(seed, "push-worker")
    r = c.rng
    zone, off = r.choice(ZONES)
    onset = c.day + timedelta(
        hours=(r.randint(20, 22) - off) % 24, minutes=r.randint(0, 59), seconds=r.randint(0, 59)
    )
    start = (onset - timedelta(hours=3, minutes=r.randint(40, 80))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(36, 52))).replace(second=0)
    scale = r.uniform(0.6, 1.4)
    k.chat_account(c)
    iid = "i-0" + c.hexid(16)
    ami = "ami-0" + c.hexid(16)
    az = f"{c.region}{r.choice('abc')}"
    ip = c.ip()
    launched = c.day - timedelta(days=r.randint(40, 160))
    backlog = {"v": 0.0}

    def adjust(key: str, t: datetime, v: float) -> float:
        if t < onset:
            return v
        m = (t - onset).total_seconds() / 60
        if key == "sqs.NumberOfMessagesDeleted":
            return 0.0
        if key == "sqs.ApproximateNumberOfMessagesVisible":
            backlog["v"] += 700 * k.diurnal(t, off) * scale * 5
            return backlog["v"]
        if key == "sqs.ApproximateAgeOfOldestMessage":
            return m * 60 + r.randint(0, 30)
        return v

    k.baseline_metrics(c, start, now, scale, off, adjust)

    c.resource(
        "ec2",
        "Instance",
        {
            "InstanceId": iid,
            "ImageId": ami,
            "InstanceType": "t3.medium",
            "KeyName": "chat-ops",
            "LaunchTime": k.iso(launched),
            "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{c.region}.compute.internal",
            "PrivateIpAddress": ip,
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": "subnet-0a1c4e2b7d9f03a51",
            "VpcId": "vpc-0e3a9c7d15b2f4a86",
            "Architecture": "x86_64",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{c.account}:instance-profile/chat-push-worker",
                "Id": "AIPA" + c.hexid(17, alnum=True).upper(),
            },
            "Monitoring": {"State": "disabled"},
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SecurityGroups": [{"GroupName": "chat-push-worker", "GroupId": "sg-0" + c.hexid(16)}],
            "Tags": [
                {"Key": "Name", "Value": "chat-push-worker"},
                {"Key": "team", "Value": "messaging"},
                {"Key": "managed-by", "Value": "terraform"},
            ],
            "EbsOptimized": True,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "State": "applied"},
            "PlatformDetails": "Linux/UNIX",
        },
    )
    c.resource(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": az,
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {
                "Details": [
                    {
                        "Name": "reachability",
                        "Status": "failed",
                        "ImpairedSince": k.iso(
                            (onset + timedelta(minutes=r.randint(4, 7))).replace(second=0)
                        ),
                    }
                ],
                "Status": "impaired",
            },
            "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        },
    )
    # basic monitoring: 5-minute EC2 metrics; status checks every minute
    mem = r.uniform(52, 60)
    leak = (91 - mem) / ((onset - start).total_seconds() / 300)
    status_fail_at = onset + timedelta(minutes=r.randint(4, 7))
    for t in k.minutes(start, now):
        d = {"InstanceId": iid}
        failed = 1.0 if t >= status_fail_at else 0.0
        c.metric("AWS/EC2", "StatusCheckFailed_Instance", d, t, failed)
        c.metric("AWS/EC2", "StatusCheckFailed_System", d, t, 0.0)
        c.metric("AWS/EC2", "StatusCheckFailed", d, t, failed)
        if t.minute % 5:
            continue
        load = k.diurnal(t, off) * scale
        if t < onset:
            cpu = 6 + 14 * load + r.uniform(-1, 2) + (mem - 55) * 0.25
            mem += leak * r.uniform(0.7, 1.3)
            c.metric(
                "CWAgent",
                "mem_used_percent",
                {"InstanceId": iid, "ImageId": ami, "InstanceType": "t3.medium"},
                t,
                min(mem, 97.5),
                "Percent",
            )
            c.metric(
                "CWAgent",
                "swap_used_percent",
                {"InstanceId": iid, "ImageId": ami, "InstanceType": "t3.medium"},
                t,
                max(0.0, (mem - 80) * 3),
                "Percent",
            )
            net = 1_400_000 * load
        else:
            cpu = r.uniform(96, 100) if t < status_fail_at + timedelta(minutes=20) else r.uniform(98, 100)
            net = r.uniform(2000, 9000)
        c.metric("AWS/EC2", "CPUUtilization", d, t, cpu, "Percent")
        c.metric("AWS/EC2", "NetworkIn", d, t, net * r.uniform(0.9, 1.1), "Bytes")
        c.metric("AWS/EC2", "NetworkOut", d, t, net * 1.7 * r.uniform(0.9, 1.1), "Bytes")
    # SNS mobile push: nothing is published once the worker stops
    apps = [("chat-ios-prod", "APNS", 0.55), ("chat-android-prod", "GCM", 0.45)]
    for t in k.minutes(start, now, 5):
        if t >= onset:
            continue
        load = k.diurnal(t, off) * scale
        for app, plat, share in apps:
            dims = {"Application": app, "Platform": plat}
            pub = round(700 * 5 * load * share * r.uniform(0.93, 1.05))
            failed = round(pub * r.uniform(0.012, 0.03))
            c.metric("AWS/SNS", "NumberOfMessagesPublished", dims, t, pub)
            c.metric("AWS/SNS", "NumberOfNotificationsDelivered", dims, t, pub - failed)
            c.metric("AWS/SNS", "NumberOfNotificationsFailed", dims, t, failed)

    # worker log (CloudWatch agent tails /var/log/push-worker/worker.log)
    g = "/chat/push-worker"
    t = start + timedelta(seconds=r.randint(1, 20))
    while t < onset - timedelta(seconds=r.randint(20, 50)):
        load = k.diurnal(t, off) * scale
        n = r.randint(60, 120)
        line = (
            f"{t:%Y/%m/%d %H:%M:%S} INFO drained batches={n // 10} received={n} published={n - r.randint(0, 2)} "
            f"endpoint_disabled={r.choice([0, 0, 1, 2])} apns_p95_ms={r.randint(90, 240)} fcm_p95_ms={r.randint(60, 190)}"
        )
        c.log(g, iid, t, line)
        if r.random() < 0.05:
            c.log(
                g,
                iid,
                t + timedelta(milliseconds=300),
                f"{t:%Y/%m/%d %H:%M:%S} WARN publish failed endpoint=arn:aws:sns:{c.region}:{c.account}:endpoint/GCM/"
                f"chat-android-prod/{c.uid()} err=EndpointDisabled: Endpoint is disabled",
            )
        if r.random() < 0.04:
            c.log(
                g,
                iid,
                t + timedelta(milliseconds=500),
                f"{t:%Y/%m/%d %H:%M:%S} INFO token cache size={r.randint(180000, 420000)} entries",
            )
        t += timedelta(seconds=30 * r.uniform(0.9, 1.1) / max(load, 0.3) * 0.6)
    # the system log shipped by the agent (before the guest stopped responding)
    sg = "/chat/push-worker/messages"
    for i in range(r.randint(3, 5)):
        ts = onset - timedelta(minutes=r.randint(1, 4), seconds=r.randint(0, 59)) + timedelta(seconds=i * 7)
        c.log(
            sg,
            iid,
            ts,
            f"{ts:%b %d %H:%M:%S} ip-{ip.replace('.', '-')} kernel: [{r.randint(4000000, 9000000)}.{r.randint(100000, 999999)}] "
            f"push-worker invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0"
            if i == 0
            else f"{ts:%b %d %H:%M:%S} ip-{ip.replace('.', '-')} systemd-journald[{r.randint(400, 900)}]: "
            f"Under memory pressure, flushing caches.",
        )
    for t in k.minutes(start, onset, 60):
        c.log(
            sg,
            iid,
            t + timedelta(seconds=r.randint(0, 50)),
            f"{t:%b %d %H:%M:%S} ip-{ip.replace('.', '-')} systemd[1]: Started sysstat-collect.service - system activity accounting tool.",
        )
    k.log_group(c, g, 30)
    k.log_group(c, sg, 30)

    # innocent: FCM credential rotated on the Android platform application, pushes kept flowing
    dev = c.who("user", r.choice(["k.mbeki", "sara.lind", "d.costa"]))
    rot = onset - timedelta(minutes=r.randint(50, 95))
    c.ct(
        rot,
        "sns.amazonaws.com",
        "SetPlatformApplicationAttributes",
        dev,
        {
            "platformApplicationArn": c.arn("sns", "app/GCM/chat-android-prod"),
            "attributes": {"PlatformCredential": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        },
        None,
        agent="AWS Internal",
    )
    c.ct(
        rot - timedelta(minutes=2),
        "sns.amazonaws.com",
        "GetPlatformApplicationAttributes",
        dev,
        {"platformApplicationArn": c.arn("sns", "app/GCM/chat-android-prod")},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    k.innocent_changes(c, start, onset)
    c.readonly_noise(start, now, r.randint(36, 50))
    k.sweeper_logs(c, start, now)
    k.flappy_alarm(c, start, now)

    age_alarm = c.alarm(
        "chat-push-outbox-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "chat-push-outbox"},
        "Maximum",
        300.0,
        "GreaterThanThreshold",
        2,
        "ALARM",
        onset + timedelta(minutes=16),
        f"Threshold Crossed: 2 out of the last 2 datapoints [{15 * 60 + r.randint(0, 30)}.0 "
        f"({(onset + timedelta(minutes=10)).replace(second=0):%d/%m/%y %H:%M:%S}), "
        f"{10 * 60 + r.randint(0, 30)}.0 ({(onset + timedelta(minutes=5)).replace(second=0):%d/%m/%y %H:%M:%S})] "
        "were greater than the threshold (300.0) (minimum 2 datapoints for OK -> ALARM transition).",
        period=300,
        topic="chat-lowprio",
    )
    c.transition(age_alarm, onset + timedelta(minutes=16), "OK", "ALARM", age_alarm["StateReason"])
    c.alarm(
        "chat-push-sns-failures",
        "AWS/SNS",
        "NumberOfNotificationsFailed",
        {"Application": "chat-ios-prod", "Platform": "APNS"},
        "Sum",
        500.0,
        "GreaterThanThreshold",
        2,
        "OK",
        start - timedelta(days=6),
        "Threshold Crossed: 2 datapoints were not greater than the threshold (500.0).",
        period=300,
    )
    c.alarm(
        "chat-ws-execution-errors",
        "AWS/ApiGateway",
        "ExecutionError",
        {"ApiId": c.api_id, "Stage": "prod"},
        "Sum",
        25.0,
        "GreaterThanThreshold",
        3,
        "OK",
        start - timedelta(days=2),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (25.0).",
    )
    local = onset + timedelta(hours=off)
    q = (
        f"are push notifications broken? I've had nothing on my phone for new chat messages since maybe "
        f"{local:%-I:%M}pm, a couple of users say the same. messages are there when you open the app"
    )
    return k.write(
        c,
        TITLE,
        start,
        now,
        now,
        {"question": q, "timezone": zone},
        {
            "no_fault": False,
            "root_cause": {
                "resource": iid,
                "category": "component_failure",
                "failure_mode": "instance-oom-hang-status-check-failed",
            },
            "also_accept": ["chat-push-worker"],
            "actions": ["restart"],
            "chain": [iid, "chat-push-outbox", "chat-ios-prod", "chat-android-prod"],
        },
    )
