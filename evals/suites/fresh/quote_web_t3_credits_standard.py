"""quote-web slows at the afternoon peak: a cost-saving Lambda switched the ASG's t3 instances from unlimited
to standard CPU credits in the morning; by early afternoon the credit balances reach zero and CPU is held at
the 30% baseline, so target tracking never scales out and requests queue."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_p as k

NAME = "quote-web-t3-credits-standard"
TITLE = "quote-web latency climbing through the afternoon peak"
SUMMARY = (
    "A FinOps Lambda ran ModifyInstanceCreditSpecification (unlimited -> standard) on quote-web's t3.large ASG "
    "instances; credits run out at the afternoon peak, CPU pinned at baseline, latency and 504s rise."
)

_REGIONS = [("us-east-1", -4), ("us-east-2", -5), ("ca-central-1", -4)]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200000000000, 899999999999))
    region, off = rng.choice(_REGIONS)
    day = k.day_in(rng, 2024, (4, 5, 6, 9, 10))
    while day.weekday() not in (1, 2, 3, 4):  # a working day after a working day
        day += timedelta(days=1)
    switch = day + timedelta(hours=7 - off, minutes=rng.randint(0, 20), seconds=rng.randint(0, 59))
    start = day - timedelta(days=1) + timedelta(hours=-off)  # local midnight the day before
    n = 4
    org = rng.choice(["ridgeway", "lumenpay", "copperline"])

    net = k.network(rng, region, rng.choice([10, 30, 50]))
    alb_sg, web_sg = k.rid(rng, "sg"), k.rid(rng, "sg")
    asg = "quote-web-prod-asg"
    lt_id = k.rid(rng, "lt")
    lt_ver = rng.randint(20, 40)
    resources: list[k.JSON] = k.net_resources(net, account, "quote-prod")
    resources.append(
        k.security_group(alb_sg, "quote-web-alb", "quote-web ALB", net.vpc_id, account, [(443, "0.0.0.0/0")])
    )
    resources.append(
        k.security_group(web_sg, "quote-web", "quote-web instances", net.vpc_id, account, [(80, alb_sg)])
    )
    lb_res, lb_arn, lb_dim = k.load_balancer(
        rng, account, region, "quote-web-prod", net, alb_sg, day - timedelta(days=600)
    )
    tg_res, tg_arn, tg_dim = k.target_group(
        rng, account, region, "quote-web-prod-http", net.vpc_id, lb_arn, 80, "/healthz"
    )
    resources += [
        lb_res,
        tg_res,
        k.listener(rng, lb_arn, tg_arn, f"arn:aws:acm:{region}:{account}:certificate/{k.uuid(rng)}"),
    ]
    ami = k.rid(rng, "ami")
    insts = []
    for i in range(n):
        iid = k.rid(rng, "i")
        az_i = i % 3
        ip = f"10.{net.cidr.split('.')[1]}.{16 * (az_i + 1) + rng.randint(0, 5)}.{rng.randint(10, 250)}"
        insts.append((iid, net.azs[az_i], ip))
        resources.append(
            k.ec2_instance(
                rng,
                account=account,
                region=region,
                iid=iid,
                itype="t3.large",
                ami=ami,
                az=net.azs[az_i],
                subnet=net.private[az_i],
                vpc=net.vpc_id,
                ip=ip,
                sgs=[(web_sg, "quote-web")],
                launched=day - timedelta(days=rng.randint(4, 11), hours=rng.randint(0, 20)),
                profile="quote-web-prod",
                tags={
                    "Name": "quote-web-prod",
                    "service": "quote-web",
                    "env": "prod",
                    "cost-optimize": "true",
                    "aws:autoscaling:groupName": asg,
                },
                lt=(lt_id, "quote-web-prod", str(lt_ver)),
            )
        )
        resources.append(k.instance_status(iid, net.azs[az_i]))
    extras = [k.rid(rng, "i"), k.rid(rng, "i")]  # t3 instances of other teams with the same tag
    policy_name = "cpu-target-80"
    tt_alarm_high = f"TargetTracking-{asg}-AlarmHigh-{k.uuid(rng)}"
    tt_alarm_low = f"TargetTracking-{asg}-AlarmLow-{k.uuid(rng)}"
    resources.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": asg,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg}",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "quote-web-prod",
                    "Version": "$Latest",
                },
                "MinSize": n,
                "MaxSize": 12,
                "DesiredCapacity": n,
                "DefaultCooldown": 300,
                "AvailabilityZones": net.azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": iid,
                        "InstanceType": "t3.large",
                        "AvailabilityZone": az,
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "quote-web-prod",
                            "Version": str(lt_ver),
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for iid, az, _ in insts
                ],
                "CreatedTime": k.iso(day - timedelta(days=600)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(net.private),
                "EnabledMetrics": [
                    {"Metric": "GroupInServiceInstances", "Granularity": "1Minute"},
                    {"Metric": "GroupDesiredCapacity", "Granularity": "1Minute"},
                ],
                "Tags": [
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "cost-optimize",
                        "Value": "true",
                        "PropagateAtLaunch": True,
                    }
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        }
    )
    resources.append(
        {
            "service": "autoscaling",
            "type": "ScalingPolicy",
            "item": {
                "AutoScalingGroupName": asg,
                "PolicyName": policy_name,
                "PolicyARN": f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{k.uuid(rng)}:autoScalingGroupName/{asg}:policyName/{policy_name}",
                "PolicyType": "TargetTrackingScaling",
                "StepAdjustments": [],
                "Alarms": [
                    {
                        "AlarmName": tt_alarm_high,
                        "AlarmARN": f"arn:aws:cloudwatch:{region}:{account}:alarm:{tt_alarm_high}",
                    },
                    {
                        "AlarmName": tt_alarm_low,
                        "AlarmARN": f"arn:aws:cloudwatch:{region}:{account}:alarm:{tt_alarm_low}",
                    },
                ],
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": 80.0,
                    "DisableScaleIn": False,
                },
                "Enabled": True,
            },
        }
    )
    optimizer = "ec2-credit-optimizer"
    opt_changed = switch - timedelta(hours=rng.randint(14, 18), minutes=rng.randint(0, 59))
    resources.append(
        k.lambda_function(
            rng,
            account,
            region,
            optimizer,
            "python3.12",
            "optimizer.handler",
            256,
            300,
            "finops-optimizer-role",
            opt_changed,
            {
                "TARGET_TAG": "cost-optimize=true",
                "DRY_RUN": "false",
                "CREDIT_MODE": "standard",
                "REPORT_TOPIC": f"arn:aws:sns:{region}:{account}:finops-reports",
            },
        )
    )
    resources.append(
        {
            "service": "iam",
            "type": "RoleInlinePolicy",
            "item": {
                "RoleName": "finops-optimizer-role",
                "PolicyName": "ec2-credits",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "ec2:DescribeInstances",
                                "ec2:DescribeInstanceCreditSpecifications",
                                "ec2:ModifyInstanceCreditSpecification",
                            ],
                            "Resource": "*",
                        }
                    ],
                },
            },
        }
    )
    for lg in (
        "/quote-web/nginx/access",
        "/quote-web/nginx/error",
        "/quote-web/app",
        f"/aws/lambda/{optimizer}",
    ):
        resources.append(k.log_group(account, region, lg, day - timedelta(days=500), 30))

    # --- CPU and credit simulation (5-minute steps, per instance) ----------------------------------------------------
    fives = k.steps(start, day + timedelta(hours=23 - off), 300)
    base_pct = 30.0  # t3.large baseline per vCPU
    earn = 36 / 12  # credits per 5 minutes
    share = [rng.uniform(0.94, 1.06) for _ in range(n)]
    bal = [rng.uniform(120, 260) for _ in range(n)]
    surplus = [0.0] * n
    demand_peak = rng.uniform(70, 75)

    def demand(t: datetime) -> float:
        return 9 + (demand_peak - 9) * k.diurnal(t, off, 14.5, 0.02) ** 1.3

    sim: dict[str, list[tuple[datetime, float, float, float, float, float]]] = {
        iid: [] for iid, _, _ in insts
    }
    starved_at: list[datetime | None] = [None] * n
    for t in fives:
        for i, (iid, _, _) in enumerate(insts):
            d = demand(t) * share[i] * rng.uniform(0.96, 1.04)
            standard = t >= switch
            if standard and bal[i] <= 0.05:
                cpu = min(d, base_pct + rng.uniform(0.0, 0.4))
                if starved_at[i] is None:
                    starved_at[i] = t
            else:
                cpu = d
            use = cpu / 100 * 2 * 5
            net_ = earn - use
            if standard:
                bal[i] = max(0.0, min(864.0, bal[i] + net_))
            else:
                if surplus[i] > 0 and net_ > 0:
                    pay = min(surplus[i], net_)
                    surplus[i] -= pay
                    net_ -= pay
                bal[i] = bal[i] + net_
                if bal[i] < 0:
                    surplus[i] += -bal[i]
                    bal[i] = 0.0
                bal[i] = min(bal[i], 864.0)
            sim[iid].append((t, cpu, use, bal[i], surplus[i], d))
    onset = min(x for x in starved_at if x is not None)
    now = onset + timedelta(hours=rng.randint(2, 3), minutes=rng.randint(5, 40), seconds=rng.randint(0, 59))
    fine_from = k.floor_to(onset - timedelta(hours=3), 300)

    over: dict[datetime, float] = {}
    for j, t5_ in enumerate(fives):
        tot = 0.0
        for iid, _, _ in insts:
            p = sim[iid][j]
            if p[5] > p[1] + 0.5:
                tot += (p[5] - p[1]) / p[5]
        over[t5_] = tot / n

    def overload(t: datetime) -> float:
        """How far demand exceeds what the throttled fleet can serve (0 = fine)."""
        return over.get(k.floor_to(t, 300), 0.0)

    m = k.Metrics(fine_from)
    for iid, _, _ in insts:
        pts = [p for p in sim[iid] if p[0] <= now]
        dim = {"InstanceId": iid}
        m.add("AWS/EC2", "CPUUtilization", dim, "Percent", [(p[0], round(p[1], 3)) for p in pts])
        m.add("AWS/EC2", "CPUCreditUsage", dim, "Count", [(p[0], round(p[2], 4)) for p in pts])
        m.add("AWS/EC2", "CPUCreditBalance", dim, "Count", [(p[0], round(p[3], 4)) for p in pts])
        m.add(
            "AWS/EC2",
            "CPUSurplusCreditBalance",
            dim,
            "Count",
            [(p[0], round(p[4], 4)) for p in pts if p[0] < switch],
        )
        m.add(
            "AWS/EC2", "CPUSurplusCreditsCharged", dim, "Count", [(p[0], 0.0) for p in pts if p[0] < switch]
        )
        m.add(
            "AWS/EC2",
            "NetworkIn",
            dim,
            "Bytes",
            [(p[0], float(round(p[5] * rng.uniform(5.5e5, 6.5e5)))) for p in pts],
        )
        m.add(
            "AWS/EC2",
            "NetworkOut",
            dim,
            "Bytes",
            [
                (p[0], float(round(p[5] * rng.uniform(2.4e6, 2.9e6) * (1 - 0.4 * overload(p[0])))))
                for p in pts
            ],
        )
        m.add("AWS/EC2", "StatusCheckFailed", dim, "Count", [(p[0], 0.0) for p in pts])
    asg_cpu = []
    for j, t in enumerate(x for x in fives if x <= now):
        asg_cpu.append((t, round(sum(sim[iid][j][1] for iid, _, _ in insts) / n, 3)))
    asg_series = m.add("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": asg}, "Percent", asg_cpu)
    m.add(
        "AWS/AutoScaling",
        "GroupInServiceInstances",
        {"AutoScalingGroupName": asg},
        "None",
        [(t, float(n)) for t in k.steps(start, now, 60)],
    )
    m.add(
        "AWS/AutoScaling",
        "GroupDesiredCapacity",
        {"AutoScalingGroupName": asg},
        "None",
        [(t, float(n)) for t in k.steps(start, now, 60)],
    )

    minutes = k.steps(start, now, 60)
    nz = k.Noise(rng)
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    req, rt, e504, t5 = {}, {}, {}, {}
    rps_peak = rng.uniform(55, 80)
    for t in minutes:
        o = overload(t)
        r = rps_peak * 60 * k.diurnal(t, off, 14.5, 0.06) * nz()
        req[t] = round(r)
        rt[t] = round(0.16 * rng.uniform(0.9, 1.15) + (o**0.8) * rng.uniform(9, 14), 4)
        e504[t] = round(r * max(0.0, o - 0.12) * rng.uniform(0.25, 0.4))
        t5[t] = round(r * o * rng.uniform(0.01, 0.03)) + (1 if rng.random() < 0.06 else 0)
    ns = "AWS/ApplicationELB"
    for dims in (lbd, tgd):
        m.add(ns, "RequestCount", dims, "Count", [(t, req[t]) for t in minutes])
        m.add(ns, "TargetResponseTime", dims, "Seconds", [(t, rt[t]) for t in minutes])
        m.add(
            ns, "HTTPCode_Target_2XX_Count", dims, "Count", [(t, req[t] - e504[t] - t5[t]) for t in minutes]
        )
        m.add(ns, "HTTPCode_Target_5XX_Count", dims, "Count", [(t, t5[t]) for t in minutes if t5[t] > 0])
    m.add(ns, "HTTPCode_ELB_504_Count", lbd, "Count", [(t, e504[t]) for t in minutes if e504[t] > 0])
    m.add(ns, "HTTPCode_ELB_5XX_Count", lbd, "Count", [(t, e504[t]) for t in minutes if e504[t] > 0])
    flap_i = rng.randrange(n)
    flaps = []
    t = onset + timedelta(minutes=rng.randint(70, 100))
    while t < now - timedelta(minutes=10):
        flaps.append((t, t + timedelta(seconds=rng.randint(45, 100))))
        t += timedelta(minutes=rng.randint(25, 50))

    def unhealthy(t: datetime) -> int:
        return sum(1 for a, b in flaps if a <= t + timedelta(seconds=30) < b)

    m.add(ns, "HealthyHostCount", tgd, "Count", [(t, float(n - unhealthy(t))) for t in minutes])
    m.add(ns, "UnHealthyHostCount", tgd, "Count", [(t, float(unhealthy(t))) for t in minutes])

    # --- alarms --------------------------------------------------------------------------------------------------------
    configured = day - timedelta(days=rng.randint(60, 300))
    topic = f"arn:aws:sns:{region}:{account}:quote-web-oncall"
    pol_arn = f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{k.uuid(rng)}:autoScalingGroupName/{asg}:policyName/{policy_name}"
    lat = k.AlarmSpec(
        "quote-web-prod-latency",
        "quote-web mean latency above 1s for 5 minutes",
        ns,
        "TargetResponseTime",
        lbd,
        "Average",
        60,
        5,
        5,
        1.0,
        "GreaterThanThreshold",
        "missing",
        [topic],
        [topic],
        configured,
    )
    specs = [
        (lat, m.find(ns, "TargetResponseTime", lbd)),
        (
            k.AlarmSpec(
                "quote-web-prod-elb-5xx",
                "quote-web load balancer 5xx",
                ns,
                "HTTPCode_ELB_5XX_Count",
                lbd,
                "Sum",
                300,
                2,
                2,
                150.0,
                "GreaterThanThreshold",
                "notBreaching",
                [topic],
                [topic],
                configured,
            ),
            m.find(ns, "HTTPCode_ELB_5XX_Count", lbd),
        ),
        (
            k.AlarmSpec(
                "quote-web-prod-unhealthy-hosts",
                "quote-web unhealthy targets",
                ns,
                "UnHealthyHostCount",
                tgd,
                "Maximum",
                60,
                3,
                3,
                0.0,
                "GreaterThanThreshold",
                "notBreaching",
                [topic],
                [topic],
                configured,
            ),
            m.find(ns, "UnHealthyHostCount", tgd),
        ),
        (
            k.AlarmSpec(
                tt_alarm_high,
                f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_arn}.",
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": asg},
                "Average",
                300,
                3,
                3,
                80.0,
                "GreaterThanThreshold",
                "missing",
                [pol_arn],
                [],
                configured,
            ),
            asg_series,
        ),
        (
            k.AlarmSpec(
                tt_alarm_low,
                f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_arn}.",
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": asg},
                "Average",
                300,
                15,
                15,
                72.0,
                "LessThanThreshold",
                "missing",
                [pol_arn],
                [],
                configured,
            ),
            asg_series,
        ),
    ]
    alarms, history = [], []
    trigger_event = None
    for spec, ser in specs:
        item, hist, trans = k.evaluate_alarm(rng, spec, ser, start, now, account, region)
        alarms.append(item)
        history += hist
        if spec is lat:
            idx = [i for i, tr in enumerate(trans) if tr[2] == "ALARM"][-1]
            trigger_event = k.alarm_event(rng, spec, trans[idx], trans[idx - 1], account, region)

    # --- logs ------------------------------------------------------------------------------------------------------------
    logs: list[k.JSON] = []
    paths = [
        "/api/v2/quotes",
        "/api/v2/quotes/{}",
        "/api/v2/quotes/{}/price",
        "/api/v2/vehicles/lookup",
        "/static/app.{}.js",
    ]
    uas = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "okhttp/4.12.0",
    ]
    for iid, _, _ in insts:
        t = max(start, fine_from - timedelta(hours=3)) + timedelta(seconds=rng.uniform(0, 30))
        pid = rng.randint(2000, 9000)
        while t < now:
            o = overload(t)
            pth = rng.choice(paths).format(rng.randint(10**6, 10**7))
            slow = o > 0.05 and rng.random() < o * 1.6
            rtime = rng.uniform(0.04, 0.35) + (rng.uniform(3, 30) if slow else 0)
            status = 200
            if slow and rtime > 25:
                status = 504
                logs.append(
                    k.log(
                        "/quote-web/nginx/error",
                        iid,
                        t,
                        f'{t:%Y/%m/%d %H:%M:%S} [error] 2211#2211: *{rng.randint(10**6, 10**7)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.{net.cidr.split(".")[1]}.{rng.randint(0, 2)}.{rng.randint(2, 250)}, server: _, request: "GET {pth} HTTP/1.1", upstream: "http://127.0.0.1:8000{pth}", host: "quote.{org}.com"',
                    )
                )
                if rng.random() < 0.35:
                    logs.append(
                        k.log(
                            "/quote-web/app",
                            iid,
                            t + timedelta(seconds=rng.uniform(0.5, 4)),
                            f"[{(t + timedelta(seconds=2)):%Y-%m-%d %H:%M:%S} +0000] [{pid}] [CRITICAL] WORKER TIMEOUT (pid:{rng.randint(pid + 1, pid + 40)})",
                        )
                    )
            lt = t + timedelta(hours=0)
            logs.append(
                k.log(
                    "/quote-web/nginx/access",
                    iid,
                    t,
                    f'10.{net.cidr.split(".")[1]}.{rng.randint(0, 2)}.{rng.randint(2, 250)} - - [{lt:%d/%b/%Y:%H:%M:%S} +0000] "GET {pth} HTTP/1.1" {status} {rng.randint(300, 24000) if status == 200 else 167} "-" "{rng.choice(uas)}" rt={rtime:.3f} uct=0.000 urt={min(rtime, 30.0):.3f}',
                )
            )
            if rng.random() < 0.02:
                logs.append(
                    k.log(
                        "/quote-web/app",
                        iid,
                        t,
                        f"[{t:%Y-%m-%d %H:%M:%S} +0000] [{pid}] [WARNING] quote_web.pricing: rating engine cache miss for zone {rng.randint(1, 40)}; recomputing",
                    )
                )
            gap = rng.uniform(40, 90) if t < fine_from else rng.uniform(6, 12)
            t += timedelta(seconds=gap / max(0.2, k.diurnal(t, off, 14.5, 0.06)))
    olg = f"/aws/lambda/{optimizer}"
    for run, dry in ((switch - timedelta(days=1), True), (switch, False)):
        if run < start:
            continue
        ostream = f"{run:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
        oreq = k.uuid(rng)
        for when, msg in k.lambda_report(
            rng, run - timedelta(seconds=3), 4100 + rng.uniform(0, 900), 256, 92, rng.uniform(300, 500), oreq
        ):
            logs.append(k.log(olg, ostream, when, msg))
        ids = ",".join(iid for iid, _, _ in insts)
        msg = f"[INFO]\t{k.iso_ms(run)}\t{oreq}\t{'DRY_RUN: would set' if dry else 'set'} CpuCredits=standard on {n + 2} instances tagged cost-optimize=true: {ids},{extras[0]},{extras[1]}\n"
        logs.append(k.log(olg, ostream, run, msg))

    # --- CloudTrail ----------------------------------------------------------------------------------------------------
    trail = k.Trail(rng, account, region)
    lam = k.role_session(
        rng,
        account,
        "finops-optimizer-role",
        optimizer,
        f"{rng.choice([3, 34, 44, 52, 54])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "Boto3/1.34.101 md/Botocore#1.34.101 ua/2.0 os/linux#5.10.216-225.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.101",
    )
    all_ids = [iid for iid, _, _ in insts] + extras
    for run in (switch - timedelta(days=1), switch):
        if run < start:
            continue
        trail.add(
            run - timedelta(seconds=2),
            lam,
            "ec2.amazonaws.com",
            "DescribeInstances",
            {
                "instancesSet": {},
                "filterSet": {
                    "items": [
                        {"name": "tag:cost-optimize", "valueSet": {"items": [{"value": "true"}]}},
                        {"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}},
                    ]
                },
            },
            None,
            read_only=True,
        )
        trail.add(
            run - timedelta(seconds=1),
            lam,
            "ec2.amazonaws.com",
            "DescribeInstanceCreditSpecifications",
            {
                "DescribeInstanceCreditSpecificationsRequest": {
                    "InstanceId": [{"content": x, "tag": j + 1} for j, x in enumerate(all_ids)]
                }
            },
            None,
            read_only=True,
        )
    culprit = trail.add(
        switch,
        lam,
        "ec2.amazonaws.com",
        "ModifyInstanceCreditSpecification",
        {
            "ModifyInstanceCreditSpecificationRequest": {
                "InstanceCreditSpecification": [
                    {"InstanceId": x, "CpuCredits": "standard", "tag": j + 1} for j, x in enumerate(all_ids)
                ]
            }
        },
        {
            "ModifyInstanceCreditSpecificationResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": k.uuid(rng),
                "successfulInstanceCreditSpecificationSet": {"item": [{"instanceId": x} for x in all_ids]},
                "unsuccessfulInstanceCreditSpecificationSet": "",
            }
        },
    )
    finops = k.sso_user(
        rng,
        account,
        region,
        f"alex.moreau@{org}.com",
        "FinOpsAnalyst",
        k.office_ip(rng),
        k.CONSOLE_AGENT,
        True,
    )
    trail.add(
        opt_changed,
        finops,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": optimizer, "environment": {"variables": "***"}},
        {
            "functionName": optimizer,
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:{optimizer}",
            "runtime": "python3.12",
            "environment": {"variables": "***"},
            "lastUpdateStatus": "InProgress",
        },
        version="1.08",
    )
    # innocent changes near the onset
    tf = k.role_session(
        rng,
        account,
        "gha-terraform-quote",
        "GitHubActions",
        f"20.{rng.randint(25, 230)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        k.TERRAFORM_AGENT.format(api="ec2#1.160.0"),
    )
    lt_t = onset - timedelta(minutes=rng.randint(14, 24), seconds=rng.randint(0, 59))
    trail.add(
        lt_t,
        tf,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "SourceVersion": str(lt_ver),
                "LaunchTemplateData": {
                    "ImageId": k.rid(rng, "ami"),
                    "CreditSpecification": {"CpuCredits": "unlimited"},
                    "InstanceType": "t3.large",
                },
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": k.uuid(rng),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": "quote-web-prod",
                    "versionNumber": lt_ver + 1,
                    "defaultVersion": False,
                    "createTime": k.iso(lt_t),
                },
            }
        },
    )
    admin = k.sso_user(
        rng,
        account,
        region,
        f"priyanka.shah@{org}.com",
        "NetworkAdmin",
        k.office_ip(rng),
        k.CONSOLE_AGENT,
        True,
    )
    bastion_sg = k.rid(rng, "sg")
    sg_t = onset + timedelta(minutes=rng.randint(4, 16), seconds=rng.randint(0, 59))
    trail.add(
        sg_t,
        admin,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": bastion_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {
                            "items": [{"cidrIp": f"{admin.ip}/32", "description": "vendor support session"}]
                        },
                    }
                ]
            },
        },
        {
            "requestId": k.uuid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": account,
                        "groupId": bastion_sg,
                        "securityGroupRuleId": k.rid(rng, "sgr"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": f"{admin.ip}/32",
                    }
                ]
            },
        },
    )
    dd = k.role_session(
        rng,
        account,
        "DatadogIntegrationRole",
        "datadog-aws-integration",
        f"3.233.{rng.randint(140, 159)}.{rng.randint(2, 250)}",
        "Datadog/1.0 aws-sdk-go/1.51.30 (go1.22.2; linux; amd64)",
    )
    t = start + timedelta(minutes=rng.randint(5, 20), seconds=rng.randint(0, 59))
    while t < now:
        calls: list[tuple[str, str, k.JSON]] = [
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/EC2"}),
        ]
        src, nm, rq = rng.choice(calls)
        trail.add(t, dd, src, nm, rq, None, read_only=True)
        t += timedelta(minutes=rng.randint(35, 80), seconds=rng.randint(0, 59))
    for iid, _, ip in insts:
        ssm = k.role_session(
            rng,
            account,
            "quote-web-prod",
            iid,
            ip,
            "aws-sdk-go/1.50.8 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.380.0",
        )
        t = start + timedelta(minutes=rng.randint(0, 120), seconds=rng.randint(0, 59))
        while t < now:
            trail.add(
                t,
                ssm,
                "ssm.amazonaws.com",
                "UpdateInstanceInformation",
                {
                    "instanceId": iid,
                    "agentVersion": "3.3.380.0",
                    "agentStatus": "Active",
                    "platformType": "Linux",
                    "platformName": "Amazon Linux",
                    "platformVersion": "2023",
                    "iPAddress": ip,
                },
                None,
            )
            t += timedelta(hours=rng.randint(4, 7), minutes=rng.randint(0, 59))

    # --- events: target health flaps -----------------------------------------------------------------------------------------
    events: list[k.JSON] = []
    for i, (iid, _, _) in enumerate(insts):
        events.append(k.health_point(tg_arn, iid, 80, day - timedelta(days=3), "healthy"))
        if i == flap_i:
            for a, b in flaps:
                events.append(
                    k.health_point(tg_arn, iid, 80, a, "unhealthy", "Target.Timeout", "Request timed out")
                )
                events.append(k.health_point(tg_arn, iid, 80, b, "healthy"))

    question = rng.choice(
        [
            "quote-web has been getting slower all afternoon and now we're seeing 504s. Traffic looks like yesterday's and nothing was deployed today. Why is it slow?",
            "Latency alarm on quote-web. p50 is way up and it's getting worse as traffic climbs; yesterday's peak was fine. What changed?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": trigger_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": asg,
                    "category": "change",
                    "failure_mode": "t3-credit-mode-standard-cpu-throttled",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [iid for iid, _, _ in insts],
                "actions": ["rollback"],
                "chain": [
                    f"{optimizer} ModifyInstanceCreditSpecification set the {asg} t3.large instances to standard credits",
                    "CPUCreditBalance drains through the morning and reaches zero; CPU is held at the 30% baseline",
                    "ASG average CPU never reaches the 80% target, so target tracking does not scale out",
                    "requests queue on the throttled instances: quote-web-prod latency, 504s and health-check timeouts",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.records(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
