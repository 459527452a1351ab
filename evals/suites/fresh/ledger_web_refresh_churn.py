"""An instance refresh rolls a new launch-template version whose AMI cannot run the app; new instances churn."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh import _kit_a as k

NAME = "ledger-web-refresh-churn"
TITLE = "ledger-web unhealthy targets alarm during the morning"
SUMMARY = (
    "CI created launch template version N+1 with a freshly baked AMI and started an instance refresh; the "
    "AMI ships Java 17 while the jar needs 21, so every new instance fails ELB health checks and the ASG "
    "churns replacements while half the fleet serves the traffic."
)


def build(seed: int) -> Bundle:
    ctx = k.new_ctx(NAME, seed)
    rng = ctx.rng
    day = k.pick_day(ctx)
    offset_h = {"us-east-1": -4, "us-east-2": -5, "us-west-2": -7, "eu-west-1": 1, "eu-central-1": 2}[
        ctx.region
    ]
    t_lt = (day + timedelta(hours=10 - offset_h + rng.uniform(-0.5, 1.5))).replace(microsecond=0)
    t_r = t_lt + timedelta(seconds=rng.randint(35, 140))
    ctx.start = k.floor_min(t_lt - timedelta(hours=rng.uniform(5.5, 7.5))).replace(minute=0)
    ctx.fine_from = ctx.start + timedelta(hours=2)
    ctx.now = k.floor_min(t_r + timedelta(minutes=rng.randint(38, 55)))
    N = ctx.minutes()

    net = k.network(ctx, "ledger-prod")
    alb_sg = k.security_group(ctx, net, "ledger-prod-alb", "ledger-prod ALB", [(443, 443, "0.0.0.0/0")])
    web_sg = k.security_group(ctx, net, "ledger-web", "ledger-web instances", [(8080, 8080, alb_sg)])
    lb = k.load_balancer(
        ctx, net, "ledger-prod", alb_sg, created=ctx.start - timedelta(days=rng.randint(200, 900))
    )
    tg = k.target_group(
        ctx, net, "ledger-web-prod", 8080, lb, path="/actuator/health/readiness", interval=15, unhealthy=2
    )
    k.listener(ctx, lb, tg)

    lt_id = ctx.rid("lt")
    lt_name = "ledger-web-prod"
    v_old = rng.randint(28, 60)
    v_new = v_old + 1
    ami_old, ami_new = ctx.rid("ami"), ctx.rid("ami")
    baked_old = t_lt - timedelta(days=rng.randint(12, 30), hours=rng.randint(0, 8))
    baked_new = t_lt - timedelta(minutes=rng.randint(25, 70))
    for ami, baked in ((ami_old, baked_old), (ami_new, baked_new)):
        ctx.res(
            "ec2",
            "Image",
            {
                "ImageId": ami,
                "ImageLocation": f"{ctx.account}/ledger-web-{baked:%Y.%m.%d-%H%M}",
                "State": "available",
                "OwnerId": ctx.account,
                "CreationDate": k.iso_ms(baked),
                "Public": False,
                "Architecture": "x86_64",
                "ImageType": "machine",
                "Name": f"ledger-web-{baked:%Y.%m.%d-%H%M}",
                "Description": "ledger-web application image (packer)",
                "RootDeviceName": "/dev/xvda",
                "RootDeviceType": "ebs",
                "VirtualizationType": "hvm",
                "Hypervisor": "xen",
                "EnaSupport": True,
                "SriovNetSupport": "simple",
                "BootMode": "uefi-preferred",
                "PlatformDetails": "Linux/UNIX",
                "UsageOperation": "RunInstances",
                "ImdsSupport": "v2.0",
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "DeleteOnTermination": True,
                            "SnapshotId": ctx.rid("snap"),
                            "VolumeSize": 20,
                            "VolumeType": "gp3",
                            "Encrypted": True,
                            "Iops": 3000,
                            "Throughput": 125,
                        },
                    }
                ],
                "Tags": [
                    {"Key": "packer-build", "Value": str(rng.randint(900, 2400))},
                    {"Key": "git-sha", "Value": ctx.hex(7)},
                    {
                        "Key": "base",
                        "Value": "al2023-ami-2023.4.20240" + rng.choice(["429.0", "513.0", "416.0"]),
                    },
                ],
            },
        )
    ci = k.gha(ctx, "gha-ledger-web-release", "ledger-web")

    def lt_data(ami: str) -> dict[str, Any]:
        return {
            "ImageId": ami,
            "InstanceType": "m6i.large",
            "IamInstanceProfile": {"Name": "ledger-web-prod"},
            "SecurityGroupIds": [web_sg],
            "EbsOptimized": True,
            "Monitoring": {"Enabled": True},
            "MetadataOptions": {
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
            "TagSpecifications": [
                {
                    "ResourceType": "instance",
                    "Tags": [{"Key": "service", "Value": "ledger-web"}, {"Key": "env", "Value": "prod"}],
                }
            ],
        }

    ctx.res(
        "ec2",
        "LaunchTemplate",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": lt_name,
            "CreateTime": k.iso_ms(ctx.start - timedelta(days=400)),
            "CreatedBy": f"arn:aws:sts::{ctx.account}:assumed-role/atlantis-apply/atlantis-1690000000",
            "DefaultVersionNumber": 1,
            "LatestVersionNumber": v_new,
        },
    )
    ci_arn = ci.identity["arn"]
    ctx.res(
        "ec2",
        "LaunchTemplateVersion",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": lt_name,
            "VersionNumber": v_old,
            "VersionDescription": f"ledger-web {baked_old:%Y.%m.%d-%H%M}",
            "CreateTime": k.iso_ms(baked_old + timedelta(minutes=20)),
            "CreatedBy": ci_arn,
            "DefaultVersion": False,
            "LaunchTemplateData": lt_data(ami_old),
        },
    )
    ctx.res(
        "ec2",
        "LaunchTemplateVersion",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": lt_name,
            "VersionNumber": v_new,
            "VersionDescription": f"ledger-web {baked_new:%Y.%m.%d-%H%M}",
            "CreateTime": k.iso_ms(t_lt),
            "CreatedBy": ci_arn,
            "DefaultVersion": False,
            "LaunchTemplateData": lt_data(ami_new),
        },
    )

    # ---- fleet and churn -----------------------------------------------------------------------
    launched_old = baked_old + timedelta(hours=1)
    old = []
    for n in range(6):
        sub = net.private[n % 3]
        old.append(
            (
                k.instance(
                    ctx,
                    net,
                    sub,
                    name="ledger-web-prod",
                    itype="m6i.large",
                    ami=ami_old,
                    sgs=[(web_sg, "ledger-web")],
                    profile="ledger-web-prod",
                    launched=launched_old + timedelta(minutes=n // 3 * 4, seconds=n * 7),
                    extra_tags={
                        "service": "ledger-web",
                        "env": "prod",
                        "aws:autoscaling:groupName": "ledger-web-prod",
                    },
                    emit=False,
                ),
                sub,
            )
        )
    replaced = rng.sample(range(6), 3)
    asg_stub = {
        "AutoScalingGroupName": "ledger-web-prod",
        "AutoScalingGroupARN": ctx.arn(
            "autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/ledger-web-prod"
        ),
    }
    refresh_id = ctx.uuid()
    asr = ctx.service_role("AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com")
    t_sel = t_r + timedelta(seconds=rng.randint(4, 15))
    healthy_old: list[tuple[datetime, datetime | None]] = []  # (healthy since, healthy until)
    for n, (inst, sub) in enumerate(old):
        iid = inst["InstanceId"]
        ctx.target_health(tg.arn, iid, 8080, launched_old + timedelta(minutes=3), "healthy")
        if n in replaced:
            inst["State"] = {"Code": 48, "Name": "terminated"}
            inst["StateTransitionReason"] = (
                f"User initiated ({(t_sel + timedelta(seconds=70)):%Y-%m-%d %H:%M:%S} GMT)"
            )
            inst["StateReason"] = {
                "Code": "Client.UserInitiatedShutdown",
                "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
            }
            inst["NetworkInterfaces"] = []
            inst["BlockDeviceMappings"] = []
            inst.pop("PrivateIpAddress", None)
            inst["PrivateDnsName"] = ""
            k.activity(
                ctx,
                asg_stub,
                t_sel,
                f"Terminating EC2 instance: {iid}",
                f"At {k.asg_time(t_sel)} an instance was taken out of service in response to an instance refresh.  "
                f"At {k.asg_time(t_sel)} instance {iid} was selected for termination.",
                subnet=sub,
                duration_s=rng.uniform(65, 95),
            )
            ctx.target_health(
                tg.arn,
                iid,
                8080,
                t_sel + timedelta(seconds=2),
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
            ctx.target_health(
                tg.arn,
                iid,
                8080,
                t_sel + timedelta(seconds=62),
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
            ctx.ct(
                t_sel + timedelta(seconds=64),
                asr,
                "ec2.amazonaws.com",
                "TerminateInstances",
                {"instancesSet": {"items": [{"instanceId": iid}]}},
                {
                    "instancesSet": {
                        "items": [
                            {
                                "instanceId": iid,
                                "currentState": {"code": 32, "name": "shutting-down"},
                                "previousState": {"code": 16, "name": "running"},
                            }
                        ]
                    }
                },
                read_only=False,
            )
            healthy_old.append((ctx.start, t_sel))
        else:
            healthy_old.append((ctx.start, None))
        ctx.res("ec2", "Instance", inst)

    # replacement slots
    members: list[tuple[str, str, str, str]] = [
        (inst["InstanceId"], sub.az, "InService", "Healthy")
        for n, (inst, sub) in enumerate(old)
        if n not in replaced
    ]
    unhealthy_spans: list[tuple[datetime, datetime]] = []
    cpu_new: list[tuple[str, datetime, datetime]] = []
    new_streams: list[tuple[str, datetime, datetime]] = []
    for slot, n in enumerate(replaced):
        sub = old[n][1]
        launch = t_sel + timedelta(seconds=rng.randint(20, 45) + slot * 2)
        cap_from = 3 + slot
        first = True
        while launch < ctx.now:
            inst = k.instance(
                ctx,
                net,
                sub,
                name="ledger-web-prod",
                itype="m6i.large",
                ami=ami_new,
                sgs=[(web_sg, "ledger-web")],
                profile="ledger-web-prod",
                launched=launch,
                extra_tags={
                    "service": "ledger-web",
                    "env": "prod",
                    "aws:autoscaling:groupName": "ledger-web-prod",
                },
                emit=False,
            )
            iid = inst["InstanceId"]
            cause = (
                f"At {k.asg_time(launch - timedelta(seconds=3))} an instance was started in response to a difference between "
                f"desired and running capacity, increasing the capacity from {cap_from if first else 5} to {cap_from + 1 if first else 6}."
            )
            k.activity(
                ctx,
                asg_stub,
                launch,
                f"Launching a new EC2 instance: {iid}",
                cause,
                subnet=sub,
                duration_s=rng.uniform(33, 60),
            )
            ctx.ct(
                launch + timedelta(seconds=1),
                asr,
                "ec2.amazonaws.com",
                "RunInstances",
                {
                    "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                    "blockDeviceMapping": {},
                    "monitoring": {"enabled": False},
                    "subnetId": sub.id,
                    "disableApiTermination": False,
                    "disableApiStop": False,
                    "clientToken": ctx.uuid(),
                    "launchTemplate": {"launchTemplateId": lt_id, "version": str(v_new)},
                    "tagSpecificationSet": {
                        "items": [
                            {
                                "resourceType": "instance",
                                "tags": [{"key": "aws:autoscaling:groupName", "value": "ledger-web-prod"}],
                            }
                        ]
                    },
                },
                {
                    "reservationId": ctx.rid("r"),
                    "ownerId": ctx.account,
                    "requesterId": "940372691376",
                    "groupSet": {},
                    "instancesSet": {
                        "items": [
                            {
                                "instanceId": iid,
                                "imageId": ami_new,
                                "currentState": {"code": 0, "name": "pending"},
                                "privateIpAddress": inst["PrivateIpAddress"],
                                "subnetId": sub.id,
                                "instanceType": "m6i.large",
                                "launchTime": int(launch.timestamp() * 1000),
                            }
                        ]
                    },
                },
                read_only=False,
            )
            reg = launch + timedelta(seconds=rng.randint(45, 70))
            bad = reg + timedelta(seconds=rng.randint(28, 40))
            term = launch + timedelta(seconds=300 + rng.randint(8, 45))
            ctx.target_health(
                tg.arn,
                iid,
                8080,
                reg,
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
            ctx.target_health(
                tg.arn,
                iid,
                8080,
                reg + timedelta(seconds=8),
                "initial",
                "Elb.InitialHealthChecking",
                "Initial health checks in progress",
            )
            ctx.target_health(
                tg.arn, iid, 8080, bad, "unhealthy", "Target.FailedHealthChecks", "Health checks failed"
            )
            unhealthy_spans.append((bad, term))
            cpu_new.append((iid, launch, term))
            new_streams.append((iid, launch, term))
            if term < ctx.now:
                k.activity(
                    ctx,
                    asg_stub,
                    term,
                    f"Terminating EC2 instance: {iid}",
                    f"At {k.asg_time(term - timedelta(seconds=2))} an instance was taken out of service in response to an "
                    "ELB system health check failure.",
                    subnet=sub,
                    duration_s=rng.uniform(40, 75),
                )
                ctx.target_health(
                    tg.arn,
                    iid,
                    8080,
                    term + timedelta(seconds=1),
                    "draining",
                    "Target.DeregistrationInProgress",
                    "Target deregistration is in progress",
                )
                ctx.target_health(
                    tg.arn,
                    iid,
                    8080,
                    term + timedelta(seconds=61),
                    "unused",
                    "Target.NotRegistered",
                    "Target is not registered to the target group",
                )
                ctx.ct(
                    term + timedelta(seconds=3),
                    asr,
                    "ec2.amazonaws.com",
                    "TerminateInstances",
                    {"instancesSet": {"items": [{"instanceId": iid}]}},
                    {
                        "instancesSet": {
                            "items": [
                                {
                                    "instanceId": iid,
                                    "currentState": {"code": 32, "name": "shutting-down"},
                                    "previousState": {"code": 16, "name": "running"},
                                }
                            ]
                        }
                    },
                    read_only=False,
                )
                inst["State"] = {"Code": 48, "Name": "terminated"}
                inst["StateTransitionReason"] = f"User initiated ({term:%Y-%m-%d %H:%M:%S} GMT)"
                inst["NetworkInterfaces"] = []
                inst["BlockDeviceMappings"] = []
                inst.pop("PrivateIpAddress", None)
                inst["PrivateDnsName"] = ""
                if ctx.now - term < timedelta(minutes=55):
                    ctx.res("ec2", "Instance", inst)
            else:
                ctx.res("ec2", "Instance", inst)
                k.instance_status(ctx, inst)
                state = "InService" if ctx.now >= launch + timedelta(seconds=45) else "Pending"
                health = "Healthy" if ctx.now < term - timedelta(seconds=5) else "Unhealthy"
                members.append((iid, sub.az, state, health))
            first = False
            launch = term + timedelta(seconds=rng.randint(8, 30))
    for inst, _sub in old:
        if inst["State"]["Name"] == "running":
            k.instance_status(ctx, inst)

    asg = k.asg_item(
        ctx,
        "ledger-web-prod",
        lt_id=lt_id,
        lt_name=lt_name,
        lt_version="$Latest",
        min_size=4,
        max_size=12,
        desired=6,
        subnets=net.private,
        tg_arns=[tg.arn],
        members=members,
        created=ctx.start - timedelta(days=420),
        extra_tags={"service": "ledger-web", "env": "prod"},
    )
    asg_arn = asg["AutoScalingGroupARN"]
    for e in ctx.events:
        if e["source"] == "autoscaling":
            e["item"]["AutoScalingGroupARN"] = asg_arn
    pct = rng.choice([0, 0])
    ctx.res(
        "autoscaling",
        "InstanceRefresh",
        {
            "InstanceRefreshId": refresh_id,
            "AutoScalingGroupName": "ledger-web-prod",
            "Status": "InProgress",
            "StatusReason": "Waiting for instances to warm up before continuing. For example: "
            + members[-1][0]
            + " is warming up.",
            "StartTime": k.iso_ms(t_r),
            "PercentageComplete": pct,
            "InstancesToUpdate": 6,
            "ProgressDetails": {"LivePoolProgress": {"PercentageComplete": pct, "InstancesToUpdate": 6}},
            "Preferences": {
                "MinHealthyPercentage": 50,
                "InstanceWarmup": 300,
                "SkipMatching": True,
                "AutoRollback": False,
                "ScaleInProtectedInstances": "Ignore",
                "StandbyInstances": "Ignore",
                "MaxHealthyPercentage": 100,
            },
        },
    )

    # ---- metrics -------------------------------------------------------------------------------
    def in_span(t: datetime, spans: list[tuple[datetime, datetime]]) -> int:
        return sum(1 for a, b in spans if a <= t < b)

    def healthy_at(t: datetime) -> int:
        return sum(1 for a, b in healthy_old if a <= t and (b is None or t < b))

    demand = [
        rng.randint(2400, 3800)
        * k.diurnal(ctx.t(i), offset_h, peak_h=13.5, floor=0.12)
        * (1 + ctx.noise(0.04))
        for i in range(1)
    ]
    base = demand[0] / k.diurnal(ctx.t(0), offset_h, peak_h=13.5, floor=0.12)
    rq = [
        base * k.diurnal(ctx.t(i), offset_h, peak_h=13.5, floor=0.12) * (1 + ctx.noise(0.04))
        for i in range(N)
    ]
    hh = [healthy_at(ctx.t(i) + timedelta(seconds=30)) for i in range(N)]
    util = [0.04 + 0.34 * rq[i] / base * 6 / max(hh[i], 1) for i in range(N)]
    lat = [0.052 * (1 + util[i] ** 6 * 6) * (1 + ctx.noise(0.06)) for i in range(N)]
    ns = "AWS/ApplicationELB"
    lbd = {"LoadBalancer": lb.dim}
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": tg.dim}
    t5 = [float(sum(1 for _ in range(3) if rng.random() < 0.12)) for _ in range(N)]
    t4 = [round(r * 0.02 * (1 + ctx.noise(0.2))) for r in rq]
    for dims in (lbd, tgd):
        ctx.series(ns, "RequestCount", dims, "Count", lambda x: float(round(rq[ctx.idx(x)])), kind="count")
        ctx.series(
            ns,
            "HTTPCode_Target_2XX_Count",
            dims,
            "Count",
            lambda x: float(round(rq[ctx.idx(x)]) - t4[ctx.idx(x)] - t5[ctx.idx(x)]),
            kind="count",
        )
        ctx.series(
            ns,
            "HTTPCode_Target_4XX_Count",
            dims,
            "Count",
            lambda x: float(t4[ctx.idx(x)]),
            kind="count",
            sparse=True,
        )
        s5 = ctx.series(
            ns,
            "HTTPCode_Target_5XX_Count",
            dims,
            "Count",
            lambda x: t5[ctx.idx(x)],
            kind="count",
            sparse=True,
        )
        trt = ctx.series(
            ns,
            "TargetResponseTime",
            dims,
            "Seconds",
            lambda x: lat[ctx.idx(x)],
            kind="dist",
            counts=[float(round(r)) for r in rq],
        )
    hhs = ctx.series(ns, "HealthyHostCount", tgd, "Count", lambda x: float(hh[ctx.idx(x)]))
    uhs = ctx.series(
        ns,
        "UnHealthyHostCount",
        tgd,
        "Count",
        lambda x: float(in_span(x + timedelta(seconds=30), unhealthy_spans)),
    )
    ctx.series(
        ns,
        "RequestCountPerTarget",
        tgd,
        "Count",
        lambda x: rq[ctx.idx(x)] / max(hh[ctx.idx(x)], 1),
        kind="count",
    )
    asgd = {"AutoScalingGroupName": "ledger-web-prod"}

    def pending(x: datetime) -> float:
        return float(sum(1 for _i, a, _b in cpu_new if a <= x < a + timedelta(seconds=50)))

    def total(x: datetime) -> float:
        return float(hh[ctx.idx(x)] + sum(1 for _i, a, b in cpu_new if a <= x < b))

    ctx.series("AWS/AutoScaling", "GroupDesiredCapacity", asgd, "None", lambda x: 6.0)
    ctx.series("AWS/AutoScaling", "GroupInServiceInstances", asgd, "None", lambda x: total(x) - pending(x))
    ctx.series("AWS/AutoScaling", "GroupPendingInstances", asgd, "None", pending)
    ctx.series(
        "AWS/AutoScaling",
        "GroupTerminatingInstances",
        asgd,
        "None",
        lambda x: float(
            sum(1 for _i, _a, b in cpu_new if b <= x < b + timedelta(seconds=60))
            + (3 if t_sel <= x < t_sel + timedelta(seconds=70) else 0)
        ),
    )
    ctx.series("AWS/AutoScaling", "GroupTotalInstances", asgd, "None", total)
    for n, (inst, _sub) in enumerate(old):
        iid = inst["InstanceId"]
        until = t_sel + timedelta(seconds=70) if n in replaced else None

        def cpu(x: datetime, until: datetime | None = until) -> float | None:
            if until is not None and x >= until:
                return None
            return min(99.0, 100 * util[ctx.idx(x)] * rng.uniform(0.95, 1.05))

        ctx.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", cpu)
    for iid, a, b in cpu_new:

        def cpu_n(x: datetime, a: datetime = a, b: datetime = b) -> float | None:
            if x < a + timedelta(seconds=60) or x >= b:
                return None
            return (28.0 if x < a + timedelta(seconds=150) else 11.0) + ctx.noise(2.5)

        ctx.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", cpu_n)

    topic = ctx.arn("sns", "ledger-oncall")
    a_unh = ctx.alarm(
        "ledger-web-prod-unhealthy-targets",
        uhs,
        stat="Maximum",
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        evals=3,
        datapoints=3,
        missing="notBreaching",
        actions=[topic],
        description="One or more ledger-web targets failing ALB health checks",
    )
    a_hh = ctx.alarm(
        "ledger-web-prod-healthy-hosts-low",
        hhs,
        stat="Minimum",
        threshold=4,
        op="LessThanThreshold",
        evals=5,
        datapoints=5,
        missing="breaching",
        actions=[topic],
        description="Fewer than 4 healthy ledger-web targets",
    )
    ctx.add_alarm(a_unh)
    ctx.add_alarm(a_hh)
    ctx.add_alarm(
        ctx.alarm(
            "ledger-web-prod-5xx",
            s5,
            stat="Sum",
            threshold=20,
            op="GreaterThanOrEqualToThreshold",
            evals=3,
            missing="notBreaching",
            actions=[topic],
        )
    )
    ctx.add_alarm(
        ctx.alarm(
            "ledger-web-prod-latency",
            trt,
            stat="Average",
            threshold=1.0,
            op="GreaterThanThreshold",
            evals=5,
            datapoints=5,
            actions=[topic],
        )
    )

    # ---- logs ----------------------------------------------------------------------------------
    group = "/ledger/prod/ledger-web"
    accts = [f"ACC-{rng.randint(100000, 999999)}" for _ in range(30)]
    for n, (inst, _sub) in enumerate(old):
        iid = inst["InstanceId"]
        until = t_sel + timedelta(seconds=70) if n in replaced else ctx.now
        pid = rng.randint(900, 3000)
        t = ctx.start + timedelta(hours=2, seconds=rng.randint(0, 60))
        while t < until:
            st = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
            r = rng.random()
            if r < 0.04:
                msg = f"{st}  WARN {pid} --- [ledger-web] [nio-8080-exec-{rng.randint(1, 64)}] c.l.web.statement.StatementController  : statement for {rng.choice(accts)} not yet generated, returning 202"
            elif r < 0.5:
                msg = f"{st}  INFO {pid} --- [ledger-web] [nio-8080-exec-{rng.randint(1, 64)}] c.l.web.http.AccessLog                  : GET /api/accounts/{rng.choice(accts)}/balance 200 {int(lat[ctx.idx(t)] * 1000 * rng.uniform(0.5, 1.6))}ms"
            else:
                msg = f"{st}  INFO {pid} --- [ledger-web] [nio-8080-exec-{rng.randint(1, 64)}] c.l.web.http.AccessLog                  : POST /api/transfers 201 {int(lat[ctx.idx(t)] * 1400 * rng.uniform(0.5, 1.6))}ms"
            ctx.log(group, iid, t, msg)
            t += timedelta(seconds=rng.uniform(20, 70), milliseconds=rng.randint(0, 999))
        if n in replaced:
            t = t_sel + timedelta(seconds=rng.randint(62, 68))
            for line in (
                "Commencing graceful shutdown. Waiting for active requests to complete",
                "Graceful shutdown complete",
            ):
                st = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
                ctx.log(
                    group,
                    iid,
                    t,
                    f"{st}  INFO {pid} --- [ledger-web] [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown        : {line}",
                )
                t += timedelta(milliseconds=rng.randint(200, 900))
    trace = (
        'Exception in thread "main" java.lang.UnsupportedClassVersionError: com/ledgerly/web/LedgerWebApplication has been '
        "compiled by a more recent version of the Java Runtime (class file version 65.0), this version of the Java Runtime only "
        "recognizes class file versions up to 61.0\n"
        "\tat java.base/java.lang.ClassLoader.defineClass1(Native Method)\n"
        "\tat java.base/java.lang.ClassLoader.defineClass(ClassLoader.java:1017)\n"
        "\tat java.base/java.security.SecureClassLoader.defineClass(SecureClassLoader.java:150)\n"
        "\tat java.base/java.net.URLClassLoader.defineClass(URLClassLoader.java:524)\n"
        "\tat java.base/java.net.URLClassLoader$1.run(URLClassLoader.java:427)\n"
        "\tat org.springframework.boot.loader.launch.LaunchedClassLoader.loadClass(LaunchedClassLoader.java:91)\n"
        "\tat java.base/java.lang.Class.forName0(Native Method)\n"
        "\tat java.base/java.lang.Class.forName(Class.java:467)\n"
        "\tat org.springframework.boot.loader.launch.Launcher.launch(Launcher.java:88)\n"
        "\tat org.springframework.boot.loader.launch.Launcher.launch(Launcher.java:53)\n"
        "\tat org.springframework.boot.loader.launch.JarLauncher.main(JarLauncher.java:58)"
    )
    for iid, a, b in new_streams:
        t = a + timedelta(seconds=rng.randint(38, 52))
        while t < min(b, ctx.now):
            ctx.log(group, iid, t, trace)
            t += timedelta(seconds=10 + rng.uniform(0.8, 1.6))

    # ---- CloudTrail ----------------------------------------------------------------------------
    create = ctx.ct(
        t_lt,
        ci,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "SourceVersion": str(v_old),
                "VersionDescription": f"ledger-web {baked_new:%Y.%m.%d-%H%M}",
                "LaunchTemplateData": {"ImageId": ami_new},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": ctx.uuid(),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": lt_name,
                    "versionNumber": v_new,
                    "versionDescription": f"ledger-web {baked_new:%Y.%m.%d-%H%M}",
                    "createTime": k.iso_ms(t_lt),
                    "createdBy": ci_arn,
                    "defaultVersion": False,
                    "launchTemplateData": {"imageId": ami_new, "instanceType": "m6i.large"},
                },
            }
        },
        read_only=False,
    )
    _ = create
    refresh = ctx.ct(
        t_r,
        ci,
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        {
            "autoScalingGroupName": "ledger-web-prod",
            "strategy": "Rolling",
            "preferences": {"minHealthyPercentage": 50, "instanceWarmup": 300, "skipMatching": True},
        },
        {"instanceRefreshId": refresh_id},
        read_only=False,
    )
    ctx.ct(
        t_lt - timedelta(seconds=rng.randint(10, 30)),
        ci,
        "ec2.amazonaws.com",
        "DescribeImages",
        {"imagesSet": {"items": [{"imageId": ami_new}]}, "ownersSet": {}, "filterSet": {}},
        None,
        read_only=True,
    )
    ctx.ct(
        t_r + timedelta(seconds=rng.randint(20, 40)),
        ci,
        "autoscaling.amazonaws.com",
        "DescribeInstanceRefreshes",
        {"autoScalingGroupName": "ledger-web-prod", "instanceRefreshIds": [refresh_id]},
        None,
        read_only=True,
    )
    ctx.ct(
        t_lt - timedelta(seconds=rng.randint(40, 90)),
        ci,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/ledger-web/prod/ami-id", "type": "String", "overwrite": True, "tier": "Standard"},
        {"version": v_new - rng.randint(2, 9), "tier": "Standard"},
        read_only=False,
    )
    domain = rng.choice(["ledgerly.io", "ledgerly.com"])
    people = [
        ctx.sso(u, ps, domain, console=c)
        for u, ps, c in zip(
            rng.sample(k.FIRST_NAMES, 3),
            ["Developer", "PlatformEngineer", "ReadOnly"],
            [True, False, True],
            strict=True,
        )
    ]
    tf = k.terraform(ctx)
    nat = f"{rng.choice([3, 35, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    apps = [
        k.instance_role(ctx, "ledger-web-prod", inst["InstanceId"], nat, k.JAVA_UA)
        for n, (inst, _s) in enumerate(old)
        if n not in replaced
    ]
    k.background(
        ctx,
        k.Refs(
            instances=[inst["InstanceId"] for inst, _ in old],
            target_groups=[tg.arn],
            load_balancers=[lb.arn],
            log_groups=[group, "/aws/lambda/ledger-statement-export"],
            params=["/ledger-web/prod/db-url", "/ledger-web/prod/jwt-signing-key"],
            buckets=[f"ledger-prod-statements-{ctx.account}"],
            asgs=["ledger-web-prod"],
            alarms=[a_unh["AlarmName"], a_hh["AlarmName"]],
            functions=["ledger-statement-export"],
        ),
        humans=people,
        automation=[tf],
        app_roles=apps,
        t0=ctx.start,
        t1=ctx.now,
        n=rng.randint(32, 40),
    )
    onset = unhealthy_spans[0][0]
    fn_arn = ctx.arn("lambda", "function:ledger-statement-export")
    ctx.ct(
        onset - timedelta(minutes=rng.randint(6, 22)),
        people[0],
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "ledger-statement-export", "environment": {}, "timeout": 120},
        {
            "functionName": "ledger-statement-export",
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "timeout": 120,
            "memorySize": 512,
            "lastModified": k.iso_ms(onset).replace("Z", "+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": ctx.uuid(),
        },
        read_only=False,
        version="1.08",
    )
    q = f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/ledger-statement-requests"
    ctx.ct(
        onset + timedelta(minutes=rng.randint(3, 14)),
        tf,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": q, "attributes": {"VisibilityTimeout": "180"}},
        None,
        read_only=False,
        version="1.08",
    )
    ctx.ct(
        onset - timedelta(minutes=rng.randint(12, 28)),
        people[1],
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "ledger-prod-overview", "dashboardBody": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {"dashboardValidationMessages": []},
        read_only=False,
    )

    ev = ctx.alarm_event(a_unh, 0)
    return ctx.bundle(
        {
            "title": TITLE,
            "trigger": {"question": None, "alarm_event": ev},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": lt_id,
                    "category": "change",
                    "failure_mode": "bad-ami-instance-refresh",
                    "event_id": refresh["eventID"],
                },
                "also_accept": [lt_name, f"{lt_name} version {v_new}", ami_new],
                "actions": ["rollback"],
                "chain": [
                    f"launch template {lt_name} version {v_new} points at {ami_new}, whose Java runtime cannot run the ledger-web jar",
                    "instance refresh on ledger-web-prod replaces 3 of 6 instances with that version",
                    "new instances crash-loop and fail ledger-web-prod health checks; the ASG terminates and relaunches them",
                    "ledger-web-prod runs on 3 healthy targets; unhealthy-targets alarm fires",
                ],
            },
        }
    )
