"""crewmate: technicians' job updates hang and fail; the jobs service's database primary sits on a stalled volume."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zt import (
    UA_GRAFANA,
    AlarmSpec,
    Ctx,
    Json,
    aggregate,
    alb,
    daily,
    epoch_ms,
    evaluate_alarm,
    grid,
    instance_status,
    iso,
    iso_ms,
    jitter,
    latency_dist,
    log_group,
    make_net,
    make_sg,
    minute,
    percentile,
    pick_day,
    target_group,
    target_point,
    tcp_from_cidr,
    tcp_from_sg,
    tf_ua,
)

NAME = "crewmate-jobs-api-hanging"
TITLE = "Technicians' job completions spinning and failing since mid-afternoon"
SUMMARY = (
    "The EBS data volume under the self-managed MongoDB primary stops completing I/O; mongod stays primary, "
    "writes and uncached reads hang, and the Fargate services using it time out."
)

TZ = "America/Chicago"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "", "us-east-2")
    rng = ctx.rng
    ids = ctx.ids
    ctx.account = str(rng.randrange(10**11, 10**12))
    acct, region = ctx.account, ctx.region
    zone = ZoneInfo(TZ)

    day = pick_day(rng)
    local_onset = datetime(
        day.year, day.month, day.day, rng.randint(13, 15), rng.randint(0, 59), rng.randint(0, 59), tzinfo=zone
    )
    onset = local_onset.astimezone(day.tzinfo)
    start = minute(onset) - timedelta(hours=rng.randint(9, 12), minutes=onset.minute)
    now = onset + timedelta(minutes=rng.randint(38, 55))
    fine_from = onset - timedelta(hours=2)
    peak = (onset + timedelta(hours=rng.uniform(-1.0, 0.5))).hour + 0.5
    stall = onset
    ebs_check_fail = stall + timedelta(seconds=rng.randint(70, 110))

    net = make_net(ctx, "crewmate-prod", rng.choice([30, 40, 48]))
    created = day - timedelta(days=rng.randint(400, 800))
    alb_sg = make_sg(ctx, net, "crewmate-api-alb", "crewmate public API", [tcp_from_cidr(443, "0.0.0.0/0")])
    ecs_sg = make_sg(ctx, net, "crewmate-ecs-tasks", "crewmate ECS tasks", [tcp_from_sg(3000, alb_sg, "alb")])
    analytics_sg = make_sg(ctx, net, "crewmate-analytics-etl", "nightly analytics export tasks", [])
    mongo_sg = make_sg(
        ctx,
        net,
        "crewmate-mongo",
        "mongodb replica set",
        [
            tcp_from_sg(27017, ecs_sg, "ecs tasks"),
            {
                "IpProtocol": "tcp",
                "FromPort": 27017,
                "ToPort": 27017,
                "UserIdGroupPairs": [],
                "IpRanges": [{"CidrIp": net.cidr, "Description": "replica set members"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
            },
        ],
    )
    lb_arn, lb_dim = alb(ctx, net, "crewmate-api", alb_sg, created)
    jobs_tg, jobs_tg_dim = target_group(ctx, net, "crewmate-jobs-api", lb_arn, 3000, "/healthz")
    files_tg, files_tg_dim = target_group(ctx, net, "crewmate-files-api", lb_arn, 3000, "/healthz")

    # ---- MongoDB replica set on EC2 -------------------------------------------------------------
    primary_idx = rng.randrange(3)
    nodes: list[Json] = []
    for i in range(3):
        iid = ids.ec2("i")
        octs = net.private_cidrs[i].split(".")
        ip = f"{octs[0]}.{octs[1]}.{int(octs[2]) + rng.randrange(0, 15)}.{rng.randrange(10, 250)}"
        root_vol, data_vol = ids.ec2("vol"), ids.ec2("vol")
        launch = day - timedelta(days=rng.randint(60, 200), hours=rng.randint(0, 23))
        name = f"mongo-prod-{i}"
        nodes.append(
            {
                "iid": iid,
                "ip": ip,
                "root": root_vol,
                "data": data_vol,
                "az": net.azs[i],
                "name": name,
                "launch": launch,
            }
        )
        eni = ids.ec2("eni")
        ctx.res(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": "ami-0" + ids.hex(16),
                "State": {"Code": 16, "Name": "running"},
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
                "PublicDnsName": "",
                "StateTransitionReason": "",
                "KeyName": "crewmate-ops",
                "AmiLaunchIndex": 0,
                "ProductCodes": [],
                "InstanceType": "r6i.xlarge",
                "LaunchTime": iso(launch),
                "Placement": {"AvailabilityZone": net.azs[i], "GroupName": "", "Tenancy": "default"},
                "Monitoring": {"State": "disabled"},
                "SubnetId": net.private[i],
                "VpcId": net.vpc_id,
                "PrivateIpAddress": ip,
                "Architecture": "x86_64",
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "AttachTime": iso(launch),
                            "DeleteOnTermination": True,
                            "Status": "attached",
                            "VolumeId": root_vol,
                        },
                    },
                    {
                        "DeviceName": "/dev/sdf",
                        "Ebs": {
                            "AttachTime": iso(launch + timedelta(seconds=40)),
                            "DeleteOnTermination": False,
                            "Status": "attached",
                            "VolumeId": data_vol,
                        },
                    },
                ],
                "EbsOptimized": True,
                "EnaSupport": True,
                "Hypervisor": "xen",
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{acct}:instance-profile/crewmate-mongo",
                    "Id": "AIPA" + ids.upper(17),
                },
                "NetworkInterfaces": [
                    {
                        "Attachment": {
                            "AttachTime": iso(launch),
                            "AttachmentId": ids.ec2("eni-attach"),
                            "DeleteOnTermination": True,
                            "DeviceIndex": 0,
                            "Status": "attached",
                            "NetworkCardIndex": 0,
                        },
                        "Description": "",
                        "Groups": [{"GroupId": mongo_sg, "GroupName": "crewmate-mongo"}],
                        "Ipv6Addresses": [],
                        "MacAddress": ":".join(ids.hex(2) for _ in range(6)),
                        "NetworkInterfaceId": eni,
                        "OwnerId": acct,
                        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
                        "PrivateIpAddress": ip,
                        "PrivateIpAddresses": [
                            {
                                "Primary": True,
                                "PrivateIpAddress": ip,
                                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
                            }
                        ],
                        "SourceDestCheck": True,
                        "Status": "in-use",
                        "SubnetId": net.private[i],
                        "VpcId": net.vpc_id,
                        "InterfaceType": "interface",
                    }
                ],
                "RootDeviceName": "/dev/xvda",
                "RootDeviceType": "ebs",
                "SecurityGroups": [{"GroupId": mongo_sg, "GroupName": "crewmate-mongo"}],
                "SourceDestCheck": True,
                "Tags": [
                    {"Key": "Name", "Value": name},
                    {"Key": "role", "Value": "mongodb"},
                    {"Key": "replset", "Value": "rs-crewmate"},
                    {"Key": "snapshot-schedule", "Value": "4h" if i != primary_idx else "none"},
                ],
                "VirtualizationType": "hvm",
                "CpuOptions": {"CoreCount": 2, "ThreadsPerCore": 2},
                "MetadataOptions": {
                    "State": "applied",
                    "HttpTokens": "required",
                    "HttpPutResponseHopLimit": 2,
                    "HttpEndpoint": "enabled",
                    "HttpProtocolIpv6": "disabled",
                    "InstanceMetadataTags": "disabled",
                },
                "BootMode": "uefi-preferred",
                "PlatformDetails": "Linux/UNIX",
                "UsageOperation": "RunInstances",
            },
        )
        instance_status(ctx, iid, net.azs[i], impaired_ebs=(i == primary_idx), since=ebs_check_fail)
        for vol, size, dev, kind in (
            (root_vol, 30, "/dev/xvda", "root"),
            (data_vol, 500, "/dev/sdf", "data"),
        ):
            ctx.res(
                "ec2",
                "Volume",
                {
                    "VolumeId": vol,
                    "Size": size,
                    "SnapshotId": "",
                    "AvailabilityZone": net.azs[i],
                    "State": "in-use",
                    "CreateTime": iso(launch - timedelta(seconds=5)),
                    "Attachments": [
                        {
                            "AttachTime": iso(launch),
                            "Device": dev,
                            "InstanceId": iid,
                            "State": "attached",
                            "VolumeId": vol,
                            "DeleteOnTermination": kind == "root",
                        }
                    ],
                    "Encrypted": True,
                    "KmsKeyId": f"arn:aws:kms:{region}:{acct}:key/{ids.uuid()}",
                    "VolumeType": "gp3",
                    "Iops": 3000 if kind == "root" else 6000,
                    "Throughput": 125 if kind == "root" else 250,
                    "MultiAttachEnabled": False,
                    "Tags": [{"Key": "Name", "Value": f"{name}-{kind}"}],
                },
            )
    primary = nodes[primary_idx]
    secondaries = [n for n in nodes if n is not primary]

    # ---- ECS ------------------------------------------------------------------------------------
    cluster = "crewmate-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{acct}:cluster/{cluster}"
    ctx.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 9,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    services = {"jobs-api": (4, jobs_tg), "files-api": (2, files_tg), "dispatch-worker": (3, None)}
    svc_arns: dict[str, str] = {}
    task_ips: dict[str, list[tuple[str, str, str]]] = {}
    for svc, (count, tg) in services.items():
        arn = f"arn:aws:ecs:{region}:{acct}:service/{cluster}/{svc}"
        svc_arns[svc] = arn
        rev = rng.randint(40, 220)
        item: Json = {
            "serviceArn": arn,
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg, "containerName": svc, "containerPort": 3000}]
            if tg
            else [],
            "status": "ACTIVE",
            "desiredCount": count,
            "runningCount": count,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/crewmate-{svc}:{rev}",
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": "ecs-svc/" + str(rng.randrange(10**18, 10**19)),
                    "status": "PRIMARY",
                    "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/crewmate-{svc}:{rev}",
                    "desiredCount": count,
                    "pendingCount": 0,
                    "runningCount": count,
                    "failedTasks": 0,
                    "createdAt": iso_ms(day - timedelta(days=rng.randint(2, 9))),
                    "updatedAt": iso_ms(day - timedelta(days=rng.randint(1, 2))),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment completed.",
                }
            ],
            "events": [],
            "createdAt": iso_ms(created + timedelta(days=4)),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": list(net.private),
                    "securityGroups": [ecs_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": True,
        }
        if tg:
            item["healthCheckGracePeriodSeconds"] = 20
        ctx.res("ecs", "Service", item)
        task_ips[svc] = []
        for k in range(count):
            i = k % 3
            octs = net.private_cidrs[i].split(".")
            ip = f"{octs[0]}.{octs[1]}.{int(octs[2]) + rng.randrange(0, 15)}.{rng.randrange(10, 250)}"
            task_ips[svc].append((ids.hex(32), ip, net.azs[i]))
            if tg:
                target_point(ctx, tg, ip, 3000, net.azs[i], start - timedelta(days=1), "healthy")
        log_group(ctx, f"/ecs/crewmate-{svc}", created, 30)
    log_group(ctx, "/ec2/mongodb/mongod", created, 14)
    log_group(ctx, "/ec2/mongodb/messages", created, 14)

    # ---- metrics --------------------------------------------------------------------------------
    lb = {"LoadBalancer": lb_dim}
    jt = {"LoadBalancer": lb_dim, "TargetGroup": jobs_tg_dim}
    ft = {"LoadBalancer": lb_dim, "TargetGroup": files_tg_dim}
    base = rng.uniform(700, 1100)
    jobs5: list[tuple[datetime, float]] = []
    p99s: list[tuple[datetime, float]] = []
    files5: list[tuple[datetime, float]] = []
    status_attached: list[tuple[datetime, float]] = []
    status_all: dict[str, list[tuple[datetime, float]]] = {n["iid"]: [] for n in nodes}
    disk_used: list[tuple[datetime, float]] = []
    hang_share = rng.uniform(
        0.55, 0.7
    )  # of jobs-api requests that need the primary's disk (writes, uncached reads)
    for t, per in grid(start, now, fine_from):
        scale = per / 60
        shape = daily(t, peak, low=0.12, width=4.0)
        rpm = jitter(rng, base * shape, 0.05) * scale
        stalled = t >= stall
        ramp_in = min(1.0, (t - stall).total_seconds() / 120) if stalled else 0.0
        hung = rpm * hang_share * ramp_in
        n5 = round(hung * rng.uniform(0.93, 0.99)) + rng.choice([0, 0, 0, 1]) * round(scale)
        n4 = round(rpm * rng.uniform(0.01, 0.018))
        n2 = max(0, round(rpm) - n5 - n4)
        total = n2 + n4 + n5
        ctx.put("AWS/ApplicationELB", "RequestCount", jt, t, total, "Count")
        ctx.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", jt, t, n2, "Count")
        if n4:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", jt, t, n4, "Count")
        if n5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", jt, t, n5, "Count")
            jobs5.append((t, n5))
        tail = (n5 / total) if total else 0.0
        vals, cnts = latency_dist(
            rng, max(1, total), rng.uniform(0.06, 0.08), 0.6, tail=tail, tail_value=30.0
        )
        ctx.put_dist("AWS/ApplicationELB", "TargetResponseTime", jt, t, vals, cnts)
        p99s.append((t, percentile(vals, cnts, 99)))
        ctx.put_stats(
            "AWS/ApplicationELB", "HealthyHostCount", jt, t, 6 * scale, 4 * 6 * scale, 4, 4, "Count"
        )
        ctx.put_stats("AWS/ApplicationELB", "UnHealthyHostCount", jt, t, 6 * scale, 0, 0, 0, "Count")
        frpm = jitter(rng, base * 0.45 * shape, 0.06) * scale
        f5 = rng.choice([0, 0, 0, 0, 0, 1])
        ctx.put("AWS/ApplicationELB", "RequestCount", ft, t, round(frpm), "Count")
        ctx.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", ft, t, round(frpm) - f5, "Count")
        if f5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ft, t, f5, "Count")
            files5.append((t, f5))
        fv, fc = latency_dist(rng, max(1, round(frpm)), rng.uniform(0.09, 0.12), 0.7)
        ctx.put_dist("AWS/ApplicationELB", "TargetResponseTime", ft, t, fv, fc)
        ctx.put_stats(
            "AWS/ApplicationELB", "HealthyHostCount", ft, t, 6 * scale, 2 * 6 * scale, 2, 2, "Count"
        )
        ctx.put("AWS/ApplicationELB", "RequestCount", lb, t, total + round(frpm), "Count")
        if n5 + f5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, t, n5 + f5, "Count")
        ctx.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            lb,
            t,
            round(jitter(rng, 90 * shape * (1 + 1.5 * ramp_in), 0.07) * scale),
            "Count",
        )
        # ECS
        for svc, cnt in (("jobs-api", 4), ("files-api", 2), ("dispatch-worker", 3)):
            dims = {"ClusterName": cluster, "ServiceName": svc}
            cpu = jitter(
                rng,
                {"jobs-api": 8 + 30 * shape, "files-api": 5 + 12 * shape, "dispatch-worker": 6 + 18 * shape}[
                    svc
                ],
                0.06,
            )
            if stalled and svc != "files-api":
                cpu *= 0.55
            mem = jitter(
                rng,
                {"jobs-api": 41, "files-api": 33, "dispatch-worker": 47}[svc]
                * (1.12 if stalled and svc == "jobs-api" else 1.0),
                0.015,
            )
            ctx.put_stats(
                "AWS/ECS",
                "CPUUtilization",
                dims,
                t,
                cnt * scale,
                cpu * cnt * scale,
                cpu * 0.8,
                cpu * 1.25,
                "Percent",
            )
            ctx.put_stats(
                "AWS/ECS",
                "MemoryUtilization",
                dims,
                t,
                cnt * scale,
                mem * cnt * scale,
                mem * 0.97,
                mem * 1.03,
                "Percent",
            )
        # EC2 + EBS + agent
        for n in nodes:
            is_p = n is primary
            idim = {"InstanceId": n["iid"]}
            if is_p:
                cpu = jitter(rng, 9 + 38 * shape, 0.06) if not stalled else jitter(rng, 4.5, 0.1)
            else:
                cpu = jitter(rng, 4 + 7 * shape, 0.08) * (0.6 if stalled else 1.0)
            if per == 300 or t.minute % 5 == 0:
                # basic monitoring: 5-minute EC2 metrics
                ctx.put("AWS/EC2", "CPUUtilization", idim, t, cpu, "Percent")
                ctx.put(
                    "AWS/EC2",
                    "NetworkIn",
                    idim,
                    t,
                    jitter(rng, (6e7 if is_p else 2.2e7) * shape * (0.35 if stalled else 1.0) * 5, 0.08),
                    "Bytes",
                )
                ctx.put(
                    "AWS/EC2",
                    "NetworkOut",
                    idim,
                    t,
                    jitter(rng, (9e7 if is_p else 1.2e7) * shape * (0.3 if stalled else 1.0) * 5, 0.08),
                    "Bytes",
                )
            failed_ebs = 1.0 if (is_p and t >= minute(ebs_check_fail)) else 0.0
            ctx.put("AWS/EC2", "StatusCheckFailed", idim, t, 0, "Count")
            ctx.put("AWS/EC2", "StatusCheckFailed_AttachedEBS", idim, t, failed_ebs, "Count")
            status_all[n["iid"]].append((t, 0.0))
            if is_p:
                status_attached.append((t, failed_ebs))
            vd = {"VolumeId": n["data"]}
            if is_p and stalled:
                ctx.put("AWS/EBS", "VolumeReadOps", vd, t, 0, "Count")
                ctx.put("AWS/EBS", "VolumeWriteOps", vd, t, 0, "Count")
                ctx.put("AWS/EBS", "VolumeTotalReadTime", vd, t, 0, "Seconds")
                ctx.put("AWS/EBS", "VolumeTotalWriteTime", vd, t, 0, "Seconds")
                ctx.put("AWS/EBS", "VolumeIdleTime", vd, t, 0, "Seconds")
                ctx.put("AWS/EBS", "VolumeQueueLength", vd, t, jitter(rng, 64 + 30 * ramp_in, 0.03), "Count")
                ctx.put(
                    "AWS/EBS",
                    "VolumeStalledIOCheck",
                    vd,
                    t,
                    1.0 if t >= stall + timedelta(minutes=1) else 0.0,
                    "None",
                )
            else:
                w = jitter(rng, (900 if is_p else 520) * shape + 60, 0.08) * 60 * scale
                r = jitter(rng, (260 if is_p else 45) * shape + 10, 0.12) * 60 * scale
                if stalled and not is_p:
                    w, r = w * 0.15, r * 0.5
                ctx.put("AWS/EBS", "VolumeReadOps", vd, t, round(r), "Count")
                ctx.put("AWS/EBS", "VolumeWriteOps", vd, t, round(w), "Count")
                ctx.put("AWS/EBS", "VolumeTotalReadTime", vd, t, r * rng.uniform(0.00045, 0.0006), "Seconds")
                ctx.put("AWS/EBS", "VolumeTotalWriteTime", vd, t, w * rng.uniform(0.0009, 0.0013), "Seconds")
                ctx.put(
                    "AWS/EBS", "VolumeIdleTime", vd, t, max(0.0, 60 * scale - (r + w) * 0.0008), "Seconds"
                )
                ctx.put(
                    "AWS/EBS",
                    "VolumeQueueLength",
                    vd,
                    t,
                    jitter(rng, 0.6 + 1.2 * shape * (1 if not stalled else 0.2), 0.1),
                    "Count",
                )
                ctx.put("AWS/EBS", "VolumeStalledIOCheck", vd, t, 0.0, "None")
            rd = {"VolumeId": n["root"]}
            ctx.put("AWS/EBS", "VolumeWriteOps", rd, t, round(jitter(rng, 420, 0.1) * scale), "Count")
            host = f"ip-{n['ip'].replace('.', '-')}.{region}.compute.internal"
            iow = jitter(rng, 0.8 + 1.5 * shape, 0.2) if not (is_p and stalled) else jitter(rng, 47, 0.04)
            ctx.put("CWAgent", "cpu_usage_iowait", {"host": host, "cpu": "cpu-total"}, t, iow, "Percent")
            ctx.put(
                "CWAgent",
                "mem_used_percent",
                {"host": host},
                t,
                jitter(rng, 71 if is_p else 64, 0.01),
                "Percent",
            )
            du = 58.2 + 0.0002 * (t - start).total_seconds() / 60 if is_p else 57.9
            ctx.put(
                "CWAgent",
                "disk_used_percent",
                {"host": host, "path": "/var/lib/mongodb", "device": "nvme1n1", "fstype": "xfs"},
                t,
                du,
                "Percent",
            )
            if is_p:
                disk_used.append((t, du))
        # agent metric for iops in progress on primary's data disk
        host = f"ip-{primary['ip'].replace('.', '-')}.{region}.compute.internal"
        ctx.put(
            "CWAgent",
            "diskio_iops_in_progress",
            {"host": host, "name": "nvme1n1"},
            t,
            rng.randint(0, 3) if not stalled else rng.randint(90, 128),
            "Count",
        )

    # ---- alarms ---------------------------------------------------------------------------------
    pager = f"arn:aws:sns:{region}:{acct}:crewmate-oncall"
    ac = day - timedelta(days=rng.randint(60, 300))
    specs: list[tuple[AlarmSpec, dict[datetime, float]]] = [
        (
            AlarmSpec(
                "crewmate-jobs-api-5xx",
                "jobs-api 5xx above 25/min",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                jt,
                "Sum",
                60,
                3,
                3,
                25.0,
                "GreaterThanOrEqualToThreshold",
                actions=[pager],
            ),
            aggregate(jobs5, 60),
        ),
        (
            AlarmSpec(
                "crewmate-jobs-api-p99",
                "jobs-api p99 above 3s",
                "AWS/ApplicationELB",
                "TargetResponseTime",
                jt,
                "p99",
                60,
                5,
                4,
                3.0,
                "GreaterThanThreshold",
                actions=[pager],
            ),
            dict(p99s),
        ),
        (
            AlarmSpec(
                "crewmate-files-api-5xx",
                "files-api 5xx above 25/min",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                ft,
                "Sum",
                60,
                3,
                3,
                25.0,
                "GreaterThanOrEqualToThreshold",
                actions=[pager],
            ),
            aggregate(files5, 60),
        ),
        (
            AlarmSpec(
                "mongo-prod-data-disk-used",
                "mongo data volume above 80%",
                "CWAgent",
                "disk_used_percent",
                {
                    "host": f"ip-{primary['ip'].replace('.', '-')}.{region}.compute.internal",
                    "path": "/var/lib/mongodb",
                    "device": "nvme1n1",
                    "fstype": "xfs",
                },
                "Average",
                300,
                1,
                1,
                80.0,
                "GreaterThanThreshold",
                actions=[pager],
            ),
            aggregate(disk_used, 300, "Average"),
        ),
    ]
    for n in nodes:
        specs.append(
            (
                AlarmSpec(
                    f"{n['name']}-status-check",
                    f"EC2 status check failed on {n['name']}",
                    "AWS/EC2",
                    "StatusCheckFailed",
                    {"InstanceId": n["iid"]},
                    "Maximum",
                    60,
                    2,
                    2,
                    1.0,
                    "GreaterThanOrEqualToThreshold",
                    actions=[pager],
                ),
                aggregate(status_all[n["iid"]], 60, "Maximum"),
            )
        )
    for spec, series in specs:
        evaluate_alarm(ctx, spec, series, ac + timedelta(days=rng.randint(0, 20)), now, eval_from=fine_from)

    # ---- logs -----------------------------------------------------------------------------------
    def pino(t: datetime, ip: str, level: int, msg: str, **kw: object) -> str:
        rec: Json = {
            "level": level,
            "time": epoch_ms(t),
            "pid": 1,
            "hostname": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
        }
        rec.update(kw)
        rec["msg"] = msg
        return json.dumps(rec, separators=(",", ":"))

    seeds = f"mongodb://{','.join(n['name'] + '.db.crewmate.internal:27017' for n in nodes)}/?replicaSet=rs-crewmate"
    _ = seeds
    routes_r = [
        "/v2/jobs?assignee=me&status=open",
        "/v2/jobs/{id}",
        "/v2/customers/{cid}",
        "/v2/schedule/today",
    ]
    routes_w = [
        ("POST", "/v2/jobs/{id}/complete"),
        ("PATCH", "/v2/jobs/{id}"),
        ("POST", "/v2/jobs/{id}/notes"),
        ("POST", "/v2/timesheets"),
    ]

    def fill(p: str) -> str:
        return p.replace("{id}", ids.hex(24)).replace("{cid}", ids.hex(24))

    t = minute(start) + timedelta(seconds=rng.randint(0, 50))
    conn = rng.randint(20, 60)
    while t < now:
        stalled = t >= stall + timedelta(seconds=30)
        step = timedelta(seconds=rng.randint(15, 45) if t >= fine_from else rng.randint(200, 420))
        tid, ip, _ = rng.choice(task_ips["jobs-api"])
        stream = f"jobs-api/jobs-api/{tid}"
        rid = ids.hex(8)
        if stalled and rng.random() < 0.85:
            method, path = rng.choice(routes_w) if rng.random() < 0.7 else ("GET", rng.choice(routes_r[1:]))
            conn += 1
            if rng.random() < 0.7:
                err = {
                    "type": "MongoNetworkTimeoutError",
                    "message": f"connection {conn} to {primary['ip']}:27017 timed out",
                    "stack": f"MongoNetworkTimeoutError: connection {conn} to {primary['ip']}:27017 timed out\n    at Socket.<anonymous> (/srv/app/node_modules/mongodb/lib/cmap/connection.js:{rng.choice([512, 517])}:38)\n    at Socket.emit (node:events:519:28)\n    at Socket._onTimeout (node:net:609:8)\n    at listOnTimeout (node:internal/timers:581:17)\n    at process.processTimers (node:internal/timers:519:7)",
                    "errorLabelSet": {},
                    "beforeHandshake": False,
                }
                took = rng.uniform(30000, 30150)
            else:
                err = {
                    "type": "WaitQueueTimeoutError",
                    "message": "Timed out while checking out a connection from connection pool",
                    "stack": "MongoWaitQueueTimeoutError: Timed out while checking out a connection from connection pool\n    at Timeout.<anonymous> (/srv/app/node_modules/mongodb/lib/cmap/connection_pool.js:163:17)\n    at listOnTimeout (node:internal/timers:581:17)\n    at process.processTimers (node:internal/timers:519:7)",
                    "address": f"{primary['ip']}:27017",
                }
                took = rng.uniform(10000, 10040)
            ctx.log(
                "/ecs/crewmate-jobs-api",
                stream,
                t,
                pino(
                    t, ip, 50, "request failed", reqId=rid, req={"method": method, "url": fill(path)}, err=err
                ),
            )
            ctx.log(
                "/ecs/crewmate-jobs-api",
                stream,
                t + timedelta(milliseconds=1),
                pino(
                    t + timedelta(milliseconds=1),
                    ip,
                    30,
                    "request completed",
                    reqId=rid,
                    res={"statusCode": 503},
                    responseTime=round(took, 3),
                ),
            )
        else:
            if rng.random() < 0.5:
                method, path = rng.choice(routes_w)
            else:
                method, path = "GET", rng.choice(routes_r)
            if rng.random() < 0.04:
                ctx.log(
                    "/ecs/crewmate-jobs-api",
                    stream,
                    t,
                    pino(t, ip, 40, "photo upload URL near expiry, re-signing", reqId=rid, job=ids.hex(24)),
                )
            elif rng.random() < 0.03:
                ctx.log(
                    "/ecs/crewmate-jobs-api",
                    stream,
                    t,
                    pino(
                        t,
                        ip,
                        40,
                        "client sent stale version, rejecting update",
                        reqId=rid,
                        expected=rng.randint(3, 9),
                        got=rng.randint(1, 2),
                    ),
                )
                ctx.log(
                    "/ecs/crewmate-jobs-api",
                    stream,
                    t + timedelta(milliseconds=2),
                    pino(
                        t,
                        ip,
                        30,
                        "request completed",
                        reqId=rid,
                        res={"statusCode": 409},
                        responseTime=round(rng.uniform(20, 40), 3),
                    ),
                )
            else:
                ctx.log(
                    "/ecs/crewmate-jobs-api",
                    stream,
                    t,
                    pino(
                        t,
                        ip,
                        30,
                        "request completed",
                        reqId=rid,
                        req={"method": method, "url": fill(path)},
                        res={"statusCode": 200},
                        responseTime=round(rng.uniform(25, 140), 3),
                    ),
                )
        t += step

    # dispatch-worker (Python)
    t = minute(start) + timedelta(seconds=rng.randint(0, 59))
    while t < now:
        tid, ip, _ = rng.choice(task_ips["dispatch-worker"])
        stream = f"dispatch-worker/dispatch-worker/{tid}"
        stalled = t >= stall + timedelta(seconds=20)
        if stalled:
            ctx.log(
                "/ecs/crewmate-dispatch-worker",
                stream,
                t,
                f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} ERROR dispatch.optimizer: route batch {ids.hex(8)} failed to persist: {primary['name']}.db.crewmate.internal:27017: timed out (configured timeouts: socketTimeoutMS: 20000.0ms, connectTimeoutMS: 5000.0ms)",
            )
            t += timedelta(seconds=rng.randint(20, 40))
        else:
            ctx.log(
                "/ecs/crewmate-dispatch-worker",
                stream,
                t,
                f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} INFO dispatch.optimizer: route batch {ids.hex(8)} planned: {rng.randint(8, 60)} jobs, {rng.randint(2, 12)} technicians in {rng.uniform(0.4, 3.1):.2f}s",
            )
            t += timedelta(seconds=rng.randint(60, 180) if t >= fine_from else rng.randint(300, 600))

    # files-api
    t = minute(start)
    while t < now:
        tid, ip, _ = rng.choice(task_ips["files-api"])
        ctx.log(
            "/ecs/crewmate-files-api",
            f"files-api/files-api/{tid}",
            t,
            pino(
                t,
                ip,
                30,
                "request completed",
                req={"method": rng.choice(["GET", "PUT"]), "url": f"/v1/files/{ids.hex(24)}"},
                res={"statusCode": 200},
                responseTime=round(rng.uniform(40, 300), 3),
            ),
        )
        t += timedelta(minutes=rng.randint(3, 9))

    # mongod logs
    def mlog(t: datetime, sev: str, comp: str, mid: int, c: str, msg: str, attr: Json | None = None) -> str:
        rec: Json = {
            "t": {"$date": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+00:00"},
            "s": sev,
            "c": comp,
            "id": mid,
            "ctx": c,
            "msg": msg,
        }
        if attr is not None:
            rec["attr"] = attr
        return json.dumps(rec, separators=(",", ":"))

    for n in nodes:
        stream = n["iid"]
        t = minute(start) + timedelta(seconds=rng.randint(0, 59))
        is_p = n is primary
        ckpt_start: datetime | None = None
        while t < now:
            if is_p and t >= stall:
                break
            roll = rng.random()
            if roll < 0.35:
                c = f"conn{rng.randint(20000, 90000)}"
                ctx.log(
                    "/ec2/mongodb/mongod",
                    stream,
                    t,
                    mlog(
                        t,
                        "I",
                        "NETWORK",
                        22943,
                        "listener",
                        "Connection accepted",
                        {
                            "remote": f"{rng.choice(task_ips['jobs-api'])[1]}:{rng.randint(30000, 60000)}",
                            "uuid": {"uuid": {"$uuid": ids.uuid()}},
                            "connectionId": int(c[4:]),
                            "connectionCount": rng.randint(180, 240),
                        },
                    ),
                )
            elif roll < 0.55 and is_p:
                d = rng.randint(101, 380)
                ctx.log(
                    "/ec2/mongodb/mongod",
                    stream,
                    t,
                    mlog(
                        t,
                        "I",
                        "COMMAND",
                        51803,
                        f"conn{rng.randint(20000, 90000)}",
                        "Slow query",
                        {
                            "type": "command",
                            "ns": "crewmate.jobs",
                            "appName": "crewmate-jobs-api",
                            "command": {
                                "find": "jobs",
                                "filter": {
                                    "tenantId": {"$oid": ids.hex(24)},
                                    "status": {"$in": ["open", "scheduled"]},
                                },
                                "sort": {"scheduledFor": 1},
                                "$db": "crewmate",
                            },
                            "planSummary": "IXSCAN { tenantId: 1, status: 1, scheduledFor: 1 }",
                            "keysExamined": rng.randint(200, 3000),
                            "docsExamined": rng.randint(200, 3000),
                            "nreturned": rng.randint(10, 200),
                            "numYields": rng.randint(0, 4),
                            "durationMillis": d,
                        },
                    ),
                )
            else:
                ctx.log(
                    "/ec2/mongodb/mongod",
                    stream,
                    t,
                    mlog(
                        t,
                        "I",
                        "WTCHKPT",
                        22430,
                        "Checkpointer",
                        "WiredTiger message",
                        {
                            "message": {
                                "ts_sec": int(t.timestamp()),
                                "ts_usec": t.microsecond,
                                "thread": f"{rng.randint(1000, 3000)}:0x7f{ids.hex(10)}",
                                "session_name": "WT_SESSION.checkpoint",
                                "category": "WT_VERB_CHECKPOINT_PROGRESS",
                                "category_id": 6,
                                "verbose_level": "DEBUG_1",
                                "verbose_level_id": 1,
                                "msg": f"saving checkpoint snapshot min: {rng.randint(10**6, 10**7)}, snapshot max: {rng.randint(10**6, 10**7)} snapshot count: 0, oldest timestamp: ({int(t.timestamp()) - 300}, 1) , meta checkpoint timestamp: ({int(t.timestamp())}, {rng.randint(1, 40)}) base write gen: {rng.randint(10**6, 10**7)}",
                            }
                        },
                    ),
                )
            if not is_p and rng.random() < 0.01:
                ctx.log(
                    "/ec2/mongodb/mongod",
                    stream,
                    t + timedelta(seconds=2),
                    mlog(
                        t,
                        "W",
                        "NETWORK",
                        4615610,
                        "ReplCoord-0",
                        "Failed to check socket connectivity",
                        {
                            "error": {
                                "code": 6,
                                "codeName": "HostUnreachable",
                                "errmsg": "Connection reset by peer",
                            }
                        },
                    ),
                )
            t += timedelta(seconds=rng.randint(25, 90) if t >= fine_from else rng.randint(240, 600))
        if is_p:
            ckpt_start = stall - timedelta(seconds=rng.randint(5, 40))
            secs = 20
            while ckpt_start + timedelta(seconds=secs) < now:
                tt = ckpt_start + timedelta(seconds=secs)
                ctx.log(
                    "/ec2/mongodb/mongod",
                    stream,
                    tt,
                    mlog(
                        tt,
                        "I",
                        "WTCHKPT",
                        22430,
                        "Checkpointer",
                        "WiredTiger message",
                        {
                            "message": {
                                "ts_sec": int(tt.timestamp()),
                                "ts_usec": 0,
                                "thread": f"2231:0x7f{ids.hex(10)}",
                                "session_name": "WT_SESSION.checkpoint",
                                "category": "WT_VERB_CHECKPOINT_PROGRESS",
                                "category_id": 6,
                                "verbose_level": "INFO",
                                "verbose_level_id": 0,
                                "msg": f"Checkpoint has been running for {secs} seconds and wrote: {rng.randint(1000, 1400) if secs == 20 else 1412} pages (58 MB)",
                            }
                        },
                    ),
                )
                secs += 20
            tt = stall + timedelta(seconds=31)
            while tt < now:
                d = int((tt - stall).total_seconds() * 1000) + rng.randint(0, 900)
                ctx.log(
                    "/ec2/mongodb/mongod",
                    stream,
                    tt,
                    mlog(
                        tt,
                        "I",
                        "COMMAND",
                        51803,
                        f"conn{rng.randint(20000, 90000)}",
                        "Slow query",
                        {
                            "type": "command",
                            "ns": "crewmate.jobs",
                            "appName": "crewmate-jobs-api",
                            "command": {
                                "update": "jobs",
                                "ordered": True,
                                "writeConcern": {"w": "majority"},
                                "$db": "crewmate",
                            },
                            "numYields": 0,
                            "reslen": 45,
                            "locks": {
                                "ReplicationStateTransition": {"acquireCount": {"w": 2}},
                                "Global": {"acquireCount": {"w": 2}},
                            },
                            "flowControl": {"acquireCount": 1},
                            "storage": {"data": {"bytesRead": 0, "timeReadingMicros": 0}},
                            "remote": f"{rng.choice(task_ips['jobs-api'])[1]}:{rng.randint(30000, 60000)}",
                            "protocol": "op_msg",
                            "durationMillis": min(d, 30000 + rng.randint(0, 900)),
                        },
                    ),
                )
                if rng.random() < 0.3:
                    ctx.log(
                        "/ec2/mongodb/mongod",
                        stream,
                        tt + timedelta(milliseconds=5),
                        mlog(
                            tt,
                            "I",
                            "NETWORK",
                            22944,
                            f"conn{rng.randint(20000, 90000)}",
                            "Connection ended",
                            {
                                "remote": f"{rng.choice(task_ips['jobs-api'])[1]}:{rng.randint(30000, 60000)}",
                                "uuid": {"uuid": {"$uuid": ids.uuid()}},
                                "connectionId": rng.randint(20000, 90000),
                                "connectionCount": rng.randint(400, 800),
                            },
                        ),
                    )
                tt += timedelta(seconds=rng.randint(40, 100))

    # kernel messages
    p = primary
    pid = rng.randint(1500, 4000)
    tt = stall + timedelta(seconds=rng.randint(122, 130))
    host_short = f"ip-{p['ip'].replace('.', '-')}"
    k = 0
    blocked = (
        ("mongod", pid),
        ("WTCheckpointThr", pid + rng.randint(20, 60)),
        ("xfsaild/nvme1n1", rng.randint(500, 900)),
    )
    while tt < now and k < 8:
        up = (tt - p["launch"]).total_seconds() + rng.random()
        for task, tpid in blocked:
            ctx.log(
                "/ec2/mongodb/messages",
                p["iid"],
                tt,
                f"{tt:%b %d %H:%M:%S} {host_short} kernel: [{up:.6f}] INFO: task {task}:{tpid} blocked for more than {122 + 123 * k} seconds.",
            )
            ctx.log(
                "/ec2/mongodb/messages",
                p["iid"],
                tt,
                f"{tt:%b %d %H:%M:%S} {host_short} kernel: [{up:.6f}]       Not tainted 6.1.{rng.choice([97, 102, 109])}-{rng.choice([104, 110, 119])}.{rng.choice([177, 189, 196])}.amzn2023.x86_64 #1",
            )
            ctx.log(
                "/ec2/mongodb/messages",
                p["iid"],
                tt,
                f'{tt:%b %d %H:%M:%S} {host_short} kernel: [{up:.6f}] "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
            )
        tt += timedelta(seconds=123)
        k += 1
    for n in nodes:
        t = minute(start) + timedelta(minutes=rng.randint(5, 50))
        while t < now:
            ctx.log(
                "/ec2/mongodb/messages",
                n["iid"],
                t,
                f"{t:%b %d %H:%M:%S} ip-{n['ip'].replace('.', '-')} amazon-cloudwatch-agent[{rng.randint(900, 1200)}]: {t:%Y-%m-%dT%H:%M:%SZ} I! cloudwatch: publish with ForceFlushInterval: 1m0s, Publish Jitter: {rng.randint(1, 59)}.{rng.randint(10**8, 10**9)}s",
            )
            t += timedelta(hours=rng.randint(2, 4))
        t = minute(start) + timedelta(minutes=rng.randint(30, 90))
        while t < now:
            ctx.log(
                "/ec2/mongodb/messages",
                n["iid"],
                t,
                f"{t:%b %d %H:%M:%S} ip-{n['ip'].replace('.', '-')} systemd[1]: Starting dnf-makecache.service - dnf makecache...",
            )
            ctx.log(
                "/ec2/mongodb/messages",
                n["iid"],
                t + timedelta(seconds=2),
                f"{t:%b %d %H:%M:%S} ip-{n['ip'].replace('.', '-')} dnf[{rng.randint(10000, 90000)}]: Metadata cache refreshed recently.",
            )
            t += timedelta(hours=rng.randint(3, 5))
    ctx.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---- CloudTrail -----------------------------------------------------------------------------
    graf = ctx.role("grafana-cloudwatch", "grafana", start, ids.ip(), UA_GRAFANA)
    t = start + timedelta(minutes=rng.randint(5, 30))
    while t < now:
        ctx.ct(
            t,
            graf,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": iso(t - timedelta(hours=6)), "endTime": iso(t), "maxDatapoints": 1340},
            None,
            read_only=True,
        )
        t += timedelta(minutes=rng.randint(30, 75))
    # snapshots of the secondaries every 4 hours by Data Lifecycle Manager
    dlm = ctx.role(
        "AWSDataLifecycleManagerDefaultRole",
        "DLMSession",
        start,
        "dlm.amazonaws.com",
        "dlm.amazonaws.com",
        path="/service-role/",
    )
    dlm.identity["invokedBy"] = "dlm.amazonaws.com"
    policy_id = "policy-0" + ids.hex(16)
    snap_anchor = onset - timedelta(minutes=rng.randint(12, 24))
    k = 0
    while snap_anchor - timedelta(hours=4 * k) > start:
        st = snap_anchor - timedelta(hours=4 * k)
        for n in secondaries:
            sid = "snap-0" + ids.hex(16)
            ctx.ct(
                st + timedelta(seconds=rng.randint(0, 20)),
                dlm,
                "ec2.amazonaws.com",
                "CreateSnapshot",
                {
                    "volumeId": n["data"],
                    "description": f"Created for policy: {policy_id} schedule: mongo-secondaries-4h",
                    "tagSpecificationSet": {
                        "items": [
                            {
                                "resourceType": "snapshot",
                                "tags": [
                                    {"key": "dlm:managed", "value": "true"},
                                    {"key": "aws:dlm:lifecycle-policy-id", "value": policy_id},
                                    {
                                        "key": "aws:dlm:lifecycle-schedule-name",
                                        "value": "mongo-secondaries-4h",
                                    },
                                ],
                            }
                        ]
                    },
                },
                {
                    "requestId": ids.uuid(),
                    "snapshotId": sid,
                    "volumeId": n["data"],
                    "status": "pending",
                    "startTime": int(st.timestamp() * 1000),
                    "progress": "",
                    "ownerId": acct,
                    "volumeSize": 500,
                    "encrypted": True,
                    "kmsKeyId": f"arn:aws:kms:{region}:{acct}:key/{ids.uuid()}",
                },
            )
        k += 1
    # a data engineer opens the mongo SG to the analytics export tasks
    de_user = rng.choice(["p.alvarez", "d.kowalczyk", "h.tanaka"]) + "@crewmate.io"
    de = ctx.sso(de_user, "DataEngineer", onset - timedelta(hours=1), console=True)
    sgr = ids.ec2("sgr")
    ctx.ct(
        onset - timedelta(minutes=rng.randint(6, 11)),
        de,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": mongo_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 27017,
                        "toPort": 27017,
                        "groups": {
                            "items": [
                                {
                                    "groupId": analytics_sg,
                                    "description": "analytics export (read from secondaries)",
                                }
                            ]
                        },
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": ids.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct,
                        "groupId": mongo_sg,
                        "securityGroupRuleId": sgr,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 27017,
                        "toPort": 27017,
                        "referencedGroupInfo": {"groupId": analytics_sg, "userId": acct},
                        "description": "analytics export (read from secondaries)",
                    }
                ]
            },
        },
    )
    ctx.ct(
        onset - timedelta(minutes=rng.randint(12, 16)),
        de,
        "ec2.amazonaws.com",
        "DescribeSecurityGroups",
        {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": mongo_sg}]}, "filterSet": {}},
        None,
        read_only=True,
    )
    # CI deploys files-api (terraform updates its desired count floor)
    tf = ctx.role(
        "crewmate-terraform",
        "atlantis-" + ids.hex(8),
        onset - timedelta(minutes=40),
        ids.ip(),
        tf_ua("application-auto-scaling", "1.29.0"),
    )
    ctx.ct(
        onset - timedelta(minutes=rng.randint(18, 28)),
        tf,
        "autoscaling.amazonaws.com",
        "RegisterScalableTarget",
        {
            "serviceNamespace": "ecs",
            "resourceId": f"service/{cluster}/files-api",
            "scalableDimension": "ecs:service:DesiredCount",
            "minCapacity": 2,
            "maxCapacity": 8,
        },
        {
            "scalableTargetARN": f"arn:aws:application-autoscaling:{region}:{acct}:scalable-target/0ec5{ids.hex(28)}"
        },
    )
    # routine: ops engineer, SSM inventory, ECS exec on a jobs-api task after the onset
    ops_user = rng.choice(["b.greene", "l.ferreira", "o.adeyemi"]) + "@crewmate.io"
    ops = ctx.sso(ops_user, "SRE", onset - timedelta(hours=3))
    ctx.ct(
        onset - timedelta(hours=2, minutes=rng.randint(0, 50)),
        ops,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster, "services": ["jobs-api", "dispatch-worker"], "include": []},
        None,
        read_only=True,
    )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(9, 14)),
        ops,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster, "services": ["jobs-api"]},
        None,
        read_only=True,
    )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(14, 18)),
        ops,
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        {"targetGroupArn": jobs_tg},
        None,
        read_only=True,
    )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(18, 24)),
        ops,
        "ecs.amazonaws.com",
        "ExecuteCommand",
        {
            "cluster": cluster,
            "container": "jobs-api",
            "command": "/bin/sh",
            "interactive": True,
            "task": task_ips["jobs-api"][0][0],
        },
        {
            "clusterArn": cluster_arn,
            "containerArn": f"arn:aws:ecs:{region}:{acct}:container/{cluster}/{task_ips['jobs-api'][0][0]}/{ids.uuid()}",
            "containerName": "jobs-api",
            "interactive": True,
            "session": {
                "sessionId": f"ecs-execute-command-{ids.hex(17)}",
                "streamUrl": f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/ecs-execute-command-{ids.hex(17)}?role=publish_subscribe&cell-number=AAEAAQ",
                "tokenValue": "HIDDEN_DUE_TO_SECURITY_REASONS",
            },
            "taskArn": f"arn:aws:ecs:{region}:{acct}:task/{cluster}/{task_ips['jobs-api'][0][0]}",
        },
    )
    ssm = ctx.role(
        "crewmate-mongo",
        "i-" + ids.hex(17),
        start,
        primary["ip"],
        "aws-sdk-go/1.44.0 (go1.21.6; linux; amd64) amazon-ssm-agent/3.3.131.0",
    )
    for k in range(3):
        ctx.ct(
            start + timedelta(hours=3 * k, minutes=rng.randint(0, 59)),
            ssm,
            "ssm.amazonaws.com",
            "UpdateInstanceInformation",
            {
                "instanceId": primary["iid"],
                "agentVersion": "3.3.131.0",
                "agentStatus": "Active",
                "platformType": "Linux",
                "platformName": "Amazon Linux",
                "platformVersion": "2023",
                "iPAddress": primary["ip"],
                "computerName": f"ip-{primary['ip'].replace('.', '-')}.{region}.compute.internal",
                "agentName": "amazon-ssm-agent",
                "availabilityZone": primary["az"],
            },
            None,
        )
    for n in nodes:
        exec_ = ctx.role(
            "crewmate-mongo", n["iid"], start, n["ip"], "aws-sdk-go/1.48.16 (go1.21.6; linux; amd64) CWAgent"
        )
        ctx.ct(
            start + timedelta(minutes=rng.randint(10, 400)),
            exec_,
            "ec2.amazonaws.com",
            "DescribeTags",
            {"filterSet": {"items": [{"name": "resource-id", "valueSet": {"items": [{"value": n["iid"]}]}}]}},
            None,
            read_only=True,
        )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(20, 30)),
        ops,
        "ec2.amazonaws.com",
        "DescribeInstanceStatus",
        {
            "instancesSet": {"items": [{"instanceId": n["iid"]} for n in nodes]},
            "filterSet": {},
            "includeAllInstances": False,
        },
        None,
        read_only=True,
    )
    exec_role = ctx.role(
        "crewmate-ecs-execution", ids.hex(32), start, "ecs-tasks.amazonaws.com", "ecs-tasks.amazonaws.com"
    )
    exec_role.identity["invokedBy"] = "ecs-tasks.amazonaws.com"
    for k in range(4):
        ctx.ct(
            start + timedelta(hours=1 + 2 * k, minutes=rng.randint(0, 59)),
            exec_role,
            "kms.amazonaws.com",
            "Decrypt",
            {
                "encryptionContext": {
                    "SecretARN": f"arn:aws:secretsmanager:{region}:{acct}:secret:prod/crewmate/mongo-{ids.upper(6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}",
                    "SecretVersionId": ids.uuid(),
                },
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            None,
            read_only=True,
        )
    ctx.trail.sort(key=lambda r: r["eventTime"])
    ctx.trail[:] = [r for r in ctx.trail if r["eventTime"] <= iso(now)]

    ask = local_onset - timedelta(minutes=local_onset.minute % 5)
    question = (
        f"Techs in the field say the app just spins when they try to complete or update a job, then errors out. "
        f"Started around {ask.hour % 12 or 12}:{ask.minute:02d}{'pm' if ask.hour >= 12 else 'am'}. Checked the jobs-api tasks, all 4 are running and healthy in the target group. "
        "What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": primary["data"],
                    "category": "component_failure",
                    "failure_mode": "ebs-volume-io-stalled",
                    "event_id": None,
                },
                "also_accept": [primary["iid"], primary["name"], f"{primary['name']}-data"],
                "actions": ["exclude", "restart"],
                "chain": [
                    f"EBS volume {primary['data']} ({primary['name']}-data) stops completing I/O (VolumeStalledIOCheck 1, attached-EBS status check failed)",
                    f"mongod on {primary['name']} ({primary['iid']}) stays PRIMARY but its writes and uncached reads block on the disk",
                    "jobs-api and dispatch-worker operations against the primary time out",
                    "jobs-api returns 503 after 30 s on job updates; p99 and 5xx alarms on crewmate-api",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": ctx.metrics,
            "alarms": ctx.alarms,
            "alarm_history": ctx.history,
            "logs": ctx.logs,
            "cloudtrail": ctx.trail,
            "resources": ctx.resources,
            "events": ctx.events,
        },
    )
