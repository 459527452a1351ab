"""parkside: live stream buffering during the Friday night game (see _kit_zk.py, idea 3)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zk as k

NAME = "parkside-live-buffering"
TITLE = "Live stream buffering and CloudFront 5xx alarm during the Friday night game"
SUMMARY = (
    "The HLS origin fleet's m5.xlarge instances use up their network burst allowance about half an hour into the "
    "live game and are held to baseline bandwidth (bw_out_allowance_exceeded); CPU-based scaling never adds capacity."
)

ACCOUNT = "562190847731"
REGION = "us-east-1"
ZONE = "America/Chicago"
GBPS = 1e9 / 8  # bytes per second in one Gbps


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    # a Friday in autumn, kick-off 19:00 Central (00:00 UTC Saturday during CDT)
    first_friday = rng.choice([datetime(2024, 8, 30), datetime(2025, 8, 29)])
    day = first_friday + timedelta(weeks=rng.randrange(0, 12))
    local_kick = datetime(day.year, day.month, day.day, 19, 0, tzinfo=ZoneInfo(ZONE))
    kick = local_kick.astimezone(UTC) - timedelta(minutes=rng.choice([0, 0, 15, 30]))
    burst_min = rng.randint(28, 42)  # minutes of above-baseline traffic the credits last
    onset = kick + timedelta(minutes=burst_min, seconds=rng.randint(0, 59))
    start = k.floor5(kick - timedelta(hours=3, minutes=rng.randint(30, 50)))
    now = onset + timedelta(minutes=rng.randint(31, 40), seconds=rng.randint(0, 59))

    dist_id = "E" + k.upper_id(rng, 13)
    cf_dims = {"DistributionId": dist_id, "Region": "Global"}
    vpc_id = "vpc-0" + k.hexid(rng, 16)
    azs = [("us-east-1a", "use1-az4"), ("us-east-1b", "use1-az6"), ("us-east-1d", "use1-az2")]
    pub = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    priv = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    sg_alb, sg_or = "sg-0" + k.hexid(rng, 16), "sg-0" + k.hexid(rng, 16)
    lb_name = "pbn-hls-origin"
    lb_dim = f"app/{lb_name}/{k.hexid(rng, 16)}"
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{lb_dim}"
    tg_dim = f"targetgroup/hls-origin-http/{k.hexid(rng, 16)}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{tg_dim}"
    asg_name = "hls-origin-prod"
    n = 4
    insts: list[dict[str, Any]] = []
    for i in range(n):
        j = i % 3
        insts.append(
            {
                "id": "i-0" + k.hexid(rng, 16),
                "az": azs[j][0],
                "subnet": priv[j],
                "ip": f"10.20.{16 + j * 16 + rng.randint(0, 7)}.{rng.randint(10, 250)}",
                "eni": "eni-0" + k.hexid(rng, 16),
                "vol": "vol-0" + k.hexid(rng, 16),
            }
        )
    prescale_t = kick - timedelta(minutes=60)
    launched_old = start - timedelta(days=rng.randint(5, 25))
    for i, x in enumerate(insts):
        x["launched"] = (
            launched_old + timedelta(minutes=i)
            if i < 3
            else prescale_t + timedelta(seconds=rng.randint(20, 50))
        )

    # --- principals ------------------------------------------------------------------------------
    home = f"{rng.choice([73, 98, 174])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    people = ["luis.ortega", "brianna.cole", "matt.sorensen", "dee.nguyen"]
    rng.shuffle(people)
    p_web = k.sso(ACCOUNT, "StreamingOps", people[0] + "@parksidebroadcasting.com", home, rng)
    p_sec = k.sso(
        ACCOUNT,
        "SecurityEngineer",
        people[1] + "@parksidebroadcasting.com",
        f"68.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        rng,
    )
    p_ro = k.sso(ACCOUNT, "ReadOnly", people[2] + "@parksidebroadcasting.com", home, rng)
    p_nr = k.role(
        ACCOUNT,
        "NewRelicInfrastructure-Integrations",
        "NewRelicInfrastructure",
        f"162.247.{rng.randint(240, 243)}.{rng.randint(1, 254)}",
        "aws-sdk-java/1.12.529 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS java/17.0.11 vendor/Amazon.com_Inc.",
        rng,
    )
    p_asg = k.service_linked(
        ACCOUNT, "AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com", rng
    )

    def c(params: k.Rec | None) -> Callable[[random.Random], k.Rec | None]:
        return lambda _r: params

    calls = [
        ("cloudfront.amazonaws.com", "GetDistribution", c({"id": dist_id}), True),
        ("cloudfront.amazonaws.com", "ListDistributions", c(None), True),
        ("monitoring.amazonaws.com", "GetMetricData", c(None), True),
        ("ec2.amazonaws.com", "DescribeInstances", c({"instancesSet": {}, "filterSet": {}}), True),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", c({"targetGroupArn": tg_arn}), True),
        (
            "autoscaling.amazonaws.com",
            "DescribeAutoScalingGroups",
            c({"autoScalingGroupNames": [asg_name]}),
            True,
        ),
        (
            "medialive.amazonaws.com",
            "DescribeChannel",
            c({"channelId": str(rng.randint(1000000, 9999999))}),
            True,
        ),
        (
            "s3.amazonaws.com",
            "GetBucketLocation",
            c({"bucketName": "pbn-cf-logs", "Host": "pbn-cf-logs.s3.amazonaws.com", "location": ""}),
            True,
        ),
        ("wafv2.amazonaws.com", "GetWebACL", c({"name": "pbn-edge", "scope": "CLOUDFRONT"}), True),
    ]
    trail = k.routine_trail(rng, REGION, start, now, [p_nr, p_nr, p_ro, p_web], calls, 34)
    # scheduled pre-game scale-out (ASG)
    trail.append(
        k.ct(
            rng,
            prescale_t,
            p_asg,
            "ec2.amazonaws.com",
            "RunInstances",
            REGION,
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": "lt-0" + k.hexid(rng, 16), "version": "$Default"},
            },
            {"instancesSet": {"items": [{"instanceId": insts[3]["id"], "instanceType": "m5.xlarge"}]}},
        )
    )
    # innocent 1: new cache behaviour for thumbnails on the distribution, before the onset
    upd_t = onset - timedelta(minutes=rng.randint(12, 24), seconds=rng.randint(0, 59))
    etag = "E" + k.upper_id(rng, 13)
    trail.append(
        k.ct(
            rng,
            upd_t - timedelta(seconds=40),
            p_web,
            "cloudfront.amazonaws.com",
            "GetDistributionConfig",
            REGION,
            {"id": dist_id},
            None,
            True,
        )
    )
    trail.append(
        k.ct(
            rng,
            upd_t,
            p_web,
            "cloudfront.amazonaws.com",
            "UpdateDistribution",
            REGION,
            {
                "id": dist_id,
                "ifMatch": etag,
                "distributionConfig": {
                    "comment": "pbn live + vod",
                    "enabled": True,
                    "cacheBehaviors": {
                        "quantity": 3,
                        "items": [
                            {"pathPattern": "/live/*", "targetOriginId": "hls-origin-alb"},
                            {"pathPattern": "/vod/*", "targetOriginId": "hls-origin-alb"},
                            {
                                "pathPattern": "/thumbs/*",
                                "targetOriginId": "pbn-thumbs-s3",
                                "viewerProtocolPolicy": "redirect-to-https",
                            },
                        ],
                    },
                },
            },
            {"eTag": "E" + k.upper_id(rng, 13), "distribution": {"id": dist_id, "status": "InProgress"}},
        )
    )
    # innocent 2: WAF rate rule raised for the game, after the onset
    waf_t = onset + timedelta(minutes=rng.randint(3, 12), seconds=rng.randint(0, 59))
    trail.append(
        k.ct(
            rng,
            waf_t,
            p_sec,
            "wafv2.amazonaws.com",
            "UpdateWebACL",
            REGION,
            {
                "name": "pbn-edge",
                "scope": "CLOUDFRONT",
                "id": k.uuid(rng),
                "defaultAction": {"allow": {}},
                "rules": [
                    {
                        "name": "per-ip-rate",
                        "priority": 0,
                        "statement": {"rateBasedStatement": {"limit": 6000, "aggregateKeyType": "IP"}},
                        "action": {"block": {}},
                    },
                    {"name": "AWSManagedRulesCommonRuleSet", "priority": 1},
                ],
                "lockToken": k.uuid(rng),
            },
            {"nextLockToken": k.uuid(rng)},
        )
    )
    for j, (src, nm) in enumerate(
        [
            ("cloudfront.amazonaws.com", "GetDistribution"),
            ("ec2.amazonaws.com", "DescribeInstances"),
            ("autoscaling.amazonaws.com", "DescribeScalingActivities"),
        ]
    ):
        trail.append(
            k.ct(
                rng,
                onset + timedelta(minutes=14 + 4 * j, seconds=rng.randint(0, 59)),
                p_web,
                src,
                nm,
                REGION,
                None,
                None,
                True,
            )
        )
    trail = [x for x in trail if x["eventTime"] <= k.iso(now)]

    # --- traffic model --------------------------------------------------------------------------
    peak_viewers = rng.uniform(14000, 22000)
    baseline = 1.25 * GBPS * 60  # m5.xlarge baseline, bytes per minute
    over = rng.uniform(1.3, 1.55)  # live origin demand per instance, as a multiple of baseline
    metrics: list[k.Rec] = []
    cf5: dict[datetime, float] = {}
    exceeded = {x["id"]: float(rng.randint(0, 40)) for x in insts}
    albd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    per_inst_slow: dict[datetime, float] = {}
    for t in k.minutes(start, now - timedelta(minutes=1)):
        # viewers: VOD evening curve plus the live game from kick-off
        vod = 2500 * k.diurnal(t, -5.0, 20.5, 0.2)
        ramp = min(1.0, max(0.0, (t - (kick - timedelta(minutes=20))).total_seconds() / 1800))
        live = peak_viewers * ramp
        viewers = k.jitter(rng, vod + live, 0.015)
        reqs = viewers * 21
        # origin demand (cache misses on many renditions + VOD long tail), bytes/minute
        demand_total = (vod * 0.9e6 * 60 / 8 * 0.35 + ramp * n * baseline * over) * k.jitter(rng, 1, 0.03)
        live_inst = [x for x in insts if x["launched"] <= t]
        per = demand_total / len(live_inst)
        capped = t >= onset.replace(second=0)
        cap = baseline * 0.985 if capped else baseline * 8
        served = min(per, cap)
        short = max(0.0, per - served) / max(per, 1)
        per_inst_slow[t] = short
        err5 = min(9.0, 100 * short * 0.075 + rng.uniform(0.01, 0.05))
        cf5[t] = err5
        err504 = max(0.0, err5 - rng.uniform(0.01, 0.03))
        err4 = rng.uniform(0.25, 0.55)
        metrics.append(k.datum("AWS/CloudFront", "Requests", cf_dims, t, "None", int(reqs)))
        metrics.append(
            k.datum(
                "AWS/CloudFront",
                "BytesDownloaded",
                cf_dims,
                t,
                "None",
                int(viewers * 5.0e6 * 60 / 8 * (1 - short * 0.3)),
            )
        )
        metrics.append(k.datum("AWS/CloudFront", "BytesUploaded", cf_dims, t, "None", int(reqs * 410)))
        metrics.append(k.datum("AWS/CloudFront", "4xxErrorRate", cf_dims, t, "Percent", round(err4, 4)))
        metrics.append(k.datum("AWS/CloudFront", "5xxErrorRate", cf_dims, t, "Percent", round(err5, 4)))
        metrics.append(
            k.datum("AWS/CloudFront", "TotalErrorRate", cf_dims, t, "Percent", round(err4 + err5, 4))
        )
        metrics.append(k.datum("AWS/CloudFront", "504ErrorRate", cf_dims, t, "Percent", round(err504, 4)))
        metrics.append(
            k.datum("AWS/CloudFront", "502ErrorRate", cf_dims, t, "Percent", round(rng.uniform(0, 0.01), 4))
        )
        metrics.append(
            k.datum(
                "AWS/CloudFront",
                "CacheHitRate",
                cf_dims,
                t,
                "Percent",
                round(min(99.0, k.jitter(rng, 93.0 if live > 1000 else 81.0, 0.005)), 3),
            )
        )
        ol = [max(5.0, rng.lognormvariate(4.1, 0.5) * (1 + 40 * short * rng.random())) for _ in range(40)]
        metrics.append(k.dist("AWS/CloudFront", "OriginLatency", cf_dims, t, "Milliseconds", ol))
        # origin ALB
        oreq = int(reqs * 0.075)
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", albd, t, "Count", oreq))
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", tgd, t, "Count", oreq))
        metrics.append(
            k.datum("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tgd, t, "Count", int(oreq * 0.985))
        )
        metrics.append(
            k.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tgd, t, "Count", int(oreq * 0.012))
        )
        c460 = k.poisson(rng, oreq * short * 0.2)
        e4 = c460 + k.poisson(rng, 2)
        if e4:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", albd, t, "Count", e4))
        if k.poisson(rng, 0.1):
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", albd, t, "Count", 1.0))
        trt = [max(0.002, rng.lognormvariate(-3.6, 0.6) * (1 + 25 * short * rng.random())) for _ in range(40)]
        metrics.append(k.dist("AWS/ApplicationELB", "TargetResponseTime", albd, t, "Seconds", trt))
        metrics.append(
            k.stat(
                "AWS/ApplicationELB",
                "HealthyHostCount",
                tgd,
                t,
                "Count",
                3,
                3 * len(live_inst),
                len(live_inst),
                len(live_inst),
            )
        )
        metrics.append(k.stat("AWS/ApplicationELB", "UnHealthyHostCount", tgd, t, "Count", 3, 0, 0, 0))
        # instances: detailed monitoring (1-minute) and CloudWatch agent ethtool counters
        for x in live_inst:
            d = {"InstanceId": x["id"]}
            out = served * k.jitter(rng, 1, 0.01 if capped else 0.04)
            if capped:
                out = min(out, baseline * rng.uniform(0.975, 0.99))
            metrics.append(k.datum("AWS/EC2", "NetworkOut", d, t, "Bytes", int(out)))
            metrics.append(
                k.datum("AWS/EC2", "NetworkIn", d, t, "Bytes", int(k.jitter(rng, 2.2e8 + out * 0.018, 0.05)))
            )
            metrics.append(k.datum("AWS/EC2", "NetworkPacketsOut", d, t, "Count", int(out / 8600)))
            cpu = 6 + 24 * (out / baseline) + rng.gauss(0, 1.2)
            metrics.append(
                k.datum("AWS/EC2", "CPUUtilization", d, t, "Percent", round(max(1.0, min(95.0, cpu)), 3))
            )
            if capped:
                exceeded[x["id"]] += (per - served) / 9000 * k.jitter(rng, 1, 0.05)
            ed = {"InstanceId": x["id"], "driver": "ena", "interface": "eth0"}
            metrics.append(
                k.datum(
                    "CWAgent",
                    "ethtool_bw_out_allowance_exceeded",
                    ed,
                    t,
                    "None",
                    float(int(exceeded[x["id"]])),
                )
            )
            metrics.append(k.datum("CWAgent", "ethtool_bw_in_allowance_exceeded", ed, t, "None", 0.0))
            metrics.append(k.datum("CWAgent", "ethtool_pps_allowance_exceeded", ed, t, "None", 0.0))
            metrics.append(k.datum("CWAgent", "ethtool_conntrack_allowance_exceeded", ed, t, "None", 0.0))
            metrics.append(k.datum("CWAgent", "ethtool_linklocal_allowance_exceeded", ed, t, "None", 0.0))
            metrics.append(
                k.datum(
                    "CWAgent",
                    "mem_used_percent",
                    {"InstanceId": x["id"]},
                    t,
                    "Percent",
                    round(k.jitter(rng, 38, 0.02), 3),
                )
            )
        asgcpu = [m["value"] for m in metrics[-12 * len(live_inst) :] if m["metric"] == "CPUUtilization"]
        metrics.append(
            k.datum(
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": asg_name},
                t,
                "Percent",
                round(sum(asgcpu) / max(1, len(asgcpu)), 3),
            )
        )

    # --- alarms ---------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:pbn-streaming-oncall"
    created = start - timedelta(days=rng.randint(60, 300))
    asg_cpu = {
        datetime.fromisoformat(m["timestamp"]): m["value"]
        for m in metrics
        if m["metric"] == "CPUUtilization" and "AutoScalingGroupName" in m["dimensions"]
    }
    tt_high = f"TargetTracking-{asg_name}-AlarmHigh-{k.uuid(rng)}"
    tt_low = f"TargetTracking-{asg_name}-AlarmLow-{k.uuid(rng)}"
    pol_arn = f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:{k.uuid(rng)}:autoScalingGroupName/{asg_name}:policyName/cpu-60"
    specs: list[tuple[k.AlarmSpec, dict[datetime, float]]] = [
        (
            k.AlarmSpec(
                "pbn-cdn-5xx-error-rate",
                "AWS/CloudFront",
                "5xxErrorRate",
                cf_dims,
                "Average",
                1.0,
                "GreaterThanThreshold",
                60,
                3,
                3,
                "notBreaching",
                None,
                "CloudFront 5xx error rate above 1% on the streaming distribution",
                [topic],
            ),
            cf5,
        ),
        (
            k.AlarmSpec(
                tt_high,
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": asg_name},
                "Average",
                60.0,
                "GreaterThanThreshold",
                60,
                3,
                3,
                "missing",
                None,
                f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_arn}.",
                [pol_arn],
            ),
            asg_cpu,
        ),
        (
            k.AlarmSpec(
                tt_low,
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": asg_name},
                "Average",
                42.0,
                "LessThanThreshold",
                60,
                15,
                15,
                "missing",
                None,
                f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_arn}.",
                [pol_arn],
            ),
            asg_cpu,
        ),
    ]
    alarms, history = [], []
    trigger_event = None
    for spec, vals in specs:
        item, hist, trans = k.evaluate_alarm(spec, vals, start, now, ACCOUNT, REGION, rng, created)
        if spec.name.startswith("TargetTracking"):
            hist = [h for h in hist if h["HistoryItemType"] == "StateUpdate"]
        alarms.append(item)
        history += hist
        if spec.name == "pbn-cdn-5xx-error-rate":
            for when, old, new, rdata in trans:
                if new == "ALARM" and trigger_event is None:
                    trigger_event = k.alarm_event(ACCOUNT, REGION, item, when, old, new, rdata, rng)
    assert trigger_event is not None

    # --- logs -----------------------------------------------------------------------------------
    logs: list[k.Rec] = []
    renditions = ["1080p_6000k", "720p_3500k", "540p_2000k", "360p_800k"]
    for x in insts:
        stream = x["id"]
        for t in k.minutes(start, now - timedelta(minutes=1)):
            if x["launched"] > t:
                continue
            short = per_inst_slow.get(t, 0.0)
            for _ in range(rng.randint(1, 3)):
                tt = t + timedelta(seconds=rng.uniform(0, 59.9))
                live = tt >= kick - timedelta(minutes=20) and rng.random() < 0.7
                seg = rng.randint(10000, 99999)
                path = (
                    f"/live/pbn1/{rng.choice(renditions)}/seg_{seg}.ts"
                    if live
                    else f"/vod/{k.hexid(rng, 8)}/{rng.choice(renditions)}/seg_{rng.randint(1, 900):05d}.ts"
                )
                rt = max(0.001, rng.lognormvariate(-3.3, 0.5) * (1 + 60 * short * rng.random()))
                size = rng.randint(1_200_000, 4_600_000)
                status = 200
                if short > 0 and rng.random() < short * 0.5:
                    rt = rng.uniform(29.0, 31.5)
                    size = rng.randint(100_000, size)
                    status = 200
                ua = "Amazon CloudFront"
                src = f"10.20.{rng.randint(0, 2)}.{rng.randint(10, 250)}"
                logs.append(
                    k.log(
                        "/pbn/hls-origin/nginx-access",
                        stream,
                        tt,
                        f'{src} - - [{tt.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "GET {path} HTTP/1.1" {status} {size} "-" "{ua}" rt={rt:.3f} xff="{rng.randint(24, 200)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}, 130.176.{rng.randint(0, 255)}.{rng.randint(1, 254)}"',
                    )
                )
            if short > 0 and rng.random() < min(0.9, short * 2):
                tt = t + timedelta(seconds=rng.uniform(0, 59.9))
                logs.append(
                    k.log(
                        "/pbn/hls-origin/nginx-error",
                        stream,
                        tt,
                        f'{tt.strftime("%Y/%m/%d %H:%M:%S")} [info] {rng.randint(900, 4000)}#{rng.randint(900, 4000)}: *{rng.randint(10**6, 10**8)} client prematurely closed connection while sending response to client, client: 10.20.{rng.randint(0, 2)}.{rng.randint(10, 250)}, server: origin.pbn.internal, request: "GET /live/pbn1/{rng.choice(renditions)}/seg_{rng.randint(10000, 99999)}.ts HTTP/1.1", host: "origin.pbn.internal"',
                    )
                )
            if rng.random() < 0.01:
                tt = t + timedelta(seconds=rng.uniform(0, 59.9))
                logs.append(
                    k.log(
                        "/pbn/hls-origin/nginx-error",
                        stream,
                        tt,
                        f'{tt.strftime("%Y/%m/%d %H:%M:%S")} [error] {rng.randint(900, 4000)}#{rng.randint(900, 4000)}: *{rng.randint(10**6, 10**8)} open() "/srv/hls/vod/{k.hexid(rng, 8)}/thumb.jpg" failed (2: No such file or directory), client: 10.20.{rng.randint(0, 2)}.{rng.randint(10, 250)}, server: origin.pbn.internal',
                    )
                )

    # --- resources ------------------------------------------------------------------------------
    r: list[k.Rec] = [k.res("ec2", "Vpc", k.vpc(vpc_id, "10.20.0.0/16", ACCOUNT, "pbn-streaming", rng))]
    for j, (az, azid) in enumerate(azs):
        r.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    pub[j],
                    vpc_id,
                    az,
                    azid,
                    f"10.20.{j}.0/24",
                    246 - rng.randint(0, 6),
                    ACCOUNT,
                    REGION,
                    f"pbn-public-{az[-1]}",
                ),
            )
        )
        r.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    priv[j],
                    vpc_id,
                    az,
                    azid,
                    f"10.20.{16 + j * 16}.0/20",
                    4080 - rng.randint(0, 20),
                    ACCOUNT,
                    REGION,
                    f"pbn-private-{az[-1]}",
                ),
            )
        )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_alb,
                "pbn-hls-origin-alb",
                "origin ALB, CloudFront only",
                vpc_id,
                ACCOUNT,
                REGION,
                [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 80,
                        "ToPort": 80,
                        "IpRanges": [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [
                            {
                                "PrefixListId": "pl-3b927c52",
                                "Description": "com.amazonaws.global.cloudfront.origin-facing",
                            }
                        ],
                        "UserIdGroupPairs": [],
                    }
                ],
                {"Name": "pbn-hls-origin-alb"},
            ),
        )
    )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_or,
                "pbn-hls-origin",
                "origin instances",
                vpc_id,
                ACCOUNT,
                REGION,
                [
                    k.perm("tcp", 80, 80, groups=[(sg_alb, ACCOUNT, "from origin ALB")]),
                    k.perm("tcp", 1935, 1935, [("10.20.0.0/16", "RTMP ingest from MediaLive")]),
                ],
                {"Name": "pbn-hls-origin"},
            ),
        )
    )
    ami = "ami-0" + k.hexid(rng, 16)
    for x in insts:
        inst = k.instance(
            rng,
            x["id"],
            "m5.xlarge",
            x["az"],
            x["subnet"],
            vpc_id,
            x["ip"],
            [(sg_or, "pbn-hls-origin")],
            ami,
            x["launched"],
            {"Name": "hls-origin-prod", "aws:autoscaling:groupName": asg_name, "app": "hls-origin"},
            f"arn:aws:iam::{ACCOUNT}:instance-profile/hls-origin",
            [("/dev/xvda", x["vol"])],
            x["eni"],
        )
        inst["Monitoring"] = {"State": "enabled"}
        inst["CpuOptions"] = {"CoreCount": 2, "ThreadsPerCore": 2}
        r.append(k.res("ec2", "Instance", inst))
        r.append(k.res("ec2", "InstanceStatus", k.instance_status(x["id"], x["az"])))
    r.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            k.load_balancer(
                lb_arn,
                lb_name,
                "application",
                "internet-facing",
                vpc_id,
                created,
                [(azs[j][0], pub[j]) for j in range(3)],
                [sg_alb],
                f"{lb_name}-{rng.randint(10**8, 10**9 - 1)}.{REGION}.elb.amazonaws.com",
                "Z35SXDOTRQ7X7K",
            ),
        )
    )
    r.append(
        k.res(
            "elbv2",
            "TargetGroup",
            k.target_group(
                tg_arn,
                "hls-origin-http",
                "HTTP",
                80,
                vpc_id,
                lb_arn,
                {
                    "HealthCheckProtocol": "HTTP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckIntervalSeconds": 15,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 2,
                    "UnhealthyThresholdCount": 3,
                    "HealthCheckPath": "/healthz",
                    "Matcher": {"HttpCode": "200"},
                },
            ),
        )
    )
    r.append(
        k.res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/{lb_dim}/{k.hexid(rng, 16)}",
                "LoadBalancerArn": lb_arn,
                "Port": 80,
                "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
            },
        )
    )
    lt = ("lt-0" + k.hexid(rng, 16), "hls-origin", str(rng.randint(8, 20)))
    r.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            k.asg(
                asg_name,
                f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg_name}",
                lt,
                (4, 10, n),
                [a for a, _ in azs],
                priv,
                [tg_arn],
                created,
                [(x["id"], "m5.xlarge", x["az"]) for x in insts],
                {"app": "hls-origin"},
                ACCOUNT,
            ),
        )
    )
    r.append(
        k.res(
            "autoscaling",
            "ScalingPolicy",
            {
                "AutoScalingGroupName": asg_name,
                "PolicyName": "cpu-60",
                "PolicyARN": pol_arn,
                "PolicyType": "TargetTrackingScaling",
                "StepAdjustments": [],
                "Alarms": [
                    {
                        "AlarmName": tt_high,
                        "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{tt_high}",
                    },
                    {
                        "AlarmName": tt_low,
                        "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{tt_low}",
                    },
                ],
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": 60.0,
                    "DisableScaleIn": False,
                },
                "Enabled": True,
            },
        )
    )
    r.append(
        k.res(
            "autoscaling",
            "ScheduledUpdateGroupAction",
            {
                "AutoScalingGroupName": asg_name,
                "ScheduledActionName": "friday-game-prescale",
                "ScheduledActionARN": f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scheduledUpdateGroupAction:{k.uuid(rng)}:autoScalingGroupName/{asg_name}:scheduledActionName/friday-game-prescale",
                "Recurrence": "0 18 * * 5",
                "TimeZone": ZONE,
                "MinSize": 4,
                "DesiredCapacity": 4,
                "StartTime": k.iso(created),
            },
        )
    )
    r.append(
        k.res(
            "cloudfront",
            "Distribution",
            {
                "Id": dist_id,
                "ARN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist_id}",
                "Status": "Deployed",
                "LastModifiedTime": k.iso_ms(upd_t + timedelta(minutes=4)),
                "InProgressInvalidationBatches": 0,
                "DomainName": f"d{k.hexid(rng, 13)}.cloudfront.net",
                "DistributionConfig": {
                    "CallerReference": k.uuid(rng),
                    "Comment": "pbn live + vod",
                    "Enabled": True,
                    "HttpVersion": "http2and3",
                    "PriceClass": "PriceClass_100",
                    "Aliases": {"Quantity": 1, "Items": ["watch.parksidebroadcasting.com"]},
                    "Origins": {
                        "Quantity": 2,
                        "Items": [
                            {
                                "Id": "hls-origin-alb",
                                "DomainName": f"{lb_name}-origin.parksidebroadcasting.com",
                                "OriginPath": "",
                                "CustomOriginConfig": {
                                    "HTTPPort": 80,
                                    "HTTPSPort": 443,
                                    "OriginProtocolPolicy": "http-only",
                                    "OriginReadTimeout": 30,
                                    "OriginKeepaliveTimeout": 5,
                                },
                                "OriginShield": {"Enabled": True, "OriginShieldRegion": REGION},
                                "ConnectionAttempts": 3,
                                "ConnectionTimeout": 10,
                            },
                            {
                                "Id": "pbn-thumbs-s3",
                                "DomainName": "pbn-thumbs.s3.us-east-1.amazonaws.com",
                                "OriginPath": "",
                                "S3OriginConfig": {"OriginAccessIdentity": ""},
                                "OriginAccessControlId": "E" + k.upper_id(rng, 13),
                            },
                        ],
                    },
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "hls-origin-alb",
                        "ViewerProtocolPolicy": "redirect-to-https",
                        "Compress": False,
                        "CachePolicyId": k.uuid(rng),
                    },
                    "CacheBehaviors": {
                        "Quantity": 3,
                        "Items": [
                            {
                                "PathPattern": "/live/*",
                                "TargetOriginId": "hls-origin-alb",
                                "ViewerProtocolPolicy": "redirect-to-https",
                                "CachePolicyId": k.uuid(rng),
                            },
                            {
                                "PathPattern": "/vod/*",
                                "TargetOriginId": "hls-origin-alb",
                                "ViewerProtocolPolicy": "redirect-to-https",
                                "CachePolicyId": k.uuid(rng),
                            },
                            {
                                "PathPattern": "/thumbs/*",
                                "TargetOriginId": "pbn-thumbs-s3",
                                "ViewerProtocolPolicy": "redirect-to-https",
                                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                            },
                        ],
                    },
                    "ViewerCertificate": {
                        "ACMCertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/{k.uuid(rng)}",
                        "SSLSupportMethod": "sni-only",
                        "MinimumProtocolVersion": "TLSv1.2_2021",
                    },
                    "Restrictions": {
                        "GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 1, "Items": ["US"]}
                    },
                    "WebACLId": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/pbn-edge/{k.uuid(rng)}",
                },
            },
        )
    )
    for g in ("/pbn/hls-origin/nginx-access", "/pbn/hls-origin/nginx-error"):
        r.append(
            k.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": g,
                    "creationTime": k.ms(created),
                    "retentionInDays": 14,
                    "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{g}:*",
                    "storedBytes": rng.randint(10**9, 10**10),
                },
            )
        )

    events: list[k.Rec] = [
        {
            "source": "autoscaling",
            "item": {
                "ActivityId": k.uuid(rng),
                "AutoScalingGroupName": asg_name,
                "Description": f"Launching a new EC2 instance: {insts[3]['id']}",
                "Cause": f"At {k.iso(prescale_t - timedelta(seconds=2))} a scheduled action update of AutoScalingGroup constraints to min: 4, max: 10, desired: 4 changing the desired capacity from 3 to 4.  At {k.iso(prescale_t)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 3 to 4.",
                "StartTime": k.iso_ms(prescale_t),
                "EndTime": k.iso_ms(prescale_t + timedelta(seconds=rng.randint(150, 260))),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": f'{{"Subnet ID":"{insts[3]["subnet"]}","Availability Zone":"{insts[3]["az"]}"}}',
            },
        }
    ]
    for x in insts:
        events.append(
            k.th_event(
                tg_arn,
                x["id"],
                80,
                x["launched"] + timedelta(seconds=90),
                "initial",
                "Elb.RegistrationInProgress",
                k.HC_DESC["Elb.RegistrationInProgress"],
            )
        )
        events.append(k.th_event(tg_arn, x["id"], 80, x["launched"] + timedelta(seconds=125), "healthy"))

    local = onset.astimezone(ZoneInfo(ZONE))
    clock = (local - timedelta(minutes=local.minute % 5)).strftime("%-I:%M%p").lower()
    q = f"CDN 5xx alarm for the stream, and viewers on social are complaining the game keeps buffering since about {clock}. It was fine at kick-off. What is wrong?"
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ACCOUNT,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": q, "alarm_event": trigger_event, "timezone": ZONE},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": asg_name,
                    "category": "limit",
                    "failure_mode": "instance-network-bandwidth-allowance-exceeded",
                },
                "also_accept": [x["id"] for x in insts] + ["hls-origin", lt[0]],
                "actions": ["scale", "upgrade"],
                "chain": [
                    f"Origin instances in {asg_name} (m5.xlarge) exhaust their network burst allowance ~{burst_min} minutes into the game; egress is held at the 1.25 Gbps baseline (ethtool_bw_out_allowance_exceeded climbing)",
                    "Segment responses to CloudFront slow down and some exceed the 30s origin read timeout",
                    f"CloudFront distribution {dist_id} returns 504s; viewers buffer; pbn-cdn-5xx-error-rate alarm fires",
                    "CPU stays below the 60% target-tracking target, so the group never scales out",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(metrics),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": k.sort_trail(trail),
            "resources": r,
            "events": events,
        },
    )
