"""Staff clock-ins slow and failing for ~20 minutes at the start of the morning shift."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zz as k

NAME = "clockin-morning-shift-slow"
TITLE = "Staff clock-ins spinning and failing at the start of the morning shift, then recovering on their own"
SUMMARY = (
    "A Terraform edit of the web ASG's morning scheduled action dropped its time zone; the next "
    "morning's pre-warm ran an hour late and target tracking alone could not keep up with clock-ins."
)

ACCOUNT_CHOICES = ["318204957716", "640271183952", "772019384650"]
REGION = "eu-west-2"
TZ = "Europe/London"
BOOT_MIN = 7
PER_INSTANCE_RPM = 1700.0


def _local_hour(t: datetime) -> float:
    # The incident dates are all in British Summer Time (UTC+1).
    return ((t.hour + 1) % 24) + t.minute / 60


def _rpm(t: datetime, scale: float, centre: float) -> float:
    h = _local_hour(t)
    if t.weekday() >= 5:
        return 180 * scale
    plateau = 1 / (1 + math.exp(-(h - 7.2) * 3)) * (1 / (1 + math.exp(-(18.2 - h) * 2)))
    v = 240 + 2300 * plateau + 9000 * math.exp(-(((h - centre) / 0.33) ** 2))
    v += 4200 * math.exp(-(((h - centre - 1.0) / 0.3) ** 2))
    v += 5200 * math.exp(-(((h - 17.3) / 0.75) ** 2)) + 900 * math.exp(-(((h - 12.5) / 0.6) ** 2))
    return v * scale


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = rng.choice(ACCOUNT_CHOICES)
    # A Wednesday or Thursday between mid-May and mid-September (BST).
    day = datetime(2024, 5, 15, tzinfo=k.UTC) + timedelta(days=rng.randrange(0, 120))
    while day.weekday() not in (2, 3):
        day += timedelta(days=1)
    start = day - timedelta(days=2)
    fine_from = day + timedelta(hours=4)
    scale = rng.uniform(0.95, 1.12)
    centre = rng.uniform(6.88, 6.98)
    old_min, new_min, maxsz = 8, rng.choice([10, 10, 12]), 16
    sched_min_local = 15  # 06:15 local

    # ------------------------------------------------------------ names and ids
    app = "clockin-web"
    asg_name = f"{app}-prod"
    vpc = k.rid(rng, "vpc")
    subnets = [(k.rid(rng, "subnet"), f"{REGION}{z}", f"10.42.{i * 16}") for i, z in enumerate("abc")]
    sg_alb = (k.rid(rng, "sg"), f"{app}-alb")
    sg_web = (k.rid(rng, "sg"), f"{app}-instances")
    sg_db = (k.rid(rng, "sg"), "clockin-pg-prod")
    lb_hex, tg_hex = k.hexs(rng, 16), k.hexs(rng, 16)
    lb_dim = f"app/{app}-prod/{lb_hex}"
    tg_dim = f"targetgroup/{app}-prod-3000/{tg_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:{tg_dim}"
    asg_arn = f"arn:aws:autoscaling:{REGION}:{account}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg_name}"
    lt_id = f"lt-0{k.hexs(rng, 16)}"
    lt_ver = str(rng.randrange(31, 58))
    ami = k.rid(rng, "ami")
    profile_arn = f"arn:aws:iam::{account}:instance-profile/{app}-prod"
    topic = f"arn:aws:sns:{REGION}:{account}:oncall-platform-pager"
    tt_policy = f"{app}-cpu55"
    tt_alarm_hi = f"TargetTracking-{asg_name}-AlarmHigh-{k.uuid(rng)}"
    tt_alarm_lo = f"TargetTracking-{asg_name}-AlarmLow-{k.uuid(rng)}"
    db_id = "clockin-pg-prod"

    # ------------------------------------------------------------ the change (yesterday afternoon)
    change_t = (
        day - timedelta(days=1) + timedelta(hours=15, minutes=rng.randrange(5, 50), seconds=rng.randrange(60))
    )

    def sched_min_at(t: datetime) -> tuple[int, str] | None:
        """The scheduled action firing at minute t, if any: (new min, action name)."""
        if t.weekday() >= 5 or t.second != 0:
            return None
        hl = (t.hour + 1) % 24
        morning_local = (hl, t.minute) == (6, sched_min_local)
        morning_utc = (t.hour, t.minute) == (6, sched_min_local)
        if t < change_t and morning_local:
            return old_min, "weekday-morning-prewarm"
        if t >= change_t and morning_utc:
            return new_min, "weekday-morning-prewarm"
        if (hl, t.minute) == (20, 0):
            return 2, "weekday-evening-scale-in"
        return None

    # ------------------------------------------------------------ minute simulation of the fleet
    minutes = int((day + timedelta(hours=6, minutes=rng.randrange(40, 50)) - start).total_seconds() // 60)
    now = start + timedelta(minutes=minutes)
    inst_counter = 0

    def new_iid() -> str:
        nonlocal inst_counter
        inst_counter += 1
        return k.rid(rng, "i")

    # initial fleet: 2 instances, launched a day or two before start
    fleet: list[dict[str, Any]] = []
    for i in range(2):
        fleet.append(
            {"id": new_iid(), "az": i, "launch": start - timedelta(hours=rng.randrange(20, 60)), "term": None}
        )
    desired, min_size = 2, 2
    last_out = start - timedelta(hours=1)
    last_in = start - timedelta(hours=1)
    activities: list[dict[str, Any]] = []
    sim: list[dict[str, float]] = []
    cpu_hist: list[float] = []

    def in_service(t: datetime) -> list[dict[str, Any]]:
        return [
            f
            for f in fleet
            if f["launch"] + timedelta(minutes=BOOT_MIN) <= t and (f["term"] is None or f["term"] > t)
        ]

    def running(t: datetime) -> list[dict[str, Any]]:
        return [f for f in fleet if f["launch"] <= t and (f["term"] is None or f["term"] > t)]

    def activity_launch(t: datetime, cause_head: str, frm: int, to: int) -> None:
        nonlocal desired
        for _ in range(to - len(running(t))):
            az = min(range(3), key=lambda a: sum(1 for f in running(t) if f["az"] == a))
            lt = t + timedelta(seconds=rng.randrange(5, 20))
            f = {"id": new_iid(), "az": az, "launch": lt, "term": None}
            fleet.append(f)
            activities.append(
                {
                    "ActivityId": k.uuid(rng),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Launching a new EC2 instance: {f['id']}",
                    "Cause": f"{cause_head}  At {k.iso(lt)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {frm} to {to}.",
                    "StartTime": k.iso(lt),
                    "EndTime": k.iso(lt + timedelta(seconds=rng.randrange(35, 70))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": subnets[az][0], "Availability Zone": subnets[az][1]}),
                    "AutoScalingGroupARN": asg_arn,
                }
            )

    def activity_terminate(t: datetime, cause_head: str, frm: int, to: int) -> None:
        for _ in range(frm - to):
            cands = sorted(
                [g for g in running(t) if g["term"] is None],
                key=lambda f: (
                    -sum(1 for g in running(t) if g["az"] == f["az"] and g["term"] is None),
                    f["launch"],
                ),
            )
            f = cands[0]
            f["term"] = t + timedelta(seconds=rng.randrange(5, 30))
            activities.append(
                {
                    "ActivityId": k.uuid(rng),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Terminating EC2 instance: {f['id']}",
                    "Cause": f"{cause_head}  At {k.iso(t + timedelta(seconds=2))} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {frm} to {to}.  At {k.iso(t + timedelta(seconds=3))} instance {f['id']} was selected for termination.",
                    "StartTime": k.iso(t + timedelta(seconds=3)),
                    "EndTime": k.iso(t + timedelta(seconds=rng.randrange(320, 400))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps(
                        {"Subnet ID": subnets[f["az"]][0], "Availability Zone": subnets[f["az"]][1]}
                    ),
                    "AutoScalingGroupARN": asg_arn,
                }
            )

    for m in range(minutes + 1):
        t = start + timedelta(minutes=m)
        s = sched_min_at(t)
        if s:
            new_min_size, action = s
            old_desired = desired
            min_size = new_min_size
            desired = max(desired, min_size)
            if action == "weekday-evening-scale-in":
                pass
            head = f"At {k.iso(t)} a scheduled action update of AutoScalingGroup constraints to min: {min_size}, max: {maxsz}, desired: {desired} changing the desired capacity from {old_desired} to {desired}."
            if desired > old_desired:
                activity_launch(t, head, old_desired, desired)
        n_in = max(1, len(in_service(t)))
        demand = k.noisy(rng, _rpm(t, scale, centre), 0.03)
        util = demand / (n_in * PER_INSTANCE_RPM)
        cpu = min(99.2, 6 + 90 * min(util, 1.08) + rng.gauss(0, 1.2))
        cpu_hist.append(cpu)
        served = min(demand, n_in * PER_INSTANCE_RPM * 1.02)
        over = max(0.0, demand - served)
        near = max(0.0, util - 0.9) * 0.02 * demand if util > 0.9 else 0.0
        t5xx = 0.7 * over + near + (rng.random() < 0.08) * rng.randrange(1, 3)
        e5xx = 0.3 * over
        if util < 0.85:
            med = 0.085 * (1 + 0.3 * util)
        else:
            med = 0.085 * (1 + 0.3 * util) * (1 + min(util - 0.85, 0.3) * 40)
        sim.append(
            {
                "t": m,
                "demand": demand,
                "cpu": cpu,
                "t5xx": round(t5xx),
                "e5xx": round(e5xx),
                "med": med,
                "slow": min(0.35, over / demand) if demand else 0.0,
                "inservice": len(in_service(t)),
                "desired": desired,
                "min": min_size,
                "running": len(running(t)),
            }
        )
        # target tracking (CPU 55%): AlarmHigh 3 of 3 minutes > 55, AlarmLow 15 of 15 < 49.5
        if m >= 3 and all(c > 55 for c in cpu_hist[-3:]) and (t - last_out) >= timedelta(minutes=5):
            want = min(maxsz, math.ceil(len(running(t)) * (sum(cpu_hist[-3:]) / 3) / 55))
            if want > desired:
                old = desired
                desired = want
                head = f"At {k.iso(t + timedelta(seconds=rng.randrange(10, 40)))} a monitor alarm {tt_alarm_hi} in state ALARM triggered policy {tt_policy} changing the desired capacity from {old} to {desired}."
                activity_launch(t + timedelta(seconds=40), head, old, desired)
                last_out = t
        if (
            m >= 15
            and all(c < 49.5 for c in cpu_hist[-15:])
            and (t - last_in) >= timedelta(minutes=15)
            and (t - last_out) >= timedelta(minutes=15)
        ):
            want = max(min_size, math.ceil(len(in_service(t)) * (sum(cpu_hist[-15:]) / 15) / 55))
            want = max(want, desired - 2)
            if want < desired:
                old = desired
                desired = want
                head = f"At {k.iso(t + timedelta(seconds=rng.randrange(10, 40)))} a monitor alarm {tt_alarm_lo} in state ALARM triggered policy {tt_policy} changing the desired capacity from {old} to {desired}."
                activity_terminate(t + timedelta(seconds=40), head, old, desired)
                last_in = t

    # ------------------------------------------------------------ metrics
    lb_d = {"LoadBalancer": lb_dim}
    tg_d = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    asg_d = {"AutoScalingGroupName": asg_name}
    db_d = {"DBInstanceIdentifier": db_id}
    metrics: list[dict[str, Any]] = []
    pts = k.grid(start, fine_from, now)
    five: list[tuple[datetime, float]] = []
    p95_series: list[tuple[datetime, float]] = []
    for t, period in pts:
        i0 = int((t - start).total_seconds() // 60)
        chunk = sim[i0 : i0 + period // 60]
        if not chunk or t > now - timedelta(minutes=1):
            continue
        n = len(chunk)
        req = sum(c["demand"] for c in chunk)
        t5 = sum(c["t5xx"] for c in chunk)
        e5 = sum(c["e5xx"] for c in chunk)
        served = req - e5
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", lb_d, t, "Count", round(req)))
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", tg_d, t, "Count", round(served)))
        metrics.append(
            k.datum(
                "AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lb_d, t, "Count", round(served * 0.93 - t5)
            )
        )
        metrics.append(
            k.datum(
                "AWS/ApplicationELB",
                "HTTPCode_Target_4XX_Count",
                lb_d,
                t,
                "Count",
                round(served * 0.012 + rng.randrange(0, 4)),
            )
        )
        if t5 > 0:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb_d, t, "Count", t5))
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg_d, t, "Count", t5))
        if e5 > 0:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb_d, t, "Count", e5))
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lb_d, t, "Count", round(e5 * 0.8))
            )
            if round(e5 * 0.2) > 0:
                metrics.append(
                    k.datum("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lb_d, t, "Count", round(e5 * 0.2))
                )
        med = sum(c["med"] for c in chunk) / n
        slow = max(c["slow"] for c in chunk)
        vals, cnts = k.latency_dist(
            rng,
            med,
            int(max(20, min(served, 4000)) if period == 60 else max(50, min(served / 5, 4000))),
            slow,
            15.0 if slow else 0.0,
        )
        metrics.append(
            k.dist_datum("AWS/ApplicationELB", "TargetResponseTime", lb_d, t, "Seconds", vals, cnts)
        )
        # p95 approximation for alarm evaluation of the latency alarm (not used for the paging alarm)
        p95_series.append((t, med * 2.6 + slow * 14))
        hh = min(c["inservice"] for c in chunk)
        metrics.append(k.datum("AWS/ApplicationELB", "HealthyHostCount", tg_d, t, "Count", hh))
        metrics.append(
            k.datum(
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                tg_d,
                t,
                "Count",
                max(0, min(c["running"] for c in chunk) - hh) if period == 60 else 0,
            )
        )
        metrics.append(
            k.datum("AWS/ApplicationELB", "ActiveConnectionCount", lb_d, t, "Count", round(req * 0.21))
        )
        cpu = sum(c["cpu"] for c in chunk) / n
        metrics.append(
            k.stat_datum(
                "AWS/EC2",
                "CPUUtilization",
                asg_d,
                t,
                "Percent",
                chunk[-1]["running"] * (period // 60),
                cpu * chunk[-1]["running"] * (period // 60),
                max(0.5, cpu - 6),
                min(100, cpu + 5),
            )
        )
        if period == 60:
            metrics.append(
                k.datum("AWS/AutoScaling", "GroupDesiredCapacity", asg_d, t, "None", chunk[-1]["desired"])
            )
            metrics.append(
                k.datum("AWS/AutoScaling", "GroupInServiceInstances", asg_d, t, "None", chunk[-1]["running"])
            )
            metrics.append(k.datum("AWS/AutoScaling", "GroupMinSize", asg_d, t, "None", chunk[-1]["min"]))
            metrics.append(k.datum("AWS/AutoScaling", "GroupMaxSize", asg_d, t, "None", maxsz))
        else:
            metrics.append(
                k.datum("AWS/AutoScaling", "GroupDesiredCapacity", asg_d, t, "None", chunk[-1]["desired"])
            )
            metrics.append(
                k.datum("AWS/AutoScaling", "GroupInServiceInstances", asg_d, t, "None", chunk[-1]["running"])
            )
            metrics.append(k.datum("AWS/AutoScaling", "GroupMinSize", asg_d, t, "None", chunk[-1]["min"]))
        dbcpu = k.noisy(rng, 7 + 28 * min(served / n, 12000) / 12000, 0.07)
        metrics.append(k.datum("AWS/RDS", "CPUUtilization", db_d, t, "Percent", dbcpu))
        metrics.append(
            k.datum(
                "AWS/RDS",
                "DatabaseConnections",
                db_d,
                t,
                "Count",
                chunk[-1]["inservice"] * 10 + 4 + rng.randrange(0, 3),
            )
        )
        five.append((t, float(t5)))

    # ------------------------------------------------------------ alarms
    fine5 = [(t, v) for t, v in five if t >= fine_from]
    coarse_hist_5 = [(t, v) for t, v in five if t < fine_from]
    alarm_5xx, hist_5xx, trans = k.alarm_with_history(
        account,
        REGION,
        f"{app}-prod-target-5xx",
        "clockin-web 5xx from targets above 40/min for 3 minutes. Runbook: https://wiki.internal/runbooks/clockin-web",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb_d,
        "Sum",
        60,
        3,
        40.0,
        "GreaterThanThreshold",
        fine5,
        now,
        topic,
        day - timedelta(days=140),
    )
    del coarse_hist_5
    alarms = [alarm_5xx]
    history = list(hist_5xx)
    ok_specs = [
        (
            f"{app}-prod-unhealthy-hosts",
            "Unhealthy clockin-web targets",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tg_d,
            "Maximum",
            60,
            5,
            1.0,
            "GreaterThanOrEqualToThreshold",
        ),
        (
            f"{db_id}-cpu-high",
            "clockin-pg-prod CPU above 80%",
            "AWS/RDS",
            "CPUUtilization",
            db_d,
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
        ),
        (
            f"{db_id}-free-storage-low",
            "Less than 20 GiB free on clockin-pg-prod",
            "AWS/RDS",
            "FreeStorageSpace",
            db_d,
            "Minimum",
            300,
            1,
            21474836480.0,
            "LessThanThreshold",
        ),
        (
            "payroll-export-nightly-errors",
            "payroll-export-nightly Lambda errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "payroll-export-nightly"},
            "Sum",
            300,
            1,
            0.0,
            "GreaterThanThreshold",
        ),
    ]
    for nm, desc, ns, met, dims, st, per, ev, thr, op in ok_specs:
        t_ok = day - timedelta(days=rng.randrange(3, 40), minutes=rng.randrange(0, 600))
        alarms.append(
            k.alarm(
                account,
                REGION,
                nm,
                desc,
                ns,
                met,
                dims,
                st,
                per,
                ev,
                thr,
                op,
                "OK",
                f"Threshold Crossed: {ev} datapoint{'s' if ev > 1 else ''} were not {'greater' if 'Greater' in op else 'less'} than the threshold ({thr}).",
                None,
                t_ok,
                t_ok - timedelta(days=30),
                [topic],
            )
        )
    for a in (tt_alarm_hi, tt_alarm_lo):
        is_hi = a == tt_alarm_hi
        alarms.append(
            k.alarm(
                account,
                REGION,
                a,
                f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:{k.uuid(rng)}:autoScalingGroupName/{asg_name}:policyName/{tt_policy}.",
                "AWS/EC2",
                "CPUUtilization",
                asg_d,
                "Average",
                60,
                3 if is_hi else 15,
                55.0 if is_hi else 49.5,
                "GreaterThanThreshold" if is_hi else "LessThanThreshold",
                "OK" if is_hi else "ALARM",
                "Threshold Crossed: datapoints were not greater than the threshold (55.0)."
                if is_hi
                else "Threshold Crossed: 15 datapoints were less than the threshold (49.5).",
                None,
                now - timedelta(minutes=rng.randrange(5, 14)),
                day - timedelta(days=200),
                [
                    f"arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:{k.uuid(rng)}:autoScalingGroupName/{asg_name}:policyName/{tt_policy}"
                ],
            )
        )

    # ------------------------------------------------------------ CloudTrail
    people = [
        k.sso_human(
            rng,
            account,
            "PlatformEngineer",
            rng.choice(["priya.natarajan", "tom.okafor", "ellie.brannigan"]) + "@shiftly.co.uk",
        ),
        k.sso_human(
            rng, account, "ReadOnly", rng.choice(["marcus.hale", "sophie.lindqvist"]) + "@shiftly.co.uk"
        ),
        k.sso_human(
            rng, account, "DeveloperAccess", rng.choice(["dan.whitcombe", "aisha.karim"]) + "@shiftly.co.uk"
        ),
    ]
    tf = k.ci_role(rng, account, "gha-terraform-platform", "GitHubActions")
    deploy_lambda = k.ci_role(rng, account, "gha-deploy-payroll-export", "GitHubActions")
    trail: list[dict[str, Any]] = []
    trail += k.routine_reads(rng, account, REGION, start, now, [*people, tf], 34)
    # Terraform plan refreshes before the apply (reads) and the apply itself
    tf_ua = k.TF_UA
    reads: list[tuple[str, str, dict[str, Any]]] = [
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        ("autoscaling.amazonaws.com", "DescribeScheduledActions", {"autoScalingGroupName": asg_name}),
        ("autoscaling.amazonaws.com", "DescribePolicies", {"autoScalingGroupName": asg_name}),
        (
            "ec2.amazonaws.com",
            "DescribeLaunchTemplateVersions",
            {"launchTemplateId": lt_id, "versionSet": {"item": [{"version": "$Latest"}]}},
        ),
    ]
    for off, (src, nm, p) in enumerate(reads):
        trail.append(
            k.ct(
                rng,
                account,
                REGION,
                change_t - timedelta(seconds=40 - off * 3),
                tf,
                src,
                nm,
                p,
                None,
                read_only=True,
                agent=tf_ua.format(api=src.split(".")[0], ver="1.40.3"),
            )
        )
    culprit = k.ct(
        rng,
        account,
        REGION,
        change_t,
        tf,
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        {
            "autoScalingGroupName": asg_name,
            "scheduledActionName": "weekday-morning-prewarm",
            "recurrence": f"{sched_min_local} 6 * * 1-5",
            "minSize": new_min,
            "maxSize": maxsz,
            "desiredCapacity": new_min,
        },
        None,
        agent=tf_ua.format(api="auto-scaling", ver="1.40.3"),
    )
    trail.append(culprit)
    trail.append(
        k.ct(
            rng,
            account,
            REGION,
            change_t + timedelta(seconds=2),
            tf,
            "autoscaling.amazonaws.com",
            "DescribeScheduledActions",
            {"autoScalingGroupName": asg_name, "scheduledActionNames": ["weekday-morning-prewarm"]},
            None,
            read_only=True,
            agent=tf_ua.format(api="auto-scaling", ver="1.40.3"),
        )
    )
    # ASG service-linked role launching instances (RunInstances) for today's scale-outs
    for act_item in activities:
        st_t = datetime.fromisoformat(act_item["StartTime"].replace("Z", "+00:00"))
        if st_t < day or st_t > now or not act_item["Description"].startswith("Launching"):
            continue
        iid = act_item["Description"].split(": ")[1]
        rec = k.ct(
            rng,
            account,
            REGION,
            st_t,
            k.Principal(account, "service", "autoscaling.amazonaws.com"),
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt_id, "version": lt_ver},
                "subnetId": json.loads(act_item["Details"])["Subnet ID"],
                "clientToken": k.uuid(rng),
            },
            {
                "requestId": k.uuid(rng),
                "reservationId": f"r-0{k.hexs(rng, 16)}",
                "ownerId": account,
                "groupSet": {},
                "instancesSet": {"items": [{"instanceId": iid, "imageId": ami, "instanceType": "c6i.large"}]},
            },
        )
        rec["userIdentity"] = k.asg_service_identity(account, st_t)
        rec["sourceIPAddress"] = "autoscaling.amazonaws.com"
        rec["userAgent"] = "autoscaling.amazonaws.com"
        rec["eventVersion"] = "1.09"
        trail.append(rec)
    # innocent changes near the onset
    onset_guess = day + timedelta(hours=5, minutes=45)
    t1 = onset_guess - timedelta(minutes=rng.randrange(8, 14), seconds=rng.randrange(60))
    trail.append(
        k.ct(
            rng,
            account,
            REGION,
            t1,
            deploy_lambda,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": "payroll-export-nightly",
                "s3Bucket": f"shiftly-artifacts-{account}",
                "s3Key": f"payroll-export/{k.hexs(rng, 40)}.zip",
                "publish": True,
            },
            {
                "functionName": "payroll-export-nightly",
                "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:payroll-export-nightly:{rng.randrange(40, 90)}",
                "runtime": "python3.12",
                "handler": "export.handler",
                "codeSize": rng.randrange(800000, 900000),
                "timeout": 300,
                "memorySize": 1024,
                "lastModified": k.iso(t1).replace("Z", ".000+0000"),
                "version": str(rng.randrange(40, 90)),
                "state": "Pending",
                "lastUpdateStatus": "InProgress",
            },
            agent="aws-sdk-js/3.569.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.569.0",
        )
    )
    t2 = onset_guess + timedelta(minutes=rng.randrange(2, 9), seconds=rng.randrange(60))
    trail.append(
        k.ct(
            rng,
            account,
            REGION,
            t2,
            people[0],
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            {
                "alarmName": f"{app}-prod-unhealthy-hosts",
                "alarmDescription": "Unhealthy clockin-web targets",
                "actionsEnabled": True,
                "oKActions": [topic],
                "alarmActions": [topic],
                "metricName": "UnHealthyHostCount",
                "namespace": "AWS/ApplicationELB",
                "statistic": "Maximum",
                "dimensions": [{"name": k2, "value": v} for k2, v in tg_d.items()],
                "period": 60,
                "evaluationPeriods": 5,
                "datapointsToAlarm": 5,
                "threshold": 1.0,
                "comparisonOperator": "GreaterThanOrEqualToThreshold",
                "treatMissingData": "notBreaching",
            },
            None,
            agent=k.CONSOLE_UA,
            console=True,
        )
    )
    # a few other routine writes over the two days
    for _ in range(4):
        tw = start + timedelta(minutes=rng.randrange(0, int((now - start).total_seconds() // 60)))
        trail.append(
            k.ct(
                rng,
                account,
                REGION,
                tw,
                people[2],
                "ssm.amazonaws.com",
                "PutParameter",
                {"name": "/clockin/prod/feature/geo-fence-radius-m", "type": "String", "overwrite": True},
                {"version": rng.randrange(3, 30), "tier": "Standard"},
                agent=k.CLI_UA.format(cmd="ssm.put-parameter"),
            )
        )
    trail = [r for r in trail if r["eventTime"] <= k.iso(now)]
    trail = k.sort_by_time(trail, "eventTime")

    # ------------------------------------------------------------ resources
    res: list[dict[str, Any]] = []
    alive = [f for f in fleet if f["launch"] <= now and (f["term"] is None or f["term"] > now)]
    asg_instances = []
    for f in alive:
        asg_instances.append(
            {
                "InstanceId": f["id"],
                "InstanceType": "c6i.large",
                "AvailabilityZone": subnets[f["az"]][1],
                "LifecycleState": "InService"
                if f["launch"] + timedelta(minutes=BOOT_MIN) <= now
                else "Pending",
                "HealthStatus": "Healthy",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": f"{app}-prod",
                    "Version": lt_ver,
                },
                "ProtectedFromScaleIn": False,
            }
        )
    res.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": asg_arn,
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": f"{app}-prod",
                    "Version": lt_ver,
                },
                "MinSize": new_min,
                "MaxSize": maxsz,
                "DesiredCapacity": sim[-1]["desired"],
                "DefaultCooldown": 300,
                "AvailabilityZones": [s[1] for s in subnets],
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 420,
                "Instances": asg_instances,
                "CreatedTime": k.iso(day - timedelta(days=412)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(s[0] for s in subnets),
                "EnabledMetrics": [
                    {"Metric": m, "Granularity": "1Minute"}
                    for m in (
                        "GroupDesiredCapacity",
                        "GroupInServiceInstances",
                        "GroupMinSize",
                        "GroupMaxSize",
                    )
                ],
                "Tags": [
                    {
                        "ResourceId": asg_name,
                        "ResourceType": "auto-scaling-group",
                        "Key": kk,
                        "Value": vv,
                        "PropagateAtLaunch": True,
                    }
                    for kk, vv in (
                        ("Name", f"{app}-prod"),
                        ("service", app),
                        ("env", "prod"),
                        ("managed-by", "terraform"),
                    )
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "CapacityRebalance": False,
                "DefaultInstanceWarmup": 300,
                "TrafficSources": [{"Identifier": tg_arn, "Type": "elbv2"}],
            },
        }
    )
    res.append(
        {
            "service": "autoscaling",
            "type": "ScheduledUpdateGroupAction",
            "item": {
                "AutoScalingGroupName": asg_name,
                "ScheduledActionName": "weekday-morning-prewarm",
                "ScheduledActionARN": f"arn:aws:autoscaling:{REGION}:{account}:scheduledUpdateGroupAction:{k.uuid(rng)}:autoScalingGroupName/{asg_name}:scheduledActionName/weekday-morning-prewarm",
                "Time": k.iso(day + timedelta(days=1, hours=6, minutes=sched_min_local)),
                "StartTime": k.iso(day + timedelta(days=1, hours=6, minutes=sched_min_local)),
                "Recurrence": f"{sched_min_local} 6 * * 1-5",
                "MinSize": new_min,
                "MaxSize": maxsz,
                "DesiredCapacity": new_min,
            },
        }
    )
    ev_next = day + timedelta(hours=19)
    res.append(
        {
            "service": "autoscaling",
            "type": "ScheduledUpdateGroupAction",
            "item": {
                "AutoScalingGroupName": asg_name,
                "ScheduledActionName": "weekday-evening-scale-in",
                "ScheduledActionARN": f"arn:aws:autoscaling:{REGION}:{account}:scheduledUpdateGroupAction:{k.uuid(rng)}:autoScalingGroupName/{asg_name}:scheduledActionName/weekday-evening-scale-in",
                "Time": k.iso(ev_next),
                "StartTime": k.iso(ev_next),
                "Recurrence": "0 20 * * 1-5",
                "MinSize": 2,
                "MaxSize": maxsz,
                "TimeZone": TZ,
            },
        }
    )
    res.append(
        {
            "service": "autoscaling",
            "type": "ScalingPolicy",
            "item": {
                "AutoScalingGroupName": asg_name,
                "PolicyName": tt_policy,
                "PolicyARN": f"arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:{k.uuid(rng)}:autoScalingGroupName/{asg_name}:policyName/{tt_policy}",
                "PolicyType": "TargetTrackingScaling",
                "StepAdjustments": [],
                "Alarms": [
                    {
                        "AlarmName": tt_alarm_hi,
                        "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{account}:alarm:{tt_alarm_hi}",
                    },
                    {
                        "AlarmName": tt_alarm_lo,
                        "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{account}:alarm:{tt_alarm_lo}",
                    },
                ],
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": 55.0,
                    "DisableScaleIn": False,
                },
                "Enabled": True,
            },
        }
    )
    res.append(
        {
            "service": "ec2",
            "type": "LaunchTemplate",
            "item": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": f"{app}-prod",
                "CreateTime": k.iso(day - timedelta(days=412)),
                "CreatedBy": f"arn:aws:sts::{account}:assumed-role/gha-terraform-platform/GitHubActions",
                "DefaultVersionNumber": int(lt_ver),
                "LatestVersionNumber": int(lt_ver),
                "Tags": k.tag_list({"service": app, "managed-by": "terraform"}),
            },
        }
    )
    res.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"{app}-prod-{rng.randrange(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                "CreatedTime": k.iso(day - timedelta(days=600)),
                "LoadBalancerName": f"{app}-prod",
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": s[1], "SubnetId": s[0], "LoadBalancerAddresses": []} for s in subnets
                ],
                "SecurityGroups": [sg_alb[0]],
                "IpAddressType": "ipv4",
            },
        }
    )
    res.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": f"{app}-prod-3000",
                "Protocol": "HTTP",
                "Port": 3000,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/up",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        }
    )
    for sgp in (sg_alb, sg_web, sg_db):
        res.append(
            {
                "service": "ec2",
                "type": "SecurityGroup",
                "item": {
                    "Description": f"{sgp[1]} (terraform)",
                    "GroupName": sgp[1],
                    "IpPermissions": [],
                    "OwnerId": account,
                    "GroupId": sgp[0],
                    "IpPermissionsEgress": [
                        {
                            "IpProtocol": "-1",
                            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                            "Ipv6Ranges": [],
                            "PrefixListIds": [],
                            "UserIdGroupPairs": [],
                        }
                    ],
                    "VpcId": vpc,
                    "Tags": k.tag_list({"Name": sgp[1]}),
                },
            }
        )
    for f in alive:
        az = subnets[f["az"]]
        ip = f"{az[2].rsplit('.', 1)[0]}.{az[2].rsplit('.', 1)[1]}".replace(
            az[2], f"10.42.{f['az'] * 16 + rng.randrange(1, 15)}.{rng.randrange(4, 250)}"
        )
        res.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": k.instance_item(
                    rng,
                    f["id"],
                    "c6i.large",
                    ami,
                    az[0],
                    vpc,
                    az[1],
                    ip,
                    sg_web,
                    profile_arn,
                    f["launch"],
                    {"Name": f"{app}-prod", "service": app, "env": "prod"},
                    (lt_id, asg_name, lt_ver),
                    REGION,
                ),
            }
        )
        res.append({"service": "ec2", "type": "InstanceStatus", "item": k.status_item(f["id"], az[1])})
    res.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "clockin_admin",
                "DBName": "clockin",
                "Endpoint": {
                    "Address": f"{db_id}.c{k.hexs(rng, 11)}.{REGION}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z1TTGA775OQIYO",
                },
                "AllocatedStorage": 400,
                "InstanceCreateTime": k.iso(day - timedelta(days=700)),
                "PreferredBackupWindow": "01:10-01:40",
                "BackupRetentionPeriod": 14,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db[0], "Status": "active"}],
                "AvailabilityZone": f"{REGION}a",
                "SecondaryAvailabilityZone": f"{REGION}b",
                "PreferredMaintenanceWindow": "sun:02:00-sun:02:30",
                "MultiAZ": True,
                "EngineVersion": "15.6",
                "AutoMinorVersionUpgrade": True,
                "PubliclyAccessible": False,
                "StorageType": "gp3",
                "StorageEncrypted": True,
                "DbiResourceId": k.upper_id(rng, 26, "db-"),
                "DBInstanceArn": f"arn:aws:rds:{REGION}:{account}:db:{db_id}",
                "TagList": k.tag_list({"service": app, "env": "prod"}),
            },
        }
    )
    res.append(
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": "payroll-export-nightly",
                "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:payroll-export-nightly",
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{account}:role/payroll-export-nightly",
                "Handler": "export.handler",
                "CodeSize": 845512,
                "Timeout": 300,
                "MemorySize": 1024,
                "LastModified": k.iso(t1).replace("Z", ".000+0000"),
                "Version": "$LATEST",
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        }
    )

    # ------------------------------------------------------------ events
    events: list[dict[str, Any]] = []
    for act_item in activities:
        if act_item["StartTime"] <= k.iso(now):
            if act_item["EndTime"] > k.iso(now):
                act_item = dict(act_item)
                act_item.pop("EndTime")
                act_item["StatusCode"] = "InProgress"
                act_item["Progress"] = 50
            events.append({"source": "autoscaling", "item": act_item})
    for f in alive:
        reg = max(f["launch"] + timedelta(seconds=70), start)
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": f["id"], "Port": 3000, "AvailabilityZone": subnets[f["az"]][1]},
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": k.iso(reg),
                },
            }
        )
        hl = f["launch"] + timedelta(minutes=BOOT_MIN)
        if hl <= now:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": {"Id": f["id"], "Port": 3000, "AvailabilityZone": subnets[f["az"]][1]},
                        "health": {"State": "healthy"},
                        "timestamp": k.iso(max(hl, start)),
                    },
                }
            )

    # ------------------------------------------------------------ logs
    logs: list[dict[str, Any]] = []
    paths = [
        ("POST", "/api/v2/punches", "Api::V2::PunchesController", "create", 201),
        ("GET", "/api/v2/shifts/today", "Api::V2::ShiftsController", "today", 200),
        ("GET", "/api/v2/me", "Api::V2::MeController", "show", 200),
        ("POST", "/api/v2/breaks", "Api::V2::BreaksController", "create", 201),
    ]
    for f in fleet:
        lo = max(f["launch"] + timedelta(minutes=BOOT_MIN), fine_from - timedelta(hours=2))
        hi = min(f["term"] or now, now)
        tl: datetime = lo
        stream = f"{f['id']}/production.log"
        if f["launch"] >= fine_from - timedelta(hours=2) and f["launch"] <= now:
            for j, line in enumerate(
                [
                    "=> Booting Puma",
                    "=> Rails 7.1.3.4 application starting in production ",
                    "Puma starting in cluster mode...",
                    '* Puma version: 6.4.2 (ruby 3.3.1-p55) ("The Eagle of Durango")',
                    "*  Min threads: 5",
                    "*  Max threads: 5",
                    "*  Environment: production",
                    "*   Master PID: 2211",
                    "*      Workers: 2",
                    "* Listening on http://0.0.0.0:3000",
                    "Use Ctrl-C to stop",
                ]
            ):
                logs.append(
                    {
                        "log_group": "/shiftly/clockin-web/production",
                        "log_stream": stream,
                        "timestamp": k.ms(f["launch"] + timedelta(minutes=BOOT_MIN - 1, seconds=j)),
                        "message": line,
                    }
                )
        while tl < hi:
            i0 = int((tl - start).total_seconds() // 60)
            c = sim[min(i0, len(sim) - 1)]
            mth, pth, ctl, act, code = rng.choice(paths)
            dur = c["med"] * 1000 * rng.uniform(0.6, 1.8)
            if c["slow"] > 0 and rng.random() < c["slow"] * 2.2:
                logs.append(
                    {
                        "log_group": "/shiftly/clockin-web/production",
                        "log_stream": stream,
                        "timestamp": k.ms(tl),
                        "message": f"source=rack-timeout id={k.uuid(rng)} timeout=15000ms service=15000ms state=timed_out",
                    }
                )
                logs.append(
                    {
                        "log_group": "/shiftly/clockin-web/production",
                        "log_stream": stream,
                        "timestamp": k.ms(tl) + 3,
                        "message": json.dumps(
                            {
                                "method": mth,
                                "path": pth,
                                "format": "json",
                                "controller": ctl,
                                "action": act,
                                "status": 500,
                                "error": "Rack::Timeout::RequestTimeoutException: Request waited 1207ms, then ran for longer than 13793ms ",
                                "duration": 15001.2,
                                "request_id": k.uuid(rng),
                            }
                        ),
                    }
                )
            else:
                logs.append(
                    {
                        "log_group": "/shiftly/clockin-web/production",
                        "log_stream": stream,
                        "timestamp": k.ms(tl),
                        "message": json.dumps(
                            {
                                "method": mth,
                                "path": pth,
                                "format": "json",
                                "controller": ctl,
                                "action": act,
                                "status": code,
                                "allocations": rng.randrange(900, 4000),
                                "duration": round(dur, 2),
                                "view": round(dur * 0.05, 2),
                                "db": round(dur * 0.3, 2),
                                "request_id": k.uuid(rng),
                            }
                        ),
                    }
                )
            if rng.random() < 0.01:
                logs.append(
                    {
                        "log_group": "/shiftly/clockin-web/production",
                        "log_stream": stream,
                        "timestamp": k.ms(tl) + 5,
                        "message": "W, ["
                        + tl.strftime("%Y-%m-%dT%H:%M:%S.%f")
                        + " #2214]  WARN -- : [geofence] accuracy 180m above 150m for punch, accepted with flag",
                    }
                )
            gap = 40 if c["demand"] < 2000 else 12
            tl += timedelta(seconds=rng.randrange(gap // 2, gap * 2))
    logs.sort(key=lambda e: (e["log_stream"], e["timestamp"]))

    # ------------------------------------------------------------ manifest
    first_alarm = next((x for x in trans if x[1] == "ALARM"), None)
    local_first = (first_alarm[0] if first_alarm else now) + timedelta(hours=1)
    question = (
        f"Store managers say staff couldn't clock in for a while this morning, the app just spun and some got errors. "
        f"The clockin-web 5xx alarm paged me at {local_first.strftime('%H:%M').lstrip('0')} and it's quietened down now. "
        f"Nothing was deployed this morning. What happened, and is it going to happen again tomorrow?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": asg_name,
                    "category": "change",
                    "failure_mode": "scheduled-action-time-zone-dropped",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [asg_arn, "weekday-morning-prewarm"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"Terraform's PutScheduledUpdateGroupAction on {asg_name} re-created weekday-morning-prewarm without TimeZone, so '30 6 * * 1-5' ran in UTC (07:30 London) instead of 06:30 London.",
                    f"At the start of the morning clock-in peak {asg_name} was still at its overnight size of 2 instances.",
                    "Target tracking on CPU scaled out only after the instances saturated, and new instances took ~7 minutes to boot.",
                    "The saturated clockin-web instances timed requests out (Rack::Timeout 500s) and the ALB returned 504s until capacity caught up.",
                ],
            },
        }
    )
    hist_sorted = sorted(history, key=lambda h: str(h["Timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": hist_sorted,
            "logs": logs,
            "cloudtrail": trail,
            "resources": res,
            "events": events,
        },
    )
