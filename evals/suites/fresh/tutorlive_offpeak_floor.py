"""tutorlive web fleet clamped at the start of the evening peak by a new recurring scheduled action."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zd as k

NAME = "tutorlive-web-evening-5xx"
TITLE = "tutorlive-web 5xx alarm and classroom pages timing out as the evening starts"
SUMMARY = (
    "A recurring Auto Scaling scheduled action added that afternoon without a time zone fires at 02:00 UTC "
    "(7pm Pacific) and clamps the web ASG to max 3 at the evening peak; ALB 5xx and latency follow."
)


@dataclass
class _Minute:
    t: datetime
    load: float
    served: float
    failing: float
    u: float
    cpu: float
    n: int
    desired: int
    min: int
    max: int
    pending: int


ACCOUNT_POOL = ("418295730615", "630918274452", "772140386219")
OFFSET = -7.0  # PDT; dates are drawn from the daylight-saving months


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = rng.choice(ACCOUNT_POOL)
    region = "us-west-2"
    day = k.day_in(rng, "2024-04-08", 170)  # the UTC date on which 02:00 falls
    onset = day + timedelta(hours=2, seconds=rng.randrange(5, 20))
    onset_min = day + timedelta(hours=2)
    start = day - timedelta(hours=26)
    now = onset_min + timedelta(minutes=rng.randrange(38, 52), seconds=rng.randrange(60))
    fine_from = onset_min - timedelta(hours=3)

    # --- names and ids ----------------------------------------------------------------------------
    asg = "tutorlive-web-prod"
    asg_arn = (
        f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{k.uid(rng)}:autoScalingGroupName/{asg}"
    )
    lb_name = "tutorlive-web-prod"
    lb_hex = k.hexid(rng, 16)
    lb_dim = f"app/{lb_name}/{lb_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    tg_name = "tutorlive-web-http"
    tg_hex = k.hexid(rng, 16)
    tg_dim = f"targetgroup/{tg_name}/{tg_hex}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    vpc_id = "vpc-" + k.hexid(rng)
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    priv = {az: "subnet-" + k.hexid(rng) for az in azs}
    pub = {az: "subnet-" + k.hexid(rng) for az in azs}
    sg_alb, sg_web, sg_db = ("sg-" + k.hexid(rng) for _ in range(3))
    lt_id = "lt-" + k.hexid(rng)
    ami = "ami-" + k.hexid(rng)
    db_id = "tutorlive-pg-prod"
    itype = "c6i.2xlarge"
    cap = rng.uniform(3900, 4400)  # requests a minute one instance serves at 100% CPU
    peak = rng.uniform(15500, 17800)
    policy = "cpu50-target-tracking"
    tt_uuid = k.uid(rng)
    alarm_high = f"TargetTracking-{asg}-AlarmHigh-{tt_uuid}"
    alarm_low = f"TargetTracking-{asg}-AlarmLow-{k.uid(rng)}"
    sched_new = "off-peak-floor"
    sched_restore = "off-peak-restore"
    sched_old = "school-day-prewarm"
    engineer = rng.choice(["dana.whitfield", "marco.ilyas", "priya.raman", "ben.okafor"])
    oncall = rng.choice(["sam.teller", "ines.carvalho", "joe.brandt"])
    created_change = day - timedelta(
        hours=rng.randrange(5, 7), minutes=rng.randrange(60), seconds=rng.randrange(60)
    )

    # --- simulate the fleet minute by minute --------------------------------------------------------
    def new_instance() -> str:
        return "i-0" + k.hexid(rng, 16)

    launched: dict[str, datetime] = {}
    az_of: dict[str, str] = {}
    ip_of: dict[str, str] = {}
    terminated: dict[str, datetime] = {}
    bias: dict[str, float] = {}

    def launch(t: datetime) -> str:
        iid = new_instance()
        counts = {az: sum(1 for i in in_service + pending_ids() if az_of[i] == az) for az in azs}
        az = min(azs, key=lambda a: (counts[a], azs.index(a)))
        launched[iid] = t
        az_of[iid] = az
        ip_of[iid] = f"10.42.{16 * (azs.index(az) + 1) + rng.randrange(0, 8)}.{rng.randrange(5, 250)}"
        bias[iid] = rng.uniform(-4, 4)
        return iid

    in_service: list[str] = []
    pending: list[tuple[datetime, str]] = []

    def pending_ids() -> list[str]:
        return [i for _, i in pending]

    n0 = max(4, math.ceil(peak * k.diurnal(start, OFFSET, 20.0) / (0.5 * cap)))
    for _ in range(n0):
        iid = launch(start - timedelta(days=rng.randrange(1, 6), minutes=rng.randrange(600)))
        in_service.append(iid)
    min_size, max_size = 4, 16
    desired = n0
    activities: list[dict[str, Any]] = []
    th_events: list[dict[str, Any]] = []
    ct_scaling: list[tuple[datetime, str, list[str]]] = []
    hi_streak = lo_streak = 0
    last_out = last_in = start - timedelta(hours=1)

    per_min: list[_Minute] = []
    inst_cpu: dict[str, list[tuple[datetime, float]]] = {}
    flap_at = onset_min + timedelta(minutes=rng.randrange(9, 14))
    flap_target = ""
    prewarm_at = day - timedelta(hours=2, minutes=30)

    def activity(t: datetime, desc: str, cause: str, iid: str, end_s: int) -> None:
        activities.append(
            {
                "ActivityId": k.uid(rng),
                "AutoScalingGroupName": asg,
                "Description": desc,
                "Cause": cause,
                "StartTime": k.iso(t),
                "EndTime": k.iso(t + timedelta(seconds=end_s)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps({"Subnet ID": priv[az_of[iid]], "Availability Zone": az_of[iid]}),
                "AutoScalingGroupARN": asg_arn,
            }
        )

    t = start
    while t < now:
        # ready instances join
        for ready, iid in list(pending):
            if ready <= t:
                pending.remove((ready, iid))
                in_service.append(iid)
                th_events.append(
                    k.target_health(
                        tg_arn,
                        iid,
                        80,
                        az_of[iid],
                        ready - timedelta(seconds=75),
                        "initial",
                        "Elb.RegistrationInProgress",
                        "Target registration is in progress",
                    )
                )
                th_events.append(k.target_health(tg_arn, iid, 80, az_of[iid], ready, "healthy"))
        if t == onset_min:
            old = desired
            min_size, max_size, desired = 2, 3, 2
            at = onset
            victims = sorted(in_service, key=lambda i: (launched[i], i))[: len(in_service) - 2]
            # the default policy balances AZs first; keep one survivor in each of two AZs
            survivors = [i for i in in_service if i not in victims]
            if len({az_of[i] for i in survivors}) < 2:
                other = next(i for i in victims if az_of[i] != az_of[survivors[0]])
                victims.remove(other)
                victims.append(survivors.pop())
                survivors.append(other)
            first = at + timedelta(seconds=rng.randrange(8, 14))
            cause = (
                f"At {k.iso(at)} a scheduled action update of AutoScalingGroup constraints to min: 2, max: 3, "
                f"desired: 2 changing the desired capacity from {old} to 2.  At {k.iso(first)} an instance was "
                f"taken out of service in response to a difference between desired and actual capacity, shrinking "
                f"the capacity from {old} to 2."
            )
            for n, iid in enumerate(victims):
                activity(
                    first,
                    f"Terminating EC2 instance: {iid}",
                    cause + f"  At {k.iso(first)} instance {iid} was selected for termination.",
                    iid,
                    70 + n * 3,
                )
                th_events.append(
                    k.target_health(
                        tg_arn,
                        iid,
                        80,
                        az_of[iid],
                        first + timedelta(seconds=2),
                        "draining",
                        "Target.DeregistrationInProgress",
                        "Target deregistration is in progress",
                    )
                )
                th_events.append(
                    k.target_health(
                        tg_arn,
                        iid,
                        80,
                        az_of[iid],
                        first + timedelta(seconds=33),
                        "unused",
                        "Target.NotRegistered",
                        "Target is not registered to the target group",
                    )
                )
                terminated[iid] = first + timedelta(seconds=40 + n * 3)
            ct_scaling.append((first, "TerminateInstances", victims))
            in_service = survivors
        load = peak * k.diurnal(t, OFFSET, 20.0) * (1 + rng.gauss(0, 0.025))
        n = max(1, len(in_service))
        u = load / (n * cap)
        cpu = min(rng.uniform(97.5, 99.7), 100 * u * (1 + rng.gauss(0, 0.02)) + 3)
        served = min(load, n * cap * 0.98)
        failing = load - served
        # target tracking: AlarmHigh 3 of 3 > 50, AlarmLow 15 of 15 < 45
        hi_streak = hi_streak + 1 if cpu > 50 else 0
        lo_streak = lo_streak + 1 if cpu < 45 else 0
        cur = len(in_service) + len(pending)
        if hi_streak >= 3 and t - last_out >= timedelta(minutes=5) and cur < max_size:
            want = min(max_size, math.ceil(cur * cpu / 50))
            if want > cur:
                at = t + timedelta(seconds=rng.randrange(20, 50))
                started = at + timedelta(seconds=rng.randrange(5, 10))
                cause = (
                    f"At {k.iso(at)} a monitor alarm {alarm_high} in state ALARM triggered policy {policy} changing "
                    f"the desired capacity from {cur} to {want}.  At {k.iso(started)} an instance was started in "
                    f"response to a difference between desired and actual capacity, increasing the capacity from {cur} to {want}."
                )
                new_ids = []
                for _ in range(want - cur):
                    iid = launch(at)
                    new_ids.append(iid)
                    pending.append((at + timedelta(seconds=rng.randrange(200, 260)), iid))
                    activity(
                        started, f"Launching a new EC2 instance: {iid}", cause, iid, rng.randrange(35, 60)
                    )
                ct_scaling.append((started, "RunInstances", new_ids))
                desired = want
                last_out = t
        elif lo_streak >= 15 and t - last_in >= timedelta(minutes=15) and cur > min_size and not pending:
            want = max(min_size, math.ceil(cur * cpu / 50), cur - 2)
            if want < cur:
                at = t + timedelta(seconds=rng.randrange(20, 50))
                first = at + timedelta(seconds=rng.randrange(6, 12))
                victims = sorted(in_service, key=lambda i: (launched[i], i))[: cur - want]
                cause = (
                    f"At {k.iso(at)} a monitor alarm {alarm_low} in state ALARM triggered policy {policy} changing "
                    f"the desired capacity from {cur} to {want}.  At {k.iso(first)} an instance was taken out of "
                    f"service in response to a difference between desired and actual capacity, shrinking the "
                    f"capacity from {cur} to {want}."
                )
                for iid in victims:
                    activity(
                        first,
                        f"Terminating EC2 instance: {iid}",
                        cause + f"  At {k.iso(first)} instance {iid} was selected for termination.",
                        iid,
                        rng.randrange(60, 90),
                    )
                    th_events.append(
                        k.target_health(
                            tg_arn,
                            iid,
                            80,
                            az_of[iid],
                            first + timedelta(seconds=2),
                            "draining",
                            "Target.DeregistrationInProgress",
                            "Target deregistration is in progress",
                        )
                    )
                    th_events.append(
                        k.target_health(
                            tg_arn,
                            iid,
                            80,
                            az_of[iid],
                            first + timedelta(seconds=33),
                            "unused",
                            "Target.NotRegistered",
                            "Target is not registered to the target group",
                        )
                    )
                    terminated[iid] = first + timedelta(seconds=45)
                    in_service.remove(iid)
                ct_scaling.append((first, "TerminateInstances", victims))
                desired = want
                last_in = t
                lo_streak = 0
        if t == prewarm_at and (t + timedelta(hours=OFFSET)).weekday() < 5:
            cur = len(in_service) + len(pending)
            at = t + timedelta(seconds=rng.randrange(5, 20))
            first = at + timedelta(seconds=rng.randrange(6, 12))
            if cur < 6:
                cause = (
                    f"At {k.iso(at)} a scheduled action update of AutoScalingGroup constraints to min: 4, max: 16, "
                    f"desired: 6 changing the desired capacity from {cur} to 6.  At {k.iso(first)} an instance was "
                    f"started in response to a difference between desired and actual capacity, increasing the capacity from {cur} to 6."
                )
                new_ids = []
                for _ in range(6 - cur):
                    iid = launch(at)
                    new_ids.append(iid)
                    pending.append((at + timedelta(seconds=rng.randrange(200, 260)), iid))
                    activity(first, f"Launching a new EC2 instance: {iid}", cause, iid, rng.randrange(35, 60))
                ct_scaling.append((first, "RunInstances", new_ids))
                desired = 6
                last_out = t
        if t == flap_at and len(in_service) >= 2:
            flap_target = in_service[0]
            ft = t + timedelta(seconds=17)
            th_events.append(
                k.target_health(
                    tg_arn,
                    flap_target,
                    80,
                    az_of[flap_target],
                    ft,
                    "unhealthy",
                    "Target.Timeout",
                    "Request timed out",
                )
            )
            th_events.append(
                k.target_health(
                    tg_arn,
                    flap_target,
                    80,
                    az_of[flap_target],
                    ft + timedelta(minutes=rng.randrange(3, 6)),
                    "healthy",
                )
            )
        for iid in in_service:
            inst_cpu.setdefault(iid, []).append(
                (t, max(1.0, min(99.9, cpu + bias[iid] * (0.3 if cpu > 95 else 1) + rng.gauss(0, 1.5))))
            )
        per_min.append(
            _Minute(
                t, load, served, failing, u, cpu, len(in_service), desired, min_size, max_size, len(pending)
            )
        )
        t += timedelta(minutes=1)

    # --- metrics ------------------------------------------------------------------------------------
    metrics: list[dict[str, Any]] = []
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    asgd = {"AutoScalingGroupName": asg}
    fine = [p for p in per_min if p.t >= fine_from]
    coarse_groups: list[list[_Minute]] = []
    for p in per_min:
        if p.t >= fine_from:
            break
        if not coarse_groups or (p.t - coarse_groups[-1][0].t) >= timedelta(minutes=5):
            coarse_groups.append([])
        coarse_groups[-1].append(p)
    buckets: list[tuple[datetime, list[_Minute]]] = [(g[0].t, g) for g in coarse_groups] + [
        (p.t, [p]) for p in fine
    ]
    elb5xx_points: dict[datetime, float] = {}
    for bt, group in buckets:
        load = sum(float(p.load) for p in group)
        failing = sum(float(p.failing) for p in group)
        u = sum(float(p.u) for p in group) / len(group)
        reqs = int(load)
        for dims in (lbd, tgd):
            metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", dims, bt, "Count", reqs))
        t5 = int(failing * 0.55 + k.poisson(rng, 0.4 * len(group)))
        e504 = int(failing * 0.3)
        e502 = int(failing * 0.15) + k.poisson(rng, 0.08 * len(group))
        ok = reqs - t5 - e504 - e502
        t4 = int(ok * rng.uniform(0.018, 0.024))
        for dims in (lbd, tgd):
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, bt, "Count", ok - t4)
            )
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, bt, "Count", t4))
            if t5:
                metrics.append(
                    k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, bt, "Count", t5)
                )
        if e504 + e502:
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lbd, bt, "Count", e504 + e502)
            )
            if len(group) == 1:
                elb5xx_points[bt] = e504 + e502
        if e504:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lbd, bt, "Count", e504))
        if e502:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lbd, bt, "Count", e502))
        if u < 0.8:
            med = 0.085 + 0.06 * u * u
            tail = 1.0
        else:
            med = min(14.0, 0.125 + 6.0 * (u - 0.8) ** 1.5)
            tail = 1.4
        for dims in (lbd, tgd):
            metrics.append(
                k.latency(
                    "AWS/ApplicationELB",
                    "TargetResponseTime",
                    dims,
                    bt,
                    "Seconds",
                    k.jitter(rng, med, 0.05),
                    0.55,
                    max(8, reqs // 400),
                    tail,
                )
            )
        nh = sum(int(p.n) for p in group) / len(group)
        unh = (
            1.0
            if flap_target and any(flap_at < p.t <= flap_at + timedelta(minutes=4) for p in group)
            else 0.0
        )
        metrics.append(k.datum("AWS/ApplicationELB", "HealthyHostCount", tgd, bt, "Count", nh - unh))
        metrics.append(k.datum("AWS/ApplicationELB", "UnHealthyHostCount", tgd, bt, "Count", unh))
        cpu = sum(float(p.cpu) for p in group) / len(group)
        metrics.append(k.datum("AWS/EC2", "CPUUtilization", asgd, bt, "Percent", cpu))
        last = group[-1]
        metrics.append(
            k.datum("AWS/AutoScaling", "GroupDesiredCapacity", asgd, bt, "None", float(last.desired))
        )
        metrics.append(k.datum("AWS/AutoScaling", "GroupInServiceInstances", asgd, bt, "None", float(last.n)))
        metrics.append(
            k.datum("AWS/AutoScaling", "GroupPendingInstances", asgd, bt, "None", float(last.pending))
        )
        metrics.append(k.datum("AWS/AutoScaling", "GroupMinSize", asgd, bt, "None", float(last.min)))
        metrics.append(k.datum("AWS/AutoScaling", "GroupMaxSize", asgd, bt, "None", float(last.max)))
        served = sum(float(p.served) for p in group) / len(group)
        dbd = {"DBInstanceIdentifier": db_id}
        metrics.append(
            k.datum(
                "AWS/RDS", "CPUUtilization", dbd, bt, "Percent", k.jitter(rng, 9 + 34 * served / peak, 0.05)
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS", "DatabaseConnections", dbd, bt, "Count", round(nh * 12 + 9 + rng.randrange(0, 4))
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "ReadLatency",
                dbd,
                bt,
                "Seconds",
                k.jitter(rng, 0.0006 + 0.0004 * served / peak, 0.1),
            )
        )
        metrics.append(k.datum("AWS/RDS", "FreeableMemory", dbd, bt, "Bytes", k.jitter(rng, 11.2e9, 0.004)))
    # per-instance CPU (5-minute averages before fine_from, then 1-minute)
    for iid, pts in inst_cpu.items():
        agg: dict[datetime, list[float]] = {}
        for pt, v in pts:
            key = pt - timedelta(minutes=(pt.minute % 5)) if pt < fine_from else pt
            agg.setdefault(key, []).append(v)
        for key, vs in sorted(agg.items()):
            metrics.append(
                k.datum("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, key, "Percent", sum(vs) / len(vs))
            )
    # reminders Lambda (the innocent deploy)
    fn = "tutorlive-session-reminders"
    for bt in k.steps(fine_from, now, 300):
        if bt + timedelta(minutes=5) > now:
            break
        inv = k.poisson(rng, 40 + 60 * k.diurnal(bt, OFFSET, 18.0))
        fd = {"FunctionName": fn}
        metrics.append(k.datum("AWS/Lambda", "Invocations", fd, bt, "Count", inv))
        metrics.append(
            k.latency(
                "AWS/Lambda", "Duration", fd, bt, "Milliseconds", rng.uniform(180, 240), 0.35, max(inv, 1)
            )
        )
        metrics.append(k.datum("AWS/Lambda", "Errors", fd, bt, "Count", 0))
        metrics.append(k.datum("AWS/Lambda", "Throttles", fd, bt, "Count", 0))

    # --- alarms -------------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{region}:{account}:tutorlive-oncall-pager"
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    spec5 = k.AlarmSpec(
        name="tutorlive-web-alb-elb-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_ELB_5XX_Count",
        dims=lbd,
        stat="Sum",
        period=60,
        evals=3,
        dta=3,
        threshold=100.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="tutorlive-web ALB returning 5xx itself (502/503/504) - page the web on-call",
        actions=[sns],
    )
    tr5 = k.evaluate_alarm(spec5, elb5xx_points, fine_from, now)
    a5, h5 = k.alarm_items(spec5, account, region, tr5, day - timedelta(days=210))
    alarms.append(a5)
    history += h5
    cpu_points = {p.t: float(p.cpu) for p in per_min}
    tt_actions = [
        f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{k.uid(rng)}:autoScalingGroupName/{asg}:policyName/{policy}"
    ]
    spec_hi = k.AlarmSpec(
        alarm_high,
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        "Average",
        60,
        3,
        3,
        50.0,
        "GreaterThanThreshold",
        "missing",
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {tt_actions[0]}.",
        tt_actions,
        ok_actions=False,
    )
    spec_lo = k.AlarmSpec(
        alarm_low,
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        "Average",
        60,
        15,
        15,
        45.0,
        "LessThanThreshold",
        "missing",
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {tt_actions[0]}.",
        tt_actions,
        ok_actions=False,
    )
    for spec in (spec_hi, spec_lo):
        tr = k.evaluate_alarm(spec, cpu_points, start, now, initial="ALARM" if spec is spec_lo else "OK")
        a, h = k.alarm_items(spec, account, region, tr, day - timedelta(days=400))
        alarms.append(a)
        history += h
    quiet = [
        k.AlarmSpec(
            "tutorlive-pg-prod-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_id},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
            "tutorlive-pg-prod CPU above 80% for 15 minutes",
            [sns],
        ),
        k.AlarmSpec(
            "tutorlive-pg-prod-free-storage-low",
            "AWS/RDS",
            "FreeStorageSpace",
            {"DBInstanceIdentifier": db_id},
            "Minimum",
            300,
            1,
            1,
            20e9,
            "LessThanThreshold",
            "missing",
            "Less than 20 GB free on tutorlive-pg-prod",
            [sns],
        ),
        k.AlarmSpec(
            "tutorlive-session-reminders-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn},
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanThreshold",
            "notBreaching",
            "Reminder sender failing",
            [sns],
        ),
        k.AlarmSpec(
            "tutorlive-web-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            5,
            5,
            1.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            "web targets unhealthy for 5 minutes",
            [sns],
        ),
    ]
    for spec in quiet:
        alarms.append(
            k.quiet_alarm(
                spec,
                account,
                region,
                day - timedelta(days=rng.randrange(100, 300)),
                day - timedelta(days=rng.randrange(3, 20)),
            )
        )

    # --- CloudTrail ---------------------------------------------------------------------------------
    ct: list[dict[str, Any]] = []
    dom = "tutorlive.com"
    eng = k.sso_user(rng, account, "PlatformEngineer", f"{engineer}@{dom}")
    eng.agent = k.CLI_UA.replace("{cmd}", "autoscaling")
    oc = k.sso_user(rng, account, "PlatformEngineer", f"{oncall}@{dom}", console=True)
    pm = k.sso_user(
        rng,
        account,
        "ProductDeveloper",
        f"{rng.choice(['lena.hsu', 'tom.achebe', 'rosa.lindqvist'])}@{dom}",
        console=True,
    )
    ci = k.role_user(
        rng,
        account,
        "github-actions-deploy",
        "GitHubActions",
        ip=k.public_ip(rng),
        agent=k.CLI_UA.replace("{cmd}", "lambda"),
    )
    tf = k.role_user(
        rng,
        account,
        "terraform-plan-readonly",
        f"tfc-run-{k.hexid(rng, 8)}",
        ip=k.public_ip(rng),
        agent=k.TF_UA,
    )
    dd = k.role_user(
        rng,
        account,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        ip=k.public_ip(rng),
        agent="datadog-aws-integration",
    )
    asg_slr = k.role_user(
        rng,
        account,
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        ip="autoscaling.amazonaws.com",
        agent="autoscaling.amazonaws.com",
        service="autoscaling.amazonaws.com",
    )
    ct += k.background_reads(
        rng,
        [tf, dd, oc],
        [
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg]}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db_id}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ],
        start,
        now,
        region,
        24,
    )
    # the scheduled actions (the engineer works in CLI, reads first)
    t0 = created_change
    ct.append(
        k.trail(
            rng,
            eng,
            t0 - timedelta(minutes=3),
            "autoscaling.amazonaws.com",
            "DescribeScheduledActions",
            region,
            params={"autoScalingGroupName": asg},
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            rng,
            eng,
            t0 - timedelta(minutes=2),
            "autoscaling.amazonaws.com",
            "DescribePolicies",
            region,
            params={"autoScalingGroupName": asg},
            read_only=True,
        )
    )
    culprit = k.trail(
        rng,
        eng,
        t0,
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        region,
        params={
            "autoScalingGroupName": asg,
            "scheduledActionName": sched_new,
            "recurrence": "0 2 * * *",
            "minSize": 2,
            "maxSize": 3,
            "desiredCapacity": 2,
        },
    )
    ct.append(culprit)
    ct.append(
        k.trail(
            rng,
            eng,
            t0 + timedelta(seconds=rng.randrange(40, 90)),
            "autoscaling.amazonaws.com",
            "PutScheduledUpdateGroupAction",
            region,
            params={
                "autoScalingGroupName": asg,
                "scheduledActionName": sched_restore,
                "recurrence": "0 7 * * *",
                "minSize": 4,
                "maxSize": 16,
                "desiredCapacity": 6,
            },
        )
    )
    ct.append(
        k.trail(
            rng,
            eng,
            t0 + timedelta(minutes=3),
            "autoscaling.amazonaws.com",
            "DescribeScheduledActions",
            region,
            params={"autoScalingGroupName": asg},
            read_only=True,
        )
    )
    # Auto Scaling's own calls
    for st, name, ids in ct_scaling:
        if name == "RunInstances":
            params = {
                "instancesSet": {"items": [{"imageId": ami, "minCount": len(ids), "maxCount": len(ids)}]},
                "instanceType": itype,
                "launchTemplate": {"launchTemplateId": lt_id, "version": "7"},
                "subnetId": priv[az_of[ids[0]]],
                "clientToken": k.uid(rng),
            }
            resp = {
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": i,
                            "imageId": ami,
                            "instanceState": {"code": 0, "name": "pending"},
                            "instanceType": itype,
                            "placement": {"availabilityZone": az_of[i], "tenancy": "default"},
                            "privateIpAddress": ip_of[i],
                        }
                        for i in ids
                    ]
                }
            }
        else:
            params = {"instancesSet": {"items": [{"instanceId": i} for i in ids]}}
            resp = {
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": i,
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                        for i in ids
                    ]
                }
            }
        ct.append(
            k.trail(
                rng,
                asg_slr,
                st + timedelta(seconds=1),
                "ec2.amazonaws.com",
                name,
                region,
                params=params,
                response=resp,
            )
        )
    # innocent changes near the onset
    t_fn = onset_min - timedelta(minutes=rng.randrange(14, 24), seconds=rng.randrange(60))
    ct.append(
        k.trail(
            rng,
            ci,
            t_fn,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            region,
            params={
                "functionName": fn,
                "s3Bucket": f"tutorlive-artifacts-{account}",
                "s3Key": f"lambda/{fn}/{k.hexid(rng, 7)}.zip",
                "publish": True,
            },
            response={
                "functionName": fn,
                "functionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}:{rng.randrange(40, 90)}",
                "runtime": "nodejs20.x",
                "codeSize": rng.randrange(900000, 1400000),
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
        )
    )
    t_ff = onset_min - timedelta(minutes=rng.randrange(5, 12), seconds=rng.randrange(60))
    param = "/tutorlive/prod/web/WHITEBOARD_V2_ROLLOUT_PERCENT"
    ct.append(
        k.trail(
            rng,
            pm,
            t_ff,
            "ssm.amazonaws.com",
            "PutParameter",
            region,
            params={"name": param, "type": "String", "overwrite": True},
            response={"version": rng.randrange(6, 12), "tier": "Standard"},
        )
    )
    ct.append(
        k.trail(
            rng,
            pm,
            t_ff + timedelta(minutes=1),
            "ssm.amazonaws.com",
            "GetParameter",
            region,
            params={"name": param},
            read_only=True,
        )
    )
    # the on-call looking around after the page
    page = a5.get("StateUpdatedTimestamp") if a5["StateValue"] == "ALARM" else None
    if page:
        base = onset_min + timedelta(minutes=8)
        for i, (src, nm, pr) in enumerate(
            [
                ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
                ("monitoring.amazonaws.com", "GetMetricData", None),
                (
                    "ec2.amazonaws.com",
                    "DescribeInstances",
                    {
                        "instancesSet": {},
                        "filterSet": {
                            "items": [
                                {
                                    "name": "tag:aws:autoscaling:groupName",
                                    "valueSet": {"items": [{"value": asg}]},
                                }
                            ]
                        },
                    },
                ),
                ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db_id}),
                ("logs.amazonaws.com", "FilterLogEvents", {"logGroupName": "/tutorlive/web/app"}),
            ]
        ):
            ct.append(
                k.trail(
                    rng,
                    oc,
                    base + timedelta(minutes=2 * i, seconds=rng.randrange(60)),
                    src,
                    nm,
                    region,
                    params=pr,
                    read_only=True,
                )
            )
    # earlier routine writes
    ct.append(
        k.trail(
            rng,
            ci,
            start + timedelta(hours=rng.randrange(14, 18), seconds=rng.randrange(3600)),
            "ecr.amazonaws.com",
            "PutImage",
            region,
            params={"repositoryName": "tutorlive-web", "imageTag": k.hexid(rng, 7)},
            response=None,
        )
    )
    ct.append(
        k.trail(
            rng,
            oc,
            start + timedelta(hours=rng.randrange(8, 12), seconds=rng.randrange(3600)),
            "logs.amazonaws.com",
            "PutRetentionPolicy",
            region,
            params={"logGroupName": "/tutorlive/web/nginx", "retentionInDays": 30},
        )
    )
    ct.append(
        k.trail(
            rng,
            eng,
            start + timedelta(hours=rng.randrange(9, 13), seconds=rng.randrange(3600)),
            "rds.amazonaws.com",
            "CreateDBSnapshot",
            region,
            params={"dBSnapshotIdentifier": f"{db_id}-pre-index-{day:%Y%m%d}", "dBInstanceIdentifier": db_id},
            response={"dBSnapshotIdentifier": f"{db_id}-pre-index-{day:%Y%m%d}", "status": "creating"},
        )
    )
    ct = [r for r in ct if r["eventTime"] <= k.iso(now)]
    ct.sort(key=lambda r: str(r["eventTime"]))

    # --- logs ---------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    paths = [
        "/api/sessions/{id}/join",
        "/classroom/{id}",
        "/api/whiteboard/{id}/strokes",
        "/api/tutors/availability",
        "/dashboard",
        "/api/messages/unread",
        "/assets/application-{h}.js",
    ]
    all_ids = list(launched)
    for iid in all_ids:
        up = max(launched[iid], now - timedelta(hours=3))
        down = terminated.get(iid, now)
        if down <= up:
            continue
        t = up + timedelta(seconds=rng.randrange(0, 90))
        while t < down:
            pm_ = min(per_min, key=lambda p: abs((p.t - t).total_seconds()))
            u = float(pm_.u)
            path = (
                rng.choice(paths)
                .replace("{id}", str(rng.randrange(100000, 999999)))
                .replace("{h}", k.hexid(rng, 12))
            )
            if u > 1.0 and rng.random() < 0.45:
                waited = rng.randrange(8000, 15500)
                logs.append(
                    k.log(
                        "/tutorlive/web/app",
                        f"{asg}/{iid}",
                        t,
                        f"[{k.hexid(rng, 8)}-{k.hexid(rng, 4)}] source=rack-timeout id={k.uid(rng)} wait={waited}ms timeout=15000ms state=expired",
                    )
                )
                logs.append(
                    k.log(
                        "/tutorlive/web/nginx",
                        f"{asg}/{iid}/error.log",
                        t + timedelta(seconds=1),
                        f'{(t + timedelta(seconds=1)).strftime("%Y/%m/%d %H:%M:%S")} [error] {rng.randrange(2000, 2400)}#{rng.randrange(2000, 2400)}: *{rng.randrange(10**6, 10**7)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.42.{rng.randrange(0, 8)}.{rng.randrange(4, 250)}, server: _, request: "GET {path} HTTP/1.1", upstream: "http://unix:/var/run/tutorlive/puma.sock:{path}", host: "app.{dom}"',
                    )
                )
            else:
                dur = k.jitter(rng, 40 + 140 * min(u, 1.6) ** 3, 0.4)
                ar = dur * rng.uniform(0.1, 0.3)
                logs.append(
                    k.log(
                        "/tutorlive/web/app",
                        f"{asg}/{iid}",
                        t,
                        f"[{k.hexid(rng, 8)}-{k.hexid(rng, 4)}-{k.hexid(rng, 4)}] Completed 200 OK in {dur:.0f}ms (Views: {dur * 0.4:.1f}ms | ActiveRecord: {ar:.1f}ms (0.0ms cached) | GC: {dur * 0.02:.1f}ms)",
                    )
                )
            if rng.random() < 0.012:
                logs.append(
                    k.log(
                        "/tutorlive/web/app",
                        f"{asg}/{iid}",
                        t + timedelta(seconds=2),
                        f"[{k.hexid(rng, 8)}-{k.hexid(rng, 4)}-{k.hexid(rng, 4)}] WARN -- : Redis connection to tutorlive-cache-prod slow: LATENCY {rng.randrange(45, 120)}ms on GET feature_flags:v3",
                    )
                )
            if rng.random() < 0.008:
                logs.append(
                    k.log(
                        "/tutorlive/web/app",
                        f"{asg}/{iid}",
                        t + timedelta(seconds=3),
                        f'[{k.hexid(rng, 8)}-{k.hexid(rng, 4)}-{k.hexid(rng, 4)}] ActionController::RoutingError (No route matches [GET] "/wp-login.php")',
                    )
                )
            t += timedelta(seconds=rng.randrange(50, 130) if u < 1.0 else rng.randrange(25, 60))
    for iid in all_ids:
        if launched[iid] >= start:
            bt = launched[iid] + timedelta(seconds=rng.randrange(50, 80))
            if bt < now:
                logs.append(
                    k.log(
                        "/tutorlive/web/app",
                        f"{asg}/{iid}",
                        bt,
                        f'Puma starting in cluster mode...\n* Puma version: 6.4.2 (ruby 3.3.1-p55) ("The Eagle of Durango")\n*  Min threads: 5\n*  Max threads: 5\n*  Environment: production\n*   Master PID: {rng.randrange(2000, 4000)}\n*      Workers: 8\n*     Restarts: (\u2714) hot (\u2716) phased\n* Preloading application\n* Listening on unix:///var/run/tutorlive/puma.sock\nUse Ctrl-C to stop',
                    )
                )
    # reminders Lambda
    for t in k.steps(fine_from + timedelta(minutes=3), now, rng.randrange(400, 700)):
        rid = k.uid(rng)
        stream = f"{t:%Y/%m/%d}/[{rng.randrange(60, 90)}]{k.hexid(rng, 32)}"
        d = rng.uniform(150, 300)
        logs.append(k.log(f"/aws/lambda/{fn}", stream, t, f"START RequestId: {rid} Version: $LATEST"))
        logs.append(
            k.log(
                f"/aws/lambda/{fn}",
                stream,
                t + timedelta(milliseconds=40),
                f"{k.iso_ms(t)}\t{rid}\tINFO\tqueued {rng.randrange(3, 40)} reminders for sessions starting in 15 minutes",
            )
        )
        logs.append(
            k.log(f"/aws/lambda/{fn}", stream, t + timedelta(milliseconds=int(d)), f"END RequestId: {rid}")
        )
        logs.append(
            k.log(
                f"/aws/lambda/{fn}",
                stream,
                t + timedelta(milliseconds=int(d) + 1),
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {math.ceil(d)} ms\tMemory Size: 256 MB\tMax Memory Used: {rng.randrange(88, 110)} MB",
            )
        )
    logs = [entry for entry in logs if int(entry["timestamp"]) <= k.ms(now)]
    logs.sort(key=lambda e: (str(e["log_group"]), str(e["log_stream"]), int(e["timestamp"])))

    # --- resources ----------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = []
    profile = f"arn:aws:iam::{account}:instance-profile/tutorlive-web-instance"
    for iid in all_ids:
        if iid in terminated and terminated[iid] < now - timedelta(hours=1):
            continue
        state = "terminated" if iid in terminated and terminated[iid] <= now else "running"
        if launched[iid] > now:
            continue
        item = k.ec2_instance(
            rng,
            instance_id=iid,
            itype=itype,
            ami=ami,
            az=az_of[iid],
            subnet=priv[az_of[iid]],
            vpc=vpc_id,
            ip=ip_of[iid],
            sgs=[(sg_web, "tutorlive-web")],
            launched=launched[iid],
            name_tags={
                "Name": "tutorlive-web",
                "aws:autoscaling:groupName": asg,
                "aws:ec2launchtemplate:id": lt_id,
                "aws:ec2launchtemplate:version": "7",
                "service": "tutorlive-web",
                "env": "prod",
            },
            profile_arn=profile,
            state=state,
        )
        item["Monitoring"] = {"State": "enabled"}
        resources.append(k.res("ec2", "Instance", item))
        if state == "running":
            resources.append(k.res("ec2", "InstanceStatus", k.instance_status(iid, az_of[iid])))
    running = [i for i in all_ids if i not in terminated and launched[i] <= now]
    final = per_min[-1]
    resources.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg,
                "AutoScalingGroupARN": asg_arn,
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "tutorlive-web",
                    "Version": "7",
                },
                "MinSize": int(final.min),
                "MaxSize": int(final.max),
                "DesiredCapacity": int(final.desired),
                "DefaultCooldown": 300,
                "AvailabilityZones": azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": i,
                        "InstanceType": itype,
                        "AvailabilityZone": az_of[i],
                        "LifecycleState": "InService" if i in in_service else "Pending",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "tutorlive-web",
                            "Version": "7",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for i in running
                ],
                "CreatedTime": k.iso(day - timedelta(days=412)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(priv[a] for a in azs),
                "EnabledMetrics": [
                    {"Metric": m, "Granularity": "1Minute"}
                    for m in (
                        "GroupDesiredCapacity",
                        "GroupInServiceInstances",
                        "GroupPendingInstances",
                        "GroupMinSize",
                        "GroupMaxSize",
                    )
                ],
                "Tags": [
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": key,
                        "Value": v,
                        "PropagateAtLaunch": True,
                    }
                    for key, v in (("Name", "tutorlive-web"), ("service", "tutorlive-web"), ("env", "prod"))
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "CapacityRebalance": False,
                "DefaultInstanceWarmup": 240,
                "TrafficSources": [{"Identifier": tg_arn, "Type": "elbv2"}],
            },
        )
    )
    resources.append(
        k.res(
            "autoscaling",
            "ScalingPolicy",
            {
                "AutoScalingGroupName": asg,
                "PolicyName": policy,
                "PolicyARN": tt_actions[0],
                "PolicyType": "TargetTrackingScaling",
                "StepAdjustments": [],
                "EstimatedInstanceWarmup": 240,
                "Alarms": [
                    {
                        "AlarmName": alarm_high,
                        "AlarmARN": f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm_high}",
                    },
                    {
                        "AlarmName": alarm_low,
                        "AlarmARN": f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm_low}",
                    },
                ],
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": 50.0,
                    "DisableScaleIn": False,
                },
                "Enabled": True,
            },
        )
    )

    def sched(
        name: str, rec: str, mn: int, mx: int, dc: int, created: datetime, tz: str | None
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "AutoScalingGroupName": asg,
            "ScheduledActionName": name,
            "ScheduledActionARN": f"arn:aws:autoscaling:{region}:{account}:scheduledUpdateGroupAction:{k.uid(rng)}:autoScalingGroupName/{asg}:scheduledActionName/{name}",
            "StartTime": k.iso(created),
            "Recurrence": rec,
            "MinSize": mn,
            "MaxSize": mx,
            "DesiredCapacity": dc,
        }
        if tz:
            item["TimeZone"] = tz
        return item

    nxt_prewarm = day + timedelta(hours=21, minutes=30)
    while (nxt_prewarm + timedelta(hours=OFFSET)).weekday() >= 5:
        nxt_prewarm += timedelta(days=1)
    resources.append(
        k.res(
            "autoscaling",
            "ScheduledUpdateGroupAction",
            sched(sched_old, "30 14 * * 1-5", 4, 16, 6, nxt_prewarm, "America/Los_Angeles"),
        )
    )
    resources.append(
        k.res(
            "autoscaling",
            "ScheduledUpdateGroupAction",
            sched(sched_new, "0 2 * * *", 2, 3, 2, day + timedelta(days=1, hours=2), None),
        )
    )
    resources.append(
        k.res(
            "autoscaling",
            "ScheduledUpdateGroupAction",
            sched(sched_restore, "0 7 * * *", 4, 16, 6, day + timedelta(hours=7), None),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "LaunchTemplate",
            {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": "tutorlive-web",
                "CreateTime": k.iso(day - timedelta(days=412)),
                "CreatedBy": f"arn:aws:sts::{account}:assumed-role/terraform-apply/tfc-run",
                "DefaultVersionNumber": 7,
                "LatestVersionNumber": 7,
                "Tags": k.tags({"service": "tutorlive-web"}),
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"{lb_name}-{rng.randrange(10**8, 10**9)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z1H1FL5HABSF5",
                "CreatedTime": k.iso(day - timedelta(days=640)),
                "LoadBalancerName": lb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc_id,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": a, "SubnetId": pub[a], "LoadBalancerAddresses": []} for a in azs
                ],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": tg_name,
                "Protocol": "HTTP",
                "Port": 80,
                "VpcId": vpc_id,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "tutorlive_admin",
                "Endpoint": {
                    "Address": f"{db_id}.c{k.hexid(rng, 11)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z1PVIF0B656C1W",
                },
                "AllocatedStorage": 500,
                "InstanceCreateTime": k.iso(day - timedelta(days=700)),
                "PreferredBackupWindow": "09:30-10:00",
                "BackupRetentionPeriod": 14,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "MultiAZ": True,
                "EngineVersion": "15.5",
                "AutoMinorVersionUpgrade": True,
                "StorageType": "gp3",
                "Iops": 12000,
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + k.upper_id(rng, "", 26),
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{db_id}",
                "PreferredMaintenanceWindow": "tue:10:30-tue:11:00",
                "AvailabilityZone": azs[0],
                "SecondaryAvailabilityZone": azs[1],
                "PerformanceInsightsEnabled": True,
            },
        )
    )
    resources.append(k.res("ec2", "Vpc", k.vpc(account, vpc_id, "10.42.0.0/16", "tutorlive-prod", rng)))
    for i, zone in enumerate(azs):
        resources.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    rng,
                    account,
                    subnet_id=priv[zone],
                    vpc=vpc_id,
                    az=zone,
                    cidr=f"10.42.{16 * (i + 1)}.0/20",
                    name=f"tutorlive-prod-private-{zone[-1]}",
                    public=False,
                    free=rng.randrange(3900, 4060),
                ),
            )
        )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                account,
                sg_alb,
                "tutorlive-web-alb",
                "public ALB for app.tutorlive.com",
                vpc_id,
                [k.sg_rule_from_cidr(443, "0.0.0.0/0"), k.sg_rule_from_cidr(80, "0.0.0.0/0")],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                account,
                sg_web,
                "tutorlive-web",
                "web instances",
                vpc_id,
                [k.sg_rule_from_sg(80, sg_alb, account, "from ALB")],
            ),
        )
    )
    resources.append(
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{account}:role/{fn}-role",
                "Handler": "index.handler",
                "CodeSize": 1183402,
                "Timeout": 60,
                "MemorySize": 256,
                "LastModified": k.iso(t_fn).replace("Z", ".000+0000"),
                "Version": "$LATEST",
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        )
    )
    resources.append(
        k.res(
            "logs",
            "LogGroup",
            k.log_group(account, region, "/tutorlive/web/app", day - timedelta(days=600), 30, 81_223_004_112),
        )
    )
    resources.append(
        k.res(
            "logs",
            "LogGroup",
            k.log_group(
                account, region, "/tutorlive/web/nginx", day - timedelta(days=600), 30, 40_118_220_730
            ),
        )
    )

    events: list[dict[str, Any]] = [
        {"source": "autoscaling", "item": a} for a in activities if str(a["StartTime"]) <= k.iso(now)
    ]
    # every target present at the start registered long ago
    for iid in all_ids:
        if launched[iid] < start:
            events.append(
                k.target_health(tg_arn, iid, 80, az_of[iid], launched[iid] + timedelta(minutes=2), "healthy")
            )
    events += [e for e in th_events if str(e["item"]["timestamp"]) <= k.iso(now)]
    events.sort(key=lambda e: str(e["item"].get("StartTime") or e["item"].get("timestamp")))

    # --- trigger ------------------------------------------------------------------------------------
    trigger: dict[str, Any] = {
        "question": rng.choice(
            [
                "Tutors are saying classrooms keep dropping and pages time out since about 7pm, and the web 5xx alarm paged me. Nothing was released tonight as far as I know. What's going on?",
                "web 5xx alarm went off around 7 this evening and students can't get into sessions reliably. No deploy tonight that I know of - can you find out why?",
            ]
        ),
        "timezone": "America/Los_Angeles",
    }
    if tr5 and tr5[-1][2] == "ALARM":
        prev_reason = (
            tr5[-2][3]
            if len(tr5) > 1
            else "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching]."
        )
        prev_when = tr5[-2][0] if len(tr5) > 1 else tr5[-1][0] - timedelta(days=6, hours=3)
        prev_state = (
            "OK",
            prev_reason,
            tr5[-2][4] if len(tr5) > 1 else "{}",
            prev_when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{prev_when.microsecond // 1000:03d}+0000",
        )
        trigger["alarm_event"] = k.alarm_event(a5, spec5, account, region, rng, prev_state)

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": trigger,
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": asg,
                    "category": "change",
                    "failure_mode": "scheduled-action-caps-capacity-at-peak",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [asg_arn, sched_new, f"{asg}/{sched_new}"],
                "actions": ["rollback", "scale"],
                "chain": [
                    f"Scheduled action {sched_new} on ASG {asg} (recurrence 0 2 * * *, no time zone, so 02:00 UTC = 7pm Pacific) set min 2 / max 3 / desired 2",
                    f"{asg} terminated most of its instances at the start of the evening peak and target tracking could only reach 3",
                    "the remaining web instances saturated their CPU; Puma requests queued and timed out",
                    f"ALB {lb_name} returned 502/504 and slow responses; classroom pages timed out",
                ],
            },
        }
    )
    records: dict[str, list[dict[str, Any]]] = {
        "metrics": metrics,
        "alarms": alarms,
        "alarm_history": sorted(history, key=lambda h: str(h["Timestamp"])),
        "logs": logs,
        "cloudtrail": ct,
        "resources": resources,
        "events": events,
    }
    return Bundle(manifest, records)
