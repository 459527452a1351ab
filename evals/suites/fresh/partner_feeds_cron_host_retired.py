"""Partner feed jobs stop being enqueued when AWS retires the EC2 host that runs the crontab."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzx as k

NAME = "partner-feeds-cron-host-retired"
TITLE = "Partners missing their stock feed files since the morning; feed-builder looks idle"
SUMMARY = (
    "The single EC2 instance that runs the feed crontab was stopped by a scheduled instance retirement; "
    "no feed jobs are enqueued, so the healthy feed-builder workers sit idle."
)

_REGIONS = [
    ("us-east-1", "America/New_York"),
    ("us-west-2", "America/Los_Angeles"),
    ("eu-west-2", "Europe/London"),
]


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = k.Ids(rng)
    account = ids.account()
    region, tz = rng.choice(_REGIONS)
    zone = ZoneInfo(tz)
    d = k.day(rng, weekday=rng.randint(0, 4))
    window = datetime(d.year, d.month, d.day, rng.choice([6, 7, 8]), 0, tzinfo=zone)
    stop = window + timedelta(minutes=rng.randint(4, 38), seconds=rng.randint(0, 59))
    start = (stop - timedelta(hours=4, minutes=rng.randint(5, 25))).replace(second=0)
    now = stop + timedelta(hours=rng.choice([2, 3]), minutes=rng.randint(5, 40))
    end = now + timedelta(minutes=10)
    iid = "i-0" + ids.hex(16)
    bastion = "i-0" + ids.hex(16)
    ami = "ami-0" + ids.hex(16)
    az = region + rng.choice("abc")
    subnet = "subnet-0" + ids.hex(16)
    vpc = "vpc-0" + ids.hex(16)
    sg = "sg-0" + ids.hex(16)
    created = d - timedelta(days=rng.randint(600, 1100))
    trail = k.Trail(ids, account, region)
    host_who = trail.who("batch-cron-instance", iid, invoked_by=None)
    q_url = f"https://sqs.{region}.amazonaws.com/{account}/partner-feed-jobs"
    partners = [
        "shopfront-de",
        "marketplace-uk",
        "bolt-retail",
        "greenaisle",
        "pricecheck",
        "dealhive",
        "northstar-b2b",
        "cartwise",
        "meridian-outlet",
        "tillpoint",
    ]
    tasks = [ids.hex(32) for _ in range(3)]
    deploy = stop - timedelta(minutes=rng.randint(20, 35))
    new_tasks = [ids.hex(32) for _ in range(3)]

    syslog: list[tuple[datetime, str]] = []
    enq: list[tuple[datetime, str]] = []
    builder: dict[str, list[tuple[datetime, str]]] = {}
    sent: dict[datetime, float] = {}
    recv: dict[datetime, float] = {}

    def mn(t: datetime) -> datetime:
        return t.replace(second=0, microsecond=0)

    def sysl(t: datetime, proc: str, msg: str) -> None:
        syslog.append((t, f"{t.astimezone(zone):%b %e %H:%M:%S} batch-cron-01 {proc}: {msg}"))

    t = start.replace(minute=(start.minute // 15) * 15) + timedelta(minutes=15)
    while t < now:
        if t < stop:
            pid = rng.randint(20000, 60000)
            sysl(
                t,
                f"CRON[{pid}]",
                "(feeds) CMD (/opt/feeds/bin/enqueue-partner-feeds --window 15m >> /var/log/feeds/enqueue.log 2>&1)",
            )
            if t.minute == 0:
                sysl(t, f"CRON[{pid + 1}]", "(root) CMD (/usr/local/bin/cleanup-tmp-exports --older-than 6h)")
            trail.add(
                t + timedelta(seconds=1),
                "ssm.amazonaws.com",
                "GetParameters",
                host_who,
                {"names": ["/feeds/prod/partner-config", "/feeds/prod/queue-url"], "withDecryption": False},
                None,
                read_only=True,
                agent="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ssm#1.52.3",
                ip="10.40.12.77",
            )
            n = 0
            for _p in partners:
                if rng.random() < 0.8:
                    n += 1
            lt = t + timedelta(seconds=2, milliseconds=rng.randint(100, 900))
            enq.append(
                (
                    lt,
                    f"{lt.astimezone(zone).isoformat(timespec='seconds')} enqueue-partner-feeds[{pid}]: "
                    f"window {(t - timedelta(minutes=15)).astimezone(zone):%H:%M}-{t.astimezone(zone):%H:%M} "
                    f"enqueued {n} feed jobs to partner-feed-jobs",
                )
            )
            sent[mn(lt)] = sent.get(mn(lt), 0.0) + n
            pool = new_tasks if t > deploy + timedelta(minutes=3) else tasks
            bt = lt
            for j in range(n):
                bt += timedelta(seconds=rng.uniform(2, 9))
                tk = pool[j % 3]
                items = rng.randint(800, 42000)
                p = partners[j % len(partners)]
                builder.setdefault(tk, []).append(
                    (
                        bt,
                        json.dumps(
                            {
                                "ts": k.iso_ms(bt),
                                "level": "info",
                                "msg": "feed built",
                                "partner": p,
                                "items": items,
                                "format": rng.choice(["csv", "xml"]),
                                "dest": f"s3://partner-feeds-{account}/{p}/stock-latest",
                            },
                            separators=(",", ":"),
                        ),
                    )
                )
                recv[mn(bt)] = recv.get(mn(bt), 0.0) + 1
        t += timedelta(minutes=15)
    # the retirement stop: ACPI shutdown, as the journal saw it before the agent went down
    sysl(stop, "systemd-logind[611]", "Power key pressed short.")
    sysl(stop, "systemd-logind[611]", "Powering off...")
    sysl(
        stop + timedelta(milliseconds=300),
        "systemd[1]",
        "Stopping cron.service - Regular background program processing daemon...",
    )
    sysl(
        stop + timedelta(milliseconds=420),
        "systemd[1]",
        "Stopping amazon-cloudwatch-agent.service - Amazon CloudWatch Agent...",
    )
    # earlier benign noise on the host
    for _ in range(6):
        tt = start + timedelta(seconds=rng.randint(0, int((stop - start).total_seconds()) - 60))
        sysl(
            tt,
            f"sshd[{rng.randint(1000, 9000)}]",
            f"Connection closed by 10.40.{rng.randint(0, 3)}.{rng.randint(2, 250)} port {rng.randint(30000, 65000)} [preauth]",
        )
    syslog.sort(key=lambda x: x[0])

    logs = k.logs("/ops/batch-cron-01/syslog", iid, syslog) + k.logs(
        "/ops/batch-cron-01/feeds-enqueue", iid, enq
    )
    for tk in tasks + new_tasks:
        lines = builder.get(tk, [])
        if tk in new_tasks:
            b0 = deploy + timedelta(minutes=2)
            lines = [
                (
                    b0,
                    json.dumps(
                        {
                            "ts": k.iso_ms(b0),
                            "level": "info",
                            "msg": "feed-builder starting",
                            "version": "4.18.2",
                            "queue": q_url,
                        },
                        separators=(",", ":"),
                    ),
                ),
                *lines,
            ]
        logs += k.logs("/ecs/feed-builder", f"feed-builder/feed-builder/{tk}", lines)
    logs = [r for r in logs if r["timestamp"] <= k.ms(now)]

    # --- metrics ----------------------------------------------------------------------------------
    mets: list[k.Rec] = []
    idim = {"InstanceId": iid}
    mets += k.series(
        "AWS/EC2",
        "CPUUtilization",
        idim,
        "Percent",
        start,
        now,
        300,
        lambda x: (
            (3 + rng.random() * 4 + (11 if x.minute % 15 == 0 else 0))
            if x < stop - timedelta(minutes=5)
            else None
        ),
    )
    mets += k.series(
        "AWS/EC2",
        "NetworkOut",
        idim,
        "Bytes",
        start,
        now,
        300,
        lambda x: float(rng.randint(400000, 1900000)) if x < stop - timedelta(minutes=5) else None,
    )
    mets += k.series(
        "AWS/EC2",
        "NetworkIn",
        idim,
        "Bytes",
        start,
        now,
        300,
        lambda x: float(rng.randint(200000, 900000)) if x < stop - timedelta(minutes=5) else None,
    )
    for m in ("StatusCheckFailed", "StatusCheckFailed_Instance", "StatusCheckFailed_System"):
        mets += k.series(
            "AWS/EC2",
            m,
            idim,
            "Count",
            start,
            now,
            300,
            lambda x: 0.0 if x < stop - timedelta(minutes=5) else None,
        )
    mets += k.series(
        "CWAgent",
        "mem_used_percent",
        {"InstanceId": iid, "ImageId": ami, "InstanceType": "t3.medium"},
        "Percent",
        start,
        now,
        60,
        lambda x: 38 + rng.random() * 5 if x < stop else None,
    )
    mets += k.series(
        "CWAgent",
        "disk_used_percent",
        {
            "InstanceId": iid,
            "ImageId": ami,
            "InstanceType": "t3.medium",
            "path": "/",
            "device": "nvme0n1p1",
            "fstype": "xfs",
        },
        "Percent",
        start,
        now,
        60,
        lambda x: 61.2 if x < stop else None,
    )
    bd = {"InstanceId": bastion}
    mets += k.series(
        "AWS/EC2", "CPUUtilization", bd, "Percent", start, now, 300, lambda x: 0.4 + rng.random() * 0.8
    )
    mets += k.series("AWS/EC2", "StatusCheckFailed", bd, "Count", start, now, 300, lambda x: 0.0)
    qd = {"QueueName": "partner-feed-jobs"}
    mets += k.series(
        "AWS/SQS", "NumberOfMessagesSent", qd, "Count", start, now, 60, lambda x: sent.get(x, 0.0)
    )
    mets += k.series(
        "AWS/SQS", "NumberOfMessagesReceived", qd, "Count", start, now, 60, lambda x: recv.get(x, 0.0)
    )
    mets += k.series(
        "AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", start, now, 60, lambda x: recv.get(x, 0.0)
    )
    mets += k.series(
        "AWS/SQS",
        "NumberOfEmptyReceives",
        qd,
        "Count",
        start,
        now,
        60,
        lambda x: float(9 - int(recv.get(x, 0.0) > 0) * 2 + rng.choice([0, 0, 1])),
    )
    mets += k.series(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", start, now, 60, lambda x: 0.0
    )
    mets += k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        start,
        now,
        60,
        lambda x: float(rng.randint(2, 40)) if recv.get(x) else 0.0,
    )
    svc = {"ClusterName": "feeds-prod", "ServiceName": "feed-builder"}
    cpu_spike = stop - timedelta(minutes=rng.randint(95, 130))
    mets += k.series(
        "AWS/ECS",
        "CPUUtilization",
        svc,
        "Percent",
        start,
        now,
        60,
        lambda x: (
            (86 + rng.random() * 8)
            if cpu_spike <= x < cpu_spike + timedelta(minutes=7)
            else (14 + rng.random() * 10 if recv.get(x) else 1.5 + rng.random())
        ),
    )
    mets += k.series(
        "AWS/ECS", "MemoryUtilization", svc, "Percent", start, now, 60, lambda x: 22 + rng.random() * 3
    )
    mets += k.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "feed-runs"},
        "Count",
        start,
        now,
        60,
        lambda x: recv.get(x),
    )

    # --- alarms -----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:feeds-alerts"
    ok_txt = "Threshold Crossed: 1 out of the last 1 datapoints [3.0 (01/01/26 00:00:00)] was not less than the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition)."
    a_q = k.alarm(
        account,
        region,
        "partner-feed-jobs-enqueue-stalled",
        "AWS/SQS",
        "NumberOfMessagesSent",
        qd,
        stat="Sum",
        period=3600,
        evals=1,
        threshold=1,
        op="LessThanThreshold",
        state="ALARM",
        reason="",
        state_time=now,
        config_time=created + timedelta(days=300),
        topic=topic,
        treat_missing="breaching",
        description="No feed jobs enqueued for an hour (crontab on batch-cron-01).",
    )
    p0 = stop.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    h_end = p0 + timedelta(hours=1)
    fired = h_end + timedelta(minutes=rng.randint(1, 5), seconds=rng.randint(0, 59))
    val = sum(v for tt, v in sent.items() if p0 <= tt < h_end)
    r_q, d_q = k.crossed(a_q, [(p0, float(val))], "ALARM")
    a_q.update(
        {
            "StateReason": r_q,
            "StateUpdatedTimestamp": k.iso_ms(fired),
            "StateTransitionedTimestamp": k.iso_ms(fired),
        }
    )
    prev_t = d - timedelta(days=rng.randint(20, 60))
    a_st = k.alarm(
        account,
        region,
        "batch-cron-01-status-check",
        "AWS/EC2",
        "StatusCheckFailed",
        idim,
        stat="Maximum",
        period=300,
        evals=2,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="INSUFFICIENT_DATA",
        reason="Insufficient Data: 2 datapoints were unknown.",
        state_time=stop + timedelta(minutes=11),
        config_time=created,
        topic=topic,
        description="status check failing on batch-cron-01",
    )
    a_cpu = k.alarm(
        account,
        region,
        "feed-builder-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        svc,
        stat="Average",
        period=300,
        evals=1,
        threshold=80,
        op="GreaterThanThreshold",
        state="OK",
        reason="",
        state_time=cpu_spike + timedelta(minutes=11),
        config_time=created + timedelta(days=500),
        topic=topic,
        description="feed-builder CPU high",
    )
    cs = cpu_spike.replace(minute=(cpu_spike.minute // 5) * 5, second=0)
    r1, d1 = k.crossed(a_cpu, [(cs, 84.7)], "ALARM")
    r2, d2 = k.crossed(a_cpu, [(cs + timedelta(minutes=5), 31.2)], "OK")
    a_cpu["StateReason"] = r2
    st_ok = "Threshold Crossed: 2 out of the last 2 datapoints [0.0 (01/01/26 00:00:00), 0.0 (01/01/26 00:00:00)] were not greater than or equal to the threshold (1.0)."
    hist = [
        k.history(a_cpu, cs + timedelta(minutes=5, seconds=40), "OK", "ALARM", r1, d1),
        k.history(a_cpu, cs + timedelta(minutes=10, seconds=40), "ALARM", "OK", r2, d2, r1),
        k.history(
            a_st,
            stop + timedelta(minutes=11),
            "OK",
            "INSUFFICIENT_DATA",
            "Insufficient Data: 2 datapoints were unknown.",
            None,
            st_ok,
        ),
    ]
    if fired <= now:
        hist.append(k.history(a_q, fired, "OK", "ALARM", r_q, d_q, ok_txt))
    hist.sort(key=lambda h: str(h["Timestamp"]))
    event = k.alarm_event(ids, a_q, fired, r_q, d_q, "OK", prev_t, ok_txt)

    # --- AWS Health -------------------------------------------------------------------------------
    h_arn = (
        f"arn:aws:health:{region}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/"
        f"AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_{ids.hex(8)}-{ids.hex(4)}-{ids.hex(4)}-{ids.hex(4)}-{ids.hex(12)}"
    )
    notified = window - timedelta(days=14)
    wtxt = window.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    health = {
        "event": {
            "arn": h_arn,
            "service": "EC2",
            "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
            "eventTypeCategory": "scheduledChange",
            "region": region,
            "availabilityZone": az,
            "startTime": k.iso(window),
            "lastUpdatedTime": k.iso(notified),
            "statusCode": "open",
            "eventScopeCode": "ACCOUNT_SPECIFIC",
        },
        "description": (
            f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance "
            f"({iid}) in the {region} region. Due to this degradation your instance could already be "
            f"unreachable. We will stop your instance after {wtxt} UTC.\n\nWhat do I need to do?\n\n"
            "You can wait for the scheduled retirement date - when the instance is stopped - or stop and "
            "start the instance yourself any time before then. Stopping and starting the instance will "
            "migrate it to new hardware. If your instance is EBS-backed, you can start it again after it "
            "has been stopped.\n\nWhy is Amazon EC2 retiring my instance?\n\nAn instance is scheduled to "
            "be retired when AWS detects irreparable failure of the underlying hardware hosting the instance."
        ),
        "affected_entities": [
            {
                "entityValue": iid,
                "eventArn": h_arn,
                "awsAccountId": account,
                "lastUpdatedTime": k.iso(notified),
                "statusCode": "IMPAIRED",
            }
        ],
    }
    events = [{"source": "health", "item": health}]

    # --- CloudTrail -------------------------------------------------------------------------------
    gha = trail.who("github-actions-deploy", "GitHubActions")
    rev = rng.randint(100, 180)
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/feed-builder:{rev}"
    jsagent = "aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/ecs#3.682.0"
    trail.add(
        deploy - timedelta(seconds=35),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        gha,
        {
            "family": "feed-builder",
            "cpu": "512",
            "memory": "1024",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": "feed-builder",
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/feed-builder:4.18.2",
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arn,
                "family": "feed-builder",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        agent=jsagent,
    )
    trail.add(
        deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        gha,
        {
            "cluster": "feeds-prod",
            "service": "feed-builder",
            "taskDefinition": f"feed-builder:{rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "feed-builder",
                "taskDefinition": td_arn,
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
        agent=jsagent,
    )
    ops = trail.who(
        "AWSReservedSSO_AdministratorAccess_1b7d4e90c2a35f66", "dana.whitfield@" + "stockline.example"
    )
    look = now - timedelta(minutes=rng.randint(8, 20))
    console_calls: list[tuple[str, str, k.Rec]] = [
        (
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": "feeds-prod", "services": ["feed-builder"]},
        ),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": "feeds-prod", "serviceName": "feed-builder"}),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
        ("ecs.amazonaws.com", "DescribeTasks", {"cluster": "feeds-prod", "tasks": new_tasks}),
    ]
    for i, (src, nm, prm) in enumerate(console_calls):
        trail.add(
            look + timedelta(seconds=20 * i),
            src,
            nm,
            ops,
            prm,
            None,
            read_only=True,
            agent="console.amazonaws.com",
            ip="73.162.40.18",
        )
    trail.poll_noise(
        rng,
        start,
        now,
        [
            (
                "ec2.amazonaws.com",
                "DescribeInstances",
                {"maxResults": 1000, "instancesSet": {}, "filterSet": {}},
            ),
            (
                "ec2.amazonaws.com",
                "DescribeInstanceStatus",
                {"maxResults": 1000, "includeAllInstances": False},
            ),
            ("cloudwatch.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("sqs.amazonaws.com", "ListQueues", None),
        ],
        every=900,
    )

    # --- resources --------------------------------------------------------------------------------
    def instance(i: str, name: str, state: str, typ: str, launched: datetime, profile: str) -> k.Rec:
        item: k.Rec = {
            "AmiLaunchIndex": 0,
            "ImageId": ami,
            "InstanceId": i,
            "InstanceType": typ,
            "KeyName": "ops-2023",
            "LaunchTime": k.iso(launched),
            "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": f"ip-10-40-12-{rng.randint(5, 250)}."
            + ("ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"),
            "PrivateIpAddress": f"10.40.12.{rng.randint(5, 250)}",
            "ProductCodes": [],
            "PublicDnsName": "",
            "State": {"Code": 16 if state == "running" else 80, "Name": state},
            "StateTransitionReason": ""
            if state == "running"
            else f"Service initiated ({stop.astimezone(UTC):%Y-%m-%d %H:%M:%S} GMT)",
            "SubnetId": subnet,
            "VpcId": vpc,
            "Architecture": "x86_64",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": k.iso(launched),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": "vol-0" + ids.hex(16),
                    },
                }
            ],
            "EbsOptimized": True,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{account}:instance-profile/{profile}",
                "Id": "AIPA" + ids.upper(17),
            },
            "NetworkInterfaces": [
                {
                    "Attachment": {
                        "AttachTime": k.iso(launched),
                        "AttachmentId": "eni-attach-0" + ids.hex(16),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "NetworkCardIndex": 0,
                    },
                    "Description": "",
                    "Groups": [{"GroupName": "batch-hosts", "GroupId": sg}],
                    "Ipv6Addresses": [],
                    "MacAddress": "0a:" + ":".join(ids.hex(2) for _ in range(5)),
                    "NetworkInterfaceId": "eni-0" + ids.hex(16),
                    "OwnerId": account,
                    "PrivateIpAddress": f"10.40.12.{rng.randint(5, 250)}",
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": subnet,
                    "VpcId": vpc,
                    "InterfaceType": "interface",
                }
            ],
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SecurityGroups": [{"GroupName": "batch-hosts", "GroupId": sg}],
            "SourceDestCheck": True,
            "Tags": [
                {"Key": "Name", "Value": name},
                {"Key": "team", "Value": "feeds"},
                {"Key": "managed-by", "Value": "manual"},
            ],
            "VirtualizationType": "hvm",
            "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
            "PlatformDetails": "Linux/UNIX",
            "UsageOperation": "RunInstances",
        }
        if state != "running":
            item["StateReason"] = {
                "Code": "Server.ScheduledStop",
                "Message": "Server.ScheduledStop: Stopped due to scheduled retirement",
            }
        return k.res("ec2", "Instance", item)

    resources = [
        instance(
            iid, "batch-cron-01", "stopped", "t3.medium", created + timedelta(days=200), "batch-cron-instance"
        ),
        instance(
            bastion,
            "ops-bastion",
            "running",
            "t3.micro",
            d - timedelta(days=rng.randint(10, 90)),
            "ops-bastion",
        ),
        k.res(
            "ec2",
            "InstanceStatus",
            {
                "AvailabilityZone": az,
                "InstanceId": bastion,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
                "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            },
        ),
        k.queue(
            account,
            region,
            "partner-feed-jobs",
            created,
            created + timedelta(days=300),
            visibility=300,
            dlq="partner-feed-jobs-dlq",
            tags={"team": "feeds"},
        ),
        k.queue(
            account,
            region,
            "partner-feed-jobs-dlq",
            created,
            created,
            visibility=30,
            retention=1209600,
            tags={"team": "feeds"},
        ),
        k.ecs_cluster(account, region, "feeds-prod", 3, 1),
        k.ecs_taskdef(
            account,
            region,
            "feed-builder",
            rev,
            f"{account}.dkr.ecr.{region}.amazonaws.com/feed-builder:4.18.2",
            deploy - timedelta(seconds=35),
            "feed-builder-task",
            {"QUEUE_URL": q_url, "RUNS_TABLE": "feed-runs", "LOG_FORMAT": "json"},
            cpu="512",
            memory="1024",
        ),
        k.ecs_service(
            ids,
            account,
            region,
            "feeds-prod",
            "feed-builder",
            f"feed-builder:{rev}",
            3,
            created,
            deploy,
            [subnet],
            sg,
            [
                (deploy + timedelta(minutes=4), "(service feed-builder) has reached a steady state."),
                (deploy + timedelta(minutes=5), "(service feed-builder) deployment ecs-svc completed."),
                (deploy + timedelta(hours=6), "(service feed-builder) has reached a steady state."),
            ],
        ),
        k.table(
            account,
            region,
            "feed-runs",
            created,
            [("partner_id", "HASH"), ("run_at", "RANGE")],
            rng.randint(200000, 900000),
            ids,
        ),
        k.role(ids, account, "batch-cron-instance", "ec2.amazonaws.com", created, stop, region),
        k.res(
            "iam",
            "InstanceProfile",
            {
                "Path": "/",
                "InstanceProfileName": "batch-cron-instance",
                "InstanceProfileId": "AIPA" + ids.upper(17),
                "Arn": f"arn:aws:iam::{account}:instance-profile/batch-cron-instance",
                "CreateDate": k.iso(created),
                "Roles": [
                    {
                        "Path": "/",
                        "RoleName": "batch-cron-instance",
                        "RoleId": "AROA" + ids.upper(17),
                        "Arn": f"arn:aws:iam::{account}:role/batch-cron-instance",
                        "CreateDate": k.iso(created),
                    }
                ],
            },
        ),
        k.log_group(account, region, "/ops/batch-cron-01/syslog", created, 90),
        k.log_group(account, region, "/ops/batch-cron-01/feeds-enqueue", created, 90),
        k.log_group(account, region, "/ecs/feed-builder", created, 30),
    ]
    # events after now are not visible
    resources[7]["item"]["events"] = [
        e for e in resources[7]["item"]["events"] if e["createdAt"] <= k.iso_ms(now)
    ]

    local = stop.astimezone(zone)
    question = (
        f"Two partners (greenaisle and pricecheck) say their stock feed hasn't updated since about {local:%-I}"
        f"{'am' if local.hour < 12 else 'pm'}. feed-builder tasks are all running and the queue is empty, nothing "
        "in the DLQ. Was it the feed-builder deploy this morning?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": account,
        "region": region,
        "start": k.iso(start),
        "end": k.iso(end),
        "now": k.iso(now),
        "trigger": {"question": question, "alarm_event": event if fired <= now else None, "timezone": tz},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": iid,
                "category": "system_change",
                "failure_mode": "ec2-scheduled-instance-retirement",
            },
            "also_accept": ["batch-cron-01", h_arn],
            "actions": ["restart"],
            "chain": [iid, "partner-feed-jobs", "feed-builder"],
        },
    }
    return k.bundle(
        manifest,
        metrics=mets,
        alarms=[a_q, a_st, a_cpu],
        alarm_history=hist,
        logs=logs,
        cloudtrail=[r for r in trail.sorted() if r["eventTime"] <= k.iso(now)],
        resources=resources,
        events=events,
    )
