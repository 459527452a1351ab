"""No fault: the batch node group's CPU alarm pages in the small hours while the cluster grows from two to six
batch nodes; it is the nightly reconciliation CronJob, which does the same every night."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzd import UTC, Kit, Node, Platform, alb, alb_minute, cw_log, iso, wave

NAME = "batch-nodes-cpu-page-nightly-reconcile"
TITLE = "Paged for batch node CPU in the middle of the night; cluster tripled its batch nodes"
SUMMARY = (
    "The batch node group's CPU alarm and a scale-up from two to six nodes at night are the nightly "
    "ledger-reconcile CronJob, which runs and scales the same way every night; nothing is wrong."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "eu-south-2")
    rng = k.rng
    day = datetime(2026, rng.randint(1, 11), rng.randint(2, 27), tzinfo=UTC)
    sched_h, sched_m = 0, 30
    tonight = day + timedelta(hours=sched_h, minutes=sched_m)
    last_night = tonight - timedelta(days=1)
    run_len = [timedelta(minutes=rng.randint(62, 78)), timedelta(minutes=rng.randint(62, 78))]
    now = tonight + timedelta(minutes=rng.randint(50, 58))
    start = (last_night - timedelta(hours=rng.randint(2, 4))).replace(second=0)
    cluster = rng.choice(["ledger-prod", "fin-prod", "prod-finance"])
    plat = Platform(k, cluster)
    acct = k.account
    web = plat.nodes("web", "m7i.xlarge", 3, start)
    base = plat.nodes("batch", "c7i.4xlarge", 2, start)
    # burst nodes of each night
    burst: list[list[Node]] = []
    for night in (last_night, tonight):
        ns = []
        for _ in range(4):
            n = plat.nodes("batch", "c7i.4xlarge", 1, start)[0]
            n.launched = night + timedelta(minutes=1, seconds=rng.randint(20, 80))
            ns.append(n)
        burst.append(ns)
    ends = [last_night + run_len[0], tonight + run_len[1]]
    gone_at = {n.id: ends[0] + timedelta(minutes=rng.randint(11, 16)) for n in burst[0]}
    created = start - timedelta(days=rng.randint(200, 500))
    plat.describe(created, {"web": (3, 9, 3), "batch": (2, 8, 6)}, gone=set(gone_at))
    _lb, lbd, _tg, tgd = alb(k, plat, "ledger-web", "ledger", "ledger-web", 8080, created + timedelta(days=8))
    asg = plat.asg["batch"]
    asg_arn = f"arn:aws:autoscaling:{k.region}:{acct}:autoScalingGroup:{k.uid()}:autoScalingGroupName/{asg}"
    for n in burst[0]:
        dead = plat.instance_item(n, "batch", "lt-0" + k.hexid(16))
        dead["State"] = {"Code": 48, "Name": "terminated"}
        dead["StateTransitionReason"] = f"User initiated ({gone_at[n.id]:%Y-%m-%d %H:%M:%S} GMT)"
        dead.pop("PrivateIpAddress")
        dead["PrivateDnsName"] = ""
        k.res("ec2", "Instance", dead)
    k.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/containerinsights/{cluster}/application",
            "retentionInDays": 30,
            "creationTime": int(created.timestamp() * 1000),
            "storedBytes": 12_448_120_337,
        },
    )

    # --- CloudTrail --------------------------------------------------------------------------------
    ca = k.role_identity(f"{cluster}-cluster-autoscaler", "1" + k.hexid(8))
    ca_agent = "aws-sdk-go/1.44.241 (go1.22.5; linux; amd64) cluster-autoscaler/v1.30.2"
    slr = k.role_identity(
        "AWSServiceRoleForAutoScaling", "AutoScaling", "/aws-service-role/autoscaling.amazonaws.com/"
    )
    ca_ip = k.private_ip(33)
    for i, (night, ns) in enumerate(zip((last_night, tonight), burst, strict=True)):
        k.ct(
            night + timedelta(seconds=48),
            "autoscaling.amazonaws.com",
            "SetDesiredCapacity",
            ca,
            {"autoScalingGroupName": asg, "desiredCapacity": 6, "honorCooldown": False},
            None,
            ip=ca_ip,
            agent=ca_agent,
        )
        for j, n in enumerate(ns):
            k.ct(
                n.launched - timedelta(seconds=3),
                "ec2.amazonaws.com",
                "RunInstances",
                slr,
                {
                    "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                    "instanceType": "c7i.4xlarge",
                    "clientToken": k.uid(),
                },
                {
                    "requestId": k.uid(),
                    "reservationId": "r-0" + k.hexid(16),
                    "ownerId": acct,
                    "groupSet": {},
                    "instancesSet": {"items": [{"instanceId": n.id, "instanceType": "c7i.4xlarge"}]},
                },
                invoked_by="autoscaling.amazonaws.com",
            )
            k.event(
                "autoscaling",
                {
                    "ActivityId": k.uid(),
                    "AutoScalingGroupName": asg,
                    "AutoScalingGroupARN": asg_arn,
                    "Description": f"Launching a new EC2 instance: {n.id}",
                    "Cause": f"At {iso(night + timedelta(seconds=48))} a user request explicitly set group desired capacity "
                    f"changing the desired capacity from 2 to 6.  At {iso(n.launched - timedelta(seconds=4))} an instance "
                    f"was started in response to a difference between desired and actual capacity, increasing the "
                    f"capacity from {2 + j} to 6.",
                    "StartTime": iso(n.launched - timedelta(seconds=4)),
                    "EndTime": iso(n.launched + timedelta(seconds=40)),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": '{"Subnet ID":"'
                    + plat.subnets[n.az]
                    + '","Availability Zone":"'
                    + n.az
                    + '"}',
                },
            )
            node_ident = k.role_identity(plat.node_role, n.id)
            k.ct(
                n.launched + timedelta(seconds=95),
                "ecr.amazonaws.com",
                "BatchGetImage",
                node_ident,
                {
                    "repositoryName": "finance/ledger-reconcile",
                    "registryId": acct,
                    "imageIds": [{"imageTag": "3.14.2"}],
                },
                None,
                read_only=True,
                ip=n.ip,
                agent="containerd/1.7.20",
            )
        if i == 0:
            for j, n in enumerate(ns):
                t = gone_at[n.id]
                k.ct(
                    t,
                    "autoscaling.amazonaws.com",
                    "TerminateInstanceInAutoScalingGroup",
                    ca,
                    {"instanceId": n.id, "shouldDecrementDesiredCapacity": True},
                    {
                        "activity": {
                            "activityId": k.uid(),
                            "autoScalingGroupName": asg,
                            "statusCode": "InProgress",
                            "description": f"Terminating EC2 instance: {n.id}",
                            "progress": 0,
                        }
                    },
                    ip=ca_ip,
                    agent=ca_agent,
                )
                k.event(
                    "autoscaling",
                    {
                        "ActivityId": k.uid(),
                        "AutoScalingGroupName": asg,
                        "AutoScalingGroupARN": asg_arn,
                        "Description": f"Terminating EC2 instance: {n.id}",
                        "Cause": f"At {iso(t)} instance {n.id} was taken out of service in response to a user request, "
                        f"shrinking the capacity from {6 - j} to {5 - j}.",
                        "StartTime": iso(t),
                        "EndTime": iso(t + timedelta(minutes=1, seconds=rng.randint(5, 50))),
                        "StatusCode": "Successful",
                        "Progress": 100,
                        "Details": '{"Subnet ID":"'
                        + plat.subnets[n.az]
                        + '","Availability Zone":"'
                        + n.az
                        + '"}',
                    },
                )
    # daytime deploys and config edits (yesterday)
    ci = k.role_identity("github-actions-deploy", "GitHubActions")
    for h in sorted(rng.sample(range(6, 16), 3)):
        t = last_night.replace(hour=0, minute=0) + timedelta(hours=h, minutes=rng.randint(0, 59))
        if t >= start:
            k.ct(
                t,
                "ecr.amazonaws.com",
                "PutImage",
                ci,
                {
                    "repositoryName": rng.choice(["ledger/ledger-web", "ledger/ledger-api"]),
                    "imageTag": f"1.{rng.randint(80, 99)}.{rng.randint(0, 9)}",
                    "registryId": acct,
                },
                {
                    "image": {
                        "registryId": acct,
                        "repositoryName": "ledger/ledger-web",
                        "imageId": {"imageDigest": "sha256:" + k.hexid(64)},
                    }
                },
                ip="4.208.26.197",
                agent="aws-sdk-js/3.609.0 ua/2.0 os/linux lang/js md/nodejs#20.15.1 api/ecr#3.609.0",
            )
    ana = k.sso_identity(rng.choice(["c.ruiz", "i.moreno", "v.serra"]) + "@quillfin.es", "PlatformAdmin")
    k.ct(
        tonight - timedelta(hours=rng.randint(5, 8)),
        "eks.amazonaws.com",
        "UpdateAddon",
        ana,
        {
            "name": cluster,
            "addonName": "coredns",
            "addonVersion": "v1.11.3-eksbuild.2",
            "resolveConflicts": "PRESERVE",
            "clientRequestToken": k.uid(),
        },
        {
            "update": {
                "id": k.uid(),
                "status": "InProgress",
                "type": "AddonUpdate",
                "params": [
                    {"type": "AddonVersion", "value": "v1.11.3-eksbuild.2"},
                    {"type": "ResolveConflicts", "value": "PRESERVE"},
                ],
                "createdAt": iso(tonight),
            }
        },
        ip="88.12.190.4",
        agent="aws-cli/2.17.20 cmd/eks.update-addon",
    )
    k.tooling_reads(
        start,
        now,
        [
            ("eks.amazonaws.com", "DescribeCluster", {"name": cluster}),
            ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {}),
        ],
    )

    # --- logs --------------------------------------------------------------------------------------
    ca_pod = f"cluster-autoscaler-{k.hexid(10)}-{k.hexid(5)}"

    def klog(t: datetime, lvl: str, src: str, text: str) -> None:
        cw_log(
            k,
            cluster,
            web[0],
            ca_pod,
            "kube-system",
            "cluster-autoscaler",
            t,
            f"{lvl}{t:%m%d %H:%M:%S}.{t.microsecond:06d}       1 {src}] {text}",
            "stderr",
        )

    for i, (night, ns) in enumerate(zip((last_night, tonight), burst, strict=True)):
        job = f"ledger-reconcile-{int((night - timedelta(minutes=0)).timestamp()) // 60}"
        klog(
            night + timedelta(seconds=46),
            "I",
            "orchestrator.go:582",
            f"Final scale-up plan: [{{{asg} 2->6 (max: 8)}}]",
        )
        klog(
            night + timedelta(seconds=47), "I", "executor.go:147", f"Scale-up: setting group {asg} size to 6"
        )
        if i == 0:
            for n in ns:
                t = gone_at[n.id]
                klog(
                    t - timedelta(seconds=2),
                    "I",
                    "delete.go:104",
                    f'Scale-down: removing empty node "{n.name}"',
                )
                klog(
                    t - timedelta(seconds=1),
                    "I",
                    "actuator.go:161",
                    f"Scale-down: removing node {n.name}, utilization: {{0.03 0.02 0 cpu 0.03}}, pods to reschedule: ",
                )
        business = (night - timedelta(days=1)).date().isoformat()
        workers = [(f"{job}-{k.hexid(5)}", n) for n in ns + base[:1]]
        for w, (pod, node) in enumerate(workers):
            t = night + timedelta(minutes=3, seconds=rng.randint(0, 90))
            line = (
                f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO reconcile.main worker={w} business_date={business} "
                f"partitions={w * 10}-{w * 10 + 9} starting"
            )
            cw_log(k, cluster, node, pod, "finance", "reconcile", t, line)
            end = ends[i] - timedelta(seconds=rng.randint(10, 200))
            p = 0
            while t < min(end, now) and p < 10:
                t += (end - night) / 11
                if t >= now:
                    break
                cw_log(
                    k,
                    cluster,
                    node,
                    pod,
                    "finance",
                    "reconcile",
                    t,
                    f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO reconcile.partition worker={w} "
                    f"partition={w * 10 + p} rows={rng.randint(800_000, 1_900_000)} mismatches={rng.choice([0, 0, 0, 1, 2])} "
                    f"elapsed={rng.uniform(300, 420):.1f}s",
                )
                p += 1
            if end < now:
                cw_log(
                    k,
                    cluster,
                    node,
                    pod,
                    "finance",
                    "reconcile",
                    end,
                    f"{end:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO reconcile.main worker={w} done partitions=10 "
                    f"status=OK",
                )

    # --- metrics -----------------------------------------------------------------------------------
    cpu_series: dict[datetime, float] = {}
    tm = start
    while tm <= now:
        running = any(n <= tm < e for n, e in zip((last_night, tonight), ends, strict=True))
        warm = any(
            n + timedelta(minutes=4) <= tm < e for n, e in zip((last_night, tonight), ends, strict=True)
        )
        live_burst = [
            n for ns in burst for n in ns if n.launched <= tm and tm < gone_at.get(n.id, now + timedelta(1))
        ]
        if tm.minute % 5 == 0:
            cpu = rng.uniform(82, 93) if warm else rng.uniform(40, 60) if running else rng.uniform(3, 9)
            k.metric("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": asg}, tm, cpu, "Percent")
            cpu_series[tm] = round(cpu, 4)
            k.metric(
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": plat.asg["web"]},
                tm,
                wave(tm, 22, 10, 12) + rng.uniform(-3, 3),
                "Percent",
            )
            k.metric(
                "AWS/EC2",
                "NetworkIn",
                {"AutoScalingGroupName": asg},
                tm,
                rng.uniform(2.2e9, 3.1e9) if warm else rng.uniform(1.0e7, 3.0e7),
                "Bytes",
            )
        k.metric(
            "ContainerInsights",
            "cluster_node_count",
            {"ClusterName": cluster},
            tm,
            5 + len(live_burst),
            "Count",
        )
        k.metric("ContainerInsights", "cluster_failed_node_count", {"ClusterName": cluster}, tm, 0, "Count")
        k.metric(
            "ContainerInsights",
            "pod_status_pending",
            {"ClusterName": cluster},
            tm,
            4 if any(n <= tm < n + timedelta(minutes=3) for n in (last_night, tonight)) else 0,
            "Count",
        )
        req = max(20.0, wave(tm, 900, 800, 12) + rng.uniform(-40, 40))
        alb_minute(k, lbd, tgd, tm, req, rng.uniform(0.05, 0.09), rng.choice([0, 0, 0, 0, 1]), 0, 3, 0)
        tm += timedelta(minutes=1)

    topic = f"arn:aws:sns:{k.region}:{acct}:platform-pager"
    alarm = k.alarm(
        f"{cluster}-batch-nodes-cpu-high",
        "Batch node group average CPU above 75%",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg},
        "Average",
        300,
        3,
        3,
        75.0,
        "GreaterThanThreshold",
        cpu_series,
        start,
        now,
        topic,
    )
    web5: dict[datetime, float] = {}
    for point in k.metrics:
        if point["metric"] == "HTTPCode_Target_5XX_Count" and "TargetGroup" not in point["dimensions"]:
            web5[datetime.fromisoformat(point["timestamp"].replace("Z", "+00:00"))] = point["value"]
    k.alarm(
        f"{cluster}-ledger-web-5xx",
        "ledger-web target 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lbd},
        "Sum",
        60,
        3,
        2,
        10,
        "GreaterThanThreshold",
        web5,
        start,
        now,
        f"arn:aws:sns:{k.region}:{acct}:ledger-team",
        missing="notBreaching",
    )
    fired = [x for x in alarm["transitions"] if x[2] == "ALARM"][-1][0]
    local = fired.astimezone(ZoneInfo("Europe/Madrid")).strftime("%-I:%M")
    question = (
        f"got paged at {local} for batch node CPU and the batch nodegroup went from 2 to 6 nodes. nobody deploys at "
        "this hour. is something runaway in the cluster? should I scale it back down?"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        question,
        "Europe/Madrid",
        k.alarm_event(alarm),
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
