"""The data volume under one node of a self-managed Elasticsearch cluster stops completing I/O."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_l import (
    CONSOLE,
    TERRAFORM,
    AlarmSpec,
    Ids,
    Metrics,
    Rec,
    Trail,
    alarm_event,
    alarm_records,
    cli,
    day,
    diurnal,
    grid,
    iso,
    log,
    noise,
    sorted_logs,
    spread,
    tag_list,
)

NAME = "listings-search-ebs-stalled"
TITLE = "catalog-api returning 503s on listing search"
SUMMARY = "The gp3 data volume of one self-managed Elasticsearch node stalls (EBS impairment); searches touching its shards time out in catalog-api."

REGIONS = [("us-east-2", -5.0, "10.42"), ("eu-west-1", 0.0, "10.18"), ("us-west-2", -8.0, "10.64")]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    region, utc_off, net = rng.choice(REGIONS)
    account = ids.account()
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    local_hour = rng.uniform(10.2, 15.6)
    onset = day(rng, datetime(2024, 3, 4, tzinfo=UTC), 200) + timedelta(hours=local_hour - utc_off)
    onset = onset.replace(second=0, microsecond=0)
    start = onset - timedelta(hours=6)
    now = onset + timedelta(minutes=rng.randint(36, 52))
    fine_from = onset - timedelta(hours=3)

    vpc = ids.vpc()
    subnets = [ids.subnet() for _ in azs]
    sg_alb, sg_api, sg_es = ids.sg(), ids.sg(), ids.sg()
    ami_es, ami_api = ids.ami(), ids.ami()
    kms_key = f"arn:aws:kms:{region}:{account}:key/{ids.uuid()}"

    es_nodes: list[dict[str, Any]] = []
    for n in range(3):
        es_nodes.append(
            {
                "name": f"es-listings-{n + 1}",
                "id": ids.instance(),
                "az": n,
                "ip": f"{net}.{n * 16 + 1}.{rng.randint(10, 240)}",
                "root": ids.volume(),
                "data": ids.volume(),
                "eni": ids.eni(),
            }
        )
    api_nodes: list[dict[str, Any]] = []
    for n in range(3):
        api_nodes.append(
            {
                "id": ids.instance(),
                "az": n,
                "ip": f"{net}.{n * 16 + 3}.{rng.randint(10, 240)}",
                "root": ids.volume(),
                "eni": ids.eni(),
            }
        )
    bad = rng.randrange(3)
    bad_node = es_nodes[bad]
    bad_vol = bad_node["data"]

    lb_hex, tg_hex = ids.hex(16), ids.hex(16)
    lb_name = "catalog-api-prod"
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_dim = f"targetgroup/catalog-api-prod-8080/{tg_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    asg_name = "catalog-api-prod-asg"
    sns_page = f"arn:aws:sns:{region}:{account}:oncall-catalog-pager"
    sns_info = f"arn:aws:sns:{region}:{account}:catalog-alerts"

    # --- metrics ---------------------------------------------------------------------------------
    m = Metrics(rng, grid(start, now, lambda t: t >= fine_from))
    stall_frac = rng.uniform(
        0.27, 0.4
    )  # share of requests whose search fans out to the stalled node's shards

    def after(t: datetime, delay: float = 0.0) -> bool:
        return t >= onset + timedelta(minutes=delay)

    def traffic(t: datetime) -> float:
        return diurnal(t, utc_off, low=0.3)

    base_rpm = rng.uniform(2600, 4200)

    def req(t: datetime) -> float:
        return noise(rng, base_rpm * traffic(t), 0.05)

    def t5xx(t: datetime) -> float:
        if not after(t, 1):
            return noise(rng, 0.4, 1.0)
        ramp_in = min(1.0, (t - onset).total_seconds() / 240)
        return noise(rng, base_rpm * traffic(t) * 0.7 * stall_frac * ramp_in, 0.12)

    def t2xx(t: datetime) -> float:
        v = base_rpm * traffic(t) * 0.96
        if after(t, 1):
            v -= base_rpm * traffic(t) * 0.7 * stall_frac
        return noise(rng, v, 0.04)

    def rt(t: datetime) -> float:
        ok = rng.uniform(0.07, 0.1)
        if not after(t, 1):
            return ok
        return ok * (1 - 0.7 * stall_frac) + 5.0 * 0.7 * stall_frac * rng.uniform(0.92, 1.02)

    for dims in ({"LoadBalancer": lb_dim}, {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}):
        m.add("AWS/ApplicationELB", "RequestCount", dims, "Count", req, "sum")
        m.add("AWS/ApplicationELB", "TargetResponseTime", dims, "Seconds", rt)
        m.add("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, "Count", t2xx, "sum")
        m.add(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            dims,
            "Count",
            lambda t: noise(rng, base_rpm * traffic(t) * 0.035, 0.15),
            "sum",
        )
        m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, "Count", t5xx, "sum")
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Count",
        lambda t: 1.0 if rng.random() < 0.02 else 0.0,
        "sum",
    )
    m.add(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "Count",
        lambda t: 3.0,
    )
    m.add(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "Count",
        lambda t: 0.0,
    )

    for node in api_nodes:
        d = {"InstanceId": node["id"]}
        m.add(
            "AWS/EC2",
            "CPUUtilization",
            d,
            "Percent",
            lambda t: noise(rng, 14 + 38 * traffic(t) * (0.85 if after(t, 1) else 1.0), 0.07),
        )
        m.add("AWS/EC2", "NetworkIn", d, "Bytes", lambda t: noise(rng, 9.5e6 * traffic(t), 0.08), "sum", 0)
        m.add("AWS/EC2", "NetworkOut", d, "Bytes", lambda t: noise(rng, 3.1e7 * traffic(t), 0.08), "sum", 0)
        for check in ("StatusCheckFailed", "StatusCheckFailed_Instance", "StatusCheckFailed_System"):
            m.add("AWS/EC2", check, d, "Count", lambda t: 0.0)

    for node in es_nodes:
        is_bad = node is bad_node
        d = {"InstanceId": node["id"]}

        def es_cpu(t: datetime, is_bad: bool = is_bad) -> float:
            v = 18 + 30 * traffic(t)
            if after(t) and is_bad:
                v = rng.uniform(4, 9)
            elif after(t):
                v *= 1.12
            return noise(rng, v, 0.06)

        m.add("AWS/EC2", "CPUUtilization", d, "Percent", es_cpu)
        m.add(
            "AWS/EC2",
            "NetworkIn",
            d,
            "Bytes",
            lambda t, b=is_bad: noise(rng, 4.2e7 * traffic(t) * (0.2 if b and after(t) else 1), 0.08),
            "sum",
            0,
        )
        m.add(
            "AWS/EC2",
            "NetworkOut",
            d,
            "Bytes",
            lambda t, b=is_bad: noise(rng, 5.5e7 * traffic(t) * (0.08 if b and after(t) else 1), 0.08),
            "sum",
            0,
        )
        ebs_fail = (lambda t: 1.0 if after(t, 2) else 0.0) if is_bad else (lambda t: 0.0)
        m.add("AWS/EC2", "StatusCheckFailed", d, "Count", ebs_fail)
        m.add("AWS/EC2", "StatusCheckFailed_Instance", d, "Count", lambda t: 0.0)
        m.add("AWS/EC2", "StatusCheckFailed_System", d, "Count", lambda t: 0.0)
        m.add("AWS/EC2", "StatusCheckFailed_AttachedEBS", d, "Count", ebs_fail)

        v = {"VolumeId": node["data"]}
        stalled_q = rng.uniform(38, 52)

        def rops(t: datetime, b: bool = is_bad) -> float:
            if b and after(t):
                return float(rng.choice([0, 0, 0, 1, 2]))
            return noise(rng, 60 + 1900 * traffic(t), 0.1)

        def wops(t: datetime, b: bool = is_bad) -> float:
            if b and after(t):
                return float(rng.choice([0, 0, 1]))
            return noise(rng, 900 + 700 * traffic(t), 0.12)

        def qlen(t: datetime, b: bool = is_bad, q: float = stalled_q) -> float:
            if b and after(t):
                return q + min(14.0, (t - onset).total_seconds() / 180) + rng.uniform(-0.4, 0.4)
            return noise(rng, 0.35 + 0.9 * traffic(t), 0.2)

        def idle(t: datetime, b: bool = is_bad) -> float:
            if b and after(t):
                return 0.0
            return min(60.0, noise(rng, 44 - 22 * traffic(t), 0.08))

        def rtime(t: datetime, b: bool = is_bad) -> float | None:
            if b and after(t):
                return rng.uniform(20, 58) if rng.random() < 0.4 else 0.0
            return noise(rng, (60 + 1900 * traffic(t)) * 0.00058, 0.12)

        def wtime(t: datetime, b: bool = is_bad) -> float | None:
            if b and after(t):
                return rng.uniform(30, 59) if rng.random() < 0.3 else 0.0
            return noise(rng, (900 + 700 * traffic(t)) * 0.0011, 0.12)

        m.add("AWS/EBS", "VolumeReadOps", v, "Count", rops, "sum", 0)
        m.add("AWS/EBS", "VolumeWriteOps", v, "Count", wops, "sum", 0)
        m.add(
            "AWS/EBS",
            "VolumeReadBytes",
            v,
            "Bytes",
            lambda t, b=is_bad: 0.0 if b and after(t) else noise(rng, (60 + 1900 * traffic(t)) * 24000, 0.1),
            "sum",
            0,
        )
        m.add(
            "AWS/EBS",
            "VolumeWriteBytes",
            v,
            "Bytes",
            lambda t, b=is_bad: 0.0 if b and after(t) else noise(rng, (900 + 700 * traffic(t)) * 61000, 0.1),
            "sum",
            0,
        )
        m.add("AWS/EBS", "VolumeTotalReadTime", v, "Seconds", rtime, "sum")
        m.add("AWS/EBS", "VolumeTotalWriteTime", v, "Seconds", wtime, "sum")
        m.add("AWS/EBS", "VolumeIdleTime", v, "Seconds", idle, "sum")
        m.add("AWS/EBS", "VolumeQueueLength", v, "Count", qlen)
        m.add(
            "AWS/EBS",
            "VolumeStalledIOCheck",
            v,
            "None",
            (lambda t: 1.0 if after(t, 1) else 0.0) if is_bad else (lambda t: 0.0),
        )

    # --- alarms ----------------------------------------------------------------------------------
    lb_only = {"LoadBalancer": lb_dim}
    specs = [
        AlarmSpec(
            "catalog-api-prod-target-5xx",
            "catalog-api returning 5xx through the ALB. Runbook: https://wiki.tidewater.internal/oncall/catalog-api#5xx",
            [m.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb_only)],
            "Sum",
            60,
            3,
            3,
            100.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns_page],
            [sns_page],
        ),
        AlarmSpec(
            "catalog-api-prod-latency-avg",
            "Average target response time above 2.5s for 5 minutes",
            [m.get("AWS/ApplicationELB", "TargetResponseTime", lb_only)],
            "Average",
            60,
            5,
            5,
            2.5,
            "GreaterThanThreshold",
            "notBreaching",
            [sns_info],
        ),
        AlarmSpec(
            "catalog-api-prod-unhealthy-hosts",
            "Any catalog-api target unhealthy",
            [
                m.get(
                    "AWS/ApplicationELB",
                    "UnHealthyHostCount",
                    {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
                )
            ],
            "Maximum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns_info],
        ),
    ]
    for node in es_nodes:
        specs.append(
            AlarmSpec(
                f"{node['name']}-cpu-high",
                f"{node['name']} CPU above 85% for 15 minutes",
                [m.get("AWS/EC2", "CPUUtilization", {"InstanceId": node["id"]})],
                "Average",
                300,
                3,
                3,
                85.0,
                "GreaterThanThreshold",
                "missing",
                [sns_info],
            )
        )
    alarms: list[Rec] = []
    history: list[Rec] = []
    trigger_event: Rec | None = None
    for spec in specs:
        alarm, hist, trs = alarm_records(spec, account, region, start, now, rng)
        alarms.append(alarm)
        history.extend(hist)
        if spec.name == "catalog-api-prod-target-5xx":
            first = next(tr for tr in trs if tr.new == "ALARM")
            trigger_event = alarm_event(alarm, first, account, region, ids)

    # --- resources -------------------------------------------------------------------------------
    resources: list[Rec] = []
    launched_es = start - timedelta(days=rng.randint(60, 240), hours=rng.randint(0, 23))
    launched_api = start - timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 23))

    def instance(node: dict[str, Any], name: str, kind: str, ami: str, sg: str, launched: datetime) -> Rec:
        az_i = int(node["az"])
        ip = str(node["ip"])
        bdm = [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=2)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": str(node["root"]),
                },
            }
        ]
        if "data" in node:
            bdm.append(
                {
                    "DeviceName": "/dev/sdf",
                    "Ebs": {
                        "AttachTime": iso(launched + timedelta(seconds=3)),
                        "DeleteOnTermination": False,
                        "Status": "attached",
                        "VolumeId": str(node["data"]),
                    },
                }
            )
        tags = {"Name": name, "Service": "listings-search" if kind == "es" else "catalog-api", "Env": "prod"}
        if kind == "api":
            tags["aws:autoscaling:groupName"] = asg_name
        return {
            "InstanceId": str(node["id"]),
            "ImageId": ami,
            "InstanceType": "r6i.2xlarge" if kind == "es" else "c6i.xlarge",
            "LaunchTime": iso(launched),
            "Monitoring": {"State": "enabled"},
            "Placement": {"AvailabilityZone": azs[az_i], "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
            "PrivateIpAddress": ip,
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": subnets[az_i],
            "VpcId": vpc,
            "Architecture": "x86_64",
            "BlockDeviceMappings": bdm,
            "EbsOptimized": True,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{account}:instance-profile/{'listings-search-node' if kind == 'es' else 'catalog-api-prod'}",
                "Id": "AIPA" + ids.upper(17),
            },
            "NetworkInterfaces": [
                {
                    "Attachment": {
                        "AttachTime": iso(launched),
                        "AttachmentId": "eni-attach-0" + ids.hex(16),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "NetworkCardIndex": 0,
                    },
                    "Groups": [
                        {"GroupName": "listings-search" if kind == "es" else "catalog-api", "GroupId": sg}
                    ],
                    "MacAddress": ":".join(ids.hex(2) for _ in range(6)),
                    "NetworkInterfaceId": str(node["eni"]),
                    "OwnerId": account,
                    "PrivateIpAddress": ip,
                    "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": subnets[az_i],
                    "VpcId": vpc,
                    "InterfaceType": "interface",
                }
            ],
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SecurityGroups": [
                {"GroupName": "listings-search" if kind == "es" else "catalog-api", "GroupId": sg}
            ],
            "SourceDestCheck": True,
            "Tags": tag_list(tags),
            "VirtualizationType": "hvm",
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
            "PlatformDetails": "Linux/UNIX",
        }

    for node in es_nodes:
        resources.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": instance(node, str(node["name"]), "es", ami_es, sg_es, launched_es),
            }
        )
    for node in api_nodes:
        resources.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": instance(node, "catalog-api-prod", "api", ami_api, sg_api, launched_api),
            }
        )

    impaired_since = iso(onset + timedelta(minutes=2))
    for node in es_nodes + api_nodes:
        is_bad = node is bad_node
        status: Rec = {
            "AvailabilityZone": azs[int(node["az"])],
            "InstanceId": str(node["id"]),
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            "AttachedEbsStatus": {
                "Details": [{"Name": "reachability", "Status": "failed", "ImpairedSince": impaired_since}]
                if is_bad
                else [{"Name": "reachability", "Status": "passed"}],
                "Status": "impaired" if is_bad else "ok",
            },
        }
        resources.append({"service": "ec2", "type": "InstanceStatus", "item": status})

    def volume(vol: str, node: dict[str, Any], device: str, size: int, name: str, launched: datetime) -> Rec:
        data = device == "/dev/sdf"
        return {
            "Attachments": [
                {
                    "AttachTime": iso(launched),
                    "Device": device,
                    "InstanceId": str(node["id"]),
                    "State": "attached",
                    "VolumeId": vol,
                    "DeleteOnTermination": not data,
                }
            ],
            "AvailabilityZone": azs[int(node["az"])],
            "CreateTime": iso(launched - timedelta(seconds=4)),
            "Encrypted": True,
            "KmsKeyId": kms_key,
            "Size": size,
            "SnapshotId": "" if data else ids.snapshot(),
            "State": "in-use",
            "VolumeId": vol,
            "Iops": 6000 if data else 3000,
            "Tags": tag_list({"Name": name}),
            "VolumeType": "gp3",
            "MultiAttachEnabled": False,
            "Throughput": 250 if data else 125,
        }

    data_size = rng.choice([1000, 1200, 1500])
    for node in es_nodes:
        resources.append(
            {
                "service": "ec2",
                "type": "Volume",
                "item": volume(str(node["root"]), node, "/dev/xvda", 40, f"{node['name']}-root", launched_es),
            }
        )
        resources.append(
            {
                "service": "ec2",
                "type": "Volume",
                "item": volume(
                    str(node["data"]), node, "/dev/sdf", data_size, f"{node['name']}-data", launched_es
                ),
            }
        )
    for node in api_nodes:
        resources.append(
            {
                "service": "ec2",
                "type": "Volume",
                "item": volume(str(node["root"]), node, "/dev/xvda", 30, "catalog-api-prod", launched_api),
            }
        )

    event_id = "evol-" + ids.hex(17)
    for node in es_nodes:
        is_bad = node is bad_node
        vs: Rec = {
            "AvailabilityZone": azs[int(node["az"])],
            "VolumeId": str(node["data"]),
            "VolumeStatus": {
                "Details": [
                    {"Name": "io-enabled", "Status": "passed"},
                    {"Name": "io-performance", "Status": "stalled" if is_bad else "normal"},
                ],
                "Status": "impaired" if is_bad else "ok",
            },
            "Actions": [],
            "Events": [],
            "AttachmentStatuses": [
                {"IoPerformance": "stalled" if is_bad else "normal", "InstanceId": str(node["id"])}
            ],
        }
        if is_bad:
            vs["Events"] = [
                {
                    "Description": "Stalled",
                    "EventId": event_id,
                    "EventType": "performance-stalled",
                    "NotBefore": iso(onset + timedelta(minutes=1)),
                    "InstanceId": str(node["id"]),
                }
            ]
        resources.append({"service": "ec2", "type": "VolumeStatusItem", "item": vs})

    def sg(gid: str, name: str, desc: str, perms: list[Rec]) -> Rec:
        return {
            "Description": desc,
            "GroupName": name,
            "IpPermissions": perms,
            "OwnerId": account,
            "GroupId": gid,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "VpcId": vpc,
            "Tags": tag_list({"Name": name}),
        }

    def from_sg(port: int, to: int, src: str, desc: str) -> Rec:
        return {
            "FromPort": port,
            "ToPort": to,
            "IpProtocol": "tcp",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": src, "UserId": account, "Description": desc}],
        }

    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg(
                sg_alb,
                "catalog-api-alb",
                "catalog-api public ALB",
                [
                    {
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpProtocol": "tcp",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
            ),
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg(
                sg_api, "catalog-api", "catalog-api instances", [from_sg(8080, 8080, sg_alb, "from ALB")]
            ),
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg(
                sg_es,
                "listings-search",
                "Elasticsearch listings cluster",
                [from_sg(9200, 9200, sg_api, "catalog-api REST"), from_sg(9300, 9300, sg_es, "transport")],
            ),
        }
    )
    for i, sn in enumerate(subnets):
        resources.append(
            {
                "service": "ec2",
                "type": "Subnet",
                "item": {
                    "AvailabilityZone": azs[i],
                    "AvailableIpAddressCount": rng.randint(3900, 4050),
                    "CidrBlock": f"{net}.{i * 16}.0/20",
                    "DefaultForAz": False,
                    "MapPublicIpOnLaunch": False,
                    "State": "available",
                    "SubnetId": sn,
                    "VpcId": vpc,
                    "OwnerId": account,
                    "SubnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{sn}",
                    "Tags": tag_list({"Name": f"prod-private-{azs[i][-1]}"}),
                },
            }
        )
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"{lb_name}-{ids.digits(10)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z3AADJGX6KTTL2",
                "CreatedTime": iso(launched_es - timedelta(days=90)),
                "LoadBalancerName": lb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [{"ZoneName": azs[i], "SubnetId": subnets[i]} for i in range(3)],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "catalog-api-prod-8080",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/actuator/health/liveness",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        }
    )
    resources.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{ids.uuid()}:autoScalingGroupName/{asg_name}",
                "LaunchTemplate": {
                    "LaunchTemplateId": "lt-0" + ids.hex(16),
                    "LaunchTemplateName": "catalog-api-prod",
                    "Version": "$Latest",
                },
                "MinSize": 3,
                "MaxSize": 12,
                "DesiredCapacity": 3,
                "DefaultCooldown": 300,
                "AvailabilityZones": azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 180,
                "Instances": [
                    {
                        "InstanceId": str(n["id"]),
                        "InstanceType": "c6i.xlarge",
                        "AvailabilityZone": azs[int(n["az"])],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "ProtectedFromScaleIn": False,
                    }
                    for n in api_nodes
                ],
                "CreatedTime": iso(launched_es - timedelta(days=90)),
                "VPCZoneIdentifier": ",".join(subnets),
                "Tags": [],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        }
    )

    # --- events ----------------------------------------------------------------------------------
    events: list[Rec] = []
    for node in api_nodes:
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": str(node["id"]), "Port": 8080, "AvailabilityZone": azs[int(node["az"])]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(launched_api + timedelta(minutes=3)),
                },
            }
        )
    health_posted = onset + timedelta(minutes=rng.randint(17, 26))
    code = "AWS_EBS_DEGRADED_EBS_VOLUME_PERFORMANCE"
    event_arn = f"arn:aws:health:{region}::event/EBS/{code}/{code}_{ids.hex(8).upper()}_{ids.hex(8).upper()}"
    events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": event_arn,
                    "service": "EBS",
                    "eventTypeCode": code,
                    "eventTypeCategory": "issue",
                    "region": region,
                    "availabilityZone": azs[int(bad_node["az"])],
                    "startTime": iso(onset),
                    "lastUpdatedTime": iso(health_posted),
                    "statusCode": "open",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": (
                    "We have detected degraded performance on one or more of your EBS volumes in the "
                    f"{azs[int(bad_node['az'])]} Availability Zone. I/O to the affected volume may be stalled or take "
                    "significantly longer than usual to complete, and applications on the instance the volume is "
                    "attached to may become unresponsive. We are working to restore performance. If you need to "
                    "recover immediately, you can create a new volume from your most recent snapshot and attach it "
                    "in place of the affected volume. The affected volume is listed in the 'Affected resources' tab."
                ),
                "affected_entities": [
                    {
                        "entityArn": f"arn:aws:health:{region}:{account}:entity/g1{ids.hex(30)}",
                        "eventArn": event_arn,
                        "entityValue": bad_vol,
                        "awsAccountId": account,
                        "lastUpdatedTime": iso(health_posted),
                        "statusCode": "IMPAIRED",
                    }
                ],
            },
        }
    )

    # --- CloudTrail ------------------------------------------------------------------------------
    trail = Trail(rng, ids, account, region)
    people = [
        trail.sso(
            p,
            ps,
            f"{rng.choice(['73.158', '98.207', '24.6'])}.{rng.randint(2, 250)}.{rng.randint(2, 250)}",
            ua,
        )
        for p, ps, ua in [
            ("maya.okafor@tidewater-outfitters.com", "PowerUserAccess", CONSOLE),
            ("dmitri.ilyin@tidewater-outfitters.com", "SRE-Admin", cli("ec2.describe-instances", rng)),
            ("priya.natarajan@tidewater-outfitters.com", "ReadOnly", CONSOLE),
        ]
    ]
    gha = trail.role(
        "gha-deploy-catalog",
        "GitHubActions",
        f"4.{rng.randint(150, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        TERRAFORM.replace("{api}", "lambda"),
        "token.actions.githubusercontent.com",
    )
    nat_ip = (
        f"{rng.choice(['3.19', '18.202', '52.14', '34.247'])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    )
    es_role = [
        trail.role(
            "listings-search-node",
            str(n["id"]),
            nat_ip,
            "aws-sdk-java/1.12.524 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS java/17.0.11 vendor/Eclipse_Adoptium",
        )
        for n in es_nodes
    ]
    grafana = trail.role(
        "grafana-cloudwatch-read",
        "grafana",
        nat_ip,
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.1",
    )
    dlm = trail.role(
        "AWSDataLifecycleManagerDefaultRole", "dlm-session", "dlm.amazonaws.com", "dlm.amazonaws.com"
    )
    dlm.invoked_by = "dlm.amazonaws.com"

    for t in spread(rng, start, now, 9):
        trail.add(
            t,
            grafana,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {
                "metricDataQueries": [
                    {
                        "id": "a",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/ApplicationELB",
                                "metricName": "TargetResponseTime",
                                "dimensions": [{"name": "LoadBalancer", "value": lb_dim}],
                            },
                            "period": 60,
                            "stat": "p99",
                        },
                        "returnData": True,
                    }
                ],
                "startTime": iso(t - timedelta(hours=3)),
                "endTime": iso(t),
            },
        )
    for t in spread(rng, start, now, 6):
        who = rng.choice(es_role)
        trail.add(
            t,
            who,
            "ec2.amazonaws.com",
            "DescribeInstances",
            {
                "instancesSet": {},
                "filterSet": {
                    "items": [
                        {"name": "tag:Service", "valueSet": {"items": [{"value": "listings-search"}]}},
                        {"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}},
                    ]
                },
            },
        )
    for t in spread(rng, start, onset - timedelta(minutes=40), 6):
        who = rng.choice(people)
        reads: list[tuple[str, str, Rec]] = [
            ("DescribeInstances", "ec2.amazonaws.com", {"instancesSet": {}, "filterSet": {}}),
            ("DescribeAlarms", "monitoring.amazonaws.com", {"alarmNamePrefix": "catalog-api"}),
            ("DescribeTargetHealth", "elasticloadbalancing.amazonaws.com", {"targetGroupArn": tg_arn}),
            ("DescribeLogGroups", "logs.amazonaws.com", {"logGroupNamePrefix": "/catalog-api"}),
            (
                "DescribeAutoScalingGroups",
                "autoscaling.amazonaws.com",
                {"autoScalingGroupNames": [asg_name]},
            ),
        ]
        name, src, params = rng.choice(reads)
        trail.add(t, who, src, name, params)

    # a terraform plan in the morning: reads only
    plan_at = onset - timedelta(minutes=rng.randint(95, 150))
    for k, (src, name, params) in enumerate(
        [
            ("lambda.amazonaws.com", "GetFunction", {"functionName": "listing-thumbnailer"}),
            ("lambda.amazonaws.com", "ListVersionsByFunction", {"functionName": "listing-thumbnailer"}),
            ("iam.amazonaws.com", "GetRole", {"roleName": "listing-thumbnailer"}),
            (
                "logs.amazonaws.com",
                "DescribeLogGroups",
                {"logGroupNamePrefix": "/aws/lambda/listing-thumbnailer"},
            ),
            (
                "s3.amazonaws.com",
                "GetBucketNotification",
                {
                    "bucketName": "tidewater-listing-images",
                    "Host": "tidewater-listing-images.s3.amazonaws.com",
                    "notification": "",
                },
            ),
        ]
    ):
        trail.add(plan_at + timedelta(seconds=4 * k + rng.randint(0, 3)), gha, src, name, params)

    # innocent change 1: DLM's daily snapshots of the cluster's data volumes
    snap_at = onset - timedelta(minutes=rng.randint(18, 27), seconds=rng.randint(0, 59))
    policy_id = "policy-0" + ids.hex(16)
    for k, node in enumerate(es_nodes):
        snap = ids.snapshot()
        trail.add(
            snap_at + timedelta(seconds=k * rng.randint(1, 3)),
            dlm,
            "ec2.amazonaws.com",
            "CreateSnapshot",
            {
                "volumeId": str(node["data"]),
                "description": f"Created for policy: {policy_id} schedule: es-data-daily",
            },
            {
                "requestId": ids.uuid(),
                "snapshotId": snap,
                "volumeId": str(node["data"]),
                "status": "pending",
                "startTime": int((snap_at + timedelta(seconds=k * 2)).timestamp() * 1000),
                "progress": "",
                "ownerId": account,
                "volumeSize": data_size,
                "encrypted": True,
                "kmsKeyId": kms_key,
            },
            read_only=False,
        )
        trail.add(
            snap_at + timedelta(seconds=k * 2 + 1),
            dlm,
            "ec2.amazonaws.com",
            "CreateTags",
            {
                "resourcesSet": {"items": [{"resourceId": snap}]},
                "tagSet": {
                    "items": [
                        {"key": "dlm:managed", "value": "true"},
                        {"key": "aws:dlm:lifecycle-policy-id", "value": policy_id},
                        {"key": "Name", "value": f"{node['name']}-data"},
                    ]
                },
            },
            {"requestId": ids.uuid(), "_return": True},
            read_only=False,
        )

    # innocent change 2: a deploy of an unrelated function
    deploy_at = onset - timedelta(minutes=rng.randint(8, 15), seconds=rng.randint(0, 59))
    sha = ids.hex(40)
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:listing-thumbnailer"
    trail.add(
        deploy_at,
        gha,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "listing-thumbnailer",
            "s3Bucket": f"tidewater-artifacts-{region}",
            "s3Key": f"listing-thumbnailer/{sha[:12]}.zip",
            "publish": True,
            "dryRun": False,
        },
        {
            "functionName": "listing-thumbnailer",
            "functionArn": f"{fn_arn}:{rng.randint(40, 90)}",
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{account}:role/listing-thumbnailer",
            "handler": "index.handler",
            "codeSize": rng.randint(2_000_000, 9_000_000),
            "timeout": 30,
            "memorySize": 1024,
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": ids.upper(43) + "=",
            "version": str(rng.randint(40, 90)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
    )
    trail.add(
        deploy_at + timedelta(seconds=rng.randint(6, 14)),
        gha,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": "listing-thumbnailer", "name": "live", "functionVersion": str(rng.randint(40, 90))},
        {"aliasArn": f"{fn_arn}:live", "name": "live", "revisionId": ids.uuid()},
        read_only=False,
    )
    # innocent change 3: someone widens log retention for a noisy group
    trail.add(
        onset - timedelta(minutes=rng.randint(2, 6)),
        people[0],
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/aws/lambda/listing-thumbnailer", "retentionInDays": 30},
        None,
        read_only=False,
    )
    # on-call looking around after the page
    page_at = onset + timedelta(minutes=5)
    looks: list[tuple[str, str, Rec]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        (
            "ec2.amazonaws.com",
            "DescribeInstances",
            {"instancesSet": {"items": [{"instanceId": str(n["id"])} for n in api_nodes]}, "filterSet": {}},
        ),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {
                "logGroupName": "/catalog-api/prod",
                "filterPattern": "ERROR",
                "startTime": ms_of(onset - timedelta(minutes=30)),
            },
        ),
        (
            "cloudtrail.amazonaws.com",
            "LookupEvents",
            {
                "startTime": iso(onset - timedelta(hours=2)),
                "endTime": iso(page_at + timedelta(minutes=10)),
                "lookupAttributes": [{"attributeKey": "ReadOnly", "attributeValue": "false"}],
            },
        ),
    ]
    for k, (src, name, params) in enumerate(looks):
        when = page_at + timedelta(minutes=2 + k * rng.uniform(1.5, 3.5))
        if when < now:
            trail.add(when, people[1], src, name, params)
    for t in spread(rng, start, now, 5):
        trail.add(
            t,
            trail.aws_service("ec2.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            {
                "roleArn": f"arn:aws:iam::{account}:role/listings-search-node",
                "roleSessionName": rng.choice(es_nodes)["id"],
            },
            {
                "credentials": {
                    "accessKeyId": ids.access_key(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + ids.upper(40),
                    "expiration": (t + timedelta(hours=6)).strftime("%b %d, %Y, %I:%M:%S %p"),
                }
            },
        )

    # --- logs ------------------------------------------------------------------------------------
    logs: list[Rec] = []
    app_group = "/catalog-api/prod"
    queries = [
        "rain jacket",
        "hiking boots",
        "tent 2 person",
        "trail runners",
        "down vest",
        "headlamp",
        "dry bag",
        "kids fleece",
    ]
    for node in api_nodes:
        stream = f"{node['id']}/application.log"
        t = start + timedelta(seconds=rng.randint(0, 90))
        http = 180 + rng.randint(0, 60)
        while t < now:
            thread = f"nio-8080-exec-{rng.randint(1, 200)}"
            stamp = t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"
            if t >= onset + timedelta(seconds=40) and rng.random() < 0.85:
                http += 1
                logs.append(
                    log(
                        app_group,
                        stream,
                        t,
                        f"{stamp} ERROR 1 --- [{thread}] c.t.catalog.web.ApiExceptionHandler      : "
                        f'search backend unavailable, returning 503 (q="{rng.choice(queries)}")\n'
                        f"java.net.SocketTimeoutException: 5,000 milliseconds timeout on connection http-outgoing-{http} [ACTIVE]\n"
                        "\tat org.elasticsearch.client.RestClient.extractAndWrapCause(RestClient.java:917)\n"
                        "\tat org.elasticsearch.client.RestClient.performRequest(RestClient.java:300)\n"
                        "\tat org.elasticsearch.client.RestClient.performRequest(RestClient.java:288)\n"
                        "\tat org.elasticsearch.client.RestHighLevelClient.internalPerformRequest(RestHighLevelClient.java:2699)\n"
                        "\tat org.elasticsearch.client.RestHighLevelClient.performRequest(RestHighLevelClient.java:2171)\n"
                        "\tat org.elasticsearch.client.RestHighLevelClient.search(RestHighLevelClient.java:1137)\n"
                        "\tat com.tidewater.catalog.search.ListingSearchService.search(ListingSearchService.java:118)\n"
                        "\tat com.tidewater.catalog.web.SearchController.search(SearchController.java:54)\n"
                        "\t... 48 common frames omitted\n"
                        f"Caused by: java.net.SocketTimeoutException: 5,000 milliseconds timeout on connection http-outgoing-{http} [ACTIVE]\n"
                        "\tat org.apache.http.nio.protocol.HttpAsyncRequestExecutor.timeout(HttpAsyncRequestExecutor.java:387)\n"
                        "\tat org.apache.http.impl.nio.client.InternalIODispatch.onTimeout(InternalIODispatch.java:92)\n"
                        "\tat org.apache.http.impl.nio.reactor.BaseIOReactor.timeoutCheck(BaseIOReactor.java:263)\n"
                        "\t... 1 common frames omitted",
                    )
                )
                t += timedelta(seconds=rng.uniform(4, 14))
                continue
            r = rng.random()
            if r < 0.8:
                took = rng.randint(18, 95)
                msg = (
                    f"{stamp}  INFO 1 --- [{thread}] c.t.c.search.ListingSearchService        : "
                    f'search q="{rng.choice(queries)}" hits={rng.randint(0, 900)} took={took}ms shards=12/12'
                )
            elif r < 0.9:
                msg = (
                    f"{stamp}  WARN 1 --- [{thread}] c.t.catalog.pricing.PriceClient          : "
                    f"price cache miss ratio {rng.uniform(0.2, 0.27):.2f} above 0.20 over last 60s"
                )
            else:
                msg = (
                    f"{stamp}  WARN 1 --- [{thread}] .w.s.m.s.DefaultHandlerExceptionResolver : Resolved "
                    "[org.springframework.web.HttpMediaTypeNotSupportedException: Content-Type 'text/plain;charset=UTF-8' is not supported]"
                )
            logs.append(log(app_group, stream, t, msg))
            t += timedelta(seconds=rng.uniform(40, 110))

    es_group = "/ec2/elasticsearch/listings"
    node_ids = {str(n["name"]): ids.short(22) for n in es_nodes}
    master = es_nodes[(bad + 1) % 3]

    def es_line(t: datetime, level: str, logger: str, node: str, text: str) -> str:
        return f"[{t.strftime('%Y-%m-%dT%H:%M:%S,')}{t.microsecond // 1000:03d}][{level:<5}][{logger:<25}] [{node}] {text}"

    for node in es_nodes:
        stream = f"{node['name']}/listings.log"
        t = start + timedelta(seconds=rng.randint(0, 600))
        while t < now:
            r = rng.random()
            if r < 0.5:
                ms_gc = rng.randint(250, 480)
                text = f"[gc][{rng.randint(300000, 900000)}] overhead, spent [{ms_gc}ms] collecting in the last [1s]"
                logs.append(
                    log(
                        es_group,
                        stream,
                        t,
                        es_line(t, "INFO", "o.e.m.j.JvmGcMonitorService", str(node["name"]), text),
                    )
                )
            elif r < 0.8:
                text = f"[listings-v7/{ids.short(22)}] update_mapping [_doc]"
                logs.append(
                    log(
                        es_group,
                        stream,
                        t,
                        es_line(t, "INFO", "o.e.c.m.MetadataMappingService", str(node["name"]), text),
                    )
                )
            else:
                text = f"[{node['name']}] total [{data_size}gb], free [{rng.randint(520, 610)}gb], used [{rng.randint(38, 46)}%]"
                logs.append(
                    log(
                        es_group,
                        stream,
                        t,
                        es_line(t, "INFO", "o.e.e.NodeEnvironment", str(node["name"]), text),
                    )
                )
            t += timedelta(seconds=rng.uniform(300, 1500))
            if t >= onset:
                break
        # after the stall
        t = onset + timedelta(seconds=rng.randint(30, 80))
        tid = 0
        while t < now:
            tid += 1
            if node is master:
                text = (
                    f"failed to retrieve stats for node [{node_ids[str(bad_node['name'])]}]: "
                    f"[{bad_node['name']}][{bad_node['ip']}:9300][cluster:monitor/nodes/stats[n]] request_id "
                    f"[{rng.randint(10_000_000, 90_000_000)}] timed out after [15008ms]"
                )
                logs.append(
                    log(
                        es_group,
                        stream,
                        t,
                        es_line(t, "WARN", "o.e.c.InternalClusterInfoService", str(node["name"]), text),
                    )
                )
                t += timedelta(seconds=rng.uniform(28, 34))
            elif node is bad_node:
                took = int((t - onset).total_seconds() * 1000) + rng.randint(-3000, 3000)
                text = (
                    "health check of [/var/lib/elasticsearch/nodes/0] took "
                    f"[{took}ms] which is above the warn threshold of [5s]"
                )
                logs.append(
                    log(
                        es_group,
                        stream,
                        t,
                        es_line(t, "WARN", "o.e.m.f.FsHealthService", str(node["name"]), text),
                    )
                )
                t += timedelta(seconds=rng.uniform(240, 420))
            else:
                sent = rng.randint(61000, 90000)
                text = (
                    f"Received response for a request that has timed out, sent [{sent / 1000:.1f}s/{sent}ms] ago, "
                    f"timed out [{(sent - 15000) / 1000:.1f}s/{sent - 15000}ms] ago, action "
                    f"[indices:data/write/bulk[s][r]], node [{{{bad_node['name']}}}{{{node_ids[str(bad_node['name'])]}}}"
                    f"{{{bad_node['ip']}}}{{{bad_node['ip']}:9300}}{{dimr}}], id [{rng.randint(10_000_000, 90_000_000)}]"
                )
                logs.append(
                    log(
                        es_group,
                        stream,
                        t,
                        es_line(t, "WARN", "o.e.t.TransportService", str(node["name"]), text),
                    )
                )
                t += timedelta(seconds=rng.uniform(50, 140))

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": trigger_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad_vol,
                    "category": "component_failure",
                    "failure_mode": "ebs-volume-io-stalled",
                    "event_id": None,
                },
                "also_accept": [str(bad_node["id"]), str(bad_node["name"]), f"{bad_node['name']}-data"],
                "actions": ["exclude"],
                "chain": [
                    f"EBS volume {bad_vol} ({bad_node['name']}-data) stops completing I/O",
                    f"Elasticsearch node {bad_node['name']} ({bad_node['id']}) cannot serve its shards",
                    "catalog-api searches that touch those shards time out after 5s and return 503",
                    f"ALB {lb_name} HTTPCode_Target_5XX_Count rises and catalog-api-prod-target-5xx alarms",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": sorted_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )


def ms_of(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)
