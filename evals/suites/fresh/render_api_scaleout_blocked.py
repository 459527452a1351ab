"""render-api cannot scale out during the morning ramp: its only subnet has no free addresses."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_a as k

NAME = "render-api-scaleout-blocked"
TITLE = "render-api latency climbing; autoscaling not adding instances"
SUMMARY = (
    "render-api's ASG lives in a single /26 private subnet that is full (shared with other workloads); the "
    "target-tracking policy raises desired capacity during the morning ramp but every launch fails with "
    "'not enough free addresses in subnet', so CPU and latency climb."
)


def build(seed: int) -> Bundle:
    ctx = k.new_ctx(NAME, seed, regions=["us-west-2", "eu-west-1", "us-east-1"])
    rng = ctx.rng
    tz = ZoneInfo(
        {"us-west-2": "America/Los_Angeles", "eu-west-1": "Europe/Dublin", "us-east-1": "America/New_York"}[
            ctx.region
        ]
    )
    day = k.pick_day(ctx)
    local = datetime(day.year, day.month, day.day, tzinfo=tz)
    offset_h = local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    ctx.start = (local + timedelta(hours=rng.choice([4, 5]))).astimezone(k.UTC)
    ctx.now = ctx.start + timedelta(hours=12)  # provisional
    ctx.fine_from = ctx.start
    base = rng.randint(1800, 2600)  # req/min at peak
    n_fleet = rng.choice([6, 8])
    peak_cpu = rng.uniform(110, 120)

    def shape(t: datetime) -> float:
        return k.diurnal(t, offset_h, peak_h=12.5, floor=0.12)

    def cpu_of(t: datetime) -> float:
        return 7 + (peak_cpu - 7) * shape(t)

    t = ctx.start + timedelta(hours=3)
    while cpu_of(t) < 51.5:
        t += k.MIN
    onset_guess = t
    ctx.now = k.floor_min(onset_guess + timedelta(minutes=rng.randint(110, 150)))
    N = ctx.minutes()

    net = k.network(
        ctx, "media-prod", private_mask=26, private_free=[0, rng.randint(14, 40), rng.randint(14, 40)]
    )
    sub = net.private[0]
    alb_sg = k.security_group(ctx, net, "media-prod-alb", "media ALB", [(443, 443, "0.0.0.0/0")])
    app_sg = k.security_group(ctx, net, "render-api-prod", "render-api", [(8000, 8000, alb_sg)])
    lb = k.load_balancer(ctx, net, "media-prod", alb_sg, created=ctx.start - timedelta(days=700))
    tg = k.target_group(ctx, net, "render-api-prod", 8000, lb, path="/ping", interval=10)
    k.listener(ctx, lb, tg)
    ami = ctx.rid("ami")
    lt_id = ctx.rid("lt")
    fleet = [
        k.instance(
            ctx,
            net,
            sub,
            name="render-api-prod",
            itype="c6i.2xlarge",
            ami=ami,
            sgs=[(app_sg, "render-api-prod")],
            profile="render-api-prod",
            launched=ctx.start - timedelta(days=rng.randint(2, 9), minutes=rng.randint(0, 900)),
            extra_tags={"service": "render-api", "aws:autoscaling:groupName": "render-api-prod"},
        )
        for _ in range(n_fleet)
    ]
    for inst in fleet:
        k.instance_status(ctx, inst)
        ctx.target_health(tg.arn, str(inst["InstanceId"]), 8000, ctx.start - timedelta(days=1), "healthy")

    # ---- scaling --------------------------------------------------------------------------------
    policy = "render-api-cpu50"
    hi_name = f"TargetTracking-render-api-prod-AlarmHigh-{ctx.uuid()}"
    lo_name = f"TargetTracking-render-api-prod-AlarmLow-{ctx.uuid()}"
    ticks = [ctx.t(i) for i in range(N)]
    cpu = [min(99.5, cpu_of(x) + ctx.noise(1.3)) for x in ticks]
    asgd = {"AutoScalingGroupName": "render-api-prod"}
    cpu_s = ctx.series("AWS/EC2", "CPUUtilization", asgd, "Percent", lambda x: cpu[ctx.idx(x)])
    a_hi = ctx.alarm(
        hi_name,
        cpu_s,
        stat="Average",
        threshold=50,
        op="GreaterThanThreshold",
        evals=3,
        description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {ctx.arn('autoscaling', 'scalingPolicy')}.",
        actions=[
            ctx.arn(
                "autoscaling",
                f"scalingPolicy:{ctx.uuid()}:autoScalingGroupName/render-api-prod:policyName/{policy}",
            )
        ],
    )
    a_lo = ctx.alarm(
        lo_name,
        cpu_s,
        stat="Average",
        threshold=45,
        op="LessThanThreshold",
        evals=15,
        description=a_hi["AlarmDescription"],
        actions=a_hi["AlarmActions"],
    )
    policy_arn = a_hi["AlarmActions"][0]
    a_hi["AlarmDescription"] = a_lo["AlarmDescription"] = (
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}."
    )
    a_hi["OKActions"] = a_lo["OKActions"] = []
    ctx.add_alarm(a_hi)
    ctx.add_alarm(a_lo)
    first_hi = next(tr for tr in a_hi["_transitions"] if tr["new"][0] == "ALARM")["when"]
    onset = first_hi
    # desired capacity steps while AlarmHigh stays in ALARM (target tracking re-evaluates every minute)
    desired = n_fleet
    max_size = rng.choice([16, 20])
    steps: list[tuple[datetime, int, int]] = []
    for i in range(N):
        x = ctx.t(i)
        if x < onset:
            continue
        want = min(max_size, math.ceil(n_fleet * cpu[i] / 50))
        if want > desired and (not steps or x - steps[-1][0] >= timedelta(minutes=rng.randint(3, 6))):
            steps.append((x + timedelta(seconds=rng.randint(5, 40)), desired, want))
            desired = want
    asg_stub = {"AutoScalingGroupName": "render-api-prod", "AutoScalingGroupARN": ""}
    asr = ctx.service_role("AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com")
    msg = f"There are not enough free addresses in subnet '{sub.id}' to satisfy the requested number of instances."
    first_fail = None
    for j, (ts, frm, to) in enumerate(steps):
        end = steps[j + 1][0] if j + 1 < len(steps) else ctx.now
        attempt = ts + timedelta(seconds=rng.randint(3, 12))
        gap = 10
        while attempt < end:
            cause = (
                f"At {k.asg_time(ts - timedelta(seconds=4))} a monitor alarm {hi_name} in state ALARM triggered policy {policy} "
                f"changing the desired capacity from {frm} to {to}.  At {k.asg_time(attempt - timedelta(seconds=2))} an instance "
                f"was started in response to a difference between desired and running capacity, increasing the capacity from "
                f"{n_fleet} to {to}."
            )
            k.activity(
                ctx,
                asg_stub,
                attempt,
                f"Launching a new EC2 instance.  Status Reason: {msg} Launching EC2 instance failed.",
                cause,
                subnet=sub,
                status="Failed",
                message=f"{msg} Launching EC2 instance failed.",
                duration_s=0.6,
            )
            ctx.ct(
                attempt,
                asr,
                "ec2.amazonaws.com",
                "RunInstances",
                {
                    "instancesSet": {"items": [{"minCount": 1, "maxCount": to - n_fleet}]},
                    "blockDeviceMapping": {},
                    "monitoring": {"enabled": False},
                    "subnetId": sub.id,
                    "disableApiTermination": False,
                    "disableApiStop": False,
                    "clientToken": ctx.uuid(),
                    "launchTemplate": {"launchTemplateId": lt_id, "version": "7"},
                    "tagSpecificationSet": {
                        "items": [
                            {
                                "resourceType": "instance",
                                "tags": [{"key": "aws:autoscaling:groupName", "value": "render-api-prod"}],
                            }
                        ]
                    },
                },
                None,
                read_only=False,
                error=("Client.InsufficientFreeAddressesInSubnet", msg),
            )
            first_fail = first_fail or attempt
            attempt += timedelta(seconds=gap + rng.randint(0, 20))
            gap = min(gap * 2, 300)

    asg = k.asg_item(
        ctx,
        "render-api-prod",
        lt_id=lt_id,
        lt_name="render-api-prod",
        lt_version="7",
        min_size=n_fleet,
        max_size=max_size,
        desired=desired,
        subnets=[sub],
        tg_arns=[tg.arn],
        members=[(str(i["InstanceId"]), sub.az, "InService", "Healthy") for i in fleet],
        created=ctx.start - timedelta(days=800),
        health_type="ELB",
        itype="c6i.2xlarge",
        extra_tags={"service": "render-api", "team": "media"},
    )
    for e in ctx.events:
        if e["source"] == "autoscaling":
            e["item"]["AutoScalingGroupARN"] = asg["AutoScalingGroupARN"]
    ctx.res(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": "render-api-prod",
            "PolicyName": policy,
            "PolicyARN": policy_arn,
            "PolicyType": "TargetTrackingScaling",
            "StepAdjustments": [],
            "EstimatedInstanceWarmup": 180,
            "Alarms": [
                {"AlarmName": hi_name, "AlarmARN": a_hi["AlarmArn"]},
                {"AlarmName": lo_name, "AlarmARN": a_lo["AlarmArn"]},
            ],
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 50.0,
                "DisableScaleIn": False,
            },
            "Enabled": True,
        },
    )

    def desired_at(x: datetime) -> float:
        d = n_fleet
        for ts, _f, to in steps:
            if ts <= x:
                d = to
        return float(d)

    ctx.series("AWS/AutoScaling", "GroupDesiredCapacity", asgd, "None", desired_at)
    ctx.series("AWS/AutoScaling", "GroupInServiceInstances", asgd, "None", lambda x: float(n_fleet))
    ctx.series("AWS/AutoScaling", "GroupTotalInstances", asgd, "None", lambda x: float(n_fleet))
    ctx.series("AWS/AutoScaling", "GroupPendingInstances", asgd, "None", lambda x: 0.0)
    ctx.series("AWS/AutoScaling", "GroupMaxSize", asgd, "None", lambda x: float(max_size))
    for inst in fleet:
        iid = str(inst["InstanceId"])
        sk = rng.uniform(0.96, 1.04)
        ctx.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            lambda x, sk=sk: min(99.8, cpu[ctx.idx(x)] * sk + ctx.noise(1.5)),
        )
        ctx.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda x: 0.0)

    # ---- ALB ------------------------------------------------------------------------------------
    rq = [base * shape(x) * (1 + ctx.noise(0.04)) for x in ticks]
    u = [c / 100 for c in cpu]
    lat = [0.16 * (1 + v**10 * 14) * (1 + ctx.noise(0.05)) for v in u]
    e5 = [round(r * max(0.0, v - 0.9) * 1.2) for r, v in zip(rq, u, strict=True)]
    ns = "AWS/ApplicationELB"
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": tg.dim}
    lbd = {"LoadBalancer": lb.dim}
    for d in (tgd, lbd):
        ctx.series(ns, "RequestCount", d, "Count", lambda x: float(round(rq[ctx.idx(x)])), kind="count")
        ctx.series(
            ns,
            "HTTPCode_Target_2XX_Count",
            d,
            "Count",
            lambda x: float(round(rq[ctx.idx(x)]) - e5[ctx.idx(x)]),
            kind="count",
        )
        s5 = ctx.series(
            ns,
            "HTTPCode_Target_5XX_Count",
            d,
            "Count",
            lambda x: float(e5[ctx.idx(x)]),
            kind="count",
            sparse=True,
        )
        trt = ctx.series(
            ns,
            "TargetResponseTime",
            d,
            "Seconds",
            lambda x: lat[ctx.idx(x)],
            kind="dist",
            counts=[float(round(r)) for r in rq],
        )
    ctx.series(ns, "HealthyHostCount", tgd, "Count", lambda x: float(n_fleet))
    ctx.series(ns, "UnHealthyHostCount", tgd, "Count", lambda x: 0.0)
    topic = ctx.arn("sns", "media-oncall")
    a_lat = ctx.alarm(
        "render-api-prod-latency",
        trt,
        stat="Average",
        threshold=0.6,
        op="GreaterThanThreshold",
        evals=5,
        datapoints=4,
        actions=[topic],
        description="render-api average response time above 600ms",
    )
    ctx.add_alarm(a_lat)
    ctx.add_alarm(
        ctx.alarm(
            "render-api-prod-5xx",
            s5,
            stat="Sum",
            threshold=40,
            op="GreaterThanOrEqualToThreshold",
            evals=3,
            missing="notBreaching",
            actions=[topic],
        )
    )

    # ---- logs -----------------------------------------------------------------------------------
    group = "/media-prod/render-api"
    for inst in fleet:
        iid = str(inst["InstanceId"])
        t = ctx.start + timedelta(seconds=rng.randint(0, 30))
        master = rng.randint(900, 999)
        while t < ctx.now:
            i = ctx.idx(t)
            r = rng.random()
            stamp = t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
            if u[i] > 0.9 and r < 0.3:
                line = f"[{t:%Y-%m-%d %H:%M:%S} +0000] [{master}] [CRITICAL] WORKER TIMEOUT (pid:{rng.randint(2000, 9000)})"
            elif r < 0.05:
                line = f"{stamp} WARNING render.fonts: fallback font used for glyph U+{rng.randint(0x3000, 0x9FFF):04X}"
            else:
                w, h = rng.choice([(1200, 630), (800, 800), (1080, 1920), (400, 400)])
                line = json.dumps(
                    {
                        "ts": stamp,
                        "level": "INFO",
                        "logger": "render.api",
                        "msg": "rendered",
                        "template": rng.choice(["og-card", "story", "thumb", "banner"]),
                        "w": w,
                        "h": h,
                        "ms": int(lat[i] * 1000 * rng.uniform(0.5, 1.6)),
                    },
                    separators=(",", ":"),
                )
            ctx.log(group, iid, t, line)
            t += timedelta(
                seconds=rng.uniform(12, 40) if u[i] < 0.85 else rng.uniform(6, 15),
                milliseconds=rng.randint(0, 999),
            )

    # ---- CloudTrail -----------------------------------------------------------------------------
    domain = "pictora.co"
    people = [
        ctx.sso(x, ps, domain, console=c)
        for x, ps, c in zip(
            rng.sample(k.FIRST_NAMES, 3), ["SRE", "Developer", "SRE"], [True, False, False], strict=True
        )
    ]
    tf = k.terraform(ctx)
    ci = k.gha(ctx, "gha-media-deploy", "thumbnailer")
    nat = f"{rng.choice([3, 35, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    apps = [
        k.instance_role(
            ctx,
            "render-api-prod",
            str(i["InstanceId"]),
            nat,
            "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.1.84 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84",
        )
        for i in fleet[:3]
    ]
    k.background(
        ctx,
        k.Refs(
            instances=[str(i["InstanceId"]) for i in fleet],
            target_groups=[tg.arn],
            load_balancers=[lb.arn],
            log_groups=[group],
            params=["/render-api/prod/cdn-signing-key", "/render-api/prod/s3-bucket"],
            buckets=[f"pictora-media-prod-{ctx.account}"],
            asgs=["render-api-prod"],
            alarms=[a_lat["AlarmName"]],
        ),
        humans=people,
        automation=[tf, ci],
        app_roles=apps,
        t0=ctx.start,
        t1=ctx.now,
        n=rng.randint(32, 42),
    )
    c1 = onset - timedelta(minutes=rng.randint(5, 25))
    ctx.ct(
        c1,
        ci,
        "ecr.amazonaws.com",
        "PutImage",
        {
            "repositoryName": "thumbnailer",
            "imageTag": f"v2.{rng.randint(10, 60)}.{rng.randint(0, 9)}",
            "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "imageManifest": "{...}",
        },
        {
            "image": {
                "registryId": ctx.account,
                "repositoryName": "thumbnailer",
                "imageId": {"imageDigest": "sha256:" + ctx.hex(64)},
            }
        },
        read_only=False,
        version="1.08",
    )
    c2 = onset + timedelta(minutes=rng.randint(4, 20))
    ctx.ct(
        c2,
        people[0],
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": "media-prod",
            "service": "thumbnailer",
            "forceNewDeployment": False,
            "taskDefinition": f"thumbnailer:{rng.randint(40, 90)}",
        },
        {
            "service": {
                "serviceName": "thumbnailer",
                "clusterArn": ctx.arn("ecs", "cluster/media-prod"),
                "status": "ACTIVE",
                "desiredCount": rng.randint(10, 20),
            }
        },
        read_only=False,
        version="1.08",
    )
    c3 = onset + timedelta(minutes=rng.randint(25, 40))
    if c3 < ctx.now:
        ctx.ct(
            c3,
            people[2],
            "autoscaling.amazonaws.com",
            "UpdateAutoScalingGroup",
            {"autoScalingGroupName": "render-api-prod", "maxSize": max_size},
            None,
            read_only=False,
        )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(8, 30)),
        people[2],
        "autoscaling.amazonaws.com",
        "DescribeScalingActivities",
        {"autoScalingGroupName": "render-api-prod", "maxRecords": 20},
        None,
        read_only=True,
    )

    when = (onset + timedelta(minutes=rng.randint(8, 15))).astimezone(tz)
    q = rng.choice(
        [
            f"render-api latency keeps climbing since about {when:%-I:%M%p}".replace("AM", "am").replace(
                "PM", "pm"
            )
            + " and autoscaling doesn't seem to be adding instances. What's wrong?",
            f"render-api is getting slower and slower this morning (started around {when:%H:%M}); CPU is high but the ASG isn't "
            "scaling out. Why?",
        ]
    )
    _ = first_fail
    return ctx.bundle(
        {
            "title": TITLE,
            "trigger": {"question": q, "alarm_event": None, "timezone": str(tz)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": sub.id,
                    "category": "limit",
                    "failure_mode": "subnet-ip-exhaustion",
                    "event_id": None,
                },
                "also_accept": [f"media-prod-private-{sub.az[-1]}", ctx.arn("ec2", f"subnet/{sub.id}")],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"subnet {sub.id} (the only subnet of render-api-prod) has no free IP addresses",
                    "target tracking raises render-api-prod desired capacity but every launch fails",
                    f"the {n_fleet} existing render-api instances saturate CPU during the morning ramp",
                    "media-prod ALB latency and 5xx for render-api rise",
                ],
            },
        }
    )
