"""stallwise: intermittent errors across several EKS services at the evening peak; DNS is dropped at two nodes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zt import (
    UA_GRAFANA,
    Actor,
    AlarmSpec,
    Ctx,
    Json,
    aggregate,
    alarm_event,
    alb,
    daily,
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
    ramp,
    target_group,
    target_point,
    tcp_from_cidr,
    tcp_from_sg,
)

NAME = "stallwise-eks-intermittent-errors"
TITLE = "checkout-api 5xx alarm at the evening peak; catalog and merchant webhooks also flaky"
SUMMARY = (
    "At the evening peak CoreDNS's forwarded queries from its two nodes exceed the VPC resolver's 1024 packets/s "
    "per-interface allowance; drops show as intermittent name-resolution failures in many unrelated pods."
)

TZ = "Europe/Amsterdam"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "", "eu-west-1")
    rng = ctx.rng
    ids = ctx.ids
    ctx.account = str(rng.randrange(10**11, 10**12))
    acct, region = ctx.account, ctx.region
    zone = ZoneInfo(TZ)

    day = pick_day(rng)
    local_onset = datetime(
        day.year,
        day.month,
        day.day,
        rng.choice([18, 19, 19, 20]),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=zone,
    )
    onset = local_onset.astimezone(day.tzinfo)
    start = minute(onset) - timedelta(hours=rng.randint(7, 9), minutes=onset.minute)
    now = onset + timedelta(minutes=rng.randint(36, 50))
    fine_from = onset - timedelta(hours=2)
    peak_utc = onset.hour + onset.minute / 60 + rng.uniform(0.3, 1.0)
    full = onset + timedelta(minutes=rng.randint(12, 20))

    net = make_net(ctx, "stallwise-prod", rng.choice([64, 80, 96]))
    created = day - timedelta(days=rng.randint(300, 700))
    cluster = "stallwise-prod"
    cluster_arn = f"arn:aws:eks:{region}:{acct}:cluster/{cluster}"
    alb_sg = make_sg(
        ctx,
        net,
        "k8s-stallwiseingress",
        "[k8s] Managed SecurityGroup for LoadBalancer",
        [tcp_from_cidr(443, "0.0.0.0/0"), tcp_from_cidr(80, "0.0.0.0/0")],
    )
    cluster_sg = make_sg(
        ctx,
        net,
        f"eks-cluster-sg-{cluster}-{rng.randrange(10**9, 10**10)}",
        "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
        [tcp_from_sg(8080, alb_sg, "elbv2.k8s.aws/targetGroupBinding=shared")],
    )
    db_sg = make_sg(
        ctx, net, "stallwise-catalog-db", "catalog aurora", [tcp_from_sg(5432, cluster_sg, "eks nodes")]
    )
    ctx.res(
        "eks",
        "Cluster",
        {
            "name": cluster,
            "arn": cluster_arn,
            "createdAt": iso(created),
            "version": "1.30",
            "endpoint": f"https://{ids.hex(32).upper()}.gr7.{region}.eks.amazonaws.com",
            "roleArn": f"arn:aws:iam::{acct}:role/stallwise-eks-cluster",
            "resourcesVpcConfig": {
                "subnetIds": net.private + net.public,
                "securityGroupIds": [],
                "clusterSecurityGroupId": cluster_sg,
                "vpcId": net.vpc_id,
                "endpointPublicAccess": True,
                "endpointPrivateAccess": True,
                "publicAccessCidrs": ["0.0.0.0/0"],
            },
            "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
            "logging": {
                "clusterLogging": [
                    {"types": ["api", "audit", "authenticator"], "enabled": True},
                    {"types": ["controllerManager", "scheduler"], "enabled": False},
                ]
            },
            "identity": {
                "oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{ids.hex(32).upper()}"}
            },
            "status": "ACTIVE",
            "platformVersion": "eks.16",
            "tags": {"team": "platform"},
            "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
            "upgradePolicy": {"supportType": "STANDARD"},
        },
    )
    node_role = f"arn:aws:iam::{acct}:role/stallwise-eks-node"
    asg_general = f"eks-general-{ids.hex(8)}-{ids.hex(4)}-{ids.hex(4)}-{ids.hex(4)}-{ids.hex(12)}"
    asg_batch = f"eks-batch-{ids.hex(8)}-{ids.hex(4)}-{ids.hex(4)}-{ids.hex(4)}-{ids.hex(12)}"
    batch_scale_at = onset - timedelta(minutes=rng.randint(15, 24))
    for ng, itype, size, asg, labels in (
        ("general", "m6i.2xlarge", (3, 12, 6), asg_general, {"workload": "general"}),
        ("batch", "c6i.2xlarge", (0, 8, 4), asg_batch, {"workload": "batch"}),
    ):
        ctx.res(
            "eks",
            "Nodegroup",
            {
                "nodegroupName": ng,
                "nodegroupArn": f"arn:aws:eks:{region}:{acct}:nodegroup/{cluster}/{ng}/{ids.uuid()}",
                "clusterName": cluster,
                "version": "1.30",
                "releaseVersion": "1.30.4-20240917",
                "createdAt": iso(created + timedelta(days=rng.randint(30, 200))),
                "modifiedAt": iso(
                    batch_scale_at if ng == "batch" else day - timedelta(days=rng.randint(10, 40))
                ),
                "status": "ACTIVE",
                "capacityType": "ON_DEMAND",
                "scalingConfig": {"minSize": size[0], "maxSize": size[1], "desiredSize": size[2]},
                "instanceTypes": [itype],
                "subnets": list(net.private),
                "amiType": "AL2023_x86_64_STANDARD",
                "nodeRole": node_role,
                "labels": labels,
                "resources": {"autoScalingGroups": [{"name": asg}]},
                "health": {"issues": []},
                "updateConfig": {"maxUnavailable": 1},
                "tags": {},
            },
        )
    addon_versions = {
        "coredns": "v1.11.1-eksbuild.9",
        "vpc-cni": "v1.18.3-eksbuild.3",
        "kube-proxy": "v1.30.3-eksbuild.5",
    }
    coredns_arn = f"arn:aws:eks:{region}:{acct}:addon/{cluster}/coredns/{ids.uuid()}"
    for name, ver in addon_versions.items():
        ctx.res(
            "eks",
            "Addon",
            {
                "addonName": name,
                "clusterName": cluster,
                "status": "ACTIVE",
                "addonVersion": ver,
                "health": {"issues": []},
                "addonArn": coredns_arn
                if name == "coredns"
                else f"arn:aws:eks:{region}:{acct}:addon/{cluster}/{name}/{ids.uuid()}",
                "createdAt": iso(created + timedelta(days=1)),
                "modifiedAt": iso(day - timedelta(days=rng.randint(40, 120))),
                "tags": {},
                **(
                    {
                        "configurationValues": '{"replicaCount":2,"resources":{"limits":{"memory":"170Mi"},"requests":{"cpu":"100m","memory":"70Mi"}}}'
                    }
                    if name == "coredns"
                    else {}
                ),
                **(
                    {"serviceAccountRoleArn": f"arn:aws:iam::{acct}:role/stallwise-vpc-cni-irsa"}
                    if name == "vpc-cni"
                    else {}
                ),
            },
        )

    # nodes
    nodes: list[Json] = []
    for k in range(10):
        group = "general" if k < 6 else "batch"
        i = k % 3
        octs = net.private_cidrs[i].split(".")
        ip = f"{octs[0]}.{octs[1]}.{int(octs[2]) + rng.randrange(0, 15)}.{rng.randrange(10, 250)}"
        launched = (
            (batch_scale_at + timedelta(seconds=rng.randint(20, 50)))
            if k >= 8
            else day - timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 23))
        )
        iid = ids.ec2("i")
        dns = f"ip-{ip.replace('.', '-')}.{region}.compute.internal"
        nodes.append(
            {"iid": iid, "ip": ip, "az": net.azs[i], "dns": dns, "group": group, "launched": launched}
        )
        ctx.res(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": "ami-0" + ids.hex(16),
                "State": {"Code": 16, "Name": "running"},
                "PrivateDnsName": dns,
                "PublicDnsName": "",
                "StateTransitionReason": "",
                "AmiLaunchIndex": 0,
                "ProductCodes": [],
                "InstanceType": "m6i.2xlarge" if group == "general" else "c6i.2xlarge",
                "LaunchTime": iso(launched),
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
                            "AttachTime": iso(launched),
                            "DeleteOnTermination": True,
                            "Status": "attached",
                            "VolumeId": ids.ec2("vol"),
                        },
                    }
                ],
                "EbsOptimized": True,
                "EnaSupport": True,
                "Hypervisor": "xen",
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{acct}:instance-profile/eks-{ids.hex(8)}-{ids.hex(4)}",
                    "Id": "AIPA" + ids.upper(17),
                },
                "NetworkInterfaces": [
                    {
                        "Attachment": {
                            "AttachTime": iso(launched),
                            "AttachmentId": ids.ec2("eni-attach"),
                            "DeleteOnTermination": True,
                            "DeviceIndex": 0,
                            "Status": "attached",
                            "NetworkCardIndex": 0,
                        },
                        "Description": "",
                        "Groups": [{"GroupId": cluster_sg, "GroupName": f"eks-cluster-sg-{cluster}"}],
                        "Ipv6Addresses": [],
                        "MacAddress": ":".join(ids.hex(2) for _ in range(6)),
                        "NetworkInterfaceId": ids.ec2("eni"),
                        "OwnerId": acct,
                        "PrivateDnsName": dns,
                        "PrivateIpAddress": ip,
                        "PrivateIpAddresses": [
                            {"Primary": True, "PrivateIpAddress": ip, "PrivateDnsName": dns}
                        ]
                        + [
                            {
                                "Primary": False,
                                "PrivateIpAddress": f"{octs[0]}.{octs[1]}.{int(octs[2]) + rng.randrange(0, 15)}.{rng.randrange(10, 250)}",
                            }
                            for _ in range(5)
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
                "SecurityGroups": [{"GroupId": cluster_sg, "GroupName": f"eks-cluster-sg-{cluster}"}],
                "SourceDestCheck": True,
                "Tags": [
                    {"Key": "Name", "Value": f"{cluster}-{group}"},
                    {"Key": "eks:cluster-name", "Value": cluster},
                    {"Key": "eks:nodegroup-name", "Value": group},
                    {"Key": f"kubernetes.io/cluster/{cluster}", "Value": "owned"},
                    {
                        "Key": "aws:autoscaling:groupName",
                        "Value": asg_general if group == "general" else asg_batch,
                    },
                ],
                "VirtualizationType": "hvm",
                "CpuOptions": {"CoreCount": 4, "ThreadsPerCore": 2},
                "MetadataOptions": {
                    "State": "applied",
                    "HttpTokens": "required",
                    "HttpPutResponseHopLimit": 2,
                    "HttpEndpoint": "enabled",
                    "HttpProtocolIpv6": "disabled",
                    "InstanceMetadataTags": "disabled",
                },
                "PlatformDetails": "Linux/UNIX",
                "UsageOperation": "RunInstances",
            },
        )
        instance_status(ctx, iid, net.azs[i])
    general = [n for n in nodes if n["group"] == "general"]
    dns_nodes = rng.sample(general, 2)
    if dns_nodes[0]["az"] == dns_nodes[1]["az"]:
        dns_nodes[1] = next(n for n in general if n["az"] != dns_nodes[0]["az"])
    coredns_pods = [
        f"coredns-{ids.hex(10)[:9]}-{ids.upper(5, 'bcdfghjklmnpqrstvwxz2456789')}" for _ in range(2)
    ]
    rs = coredns_pods[0].split("-")[1]
    coredns_pods = [f"coredns-{rs}-{p.split('-')[2]}" for p in coredns_pods]
    resolver = f"{net.cidr.split('.')[0]}.{net.cidr.split('.')[1]}.0.2"

    # ALB via the load balancer controller
    lb_arn, lb_dim = alb(
        ctx, net, f"k8s-stallwiseingress-{ids.hex(10)}", alb_sg, created + timedelta(days=20)
    )
    checkout_tg, checkout_dim = target_group(
        ctx, net, f"k8s-shop-checkout-{ids.hex(10)}", lb_arn, 8080, "/healthz", interval=10
    )
    catalog_tg, catalog_dim = target_group(
        ctx, net, f"k8s-shop-catalog-{ids.hex(10)}", lb_arn, 8080, "/actuator/health", interval=10
    )
    pods: dict[str, list[tuple[str, str, Json]]] = {}
    for app, count, tg in (
        ("checkout-api", 6, checkout_tg),
        ("catalog-api", 4, catalog_tg),
        ("webhook-dispatcher", 4, None),
    ):
        pods[app] = []
        rsid = ids.hex(10)[:10]
        for k in range(count):
            node = general[(k + (1 if app == "catalog-api" else 0)) % 6]
            octs = node["ip"].split(".")
            pip = f"{octs[0]}.{octs[1]}.{octs[2]}.{rng.randrange(10, 250)}"
            pname = f"{app}-{rsid}-{ids.upper(5, 'bcdfghjklmnpqrstvwxz2456789')}"
            pods[app].append((pname, pip, node))
            if tg:
                target_point(
                    ctx, tg, pip, 8080, node["az"], start - timedelta(hours=rng.randint(2, 30)), "healthy"
                )

    # SQS, DynamoDB, Aurora
    q_name = "merchant-webhooks"
    q_url = f"https://sqs.{region}.amazonaws.com/{acct}/{q_name}"
    ctx.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{region}:{acct}:{q_name}",
                "ApproximateNumberOfMessages": str(rng.randint(9000, 16000)),
                "ApproximateNumberOfMessagesNotVisible": str(rng.randint(300, 500)),
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int((created + timedelta(days=200)).timestamp())),
                "LastModifiedTimestamp": str(int((day - timedelta(days=9)).timestamp())),
                "VisibilityTimeout": "60",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": f"arn:aws:sqs:{region}:{acct}:{q_name}-dlq", "maxReceiveCount": 8}
                ),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "merchant-platform"},
        },
    )
    ctx.res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "TableName": "shop-carts",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created + timedelta(days=3)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randrange(2 * 10**9, 9 * 10**9),
            "ItemCount": rng.randrange(4 * 10**6, 2 * 10**7),
            "TableArn": f"arn:aws:dynamodb:{region}:{acct}:table/shop-carts",
            "TableId": ids.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created + timedelta(days=3)),
            },
            "DeletionProtectionEnabled": True,
        },
    )
    db_cluster = "stallwise-catalog"
    ctx.res(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": db_cluster,
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.6",
            "Status": "available",
            "Endpoint": f"{db_cluster}.cluster-{ids.upper(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}.{region}.rds.amazonaws.com",
            "ReaderEndpoint": f"{db_cluster}.cluster-ro-{ids.upper(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}.{region}.rds.amazonaws.com",
            "Port": 5432,
            "MultiAZ": True,
            "AvailabilityZones": list(net.azs),
            "DBClusterMembers": [
                {
                    "DBInstanceIdentifier": f"{db_cluster}-1",
                    "IsClusterWriter": True,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
                {
                    "DBInstanceIdentifier": f"{db_cluster}-2",
                    "IsClusterWriter": False,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
            ],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "StorageEncrypted": True,
            "DBClusterArn": f"arn:aws:rds:{region}:{acct}:cluster:{db_cluster}",
            "ClusterCreateTime": iso(created + timedelta(days=5)),
            "DeletionProtection": True,
            "MasterUsername": "catalog_admin",
        },
    )
    log_group(ctx, f"/aws/containerinsights/{cluster}/application", created + timedelta(days=40), 14)
    log_group(ctx, f"/aws/containerinsights/{cluster}/performance", created + timedelta(days=40), 7)
    log_group(ctx, f"/aws/eks/{cluster}/cluster", created, 30)

    # ---- metrics --------------------------------------------------------------------------------
    ck = {"LoadBalancer": lb_dim, "TargetGroup": checkout_dim}
    ca = {"LoadBalancer": lb_dim, "TargetGroup": catalog_dim}
    ck5: list[tuple[datetime, float]] = []
    ca_p99: list[tuple[datetime, float]] = []
    age_series: list[tuple[datetime, float]] = []
    ddb_thr: list[tuple[datetime, float]] = []
    aur_cpu: list[tuple[datetime, float]] = []
    base = rng.uniform(2200, 3200)
    counters = {n["iid"]: float(rng.choice([0, 0, 0, rng.randint(20, 400)])) for n in nodes}
    for n in dns_nodes:
        counters[n["iid"]] = float(rng.randint(150, 2400))  # a few drops at earlier peaks
    age = 4.0
    drop_share = 0.0
    for t, per in grid(start, now, fine_from):
        scale = per / 60
        shape = daily(t, peak_utc, low=0.2, width=3.5)
        severity = (
            ramp(t, onset, full) * min(1.0, max(0.0, (shape - 0.82) / 0.12 + 0.4)) if t >= onset else 0.0
        )
        drop_share = 0.045 * severity * rng.uniform(0.7, 1.3)
        # checkout: a request resolves a few external names (payments, fraud) and DynamoDB
        rpm = jitter(rng, base * shape, 0.04) * scale
        n5 = round(rpm * drop_share * rng.uniform(0.7, 0.9)) + rng.choice([0, 0, 0, 1, 2])
        n4 = round(rpm * rng.uniform(0.01, 0.02))
        n2 = max(0, round(rpm) - n4 - n5)
        ctx.put("AWS/ApplicationELB", "RequestCount", ck, t, n2 + n4 + n5, "Count")
        ctx.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", ck, t, n2, "Count")
        if n4:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", ck, t, n4, "Count")
        if n5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ck, t, n5, "Count")
            ck5.append((t, n5))
        v, c = latency_dist(rng, n2 + n4 + n5, 0.11, 0.45, tail=drop_share * 2.2, tail_value=5.1)
        ctx.put_dist("AWS/ApplicationELB", "TargetResponseTime", ck, t, v, c)
        ctx.put_stats(
            "AWS/ApplicationELB", "HealthyHostCount", ck, t, 6 * scale, 6 * 6 * scale, 6, 6, "Count"
        )
        crpm = jitter(rng, base * 2.3 * shape, 0.04) * scale
        c5 = round(crpm * drop_share * 0.35) + rng.choice([0, 0, 0, 1])
        ctx.put("AWS/ApplicationELB", "RequestCount", ca, t, round(crpm), "Count")
        ctx.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", ca, t, round(crpm) - c5, "Count")
        if c5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ca, t, c5, "Count")
        v, c = latency_dist(rng, round(crpm), 0.035, 0.5, tail=drop_share * 0.9, tail_value=5.04)
        ctx.put_dist("AWS/ApplicationELB", "TargetResponseTime", ca, t, v, c)
        ca_p99.append((t, percentile(v, c, 99)))
        ctx.put_stats(
            "AWS/ApplicationELB", "HealthyHostCount", ca, t, 6 * scale, 4 * 6 * scale, 4, 4, "Count"
        )
        ctx.put("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb_dim}, t, round(rpm + crpm), "Count")
        # nodes: Container Insights and the agent's ENA counters
        for n in nodes:
            is_dns = n in dns_nodes
            if n["group"] == "batch" and n["launched"] > t:
                continue
            d = {"ClusterName": cluster, "InstanceId": n["iid"], "NodeName": n["dns"]}
            cpu = jitter(rng, (14 + 38 * shape) if n["group"] == "general" else 62, 0.07)
            ctx.put("ContainerInsights", "node_cpu_utilization", d, t, min(cpu, 96), "Percent")
            ctx.put(
                "ContainerInsights",
                "node_memory_utilization",
                d,
                t,
                jitter(rng, 58 if n["group"] == "general" else 41, 0.02),
                "Percent",
            )
            ctx.put(
                "ContainerInsights",
                "node_network_total_bytes",
                d,
                t,
                jitter(rng, 5.2e6 * shape + 4e5, 0.08),
                "Bytes/Second",
            )
            if is_dns and t >= onset:
                counters[n["iid"]] += (
                    rng.uniform(0.8, 1.2)
                    * 60
                    * scale
                    * 900
                    * severity
                    * (1.15 if n is dns_nodes[0] else 0.85)
                )
            elif is_dns and shape > 0.97 and rng.random() < 0.01:
                counters[n["iid"]] += rng.randint(5, 60)
            edim = {"InstanceId": n["iid"], "driver": "ena", "interface": "eth0"}
            ctx.put(
                "CWAgent", "ethtool_linklocal_allowance_exceeded", edim, t, round(counters[n["iid"]]), "None"
            )
            ctx.put("CWAgent", "ethtool_pps_allowance_exceeded", edim, t, 0, "None")
        ctx.put(
            "ContainerInsights",
            "pod_cpu_utilization",
            {"ClusterName": cluster, "Namespace": "kube-system", "PodName": "coredns"},
            t,
            jitter(rng, 0.4 + 1.6 * shape, 0.08),
            "Percent",
        )
        ctx.put(
            "ContainerInsights",
            "pod_number_of_container_restarts",
            {"ClusterName": cluster, "Namespace": "kube-system", "PodName": "coredns"},
            t,
            0,
            "Count",
        )
        for app in ("checkout-api", "catalog-api", "webhook-dispatcher"):
            ctx.put(
                "ContainerInsights",
                "pod_cpu_utilization",
                {
                    "ClusterName": cluster,
                    "Namespace": "shop" if app != "webhook-dispatcher" else "merchant",
                    "PodName": app,
                },
                t,
                jitter(rng, 1.0 + 6 * shape, 0.07),
                "Percent",
            )
        ctx.put(
            "ContainerInsights",
            "service_number_of_running_pods",
            {"ClusterName": cluster, "Namespace": "kube-system", "Service": "kube-dns"},
            t,
            2,
            "Count",
        )
        # webhooks queue
        sent = jitter(rng, 1400 * shape + 120, 0.06) * scale
        age = max(3.0, age * 0.6 + rng.uniform(2, 8)) if severity < 0.2 else age + 60 * scale * severity * 0.8
        ctx.put("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": q_name}, t, round(age), "Seconds")
        ctx.put("AWS/SQS", "NumberOfMessagesSent", {"QueueName": q_name}, t, round(sent), "Count")
        ctx.put(
            "AWS/SQS",
            "NumberOfMessagesDeleted",
            {"QueueName": q_name},
            t,
            round(sent * (1 - 0.55 * severity)),
            "Count",
        )
        ctx.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": q_name},
            t,
            round(40 + age * sent / 60 / scale * 0.5),
            "Count",
        )
        age_series.append((t, age))
        # DynamoDB and Aurora: healthy
        ctx.put_stats(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": "shop-carts", "Operation": "GetItem"},
            t,
            rpm * 1.8,
            rpm * 1.8 * 3.1,
            1.4,
            jitter(rng, 22, 0.3),
            "Milliseconds",
        )
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": "shop-carts"},
            t,
            rpm * 1.8 * 0.5 * (1 - drop_share),
            "Count",
        )
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "shop-carts"},
            t,
            rpm * 0.6 * (1 - drop_share),
            "Count",
        )
        ddb_thr.append((t, 0.0))
        for inst, w in ((f"{db_cluster}-1", 1.0), (f"{db_cluster}-2", 0.8)):
            cpu = jitter(rng, 9 + 28 * shape * w, 0.05)
            ctx.put("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": inst}, t, cpu, "Percent")
            ctx.put(
                "AWS/RDS",
                "DatabaseConnections",
                {"DBInstanceIdentifier": inst},
                t,
                round(jitter(rng, 60 * w, 0.04)),
                "Count",
            )
            if inst.endswith("-1"):
                aur_cpu.append((t, cpu))

    # ---- alarms ---------------------------------------------------------------------------------
    pager = f"arn:aws:sns:{region}:{acct}:stallwise-pagerduty"
    ac = day - timedelta(days=rng.randint(40, 200))
    ck_spec = AlarmSpec(
        "checkout-api-5xx",
        "checkout-api target 5xx >= 30/min for 3 of 5 minutes",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ck,
        "Sum",
        60,
        5,
        3,
        30.0,
        "GreaterThanOrEqualToThreshold",
        actions=[pager],
    )
    _, last = evaluate_alarm(ctx, ck_spec, aggregate(ck5, 60), ac, now, eval_from=fine_from)
    for spec, series in (
        (
            AlarmSpec(
                "catalog-api-p99",
                "catalog-api p99 latency above 2s",
                "AWS/ApplicationELB",
                "TargetResponseTime",
                ca,
                "p99",
                60,
                5,
                5,
                2.0,
                "GreaterThanThreshold",
                actions=[pager],
            ),
            dict(ca_p99),
        ),
        (
            AlarmSpec(
                "merchant-webhooks-age",
                "oldest webhook waiting more than 10 minutes",
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                {"QueueName": q_name},
                "Maximum",
                300,
                1,
                1,
                600.0,
                "GreaterThanThreshold",
                actions=[pager],
            ),
            aggregate(age_series, 300, "Maximum"),
        ),
        (
            AlarmSpec(
                "stallwise-catalog-writer-cpu",
                "catalog writer CPU above 80%",
                "AWS/RDS",
                "CPUUtilization",
                {"DBInstanceIdentifier": f"{db_cluster}-1"},
                "Average",
                300,
                3,
                3,
                80.0,
                "GreaterThanThreshold",
                actions=[pager],
            ),
            aggregate(aur_cpu, 300, "Average"),
        ),
    ):
        evaluate_alarm(ctx, spec, series, ac + timedelta(days=rng.randint(0, 30)), now, eval_from=fine_from)
    assert last is not None

    # ---- logs (Fluent Bit, Container Insights) ----------------------------------------------------
    app_group = f"/aws/containerinsights/{cluster}/application"

    def fb(
        pod: str, ns: str, container: str, node: Json, image: str, t: datetime, line: str
    ) -> tuple[str, str]:
        docker_id = pod_ids.setdefault(pod, ids.hex(64))
        rec = {
            "time": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}" + "000Z",
            "stream": "stdout",
            "_p": "F",
            "log": line,
            "kubernetes": {
                "pod_name": pod,
                "namespace_name": ns,
                "pod_id": pod_uids.setdefault(pod, ids.uuid()),
                "host": node["dns"],
                "container_name": container,
                "docker_id": docker_id,
                "container_hash": image.split(":")[0]
                + "@sha256:"
                + img_digest.setdefault(image, ids.hex(64)),
                "container_image": image,
            },
        }
        stream = f"{node['dns']}-application.var.log.containers.{pod}_{ns}_{container}-{docker_id}.log"
        return stream, json.dumps(rec, separators=(",", ":"))

    pod_ids: dict[str, str] = {}
    pod_uids: dict[str, str] = {}
    img_digest: dict[str, str] = {}
    ecr = f"{acct}.dkr.ecr.{region}.amazonaws.com"
    images = {
        "checkout-api": f"{ecr}/shop/checkout-api:2025.{rng.randint(10, 52)}.{rng.randint(1, 9)}",
        "catalog-api": f"{ecr}/shop/catalog-api:{rng.randint(3, 5)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
        "webhook-dispatcher": f"{ecr}/merchant/webhook-dispatcher:1.{rng.randint(2, 9)}.{rng.randint(0, 9)}",
        "coredns": f"602401143452.dkr.ecr.{region}.amazonaws.com/eks/coredns:{addon_versions['coredns']}",
    }

    def emit(pod: str, ns: str, app: str, node: Json, t: datetime, line: str) -> None:
        stream, msg = fb(pod, ns, app, node, images[app], t, line)
        ctx.log(app_group, stream, t, msg)

    merchants = [
        f"{w}.{d}"
        for w in ("hooks", "api", "webhooks", "orders", "integrations")
        for d in (
            "shopmonkey.io",
            "kettleandco.com",
            "bramblegoods.nl",
            "urbanthreads.de",
            "thepotterybarn.eu",
            "lumencraft.co.uk",
            "noordzeefish.nl",
            "velvetbean.fr",
        )
    ]
    t = minute(start) + timedelta(seconds=rng.randint(0, 50))
    while t < now:
        sev = 0.0
        if t >= onset:
            sev = ramp(t, onset, full)
        step = timedelta(seconds=rng.randint(8, 30) if t >= fine_from else rng.randint(120, 360))
        if rng.random() < 0.1 + 0.7 * sev:
            # a resolution failure somewhere
            kind = rng.random()
            if kind < 0.32:
                pod, pip, node = rng.choice(pods["checkout-api"])
                host = rng.choice(
                    ["checkout-live.adyen.com", "api.riskified.com", "dynamodb.eu-west-1.amazonaws.com"]
                )
                emit(
                    pod,
                    "shop",
                    "checkout-api",
                    node,
                    t,
                    json.dumps(
                        {
                            "level": "error",
                            "time": iso_ms(t),
                            "service": "checkout-api",
                            "traceId": ids.hex(32),
                            "msg": "upstream call failed",
                            "err": {
                                "code": "EAI_AGAIN",
                                "errno": -3001,
                                "syscall": "getaddrinfo",
                                "hostname": host,
                                "message": f"getaddrinfo EAI_AGAIN {host}",
                            },
                            "route": "POST /v1/checkout/confirm",
                            "status": 502 if "amazonaws" not in host else 500,
                        },
                        separators=(",", ":"),
                    ),
                )
            elif kind < 0.47:
                pod, pip, node = rng.choice(pods["catalog-api"])
                emit(
                    pod,
                    "shop",
                    "catalog-api",
                    node,
                    t,
                    f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} ERROR 1 --- [nio-8080-exec-{rng.randint(1, 200)}] c.s.catalog.db.ReadReplicaRouter        : failed to open connection to reader: org.postgresql.util.PSQLException: The connection attempt failed.\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:354)\nCaused by: java.net.UnknownHostException: {db_cluster}.cluster-ro-{ids.hex(12)[:12]}.{region}.rds.amazonaws.com\n\tat java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:567)",
                )
            elif kind < 0.67:
                pod, pip, node = rng.choice(pods["webhook-dispatcher"])
                m = rng.choice(merchants)
                emit(
                    pod,
                    "merchant",
                    "webhook-dispatcher",
                    node,
                    t,
                    f'time={iso_ms(t)} level=WARN msg="delivery failed, will retry" merchant_host={m} attempt={rng.randint(1, 6)} err="Post \\"https://{m}/stallwise/events\\": dial tcp: lookup {m} on 172.20.0.10:53: read udp {pip}:{rng.randint(30000, 60000)}->172.20.0.10:53: i/o timeout"',
                )
            else:
                k = rng.randrange(2)
                node = dns_nodes[k]
                name = rng.choice(
                    [
                        *merchants,
                        "checkout-live.adyen.com",
                        "api.riskified.com",
                        "sqs.eu-west-1.amazonaws.com",
                        "dynamodb.eu-west-1.amazonaws.com",
                    ]
                )
                qtype = rng.choice(["A", "AAAA"])
                emit(
                    coredns_pods[k],
                    "kube-system",
                    "coredns",
                    node,
                    t,
                    f"[ERROR] plugin/errors: 2 {name}. {qtype}: read udp {node['ip'].rsplit('.', 1)[0]}.{rng.randint(10, 250)}:{rng.randint(30000, 60000)}->{resolver}:53: i/o timeout",
                )
        else:
            kind = rng.random()
            if kind < 0.45:
                pod, pip, node = rng.choice(pods["checkout-api"])
                emit(
                    pod,
                    "shop",
                    "checkout-api",
                    node,
                    t,
                    json.dumps(
                        {
                            "level": "info",
                            "time": iso_ms(t),
                            "service": "checkout-api",
                            "traceId": ids.hex(32),
                            "msg": "checkout confirmed",
                            "route": "POST /v1/checkout/confirm",
                            "status": 200,
                            "durationMs": rng.randint(180, 900),
                        },
                        separators=(",", ":"),
                    ),
                )
            elif kind < 0.6:
                pod, pip, node = rng.choice(pods["webhook-dispatcher"])
                m = rng.choice(merchants)
                emit(
                    pod,
                    "merchant",
                    "webhook-dispatcher",
                    node,
                    t,
                    f"time={iso_ms(t)} level=INFO msg=delivered merchant_host={m} status={rng.choice([200, 200, 200, 202, 204])} duration_ms={rng.randint(60, 900)}",
                )
            elif kind < 0.65:
                pod, pip, node = rng.choice(pods["webhook-dispatcher"])
                m = rng.choice(merchants)
                emit(
                    pod,
                    "merchant",
                    "webhook-dispatcher",
                    node,
                    t,
                    f'time={iso_ms(t)} level=WARN msg="merchant endpoint returned error, will retry" merchant_host={m} status={rng.choice([500, 503, 410, 404])} attempt={rng.randint(1, 3)}',
                )
            elif kind < 0.72:
                pod, pip, node = rng.choice(pods["catalog-api"])
                emit(
                    pod,
                    "shop",
                    "catalog-api",
                    node,
                    t,
                    f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d}  WARN 1 --- [nio-8080-exec-{rng.randint(1, 200)}] c.s.catalog.search.FacetService         : facet cache miss storm for category {rng.randint(100, 999)}, rebuilding",
                )
            else:
                pod, pip, node = rng.choice(pods["catalog-api"])
                emit(
                    pod,
                    "shop",
                    "catalog-api",
                    node,
                    t,
                    f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d}  INFO 1 --- [nio-8080-exec-{rng.randint(1, 200)}] c.s.catalog.api.ProductController        : GET /v2/products/{rng.randint(10000, 99999)} 200 {rng.randint(8, 60)}ms",
                )
        t += step
    # coredns startup lines long ago are gone; a reload line each day at its config check
    for k, node in enumerate(dns_nodes):
        tt = start + timedelta(minutes=rng.randint(20, 200))
        emit(coredns_pods[k], "kube-system", "coredns", node, tt, "[INFO] Reloading complete")

    # ---- CloudTrail -----------------------------------------------------------------------------
    ca_role = ctx.role(
        "stallwise-cluster-autoscaler",
        "1730" + str(rng.randrange(10**14, 10**15)),
        start,
        general[0]["ip"],
        "aws-sdk-go/1.55.5 (go1.22.5; linux; amd64) cluster-autoscaler/v1.30.2",
    )
    t = start + timedelta(minutes=rng.randint(1, 9))
    while t < now:
        ctx.ct(
            t,
            ca_role,
            "autoscaling.amazonaws.com",
            "DescribeAutoScalingGroups",
            {"autoScalingGroupNames": [asg_general, asg_batch], "maxRecords": 100},
            None,
            read_only=True,
        )
        t += timedelta(minutes=rng.randint(25, 55))
    lbc = ctx.role(
        "stallwise-aws-load-balancer-controller",
        "1730" + str(rng.randrange(10**14, 10**15)),
        start,
        general[1]["ip"],
        "elbv2.k8s.aws/v2.8.2 aws-sdk-go/1.54.2 (go1.22.5; linux; amd64)",
    )
    for _k in range(5):
        ctx.ct(
            start + timedelta(minutes=rng.randint(0, int((now - start).total_seconds() // 60))),
            lbc,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": rng.choice([checkout_tg, catalog_tg])},
            None,
            read_only=True,
        )
    # HPA scaled checkout-api up as the peak began: the controller registers new pod IPs
    for _k in range(2):
        tt = onset - timedelta(minutes=rng.randint(5, 28))
        node = rng.choice(general)
        octs = node["ip"].split(".")
        ctx.ct(
            tt,
            lbc,
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            {
                "targetGroupArn": checkout_tg,
                "targets": [
                    {
                        "id": f"{octs[0]}.{octs[1]}.{octs[2]}.{rng.randrange(10, 250)}",
                        "port": 8080,
                        "availabilityZone": node["az"],
                    }
                ],
            },
            None,
        )
    # batch node group scaled up for the nightly export (human)
    eng_user = rng.choice(["f.devries", "m.jansen", "e.bakker", "s.meijer"]) + "@stallwise.nl"
    eng = ctx.sso(eng_user, "PlatformAdmin", onset - timedelta(hours=1))
    ctx.ct(
        batch_scale_at,
        eng,
        "eks.amazonaws.com",
        "UpdateNodegroupConfig",
        {"name": cluster, "nodegroupName": "batch", "scalingConfig": {"desiredSize": 4}},
        {
            "update": {
                "id": ids.uuid(),
                "status": "InProgress",
                "type": "ConfigUpdate",
                "params": [{"type": "DesiredSize", "value": "4"}],
                "createdAt": batch_scale_at.timestamp(),
                "errors": [],
            }
        },
    )
    asg_slr = ctx.slr(
        "AWSServiceRoleForAmazonEKSNodegroup", "EKS", "eks-nodegroup.amazonaws.com", batch_scale_at
    )
    ctx.ct(
        batch_scale_at + timedelta(seconds=3),
        asg_slr,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        {"autoScalingGroupName": asg_batch, "desiredCapacity": 4},
        None,
    )
    asg_svc = ctx.slr(
        "AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com", batch_scale_at
    )
    ctx.ct(
        batch_scale_at + timedelta(seconds=18),
        asg_svc,
        "ec2.amazonaws.com",
        "RunInstances",
        {
            "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
            "instanceType": "c6i.2xlarge",
            "launchTemplate": {"launchTemplateId": "lt-0" + ids.hex(16), "version": "3"},
            "subnetId": net.private[0],
        },
        {
            "instancesSet": {
                "items": [
                    {"instanceId": n["iid"], "instanceType": "c6i.2xlarge", "privateIpAddress": n["ip"]}
                    for n in nodes[8:]
                ]
            },
            "ownerId": acct,
        },
    )
    node_actor = ctx.role(
        "stallwise-eks-node",
        nodes[8]["iid"],
        batch_scale_at,
        nodes[8]["ip"],
        "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.30.3 ecr-credential-provider",
    )
    ctx.ct(
        batch_scale_at + timedelta(minutes=2),
        node_actor,
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        {"registryIds": [acct]},
        None,
        read_only=True,
    )
    # a feature flag change for checkout (innocent)
    dev_user = rng.choice(["r.visser", "n.mulder", "j.smit"]) + "@stallwise.nl"
    dev = ctx.sso(dev_user, "Developer", onset - timedelta(minutes=50), console=True)
    ctx.ct(
        onset - timedelta(minutes=rng.randint(3, 9)),
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/shop/checkout/feature/express-pay-banner",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": rng.randint(4, 30), "tier": "Standard"},
    )
    ctx.ct(
        onset - timedelta(minutes=rng.randint(10, 14)),
        dev,
        "ssm.amazonaws.com",
        "GetParameter",
        {"name": "/shop/checkout/feature/express-pay-banner"},
        None,
        read_only=True,
    )
    # IRSA: pods getting credentials
    for app, role in (
        ("checkout-api", "shop-checkout-irsa"),
        ("webhook-dispatcher", "merchant-webhooks-irsa"),
    ):
        irsa_pod = pods[app][0]
        for _k in range(3):
            tt = start + timedelta(minutes=rng.randint(0, int((now - start).total_seconds() // 60)))
            sub = f"system:serviceaccount:{'shop' if app != 'webhook-dispatcher' else 'merchant'}:{app}"
            ctx.ct(
                tt,
                Actor(
                    {
                        "type": "WebIdentityUser",
                        "principalId": f"arn:aws:iam::{acct}:oidc-provider/oidc.eks.{region}.amazonaws.com/id/{ids.hex(32).upper()}:sts.amazonaws.com:{sub}",
                        "userName": sub,
                        "identityProvider": f"arn:aws:iam::{acct}:oidc-provider/oidc.eks.{region}.amazonaws.com/id/{ids.hex(32).upper()}",
                    },
                    irsa_pod[1],
                    "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.1.102-111.182.amzn2023.x86_64 lang/js md/nodejs#20.17.0 api/sts#3.637.0",
                ),
                "sts.amazonaws.com",
                "AssumeRoleWithWebIdentity",
                {
                    "roleArn": f"arn:aws:iam::{acct}:role/{role}",
                    "roleSessionName": f"{app}-{ids.hex(6)}",
                    "durationSeconds": 3600,
                },
                {
                    "subjectFromWebIdentityToken": sub,
                    "assumedRoleUser": {
                        "assumedRoleId": f"{ids.role_id()}:{app}",
                        "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{app}",
                    },
                    "provider": f"arn:aws:iam::{acct}:oidc-provider/oidc.eks.{region}.amazonaws.com/id/{ids.hex(32).upper()}",
                    "audience": "sts.amazonaws.com",
                },
                read_only=True,
            )
    graf = ctx.role("grafana-cloudwatch", "grafana", start, ids.ip(), UA_GRAFANA)
    t = start + timedelta(minutes=rng.randint(5, 30))
    while t < now:
        ctx.ct(
            t,
            graf,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": iso(t - timedelta(hours=3)), "endTime": iso(t), "maxDatapoints": 1440},
            None,
            read_only=True,
        )
        t += timedelta(minutes=rng.randint(35, 80))
    sre_user = rng.choice(["w.hendriks", "k.dekker", "t.vos"]) + "@stallwise.nl"
    sre = ctx.sso(sre_user, "SRE", onset)
    ctx.ct(
        onset + timedelta(minutes=rng.randint(8, 12)),
        sre,
        "eks.amazonaws.com",
        "DescribeCluster",
        {"name": cluster},
        None,
        read_only=True,
    )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(12, 16)),
        sre,
        "dynamodb.amazonaws.com",
        "DescribeTable",
        {"tableName": "shop-carts"},
        None,
        read_only=True,
    )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(16, 22)),
        sre,
        "rds.amazonaws.com",
        "DescribeDBClusters",
        {"dBClusterIdentifier": db_cluster},
        None,
        read_only=True,
    )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(22, 30)),
        sre,
        "eks.amazonaws.com",
        "DescribeAddon",
        {"clusterName": cluster, "addonName": "coredns"},
        None,
        read_only=True,
    )
    ctx.trail.sort(key=lambda r: r["eventTime"])
    ctx.trail[:] = [r for r in ctx.trail if r["eventTime"] <= iso(now)]

    hhmm = f"{local_onset.hour:02d}:{(local_onset.minute // 5) * 5:02d}"
    question = (
        f"checkout-api paged, but catalog is throwing errors too and merchant webhooks are backing up, all since about {hhmm}. "
        "Nothing was deployed tonight, pods aren't restarting, DynamoDB and Aurora dashboards look normal. What is going on?"
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
            "trigger": {"question": question, "alarm_event": alarm_event(ctx, ck_spec, last), "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": coredns_arn,
                    "category": "limit",
                    "failure_mode": "vpc-dns-linklocal-pps-limit",
                    "event_id": None,
                },
                "also_accept": [
                    "coredns",
                    f"{cluster}/coredns",
                    dns_nodes[0]["iid"],
                    dns_nodes[1]["iid"],
                    dns_nodes[0]["dns"],
                    dns_nodes[1]["dns"],
                ],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"CoreDNS (2 replicas, on {dns_nodes[0]['iid']} and {dns_nodes[1]['iid']}) forwards cache misses to the VPC resolver {resolver}",
                    "at the evening peak those nodes exceed the 1024 packets/s link-local allowance per interface (ethtool linklocal_allowance_exceeded climbing)",
                    "dropped DNS queries time out: getaddrinfo EAI_AGAIN / UnknownHostException / lookup i/o timeout in many pods",
                    "checkout-api 5xx alarm, catalog-api p99 alarm, merchant-webhooks queue age alarm",
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
