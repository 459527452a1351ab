"""Marketplace search slow at the evening peak: the EKS node subnets have run out of IP addresses."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzb as kz
from evals.suites.fresh._kit_zzb import Kit, iso

NAME = "marketplace-search-slow-evening-peak-eks"
TITLE = (
    "Marketplace search slow and timing out at the evening peak; search-api not scaling past its usual size"
)
SUMMARY = (
    "The EKS worker subnets are out of free IP addresses: the VPC CNI cannot attach ENIs or assign pod IPs "
    "and the cluster autoscaler's new nodes fail to launch, so search-api stays at its daytime pod count "
    "through the evening surge."
)

TZ = {
    "eu-west-1": "Europe/London",
    "us-east-1": "America/Chicago",
    "eu-central-1": "Europe/Amsterdam",
    "us-west-2": "America/Denver",
}


def build(seed: int) -> Bundle:
    k = Kit(seed + 7100)
    r = k.rng
    tz = TZ[k.region]
    zone = ZoneInfo(tz)
    onset = (k.day.replace(tzinfo=zone) + timedelta(hours=18, minutes=r.randrange(0, 50))).astimezone(kz.UTC)
    start = onset - timedelta(hours=3, minutes=r.randrange(35, 55))
    now = onset + timedelta(minutes=r.randrange(44, 60))
    org = r.choice(["tradepost", "swapnest", "kerbside", "loftlist"])
    cluster = f"{org}-prod"
    net = kz.vpc(k, f"{org}-prod", r.randrange(64, 120))
    subnets = net["subnets"]
    # the node subnets are /24s created with the cluster; override the generated CIDRs and free counts
    free = [0, r.randrange(0, 3), 0]
    r.shuffle(free)
    for i, rec in enumerate(k.resources[1:4]):
        rec["item"]["CidrBlock"] = f"{net['base']}.{i + 1}.0/24"
        rec["item"]["AvailableIpAddressCount"] = free[i]
        rec["item"]["Tags"] = [
            {"Key": "Name", "Value": f"{org}-prod-private-{k.azs[i][-1]}"},
            {"Key": "kubernetes.io/role/internal-elb", "Value": "1"},
            {"Key": f"kubernetes.io/cluster/{cluster}", "Value": "shared"},
        ]
    sub_names = [f"{org}-prod-private-{az[-1]}" for az in k.azs]
    # public subnets for the ALB
    pub = []
    for i, az in enumerate(k.azs):
        sid = k.rid("subnet")
        pub.append(sid)
        k.res(
            "ec2",
            "Subnet",
            {
                "SubnetId": sid,
                "VpcId": net["vpc"],
                "AvailabilityZone": az,
                "CidrBlock": f"{net['base']}.{100 + i}.0/24",
                "AvailableIpAddressCount": r.randrange(230, 246),
                "State": "available",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": True,
                "OwnerId": k.account,
                "SubnetArn": k.arn("ec2", f"subnet/{sid}"),
                "Tags": [
                    {"Key": "Name", "Value": f"{org}-prod-public-{az[-1]}"},
                    {"Key": "kubernetes.io/role/elb", "Value": "1"},
                ],
            },
        )
    created = k.day - timedelta(days=r.randrange(500, 900))
    sg_cluster = k.rid("sg")
    sg_alb = k.rid("sg")
    for sg, nm, desc in [
        (
            sg_cluster,
            f"eks-cluster-sg-{cluster}-{r.randrange(10**9, 10**10)}",
            "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
        ),
        (sg_alb, f"k8s-search-searchap-{k.hx(10)}", "[k8s] Managed SecurityGroup for LoadBalancer"),
    ]:
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg,
                "GroupName": nm,
                "Description": desc,
                "VpcId": net["vpc"],
                "OwnerId": k.account,
                "IpPermissions": [
                    {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg_cluster, "UserId": k.account}]}
                ]
                if sg == sg_cluster
                else [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
    version = r.choice(["1.29", "1.30", "1.31"])
    k.res(
        "eks",
        "Cluster",
        {
            "name": cluster,
            "arn": k.arn("eks", f"cluster/{cluster}"),
            "createdAt": iso(created),
            "version": version,
            "endpoint": f"https://{k.hx(32).upper()}.gr7.{k.region}.eks.amazonaws.com",
            "roleArn": f"arn:aws:iam::{k.account}:role/{cluster}-cluster-role",
            "resourcesVpcConfig": {
                "subnetIds": subnets,
                "securityGroupIds": [],
                "clusterSecurityGroupId": sg_cluster,
                "vpcId": net["vpc"],
                "endpointPublicAccess": True,
                "endpointPrivateAccess": True,
                "publicAccessCidrs": ["0.0.0.0/0"],
            },
            "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
            "logging": {
                "clusterLogging": [
                    {
                        "types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                        "enabled": False,
                    }
                ]
            },
            "status": "ACTIVE",
            "platformVersion": f"eks.{r.randrange(8, 20)}",
            "tags": {"team": "platform"},
            "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
        },
    )
    web_n = r.randrange(8, 11)
    ng_web = "web-m5-xlarge"
    asg_web = f"eks-{ng_web}-{k.uid()}"
    ng_batch = "batch-r5-large"
    asg_batch = f"eks-{ng_batch}-{k.uid()}"
    node_role = f"arn:aws:iam::{k.account}:role/{cluster}-node-role"
    for ng, asg, itype, n, mx in (
        (ng_web, asg_web, "m5.xlarge", web_n, 24),
        (ng_batch, asg_batch, "r5.large", 3, 6),
    ):
        k.res(
            "eks",
            "Nodegroup",
            {
                "nodegroupName": ng,
                "nodegroupArn": k.arn("eks", f"nodegroup/{cluster}/{ng}/{k.uid()}"),
                "clusterName": cluster,
                "version": version,
                "releaseVersion": f"{version}.0-2025{r.randrange(1, 12):02d}{r.randrange(10, 28)}",
                "createdAt": iso(created + timedelta(days=r.randrange(1, 100))),
                "modifiedAt": iso(k.day - timedelta(days=r.randrange(3, 30))),
                "status": "ACTIVE",
                "capacityType": "ON_DEMAND",
                "scalingConfig": {"minSize": 3 if ng == ng_batch else 6, "maxSize": mx, "desiredSize": n},
                "instanceTypes": [itype],
                "subnets": subnets,
                "amiType": "AL2023_x86_64_STANDARD",
                "nodeRole": node_role,
                "labels": {"workload": ng.split("-")[0]},
                "resources": {"autoScalingGroups": [{"name": asg}]},
                "diskSize": 50,
                "health": {"issues": []},
                "updateConfig": {"maxUnavailable": 1},
                "tags": {
                    "k8s.io/cluster-autoscaler/enabled": "true",
                    f"k8s.io/cluster-autoscaler/{cluster}": "owned",
                },
            },
        )
    ami = "ami-" + k.hx(17)
    web_ids = []
    for i in range(web_n):
        iid = k.rid("i")
        web_ids.append(iid)
        az_i = i % 3
        kz.instance(
            k,
            iid,
            "m5.xlarge",
            k.azs[az_i],
            subnets[az_i],
            net["vpc"],
            f"{net['base']}.{az_i + 1}.{r.randrange(4, 250)}",
            k.day - timedelta(days=r.randrange(2, 20)),
            sgs=[(sg_cluster, "eks-cluster-sg")],
            profile=f"eks-{k.uid()[:8]}",
            image=ami,
            tags=[
                {"Key": "eks:nodegroup-name", "Value": ng_web},
                {"Key": "eks:cluster-name", "Value": cluster},
                {"Key": "aws:autoscaling:groupName", "Value": asg_web},
            ],
        )
    batch_ids = []
    for i in range(3):
        iid = k.rid("i")
        batch_ids.append(iid)
        kz.instance(
            k,
            iid,
            "r5.large",
            k.azs[i],
            subnets[i],
            net["vpc"],
            f"{net['base']}.{i + 1}.{r.randrange(4, 250)}",
            k.day - timedelta(days=r.randrange(2, 20)),
            sgs=[(sg_cluster, "eks-cluster-sg")],
            profile=f"eks-{k.uid()[:8]}",
            image=ami,
            tags=[
                {"Key": "eks:nodegroup-name", "Value": ng_batch},
                {"Key": "eks:cluster-name", "Value": cluster},
                {"Key": "aws:autoscaling:groupName", "Value": asg_batch},
            ],
        )
    desired_final = web_n + r.randrange(3, 6)
    lt = {
        "LaunchTemplateId": "lt-" + k.hx(17),
        "LaunchTemplateName": f"eks-{k.uid()}",
        "Version": str(r.randrange(2, 9)),
    }
    for asg, ids, itype, des, mx in (
        (asg_web, web_ids, "m5.xlarge", desired_final, 24),
        (asg_batch, batch_ids, "r5.large", 3, 6),
    ):
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg,
                "AutoScalingGroupARN": k.arn(
                    "autoscaling", f"autoScalingGroup:{k.uid()}:autoScalingGroupName/{asg}"
                ),
                "MixedInstancesPolicy": {
                    "LaunchTemplate": {
                        "LaunchTemplateSpecification": lt,
                        "Overrides": [{"InstanceType": itype}],
                    },
                    "InstancesDistribution": {
                        "OnDemandAllocationStrategy": "prioritized",
                        "OnDemandBaseCapacity": 0,
                        "OnDemandPercentageAboveBaseCapacity": 100,
                        "SpotAllocationStrategy": "lowest-price",
                    },
                },
                "MinSize": 3 if asg == asg_batch else 6,
                "MaxSize": mx,
                "DesiredCapacity": des,
                "DefaultCooldown": 300,
                "AvailabilityZones": k.azs,
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 15,
                "CreatedTime": iso(created),
                "VPCZoneIdentifier": ",".join(subnets),
                "CapacityRebalance": True,
                "TerminationPolicies": ["AllocationStrategy", "OldestLaunchTemplate", "OldestInstance"],
                "Instances": [
                    {
                        "InstanceId": x,
                        "InstanceType": itype,
                        "AvailabilityZone": k.azs[j % 3],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "ProtectedFromScaleIn": False,
                        "LaunchTemplate": lt,
                    }
                    for j, x in enumerate(ids)
                ],
                "EnabledMetrics": [
                    {"Metric": m_, "Granularity": "1Minute"}
                    for m_ in ("GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances")
                ],
                "Tags": [
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "eks:cluster-name",
                        "Value": cluster,
                        "PropagateAtLaunch": True,
                    }
                ],
                "ServiceLinkedRoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        )
    alb_name = f"k8s-search-searchap-{k.hx(10)}"
    alb_arn = k.arn("elasticloadbalancing", f"loadbalancer/app/{alb_name}/{k.hx(16)}")
    tg_name = f"k8s-search-searchap-{k.hx(10)}"
    tg_arn = k.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{k.hx(16)}")
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{r.randrange(10**8, 10**9)}.{k.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(created + timedelta(days=40)),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": net["vpc"],
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": s} for az, s in zip(k.azs, pub, strict=False)],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": net["vpc"],
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 10,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/ready",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    for svc in ("secretsmanager", "ecr.api", "ecr.dkr", "sts"):
        vid = k.rid("vpce")
        k.res(
            "ec2",
            "VpcEndpoint",
            {
                "VpcEndpointId": vid,
                "VpcEndpointType": "Interface",
                "VpcId": net["vpc"],
                "ServiceName": f"com.amazonaws.{k.region}.{svc}",
                "State": "available",
                "RouteTableIds": [],
                "SubnetIds": subnets,
                "Groups": [{"GroupId": sg_cluster, "GroupName": "eks-cluster-sg"}],
                "PrivateDnsEnabled": True,
                "RequesterManaged": False,
                "NetworkInterfaceIds": [k.rid("eni") for _ in subnets],
                "DnsEntries": [],
                "CreationTimestamp": iso(created + timedelta(days=r.randrange(10, 300))),
                "OwnerId": k.account,
            },
        )

    # ---- timeline -----------------------------------------------------------------------------------
    pods0 = web_n * 3 - r.randrange(0, 3)  # search-api pods before the surge
    pods_max = pods0 + r.randrange(1, 3)
    t_ca1 = onset + timedelta(minutes=r.randrange(3, 6))
    t_ca2 = t_ca1 + timedelta(minutes=r.randrange(10, 16))
    mid = web_n + (desired_final - web_n) // 2 + 1

    def load(t):
        base = 1.0 + 0.25 * max(0.0, (t - start).total_seconds() / (onset - start).total_seconds())
        if t >= onset:
            base *= 1 + min(1.0, (t - onset).total_seconds() / 900) * r.uniform(0.75, 0.8)
        return base

    def pods(t):
        if t < onset + timedelta(minutes=2):
            return pods0
        return pods_max

    def latency(t):
        u = load(t) / (pods(t) / pods0 * 2.0)
        if u < 0.9:
            return 0.09 + 0.05 * u / (1 - u)
        return min(4.5, 0.54 + (u - 0.9) * 5)

    rps0 = r.uniform(900, 1500)
    lbd = {"LoadBalancer": alb_arn.split("loadbalancer/")[1]}
    tgd = {"TargetGroup": tg_arn.split(":")[-1], "LoadBalancer": lbd["LoadBalancer"]}
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        lbd,
        start,
        now,
        lambda t: k.noise(rps0 * load(t), 0.05),
        unit="Count",
    )
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbd,
        start,
        now,
        lambda t: k.noise(latency(t), 0.07),
        unit="Seconds",
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        start,
        now,
        lambda t: (
            k.noise(rps0 * 0.02 * max(0, latency(t) - 0.9), 0.3)
            if latency(t) > 0.9
            else (r.randrange(1, 4) if r.random() < 0.05 else None)
        ),
        unit="Count",
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        start,
        now,
        lambda t: r.randrange(1, 6) if r.random() < 0.3 else None,
        unit="Count",
    )
    k.series("AWS/ApplicationELB", "HealthyHostCount", tgd, start, now, pods, unit="Count")
    k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, start, now, lambda t: 0, unit="Count")
    ci = "ContainerInsights"
    k.series(
        ci, "cluster_node_count", {"ClusterName": cluster}, start, now, lambda t: web_n + 3, unit="Count"
    )
    k.series(ci, "cluster_failed_node_count", {"ClusterName": cluster}, start, now, lambda t: 0, unit="Count")
    k.series(
        ci,
        "node_cpu_utilization",
        {"ClusterName": cluster},
        start,
        now,
        lambda t: k.noise(24 * min(load(t), 1.45), 0.05),
        unit="Percent",
    )
    k.series(
        ci,
        "service_number_of_running_pods",
        {"ClusterName": cluster, "Namespace": "search", "Service": "search-api"},
        start,
        now,
        pods,
        unit="Count",
    )
    k.series(
        ci,
        "pod_cpu_utilization",
        {"ClusterName": cluster, "Namespace": "search", "Service": "search-api"},
        start,
        now,
        lambda t: min(97.0, k.noise(48 * load(t) * pods0 / pods(t), 0.04)),
        unit="Percent",
    )
    k.series(
        ci,
        "service_number_of_running_pods",
        {"ClusterName": cluster, "Namespace": "listings", "Service": "listing-api"},
        start,
        now,
        lambda t: 6,
        unit="Count",
    )
    k.series(
        ci,
        "namespace_number_of_running_pods",
        {"ClusterName": cluster, "Namespace": "search"},
        start,
        now,
        lambda t: pods(t) + 2,
        unit="Count",
    )

    def desired(t):
        return desired_final if t >= t_ca2 else (mid if t >= t_ca1 else web_n)

    asgd = {"AutoScalingGroupName": asg_web}
    k.series("AWS/AutoScaling", "GroupDesiredCapacity", asgd, start, now, desired, unit="None")
    k.series("AWS/AutoScaling", "GroupInServiceInstances", asgd, start, now, lambda t: web_n, unit="None")
    k.series("AWS/AutoScaling", "GroupPendingInstances", asgd, start, now, lambda t: 0, unit="None")
    k.series(
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        start,
        now,
        lambda t: k.noise(22 * min(load(t), 1.5), 0.06),
        unit="Percent",
        period=300,
    )

    # ---- autoscaling activities (the ASG keeps retrying with backoff) -----------------------------------
    for i in range(2):
        t0 = start + timedelta(minutes=r.randrange(5, 120)) - timedelta(days=1)
        k.event(
            "autoscaling",
            {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": asg_batch,
                "Description": f"Terminating EC2 instance: {k.rid('i')}",
                "Cause": f"At {iso(t0)} a user request update of AutoScalingGroup constraints to min: 3, max: 6, desired: 3 changing the desired capacity from 4 to 3.  At {iso(t0 + timedelta(seconds=5))} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 4 to 3.",
                "StartTime": iso(t0),
                "EndTime": iso(t0 + timedelta(minutes=2)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": '{"Subnet ID":"' + subnets[i] + '","Availability Zone":"' + k.azs[i] + '"}',
            },
        )
    t = t_ca1 + timedelta(seconds=8)
    backoff = 10
    cap_from = web_n
    while t < now:
        target = desired(t)
        j = r.randrange(0, 3)
        msg = (
            f"There are not enough free addresses in subnet '{subnets[j]}' to satisfy the requested number of instances. "
            "Launching EC2 instance failed."
        )
        k.event(
            "autoscaling",
            {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": asg_web,
                "Description": f"Launching a new EC2 instance.  Status Reason: {msg}",
                "Cause": f"At {iso(t - timedelta(seconds=8))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {cap_from} to {target}.",
                "StartTime": iso(t),
                "EndTime": iso(t),
                "StatusCode": "Failed",
                "StatusMessage": msg,
                "Progress": 100,
                "Details": '{"Subnet ID":"' + subnets[j] + '","Availability Zone":"' + k.azs[j] + '"}',
            },
        )
        t += timedelta(seconds=backoff + r.randrange(0, 20))
        backoff = min(backoff * 2, 300)

    # ---- CloudTrail -----------------------------------------------------------------------------------
    ca = k.role_identity(f"{cluster}-cluster-autoscaler", str(r.randrange(10**18, 10**19)))
    ca_agent = "aws-sdk-go/1.44.241 (go1.21.6; linux; amd64) cluster-autoscaler/v1.29.2"
    cni_agent = "aws-sdk-go/1.50.8 (go1.21.9; linux; amd64) amazon-vpc-cni-k8s/v1.18.1"
    k.ct(
        t_ca1,
        "autoscaling.amazonaws.com",
        "SetDesiredCapacity",
        ca,
        {"autoScalingGroupName": asg_web, "desiredCapacity": mid, "honorCooldown": False},
        None,
        agent=ca_agent,
    )
    k.ct(
        t_ca2,
        "autoscaling.amazonaws.com",
        "SetDesiredCapacity",
        ca,
        {"autoScalingGroupName": asg_web, "desiredCapacity": desired_final, "honorCooldown": False},
        None,
        agent=ca_agent,
    )
    for _ in range(r.randrange(20, 30)):
        t = start + timedelta(seconds=r.randrange(0, int((now - start).total_seconds())))
        k.ct(
            t,
            "autoscaling.amazonaws.com",
            "DescribeAutoScalingGroups",
            ca,
            {"maxRecords": 100},
            None,
            read_only=True,
            agent=ca_agent,
        )
    node_ids = {iid: k.role_identity(f"{cluster}-node-role", iid) for iid in web_ids}
    # routine pod churn before the surge: ipamd hands addresses back and forth successfully
    for _ in range(r.randrange(6, 10)):
        iid = r.choice(web_ids)
        t = start + timedelta(seconds=r.randrange(0, int((onset - start).total_seconds())))
        eni = k.rid("eni")
        k.ct(
            t,
            "ec2.amazonaws.com",
            r.choice(["UnassignPrivateIpAddresses", "AssignPrivateIpAddresses"]),
            node_ids[iid],
            {"networkInterfaceId": eni, "privateIpAddressesSet": {}, "secondaryPrivateIpAddressCount": 1},
            {"requestId": k.uid(), "_return": True},
            agent=cni_agent,
            ip=f"{net['base']}.{r.randrange(1, 4)}.{r.randrange(4, 250)}",
        )
    t = onset + timedelta(minutes=2)
    while t < now:
        iid = r.choice(web_ids)
        j = web_ids.index(iid) % 3
        if r.random() < 0.5:
            k.ct(
                t,
                "ec2.amazonaws.com",
                "CreateNetworkInterface",
                node_ids[iid],
                {
                    "subnetId": subnets[j],
                    "description": "aws-K8S-" + iid,
                    "groupSet": {"items": [{"groupId": sg_cluster}]},
                    "privateIpAddressesSet": {},
                    "secondaryPrivateIpAddressCount": 14,
                    "tagSpecificationSet": {
                        "items": [
                            {
                                "resourceType": "network-interface",
                                "tags": [
                                    {"key": "node.k8s.amazonaws.com/instance_id", "value": iid},
                                    {"key": "cluster.k8s.amazonaws.com/name", "value": cluster},
                                ],
                            }
                        ]
                    },
                },
                None,
                agent=cni_agent,
                ip=f"{net['base']}.{j + 1}.{r.randrange(4, 250)}",
                error=(
                    "Client.InsufficientFreeAddressesInSubnet",
                    "The specified subnet does not have enough free addresses to satisfy the request.",
                ),
            )
        else:
            k.ct(
                t,
                "ec2.amazonaws.com",
                "AssignPrivateIpAddresses",
                node_ids[iid],
                {
                    "networkInterfaceId": k.rid("eni"),
                    "privateIpAddressesSet": {},
                    "secondaryPrivateIpAddressCount": r.choice([1, 5, 14]),
                },
                None,
                agent=cni_agent,
                ip=f"{net['base']}.{j + 1}.{r.randrange(4, 250)}",
                error=(
                    "Client.InsufficientFreeAddressesInSubnet",
                    "The specified subnet does not have enough free addresses to satisfy the request.",
                ),
            )
        t += timedelta(seconds=r.randrange(40, 160))
    for _ in range(r.randrange(10, 16)):
        iid = r.choice(web_ids)
        t = start + timedelta(seconds=r.randrange(0, int((now - start).total_seconds())))
        k.ct(
            t,
            "ec2.amazonaws.com",
            "DescribeNetworkInterfaces",
            node_ids[iid],
            {
                "networkInterfaceIdSet": {},
                "filterSet": {
                    "items": [{"name": "attachment.instance-id", "valueSet": {"items": [{"value": iid}]}}]
                },
            },
            None,
            read_only=True,
            agent=cni_agent,
        )
    # other changes in the account, unrelated
    dev = k.role_identity(
        f"AWSReservedSSO_Developer_{k.hx(16)}", f"{r.choice(['priya', 'tomas', 'ines', 'kwame'])}@{org}.com"
    )
    gha = k.role_identity("github-actions-ecr-push", "GitHubActions")
    t_push = onset - timedelta(minutes=r.randrange(35, 80))
    k.ct(
        t_push,
        "ecr.amazonaws.com",
        "PutImage",
        gha,
        {
            "repositoryName": "search-api",
            "imageTag": f"v{r.randrange(3, 6)}.{r.randrange(0, 40)}.{r.randrange(0, 9)}",
            "registryId": k.account,
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
        },
        {
            "image": {
                "registryId": k.account,
                "repositoryName": "search-api",
                "imageId": {"imageDigest": "sha256:" + k.hx(64)},
            }
        },
        agent="aws-sdk-js/2.1691.0 promise",
    )
    k.ct(
        onset - timedelta(minutes=r.randrange(90, 150)),
        "eks.amazonaws.com",
        "UpdateNodegroupConfig",
        dev,
        {"name": cluster, "nodegroupName": ng_batch, "labels": {"addOrUpdateLabels": {"team": "data"}}},
        {
            "update": {
                "id": k.uid(),
                "status": "InProgress",
                "type": "ConfigUpdate",
                "params": [{"type": "LabelsToAdd", "value": '{"team":"data"}'}],
                "createdAt": int(onset.timestamp()) - 5400,
                "errors": [],
            }
        },
        agent="AWS Internal",
    )
    k.ct(
        onset - timedelta(minutes=r.randrange(10, 30)),
        "monitoring.amazonaws.com",
        "PutDashboard",
        dev,
        {"dashboardName": "search-evening"},
        None,
        agent="AWS Internal",
    )
    k.ct(
        start + timedelta(minutes=r.randrange(5, 60)),
        "iam.amazonaws.com",
        "PutRolePolicy",
        dev,
        {"roleName": "github-actions-ecr-push", "policyName": "ecr-push-listing-images"},
        None,
        agent="AWS Internal",
    )
    k.ct(
        start + timedelta(minutes=r.randrange(60, 140)),
        "ssm.amazonaws.com",
        "PutParameter",
        dev,
        {"name": "/search/prod/synonyms-version", "type": "String", "overwrite": True},
        {"version": r.randrange(10, 90), "tier": "Standard"},
        agent="aws-cli/2.17.4 Python/3.12.4 Darwin/23.5.0 exe/arm64",
    )
    lbc = k.role_identity(f"{cluster}-aws-load-balancer-controller", str(r.randrange(10**18, 10**19)))
    lbc_agent = (
        "elbv2.k8s.aws/v2.8.1 aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 api/elasticloadbalancingv2#1.34.0"
    )
    for _ in range(r.randrange(14, 22)):
        t = start + timedelta(seconds=r.randrange(0, int((now - start).total_seconds())))
        k.ct(
            t,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            lbc,
            {"targetGroupArn": tg_arn},
            None,
            read_only=True,
            agent=lbc_agent,
        )
    for _ in range(2):
        t = onset + timedelta(minutes=r.randrange(1, 3), seconds=r.randrange(0, 60))
        k.ct(
            t,
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            lbc,
            {
                "targetGroupArn": tg_arn,
                "targets": [{"id": f"{net['base']}.{r.randrange(1, 4)}.{r.randrange(4, 250)}", "port": 8080}],
            },
            None,
            agent=lbc_agent,
        )

    # ---- alarms ----------------------------------------------------------------------------------------
    topic = k.arn("sns", "search-oncall")
    cfg = created + timedelta(days=r.randrange(60, 300))
    t_al = onset
    while latency(t_al) <= 0.6 or latency(t_al - timedelta(minutes=4)) <= 0.6:
        t_al += timedelta(minutes=1)
    t_al += timedelta(minutes=1, seconds=r.randrange(10, 40))
    vals = ", ".join(
        f"{latency(t_al.replace(second=0) - timedelta(minutes=m)):.3f} ({(t_al.replace(second=0) - timedelta(minutes=m)).strftime('%d/%m/%y %H:%M:%S')})"
        for m in range(1, 6)
    )
    lat = k.alarm(
        "search-api-alb-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbd,
        stat="Average",
        threshold=0.6,
        evals=5,
        topic=topic,
        configured=cfg,
        desc="search-api average response time above 600ms",
        transitions=[
            (start, "OK", "Threshold Crossed: 5 datapoints were not greater than the threshold (0.6)."),
            (
                t_al,
                "ALARM",
                f"Threshold Crossed: 5 out of the last 5 datapoints [{vals}] were greater than the threshold (0.6) (minimum 5 datapoints for OK -> ALARM transition).",
            ),
        ],
    )
    t_5xx = onset + timedelta(minutes=r.randrange(14, 22))
    k.alarm(
        "search-api-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        threshold=50,
        evals=3,
        topic=topic,
        configured=cfg,
        transitions=[
            (
                start,
                "OK",
                "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].",
            ),
            (
                t_5xx,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition).",
            ),
        ],
    )
    # a noisy batch alarm that flaps every evening
    fl = start + timedelta(minutes=r.randrange(30, 90))
    k.alarm(
        "batch-nodes-memory-high",
        ci,
        "node_memory_utilization",
        {"ClusterName": cluster},
        stat="Average",
        period=300,
        threshold=80,
        evals=1,
        topic=k.arn("sns", "data-team-alerts"),
        configured=cfg,
        transitions=[
            (start, "OK", "Threshold Crossed: 1 datapoint was not greater than the threshold (80.0)."),
            (
                fl,
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).",
            ),
            (
                fl + timedelta(minutes=10),
                "OK",
                "Threshold Crossed: 1 out of the last 1 datapoints was not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )
    k.series(
        ci,
        "node_memory_utilization",
        {"ClusterName": cluster},
        start,
        now,
        lambda t: 84.0 if fl - timedelta(minutes=5) <= t < fl + timedelta(minutes=5) else k.noise(61, 0.04),
        unit="Percent",
        period=300,
    )

    # ---- logs ------------------------------------------------------------------------------------------
    dp = f"/aws/containerinsights/{cluster}/dataplane"
    t = onset + timedelta(minutes=2)
    while t < now:
        iid = r.choice(web_ids)
        j = web_ids.index(iid) % 3
        host = f"ip-{net['base'].replace('.', '-')}-{j + 1}-{r.randrange(4, 250)}.{k.region}.compute.internal"
        pod = f"search-api-{k.hx(10)}-{k.hx(5)}"
        msg = (
            f'E{t.strftime("%m%d %H:%M:%S")}.{r.randrange(100000, 999999)}    {r.randrange(2000, 4000)} pod_workers.go:1301] "Error syncing pod, skipping" '
            f'err="failed to \\"CreatePodSandbox\\" for \\"{pod}_search({k.uid()})\\" with CreatePodSandboxError: \\"Failed to create sandbox for pod '
            f'\\\\\\"{pod}_search({k.uid()})\\\\\\": rpc error: code = Unknown desc = failed to setup network for sandbox \\\\\\"{k.hx(64)}\\\\\\": '
            f'plugin type=\\\\\\"aws-cni\\\\\\" name=\\\\\\"aws-cni\\\\\\" failed (add): add cmd: failed to assign an IP address to container\\"" '
            f'pod="search/{pod}" podUID="{k.uid()}"'
        )
        k.log(
            dp,
            f"kubelet.service-{iid}",
            t,
            json.dumps(
                {
                    "hostname": host,
                    "ec2_instance_id": iid,
                    "az": k.azs[j],
                    "SYSLOG_IDENTIFIER": "kubelet",
                    "_SYSTEMD_UNIT": "kubelet.service",
                    "message": msg,
                }
            ),
        )
        t += timedelta(seconds=r.randrange(15, 70))
    app = f"/aws/containerinsights/{cluster}/application"
    t = start
    while t < now:
        pod = f"search-api-{k.hx(10)}-{k.hx(5)}"
        dur = k.noise(latency(t) * 1000, 0.4)
        code = 200 if r.random() > (0.002 if t < onset else 0.01) else 503
        k.log(
            app,
            f"search-api-{pod}_search_search-api-{k.hx(64)}",
            t,
            json.dumps(
                {
                    "log": json.dumps(
                        {
                            "level": "info" if code == 200 else "error",
                            "ts": iso(t),
                            "msg": "request completed",
                            "method": "GET",
                            "path": "/v2/search",
                            "status": code,
                            "duration_ms": round(dur, 1),
                            "q_len": r.randrange(1, 40),
                            "results": r.randrange(0, 48),
                        }
                    ),
                    "stream": "stdout",
                    "kubernetes": {
                        "pod_name": pod,
                        "namespace_name": "search",
                        "container_name": "search-api",
                        "host": f"ip-{net['base'].replace('.', '-')}-{r.randrange(1, 4)}-{r.randrange(4, 250)}.{k.region}.compute.internal",
                    },
                }
            ),
        )
        t += timedelta(seconds=r.randrange(25, 75))

    ev = k.alarm_event(
        lat, t_al, "OK", "Threshold Crossed: 5 datapoints were not greater than the threshold (0.6).", start
    )
    loc = onset.astimezone(zone)
    question = (
        f"search on the marketplace has been crawling since about {loc.strftime('%-I:%M')}pm and people are getting timeouts. "
        "the evening rush always hits us but HPA normally copes — is the load balancer struggling? "
        "nothing was deployed to search tonight as far as I know"
    )
    return k.bundle(
        title=TITLE,
        start=start,
        now=now,
        question=question,
        tz=tz,
        alarm_event=ev,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": subnets[free.index(0)],
                "category": "limit",
                "failure_mode": "subnet-ip-address-exhaustion",
                "event_id": None,
            },
            "also_accept": [s for s in subnets if s != subnets[free.index(0)]] + sub_names + [net["vpc"]],
            "actions": ["reconfigure", "scale"],
            "chain": [subnets[free.index(0)], asg_web, "search-api", tg_name, alb_name],
        },
    )
