"""At the evening peak the web node group cannot launch nodes: the account's On-Demand Standard vCPU quota
is used up (a batch node group grew that afternoon), so new storefront pods stay pending."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzd import UTC, Kit, Platform, alb, alb_minute, cw_log, iso, wave

NAME = "storefront-evening-nodes-vcpu-quota"
TITLE = "Storefront slow and erroring at the evening peak even though the cluster should be scaling"
SUMMARY = (
    "Cluster autoscaler asks the web node group for more nodes but every launch fails on the account's "
    "On-Demand Standard vCPU quota; storefront pods stay pending and the ALB slows and returns 5xx."
)

QUOTA_CODE = "L-1216C47A"
QUOTA_NAME = "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "us-east-1")
    rng = k.rng
    day = datetime(2026, rng.randint(4, 10), rng.randint(1, 27), tzinfo=UTC)
    onset = day + timedelta(hours=22, minutes=rng.randint(20, 59))
    now = onset + timedelta(minutes=rng.randint(40, 55))
    start = (onset - timedelta(hours=4, minutes=rng.randint(10, 40))).replace(second=0)
    cluster = rng.choice(["shop-prod", "prod-shop-use1", "retail-prod"])
    plat = Platform(k, cluster)
    acct = k.account
    quota = rng.choice([256, 320])
    web0 = rng.randint(6, 8)
    web = plat.nodes("web", "m6i.2xlarge", web0, start)
    system = plat.nodes("system", "m6i.large", 3, start)
    ml0 = 1
    ml = plat.nodes("ml-batch", "c6i.8xlarge", ml0, start)
    created = start - timedelta(days=rng.randint(300, 700))
    # afternoon web scale-outs (fine), and the batch group's growth
    web_add_times = sorted(start + timedelta(minutes=rng.randint(20, 150)) for _ in range(2))
    extra_web = plat.nodes("web", "m6i.2xlarge", 2, start)
    for n, t in zip(extra_web, web_add_times, strict=True):
        n.launched = t + timedelta(seconds=40)
    ml_change = onset - timedelta(hours=2, minutes=rng.randint(0, 40))
    extra_ml = plat.nodes("ml-batch", "c6i.8xlarge", 3, start)
    for n in extra_ml:
        n.launched = ml_change + timedelta(minutes=1, seconds=rng.randint(0, 50))
    web_now = web0 + 2
    used_eks = 8 * web_now + 2 * 3 + 32 * 4
    other = quota - used_eks - rng.choice([2, 4, 6])
    want = web_now + rng.randint(3, 5)
    plat.describe(created, {"web": (4, 24, want), "system": (3, 4, 3), "ml-batch": (0, 6, 4)})
    jenkins = k.instance_id()
    k.res(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": "us-east-1b",
            "InstanceId": jenkins,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        },
    )
    k.res(
        "ec2",
        "Instance",
        {
            "InstanceId": jenkins,
            "InstanceType": "m5.4xlarge",
            "LaunchTime": iso(created),
            "Placement": {"AvailabilityZone": "us-east-1b", "Tenancy": "default"},
            "State": {"Code": 16, "Name": "running"},
            "PrivateIpAddress": k.private_ip(9),
            "VpcId": plat.vpc,
            "SubnetId": plat.subnets["us-east-1b"],
            "Tags": [{"Key": "Name", "Value": "jenkins-controller"}],
        },
    )
    _lb, lbd, tg, tgd = alb(k, plat, "storefront", "web", "storefront", 3000, created + timedelta(days=20))
    asg_web = plat.asg["web"]
    asg_arn = (
        f"arn:aws:autoscaling:{k.region}:{acct}:autoScalingGroup:{k.uid()}:autoScalingGroupName/{asg_web}"
    )

    # --- CloudTrail --------------------------------------------------------------------------------
    ca_ident = k.role_identity(f"{cluster}-cluster-autoscaler", str(int(start.timestamp() * 1e9)))
    ca_agent = "aws-sdk-go/1.44.241 (go1.22.5; linux; amd64) cluster-autoscaler/v1.30.2"
    slr = k.role_identity(
        "AWSServiceRoleForAutoScaling", "AutoScaling", "/aws-service-role/autoscaling.amazonaws.com/"
    )
    lt = "lt-0" + k.hexid(16)
    msg = (
        f"You have requested more vCPU capacity than your current vCPU limit of {quota} allows for the instance "
        "bucket that the specified instance type belongs to. Please visit "
        "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit."
    )
    activities: list[dict[str, Any]] = []

    def activity(t: datetime, asg: str, desc: str, cause: str, ok: bool, iid: str | None = None) -> None:
        activities.append(
            {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": asg,
                "Description": desc,
                "Cause": cause,
                "StartTime": iso(t),
                "EndTime": iso(t + timedelta(seconds=rng.randint(2, 40) if not ok else rng.randint(35, 70))),
                "StatusCode": "Successful" if ok else "Failed",
                **({} if ok else {"StatusMessage": msg}),
                "Progress": 100,
                "Details": '{"Subnet ID":"'
                + plat.subnets[rng.choice(list(plat.subnets))]
                + '","Availability Zone":"'
                + rng.choice(list(plat.subnets))
                + '"}',
                "AutoScalingGroupARN": asg_arn if asg == asg_web else asg_arn.replace(asg_web, asg),
            }
        )

    def run_instances(t: datetime, group: str, ok: bool, iid: str | None) -> None:
        req = {
            "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
            "instanceType": plat.groups[group][0].type,
            "blockDeviceMapping": {},
            "monitoring": {"enabled": False},
            "disableApiTermination": False,
            "disableApiStop": False,
            "clientToken": k.uid(),
            "tagSpecificationSet": {
                "items": [
                    {
                        "resourceType": "instance",
                        "tags": [{"key": "aws:autoscaling:groupName", "value": plat.asg[group]}],
                    }
                ]
            },
            "launchTemplate": {"launchTemplateId": lt, "version": "3"},
        }
        resp = (
            None
            if not ok
            else {
                "requestId": k.uid(),
                "reservationId": "r-0" + k.hexid(16),
                "ownerId": acct,
                "requesterId": "940372691376",
                "groupSet": {},
                "instancesSet": {"items": [{"instanceId": iid, "instanceType": plat.groups[group][0].type}]},
            }
        )
        k.ct(
            t,
            "ec2.amazonaws.com",
            "RunInstances",
            slr,
            req,
            resp,
            invoked_by="autoscaling.amazonaws.com",
            error=None if ok else ("Client.VcpuLimitExceeded", msg),
        )

    # afternoon: web scale-outs that worked
    size = web0
    for n, t in zip(extra_web, web_add_times, strict=True):
        k.ct(
            t - timedelta(seconds=5),
            "autoscaling.amazonaws.com",
            "SetDesiredCapacity",
            ca_ident,
            {"autoScalingGroupName": asg_web, "desiredCapacity": size + 1, "honorCooldown": False},
            None,
            ip=k.private_ip(60),
            agent=ca_agent,
        )
        run_instances(t, "web", True, n.id)
        activity(
            t,
            asg_web,
            f"Launching a new EC2 instance: {n.id}",
            f"At {iso(t - timedelta(seconds=5))} a user request explicitly set group desired capacity changing "
            f"the desired capacity from {size} to {size + 1}.  At {iso(t)} an instance was started in response "
            f"to a difference between desired and actual capacity, increasing the capacity from {size} to "
            f"{size + 1}.",
            True,
        )
        size += 1
    # data team grows the batch node group
    carol = k.sso_identity(rng.choice(["r.iyer", "d.mbeki", "k.olsen"]) + "@northpine.io", "DataEngineer")
    upd = k.uid()
    k.ct(
        ml_change,
        "eks.amazonaws.com",
        "UpdateNodegroupConfig",
        carol,
        {
            "name": cluster,
            "nodegroupName": "ml-batch",
            "scalingConfig": {"desiredSize": 4, "minSize": 0, "maxSize": 6},
            "clientRequestToken": k.uid(),
        },
        {
            "update": {
                "id": upd,
                "status": "InProgress",
                "type": "ConfigUpdate",
                "params": [{"type": "DesiredSize", "value": "4"}, {"type": "MaxSize", "value": "6"}],
                "createdAt": iso(ml_change),
                "errors": [],
            }
        },
        ip="98.41.7.220",
        agent="aws-cli/2.17.3 md/awscrt#0.20.11 ua/2.0 os/macos#23.4.0 cmd/eks.update-nodegroup-config",
    )
    asg_ml = plat.asg["ml-batch"]
    eks_slr = k.role_identity(
        "AWSServiceRoleForAmazonEKSNodegroup", "EKS", "/aws-service-role/eks-nodegroup.amazonaws.com/"
    )
    k.ct(
        ml_change + timedelta(seconds=20),
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        eks_slr,
        {"autoScalingGroupName": asg_ml, "minSize": 0, "maxSize": 6, "desiredCapacity": 4},
        None,
        invoked_by="eks-nodegroup.amazonaws.com",
    )
    for i, n in enumerate(extra_ml):
        run_instances(n.launched, "ml-batch", True, n.id)
        activity(
            n.launched,
            asg_ml,
            f"Launching a new EC2 instance: {n.id}",
            f"At {iso(ml_change + timedelta(seconds=20))} a user request update of AutoScalingGroup constraints "
            f"to min: 0, max: 6, desired: 4 changing the desired capacity from 1 to 4.  At "
            f"{iso(n.launched)} an instance was started in response to a difference between desired and actual "
            f"capacity, increasing the capacity from {1 + i} to 4.",
            True,
        )
    # unrelated security-group edit by the web team, 40 min before the peak
    dave = k.sso_identity(rng.choice(["a.cho", "b.hughes"]) + "@northpine.io", "WebDeveloper")
    k.ct(
        onset - timedelta(minutes=rng.randint(25, 45)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        dave,
        {
            "groupId": plat.node_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": "10.40.0.0/16", "description": "prometheus node-exporter"}]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
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
                        "groupOwnerId": acct,
                        "groupId": plat.node_sg,
                        "securityGroupRuleId": "sgr-0" + k.hexid(16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "cidrIpv4": "10.40.0.0/16",
                        "description": "prometheus node-exporter",
                    }
                ]
            },
        },
        ip="98.41.7.18",
        agent="console.amazonaws.com",
    )
    # evening: scale-up fails on the vCPU quota
    k.ct(
        onset + timedelta(seconds=12),
        "autoscaling.amazonaws.com",
        "SetDesiredCapacity",
        ca_ident,
        {"autoScalingGroupName": asg_web, "desiredCapacity": want, "honorCooldown": False},
        None,
        ip=k.private_ip(60),
        agent=ca_agent,
    )
    t = onset + timedelta(seconds=20)
    tries = 0
    while t < now:
        for _ in range(want - web_now if tries == 0 else 1):
            run_instances(t, "web", False, None)
        activity(
            t,
            asg_web,
            "Launching a new EC2 instance.  Status Reason: " + msg + " Launching EC2 instance failed.",
            f"At {iso(t)} an instance was started in response to a difference between desired and actual "
            f"capacity, increasing the capacity from {web_now} to {want}.",
            False,
        )
        tries += 1
        t += timedelta(seconds=rng.randint(240, 330))
    for a in sorted(activities, key=lambda a: str(a["StartTime"])):
        k.event("autoscaling", a)

    # --- cluster-autoscaler logs -------------------------------------------------------------------
    ca_pod = f"cluster-autoscaler-{k.hexid(10)}-{k.hexid(5)}"
    ca_node = system[0]

    def klog(t: datetime, lvl: str, src: str, text: str) -> None:
        cw_log(
            k,
            cluster,
            ca_node,
            ca_pod,
            "kube-system",
            "cluster-autoscaler",
            t,
            f"{lvl}{t:%m%d %H:%M:%S}.{t.microsecond:06d}       1 {src}] {text}",
            "stderr",
        )

    tt = start + timedelta(seconds=rng.randint(0, 9))
    while tt < now:
        klog(tt, "I", "static_autoscaler.go:290", "Starting main loop")
        if tt.minute % 10 == 0 and tt.second < 10:
            klog(
                tt + timedelta(milliseconds=80),
                "I",
                "filter_out_schedulable.go:66",
                "Filtering out schedulables",
            )
        tt += timedelta(seconds=60)
    for step, t in enumerate(web_add_times):
        klog(
            t - timedelta(seconds=6),
            "I",
            "orchestrator.go:582",
            f"Final scale-up plan: [{{{asg_web} {web0 + step}->{web0 + step + 1} (max: 24)}}]",
        )
        klog(
            t - timedelta(seconds=5),
            "I",
            "executor.go:147",
            f"Scale-up: setting group {asg_web} size to {web0 + step + 1}",
        )
    klog(
        onset + timedelta(seconds=10),
        "I",
        "orchestrator.go:582",
        f"Final scale-up plan: [{{{asg_web} {web_now}->{want} (max: 24)}}]",
    )
    klog(
        onset + timedelta(seconds=11),
        "I",
        "executor.go:147",
        f"Scale-up: setting group {asg_web} size to {want}",
    )
    for i in range(2):
        ft = onset + timedelta(minutes=3 + 17 * i, seconds=rng.randint(0, 50))
        if ft >= now:
            break
        klog(
            ft,
            "W",
            "auto_scaling_groups.go:440",
            f"Instance group {asg_web} cannot provision any more nodes!",
        )
        klog(
            ft + timedelta(milliseconds=300),
            "W",
            "clusterstate.go:290",
            f"Disabling scale-up for node group {asg_web} until {iso(ft + timedelta(minutes=5))}; "
            "errorClass=OutOfResource; errorCode=placeholder-cannot-be-fulfilled",
        )
        klog(
            ft + timedelta(milliseconds=400),
            "I",
            "clusterstate.go:1154",
            f"Failed adding {want - web_now} nodes ({want - web_now} unseen previously) to group {asg_web} due to "
            'OutOfResource.placeholder-cannot-be-fulfilled; errorMessage: "AWS cannot provision any more '
            'instances for this node group"',
        )
        klog(
            ft + timedelta(seconds=62),
            "I",
            "orchestrator.go:582",
            f"Final scale-up plan: [{{{asg_web} {web_now}->{want} (max: 24)}}]",
        )
    # storefront app logs (sample)
    sf_pods = [f"storefront-{k.hexid(10)}-{k.hexid(5)}" for _ in range(4)]
    for p in sf_pods:
        node = rng.choice(web)
        tt = start + timedelta(seconds=rng.randint(0, 120))
        while tt < now:
            late = tt >= onset
            dur = rng.randint(900, 4200) if late else rng.randint(40, 260)
            status = 503 if late and rng.random() < 0.12 else 200
            cw_log(
                k,
                cluster,
                node,
                p,
                "web",
                "storefront",
                tt,
                f'{{"level":"info","time":{int(tt.timestamp() * 1000)},"pid":1,"hostname":"{p}","req":{{"method":"GET",'
                f'"url":"/api/catalog/{rng.choice(["listing", "product", "cart", "search"])}"}},"res":{{"statusCode":'
                f'{status}}},"responseTime":{dur},"msg":"request completed"}}',
            )
            tt += timedelta(seconds=rng.randint(20, 70) if not late else rng.randint(8, 25))

    # --- metrics -----------------------------------------------------------------------------------
    lat_series: dict[datetime, float] = {}
    t5_series: dict[datetime, float] = {}
    tm = start
    while tm <= now:
        ramp = max(0.0, (tm - onset).total_seconds() / 60)
        traffic = wave(tm, 7000, 3000, 23.5) + rng.uniform(-250, 250)
        over = tm >= onset
        lat = rng.uniform(0.09, 0.16) if not over else min(3.8, 0.35 + 0.07 * ramp + rng.uniform(-0.1, 0.3))
        t5 = (
            rng.choice([0, 0, 0, 1, 2]) if not over else traffic * min(0.09, 0.004 * ramp) + rng.uniform(0, 8)
        )
        e5 = 0 if not over else rng.choice([0, 1, 3, 6])
        pods = 18 + (tm >= web_add_times[0]) * 3 + (tm >= web_add_times[1]) * 3
        alb_minute(k, lbd, tgd, tm, traffic, lat, t5, e5, pods, 0)
        lat_series[tm] = round(lat, 4)
        if round(t5) > 0:
            t5_series[tm] = round(t5)
        n_web = (
            web0
            + (tm >= web_add_times[0] + timedelta(minutes=2))
            + (tm >= web_add_times[1] + timedelta(minutes=2))
        )
        n_ml = 1 if tm < ml_change + timedelta(minutes=2) else 4
        vcpu = other + 8 * n_web + 6 + 32 * n_ml
        k.metric(
            "AWS/Usage",
            "ResourceCount",
            {"Service": "EC2", "Type": "Resource", "Resource": "vCPU", "Class": "Standard/OnDemand"},
            tm,
            vcpu,
        )
        k.metric(
            "ContainerInsights", "cluster_node_count", {"ClusterName": cluster}, tm, n_web + 3 + n_ml, "Count"
        )
        k.metric("ContainerInsights", "cluster_failed_node_count", {"ClusterName": cluster}, tm, 0, "Count")
        pend = 0 if not over else min(14, 4 + int(ramp / 3))
        k.metric("ContainerInsights", "pod_status_pending", {"ClusterName": cluster}, tm, pend, "Count")
        k.metric(
            "ContainerInsights",
            "pod_cpu_utilization",
            {"ClusterName": cluster, "Namespace": "web", "PodName": "storefront"},
            tm,
            wave(tm, 45, 15, 23.5) + rng.uniform(-4, 4) + (25 if over else 0),
            "Percent",
        )
        live_web = [n for n in web + extra_web if n.launched <= tm]
        for n in live_web:
            k.metric(
                "ContainerInsights",
                "node_cpu_utilization",
                {"ClusterName": cluster, "InstanceId": n.id, "NodeName": n.name},
                tm,
                min(97.0, wave(tm, 48, 14, 23.5) + rng.uniform(-5, 5) + (30 if over else 0)),
                "Percent",
            )
        for n in [x for x in ml + extra_ml if x.launched <= tm]:
            k.metric(
                "ContainerInsights",
                "node_cpu_utilization",
                {"ClusterName": cluster, "InstanceId": n.id, "NodeName": n.name},
                tm,
                rng.uniform(70, 96),
                "Percent",
            )
        tm += timedelta(minutes=1)

    topic = f"arn:aws:sns:{k.region}:{acct}:storefront-oncall"
    lat_alarm = k.alarm(
        f"{cluster}-storefront-latency",
        "storefront ALB average target response time > 1s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lbd},
        "Average",
        60,
        3,
        3,
        1.0,
        "GreaterThanThreshold",
        lat_series,
        start,
        now,
        topic,
    )
    k.alarm(
        f"{cluster}-storefront-5xx",
        "storefront target 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lbd},
        "Sum",
        60,
        5,
        3,
        50,
        "GreaterThanThreshold",
        t5_series,
        start,
        now,
        topic,
        missing="notBreaching",
    )
    node_cpu = {
        datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")): m["value"]
        for m in k.metrics
        if m["metric"] == "node_cpu_utilization" and m["dimensions"]["InstanceId"] == extra_ml[0].id
    }
    k.alarm(
        f"{cluster}-ml-batch-node-cpu",
        "ml-batch node hot (informational)",
        "ContainerInsights",
        "node_cpu_utilization",
        {"ClusterName": cluster, "InstanceId": extra_ml[0].id, "NodeName": extra_ml[0].name},
        "Average",
        300,
        3,
        3,
        95.0,
        "GreaterThanThreshold",
        node_cpu,
        start,
        now,
        f"arn:aws:sns:{k.region}:{acct}:data-eng-alerts",
    )
    k.tooling_reads(
        start,
        now,
        [
            ("eks.amazonaws.com", "DescribeNodegroup", {"clusterName": cluster, "nodegroupName": "web"}),
            ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg}),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/ApplicationELB"}),
        ],
    )
    local = onset.astimezone(ZoneInfo("America/New_York")).strftime("%-I:%M%p").lower()
    question = (
        f"storefront has been crawling since ~{local} and we're throwing errors. HPA is maxing out replicas, "
        "shouldn't the cluster be adding nodes?? nothing was deployed tonight"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        question,
        "America/New_York",
        k.alarm_event(lat_alarm),
        {
            "no_fault": False,
            "root_cause": {
                "resource": QUOTA_CODE,
                "category": "limit",
                "failure_mode": "ec2-on-demand-vcpu-quota-exhausted",
            },
            "also_accept": [QUOTA_NAME, "vCPU quota", asg_web],
            "actions": ["scale"],
            "chain": [QUOTA_CODE, asg_web, "storefront", lbd],
        },
    )
