"""SMS sending and bank-feed syncs failing on and off at the same time."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zn import (
    Actor,
    AlarmSpec,
    Ctx,
    Json,
    Metrics,
    aggregate,
    alnum,
    assume_role_by_service,
    count,
    diurnal,
    ec2id,
    evaluate_alarm,
    hexs,
    iso,
    jitter,
    mixed_grid,
    ms,
    pick_day,
    role_actor,
    routine_reads,
    scatter,
    sso_actor,
    steps,
    tags,
    trail,
    uid,
)

NAME = "outbound-calls-flaky-sms-bankfeeds"
TITLE = "notify-sms-send Lambda errors alarm on a weekday morning"
SUMMARY = "Weekday morning: SMS sends, bank-feed syncs and FX refreshes all fail about a third of the time."

TZ = ZoneInfo("America/New_York")
PEAKS = [(10.5, 2.5, 0.8), (14.5, 2.5, 0.7)]
LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200_000_000_000, 899_999_999_999))
    region = "us-east-1"
    ctx = Ctx(rng, account, region)
    day = pick_day(rng)
    local_onset = datetime(
        day.year, day.month, day.day, rng.randint(9, 10), rng.randint(0, 59), rng.randint(0, 59), tzinfo=TZ
    )
    onset = local_onset.astimezone(UTC)
    offset = local_onset.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = (onset - timedelta(hours=4)).replace(minute=0, second=0)
    fine_from = (onset - timedelta(minutes=90)).replace(second=0)
    fine_from = fine_from.replace(minute=fine_from.minute - fine_from.minute % 5)
    now = onset + timedelta(minutes=rng.randint(38, 55), seconds=rng.randint(0, 59))
    end = now + timedelta(minutes=1)

    # --- ids ---------------------------------------------------------------------------------------
    vpc = ec2id(rng, "vpc")
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    az_ids = ["use1-az1", "use1-az2", "use1-az4"]
    subnets = [ec2id(rng, "subnet") for _ in range(3)]
    app_subnets = [ec2id(rng, "subnet") for _ in range(3)]
    sg_proxy, sg_lambda = ec2id(rng, "sg"), ec2id(rng, "sg")
    instances = [ec2id(rng, "i") for _ in range(3)]
    volumes = [ec2id(rng, "vol") for _ in range(3)]
    enis = [ec2id(rng, "eni") for _ in range(3)]
    ips = [f"10.20.{o}.{rng.randint(10, 250)}" for o in (1, 17, 33)]
    bad = rng.randrange(3)
    nlb_hex = hexs(rng, 16)
    nlb_name = "egress-proxy-nlb"
    nlb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/net/{nlb_name}/{nlb_hex}"
    nlb_dim = f"net/{nlb_name}/{nlb_hex}"
    tg_hex = hexs(rng, 16)
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/egress-squid-3128/{tg_hex}"
    tg_dim = f"targetgroup/egress-squid-3128/{tg_hex}"
    asg = "egress-proxy-prod"
    ami = ec2id(rng, "ami")
    lt_id = "lt-0" + hexs(rng, 16)
    sns_arn = f"arn:aws:sns:{region}:{account}:tallyfield-prod-alerts"
    proxy_host = "egress-proxy.internal.tallyfield.net"
    fns = {
        "notify-sms-send": ("nodejs20.x", 256, 15, "api.twilio.com"),
        "bankfeed-sync-worker": ("python3.12", 512, 120, "api.ledgerlink.io"),
        "fx-rates-refresh": ("python3.12", 256, 60, "openexchangerates.org"),
        "invoice-mailer": ("nodejs20.x", 512, 30, ""),
    }
    queues = {
        "notify-sms-send": "notify-sms",
        "bankfeed-sync-worker": "bankfeed-sync",
        "invoice-mailer": "invoice-mail",
    }
    launch = onset - timedelta(days=rng.randint(9, 40), hours=rng.randint(0, 23))

    # --- metrics -----------------------------------------------------------------------------------
    m = Metrics()
    grid = mixed_grid(start, fine_from, end)
    coarse = steps(start, end, 5)

    def load(t: datetime) -> float:
        return diurnal(t, offset, PEAKS)

    stalled = lambda t: t >= onset  # noqa: E731
    fail_share = 1 / 3
    dlq_count = {q: 0 for q in queues.values()}
    backlog = {q: 0.0 for q in queues.values()}
    for t in grid:
        step = 5 if t < fine_from else 1
        lf = load(t)
        for fn, (_rt, _mem, _timeout, _host) in fns.items():
            d = {"FunctionName": fn}
            if fn == "fx-rates-refresh":
                inv = 1 if t.minute % 5 == 0 else 0
                if step == 5:
                    inv = 1
            else:
                base = {"notify-sms-send": 34, "bankfeed-sync-worker": 18, "invoice-mailer": 7}[fn]
                inv = count(rng, base * lf * step)
            if inv == 0:
                continue
            affected = fn != "invoice-mailer" and stalled(t)
            errs = (
                sum(1 for _ in range(inv) if rng.random() < fail_share)
                if affected
                else (1 if rng.random() < 0.004 * step else 0)
            )
            med = {
                "notify-sms-send": 0.42,
                "bankfeed-sync-worker": 2.8,
                "fx-rates-refresh": 0.9,
                "invoice-mailer": 0.6,
            }[fn] * 1000
            tail = med * 3.2
            if affected and errs:
                tail = {
                    "notify-sms-send": 10_080.0,
                    "bankfeed-sync-worker": 30_400.0,
                    "fx-rates-refresh": 10_200.0,
                }[fn]
            m.put("AWS/Lambda", "Invocations", d, t, inv, "Count", key=f"inv:{fn}")
            m.put("AWS/Lambda", "Errors", d, t, errs, "Count", key=f"err:{fn}")
            m.put("AWS/Lambda", "Throttles", d, t, 0, "Count")
            if affected and errs:
                ok = inv - errs
                vals = [round(med * rng.uniform(0.8, 1.2), 2), round(tail * rng.uniform(0.99, 1.005), 2)]
                cnts = [float(max(ok, 0)), float(errs)]
                pairs = [(v, c) for v, c in zip(vals, cnts, strict=True) if c > 0]
                m.rows.append(
                    {
                        "namespace": "AWS/Lambda",
                        "metric": "Duration",
                        "dimensions": d,
                        "timestamp": iso(t),
                        "unit": "Milliseconds",
                        "values": [v for v, _ in pairs],
                        "counts": [c for _, c in pairs],
                    }
                )
            else:
                m.put_latency("AWS/Lambda", "Duration", d, t, rng, inv, med, tail, "Milliseconds")
            conc = inv * (med / 1000) / (60 * step) + (errs * tail / 1000 / (60 * step) if affected else 0)
            m.put(
                "AWS/Lambda",
                "ConcurrentExecutions",
                d,
                t,
                max(1, round(conc * rng.uniform(1.2, 1.8))),
                "Count",
            )
            q = queues.get(fn)
            if q:
                qd = {"QueueName": f"{q}-prod"}
                sent = inv * {"notify-sms-send": 1, "bankfeed-sync-worker": 1, "invoice-mailer": 1}[fn]
                deleted = sent - errs
                if affected:
                    backlog[q] += errs * 0.4
                    if rng.random() < errs * fail_share**2 * 0.6:
                        dlq_count[q] += 1
                backlog[q] = max(0.0, backlog[q] * 0.9)
                m.put("AWS/SQS", "NumberOfMessagesSent", qd, t, sent, "Count")
                m.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, max(0, deleted), "Count")
                m.put(
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    qd,
                    t,
                    round(backlog[q] + rng.randint(0, 3)),
                    "Count",
                )
                age = rng.randint(1, 6) if not affected else rng.randint(40, 130)
                m.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, age, "Seconds")
                m.put(
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    {"QueueName": f"{q}-prod-dlq"},
                    t,
                    dlq_count[q],
                    "Count",
                    key=f"dlq:{q}",
                )
        # NLB per AZ
        flows_total = 0.0
        for i, az in enumerate(azs):
            share = lf * rng.uniform(0.9, 1.1)
            new_flows = 110 * share * step
            active = 160 * share
            processed = 2_400_000 * share * step
            client_rst = rng.randint(0, 2)
            if i == bad and stalled(t):
                mins = (t - onset).total_seconds() / 60
                active = 160 * share + min(900.0, 38 * mins * share)
                processed = 14_000 * share * step
                client_rst = int(new_flows * rng.uniform(0.55, 0.75))
            dd = {"LoadBalancer": nlb_dim, "AvailabilityZone": az}
            m.put("AWS/NetworkELB", "NewFlowCount", dd, t, int(new_flows), "Count")
            m.put("AWS/NetworkELB", "ActiveFlowCount", dd, t, int(active), "Count")
            m.put("AWS/NetworkELB", "ProcessedBytes", dd, t, int(processed), "Bytes")
            m.put("AWS/NetworkELB", "TCP_Client_Reset_Count", dd, t, client_rst, "Count")
            m.put("AWS/NetworkELB", "TCP_Target_Reset_Count", dd, t, rng.randint(0, 1), "Count")
            m.put(
                "AWS/NetworkELB",
                "HealthyHostCount",
                {"LoadBalancer": nlb_dim, "TargetGroup": tg_dim, "AvailabilityZone": az},
                t,
                1,
                "Count",
            )
            flows_total += active
        m.put(
            "AWS/NetworkELB",
            "HealthyHostCount",
            {"LoadBalancer": nlb_dim, "TargetGroup": tg_dim},
            t,
            3,
            "Count",
            key="nlb:healthy",
        )
        m.put(
            "AWS/NetworkELB",
            "UnHealthyHostCount",
            {"LoadBalancer": nlb_dim, "TargetGroup": tg_dim},
            t,
            0,
            "Count",
            key="nlb:unhealthy",
        )
        m.put("AWS/NetworkELB", "ActiveFlowCount", {"LoadBalancer": nlb_dim}, t, int(flows_total), "Count")
        # EBS (1-minute)
        for i, vol in enumerate(volumes):
            vd = {"VolumeId": vol}
            if i == bad and stalled(t):
                mins = (t - onset).total_seconds() / 60
                m.put("AWS/EBS", "VolumeReadOps", vd, t, 0, "Count")
                m.put("AWS/EBS", "VolumeWriteOps", vd, t, 0, "Count")
                m.put(
                    "AWS/EBS",
                    "VolumeQueueLength",
                    vd,
                    t,
                    round(min(63.0, 9 + mins * 4) + rng.uniform(-0.5, 0.5), 2),
                    "Count",
                )
                m.put("AWS/EBS", "VolumeIdleTime", vd, t, 0, "Seconds")
                m.put(
                    "AWS/EBS",
                    "VolumeStalledIOCheck",
                    {"VolumeId": vol, "InstanceId": instances[i]},
                    t,
                    1 if mins >= 1 else 0,
                    "None",
                )
            else:
                w = int(jitter(rng, 260 * lf + 40, 0.1) * step)
                m.put("AWS/EBS", "VolumeReadOps", vd, t, int(rng.uniform(0, 4) * step), "Count")
                m.put("AWS/EBS", "VolumeWriteOps", vd, t, w, "Count")
                m.put("AWS/EBS", "VolumeQueueLength", vd, t, round(rng.uniform(0.0, 0.03), 4), "Count")
                m.put(
                    "AWS/EBS",
                    "VolumeIdleTime",
                    vd,
                    t,
                    round(60 * step * rng.uniform(0.93, 0.985), 2),
                    "Seconds",
                )
                m.put(
                    "AWS/EBS",
                    "VolumeStalledIOCheck",
                    {"VolumeId": vol, "InstanceId": instances[i]},
                    t,
                    0,
                    "None",
                )
    for t in coarse:
        lf = load(t)
        for i, inst in enumerate(instances):
            d = {"InstanceId": inst}
            hit = i == bad and t >= onset - timedelta(minutes=4)
            cpu = jitter(rng, 22 * lf + 3, 0.08) if not hit else rng.uniform(0.8, 1.6)
            net = 2_400_000 * lf * 5 * rng.uniform(0.9, 1.1) if not hit else rng.uniform(60_000, 140_000)
            m.put("AWS/EC2", "CPUUtilization", d, t, round(cpu, 3), "Percent")
            m.put("AWS/EC2", "NetworkIn", d, t, int(net * 1.04), "Bytes")
            m.put("AWS/EC2", "NetworkOut", d, t, int(net), "Bytes")
            failed = 1 if hit and t >= onset else 0
            m.put("AWS/EC2", "StatusCheckFailed", d, t, failed, "Count")
            m.put("AWS/EC2", "StatusCheckFailed_Instance", d, t, 0, "Count")
            m.put("AWS/EC2", "StatusCheckFailed_System", d, t, 0, "Count")
            m.put("AWS/EC2", "StatusCheckFailed_AttachedEBS", d, t, failed, "Count")

    # --- alarms ------------------------------------------------------------------------------------
    specs = [
        AlarmSpec(
            "notify-sms-send-errors",
            "SMS sender Lambda errors (prod)",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "notify-sms-send"},
            "Sum",
            300,
            1,
            1,
            10.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "bankfeed-sync-worker-errors",
            "Bank feed sync worker errors (prod)",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "bankfeed-sync-worker"},
            "Sum",
            900,
            1,
            1,
            25.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "invoice-mailer-errors",
            "Invoice mailer errors (prod)",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "invoice-mailer"},
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "egress-proxy-unhealthy-hosts",
            "Squid egress targets failing NLB health checks",
            "AWS/NetworkELB",
            "UnHealthyHostCount",
            {"LoadBalancer": nlb_dim, "TargetGroup": tg_dim},
            "Maximum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "notify-sms-dlq-not-empty",
            "Messages in the SMS dead-letter queue",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "notify-sms-prod-dlq"},
            "Maximum",
            300,
            1,
            1,
            20.0,
            "GreaterThanOrEqualToThreshold",
            actions=[sns_arn],
        ),
    ]
    fine = lambda k: [p for p in m.series[k] if p[0] >= fine_from]  # noqa: E731
    series = {
        "notify-sms-send-errors": aggregate(fine("err:notify-sms-send"), 300, "Sum"),
        "bankfeed-sync-worker-errors": aggregate(fine("err:bankfeed-sync-worker"), 900, "Sum"),
        "invoice-mailer-errors": aggregate(fine("err:invoice-mailer"), 300, "Sum"),
        "egress-proxy-unhealthy-hosts": aggregate(fine("nlb:unhealthy"), 60, "Maximum"),
        "notify-sms-dlq-not-empty": aggregate(fine("dlq:notify-sms"), 300, "Maximum"),
    }
    alarms: list[Json] = []
    history: list[Json] = []
    event: Json | None = None
    for spec in specs:
        a, h, ev = evaluate_alarm(ctx, spec, series[spec.name], fine_from, now, rng)
        alarms.append(a)
        history.extend(h)
        if spec.name == "notify-sms-send-errors":
            event = ev
    assert event is not None

    # --- resources ---------------------------------------------------------------------------------
    res: list[Json] = []
    created = start - timedelta(days=rng.randint(300, 700))
    res.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": nlb_arn,
                "DNSName": f"{nlb_name}-{nlb_hex[:10]}.elb.{region}.amazonaws.com",
                "CanonicalHostedZoneId": "Z26RNL4JYFTOTI",
                "CreatedTime": iso(created),
                "LoadBalancerName": nlb_name,
                "Scheme": "internal",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "network",
                "AvailabilityZones": [
                    {"ZoneName": z, "SubnetId": s, "LoadBalancerAddresses": []}
                    for z, s in zip(azs, subnets, strict=True)
                ],
                "IpAddressType": "ipv4",
            },
        }
    )
    res.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "egress-squid-3128",
                "Protocol": "TCP",
                "Port": 3128,
                "VpcId": vpc,
                "HealthCheckProtocol": "TCP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 10,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "LoadBalancerArns": [nlb_arn],
                "TargetType": "instance",
                "IpAddressType": "ipv4",
            },
        }
    )
    res.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": asg,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{uid(rng)}:autoScalingGroupName/{asg}",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "egress-proxy",
                    "Version": "$Latest",
                },
                "MinSize": 3,
                "MaxSize": 6,
                "DesiredCapacity": 3,
                "DefaultCooldown": 300,
                "AvailabilityZones": azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": inst,
                        "InstanceType": "c6g.large",
                        "AvailabilityZone": azs[i],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "egress-proxy",
                            "Version": "7",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for i, inst in enumerate(instances)
                ],
                "CreatedTime": iso(created),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(subnets),
                "EnabledMetrics": [],
                "Tags": [
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "Name",
                        "Value": "egress-proxy",
                        "PropagateAtLaunch": True,
                    },
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "team",
                        "Value": "platform",
                        "PropagateAtLaunch": True,
                    },
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "CapacityRebalance": False,
            },
        }
    )
    for i, inst in enumerate(instances):
        lt = launch + timedelta(minutes=i * 2 + rng.randint(0, 1))
        res.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": {
                    "InstanceId": inst,
                    "ImageId": ami,
                    "State": {"Code": 16, "Name": "running"},
                    "PrivateDnsName": f"ip-{ips[i].replace('.', '-')}.ec2.internal",
                    "PublicDnsName": "",
                    "StateTransitionReason": "",
                    "AmiLaunchIndex": 0,
                    "ProductCodes": [],
                    "InstanceType": "c6g.large",
                    "LaunchTime": iso(lt),
                    "Placement": {"AvailabilityZone": azs[i], "GroupName": "", "Tenancy": "default"},
                    "Monitoring": {"State": "disabled"},
                    "SubnetId": subnets[i],
                    "VpcId": vpc,
                    "PrivateIpAddress": ips[i],
                    "Architecture": "arm64",
                    "BlockDeviceMappings": [
                        {
                            "DeviceName": "/dev/xvda",
                            "Ebs": {
                                "AttachTime": iso(lt + timedelta(seconds=2)),
                                "DeleteOnTermination": True,
                                "Status": "attached",
                                "VolumeId": volumes[i],
                            },
                        }
                    ],
                    "EbsOptimized": True,
                    "EnaSupport": True,
                    "Hypervisor": "xen",
                    "IamInstanceProfile": {
                        "Arn": f"arn:aws:iam::{account}:instance-profile/egress-proxy",
                        "Id": "AIPA" + alnum(rng, 17),
                    },
                    "NetworkInterfaces": [
                        {
                            "Attachment": {
                                "AttachTime": iso(lt),
                                "AttachmentId": "eni-attach-0" + hexs(rng, 16),
                                "DeleteOnTermination": True,
                                "DeviceIndex": 0,
                                "Status": "attached",
                                "NetworkCardIndex": 0,
                            },
                            "Description": "",
                            "Groups": [{"GroupName": "egress-proxy", "GroupId": sg_proxy}],
                            "Ipv6Addresses": [],
                            "MacAddress": ":".join(hexs(rng, 2) for _ in range(6)),
                            "NetworkInterfaceId": enis[i],
                            "OwnerId": account,
                            "PrivateDnsName": f"ip-{ips[i].replace('.', '-')}.ec2.internal",
                            "PrivateIpAddress": ips[i],
                            "PrivateIpAddresses": [
                                {
                                    "Primary": True,
                                    "PrivateDnsName": f"ip-{ips[i].replace('.', '-')}.ec2.internal",
                                    "PrivateIpAddress": ips[i],
                                }
                            ],
                            "SourceDestCheck": True,
                            "Status": "in-use",
                            "SubnetId": subnets[i],
                            "VpcId": vpc,
                            "InterfaceType": "interface",
                        }
                    ],
                    "RootDeviceName": "/dev/xvda",
                    "RootDeviceType": "ebs",
                    "SecurityGroups": [{"GroupName": "egress-proxy", "GroupId": sg_proxy}],
                    "SourceDestCheck": True,
                    "Tags": tags(
                        {"Name": "egress-proxy", "aws:autoscaling:groupName": asg, "team": "platform"}
                    ),
                    "VirtualizationType": "hvm",
                    "CpuOptions": {"CoreCount": 2, "ThreadsPerCore": 1},
                    "MetadataOptions": {
                        "State": "applied",
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": 1,
                        "HttpEndpoint": "enabled",
                    },
                    "PlatformDetails": "Linux/UNIX",
                    "UsageOperation": "RunInstances",
                    "BootMode": "uefi",
                    "CurrentInstanceBootMode": "uefi",
                },
            }
        )
        ebs_status: Json = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
        if i == bad:
            ebs_status = {
                "Status": "impaired",
                "Details": [
                    {
                        "Name": "reachability",
                        "Status": "failed",
                        "ImpairedSince": iso(onset + timedelta(minutes=2)),
                    }
                ],
            }
        res.append(
            {
                "service": "ec2",
                "type": "InstanceStatus",
                "item": {
                    "AvailabilityZone": azs[i],
                    "AvailabilityZoneId": az_ids[i],
                    "InstanceId": inst,
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "AttachedEbsStatus": ebs_status,
                },
            }
        )
        res.append(
            {
                "service": "ec2",
                "type": "Volume",
                "item": {
                    "VolumeId": volumes[i],
                    "Size": 30,
                    "SnapshotId": "snap-0" + hexs(rng, 16),
                    "AvailabilityZone": azs[i],
                    "State": "in-use",
                    "CreateTime": iso(lt + timedelta(seconds=1)),
                    "Attachments": [
                        {
                            "AttachTime": iso(lt + timedelta(seconds=2)),
                            "Device": "/dev/xvda",
                            "InstanceId": inst,
                            "State": "attached",
                            "VolumeId": volumes[i],
                            "DeleteOnTermination": True,
                        }
                    ],
                    "Encrypted": True,
                    "KmsKeyId": f"arn:aws:kms:{region}:{account}:key/{uid(rng)}",
                    "VolumeType": "gp3",
                    "Iops": 3000,
                    "Throughput": 125,
                    "MultiAttachEnabled": False,
                    "Tags": tags({"Name": "egress-proxy"}),
                },
            }
        )
    res.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {
                "GroupId": sg_proxy,
                "GroupName": "egress-proxy",
                "Description": "squid egress proxies",
                "OwnerId": account,
                "VpcId": vpc,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 3128,
                        "ToPort": 3128,
                        "IpRanges": [
                            {"CidrIp": "10.20.0.0/16", "Description": "prod vpc"},
                            {"CidrIp": "10.24.0.0/20", "Description": "data vpc peering"},
                        ],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    },
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 80,
                        "ToPort": 80,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    },
                ],
                "Tags": tags({"Name": "egress-proxy"}),
            },
        }
    )
    shas = {
        fn: alnum(rng, 43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "="
        for fn in fns
    }
    sms_deploy = onset - timedelta(minutes=rng.randint(22, 29))
    for fn, (rt, mem, timeout, host) in fns.items():
        env = {"NODE_OPTIONS": "--enable-source-maps"} if rt.startswith("node") else {"LOG_LEVEL": "INFO"}
        if host:
            env.update(
                {
                    "HTTPS_PROXY": f"http://{proxy_host}:3128",
                    "NO_PROXY": "169.254.169.254,.amazonaws.com,.internal",
                }
            )
        modified = (
            sms_deploy + timedelta(seconds=3)
            if fn == "notify-sms-send"
            else created + timedelta(days=rng.randint(200, 290))
        )
        res.append(
            {
                "service": "lambda",
                "type": "FunctionConfiguration",
                "item": {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                    "Runtime": rt,
                    "Role": f"arn:aws:iam::{account}:role/{fn}-lambda",
                    "Handler": "index.handler" if rt.startswith("node") else "app.handler",
                    "CodeSize": rng.randint(400_000, 9_000_000),
                    "Description": "",
                    "Timeout": timeout,
                    "MemorySize": mem,
                    "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "CodeSha256": shas[fn],
                    "Version": "$LATEST",
                    "VpcConfig": {"SubnetIds": app_subnets, "SecurityGroupIds": [sg_lambda], "VpcId": vpc},
                    "Environment": {"Variables": env},
                    "TracingConfig": {"Mode": "PassThrough"},
                    "RevisionId": uid(rng),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
                },
            }
        )
        q = queues.get(fn)
        if q:
            qarn = f"arn:aws:sqs:{region}:{account}:{q}-prod"
            res.append(
                {
                    "service": "lambda",
                    "type": "EventSourceMappingConfiguration",
                    "item": {
                        "UUID": uid(rng),
                        "BatchSize": 1 if fn != "invoice-mailer" else 5,
                        "MaximumBatchingWindowInSeconds": 0,
                        "EventSourceArn": qarn,
                        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                        "LastModified": iso(created + timedelta(days=30)),
                        "State": "Enabled",
                        "StateTransitionReason": "USER_INITIATED",
                        "FunctionResponseTypes": [],
                        "ScalingConfig": {"MaximumConcurrency": 20},
                    },
                }
            )
            for suffix in ("", "-dlq"):
                name = f"{q}-prod{suffix}"
                attrs = {
                    "QueueArn": f"arn:aws:sqs:{region}:{account}:{name}",
                    "VisibilityTimeout": str(timeout * 6 if not suffix else 30),
                    "MessageRetentionPeriod": "345600" if not suffix else "1209600",
                    "DelaySeconds": "0",
                    "MaximumMessageSize": "262144",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp()) + 86400 * 40),
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "SqsManagedSseEnabled": "true",
                }
                if not suffix:
                    attrs["RedrivePolicy"] = json.dumps(
                        {
                            "deadLetterTargetArn": f"arn:aws:sqs:{region}:{account}:{q}-prod-dlq",
                            "maxReceiveCount": 3,
                        }
                    )
                res.append(
                    {
                        "service": "sqs",
                        "type": "Queue",
                        "item": {
                            "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{name}",
                            "Attributes": attrs,
                            "Tags": {"team": "platform" if q != "bankfeed-sync" else "banking"},
                        },
                    }
                )
    for g in ["/egress/squid/access", "/egress/squid/cache"] + [f"/aws/lambda/{fn}" for fn in fns]:
        res.append(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {
                    "logGroupName": g,
                    "creationTime": ms(created),
                    "retentionInDays": 14 if g.startswith("/egress") else 30,
                    "metricFilterCount": 0,
                    "arn": f"arn:aws:logs:{region}:{account}:log-group:{g}:*",
                    "storedBytes": rng.randint(10**8, 10**10),
                    "logGroupClass": "STANDARD",
                    "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{g}",
                },
            }
        )

    # --- events ------------------------------------------------------------------------------------
    events: list[Json] = []
    for i, inst in enumerate(instances):
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": inst, "Port": 3128, "AvailabilityZone": azs[i]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )
        lt = launch + timedelta(minutes=i * 2)
        events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": uid(rng),
                    "AutoScalingGroupName": asg,
                    "Description": f"Launching a new EC2 instance: {inst}",
                    "Cause": f"At {lt - timedelta(seconds=12):%Y-%m-%dT%H:%M:%SZ} an instance was launched in response to an instance refresh.  At {lt - timedelta(seconds=14):%Y-%m-%dT%H:%M:%SZ} an instance was taken out of service in response to an instance refresh.",
                    "StartTime": iso(lt - timedelta(seconds=10)),
                    "EndTime": iso(lt + timedelta(minutes=3, seconds=rng.randint(0, 50))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": subnets[i], "Availability Zone": azs[i]}),
                    "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{uid(rng)}:autoScalingGroupName/{asg}",
                },
            }
        )

    # --- CloudTrail --------------------------------------------------------------------------------
    office = f"72.{rng.randint(20, 90)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    people = ["marcus.oyelaran", "jenna.whitfield", "raj.subramanian", "lena.vogt", "diego.ferreira"]
    rng.shuffle(people)
    dom = "@tallyfield.com"
    neteng = sso_actor(ctx, "NetworkAdmin", people[0] + dom, office, console=True)
    oncall = sso_actor(ctx, "PowerUserAccess", people[1] + dom, office, console=True)
    dev = sso_actor(
        ctx,
        "DeveloperReadOnly",
        people[2] + dom,
        f"98.{rng.randint(1, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        console=True,
    )
    ci = role_actor(
        ctx,
        "gitlab-ci-deployer",
        "gitlab-ci-" + str(rng.randint(10**6, 10**7)),
        f"34.{rng.randint(70, 90)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        "aws-cli/2.17.12 md/awscrt#0.20.11 ua/2.0 os/linux#5.15.0-1064-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#docker-image command/lambda.update-function-code",
    )
    ddog = role_actor(
        ctx,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        f"3.{rng.randint(200, 240)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        "Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)",
    )
    menu: list[tuple[Actor, str, str, Callable[[], Json | None]]] = [
        (ddog, "monitoring.amazonaws.com", "GetMetricData", lambda: None),
        (ddog, "ec2.amazonaws.com", "DescribeInstances", lambda: {"instancesSet": {}, "filterSet": {}}),
        (ddog, "lambda.amazonaws.com", "ListFunctions20150331", lambda: {"maxItems": 50}),
        (ddog, "elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", lambda: {"pageSize": 400}),
        (ddog, "sqs.amazonaws.com", "ListQueues", lambda: None),
        (
            dev,
            "logs.amazonaws.com",
            "FilterLogEvents",
            lambda: {
                "logGroupName": f"/aws/lambda/{rng.choice(list(fns))}",
                "startTime": ms(now) - 3_600_000,
            },
        ),
        (
            dev,
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            lambda: {"functionName": rng.choice(list(fns))},
        ),
    ]
    ct = routine_reads(ctx, start, now, 32, menu)
    for t in scatter(rng, start, now, 8):
        fn = rng.choice(list(fns))
        ct.append(
            assume_role_by_service(
                ctx, t, "lambda.amazonaws.com", f"arn:aws:iam::{account}:role/{fn}-lambda", fn
            )
        )
    ct.append(
        trail(
            ctx,
            sms_deploy,
            ci,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": "notify-sms-send",
                "s3Bucket": f"tallyfield-artifacts-{region}",
                "s3Key": f"notify-sms-send/{hexs(rng, 40)}.zip",
                "publish": False,
                "dryRun": False,
            },
            {
                "functionName": "notify-sms-send",
                "functionArn": f"arn:aws:lambda:{region}:{account}:function:notify-sms-send",
                "runtime": "nodejs20.x",
                "codeSha256": shas["notify-sms-send"],
                "version": "$LATEST",
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
        )
    )
    sg_at = onset - timedelta(minutes=rng.randint(9, 17))
    ct.append(
        trail(
            ctx,
            sg_at,
            neteng,
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            {
                "groupId": sg_proxy,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 3128,
                            "toPort": 3128,
                            "groups": {},
                            "ipRanges": {
                                "items": [{"cidrIp": "10.24.0.0/20", "description": "data vpc peering"}]
                            },
                            "ipv6Ranges": {},
                            "prefixListIds": {},
                        }
                    ]
                },
            },
            {
                "requestId": uid(rng),
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": account,
                            "groupId": sg_proxy,
                            "securityGroupRuleId": "sgr-0" + hexs(rng, 16),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 3128,
                            "toPort": 3128,
                            "cidrIpv4": "10.24.0.0/20",
                            "description": "data vpc peering",
                        }
                    ]
                },
            },
        )
    )
    ct.append(
        trail(
            ctx,
            sg_at - timedelta(minutes=3),
            neteng,
            "ec2.amazonaws.com",
            "CreateVpcPeeringConnection",
            {"vpcId": vpc, "peerVpcId": ec2id(rng, "vpc"), "peerOwnerId": account, "peerRegion": region},
            {
                "requestId": uid(rng),
                "vpcPeeringConnection": {
                    "vpcPeeringConnectionId": "pcx-0" + hexs(rng, 16),
                    "status": {"code": "initiating-request", "message": f"Initiating Request to {account}"},
                },
            },
        )
    )
    ct.append(
        trail(
            ctx,
            start + timedelta(hours=1, minutes=rng.randint(0, 50)),
            ci,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": "invoice-mailer",
                "s3Bucket": f"tallyfield-artifacts-{region}",
                "s3Key": f"invoice-mailer/{hexs(rng, 40)}.zip",
                "publish": False,
                "dryRun": False,
            },
            {
                "functionName": "invoice-mailer",
                "functionArn": f"arn:aws:lambda:{region}:{account}:function:invoice-mailer",
                "runtime": "nodejs20.x",
                "codeSha256": shas["invoice-mailer"],
                "version": "$LATEST",
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
        )
    )
    ct.append(
        trail(
            ctx,
            onset + timedelta(minutes=rng.randint(12, 25)),
            oncall,
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            {"functionName": "notify-sms-send"},
            None,
            read_only=True,
        )
    )
    ct.append(
        trail(
            ctx,
            onset + timedelta(minutes=rng.randint(14, 30)),
            oncall,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {
                "queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/notify-sms-prod-dlq",
                "attributeNames": ["All"],
            },
            None,
            read_only=True,
        )
    )
    ct.sort(key=lambda r: r["eventTime"])

    # --- logs --------------------------------------------------------------------------------------
    logs: list[Json] = []
    log_from = onset - timedelta(hours=2)
    upstream = {
        "api.twilio.com": "3.122.",
        "api.ledgerlink.io": "104.18.",
        "openexchangerates.org": "172.67.",
    }
    ip_tail = {h: f"{p}{rng.randint(1, 254)}.{rng.randint(1, 254)}" for h, p in upstream.items()}
    client_ips = [f"10.20.{rng.choice([97, 113, 129])}.{rng.randint(5, 250)}" for _ in range(12)]
    for t in steps(log_from, now, 1):
        lf = load(t)
        for i, inst in enumerate(instances):
            if i == bad and t >= onset:
                continue
            for _ in range(max(1, int(lf * 3))):
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                host = rng.choice(list(upstream))
                dur = rng.randint(120, 900) if host != "api.ledgerlink.io" else rng.randint(1500, 4200)
                line = f"{ts.timestamp():.3f} {dur:6d} {rng.choice(client_ips)} TCP_TUNNEL/200 {rng.randint(3000, 48000)} CONNECT {host}:443 - HIER_DIRECT/{ip_tail[host]} -"
                logs.append(
                    {
                        "log_group": "/egress/squid/access",
                        "log_stream": inst,
                        "timestamp": ms(ts),
                        "message": line,
                    }
                )
        if rng.random() < 0.03:
            i = rng.choice([x for x in range(3) if x != bad or t < onset])
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            logs.append(
                {
                    "log_group": "/egress/squid/cache",
                    "log_stream": instances[i],
                    "timestamp": ms(ts),
                    "message": f"{ts:%Y/%m/%d %H:%M:%S} kid1| WARNING: DNS lookup for 'status.ledgerlink.io' failed: SERVFAIL"
                    if rng.random() < 0.5
                    else f"{ts:%Y/%m/%d %H:%M:%S} kid1| local=10.20.{[1, 17, 33][i]}.{rng.randint(10, 250)}:3128 remote={rng.choice(client_ips)}:{rng.randint(32768, 60999)} FD {rng.randint(12, 90)} flags=1: read/write failure: (104) Connection reset by peer",
                }
            )
    # Lambda logs (a sample of invocations)
    for t in steps(log_from, now, 1):
        lf = load(t)
        for fn, (_rt, mem, _timeout, host) in fns.items():
            if fn == "fx-rates-refresh" and t.minute % 5:
                continue
            n = 1 if fn == "fx-rates-refresh" else max(1, int(lf * 2))
            stream = f"{t:%Y/%m/%d}/[$LATEST]{hexs(random.Random(fn + str(t.hour)), 32)}"
            for _ in range(n):
                ts = t + timedelta(seconds=rng.uniform(0, 50))
                rid = uid(rng)
                fail = host != "" and t >= onset and rng.random() < fail_share
                lines = [f"START RequestId: {rid} Version: $LATEST"]
                if fail:
                    dur_ms = {
                        "notify-sms-send": 10_041.0,
                        "bankfeed-sync-worker": 30_088.0,
                        "fx-rates-refresh": 10_027.0,
                    }[fn] + rng.uniform(0, 40)
                else:
                    dur_ms = {
                        "notify-sms-send": 420.0,
                        "bankfeed-sync-worker": 2800.0,
                        "fx-rates-refresh": 900.0,
                        "invoice-mailer": 600.0,
                    }[fn] * rng.uniform(0.6, 1.5)
                te = ts + timedelta(milliseconds=dur_ms)
                if fn == "notify-sms-send":
                    if fail:
                        lines.append(
                            f"{iso(te)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tERROR\tInvoke Error \t"
                            + json.dumps(
                                {
                                    "errorType": "AxiosError",
                                    "errorMessage": "timeout of 10000ms exceeded",
                                    "code": "ECONNABORTED",
                                    "name": "AxiosError",
                                    "stack": [
                                        "AxiosError: timeout of 10000ms exceeded",
                                        "    at RedirectableRequest.handleRequestTimeout (/var/task/node_modules/axios/dist/node/axios.cjs:3176:16)",
                                        "    at RedirectableRequest.emit (node:events:519:28)",
                                        "    at Timeout.<anonymous> (/var/task/node_modules/follow-redirects/index.js:221:12)",
                                        "    at listOnTimeout (node:internal/timers:581:17)",
                                        "    at process.processTimers (node:internal/timers:519:7)",
                                    ],
                                }
                            )
                        )
                    else:
                        lines.append(
                            f"{iso(te)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tINFO\t"
                            + json.dumps(
                                {
                                    "msg": "sms queued with provider",
                                    "template": rng.choice(["invoice_due", "payment_received", "login_code"]),
                                    "providerStatus": "queued",
                                    "sid": "SM" + hexs(rng, 32),
                                }
                            )
                        )
                elif fn == "bankfeed-sync-worker":
                    conn = "conn_" + alnum(rng, 14, LOWER)
                    if fail:
                        lines.append(
                            f"[ERROR]\t{iso(te)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tsync failed for {conn}: HTTPSConnectionPool(host='api.ledgerlink.io', port=443): Max retries exceeded with url: /v2/accounts/acc_{alnum(rng, 12, LOWER)}/transactions?since={(t - timedelta(days=1)):%Y-%m-%d} (Caused by ProxyError('Unable to connect to proxy', ReadTimeoutError(\"HTTPConnectionPool(host='{proxy_host}', port=3128): Read timed out. (read timeout=10)\")))"
                        )
                    else:
                        lines.append(
                            f"[INFO]\t{iso(te)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tsynced {conn}: {rng.randint(0, 40)} new transactions"
                        )
                elif fn == "fx-rates-refresh":
                    if fail:
                        lines.append(
                            f"[ERROR]\t{iso(te)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\trefresh failed: HTTPSConnectionPool(host='openexchangerates.org', port=443): Max retries exceeded with url: /api/latest.json?base=USD (Caused by ProxyError('Unable to connect to proxy', ReadTimeoutError(\"HTTPConnectionPool(host='{proxy_host}', port=3128): Read timed out. (read timeout=10)\")))"
                        )
                    else:
                        lines.append(
                            f"[INFO]\t{iso(te)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tfx rates updated: 168 currencies, base USD"
                        )
                else:
                    lines.append(
                        f"{iso(te)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tINFO\t"
                        + json.dumps(
                            {
                                "msg": "invoice email sent",
                                "sesMessageId": f"0100{hexs(rng, 12)}-{uid(rng)}-000000",
                            }
                        )
                    )
                    if rng.random() < 0.03:
                        lines.append(
                            f"{iso(te)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tWARN\t"
                            + json.dumps(
                                {"msg": "customer has no billing email, falling back to account owner"}
                            )
                        )
                lines.append(f"END RequestId: {rid}")
                lines.append(
                    f"REPORT RequestId: {rid}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {int(dur_ms) + 1} ms\tMemory Size: {mem} MB\tMax Memory Used: {rng.randint(70, mem // 2)} MB\t"
                )
                for k, line in enumerate(lines):
                    stamp = ts if k == 0 else te
                    logs.append(
                        {
                            "log_group": f"/aws/lambda/{fn}",
                            "log_stream": stream,
                            "timestamp": ms(stamp),
                            "message": line,
                        }
                    )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": instances[bad],
                    "category": "component_failure",
                    "failure_mode": "ebs-volume-stalled-io",
                },
                "also_accept": [volumes[bad], f"ip-{ips[bad].replace('.', '-')}.ec2.internal", ips[bad]],
                "actions": ["exclude", "restart"],
                "chain": [
                    f"root volume {volumes[bad]} of egress proxy {instances[bad]} ({azs[bad]}) stops completing I/O",
                    f"squid on {instances[bad]} hangs while the kernel still accepts connections, so {nlb_name} TCP health checks pass",
                    f"about a third of proxied connections through {nlb_name} land on it and time out",
                    "notify-sms-send, bankfeed-sync-worker and fx-rates-refresh fail about a third of their calls",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": res,
            "events": events,
        },
    )
