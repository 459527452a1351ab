"""Search pods cannot start in one AZ during the evening scale-out: its subnet has run out of addresses."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzn import Cluster, Kit, iso, ms

NAME = "search-slow-evening-peak-pods-not-scaling"
TITLE = "Search slow and throwing 5xx at the evening peak; HPA is scaling but pods aren't coming up"
SUMMARY = (
    "The VPC CNI cannot get secondary IPs in the small subnet of one AZ during the evening scale-out; "
    "search-api pods there stay in ContainerCreating, zone spread caps the rest, the running pods saturate."
)

CNI_AGENT = "aws-sdk-go/1.50.30 (go1.21.8; linux; amd64) amazon-vpc-cni-k8s/v1.18.1"
CA_AGENT = "aws-sdk-go/1.48.7 (go1.21.5; linux; amd64) cluster-autoscaler/v1.29.0"


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-west-1", datetime(2026, 4, 6, tzinfo=UTC), 18)
    rng = k.rng
    onset = k.t0 + timedelta(seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=12)).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(38, 50))).replace(second=0)
    end = now
    cname = rng.choice(["ferrow-prod", "marlin-eu-prod", "gablefox-prod"])
    ns = "web"
    c = Cluster(
        k, cname, ns, ["search-api", "web-frontend"], 6, "m5.xlarge", start, subnet_sizes=(20, 24, 20)
    )
    sub_b = c.subnets[1]
    sub_b["AvailableIpAddressCount"] = 0
    sub_b["Tags"][0]["Value"] = f"{cname.split('-')[0]}-eks-private-{c.azs[1]}"
    for s in (c.subnets[0], c.subnets[2]):
        s["AvailableIpAddressCount"] = rng.randint(3100, 3600)

    # --- traffic and what the HPA wants -----------------------------------------------------------
    peak = onset + timedelta(minutes=rng.randint(60, 80))
    per_pod = 170.0

    def traffic(t: datetime) -> float:
        x = (t - peak).total_seconds() / 3600
        return 900 + 4400 * math.exp(-(x**2) / 2.2)

    cap = math.ceil(traffic(onset) / per_pod)
    per_min: dict[datetime, tuple[int, float, int, int]] = {}

    def load(t: datetime) -> tuple[int, float, int, int]:
        """(requests, overload ratio, target 5xx, elb 5xx) for the minute at t."""
        if t not in per_min:
            n = int(traffic(t) * rng.uniform(0.95, 1.05))
            running = min(max(6, math.ceil(traffic(t) / per_pod)), cap)
            ratio = n / (running * per_pod * 1.08)
            over = max(0.0, ratio - 1.0)
            t5 = int(n * min(0.35, over * 0.8) * rng.uniform(0.9, 1.1)) + (1 if rng.random() < 0.1 else 0)
            e5 = int(n * min(0.12, over * 0.25) * rng.uniform(0.8, 1.2)) + (1 if rng.random() < 0.03 else 0)
            per_min[t] = (n, ratio, t5, e5)
        return per_min[t]

    def desired(t: datetime) -> int:
        return min(30, max(6, math.ceil(traffic(t) / per_pod)))

    def running(t: datetime) -> int:
        return min(desired(t), cap)

    # --- nodes added by the cluster autoscaler ----------------------------------------------------
    adds = [
        (onset - timedelta(minutes=rng.randint(40, 52)), 0),
        (onset - timedelta(minutes=rng.randint(18, 26)), 1),
        (onset - timedelta(minutes=rng.randint(2, 8)), 2),
        (onset + timedelta(minutes=rng.randint(6, 12)), 2),
    ]
    new_nodes = []
    for when, az in adds:
        n = c.add_node(az, when + timedelta(seconds=35))
        new_nodes.append(n)
    ca_role = f"{cname}-cluster-autoscaler"
    ca = k.role_session(ca_role, f"{ms(start - timedelta(minutes=20))}")
    asl = {
        "type": "AssumedRole",
        "principalId": f"{k.upper_id('AROA', 17)}:AutoScaling",
        "arn": f"arn:aws:sts::{k.account}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling",
        "accountId": k.account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": k.upper_id("AROA", 17),
                "arn": f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "accountId": k.account,
                "userName": "AWSServiceRoleForAutoScaling",
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
        "invokedBy": "autoscaling.amazonaws.com",
    }
    size = 6
    ca_ip = c.pod_ip(c.nodes[0])
    for (when, _), n in zip(adds, new_nodes, strict=True):
        k.ct(
            when,
            "autoscaling.amazonaws.com",
            "SetDesiredCapacity",
            ca,
            {"autoScalingGroupName": c.asg, "desiredCapacity": size + 1, "honorCooldown": False},
            None,
            ip=ca_ip,
            agent=CA_AGENT,
        )
        k.ct(
            when + timedelta(seconds=12),
            "ec2.amazonaws.com",
            "RunInstances",
            asl,
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": "lt-0" + k.hex(16), "version": "1"},
                "subnetId": n["subnet"],
                "availabilityZone": n["az"],
            },
            {
                "requestId": k.uid(),
                "reservationId": "r-0" + k.hex(16),
                "ownerId": k.account,
                "requesterId": "940372691376",
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": n["id"],
                            "instanceType": "m5.xlarge",
                            "privateIpAddress": n["ip"],
                            "subnetId": n["subnet"],
                            "instanceState": {"code": 0, "name": "pending"},
                        }
                    ]
                },
            },
            ip="autoscaling.amazonaws.com",
            agent="autoscaling.amazonaws.com",
        )
        k.events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": k.uid(),
                    "AutoScalingGroupName": c.asg,
                    "Description": f"Launching a new EC2 instance: {n['id']}",
                    "Cause": (
                        f"At {iso(when)} a user request explicitly set group desired capacity changing the desired "
                        f"capacity from {size} to {size + 1}.  At {iso(when + timedelta(seconds=10))} an instance was started "
                        f"in response to a difference between desired and actual capacity, increasing the capacity from {size} to {size + 1}."
                    ),
                    "StartTime": iso(when + timedelta(seconds=11)),
                    "EndTime": iso(when + timedelta(seconds=44)),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": n["subnet"], "Availability Zone": n["az"]}),
                    "AutoScalingGroupARN": k.arn(
                        "autoscaling", f"autoScalingGroup:{k.uid()}:autoScalingGroupName/{c.asg}"
                    ),
                },
            }
        )
        if n is new_nodes[-1]:
            k.events.append(
                {
                    "source": "autoscaling",
                    "item": {
                        "ActivityId": k.uid(),
                        "AutoScalingGroupName": c.asg,
                        "Description": "Launching a new EC2 instance.  Status Reason: There are not enough free addresses in subnet "
                        f"'{sub_b['SubnetId']}' to satisfy the requested number of instances. Launching EC2 instance failed.",
                        "Cause": (
                            f"At {iso(when)} a user request explicitly set group desired capacity changing the desired "
                            f"capacity from {size} to {size + 1}.  At {iso(when + timedelta(seconds=3))} an instance was started "
                            f"in response to a difference between desired and actual capacity, increasing the capacity from {size} to {size + 1}."
                        ),
                        "StartTime": iso(when + timedelta(seconds=4)),
                        "EndTime": iso(when + timedelta(seconds=4)),
                        "StatusCode": "Failed",
                        "StatusMessage": "There are not enough free addresses in subnet "
                        f"'{sub_b['SubnetId']}' to satisfy the requested number of instances. Launching EC2 instance failed.",
                        "Progress": 100,
                        "Details": json.dumps(
                            {"Subnet ID": sub_b["SubnetId"], "Availability Zone": sub_b["AvailabilityZone"]}
                        ),
                    },
                }
            )
        size += 1

    c.background(start, end)

    # --- VPC CNI (ipamd) on each node asking EC2 for addresses ------------------------------------
    cni_role = f"{cname}-vpc-cni"
    for n in c.nodes:
        sess = k.role_session(
            cni_role, f"{ms(n['launched'])}", f"arn:aws:iam::{k.account}:oidc-provider/{c.oidc}"
        )
        in_b = n["subnet"] == sub_b["SubnetId"]
        is_new = n in new_nodes
        t = max(start, n["launched"] + timedelta(seconds=50))
        if not is_new and not in_b:
            # existing nodes top up their warm pool now and then
            t += timedelta(minutes=rng.randint(10, 120))
            if t < end:
                eni = "eni-0" + k.hex(16)
                k.ct(
                    t,
                    "ec2.amazonaws.com",
                    "AssignPrivateIpAddresses",
                    sess,
                    {"networkInterfaceId": eni, "secondaryPrivateIpAddressCount": 14},
                    {"requestId": k.uid(), "_return": True, "networkInterfaceId": eni},
                    ip=n["ip"],
                    agent=CNI_AGENT,
                )
            continue
        if is_new and not in_b:
            for _ in range(2):
                eni = "eni-0" + k.hex(16)
                k.ct(
                    t,
                    "ec2.amazonaws.com",
                    "CreateNetworkInterface",
                    sess,
                    {
                        "subnetId": n["subnet"],
                        "description": "aws-K8S-" + n["id"],
                        "groupSet": {"items": [{"groupId": c.sg_cluster}]},
                        "privateIpAddressesSet": {},
                        "secondaryPrivateIpAddressCount": 14,
                    },
                    {
                        "requestId": k.uid(),
                        "networkInterface": {
                            "networkInterfaceId": eni,
                            "subnetId": n["subnet"],
                            "vpcId": c.vpc,
                            "availabilityZone": n["az"],
                            "status": "pending",
                            "interfaceType": "interface",
                            "requesterId": k.upper_id("AROA", 17),
                        },
                    },
                    ip=n["ip"],
                    agent=CNI_AGENT,
                )
                k.ct(
                    t + timedelta(seconds=1),
                    "ec2.amazonaws.com",
                    "AttachNetworkInterface",
                    sess,
                    {
                        "networkInterfaceId": eni,
                        "instanceId": n["id"],
                        "deviceIndex": 1,
                        "networkCardIndex": 0,
                    },
                    {"requestId": k.uid(), "attachmentId": "eni-attach-0" + k.hex(16), "networkCardIndex": 0},
                    ip=n["ip"],
                    agent=CNI_AGENT,
                )
                t += timedelta(seconds=rng.randint(5, 40))
            continue
        # nodes in the small subnet: retries fail once it is exhausted
        exhausted_at = onset - timedelta(minutes=rng.randint(3, 6))
        t = max(t, exhausted_at + timedelta(seconds=rng.randint(0, 90)))
        while t < end:
            if is_new and rng.random() < 0.5:
                k.ct(
                    t,
                    "ec2.amazonaws.com",
                    "CreateNetworkInterface",
                    sess,
                    {
                        "subnetId": n["subnet"],
                        "description": "aws-K8S-" + n["id"],
                        "groupSet": {"items": [{"groupId": c.sg_cluster}]},
                        "privateIpAddressesSet": {},
                        "secondaryPrivateIpAddressCount": 14,
                    },
                    None,
                    ip=n["ip"],
                    agent=CNI_AGENT,
                    error=(
                        "InsufficientFreeAddressesInSubnet",
                        f"insufficient free address space in subnet '{n['subnet']}' to satisfy the request",
                    ),
                )
            else:
                k.ct(
                    t,
                    "ec2.amazonaws.com",
                    "AssignPrivateIpAddresses",
                    sess,
                    {"networkInterfaceId": n["eni"], "secondaryPrivateIpAddressCount": rng.choice([1, 14])},
                    None,
                    ip=n["ip"],
                    agent=CNI_AGENT,
                    error=(
                        "InsufficientFreeAddressesInSubnet",
                        f"There are not enough free addresses in subnet '{n['subnet']}' to satisfy the requested number of secondary addresses.",
                    ),
                )
            t += timedelta(seconds=rng.randint(60, 180))

    # --- innocent changes of the afternoon --------------------------------------------------------
    dev = k.sso(f"{rng.choice(['mira.kowalski', 'tom.adeyemi'])}@{cname.split('-')[0]}.eu", "Developer")
    sg_change = onset - timedelta(minutes=rng.randint(30, 50))
    k.ct(
        sg_change,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        dev,
        {
            "groupId": c.sg_lb,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "ipRanges": {
                            "items": [
                                {
                                    "cidrIp": f"185.{rng.randint(1, 250)}.{rng.randint(1, 250)}.0/24",
                                    "description": "partner office",
                                }
                            ]
                        },
                    }
                ]
            },
        },
        {
            "requestId": k.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": k.account,
                        "groupId": c.sg_lb,
                        "securityGroupRuleId": "sgr-0" + k.hex(16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": "185.0.0.0/24",
                    }
                ]
            },
        },
        ip=f"81.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        agent="aws-internal/3 aws-sdk-java/1.12.660 console.amazonaws.com",
    )
    deploy = onset - timedelta(minutes=rng.randint(75, 110))
    ci = k.role_session("gitlab-deployer", f"gitlab-{rng.randint(100000, 999999)}")
    k.ct(
        deploy,
        "ecr.amazonaws.com",
        "PutImage",
        ci,
        {
            "repositoryName": "web-frontend",
            "imageTag": f"2026.{rng.randint(100, 999)}",
            "registryId": k.account,
        },
        {
            "image": {
                "registryId": k.account,
                "repositoryName": "web-frontend",
                "imageId": {"imageDigest": "sha256:" + k.hex(64)},
            }
        },
        ip=f"34.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        agent="docker/25.0.3 go/go1.21.6 git-commit/f417435 kernel/5.15.0 os/linux arch/amd64",
    )
    k.ct(
        deploy + timedelta(seconds=40),
        "eks.amazonaws.com",
        "DescribeCluster",
        ci,
        {"name": cname},
        None,
        read_only=True,
        ip=f"34.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.ubuntu.22",
    )

    # --- metrics ----------------------------------------------------------------------------------
    tg_s, tg_s_arn = c.tgs["search-api"]
    tg_w, _ = c.tgs["web-frontend"]
    lb = {"LoadBalancer": c.lb_dim}
    tgd = {"TargetGroup": tg_s, "LoadBalancer": c.lb_dim}
    tgw = {"TargetGroup": tg_w, "LoadBalancer": c.lb_dim}
    k.series("AWS/ApplicationELB", "RequestCount", tgd, "Count", start, end, lambda t: load(t)[0])
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        start,
        end,
        lambda t: load(t)[2] or None,
    )
    k.series(
        "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Count", start, end, lambda t: load(t)[3] or None
    )
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        tgw,
        "Count",
        start,
        end,
        lambda t: int(traffic(t) * 0.6 * rng.uniform(0.95, 1.05)),
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgw,
        "Count",
        start,
        end,
        lambda t: 1 if rng.random() < 0.05 else None,
    )
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        lb,
        "Count",
        start,
        end,
        lambda t: int(load(t)[0] + traffic(t) * 0.6),
    )

    def latency(t: datetime) -> tuple[float, float, float, float]:
        n, ratio, _, _ = load(t)
        avg = 0.11 * (1 + 9 * max(0.0, ratio - 0.9)) * rng.uniform(0.92, 1.08)
        return (n, n * avg, 0.006, min(60.0, avg * rng.uniform(5, 12)))

    k.stat_series("AWS/ApplicationELB", "TargetResponseTime", tgd, "Seconds", start, end, latency)
    k.series(
        "AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", start, end, lambda t: running(t), digits=0
    )
    k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", start, end, lambda t: 0, digits=0)

    def cpu(n: dict[str, Any], t: datetime) -> float:
        r = load(t)[1]
        if n in new_nodes and n["subnet"] == sub_b["SubnetId"]:
            return 6 + rng.uniform(-1, 2)
        return min(96.0, 30 + 48 * min(1.25, r) * rng.uniform(0.93, 1.07))

    def pods(n: dict[str, Any], t: datetime) -> float:
        if n in new_nodes and n["subnet"] == sub_b["SubnetId"]:
            return 5  # daemonsets on host networking only
        if n["subnet"] == sub_b["SubnetId"]:
            return 21
        return 14 + (running(t) - 6) // 4

    c.node_metrics(
        start, end, cpu, lambda n, t: 40 + rng.uniform(-3, 3) + (12 if n not in new_nodes else -20), pods
    )
    cdim = {"ClusterName": cname}
    k.series(
        "ContainerInsights",
        "cluster_node_count",
        cdim,
        "Count",
        start,
        end,
        lambda t: 6 + sum(1 for n in new_nodes if n["launched"] + timedelta(minutes=2) <= t),
        digits=0,
    )
    k.series(
        "ContainerInsights", "cluster_failed_node_count", cdim, "Count", start, end, lambda t: 0, digits=0
    )
    sdim = {"ClusterName": cname, "Namespace": ns, "Service": "search-api"}
    k.series(
        "ContainerInsights", "service_number_of_running_pods", sdim, "Count", start, end, running, digits=0
    )
    k.series(
        "ContainerInsights",
        "service_number_of_running_pods",
        {"ClusterName": cname, "Namespace": ns, "Service": "web-frontend"},
        "Count",
        start,
        end,
        lambda t: 4,
        digits=0,
    )
    k.series(
        "ContainerInsights",
        "pod_cpu_utilization",
        {"ClusterName": cname, "Namespace": ns, "PodName": "search-api"},
        "Percent",
        start,
        end,
        lambda t: min(99.0, 55 * load(t)[1] * rng.uniform(0.95, 1.05)),
    )
    k.series(
        "ContainerInsights",
        "namespace_number_of_running_pods",
        {"ClusterName": cname, "Namespace": ns},
        "Count",
        start,
        end,
        lambda t: running(t) + 4,
        digits=0,
    )

    # --- alarms -----------------------------------------------------------------------------------
    topic = k.arn("sns", f"{cname}-pager")
    first = next(t for t in sorted(per_min) if t >= onset and load(t)[2] > 60)
    fired = first + timedelta(minutes=2, seconds=rng.randint(30, 55))
    a = k.alarm(
        f"{cname}-search-api-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        stat="Sum",
        threshold=60,
        op="GreaterThanThreshold",
        evals=3,
        topic=topic,
        description="search-api 5xx through the public ALB",
        transitions=[
            (
                fired,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (60.0) (minimum 3 datapoints for OK -> ALARM transition).",
            )
        ],
    )
    lat_fire = fired + timedelta(minutes=rng.randint(1, 4))
    k.alarm(
        f"{cname}-search-api-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        stat="Average",
        threshold=0.5,
        op="GreaterThanThreshold",
        evals=5,
        topic=topic,
        transitions=[
            (
                lat_fire,
                "ALARM",
                "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (0.5) (minimum 5 datapoints for OK -> ALARM transition).",
            )
        ],
    )
    k.alarm(
        f"{cname}-web-frontend-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgw,
        stat="Sum",
        threshold=50,
        op="GreaterThanThreshold",
        evals=3,
        topic=topic,
    )
    k.alarm(
        f"{cname}-failed-nodes",
        "ContainerInsights",
        "cluster_failed_node_count",
        cdim,
        stat="Maximum",
        threshold=0,
        op="GreaterThanThreshold",
        evals=2,
        topic=topic,
    )
    flap = c.nodes[rng.randint(0, 2)]
    fd = {"ClusterName": cname, "InstanceId": flap["id"], "NodeName": flap["dns"]}
    f1 = start + timedelta(minutes=rng.randint(30, 70))
    k.alarm(
        f"{cname}-node-memory-{flap['id']}",
        "ContainerInsights",
        "node_memory_utilization",
        fd,
        stat="Average",
        threshold=50,
        op="GreaterThanThreshold",
        evals=3,
        topic="",
        transitions=[
            (
                f1,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition).",
            ),
            (
                f1 + timedelta(minutes=4),
                "OK",
                "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
            (
                f1 + timedelta(minutes=61),
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition).",
            ),
            (
                f1 + timedelta(minutes=66),
                "OK",
                "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )

    # --- logs: kubelet on the nodes in the small subnet, search-api itself ------------------------
    stuck: list[dict[str, Any]] = []
    for n in c.nodes:
        if n["subnet"] != sub_b["SubnetId"]:
            continue
        for _ in range(3 if n in new_nodes else 1):
            stuck.append(
                k.pod(
                    ns,
                    "search-api",
                    "7c9d5b8f46",
                    "search-api",
                    f"{k.account}.dkr.ecr.eu-west-1.amazonaws.com/search-api:5.3.1",
                    n["dns"],
                    "",
                )
            )
            stuck[-1]["node_rec"] = n
    for p in stuck:
        n = p["node_rec"]
        t = max(onset - timedelta(minutes=2), n["launched"] + timedelta(minutes=2)) + timedelta(
            seconds=rng.randint(0, 60)
        )
        while t < end:
            sandbox = k.hex(64)
            kl = (
                f'E{t:%m%d %H:%M:%S}.{rng.randint(0, 999999):06d}    {rng.randint(2900, 3900)} pod_workers.go:1298] "Error syncing pod, skipping" '
                f'err="failed to \\"CreatePodSandbox\\" for \\"{p["name"]}_{ns}({p["uid"]})\\" with CreatePodSandboxError: '
                f'\\"Failed to create sandbox for pod \\\\\\"{p["name"]}_{ns}({p["uid"]})\\\\\\": rpc error: code = Unknown desc = '
                f'failed to setup network for sandbox \\\\\\"{sandbox}\\\\\\": plugin type=\\\\\\"aws-cni\\\\\\" name=\\\\\\"aws-cni\\\\\\" '
                f'failed (add): add cmd: failed to assign an IP address to container\\"" pod="{ns}/{p["name"]}" podUID="{p["uid"]}"'
            )
            k.log(
                f"/aws/containerinsights/{cname}/dataplane",
                f"{n['dns']}-dataplane.systemd.kubelet.service",
                t,
                json.dumps(
                    {
                        "hostname": n["dns"].split(".")[0],
                        "SYSTEMD_UNIT": "kubelet.service",
                        "MESSAGE": kl,
                        "az": n["az"],
                        "ec2_instance_id": n["id"],
                    }
                ),
            )
            t += timedelta(seconds=rng.randint(40, 120))
    search_pods = []
    for i in range(6):
        n = c.nodes[i]
        search_pods.append(
            k.pod(
                ns,
                "search-api",
                "7c9d5b8f46",
                "search-api",
                f"{k.account}.dkr.ecr.eu-west-1.amazonaws.com/search-api:5.3.1",
                n["dns"],
                c.pod_ip(n),
            )
        )
    for p in search_pods:
        t = start + timedelta(seconds=rng.randint(0, 100))
        while t < end:
            _, ratio, _, _ = load(t)
            if ratio > 1.0 and rng.random() < min(0.8, ratio - 0.95):
                line = json.dumps(
                    {
                        "ts": iso(t),
                        "level": "warn",
                        "logger": "http",
                        "msg": "request rejected: worker pool saturated",
                        "path": "/v2/search",
                        "inflight": 64,
                        "queue": rng.randint(200, 256),
                        "status": 503,
                    }
                )
            else:
                line = json.dumps(
                    {
                        "ts": iso(t),
                        "level": "info",
                        "logger": "http",
                        "msg": "request",
                        "path": "/v2/search",
                        "status": 200,
                        "dur_ms": int(110 * (1 + 9 * max(0.0, ratio - 0.9)) * rng.uniform(0.5, 2)),
                    }
                )
            k.container_log(cname, p["node"], p, t, line)
            t += timedelta(seconds=rng.randint(60, 200) if ratio < 1 else rng.randint(25, 60))
    for p in search_pods:
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_s_arn,
                    "target": {"Id": p["ip"], "Port": 8080},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )

    # --- resources --------------------------------------------------------------------------------
    c.emit_resources(now)
    k.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": cni_role,
            "RoleId": k.upper_id("AROA", 17),
            "Arn": f"arn:aws:iam::{k.account}:role/{cni_role}",
            "CreateDate": iso(start - timedelta(days=300)),
            "MaxSessionDuration": 3600,
            "Description": "IRSA role for kube-system/aws-node",
        },
    )
    k.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": cni_role,
            "PolicyName": "AmazonEKS_CNI_Policy",
            "PolicyArn": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        },
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": "eu-west-1",
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": None,
                "alarm_event": k.alarm_event(a, fired, "OK", fired - timedelta(days=3, hours=2)),
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": sub_b["SubnetId"],
                    "category": "limit",
                    "failure_mode": "subnet-ip-exhaustion",
                },
                "also_accept": [sub_b["Tags"][0]["Value"], sub_b["CidrBlock"]],
                "actions": ["reconfigure", "scale"],
                "chain": [sub_b["SubnetId"], "aws-node", "search-api", tg_s.split("/")[1], c.lb_name],
            },
        }
    )
    recs = k.records()
    recs["cloudtrail"] = [r for r in recs["cloudtrail"] if r["eventTime"] <= iso(now)]
    recs["logs"] = [r for r in recs["logs"] if r["timestamp"] <= ms(now)]
    recs["events"] = [
        r for r in recs["events"] if r["item"].get("StartTime", r["item"].get("timestamp", "")) <= iso(now)
    ]
    return Bundle(manifest, recs)
