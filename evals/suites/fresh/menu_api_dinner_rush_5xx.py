"""Menu API overloaded at the dinner peak: the Auto Scaling group's MaxSize was lowered the evening before."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_o as k

NAME = "menu-api-dinner-rush-5xx"
TITLE = "Menu API slow and returning 5xx during the dinner rush"
SUMMARY = (
    "The evening before, an engineer lowers menu-api-prod-asg's MaxSize from 12 to 4; at today's dinner peak the "
    "group sits at 4 instances, CPU saturates and the ALB's latency and 5xx climb while the target-tracking alarm "
    "stays in ALARM with no launches."
)

REGIONS = [
    ("us-east-1", "America/New_York"),
    ("us-west-2", "America/Los_Angeles"),
    ("eu-central-1", "Europe/Berlin"),
]
PEOPLE = ["dana.whitfield", "marco.bianchi", "priya.raman", "jonas.keller", "ella.brooks"]


class Inst:
    def __init__(self, iid: str, az: str, subnet: str, ip: str, launched: datetime, cause: str) -> None:
        self.id = iid
        self.az = az
        self.subnet = subnet
        self.ip = ip
        self.launched = launched
        self.in_service: datetime = launched + timedelta(minutes=4)
        self.terminated: datetime | None = None
        self.cause = cause


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region, tzname = rng.choice(REGIONS)
    tz = ZoneInfo(tzname)
    day = k.pick_day(rng)
    today_local = datetime(day.year, day.month, day.day, tzinfo=tz)
    start = (today_local - timedelta(days=3)).replace(hour=0).astimezone(UTC)
    start = k.floor_minute(start + timedelta(minutes=rng.randint(0, 50)))
    offset_h = (today_local.utcoffset() or timedelta()).total_seconds() / 3600

    org = rng.choice(["forkful", "platewise", "dishly", "savora"])
    domain = f"{org}.com"
    asg = "menu-api-prod-asg"
    asg_arn = (
        f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg}"
    )
    policy_name = "cpu50-target-tracking"
    policy_arn = f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{k.uuid(rng)}:autoScalingGroupName/{asg}:policyName/{policy_name}"
    net = k.network(rng, region)
    lb = k.alb(rng, account, region, "menu-api-prod", "menu-api-prod-tg")
    lt_id = "lt-0" + k.hexs(rng, 16)
    lt_ver = rng.randint(18, 44)
    topic = f"arn:aws:sns:{region}:{account}:menu-platform-alerts"
    engineer = rng.choice(PEOPLE)
    engineer_email = f"{engineer}@{domain}"
    others = [p for p in PEOPLE if p != engineer]

    # change: the evening before, after yesterday's peak
    change_local = (today_local - timedelta(days=1)).replace(
        hour=rng.randint(21, 22), minute=rng.randint(0, 59), second=rng.randint(0, 59)
    )
    change_at = change_local.astimezone(UTC)
    now_local = today_local.replace(hour=18, minute=rng.randint(55, 59)) + timedelta(
        minutes=rng.randint(0, 20)
    )
    now = k.floor_minute(now_local.astimezone(UTC))
    clock = k.Clock(start, now)
    n = clock.minutes
    fine_from = k.floor_minute(now - timedelta(hours=5))

    # --- demand and fleet simulation -----------------------------------------------------------------
    cap = rng.uniform(900, 1300)  # requests/minute one instance serves at 100% CPU
    peak_need = rng.uniform(9.2, 10.4)  # instances needed at 50% CPU at the peak
    d_peak = peak_need * cap * 0.5
    noise = k.smooth_noise(rng, n, 0.05, 0.9)
    demand: list[float] = []
    for i in range(n):
        t = clock.at(i)
        today = (t + timedelta(hours=offset_h)).date() == today_local.date()
        shape = k.daily(t, offset_h, [(12.5, 1.2, 0.42), (19.3, 1.25, 0.94)], 0.05)
        demand.append(d_peak * shape * (1 + noise[i]) * (1.06 if today else 1.0))

    subnets = net.subnets
    fleet: list[Inst] = []

    def launch(t: datetime, cause: str) -> Inst:
        sn, az = subnets[len(fleet) % 3]
        ip = f"10.60.{[16, 32, 48][len(fleet) % 3] + rng.randint(0, 3)}.{rng.randint(10, 250)}"
        inst = Inst(k.instance_id(rng), az, sn, ip, t, cause)
        fleet.append(inst)
        return inst

    for _ in range(2):
        inst = launch(start - timedelta(days=rng.randint(3, 9), hours=rng.randint(0, 12)), "initial")
    activities: list[tuple[datetime, str, Inst, str]] = []  # (time, kind, inst, cause)
    desired = 2
    min_size = 2
    max_size = 12
    cpu: list[float] = []
    inservice_s: list[float] = []
    desired_s: list[float] = []
    max_s: list[float] = []
    served: list[float] = []
    util: list[float] = []
    last_out = -99
    last_in = -99
    for i in range(n):
        t = clock.at(i)
        if t >= change_at:
            max_size = 4
        live = [x for x in fleet if x.in_service <= t and (x.terminated is None or x.terminated > t)]
        nl = max(1, len(live))
        u = demand[i] / (nl * cap)
        c = min(99.2, 100 * u * (1 + rng.gauss(0, 0.015)) + 3)
        cpu.append(c)
        util.append(u)
        served.append(min(demand[i], nl * cap * 1.02))
        inservice_s.append(float(len(live)))
        # target tracking on the 3-minute average
        if i >= 3:
            avg3 = sum(cpu[i - 2 : i + 1]) / 3
            if avg3 > 50 and i - last_out >= 3:
                want = min(max_size, math.ceil(len(live) * avg3 / 50))
                if want > desired:
                    cause = (
                        f"At {k.iso(t)} a monitor alarm TargetTracking-{asg}-AlarmHigh-{'{uuid}'} in state ALARM triggered policy "
                        f"{policy_name} changing the desired capacity from {desired} to {want}.  At "
                        f"{k.iso(t + timedelta(seconds=9))} an instance was started in response to a difference between "
                        f"desired and actual capacity, increasing the capacity from {desired} to {want}."
                    )
                    for _ in range(want - desired):
                        inst = launch(t + timedelta(seconds=rng.randint(8, 40)), cause)
                        activities.append((inst.launched, "launch", inst, cause))
                    desired = want
                    last_out = i
            if (
                i >= 15
                and i - last_in >= 6
                and i - last_out >= 10
                and max(cpu[i - 14 : i + 1]) < 35
                and desired > min_size
            ):
                want = max(min_size, desired - 1)
                cause = (
                    f"At {k.iso(t)} a monitor alarm TargetTracking-{asg}-AlarmLow-{'{uuid}'} in state ALARM triggered policy "
                    f"{policy_name} changing the desired capacity from {desired} to {want}.  At "
                    f"{k.iso(t + timedelta(seconds=7))} an instance was taken out of service in response to a difference "
                    f"between desired and actual capacity, shrinking the capacity from {desired} to {want}."
                )
                victims = sorted(live, key=lambda x: x.launched)
                victim = victims[-1] if victims else None
                if victim is not None:
                    victim.terminated = t + timedelta(seconds=rng.randint(250, 320))
                    activities.append((t + timedelta(seconds=rng.randint(5, 30)), "terminate", victim, cause))
                    desired = want
                    last_in = i
        desired_s.append(float(desired))
        max_s.append(float(max_size))
    high_uuid = k.uuid(rng)
    low_uuid = k.uuid(rng)
    high_name = f"TargetTracking-{asg}-AlarmHigh-{high_uuid}"
    low_name = f"TargetTracking-{asg}-AlarmLow-{low_uuid}"

    # onset: first minute today with utilisation above 0.92
    onset_i = next(
        i for i in range(clock.index(today_local.replace(hour=15).astimezone(UTC)), n) if util[i] > 0.92
    )
    onset = clock.at(onset_i)

    # ALB series
    req = [float(round(d + rng.gauss(0, d**0.5 * 0.3))) for d in demand]
    lat: list[float | None] = []
    t5: list[float | None] = []
    e502: list[float | None] = []
    e504: list[float | None] = []
    e5: list[float | None] = []
    t2: list[float | None] = []
    t4: list[float | None] = []
    for i in range(n):
        u = util[i]
        base = 0.055 + 0.01 * rng.random()
        lt = base * (1 + 0.5 * u) if u < 0.8 else base * 1.4 + (min(u, 1.6) - 0.8) * 7.5
        lat.append(lt)
        r = req[i]
        shed = max(0.0, (u - 0.97) / max(u, 1e-6)) if u > 0.97 else 0.0
        a504 = round(r * shed * 0.55)
        a502 = round(r * shed * 0.12 + (rng.random() < 0.01))
        a503t = round(r * shed * 0.33 + (1 if rng.random() < 0.02 else 0))
        e504.append(float(a504))
        e502.append(float(a502))
        e5.append(float(a504 + a502))
        t5.append(float(a503t))
        four = float(max(0, round(r * 0.012 + rng.gauss(0, 1))))
        t4.append(four)
        t2.append(max(0.0, r - a504 - a502 - a503t - four))

    # target health: unhealthy flap on one busy instance
    flap_from = onset + timedelta(minutes=rng.randint(9, 16))
    flap_to = flap_from + timedelta(minutes=rng.randint(2, 4))
    unh: list[float] = []
    healthy: list[float] = []
    for i in range(n):
        t = clock.at(i)
        live = [x for x in fleet if x.in_service <= t and (x.terminated is None or x.terminated > t)]
        bad = 1.0 if flap_from <= t < flap_to else 0.0
        unh.append(bad)
        healthy.append(len(live) - bad)

    m = k.Metrics(clock, fine_from)
    lbd = {"LoadBalancer": lb.dim}
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": lb.tg_dim}
    asgd = {"AutoScalingGroupName": asg}
    m.emit("AWS/ApplicationELB", "RequestCount", lbd, "Count", req, digits=0)
    m.emit("AWS/ApplicationELB", "RequestCount", tgd, "Count", req, digits=0)
    m.emit(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        lat,
        dist=k.latency_dist(rng, lambda i: req[i]),
    )
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tgd, "Count", t2, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tgd, "Count", t4, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, "Count", t5, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lbd, "Count", e5, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lbd, "Count", e502, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lbd, "Count", e504, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", healthy, digits=0)
    m.emit("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", unh, digits=0)
    m.emit("AWS/EC2", "CPUUtilization", asgd, "Percent", cpu, digits=2)
    m.emit("AWS/AutoScaling", "GroupDesiredCapacity", asgd, "None", desired_s, digits=0)
    m.emit("AWS/AutoScaling", "GroupInServiceInstances", asgd, "None", inservice_s, digits=0)
    m.emit("AWS/AutoScaling", "GroupMaxSize", asgd, "None", max_s, digits=0)
    m.emit("AWS/AutoScaling", "GroupMinSize", asgd, "None", [2.0] * n, digits=0)
    rdsd = {"DBInstanceIdentifier": "menu-db"}
    db_cpu = [8 + 24 * (served[i] / d_peak) + rng.gauss(0, 1.2) for i in range(n)]
    m.emit("AWS/RDS", "CPUUtilization", rdsd, "Percent", db_cpu, digits=2)
    m.emit(
        "AWS/RDS",
        "DatabaseConnections",
        rdsd,
        "Count",
        [float(10 * inservice_s[i] + rng.randint(0, 3)) for i in range(n)],
        digits=0,
    )
    m.emit(
        "AWS/RDS",
        "ReadLatency",
        rdsd,
        "Seconds",
        [0.0006 + 0.0002 * rng.random() for _ in range(n)],
        digits=5,
    )

    # --- alarms --------------------------------------------------------------------------------------
    al = k.Alarms(rng, clock, account, region)
    high = k.AlarmSpec(
        high_name,
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        "Average",
        60,
        3,
        50.0,
        "GreaterThanThreshold",
        description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}.",
        actions=[policy_arn],
    )
    low = k.AlarmSpec(
        low_name,
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        "Average",
        60,
        15,
        35.0,
        "LessThanThreshold",
        description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}.",
        actions=[policy_arn],
    )
    al.add(high, cpu)
    al.add(low, cpu)
    e5_spec = k.AlarmSpec(
        "menu-api-prod-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Sum",
        60,
        3,
        50.0,
        "GreaterThanThreshold",
        datapoints=3,
        description="menu-api ALB is returning 5xx to clients",
        treat_missing="notBreaching",
        actions=[topic],
        ok_actions=[topic],
    )
    trans = al.add(e5_spec, e5, sparse=True)
    lat_spec = k.AlarmSpec(
        "menu-api-prod-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Average",
        60,
        5,
        1.0,
        "GreaterThanThreshold",
        datapoints=5,
        description="menu-api average response time above 1s",
        actions=[topic],
        ok_actions=[topic],
    )
    al.add(lat_spec, lat)
    al.add(
        k.AlarmSpec(
            "menu-db-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            rdsd,
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        db_cpu,
    )
    al.add(
        k.AlarmSpec(
            "menu-api-prod-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            5,
            0.0,
            "GreaterThanThreshold",
            datapoints=5,
            actions=[topic],
        ),
        unh,
    )
    alarm_tr = next(x for x in trans if x.new == "ALARM" and x.time > onset - timedelta(minutes=5))

    # --- autoscaling activities + CloudTrail RunInstances ---------------------------------------------
    tr = k.Trail(rng, account, region)
    asg_role = tr.service_role(
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        "autoscaling.amazonaws.com",
        path="/aws-service-role/autoscaling.amazonaws.com/",
    )
    events: list[k.Json] = []
    for t, kind, inst, cause in sorted(activities, key=lambda a: a[0]):
        cause = cause.replace("{uuid}", high_uuid if kind == "launch" else low_uuid)
        if t > now:
            continue
        aid = k.uuid(rng)
        if kind == "launch":
            desc = f"Launching a new EC2 instance: {inst.id}"
            full_cause = cause
            end = inst.in_service - timedelta(seconds=rng.randint(20, 60))
            details = {"Subnet ID": inst.subnet, "Availability Zone": inst.az}
        else:
            desc = f"Terminating EC2 instance: {inst.id}"
            full_cause = cause
            end = (inst.terminated or t) + timedelta(seconds=rng.randint(30, 70))
            details = {"Subnet ID": inst.subnet, "Availability Zone": inst.az}
        if t < start:
            continue
        item: k.Json = {
            "ActivityId": aid,
            "AutoScalingGroupName": asg,
            "Description": desc,
            "Cause": full_cause,
            "StartTime": k.iso_ms(t).replace("+0000", "Z"),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": json.dumps(details, separators=(",", ":")),
            "AutoScalingGroupARN": asg_arn,
        }
        if end <= now:
            item["EndTime"] = k.iso_ms(end).replace("+0000", "Z")
        else:
            item["StatusCode"] = "InProgress"
            item["Progress"] = 50
        events.append({"source": "autoscaling", "item": item})
        if kind == "launch":
            tr.add(
                t + timedelta(seconds=1),
                asg_role,
                "ec2.amazonaws.com",
                "RunInstances",
                {
                    "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                    "launchTemplate": {"launchTemplateId": lt_id, "version": str(lt_ver)},
                    "subnetId": inst.subnet,
                    "clientToken": k.uuid(rng),
                },
                {
                    "requestId": k.uuid(rng),
                    "reservationId": "r-0" + k.hexs(rng, 16),
                    "ownerId": account,
                    "instancesSet": {
                        "items": [
                            {
                                "instanceId": inst.id,
                                "instanceType": "c6g.xlarge",
                                "placement": {"availabilityZone": inst.az, "tenancy": "default"},
                                "privateIpAddress": inst.ip,
                                "subnetId": inst.subnet,
                                "vpcId": net.vpc,
                            }
                        ]
                    },
                },
            )
        else:
            tr.add(
                t + timedelta(seconds=rng.randint(200, 280)),
                asg_role,
                "ec2.amazonaws.com",
                "TerminateInstances",
                {"instancesSet": {"items": [{"instanceId": inst.id}]}},
                {
                    "requestId": k.uuid(rng),
                    "instancesSet": {
                        "items": [
                            {
                                "instanceId": inst.id,
                                "currentState": {"code": 32, "name": "shutting-down"},
                                "previousState": {"code": 16, "name": "running"},
                            }
                        ]
                    },
                },
            )

    # target health timelines
    for inst in fleet:
        if inst.terminated is not None and inst.terminated < start:
            continue
        td = {"Id": inst.id, "Port": 8080, "AvailabilityZone": inst.az}
        reg = inst.launched + timedelta(minutes=2, seconds=rng.randint(30, 70))
        points: list[tuple[datetime, k.Json]] = [
            (
                reg,
                {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
            ),
            (inst.in_service, {"State": "healthy"}),
        ]
        if inst.terminated is not None:
            points.append(
                (
                    inst.terminated - timedelta(seconds=240),
                    {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                )
            )
            points.append(
                (
                    inst.terminated,
                    {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                )
            )
        for t, h in points:
            if start <= t <= now or (t < start and h["State"] == "healthy"):
                events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": lb.tg_arn,
                            "target": td,
                            "health": h,
                            "timestamp": k.iso(t),
                        },
                    }
                )
    live_now = [x for x in fleet if x.in_service <= now and (x.terminated is None or x.terminated > now)]
    flap_inst = live_now[rng.randrange(len(live_now))]
    td = {"Id": flap_inst.id, "Port": 8080, "AvailabilityZone": flap_inst.az}
    events.append(
        {
            "source": "target_health",
            "item": {
                "target_group_arn": lb.tg_arn,
                "target": td,
                "health": {
                    "State": "unhealthy",
                    "Reason": "Target.Timeout",
                    "Description": "Request timed out",
                },
                "timestamp": k.iso(flap_from),
            },
        }
    )
    events.append(
        {
            "source": "target_health",
            "item": {
                "target_group_arn": lb.tg_arn,
                "target": td,
                "health": {"State": "healthy"},
                "timestamp": k.iso(flap_to),
            },
        }
    )

    # --- CloudTrail: people and tools -----------------------------------------------------------------
    office_ip = (
        f"{rng.choice([67, 73, 98, 104])}.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    )
    home_ip = f"{rng.choice([24, 71, 99])}.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    eng = tr.sso(engineer_email, "PowerUserAccess", home_ip)
    ppl = [
        tr.sso(f"{o}@{domain}", rng.choice(["PowerUserAccess", "ReadOnlyAccess"]), office_ip)
        for o in others[:3]
    ]
    ci = tr.role(
        "gha-menu-deployer",
        f"GitHubActions-{rng.randint(7000000000, 9999999999)}",
        f"{rng.randint(20, 140)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "aws-sdk-js/3.554.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/ec2#3.554.0",
    )
    dd = tr.role("DatadogIntegrationRole", k.hexs(rng, 16), "3.233.147.80", "Datadog/1.0")
    k.routine_reads(
        tr,
        rng,
        start,
        now,
        [*ppl, dd],
        34,
        extra_calls=[
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg]}),
            (
                "autoscaling.amazonaws.com",
                "DescribeScalingActivities",
                {"autoScalingGroupName": asg, "maxRecords": 20},
            ),
        ],
    )
    for t in k.spread(rng, start, now, 10):
        tr.add(
            t,
            dd,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": k.iso(t - timedelta(minutes=20)), "endTime": k.iso(t), "maxDatapoints": 100800},
            None,
            read_only=True,
        )
    # the evening before: a cost review of the Auto Scaling groups
    review = change_at - timedelta(minutes=rng.randint(6, 14))
    tr.add(
        review,
        eng,
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        {"maxRecords": 100},
        None,
        read_only=True,
    )
    tr.add(
        review + timedelta(seconds=40),
        eng,
        "ce.amazonaws.com",
        "GetCostAndUsage",
        {
            "timePeriod": {
                "start": (change_at - timedelta(days=30)).strftime("%Y-%m-%d"),
                "end": change_at.strftime("%Y-%m-%d"),
            },
            "granularity": "DAILY",
            "metrics": ["UnblendedCost"],
            "groupBy": [{"type": "TAG", "key": "service"}],
        },
        None,
        read_only=True,
    )
    tr.rows[-1]["awsRegion"] = "us-east-1"
    tr.add(
        review + timedelta(seconds=150),
        eng,
        "autoscaling.amazonaws.com",
        "DescribeScalingActivities",
        {"autoScalingGroupName": asg},
        None,
        read_only=True,
    )
    stg_at = change_at - timedelta(minutes=rng.randint(2, 4), seconds=rng.randint(0, 59))
    tr.add(
        stg_at,
        eng,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        {"autoScalingGroupName": "menu-api-staging-asg", "minSize": 1, "maxSize": 2, "desiredCapacity": 1},
        None,
    )
    cur = int(desired_s[clock.index(change_at)])
    culprit = tr.add(
        change_at,
        eng,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        {"autoScalingGroupName": asg, "minSize": 2, "maxSize": 4, "desiredCapacity": cur},
        None,
    )
    tr.add(
        change_at + timedelta(seconds=25),
        eng,
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        {"autoScalingGroupNames": [asg]},
        None,
        read_only=True,
    )
    # today, around the onset
    tag_at = onset - timedelta(minutes=rng.randint(14, 26), seconds=rng.randint(0, 59))
    tr.add(
        tag_at,
        ppl[0],
        "autoscaling.amazonaws.com",
        "CreateOrUpdateTags",
        {
            "tags": [
                {
                    "resourceId": asg,
                    "resourceType": "auto-scaling-group",
                    "key": "cost-center",
                    "value": "cc-4120",
                    "propagateAtLaunch": True,
                }
            ]
        },
        None,
    )
    lt_at = onset - timedelta(minutes=rng.randint(4, 12), seconds=rng.randint(0, 59))
    admin_lt = "lt-0" + k.hexs(rng, 16)
    tr.add(
        lt_at,
        ci,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": admin_lt,
                "SourceVersion": "$Latest",
                "LaunchTemplateData": {"ImageId": "ami-0" + k.hexs(rng, 16)},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "launchTemplateVersion": {
                    "launchTemplateId": admin_lt,
                    "launchTemplateName": "menu-admin-prod",
                    "versionNumber": rng.randint(30, 90),
                    "createdBy": ci.identity["arn"],
                }
            }
        },
    )
    tr.add(
        lt_at + timedelta(seconds=20),
        ci,
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        {
            "autoScalingGroupName": "menu-admin-prod-asg",
            "preferences": {"minHealthyPercentage": 90, "instanceWarmup": 120},
        },
        {"instanceRefreshId": k.uuid(rng)},
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(2, 8)),
        ppl[1],
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": "Z0" + k.upper(rng, 18),
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": f"status.{domain}",
                            "type": "CNAME",
                            "tTL": 300,
                            "resourceRecords": [{"value": "stats.uptimerobot.com"}],
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": "/change/C0" + k.upper(rng, 18),
                "status": "PENDING",
                "submittedAt": (onset + timedelta(minutes=3)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
    )
    tr.rows[-1]["awsRegion"] = "us-east-1"

    # --- logs ----------------------------------------------------------------------------------------
    logs = k.Logs()
    group = "/menu-api/prod/app"
    paths = [
        "/v2/restaurants/{}/menu",
        "/v2/restaurants/{}/menu/items/{}",
        "/v2/restaurants/{}",
        "/v2/search?q=pizza",
    ]
    for i in range(n):
        t0 = clock.at(i)
        live = [x for x in fleet if x.in_service <= t0 and (x.terminated is None or x.terminated > t0)]
        if not live:
            continue
        per = 1 if t0 < fine_from else 4
        if t0 < fine_from and i % 3:
            continue
        for _ in range(per):
            inst = live[rng.randrange(len(live))]
            t = t0 + timedelta(milliseconds=rng.randint(0, 59999))
            p = rng.choice(paths).format(rng.randint(1000, 99999), rng.randint(1, 400))
            u = util[i]
            status = 200
            rt = max(2.0, rng.gauss(lat[i] or 0.06, 0.01) * 1000 * rng.uniform(0.5, 1.6))
            if u > 0.97 and rng.random() < 0.3:
                status = 503
            line = {
                "level": 30 if status == 200 else 40,
                "time": k.ms(t),
                "pid": 7,
                "hostname": f"ip-{inst.ip.replace('.', '-')}",
                "reqId": f"req-{k.hexs(rng, 6)}",
                "req": {"method": "GET", "url": p},
                "res": {"statusCode": status},
                "responseTime": round(rt, 1),
                "msg": "request completed",
            }
            logs.add(group, inst.id, t, json.dumps(line, separators=(",", ":")))
        if util[i] > 0.95 and rng.random() < 0.6:
            inst = live[rng.randrange(len(live))]
            t = t0 + timedelta(milliseconds=rng.randint(0, 59999))
            logs.add(
                group,
                inst.id,
                t,
                json.dumps(
                    {
                        "level": 40,
                        "time": k.ms(t),
                        "pid": 7,
                        "hostname": f"ip-{inst.ip.replace('.', '-')}",
                        "msg": "event loop delay high",
                        "eventLoopDelayMs": rng.randint(600, 2400),
                    },
                    separators=(",", ":"),
                ),
            )
        if util[i] > 0.99 and rng.random() < 0.5:
            inst = live[rng.randrange(len(live))]
            t = t0 + timedelta(milliseconds=rng.randint(0, 59999))
            logs.add(
                group,
                inst.id,
                t,
                json.dumps(
                    {
                        "level": 40,
                        "time": k.ms(t),
                        "pid": 7,
                        "hostname": f"ip-{inst.ip.replace('.', '-')}",
                        "msg": "under pressure: service unavailable",
                        "reason": "eventLoopDelay",
                    },
                    separators=(",", ":"),
                ),
            )
        if rng.random() < 0.004:
            inst = live[rng.randrange(len(live))]
            t = t0 + timedelta(milliseconds=rng.randint(0, 59999))
            logs.add(
                group,
                inst.id,
                t,
                json.dumps(
                    {
                        "level": 40,
                        "time": k.ms(t),
                        "pid": 7,
                        "hostname": f"ip-{inst.ip.replace('.', '-')}",
                        "msg": "image CDN lookup slow",
                        "ms": rng.randint(800, 1500),
                    },
                    separators=(",", ":"),
                ),
            )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 700))
    res: list[k.Json] = []
    res.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": asg,
                "AutoScalingGroupARN": asg_arn,
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "menu-api-prod",
                    "Version": str(lt_ver),
                },
                "MinSize": 2,
                "MaxSize": 4,
                "DesiredCapacity": int(desired_s[-1]),
                "DefaultCooldown": 300,
                "AvailabilityZones": [az for _, az in subnets],
                "LoadBalancerNames": [],
                "TargetGroupARNs": [lb.tg_arn],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": x.id,
                        "InstanceType": "c6g.xlarge",
                        "AvailabilityZone": x.az,
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "menu-api-prod",
                            "Version": str(lt_ver),
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for x in live_now
                ],
                "CreatedTime": k.iso(created),
                "VPCZoneIdentifier": ",".join(s for s, _ in subnets),
                "EnabledMetrics": [
                    {"Metric": mm, "Granularity": "1Minute"}
                    for mm in [
                        "GroupDesiredCapacity",
                        "GroupInServiceInstances",
                        "GroupMaxSize",
                        "GroupMinSize",
                    ]
                ],
                "Tags": [
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "service",
                        "Value": "menu-api",
                        "PropagateAtLaunch": True,
                    },
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "cost-center",
                        "Value": "cc-4120",
                        "PropagateAtLaunch": True,
                    },
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "CapacityRebalance": False,
            },
        }
    )
    res.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": "menu-api-staging-asg",
                "AutoScalingGroupARN": asg_arn.replace(asg, "menu-api-staging-asg").replace(
                    asg_arn.split(":")[5], "autoScalingGroup"
                ),
                "LaunchTemplate": {
                    "LaunchTemplateId": "lt-0" + k.hexs(rng, 16),
                    "LaunchTemplateName": "menu-api-staging",
                    "Version": "$Latest",
                },
                "MinSize": 1,
                "MaxSize": 2,
                "DesiredCapacity": 1,
                "DefaultCooldown": 300,
                "AvailabilityZones": [subnets[0][1]],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [],
                "CreatedTime": k.iso(created + timedelta(days=20)),
                "VPCZoneIdentifier": subnets[0][0],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
            },
        }
    )
    res.append(
        {
            "service": "autoscaling",
            "type": "ScalingPolicy",
            "item": {
                "AutoScalingGroupName": asg,
                "PolicyName": policy_name,
                "PolicyARN": policy_arn,
                "PolicyType": "TargetTrackingScaling",
                "StepAdjustments": [],
                "Alarms": [
                    {"AlarmName": high_name, "AlarmARN": al.arn(high_name)},
                    {"AlarmName": low_name, "AlarmARN": al.arn(low_name)},
                ],
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": 50.0,
                    "DisableScaleIn": False,
                },
                "Enabled": True,
            },
        }
    )
    res.extend(k.alb_items(lb, net, created, "instance", 8080, "/healthz"))
    for x in fleet:
        if x.terminated is not None and x.terminated < now:
            continue
        if x.launched > now:
            continue
        res.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": {
                    "InstanceId": x.id,
                    "ImageId": "ami-0" + k.hexs(rng, 16),
                    "InstanceType": "c6g.xlarge",
                    "LaunchTime": k.iso(x.launched),
                    "Placement": {"AvailabilityZone": x.az, "Tenancy": "default"},
                    "PrivateIpAddress": x.ip,
                    "PrivateDnsName": f"ip-{x.ip.replace('.', '-')}.{region}.compute.internal",
                    "SubnetId": x.subnet,
                    "VpcId": net.vpc,
                    "State": {"Code": 16, "Name": "running"}
                    if x.in_service <= now
                    else {"Code": 0, "Name": "pending"},
                    "Architecture": "arm64",
                    "RootDeviceType": "ebs",
                    "RootDeviceName": "/dev/xvda",
                    "SecurityGroups": [{"GroupId": net.sg_app, "GroupName": "menu-api-prod-app"}],
                    "NetworkInterfaces": [
                        {
                            "NetworkInterfaceId": "eni-0" + k.hexs(rng, 16),
                            "PrivateIpAddress": x.ip,
                            "SubnetId": x.subnet,
                            "VpcId": net.vpc,
                            "Status": "in-use",
                        }
                    ],
                    "Tags": [
                        {"Key": "aws:autoscaling:groupName", "Value": asg},
                        {"Key": "Name", "Value": "menu-api-prod"},
                        {"Key": "service", "Value": "menu-api"},
                    ],
                    "Monitoring": {"State": "enabled"},
                },
            }
        )
        res.append(
            {
                "service": "ec2",
                "type": "InstanceStatus",
                "item": {
                    "InstanceId": x.id,
                    "AvailabilityZone": x.az,
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                },
            }
        )
    res.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": "menu-db",
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "menu_admin",
                "DBName": "menu",
                "Endpoint": {
                    "Address": f"menu-db.c{k.hexs(rng, 11)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                },
                "AllocatedStorage": 400,
                "InstanceCreateTime": k.iso(created),
                "MultiAZ": True,
                "EngineVersion": "15.6",
                "AvailabilityZone": subnets[1][1],
                "StorageType": "gp3",
                "StorageEncrypted": True,
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:menu-db",
                "PubliclyAccessible": False,
            },
        }
    )
    res.append(k.log_group_item(account, region, group, created, 14, rng.randint(10**9, 9 * 10**9)))

    # --- trigger and truth ----------------------------------------------------------------------------
    ev = al.event(e5_spec, alarm_tr)
    ask = (onset + timedelta(minutes=1)).astimezone(tz)
    hh = ask.hour % 12 or 12
    ctime = (
        f"{hh}:{(ask.minute // 5) * 5:02d}pm"
        if tzname.startswith("America")
        else f"{ask.hour}:{(ask.minute // 5) * 5:02d}"
    )
    question = rng.choice(
        [
            f"Menu API has been slow and throwing 5xx since about {ctime}, right in the dinner rush. Yesterday's rush was fine. What's going on?",
            f"We're getting paged for menu-api 5xx and the app is crawling since ~{ctime}. It's peak ordering time. Why?",
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
            "trigger": {"question": question, "alarm_event": ev, "timezone": tzname},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": asg,
                    "category": "change",
                    "failure_mode": "asg-max-size-lowered",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [asg_arn],
                "actions": ["rollback", "scale"],
                "chain": [
                    f"{engineer_email} lowered MaxSize of {asg} from 12 to 4 (UpdateAutoScalingGroup) the evening before",
                    f"At today's dinner peak {asg} sits at 4 instances; target tracking wants more but cannot exceed MaxSize",
                    f"CPUUtilization of {asg} saturates; the AlarmHigh alarm stays in ALARM with no launches",
                    f"{lb.name} TargetResponseTime climbs and ELB 502/504 and target 503 responses rise",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": al.alarms,
            "alarm_history": al.history,
            "logs": logs.sorted(),
            "cloudtrail": tr.sorted(),
            "resources": res,
            "events": events,
        },
    )
