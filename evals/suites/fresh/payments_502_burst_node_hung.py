"""A worker node's instance hangs (root volume I/O stalls, instance status check fails); the pods on it drop
out of the ALB, a burst of 502/504s follows, and Auto Scaling replaces the node."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzd import UTC, Kit, Platform, alb, alb_minute, cw_log, iso, wave

NAME = "payments-502-burst-node-hung"
TITLE = "payments-api 502s this morning, recovered by itself; was it the security group change?"
SUMMARY = (
    "One EKS worker node hung on stalled root-volume I/O and failed its instance status check; the payments "
    "pods on it dropped out of the ALB with a burst of 502/504s until Auto Scaling replaced the node."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "eu-central-1")
    rng = k.rng
    day = datetime(2026, rng.randint(1, 11), rng.randint(1, 27), tzinfo=UTC)
    t0 = day + timedelta(hours=rng.randint(7, 10), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    now = t0 + timedelta(minutes=rng.randint(45, 70))
    start = (t0 - timedelta(hours=4, minutes=rng.randint(0, 30))).replace(second=0)
    cluster = rng.choice(["prod-apps", "apps-prod-euc1", "platform-prod"])
    plat = Platform(k, cluster)
    acct = k.account
    nodes = plat.nodes("general", "m6i.xlarge", 4, start)
    bad = nodes[rng.randint(0, 3)]
    fresh = plat.nodes("general", "m6i.xlarge", 1, start)[0]
    plat.groups["general"].remove(fresh)
    term = t0 + timedelta(minutes=rng.randint(5, 7), seconds=rng.randint(0, 59))
    fresh.launched = term + timedelta(seconds=rng.randint(20, 50))
    plat.groups["general"].append(fresh)
    created = start - timedelta(days=rng.randint(200, 500))
    plat.describe(created, {"general": (3, 8, 4)}, gone={bad.id})
    dead = plat.instance_item(bad, "general", "lt-0" + k.hexid(16))
    dead["State"] = {"Code": 48, "Name": "terminated"}
    dead["StateTransitionReason"] = f"User initiated ({term:%Y-%m-%d %H:%M:%S} GMT)"
    dead["StateReason"] = {
        "Code": "Client.UserInitiatedShutdown",
        "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
    }
    dead["PrivateDnsName"] = ""
    dead.pop("PrivateIpAddress")
    k.res("ec2", "Instance", dead)
    _lb, lbd, tg, tgd = alb(
        k, plat, "payments", "payments", "payments-api", 8080, created + timedelta(days=15)
    )
    asg = plat.asg["general"]
    asg_arn = f"arn:aws:autoscaling:{k.region}:{acct}:autoScalingGroup:{k.uid()}:autoScalingGroupName/{asg}"
    k.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/containerinsights/{cluster}/host",
            "retentionInDays": 14,
            "creationTime": int(created.timestamp() * 1000),
            "storedBytes": 4_118_220_114,
        },
    )

    # --- pods and targets --------------------------------------------------------------------------
    others = [n for n in nodes if n is not bad]
    placement = [bad, bad] + [others[i % 3] for i in range(4)]
    rs = k.hexid(10)
    pods = [(f"payments-api-{rs}-{k.hexid(5)}", n) for n in placement]
    pod_ip = {p: f"{n.ip.rsplit('.', 2)[0]}.{rng.randint(0, 255)}.{rng.randint(2, 250)}" for p, n in pods}
    evict = t0 + timedelta(minutes=5, seconds=40)
    new_pods = [(f"payments-api-{rs}-{k.hexid(5)}", others[i]) for i in range(2)]
    for p, n in new_pods:
        pod_ip[p] = f"{n.ip.rsplit('.', 2)[0]}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"

    def th(t: datetime, p: str, state: str, reason: str | None = None, desc: str | None = None) -> None:
        health: dict[str, Any] = {"State": state}
        if reason:
            health["Reason"] = reason
        if desc:
            health["Description"] = desc
        k.event(
            "target_health",
            {
                "target_group_arn": tg,
                "target": {"Id": pod_ip[p], "Port": 8080, "AvailabilityZone": dict(pods + new_pods)[p].az},
                "health": health,
                "timestamp": iso(t),
            },
        )

    for p, _ in pods:
        th(start - timedelta(hours=rng.randint(5, 30)), p, "healthy")
    for p, n in pods:
        if n is bad:
            th(
                t0 + timedelta(seconds=rng.randint(30, 45)),
                p,
                "unhealthy",
                "Target.Timeout",
                "Request timed out",
            )
            th(
                t0 + timedelta(seconds=rng.randint(70, 90)),
                p,
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
            th(
                t0 + timedelta(seconds=rng.randint(380, 400)),
                p,
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
    for p, _ in new_pods:
        th(
            evict + timedelta(seconds=rng.randint(25, 40)),
            p,
            "initial",
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        th(evict + timedelta(seconds=rng.randint(60, 80)), p, "healthy")

    # --- logs --------------------------------------------------------------------------------------
    host = f"/aws/containerinsights/{cluster}/host"
    for n in [*nodes, fresh]:
        tt = max(start, n.launched) + timedelta(seconds=rng.randint(0, 600))
        end = t0 if n is bad else now
        while tt < end:
            k.log(
                host,
                f"{n.name}-host.var.log.messages",
                tt,
                rng.choice(
                    [
                        f"{tt:%b %e %H:%M:%S} {n.name} systemd[1]: Started session-{rng.randint(100, 999)}.scope - Session of User root.",
                        f"{tt:%b %e %H:%M:%S} {n.name} chronyd[1712]: Selected source 169.254.169.123",
                        f'{tt:%b %e %H:%M:%S} {n.name} kubelet[2301]: I{tt:%m%d %H:%M:%S}.{rng.randint(100000, 999999)}    2301 kubelet_getters.go:218] "Pod status updated" pod="kube-system/aws-node-{k.hexid(5)}" status="Running"',
                        f'{tt:%b %e %H:%M:%S} {n.name} containerd[2210]: time="{iso(tt)}" level=info msg="ImageUpdate event name:\\"602401143452.dkr.ecr.{k.region}.amazonaws.com/eks/pause:3.5\\""',
                    ]
                ),
            )
            tt += timedelta(seconds=rng.randint(240, 700))
    seq = [
        (-95, "kernel: nvme nvme0: I/O 37 QID 2 timeout, aborting"),
        (-65, "kernel: nvme nvme0: Abort status: 0x0"),
        (-64, "kernel: nvme nvme0: I/O 41 QID 3 timeout, aborting"),
        (-35, "kernel: nvme nvme0: I/O 37 QID 2 timeout, reset controller"),
        (
            -20,
            'kernel: XFS (nvme0n1p1): metadata I/O error in "xfs_buf_ioend+0x17c/0x430 [xfs]" at daddr 0x1a3c0f8 len 8 error 5',
        ),
        (-18, "kernel: INFO: task kworker/u8:3:31411 blocked for more than 122 seconds."),
        (-17, "kernel: INFO: task kubelet:2301 blocked for more than 122 seconds."),
        (
            -8,
            f'kubelet[2301]: E{t0:%m%d} {t0:%H:%M}:{max(0, t0.second - 8):02d}.118200    2301 kubelet.go:2412] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m4.2s ago; threshold is 3m0s"',
        ),
    ]
    for dt, line in seq:
        tt = t0 + timedelta(seconds=dt)
        k.log(
            host,
            f"{bad.name}-host.var.log.dmesg" if "kernel" in line else f"{bad.name}-host.var.log.messages",
            tt,
            f"{tt:%b %e %H:%M:%S} {bad.name} {line}",
        )
    for p, n in pods + new_pods:
        began = start if p in dict(pods) else evict + timedelta(seconds=20)
        stop = t0 - timedelta(seconds=100) if n is bad else now
        tt = began + timedelta(seconds=rng.randint(0, 60))
        while tt < stop:
            slow = t0 <= tt < t0 + timedelta(minutes=8)
            cw_log(
                k,
                cluster,
                n,
                p,
                "payments",
                "payments-api",
                tt,
                f"{tt:%Y-%m-%d %H:%M:%S}.{rng.randint(100, 999)}  INFO 1 --- [nio-8080-exec-{rng.randint(1, 40)}] "
                f"c.n.payments.web.RequestLogFilter : method=POST path=/v2/payments/{rng.choice(['authorize', 'capture', 'refund'])} "
                f"status=200 duration_ms={rng.randint(350, 1900) if slow else rng.randint(60, 240)}",
            )
            tt += timedelta(seconds=rng.randint(30, 90))
    # apps calling payments see the burst
    ck_node = others[0]
    ck = f"checkout-web-{k.hexid(10)}-{k.hexid(5)}"
    for _i in range(rng.randint(7, 11)):
        tt = t0 + timedelta(seconds=rng.randint(0, 110))
        code = rng.choice([502, 502, 504])
        cw_log(
            k,
            cluster,
            ck_node,
            ck,
            "checkout",
            "checkout-web",
            tt,
            f'{{"level":"error","ts":"{iso(tt)}","logger":"payments-client","msg":"payment authorize failed",'
            f'"status":{code},"attempt":{rng.randint(1, 3)},"order_id":"ord_{k.hexid(12)}"}}',
            "stderr",
        )

    # --- CloudTrail --------------------------------------------------------------------------------
    slr = k.role_identity(
        "AWSServiceRoleForAutoScaling", "AutoScaling", "/aws-service-role/autoscaling.amazonaws.com/"
    )
    k.ct(
        term,
        "ec2.amazonaws.com",
        "TerminateInstances",
        slr,
        {"instancesSet": {"items": [{"instanceId": bad.id}]}},
        {
            "requestId": k.uid(),
            "instancesSet": {
                "items": [
                    {
                        "instanceId": bad.id,
                        "currentState": {"code": 32, "name": "shutting-down"},
                        "previousState": {"code": 16, "name": "running"},
                    }
                ]
            },
        },
        invoked_by="autoscaling.amazonaws.com",
    )
    k.ct(
        fresh.launched - timedelta(seconds=3),
        "ec2.amazonaws.com",
        "RunInstances",
        slr,
        {
            "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
            "instanceType": "m6i.xlarge",
            "launchTemplate": {"launchTemplateId": "lt-0" + k.hexid(16), "version": "4"},
            "clientToken": k.uid(),
        },
        {
            "requestId": k.uid(),
            "reservationId": "r-0" + k.hexid(16),
            "ownerId": acct,
            "groupSet": {},
            "instancesSet": {"items": [{"instanceId": fresh.id, "instanceType": "m6i.xlarge"}]},
        },
        invoked_by="autoscaling.amazonaws.com",
    )
    cni = k.role_identity(f"{cluster}-aws-node", str(int(fresh.launched.timestamp() * 1e9)))
    for j in range(2):
        k.ct(
            fresh.launched + timedelta(seconds=70 + j * 4),
            "ec2.amazonaws.com",
            "CreateNetworkInterface",
            cni,
            {
                "subnetId": plat.subnets[fresh.az],
                "description": "aws-K8S-" + fresh.id,
                "groupSet": {"items": [{"groupId": plat.cluster_sg}]},
                "secondaryPrivateIpAddressCount": 14,
            },
            {
                "requestId": k.uid(),
                "networkInterface": {
                    "networkInterfaceId": "eni-0" + k.hexid(16),
                    "subnetId": plat.subnets[fresh.az],
                    "vpcId": plat.vpc,
                    "status": "pending",
                },
            },
            ip=fresh.ip,
            agent="aws-sdk-go/1.55.5 (go1.22.5; linux; amd64) amazon-vpc-cni-k8s/v1.18.3",
        )
    node_ident = k.role_identity(plat.node_role, fresh.id)
    for repo in ["payments/payments-api", "platform/fluent-bit", "checkout/checkout-web"]:
        k.ct(
            evict + timedelta(seconds=rng.randint(5, 30)),
            "ecr.amazonaws.com",
            "BatchGetImage",
            node_ident,
            {
                "repositoryName": repo,
                "registryId": acct,
                "imageIds": [{"imageTag": f"v{rng.randint(1, 9)}.{rng.randint(0, 40)}.0"}],
            },
            None,
            read_only=True,
            ip=fresh.ip,
            agent="containerd/1.7.20",
        )
    eve = k.sso_identity(rng.choice(["l.becker", "f.schulz", "m.novak"]) + "@fintrail.de", "PlatformAdmin")
    sg_t = t0 - timedelta(minutes=rng.randint(18, 40))
    alb_sg = "sg-0" + k.hexid(16)
    k.ct(
        sg_t,
        "ec2.amazonaws.com",
        "RevokeSecurityGroupIngress",
        eve,
        {
            "groupId": alb_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 80,
                        "toPort": 80,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {"requestId": k.uid(), "_return": True},
        ip="91.64.12.201",
        agent="console.amazonaws.com",
    )
    k.ct(
        sg_t + timedelta(minutes=3),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        eve,
        {
            "groupId": plat.cluster_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": "10.60.0.0/16", "description": "vpn users to api"}]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {"requestId": k.uid(), "_return": True},
        ip="91.64.12.201",
        agent="console.amazonaws.com",
    )
    ci = k.role_identity("gitlab-ci-deployer", "gitlab-ci")
    k.ct(
        start + timedelta(minutes=rng.randint(30, 150)),
        "ecr.amazonaws.com",
        "PutImage",
        ci,
        {
            "repositoryName": "checkout/checkout-web",
            "imageTag": f"2026.{rng.randint(1, 300)}.0",
            "registryId": acct,
        },
        {
            "image": {
                "registryId": acct,
                "repositoryName": "checkout/checkout-web",
                "imageId": {"imageDigest": "sha256:" + k.hexid(64)},
            }
        },
        ip="35.231.145.151",
        agent="aws-cli/2.15.0 Python/3.11.6 Linux/5.15.0 docker/x86_64",
    )
    k.tooling_reads(
        start,
        now,
        [
            ("eks.amazonaws.com", "ListNodegroups", {"clusterName": cluster}),
            ("ec2.amazonaws.com", "DescribeInstanceStatus", {"includeAllInstances": True}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ],
    )
    for a in [
        {
            "Description": f"Terminating EC2 instance: {bad.id}",
            "Cause": f"At {iso(term - timedelta(seconds=30))} an "
            "instance was taken out of service in response to an EC2 instance status checks failure.",
            "StartTime": iso(term - timedelta(seconds=30)),
            "EndTime": iso(term + timedelta(minutes=2)),
        },
        {
            "Description": f"Launching a new EC2 instance: {fresh.id}",
            "Cause": f"At {iso(fresh.launched - timedelta(seconds=4))} "
            "an instance was started in response to a difference between desired and actual capacity, increasing the "
            "capacity from 3 to 4.",
            "StartTime": iso(fresh.launched - timedelta(seconds=4)),
            "EndTime": iso(fresh.launched + timedelta(seconds=35)),
        },
    ]:
        k.event(
            "autoscaling",
            {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": asg,
                "StatusCode": "Successful",
                "Progress": 100,
                "AutoScalingGroupARN": asg_arn,
                "Details": '{"Subnet ID":"'
                + plat.subnets[bad.az]
                + '","Availability Zone":"'
                + bad.az
                + '"}',
                **a,
            },
        )

    # --- metrics -----------------------------------------------------------------------------------
    elb5: dict[datetime, float] = {}
    tm = start
    while tm <= now:
        since = (tm - t0.replace(second=0)).total_seconds() / 60
        burst = 0 <= since < 3
        traffic = wave(tm, 2400, 900, 13) + rng.uniform(-90, 90)
        healthy = 6
        unhealthy = 0
        if 0 <= since < 2:
            healthy, unhealthy = 4, 2
        elif 2 <= since < 7:
            healthy = 4
        lat = (
            rng.uniform(0.09, 0.15)
            if not (0 <= since < 9)
            else rng.uniform(0.5, 1.4)
            if burst
            else rng.uniform(0.2, 0.45)
        )
        e502 = rng.randint(60, 160) if since == 0 else rng.randint(5, 30) if since == 1 else 0
        e504 = rng.randint(10, 40) if burst else 0
        alb_minute(k, lbd, tgd, tm, traffic, lat, rng.choice([0, 0, 0, 1]), e502 + e504, healthy, unhealthy)
        if e502:
            k.metric("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", {"LoadBalancer": lbd}, tm, e502, "Count")
        if e504:
            k.metric("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", {"LoadBalancer": lbd}, tm, e504, "Count")
        if e502 + e504:
            elb5[tm] = e502 + e504
        for n in [*nodes, fresh]:
            alive = n.launched <= tm and not (n is bad and tm >= term)
            if not alive:
                continue
            dims = {"InstanceId": n.id}
            failed = 1 if n is bad and tm >= t0 + timedelta(minutes=2) else 0
            k.metric("AWS/EC2", "StatusCheckFailed_Instance", dims, tm, failed, "Count")
            k.metric("AWS/EC2", "StatusCheckFailed_System", dims, tm, 0, "Count")
            k.metric("AWS/EC2", "StatusCheckFailed", dims, tm, failed, "Count")
            if tm.minute % 5 == 0:
                cpu = (
                    rng.uniform(0.2, 1.0)
                    if n is bad and tm >= t0
                    else wave(tm, 34, 10, 13) + rng.uniform(-4, 4)
                )
                k.metric("AWS/EC2", "CPUUtilization", dims, tm, cpu, "Percent")
            if not (n is bad and tm >= t0.replace(second=0)):
                k.metric(
                    "ContainerInsights",
                    "node_cpu_utilization",
                    {"ClusterName": cluster, "InstanceId": n.id, "NodeName": n.name},
                    tm,
                    wave(tm, 38, 10, 13) + rng.uniform(-4, 4),
                    "Percent",
                )
        nfail = 1 if t0 + timedelta(seconds=40) <= tm + timedelta(seconds=59) and tm < term else 0
        k.metric(
            "ContainerInsights", "cluster_failed_node_count", {"ClusterName": cluster}, tm, nfail, "Count"
        )
        k.metric(
            "ContainerInsights",
            "cluster_node_count",
            {"ClusterName": cluster},
            tm,
            4 if tm < term or tm >= fresh.launched + timedelta(seconds=80) else 3,
            "Count",
        )
        tm += timedelta(minutes=1)

    topic = f"arn:aws:sns:{k.region}:{acct}:payments-oncall"
    a5 = k.alarm(
        f"{cluster}-payments-alb-5xx",
        "payments ALB 5xx (load balancer generated)",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lbd},
        "Sum",
        60,
        1,
        1,
        20,
        "GreaterThanThreshold",
        elb5,
        start,
        now,
        topic,
        missing="notBreaching",
    )
    lat_series = {
        datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")): m["value"]
        for m in k.metrics
        if m["metric"] == "TargetResponseTime" and "TargetGroup" not in m["dimensions"]
    }
    k.alarm(
        f"{cluster}-payments-latency",
        "payments average latency > 2s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lbd},
        "Average",
        60,
        3,
        3,
        2.0,
        "GreaterThanThreshold",
        lat_series,
        start,
        now,
        topic,
    )
    local = t0.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
    question = (
        f"payments-api threw a bunch of 502s around {local} and checkout logged failed authorizations. It recovered "
        "on its own. Platform was editing security groups this morning, was that it? Need a cause for the incident "
        "ticket."
    )
    return k.bundle(
        TITLE,
        start,
        now,
        question,
        "Europe/Berlin",
        k.alarm_event(a5),
        {
            "no_fault": False,
            "root_cause": {
                "resource": bad.id,
                "category": "component_failure",
                "failure_mode": "worker-node-instance-status-check-failed",
            },
            "also_accept": [bad.name],
            "actions": ["restart"],
            "chain": [bad.id, "payments-api", lbd],
        },
    )
