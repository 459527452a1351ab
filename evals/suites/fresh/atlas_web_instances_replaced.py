"""Several web instances terminated and replaced mid-morning with nobody touching the group."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzs import (
    Kit,
    Rec,
    activity,
    alb,
    asg_item,
    instance,
    instance_status,
    iso,
    launch_template,
    target_group,
    target_health,
)

NAME = "atlas-web-instances-replaced"
TITLE = "atlas-web instances terminated and replaced by themselves this morning; is something killing them?"
SUMMARY = (
    "Capacity Rebalancing proactively replaced Spot web instances after EC2 rebalance recommendations: "
    "replacements were launched and healthy before the old ones drained; users saw nothing."
)

ASG = "atlas-web"
TYPES = ["m5.xlarge", "m6i.xlarge", "m5a.xlarge", "m6a.xlarge"]


def build(seed: int) -> Bundle:
    kit = Kit(seed, "us-west-2", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    rng = kit.rng
    day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randrange(0, 280))
    onset = day.replace(
        hour=16 + rng.randrange(0, 3), minute=rng.randrange(0, 59), second=rng.randrange(0, 59)
    )
    start = (onset - timedelta(hours=3, minutes=35 + rng.randrange(0, 20))).replace(second=0)
    now = onset + timedelta(minutes=50 + rng.randrange(0, 30))
    kit.window(start, now)
    acct = kit.account
    topic = f"arn:aws:sns:{kit.region}:{acct}:atlas-alerts"
    tz = "America/Los_Angeles"

    vpc = "vpc-0" + kit.hexid(16)
    azs = ["us-west-2a", "us-west-2b", "us-west-2c"]
    subnets = ["subnet-0" + kit.hexid(16) for _ in azs]
    pub = ["subnet-0" + kit.hexid(16) for _ in azs]
    web_sg, alb_sg = "sg-0" + kit.hexid(16), "sg-0" + kit.hexid(16)
    lt_id = "lt-0" + kit.hexid(16)
    lt_ver = rng.randrange(10, 80)
    ami = "ami-0" + kit.hexid(16)
    lb_arn, lb_dim = alb(
        kit, "atlas-web", vpc, list(zip(pub, azs, strict=True)), alb_sg, start - timedelta(days=600)
    )
    tg_arn, tg_dim = target_group(kit, "atlas-web-tg", vpc, lb_arn, 3000, "/health")
    launch_template(
        kit,
        "atlas-web",
        lt_id,
        start - timedelta(days=600),
        lt_ver,
        lt_ver,
        f"arn:aws:iam::{acct}:role/atlas-deploy",
    )
    n = rng.randrange(6, 9)
    pool_az = rng.choice(azs)
    pool_type = rng.choice(TYPES[:2])
    members: list[tuple[str, str, str, datetime, bool]] = []
    for i in range(n):
        iid = kit.iid()
        spot = i >= 2
        if spot and i < 5:
            az, typ = pool_az, pool_type
        else:
            az, typ = azs[i % 3], rng.choice(TYPES)
        members.append((iid, typ, az, start - timedelta(hours=rng.randrange(6, 400)), spot))
    k = rng.randrange(2, 4)
    replaced = [m for m in members if m[4] and m[1] == pool_type and m[2] == pool_az][:k]
    rec_t = {m[0]: onset + timedelta(seconds=rng.randrange(0, 100)) for m in replaced}
    new: list[tuple[str, str, str, datetime, str]] = []
    for m in replaced:
        nt = rng.choice([t for t in TYPES if t != pool_type])
        naz = rng.choice([a for a in azs if a != pool_az])
        new.append((kit.iid(), nt, naz, rec_t[m[0]] + timedelta(seconds=rng.randrange(15, 40)), m[0]))
    inservice = {nid: lt + timedelta(minutes=4, seconds=rng.randrange(0, 60)) for nid, _, _, lt, _ in new}
    term = {old: inservice[nid] + timedelta(seconds=rng.randrange(5, 30)) for nid, _, _, _, old in new}
    gone = {old: t + timedelta(seconds=300) for old, t in term.items()}  # deregistration delay

    tags = {
        "Name": "atlas-web",
        "app": "atlas",
        "aws:autoscaling:groupName": ASG,
        "aws:ec2launchtemplate:id": lt_id,
        "aws:ec2launchtemplate:version": str(lt_ver),
    }
    for iid, typ, az, lt, spot in members:
        if iid in term and gone[iid] <= now:
            item = instance(
                kit,
                iid,
                typ,
                ami,
                subnets[azs.index(az)],
                vpc,
                az,
                [(web_sg, "atlas-web")],
                tags,
                lt,
                "atlas-web",
                spot=spot,
                state="terminated",
            )
            item["StateReason"] = {
                "Code": "Client.UserInitiatedShutdown",
                "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
            }
            item["StateTransitionReason"] = f"User initiated ({term[iid]:%Y-%m-%d %H:%M:%S} GMT)"
        else:
            instance(
                kit,
                iid,
                typ,
                ami,
                subnets[azs.index(az)],
                vpc,
                az,
                [(web_sg, "atlas-web")],
                tags,
                lt,
                "atlas-web",
                spot=spot,
            )
            instance_status(kit, iid, az)
    for nid, typ, az, lt, _ in new:
        instance(
            kit,
            nid,
            typ,
            ami,
            subnets[azs.index(az)],
            vpc,
            az,
            [(web_sg, "atlas-web")],
            tags,
            lt,
            "atlas-web",
            spot=True,
        )
        instance_status(kit, nid, az)
    cur = [(m[0], m[1], m[2], True) for m in members if m[0] not in term] + [
        (nid, typ, az, True) for nid, typ, az, _, _ in new
    ]
    asg_item(
        kit,
        ASG,
        lt_id,
        "atlas-web",
        cur,
        TYPES,
        subnets,
        azs,
        [tg_arn],
        n,
        4,
        16,
        2,
        0,
        start - timedelta(days=600),
        {"app": "atlas"},
        rebalance=True,
    )
    # a jobs box and a bastion
    jobs = kit.iid()
    instance(
        kit,
        jobs,
        "t3.large",
        ami,
        subnets[0],
        vpc,
        azs[0],
        [(web_sg, "atlas-web")],
        {"Name": "atlas-jobs", "app": "atlas"},
        start - timedelta(days=33),
        "atlas-jobs",
    )
    instance_status(kit, jobs, azs[0])

    # --- target health ----------------------------------------------------------------------------
    for iid, _, _, lt, _ in members:
        target_health(
            kit, tg_arn, iid, 3000, max(lt, start - timedelta(hours=6)) + timedelta(minutes=3), "healthy"
        )
        if iid in term:
            target_health(
                kit,
                tg_arn,
                iid,
                3000,
                term[iid] - timedelta(seconds=20),
                "draining",
                "Target.DeregistrationInProgress",
            )
            target_health(kit, tg_arn, iid, 3000, gone[iid], "unused", "Target.NotRegistered")
    for nid, _, _, lt, _ in new:
        target_health(
            kit, tg_arn, nid, 3000, lt + timedelta(seconds=70), "initial", "Elb.RegistrationInProgress"
        )
        target_health(kit, tg_arn, nid, 3000, inservice[nid] - timedelta(seconds=10), "healthy")

    # --- autoscaling activities -------------------------------------------------------------------
    for iid, _, az, lt, _ in members:
        if lt >= start - timedelta(hours=24):
            activity(
                kit,
                ASG,
                lt,
                lt + timedelta(minutes=1),
                f"Launching a new EC2 instance: {iid}",
                f"At {iso(lt - timedelta(seconds=8))} an instance was started in response to a difference "
                f"between desired and actual capacity, increasing the capacity from {n - 1} to {n}.",
                details={"Subnet ID": subnets[azs.index(az)], "Availability Zone": az},
            )
    for nid, _, az, lt, old in new:
        activity(
            kit,
            ASG,
            lt,
            inservice[nid],
            f"Launching a new EC2 instance: {nid}",
            f"At {iso(rec_t[old])} an instance was launched in response to an EC2 instance rebalance "
            "recommendation.",
            details={"Subnet ID": subnets[azs.index(az)], "Availability Zone": az},
        )
        oaz = pool_az
        activity(
            kit,
            ASG,
            term[old],
            gone[old] + timedelta(seconds=20) if gone[old] <= now else None,
            f"Terminating EC2 instance: {old}",
            f"At {iso(term[old] - timedelta(seconds=2))} an instance was taken out of service in response to an "
            "EC2 instance rebalance recommendation.",
            code="Successful" if gone[old] <= now else "WaitingForELBConnectionDraining",
            details={"Subnet ID": subnets[azs.index(oaz)], "Availability Zone": oaz},
        )

    # --- CloudTrail --------------------------------------------------------------------------------
    svc = kit.asg_role()
    for nid, typ, az, lt, old in new:
        kit.ct(
            lt - timedelta(seconds=2),
            "ec2.amazonaws.com",
            "CreateFleet",
            svc,
            {
                "CreateFleetRequest": {
                    "Type": "instant",
                    "TargetCapacitySpecification": {
                        "DefaultTargetCapacityType": "spot",
                        "TotalTargetCapacity": 1,
                    },
                    "SpotOptions": {"AllocationStrategy": "price-capacity-optimized"},
                    "LaunchTemplateConfigs": {
                        "LaunchTemplateSpecification": {"LaunchTemplateId": lt_id, "Version": str(lt_ver)},
                        "Overrides": [{"InstanceType": t, "tag": j + 1} for j, t in enumerate(TYPES)],
                        "tag": 1,
                    },
                    "ClientToken": kit.uid(),
                }
            },
            {
                "CreateFleetResponse": {
                    "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                    "requestId": kit.uid(),
                    "fleetId": "fleet-" + kit.uid(),
                    "errorSet": "",
                    "fleetInstanceSet": {
                        "item": [
                            {
                                "instanceIds": {"item": [nid]},
                                "instanceType": typ,
                                "lifecycle": "spot",
                                "launchTemplateAndOverrides": {
                                    "overrides": {"instanceType": typ, "availabilityZone": az}
                                },
                            }
                        ]
                    },
                }
            },
        )
        kit.ct(
            term[old],
            "ec2.amazonaws.com",
            "TerminateInstances",
            svc,
            {"instancesSet": {"items": [{"instanceId": old}]}},
            {
                "requestId": kit.uid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": old,
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                    ]
                },
            },
        )
        kit.ct(
            term[old] - timedelta(seconds=21),
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            svc,
            {"targetGroupArn": tg_arn, "targets": [{"id": old}]},
            None,
        )
        kit.ct(
            lt + timedelta(seconds=65),
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            svc,
            {"targetGroupArn": tg_arn, "targets": [{"id": nid}]},
            None,
        )
    dev = kit.sso("sam.ortiz@atlas.example", "Developer")
    victim = rng.choice([m[0] for m in members if m[0] not in term])
    t_ss = onset - timedelta(minutes=rng.randrange(15, 40))
    sid = f"sam.ortiz@atlas.example-{kit.hexid(17)}"
    kit.ct(
        t_ss,
        "ssm.amazonaws.com",
        "StartSession",
        dev,
        {"target": victim},
        {
            "sessionId": sid,
            "tokenValue": "Value hidden due to security reasons.",
            "streamUrl": f"wss://ssmmessages.{kit.region}.amazonaws.com/v1/data-channel/{sid}?role=publish_subscribe",
        },
    )
    kit.ct(
        t_ss + timedelta(minutes=rng.randrange(6, 14)),
        "ssm.amazonaws.com",
        "TerminateSession",
        dev,
        {"sessionId": sid},
        {"sessionId": sid},
    )
    ops = kit.role("atlas-deploy", "github-actions")
    kit.ct(
        onset - timedelta(minutes=rng.randrange(60, 150)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        ops,
        {
            "groupId": alb_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]},
                    }
                ]
            },
        },
        {"requestId": kit.uid(), "_return": True},
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
        src_ip="4.227.10.2",
    )
    kit.ct(
        onset + timedelta(minutes=rng.randrange(20, 30)),
        "autoscaling.amazonaws.com",
        "DescribeScalingActivities",
        dev,
        {"autoScalingGroupName": ASG},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Safari/605.1.15",
    )
    mon = kit.role("atlas-observability", "prometheus-cloudwatch-exporter")
    kit.noise_reads(
        [
            (
                mon,
                "aws-sdk-java/2.21.10 Linux/6.1.66 OpenJDK_64-Bit_Server_VM/17.0.9 cloudwatch_exporter/0.15.5",
                kit.ip(),
            )
        ],
        5,
        [
            ("monitoring.amazonaws.com", "GetMetricData", {"maxDatapoints": 100800}),
            ("tagging.amazonaws.com", "GetResources", {"resourceTypeFilters": ["ec2:instance"]}),
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        ],
    )

    # --- metrics ------------------------------------------------------------------------------------
    def alive(iid: str, t: datetime) -> bool:
        return iid not in term or t < term[iid]

    def healthy_count(t: datetime) -> int:
        c = sum(1 for m in members if alive(m[0], t - timedelta(seconds=20)))
        c += sum(1 for nid in inservice if t >= inservice[nid] - timedelta(seconds=10))
        return c

    def load(t: datetime) -> float:
        h = t.astimezone(ZoneInfo(tz)).hour + t.minute / 60
        return 0.55 + 0.45 * math.sin((h - 7) / 13 * math.pi) if 7 <= h <= 20 else 0.4

    elb = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    t = start
    while t <= now:
        req = 2600 * load(t) + rng.uniform(-100, 100)
        kit.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": elb,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(req),
            }
        )
        kit.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(req),
            }
        )
        kit.dist(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "Seconds",
            t,
            [rng.lognormvariate(math.log(0.11), 0.5) for _ in range(40)],
        )
        e5 = rng.choice([0, 0, 0, 1, 1, 2, 4])
        if e5:
            kit.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": tgd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": float(e5),
                }
            )
        hc = healthy_count(t)
        kit.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HealthyHostCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": float(hc),
            }
        )
        kit.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "UnHealthyHostCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": 0.0,
            }
        )
        total = sum(1 for m in members if m[0] not in gone or t < gone[m[0]]) + sum(
            1 for x in new if t >= x[3]
        )
        insvc = sum(1 for m in members if alive(m[0], t)) + sum(1 for nid in inservice if t >= inservice[nid])
        for metric, val in (
            ("GroupDesiredCapacity", n),
            ("GroupInServiceInstances", insvc),
            ("GroupTotalInstances", total),
            ("GroupPendingInstances", sum(1 for x in new if x[3] <= t < inservice[x[0]])),
        ):
            kit.metrics.append(
                {
                    "namespace": "AWS/AutoScaling",
                    "metric": metric,
                    "dimensions": {"AutoScalingGroupName": ASG},
                    "timestamp": iso(t),
                    "unit": "None",
                    "value": float(val),
                }
            )
        t += timedelta(minutes=1)
    for iid, *_ in members:

        def old_cpu(t: datetime, iid: str = iid) -> float | None:
            if not alive(iid, t):
                return None
            return (25 * load(t) + rng.uniform(-3, 3)) * n / max(1, healthy_count(t))

        kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", old_cpu)
    for nid, _, _, lt, _ in new:

        def new_cpu(t: datetime, lt: datetime = lt) -> float | None:
            return (25 * load(t) + rng.uniform(-3, 3)) if t >= lt + timedelta(minutes=1) else None

        kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": nid}, "Percent", new_cpu)
    kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": jobs}, "Percent", lambda t: rng.uniform(3, 12))

    # --- alarms -------------------------------------------------------------------------------------
    a1 = kit.alarm(
        "atlas-web-5xx-rate",
        "atlas-web target 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        3,
        50,
        "GreaterThanThreshold",
        topic,
        missing="notBreaching",
    )
    a2 = kit.alarm(
        "atlas-web-p95",
        "atlas-web p95 latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "p95",
        60,
        5,
        1.0,
        "GreaterThanThreshold",
        topic,
    )
    a3 = kit.alarm(
        "atlas-web-healthy-hosts",
        "atlas-web healthy hosts below 3",
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Minimum",
        60,
        2,
        3,
        "LessThanThreshold",
        topic,
        missing="breaching",
    )
    for a in (a1, a2, a3):
        kit.evaluate(a)

    # --- logs ---------------------------------------------------------------------------------------
    for iid, _, _, lt, _ in [*members, *((x[0], x[1], x[2], x[3], True) for x in new)]:
        grp = "/atlas/web"
        tt = max(start, lt + timedelta(seconds=90)) + timedelta(seconds=rng.randrange(0, 60))
        end = term.get(iid, now)
        while tt < end:
            kit.log(
                grp,
                iid,
                tt,
                '{"level":30,"time":'
                + str(int(tt.timestamp() * 1000))
                + ',"pid":'
                + str(rng.randrange(7, 40))
                + ',"hostname":"'
                + iid
                + '","msg":"request completed","req":{"method":'
                '"GET","url":"/api/docs/'
                + kit.hexid(8)
                + '"},"res":{"statusCode":200},"responseTime":'
                + str(rng.randrange(20, 400))
                + "}",
            )
            tt += timedelta(seconds=rng.randrange(60, 240))
        if iid in term:
            kit.log(
                grp,
                iid,
                term[iid] + timedelta(seconds=1),
                '{"level":30,"time":'
                + str(int(term[iid].timestamp() * 1000) + 1000)
                + ',"pid":1,"hostname":"'
                + iid
                + '","msg":"SIGTERM received, closing server"}',
            )

    local = min(term.values()).astimezone(ZoneInfo(tz))
    question = (
        f"Just noticed {len(new)} of our atlas-web instances were terminated around {local:%-I:%M %p} and new ones "
        "came up in their place. Nobody on the team did that and there was no deploy. Is something killing our "
        "instances? Should we be worried?"
    )
    truth: Rec = {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []}
    return kit.bundle(TITLE, {"question": question, "timezone": tz}, truth)
